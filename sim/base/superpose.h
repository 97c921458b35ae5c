/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * superpose — many constant-rate Poisson sources as one: the superposition of independent
 * Poisson processes of rates r_1..r_n is a Poisson process of rate R = sum r_i whose points
 * belong to source i independently with probability r_i / R. So the next arrival of all of
 * them is one exponential gap at rate R and an O(1) alias pick (Walker's, GSL's
 * gsl_ran_discrete) of its source: exact in distribution, and a fleet of sources costs one
 * event in the queue instead of one each.
 */
#ifndef ROUTERSIM_SUPERPOSE_H
#define ROUTERSIM_SUPERPOSE_H

#include <gsl/gsl_rng.h>
#include <stddef.h>

typedef struct superpose superpose;

/* n >= 1 sources of rates > 0 (finite), requests per second. NULL with a reason in err. */
superpose *superpose_new(size_t n, const double *rates, char *err, size_t errlen);
void superpose_free(superpose *sp);

/* The next arrival of any source after `now`; *source says whose (0..n-1). Draws the gap
 * first (-log(U) / R, one uniform U on (0, 1)), then the pick (one uniform). */
double superpose_next(const superpose *sp, gsl_rng *rng, double now, size_t *source);

#endif
