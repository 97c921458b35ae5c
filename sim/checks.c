#include "sim/checks.h"

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
    char *name = results_printf("expect %s share during [%g,%g]", ex->router, ex->start_s,
                                ex->end_s);
    if (win->routed == 0)
        return add_check(r, name, 0,
                         results_printf("no requests were routed by %s during [%g,%g]",
                                        ex->router, ex->start_s, ex->end_s));
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
                       (unsigned long long)r->failed_by_reason[RESULTS_FORBIDDEN],
                       sc->max_failed));
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

/* Utilisation and p99 latency must hold in every bin of the interval (the worst bin is
 * named); rejected and timed-out requests are summed over it. Bins count when they overlap
 * the interval. */
static int check_capacity(const scenario_capacity *c, results *r)
{
    static const char *const what[] = {"utilization", "p99 latency", "rejected requests",
                                       "timed-out requests"};
    static const char *const units[] = {"", "s", "", ""};
    double worst = 0, sum = 0, worst_start = 0;
    const char *worst_name = NULL;
    size_t seen = 0;
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        const char *name = r->deployments[p->deployment];
        double start = (double)p->bin * r->window_s;
        double end = start + r->window_s < r->duration_s ? start + r->window_s : r->duration_s;
        if (start >= c->end_s || end <= c->start_s ||
            (c->deployment[0] && strcmp(id_of(name), c->deployment) != 0))
            continue;
        double figure = bin_figure(c->kind, &p->load);
        seen++;
        sum += figure;
        if (!worst_name || figure > worst) {
            worst = figure;
            worst_name = name;
            worst_start = start;
        }
    }
    const char *scope = c->deployment[0] ? c->deployment : "every deployment with a serving model";
    char *name = results_printf("max %s %g%s for %s during [%g,%g]", what[c->kind], c->limit,
                                units[c->kind], scope, c->start_s, c->end_s);
    if (seen == 0)
        return add_check(r, name, 0,
                         results_printf("no serving measurements for %s during [%g,%g]", scope,
                                        c->start_s, c->end_s));
    if (capacity_sums(c->kind))
        return add_check(r, name, sum <= c->limit,
                         results_printf("%.0f %s in all (at most %g allowed); the most in one "
                                        "window: %.0f, %s in [%g,%g)",
                                        sum, what[c->kind], c->limit, worst, id_of(worst_name),
                                        worst_start, worst_start + r->window_s));
    int passed = worst <= c->limit + 1e-12;
    return add_check(r, name, passed,
                     results_printf("%s: %s %.3g%s in [%gs, %gs)%s (limit %g%s)",
                                    id_of(worst_name), what[c->kind], worst, units[c->kind],
                                    worst_start, fmin(worst_start + r->window_s, r->duration_s),
                                    passed ? " at worst" : "", c->limit, units[c->kind]));
}

int checks_evaluate(const scenario *sc, results *r)
{
    r->passed = 1;
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
