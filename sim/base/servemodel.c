/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/servemodel.h"

#include "sim/base/batching.h"
#include "sim/base/queuemodel.h"

#include <stdio.h>

servemodel *servemodel_new(const serving_spec *spec, long long ready_replicas, double now,
                           gsl_rng *rng, serving_budget *budget, char *err, size_t errlen)
{
    servemodel *m = NULL;
    switch (spec->model) {
    case SERVING_MODEL_BATCHING:
        if (spec->max_running < 1 || spec->kv_cache_tokens < 1 || !(spec->iteration.base_s > 0)) {
            snprintf(err, errlen,
                     "a batching model needs max_running, kv_cache_tokens and an "
                     "iteration base time above 0");
            return NULL;
        }
        m = batching_new(spec, ready_replicas, now, rng, budget);
        break;
    case SERVING_MODEL_QUEUE:
    default:
        m = queuemodel_new(spec, ready_replicas, now, rng, budget);
        break;
    }
    if (!m)
        snprintf(err, errlen, "out of memory");
    return m;
}

void servemodel_free(servemodel *m)
{
    if (m)
        m->ops->free(m);
}

void servemodel_set_ready(servemodel *m, long long ready_replicas, double now)
{
    m->ops->set_ready(m, ready_replicas, now);
}

void servemodel_advance(servemodel *m, double now)
{
    m->ops->advance(m, now);
}

const servemodel_totals *servemodel_totals_of(servemodel *m)
{
    return m->ops->totals(m);
}

const servemodel_recent *servemodel_recent_of(servemodel *m)
{
    return m->ops->recent(m);
}

long long servemodel_take_max_waiting(servemodel *m)
{
    return m->ops->take_max_waiting(m);
}

double servemodel_take_max_kv(servemodel *m)
{
    return m->ops->take_max_kv(m);
}

int servemodel_out_of_memory(const servemodel *m)
{
    return m->ops->out_of_memory(m);
}

long long servemodel_slots_per_replica(const serving_spec *spec)
{
    return spec->model == SERVING_MODEL_BATCHING ? spec->max_running : spec->concurrency;
}
