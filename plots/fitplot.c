/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/fitplot.h"

#include "plots/canvas.h"
#include "plots/plots.h"
#include "views/text.h"

#include <stdio.h>

static void script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const fit_result *r = arg;
    double per_s = 1.0;
    const char *label = "time from the first window (seconds)";
    if (r->span_s >= 3 * 3600.0)
        per_s = 1.0 / 3600.0, label = "time from the first window (hours)";
    else if (r->span_s >= 180.0)
        per_s = 1.0 / 60.0, label = "time from the first window (minutes)";
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        gnuplot_printf(g, "$D%zu << EOD\n", i);
        /* the middle of each window: where its count's rate belongs */
        for (size_t k = 0; k < d->n_windows; k++)
            gnuplot_printf(g, "%.9g %.9g %.9g\n", (d->time_s[k] + r->window_s / 2) * per_s,
                           d->observed_rate[k], d->fitted_rate[k]);
        gnuplot_printf(g, "EOD\n");
    }
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, "Arrivals: observed rate per window and the fitted cycle");
    gnuplot_printf(g,
                   " font ',13'\nset xlabel '%s'\nset ylabel 'requests per second'\n"
                   "set border 3 lw 1 lc rgb '#666666'\n"
                   "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                   "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                   "set yrange [0:*]\nplot ",
                   label);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const char *colour = canvas_colour((long)i);
        char title[300];
        snprintf(title, sizeof title, "%s observed", text_short_name(r->deployments[i].name));
        gnuplot_printf(g, "%s$D%zu using 1:2 with points pt 7 ps 0.5 lc rgb '%s' title ",
                       i ? ", " : "", i, colour);
        gnuplot_string(g, title);
        snprintf(title, sizeof title, "%s fitted", text_short_name(r->deployments[i].name));
        gnuplot_printf(g, ", $D%zu using 1:3 with lines lw 2 lc rgb '%s' title ", i, colour);
        gnuplot_string(g, title);
    }
    gnuplot_printf(g, "\n");
}

int fitplot_draw(const char *dir, const char *stem, const fit_result *r,
                 void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, script, r, err, errlen);
}
