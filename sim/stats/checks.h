/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * checks — turns what a run measured into verdicts: each phase's split test (with Holm's
 * correction over the run's phase tests when the scenario asks), one check per `expect`,
 * max_failed_requests, max_unserved_requests and each capacity check.
 *
 * It writes only the checks' section of the results: results.checks (each with its value,
 * limit, margin, unit and the window that decided it), the phases' corrected verdicts,
 * results.holm_tests and results.passed, which decides the exit status. What the engine
 * measured, the phases' own test results included, is read and never changed.
 *
 * Capacity checks on latency-like statistics judge a window (or an interval) only when it
 * holds at least the check's min_requests measured requests; the others are counted as
 * "too few requests", neither pass nor fail. A check that could judge nothing is reported
 * as too few (like a skipped phase test) and does not fail the run.
 */
#ifndef ROUTERSIM_CHECKS_H
#define ROUTERSIM_CHECKS_H

#include "sim/model/results.h"
#include "sim/model/scenario.h"

/* Returns 0, or -1 when out of memory. Call once per results. */
int checks_evaluate(const scenario *sc, results *r);

#endif
