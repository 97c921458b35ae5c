/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_junit — junit.xml, the run as the test report CI systems already show: one
 * testsuite per scenario with one testcase per phase split test (failed or skipped with the
 * reason) and one per check (failed with its detail), in the common JUnit schema
 * (testsuites > testsuite > testcase > failure | skipped, system-out). Capacity checks are
 * checks like any other; when deployments have a serving model, the suite's own system-out
 * holds the capacity table of the summary, so a failed gate's log shows the figures behind
 * it.
 *
 * A replicated run's cases are the phase tests and checks across replications (replicas.h):
 * each says its passes out of N with the Clopper-Pearson interval (and a check's value
 * across replications), and fails when it does not hold by the run's verdict rule; one more
 * case, "replications", is the run's verdict.
 */
#ifndef ROUTERSIM_REPORT_JUNIT_H
#define ROUTERSIM_REPORT_JUNIT_H

#include "views/loadview.h"
#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

/* rep: a replicated run's summary, or NULL for a single run. Returns 0, or -1 when a write
 * failed. */
int report_junit_write(FILE *out, const results *r, const loadview *loads,
                       const replicas_summary *rep);

#endif
