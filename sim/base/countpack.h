/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * countpack — a run of counts packed at the width their largest needs: one byte saying the
 * width (1, 2, 4 or 8), then every count in that many bytes, in the machine's byte order.
 * Most bins of a run's series hold small counts, so a series packed bin by bin costs about
 * a byte a count, and never more than the counts themselves plus one byte. The split
 * series (splitstore) and the request series (flowstore) keep their bins so.
 */
#ifndef ROUTERSIM_COUNTPACK_H
#define ROUTERSIM_COUNTPACK_H

#include <stddef.h>
#include <stdint.h>

/* The width the n counts are packed at: the fewest bytes that hold the largest. */
unsigned countpack_width(const uint64_t *counts, size_t n);

/* Pack the n counts at `width` (countpack_width's, or wider) into out: 1 + n * width bytes. */
void countpack_write(unsigned char *out, unsigned width, const uint64_t *counts, size_t n);

/* The width of a packed run, and its k-th count. */
unsigned countpack_width_of(const unsigned char *packed);
uint64_t countpack_read(const unsigned char *packed, size_t k);

#endif
