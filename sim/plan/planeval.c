/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/planeval.h"

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

static int note_failure(folding *f, const results_check *c)
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

/* Replication 0: the deployments' names and peak rates, and its tightest check (smallest
 * margin relative to the limit). */
static int first_replication(folding *f, const results *r)
{
    f->n_deployments = r->n_deployments;
    f->names = calloc(r->n_deployments + 1, sizeof *f->names);
    f->peak_rate = calloc(r->n_deployments + 1, sizeof *f->peak_rate);
    f->replica_hours = calloc(r->n_deployments + 1, sizeof *f->replica_hours);
    if (!f->names || !f->peak_rate || !f->replica_hours)
        return -1;
    int ok = 1;
    for (size_t d = 0; d < r->n_deployments; d++)
        f->names[d] = dup_or_null(r->deployments[d], &ok);
    /* routed per bin, summed over the routers that route to the deployment */
    double *per_bin = calloc(r->n_bins + 1, sizeof *per_bin);
    if (!per_bin)
        return -1;
    for (size_t d = 0; d < r->n_deployments; d++) {
        memset(per_bin, 0, (r->n_bins + 1) * sizeof *per_bin);
        for (size_t i = 0; i < r->n_points; i++)
            if (r->points[i].deployment == d && r->points[i].bin < r->n_bins)
                per_bin[r->points[i].bin] += (double)r->points[i].routed;
        for (size_t b = 0; b < r->n_bins; b++)
            f->peak_rate[d] = fmax(f->peak_rate[d], per_bin[b] / r->window_s);
    }
    free(per_bin);
    double tightest = INFINITY;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        /* a count limited to 0 and met is not close to failing however it is measured */
        double rel = c->limit > 0 ? c->margin / c->limit : c->margin > -1 ? INFINITY : c->margin;
        if (isfinite(rel) && rel < tightest) {
            tightest = rel;
            free(f->tight_name);
            free(f->tight_key);
            free(f->tight_deployment);
            f->tight_name = dup_or_null(c->name, &ok);
            f->tight_key = dup_or_null(c->key, &ok);
            f->tight_deployment = dup_or_null(c->deployment, &ok);
            f->tight_start_s = c->start_s;
            f->tight_end_s = c->end_s;
        }
    }
    return ok ? 0 : -1;
}

static replicate_next fold(void *ctx, size_t index, uint64_t seed, results **rp, char *err,
                           size_t errlen)
{
    (void)seed;
    folding *f = ctx;
    const results *r = *rp;
    int ok = index > 0 || first_replication(f, r) == 0;
    for (size_t i = 0; ok && i < r->n_checks; i++)
        if (!r->checks[i].passed)
            ok = note_failure(f, &r->checks[i]) == 0;
    /* replica-hours: the replicas wanted at the end of each bin, over the bin */
    for (size_t i = 0; ok && i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        if (p->deployment >= r->n_deployments)
            continue;
        for (size_t d = 0; d < f->n_deployments; d++)
            if (f->names[d] && strcmp(f->names[d], r->deployments[p->deployment]) == 0) {
                double end = fmin((double)(p->bin + 1) * r->window_s, r->duration_s);
                double width = fmax(0, end - (double)p->bin * r->window_s);
                f->replica_hours[d] += (double)p->replicas * width / 3600.0;
            }
    }
    replicas_row *row = ok ? replicas_row_from_results(r) : NULL;
    ok = row && replicas_add(f->agg, row) == 0;
    replicas_row_free(row);
    if (!ok) {
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    if (f->opt->progress)
        f->opt->progress(f->opt->progress_ctx, index + 1, f->opt->max_replications);
    return replicas_decision(f->agg) != REPLICAS_UNDECIDED ? REPLICATE_STOP : REPLICATE_CONTINUE;
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
    else if (replicate_run(sc, &ropt, fold, &f, err, errlen) == 0) {
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
