/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routersim — the command: `run` simulates scenarios and writes their reports, `validate`
 * only loads and checks them. Exit status is the CI contract: 0 every check passed, 1 a
 * check failed, 2 bad usage or an invalid scenario, 3 the run could not be completed
 * (e.g. the reports could not be written, or another run holds the report folder's lock).
 */
#include "reports/plan_report.h"
#include "reports/migration_report.h"
#include "reports/reports.h"
#include "reports/fit_report.h"
#include "reports/replay_report.h"
#include "reports/sensitivity_report.h"
#include "reports/srm_report.h"
#include "reports/summary.h"
#include "sim/base/heapwarm.h"
#include "sim/stats/checks.h"
#include "sim/stats/replicas.h"
#include "sim/stats/replicate.h"
#include "sim/run/engine.h"
#include "sim/load/scenario_load.h"
#include "sim/load/countscsv.h"
#include "sim/load/uncertain.h"
#include "sim/stats/fit.h"
#include "sim/stats/replay.h"
#include "sim/stats/sensitivity.h"
#include "sim/stats/srm.h"
#include "sim/load/metricscsv.h"
#include "views/outdir.h"
#ifdef ROUTERSIM_MPI
#include "sim/stats/replmpi.h" /* the MPI build: replications over mpirun's ranks */
#endif

#include <getopt.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>
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
    series_detail detail;       /* --detail: how much of the time series run writes */
    int detail_given;           /* --detail was on the command line: only run takes it */
    const char *sets[MAX_SETS]; /* --set KEY.PATH=VALUE, in order; argv's strings */
    size_t n_sets;
    /* replicated runs: 0 (not given) or the flag's value */
    size_t replications;
    unsigned jobs;
    double pass_rate, confidence;
    int sequential;
    const char *replicated_flag; /* the first flag that needs --replications, for the error */
    /* sensitivity, and run --sensitivity */
    int sensitivity;                            /* run: also vary the scenario's uncertainty */
    const char *varies[SENSITIVITY_MAX_PARAMS]; /* --vary KEY.PATH=LOW..HIGH; argv's strings */
    size_t n_varies;
    size_t points, bisections; /* 0: not given */
    int has_bisections, corners;
    const char *sensitivity_flag; /* the first flag that only sensitivity takes, for the error */
    /* replay */
    const char *replay_scenario; /* --scenario FILE */
    double replay_alpha;         /* --alpha A; 0: not given */
    const char *replay_flag;     /* the first flag that only replay takes, for the error */
} options;

static const char usage[] =
    "Usage: routersim run FILE... [--seed N] [--out DIR] [--quiet] [--no-plots]\n"
    "                     [--detail full|bounded]\n"
    "                     [--set KEY.PATH=VALUE]... [--replications N [--jobs J]\n"
    "                     [--pass-rate P] [--confidence C] [--sequential]]\n"
    "                     [--sensitivity [--points K] [--bisections B]]\n"
    "       routersim validate FILE... [--set KEY.PATH=VALUE]...\n"
    "       routersim sensitivity FILE [--vary KEY.PATH=LOW..HIGH]... [--points K]\n"
    "                     [--bisections B] [--corners] [--replications N] [--jobs J]\n"
    "                     [--pass-rate P] [--confidence C] [--seed N] [--out DIR]\n"
    "                     [--set KEY.PATH=VALUE]... [--quiet] [--no-plots]\n"
    "       routersim replay RECORDING.csv --scenario FILE [--replications N] [--jobs J]\n"
    "                     [--alpha A] [--seed N] [--out DIR] [--set KEY.PATH=VALUE]...\n"
    "                     [--quiet] [--no-plots]\n"
    "       routersim srm COUNTS.csv [--expected D=SHARE,... | --scenario FILE] [--alpha A]\n"
    "                     [--concentration C] [--deviation X | --relative-deviation X]\n"
    "                     [--power P] [--seed N] [--out DIR] [--quiet] [--no-plots]\n"
    "       routersim plan srm FILE... [--deviation X | --relative-deviation X] [--power P]\n"
    "                     [--seed N]\n"
    "       routersim fit METRICS.csv... [--out DIR] [--period DURATION]\n"
    "                     [--max-utilization U] [--confidence C] [--resolution R]\n"
    "                     [--quiet] [--no-plots]\n"
    "       routersim plan capacity FILE [--deployment ID]... [--pass-rate P]\n"
    "                     [--confidence C] [--max-replicas N] [--replications N]\n"
    "                     [--jobs J] [--seed N] [--out DIR] [--quiet]\n"
    "       routersim plan migration FILE --router R --from A --to B [--steps 10,50,100]\n"
    "                     [--max-replicas N] [--minimise time|replica-hours]\n"
    "                     [--pass-rate P] [--confidence C] [--replications N] [--jobs J]\n"
    "                     [--out DIR]   (routersim plan migration --help)\n"
    "       routersim --help | --version\n"
    "\n"
    "Simulates inference routers splitting traffic over deployments by replica count,\n"
    "tests every phase's split with a chi-square test and checks what the scenario expects.\n"
    "\n"
    "Commands:\n"
    "  run FILE...       simulate, print a summary, write the reports\n"
    "  validate FILE...  load and check scenarios without simulating\n"
    "  sensitivity FILE  vary each uncertain parameter (the scenario's uncertainty:,\n"
    "                    or --vary) across its interval, one at a time, and report\n"
    "                    which can flip each check's verdict and at what value\n"
    "  replay RECORDING.csv  run the scenario (the model, the steps run in its\n"
    "                    timeline) replicated against a recorded change's metrics;\n"
    "                    exit 1 when the model does not explain the recording\n"
    "  srm COUNTS.csv    test observed requests per router, deployment and interval\n"
    "                    (time,router,deployment,requests[,replicas|share]) phase by\n"
    "                    phase: chi-square, anytime-valid sequential test, power\n"
    "  plan srm FILE...  simulate and print each phase's power and the requests and time\n"
    "                    its split test needs\n"
    "  fit METRICS.csv...  estimate arrivals, service time, concurrency and cold start,\n"
    "                    with intervals, from metrics exports (docs/calibration.md);\n"
    "                    writes scenario.fitted.yaml, fit.json, fit.md and plots (default\n"
    "                    out/fit)\n"
    "  plan capacity FILE  the fewest replicas with which every check passes with\n"
    "                    probability P at confidence C over replications; writes\n"
    "                    plan.json, plan.md, plan.html, plan.png/.svg and planned.yaml\n"
    "                    (exit 0 plan found, 1 none within the bounds)\n"
    "  plan migration FILE  write the runbook moving a router's traffic from one\n"
    "                    deployment to another, every check passing at every instant,\n"
    "                    and judge it over replications (plan migration --help)\n"
    "\n"
    "Options:\n"
    "  -s, --seed N      random seed (overrides the scenario's seed)\n"
    "  -o, --out DIR     report folder (default out/<scenario name>; with several files,\n"
    "                    one sub-folder per scenario under DIR); replaced as a whole, so\n"
    "                    it may hold reports only\n"
    "  -q, --quiet       print only errors, and each failed check on one line (stderr)\n"
    "      --no-plots    do not draw plots\n"
    "      --detail full|bounded  run: how much of the time series to write (default\n"
    "                    bounded: beyond 20 routers or 10 deployments a router, the\n"
    "                    busiest and failing ones, the rest summed as \"(other)\")\n"
    "run, replicated:\n"
    "  -n, --replications N  run N independent replications (replication 0 with the\n"
    "                    run's seed, replication i with splitmix64 of it; report.json\n"
    "                    lists every seed) and judge them together; the detailed\n"
    "                    reports are replication 0's\n"
    "  -j, --jobs J      threads for the replications (default: the processors online);\n"
    "                    the reports are the same whatever J is\n"
    "      --pass-rate P  pass when the lower end of the pass rate's Clopper-Pearson\n"
    "                    interval reaches P (default: every replication must pass;\n"
    "                    overrides the scenario's checks.pass_rate)\n"
    "      --confidence C  confidence of the intervals and of the rule (default 0.95)\n"
    "      --sequential  stop as soon as the rule decides, N being the cap; undecided\n"
    "                    at the cap fails\n"
    "      --sensitivity  run: also vary the scenario's uncertainty: (2 values per\n"
    "                    parameter unless --points) and say whether the verdict holds\n"
    "                    across it; adds sensitivity.json/md/html to the reports\n"
    "sensitivity:\n"
    "      --vary KEY.PATH=LOW..HIGH  a parameter and its interval, both ends in one\n"
    "                    unit (repeatable); replaces the scenario's uncertainty:\n"
    "      --points K    values per parameter, ends included (default 5; run: 2)\n"
    "      --bisections B  most bisection steps to locate a flip (default 12)\n"
    "      --corners     also run every corner of the intervals (at most 6 parameters)\n"
    "      (--replications N: per value, default 10; exit 1 when a verdict can flip)\n"
    "replay:\n"
    "      --scenario FILE  the calibrated model, the recorded steps in its timeline\n"
    "      --alpha A     the verdict's false-alarm rate (default 0.01)\n"
    "      (--replications N: default 99; a window is outside the replications'\n"
    "                    range with chance 2/(N+1) when the model is right)\n"
    "srm and plan srm:\n"
    "      --expected D=SHARE,...  expected shares for every router (instead of the\n"
    "                    file's replicas or share column)\n"
    "      --scenario FILE  expected shares from a run of the scenario at each time\n"
    "      --alpha A     significance level (default 0.001)\n"
    "      --concentration C  the sequential test's Dirichlet concentration (default 100)\n"
    "      --deviation X  the mismatch to detect: the smallest share moved by X\n"
    "                    (default 0.01, one percentage point)\n"
    "      --relative-deviation X  ... or moved by the fraction X of itself\n"
    "      --power P     target power (default 0.8)\n"
    "plan migration (and -n, -j, --pass-rate, --confidence, -o as above):\n"
    "      --router R    the router, routing to A alone at time zero\n"
    "      --from A      the deployment traffic leaves; --to B  where it goes\n"
    "      --steps LIST  B's shares in percent, ending with 100 (default 10,50,100)\n"
    "      --max-replicas N  replicas of A and B at any instant (default: twice A's)\n"
    "      --minimise time|replica-hours  what the plan minimises (default time)\n"
    "      --set KEY.PATH=VALUE  change a value of every scenario before it is checked\n"
    "                    (repeatable), e.g. deployments.chat.replicas=12\n"
    "fit:\n"
    "      --period DURATION  the daily cycle's period (default 24h)\n"
    "      --max-utilization U  windows at most this busy fit the service time\n"
    "                    (default 0.5)\n"
    "      --confidence C  confidence of the intervals (default 0.95)\n"
    "      --resolution R  the export's latency quantiles are within the relative\n"
    "                    error R (routersim's load.csv: 0.01); widens the service\n"
    "                    time's intervals by it (default 0: exact)\n"
    "plan capacity:\n"
    "      --deployment ID  a deployment to plan (repeatable; default: every one with a\n"
    "                    serving model): its replicas, or its max_replica_count if\n"
    "                    autoscaled\n"
    "      --max-replicas N  the most replicas of one deployment (default 100)\n"
    "      --pass-rate P, --confidence C, --replications N, --jobs J  as for run; P\n"
    "                    defaults to the scenario's checks.pass_rate, else 0.9; N (default\n"
    "                    200) caps each candidate's replications, which stop as soon as\n"
    "                    the pass rate is shown >= P or < P; --out defaults to\n"
    "                    out/<scenario name>-plan\n"
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

/* One run of the scenario, checked: *r. Returns 0, or an exit status after saying why. */
static int simulate_single(const scenario *sc, const options *opt, results **r)
{
    char err[1024];
    progress prog = {0};
    int show = !opt->quiet && isatty(STDERR_FILENO);
    clock_gettime(CLOCK_MONOTONIC, &prog.started);
    *r = engine_run(sc, opt->has_seed ? opt->seed : sc->seed, show ? show_progress : NULL, &prog,
                    err, sizeof err);
    clear_progress(&prog);
    if (!*r) {
        fprintf(stderr, "routersim: %s: %s\n", sc->path, err);
        return EXIT_RUN_ERROR;
    }
    if (checks_evaluate(sc, *r) != 0) {
        fprintf(stderr, "routersim: %s: out of memory\n", sc->path);
        results_free(*r);
        *r = NULL;
        return EXIT_RUN_ERROR;
    }
    return EXIT_PASSED;
}

typedef struct {
    replicas_agg *agg;
    results *first; /* replication 0's results, for the detailed reports */
    int sequential;
    int show;
    progress prog;
    size_t cap;
} replicated;

/* Replications done of N, shown like the single run's progress. */
static void show_replications(progress *p, size_t done, size_t cap)
{
    if (seconds_since(&p->started) < 1.0 || (p->shown && seconds_since(&p->last) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    p->shown = 1;
    fprintf(stderr, "\r  replications %zu of %zu ", done, cap);
    fflush(stderr);
}

/* Replication `index`'s row into the aggregate (rows come in index order). */
static replicate_next fold_row(void *ctx, size_t index, replicas_row **row, char *err,
                               size_t errlen)
{
    replicated *rep = ctx;
    if (!*row || replicas_add(rep->agg, *row) != 0) {
        snprintf(err, errlen, "out of memory");
        return REPLICATE_ABORT;
    }
    if (rep->show)
        show_replications(&rep->prog, index + 1, rep->cap);
    if (rep->sequential && replicas_decision(rep->agg) != REPLICAS_UNDECIDED)
        return REPLICATE_STOP;
    return REPLICATE_CONTINUE;
}

static replicate_next fold_replication(void *ctx, size_t index, uint64_t seed, results **r,
                                       char *err, size_t errlen)
{
    (void)seed; /* the row carries it */
    replicated *rep = ctx;
    replicas_row *row = replicas_row_from_results(*r);
    replicate_next next = fold_row(ctx, index, &row, err, errlen);
    replicas_row_free(row);
    if (index == 0 && next != REPLICATE_ABORT) {
        rep->first = *r;
        *r = NULL;
    }
    return next;
}

/* The rule: the scenario's checks, each overridden by its flag. */
static replicas_rule replicated_rule(const scenario *sc, const options *opt)
{
    replicas_rule rule = {.pass_rate = opt->pass_rate > 0 ? opt->pass_rate : sc->pass_rate,
                          .confidence = opt->confidence > 0 ? opt->confidence : sc->confidence,
                          .sequential = opt->sequential || sc->sequential};
    return rule;
}

/* The replications on this process's threads or, in the MPI build under mpirun, on every
 * rank's; either way folded in index order. */
static int replicate(const scenario *sc, const options *opt, replicate_options *ropt,
                     replicated *rep, char *err, size_t errlen)
{
#ifdef ROUTERSIM_MPI
    if (replmpi_ranks() > 1) {
        ropt->jobs = opt->jobs ? opt->jobs : 1; /* one thread per rank unless --jobs says */
        return replmpi_run(sc, opt->sets, opt->n_sets, ropt, fold_replication, fold_row, rep, err,
                           errlen);
    }
#endif
    (void)opt;
    return replicate_run(sc, ropt, fold_replication, rep, err, errlen);
}

/* opt->replications replications of the scenario: replication 0's results in *r and the
 * aggregate in *summary. Returns 0, or an exit status after saying why. */
static int simulate_replicated(const scenario *sc, const options *opt, results **r,
                               replicas_summary **summary)
{
    char err[1024];
    replicas_rule rule = replicated_rule(sc, opt);
    replicated rep = {.agg = replicas_new(&rule, opt->replications),
                      .sequential = rule.sequential,
                      .show = !opt->quiet && isatty(STDERR_FILENO),
                      .cap = opt->replications};
    clock_gettime(CLOCK_MONOTONIC, &rep.prog.started);
    replicate_options ropt = {.seed = opt->has_seed ? opt->seed : sc->seed,
                              .replications = opt->replications,
                              .jobs = opt->jobs ? opt->jobs : replicate_default_jobs(),
                              .rank = 0,
                              .ranks = 1};
    int rc = rep.agg ? replicate(sc, opt, &ropt, &rep, err, sizeof err) : -1;
    clear_progress(&rep.prog);
    if (!rep.agg)
        snprintf(err, sizeof err, "out of memory");
    if (rc == 0 && !(*summary = replicas_summarize(rep.agg))) {
        snprintf(err, sizeof err, "out of memory");
        rc = -1;
    }
    replicas_free(rep.agg);
    if (rc != 0) {
        fprintf(stderr, "routersim: %s: %s\n", sc->path, err);
        results_free(rep.first);
        return EXIT_RUN_ERROR;
    }
    *r = rep.first;
    return EXIT_PASSED;
}

/* ---- sensitivity ----------------------------------------------------------------------- */

static int usage_error(const char *fmt, const char *arg);

/* The --vary flags as uncertain parameters (line 0: from the command line), or NULL after
 * saying why. n: how many. */
static scenario_uncertain *parse_varies(const options *opt)
{
    scenario_uncertain *u = calloc(opt->n_varies ? opt->n_varies : 1, sizeof *u);
    if (!u) {
        fprintf(stderr, "routersim: out of memory\n");
        return NULL;
    }
    for (size_t i = 0; i < opt->n_varies; i++) {
        char why[256];
        if (uncertain_parse_vary(opt->varies[i], &u[i].key, &u[i].low, &u[i].high, &u[i].unit, why,
                                 sizeof why) != 0) {
            for (size_t j = 0; j < i; j++) {
                free(u[j].key);
                free(u[j].unit);
            }
            free(u);
            char msg[600];
            snprintf(msg, sizeof msg, "--vary %s: %s", opt->varies[i], why);
            usage_error("%s", msg);
            return NULL;
        }
    }
    return u;
}

static void free_varies(scenario_uncertain *u, size_t n)
{
    for (size_t i = 0; u && i < n; i++) {
        free(u[i].key);
        free(u[i].unit);
    }
    free(u);
}

/* The analysis of sc's parameters (params), with the command line's choices; in_run: the
 * defaults of run --sensitivity (2 values, the run's replications). Returns the result, or
 * NULL after saying why with *status set. */
static sensitivity_result *analyse(const scenario *sc, const options *opt,
                                   const scenario_uncertain *params, size_t n_params, int in_run,
                                   int *status)
{
    replicas_rule rule = {.pass_rate = opt->pass_rate > 0 ? opt->pass_rate : sc->pass_rate,
                          .confidence = opt->confidence > 0 ? opt->confidence : sc->confidence};
    size_t replications = opt->replications ? opt->replications : in_run ? 1 : 10;
    sensitivity_options so = {.path = sc->path,
                              .sets = opt->sets,
                              .n_sets = opt->n_sets,
                              .params = params,
                              .n_params = n_params,
                              .points = opt->points ? opt->points
                                        : in_run    ? 2
                                                    : 5,
                              .bisections = opt->has_bisections ? opt->bisections : 12,
                              .corners = opt->corners,
                              .seed = opt->has_seed ? opt->seed : sc->seed,
                              .replications = replications,
                              .jobs = opt->jobs ? opt->jobs : replicate_default_jobs(),
                              .rule = rule};
    char err[2048];
    int invalid = 0;
    sensitivity_result *res = sensitivity_run(&so, &invalid, err, sizeof err);
    if (!res) {
        fprintf(stderr, "routersim: %s\n", err);
        *status = invalid ? EXIT_INVALID : EXIT_RUN_ERROR;
    }
    return res;
}

static int command_sensitivity(const char *file, const options *opt)
{
    char err[2048];
    scenario *sc = scenario_load_set(file, opt->sets, opt->n_sets, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "routersim: %s\n", err);
        return EXIT_INVALID;
    }
    scenario_uncertain *varied = opt->n_varies ? parse_varies(opt) : NULL;
    const scenario_uncertain *params = opt->n_varies ? varied : sc->uncertain;
    size_t n_params = opt->n_varies ? opt->n_varies : sc->n_uncertain;
    int status = EXIT_PASSED;
    if (opt->n_varies && !varied) {
        status = EXIT_INVALID;
    } else if (n_params == 0) {
        fprintf(stderr,
                "routersim: %s: nothing to vary: expected an uncertainty: section or "
                "--vary KEY.PATH=LOW..HIGH\n",
                file);
        status = EXIT_INVALID;
    }
    char dir[4096], folder[256], stem[300];
    snprintf(stem, sizeof stem, "sensitivity-%s", sc->name);
    folder_name(stem, folder, sizeof folder);
    snprintf(dir, sizeof dir, "%s%s", opt->out ? opt->out : "out/", opt->out ? "" : folder);
    outdir *od = status == EXIT_PASSED ? outdir_open(dir, err, sizeof err) : NULL;
    if (status == EXIT_PASSED && !od) {
        fprintf(stderr, "routersim: %s: %s\n", file, err);
        status = EXIT_RUN_ERROR;
    }
    sensitivity_result *res =
        status == EXIT_PASSED ? analyse(sc, opt, params, n_params, 0, &status) : NULL;
    if (res) {
        int written = sensitivity_report_write(outdir_staging(od), file, res, opt->plots, warn, err,
                                               sizeof err) == 0;
        if (written) {
            written = outdir_commit(od, err, sizeof err) == 0; /* frees od either way */
        } else {
            outdir_explain(od, err, sizeof err);
            outdir_abort(od);
        }
        od = NULL;
        if (!written) {
            fprintf(stderr, "routersim: %s: %s\n", file, err);
            status = EXIT_RUN_ERROR;
        } else {
            status = sensitivity_holds(res) ? EXIT_PASSED : EXIT_CHECK_FAILED;
        }
        if (!opt->quiet) {
            sensitivity_report_summary(stdout, res);
            if (written)
                printf("Reports: %s/\n", dir);
            fflush(stdout);
        } else if (!sensitivity_holds(res)) {
            fputs("routersim: ", stderr);
            sensitivity_report_statement(stderr, res);
            fputc('\n', stderr);
        }
    }
    outdir_abort(od);
    sensitivity_result_free(res);
    free_varies(varied, opt->n_varies);
    scenario_free(sc);
    return status;
}

/* ---- replay -------------------------------------------------------------------------------- */

/* `replay RECORDING --scenario FILE`: the recording through the model, replicated. */
static int command_replay(const char *recording, const options *opt)
{
    char err[2048];
    if (!opt->replay_scenario)
        return usage_error("%s", "replay: expected --scenario FILE (the model and the steps run)");
    if (opt->replications == 1)
        return usage_error("%s", "replay: --replications needs 2 or more");
    metricscsv *m = metricscsv_read(recording, err, sizeof err);
    scenario *sc = NULL;
    replay_result *res = NULL;
    outdir *od = NULL;
    int status = EXIT_PASSED;
    if (!m) {
        fprintf(stderr, "routersim: %s\n", err);
        status = EXIT_INVALID;
    } else if (!(sc = scenario_load_set(opt->replay_scenario, opt->sets, opt->n_sets, err,
                                        sizeof err))) {
        fprintf(stderr, "routersim: %s\n", err);
        status = EXIT_INVALID;
    }
    char dir[4096], folder[256], stem[300];
    if (sc) {
        snprintf(stem, sizeof stem, "replay-%s", sc->name);
        folder_name(stem, folder, sizeof folder);
        snprintf(dir, sizeof dir, "%s%s", opt->out ? opt->out : "out/", opt->out ? "" : folder);
        if (!(od = outdir_open(dir, err, sizeof err))) {
            fprintf(stderr, "routersim: %s: %s\n", recording, err);
            status = EXIT_RUN_ERROR;
        }
    }
    if (od) {
        replay_options ro = {.seed = opt->has_seed ? opt->seed : sc->seed,
                             .replications = opt->replications ? opt->replications : 99,
                             .jobs = opt->jobs ? opt->jobs : replicate_default_jobs(),
                             .alpha = opt->replay_alpha > 0 ? opt->replay_alpha : 0.01};
        int invalid = 0;
        if (!(res = replay_run(sc, m, &ro, &invalid, err, sizeof err))) {
            fprintf(stderr, "routersim: %s\n", err);
            status = invalid ? EXIT_INVALID : EXIT_RUN_ERROR;
        }
    }
    if (res) {
        int written =
            replay_report_write(outdir_staging(od), res, opt->plots, warn, err, sizeof err) == 0;
        if (written) {
            written = outdir_commit(od, err, sizeof err) == 0; /* frees od either way */
        } else {
            outdir_explain(od, err, sizeof err);
            outdir_abort(od);
        }
        od = NULL;
        status = !written ? EXIT_RUN_ERROR : res->explained ? EXIT_PASSED : EXIT_CHECK_FAILED;
        if (!written)
            fprintf(stderr, "routersim: %s: %s\n", recording, err);
        if (!opt->quiet) {
            replay_report_summary(stdout, res);
            if (written)
                printf("Reports: %s/\n", dir);
            fflush(stdout);
        } else if (!res->explained) {
            fprintf(stderr, "routersim: %s: the model does not explain the recording\n", recording);
        }
    }
    outdir_abort(od);
    replay_result_free(res);
    scenario_free(sc);
    metricscsv_free(m);
    return status;
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
    results *r = NULL;
    replicas_summary *rep = NULL; /* a replicated run's aggregate */
    int status = opt->replications >= 2 ? simulate_replicated(sc, opt, &r, &rep)
                                        : simulate_single(sc, opt, &r);
    if (status != EXIT_PASSED) {
        outdir_abort(od);
        return status;
    }
    reports_options ropts = {.plots = opt->plots, .replicated = rep, .detail = opt->detail};
    int passed = rep ? rep->verdict == REPLICAS_PASS : r->passed;
    status = passed ? EXIT_PASSED : EXIT_CHECK_FAILED;
    /* run --sensitivity: the same replications at the ends of each uncertain parameter */
    sensitivity_result *sens = NULL;
    if (opt->sensitivity) {
        int sens_status = EXIT_PASSED;
        sens = analyse(sc, opt, sc->uncertain, sc->n_uncertain, 1, &sens_status);
        if (!sens) {
            outdir_abort(od);
            replicas_summary_free(rep);
            results_free(r);
            return sens_status;
        }
    }
    int written = reports_write(outdir_staging(od), r, &ropts, warn, err, sizeof err) == 0;
    if (written && sens)
        written = sensitivity_report_write(outdir_staging(od), sc->path, sens, opt->plots, warn,
                                           err, sizeof err) == 0;
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
        if (rep)
            summary_replicated(stdout, r, rep);
        if (sens) {
            sensitivity_report_statement(stdout, sens);
            putchar('\n');
        }
        if (status != EXIT_RUN_ERROR)
            printf("Reports: %s/\n", dir);
        fflush(stdout);
    } else if (rep) {
        summary_replicated_failures(stderr, "routersim: ", r, rep);
    } else {
        summary_failures(stderr, "routersim: ", r);
    }
    sensitivity_result_free(sens);
    replicas_summary_free(rep);
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

/* What a run of these files will fill of the heap, for heapwarm: about 32 bytes for each
 * byte of scenario (13 MB for 10,000 deployments' 400 KB), once they are large enough for
 * faulting it in to show, and within what keep_freed_memory keeps in the heap. */
static size_t run_heap_estimate(char **files, int n)
{
    size_t bytes = 0;
    for (int i = 0; i < n; i++) {
        struct stat st;
        if (stat(files[i], &st) == 0 && st.st_size > 0)
            bytes += (size_t)st.st_size;
    }
    if (bytes < (128 << 10))
        return 0;
    return bytes < (1 << 20) ? 32 * bytes : 32 << 20;
}

static int run_files(char **files, int n, const options *opt)
{
    scenario **all = load_all(files, n, opt);
    if (!all)
        return EXIT_INVALID;
    int status = distinct_folders(all, n, opt) ? EXIT_PASSED : EXIT_INVALID;
    for (int i = 0; i < n && opt->sensitivity && status == EXIT_PASSED; i++)
        if (all[i]->n_uncertain == 0) {
            fprintf(stderr, "routersim: %s: --sensitivity needs an uncertainty: section\n",
                    all[i]->path);
            status = EXIT_INVALID;
        }
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

static int command_run(char **files, int n, const options *opt)
{
    heapwarm *warm = heapwarm_start(run_heap_estimate(files, n));
    int status = run_files(files, n, opt);
    heapwarm_end(warm);
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

/* A number strictly between 0 and 1: --pass-rate and --confidence. */
static int rate_option(const char *flag, const char *text, double *out)
{
    char why[256];
    if (units_parse_real(text, 0.0, 1.0, out, why, sizeof why) != 0 || *out <= 0.0 || *out >= 1.0) {
        fprintf(stderr, "routersim: %s: expected a number strictly between 0 and 1, got \"%s\"\n",
                flag, text);
        fputs("Try 'routersim --help'.\n", stderr);
        return -1;
    }
    return 0;
}

static int parse_options(int argc, char **argv, options *opt)
{
    static const struct option longopts[] = {{"seed", required_argument, NULL, 's'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"no-plots", no_argument, NULL, 'P'},
                                             {"set", required_argument, NULL, 'S'},
                                             {"help", no_argument, NULL, 'h'},
                                             {"version", no_argument, NULL, 'V'},
                                             {"replications", required_argument, NULL, 'n'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"pass-rate", required_argument, NULL, 'R'},
                                             {"confidence", required_argument, NULL, 'C'},
                                             {"sequential", no_argument, NULL, 'Q'},
                                             {"sensitivity", no_argument, NULL, 'E'},
                                             {"vary", required_argument, NULL, 'Y'},
                                             {"points", required_argument, NULL, 'K'},
                                             {"bisections", required_argument, NULL, 'B'},
                                             {"corners", no_argument, NULL, 'O'},
                                             {"scenario", required_argument, NULL, 'F'},
                                             {"alpha", required_argument, NULL, 'A'},
                                             {"detail", required_argument, NULL, 'D'},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:qhVn:j:", longopts, NULL)) != -1) {
        char why[256];
        long long seed, count;
        switch (c) {
        case 'n':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_REPLICATIONS, &count, why, sizeof why) !=
                0)
                return usage_error("--replications: %s", why);
            opt->replications = (size_t)count;
            break;
        case 'j':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_JOBS, &count, why, sizeof why) != 0)
                return usage_error("--jobs: %s", why);
            opt->jobs = (unsigned)count;
            opt->replicated_flag = opt->replicated_flag ? opt->replicated_flag : "--jobs";
            break;
        case 'R':
        case 'C':
            if (rate_option(c == 'R' ? "--pass-rate" : "--confidence", optarg,
                            c == 'R' ? &opt->pass_rate : &opt->confidence) != 0)
                return EXIT_INVALID;
            opt->replicated_flag = opt->replicated_flag
                                       ? opt->replicated_flag
                                       : (c == 'R' ? "--pass-rate" : "--confidence");
            break;
        case 'E':
            opt->sensitivity = 1;
            break;
        case 'F':
            opt->replay_scenario = optarg;
            opt->replay_flag = opt->replay_flag ? opt->replay_flag : "--scenario";
            break;
        case 'A':
            if (rate_option("--alpha", optarg, &opt->replay_alpha) != 0)
                return EXIT_INVALID;
            opt->replay_flag = opt->replay_flag ? opt->replay_flag : "--alpha";
            break;
        case 'Y':
            if (opt->n_varies == SENSITIVITY_MAX_PARAMS)
                return usage_error("--vary %s: expected at most 64 parameters", optarg);
            opt->varies[opt->n_varies++] = optarg;
            opt->sensitivity_flag = opt->sensitivity_flag ? opt->sensitivity_flag : "--vary";
            break;
        case 'K':
            if (units_parse_int(optarg, 2, SENSITIVITY_MAX_POINTS, &count, why, sizeof why) != 0)
                return usage_error("--points: %s", why);
            opt->points = (size_t)count;
            break;
        case 'B':
            if (units_parse_int(optarg, 0, 30, &count, why, sizeof why) != 0)
                return usage_error("--bisections: %s", why);
            opt->bisections = (size_t)count;
            opt->has_bisections = 1;
            break;
        case 'O':
            opt->corners = 1;
            opt->sensitivity_flag = opt->sensitivity_flag ? opt->sensitivity_flag : "--corners";
            break;
        case 'Q':
            opt->sequential = 1;
            opt->replicated_flag = opt->replicated_flag ? opt->replicated_flag : "--sequential";
            break;
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
        case 'D':
            if (strcmp(optarg, "full") != 0 && strcmp(optarg, "bounded") != 0)
                return usage_error("--detail %s: expected full or bounded", optarg);
            opt->detail = strcmp(optarg, "full") == 0 ? SERIES_DETAIL_FULL : SERIES_DETAIL_BOUNDED;
            opt->detail_given = 1;
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

/* ---- srm and plan srm: the split test on observed counts, and power per phase ---------- */

typedef struct {
    const char *expected, *scenario, *out;
    srm_options analysis;
    int has_seed, quiet, plots;
    int deviation_given, power_given; /* else plan srm takes the scenario's checks.power */
    uint64_t seed;
} srm_cli;

/* A non-zero number in [min, max], or in [min, max) when max_open: alpha, power, c and the
 * deviation. */
static int srm_number(const char *flag, const char *text, double min, double max, int max_open,
                      double *out)
{
    char why[256];
    if (units_parse_real(text, min, max, out, why, sizeof why) != 0 || *out == 0.0 ||
        (max_open && *out == max)) {
        fprintf(stderr, "routersim: %s: expected a non-zero number from %g to %g%s, got \"%s\"\n",
                flag, min, max, max_open ? " (exclusive)" : "", text);
        fputs("Try 'routersim --help'.\n", stderr);
        return -1;
    }
    return 0;
}

static int parse_srm_options(int argc, char **argv, srm_cli *cli)
{
    static const struct option longopts[] = {{"expected", required_argument, NULL, 'e'},
                                             {"scenario", required_argument, NULL, 'S'},
                                             {"alpha", required_argument, NULL, 'a'},
                                             {"concentration", required_argument, NULL, 'c'},
                                             {"deviation", required_argument, NULL, 'd'},
                                             {"relative-deviation", required_argument, NULL, 'r'},
                                             {"power", required_argument, NULL, 'p'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"no-plots", no_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":s:o:qh", longopts, NULL)) != -1) {
        char why[256];
        long long seed;
        srm_options *o = &cli->analysis;
        switch (c) {
        case 'e':
            cli->expected = optarg;
            break;
        case 'S':
            cli->scenario = optarg;
            break;
        case 'a':
            if (srm_number("--alpha", optarg, 0.0, 1.0, 1, &o->alpha) != 0)
                return -1;
            break;
        case 'c':
            if (srm_number("--concentration", optarg, 0.0, 1e9, 0, &o->concentration) != 0)
                return -1;
            break;
        case 'd':
        case 'r':
            if (srm_number(c == 'd' ? "--deviation" : "--relative-deviation", optarg, -1.0, 1.0, 0,
                           &o->deviation.shift) != 0)
                return -1;
            o->deviation.kind = c == 'd' ? SRMPOWER_ABSOLUTE : SRMPOWER_RELATIVE;
            cli->deviation_given = 1;
            break;
        case 'p':
            if (srm_number("--power", optarg, 0.0, 1.0, 1, &o->target_power) != 0)
                return -1;
            cli->power_given = 1;
            break;
        case 's':
            if (units_parse_int(optarg, 0, INT64_MAX, &seed, why, sizeof why) != 0) {
                usage_error("--seed: %s", why);
                return -1;
            }
            cli->has_seed = 1;
            cli->seed = (uint64_t)seed;
            break;
        case 'o':
            cli->out = optarg;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        case 'P':
            cli->plots = 0;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(EXIT_PASSED);
        case ':':
            usage_error("option %s needs a value", argv[optind - 1]);
            return -1;
        default:
            usage_error("unknown option %s", argv[optind - 1]);
            return -1;
        }
    }
    return 0;
}

/* The scenario simulated, for its phases; NULL after saying why (*status set). */
static results *srm_simulate(const char *path, const srm_cli *cli, int *status)
{
    char err[1024];
    scenario *sc = scenario_load(path, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "routersim: %s\n", err);
        *status = EXIT_INVALID;
        return NULL;
    }
    results *r = engine_run(sc, cli->has_seed ? cli->seed : sc->seed, NULL, NULL, err, sizeof err);
    if (!r) {
        fprintf(stderr, "routersim: %s: %s\n", path, err);
        *status = EXIT_RUN_ERROR;
    } else if (checks_evaluate(sc, r) != 0) { /* Holm's correction decides the level */
        fprintf(stderr, "routersim: %s: out of memory\n", path);
        results_free(r);
        r = NULL;
        *status = EXIT_RUN_ERROR;
    }
    scenario_free(sc);
    return r;
}

/* The report folder: --out, or out/srm-<file name without .csv>. */
static void srm_output_dir(const srm_cli *cli, const char *csv, char *out, size_t size)
{
    if (cli->out) {
        snprintf(out, size, "%s", cli->out);
        return;
    }
    const char *base = strrchr(csv, '/') ? strrchr(csv, '/') + 1 : csv;
    char stem[256], folder[256];
    snprintf(stem, sizeof stem, "srm-%s", base);
    size_t len = strlen(stem);
    if (len > 4 && strcmp(stem + len - 4, ".csv") == 0)
        stem[len - 4] = '\0';
    folder_name(stem, folder, sizeof folder);
    snprintf(out, size, "out/%s", folder);
}

static int srm_write(const srm_result *res, const char *dir, int plots, char *err, size_t errlen)
{
    outdir *od = outdir_open(dir, err, errlen);
    if (!od)
        return -1;
    if (srm_report_write(outdir_staging(od), res, plots, warn, err, errlen) != 0) {
        outdir_explain(od, err, errlen);
        outdir_abort(od);
        return -1;
    }
    return outdir_commit(od, err, errlen);
}

static int command_srm(const char *csv, srm_cli *cli)
{
    char err[1024], *spec = NULL;
    enum { MAX_EXPECTED = 256 };
    const char *names[MAX_EXPECTED];
    double shares[MAX_EXPECTED];
    int status = EXIT_PASSED;
    results *run = NULL;
    countscsv *counts = NULL;
    srm_result *res = NULL;
    if (cli->expected && cli->scenario) {
        status = usage_error("%s", "srm: give --expected or --scenario, not both");
        goto done;
    }
    if (cli->expected) {
        int n = (spec = strdup(cli->expected))
                    ? srm_parse_expected(spec, names, shares, MAX_EXPECTED, err, sizeof err)
                    : -1;
        if (n < 0) {
            status = usage_error("%s", spec ? err : "out of memory");
            goto done;
        }
        cli->analysis.n_expected = (size_t)n;
        cli->analysis.expected_names = names;
        cli->analysis.expected_shares = shares;
    }
    if (!(counts = countscsv_read(csv, err, sizeof err))) {
        fprintf(stderr, "routersim: %s\n", err);
        status = EXIT_INVALID;
        goto done;
    }
    if (cli->scenario && !(run = srm_simulate(cli->scenario, cli, &status)))
        goto done;
    cli->analysis.run = run;
    if (!(res = srm_analyse(counts, &cli->analysis, err, sizeof err))) {
        fprintf(stderr, "routersim: %s\n", err);
        status = EXIT_INVALID;
        goto done;
    }
    status = res->passed ? EXIT_PASSED : EXIT_CHECK_FAILED;
    char dir[4096];
    srm_output_dir(cli, csv, dir, sizeof dir);
    int written = srm_write(res, dir, cli->plots, err, sizeof err) == 0;
    if (!written) {
        fprintf(stderr, "routersim: %s: %s\n", csv, err);
        status = EXIT_RUN_ERROR;
    }
    if (!cli->quiet) {
        srm_report_summary(stdout, res);
        if (written)
            printf("Reports: %s/\n", dir);
        fflush(stdout);
    } else {
        for (size_t i = 0; i < res->n_phases; i++)
            if (!res->phases[i].passed)
                fprintf(stderr, "routersim: %s: router %s, phase from %.10g: %s\n", csv,
                        res->phases[i].router, res->phases[i].start_s,
                        res->phases[i].test.verdict == SPLITTEST_FAIL
                            ? res->phases[i].test.reason
                            : "the sequential p-value reached alpha");
    }
done:
    srm_result_free(res);
    countscsv_free(counts);
    results_free(run);
    free(spec);
    return status;
}

/* `plan srm FILE...`: each scenario simulated, and the power of each phase's test. */
static int command_plan_srm(char **files, int n, srm_cli *cli)
{
    int status = EXIT_PASSED;
    for (int i = 0; i < n; i++) {
        int one = EXIT_PASSED;
        results *r = srm_simulate(files[i], cli, &one);
        if (r) {
            if (i > 0)
                putchar('\n');
            srmpower_deviation d = cli->analysis.deviation;
            if (!cli->deviation_given) {
                d.shift = r->power_shift;
                d.kind = r->power_relative ? SRMPOWER_RELATIVE : SRMPOWER_ABSOLUTE;
            }
            srm_report_plan_run(stdout, r, &d,
                                cli->power_given ? cli->analysis.target_power : r->power_target);
            results_free(r);
        }
        status = one > status ? one : status;
    }
    return status;
}

/* ---- plan capacity: the fewest replicas that pass, over replications ------------------- */

typedef struct {
    const char *deployments[CAPPLAN_MAX_DEPLOYMENTS];
    size_t n_deployments;
    const char *out;
    int quiet, has_seed;
    uint64_t seed;
    double pass_rate, confidence;
    long long max_replicas;
    size_t replications;
    unsigned jobs;
} plancap_cli;

/* Progress on a terminal: the candidate being run and its replications. */
typedef struct {
    progress prog;
    char what[256];
} plancap_progress;

static void plancap_candidate(void *ctx, const char *what)
{
    plancap_progress *p = ctx;
    snprintf(p->what, sizeof p->what, "%s", what);
    clear_progress(&p->prog);
    p->prog.shown = 0;
}

static void plancap_replications(void *ctx, size_t done, size_t cap)
{
    plancap_progress *p = ctx;
    if (p->prog.shown && seconds_since(&p->prog.last) < 0.1)
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->prog.last);
    p->prog.shown = 1;
    fprintf(stderr, "\r\033[K  candidate %s: replication %zu of at most %zu ", p->what, done, cap);
    fflush(stderr);
}

static int parse_plancap_options(int argc, char **argv, plancap_cli *cli)
{
    static const struct option longopts[] = {{"deployment", required_argument, NULL, 'd'},
                                             {"pass-rate", required_argument, NULL, 'R'},
                                             {"confidence", required_argument, NULL, 'C'},
                                             {"max-replicas", required_argument, NULL, 'M'},
                                             {"replications", required_argument, NULL, 'n'},
                                             {"jobs", required_argument, NULL, 'j'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"out", required_argument, NULL, 'o'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":s:o:qhn:j:", longopts, NULL)) != -1) {
        char why[256];
        long long v;
        switch (c) {
        case 'd':
            if (cli->n_deployments == CAPPLAN_MAX_DEPLOYMENTS)
                return usage_error("--deployment %s: at most 32 deployments", optarg);
            cli->deployments[cli->n_deployments++] = optarg;
            break;
        case 'R':
        case 'C':
            if (rate_option(c == 'R' ? "--pass-rate" : "--confidence", optarg,
                            c == 'R' ? &cli->pass_rate : &cli->confidence) != 0)
                return EXIT_INVALID;
            break;
        case 'M':
            if (units_parse_int(optarg, 1, 100000, &v, why, sizeof why) != 0)
                return usage_error("--max-replicas: %s", why);
            cli->max_replicas = v;
            break;
        case 'n':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_REPLICATIONS, &v, why, sizeof why) != 0)
                return usage_error("--replications: %s", why);
            cli->replications = (size_t)v;
            break;
        case 'j':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_JOBS, &v, why, sizeof why) != 0)
                return usage_error("--jobs: %s", why);
            cli->jobs = (unsigned)v;
            break;
        case 's':
            if (units_parse_int(optarg, 0, INT64_MAX, &v, why, sizeof why) != 0)
                return usage_error("--seed: %s", why);
            cli->has_seed = 1;
            cli->seed = (uint64_t)v;
            break;
        case 'o':
            cli->out = optarg;
            break;
        case 'q':
            cli->quiet = 1;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(EXIT_PASSED);
        case ':':
            return usage_error("option %s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    return 0;
}

/* The MPI build under mpirun: a plan's replications spread over the ranks, every rank
 * planning in lockstep (planeval.h) and only rank 0 writing the plan. NULL: this process's
 * threads. */
static const planeval_spread *plan_spread(void)
{
#ifdef ROUTERSIM_MPI
    static planeval_spread spread;
    if (replmpi_ranks() > 1) {
        spread = (planeval_spread){
            .rank = replmpi_rank(), .ranks = replmpi_ranks(), .exchange = replmpi_allgather};
        return &spread;
    }
#endif
    return NULL;
}

/* This process writes the plan: always, but for MPI ranks other than 0. */
static int plan_writer(void)
{
    const planeval_spread *spread = plan_spread();
    return !spread || spread->rank == 0;
}

/* `plan capacity FILE ...`: argv[0] is "capacity". */
static int command_plan_capacity(int argc, char **argv)
{
    plancap_cli cli = {.max_replicas = CAPPLAN_DEFAULT_MAX_REPLICAS};
    if (parse_plancap_options(argc, argv, &cli) != 0)
        return EXIT_INVALID;
    if (argc - optind != 1)
        return usage_error("%s", "plan capacity: expected one scenario file");
    const char *file = argv[optind];
    char err[1024];
    /* the scenario's own rule and seed, unless the flags say otherwise */
    scenario *sc = scenario_load(file, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "routersim: %s\n", err);
        return EXIT_INVALID;
    }
    options run_opt = {.has_seed = cli.has_seed, .seed = cli.seed, .out = cli.out};
    char dir[4096];
    output_dir(&run_opt, sc, 0, dir, sizeof dir);
    if (!cli.out)
        snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "-plan");
    plancap_progress prog = {0};
    int show = !cli.quiet && isatty(STDERR_FILENO);
    capplan_options o = {
        .path = file,
        .deployments = cli.deployments,
        .n_deployments = cli.n_deployments,
        .max_replicas = cli.max_replicas,
        .eval = {.pass_rate = cli.pass_rate > 0   ? cli.pass_rate
                              : sc->pass_rate > 0 ? sc->pass_rate
                                                  : PLANEVAL_DEFAULT_PASS_RATE,
                 .confidence = cli.confidence > 0 ? cli.confidence : sc->confidence,
                 .max_replications =
                     cli.replications ? cli.replications : PLANEVAL_DEFAULT_MAX_REPLICATIONS,
                 .seed = cli.has_seed ? cli.seed : sc->seed,
                 .jobs = cli.jobs ? cli.jobs : replicate_default_jobs(),
                 .progress = show ? plancap_replications : NULL,
                 .progress_ctx = &prog,
                 .spread = plan_spread()},
        .candidate = show ? plancap_candidate : NULL,
        .candidate_ctx = &prog};
    scenario_free(sc);
    /* Locked before planning: a plan that cannot write its files fails at once. */
    outdir *od = plan_writer() ? outdir_open(dir, err, sizeof err) : NULL;
    if (plan_writer() && !od) {
        fprintf(stderr, "routersim: %s: %s\n", file, err);
        return EXIT_RUN_ERROR;
    }
    capplan *plan = NULL;
    int status = capplan_run(&o, &plan, err, sizeof err);
    clear_progress(&prog.prog);
    if (!od) { /* an MPI rank other than 0: it planned the same, rank 0 writes */
        int found = status == 0 && plan->outcome == CAPPLAN_FOUND;
        capplan_free(plan);
        return status == 2 ? EXIT_INVALID
               : status    ? EXIT_RUN_ERROR
               : found     ? EXIT_PASSED
                           : EXIT_CHECK_FAILED;
    }
    if (status != 0) {
        fprintf(stderr, "routersim: %s\n", err);
        outdir_abort(od);
        return status == 2 ? EXIT_INVALID : EXIT_RUN_ERROR;
    }
    int written = plan_report_write(outdir_staging(od), plan, warn, err, sizeof err) == 0;
    if (written) {
        written = outdir_commit(od, err, sizeof err) == 0;
    } else {
        outdir_explain(od, err, sizeof err);
        outdir_abort(od);
    }
    status = plan->outcome == CAPPLAN_FOUND ? EXIT_PASSED : EXIT_CHECK_FAILED;
    if (!written) {
        fprintf(stderr, "routersim: %s: %s\n", file, err);
        status = EXIT_RUN_ERROR;
    }
    if (!cli.quiet) {
        plan_report_print(stdout, plan);
        if (written)
            printf("Plan: %s/\n", dir);
    } else if (plan->outcome != CAPPLAN_FOUND) {
        fprintf(stderr, "routersim: no plan: %s\n", plan->reason);
    }
    capplan_free(plan);
    return status;
}

/* ---- plan migration: the runbook moving a router's traffic, judged over replications ---- */

static const char migration_usage[] =
    "Usage: routersim plan migration FILE --router R --from A --to B [--steps 10,50,100]\n"
    "                     [--max-replicas N] [--minimise time|replica-hours]\n"
    "                     [--pass-rate P] [--confidence C] [--replications N] [--jobs J]\n"
    "                     [--out DIR]\n"
    "\n"
    "Writes the runbook that moves router R's traffic from deployment A to deployment B\n"
    "(B may be new: give its serving model under the scenario's top-level `serving:`)\n"
    "through the shares asked for, every capacity check passing at every instant, and\n"
    "judges it as a scenario over replications.\n"
    "\n"
    "      --router R    the router (it routes to A alone at time zero)\n"
    "      --from A      the deployment traffic leaves\n"
    "      --to B        the deployment traffic moves to\n"
    "      --steps LIST  B's shares in percent, increasing, ending with 100 (default\n"
    "                    10,50,100); each becomes a replica ratio\n"
    "      --max-replicas N  replicas of A and B together at any instant, cold-starting\n"
    "                    ones included (default: twice A's or twice what the load needs)\n"
    "      --minimise time|replica-hours  what the plan minimises (default time)\n"
    "      --pass-rate P  the pass rate the planned scenario must show (default 0.9)\n"
    "      --confidence C  confidence of that rule (default 0.95)\n"
    "  -n, --replications N  the most replications per plan tried (default 200;\n"
    "                    sequential: stops once the rule decides)\n"
    "  -j, --jobs J      threads for the replications (default: the processors online)\n"
    "  -o, --out DIR     the plan's folder (default out/<scenario name>-migration): plan.json,\n"
    "                    plan.md, plan.html, runbook.sh, planned.yaml and the\n"
    "                    planned scenario's reports\n"
    "\n"
    "Exit status: 0 a plan holds, 1 no plan holds within the bounds (the reason is\n"
    "printed), 2 bad usage or an invalid scenario, 3 the plan could not be completed.\n";

typedef struct {
    int show;
    progress prog;
    size_t plans; /* plans judged so far: a replication count restarting at 1 is a new one */
} migration_progress;

static void show_migration(void *ctx, size_t done, size_t cap)
{
    migration_progress *m = ctx;
    progress *p = &m->prog;
    m->plans += done == 1;
    if (!m->show || seconds_since(&p->started) < 1.0 || (p->shown && seconds_since(&p->last) < 0.1))
        return;
    clock_gettime(CLOCK_MONOTONIC, &p->last);
    p->shown = 1;
    fprintf(stderr, "\r  plan %zu: replications %zu of at most %zu ", m->plans, done, cap);
    fflush(stderr);
}

static int migration_number(const char *flag, const char *text, double min, double max, double *out)
{
    char err[256];
    if (units_parse_real(text, min, max, out, err, sizeof err) != 0 || *out <= min || *out >= max)
        return usage_error("%s: expected a number strictly between 0 and 1", flag);
    return 0;
}

static int parse_migration(int argc, char **argv, migplan_options *o, const char **out)
{
    static const struct option longs[] = {{"router", required_argument, NULL, 'R'},
                                          {"from", required_argument, NULL, 'F'},
                                          {"to", required_argument, NULL, 'T'},
                                          {"steps", required_argument, NULL, 'S'},
                                          {"max-replicas", required_argument, NULL, 'M'},
                                          {"minimise", required_argument, NULL, 'm'},
                                          {"pass-rate", required_argument, NULL, 'P'},
                                          {"confidence", required_argument, NULL, 'C'},
                                          {"replications", required_argument, NULL, 'n'},
                                          {"jobs", required_argument, NULL, 'j'},
                                          {"out", required_argument, NULL, 'o'},
                                          {"help", no_argument, NULL, 'h'},
                                          {NULL, 0, NULL, 0}};
    char err[512];
    long long v;
    const char *steps = "10,50,100";
    optind = 1;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":n:j:o:h", longs, NULL)) != -1) {
        switch (c) {
        case 'R':
            o->router = optarg;
            break;
        case 'F':
            o->from = optarg;
            break;
        case 'T':
            o->to = optarg;
            break;
        case 'S':
            steps = optarg;
            break;
        case 'M':
            if (units_parse_int(optarg, 1, MIGSTEPS_MAX_REPLICAS, &v, err, sizeof err) != 0)
                return usage_error("--max-replicas: %s", err);
            o->max_replicas = (long)v;
            break;
        case 'm':
            if (strcmp(optarg, "time") == 0)
                o->objective = MIGSTEPS_MIN_TIME;
            else if (strcmp(optarg, "replica-hours") == 0)
                o->objective = MIGSTEPS_MIN_REPLICA_HOURS;
            else
                return usage_error("--minimise %s: expected time or replica-hours", optarg);
            break;
        case 'P':
            if (migration_number("--pass-rate", optarg, 0, 1, &o->eval.pass_rate) != 0)
                return -1;
            break;
        case 'C':
            if (migration_number("--confidence", optarg, 0, 1, &o->eval.confidence) != 0)
                return -1;
            break;
        case 'n':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_REPLICATIONS, &v, err, sizeof err) != 0)
                return usage_error("--replications: %s", err);
            o->eval.max_replications = (size_t)v;
            break;
        case 'j':
            if (units_parse_int(optarg, 1, REPLICATE_MAX_JOBS, &v, err, sizeof err) != 0)
                return usage_error("--jobs: %s", err);
            o->eval.jobs = (unsigned)v;
            break;
        case 'o':
            *out = optarg;
            break;
        case 'h':
            fputs(migration_usage, stdout);
            return 1;
        case ':':
            return usage_error("%s needs a value", argv[optind - 1]);
        default:
            return usage_error("unknown option %s", argv[optind - 1]);
        }
    }
    if (optind != argc - 1)
        return usage_error("%s", "plan migration: expected one scenario file");
    if (!o->router || !o->from || !o->to)
        return usage_error("%s", "plan migration: --router, --from and --to are required");
    if (migplan_parse_steps(steps, o->shares, &o->n_steps, err, sizeof err) != 0)
        return usage_error("%s", err);
    o->path = argv[optind];
    return 0;
}

/* `plan migration FILE ...`, argv[0] being "migration". */
static int command_plan_migration(int argc, char **argv)
{
    migplan_options o = {.objective = MIGSTEPS_MIN_TIME,
                         .eval = {.pass_rate = PLANEVAL_DEFAULT_PASS_RATE,
                                  .confidence = SCENARIO_DEFAULT_CONFIDENCE,
                                  .max_replications = PLANEVAL_DEFAULT_MAX_REPLICATIONS,
                                  .jobs = replicate_default_jobs()}};
    const char *out = NULL;
    int parsed = parse_migration(argc, argv, &o, &out);
    if (parsed != 0)
        return parsed == 1 ? EXIT_PASSED : EXIT_INVALID; /* 1: --help shown */
    char err[1024];
    /* The run seed: the scenario's, the same for every plan tried. */
    scenario *sc = migplan_load(&o, err, sizeof err);
    if (!sc) {
        fprintf(stderr, "routersim: %s\n", err);
        return EXIT_INVALID;
    }
    o.eval.seed = sc->seed;
    char dir[4096], folder[256];
    folder_name(sc->name, folder, sizeof folder);
    if (out)
        snprintf(dir, sizeof dir, "%s", out);
    else
        snprintf(dir, sizeof dir, "out/%s-migration", folder);
    scenario_free(sc);
    outdir *od = plan_writer() ? outdir_open(dir, err, sizeof err) : NULL;
    if (plan_writer() && !od) {
        fprintf(stderr, "routersim: %s: %s\n", o.path, err);
        return EXIT_RUN_ERROR;
    }
    migration_progress mp = {.show = isatty(STDERR_FILENO)};
    clock_gettime(CLOCK_MONOTONIC, &mp.prog.started);
    o.eval.progress = show_migration;
    o.eval.progress_ctx = &mp;
    o.eval.spread = plan_spread();
    migplan_result *r = NULL;
    int status = migplan_run(&o, &r, err, sizeof err);
    clear_progress(&mp.prog);
    if (!od) { /* an MPI rank other than 0: it planned the same, rank 0 writes */
        if (status == 2 || status == 3)
            return status;
        status = r->holds ? EXIT_PASSED : EXIT_CHECK_FAILED;
        migplan_free(r);
        return status;
    }
    if (status == 2 || status == 3) {
        fprintf(stderr, "routersim: %s\n", err);
        outdir_abort(od);
        return status;
    }
    /* Replication 0 of the planned scenario, for its detailed reports and plots. */
    results *first = NULL;
    if (r->holds) {
        first = engine_run(r->planned, o.eval.seed, NULL, NULL, err, sizeof err);
        if (!first || checks_evaluate(r->planned, first) != 0) {
            fprintf(stderr, "routersim: %s: %s\n", o.path, first ? "out of memory" : err);
            results_free(first);
            migplan_free(r);
            outdir_abort(od);
            return EXIT_RUN_ERROR;
        }
    }
    int written =
        migration_report_write(outdir_staging(od), &o, r, first, 1, warn, err, sizeof err) == 0;
    if (written) {
        written = outdir_commit(od, err, sizeof err) == 0;
    } else {
        outdir_explain(od, err, sizeof err);
        outdir_abort(od);
    }
    migration_report_print(stdout, &o, r);
    if (!r->holds)
        fprintf(stderr, "routersim: %s: %s\n", o.path, r->reason);
    if (written)
        printf("Plan: %s/\n", dir);
    else
        fprintf(stderr, "routersim: %s: %s\n", o.path, err);
    status = !written ? EXIT_RUN_ERROR : r->holds ? EXIT_PASSED : EXIT_CHECK_FAILED;
    results_free(first);
    migplan_free(r);
    return status;
}

/* `srm COUNTS.csv ...` or `plan srm FILE...`, argv[0] being the command. */
static int command_srm_or_plan(int argc, char **argv)
{
    srm_cli cli = {.analysis = SRM_DEFAULT_OPTIONS, .plots = 1};
    int plan = strcmp(argv[0], "plan") == 0;
    if (plan && argc >= 2 && strcmp(argv[1], "capacity") == 0)
        return command_plan_capacity(argc - 1, argv + 1);
    if (plan && argc >= 2 && strcmp(argv[1], "migration") == 0)
        return command_plan_migration(argc - 1, argv + 1);
    if (plan && (argc < 2 || strcmp(argv[1], "srm") != 0))
        return usage_error("%s", "plan: expected \"plan srm FILE...\", \"plan capacity FILE\" or "
                                 "\"plan migration FILE ...\"");
    if (parse_srm_options(argc - plan, argv + plan, &cli) != 0)
        return EXIT_INVALID;
    int n = argc - plan - optind;
    char **files = argv + plan + optind;
    if (plan) {
        if (n <= 0)
            return usage_error("%s", "plan srm: expected at least one scenario file");
        if (cli.expected || cli.scenario || cli.out)
            return usage_error("%s", "plan srm: --expected, --scenario and --out are for srm");
        return command_plan_srm(files, n, &cli);
    }
    if (n != 1)
        return usage_error("%s", "srm: expected one counts file (CSV)");
    return command_srm(files[0], &cli);
}

/* ---- fit: a scenario's parameters from metrics exports --------------------------------- */

typedef struct {
    const char *out;
    fit_options fit;
    int quiet, plots;
} fit_cli;

static int parse_fit_options(int argc, char **argv, fit_cli *cli)
{
    static const struct option longopts[] = {{"out", required_argument, NULL, 'o'},
                                             {"period", required_argument, NULL, 'T'},
                                             {"max-utilization", required_argument, NULL, 'u'},
                                             {"confidence", required_argument, NULL, 'C'},
                                             {"resolution", required_argument, NULL, 'R'},
                                             {"quiet", no_argument, NULL, 'q'},
                                             {"no-plots", no_argument, NULL, 'P'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":o:qh", longopts, NULL)) != -1) {
        char why[256];
        switch (c) {
        case 'o':
            cli->out = optarg;
            break;
        case 'T':
            if (units_parse_duration(optarg, &cli->fit.period_s, why, sizeof why) != 0 ||
                !(cli->fit.period_s > 0.0)) {
                usage_error("--period: %s", why[0] ? why : "expected a duration above 0");
                return -1;
            }
            break;
        case 'u':
            if (srm_number("--max-utilization", optarg, 0.0, 1.0, 0, &cli->fit.max_utilization) !=
                0)
                return -1;
            break;
        case 'C':
            if (srm_number("--confidence", optarg, 0.0, 1.0, 1, &cli->fit.confidence) != 0)
                return -1;
            break;
        case 'R':
            /* 0 is allowed here: exact quantiles, the default */
            if (units_parse_real(optarg, 0.0, 0.5, &cli->fit.resolution, why, sizeof why) != 0) {
                usage_error("--resolution: %s", why);
                return -1;
            }
            break;
        case 'q':
            cli->quiet = 1;
            break;
        case 'P':
            cli->plots = 0;
            break;
        case 'h':
            fputs(usage, stdout);
            exit(EXIT_PASSED);
        case ':':
            usage_error("option %s needs a value", argv[optind - 1]);
            return -1;
        default:
            usage_error("unknown option %s", argv[optind - 1]);
            return -1;
        }
    }
    return 0;
}

static int fit_write(const fit_result *res, const char *dir, int plots, char *err, size_t errlen)
{
    outdir *od = outdir_open(dir, err, errlen);
    if (!od)
        return -1;
    if (fit_report_write(outdir_staging(od), res, plots, warn, err, errlen) != 0) {
        outdir_explain(od, err, errlen);
        outdir_abort(od);
        return -1;
    }
    return outdir_commit(od, err, errlen);
}

/* `fit METRICS.csv...`: every export read (the first bad one is the error), one fit of all. */
static int command_fit(int argc, char **argv)
{
    fit_cli cli = {.fit = FIT_DEFAULT_OPTIONS, .plots = 1};
    optind = 1;
    if (parse_fit_options(argc, argv, &cli) != 0)
        return EXIT_INVALID;
    int n = argc - optind;
    if (n <= 0)
        return usage_error("%s", "fit: expected at least one metrics file (CSV)");
    metricscsv **ex = calloc((size_t)n, sizeof *ex);
    if (!ex) {
        fprintf(stderr, "routersim: out of memory\n");
        return EXIT_RUN_ERROR;
    }
    char err[1024];
    int status = EXIT_PASSED;
    fit_result *res = NULL;
    for (int i = 0; i < n && status == EXIT_PASSED; i++)
        if (!(ex[i] = metricscsv_read(argv[optind + i], err, sizeof err))) {
            fprintf(stderr, "routersim: %s\n", err);
            status = EXIT_INVALID;
        }
    if (status == EXIT_PASSED &&
        !(res = fit_run((const metricscsv *const *)ex, (size_t)n, &cli.fit, err, sizeof err))) {
        fprintf(stderr, "routersim: %s\n", err);
        status = EXIT_INVALID;
    }
    if (res) {
        const char *dir = cli.out ? cli.out : "out/fit";
        int written = fit_write(res, dir, cli.plots, err, sizeof err) == 0;
        if (!written) {
            fprintf(stderr, "routersim: fit: %s\n", err);
            status = EXIT_RUN_ERROR;
        }
        if (!cli.quiet) {
            fit_report_summary(stdout, res);
            if (written)
                printf("Reports: %s/ (scenario.fitted.yaml: the fitted scenario)\n", dir);
            fflush(stdout);
        }
    }
    fit_result_free(res);
    for (int i = 0; i < n; i++)
        metricscsv_free(ex[i]);
    free(ex);
    return status;
}

static int command(int argc, char **argv)
{
    options opt = {.plots = 1};
    if (argc < 2)
        return usage_error(
            "%s", "expected a command: run, validate, sensitivity, replay, srm, plan or fit");
    if (argv[1][0] == '-') {
        /* --help or --version before any command */
        if (parse_options(argc, argv, &opt) != 0)
            return EXIT_INVALID;
        return usage_error(
            "%s", "expected a command: run, validate, sensitivity, replay, srm, plan or fit");
    }
    const char *command = argv[1];
    if (strcmp(command, "srm") == 0 || strcmp(command, "plan") == 0)
        return command_srm_or_plan(argc - 1, argv + 1);
    if (strcmp(command, "fit") == 0)
        return command_fit(argc - 1, argv + 1);
    if (strcmp(command, "run") != 0 && strcmp(command, "validate") != 0 &&
        strcmp(command, "sensitivity") != 0 && strcmp(command, "replay") != 0)
        return usage_error("unknown command \"%s\"; expected run, validate, sensitivity, "
                           "replay, srm, plan or fit",
                           command);
    if (parse_options(argc - 1, argv + 1, &opt) != 0)
        return EXIT_INVALID;
    int n = argc - 1 - optind;
    char **files = argv + 1 + optind;
    if (n <= 0)
        return usage_error("%s: expected at least one scenario file", command);
    if (opt.detail_given && strcmp(command, "run") != 0)
        return usage_error("%s: --detail is for run", command);
    if (strcmp(command, "replay") == 0) {
        if (n != 1)
            return usage_error("%s", "replay: expected one recording (metrics CSV)");
        if (opt.sequential || opt.sensitivity || opt.sensitivity_flag || opt.points ||
            opt.has_bisections || opt.pass_rate > 0 || opt.confidence > 0)
            return usage_error("%s", "replay: --sequential, --pass-rate, --confidence and the "
                                     "sensitivity flags are not for replay");
        return command_replay(files[0], &opt);
    }
    if (opt.replay_flag)
        return usage_error("%s is for replay", opt.replay_flag);
    if (strcmp(command, "sensitivity") == 0) {
        if (n != 1)
            return usage_error("%s", "sensitivity: expected one scenario file");
        if (opt.sequential || opt.sensitivity)
            return usage_error("%s", "sensitivity: --sequential and --sensitivity are for run");
        return command_sensitivity(files[0], &opt);
    }
    if (opt.sensitivity_flag)
        return usage_error("%s is for sensitivity", opt.sensitivity_flag);
    if ((opt.points || opt.has_bisections) && !opt.sensitivity)
        return usage_error("%s", "--points and --bisections need sensitivity or --sensitivity");
    if (strcmp(command, "validate") == 0 && opt.sensitivity)
        return usage_error("%s", "validate: --sensitivity is for run");
    if (strcmp(command, "validate") == 0 && (opt.replications || opt.replicated_flag))
        return usage_error("%s", "validate: --replications, --jobs, --pass-rate, --confidence and "
                                 "--sequential are for run");
    if (opt.replicated_flag && !opt.replications)
        return usage_error("%s needs --replications N", opt.replicated_flag);
    /* one replication is the plain run, which no interval of one sample could pass */
    if (opt.pass_rate > 0 && opt.replications == 1)
        return usage_error("%s", "--pass-rate needs --replications 2 or more");
    if (strcmp(command, "validate") == 0)
        return command_validate(files, n, &opt);
    return command_run(files, n, &opt);
}

/* glibc maps every block of 128 KiB or more afresh and gives freed memory at the heap's top
 * back at once, so each large array (a phase's shares over 10,000 deployments: 5 MiB) costs a
 * page fault per page even where the loader had just freed as much. Kept in the heap, those
 * arrays reuse the pages the loader left: a run over 10,000 deployments takes 6 % less CPU
 * (bench/fleet.sh), one over a few the same. Peak memory moves by under a MiB either way:
 * what the heap keeps was in use before. */
static void keep_freed_memory(void)
{
#ifdef __GLIBC__
    mallopt(M_MMAP_THRESHOLD, 32 << 20); /* glibc's largest */
    mallopt(M_TRIM_THRESHOLD, 64 << 20);
#endif
}

int main(int argc, char **argv)
{
    keep_freed_memory();
#ifdef ROUTERSIM_MPI
    /* Rank 0 runs the command; the other ranks run the replications it hands them, but for
     * a plan. */
    char err[256];
    if (replmpi_start(&argc, &argv, err, sizeof err) != 0) {
        fprintf(stderr, "routersim: %s\n", err);
        return EXIT_RUN_ERROR;
    }
    /* A plan: every rank plans in lockstep (plan_spread), rank 0 alone speaks and writes. */
    if (argc >= 3 && strcmp(argv[1], "plan") == 0 &&
        (strcmp(argv[2], "capacity") == 0 || strcmp(argv[2], "migration") == 0)) {
        /* silenced; should that fail, a rank repeats rank 0's words but keeps in step */
        if (replmpi_rank() != 0)
            (void)(freopen("/dev/null", "w", stdout) && freopen("/dev/null", "w", stderr));
        int status = command(argc, argv);
        replmpi_end();
        return status;
    }
    if (replmpi_rank() != 0)
        return replmpi_serve();
    int status = command(argc, argv);
    replmpi_finish();
    return status;
#else
    return command(argc, argv);
#endif
}
