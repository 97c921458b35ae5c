/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/migration_report.h"

#include "reports/report_json.h"
#include "reports/reports.h"
#include "sim/base/units.h"
#include "sim/load/yemit.h"
#include "views/outfile.h"
#include "views/text.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef int (*writer)(FILE *f, const migplan_options *o, const migplan_result *r);

static int write_file(const char *dir, const char *name, writer w, const migplan_options *o,
                      const migplan_result *r, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (w(outfile_stream(f), o, r) != 0) {
        outfile_abort(f);
        return outfile_error(err, errlen, "write", path, errno ? errno : EIO);
    }
    return outfile_commit(f, err, errlen);
}

static const char *objective_name(migsteps_objective o)
{
    return o == MIGSTEPS_MIN_TIME ? "time" : "replica-hours";
}

static double step_s(const migplan_result *r, long ticks)
{
    return (double)ticks * r->in.grid_s;
}

static int runbook(FILE *f, const migplan_options *o, const migplan_result *r)
{
    char title[512];
    snprintf(title, sizeof title, "Move router %s from %s to %s (routersim plan migration %s)",
             o->router, o->from, o->to, r->sc->path);
    return migsteps_write_runbook(f, r->events, r->n_events, title);
}

static int planned(FILE *f, const migplan_options *o, const migplan_result *r)
{
    char err[1024];
    char *text = yemit_file_set(o->path, (const char *const *)r->sets, r->n_sets, err, sizeof err);
    if (!text)
        return -1;
    fprintf(f,
            "# %s planned by routersim plan migration: router %s from %s to %s.\n"
            "# The timeline is the plan; runbook.sh has the same lines with comments.\n",
            r->sc->name, o->router, o->from, o->to);
    fputs(text, f);
    free(text);
    return ferror(f) ? -1 : 0;
}

static void json_num(FILE *f, const char *key, double x, int comma)
{
    char b[64];
    text_exact(b, sizeof b, x);
    fprintf(f, "  \"%s\": %s%s\n", key, isfinite(x) ? b : "null", comma ? "," : "");
}

static int plan_json(FILE *f, const migplan_options *o, const migplan_result *r)
{
    fprintf(f, "{\n  \"command\": \"plan migration\",\n  \"scenario\": ");
    report_json_string(f, r->sc->name);
    fprintf(f, ",\n  \"router\": ");
    report_json_string(f, o->router);
    fprintf(f, ",\n  \"from\": ");
    report_json_string(f, o->from);
    fprintf(f, ",\n  \"to\": ");
    report_json_string(f, o->to);
    fprintf(f, ",\n  \"minimise\": \"%s\",\n  \"holds\": %s,\n  \"reason\": ",
            objective_name(o->objective), r->holds ? "true" : "false");
    if (r->holds)
        fprintf(f, "null");
    else
        report_json_string(f, r->reason);
    fprintf(f, ",\n");
    json_num(f, "rate_peak", r->rate_peak, 1);
    json_num(f, "rate_low", r->rate_low, 1);
    json_num(f, "utilization", r->utilization, 1);
    fprintf(f,
            "  \"need\": {\"from\": %ld, \"both\": %ld, \"to\": %ld},\n  \"margin\": %ld,\n"
            "  \"max_replicas\": %ld,\n  \"searches\": %zu,\n",
            r->in.need_a, r->in.need_both, r->in.need_b, r->margin, r->in.max_replicas,
            r->attempts);
    json_num(f, "grid_s", r->in.grid_s, 1);
    json_num(f, "start_s", r->start_s, 1);
    json_num(f, "total_s", r->holds ? step_s(r, r->plan.total_ticks) : NAN, 1);
    json_num(f, "replica_hours", r->holds ? step_s(r, r->plan.replica_ticks) / 3600.0 : NAN, 1);
    fprintf(f, "  \"steps\": [");
    for (size_t k = 0; r->holds && k < r->plan.n_steps; k++) {
        const migsteps_step *s = &r->plan.steps[k];
        char asked[64], got[64], w[64], h[64];
        text_exact(asked, sizeof asked, o->shares[k]);
        text_exact(got, sizeof got, s->share);
        text_exact(w, sizeof w, step_s(r, s->wait_ticks));
        text_exact(h, sizeof h, step_s(r, s->hold_ticks));
        fprintf(f,
                "%s\n    {\"share_asked\": %s, \"share\": %s, \"from_replicas\": %ld, "
                "\"to_replicas\": %ld, \"wait_s\": %s, \"hold_s\": %s, \"peak_replicas\": %ld}",
                k ? "," : "", asked, got, s->a, s->b, w, h, s->peak);
    }
    fprintf(f, "%s],\n  \"events\": [", r->holds ? "\n  " : "");
    for (size_t i = 0; r->holds && i < r->n_events; i++) {
        char at[64];
        text_exact(at, sizeof at, r->events[i].at_s);
        fprintf(f, "%s\n    {\"at_s\": %s, \"run\": ", i ? "," : "", at);
        report_json_string(f, r->events[i].line);
        fprintf(f, ", \"why\": ");
        report_json_string(f, r->events[i].comment);
        fprintf(f, "}");
    }
    fprintf(f, "%s],\n  \"verdict\": ", r->holds ? "\n  " : "");
    if (r->verdict) {
        const planeval_result *v = r->verdict;
        char rate[64], lo[64], hi[64];
        text_exact(rate, sizeof rate, v->passed.rate);
        text_exact(lo, sizeof lo, v->passed.lower);
        text_exact(hi, sizeof hi, v->passed.upper);
        fprintf(f,
                "{\"verdict\": \"%s\", \"replications\": %zu, \"passed\": %zu, \"pass_rate\": "
                "%s, \"lower\": %s, \"upper\": %s, \"deciding_check\": ",
                replicas_verdict_name(v->verdict), v->replications, v->passed.passes, rate, lo, hi);
        if (v->check)
            report_json_string(f, v->check);
        else
            fprintf(f, "null");
        fprintf(f, "}\n}\n");
    } else {
        fprintf(f, "null\n}\n");
    }
    return ferror(f) ? -1 : 0;
}

/* The steps as a Markdown table (plan.md and the terminal). */
static void steps_table(FILE *f, const migplan_options *o, const migplan_result *r)
{
    fprintf(f,
            "| step | share asked | replicas %s:%s | share it gives | wait for cold start "
            "| holds | replicas at most |\n| --- | --- | --- | --- | --- | --- | --- |\n",
            o->from, o->to);
    for (size_t k = 0; k < r->plan.n_steps; k++) {
        const migsteps_step *s = &r->plan.steps[k];
        char asked[32], got[32], w[64], h[64];
        text_percent(asked, sizeof asked, o->shares[k]);
        text_percent(got, sizeof got, s->share);
        units_format_duration(step_s(r, s->wait_ticks), w, sizeof w);
        units_format_duration(step_s(r, s->hold_ticks), h, sizeof h);
        fprintf(f, "| %zu | %s | %ld:%ld | %s | %s | %s%s | %ld |\n", k + 1, asked, s->a, s->b, got,
                w, h, k + 1 == r->plan.n_steps ? " (drain)" : "", s->peak);
    }
}

static void verdict_line(FILE *f, const migplan_result *r)
{
    const planeval_result *v = r->verdict;
    if (!v)
        return;
    char rate[32], lo[32], hi[32];
    text_percent(rate, sizeof rate, v->passed.rate);
    text_percent(lo, sizeof lo, v->passed.lower);
    text_percent(hi, sizeof hi, v->passed.upper);
    fprintf(f, "Planned scenario over %zu replications: %s, %zu passed (%s, interval %s to %s)\n",
            v->replications, replicas_verdict_name(v->verdict), v->passed.passes, rate, lo, hi);
}

static void summary(FILE *f, const migplan_options *o, const migplan_result *r, int md)
{
    char peak[32], low[32], tot[64], u[32];
    text_rate(peak, sizeof peak, r->rate_peak);
    text_rate(low, sizeof low, r->rate_low);
    text_percent(u, sizeof u, r->utilization);
    fprintf(f, "%sPlan migration of router %s from %s to %s (%s)\n\n", md ? "# " : "", o->router,
            o->from, o->to, r->sc->name);
    fprintf(f,
            "Traffic %s at peak, %s at its lowest; utilisation at most %s; ready replicas "
            "needed: %ld (%s alone), %ld (both), %ld (%s alone); at most %ld replicas; "
            "minimising %s.\n\n",
            peak, low, u, r->in.need_a, o->from, r->in.need_both, r->in.need_b, o->to,
            r->in.max_replicas, objective_name(o->objective));
    if (!r->holds) {
        fprintf(f, "No plan: %s\n", r->reason);
        return;
    }
    steps_table(f, o, r);
    units_format_duration(step_s(r, r->plan.total_ticks), tot, sizeof tot);
    char rh[32];
    units_format_number(step_s(r, r->plan.replica_ticks) / 3600.0, 3, 0, rh, sizeof rh);
    fprintf(f, "\nTotal %s from the first line to the deletion of %s; %s replica-hours.\n", tot,
            o->from, rh);
    verdict_line(f, r);
}

static int plan_md(FILE *f, const migplan_options *o, const migplan_result *r)
{
    summary(f, o, r, 1);
    if (r->holds) {
        fprintf(f, "\n## Runbook\n\n```sh\n");
        runbook(f, o, r);
        fprintf(f, "```\n\nThe planned scenario is `planned.yaml`; the reports of its "
                   "replicated run (`report.md`, `report.json`, plots) are beside this file.\n");
    }
    return ferror(f) ? -1 : 0;
}

static int plan_html(FILE *f, const migplan_options *o, const migplan_result *r)
{
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    text_xml(f, r->sc->name, 0);
    fprintf(f, " migration plan</title></head><body>\n<pre>\n");
    /* The same text as plan.md, escaped: one source for both. */
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    if (!m)
        return -1;
    plan_md(m, o, r);
    if (fclose(m) != 0) {
        free(buf);
        return -1;
    }
    text_xml(f, buf, 0);
    free(buf);
    fprintf(f, "</pre>\n");
    if (r->holds) {
        fprintf(f, "<p><img alt=\"split\" src=\"split-");
        text_xml(f, o->router, 1);
        fprintf(f, ".svg\"></p>\n<p><img alt=\"utilisation\" src=\"utilization.svg\">"
                   "</p>\n");
    }
    fprintf(f, "</body></html>\n");
    return ferror(f) ? -1 : 0;
}

void migration_report_print(FILE *out, const migplan_options *o, const migplan_result *r)
{
    summary(out, o, r, 0);
}

int migration_report_write(const char *dir, const migplan_options *o, const migplan_result *r,
                           const results *first, int plots, void (*warn)(const char *message),
                           char *err, size_t errlen)
{
    if (write_file(dir, "plan.json", plan_json, o, r, err, errlen) != 0 ||
        write_file(dir, "plan.md", plan_md, o, r, err, errlen) != 0 ||
        write_file(dir, "plan.html", plan_html, o, r, err, errlen) != 0)
        return -1;
    if (!r->holds || !first)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/runbook.sh", dir);
    if (write_file(dir, "runbook.sh", runbook, o, r, err, errlen) != 0)
        return -1;
    if (chmod(path, 0755) != 0) /* a runbook to run */
        return outfile_error(err, errlen, "make executable", path, errno);
    if (write_file(dir, "planned.yaml", planned, o, r, err, errlen) != 0)
        return -1;
    reports_options ro = {.plots = plots, .replicated = r->verdict->summary};
    return reports_write(dir, first, &ro, warn, err, errlen);
}
