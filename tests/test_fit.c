/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/metricscsv.h"
#include "sim/stats/fit.h"

#include "tests/check_main.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/*
 * The fit must give back the parameters of the model that made the data, within the
 * intervals it states. The data are drawn here from a known model with a fixed seed,
 * independently of routersim's engine: Poisson counts per window of a sinusoidal rate
 * (its window mean in closed form), lognormal service times whose sample quantiles, sum
 * and count make each window's latency, utilization and completions, and replica counts
 * whose new replicas become ready a known cold start after each scale-up.
 */

#define PI 3.14159265358979323846
#define WINDOW 60.0
#define N_WINDOWS 360
#define MEAN_RATE 40.0
#define AMPLITUDE 20.0
#define PEAK_AT 7200.0
#define PERIOD 21600.0
#define SERVICE_MEAN 0.25
#define SERVICE_CV 0.5
#define CONCURRENCY 8
#define COLD_START 150.0

typedef struct {
    int overdispersed; /* counts negative binomial, variance 3 x mean, instead of Poisson */
    int thin;          /* only time, deployment, requests, replicas and quantiles */
    int histogram;     /* latency as a histogram instead of quantiles */
    int constant;      /* 100 windows at the constant rate MEAN_RATE */
} model;

static const double bounds[] = {0.05, 0.1, 0.2, 0.3, 0.5, 1.0};
#define N_BOUNDS (sizeof bounds / sizeof bounds[0])

/* The rate's mean over [a, b): the integral of the sinusoid in closed form. */
static double window_rate(double a, double b)
{
    double w = 2 * PI / PERIOD;
    return MEAN_RATE +
           AMPLITUDE * (sin(w * (b - PEAK_AT)) - sin(w * (a - PEAK_AT))) / (w * (b - a));
}

/* Replicas wanted at time t: 4, 6 from 5430 s, 8 from 12345 s; ready COLD_START later. */
static int wanted(double t)
{
    return t >= 12345.0 ? 8 : t >= 5430.0 ? 6 : 4;
}

static int ready(double t)
{
    return t >= 12345.0 + COLD_START ? 8 : t >= 5430.0 + COLD_START ? 6 : 4;
}

/* The known model's export, read back through metricscsv. */
static metricscsv *generate(const model *m, unsigned long seed)
{
    char path[] = "/tmp/routersim-fit-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    double sigma2 = log1p(SERVICE_CV * SERVICE_CV);
    double mu = log(SERVICE_MEAN) - sigma2 / 2, sigma = sqrt(sigma2);
    double *s = malloc(100000 * sizeof *s);
    if (m->histogram)
        fputs("time,deployment,requests,replicas,le_0.05,le_0.1,le_0.2,le_0.3,le_0.5,le_1,le_inf\n",
              f);
    else
        fputs(m->thin ? "time,deployment,requests,replicas,p50,p90,p99\n"
                      : "time,deployment,requests,replicas,ready,completed,utilization,p50,p90,"
                        "p99\n",
              f);
    for (int i = 0; i < (m->constant ? 100 : N_WINDOWS); i++) {
        double t = i * WINDOW,
               mean = (m->constant ? MEAN_RATE : window_rate(t, t + WINDOW)) * WINDOW;
        unsigned n = m->overdispersed ? gsl_ran_negative_binomial(rng, 1.0 / 3.0, mean / 2.0)
                                      : gsl_ran_poisson(rng, mean);
        double busy = 0.0;
        for (unsigned k = 0; k < n; k++)
            busy += s[k] = gsl_ran_lognormal(rng, mu, sigma);
        gsl_sort(s, 1, n);
        double p50 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.5),
               p90 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.9),
               p99 = gsl_stats_quantile_from_sorted_data(s, 1, n, 0.99);
        int rep = wanted(t + WINDOW), rdy = ready(t + WINDOW);
        if (m->histogram) {
            fprintf(f, "%g,llm,%u,%d", t, n, rep);
            for (size_t b = 0, k = 0; b < N_BOUNDS; b++) {
                while (k < n && s[k] <= bounds[b])
                    k++;
                fprintf(f, ",%zu", k);
            }
            fprintf(f, ",%u\n", n);
        } else if (m->thin)
            fprintf(f, "%g,llm,%u,%d,%.9g,%.9g,%.9g\n", t, n, rep, p50, p90, p99);
        else
            fprintf(f, "%g,llm,%u,%d,%d,%u,%.9g,%.9g,%.9g,%.9g\n", t, n, rep, rdy, n,
                    busy / (rdy * CONCURRENCY * WINDOW), p50, p90, p99);
    }
    free(s);
    gsl_rng_free(rng);
    fclose(f);
    char err[1024];
    metricscsv *x = metricscsv_read(path, err, sizeof err);
    unlink(path);
    ck_assert_msg(x != NULL, "%s", err);
    return x;
}

static fit_result *fit_of_period(const metricscsv *x, double period_s)
{
    fit_options o = FIT_DEFAULT_OPTIONS;
    o.period_s = period_s;
    char err[1024];
    const metricscsv *ex[] = {x};
    fit_result *r = fit_run(ex, 1, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_uint_eq(r->n_deployments, 1);
    return r;
}

static fit_result *fit_of(const metricscsv *x)
{
    return fit_of_period(x, PERIOD);
}

static void covers(const char *what, const fit_value *v, double truth)
{
    ck_assert_msg(v->identified, "%s: not identified: %s", what, v->why);
    ck_assert_msg(v->lo <= truth && truth <= v->hi, "%s: %g not in [%g, %g] (estimate %g)", what,
                  truth, v->lo, v->hi, v->estimate);
}

START_TEST(recovers_a_known_model)
{
    metricscsv *x = generate(&(model){0, 0, 0, 0}, 20261202);
    fit_result *r = fit_of(x);
    const fit_deployment *d = &r->deployments[0];
    covers("mean rate", &d->mean_rate, MEAN_RATE);
    covers("peak", &d->peak, MEAN_RATE + AMPLITUDE);
    covers("trough", &d->trough, MEAN_RATE - AMPLITUDE);
    covers("peak_at", &d->peak_at, PEAK_AT);
    ck_assert(d->cycle);
    /* Poisson counts: the dispersion index lies in its range under Poisson */
    ck_assert_msg(d->dispersion >= d->dispersion_lo && d->dispersion <= d->dispersion_hi,
                  "dispersion %g outside [%g, %g]", d->dispersion, d->dispersion_lo,
                  d->dispersion_hi);
    covers("service mean", &d->service_mean, SERVICE_MEAN);
    covers("service cv", &d->service_cv, SERVICE_CV);
    covers("concurrency", &d->concurrency, CONCURRENCY);
    covers("cold start", &d->cold_start, COLD_START);
    ck_assert_uint_eq(d->cold_start_events, 2);
    /* the cold start's bounds are one window either side of what the windows saw */
    ck_assert(d->cold_start.hi - d->cold_start.lo <= 2 * WINDOW);
    fit_result_free(r);
    metricscsv_free(x);
}
END_TEST

START_TEST(flags_overdispersion)
{
    /* negative binomial counts, variance 3 x mean: the index is near 3, far above Poisson's */
    metricscsv *x = generate(&(model){1, 0, 0, 0}, 7);
    fit_result *r = fit_of(x);
    const fit_deployment *d = &r->deployments[0];
    ck_assert_msg(d->dispersion > d->dispersion_hi && d->dispersion_p < 1e-6,
                  "dispersion %g, Poisson up to %g, p %g", d->dispersion, d->dispersion_hi,
                  d->dispersion_p);
    ck_assert_msg(fabs(d->dispersion - 3.0) < 0.5, "dispersion %g, want about 3", d->dispersion);
    fit_result_free(r);
    metricscsv_free(x);
}
END_TEST

START_TEST(says_what_it_cannot_identify)
{
    /* no utilization, completed or ready: no concurrency and no cold start, said so */
    metricscsv *x = generate(&(model){0, 1, 0, 0}, 11);
    fit_result *r = fit_of(x);
    const fit_deployment *d = &r->deployments[0];
    ck_assert(!d->concurrency.identified && isnan(d->concurrency.estimate));
    ck_assert_str_eq(d->concurrency.why, "needs the utilization, completed and ready columns");
    ck_assert(!d->cold_start.identified);
    ck_assert_str_eq(d->cold_start.why, "needs the ready column");
    /* the arrivals do not need them */
    covers("peak", &d->peak, MEAN_RATE + AMPLITUDE);
    fit_result_free(r);
    metricscsv_free(x);
}
END_TEST

START_TEST(fits_a_histogram)
{
    /* cumulative counts at six bounds instead of quantiles: the same lognormal comes back */
    metricscsv *x = generate(&(model){0, 0, 1, 0}, 3);
    fit_result *r = fit_of(x);
    const fit_deployment *d = &r->deployments[0];
    covers("service mean", &d->service_mean, SERVICE_MEAN);
    covers("service cv", &d->service_cv, SERVICE_CV);
    fit_result_free(r);
    metricscsv_free(x);
}
END_TEST

START_TEST(constant_rate_over_a_short_span)
{
    /* 100 minutes of a constant 40/s against a 24-hour period: no cycle, and the rate is the
     * windows' mean, whose standard error is sqrt(40 / 60 / 100) = 0.082/s (Poisson), not
     * the ill-determined intercept of a cycle seen over a fraction of its period */
    metricscsv *x = generate(&(model){0, 0, 0, 1}, 5);
    fit_result *r = fit_of_period(x, 86400.0);
    const fit_deployment *d = &r->deployments[0];
    ck_assert(!d->cycle);
    covers("rate", &d->mean_rate, MEAN_RATE);
    ck_assert_msg(fabs(d->mean_rate.se - 0.082) < 0.02, "se %g", d->mean_rate.se);
    fit_result_free(r);
    metricscsv_free(x);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("fit");
    TCase *tc = tcase_create("fit");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, recovers_a_known_model);
    tcase_add_test(tc, flags_overdispersion);
    tcase_add_test(tc, says_what_it_cannot_identify);
    tcase_add_test(tc, fits_a_histogram);
    tcase_add_test(tc, constant_rate_over_a_short_span);
    suite_add_tcase(s, tc);
    return s;
}
