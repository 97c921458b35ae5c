/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * planplot — a capacity plan's candidates against their replica count: the pass rate with
 * its Clopper-Pearson interval (left axis) with the required rate dashed, and the served p99
 * latency (right axis, mean over the replications) with the SLO (a p99 latency limit)
 * dashed. Where the planned count lies is marked. Drawn as plan.png and plan.svg.
 */
#ifndef ROUTERSIM_PLANPLOT_H
#define ROUTERSIM_PLANPLOT_H

#include <stddef.h>

typedef struct {
    double replicas;           /* x: the candidate's count */
    double rate, lower, upper; /* pass rate and its interval */
    double p99_s;              /* NaN when nothing was served */
} planplot_point;

typedef struct {
    const char *title;
    const char *xlabel; /* e.g. "replicas of chat" */
    double pass_rate;   /* required; 0 draws no line */
    double slo_s;       /* NaN: no SLO line */
    double planned;     /* NaN: no plan to mark */
    size_t n;
    const planplot_point *points; /* any order */
} planplot;

/* Draw dir/stem.png and .svg. Returns 1 when drawn, 0 when not (said through warn, e.g.
 * gnuplot missing), -1 with the reason in err when a file could not be written. */
int planplot_draw(const char *dir, const char *stem, const planplot *plot,
                  void (*warn)(const char *message), char *err, size_t errlen);

#endif
