/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * balancer — which of a deployment's replicas gets the next request, when each replica has
 * its own queue: in turn, the least loaded, or the less loaded of two picked at random.
 *
 * Load is what the caller says it is (requests waiting plus in service on the replica); the
 * balancer keeps only the round-robin position. Power of two choices (Mitzenmacher 2001)
 * looks at two replicas only, yet its longest queue grows like log log n instead of the
 * log n / log log n of a random pick.
 */
#ifndef ROUTERSIM_BALANCER_H
#define ROUTERSIM_BALANCER_H

#include "sim/base/serving.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>

/* Requests outstanding on replica i (waiting + in service). */
typedef long long (*balancer_load_fn)(void *ctx, size_t i);

typedef struct {
    serving_balancer policy; /* not SERVING_BALANCE_IDEAL */
    size_t next;             /* round robin: the replica after the last one picked */
} balancer;

/* A replica in [0, n), n >= 1. least_outstanding takes the lowest index on ties;
 * power_of_two draws two distinct replicas (one when n = 1) and keeps the first on a tie. */
size_t balancer_pick(balancer *b, size_t n, balancer_load_fn load, void *ctx, gsl_rng *rng);

#endif
