/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replview — a replicated run's summary (replicas.h) phrased once for every report: the
 * verdict rule and the verdict, a pass rate with its interval, whether a phase test or check
 * holds by the rule, a figure in its unit, the names of figures and phase tests, and the
 * command that reruns one replication alone.
 */
#ifndef ROUTERSIM_REPLVIEW_H
#define ROUTERSIM_REPLVIEW_H

#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stddef.h>
#include <stdint.h>

/* "every replication must pass", or "pass rate at least 90.00% (the lower end of its 95.00%
 * Clopper-Pearson interval must reach it)", and what sequential stopping adds. */
void replview_rule(char *buf, size_t size, const replicas_summary *rep);

/* "PASSED: all 20 replications passed", "FAILED: 3 of 20 replications failed; every one
 * must pass", "FAILED: the pass rate's lower bound 71.90% is below the required 90.00%", ... */
void replview_verdict(char *buf, size_t size, const replicas_summary *rep);

/* "75.00% [19.41%, 99.37%]"; "n/a" when nothing was counted. */
void replview_rate(char *buf, size_t size, const replicas_rate *r);

/* Does an item (a phase test or a check) hold by the run's rule over the replications that
 * had it: all passed, or the lower end of its interval reaches the required rate? (The
 * sequential part of a rule decides the run only.) An item no replication had holds. */
int replview_holds(const replicas_summary *rep, const replicas_rate *r);

/* "split of my-router from 10m": a phase test across replications. */
void replview_phase_name(char *buf, size_t size, const replicas_phase *ph);

/* "failed requests", "failed at the router: no replicas", "share of canary (canary-router
 * from 0s)", "utilization canary", "p99 latency canary". */
void replview_metric_name(char *buf, size_t size, const replicas_metric *m);

/* A figure in its unit ("requests", "share", "fraction", "s"): "1,234", "1,234.5", "12.50%",
 * "713ms"; "n/a" for NaN. */
void replview_figure(char *buf, size_t size, const char *unit, double x);

/* "routersim run FILE --seed N [--set KEY.PATH=VALUE]...": replication `seed` alone, its
 * reports in full, with the run's overrides; words a shell would split are single-quoted. */
void replview_rerun(char *buf, size_t size, const results *r, uint64_t seed);

#endif
