/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/superpose.h"

#include "tests/check_main.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>

/*
 * The superposed process against the closed forms it must follow (independent Poisson
 * processes of rates r_i superpose to one of rate R = sum r_i, each point source i's with
 * probability r_i / R): the sources picked, by Pearson's chi-square against those
 * probabilities, and the gaps, by a Kolmogorov-Smirnov test against the exponential
 * distribution function 1 - exp(-R x). A million draws, seeded, so that a rate or a pick
 * off by 1 % fails both by a wide margin while the exact process passes.
 */

enum { DRAWS = 1000000 };
static const double rates[] = {1.0, 2.5, 40.0, 0.5, 56.0}; /* R = 100 */
#define N_RATES (sizeof rates / sizeof rates[0])

static superpose *make(void)
{
    char err[256];
    superpose *sp = superpose_new(N_RATES, rates, err, sizeof err);
    ck_assert_msg(sp != NULL, "%s", err);
    return sp;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(sources_picked_by_rate)
{
    superpose *sp = make();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 7);
    double count[N_RATES] = {0}, now = 0;
    for (int k = 0; k < DRAWS; k++) {
        size_t who;
        now = superpose_next(sp, rng, now, &who);
        if (who >= N_RATES)
            ck_abort_msg("source %zu of %zu", who, N_RATES);
        count[who]++;
    }
    double chi2 = 0;
    for (size_t i = 0; i < N_RATES; i++) {
        double expected = DRAWS * rates[i] / 100.0;
        chi2 += (count[i] - expected) * (count[i] - expected) / expected;
    }
    double p = gsl_cdf_chisq_Q(chi2, N_RATES - 1);
    ck_assert_msg(p > 1e-4, "chi2 %g, p %g", chi2, p);
    gsl_rng_free(rng);
    superpose_free(sp);
}
END_TEST

START_TEST(gaps_are_exponential_at_the_total_rate)
{
    superpose *sp = make();
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 8);
    double *gap = malloc(DRAWS * sizeof *gap), now = 0;
    ck_assert_ptr_nonnull(gap);
    for (int k = 0; k < DRAWS; k++) {
        size_t who;
        double next = superpose_next(sp, rng, now, &who);
        gap[k] = next - now;
        now = next;
    }
    qsort(gap, DRAWS, sizeof *gap, by_value);
    double d = 0;
    for (int k = 0; k < DRAWS; k++) {
        double f = 1.0 - exp(-100.0 * gap[k]);
        d = fmax(d, fmax(fabs((k + 1.0) / DRAWS - f), fabs(f - (double)k / DRAWS)));
    }
    /* Kolmogorov's asymptotic critical value at alpha = 0.001 is 1.949 / sqrt(n). */
    ck_assert_msg(d < 1.949 / sqrt((double)DRAWS), "D = %g", d);
    free(gap);
    gsl_rng_free(rng);
    superpose_free(sp);
}
END_TEST

START_TEST(bad_rates_are_refused)
{
    char err[256];
    const double bad[] = {1.0, 0.0};
    ck_assert_ptr_null(superpose_new(2, bad, err, sizeof err));
    ck_assert_ptr_null(superpose_new(0, rates, err, sizeof err));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("superpose");
    check_add_case(s, tcase_create("sources_picked_by_rate"), sources_picked_by_rate, 60);
    check_add_case(s, tcase_create("gaps_are_exponential_at_the_total_rate"),
                   gaps_are_exponential_at_the_total_rate, 60);
    check_add_case(s, tcase_create("bad_rates_are_refused"), bad_rates_are_refused, 10);
    return s;
}
