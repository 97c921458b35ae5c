/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results — what a run measured, aggregated as it went: totals, failures by reason, one
 * record per phase with its split test, check outcomes, the timeline as applied, and the
 * split over time in bins of the scenario's window.
 *
 * This is the boundary between simulating and reporting: the engine and the checks fill it,
 * report writers and plots only read it. Its size grows with phases, checks, bins and
 * deployments, never with the number of requests. Every string is owned by the results.
 */
#ifndef ROUTERSIM_RESULTS_H
#define ROUTERSIM_RESULTS_H

#include "sim/base/splittest.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RESULTS_ROUTER_NOT_FOUND,
    RESULTS_NO_REPLICAS,
    RESULTS_FORBIDDEN,
    RESULTS_N_REASONS
} results_reason;

/* Why a routed request was not served, from the caller's side: a full queue turned it away,
 * the caller gave up waiting, or it was still waiting or in service when the run ended. */
typedef enum {
    RESULTS_REJECTED,
    RESULTS_TIMED_OUT,
    RESULTS_UNFINISHED,
    RESULTS_N_UNSERVED
} results_unserved;

/* A distribution of durations over an interval, in seconds; quantiles are within
 * LATENCY_RELATIVE_ERROR (latency.h) of the exact ones, 0 when there were no samples. */
typedef struct {
    uint64_t count;
    double mean_s, p50_s, p90_s, p95_s, p99_s, p999_s;
} results_quantiles;

/* How a deployment with a serving model coped over an interval (a bin, a phase, the run).
 * Latencies are queue wait + service, recorded when a request starts service; quantiles
 * are within LATENCY_RELATIVE_ERROR (latency.h) of the exact ones. */
typedef struct {
    uint64_t arrived, started, completed, rejected, timed_out;
    uint64_t waited;       /* started after waiting */
    double utilization;    /* busy / available slot-seconds of ready replicas (draining
                              replicas' requests are not counted); 0 with no slots */
    double mean_waiting;   /* time-average number of requests waiting */
    long long max_waiting; /* most requests waiting at once */
    double mean_wait_s;    /* queue wait of started requests */
    double mean_latency_s, p50_s, p90_s, p99_s;
    double throughput_per_s;   /* completions per second */
    uint64_t unfinished;       /* still waiting or in service at the end of the interval */
    results_quantiles latency; /* served requests: queue wait + service */
    results_quantiles wait;    /* served requests: queue wait alone */
    results_quantiles caller;  /* as callers saw it: served requests' latency, plus the
                                  time timed-out callers waited before giving up */
} results_load;

/* A deployment's serving measurements over one capacity check's whole interval (the windows
 * that overlap it), for checks that judge the interval rather than each window. `check`
 * indexes the scenario's capacity checks; `deployment` indexes results.deployments. */
typedef struct {
    size_t check;
    uint32_t deployment;
    results_load load;
} results_interval_load;

typedef struct {
    char *name;         /* full deployment name */
    long long replicas; /* ready replicas: the router's weight */
    double expected_share;
    uint64_t observed;
    int has_load; /* the deployment has a serving model: `load` is filled */
    results_load load;
} results_share;

/* A phase of a router: deployment list and replica counts constant over [start_s, end_s). */
typedef struct {
    char *router; /* full router name */
    double start_s, end_s;
    uint64_t requests; /* routed by this router in the phase */
    size_t n_deployments;
    results_share *deployments;
    splittest_result test;
} results_phase;

typedef struct {
    char *name;
    int passed;
    char *detail;
} results_check;

/* A timeline command as applied, or an autoscaler decision, for the summary and the plots'
 * event marks. */
typedef struct {
    double at_s;
    char *text;
} results_event;

/* Requests routed to one deployment by one router in one bin of the time series, with the
 * replica count and expected share in force at the end of the bin. Indices refer to
 * results.routers and results.deployments. */
typedef struct {
    uint32_t bin, router, deployment;
    uint64_t routed;
    long long replicas;
    double expected_share;
} results_point;

/* Arrivals and failures of one traffic target (results.targets) in one bin. */
typedef struct {
    uint32_t bin, target;
    uint64_t arrivals;
    uint64_t failed[RESULTS_N_REASONS];
} results_flow;

/* A deployment's serving measurements in one bin, with its replicas wanted and ready at
 * the end of the bin. `deployment` indexes results.deployments. */
typedef struct {
    uint32_t bin, deployment;
    long long replicas, ready;
    results_load load;
} results_load_point;

/* A deployment's serving measurements over the whole run. */
typedef struct {
    uint32_t deployment;
    results_load load;
} results_deployment_load;

typedef enum {
    RESULTS_LIMIT_UTILIZATION, /* a fraction */
    RESULTS_LIMIT_P99_LATENCY, /* seconds */
    RESULTS_LIMIT_REJECTED,
    RESULTS_LIMIT_TIMED_OUT
} results_limit_kind;

/* A capacity check's limit, so plots can draw it over the figures it bounds. */
typedef struct {
    results_limit_kind kind;
    double limit;
    char *deployment; /* short id, or NULL for every deployment with a serving model */
    double start_s, end_s;
} results_limit;

/* Requests one expect check's router routed during its interval, per named deployment
 * (in the check's order) and to any other deployment. */
typedef struct {
    size_t expect;
    uint64_t routed;
    uint64_t other;
    size_t n;
    uint64_t *observed;
} results_window;

typedef struct results {
    char *scenario;
    char *description;
    char *source; /* scenario file path */
    uint64_t seed;
    double duration_s, window_s, alpha;
    int holm; /* phase verdicts are Holm-corrected over the run's phase tests */

    uint64_t total, routed, failed;
    uint64_t failed_by_reason[RESULTS_N_REASONS];
    uint64_t unserved; /* routed but not served: the sum of unserved_by_reason */
    uint64_t unserved_by_reason[RESULTS_N_UNSERVED];

    size_t n_phases, n_checks, n_events, n_points, n_flows, n_windows;
    size_t n_load_points, n_loads, n_limits, n_interval_loads;
    results_interval_load *interval_loads;
    results_limit *limits;
    results_load_point *load_points; /* bin-major: all deployments of bin 0, then bin 1... */
    results_deployment_load *loads;
    results_phase *phases;
    results_check *checks;
    results_event *events;
    results_point *points;
    results_flow *flows;
    results_window *windows;

    size_t n_bins; /* bins of window_s covering [0, duration_s] */
    size_t n_routers, n_deployments, n_targets;
    char **routers, **deployments, **targets; /* full names */

    int passed; /* every check and every phase test passed (set by checks_evaluate) */
} results;

results *results_new(void);
void results_free(results *r);

const char *results_reason_name(results_reason reason);     /* "router_not_found", ... */
const char *results_unserved_name(results_unserved reason); /* "rejected", ... */

/* Appenders: each returns the new zeroed element (strings to be set with results_strdup),
 * or NULL when out of memory. */
results_phase *results_add_phase(results *r);
results_check *results_add_check(results *r);
results_event *results_add_event(results *r);
results_point *results_add_point(results *r);
results_flow *results_add_flow(results *r);
results_window *results_add_window(results *r);
results_load_point *results_add_load_point(results *r);
results_deployment_load *results_add_load(results *r);
results_limit *results_add_limit(results *r);
results_interval_load *results_add_interval_load(results *r);

/* Index of a name in one of the name tables, added when new; -1 when out of memory. */
long results_name_index(char ***table, size_t *n, const char *name);

/* A copy owned by the results; NULL when out of memory. */
char *results_strdup(const char *s);

/* printf into a new owned string; NULL when out of memory. */
char *results_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
