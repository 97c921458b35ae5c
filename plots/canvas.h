/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * canvas — what every plot of a run shares, so that the plots read as one set: the time axis
 * in the unit that fits the run, one colour per deployment, the timeline's events marked and
 * listed under the plot, one look, and the rendering of a plot's script to a PNG and an SVG
 * that appear in the output folder only when complete.
 */
#ifndef ROUTERSIM_CANVAS_H
#define ROUTERSIM_CANVAS_H

#include "plots/gnuplot.h"
#include "sim/model/results.h"

#include <stddef.h>

typedef struct {
    const results *r;
    double per_s;           /* x of one simulated second */
    const char *time_label; /* "simulated time (minutes)" */
    int width, height;      /* pixels */
    int gnuplot_missing;    /* once found missing, no further plot is tried */
    void (*warn)(const char *message);
} canvas;

void canvas_init(canvas *c, const results *r, int width, int height,
                 void (*warn)(const char *message));

/* x of a simulated time. */
double canvas_x(const canvas *c, double seconds);

/* The colour of a deployment (index in results.deployments), "#rrggbb". */
const char *canvas_colour(long deployment);

/* Send the title (any text), the axes and the look, and the timeline: a dotted line and a
 * number at each instant with events, the commands listed under the plot. */
void canvas_setup(gnuplot *g, const canvas *c, const char *title, const char *ylabel);

/* Send, after the last item of a plot command, the legend entry of the event marks. */
void canvas_key_events(gnuplot *g, const canvas *c);

/* "<what> (scenario <name>)", the name cut short when long: a plot's title. */
void canvas_title(char *buf, size_t size, const char *what, const results *r);

/* Copy at most max_chars characters of s into buf, ending with "..." when cut. */
void canvas_clip(char *buf, size_t size, const char *s, size_t max_chars);

/* Writes a plot's data, settings and one plot command. */
typedef void (*canvas_script)(gnuplot *g, const canvas *c, const void *arg);

/* Draw dir/stem.png and dir/stem.svg with the script. Returns 1 when drawn; 0 when not,
 * said through warn (without trying once gnuplot is known to be missing); -1 with the reason
 * in err when a file could not be written. */
int canvas_render(canvas *c, const char *dir, const char *stem, canvas_script script,
                  const void *arg, char *err, size_t errlen);

/* The same in two steps, so that several plots draw at once: canvas_start writes the script
 * (arg is not used after it returns) and starts gnuplot; canvas_finish waits for it and
 * does the rest of canvas_render, with its return values. Finish jobs in the order they
 * were started and the warnings and files are those of canvas_render one after another;
 * a job finished after gnuplot was found missing is dropped without a word.
 * canvas_start returns 1 with *job set, 0 when gnuplot is known to be missing, or -1 with
 * the reason in err. canvas_cancel waits for gnuplot and discards the job's files. */
typedef struct canvas_job canvas_job;

int canvas_start(canvas *c, const char *dir, const char *stem, canvas_script script,
                 const void *arg, canvas_job **job, char *err, size_t errlen);
int canvas_finish(canvas *c, canvas_job *job, char *err, size_t errlen);
void canvas_cancel(canvas_job *job);

#endif
