/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/world.h"

#include "sim/base/rngword.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A router's slot: the read-only view callers get, and what backs it. The view's arrays
 * point at the ones owned here; the selector is seen by nothing outside this file. */
typedef struct {
    world_router view;
    size_t *deployments;
    uint32_t *weights;
    selector *selector; /* over weights; NULL while the router does not exist */
    int dirty;          /* the next commit looks at it: it, or a deployment it lists, changed */
} router_rec;

/* Slots by id: an open-addressed hash table of slot + 1 (0 marks an empty cell) with the
 * id's hash, at most half full. Slots are never given up (a deleted resource keeps its slot
 * for its id), so the table only grows; lookups by id cost O(1) however many a scenario
 * declares, and growing reads no id again. */
typedef struct {
    uint32_t slot; /* slot + 1 */
    uint32_t hash;
} id_cell;

typedef struct {
    id_cell *cells;
    size_t cap; /* a power of two, or 0 */
} id_index;

/* The world's strings, in blocks freed together with the world. A string is never changed
 * or freed before then, so a record's pointers stay valid whatever later commands do. */
typedef struct block {
    struct block *next;
    size_t used, cap;
    char bytes[];
} block;

#define BLOCK_BYTES 16384

/* Strings many records share (models, regions, display names), each kept once: an
 * open-addressed set, at most half full. */
typedef struct {
    const char **cells;
    size_t n, cap; /* cap a power of two, or 0 */
} string_set;

struct world {
    char account[UNITS_ID_MAX + 1];
    uint64_t id_state; /* splitmix64 state for generated router ids */
    size_t n_routers, cap_routers;
    router_rec *routers;
    size_t n_deployments, cap_deployments;
    world_deployment *deployments;
    id_index router_ids, deployment_ids;
    char router_prefix[UNITS_NAME_MAX], deployment_prefix[UNITS_NAME_MAX]; /* of full names */
    block *strings;
    string_set shared;
    /* listed[slot] == stamp: the deployment in that slot came earlier in the deployment list
     * being checked (one id, one slot); a new stamp per list, so nothing is cleared */
    uint32_t *listed;
    size_t cap_listed;
    uint32_t stamp;
    /* What a commit looks at: every router after a deployment list changed (full), else the
     * dirty ones and those listing a deployment whose counts changed since the last commit
     * (touched, each once; is_touched marks them), found through listers: the routers
     * listing deployment d are listers[lister_start[d] .. lister_start[d + 1]), as of the
     * last full commit, for the first n_listed deployment slots. */
    int full;
    size_t *touched, n_touched, cap_touched;
    unsigned char *is_touched;
    size_t *lister_start, *listers, n_listed;
};

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

static void copy_str(char *dst, size_t size, const char *src)
{
    snprintf(dst, size, "%s", src);
}

/* Every command's unset texts point here; only other texts are the command's to free. */
static const char no_text[] = "";

void world_cmd_init(world_cmd *cmd)
{
    memset(cmd, 0, sizeof *cmd);
    cmd->model = cmd->display_name = cmd->region = no_text;
}

static void free_text(const char *text)
{
    if (text != no_text)
        free((char *)text);
}

void world_cmd_clear(world_cmd *cmd)
{
    free(cmd->deployments);
    free_text(cmd->model);
    free_text(cmd->display_name);
    free_text(cmd->region);
    world_cmd_init(cmd);
}

int world_cmd_set_text(const char **field, const char *text)
{
    char *copy = strdup(text);
    if (!copy)
        return -1;
    free_text(*field);
    *field = copy;
    return 0;
}

/* The list's capacity is the next power of two at or above its length (no separate field),
 * so a router listing k deployments costs O(k) copying, not O(k^2). */
int world_cmd_add_deployment(world_cmd *cmd, const char *id)
{
    size_t n = cmd->n_deployments;
    if ((n & (n - 1)) == 0) {
        world_id *grown = realloc(cmd->deployments, (n ? 2 * n : 1) * sizeof *grown);
        if (!grown)
            return -1;
        cmd->deployments = grown;
    }
    size_t len = strnlen(id, UNITS_ID_MAX);
    char *to = cmd->deployments[cmd->n_deployments++];
    memcpy(to, id, len);
    to[len] = '\0';
    return 0;
}

int world_cmd_resize_deployments(world_cmd *cmd, size_t n)
{
    size_t cap = 1;
    while (cap < n)
        cap *= 2;
    world_id *resized = realloc(cmd->deployments, cap * sizeof *resized);
    if (!resized)
        return -1;
    for (size_t i = cmd->n_deployments; i < n; i++)
        resized[i][0] = '\0';
    cmd->deployments = resized;
    cmd->n_deployments = n;
    return 0;
}

int world_region_is_multi(const char *region)
{
    return strcmp(region, "US") == 0 || strcmp(region, "EUROPE") == 0 ||
           strcmp(region, "APAC") == 0;
}

const char *world_strategy_name(selector_strategy s)
{
    return s == SELECTOR_EVEN_LOAD ? "even-load" : "weighted-random";
}

static uint64_t hash_id(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 0x100000001b3ULL;
    return h;
}

/* A copy of len bytes of s (and a NUL) among the world's strings, or NULL. */
static const char *keep(world *w, const char *s, size_t len)
{
    block *b = w->strings;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > BLOCK_BYTES ? len + 1 : BLOCK_BYTES;
        if (!(b = malloc(sizeof *b + cap)))
            return NULL;
        b->next = w->strings;
        b->used = 0;
        b->cap = cap;
        w->strings = b;
    }
    char *copy = b->bytes + b->used;
    memcpy(copy, s, len);
    copy[len] = '\0';
    b->used += len + 1;
    return copy;
}

/* The world's one copy of s, or NULL when out of memory. */
static const char *shared(world *w, const char *s)
{
    string_set *set = &w->shared;
    if (2 * (set->n + 1) > set->cap) {
        size_t cap = set->cap ? 2 * set->cap : 16;
        const char **cells = calloc(cap, sizeof *cells);
        if (!cells)
            return NULL;
        for (size_t i = 0; i < set->cap; i++) {
            if (!set->cells[i])
                continue;
            size_t k = hash_id(set->cells[i]) & (cap - 1);
            while (cells[k])
                k = (k + 1) & (cap - 1);
            cells[k] = set->cells[i];
        }
        free(set->cells);
        set->cells = cells;
        set->cap = cap;
    }
    size_t k = hash_id(s) & (set->cap - 1);
    for (; set->cells[k]; k = (k + 1) & (set->cap - 1))
        if (strcmp(set->cells[k], s) == 0)
            return set->cells[k];
    const char *copy = keep(w, s, strlen(s));
    if (copy) {
        set->cells[k] = copy;
        set->n++;
    }
    return copy;
}

/* The full name of a new router or deployment, with its id as the name's tail. */
static int keep_name(world *w, const char *prefix, const char *id, const char **name,
                     const char **tail)
{
    size_t plen = strlen(prefix), len = strlen(id);
    char full[UNITS_NAME_MAX + UNITS_ID_MAX + 1];
    memcpy(full, prefix, plen);
    memcpy(full + plen, id, len);
    if (!(*name = keep(w, full, plen + len)))
        return -1;
    *tail = *name + plen;
    return 0;
}

static const char *router_id_at(const world *w, size_t slot)
{
    return w->routers[slot].view.id;
}

static const char *deployment_id_at(const world *w, size_t slot)
{
    return w->deployments[slot].id;
}

typedef const char *(*id_at_fn)(const world *w, size_t slot);

static long index_find(const world *w, const id_index *ix, id_at_fn id_at, const char *id)
{
    if (ix->cap == 0)
        return -1;
    uint32_t hash = (uint32_t)hash_id(id);
    for (size_t i = hash & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        const id_cell *c = &ix->cells[i];
        if (c->slot == 0)
            return -1;
        if (c->hash == hash && strcmp(id_at(w, c->slot - 1), id) == 0)
            return (long)(c->slot - 1);
    }
}

static void index_put(id_index *ix, id_cell cell)
{
    size_t i = cell.hash & (ix->cap - 1);
    while (ix->cells[i].slot != 0)
        i = (i + 1) & (ix->cap - 1);
    ix->cells[i] = cell;
}

/* Index slot, the n-th (slots 0..n-1 are indexed already). */
static int index_add(const world *w, id_index *ix, id_at_fn id_at, size_t slot)
{
    if (2 * (slot + 1) > ix->cap) {
        size_t cap = ix->cap ? 2 * ix->cap : 16;
        id_index grown = {calloc(cap, sizeof(id_cell)), cap};
        if (!grown.cells)
            return -1;
        for (size_t i = 0; i < ix->cap; i++)
            if (ix->cells[i].slot != 0)
                index_put(&grown, ix->cells[i]);
        free(ix->cells);
        *ix = grown;
    }
    index_put(ix, (id_cell){(uint32_t)slot + 1, (uint32_t)hash_id(id_at(w, slot))});
    return 0;
}

world *world_new(const char *account, uint64_t id_seed)
{
    world *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    copy_str(w->account, sizeof w->account, account);
    units_full_name(w->router_prefix, w->account, UNITS_ROUTER, "");
    units_full_name(w->deployment_prefix, w->account, UNITS_DEPLOYMENT, "");
    w->id_state = id_seed;
    w->full = 1;
    return w;
}

void world_free(world *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n_routers; i++) {
        free(w->routers[i].deployments);
        free(w->routers[i].weights);
        selector_free(w->routers[i].selector);
    }
    free(w->routers);
    free(w->deployments);
    free(w->router_ids.cells);
    free(w->deployment_ids.cells);
    while (w->strings) {
        block *next = w->strings->next;
        free(w->strings);
        w->strings = next;
    }
    free(w->shared.cells);
    free(w->listed);
    free(w->touched);
    free(w->is_touched);
    free(w->lister_start);
    free(w->listers);
    free(w);
}

const char *world_account(const world *w)
{
    return w->account;
}

size_t world_router_count(const world *w)
{
    return w->n_routers;
}

size_t world_deployment_count(const world *w)
{
    return w->n_deployments;
}

const world_router *world_router_at(const world *w, size_t slot)
{
    return &w->routers[slot].view;
}

int world_route(world *w, size_t router, gsl_rng *rng)
{
    return selector_pick(w->routers[router].selector, rngword_next, rng);
}

const void *world_route_memory(const world *w, size_t router, int stage)
{
    const router_rec *r = &w->routers[router];
    return stage == 0 ? (const void *)&r->selector : (const void *)r->selector;
}

int world_route_faulty(world *w, size_t router, routerfault *f, gsl_rng *rng, double now_s)
{
    router_rec *r = &w->routers[router];
    return routerfault_pick(f, r->selector, r->deployments, rng, now_s);
}

const world_deployment *world_deployment_at(const world *w, size_t slot)
{
    return &w->deployments[slot];
}

long world_find_router(const world *w, const char *id)
{
    return index_find(w, &w->router_ids, router_id_at, id);
}

long world_find_deployment(const world *w, const char *id)
{
    return index_find(w, &w->deployment_ids, deployment_id_at, id);
}

static long existing_router(const world *w, const char *id)
{
    long slot = world_find_router(w, id);
    return slot >= 0 && w->routers[slot].view.exists ? slot : -1;
}

static long existing_deployment(const world *w, const char *id)
{
    long slot = world_find_deployment(w, id);
    return slot >= 0 && w->deployments[slot].exists ? slot : -1;
}

/* The slot for a new resource with this id: `found`, the deleted one of the same id (whose
 * id and name are this one's), or a new one when found is -1. */
static long router_slot(world *w, const char *id, long found)
{
    if (found >= 0)
        return found;
    if (w->n_routers == w->cap_routers) {
        size_t cap = w->cap_routers ? 2 * w->cap_routers : 8;
        router_rec *grown = realloc(w->routers, cap * sizeof *grown);
        if (!grown)
            return -1;
        w->routers = grown;
        w->cap_routers = cap;
    }
    world_router *r = &w->routers[w->n_routers].view;
    memset(&w->routers[w->n_routers], 0, sizeof w->routers[0]);
    if (keep_name(w, w->router_prefix, id, &r->name, &r->id) != 0 ||
        index_add(w, &w->router_ids, router_id_at, w->n_routers) != 0)
        return -1;
    return (long)w->n_routers++;
}

static long deployment_slot(world *w, const char *id, long found)
{
    if (found >= 0)
        return found;
    if (w->n_deployments == w->cap_deployments) {
        size_t cap = w->cap_deployments ? 2 * w->cap_deployments : 8;
        world_deployment *grown = realloc(w->deployments, cap * sizeof *grown);
        if (!grown)
            return -1;
        w->deployments = grown;
        w->cap_deployments = cap;
    }
    world_deployment *d = &w->deployments[w->n_deployments];
    memset(d, 0, sizeof *d);
    if (keep_name(w, w->deployment_prefix, id, &d->name, &d->id) != 0 ||
        index_add(w, &w->deployment_ids, deployment_id_at, w->n_deployments) != 0)
        return -1;
    return (long)w->n_deployments++;
}

/* Router ids the platform would generate: a letter then lower-case letters and digits. */
static void generate_router_id(world *w, world_id id)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    do {
        uint64_t z = (w->id_state += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        id[0] = alphabet[z % 26];
        for (int i = 1; i < 12; i++) {
            z /= 36;
            id[i] = alphabet[z % 36];
        }
        id[12] = '\0';
    } while (existing_router(w, id) >= 0);
}

/* A router's deployment list must name existing multi-region deployments, once each. Their
 * slots, in the list's order, go into *slots (the caller's to free) when it does. */
static int check_router_deployments(world *w, const world_cmd *cmd, size_t **slots, char *err,
                                    size_t errlen)
{
    if (cmd->n_deployments == 0)
        return fail(err, errlen, "expected at least one deployment in --deployments");
    if (cmd->n_deployments > WORLD_MAX_ROUTER_DEPLOYMENTS)
        return fail(err, errlen, "expected at most %u deployments behind a router, got %zu",
                    WORLD_MAX_ROUTER_DEPLOYMENTS, cmd->n_deployments);
    if (w->cap_listed < w->n_deployments) {
        uint32_t *grown = realloc(w->listed, w->cap_deployments * sizeof *grown);
        if (!grown)
            return fail(err, errlen, "out of memory");
        memset(grown + w->cap_listed, 0, (w->cap_deployments - w->cap_listed) * sizeof *grown);
        w->listed = grown;
        w->cap_listed = w->cap_deployments;
    }
    if (++w->stamp == 0) { /* wrapped: stamps of long ago would read as this list's */
        memset(w->listed, 0, w->cap_listed * sizeof *w->listed);
        w->stamp = 1;
    }
    uint32_t *listed = w->listed;
    size_t *found = malloc(cmd->n_deployments * sizeof *found);
    if (!found)
        return fail(err, errlen, "out of memory");
    int rc = 0;
    for (size_t i = 0; i < cmd->n_deployments && rc == 0; i++) {
        const char *id = cmd->deployments[i];
        long slot = existing_deployment(w, id);
        if (slot < 0) {
            rc = fail(err, errlen, "deployment \"%s\" does not exist at this time", id);
            break;
        }
        const world_deployment *d = &w->deployments[slot];
        if (!world_region_is_multi(d->region))
            rc = fail(err, errlen,
                      "deployment \"%s\" is in the single region \"%s\"; routers only work "
                      "with multi-region deployments (--region US, EUROPE or APAC)",
                      id, d->region);
        else if (listed[slot] == w->stamp)
            rc = fail(err, errlen, "deployment \"%s\" is listed twice", id);
        listed[slot] = w->stamp;
        found[i] = (size_t)slot;
    }
    if (rc != 0)
        free(found);
    else
        *slots = found;
    return rc;
}

/* Dropping the selector makes the next commit rebuild it and start a new phase. */
static void drop_selector(router_rec *r)
{
    selector_free(r->selector);
    r->selector = NULL;
}

/* The router's list becomes these n slots (taken). */
static void set_router_deployments(world *w, router_rec *r, size_t *slots, size_t n)
{
    w->full = 1;
    /* A different list drops the selector, so the next commit rebuilds it even when the
     * weights happen to read the same (v1 with 2 replicas swapped for v2 with 2). */
    if (r->view.n_deployments != n || memcmp(r->deployments, slots, n * sizeof *slots) != 0)
        drop_selector(r);
    free(r->deployments);
    r->deployments = slots;
    r->view.deployments = slots;
    r->view.n_deployments = n;
}

/* Returns 0, or -1 when out of memory (nothing changed). */
static int set_router_properties(world *w, router_rec *rec, const world_cmd *cmd)
{
    world_router *r = &rec->view;
    const char *display_name = r->display_name, *model = r->model;
    if (((cmd->set & WORLD_SET_DISPLAY_NAME) && !(display_name = shared(w, cmd->display_name))) ||
        ((cmd->set & WORLD_SET_MODEL) && !(model = shared(w, cmd->model))))
        return -1;
    if ((cmd->set & WORLD_SET_STRATEGY) && cmd->strategy != r->strategy)
        drop_selector(rec);
    r->display_name = display_name;
    r->model = model;
    if (cmd->set & WORLD_SET_STRATEGY)
        r->strategy = cmd->strategy;
    if (cmd->set & WORLD_SET_PUBLIC)
        r->is_public = cmd->is_public;
    if (cmd->set & WORLD_SET_WEIGHTS)
        r->weigh_desired = cmd->weigh_desired;
    return 0;
}

static int router_create(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    world_id id;
    if (cmd->id[0] == '\0')
        generate_router_id(w, id);
    else
        copy_str(id, sizeof id, cmd->id);
    long found = world_find_router(w, id);
    if (found >= 0 && w->routers[found].view.exists)
        return fail(err, errlen, "router \"%s\" already exists", id);
    size_t *slots;
    if (check_router_deployments(w, cmd, &slots, err, errlen) != 0)
        return -1;
    long slot = router_slot(w, id, found);
    if (slot < 0) {
        free(slots);
        return fail(err, errlen, "out of memory");
    }
    router_rec *rec = &w->routers[slot];
    /* A new router, even in the slot of one deleted at this very instant: whatever selector
     * the slot kept (its strategy, its round-robin state) goes, so the commit builds the
     * one this command asks for and the router starts a new phase. */
    drop_selector(rec);
    set_router_deployments(w, rec, slots, cmd->n_deployments);
    world_router *r = &rec->view;
    r->display_name = r->model = "";
    r->strategy = SELECTOR_WEIGHTED_RANDOM;
    r->is_public = 0;
    r->weigh_desired = 0;
    if (set_router_properties(w, rec, cmd) != 0)
        return fail(err, errlen, "out of memory");
    r->exists = 1;
    rec->dirty = 1;
    return 0;
}

static int router_update(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    long slot = existing_router(w, cmd->id);
    if (slot < 0)
        return fail(err, errlen, "router \"%s\" does not exist at this time", cmd->id);
    if (cmd->set & WORLD_SET_DEPLOYMENTS) {
        size_t *slots;
        if (check_router_deployments(w, cmd, &slots, err, errlen) != 0)
            return -1;
        set_router_deployments(w, &w->routers[slot], slots, cmd->n_deployments);
    }
    if (set_router_properties(w, &w->routers[slot], cmd) != 0)
        return fail(err, errlen, "out of memory");
    w->routers[slot].dirty = 1;
    return 0;
}

static int router_delete(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    long slot = existing_router(w, cmd->id);
    if (slot < 0)
        return fail(err, errlen, "router \"%s\" does not exist at this time", cmd->id);
    w->routers[slot].view.exists = 0;
    w->routers[slot].dirty = 1;
    return 0;
}

static long long clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static int check_bounds(long long min, long long max, char *err, size_t errlen)
{
    if (min < 0 || max < 0)
        return fail(err, errlen, "expected replica counts >= 0");
    if (min > max)
        return fail(err, errlen,
                    "expected --min-replica-count (%lld) <= --max-replica-count (%lld)", min, max);
    if (max > WORLD_MAX_REPLICAS)
        return fail(err, errlen, "expected at most %d replicas, got %lld", WORLD_MAX_REPLICAS, max);
    return 0;
}

/* Replicas wanted: fewer take effect at once (a leaving replica is no longer weighted,
 * though it finishes what it serves); more are ready at once only without a cold start,
 * otherwise the engine makes them ready one by one as their cold starts end. */
/* A deployment's counts changed: the next commit looks at the routers listing it. Should
 * the note not fit (out of memory), the next commit looks at every router instead. */
static void touch(world *w, size_t slot)
{
    if (w->full)
        return;
    if (slot >= w->cap_touched) {
        size_t cap = w->cap_deployments;
        unsigned char *flags = realloc(w->is_touched, cap);
        if (flags)
            w->is_touched = flags;
        size_t *list = flags ? realloc(w->touched, cap * sizeof *list) : NULL;
        if (!list) {
            w->full = 1;
            return;
        }
        w->touched = list;
        memset(flags + w->cap_touched, 0, cap - w->cap_touched);
        w->cap_touched = cap;
    }
    if (!w->is_touched[slot]) {
        w->is_touched[slot] = 1;
        w->touched[w->n_touched++] = slot;
    }
}

static void set_replicas(world *w, size_t slot, long long n)
{
    world_deployment *d = &w->deployments[slot];
    touch(w, slot);
    d->replicas = n;
    if (d->cold_start_s <= 0 || d->ready > n)
        d->ready = n;
}

static void set_autoscaling(world_deployment *d, const world_cmd *cmd)
{
    const world_autoscaling *a = &cmd->autoscaling;
    if (cmd->set & WORLD_SET_SCALE_UP_WINDOW)
        d->autoscaling.scale_up_window_s = a->scale_up_window_s;
    if (cmd->set & WORLD_SET_SCALE_DOWN_WINDOW)
        d->autoscaling.scale_down_window_s = a->scale_down_window_s;
    if (cmd->set & WORLD_SET_SCALE_TO_ZERO_WINDOW)
        d->autoscaling.scale_to_zero_window_s = a->scale_to_zero_window_s;
    if (cmd->set & WORLD_SET_LOAD_TARGETS) {
        d->autoscaling.load_fraction = a->load_fraction;
        d->autoscaling.load_requests_per_second = a->load_requests_per_second;
        d->autoscaling.load_concurrent_requests = a->load_concurrent_requests;
        d->autoscaling.load_tokens_generated_per_second = a->load_tokens_generated_per_second;
        d->autoscaling.load_prompt_tokens_per_second = a->load_prompt_tokens_per_second;
    }
}

/* A new deployment starts with 1 replica (the docs' step 2), kept within its bounds;
 * explicit replicas pin min = max. Unset bounds default to the platform's: min 0, max 1
 * (or max = min when only min is raised above 1). */
static int deployment_create(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    long found = world_find_deployment(w, cmd->id);
    if (found >= 0 && w->deployments[found].exists)
        return fail(err, errlen, "deployment \"%s\" already exists", cmd->id);
    long long min = 0, max = 1;
    if (cmd->set & WORLD_SET_REPLICAS) {
        min = max = cmd->replicas;
    } else {
        if (cmd->set & WORLD_SET_MIN)
            min = cmd->min_replicas;
        max = (cmd->set & WORLD_SET_MAX) ? cmd->max_replicas : (min > 1 ? min : 1);
    }
    if (check_bounds(min, max, err, errlen) != 0)
        return -1;
    long slot = deployment_slot(w, cmd->id, found);
    const char *model = shared(w, cmd->model);
    const char *region = shared(w, (cmd->set & WORLD_SET_REGION) ? cmd->region : "US");
    if (slot < 0 || !model || !region)
        return fail(err, errlen, "out of memory");
    world_deployment *d = &w->deployments[slot];
    d->model = model;
    d->region = region;
    d->min_replicas = min;
    d->max_replicas = max;
    d->cold_start_s = (cmd->set & WORLD_SET_COLD_START) ? cmd->cold_start_s : 0;
    d->autoscaling = WORLD_DEFAULT_AUTOSCALING;
    set_autoscaling(d, cmd);
    d->ready = (cmd->set & WORLD_SET_WARM) ? clamp(1, min, max) : 0;
    set_replicas(w, (size_t)slot, clamp(1, min, max));
    d->exists = 1;
    return 0;
}

/* New bounds; the current count moves only as far as the bounds force it. */
static int deployment_update(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    long slot = existing_deployment(w, cmd->id);
    if (slot < 0)
        return fail(err, errlen, "deployment \"%s\" does not exist at this time", cmd->id);
    world_deployment *d = &w->deployments[slot];
    long long min = (cmd->set & WORLD_SET_MIN) ? cmd->min_replicas : d->min_replicas;
    long long max = (cmd->set & WORLD_SET_MAX) ? cmd->max_replicas : d->max_replicas;
    if (cmd->set & WORLD_SET_REPLICAS)
        min = max = cmd->replicas;
    if (check_bounds(min, max, err, errlen) != 0)
        return -1;
    d->min_replicas = min;
    d->max_replicas = max;
    set_autoscaling(d, cmd);
    set_replicas(w, (size_t)slot, clamp(d->replicas, min, max));
    return 0;
}

static int deployment_delete(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    long slot = existing_deployment(w, cmd->id);
    if (slot < 0)
        return fail(err, errlen, "deployment \"%s\" does not exist at this time", cmd->id);
    for (size_t i = 0; i < w->n_routers; i++) {
        const world_router *r = &w->routers[i].view;
        for (size_t j = 0; r->exists && j < r->n_deployments; j++)
            if (r->deployments[j] == (size_t)slot)
                return fail(err, errlen,
                            "deployment \"%s\" is still behind router \"%s\"; remove it with "
                            "firectl router update first",
                            cmd->id, r->id);
    }
    w->deployments[slot].exists = 0;
    return 0;
}

int world_apply(world *w, const world_cmd *cmd, char *err, size_t errlen)
{
    switch (cmd->op) {
    case WORLD_ROUTER_CREATE:
        return router_create(w, cmd, err, errlen);
    case WORLD_ROUTER_UPDATE:
        return router_update(w, cmd, err, errlen);
    case WORLD_ROUTER_DELETE:
        return router_delete(w, cmd, err, errlen);
    case WORLD_DEPLOYMENT_CREATE:
        return deployment_create(w, cmd, err, errlen);
    case WORLD_DEPLOYMENT_UPDATE:
    case WORLD_DEPLOYMENT_SCALE:
        return deployment_update(w, cmd, err, errlen);
    case WORLD_DEPLOYMENT_DELETE:
        return deployment_delete(w, cmd, err, errlen);
    }
    return fail(err, errlen, "unknown command");
}

/* A listed deployment's weight: its ready replicas, or its desired ones when the router
 * weighs those. */
static uint32_t weight_of(const world *w, const world_router *r, size_t i)
{
    const world_deployment *d = &w->deployments[r->deployments[i]];
    return (uint32_t)(r->weigh_desired ? d->replicas : d->ready);
}

/* Has the router's list or any weight moved since its selector was built? */
static int weights_moved(const world *w, const router_rec *r)
{
    size_t n = r->view.n_deployments;
    if (!r->selector || selector_count(r->selector) != n)
        return 1;
    for (size_t i = 0; i < n; i++)
        if (r->weights[i] != weight_of(w, &r->view, i))
            return 1;
    return 0;
}

static int reweight(world *w, router_rec *r)
{
    size_t n = r->view.n_deployments;
    uint32_t *weights = malloc(n * sizeof *weights);
    if (!weights)
        return -1;
    for (size_t i = 0; i < n; i++)
        weights[i] = weight_of(w, &r->view, i);
    selector *s = selector_new(r->view.strategy, n, weights);
    if (!s) {
        free(weights);
        return -1;
    }
    selector_free(r->selector);
    free(r->weights);
    r->selector = s;
    r->weights = weights;
    r->view.weights = weights;
    r->view.total_weight = selector_total(s);
    return 0;
}

void world_set_ready(world *w, size_t deployment, long long ready)
{
    world_deployment *d = &w->deployments[deployment];
    d->ready = ready < d->replicas ? ready : d->replicas;
    touch(w, deployment);
}

void world_autoscale(world *w, size_t deployment, long long n)
{
    world_deployment *d = &w->deployments[deployment];
    set_replicas(w, deployment, clamp(n, d->min_replicas, d->max_replicas));
}

int world_is_autoscaled(const world_deployment *d)
{
    return d->min_replicas < d->max_replicas;
}

/* Which routers list each deployment, as the lists stand (see struct world). */
static int index_listers(world *w)
{
    size_t n = w->n_deployments, total = 0;
    for (size_t i = 0; i < w->n_routers; i++)
        total += w->routers[i].view.n_deployments;
    size_t *start = realloc(w->lister_start, (n + 1) * sizeof *start);
    if (start)
        w->lister_start = start;
    size_t *listers = start ? realloc(w->listers, (total ? total : 1) * sizeof *listers) : NULL;
    if (!listers)
        return -1;
    w->listers = listers;
    memset(start, 0, (n + 1) * sizeof *start);
    for (size_t i = 0; i < w->n_routers; i++)
        for (size_t j = 0; j < w->routers[i].view.n_deployments; j++)
            start[w->routers[i].deployments[j] + 1]++;
    for (size_t d = 0; d < n; d++)
        start[d + 1] += start[d];
    /* Fill each deployment's range from its start, which leaves start[d] at the range's
     * end, the next one's start; then shift them back. */
    for (size_t i = 0; i < w->n_routers; i++)
        for (size_t j = 0; j < w->routers[i].view.n_deployments; j++)
            listers[start[w->routers[i].deployments[j]]++] = i;
    for (size_t d = n; d > 0; d--)
        start[d] = start[d - 1];
    start[0] = 0;
    w->n_listed = n;
    return 0;
}

int world_commit(world *w)
{
    int full = w->full;
    for (size_t k = 0; k < w->n_touched; k++) {
        size_t d = w->touched[k];
        w->is_touched[d] = 0;
        for (size_t j = d < w->n_listed ? w->lister_start[d] : 0;
             d < w->n_listed && j < w->lister_start[d + 1]; j++)
            w->routers[w->listers[j]].dirty = 1;
    }
    w->n_touched = 0;
    w->full = 1; /* until this commit has looked at everything it must */
    int changed = 0;
    for (size_t i = 0; i < w->n_routers; i++) {
        router_rec *r = &w->routers[i];
        r->view.changed = 0;
        if (!full && !r->dirty)
            continue;
        r->dirty = 0;
        if (!r->view.exists) {
            if (r->selector) {
                drop_selector(r);
                r->view.total_weight = 0;
                r->view.changed = 1;
            }
        } else if (weights_moved(w, r)) {
            if (reweight(w, r) != 0)
                return -1;
            r->view.changed = 1;
        }
        changed += r->view.changed;
    }
    if (full && index_listers(w) != 0)
        return -1;
    w->full = 0;
    return changed;
}
