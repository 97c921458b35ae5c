/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * migsteps — the arithmetic of a migration plan: which replica ratio carries each requested
 * traffic share, when each firectl line runs, and the runbook and timeline that say so.
 *
 * A replica-weighted router gives deployment B the share b / (a + b) of its traffic, so a
 * share is a replica ratio and every ratio is also a capacity: each ready replica the router
 * weighs gets 1 / (a + b) of the load. The search space, for the shares s_1 < ... < s_K = 1
 * given in order:
 *   - step k (s_k < 1) holds a ratio (a_k, b_k), a_k, b_k >= 1, whose share is within
 *     MIGSTEPS_SHARE_TOLERANCE of s_k, or as close as the bounds allow when no ratio is;
 *     the last step holds (0, b_K);
 *   - every instant has at most max_replicas replicas (cold-starting ones included) and at
 *     least the `need` ready replicas behind the router for the deployments it routes to;
 *   - every instant is a multiple of the grid after the plan's start.
 * A step runs: deployments that grow are scaled up; after the wait (the smallest multiple of
 * the grid beyond the cold start of those that grow; none when nothing grows) the router is
 * changed and deployments that shrink are scaled down; the split then holds for its test
 * time (rounded up to the grid, at least one grid). The last step takes A out of the router,
 * waits `drain` (rounded up, at least one grid) for A's queue, then scales A to zero and
 * deletes it. The plan minimises total time (ties: replica-hours) or replica-hours (ties:
 * time), found exactly by dynamic programming over the steps: both costs add up step by
 * step, and each step's feasibility depends only on the ratio before it and its own.
 * Times are whole grid ticks and replica-hours whole replica-ticks, so ties are exact.
 */
#ifndef ROUTERSIM_MIGSTEPS_H
#define ROUTERSIM_MIGSTEPS_H

#include <stddef.h>
#include <stdio.h>

/* A ratio's share may be this far (absolute) from the share asked for. */
#define MIGSTEPS_SHARE_TOLERANCE 0.005
/* The most replicas a plan may hold at once: bounds the search (ratios are pairs). */
#define MIGSTEPS_MAX_REPLICAS 2000
/* The most steps. */
#define MIGSTEPS_MAX_STEPS 100

typedef enum { MIGSTEPS_MIN_TIME, MIGSTEPS_MIN_REPLICA_HOURS } migsteps_objective;

typedef struct {
    size_t n_steps;
    const double *shares;      /* B's shares, increasing, each in (0, 1], the last 1 */
    long a0, b0;               /* replicas at the start; the router routes to A alone */
    long need_a;               /* ready replicas the router needs while it routes to A alone */
    long need_both;            /* ... to A and B */
    long need_b;               /* ... to B alone */
    long max_replicas;         /* at every instant, a + b <= this */
    double cold_a_s, cold_b_s; /* each deployment's cold start */
    double grid_s;             /* > 0 */
    double drain_s;            /* A's queue drains within this once A leaves the router */
    migsteps_objective objective;
    /* The seconds the split (a, b) must hold for its test (srmpower); >= 0. */
    double (*test_s)(void *ctx, long a, long b);
    void *ctx;
} migsteps_input;

typedef struct {
    long a, b;       /* the ratio held */
    double share;    /* b / (a + b): the share it really gives */
    long wait_ticks; /* from the step's start until the router changes */
    long hold_ticks; /* then the split holds (the last step: A drains) */
    long peak;       /* replicas during the wait */
} migsteps_step;

typedef struct {
    size_t n_steps;
    migsteps_step *steps;
    long total_ticks;
    long replica_ticks; /* the integral of the replicas held, in replica-ticks */
} migsteps_plan;

/* The plan. Returns 0; 1 when no plan holds within the bounds (why in err); -1 on bad input
 * or out of memory (why in err). plan->steps is allocated; migsteps_plan_free frees it. */
int migsteps_search(const migsteps_input *in, migsteps_plan *plan, char *err, size_t errlen);
void migsteps_plan_free(migsteps_plan *plan);

/* Ticks of the wait for a cold start: the smallest multiple of the grid strictly beyond it
 * (0 when there is none), so new replicas are ready before the router shifts. */
long migsteps_wait_ticks(double cold_s, double grid_s);
/* Ticks of a hold: seconds rounded up to the grid, at least one tick. */
long migsteps_hold_ticks(double seconds, double grid_s);
/* The share tolerance of step k (shares below 1): MIGSTEPS_SHARE_TOLERANCE, or the closest
 * any ratio within the bounds gets when that is farther. */
double migsteps_tolerance(const migsteps_input *in, size_t k);

/* What the runbook and the timeline name. */
typedef struct {
    const char *router, *from, *to; /* short ids */
    const char *model;              /* for `deployment create` when B is new */
    const char *region;             /* NULL, "" or "US": no --region flag */
    int create_b;                   /* B does not exist yet */
} migsteps_names;

typedef struct {
    double at_s;
    char line[512];    /* the firectl line */
    char comment[256]; /* why, for people */
} migsteps_event;

/* The plan's firectl lines from start_s on, in the order they run. *events is allocated
 * (free it). Returns 0 or -1 when out of memory. */
int migsteps_events(const migsteps_plan *plan, const migsteps_input *in, const migsteps_names *nm,
                    double start_s, migsteps_event **events, size_t *n);

/* runbook.sh: a POSIX shell script running the lines, `sleep` between instants. */
int migsteps_write_runbook(FILE *f, const migsteps_event *ev, size_t n, const char *title);
/* The scenario's `timeline:` block, one `run:` line per event. */
int migsteps_write_timeline(FILE *f, const migsteps_event *ev, size_t n);

#endif
