/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verdicts — a run's verdicts counted and phrased once for every report: how many phase
 * tests and checks failed or were skipped, and the words for a phase ("split of my-router
 * during [10m, 20m)") and for the outcome of its test.
 */
#ifndef ROUTERSIM_VERDICTS_H
#define ROUTERSIM_VERDICTS_H

#include "sim/model/results.h"

#include <stddef.h>

typedef struct {
    size_t phases, phases_failed, phases_skipped;
    size_t checks, checks_failed;
} verdicts;

verdicts verdicts_count(const results *r);

/* "[10m, 20m)" */
void verdicts_interval(char *buf, size_t size, const results_phase *ph);

/* "split of my-router during [10m, 20m)": a phase test's name. */
void verdicts_phase_name(char *buf, size_t size, const results_phase *ph);

/* Why a phase test failed or was skipped, for a person: the test's own reason, or for a
 * sample-ratio mismatch the statistic against alpha. Empty for a plain pass. */
void verdicts_phase_message(char *buf, size_t size, const results_phase *ph, double alpha);

/* "PASSED: 0 of 5 phase tests failed, 0 of 4 checks failed" (with the skipped, if any). */
void verdicts_headline(char *buf, size_t size, const results *r);

#endif
