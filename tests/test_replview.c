/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/replview.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdint.h>

/*
 * What the reports say of a replicated run: whether a phase test or check holds by the run's
 * rule, and how rates and figures read. The interval ends come from R's binom.test (the
 * exact Clopper-Pearson interval), computed apart from routersim:
 *   9 of 10 at 95 %: [0.5549839, 0.9974714]    7 of 10: [0.3475471, 0.9332605]
 */

static replicas_summary with_rule(double pass_rate)
{
    return (replicas_summary){.rule = {.pass_rate = pass_rate, .confidence = 0.95}};
}

START_TEST(holds_by_the_rule)
{
    replicas_summary all = with_rule(0), half = with_rule(0.5);
    replicas_rate nine = {.passes = 9, .n = 10}, seven = {.passes = 7, .n = 10},
                  ten = {.passes = 10, .n = 10}, none = {0};
    /* every replication must pass */
    ck_assert(replview_holds(&all, &ten));
    ck_assert(!replview_holds(&all, &nine));
    /* a required rate of 50 %: the lower end, 0.555 for 9 of 10, reaches it; 0.348 for 7
     * of 10 does not */
    ck_assert(replview_holds(&half, &nine));
    ck_assert(!replview_holds(&half, &seven));
    /* the sequential part of the rule decides the run only, never an item */
    half.rule.sequential = 1;
    ck_assert(replview_holds(&half, &nine));
    ck_assert(!replview_holds(&half, &seven));
    /* an item no replication had cannot have failed */
    ck_assert(replview_holds(&all, &none));
}
END_TEST

START_TEST(rates_and_figures_as_people_read_them)
{
    char buf[128];
    replicas_rate nine = {
        .passes = 9, .n = 10, .rate = 0.9, .lower = 0.5549839, .upper = 0.9974714};
    replview_rate(buf, sizeof buf, &nine);
    ck_assert_str_eq(buf, "90.00% [55.50%, 99.75%]");
    replicas_rate none = {.rate = NAN, .lower = NAN, .upper = NAN};
    replview_rate(buf, sizeof buf, &none);
    ck_assert_str_eq(buf, "n/a");
    const struct {
        const char *unit;
        double x;
        const char *text;
    } figures[] = {{"requests", 89856.75, "89,856.8"},
                   {"requests", 90000, "90,000"},
                   {"requests", -12.34, "-12.3"},
                   {"requests", 0.04, "0"},
                   {"share", 0.1106, "11.06%"},
                   {"fraction", 1, "100.00%"},
                   {"s", 0.7134, "713ms"},
                   {"s", NAN, "n/a"}};
    for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++) {
        replview_figure(buf, sizeof buf, figures[i].unit, figures[i].x);
        ck_assert_str_eq(buf, figures[i].text);
    }
}
END_TEST

START_TEST(verdicts_in_words)
{
    char buf[512];
    replicas_summary rep = with_rule(0);
    rep.verdict = REPLICAS_FAIL;
    rep.replications = 20;
    rep.passed = (replicas_rate){.passes = 17, .n = 20};
    replview_verdict(buf, sizeof buf, &rep);
    ck_assert_str_eq(buf, "FAILED: 3 of 20 replications failed; every one must pass");
    rep = with_rule(0.9);
    rep.verdict = REPLICAS_FAIL;
    rep.replications = 20;
    rep.passed = (replicas_rate){.passes = 19, .n = 20, .lower = 0.7512672};
    replview_verdict(buf, sizeof buf, &rep);
    ck_assert_str_eq(buf,
                     "FAILED: the pass rate's lower bound 75.13% is below the required 90.00%");
    replview_rule(buf, sizeof buf, &rep);
    ck_assert_str_eq(buf, "pass rate at least 90.00% (the lower end of its 95.00% "
                          "Clopper-Pearson interval must reach it)");
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("replview");
    check_add_case(s, tcase_create("holds_by_the_rule"), holds_by_the_rule, 10);
    check_add_case(s, tcase_create("rates_and_figures"), rates_and_figures_as_people_read_them, 10);
    check_add_case(s, tcase_create("verdicts_in_words"), verdicts_in_words, 10);
    return s;
}
