/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * plan_report — what `routersim plan capacity` writes: plan.json (every candidate, for
 * machines), plan.md and plan.html (for people), plan.png/.svg (planplot) and, when a plan
 * was found, planned.yaml: the user's scenario with the planned counts and the plan's rule
 * (checks.pass_rate, checks.confidence, checks.sequential, and the seed the plan ran), which
 * `routersim run planned.yaml --replications N` passes for N at least the replications the
 * plan's candidate took (the same seeds, replication by replication). The summary printed on
 * stdout comes from here too.
 */
#ifndef ROUTERSIM_PLAN_REPORT_H
#define ROUTERSIM_PLAN_REPORT_H

#include "sim/plan/capplan.h"

#include <stdio.h>

/* The plan.json format's version. */
#define PLAN_REPORT_FORMAT_VERSION 1

/* Write every file into dir (each through outfile: complete or absent). Returns 0, or -1
 * with the reason in err; a plot gnuplot could not draw is only said through warn. */
int plan_report_write(const char *dir, const capplan *p, void (*warn)(const char *message),
                      char *err, size_t errlen);

/* The candidates and the answer (or why none), as people read them. */
void plan_report_print(FILE *out, const capplan *p);

#endif
