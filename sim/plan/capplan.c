/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/capplan.h"

#include "sim/load/ydoc.h"
#include "sim/stats/replicate.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SET_SIZE 256

double capplan_service_quantile(const serving_spec *s, double q)
{
    if (q <= 0 || s->distribution == SERVING_DETERMINISTIC)
        return s->mean_s;
    switch (s->distribution) {
    case SERVING_EXPONENTIAL:
        return -s->mean_s * log1p(-q);
    case SERVING_LOGNORMAL: {
        double s2 = log1p(s->cv * s->cv);
        return exp(log(s->mean_s) - s2 / 2 + sqrt(s2) * gsl_cdf_ugaussian_Pinv(q));
    }
    case SERVING_GAMMA:
        return gsl_cdf_gamma_Pinv(q, 1 / (s->cv * s->cv), s->mean_s * s->cv * s->cv);
    default:
        return s->mean_s;
    }
}

double capplan_erlang_c(long long c, double a)
{
    if (a >= (double)c)
        return 1;
    double b = 1; /* Erlang B by its recursion B(k) = a B(k-1) / (k + a B(k-1)) */
    for (long long k = 1; k <= c; k++)
        b = a * b / ((double)k + a * b);
    return (double)c * b / ((double)c - a * (1 - b));
}

static double statistic_q(scenario_statistic st)
{
    static const double q[] = {0, 0.5, 0.9, 0.95, 0.99, 0.999};
    return q[st];
}

/* Does a capacity check cover deployment id? */
static int covers(const scenario_capacity *c, const char *id)
{
    return c->deployment[0] == '\0' || strcmp(c->deployment, id) == 0;
}

/* Erlang C's queue wait of n replicas meets every wait limit on the deployment. */
static int erlang_meets(const scenario *sc, const capplan_deployment *d, long long n)
{
    double mu = 1 / d->spec.mean_s, lambda = d->peak_rate;
    long long c = n * d->spec.concurrency;
    if (lambda / mu >= (double)c)
        return 0;
    double pw = capplan_erlang_c(c, lambda / mu), drain = (double)c * mu - lambda;
    for (size_t i = 0; i < sc->n_capacity; i++) {
        const scenario_capacity *k = &sc->capacity[i];
        if (k->kind != SCENARIO_MAX_WAIT || !covers(k, d->id))
            continue;
        double q = statistic_q(k->statistic);
        double wait = q == 0 ? pw / drain : (pw <= 1 - q ? 0 : log(pw / (1 - q)) / drain);
        if (wait > k->limit)
            return 0;
    }
    return 1;
}

static int has_wait_check(const scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (sc->capacity[i].kind == SCENARIO_MAX_WAIT && covers(&sc->capacity[i], id))
            return 1;
    return 0;
}

/* A latency check the service time alone already breaks: written into why, returns 1. */
static int unreachable(const scenario *sc, const capplan_deployment *d, char *why, size_t size)
{
    for (size_t i = 0; i < sc->n_capacity; i++) {
        const scenario_capacity *k = &sc->capacity[i];
        if ((k->kind != SCENARIO_MAX_LATENCY && k->kind != SCENARIO_MAX_CALLER_LATENCY) ||
            !covers(k, d->id))
            continue;
        double own = capplan_service_quantile(&d->spec, statistic_q(k->statistic));
        if (own > k->limit) {
            char key[64];
            scenario_capacity_key(k, key, sizeof key);
            snprintf(why, size,
                     "%s: the service time's own %s (%.4g s) is above the limit of %s (%.4g s): "
                     "no replica count can meet it",
                     d->id, scenario_statistic_name(k->statistic), own, key, k->limit);
            return 1;
        }
    }
    return 0;
}

/* The loosest utilisation the checks allow on the deployment (1 without a limit). */
static double utilization_limit(const scenario *sc, const char *id)
{
    double u = 1;
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (sc->capacity[i].kind == SCENARIO_MAX_UTILIZATION && covers(&sc->capacity[i], id))
            u = fmin(u, sc->capacity[i].limit);
    return u;
}

int capplan_count_sets(const capplan *p, const long long *counts, const char **sets, char *store,
                       char *err, size_t errlen)
{
    int n = 0;
    for (size_t d = 0; d < p->n_deployments; d++) {
        char *a = store + (2 * d) * SET_SIZE, *b = store + (2 * d + 1) * SET_SIZE;
        if (planeval_count_set(p->opt.path, p->deployments[d].id, counts[d], a, SET_SIZE, b,
                               SET_SIZE, err, errlen) != 0)
            return -1;
        sets[n++] = a;
        if (b[0])
            sets[n++] = b;
    }
    return n;
}

/* Run one candidate (or find it run before): its index, or -1 (err set; *status 2 or 3). */
static long evaluate(capplan *p, const long long *counts, double scale, int *status, char *err,
                     size_t errlen)
{
    for (size_t i = 0; i < p->n_candidates; i++)
        if (p->candidates[i].traffic_scale == scale &&
            memcmp(p->candidates[i].counts, counts, p->n_deployments * sizeof *counts) == 0)
            return (long)i;
    char what[512] = "";
    size_t used = 0;
    for (size_t d = 0; d < p->n_deployments && used < sizeof what; d++)
        used += (size_t)snprintf(what + used, sizeof what - used, "%s%s=%lld", d ? " " : "",
                                 p->deployments[d].id, counts[d]);
    if (scale != 1 && used < sizeof what)
        snprintf(what + used, sizeof what - used, " x%.3g traffic", scale);
    if (p->opt.candidate)
        p->opt.candidate(p->opt.candidate_ctx, what);

    const char *sets[2 * CAPPLAN_MAX_DEPLOYMENTS];
    char store[2 * CAPPLAN_MAX_DEPLOYMENTS * SET_SIZE];
    int n = capplan_count_sets(p, counts, sets, store, err, errlen);
    planeval_variant v = {.sets = sets, .n_sets = n > 0 ? (size_t)n : 0, .traffic_scale = scale};
    scenario *sc = n >= 0 ? planeval_load(p->opt.path, &v, err, errlen) : NULL;
    if (!sc) {
        *status = 2;
        return -1;
    }
    planeval_result *r = planeval_run(sc, &p->opt.eval, err, errlen);
    scenario_free(sc);
    capplan_candidate *grown =
        r ? realloc(p->candidates, (p->n_candidates + 1) * sizeof *grown) : NULL;
    long long *copy = grown ? malloc(p->n_deployments * sizeof *copy) : NULL;
    if (grown)
        p->candidates = grown;
    if (!copy) {
        if (r)
            snprintf(err, errlen, "out of memory");
        planeval_result_free(r);
        *status = 3;
        return -1;
    }
    memcpy(copy, counts, p->n_deployments * sizeof *copy);
    p->candidates[p->n_candidates] = (capplan_candidate){copy, scale, r};
    return (long)p->n_candidates++;
}

static int passes(const capplan *p, long i)
{
    return p->candidates[i].result->verdict == REPLICAS_PASS;
}

/* Gallop and bisect the count of deployment d, the others as in counts. Returns 0 with
 * counts[d] the smallest passing count (p->answer its candidate), 1 when even max_replicas
 * does not pass, or -1 (err, *status). */
static int search_one(capplan *p, long long *counts, size_t d, int *status, char *err,
                      size_t errlen)
{
    long long max = p->opt.max_replicas, lo = 0, hi = -1, step = 1; /* lo fails, hi passes */
    long best = -1, i = evaluate(p, counts, 1, status, err, errlen);
    if (i < 0)
        return -1;
    if (passes(p, i)) {
        hi = counts[d];
        best = i;
        while (hi - step >= 1) { /* down while it passes */
            counts[d] = hi - step;
            if ((i = evaluate(p, counts, 1, status, err, errlen)) < 0)
                return -1;
            if (!passes(p, i)) {
                lo = counts[d];
                break;
            }
            hi = counts[d];
            best = i;
            step *= 2;
        }
    } else {
        lo = counts[d];
        while (lo < max) { /* up while it fails */
            counts[d] = lo + step < max ? lo + step : max;
            if ((i = evaluate(p, counts, 1, status, err, errlen)) < 0)
                return -1;
            if (passes(p, i)) {
                hi = counts[d];
                best = i;
                break;
            }
            lo = counts[d];
            step *= 2;
        }
        if (hi < 0) {
            counts[d] = max;
            return 1;
        }
    }
    while (hi - lo > 1) {
        counts[d] = lo + (hi - lo) / 2;
        if ((i = evaluate(p, counts, 1, status, err, errlen)) < 0)
            return -1;
        if (passes(p, i)) {
            hi = counts[d];
            best = i;
        } else {
            lo = counts[d];
        }
    }
    counts[d] = hi;
    p->answer = best;
    return 0;
}

static int headroom(capplan *p, int *status, char *err, size_t errlen)
{
    const long long *counts = p->candidates[p->answer].counts;
    double ok = 1, bad = NAN;
    for (double step = 0.1; ok + step <= 4.3; step *= 2) {
        long i = evaluate(p, counts, 1 + step, status, err, errlen);
        if (i < 0)
            return -1;
        if (!passes(p, i)) {
            bad = 1 + step;
            break;
        }
        ok = 1 + step;
    }
    for (int k = 0; k < 3 && !isnan(bad); k++) {
        double mid = (ok + bad) / 2;
        long i = evaluate(p, counts, mid, status, err, errlen);
        if (i < 0)
            return -1;
        if (passes(p, i))
            ok = mid;
        else
            bad = mid;
    }
    p->headroom = ok;
    p->headroom_fail = bad;
    return 0;
}

/* The deployments to plan, with their serving models and the file's counts. */
static int pick_deployments(capplan *p, const scenario *sc, char *err, size_t errlen)
{
    const capplan_options *o = &p->opt;
    char derr[1024];
    ydoc *doc = ydoc_load_file(o->path, derr, sizeof derr);
    if (!doc) {
        snprintf(err, errlen, "%s", derr);
        return -1;
    }
    const ydoc_node *list = ydoc_get(ydoc_root(doc), "deployments");
    size_t n_file = list && list->type == YDOC_SEQ ? list->n : 0;
    size_t want = o->n_deployments ? o->n_deployments : n_file;
    p->deployments = calloc(want + 1, sizeof *p->deployments);
    int rc = p->deployments ? 0 : -1;
    if (rc)
        snprintf(err, errlen, "out of memory");
    for (size_t i = 0; rc == 0 && i < want; i++) {
        const char *id = NULL;
        if (o->n_deployments) {
            id = o->deployments[i];
        } else {
            const ydoc_node *v =
                list->items[i]->type == YDOC_MAP ? ydoc_get(list->items[i], "id") : NULL;
            id = v && v->type == YDOC_SCALAR ? v->value : NULL;
            if (!id || !scenario_serving_of(sc, id))
                continue;
        }
        for (size_t j = 0; j < p->n_deployments; j++)
            if (strcmp(p->deployments[j].id, id) == 0) {
                snprintf(err, errlen, "--deployment %s is given twice", id);
                rc = -1;
            }
        const serving_spec *spec = rc == 0 ? scenario_serving_of(sc, id) : NULL;
        if (rc == 0 && !spec) {
            snprintf(err, errlen,
                     "%s: deployment \"%s\" has no serving model: its capacity is unlimited, "
                     "there is nothing to plan",
                     o->path, id);
            rc = -1;
        }
        if (rc == 0 && p->n_deployments >= CAPPLAN_MAX_DEPLOYMENTS) {
            snprintf(err, errlen, "at most %d deployments can be planned at once",
                     CAPPLAN_MAX_DEPLOYMENTS);
            rc = -1;
        }
        if (rc != 0)
            break;
        capplan_deployment *d = &p->deployments[p->n_deployments++];
        d->spec = *spec;
        d->id = strdup(id);
        if (!d->id || planeval_scaling_of(o->path, id, &d->scaling, &d->file_min, &d->file_max, err,
                                          errlen) != 0)
            rc = -1;
    }
    if (rc == 0 && p->n_deployments == 0) {
        snprintf(err, errlen, "%s: no deployment has a serving model: nothing to plan", o->path);
        rc = -1;
    }
    ydoc_free(doc);
    return rc;
}

/* A pilot replication at the file's counts: each deployment's full name and peak rate. */
static int pilot(capplan *p, const scenario *sc, int *status, char *err, size_t errlen)
{
    planeval_options one = p->opt.eval;
    one.pass_rate = 0;
    one.max_replications = 1;
    one.progress = NULL;
    planeval_result *r = planeval_run(sc, &one, err, errlen);
    if (!r) {
        *status = 3;
        return -1;
    }
    for (size_t d = 0; d < p->n_deployments; d++) {
        capplan_deployment *cd = &p->deployments[d];
        size_t idlen = strlen(cd->id);
        for (size_t k = 0; k < r->n_deployments && !cd->name; k++) {
            const char *name = r->deployments[k].name;
            size_t len = strlen(name);
            if (strcmp(name, cd->id) == 0 || (len > idlen && name[len - idlen - 1] == '/' &&
                                              strcmp(name + len - idlen, cd->id) == 0)) {
                cd->name = strdup(name);
                cd->peak_rate = r->deployments[k].peak_rate;
            }
        }
        if (!cd->name)
            cd->name = strdup(cd->id);
        if (!cd->name) {
            snprintf(err, errlen, "out of memory");
            planeval_result_free(r);
            *status = 3;
            return -1;
        }
    }
    planeval_result_free(r);
    return 0;
}

/* The analytic start of each deployment; 1 with the reason when the checks cannot be met at
 * any count within the budget. */
static int analytic(capplan *p, const scenario *sc)
{
    long long max = p->opt.max_replicas;
    for (size_t i = 0; i < p->n_deployments; i++) {
        capplan_deployment *d = &p->deployments[i];
        if (unreachable(sc, d, p->reason, sizeof p->reason))
            return 1;
        d->busy = d->peak_rate * d->spec.mean_s / (double)d->spec.concurrency;
        double u = utilization_limit(sc, d->id);
        if (d->busy / u > (double)max) {
            snprintf(p->reason, sizeof p->reason,
                     "%s: the budget cannot hold the load: at its peak (%.4g requests/s x %.4g s "
                     "mean service / concurrency %lld) it keeps %.4g replicas busy, and %lld "
                     "replicas (--max-replicas) at most %.4g %s",
                     d->id, d->peak_rate, d->spec.mean_s, d->spec.concurrency, d->busy, max,
                     u * (double)max, u < 1 ? "within its utilisation limit" : "");
            return 1;
        }
        d->target = u < 1 ? u : 0.8;
        d->utilization = (long long)ceil(d->busy / d->target - 1e-9);
        if (d->spec.distribution == SERVING_EXPONENTIAL && has_wait_check(sc, d->id)) {
            long long n = (long long)floor(d->busy) + 1;
            while (n <= max && !erlang_meets(sc, d, n))
                n++;
            d->erlang = n;
        }
        /* Erlang C replaces the rule of thumb where it applies, unless a utilisation limit
         * asks for more */
        long long start = d->erlang && u >= 1          ? d->erlang
                          : d->utilization > d->erlang ? d->utilization
                                                       : d->erlang;
        d->start = start < 1 ? 1 : start > max ? max : start;
        d->planned = d->start;
    }
    return 0;
}

static void find_slo(capplan *p, const scenario *sc)
{
    p->slo_s = NAN;
    for (size_t i = 0; i < sc->n_capacity; i++) {
        const scenario_capacity *k = &sc->capacity[i];
        if (k->kind == SCENARIO_MAX_LATENCY && k->statistic == SCENARIO_P99 &&
            (isnan(p->slo_s) || k->limit < p->slo_s)) {
            p->slo_s = k->limit;
            scenario_capacity_key(k, p->slo_key, sizeof p->slo_key);
        }
    }
}

int capplan_run(const capplan_options *opt, capplan **out, char *err, size_t errlen)
{
    *out = NULL;
    capplan *p = calloc(1, sizeof *p);
    if (!p) {
        snprintf(err, errlen, "out of memory");
        return 3;
    }
    p->opt = *opt;
    p->answer = -1;
    p->headroom = p->headroom_fail = NAN;
    /* A cap too small to ever show P would make every candidate undecided. */
    replicas_rule rule = {opt->eval.pass_rate, opt->eval.confidence, 1};
    size_t cap = opt->eval.max_replications, need = cap;
    if (rule.pass_rate > 0 && replicas_decide(&rule, cap, cap, cap) != REPLICAS_PASS) {
        while (need < REPLICATE_MAX_REPLICATIONS &&
               replicas_decide(&rule, need, need, need) != REPLICAS_PASS)
            need++;
        snprintf(err, errlen,
                 "--replications %zu cannot show a pass rate of %g at confidence %g: even %zu "
                 "passes in %zu leave it undecided; it takes at least %zu",
                 cap, rule.pass_rate, rule.confidence, cap, cap, need);
        capplan_free(p);
        return 2;
    }
    int status = 2;
    planeval_variant as_written = {.traffic_scale = 1};
    scenario *sc = planeval_load(opt->path, &as_written, err, errlen);
    if (sc && pick_deployments(p, sc, err, errlen) == 0) {
        p->duration_s = sc->duration_s;
        for (size_t i = 0; i < sc->n_traffic; i++)
            p->replayed |= sc->traffic[i].trace != NULL;
        find_slo(p, sc);
        status = pilot(p, sc, &status, err, errlen) == 0 ? 0 : status;
    }
    if (status == 0 && analytic(p, sc) != 0) {
        p->outcome = CAPPLAN_NONE;
    } else if (status == 0) {
        long long counts[CAPPLAN_MAX_DEPLOYMENTS];
        for (size_t d = 0; d < p->n_deployments; d++)
            counts[d] = p->deployments[d].start;
        for (size_t d = 0; d < p->n_deployments && status == 0; d++) {
            int found = search_one(p, counts, d, &status, err, errlen);
            for (size_t k = 0; k < p->n_deployments; k++)
                p->deployments[k].planned = counts[k];
            if (found < 0)
                break;
            if (found == 1) {
                long last = (long)p->n_candidates - 1;
                const planeval_result *r = p->candidates[last].result;
                snprintf(p->reason, sizeof p->reason,
                         "%s: no count up to %lld (--max-replicas) passes: at %lld replicas the "
                         "pass rate is %.3g [%.3g, %.3g] (%s), decided by %s",
                         p->deployments[d].id, opt->max_replicas, counts[d], r->passed.rate,
                         r->passed.lower, r->passed.upper, replicas_verdict_name(r->verdict),
                         r->check ? r->check : "no check");
                p->outcome = CAPPLAN_NONE;
                p->answer = -1;
                break;
            }
        }
        if (status == 0 && p->answer >= 0) {
            p->outcome = CAPPLAN_FOUND;
            const planeval_result *r = p->candidates[p->answer].result;
            for (size_t d = 0; d < p->n_deployments; d++) {
                const planeval_deployment *pd = planeval_deployment_of(r, p->deployments[d].name);
                p->replica_hours += pd ? pd->replica_hours : 0;
            }
            if (!p->replayed && headroom(p, &status, err, errlen) != 0 && status == 0)
                status = 3;
        }
    }
    scenario_free(sc);
    if (status != 0) {
        capplan_free(p);
        return status;
    }
    *out = p;
    return 0;
}

void capplan_free(capplan *p)
{
    if (!p)
        return;
    for (size_t d = 0; d < p->n_deployments; d++) {
        free(p->deployments[d].id);
        free(p->deployments[d].name);
    }
    free(p->deployments);
    for (size_t i = 0; i < p->n_candidates; i++) {
        free(p->candidates[i].counts);
        planeval_result_free(p->candidates[i].result);
    }
    free(p->candidates);
    free(p);
}
