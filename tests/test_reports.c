#include "plots/plots.h"
#include "reports/report_csv.h"
#include "reports/report_json.h"
#include "reports/report_junit.h"
#include "reports/report_md.h"
#include "reports/reports.h"
#include "reports/series.h"
#include "reports/text.h"

#include "tests/check_main.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * What users and their tools rely on in the reports: that no text they typed can break a
 * format, that the numbers in every file are the run's numbers, and that a folder whose
 * report.json exists is complete. Run-level checks of real output (schema, browser, gnuplot)
 * are in e2e_reports.py.
 */

/* ---- helpers ------------------------------------------------------------------------- */

typedef void (*text_fn)(FILE *out, const char *s);

/* What was written to a temporary stream, as a string; closes the stream. */
static char *contents(FILE *out)
{
    long len = ftell(out);
    ck_assert_int_ge(len, 0);
    char *buf = malloc((size_t)len + 1);
    rewind(out);
    ck_assert_uint_eq(fread(buf, 1, (size_t)len, out), (size_t)len);
    buf[len] = '\0';
    fclose(out);
    return buf;
}

static char *capture_text(text_fn fn, const char *s)
{
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    fn(out, s);
    return contents(out);
}

static void xml_text(FILE *out, const char *s)
{
    text_xml(out, s, 0);
}

static void xml_attribute(FILE *out, const char *s)
{
    text_xml(out, s, 1);
}

static void md_cell(FILE *out, const char *s)
{
    text_md(out, s, 1);
}

static void md_paragraph(FILE *out, const char *s)
{
    text_md(out, s, 0);
}

static void assert_escapes(text_fn fn, const char *in, const char *want)
{
    char *got = capture_text(fn, in);
    ck_assert_msg(strcmp(got, want) == 0, "escaping \"%s\": got \"%s\", want \"%s\"", in, got,
                  want);
    free(got);
}

static void add_share(results_phase *ph, size_t i, const char *name, long long replicas,
                      double share, uint64_t observed)
{
    ph->deployments[i].name = results_strdup(name);
    ph->deployments[i].replicas = replicas;
    ph->deployments[i].expected_share = share;
    ph->deployments[i].observed = observed;
}

static results_phase *add_phase(results *r, double start, double end, size_t n,
                                splittest_verdict verdict, const char *reason)
{
    results_phase *ph = results_add_phase(r);
    ph->router = results_strdup("accounts/acme/routers/edge");
    ph->start_s = start;
    ph->end_s = end;
    ph->n_deployments = n;
    ph->deployments = calloc(n, sizeof *ph->deployments);
    ph->test.verdict = verdict;
    ph->test.p_value = verdict == SPLITTEST_FAIL ? 1e-9 : 0.5;
    ph->test.chi2 = verdict == SPLITTEST_FAIL ? 40.0 : 0.45;
    ph->test.df = 1;
    snprintf(ph->test.reason, sizeof ph->test.reason, "%s", reason);
    return ph;
}

static void add_point(results *r, uint32_t bin, uint32_t router, uint32_t deployment,
                      uint64_t routed, long long replicas, double share)
{
    *results_add_point(r) = (results_point){.bin = bin,
                                            .router = router,
                                            .deployment = deployment,
                                            .routed = routed,
                                            .replicas = replicas,
                                            .expected_share = share};
}

static void add_check(results *r, const char *name, int passed, const char *detail)
{
    results_check *c = results_add_check(r);
    c->name = results_strdup(name);
    c->passed = passed;
    c->detail = results_strdup(detail);
}

/*
 * A hand-made run of router "edge" over 3 bins of 60 s (the last one 30 s): phase 1 passes
 * (75/25 over bins 0-1), phase 2 fails (bin 2), phase 3 is skipped (no requests); router
 * "idle" routes nothing. One check passes, one fails. Two traffic sources call "edge", a
 * third calls a router that does not exist.
 */
static results *sample(void)
{
    results *r = results_new();
    r->scenario = results_strdup("Demo \"q\" <b>&amp; ünï");
    r->description = results_strdup("first line\nsecond | line");
    r->source = results_strdup("demo.yaml");
    r->seed = 7;
    r->duration_s = 150;
    r->window_s = 60;
    r->alpha = 0.001;
    r->n_bins = 3;
    results_name_index(&r->routers, &r->n_routers, "accounts/acme/routers/edge");
    results_name_index(&r->routers, &r->n_routers, "accounts/acme/routers/idle");
    results_name_index(&r->deployments, &r->n_deployments, "accounts/acme/deployments/blue");
    results_name_index(&r->deployments, &r->n_deployments, "accounts/acme/deployments/green");
    results_name_index(&r->targets, &r->n_targets, "accounts/acme/routers/edge");
    results_name_index(&r->targets, &r->n_targets, "accounts/acme/routers/gone");

    results_phase *ph = add_phase(r, 0, 120, 2, SPLITTEST_PASS, "");
    add_share(ph, 0, "accounts/acme/deployments/blue", 3, 0.75, 150);
    add_share(ph, 1, "accounts/acme/deployments/green", 1, 0.25, 50);
    ph->requests = 200;
    ph = add_phase(r, 120, 140, 2, SPLITTEST_FAIL, "");
    add_share(ph, 0, "accounts/acme/deployments/blue", 1, 0.5, 9);
    add_share(ph, 1, "accounts/acme/deployments/green", 1, 0.5, 1);
    ph->requests = 10;
    ph = add_phase(r, 140, 150, 1, SPLITTEST_SKIPPED, "no requests <&> were routed");
    add_share(ph, 0, "accounts/acme/deployments/green", 0, 0.0, 0);

    add_point(r, 0, 0, 0, 80, 3, 0.75);
    add_point(r, 0, 0, 1, 20, 1, 0.25);
    add_point(r, 0, 1, 1, 0, 0, 0.0); /* "idle" routes nothing: no observed share */
    add_point(r, 1, 0, 0, 70, 3, 0.75);
    add_point(r, 1, 0, 1, 30, 1, 0.25);
    add_point(r, 2, 0, 0, 9, 1, 0.5);
    add_point(r, 2, 0, 1, 1, 1, 0.5);

    for (uint32_t bin = 0; bin < 3; bin++)
        for (uint32_t source = 0; source < 3; source++) {
            results_flow *f = results_add_flow(r);
            f->bin = bin;
            f->target = source == 2;
            f->arrivals = source == 2 ? 4 : source == 0 ? 60 : 40;
            f->failed[RESULTS_ROUTER_NOT_FOUND] = source == 2 ? 4 : 0;
        }
    /* bins 0 and 1 route 100 each; bin 2 routes 10, and 90 fail for want of replicas */
    r->flows[6].arrivals = 50, r->flows[6].failed[RESULTS_NO_REPLICAS] = 45;
    r->flows[7].arrivals = 50, r->flows[7].failed[RESULTS_NO_REPLICAS] = 45;
    r->routed = 210;
    r->failed_by_reason[RESULTS_ROUTER_NOT_FOUND] = 12;
    r->failed_by_reason[RESULTS_NO_REPLICAS] = 90;
    r->failed = 102;
    r->total = r->routed + r->failed;

    add_check(r, "expect edge share during [0,120]", 1, "blue 0.75 (expected 0.75)");
    add_check(r, "max_failed_requests", 0, "102 failed; at most 0 allowed <&\">");
    results_event *ev = results_add_event(r);
    ev->at_s = 120;
    ev->text = results_strdup("firectl deployment scale blue --replica-count 1");
    return r;
}

typedef int (*writer_fn)(FILE *out, const results *r, const series *s);

static char *capture_report(writer_fn fn, const results *r)
{
    series s;
    ck_assert_int_eq(series_init(&s, r), 0);
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    ck_assert_int_eq(fn(out, r, &s), 0);
    series_free(&s);
    return contents(out);
}

static int junit(FILE *out, const results *r, const series *s)
{
    (void)s;
    return report_junit_write(out, r);
}

static int markdown(FILE *out, const results *r, const series *s)
{
    (void)s;
    plots_set none = {.status = PLOTS_NOT_REQUESTED};
    return report_md_write(out, r, &none);
}

static int timeseries(FILE *out, const results *r, const series *s)
{
    (void)r;
    return report_csv_timeseries(out, s);
}

static int requests(FILE *out, const results *r, const series *s)
{
    (void)r;
    return report_csv_requests(out, s);
}

static int json(FILE *out, const results *r, const series *s)
{
    (void)r;
    plots_set none = {.status = PLOTS_NOT_REQUESTED};
    return report_json_write(out, s, &none);
}

static size_t count(const char *haystack, const char *needle)
{
    size_t n = 0;
    for (const char *p = strstr(haystack, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

/* ---- escaping ------------------------------------------------------------------------- */

START_TEST(xml_escapes_markup_and_keeps_text)
{
    assert_escapes(xml_text, "a \"q\" 'b' <c> & d",
                   "a &quot;q&quot; &#39;b&#39; &lt;c&gt; &amp; d");
    assert_escapes(xml_text, "l1\nl2\tx\ry", "l1\nl2\tx&#13;y");
    assert_escapes(xml_attribute, "l1\nl2\tx", "l1&#10;l2&#9;x");
    assert_escapes(xml_text, "ünï — 🚀", "ünï — 🚀");
    /* what XML 1.0 cannot carry at all becomes U+FFFD */
    assert_escapes(xml_text,
                   "a\x01"
                   "b\x7f",
                   "a" TEXT_REPLACEMENT "b\x7f");
    assert_escapes(xml_text, "bad \xff\xfe end", "bad " TEXT_REPLACEMENT TEXT_REPLACEMENT " end");
    assert_escapes(xml_text, "\xef\xbf\xbe", TEXT_REPLACEMENT);
}
END_TEST

START_TEST(markdown_cannot_format_or_break_tables)
{
    assert_escapes(md_cell, "a | b", "a \\| b");
    assert_escapes(md_cell, "x\ny", "x y");
    assert_escapes(md_cell, "*bold* `code` [link](u) <b> & _u_",
                   "\\*bold\\* \\`code\\` \\[link\\](u) \\<b\\> \\& \\_u\\_");
    assert_escapes(md_cell, "max_failed_requests", "max_failed_requests");
    assert_escapes(md_paragraph, "# title", "\\# title");
    assert_escapes(md_paragraph, "one\n2. two\n- three\n  + four",
                   "one\\\n2\\. two\\\n\\- three\\\n  \\+ four");
    assert_escapes(md_paragraph, "a-b 3.5", "a-b 3.5");
    assert_escapes(md_paragraph, "ends\n\n", "ends");
    assert_escapes(md_cell, "ünï \xff", "ünï " TEXT_REPLACEMENT);
}
END_TEST

START_TEST(csv_fields_quoted_only_when_needed)
{
    assert_escapes(text_csv, "plain", "plain");
    assert_escapes(text_csv, "a,b", "\"a,b\"");
    assert_escapes(text_csv, "say \"hi\"", "\"say \"\"hi\"\"\"");
    assert_escapes(text_csv, "l1\r\nl2", "\"l1\r\nl2\"");
    assert_escapes(text_csv, "ünï", "ünï");
}
END_TEST

START_TEST(utf8_decoder_rejects_malformed_input)
{
    uint32_t cp;
    ck_assert_uint_eq(text_utf8_next("\xc3\xbc", &cp), 2);
    ck_assert_uint_eq(cp, 0xFC);
    ck_assert_uint_eq(text_utf8_next("\xf0\x9f\x9a\x80", &cp), 4);
    ck_assert_uint_eq(cp, 0x1F680);
    ck_assert_uint_eq(text_utf8_next("\xc0\xaf", &cp), 0);         /* overlong '/' */
    ck_assert_uint_eq(text_utf8_next("\xed\xa0\x80", &cp), 0);     /* surrogate */
    ck_assert_uint_eq(text_utf8_next("\xe2\x82", &cp), 0);         /* cut short */
    ck_assert_uint_eq(text_utf8_next("\xf4\x90\x80\x80", &cp), 0); /* past U+10FFFF */
    ck_assert_uint_eq(text_utf8_next("\x80", &cp), 0);
}
END_TEST

START_TEST(durations_and_counts_read_as_people_write_them)
{
    const struct {
        double s;
        const char *want;
    } cases[] = {{0, "0s"},       {0.25, "250ms"}, {45, "45s"},       {600, "10m"},
                 {5400, "1h30m"}, {7200, "2h"},    {127.5, "2m7.5s"}, {3601, "1h1s"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        text_duration(buf, sizeof buf, cases[i].s);
        ck_assert_str_eq(buf, cases[i].want);
    }
    char buf[32];
    text_count(buf, sizeof buf, 240492);
    ck_assert_str_eq(buf, "240,492");
    text_count(buf, sizeof buf, 999);
    ck_assert_str_eq(buf, "999");
    text_count(buf, sizeof buf, 1000000);
    ck_assert_str_eq(buf, "1,000,000");
}
END_TEST

/* ---- the numbers ----------------------------------------------------------------------- */

START_TEST(series_sums_and_shares)
{
    results *r = sample();
    series s;
    ck_assert_int_eq(series_init(&s, r), 0);
    ck_assert_uint_eq(series_routed(&s, 0, 0), 100);
    ck_assert_uint_eq(series_routed(&s, 2, 0), 10);
    ck_assert_double_eq_tol(series_observed_share(&s, &r->points[1]), 0.2, 1e-12);
    ck_assert_double_eq(series_bin_start(r, 2), 120);
    ck_assert_double_eq(series_bin_end(r, 2), 150); /* the last bin ends with the run */
    /* two sources call "edge": their flows are summed per bin */
    const results_flow *f = series_requests(&s, 2, 0);
    ck_assert_uint_eq(f->arrivals, 100);
    ck_assert_uint_eq(f->failed[RESULTS_NO_REPLICAS], 90);
    ck_assert_uint_eq(series_flow_routed(f), 10);
    ck_assert_uint_eq(series_flow_failed(series_requests(&s, 0, 1)), 4);
    series_free(&s);
    results_free(r);
}
END_TEST

START_TEST(csv_rows_add_up_to_the_totals)
{
    results *r = sample();
    char *csv = capture_report(timeseries, r);
    ck_assert(strncmp(csv,
                      "bin,start_s,end_s,router,deployment,routed,router_routed,"
                      "observed_share,expected_share,replicas\r\n",
                      97) == 0);
    ck_assert_uint_eq(count(csv, "\r\n"), 1 + r->n_points);
    ck_assert_ptr_nonnull(strstr(csv, "0,0,60,accounts/acme/routers/edge,"
                                      "accounts/acme/deployments/green,20,100,0.2,0.25,1\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "2,120,150,accounts/acme/routers/edge,"
                                      "accounts/acme/deployments/blue,9,10,0.9,0.5,1\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\n0,0,60,accounts/acme/routers/idle,"
                                      "accounts/acme/deployments/green,0,0,,0,0\r\n"));
    free(csv);

    csv = capture_report(requests, r);
    ck_assert_uint_eq(count(csv, "\r\n"), 1 + r->n_bins * r->n_targets);
    ck_assert_ptr_nonnull(strstr(csv, "2,120,150,accounts/acme/routers/edge,100,10,90,0,90,0\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "1,60,120,accounts/acme/routers/gone,4,0,4,4,0,0\r\n"));
    free(csv);
    results_free(r);
}
END_TEST

START_TEST(junit_counts_and_messages)
{
    results *r = sample();
    char *xml = capture_report(junit, r);
    /* 3 phase tests and 2 checks; one phase and one check failed; one phase skipped */
    ck_assert_uint_eq(count(xml, "tests=\"5\" failures=\"2\" errors=\"0\" skipped=\"1\""), 2);
    ck_assert_uint_eq(count(xml, "<testcase "), 5);
    ck_assert_ptr_nonnull(
        strstr(xml, "<testsuite name=\"Demo &quot;q&quot; &lt;b&gt;&amp;amp; ünï\""));
    ck_assert_ptr_nonnull(
        strstr(xml, "<testcase name=\"split of edge during [2m, 2m20s)\" classname=\"Demo "));
    ck_assert_ptr_nonnull(strstr(xml, "<failure type=\"SampleRatioMismatch\" message=\"the "
                                      "observed split does not follow the replica shares: "
                                      "chi2 = 40 with 1 degrees of freedom, p = 1e-09 &lt; "
                                      "alpha = 0.001\">"));
    ck_assert_ptr_nonnull(
        strstr(xml, "<skipped message=\"not tested: no requests &lt;&amp;&gt; were routed\"/>"));
    ck_assert_ptr_nonnull(strstr(xml, "<failure type=\"CheckFailed\" message=\"102 failed; at "
                                      "most 0 allowed &lt;&amp;&quot;&gt;\">"));
    free(xml);
    results_free(r);
}
END_TEST

START_TEST(markdown_has_one_table_row_per_phase)
{
    results *r = sample();
    char *md = capture_report(markdown, r);
    ck_assert_ptr_nonnull(strstr(md, "# Demo \"q\" \\<b\\>\\&amp; ünï\n"));
    ck_assert_ptr_nonnull(strstr(md, "first line\\\nsecond \\| line\n"));
    ck_assert_ptr_nonnull(strstr(md, "| edge | [0s, 2m) | blue / green | 3 / 1 | 75.00% / 25.00% "
                                     "| 75.00% / 25.00% | 200 | 0.45 | 1 | 0.5 | pass |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| edge | [2m, 2m20s) | blue / green | 1 / 1 | 50.00% / "
                                     "50.00% | 90.00% / 10.00% | 10 | 40 | 1 | 1e-09 | fail |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| edge | [2m20s, 2m30s) | green | 0 | 0.00% | n/a | 0 |"));
    ck_assert_ptr_nonnull(strstr(md, "| max_failed_requests | **FAIL** | 102 failed; at most 0 "
                                     "allowed \\<\\&\"\\> |\n"));
    ck_assert_ptr_nonnull(strstr(md, "_Plots were not drawn (--no-plots)._"));
    ck_assert_ptr_null(strstr(md, ".png)"));
    free(md);
    results_free(r);
}
END_TEST

START_TEST(json_gains_time_series_and_plots)
{
    results *r = sample();
    char *js = capture_report(json, r);
    ck_assert_ptr_nonnull(strstr(js, "\"scenario\": \"Demo \\\"q\\\" <b>&amp; ünï\""));
    ck_assert_ptr_nonnull(strstr(js, "\"timeseries\": {\"window_s\": 60, \"bins\": 3,"));
    ck_assert_ptr_nonnull(strstr(js, "{\"bin\": 2, \"start_s\": 120, \"end_s\": 150, \"router\": "
                                     "\"accounts/acme/routers/edge\", \"deployment\": "
                                     "\"accounts/acme/deployments/blue\", \"routed\": 9, "
                                     "\"router_routed\": 10, \"observed_share\": 0.9, "
                                     "\"expected_share\": 0.5, \"replicas\": 1}"));
    ck_assert_ptr_nonnull(strstr(js, "\"router_routed\": 0, \"observed_share\": null,"));
    ck_assert_ptr_nonnull(strstr(js, "\"arrivals\": 100, \"routed\": 10, \"failed\": 90, "
                                     "\"failed_by_reason\": {\"router_not_found\": 0, "
                                     "\"no_replicas\": 90, \"forbidden\": 0}}"));
    ck_assert_ptr_nonnull(strstr(js, "\"plots\": [],\n  \"plots_note\": \"Plots were not drawn "
                                     "(--no-plots).\",\n  \"passed\": false\n}\n"));
    free(js);
    results_free(r);
}
END_TEST

/* ---- the folder ------------------------------------------------------------------------ */

static void temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "%s/routersim-test-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static int exists(const char *dir, const char *file)
{
    char path[4096];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return stat(path, &st) == 0;
}

static void remove_tree(const char *dir)
{
    char command[4200];
    snprintf(command, sizeof command, "/bin/rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

static const char *const report_files[] = {"timeseries.csv", "requests.csv", "junit.xml",
                                           "report.md",      "report.html",  "report.json"};

START_TEST(every_report_written_without_plots)
{
    results *r = sample();
    char dir[256], err[512];
    temp_dir(dir, sizeof dir);
    reports_options opts = {.plots = 0};
    ck_assert_int_eq(reports_write(dir, r, &opts, NULL, err, sizeof err), 0);
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++)
        ck_assert_msg(exists(dir, report_files[i]), "%s missing", report_files[i]);
    ck_assert(!exists(dir, "replicas.png") && !exists(dir, "split-edge.svg"));
    remove_tree(dir);
    results_free(r);
}
END_TEST

/* report.json comes last: when an earlier report cannot be written, there is none. */
START_TEST(no_report_json_when_another_report_failed)
{
    results *r = sample();
    char dir[256], path[300], err[512];
    temp_dir(dir, sizeof dir);
    snprintf(path, sizeof path, "%s/report.html", dir);
    ck_assert_int_eq(mkdir(path, 0755), 0); /* report.html cannot be renamed over a folder */
    reports_options opts = {.plots = 0};
    ck_assert_int_eq(reports_write(dir, r, &opts, NULL, err, sizeof err), -1);
    ck_assert_msg(strstr(err, "report.html") != NULL, "%s", err);
    ck_assert(!exists(dir, "report.json"));
    remove_tree(dir);
    results_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reports");
    TCase *tc;

    tc = tcase_create("xml_escaping");
    tcase_add_test(tc, xml_escapes_markup_and_keeps_text);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown_escaping");
    tcase_add_test(tc, markdown_cannot_format_or_break_tables);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv_quoting");
    tcase_add_test(tc, csv_fields_quoted_only_when_needed);
    suite_add_tcase(s, tc);

    tc = tcase_create("utf8_decoding");
    tcase_add_test(tc, utf8_decoder_rejects_malformed_input);
    suite_add_tcase(s, tc);

    tc = tcase_create("durations_and_counts");
    tcase_add_test(tc, durations_and_counts_read_as_people_write_them);
    suite_add_tcase(s, tc);

    tc = tcase_create("series");
    tcase_add_test(tc, series_sums_and_shares);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv_rows");
    tcase_add_test(tc, csv_rows_add_up_to_the_totals);
    suite_add_tcase(s, tc);

    tc = tcase_create("junit_counts");
    tcase_add_test(tc, junit_counts_and_messages);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown_phase_table");
    tcase_add_test(tc, markdown_has_one_table_row_per_phase);
    suite_add_tcase(s, tc);

    tc = tcase_create("json_additions");
    tcase_add_test(tc, json_gains_time_series_and_plots);
    suite_add_tcase(s, tc);

    tc = tcase_create("folder_without_plots");
    tcase_add_test(tc, every_report_written_without_plots);
    suite_add_tcase(s, tc);

    tc = tcase_create("report_json_last");
    tcase_add_test(tc, no_report_json_when_another_report_failed);
    suite_add_tcase(s, tc);

    return s;
}
