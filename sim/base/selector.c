/* SPDX-License-Identifier: MIT */
#include "sim/base/selector.h"

#include <stdlib.h>

/*
 * The table has 2^shift columns (n padded with weight-0 columns), each of height total.
 * Column j answers for deployment j below its threshold and for alias[j] from there up,
 * so a uniform x = r * 2^shift + j with r in [0, total) picks deployment i with
 * probability (2^shift * w[i]) / (2^shift * total), exactly.
 */
typedef struct {
    uint32_t threshold; /* in [0, total] */
    uint32_t alias;
} column;

struct selector {
    /* what a pick reads comes first, and the table right after it in the same block, so a
     * small router's pick touches a cache line or two (a fleet's requests go to routers all
     * over memory) */
    selector_strategy strategy;
    int one_word;    /* 0 < span <= 2^32: one 32-bit draw suffices */
    unsigned shift;  /* log2 of the column count */
    uint32_t reject; /* 2^32 mod span: low words below it would bias a one-word draw */
    uint64_t mask;   /* column count - 1 */
    uint64_t span;   /* total << shift; 0 when every weight is 0 */
    uint64_t total;
    size_t n;
    uint32_t *w;

    uint64_t *height; /* scratch for the build, kept so a rebuild cannot fail */
    uint32_t *stack;

    int64_t *current; /* even-load credit; sums to 0 after every pick */

    column columns[]; /* mask + 1 of them */
};

static unsigned ceil_log2(uint64_t n)
{
    unsigned b = 0;
    while ((UINT64_C(1) << b) < n)
        b++;
    return b;
}

static int weights_valid(size_t n, const uint32_t *w, uint64_t *total)
{
    if (w == NULL)
        return 0;
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += w[i];
    *total = sum;
    return sum <= SELECTOR_MAX_TOTAL;
}

/*
 * Vose's alias construction in exact integers. Every column starts with height
 * 2^shift * w[j]; the heights always sum to total times the number of unfinished columns,
 * so a short column is topped up from a tall one without rounding, and whatever is left
 * when either list empties is exactly full.
 */
static void build_table(selector *s)
{
    size_t columns = (size_t)s->mask + 1;
    uint64_t full = s->total;
    size_t small = 0, large = 0;

    for (size_t j = 0; j < columns; j++) {
        s->height[j] = j < s->n ? (uint64_t)s->w[j] << s->shift : 0;
        if (s->height[j] < full)
            s->stack[small++] = (uint32_t)j;
        else
            s->stack[columns - ++large] = (uint32_t)j;
    }
    while (small > 0 && large > 0) {
        uint32_t l = s->stack[--small];
        uint32_t g = s->stack[columns - large];
        s->columns[l] = (column){(uint32_t)s->height[l], g};
        s->height[g] -= full - s->height[l];
        if (s->height[g] < full) {
            large--;
            s->stack[small++] = g;
        }
    }
    while (large > 0) {
        uint32_t g = s->stack[columns - large--];
        s->columns[g] = (column){(uint32_t)full, g};
    }

    s->span = full << s->shift;
    s->one_word = s->span > 0 && s->span <= UINT64_C(1) << 32;
    s->reject = s->one_word ? (uint32_t)(((UINT64_C(1) << 32) - s->span) % s->span) : 0;
}

static void install_weights(selector *s, const uint32_t *w, uint64_t total)
{
    for (size_t i = 0; i < s->n; i++) {
        s->w[i] = w[i];
        s->current[i] = 0;
    }
    s->total = total;
    build_table(s);
}

selector *selector_new(selector_strategy strategy, size_t n, const uint32_t *w)
{
    uint64_t total;
    if (strategy != SELECTOR_WEIGHTED_RANDOM && strategy != SELECTOR_EVEN_LOAD)
        return NULL;
    if (n < 1 || n > SELECTOR_MAX_DEPLOYMENTS || !weights_valid(n, w, &total))
        return NULL;

    unsigned shift = ceil_log2(n);
    size_t columns = (size_t)1 << shift;
    selector *s = calloc(1, sizeof *s + columns * sizeof s->columns[0]);
    if (s == NULL)
        return NULL;
    s->strategy = strategy;
    s->n = n;
    s->shift = shift;
    s->mask = columns - 1;
    s->w = malloc(n * sizeof *s->w);
    s->current = malloc(n * sizeof *s->current);
    s->height = malloc(columns * sizeof *s->height);
    s->stack = malloc(columns * sizeof *s->stack);
    if (!s->w || !s->current || !s->height || !s->stack) {
        selector_free(s);
        return NULL;
    }
    install_weights(s, w, total);
    return s;
}

void selector_free(selector *s)
{
    if (s == NULL)
        return;
    free(s->w);
    free(s->current);
    free(s->height);
    free(s->stack);
    free(s);
}

int selector_set_weights(selector *s, const uint32_t *w)
{
    uint64_t total;
    if (s == NULL || !weights_valid(s->n, w, &total))
        return -1;
    install_weights(s, w, total);
    return 0;
}

size_t selector_count(const selector *s)
{
    return s->n;
}

uint64_t selector_total(const selector *s)
{
    return s->total;
}

uint32_t selector_weight(const selector *s, size_t i)
{
    return i < s->n ? s->w[i] : 0;
}

uint64_t selector_span(const selector *s)
{
    return s->span;
}

/* x = r * 2^shift + j with r < total: column j, then its threshold decides. */
static int lookup(const selector *s, uint64_t x)
{
    uint64_t j = x & s->mask;
    return (x >> s->shift) < s->columns[j].threshold ? (int)j : (int)s->columns[j].alias;
}

int selector_pick_at(const selector *s, uint64_t x)
{
    return x < s->span ? lookup(s, x) : SELECTOR_NO_REPLICAS;
}

uint64_t selector_mass(const selector *s, size_t i)
{
    uint64_t mass = 0;
    size_t columns = (size_t)s->mask + 1;
    if (i >= s->n || s->span == 0)
        return 0;
    for (size_t j = 0; j < columns; j++) {
        if (j == i)
            mass += s->columns[j].threshold;
        if (s->columns[j].alias == i)
            mass += s->total - s->columns[j].threshold;
    }
    return mass;
}

/* Lemire's multiply-and-reject: the high word of x * span is uniform on [0, span) once the
 * 2^32 mod span low words that would over-represent some values are refused. */
static uint64_t one_word_draw(const selector *s, selector_random next, void *ctx)
{
    uint64_t m;
    do {
        m = (uint64_t)next(ctx) * s->span;
    } while ((uint32_t)m < s->reject);
    return m >> 32;
}

/* Uniform on [0, n) for 1 <= n < 2^32 by division: each k in [0, n) has exactly
 * floor((2^32 - 1) / n) words, the words above are refused. (GSL's gsl_rng_uniform_int on a
 * full 32-bit generator, word for word, so routersim's seeded results did not change when the
 * selector stopped drawing from GSL itself.) */
static uint64_t uniform_below(selector_random next, void *ctx, uint64_t n)
{
    uint32_t scale = (uint32_t)(UINT32_MAX / n);
    uint64_t k;
    do {
        k = next(ctx) / scale;
    } while (k >= n);
    return k;
}

/* Column and height drawn separately, each bound within what uniform_below accepts:
 * columns <= 2^20 and total <= SELECTOR_MAX_TOTAL = 2^32 - 1, whatever the span. */
static int composed_pick(const selector *s, selector_random next, void *ctx)
{
    if (s->span == 0)
        return SELECTOR_NO_REPLICAS;
    uint64_t j = uniform_below(next, ctx, s->mask + 1);
    uint64_t r = uniform_below(next, ctx, s->total);
    return lookup(s, (r << s->shift) | j);
}

/*
 * Smooth weighted round-robin: everyone earns its weight, the richest is served and pays
 * the total. Only a positive credit pays, so no credit ever reaches -total: within total
 * picks nobody is served more than w[i] times, and as the counts sum to total each is
 * exactly w[i] and every credit is back to 0. Credits stay within n * total, far inside
 * int64.
 */
static int even_load_pick(selector *s)
{
    size_t best = 0;
    int64_t best_credit = INT64_MIN;
    if (s->total == 0)
        return SELECTOR_NO_REPLICAS;
    for (size_t i = 0; i < s->n; i++) {
        if (s->w[i] == 0)
            continue;
        s->current[i] += s->w[i];
        if (s->current[i] > best_credit) {
            best_credit = s->current[i];
            best = i;
        }
    }
    s->current[best] -= (int64_t)s->total;
    return (int)best;
}

int selector_pick(selector *s, selector_random next, void *ctx)
{
    if (s->strategy == SELECTOR_EVEN_LOAD)
        return even_load_pick(s);
    if (s->one_word)
        return lookup(s, one_word_draw(s, next, ctx));
    return composed_pick(s, next, ctx);
}
