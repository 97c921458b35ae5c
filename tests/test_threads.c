/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/report_json.h"
#include "views/series.h"
#include "sim/stats/checks.h"
#include "sim/run/engine.h"
#include "sim/load/scenario_load.h"
#include "sim/base/latency.h"
#include "sim/base/seqtest.h"
#include "sim/base/splittest.h"
#include "sim/base/srmpower.h"

#include "tests/check_main.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Replications run on threads at once, so the engine and the statistics under it must be
 * reentrant: the same work done on several threads, all starting together, gives exactly
 * what it gives on one. The expected values are the same code run alone on the main
 * thread: what is tested here is that threads change nothing, not the numbers themselves
 * (their own tests hold those to independent values). A ThreadSanitizer build runs this
 * file too (scripts/test.sh), where a shared write is reported even when the answers
 * happen to agree.
 */

#define THREADS 4

/* Every worker waits here, so that their first calls (and any one-time setup they
 * trigger) really overlap. */
static pthread_barrier_t start_line;

/* Run work(0) .. work(THREADS - 1) on THREADS threads started together; each writes its
 * own answer slot. */
static void on_threads(void *(*work)(void *), size_t *indices)
{
    pthread_t t[THREADS];
    ck_assert_int_eq(pthread_barrier_init(&start_line, NULL, THREADS), 0);
    for (size_t i = 0; i < THREADS; i++) {
        indices[i] = i;
        ck_assert_int_eq(pthread_create(&t[i], NULL, work, &indices[i]), 0);
    }
    for (size_t i = 0; i < THREADS; i++)
        ck_assert_int_eq(pthread_join(t[i], NULL), 0);
    pthread_barrier_destroy(&start_line);
}

static void wait_at_start(void)
{
    int rc = pthread_barrier_wait(&start_line);
    if (rc != 0 && rc != PTHREAD_BARRIER_SERIAL_THREAD)
        abort();
}

/* ---- the statistics under the engine ------------------------------------------------- */

/* One thread's answers: latency quantiles of a histogram it fills itself, p-values
 * (including ones where GSL reports an error and must not abort), a power and a sequential
 * test's Bayes factor (both through lgamma, which may write a process-wide sign). */
#define N_QUANTILES 5
#define N_P_VALUES 4
typedef struct {
    double quantiles[N_QUANTILES], p_values[N_P_VALUES], power, log_bf;
    int histogram_made, power_status;
} base_answers;

static base_answers base_got[THREADS];

static base_answers base_work(void)
{
    base_answers a = {0};
    latency *h = latency_new();
    a.histogram_made = h != NULL;
    if (h) {
        /* a deterministic spread over six decades */
        for (int i = 1; i <= 20000; i++)
            latency_add(h, 1e-4 * pow(1.0007, i % 10007) * (1 + i % 7));
        const double q[N_QUANTILES] = {0.5, 0.9, 0.99, 0.999, 1.0};
        for (size_t k = 0; k < N_QUANTILES; k++)
            a.quantiles[k] = latency_quantile(h, q[k]);
        latency_free(h);
    }
    /* df 2e6 at chi2 2.006e6 is where GSL 2.7 fails and, with its default handler, aborts */
    a.p_values[0] = splittest_p_value(2.006e6, 2000000);
    a.p_values[1] = splittest_p_value(3.84, 1);
    a.p_values[2] = splittest_p_value(2e6, 2000000);
    a.p_values[3] = splittest_p_value(40.0, 3);
    double error;
    char err[256];
    a.power_status = srmpower_power(2, 12.0, 0.001, &a.power, &error, err, sizeof err);
    const double p0[] = {0.5, 0.3, 0.2};
    const uint64_t n[] = {5100, 2950, 1950};
    a.log_bf = seqtest_log_bf_counts(3, p0, 100.0, n);
    return a;
}

static void *base_thread(void *arg)
{
    size_t i = *(size_t *)arg;
    wait_at_start();
    base_got[i] = base_work();
    return NULL;
}

START_TEST(statistics_on_threads_match_one_thread)
{
    size_t indices[THREADS];
    on_threads(base_thread, indices);
    base_answers want = base_work();
    ck_assert(want.histogram_made);
    ck_assert_int_eq(want.power_status, 0);
    for (size_t t = 0; t < THREADS; t++) {
        ck_assert(base_got[t].histogram_made);
        ck_assert_int_eq(base_got[t].power_status, 0);
        for (size_t k = 0; k < N_QUANTILES; k++)
            ck_assert_msg(base_got[t].quantiles[k] == want.quantiles[k],
                          "thread %zu quantile %zu: %.17g, alone %.17g", t, k,
                          base_got[t].quantiles[k], want.quantiles[k]);
        for (size_t k = 0; k < N_P_VALUES; k++)
            ck_assert_msg(base_got[t].p_values[k] == want.p_values[k],
                          "thread %zu p-value %zu: %.17g, alone %.17g", t, k,
                          base_got[t].p_values[k], want.p_values[k]);
        ck_assert(base_got[t].power == want.power);
        ck_assert(base_got[t].log_bf == want.log_bf);
    }
}
END_TEST

/* Where GSL fails (df 2e6), thread after thread: GSL's handler is process-wide, and
 * swapping it off and back around each call lets one thread restore the aborting default
 * while another is inside a failing call. The process must survive every call. */
#define HAMMER_CALLS 2000

static void *hammer_thread(void *arg)
{
    size_t i = *(size_t *)arg;
    wait_at_start();
    double p = 0;
    for (int k = 0; k < HAMMER_CALLS; k++)
        p += splittest_p_value(2.006e6 + (double)(k % 3), 2000000);
    base_got[i].p_values[0] = p;
    return NULL;
}

START_TEST(failing_gsl_calls_on_threads_never_abort)
{
    size_t indices[THREADS];
    on_threads(hammer_thread, indices);
    for (size_t t = 0; t < THREADS; t++)
        ck_assert(isfinite(base_got[t].p_values[0]) && base_got[t].p_values[0] > 0);
}
END_TEST

/* ---- whole runs ---------------------------------------------------------------------- */

/* Bundled scenarios that between them use serving models (latency histograms), capacity
 * checks, the autoscaler, faults, split tests and a trace file read during the run. */
static const char *const run_files[] = {"migration-capacity.yaml", "ab-autoscaled-daily.yaml",
                                        "broken-router.yaml", "trace-replay.yaml"};
#define N_FILES (sizeof run_files / sizeof run_files[0])
#define SEEDS_PER_FILE 2
#define N_RUNS (N_FILES * SEEDS_PER_FILE)

static scenario *run_scenarios[N_FILES];
static char *run_got[N_RUNS];

/* Run `run` (file run / SEEDS_PER_FILE, seed 1 + run % SEEDS_PER_FILE) with its checks and
 * render its report.json; NULL if anything failed. */
static char *run_and_render(size_t run)
{
    const scenario *sc = run_scenarios[run / SEEDS_PER_FILE];
    char err[1024];
    results *r = engine_run(sc, 1 + run % SEEDS_PER_FILE, NULL, NULL, err, sizeof err);
    if (!r)
        return NULL;
    char *text = NULL;
    size_t len = 0;
    series s;
    FILE *out = NULL;
    if (checks_evaluate(sc, r) == 0 && series_init(&s, r) == 0) {
        plots_set none = {.status = PLOTS_NOT_REQUESTED};
        out = open_memstream(&text, &len);
        if (out && report_json_write(out, &s, &none, NULL, NULL) != 0) {
            fclose(out);
            out = NULL;
            free(text);
            text = NULL;
        }
        series_free(&s);
    }
    if (out)
        fclose(out);
    results_free(r);
    return text;
}

static void *run_thread(void *arg)
{
    size_t i = *(size_t *)arg;
    wait_at_start();
    for (size_t run = i; run < N_RUNS; run += THREADS)
        run_got[run] = run_and_render(run);
    return NULL;
}

START_TEST(runs_on_threads_match_runs_alone)
{
    for (size_t f = 0; f < N_FILES; f++) {
        char path[1024], err[1024];
        snprintf(path, sizeof path, "%s/scenarios/%s", ROUTERSIM_SOURCE_DIR, run_files[f]);
        run_scenarios[f] = scenario_load(path, err, sizeof err);
        ck_assert_msg(run_scenarios[f] != NULL, "%s", err);
    }
    size_t indices[THREADS];
    on_threads(run_thread, indices);
    for (size_t run = 0; run < N_RUNS; run++) {
        char *alone = run_and_render(run);
        ck_assert_msg(alone != NULL, "run %zu failed alone", run);
        ck_assert_msg(run_got[run] != NULL, "run %zu failed on a thread", run);
        ck_assert_msg(strcmp(run_got[run], alone) == 0,
                      "%s seed %zu: report.json differs between a thread and the main thread",
                      run_files[run / SEEDS_PER_FILE], 1 + run % SEEDS_PER_FILE);
        free(alone);
        free(run_got[run]);
    }
    for (size_t f = 0; f < N_FILES; f++)
        scenario_free(run_scenarios[f]);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("threads");
    check_add_case(s, tcase_create("statistics"), statistics_on_threads_match_one_thread, 60);
    check_add_case(s, tcase_create("gsl_handler"), failing_gsl_calls_on_threads_never_abort, 60);
    check_add_case(s, tcase_create("engine"), runs_on_threads_match_runs_alone, 300);
    return s;
}
