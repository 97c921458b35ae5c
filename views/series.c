/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/series.h"

#include "views/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

int series_init(series *s, const results *r)
{
    size_t bins = r->n_bins ? r->n_bins : 1;
    s->r = r;
    s->routed = calloc(bins * (r->n_routers ? r->n_routers : 1), sizeof *s->routed);
    s->requests = calloc(bins * (r->n_targets ? r->n_targets : 1), sizeof *s->requests);
    s->unserved = calloc(bins * RESULTS_N_UNSERVED, sizeof *s->unserved);
    if (!s->routed || !s->requests || !s->unserved) {
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
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        if (p->bin >= r->n_bins)
            continue;
        s->unserved[p->bin * RESULTS_N_UNSERVED + RESULTS_REJECTED] += p->load.rejected;
        s->unserved[p->bin * RESULTS_N_UNSERVED + RESULTS_TIMED_OUT] += p->load.timed_out;
    }
    for (size_t i = 0; r->n_bins && i < r->n_loads; i++)
        s->unserved[(r->n_bins - 1) * RESULTS_N_UNSERVED + RESULTS_UNFINISHED] +=
            r->loads[i].load.unfinished;
    return 0;
}

void series_free(series *s)
{
    free(s->routed);
    free(s->requests);
    free(s->unserved);
    s->routed = NULL;
    s->requests = NULL;
    s->unserved = NULL;
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

uint64_t series_unserved(const series *s, size_t bin, results_unserved reason)
{
    return s->unserved[bin * RESULTS_N_UNSERVED + reason];
}

/* Append text; never past the end of buf (which ends up truncated, still terminated). */
static size_t put(char *buf, size_t size, size_t used, const char *text)
{
    if (used >= size)
        return used;
    int n = snprintf(buf + used, size - used, "%s", text);
    return n < 0 ? size : used + (size_t)n;
}

void series_requests_text(char *buf, size_t size, const results *r, int with_reasons)
{
    static const char *const unserved_words[RESULTS_N_UNSERVED] = {" rejected", " timed out",
                                                                   " unfinished"};
    char count[32];
    size_t used = 0;
    buf[0] = 0;
    text_count(count, sizeof count, r->total);
    used = put(buf, size, put(buf, size, used, count), " arrived, ");
    text_count(count, sizeof count, r->routed);
    used = put(buf, size, put(buf, size, used, count), " routed, ");
    text_count(count, sizeof count, r->failed);
    used = put(buf, size, put(buf, size, used, count), " failed at the router");
    const char *sep = " (";
    for (int k = 0; with_reasons && k < RESULTS_N_REASONS; k++) {
        if (!r->failed_by_reason[k])
            continue;
        text_count(count, sizeof count, r->failed_by_reason[k]);
        used = put(buf, size, put(buf, size, used, sep), results_reason_name(k));
        used = put(buf, size, put(buf, size, used, " "), count);
        sep = ", ";
    }
    if (sep[0] == ',')
        used = put(buf, size, used, ")");
    for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
        if (k == RESULTS_UNFINISHED ? r->unserved_by_reason[k] == 0 : r->n_loads == 0)
            continue;
        text_count(count, sizeof count, r->unserved_by_reason[k]);
        used = put(buf, size, put(buf, size, used, ", "), count);
        used = put(buf, size, used, unserved_words[k]);
    }
}

uint64_t series_flow_routed(const results_flow *f)
{
    uint64_t failed = series_flow_failed(f);
    return f->arrivals > failed ? f->arrivals - failed : 0;
}
