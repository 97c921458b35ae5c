/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * split_points — results' split series written point by point, for tests that build results
 * by hand: points come in the engine's order (bins ascending, a router's points of a bin
 * together), each run of one router's points in one bin becomes a block of its own layout,
 * and split_points_finish closes the bins up to results.n_bins.
 */
#ifndef ROUTERSIM_TEST_SPLIT_POINTS_H
#define ROUTERSIM_TEST_SPLIT_POINTS_H

#include "sim/model/results.h"

#include <check.h>

enum { SPLIT_POINTS_MAX = 64 }; /* points of one router in one bin */

typedef struct {
    results *r;
    uint32_t bin, router;
    size_t n;
    uint32_t deployment[SPLIT_POINTS_MAX];
    long long replicas[SPLIT_POINTS_MAX];
    double share[SPLIT_POINTS_MAX];
    uint64_t routed[SPLIT_POINTS_MAX];
} split_points;

static inline void split_points_flush(split_points *w)
{
    if (w->n == 0)
        return;
    long layout =
        splitstore_add_layout(w->r->split, w->router, w->n, w->deployment, w->replicas, w->share);
    ck_assert_int_ge(layout, 0);
    ck_assert_int_eq(splitstore_add_block(w->r->split, (size_t)layout, w->routed), 0);
    w->n = 0;
}

static inline void split_points_add(split_points *w, results_point p)
{
    ck_assert_uint_ge(p.bin, w->bin);
    if (p.bin != w->bin || p.router != w->router)
        split_points_flush(w);
    for (; w->bin < p.bin; w->bin++)
        ck_assert_int_eq(splitstore_end_bin(w->r->split), 0);
    ck_assert_uint_lt(w->n, SPLIT_POINTS_MAX);
    w->router = p.router;
    w->deployment[w->n] = p.deployment;
    w->replicas[w->n] = p.replicas;
    w->share[w->n] = p.expected_share;
    w->routed[w->n++] = p.routed;
}

static inline void split_points_finish(split_points *w)
{
    split_points_flush(w);
    while (w->r->split->n_bins < w->r->n_bins)
        ck_assert_int_eq(splitstore_end_bin(w->r->split), 0);
}

#endif
