/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/engine.h"
#include "sim/model/scenario.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The serving model is what capacity verdicts rest on, so it is held to queueing theory:
 * M/M/1, M/D/1 and M/M/c (Erlang C) waits and queue lengths. Each
 * figure is the mean over independent replications (different seeds), compared with the
 * closed form within a bound of a few standard errors of that mean, which the replications
 * themselves measure; a test also demands that the standard error is small against the
 * figure, so a wrong model cannot hide behind noise. Scale-down draining and cold starts
 * are checked on traces with exact, hand-computed answers.
 */

#define REPLICATIONS 16
#define SIGMAS 4.5 /* two-sided tail ~7e-6 per comparison under normality */

static results *run(const scenario *sc, uint64_t seed)
{
    results *r = run_seed(sc, seed);
    ck_assert_uint_eq(r->n_loads, 1);
    return r;
}

/* One deployment of `replicas` x `concurrency` servers behind one router, Poisson
 * arrivals at `rate`, the given service time, no queue limit or timeout. */
static scenario *single_queue(double rate, int replicas, int concurrency, const char *service,
                              double duration)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: queue\naccount: acme\nduration: %gs\n"
             "deployments:\n  - id: d\n    replicas: %d\n"
             "    serving:\n      concurrency: %d\n      service_time: %s\n"
             "routers:\n  - {id: r, deployments: [d]}\n"
             "traffic:\n  - {router: r, rate: %g/s}\n",
             duration, replicas, concurrency, service, rate);
    return load_text(text);
}

typedef struct {
    double mean, se;
} estimate;

static estimate estimate_of(const double *x, size_t n)
{
    double sum = 0, sq = 0;
    for (size_t i = 0; i < n; i++)
        sum += x[i];
    double mean = sum / (double)n;
    for (size_t i = 0; i < n; i++)
        sq += (x[i] - mean) * (x[i] - mean);
    return (estimate){mean, sqrt(sq / (double)(n - 1) / (double)n)};
}

static void assert_agrees(estimate e, double theory, double max_relative_se, const char *what)
{
    ck_assert_msg(e.se <= max_relative_se * theory, "%s: standard error %g too large for %g", what,
                  e.se, theory);
    ck_assert_msg(fabs(e.mean - theory) <= SIGMAS * e.se, "%s: simulated %g +- %g, theory %g", what,
                  e.mean, e.se, theory);
}

/* Mean queue wait and P(wait > 0) over the replications. */
static void waits(const scenario *sc, estimate *wait, estimate *waited)
{
    double w[REPLICATIONS], p[REPLICATIONS];
    for (int i = 0; i < REPLICATIONS; i++) {
        results *r = run(sc, 1000 + (uint64_t)i);
        const results_load *l = &r->loads[0].load;
        w[i] = l->mean_wait_s;
        p[i] = (double)l->waited / (double)l->started;
        results_free(r);
    }
    *wait = estimate_of(w, REPLICATIONS);
    *waited = estimate_of(p, REPLICATIONS);
}

/* Erlang C: the probability that an arrival waits in M/M/c with offered load a = lambda/mu. */
static double erlang_c(int c, double a)
{
    double term = 1, below = 0;
    for (int k = 0; k < c; k++) {
        below += term;
        term *= a / (k + 1);
    }
    double top = term / (1 - a / c);
    return top / (below + top);
}

START_TEST(mm1_mean_wait)
{
    /* lambda 50/s, mu 100/s: rho 0.5, Wq = rho / (mu - lambda), P(wait) = rho */
    scenario *sc = single_queue(50, 1, 1, "{distribution: exponential, mean: 10ms}", 2000);
    estimate wait, waited;
    waits(sc, &wait, &waited);
    assert_agrees(wait, 0.5 / 50, 0.03, "M/M/1 mean wait");
    assert_agrees(waited, 0.5, 0.01, "M/M/1 P(wait)");
    scenario_free(sc);
}
END_TEST

START_TEST(md1_mean_wait)
{
    /* Pollaczek-Khinchine with zero service variance: Wq = rho / (2 mu (1 - rho)) */
    scenario *sc = single_queue(50, 1, 1, "{distribution: deterministic, mean: 10ms}", 2000);
    estimate wait, waited;
    waits(sc, &wait, &waited);
    assert_agrees(wait, 0.5 / (2 * 100 * 0.5), 0.03, "M/D/1 mean wait");
    assert_agrees(waited, 0.5, 0.01, "M/D/1 P(wait)");
    scenario_free(sc);
}
END_TEST

START_TEST(mmc_erlang_c)
{
    /* 2 replicas x concurrency 2 = 4 servers, mu 10/s each, lambda 30/s: a = 3, rho 0.75 */
    scenario *sc = single_queue(30, 2, 2, "{distribution: exponential, mean: 100ms}", 4000);
    double c = erlang_c(4, 3.0);
    estimate wait, waited;
    waits(sc, &wait, &waited);
    assert_agrees(waited, c, 0.02, "M/M/4 P(wait) (Erlang C)");
    assert_agrees(wait, c / (4 * 10.0 - 30.0), 0.04, "M/M/4 mean wait");
    scenario_free(sc);
}
END_TEST

START_TEST(erlang_c_reference)
{
    /* The test's own closed form against a value computed by hand: c = 4, a = 3:
     * sum_{k<4} 3^k/k! = 13, 3^4/4! / (1 - 3/4) = 13.5, C = 13.5 / 26.5. */
    ck_assert_double_eq_tol(erlang_c(4, 3.0), 13.5 / 26.5, 1e-15);
    ck_assert_double_eq_tol(erlang_c(1, 0.5), 0.5, 1e-15); /* M/M/1: C = rho */
}
END_TEST

/* Mean number waiting (the time average of the queue length, mean_waiting) over the
 * replications. */
static estimate queue_length(const scenario *sc)
{
    double lq[REPLICATIONS];
    for (int i = 0; i < REPLICATIONS; i++) {
        results *r = run(sc, 77 + (uint64_t)i);
        lq[i] = r->loads[0].load.mean_waiting;
        results_free(r);
    }
    return estimate_of(lq, REPLICATIONS);
}

/* The time-average number waiting against the closed forms for the queue length, which
 * owe nothing to the waits the simulator measured (the queue integral is summed from those
 * waits, so comparing the two by Little's law would only check the sum). M/M/c: Lq = C(c, a)
 * rho / (1 - rho) (Erlang C); M/D/1: Lq = rho^2 / (2 (1 - rho)) (Pollaczek-Khinchine). */
START_TEST(queue_length_closed_form)
{
    /* 1 replica x concurrency 4, mu 10/s each, lambda 30/s: a = 3, rho = 0.75, Lq = 3 C */
    scenario *sc = single_queue(30, 1, 4, "{distribution: exponential, mean: 100ms}", 10000);
    estimate e = queue_length(sc);
    assert_agrees(e, erlang_c(4, 3.0) * 0.75 / 0.25, 0.01, "M/M/4 mean number waiting");
    scenario_free(sc);

    /* lambda 70/s, 10 ms: rho = 0.7, Lq = 0.49 / 0.6 */
    sc = single_queue(70, 1, 1, "{distribution: deterministic, mean: 10ms}", 2000);
    e = queue_length(sc);
    assert_agrees(e, 0.49 / 0.6, 0.01, "M/D/1 mean number waiting");
    scenario_free(sc);
}
END_TEST

/* A private folder for one test's trace file, so parallel test runs never share a file. */
typedef struct {
    char dir[256];
    char path[300];
} trace_file;

/* A scenario whose text has one %s, replaced by the path of a private trace file holding
 * `trace`, for exact, hand-computed runs; trace_remove deletes the file and its folder. */
static scenario *with_trace(trace_file *t, const char *trace, const char *scenario_format)
{
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(t->dir, sizeof t->dir, "%s/routersim-capacity-XXXXXX", tmp);
    ck_assert_ptr_nonnull(mkdtemp(t->dir));
    snprintf(t->path, sizeof t->path, "%s/trace.csv", t->dir);
    FILE *f = fopen(t->path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(trace, f);
    ck_assert_int_eq(fclose(f), 0);
    char text[4096];
    snprintf(text, sizeof text, scenario_format, t->path);
    return load_text(text);
}

static void trace_remove(const trace_file *t)
{
    ck_assert_int_eq(unlink(t->path), 0);
    ck_assert_int_eq(rmdir(t->dir), 0);
}

/* Four requests in service when the deployment scales from 4 replicas to 1: each leaving
 * replica finishes its request first, and a fifth request waits until all four are done
 * (busy 4 > the 1 slot left). */
START_TEST(scale_down_drains_in_flight)
{
    trace_file t;
    scenario *sc = with_trace(&t, "time\n1\n2\n3\n4\n20\n",
                              "name: drain\naccount: acme\nduration: 200s\nwindow: 10s\n"
                              "deployments:\n  - id: d\n    replicas: 4\n"
                              "    serving: {concurrency: 1, service_time: {distribution: "
                              "deterministic, mean: 60s}}\n"
                              "routers:\n  - {id: r, deployments: [d]}\n"
                              "traffic:\n  - {router: r, trace: \"%s\"}\n"
                              "timeline:\n  - {at: 10s, scale: {deployment: d, replicas: 1}}\n");
    results *r = run(sc, 1);
    const results_load *l = &r->loads[0].load;
    ck_assert_uint_eq(l->arrived, 5);
    ck_assert_uint_eq(l->started, 5);
    ck_assert_uint_eq(l->completed, 5); /* 61, 62, 63, 64, then 64 + 60 = 124 */
    ck_assert_uint_eq(l->waited, 1);
    ck_assert_double_eq_tol(l->mean_wait_s, (64.0 - 20.0) / 5, 1e-9);
    ck_assert_double_eq_tol(l->p99_s, 104.0, 104.0 * 0.01); /* the fifth: 44 s wait + 60 s */
    /* Ready slots: 4 for [0, 10), then 1 until 200: 40 + 190 = 230 slot-seconds. Busy ready
     * slots: 1 + 2 + 3 + 4 x 6 = 30 before 10 s, then the one slot busy from 10 to 124 s
     * (draining requests on the leaving replicas do not count): 30 + 114 = 144. */
    ck_assert_double_eq_tol(l->utilization, 144.0 / 230.0, 1e-12);
    ck_assert_double_eq_tol(l->mean_waiting, 44.0 / 200.0, 1e-12); /* one waits 20 -> 64 s */
    results_free(r);
    scenario_free(sc);
    trace_remove(&t);
}
END_TEST

/* A replica in its cold start is not weighted: the router sends it nothing until ready. */
START_TEST(cold_start_delays_weight)
{
    scenario *sc =
        load_text("name: cold\naccount: acme\nduration: 10m\n"
                  "deployments:\n  - {id: old, replicas: 1}\n"
                  "serving:\n  new:\n    concurrency: 4\n    cold_start: 2m\n"
                  "    service_time: {distribution: exponential, mean: 10ms}\n"
                  "routers:\n  - {id: r, deployments: [old]}\n"
                  "traffic:\n  - {router: r, rate: 20/s}\n"
                  "timeline:\n"
                  "  - {at: 1m, run: firectl deployment create m --deployment-id=new}\n"
                  "  - {at: 1m, run: \"firectl router update r --deployments=old,new\"}\n");
    results *r = run(sc, 3);
    ck_assert_uint_eq(r->n_phases, 3);
    const results_phase *cold = &r->phases[1], *warm = &r->phases[2];
    ck_assert_double_eq(cold->start_s, 60);
    ck_assert_double_eq(cold->end_s, 180); /* ready at 1m + 2m */
    ck_assert_int_eq(cold->deployments[1].replicas, 0);
    ck_assert_uint_eq(cold->deployments[1].observed, 0);
    ck_assert_int_eq(warm->deployments[1].replicas, 1);
    ck_assert_double_eq(warm->deployments[1].expected_share, 0.5);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* With a queue limit of 0 and one slot, a request arriving while another is served is
 * rejected; with a timeout, a waiting request gives up. */
START_TEST(queue_limit_and_timeout)
{
    trace_file t;
    scenario *sc = with_trace(&t, "time\n1\n2\n3\n",
                              "name: limits\naccount: acme\nduration: 100s\n"
                              "deployments:\n  - id: d\n    replicas: 1\n"
                              "    serving: {concurrency: 1, queue_limit: 1, timeout: 5s,\n"
                              "      service_time: {distribution: deterministic, mean: 10s}}\n"
                              "routers:\n  - {id: r, deployments: [d]}\n"
                              "traffic:\n  - {router: r, trace: \"%s\"}\n");
    results *r = run(sc, 1);
    const results_load *l = &r->loads[0].load;
    /* 1: served 1..11; 2: waits, gives up at 7; 3: arrives with 2 waiting: rejected */
    ck_assert_uint_eq(l->arrived, 3);
    ck_assert_uint_eq(l->started, 1);
    ck_assert_uint_eq(l->completed, 1);
    ck_assert_uint_eq(l->timed_out, 1);
    ck_assert_uint_eq(l->rejected, 1);
    ck_assert_double_eq_tol(l->mean_waiting, 5.0 / 100, 1e-12); /* one waiter for 5 s */
    ck_assert_double_eq_tol(l->utilization, 10.0 / 100, 1e-12);
    results_free(r);
    scenario_free(sc);
    trace_remove(&t);
}
END_TEST

/* An autoscaled deployment that idles scales to zero after its scale-to-zero window; behind
 * a router it then gets no traffic, so nothing scales it back: the results say so, and
 * the traffic that comes back fails with no replicas. */
START_TEST(zero_replicas_behind_a_router_stay_at_zero)
{
    scenario *sc = load_text(
        "name: zero\naccount: acme\nduration: 30m\n"
        "deployments:\n  - id: d\n    min_replica_count: 0\n    max_replica_count: 2\n"
        "    serving: {concurrency: 4, service_time: {distribution: exponential, mean: 50ms}}\n"
        "    autoscaling: {scale_to_zero_window: 5m}\n"
        "routers:\n  - {id: r, deployments: [d]}\n"
        "traffic:\n  - router: r\n    profile:\n      - {until: 1m, rate: 10/s}\n"
        "      - {until: 20m, rate: 0/s}\n      - {rate: 10/s}\n");
    results *r = run_seed(sc, 4);
    double zero_at = -1, noted_at = -1;
    for (size_t i = 0; i < r->n_events; i++) {
        if (strstr(r->events[i].text, "d 1 -> 0 replicas"))
            zero_at = r->events[i].at_s;
        if (strstr(r->events[i].text, "stays at 0"))
            noted_at = r->events[i].at_s;
    }
    /* The last request came just before 1m; five idle minutes later, at a 10 s tick. */
    ck_assert_msg(zero_at >= 360 && zero_at <= 370, "scaled to zero at %g", zero_at);
    ck_assert_double_eq(noted_at, zero_at);
    /* From 20m on, 10 requests/s fail: within 5 standard deviations of 6000. */
    double failed = (double)r->failed_by_reason[RESULTS_NO_REPLICAS];
    ck_assert_msg(fabs(failed - 6000) <= 5 * sqrt(6000.0), "no_replicas %g", failed);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A load_targets list without `default` keeps the platform's default=0.8 beside what it
 * names: the largest count wins, so a requests_per_second target far above the load cannot
 * stop the in-flight target from scaling an overloaded deployment up (40 requests/s against
 * 8/s of capacity on one replica). */
START_TEST(load_targets_keep_the_default)
{
    scenario *sc = load_text(
        "name: targets\naccount: acme\nduration: 5m\n"
        "deployments:\n  - id: d\n    min_replica_count: 1\n    max_replica_count: 4\n"
        "    serving: {concurrency: 4, service_time: {distribution: exponential, mean: 500ms}}\n"
        "    autoscaling: {load_targets: {requests_per_second: 1000}}\n"
        "routers:\n  - {id: r, deployments: [d]}\n"
        "traffic:\n  - {router: r, rate: 40/s}\n");
    ck_assert_double_eq(sc->events[0].cmd.autoscaling.load_fraction, 0.8);
    ck_assert_double_eq(sc->events[0].cmd.autoscaling.load_requests_per_second, 1000);
    results *r = run_seed(sc, 3);
    int scaled = 0;
    for (size_t i = 0; i < r->n_events; i++)
        scaled += strstr(r->events[i].text, "autoscaler: d 1 -> ") != NULL;
    ck_assert_int_eq(scaled, 1);
    results_free(r);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("capacity");
    check_add_case(s, tcase_create("mm1_mean_wait"), mm1_mean_wait, 60);
    check_add_case(s, tcase_create("md1_mean_wait"), md1_mean_wait, 60);
    check_add_case(s, tcase_create("mmc_erlang_c"), mmc_erlang_c, 60);
    check_add_case(s, tcase_create("erlang_c_reference"), erlang_c_reference, 4);
    check_add_case(s, tcase_create("queue_length_closed_form"), queue_length_closed_form, 120);
    check_add_case(s, tcase_create("scale_down_drains_in_flight"), scale_down_drains_in_flight, 30);
    check_add_case(s, tcase_create("cold_start_delays_weight"), cold_start_delays_weight, 30);
    check_add_case(s, tcase_create("queue_limit_and_timeout"), queue_limit_and_timeout, 30);
    check_add_case(s, tcase_create("zero_replicas_behind_a_router_stay_at_zero"),
                   zero_replicas_behind_a_router_stay_at_zero, 30);
    check_add_case(s, tcase_create("load_targets_keep_the_default"), load_targets_keep_the_default,
                   30);
    return s;
}
