/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * units — the scenario format's scalar types: durations, rates, bounded numbers,
 * platform ids and resource names.
 *
 * Every parser takes the scalar's text exactly as written, accepts the whole string
 * or nothing (no trailing junk, no silent truncation), refuses non-finite and absurd
 * values, and on failure writes "expected ..." into err without the file position,
 * which the caller knows and prepends. Return value: 0 on success, -1 on error.
 */
#ifndef ROUTERSIM_UNITS_H
#define ROUTERSIM_UNITS_H

#include <stddef.h>

/* Upper bounds that keep a scenario finite; anything larger is a typo, not a plan. */
#define UNITS_MAX_DURATION_S (366.0 * 24 * 3600) /* one year */
#define UNITS_MAX_RATE_PER_S 1e9
#define UNITS_ID_MAX 63    /* platform ids: 1..63 chars */
#define UNITS_NAME_MAX 256 /* buffer size for a full resource name */

#define UNITS_QUOTE_MAX 64                         /* characters of offending text shown */
#define UNITS_QUOTE_BUF (UNITS_QUOTE_MAX * 4 + 16) /* room for every one of them escaped */

typedef enum { UNITS_ROUTER, UNITS_DEPLOYMENT, UNITS_MODEL, UNITS_ACCOUNT } units_kind;

/* Offending text as an error message can show it on one line: quotes, backslashes and
 * control characters escaped, text past UNITS_QUOTE_MAX characters cut with "...".
 * Writes into buf (UNITS_QUOTE_BUF bytes suffice) and returns it. */
const char *units_quote(const char *text, char *buf, size_t size);

/* A duration, 0 <= d <= one year: a number with a unit, ms, s, m, h or d ("90s", "10m",
 * "1.5h", "250ms", "2d"), or a bare number of seconds; or parts from the largest unit down,
 * each unit once, whole numbers but for the last ("1d1h", "1h15m", "2m7.5s", "1s250ms").
 * Numbers are decimal, with an optional exponent ("1e-3s", "1.5e+03"). */
int units_parse_duration(const char *text, double *seconds, char *err, size_t errlen);

/* "50/s", "3000/m", "180000/h", "2/d" or a bare number per second; 0 <= r <= 1e9/s.
 * Numbers as for durations ("1e+06/s"). */
int units_parse_rate(const char *text, double *per_second, char *err, size_t errlen);

/* The one way routersim prints a duration or a rate. Each is the inverse of its parser: the
 * text reads back through units_parse_duration (or units_parse_rate) as exactly the same
 * double, in the fewest decimals that do. Durations: "0s", "250ms", "1.5s", "2m7.5s", "20m",
 * "1h15m", "1d1h"; rates: "50/s", "0.5/s" is "30/m", "36/h", "1000000/s". Plain decimals
 * always, but where a value needs more than 24 decimals ("1e-30s"). A figure measured rather
 * than set is rounded first (units_round_significant) and printed the same way. out has at
 * least 32 bytes. */
void units_format_duration(double seconds, char *out, size_t size);
void units_format_rate(double per_second, char *out, size_t size);

/* x rounded to `digits` significant digits (x itself when 0 or not finite). */
double units_round_significant(double x, int digits);

/* A number for people in plain decimals, with at least `digits` significant digits and at
 * least `min_decimals` decimals: a share of 0.0000123 is "0.0000123", never "0.0000".
 * digits 0: the fewest decimals (at least min_decimals) that read back as exactly x, as for
 * a value the user wrote ("0.000001"). Beyond 24 decimals it takes an exponent. */
void units_format_number(double x, int digits, int min_decimals, char *out, size_t size);

/* A decimal integer in [min, max]. */
int units_parse_int(const char *text, long long min, long long max, long long *out, char *err,
                    size_t errlen);

/* A finite decimal number in [min, max]. */
int units_parse_real(const char *text, double min, double max, double *out, char *err,
                     size_t errlen);

/* "true"/"false" (also yes/no/on/off, any case). */
int units_parse_bool(const char *text, int *out, char *err, size_t errlen);

/* The platform's id rule: lower-case letters, digits and hyphens, 1-63 chars, starting with
 * a letter. Returns 1 when valid. */
int units_valid_id(const char *id);

/* Resolve a router or deployment reference, a short id or accounts/<ACCOUNT>/<kind>s/<ID>,
 * to its short id (buffer of UNITS_ID_MAX + 1). A full name must be in `account`. */
int units_resolve(const char *text, const char *account, units_kind kind, char *id, char *err,
                  size_t errlen);

/* Resolve a model reference to its full name: a short id resolves in `account`; a full name
 * accounts/<A>/models/<ID> may be in any account. out has UNITS_NAME_MAX bytes. */
int units_resolve_model(const char *text, const char *account, char *out, char *err, size_t errlen);

/* accounts/<account>/<kind>s/<id> into out (UNITS_NAME_MAX bytes). */
void units_full_name(char *out, const char *account, units_kind kind, const char *id);

/* How far apart two names are, for suggesting the one a typo meant: the fewest insertions,
 * deletions, substitutions and swaps of two adjacent characters (optimal string alignment)
 * that turn a into b. Only the first UNITS_ID_MAX characters of each count. */
size_t units_edit_distance(const char *a, const char *b);

/* 1 when `candidate` is near enough to `name` to suggest: at most one edit per three
 * characters of the longer name, and always one. */
int units_is_near(const char *name, const char *candidate);

#endif
