/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/latency.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/*
 * The error bound. Bucket i covers [lo_i, lo_(i+1)) with lo_i = LATENCY_MIN_S * g^i and
 * g = (1 + e) / (1 - e), and it reports r_i = lo_i (1 + e), which is also lo_(i+1) (1 - e).
 * For every x in the bucket:
 *   r_i - x <= r_i - lo_i = e lo_i <= e x                       since x >= lo_i,
 *   x - r_i <= e x  <=>  x (1 - e) <= r_i = lo_(i+1) (1 - e)   true since x < lo_(i+1),
 * so |r_i - x| <= e x. The report is the bucket b where the running count first reaches the
 * rank r, and it holds the exact quantile x_(r): were x_(r) below lo_b, the r smallest
 * samples would all lie in earlier buckets; were it at or above lo_(b+1), the n - r + 1
 * largest would all lie in later ones, and neither can be. Moving the report into
 * [min, max] of the samples only brings it closer to x_(r), which lies there.
 * In floating point a bucket index is off only for values within about 1e-14 (relative) of
 * an edge, and the edges and r_i carry a few ulps of rounding; e is taken 0.1 % under
 * LATENCY_RELATIVE_ERROR, a margin of 1e-5 that absorbs all of it.
 */
#define DESIGN_ERROR (LATENCY_RELATIVE_ERROR * 0.999)

struct latency {
    uint64_t count;
    double sum, min, max; /* of the samples as added (after the NaN and sign rule) */
    size_t n_buckets;
    uint64_t counts[];
};

static double log_growth(void)
{
    return log((1 + DESIGN_ERROR) / (1 - DESIGN_ERROR));
}

static double edge(size_t i)
{
    return LATENCY_MIN_S * exp((double)i * log_growth());
}

/* Enough buckets for the last one to reach LATENCY_MAX_S. */
static size_t bucket_count(void)
{
    size_t n = (size_t)ceil(log(LATENCY_MAX_S / LATENCY_MIN_S) / log_growth());
    while (edge(n) < LATENCY_MAX_S)
        n++;
    return n;
}

/* Bucket edges, and log2 of 1 + k/1024, shared by every histogram: filled once, by the
 * first latency_new of the process whatever thread calls it (pthread_once), and only read
 * after that, so histograms on several threads share them without a lock. A bucket is
 * found by estimating its index from the exponent and the top 10 mantissa bits (off by at
 * most one) and settling it against the edges themselves, so membership is exactly
 * [edge(i), edge(i + 1)), as the bound above assumes, at a fraction of the cost of a log. */
#define MANTISSA_BITS 10
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static double *edges; /* NULL after the one fill only if memory ran out */
static double log2_of_mantissa[1 << MANTISSA_BITS];

static void fill_tables(void)
{
    size_t n = bucket_count();
    double *e = malloc((n + 1) * sizeof *e);
    if (!e)
        return;
    for (size_t i = 0; i <= n; i++)
        e[i] = edge(i);
    for (int k = 0; k < 1 << MANTISSA_BITS; k++)
        log2_of_mantissa[k] = log2(1 + (double)k / (1 << MANTISSA_BITS));
    edges = e;
}

static double rough_log2(double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    int exponent = (int)((bits >> 52) & 0x7ff) - 1023;
    return exponent + log2_of_mantissa[(bits >> (52 - MANTISSA_BITS)) & ((1 << MANTISSA_BITS) - 1)];
}

/* The bucket of x; values outside the range go to the end buckets. */
static size_t bucket_of(const latency *h, double x)
{
    if (x <= LATENCY_MIN_S)
        return 0;
    if (x >= edges[h->n_buckets - 1])
        return h->n_buckets - 1;
    double f = (rough_log2(x) - log2(LATENCY_MIN_S)) * (log(2.0) / log_growth());
    long rough = (long)f; /* f is within a bucket of [0, n_buckets) */
    size_t i = rough < 0 ? 0 : (size_t)rough;
    if (i > h->n_buckets - 1)
        i = h->n_buckets - 1;
    while (i > 0 && x < edges[i])
        i--;
    while (x >= edges[i + 1])
        i++;
    return i;
}

latency *latency_new(void)
{
    pthread_once(&tables_once, fill_tables);
    if (!edges)
        return NULL;
    size_t n = bucket_count();
    latency *h = calloc(1, sizeof *h + n * sizeof h->counts[0]);
    if (h)
        h->n_buckets = n;
    return h;
}

void latency_free(latency *h)
{
    free(h);
}

void latency_reset(latency *h)
{
    size_t n = h->n_buckets;
    memset(h, 0, sizeof *h + n * sizeof h->counts[0]);
    h->n_buckets = n;
}

/* A latency is a finite time: NaN and negatives count as 0, and +inf as LATENCY_MAX_S, so
 * that the sum and the maximum stay finite. */
void latency_add(latency *h, double seconds)
{
    double x = seconds;
    if (!(x >= 0))
        x = 0;
    else if (x == INFINITY)
        x = LATENCY_MAX_S;
    if (x < h->min || h->count == 0)
        h->min = x;
    if (x > h->max) /* an empty histogram holds max 0, and samples are >= 0 */
        h->max = x;
    h->count++;
    h->sum += x;
    h->counts[bucket_of(h, x)]++;
}

/* 0 is the smallest sample there can be (negatives count as 0) and falls in bucket 0; the
 * sum does not move. */
void latency_add_zeros(latency *h, uint64_t n)
{
    if (n == 0)
        return;
    if (h->count == 0)
        h->max = 0;
    h->min = 0;
    h->count += n;
    h->counts[0] += n;
}

void latency_merge(latency *into, const latency *from)
{
    if (from->count == 0)
        return;
    if (into->count == 0 || from->min < into->min)
        into->min = from->min;
    if (into->count == 0 || from->max > into->max)
        into->max = from->max;
    into->count += from->count;
    into->sum += from->sum;
    for (size_t i = 0; i < into->n_buckets; i++)
        into->counts[i] += from->counts[i];
}

uint64_t latency_count(const latency *h)
{
    return h->count;
}

double latency_mean(const latency *h)
{
    return h->count ? h->sum / (double)h->count : 0;
}

double latency_max(const latency *h)
{
    return h->max;
}

/* The rank ceil(q n), kept within 1..n whatever q is. */
static uint64_t nearest_rank(uint64_t n, double q)
{
    if (!(q > 0))
        return 1;
    if (q >= 1)
        return n;
    uint64_t rank = (uint64_t)ceil(q * (double)n);
    return rank < 1 ? 1 : rank > n ? n : rank;
}

double latency_quantile(const latency *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = nearest_rank(h->count, q), seen = 0;
    size_t i = 0;
    while (seen + h->counts[i] < rank)
        seen += h->counts[i++];
    return fmin(fmax(edge(i) * (1 + DESIGN_ERROR), h->min), h->max);
}
