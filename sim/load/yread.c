/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/yread.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "FILE:LINE:COL: message", or "FILE: --set key.path=value: message" for what an override
 * wrote (its nodes have negative lines, see ydoc_set). */
static int vfail(const yread *r, int line, int column, const char *fmt, va_list ap)
{
    char msg[768];
    vsnprintf(msg, sizeof msg, fmt, ap);
    const char *set = line < 0 && r->doc ? ydoc_override(r->doc, line) : NULL;
    if (set)
        snprintf(r->err, r->errlen, "%s: --set %s: %s", r->path, set, msg);
    else
        snprintf(r->err, r->errlen, "%s:%d:%d: %s", r->path, line, column, msg);
    return -1;
}

int yread_fail(const yread *r, const ydoc_node *node, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, node->line, node->column, fmt, ap);
    va_end(ap);
    return -1;
}

int yread_fail_at(const yread *r, int line, int column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail(r, line, column, fmt, ap);
    va_end(ap);
    return -1;
}

int yread_type(const yread *r, const ydoc_node *node, ydoc_type type, const char *what)
{
    if (node->type == type)
        return 0;
    return yread_fail(r, node, "expected %s as a %s, got a %s", what, ydoc_type_name(type),
                      ydoc_type_name(node->type));
}

/* The hint explains the one YAML trap users hit: a comma inside an unquoted flow mapping
 * splits a value, and its tail arrives as an extra key with no value. */
int yread_keys(const yread *r, const ydoc_node *map, const char *what, const yread_key *keys)
{
    if (yread_type(r, map, YDOC_MAP, what) != 0)
        return -1;
    for (size_t i = 0; i < map->n; i++) {
        const char *key = map->keys[i]->value;
        const yread_key *k = keys;
        while (k->key && strcmp(k->key, key) != 0)
            k++;
        if (k->key)
            continue;
        char allowed[512] = "";
        for (k = keys; k->key; k++) {
            size_t used = strlen(allowed);
            snprintf(allowed + used, sizeof allowed - used, "%s%s", used ? ", " : "", k->key);
        }
        const char *hint = "";
        if (map->flow && ydoc_is_null(map->items[i]))
            hint = " (inside {...} YAML splits on commas: quote a value such as "
                   "\"--deployments=a,b\")";
        char q[UNITS_QUOTE_BUF];
        return yread_fail(r, map->keys[i], "unknown key \"%s\" in %s; expected one of: %s%s",
                          units_quote(key, q, sizeof q), what, allowed, hint);
    }
    for (const yread_key *k = keys; k->key; k++)
        if (k->required && !ydoc_get(map, k->key))
            return yread_fail(r, map, "%s is missing the key \"%s\"", what, k->key);
    return 0;
}

const char *yread_scalar(const yread *r, const ydoc_node *node, const char *what)
{
    if (yread_type(r, node, YDOC_SCALAR, what) != 0)
        return NULL;
    if (ydoc_is_null(node)) {
        yread_fail(r, node, "expected a value for %s, got nothing", what);
        return NULL;
    }
    return node->value;
}

/* Read a scalar with one of the units parsers, reporting at the node. */
#define READ_WITH(r, node, what, call)                                                             \
    do {                                                                                           \
        const char *text_ = yread_scalar((r), (node), (what));                                     \
        char why_[384];                                                                            \
        if (!text_)                                                                                \
            return -1;                                                                             \
        if (call != 0)                                                                             \
            return yread_fail((r), (node), "%s: %s", (what), why_);                                \
    } while (0)

int yread_duration(const yread *r, const ydoc_node *node, const char *what, double *out)
{
    READ_WITH(r, node, what, units_parse_duration(text_, out, why_, sizeof why_));
    return 0;
}

int yread_positive_duration(const yread *r, const ydoc_node *node, const char *what, double max,
                            double *out)
{
    if (yread_duration(r, node, what, out) != 0)
        return -1;
    if (*out <= 0 || *out > max) {
        char most[32];
        units_format_duration(max, most, sizeof most);
        return yread_fail(r, node, "expected %s greater than 0 and at most %s", what, most);
    }
    return 0;
}

int yread_rate(const yread *r, const ydoc_node *node, const char *what, double *out)
{
    READ_WITH(r, node, what, units_parse_rate(text_, out, why_, sizeof why_));
    return 0;
}

int yread_int(const yread *r, const ydoc_node *node, const char *what, long long min, long long max,
              long long *out)
{
    READ_WITH(r, node, what, units_parse_int(text_, min, max, out, why_, sizeof why_));
    return 0;
}

int yread_real(const yread *r, const ydoc_node *node, const char *what, double min, double max,
               double *out)
{
    READ_WITH(r, node, what, units_parse_real(text_, min, max, out, why_, sizeof why_));
    return 0;
}

int yread_bool(const yread *r, const ydoc_node *node, const char *what, int *out)
{
    READ_WITH(r, node, what, units_parse_bool(text_, out, why_, sizeof why_));
    return 0;
}

int yread_id(const yread *r, const ydoc_node *node, const char *what, units_kind kind, char *id)
{
    READ_WITH(r, node, what, units_resolve(text_, r->account, kind, id, why_, sizeof why_));
    return 0;
}

int yread_model(const yread *r, const ydoc_node *node, char *out)
{
    READ_WITH(r, node, "model", units_resolve_model(text_, r->account, out, why_, sizeof why_));
    return 0;
}

int yread_account(const yread *r, const ydoc_node *node, char *out)
{
    const char *text = yread_scalar(r, node, "account");
    if (!text)
        return -1;
    char q[UNITS_QUOTE_BUF];
    if (!units_valid_id(text))
        return yread_fail(r, node,
                          "expected an account id (lower-case letters, digits and hyphens, 1-63 "
                          "characters, starting with a letter), got \"%s\"",
                          units_quote(text, q, sizeof q));
    snprintf(out, UNITS_ID_MAX + 1, "%s", text);
    return 0;
}

int yread_text(const yread *r, const ydoc_node *node, const char *what, size_t max, char **out)
{
    const char *text = yread_scalar(r, node, what);
    if (!text)
        return -1;
    if (strlen(text) > max)
        return yread_fail(r, node, "expected %s of at most %zu bytes", what, max);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++)
        if (*p < 0x20 && *p != '\n' && *p != '\t')
            return yread_fail(r, node, "expected %s without control characters", what);
    *out = strdup(text);
    return *out ? 0 : yread_fail(r, node, "out of memory");
}

int yread_interval(const yread *r, const ydoc_node *map, double *start, double *end)
{
    const ydoc_node *during = ydoc_get(map, "during");
    *start = 0;
    *end = r->duration_s;
    if (!during)
        return 0;
    if (during->type != YDOC_SEQ || during->n != 2)
        return yread_fail(r, during, "expected during as [start, end], e.g. [20m, 30m]");
    if (yread_duration(r, during->items[0], "during start", start) != 0 ||
        yread_duration(r, during->items[1], "during end", end) != 0)
        return -1;
    if (*start >= *end || *end > r->duration_s) {
        char most[32];
        units_format_duration(r->duration_s, most, sizeof most);
        return yread_fail(r, during, "expected start < end within [0s, %s]", most);
    }
    return 0;
}

int yread_each(const yread *r, const ydoc_node *root, const char *key, int required,
               int (*fn)(void *ctx, const ydoc_node *item), void *ctx)
{
    const ydoc_node *seq = ydoc_get(root, key);
    if (!seq || ydoc_is_null(seq)) {
        if (required)
            return yread_fail(r, seq ? seq : root, "expected at least one item in \"%s\"", key);
        return 0;
    }
    if (yread_type(r, seq, YDOC_SEQ, key) != 0)
        return -1;
    if (required && seq->n == 0)
        return yread_fail(r, seq, "expected at least one item in \"%s\"", key);
    for (size_t i = 0; i < seq->n; i++)
        if (fn(ctx, seq->items[i]) != 0)
            return -1;
    return 0;
}
