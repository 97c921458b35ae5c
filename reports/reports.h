/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * reports — writes every report of one run into a folder: the plots (plots.h),
 * timeseries.csv, requests.csv and load.csv, junit.xml, report.md, report.html, and
 * report.json last, each file complete or absent (see outfile.h). report.json is written on
 * the calling thread while a second thread writes the others, and is put in place only
 * after all of them are. The command writes into
 * a staging folder that replaces the report folder as a whole (see outdir.h), so a reader
 * never finds files of two runs side by side.
 */
#ifndef ROUTERSIM_REPORTS_H
#define ROUTERSIM_REPORTS_H

#include "sim/model/results.h"
#include "sim/stats/replicas.h"
#include "views/series.h"

#include <stddef.h>

typedef struct {
    int plots; /* draw plots with gnuplot */
    /* A replicated run (--replications N, N >= 2): the aggregate across replications, for
     * the replicated sections; the detailed sections stay those of `r`, replication 0.
     * NULL for a single run, whose reports are exactly as without replications. */
    const replicas_summary *replicated;
    /* How much of the time series is written (series.h): bounded, the default, or full
     * (--detail full). */
    series_detail detail;
} reports_options;

/* Write into dir (created if needed). Returns 0, or -1 with the reason in err. Problems
 * that do not invalidate the reports (gnuplot missing, a plot gnuplot could not draw) are
 * written to `warn` (may be NULL) and do not fail the call. */
int reports_write(const char *dir, const results *r, const reports_options *opts,
                  void (*warn)(const char *message), char *err, size_t errlen);

#endif
