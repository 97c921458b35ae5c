/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/looklog.h"

#include <stdlib.h>
#include <string.h>

enum {
    OWN_TIME = 1, /* the look's time follows: it is not at the next bin's end */
    NEW_P = 2,    /* the look's p-value follows: it differs from the last one's */
    MAX_LOOK = 26 /* the most bytes a look takes: a 10-byte varint, a time, a p-value */
};

static const looklog_look before_first = {0, 0, 1.0};

void looklog_free(looklog *l)
{
    free(l->bytes);
    *l = (looklog){0};
}

/* The time of look k when it is at its bin's end. */
static double bin_end(const looklog *l, size_t k)
{
    return (double)(l->first_bin + k + 1) * l->window_s;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

int looklog_add(looklog *l, double window_s, size_t bin, const looklog_look *look)
{
    if (l->n == 0) {
        l->last = before_first;
        l->first_bin = bin;
        l->window_s = window_s;
    }
    uint64_t more = look->requests - l->last.requests;
    if (look->requests < l->last.requests || more >> 62) /* 62 bits, and two flags */
        return -1;
    if (l->n_bytes + MAX_LOOK > l->cap_bytes) {
        size_t cap = l->cap_bytes ? 2 * l->cap_bytes : 2 * MAX_LOOK;
        unsigned char *grown = realloc(l->bytes, cap);
        if (!grown)
            return -1;
        l->bytes = grown;
        l->cap_bytes = cap;
    }
    int own_time = !same_bits(look->at_s, bin_end(l, l->n));
    int new_p = !same_bits(look->p_value, l->last.p_value);
    unsigned char *out = l->bytes + l->n_bytes;
    for (uint64_t v = more << 2 | (uint64_t)(own_time ? OWN_TIME : 0) | (new_p ? NEW_P : 0);;
         v >>= 7) {
        *out++ = (unsigned char)(v & 0x7f) | (v > 0x7f ? 0x80 : 0);
        if (v <= 0x7f)
            break;
    }
    if (own_time) {
        memcpy(out, &look->at_s, sizeof look->at_s);
        out += sizeof look->at_s;
    }
    if (new_p) {
        memcpy(out, &look->p_value, sizeof look->p_value);
        out += sizeof look->p_value;
    }
    l->n_bytes = (size_t)(out - l->bytes);
    l->n++;
    l->last = *look;
    return 0;
}

void looklog_fit(looklog *l)
{
    if (l->n_bytes == 0 || l->n_bytes == l->cap_bytes)
        return;
    unsigned char *fit = realloc(l->bytes, l->n_bytes);
    if (fit) {
        l->bytes = fit;
        l->cap_bytes = l->n_bytes;
    }
}

void looklog_begin(looklog_iter *it, const looklog *l)
{
    *it = (looklog_iter){.l = l, .last = before_first};
}

int looklog_next(looklog_iter *it, looklog_look *look)
{
    const looklog *l = it->l;
    if (it->k == l->n)
        return 0;
    const unsigned char *in = l->bytes + it->at;
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        v |= (uint64_t)(*in & 0x7f) << shift;
        if (!(*in++ & 0x80))
            break;
    }
    it->last.requests += v >> 2;
    it->last.at_s = bin_end(l, it->k);
    if (v & OWN_TIME) {
        memcpy(&it->last.at_s, in, sizeof it->last.at_s);
        in += sizeof it->last.at_s;
    }
    if (v & NEW_P) {
        memcpy(&it->last.p_value, in, sizeof it->last.p_value);
        in += sizeof it->last.p_value;
    }
    it->at = (size_t)(in - l->bytes);
    it->k++;
    *look = it->last;
    return 1;
}
