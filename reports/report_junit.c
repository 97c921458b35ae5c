/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_junit.h"

#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>

/* Attribute values: counts shared by <testsuites> and <testsuite>. No wall-clock time is
 * reported, so that a scenario and seed give the same file byte for byte. */
static void counts(FILE *out, const verdicts *v)
{
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"",
            v->phases + v->checks, v->phases_failed + v->checks_failed, v->phases_skipped);
}

static void properties(FILE *out, const results *r)
{
    fputs("    <properties>\n      <property name=\"source\" value=\"", out);
    text_xml(out, r->source, 1);
    fprintf(out,
            "\"/>\n      <property name=\"seed\" value=\"%" PRIu64 "\"/>\n"
            "      <property name=\"duration_s\" value=\"%.10g\"/>\n"
            "      <property name=\"alpha\" value=\"%.10g\"/>\n    </properties>\n",
            r->seed, r->duration_s, r->alpha);
}

static void open_testcase(FILE *out, const results *r, const char *name, const char *group)
{
    fputs("    <testcase name=\"", out);
    text_xml(out, name, 1);
    fputs("\" classname=\"", out);
    text_xml(out, r->scenario, 1);
    fprintf(out, ".%s\" time=\"0\">\n", group);
}

/* The phase as a table a person reads in the CI log. */
static void phase_table(FILE *out, const results_phase *ph)
{
    fprintf(out, "%-40s %8s %9s %9s %10s\n", "deployment", "replicas", "expected", "observed",
            "requests");
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0;
        char line[256];
        snprintf(line, sizeof line, "%-40s %8lld %8.2f%% %8.2f%% %10" PRIu64 "\n",
                 text_short_name(d->name), d->replicas, 100.0 * d->expected_share, observed,
                 d->observed);
        text_xml(out, line, 0);
    }
    fprintf(out, "chi2 = %.4g, df = %d, p-value = %.4g: %s\n", ph->test.chi2, ph->test.df,
            ph->test.p_value, splittest_verdict_name(ph->test.verdict));
}

static void phase_testcase(FILE *out, const results *r, const results_phase *ph)
{
    char name[256], message[512];
    verdicts_phase_name(name, sizeof name, ph);
    verdicts_phase_message(message, sizeof message, ph, r->alpha);
    open_testcase(out, r, name, "split");
    if (ph->test.verdict == SPLITTEST_FAIL) {
        fputs("      <failure type=\"SampleRatioMismatch\" message=\"", out);
        text_xml(out, message, 1);
        fputs("\">", out);
        phase_table(out, ph);
        fputs("</failure>\n", out);
    } else if (ph->test.verdict == SPLITTEST_SKIPPED) {
        fputs("      <skipped message=\"", out);
        text_xml(out, message, 1);
        fputs("\"/>\n", out);
    }
    fputs("      <system-out>", out);
    phase_table(out, ph);
    fputs("</system-out>\n    </testcase>\n", out);
}

static void check_testcase(FILE *out, const results *r, const results_check *c)
{
    open_testcase(out, r, c->name, "checks");
    if (!c->passed) {
        fputs("      <failure type=\"CheckFailed\" message=\"", out);
        text_xml(out, c->detail, 1);
        fputs("\">", out);
        text_xml(out, c->detail, 0);
        fputs("</failure>\n", out);
    }
    fputs("      <system-out>", out);
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
