#include "reports/report_json.h"

#include <inttypes.h>

void report_json_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        switch (*p) {
        case '"':
            fputs("\\\"", out);
            break;
        case '\\':
            fputs("\\\\", out);
            break;
        case '\n':
            fputs("\\n", out);
            break;
        case '\t':
            fputs("\\t", out);
            break;
        default:
            if (*p < 0x20)
                fprintf(out, "\\u%04x", *p);
            else
                fputc(*p, out);
        }
    }
    fputc('"', out);
}

static void write_requests(FILE *out, const results *r)
{
    fprintf(out,
            "  \"requests\": {\"total\": %" PRIu64 ", \"routed\": %" PRIu64
            ", \"failed\": %" PRIu64 ",\n               \"failed_by_reason\": {",
            r->total, r->routed, r->failed);
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        fprintf(out, "%s\"%s\": %" PRIu64, k ? ", " : "", results_reason_name(k),
                r->failed_by_reason[k]);
    fputs("}},\n", out);
}

static void write_phase(FILE *out, const results_phase *ph)
{
    fputs("    {\"router\": ", out);
    report_json_string(out, ph->router);
    fprintf(out, ", \"start_s\": %.6f, \"end_s\": %.6f,\n     \"requests\": %" PRIu64 ",\n",
            ph->start_s, ph->end_s, ph->requests);
    fputs("     \"deployments\": [", out);
    for (size_t i = 0; i < ph->n_deployments; i++) {
        const results_share *d = &ph->deployments[i];
        double observed = ph->requests ? (double)d->observed / (double)ph->requests : 0.0;
        fputs(i ? ",\n       {\"name\": " : "\n       {\"name\": ", out);
        report_json_string(out, d->name);
        fprintf(out,
                ", \"replicas\": %lld, \"expected_share\": %.10g, \"observed\": %" PRIu64
                ", \"observed_share\": %.10g}",
                d->replicas, d->expected_share, d->observed, observed);
    }
    fprintf(out, "],\n     \"chi2\": %.10g, \"df\": %d, \"p_value\": %.10g, \"verdict\": \"%s\"",
            ph->test.chi2, ph->test.df, ph->test.p_value,
            splittest_verdict_name(ph->test.verdict));
    if (ph->test.reason[0]) {
        fputs(", \"reason\": ", out);
        report_json_string(out, ph->test.reason);
    }
    fputs("}", out);
}

static void write_checks(FILE *out, const results *r)
{
    fputs("  \"checks\": [", out);
    for (size_t i = 0; i < r->n_checks; i++) {
        fputs(i ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
        report_json_string(out, r->checks[i].name);
        fprintf(out, ", \"passed\": %s, \"detail\": ", r->checks[i].passed ? "true" : "false");
        report_json_string(out, r->checks[i].detail);
        fputs("}", out);
    }
    fputs(r->n_checks ? "\n  ],\n" : "],\n", out);
}

static void write_events(FILE *out, const results *r)
{
    fputs("  \"events\": [", out);
    for (size_t i = 0; i < r->n_events; i++) {
        fprintf(out, "%s{\"at_s\": %.6f, \"command\": ", i ? ",\n    " : "\n    ",
                r->events[i].at_s);
        report_json_string(out, r->events[i].text);
        fputs("}", out);
    }
    fputs(r->n_events ? "\n  ],\n" : "],\n", out);
}

int report_json_write(FILE *out, const results *r)
{
    fputs("{\n  \"scenario\": ", out);
    report_json_string(out, r->scenario);
    fputs(", \"description\": ", out);
    report_json_string(out, r->description);
    fputs(", \"source\": ", out);
    report_json_string(out, r->source);
    fprintf(out,
            ",\n  \"seed\": %" PRIu64 ", \"duration_s\": %.6f, \"window_s\": %.6f"
            ", \"alpha\": %.10g,\n",
            r->seed, r->duration_s, r->window_s, r->alpha);
    write_requests(out, r);
    fputs("  \"phases\": [\n", out);
    for (size_t i = 0; i < r->n_phases; i++) {
        write_phase(out, &r->phases[i]);
        fputs(i + 1 < r->n_phases ? ",\n" : "\n", out);
    }
    fputs("  ],\n", out);
    write_checks(out, r);
    write_events(out, r);
    fprintf(out, "  \"passed\": %s\n}\n", r->passed ? "true" : "false");
    return ferror(out) ? -1 : 0;
}
