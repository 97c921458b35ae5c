/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/replayplot.h"

#include "plots/plots.h"

#include <math.h>

static const char *const colours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b"};

void replayplot_script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const replayplot *p = arg;
    for (size_t s = 0; s < p->n; s++) {
        const replayplot_series *se = &p->series[s];
        gnuplot_printf(g, "$B%zu << EOD\n", s);
        for (size_t i = 0; i < se->n; i++)
            if (isfinite(se->low[i]))
                gnuplot_printf(g, "%.9g %.9g %.9g %.9g\n", se->time_s[i] / 60.0, se->low[i],
                               se->median[i], se->high[i]);
        gnuplot_printf(g, "EOD\n$O%zu << EOD\n", s);
        for (size_t i = 0; i < se->n; i++)
            if (isfinite(se->observed[i]))
                gnuplot_printf(g, "%.9g %.9g %d\n", se->time_s[i] / 60.0, se->observed[i],
                               se->outside[i] == 1 ? 7 : 6);
        gnuplot_printf(g, "EOD\n");
    }
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, p->title);
    gnuplot_printf(g, " font ',13'\nset xlabel 'recorded time (minutes from the first window)'\n"
                      "set ylabel ");
    gnuplot_string(g, p->ylabel);
    gnuplot_printf(g, "\nset border 3 lw 1 lc rgb '#666666'\n"
                      "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                      "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                      "set style fill transparent solid 0.25 noborder\nplot ");
    for (size_t s = 0; s < p->n; s++) {
        const char *colour = colours[s % (sizeof colours / sizeof *colours)];
        gnuplot_printf(g, "%s$B%zu using 1:2:4 with filledcurves lc rgb '%s' title ", s ? ", " : "",
                       s, colour);
        gnuplot_string(g, p->series[s].label);
        gnuplot_printf(g, ", $B%zu using 1:3 with lines lw 1.5 lc rgb '%s' notitle", s, colour);
        gnuplot_printf(g, ", $O%zu using 1:2:3 with points pt variable ps 0.8 lc rgb '%s' notitle",
                       s, colour);
    }
    gnuplot_printf(g, ", keyentry with points pt 6 lc rgb '#333333' title 'observed'"
                      ", keyentry with points pt 7 lc rgb '#333333' title 'observed, outside'"
                      ", keyentry with filledcurves lc rgb '#999999' title "
                      "'replications: range, median'\n");
}

int replayplot_draw(const char *dir, const char *stem, const replayplot *plot,
                    void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, replayplot_script, plot, err, errlen);
}
