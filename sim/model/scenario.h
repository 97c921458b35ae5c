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
    scenario_mark mark;
} scenario_traffic;

/* The serving model of a deployment, by id (from its entry or the top-level `serving`). */
typedef struct {
    world_id deployment;
    serving_spec spec;
    scenario_mark mark;
} scenario_serving;

typedef enum {
    SCENARIO_MAX_UTILIZATION,
    SCENARIO_MAX_P99_LATENCY,
    SCENARIO_MAX_REJECTED,
    SCENARIO_MAX_TIMED_OUT
} scenario_capacity_kind;

/* A capacity check: a limit on every window of the time series in [start_s, end_s) that
 * a deployment (or, with an empty id, every deployment with a serving model) must hold. */
typedef struct {
    scenario_capacity_kind kind;
    double limit;
    world_id deployment;
    double start_s, end_s;
    scenario_mark mark;
} scenario_capacity;

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

typedef struct {
    char *path;
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

    double alpha;
    int holm; /* checks.correction: holm — phase tests corrected for their number */
    size_t n_expect;
    scenario_expect *expect;
    long long max_failed; /* -1 when not set */
    size_t n_capacity;
    scenario_capacity *capacity;
} scenario;

#define SCENARIO_DEFAULT_ALPHA 0.001
#define SCENARIO_DEFAULT_TOLERANCE 0.01
#define SCENARIO_DEFAULT_SEED 1
#define SCENARIO_MAX_EXPECTED_REQUESTS 1e10 /* sum of rate x duration over the traffic */

void scenario_free(scenario *sc);

/* Expected number of arrivals: the integral of each shape's rate, plus traces' arrivals. */
double scenario_expected_requests(const scenario *sc);

/* The serving model of a deployment, or NULL (infinite capacity). */
const serving_spec *scenario_serving_of(const scenario *sc, const char *deployment);

#endif
