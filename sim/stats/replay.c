/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replay.h"

#include "sim/stats/replicate.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Figures within this fraction of each other are equal: exports print about 10 digits. */
#define EQUAL_RELATIVE 1e-6

const char *replay_figure_name(replay_figure f)
{
    static const char *const names[REPLAY_N_FIGURES] = {"share", "utilization", "ready",
                                                        "p50",   "p90",         "p99"};
    return names[f];
}

typedef struct {
    replay_result *res;
    const metricscsv *m;
    size_t bins;          /* of the scenario's time series */
    double *values;       /* windows x figures x replications */
    double *window_total; /* per window: the simulated requests of the deployments recorded
                             at its time (scratch, per replication) */
    int invalid;
} replay_run_ctx;

static double *value_at(replay_run_ctx *c, size_t w, replay_figure f, size_t i)
{
    return &c->values[(w * REPLAY_N_FIGURES + f) * c->res->replications + i];
}

/* The end of a full name: "accounts/a/deployments/llm" -> "llm". */
static const char *short_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return slash ? slash + 1 : name;
}

/* The index of name among names, by full or short name; -1 when it is not there. */
static long find_name(char *const *names, size_t n, const char *name)
{
    for (size_t d = 0; d < n; d++)
        if (strcmp(names[d], name) == 0 || strcmp(short_name(names[d]), name) == 0)
            return (long)d;
    return -1;
}

/* The simulated requests of window w's deployment in its bin: with a router, those its router
 * sent there (routed, bins x routers x deployments of the export), else all its arrivals. */
static double simulated_requests(const replay_run_ctx *c, const uint64_t *routed,
                                 const results_load_point *const *at, size_t bin,
                                 const replay_window *w)
{
    size_t nd = c->m->n_deployments;
    if (w->router != METRICSCSV_NO_ROUTER)
        return (double)routed[(bin * c->m->n_routers + w->router) * nd + w->deployment];
    const results_load_point *lp = at[bin * nd + w->deployment];
    return lp ? (double)lp->load.arrived : 0.0;
}

/* Map the export's names (of deployments or routers) to the run's; with the first
 * replication's results, one the scenario never has is an error. */
static int map_names(replay_run_ctx *c, char *const *run_names, size_t n_run, char **names,
                     size_t n, const char *what, long *map, int first, char *err, size_t errlen)
{
    for (size_t k = 0; k < n_run; k++)
        map[k] = -1;
    for (size_t d = 0; d < n; d++) {
        long k = find_name(run_names, n_run, names[d]);
        if (k >= 0)
            map[k] = (long)d;
        else if (first) {
            snprintf(err, errlen, "%s: %s %s of the metrics is not in the scenario", c->m->path,
                     what, names[d]);
            c->invalid = 1;
            return -1;
        }
    }
    return 0;
}

/* Replication i's figures for every recorded window. */
static replicate_next fold(void *ctx, size_t index, uint64_t seed, results **rp, char *err,
                           size_t errlen)
{
    (void)seed;
    replay_run_ctx *c = ctx;
    const results *r = *rp;
    const metricscsv *m = c->m;
    size_t nd = m->n_deployments, nr = m->n_routers;
    const results_load_point **at = calloc(c->bins * nd + 1, sizeof *at);
    uint64_t *routed = calloc(c->bins * nr * nd + 1, sizeof *routed);
    long *map = calloc(r->n_deployments + 1, sizeof *map);
    long *router_map = calloc(r->n_routers + 1, sizeof *router_map);
    replicate_next next = REPLICATE_ABORT;
    if (!at || !routed || !map || !router_map) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    if (map_names(c, r->deployments, r->n_deployments, m->deployments, nd, "deployment", map,
                  index == 0, err, errlen) != 0 ||
        map_names(c, r->routers, r->n_routers, m->routers, nr, "router", router_map, index == 0,
                  err, errlen) != 0)
        goto done;
    for (size_t k = 0; k < r->n_load_points; k++) {
        const results_load_point *lp = &r->load_points[k];
        long d = map[lp->deployment];
        if (d >= 0 && lp->bin < c->bins)
            at[lp->bin * nd + (size_t)d] = lp;
    }
    splitstore_iter it;
    results_point point, *p = &point;
    for (splitstore_begin(&it, r->split); nr > 0 && splitstore_next(&it, p);) {
        long d = map[p->deployment], rt = router_map[p->router];
        if (d >= 0 && rt >= 0 && p->bin < c->bins)
            routed[(p->bin * nr + (size_t)rt) * nd + (size_t)d] += p->routed;
    }
    replay_result *res = c->res;
    for (size_t w = 0; w < res->n_windows; w++) {
        const replay_window *win = &res->windows[w];
        size_t bin = (size_t)llround(win->sim_s / m->window_s);
        const results_load_point *lp = at[bin * nd + win->deployment];
        /* the split's total: the simulated requests of the windows recorded beside this one
         * (same time, and same router when there are routers) */
        c->window_total[w] = 0;
        for (size_t v = 0; v < res->n_windows; v++)
            if (res->windows[v].sim_s == win->sim_s && res->windows[v].router == win->router)
                c->window_total[w] += simulated_requests(c, routed, at, bin, &res->windows[v]);
        double *val[REPLAY_N_FIGURES];
        for (int f = 0; f < REPLAY_N_FIGURES; f++) {
            val[f] = value_at(c, w, (replay_figure)f, index);
            *val[f] = NAN;
        }
        if (c->window_total[w] > 0 && (lp || win->router != METRICSCSV_NO_ROUTER))
            *val[REPLAY_SHARE] = simulated_requests(c, routed, at, bin, win) / c->window_total[w];
        if (!lp)
            continue;
        const results_load *l = &lp->load;
        *val[REPLAY_UTILIZATION] = l->utilization;
        *val[REPLAY_READY] = (double)lp->ready;
        if (l->latency.count > 0) {
            *val[REPLAY_P50] = l->latency.p50_s;
            *val[REPLAY_P90] = l->latency.p90_s;
            *val[REPLAY_P99] = l->latency.p99_s;
        }
    }
    next = REPLICATE_CONTINUE;
done:
    free(at);
    free(routed);
    free(map);
    free(router_map);
    return next;
}

/* The recorded windows, lined up with the scenario's bins. Returns 0, or -1 (invalid). */
static int line_up(replay_result *res, const scenario *sc, const metricscsv *m, size_t bins,
                   char *err, size_t errlen)
{
    if (m->n_rows == 0) {
        snprintf(err, errlen, "%s: no rows to replay", m->path);
        return -1;
    }
    if (m->n_rows > 1 && fabs(m->window_s - sc->window_s) > 1e-9 * sc->window_s) {
        snprintf(err, errlen,
                 "%s: windows of %gs, but the scenario %s has windows of %gs: expected the "
                 "scenario's window to be the export's",
                 m->path, m->window_s, sc->path, sc->window_s);
        return -1;
    }
    double t0 = m->rows[0].time_s;
    res->windows = calloc(m->n_rows, sizeof *res->windows);
    if (!res->windows) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < m->n_rows; i++) {
        const metricscsv_row *row = &m->rows[i];
        replay_window *w = &res->windows[res->n_windows++];
        w->time_s = row->time_s;
        w->sim_s = row->time_s - t0;
        w->deployment = row->deployment;
        w->router = row->router;
        w->line = row->line;
        size_t bin = (size_t)llround(w->sim_s / sc->window_s);
        if (bin >= bins || w->sim_s >= sc->duration_s) {
            snprintf(err, errlen,
                     "%s:%u:%u: time %g is %gs after the first, past the scenario's duration "
                     "(%gs)",
                     m->path, row->line, row->time_col, row->time_s, w->sim_s, sc->duration_s);
            return -1;
        }
        for (int f = 0; f < REPLAY_N_FIGURES; f++)
            w->observed[f] = NAN;
        /* a deployment's own figures repeat on its rows of one time (one per router): judged
         * once, on the first; rows of one time are together */
        int repeated = 0;
        for (size_t j = i; j-- > 0 && m->rows[j].time_s == row->time_s;)
            repeated |= m->rows[j].deployment == row->deployment;
        if (repeated)
            continue;
        w->observed[REPLAY_UTILIZATION] = row->utilization;
        w->observed[REPLAY_READY] = row->ready;
        w->observed[REPLAY_P50] = row->quantile[METRICSCSV_P50];
        w->observed[REPLAY_P90] = row->quantile[METRICSCSV_P90];
        w->observed[REPLAY_P99] = row->quantile[METRICSCSV_P99];
    }
    /* the observed split: a deployment's share of the requests recorded at its time (and
     * from its router, with routers) */
    for (size_t i = 0; i < res->n_windows; i++) {
        double total = 0;
        size_t present = 0;
        for (size_t j = 0; j < res->n_windows; j++)
            if (m->rows[j].time_s == m->rows[i].time_s && m->rows[j].router == m->rows[i].router) {
                total += (double)m->rows[j].requests;
                present++;
            }
        if (present >= 2 && total > 0)
            res->windows[i].observed[REPLAY_SHARE] = (double)m->rows[i].requests / total;
    }
    res->figures[REPLAY_SHARE].compared = m->n_deployments >= 2;
    res->figures[REPLAY_UTILIZATION].compared = m->has_utilization;
    res->figures[REPLAY_READY].compared = m->has_ready;
    res->figures[REPLAY_P50].compared = m->has_quantile[METRICSCSV_P50];
    res->figures[REPLAY_P90].compared = m->has_quantile[METRICSCSV_P90];
    res->figures[REPLAY_P99].compared = m->has_quantile[METRICSCSV_P99];
    return 0;
}

/* Bands, outside flags, counts, errors and verdicts from the replications' values. */
static void judge(replay_run_ctx *c)
{
    replay_result *res = c->res;
    size_t n = res->replications;
    double *sorted = malloc(n * sizeof *sorted);
    if (!sorted)
        return;
    size_t judged_figures = 0;
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        replay_figure_summary *s = &res->figures[f];
        double sum = 0;
        for (size_t w = 0; w < res->n_windows; w++) {
            replay_window *win = &res->windows[w];
            size_t k = 0;
            for (size_t i = 0; i < n; i++) {
                double v = *value_at(c, w, (replay_figure)f, i);
                if (isfinite(v))
                    sorted[k++] = v;
            }
            win->n[f] = k;
            win->outside[f] = -1;
            win->low[f] = win->median[f] = win->high[f] = NAN;
            if (k == 0)
                continue;
            gsl_sort(sorted, 1, k);
            win->low[f] = sorted[0];
            win->high[f] = sorted[k - 1];
            win->median[f] = gsl_stats_median_from_sorted_data(sorted, 1, k);
            /* exchangeability needs every replication's value */
            if (!s->compared || k < n || !isfinite(win->observed[f]))
                continue;
            double obs = win->observed[f];
            /* an export rounds: within EQUAL_RELATIVE of an end counts as on it */
            double slack = EQUAL_RELATIVE * fmax(fabs(win->low[f]), fabs(win->high[f]));
            win->outside[f] = obs < win->low[f] - slack || obs > win->high[f] + slack;
            s->judged++;
            s->outside += (size_t)win->outside[f];
            if (obs != 0) {
                sum += fabs(win->median[f] - obs) / fabs(obs);
                s->mape_n++;
            }
        }
        s->mape = s->mape_n ? 100.0 * sum / (double)s->mape_n : NAN;
        judged_figures += s->judged > 0;
    }
    free(sorted);
    res->explained = 1;
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        replay_figure_summary *s = &res->figures[f];
        if (s->judged == 0) {
            s->explained = 1;
            s->p_value = 1;
            continue;
        }
        /* the smallest a with P(X > a) <= alpha / F */
        double level = res->alpha / (double)judged_figures;
        size_t a = 0;
        while (a < s->judged &&
               gsl_cdf_binomial_Q((unsigned)a, res->rate, (unsigned)s->judged) > level)
            a++;
        s->allowed = a;
        s->p_value = s->outside == 0 ? 1.0
                                     : gsl_cdf_binomial_Q((unsigned)(s->outside - 1), res->rate,
                                                          (unsigned)s->judged);
        s->explained = s->outside <= s->allowed;
        res->explained = res->explained && s->explained;
    }
}

replay_result *replay_run(const scenario *sc, const metricscsv *m, const replay_options *opt,
                          int *invalid, char *err, size_t errlen)
{
    *invalid = 1;
    if (opt->replications < 2 || !(opt->alpha > 0 && opt->alpha < 1)) {
        snprintf(err, errlen, "expected at least 2 replications and alpha in (0, 1)");
        return NULL;
    }
    replay_result *res = calloc(1, sizeof *res);
    replay_run_ctx c = {.res = res, .m = m};
    if (!res) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    res->replications = opt->replications;
    res->seed = opt->seed;
    res->alpha = opt->alpha;
    res->rate = 2.0 / (double)(opt->replications + 1);
    c.bins = (size_t)ceil(sc->duration_s / sc->window_s - 1e-9);
    int rc = -1;
    if (!(res->scenario = strdup(sc->name)) || !(res->metrics = strdup(m->path)) ||
        !(res->deployments = calloc(m->n_deployments + 1, sizeof *res->deployments))) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t d = 0; d < m->n_deployments; d++) {
        if (!(res->deployments[d] = strdup(m->deployments[d]))) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        res->n_deployments++;
    }
    if (!(res->routers = calloc(m->n_routers + 1, sizeof *res->routers))) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t k = 0; k < m->n_routers; k++) {
        if (!(res->routers[k] = strdup(m->routers[k]))) {
            snprintf(err, errlen, "out of memory");
            goto done;
        }
        res->n_routers++;
    }
    if (line_up(res, sc, m, c.bins, err, errlen) != 0)
        goto done;
    *invalid = 0;
    c.values = malloc(res->n_windows * REPLAY_N_FIGURES * opt->replications * sizeof *c.values);
    c.window_total = calloc(res->n_windows, sizeof *c.window_total);
    if (!c.values || !c.window_total) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    replicate_options ro = {.seed = opt->seed,
                            .replications = opt->replications,
                            .jobs = opt->jobs,
                            .rank = 0,
                            .ranks = 1};
    char why[1024];
    if (replicate_run(sc, &ro, fold, &c, why, sizeof why) != 0) {
        snprintf(err, errlen, "%s", why);
        *invalid = c.invalid;
        goto done;
    }
    judge(&c);
    rc = 0;
done:
    free(c.values);
    free(c.window_total);
    if (rc != 0) {
        replay_result_free(res);
        return NULL;
    }
    return res;
}

void replay_result_free(replay_result *r)
{
    if (!r)
        return;
    for (size_t d = 0; d < r->n_deployments; d++)
        free(r->deployments[d]);
    free(r->deployments);
    for (size_t k = 0; k < r->n_routers; k++)
        free(r->routers[k]);
    free(r->routers);
    free(r->windows);
    free(r->scenario);
    free(r->metrics);
    free(r);
}
