/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/verdicts.h"

#include "views/text.h"

#include <stdio.h>

verdicts verdicts_count(const results *r)
{
    verdicts v = {.phases = r->n_phases, .checks = r->n_checks};
    for (size_t i = 0; i < r->n_phases; i++) {
        v.phases_failed += r->phases[i].test.verdict == SPLITTEST_FAIL;
        v.phases_skipped += r->phases[i].test.verdict == SPLITTEST_SKIPPED;
    }
    for (size_t i = 0; i < r->n_checks; i++)
        v.checks_failed += !r->checks[i].passed;
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

void verdicts_phase_message(char *buf, size_t size, const results_phase *ph, double alpha)
{
    const splittest_result *t = &ph->test;
    if (t->reason[0])
        snprintf(buf, size, "%s%s", t->verdict == SPLITTEST_SKIPPED ? "not tested: " : "",
                 t->reason);
    else if (t->verdict == SPLITTEST_FAIL)
        snprintf(buf, size,
                 "the observed split does not follow the replica shares: chi2 = %.4g with "
                 "%d degrees of freedom, p = %.3g < alpha = %g",
                 t->chi2, t->df, t->p_value, alpha);
    else
        buf[0] = '\0';
}

void verdicts_headline(char *buf, size_t size, const results *r)
{
    verdicts v = verdicts_count(r);
    int used = snprintf(buf, size, "%s: %zu of %zu phase tests failed",
                        r->passed ? "PASSED" : "FAILED", v.phases_failed, v.phases);
    if (used >= 0 && (size_t)used < size && v.phases_skipped)
        used += snprintf(buf + used, size - (size_t)used, " (%zu skipped)", v.phases_skipped);
    if (used >= 0 && (size_t)used < size)
        snprintf(buf + used, size - (size_t)used, ", %zu of %zu checks failed", v.checks_failed,
                 v.checks);
}
