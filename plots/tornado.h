/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * tornado — a tornado plot: one horizontal bar per row, from the nominal figure to the figure
 * with a parameter at the low end of its interval (one colour) and at the high end (another),
 * rows sorted by their swing, widest on top, with a vertical reference line (a check's limit).
 * Used by routersim sensitivity with each check's value divided by its limit, so that 1 is
 * where a verdict flips whatever the check's unit.
 */
#ifndef ROUTERSIM_TORNADO_H
#define ROUTERSIM_TORNADO_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"

#include <stddef.h>

typedef struct {
    const char *label;         /* the row, as a person names it */
    double nominal, low, high; /* the figure nominal, with the parameter low, with it high */
} tornado_bar;

typedef struct {
    const char *title, *xlabel;
    double reference; /* drawn as a dashed vertical line */
    size_t n;
    const tornado_bar *bars; /* any order; NaN figures are left out of a bar */
} tornado;

/* The plot's script (a canvas_script); arg is a tornado. */
void tornado_script(gnuplot *g, const canvas *c, const void *arg);

/* Draw dir/stem.png and .svg. Returns 1 when drawn, 0 when not (said through warn, e.g.
 * gnuplot missing), -1 with the reason in err when a file could not be written. */
int tornado_draw(const char *dir, const char *stem, const tornado *plot,
                 void (*warn)(const char *message), char *err, size_t errlen);

#endif
