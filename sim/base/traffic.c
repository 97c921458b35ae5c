/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/traffic.h"

#include "sim/base/syserr.h"
#include "sim/base/tokens.h"

#include <errno.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The daily sinusoid is bounded piece by piece over this many pieces per period, aligned on
 * the peak: with an even count the peak and the trough fall on piece edges, so the rate is
 * monotone within each piece and its maximum there is the larger of its two ends. More
 * pieces make the bound tighter (fewer rejected candidates) at the cost of one wasted draw
 * per piece edge crossed. */
#define DAILY_PIECES 16

#define TRACE_LINE_MAX 4096 /* characters of a trace line, without its line end */
#define QUOTE_MAX 64        /* characters of an offending cell shown in an error */

static const double two_pi = 6.28318530717958647692;

/* ---- the rate and its integral --------------------------------------------------------- */

/* The stretch of time from the current instant to `end` over which lambda <= bound; flat
 * when lambda equals the bound throughout, so that no candidate needs a thinning test. */
typedef struct {
    double end;
    double bound;
    int flat;
} piece;

static double segment_start(const traffic_shape *s, size_t i)
{
    return i == 0 ? 0.0 : s->segments[i - 1].until_s;
}

/* The profile piece in force at t >= 0: the first one ending after t (zero-length pieces are
 * passed over), or n_segments once the profile is over. */
static size_t segment_at(const traffic_shape *s, double t)
{
    size_t lo = 0, hi = s->n_segments;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->segments[mid].until_s > t)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* The rate of piece i at a time t inside it. */
static double segment_rate(const traffic_shape *s, size_t i, double t)
{
    const traffic_segment *g = &s->segments[i];
    if (g->from == g->to)
        return g->from;
    double start = segment_start(s, i);
    return g->from + (g->to - g->from) * (t - start) / (g->until_s - start);
}

static double profile_rate(const traffic_shape *s, double t)
{
    if (t < 0)
        return 0;
    size_t i = segment_at(s, t);
    return i < s->n_segments ? segment_rate(s, i, t) : 0;
}

/* A linear piece's maximum over [t, its end) is at one of the two ends. */
static void profile_piece(const traffic_shape *s, double t, piece *p)
{
    if (s->n_segments == 0)
        return;
    if (t < 0) {
        p->end = fmin(p->end, 0);
        return;
    }
    size_t i = segment_at(s, t);
    if (i == s->n_segments)
        return;
    const traffic_segment *g = &s->segments[i];
    p->bound += fmax(segment_rate(s, i, t), g->to);
    p->end = fmin(p->end, g->until_s);
    p->flat = p->flat && g->from == g->to;
}

/* Trapezoids: each piece is linear over its overlap with [a, b]. */
static double profile_integral(const traffic_shape *s, double a, double b)
{
    double total = 0;
    for (size_t i = 0; i < s->n_segments; i++) {
        double x0 = fmax(a, segment_start(s, i)), x1 = fmin(b, s->segments[i].until_s);
        if (x1 > x0)
            total += 0.5 * (segment_rate(s, i, x0) + segment_rate(s, i, x1)) * (x1 - x0);
    }
    return total;
}

static double daily_mid(const traffic_shape *s)
{
    return 0.5 * (s->daily_peak + s->daily_trough);
}

static double daily_amp(const traffic_shape *s)
{
    return 0.5 * (s->daily_peak - s->daily_trough);
}

static double daily_rate(const traffic_shape *s, double t)
{
    return daily_mid(s) + daily_amp(s) * cos(two_pi * (t - s->daily_peak_at_s) / s->daily_period_s);
}

/* The end of the daily piece holding t: the first piece edge strictly after t, settled
 * against rounding so that the piece [edge - step, edge) really contains t. */
static double daily_piece_end(const traffic_shape *s, double t)
{
    double step = s->daily_period_s / DAILY_PIECES, at = s->daily_peak_at_s;
    double k = floor((t - at) / step);
    while (at + k * step > t)
        k--;
    while (at + (k + 1) * step <= t)
        k++;
    return at + (k + 1) * step;
}

static void daily_piece(const traffic_shape *s, double t, piece *p)
{
    if (!s->has_daily)
        return;
    if (daily_amp(s) == 0) {
        p->bound += daily_mid(s);
        return;
    }
    double end = daily_piece_end(s, t);
    p->bound += fmax(daily_rate(s, t), daily_rate(s, end));
    p->end = fmin(p->end, end);
    p->flat = 0;
}

static double daily_integral(const traffic_shape *s, double a, double b)
{
    double w = two_pi / s->daily_period_s, at = s->daily_peak_at_s;
    return daily_mid(s) * (b - a) + daily_amp(s) / w * (sin(w * (b - at)) - sin(w * (a - at)));
}

/* The number k of the burst cycle [start + k every, start + (k + 1) every) holding t, for
 * t >= burst_start_s, settled against rounding like the daily pieces. */
static double burst_cycle(const traffic_shape *s, double t)
{
    double start = s->burst_start_s, every = s->burst_every_s;
    double k = floor((t - start) / every);
    while (k > 0 && start + k * every > t)
        k--;
    while (start + (k + 1) * every <= t)
        k++;
    return k;
}

/* Whether a burst is on at t, and the next instant after t at which that changes. */
static int burst_on(const traffic_shape *s, double t, double *edge)
{
    if (t < s->burst_start_s) {
        *edge = s->burst_start_s;
        return 0;
    }
    double cycle = s->burst_start_s + burst_cycle(s, t) * s->burst_every_s;
    if (t < cycle + s->burst_length_s) {
        *edge = cycle + s->burst_length_s;
        return 1;
    }
    *edge = cycle + s->burst_every_s;
    return 0;
}

static void burst_piece(const traffic_shape *s, double t, piece *p)
{
    if (!s->has_bursts)
        return;
    double edge;
    if (burst_on(s, t, &edge))
        p->bound += s->burst_rate;
    p->end = fmin(p->end, edge);
}

/* How long bursts have been on from their first start up to x. */
static double burst_on_time(const traffic_shape *s, double x)
{
    if (x <= s->burst_start_s)
        return 0;
    double k = burst_cycle(s, x);
    double into = x - (s->burst_start_s + k * s->burst_every_s);
    return k * s->burst_length_s + fmin(into, s->burst_length_s);
}

double traffic_rate_at(const traffic_shape *shape, double t)
{
    double rate = shape->rate + profile_rate(shape, t);
    double edge;
    if (shape->has_daily)
        rate += daily_rate(shape, t);
    if (shape->has_bursts && burst_on(shape, t, &edge))
        rate += shape->burst_rate;
    return rate;
}

double traffic_expected(const traffic_shape *shape, double a, double b)
{
    if (!(b > a))
        return 0;
    double total = shape->rate * (b - a) + profile_integral(shape, a, b);
    if (shape->has_daily)
        total += daily_integral(shape, a, b);
    if (shape->has_bursts)
        total += shape->burst_rate * (burst_on_time(shape, b) - burst_on_time(shape, a));
    return total;
}

/* Where the upper bound of lambda changes next after t, and its value until then. */
static piece piece_at(const traffic_shape *s, double t)
{
    piece p = {INFINITY, s->rate, 1};
    profile_piece(s, t, &p);
    daily_piece(s, t, &p);
    burst_piece(s, t, &p);
    return p;
}

/*
 * Lewis-Shedler thinning. Candidates come from a Poisson process at the piece's bound and
 * each is kept with probability lambda / bound. The bound is recomputed from every
 * candidate and from every piece edge; both are stopping times, and a Poisson process
 * restarted at a stopping time is again Poisson (memorylessness), so a candidate gap that
 * overshoots the piece is discarded and redrawn from its edge without any bias: the kept
 * points form a Poisson process of rate exactly lambda. A flat piece keeps every candidate,
 * so a constant rate costs one exponential draw per arrival.
 */
double traffic_next(const traffic_shape *shape, gsl_rng *rng, double now, double end)
{
    /* A constant rate is one piece without end: one exponential gap, nothing else. */
    if (shape->n_segments == 0 && !shape->has_daily && !shape->has_bursts)
        return shape->rate > 0 ? now + gsl_ran_exponential(rng, 1.0 / shape->rate) : INFINITY;
    double t = now;
    while (t <= end) {
        piece p = piece_at(shape, t);
        if (p.bound <= 0) {
            t = p.end;
            continue;
        }
        double candidate = t + gsl_ran_exponential(rng, 1.0 / p.bound);
        if (candidate >= p.end) {
            t = p.end;
            continue;
        }
        if (candidate > end || p.flat ||
            gsl_rng_uniform(rng) * p.bound < traffic_rate_at(shape, candidate))
            return candidate;
        t = candidate;
    }
    return t;
}

/* ---- trace replay ---------------------------------------------------------------------- */

enum { COL_TIME, COL_ROUTER, COL_ACCOUNT, COL_PROMPT_TOKENS, COL_OUTPUT_TOKENS, N_COLUMNS };

static const char *const column_names[N_COLUMNS] = {"time", "router", "account", "prompt_tokens",
                                                    "output_tokens"};

struct traffic_trace {
    FILE *file;
    char *path;
    long line;                    /* number of the line last read, 1-based */
    int n_cells;                  /* cells per line, as in the header */
    int cell_of[N_COLUMNS];       /* which cell holds each column; -1 when the trace has none */
    char header[80];              /* "time, router": the columns in file order, for errors */
    double last_time;             /* the previous arrival's, to keep the trace in order */
    long last_line;               /* its line; 0 before the first arrival */
    char buf[TRACE_LINE_MAX + 3]; /* a line, its "\r\n" and the terminating NUL */
};

static int trace_fail(const traffic_trace *t, int col, char *err, size_t errlen, const char *fmt,
                      ...) __attribute__((format(printf, 5, 6)));

/* "PATH:LINE:COL: " then the message: the position of the offending cell. */
static int trace_fail(const traffic_trace *t, int col, char *err, size_t errlen, const char *fmt,
                      ...)
{
    if (!err || errlen == 0)
        return -1;
    int n = snprintf(err, errlen, "%s:%ld:%d: ", t->path, t->line, col);
    if (n >= 0 && (size_t)n < errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* A cell as it can be shown on one line of an error: control characters escaped, cut after
 * QUOTE_MAX characters. Cells never hold quotes (they are refused first). */
static const char *shown(const char *text, char *buf, size_t size)
{
    size_t out = 0, count = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p && out + 8 < size; p++) {
        if (count++ == QUOTE_MAX) {
            memcpy(buf + out, "...", 3);
            out += 3;
            break;
        }
        if (*p < 0x20 || *p == 0x7f)
            out += (size_t)snprintf(buf + out, size - out, "\\x%02x", *p);
        else
            buf[out++] = (char)*p;
    }
    buf[out] = '\0';
    return buf;
}

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

/* Read the next physical line into buf without its line end: 1, 0 at end of file, -1 when it
 * is too long or the file cannot be read. */
static int read_physical_line(traffic_trace *t, char *err, size_t errlen)
{
    errno = 0;
    if (!fgets(t->buf, sizeof t->buf, t->file)) {
        if (ferror(t->file))
            return trace_fail(t, 1, err, errlen, "expected a readable trace file (%s)",
                              SYSERR(errno ? errno : EIO));
        return 0;
    }
    t->line++;
    size_t len = strlen(t->buf);
    int complete = len > 0 && t->buf[len - 1] == '\n';
    if (complete)
        t->buf[--len] = '\0';
    if (len > 0 && t->buf[len - 1] == '\r')
        t->buf[--len] = '\0';
    if ((!complete && !feof(t->file)) || len > TRACE_LINE_MAX)
        return trace_fail(t, TRACE_LINE_MAX + 1, err, errlen,
                          "expected a line of at most %d characters", TRACE_LINE_MAX);
    return 1;
}

/* The next line that carries data: blank lines and '#' comments are passed over. A quote
 * anywhere is refused here, once, rather than cell by cell. */
static int read_line(traffic_trace *t, char *err, size_t errlen)
{
    for (;;) {
        int got = read_physical_line(t, err, errlen);
        if (got <= 0)
            return got;
        const char *p = t->buf;
        while (is_blank(*p))
            p++;
        if (*p == '\0' || *p == '#')
            continue;
        const char *quote = strchr(t->buf, '"');
        if (quote)
            return trace_fail(t, (int)(quote - t->buf) + 1, err, errlen,
                              "expected a cell without quotes (quoted CSV cells are not "
                              "supported)");
        return 1;
    }
}

/* Cut the next cell off *rest, in place and trimmed of blanks; its column (of its first
 * non-blank character, or of where it starts when it is empty) in *col. NULL after the last
 * cell. */
static char *next_cell(char **rest, const char *line, int *col)
{
    char *start = *rest;
    if (!start)
        return NULL;
    char *comma = strchr(start, ',');
    if (comma) {
        *comma = '\0';
        *rest = comma + 1;
    } else {
        *rest = NULL;
    }
    char *cell = start;
    while (is_blank(*cell))
        cell++;
    *col = (int)((*cell ? cell : start) - line) + 1;
    char *end = cell + strlen(cell);
    while (end > cell && is_blank(end[-1]))
        *--end = '\0';
    return cell;
}

static int column_named(const char *name)
{
    for (int c = 0; c < N_COLUMNS; c++)
        if (strcmp(name, column_names[c]) == 0)
            return c;
    return -1;
}

/* Record the header's columns; every one must be known, once, and `time` must be there. */
static int read_header(traffic_trace *t, char *err, size_t errlen)
{
    int got = read_line(t, err, errlen);
    if (got < 0)
        return -1;
    if (got == 0) {
        t->line++; /* where the missing header should be */
        return trace_fail(t, 1, err, errlen,
                          "expected a header line naming the columns (time, and optionally "
                          "router, account, prompt_tokens and output_tokens)");
    }
    int col_at[N_COLUMNS] = {0};
    char *rest = t->buf, *cell, q[QUOTE_MAX * 4 + 16];
    for (int col; (cell = next_cell(&rest, t->buf, &col)); t->n_cells++) {
        int c = column_named(cell);
        if (c < 0)
            return trace_fail(t, col, err, errlen,
                              "expected a column named time, router, account, prompt_tokens or "
                              "output_tokens, got \"%s\"",
                              shown(cell, q, sizeof q));
        if (t->cell_of[c] >= 0)
            return trace_fail(t, col, err, errlen,
                              "expected each column once, got \"%s\" again (first at column %d)",
                              cell, col_at[c]);
        t->cell_of[c] = t->n_cells;
        col_at[c] = col;
        size_t used = strlen(t->header);
        snprintf(t->header + used, sizeof t->header - used, "%s%s", used ? ", " : "", cell);
    }
    if (t->cell_of[COL_TIME] < 0)
        return trace_fail(t, 1, err, errlen,
                          "expected a time column (the accepted columns are time, router, "
                          "account, prompt_tokens and output_tokens)");
    /* A request's size is both counts: one column without the other is a mistake. */
    int prompt = t->cell_of[COL_PROMPT_TOKENS] >= 0, output = t->cell_of[COL_OUTPUT_TOKENS] >= 0;
    if (prompt != output)
        return trace_fail(t, col_at[prompt ? COL_PROMPT_TOKENS : COL_OUTPUT_TOKENS], err, errlen,
                          "expected prompt_tokens and output_tokens together (a request's "
                          "size), got %s alone",
                          prompt ? "prompt_tokens" : "output_tokens");
    return 0;
}

traffic_trace *traffic_trace_open(const char *path, char *err, size_t errlen)
{
    traffic_trace *t = calloc(1, sizeof *t);
    if (!t || !(t->path = strdup(path))) {
        free(t);
        snprintf(err, errlen, "%s: expected enough memory to read the trace", path);
        return NULL;
    }
    for (int c = 0; c < N_COLUMNS; c++)
        t->cell_of[c] = -1;
    t->file = fopen(path, "r");
    if (!t->file) {
        snprintf(err, errlen, "%s: expected a readable trace file (%s)", path, SYSERR(errno));
        traffic_trace_close(t);
        return NULL;
    }
    if (read_header(t, err, errlen) != 0) {
        traffic_trace_close(t);
        return NULL;
    }
    return t;
}

/* A router cell: a short id or a full name accounts/<A>/routers/<ID> (which account it must
 * belong to is the scenario's business, not the trace's). */
static int valid_router(const char *text)
{
    static const char prefix[] = "accounts/", middle[] = "/routers/";
    if (units_valid_id(text))
        return 1;
    if (strncmp(text, prefix, sizeof prefix - 1) != 0)
        return 0;
    const char *account = text + sizeof prefix - 1;
    const char *mid = strstr(account, middle);
    if (!mid || mid - account > UNITS_ID_MAX)
        return 0;
    char id[UNITS_ID_MAX + 1];
    memcpy(id, account, (size_t)(mid - account));
    id[mid - account] = '\0';
    return units_valid_id(id) && units_valid_id(mid + sizeof middle - 1);
}

static int parse_time(traffic_trace *t, const char *cell, int col, double *time_s, char *err,
                      size_t errlen)
{
    char why[QUOTE_MAX * 4 + 128];
    if (units_parse_duration(cell, time_s, why, sizeof why) != 0)
        return trace_fail(t, col, err, errlen, "%s", why);
    if (t->last_line > 0 && *time_s < t->last_time)
        return trace_fail(t, col, err, errlen,
                          "expected a time no earlier than the previous arrival's (%.15gs, line "
                          "%ld), got %.15gs: a trace must be in time order",
                          t->last_time, t->last_line, *time_s);
    return 0;
}

static int parse_router(traffic_trace *t, const char *cell, int col, char *router, char *err,
                        size_t errlen)
{
    char q[QUOTE_MAX * 4 + 16];
    if (*cell && !valid_router(cell))
        return trace_fail(t, col, err, errlen,
                          "expected a router id (lower-case letters, digits and hyphens, 1-63 "
                          "characters, starting with a letter) or accounts/<ACCOUNT>/routers/<ID>, "
                          "got \"%s\"",
                          shown(cell, q, sizeof q));
    strcpy(router, cell);
    return 0;
}

/* A token count cell: a whole number from `least` to TOKENS_MAX, digits only. */
static int parse_tokens(traffic_trace *t, const char *cell, int col, const char *name,
                        unsigned least, uint32_t *out, char *err, size_t errlen)
{
    char q[QUOTE_MAX * 4 + 16];
    size_t len = strspn(cell, "0123456789");
    unsigned long long n = 0;
    for (size_t i = 0; i < len && n <= TOKENS_MAX; i++)
        n = n * 10 + (unsigned)(cell[i] - '0');
    if (len == 0 || cell[len] != '\0' || n < least || n > TOKENS_MAX)
        return trace_fail(t, col, err, errlen,
                          "%s: expected a whole number from %u to %d, got "
                          "\"%s\"",
                          name, least, TOKENS_MAX, shown(cell, q, sizeof q));
    *out = (uint32_t)n;
    return 0;
}

static int parse_account(traffic_trace *t, const char *cell, int col, char *account, char *err,
                         size_t errlen)
{
    char q[QUOTE_MAX * 4 + 16];
    if (*cell && !units_valid_id(cell))
        return trace_fail(t, col, err, errlen,
                          "expected an account id (lower-case letters, digits and hyphens, 1-63 "
                          "characters, starting with a letter), got \"%s\"",
                          shown(cell, q, sizeof q));
    strcpy(account, cell);
    return 0;
}

/* Split the line in buf into exactly n_cells cells (their text and columns). */
static int split_cells(traffic_trace *t, char **cells, int *cols, char *err, size_t errlen)
{
    int end_col = (int)strlen(t->buf) + 1, extra_col = 0, n = 0;
    char *rest = t->buf, *cell;
    for (int col; (cell = next_cell(&rest, t->buf, &col)); n++) {
        if (n < t->n_cells) {
            cells[n] = cell;
            cols[n] = col;
        } else if (n == t->n_cells) {
            extra_col = col;
        }
    }
    if (n != t->n_cells)
        return trace_fail(t, n > t->n_cells ? extra_col : end_col, err, errlen,
                          "expected %d cell%s as in the header (%s), got %d", t->n_cells,
                          t->n_cells == 1 ? "" : "s", t->header, n);
    return 0;
}

int traffic_trace_next(traffic_trace *t, traffic_arrival *out, char *err, size_t errlen)
{
    int got = read_line(t, err, errlen);
    if (got <= 0)
        return got;
    char *cells[N_COLUMNS];
    int cols[N_COLUMNS];
    if (split_cells(t, cells, cols, err, errlen) != 0)
        return -1;
    traffic_arrival a = {0};
    int c = t->cell_of[COL_TIME];
    if (parse_time(t, cells[c], cols[c], &a.time_s, err, errlen) != 0)
        return -1;
    c = t->cell_of[COL_ROUTER];
    if (c >= 0 && parse_router(t, cells[c], cols[c], a.router, err, errlen) != 0)
        return -1;
    a.line = t->line;
    a.router_column = c >= 0 ? cols[c] : 1;
    c = t->cell_of[COL_ACCOUNT];
    if (c >= 0 && parse_account(t, cells[c], cols[c], a.account, err, errlen) != 0)
        return -1;
    int p = t->cell_of[COL_PROMPT_TOKENS], o = t->cell_of[COL_OUTPUT_TOKENS];
    if (p >= 0 && (parse_tokens(t, cells[p], cols[p], "prompt_tokens", 0, &a.prompt_tokens, err,
                                errlen) != 0 ||
                   parse_tokens(t, cells[o], cols[o], "output_tokens", 1, &a.output_tokens, err,
                                errlen) != 0))
        return -1;
    a.has_tokens = p >= 0;
    t->last_time = a.time_s;
    t->last_line = t->line;
    *out = a;
    return 1;
}

void traffic_trace_close(traffic_trace *t)
{
    if (!t)
        return;
    if (t->file)
        fclose(t->file);
    free(t->path);
    free(t);
}
