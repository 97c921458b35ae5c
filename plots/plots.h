/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plots — the pictures of a run, drawn by gnuplot, each as a PNG and an SVG in the output
 * folder:
 *   split-<router>  per router, the share of its requests each deployment received over time
 *                   (stacked areas), the share its replica count promised (dashed steps),
 *                   phase boundaries and timeline events;
 *   sequential-<router>
 *                   per router, the anytime-valid sequential p-value of each phase over
 *                   time (seqplot.h), alpha dashed, the look where it first reached alpha
 *                   marked with its time; drawn for routers with a phase of two or more
 *                   deployments (a lone deployment has nothing to compare);
 *   replicas        replicas per deployment over time: ready (the router's weight), and for
 *                   deployments with a serving model the replicas wanted, dashed, where
 *                   they differ (cold starts);
 *   requests        the request rate and failed requests by reason over time;
 *   utilization, latency, queue
 *                   when some deployment has a serving model: its utilization, p50 and p99
 *                   latency, and requests waiting per window (see loadplot.h);
 *   ttft, tpot, tokens, batch, kv_cache
 *                   when some deployment batches: time to first token, time per output
 *                   token, tokens per second, batch size and KV-cache occupancy per window.
 * For a replicated run the split, utilization and latency plots draw, per deployment, the
 * band of the figure across replications (5-95 % and the median per window) instead of
 * replication 0's; the other plots are replication 0's.
 * People look at these before they read tables: a wrong step in a runbook shows as an area
 * leaving its dashed line. Plots read the results only; which reports show them is not their
 * concern.
 */
#ifndef ROUTERSIM_PLOTS_H
#define ROUTERSIM_PLOTS_H

#include "sim/model/results.h"
#include "sim/stats/replicas.h"
#include "views/series.h"

#include <stddef.h>

#define PLOTS_WIDTH 1280 /* default size in pixels */
#define PLOTS_HEIGHT 640

typedef enum {
    PLOTS_SPLIT,
    PLOTS_SEQUENTIAL,
    PLOTS_REPLICAS,
    PLOTS_REQUESTS,
    PLOTS_UTILIZATION,
    PLOTS_LATENCY,
    PLOTS_QUEUE,
    PLOTS_TTFT, /* the token plots, when some deployment batches: TTFT, TPOT, */
    PLOTS_TPOT,
    PLOTS_TOKENS, /* tokens per second, */
    PLOTS_BATCH,  /* batch size */
    PLOTS_KV      /* and KV-cache occupancy */
} plots_kind;

typedef struct {
    plots_kind kind;
    long router;     /* a split or sequential plot's router (index into results.routers),
                        else -1 */
    char stem[128];  /* the files are stem.png and stem.svg */
    char title[192]; /* what the plot shows, for captions */
} plots_plot;

typedef enum {
    PLOTS_NOT_REQUESTED, /* --no-plots */
    PLOTS_DRAWN,         /* gnuplot ran; `plots` holds those drawn, `failed` counts the others */
    PLOTS_NO_GNUPLOT     /* gnuplot is not installed */
} plots_status;

typedef struct {
    plots_status status;
    size_t n, failed;
    plots_plot *plots;
} plots_set;

/* Draw every plot of r into dir (which exists), up to `jobs` gnuplot processes at once (0:
 * one per core). With rep, the summary of a replicated run whose replication 0 is r (else
 * NULL), the split, utilization and latency plots show bands across replications (band.h). Returns
 * 0 with the set filled (free it with plots_set_free), or -1 with the reason in err when a file
 * could not be written. A plot gnuplot could not draw, or gnuplot missing (said once), goes to
 * `warn` (may be NULL) and does not fail the call. The set, the files and the warnings, in their
 * order, are the same whatever `jobs` is. Under bounded detail the split and sequential plots
 * are drawn for the routers whose series are shown (series.h). */
int plots_draw(const char *dir, const results *r, const replicas_summary *rep, series_detail detail,
               int width, int height, size_t jobs, plots_set *set,
               void (*warn)(const char *message), char *err, size_t errlen);

void plots_set_free(plots_set *set);

/* What a report says when plots are missing, or NULL when every plot was drawn. */
const char *plots_missing_note(const plots_set *set);

/* "split", "sequential", "replicas", "requests", "utilization", "latency", "queue", "ttft",
 * "tpot", "tokens", "batch", "kv_cache" */
const char *plots_kind_name(plots_kind kind);

#endif
