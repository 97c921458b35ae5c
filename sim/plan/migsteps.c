/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/migsteps.h"

#include "sim/base/units.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

long migsteps_wait_ticks(double cold_s, double grid_s)
{
    if (!(cold_s > 0))
        return 0;
    return (long)floor(cold_s / grid_s) + 1;
}

long migsteps_hold_ticks(double seconds, double grid_s)
{
    long t = (long)ceil(seconds / grid_s);
    return t < 1 ? 1 : t;
}

/* The ratio closest to share s with `total` replicas, both sides at least 1. */
static double closest_error(double s, long total)
{
    long b = lround(s * (double)total);
    if (b < 1)
        b = 1;
    if (b > total - 1)
        b = total - 1;
    return fabs((double)b / (double)total - s);
}

static long first_total(const migsteps_input *in)
{
    return in->need_both > 2 ? in->need_both : 2;
}

double migsteps_tolerance(const migsteps_input *in, size_t k)
{
    double best = INFINITY;
    for (long n = first_total(in); n <= in->max_replicas; n++) {
        double e = closest_error(in->shares[k], n);
        if (e < best)
            best = e;
    }
    return best > MIGSTEPS_SHARE_TOLERANCE ? best : MIGSTEPS_SHARE_TOLERANCE;
}

/* A candidate ratio of one step, with the best way found to reach it. */
typedef struct {
    long a, b;
    long hold;         /* ticks it holds (the last step: A drains) */
    long cost[2];      /* the objective, then the tie-break; cost[0] < 0: unreachable */
    long time, rticks; /* the totals behind cost */
    size_t from;       /* the candidate of the step before */
    long wait, peak;
} cand;

static int cand_add(cand **c, size_t *n, size_t *cap, long a, long b)
{
    if (*n == *cap) {
        size_t nc = *cap ? 2 * *cap : 64;
        cand *g = realloc(*c, nc * sizeof *g);
        if (!g)
            return -1;
        *c = g;
        *cap = nc;
    }
    (*c)[(*n)++] = (cand){.a = a, .b = b, .cost = {-1, -1}};
    return 0;
}

/* Step k's ratios, by increasing total then b. */
static int candidates(const migsteps_input *in, size_t k, cand **c, size_t *n)
{
    size_t cap = 0;
    *c = NULL;
    *n = 0;
    double s = in->shares[k];
    if (s >= 1) {
        for (long b = in->need_b > 1 ? in->need_b : 1; b <= in->max_replicas; b++)
            if (cand_add(c, n, &cap, 0, b) != 0)
                return -1;
        return 0;
    }
    double tol = migsteps_tolerance(in, k) * (1 + 1e-9);
    for (long total = first_total(in); total <= in->max_replicas; total++) {
        long lo = (long)ceil((s - tol) * (double)total),
             hi = (long)floor((s + tol) * (double)total);
        for (long b = lo < 1 ? 1 : lo; b <= hi && b <= total - 1; b++)
            if (fabs((double)b / (double)total - s) <= tol &&
                cand_add(c, n, &cap, total - b, b) != 0)
                return -1;
    }
    return 0;
}

static long max_l(long x, long y)
{
    return x > y ? x : y;
}

/* The step from (ap, bp) to c: its wait, peak, ticks and replica-ticks; 0 when it breaks a
 * bound. */
static int transition(const migsteps_input *in, long ap, long bp, const cand *c, int last,
                      long *wait, long *peak, long *ticks, long *rticks)
{
    double cold = 0;
    if (c->a > ap && in->cold_a_s > cold)
        cold = in->cold_a_s;
    if (c->b > bp && in->cold_b_s > cold)
        cold = in->cold_b_s;
    *wait = (c->a > ap || c->b > bp) ? migsteps_wait_ticks(cold, in->grid_s) : 0;
    *peak = max_l(ap, c->a) + max_l(bp, c->b);
    if (*peak > in->max_replicas)
        return 0;
    /* While A drains, it keeps the replicas it had; otherwise the new ratio holds. */
    long held = last ? ap + c->b : c->a + c->b;
    if (held > in->max_replicas)
        return 0;
    *ticks = *wait + c->hold;
    *rticks = *peak * *wait + held * c->hold;
    return 1;
}

static int better(const long x[2], const long y[2])
{
    return y[0] < 0 || x[0] < y[0] || (x[0] == y[0] && x[1] < y[1]);
}

static int check_input(const migsteps_input *in, char *err, size_t errlen)
{
    if (in->n_steps < 1 || in->n_steps > MIGSTEPS_MAX_STEPS) {
        snprintf(err, errlen, "expected 1 to %d steps", MIGSTEPS_MAX_STEPS);
        return -1;
    }
    for (size_t k = 0; k < in->n_steps; k++) {
        double s = in->shares[k];
        if (!(s > 0 && s <= 1) || (k > 0 && !(s > in->shares[k - 1]))) {
            snprintf(err, errlen, "the steps must be increasing shares in (0, 100]");
            return -1;
        }
    }
    if (in->shares[in->n_steps - 1] != 1) {
        snprintf(err, errlen,
                 "the last step must be 100: the migration ends on the new "
                 "deployment alone");
        return -1;
    }
    if (in->max_replicas < 1 || in->max_replicas > MIGSTEPS_MAX_REPLICAS || in->a0 < 0 ||
        in->b0 < 0 || !(in->grid_s > 0) || !in->test_s) {
        snprintf(err, errlen, "the replica bound must be 1 to %d and the grid more than 0",
                 MIGSTEPS_MAX_REPLICAS);
        return -1;
    }
    return 0;
}

/* Why no plan holds, when the bounds alone say so. */
static int refuse_bounds(const migsteps_input *in, char *err, size_t errlen)
{
    if (in->a0 < in->need_a) {
        snprintf(err, errlen,
                 "the old deployment's %ld replicas are fewer than the %ld its load needs "
                 "before the migration starts",
                 in->a0, in->need_a);
        return 1;
    }
    if (in->a0 + in->b0 > in->max_replicas) {
        snprintf(err, errlen, "the deployments start with %ld replicas, more than the bound of %ld",
                 in->a0 + in->b0, in->max_replicas);
        return 1;
    }
    long need = in->n_steps > 1 ? max_l(in->need_both, 2) : in->need_b;
    if (in->need_b > in->max_replicas || need > in->max_replicas) {
        snprintf(err, errlen,
                 "the load needs %ld ready replicas behind the router, more than the bound of "
                 "%ld replicas",
                 max_l(need, in->need_b), in->max_replicas);
        return 1;
    }
    return 0;
}

int migsteps_search(const migsteps_input *in, migsteps_plan *plan, char *err, size_t errlen)
{
    memset(plan, 0, sizeof *plan);
    if (check_input(in, err, errlen) != 0)
        return -1;
    int refused = refuse_bounds(in, err, errlen);
    if (refused)
        return refused;
    size_t K = in->n_steps;
    cand **c = calloc(K, sizeof *c);
    size_t *n = calloc(K, sizeof *n);
    int rc = c && n ? 0 : -1;
    for (size_t k = 0; rc == 0 && k < K; k++) {
        rc = candidates(in, k, &c[k], &n[k]);
        int last = k + 1 == K;
        for (size_t i = 0; rc == 0 && i < n[k]; i++) {
            double secs = last ? in->drain_s : in->test_s(in->ctx, c[k][i].a, c[k][i].b);
            c[k][i].hold = migsteps_hold_ticks(secs, in->grid_s);
        }
        size_t n_prev = k == 0 ? 1 : n[k - 1];
        int reached = 0;
        for (size_t i = 0; rc == 0 && i < n[k]; i++) {
            cand *to = &c[k][i];
            for (size_t j = 0; j < n_prev; j++) {
                const cand *p = k == 0 ? NULL : &c[k - 1][j];
                if (p && p->cost[0] < 0)
                    continue;
                long ap = p ? p->a : in->a0, bp = p ? p->b : in->b0, wait, peak, ticks, rt;
                if (!transition(in, ap, bp, to, last, &wait, &peak, &ticks, &rt))
                    continue;
                long time = (p ? p->time : 0) + ticks, rticks = (p ? p->rticks : 0) + rt;
                long cost[2] = {time, rticks};
                if (in->objective == MIGSTEPS_MIN_REPLICA_HOURS) {
                    cost[0] = rticks;
                    cost[1] = time;
                }
                if (better(cost, to->cost)) {
                    to->cost[0] = cost[0];
                    to->cost[1] = cost[1];
                    to->time = time;
                    to->rticks = rticks;
                    to->from = j;
                    to->wait = wait;
                    to->peak = peak;
                    reached = 1;
                }
            }
        }
        if (rc == 0 && !reached) {
            snprintf(err, errlen,
                     "no replica ratio for step %zu (%g%%) keeps %ld ready replicas behind the "
                     "router within the bound of %ld replicas, counting those still held while "
                     "new ones cold-start",
                     k + 1, in->shares[k] * 100, last ? in->need_b : in->need_both,
                     in->max_replicas);
            rc = 1;
        }
    }
    if (rc == 0) {
        plan->steps = calloc(K, sizeof *plan->steps);
        rc = plan->steps ? 0 : -1;
    }
    if (rc == 0) {
        size_t best = 0;
        for (size_t i = 1; i < n[K - 1]; i++)
            if (c[K - 1][i].cost[0] >= 0 && better(c[K - 1][i].cost, c[K - 1][best].cost))
                best = i;
        plan->n_steps = K;
        plan->total_ticks = c[K - 1][best].time;
        plan->replica_ticks = c[K - 1][best].rticks;
        for (size_t k = K; k-- > 0;) {
            const cand *x = &c[k][best];
            plan->steps[k] = (migsteps_step){.a = x->a,
                                             .b = x->b,
                                             .share = (double)x->b / (double)(x->a + x->b),
                                             .wait_ticks = x->wait,
                                             .hold_ticks = x->hold,
                                             .peak = x->peak};
            best = x->from;
        }
    }
    if (rc < 0 && !*err)
        snprintf(err, errlen, "out of memory");
    for (size_t k = 0; c && k < K; k++)
        free(c[k]);
    free(c);
    free(n);
    return rc;
}

void migsteps_plan_free(migsteps_plan *plan)
{
    free(plan->steps);
    memset(plan, 0, sizeof *plan);
}

/* ---- the firectl lines ------------------------------------------------------------------ */

typedef struct {
    migsteps_event *ev;
    size_t n, cap;
} evlist;

static int push(evlist *l, double at_s, const char *comment, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int push(evlist *l, double at_s, const char *comment, const char *fmt, ...)
{
    if (l->n == l->cap) {
        size_t nc = l->cap ? 2 * l->cap : 16;
        migsteps_event *g = realloc(l->ev, nc * sizeof *g);
        if (!g)
            return -1;
        l->ev = g;
        l->cap = nc;
    }
    migsteps_event *e = &l->ev[l->n++];
    e->at_s = at_s;
    snprintf(e->comment, sizeof e->comment, "%s", comment);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->line, sizeof e->line, fmt, ap);
    va_end(ap);
    return 0;
}

static int scale_line(evlist *l, double at, const char *comment, const char *id, long n)
{
    return push(l, at, comment,
                "firectl deployment update %s --min-replica-count=%ld --max-replica-count=%ld", id,
                n, n);
}

int migsteps_events(const migsteps_plan *plan, const migsteps_input *in, const migsteps_names *nm,
                    double start_s, migsteps_event **events, size_t *n)
{
    evlist l = {0};
    double g = in->grid_s, t = start_s;
    long ap = in->a0, bp = in->b0;
    int rc = 0, b_exists = !nm->create_b;
    char why[256], d[64];
    for (size_t k = 0; rc == 0 && k < plan->n_steps; k++) {
        const migsteps_step *s = &plan->steps[k];
        int last = k + 1 == plan->n_steps;
        double t1 = t + (double)s->wait_ticks * g;
        units_format_duration((double)s->wait_ticks * g, d, sizeof d);
        if (last)
            snprintf(why, sizeof why, "step %zu of %zu: %s alone (100%%)", k + 1, plan->n_steps,
                     nm->to);
        else
            snprintf(why, sizeof why,
                     "step %zu of %zu: %g%% asked, %ld:%ld replicas (%s:%s) give %.2f%% to %s",
                     k + 1, plan->n_steps, in->shares[k] * 100, s->a, s->b, nm->from, nm->to,
                     s->share * 100, nm->to);
        char grow[512];
        snprintf(grow, sizeof grow, "%s; new replicas cold-start, the router waits %s", why, d);
        if (s->b > bp && !b_exists) {
            char region[64] = "";
            if (nm->region && *nm->region && strcmp(nm->region, "US") != 0)
                snprintf(region, sizeof region, " --region=%s", nm->region);
            rc = push(&l, t, grow,
                      "firectl deployment create %s --deployment-id=%s%s --min-replica-count=%ld "
                      "--max-replica-count=%ld",
                      nm->model, nm->to, region, s->b, s->b);
            b_exists = 1;
        } else if (s->b > bp) {
            rc = scale_line(&l, t, grow, nm->to, s->b);
        }
        if (rc == 0 && s->a > ap)
            rc = scale_line(&l, t, grow, nm->from, s->a);
        const char *shift = s->wait_ticks ? "the new replicas are ready: shift the router" : why;
        if (rc == 0 && k == 0 && !last)
            rc = push(&l, t1, shift, "firectl router update %s --deployments=%s,%s", nm->router,
                      nm->from, nm->to);
        if (rc == 0 && last)
            rc = push(&l, t1, "the old deployment leaves the router before it scales to zero",
                      "firectl router update %s --deployments=%s", nm->router, nm->to);
        if (rc == 0 && s->b < bp)
            rc = scale_line(&l, t1, why, nm->to, s->b);
        if (rc == 0 && !last && s->a < ap)
            rc = scale_line(&l, t1, k == 0 ? shift : why, nm->from, s->a);
        t = t1 + (double)s->hold_ticks * g;
        if (rc == 0 && last) {
            rc = scale_line(&l, t, "its queue has drained: scale the old deployment to zero",
                            nm->from, 0);
            if (rc == 0)
                rc = push(&l, t, "and delete it, last", "firectl deployment delete %s", nm->from);
        }
        ap = s->a;
        bp = s->b;
    }
    if (rc != 0) {
        free(l.ev);
        return -1;
    }
    *events = l.ev;
    *n = l.n;
    return 0;
}

int migsteps_write_runbook(FILE *f, const migsteps_event *ev, size_t n, const char *title)
{
    fprintf(f,
            "#!/bin/sh\n# %s\n# Run from the plan's start; each sleep waits for the next "
            "instant of the plan.\nset -eu\n",
            title);
    char at[64];
    for (size_t i = 0; i < n; i++) {
        if (i > 0 && ev[i].at_s > ev[i - 1].at_s) {
            units_format_duration(ev[i].at_s - ev[0].at_s, at, sizeof at);
            fprintf(f, "sleep %.17g  # until +%s\n", ev[i].at_s - ev[i - 1].at_s, at);
        }
        if (i == 0 || strcmp(ev[i].comment, ev[i - 1].comment) != 0)
            fprintf(f, "\n# %s\n", ev[i].comment);
        fprintf(f, "%s\n", ev[i].line);
    }
    return ferror(f) ? -1 : 0;
}

int migsteps_write_timeline(FILE *f, const migsteps_event *ev, size_t n)
{
    fprintf(f, "timeline:\n");
    char at[64];
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || strcmp(ev[i].comment, ev[i - 1].comment) != 0)
            fprintf(f, "  # %s\n", ev[i].comment);
        units_format_duration(ev[i].at_s, at, sizeof at);
        fprintf(f, "  - at: %s\n    run: %s\n", at, ev[i].line);
    }
    return ferror(f) ? -1 : 0;
}
