/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/band.h"

#include "views/series.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int same(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

const replicas_band *band_find(const replicas_summary *rep, replicas_band_kind kind,
                               const char *router, const char *deployment)
{
    for (size_t i = 0; rep && i < rep->n_bands; i++) {
        const replicas_band *b = &rep->bands[i];
        if (b->kind == kind && same(b->router, router) && same(b->deployment, deployment))
            return b;
    }
    return NULL;
}

size_t band_block(gnuplot *g, const canvas *c, const char *name, const replicas_band *b,
                  size_t n_bins, double scale, double *lo, double *hi)
{
    const results *r = c->r;
    size_t windows = 0;
    int gap = 1;
    gnuplot_printf(g, "$%s << EOD\n", name);
    for (size_t k = 0; k < n_bins && k < r->n_bins; k++) {
        if (b->n[k] == 0 || isnan(b->p50[k])) {
            gnuplot_printf(g, gap ? "" : "\n");
            gap = 1;
            continue;
        }
        double v[3] = {scale * b->p05[k], scale * b->p50[k], scale * b->p95[k]};
        for (int edge = 0; edge < 2; edge++)
            gnuplot_printf(g, "%.9g %.9g %.9g %.9g\n",
                           canvas_x(c, edge ? series_bin_end(r, k) : series_bin_start(r, k)), v[0],
                           v[1], v[2]);
        for (int i = 0; i < 3; i++)
            if (v[i] > 0.0)
                *lo = fmin(*lo, v[i]);
        *hi = fmax(*hi, v[2]);
        windows++;
        gap = 0;
    }
    gnuplot_printf(g, "EOD\n");
    return windows;
}

void band_items(gnuplot *g, const char *sep, const char *name, const char *colour,
                const char *title)
{
    char text[300];
    gnuplot_printf(g,
                   "%s$%s using 1:2:4 with filledcurves fillcolor rgb '%s' "
                   "fillstyle transparent solid 0.3 noborder title ",
                   sep, name, colour);
    snprintf(text, sizeof text, "%s 5-95%%", title);
    gnuplot_string(g, text);
    gnuplot_printf(g, ", $%s using 1:3 with lines lw 2 lc rgb '%s' title ", name, colour);
    snprintf(text, sizeof text, "%s median", title);
    gnuplot_string(g, text);
}
