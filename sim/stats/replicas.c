/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replicas.h"

#include "sim/base/bytecodec.h"
#include "sim/base/gslerr.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the verdict rule and the intervals --------------------------------------------------- */

const char *replicas_verdict_name(replicas_verdict v)
{
    static const char *const names[] = {"undecided", "pass", "fail"};
    return names[v];
}

/* The p-quantile of Beta(a, b), a, b >= 1, by bisection on GSL's CDF. GSL's own inversion
 * (gsl_cdf_beta_Pinv) gives up without converging for ordinary arguments (968 passes of 1000
 * at 95 %, for one), while the CDF is monotone and well-behaved, so halving the bracket until
 * it can shrink no more gives the quantile to within a few units in the last place. */
static double beta_quantile(double p, double a, double b)
{
    double lo = 0.0, hi = 1.0;
    for (int i = 0; i < 2000; i++) {
        double mid = lo + (hi - lo) / 2;
        if (mid <= lo || mid >= hi)
            break;
        if (gsl_cdf_beta_P(mid, a, b) < p)
            lo = mid;
        else
            hi = mid;
    }
    return lo + (hi - lo) / 2;
}

int replicas_clopper_pearson(size_t passes, size_t n, double confidence, double *lower,
                             double *upper)
{
    *lower = *upper = NAN;
    if (n == 0 || passes > n || !(confidence > 0 && confidence < 1))
        return -1;
    gslerr_quiet();
    double a = 1.0 - confidence, k = (double)passes, m = (double)n;
    double lo = passes == 0 ? 0.0 : beta_quantile(a / 2, k, m - k + 1);
    double hi = passes == n ? 1.0 : beta_quantile(1 - a / 2, k + 1, m - k);
    if (!(lo >= 0 && lo <= 1 && hi >= 0 && hi <= 1))
        return -1;
    *lower = lo;
    *upper = hi;
    return 0;
}

void replicas_t_interval(double mean, double sd, size_t n, double confidence, double *lower,
                         double *upper)
{
    *lower = *upper = NAN;
    if (n < 2 || !(confidence > 0 && confidence < 1))
        return;
    double half = gsl_cdf_tdist_Pinv((1 + confidence) / 2, (double)(n - 1)) * sd / sqrt((double)n);
    *lower = mean - half;
    *upper = mean + half;
}

replicas_verdict replicas_decide(const replicas_rule *rule, size_t passes, size_t n, size_t cap)
{
    if (n == 0)
        return REPLICAS_UNDECIDED;
    if (!(rule->pass_rate > 0)) {
        if (passes < n)
            return rule->sequential || n >= cap ? REPLICAS_FAIL : REPLICAS_UNDECIDED;
        return n >= cap ? REPLICAS_PASS : REPLICAS_UNDECIDED;
    }
    double lower, upper;
    if (!rule->sequential) {
        if (n < cap)
            return REPLICAS_UNDECIDED;
        if (replicas_clopper_pearson(passes, n, rule->confidence, &lower, &upper) != 0)
            return REPLICAS_FAIL;
        return lower >= rule->pass_rate ? REPLICAS_PASS : REPLICAS_FAIL;
    }
    /* look n spends (1 - confidence) / (n (n + 1)) of the error: the looks' shares sum to 1 */
    double spent = (1 - rule->confidence) / ((double)n * (double)(n + 1));
    if (replicas_clopper_pearson(passes, n, 1 - spent, &lower, &upper) != 0)
        return REPLICAS_UNDECIDED;
    if (lower >= rule->pass_rate)
        return REPLICAS_PASS;
    if (upper < rule->pass_rate)
        return REPLICAS_FAIL;
    return REPLICAS_UNDECIDED;
}

/* ---- names kept as small codes in rows ---------------------------------------------------- */

static const char *const units[] = {"fraction", "s", "requests", "share"};
enum { N_UNITS = sizeof units / sizeof *units };

static const char *const statistics[] = {
    "total",       "routed",    "failed",   "unserved",  "router_not_found",
    "no_replicas", "forbidden", "rejected", "timed_out", "unfinished",
    "mean",        "p50",       "p90",      "p99",       "p999"};
enum { N_STATISTICS = sizeof statistics / sizeof *statistics, NO_STATISTIC = 255 };

static uint8_t code_of(const char *const *table, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(table[i], name) == 0)
            return (uint8_t)i;
    return NO_STATISTIC;
}

/* ---- one replication's row ---------------------------------------------------------------- */

typedef struct {
    char *name, *key;
    uint8_t unit, status; /* units[], results_check_status */
    double value;
} row_check;

typedef struct {
    char *router, *deployments;
    double start_s, end_s;
    uint8_t verdict; /* splittest_verdict: the one that counts */
} row_phase;

typedef struct {
    uint8_t kind, statistic; /* replicas_metric_kind, statistics[] or NO_STATISTIC */
    char *router, *phase_deployments, *deployment;
    double phase_start_s, value;
} row_metric;

typedef struct {
    uint8_t kind;
    char *router, *deployment;
    double *values; /* n_bins; NaN: no value in the bin */
} row_band;

struct replicas_row {
    uint64_t seed;
    uint8_t passed;
    double window_s;
    uint32_t n_bins;
    uint32_t n_checks, n_phases, n_metrics, n_bands;
    row_check *checks;
    row_phase *phases;
    row_metric *metrics;
    row_band *bands;
};

void replicas_row_free(replicas_row *row)
{
    if (!row)
        return;
    for (uint32_t i = 0; i < row->n_checks; i++) {
        free(row->checks[i].name);
        free(row->checks[i].key);
    }
    for (uint32_t i = 0; i < row->n_phases; i++) {
        free(row->phases[i].router);
        free(row->phases[i].deployments);
    }
    for (uint32_t i = 0; i < row->n_metrics; i++) {
        free(row->metrics[i].router);
        free(row->metrics[i].phase_deployments);
        free(row->metrics[i].deployment);
    }
    for (uint32_t i = 0; i < row->n_bands; i++) {
        free(row->bands[i].router);
        free(row->bands[i].deployment);
        free(row->bands[i].values);
    }
    free(row->checks);
    free(row->phases);
    free(row->metrics);
    free(row->bands);
    free(row);
}

uint64_t replicas_row_seed(const replicas_row *row)
{
    return row->seed;
}

int replicas_row_passed(const replicas_row *row)
{
    return row->passed;
}

/* NULL stays NULL; returns -1 when out of memory. */
static int dup_string(char **out, const char *s)
{
    *out = NULL;
    if (!s)
        return 0;
    return (*out = strdup(s)) ? 0 : -1;
}

/* A phase's deployments, comma-separated in its order. */
static char *joined_deployments(const results_phase *ph)
{
    size_t len = 1;
    for (size_t i = 0; i < ph->n_deployments; i++)
        len += strlen(ph->deployments[i].name) + 1;
    char *s = malloc(len), *p = s;
    if (!s)
        return NULL;
    *p = '\0';
    for (size_t i = 0; i < ph->n_deployments; i++)
        p += sprintf(p, "%s%s", i ? "," : "", ph->deployments[i].name);
    return s;
}

static row_metric *add_metric(replicas_row *row, size_t *cap, uint8_t kind, const char *statistic,
                              double value)
{
    if (row->n_metrics == *cap) {
        size_t more = *cap ? 2 * *cap : 32;
        row_metric *m = realloc(row->metrics, more * sizeof *m);
        if (!m)
            return NULL;
        row->metrics = m;
        *cap = more;
    }
    row_metric *m = &row->metrics[row->n_metrics++];
    memset(m, 0, sizeof *m);
    m->kind = kind;
    m->statistic = code_of(statistics, N_STATISTICS, statistic);
    m->phase_start_s = NAN;
    m->value = value;
    return m;
}

static int fill_checks(replicas_row *row, const results *r)
{
    row->checks = calloc(r->n_checks ? r->n_checks : 1, sizeof *row->checks);
    if (!row->checks)
        return -1;
    for (size_t i = 0; i < r->n_checks; i++, row->n_checks++) {
        const results_check *c = &r->checks[i];
        row_check *rc = &row->checks[i];
        if (dup_string(&rc->name, c->name) != 0 || dup_string(&rc->key, c->key) != 0)
            return -1;
        rc->unit = code_of(units, N_UNITS, c->unit);
        rc->status = (uint8_t)c->status;
        rc->value = c->value;
    }
    return 0;
}

static int fill_phases(replicas_row *row, const results *r)
{
    row->phases = calloc(r->n_phases ? r->n_phases : 1, sizeof *row->phases);
    if (!row->phases)
        return -1;
    for (size_t i = 0; i < r->n_phases; i++, row->n_phases++) {
        const results_phase *ph = &r->phases[i];
        row_phase *rp = &row->phases[i];
        if (dup_string(&rp->router, ph->router) != 0 || !(rp->deployments = joined_deployments(ph)))
            return -1;
        rp->start_s = ph->start_s;
        rp->end_s = ph->end_s;
        rp->verdict = (uint8_t)results_phase_verdict(ph);
    }
    return 0;
}

static int fill_metrics(replicas_row *row, const results *r)
{
    size_t cap = 0;
    const struct {
        const char *statistic;
        uint64_t value;
    } requests[] = {{"total", r->total},
                    {"routed", r->routed},
                    {"failed", r->failed},
                    {"unserved", r->unserved}};
    for (size_t i = 0; i < sizeof requests / sizeof *requests; i++)
        if (!add_metric(row, &cap, REPLICAS_METRIC_REQUESTS, requests[i].statistic,
                        (double)requests[i].value))
            return -1;
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        if (!add_metric(row, &cap, REPLICAS_METRIC_FAILED, results_reason_name(k),
                        (double)r->failed_by_reason[k]))
            return -1;
    for (int k = 0; k < RESULTS_N_UNSERVED; k++)
        if (!add_metric(row, &cap, REPLICAS_METRIC_UNSERVED, results_unserved_name(k),
                        (double)r->unserved_by_reason[k]))
            return -1;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (ph->requests == 0)
            continue; /* no share was observed */
        for (size_t j = 0; j < ph->n_deployments; j++) {
            const results_share *d = &ph->deployments[j];
            row_metric *m = add_metric(row, &cap, REPLICAS_METRIC_OBSERVED_SHARE, NULL,
                                       (double)d->observed / (double)ph->requests);
            if (!m || dup_string(&m->router, ph->router) != 0 ||
                !(m->phase_deployments = joined_deployments(ph)) ||
                dup_string(&m->deployment, d->name) != 0)
                return -1;
            m->phase_start_s = ph->start_s;
        }
    }
    for (size_t i = 0; i < r->n_loads; i++) {
        const results_load *l = &r->loads[i].load;
        const char *name = r->deployments[r->loads[i].deployment];
        row_metric *m = add_metric(row, &cap, REPLICAS_METRIC_UTILIZATION, NULL, l->utilization);
        if (!m || dup_string(&m->deployment, name) != 0)
            return -1;
        if (l->latency.count == 0)
            continue; /* no latency was measured */
        const struct {
            const char *statistic;
            double value;
        } latency[] = {{"mean", l->latency.mean_s},
                       {"p50", l->latency.p50_s},
                       {"p90", l->latency.p90_s},
                       {"p99", l->latency.p99_s},
                       {"p999", l->latency.p999_s}};
        for (size_t k = 0; k < sizeof latency / sizeof *latency; k++) {
            m = add_metric(row, &cap, REPLICAS_METRIC_LATENCY, latency[k].statistic,
                           latency[k].value);
            if (!m || dup_string(&m->deployment, name) != 0)
                return -1;
        }
    }
    return 0;
}

/* The band of (kind, router, deployment), added with every bin NaN when new; NULL when out of
 * memory. */
static row_band *band_of(replicas_row *row, size_t *cap, uint8_t kind, const char *router,
                         const char *deployment)
{
    for (uint32_t i = 0; i < row->n_bands; i++) {
        row_band *b = &row->bands[i];
        if (b->kind == kind && strcmp(b->deployment, deployment) == 0 &&
            (router ? b->router && strcmp(b->router, router) == 0 : !b->router))
            return b;
    }
    if (row->n_bands == *cap) {
        size_t more = *cap ? 2 * *cap : 8;
        row_band *b = realloc(row->bands, more * sizeof *b);
        if (!b)
            return NULL;
        row->bands = b;
        *cap = more;
    }
    row_band *b = &row->bands[row->n_bands];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->values = malloc((row->n_bins ? row->n_bins : 1) * sizeof *b->values);
    if (!b->values || dup_string(&b->router, router) != 0 ||
        dup_string(&b->deployment, deployment) != 0) {
        free(b->values);
        free(b->router);
        return NULL;
    }
    row->n_bands++;
    for (uint32_t i = 0; i < row->n_bins; i++)
        b->values[i] = NAN;
    return b;
}

static int fill_bands(replicas_row *row, const results *r)
{
    size_t cap = 0;
    /* requests each router routed per bin, the denominator of its shares */
    uint64_t *routed = calloc(r->n_bins * r->n_routers + 1, sizeof *routed);
    if (!routed)
        return -1;
    splitstore_iter it;
    results_point pt;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &pt);)
        if (pt.bin < r->n_bins)
            routed[pt.bin * r->n_routers + pt.router] += pt.routed;
    int status = 0;
    for (splitstore_begin(&it, r->split); status == 0 && splitstore_next(&it, &pt);) {
        row_band *b = band_of(row, &cap, REPLICAS_BAND_SHARE, r->routers[pt.router],
                              r->deployments[pt.deployment]);
        uint64_t total = pt.bin < r->n_bins ? routed[pt.bin * r->n_routers + pt.router] : 0;
        if (!b)
            status = -1;
        else if (total > 0)
            b->values[pt.bin] = (double)pt.routed / (double)total;
    }
    free(routed);
    for (size_t i = 0; i < r->n_load_points && status == 0; i++) {
        const results_load_point *p = &r->load_points[i];
        const char *name = r->deployments[p->deployment];
        row_band *u = band_of(row, &cap, REPLICAS_BAND_UTILIZATION, NULL, name);
        size_t at = u ? (size_t)(u - row->bands) : 0; /* the next band_of may move the array */
        row_band *l = u ? band_of(row, &cap, REPLICAS_BAND_P99_LATENCY, NULL, name) : NULL;
        if (!l)
            status = -1;
        else if (p->bin < r->n_bins) {
            row->bands[at].values[p->bin] = p->load.utilization;
            if (p->load.latency.count > 0)
                l->values[p->bin] = p->load.latency.p99_s;
        }
    }
    return status;
}

replicas_row *replicas_row_from_results(const results *r)
{
    replicas_row *row = calloc(1, sizeof *row);
    if (!row)
        return NULL;
    row->seed = r->seed;
    row->passed = r->passed ? 1 : 0;
    row->window_s = r->window_s;
    row->n_bins = (uint32_t)r->n_bins;
    if (fill_checks(row, r) != 0 || fill_phases(row, r) != 0 || fill_metrics(row, r) != 0 ||
        fill_bands(row, r) != 0) {
        replicas_row_free(row);
        return NULL;
    }
    return row;
}

/* ---- bytes -------------------------------------------------------------------------------- */

#define ROW_MAGIC UINT32_C(0x52535257) /* "RSRW" */
#define ROW_VERSION 1
#define NO_STRING UINT32_MAX

/* A string as its u32 length and bytes, NO_STRING for NULL. */
static void put_str(bytecodec_writer *w, const char *s)
{
    size_t len = s ? strlen(s) : 0;
    bytecodec_put_u32(w, s ? (uint32_t)len : NO_STRING);
    bytecodec_put(w, s, len);
}

int replicas_row_encode(const replicas_row *row, unsigned char **buf, size_t *len)
{
    bytecodec_writer w = {0};
    bytecodec_put_u32(&w, ROW_MAGIC);
    bytecodec_put_u32(&w, ROW_VERSION);
    bytecodec_put_u64(&w, row->seed);
    bytecodec_put_u8(&w, row->passed);
    bytecodec_put_f64(&w, row->window_s);
    bytecodec_put_u32(&w, row->n_bins);
    bytecodec_put_u32(&w, row->n_checks);
    for (uint32_t i = 0; i < row->n_checks; i++) {
        const row_check *c = &row->checks[i];
        put_str(&w, c->name);
        put_str(&w, c->key);
        bytecodec_put_u8(&w, c->unit);
        bytecodec_put_u8(&w, c->status);
        bytecodec_put_f64(&w, c->value);
    }
    bytecodec_put_u32(&w, row->n_phases);
    for (uint32_t i = 0; i < row->n_phases; i++) {
        const row_phase *p = &row->phases[i];
        put_str(&w, p->router);
        put_str(&w, p->deployments);
        bytecodec_put_f64(&w, p->start_s);
        bytecodec_put_f64(&w, p->end_s);
        bytecodec_put_u8(&w, p->verdict);
    }
    bytecodec_put_u32(&w, row->n_metrics);
    for (uint32_t i = 0; i < row->n_metrics; i++) {
        const row_metric *m = &row->metrics[i];
        bytecodec_put_u8(&w, m->kind);
        bytecodec_put_u8(&w, m->statistic);
        put_str(&w, m->router);
        put_str(&w, m->phase_deployments);
        put_str(&w, m->deployment);
        bytecodec_put_f64(&w, m->phase_start_s);
        bytecodec_put_f64(&w, m->value);
    }
    bytecodec_put_u32(&w, row->n_bands);
    for (uint32_t i = 0; i < row->n_bands; i++) {
        const row_band *b = &row->bands[i];
        bytecodec_put_u8(&w, b->kind);
        put_str(&w, b->router);
        put_str(&w, b->deployment);
        for (uint32_t k = 0; k < row->n_bins; k++)
            bytecodec_put_f64(&w, b->values[k]);
    }
    return bytecodec_finish(&w, buf, len);
}

static char *get_str(bytecodec_reader *rd)
{
    uint32_t len = bytecodec_get_u32(rd);
    if (rd->failed || len == NO_STRING)
        return NULL;
    char *s = bytecodec_get_chars(rd, len);
    if (s && strlen(s) != len)
        bytecodec_refuse(rd); /* a NUL inside */
    return s;
}

/* A count of elements of at least `least` bytes each, checked against the bytes left, and
 * its array. */
static void *get_array(bytecodec_reader *rd, uint32_t *n, size_t least, size_t size)
{
    *n = bytecodec_get_u32(rd);
    if (!bytecodec_fits(rd, *n, least)) {
        *n = 0;
        return NULL;
    }
    void *a = calloc(*n ? *n : 1, size);
    if (!a) {
        rd->failed = BYTECODEC_NOMEM;
        *n = 0;
    }
    return a;
}

replicas_row *replicas_row_decode(const unsigned char *buf, size_t len, char *err, size_t errlen)
{
    bytecodec_reader rd = bytecodec_reader_of(buf, len);
    replicas_row *row = calloc(1, sizeof *row);
    if (!row) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    if (bytecodec_get_u32(&rd) != ROW_MAGIC || bytecodec_get_u32(&rd) != ROW_VERSION)
        bytecodec_refuse(&rd);
    row->seed = bytecodec_get_u64(&rd);
    row->passed = bytecodec_get_u8(&rd);
    row->window_s = bytecodec_get_f64(&rd);
    row->n_bins = bytecodec_get_u32(&rd);
    uint32_t n = 0;
    row->checks = get_array(&rd, &n, 4 + 4 + 1 + 1 + 8, sizeof *row->checks);
    for (; row->checks && row->n_checks < n && !rd.failed; row->n_checks++) {
        row_check *c = &row->checks[row->n_checks];
        c->name = get_str(&rd);
        c->key = get_str(&rd);
        c->unit = bytecodec_get_u8(&rd);
        c->status = bytecodec_get_u8(&rd);
        c->value = bytecodec_get_f64(&rd);
        if (c->status > RESULTS_CHECK_TOO_FEW || !c->name || !c->key)
            bytecodec_refuse(&rd);
    }
    row->phases = get_array(&rd, &n, 4 + 4 + 8 + 8 + 1, sizeof *row->phases);
    for (; row->phases && row->n_phases < n && !rd.failed; row->n_phases++) {
        row_phase *p = &row->phases[row->n_phases];
        p->router = get_str(&rd);
        p->deployments = get_str(&rd);
        p->start_s = bytecodec_get_f64(&rd);
        p->end_s = bytecodec_get_f64(&rd);
        p->verdict = bytecodec_get_u8(&rd);
        if (p->verdict > SPLITTEST_SKIPPED || !p->router || !p->deployments)
            bytecodec_refuse(&rd);
    }
    row->metrics = get_array(&rd, &n, 1 + 1 + 3 * 4 + 8 + 8, sizeof *row->metrics);
    for (; row->metrics && row->n_metrics < n && !rd.failed; row->n_metrics++) {
        row_metric *m = &row->metrics[row->n_metrics];
        m->kind = bytecodec_get_u8(&rd);
        m->statistic = bytecodec_get_u8(&rd);
        m->router = get_str(&rd);
        m->phase_deployments = get_str(&rd);
        m->deployment = get_str(&rd);
        m->phase_start_s = bytecodec_get_f64(&rd);
        m->value = bytecodec_get_f64(&rd);
        if (m->kind >= REPLICAS_N_METRIC_KINDS ||
            (m->statistic >= N_STATISTICS && m->statistic != NO_STATISTIC))
            bytecodec_refuse(&rd);
    }
    row->bands = get_array(&rd, &n, 1 + 4 + 4 + 8 * (size_t)row->n_bins, sizeof *row->bands);
    for (; row->bands && row->n_bands < n && !rd.failed; row->n_bands++) {
        row_band *b = &row->bands[row->n_bands];
        b->kind = bytecodec_get_u8(&rd);
        b->router = get_str(&rd);
        b->deployment = get_str(&rd);
        if (!(b->values = malloc((row->n_bins ? row->n_bins : 1) * sizeof *b->values)))
            rd.failed = BYTECODEC_NOMEM;
        for (uint32_t k = 0; b->values && k < row->n_bins; k++)
            b->values[k] = bytecodec_get_f64(&rd);
        if (b->kind >= REPLICAS_N_BAND_KINDS || !b->deployment)
            bytecodec_refuse(&rd);
    }
    if (bytecodec_left(&rd) != 0)
        bytecodec_refuse(&rd);
    if (rd.failed) {
        snprintf(err, errlen, "%s",
                 rd.failed == BYTECODEC_NOMEM ? "out of memory"
                                              : "a replication's row: truncated or malformed");
        replicas_row_free(row);
        return NULL;
    }
    return row;
}

/* ---- the aggregate ------------------------------------------------------------------------ */

/* Mean and sum of squared deviations updated one value at a time (Welford), in index order,
 * so the same values in the same order give the same bits. */
typedef struct {
    size_t n;
    double mean, m2, min, max;
} running;

static void running_add(running *s, double x)
{
    s->n++;
    double delta = x - s->mean;
    s->mean += delta / (double)s->n;
    s->m2 += delta * (x - s->mean);
    if (s->n == 1 || x < s->min)
        s->min = x;
    if (s->n == 1 || x > s->max)
        s->max = x;
}

typedef struct {
    char *name, *key;
    uint8_t unit;
    size_t passes, n, too_few;
    running value;
} agg_check;

typedef struct {
    char *router, *deployments;
    double start_s, end_s;
    size_t passes, n, skipped;
} agg_phase;

typedef struct {
    uint8_t kind, statistic;
    char *router, *phase_deployments, *deployment;
    double phase_start_s;
    running stats;
} agg_metric;

typedef struct {
    uint8_t kind;
    char *router, *deployment;
    size_t rows;     /* replications that had it */
    size_t cap_rows; /* rows `values` has room for, doubled as it fills */
    double *values;  /* rows x n_bins */
} agg_band;

/* An index of items by identity: open addressing over a power-of-two table. */
typedef struct {
    char *key;
    size_t item;
    size_t last_row; /* the last row that used this entry, + 1 */
} entry;

struct replicas_agg {
    replicas_rule rule;
    size_t cap, n, passes;
    double window_s;
    size_t n_bins;
    entry *table;
    size_t table_size, table_used;
    size_t n_checks, n_phases, n_metrics, n_bands;
    size_t cap_checks, cap_phases, cap_metrics, cap_bands, cap_rows;
    agg_check *checks;
    agg_phase *phases;
    agg_metric *metrics;
    agg_band *bands;
    replicas_replication *rows;
};

replicas_agg *replicas_new(const replicas_rule *rule, size_t cap)
{
    replicas_agg *agg = calloc(1, sizeof *agg);
    if (!agg)
        return NULL;
    agg->rule = *rule;
    agg->cap = cap;
    return agg;
}

void replicas_free(replicas_agg *agg)
{
    if (!agg)
        return;
    for (size_t i = 0; i < agg->table_size; i++)
        free(agg->table[i].key);
    for (size_t i = 0; i < agg->n_checks; i++) {
        free(agg->checks[i].name);
        free(agg->checks[i].key);
    }
    for (size_t i = 0; i < agg->n_phases; i++) {
        free(agg->phases[i].router);
        free(agg->phases[i].deployments);
    }
    for (size_t i = 0; i < agg->n_metrics; i++) {
        free(agg->metrics[i].router);
        free(agg->metrics[i].phase_deployments);
        free(agg->metrics[i].deployment);
    }
    for (size_t i = 0; i < agg->n_bands; i++) {
        free(agg->bands[i].router);
        free(agg->bands[i].deployment);
        free(agg->bands[i].values);
    }
    free(agg->table);
    free(agg->checks);
    free(agg->phases);
    free(agg->metrics);
    free(agg->bands);
    free(agg->rows);
    free(agg);
}

static uint64_t hash(const char *s)
{
    uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * UINT64_C(1099511628211);
    return h;
}

static entry *slot_of(entry *table, size_t size, const char *key)
{
    size_t i = (size_t)hash(key) & (size - 1);
    while (table[i].key && strcmp(table[i].key, key) != 0)
        i = (i + 1) & (size - 1);
    return &table[i];
}

static int table_grow(replicas_agg *agg)
{
    size_t size = agg->table_size ? 2 * agg->table_size : 64;
    entry *t = calloc(size, sizeof *t);
    if (!t)
        return -1;
    for (size_t i = 0; i < agg->table_size; i++)
        if (agg->table[i].key)
            *slot_of(t, size, agg->table[i].key) = agg->table[i];
    free(agg->table);
    agg->table = t;
    agg->table_size = size;
    return 0;
}

/* The item an identity (an owned string, freed here) names, as the row being added sees it: the
 * same identity twice in one row (two checks of the same name) is two items, told apart by their
 * order in the row. *fresh says the item is new and its index is *count (the caller appends it).
 * Returns the item's index, or -1 when out of memory. */
static long find_item(replicas_agg *agg, char *identity, size_t *count, int *fresh)
{
    if (!identity)
        return -1;
    for (unsigned ordinal = 0;; ordinal++) {
        char *key = results_printf("%s#%u", identity, ordinal);
        if (!key || (2 * (agg->table_used + 1) > agg->table_size && table_grow(agg) != 0)) {
            free(key);
            free(identity);
            return -1;
        }
        entry *e = slot_of(agg->table, agg->table_size, key);
        if (!e->key) {
            free(identity);
            e->key = key;
            agg->table_used++;
            e->item = (*count)++;
            e->last_row = agg->n + 1;
            *fresh = 1;
            return (long)e->item;
        }
        free(key);
        if (e->last_row != agg->n + 1) {
            free(identity);
            e->last_row = agg->n + 1;
            *fresh = 0;
            return (long)e->item;
        }
    }
}

/* Room for one more element in a growing array. */
static int reserve(void **array, size_t n, size_t *cap, size_t size)
{
    if (n < *cap)
        return 0;
    size_t more = *cap ? 2 * *cap : 16;
    void *a = realloc(*array, more * size);
    if (!a)
        return -1;
    *array = a;
    *cap = more;
    return 0;
}

#define RESERVE(agg, what, n)                                                                      \
    reserve((void **)&(agg)->what, (n), &(agg)->cap_##what, sizeof *(agg)->what)

static int add_check(replicas_agg *agg, const row_check *c)
{
    if (RESERVE(agg, checks, agg->n_checks) != 0)
        return -1;
    char *id = results_printf("c|%s", c->name);
    int fresh;
    size_t count = agg->n_checks;
    long i = find_item(agg, id, &count, &fresh);
    if (i < 0)
        return -1;
    agg_check *a = &agg->checks[i];
    if (fresh) {
        memset(a, 0, sizeof *a);
        a->unit = c->unit;
        if (dup_string(&a->name, c->name) != 0 || dup_string(&a->key, c->key) != 0) {
            free(a->name);
            return -1; /* the entry points past n_checks: never read again */
        }
        agg->n_checks++;
    }
    a->n++;
    a->passes += c->status != RESULTS_CHECK_FAIL;
    a->too_few += c->status == RESULTS_CHECK_TOO_FEW;
    if (c->status != RESULTS_CHECK_TOO_FEW && !isnan(c->value))
        running_add(&a->value, c->value);
    return 0;
}

static int add_phase(replicas_agg *agg, const row_phase *p)
{
    if (RESERVE(agg, phases, agg->n_phases) != 0)
        return -1;
    char *id = results_printf("p|%s|%a|%s", p->router, p->start_s, p->deployments);
    int fresh;
    size_t count = agg->n_phases;
    long i = find_item(agg, id, &count, &fresh);
    if (i < 0)
        return -1;
    agg_phase *a = &agg->phases[i];
    if (fresh) {
        memset(a, 0, sizeof *a);
        a->start_s = p->start_s;
        a->end_s = p->end_s;
        if (dup_string(&a->router, p->router) != 0 ||
            dup_string(&a->deployments, p->deployments) != 0) {
            free(a->router);
            return -1;
        }
        agg->n_phases++;
    }
    a->n++;
    a->passes += p->verdict != SPLITTEST_FAIL;
    a->skipped += p->verdict == SPLITTEST_SKIPPED;
    return 0;
}

static int add_metric_value(replicas_agg *agg, const row_metric *m)
{
    if (RESERVE(agg, metrics, agg->n_metrics) != 0)
        return -1;
    char *id = results_printf(
        "m|%d|%d|%s|%a|%s|%s", m->kind, m->statistic, m->router ? m->router : "", m->phase_start_s,
        m->phase_deployments ? m->phase_deployments : "", m->deployment ? m->deployment : "");
    int fresh;
    size_t count = agg->n_metrics;
    long i = find_item(agg, id, &count, &fresh);
    if (i < 0)
        return -1;
    agg_metric *a = &agg->metrics[i];
    if (fresh) {
        memset(a, 0, sizeof *a);
        a->kind = m->kind;
        a->statistic = m->statistic;
        a->phase_start_s = m->phase_start_s;
        if (dup_string(&a->router, m->router) != 0 ||
            dup_string(&a->phase_deployments, m->phase_deployments) != 0 ||
            dup_string(&a->deployment, m->deployment) != 0) {
            free(a->router);
            free(a->phase_deployments);
            return -1;
        }
        agg->n_metrics++;
    }
    if (!isnan(m->value))
        running_add(&a->stats, m->value);
    return 0;
}

static int add_band(replicas_agg *agg, const row_band *b, uint32_t n_bins)
{
    if (RESERVE(agg, bands, agg->n_bands) != 0)
        return -1;
    char *id = results_printf("b|%d|%s|%s", b->kind, b->router ? b->router : "", b->deployment);
    int fresh;
    size_t count = agg->n_bands;
    long i = find_item(agg, id, &count, &fresh);
    if (i < 0)
        return -1;
    agg_band *a = &agg->bands[i];
    if (fresh) {
        memset(a, 0, sizeof *a);
        a->kind = b->kind;
        if (dup_string(&a->router, b->router) != 0 ||
            dup_string(&a->deployment, b->deployment) != 0) {
            free(a->router);
            return -1;
        }
        agg->n_bands++;
    }
    size_t bins = agg->n_bins ? agg->n_bins : 1;
    if (a->rows == a->cap_rows) {
        size_t more = a->cap_rows ? 2 * a->cap_rows : 16;
        double *grown = realloc(a->values, more * bins * sizeof *grown);
        if (!grown)
            return -1;
        a->values = grown;
        a->cap_rows = more;
    }
    double *v = a->values;
    /* bins beyond the row's own (a scenario of another length) have no value */
    for (size_t k = 0; k < agg->n_bins; k++)
        v[a->rows * bins + k] = k < n_bins ? b->values[k] : NAN;
    a->rows++;
    return 0;
}

int replicas_add(replicas_agg *agg, const replicas_row *row)
{
    if (agg->n == 0) {
        agg->window_s = row->window_s;
        agg->n_bins = row->n_bins;
    }
    if (RESERVE(agg, rows, agg->n) != 0)
        return -1;
    replicas_replication *kept = &agg->rows[agg->n];
    *kept = (replicas_replication){.index = agg->n, .seed = row->seed, .passed = row->passed};
    for (uint32_t i = 0; i < row->n_checks; i++) {
        if (add_check(agg, &row->checks[i]) != 0)
            return -1;
        kept->failed_checks += row->checks[i].status == RESULTS_CHECK_FAIL;
    }
    for (uint32_t i = 0; i < row->n_phases; i++) {
        if (add_phase(agg, &row->phases[i]) != 0)
            return -1;
        kept->failed_phases += row->phases[i].verdict == SPLITTEST_FAIL;
    }
    for (uint32_t i = 0; i < row->n_metrics; i++) {
        const row_metric *m = &row->metrics[i];
        if (add_metric_value(agg, m) != 0)
            return -1;
        if (m->kind == REPLICAS_METRIC_REQUESTS && m->statistic < N_STATISTICS) {
            const char *s = statistics[m->statistic];
            uint64_t v = (uint64_t)m->value;
            if (strcmp(s, "total") == 0)
                kept->total = v;
            else if (strcmp(s, "failed") == 0)
                kept->failed = v;
            else if (strcmp(s, "unserved") == 0)
                kept->unserved = v;
        }
    }
    for (uint32_t i = 0; i < row->n_bands; i++)
        if (add_band(agg, &row->bands[i], row->n_bins) != 0)
            return -1;
    agg->passes += row->passed != 0;
    agg->n++;
    return 0;
}

replicas_verdict replicas_decision(const replicas_agg *agg)
{
    return replicas_decide(&agg->rule, agg->passes, agg->n, agg->cap);
}

/* ---- the summary -------------------------------------------------------------------------- */

static replicas_rate rate_of(size_t passes, size_t n, double confidence)
{
    replicas_rate r = {.passes = passes, .n = n, .rate = n ? (double)passes / (double)n : NAN};
    replicas_clopper_pearson(passes, n, confidence, &r.lower, &r.upper);
    return r;
}

static replicas_stats stats_of(const running *s, double confidence)
{
    replicas_stats out = {.n = s->n, NAN, NAN, NAN, NAN, NAN, NAN};
    if (s->n == 0)
        return out;
    out.mean = s->mean;
    out.sd = s->n > 1 ? sqrt(s->m2 / (double)(s->n - 1)) : 0.0;
    out.min = s->min;
    out.max = s->max;
    replicas_t_interval(out.mean, out.sd, s->n, confidence, &out.lower, &out.upper);
    return out;
}

static char *metric_name(const agg_metric *m)
{
    const char *stat = m->statistic < N_STATISTICS ? statistics[m->statistic] : "";
    switch ((replicas_metric_kind)m->kind) {
    case REPLICAS_METRIC_REQUESTS:
        return results_printf("requests.%s", stat);
    case REPLICAS_METRIC_FAILED:
        return results_printf("failed.%s", stat);
    case REPLICAS_METRIC_UNSERVED:
        return results_printf("unserved.%s", stat);
    case REPLICAS_METRIC_OBSERVED_SHARE:
        return results_printf("observed_share %s@%.10gs[%s] %s", m->router, m->phase_start_s,
                              m->phase_deployments, m->deployment);
    case REPLICAS_METRIC_UTILIZATION:
        return results_printf("utilization %s", m->deployment);
    case REPLICAS_METRIC_LATENCY:
    case REPLICAS_N_METRIC_KINDS:
        break;
    }
    return results_printf("latency.%s %s", stat, m->deployment);
}

static const char *metric_unit(replicas_metric_kind kind)
{
    static const char *const of_kind[REPLICAS_N_METRIC_KINDS] = {"requests", "requests", "requests",
                                                                 "share",    "fraction", "s"};
    return of_kind[kind];
}

static int summarize_band(const agg_band *a, size_t n_bins, replicas_band *b, double *scratch)
{
    b->kind = (replicas_band_kind)a->kind;
    b->n = calloc(n_bins ? n_bins : 1, sizeof *b->n);
    b->p05 = malloc((n_bins ? n_bins : 1) * sizeof *b->p05);
    b->p50 = malloc((n_bins ? n_bins : 1) * sizeof *b->p50);
    b->p95 = malloc((n_bins ? n_bins : 1) * sizeof *b->p95);
    if (!b->n || !b->p05 || !b->p50 || !b->p95 || dup_string(&b->router, a->router) != 0 ||
        dup_string(&b->deployment, a->deployment) != 0)
        return -1;
    for (size_t k = 0; k < n_bins; k++) {
        size_t m = 0;
        for (size_t row = 0; row < a->rows; row++) {
            double x = a->values[row * n_bins + k];
            if (!isnan(x))
                scratch[m++] = x;
        }
        b->n[k] = m;
        b->p05[k] = b->p50[k] = b->p95[k] = NAN;
        if (m == 0)
            continue;
        gsl_sort(scratch, 1, m);
        b->p05[k] = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.05);
        b->p50[k] = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.50);
        b->p95[k] = gsl_stats_quantile_from_sorted_data(scratch, 1, m, 0.95);
    }
    return 0;
}

static int summarize_items(const replicas_agg *agg, replicas_summary *s)
{
    double c = agg->rule.confidence;
    s->checks = calloc(agg->n_checks + 1, sizeof *s->checks);
    s->phases = calloc(agg->n_phases + 1, sizeof *s->phases);
    s->metrics = calloc(agg->n_metrics + 1, sizeof *s->metrics);
    s->bands = calloc(agg->n_bands + 1, sizeof *s->bands);
    s->rows = calloc(agg->n + 1, sizeof *s->rows);
    if (!s->checks || !s->phases || !s->metrics || !s->bands || !s->rows)
        return -1;
    for (; s->n_checks < agg->n_checks; s->n_checks++) {
        const agg_check *a = &agg->checks[s->n_checks];
        replicas_check *out = &s->checks[s->n_checks];
        out->unit = a->unit < N_UNITS ? units[a->unit] : "";
        out->rate = rate_of(a->passes, a->n, c);
        out->too_few = a->too_few;
        out->value = stats_of(&a->value, c);
        if (dup_string(&out->name, a->name) != 0 || dup_string(&out->key, a->key) != 0)
            return -1;
    }
    for (; s->n_phases < agg->n_phases; s->n_phases++) {
        const agg_phase *a = &agg->phases[s->n_phases];
        replicas_phase *out = &s->phases[s->n_phases];
        out->start_s = a->start_s;
        out->end_s = a->end_s;
        out->rate = rate_of(a->passes, a->n, c);
        out->skipped = a->skipped;
        if (dup_string(&out->router, a->router) != 0 ||
            dup_string(&out->deployments, a->deployments) != 0)
            return -1;
    }
    for (; s->n_metrics < agg->n_metrics; s->n_metrics++) {
        const agg_metric *a = &agg->metrics[s->n_metrics];
        replicas_metric *out = &s->metrics[s->n_metrics];
        out->kind = (replicas_metric_kind)a->kind;
        out->phase_start_s = a->phase_start_s;
        out->statistic = a->statistic < N_STATISTICS ? statistics[a->statistic] : NULL;
        out->unit = metric_unit(out->kind);
        out->stats = stats_of(&a->stats, c);
        if (!(out->name = metric_name(a)) || dup_string(&out->router, a->router) != 0 ||
            dup_string(&out->phase_deployments, a->phase_deployments) != 0 ||
            dup_string(&out->deployment, a->deployment) != 0)
            return -1;
    }
    double *scratch = malloc((agg->n + 1) * sizeof *scratch);
    if (!scratch)
        return -1;
    int status = 0;
    for (; s->n_bands < agg->n_bands && status == 0; s->n_bands++)
        status =
            summarize_band(&agg->bands[s->n_bands], agg->n_bins, &s->bands[s->n_bands], scratch);
    free(scratch);
    memcpy(s->rows, agg->rows, agg->n * sizeof *s->rows);
    s->n_replications = agg->n;
    return status;
}

replicas_summary *replicas_summarize(const replicas_agg *agg)
{
    replicas_summary *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->rule = agg->rule;
    s->cap = agg->cap;
    s->replications = agg->n;
    s->verdict = replicas_decision(agg);
    s->passed = rate_of(agg->passes, agg->n, agg->rule.confidence);
    s->n_bins = agg->n_bins;
    s->window_s = agg->window_s;
    if (summarize_items(agg, s) != 0) {
        replicas_summary_free(s);
        return NULL;
    }
    return s;
}

void replicas_summary_free(replicas_summary *s)
{
    if (!s)
        return;
    /* arrays hold one zeroed element more than they count: an element left half-made by a
     * failure is freed too */
    for (size_t i = 0; s->checks && i <= s->n_checks; i++) {
        free(s->checks[i].name);
        free(s->checks[i].key);
    }
    for (size_t i = 0; s->phases && i <= s->n_phases; i++) {
        free(s->phases[i].router);
        free(s->phases[i].deployments);
    }
    for (size_t i = 0; s->metrics && i <= s->n_metrics; i++) {
        free(s->metrics[i].name);
        free(s->metrics[i].router);
        free(s->metrics[i].phase_deployments);
        free(s->metrics[i].deployment);
    }
    for (size_t i = 0; s->bands && i <= s->n_bands; i++) {
        free(s->bands[i].router);
        free(s->bands[i].deployment);
        free(s->bands[i].n);
        free(s->bands[i].p05);
        free(s->bands[i].p50);
        free(s->bands[i].p95);
    }
    free(s->checks);
    free(s->phases);
    free(s->metrics);
    free(s->bands);
    free(s->rows);
    free(s);
}

const char *replicas_metric_kind_name(replicas_metric_kind kind)
{
    static const char *const names[] = {"requests",       "failed",      "unserved",
                                        "observed_share", "utilization", "latency"};
    return names[kind];
}

const char *replicas_band_kind_name(replicas_band_kind kind)
{
    static const char *const names[] = {"share", "utilization", "p99_latency"};
    return names[kind];
}
