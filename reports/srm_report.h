/*
 * srm_report — what `routersim srm` writes about observed counts (srm.h): the summary on
 * stdout, and into its folder, each file atomically (outfile.h): report.json (machines),
 * report.md (people), junit.xml (CI: one test case per phase) and sequential.csv (the
 * sequential p-value after every interval of every phase), report.json last.
 */
#ifndef ROUTERSIM_SRM_REPORT_H
#define ROUTERSIM_SRM_REPORT_H

#include "sim/stats/srm.h"

#include <stdio.h>

/* The phase table, plans and verdict for people. */
void srm_report_summary(FILE *out, const srm_result *r);

/* Write the reports into dir (created if needed). Returns 0, or -1 with the reason. */
int srm_report_write(const char *dir, const srm_result *r, char *err, size_t errlen);

/* The JSON report alone, to a stream; returns 0, or -1 when a write failed. */
int srm_report_json(FILE *out, const srm_result *r);

#endif
