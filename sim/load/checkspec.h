/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * checkspec — what a scenario asks a run to prove: the `checks` section read from the YAML
 * tree (through yread, so every error names its place) into the scenario's alpha and Holm
 * correction, expect checks, bounds on failed and unserved requests, warm-up and capacity
 * checks. The loader calls it once the scenario's header (its duration) is read; judging a
 * run against these is sim/stats/checks.
 */
#ifndef ROUTERSIM_CHECKSPEC_H
#define ROUTERSIM_CHECKSPEC_H

#include "sim/load/yread.h"
#include "sim/model/scenario.h"

/* `checks: {alpha, correction, expect, max_failed_requests, max_unserved_requests, warmup,
 * min_requests, capacity}` into sc. Returns 0, or -1 with the error written. */
int checkspec_read(const yread *in, const ydoc_node *map, scenario *sc);

#endif
