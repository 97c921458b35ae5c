/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * migplan — `routersim plan migration`: the runbook that moves a router's traffic from one
 * deployment to another through the shares asked for, searched (migsteps) from what the
 * scenario says and then judged as a scenario over replications (planeval).
 *
 * From the scenario: the router's peak and lowest request rate (its traffic entries), each
 * deployment's capacity (serving model: concurrency and mean service time), the strictest
 * max_utilization check (0.8, the autoscaler's default target, without one), the cold starts,
 * checks.power for how long each split must hold (at least MIGPLAN_MIN_REQUESTS requests),
 * and its window as the grid of step instants. The ready replicas a set of deployments needs
 * is the analytic bound ceil(peak rate x mean service time / (concurrency x utilisation)),
 * the largest over the deployments the router routes to (each ready replica gets the same
 * share of the load). The plan starts at the first instant of the grid at or after
 * checks.warmup (at least one window in), A's queue gets drain = its timeout + 20 mean service
 * times once it leaves the router.
 *
 * The planned scenario is the user's file with the plan as its timeline (and a duration
 * covering it plus MIGPLAN_TAIL windows). It is judged over replications; if it is shown to
 * fail, every bound on ready replicas is raised by one and the search runs again, until a plan
 * passes or no plan fits within the replica bound. A verdict still undecided at the cap of
 * replications ends the search: more replicas would not decide it, more replications would.
 */
#ifndef ROUTERSIM_MIGPLAN_H
#define ROUTERSIM_MIGPLAN_H

#include "sim/base/units.h"
#include "sim/model/scenario.h"
#include "sim/plan/migsteps.h"
#include "sim/plan/planeval.h"

#include <stddef.h>

/* The fewest requests a split holds for, when the power calculation asks for fewer. */
#define MIGPLAN_MIN_REQUESTS 1000
/* Windows the planned scenario runs after the old deployment is deleted. */
#define MIGPLAN_TAIL 4
/* The most searches (each judged over replications) before giving up. */
#define MIGPLAN_MAX_ATTEMPTS 8

typedef struct {
    const char *path;
    const char *router, *from, *to; /* short ids */
    size_t n_steps;
    double shares[MIGSTEPS_MAX_STEPS]; /* fractions, increasing, the last 1 */
    long max_replicas;                 /* 0: twice the replicas the old deployment has, or
                                          twice what the load needs when that is more */
    migsteps_objective objective;
    planeval_options eval;
} migplan_options;

typedef struct {
    scenario *sc; /* the user's */
    migsteps_input in;
    migsteps_names names;
    char model[UNITS_NAME_MAX], region[32];
    double rate_peak, rate_low, utilization, start_s, end_s;
    long margin; /* ready replicas added to the analytic bounds */
    migsteps_plan plan;
    migsteps_event *events;
    size_t n_events;
    char **sets; /* the overrides giving the planned scenario */
    size_t n_sets;
    scenario *planned;
    planeval_result *verdict;
    size_t attempts;
    int holds;
    char reason[1024]; /* why no plan holds */
} migplan_result;

/* The user's scenario as the plan reads it (B may be described only by its serving model);
 * NULL with the loader's message. */
scenario *migplan_load(const migplan_options *o, char *err, size_t errlen);

/* The plan. Returns 0 (a plan holds), 1 (none holds within the bounds: result->reason), 2
 * (invalid input: err), 3 (a run failed: err); *out is set for 0 and 1 (migplan_free). */
int migplan_run(const migplan_options *o, migplan_result **out, char *err, size_t errlen);
void migplan_free(migplan_result *r);

/* "10,50,100" into shares; 0 or -1 with the reason. */
int migplan_parse_steps(const char *text, double *shares, size_t *n, char *err, size_t errlen);

#endif
