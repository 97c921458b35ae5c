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
#include <string.h>

/* A look adds up the closed form's terms, one per deployment, as seqtest_log_bf_counts
 * does and in its order, so the Bayes factor is the same to the bit; but a term is
 * computed again only when its count changed, so a look costs a gamma function per
 * deployment that received requests, not per deployment. */
struct seqtest {
    size_t k;
    double c;
    double *p0;     /* normalised */
    uint64_t *n;    /* counts so far */
    uint64_t total; /* their sum */
    double log_bf, p_value;
    double *share, *a, *lgamma_a, *log_share; /* per deployment, for its term */
    double *term;                             /* per deployment with p0 > 0: at n */
    int infinite;     /* a deployment with p0 = 0 received a request: BF is infinite */
    double lgamma_c;  /* lnG(c) */
    double lgamma_nc; /* lnG(total + c) at last_total */
    uint64_t last_total;
};

/* The values of lnG a look asks for, per thread. A look needs lnG(n_i + c p0_i) for every
 * deployment that received requests, and the same arguments come back again and again:
 * deployments of equal share have equal c p0_i (a fleet of like routers shares them all),
 * and counts creep up by a few per look. A pure function's memo, keyed on the argument's
 * exact value, so a hit is the bits lgamma_r gives: direct-mapped, a miss overwrites. Every
 * argument is > 0, so the empty cells' 0 is never asked for. */
#define LGAMMA_MEMO_BITS 13
typedef struct {
    double x, value;
} lgamma_cell;
static _Thread_local lgamma_cell lgamma_memo[1u << LGAMMA_MEMO_BITS];

static double lgamma_memoised(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    lgamma_cell *cell =
        &lgamma_memo[(bits * UINT64_C(0x9E3779B97F4A7C15)) >> (64 - LGAMMA_MEMO_BITS)];
    if (cell->x != x) {
        int sign; /* every argument is positive: Gamma is too */
        *cell = (lgamma_cell){x, lgamma_r(x, &sign)};
    }
    return cell->value;
}

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
    size_t m = k ? k : 1;
    if (t) {
        t->p0 = malloc(m * sizeof *t->p0);
        t->n = calloc(m, sizeof *t->n);
        t->share = malloc(m * sizeof *t->share);
        t->a = malloc(m * sizeof *t->a);
        t->lgamma_a = malloc(m * sizeof *t->lgamma_a);
        t->log_share = malloc(m * sizeof *t->log_share);
        t->term = malloc(m * sizeof *t->term);
    }
    if (!t || !t->p0 || !t->n || !t->share || !t->a || !t->lgamma_a || !t->log_share || !t->term) {
        seqtest_free(t);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->k = k;
    t->c = c;
    for (size_t i = 0; i < k; i++)
        t->p0[i] = p0[i] / sum;
    /* what seqtest_log_bf_counts derives from the shares, derived once */
    double normal = 0.0;
    for (size_t i = 0; i < k; i++)
        normal += t->p0[i];
    for (size_t i = 0; i < k; i++)
        if (t->p0[i] > 0.0) {
            t->share[i] = t->p0[i] / normal;
            t->a[i] = c * t->share[i];
            t->lgamma_a[i] = lgamma_memoised(t->a[i]);
            t->log_share[i] = log(t->share[i]);
            /* the term at n = 0; lnG(0 + a) is lnG(a), already at hand */
            t->term[i] = t->lgamma_a[i] - t->lgamma_a[i] - 0.0 * t->log_share[i];
        }
    t->lgamma_c = lgamma_memoised(c);
    t->lgamma_nc = t->lgamma_c;
    t->p_value = 1.0;
    return t;
}

void seqtest_free(seqtest *t)
{
    if (!t)
        return;
    free(t->p0);
    free(t->n);
    free(t->share);
    free(t->a);
    free(t->lgamma_a);
    free(t->log_share);
    free(t->term);
    free(t);
}

void seqtest_add(seqtest *t, const uint64_t *counts)
{
    for (size_t i = 0; i < t->k; i++) {
        if (!counts[i])
            continue;
        t->n[i] += counts[i];
        t->total += counts[i];
        if (t->p0[i] > 0.0) {
            double ni = (double)t->n[i];
            t->term[i] = lgamma_memoised(ni + t->a[i]) - t->lgamma_a[i] - ni * t->log_share[i];
        } else {
            t->infinite = 1;
        }
    }
    double lbf = 0.0, total = 0.0;
    for (size_t i = 0; i < t->k; i++) {
        total += (double)t->n[i];
        if (t->p0[i] > 0.0)
            lbf += t->term[i];
    }
    if (t->total != t->last_total) {
        t->lgamma_nc = lgamma_memoised(total + t->c);
        t->last_total = t->total;
    }
    t->log_bf = t->infinite ? INFINITY : lbf + t->lgamma_c - t->lgamma_nc;
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
