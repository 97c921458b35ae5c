/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * text — a run's strings in each output format, safely, and numbers as people read them.
 *
 * Scenario names, descriptions and check details are whatever the user typed: quotes, '<',
 * '&', non-ASCII, newlines. Every writer goes through these functions so that no such text
 * can break a report's syntax. Each escaper also replaces what its format cannot carry
 * (invalid UTF-8, control characters) with U+FFFD, so the output stays valid whatever the
 * input.
 */
#ifndef ROUTERSIM_TEXT_H
#define ROUTERSIM_TEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The replacement for anything a format cannot carry: U+FFFD in UTF-8. */
#define TEXT_REPLACEMENT "\xEF\xBF\xBD"

/* Decode the character at s (not at its end). Returns its length in bytes with *cp set, or
 * 0 when s does not start a valid UTF-8 sequence (overlong forms and surrogates included). */
size_t text_utf8_next(const char *s, uint32_t *cp);

/* XML and HTML: character data, or (attribute != 0) a double-quoted attribute value, in
 * which line breaks and tabs become character references so they survive. */
void text_xml(FILE *out, const char *s, int attribute);

/* Markdown (CommonMark): characters that would format are backslash-escaped. In a table
 * cell (cell != 0) '|' is escaped too and line breaks become spaces; in a paragraph they
 * become hard line breaks. */
void text_md(FILE *out, const char *s, int cell);

/* A CSV field (RFC 4180): quoted, with doubled quotes, when it holds a comma, a quote or a
 * line break. */
void text_csv(FILE *out, const char *s);

/* The id at the end of a full resource name ("my-router" for
 * "accounts/a/routers/my-router"): what a person calls the thing. */
const char *text_short_name(const char *name);

/* A duration the way a scenario writes it, by units_format_duration (the one formatter, so
 * what a report prints reads back as the same value): "0s", "250ms", "45s", "10m", "1h30m",
 * "2m7.5s", "1d1h". */
void text_duration(char *buf, size_t size, double seconds);

/* A measured latency to three significant digits, in the same syntax: "0s", "713ms",
 * "6.68s", "12.3s"; from a minute on, to the second: "2m3s". */
void text_latency(char *buf, size_t size, double seconds);

/* A measured rate to three significant digits, by units_format_rate: "41.2/s", "30/m",
 * "1000000/s". */
void text_rate(char *buf, size_t size, double per_second);

/* A share (0 to 1) as a percentage that keeps its meaning: two decimals, more when needed for
 * three significant digits: "60.00%", "0.00100%", never "0.00%" for a share above 0. */
void text_percent(char *buf, size_t size, double share);

/* A number for machines (JSON): plain decimals, the fewest that read back as exactly x:
 * "2400", "127.5", "0.0000001". */
void text_exact(char *buf, size_t size, double x);

/* The longest number text_g and text_u64 write, with the terminating '\0'. */
#define TEXT_NUMBER_MAX 32

/* Exactly the bytes of snprintf(buf, TEXT_NUMBER_MAX, "%.*g", precision, x), precision 1 to
 * 17, NaN and infinities included: the writers print most of their numbers this way, and
 * at fleet scale libc's general formatter was a tenth of writing the reports. The usual
 * magnitudes are converted with exact integer arithmetic (round half to even on the binary
 * value, as glibc rounds); anything else goes to snprintf. Returns the length. */
size_t text_g(char *buf, double x, int precision);

/* Exactly the bytes of snprintf(buf, TEXT_NUMBER_MAX, "%.*f", decimals, x), decimals 0 to
 * 17, by the same arithmetic as text_g where |x| * 10^decimals is below 10^18, by snprintf
 * elsewhere. Returns the length. */
size_t text_f(char *buf, double x, int decimals);

/* n in decimal, as "%" PRIu64 prints it. Returns the length (buf: TEXT_NUMBER_MAX bytes). */
size_t text_u64(char *buf, uint64_t n);

/* n in decimal, as "%lld" prints it. Returns the length (buf: TEXT_NUMBER_MAX bytes). */
size_t text_i64(char *buf, long long n);

/* Writing to a stream only the calling thread uses (a report file being written), without
 * stdio's lock on every call (putc_unlocked): at fleet scale a report is several hundred
 * thousand small pieces. text_put writes s, text_put_g x as "%.*g" (text_g), text_put_u64
 * and text_put_i64 n as text_u64 and text_i64 do; errors show in ferror(out). */
void text_put(FILE *out, const char *s);
void text_put_g(FILE *out, double x, int precision);
void text_put_u64(FILE *out, uint64_t n);
void text_put_i64(FILE *out, long long n);

/* A count with thousands separators: "240,492". */
void text_count(char *buf, size_t size, uint64_t n);

#endif
