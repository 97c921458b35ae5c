/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/csvlines.h"

#include "sim/base/syserr.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int csvlines_verror(char *err, size_t errlen, const char *path, unsigned line, int col,
                    const char *fmt, va_list args)
{
    int n = snprintf(err, errlen, "%s:%u:%d: ", path, line, col);
    if (n >= 0 && (size_t)n < errlen)
        vsnprintf(err + n, errlen - (size_t)n, fmt, args);
    return -1;
}

int csvlines_error(char *err, size_t errlen, const char *path, unsigned line, int col,
                   const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    csvlines_verror(err, errlen, path, line, col, fmt, args);
    va_end(args);
    return -1;
}

int csvlines_grow(void **items, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t next = *cap ? 2 * *cap : 16;
    while (next < need)
        next *= 2;
    void *p = realloc(*items, next * size);
    if (!p)
        return -1;
    *items = p;
    *cap = next;
    return 0;
}

int csvlines_name(const char *path, const char *text, unsigned lineno, int col, const char *what,
                  char ***names, size_t *n, size_t *cap, uint32_t *index, char *err, size_t errlen)
{
    if (text[0] == '\0')
        return csvlines_error(err, errlen, path, lineno, col, "empty %s: expected a name", what);
    if (strlen(text) >= CSVLINES_MAX_NAME)
        return csvlines_error(err, errlen, path, lineno, col, "%s name longer than %d characters",
                              what, CSVLINES_MAX_NAME - 1);
    if (strchr(text, '"'))
        return csvlines_error(err, errlen, path, lineno, col,
                              "a quote in the %s name: quoted fields are not supported", what);
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], text) == 0) {
            *index = (uint32_t)i;
            return 0;
        }
    char *copy = strdup(text);
    if (!copy || csvlines_grow((void **)names, cap, *n + 1, sizeof **names) != 0) {
        free(copy);
        return csvlines_error(err, errlen, path, lineno, col, "out of memory");
    }
    (*names)[*n] = copy;
    *index = (uint32_t)(*n)++;
    return 0;
}

int csvlines_split(char *line, char **cells, int *cols, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        while (*p == ' ' || *p == '\t')
            p++;
        cells[n] = p;
        cols[n] = (int)(p - line) + 1;
        char *comma = strchr(p, ',');
        char *end = comma ? comma : p + strlen(p);
        char *last = end;
        while (last > p && (last[-1] == ' ' || last[-1] == '\t'))
            last--;
        *last = '\0';
        n++;
        if (!comma)
            return n;
        p = comma + 1;
    }
}

int csvlines_read(const char *path, csvlines_fn fn, void *ctx, unsigned *lines, char *err,
                  size_t errlen)
{
    *lines = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, SYSERR(errno));
        return -1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int status = 0;
    while (status == 0 && (len = getline(&line, &cap, f)) >= 0) {
        unsigned lineno = ++*lines;
        if (len > CSVLINES_MAX_LINE) {
            status = csvlines_error(err, errlen, path, lineno, 1, "line longer than %d bytes",
                                    CSVLINES_MAX_LINE);
            break;
        }
        if ((size_t)len != strlen(line)) {
            status = csvlines_error(err, errlen, path, lineno, (int)strlen(line) + 1,
                                    "a NUL byte: expected text");
            break;
        }
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        /* a spreadsheet's UTF-8 byte order mark before the header is not part of it */
        if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
            memmove(line, line + 3, (size_t)(len -= 3) + 1);
        const char *p = line + strspn(line, " \t");
        if (*p == '\0' || *p == '#')
            continue;
        status = fn(ctx, line, lineno);
    }
    if (status == 0 && ferror(f))
        status = -1, snprintf(err, errlen, "%s: read error", path);
    free(line);
    fclose(f);
    return status;
}
