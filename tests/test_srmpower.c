/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/splittest.h"
#include "sim/base/srmpower.h"

#include "tests/check_main.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_bessel.h>
#include <math.h>

/*
 * The power figures tell users how long a phase must run, so they are held to answers
 * that owe nothing to the Poisson mixture: the closed form for one degree of freedom (a
 * shifted normal squared), the noncentral density written with a Bessel function and
 * integrated numerically, the orientation values, and seeded multinomial draws
 * through the real split test.
 */

/* X = (Z + sqrt(lambda))^2: P(X > x) = Q(sqrt(x) - sqrt(lambda)) + P(-sqrt(x) - sqrt(lambda)) */
static double df1_q(double x, double lambda)
{
    return gsl_cdf_ugaussian_Q(sqrt(x) - sqrt(lambda)) +
           gsl_cdf_ugaussian_P(-sqrt(x) - sqrt(lambda));
}

START_TEST(ncx2_df1_closed_form)
{
    const double xs[] = {0.01, 0.5, 3.841458820694124, 10.827566170662733, 30.0, 200.0};
    const double lambdas[] = {0.0, 0.3, 3.0, 17.0, 100.0, 1000.0, 15000.0};
    char err[256];
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++)
        for (size_t j = 0; j < sizeof lambdas / sizeof lambdas[0]; j++) {
            srmpower_tail t;
            ck_assert_msg(srmpower_ncx2(xs[i], 1, lambdas[j], &t, err, sizeof err) == 0, "%s", err);
            double want = df1_q(xs[i], lambdas[j]);
            ck_assert_msg(t.error <= 1e-10, "error bound %g at x %g lambda %g", t.error, xs[i],
                          lambdas[j]);
            ck_assert_msg(fabs(t.q - want) <= t.error + 1e-12 * (1.0 + want),
                          "Q at x %g lambda %g: got %.17g, want %.17g (bound %g)", xs[i],
                          lambdas[j], t.q, want, t.error);
            ck_assert_msg(fabs(t.p - (1.0 - want)) <= t.error + 1e-12, "P at x %g lambda %g", xs[i],
                          lambdas[j]);
        }
}
END_TEST

/* The noncentral density, f(t) = 1/2 exp(-(t + l) / 2) (t / l)^(df / 4 - 1 / 2)
 * I_(df / 2 - 1)(sqrt(l t)), with the scaled Bessel function: exp(-(sqrt t - sqrt l)^2 / 2). */
typedef struct {
    double df, lambda;
} density_args;

static double density(double t, void *params)
{
    const density_args *a = params;
    if (t <= 0.0)
        return 0.0;
    double z = sqrt(a->lambda * t);
    double d = sqrt(t) - sqrt(a->lambda);
    return 0.5 * pow(t / a->lambda, a->df / 4.0 - 0.5) *
           gsl_sf_bessel_Inu_scaled(a->df / 2.0 - 1.0, z) * exp(-0.5 * d * d);
}

static double integrated_cdf(double x, double df, double lambda)
{
    gsl_integration_workspace *w = gsl_integration_workspace_alloc(1000);
    density_args a = {df, lambda};
    gsl_function f = {density, &a};
    double result, abserr;
    int status = gsl_integration_qags(&f, 0.0, x, 1e-14, 1e-12, 1000, w, &result, &abserr);
    gsl_integration_workspace_free(w);
    ck_assert_int_eq(status, GSL_SUCCESS);
    return result;
}

START_TEST(ncx2_matches_integrated_bessel_density)
{
    const double dfs[] = {2.0, 3.0, 5.0, 10.0};
    const double xs[] = {1.0, 7.8, 16.27, 40.0};
    const double lambdas[] = {0.5, 4.0, 20.0, 60.0};
    char err[256];
    gsl_set_error_handler_off();
    for (size_t d = 0; d < 4; d++)
        for (size_t i = 0; i < 4; i++)
            for (size_t j = 0; j < 4; j++) {
                srmpower_tail t;
                ck_assert_msg(srmpower_ncx2(xs[i], dfs[d], lambdas[j], &t, err, sizeof err) == 0,
                              "%s", err);
                double want = integrated_cdf(xs[i], dfs[d], lambdas[j]);
                ck_assert_msg(fabs(t.p - want) <= t.error + 1e-9,
                              "CDF df %g x %g lambda %g: got %.15g, integrated %.15g", dfs[d],
                              xs[i], lambdas[j], t.p, want);
            }
}
END_TEST

START_TEST(ncx2_rejects_bad_input)
{
    srmpower_tail t;
    char err[256];
    ck_assert_int_eq(srmpower_ncx2(1.0, 0.0, 1.0, &t, err, sizeof err), -1);
    ck_assert_int_eq(srmpower_ncx2(1.0, 2.0, -1.0, &t, err, sizeof err), -1);
    ck_assert_int_eq(srmpower_ncx2(1.0, 2.0, 3e4, &t, err, sizeof err), -1);
    ck_assert_int_eq(srmpower_ncx2(NAN, 2.0, 1.0, &t, err, sizeof err), -1);
    ck_assert_int_eq(srmpower_ncx2(-1.0, 2.0, 1.0, &t, err, sizeof err), -1);
}
END_TEST

START_TEST(power_at_zero_is_alpha_and_huge_lambda_is_one)
{
    double power, error;
    char err[256];
    /* the table's 99.9% quantile for 1 df */
    ck_assert(fabs(srmpower_critical(1, 0.001) - 10.827566170662733) < 1e-9);
    ck_assert(isnan(srmpower_critical(0, 0.001)));
    ck_assert(isnan(srmpower_critical(1, 0.0)));
    for (int df = 1; df <= 6; df++) {
        ck_assert_int_eq(srmpower_power(df, 0.0, 0.001, &power, &error, err, sizeof err), 0);
        ck_assert_msg(fabs(power - 0.001) <= error + 1e-12, "df %d: %g", df, power);
    }
    /* millions of requests: no abort, 1 within the stated error */
    ck_assert_int_eq(srmpower_power(3, 1e7, 0.001, &power, &error, err, sizeof err), 0);
    ck_assert(power <= 1.0 && 1.0 - power <= error && error < 1e-11);
}
END_TEST

static const double ninety_ten[] = {0.9, 0.1};

/* The figures (scipy's ncx2): 90/10 -> 89/11 at alpha 0.001 needs about 15.4k
 * requests for 80 % power and 21.9k for 95 %; and exactly the first n at which the df-1
 * closed form reaches the target. */
START_TEST(sample_size_orientation_values)
{
    double p1[2];
    size_t which;
    char err[256];
    srmpower_deviation d = SRMPOWER_DEFAULT_DEVIATION;
    ck_assert_int_eq(srmpower_deviate(2, ninety_ten, &d, p1, &which, err, sizeof err), 0);
    ck_assert_uint_eq(which, 1);
    double effect = srmpower_effect(2, ninety_ten, p1);
    ck_assert(fabs(effect - 0.0001 / 0.09) < 1e-15);

    const double targets[] = {0.8, 0.95}, around[] = {15400, 21900};
    double crit = 10.827566170662733;
    for (int i = 0; i < 2; i++) {
        uint64_t n;
        ck_assert_int_eq(srmpower_sample_size(1, effect, 0.001, targets[i], &n, err, sizeof err),
                         0);
        ck_assert_msg(fabs((double)n - around[i]) < 100, "target %g: n = %llu", targets[i],
                      (unsigned long long)n);
        ck_assert(df1_q(crit, (double)n * effect) >= targets[i]);
        ck_assert(df1_q(crit, (double)(n - 1) * effect) < targets[i]);
    }
}
END_TEST

/* A run asks for the same sample sizes again and again, in any order: each answer is still
 * the first n at which the df-1 closed form reaches the target, for its own effect and
 * target, whatever was asked before. */
START_TEST(sample_size_asked_again)
{
    const double crit = 10.827566170662733; /* the df-1 critical value at alpha 0.001 */
    const double effects[] = {0.0001 / 0.09, 0.0004 / 0.09, 0.0001 / 0.09, 0.0004 / 0.09,
                              0.0001 / 0.09};
    const double targets[] = {0.8, 0.8, 0.8, 0.95, 0.95};
    char err[256];
    for (int round = 0; round < 2; round++)
        for (int i = 0; i < 5; i++) {
            uint64_t n;
            ck_assert_int_eq(
                srmpower_sample_size(1, effects[i], 0.001, targets[i], &n, err, sizeof err), 0);
            ck_assert_msg(df1_q(crit, (double)n * effects[i]) >= targets[i] &&
                              df1_q(crit, (double)(n - 1) * effects[i]) < targets[i],
                          "round %d, question %d: n = %llu", round, i, (unsigned long long)n);
        }
}
END_TEST

/* The first n at which srmpower_power reaches the target, found the plainest way: doubling
 * from 1, then bisecting on whole numbers; -1 when the doubling passes the requests limit
 * first. The search in srmpower starts from an approximation instead, so it is held to
 * exactly these answers. */
static int64_t bisect_sample_size(int df, double effect, double alpha, double target)
{
    char err[256];
    double power, error, lo = 0.0, hi = 1.0;
    for (;;) {
        if (hi > SRMPOWER_MAX_REQUESTS)
            return -1;
        ck_assert_int_eq(srmpower_power(df, hi * effect, alpha, &power, &error, err, sizeof err),
                         0);
        if (power >= target)
            break;
        lo = hi;
        hi *= 2.0;
    }
    while (hi - lo > 1.0) {
        double mid = floor(0.5 * (lo + hi));
        ck_assert_int_eq(srmpower_power(df, mid * effect, alpha, &power, &error, err, sizeof err),
                         0);
        if (power >= target)
            hi = mid;
        else
            lo = mid;
    }
    return (int64_t)hi;
}

/* Over a grid of degrees of freedom (up to the 9,999 of a 10,000-deployment router), levels,
 * effects (from needing one request to needing more than the limit allows) and target
 * powers, the sample size is exactly the plain search's. */
START_TEST(sample_size_search)
{
    const int dfs[] = {1, 2, 3, 7, 40, 300, 9999};
    const double alphas[] = {0.05, 0.001, 1e-7};
    const double effects[] = {40.0, 0.3, 1.1e-3, 2.7e-7, 1e-14};
    const double targets[] = {0.5, 0.8, 0.99};
    char err[256];
    int checked = 0;
    for (size_t a = 0; a < sizeof dfs / sizeof dfs[0]; a++)
        for (size_t b = 0; b < sizeof alphas / sizeof alphas[0]; b++)
            for (size_t e = 0; e < sizeof effects / sizeof effects[0]; e++)
                for (size_t t = 0; t < sizeof targets / sizeof targets[0]; t++) {
                    if (dfs[a] == 9999 && (b != 1 || t == 2)) /* the costly ones: a few */
                        continue;
                    int64_t want = bisect_sample_size(dfs[a], effects[e], alphas[b], targets[t]);
                    uint64_t n = 0;
                    int rc = srmpower_sample_size(dfs[a], effects[e], alphas[b], targets[t], &n,
                                                  err, sizeof err);
                    ck_assert_msg(want < 0 ? rc != 0 : rc == 0 && n == (uint64_t)want,
                                  "df %d, alpha %g, effect %g, target %g: %llu (rc %d), plain "
                                  "search %lld",
                                  dfs[a], alphas[b], effects[e], targets[t], (unsigned long long)n,
                                  rc, (long long)want);
                    checked++;
                }
    ck_assert_int_gt(checked, 250);
}
END_TEST

START_TEST(deviation_rules)
{
    char err[256];
    size_t which;
    double p1[3];
    const double three[] = {5, 3, 2}; /* weights: normalised to 0.5, 0.3, 0.2 */
    srmpower_deviation rel = {SRMPOWER_RELATIVE, 0.1, 0};
    ck_assert_int_eq(srmpower_deviate(3, three, &rel, p1, &which, err, sizeof err), 0);
    ck_assert_uint_eq(which, 0);
    ck_assert(fabs(p1[0] - 0.55) < 1e-15 && fabs(p1[1] - 0.27) < 1e-15 &&
              fabs(p1[2] - 0.18) < 1e-15);
    /* proportional rescaling makes the effect s^2 / (p (1 - p)) whatever the others are */
    const double p0[] = {0.5, 0.3, 0.2};
    ck_assert(fabs(srmpower_effect(3, p0, p1) - 0.0025 / 0.25) < 1e-14);

    srmpower_deviation down = {SRMPOWER_ABSOLUTE, -0.05, -1};
    ck_assert_int_eq(srmpower_deviate(3, three, &down, p1, &which, err, sizeof err), 0);
    ck_assert_uint_eq(which, 2);
    ck_assert(fabs(p1[2] - 0.15) < 1e-15 && fabs(p1[0] + p1[1] + p1[2] - 1.0) < 1e-15);

    const double with_zero[] = {0.0, 0.7, 0.3};
    srmpower_deviation d = SRMPOWER_DEFAULT_DEVIATION;
    ck_assert_int_eq(srmpower_deviate(3, with_zero, &d, p1, &which, err, sizeof err), 0);
    ck_assert_uint_eq(which, 2);
    ck_assert(p1[0] == 0.0 && fabs(p1[2] - 0.31) < 1e-15);

    srmpower_deviation on_zero = {SRMPOWER_ABSOLUTE, 0.01, 0};
    ck_assert_int_eq(srmpower_deviate(3, with_zero, &on_zero, p1, &which, err, sizeof err), -1);
    const double alone[] = {0.0, 1.0};
    ck_assert_int_eq(srmpower_deviate(2, alone, &d, p1, &which, err, sizeof err), -1);
    srmpower_deviation too_far = {SRMPOWER_ABSOLUTE, 0.95, -1};
    ck_assert_int_eq(srmpower_deviate(2, ninety_ten, &too_far, p1, &which, err, sizeof err), -1);
    srmpower_deviation none = {SRMPOWER_RELATIVE, 0.0, -1};
    ck_assert_int_eq(srmpower_deviate(2, ninety_ten, &none, p1, &which, err, sizeof err), -1);
    srmpower_deviation out = {SRMPOWER_ABSOLUTE, 0.01, 2};
    ck_assert_int_eq(srmpower_deviate(2, ninety_ten, &out, p1, &which, err, sizeof err), -1);
    ck_assert(srmpower_effect(3, with_zero, p0) == INFINITY);
}
END_TEST

START_TEST(plan_phase_fields)
{
    srmpower_plan plan;
    char err[256];
    srmpower_deviation d = SRMPOWER_DEFAULT_DEVIATION;
    ck_assert_int_eq(
        srmpower_plan_phase(2, ninety_ten, &d, 0.001, 0.8, 10000, &plan, err, sizeof err), 0);
    ck_assert_int_eq(plan.df, 1);
    ck_assert_uint_eq(plan.which, 1);
    ck_assert(plan.from == 0.1 && fabs(plan.to - 0.11) < 1e-15);
    ck_assert(fabs(plan.power - df1_q(10.827566170662733, 10000 * plan.effect)) < 1e-10);
    ck_assert(plan.power < 0.8 && plan.needed_reachable && plan.needed > 10000);
    const double alone[] = {1.0, 0.0};
    ck_assert_int_eq(srmpower_plan_phase(2, alone, &d, 0.001, 0.8, 100, &plan, err, sizeof err), 0);
    ck_assert_int_eq(plan.df, 0);
    ck_assert_int_eq(srmpower_plan_phase(2, ninety_ten, &d, 0.001, 1.0, 1, &plan, err, sizeof err),
                     -1);
}
END_TEST

/* The fraction of multinomial samples from p1 that the real split test fails, over R
 * seeded runs, against the computed power: within 4 standard errors plus 0.01 for the
 * chi-square approximation of Pearson's statistic at these n. */
static void monte_carlo(size_t k, const double *p0, const srmpower_deviation *d, uint64_t n,
                        unsigned long seed)
{
    enum { R = 4000 };
    double alpha = 0.001, p1[8];
    size_t which;
    char err[256];
    ck_assert_int_eq(srmpower_deviate(k, p0, d, p1, &which, err, sizeof err), 0);
    srmpower_plan plan;
    ck_assert_int_eq(srmpower_plan_phase(k, p0, d, alpha, 0.8, n, &plan, err, sizeof err), 0);

    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, seed);
    unsigned int counts[8];
    uint64_t observed[8];
    int rejected = 0;
    for (int r = 0; r < R; r++) {
        gsl_ran_multinomial(rng, k, (unsigned int)n, p1, counts);
        for (size_t i = 0; i < k; i++)
            observed[i] = counts[i];
        rejected += splittest_run(k, observed, p0, alpha).verdict == SPLITTEST_FAIL;
    }
    gsl_rng_free(rng);
    double got = (double)rejected / R;
    double se = sqrt(plan.power * (1.0 - plan.power) / R);
    ck_assert_msg(fabs(got - plan.power) <= 4.0 * se + 0.01,
                  "n %llu: simulated power %g, computed %g", (unsigned long long)n, got,
                  plan.power);
}

START_TEST(power_matches_monte_carlo)
{
    srmpower_deviation d = SRMPOWER_DEFAULT_DEVIATION;
    monte_carlo(2, ninety_ten, &d, 15366, 11);
    monte_carlo(2, ninety_ten, &d, 8000, 12);
    const double three[] = {0.5, 0.3, 0.2};
    srmpower_deviation rel = {SRMPOWER_RELATIVE, -0.1, 1};
    monte_carlo(3, three, &rel, 12000, 13);
    const double four[] = {0.4, 0.3, 0.2, 0.1};
    monte_carlo(4, four, &d, 20000, 14);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("srmpower");
    TCase *tc = tcase_create("ncx2");
    tcase_add_test(tc, ncx2_df1_closed_form);
    tcase_add_test(tc, ncx2_matches_integrated_bessel_density);
    tcase_add_test(tc, ncx2_rejects_bad_input);
    tcase_add_test(tc, power_at_zero_is_alpha_and_huge_lambda_is_one);
    suite_add_tcase(s, tc);
    tc = tcase_create("sample_size");
    tcase_add_test(tc, sample_size_orientation_values);
    tcase_add_test(tc, sample_size_asked_again);
    tcase_add_test(tc, deviation_rules);
    tcase_add_test(tc, plan_phase_fields);
    suite_add_tcase(s, tc);
    tc = tcase_create("sample_size_search");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, sample_size_search);
    suite_add_tcase(s, tc);
    tc = tcase_create("monte_carlo");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, power_matches_monte_carlo);
    suite_add_tcase(s, tc);
    return s;
}
