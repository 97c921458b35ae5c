/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/uncertain.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int uncertain_split(const char *text, double *number, char *unit, size_t unit_size, char *err,
                    size_t errlen)
{
    char *end = NULL;
    while (isspace((unsigned char)*text))
        text++;
    *number = strtod(text, &end);
    if (end == text || !isfinite(*number)) {
        snprintf(err, errlen, "expected a number with an optional unit (e.g. 250ms), got \"%s\"",
                 text);
        return -1;
    }
    size_t len = strlen(end);
    while (len > 0 && isspace((unsigned char)end[len - 1]))
        len--;
    if (len > UNCERTAIN_MAX_UNIT || len >= unit_size) {
        snprintf(err, errlen,
                 "expected a unit of at most %d characters after the number, got \"%s\"",
                 UNCERTAIN_MAX_UNIT, text);
        return -1;
    }
    for (size_t i = 0; i < len; i++)
        if (!isalpha((unsigned char)end[i]) && end[i] != '/') {
            snprintf(err, errlen, "expected a number and a unit such as ms, s or /s, got \"%s\"",
                     text);
            return -1;
        }
    memcpy(unit, end, len);
    unit[len] = '\0';
    return 0;
}

/* Both ends with one unit and low < high. */
static int check_interval(const char *low_text, const char *high_text, double *low, double *high,
                          char *unit, size_t unit_size, char *err, size_t errlen)
{
    char high_unit[UNCERTAIN_MAX_UNIT + 1];
    if (uncertain_split(low_text, low, unit, unit_size, err, errlen) != 0 ||
        uncertain_split(high_text, high, high_unit, sizeof high_unit, err, errlen) != 0)
        return -1;
    if (strcmp(unit, high_unit) != 0) {
        snprintf(err, errlen, "expected low and high in the same unit, got \"%s\" and \"%s\"",
                 low_text, high_text);
        return -1;
    }
    if (!(*low < *high)) {
        snprintf(err, errlen, "expected low below high, got %s and %s", low_text, high_text);
        return -1;
    }
    return 0;
}

int uncertain_parse_vary(const char *text, char **key, double *low, double *high, char **unit,
                         char *err, size_t errlen)
{
    const char *eq = strchr(text, '=');
    const char *dots = eq ? strstr(eq + 1, "..") : NULL;
    if (!eq || eq == text || !dots) {
        snprintf(err, errlen, "expected KEY.PATH=LOW..HIGH, got \"%s\"", text);
        return -1;
    }
    char low_text[128], high_text[128], u[UNCERTAIN_MAX_UNIT + 1];
    size_t low_len = (size_t)(dots - eq - 1);
    if (low_len >= sizeof low_text || strlen(dots + 2) >= sizeof high_text) {
        snprintf(err, errlen, "expected KEY.PATH=LOW..HIGH with short numbers, got \"%s\"", text);
        return -1;
    }
    memcpy(low_text, eq + 1, low_len);
    low_text[low_len] = '\0';
    snprintf(high_text, sizeof high_text, "%s", dots + 2);
    if (check_interval(low_text, high_text, low, high, u, sizeof u, err, errlen) != 0)
        return -1;
    *key = strndup(text, (size_t)(eq - text));
    *unit = strdup(u);
    if (!*key || !*unit) {
        free(*key);
        free(*unit);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    return 0;
}

void uncertain_assignment(char *buf, size_t size, const char *key, double number, const char *unit)
{
    snprintf(buf, size, "%s=%.12g%s", key, number, unit);
}

int uncertain_read(const yread *r, const ydoc_node *map, scenario *sc)
{
    static const yread_key rules[] = {{"low", 1}, {"high", 1}, {NULL, 0}};
    if (yread_type(r, map, YDOC_MAP, "uncertainty (KEY.PATH: {low: ..., high: ...})") != 0)
        return -1;
    if (map->n == 0)
        return 0;
    sc->uncertain = calloc(map->n, sizeof *sc->uncertain);
    if (!sc->uncertain)
        return yread_fail(r, map, "out of memory");
    for (size_t i = 0; i < map->n; i++) {
        const ydoc_node *key = map->keys[i], *range = map->items[i];
        const char *path = yread_scalar(r, key, "a key path");
        if (!path)
            return -1;
        if (!*path || strchr(path, '=') || path[0] == '.' || path[strlen(path) - 1] == '.' ||
            strstr(path, ".."))
            return yread_fail(r, key,
                              "expected a key path such as deployments.chat.replicas, "
                              "got \"%s\"",
                              path);
        if (yread_keys(r, range, "an uncertain parameter", rules) != 0)
            return -1;
        const char *low = yread_scalar(r, ydoc_get(range, "low"), "low");
        const char *high = low ? yread_scalar(r, ydoc_get(range, "high"), "high") : NULL;
        if (!high)
            return -1;
        scenario_uncertain *u = &sc->uncertain[sc->n_uncertain];
        char unit[UNCERTAIN_MAX_UNIT + 1], why[256];
        if (check_interval(low, high, &u->low, &u->high, unit, sizeof unit, why, sizeof why) != 0)
            return yread_fail(r, range, "%s", why);
        u->key = strdup(path);
        u->unit = strdup(unit);
        u->line = key->line;
        u->column = key->column;
        sc->n_uncertain++;
        if (!u->key || !u->unit)
            return yread_fail(r, key, "out of memory");
    }
    return 0;
}
