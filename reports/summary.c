/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/summary.h"

#include "views/loadview.h"
#include "views/text.h"
#include "views/verdicts.h"
#include "sim/base/units.h"

#include <inttypes.h>
#include <string.h>

static void print_phase(FILE *out, const results_phase *ph)
{
    char interval[80], from[32], to[32];
    units_format_duration(ph->start_s, from, sizeof from);
    units_format_duration(ph->end_s, to, sizeof to);
    snprintf(interval, sizeof interval, "[%s, %s)", from, to);
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0;
        fprintf(out, "  %-20s %-24s %8lld %8.2f%% %8.2f%% %10" PRIu64, i ? "" : interval,
                text_short_name(d->name), d->replicas, 100.0 * d->expected_share, observed,
                d->observed);
        if (i == 0)
            fprintf(out, " %10.3f %3d %9.3g  %s", ph->test.chi2, ph->test.df, ph->test.p_value,
                    splittest_verdict_name(ph->test.verdict));
        fputc('\n', out);
    }
    if (ph->test.reason[0])
        fprintf(out, "  %-20s %s\n", "", ph->test.reason);
}

static void print_phases(FILE *out, const results *r)
{
    const char *router = NULL;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!router || strcmp(router, ph->router) != 0) {
            router = ph->router;
            fprintf(out, "\nRouter %s\n", router);
            fprintf(out, "  %-20s %-24s %8s %9s %9s %10s %10s %3s %9s  %s\n", "interval",
                    "deployment", "replicas", "expected", "observed", "requests", "chi2", "df",
                    "p-value", "verdict");
        }
        print_phase(out, ph);
    }
}

/* Per deployment with a serving model: the run's utilization and p99 beside their worst
 * windows, and the requests lost. */
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
    loadview_free(&v);
}

static void print_checks(FILE *out, const results *r)
{
    if (r->n_checks == 0)
        return;
    fputs("\nChecks\n", out);
    for (size_t i = 0; i < r->n_checks; i++)
        fprintf(out, "  %s  %s: %s\n", r->checks[i].passed ? "PASS" : "FAIL", r->checks[i].name,
                r->checks[i].detail);
}

void summary_print(FILE *out, const results *r)
{
    fprintf(out, "Scenario %s (%s), seed %" PRIu64 ", %gs simulated\n", r->scenario, r->source,
            r->seed, r->duration_s);
    fprintf(out, "Requests: %" PRIu64 " arrived, %" PRIu64 " routed, %" PRIu64 " failed", r->total,
            r->routed, r->failed);
    if (r->failed) {
        const char *sep = " (";
        for (int k = 0; k < RESULTS_N_REASONS; k++)
            if (r->failed_by_reason[k]) {
                fprintf(out, "%s%s %" PRIu64, sep, results_reason_name(k), r->failed_by_reason[k]);
                sep = ", ";
            }
        fputc(')', out);
    }
    fputc('\n', out);
    print_phases(out, r);
    print_capacity(out, r);
    print_checks(out, r);
    char headline[256];
    verdicts_headline(headline, sizeof headline, r);
    fprintf(out, "\n%s\n", headline);
}
