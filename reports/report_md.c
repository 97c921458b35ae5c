/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_md.h"
#include "reports/srm_report.h"

#include "views/loadview.h"
#include "views/replview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>
#include <string.h>

/* "PASSED: ..." in bold, the verdict word first so it is read first. */
static void verdict_line(FILE *out, const char *headline)
{
    size_t word = strcspn(headline, ":");
    fprintf(out, "**%.*s**%s\n\n", (int)word, headline, headline + word);
}

static void header(FILE *out, const results *r, const replicas_summary *rep)
{
    char headline[1024];
    fputs("# ", out);
    text_md(out, r->scenario, 1);
    fputs("\n\n", out);
    if (r->description && r->description[0]) {
        text_md(out, r->description, 0);
        fputs("\n\n", out);
    }
    if (rep) {
        replview_verdict(headline, sizeof headline, rep);
        verdict_line(out, headline);
        fprintf(out,
                "The sections after Replications show replication 0 (seed %" PRIu64 "): ", r->seed);
    }
    verdicts_headline(headline, sizeof headline, r);
    verdict_line(out, headline);
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
    fprintf(out, " | %zu of %zu | %s | %zu | %s |\n", rate->passes, rate->n, text, apart,
            holds ? "pass" : "**FAIL**");
}

static void replicated_tests(FILE *out, const replicas_summary *rep)
{
    char confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out,
            "### Phase tests and checks\n\nPasses out of the replications that had each, the "
            "pass rate with its %s Clopper-Pearson interval, and its verdict by the rule. A "
            "skipped phase test, or a check with too few requests, counts as passed.\n\n"
            "| Phase test or check | Passed | Pass rate [interval] | Skipped or too few | "
            "By the rule |\n| --- | ---: | ---: | ---: | --- |\n",
            confidence);
    for (size_t i = 0; i < rep->n_phases; i++) {
        char name[256];
        replview_phase_name(name, sizeof name, &rep->phases[i]);
        fputs("| ", out);
        text_md(out, name, 1);
        rate_cells(out, rep, &rep->phases[i].rate, rep->phases[i].skipped);
    }
    for (size_t i = 0; i < rep->n_checks; i++) {
        fputs("| ", out);
        text_md(out, rep->checks[i].name, 1);
        rate_cells(out, rep, &rep->checks[i].rate, rep->checks[i].too_few);
    }
    fputs("\n", out);
}

static void replicated_figures(FILE *out, const replicas_summary *rep)
{
    char confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out,
            "### Figures\n\nEach figure across the replications that had it: mean, standard "
            "deviation, the %s t-interval of the mean, min and max.\n\n"
            "| Figure | Mean | SD | Interval | Min | Max | Replications |\n"
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |\n",
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
        fputs("| ", out);
        text_md(out, name, 1);
        fprintf(out, " | %s | %s | [%s, %s] | %s | %s | %zu |\n", mean, sd, lower, upper, min, max,
                m->stats.n);
    }
    fputs("\n", out);
}

static void table_rows(FILE *out, const replicas_summary *rep, int all)
{
    fputs("| Replication | Seed | Result | Failed checks | Failed phase tests | Requests | "
          "Failed | Not served |\n| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: |\n",
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
        fprintf(out, "| %zu | %" PRIu64 " | %s | %zu | %zu | %s | %s | %s |\n", row->index,
                row->seed, row->passed ? "pass" : "**FAIL**", row->failed_checks,
                row->failed_phases, total, failed, unserved);
        listed++;
    }
    fputs("\n", out);
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
    fputs("To rerun one replication alone, with every report in full, give its seed: `", out);
    fputs(command, out);
    fputs("`\n\n", out);
}

static void replicated_rows(FILE *out, const results *r, const replicas_summary *rep)
{
    int all = rep->n_replications <= LISTED_REPLICATIONS;
    fputs("### Replications one by one\n\n", out);
    if (!all && rep->passed.passes == rep->passed.n) {
        fprintf(out,
                "All %zu replications passed; each, with its seed, is in replications.csv.\n\n",
                rep->n_replications);
    } else {
        fputs(all ? "Every replication, with its seed and key figures:\n\n"
                  : "The failing replications, the first 100 at most (every one is in "
                    "replications.csv):\n\n",
              out);
        table_rows(out, rep, all);
    }
    rerun_line(out, r, rep);
}

static void replications(FILE *out, const results *r, const replicas_summary *rep)
{
    char text[1024], rate[160], confidence[48];
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    fprintf(out, "## Replications\n\n%zu independent replication%s", rep->replications,
            rep->replications == 1 ? "" : "s");
    if (rep->replications < rep->cap)
        fprintf(out, " of at most %zu (the sequential rule decided after %zu)", rep->cap,
                rep->replications);
    fprintf(out,
            ". Replication 0 has the run's seed (%" PRIu64 ") and is the one the other sections "
            "show; replication i's seed is splitmix64 of it.\n\n",
            r->seed);
    replview_rule(text, sizeof text, rep);
    fputs("- **Verdict rule:** ", out);
    text_md(out, text, 1);
    replview_rate(rate, sizeof rate, &rep->passed);
    fprintf(out,
            "\n- **Passed:** %zu of %zu replications, pass rate %s (%s Clopper-Pearson "
            "interval)\n",
            rep->passed.passes, rep->passed.n, rate, confidence);
    replview_verdict(text, sizeof text, rep);
    fputs("- **Verdict:** ", out);
    text_md(out, text, 1);
    fputs("\n\n", out);
    replicated_tests(out, rep);
    replicated_figures(out, rep);
    replicated_rows(out, r, rep);
}

static void facts(FILE *out, const results *r)
{
    char duration[32], window[32], requests[512];
    text_duration(duration, sizeof duration, r->duration_s);
    text_duration(window, sizeof window, r->window_s);
    series_requests_text(requests, sizeof requests, r, 0);
    fputs("- **Scenario file:** ", out);
    text_md(out, r->source, 1);
    fprintf(out,
            "\n- **Seed:** %" PRIu64 "\n- **Simulated:** %s, in bins of %s\n"
            "- **Significance level (alpha):** %g\n"
            "- **Requests:** %s\n\n",
            r->seed, duration, window, r->alpha, requests);
}

/* A reason's name as words: "router not found". */
static void reason_words(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s", name);
    for (char *p = buf; *p; p++)
        *p = *p == '_' ? ' ' : *p;
}

static void failures(FILE *out, const results *r)
{
    fputs("## Failures by reason\n\n| Reason | Requests |\n| --- | ---: |\n", out);
    for (int k = 0; k < RESULTS_N_REASONS; k++) {
        char count[32], reason[32];
        text_count(count, sizeof count, r->failed_by_reason[k]);
        reason_words(reason, sizeof reason, results_reason_name(k));
        fprintf(out, "| failed at the router: %s | %s |\n", reason, count);
    }
    for (int k = 0; r->n_loads && k < RESULTS_N_UNSERVED; k++) {
        char count[32], reason[32];
        text_count(count, sizeof count, r->unserved_by_reason[k]);
        reason_words(reason, sizeof reason, results_unserved_name(k));
        fprintf(out, "| routed, not served: %s | %s |\n", reason, count);
    }
    fputs("\n", out);
}

/* The plots of one kind as images beside the report. */
static void images(FILE *out, const plots_set *plots, plots_kind kind)
{
    for (size_t i = 0; i < plots->n; i++) {
        const plots_plot *p = &plots->plots[i];
        if (p->kind != kind)
            continue;
        fputs("![", out);
        text_md(out, p->title, 1);
        fprintf(out, "](%s.png)\n\n", p->stem);
    }
}

/* After a section's plots, a note when plots are missing. */
static void missing_note(FILE *out, const plots_set *plots)
{
    const char *note = plots_missing_note(plots);
    if (note)
        fprintf(out, "_%s_\n\n", note);
}

/* One value per deployment of the phase, joined with " / ". */
typedef enum {
    COL_NAME,
    COL_REPLICAS,
    COL_EXPECTED,
    COL_OBSERVED,
    COL_UTILIZATION,
    COL_P99
} column;

/* A deployment's utilization or p99 in the phase; "n/a" without a serving model. */
static void load_value(FILE *out, const results_share *d, column col)
{
    char text[32] = "n/a";
    if (d->load && col == COL_UTILIZATION)
        loadview_utilization_text(text, sizeof text, d->load);
    else if (d->load)
        loadview_p99_text(text, sizeof text, d->load);
    fputs(text, out);
}

static void percent(FILE *out, double share)
{
    char text[80];
    text_percent(text, sizeof text, share);
    fputs(text, out);
}

static void deployment_values(FILE *out, const results_phase *ph, column col)
{
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        fputs(i ? " / " : "", out);
        if (col >= COL_UTILIZATION)
            load_value(out, d, col);
        else if (col == COL_NAME)
            text_md(out, text_short_name(d->name), 1);
        else if (col == COL_REPLICAS || col == COL_EXPECTED) {
            char text[64];
            if (col == COL_REPLICAS)
                verdicts_replicas(text, sizeof text, d);
            else
                verdicts_share(text, sizeof text, ph, i);
            fputs(text, out);
        } else if (ph->requests)
            percent(out, (double)d->observed / (double)ph->requests);
        else
            fputs("n/a", out);
    }
}

static void phase_row(FILE *out, const results *r, const results_phase *ph, int capacity)
{
    char interval[80], requests[32];
    verdicts_interval(interval, sizeof interval, ph);
    text_count(requests, sizeof requests, ph->requests);
    fputs("| ", out);
    text_md(out, text_short_name(ph->router), 1);
    fprintf(out, " | %s | ", interval);
    for (column col = COL_NAME; col <= (capacity ? COL_P99 : COL_OBSERVED); col++) {
        deployment_values(out, ph, col);
        fputs(" | ", out);
    }
    fprintf(out, "%s | %.4g | %d | %.4g | %s |", requests, ph->test.chi2, ph->test.df,
            ph->test.p_value, splittest_verdict_name(results_phase_verdict(ph)));
    if (capacity) {
        const results_check *failed;
        verdicts_capacity v = verdicts_phase_capacity(r, ph, &failed);
        fprintf(out, v == VERDICTS_CAPACITY_FAIL ? " **%s**: " : " %s |",
                verdicts_capacity_name(v));
        if (failed) {
            text_md(out, failed->name, 1);
            fputs(" |", out);
        }
    }
    fputs("\n", out);
}

/* Each phase's power against one percentage point on its smallest share (srm_report.h). */
static void power(FILE *out, const results *r, const srm_report_plans *plans)
{
    int listed = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        char name[256], line[512];
        if (!srm_report_run_phase_text(line, sizeof line, r, &r->phases[i], plans))
            continue;
        if (!listed)
            fprintf(
                out,
                "Power of each phase's test to detect its smallest share moved by %g%s "
                "(alpha as above; under Holm's correction alpha / m, its strictest threshold):\n\n",
                100.0 * (r->power_shift != 0.0 ? r->power_shift : 0.01),
                r->power_relative ? "% of itself" : " percentage points");
        verdicts_phase_name(name, sizeof name, &r->phases[i]);
        fprintf(out, "- %s: ", name);
        text_md(out, line, 1);
        fputs("\n", out);
        listed = 1;
    }
    fputs(listed ? "\n" : "", out);
}

/* The sequential plots, with what they show, when there are any. */
static void sequential(FILE *out, const plots_set *plots)
{
    for (size_t i = 0; i < plots->n; i++)
        if (plots->plots[i].kind == PLOTS_SEQUENTIAL) {
            fputs("The anytime-valid sequential p-value of each phase over time (for "
                  "information: the verdict is the chi-square test's). It may be looked at "
                  "as often as one likes; where a line reaches alpha, the counts so far "
                  "already showed a mismatch.\n\n",
                  out);
            images(out, plots, PLOTS_SEQUENTIAL);
            return;
        }
}

static void phases(FILE *out, const results *r, int capacity, const plots_set *plots,
                   const srm_report_plans *plans)
{
    fputs("## Phases\n\nEach phase of a router (its deployments and replica counts constant) gets "
          "a chi-square test of the observed requests per deployment against the replica "
          "shares.",
          out);
    fputs(capacity ? " Utilization and p99 latency are the deployments' over the phase (n/a: no "
                     "serving model); the latency is that of served requests (queue wait + "
                     "service). The split test and the capacity checks are judged apart: "
                     "Capacity fails when a capacity check broke its limit on one of the "
                     "phase's deployments during the phase. Where replicas are still starting, "
                     "the replicas and share asked for are shown beside the ready ones the "
                     "router weighs.\n\n"
                   : "\n\n",
          out);
    if (r->n_phases == 0) {
        fputs("No router existed during the run.\n\n", out);
        return;
    }
    fprintf(out,
            "| Router | Interval | Deployments | Replicas | Expected share | Observed share | %s"
            "Requests | χ² | df | p-value | Split test |%s\n"
            "| --- | --- | --- | ---: | ---: | ---: | %s---: | ---: | ---: | ---: | --- |%s\n",
            capacity ? "Utilization | p99 latency | " : "", capacity ? " Capacity |" : "",
            capacity ? "---: | ---: | " : "", capacity ? " --- |" : "");
    for (size_t i = 0; i < r->n_phases; i++)
        phase_row(out, r, &r->phases[i], capacity);
    fputs("\n", out);
    int listed = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        char name[256], message[512];
        verdicts_phase_name(name, sizeof name, &r->phases[i]);
        verdicts_phase_message(message, sizeof message, r, &r->phases[i]);
        if (!message[0])
            continue;
        fprintf(out, "- %s, %s: ", name,
                splittest_verdict_name(results_phase_verdict(&r->phases[i])));
        text_md(out, message, 1);
        fputs("\n", out);
        listed = 1;
    }
    fputs(listed ? "\n" : "", out);
    power(out, r, plans);
    sequential(out, plots);
}

/* One table of checks: the capacity checks, or the others. */
static void check_table(FILE *out, const results *r, int capacity)
{
    int any = 0;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        if ((c->kind == RESULTS_CHECK_CAPACITY) != capacity)
            continue;
        if (!any++)
            fputs(capacity ? "### Capacity checks\n\n" : "", out);
        if (any == 1)
            fputs("| Check | Result | Value | Limit | Margin | Decided in | Detail |\n"
                  "| --- | --- | ---: | ---: | ---: | --- | --- |\n",
                  out);
        char value[32], limit[32], margin[32], window[80];
        verdicts_check_figure(value, sizeof value, c, c->value);
        verdicts_check_figure(limit, sizeof limit, c, c->limit);
        verdicts_check_figure(margin, sizeof margin, c, c->margin);
        verdicts_check_window(window, sizeof window, c);
        fputs("| ", out);
        text_md(out, c->name, 1);
        fprintf(out,
                c->status == RESULTS_CHECK_FAIL ? " | **%s** | %s | %s | %s | %s | "
                                                : " | %s | %s | %s | %s | %s | ",
                verdicts_check_result(c), value, limit, margin, window);
        text_md(out, c->detail, 1);
        fputs(" |\n", out);
    }
    fputs(any ? "\n" : "", out);
}

static void checks(FILE *out, const results *r)
{
    fputs("## Checks\n\n", out);
    if (r->n_checks == 0) {
        fputs("The scenario has no checks.\n\n", out);
        return;
    }
    check_table(out, r, 0);
    check_table(out, r, 1);
}

/* Per deployment with a serving model, the run's figures and its worst windows. */
static void capacity_table(FILE *out, const loadview *loads)
{
    fputs("| Deployment |", out);
    for (loadview_column col = 0; col < LOADVIEW_N_COLUMNS; col++)
        fprintf(out, " %s |", loadview_heading(col));
    fputs("\n| --- |", out);
    for (loadview_column col = 0; col < LOADVIEW_N_COLUMNS; col++)
        fputs(" ---: |", out);
    for (size_t k = 0; k < loads->n; k++) {
        fputs("\n| ", out);
        text_md(out, text_short_name(loads->r->deployments[loads->deps[k].deployment]), 1);
        fputs(" |", out);
        for (loadview_column col = 0; col < LOADVIEW_N_COLUMNS; col++) {
            char cell[128];
            loadview_cell(cell, sizeof cell, loads, k, col);
            fprintf(out, " %s |", cell);
        }
    }
    fputs("\n\n", out);
}

/* Per deployment with a serving model, its tokens, when some deployment batches. */
static void token_table(FILE *out, const loadview *loads)
{
    char intro[640];
    loadview_token_intro(intro, sizeof intro, loads);
    text_md(out, intro, 0);
    fputs("\n\n| Deployment |", out);
    for (loadview_token_column col = 0; col < LOADVIEW_N_TOKEN_COLUMNS; col++)
        fprintf(out, " %s |", loadview_token_heading(col));
    fputs("\n| --- |", out);
    for (loadview_token_column col = 0; col < LOADVIEW_N_TOKEN_COLUMNS; col++)
        fputs(col == LOADVIEW_SERVING ? " --- |" : " ---: |", out);
    for (size_t k = 0; k < loads->n; k++) {
        fputs("\n| ", out);
        text_md(out, text_short_name(loads->r->deployments[loads->deps[k].deployment]), 1);
        fputs(" |", out);
        for (loadview_token_column col = 0; col < LOADVIEW_N_TOKEN_COLUMNS; col++) {
            char cell[128];
            loadview_token_cell(cell, sizeof cell, loads, k, col);
            fprintf(out, " %s |", cell);
        }
    }
    fputs("\n\n", out);
}

static void capacity(FILE *out, const loadview *loads, const plots_set *plots)
{
    char intro[512];
    if (loads->n == 0)
        return;
    loadview_intro(intro, sizeof intro, loads);
    fputs("## Capacity\n\n", out);
    text_md(out, intro, 0);
    fputs("\n\n", out);
    capacity_table(out, loads);
    if (loadview_has_tokens(loads))
        token_table(out, loads);
    images(out, plots, PLOTS_UTILIZATION);
    images(out, plots, PLOTS_LATENCY);
    images(out, plots, PLOTS_QUEUE);
    for (plots_kind kind = PLOTS_TTFT; kind <= PLOTS_KV; kind++)
        images(out, plots, kind);
    missing_note(out, plots);
}

static void timeline(FILE *out, const results *r, int capacity)
{
    fputs("## Timeline\n\n", out);
    if (r->n_events == 0) {
        fputs("Nothing changed during the run.\n\n", out);
        return;
    }
    fputs(capacity ? "The timeline's commands as applied, and what the platform did by itself: "
                     "the autoscaler's decisions and replicas ready after their cold start.\n\n"
                   : "The timeline's commands as applied.\n\n",
          out);
    fputs("| At | Event |\n| ---: | --- |\n", out);
    for (size_t i = 0; i < r->n_events; i++) {
        char at[32];
        text_duration(at, sizeof at, r->events[i].at_s);
        fprintf(out, "| %s | ", at);
        text_md(out, r->events[i].text, 1);
        fputs(" |\n", out);
    }
    fputs("\n", out);
}

static void files(FILE *out, const replicas_summary *rep)
{
    fputs("## Files\n\n"
          "- `report.md`: this report; `report.html`: the same as one web page, plots included\n"
          "- `report.json`: everything above, and the time series, for programs\n"
          "- `junit.xml`: one test case per phase test and per check, for CI\n"
          "- `timeseries.csv`: one row per bin, router and deployment: `bin`, `start_s`, "
          "`end_s`, `router`, `deployment`, `routed`, `router_routed`, `observed_share` "
          "(routed / router_routed; empty when 0), `expected_share` and `replicas` (at the end "
          "of the bin)\n"
          "- `requests.csv`: one row per bin and called router: `bin`, `start_s`, `end_s`, "
          "`router`, `arrivals`, `routed`, `failed`, `failed_router_not_found`, "
          "`failed_no_replicas`, `failed_forbidden`, then the window's routed requests not "
          "served, over every deployment and on the window's first row only: "
          "`window_unserved`, `window_rejected`, `window_timed_out`, `window_unfinished` (at "
          "the end of the run, in the last window)\n"
          "- `load.csv`: one row per bin and deployment with a serving model (only the header "
          "when none has one): `bin`, `start_s`, `end_s`, `deployment`, `replicas` and `ready` "
          "(wanted, and serving, at the end of the bin), `arrived`, `started`, `completed`, "
          "`rejected`, `timed_out`, `waited`, `utilization` (0 to 1), `mean_waiting`, "
          "`max_waiting`, `mean_wait_s`, `mean_latency_s`, `p50_s`, `p90_s`, `p99_s` (served "
          "requests' queue wait + service; empty when no request started service), "
          "`throughput_per_s`, `unfinished` (waiting or in service at the end of the bin), "
          "`p95_s`, `p999_s`, `wait_p50_s` to `wait_p999_s` (queue wait alone), `caller_count` "
          "and `caller_mean_s`, `caller_p50_s` to `caller_p999_s` (latency as callers saw "
          "it: served requests', and the wait of those who gave up; empty when none)\n"
          "- `split-<router>`, `sequential-<router>`, `replicas`, `requests` `.png` and "
          "`.svg`: the plots; with serving models also `utilization`, `latency` and "
          "`queue`\n",
          out);
    if (rep)
        fputs("- `replications.csv`: one row per replication: `index`, `seed` (rerun it alone "
              "with `--seed`), `passed` (1 or 0), `failed_checks`, `failed_phases`, "
              "`requests`, `failed`, `unserved`\n",
              out);
}

int report_md_write(FILE *out, const results *r, const loadview *loads, const plots_set *plots,
                    const replicas_summary *rep, const srm_report_plans *plans)
{
    header(out, r, rep);
    facts(out, r);
    if (rep)
        replications(out, r, rep);
    fputs("## Traffic split\n\n", out);
    images(out, plots, PLOTS_SPLIT);
    missing_note(out, plots);
    phases(out, r, loads->n > 0, plots, plans);
    checks(out, r);
    capacity(out, loads, plots);
    failures(out, r);
    fputs("## Replicas and requests\n\n", out);
    images(out, plots, PLOTS_REPLICAS);
    images(out, plots, PLOTS_REQUESTS);
    missing_note(out, plots);
    timeline(out, r, loads->n > 0);
    files(out, rep);
    return ferror(out) ? -1 : 0;
}
