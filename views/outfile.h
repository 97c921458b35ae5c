/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * outfile — writes a report so that it is either complete or absent.
 *
 * A report is written to a temporary file beside its final name and renamed over it only
 * after every byte reached the disk without error; a failed or interrupted run leaves the
 * previous file (or none), never a truncated one that looks complete.
 */
#ifndef ROUTERSIM_OUTFILE_H
#define ROUTERSIM_OUTFILE_H

#include <stdio.h>

typedef struct outfile outfile;

/* Open `path` for writing through a temporary file. NULL with the reason in err. */
outfile *outfile_open(const char *path, char *err, size_t errlen);

/* The stream to write to. */
FILE *outfile_stream(outfile *f);

/* The temporary file's name, for a report that another program writes (a plot gnuplot
 * draws): it writes there, and outfile_commit puts the file in place as for any other. */
const char *outfile_temp_path(const outfile *f);

/* Flush and sync: every byte on the disk, not yet in place, so that a writer can finish a
 * report while it waits for others to be complete before it commits this one. Returns 0,
 * or -1 with the reason in err (f stays open: commit or abort it). */
int outfile_sync(outfile *f, char *err, size_t errlen);

/* Flush, sync (again, cheap after outfile_sync) and rename into place. Returns 0, or -1 with the
 * reason in err (the temporary file is removed). Frees f either way. */
int outfile_commit(outfile *f, char *err, size_t errlen);

/* Give up: remove the temporary file and free f. */
void outfile_abort(outfile *f);

/* "cannot <what> <path>: <cause>", the cause in lower case ("no space left on device").
 * Returns -1, for `return outfile_error(...)`. */
int outfile_error(char *err, size_t errlen, const char *what, const char *path, int code);

/* mkdir -p. Returns 0, or -1 with the reason in err. */
int outfile_mkdirs(const char *dir, char *err, size_t errlen);

#endif
