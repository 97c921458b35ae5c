/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/arrivalfeed.h"
#include "sim/base/superpose.h"

#include "tests/check_main.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>
#include <string.h>

/*
 * What the engine relies on from the feed: the arrivals it hands out are the superposed
 * process (superpose.h) drawn from a taus2 stream of the feed's seed, in order, each time
 * the one before plus its gap, ending with the first after the end; the same bits whether
 * a producer thread draws them through a ring of any size or they are drawn as taken; and
 * that freeing the feed stops a producer wherever it waits. The reference sequence is
 * drawn here straight from superpose_next with a generator of our own.
 */

static const double rates[] = {1.0, 2.5, 40.0, 0.5, 56.0}; /* R = 100 */
#define N_RATES (sizeof rates / sizeof rates[0])
enum { SEED = 12345 };
static const double END_S = 200.0; /* about 20,000 arrivals */

/* The whole sequence from a feed of this shape, up to and including the first arrival
 * after END_S; a take past it must give that arrival again. */
static arrivalfeed_arrival *drain(size_t block, size_t blocks, int threaded, size_t *count)
{
    char err[256];
    arrivalfeed_shape shape = {block, blocks, threaded};
    arrivalfeed *f = arrivalfeed_new(N_RATES, rates, SEED, END_S, &shape, err, sizeof err);
    ck_assert_msg(f != NULL, "%s", err);
    ck_assert_int_eq(arrivalfeed_threaded(f), threaded);
    size_t cap = 1024, n = 0;
    arrivalfeed_arrival *all = malloc(cap * sizeof *all);
    ck_assert_ptr_nonnull(all);
    for (;;) {
        size_t got;
        const arrivalfeed_arrival *b = arrivalfeed_take(f, &got);
        ck_assert_uint_ge(got, 1);
        ck_assert_uint_le(got, block);
        if (n + got > cap) {
            cap = 2 * (n + got);
            all = realloc(all, cap * sizeof *all);
            ck_assert_ptr_nonnull(all);
        }
        memcpy(all + n, b, got * sizeof *b);
        n += got;
        if (all[n - 1].time > END_S)
            break;
    }
    for (int k = 0; k < 3; k++) {
        size_t got;
        const arrivalfeed_arrival *past = arrivalfeed_take(f, &got);
        ck_assert_uint_eq(got, 1);
        ck_assert(memcmp(past, &all[n - 1], sizeof *past) == 0);
    }
    arrivalfeed_free(f);
    *count = n;
    return all;
}

/* Bit for bit the sequence superpose_next draws from a taus2 generator seeded alike. */
static void assert_reference(const arrivalfeed_arrival *got, size_t n)
{
    char err[256];
    superpose *sp = superpose_new(N_RATES, rates, err, sizeof err);
    ck_assert_msg(sp != NULL, "%s", err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, SEED);
    double now = 0;
    size_t k = 0;
    do {
        size_t who;
        now = superpose_next(sp, rng, now, &who);
        ck_assert_msg(k < n, "the feed ended at %zu arrivals, before %g s", n, now);
        if (memcmp(&got[k].time, &now, sizeof now) != 0 || got[k].source != who)
            ck_abort_msg("arrival %zu: %.17g from %u, expected %.17g from %zu", k, got[k].time,
                         got[k].source, now, who);
        k++;
    } while (now <= END_S);
    ck_assert_uint_eq(k, n);
    gsl_rng_free(rng);
    superpose_free(sp);
}

START_TEST(inline_blocks_are_the_superposed_sequence)
{
    size_t shapes[][2] = {{1, 2}, {7, 2}, {1024, 8}};
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
        size_t n;
        arrivalfeed_arrival *all = drain(shapes[s][0], shapes[s][1], 0, &n);
        ck_assert_uint_gt(n, 15000);
        assert_reference(all, n);
        free(all);
    }
}
END_TEST

/* Rings of 2 and 3 blocks of 1 and 7 arrivals wrap around thousands of times. */
START_TEST(threaded_blocks_are_the_same_sequence)
{
    size_t shapes[][2] = {{1, 2}, {7, 3}, {7, 2}, {1024, 8}};
    for (int round = 0; round < 3; round++)
        for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
            size_t n;
            arrivalfeed_arrival *all = drain(shapes[s][0], shapes[s][1], 1, &n);
            assert_reference(all, n);
            free(all);
        }
}
END_TEST

/* A producer waiting on a full ring, or still drawing, stops when the feed is freed (the
 * case fails by timing out if it does not). */
START_TEST(free_stops_the_producer_anywhere)
{
    char err[256];
    arrivalfeed_shape shape = {7, 2, 1};
    for (int takes = 0; takes < 4; takes++) {
        arrivalfeed *f = arrivalfeed_new(N_RATES, rates, SEED, 1e12, &shape, err, sizeof err);
        ck_assert_msg(f != NULL, "%s", err);
        for (int k = 0; k < takes; k++) {
            size_t got;
            ck_assert_ptr_nonnull(arrivalfeed_take(f, &got));
        }
        arrivalfeed_free(f);
    }
}
END_TEST

START_TEST(bad_shapes_and_rates_are_refused)
{
    char err[256];
    const double bad[] = {1.0, -2.0};
    arrivalfeed_shape no_ring = {16, 1, 1}, empty = {0, 4, 0}, fine = {16, 4, 1};
    ck_assert_ptr_null(arrivalfeed_new(N_RATES, rates, 1, 1.0, &no_ring, err, sizeof err));
    ck_assert_ptr_null(arrivalfeed_new(N_RATES, rates, 1, 1.0, &empty, err, sizeof err));
    ck_assert_ptr_null(arrivalfeed_new(2, bad, 1, 1.0, &fine, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "rate"));
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("arrivalfeed");
    check_add_case(s, tcase_create("inline_blocks_are_the_superposed_sequence"),
                   inline_blocks_are_the_superposed_sequence, 60);
    check_add_case(s, tcase_create("threaded_blocks_are_the_same_sequence"),
                   threaded_blocks_are_the_same_sequence, 120);
    check_add_case(s, tcase_create("free_stops_the_producer_anywhere"),
                   free_stops_the_producer_anywhere, 30);
    check_add_case(s, tcase_create("bad_shapes_and_rates_are_refused"),
                   bad_shapes_and_rates_are_refused, 10);
    return s;
}
