/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/sensitivity.h"

#include "sim/load/scenario_load.h"
#include "sim/load/uncertain.h"
#include "sim/stats/replicate.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A check's replications at one value, as they are folded. */
typedef struct {
    size_t passes, n, judged;
    double sum, limit;
} tally;

typedef struct {
    sensitivity_result *res;
    int discover; /* the nominal run: its first replication names the checks */
    tally *tallies;
} point_run;

static int add_check(sensitivity_result *res, const char *name, const char *key, const char *unit)
{
    sensitivity_check *grown = realloc(res->checks, (res->n_checks + 1) * sizeof *grown);
    if (!grown)
        return -1;
    res->checks = grown;
    sensitivity_check *c = &res->checks[res->n_checks];
    memset(c, 0, sizeof *c);
    c->unit = unit;
    if (!(c->name = strdup(name)) || !(c->key = strdup(key))) {
        free(c->name);
        return -1;
    }
    res->n_checks++;
    return 0;
}

/* The checks, "the run" first, from the nominal run's first replication. */
static int discover_checks(point_run *pr, const results *r)
{
    if (add_check(pr->res, "the run", "run", "") != 0)
        return -1;
    for (size_t i = 0; i < r->n_checks; i++)
        if (add_check(pr->res, r->checks[i].name, r->checks[i].key, r->checks[i].unit) != 0)
            return -1;
    pr->tallies = calloc(pr->res->n_checks, sizeof *pr->tallies);
    return pr->tallies ? 0 : -1;
}

static replicate_next fold(void *ctx, size_t index, uint64_t seed, results **rp, char *err,
                           size_t errlen)
{
    (void)seed;
    point_run *pr = ctx;
    const results *r = *rp;
    if (pr->discover && index == 0 && discover_checks(pr, r) != 0) {
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    tally *t = pr->tallies;
    t[0].limit = NAN; /* the run has no limit of its own */
    t[0].n++;
    t[0].passes += r->passed != 0;
    /* Checks are matched by name: one the nominal run did not have is not followed. */
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        for (size_t j = 1; j < pr->res->n_checks; j++) {
            if (strcmp(pr->res->checks[j].name, c->name) != 0)
                continue;
            t[j].n++;
            t[j].passes += c->status != RESULTS_CHECK_FAIL;
            t[j].limit = c->limit;
            if (c->status != RESULTS_CHECK_TOO_FEW && isfinite(c->value)) {
                t[j].judged++;
                t[j].sum += c->value;
            }
            break;
        }
    }
    return REPLICATE_CONTINUE;
}

static void outcome_of(const sensitivity_result *res, const tally *t, sensitivity_outcome *o)
{
    o->present = t->n > 0;
    o->passes = t->passes;
    o->n = t->n;
    o->pass = o->present && replicas_decide(&res->rule, t->passes, t->n, t->n) == REPLICAS_PASS;
    o->mean = t->judged ? t->sum / (double)t->judged : NAN;
    o->limit = t->n ? t->limit : NAN;
}

/* A scenario with the options' overrides and then `extra`, for checking and naming. */
static scenario *load_with(const sensitivity_options *opt, const char *const *extra, size_t n_extra,
                           char *err, size_t errlen)
{
    const char **all = malloc((opt->n_sets + n_extra + 1) * sizeof *all);
    if (!all) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < opt->n_sets; i++)
        all[i] = opt->sets[i];
    for (size_t i = 0; i < n_extra; i++)
        all[opt->n_sets + i] = extra[i];
    scenario *sc = scenario_load_set(opt->path, all, opt->n_sets + n_extra, err, errlen);
    free(all);
    return sc;
}

/* One replicated run with `extra` overrides; out[check] for every known check. *invalid when
 * the overrides make the scenario invalid. */
static int run_point(const sensitivity_options *opt, sensitivity_result *res, int discover,
                     const char *const *extra, size_t n_extra, sensitivity_outcome *out,
                     int *invalid, char *err, size_t errlen)
{
    scenario *sc = load_with(opt, extra, n_extra, err, errlen);
    if (!sc) {
        *invalid = 1;
        return -1;
    }
    point_run pr = {.res = res, .discover = discover};
    if (!discover && !(pr.tallies = calloc(res->n_checks, sizeof *pr.tallies))) {
        scenario_free(sc);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    replicate_options ro = {.seed = opt->seed,
                            .replications = opt->replications,
                            .jobs = opt->jobs,
                            .rank = 0,
                            .ranks = 1};
    char why[1024];
    int rc = replicate_run(sc, &ro, fold, &pr, why, sizeof why);
    if (rc != 0)
        snprintf(err, errlen, "%s: %s", opt->path, why);
    if (rc == 0 && discover && !res->scenario && !(res->scenario = strdup(sc->name))) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    scenario_free(sc);
    /* The nominal run's outcomes are the checks' own: `out` is unused then. */
    for (size_t j = 0; rc == 0 && j < res->n_checks; j++)
        outcome_of(res, &pr.tallies[j], discover ? &res->checks[j].nominal : &out[j]);
    free(pr.tallies);
    res->runs++;
    return rc;
}

/* Each parameter must apply at both ends before anything is simulated: an error names the
 * uncertainty entry (or the --vary flag) that caused it. */
static int check_params(const sensitivity_options *opt, char *err, size_t errlen)
{
    for (size_t p = 0; p < opt->n_params; p++) {
        const scenario_uncertain *u = &opt->params[p];
        for (int end = 0; end < 2; end++) {
            char set[1024], why[1024];
            uncertain_assignment(set, sizeof set, u->key, end ? u->high : u->low, u->unit);
            const char *extra[1] = {set};
            scenario *sc = load_with(opt, extra, 1, why, sizeof why);
            if (sc) {
                scenario_free(sc);
                continue;
            }
            if (u->line > 0)
                snprintf(err, errlen, "%s:%d:%d: uncertainty %s: at its %s value: %s", opt->path,
                         u->line, u->column, u->key, end ? "high" : "low", why);
            else
                snprintf(err, errlen, "--vary %s: at its %s value: %s", u->key,
                         end ? "high" : "low", why);
            return -1;
        }
    }
    return 0;
}

const sensitivity_cell *sensitivity_cell_of(const sensitivity_result *r, size_t param, size_t check)
{
    return &r->cells[param * r->n_checks + check];
}

/* The outcomes of every check at one value of parameter p. */
static int run_value(const sensitivity_options *opt, sensitivity_result *res, size_t p, double v,
                     sensitivity_outcome *out, int *invalid, char *err, size_t errlen)
{
    char set[1024];
    const scenario_uncertain *u = &res->params[p];
    uncertain_assignment(set, sizeof set, u->key, v, u->unit);
    const char *extra[1] = {set};
    return run_point(opt, res, 0, extra, 1, out, invalid, err, errlen);
}

/* The flip of check c between sweep points k-1 and k of parameter p, by bisection. */
static int bisect(const sensitivity_options *opt, sensitivity_result *res, size_t p, size_t c,
                  size_t k, sensitivity_outcome *scratch, int *invalid, char *err, size_t errlen)
{
    sensitivity_cell *cell = &res->cells[p * res->n_checks + c];
    const double *v = &res->values[p * res->points];
    double lo = v[k - 1], hi = v[k];
    int pass_lo = cell->sweep[k - 1].pass;
    double tolerance = 1e-3 * (res->params[p].high - res->params[p].low);
    for (size_t step = 0; step < opt->bisections && hi - lo > tolerance; step++) {
        double mid = 0.5 * (lo + hi);
        if (run_value(opt, res, p, mid, scratch, invalid, err, errlen) != 0)
            return -1;
        if (!scratch[c].present)
            break;
        if (scratch[c].pass == pass_lo)
            lo = mid;
        else
            hi = mid;
    }
    if (cell->n_flips == SENSITIVITY_MAX_FLIPS) {
        cell->more_flips = 1;
        return 0;
    }
    cell->flips[cell->n_flips++] = (sensitivity_flip){
        .at = 0.5 * (lo + hi), .bracket_low = lo, .bracket_high = hi, .pass_below = pass_lo};
    return 0;
}

static int sweep(const sensitivity_options *opt, sensitivity_result *res, int *invalid, char *err,
                 size_t errlen)
{
    size_t nc = res->n_checks;
    sensitivity_outcome *scratch = calloc(nc, sizeof *scratch);
    if (!scratch) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t p = 0; p < res->n_params && rc == 0; p++) {
        for (size_t k = 0; k < res->points && rc == 0; k++) {
            rc = run_value(opt, res, p, res->values[p * res->points + k], scratch, invalid, err,
                           errlen);
            for (size_t c = 0; c < nc && rc == 0; c++)
                res->cells[p * nc + c].sweep[k] = scratch[c];
        }
        for (size_t c = 0; c < nc && rc == 0; c++) {
            sensitivity_cell *cell = &res->cells[p * nc + c];
            const sensitivity_outcome *nom = &res->checks[c].nominal;
            cell->min_mean = cell->max_mean = NAN;
            for (size_t k = 0; k < res->points; k++) {
                const sensitivity_outcome *o = &cell->sweep[k];
                if (o->present && nom->present && o->pass != nom->pass)
                    cell->differs = 1;
                if (isfinite(o->mean)) {
                    if (!(o->mean >= cell->min_mean))
                        cell->min_mean = o->mean;
                    if (!(o->mean <= cell->max_mean))
                        cell->max_mean = o->mean;
                }
            }
            for (size_t k = 1; k < res->points && rc == 0; k++)
                if (cell->sweep[k - 1].present && cell->sweep[k].present &&
                    cell->sweep[k - 1].pass != cell->sweep[k].pass)
                    rc = bisect(opt, res, p, c, k, scratch, invalid, err, errlen);
        }
    }
    free(scratch);
    return rc;
}

static int run_corners(const sensitivity_options *opt, sensitivity_result *res, int *invalid,
                       char *err, size_t errlen)
{
    size_t n = (size_t)1 << res->n_params;
    if (!(res->corners = calloc(n * res->n_checks, sizeof *res->corners))) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    res->n_corners = n;
    char sets[SENSITIVITY_MAX_CORNER_PARAMS][1024];
    const char *extra[SENSITIVITY_MAX_CORNER_PARAMS];
    for (size_t mask = 0; mask < n; mask++) {
        for (size_t p = 0; p < res->n_params; p++) {
            const scenario_uncertain *u = &res->params[p];
            uncertain_assignment(sets[p], sizeof sets[p], u->key,
                                 (mask >> p) & 1 ? u->high : u->low, u->unit);
            extra[p] = sets[p];
        }
        if (run_point(opt, res, 0, extra, res->n_params, &res->corners[mask * res->n_checks],
                      invalid, err, errlen) != 0)
            return -1;
    }
    return 0;
}

static int valid_options(const sensitivity_options *opt, char *err, size_t errlen)
{
    if (opt->n_params == 0 || opt->n_params > SENSITIVITY_MAX_PARAMS)
        snprintf(err, errlen, "%s: expected 1 to %d uncertain parameters (uncertainty: or --vary)",
                 opt->path, SENSITIVITY_MAX_PARAMS);
    else if (opt->points < 2 || opt->points > SENSITIVITY_MAX_POINTS)
        snprintf(err, errlen, "expected 2 to %d points", SENSITIVITY_MAX_POINTS);
    else if (opt->bisections > 30)
        snprintf(err, errlen, "expected at most 30 bisection steps");
    else if (opt->corners && opt->n_params > SENSITIVITY_MAX_CORNER_PARAMS)
        snprintf(err, errlen, "expected corners only with at most %d parameters",
                 SENSITIVITY_MAX_CORNER_PARAMS);
    else
        return 0;
    return -1;
}

static sensitivity_result *new_result(const sensitivity_options *opt)
{
    sensitivity_result *res = calloc(1, sizeof *res);
    if (!res)
        return NULL;
    res->points = opt->points;
    res->replications = opt->replications;
    res->seed = opt->seed;
    res->rule = opt->rule;
    res->rule.sequential = 0;
    res->n_params = opt->n_params;
    res->params = calloc(opt->n_params, sizeof *res->params);
    res->values = calloc(opt->n_params * opt->points, sizeof *res->values);
    if (!res->params || !res->values) {
        sensitivity_result_free(res);
        return NULL;
    }
    for (size_t p = 0; p < opt->n_params; p++) {
        res->params[p] = opt->params[p];
        res->params[p].key = strdup(opt->params[p].key);
        res->params[p].unit = strdup(opt->params[p].unit);
        if (!res->params[p].key || !res->params[p].unit) {
            sensitivity_result_free(res);
            return NULL;
        }
        const scenario_uncertain *u = &opt->params[p];
        for (size_t k = 0; k < opt->points; k++)
            res->values[p * opt->points + k] =
                k + 1 == opt->points
                    ? u->high
                    : u->low + (u->high - u->low) * (double)k / (double)(opt->points - 1);
    }
    return res;
}

sensitivity_result *sensitivity_run(const sensitivity_options *opt, int *invalid, char *err,
                                    size_t errlen)
{
    *invalid = 1;
    if (valid_options(opt, err, errlen) != 0 || check_params(opt, err, errlen) != 0)
        return NULL;
    *invalid = 0;
    sensitivity_result *res = new_result(opt);
    if (!res) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    int rc = run_point(opt, res, 1, NULL, 0, NULL, invalid, err, errlen);
    if (rc == 0 && !(res->cells = calloc(res->n_params * res->n_checks, sizeof *res->cells))) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < res->n_params * res->n_checks; i++)
        if (!(res->cells[i].sweep = calloc(res->points, sizeof *res->cells[i].sweep))) {
            snprintf(err, errlen, "out of memory");
            rc = -1;
        }
    if (rc == 0)
        rc = sweep(opt, res, invalid, err, errlen);
    if (rc == 0 && opt->corners)
        rc = run_corners(opt, res, invalid, err, errlen);
    if (rc != 0) {
        sensitivity_result_free(res);
        return NULL;
    }
    return res;
}

void sensitivity_result_free(sensitivity_result *r)
{
    if (!r)
        return;
    for (size_t p = 0; p < r->n_params; p++) {
        free(r->params[p].key);
        free(r->params[p].unit);
    }
    free(r->params);
    free(r->values);
    for (size_t c = 0; c < r->n_checks; c++) {
        free(r->checks[c].name);
        free(r->checks[c].key);
    }
    if (r->cells)
        for (size_t i = 0; i < r->n_params * r->n_checks; i++)
            free(r->cells[i].sweep);
    free(r->cells);
    free(r->checks);
    free(r->corners);
    free(r->scenario);
    free(r);
}

int sensitivity_holds(const sensitivity_result *r)
{
    for (size_t i = 0; i < r->n_params * r->n_checks; i++)
        if (r->cells[i].differs || r->cells[i].n_flips > 0)
            return 0;
    for (size_t k = 0; k < r->n_corners; k++)
        for (size_t c = 0; c < r->n_checks; c++) {
            const sensitivity_outcome *o = &r->corners[k * r->n_checks + c];
            if (o->present && r->checks[c].nominal.present && o->pass != r->checks[c].nominal.pass)
                return 0;
        }
    return 1;
}
