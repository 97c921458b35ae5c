/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/selector.h"

#include "tests/check_main.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>

/*
 * The selector's promise is exact proportions: of the span integers a pick maps from,
 * exactly span * w[i] / total go to deployment i. These tests check that identity in exact
 * integer arithmetic (table and full enumeration), then that selector_pick draws those
 * integers uniformly from every kind of generator, then even-load's deterministic counts.
 */

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
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng *narrow = gsl_rng_alloc(gsl_rng_ranlxs0);
    for (size_t k = 0; k < 2; k++) {
        selector *s = must_new(strategies[k], 3, w);
        ck_assert_uint_eq(selector_span(s), 0);
        ck_assert_uint_eq(selector_total(s), 0);
        ck_assert_int_eq(selector_pick(s, rng), SELECTOR_NO_REPLICAS);
        ck_assert_int_eq(selector_pick(s, narrow), SELECTOR_NO_REPLICAS);
        ck_assert_int_eq(selector_pick_at(s, 0), SELECTOR_NO_REPLICAS);
        ck_assert_uint_eq(selector_mass(s, 0), 0);
        selector_free(s);
    }
    gsl_rng_free(rng);
    gsl_rng_free(narrow);
}
END_TEST

START_TEST(zero_replicas_never_picked)
{
    const uint32_t w[] = {0, 5, 0, 3, 0};
    const gsl_rng_type *types[] = {gsl_rng_mt19937, gsl_rng_taus2, gsl_rng_ranlxs0};
    for (size_t t = 0; t < 3; t++) {
        gsl_rng *rng = gsl_rng_alloc(types[t]);
        for (size_t k = 0; k < 2; k++) {
            selector *s = must_new(strategies[k], 5, w);
            int strays = 0;
            for (int pick = 0; pick < 20000; pick++) {
                int i = selector_pick(s, rng);
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
        count[selector_pick(s, rng)]++;
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
    assert_sampled_shares(gsl_rng_mt19937, 42, 6, w, 400000);
    assert_sampled_shares(gsl_rng_taus2, 43, 6, w, 400000);
}
END_TEST

/* ranlxs0 yields 24-bit words: the pick composes its draw instead of using one word. */
START_TEST(sampling_24_bit_generator)
{
    const uint32_t w[] = {1, 2, 3, 4, 0, 7};
    const uint32_t wide[] = {40000000, 20000000, 1, 10000000};
    assert_sampled_shares(gsl_rng_ranlxs0, 44, 6, w, 100000);
    assert_sampled_shares(gsl_rng_ranlxs0, 45, 4, wide, 100000);
}
END_TEST

/* "uni" yields 15-bit words, narrower than the total: heights are assembled from pieces. */
START_TEST(sampling_15_bit_generator)
{
    const uint32_t w[] = {40000, 20000, 1, 10000};
    assert_sampled_shares(gsl_rng_uni, 46, 4, w, 100000);
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
 * A scripted full-word generator: the words a pick consumes are known, so the one-word
 * path can be held to Lemire's rule. x = floor(word * span / 2^32), except that the
 * 2^32 mod span words whose low product falls below 2^32 mod span are refused.
 */
typedef struct {
    const uint32_t *words;
    size_t next;
} script_state;

static void script_set(void *state, unsigned long seed)
{
    (void)state;
    (void)seed;
}

static unsigned long script_get(void *state)
{
    script_state *s = state;
    return s->words[s->next++];
}

static double script_get_double(void *state)
{
    return script_get(state) / 4294967296.0;
}

static const gsl_rng_type script_type = {
    "script", 0xffffffffUL, 0, sizeof(script_state), script_set, script_get, script_get_double};

START_TEST(one_word_draw_is_lemire)
{
    const uint32_t w[] = {3, 2, 0}; /* span 4 * 5 = 20; 2^32 mod 20 = 16 */
    gsl_rng *rng = gsl_rng_alloc(&script_type);
    script_state *state = rng->state;
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
            ck_assert_int_eq(selector_pick(s, rng), selector_pick_at(s, x));
            ck_assert_uint_eq(state->next, (size_t)k + 1);
        }
    }
    /* word 0 has low product 0 < 16: refused, and the next word decides */
    const uint32_t refused_then_last[] = {0, 0xffffffffu};
    *state = (script_state){refused_then_last, 0};
    ck_assert_int_eq(selector_pick(s, rng), selector_pick_at(s, 19));
    ck_assert_uint_eq(state->next, 2);

    selector_free(s);
    gsl_rng_free(rng);
}
END_TEST

/*
 * A 3-bit generator, too narrow for the column or the height in one draw. Its outputs are
 * enumerated as a tree: a pick that asks for a word past the scripted prefix is abandoned
 * and the prefix extended eight ways, down to a depth limit. A pick completed after d
 * words has probability 8^-d. Rejection sampling makes the accepted value independent of
 * how many tries it took, so even cut at a depth the completed picks must split exactly
 * as the weights do.
 */
typedef struct {
    unsigned long min;
    const uint8_t *words;
    size_t length;
    size_t next;
    int ran_out;
} tree_state;

static unsigned long tree_get(void *state)
{
    tree_state *t = state;
    if (t->next < t->length)
        return t->min + t->words[t->next++];
    t->ran_out = 1;
    return t->min; /* accepted by every bounded draw, so the abandoned pick ends */
}

static double tree_get_double(void *state)
{
    return (double)(tree_get(state) - ((tree_state *)state)->min) / 8.0;
}

static const gsl_rng_type tree_type = {
    "tree", 7, 0, sizeof(tree_state), script_set, tree_get, tree_get_double};
static const gsl_rng_type tree_type_offset = {
    "tree-offset", 12, 5, sizeof(tree_state), script_set, tree_get, tree_get_double};

enum { TREE_DEPTH = 6 };

static void explore(selector *s, gsl_rng *rng, uint8_t *words, size_t length, uint64_t *weight)
{
    tree_state *t = rng->state;
    *t = (tree_state){rng->type->min, words, length, 0, 0};
    int i = selector_pick(s, rng);
    if (!t->ran_out) {
        weight[i] += UINT64_C(1) << 3 * (TREE_DEPTH - length);
        return;
    }
    if (length == TREE_DEPTH)
        return;
    for (uint8_t v = 0; v < 8; v++) {
        words[length] = v;
        explore(s, rng, words, length + 1, weight);
    }
}

static void assert_exact_tree(const gsl_rng_type *type, size_t n, const uint32_t *w)
{
    uint8_t words[TREE_DEPTH];
    uint64_t weight[4] = {0}, completed = 0, total = sum_of(n, w);
    gsl_rng *rng = gsl_rng_alloc(type);
    selector *s = must_new(SELECTOR_WEIGHTED_RANDOM, n, w);
    explore(s, rng, words, 0, weight);
    for (size_t i = 0; i < n; i++)
        completed += weight[i];
    ck_assert_uint_gt(completed, 0);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(weight[i] * total == completed * w[i], "%s: deployment %zu", type->name, i);
    selector_free(s);
    gsl_rng_free(rng);
}

START_TEST(narrow_generator_exact_by_enumeration)
{
    const uint32_t pair[] = {7, 4}, three[] = {5, 0, 6};
    const uint32_t seven[] = {4, 3}, eight[] = {5, 3}; /* totals at the range's edge */
    assert_exact_tree(&tree_type, 2, pair);
    assert_exact_tree(&tree_type, 2, seven);
    assert_exact_tree(&tree_type, 2, eight);
    assert_exact_tree(&tree_type, 3, three);
    assert_exact_tree(&tree_type_offset, 2, pair);
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
                count[selector_pick(s, NULL)]++;
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
            ck_assert_int_eq(selector_pick(s, NULL), expected[k]);

    /* a rebuild restarts the sequence even mid-cycle */
    selector_pick(s, NULL);
    selector_pick(s, NULL);
    selector_pick(s, NULL);
    ck_assert_int_eq(selector_set_weights(s, w), 0);
    for (int k = 0; k < 7; k++)
        ck_assert_int_eq(selector_pick(s, NULL), expected[k]);
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
                served += selector_pick(s, NULL) == 0;
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
    tcase_add_test(tc, exhaustive_small_vectors);
    tcase_add_test(tc, enumeration_random_vectors);
    suite_add_tcase(s, tc);

    tc = tcase_create("exact_by_table");
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
    tcase_add_test(tc, sampling_full_word_generators);
    tcase_add_test(tc, sampling_24_bit_generator);
    tcase_add_test(tc, sampling_15_bit_generator);
    tcase_add_test(tc, sampling_span_above_one_word);
    tcase_add_test(tc, one_word_draw_is_lemire);
    tcase_add_test(tc, narrow_generator_exact_by_enumeration);
    suite_add_tcase(s, tc);

    tc = tcase_create("even_load");
    tcase_add_test(tc, even_load_exact_counts);
    tcase_add_test(tc, even_load_nginx_sequence);
    tcase_add_test(tc, even_load_smooth_pairs);
    suite_add_tcase(s, tc);

    return s;
}
