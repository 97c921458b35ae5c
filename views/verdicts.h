/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verdicts — a run's verdicts counted and phrased once for every report: the split tests of
 * the phases, the capacity checks and the other checks, each counted apart so that a green
 * split test never stands for a red capacity figure; the words for a phase ("split of
 * my-router during [10m, 20m)") and for the outcome of its test; a phase's capacity verdict;
 * the split a phase was asked for beside the one its ready replicas gave; and which capacity
 * limits a plot draws.
 */
#ifndef ROUTERSIM_VERDICTS_H
#define ROUTERSIM_VERDICTS_H

#include "sim/model/results.h"

#include <stddef.h>

typedef struct {
    size_t phases, phases_failed, phases_skipped;
    size_t checks, checks_failed, checks_too_few; /* every check, capacity checks included */
    size_t capacity, capacity_failed, capacity_too_few;
} verdicts;

verdicts verdicts_count(const results *r);

/* "[10m, 20m)" */
void verdicts_interval(char *buf, size_t size, const results_phase *ph);

/* "split of my-router during [10m, 20m)": a phase test's name. */
void verdicts_phase_name(char *buf, size_t size, const results_phase *ph);

/* Why a phase test failed or was skipped, or why Holm's correction changed its verdict, for
 * a person: the test's own reason, or for a sample-ratio mismatch the statistic against
 * alpha. Empty for a plain pass. */
void verdicts_phase_message(char *buf, size_t size, const results *r, const results_phase *ph);

/* The capacity verdict of a phase, apart from its split test, from the capacity checks
 * judged per window and the counts of lost requests (whole-interval checks judge no phase
 * of their own: they are in the checks): fail when one broke its limit on one of the
 * phase's deployments in a window overlapping the phase (or, for a failed count, a window
 * that added to it); too few when the checks covering it could judge nothing; pass when
 * they held; none when no such check covers the phase. *failed (may be NULL) gets the
 * first failed check, or NULL. */
typedef enum {
    VERDICTS_CAPACITY_NONE,
    VERDICTS_CAPACITY_PASS,
    VERDICTS_CAPACITY_TOO_FEW,
    VERDICTS_CAPACITY_FAIL
} verdicts_capacity;

verdicts_capacity verdicts_phase_capacity(const results *r, const results_phase *ph,
                                          const results_check **failed);

/* "pass", "FAIL", "too few requests", "n/a" */
const char *verdicts_capacity_name(verdicts_capacity v);

/* "pass", "fail", "too_few_requests": a check's status as report.json spells it. */
const char *verdicts_check_status_name(results_check_status status);

/* One of a check's figures (value, limit or margin) in its unit, as a person reads it:
 * "93.2%", "1.25s", "12", "0.0123"; "n/a" when nothing was judged. */
void verdicts_check_figure(char *buf, size_t size, const results_check *c, double figure);

/* The window or interval that decided a check: "[20m, 20m30s)". */
void verdicts_check_window(char *buf, size_t size, const results_check *c);

/* "pass", "FAIL", "too few requests": a check's result for people. */
const char *verdicts_check_result(const results_check *c);

/* The i-th deployment's share of a phase as the router weighed it and as asked: "20.00%",
 * or "50.00% (20.00% asked)" while replicas are still starting (some deployment of the
 * phase has more replicas asked for than ready) and the asked-for split differs. */
void verdicts_share(char *buf, size_t size, const results_phase *ph, size_t i);

/* A deployment's replicas: "4", or "1 (4 asked)" while some are still starting. Ready
 * replicas never exceed those asked for. */
void verdicts_replicas(char *buf, size_t size, const results_share *d);

/* Whether a check's limit belongs on a plot of per-window figures: utilisation, or the p50
 * or p99 latency (TTFT, TPOT) the latency (TTFT, TPOT) plot draws, or the output tokens per
 * second the tokens plot draws. Only per-window capacity checks qualify. */
typedef enum {
    VERDICTS_PLOT_UTILIZATION,
    VERDICTS_PLOT_LATENCY,
    VERDICTS_PLOT_TTFT,
    VERDICTS_PLOT_TPOT,
    VERDICTS_PLOT_TOKENS
} verdicts_plot;

int verdicts_plot_limit(const results_check *c, verdicts_plot plot);

/* "PASSED: 0 of 5 phase tests failed, 0 of 2 checks failed, 0 of 4 capacity checks failed"
 * (with the skipped and too-few, if any). */
void verdicts_headline(char *buf, size_t size, const results *r);

#endif
