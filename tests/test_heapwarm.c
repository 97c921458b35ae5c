/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/heapwarm.h"

#include "tests/check_main.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

/*
 * What a run relies on from heapwarm: the heap it fills next is faulted in already, so the
 * run's own first touches cost no page faults; and nothing it writes is disturbed while
 * the warming thread works beside it. The first is a property of Linux and glibc (elsewhere
 * heapwarm does nothing) and of the real allocator: under a sanitizer's allocator it cannot
 * hold and is not asked.
 */

enum { MIB = 1 << 20 };

/* Whether the first property can be asked here. */
#if defined(__linux__) && defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&                  \
    !defined(__SANITIZE_THREAD__)
#define WARMING_MEASURABLE 1

static long minor_faults(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_minflt;
}
#endif

/* routersim's main keeps large blocks in the heap and freed ones at its top */
static void keep_like_main(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

START_TEST(the_warmed_heap_is_faulted_in)
{
#if defined(__linux__) && defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__) &&                  \
    !defined(__SANITIZE_THREAD__)
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return; /* heapwarm needs a second core */
    keep_like_main();
    heapwarm *h = heapwarm_start(16 * MIB);
    ck_assert_ptr_nonnull(h);
    heapwarm_end(h);
    long before = minor_faults();
    char *block = malloc(12 * MIB); /* 3,072 pages */
    ck_assert_ptr_nonnull(block);
    memset(block, 1, 12 * MIB);
    long faults = minor_faults() - before;
    unsigned sum = 0; /* read back, so that the fill is not optimised away */
    for (size_t i = 0; i < 12 * MIB; i += 4096)
        sum += (unsigned char)block[i];
    free(block);
    ck_assert_uint_eq(sum, 12 * MIB / 4096);
    ck_assert_msg(faults < 300, "%ld page faults filling 12 MiB of warmed heap", faults);
#endif
}
END_TEST

/* The caller fills the heap while it is warmed: every byte stays as written. */
START_TEST(writes_beside_the_warming_survive)
{
    keep_like_main();
    heapwarm *h = heapwarm_start(24 * MIB);
    enum { BLOCKS = 64 };
    unsigned char *blocks[BLOCKS];
    for (int b = 0; b < BLOCKS; b++) {
        ck_assert_ptr_nonnull(blocks[b] = malloc(256 << 10));
        memset(blocks[b], b + 1, 256 << 10);
    }
    heapwarm_end(h);
    for (int b = 0; b < BLOCKS; b++) {
        for (size_t i = 0; i < (256 << 10); i += 997)
            ck_assert_uint_eq(blocks[b][i], (unsigned)(b + 1));
        free(blocks[b]);
    }
    ck_assert_ptr_null(heapwarm_start(0));
    heapwarm_end(NULL);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("heapwarm");
    check_add_case(s, tcase_create("the_warmed_heap_is_faulted_in"), the_warmed_heap_is_faulted_in,
                   30);
    check_add_case(s, tcase_create("writes_beside_the_warming_survive"),
                   writes_beside_the_warming_survive, 30);
    return s;
}
