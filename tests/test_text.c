/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/text.h"

#include "sim/base/units.h"

#include "tests/check_main.h"

#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/*
 * The reports print their numbers through text_g, text_u64 and text_i64 instead of printf:
 * a report is only the same report if every number is the same bytes. The reference here is
 * the C library's own printf, over edge cases and a large seeded set of values.
 */

/* splitmix64: a fixed, seeded stream of test values independent of the code under test. */
static uint64_t next(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t bits)
{
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

/* text_g(x, p) against snprintf("%.*g"), for every precision; the number of mismatches. */
static int mismatches(double x)
{
    int bad = 0;
    for (int p = 1; p <= 17; p++) {
        char want[64], got[TEXT_NUMBER_MAX + 8];
        memset(got, 'x', sizeof got);
        snprintf(want, sizeof want, "%.*g", p, x);
        size_t len = text_g(got, x, p);
        if (strcmp(got, want) != 0 || len != strlen(want)) {
            if (bad++ < 5)
                fprintf(stderr, "%%.%dg of %a: want \"%s\", got \"%s\" (%zu)\n", p, x, want, got,
                        len);
        }
    }
    return bad;
}

START_TEST(g_edge_cases_as_printf)
{
    const double edges[] = {0.0,
                            -0.0,
                            1.0,
                            -1.0,
                            0.5,
                            0.1,
                            0.2,
                            0.3,
                            2.5,
                            0.125,
                            0.375,
                            1e-5,
                            9.9999999995e-6,
                            0.0001,
                            0.00009999999999,
                            0.000099999999995,
                            1e16,
                            1e16 - 2,
                            9999999999.0,
                            9999999999.5,
                            99999999995.0,
                            1e10,
                            1e9,
                            1234567890.5,
                            1234567891.5,
                            0.99999999995,
                            0.999999999949,
                            9.5,
                            95.0,
                            0.95,
                            127.5,
                            2400,
                            1e22,
                            1e23,
                            1e28,
                            1e29,
                            1e-18,
                            1e-19,
                            1e-20,
                            1e-300,
                            DBL_MIN,
                            DBL_TRUE_MIN,
                            4.9e-324,
                            DBL_MAX,
                            -DBL_MAX,
                            5e-324 * 3,
                            0x1p-1074,
                            0x1p-1022,
                            0x1.fffffffffffffp-1023,
                            0x1p53,
                            0x1p53 + 2,
                            0x1p63,
                            0x1p64,
                            0x1p100,
                            18446744073709551615.0,
                            1.0 / 3,
                            2.0 / 3,
                            3.14159265358979323846,
                            -2.718281828459045,
                            123456789012345678.0,
                            0.001,
                            0.05,
                            1e-4,
                            1e-3,
                            1e15,
                            1e17,
                            1e18,
                            1e19,
                            1e20,
                            4.35e-5,
                            0.1 + 0.2,
                            5e-5,
                            5.5e-5,
                            1e100,
                            1e-100,
                            HUGE_VAL,
                            -HUGE_VAL,
                            NAN,
                            -NAN};
    int bad = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++) {
        bad += mismatches(edges[i]);
        bad += mismatches(-edges[i]);
        bad += mismatches(nextafter(edges[i], 0));
        bad += mismatches(nextafter(edges[i], INFINITY));
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Values that sit exactly halfway at some digit: a tie is rounded to even on the binary
 * value, as printf does (2.5 -> "2" at one digit, 0.125 -> "0.12" at two). */
START_TEST(g_ties_round_to_even)
{
    int bad = 0;
    uint64_t state = 7;
    for (int i = 0; i < 20000; i++) {
        uint64_t k = next(&state) % 100000000000u; /* up to 11 digits */
        int shift = (int)(next(&state) % 40);      /* k + 1/2, divided by a power of two */
        double x = ldexp((double)k + 0.5, -shift); /* exact: k < 2^37 */
        double y = (double)(k * 10 + 5) * 1e3;     /* ...5000 */
        bad += mismatches(x) + mismatches(y);
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* Seeded values of every kind the reports print: arbitrary bit patterns (all magnitudes,
 * subnormals, NaN), shares and p-values in [0, 1], short decimals, and integers. */
START_TEST(g_seeded_values_as_printf)
{
    int bad = 0;
    uint64_t state = 12;
    for (int i = 0; i < 20000 && bad < 20; i++) {
        uint64_t r = next(&state);
        bad += mismatches(from_bits(r));
        bad += mismatches((double)(r >> 11) * 0x1p-53);
        bad += mismatches((double)(r % 1000000) / 1000.0);
        /* text_g's thousandths: exact, bin times, and near them at many distances */
        bad += mismatches(-(double)(r % 100000000000u) / 1000.0);
        bad += mismatches((double)(r % 4000) * 0.05);
        bad += mismatches((double)(r % 1000000) / 1000.0 *
                          (1.0 + ((double)(r >> 40 & 0xFF) - 128.0) * pow(10.0, -(int)(r % 16))));
        bad += mismatches((double)(r % 10000000000000u) * 1e-6);
        bad += mismatches((double)(int64_t)r);
        bad += mismatches(ldexp((double)(r >> 11), (int)(r % 200) - 150));
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

/* text_f against snprintf("%.*f") for every number of decimals; the mismatches. */
static int f_mismatches(double x)
{
    int bad = 0;
    for (int d = 0; d <= 17; d++) {
        char want[400], got[TEXT_NUMBER_MAX + 8];
        int wanted = snprintf(want, sizeof want, "%.*f", d, x);
        if (wanted >= TEXT_NUMBER_MAX) /* only numbers that fit are asked of text_f */
            continue;
        size_t len = text_f(got, x, d);
        if (strcmp(got, want) != 0 || len != strlen(want)) {
            if (bad++ < 5)
                fprintf(stderr, "%%.%df of %a: want \"%s\", got \"%s\"\n", d, x, want, got);
        }
    }
    return bad;
}

/* The shares people read in report.md, junit.xml and report.html: text_percent is
 * units_format_number's three significant digits and two decimals at least, then "%". */
START_TEST(f_and_percent_as_printf)
{
    const double edges[] = {0.0,      -0.0,   0.5,       0.125,    0.005,  0.015,
                            0.025,    1.005,  2.675,     1e-5,     0.0001, 0.99999,
                            9.995,    99.995, 999.9995,  1e17,     1e18,   1e-30,
                            HUGE_VAL, NAN,    0x1p-1074, 123456.5, 0.045,  1.0 / 3};
    int bad = 0;
    for (size_t i = 0; i < sizeof edges / sizeof *edges; i++)
        bad += f_mismatches(edges[i]) + f_mismatches(-edges[i]);
    uint64_t state = 5;
    for (int i = 0; i < 20000 && bad < 20; i++) {
        uint64_t r = next(&state);
        bad += f_mismatches((double)(r >> 11) * 0x1p-53);
        bad += f_mismatches(ldexp((double)(r >> 11), (int)(r % 120) - 100));
        bad += f_mismatches((double)(r % 100000) / 1000.0 + 0.0005); /* near ties */
        double share = (double)(r >> 11) * 0x1p-53 / (double)(1 + r % 100000);
        char want[80], number[64], got[80];
        units_format_number(100.0 * share, 3, 2, number, sizeof number);
        snprintf(want, sizeof want, "%s%%", number);
        text_percent(got, sizeof got, share);
        if (strcmp(got, want) != 0 && bad++ < 5)
            fprintf(stderr, "percent of %a: want \"%s\", got \"%s\"\n", share, want, got);
    }
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(integers_as_printf)
{
    const uint64_t edges[] = {0,
                              1,
                              9,
                              10,
                              99,
                              100,
                              4294967295u,
                              4294967296u,
                              UINT64_MAX,
                              UINT64_MAX - 1,
                              10000000000000000000u,
                              9999999999999999999u};
    uint64_t state = 3;
    for (int i = 0; i < 20000; i++) {
        uint64_t n = i < (int)(sizeof edges / sizeof *edges) ? edges[i]
                                                             : next(&state) >> (next(&state) % 64);
        char want[64], got[TEXT_NUMBER_MAX];
        snprintf(want, sizeof want, "%" PRIu64, n);
        ck_assert_uint_eq(text_u64(got, n), strlen(want));
        ck_assert_str_eq(got, want);
        long long s = (long long)n;
        snprintf(want, sizeof want, "%lld", s);
        ck_assert_uint_eq(text_i64(got, s), strlen(want));
        ck_assert_str_eq(got, want);
    }
    char got[TEXT_NUMBER_MAX];
    text_i64(got, LLONG_MIN);
    ck_assert_str_eq(got, "-9223372036854775808");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("text");
    check_add_case(s, tcase_create("g_edge_cases"), g_edge_cases_as_printf, 30);
    check_add_case(s, tcase_create("g_ties"), g_ties_round_to_even, 60);
    check_add_case(s, tcase_create("g_seeded"), g_seeded_values_as_printf, 120);
    check_add_case(s, tcase_create("f_and_percent"), f_and_percent_as_printf, 120);
    check_add_case(s, tcase_create("integers"), integers_as_printf, 30);
    return s;
}
