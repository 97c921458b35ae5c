/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/countscsv.h"

#include "sim/base/units.h"
#include "sim/base/syserr.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 65536
#define MAX_NAME 256
#define SHARE_SUM_TOLERANCE 1e-3

enum { COL_TIME, COL_ROUTER, COL_DEPLOYMENT, COL_REQUESTS, COL_REPLICAS, COL_SHARE, N_COLS };
static const char *const column_names[N_COLS] = {"time",     "router",   "deployment",
                                                 "requests", "replicas", "share"};

typedef struct {
    countscsv *c;
    int header_col[N_COLS]; /* 1-based byte column of each header name */
    int field_of[N_COLS];   /* which field holds each column, -1 when absent */
    int n_fields;
    size_t cap_rows, cap_routers, cap_deployments;
    char *err;
    size_t errlen;
} reader;

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s:%u:%d: ", r->c->path, line, col);
    if (n < 0 || (size_t)n >= r->errlen)
        return -1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, args);
    va_end(args);
    return -1;
}

void countscsv_free(countscsv *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n_routers; i++)
        free(c->routers[i]);
    for (size_t i = 0; i < c->n_deployments; i++)
        free(c->deployments[i]);
    free(c->routers);
    free(c->deployments);
    free(c->rows);
    free(c->path);
    free(c);
}

static int grow(void **items, size_t *cap, size_t n, size_t size)
{
    if (n < *cap)
        return 0;
    size_t next = *cap ? 2 * *cap : 16;
    void *p = realloc(*items, next * size);
    if (!p)
        return -1;
    *items = p;
    *cap = next;
    return 0;
}

/* The index of name in names, added when new; -1 when out of memory. */
static long intern(char ***names, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return (long)i;
    char *copy = strdup(name);
    if (!copy || grow((void **)names, cap, *n, sizeof **names) != 0) {
        free(copy);
        return -1;
    }
    (*names)[*n] = copy;
    return (long)(*n)++;
}

/* Split line (modified in place) at commas into trimmed fields; cols[] gets each field's
 * 1-based column. Returns the number of fields, or -1 past `max`. */
static int split(char *line, char **fields, int *cols, int max)
{
    int n = 0;
    char *p = line;
    for (;;) {
        if (n == max)
            return -1;
        while (*p == ' ' || *p == '\t')
            p++;
        fields[n] = p;
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

static int read_header(reader *r, char *line, unsigned lineno)
{
    char *fields[N_COLS + 1];
    int cols[N_COLS + 1];
    int n = split(line, fields, cols, N_COLS + 1);
    if (n < 0)
        return at(r, lineno, 1,
                  "more than %d columns: expected time, router, deployment, "
                  "requests and replicas or share",
                  N_COLS);
    for (int k = 0; k < N_COLS; k++)
        r->field_of[k] = -1;
    for (int i = 0; i < n; i++) {
        int k = 0;
        while (k < N_COLS && strcmp(fields[i], column_names[k]) != 0)
            k++;
        char q[UNITS_QUOTE_BUF];
        if (k == N_COLS)
            return at(r, lineno, cols[i],
                      "unknown column \"%s\": expected time, router, deployment, requests, "
                      "replicas or share",
                      units_quote(fields[i], q, sizeof q));
        if (r->field_of[k] >= 0)
            return at(r, lineno, cols[i], "column \"%s\" appears twice", column_names[k]);
        r->field_of[k] = i;
        r->header_col[k] = cols[i];
    }
    r->n_fields = n;
    for (int k = COL_TIME; k <= COL_REQUESTS; k++)
        if (r->field_of[k] < 0)
            return at(r, lineno, 1,
                      "no \"%s\" column: expected a header naming time, router, "
                      "deployment, requests and optionally replicas or share",
                      column_names[k]);
    if (r->field_of[COL_REPLICAS] >= 0 && r->field_of[COL_SHARE] >= 0)
        return at(r, lineno, r->header_col[COL_SHARE],
                  "both replicas and share: expected one of them at most");
    r->c->weights = r->field_of[COL_REPLICAS] >= 0 ? COUNTSCSV_REPLICAS
                    : r->field_of[COL_SHARE] >= 0  ? COUNTSCSV_SHARE
                                                   : COUNTSCSV_NO_WEIGHTS;
    return 0;
}

static int read_name(reader *r, const char *text, unsigned lineno, int col, const char *what,
                     char ***names, size_t *n, size_t *cap, uint32_t *index)
{
    if (text[0] == '\0')
        return at(r, lineno, col, "empty %s: expected a name", what);
    if (strlen(text) >= MAX_NAME)
        return at(r, lineno, col, "%s name longer than %d characters", what, MAX_NAME - 1);
    if (strchr(text, '"'))
        return at(r, lineno, col, "a quote in the %s name: quoted fields are not supported", what);
    long i = intern(names, n, cap, text);
    if (i < 0)
        return at(r, lineno, col, "out of memory");
    *index = (uint32_t)i;
    return 0;
}

static int read_row(reader *r, char *line, unsigned lineno)
{
    char *fields[N_COLS + 1];
    int cols[N_COLS + 1];
    int n = split(line, fields, cols, N_COLS + 1);
    if (n != r->n_fields)
        return at(r, lineno, 1, "%d fields: expected %d, as in the header", n < 0 ? N_COLS + 1 : n,
                  r->n_fields);
    countscsv *c = r->c;
    if (grow((void **)&c->rows, &r->cap_rows, c->n_rows, sizeof *c->rows) != 0)
        return at(r, lineno, 1, "out of memory");
    countscsv_row row = {.line = lineno,
                         .time_col = (uint32_t)cols[r->field_of[COL_TIME]],
                         .router_col = (uint32_t)cols[r->field_of[COL_ROUTER]],
                         .deployment_col = (uint32_t)cols[r->field_of[COL_DEPLOYMENT]]};
    char why[512];
    int f = r->field_of[COL_TIME];
    if (units_parse_real(fields[f], 0.0, 1e13, &row.time_s, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "time: %s seconds", why);
    if (c->n_rows > 0 && row.time_s < c->rows[c->n_rows - 1].time_s)
        return at(r, lineno, cols[f],
                  "time %g is before %g on line %u: expected rows in time order", row.time_s,
                  c->rows[c->n_rows - 1].time_s, c->rows[c->n_rows - 1].line);
    f = r->field_of[COL_ROUTER];
    if (read_name(r, fields[f], lineno, cols[f], "router", &c->routers, &c->n_routers,
                  &r->cap_routers, &row.router) != 0)
        return -1;
    f = r->field_of[COL_DEPLOYMENT];
    if (read_name(r, fields[f], lineno, cols[f], "deployment", &c->deployments, &c->n_deployments,
                  &r->cap_deployments, &row.deployment) != 0)
        return -1;
    f = r->field_of[COL_REQUESTS];
    long long count;
    if (units_parse_int(fields[f], 0, (long long)1e15, &count, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "requests: %s", why);
    row.requests = (uint64_t)count;
    if (c->weights == COUNTSCSV_REPLICAS) {
        f = r->field_of[COL_REPLICAS];
        if (units_parse_int(fields[f], 0, 1000000000, &count, why, sizeof why) != 0)
            return at(r, lineno, cols[f], "replicas: %s", why);
        row.weight = (double)count;
        row.weight_col = (uint32_t)cols[f];
    } else if (c->weights == COUNTSCSV_SHARE) {
        f = r->field_of[COL_SHARE];
        if (units_parse_real(fields[f], 0.0, 1.0, &row.weight, why, sizeof why) != 0)
            return at(r, lineno, cols[f], "share: %s", why);
        row.weight_col = (uint32_t)cols[f];
    }
    /* rows of one time are together: a duplicate is among them */
    for (size_t i = c->n_rows; i-- > 0 && c->rows[i].time_s == row.time_s;)
        if (c->rows[i].router == row.router && c->rows[i].deployment == row.deployment)
            return at(r, lineno, cols[r->field_of[COL_DEPLOYMENT]],
                      "router \"%s\", deployment \"%s\" at time %g again (first on line %u)",
                      c->routers[row.router], c->deployments[row.deployment], row.time_s,
                      c->rows[i].line);
    c->rows[c->n_rows++] = row;
    return 0;
}

/* With shares: each router's shares at each time sum to 1. */
static int check_share_sums(reader *r)
{
    countscsv *c = r->c;
    if (c->weights != COUNTSCSV_SHARE)
        return 0;
    for (size_t i = 0; i < c->n_rows; i++) {
        const countscsv_row *first = &c->rows[i];
        int seen_before = 0;
        for (size_t j = i; j-- > 0 && c->rows[j].time_s == first->time_s;)
            seen_before |= c->rows[j].router == first->router;
        if (seen_before)
            continue;
        double sum = 0.0;
        for (size_t j = i; j < c->n_rows && c->rows[j].time_s == first->time_s; j++)
            if (c->rows[j].router == first->router)
                sum += c->rows[j].weight;
        if (fabs(sum - 1.0) > SHARE_SUM_TOLERANCE)
            return at(r, first->line, first->weight_col,
                      "the shares of router \"%s\" at time %g sum to %g: expected 1 (within %g)",
                      c->routers[first->router], first->time_s, sum, SHARE_SUM_TOLERANCE);
    }
    return 0;
}

countscsv *countscsv_read(const char *path, char *err, size_t errlen)
{
    reader r = {.err = err, .errlen = errlen};
    r.c = calloc(1, sizeof *r.c);
    if (!r.c || !(r.c->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        countscsv_free(r.c);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, SYSERR(errno));
        countscsv_free(r.c);
        return NULL;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned lineno = 0;
    int status = 0, have_header = 0;
    while (status == 0 && (len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > MAX_LINE) {
            status = at(&r, lineno, 1, "line longer than %d bytes", MAX_LINE);
            break;
        }
        if ((size_t)len != strlen(line)) {
            status = at(&r, lineno, (int)strlen(line) + 1, "a NUL byte: expected text");
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
        if (!have_header) {
            status = read_header(&r, line, lineno);
            have_header = 1;
        } else {
            status = read_row(&r, line, lineno);
        }
    }
    if (status == 0 && ferror(f))
        status = -1, snprintf(err, errlen, "%s: read error", path);
    free(line);
    fclose(f);
    if (status == 0 && !have_header)
        status = at(&r, lineno ? lineno : 1, 1,
                    "no header: expected a line naming the columns time, router, deployment, "
                    "requests and optionally replicas or share");
    if (status == 0 && r.c->n_rows == 0)
        status = at(&r, lineno, 1, "no rows of counts after the header");
    if (status == 0)
        status = check_share_sums(&r);
    if (status != 0) {
        countscsv_free(r.c);
        return NULL;
    }
    return r.c;
}
