/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seqplot — the anytime-valid sequential p-value of phases over time (seqtest.h), one line
 * per phase on a log scale, alpha as a dashed line: where a line crosses it, the phase
 * failed, and when. Drawn as stem.png and stem.svg through canvas_render. p-values below
 * 1e-16 (or 0) are drawn at 1e-16.
 */
#ifndef ROUTERSIM_SEQPLOT_H
#define ROUTERSIM_SEQPLOT_H

#include <stddef.h>

#define SEQPLOT_FLOOR 1e-16

typedef struct {
    const char *label; /* the phase, as a person names it */
    size_t n;
    const double *time_s; /* each look's time, non-decreasing */
    const double *p;      /* the sequential p-value after it */
} seqplot_series;

/* Returns 1 when drawn, 0 when not (said through warn, e.g. gnuplot missing), -1 with the
 * reason in err when a file could not be written. Times are shown from the earliest one. */
int seqplot_draw(const char *dir, const char *stem, const char *title, double alpha, size_t n,
                 const seqplot_series *series, void (*warn)(const char *message), char *err,
                 size_t errlen);

#endif
