/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/series.h"

#include <math.h>
#include <stdlib.h>

int series_init(series *s, const results *r)
{
    size_t bins = r->n_bins ? r->n_bins : 1;
    s->r = r;
    s->routed = calloc(bins * (r->n_routers ? r->n_routers : 1), sizeof *s->routed);
    s->requests = calloc(bins * (r->n_targets ? r->n_targets : 1), sizeof *s->requests);
    if (!s->routed || !s->requests) {
        series_free(s);
        return -1;
    }
    for (size_t bin = 0; bin < r->n_bins; bin++)
        for (size_t t = 0; t < r->n_targets; t++)
            s->requests[bin * r->n_targets + t] =
                (results_flow){.bin = (uint32_t)bin, .target = (uint32_t)t};
    for (size_t i = 0; i < r->n_points; i++) {
        const results_point *p = &r->points[i];
        if (p->bin < r->n_bins && p->router < r->n_routers)
            s->routed[p->bin * r->n_routers + p->router] += p->routed;
    }
    for (size_t i = 0; i < r->n_flows; i++) {
        const results_flow *f = &r->flows[i];
        if (f->bin >= r->n_bins || f->target >= r->n_targets)
            continue;
        results_flow *sum = &s->requests[f->bin * r->n_targets + f->target];
        sum->arrivals += f->arrivals;
        for (int k = 0; k < RESULTS_N_REASONS; k++)
            sum->failed[k] += f->failed[k];
    }
    return 0;
}

void series_free(series *s)
{
    free(s->routed);
    free(s->requests);
    s->routed = NULL;
    s->requests = NULL;
}

double series_bin_start(const results *r, size_t bin)
{
    return fmin((double)bin * r->window_s, r->duration_s);
}

double series_bin_end(const results *r, size_t bin)
{
    return bin + 1 >= r->n_bins ? r->duration_s
                                : fmin((double)(bin + 1) * r->window_s, r->duration_s);
}

uint64_t series_routed(const series *s, size_t bin, size_t router)
{
    return s->routed[bin * s->r->n_routers + router];
}

double series_observed_share(const series *s, const results_point *p)
{
    uint64_t total = series_routed(s, p->bin, p->router);
    return total ? (double)p->routed / (double)total : NAN;
}

const results_flow *series_requests(const series *s, size_t bin, size_t target)
{
    return &s->requests[bin * s->r->n_targets + target];
}

uint64_t series_flow_failed(const results_flow *f)
{
    uint64_t failed = 0;
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        failed += f->failed[k];
    return failed;
}

uint64_t series_flow_routed(const results_flow *f)
{
    uint64_t failed = series_flow_failed(f);
    return f->arrivals > failed ? f->arrivals - failed : 0;
}
