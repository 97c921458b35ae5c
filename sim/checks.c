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
    return 0;
}
