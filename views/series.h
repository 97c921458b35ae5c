/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * series — the run's time series arranged for reading: how many requests each router routed
 * in each bin (the denominator of every observed share), requests per bin and called router
 * summed over traffic sources, requests not served per bin, and each bin's interval. The
 * CSV, report.json and the plots read the time series through it, so they agree on every
 * number.
 */
#ifndef ROUTERSIM_SERIES_H
#define ROUTERSIM_SERIES_H

#include "sim/model/results.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const results *r;
    uint64_t *routed;       /* [bin * n_routers + router] */
    results_flow *requests; /* [bin * n_targets + target] */
    uint64_t *unserved;     /* [bin * RESULTS_N_UNSERVED + reason] */
} series;

/* Returns 0, or -1 when out of memory. */
int series_init(series *s, const results *r);
void series_free(series *s);

/* The bin's interval [start, end) in simulated seconds; the last bin ends at the duration. */
double series_bin_start(const results *r, size_t bin);
double series_bin_end(const results *r, size_t bin);

/* Requests the router (index into results.routers) routed in the bin. */
uint64_t series_routed(const series *s, size_t bin, size_t router);

/* The point's share of its router's requests in its bin; NaN when the router routed none. */
double series_observed_share(const series *s, const results_point *p);

/* Arrivals and failures of every source calling the target (index into results.targets) in
 * the bin. */
const results_flow *series_requests(const series *s, size_t bin, size_t target);

/* Requests of a flow that were routed: its arrivals minus its failures. */
uint64_t series_flow_routed(const results_flow *f);

/* Requests of a flow that failed, for any reason. */
uint64_t series_flow_failed(const results_flow *f);

/* Routed requests not served, by reason, in the bin, over every deployment with a serving
 * model: rejected on arrival in the bin, timed out when the caller gave up in the bin, and,
 * in the last bin only, those unfinished at the end of the run. Summed over bins they are
 * results.unserved_by_reason. Not split by traffic target: a request's fate is known at the
 * deployment, which does not keep who sent it. */
uint64_t series_unserved(const series *s, size_t bin, results_unserved reason);

/* The requests line every report shows: "315,026 arrived, 315,026 routed, 0 failed at the
 * router, 712 rejected, 2 timed out" (rejected and timed out when some deployment has a
 * serving model, unfinished when there were any); with_reasons adds the routing failures'
 * reasons in parentheses after "failed at the router". */
void series_requests_text(char *buf, size_t size, const results *r, int with_reasons);

#endif
