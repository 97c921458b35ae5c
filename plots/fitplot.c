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

/* The service fit as a quantile plot: every window's latency points against the normal
 * quantile of their level, log scale, and each deployment's fitted lognormal, which is a
 * straight line there: exp(mu + sigma z). */
static void service_script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const fit_result *r = arg;
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        gnuplot_printf(g, "$S%zu << EOD\n", i);
        for (size_t k = 0; k < d->n_service_points; k++)
            gnuplot_printf(g, "%.9g %.9g\n", d->service_z[k], d->service_latency_s[k]);
        gnuplot_printf(g, "EOD\n");
    }
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, "Service time: latency quantiles of low-utilisation windows and the "
                      "fitted lognormal");
    gnuplot_printf(g, " font ',13'\nset xlabel 'normal quantile of the level (0 is p50, 2.33 "
                      "p99)'\nset ylabel 'latency (s), log scale'\n"
                      "set border 3 lw 1 lc rgb '#666666'\n"
                      "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                      "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                      "set logscale y\nset xrange [-3.5:3.5]\nplot ");
    int any = 0;
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        if (!d->mu.identified)
            continue;
        const char *colour = canvas_colour((long)i);
        char title[300];
        snprintf(title, sizeof title, "%s observed", text_short_name(d->name));
        gnuplot_printf(g, "%s$S%zu using 1:2 with points pt 7 ps 0.4 lc rgb '%s' title ",
                       any ? ", " : "", i, colour);
        gnuplot_string(g, title);
        snprintf(title, sizeof title, "%s fitted lognormal", text_short_name(d->name));
        gnuplot_printf(g, ", exp(%.9g + %.9g * x) with lines lw 2 lc rgb '%s' title ",
                       d->mu.estimate, d->sigma.estimate, colour);
        gnuplot_string(g, title);
        any = 1;
    }
    if (!any)
        gnuplot_printf(g, "NaN title 'no service time fitted'");
    gnuplot_printf(g, "\n");
}

int fitplot_draw_service(const char *dir, const char *stem, const fit_result *r,
                         void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, service_script, r, err, errlen);
}
