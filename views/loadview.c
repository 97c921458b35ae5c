/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/loadview.h"

#include "views/series.h"
#include "views/text.h"
#include "sim/base/latency.h"
#include "sim/base/serving.h"

#include <stdio.h>
#include <stdlib.h>

/* Sort the deployments by their index in results.deployments (a handful: insertion sort). */
static void sort_deployments(loadview *v)
{
    for (size_t i = 1; i < v->n; i++) {
        loadview_deployment d = v->deps[i];
        size_t j = i;
        for (; j > 0 && v->deps[j - 1].deployment > d.deployment; j--)
            v->deps[j] = v->deps[j - 1];
        v->deps[j] = d;
    }
}

static long position(const loadview *v, size_t deployment)
{
    for (size_t k = 0; k < v->n; k++)
        if (v->deps[k].deployment == deployment)
            return (long)k;
    return -1;
}

/* Keep the first window of the highest utilization and of the highest p99, as far as
 * figures tell apart: utilization to the 0.1% shown, quantiles to their 1% error. */
static void note_worst(loadview_deployment *d, const results_load_point *p)
{
    const results_quantiles *ttft = &p->load.ttft;
    if (ttft->count > 0 && (!d->worst_ttft || ttft->p99_s > d->worst_ttft->load.ttft.p99_s *
                                                                (1.0 + LATENCY_RELATIVE_ERROR)))
        d->worst_ttft = p;
    if (p->load.max_kv > d->peak_kv)
        d->peak_kv = p->load.max_kv;
    if (!d->peak || p->load.utilization > d->peak->load.utilization + 5e-4)
        d->peak = p;
    if (loadview_served(&p->load) &&
        (!d->worst_p99 ||
         p->load.p99_s > d->worst_p99->load.p99_s * (1.0 + LATENCY_RELATIVE_ERROR)))
        d->worst_p99 = p;
}

int loadview_init(loadview *v, const results *r)
{
    *v = (loadview){.r = r, .n = r->n_loads};
    v->deps = calloc(r->n_loads ? r->n_loads : 1, sizeof *v->deps);
    v->points =
        calloc((r->n_bins ? r->n_bins : 1) * (r->n_loads ? r->n_loads : 1), sizeof *v->points);
    if (!v->deps || !v->points)
        return -1;
    for (size_t k = 0; k < v->n; k++)
        v->deps[k] = (loadview_deployment){
            .deployment = r->loads[k].deployment, .run = &r->loads[k].load, .whole = &r->loads[k]};
    sort_deployments(v);
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        long k = position(v, p->deployment);
        if (k < 0 || p->bin >= r->n_bins)
            continue;
        v->points[p->bin * v->n + (size_t)k] = p;
        note_worst(&v->deps[k], p);
    }
    return 0;
}

void loadview_free(loadview *v)
{
    free(v->deps);
    free(v->points);
    v->deps = NULL;
    v->points = NULL;
    v->n = 0;
}

const results_load_point *loadview_point(const loadview *v, size_t bin, size_t k)
{
    return v->points[bin * v->n + k];
}

int loadview_served(const results_load *l)
{
    return l->started > 0;
}

uint64_t loadview_lost(const loadview *v, size_t bin)
{
    uint64_t lost = 0;
    for (size_t k = 0; k < v->n; k++) {
        const results_load_point *p = loadview_point(v, bin, k);
        lost += p ? p->load.rejected + p->load.timed_out : 0;
    }
    return lost;
}

const char *loadview_heading(loadview_column col)
{
    static const char *const headings[LOADVIEW_N_COLUMNS] = {
        "Utilization", "Peak utilization (window)",
        "Served p50",  "Served p90",
        "Served p99",  "Worst served p99 (window)",
        "Mean wait",   "Max queue",
        "Completed",   "Rejected",
        "Timed out",   "Throughput",
        "Unfinished",  "Callers' p99"};
    return headings[col];
}

void loadview_utilization_text(char *buf, size_t size, const results_load *l)
{
    snprintf(buf, size, "%.1f%%", 100.0 * l->utilization);
}

static void latency_text(char *buf, size_t size, const results_load *l, double seconds)
{
    if (loadview_served(l))
        text_latency(buf, size, seconds);
    else
        snprintf(buf, size, "n/a");
}

void loadview_p99_text(char *buf, size_t size, const results_load *l)
{
    latency_text(buf, size, l, l->p99_s);
}

/* "<figure> in [20m, 20m30s)", or "n/a" without a window. */
static void in_window(char *buf, size_t size, const results *r, const results_load_point *p,
                      const char *figure)
{
    char start[32], end[32];
    if (!p) {
        snprintf(buf, size, "n/a");
        return;
    }
    text_duration(start, sizeof start, series_bin_start(r, p->bin));
    text_duration(end, sizeof end, series_bin_end(r, p->bin));
    snprintf(buf, size, "%s in [%s, %s)", figure, start, end);
}

static void worst_cell(char *buf, size_t size, const loadview *v, const loadview_deployment *d,
                       loadview_column col)
{
    char figure[32];
    const results_load_point *p = col == LOADVIEW_PEAK ? d->peak : d->worst_p99;
    if (p && col == LOADVIEW_PEAK)
        loadview_utilization_text(figure, sizeof figure, &p->load);
    else if (p)
        loadview_p99_text(figure, sizeof figure, &p->load);
    in_window(buf, size, v->r, p, figure);
}

/* A count, a latency or a rate of the run's load. */
static void run_cell(char *buf, size_t size, const results_load *l, loadview_column col)
{
    if (col == LOADVIEW_UTILIZATION)
        loadview_utilization_text(buf, size, l);
    else if (col == LOADVIEW_P50 || col == LOADVIEW_P90 || col == LOADVIEW_P99)
        latency_text(buf, size, l,
                     col == LOADVIEW_P50   ? l->p50_s
                     : col == LOADVIEW_P90 ? l->p90_s
                                           : l->p99_s);
    else if (col == LOADVIEW_MEAN_WAIT)
        latency_text(buf, size, l, l->mean_wait_s);
    else if (col == LOADVIEW_MAX_QUEUE)
        text_count(buf, size, (uint64_t)(l->max_waiting > 0 ? l->max_waiting : 0));
    else if (col == LOADVIEW_COMPLETED)
        text_count(buf, size, l->completed);
    else if (col == LOADVIEW_REJECTED)
        text_count(buf, size, l->rejected);
    else if (col == LOADVIEW_TIMED_OUT)
        text_count(buf, size, l->timed_out);
    else if (col == LOADVIEW_UNFINISHED)
        text_count(buf, size, l->unfinished);
    else if (col == LOADVIEW_CALLER_P99 && l->caller.count)
        text_latency(buf, size, l->caller.p99_s);
    else if (col == LOADVIEW_CALLER_P99)
        snprintf(buf, size, "n/a");
    else
        text_rate(buf, size, l->throughput_per_s);
}

void loadview_cell(char *buf, size_t size, const loadview *v, size_t k, loadview_column col)
{
    if (col == LOADVIEW_PEAK || col == LOADVIEW_WORST_P99)
        worst_cell(buf, size, v, &v->deps[k], col);
    else
        run_cell(buf, size, v->deps[k].run, col);
}

/* The plain-text table's layout: its columns and their widths (negative: left-aligned). */
static const struct {
    loadview_column col;
    int width;
    const char *heading;
} text_columns[] = {
    {LOADVIEW_UTILIZATION, 11, "utilization"}, {LOADVIEW_PEAK, -28, "peak utilization"},
    {LOADVIEW_P99, 10, "served p99"},          {LOADVIEW_WORST_P99, -27, "worst served p99"},
    {LOADVIEW_CALLER_P99, 12, "callers' p99"}, {LOADVIEW_REJECTED, 9, "rejected"},
    {LOADVIEW_TIMED_OUT, 9, "timed out"}};

enum { TEXT_NAME_WIDTH = 24 };

/* Append "  <text>" padded to the width; never past the end of buf. */
static size_t text_field(char *buf, size_t size, size_t used, int width, const char *text)
{
    if (used >= size)
        return used;
    int n = snprintf(buf + used, size - used, "  %*s", width, text);
    return n < 0 ? size : used + (size_t)n;
}

void loadview_intro(char *buf, size_t size, const loadview *v)
{
    char window[32];
    text_duration(window, sizeof window, v->r->window_s);
    snprintf(buf, size,
             "Deployments with a serving model, over the run. Utilization is the busy share of "
             "the ready replicas' slots; latency is that of served requests, queue wait + service "
             "(quantiles within %g%%); callers who gave up waiting are in report.json's "
             "`caller` latency and load.csv's `caller_` columns. "
             "Peak and worst name the worst %s window: it shows what the run's averages hide. "
             "Autoscaler decisions and cold starts are in the timeline.",
             100.0 * LATENCY_RELATIVE_ERROR, window);
}

void loadview_text_title(char *buf, size_t size, const loadview *v)
{
    char window[32];
    text_duration(window, sizeof window, v->r->window_s);
    snprintf(buf, size,
             "Capacity (deployments with a serving model; peak and worst of the %s windows)",
             window);
}

void loadview_text_heading(char *buf, size_t size, const char *indent)
{
    int n = snprintf(buf, size, "%s%-*s", indent, TEXT_NAME_WIDTH, "deployment");
    size_t used = n < 0 ? size : (size_t)n;
    for (size_t i = 0; i < sizeof text_columns / sizeof text_columns[0]; i++)
        used = text_field(buf, size, used, text_columns[i].width, text_columns[i].heading);
}

void loadview_text_row(char *buf, size_t size, const loadview *v, size_t k, const char *indent)
{
    int n = snprintf(buf, size, "%s%-*s", indent, TEXT_NAME_WIDTH,
                     text_short_name(v->r->deployments[v->deps[k].deployment]));
    size_t used = n < 0 ? size : (size_t)n;
    for (size_t i = 0; i < sizeof text_columns / sizeof text_columns[0]; i++) {
        char cell[128];
        loadview_cell(cell, sizeof cell, v, k, text_columns[i].col);
        used = text_field(buf, size, used, text_columns[i].width, cell);
    }
}

/* ---- tokens ------------------------------------------------------------------------------ */

int loadview_has_tokens(const loadview *v)
{
    for (size_t k = 0; k < v->n; k++)
        if (v->deps[k].run->iterations > 0)
            return 1;
    return 0;
}

const char *loadview_token_heading(loadview_token_column col)
{
    static const char *const headings[LOADVIEW_N_TOKEN_COLUMNS] = {
        "Serving model", "TTFT p50",      "TTFT p99",        "Worst TTFT p99 (window)",
        "TPOT p50",      "TPOT p99",      "Output tokens/s", "Prompt tokens/s",
        "Mean batch",    "Mean KV cache", "Peak KV cache"};
    return headings[col];
}

/* A quantile of a distribution, or "n/a" when it has no samples. */
static void quantile_text(char *buf, size_t size, const results_quantiles *q, double seconds)
{
    if (q->count > 0)
        text_latency(buf, size, seconds);
    else
        snprintf(buf, size, "n/a");
}

void loadview_token_cell(char *buf, size_t size, const loadview *v, size_t k,
                         loadview_token_column col)
{
    const loadview_deployment *d = &v->deps[k];
    const results_load *l = d->run;
    char figure[32];
    switch (col) {
    case LOADVIEW_SERVING:
        snprintf(buf, size, "%s, %s", serving_model_name((serving_model)d->whole->model),
                 serving_balancer_name((serving_balancer)d->whole->balancer));
        return;
    case LOADVIEW_TTFT_P50:
    case LOADVIEW_TTFT_P99:
        quantile_text(buf, size, &l->ttft,
                      col == LOADVIEW_TTFT_P50 ? l->ttft.p50_s : l->ttft.p99_s);
        return;
    case LOADVIEW_WORST_TTFT_P99:
        if (d->worst_ttft)
            text_latency(figure, sizeof figure, d->worst_ttft->load.ttft.p99_s);
        in_window(buf, size, v->r, d->worst_ttft, figure);
        return;
    case LOADVIEW_TPOT_P50:
    case LOADVIEW_TPOT_P99:
        quantile_text(buf, size, &l->tpot,
                      col == LOADVIEW_TPOT_P50 ? l->tpot.p50_s : l->tpot.p99_s);
        return;
    case LOADVIEW_OUTPUT_TOKENS_PER_S:
    case LOADVIEW_PROMPT_TOKENS_PER_S:
        /* a queue deployment counts no tokens: n/a, not a misleading 0/s */
        if (l->iterations == 0)
            snprintf(buf, size, "n/a");
        else
            text_rate(buf, size,
                      col == LOADVIEW_OUTPUT_TOKENS_PER_S ? l->output_tokens_per_s
                                                          : l->prompt_tokens_per_s);
        return;
    case LOADVIEW_MEAN_BATCH:
        if (l->iterations > 0)
            snprintf(buf, size, "%.1f", l->mean_batch);
        else
            snprintf(buf, size, "n/a");
        return;
    case LOADVIEW_MEAN_KV:
    case LOADVIEW_PEAK_KV:
        if (l->iterations == 0)
            snprintf(buf, size, "n/a");
        else
            snprintf(buf, size, "%.1f%%",
                     100.0 * (col == LOADVIEW_MEAN_KV ? l->mean_kv : d->peak_kv));
        return;
    case LOADVIEW_N_TOKEN_COLUMNS:
        break;
    }
    snprintf(buf, size, "n/a");
}

void loadview_token_intro(char *buf, size_t size, const loadview *v)
{
    char window[32];
    text_duration(window, sizeof window, v->r->window_s);
    snprintf(buf, size,
             "Time to first token (TTFT: arrival to the first output token) and time per output "
             "token (TPOT: per request, the mean time between its tokens after the first), over "
             "the run; worst names the worst %s window. A queue deployment has no tokens: its "
             "TTFT is its latency and it has no TPOT. Mean batch is requests per iteration; KV "
             "cache is the share of the ready replicas' KV-cache budget in use.",
             window);
}

static const struct {
    loadview_token_column col;
    int width;
    const char *heading;
} token_columns[] = {
    {LOADVIEW_TTFT_P99, 9, "TTFT p99"},      {LOADVIEW_WORST_TTFT_P99, -27, "worst TTFT p99"},
    {LOADVIEW_TPOT_P99, 9, "TPOT p99"},      {LOADVIEW_OUTPUT_TOKENS_PER_S, 12, "output tok/s"},
    {LOADVIEW_MEAN_BATCH, 10, "mean batch"}, {LOADVIEW_PEAK_KV, 7, "peak KV"}};

void loadview_token_text_title(char *buf, size_t size, const loadview *v)
{
    char window[32];
    text_duration(window, sizeof window, v->r->window_s);
    snprintf(buf, size,
             "Tokens (time to first token, time per output token; worst of the %s windows)",
             window);
}

void loadview_token_text_heading(char *buf, size_t size, const char *indent)
{
    int n = snprintf(buf, size, "%s%-*s", indent, TEXT_NAME_WIDTH, "deployment");
    size_t used = n < 0 ? size : (size_t)n;
    for (size_t i = 0; i < sizeof token_columns / sizeof token_columns[0]; i++)
        used = text_field(buf, size, used, token_columns[i].width, token_columns[i].heading);
}

void loadview_token_text_row(char *buf, size_t size, const loadview *v, size_t k,
                             const char *indent)
{
    int n = snprintf(buf, size, "%s%-*s", indent, TEXT_NAME_WIDTH,
                     text_short_name(v->r->deployments[v->deps[k].deployment]));
    size_t used = n < 0 ? size : (size_t)n;
    for (size_t i = 0; i < sizeof token_columns / sizeof token_columns[0]; i++) {
        char cell[128];
        loadview_token_cell(cell, sizeof cell, v, k, token_columns[i].col);
        used = text_field(buf, size, used, token_columns[i].width, cell);
    }
}
