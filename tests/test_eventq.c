/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/eventq.h"

#include "tests/check_main.h"

#include <gsl/gsl_rng.h>
#include <stdlib.h>

/*
 * The engine relies on two things: events come out in time order, and events at the same
 * time come out in the order they went in (timeline events at one instant apply in file
 * order). Checked against a plain reference: the pushes, sorted by (time, push order).
 */

static eventq *must_new(void)
{
    eventq *q = eventq_new();
    ck_assert_ptr_nonnull(q);
    return q;
}

START_TEST(pops_in_time_order)
{
    const double times[] = {5.0, 1.0, 4.0, 2.5, 0.0, 3.0, 1e9, 0.5};
    const int order[] = {4, 7, 1, 3, 5, 2, 0, 6}; /* indices of times, ascending */
    eventq *q = must_new();
    for (int i = 0; i < 8; i++)
        ck_assert_int_eq(eventq_push(q, times[i], 10 + i, i), 0);
    ck_assert_uint_eq(eventq_size(q), 8);

    for (int k = 0; k < 8; k++) {
        eventq_event e;
        ck_assert_double_eq(eventq_peek(q)->time, times[order[k]]);
        ck_assert_int_eq(eventq_pop(q, &e), 1);
        ck_assert_int_eq(e.index, order[k]);
        ck_assert_int_eq(e.kind, 10 + order[k]);
        ck_assert_double_eq(e.time, times[order[k]]);
        ck_assert_uint_eq(e.seq, (uint64_t)order[k]);
    }
    ck_assert_uint_eq(eventq_size(q), 0);
    eventq_free(q);
}
END_TEST

START_TEST(ties_pop_in_push_order)
{
    eventq *q = must_new();
    /* three instants, pushed interleaved: within each, index must come back ascending */
    for (int i = 0; i < 300; i++)
        ck_assert_int_eq(eventq_push(q, (double)(2 - i % 3), 0, i), 0);
    int last_index = -1;
    double last_time = -1.0;
    for (int k = 0; k < 300; k++) {
        eventq_event e;
        ck_assert_int_eq(eventq_pop(q, &e), 1);
        if (e.time == last_time)
            ck_assert_int_gt(e.index, last_index);
        else
            ck_assert_double_gt(e.time, last_time);
        last_time = e.time;
        last_index = e.index;
    }
    eventq_free(q);
}
END_TEST

typedef struct {
    double time;
    int index;
    int live;
} reference_event;

/* The earliest live event, first pushed among equal times; -1 when none is live. */
static int reference_min(const reference_event *r, int count)
{
    int best = -1;
    for (int i = 0; i < count; i++)
        if (r[i].live && (best < 0 || r[i].time < r[best].time))
            best = i;
    return best;
}

START_TEST(interleaved_against_reference)
{
    enum { OPS = 4000 };
    static reference_event ref[OPS];
    int pushed = 0, mismatches = 0;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 11);
    eventq *q = must_new();

    for (int op = 0; op < OPS; op++) {
        if (gsl_rng_uniform(rng) < 0.55) {
            double t = (double)gsl_rng_uniform_int(rng, 50); /* many ties */
            ref[pushed] = (reference_event){t, pushed, 1};
            ck_assert_int_eq(eventq_push(q, t, pushed % 7, pushed), 0);
            pushed++;
            continue;
        }
        int want = reference_min(ref, pushed);
        eventq_event e;
        int got = eventq_pop(q, &e);
        if (want < 0) {
            mismatches += got != 0;
            continue;
        }
        mismatches += got != 1 || e.index != want || e.time != ref[want].time ||
                      e.kind != want % 7 || e.seq != (uint64_t)want;
        ref[want].live = 0;
    }
    ck_assert_int_eq(mismatches, 0);
    gsl_rng_free(rng);
    eventq_free(q);
}
END_TEST

static int by_time_then_index(const void *a, const void *b)
{
    const reference_event *x = a, *y = b;
    if (x->time != y->time)
        return x->time < y->time ? -1 : 1;
    return (x->index > y->index) - (x->index < y->index);
}

START_TEST(grows_to_a_hundred_thousand)
{
    enum { N = 100000 };
    static reference_event ref[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 12);
    eventq *q = must_new();
    for (int i = 0; i < N; i++) {
        ref[i] = (reference_event){gsl_rng_uniform(rng) * 3600.0, i, 1};
        ck_assert_int_eq(eventq_push(q, ref[i].time, 0, i), 0);
    }
    ck_assert_uint_eq(eventq_size(q), N);
    qsort(ref, N, sizeof ref[0], by_time_then_index);

    int mismatches = 0;
    for (int k = 0; k < N; k++) {
        eventq_event e;
        mismatches += eventq_pop(q, &e) != 1 || e.index != ref[k].index;
    }
    ck_assert_int_eq(mismatches, 0);
    ck_assert_uint_eq(eventq_size(q), 0);
    gsl_rng_free(rng);
    eventq_free(q);
}
END_TEST

START_TEST(empty_queue)
{
    eventq *q = must_new();
    eventq_event e;
    ck_assert_uint_eq(eventq_size(q), 0);
    ck_assert_ptr_null(eventq_peek(q));
    ck_assert_int_eq(eventq_pop(q, &e), 0);

    ck_assert_int_eq(eventq_push(q, 1.0, 2, 3), 0);
    ck_assert_int_eq(eventq_pop(q, &e), 1);
    ck_assert_int_eq(e.index, 3);
    ck_assert_int_eq(eventq_pop(q, &e), 0);
    ck_assert_ptr_null(eventq_peek(q));
    ck_assert_uint_eq(eventq_size(q), 0);
    eventq_free(q);
    eventq_free(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("eventq");
    TCase *tc;

    tc = tcase_create("time_order");
    tcase_add_test(tc, pops_in_time_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("ties_in_push_order");
    tcase_add_test(tc, ties_pop_in_push_order);
    suite_add_tcase(s, tc);

    tc = tcase_create("interleaved_reference");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, interleaved_against_reference);
    suite_add_tcase(s, tc);

    tc = tcase_create("growth");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, grows_to_a_hundred_thousand);
    suite_add_tcase(s, tc);

    tc = tcase_create("empty");
    tcase_add_test(tc, empty_queue);
    suite_add_tcase(s, tc);

    return s;
}
