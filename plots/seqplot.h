/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seqplot — the anytime-valid sequential p-value of phases over time (seqtest.h), one line
 * per phase on a log scale, alpha as a dashed line, and where a line first reaches alpha a
 * marked point labelled with the time: there the phase's sequential test rejected. Used by
 * `routersim srm` (one plot of every phase, time from the first interval) and by a run's
 * plots (one per router, on the run's time axis with its timeline). p-values below 1e-16
 * (or 0) are drawn at 1e-16.
 */
#ifndef ROUTERSIM_SEQPLOT_H
#define ROUTERSIM_SEQPLOT_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"

#include <stddef.h>

#define SEQPLOT_FLOOR 1e-16

typedef struct {
    const char *label; /* the phase, as a person names it */
    size_t n;
    const double *time_s; /* each look's time, non-decreasing */
    const double *p;      /* the sequential p-value after it */
} seqplot_series;

typedef struct {
    const char *title;
    double alpha;
    size_t n;
    const seqplot_series *series;
} seqplot;

/* The plot's script (a canvas_script); arg is a seqplot. With the canvas of a run (c->r
 * set) the x axis is the run's simulated time, with its timeline marked. */
void seqplot_script(gnuplot *g, const canvas *c, const void *arg);

/* Draw dir/stem.png and .svg apart from any run, times shown from the earliest one. Returns
 * 1 when drawn, 0 when not (said through warn, e.g. gnuplot missing), -1 with the reason in
 * err when a file could not be written. */
int seqplot_draw(const char *dir, const char *stem, const seqplot *plot,
                 void (*warn)(const char *message), char *err, size_t errlen);

#endif
