/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/selector.h"
#include "sim/base/rngword.h"
#include "sim/base/splittest.h"

#include "tests/check_main.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

/*
 * A phase's verdict is what gates a user's CI, so the p-value is held to closed forms that
 * owe nothing to GSL, the statistic to hand-computed tables, the rules to the scenario
 * contract, and the whole test to its operating characteristics: it rejects a correct
 * router at the rate alpha promises, and it catches a router that is a few percent off.
 */

static void assert_close(double got, double want, double rel, const char *what, double x)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want), "%s at x = %g: got %.17g, want %.17g", what,
                  x, got, want);
}

static const double xs[] = {1e-6, 0.01, 0.1,  0.5,  1.0,  2.0,   3.0,  5.0,
                            8.0,  13.0, 20.0, 35.0, 60.0, 100.0, 200.0};
#define NXS (sizeof xs / sizeof xs[0])

/* Q(x; 1) = erfc(sqrt(x / 2)) */
START_TEST(p_value_df1_is_erfc)
{
    for (size_t i = 0; i < NXS; i++)
        assert_close(splittest_p_value(xs[i], 1), erfc(sqrt(xs[i] / 2.0)), 1e-10, "df 1", xs[i]);
}
END_TEST

/* Q(x; 2) = exp(-x / 2) */
START_TEST(p_value_df2_is_exp)
{
    for (size_t i = 0; i < NXS; i++)
        assert_close(splittest_p_value(xs[i], 2), exp(-xs[i] / 2.0), 1e-10, "df 2", xs[i]);
}
END_TEST

/* Q(x; 3) = erfc(sqrt(x / 2)) + sqrt(2 x / pi) exp(-x / 2) */
START_TEST(p_value_df3_closed_form)
{
    for (size_t i = 0; i < NXS; i++) {
        double x = xs[i];
        double want = erfc(sqrt(x / 2.0)) + sqrt(2.0 * x / 3.14159265358979323846) * exp(-x / 2.0);
        assert_close(splittest_p_value(x, 3), want, 1e-10, "df 3", x);
    }
}
END_TEST

/* Q(x; 2k) = exp(-x / 2) * sum over i < k of (x / 2)^i / i!, a Poisson tail. */
START_TEST(p_value_even_df_closed_form)
{
    const int ks[] = {2, 3, 5, 10, 50};
    for (size_t j = 0; j < sizeof ks / sizeof ks[0]; j++) {
        for (size_t i = 0; i < NXS; i++) {
            double half = xs[i] / 2.0, term = exp(-half), want = 0.0;
            for (int n = 0; n < ks[j]; n++) {
                want += term;
                term *= half / (n + 1);
            }
            assert_close(splittest_p_value(xs[i], 2 * ks[j]), want, 1e-10, "even df", xs[i]);
        }
    }
}
END_TEST

/* Table critical values: P(X >= q) = alpha for the quantiles every chi-square table lists. */
START_TEST(p_value_table_quantiles)
{
    assert_close(splittest_p_value(3.841458820694124, 1), 0.05, 1e-9, "df 1, 95%", 3.84);
    assert_close(splittest_p_value(6.634896601021214, 1), 0.01, 1e-9, "df 1, 99%", 6.63);
    assert_close(splittest_p_value(10.827566170662733, 1), 0.001, 1e-9, "df 1, 99.9%", 10.8);
    assert_close(splittest_p_value(5.991464547107979, 2), 0.05, 1e-9, "df 2, 95%", 5.99);
    assert_close(splittest_p_value(18.307038053275146, 10), 0.05, 1e-9, "df 10, 95%", 18.3);
}
END_TEST

START_TEST(p_value_edges)
{
    ck_assert_double_eq(splittest_p_value(0.0, 1), 1.0);
    ck_assert_double_eq(splittest_p_value(0.0, 7), 1.0);
    ck_assert_double_eq(splittest_p_value(INFINITY, 3), 0.0);
    double far = splittest_p_value(1e308, 5);
    ck_assert(far >= 0.0 && far < 1e-300);
    double deep = splittest_p_value(5000.0, 1); /* below the smallest double */
    ck_assert(deep >= 0.0 && deep < 1e-300);
}
END_TEST

/*
 * df 2e6, chi2 2.006e6 makes GSL 2.7.1's chi-square tail abort by default. Here
 * z = (x - df) / sqrt(2 df) = 3, and the normal tail Q(3) = 0.0013498980316301 is off only
 * by the skewness term, about sqrt(2 / df) / 3 * (z^2 - 1) * phi(z) / Q(z) = 0.9% here:
 * 2% is a safe bound.
 */
START_TEST(p_value_huge_df_does_not_abort)
{
    double p = splittest_p_value(2.006e6, 2000000);
    ck_assert(isfinite(p));
    assert_close(p, 0.0013498980316301, 0.02, "df 2e6 against the normal tail", 2.006e6);
    /* the median sits just below df: Q(df) is a hair under 1/2 */
    double mid = splittest_p_value(2e6, 2000000);
    ck_assert(mid < 0.5 && mid > 0.499);
}
END_TEST

/* Across the region where GSL gives up: a p-value, never NaN, never rising with chi2. */
START_TEST(p_value_huge_df_sweep)
{
    int bad = 0;
    for (int df = 1000000; df <= 4000000; df += 250000) {
        double previous = 1.0;
        for (double z = -8.0; z <= 40.0; z += 0.25) {
            double p = splittest_p_value(df + z * sqrt(2.0 * df), df);
            bad += !(p >= 0.0 && p <= previous);
            previous = p;
        }
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* 60/40 against 50/50: chi2 = 10^2/50 + 10^2/50 = 4, df 1, p = erfc(sqrt(2)) = 0.0455. */
START_TEST(chi2_sixty_forty)
{
    const uint64_t observed[] = {60, 40};
    const double share[] = {0.5, 0.5};
    splittest_result r = splittest_run(2, observed, share, 0.05);
    ck_assert_double_eq_tol(r.chi2, 4.0, 1e-12);
    ck_assert_int_eq(r.df, 1);
    assert_close(r.p_value, erfc(sqrt(2.0)), 1e-10, "60/40", 4.0);
    ck_assert_int_eq(r.verdict, SPLITTEST_FAIL);
    ck_assert_str_ne(r.reason, "");

    r = splittest_run(2, observed, share, 0.01);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
    ck_assert_str_eq(r.reason, "");
}
END_TEST

/* 30/50/20 against 25/50/25 of 100: chi2 = 1 + 0 + 1 = 2, df 2, p = exp(-1). */
START_TEST(chi2_three_way)
{
    const uint64_t observed[] = {30, 50, 20};
    const double share[] = {0.25, 0.5, 0.25};
    splittest_result r = splittest_run(3, observed, share, 0.001);
    ck_assert_double_eq_tol(r.chi2, 2.0, 1e-12);
    ck_assert_int_eq(r.df, 2);
    assert_close(r.p_value, exp(-1.0), 1e-10, "30/50/20", 2.0);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
}
END_TEST

/* A zero-share deployment without requests takes no part: df counts non-zero shares. */
START_TEST(chi2_ignores_idle_zero_share)
{
    const uint64_t observed[] = {48, 0, 52};
    const double share[] = {0.5, 0.0, 0.5};
    splittest_result r = splittest_run(3, observed, share, 0.001);
    ck_assert_double_eq_tol(r.chi2, 4.0 / 50 + 4.0 / 50, 1e-12);
    ck_assert_int_eq(r.df, 1);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
}
END_TEST

START_TEST(zero_share_with_requests_fails)
{
    const uint64_t observed[] = {10, 3, 7};
    const double share[] = {0.5, 0.0, 0.5};
    splittest_result r = splittest_run(3, observed, share, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_FAIL);
    ck_assert_double_eq(r.p_value, 0.0);
    ck_assert_ptr_nonnull(strstr(r.reason, "3 requests"));
    ck_assert_ptr_nonnull(strstr(r.reason, "deployment 1"));

    /* the rule comes first: too few requests to test does not excuse them */
    const uint64_t few[] = {1, 1};
    const double only_first[] = {1.0, 0.0};
    r = splittest_run(2, few, only_first, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_FAIL);
    ck_assert_ptr_nonnull(strstr(r.reason, "deployment 1"));
}
END_TEST

START_TEST(no_requests_skipped)
{
    const uint64_t none[] = {0, 0};
    const double share[] = {0.5, 0.5}, idle[] = {0.0, 0.0};
    splittest_result r = splittest_run(2, none, share, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_SKIPPED);
    ck_assert_ptr_nonnull(strstr(r.reason, "no requests"));
    r = splittest_run(2, none, idle, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_SKIPPED);
}
END_TEST

/* 12 requests at 20/80: the smaller arm expects 2.4 < 5. Exactly 5 is enough. */
START_TEST(small_expected_count_skipped)
{
    const uint64_t observed[] = {3, 9};
    const double share[] = {0.2, 0.8};
    splittest_result r = splittest_run(2, observed, share, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_SKIPPED);
    ck_assert_ptr_nonnull(strstr(r.reason, "2.4"));

    const uint64_t enough[] = {5, 15};
    const double quarter[] = {0.25, 0.75};
    r = splittest_run(2, enough, quarter, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
    ck_assert_double_eq_tol(r.chi2, 0.0, 1e-12);
}
END_TEST

START_TEST(single_share_passes)
{
    const uint64_t observed[] = {100, 0};
    const double share[] = {1.0, 0.0};
    splittest_result r = splittest_run(2, observed, share, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
    ck_assert_int_eq(r.df, 0);
    ck_assert_double_eq(r.chi2, 0.0);
    ck_assert_double_eq(r.p_value, 1.0);

    const uint64_t one[] = {42};
    const double all[] = {1.0};
    r = splittest_run(1, one, all, 0.001);
    ck_assert_int_eq(r.verdict, SPLITTEST_PASS);
    ck_assert_int_eq(r.df, 0);
}
END_TEST

START_TEST(invalid_share_fails)
{
    const uint64_t observed[] = {10, 10};
    const double negative[] = {-0.5, 1.5}, missing[] = {NAN, 0.5};
    ck_assert_int_eq(splittest_run(2, observed, negative, 0.001).verdict, SPLITTEST_FAIL);
    ck_assert_int_eq(splittest_run(2, observed, missing, 0.001).verdict, SPLITTEST_FAIL);
}
END_TEST

START_TEST(verdict_names)
{
    ck_assert_str_eq(splittest_verdict_name(SPLITTEST_PASS), "pass");
    ck_assert_str_eq(splittest_verdict_name(SPLITTEST_FAIL), "fail");
    ck_assert_str_eq(splittest_verdict_name(SPLITTEST_SKIPPED), "skipped");
}
END_TEST

/*
 * Size: phases drawn from the true shares are rejected at rate alpha. Phase totals are
 * Poisson, as the simulator's traffic is (a fixed total adds a lattice effect of a few
 * tenths of a percent for two arms). Over N phases the observed rate is binomial: within
 * alpha +- 4 sqrt(alpha (1 - alpha) / N).
 */
static void assert_size(size_t k, const double *share, double mean_total, unsigned long seed)
{
    enum { N = 20000 };
    const double alphas[] = {0.05, 0.01};
    int rejected[2] = {0, 0};
    unsigned counts[8];
    uint64_t observed[8];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    for (int t = 0; t < N; t++) {
        gsl_ran_multinomial(rng, k, gsl_ran_poisson(rng, mean_total), share, counts);
        for (size_t i = 0; i < k; i++)
            observed[i] = counts[i];
        for (int a = 0; a < 2; a++)
            rejected[a] += splittest_run(k, observed, share, alphas[a]).verdict == SPLITTEST_FAIL;
    }
    for (int a = 0; a < 2; a++) {
        double rate = (double)rejected[a] / N;
        double bound = 4.0 * sqrt(alphas[a] * (1.0 - alphas[a]) / N);
        ck_assert_msg(fabs(rate - alphas[a]) <= bound, "%zu arms, alpha %g: rejected %.4f", k,
                      alphas[a], rate);
    }
    gsl_rng_free(rng);
}

START_TEST(false_positive_rate)
{
    const double docs[] = {0.8, 0.2};
    const double three[] = {0.5, 0.3, 0.2};
    const double five[] = {0.4, 0.3, 0.15, 0.1, 0.05};
    assert_size(2, docs, 1000.0, 101);
    assert_size(3, three, 500.0, 102);
    assert_size(5, five, 2000.0, 103);
}
END_TEST

/* One phase of `requests` picks from a selector over w, tested against 50/50. */
static splittest_result phase_of(const uint32_t *w, int requests, unsigned long seed)
{
    const double half[] = {0.5, 0.5};
    uint64_t observed[2] = {0, 0};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    selector *s = selector_new(SELECTOR_WEIGHTED_RANDOM, 2, w);
    ck_assert_ptr_nonnull(s);
    for (int k = 0; k < requests; k++)
        observed[selector_pick(s, rngword_next, rng)]++;
    selector_free(s);
    gsl_rng_free(rng);
    return splittest_run(2, observed, half, 0.001);
}

/*
 * Power: a router sending 51.5% where 50% is expected is off by 0.015 * sqrt(200000) / 0.5
 * = 13 standard deviations; every seed must catch it at alpha 0.001, while the exact
 * router goes through.
 */
START_TEST(biased_router_rejected)
{
    const uint32_t biased[] = {515, 485}, fair[] = {1, 1};
    for (unsigned long seed = 1; seed <= 8; seed++) {
        splittest_result r = phase_of(biased, 200000, seed);
        ck_assert_msg(r.verdict == SPLITTEST_FAIL, "seed %lu: p = %g", seed, r.p_value);
        r = phase_of(fair, 200000, seed);
        ck_assert_msg(r.verdict == SPLITTEST_PASS, "seed %lu: p = %g", seed, r.p_value);
    }
}
END_TEST

/* Holm's step-down, by hand: sorted p 0.0001, 0.0004, 0.002, 0.5 against 0.001/4,
 * 0.001/3, ...: the first is rejected, the second holds, and the procedure stops there. */
START_TEST(holm_step_down_by_hand)
{
    const double p[] = {0.0004, 0.0001, 0.5, 0.002};
    int reject[4];
    ck_assert_int_eq(splittest_holm(4, p, 0.001, reject), 0);
    ck_assert_int_eq(reject[0], 0);
    ck_assert_int_eq(reject[1], 1);
    ck_assert_int_eq(reject[2], 0);
    ck_assert_int_eq(reject[3], 0);
    /* 0.0002 <= 0.001/3, 0.0003 <= 0.001/2, 0.0004 <= 0.001: all three. */
    const double q[] = {0.0003, 0.0004, 0.0002};
    int all[3];
    ck_assert_int_eq(splittest_holm(3, q, 0.001, all), 0);
    ck_assert(all[0] && all[1] && all[2]);
    ck_assert_int_eq(splittest_holm(0, q, 0.001, all), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("splittest");
    TCase *tc;

    tc = tcase_create("p_value_closed_forms");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, p_value_df1_is_erfc);
    tcase_add_test(tc, p_value_df2_is_exp);
    tcase_add_test(tc, p_value_df3_closed_form);
    tcase_add_test(tc, p_value_even_df_closed_form);
    tcase_add_test(tc, p_value_table_quantiles);
    tcase_add_test(tc, p_value_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("p_value_huge_df");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, p_value_huge_df_does_not_abort);
    tcase_add_test(tc, p_value_huge_df_sweep);
    suite_add_tcase(s, tc);

    tc = tcase_create("statistic");
    tcase_add_test(tc, chi2_sixty_forty);
    tcase_add_test(tc, chi2_three_way);
    tcase_add_test(tc, chi2_ignores_idle_zero_share);
    suite_add_tcase(s, tc);

    tc = tcase_create("rules");
    tcase_add_test(tc, zero_share_with_requests_fails);
    tcase_add_test(tc, no_requests_skipped);
    tcase_add_test(tc, small_expected_count_skipped);
    tcase_add_test(tc, single_share_passes);
    tcase_add_test(tc, invalid_share_fails);
    tcase_add_test(tc, verdict_names);
    suite_add_tcase(s, tc);

    tc = tcase_create("false_positive_rate");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, false_positive_rate);
    suite_add_tcase(s, tc);

    tc = tcase_create("power");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, biased_router_rejected);
    suite_add_tcase(s, tc);

    tc = tcase_create("holm_step_down_by_hand");
    tcase_add_test(tc, holm_step_down_by_hand);
    suite_add_tcase(s, tc);
    return s;
}
