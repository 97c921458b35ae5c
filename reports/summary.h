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

#include <stdio.h>

void summary_print(FILE *out, const results *r);

/* What made the run fail, one line per failed phase test and per failed check, each line
 * "<prefix>FAIL <name>: <why>" (line breaks in the text become spaces), so that a CI log
 * of a quiet run still says why the gate failed. Prints nothing when the run passed. */
void summary_failures(FILE *out, const char *prefix, const results *r);

#endif
