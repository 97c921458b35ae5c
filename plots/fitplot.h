/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fitplot — a fit's arrivals (fit.h) as a person checks them: each deployment's observed
 * rate per window as points and the fitted daily cycle as a line through them, time from
 * the first window; and its service time as a quantile plot, each low-utilisation
 * window's latency against the normal quantile of its level (log scale), where the fitted
 * lognormal is a straight line. A fit that misses the data shows as points off the line.
 */
#ifndef ROUTERSIM_FITPLOT_H
#define ROUTERSIM_FITPLOT_H

#include "sim/stats/fit.h"

#include <stddef.h>

/* Draw dir/stem.png and .svg. Returns 1 when drawn, 0 when not (said through warn, e.g.
 * gnuplot missing), -1 with the reason in err when a file could not be written. */
int fitplot_draw(const char *dir, const char *stem, const fit_result *r,
                 void (*warn)(const char *message), char *err, size_t errlen);

/* The service time's plot, the same way. */
int fitplot_draw_service(const char *dir, const char *stem, const fit_result *r,
                         void (*warn)(const char *message), char *err, size_t errlen);

#endif
