/*
 * firectl — reads a firectl command line, as the platform's docs print it, into a world
 * command.
 *
 * Accepted: router create|update|delete, deployment create|update|scale|delete, with both
 * --flag=value and --flag value forms, short ids or full resource names (resolved in the
 * scenario's account), quoted arguments, and backslash-newline continuations. Read-only
 * commands (get, list) and flags that would make the line mean something other than it
 * says (--dry-run) are refused: a timeline line must change the world.
 */
#ifndef ROUTERSIM_FIRECTL_H
#define ROUTERSIM_FIRECTL_H

#include "sim/world.h"

#include <stddef.h>

/* Parse `line` into *cmd, which is zeroed first, and on error cleared again (so it owns
 * nothing); on success the caller clears it with world_cmd_clear. Returns 0,
 * or -1 with "expected ..." in err and, in *err_offset, the byte offset in `line` of the
 * offending word (or -1 when no single word is to blame). */
int firectl_parse(const char *line, const char *account, world_cmd *cmd, char *err,
                  size_t errlen, int *err_offset);

#endif
