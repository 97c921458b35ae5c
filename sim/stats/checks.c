/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"

#include "sim/base/units.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A check being written: its record, and its detail text growing in a memory stream (no
 * fixed buffer, however many deployments it describes). */
typedef struct {
    results_check c;
    FILE *detail;
    size_t detail_len;
    int minimum; /* a floor: the margin is value - limit */
} draft;

static int draft_open(draft *d, results_check_kind kind, const char *key, const char *unit)
{
    memset(d, 0, sizeof *d);
    d->c.kind = kind;
    d->c.unit = unit;
    d->c.value = NAN;
    d->c.key = results_strdup(key);
    d->detail = open_memstream(&d->c.detail, &d->detail_len);
    return d->c.key && d->detail ? 0 : -1;
}

static void draft_discard(draft *d)
{
    if (d->detail)
        fclose(d->detail);
    free(d->c.name);
    free(d->c.detail);
    free(d->c.key);
    free(d->c.deployment);
    free(d->c.covers);
    free(d->c.breaches);
}

/* Move the draft into the results (which own its strings from then on). */
static int draft_commit(draft *d, results *r)
{
    int ok = d->c.name && fflush(d->detail) == 0 && !ferror(d->detail);
    ok = fclose(d->detail) == 0 && ok;
    d->detail = NULL;
    results_check *c = ok ? results_add_check(r) : NULL;
    if (!c) {
        draft_discard(d);
        return -1;
    }
    *c = d->c;
    c->passed = c->status != RESULTS_CHECK_FAIL;
    c->margin = d->minimum ? c->value - c->limit : c->limit - c->value;
    r->passed = r->passed && c->passed;
    return 0;
}

/* The results' full name of a deployment id (the one that ends in /id), or the id. */
static const char *full_name(const results *r, const char *id)
{
    size_t n = strlen(id);
    for (size_t i = 0; i < r->n_deployments; i++) {
        size_t len = strlen(r->deployments[i]);
        if (len > n && r->deployments[i][len - n - 1] == '/' &&
            strcmp(r->deployments[i] + len - n, id) == 0)
            return r->deployments[i];
    }
    return id;
}

/* The short id at the end of a full deployment name. */
static const char *id_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* "[20m, 20m30s)" */
static void interval_text(double start, double end, char *out, size_t size)
{
    char a[32], b[32];
    units_format_duration(start, a, sizeof a);
    units_format_duration(end, b, sizeof b);
    snprintf(out, size, "[%s, %s)", a, b);
}

/* ---- expect, failed and unserved requests --------------------------------------------- */

/* Observed share of each named deployment within tolerance of the expected one. The value
 * is the largest deviation, decided by the deployment farthest off. */
static int check_expect(const scenario_expect *ex, const results_window *win, results *r)
{
    draft d;
    if (draft_open(&d, RESULTS_CHECK_EXPECT, "expect", "share") != 0) {
        draft_discard(&d);
        return -1;
    }
    /* The interval in seconds, every digit kept: "[1200,1800]", "[0,0.0000001]". */
    char from[64], to[64];
    units_format_number(ex->start_s, 0, 0, from, sizeof from);
    units_format_number(ex->end_s, 0, 0, to, sizeof to);
    d.c.name = results_printf("expect %s share during [%s,%s]", ex->router, from, to);
    d.c.limit = ex->tolerance;
    d.c.start_s = ex->start_s;
    d.c.end_s = ex->end_s;
    d.c.status = RESULTS_CHECK_PASS;
    if (win->routed == 0) {
        d.c.status = RESULTS_CHECK_FAIL;
        fprintf(d.detail, "no requests were routed by %s during [%s,%s]", ex->router, from, to);
        return draft_commit(&d, r);
    }
    /* Shares with the decimals that resolve the tolerance (one past its first digit, at
     * least 4) and three significant digits, so a tiny share never prints as 0.0000. */
    int decimals = ex->tolerance > 0 ? (int)ceil(-log10(ex->tolerance) - 1e-9) + 1 : 4;
    decimals = decimals < 4 ? 4 : decimals;
    char tolerance[64];
    units_format_number(ex->tolerance, 0, 0, tolerance, sizeof tolerance);
    const char *worst = NULL;
    for (size_t k = 0; k < ex->n_shares; k++) {
        double observed = (double)win->observed[k] / (double)win->routed;
        double off = fabs(observed - ex->shares[k].share);
        int ok = off <= ex->tolerance + 1e-12;
        if (!ok)
            d.c.status = RESULTS_CHECK_FAIL;
        if (!worst || off > d.c.value) {
            d.c.value = off;
            worst = ex->shares[k].deployment;
        }
        char got[64], want[64];
        units_format_number(observed, 3, decimals, got, sizeof got);
        units_format_number(ex->shares[k].share, 3, decimals, want, sizeof want);
        fprintf(d.detail, "%s%s %s (expected %s +- %s, %llu of %llu requests)%s", k ? "; " : "",
                ex->shares[k].deployment, got, want, tolerance,
                (unsigned long long)win->observed[k], (unsigned long long)win->routed,
                ok ? "" : " OUT OF TOLERANCE");
    }
    if (worst && !(d.c.deployment = results_strdup(full_name(r, worst)))) {
        draft_discard(&d);
        return -1;
    }
    return draft_commit(&d, r);
}

/* A bound on a count of the whole run: failed or unserved requests. */
static int check_count(results *r, results_check_kind kind, const char *key, uint64_t count,
                       long long limit, const char *detail)
{
    draft d;
    if (draft_open(&d, kind, key, "requests") != 0) {
        draft_discard(&d);
        return -1;
    }
    d.c.name = results_strdup(key);
    d.c.value = (double)count;
    d.c.limit = (double)limit;
    d.c.start_s = 0;
    d.c.end_s = r->duration_s;
    d.c.status = count <= (uint64_t)limit ? RESULTS_CHECK_PASS : RESULTS_CHECK_FAIL;
    fprintf(d.detail, "%s; at most %lld allowed", detail, limit);
    return draft_commit(&d, r);
}

static int check_failures(const scenario *sc, results *r)
{
    char detail[256];
    snprintf(detail, sizeof detail,
             "%llu failed (router_not_found %llu, no_replicas %llu, forbidden %llu)",
             (unsigned long long)r->failed,
             (unsigned long long)r->failed_by_reason[RESULTS_ROUTER_NOT_FOUND],
             (unsigned long long)r->failed_by_reason[RESULTS_NO_REPLICAS],
             (unsigned long long)r->failed_by_reason[RESULTS_FORBIDDEN]);
    return check_count(r, RESULTS_CHECK_FAILED, "max_failed_requests", r->failed, sc->max_failed,
                       detail);
}

static int check_unserved(const scenario *sc, results *r)
{
    char detail[256];
    snprintf(detail, sizeof detail,
             "%llu routed but not served (rejected %llu, timed_out %llu, "
             "unfinished %llu)",
             (unsigned long long)r->unserved,
             (unsigned long long)r->unserved_by_reason[RESULTS_REJECTED],
             (unsigned long long)r->unserved_by_reason[RESULTS_TIMED_OUT],
             (unsigned long long)r->unserved_by_reason[RESULTS_UNFINISHED]);
    return check_count(r, RESULTS_CHECK_UNSERVED, "max_unserved_requests", r->unserved,
                       sc->max_unserved, detail);
}

/* ---- capacity --------------------------------------------------------------------------- */

static int sums(const scenario_capacity *c)
{
    return c->kind == SCENARIO_MAX_REJECTED || c->kind == SCENARIO_MAX_TIMED_OUT;
}

static const results_quantiles *quantiles_of(scenario_capacity_kind kind, const results_load *l)
{
    return kind == SCENARIO_MAX_WAIT             ? &l->wait
           : kind == SCENARIO_MAX_CALLER_LATENCY ? &l->caller
           : kind == SCENARIO_MAX_TTFT           ? &l->ttft
           : kind == SCENARIO_MAX_TPOT           ? &l->tpot
                                                 : &l->latency;
}

static double statistic_of(const results_quantiles *q, scenario_statistic s)
{
    const double values[SCENARIO_N_STATISTICS] = {q->mean_s, q->p50_s, q->p90_s,
                                                  q->p95_s,  q->p99_s, q->p999_s};
    return values[s];
}

/* The check's figure in one load (a window's or an interval's) into *value. Returns 1 when
 * it can be judged, 0 when it rests on too few requests. */
static int figure_of(const scenario_capacity *c, const results_load *l, double *value)
{
    switch (c->kind) {
    case SCENARIO_MAX_UTILIZATION:
        *value = l->utilization;
        return 1;
    case SCENARIO_MAX_REJECTED:
        *value = (double)l->rejected;
        return 1;
    case SCENARIO_MAX_TIMED_OUT:
        *value = (double)l->timed_out;
        return 1;
    case SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND:
        *value = l->output_tokens_per_s;
        return 1;
    case SCENARIO_MIN_THROUGHPUT:
        *value = l->throughput_per_s;
        return 1;
    default:
        break;
    }
    const results_quantiles *q = quantiles_of(c->kind, l);
    *value = statistic_of(q, c->statistic);
    return q->count > 0 && q->count >= c->min_requests;
}

/* One deployment's record against the check: its total (for sums), its worst (the highest,
 * for a floor the lowest) and first window (or interval) beyond the limit, and how many
 * were judged or had too few requests. */
typedef struct {
    int seen;
    uint64_t requests; /* an interval's measured requests, for the text */
    double sum, worst, worst_start, worst_end, first, first_start, first_end;
    size_t judged, too_few, breaches;
} record;

static int minimum(const scenario_capacity *c)
{
    return scenario_capacity_is_minimum(c->kind);
}

/* Is a worse than b? Higher, or for a floor lower. */
static int worse(const scenario_capacity *c, double a, double b)
{
    return minimum(c) ? a < b : a > b;
}

static int is_breach(const scenario_capacity *c, double value)
{
    return !sums(c) && (minimum(c) ? value < c->limit - 1e-12 : value > c->limit + 1e-12);
}

/* Fold one judged (or too-few) figure into a deployment's record; a breach is also
 * appended to the check's list, for the views that show capacity per phase. */
static int fold(const scenario_capacity *c, draft *d, record *rec, uint32_t deployment,
                double start, double end, double value, int judged)
{
    rec->seen = 1;
    if (!judged) {
        rec->too_few++;
        return 0;
    }
    rec->sum += value;
    if (rec->judged++ == 0 || worse(c, value, rec->worst)) {
        rec->worst = value;
        rec->worst_start = start;
        rec->worst_end = end;
    }
    if (!is_breach(c, value))
        return 0;
    if (rec->breaches++ == 0) {
        rec->first = value;
        rec->first_start = start;
        rec->first_end = end;
    }
    results_breach *b = results_add_breach(&d->c);
    if (!b)
        return -1;
    *b = (results_breach){deployment, start, end, value};
    return 0;
}

static int in_scope(const scenario_capacity *c, const results *r, uint32_t deployment)
{
    return !c->deployment[0] || strcmp(id_of(r->deployments[deployment]), c->deployment) == 0;
}

/* The windows of the time series that overlap [from, to): where interval figures come from. */
static void covered_windows(const results *r, double from, double to, double *start, double *end)
{
    *start = floor(from / r->window_s) * r->window_s;
    *end = fmin(ceil(to / r->window_s) * r->window_s, r->duration_s);
    if (*end <= *start)
        *end = fmin(*start + r->window_s, r->duration_s);
}

/* Fill records[] (one per results deployment) from every window in scope, or from the
 * whole-interval loads of check `index`. */
static int gather(const scenario_capacity *c, size_t index, const results *r, draft *d,
                  record *records)
{
    if (c->over == SCENARIO_OVER_INTERVAL && !sums(c)) {
        double start, end;
        covered_windows(r, c->start_s, c->end_s, &start, &end);
        for (size_t i = 0; i < r->n_interval_loads; i++) {
            const results_interval_load *il = &r->interval_loads[i];
            if (il->check != index || !in_scope(c, r, il->deployment))
                continue;
            double value;
            int judged = figure_of(c, &il->load, &value);
            records[il->deployment].requests = quantiles_of(c->kind, &il->load)->count;
            if (fold(c, d, &records[il->deployment], il->deployment, start, end, value, judged))
                return -1;
        }
        return 0;
    }
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        double start = (double)p->bin * r->window_s;
        double end = fmin(start + r->window_s, r->duration_s);
        if (start >= c->end_s || end <= c->start_s || !in_scope(c, r, p->deployment))
            continue;
        double value;
        int judged = figure_of(c, &p->load, &value);
        if (fold(c, d, &records[p->deployment], p->deployment, start, end, value, judged) != 0)
            return -1;
    }
    return 0;
}

/* A figure as a person reads it: a percentage, a latency, a count, a rate. */
static void figure_text(const scenario_capacity *c, double value, char *out, size_t size)
{
    if (c->kind == SCENARIO_MAX_UTILIZATION)
        snprintf(out, size, "%.1f%%", 100 * value);
    else if (c->kind == SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND)
        snprintf(out, size, "%.*f tokens/s", value < 100 ? 1 : 0, value);
    else if (c->kind == SCENARIO_MIN_THROUGHPUT)
        units_format_rate(units_round_significant(value, 3), out, size);
    else if (sums(c))
        snprintf(out, size, "%.0f", value);
    else
        units_format_duration(units_round_significant(value, 3), out, size);
}

/* "utilization", "p99 latency", "mean wait", "p99.9 caller latency", "rejected requests",
 * "p99 TTFT", "output tokens per second" */
static void what_text(const scenario_capacity *c, char *out, size_t size)
{
    static const char *const figures[SCENARIO_N_CAPACITY_KINDS] = {
        "utilization",        "latency", "wait", "caller latency",           "rejected requests",
        "timed-out requests", "TTFT",    "TPOT", "output tokens per second", "throughput"};
    static const char *const statistics[SCENARIO_N_STATISTICS] = {"mean", "p50", "p90",
                                                                  "p95",  "p99", "p99.9"};
    if (scenario_capacity_has_statistic(c->kind))
        snprintf(out, size, "%s %s", statistics[c->statistic], figures[c->kind]);
    else
        snprintf(out, size, "%s", figures[c->kind]);
}

static void describe_record(const scenario_capacity *c, const char *name, const record *rec,
                            FILE *out)
{
    char what[64], first[32], worst[32], limit[32], first_w[80], worst_w[80];
    what_text(c, what, sizeof what);
    figure_text(c, rec->first, first, sizeof first);
    figure_text(c, rec->worst, worst, sizeof worst);
    figure_text(c, c->limit, limit, sizeof limit);
    interval_text(rec->first_start, rec->first_end, first_w, sizeof first_w);
    interval_text(rec->worst_start, rec->worst_end, worst_w, sizeof worst_w);
    const char *id = id_of(name);
    if (sums(c))
        fprintf(out, "%s: %.0f %s, most in %s: %s", id, rec->sum, what, worst_w, worst);
    else if (c->over == SCENARIO_OVER_INTERVAL && rec->judged && minimum(c))
        fprintf(out, "%s: %s %s over %s%s", id, what, worst, worst_w,
                rec->breaches ? ", UNDER THE LIMIT" : "");
    else if (c->over == SCENARIO_OVER_INTERVAL && rec->judged)
        fprintf(out, "%s: %s %s over %s (%llu requests)%s", id, what, worst, worst_w,
                (unsigned long long)rec->requests, rec->breaches ? ", OVER THE LIMIT" : "");
    else if (c->over == SCENARIO_OVER_INTERVAL)
        fprintf(out, "%s: too few requests to judge (%llu, fewer than %llu)", id,
                (unsigned long long)rec->requests, (unsigned long long)c->min_requests);
    else if (rec->breaches)
        fprintf(out, "%s: %s %s in %s, the first of %zu windows %s %s (%s %s in %s)", id, what,
                first, first_w, rec->breaches, minimum(c) ? "under" : "over", limit,
                minimum(c) ? "lowest" : "worst", worst, worst_w);
    else if (rec->judged)
        fprintf(out, "%s: %s at %s %s (in %s)", id, what, minimum(c) ? "least" : "most", worst,
                worst_w);
    else
        fprintf(out, "%s: too few requests to judge in every window (fewer than %llu)", id,
                (unsigned long long)c->min_requests);
    if (c->over == SCENARIO_OVER_WINDOW && rec->too_few && rec->judged)
        fprintf(out, ", %zu windows with too few requests (fewer than %llu) not judged",
                rec->too_few, (unsigned long long)c->min_requests);
}

static char *capacity_name(const scenario_capacity *c, const results *r)
{
    char what[64], limit[32], during[96] = "";
    what_text(c, what, sizeof what);
    figure_text(c, c->limit, limit, sizeof limit);
    if (c->start_s > 0 || c->end_s < r->duration_s) {
        char from[32], to[32];
        units_format_duration(c->start_s, from, sizeof from);
        units_format_duration(c->end_s, to, sizeof to);
        snprintf(during, sizeof during, " during [%s, %s]", from, to);
    }
    return results_printf(
        "%s %s %s%s for %s%s", minimum(c) ? "min" : "max", what, limit,
        c->over == SCENARIO_OVER_INTERVAL && !sums(c) ? " over the whole interval" : "",
        c->deployment[0] ? c->deployment : "every deployment with a serving model", during);
}

/* The verdict and the figure that decided it: the first breach (earliest window, then the
 * first deployment), else the worst judged figure; sums decide on their total. */
static void decide(const scenario_capacity *c, const results *r, const record *records, draft *d)
{
    long decided = -1;
    size_t seen = 0, judged = 0, too_few = 0, breaches = 0;
    double total = 0;
    for (size_t k = 0; k < r->n_deployments; k++) {
        const record *rec = &records[k];
        if (!rec->seen)
            continue;
        seen++;
        judged += rec->judged;
        too_few += rec->too_few;
        breaches += rec->breaches;
        total += rec->sum;
        int better = decided < 0;
        if (!better && rec->breaches)
            better = !records[decided].breaches || rec->first_start < records[decided].first_start;
        else if (!better && rec->judged && !records[decided].breaches)
            better = !records[decided].judged || worse(c, rec->worst, records[decided].worst);
        if (better)
            decided = (long)k;
    }
    d->c.judged = judged;
    d->c.too_few = too_few;
    d->c.start_s = c->start_s;
    d->c.end_s = c->end_s;
    if (seen == 0) {
        d->c.status = RESULTS_CHECK_FAIL;
        return;
    }
    if (sums(c)) {
        d->c.value = total;
        d->c.status = total <= c->limit ? RESULTS_CHECK_PASS : RESULTS_CHECK_FAIL;
        return;
    }
    const record *rec = &records[decided];
    d->c.status = breaches ? RESULTS_CHECK_FAIL
                  : judged ? RESULTS_CHECK_PASS
                           : RESULTS_CHECK_TOO_FEW;
    if (d->c.status == RESULTS_CHECK_TOO_FEW)
        return;
    d->c.deployment = (char *)r->deployments[decided]; /* copied by the caller */
    d->c.value = breaches ? rec->first : rec->worst;
    d->c.start_s = breaches ? rec->first_start : rec->worst_start;
    d->c.end_s = breaches ? rec->first_end : rec->worst_end;
}

/* Sums that fail list the windows that added to them, so every phase they touch shows it. */
static int list_contributions(const scenario_capacity *c, const results *r, draft *d)
{
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        double start = (double)p->bin * r->window_s;
        double end = fmin(start + r->window_s, r->duration_s), value;
        if (start >= c->end_s || end <= c->start_s || !in_scope(c, r, p->deployment))
            continue;
        figure_of(c, &p->load, &value);
        if (value <= 0)
            continue;
        results_breach *b = results_add_breach(&d->c);
        if (!b)
            return -1;
        *b = (results_breach){p->deployment, start, end, value};
    }
    return 0;
}

static int check_capacity(const scenario_capacity *c, size_t index, results *r)
{
    static const char *const units[SCENARIO_N_CAPACITY_KINDS] = {
        "fraction", "s", "s", "s", "requests", "requests", "s", "s", "tokens/s", "requests/s"};
    char key[64];
    scenario_capacity_key(c, key, sizeof key);
    draft d;
    record *records = calloc(r->n_deployments ? r->n_deployments : 1, sizeof *records);
    if (!records || draft_open(&d, RESULTS_CHECK_CAPACITY, key, units[c->kind]) != 0) {
        free(records);
        draft_discard(&d);
        return -1;
    }
    d.minimum = minimum(c);
    d.c.name = capacity_name(c, r);
    d.c.limit = c->limit;
    d.c.capacity = index;
    d.c.from_s = c->start_s;
    d.c.to_s = c->end_s;
    d.c.over_interval = c->over == SCENARIO_OVER_INTERVAL && !sums(c);
    d.c.min_requests = scenario_capacity_has_statistic(c->kind) ? c->min_requests : 0;
    if ((c->deployment[0] && !(d.c.covers = results_strdup(c->deployment))) ||
        gather(c, index, r, &d, records) != 0) {
        free(records);
        draft_discard(&d);
        return -1;
    }
    decide(c, r, records, &d);
    const char *decided = d.c.deployment;
    d.c.deployment = NULL;
    int rc = decided && !(d.c.deployment = results_strdup(decided)) ? -1 : 0;
    if (rc == 0 && sums(c) && d.c.status == RESULTS_CHECK_FAIL)
        rc = list_contributions(c, r, &d);
    size_t described = 0;
    for (size_t k = 0; k < r->n_deployments; k++)
        if (records[k].seen) {
            fputs(described++ ? "; " : "", d.detail);
            describe_record(c, r->deployments[k], &records[k], d.detail);
        }
    if (described == 0)
        fputs("no serving measurements in the checked interval", d.detail);
    else if (sums(c))
        fprintf(d.detail, "; %.0f in all, at most %g allowed", d.c.value, c->limit);
    free(records);
    if (rc != 0) {
        draft_discard(&d);
        return -1;
    }
    return draft_commit(&d, r);
}

/* ---- phases ------------------------------------------------------------------------------ */

/* A phase whose verdict came from its p-value (not skipped, not a single deployment). */
static int tested(const results_phase *ph)
{
    return ph->test.verdict != SPLITTEST_SKIPPED && (ph->test.df > 0 || ph->test.p_value == 0);
}

/* Holm's correction over the run's phase tests: a phase fails only when its p-value is
 * below its step-down threshold, so the chance that any phase of a correct router fails
 * stays at alpha however many phases the run has. The corrected verdict is written beside
 * the engine's test, which keeps what was measured. */
static int correct_phases(results *r)
{
    size_t m = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        m += tested(&r->phases[i]);
    double *p = malloc((m ? m : 1) * sizeof *p);
    int *reject = malloc((m ? m : 1) * sizeof *reject);
    if (!p || !reject) {
        free(p);
        free(reject);
        return -1;
    }
    size_t k = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        if (tested(&r->phases[i]))
            p[k++] = r->phases[i].test.p_value;
    int rc = splittest_holm(m, p, r->alpha, reject);
    k = 0;
    for (size_t i = 0; rc == 0 && i < r->n_phases; i++) {
        results_phase *ph = &r->phases[i];
        if (!tested(ph))
            continue;
        ph->corrected = 1;
        ph->holm_verdict = reject[k++] ? SPLITTEST_FAIL : SPLITTEST_PASS;
    }
    r->holm_tests = m;
    free(p);
    free(reject);
    return rc;
}

int checks_evaluate(const scenario *sc, results *r)
{
    r->passed = 1;
    r->holm = sc->holm;
    if (sc->holm && correct_phases(r) != 0)
        return -1;
    for (size_t i = 0; i < r->n_phases; i++)
        if (results_phase_verdict(&r->phases[i]) == SPLITTEST_FAIL)
            r->passed = 0;
    for (size_t i = 0; i < r->n_windows; i++)
        if (check_expect(&sc->expect[r->windows[i].expect], &r->windows[i], r) != 0)
            return -1;
    if (sc->max_failed >= 0 && check_failures(sc, r) != 0)
        return -1;
    if (sc->max_unserved >= 0 && check_unserved(sc, r) != 0)
        return -1;
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (check_capacity(&sc->capacity[i], i, r) != 0)
            return -1;
    return 0;
}
