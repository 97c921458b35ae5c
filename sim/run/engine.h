/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine — runs a scenario: a simulated clock, an event queue, one Poisson arrival process
 * per traffic entry, the timeline applied at its instants, and every request routed by the
 * router's selector and counted on the spot.
 *
 * Counting happens as requests arrive, into per-phase, per-bin and per-check counters, so
 * memory depends on phases, bins and deployments, never on the number of requests.
 * Randomness is GSL taus2 streams seeded from the run's seed: the same scenario and seed
 * give the same results, bit for bit. One stream draws everything except the arrivals of
 * pooled traffic (16 or more constant-rate entries, superposed into one process): those
 * come from a second stream of their own, so they can be drawn ahead on another thread
 * (arrivalfeed.h) and are the same whether they are or not.
 */
#ifndef ROUTERSIM_ENGINE_H
#define ROUTERSIM_ENGINE_H

#include "sim/model/results.h"
#include "sim/model/scenario.h"

#include <stddef.h>
#include <stdint.h>

/* Called every so often with the simulated time and the requests so far. */
typedef void (*engine_progress_fn)(void *ctx, double sim_s, double duration_s, uint64_t requests);

/* Simulate sc with `seed`. Returns the aggregated results (phases, events, series, windows;
 * checks are evaluated separately), or NULL with the reason in err. */
results *engine_run(const scenario *sc, uint64_t seed, engine_progress_fn progress, void *ctx,
                    char *err, size_t errlen);

/* Where the pooled arrivals are drawn: on a thread of their own when the run expects
 * enough of them and the machine has a second core (AUTO, what engine_run does), always,
 * or never. Only the speed differs: the results are the same, bit for bit. */
typedef enum {
    ENGINE_POOL_THREAD_AUTO,
    ENGINE_POOL_THREAD_ON,
    ENGINE_POOL_THREAD_OFF
} engine_pool_thread;

results *engine_run_pool(const scenario *sc, uint64_t seed, engine_pool_thread pool_thread,
                         engine_progress_fn progress, void *ctx, char *err, size_t errlen);

#endif
