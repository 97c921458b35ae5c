/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/routerfault.h"
#include "sim/base/splittest.h"
#include "sim/base/srmpower.h"

#include "tests/check_main.h"

#include <gsl/gsl_rng.h>
#include <math.h>

/*
 * Injected faults are how users learn whether the split test would catch a broken router,
 * so each must produce exactly the split it claims: a skew the deviation srmpower plans
 * for, a dropout the others' proportions, sticky clients the deployment they first got.
 * Counts over many seeded picks are held to those shares by a chi-square test at
 * alpha 1e-6 (a false alarm once in a million runs), and the same counts must fail against
 * the correct router's shares.
 */

enum { PICKS = 400000 };

static gsl_rng *seeded(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, seed);
    return rng;
}

static void count_picks(routerfault *f, selector *s, const size_t *ids, gsl_rng *rng, double now,
                        size_t n, uint64_t *counts)
{
    for (size_t i = 0; i < n; i++)
        counts[i] = 0;
    for (int r = 0; r < PICKS; r++) {
        int pick = routerfault_pick(f, s, ids, rng, now);
        ck_assert_int_ge(pick, 0);
        counts[pick]++;
    }
}

static void assert_split(size_t n, const uint64_t *counts, const double *shares, int consistent)
{
    splittest_result t = splittest_run(n, counts, shares, 1e-6);
    ck_assert_msg((t.verdict == SPLITTEST_PASS) == consistent, "chi2 %g, p %g: expected %s", t.chi2,
                  t.p_value, consistent ? "consistent" : "inconsistent");
}

START_TEST(skew_is_srmpowers_deviation)
{
    char err[256];
    const size_t ids[] = {10, 20, 30};
    const uint32_t w[] = {5, 3, 2};
    const double p0[] = {0.5, 0.3, 0.2};
    const double shifts[] = {0.01, -0.05, 0.3};
    const size_t target[] = {30, 10, 20};
    for (int c = 0; c < 3; c++) {
        selector *s = selector_new(SELECTOR_WEIGHTED_RANDOM, 3, w);
        routerfault_spec spec = ROUTERFAULT_NO_FAULTS;
        spec.skew_id = target[c];
        spec.skew_shift = shifts[c];
        routerfault *f = routerfault_new(&spec, err, sizeof err);
        ck_assert_msg(f != NULL, "%s", err);
        gsl_rng *rng = seeded(100 + (unsigned long)c);
        uint64_t counts[3];
        count_picks(f, s, ids, rng, 0.0, 3, counts);
        srmpower_deviation d = {SRMPOWER_ABSOLUTE, shifts[c], (long)(target[c] / 10 - 1)};
        double p1[3];
        size_t which;
        ck_assert_int_eq(srmpower_deviate(3, p0, &d, p1, &which, err, sizeof err), 0);
        assert_split(3, counts, p1, 1);
        assert_split(3, counts, p0, 0);
        gsl_rng_free(rng);
        routerfault_free(f);
        selector_free(s);
    }
}
END_TEST

START_TEST(dropout_keeps_the_others_proportions)
{
    char err[256];
    const size_t ids[] = {7, 8, 9};
    const uint32_t w[] = {5, 3, 2};
    selector *s = selector_new(SELECTOR_WEIGHTED_RANDOM, 3, w);
    routerfault_spec spec = ROUTERFAULT_NO_FAULTS;
    spec.drop_id = 7;
    spec.drop_from_s = 10.0;
    spec.drop_to_s = 20.0;
    routerfault *f = routerfault_new(&spec, err, sizeof err);
    ck_assert(f != NULL);
    gsl_rng *rng = seeded(5);
    uint64_t counts[3];
    count_picks(f, s, ids, rng, 15.0, 3, counts);
    ck_assert_uint_eq(counts[0], 0);
    assert_split(3, counts, (const double[]){0.0, 0.6, 0.4}, 1);
    count_picks(f, s, ids, rng, 20.0, 3, counts); /* the interval is half-open */
    assert_split(3, counts, (const double[]){0.5, 0.3, 0.2}, 1);

    /* the only deployment with weight drops out: no replicas */
    const uint32_t alone[] = {4, 0, 0};
    ck_assert_int_eq(selector_set_weights(s, alone), 0);
    ck_assert_int_eq(routerfault_pick(f, s, ids, rng, 10.0), SELECTOR_NO_REPLICAS);
    ck_assert_int_eq(routerfault_pick(f, s, ids, rng, 9.0), 0);
    gsl_rng_free(rng);
    routerfault_free(f);
    selector_free(s);
}
END_TEST

START_TEST(sticky_clients_keep_their_deployment)
{
    char err[256];
    const size_t ids[] = {1, 2};
    const uint32_t even[] = {1, 1}, more_b[] = {1, 3}, only_b[] = {0, 1};
    selector *s = selector_new(SELECTOR_WEIGHTED_RANDOM, 2, even);
    routerfault_spec spec = ROUTERFAULT_NO_FAULTS;
    spec.sticky_clients = 1;
    spec.sticky_fraction = 1.0;
    routerfault *f = routerfault_new(&spec, err, sizeof err);
    gsl_rng *rng = seeded(9);
    int first = routerfault_pick(f, s, ids, rng, 0.0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(routerfault_pick(f, s, ids, rng, 0.0), first);
    /* its deployment loses every replica: the client moves, and stays on the new one */
    const uint32_t *none_for_first = first == 0 ? only_b : (const uint32_t[]){1, 0};
    ck_assert_int_eq(selector_set_weights(s, none_for_first), 0);
    int moved = routerfault_pick(f, s, ids, rng, 0.0);
    ck_assert_int_ne(moved, first);
    ck_assert_int_eq(selector_set_weights(s, even), 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(routerfault_pick(f, s, ids, rng, 0.0), moved);
    routerfault_free(f);

    /* 2000 clients placed 50/50 keep that split when the replicas go 1:3: the router's
     * new shares are not what they see */
    spec.sticky_clients = 2000;
    f = routerfault_new(&spec, err, sizeof err);
    for (int i = 0; i < 20000; i++)
        routerfault_pick(f, s, ids, rng, 0.0);
    ck_assert_int_eq(selector_set_weights(s, more_b), 0);
    uint64_t counts[2];
    count_picks(f, s, ids, rng, 0.0, 2, counts);
    double share_b = (double)counts[1] / PICKS;
    ck_assert_msg(fabs(share_b - 0.5) < 0.06, "share of b %g: clients did not stay", share_b);
    routerfault_free(f);

    /* half the requests sticky, half fresh: the fresh half follows the replicas */
    spec.sticky_fraction = 0.5;
    f = routerfault_new(&spec, err, sizeof err);
    ck_assert_int_eq(selector_set_weights(s, only_b), 0);
    count_picks(f, s, ids, rng, 0.0, 2, counts);
    ck_assert_uint_eq(counts[0], 0);
    routerfault_free(f);
    gsl_rng_free(rng);
    selector_free(s);
}
END_TEST

START_TEST(invalid_specs)
{
    char err[256];
    routerfault_spec spec = ROUTERFAULT_NO_FAULTS;
    spec.skew_shift = 1.5;
    ck_assert(routerfault_new(&spec, err, sizeof err) == NULL);
    spec = ROUTERFAULT_NO_FAULTS;
    spec.drop_id = 1;
    spec.drop_from_s = 5.0;
    spec.drop_to_s = 1.0;
    ck_assert(routerfault_new(&spec, err, sizeof err) == NULL);
    spec = ROUTERFAULT_NO_FAULTS;
    spec.sticky_clients = 10;
    spec.sticky_fraction = 1.5;
    ck_assert(routerfault_new(&spec, err, sizeof err) == NULL);
    spec.sticky_fraction = NAN;
    ck_assert(routerfault_new(&spec, err, sizeof err) == NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("routerfault");
    TCase *tc = tcase_create("faults");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, skew_is_srmpowers_deviation);
    tcase_add_test(tc, dropout_keeps_the_others_proportions);
    tcase_add_test(tc, sticky_clients_keep_their_deployment);
    tcase_add_test(tc, invalid_specs);
    suite_add_tcase(s, tc);
    return s;
}
