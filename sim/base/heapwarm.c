/* SPDX-License-Identifier: GPL-3.0-or-later */
#define _DEFAULT_SOURCE /* madvise */
#include "sim/base/heapwarm.h"

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__linux__) && defined(__GLIBC__) && !defined(MADV_POPULATE_WRITE)
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older headers lack the name */
#endif

struct heapwarm {
    pthread_t thread;
    uintptr_t from; /* page-aligned */
    size_t len;     /* whole pages */
};

static void *warm(void *arg)
{
#ifdef MADV_POPULATE_WRITE
    heapwarm *h = arg;
    (void)madvise((void *)h->from, h->len, MADV_POPULATE_WRITE); /* best effort */
#else
    (void)arg;
#endif
    return NULL;
}

heapwarm *heapwarm_start(size_t bytes)
{
#if defined(__linux__) && defined(__GLIBC__)
    long page = sysconf(_SC_PAGESIZE);
    if (bytes < 4 * (size_t)page || sysconf(_SC_NPROCESSORS_ONLN) < 2)
        return NULL;
    heapwarm *h = malloc(sizeof *h);
    char *block = h ? malloc(bytes) : NULL;
    if (!block) {
        free(h);
        return NULL;
    }
    /* the block's pages but its first and last, which hold malloc's own headers; only the
     * address is kept, the block goes back to the heap's top at once */
    uintptr_t start = (uintptr_t)block, mask = (uintptr_t)page - 1;
    h->from = (start + (uintptr_t)page + mask) & ~mask;
    h->len = ((start + bytes - (uintptr_t)page) & ~mask) - h->from;
    free(block);
    sigset_t all, saved;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &saved);
    int rc = pthread_create(&h->thread, NULL, warm, h);
    pthread_sigmask(SIG_SETMASK, &saved, NULL);
    if (rc != 0) {
        free(h);
        return NULL;
    }
    return h;
#else
    (void)bytes;
    return NULL;
#endif
}

void heapwarm_end(heapwarm *h)
{
    if (!h)
        return;
    pthread_join(h->thread, NULL);
    free(h);
}
