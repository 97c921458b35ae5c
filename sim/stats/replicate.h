/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replicate — runs independent replications of one loaded scenario on several threads and
 * hands each replication's checked results to the caller strictly in replication order, so
 * that whatever is built from them (replicas.h) is the same bytes for any number of threads
 * or processes.
 *
 * Replication i (0-based) simulates the scenario with seed replicate_seed(run_seed, i): index
 * 0 is the run's seed itself, so one replication is exactly the single run of that seed, and
 * any replication can be rerun alone with `routersim run FILE --seed <its seed>`.
 *
 * Each replication is engine_run followed by checks_evaluate, with its own random stream
 * (the engine owns its streams, one per run and one for pooled arrivals, and the producer
 * thread that may draw the latter). Workers take indices in increasing order; finished results
 * wait in a reorder buffer of 2 x jobs slots until every lower index has been handed over, so
 * memory holds at most about 2 x jobs results at once, whatever the number of replications.
 *
 * A run can be restricted to the indices i with i % ranks == rank, so that R processes (MPI
 * ranks) each run their share of the same N replications; the callback then sees that
 * subset, in increasing index order. Rank 0 always holds index 0.
 */
#ifndef ROUTERSIM_REPLICATE_H
#define ROUTERSIM_REPLICATE_H

#include "sim/model/results.h"
#include "sim/model/scenario.h"

#include <stddef.h>
#include <stdint.h>

/* The most replications one run may ask for: the aggregate keeps a row per replication. */
#define REPLICATE_MAX_REPLICATIONS 1000000
/* The most worker threads. */
#define REPLICATE_MAX_JOBS 1024

/* The seed of replication `index` of a run seeded with run_seed:
 *   index 0:   run_seed
 *   index i>0: splitmix64(run_seed + i * 0x9E3779B97F4A7C15) >> 1
 * where splitmix64(z) = z ^= z >> 30; z *= 0xBF58476D1CE4E5B9; z ^= z >> 27;
 *                       z *= 0x94D049BB133111EB; z ^= z >> 31
 * in unsigned 64-bit arithmetic (mod 2^64): the i-th output of Steele, Lea and Flood's
 * SplitMix64 generator started at run_seed, shifted right by one bit so that every seed is
 * at most 2^63 - 1 and can be given back to --seed. */
uint64_t replicate_seed(uint64_t run_seed, size_t index);

typedef struct {
    uint64_t seed;       /* the run's seed: replication 0's */
    size_t replications; /* N: indices 0 .. N-1, 1 <= N <= REPLICATE_MAX_REPLICATIONS */
    unsigned jobs;       /* worker threads, 1 .. REPLICATE_MAX_JOBS */
    size_t rank, ranks;  /* run only the indices i with i % ranks == rank (0 <= rank < ranks);
                            a single process: rank 0 of 1 */
} replicate_options;

/* What the callback tells the run to do next. */
typedef enum {
    REPLICATE_CONTINUE = 0, /* hand over the next index */
    REPLICATE_STOP = 1,     /* no more: replicate_run returns 0 once the workers are done
                               (results of higher indices already computed are discarded) */
    REPLICATE_ABORT = -1    /* a failure: replicate_run returns -1 with the callback's message
                               (written into err) */
} replicate_next;

/* Called on the thread that called replicate_run, once per index of the run's subset in
 * increasing order, with the replication's seed and its results after checks_evaluate.
 * *r stays the run's and is freed after the call, unless the callback takes it by setting
 * *r to NULL (then it must results_free it), e.g. to keep replication 0 for the detailed
 * reports. err/errlen: where to say why when returning REPLICATE_ABORT. */
typedef replicate_next (*replicate_fn)(void *ctx, size_t index, uint64_t seed, results **r,
                                       char *err, size_t errlen);

/* Run the replications of sc selected by opt, calling `fold` in index order. Returns 0 when
 * every selected replication was handed over or the callback stopped the run, or -1 with the
 * reason in err: invalid options, a replication that failed ("replication 12 (seed ...):
 * <engine's message>"), out of memory, a thread that could not be started, or the callback's
 * REPLICATE_ABORT. Any results not taken by the callback are freed; no thread outlives the
 * call. sc is only read, by every worker at once. */
int replicate_run(const scenario *sc, const replicate_options *opt, replicate_fn fold, void *ctx,
                  char *err, size_t errlen);

/* The default number of jobs: the processors online (at least 1, at most REPLICATE_MAX_JOBS). */
unsigned replicate_default_jobs(void);

#endif
