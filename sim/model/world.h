/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * world — the platform's resources at one instant: deployments with their replica counts,
 * and routers with their deployment lists and selectors.
 *
 * The world changes only through commands (world_cmd), the same ones firectl sends, so a
 * scenario's initial resources and its timeline take one path and obey one set of rules.
 * Commands at one instant are applied one by one (each validated against the world as the
 * previous ones left it) and then committed together: world_commit re-weights every router
 * whose deployment list or replica counts changed, once, and flags it as changed, which is
 * what starts a new phase. Slots are never removed, so a router or deployment index stays
 * valid for the whole run; a deleted resource keeps its slot with exists == 0, and creating
 * the same id again reuses it, as a new resource: a router created again (even at the
 * instant it was deleted) gets a new selector and starts a new phase.
 */
#ifndef ROUTERSIM_WORLD_H
#define ROUTERSIM_WORLD_H

#include "sim/base/routerfault.h"
#include "sim/base/selector.h"
#include "sim/base/units.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#define WORLD_MAX_REPLICAS 100000                             /* per deployment */
#define WORLD_MAX_ROUTER_DEPLOYMENTS SELECTOR_MAX_DEPLOYMENTS /* what the selector supports */
#define WORLD_REGION_MAX 32

typedef enum {
    WORLD_ROUTER_CREATE,
    WORLD_ROUTER_UPDATE,
    WORLD_ROUTER_DELETE,
    WORLD_DEPLOYMENT_CREATE,
    WORLD_DEPLOYMENT_UPDATE,
    WORLD_DEPLOYMENT_SCALE,
    WORLD_DEPLOYMENT_DELETE
} world_op;

/* Which optional fields of a world_cmd were given. */
enum {
    WORLD_SET_DEPLOYMENTS = 1 << 0,
    WORLD_SET_DISPLAY_NAME = 1 << 1,
    WORLD_SET_MODEL = 1 << 2,
    WORLD_SET_STRATEGY = 1 << 3,
    WORLD_SET_PUBLIC = 1 << 4,
    WORLD_SET_REGION = 1 << 5,
    WORLD_SET_MIN = 1 << 6,
    WORLD_SET_MAX = 1 << 7,
    WORLD_SET_REPLICAS = 1 << 8,
    WORLD_SET_COLD_START = 1 << 9,
    WORLD_SET_SCALE_UP_WINDOW = 1 << 10,
    WORLD_SET_SCALE_DOWN_WINDOW = 1 << 11,
    WORLD_SET_SCALE_TO_ZERO_WINDOW = 1 << 12,
    WORLD_SET_LOAD_TARGETS = 1 << 13,
    WORLD_SET_WARM = 1 << 14, /* create: the replicas are serving already (time-zero world) */
    WORLD_SET_WEIGHTS = 1 << 15
};

/* The platform's autoscaler settings, used when min < max replica count. Load targets:
 * `fraction` of each replica's concurrency busy or waiting (the platform's default target,
 * 0.8 unless a list of targets names another value: it is always one of the targets), and
 * optionally requests_per_second and concurrent_requests per replica (0: not set). The
 * largest replica count any target asks for wins. */
typedef struct {
    double scale_up_window_s;      /* default 30s */
    double scale_down_window_s;    /* default 10m */
    double scale_to_zero_window_s; /* default 1h, at least 5m */
    double load_fraction;          /* default 0.8 */
    double load_requests_per_second;
    double load_concurrent_requests;
    /* Token targets, per replica (0: not set): output tokens of the requests arriving per
     * second (`tokens_generated_per_second`) and their prompt tokens per second
     * (`prompt_tokens_per_second`). Only requests that carry sizes (tokens.h) count. */
    double load_tokens_generated_per_second;
    double load_prompt_tokens_per_second;
} world_autoscaling;

#define WORLD_DEFAULT_LOAD_FRACTION 0.8
#define WORLD_DEFAULT_AUTOSCALING                                                                  \
    ((world_autoscaling){30, 600, 3600, WORLD_DEFAULT_LOAD_FRACTION, 0, 0, 0, 0})

typedef char world_id[UNITS_ID_MAX + 1];

/* One firectl-like command. `id` is the router or deployment it acts on (short id; empty
 * for a router create without --router-id, which then gets a random one). `model` is a
 * full model name. The texts (model, display name, region) are "" until set with
 * world_cmd_set_text, never NULL once world_cmd_init has run; they and the deployments
 * array are owned by the command (world_cmd_clear). A command is a scenario's record per
 * line, so it holds its rarely given texts by pointer, not in fixed buffers. */
typedef struct {
    world_op op;
    unsigned set;
    world_id id;
    const char *model;
    const char *display_name; /* at most UNITS_NAME_MAX - 1 bytes */
    const char *region;       /* at most WORLD_REGION_MAX - 1 characters */
    selector_strategy strategy;
    int is_public;
    int weigh_desired; /* router weights: desired replicas (1) or ready ones (0) */
    long long min_replicas, max_replicas, replicas;
    double cold_start_s;
    world_autoscaling autoscaling; /* the fields whose WORLD_SET_* bits are set */
    size_t n_deployments;
    world_id *deployments;
} world_cmd;

/* An empty command: nothing set, every text "". */
void world_cmd_init(world_cmd *cmd);
/* Free what the command owns and make it empty again. */
void world_cmd_clear(world_cmd *cmd);
/* Replace one of the command's texts (&cmd->model, &cmd->display_name or &cmd->region) with
 * a copy of text; 0, or -1 when out of memory (the text unchanged). Sets no WORLD_SET_* bit. */
int world_cmd_set_text(const char **field, const char *text);
/* Append a deployment id to cmd->deployments; 0, or -1 when out of memory. */
int world_cmd_add_deployment(world_cmd *cmd, const char *id);
/* Make cmd->deployments n ids long in one allocation, the ids past the old length "" until
 * the caller writes them (a list whose length is known, e.g. read from a file, is then not
 * grown by copying). 0, or -1 when out of memory (the list unchanged). */
int world_cmd_resize_deployments(world_cmd *cmd, size_t n);

/* The strings of a deployment or router (id, name, model, region, display name) belong to
 * the world and stay valid until world_free, across updates, deletes and creates. */
typedef struct {
    const char *id;
    const char *name; /* accounts/<account>/deployments/<id> */
    const char *model;
    const char *region;
    int exists;
    long long min_replicas, max_replicas;
    long long replicas; /* wanted now; min <= replicas <= max */
    long long ready;    /* serving and weighted by routers; <= replicas. Equal to replicas
                           unless new replicas are still in their cold start */
    double cold_start_s;
    world_autoscaling autoscaling;
} world_deployment;

/* A router as the world shows it: read-only, valid until the next world_apply or
 * world_commit. Its selector stays inside the world (world_route picks through it), so no
 * caller can hold or change it across a delete and a create of the same id. */
typedef struct {
    const char *id;
    const char *name; /* accounts/<account>/routers/<id> */
    const char *display_name;
    const char *model;
    selector_strategy strategy;
    int is_public;
    int weigh_desired; /* weights are desired replicas (`weights: desired`), not ready ones */
    int exists;
    size_t n_deployments;
    const size_t *deployments; /* deployment slots, in the order the router lists them */
    const uint32_t *weights;   /* ready (or, weighing desired, desired) replicas as of the last
                                  commit, one per listed deployment */
    uint64_t total_weight;     /* sum of weights; 0 while the router does not exist */
    int changed;               /* set by the last commit: existence, list or weights changed */
} world_router;

typedef struct world world;

/* An empty world in `account`. id_seed makes generated router ids reproducible. */
world *world_new(const char *account, uint64_t id_seed);
void world_free(world *w);

/* Apply one command. Returns 0, or -1 with the reason in err (nothing changed). */
int world_apply(world *w, const world_cmd *cmd, char *err, size_t errlen);

/* Re-weight what the commands since the last commit changed. Returns the number of routers
 * flagged changed, or -1 when out of memory. */
int world_commit(world *w);

const char *world_account(const world *w);
size_t world_router_count(const world *w);
size_t world_deployment_count(const world *w);
const world_router *world_router_at(const world *w, size_t slot);
const world_deployment *world_deployment_at(const world *w, size_t slot);

/* One request through an existing router, by its strategy and the weights of the last
 * commit: the index in its deployment list, or SELECTOR_NO_REPLICAS. */
int world_route(world *w, size_t router, gsl_rng *rng);

/* For a caller that knows the routers of its next requests (arrivals drawn ahead), so it
 * can prefetch: the memory world_route reads for the router, in the order it reads it.
 * Stage 0 is the router's slot; stage 1, read once stage 0 is in cache, its selector (NULL
 * while the router does not exist). */
const void *world_route_memory(const world *w, size_t router, int stage);

/* The same through the router's injected faults (routerfault.h), whose deployment ids are
 * deployment slots; now_s is the simulated time, for a dropout's interval. */
int world_route_faulty(world *w, size_t router, routerfault *f, gsl_rng *rng, double now_s);

/* A replica became ready after its cold start (ready <= replicas). */
void world_set_ready(world *w, size_t deployment, long long ready);

/* The autoscaler asks for n replicas; kept within the deployment's bounds. */
void world_autoscale(world *w, size_t deployment, long long n);

/* 1 when the deployment is autoscaled: min < max. */
int world_is_autoscaled(const world_deployment *d);

/* Slot of a router or deployment by short id (existing or deleted), or -1. */
long world_find_router(const world *w, const char *id);
long world_find_deployment(const world *w, const char *id);

/* 1 for the multi-region "mega-regions" (US, EUROPE, APAC) that routers accept. */
int world_region_is_multi(const char *region);

const char *world_strategy_name(selector_strategy s); /* "weighted-random", "even-load" */

#endif
