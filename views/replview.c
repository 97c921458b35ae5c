/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/replview.h"

#include "views/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void replview_rule(char *buf, size_t size, const replicas_summary *rep)
{
    char rate[48], confidence[48];
    text_percent(rate, sizeof rate, rep->rule.pass_rate);
    text_percent(confidence, sizeof confidence, rep->rule.confidence);
    int n = rep->rule.pass_rate > 0
                ? snprintf(buf, size,
                           "pass rate at least %s (the lower end of its %s Clopper-Pearson "
                           "interval must reach it)",
                           rate, confidence)
                : snprintf(buf, size, "every replication must pass");
    if (rep->rule.sequential && n >= 0 && (size_t)n < size)
        snprintf(buf + n, size - (size_t)n, "%s",
                 rep->rule.pass_rate > 0
                     ? "; sequential: decided after each replication with intervals that hold "
                       "at every look at once, up to the cap"
                     : "; sequential: stops at the first failing replication");
}

void replview_verdict(char *buf, size_t size, const replicas_summary *rep)
{
    char rate[48], lower[48];
    text_percent(rate, sizeof rate, rep->rule.pass_rate);
    text_percent(lower, sizeof lower, rep->passed.lower);
    const char *word = rep->verdict == REPLICAS_PASS ? "PASSED" : "FAILED";
    if (rep->verdict == REPLICAS_UNDECIDED)
        snprintf(buf, size,
                 "FAILED: undecided after the cap of %zu replications: the rule could not tell "
                 "whether the pass rate reaches %s; run more replications",
                 rep->replications, rate);
    else if (rep->rule.pass_rate > 0 && rep->rule.sequential)
        snprintf(buf, size, "%s: the pass rate's sequential interval %s %s after %zu replications",
                 word, rep->verdict == REPLICAS_PASS ? "reached" : "fell below", rate,
                 rep->replications);
    else if (rep->rule.pass_rate > 0)
        snprintf(buf, size, "%s: the pass rate's lower bound %s is %s the required %s", word, lower,
                 rep->verdict == REPLICAS_PASS ? "at or above" : "below", rate);
    else if (rep->verdict == REPLICAS_PASS)
        snprintf(buf, size, "PASSED: all %zu replications passed", rep->replications);
    else
        snprintf(buf, size, "FAILED: %zu of %zu replications failed; every one must pass",
                 rep->passed.n - rep->passed.passes, rep->replications);
}

void replview_rate(char *buf, size_t size, const replicas_rate *r)
{
    if (r->n == 0) {
        snprintf(buf, size, "n/a");
        return;
    }
    char rate[48], lower[48], upper[48];
    text_percent(rate, sizeof rate, r->rate);
    text_percent(lower, sizeof lower, r->lower);
    text_percent(upper, sizeof upper, r->upper);
    snprintf(buf, size, "%s [%s, %s]", rate, lower, upper);
}

int replview_holds(const replicas_summary *rep, const replicas_rate *r)
{
    replicas_rule fixed = rep->rule;
    fixed.sequential = 0;
    return r->n == 0 || replicas_decide(&fixed, r->passes, r->n, r->n) == REPLICAS_PASS;
}

void replview_phase_name(char *buf, size_t size, const replicas_phase *ph)
{
    char from[32];
    text_duration(from, sizeof from, ph->start_s);
    snprintf(buf, size, "split of %s from %s", text_short_name(ph->router), from);
}

/* "no_replicas" as "no replicas" */
static void words(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "%s", name ? name : "");
    for (char *p = buf; *p; p++)
        *p = *p == '_' ? ' ' : *p;
}

void replview_metric_name(char *buf, size_t size, const replicas_metric *m)
{
    char what[64], from[32];
    words(what, sizeof what, m->statistic);
    const char *dep = m->deployment ? text_short_name(m->deployment) : "";
    switch (m->kind) {
    case REPLICAS_METRIC_REQUESTS:
        snprintf(buf, size, "%s requests", what);
        break;
    case REPLICAS_METRIC_FAILED:
        snprintf(buf, size, "failed at the router: %s", what);
        break;
    case REPLICAS_METRIC_UNSERVED:
        snprintf(buf, size, "not served: %s", what);
        break;
    case REPLICAS_METRIC_OBSERVED_SHARE:
        text_duration(from, sizeof from, m->phase_start_s);
        snprintf(buf, size, "share of %s (%s from %s)", dep,
                 m->router ? text_short_name(m->router) : "", from);
        break;
    case REPLICAS_METRIC_UTILIZATION:
        snprintf(buf, size, "utilization %s", dep);
        break;
    default:
        snprintf(buf, size, "%s latency %s", what, dep);
        break;
    }
}

/* A count, or a mean of counts to one decimal, with thousands separators: "-1,234.5". */
static void count(char *buf, size_t size, double x)
{
    double tenths = round(fabs(x) * 10.0);
    char whole[32];
    text_count(whole, sizeof whole, (uint64_t)(tenths / 10.0));
    int decimal = (int)fmod(tenths, 10.0);
    const char *sign = x < 0 && tenths > 0 ? "-" : "";
    if (decimal)
        snprintf(buf, size, "%s%s.%d", sign, whole, decimal);
    else
        snprintf(buf, size, "%s%s", sign, whole);
}

void replview_figure(char *buf, size_t size, const char *unit, double x)
{
    if (isnan(x))
        snprintf(buf, size, "n/a");
    else if (strcmp(unit, "share") == 0 || strcmp(unit, "fraction") == 0)
        text_percent(buf, size, x);
    else if (strcmp(unit, "s") == 0)
        text_latency(buf, size, x);
    else if (fabs(x) >= 1e15)
        snprintf(buf, size, "%.6g", x);
    else
        count(buf, size, x);
}

/* Appends `word` to buf, single-quoted for a POSIX shell unless it needs no quoting. */
static void shell_word(char *buf, size_t size, const char *word)
{
    size_t len = strlen(buf);
    if (len + 1 >= size)
        return;
    if (*word && strspn(word, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                              "0123456789_./=:,+-@%") == strlen(word)) {
        snprintf(buf + len, size - len, " %s", word);
        return;
    }
    snprintf(buf + len, size - len, " '");
    for (const char *c = word; *c; c++) {
        len = strlen(buf);
        snprintf(buf + len, size - len, *c == '\'' ? "'\\''" : "%c", *c);
    }
    len = strlen(buf);
    snprintf(buf + len, size - len, "'");
}

void replview_rerun(char *buf, size_t size, const results *r, uint64_t seed)
{
    snprintf(buf, size, "routersim run");
    shell_word(buf, size, r->source);
    size_t len = strlen(buf);
    snprintf(buf + len, size - len, " --seed %" PRIu64, seed);
    for (size_t i = 0; i < r->n_sets; i++) {
        shell_word(buf, size, "--set");
        shell_word(buf, size, r->sets[i]);
    }
}
