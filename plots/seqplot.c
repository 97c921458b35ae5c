/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/seqplot.h"

#include "plots/canvas.h"
#include "plots/plots.h"

#include <math.h>
#include <stdio.h>

typedef struct {
    const char *title;
    double alpha, origin, per_s;
    const char *unit;
    size_t n;
    const seqplot_series *series;
} seq_args;

static void script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const seq_args *a = arg;
    for (size_t i = 0; i < a->n; i++) {
        gnuplot_printf(g, "$S%zu << EOD\n", i);
        for (size_t k = 0; k < a->series[i].n; k++)
            gnuplot_printf(g, "%.9g %.6g\n", (a->series[i].time_s[k] - a->origin) * a->per_s,
                           fmax(SEQPLOT_FLOOR, a->series[i].p[k]));
        gnuplot_printf(g, "EOD\n");
    }
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, a->title);
    gnuplot_printf(g,
                   " font ',13'\nset xlabel 'time from the first interval (%s)'\n"
                   "set ylabel 'sequential p-value'\nset logscale y\nset yrange [%g:2]\n"
                   "set format y '1e%%L'\nset border 3 lw 1 lc rgb '#666666'\n"
                   "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                   "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                   "set arrow from graph 0, first %.10g to graph 1, first %.10g nohead "
                   "dt (7,5) lw 2 lc rgb '#c0392b'\nset lmargin 14\n",
                   a->unit, SEQPLOT_FLOOR / 2, a->alpha, a->alpha);
    gnuplot_printf(g, "plot ");
    for (size_t i = 0; i < a->n; i++) {
        gnuplot_printf(g, "%s$S%zu using 1:2 with steps lw 2 title ", i ? ", " : "", i);
        gnuplot_string(g, a->series[i].label);
    }
    gnuplot_printf(g, "%skeyentry with lines dt (7,5) lw 2 lc rgb '#c0392b' title 'alpha %g'\n",
                   a->n ? ", " : "", a->alpha);
}

int seqplot_draw(const char *dir, const char *stem, const char *title, double alpha, size_t n,
                 const seqplot_series *series, void (*warn)(const char *message), char *err,
                 size_t errlen)
{
    double first = INFINITY, last = -INFINITY;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < series[i].n; k++) {
            first = fmin(first, series[i].time_s[k]);
            last = fmax(last, series[i].time_s[k]);
        }
    double span = isfinite(first) ? last - first : 0.0;
    seq_args a = {.title = title,
                  .alpha = alpha,
                  .origin = isfinite(first) ? first : 0.0,
                  .n = n,
                  .series = series};
    a.per_s = span >= 5 * 3600.0 ? 1.0 / 3600.0 : span >= 300.0 ? 1.0 / 60.0 : 1.0;
    a.unit = span >= 5 * 3600.0 ? "hours" : span >= 300.0 ? "minutes" : "seconds";
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, script, &a, err, errlen);
}
