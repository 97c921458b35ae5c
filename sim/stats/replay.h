/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay — does the calibrated model explain a recorded change? The scenario holds the model
 * and, in its timeline, the firectl steps that were run; the metrics export (metricscsv.h) is
 * what the fleet measured meanwhile. The scenario is run as N replications (replicate.h) and
 * each recorded window is compared, figure by figure, with what the replications gave in the
 * same window.
 *
 * Windows line up by time: the export's first time is the scenario's time 0 and its windows
 * must have the scenario's `window` length. Figures compared, where the export has them:
 * the deployment's share of the window's requests (the split; only without a router column
 * and with two or more deployments in the window), utilisation, ready replicas and the p50,
 * p90 and p99 latency.
 *
 * The rule. A window's observed figure is "outside" when it is below the smallest or above
 * the largest of the replications' values in that window (by more than 1e-6 of them, since
 * an export rounds its figures). If the model is right, the
 * observed value and the N replications are exchangeable draws, so (for continuous figures)
 * the chance that it is the smallest or the largest of the N + 1 is exactly 2 / (N + 1); ties
 * only make outside rarer. Over the W judged windows of a figure the number outside is then at
 * most Binomial(W, 2 / (N + 1)) if windows are independent, and the figure is "explained"
 * when that count does not exceed the Binomial quantile at 1 - alpha / F (F the figures
 * judged: Bonferroni). The recording is explained when every figure is, with a false-alarm
 * rate of at most alpha for independent windows. Neighbouring windows of a real queue are
 * positively correlated, which makes the count more variable and the real false-alarm rate
 * higher than alpha; use windows at least as long as the queue's relaxation time.
 *
 * Error: the mean absolute percentage error of the replications' median against the observed
 * figure, over judged windows where the observed figure is not 0.
 *
 * Memory: windows x figures x replications values, never the requests.
 */
#ifndef ROUTERSIM_REPLAY_H
#define ROUTERSIM_REPLAY_H

#include "sim/load/metricscsv.h"
#include "sim/model/scenario.h"

#include <stddef.h>
#include <stdint.h>

typedef enum {
    REPLAY_SHARE,
    REPLAY_UTILIZATION,
    REPLAY_READY,
    REPLAY_P50,
    REPLAY_P90,
    REPLAY_P99,
    REPLAY_N_FIGURES
} replay_figure;

/* "share", "utilization", "ready", "p50", "p90", "p99" */
const char *replay_figure_name(replay_figure f);

typedef struct {
    uint64_t seed;
    size_t replications; /* N >= 2 */
    unsigned jobs;
    double alpha; /* the false-alarm rate of the verdict, in (0, 1) */
} replay_options;

/* One recorded window of one deployment. */
typedef struct {
    double time_s;       /* the export's time */
    double sim_s;        /* the scenario's time of the window's start */
    uint32_t deployment; /* index in replay_result.deployments */
    uint32_t line;       /* the row's line in the export */
    double observed[REPLAY_N_FIGURES];
    double low[REPLAY_N_FIGURES], median[REPLAY_N_FIGURES], high[REPLAY_N_FIGURES];
    size_t n[REPLAY_N_FIGURES];    /* replications with a value */
    int outside[REPLAY_N_FIGURES]; /* -1 not judged, 0 inside, 1 outside */
} replay_window;

typedef struct {
    int compared;  /* the export has the figure */
    size_t judged; /* windows with an observed value and every replication's value */
    size_t outside;
    size_t allowed; /* the most outside windows the rule accepts */
    double p_value; /* P(Binomial(judged, rate) >= outside) */
    double mape;    /* in percent; NaN with no window to take it over */
    size_t mape_n;
    int explained;
} replay_figure_summary;

typedef struct {
    char *scenario, *metrics;
    size_t n_deployments;
    char **deployments; /* the export's names */
    size_t n_windows;
    replay_window *windows;
    replay_figure_summary figures[REPLAY_N_FIGURES];
    size_t replications;
    uint64_t seed;
    double alpha;
    double rate; /* 2 / (N + 1): a window's chance of being outside when the model is right */
    int explained;
} replay_result;

/* Replay the recording m through sc. NULL with the reason in err; *invalid is 1 when the
 * reason is the input (windows that do not line up, a deployment the scenario never has,
 * a time past the scenario's end), 0 when the runs failed. */
replay_result *replay_run(const scenario *sc, const metricscsv *m, const replay_options *opt,
                          int *invalid, char *err, size_t errlen);
void replay_result_free(replay_result *r);

#endif
