/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * srm_report — what `routersim srm` writes about observed counts (srm.h): the summary on
 * stdout, and into its folder, each file atomically (outfile.h): report.json (machines),
 * report.md (people), junit.xml (CI: one test case per phase), sequential.csv (the
 * sequential p-value after every interval of every phase) and its plot sequential.png/svg,
 * report.json last.
 */
#ifndef ROUTERSIM_SRM_REPORT_H
#define ROUTERSIM_SRM_REPORT_H

#include "sim/model/results.h"
#include "sim/stats/srm.h"

#include <stdio.h>

/* The phase table, plans and verdict for people. */
void srm_report_summary(FILE *out, const srm_result *r);

/* Write the reports into dir (created if needed), with plots the sequential p-value plot
 * sequential.png/svg first (gnuplot missing or failing is said through warn, may be NULL,
 * and does not fail the call). Returns 0, or -1 with the reason. */
int srm_report_write(const char *dir, const srm_result *r, int plots,
                     void (*warn)(const char *message), char *err, size_t errlen);

/* The JSON report alone, to a stream; returns 0, or -1 when a write failed. */
int srm_report_json(FILE *out, const srm_result *r);

/* A phase's plan (srmpower_assess) for people: its power against the deviation of
 * `deployment` (the one moved), the requests and time the target power needs, and
 * ": UNDER-POWERED" when it falls short. */
void srm_report_plan_line(char *buf, size_t size, const srmpower_phase *power,
                          const char *deployment, double target);

/* The same as the value of a report.json "power" member: null when there is nothing to
 * plan, otherwise {deployment, from, to, power, power_error, target_power, needed_requests,
 * rate_per_s, needed_s, underpowered}. */
void srm_report_plan_json(FILE *out, const srmpower_phase *power, const char *deployment,
                          double target);

/* A simulated phase assessed against the deviation at the run's alpha (srmpower_assess over
 * the phase's requests and length). Returns 0, or -1 with a message. */
int srm_report_assess(const results_phase *ph, double alpha, const srmpower_deviation *d,
                      double target, srmpower_phase *out, char *err, size_t errlen);

/* In a run's reports, each phase's plan against the scenario's checks.power deviation and
 * target (by default one percentage point on its smallest share, 80 %) at the run's alpha
 * (under Holm's correction over m phase tests, at alpha / m, its strictest threshold):
 * the `"power": ...` member of the phase's report.json object (with its leading comma), the
 * summary's line for it (only when there is something to detect, or why it could not be
 * computed), followed by one when the phase's sequential test reached alpha, and the line
 * alone into buf (0, buf untouched, when there is nothing to say). */
/* Each phase of a run planned once (as srm_report_run_phase_* plan it) for every writer
 * that shows the plans: at fleet scale a thousand assessments, each a noncentral
 * chi-square, cost as much as writing a report. */
typedef struct {
    size_t n;
    srmpower_phase *power; /* [phase] */
    unsigned char *ok;     /* [phase]: planned; 0 when it could not be (said when written) */
} srm_report_plans;

/* Returns 0, or -1 when out of memory. */
int srm_report_plans_init(srm_report_plans *p, const results *r);
void srm_report_plans_free(srm_report_plans *p);

/* plans: the run's, or NULL to plan the phase here. */
void srm_report_run_phase_json(FILE *out, const results *r, const results_phase *ph,
                               const srm_report_plans *plans);
void srm_report_run_phase_line(FILE *out, const results *r, const results_phase *ph,
                               const char *indent);
int srm_report_run_phase_text(char *buf, size_t size, const results *r, const results_phase *ph,
                              const srm_report_plans *plans);

/* The `"sequential": {...}` member of a run phase's report.json object (leading comma):
 * p_value, crossed, crossed_at_s, looks [[at_s, requests, p_value], ...]. */
void srm_report_run_sequential_json(FILE *out, const results_phase *ph);

/* The scenario's injected faults: "Fault injected: ..." lines for the summary, and the
 * report.json member `"faults": [...],` (one line, always present). */
void srm_report_faults_summary(FILE *out, const results *r);
void srm_report_faults_json(FILE *out, const results *r);

/* `plan srm`: per router and phase of a run, the shares, requests, power and the requests
 * and time the target power needs. */
void srm_report_plan_run(FILE *out, const results *r, const srmpower_deviation *d, double target);

#endif
