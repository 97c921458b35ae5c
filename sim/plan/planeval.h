/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * planeval — one candidate of a plan judged over replications: does this scenario variant
 * pass its checks with probability at least P, at confidence C?
 *
 * A candidate is a scenario: the user's file with overrides (--set texts, e.g. a deployment's
 * replica count, planeval_count_set) and its traffic scaled by a multiplier (planeval_load),
 * or any scenario the caller built. planeval_run runs its replications with replicate_run and
 * folds them with replicas_* under a sequential Clopper-Pearson rule: after each replication
 * k (in index order) it stops as soon as the pass rate is shown >= P or < P (replicas.h's
 * rule, valid at every look at once), the cap being opt->max_replications; undecided at the
 * cap counts as not shown to pass.
 *
 * Common random numbers: every candidate is run from the same run seed, so replication i of
 * every candidate uses the same replicate_seed(seed, i). Two candidates are then compared on
 * the same arrivals and service draws wherever their scenarios consume random numbers alike,
 * which makes the comparison paired: a candidate with more replicas passes on (nearly) every
 * seed a smaller one passes on.
 *
 * The result has what a plan reports per candidate: the pass rate with its interval, the check
 * that decided (the one failing most often, with the window of its first failure; when
 * nothing failed, the tightest check of replication 0 and its worst window), each serving
 * deployment's utilisation, latency quantiles, peak routed rate and replica-hours, and the
 * whole replicated summary for anything else.
 */
#ifndef ROUTERSIM_PLANEVAL_H
#define ROUTERSIM_PLANEVAL_H

#include "sim/model/results.h"
#include "sim/model/scenario.h"
#include "sim/stats/replicas.h"
#include "sim/stats/sensitivity.h"

#include <stddef.h>
#include <stdint.h>

/* The default required pass rate of a plan and the default cap on replications per
 * candidate. */
#define PLANEVAL_DEFAULT_PASS_RATE 0.9
#define PLANEVAL_DEFAULT_MAX_REPLICATIONS 200

/* Replications spread over cooperating processes (MPI ranks) that all run the same plan in
 * lockstep: every rank calls planeval_run with the same scenario and options. Rank r of R
 * runs the replications i with i % R == r, one per batch of R indices; after each batch
 * `exchange` gives every rank every rank's bytes, and every rank folds the batch in index
 * order. Folding is bit-exact (planeval_digest), so every rank holds the same result as the
 * threaded run and takes the same next step. */
typedef struct {
    size_t rank, ranks; /* 0 <= rank < ranks */
    /* Collective: give this rank's bytes (len 0: none this batch); get every rank's, in rank
     * order, concatenated in *all (malloc'd, the caller frees) with their lengths in
     * lens[0 .. ranks). Returns 0, or -1 with the reason in err. */
    int (*exchange)(const unsigned char *mine, size_t len, unsigned char **all, size_t *lens,
                    char *err, size_t errlen);
} planeval_spread;

typedef struct {
    double pass_rate;        /* P in (0, 1); 0: every replication must pass (fail at the first
                                failing one, pass at the cap) */
    double confidence;       /* C in (0, 1) */
    size_t max_replications; /* the cap, >= 1 */
    uint64_t seed;           /* the run seed, the same for every candidate (common random
                                numbers) */
    unsigned jobs;           /* worker threads, >= 1 */
    /* Called on the calling thread after each replication folded, or NULL. */
    void (*progress)(void *ctx, size_t done, size_t cap);
    void *progress_ctx;
    /* NULL: the replications run on `jobs` threads of this process; else in lockstep over
     * the spread's ranks (one thread each). */
    const planeval_spread *spread;
} planeval_options;

/* A variant of a scenario file: overrides applied to its YAML (ydoc_set texts, in order) and
 * a multiplier of every traffic rate. */
typedef struct {
    const char *const *sets;
    size_t n_sets;
    double traffic_scale; /* > 0; 1 leaves the traffic as written */
} planeval_variant;

/* Load the variant of the file at path. A traffic_scale other than 1 multiplies every rate of
 * every traffic entry (constant rates, profile points, daily peak and trough, bursts); a
 * replayed trace cannot be scaled and is refused. NULL with the loader's message (or why the
 * traffic cannot be scaled) in err. */
scenario *planeval_load(const char *path, const planeval_variant *v, char *err, size_t errlen);

/* How a deployment's count is bounded: fixed (`replicas`, or min_replica_count equal to
 * max_replica_count) or autoscaled (min below max, or no counts: bounds 0 and 1). */
typedef enum { PLANEVAL_FIXED, PLANEVAL_AUTOSCALED } planeval_scaling;

/* How the file at path bounds the count of deployment id (an entry of its `deployments`
 * list), in *scaling with its current count (fixed) or bounds in *min and *max. Returns 0,
 * or -1 with "FILE: ..." in err when the file cannot be read or has no such entry. */
int planeval_scaling_of(const char *path, const char *id, planeval_scaling *scaling, long long *min,
                        long long *max, char *err, size_t errlen);

/* The override that gives deployment id the count n: "deployments.ID.replicas=N" when fixed,
 * "deployments.ID.max_replica_count=N" when autoscaled (its minimum kept, lowered to N when
 * above it; then a second override "deployments.ID.min_replica_count=N" is written to
 * buf2, else buf2 is ""). Returns 0, or -1 with the reason in err. */
int planeval_count_set(const char *path, const char *id, long long n, char *buf, size_t size,
                       char *buf2, size_t size2, char *err, size_t errlen);

/* A serving deployment's figures over the replications. */
typedef struct {
    char *name;                         /* full deployment name */
    replicas_stats utilization;         /* over the run */
    replicas_stats p50, p90, p99, mean; /* served latency over the run, s */
    double peak_rate;                   /* the most requests routed to it (by every router
                                           together) in one window of replication 0, per
                                           second */
    double replica_hours;               /* mean over the replications of its replicas
                                           integrated over the run, in hours */
} planeval_deployment;

typedef struct {
    replicas_verdict verdict; /* PASS: shown >= P; FAIL: shown < P; UNDECIDED at the cap */
    replicas_rate passed;     /* the pass rate with its Clopper-Pearson interval at C */
    size_t replications;      /* folded before the rule stopped (or the cap) */
    /* The deciding check (NULL when the scenario has no checks): its name, key, pass rate
     * over the replications, and the window [start_s, end_s) and deployment (or NULL) of
     * its first failure, or of its worst window when it never failed. */
    char *check, *check_key, *check_deployment;
    replicas_rate check_rate;
    double check_start_s, check_end_s;
    double check_value, check_limit; /* mean of its value where judged; its limit */
    size_t n_deployments;
    planeval_deployment *deployments;
    replicas_summary *summary; /* the whole aggregate */
} planeval_result;

/* Judge sc: replications under the sequential rule of opt (see the top comment). Returns the
 * result (free with planeval_result_free), or NULL with the reason in err (a replication that
 * failed to run, out of memory). */
planeval_result *planeval_run(const scenario *sc, const planeval_options *opt, char *err,
                              size_t errlen);
void planeval_result_free(planeval_result *r);

/* What the folding keeps of one replication (its row, failed checks, replica-hours and, for
 * replication 0, peak rates and tightest check), as bytes that decode to the same values bit
 * for bit: what a rank sends the others in lockstep. */
typedef struct planeval_digest planeval_digest;

/* The digest of a replication's checked results; first: it is replication 0. NULL when out
 * of memory. */
planeval_digest *planeval_digest_of(const results *r, int first);
/* Its bytes (malloc'd, the caller frees). Returns 0, or -1 when out of memory. */
int planeval_digest_encode(const planeval_digest *d, unsigned char **buf, size_t *len);
/* The digest encoded in buf[0 .. len), or NULL with the reason in err. */
planeval_digest *planeval_digest_decode(const unsigned char *buf, size_t len, char *err,
                                        size_t errlen);
void planeval_digest_free(planeval_digest *d);

/* The figures of a deployment by full name, or NULL. */
const planeval_deployment *planeval_deployment_of(const planeval_result *r, const char *name);

/* What a plan's verdict hangs on: when the scenario sc (the file at path with the plan's
 * overrides sets) has an `uncertainty:` section, sensitivity_run over the planned scenario,
 * each parameter at both ends of its interval (points 2, PLANEVAL_SENSITIVITY_BISECTIONS
 * bisections per flip, which put a flip within 1/64 of the interval), `replications` per
 * value from opt's seed and judged by opt's pass rate and confidence (all replications, not
 * sequential). Returns 0 with *out the result, or NULL when sc has no uncertainty; 2 when a
 * parameter cannot be applied (err: "FILE:LINE:COL: uncertainty KEY: ..."), 3 when a run
 * failed. */
#define PLANEVAL_SENSITIVITY_BISECTIONS 6
int planeval_sensitivity(const char *path, const char *const *sets, size_t n_sets,
                         const scenario *sc, const planeval_options *opt, size_t replications,
                         sensitivity_result **out, char *err, size_t errlen);

#endif
