/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

static int add_check(results *r, char *name, int passed, char *detail)
{
    results_check *c = results_add_check(r);
    if (!c || !name || !detail) {
        free(name);
        free(detail);
        return -1;
    }
    c->name = name;
    c->passed = passed;
    c->detail = detail;
    r->passed = r->passed && passed;
    return 0;
}

/* Observed share of each named deployment within tolerance of the expected one. */
static int check_expect(const scenario_expect *ex, const results_window *win, results *r)
{
    char *name =
        results_printf("expect %s share during [%g,%g]", ex->router, ex->start_s, ex->end_s);
    if (win->routed == 0)
        return add_check(r, name, 0,
                         results_printf("no requests were routed by %s during [%g,%g]", ex->router,
                                        ex->start_s, ex->end_s));
    char detail[2048] = "";
    int passed = 1;
    for (size_t k = 0; k < ex->n_shares; k++) {
        double observed = (double)win->observed[k] / (double)win->routed;
        double off = fabs(observed - ex->shares[k].share);
        int ok = off <= ex->tolerance + 1e-12;
        passed = passed && ok;
        size_t used = strlen(detail);
        snprintf(detail + used, sizeof detail - used,
                 "%s%s %.4f (expected %.4f +- %g, %llu of %llu requests)%s", k ? "; " : "",
                 ex->shares[k].deployment, observed, ex->shares[k].share, ex->tolerance,
                 (unsigned long long)win->observed[k], (unsigned long long)win->routed,
                 ok ? "" : " OUT OF TOLERANCE");
    }
    return add_check(r, name, passed, results_strdup(detail));
}

static int check_failures(const scenario *sc, results *r)
{
    int passed = r->failed <= (uint64_t)sc->max_failed;
    return add_check(
        r, results_strdup("max_failed_requests"), passed,
        results_printf("%llu failed (router_not_found %llu, no_replicas %llu, forbidden %llu); "
                       "at most %lld allowed",
                       (unsigned long long)r->failed,
                       (unsigned long long)r->failed_by_reason[RESULTS_ROUTER_NOT_FOUND],
                       (unsigned long long)r->failed_by_reason[RESULTS_NO_REPLICAS],
                       (unsigned long long)r->failed_by_reason[RESULTS_FORBIDDEN], sc->max_failed));
}

/* The short id at the end of a full deployment name. */
static const char *id_of(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* The figure a capacity check limits, in one bin. */
static double bin_figure(scenario_capacity_kind kind, const results_load *load)
{
    switch (kind) {
    case SCENARIO_MAX_UTILIZATION:
        return load->utilization;
    case SCENARIO_MAX_P99_LATENCY:
        return load->p99_s;
    case SCENARIO_MAX_REJECTED:
        return (double)load->rejected;
    case SCENARIO_MAX_TIMED_OUT:
        break;
    }
    return (double)load->timed_out;
}

static int capacity_sums(scenario_capacity_kind kind)
{
    return kind == SCENARIO_MAX_REJECTED || kind == SCENARIO_MAX_TIMED_OUT;
}

/* One deployment's record against a capacity limit over the check's interval. */
typedef struct {
    const char *name;
    double sum, worst, worst_start, first_start, first;
    size_t windows, breaches;
} capacity_record;

static int in_scope(const scenario_capacity *c, const results *r, const results_load_point *p)
{
    double start = (double)p->bin * r->window_s;
    double end = fmin(start + r->window_s, r->duration_s);
    return start < c->end_s && end > c->start_s &&
           (!c->deployment[0] || strcmp(id_of(r->deployments[p->deployment]), c->deployment) == 0);
}

/* Gather each deployment's windows in scope: totals, worst and first window over the limit.
 * Returns how many deployments were seen (records has room for all of results.deployments). */
static size_t gather(const scenario_capacity *c, const results *r, capacity_record *records)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        if (!in_scope(c, r, p))
            continue;
        size_t k = 0;
        while (k < n && records[k].name != r->deployments[p->deployment])
            k++;
        if (k == n)
            records[n++] = (capacity_record){.name = r->deployments[p->deployment]};
        capacity_record *rec = &records[k];
        double figure = bin_figure(c->kind, &p->load), start = (double)p->bin * r->window_s;
        rec->sum += figure;
        if (rec->windows++ == 0 || figure > rec->worst) {
            rec->worst = figure;
            rec->worst_start = start;
        }
        if (!capacity_sums(c->kind) && figure > c->limit + 1e-12 && rec->breaches++ == 0) {
            rec->first = figure;
            rec->first_start = start;
        }
    }
    return n;
}

/* A capacity figure as a person reads it: a percentage, a latency, a count. */
static void figure_text(scenario_capacity_kind kind, double value, char *out, size_t size)
{
    if (kind == SCENARIO_MAX_UTILIZATION)
        snprintf(out, size, "%.1f%%", 100 * value);
    else if (kind == SCENARIO_MAX_P99_LATENCY)
        snprintf(out, size, "%.3gs", value);
    else
        snprintf(out, size, "%.0f", value);
}

/* "[20m, 20m30s)": the window of the time series that starts at `start`. */
static void window_text(const results *r, double start, char *out, size_t size)
{
    char a[32], b[32];
    units_format_duration(start, a, sizeof a);
    units_format_duration(fmin(start + r->window_s, r->duration_s), b, sizeof b);
    snprintf(out, size, "[%s, %s)", a, b);
}

static void describe_record(const scenario_capacity *c, const results *r,
                            const capacity_record *rec, char *out, size_t size)
{
    static const char *const what[] = {"utilization", "p99 latency", "rejected requests",
                                       "timed-out requests"};
    char first[32], worst[32], limit[32], first_w[80], worst_w[80];
    figure_text(c->kind, rec->first, first, sizeof first);
    figure_text(c->kind, rec->worst, worst, sizeof worst);
    figure_text(c->kind, c->limit, limit, sizeof limit);
    window_text(r, rec->first_start, first_w, sizeof first_w);
    window_text(r, rec->worst_start, worst_w, sizeof worst_w);
    if (capacity_sums(c->kind))
        snprintf(out, size, "%s: %.0f %s, most in %s: %s", id_of(rec->name), rec->sum,
                 what[c->kind], worst_w, worst);
    else if (rec->breaches)
        snprintf(out, size, "%s: %s %s in %s, the first of %zu windows over %s (worst %s in %s)",
                 id_of(rec->name), what[c->kind], first, first_w, rec->breaches, limit, worst,
                 worst_w);
    else
        snprintf(out, size, "%s: %s at most %s (in %s)", id_of(rec->name), what[c->kind], worst,
                 worst_w);
}

static char *capacity_name(const scenario_capacity *c, const results *r)
{
    static const char *const what[] = {"utilization", "p99 latency", "rejected requests",
                                       "timed-out requests"};
    char limit[32], from[32], to[32], during[96] = "";
    figure_text(c->kind, c->limit, limit, sizeof limit);
    units_format_duration(c->start_s, from, sizeof from);
    units_format_duration(c->end_s, to, sizeof to);
    if (c->start_s > 0 || c->end_s < r->duration_s)
        snprintf(during, sizeof during, " during [%s, %s]", from, to);
    return results_printf(
        "max %s %s for %s%s", what[c->kind], limit,
        c->deployment[0] ? c->deployment : "every deployment with a serving model", during);
}

/* Utilisation and p99 latency must hold in every window of the interval; rejected and
 * timed-out requests are summed over it. Windows count when they overlap the interval.
 * A failure names, per deployment, the first window over the limit: where to look. */
/* The limit, for the plots. */
static int note_limit(const scenario_capacity *c, results *r)
{
    static const results_limit_kind kinds[] = {
        [SCENARIO_MAX_UTILIZATION] = RESULTS_LIMIT_UTILIZATION,
        [SCENARIO_MAX_P99_LATENCY] = RESULTS_LIMIT_P99_LATENCY,
        [SCENARIO_MAX_REJECTED] = RESULTS_LIMIT_REJECTED,
        [SCENARIO_MAX_TIMED_OUT] = RESULTS_LIMIT_TIMED_OUT};
    results_limit *l = results_add_limit(r);
    if (!l)
        return -1;
    l->kind = kinds[c->kind];
    l->limit = c->limit;
    l->start_s = c->start_s;
    l->end_s = c->end_s;
    return c->deployment[0] && !(l->deployment = results_strdup(c->deployment)) ? -1 : 0;
}

static int check_capacity(const scenario_capacity *c, results *r)
{
    if (note_limit(c, r) != 0)
        return -1;
    char *name = capacity_name(c, r);
    capacity_record *records = calloc(r->n_deployments ? r->n_deployments : 1, sizeof *records);
    if (!records) {
        free(name);
        return -1;
    }
    size_t n = gather(c, r, records);
    double total = 0;
    int passed = n > 0;
    for (size_t k = 0; k < n; k++) {
        total += records[k].sum;
        passed = passed && records[k].breaches == 0;
    }
    if (capacity_sums(c->kind))
        passed = n > 0 && total <= c->limit;
    char detail[2048] = "";
    if (n == 0)
        snprintf(detail, sizeof detail, "no serving measurements in the checked interval");
    for (size_t k = 0; k < n; k++) {
        size_t used = strlen(detail);
        if (k)
            used += (size_t)snprintf(detail + used, sizeof detail - used, "; ");
        describe_record(c, r, &records[k], detail + used, sizeof detail - used);
    }
    if (capacity_sums(c->kind) && n > 0) {
        size_t used = strlen(detail);
        snprintf(detail + used, sizeof detail - used, "; %.0f in all, at most %g allowed", total,
                 c->limit);
    }
    free(records);
    return add_check(r, name, passed, results_strdup(detail));
}

/* A phase whose verdict came from its p-value (not skipped, not a single deployment). */
static int tested(const results_phase *ph)
{
    return ph->test.verdict != SPLITTEST_SKIPPED && (ph->test.df > 0 || ph->test.p_value == 0);
}

/* Holm's correction over the run's phase tests: a phase fails only when its p-value is
 * below its step-down threshold, so the chance that any phase of a correct router fails
 * stays at alpha however many phases the run has. */
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
        splittest_result *t = &r->phases[i].test;
        if (!tested(&r->phases[i]))
            continue;
        if (t->verdict == SPLITTEST_FAIL && !reject[k])
            snprintf(t->reason, sizeof t->reason,
                     "p = %.3g is below alpha but not below its Holm threshold over %zu phase "
                     "tests",
                     t->p_value, m);
        t->verdict = reject[k++] ? SPLITTEST_FAIL : SPLITTEST_PASS;
    }
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
        if (r->phases[i].test.verdict == SPLITTEST_FAIL)
            r->passed = 0;
    for (size_t i = 0; i < r->n_windows; i++)
        if (check_expect(&sc->expect[r->windows[i].expect], &r->windows[i], r) != 0)
            return -1;
    if (sc->max_failed >= 0 && check_failures(sc, r) != 0)
        return -1;
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (check_capacity(&sc->capacity[i], r) != 0)
            return -1;
    return 0;
}
