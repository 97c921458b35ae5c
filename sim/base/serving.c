/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/serving.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct serving {
    serving_spec spec;
    gsl_rng *rng;
    serving_budget *budget;
    serving_recent recent;
    long long ready;
    serving_totals totals;    /* counts as they happen; integrals as of the last measurement */
    double service_started_s; /* summed service times of started requests */
    double left_queue_s;      /* summed waits of requests that left the queue */
    double excess_s;          /* integral of busy beyond capacity (draining replicas)... */
    double excess_from_s;     /* ...complete up to here */
    double slots_s;           /* integral of capacity... */
    double slots_from_s;      /* ...complete up to here */
    long long max_waiting;
    /* Requests started without waiting since `recent` was last handed out: their zero
     * waits enter recent.wait in one go then (latency_add_zeros), not one call each. */
    uint64_t zero_waits;
    int out_of_memory; /* a waiting request could not start: reported at the next arrival */
    /* Completion times, a 4-ary min-heap. Outside ordered play it may still hold requests
     * that have finished; they are swept out before anything depends on them. */
    double *busy;
    size_t n_busy, cap_busy;
    /* Requests waiting: their arrival times in a ring, oldest at head. */
    double *queue;
    size_t head, waiting, cap_queue;
};

serving *serving_new(const serving_spec *spec, long long ready_replicas, double now, gsl_rng *rng,
                     serving_budget *budget)
{
    serving *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->recent = (serving_recent){latency_new(), latency_new(), latency_new()};
    if (!s->recent.latency || !s->recent.wait || !s->recent.gave_up) {
        serving_free(s);
        return NULL;
    }
    s->spec = *spec;
    s->rng = rng;
    s->budget = budget;
    s->ready = ready_replicas;
    s->excess_from_s = s->slots_from_s = now;
    return s;
}

void serving_free(serving *s)
{
    if (!s)
        return;
    latency_free(s->recent.latency);
    latency_free(s->recent.wait);
    latency_free(s->recent.gave_up);
    free(s->busy);
    free(s->queue);
    if (s->budget)
        s->budget->slots += s->cap_queue;
    free(s);
}

const char *serving_model_name(serving_model model)
{
    return model == SERVING_MODEL_BATCHING ? "batching" : "queue";
}

const char *serving_balancer_name(serving_balancer balancer)
{
    static const char *const names[] = {"ideal", "round_robin", "least_outstanding",
                                        "power_of_two"};
    return names[balancer];
}

double serving_draw(const serving_spec *spec, gsl_rng *rng)
{
    double m = spec->mean_s, cv2 = spec->cv * spec->cv;
    switch (spec->distribution) {
    case SERVING_EXPONENTIAL:
        return gsl_ran_exponential(rng, m);
    case SERVING_LOGNORMAL: {
        /* mean m and CV cv: sigma^2 = ln(1 + cv^2), mu = ln(m) - sigma^2 / 2 */
        double sigma2 = log1p(cv2);
        return gsl_ran_lognormal(rng, log(m) - sigma2 / 2, sqrt(sigma2));
    }
    case SERVING_GAMMA:
        /* shape 1/cv^2 and scale m cv^2 give mean m and CV cv */
        return gsl_ran_gamma(rng, 1 / cv2, m * cv2);
    case SERVING_DETERMINISTIC:
        break;
    }
    return m;
}

static long long capacity(const serving *s)
{
    return s->ready * s->spec.concurrency;
}

/* Busy beyond capacity happens only while replicas drain, which is always played in time
 * order, so the excess is integrated event by event. */
static void excess_until(serving *s, double t)
{
    long long over = (long long)s->n_busy - capacity(s);
    if (over > 0)
        s->excess_s += (double)over * (t - s->excess_from_s);
    s->excess_from_s = t;
}

static void slots_until(serving *s, double t)
{
    s->slots_s += (double)capacity(s) * (t - s->slots_from_s);
    s->slots_from_s = t;
}

/* ---- requests in service: a 4-ary min-heap of completion times -----------------------
 * Four children a node halve the depth of a binary heap, and measured fastest of 2, 4
 * and 8 with a hundred requests in flight. */

#define ARITY 4

static inline int push_busy(serving *s, double completion)
{
    if (s->n_busy == s->cap_busy) {
        size_t cap = s->cap_busy ? 2 * s->cap_busy : 16;
        double *grown = realloc(s->busy, cap * sizeof *grown);
        if (!grown)
            return -1;
        s->busy = grown;
        s->cap_busy = cap;
    }
    size_t i = s->n_busy++;
    while (i > 0 && s->busy[(i - 1) / ARITY] > completion) {
        s->busy[i] = s->busy[(i - 1) / ARITY];
        i = (i - 1) / ARITY;
    }
    s->busy[i] = completion;
    return 0;
}

/* The smallest of the children of node i (there is at least one). */
static size_t smallest_child(const double *h, size_t i, size_t n)
{
    size_t first = ARITY * i + 1, best = first;
    size_t end = first + ARITY < n ? first + ARITY : n;
    for (size_t c = first + 1; c < end; c++)
        best = h[c] < h[best] ? c : best;
    return best;
}

/* Put `value` at node i, sinking it along the smallest children until none is smaller. */
static void sift_down(serving *s, size_t i, double value)
{
    double *h = s->busy;
    size_t n = s->n_busy;
    while (ARITY * i + 1 < n) {
        size_t child = smallest_child(h, i, n);
        if (h[child] >= value)
            break;
        h[i] = h[child];
        i = child;
    }
    h[i] = value;
}

/* Removal of the earliest: the last element takes the top and sinks. */
static void pop_busy(serving *s)
{
    double last = s->busy[--s->n_busy];
    if (s->n_busy > 0)
        sift_down(s, 0, last);
}

/* ---- requests waiting: a FIFO ring of arrival times -----------------------------------
 * The ring's slots come from the run's budget: taken as it doubles, given back when a ring
 * larger than the first allocation empties, so a queue that once grew long does not keep
 * memory another deployment may need. */

#define QUEUE_FIRST_SLOTS 64

static double pop_oldest(serving *s)
{
    double arrived = s->queue[s->head];
    s->head = (s->head + 1) % s->cap_queue;
    if (--s->waiting == 0 && s->cap_queue > QUEUE_FIRST_SLOTS) {
        free(s->queue);
        s->queue = NULL;
        s->budget->slots += s->cap_queue;
        s->cap_queue = s->head = 0;
    }
    return arrived;
}

static serving_outcome enqueue(serving *s, double now)
{
    if (s->waiting == s->cap_queue) {
        size_t cap = s->cap_queue ? 2 * s->cap_queue : QUEUE_FIRST_SLOTS;
        if (cap - s->cap_queue > s->budget->slots)
            return SERVING_OVERFLOW;
        double *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return SERVING_NO_MEMORY;
        for (size_t i = 0; i < s->waiting; i++)
            grown[i] = s->queue[(s->head + i) % s->cap_queue];
        free(s->queue);
        s->budget->slots -= cap - s->cap_queue;
        s->queue = grown;
        s->head = 0;
        s->cap_queue = cap;
    }
    s->queue[(s->head + s->waiting) % s->cap_queue] = now;
    s->waiting++;
    if ((long long)s->waiting > s->max_waiting)
        s->max_waiting = (long long)s->waiting;
    return SERVING_QUEUED;
}

/* ---- playing the deployment forward ------------------------------------------------------ */

/* Start a request at `now` after `wait`; 0, or -1 when out of memory. */
static inline int start(serving *s, double now, double wait)
{
    /* The exponential, the common case, without the call through serving_draw's switch. */
    double service = s->spec.distribution == SERVING_EXPONENTIAL
                         ? gsl_ran_exponential(s->rng, s->spec.mean_s)
                         : serving_draw(&s->spec, s->rng);
    if (push_busy(s, now + service) != 0)
        return -1;
    s->totals.started++;
    s->totals.wait_s += wait;
    s->totals.waited += wait > 0;
    s->service_started_s += service;
    latency_add(s->recent.latency, wait + service);
    if (wait > 0)
        latency_add(s->recent.wait, wait);
    else
        s->zero_waits++;
    return 0;
}

static void start_waiting(serving *s, double now)
{
    while (s->waiting > 0 && (long long)s->n_busy < capacity(s)) {
        double arrived = pop_oldest(s);
        s->left_queue_s += now - arrived;
        if (start(s, now, now - arrived) != 0) {
            s->out_of_memory = 1;
            break;
        }
    }
}

/* Order matters while someone waits (the next completion starts them) or replicas drain
 * (no request starts until busy < capacity). */
static int ordered(const serving *s)
{
    return s->waiting > 0 || (long long)s->n_busy > capacity(s);
}

/* One completion or timeout, the earlier, if it is at or before `now`; 0 when none is.
 * Being FIFO with one timeout, the oldest waiting request is the first to give up. */
static int play_next(serving *s, double now)
{
    double done = s->n_busy ? s->busy[0] : INFINITY;
    double gives_up =
        s->spec.timeout_s > 0 && s->waiting > 0 ? s->queue[s->head] + s->spec.timeout_s : INFINITY;
    if (done > now && gives_up > now)
        return 0;
    if (gives_up < done) {
        pop_oldest(s);
        s->left_queue_s += s->spec.timeout_s;
        s->totals.timed_out++;
        latency_add(s->recent.gave_up, s->spec.timeout_s);
        return 1;
    }
    excess_until(s, done);
    pop_busy(s);
    s->totals.completed++;
    start_waiting(s, done);
    return 1;
}

/* Remove every request finished by `now`, in any order, and restore the heap: what the
 * requests in service do not need to know one by one. */
static void sweep(serving *s, double now)
{
    size_t kept = 0;
    for (size_t i = 0; i < s->n_busy; i++)
        if (s->busy[i] > now)
            s->busy[kept++] = s->busy[i];
    s->totals.completed += s->n_busy - kept;
    s->n_busy = kept;
    for (size_t i = kept; i-- > 0;)
        sift_down(s, i, s->busy[i]);
}

/* Everything up to `now`: in time order while it matters, then in bulk. */
static void settle(serving *s, double now)
{
    while (ordered(s))
        if (!play_next(s, now))
            return;
    sweep(s, now);
}

void serving_advance(serving *s, double now)
{
    settle(s, now);
    excess_until(s, now);
    slots_until(s, now);
    double ahead = 0, waited = 0;
    for (size_t i = 0; i < s->n_busy; i++)
        ahead += s->busy[i] - now;
    for (size_t i = 0; i < s->waiting; i++)
        waited += now - s->queue[(s->head + i) % s->cap_queue];
    s->totals.busy_s = s->service_started_s - ahead;
    s->totals.slots_busy_s = s->totals.busy_s - s->excess_s;
    s->totals.queued_s = s->left_queue_s + waited;
    s->totals.capacity_s = s->slots_s;
    s->totals.unfinished = s->waiting + s->n_busy;
}

/* With nobody waiting and fewer entries in the heap than slots, a slot is free whatever
 * has finished since: start at once. Otherwise settle first. */
serving_outcome serving_arrive(serving *s, double now)
{
    s->totals.arrived++;
    if (s->out_of_memory)
        return SERVING_NO_MEMORY;
    if (s->waiting == 0 && (long long)s->n_busy < capacity(s))
        return start(s, now, 0) == 0 ? SERVING_STARTED : SERVING_NO_MEMORY;
    settle(s, now);
    if ((long long)s->n_busy < capacity(s))
        return start(s, now, 0) == 0 ? SERVING_STARTED : SERVING_NO_MEMORY;
    if (s->spec.queue_limit >= 0 && (long long)s->waiting >= s->spec.queue_limit) {
        s->totals.rejected++;
        return SERVING_REJECTED;
    }
    return enqueue(s, now);
}

void serving_set_ready(serving *s, long long ready_replicas, double now)
{
    settle(s, now);
    excess_until(s, now);
    slots_until(s, now);
    s->ready = ready_replicas;
    start_waiting(s, now);
}

const serving_recent *serving_recent_of(serving *s)
{
    latency_add_zeros(s->recent.wait, s->zero_waits);
    s->zero_waits = 0;
    return &s->recent;
}

const serving_totals *serving_totals_of(const serving *s)
{
    return &s->totals;
}

int serving_out_of_memory(const serving *s)
{
    return s->out_of_memory;
}

long long serving_take_max_waiting(serving *s)
{
    long long max = s->max_waiting;
    s->max_waiting = (long long)s->waiting;
    return max;
}
