/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/srm_report.h"

#include "tests/check_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The srm reports are a contract for machines (report.json, junit.xml) and people: the
 * fields hold the analysis's figures, hand-checked here for a small file.
 */

static srm_result *analyse(const char *text)
{
    char path[] = "/tmp/routersim-srmreport-XXXXXX", err[1024];
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    countscsv *c = countscsv_read(path, err, sizeof err);
    unlink(path);
    ck_assert_msg(c != NULL, "%s", err);
    srm_options o = SRM_DEFAULT_OPTIONS;
    srm_result *r = srm_analyse(c, &o, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    countscsv_free(c);
    return r;
}

static const char skewed_then_fair[] = "time,router,deployment,requests,replicas\n"
                                       "0,r,a,700,4\n0,r,b,300,1\n"
                                       "60,r,a,500,1\n60,r,b,500,1\n";

START_TEST(json_fields)
{
    srm_result *r = analyse(skewed_then_fair);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    ck_assert_int_eq(srm_report_json(out, r), 0);
    fclose(out);
    const char *want[] = {
        "\"alpha\": 0.001, \"concentration\": 100, \"target_power\": 0.8",
        "\"deviation\": {\"kind\": \"absolute\", \"shift\": 0.01}",
        "\"requests\": 2000",
        "{\"name\": \"a\", \"weight\": 4, \"expected_share\": 0.8, \"observed\": 700, "
        "\"observed_share\": 0.7}",
        "\"chi2\": 62.5, \"df\": 1",
        "\"crossed\": true, \"crossed_at_s\": 0, \"looks\": [[0, 1000, ",
        "\"power\": {\"deployment\": \"b\", \"from\": 0.2, \"to\": 0.21, ",
        "\"start_s\": 60, \"end_s\": 120, \"line\": 4",
        "\"crossed\": false, \"crossed_at_s\": null",
        "\"passed\": false\n}\n"};
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(text, want[i]) != NULL, "no %s in:\n%s", want[i], text);
    free(text);
    srm_result_free(r);
}
END_TEST

static char *slurp(const char *dir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "r");
    ck_assert_msg(f != NULL, "%s missing", path);
    char *text = calloc(1, 1 << 16);
    size_t n = fread(text, 1, (1 << 16) - 1, f);
    text[n] = '\0';
    fclose(f);
    unlink(path);
    return text;
}

START_TEST(files_in_the_folder)
{
    srm_result *r = analyse(skewed_then_fair);
    char dir[] = "/tmp/routersim-srmreport-XXXXXX", err[1024];
    ck_assert(mkdtemp(dir) != NULL);
    ck_assert_msg(srm_report_write(dir, r, 0, NULL, err, sizeof err) == 0, "%s", err);
    char *junit = slurp(dir, "junit.xml");
    ck_assert(strstr(junit, "<testsuites tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\""));
    ck_assert(strstr(junit, "<testcase name=\"r [0, 60)\" classname=\"srm.split\""));
    ck_assert(strstr(junit, "<failure type=\"SampleRatioMismatch\" message=\"chi2 62.5"));
    char *csv = slurp(dir, "sequential.csv");
    ck_assert(strncmp(csv, "router,phase_start_s,time_s,requests,sequential_p\nr,0,0,1000,", 61) ==
              0);
    ck_assert(strstr(csv, "\nr,60,60,1000,1\n"));
    char *md = slurp(dir, "report.md");
    ck_assert(strstr(md, "**FAILED**: 2 phases, 2000 requests"));
    char *json = slurp(dir, "report.json");
    ck_assert(strstr(json, "\"passed\": false"));
    free(junit);
    free(csv);
    free(md);
    free(json);
    ck_assert_int_eq(rmdir(dir), 0);
    srm_result_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("srm_report");
    TCase *tc = tcase_create("srm_reports");
    tcase_add_test(tc, json_fields);
    tcase_add_test(tc, files_in_the_folder);
    suite_add_tcase(s, tc);
    return s;
}
