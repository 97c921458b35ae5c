/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/capacity.h"

#include "sim/run/autoscaler.h"
#include "sim/base/latency.h"
#include "sim/base/servemodel.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Measurements since a mark: serving totals then, and the histograms recorded since
 * (servemodel_recent's five). max_waiting and max_kv gather the bins' maxima for a meter
 * that spans several bins. */
typedef struct {
    servemodel_totals mark;
    latency *latency, *wait, *gave_up, *ttft, *tpot;
    double since_s;
    long long max_waiting;
    double max_kv;
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
    servemodel *srv; /* NULL: no serving model, not tracked */
    const serving_spec *spec;
    autoscaler *scaler;
    double *ready_at; /* cold starts under way, oldest first */
    size_t n_pending, cap_pending;
    meter bin, run;
    phase_meter *phases;
    size_t n_phases;
    meter *spans; /* [n_spans]: one per span of bins that capacity checks cover, while open */
    int ttft_is_latency; /* the model's TTFT is its latency (queue): not gathered twice */
    double last_arrival_s;
    double tick_in_flight_s; /* busy_s + queued_s at the last tick */
    uint64_t tick_arrived;
    /* Tokens of the requests that arrived with sizes, and their values at the last tick:
     * the autoscaler's token targets. */
    uint64_t arrived_prompt, arrived_output, tick_prompt, tick_output;
    int zero_noted;
    uint32_t name;
} tracked;

/* The bins [first, last] that overlap one or more capacity checks' intervals: a check's
 * whole-interval load is measured over them. Checks over the same bins share a span. */
typedef struct {
    size_t first, last;
    int done; /* measured and written into the results */
} bin_span;

struct capacity {
    const scenario *sc;
    world *w;
    eventq *q;
    gsl_rng *rng;
    results *res;
    int first_kind; /* this module's event kinds are first_kind + CAPACITY_KIND_* */
    serving_budget budget;
    latency *scratch; /* callers' latencies, merged when measured */
    tracked *deps;
    size_t n_deps;
    bin_span *spans;
    size_t n_spans;
    long *check_span; /* [sc->n_capacity]: the span of each check, -1 when it covers no bin */
    size_t bin;       /* the bin under way */
    int failed;
    char err[512];
};

/* Offsets of this module's event kinds from the first kind the engine gives it. */
enum { CAPACITY_KIND_READY, CAPACITY_KIND_TICK };

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

capacity *capacity_new(const scenario *sc, world *w, eventq *q, gsl_rng *rng, results *res,
                       int first_kind)
{
    capacity *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    *c = (capacity){.sc = sc,
                    .w = w,
                    .q = q,
                    .rng = rng,
                    .res = res,
                    .first_kind = first_kind,
                    .budget = {SERVING_MAX_QUEUE}};
    if (!(c->scratch = latency_new())) {
        free(c);
        return NULL;
    }
    return c;
}

static void meter_free(meter *m)
{
    latency_free(m->latency);
    latency_free(m->wait);
    latency_free(m->gave_up);
    latency_free(m->ttft);
    latency_free(m->tpot);
    m->latency = m->wait = m->gave_up = m->ttft = m->tpot = NULL;
}

static void free_tracked(capacity *c, tracked *t)
{
    servemodel_free(t->srv);
    autoscaler_free(t->scaler);
    free(t->ready_at);
    meter_free(&t->bin);
    meter_free(&t->run);
    for (size_t i = 0; i < t->n_phases; i++)
        meter_free(&t->phases[i].m);
    free(t->phases);
    for (size_t i = 0; t->spans && i < c->n_spans; i++)
        meter_free(&t->spans[i]);
    free(t->spans);
}

void capacity_free(capacity *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_deps; i++)
        free_tracked(c, &c->deps[i]);
    free(c->deps);
    free(c->spans);
    free(c->check_span);
    latency_free(c->scratch);
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

/* The bins that overlap [start, end): bin b is [b w, min((b + 1) w, duration)), as the
 * engine cuts them. 0 when none does. */
static int overlap(const results *r, double start, double end, size_t *first, size_t *last)
{
    int found = 0;
    for (size_t b = 0; b < r->n_bins; b++) {
        double from = (double)b * r->window_s,
               to = fmin((double)(b + 1) * r->window_s, r->duration_s);
        if (from < end && start < to) {
            *first = found ? *first : b;
            *last = b;
            found = 1;
        }
    }
    return found;
}

/* One span per distinct run of bins that the capacity checks cover. */
static int plan_spans(capacity *c)
{
    size_t n = c->sc->n_capacity;
    c->check_span = malloc((n ? n : 1) * sizeof *c->check_span);
    c->spans = calloc(n ? n : 1, sizeof *c->spans);
    if (!c->check_span || !c->spans)
        return fail(c, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const scenario_capacity *chk = &c->sc->capacity[i];
        size_t first = 0, last = 0, k = 0;
        c->check_span[i] = -1;
        if (!overlap(c->res, chk->start_s, chk->end_s, &first, &last))
            continue;
        while (k < c->n_spans && (c->spans[k].first != first || c->spans[k].last != last))
            k++;
        if (k == c->n_spans)
            c->spans[c->n_spans++] = (bin_span){first, last, 0};
        c->check_span[i] = (long)k;
    }
    return 0;
}

int capacity_start(capacity *c)
{
    if (!capacity_active(c))
        return 0;
    if (plan_spans(c) != 0)
        return -1;
    if (AUTOSCALER_TICK_S > c->sc->duration_s)
        return 0;
    return push(c, AUTOSCALER_TICK_S, c->first_kind + CAPACITY_KIND_TICK, 0);
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

/* Empty a histogram; an empty one is left alone (a reset writes every bucket). */
static void clear(latency *h)
{
    if (latency_count(h) > 0)
        latency_reset(h);
}

static int meter_start(meter *m, const tracked *t, double now)
{
    latency **hists[] = {&m->latency, &m->wait, &m->gave_up, &m->ttft, &m->tpot};
    for (size_t i = 0; i < sizeof hists / sizeof *hists; i++) {
        if (!*hists[i] && !(*hists[i] = latency_new()))
            return -1;
        clear(*hists[i]);
    }
    m->mark = *servemodel_totals_of(t->srv);
    m->since_s = now;
    m->max_waiting = 0;
    m->max_kv = 0;
    return 0;
}

static void meter_add(meter *m, const servemodel_recent *recent)
{
    latency_merge(m->latency, recent->latency);
    latency_merge(m->wait, recent->wait);
    latency_merge(m->gave_up, recent->gave_up);
    if (recent->ttft != recent->latency)
        latency_merge(m->ttft, recent->ttft);
    latency_merge(m->tpot, recent->tpot);
}

/* A quantile in the histogram's first bucket, which also holds every value below
 * LATENCY_MIN_S, reads 0: most waits are 0, and "1.01us" would say they were not. So
 * quantiles are within LATENCY_RELATIVE_ERROR or LATENCY_MIN_S of the exact ones. */
static double quantile(const latency *h, double q)
{
    double x = latency_quantile(h, q);
    return x <= LATENCY_MIN_S * (1 + LATENCY_RELATIVE_ERROR) ? 0 : x;
}

static results_quantiles quantiles_of(const latency *h)
{
    return (results_quantiles){latency_count(h),  latency_mean(h),   quantile(h, 0.50),
                               quantile(h, 0.90), quantile(h, 0.95), quantile(h, 0.99),
                               quantile(h, 0.999)};
}

/* What happened between the meter's mark and now (the serving model advanced to now); the
 * requests still waiting or in service are those at now. */
static results_load measure(capacity *c, const tracked *t, const meter *m, double now,
                            long long max_waiting, double max_kv)
{
    const servemodel_totals *at = servemodel_totals_of(t->srv), *bt = &m->mark;
    const serving_totals *a = &at->base, *b = &bt->base;
    double span = now - m->since_s;
    uint64_t started = a->started - b->started;
    double slots = a->capacity_s - b->capacity_s;
    latency_reset(c->scratch);
    latency_merge(c->scratch, m->latency);
    latency_merge(c->scratch, m->gave_up);
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
        .throughput_per_s = span > 0 ? (double)(a->completed - b->completed) / span : 0,
        .unfinished = a->unfinished,
        .latency = quantiles_of(m->latency),
        .wait = quantiles_of(m->wait),
        .caller = quantiles_of(c->scratch),
        .ttft = quantiles_of(t->ttft_is_latency ? m->latency : m->ttft),
        .tpot = quantiles_of(m->tpot),
        .prompt_tokens = at->prompt_tokens - bt->prompt_tokens,
        .output_tokens = at->output_tokens - bt->output_tokens,
        .iterations = at->iterations - bt->iterations,
        .max_kv = max_kv,
    };
    double kv_budget = at->kv_capacity_s - bt->kv_capacity_s;
    load.prompt_tokens_per_s = span > 0 ? (double)load.prompt_tokens / span : 0;
    load.output_tokens_per_s = span > 0 ? (double)load.output_tokens / span : 0;
    load.mean_batch =
        load.iterations ? (at->batch_sum - bt->batch_sum) / (double)load.iterations : 0;
    load.mean_kv = kv_budget > 0 ? (at->kv_s - bt->kv_s) / kv_budget : 0;
    load.mean_latency_s = load.latency.mean_s;
    load.p50_s = load.latency.p50_s;
    load.p90_s = load.latency.p90_s;
    load.p99_s = load.latency.p99_s;
    return load;
}

/* Play the deployment up to now and hand the latencies recorded since the last time to
 * every histogram measuring now. */
static void catch_up(capacity *c, size_t slot, double now)
{
    tracked *t = &c->deps[slot];
    servemodel_advance(t->srv, now);
    const servemodel_recent *recent = servemodel_recent_of(t->srv);
    if (latency_count(recent->latency) == 0 && latency_count(recent->gave_up) == 0 &&
        latency_count(recent->wait) == 0 && latency_count(recent->ttft) == 0)
        return;
    meter_add(&t->bin, recent);
    meter_add(&t->run, recent);
    for (size_t i = 0; i < t->n_phases; i++)
        meter_add(&t->phases[i].m, recent);
    for (size_t i = 0; i < c->n_spans; i++)
        if (t->spans[i].latency)
            meter_add(&t->spans[i], recent);
    clear(recent->latency);
    clear(recent->wait);
    clear(recent->gave_up);
    clear(recent->ttft);
    clear(recent->tpot);
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
    char why[160];
    t->srv = servemodel_new(t->spec, d->ready, now, c->rng, &c->budget, why, sizeof why);
    if (!t->srv)
        return fail(c, "%s: %s", d->id, why);
    const servemodel_recent *recent = servemodel_recent_of(t->srv);
    t->ttft_is_latency = recent->ttft == recent->latency;
    t->scaler = autoscaler_new();
    t->spans = calloc(c->n_spans ? c->n_spans : 1, sizeof *t->spans);
    if (name < 0 || !t->scaler || !t->spans || meter_start(&t->bin, t, now) != 0 ||
        meter_start(&t->run, t, now) != 0)
        return fail(c, "out of memory");
    for (size_t k = 0; k < c->n_spans; k++)
        if (c->spans[k].first <= c->bin && c->bin <= c->spans[k].last &&
            meter_start(&t->spans[k], t, now) != 0)
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
    /* The cold start's length is the world's (which holds new replicas back by it), not a
     * copy of it: one place says how long a deployment's replicas take. */
    for (long long i = 0; i < missing; i++)
        t->ready_at[t->n_pending++] = now + d->cold_start_s;
    return push(c, now + d->cold_start_s, c->first_kind + CAPACITY_KIND_READY, slot);
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
        servemodel_set_ready(t->srv, world_deployment_at(c->w, slot)->ready, now);
        if (follow_cold_starts(c, slot, now) != 0 || note_stranded(c, slot, now) != 0)
            return -1;
    }
    return c->failed ? -1 : 0;
}

int capacity_arrive(capacity *c, size_t slot, double now, const tokens_size *size)
{
    tracked *t = &c->deps[slot];
    if (!t->srv)
        return 0;
    t->last_arrival_s = now;
    if (size) {
        t->arrived_prompt += size->prompt;
        t->arrived_output += size->output;
    }
    serving_outcome outcome = servemodel_arrive(t->srv, now, size);
    if (outcome == SERVING_OVERFLOW)
        return fail(c,
                    "%s: at %.3fs the queues of all deployments together used up the run's "
                    "budget of %u waiting-request slots (%u MiB); set (or lower) "
                    "serving.queue_limit, or set serving.timeout, so that the queues stay within "
                    "it",
                    world_deployment_at(c->w, slot)->id, now, SERVING_MAX_QUEUE,
                    (unsigned)(SERVING_MAX_QUEUE * sizeof(double) >> 20));
    if (outcome == SERVING_NO_MEMORY)
        return fail(c, "%s: out of memory at %.3fs", world_deployment_at(c->w, slot)->id, now);
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
    char cold[32];
    units_format_duration(d->cold_start_s, cold, sizeof cold);
    return add_event(c, now,
                     results_printf("%s: %zu replica%s ready after a %s cold start (%lld of %lld "
                                    "ready)",
                                    d->id, k, k == 1 ? "" : "s", cold, d->ready, d->replicas));
}

static int autoscale_one(capacity *c, size_t slot, double now, int *world_changed)
{
    tracked *t = &c->deps[slot];
    const world_deployment *d = world_deployment_at(c->w, slot);
    if (!d->exists || !world_is_autoscaled(d))
        return 0;
    catch_up(c, slot, now);
    const serving_totals *tot = &servemodel_totals_of(t->srv)->base;
    autoscaler_load load = {
        .in_flight = (tot->busy_s + tot->queued_s - t->tick_in_flight_s) / AUTOSCALER_TICK_S,
        .arrivals_per_s = (double)(tot->arrived - t->tick_arrived) / AUTOSCALER_TICK_S,
        .idle_s = now - t->last_arrival_s,
        .prompt_tokens_per_s = (double)(t->arrived_prompt - t->tick_prompt) / AUTOSCALER_TICK_S,
        .output_tokens_per_s = (double)(t->arrived_output - t->tick_output) / AUTOSCALER_TICK_S,
    };
    t->tick_in_flight_s = tot->busy_s + tot->queued_s;
    t->tick_arrived = tot->arrived;
    t->tick_prompt = t->arrived_prompt;
    t->tick_output = t->arrived_output;
    long long before = d->replicas;
    long long after =
        autoscaler_decide(t->scaler, now, &load, servemodel_slots_per_replica(t->spec), d);
    if (after == before)
        return 0;
    world_autoscale(c->w, slot, after);
    *world_changed = 1;
    char tick_text[32];
    units_format_duration(AUTOSCALER_TICK_S, tick_text, sizeof tick_text);
    return add_event(c, now,
                     results_printf("autoscaler: %s %lld -> %lld replicas (%.2f requests in "
                                    "flight, %.2f arrivals/s over the last %s)",
                                    d->id, before, after, load.in_flight, load.arrivals_per_s,
                                    tick_text));
}

static int tick(capacity *c, double now, int *world_changed)
{
    for (size_t slot = 0; slot < c->n_deps; slot++)
        if (c->deps[slot].srv && autoscale_one(c, slot, now, world_changed) != 0)
            return -1;
    double next = now + AUTOSCALER_TICK_S;
    return next <= c->sc->duration_s ? push(c, next, c->first_kind + CAPACITY_KIND_TICK, 0) : 0;
}

int capacity_handle(capacity *c, const eventq_event *ev, double now, int *world_changed)
{
    size_t slot = (size_t)ev->index;
    switch (ev->kind - c->first_kind) {
    case CAPACITY_KIND_READY:
        if (replicas_ready(c, slot, now, world_changed) != 0)
            return -1;
        break;
    case CAPACITY_KIND_TICK:
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
        results_share *share = &c->res->phases[phase].deployments[i];
        if (!share->load && !(share->load = calloc(1, sizeof *share->load)))
            return fail(c, "out of memory");
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
            *share->load = measure(c, t, &t->phases[k].m, now, -1, -1);
            meter_free(&t->phases[k].m);
            t->phases[k--] = t->phases[--t->n_phases];
        }
    }
}

static void note_max(meter *m, long long max_waiting, double max_kv)
{
    if (max_waiting > m->max_waiting)
        m->max_waiting = max_waiting;
    if (max_kv > m->max_kv)
        m->max_kv = max_kv;
}

/* Does capacity check i cover deployment slot? */
static int covers(const capacity *c, size_t i, size_t slot)
{
    const char *id = c->sc->capacity[i].deployment;
    return !id[0] || strcmp(id, world_deployment_at(c->w, slot)->id) == 0;
}

/* Span k's bins are over: one whole-interval load per check over it and deployment it
 * covers that was tracked during the span, then the span's meters go. */
static int close_span(capacity *c, size_t k, double now)
{
    for (size_t i = 0; i < c->sc->n_capacity; i++) {
        if (c->check_span[i] != (long)k)
            continue;
        for (size_t slot = 0; slot < c->n_deps; slot++) {
            tracked *t = &c->deps[slot];
            if (!t->srv || !t->spans[k].latency || !covers(c, i, slot))
                continue;
            results_interval_load *l = results_add_interval_load(c->res);
            if (!l)
                return fail(c, "out of memory");
            *l = (results_interval_load){
                i, t->name,
                measure(c, t, &t->spans[k], now, t->spans[k].max_waiting, t->spans[k].max_kv)};
        }
    }
    for (size_t slot = 0; slot < c->n_deps; slot++)
        if (c->deps[slot].srv)
            meter_free(&c->deps[slot].spans[k]);
    c->spans[k].done = 1;
    return 0;
}

static int out_of_memory_in(capacity *c, size_t slot)
{
    if (!servemodel_out_of_memory(c->deps[slot].srv))
        return 0;
    return fail(c, "%s: out of memory", world_deployment_at(c->w, slot)->id);
}

int capacity_end_bin(capacity *c, uint32_t bin, double now)
{
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        if (!t->srv)
            continue;
        catch_up(c, slot, now);
        if (out_of_memory_in(c, slot) != 0)
            return -1;
        long long max_waiting = servemodel_take_max_waiting(t->srv);
        double max_kv = servemodel_take_max_kv(t->srv);
        note_max(&t->run, max_waiting, max_kv);
        for (size_t k = 0; k < c->n_spans; k++)
            if (t->spans[k].latency)
                note_max(&t->spans[k], max_waiting, max_kv);
        const world_deployment *d = world_deployment_at(c->w, slot);
        results_load_point *p = results_add_load_point(c->res);
        if (!p)
            return fail(c, "out of memory");
        *p = (results_load_point){bin, t->name, d->exists ? d->replicas : 0,
                                  d->exists ? d->ready : 0,
                                  measure(c, t, &t->bin, now, max_waiting, max_kv)};
        if (meter_start(&t->bin, t, now) != 0)
            return fail(c, "out of memory");
    }
    for (size_t k = 0; k < c->n_spans; k++)
        if (c->spans[k].last == bin && close_span(c, k, now) != 0)
            return -1;
    c->bin = (size_t)bin + 1;
    for (size_t k = 0; k < c->n_spans; k++) {
        if (c->spans[k].first != c->bin)
            continue;
        for (size_t slot = 0; slot < c->n_deps; slot++)
            if (c->deps[slot].srv && meter_start(&c->deps[slot].spans[k], &c->deps[slot], now) != 0)
                return fail(c, "out of memory");
    }
    return 0;
}

/* Per deployment, its load over the run; over the run, every routed request not served:
 * rejected, timed out, or still waiting or in service now, at the end. */
int capacity_finish(capacity *c, double now)
{
    for (size_t slot = 0; slot < c->n_deps; slot++) {
        tracked *t = &c->deps[slot];
        if (!t->srv)
            continue;
        catch_up(c, slot, now);
        if (out_of_memory_in(c, slot) != 0)
            return -1;
        note_max(&t->run, servemodel_take_max_waiting(t->srv), servemodel_take_max_kv(t->srv));
        results_deployment_load *l = results_add_load(c->res);
        if (!l)
            return fail(c, "out of memory");
        l->deployment = t->name;
        l->model = (int)t->spec->model;
        l->balancer = (int)t->spec->balancer;
        l->load = measure(c, t, &t->run, now, t->run.max_waiting, t->run.max_kv);
        uint64_t unserved[RESULTS_N_UNSERVED] = {l->load.rejected, l->load.timed_out,
                                                 l->load.unfinished};
        for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
            c->res->unserved_by_reason[k] += unserved[k];
            c->res->unserved += unserved[k];
        }
    }
    for (size_t k = 0; k < c->n_spans; k++)
        if (!c->spans[k].done && close_span(c, k, now) != 0)
            return -1;
    return 0;
}
