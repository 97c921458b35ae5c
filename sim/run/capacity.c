/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/capacity.h"

#include "sim/run/autoscaler.h"
#include "sim/base/latency.h"
#include "sim/base/serving.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Measurements since a mark: serving totals then, and the latencies recorded since. */
typedef struct {
    serving_totals mark;
    latency *latencies;
    double since_s;
} meter;

/* A router phase that the deployment is part of: results.phases[phase].deployments[index]. */
typedef struct {
    size_t phase, index;
    meter m;
} phase_meter;

/* A deployment with a serving model. Its latencies gather in the serving model's own
 * histogram and are merged into the bin, run and phase histograms whenever one of those is
 * measured, begun or ended: one histogram update per request, whatever is measured. */
typedef struct {
    serving *srv; /* NULL: no serving model, not tracked */
    const serving_spec *spec;
    autoscaler *scaler;
    double *ready_at; /* cold starts under way, oldest first */
    size_t n_pending, cap_pending;
    meter bin, run;
    long long run_max_waiting;
    phase_meter *phases;
    size_t n_phases;
    double last_arrival_s;
    double tick_in_flight_s; /* busy_s + queued_s at the last tick */
    uint64_t tick_arrived;
    int zero_noted;
    uint32_t name;
} tracked;

struct capacity {
    const scenario *sc;
    world *w;
    eventq *q;
    gsl_rng *rng;
    results *res;
    tracked *deps;
    size_t n_deps;
    int failed;
    char err[512];
};

static int fail(capacity *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(capacity *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->err, sizeof c->err, fmt, ap);
    va_end(ap);
    c->failed = 1;
    return -1;
}

capacity *capacity_new(const scenario *sc, world *w, eventq *q, gsl_rng *rng, results *res)
{
    capacity *c = calloc(1, sizeof *c);
    if (c)
        *c = (capacity){.sc = sc, .w = w, .q = q, .rng = rng, .res = res};
    return c;
}

static void free_tracked(tracked *t)
{
    serving_free(t->srv);
    autoscaler_free(t->scaler);
    free(t->ready_at);
    latency_free(t->bin.latencies);
    latency_free(t->run.latencies);
    for (size_t i = 0; i < t->n_phases; i++)
        latency_free(t->phases[i].m.latencies);
    free(t->phases);
}

void capacity_free(capacity *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_deps; i++)
        free_tracked(&c->deps[i]);
    free(c->deps);
    free(c);
}

int capacity_active(const capacity *c)
{
    return c->sc->n_serving > 0;
}

const char *capacity_error(const capacity *c)
{
    return c->err;
}

static int push(capacity *c, double time, int kind, size_t slot)
{
    if (eventq_push(c->q, time, kind, (int)slot) != 0)
        return fail(c, "out of memory");
    return 0;
}

int capacity_start(capacity *c)
{
    if (!capacity_active(c) || AUTOSCALER_TICK_S > c->sc->duration_s)
        return 0;
    return push(c, AUTOSCALER_TICK_S, CAPACITY_EV_TICK, 0);
}

static int add_event(capacity *c, double now, char *text)
{
    results_event *ev = results_add_event(c->res);
    if (!ev || !text) {
        free(text);
        return fail(c, "out of memory");
    }
    ev->at_s = now;
    ev->text = text;
    return 0;
}

/* ---- measuring ------------------------------------------------------------------------ */

static int meter_start(meter *m, const tracked *t, double now)
{
    if (!m->latencies && !(m->latencies = latency_new()))
        return -1;
    latency_reset(m->latencies);
    m->mark = *serving_totals_of(t->srv);
    m->since_s = now;
    return 0;
}

/* What happened between the meter's mark and now (the serving model advanced to now). */
static results_load measure(const tracked *t, const meter *m, double now, long long max_waiting)
{
    const serving_totals *a = serving_totals_of(t->srv), *b = &m->mark;
    double span = now - m->since_s;
    uint64_t started = a->started - b->started;
    double slots = a->capacity_s - b->capacity_s;
    results_load load = {
        .arrived = a->arrived - b->arrived,
        .started = started,
        .completed = a->completed - b->completed,
        .rejected = a->rejected - b->rejected,
        .timed_out = a->timed_out - b->timed_out,
        .waited = a->waited - b->waited,
        .utilization = slots > 0 ? (a->slots_busy_s - b->slots_busy_s) / slots : 0,
        .mean_waiting = span > 0 ? (a->queued_s - b->queued_s) / span : 0,
        .max_waiting = max_waiting,
        .mean_wait_s = started ? (a->wait_s - b->wait_s) / (double)started : 0,
        .mean_latency_s = latency_mean(m->latencies),
        .p50_s = latency_quantile(m->latencies, 0.50),
        .p90_s = latency_quantile(m->latencies, 0.90),
        .p99_s = latency_quantile(m->latencies, 0.99),
        .throughput_per_s = span > 0 ? (double)(a->completed - b->completed) / span : 0,
    };
    return load;
}

/* Play the deployment up to now and hand the latencies recorded since the last time to
 * every histogram measuring now. */
static void catch_up(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    serving_advance(t->srv, now);
    latency *recent = serving_latencies(t->srv);
    if (latency_count(recent) == 0)
        return;
    latency_merge(t->bin.latencies, recent);
    latency_merge(t->run.latencies, recent);
    for (size_t i = 0; i < t->n_phases; i++)
        latency_merge(t->phases[i].m.latencies, recent);
    latency_reset(recent);
}

/* ---- following the world ---------------------------------------------------------------- */

static int track(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    const world_deployment *d = world_deployment_at(c->w, slot);
    memset(t, 0, sizeof *t);
    t->spec = scenario_serving_of(c->sc, d->id);
    if (!t->spec)
        return 0;
    long name = results_name_index(&c->res->deployments, &c->res->n_deployments, d->name);
    t->srv = serving_new(t->spec, d->ready, now, c->rng);
    t->scaler = autoscaler_new();
    if (name < 0 || !t->srv || !t->scaler || meter_start(&t->bin, t, now) != 0 ||
        meter_start(&t->run, t, now) != 0)
        return fail(c, "out of memory");
    t->name = (uint32_t)name;
    t->last_arrival_s = now;
    return 0;
}

static int grow(capacity *c, double now)
{
    size_t n = world_deployment_count(c->w);
    if (n <= c->n_deps)
        return 0;
    tracked *grown = realloc(c->deps, n * sizeof *grown);
    if (!grown)
        return fail(c, "out of memory");
    c->deps = grown;
    for (size_t slot = c->n_deps; slot < n; slot++) {
        c->n_deps = slot + 1;
        if (track(c, slot, now) != 0)
            return -1;
    }
    return 0;
}

/* Replicas wanted beyond those ready or starting begin their cold start now; replicas no
 * longer wanted are taken from those still starting, newest first. */
static int follow_cold_starts(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    const world_deployment *d = world_deployment_at(c->w, slot);
    long long missing = d->replicas - d->ready - (long long)t->n_pending;
    if (missing < 0) {
        long long cancel = -missing < (long long)t->n_pending ? -missing : (long long)t->n_pending;
        t->n_pending -= (size_t)cancel;
        return 0;
    }
    if (missing == 0)
        return 0;
    size_t need = t->n_pending + (size_t)missing;
    if (need > t->cap_pending) {
        double *grown = realloc(t->ready_at, need * sizeof *grown);
        if (!grown)
            return fail(c, "out of memory");
        t->ready_at = grown;
        t->cap_pending = need;
    }
    for (long long i = 0; i < missing; i++)
        t->ready_at[t->n_pending++] = now + t->spec->cold_start_s;
    return push(c, now + t->spec->cold_start_s, CAPACITY_EV_READY, slot);
}

static const char *router_of(world *w, size_t slot)
{
    for (size_t i = 0; i < world_router_count(w); i++) {
        const world_router *r = world_router_at(w, i);
        for (size_t j = 0; r->exists && j < r->n_deployments; j++)
            if (r->deployments[j] == slot)
                return r->id;
    }
    return NULL;
}

/* An autoscaled deployment at 0 replicas behind a router gets no traffic, so it has no
 * load to scale up on: say so once each time it gets there. */
static int note_stranded(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    const world_deployment *d = world_deployment_at(c->w, slot);
    const char *router =
        d->exists && d->replicas == 0 && world_is_autoscaled(d) ? router_of(c->w, slot) : NULL;
    if (!router || t->zero_noted) {
        t->zero_noted = router != NULL;
        return 0;
    }
    t->zero_noted = 1;
    return add_event(c, now,
                     results_printf("%s is at 0 replicas behind router %s: it gets no traffic, "
                                    "so the autoscaler has no load to scale it up on; it stays "
                                    "at 0 until --min-replica-count is raised",
                                    d->id, router));
}

int capacity_sync(capacity *c, double now)
{
    if (!capacity_active(c))
        return 0;
    if (grow(c, now) != 0)
        return -1;
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        if (!t->srv)
            continue;
        catch_up(c, slot, now);
        serving_set_ready(t->srv, world_deployment_at(c->w, slot)->ready, now);
        if (follow_cold_starts(c, slot, now) != 0 || note_stranded(c, slot, now) != 0)
            return -1;
    }
    return c->failed ? -1 : 0;
}

int capacity_arrive(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    if (!t->srv)
        return 0;
    t->last_arrival_s = now;
    if (serving_arrive(t->srv, now) == SERVING_OVERFLOW)
        return fail(c,
                    "%s: more than %u requests waiting at %.3fs; set serving.queue_limit or "
                    "serving.timeout to bound the queue",
                    world_deployment_at(c->w, slot)->id, SERVING_MAX_QUEUE, now);
    return c->failed ? -1 : 0;
}

/* ---- events ------------------------------------------------------------------------- */

static int replicas_ready(capacity *c, size_t slot, double now, int *world_changed)
{
    tracked *t = &c->deps[slot];
    size_t k = 0;
    while (k < t->n_pending && t->ready_at[k] <= now)
        k++;
    if (k == 0)
        return 0; /* those cold starts were cancelled */
    memmove(t->ready_at, t->ready_at + k, (t->n_pending - k) * sizeof *t->ready_at);
    t->n_pending -= k;
    const world_deployment *d = world_deployment_at(c->w, slot);
    world_set_ready(c->w, slot, d->ready + (long long)k);
    *world_changed = 1;
    return add_event(c, now,
                     results_printf("%s: %zu replica%s ready after a %gs cold start (%lld of %lld "
                                    "ready)",
                                    d->id, k, k == 1 ? "" : "s", t->spec->cold_start_s, d->ready,
                                    d->replicas));
}

static int autoscale_one(capacity *c, size_t slot, double now, int *world_changed)
{
    tracked *t = &c->deps[slot];
    const world_deployment *d = world_deployment_at(c->w, slot);
    if (!d->exists || !world_is_autoscaled(d))
        return 0;
    catch_up(c, slot, now);
    const serving_totals *tot = serving_totals_of(t->srv);
    autoscaler_load load = {
        .in_flight = (tot->busy_s + tot->queued_s - t->tick_in_flight_s) / AUTOSCALER_TICK_S,
        .arrivals_per_s = (double)(tot->arrived - t->tick_arrived) / AUTOSCALER_TICK_S,
        .idle_s = now - t->last_arrival_s,
    };
    t->tick_in_flight_s = tot->busy_s + tot->queued_s;
    t->tick_arrived = tot->arrived;
    long long before = d->replicas;
    long long after = autoscaler_decide(t->scaler, now, &load, t->spec->concurrency, d);
    if (after == before)
        return 0;
    world_autoscale(c->w, slot, after);
    *world_changed = 1;
    return add_event(c, now,
                     results_printf("autoscaler: %s %lld -> %lld replicas (%.2f requests in "
                                    "flight, %.2f arrivals/s over the last %gs)",
                                    d->id, before, after, load.in_flight, load.arrivals_per_s,
                                    AUTOSCALER_TICK_S));
}

static int tick(capacity *c, double now, int *world_changed)
{
    for (size_t slot = 0; slot < c->n_deps; slot++)
        if (c->deps[slot].srv && autoscale_one(c, slot, now, world_changed) != 0)
            return -1;
    double next = now + AUTOSCALER_TICK_S;
    return next <= c->sc->duration_s ? push(c, next, CAPACITY_EV_TICK, 0) : 0;
}

int capacity_handle(capacity *c, const eventq_event *ev, double now, int *world_changed)
{
    size_t slot = (size_t)ev->index;
    switch (ev->kind) {
    case CAPACITY_EV_READY:
        if (replicas_ready(c, slot, now, world_changed) != 0)
            return -1;
        break;
    case CAPACITY_EV_TICK:
        if (tick(c, now, world_changed) != 0)
            return -1;
        break;
    default:
        return fail(c, "unknown event kind %d", ev->kind);
    }
    return c->failed ? -1 : 0;
}

/* ---- phases, bins and the run ------------------------------------------------------------ */

int capacity_phase_open(capacity *c, size_t phase, const world_router *r, double now)
{
    for (size_t i = 0; capacity_active(c) && i < r->n_deployments; i++) {
        tracked *t = &c->deps[r->deployments[i]];
        if (!t->srv)
            continue;
        phase_meter *grown = realloc(t->phases, (t->n_phases + 1) * sizeof *grown);
        if (!grown)
            return fail(c, "out of memory");
        t->phases = grown;
        phase_meter *pm = &t->phases[t->n_phases];
        memset(pm, 0, sizeof *pm);
        pm->phase = phase;
        pm->index = i;
        catch_up(c, r->deployments[i], now);
        if (meter_start(&pm->m, t, now) != 0)
            return fail(c, "out of memory");
        t->n_phases++;
    }
    return 0;
}

void capacity_phase_close(capacity *c, size_t phase, double now)
{
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        for (size_t k = 0; k < t->n_phases; k++) {
            if (t->phases[k].phase != phase)
                continue;
            catch_up(c, slot, now);
            results_share *share = &c->res->phases[phase].deployments[t->phases[k].index];
            share->load = measure(t, &t->phases[k].m, now, -1);
            share->has_load = 1;
            latency_free(t->phases[k].m.latencies);
            t->phases[k--] = t->phases[--t->n_phases];
        }
    }
}

int capacity_end_bin(capacity *c, uint32_t bin, double now)
{
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        if (!t->srv)
            continue;
        catch_up(c, slot, now);
        long long max_waiting = serving_take_max_waiting(t->srv);
        if (max_waiting > t->run_max_waiting)
            t->run_max_waiting = max_waiting;
        const world_deployment *d = world_deployment_at(c->w, slot);
        results_load_point *p = results_add_load_point(c->res);
        if (!p)
            return fail(c, "out of memory");
        *p = (results_load_point){bin, t->name, d->exists ? d->replicas : 0,
                                  d->exists ? d->ready : 0, measure(t, &t->bin, now, max_waiting)};
        meter_start(&t->bin, t, now);
    }
    return 0;
}

int capacity_finish(capacity *c, double now)
{
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        if (!t->srv)
            continue;
        catch_up(c, slot, now);
        results_deployment_load *l = results_add_load(c->res);
        if (!l)
            return fail(c, "out of memory");
        l->deployment = t->name;
        l->load = measure(t, &t->run, now, t->run_max_waiting);
    }
    return 0;
}
