/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * uncertain — the scenario's `uncertainty:` section and routersim sensitivity's --vary: which
 * scalar values of a scenario are not known exactly, and the interval each lies in.
 *
 * A value is a number followed by a unit suffix that the scenario format reads for that key
 * ("250ms", "1.5/s", "2m", or none: "8"). Varying a value keeps its suffix and changes the
 * number, so the interval's ends must carry the same suffix: "200ms..300ms", not
 * "0.2s..300ms". The key path is not checked here (that needs the whole scenario): applying
 * a value through --set's machinery does, and its error then names the entry.
 */
#ifndef ROUTERSIM_UNCERTAIN_H
#define ROUTERSIM_UNCERTAIN_H

#include "sim/load/yread.h"
#include "sim/model/scenario.h"

#include <stddef.h>

/* Longest unit suffix accepted ("ms", "/s", "/min", ...). */
#define UNCERTAIN_MAX_UNIT 15

/* Split "250ms" into 250 and "ms": a finite number, then a suffix of at most
 * UNCERTAIN_MAX_UNIT letters or '/' (no spaces). Returns 0, or -1 with "expected ..." in err. */
int uncertain_split(const char *text, double *number, char *unit, size_t unit_size, char *err,
                    size_t errlen);

/* "KEY.PATH=LOW..HIGH" (--vary) into its parts: *key is malloc'd, *unit malloc'd. Returns 0,
 * or -1 with "expected ..." in err. */
int uncertain_parse_vary(const char *text, char **key, double *low, double *high, char **unit,
                         char *err, size_t errlen);

/* The value `number` written with `unit`, as a --set assignment "KEY.PATH=<number><unit>",
 * the number with 12 significant digits. */
void uncertain_assignment(char *buf, size_t size, const char *key, double number, const char *unit);

/* Read `uncertainty:` (a mapping of KEY.PATH to {low, high}) into sc->uncertain. Returns 0,
 * or -1 with "FILE:LINE:COL: ..." written through r. */
int uncertain_read(const yread *r, const ydoc_node *map, scenario *sc);

#endif
