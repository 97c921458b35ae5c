/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * flowstore — the request series of a run per traffic entry (a source): its arrivals and
 * its routing failures by reason in each bin, stored at about a byte per source per bin
 * instead of a 40-byte record each.
 *
 * A bin holds every source's arrivals in source order, each as wide as the bin's largest
 * needs (1, 2, 4 or 8 bytes), and its failures as sparse records: most bins of most sources
 * have none. At fleet scale (1,000 sources x 200 bins, tens of arrivals per source per bin)
 * that is 200 KB where records took 8 MB, and a bin's end touches a kilobyte, not forty.
 *
 * Invariants (what readers rely on):
 * - bins[b] is bin b of the run: sources are added to the open bin, and flowstore_end_bin
 *   closes it as the next bin;
 * - every bin holds the same sources, in the order the first bin added them, each calling
 *   the target it was first added with (a bin that differs is refused);
 * - a bin's failure records are ordered by source, then reason, with counts above zero.
 * The engine writes; views read through flowstore_at or flowstore_arrivals.
 */
#ifndef ROUTERSIM_FLOWSTORE_H
#define ROUTERSIM_FLOWSTORE_H

#include <stddef.h>
#include <stdint.h>

/* Why a request was not routed: as many reasons as results_reason has (results.h checks). */
enum { FLOWSTORE_N_REASONS = 3 };

/* Arrivals and failures of one source, or of several summed, in one bin. `target` indexes
 * results.targets. */
typedef struct {
    uint32_t bin, target;
    uint64_t arrivals;
    uint64_t failed[FLOWSTORE_N_REASONS];
} flowstore_flow;

/* `count` requests of `source` failed for `reason` in the bin. */
typedef struct {
    uint32_t source, reason;
    uint64_t count;
} flowstore_failure;

typedef struct {
    unsigned char *arrivals; /* the width, then one count per source at that width */
    size_t n_failures;
    flowstore_failure *failures;
} flowstore_bin;

typedef struct {
    size_t n_sources; /* fixed by the first bin */
    uint32_t *target; /* [n_sources] */
    size_t n_bins;
    flowstore_bin *bins;
    /* the open bin, reused from one bin to the next */
    uint64_t *open_arrivals;
    size_t n_open, cap_open;
    flowstore_failure *open_failures;
    size_t n_open_failures, cap_open_failures;
    int refused; /* the open bin broke an invariant: flowstore_end_bin refuses it */
} flowstore;

flowstore *flowstore_new(void);
void flowstore_free(flowstore *f);

/* The next source of the open bin: it calls `target`, had `arrivals` requests, of which
 * failed[k] failed for reason k. 0, or -1 when out of memory. */
int flowstore_add(flowstore *f, uint32_t target, uint64_t arrivals,
                  const uint64_t failed[FLOWSTORE_N_REASONS]);

/* Close the open bin as bins[n_bins]. 0, or -1 when out of memory or when it does not hold
 * the first bin's sources (their number, or a source's target, differs); the open bin is
 * emptied either way. */
int flowstore_end_bin(flowstore *f);

/* Bytes per arrival count of the bin: 1, 2, 4 or 8, the fewest its largest needs. */
unsigned flowstore_width(const flowstore *f, size_t bin);

/* Arrivals of the source in the bin (bin < n_bins, source < n_sources). */
uint64_t flowstore_arrivals(const flowstore *f, size_t bin, size_t source);

/* The source's flow in the bin (bin < n_bins, source < n_sources). */
flowstore_flow flowstore_at(const flowstore *f, size_t bin, size_t source);

#endif
