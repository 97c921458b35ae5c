/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_json — report.json, the machine-readable result of a run, with the fields the
 * scenario format promises (scenario, seed, duration_s, requests, phases, checks, passed),
 * the timeline as applied (events), the serving measurements of deployments with a serving
 * model (loads; load on phases' deployments and in the time series; interval_loads over each
 * capacity check's whole interval), the time series behind the CSV files (timeseries) and
 * the plots drawn (plots, or plots_note saying why none). requests holds routing failures
 * (failed) and, apart, routed requests not served (unserved, by reason); each load holds
 * served requests' latency, their wait, and latency as callers saw it (caller).
 * A replicated run adds `replications`: the aggregate across replications (replicas.h),
 * while the other sections stay replication 0's and `passed` is the run's verdict.
 * `format_version` comes first; docs/format-changelog.md says what each version added.
 */
#ifndef ROUTERSIM_REPORT_JSON_H
#define ROUTERSIM_REPORT_JSON_H

#include "plots/plots.h"
#include "reports/srm_report.h"
#include "views/series.h"
#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

/* The report.json format: 1 was the format before the field existed. */
#define REPORT_JSON_FORMAT_VERSION 2

/* Write the report to a stream; `replicated` is NULL for a single run, whose report has no
 * `replications` section; `plans` the run's phase plans (srm_report_plans_init), or NULL to
 * plan each phase as it is written. Returns 0, or -1 when a write failed. */
int report_json_write(FILE *out, const series *s, const plots_set *plots,
                      const replicas_summary *replicated, const srm_report_plans *plans);

/* Write a JSON string literal, escaped, to out. */
void report_json_string(FILE *out, const char *s);

#endif
