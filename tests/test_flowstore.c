/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/flowstore.h"

#include "tests/check_main.h"

#include <stdlib.h>

static const uint64_t none[FLOWSTORE_N_REASONS];

/* A bin's arrivals are stored in the fewest bytes its largest count needs, and read back as
 * written on both sides of every boundary: 255 | 256, 65535 | 65536, 2^32 - 1 | 2^32; a bin
 * where nothing arrived takes a byte per source. */
START_TEST(arrivals_take_the_fewest_bytes_and_read_back)
{
    static const uint64_t largest[] = {
        0, 1, 255, 256, 65535, 65536, UINT32_MAX, (uint64_t)UINT32_MAX + 1, 3, UINT64_MAX};
    static const unsigned width[] = {1, 1, 1, 2, 2, 4, 4, 8, 1, 8};
    size_t n = sizeof largest / sizeof *largest;
    flowstore *f = flowstore_new();
    ck_assert_ptr_nonnull(f);
    for (size_t b = 0; b < n; b++) {
        uint64_t arrivals[3] = {largest[b] / 2, largest[b], largest[b] < 7 ? largest[b] : 7};
        for (size_t i = 0; i < 3; i++)
            ck_assert_int_eq(flowstore_add(f, (uint32_t)i, arrivals[i], none), 0);
        ck_assert_int_eq(flowstore_end_bin(f), 0);
    }
    ck_assert_uint_eq(f->n_bins, n);
    ck_assert_uint_eq(f->n_sources, 3);
    for (size_t b = 0; b < n; b++) {
        ck_assert_msg(flowstore_width(f, b) == width[b], "largest %llu: %u bytes, expected %u",
                      (unsigned long long)largest[b], flowstore_width(f, b), width[b]);
        uint64_t want[3] = {largest[b] / 2, largest[b], largest[b] < 7 ? largest[b] : 7};
        for (size_t i = 0; i < 3; i++) {
            ck_assert(flowstore_arrivals(f, b, i) == want[i]);
            flowstore_flow flow = flowstore_at(f, b, i);
            ck_assert(flow.arrivals == want[i]);
            ck_assert_uint_eq(flow.bin, b);
            ck_assert_uint_eq(flow.target, i);
            for (size_t k = 0; k < FLOWSTORE_N_REASONS; k++)
                ck_assert_uint_eq(flow.failed[k], 0);
        }
        ck_assert_uint_eq(f->bins[b].n_failures, 0);
    }
    flowstore_free(f);
}
END_TEST

/* Failures come back for their source, bin and reason only: a source whose failures fall
 * in one bin (source 1, bin 2), neighbours that both failed in one bin (sources 2 and 3,
 * first and last of the bin's records), a source failing for every reason at once. */
START_TEST(failures_come_back_where_they_happened)
{
    enum { BINS = 4, SOURCES = 5 };
    uint64_t failed[BINS][SOURCES][FLOWSTORE_N_REASONS] = {0};
    failed[2][1][1] = 40;
    failed[1][2][0] = 1;
    failed[1][3][2] = UINT64_MAX;
    failed[3][0][0] = 3, failed[3][0][1] = 2, failed[3][0][2] = 1;
    failed[3][4][2] = 9;
    flowstore *f = flowstore_new();
    for (size_t b = 0; b < BINS; b++) {
        for (size_t i = 0; i < SOURCES; i++)
            ck_assert_int_eq(flowstore_add(f, (uint32_t)(i % 2), 10 * b + i, failed[b][i]), 0);
        ck_assert_int_eq(flowstore_end_bin(f), 0);
    }
    size_t records = 0;
    for (size_t b = 0; b < BINS; b++) {
        records += f->bins[b].n_failures;
        for (size_t i = 0; i < SOURCES; i++) {
            flowstore_flow flow = flowstore_at(f, b, i);
            ck_assert_uint_eq(flow.arrivals, 10 * b + i);
            ck_assert_uint_eq(flow.target, i % 2);
            for (size_t k = 0; k < FLOWSTORE_N_REASONS; k++)
                ck_assert_msg(flow.failed[k] == failed[b][i][k],
                              "bin %zu source %zu reason %zu: %llu, expected %llu", b, i, k,
                              (unsigned long long)flow.failed[k],
                              (unsigned long long)failed[b][i][k]);
        }
    }
    ck_assert_uint_eq(records, 7); /* only the counts above zero are kept */
    flowstore_free(f);
}
END_TEST

/* Every bin holds the first bin's sources: a bin with one more or one fewer, or a source
 * calling another target, is refused, and the bins after it are stored as usual. */
START_TEST(bins_keep_the_first_bins_sources)
{
    flowstore *f = flowstore_new();
    for (uint32_t i = 0; i < 2; i++)
        ck_assert_int_eq(flowstore_add(f, i, 1, none), 0);
    ck_assert_int_eq(flowstore_end_bin(f), 0);
    ck_assert_int_eq(flowstore_add(f, 0, 1, none), 0); /* one fewer */
    ck_assert_int_eq(flowstore_end_bin(f), -1);
    for (uint32_t i = 0; i < 3; i++) /* one more */
        ck_assert_int_eq(flowstore_add(f, i, 1, none), 0);
    ck_assert_int_eq(flowstore_end_bin(f), -1);
    for (uint32_t i = 0; i < 2; i++) /* another target */
        ck_assert_int_eq(flowstore_add(f, 1 - i, 1, none), 0);
    ck_assert_int_eq(flowstore_end_bin(f), -1);
    for (uint32_t i = 0; i < 2; i++)
        ck_assert_int_eq(flowstore_add(f, i, 5 + i, none), 0);
    ck_assert_int_eq(flowstore_end_bin(f), 0);
    ck_assert_uint_eq(f->n_bins, 2);
    ck_assert_uint_eq(flowstore_arrivals(f, 1, 0), 5);
    ck_assert_uint_eq(flowstore_arrivals(f, 1, 1), 6);
    flowstore_free(f);
}
END_TEST

/* A store of many sources (past the open bin's first capacity) keeps each one's target. */
START_TEST(many_sources_keep_their_targets)
{
    enum { SOURCES = 1000 };
    flowstore *f = flowstore_new();
    for (int b = 0; b < 2; b++) {
        for (uint32_t i = 0; i < SOURCES; i++)
            ck_assert_int_eq(flowstore_add(f, SOURCES - i, i % 300, none), 0);
        ck_assert_int_eq(flowstore_end_bin(f), 0);
    }
    ck_assert_uint_eq(flowstore_width(f, 1), 2);
    for (uint32_t i = 0; i < SOURCES; i++) {
        ck_assert_uint_eq(f->target[i], SOURCES - i);
        ck_assert_uint_eq(flowstore_at(f, 1, i).arrivals, i % 300);
    }
    flowstore_free(f);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("flowstore");
    check_add_case(s, tcase_create("widths"), arrivals_take_the_fewest_bytes_and_read_back, 10);
    check_add_case(s, tcase_create("failures"), failures_come_back_where_they_happened, 10);
    check_add_case(s, tcase_create("same_sources"), bins_keep_the_first_bins_sources, 10);
    check_add_case(s, tcase_create("many_sources"), many_sources_keep_their_targets, 10);
    return s;
}
