/* SPDX-License-Identifier: GPL-3.0-or-later */
/* realpath: XSI, which _POSIX_C_SOURCE alone leaves out. */
#define _DEFAULT_SOURCE
#include "reports/plan_report.h"

#include "plots/planplot.h"
#include "reports/report_json.h"
#include "sim/load/scenario_load.h"
#include "sim/load/yemit.h"
#include "views/outfile.h"
#include "views/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- shared wording ---------------------------------------------------------------------- */

/* "chat=12 search=3", with " x1.2 traffic" for a headroom run */
static void counts_text(char *buf, size_t size, const capplan *p, const capplan_candidate *c)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t d = 0; d < p->n_deployments && used < size; d++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s=%lld", d ? " " : "",
                                 p->deployments[d].id, c->counts[d]);
    if (c->traffic_scale != 1 && used < size)
        snprintf(buf + used, size - used, " x%.4g traffic", c->traffic_scale);
}

/* The figures of the first planned deployment in a candidate (the plot's and the tables'). */
static const planeval_deployment *first_of(const capplan *p, const capplan_candidate *c)
{
    return planeval_deployment_of(c->result, p->deployments[0].name);
}

static double total_count(const capplan *p, const capplan_candidate *c)
{
    double n = 0;
    for (size_t d = 0; d < p->n_deployments; d++)
        n += (double)c->counts[d];
    return n;
}

/* ---- plan.json ---------------------------------------------------------------------------- */

static void num(FILE *out, double x)
{
    if (isfinite(x))
        fprintf(out, "%.10g", x);
    else
        fputs("null", out);
}

static void rate_json(FILE *out, const replicas_rate *r)
{
    fprintf(out, "{\"passes\": %zu, \"n\": %zu, \"rate\": ", r->passes, r->n);
    num(out, r->rate);
    fputs(", \"lower\": ", out);
    num(out, r->lower);
    fputs(", \"upper\": ", out);
    num(out, r->upper);
    fputs("}", out);
}

static void str_or_null(FILE *out, const char *s)
{
    if (s)
        report_json_string(out, s);
    else
        fputs("null", out);
}

static void candidate_json(FILE *out, const capplan *p, const capplan_candidate *c)
{
    const planeval_result *r = c->result;
    fputs("{\"counts\": {", out);
    for (size_t d = 0; d < p->n_deployments; d++) {
        fputs(d ? ", " : "", out);
        report_json_string(out, p->deployments[d].id);
        fprintf(out, ": %lld", c->counts[d]);
    }
    fputs("}, \"traffic_scale\": ", out);
    num(out, c->traffic_scale);
    fprintf(out, ", \"verdict\": \"%s\", \"replications\": %zu, \"pass_rate\": ",
            replicas_verdict_name(r->verdict), r->replications);
    rate_json(out, &r->passed);
    fputs(", \"deciding_check\": ", out);
    if (r->check) {
        fputs("{\"name\": ", out);
        report_json_string(out, r->check);
        fputs(", \"key\": ", out);
        str_or_null(out, r->check_key);
        fputs(", \"deployment\": ", out);
        str_or_null(out, r->check_deployment);
        fputs(", \"window_start_s\": ", out);
        num(out, r->check_start_s);
        fputs(", \"window_end_s\": ", out);
        num(out, r->check_end_s);
        fputs(", \"value_mean\": ", out);
        num(out, r->check_value);
        fputs(", \"limit\": ", out);
        num(out, r->check_limit);
        fputs(", \"pass_rate\": ", out);
        rate_json(out, &r->check_rate);
        fputs("}", out);
    } else {
        fputs("null", out);
    }
    fputs(", \"deployments\": [", out);
    for (size_t d = 0; d < r->n_deployments; d++) {
        const planeval_deployment *pd = &r->deployments[d];
        fputs(d ? ", " : "", out);
        fputs("{\"name\": ", out);
        report_json_string(out, pd->name);
        fputs(", \"utilization_mean\": ", out);
        num(out, pd->utilization.mean);
        fputs(", \"latency_mean_s\": ", out);
        num(out, pd->mean.mean);
        fputs(", \"latency_p50_s\": ", out);
        num(out, pd->p50.mean);
        fputs(", \"latency_p90_s\": ", out);
        num(out, pd->p90.mean);
        fputs(", \"latency_p99_s\": ", out);
        num(out, pd->p99.mean);
        fputs(", \"replica_hours\": ", out);
        num(out, pd->replica_hours);
        fputs("}", out);
    }
    fputs("]}", out);
}

static int write_json(FILE *out, const capplan *p)
{
    const capplan_options *o = &p->opt;
    fprintf(out, "{\"format_version\": %d,\n \"command\": \"plan capacity\",\n \"scenario\": ",
            PLAN_REPORT_FORMAT_VERSION);
    report_json_string(out, o->path);
    fprintf(out, ",\n \"seed\": %" PRIu64 ", \"pass_rate\": ", o->eval.seed);
    num(out, o->eval.pass_rate);
    fputs(", \"confidence\": ", out);
    num(out, o->eval.confidence);
    fprintf(out, ", \"max_replications\": %zu, \"max_replicas\": %lld,\n \"found\": %s,\n",
            o->eval.max_replications, o->max_replicas,
            p->outcome == CAPPLAN_FOUND ? "true" : "false");
    fputs(" \"reason\": ", out);
    str_or_null(out, p->outcome == CAPPLAN_NONE ? p->reason : NULL);
    fputs(",\n \"deployments\": [", out);
    for (size_t d = 0; d < p->n_deployments; d++) {
        const capplan_deployment *cd = &p->deployments[d];
        fputs(d ? ",\n  " : "\n  ", out);
        fputs("{\"id\": ", out);
        report_json_string(out, cd->id);
        fputs(", \"name\": ", out);
        str_or_null(out, cd->name);
        fprintf(out, ", \"sets\": \"%s\", \"peak_rate\": ",
                cd->scaling == PLANEVAL_FIXED ? "replicas" : "max_replica_count");
        num(out, cd->peak_rate);
        fputs(", \"busy_replicas\": ", out);
        num(out, cd->busy);
        fputs(", \"load_target\": ", out);
        num(out, cd->target);
        fprintf(out,
                ", \"start_load_target\": %lld, \"start_erlang_c\": %lld, \"start\": %lld, "
                "\"planned\": ",
                cd->utilization, cd->erlang, cd->start);
        if (p->outcome == CAPPLAN_FOUND)
            fprintf(out, "%lld}", cd->planned);
        else
            fputs("null}", out);
    }
    fputs("],\n \"candidates\": [", out);
    for (size_t i = 0; i < p->n_candidates; i++) {
        fputs(i ? ",\n  " : "\n  ", out);
        candidate_json(out, p, &p->candidates[i]);
    }
    fprintf(out, "],\n \"answer\": ");
    if (p->answer >= 0)
        fprintf(out, "%ld", p->answer);
    else
        fputs("null", out);
    fputs(",\n \"replica_hours\": ", out);
    num(out, p->outcome == CAPPLAN_FOUND ? p->replica_hours : NAN);
    fputs(",\n \"headroom\": ", out);
    num(out, p->headroom);
    fputs(", \"headroom_fail\": ", out);
    num(out, p->headroom_fail);
    fputs(",\n \"slo_s\": ", out);
    num(out, p->slo_s);
    fputs("}\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- plan.md and plan.html ------------------------------------------------------------- */

typedef struct {
    char counts[512], verdict[16], rate[64], check[512], window[96], util[32], p50[32], p99[32];
} row_text;

static void row_of(row_text *t, const capplan *p, const capplan_candidate *c)
{
    const planeval_result *r = c->result;
    counts_text(t->counts, sizeof t->counts, p, c);
    snprintf(t->verdict, sizeof t->verdict, "%s", replicas_verdict_name(r->verdict));
    snprintf(t->rate, sizeof t->rate, "%zu/%zu = %.3f [%.3f, %.3f]", r->passed.passes, r->passed.n,
             r->passed.rate, r->passed.lower, r->passed.upper);
    snprintf(t->check, sizeof t->check, "%s", r->check ? r->check : "none");
    char a[32] = "", b[32] = "";
    if (r->check) {
        text_duration(a, sizeof a, r->check_start_s);
        text_duration(b, sizeof b, r->check_end_s);
    }
    snprintf(t->window, sizeof t->window, "%s%s%s", a, r->check ? " to " : "", b);
    const planeval_deployment *d = first_of(p, c);
    snprintf(t->util, sizeof t->util, "%.1f %%", d ? d->utilization.mean * 100 : NAN);
    text_latency(t->p50, sizeof t->p50, d ? d->p50.mean : NAN);
    text_latency(t->p99, sizeof t->p99, d ? d->p99.mean : NAN);
}

static void headline(char *buf, size_t size, const capplan *p)
{
    if (p->outcome != CAPPLAN_FOUND) {
        snprintf(buf, size, "No plan within the bounds: %s", p->reason);
        return;
    }
    char counts[512];
    counts_text(counts, sizeof counts, p, &p->candidates[p->answer]);
    const planeval_result *r = p->candidates[p->answer].result;
    char head[128];
    if (p->replayed)
        snprintf(head, sizeof head, "not measured (a replayed trace cannot be scaled)");
    else if (isnan(p->headroom_fail))
        snprintf(head, sizeof head, "passes at every multiplier tried, up to x%.3g", p->headroom);
    else
        snprintf(head, sizeof head, "passes up to x%.3g traffic (not shown at x%.3g)", p->headroom,
                 p->headroom_fail);
    snprintf(buf, size,
             "Plan: %s. Pass rate %.3f [%.3f, %.3f] over %zu replications (required %g at "
             "confidence %g); %.4g replica-hours over the run; headroom: %s.",
             counts, r->passed.rate, r->passed.lower, r->passed.upper, r->replications,
             p->opt.eval.pass_rate, p->opt.eval.confidence, p->replica_hours, head);
}

static void analytic_text(char *buf, size_t size, const capplan_deployment *d)
{
    char erlang[32] = "n/a";
    if (d->erlang)
        snprintf(erlang, sizeof erlang, "%lld", d->erlang);
    snprintf(buf, size,
             "%s: peak %.4g requests/s x %.4g s mean service / concurrency %lld = %.4g busy "
             "replicas; at load target %.2g: %lld; Erlang C (wait limits, exponential "
             "service): %s; search starts at %lld",
             d->id, d->peak_rate, d->spec.mean_s, d->spec.concurrency, d->busy, d->target,
             d->utilization, erlang, d->start);
}

static int write_md(FILE *out, const capplan *p)
{
    char line[2048];
    fputs("# Capacity plan: ", out);
    text_md(out, p->opt.path, 0);
    fputs("\n\n", out);
    headline(line, sizeof line, p);
    text_md(out, line, 0);
    fputs("\n\n## Analytic start\n\n", out);
    for (size_t d = 0; d < p->n_deployments; d++) {
        analytic_text(line, sizeof line, &p->deployments[d]);
        fputs("- ", out);
        text_md(out, line, 0);
        fputs("\n", out);
    }
    fprintf(out,
            "\n## Candidates\n\nIn the order run (common random numbers: replication i of "
            "every candidate has the same seed). Utilisation and latency: %s, mean over "
            "the replications.\n\n",
            p->n_deployments ? p->deployments[0].id : "");
    fputs("| Candidate | Verdict | Pass rate [interval] | Deciding check | Window | "
          "Utilisation | p50 | p99 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n",
          out);
    for (size_t i = 0; i < p->n_candidates; i++) {
        row_text t;
        row_of(&t, p, &p->candidates[i]);
        const char *cells[] = {t.counts, t.verdict, t.rate, t.check,
                               t.window, t.util,    t.p50,  t.p99};
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            fputs("| ", out);
            text_md(out, cells[k], 1);
            fputs(k + 1 == sizeof cells / sizeof cells[0] ? " |\n" : " ", out);
        }
    }
    fputs("\n![pass rate and p99 latency against replicas](plan.png)\n", out);
    if (p->outcome == CAPPLAN_FOUND)
        fputs("\n`planned.yaml` is the scenario with these counts; check it with `routersim "
              "run planned.yaml --replications N`.\n",
              out);
    return ferror(out) ? -1 : 0;
}

static int write_html(FILE *out, const capplan *p)
{
    char line[2048];
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Capacity "
          "plan</title>\n<style>body{font-family:sans-serif;max-width:1300px;margin:2em auto}"
          "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 8px}"
          "</style></head><body>\n<h1>Capacity plan: ",
          out);
    text_xml(out, p->opt.path, 0);
    fputs("</h1>\n<p>", out);
    headline(line, sizeof line, p);
    text_xml(out, line, 0);
    fputs("</p>\n<h2>Analytic start</h2>\n<ul>\n", out);
    for (size_t d = 0; d < p->n_deployments; d++) {
        analytic_text(line, sizeof line, &p->deployments[d]);
        fputs("<li>", out);
        text_xml(out, line, 0);
        fputs("</li>\n", out);
    }
    fputs("</ul>\n<h2>Candidates</h2>\n<table>\n<tr><th>Candidate</th><th>Verdict</th>"
          "<th>Pass rate [interval]</th><th>Deciding check</th><th>Window</th>"
          "<th>Utilisation</th><th>p50</th><th>p99</th></tr>\n",
          out);
    for (size_t i = 0; i < p->n_candidates; i++) {
        row_text t;
        row_of(&t, p, &p->candidates[i]);
        const char *cells[] = {t.counts, t.verdict, t.rate, t.check,
                               t.window, t.util,    t.p50,  t.p99};
        fputs("<tr>", out);
        for (size_t k = 0; k < sizeof cells / sizeof cells[0]; k++) {
            fputs("<td>", out);
            text_xml(out, cells[k], 0);
            fputs("</td>", out);
        }
        fputs("</tr>\n", out);
    }
    fputs("</table>\n<p><img src=\"plan.svg\" alt=\"pass rate and p99 latency against "
          "replicas\" width=\"100%\"></p>\n</body></html>\n",
          out);
    return ferror(out) ? -1 : 0;
}

/* ---- planned.yaml -------------------------------------------------------------------- */

static int write_planned(FILE *out, const capplan *p, char *err, size_t errlen)
{
    const char *sets[2 * CAPPLAN_MAX_DEPLOYMENTS + 8];
    char store[2 * CAPPLAN_MAX_DEPLOYMENTS * 256], rule[3][64];
    int n = capplan_count_sets(p, p->candidates[p->answer].counts, sets, store, err, errlen);
    if (n < 0)
        return -1;
    snprintf(rule[0], sizeof rule[0], "seed=%" PRIu64, p->opt.eval.seed);
    sets[n++] = rule[0];
    snprintf(rule[1], sizeof rule[1], "checks.confidence=%.10g", p->opt.eval.confidence);
    sets[n++] = rule[1];
    if (p->opt.eval.pass_rate > 0) {
        snprintf(rule[2], sizeof rule[2], "checks.pass_rate=%.10g", p->opt.eval.pass_rate);
        sets[n++] = rule[2];
        sets[n++] = "checks.sequential=true";
    }
    /* a replayed trace by its absolute path: planned.yaml lives in another folder */
    char traces[4][4200];
    scenario *sc = p->replayed ? scenario_load(p->opt.path, err, errlen) : NULL;
    if (p->replayed && !sc)
        return -1;
    for (size_t i = 0, k = 0; sc && i < sc->n_traffic && k < 4; i++) {
        char *abs = sc->traffic[i].trace ? realpath(sc->traffic[i].trace, NULL) : NULL;
        if (abs) {
            snprintf(traces[k], sizeof traces[k], "traffic.%zu.trace=\"%s\"", i, abs);
            sets[n++] = traces[k++];
            free(abs);
        }
    }
    scenario_free(sc);
    char *text = yemit_file_set(p->opt.path, sets, (size_t)n, err, errlen);
    if (!text)
        return -1;
    char counts[512];
    counts_text(counts, sizeof counts, p, &p->candidates[p->answer]);
    fprintf(out,
            "# Planned by `routersim plan capacity` from %s: %s.\n"
            "# Check it: routersim run planned.yaml --replications %zu\n",
            p->opt.path, counts, p->opt.eval.max_replications);
    fputs(text, out);
    free(text);
    return ferror(out) ? -1 : 0;
}

/* ---- files -------------------------------------------------------------------------------- */

static int write_file(const char *dir, const char *name, const capplan *p,
                      int (*writer)(FILE *, const capplan *), char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (writer(outfile_stream(f), p) != 0) {
        outfile_abort(f);
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return outfile_commit(f, err, errlen);
}

static int write_plot(const char *dir, const capplan *p, void (*warn)(const char *message),
                      char *err, size_t errlen)
{
    planplot_point *pts = calloc(p->n_candidates + 1, sizeof *pts);
    if (!pts) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    size_t n = 0;
    for (size_t i = 0; i < p->n_candidates; i++) {
        const capplan_candidate *c = &p->candidates[i];
        if (c->traffic_scale != 1)
            continue;
        const planeval_deployment *d = first_of(p, c);
        pts[n++] =
            (planplot_point){total_count(p, c), c->result->passed.rate, c->result->passed.lower,
                             c->result->passed.upper, d ? d->p99.mean : NAN};
    }
    char xlabel[256], title[512];
    snprintf(xlabel, sizeof xlabel, "replicas (%s%s)", p->deployments[0].id,
             p->n_deployments > 1 ? " and the others, summed" : "");
    snprintf(title, sizeof title, "Capacity plan: pass rate and p99 latency against replicas");
    planplot plot = {.title = title,
                     .xlabel = xlabel,
                     .pass_rate = p->opt.eval.pass_rate,
                     .slo_s = p->slo_s,
                     .planned = p->answer >= 0 ? total_count(p, &p->candidates[p->answer]) : NAN,
                     .n = n,
                     .points = pts};
    int rc = planplot_draw(dir, "plan", &plot, warn, err, errlen);
    free(pts);
    return rc < 0 ? -1 : 0;
}

int plan_report_write(const char *dir, const capplan *p, void (*warn)(const char *message),
                      char *err, size_t errlen)
{
    if (write_file(dir, "plan.json", p, write_json, err, errlen) != 0 ||
        write_file(dir, "plan.md", p, write_md, err, errlen) != 0 ||
        write_file(dir, "plan.html", p, write_html, err, errlen) != 0)
        return -1;
    if (p->n_candidates && write_plot(dir, p, warn, err, errlen) != 0)
        return -1;
    if (p->outcome != CAPPLAN_FOUND)
        return 0;
    char path[4096];
    snprintf(path, sizeof path, "%s/planned.yaml", dir);
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (write_planned(outfile_stream(f), p, err, errlen) != 0) {
        outfile_abort(f);
        return -1;
    }
    return outfile_commit(f, err, errlen);
}

void plan_report_print(FILE *out, const capplan *p)
{
    char line[2048];
    for (size_t d = 0; d < p->n_deployments; d++) {
        analytic_text(line, sizeof line, &p->deployments[d]);
        fprintf(out, "Analytic start: %s\n", line);
    }
    if (p->n_candidates)
        fprintf(out, "%-28s %-9s %-32s %-20s %s\n", "Candidate", "Verdict", "Pass rate [interval]",
                "Deciding check", "p99");
    for (size_t i = 0; i < p->n_candidates; i++) {
        row_text t;
        row_of(&t, p, &p->candidates[i]);
        const char *key = p->candidates[i].result->check_key;
        fprintf(out, "%-28s %-9s %-32s %-20s %s\n", t.counts, t.verdict, t.rate,
                key ? key : t.check, t.p99);
    }
    headline(line, sizeof line, p);
    fprintf(out, "%s\n", line);
}
