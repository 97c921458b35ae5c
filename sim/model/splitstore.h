/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * splitstore — the split time series of a run (requests each router routed to each of its
 * deployments in each bin), stored at a few bytes per point instead of a record each.
 *
 * A router's points in one bin share everything but their counts with the same router's
 * points in the bins before, until the world changes: which deployments are shown, in what
 * order, with what replicas and expected shares. That part is a layout, written once and
 * referenced by every bin that ends under it; a bin holds, per router, one block: the
 * layout's index, where its bytes start, and there its width and one count per layout
 * entry, each count as wide as the block's largest needs (1, 2, 4 or 8 bytes). At fleet
 * scale (counts of a few requests per bin) a point costs a byte and a router's bin one
 * more (its width: the blocks' layouts and offsets are the bin before's, shared), and a
 * bin's end writes a router's counts, not its names and shares again.
 *
 * Invariants (what readers rely on):
 * - bins[b] is bin b of the run: blocks are written into the open bin, and splitstore_end_bin
 *   closes it as the next bin, so every bin is there, empty or not, in order;
 * - a block has at least one entry, and the points of a bin are its blocks in order, each
 *   block's entries in its layout's order (the order points were always written in);
 * - a bin's bytes stay under 4 GiB (a block that would pass that is refused);
 * - every layout is referenced by at least one block of the bin it was written in or later,
 *   and never changes once written.
 * The engine writes; views, plots and statistics read, through splitstore_next or block by
 * block.
 */
#ifndef ROUTERSIM_SPLITSTORE_H
#define ROUTERSIM_SPLITSTORE_H

#include <stddef.h>
#include <stdint.h>

/* Requests routed to one deployment by one router in one bin, with the replica count and
 * expected share in force at the end of the bin. Indices refer to results.routers and
 * results.deployments. */
typedef struct {
    uint32_t bin, router, deployment;
    uint64_t routed;
    long long replicas;
    double expected_share;
} splitstore_point;

/* What a router's points share across bins. */
typedef struct {
    uint32_t router;
    size_t n;
    uint32_t *deployment;   /* [n] */
    long long *replicas;    /* [n] */
    double *expected_share; /* [n] */
} splitstore_layout;

/* One router's counts in one bin: count k belongs to the layout's entry k. The bin's bytes
 * at `at` are the width of its counts (splitstore_width), and the counts follow. */
typedef struct {
    uint32_t layout;
    uint32_t at;
} splitstore_block;

/* A bin's blocks: block i is layout[i]'s counts at at[i] (splitstore_block_at). Between
 * two changes of the world every bin has the blocks of the bin before, and while the
 * widths stay the same (a fleet's counts of a few requests fit a byte every bin) their
 * offsets too: a bin then shares those arrays with the bin before instead of a copy, and
 * holds its counts alone. */
typedef struct {
    size_t n_blocks;
    const uint32_t *layout; /* [n_blocks] */
    const uint32_t *at;     /* [n_blocks] */
    unsigned char *bytes;
} splitstore_bin;

typedef struct {
    size_t n_layouts, n_bins;
    splitstore_layout *layouts;
    splitstore_bin *bins;
    size_t n_points; /* entries of every block of every closed bin */
    /* the open bin, reused from one bin to the next */
    uint32_t *open_layout, *open_at;
    unsigned char *open_bytes;
    size_t n_open_blocks, cap_open_blocks, n_open_bytes, cap_open_bytes, open_points;
} splitstore;

splitstore *splitstore_new(void);
void splitstore_free(splitstore *s);

/* A layout of n entries (copied); its index, or -1 when out of memory. */
long splitstore_add_layout(splitstore *s, uint32_t router, size_t n, const uint32_t *deployment,
                           const long long *replicas, const double *expected_share);

/* 1 when the layout holds exactly these entries (bit for bit), else 0. */
int splitstore_layout_equals(const splitstore *s, size_t layout, size_t n,
                             const uint32_t *deployment, const long long *replicas,
                             const double *expected_share);

/* One block in the open bin: the layout's counts (layout.n of them, at least one). 0, or -1
 * when out of memory, the layout does not exist or is empty, or the bin would reach 4 GiB. */
int splitstore_add_block(splitstore *s, size_t layout, const uint64_t *counts);

/* Close the open bin as bins[n_bins]. 0, or -1 when out of memory. */
int splitstore_end_bin(splitstore *s);

/* Block i of the bin (i < n_blocks). */
splitstore_block splitstore_block_at(const splitstore_bin *bin, size_t i);

/* Bytes per count of the block: 1, 2, 4 or 8, the fewest its largest count needs. */
unsigned splitstore_width(const splitstore_bin *bin, const splitstore_block *block);

/* Count k of the block (k < its layout's n). */
uint64_t splitstore_count(const splitstore_bin *bin, const splitstore_block *block, size_t k);

/* The sum of the block's counts. */
uint64_t splitstore_block_sum(const splitstore *s, const splitstore_bin *bin,
                              const splitstore_block *block);

/* Every point in order: for (splitstore_begin(&it, s); splitstore_next(&it, &p);) ... */
typedef struct {
    const splitstore *s;
    size_t bin, block, k;
} splitstore_iter;

void splitstore_begin(splitstore_iter *it, const splitstore *s);
/* The next point into *p and 1, or 0 after the last. */
int splitstore_next(splitstore_iter *it, splitstore_point *p);

#endif
