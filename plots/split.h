/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * split — the plot people look at first: for one router, the share of its requests each
 * deployment received over time as stacked areas, with the share its replicas promise as
 * dashed steps over them and written above each phase ("80/20"), the phase boundaries, where
 * the router did not exist, and the timeline. A wrong step in a runbook shows as an area
 * leaving its dashed line.
 */
#ifndef ROUTERSIM_SPLIT_H
#define ROUTERSIM_SPLIT_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"
#include "views/series.h"
#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stddef.h>

typedef struct split_plot split_plot;

/* The split plot of a router (index into results.routers); NULL when out of memory. With
 * the summary of a replicated run (else NULL) each deployment's share is drawn as its band
 * across replications (band.h) beside its expected share, instead of one replication's
 * shares stacked. */
split_plot *split_new(const series *s, size_t router, const replicas_summary *rep);

void split_free(split_plot *sp);

/* Is there anything to draw: requests routed, or an expected split between deployments? */
int split_drawable(const split_plot *sp);

/* "Traffic split of router my-router" (", across 20 replications") */
const char *split_title(const split_plot *sp);

/* The plot's script (a canvas_script); arg is the split_plot. */
void split_script(gnuplot *g, const canvas *c, const void *arg);

#endif
