/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/canvas.h"

#include "views/outfile.h"
#include "views/text.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* Events listed under a plot at most; beyond, the last line says how many more and where
 * the reports list them all (their Timeline section lists every event). */
enum { FOOTER_LINES = 6 };

/* Characters of the scenario's name shown in a plot's title at most. */
enum { TITLE_NAME_CHARS = 60 };

static const char *const mark_colour = "#4d4d4d";

void canvas_init(canvas *c, const results *r, int width, int height,
                 void (*warn)(const char *message))
{
    *c = (canvas){.r = r, .width = width, .height = height, .warn = warn};
    if (r->duration_s >= 5 * 3600.0) {
        c->per_s = 1.0 / 3600.0;
        c->time_label = "simulated time (hours)";
    } else if (r->duration_s >= 300.0) {
        c->per_s = 1.0 / 60.0;
        c->time_label = "simulated time (minutes)";
    } else {
        c->per_s = 1.0;
        c->time_label = "simulated time (seconds)";
    }
}

double canvas_x(const canvas *c, double seconds)
{
    return seconds * c->per_s;
}

const char *canvas_colour(long deployment)
{
    /* Tableau 10: distinct, colour-blind aware, calm enough to fill large areas. */
    static const char *const palette[] = {"#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2",
                                          "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"};
    size_t n = sizeof palette / sizeof palette[0];
    return palette[(size_t)(deployment < 0 ? 0 : deployment) % n];
}

void canvas_clip(char *buf, size_t size, const char *s, size_t max_chars)
{
    size_t used = 0, chars = 0;
    const char *p = s ? s : "";
    while (*p && chars < max_chars) {
        uint32_t cp;
        size_t len = text_utf8_next(p, &cp);
        len = len ? len : 1;
        if (used + len + 4 > size)
            break;
        memcpy(buf + used, p, len);
        used += len, p += len, chars++;
    }
    if (*p && used + 4 <= size) {
        memcpy(buf + used, "...", 3);
        used += 3;
    }
    buf[used] = '\0';
}

void canvas_title(char *buf, size_t size, const char *what, const results *r)
{
    char name[TITLE_NAME_CHARS * 4 + 8];
    canvas_clip(name, sizeof name, r->scenario, TITLE_NAME_CHARS);
    snprintf(buf, size, "%s (scenario %s)", what, name);
}

static size_t footer_lines(const results *r)
{
    return r->n_events < FOOTER_LINES ? r->n_events : FOOTER_LINES;
}

/* One line under the plot: the instant's number and time (on its first event), the command. */
static void footer_line(gnuplot *g, const canvas *c, size_t row, size_t instant, const char *when,
                        const char *text)
{
    double y = (double)(footer_lines(c->r) - row) - 0.4;
    const char *style = "font ',9' tc rgb '#333333'";
    if (instant) {
        gnuplot_printf(g, "set label '%zu' at character 2, character %.2f %s\n", instant, y, style);
        gnuplot_printf(g, "set label '%s' at character 5, character %.2f %s\n", when, y, style);
    }
    char clipped[1024];
    size_t room = (size_t)c->width / 7 > 24 ? (size_t)c->width / 7 - 16 : 8;
    canvas_clip(clipped, sizeof clipped, text, room);
    gnuplot_printf(g, "set label ");
    gnuplot_string(g, clipped);
    gnuplot_printf(g, " at character 13, character %.2f %s\n", y, style);
}

/* About where x falls across the canvas, in pixels (the plot takes some 70% of the width). */
static double approx_px(const canvas *c, double seconds)
{
    return 0.7 * c->width * seconds / c->r->duration_s;
}

/* A dotted line at an instant with events, and its number where it does not crowd the last
 * number drawn. */
static void mark_instant(gnuplot *g, const canvas *c, double at_s, size_t instant, double *last_px)
{
    double x = canvas_x(c, at_s), px = approx_px(c, at_s);
    gnuplot_printf(g,
                   "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead dt 3 lw 1.2 "
                   "lc rgb '%s' front\n",
                   x, x, mark_colour);
    double room = instant < 10 ? 20.0 : instant < 100 ? 30.0 : 38.0;
    if (px - *last_px < room)
        return;
    *last_px = px;
    gnuplot_printf(g,
                   "set label '%zu' at %.9g, graph 1 offset 0, 0.6 center font ',9' "
                   "tc rgb '%s' front\n",
                   instant, x, mark_colour);
}

/* The timeline's instants marked on the plot, their commands listed below it. */
static void timeline(gnuplot *g, const canvas *c)
{
    const results *r = c->r;
    size_t lines = footer_lines(r), instant = 0;
    double last_px = -1e9;
    for (size_t i = 0; i < r->n_events; i++) {
        const results_event *ev = &r->events[i];
        int first = i == 0 || ev->at_s != r->events[i - 1].at_s;
        char when[32];
        text_duration(when, sizeof when, ev->at_s);
        if (first)
            mark_instant(g, c, ev->at_s, ++instant, &last_px);
        if (i + 1 < lines || (i + 1 == lines && r->n_events == lines))
            footer_line(g, c, i, first ? instant : 0, when, ev->text);
    }
    if (r->n_events > lines) {
        char more[160];
        snprintf(more, sizeof more,
                 "... and %zu more events, all under Timeline in report.md and report.html",
                 r->n_events - lines + 1);
        footer_line(g, c, lines - 1, 0, "", more);
    }
    gnuplot_printf(g, "set bmargin %zu\n", lines + 4);
}

void canvas_setup(gnuplot *g, const canvas *c, const char *title, const char *ylabel)
{
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, title);
    gnuplot_printf(g, " font ',13' offset 0, 1.6\nset xlabel '%s'\nset ylabel ", c->time_label);
    gnuplot_string(g, ylabel);
    gnuplot_printf(g,
                   "\nset xrange [0:%.9g]\n"
                   "set border 3 lw 1 lc rgb '#666666'\n"
                   "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                   "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                   "set style fill solid 0.85 noborder\n"

                   "set tmargin 6\nset lmargin 14\n",
                   canvas_x(c, c->r->duration_s));
    timeline(g, c);
}

void canvas_key_events(gnuplot *g, const canvas *c)
{
    if (c->r->n_events > 0)
        gnuplot_printf(g,
                       ", keyentry with lines dt 3 lw 1.2 lc rgb '%s' "
                       "title 'timeline event (numbered below)'",
                       mark_colour);
}

struct canvas_job {
    char stem[128];
    char png_path[4096], svg_path[4096];
    outfile *png, *svg;
    gnuplot *g;     /* running; NULL when it could not be started */
    int bad_path;   /* the output folder's name has a line break */
    char msg[1024]; /* why gnuplot could not be started */
};

/* The script drawn to the PNG, then again to the SVG, sent to a new gnuplot session. */
static gnuplot *send(const canvas *c, canvas_job *job, canvas_script script, const void *arg)
{
    gnuplot *g = gnuplot_open(job->msg, sizeof job->msg);
    if (!g)
        return NULL;
    gnuplot_printf(g,
                   "set encoding utf8\nset terminal pngcairo size %d,%d font 'sans,10' "
                   "noenhanced\nset output ",
                   c->width, c->height);
    job->bad_path = gnuplot_path(g, outfile_temp_path(job->png)) != 0;
    if (!job->bad_path) {
        gnuplot_printf(g, "\n");
        script(g, c, arg);
        gnuplot_printf(g,
                       "unset output\nset terminal svg size %d,%d font 'sans,10' fontscale 1.3 "
                       "noenhanced name ",
                       c->width, c->height);
        char name[128];
        snprintf(name, sizeof name, "%s", job->stem);
        for (char *p = name; *p; p++)
            *p = *p == '-' ? '_' : *p;
        gnuplot_string(g, name);
        gnuplot_printf(g, "\nset output ");
        job->bad_path = gnuplot_path(g, outfile_temp_path(job->svg)) != 0;
        gnuplot_printf(g, "\nreplot\nunset output\n");
    }
    gnuplot_start(g);
    return g;
}

/* Wait for the job's gnuplot: how it went, and in msg its words or why it failed. */
static gnuplot_status wait_for(canvas_job *job, char *msg, size_t msglen)
{
    if (!job->g) {
        snprintf(msg, msglen, "%s", job->msg);
        return GNUPLOT_FAILED;
    }
    gnuplot_status status = gnuplot_close(job->g, msg, msglen);
    job->g = NULL;
    if (job->bad_path && status != GNUPLOT_MISSING) {
        snprintf(msg, msglen, "the output folder's name has a line break");
        return GNUPLOT_FAILED;
    }
    return status;
}

static int not_drawn(canvas *c, const char *stem, gnuplot_status status, const char *msg)
{
    char warning[1400];
    if (status == GNUPLOT_MISSING) {
        c->gnuplot_missing = 1;
        snprintf(warning, sizeof warning, "gnuplot not found: plots skipped; install gnuplot-nox");
    } else {
        snprintf(warning, sizeof warning, "plot %s not drawn: %s", stem, msg);
    }
    if (c->warn)
        c->warn(warning);
    return 0;
}

/* Did gnuplot finish the file? A PNG ends with its IEND chunk, an SVG with "</svg>"; a
 * file cut short (a full disk: gnuplot does not say so in its exit status) does not. */
static int complete(const outfile *f, int svg)
{
    static const char iend[] = "IEND\xae\x42\x60\x82";
    char tail[64];
    FILE *in = fopen(outfile_temp_path(f), "rb");
    size_t n = 0;
    if (in && fseek(in, -(long)sizeof tail, SEEK_END) != 0)
        rewind(in);
    if (in) {
        n = fread(tail, 1, sizeof tail, in);
        fclose(in);
    }
    if (svg) {
        while (n > 0 && strchr(" \t\r\n", tail[n - 1]))
            n--;
        return n >= 6 && memcmp(tail + n - 6, "</svg>", 6) == 0;
    }
    return n >= 8 && memcmp(tail + n - 8, iend, 8) == 0;
}

/* Too little room on the file system of path for gnuplot to have written a plot: the disk
 * is full. */
static int disk_full(const char *path)
{
    struct statvfs fs;
    return statvfs(path, &fs) == 0 && (double)fs.f_bavail * (double)fs.f_bsize < 1048576.0;
}

/* gnuplot's SVG terminal escapes '<' and '&' in text but not '>', so any text holding "]]>"
 * (a scenario's name, a command) makes the document invalid XML. Rewrite each "]]>" that
 * does not close a CDATA section as "]]&gt;", which reads the same. Returns 0, or -1 when
 * the file could not be read or rewritten. */
static int escape_cdata_ends(outfile *f)
{
    FILE *in = fopen(outfile_temp_path(f), "rb");
    char *text = NULL;
    long len = -1;
    if (in && fseek(in, 0, SEEK_END) == 0 && (len = ftell(in)) >= 0 &&
        fseek(in, 0, SEEK_SET) == 0 && (text = malloc((size_t)len + 1)) &&
        fread(text, 1, (size_t)len, in) != (size_t)len)
        len = -1;
    if (in)
        fclose(in);
    if (!text || len < 0) {
        free(text);
        return -1;
    }
    text[len] = '\0';
    if (!strstr(text, "]]>")) {
        free(text);
        return 0;
    }
    FILE *out = outfile_stream(f);
    int rc = ftruncate(fileno(out), 0);
    for (const char *p = text; rc == 0 && *p;) {
        const char *cdata = strstr(p, "<![CDATA["), *end = strstr(p, "]]>");
        if (cdata && (!end || cdata < end)) {
            /* copy the section whole, through its own end */
            const char *close = strstr(cdata, "]]>");
            size_t upto = close ? (size_t)(close + 3 - p) : strlen(p);
            fwrite(p, 1, upto, out);
            p += upto;
        } else if (end) {
            fwrite(p, 1, (size_t)(end - p), out);
            fputs("]]&gt;", out);
            p = end + 3;
        } else {
            fputs(p, out);
            break;
        }
    }
    free(text);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

int canvas_start(canvas *c, const char *dir, const char *stem, canvas_script script,
                 const void *arg, canvas_job **job, char *err, size_t errlen)
{
    *job = NULL;
    if (c->gnuplot_missing)
        return 0;
    canvas_job *j = calloc(1, sizeof *j);
    if (!j) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    snprintf(j->stem, sizeof j->stem, "%s", stem);
    if ((size_t)snprintf(j->png_path, sizeof j->png_path, "%s/%s.png", dir, stem) >=
            sizeof j->png_path ||
        (size_t)snprintf(j->svg_path, sizeof j->svg_path, "%s/%s.svg", dir, stem) >=
            sizeof j->svg_path) {
        snprintf(err, errlen, "output path too long: %s/%s.svg", dir, stem);
        free(j);
        return -1;
    }
    j->png = outfile_open(j->png_path, err, errlen);
    j->svg = j->png ? outfile_open(j->svg_path, err, errlen) : NULL;
    if (!j->svg) {
        outfile_abort(j->png);
        free(j);
        return -1;
    }
    j->g = send(c, j, script, arg);
    *job = j;
    return 1;
}

static void discard(canvas_job *job)
{
    outfile_abort(job->png);
    outfile_abort(job->svg);
    free(job);
}

void canvas_cancel(canvas_job *job)
{
    char msg[1024];
    if (job->g)
        gnuplot_close(job->g, msg, sizeof msg);
    discard(job);
}

int canvas_finish(canvas *c, canvas_job *job, char *err, size_t errlen)
{
    char msg[1024];
    gnuplot_status status = wait_for(job, msg, sizeof msg);
    if (c->gnuplot_missing) { /* said by the job that found it */
        discard(job);
        return 0;
    }
    int png_done = complete(job->png, 0), svg_done = complete(job->svg, 1);
    const char *stem = job->stem;
    if (status != GNUPLOT_MISSING && (!png_done || !svg_done) &&
        disk_full(outfile_temp_path(job->png))) {
        outfile_error(err, errlen, "write", png_done ? job->svg_path : job->png_path, ENOSPC);
        discard(job);
        return -1;
    }
    if (status == GNUPLOT_OK && (!png_done || !svg_done)) {
        status = GNUPLOT_FAILED;
        snprintf(msg, sizeof msg, "gnuplot exited without finishing %s.%s", stem,
                 png_done ? "svg" : "png");
    }
    if (status != GNUPLOT_OK) {
        int rc = not_drawn(c, stem, status, msg);
        discard(job);
        return rc;
    }
    if (msg[0] && c->warn) {
        char warning[1200];
        snprintf(warning, sizeof warning, "plot %s: gnuplot: %s", stem, msg);
        c->warn(warning);
    }
    if (escape_cdata_ends(job->svg) != 0) {
        outfile_error(err, errlen, "rewrite", job->svg_path, errno ? errno : EIO);
        discard(job);
        return -1;
    }
    int rc = outfile_commit(job->png, err, errlen);
    job->png = NULL;
    if (rc != 0) {
        discard(job);
        return -1;
    }
    rc = outfile_commit(job->svg, err, errlen);
    job->svg = NULL;
    free(job);
    return rc == 0 ? 1 : -1;
}

int canvas_render(canvas *c, const char *dir, const char *stem, canvas_script script,
                  const void *arg, char *err, size_t errlen)
{
    canvas_job *job;
    int rc = canvas_start(c, dir, stem, script, arg, &job, err, errlen);
    return rc == 1 ? canvas_finish(c, job, err, errlen) : rc;
}
