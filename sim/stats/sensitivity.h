/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sensitivity — which uncertain parameter can flip which verdict, and at what value.
 *
 * Replications (replicate.h) measure the simulation's noise around parameters the user wrote
 * down; they say nothing about those parameters being wrong. This module varies each uncertain
 * parameter (scenario_uncertain: a --set key and an interval) one at a time, the others at the
 * scenario's own values, over `points` evenly spaced values from low to high, and optionally
 * every corner of the intervals at once. Each value is a replicated run of the scenario with
 * that one override, always from the same run seed, so every point sees the same arrivals and
 * service draws (common random numbers): a change of verdict between two points is caused by
 * the parameter, not by different luck.
 *
 * A check's verdict at a point is the replication rule (replicas_decide) applied to that
 * check's own passes; the run's verdict ("the run", check index 0) to the runs' passes. Where
 * two neighbouring points disagree, the flip is located by bisection between them, each step
 * a replicated run, until the bracket is narrower than 1/1000 of the interval or `bisections`
 * steps are done; the flip value reported is the bracket's middle. Flips are searched between
 * sweep points only: a verdict that flips and flips back between two points is not seen.
 *
 * Cost: replications x (1 + parameters x (points + bisections per flip) [+ 2^parameters
 * corners]) runs. Memory: one run's results per worker (replicate.h) plus the figures per
 * point, never the requests.
 */
#ifndef ROUTERSIM_SENSITIVITY_H
#define ROUTERSIM_SENSITIVITY_H

#include "sim/model/scenario.h"
#include "sim/stats/replicas.h"

#include <stddef.h>
#include <stdint.h>

#define SENSITIVITY_MAX_PARAMS 64
#define SENSITIVITY_MAX_POINTS 101
#define SENSITIVITY_MAX_CORNER_PARAMS 6 /* corners only up to 2^6 = 64 runs */
#define SENSITIVITY_MAX_FLIPS 8         /* per parameter and check, in order of value */

typedef struct {
    const char *path;        /* the scenario file */
    const char *const *sets; /* --set overrides applied first, at every point */
    size_t n_sets;
    const scenario_uncertain *params; /* what to vary (line 0: from the command line) */
    size_t n_params;
    size_t points;       /* 2 .. SENSITIVITY_MAX_POINTS: values per parameter, ends included */
    size_t bisections;   /* the most bisection steps per flip, 0 .. 30 */
    int corners;         /* also run every corner (n_params <= SENSITIVITY_MAX_CORNER_PARAMS) */
    uint64_t seed;       /* the run seed of every point */
    size_t replications; /* per point */
    unsigned jobs;
    replicas_rule rule; /* sequential is ignored: every point runs all its replications */
} sensitivity_options;

/* One check at one value: how its replications went. */
typedef struct {
    int present; /* the run had the check */
    int pass;    /* the rule on its passes */
    size_t passes, n;
    double mean; /* its value's mean over replications that judged it; NaN if none */
    double limit;
} sensitivity_outcome;

/* A value where a check's verdict changes: below it (towards low) the verdict is
 * pass_below, above it the other one. */
typedef struct {
    double at;
    double bracket_low, bracket_high; /* the last bisection bracket */
    int pass_below;
} sensitivity_flip;

/* One parameter against one check. */
typedef struct {
    sensitivity_outcome *sweep; /* per point */
    size_t n_flips;
    sensitivity_flip flips[SENSITIVITY_MAX_FLIPS];
    int more_flips;            /* more than SENSITIVITY_MAX_FLIPS were found */
    double min_mean, max_mean; /* the check's mean value over the sweep (NaN if none) */
    int differs;               /* some point's verdict differs from the nominal verdict */
} sensitivity_cell;

typedef struct {
    char *name;       /* "the run" for index 0, else results_check.name */
    char *key;        /* "run", or the check's scenario key */
    const char *unit; /* static; "" for the run */
    sensitivity_outcome nominal;
} sensitivity_check;

typedef struct {
    size_t n_params, n_checks, points;
    scenario_uncertain *params; /* copies */
    double *values;             /* n_params x points: the values tried */
    sensitivity_check *checks;
    sensitivity_cell *cells;      /* n_params x n_checks, parameter-major */
    size_t n_corners;             /* 0, or 2^n_params */
    sensitivity_outcome *corners; /* n_corners x n_checks; corner bit j set: param j high */
    size_t runs;                  /* replicated runs made, nominal included */
    size_t replications;
    uint64_t seed;
    replicas_rule rule;
    char *scenario; /* its name */
} sensitivity_result;

/* Run the analysis. NULL with the reason in err: "FILE:LINE:COL: uncertainty KEY: ..." when
 * an uncertain parameter cannot be applied at its low or high value (checked before anything
 * is simulated), a run that failed, out of memory. *invalid is set to 1 when the reason is
 * the scenario or a parameter (exit 2), 0 when the runs failed (exit 3). */
sensitivity_result *sensitivity_run(const sensitivity_options *opt, int *invalid, char *err,
                                    size_t errlen);
void sensitivity_result_free(sensitivity_result *r);

const sensitivity_cell *sensitivity_cell_of(const sensitivity_result *r, size_t param,
                                            size_t check);

/* 1 when no parameter moved anywhere in its interval (and no corner) changes any verdict. */
int sensitivity_holds(const sensitivity_result *r);

#endif
