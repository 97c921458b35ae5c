/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/countscsv.h"

#include "sim/base/units.h"
#include "sim/load/csvlines.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
    int have_header;
    char *err;
    size_t errlen;
} reader;

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    csvlines_verror(r->err, r->errlen, r->c->path, line, col, fmt, args);
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

static int read_header(reader *r, char *line, unsigned lineno)
{
    char *fields[N_COLS + 1];
    int cols[N_COLS + 1];
    int n = csvlines_split(line, fields, cols, N_COLS + 1);
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

static int read_row(reader *r, char *line, unsigned lineno)
{
    char *fields[N_COLS + 1];
    int cols[N_COLS + 1];
    int n = csvlines_split(line, fields, cols, N_COLS + 1);
    if (n != r->n_fields)
        return at(r, lineno, 1, "%d fields: expected %d, as in the header", n < 0 ? N_COLS + 1 : n,
                  r->n_fields);
    countscsv *c = r->c;
    if (csvlines_grow((void **)&c->rows, &r->cap_rows, c->n_rows + 1, sizeof *c->rows) != 0)
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
    if (csvlines_name(c->path, fields[f], lineno, cols[f], "router", &c->routers, &c->n_routers,
                      &r->cap_routers, &row.router, r->err, r->errlen) != 0)
        return -1;
    f = r->field_of[COL_DEPLOYMENT];
    if (csvlines_name(c->path, fields[f], lineno, cols[f], "deployment", &c->deployments,
                      &c->n_deployments, &r->cap_deployments, &row.deployment, r->err,
                      r->errlen) != 0)
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

/* One line that is not blank or a comment: the header first, then rows. */
static int read_line(void *ctx, char *line, unsigned lineno)
{
    reader *r = ctx;
    if (r->have_header)
        return read_row(r, line, lineno);
    r->have_header = 1;
    return read_header(r, line, lineno);
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
    unsigned lineno;
    int status = csvlines_read(path, read_line, &r, &lineno, err, errlen);
    if (status == 0 && !r.have_header)
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
