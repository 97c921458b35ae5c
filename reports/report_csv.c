#include "reports/report_csv.h"

#include "reports/text.h"

#include <inttypes.h>
#include <math.h>

static void bin_fields(FILE *out, const results *r, size_t bin)
{
    fprintf(out, "%zu,%.10g,%.10g,", bin, series_bin_start(r, bin), series_bin_end(r, bin));
}

int report_csv_timeseries(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs("bin,start_s,end_s,router,deployment,routed,router_routed,observed_share,"
          "expected_share,replicas\r\n",
          out);
    for (size_t i = 0; i < r->n_points; i++) {
        const results_point *p = &r->points[i];
        double observed = series_observed_share(s, p);
        bin_fields(out, r, p->bin);
        text_csv(out, r->routers[p->router]);
        fputc(',', out);
        text_csv(out, r->deployments[p->deployment]);
        fprintf(out, ",%" PRIu64 ",%" PRIu64 ",", p->routed, series_routed(s, p->bin, p->router));
        if (!isnan(observed))
            fprintf(out, "%.10g", observed);
        fprintf(out, ",%.10g,%lld\r\n", p->expected_share, p->replicas);
    }
    return ferror(out) ? -1 : 0;
}

int report_csv_requests(FILE *out, const series *s)
{
    const results *r = s->r;
    fputs("bin,start_s,end_s,router,arrivals,routed,failed", out);
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        fprintf(out, ",failed_%s", results_reason_name(k));
    fputs("\r\n", out);
    for (size_t bin = 0; bin < r->n_bins; bin++)
        for (size_t t = 0; t < r->n_targets; t++) {
            const results_flow *f = series_requests(s, bin, t);
            bin_fields(out, r, bin);
            text_csv(out, r->targets[t]);
            fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu64, f->arrivals, series_flow_routed(f),
                    series_flow_failed(f));
            for (int k = 0; k < RESULTS_N_REASONS; k++)
                fprintf(out, ",%" PRIu64, f->failed[k]);
            fputs("\r\n", out);
        }
    return ferror(out) ? -1 : 0;
}
