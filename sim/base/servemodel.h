/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * servemodel — one deployment's serving model behind one interface: requests arrive, ready
 * replicas change, the model plays itself forward to a time, and the owner reads cumulative
 * totals and the histograms recorded since it last reset them.
 *
 * Every model plays what happens inside the deployment lazily, in its own time order, up to
 * the time it is told (completions, iterations, timeouts never enter the simulation's event
 * queue): nothing outside a deployment depends on them, and the owner measures an interval
 * as the difference of two snapshots of the totals. So the run (sim/run/capacity) drives
 * every model the same way, and a new model is one new file implementing servemodel_ops plus
 * one case in servemodel_new. The models:
 *   queuemodel  slots and a FIFO queue (serving.h): pooled over the replicas (balancer
 *               ideal, today's model), or one queue per replica behind a balancer;
 *   batching    continuous-batching replicas (batching.h), pooled or balanced.
 */
#ifndef ROUTERSIM_SERVEMODEL_H
#define ROUTERSIM_SERVEMODEL_H

#include "sim/base/latency.h"
#include "sim/base/serving.h"
#include "sim/base/tokens.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

/* Totals since the deployment was created. `base` as in serving.h (for the batching model a
 * "slot" is one of max_running per ready replica); counts as they happen, integrals and
 * `base.unfinished` as of the last servemodel_advance. */
typedef struct {
    serving_totals base;
    uint64_t prompt_tokens, output_tokens; /* of completed requests (batching model) */
    uint64_t iterations;                   /* ended, all replicas */
    double batch_sum;                      /* requests in those iterations, summed */
    double kv_s;          /* integral of KV-cache tokens in use on ready replicas */
    double kv_capacity_s; /* integral of the KV-cache budget of ready replicas */
} servemodel_totals;

/* What the model recorded since the owner last reset the histograms (the owner resets them
 * after merging). latency, wait and gave_up as in serving.h; ttft from arrival to the first
 * output token; tpot per request of two or more output tokens. A model may hand the same
 * histogram twice (the queue model's ttft is its latency). */
typedef struct {
    latency *latency, *wait, *gave_up, *ttft, *tpot;
} servemodel_recent;

typedef struct servemodel servemodel;

typedef struct {
    /* A request arrives at now (after the model played up to now); size is NULL when the
     * request carries none. */
    serving_outcome (*arrive)(servemodel *m, double now, const tokens_size *size);
    void (*set_ready)(servemodel *m, long long ready_replicas, double now);
    void (*advance)(servemodel *m, double now);
    const servemodel_totals *(*totals)(servemodel *m);
    const servemodel_recent *(*recent)(servemodel *m);
    long long (*take_max_waiting)(servemodel *m);
    double (*take_max_kv)(servemodel *m); /* largest fraction of one replica's budget */
    int (*out_of_memory)(const servemodel *m);
    void (*free)(servemodel *m);
} servemodel_ops;

/* Every model's state begins with this header. */
struct servemodel {
    const servemodel_ops *ops;
};

/* The model the spec asks for, with ready_replicas at now, drawing from rng and its queue
 * memory from budget (both must outlive it). NULL with the reason in err. */
servemodel *servemodel_new(const serving_spec *spec, long long ready_replicas, double now,
                           gsl_rng *rng, serving_budget *budget, char *err, size_t errlen);
void servemodel_free(servemodel *m);

/* Inline: every routed request passes here. */
static inline serving_outcome servemodel_arrive(servemodel *m, double now, const tokens_size *size)
{
    return m->ops->arrive(m, now, size);
}
void servemodel_set_ready(servemodel *m, long long ready_replicas, double now);
/* Play the model up to now and bring the totals' integrals up to it. */
void servemodel_advance(servemodel *m, double now);
const servemodel_totals *servemodel_totals_of(servemodel *m);
const servemodel_recent *servemodel_recent_of(servemodel *m);
/* The most requests waiting at once since the last call (which restarts the count). With
 * per-replica queues of the queue model, the sum of each queue's most: an upper bound. */
long long servemodel_take_max_waiting(servemodel *m);
/* The largest fraction of one replica's KV budget in use since the last call; 0 for models
 * without a KV cache. */
double servemodel_take_max_kv(servemodel *m);
int servemodel_out_of_memory(const servemodel *m);

/* Requests one replica runs at once: concurrency (queue) or max_running (batching). */
long long servemodel_slots_per_replica(const serving_spec *spec);

#endif
