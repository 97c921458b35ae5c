/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/queuemodel.h"

#include "sim/base/balancer.h"

#include <stdlib.h>

typedef struct {
    servemodel header;
    serving_spec spec; /* per instance: one replica each when balanced */
    gsl_rng *rng;
    serving_budget *budget;
    serving **replicas; /* [n]: one pooled instance, or one per replica ever ready */
    size_t n;
    long long ready; /* balanced: instances [0, ready) get requests */
    balancer bal;
    servemodel_totals totals;
    servemodel_recent recent;
    latency *tpot; /* stays empty */
    int out_of_memory;
} queuemodel;

static int balanced(const queuemodel *q)
{
    return q->spec.balancer != SERVING_BALANCE_IDEAL;
}

static long long outstanding(void *ctx, size_t i)
{
    queuemodel *q = ctx;
    return (long long)serving_totals_of(q->replicas[i])->unfinished;
}

/* Balanced: instances up to `ready`, created at 1 replica each. */
static int ensure(queuemodel *q, long long ready, double now)
{
    if (ready <= (long long)q->n)
        return 0;
    serving **grown = realloc(q->replicas, (size_t)ready * sizeof *grown);
    if (!grown)
        return -1;
    q->replicas = grown;
    while ((long long)q->n < ready) {
        if (!(q->replicas[q->n] = serving_new(&q->spec, 1, now, q->rng, q->budget)))
            return -1;
        q->n++;
    }
    return 0;
}

static void qm_advance(servemodel *m, double now)
{
    queuemodel *q = (queuemodel *)m;
    for (size_t i = 0; i < q->n; i++)
        serving_advance(q->replicas[i], now);
}

/* The pooled queue's hot path: today's model, with nothing in between. */
static serving_outcome pooled_arrive(servemodel *m, double now, const tokens_size *size)
{
    (void)size;
    return serving_arrive(((queuemodel *)m)->replicas[0], now);
}

static serving_outcome qm_arrive(servemodel *m, double now, const tokens_size *size)
{
    queuemodel *q = (queuemodel *)m;
    (void)size;
    if (q->ready <= 0 || q->n == 0) {
        /* No replica to pick: the request waits on the first instance, which holds it until
         * a replica is ready (as the pooled queue does). */
        if (ensure(q, 1, now) != 0)
            return SERVING_NO_MEMORY;
        return serving_arrive(q->replicas[0], now);
    }
    if (q->spec.balancer != SERVING_BALANCE_ROUND_ROBIN)
        qm_advance(m, now);
    size_t i = balancer_pick(&q->bal, (size_t)q->ready, outstanding, q, q->rng);
    return serving_arrive(q->replicas[i], now);
}

static void qm_set_ready(servemodel *m, long long ready, double now)
{
    queuemodel *q = (queuemodel *)m;
    if (!balanced(q)) {
        serving_set_ready(q->replicas[0], ready, now);
        return;
    }
    if (ensure(q, ready, now) != 0) {
        q->out_of_memory = 1;
        return;
    }
    for (size_t i = 0; i < q->n; i++)
        serving_set_ready(q->replicas[i], (long long)i < ready ? 1 : 0, now);
    q->ready = ready;
}

static const servemodel_totals *qm_totals(servemodel *m)
{
    queuemodel *q = (queuemodel *)m;
    serving_totals sum = {0};
    for (size_t i = 0; i < q->n; i++) {
        const serving_totals *t = serving_totals_of(q->replicas[i]);
        sum.arrived += t->arrived;
        sum.started += t->started;
        sum.completed += t->completed;
        sum.rejected += t->rejected;
        sum.timed_out += t->timed_out;
        sum.waited += t->waited;
        sum.wait_s += t->wait_s;
        sum.busy_s += t->busy_s;
        sum.slots_busy_s += t->slots_busy_s;
        sum.queued_s += t->queued_s;
        sum.capacity_s += t->capacity_s;
        sum.unfinished += t->unfinished;
    }
    q->totals.base = sum;
    return &q->totals;
}

/* The histograms of every instance gathered into the pooled instance's own (instance 0),
 * which is what the owner reads and resets. */
static const servemodel_recent *qm_recent(servemodel *m)
{
    queuemodel *q = (queuemodel *)m;
    const serving_recent *first = serving_recent_of(q->replicas[0]);
    for (size_t i = 1; i < q->n; i++) {
        const serving_recent *r = serving_recent_of(q->replicas[i]);
        latency_merge(first->latency, r->latency);
        latency_merge(first->wait, r->wait);
        latency_merge(first->gave_up, r->gave_up);
        latency_reset(r->latency);
        latency_reset(r->wait);
        latency_reset(r->gave_up);
    }
    q->recent =
        (servemodel_recent){first->latency, first->wait, first->gave_up, first->latency, q->tpot};
    return &q->recent;
}

static long long qm_take_max_waiting(servemodel *m)
{
    queuemodel *q = (queuemodel *)m;
    long long sum = 0;
    for (size_t i = 0; i < q->n; i++)
        sum += serving_take_max_waiting(q->replicas[i]);
    return sum;
}

static double qm_take_max_kv(servemodel *m)
{
    (void)m;
    return 0;
}

static int qm_out_of_memory(const servemodel *m)
{
    const queuemodel *q = (const queuemodel *)m;
    int oom = q->out_of_memory;
    for (size_t i = 0; i < q->n; i++)
        oom |= serving_out_of_memory(q->replicas[i]);
    return oom;
}

static void qm_free(servemodel *m)
{
    queuemodel *q = (queuemodel *)m;
    for (size_t i = 0; i < q->n; i++)
        serving_free(q->replicas[i]);
    free(q->replicas);
    latency_free(q->tpot);
    free(q);
}

static const servemodel_ops balanced_ops = {qm_arrive,      qm_set_ready,     qm_advance,
                                            qm_totals,      qm_recent,        qm_take_max_waiting,
                                            qm_take_max_kv, qm_out_of_memory, qm_free};
static const servemodel_ops pooled_ops = {pooled_arrive,  qm_set_ready,     qm_advance,
                                          qm_totals,      qm_recent,        qm_take_max_waiting,
                                          qm_take_max_kv, qm_out_of_memory, qm_free};

servemodel *queuemodel_new(const serving_spec *spec, long long ready_replicas, double now,
                           gsl_rng *rng, serving_budget *budget)
{
    queuemodel *q = calloc(1, sizeof *q);
    if (!q)
        return NULL;
    q->header.ops = spec->balancer == SERVING_BALANCE_IDEAL ? &pooled_ops : &balanced_ops;
    q->spec = *spec;
    q->rng = rng;
    q->budget = budget;
    q->bal.policy = spec->balancer;
    q->ready = ready_replicas;
    int ok = (q->tpot = latency_new()) != NULL;
    if (ok && !balanced(q)) {
        ok = (q->replicas = malloc(sizeof *q->replicas)) &&
             (q->replicas[0] = serving_new(spec, ready_replicas, now, rng, budget));
        q->n = ok ? 1 : 0;
    } else if (ok) {
        ok = ensure(q, ready_replicas > 0 ? ready_replicas : 1, now) == 0;
        if (ok && ready_replicas == 0)
            serving_set_ready(q->replicas[0], 0, now);
    }
    if (!ok) {
        qm_free(&q->header);
        return NULL;
    }
    return &q->header;
}
