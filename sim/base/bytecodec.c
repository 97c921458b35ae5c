/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/bytecodec.h"

#include <stdlib.h>
#include <string.h>

void bytecodec_put(bytecodec_writer *w, const void *src, size_t n)
{
    if (w->failed || n == 0)
        return;
    if (n > SIZE_MAX - w->len) {
        w->failed = 1;
        return;
    }
    if (w->len + n > w->cap) {
        size_t cap = w->cap ? w->cap : 256;
        while (cap < w->len + n)
            cap = cap > SIZE_MAX / 2 ? w->len + n : 2 * cap;
        unsigned char *grown = realloc(w->data, cap);
        if (!grown) {
            w->failed = 1;
            return;
        }
        w->data = grown;
        w->cap = cap;
    }
    memcpy(w->data + w->len, src, n);
    w->len += n;
}

static void put_le(bytecodec_writer *w, uint64_t x, int n)
{
    unsigned char le[8];
    for (int i = 0; i < n; i++)
        le[i] = (unsigned char)(x >> (8 * i));
    bytecodec_put(w, le, (size_t)n);
}

void bytecodec_put_u8(bytecodec_writer *w, uint8_t x)
{
    bytecodec_put(w, &x, 1);
}

void bytecodec_put_u32(bytecodec_writer *w, uint32_t x)
{
    put_le(w, x, 4);
}

void bytecodec_put_u64(bytecodec_writer *w, uint64_t x)
{
    put_le(w, x, 8);
}

void bytecodec_put_f64(bytecodec_writer *w, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    bytecodec_put_u64(w, bits);
}

int bytecodec_finish(bytecodec_writer *w, unsigned char **buf, size_t *len)
{
    if (w->failed) {
        free(w->data);
        *w = (bytecodec_writer){0};
        return -1;
    }
    *buf = w->data;
    *len = w->len;
    *w = (bytecodec_writer){0};
    return 0;
}

bytecodec_reader bytecodec_reader_of(const void *buf, size_t len)
{
    const unsigned char *p = buf;
    return (bytecodec_reader){p, p + len, BYTECODEC_OK};
}

size_t bytecodec_left(const bytecodec_reader *r)
{
    return (size_t)(r->end - r->p);
}

void bytecodec_refuse(bytecodec_reader *r)
{
    if (!r->failed)
        r->failed = BYTECODEC_MALFORMED;
}

const unsigned char *bytecodec_take(bytecodec_reader *r, size_t n)
{
    if (r->failed || bytecodec_left(r) < n) {
        bytecodec_refuse(r);
        return NULL;
    }
    const unsigned char *at = r->p;
    r->p += n;
    return at;
}

static uint64_t get_le(bytecodec_reader *r, int n)
{
    const unsigned char *b = bytecodec_take(r, (size_t)n);
    uint64_t x = 0;
    for (int i = 0; b && i < n; i++)
        x |= (uint64_t)b[i] << (8 * i);
    return x;
}

uint8_t bytecodec_get_u8(bytecodec_reader *r)
{
    return (uint8_t)get_le(r, 1);
}

uint32_t bytecodec_get_u32(bytecodec_reader *r)
{
    return (uint32_t)get_le(r, 4);
}

uint64_t bytecodec_get_u64(bytecodec_reader *r)
{
    return get_le(r, 8);
}

double bytecodec_get_f64(bytecodec_reader *r)
{
    uint64_t bits = bytecodec_get_u64(r);
    double x;
    memcpy(&x, &bits, sizeof x);
    return x;
}

char *bytecodec_get_chars(bytecodec_reader *r, uint64_t n)
{
    if (r->failed || n > bytecodec_left(r)) {
        bytecodec_refuse(r);
        return NULL;
    }
    char *s = malloc((size_t)n + 1);
    if (!s) {
        r->failed = BYTECODEC_NOMEM;
        return NULL;
    }
    const unsigned char *src = bytecodec_take(r, (size_t)n);
    if (n)
        memcpy(s, src, (size_t)n);
    s[n] = '\0';
    return s;
}

int bytecodec_fits(bytecodec_reader *r, uint64_t n, size_t least)
{
    if (!r->failed && n > bytecodec_left(r) / least)
        r->failed = BYTECODEC_MALFORMED;
    return !r->failed;
}
