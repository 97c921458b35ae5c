/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/engine.h"

#include "sim/run/capacity.h"
#include "sim/base/eventq.h"
#include "sim/base/gslerr.h"
#include "sim/base/routerfault.h"
#include "sim/base/seqtest.h"
#include "sim/base/arrivalfeed.h"
#include "sim/base/tokens.h"
#include "sim/base/traffic.h"
#include "sim/model/world.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The event kinds of the run's queue, all numbered here: the engine's own, then a range it
 * hands to capacity (capacity.h), so no two modules can pick the same kind. */
enum {
    EV_INSTANT,
    EV_ARRIVAL,
    EV_WINDOW_OPEN,
    EV_WINDOW_CLOSE,
    EV_BIN_END,
    EV_POOLED_ARRIVAL, /* the pooled sources' next request; index: whose */
    EV_CAPACITY_FIRST, /* CAPACITY_N_EVENT_KINDS kinds from here are capacity's */
    EV_N_KINDS = EV_CAPACITY_FIRST + CAPACITY_N_EVENT_KINDS
};

#define PROGRESS_EVERY (1u << 20) /* arrivals between progress callbacks */

/* From this many constant-rate Poisson sources on, they arrive as one superposed process
 * (superpose.h): exact in distribution, one queued event instead of one per source. Fewer
 * keep a stream of their own each, so the random streams (and reports) of scenarios with
 * a handful of traffic entries are those they always had. The pool's arrivals come from a
 * stream of their own (arrivalfeed.h), drawn ahead on a second thread from POOL_THREAD_MIN
 * expected arrivals on (below, starting the thread costs more than it saves), in a ring of
 * POOL_BLOCKS blocks of POOL_BLOCK arrivals (16 bytes each: 512 KiB, within a core's L2,
 * and a few hundred wake-ups of the producer for 1e7 arrivals). */
#define POOL_MIN_SOURCES 16
#define POOL_THREAD_MIN 100000.0
#define POOL_BLOCK 2048
#define POOL_BLOCKS 16

/* One traffic entry: an arrival process (or a trace) aimed at a router by id. What every
 * request reads and counts comes first, in a cache line or two, and a trace's arrival (a
 * few hundred bytes of names) last: a fleet's requests come from sources all over the
 * array, in no order. */
typedef struct {
    long router;           /* slot of the router it reaches now, or -1 (none by that id exists) */
    int forbidden;         /* the caller's account may not use that router */
    int pooled;            /* a constant rate: a candidate for the pool */
    traffic_trace *trace;  /* NULL for a Poisson shape */
    tokens_sampler *sizes; /* the entry's request sizes, or NULL when it has none */
    uint64_t arrivals, failed[RESULTS_N_REASONS]; /* in the current bin */
    double mean_gap; /* a constant rate's mean inter-arrival, 1 / rate; else 0 */
    const scenario_traffic *spec;
    uint32_t target;
    traffic_arrival next; /* a trace's arrival scheduled next */
} source;

/* An expect check's interval: while open, its router's requests are counted here. */
typedef struct {
    const scenario_expect *spec;
    size_t window;  /* index in results.windows */
    long router;    /* slot, or -1 until the router first exists */
    int open;       /* the interval has begun and not ended */
    int attached;   /* counted in its router's `watched` */
    long *share_of; /* per deployment the router lists: its index in the check's shares, or -1 */
} watch;

/* The bin's requests from one router to one deployment slot. */
typedef struct {
    size_t slot;
    uint64_t routed;
    long listed; /* its index in the open phase's list, or -1 (a former phase's deployment) */
} bin_entry;

/* What the engine keeps per router slot. counts[i] is the open phase's requests to the
 * router's i-th listed deployment; bin_mark[i] is counts[i] when the current bin (or the
 * phase, if later) began; bin[] gathers the bin's requests per deployment slot across
 * phase changes, sorted by slot, one entry per deployment listed now or routed to in the
 * bin, so a bin's end costs what the router lists rather than what the world holds;
 * entry_of[i] is the i-th listed deployment's entry. */
typedef struct {
    long phase; /* index in results.phases, or -1 when the router does not exist */
    uint64_t routed;
    size_t *slots; /* the phase's deployment slots (the router's list when it opened) */
    uint64_t *counts, *bin_mark;
    bin_entry *bin;
    size_t n_bin, cap_bin;
    size_t *entry_of;
    int watched; /* open watches on this router */
    uint32_t name;
    const scenario_fault *fault_spec; /* faults injected into its picks, or NULL */
    routerfault *fault;
    seqtest *seq;       /* the open phase's sequential test, NULL with nothing to test */
    uint64_t *seq_mark; /* counts[i] at its last look */
    /* The split series' layout (splitstore.h) of its listed deployments, as of e->commits
     * == layout_commits: no commit since, so names, replicas and shares are unchanged and
     * a bin's end writes only counts. layout_commits 0: none yet. */
    size_t layout;
    uint64_t layout_commits;
} router_state;

typedef struct {
    const scenario *sc;
    world *world;
    results *res;
    eventq *queue;
    gsl_rng *rng;
    capacity *capacity;
    int serving; /* some deployment has a serving model */
    int failed;  /* the hot path hit an error; the message is in err */
    source *sources;
    arrivalfeed *pool; /* the constant-rate sources' arrivals together, or NULL */
    const arrivalfeed_arrival *pool_next, *pool_end; /* the rest of the block taken last */
    size_t *pooled;                                  /* per pool member: its source */
    engine_pool_thread pool_thread;
    watch *watches;
    router_state *routers;
    size_t n_routers;
    long *dep_name; /* per deployment slot: its index in results.deployments, or -1 */
    size_t n_dep_name;
    /* results.deployments by name: open addressing of index + 1 (0: empty), at most half
     * full, over its first names_indexed entries (capacity adds names too: the rest are
     * indexed before a lookup), so a slot's name is found in O(1), not by a scan of all. */
    size_t *name_cells;
    size_t name_cap; /* a power of two, or 0 */
    size_t names_indexed;
    uint64_t commits; /* world commits so far: what can change a router's layout */
    /* A router's bin as a block of the split series: counts, and its layout's entries
     * when they are written again; room for the widest router's bin entries. */
    uint64_t *block_counts;
    uint32_t *block_names;
    long long *block_replicas;
    double *block_shares;
    size_t n_block;
    /* Room for the widest phase's shares and counts, for the tests at a look and at a
     * phase's end (kept off the stack: a router may list SELECTOR_MAX_DEPLOYMENTS). */
    double *scratch;
    uint64_t *scratch_counts;
    size_t n_scratch;
    seqtest_memo *memo; /* the routers' sequential tests' gamma values */
    size_t next_event;  /* first scenario event not yet applied */
    size_t bin;
    double now;
    engine_progress_fn progress;
    void *progress_ctx;
    uint64_t until_progress; /* arrivals until the next progress report */
    char *err;
    size_t errlen;
} engine;

static int fail(engine *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(engine *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->err, e->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static int out_of_memory(engine *e)
{
    return fail(e, "out of memory");
}

/* ---- phases -------------------------------------------------------------------------- */

/* Fold the requests since the bin mark into the bin's per-deployment totals. */
static int flush_bin(engine *e, size_t slot)
{
    router_state *rs = &e->routers[slot];
    if (rs->phase < 0)
        return 0;
    const results_phase *ph = &e->res->phases[rs->phase];
    for (size_t i = 0; i < ph->n_deployments; i++) {
        rs->bin[rs->entry_of[i]].routed += rs->counts[i] - rs->bin_mark[i];
        rs->bin_mark[i] = rs->counts[i];
    }
    return 0;
}

static int by_slot(const void *a, const void *b)
{
    size_t x = ((const bin_entry *)a)->slot, y = ((const bin_entry *)b)->slot;
    return (x > y) - (x < y);
}

/* The bin's entries gain the open phase's deployments (a former phase's keep theirs until
 * the bin ends), and entry_of maps the phase's list onto them. */
static int list_bin_entries(engine *e, router_state *rs, size_t n)
{
    for (size_t j = 0; j < rs->n_bin; j++)
        rs->bin[j].listed = -1;
    size_t old = rs->n_bin;
    if (old + n > rs->cap_bin) {
        size_t cap = old + n;
        bin_entry *grown = realloc(rs->bin, cap * sizeof *grown);
        if (!grown)
            return out_of_memory(e);
        rs->bin = grown;
        rs->cap_bin = cap;
    }
    for (size_t i = 0; i < n; i++) {
        bin_entry key = {.slot = rs->slots[i]};
        bin_entry *found = old ? bsearch(&key, rs->bin, old, sizeof key, by_slot) : NULL;
        if (found)
            found->listed = (long)i;
        else
            rs->bin[rs->n_bin++] = (bin_entry){rs->slots[i], 0, (long)i};
    }
    qsort(rs->bin, rs->n_bin, sizeof *rs->bin, by_slot);
    for (size_t j = 0; j < rs->n_bin; j++)
        if (rs->bin[j].listed >= 0)
            rs->entry_of[rs->bin[j].listed] = j;
    return 0;
}

/* A look of the open phase's sequential test at the batch: its requests per listed
 * deployment since the last look. */
static int look_at(engine *e, router_state *rs, const uint64_t *batch)
{
    results_phase *ph = &e->res->phases[rs->phase];
    seqtest_add(rs->seq, batch);
    double p = seqtest_p_value(rs->seq);
    results_look at = {e->now, rs->routed, p};
    if (looklog_add(&ph->looks, e->sc->window_s, e->bin, &at) != 0)
        return out_of_memory(e);
    ph->sequential_p = p;
    if (!ph->sequential_crossed && p <= e->sc->alpha) {
        ph->sequential_crossed = 1;
        ph->sequential_at_s = e->now;
    }
    return 0;
}

/* One look of the open phase's sequential test at the counts since the last. */
static int look(engine *e, size_t slot)
{
    router_state *rs = &e->routers[slot];
    if (rs->phase < 0 || !rs->seq)
        return 0;
    const results_phase *ph = &e->res->phases[rs->phase];
    uint64_t *batch = e->scratch_counts;
    for (size_t i = 0; i < ph->n_deployments; i++) {
        batch[i] = rs->counts[i] - rs->seq_mark[i];
        rs->seq_mark[i] = rs->counts[i];
    }
    return look_at(e, rs, batch);
}

static void close_phase(engine *e, size_t slot)
{
    router_state *rs = &e->routers[slot];
    results_phase *ph = &e->res->phases[rs->phase];
    double *shares = e->scratch;
    uint64_t *observed = e->scratch_counts;
    ph->end_s = e->now;
    ph->requests = rs->routed;
    for (size_t i = 0; i < ph->n_deployments; i++) {
        ph->deployments[i].observed = rs->counts[i];
        observed[i] = rs->counts[i];
        shares[i] = ph->deployments[i].expected_share;
    }
    ph->test = splittest_run(ph->n_deployments, observed, shares, e->sc->alpha);
    /* look() reuses the scratch counts: the test above is done with them */
    /* a last look at what came in since the last bin end */
    if (rs->seq && seqtest_total(rs->seq) < rs->routed && look(e, slot) != 0)
        e->failed = 1;
    looklog_fit(&ph->looks);
    seqtest_free(rs->seq);
    rs->seq = NULL;
    capacity_phase_close(e->capacity, (size_t)rs->phase, e->now);
    rs->phase = -1;
    for (size_t j = 0; j < rs->n_bin; j++)
        rs->bin[j].listed = -1;
}

static int grow_scratch(engine *e, size_t n)
{
    if (n <= e->n_scratch)
        return 0;
    double *shares = realloc(e->scratch, n * sizeof *shares);
    if (shares)
        e->scratch = shares;
    uint64_t *counts = realloc(e->scratch_counts, n * sizeof *counts);
    if (counts)
        e->scratch_counts = counts;
    if (!shares || !counts)
        return out_of_memory(e);
    e->n_scratch = n;
    return 0;
}

static int open_phase(engine *e, size_t slot)
{
    router_state *rs = &e->routers[slot];
    const world_router *r = world_router_at(e->world, slot);
    size_t n = r->n_deployments;
    uint64_t total = r->total_weight;
    if (grow_scratch(e, n) != 0)
        return -1;
    results_phase *ph = results_add_phase(e->res);
    if (!ph || !(ph->router = results_strdup(r->name)) ||
        !(ph->deployments = calloc(n, sizeof *ph->deployments)))
        return out_of_memory(e);
    ph->n_deployments = n;
    ph->start_s = e->now;
    long long wanted = 0; /* replicas asked for, ready or starting: the split intended */
    for (size_t i = 0; i < n; i++)
        wanted += world_deployment_at(e->world, r->deployments[i])->replicas;
    for (size_t i = 0; i < n; i++) {
        results_share *share = &ph->deployments[i];
        const world_deployment *d = world_deployment_at(e->world, r->deployments[i]);
        if (!(share->name = results_strdup(d->name)))
            return out_of_memory(e);
        share->replicas = r->weights[i];
        share->expected_share = total ? (double)r->weights[i] / (double)total : 0.0;
        share->wanted_replicas = d->replicas;
        share->intended_share = wanted ? (double)d->replicas / (double)wanted : 0.0;
    }
    free(rs->counts);
    free(rs->bin_mark);
    free(rs->slots);
    free(rs->seq_mark);
    free(rs->entry_of);
    rs->entry_of = malloc(n * sizeof *rs->entry_of);
    rs->counts = calloc(n, sizeof *rs->counts);
    rs->bin_mark = calloc(n, sizeof *rs->bin_mark);
    rs->seq_mark = calloc(n, sizeof *rs->seq_mark);
    rs->slots = malloc(n * sizeof *rs->slots);
    if (!rs->counts || !rs->bin_mark || !rs->seq_mark || !rs->slots || !rs->entry_of)
        return out_of_memory(e);
    ph->sequential_p = 1.0;
    if (total > 0) {
        double *shares = e->scratch;
        char why[256];
        for (size_t i = 0; i < n; i++)
            shares[i] = ph->deployments[i].expected_share;
        double c = e->sc->concentration > 0 ? e->sc->concentration : SEQTEST_DEFAULT_CONCENTRATION;
        if (!(rs->seq = seqtest_new(n, shares, c, e->memo, why, sizeof why)))
            return fail(e, "%s", why);
    }
    memcpy(rs->slots, r->deployments, n * sizeof *rs->slots);
    if (list_bin_entries(e, rs, n) != 0)
        return -1;
    rs->routed = 0;
    rs->phase = (long)(e->res->n_phases - 1);
    if (rs->fault) {
        /* the faulty deployments may have been created since the last phase */
        long skew = rs->fault_spec->skew_deployment[0]
                        ? world_find_deployment(e->world, rs->fault_spec->skew_deployment)
                        : -1;
        long drop = rs->fault_spec->drop_deployment[0]
                        ? world_find_deployment(e->world, rs->fault_spec->drop_deployment)
                        : -1;
        routerfault_set_targets(rs->fault, skew < 0 ? ROUTERFAULT_NONE : (size_t)skew,
                                drop < 0 ? ROUTERFAULT_NONE : (size_t)drop);
    }
    if (capacity_phase_open(e->capacity, (size_t)rs->phase, r, e->now) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    return 0;
}

/* The scenario's faults for this router, if any, as a routerfault of its own (sticky
 * clients are per router). */
static int attach_fault(engine *e, router_state *rs, const world_router *r)
{
    for (size_t k = 0; k < e->sc->n_faults; k++) {
        const scenario_fault *f = &e->sc->faults[k];
        if (strcmp(f->router, r->id) != 0)
            continue;
        routerfault_spec spec = {.skew_id = ROUTERFAULT_NONE,
                                 .skew_shift = f->skew_shift,
                                 .drop_id = ROUTERFAULT_NONE,
                                 .drop_from_s = f->drop_start_s,
                                 .drop_to_s = f->drop_end_s,
                                 .sticky_clients = f->sticky_clients,
                                 .sticky_fraction = f->sticky_fraction};
        char why[256];
        rs->fault_spec = f;
        if (!(rs->fault = routerfault_new(&spec, why, sizeof why)))
            return fail(e, "router %s: %s", r->name, why);
        return 0;
    }
    return 0;
}

static int grow_routers(engine *e)
{
    size_t n = world_router_count(e->world);
    if (n <= e->n_routers)
        return 0;
    router_state *grown = realloc(e->routers, n * sizeof *grown);
    if (!grown)
        return out_of_memory(e);
    e->routers = grown;
    for (size_t i = e->n_routers; i < n; i++) {
        memset(&grown[i], 0, sizeof grown[i]);
        grown[i].phase = -1;
        if (attach_fault(e, &grown[i], world_router_at(e->world, i)) != 0)
            return -1;
        long name = results_name_index(&e->res->routers, &e->res->n_routers,
                                       world_router_at(e->world, i)->name);
        if (name < 0)
            return out_of_memory(e);
        grown[i].name = (uint32_t)name;
    }
    e->n_routers = n;
    return 0;
}

/* Which of the check's shares each deployment of the router's current list counts for, so
 * a request is counted without looking up names. The list changes only at commits. */
static int map_shares(engine *e, watch *wa)
{
    const world_router *r = world_router_at(e->world, (size_t)wa->router);
    long *map = realloc(wa->share_of, (r->n_deployments ? r->n_deployments : 1) * sizeof *map);
    if (!map)
        return out_of_memory(e);
    wa->share_of = map;
    for (size_t i = 0; i < r->n_deployments; i++) {
        const char *id = world_deployment_at(e->world, r->deployments[i])->id;
        map[i] = -1;
        for (size_t k = 0; k < wa->spec->n_shares && map[i] < 0; k++)
            if (strcmp(wa->spec->shares[k].deployment, id) == 0)
                map[i] = (long)k;
    }
    return 0;
}

/* Attach an open watch to its router once that router exists; detach a closed one. */
static int sync_watch(engine *e, watch *wa)
{
    if (wa->router < 0) {
        long slot = world_find_router(e->world, wa->spec->router);
        wa->router = slot >= 0 && (size_t)slot < e->n_routers ? slot : -1;
    }
    int attach = wa->open && wa->router >= 0;
    if (attach != wa->attached)
        e->routers[wa->router].watched += attach ? 1 : -1;
    wa->attached = attach;
    return attach ? map_shares(e, wa) : 0;
}

/* After a commit: every router whose list or weights changed ends its phase and, if it
 * still exists, starts the next one; sources and watches find their routers again. */
static int after_commit(engine *e)
{
    e->commits++;
    if (capacity_sync(e->capacity, e->now) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    if (grow_routers(e) != 0)
        return -1;
    for (size_t slot = 0; slot < e->n_routers; slot++) {
        const world_router *r = world_router_at(e->world, slot);
        if (!r->changed)
            continue;
        if (e->routers[slot].phase >= 0) {
            if (flush_bin(e, slot) != 0)
                return -1;
            close_phase(e, slot);
        }
        if (r->exists && open_phase(e, slot) != 0)
            return -1;
    }
    for (size_t i = 0; i < e->sc->n_traffic; i++) {
        source *s = &e->sources[i];
        long slot = world_find_router(e->world, s->spec->router);
        s->router = slot >= 0 && world_router_at(e->world, slot)->exists ? slot : -1;
        s->forbidden = s->router >= 0 && strcmp(s->spec->caller, e->sc->account) != 0 &&
                       !world_router_at(e->world, slot)->is_public;
    }
    for (size_t w = 0; w < e->sc->n_expect; w++)
        if (sync_watch(e, &e->watches[w]) != 0)
            return -1;
    return 0;
}

/* ---- events ---------------------------------------------------------------------------- */

/* Queue the next instant of the timeline. One at the very end of the run changes nothing
 * that is measured, so it is not played. */
static int schedule_instant(engine *e)
{
    const scenario *sc = e->sc;
    if (e->next_event >= sc->n_events || sc->events[e->next_event].at_s >= sc->duration_s)
        return 0;
    return eventq_push(e->queue, sc->events[e->next_event].at_s, EV_INSTANT, 0) == 0
               ? 0
               : out_of_memory(e);
}

/* Apply every scenario event at this instant, in order, then re-weight once. */
static int apply_instant(engine *e)
{
    const scenario *sc = e->sc;
    double at = sc->events[e->next_event].at_s;
    while (e->next_event < sc->n_events && sc->events[e->next_event].at_s == at) {
        const scenario_event *ev = &sc->events[e->next_event++];
        char why[512], when[32];
        if (world_apply(e->world, &ev->cmd, why, sizeof why) != 0) {
            units_format_duration(ev->at_s, when, sizeof when);
            return fail(e, "%s:%d:%d: at %s: %s", sc->path, ev->mark.line, ev->mark.column, when,
                        why);
        }
        if (ev->text) {
            results_event *rec = results_add_event(e->res);
            if (!rec || !(rec->text = results_strdup(ev->text)))
                return out_of_memory(e);
            rec->at_s = ev->at_s;
        }
    }
    if (world_commit(e->world) < 0)
        return out_of_memory(e);
    if (after_commit(e) != 0)
        return -1;
    return schedule_instant(e);
}

static void count_watched(engine *e, size_t slot, size_t pick)
{
    for (size_t w = 0; w < e->sc->n_expect; w++) {
        const watch *wa = &e->watches[w];
        if (!wa->attached || wa->router != (long)slot)
            continue;
        results_window *win = &e->res->windows[wa->window];
        long k = wa->share_of[pick];
        win->routed++;
        if (k >= 0)
            win->observed[k]++;
        else
            win->other++;
    }
}

/* A trace line may name its own router and caller instead of the entry's. */
static void trace_target(engine *e, const source *s, long *router, int *forbidden)
{
    const char *caller = s->next.account[0] ? s->next.account : s->spec->caller;
    if (s->next.router[0]) {
        world_id id;
        char why[256];
        long slot =
            units_resolve(s->next.router, e->sc->account, UNITS_ROUTER, id, why, sizeof why) == 0
                ? world_find_router(e->world, id)
                : -1;
        *router = slot >= 0 && world_router_at(e->world, (size_t)slot)->exists ? slot : -1;
    }
    *forbidden = *router >= 0 && strcmp(caller, e->sc->account) != 0 &&
                 !world_router_at(e->world, (size_t)*router)->is_public;
}

/* A routed request reaches a deployment's serving model with its size: the trace line's,
 * else one drawn from the entry's classes, else none. */
static int serve(engine *e, const source *s, size_t deployment)
{
    tokens_size size;
    const tokens_size *sized = NULL;
    if (s->trace && s->next.has_tokens) {
        size = (tokens_size){s->next.prompt_tokens, s->next.output_tokens};
        sized = &size;
    } else if (s->sizes) {
        size = tokens_draw(s->sizes, e->rng);
        sized = &size;
    }
    return capacity_arrive(e->capacity, deployment, e->now, sized);
}

/* The hot path: one request from source i, routed or failed, counted on the spot. */
static inline void arrive(engine *e, size_t i)
{
    source *s = &e->sources[i];
    long router = s->router;
    int forbidden = s->forbidden;
    if (s->trace && (s->next.router[0] || s->next.account[0]))
        trace_target(e, s, &router, &forbidden);
    s->arrivals++;
    if (router < 0) {
        s->failed[RESULTS_ROUTER_NOT_FOUND]++;
        return;
    }
    if (forbidden) {
        s->failed[RESULTS_FORBIDDEN]++;
        return;
    }
    const world_router *r = world_router_at(e->world, (size_t)router);
    router_state *rs = &e->routers[router];
    int pick = rs->fault ? world_route_faulty(e->world, (size_t)router, rs->fault, e->rng, e->now)
                         : world_route(e->world, (size_t)router, e->rng);
    if (pick == SELECTOR_NO_REPLICAS) {
        s->failed[RESULTS_NO_REPLICAS]++;
        return;
    }
    rs->counts[pick]++;
    rs->routed++;
    if (rs->watched)
        count_watched(e, (size_t)router, (size_t)pick);
    if (e->serving && serve(e, s, r->deployments[pick]) != 0) {
        fail(e, "%s", capacity_error(e->capacity));
        e->failed = 1;
    }
}

static size_t name_hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

static void name_insert(size_t *cells, size_t cap, const char *name, size_t index)
{
    size_t at = name_hash(name) & (cap - 1);
    while (cells[at])
        at = (at + 1) & (cap - 1);
    cells[at] = index + 1;
}

/* Index the names results.deployments gained since the last call; 0, or -1 when out of
 * memory (with the error set). */
static int index_names(engine *e)
{
    size_t n = e->res->n_deployments;
    if (e->names_indexed == n)
        return 0;
    if (2 * n > e->name_cap) {
        size_t cap = e->name_cap ? e->name_cap : 64;
        while (2 * n > cap)
            cap *= 2;
        size_t *cells = calloc(cap, sizeof *cells);
        if (!cells)
            return out_of_memory(e);
        free(e->name_cells);
        e->name_cells = cells;
        e->name_cap = cap;
        e->names_indexed = 0;
    }
    for (; e->names_indexed < n; e->names_indexed++)
        name_insert(e->name_cells, e->name_cap, e->res->deployments[e->names_indexed],
                    e->names_indexed);
    return 0;
}

/* The name's index in results.deployments (all indexed), or -1. */
static long find_name(const engine *e, const char *name)
{
    if (!e->name_cap)
        return -1;
    for (size_t at = name_hash(name) & (e->name_cap - 1); e->name_cells[at];
         at = (at + 1) & (e->name_cap - 1))
        if (strcmp(e->res->deployments[e->name_cells[at] - 1], name) == 0)
            return (long)e->name_cells[at] - 1;
    return -1;
}

/* A deployment slot's index in results.deployments, looked up once per slot (a slot keeps
 * its deployment's name for the whole run). */
static long deployment_name(engine *e, size_t d)
{
    if (d >= e->n_dep_name) {
        size_t n = world_deployment_count(e->world);
        long *grown = realloc(e->dep_name, n * sizeof *grown);
        if (!grown)
            return -1;
        for (size_t k = e->n_dep_name; k < n; k++)
            grown[k] = -1;
        e->dep_name = grown;
        e->n_dep_name = n;
    }
    if (e->dep_name[d] < 0 && index_names(e) == 0) {
        const char *name = world_deployment_at(e->world, d)->name;
        long found = find_name(e, name);
        e->dep_name[d] =
            found >= 0 ? found
                       : results_name_append(&e->res->deployments, &e->res->n_deployments, name);
    }
    return e->dep_name[d];
}

static int grow_block(engine *e, size_t n)
{
    if (n <= e->n_block)
        return 0;
    uint64_t *counts = realloc(e->block_counts, n * sizeof *counts);
    if (counts)
        e->block_counts = counts;
    uint32_t *names = realloc(e->block_names, n * sizeof *names);
    if (names)
        e->block_names = names;
    long long *replicas = realloc(e->block_replicas, n * sizeof *replicas);
    if (replicas)
        e->block_replicas = replicas;
    double *shares = realloc(e->block_shares, n * sizeof *shares);
    if (shares)
        e->block_shares = shares;
    if (!counts || !names || !replicas || !shares)
        return out_of_memory(e);
    e->n_block = n;
    return 0;
}

/* The layout of the router's n entries to write in this bin: the router's own while no
 * commit can have changed it, else the entries as the world has them now, reused when
 * they did not change. A bin that routed to a former phase's deployment (`former`) gets a
 * layout of its own and leaves the router's. The layout's index, or -1 on error. */
static long bin_layout(engine *e, size_t slot, size_t n, int former)
{
    router_state *rs = &e->routers[slot];
    if (!former && rs->layout_commits && rs->layout_commits == e->commits)
        return (long)rs->layout;
    const world_router *r = world_router_at(e->world, slot);
    uint64_t total = r->total_weight;
    for (size_t j = 0, k = 0; j < rs->n_bin; j++) {
        const bin_entry *b = &rs->bin[j];
        long listed = rs->phase >= 0 ? b->listed : -1;
        if (listed < 0 && b->routed == 0)
            continue;
        const world_deployment *dep = world_deployment_at(e->world, b->slot);
        long name = deployment_name(e, b->slot);
        if (name < 0)
            return out_of_memory(e);
        e->block_names[k] = (uint32_t)name;
        e->block_replicas[k] = dep->exists ? dep->replicas : 0;
        e->block_shares[k++] =
            listed >= 0 && total ? (double)r->weights[listed] / (double)total : 0;
    }
    splitstore *store = e->res->split;
    if (!former && rs->layout_commits &&
        splitstore_layout_equals(store, rs->layout, n, e->block_names, e->block_replicas,
                                 e->block_shares)) {
        rs->layout_commits = e->commits;
        return (long)rs->layout;
    }
    long layout = splitstore_add_layout(store, rs->name, n, e->block_names, e->block_replicas,
                                        e->block_shares);
    if (layout < 0)
        return out_of_memory(e);
    if (!former) {
        rs->layout = (size_t)layout;
        rs->layout_commits = e->commits;
    }
    return layout;
}

/* The router's block of the bin: a count per deployment listed now or routed to in the bin,
 * in slot order; then only the listed ones stay for the next bin. */
static int emit_points(engine *e, size_t slot)
{
    router_state *rs = &e->routers[slot];
    if (grow_block(e, rs->n_bin) != 0)
        return -1;
    size_t n = 0, kept = 0;
    int former = 0;
    for (size_t j = 0; j < rs->n_bin; j++) {
        const bin_entry *b = &rs->bin[j];
        long listed = rs->phase >= 0 ? b->listed : -1;
        if (listed < 0 && b->routed == 0)
            continue;
        former |= listed < 0;
        e->block_counts[n++] = b->routed;
    }
    if (n > 0) {
        long layout = bin_layout(e, slot, n, former);
        if (layout < 0)
            return -1;
        if (splitstore_add_block(e->res->split, (size_t)layout, e->block_counts) != 0)
            return out_of_memory(e);
    }
    for (size_t j = 0; j < rs->n_bin; j++) {
        const bin_entry *b = &rs->bin[j];
        long listed = rs->phase >= 0 ? b->listed : -1;
        if (listed >= 0) {
            rs->entry_of[listed] = kept;
            rs->bin[kept++] = (bin_entry){b->slot, 0, listed};
        }
    }
    rs->n_bin = kept;
    return 0;
}

static int emit_flows(engine *e)
{
    for (size_t i = 0; i < e->sc->n_traffic; i++) {
        source *s = &e->sources[i];
        if (flowstore_add(e->res->flows, s->target, s->arrivals, s->failed) != 0)
            return out_of_memory(e);
        e->res->total += s->arrivals;
        for (int k = 0; k < RESULTS_N_REASONS; k++) {
            e->res->failed_by_reason[k] += s->failed[k];
            e->res->failed += s->failed[k];
        }
        s->arrivals = 0;
        memset(s->failed, 0, sizeof s->failed);
    }
    return flowstore_end_bin(e->res->flows) == 0 ? 0 : out_of_memory(e);
}

static double bin_end(const engine *e)
{
    return fmin((double)(e->bin + 1) * e->sc->window_s, e->sc->duration_s);
}

/* Bins end through the queue except the last: it closes once everything at the end of the
 * run has happened, so an arrival at exactly `duration` (a trace may have one) is counted in
 * it, whenever that arrival was queued. */
static int queued_bin_end(const engine *e)
{
    return e->bin + 1 < e->res->n_bins;
}

/* Whether the router's bin can end in one pass (end_steady_bin): its open phase lists
 * every entry of the bin (none is a former phase's deployment routed to in the bin), under
 * the layout of its last block, which no commit since can have changed. */
static int steady_bin(const engine *e, const router_state *rs)
{
    return rs->phase >= 0 && rs->n_bin > 0 &&
           rs->n_bin == e->res->phases[rs->phase].n_deployments && rs->layout_commits &&
           rs->layout_commits == e->commits;
}

/* A steady bin's end (the common case: every bin between two commits) in one pass over
 * the router's entries, doing what flush_bin, emit_points and look do one after another:
 * the bin's requests per entry go to its block, those since the last look to the test's
 * batch, and the entries start the next bin at zero. A wide router's bin end touches each
 * of its arrays once instead of walking its entries five times. */
static int end_steady_bin(engine *e, router_state *rs)
{
    uint64_t *block = e->block_counts, *batch = e->scratch_counts;
    for (size_t j = 0; j < rs->n_bin; j++) {
        bin_entry *b = &rs->bin[j];
        size_t i = (size_t)b->listed;
        uint64_t now = rs->counts[i];
        block[j] = b->routed + (now - rs->bin_mark[i]);
        b->routed = 0;
        rs->bin_mark[i] = now;
        if (rs->seq) {
            batch[i] = now - rs->seq_mark[i];
            rs->seq_mark[i] = now;
        }
    }
    if (splitstore_add_block(e->res->split, rs->layout, block) != 0)
        return out_of_memory(e);
    return rs->seq ? look_at(e, rs, batch) : 0;
}

/* The end of a bin of the time series: one block of points per router. */
static int end_bin(engine *e)
{
    for (size_t slot = 0; slot < e->n_routers; slot++) {
        router_state *rs = &e->routers[slot];
        if (steady_bin(e, rs)
                ? end_steady_bin(e, rs) != 0
                : flush_bin(e, slot) != 0 || emit_points(e, slot) != 0 || look(e, slot) != 0)
            return -1;
    }
    if (splitstore_end_bin(e->res->split) != 0)
        return out_of_memory(e);
    if (emit_flows(e) != 0)
        return -1;
    if (capacity_end_bin(e->capacity, (uint32_t)e->bin, e->now) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    e->bin++;
    if (queued_bin_end(e) && eventq_push(e->queue, bin_end(e), EV_BIN_END, 0) != 0)
        return out_of_memory(e);
    return 0;
}

/* Bins are half-open: one that ends at this very instant measured the world as it was, so
 * it closes before anything changes at the instant. Its queued end is then stale. */
static int end_due_bin(engine *e)
{
    return queued_bin_end(e) && bin_end(e) <= e->now ? end_bin(e) : 0;
}

static int push(engine *e, double time, int kind, size_t index)
{
    return eventq_push(e->queue, time, kind, (int)index) == 0 ? 0 : out_of_memory(e);
}

static void report_progress(engine *e)
{
    uint64_t requests = e->res->total; /* up to the last bin, plus the current bin's */
    for (size_t i = 0; i < e->sc->n_traffic; i++)
        requests += e->sources[i].arrivals;
    e->until_progress = PROGRESS_EVERY;
    e->progress(e->progress_ctx, e->now, e->sc->duration_s, requests);
}

/* When source i's next request comes (> end: none before the end of the run). A trace's
 * next line is read now and held until then. */
static inline int next_arrival(engine *e, size_t i, double *at)
{
    source *s = &e->sources[i];
    if (s->mean_gap > 0) { /* traffic_next's constant rate, the same draw, without its tests */
        *at = e->now + gsl_ran_exponential(e->rng, s->mean_gap);
        return 0;
    }
    if (!s->trace) {
        *at = traffic_next(&s->spec->shape, e->rng, e->now, e->sc->duration_s);
        return 0;
    }
    int rc = traffic_trace_next(s->trace, &s->next, e->err, e->errlen);
    if (rc < 0)
        return -1;
    *at = rc == 1 ? s->next.time_s : INFINITY;
    return 0;
}

static int schedule_arrival(engine *e, size_t i)
{
    if (e->pool && e->sources[i].pooled)
        return 0; /* its requests come through the pool */
    double next;
    if (next_arrival(e, i, &next) != 0)
        return -1;
    return next > e->sc->duration_s ? 0 : push(e, next, EV_ARRIVAL, i);
}

/* When the earliest queued event is due. Arrivals queue nothing, so it stays the same
 * through a run of them. */
static double due_time(const engine *e)
{
    const eventq_event *due = eventq_peek(e->queue);
    return due ? due->time : INFINITY;
}

/* Arrivals from source i, for as long as its next one comes before anything queued: the
 * next arrival only enters the queue when some other event is due first, so a run spends
 * its time routing requests rather than reordering a heap. Ties go to the queued event,
 * as they would in the queue (it was pushed earlier). */
static int arrivals(engine *e, size_t i)
{
    double due = due_time(e);
    for (;;) {
        arrive(e, i);
        if (e->failed)
            return -1;
        if (e->progress && --e->until_progress == 0)
            report_progress(e);
        double next;
        if (next_arrival(e, i, &next) != 0)
            return -1;
        if (next > e->sc->duration_s)
            return 0;
        if (next >= due)
            return push(e, next, EV_ARRIVAL, i);
        e->now = next;
    }
}

/* The pooled sources' next arrival. */
static inline const arrivalfeed_arrival *pool_take(engine *e)
{
    if (e->pool_next == e->pool_end) {
        size_t n;
        e->pool_next = arrivalfeed_take(e->pool, &n);
        e->pool_end = e->pool_next + n;
    }
    return e->pool_next++;
}

/* A fleet's requests come from sources, and reach routers, all over memory, in no order:
 * each one would wait on the loads of its source, its router's state and its counts in
 * turn. The block holds the arrivals to come, so start those loads a few requests ahead,
 * each level at a shorter distance than the one its address is read from. Only a hint to
 * the cache: the loads it starts change nothing that is computed. */
#define POOL_AHEAD_SOURCE 15
#define POOL_AHEAD_ROUTER 10
#define POOL_AHEAD_COUNTS 5

static inline const source *pool_source_ahead(const engine *e, size_t ahead)
{
    return &e->sources[e->pooled[e->pool_next[ahead].source]];
}

/* The pooled sources' requests, as arrivals() does for one source: member k's request now,
 * then the pool's next for as long as it comes before anything queued. */
static int pooled_arrivals(engine *e, size_t k)
{
    double due = due_time(e);
    for (;;) {
        arrive(e, e->pooled[k]);
        if (e->failed)
            return -1;
        if (e->progress && --e->until_progress == 0)
            report_progress(e);
        const arrivalfeed_arrival *next = pool_take(e);
        /* here rather than in a function of its own: GCC takes one made of prefetches
         * alone for one without effects and drops its calls */
        size_t left = (size_t)(e->pool_end - e->pool_next);
        if (left > POOL_AHEAD_SOURCE)
            __builtin_prefetch(pool_source_ahead(e, POOL_AHEAD_SOURCE), 1);
        if (left > POOL_AHEAD_ROUTER) {
            long router = pool_source_ahead(e, POOL_AHEAD_ROUTER)->router;
            if (router >= 0) {
                __builtin_prefetch(&e->routers[router], 1);
                __builtin_prefetch(world_route_memory(e->world, (size_t)router, 0), 0);
            }
        }
        if (left > POOL_AHEAD_COUNTS) {
            long router = pool_source_ahead(e, POOL_AHEAD_COUNTS)->router;
            if (router >= 0 && e->routers[router].counts)
                __builtin_prefetch(e->routers[router].counts, 1);
            const void *pick_memory =
                router >= 0 ? world_route_memory(e->world, (size_t)router, 1) : NULL;
            if (pick_memory)
                __builtin_prefetch(pick_memory, 1);
        }
        if (next->time > e->sc->duration_s)
            return 0;
        k = next->source;
        if (next->time >= due)
            return push(e, next->time, EV_POOLED_ARRIVAL, k);
        e->now = next->time;
    }
}

/* A completion, a cold start's end or an autoscaler tick; re-weight if the world moved. */
static int capacity_event(engine *e, const eventq_event *ev)
{
    int world_changed = 0;
    if (capacity_handle(e->capacity, ev, e->now, &world_changed) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    if (!world_changed)
        return 0;
    if (world_commit(e->world) < 0)
        return out_of_memory(e);
    return after_commit(e);
}

static int dispatch(engine *e, const eventq_event *ev)
{
    if (ev->kind != EV_ARRIVAL && ev->kind != EV_POOLED_ARRIVAL && ev->kind != EV_BIN_END &&
        end_due_bin(e) != 0)
        return -1;
    switch (ev->kind) {
    case EV_ARRIVAL:
        return arrivals(e, (size_t)ev->index);
    case EV_POOLED_ARRIVAL:
        return pooled_arrivals(e, (size_t)ev->index);
    case EV_INSTANT:
        return apply_instant(e);
    case EV_WINDOW_OPEN:
    case EV_WINDOW_CLOSE:
        e->watches[ev->index].open = ev->kind == EV_WINDOW_OPEN;
        return sync_watch(e, &e->watches[ev->index]);
    case EV_BIN_END:
        return queued_bin_end(e) && ev->time == bin_end(e) ? end_bin(e) : 0;
    }
    if (ev->kind >= EV_CAPACITY_FIRST && ev->kind < EV_N_KINDS)
        return capacity_event(e, ev);
    return fail(e, "unknown event kind %d", ev->kind);
}

/* ---- set-up and the main loop -------------------------------------------------------- */

/* taus2 reads 32 bits of its seed and maps 0 to its default; fold all 64 bits in and
 * keep the result non-zero so that every seed gives its own stream. */
static unsigned long generator_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    unsigned long folded = (unsigned long)((z ^ (z >> 32)) & 0xffffffffu);
    return folded ? folded : 1;
}

/* The scenario's faults as the reports say them, so a run that fails because of them says
 * why. */
static int describe_faults(engine *e)
{
    const scenario *sc = e->sc;
    if (sc->n_faults == 0)
        return 0;
    if (!(e->res->faults = calloc(sc->n_faults, sizeof *e->res->faults)))
        return out_of_memory(e);
    for (size_t i = 0; i < sc->n_faults; i++) {
        const scenario_fault *f = &sc->faults[i];
        char text[1024];
        int n = snprintf(text, sizeof text, "router %s:", f->router);
        if (f->skew_deployment[0])
            n += snprintf(text + n, sizeof text - (size_t)n, " skew %s %+g;", f->skew_deployment,
                          f->skew_shift);
        if (f->drop_deployment[0])
            n += snprintf(text + n, sizeof text - (size_t)n, " dropout %s during [%gs, %gs);",
                          f->drop_deployment, f->drop_start_s, f->drop_end_s);
        if (f->sticky_clients)
            n += snprintf(text + n, sizeof text - (size_t)n,
                          " sticky sessions: %u clients, %g of requests;", f->sticky_clients,
                          f->sticky_fraction);
        text[n - 1] = '\0'; /* the last ';' */
        if (!(e->res->faults[e->res->n_faults++] = results_strdup(text)))
            return out_of_memory(e);
    }
    return 0;
}

static int init_results(engine *e, uint64_t seed)
{
    const scenario *sc = e->sc;
    results *res = e->res;
    res->seed = seed;
    res->duration_s = sc->duration_s;
    res->window_s = sc->window_s;
    res->alpha = sc->alpha;
    res->power_shift = sc->power_shift;
    res->power_relative = sc->power_relative;
    res->power_target = sc->power_target;
    if (describe_faults(e) != 0)
        return -1;
    res->n_bins = (size_t)ceil(sc->duration_s / sc->window_s - 1e-9);
    if (res->n_bins == 0)
        res->n_bins = 1;
    if (!(res->scenario = results_strdup(sc->name)) || !(res->source = results_strdup(sc->path)))
        return out_of_memory(e);
    if (sc->description && !(res->description = results_strdup(sc->description)))
        return out_of_memory(e);
    if (sc->n_sets && !(res->sets = calloc(sc->n_sets, sizeof *res->sets)))
        return out_of_memory(e);
    for (; res->n_sets < sc->n_sets; res->n_sets++)
        if (!(res->sets[res->n_sets] = results_strdup(sc->sets[res->n_sets])))
            return out_of_memory(e);
    return 0;
}

/* The pool's stream: the splitmix64 output after the one that seeds the run's own stream
 * (generator_seed is the first), so the two differ for every seed. */
static unsigned long pool_seed(uint64_t seed)
{
    return generator_seed(seed + 0x9e3779b97f4a7c15ULL);
}

/* Whether the pool's arrivals are worth a thread: enough of them expected, and a second
 * core to draw them on. */
static int pool_threaded(const engine *e, double total_rate)
{
    if (e->pool_thread != ENGINE_POOL_THREAD_AUTO)
        return e->pool_thread == ENGINE_POOL_THREAD_ON;
    return total_rate * e->sc->duration_s >= POOL_THREAD_MIN && sysconf(_SC_NPROCESSORS_ONLN) > 1;
}

/* Pool the constant-rate sources when there are enough of them to be worth it. */
static int init_pool(engine *e, uint64_t seed)
{
    size_t n = 0;
    for (size_t i = 0; i < e->sc->n_traffic; i++)
        n += (size_t)e->sources[i].pooled;
    if (n < POOL_MIN_SOURCES)
        return 0;
    double *rates = malloc(n * sizeof *rates);
    if (!rates || !(e->pooled = malloc(n * sizeof *e->pooled))) {
        free(rates);
        return out_of_memory(e);
    }
    double total = 0;
    for (size_t i = 0, k = 0; i < e->sc->n_traffic; i++)
        if (e->sources[i].pooled) {
            rates[k] = e->sources[i].spec->shape.rate;
            total += rates[k];
            e->pooled[k++] = i;
        }
    arrivalfeed_shape shape = {POOL_BLOCK, POOL_BLOCKS, pool_threaded(e, total)};
    e->pool =
        arrivalfeed_new(n, rates, pool_seed(seed), e->sc->duration_s, &shape, e->err, e->errlen);
    free(rates);
    return e->pool ? 0 : -1;
}

static int init_sources(engine *e, uint64_t seed)
{
    const scenario *sc = e->sc;
    e->sources = calloc(sc->n_traffic ? sc->n_traffic : 1, sizeof *e->sources);
    if (!e->sources)
        return out_of_memory(e);
    for (size_t i = 0; i < sc->n_traffic; i++) {
        source *s = &e->sources[i];
        char name[UNITS_NAME_MAX];
        s->spec = &sc->traffic[i];
        s->router = -1;
        const traffic_shape *sh = &s->spec->shape;
        s->pooled = !s->spec->trace && sh->n_segments == 0 && !sh->has_daily && !sh->has_bursts &&
                    sh->rate > 0;
        s->mean_gap = s->pooled ? 1.0 / sh->rate : 0;
        if (s->spec->trace && !(s->trace = traffic_trace_open(s->spec->trace, e->err, e->errlen)))
            return -1;
        if (s->spec->tokens.n_classes &&
            !(s->sizes = tokens_sampler_new(&s->spec->tokens, e->err, e->errlen)))
            return -1;
        units_full_name(name, sc->account, UNITS_ROUTER, s->spec->router);
        long target = results_name_index(&e->res->targets, &e->res->n_targets, name);
        if (target < 0)
            return out_of_memory(e);
        s->target = (uint32_t)target;
    }
    return init_pool(e, seed);
}

static int init_watches(engine *e)
{
    const scenario *sc = e->sc;
    e->watches = calloc(sc->n_expect ? sc->n_expect : 1, sizeof *e->watches);
    if (!e->watches)
        return out_of_memory(e);
    for (size_t w = 0; w < sc->n_expect; w++) {
        const scenario_expect *ex = &sc->expect[w];
        results_window *win = results_add_window(e->res);
        if (!win || !(win->observed = calloc(ex->n_shares, sizeof *win->observed)))
            return out_of_memory(e);
        win->expect = w;
        win->n = ex->n_shares;
        e->watches[w] = (watch){.spec = ex, .window = e->res->n_windows - 1, .router = -1};
        if (eventq_push(e->queue, ex->start_s, EV_WINDOW_OPEN, (int)w) != 0 ||
            eventq_push(e->queue, ex->end_s, EV_WINDOW_CLOSE, (int)w) != 0)
            return out_of_memory(e);
    }
    return 0;
}

static int start(engine *e, uint64_t seed)
{
    if (init_results(e, seed) != 0 || init_sources(e, seed) != 0 || init_watches(e) != 0)
        return -1;
    if (capacity_start(e->capacity) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    /* The world at time zero exists before any request arrives. */
    if (e->sc->n_events > 0 && e->sc->events[0].at_s == 0 && apply_instant(e) != 0)
        return -1;
    if (e->next_event == 0 && schedule_instant(e) != 0)
        return -1;
    if (queued_bin_end(e) && eventq_push(e->queue, bin_end(e), EV_BIN_END, 0) != 0)
        return out_of_memory(e);
    for (size_t i = 0; i < e->sc->n_traffic; i++)
        if (schedule_arrival(e, i) != 0)
            return -1;
    if (e->pool) {
        const arrivalfeed_arrival *first = pool_take(e);
        if (first->time <= e->sc->duration_s &&
            push(e, first->time, EV_POOLED_ARRIVAL, first->source) != 0)
            return -1;
    }
    return 0;
}

static int run_loop(engine *e)
{
    eventq_event ev;
    e->until_progress = PROGRESS_EVERY;
    /* Requests still in service at the end are not counted as completed. */
    while (eventq_pop(e->queue, &ev) && ev.time <= e->sc->duration_s) {
        e->now = ev.time;
        if (dispatch(e, &ev) != 0)
            return -1;
    }
    e->now = e->sc->duration_s;
    if (end_bin(e) != 0)
        return -1;
    for (size_t slot = 0; slot < e->n_routers; slot++)
        if (e->routers[slot].phase >= 0)
            close_phase(e, slot);
    for (size_t i = 0; i < e->res->n_phases; i++)
        e->res->routed += e->res->phases[i].requests;
    if (capacity_finish(e->capacity, e->now) != 0)
        return fail(e, "%s", capacity_error(e->capacity));
    return 0;
}

static void engine_free(engine *e)
{
    for (size_t i = 0; i < e->n_routers; i++) {
        free(e->routers[i].counts);
        free(e->routers[i].bin_mark);
        free(e->routers[i].bin);
        free(e->routers[i].entry_of);
        free(e->routers[i].slots);
        routerfault_free(e->routers[i].fault);
        seqtest_free(e->routers[i].seq);
        free(e->routers[i].seq_mark);
    }
    seqtest_memo_free(e->memo);
    free(e->routers);
    free(e->dep_name);
    free(e->name_cells);
    free(e->block_counts);
    free(e->block_names);
    free(e->block_replicas);
    free(e->block_shares);
    free(e->scratch);
    free(e->scratch_counts);
    for (size_t i = 0; e->sources && i < e->sc->n_traffic; i++) {
        traffic_trace_close(e->sources[i].trace);
        tokens_sampler_free(e->sources[i].sizes);
    }
    free(e->sources);
    arrivalfeed_free(e->pool); /* stops and joins its producer, whatever ended the run */
    free(e->pooled);
    for (size_t w = 0; e->watches && w < e->sc->n_expect; w++)
        free(e->watches[w].share_of);
    free(e->watches);
    capacity_free(e->capacity);
    gsl_rng_free(e->rng);
    eventq_free(e->queue);
    world_free(e->world);
}

results *engine_run(const scenario *sc, uint64_t seed, engine_progress_fn progress, void *ctx,
                    char *err, size_t errlen)
{
    return engine_run_pool(sc, seed, ENGINE_POOL_THREAD_AUTO, progress, ctx, err, errlen);
}

results *engine_run_pool(const scenario *sc, uint64_t seed, engine_pool_thread pool_thread,
                         engine_progress_fn progress, void *ctx, char *err, size_t errlen)
{
    engine e = {.sc = sc,
                .err = err,
                .errlen = errlen,
                .progress = progress,
                .progress_ctx = ctx,
                .pool_thread = pool_thread};
    gslerr_quiet(); /* an allocation GSL cannot make is an error here, not an abort */
    e.world = world_new(sc->account, seed);
    e.res = results_new();
    e.queue = eventq_new();
    e.rng = gsl_rng_alloc(gsl_rng_taus2);
    e.memo = seqtest_memo_new();

    e.capacity = capacity_new(sc, e.world, e.queue, e.rng, e.res, EV_CAPACITY_FIRST);
    e.serving = e.capacity && capacity_active(e.capacity);
    int rc = -1;
    if (e.world && e.res && e.queue && e.rng && e.memo && e.capacity) {
        gsl_rng_set(e.rng, generator_seed(seed));
        rc = start(&e, seed);
        if (rc == 0)
            rc = run_loop(&e);
    } else {
        out_of_memory(&e);
    }
    engine_free(&e);
    if (rc != 0) {
        results_free(e.res);
        return NULL;
    }
    return e.res;
}
