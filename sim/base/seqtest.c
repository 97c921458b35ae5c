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
 * deployment that received requests, not per deployment. What a look reads of a
 * deployment sits together, and the deployments follow the test in one block: a fleet
 * looks at a thousand small tests per bin, each a few cache lines. */
typedef struct {
    double p0;        /* normalised */
    double a;         /* c * share, share = p0 renormalised as the closed form does */
    double lgamma_a;  /* lnG(a) */
    double log_share; /* ln share */
    double term;      /* with p0 > 0: the term at n */
    uint64_t n;       /* count so far */
} deployment_term;

struct seqtest {
    size_t k;
    seqtest_memo *memo;
    double c;
    uint64_t total; /* the counts' sum */
    double log_bf, p_value;
    int infinite;     /* a deployment with p0 = 0 received a request: BF is infinite */
    double lgamma_c;  /* lnG(c) */
    double lgamma_nc; /* lnG(total + c) at last_total */
    uint64_t last_total;
    deployment_term d[]; /* k of them */
};

/* The values of lnG that looks ask for. A look needs lnG(n_i + c p0_i) for every deployment
 * that received requests, and the same arguments come back again and again: deployments of
 * equal share have equal c p0_i (a fleet of like routers shares them all), and counts creep
 * up by a few per look. A pure function's memo, keyed on the argument's exact value, so a
 * hit is the bits lgamma_r gives: direct-mapped, a miss overwrites. Every argument is > 0,
 * so the empty cells' 0 is never asked for. Its cells follow the deployments of the tests
 * that use it (about two per deployment, at most MEMO_MAX_CELLS), so a small run keeps a
 * small table; growing starts afresh, as any content is only a cache. */
#define MEMO_MIN_CELLS 16
#define MEMO_MAX_CELLS 8192
typedef struct {
    double x, value;
} lgamma_cell;

struct seqtest_memo {
    lgamma_cell *cells;
    size_t mask;    /* cells - 1: a power of two minus one */
    unsigned shift; /* 64 - log2(cells) */
    size_t listed;  /* deployments of the tests using it */
};

seqtest_memo *seqtest_memo_new(void)
{
    return calloc(1, sizeof(seqtest_memo));
}

void seqtest_memo_free(seqtest_memo *m)
{
    if (m)
        free(m->cells);
    free(m);
}

/* Room for `listed` more deployments; a table that cannot grow stays as it is. */
static void memo_list(seqtest_memo *m, size_t listed)
{
    m->listed += listed;
    size_t want = MEMO_MIN_CELLS;
    while (want < 2 * m->listed && want < MEMO_MAX_CELLS)
        want *= 2;
    if (m->cells && want <= m->mask + 1)
        return;
    lgamma_cell *cells = calloc(want, sizeof *cells);
    if (!cells)
        return;
    free(m->cells);
    m->cells = cells;
    m->mask = want - 1;
    m->shift = 64;
    for (size_t n = want; n > 1; n /= 2)
        m->shift--;
}

static double lgamma_memoised(seqtest_memo *m, double x)
{
    int sign; /* every argument is positive: Gamma is too */
    if (!m || !m->cells)
        return lgamma_r(x, &sign);
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    lgamma_cell *cell = &m->cells[(bits * UINT64_C(0x9E3779B97F4A7C15)) >> m->shift];
    if (cell->x != x)
        *cell = (lgamma_cell){x, lgamma_r(x, &sign)};
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

seqtest *seqtest_new(size_t k, const double *p0, double c, seqtest_memo *memo, char *err,
                     size_t errlen)
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
    seqtest *t = calloc(1, sizeof *t + k * sizeof t->d[0]);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    t->k = k;
    t->c = c;
    t->memo = memo;
    if (memo)
        memo_list(memo, k);
    for (size_t i = 0; i < k; i++)
        t->d[i].p0 = p0[i] / sum;
    /* what seqtest_log_bf_counts derives from the shares, derived once */
    double normal = 0.0;
    for (size_t i = 0; i < k; i++)
        normal += t->d[i].p0;
    for (size_t i = 0; i < k; i++) {
        deployment_term *d = &t->d[i];
        if (d->p0 > 0.0) {
            double share = d->p0 / normal;
            d->a = c * share;
            d->lgamma_a = lgamma_memoised(memo, d->a);
            d->log_share = log(share);
            /* the term at n = 0; lnG(0 + a) is lnG(a), already at hand */
            d->term = d->lgamma_a - d->lgamma_a - 0.0 * d->log_share;
        }
    }
    t->lgamma_c = lgamma_memoised(memo, c);
    t->lgamma_nc = t->lgamma_c;
    t->p_value = 1.0;
    return t;
}

void seqtest_free(seqtest *t)
{
    if (t && t->memo)
        t->memo->listed -= t->k;
    free(t);
}

void seqtest_add(seqtest *t, const uint64_t *counts)
{
    /* one pass: a deployment's term is brought up to date, then added in its turn, so the
     * sum runs in the closed form's order over every term */
    double lbf = 0.0, total = 0.0;
    for (size_t i = 0; i < t->k; i++) {
        deployment_term *d = &t->d[i];
        if (counts[i]) {
            d->n += counts[i];
            t->total += counts[i];
            if (d->p0 > 0.0) {
                double ni = (double)d->n;
                d->term = lgamma_memoised(t->memo, ni + d->a) - d->lgamma_a - ni * d->log_share;
            } else {
                t->infinite = 1;
            }
        }
        total += (double)d->n;
        if (d->p0 > 0.0)
            lbf += d->term;
    }
    if (t->total != t->last_total) {
        t->lgamma_nc = lgamma_memoised(t->memo, total + t->c);
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
