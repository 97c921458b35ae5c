/*
 * summary — the human summary `routersim run` prints: totals, failures, the phase table
 * (expected vs observed shares, chi-square, p-value, verdict) and the checks.
 */
#ifndef ROUTERSIM_SUMMARY_H
#define ROUTERSIM_SUMMARY_H

#include "sim/results.h"

#include <stdio.h>

void summary_print(FILE *out, const results *r);

#endif
