/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_md — report.md, the run for people reading a repository or a CI artifact: the
 * scenario, seed and totals, failures by reason, the plots, the phase table (router,
 * interval, replicas, expected vs observed share, chi-square, df, p-value, verdict; with
 * serving models also utilization and p99 latency), the checks, the capacity of deployments
 * with a serving model (a table and its plots), the timeline, and what each file in the
 * folder holds.
 */
#ifndef ROUTERSIM_REPORT_MD_H
#define ROUTERSIM_REPORT_MD_H

#include "plots/plots.h"
#include "reports/srm_report.h"
#include "views/loadview.h"
#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

/* rep: a replicated run's summary (the headline is then its verdict, and a Replications
 * section follows the run's facts), or NULL for a single run; plans: the run's phase plans
 * (srm_report_plans_init), or NULL to plan each phase here. Returns 0, or -1 when a write
 * failed. */
int report_md_write(FILE *out, const results *r, const loadview *loads, const plots_set *plots,
                    const replicas_summary *rep, const srm_report_plans *plans);

#endif
