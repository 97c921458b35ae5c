/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/summary.h"

#include "reports/srm_report.h"
#include "views/loadview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/replview.h"
#include "views/verdicts.h"
#include "sim/base/units.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

static void print_phase(FILE *out, const results *r, const results_phase *ph)
{
    char interval[80], from[32], to[32];
    units_format_duration(ph->start_s, from, sizeof from);
    units_format_duration(ph->end_s, to, sizeof to);
    snprintf(interval, sizeof interval, "[%s, %s)", from, to);
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        char replicas[48], expected[200], observed[80];
        verdicts_replicas(replicas, sizeof replicas, d);
        verdicts_share(expected, sizeof expected, ph, i);
        text_percent(observed, sizeof observed,
                     ph->requests ? (double)d->observed / (double)ph->requests : 0);
        fprintf(out, "  %-20s %-24s %13s %23s %9s %10" PRIu64, i ? "" : interval,
                text_short_name(d->name), replicas, expected, observed, d->observed);
        if (i == 0)
            fprintf(out, " %10.3f %3d %9.3g  %-7s %s", ph->test.chi2, ph->test.df, ph->test.p_value,
                    splittest_verdict_name(results_phase_verdict(ph)),
                    verdicts_capacity_name(verdicts_phase_capacity(r, ph, NULL)));
        fputc('\n', out);
    }
    char message[512];
    verdicts_phase_message(message, sizeof message, r, ph);
    if (message[0])
        fprintf(out, "  %-20s %s\n", "", message);
    srm_report_run_phase_line(out, r, ph, "                       ");
}

static void print_phases(FILE *out, const results *r)
{
    const char *router = NULL;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!router || strcmp(router, ph->router) != 0) {
            router = ph->router;
            fprintf(out, "\nRouter %s\n", router);
            fprintf(out, "  %-20s %-24s %13s %23s %9s %10s %10s %3s %9s  %-7s %s\n", "interval",
                    "deployment", "replicas", "expected", "observed", "requests", "chi2", "df",
                    "p-value", "split", "capacity");
        }
        print_phase(out, r, ph);
    }
}

/* Per deployment with a serving model: the run's utilization and p99 beside their worst
 * windows, and the requests lost; with batching deployments, their tokens too. */
static void print_capacity(FILE *out, const results *r)
{
    loadview v;
    char line[512];
    if (r->n_loads == 0)
        return;
    if (loadview_init(&v, r) != 0) {
        fputs("\nCapacity: not shown (out of memory)\n", out);
        loadview_free(&v);
        return;
    }
    loadview_text_title(line, sizeof line, &v);
    fprintf(out, "\n%s\n", line);
    loadview_text_heading(line, sizeof line, "  ");
    fprintf(out, "%s\n", line);
    for (size_t k = 0; k < v.n; k++) {
        loadview_text_row(line, sizeof line, &v, k, "  ");
        fprintf(out, "%s\n", line);
    }
    if (loadview_has_tokens(&v)) {
        loadview_token_text_title(line, sizeof line, &v);
        fprintf(out, "\n%s\n", line);
        loadview_token_text_heading(line, sizeof line, "  ");
        fprintf(out, "%s\n", line);
        for (size_t k = 0; k < v.n; k++) {
            loadview_token_text_row(line, sizeof line, &v, k, "  ");
            fprintf(out, "%s\n", line);
        }
    }
    loadview_free(&v);
}

static const char *status_word(results_check_status status)
{
    return status == RESULTS_CHECK_PASS   ? "PASS"
           : status == RESULTS_CHECK_FAIL ? "FAIL"
                                          : "TOO FEW";
}

/* The capacity checks apart from the others, so neither hides behind the other. */
static void print_checks(FILE *out, const results *r, int capacity)
{
    int any = 0;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        if ((c->kind == RESULTS_CHECK_CAPACITY) != capacity)
            continue;
        if (!any++)
            fputs(capacity ? "\nCapacity checks\n" : "\nChecks\n", out);
        fprintf(out, "  %s  %s: %s\n", status_word(c->status), c->name, c->detail);
    }
}

void summary_print(FILE *out, const results *r)
{
    char simulated[32];
    text_duration(simulated, sizeof simulated, r->duration_s);
    fprintf(out, "Scenario %s (%s), seed %" PRIu64 ", %s simulated\n", r->scenario, r->source,
            r->seed, simulated);
    char requests[512];
    series_requests_text(requests, sizeof requests, r, 1);
    fprintf(out, "Requests: %s\n", requests);
    srm_report_faults_summary(out, r);
    print_phases(out, r);
    print_capacity(out, r);
    print_checks(out, r, 0);
    print_checks(out, r, 1);
    char headline[256];
    verdicts_headline(headline, sizeof headline, r);
    fprintf(out, "\n%s\n", headline);
}

/* Text on one line: control characters (line breaks) as spaces. */
static void print_flat(FILE *out, const char *text)
{
    for (const char *p = text ? text : ""; *p; p++)
        fputc((unsigned char)*p < 0x20 ? ' ' : *p, out);
}

void summary_failures(FILE *out, const char *prefix, const results *r)
{
    char name[512], why[1024];
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (results_phase_verdict(ph) != SPLITTEST_FAIL)
            continue;
        verdicts_phase_name(name, sizeof name, ph);
        verdicts_phase_message(why, sizeof why, r, ph);
        fprintf(out, "%sFAIL ", prefix);
        print_flat(out, name);
        fputs(": ", out);
        print_flat(out, why);
        fputc('\n', out);
    }
    for (size_t i = 0; i < r->n_checks; i++) {
        if (r->checks[i].passed)
            continue;
        fprintf(out, "%sFAIL ", prefix);
        print_flat(out, r->checks[i].name);
        fputs(": ", out);
        print_flat(out, r->checks[i].detail);
        fputc('\n', out);
    }
}

/* ---- replicated runs ---------------------------------------------------------------------- */

/* Failing replications named in the summary; report.json lists them all. */
#define SHOWN_FAILURES 5

static void print_rerun(FILE *out, const char *indent, const results *r,
                        const replicas_summary *rep)
{
    size_t shown = 0, failed = rep->passed.n - rep->passed.passes;
    for (size_t i = 0; i < rep->n_replications && shown < SHOWN_FAILURES; i++) {
        const replicas_replication *row = &rep->rows[i];
        if (row->passed)
            continue;
        fprintf(out, "%s%s%zu (seed %" PRIu64 ")", shown ? ", " : indent,
                shown ? "" : "failing replications: ", row->index, row->seed);
        shown++;
    }
    if (shown == 0)
        return;
    if (failed > shown)
        fprintf(out, " and %zu more (report.json lists them)", failed - shown);
    fputc('\n', out);
    for (size_t i = 0; i < rep->n_replications; i++)
        if (!rep->rows[i].passed) {
            char command[4200];
            replview_rerun(command, sizeof command, r, rep->rows[i].seed);
            fprintf(out, "%srerun one alone: %s\n", indent, command);
            break;
        }
}

/* Key figures: routing failures and unserved requests, each deployment's utilisation and p99. */
static int key_metric(const replicas_metric *m)
{
    return (m->kind == REPLICAS_METRIC_REQUESTS &&
            (strcmp(m->statistic, "failed") == 0 || strcmp(m->statistic, "unserved") == 0)) ||
           m->kind == REPLICAS_METRIC_UTILIZATION ||
           (m->kind == REPLICAS_METRIC_LATENCY && strcmp(m->statistic, "p99") == 0);
}

static void print_key_metrics(FILE *out, const replicas_summary *rep)
{
    int any = 0;
    for (size_t i = 0; i < rep->n_metrics; i++) {
        const replicas_metric *m = &rep->metrics[i];
        if (!key_metric(m) || m->stats.n == 0)
            continue;
        if (!any++)
            fprintf(out, "  %-36s %10s %23s %10s %10s %10s %5s\n", "figure", "mean", "interval",
                    "sd", "min", "max", "n");
        char name[256], mean[48], lower[48], upper[48], interval[100], sd[48], min[48], max[48];
        if (m->deployment)
            snprintf(name, sizeof name, "%s %s",
                     m->kind == REPLICAS_METRIC_UTILIZATION ? "utilization" : "p99 latency",
                     text_short_name(m->deployment));
        else
            snprintf(name, sizeof name, "%s requests", m->statistic);
        replview_figure(mean, sizeof mean, m->unit, m->stats.mean);
        replview_figure(lower, sizeof lower, m->unit, m->stats.lower);
        replview_figure(upper, sizeof upper, m->unit, m->stats.upper);
        snprintf(interval, sizeof interval, "[%s, %s]", lower, upper);
        replview_figure(sd, sizeof sd, m->unit, m->stats.sd);
        replview_figure(min, sizeof min, m->unit, m->stats.min);
        replview_figure(max, sizeof max, m->unit, m->stats.max);
        fprintf(out, "  %-36s %10s %23s %10s %10s %10s %5zu\n", name, mean, interval, sd, min, max,
                m->stats.n);
    }
}

void summary_replicated(FILE *out, const results *r, const replicas_summary *rep)
{
    char text[1024], confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out, "\nReplications: %zu", rep->replications);
    if (rep->replications < rep->cap)
        fprintf(out, " of at most %zu (the sequential rule decided)", rep->cap);
    fprintf(out,
            "; the tables above are replication 0's (seed %" PRIu64
            "), replication i's seed is splitmix64 of it (report.json lists every seed)\n",
            r->seed);
    replview_rule(text, sizeof text, rep);
    fprintf(out, "  rule: %s\n", text);
    replview_rate(text, sizeof text, &rep->passed);
    fprintf(out, "  passed: %zu of %zu, pass rate %s (%s Clopper-Pearson interval)\n",
            rep->passed.passes, rep->passed.n, text, confidence);
    int any = 0;
    for (size_t i = 0; i < rep->n_phases; i++) {
        const replicas_phase *ph = &rep->phases[i];
        if (ph->rate.passes == ph->rate.n)
            continue;
        if (!any++)
            fputs("  failed in some replications (passes of the replications that had it):\n", out);
        char from[32];
        units_format_duration(ph->start_s, from, sizeof from);
        replview_rate(text, sizeof text, &ph->rate);
        fprintf(out, "    split %s from %s: %zu of %zu, %s\n", text_short_name(ph->router), from,
                ph->rate.passes, ph->rate.n, text);
    }
    for (size_t i = 0; i < rep->n_checks; i++) {
        const replicas_check *c = &rep->checks[i];
        if (c->rate.passes == c->rate.n)
            continue;
        if (!any++)
            fputs("  failed in some replications (passes of the replications that had it):\n", out);
        replview_rate(text, sizeof text, &c->rate);
        fprintf(out, "    ");
        print_flat(out, c->name);
        fprintf(out, ": %zu of %zu, %s\n", c->rate.passes, c->rate.n, text);
    }
    print_key_metrics(out, rep);
    print_rerun(out, "  ", r, rep);
    replview_verdict(text, sizeof text, rep);
    fprintf(out, "\n%s\n", text);
}

void summary_replicated_failures(FILE *out, const char *prefix, const results *r,
                                 const replicas_summary *rep)
{
    if (rep->verdict == REPLICAS_PASS)
        return;
    char text[1024];
    replview_verdict(text, sizeof text, rep);
    fprintf(out, "%s%s (%s)\n", prefix, text, r->source);
    for (size_t i = 0; i < rep->n_phases; i++) {
        const replicas_phase *ph = &rep->phases[i];
        if (ph->rate.passes == ph->rate.n)
            continue;
        char from[32];
        units_format_duration(ph->start_s, from, sizeof from);
        fprintf(out, "%sFAIL split %s from %s: failed in %zu of %zu replications\n", prefix,
                ph->router, from, ph->rate.n - ph->rate.passes, ph->rate.n);
    }
    for (size_t i = 0; i < rep->n_checks; i++) {
        const replicas_check *c = &rep->checks[i];
        if (c->rate.passes == c->rate.n)
            continue;
        fprintf(out, "%sFAIL ", prefix);
        print_flat(out, c->name);
        fprintf(out, ": failed in %zu of %zu replications\n", c->rate.n - c->rate.passes,
                c->rate.n);
    }
    for (size_t i = 0; i < rep->n_replications; i++)
        if (!rep->rows[i].passed) {
            char command[4200];
            replview_rerun(command, sizeof command, r, rep->rows[i].seed);
            fprintf(out, "%srerun failing replication %zu alone: %s\n", prefix, rep->rows[i].index,
                    command);
            break;
        }
}
