/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bytecodec — the one little-endian byte writer and bounded reader behind routersim's wire
 * formats: a replication's row (sim/stats/replicas), the orders and rows the MPI ranks
 * exchange (sim/stats/replmpi) and a plan candidate's digest (sim/plan/planeval).
 *
 * Integers go out least significant byte first and doubles as their IEEE-754 bits, so a
 * round trip gives back every value bit for bit (NaN payloads and -0.0 included) on any
 * host, and a row folded on another rank or from a digest weighs exactly as one folded in
 * place. Each format keeps its own framing (magic, counts, how a string's length and a NULL
 * string are spelled) on top of these pieces.
 *
 * Neither side checks every call: the writer records the first allocation failure and
 * ignores what follows, the reader records the first read past the end (or a malformed
 * value its caller refuses) and yields zeros from then on, so a format is written or read
 * straight through and its status checked once at the end.
 */
#ifndef ROUTERSIM_BYTECODEC_H
#define ROUTERSIM_BYTECODEC_H

#include <stddef.h>
#include <stdint.h>

/* A growable buffer; start from {0}. The caller owns data (free it, also after a failure). */
typedef struct {
    unsigned char *data;
    size_t len, cap;
    int failed; /* an allocation failed: data holds what came before it */
} bytecodec_writer;

void bytecodec_put(bytecodec_writer *w, const void *src, size_t n);
void bytecodec_put_u8(bytecodec_writer *w, uint8_t x);
void bytecodec_put_u32(bytecodec_writer *w, uint32_t x);
void bytecodec_put_u64(bytecodec_writer *w, uint64_t x);
void bytecodec_put_f64(bytecodec_writer *w, double x);
/* Hand the bytes over (*buf is then the caller's to free) and return 0, or free them and
 * return -1 when an allocation failed along the way. */
int bytecodec_finish(bytecodec_writer *w, unsigned char **buf, size_t *len);

/* Why a reader stopped; the first reason sticks. */
enum { BYTECODEC_OK = 0, BYTECODEC_MALFORMED = 1, BYTECODEC_NOMEM = 2 };

/* The bytes [p, end) being read; the caller keeps them alive. */
typedef struct {
    const unsigned char *p, *end;
    int failed; /* BYTECODEC_OK, _MALFORMED (short, overlong or refused) or _NOMEM */
} bytecodec_reader;

bytecodec_reader bytecodec_reader_of(const void *buf, size_t len);
size_t bytecodec_left(const bytecodec_reader *r);
/* Record a malformed value (a bad magic, an out-of-range field) unless a reason is set. */
void bytecodec_refuse(bytecodec_reader *r);

/* The next n bytes, consumed, or NULL (and MALFORMED) when fewer are left. */
const unsigned char *bytecodec_take(bytecodec_reader *r, size_t n);
uint8_t bytecodec_get_u8(bytecodec_reader *r);
uint32_t bytecodec_get_u32(bytecodec_reader *r);
uint64_t bytecodec_get_u64(bytecodec_reader *r);
double bytecodec_get_f64(bytecodec_reader *r);
/* The next n bytes as a malloc'd NUL-terminated string (the caller frees it), or NULL:
 * MALFORMED when fewer are left, NOMEM when the copy cannot be made. */
char *bytecodec_get_chars(bytecodec_reader *r, uint64_t n);
/* Whether n items of at least `least` (> 0) bytes each can still follow; MALFORMED if not,
 * so a corrupt count is refused before anything is allocated for it. */
int bytecodec_fits(bytecodec_reader *r, uint64_t n, size_t least);

#endif
