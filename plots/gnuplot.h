/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gnuplot — one gnuplot process, fed its script through a pipe (popen).
 *
 * The script is written into an unlinked temporary file first and copied into gnuplot's
 * pipe when the session starts, so composing a plot never waits for gnuplot, and several
 * sessions draw at once (gnuplot_start each, then gnuplot_close each): gnuplot renders while
 * the caller composes and starts the next. gnuplot keeps reading a script after an error;
 * the only signs are its exit status and what it wrote on stderr. A session captures that
 * stderr and at the end tells apart: done, gnuplot not installed, and gnuplot failed (in its
 * words).
 */
#ifndef ROUTERSIM_GNUPLOT_H
#define ROUTERSIM_GNUPLOT_H

#include <stddef.h>

typedef struct gnuplot gnuplot;

typedef enum { GNUPLOT_OK, GNUPLOT_MISSING, GNUPLOT_FAILED } gnuplot_status;

/* A new session, its script empty. NULL with the reason in err when its temporary files
 * could not be made. */
gnuplot *gnuplot_open(char *err, size_t errlen);

/* Add script text. After a failed write the session only remembers the failure. */
void gnuplot_printf(gnuplot *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Send any text as a gnuplot string literal that shows it as it is: quotes doubled, line
 * breaks and control characters as spaces; invalid UTF-8, and characters the plot font
 * cannot draw (see gnuplot.c), as '?'. */
void gnuplot_string(gnuplot *g, const char *s);

/* Send a file name as a string literal, byte for byte. Returns -1 (sending nothing) when
 * the name holds a line break, which a gnuplot command cannot carry. */
int gnuplot_path(gnuplot *g, const char *path);

/* Start gnuplot on the script written so far and return without waiting for it; nothing
 * more may be written. What went wrong, if anything, gnuplot_close says. */
void gnuplot_start(gnuplot *g);

/* Start gnuplot if not yet started and wait for it. `msg` receives what gnuplot wrote on
 * stderr, lines joined with "; " (warnings when GNUPLOT_OK), or why the session failed.
 * Frees g. */
gnuplot_status gnuplot_close(gnuplot *g, char *msg, size_t msglen);

#endif
