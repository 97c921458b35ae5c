/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A unit suffix and its length in seconds; a bare number is in seconds. */
typedef struct {
    const char *suffix;
    double seconds;
} unit;

static const unit duration_units[] = {{"ms", 0.001}, {"s", 1}, {"m", 60}, {"h", 3600},
                                      {"d", 86400},  {"", 1},  {NULL, 0}};
static const unit rate_units[] = {{"/s", 1},     {"/m", 60}, {"/h", 3600},
                                  {"/d", 86400}, {"", 1},    {NULL, 0}};

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

void units_format_duration(double seconds, char *out, size_t size)
{
    if (seconds > 0 && seconds < 1) {
        snprintf(out, size, "%gms", seconds * 1000);
        return;
    }
    if (seconds != floor(seconds) || seconds >= 1e15) {
        snprintf(out, size, "%gs", seconds);
        return;
    }
    long long t = (long long)seconds;
    long long parts[] = {t / 86400, t % 86400 / 3600, t % 3600 / 60, t % 60};
    static const char *const suffix[] = {"d", "h", "m", "s"};
    size_t used = 0;
    out[0] = '\0';
    for (int i = 0; i < 4 && used < size; i++)
        if (parts[i])
            used += (size_t)snprintf(out + used, size - used, "%lld%s", parts[i], suffix[i]);
    if (used == 0)
        snprintf(out, size, "0s");
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

/* A plain decimal number, digits with an optional fraction: no sign, exponent, hex,
 * inf or nan, so that "1e3m" or "0x10s" are typos rather than surprises. Returns the
 * character after the number, or NULL when there is none. */
static const char *scan_decimal(const char *text, double *value)
{
    const char *p = text;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p == text)
        return NULL;
    if (*p == '.') {
        const char *fraction = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == fraction)
            return NULL;
    }
    char *end;
    errno = 0;
    *value = strtod(text, &end);
    if (end != p || errno == ERANGE || !isfinite(*value))
        return NULL;
    return p;
}

/* A decimal number followed by exactly one of the suffixes in `units`: the number and
 * the unit's length in seconds. */
static int scan_with_unit(const char *text, const unit *units, double *value, double *seconds)
{
    const char *rest = scan_decimal(text, value);
    if (!rest)
        return -1;
    for (const unit *u = units; u->suffix; u++)
        if (strcmp(rest, u->suffix) == 0) {
            *seconds = u->seconds;
            return 0;
        }
    return -1;
}

int units_parse_duration(const char *text, double *seconds, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    double value, unit_s;
    if (scan_with_unit(text, duration_units, &value, &unit_s) != 0)
        return fail(err, errlen, "expected a duration like 90s, 10m, 1.5h or 250ms, got \"%s\"",
                    units_quote(text, q, sizeof q));
    if (value * unit_s > UNITS_MAX_DURATION_S)
        return fail(err, errlen, "expected a duration of at most one year (366d), got \"%s\"",
                    units_quote(text, q, sizeof q));
    *seconds = value * unit_s;
    return 0;
}

int units_parse_rate(const char *text, double *per_second, char *err, size_t errlen)
{
    char q[UNITS_QUOTE_BUF];
    double value, unit_s;
    if (scan_with_unit(text, rate_units, &value, &unit_s) != 0)
        return fail(err, errlen,
                    "expected a rate like 50/s, 3000/m or 180000/h (a bare number is per "
                    "second), got \"%s\"",
                    units_quote(text, q, sizeof q));
    if (value / unit_s > UNITS_MAX_RATE_PER_S)
        return fail(err, errlen, "expected a rate of at most 1e9/s, got \"%s\"",
                    units_quote(text, q, sizeof q));
    *per_second = value / unit_s;
    return 0;
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
