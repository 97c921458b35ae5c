/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replay_report — what routersim replay found (replay.h): replay.json (every window's
 * observed figure, the replications' range and median, inside or outside; per figure the
 * counts, the rule's limit, p-value and error), replay.md, replay.html (plots inline) and
 * one plot per figure compared (replay-<figure>.png/.svg), and the summary on the terminal.
 */
#ifndef ROUTERSIM_REPLAY_REPORT_H
#define ROUTERSIM_REPLAY_REPORT_H

#include "sim/stats/replay.h"

#include <stdio.h>

void replay_report_summary(FILE *out, const replay_result *r);

/* Write the reports into dir (a staging folder: outdir.h). Returns 0, or -1 with err. */
int replay_report_write(const char *dir, const replay_result *r, int plots,
                        void (*warn)(const char *message), char *err, size_t errlen);

#endif
