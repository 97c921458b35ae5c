/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/latency.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/*
 * The histogram promises one thing a capacity gate relies on: any quantile it reports is
 * within LATENCY_RELATIVE_ERROR of the exact nearest-rank quantile of the samples. Every
 * test computes that exact quantile itself (sorting, or a closed form) and holds the
 * histogram to the documented bound, with no further slack.
 */

static const double bound = LATENCY_RELATIVE_ERROR;

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The exact nearest-rank q-quantile of n sorted samples. */
static double exact_quantile(const double *sorted, size_t n, double q)
{
    size_t rank = (size_t)ceil(q * (double)n);
    return sorted[(rank < 1 ? 1 : rank) - 1];
}

static void assert_within_bound(double got, double exact, double q)
{
    ck_assert_msg(fabs(got - exact) <= bound * exact,
                  "q = %.6g: got %.17g, exact %.17g (relative error %.3g > %.3g)", q, got, exact,
                  fabs(got - exact) / exact, bound);
}

/* Feeds the samples in a scrambled order (the histogram must not depend on it), sorts them,
 * and checks the quantiles q = j / 1000 for every j. */
static void check_quantiles(double *samples, size_t n)
{
    latency *h = latency_new();
    ck_assert_ptr_nonnull(h);
    for (size_t i = 0; i < n; i++)
        latency_add(h, samples[(i * 7919) % n]);
    qsort(samples, n, sizeof *samples, by_value);
    ck_assert_uint_eq(latency_count(h), n);
    for (int j = 1; j <= 1000; j++) {
        double q = j / 1000.0;
        assert_within_bound(latency_quantile(h, q), exact_quantile(samples, n, q), q);
    }
    latency_free(h);
}

/* 1 ms to 10 s in 1 ms steps (n = 10000 is prime to the scrambling stride 7919). */
START_TEST(uniform_grid_quantiles)
{
    enum { N = 10000 };
    static double samples[N];
    for (size_t k = 0; k < N; k++)
        samples[k] = (double)(k + 1) * 1e-3;
    check_quantiles(samples, N);
}
END_TEST

/* Exponential service times with rate mu, by the inverse CDF on the grid (k - 1/2) / n: the
 * nearest-rank quantile is then known in closed form, x(r) = -ln(1 - (r - 1/2) / n) / mu with
 * r = ceil(q n), which tends to the distribution's -ln(1 - q) / mu. */
START_TEST(exponential_quantiles)
{
    enum { N = 100003 };
    const double mu = 4.0;
    static double samples[N];
    for (size_t k = 0; k < N; k++)
        samples[k] = -log1p(-((double)k + 0.5) / N) / mu;
    check_quantiles(samples, N);
    const double qs[] = {0.5, 0.9, 0.99, 0.999};
    for (size_t i = 0; i < sizeof qs / sizeof qs[0]; i++) {
        double rank = ceil(qs[i] * N);
        double closed_form = -log1p(-(rank - 0.5) / N) / mu;
        ck_assert_double_eq_tol(exact_quantile(samples, N, qs[i]), closed_form,
                                1e-12 * closed_form);
    }
}
END_TEST

/* Log-spaced values over the whole documented range, each the exact quantile of its own
 * rank, so that every bucket and the values near its edges are held to the bound. */
START_TEST(every_rank_over_the_range)
{
    enum { N = 50000 };
    static double samples[N];
    double span = log(LATENCY_MAX_S / LATENCY_MIN_S);
    for (size_t k = 0; k < N; k++)
        samples[k] = LATENCY_MIN_S * exp(span * (double)k / (N - 1));
    samples[N - 1] = LATENCY_MAX_S;
    latency *h = latency_new();
    for (size_t k = 0; k < N; k++)
        latency_add(h, samples[k]);
    for (size_t k = 0; k < N; k++) {
        double q = ((double)k + 0.5) / N; /* rank ceil(q n) = k + 1 */
        assert_within_bound(latency_quantile(h, q), samples[k], q);
    }
    latency_free(h);
}
END_TEST

/* Dyadic samples (multiples of 1/1024) keep every sum exact whatever the order of
 * addition, so a merged histogram must equal the one-piece histogram bit for bit. */
START_TEST(merge_equals_single)
{
    latency *even = latency_new(), *odd = latency_new(), *all = latency_new();
    latency *empty = latency_new();
    for (int k = 1; k <= 20000; k++) {
        double x = (double)((k * 37) % 20011) / 1024.0;
        latency_add(k % 2 ? odd : even, x);
        latency_add(all, x);
    }
    latency_merge(even, odd);
    latency_merge(even, empty);
    ck_assert_uint_eq(latency_count(even), latency_count(all));
    ck_assert_double_eq(latency_mean(even), latency_mean(all));
    ck_assert_double_eq(latency_max(even), latency_max(all));
    for (int j = 1; j <= 1000; j++)
        ck_assert_double_eq(latency_quantile(even, j / 1000.0), latency_quantile(all, j / 1000.0));

    latency_merge(empty, all);
    ck_assert_uint_eq(latency_count(empty), 20000);
    ck_assert_double_eq(latency_mean(empty), latency_mean(all));
    ck_assert_double_eq(latency_quantile(empty, 0.5), latency_quantile(all, 0.5));
    latency_free(even);
    latency_free(odd);
    latency_free(all);
    latency_free(empty);
}
END_TEST

/* A deterministic but irregular set: values from a 64-bit linear congruential generator
 * (Knuth's MMIX constants), log-spread over 1 us .. 100 s, each repeated 1 to 3 times so
 * that ties straddle ranks. The exact quantiles come from sorting the set in the test. */
START_TEST(pseudorandom_set_quantiles)
{
    enum { N = 30011 };
    static double samples[N];
    uint64_t state = 12345;
    size_t k = 0;
    while (k < N) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        double u = (double)(state >> 11) / 9007199254740992.0; /* [0, 1) from 53 bits */
        double x = 1e-6 * pow(1e8, u);
        for (int copies = 1 + (int)(state & 3) % 3; copies > 0 && k < N; copies--)
            samples[k++] = x;
    }
    check_quantiles(samples, N);
}
END_TEST

/* Merging is associative and the same as adding every sample to one histogram: counts,
 * maximum and every quantile agree exactly, the mean to rounding (the sums are added in
 * another order). The pieces are uneven and overlap in range. */
START_TEST(merge_is_associative)
{
    latency *a = latency_new(), *b = latency_new(), *c = latency_new(), *all = latency_new();
    latency *ab_c = latency_new(), *a_bc = latency_new(), *bc = latency_new();
    for (int k = 1; k <= 30000; k++) {
        double x = 0.001 * (1 + (k * 7919) % 9973) * (k % 5 == 0 ? 40.0 : 1.0);
        latency_add(k % 7 == 0 ? a : k % 3 == 0 ? b : c, x);
        latency_add(all, x);
    }
    latency_merge(ab_c, a); /* (a + b) + c */
    latency_merge(ab_c, b);
    latency_merge(ab_c, c);
    latency_merge(bc, b); /* a + (b + c) */
    latency_merge(bc, c);
    latency_merge(a_bc, a);
    latency_merge(a_bc, bc);
    const latency *merged[] = {ab_c, a_bc};
    for (int m = 0; m < 2; m++) {
        ck_assert_uint_eq(latency_count(merged[m]), latency_count(all));
        ck_assert_double_eq(latency_max(merged[m]), latency_max(all));
        ck_assert_double_eq_tol(latency_mean(merged[m]), latency_mean(all),
                                1e-12 * latency_mean(all));
        for (int j = 1; j <= 1000; j++)
            ck_assert_double_eq(latency_quantile(merged[m], j / 1000.0),
                                latency_quantile(all, j / 1000.0));
    }
    latency *pieces[] = {a, b, c, all, ab_c, a_bc, bc};
    for (size_t i = 0; i < sizeof pieces / sizeof pieces[0]; i++)
        latency_free(pieces[i]);
}
END_TEST

/* What the histogram reports for a lone value x: the median of {below, x, above} with
 * `below` and `above` outside the range, so that neither the minimum nor the maximum of the
 * samples clamps the report and it is the bucket's own. */
static double lone_report(latency *h, double x)
{
    latency_reset(h);
    latency_add(h, LATENCY_MIN_S / 10);
    latency_add(h, x);
    latency_add(h, LATENCY_MAX_S * 10);
    return latency_quantile(h, 0.5);
}

/* The bound at the buckets' edges, found from outside: values a relative 1e-3 apart over
 * the whole range; wherever the report changes between two neighbours, bisection narrows
 * the change down to two adjacent doubles, the last value of one bucket and the first of
 * the next, and both must be within the bound. Every probe is held to it too. */
START_TEST(bound_at_bucket_edges)
{
    latency *h = latency_new();
    size_t edges = 0;
    double x = LATENCY_MIN_S * 1.0001, before = lone_report(h, x);
    while (x < LATENCY_MAX_S / 1.001) {
        double next = x * 1.001, report = lone_report(h, next);
        assert_within_bound(report, next, 0.5);
        if (report != before) {
            double lo = x, hi = next; /* lone_report(lo) == before != lone_report(hi) */
            while (nextafter(lo, hi) < hi) {
                double mid = lo + (hi - lo) / 2;
                if (mid <= lo || mid >= hi)
                    mid = nextafter(lo, hi);
                if (lone_report(h, mid) == before)
                    lo = mid;
                else
                    hi = mid;
            }
            assert_within_bound(lone_report(h, lo), lo, 0.5);
            assert_within_bound(lone_report(h, hi), hi, 0.5);
            edges++;
        }
        x = next;
        before = report;
    }
    /* Buckets 2 % wide over twelve decades: more than a thousand edges crossed. */
    ck_assert_uint_gt(edges, 1000);
    latency_free(h);
}
END_TEST

START_TEST(count_mean_max_exact)
{
    latency *h = latency_new();
    const double xs[] = {0.25, 0.5, 3.0, 1.25};
    for (size_t i = 0; i < 4; i++)
        latency_add(h, xs[i]);
    ck_assert_uint_eq(latency_count(h), 4);
    ck_assert_double_eq(latency_mean(h), 1.25);
    ck_assert_double_eq(latency_max(h), 3.0);
    assert_within_bound(latency_quantile(h, 0.5), 0.5, 0.5);
    assert_within_bound(latency_quantile(h, 0.75), 1.25, 0.75);
    assert_within_bound(latency_quantile(h, 1.0), 3.0, 1.0);
    assert_within_bound(latency_quantile(h, 1e-9), 0.25, 1e-9);
    latency_free(h);
}
END_TEST

START_TEST(empty_histogram)
{
    latency *h = latency_new();
    ck_assert_uint_eq(latency_count(h), 0);
    ck_assert_double_eq(latency_mean(h), 0);
    ck_assert_double_eq(latency_max(h), 0);
    ck_assert_double_eq(latency_quantile(h, 0.5), 0);
    ck_assert_double_eq(latency_quantile(h, 1.0), 0);
    latency_add(h, 2.0);
    latency_reset(h);
    ck_assert_uint_eq(latency_count(h), 0);
    ck_assert_double_eq(latency_mean(h), 0);
    ck_assert_double_eq(latency_max(h), 0);
    ck_assert_double_eq(latency_quantile(h, 0.99), 0);
    latency_free(h);
}
END_TEST

/* Zeros added at once, between other samples, are the zeros added one by one: samples
 * {0.5, 0, 0, 0, 2} have count 5, mean 2.5 / 5 and maximum 2, the ranks 1 to 3 are 0 (its
 * bucket reports about LATENCY_MIN_S, as latency_add(h, 0) does) and the ranks 4 and 5 are
 * 0.5 and 2. */
START_TEST(zeros_at_once)
{
    latency *h = latency_new(), *one_by_one = latency_new();
    latency_add_zeros(h, 0);
    ck_assert_uint_eq(latency_count(h), 0);
    latency_add(h, 0.5);
    latency_add_zeros(h, 3);
    latency_add(h, 2.0);
    ck_assert_uint_eq(latency_count(h), 5);
    ck_assert_double_eq(latency_mean(h), 0.5);
    ck_assert_double_eq(latency_max(h), 2.0);
    const double one_by_one_samples[] = {0.5, 0, 0, 0, 2.0};
    for (int i = 0; i < 5; i++)
        latency_add(one_by_one, one_by_one_samples[i]);
    for (int rank = 1; rank <= 5; rank++)
        ck_assert_double_eq(latency_quantile(h, rank / 5.0),
                            latency_quantile(one_by_one, rank / 5.0));
    ck_assert_double_le(latency_quantile(h, 0.2), LATENCY_MIN_S * (1 + LATENCY_RELATIVE_ERROR));
    ck_assert_double_le(latency_quantile(h, 0.6), LATENCY_MIN_S * (1 + LATENCY_RELATIVE_ERROR));
    assert_within_bound(latency_quantile(h, 0.8), 0.5, 0.8);
    assert_within_bound(latency_quantile(h, 1.0), 2.0, 1.0);
    latency_free(one_by_one);
    latency_free(h);
}
END_TEST

/* Out-of-range values fall into the end buckets and report near the range's ends; the
 * count, mean and maximum stay exact. */
START_TEST(clamping_at_the_ends)
{
    latency *low = latency_new(), *high = latency_new(), *junk = latency_new();
    const double small[] = {1e-9, 1e-12, 1e-8, 1.0};
    const double large[] = {1e7, 1e9, 1e8, 1.0};
    for (size_t i = 0; i < 4; i++) {
        latency_add(low, small[i]);
        latency_add(high, large[i]);
    }
    assert_within_bound(latency_quantile(low, 0.5), LATENCY_MIN_S, 0.5);
    assert_within_bound(latency_quantile(high, 0.75), LATENCY_MAX_S, 0.75);
    ck_assert_double_eq(latency_max(high), 1e9);
    ck_assert_double_eq(latency_mean(high), (1e7 + 1e9 + 1e8 + 1.0) / 4);
    ck_assert_double_eq(latency_max(low), 1.0);

    latency_add(junk, NAN);
    latency_add(junk, -5.0);
    latency_add(junk, -INFINITY);
    ck_assert_uint_eq(latency_count(junk), 3);
    ck_assert_double_eq(latency_mean(junk), 0);
    ck_assert_double_eq(latency_max(junk), 0);
    ck_assert_double_eq(latency_quantile(junk, 1.0), 0);
    latency_add(junk, INFINITY);
    ck_assert_double_eq(latency_max(junk), LATENCY_MAX_S);
    ck_assert_double_eq(latency_mean(junk), LATENCY_MAX_S / 4);
    latency_free(low);
    latency_free(high);
    latency_free(junk);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("latency");
    TCase *tc;

    tc = tcase_create("uniform_grid");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, uniform_grid_quantiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("exponential_quantiles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exponential_quantiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("every_rank_over_range");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, every_rank_over_the_range);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge_equals_single");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, merge_equals_single);
    suite_add_tcase(s, tc);

    tc = tcase_create("pseudorandom_set_quantiles");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, pseudorandom_set_quantiles);
    suite_add_tcase(s, tc);

    tc = tcase_create("merge_is_associative");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, merge_is_associative);
    suite_add_tcase(s, tc);

    tc = tcase_create("bound_at_bucket_edges");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, bound_at_bucket_edges);
    suite_add_tcase(s, tc);

    tc = tcase_create("count_mean_max_exact");
    tcase_add_test(tc, count_mean_max_exact);
    suite_add_tcase(s, tc);

    tc = tcase_create("empty");
    tcase_add_test(tc, empty_histogram);
    suite_add_tcase(s, tc);

    tc = tcase_create("zeros_at_once");
    tcase_add_test(tc, zeros_at_once);
    suite_add_tcase(s, tc);

    tc = tcase_create("clamping");
    tcase_add_test(tc, clamping_at_the_ends);
    suite_add_tcase(s, tc);

    return s;
}
