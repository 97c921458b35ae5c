/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replayplot — a recorded figure against the model's replications over time: per deployment,
 * the replications' range in a window as a ribbon, their median as a line, and the observed
 * value as points (filled where it fell outside the range). Used by routersim replay.
 */
#ifndef ROUTERSIM_REPLAYPLOT_H
#define ROUTERSIM_REPLAYPLOT_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"

#include <stddef.h>

typedef struct {
    const char *label; /* the deployment */
    size_t n;
    const double *time_s, *low, *median, *high, *observed; /* per window, time order */
    const int *outside; /* per window: 1 outside, 0 inside, -1 not judged */
} replayplot_series;

typedef struct {
    const char *title, *ylabel;
    size_t n;
    const replayplot_series *series;
} replayplot;

void replayplot_script(gnuplot *g, const canvas *c, const void *arg);

/* Draw dir/stem.png and .svg. Returns 1 drawn, 0 not (said through warn), -1 with err. */
int replayplot_draw(const char *dir, const char *stem, const replayplot *plot,
                    void (*warn)(const char *message), char *err, size_t errlen);

#endif
