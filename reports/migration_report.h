/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * migration_report — what `routersim plan migration` writes: runbook.sh (the firectl lines
 * with `sleep` between instants), planned.yaml (the user's scenario with the plan as its
 * timeline), plan.json, plan.md and plan.html, and beside them the reports of the planned
 * scenario's replicated run (report.json, report.md, its split and capacity plots among them), all into one folder
 * that the caller stages and commits whole (views/outdir).
 */
#ifndef ROUTERSIM_MIGRATION_REPORT_H
#define ROUTERSIM_MIGRATION_REPORT_H

#include "sim/model/results.h"
#include "sim/plan/migplan.h"

#include <stdio.h>

/* Writes every file into dir. `first` is replication 0 of the planned scenario (NULL when no
 * plan holds: then only plan.json, plan.md and plan.html, saying why). Returns 0, or -1 with
 * the reason in err. */
int migration_report_write(const char *dir, const migplan_options *o, const migplan_result *r,
                           const results *first, int plots, void (*warn)(const char *message),
                           char *err, size_t errlen);

/* The plan for people on a terminal: its steps, times and verdict. */
void migration_report_print(FILE *out, const migplan_options *o, const migplan_result *r);

#endif
