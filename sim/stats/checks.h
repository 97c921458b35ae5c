/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * checks — turns a run's aggregates into pass/fail verdicts: one check per phase split test,
 * one per `expect` (observed share within tolerance over its interval), and
 * max_failed_requests. Sets results.passed, which decides the exit status.
 */
#ifndef ROUTERSIM_CHECKS_H
#define ROUTERSIM_CHECKS_H

#include "sim/model/results.h"
#include "sim/model/scenario.h"

/* Returns 0, or -1 when out of memory. */
int checks_evaluate(const scenario *sc, results *r);

#endif
