/* SPDX-License-Identifier: GPL-3.0-or-later */
/* For lgamma_r: lgamma itself writes the process-wide `signgam`, a data race when
 * replications run on threads. glibc, musl and the BSDs declare lgamma_r under their
 * default feature set, which _POSIX_C_SOURCE alone leaves out. */
#define _DEFAULT_SOURCE
#include "sim/base/seqtest.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

struct seqtest {
    size_t k;
    double c;
    double *p0;     /* normalised */
    uint64_t *n;    /* counts so far */
    uint64_t total; /* their sum */
    double log_bf, p_value;
};

double seqtest_log_bf_counts(size_t k, const double *p0, double c, const uint64_t *n)
{
    double sum = 0.0, total = 0.0;
    for (size_t i = 0; i < k; i++)
        sum += p0[i];
    double lbf = 0.0;
    int sign; /* every argument is positive: Gamma is too */
    for (size_t i = 0; i < k; i++) {
        double ni = (double)n[i];
        total += ni;
        if (p0[i] > 0.0) {
            double share = p0[i] / sum, a = c * share;
            lbf += lgamma_r(ni + a, &sign) - lgamma_r(a, &sign) - ni * log(share);
        } else if (n[i] > 0) {
            return INFINITY;
        }
    }
    return lbf + lgamma_r(c, &sign) - lgamma_r(total + c, &sign);
}

seqtest *seqtest_new(size_t k, const double *p0, double c, char *err, size_t errlen)
{
    double sum = 0.0;
    for (size_t i = 0; i < k; i++) {
        if (!(p0[i] >= 0.0) || !isfinite(p0[i])) {
            snprintf(err, errlen, "share %g of deployment %zu: expected a number >= 0", p0[i], i);
            return NULL;
        }
        sum += p0[i];
    }
    if (!(sum > 0.0)) {
        snprintf(err, errlen, "no deployment has a share");
        return NULL;
    }
    if (!(c > 0.0) || !isfinite(c)) {
        snprintf(err, errlen, "concentration %g: expected a finite number > 0", c);
        return NULL;
    }
    seqtest *t = calloc(1, sizeof *t);
    if (t) {
        t->p0 = malloc((k ? k : 1) * sizeof *t->p0);
        t->n = calloc(k ? k : 1, sizeof *t->n);
    }
    if (!t || !t->p0 || !t->n) {
        seqtest_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->k = k;
    t->c = c;
    for (size_t i = 0; i < k; i++)
        t->p0[i] = p0[i] / sum;
    t->p_value = 1.0;
    return t;
}

void seqtest_free(seqtest *t)
{
    if (!t)
        return;
    free(t->p0);
    free(t->n);
    free(t);
}

void seqtest_add(seqtest *t, const uint64_t *counts)
{
    for (size_t i = 0; i < t->k; i++) {
        t->n[i] += counts[i];
        t->total += counts[i];
    }
    t->log_bf = seqtest_log_bf_counts(t->k, t->p0, t->c, t->n);
    /* min(1, 1/BF) = exp(-max(0, log BF)) */
    double p = exp(-fmax(0.0, t->log_bf));
    if (p < t->p_value)
        t->p_value = p;
}

double seqtest_log_bf(const seqtest *t)
{
    return t->log_bf;
}

double seqtest_p_value(const seqtest *t)
{
    return t->p_value;
}

uint64_t seqtest_total(const seqtest *t)
{
    return t->total;
}
