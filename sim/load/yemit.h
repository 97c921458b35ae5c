/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * yemit — a YAML document (ydoc) written back out as YAML text.
 *
 * The planner writes its answer as a scenario the user can run (`planned.yaml`): the user's
 * own file with the planned changes applied as overrides (ydoc_set, the --set machinery) and
 * emitted again. The text reads back (ydoc_load_*, scenario_load) to the same tree, hence the
 * same scenario: every scalar keeps its text and whether it was plain (so `"12"` stays a
 * string, an empty plain value stays null), mappings keep their key order and sequences their
 * items; flow style ({...}, [...]) is kept where it was written.
 *
 * What does not survive: comments, the original layout, and sharing. Anchors and aliases are
 * written out in full (each alias as a copy of its anchor's node; merge keys were already
 * resolved by ydoc), which reads back to the same values.
 */
#ifndef ROUTERSIM_YEMIT_H
#define ROUTERSIM_YEMIT_H

#include "sim/load/ydoc.h"

#include <stddef.h>

/* The document's tree as YAML text (a malloc'd NUL-terminated string the caller frees), or
 * NULL with the reason in err (out of memory, or libyaml's emitter refused a node). */
char *yemit_string(const ydoc *d, char *err, size_t errlen);

/* The file at `path` with the overrides applied in order (each "key.path=value", as
 * routersim's --set and ydoc_set), as YAML text; NULL with "FILE:LINE:COL: ..." or
 * "FILE: --set TEXT: ..." in err. An override may replace a whole block: the value is YAML, so
 * "timeline=[{at: 10m, run: firectl ...}, ...]" writes a new timeline in flow style. */
char *yemit_file_set(const char *path, const char *const *sets, size_t n_sets, char *err,
                     size_t errlen);

#endif
