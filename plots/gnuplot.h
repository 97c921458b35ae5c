/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * gnuplot — one gnuplot process, fed a script through a pipe.
 *
 * gnuplot keeps reading a piped script after an error; the only signs are its exit status
 * and what it wrote on stderr. A session captures that stderr, keeps SIGPIPE off the thread
 * that writes (a gnuplot that died must not kill the run; the process-wide disposition is
 * left alone, so sessions may run on several threads at once, each used by the thread that
 * opened it), remembers the first write that failed, and at the end tells apart: done,
 * gnuplot not installed, and gnuplot failed (in its words).
 */
#ifndef ROUTERSIM_GNUPLOT_H
#define ROUTERSIM_GNUPLOT_H

#include <stddef.h>

typedef struct gnuplot gnuplot;

typedef enum { GNUPLOT_OK, GNUPLOT_MISSING, GNUPLOT_FAILED } gnuplot_status;

/* Start gnuplot. NULL with the reason in err when no process could be started. */
gnuplot *gnuplot_open(char *err, size_t errlen);

/* Send script text. After a failed write the session only remembers the failure. */
void gnuplot_printf(gnuplot *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Send any text as a gnuplot string literal that shows it as it is: quotes doubled, line
 * breaks and control characters as spaces; invalid UTF-8, and characters the plot font
 * cannot draw (see gnuplot.c), as '?'. */
void gnuplot_string(gnuplot *g, const char *s);

/* Send a file name as a string literal, byte for byte. Returns -1 (sending nothing) when
 * the name holds a line break, which a gnuplot command cannot carry. */
int gnuplot_path(gnuplot *g, const char *path);

/* Close the script and wait for gnuplot. `msg` receives what gnuplot wrote on stderr, lines
 * joined with "; " (warnings when GNUPLOT_OK), or why the session failed. Frees g. */
gnuplot_status gnuplot_close(gnuplot *g, char *msg, size_t msglen);

#endif
