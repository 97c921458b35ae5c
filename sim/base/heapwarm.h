/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * heapwarm — fault in, on a second core, the heap a large run is about to fill.
 *
 * On a virtual machine the first touch of a page traps to the host: 8-15 us a page on the
 * machine routersim is benchmarked on, against well under one on bare metal, so a run over
 * 10,000 deployments spent a tenth of its time faulting in its 13 MB, one page at a time,
 * on the core that routes. heapwarm_start puts `bytes` at the top of the C heap and hands
 * them back at once (glibc keeps freed memory at the top when asked to, as routersim's main
 * does: M_TRIM_THRESHOLD), then a thread asks the kernel to map those pages (madvise
 * MADV_POPULATE_WRITE, Linux 5.14) while the caller goes on allocating from them. The
 * kernel orders the two, and populating a page never changes a byte of it, so nothing the
 * caller writes is at risk. Where any of this is missing (another C library, an older
 * kernel, no second core) it does nothing, and nothing else changes. Knows nothing of
 * scenarios.
 */
#ifndef ROUTERSIM_HEAPWARM_H
#define ROUTERSIM_HEAPWARM_H

#include <stddef.h>

typedef struct heapwarm heapwarm;

/* Start warming about `bytes` of heap; NULL when nothing was started. */
heapwarm *heapwarm_start(size_t bytes);

/* Wait for the warming thread to finish; NULL is fine. */
void heapwarm_end(heapwarm *h);

#endif
