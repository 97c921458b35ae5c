/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * series — the run's time series arranged for reading: how many requests each router routed
 * in each bin (the denominator of every observed share), requests per bin and called router
 * summed over traffic sources, requests not served per bin, and each bin's interval. The
 * CSV, report.json and the plots read the time series through it, so they agree on every
 * number.
 *
 * It also decides how much of the series is written (the reports' detail). Full detail is
 * every point the engine recorded: bins x routers x deployments rows, which at fleet scale
 * is more than anyone reads. Bounded detail (the default) keeps what a reader can use:
 * - a router with more than SERIES_TOP_DEPLOYMENTS deployments in the series keeps its
 *   SERIES_TOP_DEPLOYMENTS with the most requests over the run (ties: the earlier
 *   deployment), and the rest are summed per bin into one row named SERIES_OTHER;
 * - with more than SERIES_TOP_ROUTERS routers in the series, the split series is written
 *   for SERIES_TOP_ROUTERS of them: those with a failed phase first, then those that
 *   routed the most (ties: the earlier router); the request series keeps the callers that
 *   name a shown router and up to SERIES_TOP_ROUTERS that name no router (most arrivals
 *   first), and sums the rest per bin into one row named SERIES_OTHER.
 * Below both thresholds bounded and full detail are the same rows, byte for byte. Only what
 * is written is bounded: phases, checks and verdicts judge every deployment either way.
 */
#ifndef ROUTERSIM_SERIES_H
#define ROUTERSIM_SERIES_H

#include "sim/model/results.h"

#include <stddef.h>
#include <stdint.h>

enum { SERIES_TOP_DEPLOYMENTS = 10, SERIES_TOP_ROUTERS = 20 };

/* The name written for a row that sums the deployments (or callers) not shown on their own. */
#define SERIES_OTHER "(other)"

typedef enum { SERIES_DETAIL_BOUNDED, SERIES_DETAIL_FULL } series_detail;

/* One row of the split series as written: a point of the results, or (deployment -1) the
 * sum of a router's deployments not shown on their own in one bin. */
typedef struct {
    uint32_t bin, router;
    long deployment; /* index in results.deployments; -1: the sum of `grouped` of them */
    size_t grouped;
    uint64_t routed;
    long long replicas;    /* summed over `grouped` for an "other" row */
    double expected_share; /* summed over `grouped` for an "other" row */
} series_split_row;

typedef struct {
    const results *r;
    uint64_t *total;      /* [router]: requests routed over the run */
    size_t *column;       /* [router]: its column of `routed` when shown, else SIZE_MAX */
    size_t n_columns;     /* the routers shown */
    uint64_t *routed;     /* [bin * n_columns + column]: the shown routers' requests */
    size_t *source_at;    /* [target_first[t], target_first[t + 1]): the traffic entries
                             (results.flows' sources) calling target t, in order */
    size_t *target_first; /* [n_targets + 1] */
    uint64_t *unserved;   /* [bin * RESULTS_N_UNSERVED + reason] */
    /* What is written. Full detail: rows NULL (the results' points are the rows), every
     * router shown, every target its own row. */
    size_t n_rows;
    series_split_row *rows;
    unsigned char *shown;     /* [router]: its split series and plots are written */
    size_t n_callers;         /* request rows per bin: shown targets, then "other" if any */
    long *callers;            /* [k]: target index, -1 for the "other" row */
    results_flow *others;     /* [bin]: the targets not shown, summed; NULL when none */
    size_t routers_shown;     /* routers with a split series written */
    size_t routers_in_series; /* routers with points */
    size_t grouped_targets;   /* targets summed into "other" rows */
    int bounded;              /* the bound left something out of, or grouped, the rows */
    /* When the rows are the points (rows NULL): the number of the first point of each
     * block of the split series, bin after bin, and the number of each bin's first block,
     * so the i-th point is found without a copy of them all. */
    size_t n_blocks;
    size_t *block_row; /* [n_blocks + 1]: the last is the number of points */
    size_t *bin_block; /* [bins + 1] */
} series;

/* Full detail. Returns 0, or -1 when out of memory. */
int series_init(series *s, const results *r);
/* With the given detail. Returns 0, or -1 when out of memory. */
int series_init_detail(series *s, const results *r, series_detail detail);
void series_free(series *s);

/* The rows of the split series as written, in the order of the results' points
 * (splitstore_next; an "other" row after the shown deployments of its router and bin). */
size_t series_split_count(const series *s);
series_split_row series_split_at(const series *s, size_t i);

/* Is the router's (index into results.routers) split series written, and its plots drawn? */
int series_router_shown(const series *s, size_t router);

/* The k-th request row of the bin (k < s->n_callers): its flow, and in *target the target's
 * index or -1 for the sum of the s->grouped_targets not shown. */
results_flow series_caller_row(const series *s, size_t bin, size_t k, long *target);

/* The bin's interval [start, end) in simulated seconds; the last bin ends at the duration. */
double series_bin_start(const results *r, size_t bin);
double series_bin_end(const results *r, size_t bin);

/* Requests the router (index into results.routers) routed in the bin; the router's split
 * series is written (series_router_shown), or the answer is 0. */
uint64_t series_routed(const series *s, size_t bin, size_t router);

/* The point's share of its router's requests in its bin; NaN when the router routed none. */
double series_observed_share(const series *s, const results_point *p);
/* The same for a row as written. */
double series_row_share(const series *s, const series_split_row *row);

/* Arrivals and failures of every source calling the target (index into results.targets) in
 * the bin, summed. */
results_flow series_requests(const series *s, size_t bin, size_t target);

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
