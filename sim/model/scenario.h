/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scenario — a scenario as plain data: the world at time zero and its timeline as world
 * commands, the traffic, the serving models and the checks.
 *
 * It is the description every stage reads and none owns: the loader (sim/load/scenario_load)
 * fills it from YAML, the engine runs it, the checks judge a run against it. It holds no
 * runtime state; once loaded it is immutable.
 */
#ifndef ROUTERSIM_SCENARIO_H
#define ROUTERSIM_SCENARIO_H

#include "sim/base/serving.h"
#include "sim/base/tokens.h"
#include "sim/base/traffic.h"
#include "sim/model/world.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int line, column;
} scenario_mark;

/* One world command at one instant: the scenario's own deployments and routers (at 0, in
 * file order) followed by its timeline, sorted stably by time. */
typedef struct {
    double at_s;
    world_cmd cmd;
    char *text; /* timeline events: the line as written (or its structured form); NULL for
                   the scenario's initial deployments and routers */
    scenario_mark mark;
} scenario_event;

/* A traffic entry: a Poisson process of the given shape, or a replayed trace. */
typedef struct {
    world_id router;
    char caller[UNITS_ID_MAX + 1]; /* the calling account */
    traffic_shape shape;           /* its segments point into `segments` */
    traffic_segment *segments;
    char *trace;             /* path of a trace file (relative paths resolved), or NULL */
    uint64_t trace_arrivals; /* a trace's arrivals within the duration, counted at load */
    /* Request sizes (`tokens:` or `classes:`); n_classes 0: none. A trace's prompt_tokens and
     * output_tokens columns override them line by line. */
    tokens_spec tokens;
    scenario_mark mark;
} scenario_traffic;

/* The serving model of a deployment, by id (from its entry or the top-level `serving`). */
typedef struct {
    world_id deployment;
    serving_spec spec;
    scenario_mark mark;
} scenario_serving;

/* What a capacity check limits: a figure of each deployment with a serving model. */
typedef enum {
    SCENARIO_MAX_UTILIZATION,    /* busy / available slot-seconds, a fraction */
    SCENARIO_MAX_LATENCY,        /* served requests: queue wait + service, a statistic in s */
    SCENARIO_MAX_WAIT,           /* served requests: queue wait alone, a statistic in s */
    SCENARIO_MAX_CALLER_LATENCY, /* as callers saw it (timed-out callers' waits too), in s */
    SCENARIO_MAX_REJECTED,       /* requests turned away by a full queue, summed */
    SCENARIO_MAX_TIMED_OUT,      /* requests whose caller gave up waiting, summed */
    SCENARIO_MAX_TTFT,           /* arrival to first output token, a statistic in s */
    SCENARIO_MAX_TPOT,           /* time per output token after the first, a statistic in s */
    SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND, /* a floor: output tokens completed per second */
    SCENARIO_MIN_THROUGHPUT,               /* a floor: requests completed per second */
    SCENARIO_N_CAPACITY_KINDS
} scenario_capacity_kind;

/* Which statistic of a latency-like figure: `max_<statistic>_<figure>` in the format. */
typedef enum {
    SCENARIO_MEAN,
    SCENARIO_P50,
    SCENARIO_P90,
    SCENARIO_P95,
    SCENARIO_P99,
    SCENARIO_P999,
    SCENARIO_N_STATISTICS
} scenario_statistic;

/* Where a utilisation or latency-like limit must hold: in every window of the time series
 * (the documented meaning of the original keys), or over all requests of the interval. */
typedef enum { SCENARIO_OVER_WINDOW, SCENARIO_OVER_INTERVAL } scenario_over;

/* A capacity check: a limit a deployment (or, with an empty id, every deployment with a
 * serving model) must hold over [start_s, end_s): in every window of the time series that
 * overlaps it, or over the whole interval. Rejected and timed-out requests are always
 * summed over the interval. start_s is the check's `during` start or the checks' warm-up,
 * whichever is later: nothing before it is judged. */
typedef struct {
    scenario_capacity_kind kind;
    scenario_statistic statistic; /* latency, wait, caller latency, TTFT and TPOT only */
    scenario_over over;
    double limit; /* a fraction, seconds, requests, tokens/s or requests/s */
    world_id deployment;
    double start_s, end_s;
    /* Latency-like statistics: a window (or the interval) with fewer requests measured is
     * reported as "too few requests" instead of judged. */
    uint64_t min_requests;
    scenario_mark mark;
} scenario_capacity;

/* Faults injected into one router's picks (routerfault.h), each optional: a skew of one
 * deployment's share, a deployment dropping out for an interval, sticky clients. Empty
 * deployment ids mean no skew or no dropout; sticky_clients 0 no sticky sessions. */
typedef struct {
    world_id router;
    world_id skew_deployment;
    double skew_shift; /* absolute change of its share */
    world_id drop_deployment;
    double drop_start_s, drop_end_s;
    uint32_t sticky_clients;
    double sticky_fraction;
    scenario_mark mark;
} scenario_fault;

typedef struct {
    world_id deployment;
    double share;
} scenario_share;

typedef struct {
    world_id router;
    double start_s, end_s;
    double tolerance;
    size_t n_shares;
    scenario_share *shares;
    scenario_mark mark;
} scenario_expect;

/* An uncertain parameter (the scenario's `uncertainty:`): a scalar the scenario sets, named by
 * its path as --set takes it, and the interval [low, high] its true value is believed to lie
 * in. low and high are numbers written with the same unit suffix ("200ms", "1.5/s", "8"),
 * which routersim sensitivity puts back after each value it tries. */
typedef struct {
    char *key; /* KEY.PATH, e.g. "deployments.chat.serving.service_time.mean" */
    double low, high;
    char *unit;       /* the suffix of low and high: "ms", "/s", "" */
    int line, column; /* where the entry is written, for errors found when it is applied */
} scenario_uncertain;

/* Entries of a scenario array by id: an open-addressed table of index + 1 (0: empty), at
 * most half full, covering the first n entries. */
typedef struct {
    size_t *cells;
    size_t cap, n;
} scenario_index;

typedef struct {
    char *path;
    char **sets; /* the KEY.PATH=VALUE overrides applied over the file, in order */
    size_t n_sets;
    char *name;
    char *description;
    char account[UNITS_ID_MAX + 1];
    uint64_t seed;
    double duration_s;
    double window_s;

    size_t n_events;
    scenario_event *events;
    size_t n_traffic;
    scenario_traffic *traffic;
    size_t n_serving;
    scenario_serving *serving;
    /* serving by deployment id once scenario_index_serving has covered every entry (a loaded
     * scenario's always does); scenario_serving_of searches one by one otherwise */
    scenario_index serving_index;

    double alpha;
    int holm; /* checks.correction: holm — phase tests corrected for their number */
    size_t n_expect;
    scenario_expect *expect;
    long long max_failed;   /* -1 when not set */
    long long max_unserved; /* checks.max_unserved_requests; -1 when not set */
    double warmup_s;        /* checks.warmup: capacity checks judge nothing before it */
    size_t n_capacity;
    scenario_capacity *capacity;
    size_t n_faults;
    scenario_fault *faults;
    /* checks.power: the deviation each phase's power is reported against, and the target */
    double power_shift;   /* default 0.01: one percentage point */
    int power_relative;   /* the shift is a fraction of the share */
    double power_target;  /* default 0.8 */
    double concentration; /* checks.concentration: the sequential test's c, default 100 */
    /* How replications decide a replicated run (replicas.h): checks.pass_rate (0 when not
     * set: every replication must pass), checks.confidence (default 0.95) and
     * checks.sequential. A single run ignores them. */
    double pass_rate;
    double confidence;
    int sequential;
    /* uncertainty: the parameters routersim sensitivity (and run --sensitivity) varies */
    size_t n_uncertain;
    scenario_uncertain *uncertain;
} scenario;

#define SCENARIO_DEFAULT_ALPHA 0.001
#define SCENARIO_DEFAULT_TOLERANCE 0.01
#define SCENARIO_DEFAULT_POWER_SHIFT 0.01
#define SCENARIO_DEFAULT_POWER_TARGET 0.8
#define SCENARIO_DEFAULT_CONCENTRATION 100.0
#define SCENARIO_DEFAULT_CONFIDENCE 0.95
#define SCENARIO_DEFAULT_SEED 1
/* The fewest requests a window (or interval) needs before a statistic of it is judged, unless
 * min_requests says otherwise: for a quantile q, 5 / (1 - q), so that at least 5 requests are
 * expected beyond it (the same rule of 5 as the phase tests' expected counts) and the figure
 * is not just the slowest one or two requests; for the mean, 30. */
uint64_t scenario_default_min_requests(scenario_statistic statistic);

/* "mean", "p50", "p90", "p95", "p99", "p999" */
const char *scenario_statistic_name(scenario_statistic statistic);
/* "utilization", "latency", "wait", "caller_latency", "rejected", "timed_out", "ttft",
 * "tpot", "output_tokens_per_second", "throughput" */
const char *scenario_capacity_figure(scenario_capacity_kind kind);
/* A latency-like figure, limited by a statistic (max_<statistic>_<figure>). */
int scenario_capacity_has_statistic(scenario_capacity_kind kind);
/* A floor (min_<figure>): the figure must stay at or above the limit. */
int scenario_capacity_is_minimum(scenario_capacity_kind kind);
/* The key that sets a capacity check: "max_utilization", "max_p99_latency",
 * "min_throughput", ... */
void scenario_capacity_key(const scenario_capacity *c, char *buf, size_t size);

#define SCENARIO_MAX_EXPECTED_REQUESTS 1e10 /* sum of rate x duration over the traffic */

void scenario_free(scenario *sc);

/* Expected number of arrivals: the integral of each shape's rate, plus traces' arrivals. */
double scenario_expected_requests(const scenario *sc);

/* The serving model of a deployment, or NULL (infinite capacity). O(1) once indexed. */
const serving_spec *scenario_serving_of(const scenario *sc, const char *deployment);

/* Index the serving entries added since the last call (call it after each one appended, or
 * once at the end), so that scenario_serving_of finds any in O(1) however many there are.
 * The entries' ids must be distinct. Returns 0, or -1 when out of memory (the lookup then
 * searches one by one, as before any index). */
int scenario_index_serving(scenario *sc);

#endif
