/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * looklog — the looks of one phase's sequential test (seqtest.h): when, after how many
 * requests, and the p-value then, stored at two or three bytes a look instead of 24.
 *
 * A phase looks at the end of every bin it is open in and once more when it closes
 * between bins. What a look holds is mostly known already: a bin end's time follows from
 * the bin (its index times the bin length), the requests grow by what the bin routed (a few
 * bytes), and the p-value, a running minimum, mostly stays what it was. So a look is stored
 * as a varint of its new requests with two flags, followed by its time only when it is not
 * the next bin's end, and its p-value only when it changed (both bit for bit, so every look
 * reads back exactly as written). At fleet scale (1,000 phases x 200 looks) that is about
 * 400 KB where records took 4.8 MB.
 *
 * Looks are read in order (looklog_begin / looklog_next), as every reader does.
 */
#ifndef ROUTERSIM_LOOKLOG_H
#define ROUTERSIM_LOOKLOG_H

#include <stddef.h>
#include <stdint.h>

/* One look. */
typedef struct {
    double at_s;
    uint64_t requests; /* in the phase so far */
    double p_value;    /* sequential p-value: the running minimum so far */
} looklog_look;

typedef struct {
    size_t n; /* looks */
    unsigned char *bytes;
    size_t n_bytes, cap_bytes;
    /* the bins the looks' times follow: look k is at the end of bin first_bin + k, at
     * (first_bin + k + 1) x window_s, unless it says otherwise */
    size_t first_bin;
    double window_s;
    looklog_look last; /* the last look (requests 0 and p-value 1 before the first) */
} looklog;

/* A zeroed log is empty. Free the bytes; the log is empty again. */
void looklog_free(looklog *l);

/* Add the next look. The first look sets the bins' length (window_s) and the bin whose end
 * it falls at or in (bin); later ones ignore both. Requests never go down. 0, or -1 when out
 * of memory or when the look has fewer requests than the last (the log is unchanged). */
int looklog_add(looklog *l, double window_s, size_t bin, const looklog_look *look);

/* Give back the room kept for looks to come (a phase that closed has none). */
void looklog_fit(looklog *l);

/* Every look in order: for (looklog_begin(&it, l); looklog_next(&it, &look);) ... */
typedef struct {
    const looklog *l;
    size_t k, at;
    looklog_look last;
} looklog_iter;

void looklog_begin(looklog_iter *it, const looklog *l);
/* The next look into *look and 1, or 0 after the last. */
int looklog_next(looklog_iter *it, looklog_look *look);

#endif
