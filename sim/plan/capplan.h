/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * capplan — `routersim plan capacity`: the fewest replicas of the named deployments with
 * which every check of the scenario passes with probability at least P, shown at confidence
 * C over replications (planeval), and how much more traffic that plan carries.
 *
 * Per deployment, a fixed count (`replicas`) or, for an autoscaled one, its maximum
 * (`max_replica_count`; planeval_count_set). Before any search:
 *   - a pilot replication at the file's counts measures each deployment's peak routed rate
 *     lambda (the busiest window) and the offered load a = lambda x mean service time;
 *   - refusals: a latency check whose statistic the service time alone already exceeds (its
 *     own p99 above a p99 limit) cannot be met by any count; a budget whose replicas would
 *     be busier than a utilisation limit (or than 1) at the peak cannot hold the load;
 *   - the analytic start: the smallest count n with a / (n x concurrency) <= the utilisation
 *     limit (0.8, the autoscaler's default load target, without one) and, where the service
 *     is exponential (M/M/c with c = n x concurrency servers), with Erlang C's mean or
 *     quantile of the queue wait within each wait limit.
 * The search, one deployment at a time in the order given (the others held at their start
 * until their turn, then at their answer): galloping from the start (down by 1, 2, 4, ...
 * while it passes, or up while it fails, capped at max_replicas), then bisection between the
 * largest failing and the smallest passing count. A candidate passes when planeval's verdict
 * is pass; an undecided one (the cap reached) counts as not shown to pass. The search
 * assumes the pass rate does not fall as replicas are added; common random numbers
 * (every candidate on the same seeds) keep it from seeming to by chance.
 * Headroom: the answer run with every traffic rate multiplied by 1.1, 1.2, 1.4, 1.8, ...
 * until it fails (at most x4.2), then three bisections: the largest multiplier shown to pass.
 */
#ifndef ROUTERSIM_CAPPLAN_H
#define ROUTERSIM_CAPPLAN_H

#include "sim/base/serving.h"
#include "sim/plan/planeval.h"

#include <stddef.h>

#define CAPPLAN_DEFAULT_MAX_REPLICAS 100
#define CAPPLAN_MAX_DEPLOYMENTS 32

typedef struct {
    const char *path;
    const char *const *deployments; /* ids in the file's `deployments`; none (n 0): every one
                                       with a serving model, in file order */
    size_t n_deployments;
    long long max_replicas; /* the most replicas of any one deployment, >= 1 */
    planeval_options eval;  /* P, C, the cap of replications, the seed, jobs, progress */
    /* Told each candidate before it runs ("chat=12", "chat=12 x1.40 traffic"), or NULL. */
    void (*candidate)(void *ctx, const char *what);
    void *candidate_ctx;
} capplan_options;

typedef struct {
    char *id;                 /* as in the file */
    char *name;               /* full name, as the results name it */
    planeval_scaling scaling; /* what the plan sets: replicas, or max_replica_count */
    long long file_min, file_max;
    serving_spec spec;
    double peak_rate;      /* lambda: requests per second in the pilot's busiest window */
    double busy;           /* lambda x mean / concurrency: replicas busy on average */
    double target;         /* the utilisation the start aims at */
    long long utilization; /* the start from the load target */
    long long erlang;      /* the start from Erlang C's wait limits, 0 where none applies */
    long long start;       /* the analytic start: the larger, within 1 .. max_replicas */
    long long planned;     /* the answer (or the last count tried) */
} capplan_deployment;

typedef struct {
    long long *counts;    /* per planned deployment, in capplan.deployments' order */
    double traffic_scale; /* 1 for the search, the multiplier for the headroom */
    planeval_result *result;
} capplan_candidate;

typedef enum { CAPPLAN_FOUND, CAPPLAN_NONE } capplan_outcome;

typedef struct {
    capplan_outcome outcome;
    char reason[1024]; /* CAPPLAN_NONE: why, in a sentence */
    size_t n_deployments;
    capplan_deployment *deployments;
    size_t n_candidates; /* every evaluation, in the order run: the search, then headroom */
    capplan_candidate *candidates;
    long answer;          /* index of the plan in candidates; -1 when none */
    double headroom;      /* the largest traffic multiplier shown to pass (>= 1); NaN if none */
    double headroom_fail; /* the smallest one tried that did not pass; NaN if none failed */
    double replica_hours; /* of the plan: its deployments' replicas over the run */
    double duration_s;
    double slo_s;        /* the limit of a p99 latency check, for the plot; NaN when none */
    int replayed;        /* the traffic replays a trace: no headroom (it cannot be scaled) */
    char slo_key[64];    /* its key, e.g. "max_p99_latency" */
    capplan_options opt; /* as run (the pointers are the caller's) */
} capplan;

/* Plan. Returns 0 with *out set (outcome FOUND or NONE, free with capplan_free); 2 when the
 * input is invalid (a scenario or deployment id that does not load, a deployment without a
 * serving model) and 3 when a run failed, each with the reason in err. */
int capplan_run(const capplan_options *opt, capplan **out, char *err, size_t errlen);
void capplan_free(capplan *p);

/* The overrides that give a candidate's counts (planeval_count_set), into sets[] (each
 * pointing into store, of 2 x n_deployments x 256 bytes). Returns how many, or -1 with the
 * reason in err. */
int capplan_count_sets(const capplan *p, const long long *counts, const char **sets, char *store,
                       char *err, size_t errlen);

/* The service time's quantile q (0 < q < 1) of a serving model; its mean for q = 0. */
double capplan_service_quantile(const serving_spec *s, double q);

/* Erlang C: with c servers, offered load a = lambda / mu < c, the probability that an
 * arrival waits. */
double capplan_erlang_c(long long c, double a);

#endif
