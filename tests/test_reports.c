/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/plots.h"
#include "views/loadview.h"
#include "reports/report_csv.h"
#include "reports/report_html.h"
#include "reports/report_json.h"
#include "reports/report_junit.h"
#include "reports/report_md.h"
#include "reports/reports.h"
#include "views/series.h"
#include "views/verdicts.h"
#include "reports/summary.h"
#include "views/text.h"

#include "tests/check_main.h"
#include "tests/split_points.h"

#include <inttypes.h>
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

static void add_point(split_points *w, uint32_t bin, uint32_t router, uint32_t deployment,
                      uint64_t routed, long long replicas, double share)
{
    split_points_add(w, (results_point){.bin = bin,
                                        .router = router,
                                        .deployment = deployment,
                                        .routed = routed,
                                        .replicas = replicas,
                                        .expected_share = share});
}

static void add_check(results *r, const char *name, int passed, const char *detail)
{
    results_check *c = results_add_check(r);
    c->name = results_strdup(name);
    c->passed = passed;
    c->status = passed ? RESULTS_CHECK_PASS : RESULTS_CHECK_FAIL;
    c->kind = RESULTS_CHECK_FAILED;
    c->unit = "requests";
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

    split_points w = {.r = r};
    add_point(&w, 0, 0, 0, 80, 3, 0.75);
    add_point(&w, 0, 0, 1, 20, 1, 0.25);
    add_point(&w, 0, 1, 1, 0, 0, 0.0); /* "idle" routes nothing: no observed share */
    add_point(&w, 1, 0, 0, 70, 3, 0.75);
    add_point(&w, 1, 0, 1, 30, 1, 0.25);
    add_point(&w, 2, 0, 0, 9, 1, 0.5);
    add_point(&w, 2, 0, 1, 1, 1, 0.5);
    split_points_finish(&w);

    /* bins 0 and 1 route 100 each; bin 2 routes 10, and 90 fail for want of replicas */
    for (uint32_t bin = 0; bin < 3; bin++) {
        for (uint32_t source = 0; source < 3; source++) {
            uint64_t failed[RESULTS_N_REASONS] = {0};
            uint64_t arrivals = source == 2 ? 4 : bin == 2 ? 50 : source == 0 ? 60 : 40;
            failed[RESULTS_ROUTER_NOT_FOUND] = source == 2 ? 4 : 0;
            failed[RESULTS_NO_REPLICAS] = bin == 2 && source < 2 ? 45 : 0;
            ck_assert_int_eq(flowstore_add(r->flows, source == 2, arrivals, failed), 0);
        }
        ck_assert_int_eq(flowstore_end_bin(r->flows), 0);
    }
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

static results_load load_of(uint64_t arrived, uint64_t started, uint64_t completed,
                            uint64_t rejected, uint64_t timed_out, double utilization, double p99_s)
{
    return (results_load){.arrived = arrived,
                          .started = started,
                          .completed = completed,
                          .rejected = rejected,
                          .timed_out = timed_out,
                          .utilization = utilization,
                          .p99_s = p99_s};
}

static void add_load_point(results *r, uint32_t bin, uint32_t deployment, long long replicas,
                           long long ready, results_load load)
{
    *results_add_load_point(r) = (results_load_point){
        .bin = bin, .deployment = deployment, .replicas = replicas, .ready = ready, .load = load};
}

/*
 * The sample with a serving model on "green": calm in bin 0; overloaded in bin 1 while a
 * second replica is in its cold start (4 rejected, 1 timed out, p99 6.5 s); finishing its
 * last 2 requests in bin 2 with none started (no latency). "blue" has none.
 */
static results *sample_with_load(void)
{
    results *r = sample();
    results_load bins[3] = {load_of(20, 20, 19, 0, 0, 0.5, 0.7),
                            load_of(30, 25, 25, 4, 1, 1.0, 6.5), load_of(0, 0, 2, 0, 0, 0.05, 0.0)};
    bins[0].p50_s = 0.2, bins[0].p90_s = 0.4, bins[0].mean_wait_s = 0.01, bins[0].max_waiting = 3;
    bins[1].p50_s = 2.0, bins[1].p90_s = 4.0, bins[1].mean_wait_s = 2.5, bins[1].max_waiting = 20;
    bins[1].mean_waiting = 12.5, bins[0].throughput_per_s = 19.0 / 60;
    bins[2].throughput_per_s = 2.0 / 30;
    const long long replicas[3][2] = {{1, 1}, {2, 1}, {2, 2}};
    for (uint32_t bin = 0; bin < 3; bin++)
        add_load_point(r, bin, 1, replicas[bin][0], replicas[bin][1], bins[bin]);
    results_deployment_load *run = results_add_load(r);
    run->deployment = 1;
    run->load = load_of(50, 45, 46, 4, 1, 0.55, 6.4);
    run->load.p50_s = 0.25, run->load.p90_s = 3.0, run->load.mean_wait_s = 1.2;
    run->load.max_waiting = 20, run->load.throughput_per_s = 46.0 / 150;
    run->load.caller.count = 46, run->load.caller.p99_s = 7.0; /* with a timed-out caller's */
    /* green's share of each phase: busy then calm, and idle at the end */
    const results_load phase_loads[3] = {load_of(50, 45, 44, 4, 1, 0.75, 6.0),
                                         load_of(0, 1, 2, 0, 0, 0.05, 0.3),
                                         load_of(0, 0, 0, 0, 0, 0.0, 0.0)};
    for (size_t i = 0; i < 3; i++) {
        results_share *green = &r->phases[i].deployments[r->phases[i].n_deployments - 1];
        green->load = malloc(sizeof *green->load);
        ck_assert_ptr_nonnull(green->load);
        *green->load = phase_loads[i];
    }
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
    loadview v;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    int rc = report_junit_write(out, r, &v, NULL);
    loadview_free(&v);
    return rc;
}

static int markdown(FILE *out, const results *r, const series *s)
{
    (void)s;
    plots_set none = {.status = PLOTS_NOT_REQUESTED};
    loadview v;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    int rc = report_md_write(out, r, &v, &none, NULL, NULL);
    loadview_free(&v);
    return rc;
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

static int load_csv(FILE *out, const results *r, const series *s)
{
    (void)r;
    return report_csv_load(out, s);
}

static int html(FILE *out, const results *r, const series *s)
{
    (void)s;
    plots_set none = {.status = PLOTS_NOT_REQUESTED};
    loadview v;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    int rc = report_html_write(out, r, &v, &none, NULL, NULL);
    loadview_free(&v);
    return rc;
}

static int summary(FILE *out, const results *r, const series *s)
{
    (void)s;
    summary_print(out, r);
    return ferror(out) ? -1 : 0;
}

static int failures(FILE *out, const results *r, const series *s)
{
    (void)s;
    summary_failures(out, "routersim: ", r);
    return ferror(out) ? -1 : 0;
}

static int json(FILE *out, const results *r, const series *s)
{
    (void)r;
    plots_set none = {.status = PLOTS_NOT_REQUESTED};
    return report_json_write(out, s, &none, NULL, NULL);
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
    results_point second = {.bin = 0, .router = 0, .deployment = 1, .routed = 20};
    ck_assert_double_eq_tol(series_observed_share(&s, &second), 0.2, 1e-12);
    ck_assert_double_eq(series_bin_start(r, 2), 120);
    ck_assert_double_eq(series_bin_end(r, 2), 150); /* the last bin ends with the run */
    /* two sources call "edge": their flows are summed per bin */
    results_flow f = series_requests(&s, 2, 0);
    ck_assert_uint_eq(f.arrivals, 100);
    ck_assert_uint_eq(f.failed[RESULTS_NO_REPLICAS], 90);
    ck_assert_uint_eq(series_flow_routed(&f), 10);
    results_flow nowhere = series_requests(&s, 0, 1);
    ck_assert_uint_eq(series_flow_failed(&nowhere), 4);
    series_free(&s);
    results_free(r);
}
END_TEST

/* In full detail the i-th row is the i-th point, found through the blocks of the split
 * series, including across bins with no points at all (the first, one in the middle); the
 * bound leaves so few rows as they are. */
START_TEST(series_rows_are_the_points_across_empty_bins)
{
    results *r = results_new();
    r->n_bins = 4;
    r->window_s = 10;
    r->duration_s = 40;
    results_name_index(&r->routers, &r->n_routers, "x");
    results_name_index(&r->routers, &r->n_routers, "y");
    for (int d = 0; d < 3; d++) {
        char name[8];
        snprintf(name, sizeof name, "d%d", d);
        results_name_index(&r->deployments, &r->n_deployments, name);
    }
    static const results_point points[] = {
        {1, 0, 0, 5, 2, 0.5}, {1, 0, 1, 6, 2, 0.5}, {1, 1, 2, 7, 1, 1.0}, {3, 1, 2, 9, 3, 1.0}};
    split_points w = {.r = r};
    for (size_t i = 0; i < 4; i++)
        split_points_add(&w, points[i]);
    split_points_finish(&w);
    for (int detail = 0; detail < 2; detail++) {
        series s;
        ck_assert_int_eq(
            series_init_detail(&s, r, detail ? SERIES_DETAIL_FULL : SERIES_DETAIL_BOUNDED), 0);
        ck_assert_uint_eq(series_split_count(&s), 4);
        for (size_t i = 0; i < 4; i++) {
            series_split_row row = series_split_at(&s, i);
            ck_assert_uint_eq(row.bin, points[i].bin);
            ck_assert_uint_eq(row.router, points[i].router);
            ck_assert_int_eq(row.deployment, (long)points[i].deployment);
            ck_assert_uint_eq(row.routed, points[i].routed);
            ck_assert_int_eq(row.replicas, points[i].replicas);
            ck_assert_double_eq(row.expected_share, points[i].expected_share);
        }
        ck_assert_uint_eq(series_routed(&s, 1, 0), 11);
        ck_assert_uint_eq(series_routed(&s, 1, 1), 7);
        ck_assert_uint_eq(series_routed(&s, 2, 1), 0);
        ck_assert_uint_eq(series_routed(&s, 3, 1), 9);
        series_free(&s);
    }
    results_free(r);
}
END_TEST

/* Requests per bin and called router are the sums of the traffic entries calling it, in
 * whatever order the entries come (here b, a, b). */
START_TEST(series_requests_sum_the_entries_of_a_target)
{
    static const uint32_t target[3] = {1, 0, 1};
    static const uint64_t arrivals[2][3] = {{5, 7, 300}, {2, 1, 0}};
    results *r = results_new();
    r->n_bins = 2;
    results_name_index(&r->targets, &r->n_targets, "a");
    results_name_index(&r->targets, &r->n_targets, "b");
    for (size_t bin = 0; bin < 2; bin++) {
        for (size_t i = 0; i < 3; i++) {
            const uint64_t failed[RESULTS_N_REASONS] = {[RESULTS_FORBIDDEN] = i == 2 && bin == 0};
            ck_assert_int_eq(flowstore_add(r->flows, target[i], arrivals[bin][i], failed), 0);
        }
        ck_assert_int_eq(flowstore_end_bin(r->flows), 0);
    }
    split_points w = {.r = r};
    split_points_finish(&w);
    series s;
    ck_assert_int_eq(series_init(&s, r), 0);
    results_flow f = series_requests(&s, 0, 0);
    ck_assert_uint_eq(f.arrivals, 7);
    ck_assert_uint_eq(series_flow_failed(&f), 0);
    f = series_requests(&s, 0, 1);
    ck_assert_uint_eq(f.arrivals, 305);
    ck_assert_uint_eq(f.failed[RESULTS_FORBIDDEN], 1);
    ck_assert_uint_eq(series_flow_routed(&f), 304);
    ck_assert_uint_eq(series_requests(&s, 1, 0).arrivals, 1);
    ck_assert_uint_eq(series_requests(&s, 1, 1).arrivals, 2);
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
    ck_assert_uint_eq(count(csv, "\r\n"), 1 + r->split->n_points);
    ck_assert_ptr_nonnull(strstr(csv, "0,0,60,accounts/acme/routers/edge,"
                                      "accounts/acme/deployments/green,20,100,0.2,0.25,1\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "2,120,150,accounts/acme/routers/edge,"
                                      "accounts/acme/deployments/blue,9,10,0.9,0.5,1\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "\r\n0,0,60,accounts/acme/routers/idle,"
                                      "accounts/acme/deployments/green,0,0,,0,0\r\n"));
    free(csv);

    csv = capture_report(requests, r);
    ck_assert_uint_eq(count(csv, "\r\n"), 1 + r->n_bins * r->n_targets);
    /* the window's unserved requests on its first row, empty on the others */
    ck_assert_ptr_nonnull(
        strstr(csv, "2,120,150,accounts/acme/routers/edge,100,10,90,0,90,0,0,0,0,0\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, "1,60,120,accounts/acme/routers/gone,4,0,4,4,0,0,,,,\r\n"));
    free(csv);
    results_free(r);

    /* with a serving model: rejected and timed out in the window they happened in, and the
     * requests unfinished at the end in the last window; the columns add up to the run's */
    r = sample_with_load();
    r->loads[0].load.unfinished = 3;
    csv = capture_report(requests, r);
    ck_assert_ptr_nonnull(strstr(csv, "window_unserved,window_rejected,window_timed_out,"
                                      "window_unfinished\r\n"));
    ck_assert_ptr_nonnull(strstr(csv, ",0,0,0,0\r\n0,0,60,accounts/acme/routers/gone,"));
    ck_assert_ptr_nonnull(strstr(csv, ",5,4,1,0\r\n1,60,120,accounts/acme/routers/gone,"));
    ck_assert_ptr_nonnull(strstr(csv, ",3,0,0,3\r\n2,120,150,accounts/acme/routers/gone,"));
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

/* A phase table line of junit.xml as the table was first written: snprintf into 256 bytes
 * (cut there), then escaped. */
static char *junit_row(const results_phase *ph, size_t i)
{
    const results_share *d = &ph->deployments[i];
    char line[256], replicas[48], expected[48];
    verdicts_replicas(replicas, sizeof replicas, d);
    verdicts_share(expected, sizeof expected, ph, i);
    snprintf(line, sizeof line, "%-40s %14s %22s %8.2f%% %10" PRIu64 "\n", text_short_name(d->name),
             replicas, expected, 100.0 * (double)d->observed / (double)ph->requests, d->observed);
    FILE *out = tmpfile();
    ck_assert_ptr_nonnull(out);
    text_xml(out, line, 0);
    return contents(out);
}

/* The rows of a phase's table, with a name to escape and with one too long for a line of the
 * table, which cuts it as it always did. */
START_TEST(junit_phase_rows_as_printf)
{
    results *r = sample();
    results_phase *ph = &r->phases[1]; /* failed: its table is in <failure> and in <system-out> */
    char longer[400];
    memset(longer, 'x', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    memcpy(longer + 200, "<&>", 3);
    for (int round = 0; round < 2; round++) {
        free(ph->deployments[0].name);
        ph->deployments[0].name =
            results_strdup(round ? longer : "accounts/acme/deployments/b<l>ue&");
        char *xml = capture_report(junit, r), table[4096] = "";
        for (size_t i = 0; i < ph->n_deployments; i++) { /* the rows one after the other */
            char *row = junit_row(ph, i);
            ck_assert_uint_lt(strlen(table) + strlen(row), sizeof table - 16);
            strcat(table, row);
            free(row);
        }
        strcat(table, "chi2 = ");
        ck_assert_msg(count(xml, table) == 2, "round %d: %s", round, table);
        free(xml);
    }
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
    /* the checks' figures (all zero in this hand-made check) before the detail */
    ck_assert_ptr_nonnull(strstr(md, "| max_failed_requests | **FAIL** | 0 | 0 | 0 | [0s, 0s) | "
                                     "102 failed; at most 0 allowed \\<\\&\"\\> |\n"));
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

/* ---- capacity ------------------------------------------------------------------------- */

/* The line of `text` that starts with `start`, as a new string; fails when there is none. */
static char *line_starting(const char *text, const char *start)
{
    for (const char *p = text; p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (strncmp(p, start, strlen(start)) == 0)
            return strndup(p, strcspn(p, "\n"));
    ck_abort_msg("no line starts with \"%s\"", start);
    return NULL;
}

/* Do the tokens appear in the text in this order? */
static void assert_in_order(const char *text, const char *const *tokens, size_t n)
{
    const char *p = text;
    for (size_t i = 0; i < n; i++) {
        const char *found = strstr(p, tokens[i]);
        ck_assert_msg(found != NULL, "\"%s\" not found in order in \"%s\"", tokens[i], text);
        p = found + strlen(tokens[i]);
    }
}

START_TEST(latencies_read_with_three_digits)
{
    const struct {
        double s;
        const char *want;
    } cases[] = {{0, "0s"},
                 {0.00025, "0.25ms"},
                 {0.7128, "713ms"},
                 {0.9996, "1s"},
                 {6.6807, "6.68s"},
                 {12.34, "12.3s"},
                 {59.96, "1m"},
                 {123.4, "2m3s"},
                 /* milliseconds even where no short form reads back as the same double,
                  * so that a column reads in one unit */
                 {0.0102, "10.2ms"},
                 {0.01131, "11.3ms"},
                 {0.00104, "1.04ms"},
                 {0.000105, "0.105ms"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[32];
        text_latency(buf, sizeof buf, cases[i].s);
        ck_assert_str_eq(buf, cases[i].want);
    }
}
END_TEST

/* The token table: a batching deployment's figures, its worst TTFT window and peak KV cache
 * over the windows; a queue deployment beside it shows its TTFT (its latency) and n/a where
 * it has no tokens. Figures set by hand below. */
START_TEST(loadview_token_table)
{
    results *r = sample_with_load();
    loadview v;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    ck_assert(!loadview_has_tokens(&v)); /* no iterations anywhere: no token table */
    loadview_free(&v);
    const double ttft_p99[3] = {0.3, 1.7, 0.9}, max_kv[3] = {0.2, 0.85, 0.4};
    for (size_t b = 0; b < 3; b++) {
        results_load *l = &r->load_points[b].load;
        l->ttft = (results_quantiles){10, 0.1, 0.05, 0.2, 0.25, ttft_p99[b], 2.0};
        l->max_kv = max_kv[b];
        l->iterations = 100;
    }
    results_load *run = &r->loads[0].load;
    run->ttft = (results_quantiles){30, 0.2, 0.08, 0.5, 0.7, 1.2, 1.9};
    run->tpot = (results_quantiles){29, 0.02, 0.018, 0.03, 0.035, 0.045, 0.05};
    run->output_tokens_per_s = 4031.2, run->prompt_tokens_per_s = 15400;
    run->iterations = 300, run->mean_batch = 23.44, run->mean_kv = 0.41;
    results_deployment_load *queue = results_add_load(r); /* blue: a queue deployment */
    queue->deployment = 0;
    queue->load.ttft = (results_quantiles){5, 4, 3.5, 5, 6, 7.5, 8};
    ck_assert_int_eq(loadview_init(&v, r), 0);
    ck_assert(loadview_has_tokens(&v));
    const struct {
        loadview_token_column col;
        const char *batching, *pooled;
    } cells[] = {{LOADVIEW_TTFT_P50, "80ms", "3.5s"},
                 {LOADVIEW_TTFT_P99, "1.2s", "7.5s"},
                 {LOADVIEW_WORST_TTFT_P99, "1.7s in [1m, 2m)", "n/a"},
                 {LOADVIEW_TPOT_P50, "18ms", "n/a"},
                 {LOADVIEW_TPOT_P99, "45ms", "n/a"},
                 {LOADVIEW_OUTPUT_TOKENS_PER_S, "4030/s", "n/a"},
                 {LOADVIEW_PROMPT_TOKENS_PER_S, "15400/s", "n/a"},
                 {LOADVIEW_MEAN_BATCH, "23.4", "n/a"},
                 {LOADVIEW_MEAN_KV, "41.0%", "n/a"},
                 {LOADVIEW_PEAK_KV, "85.0%", "n/a"}};
    ck_assert_uint_eq(v.deps[0].deployment, 0); /* blue sorts first */
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        char buf[96];
        loadview_token_cell(buf, sizeof buf, &v, 1, cells[i].col);
        ck_assert_str_eq(buf, cells[i].batching);
        loadview_token_cell(buf, sizeof buf, &v, 0, cells[i].col);
        ck_assert_str_eq(buf, cells[i].pooled);
    }
    loadview_free(&v);
    results_free(r);
}
END_TEST

/* Check figures in their unit: rates as rates, token rates with their unit. */
START_TEST(check_figures_of_floors)
{
    results_check c = {.unit = "requests/s"};
    char buf[64];
    verdicts_check_figure(buf, sizeof buf, &c, 20);
    ck_assert_str_eq(buf, "20/s");
    c.unit = "tokens/s";
    verdicts_check_figure(buf, sizeof buf, &c, 4031.2);
    ck_assert_str_eq(buf, "4031 tokens/s");
    verdicts_check_figure(buf, sizeof buf, &c, -1.25);
    ck_assert_str_eq(buf, "-1.2 tokens/s");
}
END_TEST

START_TEST(loadview_finds_the_worst_windows)
{
    results *r = sample_with_load();
    loadview v;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    ck_assert_uint_eq(v.n, 1);
    ck_assert_uint_eq(v.deps[0].deployment, 1);
    ck_assert_uint_eq(v.deps[0].peak->bin, 1);
    ck_assert_uint_eq(v.deps[0].worst_p99->bin, 1);
    ck_assert_uint_eq(loadview_point(&v, 2, 0)->load.completed, 2);
    ck_assert_uint_eq(loadview_lost(&v, 0), 0);
    ck_assert_uint_eq(loadview_lost(&v, 1), 5);
    const struct {
        loadview_column col;
        const char *want;
    } cells[] = {{LOADVIEW_UTILIZATION, "55.0%"},
                 {LOADVIEW_PEAK, "100.0% in [1m, 2m)"},
                 {LOADVIEW_P50, "250ms"},
                 {LOADVIEW_P99, "6.4s"},
                 {LOADVIEW_WORST_P99, "6.5s in [1m, 2m)"},
                 {LOADVIEW_MEAN_WAIT, "1.2s"},
                 {LOADVIEW_MAX_QUEUE, "20"},
                 {LOADVIEW_COMPLETED, "46"},
                 {LOADVIEW_REJECTED, "4"},
                 {LOADVIEW_THROUGHPUT, "0.307/s"}};
    for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
        char buf[96];
        loadview_cell(buf, sizeof buf, &v, 0, cells[i].col);
        ck_assert_str_eq(buf, cells[i].want);
    }
    loadview_free(&v);

    /* A window as busy as the peak to the 0.1% shown comes first: it is the one named. */
    r->load_points[0].load.utilization = 0.9996;
    /* blue gains a serving model but never existed in a window: it sorts first, n/a */
    results_add_load(r)->deployment = 0;
    ck_assert_int_eq(loadview_init(&v, r), 0);
    ck_assert_uint_eq(v.n, 2);
    ck_assert_uint_eq(v.deps[0].deployment, 0);
    ck_assert_uint_eq(v.deps[1].peak->bin, 0);
    char buf[96];
    loadview_cell(buf, sizeof buf, &v, 0, LOADVIEW_PEAK);
    ck_assert_str_eq(buf, "n/a");
    loadview_cell(buf, sizeof buf, &v, 0, LOADVIEW_P99);
    ck_assert_str_eq(buf, "n/a");
    loadview_free(&v);
    results_free(r);
}
END_TEST

START_TEST(load_csv_one_row_per_bin_and_served_deployment)
{
    results *r = sample_with_load();
    char *csv = capture_report(load_csv, r);
    const char header[] = "bin,start_s,end_s,deployment,replicas,ready,arrived,started,completed,"
                          "rejected,timed_out,waited,utilization,mean_waiting,max_waiting,"
                          "mean_wait_s,mean_latency_s,p50_s,p90_s,p99_s,throughput_per_s,"
                          "unfinished,p95_s,p999_s,wait_p50_s,wait_p90_s,wait_p95_s,wait_p99_s,"
                          "wait_p999_s,caller_count,caller_mean_s,caller_p50_s,caller_p90_s,"
                          "caller_p95_s,caller_p99_s,caller_p999_s,ttft_count,ttft_mean_s,"
                          "ttft_p50_s,ttft_p90_s,ttft_p95_s,ttft_p99_s,ttft_p999_s,tpot_count,"
                          "tpot_mean_s,tpot_p50_s,tpot_p90_s,tpot_p95_s,tpot_p99_s,tpot_p999_s,"
                          "prompt_tokens,output_tokens,prompt_tokens_per_s,output_tokens_per_s,"
                          "iterations,mean_batch_size,mean_kv_occupancy,max_kv_occupancy\r\n";
    ck_assert(strncmp(csv, header, strlen(header)) == 0);
    ck_assert_uint_eq(count(csv, "\r\n"), 1 + 3);
    ck_assert_ptr_nonnull(strstr(csv, "\r\n1,60,120,accounts/acme/deployments/green,2,1,30,25,25,"
                                      "4,1,0,1,12.5,20,2.5,0,2,4,6.5,0,0,0,0,0,0,0,0,0,0,,,,,,"
                                      ",0,,,,,,,0,,,,,,,0,0,0,0,0,0,0,0\r\n"));
    /* no request started in bin 2: its latencies are empty, not 0 s */
    ck_assert_ptr_nonnull(strstr(csv, "\r\n2,120,150,accounts/acme/deployments/green,2,2,0,0,2,"
                                      "0,0,0,0.05,0,0,,,,,,0.06666666667,0,,,,,,,,0,,,,,,"
                                      ",0,,,,,,,0,,,,,,,0,0,0,0,0,0,0,0\r\n"));
    free(csv);
    results_free(r);

    r = sample();
    csv = capture_report(load_csv, r);
    ck_assert_str_eq(csv, header);
    free(csv);
    results_free(r);
}
END_TEST

START_TEST(markdown_capacity_section)
{
    results *r = sample_with_load();
    char *md = capture_report(markdown, r);
    ck_assert_ptr_nonnull(strstr(md, "\n## Capacity\n"));
    ck_assert_ptr_nonnull(strstr(md, "| Deployment | Utilization | Peak utilization (window) | "
                                     "Served p50 | Served p90 | Served p99 | Worst served p99 "
                                     "(window) | Mean wait | Max queue | Completed | Rejected | "
                                     "Timed out | Throughput | Unfinished | Callers' p99 |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| green | 55.0% | 100.0% in [1m, 2m) | 250ms | 3s | 6.4s | "
                                     "6.5s in [1m, 2m) | 1.2s | 20 | 46 | 4 | 1 | 0.307/s | 0 | "
                                     "7s |\n"));
    /* the phase table gains utilization and p99 per deployment; n/a without a model */
    ck_assert_ptr_nonnull(strstr(md, "| edge | [0s, 2m) | blue / green | 3 / 1 | 75.00% / 25.00% "
                                     "| 75.00% / 25.00% | n/a / 75.0% | n/a / 6s | 200 | 0.45 | "
                                     "1 | 0.5 | pass | n/a |\n"));
    ck_assert_ptr_nonnull(strstr(md, "| edge | [2m20s, 2m30s) | green | 0 | 0.00% | n/a | 0.0% | "
                                     "n/a | 0 |"));
    ck_assert_ptr_nonnull(strstr(md, "| At | Event |\n"));
    ck_assert_ptr_nonnull(strstr(md, "the autoscaler's decisions"));
    /* the section comes after the checks */
    ck_assert_ptr_nonnull(strstr(strstr(md, "## Checks"), "## Capacity"));
    free(md);
    results_free(r);

    r = sample();
    md = capture_report(markdown, r);
    ck_assert_ptr_null(strstr(md, "Capacity"));
    ck_assert_ptr_null(strstr(md, "Utilization"));
    ck_assert_ptr_null(strstr(md, "autoscaler"));
    free(md);
    results_free(r);
}
END_TEST

START_TEST(html_capacity_section)
{
    results *r = sample_with_load();
    char *page = capture_report(html, r);
    ck_assert_ptr_nonnull(strstr(page, "<section id=\"capacity\">\n<h2>Capacity</h2>"));
    ck_assert_ptr_nonnull(strstr(page, "<table class=\"capacity\" id=\"capacity-table\">"));
    ck_assert_ptr_nonnull(strstr(page, "<tr><td>green</td><td class=\"num\">55.0%</td>"
                                       "<td class=\"num\">100.0% in [1m, 2m)</td>"));
    ck_assert_ptr_nonnull(
        strstr(page, "<th class=\"num\">Utilization</th><th class=\"num\">p99 latency</th>"));
    ck_assert_ptr_nonnull(strstr(page, "<td class=\"num\">n/a</td><td class=\"num\">n/a</td>"));
    ck_assert_ptr_nonnull(strstr(page, "<td class=\"note\" colspan=\"15\">"));
    free(page);
    results_free(r);

    r = sample();
    page = capture_report(html, r);
    ck_assert_ptr_null(strstr(page, "capacity"));
    ck_assert_ptr_null(strstr(page, "Utilization"));
    ck_assert_ptr_nonnull(strstr(page, "<td class=\"note\" colspan=\"12\">"));
    free(page);
    results_free(r);
}
END_TEST

START_TEST(summary_and_junit_show_the_capacity_table)
{
    static const char *const heading[] = {"deployment", "utilization",      "peak utilization",
                                          "served p99", "worst served p99", "callers' p99",
                                          "rejected",   "timed out"};
    static const char *const row[] = {
        "55.0%", "100.0% in [1m, 2m)", "6.4s", "6.5s in [1m, 2m)", "7s", " 4", " 1"};
    const char title[] = "Capacity (deployments with a serving model; peak and worst of the 1m "
                         "windows)\n";
    results *r = sample_with_load();
    char *text = capture_report(summary, r);
    const char *capacity = strstr(text, title);
    ck_assert_ptr_nonnull(capacity);
    ck_assert_ptr_nonnull(strstr(capacity, "\nChecks\n")); /* after the phases, before checks */
    char *line = line_starting(capacity, "  deployment");
    assert_in_order(line, heading, sizeof heading / sizeof heading[0]);
    free(line);
    line = line_starting(capacity, "  green ");
    assert_in_order(line, row, sizeof row / sizeof row[0]);
    free(line);
    free(text);

    char *xml = capture_report(junit, r);
    capacity = strstr(xml, "    <system-out>Capacity (deployments");
    ck_assert_ptr_nonnull(capacity);
    ck_assert_ptr_nonnull(strstr(capacity, "</system-out>\n  </testsuite>"));
    line = line_starting(capacity, "green ");
    assert_in_order(line, row, sizeof row / sizeof row[0]);
    free(line);
    free(xml);
    results_free(r);

    r = sample();
    text = capture_report(summary, r);
    ck_assert_ptr_null(strstr(text, "Capacity"));
    free(text);
    xml = capture_report(junit, r);
    ck_assert_ptr_null(strstr(xml, "Capacity"));
    free(xml);
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

static const char *const report_files[] = {"timeseries.csv", "requests.csv", "load.csv",
                                           "junit.xml",      "report.md",    "report.html",
                                           "report.json"};

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

/* A quiet run's stderr: why the gate failed, one line per failed phase test and check. */
START_TEST(failures_one_line_each)
{
    results *r = sample();
    add_check(r, "max_p99_latency", 0, "p99 3s in [1m, 2m)\nat most 2s allowed");
    char *text = capture_report(failures, r);
    const char *phase = "routersim: FAIL split of edge during [2m, 2m20s): ";
    ck_assert_msg(strncmp(text, phase, strlen(phase)) == 0, "%s", text);
    const char *checks = "\nroutersim: FAIL max_failed_requests: 102 failed; at most 0 allowed "
                         "<&\">\nroutersim: FAIL max_p99_latency: p99 3s in [1m, 2m) at most 2s "
                         "allowed\n";
    ck_assert_msg(strlen(text) > strlen(checks) &&
                      strcmp(text + strlen(text) - strlen(checks), checks) == 0,
                  "%s", text);
    ck_assert_uint_eq(count(text, "\n"), 3);
    free(text);
    /* a run that passed prints nothing */
    r->phases[1].test.verdict = SPLITTEST_PASS;
    for (size_t i = 0; i < r->n_checks; i++)
        r->checks[i].passed = 1;
    text = capture_report(failures, r);
    ck_assert_str_eq(text, "");
    free(text);
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

    tc = tcase_create("series_flow_order");
    tcase_add_test(tc, series_requests_sum_the_entries_of_a_target);
    suite_add_tcase(s, tc);

    tc = tcase_create("series_empty_bins");
    tcase_add_test(tc, series_rows_are_the_points_across_empty_bins);
    suite_add_tcase(s, tc);

    tc = tcase_create("csv_rows");
    tcase_add_test(tc, csv_rows_add_up_to_the_totals);
    suite_add_tcase(s, tc);

    tc = tcase_create("junit_counts");
    tcase_add_test(tc, junit_counts_and_messages);
    tcase_add_test(tc, junit_phase_rows_as_printf);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown_phase_table");
    tcase_add_test(tc, markdown_has_one_table_row_per_phase);
    suite_add_tcase(s, tc);

    tc = tcase_create("json_additions");
    tcase_add_test(tc, json_gains_time_series_and_plots);
    suite_add_tcase(s, tc);

    tc = tcase_create("latency_text");
    tcase_add_test(tc, latencies_read_with_three_digits);
    suite_add_tcase(s, tc);

    tc = tcase_create("loadview");
    tcase_add_test(tc, loadview_finds_the_worst_windows);
    tcase_add_test(tc, loadview_token_table);
    tcase_add_test(tc, check_figures_of_floors);
    suite_add_tcase(s, tc);

    tc = tcase_create("load_csv");
    tcase_add_test(tc, load_csv_one_row_per_bin_and_served_deployment);
    suite_add_tcase(s, tc);

    tc = tcase_create("markdown_capacity");
    tcase_add_test(tc, markdown_capacity_section);
    suite_add_tcase(s, tc);

    tc = tcase_create("html_capacity");
    tcase_add_test(tc, html_capacity_section);
    suite_add_tcase(s, tc);

    tc = tcase_create("capacity_table");
    tcase_add_test(tc, summary_and_junit_show_the_capacity_table);
    suite_add_tcase(s, tc);

    tc = tcase_create("folder_without_plots");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, every_report_written_without_plots);
    suite_add_tcase(s, tc);

    tc = tcase_create("quiet_failures");
    tcase_add_test(tc, failures_one_line_each);
    suite_add_tcase(s, tc);

    tc = tcase_create("report_json_last");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, no_report_json_when_another_report_failed);
    suite_add_tcase(s, tc);

    return s;
}
