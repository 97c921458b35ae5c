/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/seqtest.h"
#include "sim/base/splittest.h"

#include "tests/check_main.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

/*
 * The sequential test may be looked at every minute of a migration, so what matters is that
 * a correct router almost never trips it, however often it is looked at: checked over
 * seeded runs against Ville's bound. Its Bayes factor is held to hand values and to the
 * Dirichlet-multinomial marginal likelihood built request by request from predictive
 * probabilities, which owes nothing to the gamma-function closed form.
 */

/* p0 = (1/2, 1/2), c = 2 is the uniform prior: a sequence with 3 and 1 has marginal
 * likelihood 3! 1! / 5! = 1/20 against (1/2)^4 = 1/16 under the null: BF = 0.8. */
START_TEST(hand_value)
{
    const double half[] = {0.5, 0.5};
    const uint64_t n[] = {3, 1};
    ck_assert(fabs(seqtest_log_bf_counts(2, half, 2.0, n) - log(0.8)) < 1e-13);
    const uint64_t none[] = {0, 0};
    ck_assert(fabs(seqtest_log_bf_counts(2, half, 2.0, none)) < 1e-13);
    /* weights are normalised: 2:2 is 1/2:1/2 */
    const double two[] = {2.0, 2.0};
    ck_assert(fabs(seqtest_log_bf_counts(2, two, 2.0, n) - log(0.8)) < 1e-13);
}
END_TEST

/* log of the marginal likelihood of the counts fed one request at a time, deployment after
 * deployment in turn: prod_t (c p0_x + n_x(t)) / (c + t), minus the null's prod_t p0_x. */
static double predictive_log_bf(size_t k, const double *p0, double c, const uint64_t *n)
{
    uint64_t *seen = calloc(k, sizeof *seen), total = 0, left = 0;
    for (size_t i = 0; i < k; i++)
        left += n[i];
    double lbf = 0.0;
    while (left > 0) {
        for (size_t i = 0; i < k; i++) {
            if (seen[i] == n[i])
                continue;
            lbf += log((c * p0[i] + (double)seen[i]) / (c + (double)total)) - log(p0[i]);
            seen[i]++;
            total++;
            left--;
        }
    }
    free(seen);
    return lbf;
}

START_TEST(matches_predictive_products)
{
    const double p2[] = {0.9, 0.1}, p3[] = {0.5, 0.3, 0.2}, p4[] = {0.25, 0.25, 0.25, 0.25};
    const uint64_t n2[] = {880, 120}, n3[] = {1600, 900, 500}, n4[] = {30, 20, 25, 28};
    const uint64_t far[] = {300, 700};
    const double cs[] = {0.5, 10.0, 100.0, 1000.0};
    for (size_t j = 0; j < 4; j++) {
        const double c = cs[j];
        struct {
            size_t k;
            const double *p;
            const uint64_t *n;
        } cases[] = {{2, p2, n2}, {3, p3, n3}, {4, p4, n4}, {2, p2, far}};
        for (size_t i = 0; i < 4; i++) {
            double want = predictive_log_bf(cases[i].k, cases[i].p, c, cases[i].n);
            double got = seqtest_log_bf_counts(cases[i].k, cases[i].p, c, cases[i].n);
            ck_assert_msg(fabs(got - want) <= 1e-9 * (1.0 + fabs(want)),
                          "case %zu, c %g: closed form %.15g, products %.15g", i, c, got, want);
        }
    }
}
END_TEST

START_TEST(zero_shares_and_running_minimum)
{
    char err[256];
    const double p0[] = {0.0, 0.8, 0.2};
    const uint64_t stray[] = {1, 10, 10};
    ck_assert(seqtest_log_bf_counts(3, p0, 100.0, stray) == INFINITY);

    seqtest *t = seqtest_new(3, p0, 100.0, NULL, err, sizeof err);
    ck_assert_msg(t != NULL, "%s", err);
    ck_assert(seqtest_p_value(t) == 1.0 && seqtest_log_bf(t) == 0.0);
    const uint64_t skewed[] = {0, 300, 200}; /* 60/40 against 80/20: strong evidence */
    seqtest_add(t, skewed);
    double after = seqtest_p_value(t);
    ck_assert(fabs(after - exp(-seqtest_log_bf_counts(3, p0, 100.0, skewed))) < 1e-15);
    ck_assert(after < 1e-6);
    /* many fair requests bring the Bayes factor down; the p-value keeps its minimum */
    const uint64_t fair[] = {0, 400000, 100000 - 200};
    seqtest_add(t, fair);
    ck_assert(seqtest_log_bf(t) < -log(after));
    ck_assert(seqtest_p_value(t) == after);
    ck_assert_uint_eq(seqtest_total(t), 500300);
    seqtest_add(t, stray);
    ck_assert(seqtest_p_value(t) == 0.0);
    seqtest_free(t);

    /* one share: nothing to test, BF 1 */
    const double alone[] = {1.0, 0.0};
    const uint64_t all[] = {1000, 0};
    ck_assert(seqtest_log_bf_counts(2, alone, 100.0, all) == 0.0);

    ck_assert(seqtest_new(2, (const double[]){0.0, 0.0}, 100.0, NULL, err, sizeof err) == NULL);
    ck_assert(seqtest_new(2, p0, 0.0, NULL, err, sizeof err) == NULL);
    ck_assert(seqtest_new(2, (const double[]){-1.0, 2.0}, 100.0, NULL, err, sizeof err) == NULL);
}
END_TEST

enum { RUNS = 2000, LOOKS = 200, BATCH = 50 };

/* Runs of LOOKS looks at BATCH more requests drawn from `truth`, tested against p0; returns
 * the fraction of runs whose sequential p-value ever reached alpha, and through
 * *peeking the fraction in which a fixed-horizon chi-square at any look did. */
static double crossing_rate(const double *p0, const double *truth, double alpha, unsigned long seed,
                            double *peeking)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, seed);
    char err[256];
    int crossed = 0, peeked = 0;
    for (int r = 0; r < RUNS; r++) {
        seqtest *t = seqtest_new(2, p0, SEQTEST_DEFAULT_CONCENTRATION, NULL, err, sizeof err);
        ck_assert(t != NULL);
        uint64_t total[2] = {0, 0};
        int peek_failed = 0;
        for (int look = 0; look < LOOKS; look++) {
            unsigned int draw[2];
            gsl_ran_multinomial(rng, 2, BATCH, truth, draw);
            uint64_t batch[2] = {draw[0], draw[1]};
            total[0] += draw[0];
            total[1] += draw[1];
            seqtest_add(t, batch);
            peek_failed |= splittest_run(2, total, p0, alpha).verdict == SPLITTEST_FAIL;
        }
        crossed += seqtest_p_value(t) <= alpha;
        peeked += peek_failed;
        seqtest_free(t);
    }
    gsl_rng_free(rng);
    *peeking = (double)peeked / RUNS;
    return (double)crossed / RUNS;
}

/* Ville: under the null P(ever <= alpha) <= alpha. With RUNS runs the observed rate exceeds
 * alpha + 3.1 standard errors with probability under 0.1 % even at the bound. Looking at a
 * fixed-horizon test as often inflates its false alarms well past alpha: why this test. */
/* Every look's log BF is the closed form on the counts so far, to the last bit (the reports
 * print it): the test's precomputed constants may not round differently. Shares whose
 * normalised sum is not 1 exactly, a zero share, and counts from small to large. */
START_TEST(looks_are_the_closed_form_exactly)
{
    char err[256];
    const double p0[] = {3.0, 7.0, 0.0, 11.0, 13.0, 0.1}; /* normalised, they sum to 1 - 2^-53 */
    enum { K = sizeof p0 / sizeof p0[0] };
    double sum = 0.0, normalised[K];
    for (size_t i = 0; i < K; i++)
        sum += p0[i];
    for (size_t i = 0; i < K; i++)
        normalised[i] = p0[i] / sum; /* as seqtest_new keeps them */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 17);
    const double cs[] = {0.5, 100.0, 3000.0};
    seqtest_memo *memo = seqtest_memo_new();
    ck_assert_ptr_nonnull(memo);
    for (size_t j = 0; j < 3; j++) {
        seqtest *t = seqtest_new(K, p0, cs[j], memo, err, sizeof err);
        ck_assert_msg(t != NULL, "%s", err);
        uint64_t n[K] = {0};
        for (int look = 0; look < 200; look++) {
            uint64_t batch[K] = {0};
            for (size_t i = 0; i < K; i++)
                if (p0[i] > 0.0)
                    batch[i] = gsl_rng_uniform_int(rng, 1u << (look % 20));
            for (size_t i = 0; i < K; i++)
                n[i] += batch[i];
            seqtest_add(t, batch);
            double want = seqtest_log_bf_counts(K, normalised, cs[j], n);
            ck_assert_msg(seqtest_log_bf(t) == want, "c %g, look %d: %.17g, closed form %.17g",
                          cs[j], look, seqtest_log_bf(t), want);
        }
        seqtest_free(t);
    }
    seqtest_memo_free(memo);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(null_crossing_is_bounded_by_alpha)
{
    const double p0[] = {0.9, 0.1};
    const double alphas[] = {0.05, 0.01};
    for (int i = 0; i < 2; i++) {
        double peeking, rate = crossing_rate(p0, p0, alphas[i], 21 + i, &peeking);
        double bound = alphas[i] + 3.1 * sqrt(alphas[i] * (1.0 - alphas[i]) / RUNS);
        ck_assert_msg(rate <= bound, "alpha %g: crossed in %g of runs (bound %g)", alphas[i], rate,
                      bound);
        ck_assert_msg(peeking > 2.0 * alphas[i], "alpha %g: peeking failed only %g", alphas[i],
                      peeking);
    }
}
END_TEST

/* And it does catch a broken split: 90/10 served as 87/13 over 10k requests. */
START_TEST(catches_a_skew)
{
    const double p0[] = {0.9, 0.1}, skewed[] = {0.87, 0.13};
    double peeking, rate = crossing_rate(p0, skewed, 0.001, 31, &peeking);
    ck_assert_msg(rate > 0.9, "caught only %g of runs", rate);
}
END_TEST

/* A look recomputes only the terms of deployments whose counts changed, yet its Bayes
 * factor is the closed form's on the counts so far to the bit (reports print it): checked
 * over looks with no requests, requests to some deployments, and to all, with unnormalised
 * shares; and a request to a deployment of share 0 makes it infinite from then on. */
START_TEST(looks_match_the_closed_form_bit_for_bit)
{
    const double p0[5] = {3, 1, 0, 2.5, 0.7};
    const uint64_t batches[6][5] = {{0, 0, 0, 0, 0}, {4, 0, 0, 0, 1}, {0, 0, 0, 0, 0},
                                    {9, 7, 0, 3, 2}, {0, 1, 0, 0, 0}, {250, 0, 0, 90000, 3}};
    char err[128];
    seqtest_memo *memo = seqtest_memo_new();
    seqtest *t = seqtest_new(5, p0, 7.5, memo, err, sizeof err);
    ck_assert_ptr_nonnull(t);
    uint64_t n[5] = {0};
    for (size_t b = 0; b < 6; b++) {
        seqtest_add(t, batches[b]);
        for (size_t i = 0; i < 5; i++)
            n[i] += batches[b][i];
        double want = seqtest_log_bf_counts(5, p0, 7.5, n);
        ck_assert_msg(seqtest_log_bf(t) == want, "look %zu: %.17g, closed form %.17g", b,
                      seqtest_log_bf(t), want);
    }
    const uint64_t to_zero_share[5] = {0, 0, 1, 0, 0}, none[5] = {0};
    seqtest_add(t, to_zero_share);
    ck_assert(isinf(seqtest_log_bf(t)) && seqtest_p_value(t) == 0.0);
    seqtest_add(t, none);
    ck_assert(isinf(seqtest_log_bf(t)));
    seqtest_free(t);
    seqtest_memo_free(memo);
}
END_TEST

/* Looks take their lnG values from a memo of earlier answers, shared by the tests of a run;
 * a memo too small to hold them all must still give every look the closed form's bits, and
 * so must one that grows while a test uses it. A small test looks first; then two tests of
 * many deployments with distinct shares join it (the memo grows and starts afresh) and all
 * three look in turn, asking for far more arguments than it has cells, and for arguments
 * that meet in a cell. */
START_TEST(looks_stay_exact_when_the_memo_overflows)
{
    enum { K = 4000, N_LOOKS = 12 };
    static double p0[K], normalised[K];
    static uint64_t n[3][K], batch[K];
    double sum = 0.0;
    for (size_t i = 0; i < K; i++)
        sum += p0[i] = (double)(i + 1);
    for (size_t i = 0; i < K; i++)
        normalised[i] = p0[i] / sum; /* as seqtest_new keeps them */
    const double small[3] = {1.0, 2.0, 5.0}, small_normalised[3] = {1.0 / 8, 2.0 / 8, 5.0 / 8};
    const size_t k[3] = {3, K, K};
    const double cs[3] = {20.0, 100.0, 37.0};
    char err[128];
    seqtest_memo *memo = seqtest_memo_new();
    ck_assert_ptr_nonnull(memo);
    seqtest *t[3] = {seqtest_new(3, small, cs[0], memo, err, sizeof err), NULL, NULL};
    ck_assert_msg(t[0] != NULL, "%s", err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, 5);
    for (int look = 0; look < N_LOOKS; look++)
        for (int j = 0; j < 3; j++) {
            if (!t[j]) {
                t[j] = seqtest_new(K, p0, cs[j], memo, err, sizeof err);
                ck_assert_msg(t[j] != NULL, "%s", err);
            }
            for (size_t i = 0; i < k[j]; i++) {
                batch[i] = gsl_rng_uniform_int(rng, 4);
                n[j][i] += batch[i];
            }
            seqtest_add(t[j], batch);
            double want =
                seqtest_log_bf_counts(k[j], j ? normalised : small_normalised, cs[j], n[j]);
            ck_assert_msg(seqtest_log_bf(t[j]) == want, "c %g, look %d: %.17g, closed form %.17g",
                          cs[j], look, seqtest_log_bf(t[j]), want);
        }
    gsl_rng_free(rng);
    for (int j = 0; j < 3; j++)
        seqtest_free(t[j]);
    seqtest_memo_free(memo);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("seqtest");
    TCase *tc = tcase_create("bayes_factor");
    tcase_add_test(tc, hand_value);
    tcase_add_test(tc, matches_predictive_products);
    tcase_add_test(tc, zero_shares_and_running_minimum);
    tcase_add_test(tc, looks_match_the_closed_form_bit_for_bit);
    tcase_add_test(tc, looks_are_the_closed_form_exactly);
    tcase_add_test(tc, looks_stay_exact_when_the_memo_overflows);
    suite_add_tcase(s, tc);
    tc = tcase_create("anytime_valid");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, null_crossing_is_bounded_by_alpha);
    tcase_add_test(tc, catches_a_skew);
    suite_add_tcase(s, tc);
    return s;
}
