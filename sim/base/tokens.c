/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/tokens.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* A count ready to draw: a histogram's bins behind an alias table. */
typedef struct {
    const tokens_count *count;
    gsl_ran_discrete_t *bins; /* histogram only */
    double mu, sigma;         /* lognormal: of the underlying normal */
} prepared;

typedef struct {
    prepared prompt, output;
} prepared_class;

struct tokens_sampler {
    size_t n;
    prepared_class *classes;
    gsl_ran_discrete_t *pick; /* the class by weight; NULL with one class */
};

void tokens_spec_clear(tokens_spec *spec)
{
    for (size_t i = 0; i < spec->n_classes; i++) {
        free(spec->classes[i].prompt.bins);
        free(spec->classes[i].output.bins);
    }
    free(spec->classes);
    spec->classes = NULL;
    spec->n_classes = 0;
}

/* An alias table of n weights; NULL when out of memory or no weight is positive (GSL's
 * preprocessing would divide by a zero sum). */
static gsl_ran_discrete_t *alias_of(size_t n, const double *w)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i] > 0 ? w[i] : 0;
    return sum > 0 ? gsl_ran_discrete_preproc(n, w) : NULL;
}

static int prepare(prepared *p, const tokens_count *c)
{
    p->count = c;
    if (c->kind == TOKENS_LOGNORMAL) {
        /* Mean m and CV v: sigma^2 = ln(1 + v^2), mu = ln m - sigma^2 / 2. */
        double s2 = log1p(c->cv * c->cv);
        p->sigma = sqrt(s2);
        p->mu = log(c->mean) - s2 / 2;
    }
    if (c->kind != TOKENS_HISTOGRAM)
        return 0;
    double *w = malloc((c->n_bins ? c->n_bins : 1) * sizeof *w);
    if (!w)
        return -1;
    for (size_t i = 0; i < c->n_bins; i++)
        w[i] = c->bins[i].weight;
    p->bins = alias_of(c->n_bins, w);
    free(w);
    return p->bins ? 0 : -1;
}

void tokens_sampler_free(tokens_sampler *s)
{
    if (!s)
        return;
    for (size_t i = 0; s->classes && i < s->n; i++) {
        if (s->classes[i].prompt.bins)
            gsl_ran_discrete_free(s->classes[i].prompt.bins);
        if (s->classes[i].output.bins)
            gsl_ran_discrete_free(s->classes[i].output.bins);
    }
    free(s->classes);
    if (s->pick)
        gsl_ran_discrete_free(s->pick);
    free(s);
}

tokens_sampler *tokens_sampler_new(const tokens_spec *spec, char *err, size_t errlen)
{
    tokens_sampler *s = calloc(1, sizeof *s);
    double *w = malloc((spec->n_classes ? spec->n_classes : 1) * sizeof *w);
    if (!s || !w || spec->n_classes == 0 ||
        !(s->classes = calloc(spec->n_classes, sizeof *s->classes))) {
        snprintf(err, errlen, spec->n_classes ? "out of memory" : "no request classes");
        free(w);
        tokens_sampler_free(s);
        return NULL;
    }
    s->n = spec->n_classes;
    for (size_t i = 0; i < s->n; i++) {
        w[i] = spec->classes[i].weight;
        if (prepare(&s->classes[i].prompt, &spec->classes[i].prompt) != 0 ||
            prepare(&s->classes[i].output, &spec->classes[i].output) != 0) {
            snprintf(err, errlen,
                     "request class %zu: a histogram without a positive weight, "
                     "or out of memory",
                     i + 1);
            free(w);
            tokens_sampler_free(s);
            return NULL;
        }
    }
    if (s->n > 1 && !(s->pick = alias_of(s->n, w))) {
        snprintf(err, errlen, "request classes without a positive weight, or out of memory");
        free(w);
        tokens_sampler_free(s);
        return NULL;
    }
    free(w);
    return s;
}

static uint32_t clamp(double x, uint32_t floor)
{
    double r = nearbyint(x);
    if (!(r >= floor)) /* also NaN */
        return floor;
    return r > TOKENS_MAX ? TOKENS_MAX : (uint32_t)r;
}

static uint32_t draw(const prepared *p, uint32_t floor, gsl_rng *rng)
{
    const tokens_count *c = p->count;
    switch (c->kind) {
    case TOKENS_UNIFORM: {
        unsigned long span = (unsigned long)(c->max - c->min) + 1;
        return clamp(c->min + (double)gsl_rng_uniform_int(rng, span), floor);
    }
    case TOKENS_LOGNORMAL:
        return clamp(gsl_ran_lognormal(rng, p->mu, p->sigma), floor);
    case TOKENS_HISTOGRAM: {
        size_t b = gsl_ran_discrete(rng, p->bins);
        double from = b ? c->bins[b - 1].to : 0;
        return clamp(from + (c->bins[b].to - from) * gsl_rng_uniform(rng), floor);
    }
    case TOKENS_FIXED:
    default:
        return clamp(c->value, floor);
    }
}

tokens_size tokens_draw(const tokens_sampler *s, gsl_rng *rng)
{
    const prepared_class *k = &s->classes[s->pick ? gsl_ran_discrete(rng, s->pick) : 0];
    uint32_t prompt = draw(&k->prompt, 0, rng);
    return (tokens_size){prompt, draw(&k->output, 1, rng)};
}
