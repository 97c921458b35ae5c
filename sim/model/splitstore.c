/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/splitstore.h"

#include "sim/base/countpack.h"

#include <stdlib.h>
#include <string.h>

splitstore *splitstore_new(void)
{
    return calloc(1, sizeof(splitstore));
}

void splitstore_free(splitstore *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_layouts; i++) {
        free(s->layouts[i].deployment);
        free(s->layouts[i].replicas);
        free(s->layouts[i].expected_share);
    }
    free(s->layouts);
    for (size_t b = 0; b < s->n_bins; b++) {
        const splitstore_bin *bin = &s->bins[b], *before = b ? bin - 1 : NULL;
        if (!before || bin->layout != before->layout) /* the first of the bins sharing it */
            free((void *)bin->layout);
        if (!before || bin->at != before->at)
            free((void *)bin->at);
        free(s->bins[b].bytes);
    }
    free(s->bins);
    free(s->open_layout);
    free(s->open_at);
    free(s->open_bytes);
    free(s);
}

/* Room for one more element in an array whose capacity is the next power of two at or above
 * its length. */
static int reserve(void **array, size_t n, size_t size)
{
    if (n & (n - 1))
        return 0;
    void *grown = realloc(*array, (n ? 2 * n : 1) * size);
    if (!grown)
        return -1;
    *array = grown;
    return 0;
}

long splitstore_add_layout(splitstore *s, uint32_t router, size_t n, const uint32_t *deployment,
                           const long long *replicas, const double *expected_share)
{
    if (reserve((void **)&s->layouts, s->n_layouts, sizeof *s->layouts) != 0)
        return -1;
    size_t m = n ? n : 1;
    splitstore_layout l = {.router = router,
                           .n = n,
                           .deployment = malloc(m * sizeof *l.deployment),
                           .replicas = malloc(m * sizeof *l.replicas),
                           .expected_share = malloc(m * sizeof *l.expected_share)};
    if (!l.deployment || !l.replicas || !l.expected_share) {
        free(l.deployment);
        free(l.replicas);
        free(l.expected_share);
        return -1;
    }
    if (n) {
        memcpy(l.deployment, deployment, n * sizeof *deployment);
        memcpy(l.replicas, replicas, n * sizeof *replicas);
        memcpy(l.expected_share, expected_share, n * sizeof *expected_share);
    }
    s->layouts[s->n_layouts] = l;
    return (long)s->n_layouts++;
}

int splitstore_layout_equals(const splitstore *s, size_t layout, size_t n,
                             const uint32_t *deployment, const long long *replicas,
                             const double *expected_share)
{
    const splitstore_layout *l = &s->layouts[layout];
    return l->n == n &&
           (n == 0 || (memcmp(l->deployment, deployment, n * sizeof *deployment) == 0 &&
                       memcmp(l->replicas, replicas, n * sizeof *replicas) == 0 &&
                       memcmp(l->expected_share, expected_share, n * sizeof *expected_share) == 0));
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 256;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*array, cap2 * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = cap2;
    return 0;
}

int splitstore_add_block(splitstore *s, size_t layout, const uint64_t *counts)
{
    if (layout >= s->n_layouts || s->layouts[layout].n == 0)
        return -1;
    size_t n = s->layouts[layout].n;
    unsigned width = countpack_width(counts, n);
    size_t size = 1 + n * width;
    if (size > UINT32_MAX || s->n_open_bytes + size > UINT32_MAX) /* `at` is 32 bits */
        return -1;
    if (s->n_open_blocks == s->cap_open_blocks) {
        size_t cap = s->cap_open_blocks ? 2 * s->cap_open_blocks : 256;
        uint32_t *layouts = realloc(s->open_layout, cap * sizeof *layouts);
        if (layouts)
            s->open_layout = layouts;
        uint32_t *at = realloc(s->open_at, cap * sizeof *at);
        if (at)
            s->open_at = at;
        if (!layouts || !at)
            return -1;
        s->cap_open_blocks = cap;
    }
    if (grow((void **)&s->open_bytes, &s->cap_open_bytes, s->n_open_bytes + size, 1) != 0)
        return -1;
    countpack_write(s->open_bytes + s->n_open_bytes, width, counts, n);
    s->open_layout[s->n_open_blocks] = (uint32_t)layout;
    s->open_at[s->n_open_blocks++] = (uint32_t)s->n_open_bytes;
    s->n_open_bytes += size;
    s->open_points += n;
    return 0;
}

/* The open bin's n entries of `open`: the bin before's array when it holds the same, else
 * a copy of them (NULL when out of memory). */
static const uint32_t *keep_or_share(const uint32_t *before, size_t n_before, const uint32_t *open,
                                     size_t n)
{
    if (before && n_before == n && (n == 0 || memcmp(before, open, n * sizeof *open) == 0))
        return before;
    uint32_t *copy = malloc((n ? n : 1) * sizeof *copy);
    if (copy && n)
        memcpy(copy, open, n * sizeof *open);
    return copy;
}

int splitstore_end_bin(splitstore *s)
{
    if (reserve((void **)&s->bins, s->n_bins, sizeof *s->bins) != 0)
        return -1;
    const splitstore_bin *before = s->n_bins ? &s->bins[s->n_bins - 1] : NULL;
    size_t n = s->n_open_blocks, n_before = before ? before->n_blocks : 0;
    /* exactly what the bin holds, so the store is the size of its counts */
    splitstore_bin bin = {
        .n_blocks = n,
        .layout = keep_or_share(before ? before->layout : NULL, n_before, s->open_layout, n),
        .at = keep_or_share(before ? before->at : NULL, n_before, s->open_at, n),
        .bytes = malloc(s->n_open_bytes ? s->n_open_bytes : 1)};
    if (!bin.layout || !bin.at || !bin.bytes) {
        if (bin.layout && (!before || bin.layout != before->layout))
            free((void *)bin.layout);
        if (bin.at && (!before || bin.at != before->at))
            free((void *)bin.at);
        free(bin.bytes);
        return -1;
    }
    if (s->n_open_bytes)
        memcpy(bin.bytes, s->open_bytes, s->n_open_bytes);
    s->bins[s->n_bins++] = bin;
    s->n_points += s->open_points;
    s->n_open_blocks = s->n_open_bytes = s->open_points = 0;
    return 0;
}

splitstore_block splitstore_block_at(const splitstore_bin *bin, size_t i)
{
    return (splitstore_block){bin->layout[i], bin->at[i]};
}

unsigned splitstore_width(const splitstore_bin *bin, const splitstore_block *block)
{
    return countpack_width_of(bin->bytes + block->at);
}

uint64_t splitstore_count(const splitstore_bin *bin, const splitstore_block *block, size_t k)
{
    return countpack_read(bin->bytes + block->at, k);
}

uint64_t splitstore_block_sum(const splitstore *s, const splitstore_bin *bin,
                              const splitstore_block *block)
{
    size_t n = s->layouts[block->layout].n;
    const unsigned char *at = bin->bytes + block->at + 1;
    uint64_t sum = 0;
    if (splitstore_width(bin, block) == 1) /* the common case, in a loop the compiler can
                                              vectorise */
        for (size_t k = 0; k < n; k++)
            sum += at[k];
    else
        for (size_t k = 0; k < n; k++)
            sum += splitstore_count(bin, block, k);
    return sum;
}

void splitstore_begin(splitstore_iter *it, const splitstore *s)
{
    *it = (splitstore_iter){.s = s};
}

int splitstore_next(splitstore_iter *it, splitstore_point *p)
{
    const splitstore *s = it->s;
    for (; it->bin < s->n_bins; it->bin++, it->block = 0) {
        const splitstore_bin *bin = &s->bins[it->bin];
        for (; it->block < bin->n_blocks; it->block++, it->k = 0) {
            const splitstore_block block = splitstore_block_at(bin, it->block);
            const splitstore_layout *l = &s->layouts[block.layout];
            if (it->k < l->n) {
                size_t k = it->k++;
                *p = (splitstore_point){.bin = (uint32_t)it->bin,
                                        .router = l->router,
                                        .deployment = l->deployment[k],
                                        .routed = splitstore_count(bin, &block, k),
                                        .replicas = l->replicas[k],
                                        .expected_share = l->expected_share[k]};
                return 1;
            }
        }
    }
    return 0;
}
