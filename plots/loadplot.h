/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * loadplot — the capacity plots, for runs in which some deployment has a serving model: per
 * window of the time series, one line per such deployment in its colour,
 *   utilization  the busy share of its ready replicas' slots, 0-100%, under "all slots busy";
 *   latency      p99 (solid) and p50 (dashed), queue wait + service, on a log scale;
 *   queue        requests waiting: the window's mean (solid) and the most at once (dashed);
 * and, when some deployment batches (continuous batching, tokens):
 *   ttft, tpot   time to first token and time per output token, p99 and p50, log scale;
 *   tokens       output tokens/s (solid) and prompt tokens/s (dashed);
 *   batch        requests per iteration;
 *   kv_cache     KV-cache occupancy, the window's mean and highest, under "KV cache full".
 * A queue deployment appears in these too (its TTFT is its latency; it has no TPOT, batch or
 * KV cache), so both models read side by side. Windows in which requests were rejected or
 * timed out are shaded in every plot, so an
 * overload reads at a glance: a shaded stretch where utilization hits the top, latency leaps
 * and the queue fills. A line breaks where its deployment did not exist or had no ready
 * replica, and (latency) where no request started service.
 */
#ifndef ROUTERSIM_LOADPLOT_H
#define ROUTERSIM_LOADPLOT_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"
#include "views/loadview.h"
#include "sim/stats/replicas.h"

typedef enum {
    LOADPLOT_UTILIZATION,
    LOADPLOT_LATENCY,
    LOADPLOT_QUEUE,
    /* Token plots, for runs with a batching deployment: */
    LOADPLOT_TTFT,   /* TTFT p99 (solid) and p50 (dashed), log scale */
    LOADPLOT_TPOT,   /* TPOT p99 (solid) and p50 (dashed), log scale */
    LOADPLOT_TOKENS, /* output tokens/s (solid) and prompt tokens/s (dashed) */
    LOADPLOT_BATCH,  /* mean batch size: requests per iteration */
    LOADPLOT_KV,     /* KV-cache occupancy: the window's mean (solid) and highest (dashed) */
    LOADPLOT_N
} loadplot_kind;

/* With the summary of a replicated run (else NULL), utilization and latency draw each
 * deployment's band across replications (band.h; for latency, of its p99) instead of one
 * replication's lines, and no shading; the queue plot stays the loadview's. */
typedef struct {
    const loadview *v;
    loadplot_kind kind;
    const replicas_summary *rep;
} loadplot;

/* "Utilization per deployment", ... */
const char *loadplot_title(loadplot_kind kind);

/* Whether the plot draws bands across replications: utilization and latency of a replicated
 * run. */
int loadplot_has_band(const loadplot *lp);

/* What a plot shows, its title: loadplot_title, or for bands "Utilization per deployment,
 * across 20 replications". */
void loadplot_what(char *buf, size_t size, const loadplot *lp);

/* The files' stem: "utilization", "latency", "queue", "ttft", "tpot", "tokens", "batch",
 * "kv_cache". */
const char *loadplot_stem(loadplot_kind kind);

/* The plot's script (a canvas_script); arg is a loadplot. */
void loadplot_script(gnuplot *g, const canvas *c, const void *arg);

#endif
