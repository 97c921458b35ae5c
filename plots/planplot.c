/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/planplot.h"

#include "plots/canvas.h"
#include "plots/plots.h"

#include <math.h>
#include <stdlib.h>

static int by_replicas(const void *a, const void *b)
{
    double x = ((const planplot_point *)a)->replicas, y = ((const planplot_point *)b)->replicas;
    return (x > y) - (x < y);
}

static void script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const planplot *a = arg;
    planplot_point *pts = malloc((a->n + 1) * sizeof *pts);
    size_t n = 0;
    for (size_t i = 0; pts && i < a->n; i++)
        pts[n++] = a->points[i];
    qsort(pts, n, sizeof *pts, by_replicas);
    double lo = n ? pts[0].replicas : 0, hi = n ? pts[n - 1].replicas : 1, ymax = 0;
    gnuplot_printf(g, "$P << EOD\n");
    for (size_t i = 0; i < n; i++) {
        gnuplot_printf(g, "%.10g %.6g %.6g %.6g %.6g\n", pts[i].replicas, pts[i].rate, pts[i].lower,
                       pts[i].upper, pts[i].p99_s);
        if (isfinite(pts[i].p99_s) && pts[i].p99_s > ymax)
            ymax = pts[i].p99_s;
    }
    gnuplot_printf(g, "EOD\n");
    free(pts);
    if (isfinite(a->slo_s) && a->slo_s > ymax)
        ymax = a->slo_s;
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, a->title);
    gnuplot_printf(g, " font ',13'\nset xlabel ");
    gnuplot_string(g, a->xlabel);
    gnuplot_printf(g,
                   "\nset ylabel 'pass rate over replications'\n"
                   "set y2label 'served p99 latency (s), mean over replications'\n"
                   "set border 11 lw 1 lc rgb '#666666'\n"
                   "set tics out scale 0.5 tc rgb '#333333'\nset ytics nomirror\n"
                   "set y2tics\nset xtics nomirror\n"
                   "set xrange [%g:%g]\nset yrange [0:1.05]\nset y2range [0:%g]\n"
                   "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n",
                   lo - 0.5, hi + 0.5, ymax > 0 ? ymax * 1.15 : 1);
    /* replica counts are whole numbers */
    gnuplot_printf(g, "set xtics %g\n", hi - lo > 20 ? ceil((hi - lo) / 20) : 1);
    if (a->pass_rate > 0)
        gnuplot_printf(g,
                       "set arrow from graph 0, first %.10g to graph 1, first %.10g nohead "
                       "dt (7,5) lw 2 lc rgb '#1f77b4'\n",
                       a->pass_rate, a->pass_rate);
    if (isfinite(a->slo_s))
        gnuplot_printf(g,
                       "set arrow from graph 0, second %.10g to graph 1, second %.10g nohead "
                       "dt (3,4) lw 2 lc rgb '#d62728'\n",
                       a->slo_s, a->slo_s);
    if (isfinite(a->planned))
        gnuplot_printf(g,
                       "set arrow from first %.10g, graph 0 to first %.10g, graph 1 nohead "
                       "lw 1 lc rgb '#2ca02c'\n",
                       a->planned, a->planned);
    gnuplot_printf(g, "plot $P using 1:2:3:4 with yerrorlines lw 2 pt 7 lc rgb '#1f77b4' "
                      "title 'pass rate (interval)', "
                      "$P using 1:5 axes x1y2 with linespoints lw 2 pt 5 lc rgb '#d62728' "
                      "title 'p99 latency'");
    if (a->pass_rate > 0)
        gnuplot_printf(g,
                       ", keyentry with lines dt (7,5) lw 2 lc rgb '#1f77b4' "
                       "title sprintf('required pass rate %%g', %.6g)",
                       a->pass_rate);
    if (isfinite(a->slo_s))
        gnuplot_printf(g,
                       ", keyentry with lines dt (3,4) lw 2 lc rgb '#d62728' "
                       "title sprintf('SLO: p99 %%g s', %.6g)",
                       a->slo_s);
    if (isfinite(a->planned))
        gnuplot_printf(g, ", keyentry with lines lw 1 lc rgb '#2ca02c' title 'planned'");
    gnuplot_printf(g, "\n");
}

int planplot_draw(const char *dir, const char *stem, const planplot *plot,
                  void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, script, plot, err, errlen);
}
