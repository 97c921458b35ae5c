/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * firectl — reads a firectl command line, as the platform's docs print it, into a world
 * command.
 *
 * Accepted: router create|update|delete, deployment create|update|scale|delete, with both
 * --flag=value and --flag value forms, short ids or full resource names (resolved in the
 * scenario's account), quoted arguments, and backslash-newline continuations. Read-only
 * commands (get, list) and flags that would make the line mean something other than it
 * says (--dry-run) are refused: a timeline line must change the world.
 *
 * deployment create and update take the platform's autoscaling flags; an update with only
 * these is a valid update. --scale-up-window and --scale-down-window are durations above 0,
 * --scale-to-zero-window a duration of at least 5m (the platform's minimum); each sets its
 * world_autoscaling field and WORLD_SET_* bit. --load-targets is a comma list of key=value,
 * each key at most once: default=F (0 < F <= 1, the fraction of each replica's concurrency),
 * requests_per_second=N and concurrent_requests=N (0 < N <= 1e9, per replica). The platform's
 * tokens_generated_per_second and prompt_tokens_per_second are refused: routersim's requests
 * carry no token counts. The list replaces all three targets and sets WORLD_SET_LOAD_TARGETS:
 * requests_per_second or concurrent_requests that it does not name becomes 0 (unset); default
 * that it does not name is the platform's default=0.8, which is always one of the targets (the
 * largest count wins, so an added target can only ask for more replicas); without
 * --load-targets the deployment keeps its targets (default=0.8 for a new one). An error in the list
 * (an unknown or token key, a key given twice, an item not key=value, a value out of range) gives
 * the offending item's byte offset, or the word's when a quote or escape comes before the item.
 */
#ifndef ROUTERSIM_FIRECTL_H
#define ROUTERSIM_FIRECTL_H

#include "sim/model/world.h"

#include <stddef.h>

/* Parse `line` into *cmd, which is zeroed first, and on error cleared again (so it owns
 * nothing); on success the caller clears it with world_cmd_clear. Returns 0,
 * or -1 with "expected ..." in err and, in *err_offset, the byte offset in `line` of the
 * offending word (or -1 when no single word is to blame). */
int firectl_parse(const char *line, const char *account, world_cmd *cmd, char *err, size_t errlen,
                  int *err_offset);

#endif
