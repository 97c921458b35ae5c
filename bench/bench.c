/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routersim_bench — the yardsticks for the benchmark (bench/run.sh).
 *
 *   routersim_bench bare N        N requests' worth of the same GSL draws the simulator
 *                                 makes per request, in a bare loop: one exponential
 *                                 inter-arrival and one weighted pick (GSL's own alias
 *                                 table), nothing else. Prints seconds.
 *   routersim_bench measure CMD…  runs CMD, prints its wall seconds, CPU seconds (user +
 *                                 system, its children's included) and peak RSS (KiB).
 */
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

static int bare(long long n)
{
    const double weights[] = {4, 1}; /* the migration's 80/20 step */
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_ran_discrete_t *table = gsl_ran_discrete_preproc(2, weights);
    unsigned long long counts[2] = {0, 0};
    double t = 0;
    double started = now_s();
    for (long long i = 0; i < n; i++) {
        t += gsl_ran_exponential(rng, 1e-6);
        counts[gsl_ran_discrete(rng, table)]++;
    }
    double elapsed = now_s() - started;
    /* Printing what the loop computed keeps the compiler from dropping it. */
    printf("bare_seconds %.3f\nbare_check %llu %llu %.1f\n", elapsed, counts[0], counts[1], t);
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

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "bare") == 0)
        return bare(atoll(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "measure") == 0)
        return measure(argv + 2);
    fprintf(stderr, "usage: routersim_bench bare N | routersim_bench measure CMD...\n");
    return 2;
}
