/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/flowstore.h"

#include "sim/base/countpack.h"

#include <stdlib.h>
#include <string.h>

flowstore *flowstore_new(void)
{
    return calloc(1, sizeof(flowstore));
}

void flowstore_free(flowstore *f)
{
    if (!f)
        return;
    for (size_t b = 0; b < f->n_bins; b++) {
        free(f->bins[b].arrivals);
        free(f->bins[b].failures);
    }
    free(f->bins);
    free(f->target);
    free(f->open_arrivals);
    free(f->open_failures);
    free(f);
}

static int grow(void **array, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t cap2 = *cap ? *cap : 64;
    while (cap2 < need)
        cap2 *= 2;
    void *grown = realloc(*array, cap2 * size);
    if (!grown)
        return -1;
    *array = grown;
    *cap = cap2;
    return 0;
}

int flowstore_add(flowstore *f, uint32_t target, uint64_t arrivals,
                  const uint64_t failed[FLOWSTORE_N_REASONS])
{
    size_t source = f->n_open;
    if (f->n_bins == 0) { /* the first bin names the sources */
        if (source == f->cap_open) {
            size_t cap = f->cap_open ? 2 * f->cap_open : 64;
            uint64_t *arrivals_grown = realloc(f->open_arrivals, cap * sizeof *arrivals_grown);
            if (arrivals_grown)
                f->open_arrivals = arrivals_grown;
            uint32_t *target_grown = realloc(f->target, cap * sizeof *target_grown);
            if (target_grown)
                f->target = target_grown;
            if (!arrivals_grown || !target_grown)
                return -1;
            f->cap_open = cap;
        }
        f->target[source] = target;
    } else if (source >= f->n_sources || f->target[source] != target) {
        f->refused = 1;
        return 0;
    }
    for (uint32_t k = 0; k < FLOWSTORE_N_REASONS; k++) {
        if (!failed[k])
            continue;
        if (grow((void **)&f->open_failures, &f->cap_open_failures, f->n_open_failures + 1,
                 sizeof *f->open_failures) != 0)
            return -1;
        f->open_failures[f->n_open_failures++] =
            (flowstore_failure){(uint32_t)source, k, failed[k]};
    }
    f->open_arrivals[f->n_open++] = arrivals;
    return 0;
}

static void empty_open(flowstore *f)
{
    f->n_open = f->n_open_failures = 0;
    f->refused = 0;
}

int flowstore_end_bin(flowstore *f)
{
    size_t n = f->n_open;
    if (f->refused || (f->n_bins > 0 && n != f->n_sources)) {
        empty_open(f);
        return -1;
    }
    if ((f->n_bins & (f->n_bins - 1)) == 0) { /* capacity: the next power of two */
        flowstore_bin *grown = realloc(f->bins, (f->n_bins ? 2 * f->n_bins : 1) * sizeof *f->bins);
        if (!grown) {
            empty_open(f);
            return -1;
        }
        f->bins = grown;
    }
    unsigned width = countpack_width(f->open_arrivals, n);
    /* exactly what the bin holds, so the store is the size of its counts */
    flowstore_bin bin = {.arrivals = malloc(1 + n * width), .n_failures = f->n_open_failures};
    if (bin.n_failures)
        bin.failures = malloc(bin.n_failures * sizeof *bin.failures);
    if (!bin.arrivals || (bin.n_failures && !bin.failures)) {
        free(bin.arrivals);
        free(bin.failures);
        empty_open(f);
        return -1;
    }
    countpack_write(bin.arrivals, width, f->open_arrivals, n);
    if (bin.n_failures)
        memcpy(bin.failures, f->open_failures, bin.n_failures * sizeof *bin.failures);
    if (f->n_bins == 0)
        f->n_sources = n;
    f->bins[f->n_bins++] = bin;
    empty_open(f);
    return 0;
}

unsigned flowstore_width(const flowstore *f, size_t bin)
{
    return countpack_width_of(f->bins[bin].arrivals);
}

uint64_t flowstore_arrivals(const flowstore *f, size_t bin, size_t source)
{
    return countpack_read(f->bins[bin].arrivals, source);
}

flowstore_flow flowstore_at(const flowstore *f, size_t bin, size_t source)
{
    flowstore_flow flow = {.bin = (uint32_t)bin,
                           .target = f->target[source],
                           .arrivals = flowstore_arrivals(f, bin, source)};
    const flowstore_bin *b = &f->bins[bin];
    size_t lo = 0, hi = b->n_failures; /* the first record of a source at or after this one */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (b->failures[mid].source < source)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < b->n_failures && b->failures[lo].source == source; lo++)
        flow.failed[b->failures[lo].reason] = b->failures[lo].count;
    return flow;
}
