/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/superpose.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct superpose {
    double mean_gap; /* 1 / total rate */
    gsl_ran_discrete_t *pick;
};

superpose *superpose_new(size_t n, const double *rates, char *err, size_t errlen)
{
    double total = 0;
    if (n == 0) {
        snprintf(err, errlen, "no sources to superpose");
        return NULL;
    }
    for (size_t i = 0; i < n; i++) {
        if (!(rates[i] > 0) || !isfinite(rates[i])) {
            snprintf(err, errlen, "source %zu: rate %g, expected a finite rate > 0", i, rates[i]);
            return NULL;
        }
        total += rates[i];
    }
    superpose *sp = malloc(sizeof *sp);
    if (!sp || !(sp->pick = gsl_ran_discrete_preproc(n, rates))) {
        free(sp);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    sp->mean_gap = 1.0 / total;
    return sp;
}

void superpose_free(superpose *sp)
{
    if (!sp)
        return;
    gsl_ran_discrete_free(sp->pick);
    free(sp);
}

double superpose_next(const superpose *sp, gsl_rng *rng, double now, size_t *source)
{
    /* -log(U) for U uniform on (0, 1) is exponential with mean 1: the same law as GSL's
     * gsl_ran_exponential, which takes log1p(-U) at more than twice the cost */
    double at = now - sp->mean_gap * log(gsl_rng_uniform_pos(rng));
    *source = gsl_ran_discrete(rng, sp->pick);
    return at;
}
