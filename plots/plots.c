/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/plots.h"

#include "plots/canvas.h"
#include "plots/lineup.h"
#include "plots/loadplot.h"
#include "plots/seqplot.h"
#include "plots/split.h"
#include "views/loadview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- replicas per deployment ------------------------------------------------------------ */

/* A deployment's replicas over the phases that list it, each interval once even when
 * several routers list the deployment; a blank line where no router listed it. */
static void replicas_block(gnuplot *g, const canvas *c, const char *name, size_t k)
{
    const results *r = c->r;
    double last_end = -1.0;
    gnuplot_printf(g, "$replicas%zu << EOD\n", k);
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        for (size_t j = 0; j < ph->n_deployments; j++) {
            if (strcmp(ph->deployments[j].name, name) != 0 || ph->end_s <= last_end)
                continue;
            double start = ph->start_s > last_end ? ph->start_s : last_end;
            if (last_end >= 0.0 && start > last_end)
                gnuplot_printf(g, "\n");
            gnuplot_printf(g, "%.9g %lld\n%.9g %lld\n", canvas_x(c, start),
                           ph->deployments[j].replicas, canvas_x(c, ph->end_s),
                           ph->deployments[j].replicas);
            last_end = ph->end_s;
        }
    }
    gnuplot_printf(g, "EOD\n");
}

/* The dashed lines of replicas wanted, in the plot and the legend. */
static const char *const wanted_style = "dt (6,4) lw 2";

/* What the replicas plot shows: the deployments of every router, and the serving
 * measurements that tell the replicas wanted (of none without serving models). */
typedef struct {
    lineup deps;
    const loadview *v;
} replicas_plot;

/* The position in the view of a deployment of the lineup, or -1 (no serving model). */
static long served_position(const replicas_plot *rp, size_t k)
{
    for (size_t j = 0; j < rp->v->n; j++)
        if ((long)rp->v->deps[j].deployment == rp->deps.index[k])
            return (long)j;
    return -1;
}

/* Does deployment j of the view ever want replicas that are not ready (at a window's end)? */
static int wanted_differs(const results *r, const loadview *v, long j)
{
    for (size_t b = 0; j >= 0 && b < r->n_bins; b++) {
        const results_load_point *p = loadview_point(v, b, (size_t)j);
        if (p && p->replicas != p->ready)
            return 1;
    }
    return 0;
}

/* The replicas a deployment with a serving model wanted at the end of each window, held
 * over the window like every per-window figure, where they were not all ready; a blank line
 * elsewhere. */
static void wanted_block(gnuplot *g, const canvas *c, const loadview *v, size_t j, size_t k)
{
    const results *r = c->r;
    int gap = 1;
    gnuplot_printf(g, "$wanted%zu << EOD\n", k);
    for (size_t b = 0; b < r->n_bins; b++) {
        const results_load_point *p = loadview_point(v, b, j);
        if (!p || p->replicas == p->ready) {
            gnuplot_printf(g, gap ? "" : "\n");
            gap = 1;
            continue;
        }
        gnuplot_printf(g, "%.9g %lld\n%.9g %lld\n", canvas_x(c, series_bin_start(r, b)),
                       p->replicas, canvas_x(c, series_bin_end(r, b)), p->replicas);
        gap = 0;
    }
    gnuplot_printf(g, "EOD\n");
}

static long long max_replicas(const results *r)
{
    long long max = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        for (size_t j = 0; j < r->phases[i].n_deployments; j++)
            if (r->phases[i].deployments[j].replicas > max)
                max = r->phases[i].deployments[j].replicas;
    for (size_t i = 0; i < r->n_load_points; i++)
        if (r->load_points[i].replicas > max)
            max = r->load_points[i].replicas;
    return max;
}

/* Over the lines of ready replicas, the replicas wanted, dashed in the same colour, where
 * the two differ: while new replicas are in their cold start. */
static void wanted_lines(gnuplot *g, const canvas *c, const replicas_plot *rp)
{
    int any = 0;
    for (size_t k = 0; k < rp->deps.n; k++) {
        if (!wanted_differs(c->r, rp->v, served_position(rp, k)))
            continue;
        gnuplot_printf(g, ", $wanted%zu using 1:2 with lines %s lc rgb '%s' notitle", k,
                       wanted_style, canvas_colour(rp->deps.index[k]));
        any = 1;
    }
    if (any)
        gnuplot_printf(g,
                       ", keyentry with lines %s lc rgb '#1a1a1a' "
                       "title 'replicas wanted, not yet ready (dashed)'",
                       wanted_style);
}

static void replicas_script(gnuplot *g, const canvas *c, const void *arg)
{
    const replicas_plot *rp = arg;
    const lineup *deps = &rp->deps;
    char title[512];
    canvas_title(title, sizeof title, "Replicas per deployment", c->r);
    canvas_setup(g, c, title, "replicas");
    long long max = max_replicas(c->r);
    long long step = max <= 10 ? 1 : (max + 7) / 8;
    gnuplot_printf(g,
                   "set yrange [%.9g:%.9g]\nset ytics 0, %lld format '%%.0f'\n"
                   "set grid ytics lc rgb '#e3e3e3'\n",
                   -0.03 * (double)(max + 1), (double)max * 1.15 + 0.5, step);
    for (size_t k = 0; k < deps->n; k++) {
        long j = served_position(rp, k);
        replicas_block(g, c, deps->names[k], k);
        if (wanted_differs(c->r, rp->v, j))
            wanted_block(g, c, rp->v, (size_t)j, k);
    }
    /* Lines drawn wide to narrow, so a deployment with the same count as another still
     * shows, as a core inside the other's line. */
    for (size_t k = 0; k < deps->n; k++) {
        double width =
            deps->n > 1 ? 2.0 + 3.0 * (double)(deps->n - 1 - k) / (double)(deps->n - 1) : 2.5;
        gnuplot_printf(g, "%s$replicas%zu using 1:2 with lines lw %.2f lc rgb '%s' title ",
                       k ? ", " : "plot ", k, width, canvas_colour(deps->index[k]));
        gnuplot_string(g, text_short_name(deps->names[k]));
    }
    wanted_lines(g, c, rp);
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

/* ---- request rate and failures ---------------------------------------------------------- */

static const char *const reason_colour[RESULTS_N_REASONS] = {"#d62728", "#ff7f0e", "#9467bd"};
static const char *const unserved_colour[RESULTS_N_UNSERVED] = {"#8c564b", "#e377c2", "#7f7f7f"};

/* Per bin, two rows (start, end): arrivals per second, failures at the router per second by
 * reason, then routed requests not served per second by reason (series_unserved). */
static double requests_block(gnuplot *g, const canvas *c, const series *s)
{
    const results *r = c->r;
    double max = 0.0;
    gnuplot_printf(g, "$requests << EOD\n");
    for (size_t b = 0; b < r->n_bins; b++) {
        results_flow sum = {0};
        for (size_t t = 0; t < r->n_targets; t++) {
            results_flow f = series_requests(s, b, t);
            sum.arrivals += f.arrivals;
            for (int k = 0; k < RESULTS_N_REASONS; k++)
                sum.failed[k] += f.failed[k];
        }
        double start = series_bin_start(r, b), end = series_bin_end(r, b);
        double len = end > start ? end - start : 1.0;
        max = fmax(max, (double)sum.arrivals / len);
        for (int edge = 0; edge < 2; edge++) {
            gnuplot_printf(g, "%.9g %.9g", canvas_x(c, edge ? end : start),
                           (double)sum.arrivals / len);
            for (int k = 0; k < RESULTS_N_REASONS; k++)
                gnuplot_printf(g, " %.9g", (double)sum.failed[k] / len);
            for (int k = 0; k < RESULTS_N_UNSERVED; k++)
                gnuplot_printf(g, " %.9g", (double)series_unserved(s, b, k) / len);
            gnuplot_printf(g, "\n");
        }
    }
    gnuplot_printf(g, "EOD\n");
    return max;
}

static void requests_script(gnuplot *g, const canvas *c, const void *arg)
{
    const results *r = c->r;
    char title[512], count[32];
    canvas_title(title, sizeof title, "Request rate and failures by reason", r);
    canvas_setup(g, c, title, "requests/s");
    double max = requests_block(g, c, arg);
    gnuplot_printf(g, "set yrange [0:%.9g]\nset grid ytics lc rgb '#e3e3e3'\n",
                   max > 0.0 ? max * 1.15 : 1.0);
    text_count(count, sizeof count, r->total);
    gnuplot_printf(g,
                   "plot $requests using 1:(0):2 with filledcurves lc rgb '#b9cde3' "
                   "title 'requests arriving (%s)'",
                   count);
    for (int k = 0; k < RESULTS_N_REASONS; k++) {
        char reason[32];
        snprintf(reason, sizeof reason, "%s", results_reason_name(k));
        for (char *p = reason; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        text_count(count, sizeof count, r->failed_by_reason[k]);
        if (r->failed_by_reason[k])
            gnuplot_printf(g, ", $requests using 1:%d with lines lw 2", k + 3);
        else
            gnuplot_printf(g, ", keyentry with lines lw 2");
        gnuplot_printf(g, " lc rgb '%s' title 'failed: %s (%s)'", reason_colour[k], reason, count);
    }
    /* With serving models, the routed requests that were not served, dashed. */
    for (int k = 0; r->n_loads && k < RESULTS_N_UNSERVED; k++) {
        char reason[32];
        snprintf(reason, sizeof reason, "%s", results_unserved_name(k));
        for (char *p = reason; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        text_count(count, sizeof count, r->unserved_by_reason[k]);
        if (r->unserved_by_reason[k])
            gnuplot_printf(g, ", $requests using 1:%d with lines lw 2 dt 2",
                           RESULTS_N_REASONS + 3 + k);
        else
            gnuplot_printf(g, ", keyentry with lines lw 2 dt 2");
        gnuplot_printf(g, " lc rgb '%s' title 'not served: %s (%s)'", unserved_colour[k], reason,
                       count);
    }
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

/* ---- the set ----------------------------------------------------------------------------- */

/* gnuplot sessions at once at most, whatever the cores: each holds four open files. */
enum { MAX_JOBS = 32 };

/* A plot whose gnuplot is drawing it, and what the set will say of it once drawn. */
typedef struct {
    canvas_job *job;
    plots_plot plot;
} pending;

/* The plots are drawn `jobs` at a time and taken in the order they were started, so the
 * set, its files and the warnings are those of drawing them one after another. */
typedef struct {
    canvas c;
    loadview v;
    const char *dir;
    plots_set *set;
    char *err;
    size_t errlen;
    const replicas_summary *rep; /* a replicated run's, for bands; else NULL */
    pending *running;            /* a ring of `jobs`, the oldest at `first` */
    size_t jobs, first, n_running;
} drawing;

/* Wait for the oldest plot being drawn and add it to the set. */
static int finish_oldest(drawing *d)
{
    pending *p = &d->running[d->first];
    d->first = (d->first + 1) % d->jobs;
    d->n_running--;
    int drawn = canvas_finish(&d->c, p->job, d->err, d->errlen);
    if (drawn < 0)
        return -1;
    if (drawn == 0)
        d->set->failed += !d->c.gnuplot_missing;
    else
        d->set->plots[d->set->n++] = p->plot;
    return 0;
}

/* After an error: the plots still being drawn are not kept. */
static void cancel_all(drawing *d)
{
    for (; d->n_running > 0; d->n_running--, d->first = (d->first + 1) % d->jobs)
        canvas_cancel(d->running[d->first].job);
}

static int finish_all(drawing *d)
{
    int rc = 0;
    while (rc == 0 && d->n_running > 0)
        rc = finish_oldest(d);
    if (rc != 0)
        cancel_all(d);
    return rc;
}

/* Start drawing a plot, once a place is free. */
static int render(drawing *d, plots_kind kind, long router, const char *stem, const char *title,
                  canvas_script script, const void *arg)
{
    if (d->n_running == d->jobs && finish_oldest(d) != 0)
        return -1;
    canvas_job *job;
    char why[1024];
    int started = canvas_start(&d->c, d->dir, stem, script, arg, &job, why, sizeof why);
    if (started < 0) {
        /* the plots started before come first, as when drawn one after another */
        if (finish_all(d) == 0)
            snprintf(d->err, d->errlen, "%s", why);
        return -1;
    }
    if (started == 0)
        return 0; /* gnuplot is missing, as was said */
    pending *p = &d->running[(d->first + d->n_running++) % d->jobs];
    p->job = job;
    p->plot = (plots_plot){.kind = kind, .router = router};
    snprintf(p->plot.stem, sizeof p->plot.stem, "%s", stem);
    snprintf(p->plot.title, sizeof p->plot.title, "%s", title);
    return 0;
}

/* "<what>-<router id>", made unique with the router's number when two routers of different
 * accounts share an id. */
static void router_stem(char *buf, size_t size, const char *what, const results *r, size_t router)
{
    const char *id = text_short_name(r->routers[router]);
    int shared = 0;
    for (size_t i = 0; i < router; i++)
        shared = shared || strcmp(text_short_name(r->routers[i]), id) == 0;
    if (shared)
        snprintf(buf, size, "%s-%.60s-%zu", what, id, router + 1);
    else
        snprintf(buf, size, "%s-%.60s", what, id);
    for (char *p = buf; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '-';
}

static int draw_split(drawing *d, const series *s, size_t router)
{
    char stem[128];
    split_plot *sp = split_new(s, router, d->rep);
    if (!sp) {
        snprintf(d->err, d->errlen, "out of memory");
        return -1;
    }
    router_stem(stem, sizeof stem, "split", d->c.r, router);
    int rc = split_drawable(sp)
                 ? render(d, PLOTS_SPLIT, (long)router, stem, split_title(sp), split_script, sp)
                 : 0;
    split_free(sp);
    return rc;
}

/* Does a phase's sequential test compare anything: looks, and two deployments or more? */
static int sequential_phase(const results_phase *ph, const char *router)
{
    return ph->looks.n > 0 && ph->n_deployments > 1 && strcmp(ph->router, router) == 0;
}

/* The router's phases, one line each labelled with its interval, through every look. */
static int draw_sequential(drawing *d, size_t router)
{
    const results *r = d->c.r;
    const char *name = r->routers[router];
    size_t n = 0, looks = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        if (sequential_phase(&r->phases[i], name))
            n++, looks += r->phases[i].looks.n + 1;
    if (n == 0)
        return 0;
    seqplot_series *lines = calloc(n, sizeof *lines);
    char(*labels)[64] = calloc(n, sizeof *labels);
    double *t = malloc(looks * sizeof *t), *p = malloc(looks * sizeof *p);
    int rc = lines && labels && t && p ? 0 : -1;
    if (rc != 0)
        snprintf(d->err, d->errlen, "out of memory");
    for (size_t i = 0, k = 0, at = 0; rc == 0 && i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!sequential_phase(ph, name))
            continue;
        char interval[48];
        verdicts_interval(interval, sizeof interval, ph);
        snprintf(labels[k], sizeof labels[k], "phase %s", interval);
        /* from the phase's start, where nothing has been seen yet: p = 1 */
        lines[k] = (seqplot_series){labels[k], ph->looks.n + 1, t + at, p + at};
        k++;
        t[at] = ph->start_s;
        p[at++] = 1.0;
        looklog_iter it;
        results_look look;
        for (looklog_begin(&it, &ph->looks); looklog_next(&it, &look); at++) {
            t[at] = look.at_s;
            p[at] = look.p_value;
        }
    }
    if (rc == 0) {
        char stem[128], what[192], title[512];
        router_stem(stem, sizeof stem, "sequential", r, router);
        snprintf(what, sizeof what, "Sequential p-value of router %.120s", text_short_name(name));
        canvas_title(title, sizeof title, what, r);
        seqplot plot = {title, r->alpha, n, lines};
        rc = render(d, PLOTS_SEQUENTIAL, (long)router, stem, what, seqplot_script, &plot);
    }
    free(lines);
    free(labels);
    free(t);
    free(p);
    return rc;
}

static int draw_replicas(drawing *d)
{
    replicas_plot rp = {.v = &d->v};
    int rc = lineup_build(&rp.deps, d->c.r, -1);
    if (rc != 0)
        snprintf(d->err, d->errlen, "out of memory");
    else if (rp.deps.n > 0)
        rc = render(d, PLOTS_REPLICAS, -1, "replicas", "Replicas per deployment", replicas_script,
                    &rp);
    lineup_free(&rp.deps);
    return rc;
}

/* Utilization, latency and queue, when some deployment has a serving model; the token plots
 * when some deployment batches. */
static int draw_capacity(drawing *d)
{
    static const plots_kind kinds[LOADPLOT_N] = {PLOTS_UTILIZATION, PLOTS_LATENCY, PLOTS_QUEUE,
                                                 PLOTS_TTFT,        PLOTS_TPOT,    PLOTS_TOKENS,
                                                 PLOTS_BATCH,       PLOTS_KV};
    int rc = 0;
    int n = loadview_has_tokens(&d->v) ? LOADPLOT_N : LOADPLOT_TTFT;
    for (int k = 0; rc == 0 && d->v.n > 0 && k < n; k++) {
        loadplot lp = {.v = &d->v, .kind = (loadplot_kind)k, .rep = d->rep};
        char what[160];
        loadplot_what(what, sizeof what, &lp);
        rc = render(d, kinds[k], -1, loadplot_stem(lp.kind), what, loadplot_script, &lp);
    }
    return rc;
}

static int draw_all(drawing *d, const series *s)
{
    const results *r = d->c.r;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->n_routers; i++)
        if (series_router_shown(s, i))
            rc = draw_split(d, s, i);
    for (size_t i = 0; rc == 0 && i < r->n_routers; i++)
        if (series_router_shown(s, i))
            rc = draw_sequential(d, i);
    if (rc == 0)
        rc = draw_replicas(d);
    if (rc == 0 && r->n_targets > 0)
        rc = render(d, PLOTS_REQUESTS, -1, "requests", "Request rate and failures by reason",
                    requests_script, s);
    return rc == 0 ? draw_capacity(d) : rc;
}

/* 0: as many as the machine has cores */
static size_t jobs_for(size_t jobs)
{
    if (jobs == 0) {
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        jobs = cores > 0 ? (size_t)cores : 1;
    }
    return jobs < MAX_JOBS ? jobs : MAX_JOBS;
}

int plots_draw(const char *dir, const results *r, const replicas_summary *rep, series_detail detail,
               int width, int height, size_t jobs, plots_set *set,
               void (*warn)(const char *message), char *err, size_t errlen)
{
    drawing d = {
        .dir = dir, .set = set, .err = err, .errlen = errlen, .rep = rep, .jobs = jobs_for(jobs)};
    series s = {0};
    *set = (plots_set){.status = PLOTS_DRAWN};
    set->plots = calloc(2 * r->n_routers + 2 + LOADPLOT_N, sizeof *set->plots);
    d.running = calloc(d.jobs, sizeof *d.running);
    int rc = set->plots && d.running && series_init_detail(&s, r, detail) == 0 &&
                     loadview_init(&d.v, r) == 0
                 ? 0
                 : -1;
    if (rc == 0) {
        canvas_init(&d.c, r, width > 0 ? width : PLOTS_WIDTH, height > 0 ? height : PLOTS_HEIGHT,
                    warn);
        rc = draw_all(&d, &s);
        if (rc == 0)
            rc = finish_all(&d);
        else
            cancel_all(&d);
    } else {
        snprintf(err, errlen, "out of memory");
    }
    free(d.running);
    if (d.c.gnuplot_missing)
        set->status = PLOTS_NO_GNUPLOT;
    loadview_free(&d.v);
    series_free(&s);
    if (rc != 0)
        plots_set_free(set);
    return rc;
}

void plots_set_free(plots_set *set)
{
    free(set->plots);
    set->plots = NULL;
    set->n = 0;
}

const char *plots_kind_name(plots_kind kind)
{
    static const char *const names[] = {"split",       "sequential", "replicas", "requests",
                                        "utilization", "latency",    "queue",    "ttft",
                                        "tpot",        "tokens",     "batch",    "kv_cache"};
    return names[kind];
}

const char *plots_missing_note(const plots_set *set)
{
    switch (set->status) {
    case PLOTS_NOT_REQUESTED:
        return "Plots were not drawn (--no-plots).";
    case PLOTS_NO_GNUPLOT:
        return "Plots were not drawn: gnuplot was not found (install gnuplot-nox).";
    case PLOTS_DRAWN:
        break;
    }
    return set->failed ? "Some plots could not be drawn; routersim printed why on stderr." : NULL;
}
