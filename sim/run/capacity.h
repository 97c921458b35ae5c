/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * capacity — the deployments' side of a run: serving models, cold starts, the autoscaler
 * and the load measurements.
 *
 * Every deployment's serving model (queue or batching, pooled or balanced) is driven through
 * one interface (servemodel.h): this module knows no model's insides.
 *
 * The engine routes each request to a deployment; this module decides what happens to it
 * there (served, queued, rejected, timed out) and schedules what follows in the engine's
 * event queue: replicas becoming ready after their cold start, and autoscaler ticks. It changes the
 * world only through world_set_ready and world_autoscale, and tells the engine when a commit is
 * due. Deployments without a serving model have infinite capacity and are not tracked here.
 * Measurements go into the results as bins, per phase, per run and over each capacity check's
 * interval, from cumulative totals and mergeable histograms: no per-request memory. What it
 * writes into the results is listed in results.h ("written by capacity").
 */
#ifndef ROUTERSIM_CAPACITY_H
#define ROUTERSIM_CAPACITY_H

#include "sim/base/eventq.h"
#include "sim/model/results.h"
#include "sim/model/scenario.h"
#include "sim/model/world.h"

#include <gsl/gsl_rng.h>

/* How many event kinds this module puts in the queue: replicas ready after a cold start, and
 * autoscaler ticks. The engine owns the numbering of kinds and hands this module the first
 * of CAPACITY_N_EVENT_KINDS consecutive ones; every event of a kind in that range is this
 * module's to handle. What happens inside a deployment (completions, timeouts) never goes
 * in the queue: see servemodel.h. */
#define CAPACITY_N_EVENT_KINDS 2

typedef struct capacity capacity;

/* first_kind: the first of the CAPACITY_N_EVENT_KINDS event kinds this module may use. */
capacity *capacity_new(const scenario *sc, world *w, eventq *q, gsl_rng *rng, results *res,
                       int first_kind);
void capacity_free(capacity *c);

/* 1 when some deployment has a serving model (otherwise every call below is a no-op). */
int capacity_active(const capacity *c);

/* Start, once the results know their bins: plan the capacity checks' whole-interval
 * measurements and schedule the autoscaler's ticks. Returns 0, or -1 (capacity_error). */
int capacity_start(capacity *c);

/* After every world commit: track new deployments, follow ready replicas, start or cancel
 * cold starts. Returns 0, or -1. */
int capacity_sync(capacity *c, double now);

/* A request routed to a deployment (slot) at `now`, with its size (NULL when it carries
 * none): the hot path. Returns 0, or -1 when the run cannot go on: the queues of all
 * deployments together reached SERVING_MAX_QUEUE waiting-request slots (one budget for the
 * run), or memory ran out ("out of memory"). */
int capacity_arrive(capacity *c, size_t deployment, double now, const tokens_size *size);

/* Handle one of this module's events. *world_changed is set when the world needs a commit
 * (then capacity_sync again). Returns 0, or -1. */
int capacity_handle(capacity *c, const eventq_event *ev, double now, int *world_changed);

/* A router's phase opened (over r's deployments, in r's order) or is closing: start or
 * finish its deployments' measurements, results.phases[phase].deployments[i].load. */
int capacity_phase_open(capacity *c, size_t phase, const world_router *r, double now);
void capacity_phase_close(capacity *c, size_t phase, double now);

/* The end of a bin: one load point per tracked deployment, and the whole-interval loads of
 * the capacity checks whose last bin it is (results.interval_loads). Returns 0, or -1. */
int capacity_end_bin(capacity *c, uint32_t bin, double now);

/* The end of the run: per-deployment loads, and results.unserved: every request routed to
 * a deployment with a serving model that was rejected, timed out, or is still waiting or in
 * service now. Returns 0, or -1. */
int capacity_finish(capacity *c, double now);

const char *capacity_error(const capacity *c);

#endif
