/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_junit.h"

#include "views/replview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>
#include <string.h>

/* Attribute values: counts shared by <testsuites> and <testsuite>. No wall-clock time is
 * reported, so that a scenario and seed give the same file byte for byte. */
static void counts(FILE *out, const verdicts *v)
{
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"",
            v->phases + v->checks, v->phases_failed + v->checks_failed,
            v->phases_skipped + v->checks_too_few);
}

/* The run's facts; a replicated run's are replication 0's, with the replications' own. */
static void properties(FILE *out, const results *r, const replicas_summary *rep)
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
    if (rep) {
        char rule[512];
        replview_rule(rule, sizeof rule, rep);
        fprintf(out,
                "      <property name=\"replications\" value=\"%zu\"/>\n"
                "      <property name=\"replications_passed\" value=\"%zu\"/>\n"
                "      <property name=\"rule\" value=\"",
                rep->replications, rep->passed.passes);
        text_xml(out, rule, 1);
        fprintf(out, "\"/>\n      <property name=\"verdict\" value=\"%s\"/>\n",
                replicas_verdict_name(rep->verdict));
    }
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

/* A line built by pieces into `size` bytes, cut where snprintf would cut it: the phase
 * table has a line per deployment, too many at fleet scale for snprintf's cost. */
typedef struct {
    char *buf;
    size_t size, len;
} table_line;

static void line_char(table_line *l, char c)
{
    if (l->len + 1 < l->size)
        l->buf[l->len++] = c;
    l->buf[l->len] = '\0';
}

/* s padded with spaces to `width`, on the right when left-aligned ("%-*s"), else on the left
 * ("%*s"). */
static void line_field(table_line *l, const char *s, size_t width, int left)
{
    size_t len = strlen(s), pad = width > len ? width - len : 0;
    for (size_t i = 0; !left && i < pad; i++)
        line_char(l, ' ');
    for (size_t i = 0; i < len; i++)
        line_char(l, s[i]);
    for (size_t i = 0; left && i < pad; i++)
        line_char(l, ' ');
}

/* A field of a row written straight to out, padded as line_field pads it. The one
 * left-aligned field is the name, the only one that can hold what XML escapes. */
static void put_field(FILE *out, const char *s, size_t len, size_t width, int left)
{
    size_t pad = width > len ? width - len : 0;
    for (size_t i = 0; !left && i < pad; i++)
        putc_unlocked(' ', out);
    if (left)
        text_xml(out, s, 0);
    else
        text_put(out, s);
    for (size_t i = 0; left && i < pad; i++)
        putc_unlocked(' ', out);
}

static size_t padded(size_t len, size_t width)
{
    return len > width ? len : width;
}

/* The phase as a table a person reads in the CI log. */
static void phase_table(FILE *out, const results *r, const results_phase *ph)
{
    fprintf(out, "%-40s %14s %22s %9s %10s\n", "deployment", "replicas", "expected", "observed",
            "requests");
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0;
        char text[256], replicas[48], expected[48], percent[TEXT_NUMBER_MAX],
            count[TEXT_NUMBER_MAX];
        const char *name = text_short_name(d->name);
        verdicts_replicas(replicas, sizeof replicas, d);
        verdicts_share(expected, sizeof expected, ph, i);
        size_t lens[] = {strlen(name), strlen(replicas), strlen(expected),
                         text_f(percent, observed, 2), text_u64(count, d->observed)};
        /* "%-40s %14s %22s %8.2f%% %10" PRIu64 "\n" into 256 bytes, then escaped */
        if (padded(lens[0], 40) + padded(lens[1], 14) + padded(lens[2], 22) + padded(lens[3], 8) +
                padded(lens[4], 10) + 6 <
            sizeof text) { /* no cut: the pieces straight to out */
            put_field(out, name, lens[0], 40, 1);
            putc_unlocked(' ', out);
            put_field(out, replicas, lens[1], 14, 0);
            putc_unlocked(' ', out);
            put_field(out, expected, lens[2], 22, 0);
            putc_unlocked(' ', out);
            put_field(out, percent, lens[3], 8, 0);
            text_put(out, "% ");
            put_field(out, count, lens[4], 10, 0);
            putc_unlocked('\n', out);
            continue;
        }
        table_line l = {text, sizeof text, 0};
        line_field(&l, name, 40, 1);
        line_char(&l, ' ');
        line_field(&l, replicas, 14, 0);
        line_char(&l, ' ');
        line_field(&l, expected, 22, 0);
        line_char(&l, ' ');
        line_field(&l, percent, 8, 0);
        line_field(&l, "% ", 0, 0);
        line_field(&l, count, 10, 0);
        line_char(&l, '\n');
        text_xml(out, text, 0);
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

/* ---- a replicated run --------------------------------------------------------------------- */

/* Whether an item was skipped (phase) or judged nothing (check) in every replication that
 * had it: reported as skipped when it holds. */
static int always_apart(const replicas_rate *rate, size_t apart)
{
    return rate->n > 0 && apart == rate->n;
}

static void replicated_counts(FILE *out, const replicas_summary *rep)
{
    size_t failures = rep->verdict != REPLICAS_PASS, skipped = 0;
    for (size_t i = 0; i < rep->n_phases; i++) {
        int holds = replview_holds(rep, &rep->phases[i].rate);
        failures += !holds;
        skipped += holds && always_apart(&rep->phases[i].rate, rep->phases[i].skipped);
    }
    for (size_t i = 0; i < rep->n_checks; i++) {
        int holds = replview_holds(rep, &rep->checks[i].rate);
        failures += !holds;
        skipped += holds && always_apart(&rep->checks[i].rate, rep->checks[i].too_few);
    }
    fprintf(out, " tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\"",
            rep->n_phases + rep->n_checks + 1, failures, skipped);
}

/* "passed in 3 of 4 replications, pass rate 75.00% [19.41%, 99.37%] (95.00% Clopper-Pearson
 * interval); rule: every replication must pass" */
static void rate_line(char *buf, size_t size, const replicas_summary *rep,
                      const replicas_rate *rate)
{
    char text[160], confidence[48], rule[512];
    replview_rate(text, sizeof text, rate);
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    replview_rule(rule, sizeof rule, rep);
    snprintf(buf, size,
             "passed in %zu of %zu replications, pass rate %s (%s Clopper-Pearson interval); "
             "rule: %s",
             rate->passes, rate->n, text, confidence, rule);
}

/* A case across replications: failed by the rule, or skipped throughout, with its rate and
 * (checks) its value across replications as the text. */
static void replicated_testcase(FILE *out, const results *r, const replicas_summary *rep,
                                const char *name, const char *group, const replicas_rate *rate,
                                size_t apart, const char *figures)
{
    char line[1024];
    rate_line(line, sizeof line, rep, rate);
    open_testcase(out, r, name, group);
    if (!replview_holds(rep, rate)) {
        char message[1200];
        snprintf(message, sizeof message, "failed in %zu of %zu replications: %s",
                 rate->n - rate->passes, rate->n, line);
        fputs("      <failure type=\"ReplicationsFailed\" message=\"", out);
        text_xml(out, message, 1);
        fputs("\">", out);
        text_xml(out, line, 0);
        fputs("</failure>\n", out);
    } else if (always_apart(rate, apart)) {
        fputs("      <skipped message=\"skipped, or too few requests, in every replication\"/>\n",
              out);
    }
    fputs("      <system-out>", out);
    text_xml(out, line, 0);
    if (figures) {
        fputc('\n', out);
        text_xml(out, figures, 0);
    }
    fputs("</system-out>\n    </testcase>\n", out);
}

/* Scenario keys of checks that are not capacity checks. */
static int capacity_key(const char *key)
{
    return key && strcmp(key, "expect") != 0 && strcmp(key, "max_failed_requests") != 0 &&
           strcmp(key, "max_unserved_requests") != 0;
}

static void replicated_check(FILE *out, const results *r, const replicas_summary *rep,
                             const replicas_check *c)
{
    char figures[600] = "", mean[48], sd[48], lower[48], upper[48], min[48], max[48];
    if (c->value.n > 0) {
        replview_figure(mean, sizeof mean, c->unit, c->value.mean);
        replview_figure(sd, sizeof sd, c->unit, c->value.sd);
        replview_figure(lower, sizeof lower, c->unit, c->value.lower);
        replview_figure(upper, sizeof upper, c->unit, c->value.upper);
        replview_figure(min, sizeof min, c->unit, c->value.min);
        replview_figure(max, sizeof max, c->unit, c->value.max);
        snprintf(figures, sizeof figures,
                 "value across the %zu replications that judged it: mean %s, sd %s, interval "
                 "[%s, %s], min %s, max %s (%s)",
                 c->value.n, mean, sd, lower, upper, min, max, c->unit);
    }
    replicated_testcase(out, r, rep, c->name, capacity_key(c->key) ? "capacity" : "checks",
                        &c->rate, c->too_few, figures[0] ? figures : NULL);
}

/* The run's own case: the verdict rule over every replication. */
static void replicated_run(FILE *out, const results *r, const replicas_summary *rep)
{
    char verdict[1024], line[1024];
    replview_verdict(verdict, sizeof verdict, rep);
    rate_line(line, sizeof line, rep, &rep->passed);
    open_testcase(out, r, "replications", "replications");
    if (rep->verdict != REPLICAS_PASS) {
        fputs("      <failure type=\"ReplicationsFailed\" message=\"", out);
        text_xml(out, verdict, 1);
        fputs("\">", out);
        text_xml(out, line, 0);
        fputs("</failure>\n", out);
    }
    fputs("      <system-out>", out);
    text_xml(out, verdict, 0);
    fputc('\n', out);
    text_xml(out, line, 0);
    for (size_t i = 0; i < rep->n_replications; i++)
        if (!rep->rows[i].passed) {
            char command[4200];
            replview_rerun(command, sizeof command, r, rep->rows[i].seed);
            fprintf(out, "\nfirst failing replication: %zu; rerun it alone: ", rep->rows[i].index);
            text_xml(out, command, 0);
            break;
        }
    fputs("</system-out>\n    </testcase>\n", out);
}

static void replicated_suite(FILE *out, const results *r, const loadview *loads,
                             const replicas_summary *rep)
{
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"routersim\"", out);
    replicated_counts(out, rep);
    fputs(">\n  <testsuite name=\"", out);
    text_xml(out, r->scenario, 1);
    fputc('"', out);
    replicated_counts(out, rep);
    fputs(">\n", out);
    properties(out, r, rep);
    for (size_t i = 0; i < rep->n_phases; i++) {
        char name[256];
        replview_phase_name(name, sizeof name, &rep->phases[i]);
        replicated_testcase(out, r, rep, name, "split", &rep->phases[i].rate,
                            rep->phases[i].skipped, NULL);
    }
    for (size_t i = 0; i < rep->n_checks; i++)
        replicated_check(out, r, rep, &rep->checks[i]);
    replicated_run(out, r, rep);
    capacity_table(out, loads);
    fputs("  </testsuite>\n</testsuites>\n", out);
}

int report_junit_write(FILE *out, const results *r, const loadview *loads,
                       const replicas_summary *rep)
{
    if (rep) {
        replicated_suite(out, r, loads, rep);
        return ferror(out) ? -1 : 0;
    }
    verdicts v = verdicts_count(r);
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"routersim\"", out);
    counts(out, &v);
    fputs(">\n  <testsuite name=\"", out);
    text_xml(out, r->scenario, 1);
    fputc('"', out);
    counts(out, &v);
    fputs(">\n", out);
    properties(out, r, NULL);
    for (size_t i = 0; i < r->n_phases; i++)
        phase_testcase(out, r, &r->phases[i]);
    for (size_t i = 0; i < r->n_checks; i++)
        check_testcase(out, r, &r->checks[i]);
    capacity_table(out, loads);
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}
