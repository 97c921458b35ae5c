/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/countscsv.h"
#include "sim/stats/srm.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * `routersim srm` reads the user's own metrics, so every malformed row must be named by
 * file, line and column; and its phases, tests and plans are held to hand-computed counts
 * and statistics, and to the bundled example files: the fair one passes, the skewed fails.
 */

typedef struct {
    char path[64];
} temp_file;

static temp_file write_temp(const char *text)
{
    temp_file t;
    snprintf(t.path, sizeof t.path, "/tmp/routersim-srm-XXXXXX");
    int fd = mkstemp(t.path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    return t;
}

static countscsv *read_text(const char *text, char *err, size_t errlen)
{
    temp_file t = write_temp(text);
    countscsv *c = countscsv_read(t.path, err, errlen);
    unlink(t.path);
    return c;
}

/* The error for `text`, with the temporary file's name replaced by "F". */
static void expect_error(const char *text, const char *want)
{
    char err[1024];
    temp_file t = write_temp(text);
    countscsv *c = countscsv_read(t.path, err, sizeof err);
    unlink(t.path);
    ck_assert_msg(c == NULL, "accepted: %s", text);
    size_t n = strlen(t.path);
    ck_assert_msg(strncmp(err, t.path, n) == 0, "no file name in: %s", err);
    ck_assert_msg(strcmp(err + n, want) == 0, "got \"%s\", want \"F%s\"", err + n, want);
}

START_TEST(reads_a_file)
{
    char err[1024];
    countscsv *c = read_text("# exported per minute\r\n"
                             "\n"
                             "time, router ,deployment,requests,replicas\r\n"
                             "0,chat,v1,812,4\r\n"
                             "0, chat , v2 ,203,1\n"
                             "  # a comment\n"
                             "60,chat,v1,790,4\n"
                             "60,chat,v2,0,1\n",
                             err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_int_eq(c->weights, COUNTSCSV_REPLICAS);
    ck_assert_uint_eq(c->n_rows, 4);
    ck_assert_uint_eq(c->n_routers, 1);
    ck_assert_uint_eq(c->n_deployments, 2);
    ck_assert_str_eq(c->routers[0], "chat");
    ck_assert_str_eq(c->deployments[c->rows[1].deployment], "v2");
    ck_assert_uint_eq(c->rows[1].requests, 203);
    ck_assert(c->rows[1].weight == 1.0 && c->rows[2].time_s == 60.0);
    ck_assert_uint_eq(c->rows[1].line, 5);
    ck_assert_uint_eq(c->rows[1].deployment_col, 11);
    countscsv_free(c);
}
END_TEST

/* Spreadsheets write a byte order mark before the header. */
START_TEST(byte_order_mark)
{
    char err[1024];
    countscsv *c =
        read_text("\xEF\xBB\xBFtime,router,deployment,requests\n0,r,a,5\n", err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    ck_assert_uint_eq(c->rows[0].time_col, 1);
    countscsv_free(c);
}
END_TEST

START_TEST(bad_rows_name_line_and_column)
{
    expect_error("time,router,deployment,requests,replica\n",
                 ":1:33: unknown column \"replica\": expected time, router, deployment, "
                 "requests, replicas or share");
    expect_error("time,router,requests\n",
                 ":1:1: no \"deployment\" column: expected a header naming time, router, "
                 "deployment, requests and optionally replicas or share");
    expect_error("time,router,deployment,requests,time\n", ":1:33: column \"time\" appears twice");
    expect_error("time,router,deployment,requests,replicas,share\n",
                 ":1:42: both replicas and share: expected one of them at most");
    expect_error("# nothing\n", ":1:1: no header: expected a line naming the columns time, "
                                "router, deployment, requests and optionally replicas or share");
    expect_error("time,router,deployment,requests\n", ":1:1: no rows of counts after the header");
    expect_error("time,router,deployment,requests\n0,r,a,-3\n",
                 ":2:7: requests: expected a whole number from 0 to 1000000000000000, got \"-3\"");
    expect_error("time,router,deployment,requests\n0,r,a\n",
                 ":2:1: 3 fields: expected 4, as in the header");
    expect_error("time,router,deployment,requests\n0,r,,5\n",
                 ":2:5: empty deployment: expected a name");
    expect_error("time,router,deployment,requests\nsoon,r,a,5\n",
                 ":2:1: time: expected a number from 0 to 1e+13, got \"soon\" seconds");
    expect_error("time,router,deployment,requests\n60,r,a,5\n0,r,a,5\n",
                 ":3:1: time 0 is before 60 on line 2: expected rows in time order");
    expect_error("time,router,deployment,requests\n0,r,a,5\n0,s,a,5\n0,r,a,6\n",
                 ":4:5: router \"r\", deployment \"a\" at time 0 again (first on line 2)");
    expect_error("time,router,deployment,requests,replicas\n0,r,a,5,1.5\n",
                 ":2:9: replicas: expected a whole number from 0 to 1000000000, got \"1.5\"");
    expect_error(
        "time,router,deployment,requests,share\n0,r,a,5,0.5\n0,r,b,5,0.4\n",
        ":2:9: the shares of router \"r\" at time 0 sum to 0.9: expected 1 (within 0.001)");
    expect_error("time,router,deployment,requests\n0,\"r\",a,5\n",
                 ":2:3: a quote in the router name: quoted fields are not supported");
}
END_TEST

START_TEST(missing_file)
{
    char err[256];
    ck_assert(countscsv_read("/nonexistent/counts.csv", err, sizeof err) == NULL);
    ck_assert_str_eq(err, "/nonexistent/counts.csv: No such file or directory");
}
END_TEST

static srm_result *analyse_text(const char *text, const srm_options *o)
{
    char err[1024];
    countscsv *c = read_text(text, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    srm_result *r = srm_analyse(c, o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    countscsv_free(c);
    return r;
}

/* 80/20 by replicas, served 700/300 over one interval: chi2 = 100^2 / 800 + 100^2 / 200. A
 * replica change starts a second phase, served exactly 50/50. */
START_TEST(phases_and_their_tests)
{
    srm_options o = SRM_DEFAULT_OPTIONS;
    srm_result *r = analyse_text("time,router,deployment,requests,replicas\n"
                                 "0,r,a,350,4\n0,r,b,150,1\n"
                                 "60,r,a,350,4\n60,r,b,150,1\n"
                                 "120,r,a,500,2\n120,r,b,500,2\n"
                                 "180,r,b,500,2\n180,r,a,500,2\n",
                                 &o);
    ck_assert_uint_eq(r->n_phases, 2);
    ck_assert_uint_eq(r->requests, 3000);
    const srm_phase *p = &r->phases[0];
    ck_assert_str_eq(p->router, "r");
    ck_assert(p->start_s == 0.0 && p->end_s == 120.0 && p->first_line == 2);
    ck_assert_uint_eq(p->requests, 1000);
    ck_assert(p->deployments[0].expected_share == 0.8 && p->deployments[0].observed == 700);
    ck_assert(fabs(p->test.chi2 - 62.5) < 1e-9 && p->test.df == 1);
    ck_assert_int_eq(p->test.verdict, SPLITTEST_FAIL);
    ck_assert_uint_eq(p->n_looks, 2);
    ck_assert(p->looks[0].requests == 500 && p->looks[1].time_s == 60.0);
    ck_assert(p->crossed && !p->passed);
    ck_assert(p->sequential_p <= p->looks[0].p_value);
    const srm_phase *q = &r->phases[1];
    ck_assert(q->start_s == 120.0 && q->end_s == 240.0);
    ck_assert(q->test.chi2 == 0.0 && q->test.verdict == SPLITTEST_PASS);
    ck_assert(!q->crossed && q->passed && q->sequential_p == 1.0);
    ck_assert(q->power.rate_per_s == 2000.0 / 120.0);
    ck_assert(!r->passed);
    srm_result_free(r);
}
END_TEST

/* The plan of a 90/10 phase is the sample size of srmpower, and the time is that at the
 * phase's rate: 600 requests a minute for 10 minutes. */
START_TEST(phase_plan)
{
    char text[4096] = "time,router,deployment,requests,share\n";
    for (int m = 0; m < 10; m++) {
        char line[128];
        snprintf(line, sizeof line, "%d,r,a,540,0.9\n%d,r,b,60,0.1\n", 60 * m, 60 * m);
        strcat(text, line);
    }
    srm_options o = SRM_DEFAULT_OPTIONS;
    srm_result *r = analyse_text(text, &o);
    ck_assert_uint_eq(r->n_phases, 1);
    const srm_phase *p = &r->phases[0];
    ck_assert(p->passed && r->passed);
    ck_assert_uint_eq(p->requests, 6000);
    ck_assert(p->power.rate_per_s == 10.0);
    uint64_t needed;
    char err[256];
    ck_assert_int_eq(
        srmpower_sample_size(1, p->power.plan.effect, 0.001, 0.8, &needed, err, sizeof err), 0);
    ck_assert_uint_eq(p->power.plan.needed, needed);
    ck_assert(fabs(p->power.needed_s - (double)needed / 10.0) < 1e-9);
    ck_assert(p->power.underpowered && p->power.plan.power < 0.8);
    srm_result_free(r);
}
END_TEST

START_TEST(expected_shares_from_the_command_line)
{
    char spec[] = "a=0.75,b=0.25,c=0";
    const char *names[8];
    double shares[8];
    char err[512];
    ck_assert_int_eq(srm_parse_expected(spec, names, shares, 8, err, sizeof err), 3);
    ck_assert_str_eq(names[2], "c");
    ck_assert(shares[1] == 0.25);
    const char *other_names[8];
    double other_shares[8];
    char bad_sum[] = "a=0.7,b=0.2";
    ck_assert_int_eq(srm_parse_expected(bad_sum, other_names, other_shares, 8, err, sizeof err),
                     -1);
    ck_assert_str_eq(err, "--expected: the shares sum to 0.9: expected 1 (within 0.001)");
    char twice[] = "a=0.5,a=0.5";
    ck_assert_int_eq(srm_parse_expected(twice, other_names, other_shares, 8, err, sizeof err), -1);
    ck_assert_str_eq(err, "--expected: \"a\" twice");
    char no_eq[] = "a";
    ck_assert_int_eq(srm_parse_expected(no_eq, other_names, other_shares, 8, err, sizeof err), -1);
    ck_assert_str_eq(err, "--expected: \"a\": expected DEPLOYMENT=SHARE");

    srm_options o = SRM_DEFAULT_OPTIONS;
    o.n_expected = 3;
    o.expected_names = names;
    o.expected_shares = shares;
    /* b has no row at time 60: 0 requests there; c has share 0 and gets none */
    srm_result *r = analyse_text("time,router,deployment,requests\n"
                                 "0,r,a,75\n0,r,b,25\n60,r,a,75\n",
                                 &o);
    ck_assert_uint_eq(r->n_phases, 1);
    ck_assert_uint_eq(r->phases[0].n_deployments, 3);
    ck_assert_uint_eq(r->phases[0].deployments[1].observed, 25);
    /* 150 : 25 against 0.75 : 0.25 of 175: chi2 = 18.75^2 / 131.25 + 18.75^2 / 43.75 */
    double want = 18.75 * 18.75 / 131.25 + 18.75 * 18.75 / 43.75;
    ck_assert(fabs(r->phases[0].test.chi2 - want) < 1e-9);
    srm_result_free(r);

    temp_file t = write_temp("time,router,deployment,requests\n0,r,a,75\n0,r,z,25\n");
    countscsv *c = countscsv_read(t.path, err, sizeof err);
    unlink(t.path);
    ck_assert(c != NULL);
    ck_assert(srm_analyse(c, &o, err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, ":3:5: deployment \"z\" has no expected share: expected one of "
                              "--expected") != NULL,
                  "%s", err);
    o.n_expected = 0;
    ck_assert(srm_analyse(c, &o, err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, "no replicas or share column") != NULL, "%s", err);
    countscsv_free(c);
}
END_TEST

/* Shares from a simulated run of the scenario: 3:2 until 60s, then 3:3; "b" has no row in
 * the first interval, so it is expected to get 40% there and got none. */
START_TEST(expected_shares_from_a_scenario)
{
    scenario *sc = load_text("name: ab\naccount: acct\nseed: 1\nduration: 2m\n"
                             "deployments:\n"
                             "  - {id: a, model: accounts/acct/models/m, replicas: 3}\n"
                             "  - {id: b, model: accounts/acct/models/m, replicas: 2}\n"
                             "routers:\n  - {id: r, deployments: [a, b]}\n"
                             "traffic:\n  - {router: r, rate: 1/s}\n"
                             "timeline:\n  - {at: 60s, scale: {deployment: b, replicas: 3}}\n");
    results *run = run_seed(sc, 1);
    srm_options o = SRM_DEFAULT_OPTIONS;
    o.run = run;
    srm_result *r = analyse_text("time,router,deployment,requests\n"
                                 "0,r,a,60\n30,r,a,30\n30,r,b,20\n"
                                 "60,r,a,50\n60,r,b,50\n90,r,b,50\n90,r,a,50\n",
                                 &o);
    ck_assert_uint_eq(r->n_phases, 2);
    const srm_phase *p = &r->phases[0];
    ck_assert(p->start_s == 0.0 && p->end_s == 60.0);
    ck_assert_uint_eq(p->n_deployments, 2);
    ck_assert_str_eq(p->deployments[1].name, "b");
    ck_assert(p->deployments[0].weight == 3.0 && p->deployments[1].expected_share == 0.4);
    /* 90 : 20 against 66 : 44 */
    ck_assert(fabs(p->test.chi2 - (24.0 * 24.0 / 66.0 + 24.0 * 24.0 / 44.0)) < 1e-9);
    ck_assert(r->phases[1].deployments[1].expected_share == 0.5 && r->phases[1].passed);
    srm_result_free(r);

    char err[1024];
    temp_file t = write_temp("time,router,deployment,requests\n0,r,a,5\n130,r,a,5\n");
    countscsv *c = countscsv_read(t.path, err, sizeof err);
    unlink(t.path);
    ck_assert(srm_analyse(c, &o, err, sizeof err) == NULL);
    ck_assert_msg(strstr(err, ":3:1: router \"r\" does not exist at time 130 in the scenario's "
                              "run (120s long)"),
                  "%s", err);
    countscsv_free(c);
    results_free(run);
    scenario_free(sc);
}
END_TEST

static srm_result *analyse_bundled(const char *name)
{
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/scenarios/counts/%s", ROUTERSIM_SOURCE_DIR, name);
    countscsv *c = countscsv_read(path, err, sizeof err);
    ck_assert_msg(c != NULL, "%s", err);
    srm_options o = SRM_DEFAULT_OPTIONS;
    srm_result *r = srm_analyse(c, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    countscsv_free(c);
    return r;
}

START_TEST(bundled_fair_passes_and_skewed_fails)
{
    srm_result *fair = analyse_bundled("migration-fair.csv");
    ck_assert(fair->passed);
    ck_assert_uint_ge(fair->n_phases, 3);
    srm_result *skewed = analyse_bundled("migration-skewed.csv");
    ck_assert(!skewed->passed);
    int crossed = 0;
    for (size_t i = 0; i < skewed->n_phases; i++)
        crossed |= skewed->phases[i].crossed;
    ck_assert(crossed);
    srm_result_free(fair);
    srm_result_free(skewed);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("srm");
    TCase *tc = tcase_create("counts_csv");
    tcase_add_test(tc, reads_a_file);
    tcase_add_test(tc, byte_order_mark);
    tcase_add_test(tc, bad_rows_name_line_and_column);
    tcase_add_test(tc, missing_file);
    suite_add_tcase(s, tc);
    tc = tcase_create("analysis");
    tcase_add_test(tc, phases_and_their_tests);
    tcase_add_test(tc, phase_plan);
    tcase_add_test(tc, expected_shares_from_the_command_line);
    tcase_add_test(tc, expected_shares_from_a_scenario);
    tcase_add_test(tc, bundled_fair_passes_and_skewed_fails);
    suite_add_tcase(s, tc);
    return s;
}
