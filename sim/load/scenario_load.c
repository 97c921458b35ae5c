/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/scenario_load.h"
#include "sim/load/uncertain.h"

#include "sim/base/routerfault.h"

#include "sim/load/firectl.h"
#include "sim/load/checkspec.h"
#include "sim/load/loadspec.h"
#include "sim/load/ydoc.h"
#include "sim/load/yread.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_LEN 200
#define MAX_BINS 100000

/* Loader state: the reader (where errors go, the account, the duration) and the scenario
 * being filled. Every error path writes "FILE:LINE:COL: message" once and returns -1 up to
 * scenario_load. */
/* Pairs of ids, e.g. a router and a deployment it lists, for O(1) membership: open
 * addressing, at most half full. The ids are the scenario's own strings, not copies. */
typedef struct {
    const char *a, *b;
} id_pair;

typedef struct {
    id_pair *cells;
    size_t n, cap; /* cap a power of two, or 0 */
} pair_set;

typedef struct {
    yread in;
    scenario *sc;
    size_t cap_events;    /* room in sc->events, reserved once the entries are counted */
    unsigned char *sized; /* per traffic entry: its requests carry sizes (entry or trace) */
    pair_set listed;      /* (router, deployment): some command lists it behind the router */
} loader;

static int err_mark(loader *ld, scenario_mark mark, const char *msg)
{
    return yread_fail_at(&ld->in, mark.line, mark.column, "%s", msg);
}

static scenario_mark mark_of(const ydoc_node *node)
{
    return (scenario_mark){node->line, node->column};
}

/* ---- events ------------------------------------------------------------------------- */

/* Room for one more element of a list whose capacity is the next power of two at or above
 * its length: a scenario of n deployments or traffic entries loads in O(n), not O(n^2). */
static int make_room(void **items, size_t n, size_t size)
{
    if (n & (n - 1))
        return 0;
    void *grown = realloc(*items, (n ? 2 * n : 1) * size);
    if (!grown)
        return -1;
    *items = grown;
    return 0;
}

/* Room for `cap` events at once: the deployments, routers and timeline entries are counted
 * before any is read, so the events (large records) are allocated once, never copied. */
static int reserve_events(loader *ld, size_t cap)
{
    scenario *sc = ld->sc;
    if (cap <= ld->cap_events)
        return 0;
    scenario_event *grown = realloc(sc->events, cap * sizeof *grown);
    if (!grown)
        return -1;
    sc->events = grown;
    ld->cap_events = cap;
    return 0;
}

static scenario_event *add_event(loader *ld, const ydoc_node *node)
{
    scenario *sc = ld->sc;
    if (sc->n_events == ld->cap_events &&
        reserve_events(ld, ld->cap_events ? 2 * ld->cap_events : 16) != 0) {
        yread_fail(&ld->in, node, "out of memory");
        return NULL;
    }
    scenario_event *ev = &sc->events[sc->n_events++];
    memset(ev, 0, sizeof *ev);
    world_cmd_init(&ev->cmd);
    ev->mark = mark_of(node);
    return ev;
}

static int parse_replicas(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const struct {
        const char *key;
        unsigned bit;
    } fields[] = {{"replicas", WORLD_SET_REPLICAS},
                  {"min_replica_count", WORLD_SET_MIN},
                  {"max_replica_count", WORLD_SET_MAX}};
    long long *targets[] = {&cmd->replicas, &cmd->min_replicas, &cmd->max_replicas};
    for (size_t i = 0; i < 3; i++) {
        const ydoc_node *node = ydoc_get(map, fields[i].key);
        if (!node)
            continue;
        if (yread_int(&ld->in, node, fields[i].key, 0, WORLD_MAX_REPLICAS, targets[i]) != 0)
            return -1;
        cmd->set |= fields[i].bit;
    }
    if ((cmd->set & WORLD_SET_REPLICAS) && (cmd->set & (WORLD_SET_MIN | WORLD_SET_MAX)))
        return yread_fail(&ld->in, map,
                          "expected either replicas or min_replica_count/max_replica_count, "
                          "not both");
    return 0;
}

/* A deployment's serving model, once per deployment. */
static int add_serving(loader *ld, const ydoc_node *map, const char *id)
{
    scenario *sc = ld->sc;
    if (scenario_serving_of(sc, id))
        return yread_fail(&ld->in, map, "deployment \"%s\" already has a serving model", id);
    if (make_room((void **)&sc->serving, sc->n_serving, sizeof *sc->serving) != 0)
        return yread_fail(&ld->in, map, "out of memory");
    scenario_serving *sv = &sc->serving[sc->n_serving];
    memset(sv, 0, sizeof *sv);
    snprintf(sv->deployment, sizeof sv->deployment, "%s", id);
    sv->mark = mark_of(map);
    if (loadspec_serving(&ld->in, map, &sv->spec) != 0)
        return -1;
    sc->n_serving++;
    return scenario_index_serving(sc) == 0 ? 0 : yread_fail(&ld->in, map, "out of memory");
}

static int read_model(loader *ld, const ydoc_node *node, world_cmd *cmd)
{
    char model[UNITS_NAME_MAX];
    if (yread_model(&ld->in, node, model) != 0)
        return -1;
    if (world_cmd_set_text(&cmd->model, model) != 0)
        return yread_fail(&ld->in, node, "out of memory");
    cmd->set |= WORLD_SET_MODEL;
    return 0;
}

static int parse_deployment_cmd(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {{"id", 1},
                                      {"model", 0},
                                      {"region", 0},
                                      {"replicas", 0},
                                      {"min_replica_count", 0},
                                      {"max_replica_count", 0},
                                      {"serving", 0},
                                      {"autoscaling", 0},
                                      {NULL, 0}};
    if (yread_keys(&ld->in, map, "a deployment", rules) != 0)
        return -1;
    cmd->op = WORLD_DEPLOYMENT_CREATE;
    if (yread_id(&ld->in, ydoc_get(map, "id"), "deployment id", UNITS_DEPLOYMENT, cmd->id) != 0)
        return -1;
    const ydoc_node *serving_node = ydoc_get(map, "serving");
    if (serving_node && add_serving(ld, serving_node, cmd->id) != 0)
        return -1;
    const ydoc_node *autoscaling = ydoc_get(map, "autoscaling");
    if (autoscaling && loadspec_autoscaling(&ld->in, autoscaling, cmd) != 0)
        return -1;
    const ydoc_node *model = ydoc_get(map, "model");
    if (model && read_model(ld, model, cmd) != 0)
        return -1;
    const ydoc_node *region = ydoc_get(map, "region");
    if (region) {
        const char *text = yread_scalar(&ld->in, region, "region");
        if (!text)
            return -1;
        size_t len =
            strspn(text, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-");
        if (len == 0 || text[len] != '\0' || len >= WORLD_REGION_MAX)
            return yread_fail(&ld->in, region,
                              "expected a region: US, EUROPE or APAC (multi-region) or a single "
                              "region such as us-iowa-1, got \"%s\"",
                              text);
        if (world_cmd_set_text(&cmd->region, text) != 0)
            return yread_fail(&ld->in, region, "out of memory");
        cmd->set |= WORLD_SET_REGION;
    }
    return parse_replicas(ld, map, cmd);
}

static int parse_deployment_list(loader *ld, const ydoc_node *seq, world_cmd *cmd)
{
    if (yread_type(&ld->in, seq, YDOC_SEQ, "deployments") != 0)
        return -1;
    if (seq->n == 0)
        return yread_fail(&ld->in, seq, "expected at least one deployment behind a router");
    size_t first = cmd->n_deployments;
    if (world_cmd_resize_deployments(cmd, first + seq->n) != 0)
        return yread_fail(&ld->in, seq, "out of memory");
    for (size_t i = 0; i < seq->n; i++)
        if (yread_id(&ld->in, seq->items[i], "deployment", UNITS_DEPLOYMENT,
                     cmd->deployments[first + i]) != 0)
            return -1;
    cmd->set |= WORLD_SET_DEPLOYMENTS;
    return 0;
}

/* The router properties shared by a router entry and a structured router update. */
static int parse_router_properties(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    const ydoc_node *node;
    if ((node = ydoc_get(map, "deployments")) && parse_deployment_list(ld, node, cmd) != 0)
        return -1;
    if ((node = ydoc_get(map, "display_name"))) {
        const char *text = yread_scalar(&ld->in, node, "display_name");
        if (!text)
            return -1;
        /* the limits firectl's --display-name has (firectl.c) */
        size_t len = strlen(text);
        if (len >= UNITS_NAME_MAX)
            return yread_fail(&ld->in, node, "display_name: expected at most %d bytes, got %zu",
                              UNITS_NAME_MAX - 1, len);
        for (const unsigned char *c = (const unsigned char *)text; *c; c++)
            if (*c < 0x20 || *c == 0x7f)
                return yread_fail(&ld->in, node,
                                  "display_name: expected text without control characters");
        if (world_cmd_set_text(&cmd->display_name, text) != 0)
            return yread_fail(&ld->in, node, "out of memory");
        cmd->set |= WORLD_SET_DISPLAY_NAME;
    }
    if ((node = ydoc_get(map, "model")) && read_model(ld, node, cmd) != 0)
        return -1;
    if ((node = ydoc_get(map, "strategy"))) {
        const char *text = yread_scalar(&ld->in, node, "strategy");
        if (!text)
            return -1;
        if (strcmp(text, "weighted-random") == 0)
            cmd->strategy = SELECTOR_WEIGHTED_RANDOM;
        else if (strcmp(text, "even-load") == 0)
            cmd->strategy = SELECTOR_EVEN_LOAD;
        else
            return yread_fail(&ld->in, node,
                              "expected strategy weighted-random or even-load, got \"%s\"", text);
        cmd->set |= WORLD_SET_STRATEGY;
    }
    if ((node = ydoc_get(map, "public"))) {
        if (yread_bool(&ld->in, node, "public", &cmd->is_public) != 0)
            return -1;
        cmd->set |= WORLD_SET_PUBLIC;
    }
    if ((node = ydoc_get(map, "weights"))) {
        const char *text = yread_scalar(&ld->in, node, "weights");
        if (!text)
            return -1;
        if (strcmp(text, "ready") != 0 && strcmp(text, "desired") != 0)
            return yread_fail(&ld->in, node, "expected weights ready or desired, got \"%s\"", text);
        cmd->weigh_desired = strcmp(text, "desired") == 0;
        cmd->set |= WORLD_SET_WEIGHTS;
    }
    return 0;
}

static int parse_router_cmd(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {{"id", 0},      {"deployments", 1}, {"display_name", 0},
                                      {"model", 0},   {"strategy", 0},    {"public", 0},
                                      {"weights", 0}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "a router", rules) != 0)
        return -1;
    cmd->op = WORLD_ROUTER_CREATE;
    const ydoc_node *id = ydoc_get(map, "id");
    if (id && yread_id(&ld->in, id, "router id", UNITS_ROUTER, cmd->id) != 0)
        return -1;
    return parse_router_properties(ld, map, cmd);
}

static int parse_router_update(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {{"router", 1},  {"deployments", 0}, {"display_name", 0},
                                      {"model", 0},   {"strategy", 0},    {"public", 0},
                                      {"weights", 0}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "update_router", rules) != 0)
        return -1;
    cmd->op = WORLD_ROUTER_UPDATE;
    if (yread_id(&ld->in, ydoc_get(map, "router"), "router", UNITS_ROUTER, cmd->id) != 0)
        return -1;
    return parse_router_properties(ld, map, cmd);
}

static int parse_scale(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {{"deployment", 1}, {"replicas", 1}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "scale", rules) != 0)
        return -1;
    cmd->op = WORLD_DEPLOYMENT_SCALE;
    cmd->set |= WORLD_SET_REPLICAS;
    if (yread_id(&ld->in, ydoc_get(map, "deployment"), "deployment", UNITS_DEPLOYMENT, cmd->id) !=
        0)
        return -1;
    return yread_int(&ld->in, ydoc_get(map, "replicas"), "replicas", 0, WORLD_MAX_REPLICAS,
                     &cmd->replicas);
}

static int parse_deployment_update(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {
        {"deployment", 1}, {"min_replica_count", 0}, {"max_replica_count", 0}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "update_deployment", rules) != 0)
        return -1;
    cmd->op = WORLD_DEPLOYMENT_UPDATE;
    if (yread_id(&ld->in, ydoc_get(map, "deployment"), "deployment", UNITS_DEPLOYMENT, cmd->id) !=
        0)
        return -1;
    if (parse_replicas(ld, map, cmd) != 0)
        return -1;
    if (!(cmd->set & (WORLD_SET_MIN | WORLD_SET_MAX)))
        return yread_fail(&ld->in, map, "expected min_replica_count and/or max_replica_count");
    return 0;
}

static int parse_run(loader *ld, const ydoc_node *node, world_cmd *cmd)
{
    const char *line = yread_scalar(&ld->in, node, "run");
    if (!line)
        return -1;
    char why[512];
    int offset = -1;
    if (firectl_parse(line, ld->in.account, cmd, why, sizeof why, &offset) == 0)
        return 0;
    /* Point at the offending word when the scalar sits on one line as written. */
    ydoc_node at = *node;
    if (offset >= 0 && node->plain && !memchr(line, '\n', (size_t)offset))
        at.column += offset;
    return yread_fail(&ld->in, &at, "%s", why);
}

/* One structured or firectl timeline action: exactly one action key besides `at`. */
static int parse_action(loader *ld, const ydoc_node *map, world_cmd *cmd)
{
    const ydoc_node *node;
    if ((node = ydoc_get(map, "run")))
        return parse_run(ld, node, cmd);
    if ((node = ydoc_get(map, "scale")))
        return parse_scale(ld, node, cmd);
    if ((node = ydoc_get(map, "update_deployment")))
        return parse_deployment_update(ld, node, cmd);
    if ((node = ydoc_get(map, "create_deployment")))
        return parse_deployment_cmd(ld, node, cmd);
    if ((node = ydoc_get(map, "create_router")))
        return parse_router_cmd(ld, node, cmd);
    if ((node = ydoc_get(map, "update_router")))
        return parse_router_update(ld, node, cmd);
    int is_router = (node = ydoc_get(map, "delete_router")) != NULL;
    if (is_router || (node = ydoc_get(map, "delete_deployment"))) {
        cmd->op = is_router ? WORLD_ROUTER_DELETE : WORLD_DEPLOYMENT_DELETE;
        return yread_id(&ld->in, node, is_router ? "router" : "deployment",
                        is_router ? UNITS_ROUTER : UNITS_DEPLOYMENT, cmd->id);
    }
    return yread_fail(&ld->in, map,
                      "expected a timeline action: run, scale, update_deployment, "
                      "create_deployment, create_router, update_router, delete_router or "
                      "delete_deployment");
}

static void appendf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void appendf(char *buf, size_t size, const char *fmt, ...)
{
    size_t used = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf + used, size - used, fmt, ap);
    va_end(ap);
}

/* A structured event as the firectl line it stands for, so that reports show one form. */
static char *describe(const world_cmd *cmd)
{
    static const char *const verbs[] = {
        "router create",     "router update",    "router delete",    "deployment create",
        "deployment update", "deployment scale", "deployment delete"};
    char text[1024] = "";
    appendf(text, sizeof text, "firectl %s", verbs[cmd->op]);
    if (cmd->op == WORLD_DEPLOYMENT_CREATE)
        appendf(text, sizeof text, " %s --deployment-id=%s", cmd->model, cmd->id);
    else if (cmd->op == WORLD_ROUTER_CREATE)
        appendf(text, sizeof text, " --router-id=%s", cmd->id);
    else
        appendf(text, sizeof text, " %s", cmd->id);
    for (size_t i = 0; i < cmd->n_deployments; i++)
        appendf(text, sizeof text, "%s%s", i ? "," : " --deployments=", cmd->deployments[i]);
    if (cmd->op == WORLD_DEPLOYMENT_SCALE)
        appendf(text, sizeof text, " --replica-count=%lld", cmd->replicas);
    else if (cmd->set & WORLD_SET_REPLICAS)
        appendf(text, sizeof text, " --min-replica-count=%lld --max-replica-count=%lld",
                cmd->replicas, cmd->replicas);
    if (cmd->set & WORLD_SET_MIN)
        appendf(text, sizeof text, " --min-replica-count=%lld", cmd->min_replicas);
    if (cmd->set & WORLD_SET_MAX)
        appendf(text, sizeof text, " --max-replica-count=%lld", cmd->max_replicas);
    return strdup(text);
}

static int parse_timeline_event(void *ctx, const ydoc_node *map)
{
    loader *ld = ctx;
    static const yread_key rules[] = {{"at", 1},
                                      {"run", 0},
                                      {"scale", 0},
                                      {"update_deployment", 0},
                                      {"create_deployment", 0},
                                      {"create_router", 0},
                                      {"update_router", 0},
                                      {"delete_router", 0},
                                      {"delete_deployment", 0},
                                      {NULL, 0}};
    if (yread_keys(&ld->in, map, "a timeline event", rules) != 0)
        return -1;
    if (map->n != 2)
        return yread_fail(&ld->in, map,
                          "expected exactly one action besides \"at\" in a timeline event");
    scenario_event *ev = add_event(ld, map);
    if (!ev)
        return -1;
    const ydoc_node *at = ydoc_get(map, "at");
    if (yread_duration(&ld->in, at, "at", &ev->at_s) != 0)
        return -1;
    if (ev->at_s > ld->sc->duration_s) {
        char end[32], got[32];
        units_format_duration(ld->sc->duration_s, end, sizeof end);
        units_format_duration(ev->at_s, got, sizeof got);
        return yread_fail(&ld->in, at,
                          "expected a time within the scenario's duration [0s, %s], got %s", end,
                          got);
    }
    if (parse_action(ld, map, &ev->cmd) != 0)
        return -1;
    /* Errors found later, against the world at this time, point at the action. */
    ev->mark = mark_of(map->items[strcmp(map->keys[0]->value, "at") == 0 ? 1 : 0]);
    ev->text = ydoc_get(map, "run") ? strdup(ydoc_get(map, "run")->value) : describe(&ev->cmd);
    return ev->text ? 0 : yread_fail(&ld->in, map, "out of memory");
}

/* The scenario's own deployments are serving already at time zero: no cold start. */
static int parse_deployment_entry(void *ctx, const ydoc_node *map)
{
    loader *ld = ctx;
    scenario_event *ev = add_event(ld, map);
    if (!ev || parse_deployment_cmd(ld, map, &ev->cmd) != 0)
        return -1;
    ev->cmd.set |= WORLD_SET_WARM;
    return 0;
}

static int parse_router_entry(void *ctx, const ydoc_node *map)
{
    loader *ld = ctx;
    scenario_event *ev = add_event(ld, map);
    return ev ? parse_router_cmd(ld, map, &ev->cmd) : -1;
}

static int parse_traffic_entry(void *ctx, const ydoc_node *map)
{
    loader *ld = ctx;
    static const yread_key rules[] = {{"router", 1},  {"rate", 0},   {"profile", 0}, {"daily", 0},
                                      {"trace", 0},   {"bursts", 0}, {"account", 0}, {"tokens", 0},
                                      {"classes", 0}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "a traffic entry", rules) != 0)
        return -1;
    scenario *sc = ld->sc;
    if (make_room((void **)&sc->traffic, sc->n_traffic, sizeof *sc->traffic) != 0)
        return yread_fail(&ld->in, map, "out of memory");
    scenario_traffic *t = &sc->traffic[sc->n_traffic++];
    memset(t, 0, sizeof *t);
    t->mark = mark_of(map);
    snprintf(t->caller, sizeof t->caller, "%s", sc->account);
    if (yread_id(&ld->in, ydoc_get(map, "router"), "router", UNITS_ROUTER, t->router) != 0 ||
        loadspec_traffic(&ld->in, map, &t->shape, &t->segments, &t->trace) != 0 ||
        loadspec_tokens(&ld->in, map, &t->tokens) != 0)
        return -1;
    const ydoc_node *account = ydoc_get(map, "account");
    return account ? yread_account(&ld->in, account, t->caller) : 0;
}

/* ---- the top level ----------------------------------------------------------------- */

static int parse_header(loader *ld, const ydoc_node *root)
{
    scenario *sc = ld->sc;
    if (yread_text(&ld->in, ydoc_get(root, "name"), "name", NAME_MAX_LEN, &sc->name) != 0)
        return -1;
    const ydoc_node *node;
    if ((node = ydoc_get(root, "description")) &&
        yread_text(&ld->in, node, "description", 4096, &sc->description) != 0)
        return -1;
    if (yread_account(&ld->in, ydoc_get(root, "account"), sc->account) != 0)
        return -1;
    long long seed = SCENARIO_DEFAULT_SEED;
    if ((node = ydoc_get(root, "seed")) &&
        yread_int(&ld->in, node, "seed", 0, INT64_MAX, &seed) != 0)
        return -1;
    sc->seed = (uint64_t)seed;
    node = ydoc_get(root, "duration");
    if (yread_duration(&ld->in, node, "duration", &sc->duration_s) != 0)
        return -1;
    if (sc->duration_s <= 0)
        return yread_fail(&ld->in, node, "expected a duration greater than 0");
    ld->in.duration_s = sc->duration_s;
    sc->window_s = sc->duration_s / 200;
    if ((node = ydoc_get(root, "window"))) {
        if (yread_duration(&ld->in, node, "window", &sc->window_s) != 0)
            return -1;
        if (sc->window_s <= 0 || sc->window_s > sc->duration_s)
            return yread_fail(&ld->in, node, "expected a window in (0, duration]");
        if (ceil(sc->duration_s / sc->window_s) > MAX_BINS) {
            char least[32];
            units_format_duration(sc->duration_s / MAX_BINS, least, sizeof least);
            return yread_fail(&ld->in, node, "expected a window of at least duration/%d (%s)",
                              MAX_BINS, least);
        }
    }
    return 0;
}

/* One entry of `faults`: a router and at least one of skew, dropout and sticky. */
static int parse_fault(void *ctx, const ydoc_node *map)
{
    loader *ld = ctx;
    static const yread_key rules[] = {
        {"router", 1}, {"skew", 0}, {"dropout", 0}, {"sticky", 0}, {NULL, 0}};
    static const yread_key skew_rules[] = {{"deployment", 1}, {"shift", 1}, {NULL, 0}};
    static const yread_key dropout_rules[] = {{"deployment", 1}, {"during", 0}, {NULL, 0}};
    static const yread_key sticky_rules[] = {{"clients", 1}, {"fraction", 0}, {NULL, 0}};
    if (yread_keys(&ld->in, map, "a fault", rules) != 0)
        return -1;
    scenario *sc = ld->sc;
    scenario_fault *grown = realloc(sc->faults, (sc->n_faults + 1) * sizeof *grown);
    if (!grown)
        return yread_fail(&ld->in, map, "out of memory");
    sc->faults = grown;
    scenario_fault *f = &sc->faults[sc->n_faults++];
    memset(f, 0, sizeof *f);
    f->mark = mark_of(map);
    const ydoc_node *router = ydoc_get(map, "router");
    if (yread_id(&ld->in, router, "router", UNITS_ROUTER, f->router) != 0)
        return -1;
    for (size_t i = 0; i + 1 < sc->n_faults; i++)
        if (strcmp(sc->faults[i].router, f->router) == 0)
            return yread_fail(&ld->in, router,
                              "router \"%s\" already has faults (line %d): expected one entry "
                              "per router",
                              f->router, sc->faults[i].mark.line);
    const ydoc_node *skew = ydoc_get(map, "skew"), *drop = ydoc_get(map, "dropout");
    const ydoc_node *sticky = ydoc_get(map, "sticky");
    if (!skew && !drop && !sticky)
        return yread_fail(&ld->in, map, "expected at least one fault: skew, dropout or sticky");
    if (skew) {
        if (yread_keys(&ld->in, skew, "skew", skew_rules) != 0 ||
            yread_id(&ld->in, ydoc_get(skew, "deployment"), "deployment", UNITS_DEPLOYMENT,
                     f->skew_deployment) != 0 ||
            yread_real(&ld->in, ydoc_get(skew, "shift"), "shift", -1, 1, &f->skew_shift) != 0)
            return -1;
        if (f->skew_shift == 0)
            return yread_fail(&ld->in, ydoc_get(skew, "shift"),
                              "expected a non-zero change of the share in [-1, 1]");
    }
    if (drop && (yread_keys(&ld->in, drop, "dropout", dropout_rules) != 0 ||
                 yread_id(&ld->in, ydoc_get(drop, "deployment"), "deployment", UNITS_DEPLOYMENT,
                          f->drop_deployment) != 0 ||
                 yread_interval(&ld->in, drop, &f->drop_start_s, &f->drop_end_s) != 0))
        return -1;
    if (sticky) {
        long long clients;
        const ydoc_node *fraction = ydoc_get(sticky, "fraction");
        f->sticky_fraction = 1.0;
        if (yread_keys(&ld->in, sticky, "sticky", sticky_rules) != 0 ||
            yread_int(&ld->in, ydoc_get(sticky, "clients"), "clients", 1, ROUTERFAULT_MAX_CLIENTS,
                      &clients) != 0 ||
            (fraction && yread_real(&ld->in, fraction, "fraction", 0, 1, &f->sticky_fraction) != 0))
            return -1;
        f->sticky_clients = (uint32_t)clients;
    }
    return 0;
}

/* Serving models for deployments created by the timeline's firectl lines, by id. */
static int parse_serving_section(loader *ld, const ydoc_node *map)
{
    if (yread_type(&ld->in, map, YDOC_MAP, "serving") != 0)
        return -1;
    for (size_t i = 0; i < map->n; i++) {
        world_id id;
        if (yread_id(&ld->in, map->keys[i], "deployment", UNITS_DEPLOYMENT, id) != 0 ||
            add_serving(ld, map->items[i], id) != 0)
            return -1;
    }
    return 0;
}

/* A deployment with a serving model starts its new replicas cold. */
static void apply_cold_starts(scenario *sc)
{
    for (size_t i = 0; i < sc->n_events; i++) {
        world_cmd *cmd = &sc->events[i].cmd;
        if (cmd->op != WORLD_DEPLOYMENT_CREATE || sc->n_serving == 0)
            continue;
        const serving_spec *spec = scenario_serving_of(sc, cmd->id);
        if (spec && spec->cold_start_s > 0) {
            cmd->cold_start_s = spec->cold_start_s;
            cmd->set |= WORLD_SET_COLD_START;
        }
    }
}

/* Items of the sequence under `key`, or 0 when it is not one (its reader says why). */
static size_t count_items(const ydoc_node *root, const char *key)
{
    const ydoc_node *seq = ydoc_get(root, key);
    return seq && seq->type == YDOC_SEQ ? seq->n : 0;
}

static int parse_root(loader *ld, const ydoc_node *root)
{
    static const yread_key rules[] = {
        {"name", 1},     {"description", 0}, {"account", 1}, {"seed", 0},        {"duration", 1},
        {"window", 0},   {"deployments", 1}, {"routers", 0}, {"serving", 0},     {"traffic", 1},
        {"timeline", 0}, {"checks", 0},      {"faults", 0},  {"uncertainty", 0}, {NULL, 0}};
    size_t events = count_items(root, "deployments") + count_items(root, "routers") +
                    count_items(root, "timeline");
    if (reserve_events(ld, events) != 0)
        return yread_fail(&ld->in, root, "out of memory");
    if (yread_keys(&ld->in, root, "the scenario", rules) != 0 || parse_header(ld, root) != 0 ||
        yread_each(&ld->in, root, "deployments", 1, parse_deployment_entry, ld) != 0 ||
        yread_each(&ld->in, root, "routers", 0, parse_router_entry, ld) != 0 ||
        yread_each(&ld->in, root, "timeline", 0, parse_timeline_event, ld) != 0 ||
        yread_each(&ld->in, root, "traffic", 1, parse_traffic_entry, ld) != 0 ||
        yread_each(&ld->in, root, "faults", 0, parse_fault, ld) != 0)
        return -1;
    const ydoc_node *serving_node = ydoc_get(root, "serving");
    if (serving_node && parse_serving_section(ld, serving_node) != 0)
        return -1;
    apply_cold_starts(ld->sc);
    const ydoc_node *uncertainty = ydoc_get(root, "uncertainty");
    if (uncertainty && !ydoc_is_null(uncertainty) &&
        uncertain_read(&ld->in, uncertainty, ld->sc) != 0)
        return -1;
    const ydoc_node *checks = ydoc_get(root, "checks");
    return checks && !ydoc_is_null(checks) ? checkspec_read(&ld->in, checks, ld->sc) : 0;
}

/* ---- the timeline against the evolving world ----------------------------------------- */

/* Stable merge sort by time: events at one instant keep their order, which is the file
 * order within the timeline, after the scenario's own deployments and routers. The sort
 * moves indices, and the events (large records) are moved once, into their final order;
 * events already in order (no timeline, or one written in time order) are not moved. */
static int sort_by_time(scenario_event **events, size_t n)
{
    size_t sorted = 1;
    while (sorted < n && (*events)[sorted - 1].at_s <= (*events)[sorted].at_s)
        sorted++;
    if (sorted >= n)
        return 0;
    const scenario_event *ev = *events;
    size_t *order = malloc(n * sizeof *order), *tmp = malloc(n * sizeof *tmp);
    scenario_event *moved = malloc(n * sizeof *moved);
    if (!order || !tmp || !moved) {
        free(order);
        free(tmp);
        free(moved);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t width = 1; width < n; width *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * width) {
            size_t mid = lo + width < n ? lo + width : n;
            size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                tmp[k++] = ev[order[j]].at_s < ev[order[i]].at_s ? order[j++] : order[i++];
            while (i < mid)
                tmp[k++] = order[i++];
            while (j < hi)
                tmp[k++] = order[j++];
        }
        size_t *swap = order;
        order = tmp;
        tmp = swap;
    }
    for (size_t i = 0; i < n; i++)
        moved[i] = ev[order[i]];
    free(order);
    free(tmp);
    free(*events);
    *events = moved;
    return 0;
}

/* ---- names that never exist ---------------------------------------------------------- */

static world_op create_op(units_kind kind)
{
    return kind == UNITS_ROUTER ? WORLD_ROUTER_CREATE : WORLD_DEPLOYMENT_CREATE;
}

/* 1 when some command of the scenario, at any time, creates a router (or deployment) with
 * this id: a name used when it does not exist is then a matter of time, not a typo. */
static int ever_created(const scenario *sc, units_kind kind, const char *id)
{
    for (size_t i = 0; i < sc->n_events; i++)
        if (sc->events[i].cmd.op == create_op(kind) && strcmp(sc->events[i].cmd.id, id) == 0)
            return 1;
    return 0;
}

/* "router "x" never exists in this scenario; did you mean "y"?", y being the id nearest to x
 * (by edit distance; the earliest created of equals) among those the scenario creates, and
 * the question left out when none is near. */
static void never_exists(const scenario *sc, units_kind kind, const char *id, char *msg,
                         size_t size)
{
    const char *best = NULL;
    size_t best_distance = 0;
    for (size_t i = 0; i < sc->n_events; i++) {
        const world_cmd *cmd = &sc->events[i].cmd;
        if (cmd->op != create_op(kind) || !cmd->id[0] || !units_is_near(id, cmd->id))
            continue;
        size_t distance = units_edit_distance(id, cmd->id);
        if (!best || distance < best_distance)
            best = cmd->id, best_distance = distance;
    }
    int used = snprintf(msg, size, "%s \"%s\" never exists in this scenario",
                        kind == UNITS_ROUTER ? "router" : "deployment", id);
    if (best && used >= 0 && (size_t)used < size)
        snprintf(msg + used, size - (size_t)used, "; did you mean \"%s\"?", best);
}

/* When a command fails, a router or deployment it names that the scenario never creates is
 * the likelier mistake: say so (into msg) rather than that it does not exist at this time.
 * Returns 1 when there is such a name. */
static int names_one_never_created(const scenario *sc, const world_cmd *cmd, char *msg, size_t size)
{
    units_kind kind = UNITS_DEPLOYMENT;
    switch (cmd->op) {
    case WORLD_ROUTER_UPDATE:
    case WORLD_ROUTER_DELETE:
        kind = UNITS_ROUTER;
        break;
    case WORLD_DEPLOYMENT_UPDATE:
    case WORLD_DEPLOYMENT_SCALE:
    case WORLD_DEPLOYMENT_DELETE:
        break;
    case WORLD_ROUTER_CREATE:
    case WORLD_DEPLOYMENT_CREATE:
        kind = UNITS_ACCOUNT; /* creates name no existing router or deployment by id */
        break;
    }
    if (kind != UNITS_ACCOUNT && !ever_created(sc, kind, cmd->id)) {
        never_exists(sc, kind, cmd->id, msg, size);
        return 1;
    }
    for (size_t j = 0; j < cmd->n_deployments; j++)
        if (!ever_created(sc, UNITS_DEPLOYMENT, cmd->deployments[j])) {
            never_exists(sc, UNITS_DEPLOYMENT, cmd->deployments[j], msg, size);
            return 1;
        }
    return 0;
}

/* Play every command at its time against a scratch world, as the run will. */
static int dry_run(loader *ld, world *w)
{
    scenario *sc = ld->sc;
    if (sort_by_time(&sc->events, sc->n_events) != 0) {
        snprintf(ld->in.err, ld->in.errlen, "%s: out of memory", ld->in.path);
        return -1;
    }
    for (size_t i = 0; i < sc->n_events; i++) {
        char why[512], msg[600], at[32];
        if (world_apply(w, &sc->events[i].cmd, why, sizeof why) != 0) {
            names_one_never_created(sc, &sc->events[i].cmd, why, sizeof why);
            units_format_duration(sc->events[i].at_s, at, sizeof at);
            if (sc->events[i].text)
                snprintf(msg, sizeof msg, "at %s: %s", at, why);
            else
                snprintf(msg, sizeof msg, "%s", why);
            return err_mark(ld, sc->events[i].mark, msg);
        }
        int last_at_instant = i + 1 == sc->n_events || sc->events[i + 1].at_s != sc->events[i].at_s;
        if (last_at_instant && world_commit(w) < 0)
            return err_mark(ld, sc->events[i].mark, "out of memory");
    }
    return 0;
}

static int check_known_router(loader *ld, const world *w, const char *id, scenario_mark mark)
{
    if (world_find_router(w, id) >= 0)
        return 0;
    char msg[256];
    never_exists(ld->sc, UNITS_ROUTER, id, msg, sizeof msg);
    return err_mark(ld, mark, msg);
}

static int check_known_deployment(loader *ld, const world *w, const char *id, scenario_mark mark)
{
    if (world_find_deployment(w, id) >= 0)
        return 0;
    char msg[256];
    never_exists(ld->sc, UNITS_DEPLOYMENT, id, msg, sizeof msg);
    return err_mark(ld, mark, msg);
}

static int reaches_batching(const loader *ld, const char *router, char *msg, size_t size);

/* Read a trace through once, so a malformed line or an unknown router stops the scenario
 * at load time, with the trace's own FILE:LINE:COL. Its lines without request sizes (the
 * trace has no token columns and the entry no tokens) must not reach a batching
 * deployment either. */
static int check_trace(loader *ld, const world *w, scenario_traffic *traffic)
{
    const char *path = traffic->trace;
    char problem[512];
    traffic_trace *t = traffic_trace_open(path, problem, sizeof problem);
    if (!t) {
        /* A problem inside the trace names its own line; one with the file itself (missing,
         * unreadable) is reported where the scenario names it. */
        size_t len = strlen(path);
        if (strncmp(problem, path, len) == 0 && problem[len] == ':' && problem[len + 1] >= '0' &&
            problem[len + 1] <= '9')
            snprintf(ld->in.err, ld->in.errlen, "%s", problem);
        else
            err_mark(ld, traffic->mark, problem);
        return -1;
    }
    traffic_arrival a;
    int rc;
    unsigned char *sized = &ld->sized[traffic - ld->sc->traffic];
    while ((rc = traffic_trace_next(t, &a, ld->in.err, ld->in.errlen)) == 1) {
        *sized = *sized || a.has_tokens;
        traffic->trace_arrivals += a.time_s <= ld->sc->duration_s;
        world_id id;
        char why[512] = "";
        if (a.router[0] &&
            (units_resolve(a.router, ld->in.account, UNITS_ROUTER, id, why, sizeof why) != 0 ||
             world_find_router(w, id) < 0)) {
            if (!why[0])
                never_exists(ld->sc, UNITS_ROUTER, id, why, sizeof why);
            snprintf(ld->in.err, ld->in.errlen, "%s:%ld:%d: %s", path, a.line, a.router_column,
                     why);
            rc = -1;
            break;
        }
        if (!a.has_tokens && traffic->tokens.n_classes == 0 &&
            reaches_batching(ld, a.router[0] ? id : traffic->router, why, sizeof why)) {
            if (a.router[0])
                snprintf(ld->in.err, ld->in.errlen, "%s:%ld:%d: %s", path, a.line, a.router_column,
                         why);
            else
                err_mark(ld, traffic->mark, why);
            rc = -1;
            break;
        }
    }
    traffic_trace_close(t);
    return rc;
}

/* ---- request sizes against the serving models ------------------------------------------ */

static size_t hash_pair(const char *a, const char *b)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a over a, a separator, b */
    for (; *a; a++)
        h = (h ^ (unsigned char)*a) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
    for (; *b; b++)
        h = (h ^ (unsigned char)*b) * 0x100000001b3ULL;
    return (size_t)(h ^ (h >> 29));
}

/* The cell holding (a, b), or the empty one where it belongs. */
static id_pair *pair_find(const pair_set *set, const char *a, const char *b)
{
    size_t mask = set->cap - 1;
    for (size_t i = hash_pair(a, b) & mask;; i = (i + 1) & mask) {
        id_pair *c = &set->cells[i];
        if (!c->a || (strcmp(c->a, a) == 0 && strcmp(c->b, b) == 0))
            return c;
    }
}

static int pair_add(pair_set *set, const char *a, const char *b)
{
    if (2 * (set->n + 1) > set->cap) {
        pair_set grown = {calloc(set->cap ? 2 * set->cap : 64, sizeof(id_pair)), set->n,
                          set->cap ? 2 * set->cap : 64};
        if (!grown.cells)
            return -1;
        for (size_t i = 0; i < set->cap; i++)
            if (set->cells[i].a)
                *pair_find(&grown, set->cells[i].a, set->cells[i].b) = set->cells[i];
        free(set->cells);
        *set = grown;
    }
    id_pair *c = pair_find(set, a, b);
    if (!c->a) {
        *c = (id_pair){a, b};
        set->n++;
    }
    return 0;
}

static int pair_has(const pair_set *set, const char *a, const char *b)
{
    return set->cap > 0 && pair_find(set, a, b)->a != NULL;
}

/* Every (router, deployment) some command of the scenario lists, for ever_behind. Only
 * reaches_batching asks, and only about batching deployments: without one, the index (a
 * table of every listing, a megabyte for a fleet) is not built. */
static int index_listings(loader *ld)
{
    const scenario *sc = ld->sc;
    size_t batching = 0;
    for (size_t i = 0; i < sc->n_serving; i++)
        batching += sc->serving[i].spec.model == SERVING_MODEL_BATCHING;
    if (batching == 0)
        return 0;
    for (size_t i = 0; i < sc->n_events; i++) {
        const world_cmd *cmd = &sc->events[i].cmd;
        if (cmd->op != WORLD_ROUTER_CREATE && cmd->op != WORLD_ROUTER_UPDATE)
            continue;
        for (size_t j = 0; j < cmd->n_deployments; j++)
            if (pair_add(&ld->listed, cmd->id, cmd->deployments[j]) != 0)
                return -1;
    }
    return 0;
}

/* 1 when some command of the scenario lists deployment `dep` behind router `router`. */
static int ever_behind(const loader *ld, const char *router, const char *dep)
{
    return pair_has(&ld->listed, router, dep);
}

/* A batching deployment serves a request by its tokens: 1 (with the reason in msg) when
 * router, at any time, lists a deployment with model batching. */
static int reaches_batching(const loader *ld, const char *router, char *msg, size_t size)
{
    const scenario *sc = ld->sc;
    for (size_t i = 0; i < sc->n_serving; i++) {
        const scenario_serving *sv = &sc->serving[i];
        if (sv->spec.model != SERVING_MODEL_BATCHING || !ever_behind(ld, router, sv->deployment))
            continue;
        snprintf(msg, size,
                 "expected request sizes (tokens or classes, or a trace with prompt_tokens and "
                 "output_tokens): router \"%s\" sends requests to deployment \"%s\", whose "
                 "serving model is batching",
                 router, sv->deployment);
        return 1;
    }
    return 0;
}

/* Every traffic entry that can reach a batching deployment carries sizes (traces are
 * checked line by line as they are read). */
static int check_sizes_reach(loader *ld)
{
    const scenario *sc = ld->sc;
    for (size_t i = 0; i < sc->n_traffic; i++) {
        char msg[512];
        const scenario_traffic *t = &sc->traffic[i];
        if (!t->trace && t->tokens.n_classes == 0 &&
            reaches_batching(ld, t->router, msg, sizeof msg))
            return err_mark(ld, t->mark, msg);
    }
    return 0;
}

/* A token-based load target counts the sizes of the requests a deployment gets: one set on
 * a deployment that no traffic with sizes can reach would never ask for a replica. */
static int check_token_targets(loader *ld)
{
    const scenario *sc = ld->sc;
    /* Deployments some command lists behind a router that traffic with sizes calls. */
    pair_set sized_routers = {NULL, 0, 0}, reached = {NULL, 0, 0};
    int rc = 0;
    for (size_t k = 0; rc == 0 && k < sc->n_traffic; k++)
        if (ld->sized[k])
            rc = pair_add(&sized_routers, sc->traffic[k].router, "");
    for (size_t i = 0; rc == 0 && i < sc->n_events; i++) {
        const world_cmd *cmd = &sc->events[i].cmd;
        if ((cmd->op == WORLD_ROUTER_CREATE || cmd->op == WORLD_ROUTER_UPDATE) &&
            pair_has(&sized_routers, cmd->id, ""))
            for (size_t j = 0; rc == 0 && j < cmd->n_deployments; j++)
                rc = pair_add(&reached, cmd->deployments[j], "");
    }
    free(sized_routers.cells);
    for (size_t i = 0; rc == 0 && i < sc->n_events; i++) {
        const world_cmd *cmd = &sc->events[i].cmd;
        const world_autoscaling *a = &cmd->autoscaling;
        if (!(cmd->set & WORLD_SET_LOAD_TARGETS) ||
            (a->load_tokens_generated_per_second <= 0 && a->load_prompt_tokens_per_second <= 0))
            continue;
        if (pair_has(&reached, cmd->id, ""))
            continue;
        char msg[512];
        snprintf(msg, sizeof msg,
                 "expected traffic with request sizes (tokens or classes) to reach deployment "
                 "\"%s\": its %s load target counts tokens",
                 cmd->id,
                 a->load_tokens_generated_per_second > 0 ? "tokens_generated_per_second"
                                                         : "prompt_tokens_per_second");
        free(reached.cells);
        return err_mark(ld, sc->events[i].mark, msg);
    }
    free(reached.cells);
    return rc == 0 ? 0 : err_mark(ld, sc->events[0].mark, "out of memory");
}

/* The queue model counts no tokens, so an output-token floor on a queue deployment could
 * only ever fail (its figure is 0 whatever it serves): refused, whether the check names the
 * deployment or covers every deployment with a serving model. */
static int check_token_floors(loader *ld)
{
    const scenario *sc = ld->sc;
    for (size_t i = 0; i < sc->n_capacity; i++) {
        const scenario_capacity *c = &sc->capacity[i];
        if (c->kind != SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND)
            continue;
        for (size_t k = 0; k < sc->n_serving; k++) {
            const scenario_serving *sv = &sc->serving[k];
            if (sv->spec.model != SERVING_MODEL_QUEUE ||
                (c->deployment[0] && strcmp(c->deployment, sv->deployment) != 0))
                continue;
            char msg[512];
            snprintf(msg, sizeof msg,
                     "expected a deployment whose serving model is batching: "
                     "min_output_tokens_per_second %s deployment \"%s\", whose serving model is "
                     "queue, which counts no tokens (name a batching deployment with "
                     "`deployment:`)",
                     c->deployment[0] ? "names" : "covers", sv->deployment);
            return err_mark(ld, c->mark, msg);
        }
    }
    return 0;
}

/* Traffic and checks may only name resources that exist at some point: a name that never
 * does is a typo, not a plan. */
static int check_references(loader *ld, const world *w)
{
    scenario *sc = ld->sc;
    for (size_t i = 0; i < sc->n_traffic; i++)
        if (check_known_router(ld, w, sc->traffic[i].router, sc->traffic[i].mark) != 0)
            return -1;
    for (size_t i = 0; i < sc->n_expect; i++) {
        const scenario_expect *ex = &sc->expect[i];
        if (check_known_router(ld, w, ex->router, ex->mark) != 0)
            return -1;
        for (size_t j = 0; j < ex->n_shares; j++)
            if (check_known_deployment(ld, w, ex->shares[j].deployment, ex->mark) != 0)
                return -1;
    }
    for (size_t i = 0; i < sc->n_serving; i++)
        if (check_known_deployment(ld, w, sc->serving[i].deployment, sc->serving[i].mark) != 0)
            return -1;
    for (size_t i = 0; i < sc->n_faults; i++) {
        const scenario_fault *f = &sc->faults[i];
        if (check_known_router(ld, w, f->router, f->mark) != 0 ||
            (f->skew_deployment[0] &&
             check_known_deployment(ld, w, f->skew_deployment, f->mark) != 0) ||
            (f->drop_deployment[0] &&
             check_known_deployment(ld, w, f->drop_deployment, f->mark) != 0))
            return -1;
    }
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (sc->capacity[i].deployment[0] &&
            check_known_deployment(ld, w, sc->capacity[i].deployment, sc->capacity[i].mark) != 0)
            return -1;
    if (index_listings(ld) != 0) {
        snprintf(ld->in.err, ld->in.errlen, "%s: out of memory", ld->in.path);
        return -1;
    }
    if (check_sizes_reach(ld) != 0)
        return -1;
    for (size_t i = 0; i < sc->n_traffic; i++) {
        ld->sized[i] = sc->traffic[i].tokens.n_classes > 0;
        if (sc->traffic[i].trace && check_trace(ld, w, &sc->traffic[i]) != 0)
            return -1;
    }
    if (check_token_targets(ld) != 0 || check_token_floors(ld) != 0)
        return -1;
    if (scenario_expected_requests(sc) > SCENARIO_MAX_EXPECTED_REQUESTS) {
        char msg[256];
        snprintf(msg, sizeof msg,
                 "expected at most %.0e requests in all (rate x duration), got %.3g",
                 SCENARIO_MAX_EXPECTED_REQUESTS, scenario_expected_requests(sc));
        return err_mark(ld, sc->traffic[0].mark, msg);
    }
    return 0;
}

static int validate(loader *ld)
{
    world *w = world_new(ld->in.account, ld->sc->seed);
    ld->sized = calloc(ld->sc->n_traffic, 1);
    if (!w || !ld->sized) {
        world_free(w);
        free(ld->sized);
        snprintf(ld->in.err, ld->in.errlen, "%s: out of memory", ld->in.path);
        return -1;
    }
    int rc = dry_run(ld, w);
    if (rc == 0)
        rc = check_references(ld, w);
    world_free(w);
    free(ld->sized);
    free(ld->listed.cells);
    return rc;
}

scenario *scenario_load(const char *path, char *err, size_t errlen)
{
    return scenario_load_set(path, NULL, 0, err, errlen);
}

/* The overrides travel with the scenario so that a report can say how to run it again. */
static int copy_sets(scenario *sc, const char *const *sets, size_t n_sets)
{
    if (n_sets == 0)
        return 0;
    if (!(sc->sets = calloc(n_sets, sizeof *sc->sets)))
        return -1;
    for (; sc->n_sets < n_sets; sc->n_sets++)
        if (!(sc->sets[sc->n_sets] = strdup(sets[sc->n_sets])))
            return -1;
    return 0;
}

scenario *scenario_load_set(const char *path, const char *const *sets, size_t n_sets, char *err,
                            size_t errlen)
{
    ydoc *doc = ydoc_load_file(path, err, errlen);
    if (!doc)
        return NULL;
    for (size_t i = 0; i < n_sets; i++) {
        if (ydoc_set(doc, sets[i], err, errlen) != 0) {
            ydoc_free(doc);
            return NULL;
        }
    }
    scenario *sc = calloc(1, sizeof *sc);
    loader ld = {
        {.path = path, .doc = doc, .err = err, .errlen = errlen}, sc, 0, NULL, {NULL, 0, 0}};
    int rc = -1;
    if (sc && (sc->path = strdup(path)) && copy_sets(sc, sets, n_sets) == 0) {
        ld.in.account = sc->account;
        sc->alpha = SCENARIO_DEFAULT_ALPHA;
        sc->power_shift = SCENARIO_DEFAULT_POWER_SHIFT;
        sc->power_target = SCENARIO_DEFAULT_POWER_TARGET;
        sc->concentration = SCENARIO_DEFAULT_CONCENTRATION;
        sc->confidence = SCENARIO_DEFAULT_CONFIDENCE;
        sc->max_failed = -1;
        sc->max_unserved = -1;
        const ydoc_node *root = ydoc_root(doc);
        rc = yread_type(&ld.in, root, YDOC_MAP, "the scenario");
        if (rc == 0)
            rc = parse_root(&ld, root);
        /* The scenario holds copies of what it read: the tree's memory is the validation
         * world's to reuse (only the overrides' texts stay, for errors at their positions). */
        ydoc_drop_tree(doc);
        if (rc == 0)
            rc = validate(&ld);
    } else {
        snprintf(err, errlen, "%s: out of memory", path);
    }
    ydoc_free(doc);
    if (rc != 0) {
        scenario_free(sc);
        return NULL;
    }
    return sc;
}
