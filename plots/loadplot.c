/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/loadplot.h"

#include "plots/band.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <math.h>
#include <stdio.h>

/* The shading of windows that lost requests, in the plot and the legend. */
static const char *const lost_style = "fillcolor rgb '#d62728' fillstyle transparent solid 0.13 "
                                      "noborder";
static const char *const lost_key_style = "fillcolor rgb '#d62728' fillstyle transparent solid "
                                          "0.3 noborder";
static const char *const full_style = "dt (5,4) lw 1.2 lc rgb '#555555'";
static const char *const limit_style = "dt (2,3) lw 2 lc rgb '#c0392b'";

const char *loadplot_title(loadplot_kind kind)
{
    static const char *const titles[LOADPLOT_N] = {
        "Utilization per deployment",
        "Served latency p50 and p99 per deployment",
        "Requests waiting per deployment",
        "Time to first token p50 and p99 per deployment",
        "Time per output token p50 and p99 per deployment",
        "Output and prompt tokens per second per deployment",
        "Mean batch size per deployment",
        "KV-cache occupancy per deployment"};
    return titles[kind];
}

int loadplot_has_band(const loadplot *lp)
{
    return lp->rep && (lp->kind == LOADPLOT_UTILIZATION || lp->kind == LOADPLOT_LATENCY);
}

void loadplot_what(char *buf, size_t size, const loadplot *lp)
{
    if (loadplot_has_band(lp))
        snprintf(buf, size, "%s, across %zu replications",
                 lp->kind == LOADPLOT_LATENCY ? "Served latency p99 per deployment"
                                              : loadplot_title(lp->kind),
                 lp->rep->replications);
    else
        snprintf(buf, size, "%s", loadplot_title(lp->kind));
}

const char *loadplot_stem(loadplot_kind kind)
{
    static const char *const stems[LOADPLOT_N] = {"utilization", "latency", "queue", "ttft",
                                                  "tpot",        "tokens",  "batch", "kv_cache"};
    return stems[kind];
}

/* Is this plot's y axis a duration on a log scale? */
static int is_latency(loadplot_kind kind)
{
    return kind == LOADPLOT_LATENCY || kind == LOADPLOT_TTFT || kind == LOADPLOT_TPOT;
}

/* The two figures the plot draws of a window, into v; 0 when the window has none. */
static int window_figures(loadplot_kind kind, const results_load_point *p, double v[2])
{
    if (!p)
        return 0;
    const results_load *l = &p->load;
    const results_quantiles *q = kind == LOADPLOT_TTFT ? &l->ttft : &l->tpot;
    switch (kind) {
    case LOADPLOT_TTFT:
    case LOADPLOT_TPOT:
        v[0] = q->p99_s;
        v[1] = q->p50_s;
        return q->count > 0;
    case LOADPLOT_TOKENS:
        v[0] = l->output_tokens_per_s;
        v[1] = l->prompt_tokens_per_s;
        return l->iterations > 0; /* a queue deployment counts no tokens: nothing to draw */
    case LOADPLOT_BATCH:
        v[0] = v[1] = l->mean_batch;
        return l->iterations > 0;
    case LOADPLOT_KV:
        v[0] = 100.0 * l->mean_kv;
        v[1] = 100.0 * l->max_kv;
        return l->iterations > 0;
    default:
        break;
    }
    if (kind == LOADPLOT_UTILIZATION) {
        v[0] = v[1] = 100.0 * l->utilization;
        return p->ready > 0 || l->utilization > 0.0;
    }
    if (kind == LOADPLOT_LATENCY) {
        v[0] = l->p99_s;
        v[1] = l->p50_s;
        return loadview_served(l);
    }
    v[0] = l->mean_waiting;
    v[1] = (double)l->max_waiting;
    return 1;
}

/* What the figures of a plot span: for its y axis, and whether there is anything to draw. */
typedef struct {
    double max, min_positive;
    size_t windows;
} span;

/* Deployment k's windows: per window two rows (its start and end) with its two figures, a
 * blank line (a gap) over windows without figures. */
static void figures_block(gnuplot *g, const canvas *c, const loadplot *lp, size_t k, span *s)
{
    const results *r = c->r;
    int gap = 1;
    gnuplot_printf(g, "$load%zu << EOD\n", k);
    for (size_t b = 0; b < r->n_bins; b++) {
        double v[2];
        if (!window_figures(lp->kind, loadview_point(lp->v, b, k), v)) {
            gnuplot_printf(g, gap ? "" : "\n");
            gap = 1;
            continue;
        }
        for (int edge = 0; edge < 2; edge++)
            gnuplot_printf(g, "%.9g %.9g %.9g\n",
                           canvas_x(c, edge ? series_bin_end(r, b) : series_bin_start(r, b)), v[0],
                           v[1]);
        for (int i = 0; i < 2; i++)
            if (v[i] > 0.0)
                s->min_positive = fmin(s->min_positive, v[i]);
        s->max = fmax(s->max, fmax(v[0], v[1]));
        s->windows++;
        gap = 0;
    }
    gnuplot_printf(g, "EOD\n");
}

/* Shade each stretch of windows in which requests were rejected or timed out. */
static void shade_lost(gnuplot *g, const canvas *c, const loadview *v)
{
    const results *r = c->r;
    for (size_t b = 0; b < r->n_bins; b++) {
        if (loadview_lost(v, b) == 0)
            continue;
        size_t e = b;
        while (e + 1 < r->n_bins && loadview_lost(v, e + 1) > 0)
            e++;
        gnuplot_printf(g, "set object rect from %.9g, graph 0 to %.9g, graph 1 behind %s\n",
                       canvas_x(c, series_bin_start(r, b)), canvas_x(c, series_bin_end(r, e)),
                       lost_style);
        b = e;
    }
}

static uint64_t lost_in_run(const loadview *v)
{
    uint64_t lost = 0;
    for (size_t k = 0; k < v->n; k++)
        lost += v->deps[k].run->rejected + v->deps[k].run->timed_out;
    return lost;
}

/* Log-scale ticks at 1, 2 and 5 times the powers of ten within [lo, hi], labelled as
 * latencies ("200ms", "5s"). */
static void latency_axis(gnuplot *g, const span *s)
{
    /* a range over a factor of 2.5 at least holds a tick */
    double lo = s->windows ? s->min_positive / 1.5 : 0.1;
    double hi = s->windows ? s->max * 1.8 : 10.0;
    const char *sep = "";
    gnuplot_printf(g, "set logscale y\nset yrange [%.9g:%.9g]\nset ytics (", lo, hi);
    for (int exponent = -6; exponent <= 6; exponent++)
        for (int m = 0; m < 3; m++) {
            double tick = (double)(m == 0 ? 1 : m == 1 ? 2 : 5) * pow(10.0, exponent);
            char label[32];
            if (tick < lo || tick > hi)
                continue;
            text_latency(label, sizeof label, tick);
            gnuplot_printf(g, "%s'%s' %.9g", sep, label, tick);
            sep = ", ";
        }
    gnuplot_printf(g, ")\nset mytics 1\n");
}

/* Whether a check's limit is drawn on this plot (views decide which limits go where). */
static int limited_here(const loadplot *lp, const results_check *c)
{
    return (lp->kind == LOADPLOT_UTILIZATION &&
            verdicts_plot_limit(c, VERDICTS_PLOT_UTILIZATION)) ||
           (lp->kind == LOADPLOT_LATENCY && verdicts_plot_limit(c, VERDICTS_PLOT_LATENCY)) ||
           (lp->kind == LOADPLOT_TTFT && verdicts_plot_limit(c, VERDICTS_PLOT_TTFT)) ||
           (lp->kind == LOADPLOT_TPOT && verdicts_plot_limit(c, VERDICTS_PLOT_TPOT)) ||
           (lp->kind == LOADPLOT_TOKENS && verdicts_plot_limit(c, VERDICTS_PLOT_TOKENS));
}

/* Each capacity check's limit as a red dashed line over the interval it covers. */
static void limit_lines(gnuplot *g, const canvas *c, const loadplot *lp)
{
    for (size_t i = 0; i < c->r->n_checks; i++) {
        const results_check *l = &c->r->checks[i];
        if (!limited_here(lp, l))
            continue;
        double y = lp->kind == LOADPLOT_UTILIZATION ? 100.0 * l->limit : l->limit;
        gnuplot_printf(
            g, "set arrow from first %.9g, first %.9g to first %.9g, first %.9g nohead %s front\n",
            canvas_x(c, l->from_s), y, canvas_x(c, l->to_s), y, limit_style);
    }
}

/* One key entry for the limits drawn, naming the first. */
static void limit_key(gnuplot *g, const canvas *c, const loadplot *lp)
{
    for (size_t i = 0; i < c->r->n_checks; i++) {
        const results_check *l = &c->r->checks[i];
        if (!limited_here(lp, l))
            continue;
        char value[32], title[160];
        if (lp->kind == LOADPLOT_UTILIZATION)
            snprintf(value, sizeof value, "%g%%", 100.0 * l->limit);
        else if (lp->kind == LOADPLOT_TOKENS)
            snprintf(value, sizeof value, "%g output tokens/s", l->limit);
        else
            text_latency(value, sizeof value, l->limit);
        snprintf(title, sizeof title, "capacity check: at %s %s%s%s",
                 lp->kind == LOADPLOT_TOKENS ? "least" : "most", value, l->covers ? " for " : "",
                 l->covers ? l->covers : "");
        gnuplot_printf(g, ", keyentry with lines %s title ", limit_style);
        gnuplot_string(g, title);
        return;
    }
}

static void axis(gnuplot *g, const loadplot *lp, const span *s)
{
    gnuplot_printf(g, "set grid ytics lc rgb '#e3e3e3'\n");
    if (lp->kind == LOADPLOT_UTILIZATION || lp->kind == LOADPLOT_KV)
        gnuplot_printf(g,
                       "set yrange [0:112]\nset ytics 0, 20, 100 format '%%g%%%%'\n"
                       "set arrow from graph 0, first 100 to graph 1, first 100 nohead %s back\n",
                       full_style);
    else if (is_latency(lp->kind))
        latency_axis(g, s);
    else
        gnuplot_printf(g, "set yrange [0:%.9g]\n", s->max > 0.0 ? s->max * 1.15 : 1.0);
}

/* Deployment k's band across replications, when this plot draws bands; else NULL. */
static const replicas_band *band_of(const canvas *c, const loadplot *lp, size_t k)
{
    if (!loadplot_has_band(lp))
        return NULL;
    return band_find(lp->rep,
                     lp->kind == LOADPLOT_UTILIZATION ? REPLICAS_BAND_UTILIZATION
                                                      : REPLICAS_BAND_P99_LATENCY,
                     NULL, c->r->deployments[lp->v->deps[k].deployment]);
}

static int any_figures(const canvas *c, const loadplot *lp, size_t k)
{
    for (size_t b = 0; b < c->r->n_bins; b++) {
        double v[2];
        if (window_figures(lp->kind, loadview_point(lp->v, b, k), v))
            return 1;
    }
    return 0;
}

/* One deployment's lines: the main figure solid (wide to narrow over the deployments, so
 * that equal figures still show), the second (latency p50, queue maximum) thin. */
static void deployment_lines(gnuplot *g, const canvas *c, const loadplot *lp, size_t k)
{
    static const char *const names[LOADPLOT_N][2] = {
        {"", ""},         {" p99", " p50"},     {" mean", " most at once"},
        {" p99", " p50"}, {" p99", " p50"},     {" output", " prompt"},
        {"", ""},         {" mean", " highest"}};
    const loadview *v = lp->v;
    const char *colour = canvas_colour((long)v->deps[k].deployment);
    const char *name = text_short_name(c->r->deployments[v->deps[k].deployment]);
    double width = v->n > 1 ? 2.0 + 2.5 * (double)(v->n - 1 - k) / (double)(v->n - 1) : 2.5;
    int drawn = any_figures(c, lp, k);
    char title[256];
    if (band_of(c, lp, k)) {
        char block[32];
        snprintf(block, sizeof block, "band%zu", k);
        snprintf(title, sizeof title, "%s%s", name, names[lp->kind][0]);
        band_items(g, k ? ", " : "plot ", block, colour, title);
        return;
    }
    int one_line = lp->kind == LOADPLOT_UTILIZATION || lp->kind == LOADPLOT_BATCH;
    for (int col = 0; col < (one_line ? 1 : 2); col++) {
        snprintf(title, sizeof title, "%s%s", name, names[lp->kind][col]);
        if (drawn)
            gnuplot_printf(g, "%s$load%zu using 1:%d with lines", k || col ? ", " : "plot ", k,
                           col + 2);
        else
            gnuplot_printf(g, "%skeyentry with lines", k || col ? ", " : "plot ");
        gnuplot_printf(g, " %s lw %.2f lc rgb '%s' title ", col ? "dt (6,4)" : "dt solid",
                       col ? 1.5 : width, colour);
        gnuplot_string(g, title);
    }
}

void loadplot_script(gnuplot *g, const canvas *c, const void *arg)
{
    const loadplot *lp = arg;
    static const char *const ylabels[LOADPLOT_N] = {
        "busy share of ready replicas' slots",
        "served latency (queue wait + service), log scale",
        "requests waiting",
        "time to first token (queueing + prefill), log scale",
        "time per output token, log scale",
        "tokens per second",
        "requests per iteration",
        "share of the KV-cache budget in use"};
    char title[512], count[32];
    char what[160];
    loadplot_what(what, sizeof what, lp);
    canvas_title(title, sizeof title, what, c->r);
    canvas_setup(g, c, title, ylabels[lp->kind]);
    span s = {.min_positive = INFINITY};
    int bands = 0;
    for (size_t k = 0; k < lp->v->n; k++) {
        const replicas_band *b = band_of(c, lp, k);
        char block[32];
        snprintf(block, sizeof block, "band%zu", k);
        if (b)
            s.windows +=
                band_block(g, c, block, b, lp->rep->n_bins,
                           lp->kind == LOADPLOT_UTILIZATION ? 100.0 : 1.0, &s.min_positive, &s.max);
        else
            figures_block(g, c, lp, k, &s);
        bands |= b != NULL;
    }
    axis(g, lp, &s);
    limit_lines(g, c, lp);
    if (!bands)
        shade_lost(g, c, lp->v);
    for (size_t k = 0; k < lp->v->n; k++)
        deployment_lines(g, c, lp, k);
    if (lp->kind == LOADPLOT_UTILIZATION)
        gnuplot_printf(g, ", keyentry with lines %s title 'all slots busy'", full_style);
    if (lp->kind == LOADPLOT_KV)
        gnuplot_printf(g, ", keyentry with lines %s title 'KV cache full'", full_style);
    limit_key(g, c, lp);
    uint64_t lost = bands ? 0 : lost_in_run(lp->v);
    text_count(count, sizeof count, lost);
    if (lost > 0)
        gnuplot_printf(g,
                       ", keyentry with boxes %s title 'requests rejected or timed out "
                       "(%s)'",
                       lost_key_style, count);
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}
