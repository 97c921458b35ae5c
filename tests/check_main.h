/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check_main — the one main() every Check suite shares: run the suite built by the file's
 * suite() and exit non-zero when anything failed. CK_RUN_CASE picks one test case; a run
 * that ran no test at all (a case renamed without reconfiguring CTest) fails too, so a test
 * cannot pass by not running.
 */
#ifndef ROUTERSIM_CHECK_MAIN_H
#define ROUTERSIM_CHECK_MAIN_H

#include <check.h>
#include <stdlib.h>

static Suite *suite(void);

/* Add a test case of one test with its own timeout (Check's default of 4 s is too short for
 * the heavier cases, above all under the sanitizers). */
static inline void check_add_case(Suite *s, TCase *tc, const TTest *test, int timeout_s)
{
    tcase_set_timeout(tc, timeout_s);
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

int main(void)
{
    SRunner *runner = srunner_create(suite());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner), ran = srunner_ntests_run(runner);
    srunner_free(runner);
    return failed == 0 && ran > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

#endif
