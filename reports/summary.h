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

#endif
