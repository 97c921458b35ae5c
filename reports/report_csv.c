/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_csv.h"

#include "views/text.h"

#include <inttypes.h>
#include <math.h>

static void bin_fields(FILE *out, const results *r, size_t bin)
{
    text_put_u64(out, bin);
    putc_unlocked(',', out);
    text_put_g(out, series_bin_start(r, bin), 10);
    putc_unlocked(',', out);
    text_put_g(out, series_bin_end(r, bin), 10);
    putc_unlocked(',', out);
}

int report_csv_timeseries(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs("bin,start_s,end_s,router,deployment,routed,router_routed,observed_share,"
          "expected_share,replicas\r\n",
          out);
    for (size_t i = 0, n = series_split_count(s); i < n; i++) {
        series_split_row row = series_split_at(s, i);
        const series_split_row *p = &row;
        double observed = series_row_share(s, p);
        bin_fields(out, r, p->bin);
        text_csv(out, r->routers[p->router]);
        putc_unlocked(',', out);
        text_csv(out, p->deployment < 0 ? SERIES_OTHER : r->deployments[p->deployment]);
        putc_unlocked(',', out);
        text_put_u64(out, p->routed);
        putc_unlocked(',', out);
        text_put_u64(out, series_routed(s, p->bin, p->router));
        putc_unlocked(',', out);
        if (!isnan(observed))
            text_put_g(out, observed, 10);
        putc_unlocked(',', out);
        text_put_g(out, p->expected_share, 10);
        putc_unlocked(',', out);
        text_put_i64(out, p->replicas);
        text_put(out, "\r\n");
    }
    return ferror(out) ? -1 : 0;
}

/* The bin's unserved requests (over all deployments), on the bin's first row only; empty on
 * the others, so that a column's sum over the file is the run's total. */
static void unserved_fields(FILE *out, const series *s, size_t bin, int first_row)
{
    uint64_t by_reason[RESULTS_N_UNSERVED], sum = 0;
    for (int k = 0; k < RESULTS_N_UNSERVED; k++)
        sum += by_reason[k] = series_unserved(s, bin, k);
    if (!first_row) {
        for (int k = 0; k <= RESULTS_N_UNSERVED; k++)
            putc_unlocked(',', out);
        return;
    }
    putc_unlocked(',', out);
    text_put_u64(out, sum);
    for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
        putc_unlocked(',', out);
        text_put_u64(out, by_reason[k]);
    }
}

int report_csv_requests(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs("bin,start_s,end_s,router,arrivals,routed,failed", out);
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        fprintf(out, ",failed_%s", results_reason_name(k));
    fputs(",window_unserved", out);
    for (int k = 0; k < RESULTS_N_UNSERVED; k++)
        fprintf(out, ",window_%s", results_unserved_name(k));
    fputs("\r\n", out);
    for (size_t bin = 0; bin < r->n_bins; bin++)
        for (size_t c = 0; c < s->n_callers; c++) {
            long t;
            const results_flow row = series_caller_row(s, bin, c, &t), *f = &row;
            bin_fields(out, r, bin);
            text_csv(out, t < 0 ? SERIES_OTHER : r->targets[t]);
            const uint64_t fields[] = {f->arrivals, series_flow_routed(f), series_flow_failed(f)};
            for (size_t k = 0; k < sizeof fields / sizeof *fields; k++) {
                putc_unlocked(',', out);
                text_put_u64(out, fields[k]);
            }
            for (int k = 0; k < RESULTS_N_REASONS; k++) {
                putc_unlocked(',', out);
                text_put_u64(out, f->failed[k]);
            }
            unserved_fields(out, s, bin, c == 0);
            text_put(out, "\r\n");
        }
    return ferror(out) ? -1 : 0;
}

/* A latency or wait of the load, empty when no request started service. */
static void latency_field(FILE *out, const results_load *l, double seconds)
{
    if (l->started > 0)
        fprintf(out, ",%.10g", seconds);
    else
        fputc(',', out);
}

/* A distribution's count and figures, the figures empty when it has no samples. */
static void quantile_fields(FILE *out, const results_quantiles *q)
{
    const double figures[] = {q->mean_s, q->p50_s, q->p90_s, q->p95_s, q->p99_s, q->p999_s};
    fprintf(out, ",%" PRIu64, q->count);
    for (size_t k = 0; k < sizeof figures / sizeof figures[0]; k++)
        if (q->count)
            fprintf(out, ",%.10g", figures[k]);
        else
            fputc(',', out);
}

int report_csv_load(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs("bin,start_s,end_s,deployment,replicas,ready,arrived,started,completed,rejected,"
          "timed_out,waited,utilization,mean_waiting,max_waiting,mean_wait_s,mean_latency_s,"
          "p50_s,p90_s,p99_s,throughput_per_s,unfinished,p95_s,p999_s,wait_p50_s,wait_p90_s,"
          "wait_p95_s,wait_p99_s,wait_p999_s,caller_count,caller_mean_s,caller_p50_s,"
          "caller_p90_s,caller_p95_s,caller_p99_s,caller_p999_s,ttft_count,ttft_mean_s,"
          "ttft_p50_s,ttft_p90_s,ttft_p95_s,ttft_p99_s,ttft_p999_s,tpot_count,tpot_mean_s,"
          "tpot_p50_s,tpot_p90_s,tpot_p95_s,tpot_p99_s,tpot_p999_s,prompt_tokens,output_tokens,"
          "prompt_tokens_per_s,output_tokens_per_s,iterations,mean_batch_size,"
          "mean_kv_occupancy,max_kv_occupancy\r\n",
          out);
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        const results_load *l = &p->load;
        bin_fields(out, r, p->bin);
        text_csv(out, r->deployments[p->deployment]);
        fprintf(out,
                ",%lld,%lld,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64
                ",%.10g,%.10g,%lld",
                p->replicas, p->ready, l->arrived, l->started, l->completed, l->rejected,
                l->timed_out, l->waited, l->utilization, l->mean_waiting, l->max_waiting);
        latency_field(out, l, l->mean_wait_s);
        latency_field(out, l, l->mean_latency_s);
        latency_field(out, l, l->p50_s);
        latency_field(out, l, l->p90_s);
        latency_field(out, l, l->p99_s);
        fprintf(out, ",%.10g,%" PRIu64, l->throughput_per_s, l->unfinished);
        latency_field(out, l, l->latency.p95_s);
        latency_field(out, l, l->latency.p999_s);
        const double waits[] = {l->wait.p50_s, l->wait.p90_s, l->wait.p95_s, l->wait.p99_s,
                                l->wait.p999_s};
        for (size_t k = 0; k < sizeof waits / sizeof waits[0]; k++)
            latency_field(out, l, waits[k]);
        quantile_fields(out, &l->caller);
        quantile_fields(out, &l->ttft);
        quantile_fields(out, &l->tpot);
        fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%.10g,%.10g,%" PRIu64 ",%.10g,%.10g,%.10g\r\n",
                l->prompt_tokens, l->output_tokens, l->prompt_tokens_per_s, l->output_tokens_per_s,
                l->iterations, l->mean_batch, l->mean_kv, l->max_kv);
    }
    return ferror(out) ? -1 : 0;
}

int report_csv_replications(FILE *out, const replicas_summary *rep)
{
    fputs("index,seed,passed,failed_checks,failed_phases,requests,failed,unserved\r\n", out);
    for (size_t i = 0; i < rep->n_replications; i++) {
        const replicas_replication *row = &rep->rows[i];
        fprintf(out, "%zu,%" PRIu64 ",%d,%zu,%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\r\n",
                row->index, row->seed, row->passed ? 1 : 0, row->failed_checks, row->failed_phases,
                row->total, row->failed, row->unserved);
    }
    return ferror(out) ? -1 : 0;
}
