/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/fit_report.h"

#include "plots/fitplot.h"
#include "reports/report_json.h"
#include "sim/base/units.h"
#include "views/outfile.h"
#include "views/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* How each parameter was estimated and where its interval comes from: the same words in
 * fit.md, fit.json and the fragment's comments. */
static const char method_rate[] = "least squares on the window means of the daily sinusoid; "
                                  "standard errors from the residual variance, delta method "
                                  "for peak, trough and peak_at";
static const char method_service[] =
    "lognormal fitted to each low-utilisation window's latency quantiles (log latency on the "
    "normal quantile); standard error of the mean over the windows (plus the quantiles' "
    "resolution, if given), delta method for mean and cv";
static const char method_concurrency[] =
    "completed x mean service time / (utilization x ready x window) per steady window; "
    "standard error of the mean over the windows with the service mean's error added";
static const char method_cold_start[] =
    "each scale-up bounds it by the windows in which replicas rose and ready caught up; the "
    "interval is the intersection of those bounds (window resolution, not a confidence "
    "level)";

/* A scenario id from a deployment's name: its last path segment, anything but letters,
 * digits and '-' as '-', lower case. */
static void id_of(const char *name, char *buf, size_t size)
{
    const char *s = text_short_name(name);
    size_t k = 0;
    for (; *s && k + 1 < size; s++) {
        char c = *s;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf[k++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
    }
    buf[k] = '\0';
    if (k == 0)
        snprintf(buf, size, "deployment");
}

/* The account of full names accounts/<account>/deployments/<id>, else my-account. */
static void account_of(const fit_result *r, char *buf, size_t size)
{
    snprintf(buf, size, "my-account");
    if (r->n_deployments == 0 || strncmp(r->deployments[0].name, "accounts/", 9) != 0)
        return;
    const char *a = r->deployments[0].name + 9, *slash = strchr(a, '/');
    if (slash && slash > a && (size_t)(slash - a) < size)
        snprintf(buf, size, "%.*s", (int)(slash - a), a);
}

static void interval(char *buf, size_t size, const fit_value *v, const char *unit)
{
    if (!v->identified)
        snprintf(buf, size, "not identified: %s", v->why);
    else if (isnan(v->se))
        snprintf(buf, size, "%.4g%s, interval [%.4g, %.4g]%s", v->estimate, unit, v->lo, v->hi,
                 unit);
    else
        snprintf(buf, size, "%.4g%s, se %.2g, interval [%.4g, %.4g]%s", v->estimate, unit, v->se,
                 v->lo, v->hi, unit);
}

void fit_report_summary(FILE *out, const fit_result *r)
{
    fprintf(out,
            "Fit of %zu deployment%s over %zu export%s (%g-second windows, %.4g h), %g%% "
            "intervals\n",
            r->n_deployments, r->n_deployments == 1 ? "" : "s", r->n_sources,
            r->n_sources == 1 ? "" : "s", r->window_s, r->span_s / 3600.0,
            100.0 * r->options.confidence);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        char b[400];
        fprintf(out, "\n%s (%zu windows)\n", d->name, d->n_windows);
        interval(b, sizeof b, &d->mean_rate, "/s");
        fprintf(out, "  mean rate     %s\n", b);
        if (d->cycle) {
            interval(b, sizeof b, &d->peak, "/s");
            fprintf(out, "  peak          %s\n", b);
            interval(b, sizeof b, &d->trough, "/s");
            fprintf(out, "  trough        %s\n", b);
            interval(b, sizeof b, &d->peak_at, " s");
            fprintf(out, "  peak at       %s\n", b);
        } else {
            fprintf(out, "  daily cycle   none at this confidence (amplitude %.3g/s)\n",
                    d->amplitude.estimate);
        }
        fprintf(out, "  dispersion    %.3g (Poisson: %.3g to %.3g)%s\n", d->dispersion,
                d->dispersion_lo, d->dispersion_hi,
                d->dispersion > d->dispersion_hi ? ": overdispersed, burstier than Poisson" : "");
        interval(b, sizeof b, &d->service_mean, " s");
        fprintf(out, "  service mean  %s\n", b);
        interval(b, sizeof b, &d->service_cv, "");
        fprintf(out, "  service cv    %s\n", b);
        interval(b, sizeof b, &d->concurrency, "");
        fprintf(out, "  concurrency   %s\n", b);
        interval(b, sizeof b, &d->cold_start, " s");
        fprintf(out, "  cold start    %s\n", b);
    }
}

/* ---- scenario.fitted.yaml ----------------------------------------------------------- */

static void yaml_comment(FILE *out, const char *indent, const char *what, const fit_value *v,
                         const char *unit)
{
    char b[400];
    interval(b, sizeof b, v, unit);
    fprintf(out, "%s# %s: %s\n", indent, what, b);
}

static void yaml_rate(FILE *out, const char *key, double per_s)
{
    fprintf(out, "%s: %.4g/s", key, fmax(0.0, per_s));
}

int fit_report_scenario(FILE *out, const fit_result *r)
{
    char account[128], dur[64], id[256];
    account_of(r, account, sizeof account);
    fprintf(out, "# Calibrated by routersim fit from");
    for (size_t i = 0; i < r->n_sources; i++)
        fprintf(out, " %s", r->sources[i]);
    fprintf(out,
            "\n# (%g-second windows). Time 0 is the first window's start (%.10g in the "
            "export). Intervals are\n# %g%%; how each was estimated is in fit.md.\n",
            r->window_s, r->start_s, 100.0 * r->options.confidence);
    fprintf(out, "name: fitted\naccount: %s\n", account);
    text_duration(dur, sizeof dur, r->span_s);
    fprintf(out, "duration: %s\n", dur);
    text_duration(dur, sizeof dur, r->window_s);
    fprintf(out, "window: %s\n\ndeployments:\n", dur);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        id_of(d->name, id, sizeof id);
        fprintf(out, "  - id: %s\n", id);
        fprintf(out, "    replicas: %u  # at the first window\n",
                d->n_windows ? d->first_replicas : 0);
        if (!d->service_mean.identified || !d->concurrency.identified) {
            /* a serving model needs both; what was fitted is kept as a comment to start from */
            fprintf(out, "    # no serving model: %s %s\n",
                    !d->service_mean.identified ? "service time:" : "concurrency:",
                    !d->service_mean.identified ? d->service_mean.why : d->concurrency.why);
            if (d->service_mean.identified) {
                text_duration(dur, sizeof dur,
                              units_round_significant(d->service_mean.estimate, 4));
                fprintf(out,
                        "    # fitted: service_time: {distribution: lognormal, mean: %s, cv: "
                        "%.4g}\n",
                        dur, d->service_cv.estimate);
                yaml_comment(out, "    ", "service mean", &d->service_mean, " s");
                yaml_comment(out, "    ", "service cv", &d->service_cv, "");
            }
            if (d->cold_start.identified)
                yaml_comment(out, "    ", "cold start", &d->cold_start, " s");
            continue;
        }
        fprintf(out, "    serving:\n");
        long c = lround(d->concurrency.estimate);
        fprintf(out, "      concurrency: %ld\n", c < 1 ? 1 : c);
        yaml_comment(out, "      ", "concurrency", &d->concurrency, "");
        text_duration(dur, sizeof dur, units_round_significant(d->service_mean.estimate, 4));
        fprintf(out, "      service_time: {distribution: lognormal, mean: %s, cv: %.4g}\n", dur,
                d->service_cv.estimate);
        yaml_comment(out, "      ", "service mean", &d->service_mean, " s");
        yaml_comment(out, "      ", "service cv", &d->service_cv, "");
        if (d->cold_start.identified) {
            text_duration(dur, sizeof dur, round(d->cold_start.estimate));
            fprintf(out, "      cold_start: %s\n", dur);
        }
        yaml_comment(out, "      ", "cold start", &d->cold_start, " s");
    }
    /* one router per deployment, so that each deployment gets its own fitted arrivals */
    fprintf(out, "\nrouters:\n");
    for (size_t i = 0; i < r->n_deployments; i++) {
        id_of(r->deployments[i].name, id, sizeof id);
        fprintf(out, "  - id: %s-router\n    deployments: [%s]\n", id, id);
    }
    fprintf(out, "\ntraffic:\n");
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        id_of(d->name, id, sizeof id);
        fprintf(out, "  - router: %s-router\n", id);
        if (d->cycle) {
            fprintf(out, "    daily: {");
            yaml_rate(out, "peak", d->peak.estimate);
            fputs(", ", out);
            yaml_rate(out, "trough", d->trough.estimate);
            text_duration(dur, sizeof dur, round(d->peak_at.estimate));
            fprintf(out, ", peak_at: %s, ", dur);
            text_duration(dur, sizeof dur, r->options.period_s);
            fprintf(out, "period: %s}\n", dur);
            yaml_comment(out, "    ", "peak", &d->peak, "/s");
            yaml_comment(out, "    ", "trough", &d->trough, "/s");
            yaml_comment(out, "    ", "peak_at", &d->peak_at, " s");
        } else {
            fputs("    ", out);
            yaml_rate(out, "rate", d->mean_rate.estimate);
            fputs("\n", out);
            yaml_comment(out, "    ", "rate", &d->mean_rate, "/s");
        }
        fprintf(out, "    # dispersion index %.3g (Poisson: %.3g to %.3g, p = %.3g)%s\n",
                d->dispersion, d->dispersion_lo, d->dispersion_hi, d->dispersion_p,
                d->dispersion > d->dispersion_hi
                    ? ": burstier than the Poisson arrivals routersim draws"
                : d->dispersion < d->dispersion_lo
                    ? ": steadier than Poisson; routersim's Poisson arrivals are conservative"
                    : ": Poisson arrivals fit");
    }
    return ferror(out) ? -1 : 0;
}

/* ---- fitted.csv, fit.md, fit.json ---------------------------------------------------- */

static int write_csv(FILE *out, const fit_result *r)
{
    fputs("deployment,time_s,observed_rate_per_s,fitted_rate_per_s\n", out);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        for (size_t k = 0; k < d->n_windows; k++) {
            text_csv(out, d->name);
            fprintf(out, ",%.10g,%.10g,%.10g\n", d->time_s[k], d->observed_rate[k],
                    d->fitted_rate[k]);
        }
    }
    return ferror(out) ? -1 : 0;
}

static void md_row(FILE *out, const char *what, const fit_value *v, const char *unit,
                   const char *method)
{
    fprintf(out, "| %s | ", what);
    if (!v->identified) {
        fputs("not identified | | ", out);
        text_md(out, v->why, 1);
        fputs(" |\n", out);
        return;
    }
    fprintf(out, "%.4g%s | [%.4g, %.4g] | ", v->estimate, unit, v->lo, v->hi);
    text_md(out, method, 1);
    fputs(" |\n", out);
}

static int write_md(FILE *out, const fit_result *r)
{
    fprintf(out, "# Fit\n\n");
    for (size_t i = 0; i < r->n_sources; i++)
        fprintf(out, "%s`%s`", i ? ", " : "Exports: ", r->sources[i]);
    fprintf(out,
            "; %g-second windows over %.4g h; intervals at %g%%; daily period %g s; quantiles' "
            "resolution %g.\n\n",
            r->window_s, r->span_s / 3600.0, 100.0 * r->options.confidence, r->options.period_s,
            r->options.resolution);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        fprintf(out, "## ");
        text_md(out, d->name, 0);
        fprintf(out,
                "\n\n%zu windows; %zu of them at low utilisation (at most %g) fitted the "
                "service time.\n\n",
                d->n_windows, d->service_windows, r->options.max_utilization);
        fputs("| parameter | estimate | interval | method |\n| --- | --- | --- | --- |\n", out);
        md_row(out, "mean rate", &d->mean_rate, "/s", method_rate);
        md_row(out, "peak", &d->peak, "/s", method_rate);
        md_row(out, "trough", &d->trough, "/s", method_rate);
        md_row(out, "peak_at", &d->peak_at, " s", method_rate);
        md_row(out, "service mean", &d->service_mean, " s", method_service);
        md_row(out, "service cv", &d->service_cv, "", method_service);
        md_row(out, "concurrency", &d->concurrency, "", method_concurrency);
        md_row(out, "cold start", &d->cold_start, " s", method_cold_start);
        fprintf(out,
                "\nDaily cycle: %s. Dispersion index of the counts about the fitted rate: "
                "%.3g on %zu degrees of freedom (Poisson gives 1, and %.3g to %.3g at this "
                "confidence; p = %.3g)%s. Lognormal quantile fit: rms residual %.3g in log "
                "latency.\n\n",
                d->cycle ? "the amplitude differs from 0, written as `daily`"
                         : "no amplitude distinguishable from 0, written as a constant `rate`",
                d->dispersion, d->dispersion_df, d->dispersion_lo, d->dispersion_hi,
                d->dispersion_p,
                d->dispersion > d->dispersion_hi
                    ? ": **overdispersed**, burstier than the Poisson arrivals routersim draws"
                    : "",
                d->service_rms);
    }
    fputs("Files: `scenario.fitted.yaml` (the fitted scenario), `fitted.csv` and `arrivals.png` "
          "(observed against fitted rate), `service.png` (latency quantiles against the fitted "
          "lognormal), `fit.json`.\n",
          out);
    return ferror(out) ? -1 : 0;
}

static void json_number(FILE *out, double x)
{
    char b[64];
    if (!isfinite(x)) {
        fputs("null", out);
        return;
    }
    text_exact(b, sizeof b, x);
    fputs(b, out);
}

static void json_value(FILE *out, const char *key, const fit_value *v, const char *method)
{
    fprintf(out, "\"%s\": {\"identified\": %s", key, v->identified ? "true" : "false");
    if (v->identified) {
        fputs(", \"estimate\": ", out);
        json_number(out, v->estimate);
        fputs(", \"se\": ", out);
        json_number(out, v->se);
        fputs(", \"lo\": ", out);
        json_number(out, v->lo);
        fputs(", \"hi\": ", out);
        json_number(out, v->hi);
        fputs(", \"method\": ", out);
        report_json_string(out, method);
    } else {
        fputs(", \"why\": ", out);
        report_json_string(out, v->why);
    }
    fputs("}", out);
}

static int write_json(FILE *out, const fit_result *r)
{
    fputs("{\n  \"sources\": [", out);
    for (size_t i = 0; i < r->n_sources; i++) {
        fputs(i ? ", " : "", out);
        report_json_string(out, r->sources[i]);
    }
    fputs("],\n  \"window_s\": ", out);
    json_number(out, r->window_s);
    fputs(", \"start_s\": ", out);
    json_number(out, r->start_s);
    fputs(", \"span_s\": ", out);
    json_number(out, r->span_s);
    fputs(",\n  \"confidence\": ", out);
    json_number(out, r->options.confidence);
    fputs(", \"period_s\": ", out);
    json_number(out, r->options.period_s);
    fputs(", \"max_utilization\": ", out);
    json_number(out, r->options.max_utilization);
    fputs(", \"resolution\": ", out);
    json_number(out, r->options.resolution);
    fputs(",\n  \"deployments\": [", out);
    for (size_t i = 0; i < r->n_deployments; i++) {
        const fit_deployment *d = &r->deployments[i];
        char id[256];
        id_of(d->name, id, sizeof id);
        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"name\": ", out);
        report_json_string(out, d->name);
        fprintf(out, ", \"id\": ");
        report_json_string(out, id);
        fprintf(out, ", \"windows\": %zu,\n     \"arrivals\": {", d->n_windows);
        json_value(out, "mean_rate_per_s", &d->mean_rate, method_rate);
        fputs(",\n       ", out);
        json_value(out, "amplitude_per_s", &d->amplitude, method_rate);
        fputs(",\n       ", out);
        json_value(out, "peak_per_s", &d->peak, method_rate);
        fputs(",\n       ", out);
        json_value(out, "trough_per_s", &d->trough, method_rate);
        fputs(",\n       ", out);
        json_value(out, "peak_at_s", &d->peak_at, method_rate);
        fprintf(out, ",\n       \"cycle\": %s, \"dispersion\": {\"index\": ",
                d->cycle ? "true" : "false");
        json_number(out, d->dispersion);
        fprintf(out, ", \"df\": %zu, \"poisson_lo\": ", d->dispersion_df);
        json_number(out, d->dispersion_lo);
        fputs(", \"poisson_hi\": ", out);
        json_number(out, d->dispersion_hi);
        fputs(", \"p_value\": ", out);
        json_number(out, d->dispersion_p);
        fprintf(out,
                ", \"overdispersed\": %s}},\n     \"service\": {\"distribution\": "
                "\"lognormal\", \"windows\": %zu, \"rms_log_residual\": ",
                d->dispersion > d->dispersion_hi ? "true" : "false", d->service_windows);
        json_number(out, d->service_rms);
        fputs(",\n       ", out);
        json_value(out, "mu", &d->mu, method_service);
        fputs(",\n       ", out);
        json_value(out, "sigma", &d->sigma, method_service);
        fputs(",\n       ", out);
        json_value(out, "mean_s", &d->service_mean, method_service);
        fputs(",\n       ", out);
        json_value(out, "cv", &d->service_cv, method_service);
        fprintf(out, "},\n     \"concurrency\": {\"windows\": %zu, ", d->concurrency_windows);
        json_value(out, "value", &d->concurrency, method_concurrency);
        fprintf(out, "},\n     \"cold_start\": {\"events\": %zu, ", d->cold_start_events);
        json_value(out, "value_s", &d->cold_start, method_cold_start);
        fputs("}}", out);
    }
    fputs("\n  ]\n}\n", out);
    return ferror(out) ? -1 : 0;
}

static int write_file(const char *dir, const char *name, const fit_result *r,
                      int (*writer)(FILE *, const fit_result *), char *err, size_t errlen)
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

int fit_report_write(const char *dir, const fit_result *r, int plots,
                     void (*warn)(const char *message), char *err, size_t errlen)
{
    if (outfile_mkdirs(dir, err, errlen) != 0)
        return -1;
    if ((plots && (fitplot_draw(dir, "arrivals", r, warn, err, errlen) < 0 ||
                   fitplot_draw_service(dir, "service", r, warn, err, errlen) < 0)) ||
        write_file(dir, "scenario.fitted.yaml", r, fit_report_scenario, err, errlen) != 0 ||
        write_file(dir, "fitted.csv", r, write_csv, err, errlen) != 0 ||
        write_file(dir, "fit.md", r, write_md, err, errlen) != 0)
        return -1;
    return write_file(dir, "fit.json", r, write_json, err, errlen);
}
