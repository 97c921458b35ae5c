/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_json.h"

#include "reports/srm_report.h"
#include "sim/base/serving.h"
#include "views/text.h"
#include "views/verdicts.h"

#include <inttypes.h>
#include <math.h>

void report_json_string(FILE *out, const char *s)
{
    putc_unlocked('"', out);
    for (const char *p = s ? s : ""; *p;) {
        unsigned char c = (unsigned char)*p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') { /* as it is: most of every name */
            putc_unlocked(*p++, out);
            continue;
        }
        uint32_t cp;
        size_t len = text_utf8_next(p, &cp);
        if (len == 0)
            text_put(out, "\\ufffd"); /* not UTF-8: JSON cannot carry it */
        else if (cp == '"' || cp == '\\')
            fprintf(out, "\\%c", (char)cp);
        else if (cp == '\n')
            text_put(out, "\\n");
        else if (cp == '\t')
            text_put(out, "\\t");
        else if (cp < 0x20)
            fprintf(out, "\\u%04x", (unsigned)cp);
        else
            fwrite(p, 1, len, out);
        p += len ? len : 1;
    }
    putc_unlocked('"', out);
}

static void write_requests(FILE *out, const results *r)
{
    fprintf(out,
            "  \"requests\": {\"total\": %" PRIu64 ", \"routed\": %" PRIu64 ", \"failed\": %" PRIu64
            ",\n               \"failed_by_reason\": {",
            r->total, r->routed, r->failed);
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", results_reason_name(k),
                r->failed_by_reason[k]);
    fprintf(out, "},\n               \"unserved\": %" PRIu64 ", \"unserved_by_reason\": {",
            r->unserved);
    for (int k = 0; k < RESULTS_N_UNSERVED; k++)
        fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", results_unserved_name(k),
                r->unserved_by_reason[k]);
    fputs("}},\n", out);
}

/* A distribution of durations as an object: count, mean and quantiles in seconds. */
static void write_quantiles(FILE *out, const char *name, const results_quantiles *q)
{
    fprintf(out,
            ", \"%s\": {\"count\": %" PRIu64 ", \"mean_s\": %.10g, \"p50_s\": %.10g"
            ", \"p90_s\": %.10g, \"p95_s\": %.10g, \"p99_s\": %.10g, \"p999_s\": %.10g}",
            name, q->count, q->mean_s, q->p50_s, q->p90_s, q->p95_s, q->p99_s, q->p999_s);
}

/* A deployment's serving measurements over an interval (results_load), as the members of an
 * object. */
static void write_load(FILE *out, const results_load *l)
{
    fprintf(out,
            "\"arrived\": %" PRIu64 ", \"started\": %" PRIu64 ", \"completed\": %" PRIu64
            ", \"rejected\": %" PRIu64 ", \"timed_out\": %" PRIu64 ", \"waited\": %" PRIu64
            ", \"unfinished\": %" PRIu64 ", \"utilization\": %.10g, \"mean_waiting\": %.10g",
            l->arrived, l->started, l->completed, l->rejected, l->timed_out, l->waited,
            l->unfinished, l->utilization, l->mean_waiting);
    if (l->max_waiting < 0)
        fputs(", \"max_waiting\": null", out); /* not measured over a phase */
    else
        fprintf(out, ", \"max_waiting\": %lld", l->max_waiting);
    fprintf(out,
            ", \"mean_wait_s\": %.10g, \"mean_latency_s\": %.10g, \"p50_s\": %.10g"
            ", \"p90_s\": %.10g, \"p99_s\": %.10g, \"throughput_per_s\": %.10g",
            l->mean_wait_s, l->mean_latency_s, l->p50_s, l->p90_s, l->p99_s, l->throughput_per_s);
    write_quantiles(out, "latency", &l->latency);
    write_quantiles(out, "wait", &l->wait);
    write_quantiles(out, "caller", &l->caller);
    /* Tokens: measured for requests that carry sizes (batching deployments, and TTFT of
     * queue deployments). */
    write_quantiles(out, "ttft", &l->ttft);
    write_quantiles(out, "tpot", &l->tpot);
    fprintf(out,
            ", \"prompt_tokens\": %" PRIu64 ", \"output_tokens\": %" PRIu64
            ", \"prompt_tokens_per_s\": %.10g, \"output_tokens_per_s\": %.10g"
            ", \"iterations\": %" PRIu64 ", \"mean_batch_size\": %.10g"
            ", \"mean_kv_occupancy\": %.10g",
            l->prompt_tokens, l->output_tokens, l->prompt_tokens_per_s, l->output_tokens_per_s,
            l->iterations, l->mean_batch, l->mean_kv);
    if (l->max_kv < 0)
        fputs(", \"max_kv_occupancy\": null", out); /* not measured over a phase */
    else
        fprintf(out, ", \"max_kv_occupancy\": %.10g", l->max_kv);
}

/* A number, or null when there is none (NaN). */
static void number(FILE *out, double x)
{
    if (isnan(x))
        fputs("null", out);
    else
        fprintf(out, "%.10g", x);
}

static void write_phase(FILE *out, const results *r, const results_phase *ph,
                        const srm_report_plans *plans)
{
    fputs("    {\"router\": ", out);
    report_json_string(out, ph->router);
    char start[32], end[32];
    text_exact(start, sizeof start, ph->start_s);
    text_exact(end, sizeof end, ph->end_s);
    text_put(out, ", \"start_s\": ");
    text_put(out, start);
    text_put(out, ", \"end_s\": ");
    text_put(out, end);
    text_put(out, ",\n     \"requests\": ");
    text_put_u64(out, ph->requests);
    text_put(out, ",\n");
    fputs("     \"deployments\": [", out);
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? (double)d->observed / (double)ph->requests : 0.0;
        text_put(out, i ? ",\n       {\"name\": " : "\n       {\"name\": ");
        report_json_string(out, d->name);
        text_put(out, ", \"replicas\": ");
        text_put_i64(out, d->replicas);
        text_put(out, ", \"expected_share\": ");
        text_put_g(out, d->expected_share, 10);
        text_put(out, ", \"observed\": ");
        text_put_u64(out, d->observed);
        text_put(out, ", \"observed_share\": ");
        text_put_g(out, observed, 10);
        text_put(out, ", \"wanted_replicas\": ");
        text_put_i64(out, d->wanted_replicas);
        text_put(out, ", \"intended_share\": ");
        text_put_g(out, d->intended_share, 10);
        if (d->load) {
            fputs(", \"load\": {", out);
            write_load(out, d->load);
            fputs("}", out);
        }
        putc_unlocked('}', out);
    }
    /* once per phase, a thousand at fleet scale: pieces, not fprintf */
    text_put(out, "],\n     \"chi2\": ");
    text_put_g(out, ph->test.chi2, 10);
    text_put(out, ", \"df\": ");
    text_put_i64(out, ph->test.df);
    text_put(out, ", \"p_value\": ");
    text_put_g(out, ph->test.p_value, 10);
    text_put(out, ", \"verdict\": \"");
    text_put(out, splittest_verdict_name(results_phase_verdict(ph)));
    text_put(out, "\", \"test_verdict\": \"");
    text_put(out, splittest_verdict_name(ph->test.verdict));
    putc_unlocked('"', out);
    char message[512];
    /* the test's own reason, or why Holm's correction changed its verdict */
    int holm_changed = ph->corrected && ph->holm_verdict != ph->test.verdict;
    verdicts_phase_message(message, sizeof message, r, ph);
    if (ph->test.reason[0] || holm_changed) {
        fputs(", \"reason\": ", out);
        report_json_string(out, holm_changed ? message : ph->test.reason);
    }
    srm_report_run_phase_json(out, r, ph, plans);
    srm_report_run_sequential_json(out, ph);
    const results_check *failed;
    verdicts_capacity cap = verdicts_phase_capacity(r, ph, &failed);
    static const char *const capacity[] = {"none", "pass", "too_few_requests", "fail"};
    text_put(out, ",\n     \"capacity\": \"");
    text_put(out, capacity[cap]);
    putc_unlocked('"', out);
    if (failed) {
        fputs(", \"capacity_failed\": ", out);
        report_json_string(out, failed->name);
    }
    fputs("}", out);
}

static void write_check(FILE *out, const results_check *c)
{
    static const char *const kinds[] = {"expect", "max_failed_requests", "max_unserved_requests",
                                        "capacity"};
    fputs("\n    {\"name\": ", out);
    report_json_string(out, c->name);
    fprintf(out, ", \"passed\": %s, \"status\": \"%s\", \"kind\": \"%s\", \"key\": ",
            c->passed ? "true" : "false", verdicts_check_status_name(c->status), kinds[c->kind]);
    report_json_string(out, c->key);
    fputs(",\n     \"value\": ", out);
    number(out, c->value);
    fputs(", \"limit\": ", out);
    number(out, c->limit);
    fputs(", \"margin\": ", out);
    number(out, c->margin);
    fprintf(out,
            ", \"unit\": \"%s\", \"start_s\": %.10g, \"end_s\": %.10g, \"deployment\": ", c->unit,
            c->start_s, c->end_s);
    if (c->deployment)
        report_json_string(out, c->deployment);
    else
        fputs("null", out);
    if (c->kind == RESULTS_CHECK_CAPACITY) {
        fputs(",\n     \"covers\": ", out);
        if (c->covers)
            report_json_string(out, c->covers);
        else
            fputs("null", out);
        fprintf(out,
                ", \"from_s\": %.10g, \"to_s\": %.10g, \"over\": \"%s\", \"min_requests\": %" PRIu64
                ", \"judged\": %zu, \"too_few\": %zu, \"breaches\": %zu",
                c->from_s, c->to_s, c->over_interval ? "interval" : "window", c->min_requests,
                c->judged, c->too_few, c->n_breaches);
    }
    fputs(",\n     \"detail\": ", out);
    report_json_string(out, c->detail);
    fputs("}", out);
}

static void write_checks(FILE *out, const results *r)
{
    fputs("  \"checks\": [", out);
    for (size_t i = 0; i < r->n_checks; i++) {
        fputs(i ? "," : "", out);
        write_check(out, &r->checks[i]);
    }
    fputs(r->n_checks ? "\n  ],\n" : "],\n", out);
}

static void write_events(FILE *out, const results *r)
{
    fputs("  \"events\": [", out);
    for (size_t i = 0; i < r->n_events; i++) {
        char at[32];
        text_exact(at, sizeof at, r->events[i].at_s);
        fprintf(out, "%s{\"at_s\": %s, \"command\": ", i ? ",\n    " : "\n    ", at);
        report_json_string(out, r->events[i].text);
        fputs("}", out);
    }
    fputs(r->n_events ? "\n  ],\n" : "],\n", out);
}

static void write_bin(FILE *out, const results *r, size_t bin)
{
    text_put(out, "{\"bin\": ");
    text_put_u64(out, bin);
    text_put(out, ", \"start_s\": ");
    text_put_g(out, series_bin_start(r, bin), 10);
    text_put(out, ", \"end_s\": ");
    text_put_g(out, series_bin_end(r, bin), 10);
    text_put(out, ", ");
}

/* timeseries.split: the rows of timeseries.csv; timeseries.requests: those of requests.csv. */
static void write_split_series(FILE *out, const series *s)
{
    const results *r = s->r;
    size_t n = series_split_count(s);
    fputs("    \"split\": [", out);
    for (size_t i = 0; i < n; i++) {
        series_split_row row = series_split_at(s, i);
        const series_split_row *p = &row;
        double observed = series_row_share(s, p);
        text_put(out, i ? ",\n      " : "\n      ");
        write_bin(out, r, p->bin);
        text_put(out, "\"router\": ");
        report_json_string(out, r->routers[p->router]);
        text_put(out, ", \"deployment\": ");
        report_json_string(out, p->deployment < 0 ? SERIES_OTHER : r->deployments[p->deployment]);
        if (p->deployment < 0) {
            text_put(out, ", \"other_deployments\": ");
            text_put_u64(out, p->grouped);
        }
        text_put(out, ", \"routed\": ");
        text_put_u64(out, p->routed);
        text_put(out, ", \"router_routed\": ");
        text_put_u64(out, series_routed(s, p->bin, p->router));
        text_put(out, ", \"observed_share\": ");
        if (isnan(observed))
            text_put(out, "null");
        else
            text_put_g(out, observed, 10);
        text_put(out, ", \"expected_share\": ");
        text_put_g(out, p->expected_share, 10);
        text_put(out, ", \"replicas\": ");
        text_put_i64(out, p->replicas);
        putc_unlocked('}', out);
    }
    fputs(n ? "\n    ],\n" : "],\n", out);
}

static void write_request_series(FILE *out, const series *s)
{
    const results *r = s->r;
    size_t n = 0;
    fputs("    \"requests\": [", out);
    for (size_t bin = 0; bin < r->n_bins; bin++)
        for (size_t c = 0; c < s->n_callers; c++, n++) {
            long t;
            const results_flow row = series_caller_row(s, bin, c, &t), *f = &row;
            text_put(out, n ? ",\n      " : "\n      ");
            write_bin(out, r, bin);
            text_put(out, "\"router\": ");
            report_json_string(out, t < 0 ? SERIES_OTHER : r->targets[t]);
            if (t < 0) {
                text_put(out, ", \"other_routers\": ");
                text_put_u64(out, s->grouped_targets);
            }
            text_put(out, ", \"arrivals\": ");
            text_put_u64(out, f->arrivals);
            text_put(out, ", \"routed\": ");
            text_put_u64(out, series_flow_routed(f));
            text_put(out, ", \"failed\": ");
            text_put_u64(out, series_flow_failed(f));
            text_put(out, ", \"failed_by_reason\": {");
            for (int k = 0; k < RESULTS_N_REASONS; k++) {
                text_put(out, k ? ", \"" : "\"");
                text_put(out, results_reason_name(k));
                text_put(out, "\": ");
                text_put_u64(out, f->failed[k]);
            }
            text_put(out, "}}");
        }
    fputs(n ? "\n    ]" : "]", out);
}

/* timeseries.unserved: per bin, the routed requests not served over every deployment with a
 * serving model (requests.csv's window columns, one row a bin). */
static void write_unserved_series(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs(",\n    \"unserved\": [", out);
    for (size_t bin = 0; bin < r->n_bins; bin++) {
        uint64_t by_reason[RESULTS_N_UNSERVED], sum = 0;
        for (int k = 0; k < RESULTS_N_UNSERVED; k++)
            sum += by_reason[k] = series_unserved(s, bin, k);
        text_put(out, bin ? ",\n      " : "\n      ");
        write_bin(out, r, bin);
        text_put(out, "\"unserved\": ");
        text_put_u64(out, sum);
        text_put(out, ", \"unserved_by_reason\": {");
        for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
            text_put(out, k ? ", \"" : "\"");
            text_put(out, results_unserved_name(k));
            text_put(out, "\": ");
            text_put_u64(out, by_reason[k]);
        }
        text_put(out, "}}");
    }
    fputs(r->n_bins ? "\n    ]" : "]", out);
}

/* timeseries.load: each deployment with a serving model, per bin. */
static void write_load_series(FILE *out, const results *r)
{
    fputs(",\n    \"load\": [", out);
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        fputs(i ? ",\n      " : "\n      ", out);
        write_bin(out, r, p->bin);
        fputs("\"deployment\": ", out);
        report_json_string(out, r->deployments[p->deployment]);
        fprintf(out, ", \"replicas\": %lld, \"ready\": %lld, ", p->replicas, p->ready);
        write_load(out, &p->load);
        fputs("}", out);
    }
    fputs(r->n_load_points ? "\n    ]\n" : "]\n", out);
}

static void write_timeseries(FILE *out, const series *s)
{
    fprintf(out, "  \"timeseries\": {\"window_s\": %.10g, \"bins\": %zu,\n", s->r->window_s,
            s->r->n_bins);
    if (s->bounded) /* only then: a report the bound left whole is as it always was */
        fprintf(out,
                "    \"bounded\": {\"routers_shown\": %zu, \"routers\": %zu, "
                "\"top_deployments\": %d, \"top_routers\": %d, \"other_routers\": %zu},\n",
                s->routers_shown < s->routers_in_series ? s->routers_shown : s->routers_in_series,
                s->routers_in_series, SERIES_TOP_DEPLOYMENTS, SERIES_TOP_ROUTERS,
                s->grouped_targets);
    write_split_series(out, s);
    write_request_series(out, s);
    write_unserved_series(out, s);
    write_load_series(out, s->r);
    fputs("  },\n", out);
}

/* loads: each deployment with a serving model, over the whole run. */
static void write_loads(FILE *out, const results *r)
{
    fputs("  \"loads\": [", out);
    for (size_t i = 0; i < r->n_loads; i++) {
        fputs(i ? ",\n    {\"deployment\": " : "\n    {\"deployment\": ", out);
        report_json_string(out, r->deployments[r->loads[i].deployment]);
        fprintf(out, ", \"model\": \"%s\", \"balancer\": \"%s\", ",
                serving_model_name((serving_model)r->loads[i].model),
                serving_balancer_name((serving_balancer)r->loads[i].balancer));
        write_load(out, &r->loads[i].load);
        fputs("}", out);
    }
    fputs(r->n_loads ? "\n  ],\n" : "],\n", out);
}

/* interval_loads: each capacity check's whole interval, per deployment it covers. */
static void write_interval_loads(FILE *out, const results *r)
{
    fputs("  \"interval_loads\": [", out);
    for (size_t i = 0; i < r->n_interval_loads; i++) {
        const results_interval_load *l = &r->interval_loads[i];
        fprintf(out, "%s{\"check\": %zu, \"deployment\": ", i ? ",\n    " : "\n    ", l->check);
        report_json_string(out, r->deployments[l->deployment]);
        fputs(", ", out);
        write_load(out, &l->load);
        fputs("}", out);
    }
    fputs(r->n_interval_loads ? "\n  ],\n" : "],\n", out);
}

/* The plots drawn, each as its files in the report folder; why none are, when none are. */
static void write_plots(FILE *out, const results *r, const plots_set *plots)
{
    fputs("  \"plots\": [", out);
    for (size_t i = 0; i < plots->n; i++) {
        const plots_plot *p = &plots->plots[i];
        fprintf(out, "%s{\"kind\": \"%s\", ", i ? ",\n    " : "\n    ", plots_kind_name(p->kind));
        if (p->router >= 0) {
            fputs("\"router\": ", out);
            report_json_string(out, r->routers[p->router]);
            fputs(", ", out);
        }
        fputs("\"title\": ", out);
        report_json_string(out, p->title);
        fprintf(out, ", \"png\": \"%s.png\", \"svg\": \"%s.svg\"}", p->stem, p->stem);
    }
    fputs(plots->n ? "\n  ],\n" : "],\n", out);
    const char *note = plots_missing_note(plots);
    if (note) {
        fputs("  \"plots_note\": ", out);
        report_json_string(out, note);
        fputs(",\n", out);
    }
}

/* ---- replications: the aggregate of a replicated run --------------------------------- */

static void write_rate(FILE *out, const replicas_rate *r)
{
    fprintf(out, "\"passes\": %zu, \"n\": %zu, \"rate\": ", r->passes, r->n);
    number(out, r->rate);
    fputs(", \"lower\": ", out);
    number(out, r->lower);
    fputs(", \"upper\": ", out);
    number(out, r->upper);
}

static void write_stats(FILE *out, const replicas_stats *st)
{
    const struct {
        const char *name;
        double value;
    } fields[] = {{"mean", st->mean},   {"sd", st->sd},   {"lower", st->lower},
                  {"upper", st->upper}, {"min", st->min}, {"max", st->max}};
    fprintf(out, "\"n\": %zu", st->n);
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        fprintf(out, ", \"%s\": ", fields[i].name);
        number(out, fields[i].value);
    }
}

/* A string, or null. */
static void string_or_null(FILE *out, const char *s)
{
    if (s)
        report_json_string(out, s);
    else
        fputs("null", out);
}

static void write_replicated_checks(FILE *out, const replicas_summary *rs)
{
    fputs("    \"checks\": [", out);
    for (size_t i = 0; i < rs->n_checks; i++) {
        const replicas_check *c = &rs->checks[i];
        fputs(i ? ",\n      {\"name\": " : "\n      {\"name\": ", out);
        report_json_string(out, c->name);
        fputs(", \"key\": ", out);
        report_json_string(out, c->key);
        fprintf(out, ", \"unit\": \"%s\", ", c->unit);
        write_rate(out, &c->rate);
        fprintf(out, ", \"too_few\": %zu,\n       \"value\": {", c->too_few);
        write_stats(out, &c->value);
        fputs("}}", out);
    }
    fputs(rs->n_checks ? "\n    ],\n" : "],\n", out);
}

static void write_replicated_phases(FILE *out, const replicas_summary *rs)
{
    fputs("    \"phases\": [", out);
    for (size_t i = 0; i < rs->n_phases; i++) {
        const replicas_phase *ph = &rs->phases[i];
        char start[32], end[32];
        text_exact(start, sizeof start, ph->start_s);
        text_exact(end, sizeof end, ph->end_s);
        fputs(i ? ",\n      {\"router\": " : "\n      {\"router\": ", out);
        report_json_string(out, ph->router);
        fprintf(out, ", \"start_s\": %s, \"end_s\": %s, \"deployments\": ", start, end);
        report_json_string(out, ph->deployments);
        fputs(", ", out);
        write_rate(out, &ph->rate);
        fprintf(out, ", \"skipped\": %zu}", ph->skipped);
    }
    fputs(rs->n_phases ? "\n    ],\n" : "],\n", out);
}

static void write_replicated_metrics(FILE *out, const replicas_summary *rs)
{
    fputs("    \"metrics\": [", out);
    for (size_t i = 0; i < rs->n_metrics; i++) {
        const replicas_metric *m = &rs->metrics[i];
        fprintf(out, "%s{\"kind\": \"%s\", \"name\": ", i ? ",\n      " : "\n      ",
                replicas_metric_kind_name(m->kind));
        report_json_string(out, m->name);
        fputs(", \"router\": ", out);
        string_or_null(out, m->router);
        fputs(", \"phase_start_s\": ", out);
        if (isnan(m->phase_start_s)) {
            fputs("null", out);
        } else {
            char start[32];
            text_exact(start, sizeof start, m->phase_start_s);
            fputs(start, out);
        }
        fputs(", \"phase_deployments\": ", out);
        string_or_null(out, m->phase_deployments);
        fputs(", \"deployment\": ", out);
        string_or_null(out, m->deployment);
        fputs(", \"statistic\": ", out);
        string_or_null(out, m->statistic);
        fprintf(out, ", \"unit\": \"%s\",\n       ", m->unit);
        write_stats(out, &m->stats);
        fputs("}", out);
    }
    fputs(rs->n_metrics ? "\n    ],\n" : "],\n", out);
}

static void write_band_values(FILE *out, const char *name, const double *v, size_t n)
{
    fprintf(out, ", \"%s\": [", name);
    for (size_t k = 0; k < n; k++) {
        fputs(k ? ", " : "", out);
        number(out, v[k]);
    }
    fputs("]", out);
}

static void write_replicated_bands(FILE *out, const replicas_summary *rs)
{
    fputs("    \"bands\": [", out);
    for (size_t i = 0; i < rs->n_bands; i++) {
        const replicas_band *b = &rs->bands[i];
        fprintf(out, "%s{\"kind\": \"%s\", \"router\": ", i ? ",\n      " : "\n      ",
                replicas_band_kind_name(b->kind));
        string_or_null(out, b->router);
        fputs(", \"deployment\": ", out);
        report_json_string(out, b->deployment);
        fputs(",\n       \"n\": [", out);
        for (size_t k = 0; k < rs->n_bins; k++)
            fprintf(out, "%s%zu", k ? ", " : "", b->n[k]);
        fputs("]", out);
        write_band_values(out, "p05", b->p05, rs->n_bins);
        write_band_values(out, "p50", b->p50, rs->n_bins);
        write_band_values(out, "p95", b->p95, rs->n_bins);
        fputs("}", out);
    }
    fputs(rs->n_bands ? "\n    ],\n" : "],\n", out);
}

static void write_replicated_rows(FILE *out, const replicas_summary *rs)
{
    fputs("    \"rows\": [", out);
    for (size_t i = 0; i < rs->n_replications; i++) {
        const replicas_replication *row = &rs->rows[i];
        fprintf(out,
                "%s{\"index\": %zu, \"seed\": %" PRIu64 ", \"passed\": %s, \"failed_checks\": %zu"
                ", \"failed_phases\": %zu, \"total\": %" PRIu64 ", \"failed\": %" PRIu64
                ", \"unserved\": %" PRIu64 "}",
                i ? ",\n      " : "\n      ", row->index, row->seed, row->passed ? "true" : "false",
                row->failed_checks, row->failed_phases, row->total, row->failed, row->unserved);
    }
    fputs(rs->n_replications ? "\n    ]\n" : "]\n", out);
}

static void write_replications(FILE *out, const replicas_summary *rs)
{
    const replicas_rule *rule = &rs->rule;
    fprintf(out,
            "  \"replications\": {\"requested\": %zu, \"run\": %zu, \"seed_rule\": "
            "\"splitmix64\",\n    \"rule\": {\"kind\": \"%s\", \"pass_rate\": ",
            rs->cap, rs->replications, rule->pass_rate > 0 ? "pass_rate" : "all_pass");
    if (rule->pass_rate > 0)
        fprintf(out, "%.10g", rule->pass_rate);
    else
        fputs("null", out);
    fprintf(out, ", \"confidence\": %.10g, \"sequential\": %s},\n", rule->confidence,
            rule->sequential ? "true" : "false");
    fprintf(out, "    \"verdict\": \"%s\", \"passed\": {", replicas_verdict_name(rs->verdict));
    write_rate(out, &rs->passed);
    fputs("},\n", out);
    write_replicated_checks(out, rs);
    write_replicated_phases(out, rs);
    write_replicated_metrics(out, rs);
    fprintf(out, "    \"window_s\": %.10g, \"bins\": %zu,\n", rs->window_s, rs->n_bins);
    write_replicated_bands(out, rs);
    write_replicated_rows(out, rs);
    fputs("  },\n", out);
}

int report_json_write(FILE *out, const series *s, const plots_set *plots,
                      const replicas_summary *replicated, const srm_report_plans *plans)
{
    const results *r = s->r;
    fprintf(out, "{\n  \"format_version\": %d,\n  \"scenario\": ", REPORT_JSON_FORMAT_VERSION);
    report_json_string(out, r->scenario);
    fputs(", \"description\": ", out);
    report_json_string(out, r->description);
    fputs(", \"source\": ", out);
    report_json_string(out, r->source);
    char duration[32], window[32];
    text_exact(duration, sizeof duration, r->duration_s);
    text_exact(window, sizeof window, r->window_s);
    fprintf(out,
            ",\n  \"seed\": %" PRIu64 ", \"duration_s\": %s, \"window_s\": %s"
            ", \"alpha\": %.10g, \"correction\": \"%s\",\n",
            r->seed, duration, window, r->alpha, r->holm ? "holm" : "none");
    write_requests(out, r);
    srm_report_faults_json(out, r);
    fputs("  \"phases\": [\n", out);
    for (size_t i = 0; i < r->n_phases; i++) {
        write_phase(out, r, &r->phases[i], plans);
        fputs(i + 1 < r->n_phases ? ",\n" : "\n", out);
    }
    fputs("  ],\n", out);
    write_checks(out, r);
    write_events(out, r);
    write_loads(out, r);
    write_interval_loads(out, r);
    write_timeseries(out, s);
    write_plots(out, r, plots);
    int passed = r->passed;
    if (replicated) {
        write_replications(out, replicated);
        passed = replicated->verdict == REPLICAS_PASS;
    }
    fprintf(out, "  \"passed\": %s\n}\n", passed ? "true" : "false");
    return ferror(out) ? -1 : 0;
}
