/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * latency — a streaming histogram of request latencies with a bounded relative error.
 *
 * Latencies fall into logarithmic buckets LATENCY_RELATIVE_ERROR wide, so the memory of a
 * histogram is fixed (no per-request storage) and any quantile it reports is within that
 * relative error of the exact nearest-rank quantile of the samples, for latencies within
 * [LATENCY_MIN_S, LATENCY_MAX_S] (values outside are clamped into the end buckets). Two
 * histograms merge exactly, so windows add up to phases and phases to the run.
 */
#ifndef ROUTERSIM_LATENCY_H
#define ROUTERSIM_LATENCY_H

#include <stdint.h>

#define LATENCY_RELATIVE_ERROR 0.01
#define LATENCY_MIN_S 1e-6
#define LATENCY_MAX_S 1e6

typedef struct latency latency;

latency *latency_new(void);
void latency_free(latency *h);
void latency_reset(latency *h);

void latency_add(latency *h, double seconds);
/* n samples of 0 at once: the same histogram as n calls of latency_add(h, 0), in any order
 * with the other samples. For a hot path whose samples are mostly exactly 0 (the queue wait
 * of a request that starts at once), which can count them and add them later. */
void latency_add_zeros(latency *h, uint64_t n);
void latency_merge(latency *into, const latency *from);

uint64_t latency_count(const latency *h);
double latency_mean(const latency *h); /* exact (kept as a sum); 0 when empty */
double latency_max(const latency *h);  /* exact; 0 when empty */

/* The q-quantile (0 < q <= 1, nearest rank) within the relative error; 0 when empty. */
double latency_quantile(const latency *h, double q);

#endif
