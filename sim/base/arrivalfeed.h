/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * arrivalfeed — the pooled sources' arrivals (superpose.h) drawn ahead, in blocks, on a
 * random stream of their own: each arrival's time (the previous one plus an exponential
 * gap at the total rate) and its source. The stream is the feed's alone, so the sequence
 * depends on its seed only, never on what else the run draws or when: a producer thread
 * may fill a small bounded ring of blocks while the run routes the requests of the block
 * before (one mutex handoff per block, blocking waits rather than spinning, as the cores
 * are shared with other runs), or the blocks are drawn inline when taken. Either way the
 * same arrivals, bit for bit.
 *
 * The sequence ends with the first arrival after `end_s` (the producer then stops); taking
 * past it gives that arrival again. Memory is the ring's, whatever the number of arrivals.
 */
#ifndef ROUTERSIM_ARRIVALFEED_H
#define ROUTERSIM_ARRIVALFEED_H

#include <stddef.h>
#include <stdint.h>

typedef struct arrivalfeed arrivalfeed;

typedef struct {
    double time;     /* seconds since the start of the run */
    uint32_t source; /* 0..n-1, as in the rates given to arrivalfeed_new */
} arrivalfeed_arrival;

typedef struct {
    size_t block;  /* arrivals per block, >= 1 */
    size_t blocks; /* blocks in the ring (the producer's lead), >= 2 */
    int threaded;  /* draw on a producer thread (inline if one cannot be started) */
} arrivalfeed_shape;

/* n >= 1 sources (n < 2^32) of rates > 0 (finite, per second) from time 0 to end_s, drawn
 * from a GSL taus2 generator seeded with `seed`. NULL with a reason in err. */
arrivalfeed *arrivalfeed_new(size_t n, const double *rates, unsigned long seed, double end_s,
                             const arrivalfeed_shape *shape, char *err, size_t errlen);

/* Stops the producer wherever it is and waits for it. */
void arrivalfeed_free(arrivalfeed *f);

/* The next block of arrivals, in time order, *n >= 1 of them; valid until the next call
 * (taking a block hands the one before back to the producer). */
const arrivalfeed_arrival *arrivalfeed_take(arrivalfeed *f, size_t *n);

/* Whether a producer thread draws the arrivals. */
int arrivalfeed_threaded(const arrivalfeed *f);

#endif
