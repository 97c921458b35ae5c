/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/metricscsv.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/*
 * The metrics CSV export is the user's own data that `fit` and `replay` read: a well-formed
 * file gives back every cell, and each kind of malformed row is named by file, line and
 * column with what was expected.
 */

static metricscsv *read_text(const char *text, char *path, size_t pathlen, char *err, size_t errlen)
{
    snprintf(path, pathlen, "/tmp/routersim-metrics-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    metricscsv *m = metricscsv_read(path, err, errlen);
    unlink(path);
    return m;
}

/* The error for `text`, with the temporary file's name replaced by "F". */
static void expect_error(const char *text, const char *want)
{
    char err[1024], path[64];
    metricscsv *m = read_text(text, path, sizeof path, err, sizeof err);
    ck_assert_msg(m == NULL, "accepted: %s", text);
    size_t n = strlen(path);
    ck_assert_msg(strncmp(err, path, n) == 0, "no file name in: %s", err);
    ck_assert_msg(strcmp(err + n, want) == 0, "got \"%s\", want \"F%s\"", err + n, want);
}

START_TEST(reads_quantiles)
{
    char err[1024], path[64];
    metricscsv *m = read_text("\xEF\xBB\xBF# per minute\r\n"
                              "time, deployment, requests, replicas, ready, utilization, p50, "
                              "p99\r\n"
                              "0, a, 10, 2, 2, 0.25, 0.2, 0.9\r\n"
                              "0, b, 5, 1, 1, , , \r\n"
                              "\n"
                              "120, a, 12, 3, 2, 0.3, 0.21, 1.1\r\n",
                              path, sizeof path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert_uint_eq(m->n_rows, 3);
    ck_assert_uint_eq(m->n_deployments, 2);
    ck_assert_uint_eq(m->n_routers, 0);
    ck_assert(m->window_s == 120.0);
    ck_assert(m->has_ready && m->has_utilization && !m->has_completed && !m->has_tokens);
    ck_assert(m->has_quantile[METRICSCSV_P50] && m->has_quantile[METRICSCSV_P99]);
    ck_assert(!m->has_quantile[METRICSCSV_P90]);
    const metricscsv_row *r = &m->rows[2];
    ck_assert(r->time_s == 120.0 && r->deployment == 0 && r->requests == 12 && r->replicas == 3);
    ck_assert(r->ready == 2.0 && r->utilization == 0.3 && isnan(r->completed));
    ck_assert(r->quantile[METRICSCSV_P50] == 0.21 && r->quantile[METRICSCSV_P99] == 1.1);
    ck_assert(isnan(r->quantile[METRICSCSV_P90]));
    ck_assert(isnan(m->rows[1].utilization) && isnan(m->rows[1].quantile[METRICSCSV_P50]));
    ck_assert_uint_eq(r->line, 6);
    ck_assert_uint_eq(r->router, METRICSCSV_NO_ROUTER);
    metricscsv_free(m);
}
END_TEST

START_TEST(reads_a_histogram)
{
    char err[1024], path[64];
    /* bounds out of order in the header come back sorted, le_inf last */
    metricscsv *m = read_text("time,router,deployment,requests,replicas,le_inf,le_0.5,le_0.1\n"
                              "60,r,a,10,2,10,7,2\n"
                              "120,r,a,8,2,8,8,8\n",
                              path, sizeof path, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    ck_assert_uint_eq(m->n_buckets, 3);
    ck_assert(m->bucket_le_s[0] == 0.1 && m->bucket_le_s[1] == 0.5 && isinf(m->bucket_le_s[2]));
    const double *b = &m->bucket_counts[m->rows[0].first_bucket];
    ck_assert(b[0] == 2 && b[1] == 7 && b[2] == 10);
    ck_assert_uint_eq(m->n_routers, 1);
    ck_assert(m->window_s == 60.0);
    metricscsv_free(m);
}
END_TEST

START_TEST(bad_rows_name_line_and_column)
{
    const char *head = "time,deployment,requests,replicas,p50,p90\n";
    char text[512];
    struct {
        const char *rows, *want;
    } cases[] = {
        {"0,a,10,2,0.1,0.2\n0,a,x,2,0.1,0.2\n",
         ":3:5: requests: expected a whole number from 0 to 1000000000000000, got \"x\""},
        {"60,a,10,2,0.1,0.2\n0,a,10,2,0.1,0.2\n",
         ":3:1: time 0 is before 60 on line 2: expected rows in time order"},
        {"0,a,10,2,0.1,0.2\n0,a,10,2,0.1,0.2\n",
         ":3:3: deployment \"a\" at time 0 again (first on line 2)"},
        {"0,a,10,2,0.3,0.2\n60,a,1,1,,\n",
         ":2:14: p90 0.2 is below p50 0.3: expected quantiles that grow with the level"},
        {"0,a,10,2,0.1,0.2\n60,a,10,-1,0.1,0.2\n",
         ":3:9: replicas: expected a whole number from 0 to 1000000000, got \"-1\""},
        {"0,a,10,2,0.1\n", ":2:1: 5 fields: expected 6, as in the header"},
        {"0,a,10,2,0.1,0.2\n60,a,10,2,0.1,0.2\n150,a,10,2,0.1,0.2\n",
         ":4:1: time 150 is not on the windows' grid: expected 0 plus a whole number of "
         "60-second windows (the smallest gap between times)"},
        {"0,,10,2,0.1,0.2\n", ":2:3: empty deployment: expected a name"},
        {"5,a,10,2,0.1,0.2\n5,b,1,1,,\n",
         ":3:1: every row at time 5: expected at least two windows"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(text, sizeof text, "%s%s", head, cases[i].rows);
        expect_error(text, cases[i].want);
    }
    expect_error("time,deployment,requests\n0,a,1\n",
                 ":1:1: no \"replicas\" column: expected a header naming time, deployment, "
                 "requests and replicas, and optionally more (docs/calibration.md)");
    expect_error("time,deployment,requests,replicas,latency\n",
                 ":1:35: unknown column \"latency\": expected time, deployment, requests, "
                 "replicas, router, ready, completed, utilization, tokens_in, tokens_out, p50, "
                 "p90, p95, p99, p999 or le_<seconds>");
    expect_error("time,deployment,requests,replicas,le_0.1,le_0.5\n",
                 ":1:42: no le_inf column: a histogram needs le_inf, the count of all requests");
    expect_error("time,deployment,requests,replicas,le_0.1,le_inf,p50\n",
                 ":1:35: histogram columns beside quantile columns: expected one or the other");
    expect_error("time,deployment,requests,replicas,le_0.1,le_inf\n0,a,5,1,3,2\n",
                 ":2:11: histogram count 2 below 3 of a lower bound: expected cumulative counts "
                 "(requests with latency up to the bound)");
    expect_error("time,deployment,requests,replicas,le_x,le_inf\n",
                 ":1:38: histogram column \"le_x\": expected le_ and a bound in seconds above 0 "
                 "(le_0.25) or le_inf");
    expect_error("time,deployment,requests,replicas,utilization\n0,a,1,1,1.5\n",
                 ":2:9: utilization: expected a number from 0 to 1, got \"1.5\"");
    expect_error("# nothing\n", ":1:1: no header: expected a line naming the columns time, "
                                "deployment, requests, replicas and optionally more "
                                "(docs/calibration.md)");
}
END_TEST

START_TEST(missing_file)
{
    char err[1024];
    ck_assert(metricscsv_read("/nonexistent/metrics.csv", err, sizeof err) == NULL);
    ck_assert_msg(strncmp(err, "/nonexistent/metrics.csv: ", 26) == 0, "%s", err);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("metricscsv");
    TCase *tc = tcase_create("metrics_csv");
    tcase_add_test(tc, reads_quantiles);
    tcase_add_test(tc, reads_a_histogram);
    tcase_add_test(tc, bad_rows_name_line_and_column);
    tcase_add_test(tc, missing_file);
    suite_add_tcase(s, tc);
    return s;
}
