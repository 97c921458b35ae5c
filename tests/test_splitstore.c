/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/splitstore.h"
#include "sim/run/engine.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <stdlib.h>
#include <string.h>

static long layout_of(splitstore *s, uint32_t router, size_t n, uint32_t first_deployment)
{
    uint32_t deps[8];
    long long replicas[8];
    double shares[8];
    for (size_t k = 0; k < n; k++) {
        deps[k] = first_deployment + (uint32_t)k;
        replicas[k] = (long long)k + 1;
        shares[k] = 1.0 / (double)n;
    }
    long layout = splitstore_add_layout(s, router, n, deps, replicas, shares);
    ck_assert_int_ge(layout, 0);
    return layout;
}

/* Each count is stored in the fewest bytes its block's largest count needs, and reads back
 * as written on both sides of every boundary: 255 | 256, 65535 | 65536, 2^32 - 1 | 2^32. */
START_TEST(counts_take_the_fewest_bytes_and_read_back)
{
    static const uint64_t largest[] = {
        0, 1, 255, 256, 65535, 65536, UINT32_MAX, (uint64_t)UINT32_MAX + 1, 1, 2, UINT64_MAX - 1};
    static const uint32_t width[] = {1, 1, 1, 2, 2, 4, 4, 8, 1, 1, 8};
    size_t n = sizeof largest / sizeof *largest;
    splitstore *s = splitstore_new();
    ck_assert_ptr_nonnull(s);
    long layout = layout_of(s, 0, 3, 0);
    for (size_t i = 0; i < n; i++) {
        uint64_t counts[3] = {largest[i] / 2, largest[i], 7 < largest[i] ? 7 : largest[i]};
        ck_assert_int_eq(splitstore_add_block(s, (size_t)layout, counts), 0);
    }
    ck_assert_int_eq(splitstore_end_bin(s), 0);
    ck_assert_uint_eq(s->n_bins, 1);
    const splitstore_bin *bin = &s->bins[0];
    ck_assert_uint_eq(bin->n_blocks, n);
    for (size_t i = 0; i < n; i++) {
        const splitstore_block block = splitstore_block_at(bin, i), *b = &block;
        ck_assert_msg(splitstore_width(bin, b) == width[i], "largest %llu: %u bytes, expected %u",
                      (unsigned long long)largest[i], splitstore_width(bin, b), width[i]);
        uint64_t want[3] = {largest[i] / 2, largest[i], 7 < largest[i] ? 7 : largest[i]};
        for (size_t k = 0; k < 3; k++)
            ck_assert(splitstore_count(bin, b, k) == want[k]);
        ck_assert(splitstore_block_sum(s, bin, b) == want[0] + want[1] + want[2]);
    }
    splitstore_free(s);
}
END_TEST

/* Points come back in the order they were written: bin by bin (an empty bin has none), a
 * bin's blocks in order, each block's entries in its layout's order, with the layout's
 * router, deployments, replicas and shares. */
START_TEST(points_come_back_in_order_with_their_layout)
{
    splitstore *s = splitstore_new();
    long two = layout_of(s, 4, 2, 10);   /* router 4: deployments 10, 11 */
    long three = layout_of(s, 9, 3, 20); /* router 9: deployments 20, 21, 22 */
    uint64_t a[2] = {5, 6}, b[3] = {300, 0, 1}, c[2] = {0, 70000};
    ck_assert_int_eq(splitstore_add_block(s, (size_t)two, a), 0);
    ck_assert_int_eq(splitstore_add_block(s, (size_t)three, b), 0);
    ck_assert_int_eq(splitstore_end_bin(s), 0);
    ck_assert_int_eq(splitstore_end_bin(s), 0); /* bin 1: nothing */
    ck_assert_int_eq(splitstore_add_block(s, (size_t)two, c), 0);
    ck_assert_int_eq(splitstore_end_bin(s), 0);
    ck_assert_int_eq(splitstore_add_block(s, 99, c), -1); /* no such layout */

    static const splitstore_point want[] = {
        {0, 4, 10, 5, 1, 0.5},       {0, 4, 11, 6, 2, 0.5},       {0, 9, 20, 300, 1, 1.0 / 3.0},
        {0, 9, 21, 0, 2, 1.0 / 3.0}, {0, 9, 22, 1, 3, 1.0 / 3.0}, {2, 4, 10, 0, 1, 0.5},
        {2, 4, 11, 70000, 2, 0.5}};
    size_t n = 0;
    splitstore_iter it;
    splitstore_point p;
    for (splitstore_begin(&it, s); splitstore_next(&it, &p); n++) {
        ck_assert_uint_lt(n, sizeof want / sizeof *want);
        ck_assert_uint_eq(p.bin, want[n].bin);
        ck_assert_uint_eq(p.router, want[n].router);
        ck_assert_uint_eq(p.deployment, want[n].deployment);
        ck_assert_uint_eq(p.routed, want[n].routed);
        ck_assert_int_eq(p.replicas, want[n].replicas);
        ck_assert_double_eq(p.expected_share, want[n].expected_share);
    }
    ck_assert_uint_eq(n, sizeof want / sizeof *want);
    ck_assert_uint_eq(s->n_points, n);
    ck_assert_uint_eq(s->n_bins, 3);
    splitstore_free(s);
}
END_TEST

START_TEST(layouts_compare_bit_for_bit)
{
    splitstore *s = splitstore_new();
    uint32_t deps[2] = {3, 4};
    long long replicas[2] = {1, 2};
    double shares[2] = {0.25, 0.75};
    long l = splitstore_add_layout(s, 0, 2, deps, replicas, shares);
    ck_assert_int_eq(splitstore_layout_equals(s, (size_t)l, 2, deps, replicas, shares), 1);
    ck_assert_int_eq(splitstore_layout_equals(s, (size_t)l, 1, deps, replicas, shares), 0);
    replicas[1] = 3;
    ck_assert_int_eq(splitstore_layout_equals(s, (size_t)l, 2, deps, replicas, shares), 0);
    replicas[1] = 2;
    shares[0] = 0.25000000000000006;
    ck_assert_int_eq(splitstore_layout_equals(s, (size_t)l, 2, deps, replicas, shares), 0);
    shares[0] = 0.25;
    deps[0] = 5;
    ck_assert_int_eq(splitstore_layout_equals(s, (size_t)l, 2, deps, replicas, shares), 0);
    splitstore_free(s);
}
END_TEST

/* The engine writes a router's names, replicas and shares once per change of the world,
 * not once per bin: a run of 20 bins with one scale-down in the middle keeps two layouts,
 * and every bin's points carry the replicas and shares in force at its end (the scale at
 * 300 s: 4/5 of the requests' weight before, 1/2 after). */
START_TEST(engine_writes_a_layout_per_change_not_per_bin)
{
    scenario *sc = load_text("name: edge\naccount: acme\nduration: 600s\nwindow: 30s\n"
                             "deployments:\n  - {id: a, replicas: 4}\n  - {id: b, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b]}\n"
                             "traffic:\n  - {router: r, rate: 10/s}\n"
                             "timeline:\n  - {at: 300s, scale: {deployment: a, replicas: 1}}\n");
    results *r = run_seed(sc, 8);
    const splitstore *s = r->split;
    ck_assert_uint_eq(s->n_bins, 20);
    ck_assert_uint_eq(s->n_layouts, 2);
    ck_assert_uint_eq(s->n_points, 40);
    for (size_t bin = 0; bin < 20; bin++) {
        ck_assert_uint_eq(s->bins[bin].n_blocks, 1);
        const splitstore_layout *l = &s->layouts[s->bins[bin].layout[0]];
        ck_assert_uint_eq(l->n, 2);
        ck_assert_str_eq(r->deployments[l->deployment[0]], "accounts/acme/deployments/a");
        ck_assert_int_eq(l->replicas[0], bin < 10 ? 4 : 1);
        ck_assert_double_eq(l->expected_share[0], bin < 10 ? 0.8 : 0.5);
        ck_assert_double_eq(l->expected_share[1], bin < 10 ? 0.2 : 0.5);
    }
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A deployment dropped from the router's list mid-bin still has its requests of that bin
 * (share 0 in the bin's own layout), and the bins after show the new list only. */
START_TEST(former_deployment_keeps_its_bin)
{
    scenario *sc = load_text("name: edge\naccount: acme\nduration: 90s\nwindow: 30s\n"
                             "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b]}\n"
                             "traffic:\n  - {router: r, rate: 100/s}\n"
                             "timeline:\n  - {at: 45s, update_router: {router: r, "
                             "deployments: [b]}}\n");
    results *r = run_seed(sc, 3);
    const splitstore *s = r->split;
    ck_assert_uint_eq(s->n_bins, 3);
    size_t in_bin[3] = {0, 0, 0};
    splitstore_iter it;
    splitstore_point p;
    for (splitstore_begin(&it, s); splitstore_next(&it, &p);) {
        in_bin[p.bin]++;
        int is_a = strcmp(r->deployments[p.deployment], "accounts/acme/deployments/a") == 0;
        if (p.bin == 1 && is_a) {
            ck_assert_uint_gt(p.routed, 0);
            ck_assert_double_eq(p.expected_share, 0.0);
        }
        if (p.bin == 2)
            ck_assert(!is_a && p.expected_share == 1.0);
    }
    ck_assert(in_bin[0] == 2 && in_bin[1] == 2 && in_bin[2] == 1);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A router that lists its deployments in another order than they were created (c, a, b)
 * has each one's requests in its own points, bin after bin: a deployment's points add up
 * to what its phase observed, and the sequential test's last look saw every request. */
START_TEST(points_follow_the_list_not_the_creation_order)
{
    scenario *sc = load_text("name: edge\naccount: acme\nduration: 300s\nwindow: 30s\n"
                             "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 2}\n"
                             "  - {id: c, replicas: 6}\n"
                             "routers:\n  - {id: r, deployments: [c, a, b]}\n"
                             "traffic:\n  - {router: r, rate: 50/s}\n");
    results *r = run_seed(sc, 5);
    ck_assert_uint_eq(r->n_phases, 1);
    const results_phase *ph = &r->phases[0];
    ck_assert_uint_eq(r->split->n_bins, 10);
    splitstore_iter it;
    splitstore_point p;
    uint64_t routed[3] = {0, 0, 0};
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &p);) {
        size_t k = 0;
        while (k < 3 && strcmp(ph->deployments[k].name, r->deployments[p.deployment]) != 0)
            k++;
        ck_assert_uint_lt(k, 3);
        ck_assert_int_eq(p.replicas, ph->deployments[k].replicas);
        routed[k] += p.routed;
    }
    for (size_t k = 0; k < 3; k++)
        ck_assert_uint_eq(routed[k], ph->deployments[k].observed);
    ck_assert_uint_gt(ph->deployments[0].observed, ph->deployments[2].observed);
    ck_assert_uint_eq(ph->looks.n, 10);
    ck_assert_uint_eq(ph->looks.last.requests, ph->requests);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A bin whose blocks have the layouts (and the offsets: the same widths) of the bin before
 * shares those arrays instead of a copy, and every count still reads back as written: the
 * same blocks (bin 1), a wider count (bin 2: offsets of its own), other layouts (bin 3), an
 * empty bin (4), and the blocks of two bins before (5: a copy again). */
START_TEST(bins_share_the_blocks_of_the_bin_before)
{
    splitstore *s = splitstore_new();
    long a = layout_of(s, 0, 2, 0), b = layout_of(s, 1, 3, 2);
    static const uint64_t largest[6] = {9, 200, 300, 7, 0, 5};
    static const int both[6] = {1, 1, 1, 0, 0, 1};
    for (size_t bin = 0; bin < 6; bin++) {
        uint64_t counts[3] = {largest[bin], bin, 1};
        if (bin != 4)
            ck_assert_int_eq(splitstore_add_block(s, (size_t)a, counts), 0);
        if (both[bin])
            ck_assert_int_eq(splitstore_add_block(s, (size_t)b, counts), 0);
        ck_assert_int_eq(splitstore_end_bin(s), 0);
    }
    const splitstore_bin *bins = s->bins;
    ck_assert(bins[1].layout == bins[0].layout && bins[1].at == bins[0].at);
    ck_assert(bins[2].layout == bins[1].layout && bins[2].at != bins[1].at);
    ck_assert(bins[3].layout != bins[2].layout && bins[3].at != bins[2].at);
    ck_assert(bins[5].layout != bins[0].layout);
    for (size_t bin = 0; bin < 6; bin++) {
        ck_assert_uint_eq(bins[bin].n_blocks, bin == 4 ? 0 : both[bin] ? 2 : 1);
        for (size_t i = 0; i < bins[bin].n_blocks; i++) {
            splitstore_block block = splitstore_block_at(&bins[bin], i);
            ck_assert_uint_eq(block.layout, (uint32_t)(i ? b : a));
            ck_assert_uint_eq(splitstore_width(&bins[bin], &block), largest[bin] > 255 ? 2 : 1);
            ck_assert_uint_eq(splitstore_count(&bins[bin], &block, 0), largest[bin]);
            ck_assert_uint_eq(splitstore_count(&bins[bin], &block, 1), bin);
            if (i)
                ck_assert_uint_eq(splitstore_count(&bins[bin], &block, 2), 1);
        }
    }
    splitstore_free(s);
    s = splitstore_new(); /* empty bins before any block: nothing to share, nothing to read */
    ck_assert_int_eq(splitstore_end_bin(s), 0);
    ck_assert_int_eq(splitstore_end_bin(s), 0);
    ck_assert(s->n_bins == 2 && s->bins[1].n_blocks == 0);
    splitstore_free(s);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("splitstore");
    check_add_case(s, tcase_create("widths"), counts_take_the_fewest_bytes_and_read_back, 10);
    check_add_case(s, tcase_create("order"), points_come_back_in_order_with_their_layout, 10);
    check_add_case(s, tcase_create("layout_equals"), layouts_compare_bit_for_bit, 10);
    check_add_case(s, tcase_create("engine_layouts"), engine_writes_a_layout_per_change_not_per_bin,
                   20);
    check_add_case(s, tcase_create("former_deployment"), former_deployment_keeps_its_bin, 20);
    check_add_case(s, tcase_create("shared_blocks"), bins_share_the_blocks_of_the_bin_before, 10);
    check_add_case(s, tcase_create("list_order"), points_follow_the_list_not_the_creation_order,
                   20);
    return s;
}
