/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/rngword.h"

#include "tests/check_main.h"

/* The adapter hands the selector the generator's own words, one per call, unchanged: the
 * same sequence as gsl_rng_get on a twin generator with the same seed. */
START_TEST(words_are_the_generators)
{
    const gsl_rng_type *types[] = {gsl_rng_taus2, gsl_rng_mt19937};
    for (size_t t = 0; t < 2; t++) {
        gsl_rng *a = gsl_rng_alloc(types[t]), *b = gsl_rng_alloc(types[t]);
        gsl_rng_set(a, 42);
        gsl_rng_set(b, 42);
        ck_assert(rngword_full(a));
        for (int k = 0; k < 1000; k++)
            ck_assert_uint_eq(rngword_next(a), gsl_rng_get(b));
        gsl_rng_free(a);
        gsl_rng_free(b);
    }
}
END_TEST

/* Narrower generators are not full-word sources: their words would bias the selector. */
START_TEST(narrow_generators_are_not_full)
{
    const gsl_rng_type *types[] = {gsl_rng_ranlxs0, gsl_rng_uni, gsl_rng_ran0};
    for (size_t t = 0; t < 3; t++) {
        gsl_rng *r = gsl_rng_alloc(types[t]);
        ck_assert_msg(!rngword_full(r), "%s", types[t]->name);
        gsl_rng_free(r);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("rngword");
    TCase *tc = tcase_create("words");
    tcase_add_test(tc, words_are_the_generators);
    tcase_add_test(tc, narrow_generators_are_not_full);
    suite_add_tcase(s, tc);
    return s;
}
