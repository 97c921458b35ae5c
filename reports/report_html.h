/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_html — report.html, the run as one self-contained web page: the same content as
 * report.md with the plots inline as SVG, no network access, no scripts, styles inline, sized
 * for a laptop screen. It is also well-formed XML (polyglot HTML), so any XML tool can check
 * it.
 */
#ifndef ROUTERSIM_REPORT_HTML_H
#define ROUTERSIM_REPORT_HTML_H

#include "plots/plots.h"
#include "views/loadview.h"
#include "sim/model/results.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

/* svgs[i] is the SVG document of plots->plots[i]. rep: a replicated run's summary (the badge
 * and headline are then its verdict, and a Replications section follows the run's facts), or
 * NULL for a single run. Returns 0, or -1 when a write failed. */
int report_html_write(FILE *out, const results *r, const loadview *loads, const plots_set *plots,
                      const char *const *svgs, const replicas_summary *rep);

#endif
