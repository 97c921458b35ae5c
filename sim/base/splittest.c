/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/splittest.h"

#include "sim/base/gslerr.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* Wilson-Hilferty: (X/df)^(1/3) is close to normal with mean 1 - 2/(9 df) and variance
 * 2/(9 df). GSL's incomplete gamma gives up only for df in the millions, where this
 * approximation's relative error stays below 1e-4 down to p = 1e-12. */
static double wilson_hilferty_q(double chi2, int df)
{
    double v = 2.0 / (9.0 * df);
    return gsl_cdf_ugaussian_Q((cbrt(chi2 / df) - (1.0 - v)) / sqrt(v));
}

/* Q(df/2, chi2/2) is the chi-square upper tail; GSL's failures come back as statuses
 * (gslerr.h says why its handler is off for good rather than swapped around the call). */
double splittest_p_value(double chi2, int df)
{
    if (df < 1 || !(chi2 > 0.0))
        return isnan(chi2) ? chi2 : 1.0;
    if (isinf(chi2))
        return 0.0;

    gslerr_quiet();
    gsl_sf_result q;
    int status = gsl_sf_gamma_inc_Q_e(0.5 * df, 0.5 * chi2, &q);

    if (status == GSL_EUNDRFLW)
        return 0.0;
    if (status != GSL_SUCCESS || !isfinite(q.val))
        return wilson_hilferty_q(chi2, df);
    return q.val < 0.0 ? 0.0 : q.val > 1.0 ? 1.0 : q.val;
}

const char *splittest_verdict_name(splittest_verdict v)
{
    switch (v) {
    case SPLITTEST_PASS:
        return "pass";
    case SPLITTEST_FAIL:
        return "fail";
    case SPLITTEST_SKIPPED:
        return "skipped";
    }
    return "unknown";
}

/* r with verdict v and its reason. */
static splittest_result judged(splittest_result r, splittest_verdict v, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static splittest_result judged(splittest_result r, splittest_verdict v, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(r.reason, sizeof r.reason, fmt, args);
    va_end(args);
    r.verdict = v;
    return r;
}

/* The first share outside [0, 1] (NaN included), or n. */
static size_t invalid_share(size_t n, const double *share)
{
    for (size_t i = 0; i < n; i++)
        if (!(share[i] >= 0.0 && share[i] <= 1.0))
            return i;
    return n;
}

/* The first deployment with requests but no share, or n. */
static size_t impossible_observation(size_t n, const uint64_t *observed, const double *share)
{
    for (size_t i = 0; i < n; i++)
        if (share[i] == 0.0 && observed[i] > 0)
            return i;
    return n;
}

static uint64_t total_requests(size_t n, const uint64_t *observed)
{
    uint64_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += observed[i];
    return total;
}

/*
 * Expected counts are total * share / (sum of shares), so shares that sum to 1 only up to
 * rounding do not bias chi2. Filled before any rule applies: a skipped or failed phase
 * still reports its statistic.
 */
static splittest_result statistic(size_t n, const uint64_t *observed, const double *share,
                                  double *min_expected)
{
    splittest_result r = {.chi2 = 0.0, .df = 0, .p_value = 1.0, .verdict = SPLITTEST_PASS};
    int compared = 0;
    double total = (double)total_requests(n, observed), share_sum = 0.0;
    for (size_t i = 0; i < n; i++)
        share_sum += share[i];
    *min_expected = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (share[i] == 0.0)
            continue;
        double expected = total * share[i] / share_sum;
        double diff = (double)observed[i] - expected;
        if (expected > 0.0)
            r.chi2 += diff * diff / expected;
        if (expected < *min_expected)
            *min_expected = expected;
        compared++;
    }
    if (compared > 1) {
        r.df = compared - 1;
        r.p_value = splittest_p_value(r.chi2, r.df);
    }
    return r;
}

splittest_result splittest_run(size_t n, const uint64_t *observed, const double *expected_share,
                               double alpha)
{
    double min_expected;
    size_t bad = invalid_share(n, expected_share);
    if (bad < n)
        return judged((splittest_result){.p_value = 0.0}, SPLITTEST_FAIL,
                      "expected share %g of deployment %zu is outside [0, 1]", expected_share[bad],
                      bad);

    splittest_result r = statistic(n, observed, expected_share, &min_expected);
    size_t stray = impossible_observation(n, observed, expected_share);
    if (stray < n) {
        r.p_value = 0.0;
        return judged(r, SPLITTEST_FAIL,
                      "%llu requests on deployment %zu, whose expected share is 0",
                      (unsigned long long)observed[stray], stray);
    }
    if (total_requests(n, observed) == 0)
        return judged(r, SPLITTEST_SKIPPED, "no requests");
    if (min_expected < SPLITTEST_MIN_EXPECTED)
        return judged(r, SPLITTEST_SKIPPED, "smallest expected count %.3g is under %g",
                      min_expected, SPLITTEST_MIN_EXPECTED);
    if (r.df > 0 && r.p_value < alpha)
        return judged(r, SPLITTEST_FAIL, "chi2 %.4g with %d df: p = %.3g < alpha %g", r.chi2, r.df,
                      r.p_value, alpha);
    return r;
}

typedef struct {
    double p;
    size_t index;
} ranked;

static int by_p(const void *a, const void *b)
{
    double x = ((const ranked *)a)->p, y = ((const ranked *)b)->p;
    return (x > y) - (x < y);
}

int splittest_holm(size_t n, const double *p, double alpha, int *reject)
{
    ranked *order = malloc((n ? n : 1) * sizeof *order);
    if (!order)
        return -1;
    for (size_t i = 0; i < n; i++) {
        order[i] = (ranked){p[i], i};
        reject[i] = 0;
    }
    qsort(order, n, sizeof *order, by_p);
    for (size_t k = 0; k < n && order[k].p <= alpha / (double)(n - k); k++)
        reject[order[k].index] = 1;
    free(order);
    return 0;
}
