/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * scenario_load — a scenario file loaded, checked and ready to simulate.
 *
 * The loader reads the YAML (ydoc), checks every key against the format (unknown keys are
 * errors: a typo must not be silently ignored), turns deployments, routers and timeline
 * lines into world commands, and then plays those commands against a scratch world in time
 * order, so a command that is invalid at its time (updating a router deleted earlier) is
 * refused before anything is simulated. Every error reads "FILE:LINE:COL: what was
 * expected".
 */
#ifndef ROUTERSIM_SCENARIO_LOAD_H
#define ROUTERSIM_SCENARIO_LOAD_H

#include "sim/model/scenario.h"

#include <stddef.h>

/* Load and check a scenario. NULL on error with "FILE:LINE:COL: ..." in err; free the
 * result with scenario_free. */
scenario *scenario_load(const char *path, char *err, size_t errlen);

/* The same with overrides applied to the YAML tree first, in order: each "key.path=value"
 * (routersim's --set; see ydoc_set for paths and values). An error caused by an override
 * reads "FILE: --set key.path=value: ..." instead of a line and column. */
scenario *scenario_load_set(const char *path, const char *const *sets, size_t n_sets, char *err,
                            size_t errlen);

#endif
