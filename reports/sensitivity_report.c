/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/sensitivity_report.h"

#include "plots/canvas.h"
#include "plots/tornado.h"
#include "reports/report_json.h"
#include "views/outfile.h"
#include "views/text.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict_word(const sensitivity_outcome *o)
{
    return !o->present ? "absent" : o->pass ? "pass" : "fail";
}

/* A parameter's value as the scenario writes it: "245.3ms". */
static void value_text(char *buf, size_t size, double v, const char *unit)
{
    snprintf(buf, size, "%.4g%s", v, unit);
}

/* "fails above 245ms" or "passes above 245ms": what happens past the flip, going up. */
static void flip_text(char *buf, size_t size, const sensitivity_flip *f, const char *unit)
{
    char at[64];
    value_text(at, sizeof at, f->at, unit);
    snprintf(buf, size, "%s above %s", f->pass_below ? "fails" : "passes", at);
}

void sensitivity_report_statement(FILE *out, const sensitivity_result *r)
{
    const char *verdict = verdict_word(&r->checks[0].nominal);
    if (sensitivity_holds(r)) {
        fprintf(out, "The verdict (%s) holds across the parameter uncertainty: no value of ",
                verdict);
        for (size_t p = 0; p < r->n_params; p++)
            fprintf(out, "%s%s", p ? (p + 1 == r->n_params ? " or " : ", ") : "", r->params[p].key);
        fprintf(out, " in %s interval%s changes a check's verdict.",
                r->n_params > 1 ? "their" : "its", r->n_corners ? " (corners included)" : "");
        return;
    }
    fprintf(out, "The verdict (%s) hangs on ", verdict);
    int first_param = 1;
    for (size_t p = 0; p < r->n_params; p++) {
        int first = 1;
        for (size_t c = 0; c < r->n_checks; c++) {
            const sensitivity_cell *cell = sensitivity_cell_of(r, p, c);
            if (!cell->differs && cell->n_flips == 0)
                continue;
            fprintf(out, "%s%s%s", first ? (first_param ? "" : "; ") : ", ",
                    first ? r->params[p].key : "", first ? " (" : "");
            fprintf(out, "%s%s", c == 0 ? "" : "check ", r->checks[c].name);
            first = first_param = 0;
            for (size_t f = 0; f < cell->n_flips; f++) {
                char buf[128];
                flip_text(buf, sizeof buf, &cell->flips[f], r->params[p].unit);
                fprintf(out, "%s%s", f ? " and " : " ", buf);
            }
            if (cell->n_flips == 0)
                fputs(" differs within the interval", out);
        }
        if (!first)
            fputc(')', out);
    }
    if (first_param)
        fputs("the corners of the intervals (parameters together)", out);
    fputc('.', out);
}

void sensitivity_report_summary(FILE *out, const sensitivity_result *r)
{
    fprintf(
        out, "Sensitivity of %s: %zu parameter%s, %zu values each, %zu replicated runs of %zu\n",
        r->scenario, r->n_params, r->n_params == 1 ? "" : "s", r->points, r->runs, r->replications);
    for (size_t c = 0; c < r->n_checks; c++) {
        fprintf(out, "  %s: %s nominally\n", r->checks[c].name,
                verdict_word(&r->checks[c].nominal));
        for (size_t p = 0; p < r->n_params; p++) {
            const sensitivity_cell *cell = sensitivity_cell_of(r, p, c);
            if (!cell->differs && cell->n_flips == 0)
                continue;
            fprintf(out, "    %s:", r->params[p].key);
            for (size_t f = 0; f < cell->n_flips; f++) {
                char buf[128];
                flip_text(buf, sizeof buf, &cell->flips[f], r->params[p].unit);
                fprintf(out, "%s %s", f ? "," : "", buf);
            }
            fputc('\n', out);
        }
    }
    sensitivity_report_statement(out, r);
    fputc('\n', out);
}

/* ---- sensitivity.json ----------------------------------------------------------------- */

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

static void json_outcome(FILE *out, const sensitivity_outcome *o)
{
    fprintf(out, "{\"verdict\": \"%s\", \"passes\": %zu, \"replications\": %zu, \"mean\": ",
            verdict_word(o), o->passes, o->n);
    json_number(out, o->mean);
    fputs(", \"limit\": ", out);
    json_number(out, o->limit);
    fputc('}', out);
}

static void json_cell(FILE *out, const sensitivity_result *r, size_t p, size_t c)
{
    const sensitivity_cell *cell = sensitivity_cell_of(r, p, c);
    fputs("{\"parameter\": ", out);
    report_json_string(out, r->params[p].key);
    fprintf(out, ", \"can_flip\": %s, \"more_flips\": %s, \"min_mean\": ",
            cell->differs || cell->n_flips ? "true" : "false", cell->more_flips ? "true" : "false");
    json_number(out, cell->min_mean);
    fputs(", \"max_mean\": ", out);
    json_number(out, cell->max_mean);
    fputs(", \"flips\": [", out);
    for (size_t f = 0; f < cell->n_flips; f++) {
        const sensitivity_flip *fl = &cell->flips[f];
        char text[64];
        value_text(text, sizeof text, fl->at, r->params[p].unit);
        fprintf(out, "%s{\"at\": ", f ? ", " : "");
        json_number(out, fl->at);
        fputs(", \"at_text\": ", out);
        report_json_string(out, text);
        fputs(", \"bracket\": [", out);
        json_number(out, fl->bracket_low);
        fputs(", ", out);
        json_number(out, fl->bracket_high);
        fprintf(out, "], \"below\": \"%s\", \"above\": \"%s\"}", fl->pass_below ? "pass" : "fail",
                fl->pass_below ? "fail" : "pass");
    }
    fputs("], \"sweep\": [", out);
    for (size_t k = 0; k < r->points; k++) {
        fprintf(out, "%s{\"value\": ", k ? ", " : "");
        json_number(out, r->values[p * r->points + k]);
        fputs(", \"outcome\": ", out);
        json_outcome(out, &cell->sweep[k]);
        fputc('}', out);
    }
    fputs("]}", out);
}

static int write_json(FILE *out, const char *source, const sensitivity_result *r)
{
    fputs("{\n  \"scenario\": ", out);
    report_json_string(out, r->scenario);
    fputs(",\n  \"source\": ", out);
    report_json_string(out, source);
    fprintf(out,
            ",\n  \"seed\": %llu,\n  \"replications\": %zu,\n  \"points\": %zu,\n"
            "  \"runs\": %zu,\n  \"pass_rate\": ",
            (unsigned long long)r->seed, r->replications, r->points, r->runs);
    json_number(out, r->rule.pass_rate);
    fputs(",\n  \"confidence\": ", out);
    json_number(out, r->rule.confidence);
    fprintf(out, ",\n  \"holds\": %s,\n  \"statement\": ", sensitivity_holds(r) ? "true" : "false");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return -1;
    sensitivity_report_statement(mem, r);
    if (fclose(mem) != 0) {
        free(text);
        return -1;
    }
    report_json_string(out, text);
    free(text);
    fputs(",\n  \"parameters\": [", out);
    for (size_t p = 0; p < r->n_params; p++) {
        const scenario_uncertain *u = &r->params[p];
        fprintf(out, "%s\n    {\"key\": ", p ? "," : "");
        report_json_string(out, u->key);
        fputs(", \"low\": ", out);
        json_number(out, u->low);
        fputs(", \"high\": ", out);
        json_number(out, u->high);
        fputs(", \"unit\": ", out);
        report_json_string(out, u->unit);
        fputc('}', out);
    }
    fputs("\n  ],\n  \"checks\": [", out);
    for (size_t c = 0; c < r->n_checks; c++) {
        fprintf(out, "%s\n    {\"name\": ", c ? "," : "");
        report_json_string(out, r->checks[c].name);
        fputs(", \"key\": ", out);
        report_json_string(out, r->checks[c].key);
        fputs(", \"unit\": ", out);
        report_json_string(out, r->checks[c].unit);
        fputs(", \"nominal\": ", out);
        json_outcome(out, &r->checks[c].nominal);
        fputs(",\n     \"parameters\": [", out);
        for (size_t p = 0; p < r->n_params; p++) {
            fputs(p ? ",\n       " : "\n       ", out);
            json_cell(out, r, p, c);
        }
        fputs("]}", out);
    }
    fputs("\n  ],\n  \"corners\": [", out);
    for (size_t k = 0; k < r->n_corners; k++) {
        fprintf(out, "%s\n    {\"high\": [", k ? "," : "");
        for (size_t p = 0; p < r->n_params; p++)
            fprintf(out, "%s%s", p ? ", " : "", (k >> p) & 1 ? "true" : "false");
        fputs("], \"verdicts\": [", out);
        for (size_t c = 0; c < r->n_checks; c++)
            fprintf(out, "%s\"%s\"", c ? ", " : "", verdict_word(&r->corners[k * r->n_checks + c]));
        fputs("]}", out);
    }
    fputs("\n  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- sensitivity.md and sensitivity.html ------------------------------------------------ */

/* The end figures of a cell: the check's mean with the parameter at its low and high end. */
static void cell_ends(const sensitivity_result *r, size_t p, size_t c,
                      const sensitivity_outcome **lo, const sensitivity_outcome **hi)
{
    const sensitivity_cell *cell = sensitivity_cell_of(r, p, c);
    *lo = &cell->sweep[0];
    *hi = &cell->sweep[r->points - 1];
}

static void flips_cell(char *buf, size_t size, const sensitivity_result *r, size_t p, size_t c)
{
    const sensitivity_cell *cell = sensitivity_cell_of(r, p, c);
    size_t used = 0;
    buf[0] = '\0';
    for (size_t f = 0; f < cell->n_flips && used < size; f++) {
        char one[128];
        flip_text(one, sizeof one, &cell->flips[f], r->params[p].unit);
        used += (size_t)snprintf(buf + used, size - used, "%s%s", f ? ", " : "", one);
    }
    if (!cell->n_flips)
        snprintf(buf, size, "%s", cell->differs ? "differs from nominal" : "never");
}

static int write_md(FILE *out, const sensitivity_result *r, int plotted)
{
    fputs("# Sensitivity: ", out);
    text_md(out, r->scenario, 0);
    fprintf(out, "\n\n**%s.** ", sensitivity_holds(r) ? "HOLDS" : "HANGS ON A PARAMETER");
    sensitivity_report_statement(out, r);
    fprintf(out,
            "\n\nEach parameter was set to %zu evenly spaced values across its interval, the "
            "others at the scenario's values; each value is %zu replication%s from seed %llu "
            "(common random numbers), %zu replicated runs in all. A flip's value is located "
            "by bisection.\n\n",
            r->points, r->replications, r->replications == 1 ? "" : "s",
            (unsigned long long)r->seed, r->runs);
    fputs("| Parameter | Low | High |\n|---|---|---|\n", out);
    for (size_t p = 0; p < r->n_params; p++) {
        char lo[64], hi[64];
        value_text(lo, sizeof lo, r->params[p].low, r->params[p].unit);
        value_text(hi, sizeof hi, r->params[p].high, r->params[p].unit);
        fputs("| ", out);
        text_md(out, r->params[p].key, 1);
        fprintf(out, " | %s | %s |\n", lo, hi);
    }
    fputs("\n## Checks\n\n| Check | Nominal | Parameter | Mean at low | Mean at high | "
          "Verdict at low | Verdict at high | Flips |\n|---|---|---|---|---|---|---|---|\n",
          out);
    for (size_t c = 0; c < r->n_checks; c++)
        for (size_t p = 0; p < r->n_params; p++) {
            const sensitivity_outcome *lo, *hi;
            cell_ends(r, p, c, &lo, &hi);
            char flips[512];
            flips_cell(flips, sizeof flips, r, p, c);
            fputs("| ", out);
            text_md(out, r->checks[c].name, 1);
            fprintf(out, " | %s | ", verdict_word(&r->checks[c].nominal));
            text_md(out, r->params[p].key, 1);
            fprintf(out, " | %.4g | %.4g | %s | %s | %s |\n", lo->mean, hi->mean, verdict_word(lo),
                    verdict_word(hi), flips);
        }
    if (r->n_corners) {
        fputs("\n## Corners\n\nEvery parameter at one end of its interval at once.\n\n"
              "| Parameters at their high end | Run | Failing checks |\n|---|---|---|\n",
              out);
        for (size_t k = 0; k < r->n_corners; k++) {
            const sensitivity_outcome *o = &r->corners[k * r->n_checks];
            fputs("| ", out);
            int any = 0;
            for (size_t p = 0; p < r->n_params; p++)
                if ((k >> p) & 1) {
                    fputs(any ? ", " : "", out);
                    text_md(out, r->params[p].key, 1);
                    any = 1;
                }
            fprintf(out, "%s | %s | ", any ? "" : "none", verdict_word(o));
            size_t failing = 0;
            for (size_t c = 1; c < r->n_checks; c++)
                failing += o[c].present && !o[c].pass;
            fprintf(out, "%zu |\n", failing);
        }
    }
    if (plotted)
        fputs("\n## Tornado\n\n![tornado](tornado.svg)\n", out);
    return ferror(out) ? -1 : 0;
}

static int write_html(FILE *out, const sensitivity_result *r, const char *svg)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n<title>Sensitivity: ",
          out);
    text_xml(out, r->scenario, 0);
    fputs(" (routersim)</title>\n<style>body{font-family:sans-serif;max-width:80em;margin:2em auto;"
          "padding:0 1em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:"
          "0.2em 0.6em}.fail{color:#b00}.pass{color:#070}</style>\n</head>\n<body>\n<main>\n"
          "<h1>Sensitivity: ",
          out);
    text_xml(out, r->scenario, 0);
    fprintf(out, "</h1>\n<p><strong>%s.</strong> ",
            sensitivity_holds(r) ? "Holds" : "Hangs on a parameter");
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    if (!mem)
        return -1;
    sensitivity_report_statement(mem, r);
    if (fclose(mem) != 0) {
        free(text);
        return -1;
    }
    text_xml(out, text, 0);
    free(text);
    fprintf(out,
            "</p>\n<p>%zu values per parameter, %zu replications each from seed %llu "
            "(common random numbers), %zu replicated runs.</p>\n",
            r->points, r->replications, (unsigned long long)r->seed, r->runs);
    fputs("<table>\n<tr><th>Check</th><th>Nominal</th><th>Parameter</th><th>Mean at low</th>"
          "<th>Mean at high</th><th>At low</th><th>At high</th><th>Flips</th></tr>\n",
          out);
    for (size_t c = 0; c < r->n_checks; c++)
        for (size_t p = 0; p < r->n_params; p++) {
            const sensitivity_outcome *lo, *hi;
            cell_ends(r, p, c, &lo, &hi);
            char flips[512];
            flips_cell(flips, sizeof flips, r, p, c);
            fputs("<tr><td>", out);
            text_xml(out, r->checks[c].name, 0);
            fprintf(out, "</td><td class=\"%s\">%s</td><td>", verdict_word(&r->checks[c].nominal),
                    verdict_word(&r->checks[c].nominal));
            text_xml(out, r->params[p].key, 0);
            fprintf(out,
                    "</td><td>%.4g</td><td>%.4g</td><td class=\"%s\">%s</td>"
                    "<td class=\"%s\">%s</td><td>",
                    lo->mean, hi->mean, verdict_word(lo), verdict_word(lo), verdict_word(hi),
                    verdict_word(hi));
            text_xml(out, flips, 0);
            fputs("</td></tr>\n", out);
        }
    fputs("</table>\n", out);
    if (svg) {
        /* the SVG document without its XML declaration, inline */
        const char *start = strstr(svg, "<svg");
        fprintf(out, "<h2>Tornado</h2>\n%s\n", start ? start : "");
    }
    fputs("</main>\n</body>\n</html>\n", out);
    return ferror(out) ? -1 : 0;
}

/* ---- the files ------------------------------------------------------------------------ */

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

typedef struct {
    const sensitivity_result *r;
    const char *source, *svg;
    int plotted;
} report_args;

static int json_body(FILE *out, const void *arg)
{
    const report_args *a = arg;
    return write_json(out, a->source, a->r);
}

static int md_body(FILE *out, const void *arg)
{
    const report_args *a = arg;
    return write_md(out, a->r, a->plotted);
}

static int html_body(FILE *out, const void *arg)
{
    const report_args *a = arg;
    return write_html(out, a->r, a->svg);
}

/* The tornado's bars: each parameter against each check with a positive limit, as value /
 * limit. Returns drawn (1), not drawn (0) or -1. */
static int draw_tornado(const char *dir, const sensitivity_result *r,
                        void (*warn)(const char *message), char *err, size_t errlen)
{
    size_t n = 0, cap = r->n_params * r->n_checks;
    tornado_bar *bars = calloc(cap ? cap : 1, sizeof *bars);
    char(*labels)[160] = calloc(cap ? cap : 1, sizeof *labels);
    int rc = -1;
    if (!bars || !labels) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    for (size_t c = 1; c < r->n_checks; c++) {
        double limit = r->checks[c].nominal.limit;
        if (!(limit > 0) || !isfinite(r->checks[c].nominal.mean))
            continue;
        for (size_t p = 0; p < r->n_params; p++) {
            const sensitivity_outcome *lo, *hi;
            cell_ends(r, p, c, &lo, &hi);
            /* the key's end tells parameters apart: "...service_time.mean" */
            const char *key = r->params[p].key;
            size_t len = strlen(key);
            char full[512];
            snprintf(full, sizeof full, "%s%s: %s", len > 28 ? "..." : "",
                     len > 28 ? key + len - 25 : key, r->checks[c].key);
            canvas_clip(labels[n], sizeof labels[n], full, 48);
            bars[n] = (tornado_bar){labels[n], r->checks[c].nominal.mean / limit, lo->mean / limit,
                                    hi->mean / limit};
            n++;
        }
    }
    rc = 0;
    if (n > 0) {
        char title[256];
        snprintf(title, sizeof title, "Sensitivity of the checks (scenario %s)", r->scenario);
        tornado t = {title, "check value / limit (above 1 fails)", 1.0, n, bars};
        rc = tornado_draw(dir, "tornado", &t, warn, err, errlen);
    }
done:
    free(bars);
    free(labels);
    return rc;
}

/* The whole file, or NULL. */
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

int sensitivity_report_write(const char *dir, const char *source, const sensitivity_result *r,
                             int plots, void (*warn)(const char *message), char *err, size_t errlen)
{
    report_args a = {.r = r, .source = source};
    char *svg = NULL;
    if (plots) {
        int drawn = draw_tornado(dir, r, warn, err, errlen);
        if (drawn < 0)
            return -1;
        if (drawn > 0) {
            char path[4096];
            snprintf(path, sizeof path, "%s/tornado.svg", dir);
            svg = slurp(path);
            a.plotted = svg != NULL;
        }
    }
    a.svg = svg;
    int rc = write_file(dir, "sensitivity.json", json_body, &a, err, errlen) != 0 ||
                     write_file(dir, "sensitivity.md", md_body, &a, err, errlen) != 0 ||
                     write_file(dir, "sensitivity.html", html_body, &a, err, errlen) != 0
                 ? -1
                 : 0;
    free(svg);
    return rc;
}
