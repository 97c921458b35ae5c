/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replicas.h"

#include <math.h>
#include <stdio.h>

const char *replicas_verdict_name(replicas_verdict v)
{
    static const char *const names[] = {"undecided", "pass", "fail"};
    return names[v];
}

replicas_verdict replicas_decide(const replicas_rule *rule, size_t passes, size_t n, size_t cap)
{
    (void)rule, (void)passes, (void)n, (void)cap;
    return REPLICAS_UNDECIDED;
}

int replicas_clopper_pearson(size_t passes, size_t n, double confidence, double *lower,
                             double *upper)
{
    (void)passes, (void)n, (void)confidence;
    *lower = *upper = NAN;
    return -1;
}

void replicas_t_interval(double mean, double sd, size_t n, double confidence, double *lower,
                         double *upper)
{
    (void)mean, (void)sd, (void)n, (void)confidence;
    *lower = *upper = NAN;
}

replicas_row *replicas_row_from_results(const results *r)
{
    (void)r;
    return NULL;
}

void replicas_row_free(replicas_row *row)
{
    (void)row;
}

uint64_t replicas_row_seed(const replicas_row *row)
{
    (void)row;
    return 0;
}

int replicas_row_passed(const replicas_row *row)
{
    (void)row;
    return 0;
}

int replicas_row_encode(const replicas_row *row, unsigned char **buf, size_t *len)
{
    (void)row, (void)buf, (void)len;
    return -1;
}

replicas_row *replicas_row_decode(const unsigned char *buf, size_t len, char *err, size_t errlen)
{
    (void)buf, (void)len;
    snprintf(err, errlen, "not implemented yet");
    return NULL;
}

replicas_agg *replicas_new(const replicas_rule *rule, size_t cap)
{
    (void)rule, (void)cap;
    return NULL;
}

void replicas_free(replicas_agg *agg)
{
    (void)agg;
}

int replicas_add(replicas_agg *agg, const replicas_row *row)
{
    (void)agg, (void)row;
    return -1;
}

replicas_verdict replicas_decision(const replicas_agg *agg)
{
    (void)agg;
    return REPLICAS_UNDECIDED;
}

replicas_summary *replicas_summarize(const replicas_agg *agg)
{
    (void)agg;
    return NULL;
}

void replicas_summary_free(replicas_summary *s)
{
    (void)s;
}

const char *replicas_metric_kind_name(replicas_metric_kind kind)
{
    static const char *const names[] = {"requests",       "failed",      "unserved",
                                        "observed_share", "utilization", "latency"};
    return names[kind];
}

const char *replicas_band_kind_name(replicas_band_kind kind)
{
    static const char *const names[] = {"share", "utilization", "p99_latency"};
    return names[kind];
}
