/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lineup — the deployments one plot shows: those of one router's phases (or of every
 * router's), in the order of results.deployments, so that a deployment keeps its colour and
 * its place in the stack in every plot of a run.
 */
#ifndef ROUTERSIM_LINEUP_H
#define ROUTERSIM_LINEUP_H

#include "sim/model/results.h"

#include <stddef.h>

typedef struct {
    size_t n;
    const char **names; /* owned by the results */
    long *index;        /* in results.deployments; -1 for one never in the time series */
} lineup;

/* The deployments of the router's phases (index into results.routers; -1: every router).
 * Returns 0, or -1 when out of memory (free l either way). */
int lineup_build(lineup *l, const results *r, long router);

void lineup_free(lineup *l);

/* Does the phase belong to the router (-1: to any)? */
int lineup_phase_matches(const results *r, const results_phase *ph, long router);

/* Position of a deployment in the lineup, or -1. */
long lineup_find(const lineup *l, const char *name);

/* The expected share of each deployment of the lineup in a phase (0 for one not in it) into
 * share[0..n); returns the sum of the phase's shares (0 when no replica is ready). */
double lineup_shares(const lineup *l, const results_phase *ph, double *share);

#endif
