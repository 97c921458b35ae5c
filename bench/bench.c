/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routersim_bench — the yardsticks for the benchmark (bench/run.sh).
 *
 *   routersim_bench bare N [serving]
 *                                 N requests' worth of the same GSL draws the simulator
 *                                 makes per request, in a bare loop: one exponential
 *                                 inter-arrival and one weighted pick (GSL's own alias
 *                                 table), and with `serving` one exponential service time
 *                                 (mean 0.1 ms, as bench/run.sh's serving case), nothing
 *                                 else. Prints seconds.
 *   routersim_bench measure CMD…  runs CMD, prints its wall seconds, CPU seconds (user +
 *                                 system, its children's included) and peak RSS (KiB).
 *   routersim_bench batching N    N requests through a batching deployment (8 pooled
 *                                 replicas; lognormal prompts, uniform outputs) against a
 *                                 bare loop of the same draws (inter-arrival and sizes).
 *                                 Prints both times, requests/s, iterations and
 *                                 iterations/s, and the peak RSS (KiB).
 */
#include "sim/base/servemodel.h"
#include "sim/base/tokens.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int bare(long long n, int with_service)
{
    const double weights[] = {4, 1}; /* the migration's 80/20 step */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(2, weights);
    unsigned long long counts[2] = {0, 0};
    double t = 0, busy = 0;
    double started = now_s();
    if (with_service)
        for (long long i = 0; i < n; i++) {
            t += gsl_ran_exponential(rng, 1e-6);
            counts[gsl_ran_discrete(rng, table)]++;
            busy += gsl_ran_exponential(rng, 1e-4);
        }
    else
        for (long long i = 0; i < n; i++) {
            t += gsl_ran_exponential(rng, 1e-6);
            counts[gsl_ran_discrete(rng, table)]++;
        }
    double elapsed = now_s() - started;
    /* Printing what the loop computed keeps the compiler from dropping it. */
    printf("bare_seconds %.3f\nbare_check %llu %llu %.1f %.1f\n", elapsed, counts[0], counts[1], t,
           busy);
    gsl_ran_discrete_free(table);
    gsl_rng_free(rng);
    return 0;
}

static int measure(char **argv)
{
    double started = now_s();
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return 2;
    }
    if (pid == 0) {
        execvp(argv[0], argv);
        perror(argv[0]);
        _exit(127);
    }
    int status;
    struct rusage usage;
    /* The only child this process waits for, so RUSAGE_CHILDREN's peak is its own. */
    if (waitpid(pid, &status, 0) < 0 || getrusage(RUSAGE_CHILDREN, &usage) != 0) {
        perror("waitpid");
        return 2;
    }
    double cpu = (double)usage.ru_utime.tv_sec + (double)usage.ru_utime.tv_usec / 1e6 +
                 (double)usage.ru_stime.tv_sec + (double)usage.ru_stime.tv_usec / 1e6;
    printf("seconds %.3f\ncpu_seconds %.3f\nmax_rss_kib %ld\nexit %d\n", now_s() - started, cpu,
           usage.ru_maxrss, WIFEXITED(status) ? WEXITSTATUS(status) : 128);
    return 0;
}

/* The chat traffic of the format's example: prompts lognormal (mean 800, CV 0.6), outputs
 * uniform in 50..400, 100 requests/s on 8 replicas of max_running 64. */
static int batching(long long n)
{
    tokens_class k = {.weight = 1,
                      .prompt = {.kind = TOKENS_LOGNORMAL, .mean = 800, .cv = 0.6},
                      .output = {.kind = TOKENS_UNIFORM, .min = 50, .max = 400}};
    tokens_spec spec = {1, &k};
    serving_spec model_spec = {.model = SERVING_MODEL_BATCHING,
                               .queue_limit = 100000,
                               .max_running = 64,
                               .kv_cache_tokens = 200000,
                               .iteration = {0.008, 0.00002, 0.0001}};
    char err[160];
    serving_budget budget = {SERVING_MAX_QUEUE};
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    tokens_sampler *sizes = tokens_sampler_new(&spec, err, sizeof err);
    servemodel *m = servemodel_new(&model_spec, 8, 0, rng, &budget, err, sizeof err);
    if (!sizes || !m) {
        fprintf(stderr, "routersim_bench: %s\n", err);
        return 2;
    }
    unsigned long long tokens = 0;
    double t = 0, started = now_s();
    for (long long i = 0; i < n; i++) {
        t += gsl_ran_exponential(rng, 0.01);
        tokens += tokens_draw(sizes, rng).output;
    }
    double bare_s = now_s() - started;
    gsl_rng_set(rng, 0);
    t = 0;
    started = now_s();
    for (long long i = 0; i < n; i++) {
        t += gsl_ran_exponential(rng, 0.01);
        tokens_size size = tokens_draw(sizes, rng);
        if (servemodel_arrive(m, t, &size) >= SERVING_OVERFLOW) {
            fprintf(stderr, "routersim_bench: the queue budget ran out\n");
            return 2;
        }
    }
    servemodel_advance(m, t);
    double model_s = now_s() - started;
    const servemodel_totals *tot = servemodel_totals_of(m);
    struct rusage usage;
    getrusage(RUSAGE_SELF, &usage);
    printf("bare_seconds %.3f\nmodel_seconds %.3f\nrequests_per_s %.0f\niterations %llu\n"
           "iterations_per_s %.0f\nmean_batch %.1f\ncompleted %llu\nmax_rss_kib %ld\n"
           "bare_check %llu\n",
           bare_s, model_s, (double)n / model_s, (unsigned long long)tot->iterations,
           (double)tot->iterations / model_s, tot->batch_sum / (double)tot->iterations,
           (unsigned long long)tot->base.completed, usage.ru_maxrss, tokens);
    servemodel_free(m);
    tokens_sampler_free(sizes);
    gsl_rng_free(rng);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "batching") == 0)
        return batching(atoll(argv[2]));
    if (argc == 3 && strcmp(argv[1], "bare") == 0)
        return bare(atoll(argv[2]), 0);
    if (argc == 4 && strcmp(argv[1], "bare") == 0 && strcmp(argv[3], "serving") == 0)
        return bare(atoll(argv[2]), 1);
    if (argc >= 3 && strcmp(argv[1], "measure") == 0)
        return measure(argv + 2);
    fprintf(stderr, "usage: routersim_bench bare N [serving] | routersim_bench measure CMD... | "
                    "routersim_bench batching N\n");
    return 2;
}
