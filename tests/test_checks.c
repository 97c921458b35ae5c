#include "sim/stats/checks.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The checks on hand-built results: a results struct filled with known figures, so every
 * verdict, value, margin and window below is worked out by hand from those figures, not
 * taken from a run.
 */

/* A scenario with nothing but what the checks read. */
static scenario *new_scenario(double duration_s)
{
    scenario *sc = calloc(1, sizeof *sc);
    ck_assert_ptr_nonnull(sc);
    sc->duration_s = duration_s;
    sc->alpha = SCENARIO_DEFAULT_ALPHA;
    sc->max_failed = -1;
    sc->max_unserved = -1;
    return sc;
}

static scenario_capacity *add_capacity(scenario *sc, scenario_capacity_kind kind, double limit)
{
    sc->capacity = realloc(sc->capacity, (sc->n_capacity + 1) * sizeof *sc->capacity);
    ck_assert_ptr_nonnull(sc->capacity);
    scenario_capacity *c = &sc->capacity[sc->n_capacity++];
    memset(c, 0, sizeof *c);
    c->kind = kind;
    c->limit = limit;
    c->start_s = 0;
    c->end_s = sc->duration_s;
    return c;
}

/* Results of `bins` windows of `window_s` over `n` deployments named dep-0, dep-1, ... with
 * `name_pad` extra characters in each name. Load points are zero until a test sets them. */
static results *new_results(size_t n, size_t bins, double window_s, size_t name_pad)
{
    results *r = results_new();
    ck_assert_ptr_nonnull(r);
    r->window_s = window_s;
    r->duration_s = window_s * (double)bins;
    r->n_bins = bins;
    r->alpha = SCENARIO_DEFAULT_ALPHA;
    for (size_t k = 0; k < n; k++) {
        char name[512];
        int len = snprintf(name, sizeof name, "accounts/acme/deployments/dep-%zu", k);
        for (size_t p = 0; p < name_pad && (size_t)len + 1 < sizeof name; p++)
            name[len++] = 'x';
        name[len] = '\0';
        ck_assert_int_ge(results_name_index(&r->deployments, &r->n_deployments, name), 0);
    }
    for (size_t b = 0; b < bins; b++)
        for (size_t k = 0; k < n; k++) {
            results_load_point *p = results_add_load_point(r);
            ck_assert_ptr_nonnull(p);
            p->bin = (uint32_t)b;
            p->deployment = (uint32_t)k;
        }
    return r;
}

static results_load *window_load(results *r, size_t bin, size_t deployment)
{
    return &r->load_points[bin * r->n_deployments + deployment].load;
}

static void free_scenario(scenario *sc)
{
    free(sc->capacity);
    free(sc);
}

/* A capacity check over 30 deployments with long names describes each of them: more text
 * than any fixed buffer of the old code held. It must still be described, in full and
 * without writing past anything (ASan reported a stack-buffer-overflow here). */
START_TEST(many_deployments_do_not_overflow)
{
    scenario *sc = new_scenario(60);
    add_capacity(sc, SCENARIO_MAX_UTILIZATION, 0.9);
    results *r = new_results(30, 2, 30, 120);
    for (size_t k = 0; k < 30; k++) {
        window_load(r, 0, k)->utilization = 0.5;
        window_load(r, 1, k)->utilization = k == 29 ? 0.95 : 0.5;
    }
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    ck_assert_uint_eq(r->n_checks, 1);
    ck_assert(!r->checks[0].passed);
    /* every deployment is named in the detail, the last one too */
    for (size_t k = 0; k < 30; k++) {
        char id[32];
        snprintf(id, sizeof id, "dep-%zu", k);
        ck_assert_msg(strstr(r->checks[0].detail, id), "%s missing", id);
    }
    results_free(r);
    free_scenario(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("checks");
    TCase *tc = tcase_create("overflow");
    tcase_add_test(tc, many_deployments_do_not_overflow);
    suite_add_tcase(s, tc);
    return s;
}
