/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A unit suffix and its length in seconds as a fraction, seconds = mul / div, so that a
 * millisecond is an exact division by 1000 rather than a product with the inexact 0.001.
 * A bare number is in seconds. Duration units are listed from the largest down: the order
 * in which the parts of a compound duration ("1h15m") must come. */
typedef struct {
    const char *suffix;
    double mul, div;
} unit;

static const unit duration_units[] = {{"d", 86400, 1}, {"h", 3600, 1},  {"m", 60, 1},
                                      {"s", 1, 1},     {"ms", 1, 1000}, {NULL, 0, 0}};
static const unit rate_units[] = {{"/s", 1, 1},     {"/m", 60, 1}, {"/h", 3600, 1},
                                  {"/d", 86400, 1}, {"", 1, 1},    {NULL, 0, 0}};

static const char *const kind_plural[] = {"routers", "deployments", "models", "accounts"};
static const char *const kind_word[] = {"router", "deployment", "model", "account"};

static const char id_rule[] =
    "lower-case letters, digits and hyphens, 1-63 characters, starting with a letter";

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    if (err && errlen > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

const char *units_quote(const char *text, char *buf, size_t size)
{
    size_t out = 0, shown = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && out + 8 < size; p++) {
        if (shown++ == UNITS_QUOTE_MAX) {
            memcpy(buf + out, "...", 3);
            out += 3;
            break;
        }
        if (*p == '"' || *p == '\\')
            out += (size_t)snprintf(buf + out, size - out, "\\%c", *p);
        else if (*p < 0x20 || *p == 0x7f)
            out += (size_t)snprintf(buf + out, size - out, "\\x%02x", *p);
        else
            buf[out++] = (char)*p;
    }
    buf[out] = '\0';
    return buf;
}

/* A decimal number: digits with an optional fraction and an optional exponent (1e+06, as
 * printf's %g writes large numbers). No sign, hex, inf or nan, so that "-5s" or "0x10s" are
 * typos rather than surprises. Returns the character after the number, or NULL when there
 * is none; *plain says whether it was digits alone (no fraction, no exponent). */
static const char *scan_number(const char *text, double *value, int *plain)
{
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == text)
        return NULL;
    *plain = 1;
    if (*p == '.') {
        const char *fraction = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == fraction)
            return NULL;
        *plain = 0;
    }
    if (*p == 'e' || *p == 'E') {
        const char *digits = p + 1 + (p[1] == '+' || p[1] == '-');
        for (p = digits; *p >= '0' && *p <= '9';)
            p++;
        if (p == digits)
            return NULL;
        *plain = 0;
    }
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    if (end != p || errno == ERANGE || !isfinite(*value))
        return NULL;
    return p;
}

/* The unit of `units` whose suffix starts `text` (the longest: "ms" before "m"), or NULL. */
static const unit *scan_unit(const char *text, const unit *units)
{
    const unit *best = NULL;
    for (const unit *u = units; u->suffix; u++)
        if (strncmp(text, u->suffix, strlen(u->suffix)) == 0 &&
            (!best || strlen(u->suffix) > strlen(best->suffix)))
            best = u;
    return best;
}

/* A duration in seconds: a bare number, a number with a unit, or parts from the largest
 * unit down, each unit at most once, whole numbers but for the last part ("1d1h",
 * "1h15m", "2m7.5s", "1s250ms"). The whole parts add up exactly; the last comes on top. */
static int scan_duration(const char *text, double *seconds)
{
    double value, whole = 0;
    int plain;
    const char *p = scan_number(text, &value, &plain);
    if (!p)
        return -1;
    if (*p == '\0') {
        *seconds = value;
        return 0;
    }
    const unit *after = duration_units; /* the next part's unit must come at or after it */
    for (;;) {
        const unit *u = scan_unit(p, after);
        if (!u)
            return -1;
        p += strlen(u->suffix);
        if (*p == '\0') {
            *seconds = whole + value * u->mul / u->div;
            return 0;
        }
        if (!plain)
            return -1;
        whole += value * u->mul / u->div;
        after = u + 1;
        if (!(p = scan_number(p, &value, &plain)))
            return -1;
    }
}

int units_parse_duration(const char *text, double *seconds, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    double value;
    if (scan_duration(text, &value) != 0)
        return fail(err, errlen, "expected a duration like 90s, 10m, 1.5h or 250ms, got \"%s\"",
                    units_quote(text, q, sizeof q));
    if (value > UNITS_MAX_DURATION_S)
        return fail(err, errlen, "expected a duration of at most one year (366d), got \"%s\"",
                    units_quote(text, q, sizeof q));
    *seconds = value;
    return 0;
}

int units_parse_rate(const char *text, double *per_second, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    double value;
    int plain;
    const char *rest = scan_number(text, &value, &plain);
    const unit *u = rest ? scan_unit(rest, rate_units) : NULL;
    if (!u || strcmp(rest, u->suffix) != 0)
        return fail(err, errlen,
                    "expected a rate like 50/s, 3000/m or 180000/h (a bare number is per "
                    "second), got \"%s\"",
                    units_quote(text, q, sizeof q));
    if (value / u->mul > UNITS_MAX_RATE_PER_S)
        return fail(err, errlen, "expected a rate of at most 1e9/s, got \"%s\"",
                    units_quote(text, q, sizeof q));
    *per_second = value / u->mul;
    return 0;
}

/* ---- printing ------------------------------------------------------------------------ */

/* Most decimals tried for a plain number before falling back to an exponent. */
#define MAX_DECIMALS 24

typedef int (*parse_fn)(const char *text, double *value, char *err, size_t errlen);

/* Does `text` read back through `parse` as exactly `want`? */
static int reads_back(parse_fn parse, const char *text, double want)
{
    double got = 0; /* parse leaves it unset on error */
    return parse(text, &got, NULL, 0) == 0 && got == want;
}

/* `head` then `x` in plain decimals (the fewest that read back as `want` through `parse`)
 * then `suffix`, into out. Returns 0, or -1 when no plain form up to MAX_DECIMALS does. */
static int plain_form(parse_fn parse, double want, const char *head, double x, const char *suffix,
                      char *out, size_t size)
{
    for (int decimals = 0; decimals <= MAX_DECIMALS; decimals++) {
        snprintf(out, size, "%s%.*f%s", head, decimals, x, suffix);
        if (reads_back(parse, out, want))
            return 0;
    }
    return -1;
}

/* The shortest %g form in seconds (or per second) that reads back: always exists, as
 * strtod reads 17 significant digits back exactly and the unit is 1. */
static void exponent_form(parse_fn parse, double want, const char *suffix, char *out, size_t size)
{
    for (int digits = 1; digits <= 17; digits++) {
        snprintf(out, size, "%.*g%s", digits, want, suffix);
        if (reads_back(parse, out, want))
            return;
    }
}

static void format_duration(double seconds, char *out, size_t size);

/* The last durations written, per thread. Finding the fewest decimals that read back takes
 * up to 25 rounds of printing and parsing, and reports write the same instants over and
 * over: a phase's end is the next one's start, and every report writes every phase. A pure
 * function's memo, keyed on both arguments: an answer is the one the search gives. */
#define MEMO_SIZE 16
#define MEMO_TEXT 64
typedef struct {
    double seconds;
    size_t size; /* 0: the entry is empty */
    char text[MEMO_TEXT];
} memo_entry;
static _Thread_local memo_entry memo[MEMO_SIZE];
static _Thread_local unsigned memo_next;

void units_format_duration(double seconds, char *out, size_t size)
{
    for (unsigned i = 0; i < MEMO_SIZE; i++)
        if (memo[i].size != 0 && memo[i].size == size && memo[i].seconds == seconds) {
            memcpy(out, memo[i].text, strlen(memo[i].text) + 1);
            return;
        }
    format_duration(seconds, out, size);
    size_t len = size ? strlen(out) : MEMO_TEXT;
    if (len < MEMO_TEXT) {
        memo_entry *m = &memo[memo_next];
        m->seconds = seconds;
        m->size = size;
        memcpy(m->text, out, len + 1);
        memo_next = (memo_next + 1) % MEMO_SIZE;
    }
}

static void format_duration(double seconds, char *out, size_t size)
{
    if (!(seconds > 0) || seconds > UNITS_MAX_DURATION_S) {
        /* 0 (and anything no scenario holds: shown, not read back). */
        snprintf(out, size, seconds == 0 ? "0s" : "%gs", seconds);
        return;
    }
    if (seconds < 1) {
        /* In milliseconds ("250ms", "200ms"), unless seconds read back in clearly fewer
         * characters: 1e-7 is "0.0000001s", as no short number of milliseconds is exactly
         * that double. */
        char in_s[32];
        int ms = plain_form(units_parse_duration, seconds, "", seconds * 1000, "ms", out, size);
        int s = plain_form(units_parse_duration, seconds, "", seconds, "s", in_s, sizeof in_s);
        if (s == 0 && (ms != 0 || strlen(in_s) + 2 < strlen(out)))
            snprintf(out, size, "%s", in_s);
        else if (ms != 0)
            exponent_form(units_parse_duration, seconds, "s", out, size);
        return;
    }
    /* Whole days, hours and minutes, then the seconds left (with any fraction). */
    long long whole = (long long)(seconds / 60) * 60;
    if ((double)whole > seconds)
        whole -= 60;
    long long parts[] = {whole / 86400, whole % 86400 / 3600, whole % 3600 / 60};
    static const char *const suffix[] = {"d", "h", "m"};
    char head[64] = "";
    size_t used = 0;
    for (int i = 0; i < 3; i++)
        if (parts[i])
            used +=
                (size_t)snprintf(head + used, sizeof head - used, "%lld%s", parts[i], suffix[i]);
    double rest = seconds - (double)whole; /* exact: both are within a factor of 2^52 */
    if (rest == 0) {
        snprintf(out, size, "%s", head);
        return;
    }
    if (plain_form(units_parse_duration, seconds, head, rest, "s", out, size) != 0)
        exponent_form(units_parse_duration, seconds, "s", out, size);
}

void units_format_rate(double per_second, char *out, size_t size)
{
    if (!(per_second > 0) || per_second > UNITS_MAX_RATE_PER_S) {
        snprintf(out, size, per_second == 0 ? "0/s" : "%g/s", per_second);
        return;
    }
    /* Per second, minute, hour or day: whichever reads back in the fewest characters (30/m
     * rather than 0.5/s, 36/h rather than 0.01/s, but 0.307/s), per second among equals. */
    static const struct {
        const char *suffix;
        double seconds;
    } scales[] = {{"/s", 1}, {"/m", 60}, {"/h", 3600}, {"/d", 86400}};
    int found = 0;
    for (size_t k = 0; k < sizeof scales / sizeof *scales; k++) {
        char text[32];
        if (plain_form(units_parse_rate, per_second, "", per_second * scales[k].seconds,
                       scales[k].suffix, text, sizeof text) == 0 &&
            (!found || strlen(text) < strlen(out))) {
            snprintf(out, size, "%s", text);
            found = 1;
        }
    }
    if (!found)
        exponent_form(units_parse_rate, per_second, "/s", out, size);
}

double units_round_significant(double x, int digits)
{
    if (!(x != 0) || !isfinite(x))
        return x;
    char text[64];
    snprintf(text, sizeof text, "%.*e", digits - 1, x);
    return strtod(text, NULL);
}

void units_format_number(double x, int digits, int min_decimals, char *out, size_t size)
{
    if (digits == 0) {
        for (int decimals = min_decimals; decimals <= MAX_DECIMALS; decimals++) {
            snprintf(out, size, "%.*f", decimals, x);
            if (strtod(out, NULL) == x)
                return;
        }
        snprintf(out, size, "%.17g", x);
        return;
    }
    int decimals = min_decimals;
    if (x != 0 && isfinite(x)) {
        int magnitude = (int)floor(log10(fabs(x)));
        if (digits - 1 - magnitude > decimals)
            decimals = digits - 1 - magnitude;
    }
    if (decimals > MAX_DECIMALS)
        snprintf(out, size, "%.*g", digits, x);
    else
        snprintf(out, size, "%.*f", decimals, x);
}

/* strtoll and strtod skip leading white space and accept words such as "inf": a number
 * must start with a sign or a digit (or a point, for reals) to be taken at all. */
static int starts_like_number(const char *text, int allow_point)
{
    const char *p = text;
    if (*p == '-' || *p == '+')
        p++;
    return (*p >= '0' && *p <= '9') || (allow_point && *p == '.');
}

int units_parse_int(const char *text, long long min, long long max, long long *out, char *err,
                    size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    char *end = NULL;
    long long value = 0;
    errno = 0;
    if (starts_like_number(text, 0))
        value = strtoll(text, &end, 10);
    if (!end || *end != '\0' || errno == ERANGE || value < min || value > max)
        return fail(err, errlen, "expected a whole number from %lld to %lld, got \"%s\"", min, max,
                    units_quote(text, q, sizeof q));
    *out = value;
    return 0;
}

int units_parse_real(const char *text, double min, double max, double *out, char *err,
                     size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    char *end = NULL;
    double value = 0;
    errno = 0;
    if (starts_like_number(text, 1) && !strpbrk(text, "xX"))
        value = strtod(text, &end);
    if (!end || *end != '\0' || errno == ERANGE || !isfinite(value) || value < min || value > max)
        return fail(err, errlen, "expected a number from %g to %g, got \"%s\"", min, max,
                    units_quote(text, q, sizeof q));
    *out = value;
    return 0;
}

int units_parse_bool(const char *text, int *out, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    static const char *const truths[] = {"true", "yes", "on"};
    static const char *const lies[] = {"false", "no", "off"};
    for (size_t i = 0; i < sizeof truths / sizeof *truths; i++) {
        if (strcasecmp(text, truths[i]) == 0) {
            *out = 1;
            return 0;
        }
        if (strcasecmp(text, lies[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    return fail(err, errlen, "expected true or false, got \"%s\"", units_quote(text, q, sizeof q));
}

static int is_lower_or_digit(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

int units_valid_id(const char *id)
{
    if (!(*id >= 'a' && *id <= 'z'))
        return 0;
    size_t n = 0;
    for (; id[n]; n++)
        if (!is_lower_or_digit(id[n]) && id[n] != '-')
            return 0;
    return n <= UNITS_ID_MAX;
}

/* Model ids also take dots and underscores ("qwen2.5-7b", "my_model"). */
static int valid_model_id(const char *id)
{
    if (!is_lower_or_digit(*id))
        return 0;
    size_t n = 0;
    for (; id[n]; n++)
        if (!is_lower_or_digit(id[n]) && !strchr("-._", id[n]))
            return 0;
    return n <= UNITS_ID_MAX;
}

/* Split "accounts/<A>/<plural>/<ID>" into its account and id, each copied into a buffer
 * of UNITS_ID_MAX + 1 bytes. Returns 0, or -1 when text is not shaped like that. */
static int split_full_name(const char *text, const char *plural, char *account, char *id)
{
    static const char prefix[] = "accounts/";
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return -1;
    const char *acct = text + sizeof prefix - 1;
    const char *slash = strchr(acct, '/');
    size_t acct_len = slash ? (size_t)(slash - acct) : 0;
    size_t plural_len = strlen(plural);
    if (acct_len == 0 || acct_len > UNITS_ID_MAX || strncmp(slash + 1, plural, plural_len) != 0 ||
        slash[1 + plural_len] != '/')
        return -1;
    const char *rest = slash + 2 + plural_len;
    if (strlen(rest) > UNITS_ID_MAX)
        return -1;
    memcpy(account, acct, acct_len);
    account[acct_len] = '\0';
    strcpy(id, rest);
    return 0;
}

/* A hint for the most common copy-and-paste slip: a docs placeholder left in place. */
static const char *placeholder_hint(const char *text)
{
    const char *open = strchr(text, '<');
    return open && strchr(open, '>') ? " (replace the <...> placeholder with a real id)" : "";
}

int units_resolve(const char *text, const char *account, units_kind kind, char *id, char *err,
                  size_t errlen)
{
    const char *word = kind_word[kind], *plural = kind_plural[kind];
    char acct[UNITS_ID_MAX + 1], short_id[UNITS_ID_MAX + 1], q[UNITS_QUOTE_BUF];
    if (units_valid_id(text)) {
        strcpy(id, text);
        return 0;
    }
    if (split_full_name(text, plural, acct, short_id) != 0 || !units_valid_id(acct) ||
        !units_valid_id(short_id))
        return fail(err, errlen, "expected a %s id (%s) or accounts/%s/%s/<ID>, got \"%s\"%s", word,
                    id_rule, account, plural, units_quote(text, q, sizeof q),
                    placeholder_hint(text));
    if (strcmp(acct, account) != 0)
        return fail(err, errlen, "expected a %s in account \"%s\", got \"%s\" (account \"%s\")",
                    word, account, units_quote(text, q, sizeof q), acct);
    strcpy(id, short_id);
    return 0;
}

int units_resolve_model(const char *text, const char *account, char *out, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    char acct[UNITS_ID_MAX + 1], model[UNITS_ID_MAX + 1];
    if (valid_model_id(text)) {
        units_full_name(out, account, UNITS_MODEL, text);
        return 0;
    }
    if (split_full_name(text, "models", acct, model) != 0 || !units_valid_id(acct) ||
        !valid_model_id(model))
        return fail(err, errlen,
                    "expected a model id (lower-case letters, digits, hyphens, dots and "
                    "underscores, 1-63 characters) or accounts/<ACCOUNT>/models/<ID>, got "
                    "\"%s\"%s",
                    units_quote(text, q, sizeof q), placeholder_hint(text));
    units_full_name(out, acct, UNITS_MODEL, model);
    return 0;
}

void units_full_name(char *out, const char *account, units_kind kind, const char *id)
{
    if (kind == UNITS_ACCOUNT)
        snprintf(out, UNITS_NAME_MAX, "accounts/%s", id);
    else
        snprintf(out, UNITS_NAME_MAX, "accounts/%s/%s/%s", account, kind_plural[kind], id);
}

size_t units_edit_distance(const char *a, const char *b)
{
    size_t n = strnlen(a, UNITS_ID_MAX), m = strnlen(b, UNITS_ID_MAX);
    /* Three rows of the distance table: i - 2, i - 1 and i. */
    size_t rows[3][UNITS_ID_MAX + 1];
    for (size_t j = 0; j <= m; j++)
        rows[0][j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t *two = rows[(i + 1) % 3], *prev = rows[(i + 2) % 3], *cur = rows[i % 3];
        cur[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t best = prev[j - 1] + (a[i - 1] != b[j - 1]);
            if (prev[j] + 1 < best)
                best = prev[j] + 1;
            if (cur[j - 1] + 1 < best)
                best = cur[j - 1] + 1;
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                two[j - 2] + 1 < best)
                best = two[j - 2] + 1;
            cur[j] = best;
        }
    }
    return rows[n % 3][m];
}

int units_is_near(const char *name, const char *candidate)
{
    size_t n = strnlen(name, UNITS_ID_MAX), m = strnlen(candidate, UNITS_ID_MAX);
    size_t longer = n > m ? n : m;
    size_t d = units_edit_distance(name, candidate);
    return d > 0 && (d == 1 || 3 * d <= longer);
}
