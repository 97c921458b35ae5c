/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/srm_report.h"

#include "plots/seqplot.h"
#include "reports/report_json.h"
#include "views/outfile.h"
#include "views/text.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *verdict(const srm_phase *ph)
{
    return ph->passed ? splittest_verdict_name(ph->test.verdict) : "fail";
}

/* "3h10m" or "unknown" for what the plan could not say. */
static void needed_time(char *buf, size_t size, const srmpower_phase *p)
{
    if (isfinite(p->needed_s))
        text_duration(buf, size, ceil(p->needed_s));
    else
        snprintf(buf, size, "unknown");
}

void srm_report_plan_line(char *buf, size_t size, const srmpower_phase *power,
                          const char *deployment, double target)
{
    const srmpower_plan *p = &power->plan;
    if (p->df == 0) {
        snprintf(buf, size, "nothing to detect: fewer than two deployments with a share");
        return;
    }
    char when[32];
    needed_time(when, sizeof when, power);
    if (p->needed_reachable)
        snprintf(buf, size,
                 "power %.1f%% to detect %s at %.2f%% instead of %.2f%%; %.0f%% power needs "
                 "%" PRIu64 " requests (%s at this phase's rate)%s",
                 100.0 * p->power, deployment, 100.0 * p->to, 100.0 * p->from, 100.0 * target,
                 p->needed, when, power->underpowered ? ": UNDER-POWERED" : "");
    else
        snprintf(buf, size, "power %.1f%% to detect %s at %.2f%% instead of %.2f%%%s",
                 100.0 * p->power, deployment, 100.0 * p->to, 100.0 * p->from,
                 power->underpowered ? ": UNDER-POWERED" : "");
}

static void json_number_or_null(FILE *out, double x)
{
    if (isfinite(x))
        text_put_g(out, x, 10);
    else
        fputs("null", out);
}

void srm_report_plan_json(FILE *out, const srmpower_phase *power, const char *deployment,
                          double target)
{
    const srmpower_plan *p = &power->plan;
    if (p->df == 0) {
        fputs("null", out);
        return;
    }
    fputs("{\"deployment\": ", out);
    report_json_string(out, deployment);
    /* once per phase, a thousand at fleet scale: text_put_g, not fprintf */
    text_put(out, ", \"from\": ");
    text_put_g(out, p->from, 10);
    text_put(out, ", \"to\": ");
    text_put_g(out, p->to, 10);
    text_put(out, ", \"power\": ");
    text_put_g(out, p->power, 10);
    text_put(out, ", \"power_error\": ");
    text_put_g(out, p->power_error, 3);
    text_put(out, ", \"target_power\": ");
    text_put_g(out, target, 10);
    text_put(out, ", \"needed_requests\": ");
    if (p->needed_reachable)
        text_put_u64(out, p->needed);
    else
        text_put(out, "null");
    text_put(out, ", \"rate_per_s\": ");
    text_put_g(out, power->rate_per_s, 10);
    text_put(out, ", \"needed_s\": ");
    json_number_or_null(out, power->needed_s);
    text_put(out, power->underpowered ? ", \"underpowered\": true}" : ", \"underpowered\": false}");
}

/* The plan line of an srm phase. */
static void plan_line(char *buf, size_t size, const srm_phase *ph, double target)
{
    const char *moved = ph->power.plan.df ? ph->deployments[ph->power.plan.which].name : "";
    srm_report_plan_line(buf, size, &ph->power, moved, target);
}

void srm_report_summary(FILE *out, const srm_result *r)
{
    const char *router = NULL;
    size_t failed = 0, underpowered = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        if (!router || strcmp(router, ph->router) != 0) {
            router = ph->router;
            fprintf(out, "\nRouter %s\n", router);
            fprintf(out, "  %-21s %-20s %9s %9s %9s %10s %10s %9s %10s  %s\n", "time", "deployment",
                    "weight", "expected", "observed", "requests", "chi2", "p-value", "seq. p",
                    "verdict");
        }
        char interval[64];
        snprintf(interval, sizeof interval, "[%.10g, %.10g)", ph->start_s, ph->end_s);
        for (size_t j = 0; j < ph->n_deployments; j++) {
            const srm_share *d = &ph->deployments[j];
            double observed =
                ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0.0;
            fprintf(out, "  %-21s %-20s %9.4g %8.2f%% %8.2f%% %10" PRIu64, j ? "" : interval,
                    d->name, d->weight, 100.0 * d->expected_share, observed, d->observed);
            if (j == 0)
                fprintf(out, " %10.3f %9.3g %10.3g  %s", ph->test.chi2, ph->test.p_value,
                        ph->sequential_p, verdict(ph));
            fputc('\n', out);
        }
        if (ph->test.reason[0])
            fprintf(out, "  %-21s %s\n", "", ph->test.reason);
        if (ph->crossed)
            fprintf(out,
                    "  %-21s sequential p-value reached alpha %g after the interval at %.10g\n", "",
                    r->options.alpha, ph->crossed_at_s);
        char plan[512];
        plan_line(plan, sizeof plan, ph, r->options.target_power);
        fprintf(out, "  %-21s %s\n", "", plan);
        failed += !ph->passed;
        underpowered += ph->power.underpowered;
    }
    char total[32];
    text_count(total, sizeof total, r->requests);
    fprintf(out, "\n%s: %zu phases, %s requests, alpha %g: %s", r->source, r->n_phases, total,
            r->options.alpha, r->passed ? "PASSED" : "FAILED");
    if (failed)
        fprintf(out, " (%zu phase%s failed)", failed, failed == 1 ? "" : "s");
    if (underpowered)
        fprintf(out, "; %zu phase%s under-powered", underpowered, underpowered == 1 ? "" : "s");
    fputc('\n', out);
}

static void json_phase(FILE *out, const srm_result *r, const srm_phase *ph)
{
    fputs("    {\"router\": ", out);
    report_json_string(out, ph->router);
    fprintf(out,
            ", \"start_s\": %.10g, \"end_s\": %.10g, \"line\": %u,\n     \"requests\": %" PRIu64
            ",\n     \"deployments\": [",
            ph->start_s, ph->end_s, ph->first_line, ph->requests);
    for (size_t j = 0; j < ph->n_deployments; j++) {
        const srm_share *d = &ph->deployments[j];
        double observed = ph->requests ? (double)d->observed / (double)ph->requests : 0.0;
        fputs(j ? ",\n       {\"name\": " : "\n       {\"name\": ", out);
        report_json_string(out, d->name);
        fprintf(out,
                ", \"weight\": %.10g, \"expected_share\": %.10g, \"observed\": %" PRIu64
                ", \"observed_share\": %.10g}",
                d->weight, d->expected_share, d->observed, observed);
    }
    fprintf(out, "],\n     \"chi2\": %.10g, \"df\": %d, \"p_value\": %.10g, \"verdict\": \"%s\"",
            ph->test.chi2, ph->test.df, ph->test.p_value, splittest_verdict_name(ph->test.verdict));
    if (ph->test.reason[0]) {
        fputs(", \"reason\": ", out);
        report_json_string(out, ph->test.reason);
    }
    fprintf(out, ",\n     \"sequential\": {\"p_value\": %.10g, \"crossed\": %s, \"crossed_at_s\": ",
            ph->sequential_p, ph->crossed ? "true" : "false");
    json_number_or_null(out, ph->crossed ? ph->crossed_at_s : NAN);
    fputs(", \"looks\": [", out);
    for (size_t k = 0; k < ph->n_looks; k++)
        fprintf(out, "%s[%.10g, %" PRIu64 ", %.10g]", k ? ", " : "", ph->looks[k].time_s,
                ph->looks[k].requests, ph->looks[k].p_value);
    fputs("]},\n     \"power\": ", out);
    srm_report_plan_json(out, &ph->power,
                         ph->power.plan.df ? ph->deployments[ph->power.plan.which].name : "",
                         r->options.target_power);
    fprintf(out, ",\n     \"passed\": %s}", ph->passed ? "true" : "false");
}

int srm_report_json(FILE *out, const srm_result *r)
{
    const srm_options *o = &r->options;
    fputs("{\n  \"source\": ", out);
    report_json_string(out, r->source);
    fprintf(out,
            ",\n  \"alpha\": %.10g, \"concentration\": %.10g, \"target_power\": %.10g,\n"
            "  \"deviation\": {\"kind\": \"%s\", \"shift\": %.10g},\n",
            o->alpha, o->concentration, o->target_power,
            o->deviation.kind == SRMPOWER_ABSOLUTE ? "absolute" : "relative", o->deviation.shift);
    fprintf(out, "  \"requests\": %" PRIu64 ",\n  \"phases\": [", r->requests);
    for (size_t i = 0; i < r->n_phases; i++) {
        fputs(i ? ",\n" : "\n", out);
        json_phase(out, r, &r->phases[i]);
    }
    fprintf(out, "%s],\n  \"passed\": %s\n}\n", r->n_phases ? "\n  " : "",
            r->passed ? "true" : "false");
    return ferror(out) ? -1 : 0;
}

static int write_md(FILE *out, const srm_result *r)
{
    fputs("# Sample-ratio mismatch: ", out);
    text_md(out, r->source, 0);
    fprintf(out,
            "\n\n**%s**: %zu phases, %" PRIu64 " requests, alpha %g, sequential "
            "concentration %g.\n\n",
            r->passed ? "PASSED" : "FAILED", r->n_phases, r->requests, r->options.alpha,
            r->options.concentration);
    fputs("| router | time | deployment | weight | expected | observed | requests | chi2 | "
          "p-value | sequential p | verdict |\n|---|---|---|---|---|---|---|---|---|---|---|\n",
          out);
    for (size_t i = 0; i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        for (size_t j = 0; j < ph->n_deployments; j++) {
            const srm_share *d = &ph->deployments[j];
            double observed =
                ph->requests ? 100.0 * (double)d->observed / (double)ph->requests : 0.0;
            fputs("| ", out);
            if (j == 0)
                text_md(out, ph->router, 1);
            if (j == 0)
                fprintf(out, " | [%.10g, %.10g) | ", ph->start_s, ph->end_s);
            else
                fputs(" | | ", out);
            text_md(out, d->name, 1);
            fprintf(out, " | %.4g | %.2f%% | %.2f%% | %" PRIu64 " |", d->weight,
                    100.0 * d->expected_share, observed, d->observed);
            if (j == 0)
                fprintf(out, " %.4g | %.3g | %.3g | %s |\n", ph->test.chi2, ph->test.p_value,
                        ph->sequential_p, verdict(ph));
            else
                fputs(" | | | |\n", out);
        }
    }
    fputs("\n## Power and sequential monitoring\n\n", out);
    for (size_t i = 0; i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        char plan[512];
        plan_line(plan, sizeof plan, ph, r->options.target_power);
        fputs("- ", out);
        text_md(out, ph->router, 0);
        fprintf(out, " [%.10g, %.10g): ", ph->start_s, ph->end_s);
        text_md(out, plan, 0);
        if (ph->test.reason[0]) {
            fputs("; ", out);
            text_md(out, ph->test.reason, 0);
        }
        if (ph->crossed)
            fprintf(out, "; sequential p-value reached alpha after the interval at %.10g",
                    ph->crossed_at_s);
        fputs(".\n", out);
    }
    fputs("\nA phase fails when its chi-square test gives p < alpha or its sequential p-value "
          "(Dirichlet-multinomial Bayes factor, valid however often it is looked at) reaches "
          "alpha; a correct router fails a phase with probability at most 2 alpha.\n",
          out);
    return ferror(out) ? -1 : 0;
}

static int write_junit(FILE *out, const srm_result *r)
{
    size_t failed = 0, skipped = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        failed += !r->phases[i].passed;
        skipped += r->phases[i].passed && r->phases[i].test.verdict == SPLITTEST_SKIPPED;
    }
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites tests=\"%zu\" "
            "failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n  <testsuite name=\"",
            r->n_phases, failed, skipped);
    text_xml(out, r->source, 1);
    fprintf(out, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"0\">\n",
            r->n_phases, failed, skipped);
    for (size_t i = 0; i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        char name[512], plan[512];
        snprintf(name, sizeof name, "%s [%.10g, %.10g)", ph->router, ph->start_s, ph->end_s);
        plan_line(plan, sizeof plan, ph, r->options.target_power);
        fputs("    <testcase name=\"", out);
        text_xml(out, name, 1);
        fputs("\" classname=\"srm.split\" time=\"0\">\n", out);
        if (!ph->passed) {
            char message[512];
            if (ph->test.verdict == SPLITTEST_FAIL)
                snprintf(message, sizeof message, "%s", ph->test.reason);
            else
                snprintf(message, sizeof message,
                         "sequential p-value %.3g reached alpha %g after the interval at %.10g",
                         ph->sequential_p, r->options.alpha, ph->crossed_at_s);
            fputs("      <failure type=\"SampleRatioMismatch\" message=\"", out);
            text_xml(out, message, 1);
            fputs("\"/>\n", out);
        } else if (ph->test.verdict == SPLITTEST_SKIPPED) {
            fputs("      <skipped message=\"", out);
            text_xml(out, ph->test.reason, 1);
            fputs("\"/>\n", out);
        }
        fputs("      <system-out>", out);
        text_xml(out, plan, 0);
        fputs("</system-out>\n    </testcase>\n", out);
    }
    fputs("  </testsuite>\n</testsuites>\n", out);
    return ferror(out) ? -1 : 0;
}

static int write_sequential_csv(FILE *out, const srm_result *r)
{
    fputs("router,phase_start_s,time_s,requests,sequential_p\n", out);
    for (size_t i = 0; i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        for (size_t k = 0; k < ph->n_looks; k++) {
            text_csv(out, ph->router);
            fprintf(out, ",%.10g,%.10g,%" PRIu64 ",%.10g\n", ph->start_s, ph->looks[k].time_s,
                    ph->looks[k].requests, ph->looks[k].p_value);
        }
    }
    return ferror(out) ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const srm_result *r,
                      int (*writer)(FILE *, const srm_result *), char *err, size_t errlen)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    outfile *f = outfile_open(path, err, errlen);
    if (!f)
        return -1;
    if (writer(outfile_stream(f), r) != 0) {
        outfile_abort(f);
        snprintf(err, errlen, "%s: write failed", path);
        return -1;
    }
    return outfile_commit(f, err, errlen);
}

/* sequential.png/svg: every phase with something to test. */
static int write_plot(const char *dir, const srm_result *r, void (*warn)(const char *message),
                      char *err, size_t errlen)
{
    size_t n = 0, looks = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        looks += r->phases[i].n_looks;
    seqplot_series *lines = calloc(r->n_phases ? r->n_phases : 1, sizeof *lines);
    char(*labels)[160] = calloc(r->n_phases ? r->n_phases : 1, sizeof *labels);
    double *t = malloc((looks ? looks : 1) * sizeof *t),
           *p = malloc((looks ? looks : 1) * sizeof *p);
    int rc = lines && labels && t && p ? 0 : -1;
    if (rc != 0)
        snprintf(err, errlen, "out of memory");
    for (size_t i = 0, at = 0; rc == 0 && i < r->n_phases; i++) {
        const srm_phase *ph = &r->phases[i];
        if (ph->power.plan.df == 0 || ph->n_looks == 0)
            continue;
        snprintf(labels[n], sizeof labels[n], "%s [%.10g, %.10g)", ph->router, ph->start_s,
                 ph->end_s);
        lines[n] = (seqplot_series){labels[n], ph->n_looks, t + at, p + at};
        for (size_t k = 0; k < ph->n_looks; k++, at++) {
            t[at] = ph->looks[k].time_s;
            p[at] = ph->looks[k].p_value;
        }
        n++;
    }
    if (rc == 0 && n > 0) {
        char title[512];
        snprintf(title, sizeof title, "Sequential p-value per phase: %s", r->source);
        seqplot plot = {title, r->options.alpha, n, lines};
        rc = seqplot_draw(dir, "sequential", &plot, warn, err, errlen) < 0 ? -1 : 0;
    }
    free(lines);
    free(labels);
    free(t);
    free(p);
    return rc;
}

int srm_report_write(const char *dir, const srm_result *r, int plots,
                     void (*warn)(const char *message), char *err, size_t errlen)
{
    if (outfile_mkdirs(dir, err, errlen) != 0)
        return -1;
    if ((plots && write_plot(dir, r, warn, err, errlen) != 0) ||
        write_file(dir, "sequential.csv", r, write_sequential_csv, err, errlen) != 0 ||
        write_file(dir, "junit.xml", r, write_junit, err, errlen) != 0 ||
        write_file(dir, "report.md", r, write_md, err, errlen) != 0)
        return -1;
    return write_file(dir, "report.json", r, srm_report_json, err, errlen);
}

/* The level a run's phase test is held to: alpha, or under Holm's correction over m tests
 * its strictest threshold alpha / m, so the power reported is never more than the test's. */
static double run_alpha(const results *r)
{
    return r->holm && r->holm_tests > 1 ? r->alpha / (double)r->holm_tests : r->alpha;
}

int srm_report_assess(const results_phase *ph, double alpha, const srmpower_deviation *d,
                      double target, srmpower_phase *out, char *err, size_t errlen)
{
    size_t n = ph->n_deployments;
    double *shares = malloc((n ? n : 1) * sizeof *shares);
    if (!shares) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        shares[i] = ph->deployments[i].expected_share;
    int status = srmpower_assess(n, shares, d, alpha, target, ph->requests, ph->end_s - ph->start_s,
                                 out, err, errlen);
    free(shares);
    return status;
}

void srm_report_plan_run(FILE *out, const results *r, const srmpower_deviation *d, double target)
{
    fprintf(out, "Power of each phase's split test: %s, alpha %g%s, ", r->scenario, run_alpha(r),
            run_alpha(r) < r->alpha ? " (Holm's strictest threshold)" : "");
    if (d->kind == SRMPOWER_ABSOLUTE)
        fprintf(out, "detecting the smallest share moved by %+g percentage points, ",
                100.0 * d->shift);
    else
        fprintf(out, "detecting the smallest share moved by %+g%% of itself, ", 100.0 * d->shift);
    fprintf(out, "target power %g%%\n", 100.0 * target);
    const char *router = NULL;
    size_t underpowered = 0;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!router || strcmp(router, ph->router) != 0) {
            router = ph->router;
            fprintf(out, "\nRouter %s\n", text_short_name(router));
        }
        char from[32], to[32], line[512], err[256];
        text_duration(from, sizeof from, ph->start_s);
        text_duration(to, sizeof to, ph->end_s);
        fprintf(out, "  [%s, %s) %" PRIu64 " requests:", from, to, ph->requests);
        for (size_t j = 0; j < ph->n_deployments; j++)
            fprintf(out, " %s %.2f%%", text_short_name(ph->deployments[j].name),
                    100.0 * ph->deployments[j].expected_share);
        srmpower_phase power;
        if (srm_report_assess(ph, run_alpha(r), d, target, &power, err, sizeof err) != 0) {
            fprintf(out, "\n    cannot plan: %s\n", err);
            continue;
        }
        const char *moved =
            power.plan.df ? text_short_name(ph->deployments[power.plan.which].name) : "";
        srm_report_plan_line(line, sizeof line, &power, moved, target);
        fprintf(out, "\n    %s\n", line);
        underpowered += power.underpowered;
    }
    if (underpowered)
        fprintf(out, "\n%zu phase(s) under-powered: run them longer or accept a larger deviation\n",
                underpowered);
}

/* The run's deviation and target (scenario checks.power), or the defaults for results that
 * carry none. */
static double run_target(const results *r, srmpower_deviation *d)
{
    *d = SRMPOWER_DEFAULT_DEVIATION;
    if (r->power_shift != 0.0) {
        d->shift = r->power_shift;
        d->kind = r->power_relative ? SRMPOWER_RELATIVE : SRMPOWER_ABSOLUTE;
    }
    return r->power_target > 0.0 && r->power_target < 1.0 ? r->power_target : 0.8;
}

int srm_report_plans_init(srm_report_plans *p, const results *r)
{
    *p = (srm_report_plans){.n = r->n_phases};
    p->power = malloc((p->n ? p->n : 1) * sizeof *p->power);
    p->ok = calloc(p->n ? p->n : 1, 1);
    if (!p->power || !p->ok) {
        srm_report_plans_free(p);
        return -1;
    }
    srmpower_deviation d;
    double target = run_target(r, &d);
    for (size_t i = 0; i < p->n; i++) {
        char err[256];
        p->ok[i] = srm_report_assess(&r->phases[i], run_alpha(r), &d, target, &p->power[i], err,
                                     sizeof err) == 0;
    }
    return 0;
}

void srm_report_plans_free(srm_report_plans *p)
{
    free(p->power);
    free(p->ok);
    *p = (srm_report_plans){0};
}

/* The phase's plan from the run's plans, or planned here: 0, or -1 with the reason. */
static int phase_plan(const results *r, const results_phase *ph, const srm_report_plans *plans,
                      srmpower_phase *power, char *err, size_t errlen)
{
    size_t i = (size_t)(ph - r->phases);
    if (plans && i < plans->n && plans->ok[i]) {
        *power = plans->power[i];
        return 0;
    }
    srmpower_deviation d;
    double target = run_target(r, &d);
    return srm_report_assess(ph, run_alpha(r), &d, target, power, err, errlen);
}

void srm_report_run_phase_json(FILE *out, const results *r, const results_phase *ph,
                               const srm_report_plans *plans)
{
    srmpower_deviation d;
    double target = run_target(r, &d);
    srmpower_phase power;
    char err[256];
    fputs(", \"power\": ", out);
    if (phase_plan(r, ph, plans, &power, err, sizeof err) != 0) {
        fputs("null", out);
        return;
    }
    srm_report_plan_json(out, &power, power.plan.df ? ph->deployments[power.plan.which].name : "",
                         target);
}

int srm_report_run_phase_text(char *buf, size_t size, const results *r, const results_phase *ph,
                              const srm_report_plans *plans)
{
    srmpower_deviation d;
    double target = run_target(r, &d);
    srmpower_phase power;
    char err[256];
    if (phase_plan(r, ph, plans, &power, err, sizeof err) != 0) {
        snprintf(buf, size, "power not computed: %s", err);
        return 1;
    }
    if (power.plan.df == 0)
        return 0;
    srm_report_plan_line(buf, size, &power, text_short_name(ph->deployments[power.plan.which].name),
                         target);
    return 1;
}

void srm_report_run_phase_line(FILE *out, const results *r, const results_phase *ph,
                               const char *indent)
{
    char line[512];
    if (srm_report_run_phase_text(line, sizeof line, r, ph, NULL))
        fprintf(out, "%s%s\n", indent, line);
    if (ph->sequential_crossed) {
        char at[32];
        text_duration(at, sizeof at, ph->sequential_at_s);
        fprintf(out, "%ssequential p-value reached alpha at %s (anytime-valid; for information)\n",
                indent, at);
    }
}

void srm_report_faults_summary(FILE *out, const results *r)
{
    for (size_t i = 0; i < r->n_faults; i++)
        fprintf(out, "Fault injected: %s\n", r->faults[i]);
}

void srm_report_faults_json(FILE *out, const results *r)
{
    fputs("  \"faults\": [", out);
    for (size_t i = 0; i < r->n_faults; i++) {
        fputs(i ? ", " : "", out);
        report_json_string(out, r->faults[i]);
    }
    fputs("],\n", out);
}

void srm_report_run_sequential_json(FILE *out, const results_phase *ph)
{
    text_put(out, ", \"sequential\": {\"p_value\": ");
    text_put_g(out, ph->sequential_p, 10);
    text_put(out, ph->sequential_crossed ? ", \"crossed\": true, \"crossed_at_s\": "
                                         : ", \"crossed\": false, \"crossed_at_s\": ");
    json_number_or_null(out, ph->sequential_crossed ? ph->sequential_at_s : NAN);
    fputs(", \"looks\": [", out);
    looklog_iter it;
    results_look look;
    size_t k = 0;
    for (looklog_begin(&it, &ph->looks); looklog_next(&it, &look);) {
        /* fleet scale: 200 looks x 1,000 phases */
        text_put(out, k++ ? ", [" : "[");
        text_put_g(out, look.at_s, 10);
        text_put(out, ", ");
        text_put_u64(out, look.requests);
        text_put(out, ", ");
        text_put_g(out, look.p_value, 10);
        putc_unlocked(']', out);
    }
    fputs("]}", out);
}
