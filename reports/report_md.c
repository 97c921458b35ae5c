/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_md.h"
#include "reports/srm_report.h"

#include "views/loadview.h"
#include "views/series.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>
#include <string.h>

static void header(FILE *out, const results *r)
{
    char headline[256];
    verdicts_headline(headline, sizeof headline, r);
    fputs("# ", out);
    text_md(out, r->scenario, 1);
    fputs("\n\n", out);
    if (r->description && r->description[0]) {
        text_md(out, r->description, 0);
        fputs("\n\n", out);
    }
    /* "PASSED: ..." in bold, the verdict word first so it is read first. */
    size_t word = strcspn(headline, ":");
    fprintf(out, "**%.*s**%s\n\n", (int)word, headline, headline + word);
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
    if (d->has_load && col == COL_UTILIZATION)
        loadview_utilization_text(text, sizeof text, &d->load);
    else if (d->has_load)
        loadview_p99_text(text, sizeof text, &d->load);
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
static void power(FILE *out, const results *r)
{
    int listed = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        char name[256], line[512];
        if (!srm_report_run_phase_text(line, sizeof line, r, &r->phases[i]))
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

static void phases(FILE *out, const results *r, int capacity)
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
    power(out, r);
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
        fputs(" ---: |", out);
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

static void files(FILE *out)
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
          "- `split-<router>`, `replicas`, `requests` `.png` and `.svg`: the plots; with "
          "serving models also `utilization`, `latency` and `queue`\n",
          out);
}

int report_md_write(FILE *out, const results *r, const loadview *loads, const plots_set *plots)
{
    header(out, r);
    facts(out, r);
    fputs("## Traffic split\n\n", out);
    images(out, plots, PLOTS_SPLIT);
    missing_note(out, plots);
    phases(out, r, loads->n > 0);
    checks(out, r);
    capacity(out, loads, plots);
    failures(out, r);
    fputs("## Replicas and requests\n\n", out);
    images(out, plots, PLOTS_REPLICAS);
    images(out, plots, PLOTS_REQUESTS);
    missing_note(out, plots);
    timeline(out, r, loads->n > 0);
    files(out);
    return ferror(out) ? -1 : 0;
}
