/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/bytecodec.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The wire format itself, spelled out byte by byte: integers least significant byte first,
 * 1.0 as its IEEE-754 bits 0x3ff0000000000000. Rows and digests written before this module
 * existed decode only if these stay exactly so. */
START_TEST(known_values_have_known_bytes)
{
    static const unsigned char want[] = {0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01, /* u64 */
                                         0xd4, 0xc3, 0xb2, 0xa1,                         /* u32 */
                                         0x7f,                                           /* u8 */
                                         0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xf0, 0x3f, /* 1.0 */
                                         'a',  'b'};
    bytecodec_writer w = {0};
    bytecodec_put_u64(&w, UINT64_C(0x0102030405060708));
    bytecodec_put_u32(&w, UINT32_C(0xa1b2c3d4));
    bytecodec_put_u8(&w, 0x7f);
    bytecodec_put_f64(&w, 1.0);
    bytecodec_put(&w, "ab", 2);
    unsigned char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(bytecodec_finish(&w, &buf, &len), 0);
    ck_assert_uint_eq(len, sizeof want);
    ck_assert_mem_eq(buf, want, sizeof want);

    bytecodec_reader r = bytecodec_reader_of(want, sizeof want);
    ck_assert(bytecodec_get_u64(&r) == UINT64_C(0x0102030405060708));
    ck_assert_uint_eq(bytecodec_get_u32(&r), UINT32_C(0xa1b2c3d4));
    ck_assert_uint_eq(bytecodec_get_u8(&r), 0x7f);
    ck_assert(bytecodec_get_f64(&r) == 1.0);
    char *s = bytecodec_get_chars(&r, 2);
    ck_assert_str_eq(s, "ab");
    free(s);
    ck_assert_int_eq(r.failed, BYTECODEC_OK);
    ck_assert_uint_eq(bytecodec_left(&r), 0);
    free(buf);
}
END_TEST

/* Doubles travel as their bits: a NaN keeps its payload and sign, -0.0 stays negative, so a
 * row folded from bytes weighs exactly as the one folded in place. */
START_TEST(doubles_round_trip_bit_for_bit)
{
    uint64_t nan_bits = UINT64_C(0xfff8000000000123); /* a negative quiet NaN with a payload */
    double nan_payload;
    memcpy(&nan_payload, &nan_bits, sizeof nan_payload);
    const double values[] = {-0.0, nan_payload, INFINITY, 5e-324, 0.1};
    bytecodec_writer w = {0};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++)
        bytecodec_put_f64(&w, values[i]);
    ck_assert(!w.failed);
    static const unsigned char minus_zero[] = {0, 0, 0, 0, 0, 0, 0, 0x80};
    ck_assert_mem_eq(w.data, minus_zero, 8);
    bytecodec_reader r = bytecodec_reader_of(w.data, w.len);
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        double got = bytecodec_get_f64(&r);
        ck_assert_msg(memcmp(&got, &values[i], sizeof got) == 0, "value %zu", i);
    }
    ck_assert(signbit(-0.0) && isnan(nan_payload));
    ck_assert_int_eq(r.failed, BYTECODEC_OK);
    free(w.data);
}
END_TEST

/* A buffer cut short is refused, and stays refused: every later read yields zero and the
 * first reason sticks. */
START_TEST(truncated_buffer_is_refused)
{
    static const unsigned char seven[] = {1, 2, 3, 4, 5, 6, 7};
    bytecodec_reader r = bytecodec_reader_of(seven, sizeof seven);
    ck_assert(bytecodec_get_u64(&r) == 0);
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);
    ck_assert_uint_eq(bytecodec_get_u8(&r), 0); /* the byte is there, but the reader stopped */
    ck_assert_ptr_null(bytecodec_take(&r, 1));
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);

    r = bytecodec_reader_of(seven, sizeof seven);
    ck_assert_uint_eq(bytecodec_get_u32(&r), UINT32_C(0x04030201));
    ck_assert_uint_eq(bytecodec_get_u32(&r), 0); /* three bytes left */
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);
}
END_TEST

/* A length that claims more than the buffer holds is refused before anything is copied or
 * allocated for it: a string, and a count of items. */
START_TEST(overlong_lengths_are_refused)
{
    static const unsigned char abc[] = {'a', 'b', 'c'};
    bytecodec_reader r = bytecodec_reader_of(abc, sizeof abc);
    ck_assert_ptr_null(bytecodec_get_chars(&r, 4));
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);

    r = bytecodec_reader_of(abc, sizeof abc);
    ck_assert_ptr_null(bytecodec_get_chars(&r, UINT64_MAX));
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);

    r = bytecodec_reader_of(abc, sizeof abc);
    ck_assert(bytecodec_fits(&r, 3, 1));
    ck_assert(!bytecodec_fits(&r, 2, 2)); /* two 2-byte items need 4 */
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);

    r = bytecodec_reader_of(abc, sizeof abc);
    ck_assert(!bytecodec_fits(&r, UINT64_MAX, 8));
    ck_assert_int_eq(r.failed, BYTECODEC_MALFORMED);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("bytecodec");
    TCase *tc = tcase_create("codec");
    tcase_add_test(tc, known_values_have_known_bytes);
    tcase_add_test(tc, doubles_round_trip_bit_for_bit);
    tcase_add_test(tc, truncated_buffer_is_refused);
    tcase_add_test(tc, overlong_lengths_are_refused);
    suite_add_tcase(s, tc);
    return s;
}
