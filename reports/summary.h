/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * summary — the human summary `routersim run` prints: totals, failures, the phase table
 * (expected vs observed shares, chi-square, p-value, verdict), the capacity of deployments
 * with a serving model (utilization and p99 over the run and in their worst window, requests
 * rejected and timed out) and the checks.
 */
#ifndef ROUTERSIM_SUMMARY_H
#define ROUTERSIM_SUMMARY_H

#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

void summary_print(FILE *out, const results *r);

/* What made the run fail, one line per failed phase test and per failed check, each line
 * "<prefix>FAIL <name>: <why>" (line breaks in the text become spaces), so that a CI log
 * of a quiet run still says why the gate failed. Prints nothing when the run passed. */
void summary_failures(FILE *out, const char *prefix, const results *r);

/* A replicated run's part of the summary, printed after summary_print of replication 0 (r):
 * the replications run (and whether a sequential rule stopped early), the rule, the pass rate
 * with its Clopper-Pearson interval, the checks and phase tests that failed in some
 * replication, key figures across replications, the first failing replications' seeds with
 * the command that reruns one, and the run's verdict. */
void summary_replicated(FILE *out, const results *r, const replicas_summary *rep);

/* summary_failures for a replicated run: when it failed, one line with the verdict and the
 * rule, one per check and phase test that failed in some replication, and the command that
 * reruns the first failing replication. Prints nothing when the run passed. */
void summary_replicated_failures(FILE *out, const char *prefix, const results *r,
                                 const replicas_summary *rep);

#endif
