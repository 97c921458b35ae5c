/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * yread — typed values read out of a scenario's YAML tree, each error naming its place.
 *
 * The scenario format is made of a few kinds of value (durations, rates, bounded numbers,
 * ids, free text, mappings with a fixed set of keys); this module reads each kind from a
 * ydoc node and, when the text is not what the format expects, writes
 * "FILE:LINE:COL: what was expected" once and returns -1, so a loader can stop at the first
 * problem and pass the message up unchanged.
 */
#ifndef ROUTERSIM_YREAD_H
#define ROUTERSIM_YREAD_H

#include "sim/base/units.h"
#include "sim/load/ydoc.h"

#include <stddef.h>

typedef struct {
    const char *path; /* the file, for positions */
    const ydoc *doc;  /* when set, a node made by an override (--set) is named by it */
    char *err;
    size_t errlen;
    const char *account; /* where short ids resolve */
    double duration_s;   /* the run's length, for intervals */
} yread;

/* A key a mapping may have, and whether it must. Lists end with {NULL, 0}. */
typedef struct {
    const char *key;
    int required;
} yread_key;

int yread_fail(const yread *r, const ydoc_node *node, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int yread_fail_at(const yread *r, int line, int column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

int yread_type(const yread *r, const ydoc_node *node, ydoc_type type, const char *what);

/* A mapping whose keys are all in `keys`, with every required one present. */
int yread_keys(const yread *r, const ydoc_node *map, const char *what, const yread_key *keys);

/* The text of a non-null scalar, or NULL (error written). */
const char *yread_scalar(const yread *r, const ydoc_node *node, const char *what);

int yread_duration(const yread *r, const ydoc_node *node, const char *what, double *out);
/* A duration in (0, max]. */
int yread_positive_duration(const yread *r, const ydoc_node *node, const char *what, double max,
                            double *out);
int yread_rate(const yread *r, const ydoc_node *node, const char *what, double *out);
int yread_int(const yread *r, const ydoc_node *node, const char *what, long long min, long long max,
              long long *out);
int yread_real(const yread *r, const ydoc_node *node, const char *what, double min, double max,
               double *out);
int yread_bool(const yread *r, const ydoc_node *node, const char *what, int *out);

/* A router or deployment id, short or full, resolved in r->account. */
int yread_id(const yread *r, const ydoc_node *node, const char *what, units_kind kind, char *id);
/* A model reference as a full name (UNITS_NAME_MAX bytes). */
int yread_model(const yread *r, const ydoc_node *node, char *out);
/* An account id (UNITS_ID_MAX + 1 bytes). */
int yread_account(const yread *r, const ydoc_node *node, char *out);
/* Free text shown in reports: at most max bytes, no control characters but tab and
 * newline; *out is a new string. */
int yread_text(const yread *r, const ydoc_node *node, const char *what, size_t max, char **out);

/* `during: [start, end]` of a mapping, within [0, r->duration_s]; the whole run when the
 * mapping has no `during`. */
int yread_interval(const yread *r, const ydoc_node *map, double *start, double *end);

/* Apply fn(ctx, item) to each item of the sequence root[key], in order, stopping at the
 * first that fails. A missing or null section is empty; `required` asks for one item at
 * least. Returns 0, or -1 with the error written. */
int yread_each(const yread *r, const ydoc_node *root, const char *key, int required,
               int (*fn)(void *ctx, const ydoc_node *item), void *ctx);

#endif
