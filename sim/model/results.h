/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * results — what a run measured, aggregated as it went: totals, failures by reason, one
 * record per phase with its split test, check outcomes, the timeline as applied, and the
 * split over time in bins of the scenario's window.
 *
 * This is the boundary between simulating and reporting: three modules fill it, each its own
 * fields, and report writers and plots only read it. Its size grows with phases, checks,
 * bins and deployments, never with the number of requests. Every string is owned by the
 * results.
 *
 * Who writes what (nobody else writes these fields):
 *   engine (sim/run/engine)     scenario, description, source, seed, duration_s, window_s,
 *                               alpha, n_bins; total, routed, failed, failed_by_reason;
 *                               phases (all but each deployment's load); the
 *                               timeline's events; the split series (`split`), flows,
 *                               windows; routers, targets, and the deployments named by the
 *                               split series.
 *   capacity (sim/run/capacity) unserved, unserved_by_reason; loads, load_points,
 *                               interval_loads; phases[].deployments[].load;
 *                               cold-start and autoscaler events; the deployments with a
 *                               serving model in `deployments`.
 *   checks (sim/stats/checks)   checks, limits, holm, passed, and phase verdicts when they are
 *                               Holm-corrected; it runs after the engine and capacity are done.
 */
#ifndef ROUTERSIM_RESULTS_H
#define ROUTERSIM_RESULTS_H

#include "sim/base/splittest.h"
#include "sim/model/flowstore.h"
#include "sim/model/looklog.h"
#include "sim/model/splitstore.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    RESULTS_ROUTER_NOT_FOUND,
    RESULTS_NO_REPLICAS,
    RESULTS_FORBIDDEN,
    RESULTS_N_REASONS
} results_reason;

_Static_assert((int)RESULTS_N_REASONS == (int)FLOWSTORE_N_REASONS, "a flow counts every reason");

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

/* How a deployment with a serving model coped over an interval (a bin, a phase, the run, a
 * capacity check's interval). Counts are of events in the interval: arrived when routed to
 * the deployment, rejected on arrival, timed out when the caller gave up, started and
 * completed when service did. Latencies are queue wait + service, recorded when a request
 * starts service; quantiles are within LATENCY_RELATIVE_ERROR (latency.h) of the exact
 * ones. Over a whole run from the deployment's creation, arrived = completed + rejected +
 * timed_out + unfinished. */
typedef struct {
    uint64_t arrived, started, completed, rejected, timed_out;
    uint64_t waited;       /* started after waiting */
    double utilization;    /* busy / available slot-seconds of ready replicas (draining
                              replicas' requests are not counted); 0 with no slots */
    double mean_waiting;   /* time-average number of requests waiting */
    long long max_waiting; /* most requests waiting at once; -1 where not measured (phases) */
    double mean_wait_s;    /* queue wait of started requests */
    double mean_latency_s, p50_s, p90_s, p99_s; /* those of `latency`, kept for the contract */
    double throughput_per_s;                    /* completions per second */
    uint64_t unfinished;       /* still waiting or in service at the end of the interval (a
                                  state, not a count of events: it includes requests that
                                  arrived before the interval) */
    results_quantiles latency; /* served requests: queue wait + service */
    results_quantiles wait;    /* served requests: queue wait alone */
    results_quantiles caller;  /* as callers saw it: served requests' latency, plus the
                                  time timed-out callers waited before giving up */
    /* Tokens (requests that carry sizes). Batching model: TTFT is recorded at the end of the
     * iteration that produces a request's first token, TPOT and the token counts when it
     * completes. Queue model: TTFT is the latency (the whole answer arrives at once), TPOT is
     * not measured (count 0), and tokens are not counted (0). */
    results_quantiles ttft; /* arrival to first output token */
    results_quantiles tpot; /* per request: (completion - first token) / (output tokens - 1),
                               for requests of two or more output tokens */
    uint64_t prompt_tokens, output_tokens;           /* of the requests completed in the interval */
    double prompt_tokens_per_s, output_tokens_per_s; /* those over the interval's length */
    uint64_t iterations; /* batching iterations that ended in the interval, all replicas */
    double mean_batch;   /* requests per iteration (prefilling or decoding), over them;
                            0 with no iterations */
    double mean_kv;      /* KV cache in use over the budget of ready replicas, a time
                            average of the fraction; 0 with no budget */
    double max_kv;       /* the largest fraction of one replica's budget in use at once;
                            -1 where not measured (phases) */
} results_load;

/* A deployment's serving measurements over one capacity check's whole interval (the windows
 * that overlap it), for checks that judge the interval rather than each window. `check`
 * indexes the scenario's capacity checks; `deployment` indexes results.deployments. One per
 * check x deployment it covers (its id, or every deployment with a serving model) that
 * existed during those windows; in the order the intervals ended, so find them by `check`. */
typedef struct {
    size_t check;
    uint32_t deployment;
    results_load load;
} results_interval_load;

typedef struct {
    char *name;         /* full deployment name */
    long long replicas; /* ready replicas: the router's weight */
    double expected_share;
    long long wanted_replicas; /* replicas asked for when the phase began (ready + starting) */
    double intended_share;     /* wanted_replicas over the router's total: the split asked for,
                                  which differs from expected_share during cold starts */
    uint64_t observed;
    /* Its serving measurements over the phase, or NULL for a deployment without a serving
     * model: allocated when the phase opens, filled when it closes (a record of ~450 bytes
     * that a router over 10,000 deployments without serving models need not carry). */
    results_load *load;
} results_share;

/* The anytime-valid sequential test (seqtest.h) looked at once: after a bin of the time
 * series ended inside the phase, or at the phase's end. */
typedef looklog_look results_look;

/* A phase of a router: deployment list and replica counts constant over [start_s, end_s). */
typedef struct {
    char *router; /* full router name */
    double start_s, end_s;
    uint64_t requests; /* routed by this router in the phase */
    size_t n_deployments;
    results_share *deployments;
    splittest_result test; /* the engine's test, as measured; nothing changes it later */
    /* Written by the checks under Holm's correction (results.holm), for tested phases: the
     * verdict that counts. It differs from test.verdict when p is below alpha but not below
     * its step-down threshold (or, at the boundary, p = alpha equals it). */
    int corrected; /* holm_verdict is set */
    splittest_verdict holm_verdict;
    /* the sequential test of its counts (Dirichlet-multinomial, c = 100), for information:
     * the verdict stays the fixed-horizon test's */
    double sequential_p;    /* at the phase's end; 1 with nothing to test */
    int sequential_crossed; /* the sequential p-value reached alpha */
    double sequential_at_s; /* the first look at which it did */
    looklog looks;          /* every look, in order (looks.n of them) */
} results_phase;

typedef enum { RESULTS_CHECK_PASS, RESULTS_CHECK_FAIL, RESULTS_CHECK_TOO_FEW } results_check_status;

typedef enum {
    RESULTS_CHECK_EXPECT,   /* an expect check: observed shares within a tolerance */
    RESULTS_CHECK_FAILED,   /* max_failed_requests */
    RESULTS_CHECK_UNSERVED, /* max_unserved_requests */
    RESULTS_CHECK_CAPACITY  /* one of checks.capacity */
} results_check_kind;

/* A window (or a whole interval) in which a deployment broke a capacity check's limit, or,
 * for a failed limit on rejected or timed-out requests, a window that added to the count.
 * `deployment` indexes results.deployments. */
typedef struct {
    uint32_t deployment;
    double start_s, end_s, value;
} results_breach;

/* A check's outcome, for machines as well as people. value, limit and margin are in `unit`
 * ("fraction", "s", "requests", or "share" for an expect check's largest deviation); margin
 * is limit - value, negative when the check failed. [start_s, end_s) is the window or
 * interval that decided the verdict: a failure's first window over the limit, else the
 * worst window (or the whole interval, for sums and whole-interval figures). value and
 * margin are NaN when nothing was judged (status too few). */
typedef struct {
    char *name;
    int passed; /* status is not fail */
    char *detail;
    results_check_kind kind;
    results_check_status status;
    char *key;        /* the scenario key: "expect", "max_failed_requests", "max_p99_latency" */
    const char *unit; /* static */
    double value, limit, margin;
    double start_s, end_s;
    char *deployment; /* full name of the deployment that decided it, or NULL */
    /* Capacity checks: which scenario check, what it covers and how it was judged. */
    size_t capacity;        /* index in the scenario's capacity checks */
    char *covers;           /* the deployment id it is limited to; NULL: every one with a
                               serving model */
    double from_s, to_s;    /* the interval judged (after the warm-up) */
    int over_interval;      /* judged over the whole interval, not per window */
    uint64_t min_requests;  /* fewest requests a judged statistic needs; 0 if none */
    size_t judged, too_few; /* windows (or deployments' intervals) judged, and left out */
    size_t n_breaches;
    results_breach *breaches;
} results_check;

/* A timeline command as applied, or an autoscaler decision, for the summary and the plots'
 * event marks. */
typedef struct {
    double at_s;
    char *text;
} results_event;

/* Requests routed to one deployment by one router in one bin of the time series, with the
 * replica count and expected share in force at the end of the bin (splitstore.h). Indices
 * refer to results.routers and results.deployments. */
typedef splitstore_point results_point;

/* Arrivals and failures of one traffic entry, or of every entry calling one target
 * (results.targets), in one bin (flowstore.h). */
typedef flowstore_flow results_flow;

/* A deployment's serving measurements in one bin, with its replicas wanted and ready at
 * the end of the bin. `deployment` indexes results.deployments. */
typedef struct {
    uint32_t bin, deployment;
    long long replicas, ready;
    results_load load;
} results_load_point;

/* A deployment's serving measurements over the whole run, and the serving model and
 * balancer that produced them (the scenario's serving spec). */
typedef struct {
    uint32_t deployment;
    int model;    /* serving_model (serving.h) */
    int balancer; /* serving_balancer */
    results_load load;
} results_deployment_load;

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
    char **sets;  /* the --set overrides the scenario was loaded with, in order */
    size_t n_sets;
    uint64_t seed;
    double duration_s, window_s, alpha;
    int holm; /* phase verdicts are Holm-corrected over the run's phase tests */
    /* what each phase's power is reported against (scenario checks.power) */
    double power_shift; /* the smallest share's change: absolute, or relative */
    int power_relative;
    double power_target;
    size_t n_faults;
    char **faults; /* the scenario's injected faults, one line per router, as people read */

    uint64_t total, routed, failed;
    uint64_t failed_by_reason[RESULTS_N_REASONS];
    uint64_t unserved; /* routed but not served: the sum of unserved_by_reason */
    uint64_t unserved_by_reason[RESULTS_N_UNSERVED]; /* sums of the loads' rejected, timed_out
                                                        and unfinished over deployments */

    size_t n_phases, n_checks, n_events, n_windows;
    size_t n_load_points, n_loads, n_interval_loads;
    results_interval_load *interval_loads;
    results_load_point *load_points; /* bin-major: all deployments of bin 0, then bin 1... */
    results_deployment_load *loads;
    results_phase *phases;
    results_check *checks;
    results_event *events;
    /* The split time series: per bin, one point per router and deployment it listed at the
     * bin's end or routed to during the bin, each router's in the order of its deployment
     * slots, routers in slot order. Stored compactly (splitstore.h); read the points in
     * order with splitstore_next, or block by block. Its size grows with bins x listed
     * deployments, at about a byte per point, never with requests. */
    splitstore *split;
    /* The request series: per bin, every traffic entry's arrivals and failures, entries in
     * the scenario's order, each with its target. Stored compactly (flowstore.h): at about a
     * byte per entry and bin, never growing with requests. */
    flowstore *flows;
    results_window *windows;

    size_t n_bins; /* bins of window_s covering [0, duration_s] */
    size_t n_routers, n_deployments, n_targets;
    char **routers, **deployments, **targets; /* full names */

    /* Written by the checks (checks_evaluate): the checks above, phases' holm_verdict,
     * and the verdict. */
    size_t holm_tests; /* phase tests Holm's correction was taken over */
    int passed;        /* every check and every phase test passed */
} results;

results *results_new(void);
void results_free(results *r);

const char *results_reason_name(results_reason reason);     /* "router_not_found", ... */
const char *results_unserved_name(results_unserved reason); /* "rejected", ... */

/* The verdict of a phase that counts: Holm's where the checks corrected it, else the test's. */
splittest_verdict results_phase_verdict(const results_phase *ph);

/* Appenders: each returns the new zeroed element (strings to be set with results_strdup),
 * or NULL when out of memory. */
results_phase *results_add_phase(results *r);
results_check *results_add_check(results *r);
results_event *results_add_event(results *r);
results_window *results_add_window(results *r);
results_load_point *results_add_load_point(results *r);
results_deployment_load *results_add_load(results *r);
results_interval_load *results_add_interval_load(results *r);
results_breach *results_add_breach(results_check *c);

/* Index of a name in one of the name tables, added when new; -1 when out of memory. */
long results_name_index(char ***table, size_t *n, const char *name);
/* Add a name the caller knows is not in the table (it keeps its own index of the names);
 * its index, or -1 when out of memory. */
long results_name_append(char ***table, size_t *n, const char *name);

/* A copy owned by the results; NULL when out of memory. */
char *results_strdup(const char *s);

/* printf into a new owned string; NULL when out of memory. */
char *results_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
