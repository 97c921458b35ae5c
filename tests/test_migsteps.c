/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/migsteps.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * A migration plan is trusted to be the fastest (or cheapest) runbook within its search
 * space and to never route to replicas that are not ready. The first is checked against a
 * brute force written here from the search space's definition alone; the second by
 * replaying the firectl lines the plan writes, replica by replica, with their cold starts.
 */

/* Bigger ratios test faster (an arbitrary cost, so that the bound on replicas binds). */
static double test_time(void *ctx, long a, long b)
{
    (void)ctx;
    return 600.0 - 20.0 * (double)(a + b);
}

static const double two_steps[] = {0.5, 1.0};

static migsteps_input two_step_input(migsteps_objective obj)
{
    return (migsteps_input){.n_steps = 2,
                            .shares = two_steps,
                            .a0 = 6,
                            .need_a = 5,
                            .need_both = 6,
                            .need_b = 5,
                            .max_replicas = 12,
                            .cold_a_s = 100,
                            .cold_b_s = 100,
                            .grid_s = 30,
                            .drain_s = 45,
                            .objective = obj,
                            .test_s = test_time};
}

static long ceil_ticks(double s, double g)
{
    long t = (long)ceil(s / g);
    return t < 1 ? 1 : t;
}

/* Every (a1, b1, b2) within 0..max, judged by the search space's rules written out: the 50 %
 * step exactly (1:1 ratios exist), need_both ready, the peak while cold-starting within max;
 * the last step b2 >= need_b and A's replicas still held while it drains. */
static void brute_force(const migsteps_input *in, long best[2], long *ba, long *bb1, long *bb2)
{
    best[0] = best[1] = -1;
    long ticks_cold = (long)floor(100.0 / 30.0) + 1; /* strictly beyond 100 s: 120 s */
    for (long a = 0; a <= in->max_replicas; a++)
        for (long b = 0; b <= in->max_replicas; b++) {
            if (a < 1 || b < 1 || a != b || a + b < in->need_both)
                continue;
            long peak1 = (a > 6 ? a : 6) + b;
            if (peak1 > in->max_replicas)
                continue;
            long w1 = ticks_cold, h1 = ceil_ticks(test_time(NULL, a, b), 30);
            long t1 = w1 + h1, r1 = peak1 * w1 + (a + b) * h1;
            for (long b2 = in->need_b; b2 <= in->max_replicas; b2++) {
                long peak2 = a + (b2 > b ? b2 : b);
                if (peak2 > in->max_replicas || a + b2 > in->max_replicas)
                    continue;
                long w2 = b2 > b ? ticks_cold : 0, h2 = ceil_ticks(45, 30);
                long t = t1 + w2 + h2, r = r1 + peak2 * w2 + (a + b2) * h2;
                long c[2] = {t, r};
                if (in->objective == MIGSTEPS_MIN_REPLICA_HOURS) {
                    c[0] = r;
                    c[1] = t;
                }
                if (best[0] < 0 || c[0] < best[0] || (c[0] == best[0] && c[1] < best[1])) {
                    best[0] = c[0];
                    best[1] = c[1];
                    *ba = a;
                    *bb1 = b;
                    *bb2 = b2;
                }
            }
        }
}

static void check_minimal(migsteps_objective obj)
{
    migsteps_input in = two_step_input(obj);
    migsteps_plan p;
    char err[256] = "";
    ck_assert_msg(migsteps_search(&in, &p, err, sizeof err) == 0, "%s", err);
    long best[2], a, b1, b2;
    brute_force(&in, best, &a, &b1, &b2);
    ck_assert_int_ge(best[0], 0);
    long got[2] = {p.total_ticks, p.replica_ticks};
    if (obj == MIGSTEPS_MIN_REPLICA_HOURS) {
        got[0] = p.replica_ticks;
        got[1] = p.total_ticks;
    }
    ck_assert_msg(got[0] == best[0] && got[1] == best[1],
                  "plan %ld:%ld then 0:%ld costs (%ld, %ld); brute force %ld:%ld then 0:%ld "
                  "costs (%ld, %ld)",
                  p.steps[0].a, p.steps[0].b, p.steps[1].b, got[0], got[1], a, b1, b2, best[0],
                  best[1]);
    ck_assert_double_eq(p.steps[0].share, 0.5);
    migsteps_plan_free(&p);
}

START_TEST(minimal_time_by_brute_force)
{
    check_minimal(MIGSTEPS_MIN_TIME);
}
END_TEST

START_TEST(minimal_replica_hours_by_brute_force)
{
    check_minimal(MIGSTEPS_MIN_REPLICA_HOURS);
}
END_TEST

/* ---- replaying the firectl lines -------------------------------------------------------- */

/* One deployment: replicas by creation time (ready cold_s later), newest last. */
typedef struct {
    char id[64];
    double created[4096];
    long n;
    double cold_s;
    int exists;
} dep;

static long ready_at(const dep *d, double t)
{
    long r = 0;
    for (long i = 0; i < d->n; i++)
        r += d->created[i] + d->cold_s <= t;
    return r;
}

static void scale(dep *d, long n, double t)
{
    while (d->n < n)
        d->created[d->n++] = t;
    if (d->n > n)
        d->n = n;
}

/* Applies the lines and checks, at every instant anything changes (the lines' and every
 * replica's ready time): each deployment the router lists has all its replicas ready when
 * the router starts listing it; the router never lists a deployment with no ready replica;
 * the ready replicas it weighs are at least `need`. Returns the first breach or NULL. */
static const char *replay(const migsteps_event *ev, size_t n, dep *a, dep *b, long need, char *why,
                          size_t len)
{
    int routes_a = 1, routes_b = 0;
    size_t i = 0;
    double t = ev[0].at_s;
    while (i < n) {
        for (; i < n && ev[i].at_s == t; i++) {
            char id[64], list[160];
            long c;
            const char *line = ev[i].line;
            if (sscanf(line, "firectl deployment create %*s --deployment-id=%63s", id) == 1) {
                ck_assert(sscanf(strstr(line, "--min-replica-count="), "--min-replica-count=%ld",
                                 &c) == 1);
                scale(b, c, t);
                b->exists = 1;
            } else if (sscanf(line, "firectl deployment update %63s --min-replica-count=%ld", id,
                              &c) == 2) {
                scale(strcmp(id, a->id) == 0 ? a : b, c, t);
            } else if (sscanf(line, "firectl router update %*s --deployments=%159s", list) == 1) {
                int had_b = routes_b;
                routes_a = strstr(list, a->id) != NULL;
                routes_b = strstr(list, b->id) != NULL;
                if (routes_b && !had_b && ready_at(b, t) < b->n) {
                    snprintf(why, len, "at %gs the router lists %s with %ld of %ld ready", t, b->id,
                             ready_at(b, t), b->n);
                    return why;
                }
            } else if (sscanf(line, "firectl deployment delete %63s", id) == 1) {
                ck_assert_str_eq(id, a->id);
                ck_assert_msg(!routes_a && a->n == 0, "deleted while routed or holding replicas");
                a->exists = 0;
            } else {
                ck_abort_msg("unexpected line %s", line);
            }
        }
        /* The state from t until the next instant: check it at t and at each ready time. */
        double next = i < n ? ev[i].at_s : t + 1e9;
        double checks[8192];
        size_t nc = 0;
        checks[nc++] = t;
        for (long j = 0; j < a->n; j++)
            if (a->created[j] + a->cold_s > t && a->created[j] + a->cold_s < next)
                checks[nc++] = a->created[j] + a->cold_s;
        for (long j = 0; j < b->n; j++)
            if (b->created[j] + b->cold_s > t && b->created[j] + b->cold_s < next)
                checks[nc++] = b->created[j] + b->cold_s;
        for (size_t j = 0; j < nc; j++) {
            long ra = routes_a ? ready_at(a, checks[j]) : 0;
            long rb = routes_b ? ready_at(b, checks[j]) : 0;
            if ((routes_a && ra == 0) || (routes_b && rb == 0) || ra + rb < need) {
                snprintf(why, len, "at %gs the router weighs %ld + %ld ready replicas, %ld needed",
                         checks[j], ra, rb, need);
                return why;
            }
        }
        t = next;
    }
    return NULL;
}

static const double three_steps[] = {0.1, 0.5, 1.0};

static double share_time(void *ctx, long a, long b)
{
    (void)ctx;
    double p = (double)b / (double)(a + b);
    return 4000.0 * p * (1 - p); /* the shape of the power calculation: n ~ p (1 - p) */
}

static void check_no_shortfall(double cold_s)
{
    migsteps_input in = {.n_steps = 3,
                         .shares = three_steps,
                         .a0 = 8,
                         .need_a = 7,
                         .need_both = 7,
                         .need_b = 7,
                         .max_replicas = 20,
                         .cold_a_s = cold_s,
                         .cold_b_s = cold_s,
                         .grid_s = 30,
                         .drain_s = 10,
                         .objective = MIGSTEPS_MIN_TIME,
                         .test_s = share_time};
    migsteps_plan p;
    char err[256] = "", why[256];
    ck_assert_msg(migsteps_search(&in, &p, err, sizeof err) == 0, "%s", err);
    migsteps_names nm = {.router = "r", .from = "old", .to = "new", .model = "m", .create_b = 1};
    migsteps_event *ev;
    size_t n;
    ck_assert_int_eq(migsteps_events(&p, &in, &nm, 60, &ev, &n), 0);
    static dep a, b;
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    strcpy(a.id, "old");
    strcpy(b.id, "new");
    a.cold_s = b.cold_s = cold_s;
    a.exists = 1;
    scale(&a, 8, -1e9); /* ready from the start */
    const char *bad = replay(ev, n, &a, &b, 7, why, sizeof why);
    ck_assert_msg(!bad, "%s", bad);
    ck_assert_msg(!a.exists, "the old deployment is not deleted");
    ck_assert_str_eq(ev[n - 1].line, "firectl deployment delete old");
    /* The 10 % step is a 9:1 ratio at most 20 replicas, and its share is reported. */
    ck_assert_int_eq(p.steps[0].a, 9);
    ck_assert_int_eq(p.steps[0].b, 1);
    ck_assert_double_eq_tol(p.steps[0].share, 0.1, 1e-12);
    free(ev);
    migsteps_plan_free(&p);
}

START_TEST(no_ready_replica_shortfall)
{
    check_no_shortfall(180);
}
END_TEST

/* A fixed 4-minute wait failed once cold starts took 6 minutes: the plan's waits follow the
 * cold start. */
START_TEST(cold_start_longer_than_a_fixed_wait)
{
    check_no_shortfall(360);
}
END_TEST

START_TEST(refuses_when_the_budget_cannot_hold_the_load)
{
    migsteps_input in = two_step_input(MIGSTEPS_MIN_TIME);
    in.need_both = 13;
    migsteps_plan p;
    char err[256] = "";
    ck_assert_int_eq(migsteps_search(&in, &p, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "13 ready replicas") && strstr(err, "bound of 12"), "%s", err);
    /* Enough for each ratio, but not for the old replicas held while new ones cold-start. */
    in = two_step_input(MIGSTEPS_MIN_TIME);
    in.a0 = 10;
    in.need_a = 10;
    in.need_both = 10;
    ck_assert_int_eq(migsteps_search(&in, &p, err, sizeof err), 1);
    ck_assert_msg(strstr(err, "step 1 (50%)"), "%s", err);
}
END_TEST

START_TEST(wait_is_strictly_beyond_the_cold_start)
{
    ck_assert_int_eq(migsteps_wait_ticks(0, 30), 0);
    ck_assert_int_eq(migsteps_wait_ticks(100, 30), 4);
    ck_assert_int_eq(migsteps_wait_ticks(120, 30), 5);
    ck_assert_int_eq(migsteps_hold_ticks(0, 30), 1);
    ck_assert_int_eq(migsteps_hold_ticks(61, 30), 3);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("migsteps");
    check_add_case(s, tcase_create("minimal_time"), minimal_time_by_brute_force, 30);
    check_add_case(s, tcase_create("minimal_replica_hours"), minimal_replica_hours_by_brute_force,
                   30);
    check_add_case(s, tcase_create("no_shortfall"), no_ready_replica_shortfall, 30);
    check_add_case(s, tcase_create("long_cold_start"), cold_start_longer_than_a_fixed_wait, 30);
    check_add_case(s, tcase_create("refusal"), refuses_when_the_budget_cannot_hold_the_load, 30);
    check_add_case(s, tcase_create("wait"), wait_is_strictly_beyond_the_cold_start, 30);
    return s;
}
