/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"
#include "views/verdicts.h"

#include "tests/check_main.h"
#include "sim/load/scenario_load.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The checks on hand-built results: a results struct filled with known figures, so every
 * verdict, value, margin and window below is worked out by hand from those figures, not
 * taken from a run.
 */

/* A scenario with nothing but what the checks read. */
static scenario *new_scenario(double duration_s)
{
    scenario *sc = calloc(1, sizeof *sc);
    ck_assert_ptr_nonnull(sc);
    sc->duration_s = duration_s;
    sc->alpha = SCENARIO_DEFAULT_ALPHA;
    sc->max_failed = -1;
    sc->max_unserved = -1;
    return sc;
}

static scenario_capacity *add_capacity(scenario *sc, scenario_capacity_kind kind, double limit)
{
    sc->capacity = realloc(sc->capacity, (sc->n_capacity + 1) * sizeof *sc->capacity);
    ck_assert_ptr_nonnull(sc->capacity);
    scenario_capacity *c = &sc->capacity[sc->n_capacity++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->limit = limit;
    c->start_s = 0;
    c->end_s = sc->duration_s;
    return c;
}

/* Results of `bins` windows of `window_s` over `n` deployments named dep-0, dep-1, ... with
 * `name_pad` extra characters in each name. Load points are zero until a test sets them. */
static results *new_results(size_t n, size_t bins, double window_s, size_t name_pad)
{
    results *r = results_new();
    ck_assert_ptr_nonnull(r);
    r->window_s = window_s;
    r->duration_s = window_s * (double)bins;
    r->n_bins = bins;
    r->alpha = SCENARIO_DEFAULT_ALPHA;
    for (size_t k = 0; k < n; k++) {
        char name[512];
        int len = snprintf(name, sizeof name, "accounts/acme/deployments/dep-%zu", k);
        for (size_t p = 0; p < name_pad && (size_t)len + 1 < sizeof name; p++)
            name[len++] = 'x';
        name[len] = '\0';
        ck_assert_int_ge(results_name_index(&r->deployments, &r->n_deployments, name), 0);
    }
    for (size_t b = 0; b < bins; b++)
        for (size_t k = 0; k < n; k++) {
            results_load_point *p = results_add_load_point(r);
            ck_assert_ptr_nonnull(p);
            p->bin = (uint32_t)b;
            p->deployment = (uint32_t)k;
        }
    return r;
}

static results_load *window_load(results *r, size_t bin, size_t deployment)
{
    return &r->load_points[bin * r->n_deployments + deployment].load;
}

static void free_scenario(scenario *sc)
{
    free(sc->capacity);
    free(sc);
}

/* A capacity check over 30 deployments with long names describes each of them: more text
 * than any fixed buffer of the old code held. It must still be described, in full and
 * without writing past anything (ASan reported a stack-buffer-overflow here). */
START_TEST(many_deployments_do_not_overflow)
{
    scenario *sc = new_scenario(60);
    add_capacity(sc, SCENARIO_MAX_UTILIZATION, 0.9);
    results *r = new_results(30, 2, 30, 120);
    for (size_t k = 0; k < 30; k++) {
        window_load(r, 0, k)->utilization = 0.5;
        window_load(r, 1, k)->utilization = k == 29 ? 0.95 : 0.5;
    }
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_uint_eq(r->n_checks, 1);
    ck_assert(!r->checks[0].passed);
    /* every deployment is named in the detail, the last one too */
    for (size_t k = 0; k < 30; k++) {
        char id[32];
        snprintf(id, sizeof id, "dep-%zu", k);
        ck_assert_msg(strstr(r->checks[0].detail, id), "%s missing", id);
    }
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* A scenario loaded from text through a private temporary file; NULL with err filled when
 * the loader refuses it. */
static scenario *try_load(const char *text, char *err, size_t errlen)
{
    char path[] = "/tmp/routersim-checks-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs(text, f);
    fclose(f);
    scenario *sc = scenario_load(path, err, errlen);
    unlink(path);
    return sc;
}

static scenario *load_text(const char *text)
{
    char err[1024];
    scenario *sc = try_load(text, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    return sc;
}

static void assert_refused(const char *checks, const char *message)
{
    char text[1024], err[1024];
    snprintf(text, sizeof text,
             "name: bad\naccount: acme\nduration: 10m\n"
             "deployments:\n  - {id: d, replicas: 1}\n"
             "routers:\n  - {id: r, deployments: [d]}\n"
             "traffic:\n  - {router: r, rate: 1/s}\nchecks:\n%s",
             checks);
    scenario *sc = try_load(text, err, sizeof err);
    ck_assert_msg(sc == NULL, "accepted: %s", checks);
    ck_assert_msg(strstr(err, message), "%s: got \"%s\"", checks, err);
}

/* max_unserved_requests bounds results.unserved: 7 unserved against at most 6 fails by one. */
START_TEST(unserved_requests_are_bounded)
{
    scenario *sc = new_scenario(60);
    sc->max_unserved = 6;
    results *r = new_results(1, 2, 30, 0);
    r->unserved = 7;
    r->unserved_by_reason[RESULTS_REJECTED] = 4;
    r->unserved_by_reason[RESULTS_TIMED_OUT] = 2;
    r->unserved_by_reason[RESULTS_UNFINISHED] = 1;
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_uint_eq(r->n_checks, 1);
    const results_check *c = &r->checks[0];
    ck_assert_str_eq(c->key, "max_unserved_requests");
    ck_assert_int_eq(c->kind, RESULTS_CHECK_UNSERVED);
    ck_assert_int_eq(c->status, RESULTS_CHECK_FAIL);
    ck_assert(!c->passed && !r->passed);
    ck_assert_double_eq(c->value, 7);
    ck_assert_double_eq(c->limit, 6);
    ck_assert_double_eq(c->margin, -1);
    ck_assert_str_eq(c->unit, "requests");
    ck_assert_double_eq(c->start_s, 0);
    ck_assert_double_eq(c->end_s, 60);
    ck_assert_ptr_nonnull(strstr(c->detail, "rejected 4, timed_out 2, unfinished 1"));
    results_free(r);

    /* at the limit it passes, with no margin left */
    r = new_results(1, 2, 30, 0);
    r->unserved = 6;
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert(r->checks[0].passed && r->passed);
    ck_assert_double_eq(r->checks[0].margin, 0);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* The defaults follow n >= 5 / (1 - q): 5 requests expected beyond the quantile. */
START_TEST(default_min_requests)
{
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_P50), 10);
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_P90), 50);
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_P95), 100);
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_P99), 500);
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_P999), 5000);
    ck_assert_uint_eq(scenario_default_min_requests(SCENARIO_MEAN), 30);
}
END_TEST

static void set_latency(results_load *l, uint64_t count, double p99)
{
    l->latency.count = count;
    l->latency.p99_s = p99;
}

/* Four windows of 30 s against a p99 latency of 2 s with min_requests 500: the two with 100
 * and 50 requests are too few to judge, whatever their p99; of the two judged, the one at
 * [60s, 90s) with 2.5 s breaks the limit by 0.5 s and decides the check. */
START_TEST(windows_with_too_few_requests_are_not_judged)
{
    scenario *sc = new_scenario(120);
    scenario_capacity *cap = add_capacity(sc, SCENARIO_MAX_LATENCY, 2.0);
    cap->statistic = SCENARIO_P99;
    cap->min_requests = 500;
    results *r = new_results(1, 4, 30, 0);
    set_latency(window_load(r, 0, 0), 600, 1.0);
    set_latency(window_load(r, 1, 0), 100, 9.0);
    set_latency(window_load(r, 2, 0), 700, 2.5);
    set_latency(window_load(r, 3, 0), 50, 9.0);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    const results_check *c = &r->checks[0];
    ck_assert_str_eq(c->key, "max_p99_latency");
    ck_assert_int_eq(c->status, RESULTS_CHECK_FAIL);
    ck_assert_uint_eq(c->judged, 2);
    ck_assert_uint_eq(c->too_few, 2);
    ck_assert_double_eq(c->value, 2.5);
    ck_assert_double_eq_tol(c->margin, -0.5, 1e-12);
    ck_assert_double_eq(c->start_s, 60);
    ck_assert_double_eq(c->end_s, 90);
    ck_assert_str_eq(c->unit, "s");
    ck_assert_str_eq(c->deployment, "accounts/acme/deployments/dep-0");
    ck_assert_uint_eq(c->n_breaches, 1); /* the 9 s windows were not judged */
    ck_assert_ptr_nonnull(strstr(c->detail, "2 windows with too few requests (fewer than 500)"));
    results_free(r);

    /* without the breach it passes on the worst judged window, 1 s in [0s, 30s) */
    r = new_results(1, 4, 30, 0);
    set_latency(window_load(r, 0, 0), 600, 1.0);
    set_latency(window_load(r, 1, 0), 100, 9.0);
    set_latency(window_load(r, 2, 0), 700, 0.5);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_int_eq(r->checks[0].status, RESULTS_CHECK_PASS);
    ck_assert(r->passed);
    ck_assert_double_eq(r->checks[0].value, 1.0);
    ck_assert_double_eq(r->checks[0].margin, 1.0);
    ck_assert_double_eq(r->checks[0].start_s, 0);
    results_free(r);

    /* no window has enough: "too few requests", neither pass nor fail, and the run passes */
    r = new_results(1, 4, 30, 0);
    for (size_t b = 0; b < 4; b++)
        set_latency(window_load(r, b, 0), 499, 9.0);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_int_eq(r->checks[0].status, RESULTS_CHECK_TOO_FEW);
    ck_assert(r->checks[0].passed && r->passed);
    ck_assert(isnan(r->checks[0].value) && isnan(r->checks[0].margin));
    ck_assert_uint_eq(r->checks[0].judged, 0);
    ck_assert_uint_eq(r->checks[0].too_few, 4);
    verdicts v = verdicts_count(r);
    ck_assert_uint_eq(v.capacity_too_few, 1);
    ck_assert_uint_eq(v.capacity_failed, 0);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* Each statistic and figure reads its own field: mean wait, p95 caller latency, p99.9. */
START_TEST(statistics_read_their_own_figure)
{
    static const struct {
        scenario_capacity_kind kind;
        scenario_statistic statistic;
        const char *key;
        double expected;
    } cases[] = {
        {SCENARIO_MAX_WAIT, SCENARIO_MEAN, "max_mean_wait", 0.11},
        {SCENARIO_MAX_WAIT, SCENARIO_P99, "max_p99_wait", 0.12},
        {SCENARIO_MAX_CALLER_LATENCY, SCENARIO_P95, "max_p95_caller_latency", 0.23},
        {SCENARIO_MAX_LATENCY, SCENARIO_P50, "max_p50_latency", 0.31},
        {SCENARIO_MAX_LATENCY, SCENARIO_P90, "max_p90_latency", 0.32},
        {SCENARIO_MAX_LATENCY, SCENARIO_P999, "max_p999_latency", 0.36},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        scenario *sc = new_scenario(30);
        scenario_capacity *cap = add_capacity(sc, cases[k].kind, 10);
        cap->statistic = cases[k].statistic;
        results *r = new_results(1, 1, 30, 0);
        results_load *l = window_load(r, 0, 0);
        l->wait = (results_quantiles){100, 0.11, 0.1, 0.1, 0.1, 0.12, 0.13};
        l->caller = (results_quantiles){100, 0.21, 0.2, 0.2, 0.23, 0.24, 0.25};
        l->latency = (results_quantiles){100, 0.30, 0.31, 0.32, 0.33, 0.34, 0.36};
        ck_assert_int_eq(checks_evaluate(sc, r), 0);
        ck_assert_str_eq(r->checks[0].key, cases[k].key);
        ck_assert_msg(r->checks[0].value == cases[k].expected, "%s: %g", cases[k].key,
                      r->checks[0].value);
        results_free(r);
        free_scenario(sc);
    }
}
END_TEST

/* Over the whole interval, the figure is the interval load's (its quantiles over all the
 * interval's requests), per deployment: dep-0's p99 of 3 s over 1,000 requests breaks 2 s;
 * dep-1's 100 requests are too few for a p99 (fewer than 500). Per-window figures, which
 * stay under the limit, are not what is judged. */
START_TEST(whole_interval_quantiles)
{
    scenario *sc = new_scenario(120);
    scenario_capacity *cap = add_capacity(sc, SCENARIO_MAX_LATENCY, 2.0);
    cap->statistic = SCENARIO_P99;
    cap->over = SCENARIO_OVER_INTERVAL;
    cap->min_requests = 500;
    cap->start_s = 45; /* the interval load covers the windows [30s, 120s) */
    results *r = new_results(2, 4, 30, 0);
    for (size_t b = 0; b < 4; b++)
        set_latency(window_load(r, b, 0), 300, 1.5);
    results_interval_load *il = results_add_interval_load(r);
    il->check = 0;
    il->deployment = 0;
    set_latency(&il->load, 1000, 3.0);
    il = results_add_interval_load(r);
    il->check = 0;
    il->deployment = 1;
    set_latency(&il->load, 100, 1.0);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    const results_check *c = &r->checks[0];
    ck_assert(c->over_interval);
    ck_assert_int_eq(c->status, RESULTS_CHECK_FAIL);
    ck_assert_double_eq(c->value, 3.0);
    ck_assert_double_eq_tol(c->margin, -1.0, 1e-12);
    ck_assert_double_eq(c->start_s, 30);
    ck_assert_double_eq(c->end_s, 120);
    ck_assert_str_eq(c->deployment, "accounts/acme/deployments/dep-0");
    ck_assert_uint_eq(c->judged, 1);
    ck_assert_uint_eq(c->too_few, 1);
    ck_assert_ptr_nonnull(strstr(c->name, "over the whole interval"));
    ck_assert_ptr_nonnull(
        strstr(c->detail, "dep-1: too few requests to judge (100, fewer than 500)"));
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* TTFT and TPOT checks read their own distributions, not the latency: the figures below
 * differ in every field, so reading the wrong one gives another value. */
START_TEST(token_statistics_read_their_own_figure)
{
    static const struct {
        scenario_capacity_kind kind;
        scenario_statistic statistic;
        const char *key;
        double expected;
    } cases[] = {
        {SCENARIO_MAX_TTFT, SCENARIO_P99, "max_p99_ttft", 0.44},
        {SCENARIO_MAX_TTFT, SCENARIO_MEAN, "max_mean_ttft", 0.41},
        {SCENARIO_MAX_TPOT, SCENARIO_P90, "max_p90_tpot", 0.052},
        {SCENARIO_MAX_TPOT, SCENARIO_P999, "max_p999_tpot", 0.056},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        scenario *sc = new_scenario(30);
        scenario_capacity *cap = add_capacity(sc, cases[k].kind, 10);
        cap->statistic = cases[k].statistic;
        results *r = new_results(1, 1, 30, 0);
        results_load *l = window_load(r, 0, 0);
        l->latency = (results_quantiles){100, 0.30, 0.31, 0.32, 0.33, 0.34, 0.36};
        l->ttft = (results_quantiles){100, 0.41, 0.42, 0.43, 0.435, 0.44, 0.45};
        l->tpot = (results_quantiles){100, 0.051, 0.0515, 0.052, 0.053, 0.054, 0.056};
        ck_assert_int_eq(checks_evaluate(sc, r), 0);
        ck_assert_str_eq(r->checks[0].key, cases[k].key);
        ck_assert_str_eq(r->checks[0].unit, "s");
        ck_assert_msg(r->checks[0].value == cases[k].expected, "%s: %g", cases[k].key,
                      r->checks[0].value);
        results_free(r);
        free_scenario(sc);
    }
}
END_TEST

/* A TPOT check with no TPOT measured (a queue deployment: count 0) judges nothing: "too
 * few requests", which does not fail the run. */
START_TEST(tpot_of_a_queue_deployment_is_too_few)
{
    scenario *sc = new_scenario(60);
    scenario_capacity *cap = add_capacity(sc, SCENARIO_MAX_TPOT, 0.05);
    cap->statistic = SCENARIO_P99;
    cap->min_requests = 1;
    results *r = new_results(1, 2, 30, 0);
    for (size_t b = 0; b < 2; b++)
        set_latency(window_load(r, b, 0), 1000, 9.0); /* slow, but latency is not TPOT */
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_int_eq(r->checks[0].status, RESULTS_CHECK_TOO_FEW);
    ck_assert(r->passed);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* A floor breaks when a window falls below it: the first such window decides, the value is
 * its figure and the margin value - limit is negative. Window figures (requests/s): 12, 9,
 * 7, 11 against 10/s: windows 1 and 2 are under; the first (9/s in [30s, 60s)) decides,
 * margin 9 - 10 = -1. Against 5/s all hold, and the pass names the lowest window (7/s in
 * [60s, 90s)), margin 7 - 5 = 2. */
START_TEST(floors_break_below_the_limit)
{
    static const double rates[] = {12, 9, 7, 11};
    static const struct {
        double limit;
        results_check_status status;
        double value, margin, start_s;
        size_t breaches;
    } cases[] = {{10, RESULTS_CHECK_FAIL, 9, -1, 30, 2}, {5, RESULTS_CHECK_PASS, 7, 2, 60, 0}};
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        scenario *sc = new_scenario(120);
        add_capacity(sc, SCENARIO_MIN_THROUGHPUT, cases[k].limit);
        add_capacity(sc, SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND, 100 * cases[k].limit);
        results *r = new_results(1, 4, 30, 0);
        for (size_t b = 0; b < 4; b++) {
            window_load(r, b, 0)->throughput_per_s = rates[b];
            window_load(r, b, 0)->output_tokens_per_s = 100 * rates[b];
        }
        ck_assert_int_eq(checks_evaluate(sc, r), 0);
        for (size_t i = 0; i < 2; i++) {
            const results_check *c = &r->checks[i];
            double scale = i ? 100 : 1;
            ck_assert_str_eq(c->key, i ? "min_output_tokens_per_second" : "min_throughput");
            ck_assert_str_eq(c->unit, i ? "tokens/s" : "requests/s");
            ck_assert_int_eq(c->status, cases[k].status);
            ck_assert_double_eq(c->value, scale * cases[k].value);
            ck_assert_double_eq_tol(c->margin, scale * cases[k].margin, 1e-9);
            ck_assert_double_eq(c->start_s, cases[k].start_s);
            ck_assert_uint_eq(c->n_breaches, cases[k].breaches);
            ck_assert_ptr_nonnull(strstr(c->name, "min "));
        }
        ck_assert_int_eq(r->passed, cases[k].status == RESULTS_CHECK_PASS);
        results_free(r);
        free_scenario(sc);
    }
}
END_TEST

/* A floor over the whole interval judges the interval load's figure once. */
START_TEST(floor_over_the_interval)
{
    scenario *sc = new_scenario(120);
    scenario_capacity *cap = add_capacity(sc, SCENARIO_MIN_THROUGHPUT, 10);
    cap->over = SCENARIO_OVER_INTERVAL;
    results *r = new_results(1, 4, 30, 0);
    window_load(r, 1, 0)->throughput_per_s = 2; /* a poor window, not what is judged */
    results_interval_load *il = results_add_interval_load(r);
    il->check = 0;
    il->deployment = 0;
    il->load.throughput_per_s = 10.5;
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_int_eq(r->checks[0].status, RESULTS_CHECK_PASS);
    ck_assert_double_eq(r->checks[0].value, 10.5);
    ck_assert_double_eq_tol(r->checks[0].margin, 0.5, 1e-12);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* The warm-up moves a capacity check's start: a breach before it is not judged. Loaded from
 * text, as users write it. */
START_TEST(warmup_is_not_judged)
{
    scenario *sc = load_text("name: warm\naccount: acme\nduration: 2m\nwindow: 30s\n"
                             "deployments:\n  - id: d\n    replicas: 1\n"
                             "    serving: {concurrency: 1, service_time: {distribution: "
                             "exponential, mean: 10ms}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 1/s}\n"
                             "checks:\n  warmup: 1m\n  capacity:\n    - max_utilization: 0.5\n"
                             "    - max_utilization: 0.5\n      during: [30s, 90s]\n");
    ck_assert_double_eq(sc->warmup_s, 60);
    ck_assert_double_eq(sc->capacity[0].start_s, 60);
    ck_assert_double_eq(sc->capacity[0].end_s, 120);
    ck_assert_double_eq(sc->capacity[1].start_s, 60); /* the later of during and warm-up */
    ck_assert_double_eq(sc->capacity[1].end_s, 90);
    results *r = new_results(1, 4, 30, 0);
    free(r->deployments[0]);
    r->deployments[0] = results_strdup("accounts/acme/deployments/d");
    window_load(r, 0, 0)->utilization = 1.0; /* start-up transient, before the warm-up */
    window_load(r, 1, 0)->utilization = 1.0;
    window_load(r, 2, 0)->utilization = 0.25;
    window_load(r, 3, 0)->utilization = 0.4;
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert(r->passed);
    ck_assert_uint_eq(r->checks[0].judged, 2);
    ck_assert_double_eq(r->checks[0].value, 0.4);
    ck_assert_double_eq(r->checks[0].start_s, 90);
    ck_assert_double_eq(r->checks[0].from_s, 60);
    ck_assert_uint_eq(r->checks[1].judged, 1);
    ck_assert_double_eq(r->checks[1].value, 0.25);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* Capacity keys as users write them, and the ones the format refuses. */
START_TEST(capacity_keys)
{
    scenario *sc = load_text("name: keys\naccount: acme\nduration: 10m\n"
                             "deployments:\n  - id: d\n    replicas: 1\n"
                             "    serving: {concurrency: 1, service_time: {distribution: "
                             "exponential, mean: 10ms}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 1/s}\n"
                             "checks:\n  min_requests: 200\n  max_unserved_requests: 3\n"
                             "  capacity:\n    - max_p999_caller_latency: 1500ms\n"
                             "      over: interval\n    - max_mean_wait: 20ms\n"
                             "      min_requests: 40\n    - max_p99_latency: 2s\n"
                             "    - max_rejected: 0\n");
    ck_assert_int_eq(sc->max_unserved, 3);
    ck_assert_int_eq(sc->capacity[0].kind, SCENARIO_MAX_CALLER_LATENCY);
    ck_assert_int_eq(sc->capacity[0].statistic, SCENARIO_P999);
    ck_assert_int_eq(sc->capacity[0].over, SCENARIO_OVER_INTERVAL);
    ck_assert_double_eq(sc->capacity[0].limit, 1.5);
    ck_assert_uint_eq(sc->capacity[0].min_requests, 200); /* the checks' own min_requests */
    ck_assert_int_eq(sc->capacity[1].kind, SCENARIO_MAX_WAIT);
    ck_assert_int_eq(sc->capacity[1].statistic, SCENARIO_MEAN);
    ck_assert_uint_eq(sc->capacity[1].min_requests, 40);
    ck_assert_int_eq(sc->capacity[2].over, SCENARIO_OVER_WINDOW); /* the documented meaning */
    ck_assert_uint_eq(sc->capacity[3].min_requests, 0);
    scenario_free(sc);
    sc = load_text("name: keys\naccount: acme\nduration: 10m\n"
                   "deployments:\n  - {id: d, replicas: 1}\n"
                   "routers:\n  - {id: r, deployments: [d]}\n"
                   "traffic:\n  - {router: r, rate: 1/s}\n"
                   "checks:\n  capacity:\n    - max_p99_latency: 2s\n");
    ck_assert_uint_eq(sc->capacity[0].min_requests, 500); /* the default for p99 */
    scenario_free(sc);
    /* Token checks: TTFT and TPOT take a statistic and min_requests, the floors neither. */
    sc = load_text("name: keys\naccount: acme\nduration: 10m\n"
                   "deployments:\n  - {id: d, replicas: 1}\n"
                   "routers:\n  - {id: r, deployments: [d]}\n"
                   "traffic:\n  - {router: r, rate: 1/s}\n"
                   "checks:\n  capacity:\n    - max_p90_ttft: 800ms\n"
                   "    - {max_p99_tpot: 60ms, min_requests: 20, over: interval}\n"
                   "    - min_output_tokens_per_second: 2500\n"
                   "    - {min_throughput: 1200/m, deployment: d}\n");
    ck_assert_int_eq(sc->capacity[0].kind, SCENARIO_MAX_TTFT);
    ck_assert_int_eq(sc->capacity[0].statistic, SCENARIO_P90);
    ck_assert_double_eq(sc->capacity[0].limit, 0.8);
    ck_assert_uint_eq(sc->capacity[0].min_requests, 50); /* the default for p90 */
    ck_assert_int_eq(sc->capacity[1].kind, SCENARIO_MAX_TPOT);
    ck_assert_uint_eq(sc->capacity[1].min_requests, 20);
    ck_assert_int_eq(sc->capacity[1].over, SCENARIO_OVER_INTERVAL);
    ck_assert_int_eq(sc->capacity[2].kind, SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND);
    ck_assert_double_eq(sc->capacity[2].limit, 2500);
    ck_assert_uint_eq(sc->capacity[2].min_requests, 0);
    ck_assert_int_eq(sc->capacity[3].kind, SCENARIO_MIN_THROUGHPUT);
    ck_assert_double_eq(sc->capacity[3].limit, 20); /* 1200/m is 20 per second */
    ck_assert_double_eq(sc->warmup_s, 0);
    ck_assert_int_eq(sc->max_unserved, -1);
    scenario_free(sc);
}
END_TEST

START_TEST(capacity_keys_refused)
{
    assert_refused("  capacity:\n    - max_p98_latency: 2s\n",
                   ":12:7: unknown key \"max_p98_latency\"");
    assert_refused("  capacity:\n    - {max_rejected: 0, over: window}\n",
                   "expected no \"over\" with a count");
    assert_refused("  capacity:\n    - {max_p99_wait: 1s, over: always}\n",
                   "expected over: window or over: interval");
    assert_refused("  capacity:\n    - {max_utilization: 0.9, min_requests: 10}\n",
                   "expected min_requests only with a latency, wait, caller latency, TTFT or "
                   "TPOT statistic");
    assert_refused("  warmup: 10m\n", "expected a warm-up shorter than the duration");
    assert_refused("  warmup: 5m\n  capacity:\n    - {max_utilization: 0.9, during: [0s, 4m]}\n",
                   "expected a check that ends after the warm-up");
    assert_refused("  max_unserved_requests: -1\n", ":11:26:");
}
END_TEST

/* Holm's correction writes its verdict beside the engine's test and never over it. With
 * alpha = 0.001 and p-values 0.0002, 0.0008 and 0.5, the step-down thresholds are
 * 0.001/3, 0.001/2 and 0.001: the first is rejected (0.0002 <= 0.000333), the second is
 * not (0.0008 > 0.0005), so the second phase's failure is cleared; the third passes. */
START_TEST(holm_writes_beside_the_test)
{
    const double p[] = {0.0002, 0.0008, 0.5};
    scenario *sc = new_scenario(30);
    sc->holm = 1;
    results *r = new_results(0, 1, 30, 0);
    for (size_t i = 0; i < 3; i++) {
        results_phase *ph = results_add_phase(r);
        ph->test.df = 1;
        ph->test.p_value = p[i];
        ph->test.verdict = p[i] < 0.001 ? SPLITTEST_FAIL : SPLITTEST_PASS;
    }
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_uint_eq(r->holm_tests, 3);
    /* the engine's tests are as they were */
    ck_assert_int_eq(r->phases[0].test.verdict, SPLITTEST_FAIL);
    ck_assert_int_eq(r->phases[1].test.verdict, SPLITTEST_FAIL);
    ck_assert_int_eq(r->phases[2].test.verdict, SPLITTEST_PASS);
    ck_assert_int_eq(results_phase_verdict(&r->phases[0]), SPLITTEST_FAIL);
    ck_assert_int_eq(results_phase_verdict(&r->phases[1]), SPLITTEST_PASS);
    ck_assert_int_eq(results_phase_verdict(&r->phases[2]), SPLITTEST_PASS);
    ck_assert(!r->passed);
    char message[256];
    verdicts_phase_message(message, sizeof message, r, &r->phases[1]);
    ck_assert_str_eq(message, "p = 0.0008 is below alpha but not below its Holm threshold "
                              "over 3 phase tests");
    /* without the first phase's failure the run passes */
    r->phases[0].test.p_value = 0.3;
    r->phases[0].test.verdict = SPLITTEST_PASS;
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert(r->passed);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* A phase's capacity verdict is apart from its split test: a breach on one of its
 * deployments during it fails the phase's capacity, not its split. */
START_TEST(phase_capacity_apart_from_split)
{
    scenario *sc = new_scenario(120);
    add_capacity(sc, SCENARIO_MAX_UTILIZATION, 0.9);
    results *r = new_results(1, 4, 30, 0);
    window_load(r, 2, 0)->utilization = 1.0; /* [60s, 90s) */
    for (size_t i = 0; i < 2; i++) {
        results_phase *ph = results_add_phase(r);
        ph->start_s = i ? 60 : 0;
        ph->end_s = i ? 120 : 60;
        ph->n_deployments = 1;
        ph->deployments = calloc(1, sizeof *ph->deployments);
        ph->deployments[0].name = results_strdup(r->deployments[0]);
        ph->deployments[0].load = calloc(1, sizeof *ph->deployments[0].load);
        ck_assert_ptr_nonnull(ph->deployments[0].load);
    }
    /* a whole-interval check judges the run, not a phase: failing, it marks none */
    scenario_capacity *whole = add_capacity(sc, SCENARIO_MAX_LATENCY, 1.0);
    whole->statistic = SCENARIO_P99;
    whole->over = SCENARIO_OVER_INTERVAL;
    results_interval_load *il = results_add_interval_load(r);
    il->check = 1;
    set_latency(&il->load, 1000, 2.0);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_int_eq(r->checks[1].status, RESULTS_CHECK_FAIL);
    const results_check *failed;
    ck_assert_int_eq(verdicts_phase_capacity(r, &r->phases[0], &failed), VERDICTS_CAPACITY_PASS);
    ck_assert_ptr_null(failed);
    ck_assert_int_eq(verdicts_phase_capacity(r, &r->phases[1], &failed), VERDICTS_CAPACITY_FAIL);
    ck_assert_ptr_eq(failed, &r->checks[0]);
    ck_assert_int_eq(results_phase_verdict(&r->phases[1]), SPLITTEST_PASS);
    results_free(r);
    free_scenario(sc);
}
END_TEST

/* A cold start: 1 of 4 replicas ready beside 1 of 1. The router weighs 50/50; 20/80 was
 * asked for, and the views say both. */
START_TEST(asked_split_beside_ready_split)
{
    results_phase ph = {.n_deployments = 2};
    results_share shares[2] = {
        {.replicas = 1, .expected_share = 0.5, .wanted_replicas = 1, .intended_share = 0.2},
        {.replicas = 1, .expected_share = 0.5, .wanted_replicas = 4, .intended_share = 0.8}};
    ph.deployments = shares;
    char buf[64];
    verdicts_share(buf, sizeof buf, &ph, 0);
    ck_assert_str_eq(buf, "50.00% (20.00% asked)");
    verdicts_replicas(buf, sizeof buf, &shares[0]);
    ck_assert_str_eq(buf, "1");
    verdicts_replicas(buf, sizeof buf, &shares[1]);
    ck_assert_str_eq(buf, "1 (4 asked)");
    shares[1].wanted_replicas = 1; /* ready: only the split that is */
    shares[0].intended_share = shares[1].intended_share = 0.5;
    verdicts_share(buf, sizeof buf, &ph, 1);
    ck_assert_str_eq(buf, "50.00%");
}
END_TEST

/* An expect check's value is its largest deviation, decided by the deployment farthest off. */
START_TEST(expect_value_is_the_largest_deviation)
{
    scenario *sc = new_scenario(60);
    scenario_share shares[2] = {{"a", 0.8}, {"b", 0.2}};
    scenario_expect ex = {.router = "r",
                          .start_s = 0,
                          .end_s = 60,
                          .tolerance = 0.01,
                          .n_shares = 2,
                          .shares = shares};
    sc->expect = &ex;
    sc->n_expect = 1;
    results *r = new_results(0, 1, 60, 0);
    results_window *w = results_add_window(r);
    uint64_t observed[2] = {780, 200};
    w->routed = 1000;
    w->n = 2;
    w->observed = malloc(sizeof observed);
    memcpy(w->observed, observed, sizeof observed);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    const results_check *c = &r->checks[0];
    ck_assert_int_eq(c->status, RESULTS_CHECK_FAIL);
    ck_assert_double_eq_tol(c->value, 0.02, 1e-12); /* a: 0.78 against 0.8 */
    ck_assert_double_eq_tol(c->margin, -0.01, 1e-12);
    ck_assert_str_eq(c->deployment, "a");
    ck_assert_str_eq(c->unit, "share");
    results_free(r);
    sc->expect = NULL;
    free_scenario(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("checks");
    TCase *tc = tcase_create("overflow");
    tcase_add_test(tc, many_deployments_do_not_overflow);
    suite_add_tcase(s, tc);
    tc = tcase_create("unserved");
    tcase_add_test(tc, unserved_requests_are_bounded);
    suite_add_tcase(s, tc);
    tc = tcase_create("min_requests");
    tcase_add_test(tc, default_min_requests);
    tcase_add_test(tc, windows_with_too_few_requests_are_not_judged);
    suite_add_tcase(s, tc);
    tc = tcase_create("statistics");
    tcase_add_test(tc, statistics_read_their_own_figure);
    tcase_add_test(tc, whole_interval_quantiles);
    suite_add_tcase(s, tc);
    tc = tcase_create("tokens");
    tcase_add_test(tc, token_statistics_read_their_own_figure);
    tcase_add_test(tc, tpot_of_a_queue_deployment_is_too_few);
    tcase_add_test(tc, floors_break_below_the_limit);
    tcase_add_test(tc, floor_over_the_interval);
    suite_add_tcase(s, tc);
    tc = tcase_create("warmup");
    tcase_add_test(tc, warmup_is_not_judged);
    suite_add_tcase(s, tc);
    tc = tcase_create("keys");
    tcase_add_test(tc, capacity_keys);
    tcase_add_test(tc, capacity_keys_refused);
    suite_add_tcase(s, tc);
    tc = tcase_create("holm");
    tcase_add_test(tc, holm_writes_beside_the_test);
    suite_add_tcase(s, tc);
    tc = tcase_create("phases");
    tcase_add_test(tc, phase_capacity_apart_from_split);
    tcase_add_test(tc, asked_split_beside_ready_split);
    suite_add_tcase(s, tc);
    tc = tcase_create("expect");
    tcase_add_test(tc, expect_value_is_the_largest_deviation);
    suite_add_tcase(s, tc);
    return s;
}
