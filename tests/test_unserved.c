/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/eventq.h"
#include "sim/base/serving.h"
#include "sim/run/capacity.h"
#include "sim/run/engine.h"
#include "sim/model/scenario.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

/*
 * Every routed request that is not served is counted, by reason, from the caller's side:
 * rejected by a full queue, timed out, or unfinished (waiting or in service) at the end.
 * The counts are held to conservation on several scenarios (every request that arrived at
 * a deployment is completed, rejected, timed out or unfinished), to a trace counted by hand,
 * and to the M/M/c/K loss formula; the callers' latency (served requests plus the waits of
 * those who gave up) is held to the same hand count. The queues' memory is one budget for
 * the run, and a failed allocation says "out of memory".
 */

/* A scenario whose traffic replays `trace` (a CSV of arrival times), both written into a
 * private temporary folder: the scenario text names the trace as TRACE. */
static scenario *load_with_trace(const char *trace, const char *text)
{
    char dir[] = "/tmp/routersim-unserved-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char trace_path[64], scenario_path[64], full[4096];
    snprintf(trace_path, sizeof trace_path, "%s/trace.csv", dir);
    snprintf(scenario_path, sizeof scenario_path, "%s/scenario.yaml", dir);
    FILE *f = fopen(trace_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(trace, f);
    fclose(f);
    const char *at = strstr(text, "TRACE");
    ck_assert_ptr_nonnull(at);
    snprintf(full, sizeof full, "%.*s%s%s", (int)(at - text), text, trace_path, at + 5);
    f = fopen(scenario_path, "w");
    ck_assert_ptr_nonnull(f);
    fputs(full, f);
    fclose(f);
    char err[1024];
    scenario *sc = scenario_load(scenario_path, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    /* the trace is opened by the run: keep it until the scenario is freed by the test */
    remove(scenario_path);
    return sc;
}

/* The trace of load_with_trace, and its folder, once the run is done. */
static void remove_trace(const scenario *sc)
{
    char dir[64];
    snprintf(dir, sizeof dir, "%s", sc->traffic[0].trace);
    remove(sc->traffic[0].trace);
    *strrchr(dir, '/') = 0;
    remove(dir);
}

static const results_load *run_load_of(const results *r, const char *id)
{
    for (size_t i = 0; i < r->n_loads; i++) {
        const char *name = r->deployments[r->loads[i].deployment];
        if (strcmp(strrchr(name, '/') + 1, id) == 0)
            return &r->loads[i].load;
    }
    ck_abort_msg("no load for %s", id);
    return NULL;
}

static const results_load_point *point_of(const results *r, uint32_t bin, uint32_t deployment)
{
    for (size_t i = 0; i < r->n_load_points; i++)
        if (r->load_points[i].bin == bin && r->load_points[i].deployment == deployment)
            return &r->load_points[i];
    return NULL;
}

/*
 * Conservation: per deployment over the run, arrived = completed + rejected + timed_out +
 * unfinished; results.unserved is the sum over deployments; the bins add up to the run
 * (events) and the last bin ends with the run's unfinished (a state); each whole-interval
 * load adds up the bins it covers.
 */
static void assert_conserved(const scenario *sc, const results *r)
{
    uint64_t by_reason[RESULTS_N_UNSERVED] = {0}, arrived = 0;
    for (size_t i = 0; i < r->n_loads; i++) {
        const results_load *l = &r->loads[i].load;
        ck_assert_uint_eq(l->arrived, l->completed + l->rejected + l->timed_out + l->unfinished);
        by_reason[RESULTS_REJECTED] += l->rejected;
        by_reason[RESULTS_TIMED_OUT] += l->timed_out;
        by_reason[RESULTS_UNFINISHED] += l->unfinished;
        arrived += l->arrived;
        ck_assert_uint_eq(l->latency.count, l->started);
        ck_assert_uint_eq(l->wait.count, l->started);
        ck_assert_uint_eq(l->caller.count, l->started + l->timed_out);
        ck_assert_double_eq(l->p99_s, l->latency.p99_s);
        ck_assert_double_eq(l->mean_latency_s, l->latency.mean_s);

        uint64_t bins[5] = {0}, last_unfinished = 0;
        for (uint32_t b = 0; b < r->n_bins; b++) {
            const results_load_point *p = point_of(r, b, r->loads[i].deployment);
            if (!p)
                continue;
            bins[0] += p->load.arrived, bins[1] += p->load.completed;
            bins[2] += p->load.rejected, bins[3] += p->load.timed_out;
            bins[4] += p->load.caller.count;
            last_unfinished = p->load.unfinished;
        }
        ck_assert_uint_eq(bins[0], l->arrived);
        ck_assert_uint_eq(bins[1], l->completed);
        ck_assert_uint_eq(bins[2], l->rejected);
        ck_assert_uint_eq(bins[3], l->timed_out);
        ck_assert_uint_eq(bins[4], l->caller.count);
        ck_assert_uint_eq(last_unfinished, l->unfinished);
    }
    uint64_t unserved = 0;
    for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
        ck_assert_uint_eq(r->unserved_by_reason[k], by_reason[k]);
        unserved += by_reason[k];
    }
    ck_assert_uint_eq(r->unserved, unserved);
    ck_assert_uint_le(arrived, r->routed);

    for (size_t i = 0; i < r->n_interval_loads; i++) {
        const results_interval_load *il = &r->interval_loads[i];
        const scenario_capacity *chk = &sc->capacity[il->check];
        uint64_t sum[5] = {0};
        const results_load_point *last = NULL;
        for (uint32_t b = 0; b < r->n_bins; b++) {
            double from = b * r->window_s, to = fmin((b + 1) * r->window_s, r->duration_s);
            const results_load_point *p = point_of(r, b, il->deployment);
            if (!p || !(from < chk->end_s && chk->start_s < to))
                continue;
            sum[0] += p->load.arrived, sum[1] += p->load.completed;
            sum[2] += p->load.rejected, sum[3] += p->load.timed_out;
            sum[4] += p->load.caller.count;
            last = p;
        }
        ck_assert_ptr_nonnull(last);
        ck_assert_uint_eq(il->load.arrived, sum[0]);
        ck_assert_uint_eq(il->load.completed, sum[1]);
        ck_assert_uint_eq(il->load.rejected, sum[2]);
        ck_assert_uint_eq(il->load.timed_out, sum[3]);
        ck_assert_uint_eq(il->load.caller.count, sum[4]);
        ck_assert_uint_eq(il->load.unfinished, last->load.unfinished);
    }
}

/* Every deployment's requests and unserved requests, on an overloaded Poisson scenario. */
static void conserved_on(const char *serving_line, uint64_t seed, int want_reason)
{
    char text[2048];
    snprintf(text, sizeof text,
             "name: busy\naccount: acme\nduration: 5m\nwindow: 30s\n"
             "deployments:\n  - id: d\n    replicas: 1\n"
             "    serving: %s\n"
             "routers:\n  - {id: r, deployments: [d]}\n"
             "traffic:\n  - {router: r, rate: 30/s}\n"
             "checks:\n  capacity:\n    - {max_rejected: 1000000, during: [45s, 2m]}\n"
             "    - {max_timed_out: 1000000, deployment: d, during: [0s, 5m]}\n",
             serving_line);
    scenario *sc = load_text(text);
    results *r = run_seed(sc, seed);
    assert_conserved(sc, r);
    ck_assert_uint_eq(run_load_of(r, "d")->arrived, r->routed);
    ck_assert_msg(r->unserved_by_reason[want_reason] > 0, "no %s requests",
                  results_unserved_name(want_reason));
    results_free(r);
    scenario_free(sc);
}

START_TEST(conserved_with_rejections)
{
    conserved_on("{concurrency: 2, queue_limit: 5, service_time: {distribution: exponential, "
                 "mean: 100ms}}",
                 1, RESULTS_REJECTED);
}
END_TEST

START_TEST(conserved_with_timeouts)
{
    conserved_on("{concurrency: 2, timeout: 2s, service_time: {distribution: lognormal, mean: "
                 "100ms, cv: 2}}",
                 2, RESULTS_TIMED_OUT);
}
END_TEST

START_TEST(conserved_with_a_backlog_at_the_end)
{
    conserved_on("{concurrency: 2, service_time: {distribution: deterministic, mean: 100ms}}", 3,
                 RESULTS_UNFINISHED);
}
END_TEST

/* The bundled overload: two deployments, a migration, cold starts, rejections. */
START_TEST(conserved_on_the_bundled_overload)
{
    char err[1024];
    scenario *sc =
        scenario_load(ROUTERSIM_SOURCE_DIR "/scenarios/migration-overload.yaml", err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    for (uint64_t seed = 1; seed <= 3; seed++) {
        results *r = run_seed(sc, seed);
        assert_conserved(sc, r);
        ck_assert_uint_gt(r->unserved_by_reason[RESULTS_REJECTED], 0);
        uint64_t arrived = 0;
        for (size_t i = 0; i < r->n_loads; i++)
            arrived += r->loads[i].load.arrived;
        ck_assert_uint_eq(arrived, r->routed); /* every deployment has a serving model */
        results_free(r);
    }
    scenario_free(sc);
}
END_TEST

/*
 * One slot, 10 s of service, a queue of 2 and a 5 s timeout, over 30 s in 10 s windows:
 *   1    A starts, done at 11
 *   2    B waits, gives up at 7        3  C waits, gives up at 8
 *   4    X finds 2 waiting: rejected
 *   8.5  D waits (B and C are gone); starts at 11 (waited 2.5), done at 21
 *   14   G waits, gives up at 19
 *   25   E starts, still in service at 30      26  F waits, still waiting at 30
 * 8 arrived = 2 completed (A, D) + 1 rejected + 3 timed out + 2 unfinished.
 * Served latency: 10, 12.5, 10. Callers' latency: those and 5, 5, 5.
 */
static const char *hand_trace = "time\n1\n2\n3\n4\n8.5\n14\n25\n26\n";
static const char *hand_scenario =
    "name: by-hand\naccount: acme\nduration: 30s\nwindow: 10s\n"
    "deployments:\n  - id: d\n    replicas: 1\n"
    "    serving: {concurrency: 1, queue_limit: 2, timeout: 5s,\n"
    "      service_time: {distribution: deterministic, mean: 10s}}\n"
    "routers:\n  - {id: r, deployments: [d]}\n"
    "traffic:\n  - {router: r, trace: TRACE}\n"
    "checks:\n  capacity:\n    - {max_rejected: 10, during: [10s, 20s]}\n"
    "    - {max_timed_out: 10, deployment: d, during: [5s, 15s]}\n";

START_TEST(counted_by_hand)
{
    scenario *sc = load_with_trace(hand_trace, hand_scenario);
    results *r = run_seed(sc, 1);
    const results_load *l = run_load_of(r, "d");
    ck_assert_uint_eq(l->arrived, 8);
    ck_assert_uint_eq(l->completed, 2);
    ck_assert_uint_eq(l->rejected, 1);
    ck_assert_uint_eq(l->timed_out, 3);
    ck_assert_uint_eq(l->unfinished, 2);
    ck_assert_uint_eq(r->unserved, 6);
    ck_assert_uint_eq(r->unserved_by_reason[RESULTS_REJECTED], 1);
    ck_assert_uint_eq(r->unserved_by_reason[RESULTS_TIMED_OUT], 3);
    ck_assert_uint_eq(r->unserved_by_reason[RESULTS_UNFINISHED], 2);
    ck_assert_uint_eq(r->failed, 0);
    ck_assert_uint_eq(r->routed, 8);
    assert_conserved(sc, r);

    /* per window: events where they happened, unfinished as the state at the window's end */
    const uint64_t rejected[3] = {1, 0, 0}, timed_out[3] = {2, 1, 0}, unfinished[3] = {2, 1, 2};
    for (uint32_t b = 0; b < 3; b++) {
        const results_load_point *p = point_of(r, b, r->loads[0].deployment);
        ck_assert_ptr_nonnull(p);
        ck_assert_uint_eq(p->load.rejected, rejected[b]);
        ck_assert_uint_eq(p->load.timed_out, timed_out[b]);
        ck_assert_uint_eq(p->load.unfinished, unfinished[b]);
    }

    /* latencies within the histogram's 1 % */
    const double tol = LATENCY_RELATIVE_ERROR;
    ck_assert_uint_eq(l->latency.count, 3);
    ck_assert_double_eq_tol(l->latency.mean_s, 32.5 / 3, 1e-9);
    ck_assert_double_eq_tol(l->latency.p50_s, 10, 10 * tol);
    ck_assert_double_eq_tol(l->latency.p99_s, 12.5, 12.5 * tol);
    ck_assert_uint_eq(l->wait.count, 3);
    ck_assert_double_eq_tol(l->wait.mean_s, 2.5 / 3, 1e-9);
    ck_assert_double_eq(l->wait.p50_s, 0);
    ck_assert_double_eq_tol(l->wait.p999_s, 2.5, 2.5 * tol);
    ck_assert_uint_eq(l->caller.count, 6);
    ck_assert_double_eq_tol(l->caller.mean_s, 47.5 / 6, 1e-9);
    ck_assert_double_eq_tol(l->caller.p50_s, 5, 5 * tol); /* served requests' p50 is 10 */
    ck_assert_double_eq_tol(l->caller.p99_s, 12.5, 12.5 * tol);

    /* the one phase spans the run: the same counts; the most waiting is not measured */
    ck_assert_uint_eq(r->n_phases, 1);
    const results_load *ph = r->phases[0].deployments[0].load;
    ck_assert_ptr_nonnull(ph);
    ck_assert_uint_eq(ph->arrived, 8);
    ck_assert_uint_eq(ph->timed_out, 3);
    ck_assert_uint_eq(ph->unfinished, 2);
    ck_assert_uint_eq(ph->caller.count, 6);
    ck_assert_int_eq(ph->max_waiting, -1);

    /* whole intervals: [10s, 20s) is the second window; [5s, 15s) overlaps the first two */
    ck_assert_uint_eq(r->n_interval_loads, 2);
    for (size_t i = 0; i < 2; i++) {
        const results_interval_load *il = &r->interval_loads[i];
        const results_load *w = &il->load;
        ck_assert_uint_eq(il->deployment, r->loads[0].deployment);
        if (il->check == 0) {
            ck_assert_uint_eq(w->arrived, 1); /* G */
            ck_assert_uint_eq(w->started, 1); /* D at 11 */
            ck_assert_uint_eq(w->completed, 1);
            ck_assert_uint_eq(w->timed_out, 1);
            ck_assert_uint_eq(w->unfinished, 1);
            ck_assert_uint_eq(w->caller.count, 2);
            ck_assert_double_eq_tol(w->caller.mean_s, (12.5 + 5) / 2, 1e-9);
            ck_assert_int_eq(w->max_waiting, 1);
        } else {
            ck_assert_uint_eq(il->check, 1);
            ck_assert_uint_eq(w->arrived, 6);
            ck_assert_uint_eq(w->completed, 1);
            ck_assert_uint_eq(w->rejected, 1);
            ck_assert_uint_eq(w->timed_out, 3);
            ck_assert_uint_eq(w->unfinished, 1);
            ck_assert_uint_eq(w->caller.count, 5);
            ck_assert_double_eq_tol(w->caller.mean_s, 37.5 / 5, 1e-9);
            ck_assert_int_eq(w->max_waiting, 2);
            ck_assert_double_eq_tol(w->utilization, 19.0 / 20, 1e-12); /* busy from 1 s */
        }
    }
    results_free(r);
    remove_trace(sc);
    scenario_free(sc);
}
END_TEST

/*
 * M/M/c/K loss: c servers, room for K - c waiting, Poisson arrivals at lambda, exponential
 * service at mu. With a = lambda / mu, p_n is proportional to a^n / n! up to c and to
 * a^c / c! (a / c)^(n - c) beyond; an arrival is rejected with probability p_K (Poisson
 * arrivals see time averages). Computed here from the formula, not from the simulator.
 */
static double mmck_loss(int c, int k, double a)
{
    double term = 1, sum = 0, last = 0;
    for (int n = 0; n <= k; n++) {
        if (n > 0)
            term *= n <= c ? a / n : a / c;
        sum += term;
        last = term;
    }
    return last / sum;
}

START_TEST(mmck_loss_reference)
{
    /* a = 2, c = 2, K = 4: weights 1, 2, 2, 2, 2, so p_K = 2/9 */
    ck_assert_double_eq_tol(mmck_loss(2, 4, 2.0), 2.0 / 9, 1e-15);
    /* K = c: Erlang B, B(1, a) = a / (1 + a) */
    ck_assert_double_eq_tol(mmck_loss(1, 1, 0.5), 0.5 / 1.5, 1e-15);
}
END_TEST

START_TEST(mmck_rejection_probability)
{
    enum { REPLICATIONS = 16 };
    /* lambda 10/s, mean service 200 ms (mu 5/s): a = 2 on c = 2 slots, 2 places to wait */
    scenario *sc = load_text("name: mmck\naccount: acme\nduration: 2000s\n"
                             "deployments:\n  - id: d\n    replicas: 1\n"
                             "    serving: {concurrency: 2, queue_limit: 2,\n"
                             "      service_time: {distribution: exponential, mean: 200ms}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 10/s}\n");
    double p[REPLICATIONS], sum = 0, sq = 0;
    for (int i = 0; i < REPLICATIONS; i++) {
        results *r = run_seed(sc, 500 + (uint64_t)i);
        assert_conserved(sc, r);
        p[i] = (double)r->unserved_by_reason[RESULTS_REJECTED] / (double)r->routed;
        sum += p[i];
        results_free(r);
    }
    double mean = sum / REPLICATIONS;
    for (int i = 0; i < REPLICATIONS; i++)
        sq += (p[i] - mean) * (p[i] - mean);
    double se = sqrt(sq / (REPLICATIONS - 1) / REPLICATIONS), theory = mmck_loss(2, 4, 2.0);
    ck_assert_msg(se < 0.02 * theory, "standard error %g too large", se);
    ck_assert_msg(fabs(mean - theory) <= 4.5 * se, "rejected %g +- %g, theory %g", mean, se,
                  theory);
    scenario_free(sc);
}
END_TEST

/* ---- memory ------------------------------------------------------------------------------ */

/* Two deployments share one budget: together they cannot hold more waiting requests than it
 * allows, however the waiting requests are spread; an emptied queue gives its slots back. */
START_TEST(queue_budget_is_shared)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    serving_spec spec = {
        .concurrency = 1, .distribution = SERVING_DETERMINISTIC, .mean_s = 1000, .queue_limit = -1};
    serving_budget budget = {.slots = 256};
    serving *a = serving_new(&spec, 1, 0, rng, &budget),
            *b = serving_new(&spec, 1, 0, rng, &budget);
    ck_assert_int_eq(serving_arrive(a, 0), SERVING_STARTED);
    ck_assert_int_eq(serving_arrive(b, 0), SERVING_STARTED);
    /* a's queue grows to 128 slots (64, then 128), b's to 128: the budget is spent */
    for (int i = 0; i < 128; i++)
        ck_assert_int_eq(serving_arrive(a, 1), SERVING_QUEUED);
    for (int i = 0; i < 128; i++)
        ck_assert_int_eq(serving_arrive(b, 1), SERVING_QUEUED);
    ck_assert_uint_eq(budget.slots, 0);
    ck_assert_int_eq(serving_arrive(b, 2), SERVING_OVERFLOW);
    ck_assert_int_eq(serving_arrive(a, 2), SERVING_OVERFLOW);
    /* a's first request ends at 1000, and its 128 waiting requests one by one after it;
     * once a's queue is empty its slots return and b can grow */
    serving_advance(a, 1000 * 130);
    ck_assert_uint_eq(serving_totals_of(a)->unfinished, 0);
    ck_assert_uint_eq(budget.slots, 128);
    ck_assert_int_eq(serving_arrive(b, 3), SERVING_QUEUED);
    serving_free(a);
    serving_free(b);
    ck_assert_uint_eq(budget.slots, 256);
    gsl_rng_free(rng);
}
END_TEST

/* Many deployments with unbounded queues: the run stops at one budget for all of them, not
 * at SERVING_MAX_QUEUE each (40 such deployments once took 2.7 GB). Here three deployments
 * that never serve take 6 million requests each: 18 million waiting in all. */
START_TEST(run_stops_at_one_budget_for_all_deployments)
{
    scenario *sc = load_text("name: flood\naccount: acme\nduration: 60s\ndeployments:\n"
                             "  - {id: a, replicas: 1, serving: {concurrency: 1, service_time: "
                             "{distribution: deterministic, mean: 1h}}}\n"
                             "  - {id: b, replicas: 1, serving: {concurrency: 1, service_time: "
                             "{distribution: deterministic, mean: 1h}}}\n"
                             "  - {id: c, replicas: 1, serving: {concurrency: 1, service_time: "
                             "{distribution: deterministic, mean: 1h}}}\n"
                             "routers:\n  - {id: r, deployments: [a, b, c]}\n"
                             "traffic:\n  - {router: r, rate: 300000/s}\n");
    char err[1024] = "";
    results *r = engine_run(sc, 1, NULL, NULL, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "queues of all deployments together used up the run's budget of "
                              "16777216 waiting-request slots (128 MiB)"),
                  "%s", err);
    scenario_free(sc);
}
END_TEST

/* AddressSanitizer reserves terabytes of shadow memory: no address-space limit beside it. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif

#ifndef UNDER_ASAN
/* Virtual memory in use now, in bytes (Linux). */
static rlim_t address_space_in_use(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long pages = 0;
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%lu", &pages), 1);
    fclose(f);
    return (rlim_t)pages * (rlim_t)sysconf(_SC_PAGESIZE);
}
#endif

/* With 48 MiB of address space to spare, a queue that must reach millions of requests
 * fails to allocate: the run says "out of memory", not that too many requests waited. The
 * limit is set in the test's own forked process. (Not under AddressSanitizer, whose shadow
 * memory an address-space limit forbids.) */
START_TEST(failed_allocation_is_out_of_memory)
{
#ifdef UNDER_ASAN
    return;
#else
    scenario *sc = load_text("name: oom\naccount: acme\nduration: 60s\n"
                             "deployments:\n  - id: d\n    replicas: 1\n"
                             "    serving: {concurrency: 1, service_time: {distribution: "
                             "deterministic, mean: 1h}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 200000/s}\n");
    struct rlimit limit;
    ck_assert_int_eq(getrlimit(RLIMIT_AS, &limit), 0);
    limit.rlim_cur = address_space_in_use() + ((rlim_t)48 << 20);
    ck_assert_int_eq(setrlimit(RLIMIT_AS, &limit), 0);
    char err[1024] = "";
    results *r = engine_run(sc, 1, NULL, NULL, err, sizeof err);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err, "out of memory") && !strstr(err, "waiting"), "%s", err);
    scenario_free(sc);
#endif
}
END_TEST

/* ---- event kinds ----------------------------------------------------------------------- */

/* The engine hands capacity its event kinds: whatever the first kind, capacity queues only
 * kinds in [first, first + CAPACITY_N_EVENT_KINDS) and refuses others. */
START_TEST(capacity_uses_the_kinds_it_is_given)
{
    scenario *sc = load_text("name: kinds\naccount: acme\nduration: 10m\n"
                             "deployments:\n  - id: d\n    min_replica_count: 1\n"
                             "    max_replica_count: 3\n"
                             "    serving: {concurrency: 1, service_time: {distribution: "
                             "deterministic, mean: 1s}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 1/s}\n");
    world *w = world_new(sc->account, 1);
    eventq *q = eventq_new();
    results *res = results_new();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    res->n_bins = 1, res->window_s = res->duration_s = sc->duration_s;
    capacity *c = capacity_new(sc, w, q, rng, res, 1000);
    ck_assert_int_eq(capacity_start(c), 0);
    const eventq_event *ev = eventq_peek(q);
    ck_assert_ptr_nonnull(ev);
    ck_assert_int_ge(ev->kind, 1000);
    ck_assert_int_lt(ev->kind, 1000 + CAPACITY_N_EVENT_KINDS);
    int changed = 0;
    eventq_event other = {.time = 0, .kind = 999, .index = 0};
    ck_assert_int_eq(capacity_handle(c, &other, 0, &changed), -1);
    capacity_free(c);
    gsl_rng_free(rng);
    results_free(res);
    eventq_free(q);
    world_free(w);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("unserved");
    check_add_case(s, tcase_create("conserved_with_rejections"), conserved_with_rejections, 60);
    check_add_case(s, tcase_create("conserved_with_timeouts"), conserved_with_timeouts, 60);
    check_add_case(s, tcase_create("conserved_with_a_backlog_at_the_end"),
                   conserved_with_a_backlog_at_the_end, 60);
    check_add_case(s, tcase_create("conserved_on_the_bundled_overload"),
                   conserved_on_the_bundled_overload, 120);
    check_add_case(s, tcase_create("counted_by_hand"), counted_by_hand, 30);
    check_add_case(s, tcase_create("mmck_loss_reference"), mmck_loss_reference, 10);
    check_add_case(s, tcase_create("mmck_rejection_probability"), mmck_rejection_probability, 120);
    check_add_case(s, tcase_create("queue_budget_is_shared"), queue_budget_is_shared, 30);
    check_add_case(s, tcase_create("run_stops_at_one_budget_for_all_deployments"),
                   run_stops_at_one_budget_for_all_deployments, 300);
    check_add_case(s, tcase_create("failed_allocation_is_out_of_memory"),
                   failed_allocation_is_out_of_memory, 120);
    check_add_case(s, tcase_create("capacity_uses_the_kinds_it_is_given"),
                   capacity_uses_the_kinds_it_is_given, 30);
    return s;
}
