/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/fit.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Windows with fewer served requests give quantiles too coarse to fit a distribution to. */
#define MIN_SERVICE_REQUESTS 50
/* A histogram bound with fewer requests than this on either side gives a share too noisy
 * for its normal quantile (the transform's curvature there biases the fit). */
#define MIN_TAIL_COUNT 20
/* Utilisation below this is too small a denominator for the concurrency estimate. */
#define MIN_CONCURRENCY_UTILIZATION 0.02

/* One window of one deployment, its routers' rows summed. */
typedef struct {
    double t, requests, replicas, ready, completed, utilization;
    const double *quantile; /* the first row's: latency is per deployment */
    const double *buckets;  /* NULL without a histogram */
    const metricscsv *m;
} window;

static int by_time(const void *a, const void *b)
{
    double x = ((const window *)a)->t, y = ((const window *)b)->t;
    return (x > y) - (x < y);
}

static void not_identified(fit_value *v, const char *why)
{
    *v = (fit_value){.estimate = NAN, .se = NAN, .lo = NAN, .hi = NAN};
    snprintf(v->why, sizeof v->why, "%s", why);
}

static void with_se(fit_value *v, double estimate, double se, double z)
{
    *v = (fit_value){1, estimate, se, estimate - z * se, estimate + z * se, ""};
}

static double mean_of(const double *x, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += x[i];
    return s / (double)n;
}

/* Invert the symmetric 3x3 matrix a into b; 0 when singular. */
static int invert3(const double a[3][3], double b[3][3])
{
    double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
                 a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
                 a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);
    if (!(fabs(det) > 1e-300))
        return 0;
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) {
            int i1 = (j + 1) % 3, i2 = (j + 2) % 3, j1 = (i + 1) % 3, j2 = (i + 2) % 3;
            b[i][j] = (a[i1][j1] * a[i2][j2] - a[i1][j2] * a[i2][j1]) / det;
        }
    return 1;
}

/* The fitted rate of each window under beta (x NULL: the constant beta[0]), and the
 * dispersion of the counts about it on n - p degrees of freedom. Returns the residual
 * variance of the rates. */
static double residuals(fit_deployment *d, const window *w, size_t n, double width,
                        const double *beta, const double (*x)[3], int p, const fit_options *o)
{
    double rss = 0.0, chi2 = 0.0;
    for (size_t i = 0; i < n; i++) {
        double fitted = x ? beta[0] + beta[1] * x[i][1] + beta[2] * x[i][2] : beta[0];
        d->fitted_rate[i] = fitted;
        double r = w[i].requests / width - fitted;
        rss += r * r;
        double mu = fitted * width;
        chi2 += mu > 0.0 ? (w[i].requests - mu) * (w[i].requests - mu) / mu : 0.0;
    }
    d->dispersion_df = n - (size_t)p;
    double df = (double)d->dispersion_df;
    d->dispersion = chi2 / df;
    d->dispersion_p = gsl_cdf_chisq_Q(chi2, df);
    d->dispersion_lo = gsl_cdf_chisq_Pinv((1.0 - o->confidence) / 2.0, df) / df;
    d->dispersion_hi = gsl_cdf_chisq_Qinv((1.0 - o->confidence) / 2.0, df) / df;
    return rss / df;
}

/* The daily cycle: rate = b0 + b1 c(t) + b2 s(t), c and s the means of cos and sin of
 * 2 pi t / period over each window, so a cycle short against the window is fitted as the
 * counts see it. Ordinary least squares on the observed rates; covariance s^2 (X'X)^-1.
 * Without a significant amplitude the rate is the constant one: the mean of the windows'
 * rates (the cycle's intercept is ill-determined when the data span a small part of it). */
static void fit_arrivals(fit_deployment *d, const window *w, size_t n, double t0, double width,
                         const fit_options *o, double z)
{
    double omega = 2.0 * 3.14159265358979323846 / o->period_s;
    double xtx[3][3] = {{0}}, xty[3] = {0}, inv[3][3];
    double(*x)[3] = malloc(n * sizeof *x);
    if (!x) {
        not_identified(&d->mean_rate, "out of memory");
        return;
    }
    for (size_t i = 0; i < n; i++) {
        double a = omega * (w[i].t - t0), b = a + omega * width;
        x[i][0] = 1.0;
        x[i][1] = (sin(b) - sin(a)) / (omega * width);
        x[i][2] = (cos(a) - cos(b)) / (omega * width);
        double y = w[i].requests / width;
        for (int j = 0; j < 3; j++) {
            xty[j] += x[i][j] * y;
            for (int k = 0; k < 3; k++)
                xtx[j][k] += x[i][j] * x[i][k];
        }
    }
    const char *why = "the windows cannot separate a cycle from a constant rate";
    not_identified(&d->amplitude, why);
    not_identified(&d->peak, why);
    not_identified(&d->trough, why);
    not_identified(&d->peak_at, why);
    if (n > 3 && invert3(xtx, inv)) {
        double beta[3] = {0};
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                beta[j] += inv[j][k] * xty[k];
        double s2 = residuals(d, w, n, width, beta, (const double(*)[3])x, 3, o), cov[3][3];
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                cov[j][k] = s2 * inv[j][k];
        double b1 = beta[1], b2 = beta[2], amp = hypot(b1, b2);
        with_se(&d->mean_rate, beta[0], sqrt(cov[0][0]), z);
        /* delta method: A = |(b1, b2)|, phase = atan2(b2, b1) */
        double ga[3] = {0, amp > 0 ? b1 / amp : 0, amp > 0 ? b2 / amp : 0};
        double gp[3] = {0, amp > 0 ? -b2 / (amp * amp) : 0, amp > 0 ? b1 / (amp * amp) : 0};
        double var_a = 0, var_p = 0, cov_ma = 0;
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) {
                var_a += ga[j] * cov[j][k] * ga[k];
                var_p += gp[j] * cov[j][k] * gp[k];
            }
        for (int k = 0; k < 3; k++)
            cov_ma += cov[0][k] * ga[k];
        with_se(&d->amplitude, amp, sqrt(var_a), z);
        d->cycle = amp > z * sqrt(var_a);
        with_se(&d->peak, beta[0] + amp, sqrt(cov[0][0] + var_a + 2 * cov_ma), z);
        with_se(&d->trough, beta[0] - amp, sqrt(cov[0][0] + var_a - 2 * cov_ma), z);
        double at = fmod(atan2(b2, b1) / omega + o->period_s, o->period_s);
        with_se(&d->peak_at, at, sqrt(var_p) / omega, z);
    }
    free(x);
    if (d->cycle)
        return;
    if (n < 2) {
        not_identified(&d->mean_rate, "fewer than two windows");
        return;
    }
    double mean = xty[0] / (double)n;
    double s2 = residuals(d, w, n, width, &mean, NULL, 1, o);
    with_se(&d->mean_rate, mean, sqrt(s2 / (double)n), z);
}

/* (z, log latency) points of one window: its quantiles, or its histogram's bounds with the
 * share of requests at or below them. Returns how many. */
static size_t quantile_points(const window *w, double *zs, double *ys)
{
    const metricscsv *m = w->m;
    size_t k = 0;
    if (w->buckets) {
        double all = w->buckets[m->n_buckets - 1];
        for (size_t b = 0; b + 1 < m->n_buckets && all > 0; b++) {
            double f = w->buckets[b] / all;
            if (isnan(w->buckets[b]) || w->buckets[b] < MIN_TAIL_COUNT ||
                all - w->buckets[b] < MIN_TAIL_COUNT)
                continue;
            zs[k] = gsl_cdf_ugaussian_Pinv(f);
            ys[k++] = log(m->bucket_le_s[b]);
        }
        return k;
    }
    for (int q = 0; q < METRICSCSV_N_QUANTILES; q++)
        if (!isnan(w->quantile[q]) && w->quantile[q] > 0.0) {
            zs[k] = gsl_cdf_ugaussian_Pinv(metricscsv_quantile_level[q]);
            ys[k++] = log(w->quantile[q]);
        }
    return k;
}

/* Served requests of a window, as well as the metrics tell. */
static double served(const window *w)
{
    if (w->buckets)
        return w->buckets[w->m->n_buckets - 1];
    return isnan(w->completed) ? w->requests : w->completed;
}

static int low_load(const window *w, double max_util, double per_replica_cut)
{
    if (!isnan(w->utilization))
        return w->utilization <= max_util;
    double replicas = isnan(w->ready) ? w->replicas : w->ready;
    return replicas > 0 && w->requests / replicas <= per_replica_cut;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void fit_service(fit_deployment *d, const window *w, size_t n, const fit_options *o,
                        double z, int has_utilization)
{
    size_t n_buckets = 0; /* the most of any export's windows */
    for (size_t i = 0; i < n; i++)
        n_buckets = w[i].m->n_buckets > n_buckets ? w[i].m->n_buckets : n_buckets;
    const char *none = "no window with latency quantiles or a histogram at low utilisation";
    double cut = INFINITY;
    if (!has_utilization) {
        /* without utilisation, the third of the windows with the fewest requests per replica
         * stand in for low load */
        double *load = malloc((n ? n : 1) * sizeof *load);
        size_t k = 0;
        for (size_t i = 0; load && i < n; i++) {
            double replicas = isnan(w[i].ready) ? w[i].replicas : w[i].ready;
            if (replicas > 0)
                load[k++] = w[i].requests / replicas;
        }
        if (load && k > 0) {
            qsort(load, k, sizeof *load, compare_doubles);
            cut = load[(k - 1) / 3];
        }
        free(load);
    }
    double *mus = malloc((n ? n : 1) * sizeof *mus), *sigmas = malloc((n ? n : 1) * sizeof *sigmas);
    /* at most one point per quantile column or histogram bound of each window */
    size_t per_window = METRICSCSV_N_QUANTILES > n_buckets ? METRICSCSV_N_QUANTILES : n_buckets;
    d->service_z = malloc((n ? n : 1) * per_window * sizeof *d->service_z);
    d->service_latency_s = malloc((n ? n : 1) * per_window * sizeof *d->service_latency_s);
    if (!d->service_z || !d->service_latency_s) {
        free(d->service_z), free(d->service_latency_s);
        d->service_z = d->service_latency_s = NULL;
    }
    size_t k = 0;
    double sq = 0.0, z_span = 0.0;
    size_t points = 0;
    for (size_t i = 0; mus && sigmas && i < n; i++) {
        double zs[80], ys[80];
        if (!low_load(&w[i], o->max_utilization, cut) || served(&w[i]) < MIN_SERVICE_REQUESTS)
            continue;
        size_t np = quantile_points(&w[i], zs, ys);
        if (np < 2)
            continue;
        double mz = mean_of(zs, np), my = mean_of(ys, np), szz = 0.0, szy = 0.0;
        for (size_t j = 0; j < np; j++) {
            szz += (zs[j] - mz) * (zs[j] - mz);
            szy += (zs[j] - mz) * (ys[j] - my);
        }
        if (!(szz > 0.0))
            continue;
        sigmas[k] = szy / szz;
        mus[k] = my - sigmas[k] * mz;
        for (size_t j = 0; j < np && d->service_z; j++) {
            d->service_z[d->n_service_points] = zs[j];
            d->service_latency_s[d->n_service_points++] = exp(ys[j]);
        }
        for (size_t j = 0; j < np; j++) {
            double r = ys[j] - mus[k] - sigmas[k] * zs[j];
            sq += r * r;
        }
        points += np;
        z_span += zs[np - 1] - zs[0];
        k++;
    }
    d->service_windows = k;
    if (k < 2) {
        not_identified(&d->mu, none);
    } else {
        double mm = mean_of(mus, k), ms = mean_of(sigmas, k), vmm = 0, vss = 0, vms = 0;
        for (size_t i = 0; i < k; i++) {
            vmm += (mus[i] - mm) * (mus[i] - mm);
            vss += (sigmas[i] - ms) * (sigmas[i] - ms);
            vms += (mus[i] - mm) * (sigmas[i] - ms);
        }
        /* the variance of the mean over k windows */
        double scale = 1.0 / ((double)(k - 1) * (double)k);
        vmm *= scale, vss *= scale, vms *= scale;
        /* quantiles within a relative error R move log latency by at most log(1 + R): mu by
         * as much, the slope sigma by twice that over the quantiles' span of z; uniform
         * within those bounds, variance bound^2 / 3. Histogram bounds are exact. */
        if (o->resolution > 0.0 && n_buckets == 0) {
            double e = log1p(o->resolution), span = z_span / (double)k;
            vmm += e * e / 3.0;
            vss += (2.0 * e / span) * (2.0 * e / span) / 3.0;
        }
        d->service_rms = sqrt(sq / (double)points);
        with_se(&d->mu, mm, sqrt(vmm), z);
        with_se(&d->sigma, ms, sqrt(vss), z);
        /* mean = exp(mu + sigma^2 / 2), cv = sqrt(exp(sigma^2) - 1) */
        double mean = exp(mm + ms * ms / 2.0), cv = sqrt(expm1(ms * ms));
        double var_mean = mean * mean * (vmm + 2 * ms * vms + ms * ms * vss);
        double dcv = ms * exp(ms * ms) / cv;
        with_se(&d->service_mean, mean, sqrt(var_mean), z);
        with_se(&d->service_cv, cv, fabs(dcv) * sqrt(vss), z);
    }
    if (k < 2) {
        not_identified(&d->sigma, none);
        not_identified(&d->service_mean, none);
        not_identified(&d->service_cv, none);
    }
    free(mus);
    free(sigmas);
}

/* Busy slot-seconds are completed x mean service time; the slots available are
 * utilisation's denominator, ready x concurrency x window. Only windows whose ready count
 * held since the previous window: the ready count is a snapshot at the window's end. */
static void fit_concurrency(fit_deployment *d, const window *w, size_t n, double width, double z,
                            int has_columns)
{
    if (!has_columns) {
        not_identified(&d->concurrency, "needs the utilization, completed and ready columns");
        return;
    }
    if (!d->service_mean.identified) {
        not_identified(&d->concurrency, "needs the service time, which is not identified");
        return;
    }
    double *c = malloc((n ? n : 1) * sizeof *c);
    size_t k = 0;
    for (size_t i = 1; c && i < n; i++) {
        const window *a = &w[i - 1], *b = &w[i];
        if (b->t - a->t > 1.5 * width || b->ready != a->ready || !(b->ready > 0) ||
            !(b->utilization >= MIN_CONCURRENCY_UTILIZATION) || !(b->completed > 0))
            continue;
        c[k++] = b->completed * d->service_mean.estimate / (b->utilization * b->ready * width);
    }
    d->concurrency_windows = k;
    if (k < 2) {
        not_identified(&d->concurrency, "fewer than two steady windows with utilisation above 2%");
    } else {
        double mean = mean_of(c, k), v = 0.0;
        for (size_t i = 0; i < k; i++)
            v += (c[i] - mean) * (c[i] - mean);
        double rel_windows = sqrt(v / ((double)(k - 1) * (double)k)) / mean;
        double rel_service = d->service_mean.se / d->service_mean.estimate;
        with_se(&d->concurrency, mean, mean * hypot(rel_windows, rel_service), z);
    }
    free(c);
}

/* A scale-up is seen in the first window whose replicas rose (it happened within that
 * window) with every replica ready before; the new replicas are ready by the end of the
 * first window whose ready count reaches them. Each event bounds the cold start by one
 * window either side; replicas that change again before they are ready spoil the event. */
static void fit_cold_start(fit_deployment *d, const window *w, size_t n, double width,
                           int has_ready)
{
    if (!has_ready) {
        not_identified(&d->cold_start, "needs the ready column");
        return;
    }
    double lo = 0.0, hi = INFINITY;
    size_t events = 0;
    for (size_t k = 1; k < n; k++) {
        const window *a = &w[k - 1], *b = &w[k];
        if (b->t - a->t > 1.5 * width || !(b->replicas > a->replicas) || !(a->ready >= a->replicas))
            continue;
        size_t j = k;
        while (j < n && w[j].replicas == b->replicas && !(w[j].ready >= b->replicas) &&
               (j == k || w[j].t - w[j - 1].t <= 1.5 * width))
            j++;
        if (j == n || w[j].replicas != b->replicas || (j > k && w[j].t - w[j - 1].t > 1.5 * width))
            continue;
        double gap = w[j].t - b->t;
        lo = fmax(lo, gap - width);
        hi = fmin(hi, gap + width);
        events++;
    }
    d->cold_start_events = events;
    if (events == 0)
        not_identified(&d->cold_start, "no scale-up whose new replicas became ready in the data");
    else if (lo > hi)
        not_identified(&d->cold_start, "the scale-ups disagree: cold starts vary by more than "
                                       "the windows resolve");
    else
        d->cold_start = (fit_value){1, (lo + hi) / 2.0, NAN, lo, hi, ""};
}

void fit_result_free(fit_result *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n_deployments; i++) {
        fit_deployment *d = &r->deployments[i];
        free(d->name);
        free(d->time_s);
        free(d->observed_rate);
        free(d->fitted_rate);
        free(d->service_z);
        free(d->service_latency_s);
    }
    for (size_t i = 0; i < r->n_sources; i++)
        free(r->sources[i]);
    free(r->sources);
    free(r->deployments);
    free(r);
}

/* The windows of deployment `name` over every export, routers summed, in time order.
 * Returns how many, or -1 (err set) on a deployment twice at one time in two exports. */
static long gather(const metricscsv *const *ex, size_t n_ex, const char *name, window **out,
                   char *err, size_t errlen)
{
    size_t total = 0;
    for (size_t e = 0; e < n_ex; e++)
        total += ex[e]->n_rows;
    window *w = malloc((total ? total : 1) * sizeof *w);
    if (!w) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t e = 0; e < n_ex; e++) {
        const metricscsv *m = ex[e];
        size_t first = n;
        for (size_t i = 0; i < m->n_rows; i++) {
            const metricscsv_row *r = &m->rows[i];
            if (strcmp(m->deployments[r->deployment], name) != 0)
                continue;
            if (n > first && w[n - 1].t == r->time_s) { /* another router's row */
                w[n - 1].requests += (double)r->requests;
                w[n - 1].completed += r->completed;
                continue;
            }
            w[n++] = (window){r->time_s,
                              (double)r->requests,
                              r->replicas,
                              r->ready,
                              r->completed,
                              r->utilization,
                              r->quantile,
                              m->n_buckets ? &m->bucket_counts[r->first_bucket] : NULL,
                              m};
        }
    }
    qsort(w, n, sizeof *w, by_time);
    for (size_t i = 1; i < n; i++)
        if (w[i].t == w[i - 1].t) {
            snprintf(err, errlen, "%s and %s: deployment \"%s\" at time %g in both",
                     w[i - 1].m->path, w[i].m->path, name, w[i].t);
            free(w);
            return -1;
        }
    *out = w;
    return (long)n;
}

fit_result *fit_run(const metricscsv *const *ex, size_t n_ex, const fit_options *o, char *err,
                    size_t errlen)
{
    fit_result *r = calloc(1, sizeof *r);
    if (!r || !(r->sources = calloc(n_ex ? n_ex : 1, sizeof *r->sources))) {
        free(r);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    r->options = *o;
    r->start_s = INFINITY;
    double end = -INFINITY;
    int has_util = 1, has_ready = 1, has_columns = 1;
    for (size_t e = 0; e < n_ex; e++) {
        if (!(r->sources[e] = strdup(ex[e]->path))) {
            fit_result_free(r);
            snprintf(err, errlen, "out of memory");
            return NULL;
        }
        r->n_sources++;
        if (e > 0 && ex[e]->window_s != r->window_s) {
            snprintf(err, errlen,
                     "%s: %g-second windows, but %g-second ones in %s: expected "
                     "exports of one window length",
                     ex[e]->path, ex[e]->window_s, r->window_s, ex[0]->path);
            fit_result_free(r);
            return NULL;
        }
        r->window_s = ex[e]->window_s;
        r->start_s = fmin(r->start_s, ex[e]->rows[0].time_s);
        end = fmax(end, ex[e]->rows[ex[e]->n_rows - 1].time_s + ex[e]->window_s);
        has_util &= ex[e]->has_utilization;
        has_ready &= ex[e]->has_ready;
        has_columns &= ex[e]->has_utilization && ex[e]->has_completed && ex[e]->has_ready;
    }
    r->span_s = end - r->start_s;
    double z = gsl_cdf_ugaussian_Pinv(1.0 - (1.0 - o->confidence) / 2.0);
    size_t cap = 0;
    for (size_t e = 0; e < n_ex; e++)
        cap += ex[e]->n_deployments;
    r->deployments = calloc(cap ? cap : 1, sizeof *r->deployments);
    if (!r->deployments) {
        fit_result_free(r);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    for (size_t e = 0; e < n_ex; e++)
        for (size_t di = 0; di < ex[e]->n_deployments; di++) {
            const char *name = ex[e]->deployments[di];
            int seen = 0;
            for (size_t j = 0; j < r->n_deployments; j++)
                seen |= strcmp(r->deployments[j].name, name) == 0;
            if (seen)
                continue;
            window *w = NULL;
            long n = gather(ex, n_ex, name, &w, err, errlen);
            if (n < 0) {
                fit_result_free(r);
                return NULL;
            }
            fit_deployment *d = &r->deployments[r->n_deployments++];
            size_t nn = (size_t)n ? (size_t)n : 1;
            d->name = strdup(name);
            d->time_s = malloc(nn * sizeof *d->time_s);
            d->observed_rate = malloc(nn * sizeof *d->observed_rate);
            d->fitted_rate = malloc(nn * sizeof *d->fitted_rate);
            if (!d->name || !d->time_s || !d->observed_rate || !d->fitted_rate) {
                free(w);
                fit_result_free(r);
                snprintf(err, errlen, "out of memory");
                return NULL;
            }
            d->n_windows = (size_t)n;
            d->first_replicas = n > 0 ? (unsigned)w[0].replicas : 0;
            for (size_t i = 0; i < (size_t)n; i++) {
                d->time_s[i] = w[i].t - r->start_s;
                d->observed_rate[i] = w[i].requests / r->window_s;
            }
            fit_arrivals(d, w, (size_t)n, r->start_s, r->window_s, o, z);
            fit_service(d, w, (size_t)n, o, z, has_util);
            fit_concurrency(d, w, (size_t)n, r->window_s, z, has_columns);
            fit_cold_start(d, w, (size_t)n, r->window_s, has_ready);
            free(w);
        }
    return r;
}
