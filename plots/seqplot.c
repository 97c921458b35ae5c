/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/seqplot.h"

#include "plots/plots.h"
#include "views/text.h"

#include <math.h>
#include <stdio.h>

static const char *const alpha_colour = "#c0392b";

/* Where the x axis starts and how many x units a second is: the run's own axis on a run's
 * canvas, else from the earliest look in the unit that fits the span. */
typedef struct {
    double origin, per_s, range_s;
    const char *label;
} axis;

static axis axis_of(const canvas *c, const seqplot *a)
{
    if (c->r)
        return (axis){0.0, c->per_s, c->r->duration_s, c->time_label};
    double first = INFINITY, last = -INFINITY;
    for (size_t i = 0; i < a->n; i++)
        for (size_t k = 0; k < a->series[i].n; k++) {
            first = fmin(first, a->series[i].time_s[k]);
            last = fmax(last, a->series[i].time_s[k]);
        }
    double span = isfinite(first) ? last - first : 0.0;
    axis x = {isfinite(first) ? first : 0.0, 1.0, span, "time from the first interval (seconds)"};
    if (span >= 5 * 3600.0)
        x.per_s = 1.0 / 3600.0, x.label = "time from the first interval (hours)";
    else if (span >= 300.0)
        x.per_s = 1.0 / 60.0, x.label = "time from the first interval (minutes)";
    return x;
}

/* The first look of a series at which the p-value reached alpha (the test's rejection, as
 * seqtest.h defines it), or -1. */
static long crossing(const seqplot_series *s, double alpha)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->p[k] <= alpha)
            return (long)k;
    return -1;
}

/* Each crossing as a point of $X, labelled with its time beside it (to its left in the
 * right third of the plot, where a label would leave it). Returns how many there are. */
static size_t crossings(gnuplot *g, const seqplot *a, const axis *x)
{
    size_t n = 0;
    gnuplot_printf(g, "$X << EOD\n");
    for (size_t i = 0; i < a->n; i++) {
        long k = crossing(&a->series[i], a->alpha);
        if (k < 0)
            continue;
        gnuplot_printf(g, "%.9g %.6g\n", (a->series[i].time_s[k] - x->origin) * x->per_s,
                       fmax(SEQPLOT_FLOOR, a->series[i].p[k]));
        n++;
    }
    gnuplot_printf(g, "EOD\n");
    for (size_t i = 0; i < a->n; i++) {
        long k = crossing(&a->series[i], a->alpha);
        if (k < 0)
            continue;
        double t = a->series[i].time_s[k] - x->origin;
        char when[32];
        text_duration(when, sizeof when, t);
        int right = x->range_s > 0.0 && t > 0.7 * x->range_s;
        gnuplot_printf(g,
                       "set label 'reached alpha at %s' at %.9g, %.6g %s offset %d, 1 "
                       "font ',9' tc rgb '%s' front\n",
                       when, t * x->per_s, fmax(SEQPLOT_FLOOR, a->series[i].p[k]),
                       right ? "right" : "left", right ? -1 : 1, alpha_colour);
    }
    return n;
}

void seqplot_script(gnuplot *g, const canvas *c, const void *arg)
{
    const seqplot *a = arg;
    axis x = axis_of(c, a);
    for (size_t i = 0; i < a->n; i++) {
        gnuplot_printf(g, "$S%zu << EOD\n", i);
        for (size_t k = 0; k < a->series[i].n; k++)
            gnuplot_printf(g, "%.9g %.6g\n", (a->series[i].time_s[k] - x.origin) * x.per_s,
                           fmax(SEQPLOT_FLOOR, a->series[i].p[k]));
        gnuplot_printf(g, "EOD\n");
    }
    if (c->r) {
        canvas_setup(g, c, a->title, "sequential p-value");
    } else {
        gnuplot_printf(g, "set title ");
        gnuplot_string(g, a->title);
        gnuplot_printf(g,
                       " font ',13'\nset xlabel '%s'\nset ylabel 'sequential p-value'\n"
                       "set border 3 lw 1 lc rgb '#666666'\n"
                       "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                       "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                       "set lmargin 14\n",
                       x.label);
    }
    gnuplot_printf(g,
                   "set logscale y\nset yrange [%g:2]\nset format y '1e%%L'\n"
                   "set arrow from graph 0, first %.10g to graph 1, first %.10g nohead "
                   "dt (7,5) lw 2 lc rgb '%s'\n",
                   SEQPLOT_FLOOR / 2, a->alpha, a->alpha, alpha_colour);
    size_t crossed = crossings(g, a, &x);
    gnuplot_printf(g, "plot ");
    for (size_t i = 0; i < a->n; i++) {
        gnuplot_printf(g, "%s$S%zu using 1:2 with steps lw 2 title ", i ? ", " : "", i);
        gnuplot_string(g, a->series[i].label);
    }
    gnuplot_printf(g, "%skeyentry with lines dt (7,5) lw 2 lc rgb '%s' title 'alpha %g'",
                   a->n ? ", " : "", alpha_colour, a->alpha);
    if (crossed)
        gnuplot_printf(g,
                       ", $X using 1:2 with points pt 7 ps 1.6 lc rgb '%s' "
                       "title 'reached alpha: the test rejects'",
                       alpha_colour);
    if (c->r)
        canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

int seqplot_draw(const char *dir, const char *stem, const seqplot *plot,
                 void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, seqplot_script, plot, err, errlen);
}
