/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * csvlines — the lines and cells of the CSV files routersim reads (countscsv.h for observed
 * counts, metricscsv.h for a platform's metrics), so that both accept and refuse the same
 * things in the same words: blank lines and lines starting with '#' are skipped; CRLF line
 * ends and a UTF-8 byte order mark on the first line are accepted; a line longer than
 * CSVLINES_MAX_LINE bytes or holding a NUL byte is refused; cells are split at commas and
 * trimmed of spaces and tabs (quoted cells are not supported), each with its 1-based byte
 * column, so that every error can name FILE:LINE:COL.
 */
#ifndef ROUTERSIM_CSVLINES_H
#define ROUTERSIM_CSVLINES_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define CSVLINES_MAX_LINE 65536
#define CSVLINES_MAX_NAME 256

/* Called with each line that is not blank or a comment (its end of line removed, the line
 * modifiable) and its 1-based number; nonzero stops the reading (the callee set err). */
typedef int (*csvlines_fn)(void *ctx, char *line, unsigned lineno);

/* Read path line by line into fn. Returns 0, or nonzero with err set ("FILE: ..." or
 * "FILE:LINE:COL: ..."); *lines gets the number of lines read either way. */
int csvlines_read(const char *path, csvlines_fn fn, void *ctx, unsigned *lines, char *err,
                  size_t errlen);

/* Split line (modified in place) at commas into trimmed cells; cols[] gets each cell's
 * 1-based byte column. Returns the number of cells, or -1 past max. */
int csvlines_split(char *line, char **cells, int *cols, int max);

/* "PATH:LINE:COL: " and the message into err; returns -1, to be returned on. */
int csvlines_error(char *err, size_t errlen, const char *path, unsigned line, int col,
                   const char *fmt, ...) __attribute__((format(printf, 6, 7)));
int csvlines_verror(char *err, size_t errlen, const char *path, unsigned line, int col,
                    const char *fmt, va_list args) __attribute__((format(printf, 6, 0)));

/* Make room for need items of size bytes in *items (capacity *cap, doubled as needed).
 * Returns 0, or -1 when out of memory (*items unchanged). */
int csvlines_grow(void **items, size_t *cap, size_t need, size_t size);

/* The index in names of the name in cell text (line lineno, column col), added when new:
 * 0 with *index set, or -1 with "PATH:LINE:COL: ..." in err for an empty name, one of
 * CSVLINES_MAX_NAME characters or more, one holding a quote, or no memory; `what` names it
 * ("deployment"). */
int csvlines_name(const char *path, const char *text, unsigned lineno, int col, const char *what,
                  char ***names, size_t *n, size_t *cap, uint32_t *index, char *err, size_t errlen);

#endif
