/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/planeval.h"

#include "sim/base/bytecodec.h"
#include "sim/load/scenario_load.h"
#include "sim/load/ydoc.h"
#include "sim/stats/replicate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- variants ------------------------------------------------------------------------ */

scenario *planeval_load(const char *path, const planeval_variant *v, char *err, size_t errlen)
{
    scenario *sc = scenario_load_set(path, v->sets, v->n_sets, err, errlen);
    if (!sc || v->traffic_scale == 1.0)
        return sc;
    double k = v->traffic_scale;
    if (!(k > 0) || !isfinite(k)) {
        snprintf(err, errlen, "%s: a traffic multiplier must be a positive number", path);
        scenario_free(sc);
        return NULL;
    }
    for (size_t i = 0; i < sc->n_traffic; i++) {
        scenario_traffic *t = &sc->traffic[i];
        if (t->trace) {
            snprintf(err, errlen,
                     "%s:%d:%d: a replayed trace cannot be scaled by a traffic multiplier", path,
                     t->mark.line, t->mark.column);
            scenario_free(sc);
            return NULL;
        }
        t->shape.rate *= k;
        for (size_t j = 0; j < t->shape.n_segments; j++) {
            t->segments[j].from *= k;
            t->segments[j].to *= k;
        }
        t->shape.daily_peak *= k;
        t->shape.daily_trough *= k;
        t->shape.burst_rate *= k;
    }
    return sc;
}

static int read_count(const ydoc_node *n, long long *out)
{
    if (!n || n->type != YDOC_SCALAR)
        return 0;
    char *end;
    errno = 0;
    long long v = strtoll(n->value, &end, 10);
    if (errno || end == n->value || *end)
        return -1;
    *out = v;
    return 1;
}

int planeval_scaling_of(const char *path, const char *id, planeval_scaling *scaling, long long *min,
                        long long *max, char *err, size_t errlen)
{
    ydoc *d = ydoc_load_file(path, err, errlen);
    if (!d)
        return -1;
    const ydoc_node *list = ydoc_get(ydoc_root(d), "deployments"), *entry = NULL;
    for (size_t i = 0; list && list->type == YDOC_SEQ && i < list->n && !entry; i++) {
        const ydoc_node *item = list->items[i];
        const ydoc_node *name = item->type == YDOC_MAP ? ydoc_get(item, "id") : NULL;
        if (name && name->type == YDOC_SCALAR && strcmp(name->value, id) == 0)
            entry = item;
    }
    int rc = -1;
    if (!entry) {
        snprintf(err, errlen, "%s: no deployment \"%s\" in the file's deployments", path, id);
    } else {
        long long lo = 0, hi = 1, n = 0;
        int has_n = read_count(ydoc_get(entry, "replicas"), &n);
        int has_lo = read_count(ydoc_get(entry, "min_replica_count"), &lo);
        int has_hi = read_count(ydoc_get(entry, "max_replica_count"), &hi);
        if (has_n < 0 || has_lo < 0 || has_hi < 0) {
            snprintf(err, errlen, "%s: deployment \"%s\": replica counts must be whole numbers",
                     path, id);
        } else {
            if (has_lo && !has_hi && lo > 1)
                hi = lo; /* the format's default maximum */
            if (has_n)
                lo = hi = n;
            *scaling = lo == hi ? PLANEVAL_FIXED : PLANEVAL_AUTOSCALED;
            *min = lo;
            *max = hi;
            rc = 0;
        }
    }
    ydoc_free(d);
    return rc;
}

int planeval_count_set(const char *path, const char *id, long long n, char *buf, size_t size,
                       char *buf2, size_t size2, char *err, size_t errlen)
{
    planeval_scaling scaling;
    long long lo, hi;
    if (planeval_scaling_of(path, id, &scaling, &lo, &hi, err, errlen) != 0)
        return -1;
    buf2[0] = '\0';
    int w;
    if (scaling == PLANEVAL_FIXED) {
        w = snprintf(buf, size, "deployments.%s.replicas=%lld", id, n);
    } else {
        w = snprintf(buf, size, "deployments.%s.max_replica_count=%lld", id, n);
        if (lo > n &&
            snprintf(buf2, size2, "deployments.%s.min_replica_count=%lld", id, n) >= (int)size2)
            w = -1;
    }
    if (w < 0 || (size_t)w >= size) {
        snprintf(err, errlen, "%s: deployment id \"%s\" is too long", path, id);
        return -1;
    }
    return 0;
}

/* ---- replications ---------------------------------------------------------------------- */

/* A check seen in some replication: how often it failed and where it first did. */
typedef struct {
    char *name, *key, *deployment;
    size_t failures;
    double start_s, end_s;
} seen_check;

typedef struct {
    const planeval_options *opt;
    replicas_agg *agg;
    seen_check *checks;
    size_t n_checks;
    /* replication 0's tightest check, when nothing fails */
    char *tight_name, *tight_key, *tight_deployment;
    double tight_start_s, tight_end_s;
    /* per deployment of replication 0 (the names), summed replica-hours over replications */
    size_t n_deployments;
    char **names;
    double *peak_rate, *replica_hours;
} folding;

static char *dup_or_null(const char *s, int *ok)
{
    if (!s)
        return NULL;
    char *d = strdup(s);
    if (!d)
        *ok = 0;
    return d;
}

/* ---- what the folding keeps of one replication -------------------------------------- */

typedef struct {
    char *name, *key, *deployment;
    double start_s, end_s;
} digest_check;

typedef struct {
    size_t deployment; /* into names */
    double hours;
} digest_term;

/* One replication as planeval folds it: its row, its failed checks, its replica-hours terms
 * (in the order they are summed) and, for replication 0, its peak rates and tightest check.
 * Everything the folding reads from a replication is here, so that folding a decoded digest
 * is folding the replication itself. */
struct planeval_digest {
    replicas_row *row;
    size_t n_failed;
    digest_check *failed;
    size_t n_names;
    char **names;
    size_t n_terms;
    digest_term *terms;
    int first;         /* replication 0: peak_rate and tight are set */
    double *peak_rate; /* per name */
    int has_tight;
    digest_check tight;
};

static void check_clear(digest_check *c)
{
    free(c->name);
    free(c->key);
    free(c->deployment);
}

void planeval_digest_free(planeval_digest *d)
{
    if (!d)
        return;
    replicas_row_free(d->row);
    for (size_t i = 0; i < d->n_failed; i++)
        check_clear(&d->failed[i]);
    free(d->failed);
    for (size_t i = 0; d->names && i < d->n_names; i++)
        free(d->names[i]);
    free(d->names);
    free(d->terms);
    free(d->peak_rate);
    check_clear(&d->tight);
    free(d);
}

static digest_check check_of(const results_check *c, int *ok)
{
    return (digest_check){.name = dup_or_null(c->name, ok),
                          .key = dup_or_null(c->key, ok),
                          .deployment = dup_or_null(c->deployment, ok),
                          .start_s = c->start_s,
                          .end_s = c->end_s};
}

/* Replication 0's peak rates and tightest check (smallest margin relative to the limit). */
static int digest_first(planeval_digest *d, const results *r)
{
    d->first = 1;
    d->peak_rate = calloc(r->n_deployments + 1, sizeof *d->peak_rate);
    /* routed per deployment and bin, summed over the routers that route to the deployment
     * (in the order of the points, as the sums always were) */
    double *per_bin = calloc(r->n_deployments * r->n_bins + 1, sizeof *per_bin);
    if (!d->peak_rate || !per_bin) {
        free(per_bin);
        return -1;
    }
    splitstore_iter it;
    results_point p;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &p);)
        if (p.deployment < r->n_deployments && p.bin < r->n_bins)
            per_bin[p.deployment * r->n_bins + p.bin] += (double)p.routed;
    for (size_t k = 0; k < r->n_deployments; k++)
        for (size_t b = 0; b < r->n_bins; b++)
            d->peak_rate[k] = fmax(d->peak_rate[k], per_bin[k * r->n_bins + b] / r->window_s);
    free(per_bin);
    double tightest = INFINITY;
    int ok = 1;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        /* a count limited to 0 and met is not close to failing however it is measured */
        double rel = c->limit > 0 ? c->margin / c->limit : c->margin > -1 ? INFINITY : c->margin;
        if (isfinite(rel) && rel < tightest) {
            tightest = rel;
            check_clear(&d->tight);
            d->tight = check_of(c, &ok);
            d->has_tight = 1;
        }
    }
    return ok ? 0 : -1;
}

planeval_digest *planeval_digest_of(const results *r, int first)
{
    planeval_digest *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    int ok = 1;
    d->n_names = r->n_deployments;
    d->names = calloc(r->n_deployments + 1, sizeof *d->names);
    d->failed = calloc(r->n_checks + 1, sizeof *d->failed);
    d->terms = calloc(r->n_load_points + 1, sizeof *d->terms);
    ok = d->names && d->failed && d->terms;
    for (size_t k = 0; ok && k < r->n_deployments; k++)
        d->names[k] = dup_or_null(r->deployments[k], &ok);
    for (size_t i = 0; ok && i < r->n_checks; i++)
        if (!r->checks[i].passed)
            d->failed[d->n_failed++] = check_of(&r->checks[i], &ok);
    /* replica-hours: the replicas wanted at the end of each bin, over the bin */
    for (size_t i = 0; ok && i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        if (p->deployment >= r->n_deployments)
            continue;
        double end = fmin((double)(p->bin + 1) * r->window_s, r->duration_s);
        double width = fmax(0, end - (double)p->bin * r->window_s);
        d->terms[d->n_terms++] = (digest_term){.deployment = p->deployment,
                                               .hours = (double)p->replicas * width / 3600.0};
    }
    if (ok && first)
        ok = digest_first(d, r) == 0;
    if (ok)
        ok = (d->row = replicas_row_from_results(r)) != NULL;
    if (!ok) {
        planeval_digest_free(d);
        return NULL;
    }
    return d;
}

/* ---- digests as bytes: u64 counts, doubles as their bits (sim/base/bytecodec) ------- */

/* length + 1, then the bytes; 0 for NULL */
static void put_string(bytecodec_writer *b, const char *s)
{
    bytecodec_put_u64(b, s ? (uint64_t)strlen(s) + 1 : 0);
    if (s)
        bytecodec_put(b, s, strlen(s));
}

static void put_check(bytecodec_writer *b, const digest_check *c)
{
    put_string(b, c->name);
    put_string(b, c->key);
    put_string(b, c->deployment);
    bytecodec_put_f64(b, c->start_s);
    bytecodec_put_f64(b, c->end_s);
}

int planeval_digest_encode(const planeval_digest *d, unsigned char **buf, size_t *len)
{
    bytecodec_writer b = {0};
    unsigned char *row = NULL;
    size_t row_len = 0;
    if (replicas_row_encode(d->row, &row, &row_len) != 0)
        return -1;
    bytecodec_put_u64(&b, row_len);
    bytecodec_put(&b, row, row_len);
    free(row);
    bytecodec_put_u64(&b, d->n_failed);
    for (size_t i = 0; i < d->n_failed; i++)
        put_check(&b, &d->failed[i]);
    bytecodec_put_u64(&b, d->n_names);
    for (size_t i = 0; i < d->n_names; i++)
        put_string(&b, d->names[i]);
    bytecodec_put_u64(&b, d->n_terms);
    for (size_t i = 0; i < d->n_terms; i++) {
        bytecodec_put_u64(&b, d->terms[i].deployment);
        bytecodec_put_f64(&b, d->terms[i].hours);
    }
    bytecodec_put_u64(&b, (uint64_t)d->first);
    for (size_t i = 0; d->first && i < d->n_names; i++)
        bytecodec_put_f64(&b, d->peak_rate[i]);
    bytecodec_put_u64(&b, (uint64_t)d->has_tight);
    if (d->has_tight)
        put_check(&b, &d->tight);
    return bytecodec_finish(&b, buf, len);
}

static char *get_string(bytecodec_reader *r)
{
    uint64_t n = bytecodec_get_u64(r);
    return n == 0 || r->failed ? NULL : bytecodec_get_chars(r, n - 1);
}

static digest_check get_check(bytecodec_reader *r)
{
    digest_check c = {0};
    c.name = get_string(r);
    c.key = get_string(r);
    c.deployment = get_string(r);
    c.start_s = bytecodec_get_f64(r);
    c.end_s = bytecodec_get_f64(r);
    return c;
}

/* A count of items of at least `size` bytes each that the rest of the bytes can hold. */
static size_t get_count(bytecodec_reader *r, size_t size)
{
    uint64_t n = bytecodec_get_u64(r);
    return bytecodec_fits(r, n, size) ? (size_t)n : 0;
}

planeval_digest *planeval_digest_decode(const unsigned char *buf, size_t len, char *err,
                                        size_t errlen)
{
    planeval_digest *d = calloc(1, sizeof *d);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    bytecodec_reader r = bytecodec_reader_of(buf, len);
    int ok = 1;
    size_t row_len = get_count(&r, 1);
    if (!r.failed) {
        d->row = replicas_row_decode(bytecodec_take(&r, row_len), row_len, err, errlen);
        if (!d->row) {
            planeval_digest_free(d);
            return NULL;
        }
    }
    d->n_failed = get_count(&r, 40);
    d->failed = calloc(d->n_failed + 1, sizeof *d->failed);
    ok = d->failed != NULL;
    for (size_t i = 0; ok && i < d->n_failed; i++)
        d->failed[i] = get_check(&r);
    d->n_names = ok ? get_count(&r, 8) : 0;
    d->names = ok ? calloc(d->n_names + 1, sizeof *d->names) : NULL;
    ok = ok && d->names;
    for (size_t i = 0; ok && i < d->n_names; i++)
        d->names[i] = get_string(&r);
    d->n_terms = ok ? get_count(&r, 16) : 0;
    d->terms = ok ? calloc(d->n_terms + 1, sizeof *d->terms) : NULL;
    ok = ok && d->terms;
    for (size_t i = 0; ok && i < d->n_terms; i++) {
        d->terms[i].deployment = (size_t)bytecodec_get_u64(&r);
        d->terms[i].hours = bytecodec_get_f64(&r);
        if (d->terms[i].deployment >= d->n_names)
            bytecodec_refuse(&r);
    }
    d->first = ok && bytecodec_get_u64(&r) != 0;
    d->peak_rate = ok ? calloc(d->n_names + 1, sizeof *d->peak_rate) : NULL;
    ok = ok && d->peak_rate;
    for (size_t i = 0; ok && d->first && i < d->n_names; i++)
        d->peak_rate[i] = bytecodec_get_f64(&r);
    d->has_tight = ok && bytecodec_get_u64(&r) != 0;
    if (ok && d->has_tight)
        d->tight = get_check(&r);
    if (bytecodec_left(&r) != 0)
        bytecodec_refuse(&r);
    ok = ok && r.failed != BYTECODEC_NOMEM;
    if (!ok || r.failed) {
        snprintf(err, errlen,
                 ok ? "a replication's digest is truncated or malformed" : "out of memory");
        planeval_digest_free(d);
        return NULL;
    }
    return d;
}

/* ---- folding ------------------------------------------------------------------------- */

static int note_failure(folding *f, const digest_check *c)
{
    for (size_t i = 0; i < f->n_checks; i++)
        if (strcmp(f->checks[i].name, c->name) == 0) {
            f->checks[i].failures++;
            return 0;
        }
    seen_check *grown = realloc(f->checks, (f->n_checks + 1) * sizeof *grown);
    if (!grown)
        return -1;
    f->checks = grown;
    int ok = 1;
    seen_check *s = &f->checks[f->n_checks++];
    *s = (seen_check){.name = dup_or_null(c->name, &ok),
                      .key = dup_or_null(c->key, &ok),
                      .deployment = dup_or_null(c->deployment, &ok),
                      .failures = 1,
                      .start_s = c->start_s,
                      .end_s = c->end_s};
    return ok ? 0 : -1;
}

/* Replication 0: the deployments' names and peak rates, and its tightest check. */
static int first_replication(folding *f, const planeval_digest *d)
{
    f->n_deployments = d->n_names;
    f->names = calloc(d->n_names + 1, sizeof *f->names);
    f->peak_rate = calloc(d->n_names + 1, sizeof *f->peak_rate);
    f->replica_hours = calloc(d->n_names + 1, sizeof *f->replica_hours);
    if (!f->names || !f->peak_rate || !f->replica_hours || !d->first)
        return -1;
    int ok = 1;
    for (size_t k = 0; k < d->n_names; k++) {
        f->names[k] = dup_or_null(d->names[k], &ok);
        f->peak_rate[k] = d->peak_rate[k];
    }
    if (d->has_tight) {
        f->tight_name = dup_or_null(d->tight.name, &ok);
        f->tight_key = dup_or_null(d->tight.key, &ok);
        f->tight_deployment = dup_or_null(d->tight.deployment, &ok);
        f->tight_start_s = d->tight.start_s;
        f->tight_end_s = d->tight.end_s;
    }
    return ok ? 0 : -1;
}

/* Fold replication `index`; the caller's next step, the rule having seen it. */
static replicate_next fold_digest(folding *f, size_t index, const planeval_digest *d, char *err,
                                  size_t errlen)
{
    int ok = index > 0 || first_replication(f, d) == 0;
    for (size_t i = 0; ok && i < d->n_failed; i++)
        ok = note_failure(f, &d->failed[i]) == 0;
    for (size_t i = 0; ok && i < d->n_terms; i++) {
        const char *name = d->names[d->terms[i].deployment];
        for (size_t k = 0; name && k < f->n_deployments; k++)
            if (f->names[k] && strcmp(f->names[k], name) == 0)
                f->replica_hours[k] += d->terms[i].hours;
    }
    ok = ok && replicas_add(f->agg, d->row) == 0;
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    if (f->opt->progress)
        f->opt->progress(f->opt->progress_ctx, index + 1, f->opt->max_replications);
    return replicas_decision(f->agg) != REPLICAS_UNDECIDED ? REPLICATE_STOP : REPLICATE_CONTINUE;
}

static replicate_next fold(void *ctx, size_t index, uint64_t seed, results **rp, char *err,
                           size_t errlen)
{
    (void)seed;
    planeval_digest *d = planeval_digest_of(*rp, index == 0);
    if (!d) {
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    replicate_next next = fold_digest(ctx, index, d, err, errlen);
    planeval_digest_free(d);
    return next;
}

static const replicas_metric *metric_of(const replicas_summary *s, replicas_metric_kind kind,
                                        const char *deployment, const char *statistic)
{
    for (size_t i = 0; i < s->n_metrics; i++) {
        const replicas_metric *m = &s->metrics[i];
        if (m->kind == kind && m->deployment && strcmp(m->deployment, deployment) == 0 &&
            (!statistic || (m->statistic && strcmp(m->statistic, statistic) == 0)))
            return m;
    }
    return NULL;
}

static replicas_stats stats_of(const replicas_summary *s, replicas_metric_kind kind,
                               const char *deployment, const char *statistic)
{
    const replicas_metric *m = metric_of(s, kind, deployment, statistic);
    replicas_stats none = {0, NAN, NAN, NAN, NAN, NAN, NAN};
    return m ? m->stats : none;
}

/* The summary's figures of the deployments that have a serving model (a utilisation). */
static int fill_result(planeval_result *res, folding *f)
{
    const replicas_summary *s = res->summary;
    res->deployments = calloc(f->n_deployments + 1, sizeof *res->deployments);
    if (!res->deployments)
        return -1;
    int ok = 1;
    for (size_t d = 0; d < f->n_deployments; d++) {
        const char *name = f->names[d];
        if (!name || !metric_of(s, REPLICAS_METRIC_UTILIZATION, name, NULL))
            continue;
        planeval_deployment *pd = &res->deployments[res->n_deployments++];
        pd->name = dup_or_null(name, &ok);
        pd->utilization = stats_of(s, REPLICAS_METRIC_UTILIZATION, name, NULL);
        pd->mean = stats_of(s, REPLICAS_METRIC_LATENCY, name, "mean");
        pd->p50 = stats_of(s, REPLICAS_METRIC_LATENCY, name, "p50");
        pd->p90 = stats_of(s, REPLICAS_METRIC_LATENCY, name, "p90");
        pd->p99 = stats_of(s, REPLICAS_METRIC_LATENCY, name, "p99");
        pd->peak_rate = f->peak_rate[d];
        pd->replica_hours = s->replications ? f->replica_hours[d] / (double)s->replications : 0;
    }
    /* the deciding check: the one failing most often (the first seen on a tie) */
    const seen_check *worst = NULL;
    for (size_t i = 0; i < f->n_checks; i++)
        if (!worst || f->checks[i].failures > worst->failures)
            worst = &f->checks[i];
    const char *name = worst ? worst->name : f->tight_name;
    if (name) {
        res->check = dup_or_null(name, &ok);
        res->check_key = dup_or_null(worst ? worst->key : f->tight_key, &ok);
        res->check_deployment = dup_or_null(worst ? worst->deployment : f->tight_deployment, &ok);
        res->check_start_s = worst ? worst->start_s : f->tight_start_s;
        res->check_end_s = worst ? worst->end_s : f->tight_end_s;
        res->check_rate = (replicas_rate){0, 0, NAN, NAN, NAN};
        res->check_value = res->check_limit = NAN;
        for (size_t i = 0; i < s->n_checks; i++)
            if (strcmp(s->checks[i].name, name) == 0) {
                res->check_rate = s->checks[i].rate;
                res->check_value = s->checks[i].value.mean;
            }
    }
    return ok ? 0 : -1;
}

static void folding_free(folding *f)
{
    for (size_t i = 0; i < f->n_checks; i++) {
        free(f->checks[i].name);
        free(f->checks[i].key);
        free(f->checks[i].deployment);
    }
    free(f->checks);
    free(f->tight_name);
    free(f->tight_key);
    free(f->tight_deployment);
    for (size_t d = 0; f->names && d < f->n_deployments; d++)
        free(f->names[d]);
    free(f->names);
    free(f->peak_rate);
    free(f->replica_hours);
    replicas_free(f->agg);
}

/* ---- lockstep: the replications over the ranks of a spread ---------------------------- */

/* Takes the results of the one replication a run of 1 hands over. */
static replicate_next keep(void *ctx, size_t index, uint64_t seed, results **rp, char *err,
                           size_t errlen)
{
    (void)index, (void)seed, (void)err, (void)errlen;
    *(results **)ctx = *rp;
    *rp = NULL;
    return REPLICATE_CONTINUE;
}

/* What rank `rank` gives for replication i: a status byte (0 ran, 1 failed) and the encoded
 * digest or the reason. NULL when out of memory. */
static unsigned char *run_one(const scenario *sc, const planeval_options *opt, size_t i,
                              size_t *len)
{
    char why[512] = "";
    results *r = NULL;
    /* replication i alone: a run of 1 from its seed (replication 0 of a run is its seed) */
    replicate_options one = {
        .seed = replicate_seed(opt->seed, i), .replications = 1, .jobs = 1, .rank = 0, .ranks = 1};
    unsigned char *enc = NULL, *out = NULL;
    size_t enc_len = 0;
    if (replicate_run(sc, &one, keep, &r, why, sizeof why) == 0) {
        planeval_digest *d = planeval_digest_of(r, i == 0);
        if (!d || planeval_digest_encode(d, &enc, &enc_len) != 0)
            snprintf(why, sizeof why, "out of memory");
        planeval_digest_free(d);
        results_free(r);
    } else {
        /* the message says replication 0 of a run of 1: name the plan's index */
        char inner[400];
        snprintf(inner, sizeof inner, "%.399s", why);
        const char *colon = strstr(inner, "): ");
        snprintf(why, sizeof why, "replication %zu (seed %llu): %s", i,
                 (unsigned long long)one.seed, colon ? colon + 3 : inner);
    }
    size_t n = enc ? enc_len : strlen(why);
    out = malloc(n + 1);
    if (out) {
        out[0] = enc ? 0 : 1;
        memcpy(out + 1, enc ? (const void *)enc : (const void *)why, n);
        *len = n + 1;
    }
    free(enc);
    return out;
}

/* Every rank runs the replications i with i % ranks == rank, one per batch of `ranks`
 * indices; after each batch the ranks exchange what they ran and every rank folds the whole
 * batch in index order, stopping where the sequential rule decides. The folded state, and so
 * every decision taken from it, is then the same on every rank and the same as a threaded
 * run's: folding a decoded digest adds the same doubles in the same order. */
static int lockstep(const scenario *sc, const planeval_options *opt, folding *f, char *err,
                    size_t errlen)
{
    const planeval_spread *sp = opt->spread;
    size_t ranks = sp->ranks, cap = opt->max_replications;
    size_t *lens = calloc(ranks, sizeof *lens);
    if (!lens) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0, stop = 0;
    for (size_t b = 0; rc == 0 && !stop && b < cap; b += ranks) {
        size_t i = b + sp->rank, len = 0;
        unsigned char *mine = i < cap ? run_one(sc, opt, i, &len) : NULL, *all = NULL;
        /* a rank out of memory still takes part in the exchange, with a failure */
        static const unsigned char oom[] = "\1out of memory";
        if (i < cap && !mine) {
            mine = malloc(sizeof oom - 1);
            if (mine) {
                memcpy(mine, oom, sizeof oom - 1);
                len = sizeof oom - 1;
            }
        }
        rc = sp->exchange(mine, mine ? len : 0, &all, lens, err, errlen);
        free(mine);
        size_t at = 0;
        for (size_t k = 0; rc == 0 && !stop && k < ranks && b + k < cap; k++) {
            const unsigned char *blob = all + at;
            at += lens[k];
            if (lens[k] == 0 || blob[0] != 0) {
                int n = lens[k] > 1 ? (int)(lens[k] - 1) : 0;
                snprintf(err, errlen, "rank %zu: %.*s", k, n,
                         lens[k] ? (const char *)blob + 1 : "");
                rc = -1;
                break;
            }
            planeval_digest *d = planeval_digest_decode(blob + 1, lens[k] - 1, err, errlen);
            replicate_next next = d ? fold_digest(f, b + k, d, err, errlen) : REPLICATE_ABORT;
            planeval_digest_free(d);
            if (next == REPLICATE_ABORT)
                rc = -1;
            stop = next == REPLICATE_STOP;
        }
        free(all);
    }
    free(lens);
    return rc;
}

planeval_result *planeval_run(const scenario *sc, const planeval_options *opt, char *err,
                              size_t errlen)
{
    replicas_rule rule = {
        .pass_rate = opt->pass_rate, .confidence = opt->confidence, .sequential = 1};
    folding f = {.opt = opt, .agg = replicas_new(&rule, opt->max_replications)};
    planeval_result *res = calloc(1, sizeof *res);
    replicate_options ropt = {.seed = opt->seed,
                              .replications = opt->max_replications,
                              .jobs = opt->jobs,
                              .rank = 0,
                              .ranks = 1};
    int rc = -1;
    if (!f.agg || !res)
        snprintf(err, errlen, "out of memory");
    else if ((opt->spread ? lockstep(sc, opt, &f, err, errlen)
                          : replicate_run(sc, &ropt, fold, &f, err, errlen)) == 0) {
        res->summary = replicas_summarize(f.agg);
        if (res->summary && fill_result(res, &f) == 0)
            rc = 0;
        else
            snprintf(err, errlen, "out of memory");
    }
    if (rc == 0) {
        res->verdict = res->summary->verdict;
        res->passed = res->summary->passed;
        res->replications = res->summary->replications;
        /* the limit, from replication-independent data: the scenario's own check */
        for (size_t i = 0; res->check_key && i < sc->n_capacity; i++) {
            char key[64];
            scenario_capacity_key(&sc->capacity[i], key, sizeof key);
            if (strcmp(key, res->check_key) == 0 && isnan(res->check_limit))
                res->check_limit = sc->capacity[i].limit;
        }
    }
    folding_free(&f);
    if (rc != 0) {
        planeval_result_free(res);
        return NULL;
    }
    return res;
}

void planeval_result_free(planeval_result *r)
{
    if (!r)
        return;
    free(r->check);
    free(r->check_key);
    free(r->check_deployment);
    for (size_t d = 0; d < r->n_deployments; d++)
        free(r->deployments[d].name);
    free(r->deployments);
    replicas_summary_free(r->summary);
    free(r);
}

const planeval_deployment *planeval_deployment_of(const planeval_result *r, const char *name)
{
    for (size_t d = 0; d < r->n_deployments; d++)
        if (strcmp(r->deployments[d].name, name) == 0)
            return &r->deployments[d];
    return NULL;
}

int planeval_sensitivity(const char *path, const char *const *sets, size_t n_sets,
                         const scenario *sc, const planeval_options *opt, size_t replications,
                         sensitivity_result **out, char *err, size_t errlen)
{
    *out = NULL;
    if (sc->n_uncertain == 0)
        return 0;
    sensitivity_options so = {.path = path,
                              .sets = sets,
                              .n_sets = n_sets,
                              .params = sc->uncertain,
                              .n_params = sc->n_uncertain,
                              .points = 2,
                              .bisections = PLANEVAL_SENSITIVITY_BISECTIONS,
                              .seed = opt->seed,
                              .replications = replications ? replications : 1,
                              .jobs = opt->jobs,
                              .rule = {.pass_rate = opt->pass_rate, .confidence = opt->confidence}};
    int invalid = 0;
    *out = sensitivity_run(&so, &invalid, err, errlen);
    return *out ? 0 : invalid ? 2 : 3;
}
