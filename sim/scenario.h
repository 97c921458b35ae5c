/*
 * scenario — a scenario file loaded, checked and ready to simulate.
 *
 * The loader reads the YAML (ydoc), checks every key against the format (unknown keys are
 * errors: a typo must not be silently ignored), turns deployments, routers and timeline
 * lines into world commands, and then plays those commands against a scratch world in time
 * order, so a command that is invalid at its time (updating a router deleted earlier) is
 * refused before anything is simulated. Every error reads "FILE:LINE:COL: what was
 * expected". A loaded scenario is immutable; runs only read it.
 */
#ifndef ROUTERSIM_SCENARIO_H
#define ROUTERSIM_SCENARIO_H

#include "sim/world.h"

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

typedef struct {
    world_id router;
    char caller[UNITS_ID_MAX + 1]; /* the calling account */
    double rate_per_s;
    scenario_mark mark;
} scenario_traffic;

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

    double alpha;
    size_t n_expect;
    scenario_expect *expect;
    long long max_failed; /* -1 when not set */
} scenario;

#define SCENARIO_DEFAULT_ALPHA 0.001
#define SCENARIO_DEFAULT_TOLERANCE 0.01
#define SCENARIO_DEFAULT_SEED 1
#define SCENARIO_MAX_EXPECTED_REQUESTS 1e10 /* sum of rate x duration over the traffic */

/* Load and check a scenario. NULL on error with "FILE:LINE:COL: ..." in err. */
scenario *scenario_load(const char *path, char *err, size_t errlen);
void scenario_free(scenario *sc);

/* Expected number of arrivals: sum of rate x duration. */
double scenario_expected_requests(const scenario *sc);

#endif
