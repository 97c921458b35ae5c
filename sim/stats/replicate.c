/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replicate.h"

#include "sim/run/engine.h"
#include "sim/stats/checks.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

uint64_t replicate_seed(uint64_t run_seed, size_t index)
{
    if (index == 0)
        return run_seed;
    uint64_t z = run_seed + (uint64_t)index * UINT64_C(0x9E3779B97F4A7C15);
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return (z ^ (z >> 31)) >> 1;
}

unsigned replicate_default_jobs(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    return n > REPLICATE_MAX_JOBS ? REPLICATE_MAX_JOBS : (unsigned)n;
}

/* A finished replication waiting for its turn. A failed one keeps its message, reported when
 * its turn comes, so the error a run stops with is the lowest failing index's whatever the
 * threads' timing. */
typedef struct {
    int done;
    results *r; /* NULL when the replication failed */
    char err[512];
} slot;

/* Positions k = 0 .. count-1 of the run's subset are indices rank + k * ranks. A worker may
 * claim position k only while k < folded + window: the reorder buffer has `window` slots,
 * slot k % window, and the slot of k was emptied when k - window was folded. */
typedef struct {
    const scenario *sc;
    const replicate_options *opt;
    pthread_mutex_t mu;
    pthread_cond_t claimable; /* a slot was freed, or the run stops */
    pthread_cond_t finished;  /* a slot was filled */
    size_t count, window;
    size_t claimed, folded;
    int stop;
    slot *slots;
} run;

static size_t index_of(const run *rn, size_t k)
{
    return rn->opt->rank + k * rn->opt->ranks;
}

static void simulate(const run *rn, size_t k, slot *out)
{
    size_t index = index_of(rn, k);
    uint64_t seed = replicate_seed(rn->opt->seed, index);
    char err[400];
    /* With several replications at once the cores are taken: a pooled run's producer
     * thread would only compete with them (the results are the same either way). */
    engine_pool_thread pool = rn->opt->jobs > 1 ? ENGINE_POOL_THREAD_OFF : ENGINE_POOL_THREAD_AUTO;
    results *r = engine_run_pool(rn->sc, seed, pool, NULL, NULL, err, sizeof err);
    if (r && checks_evaluate(rn->sc, r) != 0) {
        results_free(r);
        r = NULL;
        snprintf(err, sizeof err, "out of memory");
    }
    out->r = r;
    if (!r)
        snprintf(out->err, sizeof out->err, "replication %zu (seed %llu): %s", index,
                 (unsigned long long)seed, err);
}

static void *worker(void *arg)
{
    run *rn = arg;
    pthread_mutex_lock(&rn->mu);
    for (;;) {
        while (!rn->stop && rn->claimed < rn->count && rn->claimed >= rn->folded + rn->window)
            pthread_cond_wait(&rn->claimable, &rn->mu);
        if (rn->stop || rn->claimed >= rn->count)
            break;
        size_t k = rn->claimed++;
        pthread_mutex_unlock(&rn->mu);
        slot done = {.done = 1};
        simulate(rn, k, &done);
        pthread_mutex_lock(&rn->mu);
        rn->slots[k % rn->window] = done;
        pthread_cond_signal(&rn->finished);
    }
    pthread_mutex_unlock(&rn->mu);
    return NULL;
}

/* Hand over positions in order until the end, a stop or a failure. Returns 0 or -1. */
static int fold_all(run *rn, replicate_fn fold, void *ctx, char *err, size_t errlen)
{
    int status = 0;
    pthread_mutex_lock(&rn->mu);
    while (rn->folded < rn->count) {
        slot *s = &rn->slots[rn->folded % rn->window];
        while (!s->done)
            pthread_cond_wait(&rn->finished, &rn->mu);
        slot taken = *s;
        memset(s, 0, sizeof *s);
        size_t k = rn->folded++;
        pthread_cond_broadcast(&rn->claimable);
        pthread_mutex_unlock(&rn->mu);
        replicate_next next = REPLICATE_ABORT;
        if (!taken.r) {
            snprintf(err, errlen, "%s", taken.err);
        } else {
            size_t index = index_of(rn, k);
            next = fold(ctx, index, replicate_seed(rn->opt->seed, index), &taken.r, err, errlen);
            results_free(taken.r);
        }
        pthread_mutex_lock(&rn->mu);
        if (next != REPLICATE_CONTINUE) {
            status = next == REPLICATE_STOP ? 0 : -1;
            break;
        }
    }
    rn->stop = 1;
    pthread_cond_broadcast(&rn->claimable);
    pthread_mutex_unlock(&rn->mu);
    return status;
}

static int check_options(const replicate_options *opt, char *err, size_t errlen)
{
    if (opt->replications < 1 || opt->replications > REPLICATE_MAX_REPLICATIONS)
        snprintf(err, errlen, "expected 1 to %d replications, got %zu", REPLICATE_MAX_REPLICATIONS,
                 opt->replications);
    else if (opt->jobs < 1 || opt->jobs > REPLICATE_MAX_JOBS)
        snprintf(err, errlen, "expected 1 to %d jobs, got %u", REPLICATE_MAX_JOBS, opt->jobs);
    else if (opt->ranks < 1 || opt->rank >= opt->ranks)
        snprintf(err, errlen, "expected a rank below the rank count, got rank %zu of %zu",
                 opt->rank, opt->ranks);
    else
        return 0;
    return -1;
}

int replicate_run(const scenario *sc, const replicate_options *opt, replicate_fn fold, void *ctx,
                  char *err, size_t errlen)
{
    if (check_options(opt, err, errlen) != 0)
        return -1;
    run rn = {.sc = sc, .opt = opt};
    rn.count =
        opt->replications > opt->rank ? (opt->replications - opt->rank - 1) / opt->ranks + 1 : 0;
    if (rn.count == 0)
        return 0;
    size_t jobs = opt->jobs < rn.count ? opt->jobs : rn.count;
    rn.window = 2 * jobs;
    rn.slots = calloc(rn.window, sizeof *rn.slots);
    pthread_t *threads = calloc(jobs, sizeof *threads);
    if (!rn.slots || !threads) {
        free(rn.slots);
        free(threads);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    pthread_mutex_init(&rn.mu, NULL);
    pthread_cond_init(&rn.claimable, NULL);
    pthread_cond_init(&rn.finished, NULL);
    size_t started = 0;
    int status = 0;
    for (; started < jobs; started++)
        if (pthread_create(&threads[started], NULL, worker, &rn) != 0)
            break;
    if (started == 0) {
        snprintf(err, errlen, "could not start a thread");
        status = -1;
    } else {
        /* Fewer threads than asked still complete the run, only slower. */
        status = fold_all(&rn, fold, ctx, err, errlen);
    }
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < rn.window; i++)
        results_free(rn.slots[i].r);
    pthread_cond_destroy(&rn.finished);
    pthread_cond_destroy(&rn.claimable);
    pthread_mutex_destroy(&rn.mu);
    free(rn.slots);
    free(threads);
    return status;
}
