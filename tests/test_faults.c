/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/srmpower.h"
#include "sim/load/scenario_load.h"
#include "sim/run/engine.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * Faults injected into a simulated router, and the router's choice of weights, through the
 * scenario format and the engine: a skew must be caught by the phase test as often as
 * srmpower predicts (Monte Carlo over seeded runs, item 1's figures), a dropout and sticky
 * clients must fail a phase, and `weights: desired` must weigh replicas still starting.
 */

/* 90/10 by replicas, b skewed to 11 %: the phase has about n requests at 1/s. */
static scenario *skewed_ninety_ten(double seconds)
{
    char text[1024];
    snprintf(text, sizeof text,
             "name: skew\naccount: acct\nseed: 1\nduration: %.0fs\n"
             "deployments:\n  - {id: a, model: accounts/acct/models/m, replicas: 9}\n"
             "  - {id: b, model: accounts/acct/models/m, replicas: 1}\n"
             "routers:\n  - {id: r, deployments: [a, b]}\n"
             "traffic:\n  - {router: r, rate: 1/s}\n"
             "faults:\n  - router: r\n    skew: {deployment: b, shift: 0.01}\n",
             seconds);
    return load_text(text);
}

/* Over R seeded runs, the fraction whose phase test fails against the mean of the power
 * srmpower computes for each run's request count: within 4 standard errors plus 0.02 for
 * the chi-square approximation. The pooled share of b must be 11 % within 4 standard
 * errors: the skew reaches the engine exactly. */
START_TEST(skew_power_matches_srmpower)
{
    enum { R = 300 };
    scenario *sc = skewed_ninety_ten(15366.0);
    double predicted = 0.0;
    int failed = 0;
    uint64_t total = 0, on_b = 0;
    srmpower_deviation d = SRMPOWER_DEFAULT_DEVIATION;
    const double p0[] = {0.9, 0.1};
    for (int run = 0; run < R; run++) {
        results *r = run_seed(sc, 1000 + (uint64_t)run);
        ck_assert_uint_eq(r->n_phases, 1);
        const results_phase *ph = &r->phases[0];
        srmpower_plan plan;
        char err[256];
        ck_assert_int_eq(
            srmpower_plan_phase(2, p0, &d, 0.001, 0.8, ph->requests, &plan, err, sizeof err), 0);
        predicted += plan.power / R;
        failed += ph->test.verdict == SPLITTEST_FAIL;
        total += ph->requests;
        on_b += ph->deployments[1].observed;
        results_free(r);
    }
    double got = (double)failed / R, se = sqrt(predicted * (1.0 - predicted) / R);
    ck_assert_msg(fabs(got - predicted) <= 4.0 * se + 0.02, "caught in %g of runs, predicted %g",
                  got, predicted);
    double share = (double)on_b / (double)total;
    ck_assert_msg(fabs(share - 0.11) <= 4.0 * sqrt(0.11 * 0.89 / (double)total),
                  "pooled share of b %g, expected 0.11", share);
    scenario_free(sc);
}
END_TEST

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

START_TEST(dropout_and_sticky_clients_fail_the_phase)
{
    scenario *sc =
        load_text("name: drop\naccount: acct\nseed: 1\nduration: 30m\n"
                  "deployments:\n  - {id: a, model: accounts/acct/models/m, replicas: 1}\n"
                  "  - {id: b, model: accounts/acct/models/m, replicas: 1}\n"
                  "routers:\n  - {id: r, deployments: [a, b]}\n  - {id: s, deployments: [a, b]}\n"
                  "traffic:\n  - {router: r, rate: 10/s}\n  - {router: s, rate: 10/s}\n"
                  "faults:\n  - router: r\n    dropout: {deployment: b, during: [10m, 20m]}\n"
                  "  - router: s\n    sticky: {clients: 3}\n");
    results *r = run_seed(sc, 3);
    ck_assert_uint_eq(r->n_phases, 2);
    for (size_t i = 0; i < 2; i++)
        ck_assert_msg(r->phases[i].test.verdict == SPLITTEST_FAIL, "phase of %s: %s",
                      r->phases[i].router, r->phases[i].test.reason);
    /* b gets a third of r's requests: half of the 20 minutes it serves */
    const results_phase *ph = ends_with(r->phases[0].router, "/r") ? &r->phases[0] : &r->phases[1];
    double share_b = (double)ph->deployments[1].observed / (double)ph->requests;
    ck_assert_msg(fabs(share_b - 1.0 / 3.0) < 0.02, "share of b %g", share_b);
    /* no bin inside the dropout has a request of r on b */
    splitstore_iter it;
    results_point point, *p = &point;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, p);) {
        double start = (double)p->bin * r->window_s;
        if (ends_with(r->routers[p->router], "/r") &&
            ends_with(r->deployments[p->deployment], "/b") && start >= 600.0 &&
            start + r->window_s <= 1200.0)
            ck_assert_uint_eq(p->routed, 0);
    }
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* b scaled from 1 to 3 at 60s with 2-minute cold starts: weighing ready replicas the split
 * stays 1:1 until 180s; weighing desired ones it is 1:3 from 60s. */
START_TEST(weights_ready_or_desired)
{
    const char *modes[] = {"ready", "desired"};
    for (int m = 0; m < 2; m++) {
        char text[2048];
        snprintf(
            text, sizeof text,
            "name: w\naccount: acct\nseed: 1\nduration: 5m\n"
            "deployments:\n  - {id: a, model: accounts/acct/models/m, replicas: 1}\n"
            "  - id: b\n    model: accounts/acct/models/m\n    replicas: 1\n"
            "    serving: {concurrency: 100, service_time: {distribution: deterministic, mean: "
            "10ms}, cold_start: 2m}\n"
            "routers:\n  - {id: r, deployments: [a, b], weights: %s}\n"
            "traffic:\n  - {router: r, rate: 10/s}\n"
            "timeline:\n  - {at: 60s, scale: {deployment: b, replicas: 3}}\n",
            modes[m]);
        scenario *sc = load_text(text);
        results *r = run_seed(sc, 1);
        const results_phase *at_2m = NULL;
        for (size_t i = 0; i < r->n_phases; i++)
            if (r->phases[i].start_s <= 120.0 && 120.0 < r->phases[i].end_s)
                at_2m = &r->phases[i];
        ck_assert(at_2m != NULL);
        ck_assert(at_2m->start_s == (m == 0 ? 0.0 : 60.0));
        double want = m == 0 ? 0.5 : 0.75;
        ck_assert_msg(fabs(at_2m->deployments[1].expected_share - want) < 1e-12,
                      "%s: expected share of b at 2m %g", modes[m],
                      at_2m->deployments[1].expected_share);
        /* from 3m the new replicas are ready: 1:3 either way */
        const results_phase *last = &r->phases[r->n_phases - 1];
        ck_assert(last->start_s <= 180.0 &&
                  fabs(last->deployments[1].expected_share - 0.75) < 1e-12);
        results_free(r);
        scenario_free(sc);
    }
}
END_TEST

/* The run's sequential test per phase: a correct router's phases cross alpha 0.05 in at
 * most 5 % of seeded runs (Ville; plus 3.1 standard errors), each look's p-value is the
 * running minimum, the looks come at bin ends and the phase's end, and the skewed router
 * of the Monte Carlo above is caught given enough requests. */
START_TEST(sequential_test_in_runs)
{
    enum { R = 200 };
    scenario *sc =
        load_text("name: fair\naccount: acct\nseed: 1\nduration: 10m\nwindow: 30s\n"
                  "deployments:\n  - {id: a, model: accounts/acct/models/m, replicas: 9}\n"
                  "  - {id: b, model: accounts/acct/models/m, replicas: 1}\n"
                  "routers:\n  - {id: r, deployments: [a, b]}\n"
                  "traffic:\n  - {router: r, rate: 20/s}\n"
                  "checks:\n  alpha: 0.05\n");
    int crossed = 0;
    for (int run = 0; run < R; run++) {
        results *r = run_seed(sc, 500 + (uint64_t)run);
        const results_phase *ph = &r->phases[0];
        ck_assert_uint_eq(ph->looks.n, 20);
        looklog_iter it;
        results_look look, before = {0, 0, 1.0};
        for (looklog_begin(&it, &ph->looks); looklog_next(&it, &look); before = look) {
            ck_assert(look.at_s == 30.0 * (double)it.k);
            ck_assert(look.p_value <= before.p_value);
        }
        ck_assert_uint_eq(before.requests, ph->requests);
        ck_assert(ph->sequential_p == before.p_value);
        ck_assert(ph->sequential_crossed == (ph->sequential_p <= 0.05));
        crossed += ph->sequential_crossed;
        results_free(r);
    }
    ck_assert_msg(crossed <= R * 0.05 + 3.1 * sqrt(R * 0.05 * 0.95), "crossed in %d of %d runs",
                  crossed, R);
    scenario_free(sc);

    /* the mixture pays for not knowing the deviation: it needs more requests than the
     * fixed-horizon test, here 60k for a one-point skew */
    sc = skewed_ninety_ten(60000.0);
    results *r = run_seed(sc, 7);
    ck_assert(r->phases[0].sequential_crossed);
    ck_assert(r->phases[0].sequential_at_s < r->phases[0].end_s);
    results_free(r);
    scenario_free(sc);
}
END_TEST

static void expect_load_error(const char *tail, const char *want)
{
    char path[] = "/tmp/routersim-faults-XXXXXX", err[1024];
    int fd = mkstemp(path);
    FILE *f = fdopen(fd, "w");
    fprintf(f,
            "name: e\naccount: acct\nduration: 1m\n"
            "deployments:\n  - {id: a, model: accounts/acct/models/m, replicas: 1}\n"
            "  - {id: b, model: accounts/acct/models/m, replicas: 1}\n"
            "routers:\n  - {id: r, deployments: [a, b]}\n"
            "traffic:\n  - {router: r, rate: 1/s}\n%s",
            tail);
    fclose(f);
    scenario *sc = scenario_load(path, err, sizeof err);
    unlink(path);
    ck_assert_msg(sc == NULL, "accepted: %s", tail);
    ck_assert_msg(strstr(err, want) != NULL, "got \"%s\", want \"%s\"", err, want);
}

START_TEST(invalid_faults_and_weights)
{
    expect_load_error("faults:\n  - router: x\n    sticky: {clients: 3}\n",
                      ":12:5: router \"x\" never exists in this scenario");
    expect_load_error("faults:\n  - router: r\n    skew: {deployment: c, shift: 0.1}\n",
                      ":12:5: deployment \"c\" never exists in this scenario");
    expect_load_error("faults:\n  - router: r\n",
                      ":12:5: expected at least one fault: skew, dropout or sticky");
    expect_load_error("faults:\n  - router: r\n    skew: {deployment: a, shift: 0}\n",
                      ":13:34: expected a non-zero change of the share in [-1, 1]");
    expect_load_error("faults:\n  - {router: r, sticky: {clients: 1}}\n"
                      "  - {router: r, sticky: {clients: 2}}\n",
                      "router \"r\" already has faults (line 12)");
    expect_load_error("faults:\n  - router: r\n    sticky: {clients: 0}\n", ":13:23:");
    expect_load_error("faults:\n  - router: r\n    dropout: {deployment: a, during: [2m, 3m]}\n",
                      ":13:");
    char text[512];
    snprintf(text, sizeof text,
             "timeline:\n  - {at: 0s, update_router: {router: r, weights: wanted}}\n");
    expect_load_error(text, "expected weights ready or desired, got \"wanted\"");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("faults");
    TCase *tc = tcase_create("router_faults");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, skew_power_matches_srmpower);
    tcase_add_test(tc, dropout_and_sticky_clients_fail_the_phase);
    tcase_add_test(tc, weights_ready_or_desired);
    tcase_add_test(tc, invalid_faults_and_weights);
    tcase_add_test(tc, sequential_test_in_runs);
    suite_add_tcase(s, tc);
    return s;
}
