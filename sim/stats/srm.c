/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/srm.h"

#include "sim/base/units.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHARE_SUM_TOLERANCE 1e-3

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, errlen, fmt, args);
    va_end(args);
    return -1;
}

int srm_parse_expected(char *text, const char **names, double *shares, size_t max, char *err,
                       size_t errlen)
{
    size_t n = 0;
    double sum = 0.0;
    char q[UNITS_QUOTE_BUF], why[512];
    for (char *save = NULL, *item = strtok_r(text, ",", &save); item;
         item = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(item, '=');
        if (!eq || eq == item)
            return fail(err, errlen, "--expected: \"%s\": expected DEPLOYMENT=SHARE",
                        units_quote(item, q, sizeof q));
        *eq = '\0';
        if (n == max)
            return fail(err, errlen, "--expected: more than %zu deployments", max);
        if (units_parse_real(eq + 1, 0.0, 1.0, &shares[n], why, sizeof why) != 0)
            return fail(err, errlen, "--expected: share of \"%s\": %s",
                        units_quote(item, q, sizeof q), why);
        for (size_t i = 0; i < n; i++)
            if (strcmp(names[i], item) == 0)
                return fail(err, errlen, "--expected: \"%s\" twice",
                            units_quote(item, q, sizeof q));
        names[n] = item;
        sum += shares[n++];
    }
    if (n < 1)
        return fail(err, errlen, "--expected: expected DEPLOYMENT=SHARE,...");
    if (fabs(sum - 1.0) > SHARE_SUM_TOLERANCE)
        return fail(err, errlen, "--expected: the shares sum to %g: expected 1 (within %g)", sum,
                    SHARE_SUM_TOLERANCE);
    return (int)n;
}

void srm_result_free(srm_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_phases; i++) {
        srm_phase *ph = &r->phases[i];
        free(ph->router);
        for (size_t j = 0; j < ph->n_deployments; j++)
            free(ph->deployments[j].name);
        free(ph->deployments);
        free(ph->looks);
    }
    free(r->phases);
    free(r->source);
    free(r);
}

/* One router's deployments ("universe"): the file's, or the --expected ones. A snapshot is
 * one interval of the router: per universe entry, present or not, its weight and count. */
typedef struct {
    size_t n;
    const char **names;
    int *present;
    double *weight;
    uint64_t *count;
} snapshot;

typedef struct {
    const countscsv *c;
    const srm_options *o;
    srm_result *r;
    size_t cap_phases;
    char *err;
    size_t errlen;
} analysis;

static int at_row(analysis *a, const countscsv_row *row, uint32_t col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int at_row(analysis *a, const countscsv_row *row, uint32_t col, const char *fmt, ...)
{
    int n = snprintf(a->err, a->errlen, "%s:%u:%u: ", a->c->path, row->line, col);
    if (n < 0 || (size_t)n >= a->errlen)
        return -1;
    va_list args;
    va_start(args, fmt);
    vsnprintf(a->err + n, a->errlen - (size_t)n, fmt, args);
    va_end(args);
    return -1;
}

/* The smallest positive gap between the router's interval times, or 0 with one interval. */
static double interval_length(const countscsv *c, uint32_t router)
{
    double gap = 0.0, last = NAN;
    for (size_t i = 0; i < c->n_rows; i++) {
        if (c->rows[i].router != router)
            continue;
        double d = c->rows[i].time_s - last;
        if (d > 0.0 && (gap == 0.0 || d < gap))
            gap = d;
        last = c->rows[i].time_s;
    }
    return gap;
}

/* The short name: what follows the last '/' of a full resource name. */
static const char *short_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* The run's phase of the router named `router` at time t: the one with start_s <= t <
 * end_s, or the router's last one when t is at its end. NULL when there is none. */
static const results_phase *run_phase(const results *run, const char *router, double t)
{
    const results_phase *last = NULL;
    for (size_t i = 0; i < run->n_phases; i++) {
        const results_phase *ph = &run->phases[i];
        if (strcmp(short_name(ph->router), router) != 0 && strcmp(ph->router, router) != 0)
            continue;
        if (ph->start_s <= t && t < ph->end_s)
            return ph;
        last = ph;
    }
    return last && t == last->end_s ? last : NULL;
}

/* The snapshot's weights from the run: the phase's replicas, 0 for the universe's other
 * deployments (present only when they have a row). */
static int weights_from_run(analysis *a, uint32_t router, const countscsv_row *row, snapshot *s)
{
    const results_phase *ph = run_phase(a->o->run, a->c->routers[router], row->time_s);
    if (!ph)
        return at_row(a, row, row->time_col,
                      "router \"%s\" does not exist at time %g in the scenario's run (%gs long)",
                      a->c->routers[router], row->time_s, a->o->run->duration_s);
    for (size_t j = 0; j < ph->n_deployments; j++) {
        const char *name = short_name(ph->deployments[j].name);
        for (size_t k = 0; k < s->n; k++)
            if (strcmp(s->names[k], name) == 0) {
                s->present[k] = 1;
                s->weight[k] = (double)ph->deployments[j].replicas;
            }
    }
    return 0;
}

/* Fill the snapshot of `router` at the interval starting at row `first` (the first row of
 * that router and time); returns the row after the interval's rows, or 0 on error. */
static size_t take_snapshot(analysis *a, uint32_t router, size_t first, snapshot *s)
{
    const countscsv *c = a->c;
    int given = a->o->n_expected > 0;
    for (size_t k = 0; k < s->n; k++) {
        s->present[k] = given;
        s->weight[k] = given ? a->o->expected_shares[k] : 0.0;
        s->count[k] = 0;
    }
    if (a->o->run && weights_from_run(a, router, &c->rows[first], s) != 0)
        return 0;
    double t = c->rows[first].time_s;
    size_t i = first;
    for (; i < c->n_rows && c->rows[i].time_s == t; i++) {
        const countscsv_row *row = &c->rows[i];
        if (row->router != router)
            continue;
        const char *name = c->deployments[row->deployment];
        size_t k = 0;
        while (k < s->n && strcmp(s->names[k], name) != 0)
            k++;
        if (k == s->n) {
            at_row(a, row, row->deployment_col,
                   "deployment \"%s\" has no expected share: expected one of --expected", name);
            return 0;
        }
        s->present[k] = 1;
        s->count[k] = row->requests;
        if (!given && !a->o->run)
            s->weight[k] = row->weight;
    }
    return i;
}

static int same_key(const snapshot *s, const int *present, const double *weight)
{
    for (size_t k = 0; k < s->n; k++)
        if (s->present[k] != present[k] || (present[k] && s->weight[k] != weight[k]))
            return 0;
    return 1;
}

static srm_phase *new_phase(analysis *a, const char *router, const snapshot *s,
                            const countscsv_row *row)
{
    srm_result *r = a->r;
    if (r->n_phases == a->cap_phases) {
        size_t cap = a->cap_phases ? 2 * a->cap_phases : 8;
        srm_phase *p = realloc(r->phases, cap * sizeof *p);
        if (!p)
            return NULL;
        r->phases = p;
        a->cap_phases = cap;
    }
    srm_phase *ph = &r->phases[r->n_phases++];
    *ph = (srm_phase){.start_s = row->time_s, .first_line = row->line};
    ph->router = strdup(router);
    size_t n = 0;
    double sum = 0.0;
    for (size_t k = 0; k < s->n; k++)
        if (s->present[k]) {
            n++;
            sum += s->weight[k];
        }
    ph->deployments = calloc(n ? n : 1, sizeof *ph->deployments);
    if (!ph->router || !ph->deployments)
        return NULL;
    for (size_t k = 0; k < s->n; k++) {
        if (!s->present[k])
            continue;
        srm_share *d = &ph->deployments[ph->n_deployments++];
        if (!(d->name = strdup(s->names[k])))
            return NULL;
        d->weight = s->weight[k];
        d->expected_share = sum > 0.0 ? s->weight[k] / sum : 0.0;
    }
    return ph;
}

static int add_look(srm_phase *ph, size_t *cap, srm_look look)
{
    if (ph->n_looks == *cap) {
        size_t next = *cap ? 2 * *cap : 16;
        srm_look *p = realloc(ph->looks, next * sizeof *p);
        if (!p)
            return -1;
        ph->looks = p;
        *cap = next;
    }
    ph->looks[ph->n_looks++] = look;
    return 0;
}

/* The phase's verdicts once its last interval is in. */
static int close_phase(analysis *a, srm_phase *ph, double end_s)
{
    const srm_options *o = a->o;
    size_t n = ph->n_deployments;
    uint64_t *observed = malloc((n ? n : 1) * sizeof *observed);
    double *share = malloc((n ? n : 1) * sizeof *share);
    if (!observed || !share) {
        free(observed);
        free(share);
        return fail(a->err, a->errlen, "out of memory");
    }
    for (size_t k = 0; k < n; k++) {
        observed[k] = ph->deployments[k].observed;
        share[k] = ph->deployments[k].expected_share;
    }
    ph->end_s = end_s;
    ph->test = splittest_run(n, observed, share, o->alpha);
    char why[256];
    int status = srmpower_assess(n, share, &o->deviation, o->alpha, o->target_power, ph->requests,
                                 ph->end_s - ph->start_s, &ph->power, why, sizeof why);
    free(observed);
    free(share);
    if (status != 0)
        return fail(a->err, a->errlen, "%s:%u: phase of router \"%s\": %s", a->c->path,
                    ph->first_line, ph->router, why);
    ph->passed = ph->test.verdict != SPLITTEST_FAIL && !ph->crossed;
    return 0;
}

/* Every interval of one router, in time order, into phases. */
static int analyse_router(analysis *a, uint32_t router, snapshot *s, int *key_present,
                          double *key_weight)
{
    const countscsv *c = a->c;
    const srm_options *o = a->o;
    double step = interval_length(c, router);
    srm_phase *ph = NULL;
    seqtest *seq = NULL;
    size_t looks_cap = 0, i = 0;
    uint64_t *batch = malloc((s->n ? s->n : 1) * sizeof *batch);
    double *shares = malloc((s->n ? s->n : 1) * sizeof *shares);
    int status = batch && shares ? 0 : fail(a->err, a->errlen, "out of memory");
    while (status == 0 && i < c->n_rows) {
        if (c->rows[i].router != router) {
            i++;
            continue;
        }
        const countscsv_row *row = &c->rows[i];
        size_t next = take_snapshot(a, router, i, s);
        if (next == 0) {
            status = -1;
            break;
        }
        if (!ph || !same_key(s, key_present, key_weight)) {
            if (ph)
                status = close_phase(a, &a->r->phases[a->r->n_phases - 1], row->time_s);
            seqtest_free(seq);
            seq = NULL;
            ph = status == 0 ? new_phase(a, c->routers[router], s, row) : NULL;
            if (!ph) {
                status = status ? status : fail(a->err, a->errlen, "out of memory");
                break;
            }
            for (size_t k = 0; k < s->n; k++) {
                key_present[k] = s->present[k];
                key_weight[k] = s->weight[k];
            }
            size_t m = 0;
            for (size_t k = 0; k < ph->n_deployments; k++)
                shares[m++] = ph->deployments[k].expected_share;
            char why[256];
            /* without any weight nothing is expected; the fixed test fails such a phase
             * when it has requests, and the sequential one has nothing to add */
            double total = 0.0;
            for (size_t k = 0; k < m; k++)
                total += shares[k];
            if (total > 0.0 &&
                !(seq = seqtest_new(m, shares, o->concentration, NULL, why, sizeof why))) {
                status = fail(a->err, a->errlen, "%s", why);
                break;
            }
            looks_cap = 0;
        }
        /* the phase's deployments are the snapshot's present ones, in the same order */
        size_t m = 0;
        for (size_t k = 0; k < s->n; k++)
            if (s->present[k]) {
                batch[m] = s->count[k];
                ph->deployments[m].observed += s->count[k];
                ph->requests += s->count[k];
                a->r->requests += s->count[k];
                m++;
            }
        if (seq) {
            seqtest_add(seq, batch);
            double p = seqtest_p_value(seq);
            if (add_look(ph, &looks_cap, (srm_look){row->time_s, ph->requests, p}) != 0) {
                status = fail(a->err, a->errlen, "out of memory");
                break;
            }
            ph->sequential_p = p;
            if (!ph->crossed && p <= o->alpha) {
                ph->crossed = 1;
                ph->crossed_at_s = row->time_s;
            }
        } else {
            ph->sequential_p = 1.0;
        }
        /* the next interval of this router */
        i = next;
        double t = row->time_s;
        while (i < c->n_rows && (c->rows[i].router != router || c->rows[i].time_s == t))
            i++;
        if (i >= c->n_rows)
            status = close_phase(a, ph, t + step);
    }
    seqtest_free(seq);
    free(batch);
    free(shares);
    return status;
}

srm_result *srm_analyse(const countscsv *c, const srm_options *o, char *err, size_t errlen)
{
    if (!(o->alpha > 0.0 && o->alpha < 1.0)) {
        fail(err, errlen, "alpha %g: expected a number in (0, 1)", o->alpha);
        return NULL;
    }
    srm_result *r = calloc(1, sizeof *r);
    analysis a = {.c = c, .o = o, .r = r, .err = err, .errlen = errlen};
    /* the run's deployments join the file's: a deployment behind the router with no row
     * is expected to get its share */
    size_t n = o->n_expected ? o->n_expected : c->n_deployments;
    if (!o->n_expected && o->run)
        n += o->run->n_deployments;
    snapshot s = {.n = n};
    s.names = malloc((n ? n : 1) * sizeof *s.names);
    s.present = malloc((n ? n : 1) * sizeof *s.present);
    s.weight = malloc((n ? n : 1) * sizeof *s.weight);
    s.count = malloc((n ? n : 1) * sizeof *s.count);
    int *key_present = malloc((n ? n : 1) * sizeof *key_present);
    double *key_weight = malloc((n ? n : 1) * sizeof *key_weight);
    int status = r && s.names && s.present && s.weight && s.count && key_present && key_weight &&
                         (r->source = strdup(c->path))
                     ? 0
                     : fail(err, errlen, "out of memory");
    if (status == 0) {
        r->options = *o;
        s.n = 0;
        for (size_t k = 0; k < (o->n_expected ? o->n_expected : c->n_deployments); k++)
            s.names[s.n++] = o->n_expected ? o->expected_names[k] : c->deployments[k];
        for (size_t j = 0; !o->n_expected && o->run && j < o->run->n_deployments; j++) {
            const char *name = short_name(o->run->deployments[j]);
            size_t k = 0;
            while (k < s.n && strcmp(s.names[k], name) != 0)
                k++;
            if (k == s.n)
                s.names[s.n++] = name;
        }
        if (o->n_expected && o->run)
            status = fail(err, errlen,
                          "expected shares come from --expected or --scenario, "
                          "not both");
        else if (!o->n_expected && !o->run && c->weights == COUNTSCSV_NO_WEIGHTS)
            status = fail(err, errlen,
                          "%s: no replicas or share column: give the expected shares with "
                          "--expected or --scenario",
                          c->path);
    }
    for (uint32_t router = 0; status == 0 && router < c->n_routers; router++)
        status = analyse_router(&a, router, &s, key_present, key_weight);
    if (status == 0) {
        r->passed = 1;
        for (size_t i = 0; i < r->n_phases; i++)
            r->passed &= r->phases[i].passed;
    }
    free(s.names);
    free(s.present);
    free(s.weight);
    free(s.count);
    free(key_present);
    free(key_weight);
    if (status != 0) {
        srm_result_free(r);
        return NULL;
    }
    return r;
}
