/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/replay_report.h"

#include "plots/replayplot.h"
#include "reports/report_json.h"
#include "views/outfile.h"
#include "views/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *figure_unit(replay_figure f)
{
    return f == REPLAY_SHARE || f == REPLAY_UTILIZATION ? "fraction"
           : f == REPLAY_READY                          ? "replicas"
                                                        : "s";
}

static void headline(FILE *out, const replay_result *r)
{
    fprintf(out,
            "%s: the model %s the recording within its own noise (%zu replications; a window is "
            "outside when the observed figure is beyond every replication's, chance %.3g per "
            "window if the model is right; false-alarm rate %g)",
            r->explained ? "EXPLAINED" : "NOT EXPLAINED",
            r->explained ? "explains" : "does not explain", r->replications, r->rate, r->alpha);
}

void replay_report_summary(FILE *out, const replay_result *r)
{
    fprintf(out, "Replay of %s through %s\n", r->metrics, r->scenario);
    fprintf(out, "  %-12s %8s %8s %8s %10s %9s  %s\n", "figure", "windows", "outside", "allowed",
            "p-value", "MAPE", "verdict");
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        const replay_figure_summary *s = &r->figures[f];
        if (!s->compared)
            continue;
        char mape[32];
        if (isfinite(s->mape))
            snprintf(mape, sizeof mape, "%.1f%%", s->mape);
        else
            snprintf(mape, sizeof mape, "-");
        fprintf(out, "  %-12s %8zu %8zu %8zu %10.3g %9s  %s\n",
                replay_figure_name((replay_figure)f), s->judged, s->outside, s->allowed, s->p_value,
                mape, s->explained ? "explained" : "NOT EXPLAINED");
    }
    headline(out, r);
    fputc('\n', out);
}

static void json_number(FILE *out, double x)
{
    char buf[64];
    if (!isfinite(x)) {
        fputs("null", out);
        return;
    }
    text_exact(buf, sizeof buf, x);
    fputs(buf, out);
}

static int write_json(FILE *out, const void *arg)
{
    const replay_result *r = arg;
    fputs("{\n  \"scenario\": ", out);
    report_json_string(out, r->scenario);
    fputs(",\n  \"metrics\": ", out);
    report_json_string(out, r->metrics);
    fprintf(out, ",\n  \"seed\": %llu,\n  \"replications\": %zu,\n  \"alpha\": ",
            (unsigned long long)r->seed, r->replications);
    json_number(out, r->alpha);
    fputs(",\n  \"outside_rate\": ", out);
    json_number(out, r->rate);
    fprintf(out, ",\n  \"explained\": %s,\n  \"figures\": [", r->explained ? "true" : "false");
    int first = 1;
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        const replay_figure_summary *s = &r->figures[f];
        if (!s->compared)
            continue;
        fprintf(out,
                "%s\n    {\"figure\": \"%s\", \"unit\": \"%s\", \"windows\": %zu, \"outside\": "
                "%zu, \"allowed\": %zu, \"p_value\": ",
                first ? "" : ",", replay_figure_name((replay_figure)f),
                figure_unit((replay_figure)f), s->judged, s->outside, s->allowed);
        json_number(out, s->p_value);
        fputs(", \"mape_percent\": ", out);
        json_number(out, s->mape);
        fprintf(out, ", \"explained\": %s}", s->explained ? "true" : "false");
        first = 0;
    }
    fputs("\n  ],\n  \"windows\": [", out);
    for (size_t w = 0; w < r->n_windows; w++) {
        const replay_window *win = &r->windows[w];
        fprintf(out, "%s\n    {\"time\": ", w ? "," : "");
        json_number(out, win->time_s);
        fputs(", \"deployment\": ", out);
        report_json_string(out, r->deployments[win->deployment]);
        fprintf(out, ", \"line\": %u", win->line);
        for (int f = 0; f < REPLAY_N_FIGURES; f++) {
            if (!r->figures[f].compared)
                continue;
            fprintf(out, ", \"%s\": {\"observed\": ", replay_figure_name((replay_figure)f));
            json_number(out, win->observed[f]);
            fputs(", \"low\": ", out);
            json_number(out, win->low[f]);
            fputs(", \"median\": ", out);
            json_number(out, win->median[f]);
            fputs(", \"high\": ", out);
            json_number(out, win->high[f]);
            fprintf(out, ", \"outside\": %s}",
                    win->outside[f] < 0 ? "null"
                    : win->outside[f]   ? "true"
                                        : "false");
        }
        fputc('}', out);
    }
    fputs("\n  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

static void table_md(FILE *out, const replay_result *r)
{
    fputs("| Figure | Windows judged | Outside | Allowed | p-value | MAPE | Verdict |\n"
          "|---|---|---|---|---|---|---|\n",
          out);
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        const replay_figure_summary *s = &r->figures[f];
        if (!s->compared)
            continue;
        fprintf(out, "| %s | %zu | %zu | %zu | %.3g | ", replay_figure_name((replay_figure)f),
                s->judged, s->outside, s->allowed, s->p_value);
        if (isfinite(s->mape))
            fprintf(out, "%.1f%%", s->mape);
        else
            fputs("-", out);
        fprintf(out, " | %s |\n", s->explained ? "explained" : "NOT EXPLAINED");
    }
}

typedef struct {
    const replay_result *r;
    int drawn[REPLAY_N_FIGURES];
    char *svg[REPLAY_N_FIGURES];
} report_args;

static int write_md(FILE *out, const void *arg)
{
    const report_args *a = arg;
    const replay_result *r = a->r;
    fputs("# Replay: ", out);
    text_md(out, r->scenario, 0);
    fputs("\n\n**", out);
    headline(out, r);
    fputs(".**\n\nRecording: ", out);
    text_md(out, r->metrics, 0);
    fputs(". The rule: per figure, the windows outside the replications' range are counted; "
          "the figure is explained when the count is at most the Binomial quantile at 1 - "
          "alpha / F (F figures). Windows are assumed independent: neighbouring windows of a "
          "queue are correlated, which raises the real false-alarm rate.\n\n",
          out);
    table_md(out, r);
    for (int f = 0; f < REPLAY_N_FIGURES; f++)
        if (a->drawn[f])
            fprintf(out, "\n![%s](replay-%s.svg)\n", replay_figure_name((replay_figure)f),
                    replay_figure_name((replay_figure)f));
    return ferror(out) ? -1 : 0;
}

static int write_html(FILE *out, const void *arg)
{
    const report_args *a = arg;
    const replay_result *r = a->r;
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<title>Replay: ",
          out);
    text_xml(out, r->scenario, 0);
    fputs(" (routersim)</title>\n<style>body{font-family:sans-serif;max-width:80em;margin:2em auto;"
          "padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
          "0.2em 0.6em}</style>\n</head>\n<body>\n<main>\n<h1>Replay: ",
          out);
    text_xml(out, r->scenario, 0);
    fputs("</h1>\n<p><strong>", out);
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return -1;
    headline(mem, r);
    fclose(mem);
    text_xml(out, text ? text : "", 0);
    free(text);
    fputs("</strong></p>\n<table>\n<tr><th>Figure</th><th>Windows judged</th><th>Outside</th>"
          "<th>Allowed</th><th>p-value</th><th>MAPE</th><th>Verdict</th></tr>\n",
          out);
    for (int f = 0; f < REPLAY_N_FIGURES; f++) {
        const replay_figure_summary *s = &r->figures[f];
        if (!s->compared)
            continue;
        fprintf(out, "<tr><td>%s</td><td>%zu</td><td>%zu</td><td>%zu</td><td>%.3g</td><td>",
                replay_figure_name((replay_figure)f), s->judged, s->outside, s->allowed,
                s->p_value);
        if (isfinite(s->mape))
            fprintf(out, "%.1f%%", s->mape);
        else
            fputs("-", out);
        fprintf(out, "</td><td>%s</td></tr>\n", s->explained ? "explained" : "NOT EXPLAINED");
    }
    fputs("</table>\n", out);
    for (int f = 0; f < REPLAY_N_FIGURES; f++)
        if (a->svg[f]) {
            const char *start = strstr(a->svg[f], "<svg");
            fprintf(out, "<h2>%s</h2>\n%s\n", replay_figure_name((replay_figure)f),
                    start ? start : "");
        }
    fputs("</main>\n</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}

static int write_file(const char *dir, const char *name, int (*body)(FILE *, const void *),
                      const void *arg, char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (body(outfile_stream(f), arg) != 0) {
        outfile_abort(f);
        snprintf(err, errlen, "cannot write %s", path);
        return -1;
    }
    return outfile_commit(f, err, errlen);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t len = 0;
    if (!f)
        return NULL;
    FILE *mem = open_memstream(&text, &len);
    if (mem) {
        char buf[8192];
        size_t got;
        while ((got = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, got, mem);
        fclose(mem);
    }
    fclose(f);
    return text;
}

/* The plot of figure f: one series per deployment. Returns 1, 0 or -1. */
static int draw(const char *dir, const replay_result *r, replay_figure f,
                void (*warn)(const char *message), char *err, size_t errlen)
{
    size_t nw = r->n_windows, nd = r->n_deployments;
    double *t = calloc(nw + 1, sizeof *t), *lo = calloc(nw + 1, sizeof *lo),
           *me = calloc(nw + 1, sizeof *me), *hi = calloc(nw + 1, sizeof *hi),
           *ob = calloc(nw + 1, sizeof *ob);
    int *out = calloc(nw + 1, sizeof *out);
    replayplot_series *lines = calloc(nd + 1, sizeof *lines);
    int rc = -1;
    if (!t || !lo || !me || !hi || !ob || !out || !lines) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    size_t k = 0;
    for (size_t d = 0; d < nd; d++) {
        replayplot_series *s = &lines[d];
        size_t first = k;
        for (size_t w = 0; w < nw; w++) {
            const replay_window *win = &r->windows[w];
            if (win->deployment != d)
                continue;
            t[k] = win->sim_s;
            lo[k] = win->low[f];
            me[k] = win->median[f];
            hi[k] = win->high[f];
            ob[k] = win->observed[f];
            out[k] = win->outside[f];
            k++;
        }
        *s = (replayplot_series){r->deployments[d], k - first,  t + first,  lo + first,
                                 me + first,        hi + first, ob + first, out + first};
    }
    char title[256], stem[64];
    snprintf(title, sizeof title, "Replay: %s, observed against the model (scenario %s)",
             replay_figure_name(f), r->scenario);
    snprintf(stem, sizeof stem, "replay-%s", replay_figure_name(f));
    replayplot p = {title, figure_unit(f), nd, lines};
    rc = replayplot_draw(dir, stem, &p, warn, err, errlen);
done:
    free(t);
    free(lo);
    free(me);
    free(hi);
    free(ob);
    free(out);
    free(lines);
    return rc;
}

int replay_report_write(const char *dir, const replay_result *r, int plots,
                        void (*warn)(const char *message), char *err, size_t errlen)
{
    report_args a = {.r = r};
    int rc = 0;
    for (int f = 0; plots && rc == 0 && f < REPLAY_N_FIGURES; f++) {
        if (!r->figures[f].compared)
            continue;
        int drawn = draw(dir, r, (replay_figure)f, warn, err, errlen);
        if (drawn < 0) {
            rc = -1;
        } else if (drawn > 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/replay-%s.svg", dir,
                     replay_figure_name((replay_figure)f));
            a.svg[f] = slurp(path);
            a.drawn[f] = a.svg[f] != NULL;
        }
    }
    if (rc == 0)
        rc = write_file(dir, "replay.json", write_json, r, err, errlen) != 0 ||
                     write_file(dir, "replay.md", write_md, &a, err, errlen) != 0 ||
                     write_file(dir, "replay.html", write_html, &a, err, errlen) != 0
                 ? -1
                 : 0;
    for (int f = 0; f < REPLAY_N_FIGURES; f++)
        free(a.svg[f]);
    return rc;
}
