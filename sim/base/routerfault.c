/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/routerfault.h"

#include "sim/base/rngword.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct routerfault {
    routerfault_spec spec;
    size_t *client; /* the id each sticky client is kept on, or ROUTERFAULT_NONE */
};

routerfault *routerfault_new(const routerfault_spec *spec, char *err, size_t errlen)
{
    if (!(fabs(spec->skew_shift) <= 1.0)) {
        snprintf(err, errlen, "skew %g: expected a share change in [-1, 1]", spec->skew_shift);
        return NULL;
    }
    if (!(spec->drop_from_s <= spec->drop_to_s)) {
        snprintf(err, errlen, "dropout from %g to %g: expected from <= to", spec->drop_from_s,
                 spec->drop_to_s);
        return NULL;
    }
    if (spec->sticky_clients > ROUTERFAULT_MAX_CLIENTS ||
        !(spec->sticky_fraction >= 0.0 && spec->sticky_fraction <= 1.0)) {
        snprintf(err, errlen,
                 "sticky sessions: expected at most %u clients and a fraction in [0, 1]",
                 ROUTERFAULT_MAX_CLIENTS);
        return NULL;
    }
    routerfault *f = calloc(1, sizeof *f);
    if (f && spec->sticky_clients > 0 &&
        !(f->client = malloc(spec->sticky_clients * sizeof *f->client))) {
        free(f);
        f = NULL;
    }
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->spec = *spec;
    for (uint32_t c = 0; c < spec->sticky_clients; c++)
        f->client[c] = ROUTERFAULT_NONE;
    return f;
}

void routerfault_free(routerfault *f)
{
    if (!f)
        return;
    free(f->client);
    free(f);
}

void routerfault_set_targets(routerfault *f, size_t skew_id, size_t drop_id)
{
    f->spec.skew_id = skew_id;
    f->spec.drop_id = drop_id;
}

/* The index of id in the list with a non-zero weight, or -1. */
static long find(const selector *s, const size_t *ids, size_t id)
{
    if (id == ROUTERFAULT_NONE)
        return -1;
    size_t n = selector_count(s);
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id && selector_weight(s, i) > 0)
            return (long)i;
    return -1;
}

/* The selector's pick with the skew applied. */
static int skewed(const routerfault *f, selector *s, const size_t *ids, gsl_rng *rng)
{
    long k = f->spec.skew_shift != 0.0 ? find(s, ids, f->spec.skew_id) : -1;
    if (k < 0)
        return selector_pick(s, rngword_next, rng);
    double p0 = (double)selector_weight(s, (size_t)k) / (double)selector_total(s);
    double shift = fmax(-p0, fmin(1.0 - p0, f->spec.skew_shift));
    if (shift > 0.0) {
        /* p0 < 1 here: the pick is k with probability q + (1 - q) p0 = p0 + shift */
        if (gsl_rng_uniform(rng) < shift / (1.0 - p0))
            return (int)k;
        return selector_pick(s, rngword_next, rng);
    }
    int pick = selector_pick(s, rngword_next, rng);
    if (pick != k || p0 >= 1.0 || !(gsl_rng_uniform(rng) < -shift / p0))
        return pick;
    /* redrawn among the others, in their proportions */
    while ((pick = selector_pick(s, rngword_next, rng)) == k)
        ;
    return pick;
}

/* The skewed pick with the dropout applied. */
static int faulty(const routerfault *f, selector *s, const size_t *ids, gsl_rng *rng, double now_s)
{
    long d = now_s >= f->spec.drop_from_s && now_s < f->spec.drop_to_s
                 ? find(s, ids, f->spec.drop_id)
                 : -1;
    if (d >= 0 && (uint64_t)selector_weight(s, (size_t)d) == selector_total(s))
        return SELECTOR_NO_REPLICAS;
    int pick;
    while ((pick = skewed(f, s, ids, rng)) == d && d >= 0)
        ;
    return pick;
}

int routerfault_pick(routerfault *f, selector *s, const size_t *ids, gsl_rng *rng, double now_s)
{
    size_t *client = NULL;
    if (f->spec.sticky_clients > 0 && gsl_rng_uniform(rng) < f->spec.sticky_fraction) {
        client = &f->client[gsl_rng_uniform_int(rng, f->spec.sticky_clients)];
        long kept = find(s, ids, *client);
        int dropped = kept >= 0 && *client == f->spec.drop_id && now_s >= f->spec.drop_from_s &&
                      now_s < f->spec.drop_to_s;
        if (kept >= 0 && !dropped)
            return (int)kept;
    }
    int pick = faulty(f, s, ids, rng, now_s);
    if (client && pick != SELECTOR_NO_REPLICAS)
        *client = ids[pick];
    return pick;
}
