/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routersim — the command: `run` simulates scenarios and writes their reports, `validate`
 * only loads and checks them. Exit status is the CI contract: 0 every check passed, 1 a
 * check failed, 2 bad usage or an invalid scenario, 3 the run could not be completed
 * (e.g. the reports could not be written, or another run holds the report folder's lock).
 */
#include "reports/reports.h"
#include "reports/summary.h"
#include "sim/stats/checks.h"
#include "sim/run/engine.h"
#include "sim/load/scenario_load.h"
#include "views/outdir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { EXIT_PASSED = 0, EXIT_CHECK_FAILED = 1, EXIT_INVALID = 2, EXIT_RUN_ERROR = 3 };

/* More overrides than this on one command line are a mistake, not a plan. */
#define MAX_SETS 256

typedef struct {
    int has_seed;
    uint64_t seed;
    const char *out;
    int quiet;
    int plots;
    const char *sets[MAX_SETS]; /* --set KEY.PATH=VALUE, in order; argv's strings */
    size_t n_sets;
} options;

static const char usage[] =
    "Usage: routersim run FILE... [--seed N] [--out DIR] [--quiet] [--no-plots]\n"
    "                     [--set KEY.PATH=VALUE]...\n"
    "       routersim validate FILE... [--set KEY.PATH=VALUE]...\n"
    "       routersim --help | --version\n"
    "\n"
    "Simulates inference routers splitting traffic over deployments by replica count,\n"
    "tests every phase's split with a chi-square test and checks what the scenario expects.\n"
    "\n"
    "Commands:\n"
    "  run FILE...       simulate, print a summary, write the reports\n"
    "  validate FILE...  load and check scenarios without simulating\n"
    "\n"
    "Options:\n"
    "  -s, --seed N      random seed (overrides the scenario's seed)\n"
    "  -o, --out DIR     report folder (default out/<scenario name>; with several files,\n"
    "                    one sub-folder per scenario under DIR); replaced as a whole, so\n"
    "                    it may hold reports only\n"
    "  -q, --quiet       print only errors, and each failed check on one line (stderr)\n"
    "      --no-plots    do not draw plots\n"
    "      --set KEY.PATH=VALUE  change a value of every scenario before it is checked\n"
    "                    (repeatable), e.g. deployments.chat.replicas=12\n"
    "  -h, --help        show this help\n"
    "  -V, --version     show the version\n"
    "\n"
    "Exit status: 0 every check passed, 1 a check failed, 2 bad usage or an invalid\n"
    "scenario, 3 the run could not be completed (e.g. the reports could not be written,\n"
    "or another run is writing into the same report folder).\n";

static void warn(const char *message)
{
    fprintf(stderr, "routersim: warning: %s\n", message);
}

/* ---- progress on a terminal --------------------------------------------------------- */

typedef struct {
    struct timespec started, last;
    int shown;
} progress;

static double seconds_since(const struct timespec *t)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Shown only after the first second and at most ten times a second. */
static void show_progress(void *ctx, double sim_s, double duration_s, uint64_t requests)
{
    progress *p = ctx;
    double elapsed = seconds_since(&p->started);
    if (elapsed < 1.0 || (p->shown && seconds_since(&p->last) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    p->shown = 1;
    fprintf(stderr, "\r  %5.1f%%  simulated %.0fs of %.0fs  %.3g requests  %.3g requests/s ",
            100.0 * sim_s / duration_s, sim_s, duration_s, (double)requests,
            (double)requests / elapsed);
    fflush(stderr);
}

static void clear_progress(const progress *p)
{
    if (p->shown)
        fputs("\r\033[K", stderr);
}

/* ---- run and validate ----------------------------------------------------------------- */

/* A scenario name as a folder name: anything but letters, digits, '.', '_' and '-' becomes
 * '-', so names with spaces, quotes or non-ASCII still give a safe, readable folder. */
static void folder_name(const char *name, char *out, size_t size)
{
    size_t i = 0;
    for (; name[i] && i + 1 < size; i++) {
        char c = name[i];
        int keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '.' || c == '_' || c == '-';
        out[i] = keep ? c : '-';
    }
    out[i] = '\0';
    if (strcmp(out, ".") == 0 || strcmp(out, "..") == 0 || out[0] == '\0')
        snprintf(out, size, "scenario");
}

static void output_dir(const options *opt, const scenario *sc, int several, char *out, size_t size)
{
    char folder[256];
    folder_name(sc->name, folder, sizeof folder);
    if (!opt->out)
        snprintf(out, size, "out/%s", folder);
    else if (several)
        snprintf(out, size, "%s/%s", opt->out, folder);
    else
        snprintf(out, size, "%s", opt->out);
}

static int run_one(const scenario *sc, const options *opt, const char *dir)
{
    char err[1024];
    /* Locked before simulating: a run that cannot write its reports fails at once. */
    outdir *od = outdir_open(dir, err, sizeof err);
    if (!od) {
        fprintf(stderr, "routersim: %s: %s\n", sc->path, err);
        return EXIT_RUN_ERROR;
    }
    progress prog = {0};
    int show = !opt->quiet && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &prog.started);
    results *r = engine_run(sc, opt->has_seed ? opt->seed : sc->seed, show ? show_progress : NULL,
                            &prog, err, sizeof err);
    clear_progress(&prog);
    if (!r) {
        fprintf(stderr, "routersim: %s: %s\n", sc->path, err);
        outdir_abort(od);
        return EXIT_RUN_ERROR;
    }
    if (checks_evaluate(sc, r) != 0) {
        fprintf(stderr, "routersim: %s: out of memory\n", sc->path);
        results_free(r);
        outdir_abort(od);
        return EXIT_RUN_ERROR;
    }
    reports_options ropts = {.plots = opt->plots};
    int status = r->passed ? EXIT_PASSED : EXIT_CHECK_FAILED;
    int written = reports_write(outdir_staging(od), r, &ropts, warn, err, sizeof err) == 0;
    if (written) {
        written = outdir_commit(od, err, sizeof err) == 0;
    } else {
        outdir_explain(od, err, sizeof err);
        outdir_abort(od);
    }
    if (!written) {
        fprintf(stderr, "routersim: %s: %s\n", sc->path, err);
        status = EXIT_RUN_ERROR;
    }
    if (!opt->quiet) {
        summary_print(stdout, r);
        if (status != EXIT_RUN_ERROR)
            printf("Reports: %s/\n", dir);
        fflush(stdout);
    } else {
        summary_failures(stderr, "routersim: ", r);
    }
    results_free(r);
    return status;
}

/* Load every file before simulating any: one invalid scenario stops the whole run. */
static scenario **load_all(char **files, int n, const options *opt)
{
    scenario **all = calloc((size_t)n, sizeof *all);
    int ok = all != NULL;
    for (int i = 0; all && i < n; i++) {
        char err[1024];
        all[i] = scenario_load_set(files[i], opt->sets, opt->n_sets, err, sizeof err);
        if (!all[i]) {
            fprintf(stderr, "routersim: %s\n", err);
            ok = 0;
        }
    }
    if (!all)
        fprintf(stderr, "routersim: out of memory\n");
    if (!ok && all) {
        for (int i = 0; i < n; i++)
            scenario_free(all[i]);
        free(all);
        all = NULL;
    }
    return all;
}

static int distinct_folders(scenario **all, int n, const options *opt)
{
    for (int i = 0; i < n; i++)
        for (int j = 0; j < i; j++) {
            char a[4096], b[4096];
            output_dir(opt, all[i], n > 1, a, sizeof a);
            output_dir(opt, all[j], n > 1, b, sizeof b);
            if (strcmp(a, b) == 0) {
                fprintf(stderr,
                        "routersim: %s and %s would both write their reports into %s; give the "
                        "scenarios different names\n",
                        all[j]->path, all[i]->path, a);
                return 0;
            }
        }
    return 1;
}

static int command_run(char **files, int n, const options *opt)
{
    scenario **all = load_all(files, n, opt);
    if (!all)
        return EXIT_INVALID;
    int status = distinct_folders(all, n, opt) ? EXIT_PASSED : EXIT_INVALID;
    for (int i = 0; i < n && status != EXIT_INVALID; i++) {
        char dir[4096];
        output_dir(opt, all[i], n > 1, dir, sizeof dir);
        if (i > 0 && !opt->quiet)
            putchar('\n');
        int one = run_one(all[i], opt, dir);
        status = one > status ? one : status;
    }
    for (int i = 0; i < n; i++)
        scenario_free(all[i]);
    free(all);
    return status;
}

static int command_validate(char **files, int n, const options *opt)
{
    int status = EXIT_PASSED;
    for (int i = 0; i < n; i++) {
        char err[1024];
        scenario *sc = scenario_load_set(files[i], opt->sets, opt->n_sets, err, sizeof err);
        if (!sc) {
            fprintf(stderr, "routersim: %s\n", err);
            status = EXIT_INVALID;
            continue;
        }
        if (!opt->quiet)
            printf("%s: ok: scenario %s, %zu world commands, %zu traffic sources, %.3g "
                   "requests expected\n",
                   files[i], sc->name, sc->n_events, sc->n_traffic, scenario_expected_requests(sc));
        scenario_free(sc);
    }
    return status;
}

/* ---- the command line ------------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg)
{
    fputs("routersim: ", stderr);
    fprintf(stderr, fmt, arg);
    fputs("\nTry 'routersim --help'.\n", stderr);
    return EXIT_INVALID;
}

static int parse_options(int argc, char **argv, options *opt)
{
    static const struct option longopts[] = {
        {"seed", required_argument, NULL, 's'}, {"out", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},      {"no-plots", no_argument, NULL, 'P'},
        {"set", required_argument, NULL, 'S'},  {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},    {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:qhV", longopts, NULL)) != -1) {
        char why[256];
        long long seed;
        switch (c) {
        case 's':
            if (units_parse_int(optarg, 0, INT64_MAX, &seed, why, sizeof why) != 0)
                return usage_error("--seed: %s", why);
            opt->has_seed = 1;
            opt->seed = (uint64_t)seed;
            break;
        case 'o':
            opt->out = optarg;
            break;
        case 'q':
            opt->quiet = 1;
            break;
        case 'P':
            opt->plots = 0;
            break;
        case 'S':
            if (!strchr(optarg, '=') || optarg[0] == '=')
                return usage_error("--set %s: expected KEY.PATH=VALUE", optarg);
            if (opt->n_sets == MAX_SETS)
                return usage_error("--set %s: expected at most 256 overrides", optarg);
            opt->sets[opt->n_sets++] = optarg;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(EXIT_PASSED);
        case 'V':
            printf("routersim %s\n", ROUTERSIM_VERSION);
            exit(EXIT_PASSED);
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    options opt = {.plots = 1};
    if (argc < 2)
        return usage_error("%s", "expected a command: run or validate");
    if (argv[1][0] == '-') {
        /* --help or --version before any command */
        if (parse_options(argc, argv, &opt) != 0)
            return EXIT_INVALID;
        return usage_error("%s", "expected a command: run or validate");
    }
    const char *command = argv[1];
    if (strcmp(command, "run") != 0 && strcmp(command, "validate") != 0)
        return usage_error("unknown command \"%s\"; expected run or validate", command);
    if (parse_options(argc - 1, argv + 1, &opt) != 0)
        return EXIT_INVALID;
    int n = argc - 1 - optind;
    char **files = argv + 1 + optind;
    if (n <= 0)
        return usage_error("%s: expected at least one scenario file", command);
    if (strcmp(command, "validate") == 0)
        return command_validate(files, n, &opt);
    return command_run(files, n, &opt);
}
