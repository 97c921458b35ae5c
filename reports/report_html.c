/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_html.h"

#include "views/loadview.h"
#include "views/replview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>
#include <string.h>

static const char style[] =
    "body{margin:0;background:#f5f6f8;color:#1f2328;"
    "font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'Helvetica Neue',Arial,sans-serif}"
    "main{max-width:1200px;margin:0 auto;padding:20px 28px 40px}"
    "h1{font-size:26px;margin:6px 0 4px;display:flex;flex-wrap:wrap;align-items:center;gap:12px;"
    "overflow-wrap:anywhere}"
    "h2{font-size:19px;margin:30px 0 10px;padding-bottom:4px;border-bottom:1px solid #d5dae0}"
    ".description{white-space:pre-line;color:#3d444d;margin:2px 0 6px}"
    ".headline{margin:4px 0 14px;color:#3d444d}"
    ".badge{display:inline-block;font-size:13px;font-weight:600;letter-spacing:.03em;"
    "padding:1px 10px;border-radius:11px}"
    ".badge.pass{background:#dafbe1;color:#116329}.badge.fail{background:#ffebe9;color:#a40e26}"
    ".badge.skipped{background:#fff3c4;color:#7a4a00}"
    "dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 18px;margin:0}"
    "dl.facts dt{color:#59636e}dl.facts dd{margin:0;overflow-wrap:anywhere}"
    ".scroll{overflow-x:auto}"
    "table{border-collapse:collapse;background:#fff;font-size:14px;"
    "font-variant-numeric:tabular-nums}"
    "th,td{border:1px solid #d5dae0;padding:4px 9px;text-align:left;vertical-align:top}"
    "th{background:#eef1f4;font-weight:600}td.num,th.num{text-align:right}"
    "td.note{color:#59636e;font-size:13px}"
    "tbody.phase{border-top:2px solid #b9c1ca}tbody.phase.fail td{background:#fff5f4}"
    "figure{margin:0 0 16px;background:#fff;border:1px solid #d5dae0;border-radius:6px;"
    "padding:10px}"
    "figure svg{display:block;width:100%;height:auto}"
    "figcaption{color:#59636e;font-size:13px;margin-top:4px}"
    ".missing{color:#7a4a00;font-style:italic}"
    "footer{margin-top:36px;color:#59636e;font-size:13px}";

static void esc(FILE *out, const char *s)
{
    text_xml(out, s, 0);
}

static const char *verdict_class(splittest_verdict v)
{
    return v == SPLITTEST_PASS ? "pass" : v == SPLITTEST_FAIL ? "fail" : "skipped";
}

/* The run's verdict: the replications' when replicated, else the run's own. */
static int run_passed(const results *r, const replicas_summary *rep)
{
    return rep ? rep->verdict == REPLICAS_PASS : r->passed;
}

static void head(FILE *out, const results *r, const replicas_summary *rep)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
          "<title>",
          out);
    esc(out, r->scenario);
    fprintf(out, ": %s (routersim)</title>\n<style>%s</style>\n</head>\n<body>\n<main>\n",
            run_passed(r, rep) ? "passed" : "FAILED", style);
}

static void header(FILE *out, const results *r, const replicas_summary *rep)
{
    char headline[1024];
    int passed = run_passed(r, rep);
    fputs("<header>\n<h1><span class=\"name\">", out);
    esc(out, r->scenario);
    fprintf(out, "</span> <span class=\"badge %s\">%s</span></h1>\n", passed ? "pass" : "fail",
            passed ? "PASSED" : "FAILED");
    if (r->description && r->description[0]) {
        fputs("<p class=\"description\">", out);
        esc(out, r->description);
        fputs("</p>\n", out);
    }
    if (rep) {
        replview_verdict(headline, sizeof headline, rep);
        const char *why = strchr(headline, ':');
        fputs("<p class=\"headline\">", out);
        esc(out, why ? why + 2 : headline);
        fprintf(out, ". The sections after Replications show replication 0 (seed %" PRIu64 "): ",
                r->seed);
    }
    verdicts_headline(headline, sizeof headline, r);
    const char *counts = strchr(headline, ':');
    fprintf(out, "%s%s</p>\n</header>\n", rep ? "" : "<p class=\"headline\">",
            rep || !counts ? headline : counts + 2);
}

static void fact(FILE *out, const char *term, const char *value)
{
    fprintf(out, "<dt>%s</dt><dd>", term);
    esc(out, value);
    fputs("</dd>\n", out);
}

static void facts(FILE *out, const results *r)
{
    char text[512], a[32], b[32];
    fputs("<section id=\"run\">\n<h2>Run</h2>\n<dl class=\"facts\">\n", out);
    fact(out, "Scenario file", r->source);
    snprintf(text, sizeof text, "%" PRIu64, r->seed);
    fact(out, "Seed", text);
    text_duration(a, sizeof a, r->duration_s);
    text_duration(b, sizeof b, r->window_s);
    snprintf(text, sizeof text, "%s, in bins of %s", a, b);
    fact(out, "Simulated", text);
    snprintf(text, sizeof text, "%g", r->alpha);
    fact(out, "Significance level (alpha)", text);
    series_requests_text(text, sizeof text, r, 0);
    fact(out, "Requests", text);
    fputs("</dl>\n</section>\n", out);
}

/* ---- a replicated run --------------------------------------------------------------------- */

/* Replications listed one by one at most; beyond, only the failing ones (replications.csv
 * and report.json list them all). */
enum { LISTED_REPLICATIONS = 100 };

static void rate_cells(FILE *out, const replicas_summary *rep, const replicas_rate *rate,
                       size_t apart)
{
    char text[160];
    replview_rate(text, sizeof text, rate);
    int holds = replview_holds(rep, rate);
    fprintf(out,
            "</td><td class=\"num\">%zu of %zu</td><td class=\"num\">%s</td>"
            "<td class=\"num\">%zu</td><td><span class=\"badge %s\">%s</span></td></tr>\n",
            rate->passes, rate->n, text, apart, holds ? "pass" : "fail", holds ? "pass" : "FAIL");
}

static void replicated_tests(FILE *out, const replicas_summary *rep)
{
    char confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out,
            "<h3>Phase tests and checks</h3>\n<p>Passes out of the replications that had each, "
            "the pass rate with its %s Clopper-Pearson interval, and its verdict by the rule. A "
            "skipped phase test, or a check with too few requests, counts as passed.</p>\n"
            "<div class=\"scroll\"><table class=\"replicated\" id=\"replicated-tests\">\n"
            "<thead><tr><th>Phase test or check</th><th class=\"num\">Passed</th>"
            "<th class=\"num\">Pass rate [interval]</th><th class=\"num\">Skipped or too few"
            "</th><th>By the rule</th></tr></thead>\n<tbody>\n",
            confidence);
    for (size_t i = 0; i < rep->n_phases; i++) {
        char name[256];
        replview_phase_name(name, sizeof name, &rep->phases[i]);
        fputs("<tr><td>", out);
        esc(out, name);
        rate_cells(out, rep, &rep->phases[i].rate, rep->phases[i].skipped);
    }
    for (size_t i = 0; i < rep->n_checks; i++) {
        fputs("<tr><td>", out);
        esc(out, rep->checks[i].name);
        rate_cells(out, rep, &rep->checks[i].rate, rep->checks[i].too_few);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void replicated_figures(FILE *out, const replicas_summary *rep)
{
    char confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out,
            "<h3>Figures</h3>\n<p>Each figure across the replications that had it: mean, "
            "standard deviation, the %s t-interval of the mean, min and max.</p>\n"
            "<div class=\"scroll\"><table class=\"replicated\" id=\"replicated-figures\">\n"
            "<thead><tr><th>Figure</th><th class=\"num\">Mean</th><th class=\"num\">SD</th>"
            "<th class=\"num\">Interval</th><th class=\"num\">Min</th><th class=\"num\">Max"
            "</th><th class=\"num\">Replications</th></tr></thead>\n<tbody>\n",
            confidence);
    for (size_t i = 0; i < rep->n_metrics; i++) {
        const replicas_metric *m = &rep->metrics[i];
        char name[512], mean[48], sd[48], lower[48], upper[48], min[48], max[48];
        replview_metric_name(name, sizeof name, m);
        replview_figure(mean, sizeof mean, m->unit, m->stats.mean);
        replview_figure(sd, sizeof sd, m->unit, m->stats.sd);
        replview_figure(lower, sizeof lower, m->unit, m->stats.lower);
        replview_figure(upper, sizeof upper, m->unit, m->stats.upper);
        replview_figure(min, sizeof min, m->unit, m->stats.min);
        replview_figure(max, sizeof max, m->unit, m->stats.max);
        fputs("<tr><td>", out);
        esc(out, name);
        fprintf(out,
                "</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">"
                "[%s, %s]</td><td class=\"num\">%s</td><td class=\"num\">%s</td>"
                "<td class=\"num\">%zu</td></tr>\n",
                mean, sd, lower, upper, min, max, m->stats.n);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void table_rows(FILE *out, const replicas_summary *rep, int all)
{
    fputs("<div class=\"scroll\"><table class=\"replicated\" id=\"replicated-rows\">\n"
          "<thead><tr><th class=\"num\">Replication</th><th class=\"num\">Seed</th>"
          "<th>Result</th><th class=\"num\">Failed checks</th><th class=\"num\">Failed phase "
          "tests</th><th class=\"num\">Requests</th><th class=\"num\">Failed</th>"
          "<th class=\"num\">Not served</th></tr></thead>\n<tbody>\n",
          out);
    size_t listed = 0;
    for (size_t i = 0; i < rep->n_replications && listed < LISTED_REPLICATIONS; i++) {
        const replicas_replication *row = &rep->rows[i];
        if (!all && row->passed)
            continue;
        char total[32], failed[32], unserved[32];
        text_count(total, sizeof total, row->total);
        text_count(failed, sizeof failed, row->failed);
        text_count(unserved, sizeof unserved, row->unserved);
        fprintf(out,
                "<tr><td class=\"num\">%zu</td><td class=\"num\">%" PRIu64 "</td><td><span "
                "class=\"badge %s\">%s</span></td><td class=\"num\">%zu</td><td class=\"num\">"
                "%zu</td><td class=\"num\">%s</td><td class=\"num\">%s</td><td class=\"num\">"
                "%s</td></tr>\n",
                row->index, row->seed, row->passed ? "pass" : "fail", row->passed ? "pass" : "FAIL",
                row->failed_checks, row->failed_phases, total, failed, unserved);
        listed++;
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void rerun_line(FILE *out, const results *r, const replicas_summary *rep)
{
    char command[4200];
    replview_rerun(command, sizeof command, r, rep->rows[0].seed);
    for (size_t i = 0; i < rep->n_replications; i++)
        if (!rep->rows[i].passed) {
            replview_rerun(command, sizeof command, r, rep->rows[i].seed);
            break;
        }
    fputs("<p>To rerun one replication alone, with every report in full, give its seed: <code>",
          out);
    esc(out, command);
    fputs("</code></p>\n", out);
}

static void replicated_rows(FILE *out, const results *r, const replicas_summary *rep)
{
    int all = rep->n_replications <= LISTED_REPLICATIONS;
    fputs("<h3>Replications one by one</h3>\n", out);
    if (!all && rep->passed.passes == rep->passed.n) {
        fprintf(out,
                "<p>All %zu replications passed; each, with its seed, is in "
                "replications.csv.</p>\n",
                rep->n_replications);
    } else {
        fputs(all ? "<p>Every replication, with its seed and key figures:</p>\n"
                  : "<p>The failing replications, the first 100 at most (every one is in "
                    "replications.csv):</p>\n",
              out);
        table_rows(out, rep, all);
    }
    rerun_line(out, r, rep);
}

static void replications(FILE *out, const results *r, const replicas_summary *rep)
{
    char text[1024], rate[160], confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out,
            "<section id=\"replications\">\n<h2>Replications</h2>\n<p>%zu independent "
            "replication%s",
            rep->replications, rep->replications == 1 ? "" : "s");
    if (rep->replications < rep->cap)
        fprintf(out, " of at most %zu (the sequential rule decided after %zu)", rep->cap,
                rep->replications);
    fprintf(out,
            ". Replication 0 has the run's seed (%" PRIu64 ") and is the one the other sections "
            "show; replication i's seed is splitmix64 of it.</p>\n<dl class=\"facts\">\n",
            r->seed);
    replview_rule(text, sizeof text, rep);
    fact(out, "Verdict rule", text);
    replview_rate(rate, sizeof rate, &rep->passed);
    snprintf(text, sizeof text,
             "%zu of %zu replications, pass rate %s (%s Clopper-Pearson interval)",
             rep->passed.passes, rep->passed.n, rate, confidence);
    fact(out, "Passed", text);
    replview_verdict(text, sizeof text, rep);
    fact(out, "Verdict", text);
    fputs("</dl>\n", out);
    replicated_tests(out, rep);
    replicated_figures(out, rep);
    replicated_rows(out, r, rep);
    fputs("</section>\n", out);
}

/* Copy an SVG document from its <svg> element on, every id and reference to one prefixed,
 * so that several plots share the page without their ids colliding. */
static void inline_svg(FILE *out, const char *svg, size_t plot)
{
    static const char *const marks[] = {" id='", " id=\"", "href='#", "href=\"#", "url(#"};
    char prefix[32];
    snprintf(prefix, sizeof prefix, "plot%zu-", plot);
    const char *p = strstr(svg, "<svg");
    while (p && *p) {
        size_t m = 0, len = 0;
        for (; m < sizeof marks / sizeof marks[0]; m++) {
            len = strlen(marks[m]);
            if (strncmp(p, marks[m], len) == 0)
                break;
        }
        if (m < sizeof marks / sizeof marks[0]) {
            fprintf(out, "%s%s", marks[m], prefix);
            p += len;
        } else {
            fputc(*p++, out);
        }
    }
}

static void figures(FILE *out, const plots_set *plots, const char *const *svgs, plots_kind kind)
{
    for (size_t i = 0; i < plots->n; i++) {
        const plots_plot *p = &plots->plots[i];
        if (p->kind != kind)
            continue;
        fprintf(out, "<figure class=\"plot\" id=\"plot-%s\">\n", p->stem);
        inline_svg(out, svgs[i], i);
        fputs("\n<figcaption>", out);
        esc(out, p->title);
        fprintf(out,
                " (<a href=\"%s.png\">PNG</a>, <a href=\"%s.svg\">SVG</a>)</figcaption>\n"
                "</figure>\n",
                p->stem, p->stem);
    }
}

/* After a section's plots, a note when plots are missing. */
static void missing_note(FILE *out, const plots_set *plots)
{
    const char *note = plots_missing_note(plots);
    if (note) {
        fputs("<p class=\"missing\">", out);
        esc(out, note);
        fputs("</p>\n", out);
    }
}

static void share_cell(FILE *out, double share)
{
    char text[80];
    text_percent(text, sizeof text, share);
    text_put(out, "<td class=\"num\">");
    text_put(out, text);
    text_put(out, "</td>");
}

/* A deployment's utilization and p99 latency in the phase; n/a without a serving model. */
static void load_cells(FILE *out, const results_share *d)
{
    char utilization[32] = "n/a", p99[32] = "n/a";
    if (d->load) {
        loadview_utilization_text(utilization, sizeof utilization, d->load);
        loadview_p99_text(p99, sizeof p99, d->load);
    }
    fprintf(out, "<td class=\"num\">%s</td><td class=\"num\">%s</td>", utilization, p99);
}

/* One row per deployment; the router, interval and the test span the phase's rows. */
static void phase_rows(FILE *out, const results *r, const results_phase *ph, int capacity)
{
    char interval[80], requests[32], message[512];
    size_t n = ph->n_deployments ? ph->n_deployments : 1;
    verdicts_interval(interval, sizeof interval, ph);
    text_count(requests, sizeof requests, ph->requests);
    verdicts_phase_message(message, sizeof message, r, ph);
    splittest_verdict verdict = results_phase_verdict(ph);
    const results_check *broken;
    verdicts_capacity cap = verdicts_phase_capacity(r, ph, &broken);
    fprintf(out, "<tbody class=\"phase %s%s\">\n", verdict_class(verdict),
            cap == VERDICTS_CAPACITY_FAIL ? " capacity-fail" : "");
    for (size_t i = 0; i < n; i++) {
        text_put(out, "<tr>");
        if (i == 0) {
            fprintf(out, "<td rowspan=\"%zu\">", n);
            esc(out, text_short_name(ph->router));
            fprintf(out, "</td><td rowspan=\"%zu\">%s</td>", n, interval);
        }
        if (i < ph->n_deployments) {
            const results_share *d = &ph->deployments[i];
            char observed[32];
            text_count(observed, sizeof observed, d->observed);
            text_put(out, "<td>");
            esc(out, text_short_name(d->name));
            char replicas[48], expected[48];
            verdicts_replicas(replicas, sizeof replicas, d);
            verdicts_share(expected, sizeof expected, ph, i);
            /* a row per deployment: pieces, not fprintf */
            text_put(out, "</td><td class=\"num\">");
            text_put(out, replicas);
            text_put(out, "</td><td class=\"num\">");
            text_put(out, expected);
            text_put(out, "</td>");
            if (ph->requests)
                share_cell(out, (double)d->observed / (double)ph->requests);
            else
                fputs("<td class=\"num\">n/a</td>", out);
            text_put(out, "<td class=\"num\">");
            text_put(out, observed);
            text_put(out, "</td>");
            if (capacity)
                load_cells(out, d);
        } else {
            fprintf(out, "<td colspan=\"%d\">no deployments</td>", capacity ? 7 : 5);
        }
        if (i == 0)
            fprintf(out,
                    "<td class=\"num\" rowspan=\"%zu\">%s</td><td class=\"num\" rowspan=\"%zu\">"
                    "%.4g</td><td class=\"num\" rowspan=\"%zu\">%d</td><td class=\"num\" "
                    "rowspan=\"%zu\">%.4g</td><td rowspan=\"%zu\"><span class=\"badge %s\">%s"
                    "</span></td>",
                    n, requests, n, ph->test.chi2, n, ph->test.df, n, ph->test.p_value, n,
                    verdict_class(verdict), splittest_verdict_name(verdict));
        if (i == 0 && capacity) {
            fprintf(out, "<td rowspan=\"%zu\"><span class=\"badge %s\">%s</span>", n,
                    cap == VERDICTS_CAPACITY_FAIL   ? "fail"
                    : cap == VERDICTS_CAPACITY_PASS ? "pass"
                                                    : "skipped",
                    verdicts_capacity_name(cap));
            if (broken) {
                fputs(" ", out);
                esc(out, broken->name);
            }
            fputs("</td>", out);
        }
        text_put(out, "</tr>\n");
    }
    if (message[0]) {
        fprintf(out, "<tr><td class=\"note\" colspan=\"%d\">", capacity ? 15 : 12);
        esc(out, message);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n", out);
}

/* The sequential plots, with what they show, when there are any. */
static void sequential(FILE *out, const plots_set *plots, const char *const *svgs)
{
    for (size_t i = 0; i < plots->n; i++)
        if (plots->plots[i].kind == PLOTS_SEQUENTIAL) {
            fputs("<p>The anytime-valid sequential p-value of each phase over time (for "
                  "information: the verdict is the chi-square test's). It may be looked at as "
                  "often as one likes; where a line reaches alpha, the counts so far already "
                  "showed a mismatch.</p>\n",
                  out);
            figures(out, plots, svgs, PLOTS_SEQUENTIAL);
            return;
        }
}

static void phases(FILE *out, const results *r, int capacity, const plots_set *plots,
                   const char *const *svgs)
{
    fputs("<section id=\"phases\">\n<h2>Phases</h2>\n<p>Each phase of a router (its deployments "
          "and replica counts constant) gets a chi-square test of the observed requests per "
          "deployment against the replica shares.",
          out);
    fputs(capacity ? " Utilization and p99 latency are the deployments' over the phase (n/a: no "
                     "serving model); the latency is that of served requests (queue wait + "
                     "service). The split test and the capacity checks are judged apart: "
                     "Capacity fails when a capacity check broke its limit on one of the "
                     "phase's deployments during the phase. Where replicas are still starting, "
                     "the replicas and share asked for are shown beside the ready ones the "
                     "router weighs.</p>\n"
                   : "</p>\n",
          out);
    if (r->n_phases == 0) {
        fputs("<p>No router existed during the run.</p>\n</section>\n", out);
        return;
    }
    fputs("<div class=\"scroll\"><table class=\"phases\" id=\"phase-table\">\n<thead><tr>"
          "<th>Router</th><th>Interval</th><th>Deployment</th><th class=\"num\">Replicas</th>"
          "<th class=\"num\">Expected share</th><th class=\"num\">Observed share</th>"
          "<th class=\"num\">Observed</th>",
          out);
    if (capacity)
        fputs("<th class=\"num\">Utilization</th><th class=\"num\">p99 latency</th>", out);
    fputs("<th class=\"num\">Requests</th><th class=\"num\">χ²</th><th class=\"num\">df</th>"
          "<th class=\"num\">p-value</th><th>Split test</th>",
          out);
    fputs(capacity ? "<th>Capacity</th></tr></thead>\n" : "</tr></thead>\n", out);
    for (size_t i = 0; i < r->n_phases; i++)
        phase_rows(out, r, &r->phases[i], capacity);
    fputs("</table></div>\n", out);
    sequential(out, plots, svgs);
    fputs("</section>\n", out);
}

static void check_table(FILE *out, const results *r, int capacity)
{
    int any = 0;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        if ((c->kind == RESULTS_CHECK_CAPACITY) != capacity)
            continue;
        if (!any++)
            fprintf(out,
                    "%s<div class=\"scroll\"><table class=\"checks\">\n<thead><tr><th>Check</th>"
                    "<th>Result</th><th class=\"num\">Value</th><th class=\"num\">Limit</th>"
                    "<th class=\"num\">Margin</th><th>Decided in</th><th>Detail</th></tr>"
                    "</thead>\n<tbody>\n",
                    capacity ? "<h3>Capacity checks</h3>\n" : "");
        char value[32], limit[32], margin[32], window[80];
        verdicts_check_figure(value, sizeof value, c, c->value);
        verdicts_check_figure(limit, sizeof limit, c, c->limit);
        verdicts_check_figure(margin, sizeof margin, c, c->margin);
        verdicts_check_window(window, sizeof window, c);
        fputs("<tr><td>", out);
        esc(out, c->name);
        fprintf(out,
                "</td><td><span class=\"badge %s\">%s</span></td><td class=\"num\">%s</td>"
                "<td class=\"num\">%s</td><td class=\"num\">%s</td><td>%s</td><td>",
                c->status == RESULTS_CHECK_PASS   ? "pass"
                : c->status == RESULTS_CHECK_FAIL ? "fail"
                                                  : "skipped",
                verdicts_check_result(c), value, limit, margin, window);
        esc(out, c->detail);
        fputs("</td></tr>\n", out);
    }
    if (any)
        fputs("</tbody>\n</table></div>\n", out);
}

static void checks(FILE *out, const results *r)
{
    fputs("<section id=\"checks\">\n<h2>Checks</h2>\n", out);
    if (r->n_checks == 0) {
        fputs("<p>The scenario has no checks.</p>\n</section>\n", out);
        return;
    }
    check_table(out, r, 0);
    check_table(out, r, 1);
    fputs("</section>\n", out);
}

static void failures(FILE *out, const results *r)
{
    fputs("<div class=\"scroll\"><table class=\"failures\">\n<thead><tr><th>Failed because</th>"
          "<th class=\"num\">Requests</th></tr></thead>\n<tbody>\n",
          out);
    for (int k = 0; k < RESULTS_N_REASONS + (r->n_loads ? RESULTS_N_UNSERVED : 0); k++) {
        int routing = k < RESULTS_N_REASONS;
        char count[32], reason[32];
        text_count(count, sizeof count,
                   routing ? r->failed_by_reason[k] : r->unserved_by_reason[k - RESULTS_N_REASONS]);
        snprintf(reason, sizeof reason, "%s",
                 routing ? results_reason_name(k) : results_unserved_name(k - RESULTS_N_REASONS));
        for (char *p = reason; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        fprintf(out, "<tr><td>%s: %s</td><td class=\"num\">%s</td></tr>\n",
                routing ? "failed at the router" : "routed, not served", reason, count);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

/* Per deployment with a serving model, the run's figures and its worst windows. */
static void capacity_table(FILE *out, const loadview *loads)
{
    fputs("<div class=\"scroll\"><table class=\"capacity\" id=\"capacity-table\">\n"
          "<thead><tr><th>Deployment</th>",
          out);
    for (loadview_column col = 0; col < LOADVIEW_N_COLUMNS; col++)
        fprintf(out, "<th class=\"num\">%s</th>", loadview_heading(col));
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t k = 0; k < loads->n; k++) {
        fputs("<tr><td>", out);
        esc(out, text_short_name(loads->r->deployments[loads->deps[k].deployment]));
        fputs("</td>", out);
        for (loadview_column col = 0; col < LOADVIEW_N_COLUMNS; col++) {
            char cell[128];
            loadview_cell(cell, sizeof cell, loads, k, col);
            fprintf(out, "<td class=\"num\">%s</td>", cell);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

/* Per deployment with a serving model, its tokens, when some deployment batches. */
static void token_table(FILE *out, const loadview *loads)
{
    char intro[640];
    loadview_token_intro(intro, sizeof intro, loads);
    fputs("<p>", out);
    esc(out, intro);
    fputs("</p>\n<div class=\"scroll\"><table class=\"capacity\" id=\"token-table\">\n"
          "<thead><tr><th>Deployment</th>",
          out);
    for (loadview_token_column col = 0; col < LOADVIEW_N_TOKEN_COLUMNS; col++)
        fprintf(out, col == LOADVIEW_SERVING ? "<th>%s</th>" : "<th class=\"num\">%s</th>",
                loadview_token_heading(col));
    fputs("</tr></thead>\n<tbody>\n", out);
    for (size_t k = 0; k < loads->n; k++) {
        fputs("<tr><td>", out);
        esc(out, text_short_name(loads->r->deployments[loads->deps[k].deployment]));
        fputs("</td>", out);
        for (loadview_token_column col = 0; col < LOADVIEW_N_TOKEN_COLUMNS; col++) {
            char cell[128];
            loadview_token_cell(cell, sizeof cell, loads, k, col);
            fprintf(out, col == LOADVIEW_SERVING ? "<td>%s</td>" : "<td class=\"num\">%s</td>",
                    cell);
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n", out);
}

static void capacity(FILE *out, const loadview *loads, const plots_set *plots,
                     const char *const *svgs)
{
    char intro[512];
    if (loads->n == 0)
        return;
    loadview_intro(intro, sizeof intro, loads);
    fputs("<section id=\"capacity\">\n<h2>Capacity</h2>\n<p>", out);
    esc(out, intro);
    fputs("</p>\n", out);
    capacity_table(out, loads);
    if (loadview_has_tokens(loads))
        token_table(out, loads);
    figures(out, plots, svgs, PLOTS_UTILIZATION);
    figures(out, plots, svgs, PLOTS_LATENCY);
    figures(out, plots, svgs, PLOTS_QUEUE);
    for (plots_kind kind = PLOTS_TTFT; kind <= PLOTS_KV; kind++)
        figures(out, plots, svgs, kind);
    missing_note(out, plots);
    fputs("</section>\n", out);
}

static void timeline(FILE *out, const results *r, int capacity)
{
    fputs("<section id=\"timeline\">\n<h2>Timeline</h2>\n", out);
    if (r->n_events == 0) {
        fputs("<p>Nothing changed during the run.</p>\n</section>\n", out);
        return;
    }
    fputs(capacity ? "<p>The timeline's commands as applied, and what the platform did by "
                     "itself: the autoscaler's decisions and replicas ready after their cold "
                     "start.</p>\n"
                   : "<p>The timeline's commands as applied.</p>\n",
          out);
    fputs("<div class=\"scroll\"><table class=\"timeline\">\n<thead><tr><th class=\"num\">At</th>"
          "<th>Event</th></tr></thead>\n<tbody>\n",
          out);
    for (size_t i = 0; i < r->n_events; i++) {
        char at[32];
        text_duration(at, sizeof at, r->events[i].at_s);
        fprintf(out, "<tr><td class=\"num\">%s</td><td>", at);
        esc(out, r->events[i].text);
        fputs("</td></tr>\n", out);
    }
    fputs("</tbody>\n</table></div>\n</section>\n", out);
}

int report_html_write(FILE *out, const results *r, const loadview *loads, const plots_set *plots,
                      const char *const *svgs, const replicas_summary *rep)
{
    head(out, r, rep);
    header(out, r, rep);
    facts(out, r);
    if (rep)
        replications(out, r, rep);
    fputs("<section id=\"split\">\n<h2>Traffic split</h2>\n", out);
    figures(out, plots, svgs, PLOTS_SPLIT);
    missing_note(out, plots);
    fputs("</section>\n", out);
    phases(out, r, loads->n > 0, plots, svgs);
    checks(out, r);
    capacity(out, loads, plots, svgs);
    fputs("<section id=\"requests\">\n<h2>Replicas and requests</h2>\n", out);
    figures(out, plots, svgs, PLOTS_REPLICAS);
    figures(out, plots, svgs, PLOTS_REQUESTS);
    missing_note(out, plots);
    failures(out, r);
    fputs("</section>\n", out);
    timeline(out, r, loads->n > 0);
    fprintf(out,
            "<footer>routersim %s. Beside this page: report.md, report.json, junit.xml, "
            "timeseries.csv, requests.csv, load.csv%s and the plots as PNG and SVG.</footer>\n"
            "</main>\n</body>\n</html>\n",
            ROUTERSIM_VERSION, rep ? ", replications.csv" : "");
    return ferror(out) ? -1 : 0;
}
