/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * band — a figure across replications (replicas.h) drawn as a band: per window of the time
 * series, the 5-95 % range of the replications' values as a ribbon in the deployment's
 * colour, the median as a line over it. Used by the split and capacity plots of replicated
 * runs instead of one replication's line (N lines overlaid would hide the spread).
 */
#ifndef ROUTERSIM_BAND_H
#define ROUTERSIM_BAND_H

#include "plots/canvas.h"
#include "plots/gnuplot.h"
#include "sim/stats/replicas.h"

#include <stddef.h>

/* The band of a kind for a deployment (and, for shares, a router; NULL otherwise), by full
 * names; NULL when the summary has none. */
const replicas_band *band_find(const replicas_summary *rep, replicas_band_kind kind,
                               const char *router, const char *deployment);

/* The band as datablock $<name>: per window that some replication had a value in, two rows
 * (the window's start and end) of x, 5 %, 50 % and 95 % times `scale`; a blank line over the
 * others. Widens [*lo, *hi] to the values written (*lo: the smallest positive). Returns the
 * windows written. */
size_t band_block(gnuplot *g, const canvas *c, const char *name, const replicas_band *b,
                  size_t n_bins, double scale, double *lo, double *hi);

/* The plot items of a band written by band_block: the ribbon ("<title> 5-95%") and the
 * median ("<title> median"), each after `sep`. */
void band_items(gnuplot *g, const char *sep, const char *name, const char *colour,
                const char *title);

#endif
