/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outdir — a report folder that one run at a time replaces as a whole.
 *
 * A reader of a report folder must never find files of two runs side by side: a run writes
 * its whole report set into a staging folder beside the report folder (same parent, so the
 * same filesystem) and only when every file is complete puts it in place in one step: on
 * Linux the two folders are exchanged atomically (renameat2 RENAME_EXCHANGE); where that is
 * not available the old folder is renamed away and the new one renamed in, so a reader sees
 * the old set, for an instant no folder, or the new set. The previous set is then deleted.
 * A run that fails deletes its staging folder and leaves the previous set untouched.
 *
 * Runs into one folder are kept apart by an exclusive flock on "<parent>/.<name>.lock",
 * taken before the run starts and held until its reports are in place; a second run finds
 * it held and is refused. The lock file stays (deleting it would let two runs hold locks on
 * different files). Staging folders left by a run that was killed are deleted by the next
 * run into the same folder.
 *
 * A report folder is replaced whole, so only a folder that holds nothing but reports (files
 * ending in .json .md .html .xml .csv .png .svg, the .fitted.yaml scenario of `routersim
 * fit`, a plan's planned.yaml and runbook.sh, and temporary files of a report) is
 * replaced; any other content is refused rather than deleted.
 */
#ifndef ROUTERSIM_OUTDIR_H
#define ROUTERSIM_OUTDIR_H

#include <stddef.h>

typedef struct outdir outdir;

/* Lock the report folder `dir` (its parent is created if needed), check that it may be
 * replaced and create an empty staging folder. NULL with the reason in err. */
outdir *outdir_open(const char *dir, char *err, size_t errlen);

/* The staging folder to write every report into. */
const char *outdir_staging(const outdir *d);

/* Put the staging folder in place of the report folder, delete the previous set and unlock.
 * Returns 0, or -1 with the reason in err (the staging folder is then deleted and the
 * previous set left as it was). Frees d either way. */
int outdir_commit(outdir *d, char *err, size_t errlen);

/* Give up: delete the staging folder, unlock and free d. NULL is allowed. */
void outdir_abort(outdir *d);

/* A message that names files in the staging folder, rewritten to name the files they stand
 * for in the report folder, which is what a user looks for. */
void outdir_explain(const outdir *d, char *msg, size_t msglen);

#endif
