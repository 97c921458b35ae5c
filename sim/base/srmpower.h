/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * srmpower — how likely a phase's chi-square split test (splittest) is to catch a given
 * sample-ratio mismatch, and how many requests it needs to catch it with a target power.
 *
 * Under an alternative split p1, Pearson's goodness-of-fit statistic against p0 over n
 * requests is asymptotically noncentral chi-square with df = (non-zero shares) - 1 and
 * noncentrality lambda = n * sum (p1 - p0)^2 / p0; the power at level alpha is its upper
 * tail beyond the central chi-square's critical value. GSL has no noncentral chi-square, so
 * it is computed here as a Poisson(lambda / 2) mixture of central chi-square tails:
 *   P(X > x) = sum_j Pois(j; lambda / 2) Q_chi2(x; df + 2 j).
 * Every term lies in [0, 1], so the terms left out weigh at most the Poisson mass left out;
 * the sum stops once a geometric bound on that mass is below 1e-14, and the error reported
 * adds it to GSL's own error estimates and the rounding of the Poisson weights.
 *
 * The "detectable deviation" is what the test should catch: one deployment's share moved
 * by an absolute amount (0.01 = one percentage point) or a relative one (0.1 = 10 %), the
 * other non-zero shares rescaled proportionally so the shares still sum to 1. By default
 * one percentage point up on the smallest non-zero share. Knows nothing of scenarios.
 */
#ifndef ROUTERSIM_SRMPOWER_H
#define ROUTERSIM_SRMPOWER_H

#include <stddef.h>
#include <stdint.h>

/* Beyond this noncentrality the power is computed at the bound (it only grows with lambda)
 * and the gap to 1 is added to the error: for df up to 1000 and alpha >= 1e-300 it is 0. */
#define SRMPOWER_MAX_LAMBDA 2e4
/* Sample sizes beyond this are "not reachable": the deviation is too small to matter. */
#define SRMPOWER_MAX_REQUESTS 1e15

typedef struct {
    double p;     /* P(X <= x) */
    double q;     /* P(X > x) */
    double error; /* both are within this of the exact values */
} srmpower_tail;

/* X ~ noncentral chi-square(df, lambda), df > 0, 0 <= lambda <= SRMPOWER_MAX_LAMBDA, x >= 0.
 * Returns 0, or -1 with a message when the input is out of range or GSL fails. */
int srmpower_ncx2(double x, double df, double lambda, srmpower_tail *out, char *err, size_t errlen);

/* The test's critical value: P(chi2(df) > c) = alpha, 0 < alpha < 1. NaN when GSL fails. */
double srmpower_critical(int df, double alpha);

/* The power of the level-alpha test with df degrees of freedom at noncentrality lambda >= 0
 * (any size), within *error. Returns 0 or -1 with a message. */
int srmpower_power(int df, double lambda, double alpha, double *power, double *error, char *err,
                   size_t errlen);

/* The noncentrality per request: the sum over p0[i] > 0 of (p1[i] - p0[i])^2 / p0[i];
 * INFINITY when p1 puts weight where p0 has none. Both are shares summing to 1. */
double srmpower_effect(size_t k, const double *p0, const double *p1);

typedef enum { SRMPOWER_ABSOLUTE, SRMPOWER_RELATIVE } srmpower_kind;

typedef struct {
    srmpower_kind kind;
    double shift; /* added to the share (absolute) or to 1 as its factor (relative); != 0 */
    long index;   /* the deployment moved, or -1 for the smallest non-zero share */
} srmpower_deviation;

#define SRMPOWER_DEFAULT_DEVIATION ((srmpower_deviation){SRMPOWER_ABSOLUTE, 0.01, -1})

/* p1 from p0 (k non-negative weights, normalised here) and the deviation; *which is the
 * deployment moved. Fails when fewer than two shares are non-zero, the index is out of
 * range or on a zero share, or the moved share leaves (0, 1). */
int srmpower_deviate(size_t k, const double *p0, const srmpower_deviation *d, double *p1,
                     size_t *which, char *err, size_t errlen);

/* The smallest n >= 1 with power(n * effect) >= target, 0 < target < 1, effect > 0.
 * Fails when n would exceed SRMPOWER_MAX_REQUESTS. */
int srmpower_sample_size(int df, double effect, double alpha, double target, uint64_t *n, char *err,
                         size_t errlen);

/* A phase's plan: the power of its test with `requests` requests against the deviation,
 * and the requests needed for the target power. */
typedef struct {
    size_t which;         /* the deployment moved */
    double from, to;      /* its share, expected and deviated */
    int df;               /* 0: fewer than two non-zero shares, nothing to plan */
    double effect;        /* noncentrality per request */
    double power;         /* with the phase's requests */
    double power_error;   /* bound on the error of `power` */
    uint64_t needed;      /* requests for the target power */
    int needed_reachable; /* 0 when needed exceeds SRMPOWER_MAX_REQUESTS */
} srmpower_plan;

/* k shares p0 (normalised here); returns 0 or -1 with a message (bad input or GSL). */
int srmpower_plan_phase(size_t k, const double *p0, const srmpower_deviation *d, double alpha,
                        double target, uint64_t requests, srmpower_plan *out, char *err,
                        size_t errlen);

/* A phase's plan with its time: the request rate over its `seconds`, the time the needed
 * requests take at that rate, and whether its power falls short of the target. */
typedef struct {
    srmpower_plan plan;
    double rate_per_s; /* requests / seconds; 0 when seconds is 0 */
    double needed_s;   /* plan.needed / rate_per_s; INFINITY when unknown */
    int underpowered;  /* plan.df > 0 and plan.power < target */
} srmpower_phase;

/* srmpower_plan_phase and the times; returns 0 or -1 with a message. */
int srmpower_assess(size_t k, const double *p0, const srmpower_deviation *d, double alpha,
                    double target, uint64_t requests, double seconds, srmpower_phase *out,
                    char *err, size_t errlen);

#endif
