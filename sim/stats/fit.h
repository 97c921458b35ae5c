/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit — a scenario's parameters estimated from a fleet's metrics (metricscsv.h), each with
 * its uncertainty, so that a capacity verdict rests on measured numbers rather than
 * invented ones. Per deployment:
 *   arrivals   the rate per window; the daily cycle of the scenario format's `daily`
 *              (mean + amplitude cos(2 pi (t - peak_at) / period), the period given) by
 *              least squares on the window means of the sinusoid, standard errors from the
 *              residual variance carried to peak, trough and peak_at by the delta method;
 *              the index of dispersion of the counts about the fitted rate (1 for Poisson)
 *              with its range under Poisson (chi-square, N - 3 degrees of freedom)
 *   service    a lognormal fitted to each low-utilisation window's latency quantiles (or
 *              histogram) by least squares of log latency on the normal quantile; the mean
 *              of the windows' (mu, sigma) with the standard error of that mean (windows
 *              independent), carried to mean and cv by the delta method
 *   concurrency  completed x mean service time / (utilisation x ready x window) per steady
 *              window, its mean and standard error (with the service mean's error added)
 *   cold start each scale-up bounds it by the windows in which replicas rose and ready
 *              caught up; the interval is the intersection of the events' bounds
 * A parameter the metrics cannot identify says why instead of a number.
 */
#ifndef ROUTERSIM_FIT_H
#define ROUTERSIM_FIT_H

#include "sim/load/metricscsv.h"

#include <stddef.h>

typedef struct {
    int identified;      /* else why says what is missing */
    double estimate, se; /* se NAN for interval-only estimates (cold start) */
    double lo, hi;       /* the interval at the confidence level */
    char why[200];
} fit_value;

typedef struct {
    char *name;
    size_t n_windows;
    unsigned first_replicas; /* the replicas of its first window */
    /* per window, in time order: start (relative to fit_result.start_s), observed and
     * fitted rate per second */
    double *time_s, *observed_rate, *fitted_rate;
    fit_value mean_rate, amplitude, peak, trough, peak_at;
    int cycle;                           /* the amplitude differs from 0 at the confidence level */
    double dispersion;                   /* sum((n - mu)^2 / mu) / df */
    double dispersion_lo, dispersion_hi; /* its range under Poisson at the confidence level */
    double dispersion_p;                 /* upper-tail p-value against Poisson */
    size_t dispersion_df;
    size_t service_windows; /* windows the service fit used */
    double service_rms;     /* rms residual of log latency about the fitted lines */
    fit_value mu, sigma, service_mean, service_cv;
    /* the points the service fit used: normal quantile z and latency in seconds */
    size_t n_service_points;
    double *service_z, *service_latency_s;
    fit_value concurrency;
    size_t concurrency_windows;
    fit_value cold_start;
    size_t cold_start_events;
} fit_deployment;

typedef struct {
    double period_s;        /* the daily cycle's period */
    double max_utilization; /* windows at most this busy are "low utilisation" */
    double confidence;      /* of every interval */
    /* the export's quantiles are within this relative error of the true ones (0: exact;
     * routersim's own load.csv: 0.01); added to the service fit's standard errors as a
     * systematic error, uniform within it */
    double resolution;
} fit_options;

#define FIT_DEFAULT_OPTIONS ((fit_options){86400.0, 0.5, 0.95, 0.0})

typedef struct {
    fit_options options;
    double window_s, start_s, span_s;
    size_t n_sources;
    char **sources;
    size_t n_deployments;
    fit_deployment *deployments;
} fit_result;

/* Fit every deployment of the exports (same window length; a deployment's windows may come
 * from several of them). NULL with the reason in err. */
fit_result *fit_run(const metricscsv *const *exports, size_t n, const fit_options *o, char *err,
                    size_t errlen);
void fit_result_free(fit_result *r);

#endif
