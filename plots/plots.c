#include "plots/plots.h"

#include "plots/canvas.h"
#include "plots/lineup.h"
#include "plots/split.h"
#include "reports/series.h"
#include "reports/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static long long max_replicas(const results *r)
{
    long long max = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        for (size_t j = 0; j < r->phases[i].n_deployments; j++)
            if (r->phases[i].deployments[j].replicas > max)
                max = r->phases[i].deployments[j].replicas;
    return max;
}

static void replicas_script(gnuplot *g, const canvas *c, const void *arg)
{
    const lineup *deps = arg;
    char title[512];
    canvas_title(title, sizeof title, "Replicas per deployment", c->r);
    canvas_setup(g, c, title, "replicas");
    long long max = max_replicas(c->r);
    long long step = max <= 10 ? 1 : (max + 7) / 8;
    gnuplot_printf(g,
                   "set yrange [%.9g:%.9g]\nset ytics 0, %lld format '%%.0f'\n"
                   "set grid ytics lc rgb '#e3e3e3'\n",
                   -0.03 * (double)(max + 1), (double)max * 1.15 + 0.5, step);
    for (size_t k = 0; k < deps->n; k++)
        replicas_block(g, c, deps->names[k], k);
    /* Lines drawn wide to narrow, so a deployment with the same count as another still
     * shows, as a core inside the other's line. */
    for (size_t k = 0; k < deps->n; k++) {
        double width =
            deps->n > 1 ? 2.0 + 3.0 * (double)(deps->n - 1 - k) / (double)(deps->n - 1) : 2.5;
        gnuplot_printf(g, "%s$replicas%zu using 1:2 with lines lw %.2f lc rgb '%s' title ",
                       k ? ", " : "plot ", k, width, canvas_colour(deps->index[k]));
        gnuplot_string(g, text_short_name(deps->names[k]));
    }
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

/* ---- request rate and failures ---------------------------------------------------------- */

static const char *const reason_colour[RESULTS_N_REASONS] = {"#d62728", "#ff7f0e", "#9467bd"};

/* Per bin, two rows (start, end): arrivals per second, then failures per second by reason. */
static double requests_block(gnuplot *g, const canvas *c, const series *s)
{
    const results *r = c->r;
    double max = 0.0;
    gnuplot_printf(g, "$requests << EOD\n");
    for (size_t b = 0; b < r->n_bins; b++) {
        results_flow sum = {0};
        for (size_t t = 0; t < r->n_targets; t++) {
            const results_flow *f = series_requests(s, b, t);
            sum.arrivals += f->arrivals;
            for (int k = 0; k < RESULTS_N_REASONS; k++)
                sum.failed[k] += f->failed[k];
        }
        double start = series_bin_start(r, b), end = series_bin_end(r, b);
        double len = end > start ? end - start : 1.0;
        max = fmax(max, (double)sum.arrivals / len);
        for (int edge = 0; edge < 2; edge++) {
            gnuplot_printf(g, "%.9g %.9g", canvas_x(c, edge ? end : start),
                           (double)sum.arrivals / len);
            for (int k = 0; k < RESULTS_N_REASONS; k++)
                gnuplot_printf(g, " %.9g", (double)sum.failed[k] / len);
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
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

/* ---- the set ----------------------------------------------------------------------------- */

typedef struct {
    canvas c;
    const char *dir;
    plots_set *set;
    char *err;
    size_t errlen;
} drawing;

static int render(drawing *d, plots_kind kind, long router, const char *stem, const char *title,
                  canvas_script script, const void *arg)
{
    int drawn = canvas_render(&d->c, d->dir, stem, script, arg, d->err, d->errlen);
    if (drawn < 0)
        return -1;
    if (drawn == 0) {
        d->set->failed += !d->c.gnuplot_missing;
        return 0;
    }
    plots_plot *p = &d->set->plots[d->set->n++];
    p->kind = kind;
    p->router = router;
    snprintf(p->stem, sizeof p->stem, "%s", stem);
    snprintf(p->title, sizeof p->title, "%s", title);
    return 0;
}

/* "split-<router id>", made unique with the router's number when two routers of different
 * accounts share an id. */
static void split_stem(char *buf, size_t size, const results *r, size_t router)
{
    const char *id = text_short_name(r->routers[router]);
    int shared = 0;
    for (size_t i = 0; i < router; i++)
        shared = shared || strcmp(text_short_name(r->routers[i]), id) == 0;
    snprintf(buf, size, shared ? "split-%.60s-%zu" : "split-%.60s", id, router + 1);
    for (char *p = buf; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '-';
}

static int draw_split(drawing *d, const series *s, size_t router)
{
    char stem[128];
    split_plot *sp = split_new(s, router);
    if (!sp) {
        snprintf(d->err, d->errlen, "out of memory");
        return -1;
    }
    split_stem(stem, sizeof stem, d->c.r, router);
    int rc = split_drawable(sp)
                 ? render(d, PLOTS_SPLIT, (long)router, stem, split_title(sp), split_script, sp)
                 : 0;
    split_free(sp);
    return rc;
}

static int draw_replicas(drawing *d)
{
    lineup deps;
    int rc = lineup_build(&deps, d->c.r, -1);
    if (rc != 0)
        snprintf(d->err, d->errlen, "out of memory");
    else if (deps.n > 0)
        rc = render(d, PLOTS_REPLICAS, -1, "replicas", "Replicas per deployment", replicas_script,
                    &deps);
    lineup_free(&deps);
    return rc;
}

int plots_draw(const char *dir, const results *r, int width, int height, plots_set *set,
               void (*warn)(const char *message), char *err, size_t errlen)
{
    drawing d = {.dir = dir, .set = set, .err = err, .errlen = errlen};
    series s;
    *set = (plots_set){.status = PLOTS_DRAWN};
    set->plots = calloc(r->n_routers + 2, sizeof *set->plots);
    if (!set->plots || series_init(&s, r) != 0) {
        snprintf(err, errlen, "out of memory");
        plots_set_free(set);
        return -1;
    }
    canvas_init(&d.c, r, width > 0 ? width : PLOTS_WIDTH, height > 0 ? height : PLOTS_HEIGHT, warn);
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < r->n_routers; i++)
        rc = draw_split(&d, &s, i);
    if (rc == 0)
        rc = draw_replicas(&d);
    if (rc == 0 && r->n_targets > 0)
        rc = render(&d, PLOTS_REQUESTS, -1, "requests", "Request rate and failures by reason",
                    requests_script, &s);
    if (d.c.gnuplot_missing)
        set->status = PLOTS_NO_GNUPLOT;
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
    static const char *const names[] = {"split", "replicas", "requests"};
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
