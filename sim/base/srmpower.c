/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For lgamma_r: lgamma itself writes the process-wide `signgam`, a data race when
 * replications run on threads. glibc, musl and the BSDs declare lgamma_r under their
 * default feature set, which _POSIX_C_SOURCE alone leaves out. */
#define _DEFAULT_SOURCE
#include "sim/base/srmpower.h"

#include "sim/base/gslerr.h"

#include <float.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_gamma.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

/* The Poisson mass the mixture may leave out. */
#define TAIL_MASS 1e-14

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(err, errlen, fmt, args);
    va_end(args);
    return -1;
}

/* Central chi-square P and Q at x with df degrees of freedom, GSL's error estimate added
 * to *error (weighted by the term's Poisson weight). With upper_only, Q alone (*p is 0 and
 * *error has Q's error only): the sample-size search needs nothing else, and Q is the same
 * double either way. */
static int central(double x, double df, double weight, int upper_only, double *p, double *q,
                   double *error)
{
    gsl_sf_result rp = {0.0, 0.0}, rq;
    int sp = upper_only ? GSL_SUCCESS : gsl_sf_gamma_inc_P_e(0.5 * df, 0.5 * x, &rp);
    int sq = gsl_sf_gamma_inc_Q_e(0.5 * df, 0.5 * x, &rq);
    /* An underflow is a value below the smallest double: 0 within that. */
    if (sp == GSL_EUNDRFLW)
        rp = (gsl_sf_result){0.0, DBL_MIN};
    else if (sp != GSL_SUCCESS || !isfinite(rp.val))
        return -1;
    if (sq == GSL_EUNDRFLW)
        rq = (gsl_sf_result){0.0, DBL_MIN};
    else if (sq != GSL_SUCCESS || !isfinite(rq.val))
        return -1;
    *p = rp.val;
    *q = rq.val;
    *error += weight * fmax(rp.err, rq.err);
    return 0;
}

/*
 * Sum from the Poisson mode outward, the weights by their ratios
 *   w(j + 1) = w(j) mu / (j + 1),  w(j - 1) = w(j) j / mu.
 * Upward: past J + 2 > mu the ratios beyond J + 1 are at most r = mu / (J + 2) < 1, so the
 * mass above J is at most w(J + 1) / (1 - r). Downward likewise the mass below J is at most
 * w(J - 1) / (1 - (J - 1) / mu) once J - 1 < mu. Each side stops when its bound is under
 * TAIL_MASS / 2. The mode's weight is only known to the rounding of exp(log w), which for
 * large mu is many ulps; every other weight is a multiple of it, so dividing the sums by
 * the sum of the weights taken, W, cancels that error. What remains: the sums over the
 * terms taken differ from the exact mixture by at most the mass left out (every term is in
 * [0, 1]), dividing by W >= 1 - mass left out moves them by at most as much again, plus
 * GSL's error estimates and rounding: each weight is off by at most 2 ulps per step from
 * the mode (its average over the weights is far below the number of terms) and each
 * addition by 1 ulp of the sum: 4 ulps per term in all is a safe allowance.
 */
static int mixture(double x, double df, double lambda, int upper_only, srmpower_tail *out)
{
    double mu = 0.5 * lambda;
    double mode = floor(mu);
    int sign;
    double w_mode = mu > 0.0 ? exp(mode * log(mu) - mu - lgamma_r(mode + 1.0, &sign)) : 1.0;
    double p = 0.0, q = 0.0, weights = 0.0, error = 0.0, tp, tq;
    long terms = 0;

    if (central(x, df + 2.0 * mode, w_mode, upper_only, &tp, &tq, &error) != 0)
        return -1;
    p += w_mode * tp;
    q += w_mode * tq;
    weights += w_mode;
    terms++;

    double w = w_mode, j = mode, tail_up;
    for (;;) {
        double next = w * mu / (j + 1.0);
        double r = mu / (j + 2.0);
        tail_up = r < 1.0 ? next / (1.0 - r) : INFINITY;
        if (tail_up <= 0.5 * TAIL_MASS * weights)
            break;
        w = next;
        j += 1.0;
        if (central(x, df + 2.0 * j, w, upper_only, &tp, &tq, &error) != 0)
            return -1;
        p += w * tp;
        q += w * tq;
        weights += w;
        terms++;
    }

    w = w_mode;
    j = mode;
    double tail_down = 0.0;
    while (j > 0.0) {
        double prev = w * j / mu;
        double r = (j - 1.0) / mu;
        tail_down = r < 1.0 ? prev / (1.0 - r) : INFINITY;
        if (tail_down <= 0.5 * TAIL_MASS * weights)
            break;
        w = prev;
        j -= 1.0;
        tail_down = 0.0;
        if (central(x, df + 2.0 * j, w, upper_only, &tp, &tq, &error) != 0)
            return -1;
        p += w * tp;
        q += w * tq;
        weights += w;
        terms++;
    }

    /* the tails and GSL's errors were summed on the scale of the computed weights */
    double left_out = (tail_up + tail_down) / weights;
    out->p = fmin(1.0, fmax(0.0, p / weights));
    out->q = fmin(1.0, fmax(0.0, q / weights));
    out->error = 2.0 * left_out + error / weights + (double)terms * 4.0 * DBL_EPSILON;
    return 0;
}

/* srmpower_ncx2, or with upper_only its q alone (p is 0, error that of q's terms only). */
static int ncx2(double x, double df, double lambda, int upper_only, srmpower_tail *out, char *err,
                size_t errlen)
{
    if (!(df > 0.0) || !isfinite(df))
        return fail(err, errlen, "degrees of freedom %g: expected a positive number", df);
    if (!(lambda >= 0.0 && lambda <= SRMPOWER_MAX_LAMBDA))
        return fail(err, errlen, "noncentrality %g: expected a number in [0, %g]", lambda,
                    SRMPOWER_MAX_LAMBDA);
    if (!(x >= 0.0) || !isfinite(x))
        return fail(err, errlen, "chi-square value %g: expected a finite number >= 0", x);
    gslerr_quiet();
    int status = mixture(x, df, lambda, upper_only, out);
    if (status != 0)
        return fail(err, errlen, "noncentral chi-square at %g (df %g, lambda %g): GSL failed", x,
                    df, lambda);
    return 0;
}

int srmpower_ncx2(double x, double df, double lambda, srmpower_tail *out, char *err, size_t errlen)
{
    return ncx2(x, df, lambda, 0, out, err, errlen);
}

double srmpower_critical(int df, double alpha)
{
    if (df < 1 || !(alpha > 0.0 && alpha < 1.0))
        return NAN;
    gslerr_quiet();
    double c = gsl_cdf_chisq_Qinv(alpha, df);
    return isfinite(c) && c >= 0.0 ? c : NAN;
}

/* The power at critical value c (srmpower_critical(df, alpha)), which a search over lambda
 * computes once; with upper_only, *error is not an error bound (see ncx2). */
static int power_at(int df, double c, double lambda, int upper_only, double *power, double *error,
                    char *err, size_t errlen)
{
    if (!(lambda >= 0.0))
        return fail(err, errlen, "noncentrality %g: expected a number >= 0", lambda);
    /* the power only grows with lambda: beyond the bound it lies between its value there
     * and 1 */
    double at = fmin(lambda, SRMPOWER_MAX_LAMBDA);
    srmpower_tail t;
    if (ncx2(c, df, at, upper_only, &t, err, errlen) != 0)
        return -1;
    *power = t.q;
    *error = t.error + (lambda > at ? 1.0 - t.q : 0.0);
    return 0;
}

int srmpower_power(int df, double lambda, double alpha, double *power, double *error, char *err,
                   size_t errlen)
{
    double c = srmpower_critical(df, alpha);
    if (isnan(c) && lambda >= 0.0)
        return fail(err, errlen, "no critical value for df %d at alpha %g", df, alpha);
    return power_at(df, c, lambda, 0, power, error, err, errlen);
}

double srmpower_effect(size_t k, const double *p0, const double *p1)
{
    double sum = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (p0[i] > 0.0) {
            double d = p1[i] - p0[i];
            sum += d * d / p0[i];
        } else if (p1[i] > 0.0) {
            return INFINITY;
        }
    }
    return sum;
}

int srmpower_deviate(size_t k, const double *p0, const srmpower_deviation *d, double *p1,
                     size_t *which, char *err, size_t errlen)
{
    double total = 0.0;
    size_t nonzero = 0, smallest = k;
    for (size_t i = 0; i < k; i++) {
        if (!(p0[i] >= 0.0) || !isfinite(p0[i]))
            return fail(err, errlen, "share %g of deployment %zu: expected a number >= 0", p0[i],
                        i);
        total += p0[i];
        if (p0[i] > 0.0) {
            nonzero++;
            if (smallest == k || p0[i] < p0[smallest])
                smallest = i;
        }
    }
    if (nonzero < 2)
        return fail(err, errlen, "fewer than two deployments with a share: no split to test");
    if (d->index >= (long)k || d->index < -1)
        return fail(err, errlen, "deployment %ld: expected 0 to %zu", d->index, k - 1);
    size_t i = d->index < 0 ? smallest : (size_t)d->index;
    if (p0[i] == 0.0)
        return fail(err, errlen, "deployment %zu has no share to move", i);
    if (!(d->shift != 0.0) || !isfinite(d->shift))
        return fail(err, errlen, "deviation %g: expected a non-zero number", d->shift);

    double from = p0[i] / total;
    double to = d->kind == SRMPOWER_ABSOLUTE ? from + d->shift : from * (1.0 + d->shift);
    if (!(to > 0.0 && to < 1.0))
        return fail(err, errlen, "share %g moved by %s %g is %g: expected a share in (0, 1)", from,
                    d->kind == SRMPOWER_ABSOLUTE ? "absolute" : "relative", d->shift, to);
    double scale = (1.0 - to) / (1.0 - from);
    for (size_t j = 0; j < k; j++)
        p1[j] = j == i ? to : p0[j] / total * scale;
    *which = i;
    return 0;
}

/* The requests a search may ask for: the last power of two the first search (doubling
 * from 1 until reached, then bisecting) tried before it gave up beyond
 * SRMPOWER_MAX_REQUESTS; the answers are still those of that search. */
static double reach(void)
{
    double n = 1.0;
    while (2.0 * n <= SRMPOWER_MAX_REQUESTS)
        n *= 2.0;
    return n;
}

typedef struct {
    int df;
    double c, effect, target;
    char *err;
    size_t errlen;
} search;

/* The power with n requests: the upper tail alone, the same double srmpower_power gives. */
static int power_of(const search *s, double n, double *power)
{
    double error;
    return power_at(s->df, s->c, n * s->effect, 1, power, &error, s->err, s->errlen);
}

/* A real n near the answer, for the search on whole numbers to start from: the normal
 * approximation of the noncentral chi-square (mean df + lambda, variance 2 (df + 2 lambda))
 * solved for the target, then secant steps on the exact power, stopped within a request or
 * when a step would leave (0, reach] or not move. Only where the search starts depends on
 * it, never its answer. */
static double first_guess(const search *s, double limit)
{
    /* mean - c = z sd with u = sd = sqrt(2 df + 4 lambda): u^2 - 4 z u + 2 df - 4 c = 0 */
    double z = gsl_cdf_ugaussian_Pinv(s->target), df = s->df;
    double u = 2.0 * z + sqrt(fmax(0.0, 4.0 * z * z - 2.0 * df + 4.0 * s->c));
    double lambda = 0.25 * (u * u - 2.0 * df);
    double x0 = isfinite(lambda) && lambda > 0.0 ? fmin(limit, fmax(1.0, lambda / s->effect)) : 1.0;
    double x1 = fmin(limit, 1.01 * x0 + 1.0), g0, g1;
    if (power_of(s, x0, &g0) != 0 || power_of(s, x1, &g1) != 0)
        return x0;
    g0 -= s->target;
    g1 -= s->target;
    for (int step = 0; step < 8 && g1 != g0; step++) {
        double x2 = x1 - g1 * (x1 - x0) / (g1 - g0), g2;
        if (!(x2 > 0.0 && x2 <= limit) || fabs(x2 - x1) < 0.5)
            return isfinite(x2) && x2 > 0.0 && x2 <= limit ? x2 : x1;
        if (power_of(s, x2, &g2) != 0)
            return x2;
        x0 = x1, g0 = g1;
        x1 = x2, g1 = g2 - s->target;
    }
    return x1;
}

/*
 * The smallest whole n >= 1 with power(n) >= target, where power only grows with n: from a
 * guess, steps of 1, 2, 4... down or up until the target lies between two whole numbers
 * (lo = 0 counts as short of it and is never computed, as power(0) = alpha < target or n = 1
 * suffices), then bisection. With a good guess that is two evaluations of the power
 * (first_guess spends some more), where doubling from 1 and bisecting took some forty; the
 * answer is the same whole number, the only one where the computed power crosses the target
 * (it grows with n, as the test srmpower/sample_size_search holds it to).
 */
static int search_sample_size(int df, double effect, double alpha, double target, uint64_t *n,
                              char *err, size_t errlen)
{
    if (!(target > 0.0 && target < 1.0))
        return fail(err, errlen, "target power %g: expected a number in (0, 1)", target);
    if (!(effect > 0.0) || !isfinite(effect))
        return fail(err, errlen, "effect %g: expected a finite number > 0", effect);
    double power, c = srmpower_critical(df, alpha);
    if (isnan(c))
        return fail(err, errlen, "no critical value for df %d at alpha %g", df, alpha);
    search s = {df, c, effect, target, err, errlen};
    double limit = reach();

    double lo, hi, guess = fmin(limit, fmax(1.0, ceil(first_guess(&s, limit))));
    if (power_of(&s, guess, &power) != 0)
        return -1;
    if (power >= target) {
        hi = guess;
        for (double step = 1.0;; step *= 2.0) {
            lo = fmax(0.0, hi - step);
            if (lo == 0.0)
                break;
            if (power_of(&s, lo, &power) != 0)
                return -1;
            if (power < target)
                break;
            hi = lo;
        }
    } else {
        lo = guess;
        for (double step = 1.0;; step *= 2.0) {
            hi = fmin(limit, lo + step);
            if (hi == lo)
                return fail(err, errlen,
                            "more than %g requests needed: the deviation is too small to detect",
                            SRMPOWER_MAX_REQUESTS);
            if (power_of(&s, hi, &power) != 0)
                return -1;
            if (power >= target)
                break;
            lo = hi;
        }
    }
    /* invariant: power(lo) < target <= power(hi) */
    while (hi - lo > 1.0) {
        double mid = floor(0.5 * (lo + hi));
        if (power_of(&s, mid, &power) != 0)
            return -1;
        if (power >= target)
            hi = mid;
        else
            lo = mid;
    }
    *n = (uint64_t)hi;
    return 0;
}

/* The last answers of srmpower_sample_size, per thread. The search costs several
 * noncentral chi-square evaluations, and a run asks the same question over and over: every
 * phase of a split it has seen before (a step back and forth, autoscaling between two
 * counts) and every report that shows the phase. A pure function's memo: keyed on all of
 * its arguments, exactly, so an answer is the one the search gives. */
#define MEMO_SIZE 8
typedef struct {
    int df;
    double effect, alpha, target;
    uint64_t n; /* 0: the entry is empty */
} memo_entry;
static _Thread_local memo_entry memo[MEMO_SIZE];
static _Thread_local unsigned memo_next;

int srmpower_sample_size(int df, double effect, double alpha, double target, uint64_t *n, char *err,
                         size_t errlen)
{
    for (unsigned i = 0; i < MEMO_SIZE; i++)
        if (memo[i].n && memo[i].df == df && memo[i].effect == effect && memo[i].alpha == alpha &&
            memo[i].target == target) {
            *n = memo[i].n;
            return 0;
        }
    if (search_sample_size(df, effect, alpha, target, n, err, errlen) != 0)
        return -1;
    memo[memo_next] = (memo_entry){df, effect, alpha, target, *n};
    memo_next = (memo_next + 1) % MEMO_SIZE;
    return 0;
}

int srmpower_plan_phase(size_t k, const double *p0, const srmpower_deviation *d, double alpha,
                        double target, uint64_t requests, srmpower_plan *out, char *err,
                        size_t errlen)
{
    *out = (srmpower_plan){0};
    if (!(target > 0.0 && target < 1.0))
        return fail(err, errlen, "target power %g: expected a number in (0, 1)", target);
    int nonzero = 0;
    for (size_t i = 0; i < k; i++)
        nonzero += p0[i] > 0.0;
    if (nonzero < 2)
        return 0;
    double *p1 = malloc(k * sizeof *p1), *norm = malloc(k * sizeof *norm);
    if (!p1 || !norm) {
        free(p1);
        free(norm);
        return fail(err, errlen, "out of memory");
    }
    int status = srmpower_deviate(k, p0, d, p1, &out->which, err, errlen);
    if (status == 0) {
        double total = 0.0;
        for (size_t i = 0; i < k; i++)
            total += p0[i];
        for (size_t i = 0; i < k; i++)
            norm[i] = p0[i] / total;
        out->from = norm[out->which];
        out->to = p1[out->which];
        out->df = nonzero - 1;
        out->effect = srmpower_effect(k, norm, p1);
        status = srmpower_power(out->df, (double)requests * out->effect, alpha, &out->power,
                                &out->power_error, err, errlen);
    }
    if (status == 0) {
        char why[256];
        out->needed_reachable = srmpower_sample_size(out->df, out->effect, alpha, target,
                                                     &out->needed, why, sizeof why) == 0;
    }
    free(p1);
    free(norm);
    return status;
}

int srmpower_assess(size_t k, const double *p0, const srmpower_deviation *d, double alpha,
                    double target, uint64_t requests, double seconds, srmpower_phase *out,
                    char *err, size_t errlen)
{
    *out = (srmpower_phase){.needed_s = INFINITY};
    if (srmpower_plan_phase(k, p0, d, alpha, target, requests, &out->plan, err, errlen) != 0)
        return -1;
    out->rate_per_s = seconds > 0.0 ? (double)requests / seconds : 0.0;
    if (out->plan.df > 0 && out->plan.needed_reachable && out->rate_per_s > 0.0)
        out->needed_s = (double)out->plan.needed / out->rate_per_s;
    out->underpowered = out->plan.df > 0 && out->plan.power < target;
    return 0;
}
