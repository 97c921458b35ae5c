/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"
#include "sim/run/engine.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <stdio.h>
#include <string.h>

/*
 * Holm's correction end to end, through checks_evaluate and what a user relies on: which
 * phases fail and whether the run passed. The verdicts for sets of p-values are worked out
 * by hand below from the step-down rule (the k-th smallest of m p-values against
 * alpha / (m - k + 1), stopping at the first that holds); a run whose phase counts are
 * biased must still fail under the correction.
 */

/* Whether phase i failed its split test after checks_evaluate: the one place these tests
 * read a phase's verdict. */
static int phase_failed(const results *r, size_t i)
{
    return results_phase_verdict(&r->phases[i]) == SPLITTEST_FAIL;
}

/* A phase test as the split test leaves it before any correction: fail when p < alpha. A
 * df of 0 is a phase with a single deployment (p = 1) or a request on a zero-share
 * deployment (p = 0); `skipped` is a phase with too few requests to judge. */
typedef struct {
    double p;
    int df;
    int skipped;
} phase_p;

static results *with_phases(const phase_p *ph, size_t n, double alpha)
{
    results *r = results_new();
    ck_assert_ptr_nonnull(r);
    r->alpha = alpha;
    for (size_t i = 0; i < n; i++) {
        results_phase *p = results_add_phase(r);
        ck_assert_ptr_nonnull(p);
        p->router = results_strdup("accounts/acme/routers/r");
        p->start_s = 10.0 * (double)i;
        p->end_s = 10.0 * (double)(i + 1);
        p->test.p_value = ph[i].p;
        p->test.df = ph[i].df;
        p->test.chi2 = ph[i].df > 0 ? 1.0 : 0.0;
        p->test.verdict = ph[i].skipped     ? SPLITTEST_SKIPPED
                          : ph[i].p < alpha ? SPLITTEST_FAIL
                                            : SPLITTEST_PASS;
        if (p->test.verdict != SPLITTEST_PASS)
            snprintf(p->test.reason, sizeof p->test.reason, "set by the test");
    }
    return r;
}

static scenario *holm_scenario(void)
{
    return load_text("name: holm\naccount: acme\nduration: 60s\n"
                     "deployments:\n  - {id: a, replicas: 1}\n"
                     "routers:\n  - {id: r, deployments: [a]}\n"
                     "traffic:\n  - {router: r, rate: 1/s}\n"
                     "checks: {alpha: 0.05, correction: holm}\n");
}

/* Evaluates the phases under Holm at alpha = 0.05 and compares every phase's verdict and
 * the run's with the ones worked out by hand. */
static void assert_holm(const phase_p *ph, size_t n, const int *fails)
{
    scenario *sc = holm_scenario();
    results *r = with_phases(ph, n, 0.05);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    int any = 0;
    for (size_t i = 0; i < n; i++) {
        ck_assert_msg(phase_failed(r, i) == fails[i], "phase %zu (p = %g): %s, expected %s", i,
                      ph[i].p, phase_failed(r, i) ? "fail" : "not fail",
                      fails[i] ? "fail" : "not fail");
        if (ph[i].skipped)
            ck_assert_int_eq(r->phases[i].test.verdict, SPLITTEST_SKIPPED);
        any = any || fails[i];
    }
    ck_assert_int_eq(r->passed, !any);
    results_free(r);
    scenario_free(sc);
}

/* m = 5 tested phases (the skipped one does not count), thresholds 0.01, 0.0125, 0.0167,
 * 0.025, 0.05 for the sorted p-values 0.004, 0.011, 0.03, 0.04, 0.5: the first two are
 * below theirs, 0.03 is not, and the steps stop there, so 0.04 passes although it is below
 * alpha. (Bonferroni, 0.01 for all, would pass 0.011.) */
START_TEST(holm_step_down_rejects_two)
{
    const phase_p ph[] = {{0.03, 1, 0}, {0.004, 2, 0}, {0.001, 1, 1},
                          {0.5, 1, 0},  {0.011, 1, 0}, {0.04, 3, 0}};
    const int fails[] = {0, 1, 0, 0, 1, 0};
    assert_holm(ph, 6, fails);
}
END_TEST

/* Sorted p 0.001, 0.02, 0.021, 0.022, 0.049 against 0.01, 0.0125, ...: only the first is
 * rejected, and the step-down stops at 0.02. (A step-up rule, Hochberg's, would reject all
 * five, since 0.049 < 0.05.) */
START_TEST(holm_step_down_stops_at_first_that_holds)
{
    const phase_p ph[] = {{0.049, 1, 0}, {0.001, 1, 0}, {0.02, 1, 0}, {0.022, 1, 0}, {0.021, 1, 0}};
    const int fails[] = {0, 1, 0, 0, 0};
    assert_holm(ph, 5, fails);
}
END_TEST

/* Phases below alpha that Holm passes (m = 3: 0.02 > 0.05 / 3) leave the run green; a
 * single-deployment phase (df 0, p 1) and a skipped one are not counted in m, so p = 0.03
 * alone is judged against 0.05 and fails (against 0.025 it would pass); a request on a
 * zero-share deployment (df 0, p 0) always fails. */
START_TEST(holm_counts_only_tested_phases)
{
    const phase_p green[] = {{0.02, 1, 0}, {0.03, 1, 0}, {0.5, 2, 0}};
    const int none[] = {0, 0, 0};
    assert_holm(green, 3, none);

    const phase_p alone[] = {{1.0, 0, 0}, {0.03, 1, 0}, {0.2, 1, 1}};
    const int second[] = {0, 1, 0};
    assert_holm(alone, 3, second);

    const phase_p zero_share[] = {{0.0, 0, 0}, {0.3, 1, 0}, {0.6, 1, 0}};
    const int first[] = {1, 0, 0};
    assert_holm(zero_share, 3, first);
}
END_TEST

/* A real run of ten phases, with Holm; then one phase's counts are biased as a faulty
 * router would bias them (2.5 % of its requests moved from b to a) and its split test
 * redone on the biased counts. That phase alone fails, and the run fails. With about 10,000
 * requests in the phase at shares 1/2, a's count moves by N / 40 = 250, five standard
 * deviations (sqrt(N / 4) = 50), p ~ 6e-7, far below the smallest Holm threshold 0.05 / 10;
 * the unbiased phases of seed 3 all pass. */
START_TEST(biased_phase_fails_under_holm)
{
    char text[4096] = "name: biased\naccount: acme\nduration: 1000s\n"
                      "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
                      "routers:\n  - {id: r, deployments: [a, b]}\n"
                      "traffic:\n  - {router: r, rate: 100/s}\n"
                      "checks: {alpha: 0.05, correction: holm}\ntimeline:\n";
    for (int k = 1; k < 10; k++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used,
                 "  - {at: %ds, scale: {deployment: b, replicas: %d}}\n", 100 * k, k % 2 ? 2 : 1);
    }
    scenario *sc = load_text(text);

    results *clean = run_seed(sc, 3);
    ck_assert_uint_eq(clean->n_phases, 10);
    ck_assert_int_eq(checks_evaluate(sc, clean), 0);
    ck_assert_msg(clean->passed, "the unbiased run must pass");
    results_free(clean);

    results *r = run_seed(sc, 3);
    const size_t biased = 4; /* b has 1 replica: shares 1/2, 1/2 */
    results_phase *ph = &r->phases[biased];
    ck_assert_uint_eq(ph->n_deployments, 2);
    ck_assert_double_eq(ph->deployments[0].expected_share, 0.5);
    uint64_t moved = ph->requests / 40;
    ck_assert_uint_ge(ph->deployments[1].observed, moved);
    ph->deployments[0].observed += moved;
    ph->deployments[1].observed -= moved;
    const uint64_t observed[] = {ph->deployments[0].observed, ph->deployments[1].observed};
    const double shares[] = {0.5, 0.5};
    ph->test = splittest_run(2, observed, shares, r->alpha);
    ck_assert_msg(ph->test.p_value < 0.05 / 10 / 100, "bias too small to test: p = %g",
                  ph->test.p_value);

    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    for (size_t i = 0; i < r->n_phases; i++)
        ck_assert_msg(phase_failed(r, i) == (i == biased), "phase %zu: %s", i,
                      phase_failed(r, i) ? "fail" : "not fail");
    ck_assert_int_eq(r->passed, 0);
    results_free(r);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("holm");
    TCase *tc;
    suite_add_tcase(s, tc = tcase_create("holm_step_down_rejects_two"));
    tcase_add_test(tc, holm_step_down_rejects_two);
    suite_add_tcase(s, tc = tcase_create("holm_step_down_stops_at_first_that_holds"));
    tcase_add_test(tc, holm_step_down_stops_at_first_that_holds);
    suite_add_tcase(s, tc = tcase_create("holm_counts_only_tested_phases"));
    tcase_add_test(tc, holm_counts_only_tested_phases);
    suite_add_tcase(s, tc = tcase_create("biased_phase_fails_under_holm"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, biased_phase_fails_under_holm);
    return s;
}
