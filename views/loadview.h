/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * loadview — a run's serving measurements arranged for reading: the deployments with a
 * serving model in the order of results.deployments (so each keeps its colour in every
 * plot), each with its load over the run and its worst windows, and each bin's measurements
 * by deployment.
 *
 * A run's averages hide an overload: two minutes at 100% in a 40-minute run average out to
 * a calm figure. So every report shows, beside the run's figures, the window of peak
 * utilization and the window of worst p99 latency, and when they were. The summary, the
 * reports, the CSV and the plots all read loads through this view, so they agree on every
 * number and phrase them alike.
 */
#ifndef ROUTERSIM_LOADVIEW_H
#define ROUTERSIM_LOADVIEW_H

#include "sim/model/results.h"

#include <stddef.h>

typedef struct {
    size_t deployment;                    /* index into results.deployments */
    const results_load *run;              /* over the whole run */
    const results_deployment_load *whole; /* run's owner: with the serving model and balancer */
    const results_load_point *peak;       /* first window of the highest utilization, or NULL */
    const results_load_point *worst_p99;  /* first window of the highest p99, or NULL when no
                                             request started service */
    const results_load_point *worst_ttft; /* first window of the highest TTFT p99, or NULL
                                             when no first token was measured */
    double peak_kv; /* the highest KV-cache occupancy of any window (a fraction) */
} loadview_deployment;

typedef struct {
    const results *r;
    size_t n; /* deployments with a serving model; 0: nothing about capacity to show */
    loadview_deployment *deps;
    const results_load_point **points; /* [bin * n + k]; NULL where deployment k had none */
} loadview;

/* Returns 0, or -1 when out of memory (free v either way). */
int loadview_init(loadview *v, const results *r);
void loadview_free(loadview *v);

/* Deployment k's measurements in the bin, or NULL when it had none (did not exist). */
const results_load_point *loadview_point(const loadview *v, size_t bin, size_t k);

/* Did any request start service (so latencies and waits are defined)? */
int loadview_served(const results_load *l);

/* Requests rejected or timed out in the bin, summed over deployments. */
uint64_t loadview_lost(const loadview *v, size_t bin);

/* The columns of a deployment's capacity table row, after its name. */
typedef enum {
    LOADVIEW_UTILIZATION, /* "71.7%" */
    LOADVIEW_PEAK,        /* "100.0% in [20m, 20m30s)" */
    LOADVIEW_P50,         /* "233ms"; "n/a" when no request started service */
    LOADVIEW_P90,
    LOADVIEW_P99,
    LOADVIEW_WORST_P99, /* "7.24s in [21m, 21m30s)" */
    LOADVIEW_MEAN_WAIT,
    LOADVIEW_MAX_QUEUE,
    LOADVIEW_COMPLETED, /* "123,909" */
    LOADVIEW_REJECTED,
    LOADVIEW_TIMED_OUT,
    LOADVIEW_THROUGHPUT, /* "51.6/s" */
    LOADVIEW_UNFINISHED, /* waiting or in service at the end of the run */
    LOADVIEW_CALLER_P99, /* p99 latency as callers saw it (timed-out callers' waits too) */
    LOADVIEW_N_COLUMNS
} loadview_column;

/* The column's heading: "Utilization", "Peak utilization (window)", ...; latency columns
 * say whose latency they are: "Served p99" (requests that started service), "Callers' p99"
 * (served requests and callers who gave up waiting). */
const char *loadview_heading(loadview_column col);

/* Deployment k's cell in the column. */
void loadview_cell(char *buf, size_t size, const loadview *v, size_t k, loadview_column col);

/* A load's utilization ("71.7%") and p99 latency ("6.68s", "n/a"): a phase's cells. */
void loadview_utilization_text(char *buf, size_t size, const results_load *l);
void loadview_p99_text(char *buf, size_t size, const results_load *l);

/* What a capacity section says before its table: what the figures mean. */
void loadview_intro(char *buf, size_t size, const loadview *v);

/* The short plain-text table the summary and the CI log show: its title, "Capacity
 * (deployments with a serving model; peak and worst of the 30s windows)". */
void loadview_text_title(char *buf, size_t size, const loadview *v);

/* The short plain-text table's lines (utilization, peak, served p99, worst served p99,
 * callers' p99, rejected, timed out): its heading line and deployment k's line, each without a line
 * break, every line starting with `indent`. */
void loadview_text_heading(char *buf, size_t size, const char *indent);
void loadview_text_row(char *buf, size_t size, const loadview *v, size_t k, const char *indent);

/* ---- tokens ----------------------------------------------------------------------------
 * Deployments whose requests carry sizes get a second table: TTFT and TPOT, tokens per
 * second, batch size and KV cache. It is shown when some deployment ran batching
 * iterations; it lists every deployment with a serving model, so a queue deployment (TTFT
 * = its latency, no TPOT) reads beside a batching one. */

/* Did some deployment run batching iterations (so the token table has something to say)? */
int loadview_has_tokens(const loadview *v);

typedef enum {
    LOADVIEW_SERVING,             /* "batching, round_robin": the model and its balancer */
    LOADVIEW_TTFT_P50,            /* "180ms"; "n/a" without first tokens */
    LOADVIEW_TTFT_P99,            /* "1.2s" */
    LOADVIEW_WORST_TTFT_P99,      /* "3.4s in [12m, 12m30s)" */
    LOADVIEW_TPOT_P50,            /* "21ms"; "n/a" for a queue deployment */
    LOADVIEW_TPOT_P99,            /* "45ms" */
    LOADVIEW_OUTPUT_TOKENS_PER_S, /* "3,120/s" */
    LOADVIEW_PROMPT_TOKENS_PER_S, /* "15,400/s" */
    LOADVIEW_MEAN_BATCH,          /* "23.4" requests per iteration */
    LOADVIEW_MEAN_KV,             /* "41.0%" */
    LOADVIEW_PEAK_KV,             /* "88.2%", the highest window */
    LOADVIEW_N_TOKEN_COLUMNS
} loadview_token_column;

/* "Serving model", "TTFT p50", "TTFT p99", "Worst TTFT p99 (window)", "TPOT p50", "TPOT p99",
 * "Output tokens/s", "Prompt tokens/s", "Mean batch", "Mean KV cache", "Peak KV cache" (of any
 * window) */
const char *loadview_token_heading(loadview_token_column col);
void loadview_token_cell(char *buf, size_t size, const loadview *v, size_t k,
                         loadview_token_column col);
/* What the token table's figures mean. */
void loadview_token_intro(char *buf, size_t size, const loadview *v);
/* The plain-text form: title "Tokens (...)", heading and deployment k's row (TTFT p99, worst
 * TTFT p99, TPOT p99, output tokens/s, mean batch, peak KV cache). */
void loadview_token_text_title(char *buf, size_t size, const loadview *v);
void loadview_token_text_heading(char *buf, size_t size, const char *indent);
void loadview_token_text_row(char *buf, size_t size, const loadview *v, size_t k,
                             const char *indent);

#endif
