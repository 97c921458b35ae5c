/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/looklog.h"

#include "tests/check_main.h"

#include <math.h>
#include <string.h>

static void add(looklog *l, double window_s, size_t bin, double at_s, uint64_t requests,
                double p_value)
{
    looklog_look look = {at_s, requests, p_value};
    ck_assert_int_eq(looklog_add(l, window_s, bin, &look), 0);
}

/* Every look reads back bit for bit, in order. */
static void expect(const looklog *l, const looklog_look *want, size_t n)
{
    ck_assert_uint_eq(l->n, n);
    looklog_iter it;
    looklog_look look;
    size_t k = 0;
    for (looklog_begin(&it, l); looklog_next(&it, &look); k++) {
        ck_assert_uint_lt(k, n);
        ck_assert_msg(memcmp(&look.at_s, &want[k].at_s, sizeof look.at_s) == 0,
                      "look %zu at %.17g, expected %.17g", k, look.at_s, want[k].at_s);
        ck_assert_msg(look.requests == want[k].requests, "look %zu: %llu requests, expected %llu",
                      k, (unsigned long long)look.requests, (unsigned long long)want[k].requests);
        ck_assert_msg(memcmp(&look.p_value, &want[k].p_value, sizeof look.p_value) == 0,
                      "look %zu: p %.17g, expected %.17g", k, look.p_value, want[k].p_value);
    }
    ck_assert_uint_eq(k, n);
}

/* A phase opened in bin 3 of 0.05 s bins looks at each bin's end, and once more when it
 * closes between two bins' ends: the times, requests and p-values read back as written, and
 * looks at bin ends with an unchanged p-value take one byte each. */
START_TEST(a_phase_closing_mid_bin_reads_back)
{
    const looklog_look want[] = {
        {4 * 0.05, 6, 1.0},           {5 * 0.05, 9, 1.0},
        {6 * 0.05, 12, 0.9945449556}, {7 * 0.05, 17, 0.9945449556},
        {8 * 0.05, 22, 0.9945449556}, {0.4123, 23, 0.3}, /* the phase closed 0.0123 s into bin 8 */
    };
    size_t n = sizeof want / sizeof *want;
    looklog l = {0};
    for (size_t k = 0; k < n; k++)
        add(&l, 0.05, 3 + k, want[k].at_s, want[k].requests, want[k].p_value);
    expect(&l, want, n);
    /* 1 + 1 + (1 + 8) + 1 + 1 + (1 + 8 + 8): only what cannot be inferred is stored */
    ck_assert_uint_eq(l.n_bytes, 30);
    looklog_fit(&l);
    ck_assert_uint_eq(l.cap_bytes, 30);
    expect(&l, want, n);
    looklog_free(&l);
    ck_assert_uint_eq(l.n, 0);
    expect(&l, want, 0);
}
END_TEST

/* A time that is not the next bin's end by a bit (the run's last bin ends at its duration,
 * which need not be a whole number of bins), or a look that skips a bin, keeps its own time;
 * p-values that differ in the last bit, or in sign of zero, are kept as they are. */
START_TEST(times_and_p_values_are_kept_bit_for_bit)
{
    double last_end = nextafter(3 * 0.1, 1.0);
    const looklog_look want[] = {
        {0.1, 0, 1.0},      {2 * 0.1, 1, nextafter(1.0, 0.0)},
        {last_end, 2, 0.0}, {6 * 0.1, 3, -0.0}, /* skips bins 3 and 4 */
        {7 * 0.1, 4, -0.0},
    };
    size_t n = sizeof want / sizeof *want;
    looklog l = {0};
    for (size_t k = 0; k < n; k++)
        add(&l, 0.1, 0, want[k].at_s, want[k].requests, want[k].p_value);
    expect(&l, want, n);
    looklog_free(&l);
}
END_TEST

/* New requests are stored in as many bytes as they need: across every varint boundary up to
 * 2^62 - 1, the most a look may add; fewer requests than the last look is refused and
 * leaves the log as it was. */
START_TEST(requests_cross_every_width)
{
    enum { N = 64 };
    looklog_look want[N];
    looklog l = {0};
    uint64_t requests = 0;
    size_t n = 0;
    uint64_t more[N];
    size_t m = 0;
    for (unsigned bits = 0; bits <= 60; bits += 5) { /* 2^b - 1 | 2^b: b = 0, 5, ..., 60 */
        more[m++] = (UINT64_C(1) << bits) - 1;
        more[m++] = UINT64_C(1) << bits;
    }
    more[m++] = (UINT64_C(1) << 62) - 1;
    for (; n < m; n++) {
        requests += more[n];
        want[n] = (looklog_look){(double)(n + 1) * 2.0, requests, 1.0};
        add(&l, 2.0, 0, want[n].at_s, want[n].requests, want[n].p_value);
    }
    looklog_look too_many = {(double)(n + 1) * 2.0, requests + (UINT64_C(1) << 62), 1.0};
    ck_assert_int_eq(looklog_add(&l, 2.0, 0, &too_many), -1);
    for (int j = 0; j < 2; j++, n++) { /* past 3 x 2^62: a wrapped difference is below 2^62 */
        requests += (UINT64_C(1) << 62) - 1;
        want[n] = (looklog_look){(double)(n + 1) * 2.0, requests, 1.0};
        add(&l, 2.0, 0, want[n].at_s, want[n].requests, want[n].p_value);
    }
    const uint64_t fewer[] = {requests - 1, 0};
    for (int j = 0; j < 2; j++) {
        looklog_look look = {(double)(n + 1) * 2.0, fewer[j], 1.0};
        ck_assert_int_eq(looklog_add(&l, 2.0, 0, &look), -1);
    }
    expect(&l, want, n);
    looklog_free(&l);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("looklog");
    check_add_case(s, tcase_create("closing_mid_bin"), a_phase_closing_mid_bin_reads_back, 10);
    check_add_case(s, tcase_create("bit_for_bit"), times_and_p_values_are_kept_bit_for_bit, 10);
    check_add_case(s, tcase_create("request_widths"), requests_cross_every_width, 10);
    return s;
}
