#include "reports/report_md.h"

#include "reports/text.h"
#include "reports/verdicts.h"

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
    char duration[32], window[32], total[32], routed[32], failed[32];
    text_duration(duration, sizeof duration, r->duration_s);
    text_duration(window, sizeof window, r->window_s);
    text_count(total, sizeof total, r->total);
    text_count(routed, sizeof routed, r->routed);
    text_count(failed, sizeof failed, r->failed);
    fputs("- **Scenario file:** ", out);
    text_md(out, r->source, 1);
    fprintf(out,
            "\n- **Seed:** %" PRIu64 "\n- **Simulated:** %s, in bins of %s\n"
            "- **Significance level (alpha):** %g\n"
            "- **Requests:** %s arrived, %s routed, %s failed\n\n",
            r->seed, duration, window, r->alpha, total, routed, failed);
}

static void failures(FILE *out, const results *r)
{
    fputs("## Failures by reason\n\n| Reason | Requests |\n| --- | ---: |\n", out);
    for (int k = 0; k < RESULTS_N_REASONS; k++) {
        char count[32], reason[32];
        text_count(count, sizeof count, r->failed_by_reason[k]);
        snprintf(reason, sizeof reason, "%s", results_reason_name(k));
        for (char *p = reason; *p; p++)
            *p = *p == '_' ? ' ' : *p;
        fprintf(out, "| %s | %s |\n", reason, count);
    }
    fputs("\n", out);
}

/* The plots of one kind as images beside the report; a note in their place when missing. */
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
    const char *note = plots_missing_note(plots);
    if (note && kind != PLOTS_REQUESTS)
        fprintf(out, "_%s_\n\n", note);
}

/* One value per deployment of the phase, joined with " / ". */
typedef enum { COL_NAME, COL_REPLICAS, COL_EXPECTED, COL_OBSERVED } column;

static void deployment_values(FILE *out, const results_phase *ph, column col)
{
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        fputs(i ? " / " : "", out);
        if (col == COL_NAME)
            text_md(out, text_short_name(d->name), 1);
        else if (col == COL_REPLICAS)
            fprintf(out, "%lld", d->replicas);
        else if (col == COL_EXPECTED)
            fprintf(out, "%.2f%%", 100.0 * d->expected_share);
        else if (ph->requests)
            fprintf(out, "%.2f%%", 100.0 * (double)d->observed / (double)ph->requests);
        else
            fputs("n/a", out);
    }
}

static void phase_row(FILE *out, const results_phase *ph)
{
    char interval[80], requests[32];
    verdicts_interval(interval, sizeof interval, ph);
    text_count(requests, sizeof requests, ph->requests);
    fputs("| ", out);
    text_md(out, text_short_name(ph->router), 1);
    fprintf(out, " | %s | ", interval);
    for (column col = COL_NAME; col <= COL_OBSERVED; col++) {
        deployment_values(out, ph, col);
        fputs(" | ", out);
    }
    fprintf(out, "%s | %.4g | %d | %.4g | %s |\n", requests, ph->test.chi2, ph->test.df,
            ph->test.p_value, splittest_verdict_name(ph->test.verdict));
}

static void phases(FILE *out, const results *r)
{
    fputs("## Phases\n\nEach phase of a router (its deployments and replica counts constant) gets "
          "a chi-square test of the observed requests per deployment against the replica "
          "shares.\n\n",
          out);
    if (r->n_phases == 0) {
        fputs("No router existed during the run.\n\n", out);
        return;
    }
    fputs("| Router | Interval | Deployments | Replicas | Expected share | Observed share | "
          "Requests | χ² | df | p-value | Verdict |\n"
          "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |\n",
          out);
    for (size_t i = 0; i < r->n_phases; i++)
        phase_row(out, &r->phases[i]);
    fputs("\n", out);
    int listed = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        char name[256], message[512];
        verdicts_phase_name(name, sizeof name, &r->phases[i]);
        verdicts_phase_message(message, sizeof message, &r->phases[i], r->alpha);
        if (!message[0])
            continue;
        fprintf(out, "- %s, %s: ", name, splittest_verdict_name(r->phases[i].test.verdict));
        text_md(out, message, 1);
        fputs("\n", out);
        listed = 1;
    }
    fputs(listed ? "\n" : "", out);
}

static void checks(FILE *out, const results *r)
{
    fputs("## Checks\n\n", out);
    if (r->n_checks == 0) {
        fputs("The scenario has no checks.\n\n", out);
        return;
    }
    fputs("| Check | Result | Detail |\n| --- | --- | --- |\n", out);
    for (size_t i = 0; i < r->n_checks; i++) {
        fputs("| ", out);
        text_md(out, r->checks[i].name, 1);
        fprintf(out, " | %s | ", r->checks[i].passed ? "pass" : "**FAIL**");
        text_md(out, r->checks[i].detail, 1);
        fputs(" |\n", out);
    }
    fputs("\n", out);
}

static void timeline(FILE *out, const results *r)
{
    fputs("## Timeline\n\n", out);
    if (r->n_events == 0) {
        fputs("Nothing changed during the run.\n\n", out);
        return;
    }
    fputs("| At | Command |\n| ---: | --- |\n", out);
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
          "`failed_no_replicas`, `failed_forbidden`\n"
          "- `split-<router>`, `replicas`, `requests` `.png` and `.svg`: the plots\n",
          out);
}

int report_md_write(FILE *out, const results *r, const plots_set *plots)
{
    header(out, r);
    facts(out, r);
    fputs("## Traffic split\n\n", out);
    images(out, plots, PLOTS_SPLIT);
    phases(out, r);
    checks(out, r);
    failures(out, r);
    fputs("## Replicas and requests\n\n", out);
    images(out, plots, PLOTS_REPLICAS);
    images(out, plots, PLOTS_REQUESTS);
    timeline(out, r);
    files(out);
    return ferror(out) ? -1 : 0;
}
