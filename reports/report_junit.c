/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_junit.h"

#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>

/* Attribute values: counts shared by <testsuites> and <testsuite>. No wall-clock time is
 * reported, so that a scenario and seed give the same file byte for byte. */
static void counts(FILE *out, const verdicts *v)
{
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"",
            v->phases + v->checks, v->phases_failed + v->checks_failed,
            v->phases_skipped + v->checks_too_few);
}

static void properties(FILE *out, const results *r)
{
    fputs("    <properties>\n      <property name=\"source\" value=\"", out);
    text_xml(out, r->source, 1);
    fprintf(out,
            "\"/>\n      <property name=\"seed\" value=\"%" PRIu64 "\"/>\n"
            "      <property name=\"duration_s\" value=\"%.10g\"/>\n"
            "      <property name=\"alpha\" value=\"%.10g\"/>\n",
            r->seed, r->duration_s, r->alpha);
    char requests[512];
    series_requests_text(requests, sizeof requests, r, 1);
    fputs("      <property name=\"requests\" value=\"", out);
    text_xml(out, requests, 1);
    fprintf(out, "\"/>\n      <property name=\"failed\" value=\"%" PRIu64 "\"/>\n", r->failed);
    fprintf(out, "      <property name=\"unserved\" value=\"%" PRIu64 "\"/>\n", r->unserved);
    for (int k = 0; k < RESULTS_N_UNSERVED; k++)
        fprintf(out, "      <property name=\"unserved_%s\" value=\"%" PRIu64 "\"/>\n",
                results_unserved_name(k), r->unserved_by_reason[k]);
    fputs("    </properties>\n", out);
}

/* The classname's last part says which kind of verdict a case is: "split" (a phase's split
 * test), "capacity" (a capacity check) or "checks" (the others), so that a CI's test list
 * shows them apart. */
static void open_testcase(FILE *out, const results *r, const char *name, const char *group)
{
    fputs("    <testcase name=\"", out);
    text_xml(out, name, 1);
    fputs("\" classname=\"", out);
    text_xml(out, r->scenario, 1);
    fprintf(out, ".%s\" time=\"0\">\n", group);
}

/* The phase as a table a person reads in the CI log. */
static void phase_table(FILE *out, const results *r, const results_phase *ph)
{
    fprintf(out, "%-40s %14s %22s %9s %10s\n", "deployment", "replicas", "expected", "observed",
            "requests");
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0;
        char line[256], replicas[48], expected[48];
        verdicts_replicas(replicas, sizeof replicas, d);
        verdicts_share(expected, sizeof expected, ph, i);
        snprintf(line, sizeof line, "%-40s %14s %22s %8.2f%% %10" PRIu64 "\n",
                 text_short_name(d->name), replicas, expected, observed, d->observed);
        text_xml(out, line, 0);
    }
    fprintf(out, "chi2 = %.4g, df = %d, p-value = %.4g: split %s; capacity: %s\n", ph->test.chi2,
            ph->test.df, ph->test.p_value, splittest_verdict_name(results_phase_verdict(ph)),
            verdicts_capacity_name(verdicts_phase_capacity(r, ph, NULL)));
}

static void phase_testcase(FILE *out, const results *r, const results_phase *ph)
{
    char name[256], message[512];
    verdicts_phase_name(name, sizeof name, ph);
    verdicts_phase_message(message, sizeof message, r, ph);
    open_testcase(out, r, name, "split");
    splittest_verdict verdict = results_phase_verdict(ph);
    if (verdict == SPLITTEST_FAIL) {
        fputs("      <failure type=\"SampleRatioMismatch\" message=\"", out);
        text_xml(out, message, 1);
        fputs("\">", out);
        phase_table(out, r, ph);
        fputs("</failure>\n", out);
    } else if (verdict == SPLITTEST_SKIPPED) {
        fputs("      <skipped message=\"", out);
        text_xml(out, message, 1);
        fputs("\"/>\n", out);
    }
    fputs("      <system-out>", out);
    phase_table(out, r, ph);
    fputs("</system-out>\n    </testcase>\n", out);
}

/* A check's figures and the simulated time that decided it, one line:
 * "value 100.0%, limit 90.0%, margin -10.0% (fraction), decided in [20m, 20m30s)". */
static void check_figures(FILE *out, const results_check *c)
{
    char value[32], limit[32], margin[32], window[80], line[256];
    verdicts_check_figure(value, sizeof value, c, c->value);
    verdicts_check_figure(limit, sizeof limit, c, c->limit);
    verdicts_check_figure(margin, sizeof margin, c, c->margin);
    verdicts_check_window(window, sizeof window, c);
    snprintf(line, sizeof line, "value %s, limit %s, margin %s (%s), decided in %s", value, limit,
             margin, c->unit, window);
    text_xml(out, line, 0);
}

static void check_testcase(FILE *out, const results *r, const results_check *c)
{
    open_testcase(out, r, c->name, c->kind == RESULTS_CHECK_CAPACITY ? "capacity" : "checks");
    if (c->status == RESULTS_CHECK_FAIL) {
        fputs("      <failure type=\"CheckFailed\" message=\"", out);
        text_xml(out, c->detail, 1);
        fputs("\">", out);
        check_figures(out, c);
        fputc('\n', out);
        text_xml(out, c->detail, 0);
        fputs("</failure>\n", out);
    } else if (c->status == RESULTS_CHECK_TOO_FEW) {
        fputs("      <skipped message=\"too few requests: ", out);
        text_xml(out, c->detail, 1);
        fputs("\"/>\n", out);
    }
    fputs("      <system-out>", out);
    check_figures(out, c);
    fputc('\n', out);
    text_xml(out, c->detail, 0);
    fputs("</system-out>\n    </testcase>\n", out);
}

/* The suite's system-out: the capacity table, when deployments have a serving model. */
static void capacity_table(FILE *out, const loadview *loads)
{
    char line[512];
    if (loads->n == 0)
        return;
    loadview_text_title(line, sizeof line, loads);
    fputs("    <system-out>", out);
    text_xml(out, line, 0);
    fputc('\n', out);
    loadview_text_heading(line, sizeof line, "");
    text_xml(out, line, 0);
    for (size_t k = 0; k < loads->n; k++) {
        fputc('\n', out);
        loadview_text_row(line, sizeof line, loads, k, "");
        text_xml(out, line, 0);
    }
    fputs("\n</system-out>\n", out);
}

int report_junit_write(FILE *out, const results *r, const loadview *loads)
{
    verdicts v = verdicts_count(r);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"routersim\"", out);
    counts(out, &v);
    fputs(">\n  <testsuite name=\"", out);
    text_xml(out, r->scenario, 1);
    fputc('"', out);
    counts(out, &v);
    fputs(">\n", out);
    properties(out, r);
    for (size_t i = 0; i < r->n_phases; i++)
        phase_testcase(out, r, &r->phases[i]);
    for (size_t i = 0; i < r->n_checks; i++)
        check_testcase(out, r, &r->checks[i]);
    capacity_table(out, loads);
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}
