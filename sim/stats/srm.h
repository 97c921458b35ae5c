/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * srm — sample-ratio-mismatch analysis of observed counts (`routersim srm`): the user's own
 * requests per router, deployment and interval (countscsv) split into phases and tested as
 * `run` tests simulated ones, plus what continuous monitoring and planning need.
 *
 * A phase of a router is a run of consecutive intervals in which its deployments and their
 * expected weights stay the same. Expected weights come from the file's replicas or share
 * column, or, for every router alike, from shares the caller gives (--expected): then every
 * deployment must be one of them and a deployment without a row has 0 requests; or from a
 * simulated run of a scenario (--scenario): the replicas of the router's phase at each
 * interval's time, a deployment not behind the router then having share 0. Per phase:
 *   - the fixed-horizon chi-square test of its total counts (splittest, same rules as `run`);
 *   - the anytime-valid sequential test (seqtest), looked at after every interval: its
 *     p-value after each look, and the first interval at whose end it reached alpha;
 *   - its plan (srmpower): the power of its test against the detectable deviation, the
 *     requests needed for the target power and, at the phase's request rate, the time.
 * A phase fails when either test rejects: a correct router fails a phase with probability
 * at most 2 alpha (each test holds alpha however the counts were looked at for the
 * sequential one, at the end for the fixed one).
 */
#ifndef ROUTERSIM_SRM_H
#define ROUTERSIM_SRM_H

#include "sim/base/seqtest.h"
#include "sim/base/splittest.h"
#include "sim/base/srmpower.h"
#include "sim/load/countscsv.h"
#include "sim/model/results.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    double alpha;                 /* default 0.001 */
    double concentration;         /* the sequential test's c, default 100 */
    srmpower_deviation deviation; /* default SRMPOWER_DEFAULT_DEVIATION */
    double target_power;          /* default 0.8 */
    /* expected shares for every router, or n_expected 0 to use the file's column */
    size_t n_expected;
    const char *const *expected_names;
    const double *expected_shares;
    /* or a simulated run of the scenario the counts should follow (NULL: not used): each
     * interval expects the replicas of the run's phase of its router at its `time`
     * (seconds from the scenario's start); routers and deployments match by short name */
    const results *run;
} srm_options;

#define SRM_DEFAULT_OPTIONS                                                                        \
    ((srm_options){.alpha = 0.001,                                                                 \
                   .concentration = SEQTEST_DEFAULT_CONCENTRATION,                                 \
                   .deviation = SRMPOWER_DEFAULT_DEVIATION,                                        \
                   .target_power = 0.8})

typedef struct {
    double time_s;     /* the interval looked at after */
    uint64_t requests; /* in the phase up to and including it */
    double p_value;    /* sequential p-value after it */
} srm_look;

typedef struct {
    char *name;
    double weight;         /* replicas or share as given */
    double expected_share; /* weight / sum of weights */
    uint64_t observed;
} srm_share;

typedef struct {
    char *router;
    double start_s, end_s; /* `time` of its first interval, and of the one after its last
                              (its last plus the router's interval length) */
    unsigned first_line;   /* where it starts in the file */
    uint64_t requests;
    size_t n_deployments;
    srm_share *deployments;
    splittest_result test; /* fixed horizon */
    double sequential_p;   /* running minimum at the phase's end */
    int crossed;           /* the sequential p-value reached alpha */
    double crossed_at_s;   /* `time` of the interval at whose end it did */
    size_t n_looks;
    srm_look *looks;
    srmpower_phase power; /* over end_s - start_s; plan.df 0: nothing to plan */
    int passed;
} srm_phase;

typedef struct {
    char *source;
    srm_options options; /* as used; expected_* point into the caller's arrays */
    uint64_t requests;
    size_t n_phases;
    srm_phase *phases;
    int passed;
} srm_result;

/* NULL with "FILE:LINE:COL: ..." or a plain message in err. */
srm_result *srm_analyse(const countscsv *c, const srm_options *o, char *err, size_t errlen);
void srm_result_free(srm_result *r);

/* "a=0.8,b=0.2" into names (pointing into text, modified in place) and shares, at most max.
 * Returns how many, or -1 with a message. Shares must each be in [0, 1] and sum to 1 within
 * 0.001. */
int srm_parse_expected(char *text, const char **names, double *shares, size_t max, char *err,
                       size_t errlen);

#endif
