/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sensitivity_report — what routersim sensitivity found (sensitivity.h), for people and
 * machines: sensitivity.json, sensitivity.md and sensitivity.html (self-contained, the
 * tornado plot inline) and tornado.png/.svg, plus the one-sentence statement `run
 * --sensitivity` prints: the verdict "holds across the parameter uncertainty", or what it
 * hangs on. The tornado plot shows, per parameter and check with a non-zero limit, the
 * check's mean value over the replications divided by its limit, nominal and with the
 * parameter at each end of its interval.
 */
#ifndef ROUTERSIM_SENSITIVITY_REPORT_H
#define ROUTERSIM_SENSITIVITY_REPORT_H

#include "sim/stats/sensitivity.h"

#include <stdio.h>

/* "The verdict (pass) holds across the parameter uncertainty: ..." or "The verdict (pass)
 * hangs on KEY: check NAME fails above 245ms; ...". One line, no newline. */
void sensitivity_report_statement(FILE *out, const sensitivity_result *r);

/* The summary on the terminal: the statement and, per check, each parameter that can flip it
 * and where. */
void sensitivity_report_summary(FILE *out, const sensitivity_result *r);

/* Write the reports into dir (a staging folder: outdir.h); plots: draw the tornado plot.
 * source: the scenario file. Returns 0, or -1 with the reason in err. */
int sensitivity_report_write(const char *dir, const char *source, const sensitivity_result *r,
                             int plots, void (*warn)(const char *message), char *err,
                             size_t errlen);

#endif
