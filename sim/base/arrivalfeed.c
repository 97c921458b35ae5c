/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/arrivalfeed.h"

#include "sim/base/superpose.h"

#include <gsl/gsl_rng.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

/*
 * The ring: blocks handed over (`produced`) and handed back (`consumed`) so far, both
 * counted for ever; block k lives in slot k % blocks. The producer writes only slot
 * produced % blocks while produced - consumed < blocks, so never the block the consumer
 * holds (slot consumed % blocks, still counted as not handed back). The counters, the
 * waiting flags, `stop` and `done` are read and written under `lock`; a block's contents
 * are written before its handover and read after it, so the lock orders them too.
 *
 * Wake-ups cost a system call each, and more on a virtual machine, where waking the other
 * core traps to the host: neither side signals unless the other waits, and a producer
 * waiting on a full ring is woken only once three quarters of it are free again, so it
 * draws many blocks per wake-up while the quarter left keeps the consumer busy until it
 * runs. A handoff per block, a wake-up per three quarters of a ring.
 */
struct arrivalfeed {
    superpose *sp;
    gsl_rng *rng;
    double end_s;
    size_t block, blocks;
    arrivalfeed_arrival *ring; /* blocks x block */
    size_t *filled;            /* per slot: its block's arrivals */
    /* the drawing side's (the producer's, or the consumer's when inline) */
    double last;               /* the time of the last arrival drawn */
    int ended;                 /* the arrival after end_s is drawn */
    arrivalfeed_arrival final; /* that arrival, for takes past it */
    /* the thread */
    int threaded;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t handed_over, handed_back;
    uint64_t produced, consumed;
    int holding; /* the consumer holds block `consumed` */
    int producer_waits, consumer_waits, stop, done;
};

/* Draw the next block into slot `slot`: up to `block` arrivals, the last one the first
 * after end_s if it comes. The one place arrivals are drawn, thread or not. */
static size_t draw_block(arrivalfeed *f, size_t slot)
{
    arrivalfeed_arrival *out = f->ring + slot * f->block;
    size_t n = 0;
    while (n < f->block && !f->ended) {
        size_t source;
        f->last = superpose_next(f->sp, f->rng, f->last, &source);
        out[n++] = (arrivalfeed_arrival){f->last, (uint32_t)source};
        if (f->last > f->end_s) {
            f->ended = 1;
            f->final = out[n - 1];
        }
    }
    return n;
}

static void *produce(void *arg)
{
    arrivalfeed *f = arg;
    pthread_mutex_lock(&f->lock);
    while (!f->done) {
        while (!f->stop && f->produced - f->consumed == f->blocks) {
            f->producer_waits = 1;
            pthread_cond_wait(&f->handed_back, &f->lock);
        }
        f->producer_waits = 0;
        if (f->stop)
            break;
        size_t slot = (size_t)(f->produced % f->blocks);
        pthread_mutex_unlock(&f->lock);
        size_t n = draw_block(f, slot);
        pthread_mutex_lock(&f->lock);
        f->filled[slot] = n;
        f->produced++;
        f->done = f->ended;
        if (f->consumer_waits)
            pthread_cond_signal(&f->handed_over);
    }
    pthread_mutex_unlock(&f->lock);
    return NULL;
}

/* Start the producer with every signal blocked, so signals stay the main thread's. */
static int start_producer(arrivalfeed *f)
{
    if (pthread_mutex_init(&f->lock, NULL) != 0)
        return -1;
    if (pthread_cond_init(&f->handed_over, NULL) != 0) {
        pthread_mutex_destroy(&f->lock);
        return -1;
    }
    if (pthread_cond_init(&f->handed_back, NULL) != 0) {
        pthread_cond_destroy(&f->handed_over);
        pthread_mutex_destroy(&f->lock);
        return -1;
    }
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int rc = pthread_create(&f->thread, NULL, produce, f);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        pthread_cond_destroy(&f->handed_back);
        pthread_cond_destroy(&f->handed_over);
        pthread_mutex_destroy(&f->lock);
        return -1;
    }
    return 0;
}

arrivalfeed *arrivalfeed_new(size_t n, const double *rates, unsigned long seed, double end_s,
                             const arrivalfeed_shape *shape, char *err, size_t errlen)
{
    if (n > UINT32_MAX) {
        snprintf(err, errlen, "%zu sources to pool, at most %u", n, UINT32_MAX);
        return NULL;
    }
    if (shape->block < 1 || shape->blocks < 2) {
        snprintf(err, errlen, "a ring of %zu blocks of %zu arrivals, expected >= 2 of >= 1",
                 shape->blocks, shape->block);
        return NULL;
    }
    arrivalfeed *f = calloc(1, sizeof *f);
    if (!f) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    f->end_s = end_s;
    f->block = shape->block;
    f->blocks = shape->threaded ? shape->blocks : 1; /* inline: the block being taken */
    if (!(f->sp = superpose_new(n, rates, err, errlen))) {
        free(f);
        return NULL;
    }
    f->rng = gsl_rng_alloc(gsl_rng_taus2);
    f->ring = malloc(f->blocks * f->block * sizeof *f->ring);
    f->filled = calloc(f->blocks, sizeof *f->filled);
    if (!f->rng || !f->ring || !f->filled) {
        arrivalfeed_free(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    gsl_rng_set(f->rng, seed);
    /* The same arrivals either way: without a thread, they are drawn as they are taken. */
    f->threaded = shape->threaded && start_producer(f) == 0;
    return f;
}

void arrivalfeed_free(arrivalfeed *f)
{
    if (!f)
        return;
    if (f->threaded) {
        pthread_mutex_lock(&f->lock);
        f->stop = 1;
        pthread_cond_signal(&f->handed_back);
        pthread_mutex_unlock(&f->lock);
        pthread_join(f->thread, NULL);
        pthread_cond_destroy(&f->handed_back);
        pthread_cond_destroy(&f->handed_over);
        pthread_mutex_destroy(&f->lock);
    }
    free(f->filled);
    free(f->ring);
    gsl_rng_free(f->rng);
    superpose_free(f->sp);
    free(f);
}

const arrivalfeed_arrival *arrivalfeed_take(arrivalfeed *f, size_t *n)
{
    if (!f->threaded) {
        if (f->ended) {
            *n = 1;
            return &f->final;
        }
        *n = draw_block(f, 0);
        return f->ring;
    }
    pthread_mutex_lock(&f->lock);
    if (f->holding) {
        f->consumed++;
        f->holding = 0;
        if (f->producer_waits && f->produced - f->consumed <= f->blocks / 4)
            pthread_cond_signal(&f->handed_back);
    }
    while (f->produced == f->consumed && !f->done) {
        f->consumer_waits = 1;
        pthread_cond_wait(&f->handed_over, &f->lock);
    }
    f->consumer_waits = 0;
    const arrivalfeed_arrival *out = &f->final;
    *n = 1;
    if (f->produced != f->consumed) {
        size_t slot = (size_t)(f->consumed % f->blocks);
        out = f->ring + slot * f->block;
        *n = f->filled[slot];
        f->holding = 1;
    }
    pthread_mutex_unlock(&f->lock);
    return out;
}

int arrivalfeed_threaded(const arrivalfeed *f)
{
    return f->threaded;
}
