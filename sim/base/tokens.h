/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tokens — how big a request is: its prompt and output token counts, drawn per request from
 * a traffic entry's request classes.
 *
 * A traffic entry describes its requests' sizes as one or more classes picked by weight, each
 * with a distribution of prompt tokens and one of output tokens (fixed, uniform, lognormal or
 * an empirical histogram). A sampler prepares the alias tables once so that one request costs
 * a few draws, whatever the number of classes or histogram bins; nothing is kept per request.
 * The sizes drive the batching serving model (batching.h): prefill work is the prompt, decode
 * work the output, and both occupy the KV cache.
 */
#ifndef ROUTERSIM_TOKENS_H
#define ROUTERSIM_TOKENS_H

#include "sim/base/units.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

/* The largest token count a request may have (prompt or output); drawn values are clamped. */
#define TOKENS_MAX 10000000

typedef enum { TOKENS_FIXED, TOKENS_UNIFORM, TOKENS_LOGNORMAL, TOKENS_HISTOGRAM } tokens_kind;

/* A histogram bin: token counts from the previous bin's `to` (0 for the first) up to `to`,
 * uniform inside, picked with probability weight / (sum of weights). */
typedef struct {
    double to;     /* tokens, > the previous bin's to */
    double weight; /* >= 0; at least one bin's weight > 0 */
} tokens_bin;

/* One token count's distribution. Drawn values are rounded to whole tokens and kept within
 * [floor, TOKENS_MAX], where floor is 0 for prompts and 1 for outputs. */
typedef struct {
    tokens_kind kind;
    double value;    /* fixed: the count */
    double min, max; /* uniform: whole numbers, inclusive, min <= max */
    double mean, cv; /* lognormal: mean > 0, coefficient of variation > 0 (as service_time) */
    size_t n_bins;   /* histogram */
    tokens_bin *bins;
} tokens_count;

/* A class of requests: picked with probability weight / (sum of the entry's weights). */
typedef struct {
    char name[UNITS_ID_MAX + 1]; /* empty for the single class of `tokens:` */
    double weight;               /* > 0; 1 for the single class of `tokens:` */
    tokens_count prompt, output;
} tokens_class;

/* A traffic entry's request sizes: `tokens:` is one class, `classes:` several. n_classes 0:
 * the entry's requests carry no sizes. The classes and their bins are owned by whoever owns
 * the spec (the scenario) and freed with tokens_spec_clear. */
typedef struct {
    size_t n_classes;
    tokens_class *classes;
} tokens_spec;

/* Free the classes and their histogram bins (malloc'd), and zero the spec. */
void tokens_spec_clear(tokens_spec *spec);

/* One request's size. */
typedef struct {
    uint32_t prompt; /* tokens to prefill, 0..TOKENS_MAX */
    uint32_t output; /* tokens to generate, 1..TOKENS_MAX */
} tokens_size;

typedef struct tokens_sampler tokens_sampler;

/* A sampler of spec (which must have at least one class and outlive it). NULL with the
 * reason in err: out of memory, or weights that cannot be sampled (none positive). */
tokens_sampler *tokens_sampler_new(const tokens_spec *spec, char *err, size_t errlen);
void tokens_sampler_free(tokens_sampler *s);

/* One request's size: a class by weight, then its prompt and output counts. */
tokens_size tokens_draw(const tokens_sampler *s, gsl_rng *rng);

#endif
