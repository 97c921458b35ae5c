/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_report — what `routersim fit` writes about a fit (fit.h): the summary on stdout, and
 * into its folder, each file atomically (outfile.h): scenario.fitted.yaml (the fitted parameters
 * in the scenario format's keys, a scenario that loads as it is, the uncertainty as
 * comments), fitted.csv (observed and fitted rate per window), fit.md (people), the plot
 * arrivals.png/svg (observed against fitted rate), service.png/svg
 * (latency quantiles against the fitted lognormal) and fit.json (machines) last.
 */
#ifndef ROUTERSIM_FIT_REPORT_H
#define ROUTERSIM_FIT_REPORT_H

#include "sim/stats/fit.h"

#include <stdio.h>

/* Each deployment's parameters and intervals for people. */
void fit_report_summary(FILE *out, const fit_result *r);

/* Write the reports into dir (created if needed); with plots arrivals and service .png/.svg first
 * (gnuplot missing or failing is said through warn, may be NULL, and does not fail the
 * call). Returns 0, or -1 with the reason. */
int fit_report_write(const char *dir, const fit_result *r, int plots,
                     void (*warn)(const char *message), char *err, size_t errlen);

/* The fragment alone (scenario.fitted.yaml), to a stream; returns 0, or -1 when a write failed. */
int fit_report_scenario(FILE *out, const fit_result *r);

#endif
