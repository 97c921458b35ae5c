/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/autoscaler.h"

#include "tests/check_main.h"

/*
 * The autoscaler decides when a migration's capacity arrives, so its timing is held to
 * the windows it promises: a load step scales up once the whole scale-up window has seen
 * it, not a tick before (at most a tick after, as a tick's mean cannot tell when in its 10 s
 * the load rose); a drop scales down only after the scale-down window; zero only
 * after the scale-to-zero window without a request. Ticks are fed by hand.
 */

static world_deployment deployment(long long min, long long max, long long replicas)
{
    world_deployment d = {.min_replicas = min, .max_replicas = max, .replicas = replicas};
    d.autoscaling = WORLD_DEFAULT_AUTOSCALING;
    return d;
}

/* Feed ticks from `from` to `to` (inclusive) with `in_flight`; return the first tick at
 * which the decision differs from the current count (applying it), or -1. */
static double run_until_change(autoscaler *a, world_deployment *d, double from, double to,
                               double in_flight, double idle_from)
{
    for (double t = from; t <= to + 1e-9; t += AUTOSCALER_TICK_S) {
        autoscaler_load load = {in_flight, 0, idle_from < 0 ? 0 : t - idle_from, 0, 0};
        long long n = autoscaler_decide(a, t, &load, 4, d);
        if (n != d->replicas) {
            d->replicas = n;
            return t;
        }
    }
    return -1;
}

START_TEST(scale_up_after_window_not_before)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 10, 1);
    /* 1 request in flight per 4 slots x 0.8: one replica is enough. */
    ck_assert(run_until_change(a, &d, 10, 100, 1.0, -1) < 0);
    /* From t = 100, 10 in flight: ceil(10 / 3.2) = 4 wanted. Each tick summarises the 10 s
     * before it, so the tick at 110 cannot tell a load from 100 on from one in its last
     * second: the window has surely seen the load once 120, 130 and 140 want more too. */
    ck_assert_double_eq(run_until_change(a, &d, 110, 300, 10.0, -1), 140);
    ck_assert_int_eq(d.replicas, 4);
    autoscaler_free(a);
}
END_TEST

/* A tick reports the mean load over its 10 s, so a tick that wants more may have seen the
 * load for only part of them: load rising at 609 s makes the tick at 610 want more (1 s at
 * 100 in flight and 9 s at 1 average 10.9), yet the 30 s window has seen it only at 639 s.
 * The scale-up comes at the first tick after that, 640 s, never at 630 s. */
START_TEST(partly_high_tick_is_not_a_whole_one)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 40, 1);
    ck_assert(run_until_change(a, &d, 10, 600, 1.0, -1) < 0);
    ck_assert(run_until_change(a, &d, 610, 610, 10.9, -1) < 0);
    ck_assert_double_eq(run_until_change(a, &d, 620, 700, 100.0, -1), 640);
    ck_assert_int_eq(d.replicas, 4); /* the smallest count wanted in the window: ceil(10.9/3.2) */
    autoscaler_free(a);
}
END_TEST

START_TEST(short_spike_does_not_scale_up)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 10, 1);
    ck_assert(run_until_change(a, &d, 10, 100, 1.0, -1) < 0);
    ck_assert(run_until_change(a, &d, 110, 120, 10.0, -1) < 0); /* 20 s of load */
    ck_assert(run_until_change(a, &d, 130, 400, 1.0, -1) < 0);
    ck_assert_int_eq(d.replicas, 1);
    autoscaler_free(a);
}
END_TEST

START_TEST(scale_down_after_ten_minutes)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 10, 4);
    ck_assert(run_until_change(a, &d, 10, 600, 10.0, -1) < 0); /* 4 wanted, 4 there */
    /* From t = 600 only 2 in flight: 1 wanted. The window (t - 600, t] and the tick
     * ending at its start must hold only low ticks: 610 ... 1210. */
    ck_assert_double_eq(run_until_change(a, &d, 610, 2000, 2.0, -1), 1210);
    ck_assert_int_eq(d.replicas, 1);
    autoscaler_free(a);
}
END_TEST

START_TEST(scale_to_zero_after_idle_window)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(0, 4, 1);
    /* Idle since t = 0: the down window keeps one replica (never below 1 that way) until
     * an hour without requests allows zero. */
    ck_assert_double_eq(run_until_change(a, &d, 10, 7200, 0.0, 0), 3600);
    ck_assert_int_eq(d.replicas, 0);
    autoscaler_free(a);
}
END_TEST

START_TEST(min_one_never_reaches_zero)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 4, 1);
    ck_assert(run_until_change(a, &d, 10, 7200, 0.0, 0) < 0);
    ck_assert_int_eq(d.replicas, 1);
    autoscaler_free(a);
}
END_TEST

START_TEST(bounded_by_max)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 3, 1);
    ck_assert_double_eq(run_until_change(a, &d, 10, 100, 1000.0, -1), 40);
    ck_assert_int_eq(d.replicas, 3);
    autoscaler_free(a);
}
END_TEST

START_TEST(largest_target_wins)
{
    autoscaler *a = autoscaler_new();
    world_deployment d = deployment(1, 20, 1);
    d.autoscaling.load_requests_per_second = 5;
    /* 2 in flight asks for 1 replica; 23 arrivals/s at 5 per replica asks for 5. */
    for (double t = 10; t <= 40; t += AUTOSCALER_TICK_S) {
        autoscaler_load load = {2.0, 23.0, 0, 0, 0};
        long long n = autoscaler_decide(a, t, &load, 4, &d);
        ck_assert_int_eq(n, t < 40 ? 1 : 5);
    }
    autoscaler_free(a);
}
END_TEST

/* The token targets are per replica like requests_per_second: 2500 generated tokens/s at
 * 1000 per replica asks for ceil(2.5) = 3, 9000 prompt tokens/s at 2000 per replica for
 * ceil(4.5) = 5; the largest wins, once the scale-up window has seen it (at 40 s). */
START_TEST(token_targets_per_replica)
{
    for (int prompt = 0; prompt < 2; prompt++) {
        autoscaler *a = autoscaler_new();
        world_deployment d = deployment(1, 20, 1);
        d.autoscaling.load_tokens_generated_per_second = 1000;
        d.autoscaling.load_prompt_tokens_per_second = prompt ? 2000 : 0;
        for (double t = 10; t <= 40; t += AUTOSCALER_TICK_S) {
            autoscaler_load load = {
                .in_flight = 1, .prompt_tokens_per_s = 9000, .output_tokens_per_s = 2500};
            long long n = autoscaler_decide(a, t, &load, 4, &d);
            ck_assert_int_eq(n, t < 40 ? 1 : prompt ? 5 : 3);
        }
        autoscaler_free(a);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("autoscaler");
    TCase *tc;
    suite_add_tcase(s, tc = tcase_create("scale_up_after_window_not_before"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, scale_up_after_window_not_before);
    suite_add_tcase(s, tc = tcase_create("partly_high_tick_is_not_a_whole_one"));
    tcase_add_test(tc, partly_high_tick_is_not_a_whole_one);
    suite_add_tcase(s, tc = tcase_create("short_spike_does_not_scale_up"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, short_spike_does_not_scale_up);
    suite_add_tcase(s, tc = tcase_create("scale_down_after_ten_minutes"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, scale_down_after_ten_minutes);
    suite_add_tcase(s, tc = tcase_create("scale_to_zero_after_idle_window"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, scale_to_zero_after_idle_window);
    suite_add_tcase(s, tc = tcase_create("min_one_never_reaches_zero"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, min_one_never_reaches_zero);
    suite_add_tcase(s, tc = tcase_create("bounded_by_max"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bounded_by_max);
    suite_add_tcase(s, tc = tcase_create("largest_target_wins"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, largest_target_wins);
    check_add_case(s, tcase_create("token_targets_per_replica"), token_targets_per_replica, 60);
    return s;
}
