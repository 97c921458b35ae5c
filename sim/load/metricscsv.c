/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/metricscsv.h"

#include "sim/base/syserr.h"
#include "sim/base/units.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 65536
#define MAX_NAME 256
#define MAX_FIELDS 80
#define MAX_BUCKETS 64
/* a time is on the window grid when within this share of a window of a whole multiple */
#define GRID_TOLERANCE 1e-6

const double metricscsv_quantile_level[METRICSCSV_N_QUANTILES] = {0.5, 0.9, 0.95, 0.99, 0.999};

/* The named columns; the histogram's le_<S> columns come after them. */
enum {
    COL_TIME,
    COL_DEPLOYMENT,
    COL_REQUESTS,
    COL_REPLICAS,
    COL_ROUTER,
    COL_READY,
    COL_COMPLETED,
    COL_UTILIZATION,
    COL_TOKENS_IN,
    COL_TOKENS_OUT,
    COL_P50,
    N_NAMED = COL_P50 + METRICSCSV_N_QUANTILES
};
static const char *const column_names[N_NAMED] = {
    "time",  "deployment", "requests",    "replicas",  "router",
    "ready", "completed",  "utilization", "tokens_in", "tokens_out",
    "p50",   "p90",        "p95",         "p99",       "p999"};

typedef struct {
    metricscsv *m;
    int field_of[N_NAMED];         /* which field holds each named column, -1 when absent */
    int bucket_field[MAX_BUCKETS]; /* which field holds each bucket, in bound order */
    int n_fields;
    size_t cap_rows, cap_deployments, cap_routers, cap_buckets, cap_counts;
    double last_time;
    char *err;
    size_t errlen;
} reader;

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int at(reader *r, unsigned line, int col, const char *fmt, ...)
{
    int n = snprintf(r->err, r->errlen, "%s:%u:%d: ", r->m->path, line, col);
    if (n < 0 || (size_t)n >= r->errlen)
        return -1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, args);
    va_end(args);
    return -1;
}

void metricscsv_free(metricscsv *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n_deployments; i++)
        free(m->deployments[i]);
    for (size_t i = 0; i < m->n_routers; i++)
        free(m->routers[i]);
    free(m->deployments);
    free(m->routers);
    free(m->rows);
    free(m->bucket_le_s);
    free(m->bucket_counts);
    free(m->path);
    free(m);
}

static int grow(void **items, size_t *cap, size_t need, size_t size)
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

/* The index of name in names, added when new; -1 when out of memory. */
static long intern(char ***names, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*names)[i], name) == 0)
            return (long)i;
    char *copy = strdup(name);
    if (!copy || grow((void **)names, cap, *n + 1, sizeof **names) != 0) {
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

/* A histogram column le_<S>: its bound in seconds (INFINITY for le_inf). */
static int read_bucket_name(reader *r, const char *name, unsigned lineno, int col, double *le)
{
    const char *bound = name + 3;
    if (strcmp(bound, "inf") == 0) {
        *le = INFINITY;
        return 0;
    }
    char why[256];
    if (units_parse_real(bound, 0.0, 86400.0 * 366, le, why, sizeof why) != 0 || *le <= 0.0)
        return at(r, lineno, col + 3,
                  "histogram column \"%s\": expected le_ and a bound in seconds above 0 "
                  "(le_0.25) or le_inf",
                  name);
    return 0;
}

static int read_header(reader *r, char *line, unsigned lineno)
{
    char *fields[MAX_FIELDS];
    int cols[MAX_FIELDS];
    int n = split(line, fields, cols, MAX_FIELDS);
    if (n < 0)
        return at(r, lineno, 1, "more than %d columns", MAX_FIELDS);
    metricscsv *m = r->m;
    for (int k = 0; k < N_NAMED; k++)
        r->field_of[k] = -1;
    int bucket_col[MAX_BUCKETS];
    for (int i = 0; i < n; i++) {
        char q[UNITS_QUOTE_BUF];
        if (strncmp(fields[i], "le_", 3) == 0) {
            double le;
            if (read_bucket_name(r, fields[i], lineno, cols[i], &le) != 0)
                return -1;
            if (m->n_buckets == MAX_BUCKETS)
                return at(r, lineno, cols[i], "more than %d histogram columns", MAX_BUCKETS);
            /* keep the bounds sorted: insertion, there are few */
            size_t j = m->n_buckets;
            for (size_t b = 0; b < m->n_buckets; b++)
                if (m->bucket_le_s[b] == le)
                    return at(r, lineno, cols[i], "histogram bound %s appears twice",
                              fields[i] + 3);
            if (grow((void **)&m->bucket_le_s, &r->cap_buckets, m->n_buckets + 1,
                     sizeof *m->bucket_le_s) != 0)
                return at(r, lineno, cols[i], "out of memory");
            while (j > 0 && m->bucket_le_s[j - 1] > le) {
                m->bucket_le_s[j] = m->bucket_le_s[j - 1];
                r->bucket_field[j] = r->bucket_field[j - 1];
                bucket_col[j] = bucket_col[j - 1];
                j--;
            }
            m->bucket_le_s[j] = le;
            r->bucket_field[j] = i;
            bucket_col[j] = cols[i];
            m->n_buckets++;
            continue;
        }
        int k = 0;
        while (k < N_NAMED && strcmp(fields[i], column_names[k]) != 0)
            k++;
        if (k == N_NAMED)
            return at(r, lineno, cols[i],
                      "unknown column \"%s\": expected time, deployment, requests, replicas, "
                      "router, ready, completed, utilization, tokens_in, tokens_out, p50, p90, "
                      "p95, p99, p999 or le_<seconds>",
                      units_quote(fields[i], q, sizeof q));
        if (r->field_of[k] >= 0)
            return at(r, lineno, cols[i], "column \"%s\" appears twice", column_names[k]);
        r->field_of[k] = i;
    }
    r->n_fields = n;
    for (int k = COL_TIME; k <= COL_REPLICAS; k++)
        if (r->field_of[k] < 0)
            return at(r, lineno, 1,
                      "no \"%s\" column: expected a header naming time, deployment, requests "
                      "and replicas, and optionally more (docs/calibration.md)",
                      column_names[k]);
    int any_quantile = 0;
    for (int q = 0; q < METRICSCSV_N_QUANTILES; q++)
        any_quantile |= m->has_quantile[q] = r->field_of[COL_P50 + q] >= 0;
    if (m->n_buckets > 0) {
        if (any_quantile)
            return at(r, lineno, bucket_col[0],
                      "histogram columns beside quantile columns: expected one or the other");
        if (!isinf(m->bucket_le_s[m->n_buckets - 1]))
            return at(r, lineno, bucket_col[m->n_buckets - 1],
                      "no le_inf column: a histogram needs le_inf, the count of all requests");
        if (m->n_buckets < 2)
            return at(r, lineno, bucket_col[0],
                      "a histogram of le_inf alone: expected bounds below it (le_0.25)");
    }
    m->has_ready = r->field_of[COL_READY] >= 0;
    m->has_completed = r->field_of[COL_COMPLETED] >= 0;
    m->has_utilization = r->field_of[COL_UTILIZATION] >= 0;
    m->has_tokens = r->field_of[COL_TOKENS_IN] >= 0 || r->field_of[COL_TOKENS_OUT] >= 0;
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

/* An optional numeric cell in [min, max]: NAN when the column is absent or the cell empty. */
static int read_optional(reader *r, char **fields, const int *cols, int k, double min, double max,
                         unsigned lineno, double *out)
{
    *out = NAN;
    int f = r->field_of[k];
    if (f < 0 || fields[f][0] == '\0')
        return 0;
    char why[256];
    if (units_parse_real(fields[f], min, max, out, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "%s: %s", column_names[k], why);
    return 0;
}

static int read_row(reader *r, char *line, unsigned lineno)
{
    char *fields[MAX_FIELDS];
    int cols[MAX_FIELDS];
    int n = split(line, fields, cols, MAX_FIELDS);
    if (n != r->n_fields)
        return at(r, lineno, 1, "%d fields: expected %d, as in the header", n < 0 ? MAX_FIELDS : n,
                  r->n_fields);
    metricscsv *m = r->m;
    if (grow((void **)&m->rows, &r->cap_rows, m->n_rows + 1, sizeof *m->rows) != 0)
        return at(r, lineno, 1, "out of memory");
    metricscsv_row row = {.line = lineno,
                          .time_col = (uint32_t)cols[r->field_of[COL_TIME]],
                          .router = METRICSCSV_NO_ROUTER};
    char why[256];
    int f = r->field_of[COL_TIME];
    if (units_parse_real(fields[f], 0.0, 1e13, &row.time_s, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "time: %s seconds", why);
    if (m->n_rows > 0 && row.time_s < r->last_time)
        return at(r, lineno, cols[f],
                  "time %g is before %g on line %u: expected rows in time order", row.time_s,
                  r->last_time, m->rows[m->n_rows - 1].line);
    r->last_time = row.time_s;
    f = r->field_of[COL_DEPLOYMENT];
    if (read_name(r, fields[f], lineno, cols[f], "deployment", &m->deployments, &m->n_deployments,
                  &r->cap_deployments, &row.deployment) != 0)
        return -1;
    f = r->field_of[COL_ROUTER];
    if (f >= 0 && read_name(r, fields[f], lineno, cols[f], "router", &m->routers, &m->n_routers,
                            &r->cap_routers, &row.router) != 0)
        return -1;
    long long count;
    f = r->field_of[COL_REQUESTS];
    if (units_parse_int(fields[f], 0, (long long)1e15, &count, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "requests: %s", why);
    row.requests = (uint64_t)count;
    f = r->field_of[COL_REPLICAS];
    if (units_parse_int(fields[f], 0, 1000000000, &count, why, sizeof why) != 0)
        return at(r, lineno, cols[f], "replicas: %s", why);
    row.replicas = (uint32_t)count;
    if (read_optional(r, fields, cols, COL_READY, 0, 1e9, lineno, &row.ready) != 0 ||
        read_optional(r, fields, cols, COL_COMPLETED, 0, 1e15, lineno, &row.completed) != 0 ||
        read_optional(r, fields, cols, COL_UTILIZATION, 0, 1, lineno, &row.utilization) != 0 ||
        read_optional(r, fields, cols, COL_TOKENS_IN, 0, 1e18, lineno, &row.tokens_in) != 0 ||
        read_optional(r, fields, cols, COL_TOKENS_OUT, 0, 1e18, lineno, &row.tokens_out) != 0)
        return -1;
    for (int q = 0; q < METRICSCSV_N_QUANTILES; q++)
        if (read_optional(r, fields, cols, COL_P50 + q, 0, 86400.0 * 366, lineno,
                          &row.quantile[q]) != 0)
            return -1;
    /* quantiles of one window cannot decrease with the level */
    double below = 0.0;
    int below_q = -1;
    for (int q = 0; q < METRICSCSV_N_QUANTILES; q++) {
        if (isnan(row.quantile[q]))
            continue;
        if (row.quantile[q] < below)
            return at(r, lineno, cols[r->field_of[COL_P50 + q]],
                      "%s %g is below %s %g: expected quantiles that grow with the level",
                      column_names[COL_P50 + q], row.quantile[q], column_names[COL_P50 + below_q],
                      below);
        below = row.quantile[q], below_q = q;
    }
    row.first_bucket = m->n_rows * m->n_buckets;
    if (m->n_buckets > 0 && grow((void **)&m->bucket_counts, &r->cap_counts,
                                 row.first_bucket + m->n_buckets, sizeof *m->bucket_counts) != 0)
        return at(r, lineno, 1, "out of memory");
    double cumulative = 0.0;
    for (size_t b = 0; b < m->n_buckets; b++) {
        f = r->bucket_field[b];
        double *cell = &m->bucket_counts[row.first_bucket + b];
        *cell = NAN;
        if (fields[f][0] == '\0')
            continue;
        if (units_parse_int(fields[f], 0, (long long)1e15, &count, why, sizeof why) != 0)
            return at(r, lineno, cols[f], "histogram count: %s", why);
        if ((double)count < cumulative)
            return at(r, lineno, cols[f],
                      "histogram count %lld below %g of a lower bound: expected cumulative "
                      "counts (requests with latency up to the bound)",
                      count, cumulative);
        *cell = cumulative = (double)count;
    }
    /* rows of one time are together: a duplicate is among them */
    for (size_t i = m->n_rows; i-- > 0 && m->rows[i].time_s == row.time_s;)
        if (m->rows[i].deployment == row.deployment && m->rows[i].router == row.router)
            return at(r, lineno, cols[r->field_of[COL_DEPLOYMENT]],
                      "deployment \"%s\" at time %g again (first on line %u)",
                      m->deployments[row.deployment], row.time_s, m->rows[i].line);
    m->rows[m->n_rows++] = row;
    return 0;
}

/* The window is the smallest gap between successive times; every time is on its grid. */
static int check_windows(reader *r)
{
    metricscsv *m = r->m;
    double gap = INFINITY;
    for (size_t i = 1; i < m->n_rows; i++) {
        double d = m->rows[i].time_s - m->rows[i - 1].time_s;
        if (d > 0.0 && d < gap)
            gap = d;
    }
    if (isinf(gap))
        return at(r, m->rows[m->n_rows - 1].line, 1,
                  "every row at time %g: expected at least two windows", m->rows[0].time_s);
    for (size_t i = 1; i < m->n_rows; i++) {
        double k = (m->rows[i].time_s - m->rows[0].time_s) / gap;
        if (fabs(k - nearbyint(k)) > GRID_TOLERANCE)
            return at(r, m->rows[i].line, (int)m->rows[i].time_col,
                      "time %g is not on the windows' grid: expected %g plus a whole number of "
                      "%g-second windows (the smallest gap between times)",
                      m->rows[i].time_s, m->rows[0].time_s, gap);
    }
    m->window_s = gap;
    return 0;
}

metricscsv *metricscsv_read(const char *path, char *err, size_t errlen)
{
    reader r = {.err = err, .errlen = errlen};
    r.m = calloc(1, sizeof *r.m);
    if (!r.m || !(r.m->path = strdup(path))) {
        snprintf(err, errlen, "%s: out of memory", path);
        metricscsv_free(r.m);
        return NULL;
    }
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, errlen, "%s: %s", path, SYSERR(errno));
        metricscsv_free(r.m);
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
                    "no header: expected a line naming the columns time, deployment, requests, "
                    "replicas and optionally more (docs/calibration.md)");
    if (status == 0 && r.m->n_rows == 0)
        status = at(&r, lineno, 1, "no rows of metrics after the header");
    if (status == 0)
        status = check_windows(&r);
    if (status != 0) {
        metricscsv_free(r.m);
        return NULL;
    }
    return r.m;
}
