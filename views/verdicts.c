/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/verdicts.h"

#include "views/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

verdicts verdicts_count(const results *r)
{
    verdicts v = {.phases = r->n_phases, .checks = r->n_checks};
    for (size_t i = 0; i < r->n_phases; i++) {
        splittest_verdict verdict = results_phase_verdict(&r->phases[i]);
        v.phases_failed += verdict == SPLITTEST_FAIL;
        v.phases_skipped += verdict == SPLITTEST_SKIPPED;
    }
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        int failed = c->status == RESULTS_CHECK_FAIL, too_few = c->status == RESULTS_CHECK_TOO_FEW;
        v.checks_failed += failed;
        v.checks_too_few += too_few;
        if (c->kind == RESULTS_CHECK_CAPACITY) {
            v.capacity++;
            v.capacity_failed += failed;
            v.capacity_too_few += too_few;
        }
    }
    return v;
}

void verdicts_interval(char *buf, size_t size, const results_phase *ph)
{
    char start[32], end[32];
    text_duration(start, sizeof start, ph->start_s);
    text_duration(end, sizeof end, ph->end_s);
    snprintf(buf, size, "[%s, %s)", start, end);
}

void verdicts_phase_name(char *buf, size_t size, const results_phase *ph)
{
    char interval[80];
    verdicts_interval(interval, sizeof interval, ph);
    snprintf(buf, size, "split of %s during %s", text_short_name(ph->router), interval);
}

void verdicts_phase_message(char *buf, size_t size, const results *r, const results_phase *ph)
{
    const splittest_result *t = &ph->test;
    splittest_verdict verdict = results_phase_verdict(ph);
    if (ph->corrected && verdict != t->verdict)
        snprintf(buf, size,
                 verdict == SPLITTEST_PASS
                     ? "p = %.3g is below alpha but not below its Holm threshold over %zu "
                       "phase tests"
                     : "p = %.3g is at its Holm threshold over %zu phase tests",
                 t->p_value, r->holm_tests);
    else if (t->reason[0])
        snprintf(buf, size, "%s%s", verdict == SPLITTEST_SKIPPED ? "not tested: " : "", t->reason);
    else if (verdict == SPLITTEST_FAIL)
        snprintf(buf, size,
                 "the observed split does not follow the replica shares: chi2 = %.4g with "
                 "%d degrees of freedom, p = %.3g < alpha = %g",
                 t->chi2, t->df, t->p_value, r->alpha);
    else
        buf[0] = '\0';
}

/* Whether a capacity check covers one of the phase's deployments during the phase. */
static int covers(const results_check *c, const results_phase *ph)
{
    if (c->from_s >= ph->end_s || c->to_s <= ph->start_s)
        return 0;
    for (size_t i = 0; i < ph->n_deployments; i++)
        if (ph->deployments[i].load &&
            (!c->covers || strcmp(text_short_name(ph->deployments[i].name), c->covers) == 0))
            return 1;
    return 0;
}

/* Whether one of the check's breaches is on a deployment of the phase, during it. */
static int broken_in(const results *r, const results_check *c, const results_phase *ph)
{
    for (size_t b = 0; b < c->n_breaches; b++) {
        const results_breach *br = &c->breaches[b];
        if (br->start_s >= ph->end_s || br->end_s <= ph->start_s)
            continue;
        for (size_t i = 0; i < ph->n_deployments; i++)
            if (strcmp(ph->deployments[i].name, r->deployments[br->deployment]) == 0)
                return 1;
    }
    return 0;
}

verdicts_capacity verdicts_phase_capacity(const results *r, const results_phase *ph,
                                          const results_check **failed)
{
    verdicts_capacity v = VERDICTS_CAPACITY_NONE;
    if (failed)
        *failed = NULL;
    for (size_t i = 0; i < r->n_checks; i++) {
        const results_check *c = &r->checks[i];
        if (c->kind != RESULTS_CHECK_CAPACITY || c->over_interval || !covers(c, ph))
            continue;
        verdicts_capacity this = broken_in(r, c, ph)                  ? VERDICTS_CAPACITY_FAIL
                                 : c->status == RESULTS_CHECK_TOO_FEW ? VERDICTS_CAPACITY_TOO_FEW
                                                                      : VERDICTS_CAPACITY_PASS;
        if (this == VERDICTS_CAPACITY_FAIL && failed && !*failed)
            *failed = c;
        if (this > v)
            v = this;
    }
    return v;
}

const char *verdicts_capacity_name(verdicts_capacity v)
{
    static const char *const names[] = {"n/a", "pass", "too few requests", "FAIL"};
    return names[v];
}

const char *verdicts_check_status_name(results_check_status status)
{
    static const char *const names[] = {"pass", "fail", "too_few_requests"};
    return names[status];
}

void verdicts_check_figure(char *buf, size_t size, const results_check *c, double figure)
{
    if (isnan(figure))
        snprintf(buf, size, "n/a");
    else if (!c->unit)
        snprintf(buf, size, "%g", figure);
    else if (strcmp(c->unit, "fraction") == 0)
        snprintf(buf, size, "%.1f%%", 100.0 * figure);
    else if (strcmp(c->unit, "s") == 0)
        text_latency(buf, size, figure);
    else if (strcmp(c->unit, "requests") == 0)
        snprintf(buf, size, "%.0f", figure);
    else if (strcmp(c->unit, "requests/s") == 0)
        text_rate(buf, size, figure);
    else if (strcmp(c->unit, "tokens/s") == 0)
        snprintf(buf, size, "%.*f tokens/s", fabs(figure) < 100 ? 1 : 0, figure);
    else
        snprintf(buf, size, "%.4f", figure);
}

void verdicts_check_window(char *buf, size_t size, const results_check *c)
{
    char start[32], end[32];
    text_duration(start, sizeof start, c->start_s);
    text_duration(end, sizeof end, c->end_s);
    snprintf(buf, size, "[%s, %s)", start, end);
}

const char *verdicts_check_result(const results_check *c)
{
    return c->status == RESULTS_CHECK_PASS   ? "pass"
           : c->status == RESULTS_CHECK_FAIL ? "FAIL"
                                             : "too few requests";
}

/* Some replicas of the phase are still starting. */
static int starting(const results_phase *ph)
{
    for (size_t i = 0; i < ph->n_deployments; i++)
        if (ph->deployments[i].wanted_replicas > ph->deployments[i].replicas)
            return 1;
    return 0;
}

void verdicts_share(char *buf, size_t size, const results_phase *ph, size_t i)
{
    const results_share *d = &ph->deployments[i];
    char ready[80], asked[80] = "";
    text_percent(ready, sizeof ready, d->expected_share);
    /* the same share has the same text: the usual case needs only one */
    int same = d->intended_share == d->expected_share;
    if (!same)
        text_percent(asked, sizeof asked, d->intended_share);
    /* the texts first: starting() looks at every deployment of the phase */
    size_t len = strlen(ready);
    if (!same && strcmp(ready, asked) != 0 && starting(ph))
        snprintf(buf, size, "%s (%s asked)", ready, asked);
    else if (size) { /* once per deployment and report: no snprintf */
        size_t copied = len < size ? len : size - 1;
        memcpy(buf, ready, copied);
        buf[copied] = '\0';
    }
}

void verdicts_replicas(char *buf, size_t size, const results_share *d)
{
    if (d->wanted_replicas > d->replicas)
        snprintf(buf, size, "%lld (%lld asked)", d->replicas, d->wanted_replicas);
    else if (size >= TEXT_NUMBER_MAX)
        text_i64(buf, d->replicas);
    else
        snprintf(buf, size, "%lld", d->replicas);
}

int verdicts_plot_limit(const results_check *c, verdicts_plot plot)
{
    if (c->kind != RESULTS_CHECK_CAPACITY || c->over_interval || !c->key)
        return 0;
    if (plot == VERDICTS_PLOT_UTILIZATION)
        return strcmp(c->key, "max_utilization") == 0;
    if (plot == VERDICTS_PLOT_TOKENS)
        return strcmp(c->key, "min_output_tokens_per_second") == 0;
    const char *figure = plot == VERDICTS_PLOT_TTFT   ? "ttft"
                         : plot == VERDICTS_PLOT_TPOT ? "tpot"
                                                      : "latency";
    char p99[32], p50[32];
    snprintf(p99, sizeof p99, "max_p99_%s", figure);
    snprintf(p50, sizeof p50, "max_p50_%s", figure);
    return strcmp(c->key, p99) == 0 || strcmp(c->key, p50) == 0;
}

void verdicts_headline(char *buf, size_t size, const results *r)
{
    verdicts v = verdicts_count(r);
    size_t other = v.checks - v.capacity, other_failed = v.checks_failed - v.capacity_failed;
    int used = snprintf(buf, size, "%s: %zu of %zu phase tests failed",
                        r->passed ? "PASSED" : "FAILED", v.phases_failed, v.phases);
    if (used >= 0 && (size_t)used < size && v.phases_skipped)
        used += snprintf(buf + used, size - (size_t)used, " (%zu skipped)", v.phases_skipped);
    if (used >= 0 && (size_t)used < size)
        used += snprintf(buf + used, size - (size_t)used, ", %zu of %zu checks failed",
                         other_failed, other);
    if (used >= 0 && (size_t)used < size && v.capacity)
        used += snprintf(buf + used, size - (size_t)used, ", %zu of %zu capacity checks failed",
                         v.capacity_failed, v.capacity);
    if (used >= 0 && (size_t)used < size && v.capacity_too_few)
        snprintf(buf + used, size - (size_t)used, " (%zu with too few requests)",
                 v.capacity_too_few);
}
