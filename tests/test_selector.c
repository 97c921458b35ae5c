/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/selector.h"
#include "sim/base/rngword.h"

#include "tests/check_main.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

/*
 * The selector's promise is exact proportions: of the span integers a pick maps from,
 * exactly span * w[i] / total go to deployment i. These tests check that identity in exact
 * integer arithmetic (table and full enumeration), then that selector_pick maps the caller's
 * 32-bit words to those integers uniformly (word by word, with scripted words, and by
 * sampling from GSL's full-word generators), then even-load's deterministic counts.
 */

/* Scripted words: the words a pick consumes are known and counted. */
typedef struct {
    const uint32_t *words;
    size_t next;
} script_state;

static uint32_t script_next(void *ctx)
{
    script_state *s = ctx;
    return s->words[s->next++];
}

/* a * b compared with c * d without overflow: each 64x64 product as a (high, low) pair. */
static void mul_wide(uint64_t a, uint64_t b, uint64_t *hi, uint64_t *lo)
{
    uint64_t a0 = a & 0xffffffffu, a1 = a >> 32, b0 = b & 0xffffffffu, b1 = b >> 32;
    uint64_t p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
    uint64_t mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
    *lo = (mid << 32) | (p00 & 0xffffffffu);
    *hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32);
}

static int products_equal(uint64_t a, uint64_t b, uint64_t c, uint64_t d)
{
    uint64_t h1, l1, h2, l2;
    mul_wide(a, b, &h1, &l1);
    mul_wide(c, d, &h2, &l2);
    return h1 == h2 && l1 == l2;
}

static uint64_t sum_of(size_t n, const uint32_t *w)
{
    uint64_t t = 0;
    for (size_t i = 0; i < n; i++)
        t += w[i];
    return t;
}

/* mass(i) / span == w[i] / total for every i, and the masses cover the whole span. */
static void assert_exact_table(const selector *s, size_t n, const uint32_t *w)
{
    uint64_t total = sum_of(n, w), covered = 0;
    ck_assert_uint_eq(selector_total(s), total);
    for (size_t i = 0; i < n; i++) {
        uint64_t mass = selector_mass(s, i);
        ck_assert_msg(products_equal(mass, total, selector_span(s), w[i]),
                      "deployment %zu of %zu: mass %llu, span %llu, w %u, total %llu", i, n,
                      (unsigned long long)mass, (unsigned long long)selector_span(s), w[i],
                      (unsigned long long)total);
        covered += mass;
    }
    ck_assert_uint_eq(covered, selector_span(s));
}

/* Every x in [0, span) counted: each deployment's count is span * w[i] / total exactly. */
static void assert_exact_enumeration(const selector *s, size_t n, const uint32_t *w)
{
    uint64_t span = selector_span(s), total = sum_of(n, w);
    uint64_t *count = calloc(n, sizeof *count);
    ck_assert_ptr_nonnull(count);
    uint64_t outside = 0;
    for (uint64_t x = 0; x < span; x++) {
        int i = selector_pick_at(s, x);
        if (i >= 0 && i < (int)n)
            count[i]++;
        else
            outside++;
    }
    ck_assert_uint_eq(outside, 0);
    for (size_t i = 0; i < n; i++) {
        ck_assert_uint_eq(count[i] * total, span * w[i]);
        ck_assert_uint_eq(count[i], selector_mass(s, i));
    }
    free(count);
}

static const selector_strategy strategies[] = {SELECTOR_WEIGHTED_RANDOM, SELECTOR_EVEN_LOAD};

static selector *must_new(selector_strategy strategy, size_t n, const uint32_t *w)
{
    selector *s = selector_new(strategy, n, w);
    ck_assert_ptr_nonnull(s);
    return s;
}

START_TEST(docs_three_two_is_sixty_forty)
{
    const uint32_t w[] = {3, 2};
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 2, w);
    uint64_t count[2] = {0, 0};
    for (uint64_t x = 0; x < selector_span(s); x++)
        count[selector_pick_at(s, x)]++;
    /* 60% and 40% of the span, exactly */
    ck_assert_uint_eq(count[0] * 100, selector_span(s) * 60);
    ck_assert_uint_eq(count[1] * 100, selector_span(s) * 40);
    selector_free(s);
}
END_TEST

/* Every weight vector of length 1 to 4 with weights 0 to 4: zeros, padding, ties. */
START_TEST(exhaustive_small_vectors)
{
    for (size_t n = 1; n <= 4; n++) {
        size_t vectors = 1;
        for (size_t i = 0; i < n; i++)
            vectors *= 5;
        for (size_t code = 0; code < vectors; code++) {
            uint32_t w[4];
            size_t c = code;
            for (size_t i = 0; i < n; i++, c /= 5)
                w[i] = (uint32_t)(c % 5);
            selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, n, w);
            if (sum_of(n, w) == 0)
                ck_assert_uint_eq(selector_span(s), 0);
            else
                assert_exact_enumeration(s, n, w);
            assert_exact_table(s, n, w);
            selector_free(s);
        }
    }
}
END_TEST

START_TEST(enumeration_random_vectors)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 7);
    for (int trial = 0; trial < 200; trial++) {
        size_t n = 1 + gsl_rng_uniform_int(rng, 40);
        uint32_t w[40];
        for (size_t i = 0; i < n; i++)
            w[i] = gsl_rng_uniform(rng) < 0.2 ? 0 : (uint32_t)gsl_rng_uniform_int(rng, 30);
        selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, n, w);
        assert_exact_table(s, n, w);
        assert_exact_enumeration(s, n, w);
        selector_free(s);
    }
    gsl_rng_free(rng);
}
END_TEST

START_TEST(exact_table_three_thousand_deployments)
{
    enum { N = 3000 };
    static uint32_t w[N];
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 3000);
    for (size_t i = 0; i < N; i++)
        w[i] = (uint32_t)gsl_rng_uniform_int(rng, 100); /* about 1% idle */
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, N, w);
    assert_exact_table(s, N, w);
    for (size_t i = 0; i < N; i++)
        w[i] = 1 + (uint32_t)gsl_rng_uniform_int(rng, 1000000);
    ck_assert_int_eq(selector_set_weights(s, w), 0);
    assert_exact_table(s, N, w);
    selector_free(s);
    gsl_rng_free(rng);
}
END_TEST

START_TEST(exact_table_huge_weights)
{
    const uint32_t one[] = {UINT32_MAX};
    const uint32_t two[] = {UINT32_MAX - 1, 1};
    const uint32_t three[] = {0x55555555u, 0x55555555u, 0x55555555u};
    const uint32_t skew[] = {1, 0, 0x80000000u, 0x7ffffffdu, 1};
    const uint32_t *vectors[] = {one, two, three, skew};
    const size_t sizes[] = {1, 2, 3, 5};
    for (size_t v = 0; v < 4; v++) {
        selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, sizes[v], vectors[v]);
        ck_assert_uint_eq(selector_total(s), sum_of(sizes[v], vectors[v]));
        assert_exact_table(s, sizes[v], vectors[v]);
        selector_free(s);
    }
}
END_TEST

/* The largest selector allowed, near the weight limit: checked on a sample of indices. */
START_TEST(exact_table_max_deployments)
{
    size_t n = SELECTOR_MAX_DEPLOYMENTS;
    uint32_t *w = malloc(n * sizeof *w);
    ck_assert_ptr_nonnull(w);
    for (size_t i = 0; i < n; i++)
        w[i] = (uint32_t)(i % 8191); /* sum 4293410688, just under 2^32 */
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, n, w);
    uint64_t total = sum_of(n, w);
    for (size_t i = 0; i < n; i += n / 16 + 1)
        ck_assert(products_equal(selector_mass(s, i), total, selector_span(s), w[i]));
    ck_assert(products_equal(selector_mass(s, n - 1), total, selector_span(s), w[n - 1]));
    selector_free(s);
    free(w);
}
END_TEST

START_TEST(all_zero_has_no_replicas)
{
    const uint32_t w[] = {0, 0, 0};
    script_state none = {NULL, 0};
    for (size_t k = 0; k < 2; k++) {
        selector *s = must_new(strategies[k], 3, w);
        ck_assert_uint_eq(selector_span(s), 0);
        ck_assert_uint_eq(selector_total(s), 0);
        ck_assert_int_eq(selector_pick(s, script_next, &none), SELECTOR_NO_REPLICAS);
        ck_assert_uint_eq(none.next, 0); /* no word drawn for nothing */
        ck_assert_int_eq(selector_pick_at(s, 0), SELECTOR_NO_REPLICAS);
        ck_assert_uint_eq(selector_mass(s, 0), 0);
        selector_free(s);
    }
}
END_TEST

START_TEST(zero_replicas_never_picked)
{
    const uint32_t w[] = {0, 5, 0, 3, 0};
    const gsl_rng_type *types[] = {gsl_rng_mt19937, gsl_rng_taus2};
    for (size_t t = 0; t < 2; t++) {
        gsl_rng *rng = gsl_rng_alloc(types[t]);
        for (size_t k = 0; k < 2; k++) {
            selector *s = must_new(strategies[k], 5, w);
            int strays = 0;
            for (int pick = 0; pick < 20000; pick++) {
                int i = selector_pick(s, rngword_next, rng);
                strays += i != 1 && i != 3;
            }
            ck_assert_int_eq(strays, 0);
            selector_free(s);
        }
        gsl_rng_free(rng);
    }
}
END_TEST

START_TEST(set_weights_rebuilds)
{
    const uint32_t first[] = {1, 1, 1}, second[] = {0, 3, 1}, idle[] = {0, 0, 0};
    const uint32_t overflow[] = {UINT32_MAX, 1, 0};
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 3, first);
    ck_assert_int_eq(selector_set_weights(s, second), 0);
    ck_assert_uint_eq(selector_weight(s, 1), 3);
    assert_exact_enumeration(s, 3, second);

    /* refused: the selector keeps its weights and its table */
    ck_assert_int_eq(selector_set_weights(s, overflow), -1);
    ck_assert_int_eq(selector_set_weights(s, NULL), -1);
    ck_assert_uint_eq(selector_total(s), 4);
    assert_exact_enumeration(s, 3, second);

    ck_assert_int_eq(selector_set_weights(s, idle), 0);
    ck_assert_int_eq(selector_pick_at(s, 0), SELECTOR_NO_REPLICAS);
    ck_assert_int_eq(selector_set_weights(s, first), 0);
    assert_exact_enumeration(s, 3, first);
    selector_free(s);
}
END_TEST

START_TEST(invalid_arguments_refused)
{
    const uint32_t w[] = {1, 2};
    const uint32_t over[] = {UINT32_MAX, 1};
    ck_assert_ptr_null(selector_new(SELECTOR_WEIGHTED_RANDOM, 0, w));
    ck_assert_ptr_null(selector_new(SELECTOR_WEIGHTED_RANDOM, 2, NULL));
    ck_assert_ptr_null(selector_new(SELECTOR_WEIGHTED_RANDOM, 2, over));
    ck_assert_ptr_null(selector_new(SELECTOR_EVEN_LOAD, 2, over));
    ck_assert_ptr_null(selector_new((selector_strategy)7, 2, w));
    ck_assert_ptr_null(
        selector_new(SELECTOR_WEIGHTED_RANDOM, (size_t)SELECTOR_MAX_DEPLOYMENTS + 1, w));
    selector_free(NULL);

    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 2, w);
    ck_assert_uint_eq(selector_count(s), 2);
    ck_assert_uint_eq(selector_weight(s, 0), 1);
    ck_assert_uint_eq(selector_weight(s, 2), 0);
    ck_assert_int_eq(selector_pick_at(s, selector_span(s)), SELECTOR_NO_REPLICAS);
    selector_free(s);
}
END_TEST

/* Counts from `picks` draws, each within 5 binomial standard deviations of picks * p. */
static void assert_sampled_shares(const gsl_rng_type *type, unsigned long seed, size_t n,
                                  const uint32_t *w, int picks)
{
    uint64_t total = sum_of(n, w);
    uint64_t *count = calloc(n, sizeof *count);
    ck_assert_ptr_nonnull(count);
    gsl_rng *rng = gsl_rng_alloc(type);
    gsl_rng_set(rng, seed);
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, n, w);
    for (int k = 0; k < picks; k++)
        count[selector_pick(s, rngword_next, rng)]++;
    for (size_t i = 0; i < n; i++) {
        double p = (double)w[i] / (double)total;
        double sd = sqrt(picks * p * (1.0 - p));
        ck_assert_msg(fabs((double)count[i] - picks * p) <= 5.0 * sd,
                      "%s: deployment %zu got %llu of %d, expected %.1f +- %.1f", type->name, i,
                      (unsigned long long)count[i], picks, picks * p, 5.0 * sd);
    }
    selector_free(s);
    gsl_rng_free(rng);
    free(count);
}

START_TEST(sampling_full_word_generators)
{
    const uint32_t w[] = {1, 2, 3, 4, 0, 7};
    const uint32_t wide[] = {40000000, 20000000, 1, 10000000};
    assert_sampled_shares(gsl_rng_mt19937, 42, 6, w, 400000);
    assert_sampled_shares(gsl_rng_taus2, 43, 6, w, 400000);
    assert_sampled_shares(gsl_rng_taus2, 45, 4, wide, 100000);
}
END_TEST

/* A span above 2^32 cannot come from one 32-bit word even with a full-word generator. */
START_TEST(sampling_span_above_one_word)
{
    const uint32_t w[] = {0x80000000u, 0x3ffffffeu, 1, 0x3fffffffu};
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 4, w);
    ck_assert_uint_gt(selector_span(s), UINT64_C(1) << 32);
    selector_free(s);
    assert_sampled_shares(gsl_rng_mt19937, 47, 4, w, 200000);
}
END_TEST

/*
 * The one-word path held to Lemire's rule with scripted words: x = floor(word * span / 2^32),
 * except that the 2^32 mod span words whose low product falls below 2^32 mod span are
 * refused.
 */
START_TEST(one_word_draw_is_lemire)
{
    const uint32_t w[] = {3, 2, 0}; /* span 4 * 5 = 20; 2^32 mod 20 = 16 */
    script_state script, *state = &script;
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 3, w);
    ck_assert_uint_eq(selector_span(s), 20);

    for (uint64_t x = 0; x < 20; x++) {
        /* the smallest word whose high product is x, and the largest */
        uint32_t words[2] = {(uint32_t)((x * 4294967296u + 19) / 20),
                             (uint32_t)(((x + 1) * 4294967296u - 1) / 20)};
        for (int k = 0; k < 2; k++) {
            uint64_t low = (uint64_t)words[k] * 20 & 0xffffffffu;
            if (low < 16)
                continue;
            *state = (script_state){words, (size_t)k};
            ck_assert_int_eq(selector_pick(s, script_next, state), selector_pick_at(s, x));
            ck_assert_uint_eq(state->next, (size_t)k + 1);
        }
    }
    /* word 0 has low product 0 < 16: refused, and the next word decides */
    const uint32_t refused_then_last[] = {0, 0xffffffffu};
    *state = (script_state){refused_then_last, 0};
    ck_assert_int_eq(selector_pick(s, script_next, state), selector_pick_at(s, 19));
    ck_assert_uint_eq(state->next, 2);

    selector_free(s);
}
END_TEST

/*
 * Above 2^32 the pick draws the column j in [0, columns) and then the height r in [0, total),
 * each as k = floor(word / floor((2^32 - 1) / bound)), refusing k >= bound. Every k below the
 * bound then has exactly floor((2^32 - 1) / bound) words, so both are uniform and the pick
 * is x = r * columns + j. Held to that rule word by word: the first and last word of a k, and
 * the refused words past the last whole k.
 */
START_TEST(composed_draw_is_uniform_by_division)
{
    const uint32_t w[] = {0x80000000u, 0x3ffffffeu, 1, 0x3fffffffu};
    const uint64_t total = UINT64_C(0xfffffffe); /* 2^32 - 2, 4 columns */
    const uint32_t column_scale = UINT32_MAX / 4, height_scale = UINT32_MAX / 0xfffffffeu;
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, 4, w);
    ck_assert_uint_eq(selector_span(s), total * 4);
    ck_assert_uint_eq(height_scale, 1);

    const uint64_t heights[] = {0, 1, 0x7fffffff, 0x80000000u, total - 1};
    for (uint32_t j = 0; j < 4; j++) {
        for (size_t h = 0; h < 5; h++) {
            uint32_t first[2] = {j * column_scale, (uint32_t)heights[h]};
            uint32_t last[2] = {(j + 1) * column_scale - 1, (uint32_t)heights[h]};
            uint64_t x = heights[h] * 4 + j;
            script_state a = {first, 0}, b = {last, 0};
            ck_assert_int_eq(selector_pick(s, script_next, &a), selector_pick_at(s, x));
            ck_assert_int_eq(selector_pick(s, script_next, &b), selector_pick_at(s, x));
            ck_assert_uint_eq(a.next, 2);
            ck_assert_uint_eq(b.next, 2);
        }
    }
    /* 4 * column_scale and up would be column 4: refused; heights total and up too */
    const uint32_t refused[] = {4 * column_scale, UINT32_MAX, 2 * column_scale,
                                0xfffffffeu,      UINT32_MAX, 7};
    script_state r = {refused, 0};
    ck_assert_int_eq(selector_pick(s, script_next, &r), selector_pick_at(s, 7 * 4 + 2));
    ck_assert_uint_eq(r.next, 6);
    selector_free(s);
}
END_TEST

/* Over every window of total picks aligned at 0, deployment i is served w[i] times. */
START_TEST(even_load_exact_counts)
{
    const uint32_t a[] = {3, 2}, b[] = {5, 1, 1}, c[] = {0, 4, 0, 7, 1}, d[] = {1};
    const uint32_t *vectors[] = {a, b, c, d};
    const size_t sizes[] = {2, 3, 5, 1};
    for (size_t v = 0; v < 4; v++) {
        size_t n = sizes[v];
        uint64_t total = sum_of(n, vectors[v]);
        selector *s = must_new(SELECTOR_EVEN_LOAD, n, vectors[v]);
        for (int window = 0; window < 5; window++) {
            uint64_t count[5] = {0};
            for (uint64_t k = 0; k < total; k++)
                count[selector_pick(s, NULL, NULL)]++;
            for (size_t i = 0; i < n; i++)
                ck_assert_uint_eq(count[i], vectors[v][i]);
        }
        selector_free(s);
    }
}
END_TEST

/* nginx's smooth weighted round-robin on {5, 1, 1} serves a a b a c a a. */
START_TEST(even_load_nginx_sequence)
{
    const uint32_t w[] = {5, 1, 1};
    const int expected[] = {0, 0, 1, 0, 2, 0, 0};
    selector *s = must_new(SELECTOR_EVEN_LOAD, 3, w);
    for (int round = 0; round < 3; round++)
        for (int k = 0; k < 7; k++)
            ck_assert_int_eq(selector_pick(s, NULL, NULL), expected[k]);

    /* a rebuild restarts the sequence even mid-cycle */
    selector_pick(s, NULL, NULL);
    selector_pick(s, NULL, NULL);
    selector_pick(s, NULL, NULL);
    ck_assert_int_eq(selector_set_weights(s, w), 0);
    for (int k = 0; k < 7; k++)
        ck_assert_int_eq(selector_pick(s, NULL, NULL), expected[k]);
    selector_free(s);
}
END_TEST

/*
 * With two deployments the first one's credit c moves by -w1 when c >= (w1 - w0) / 2 and
 * by +w0 otherwise, so it stays in [-total/2, total/2): after m picks its count is within
 * half a request of m * w0 / total. Checked for every prefix and every pair up to 40.
 */
START_TEST(even_load_smooth_pairs)
{
    for (uint32_t w0 = 1; w0 <= 40; w0++) {
        for (uint32_t w1 = 1; w1 <= 40; w1++) {
            const uint32_t w[] = {w0, w1};
            int64_t total = w0 + w1, served = 0, worst = 0;
            selector *s = must_new(SELECTOR_EVEN_LOAD, 2, w);
            for (int64_t m = 1; m <= 2 * total; m++) {
                served += selector_pick(s, NULL, NULL) == 0;
                int64_t lag = llabs(2 * (total * served - m * (int64_t)w0));
                worst = lag > worst ? lag : worst;
            }
            ck_assert_msg(worst <= total, "weights %u:%u lag %lld/2 over total %lld", w0, w1,
                          (long long)worst, (long long)total);
            selector_free(s);
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("selector");
    TCase *tc;

    tc = tcase_create("docs_three_two");
    tcase_add_test(tc, docs_three_two_is_sixty_forty);
    suite_add_tcase(s, tc);

    tc = tcase_create("exact_by_enumeration");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exhaustive_small_vectors);
    tcase_add_test(tc, enumeration_random_vectors);
    suite_add_tcase(s, tc);

    tc = tcase_create("exact_by_table");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, exact_table_three_thousand_deployments);
    tcase_add_test(tc, exact_table_huge_weights);
    tcase_add_test(tc, exact_table_max_deployments);
    suite_add_tcase(s, tc);

    tc = tcase_create("zero_replicas");
    tcase_add_test(tc, all_zero_has_no_replicas);
    tcase_add_test(tc, zero_replicas_never_picked);
    suite_add_tcase(s, tc);

    tc = tcase_create("weights_and_arguments");
    tcase_add_test(tc, set_weights_rebuilds);
    tcase_add_test(tc, invalid_arguments_refused);
    suite_add_tcase(s, tc);

    tc = tcase_create("sampling");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, sampling_full_word_generators);
    tcase_add_test(tc, sampling_span_above_one_word);
    tcase_add_test(tc, one_word_draw_is_lemire);
    tcase_add_test(tc, composed_draw_is_uniform_by_division);
    suite_add_tcase(s, tc);

    tc = tcase_create("even_load");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, even_load_exact_counts);
    tcase_add_test(tc, even_load_nginx_sequence);
    tcase_add_test(tc, even_load_smooth_pairs);
    suite_add_tcase(s, tc);

    return s;
}
