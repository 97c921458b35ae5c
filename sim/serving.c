#include "sim/serving.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct serving {
    serving_spec spec;
    gsl_rng *rng;
    latency *latencies;
    long long ready;
    double last_s; /* integrals are complete up to here */
    serving_totals totals;
    long long max_waiting;
    /* Requests in service: their completion times, a binary min-heap. */
    double *busy;
    size_t n_busy, cap_busy;
    /* Requests waiting: their arrival times in a ring, oldest at head. */
    double *queue;
    size_t head, waiting, cap_queue;
};

serving *serving_new(const serving_spec *spec, long long ready_replicas, double now, gsl_rng *rng)
{
    serving *s = calloc(1, sizeof *s);
    if (!s || !(s->latencies = latency_new())) {
        free(s);
        return NULL;
    }
    s->spec = *spec;
    s->rng = rng;
    s->ready = ready_replicas;
    s->last_s = now;
    return s;
}

void serving_free(serving *s)
{
    if (!s)
        return;
    latency_free(s->latencies);
    free(s->busy);
    free(s->queue);
    free(s);
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

static void integrate(serving *s, double to)
{
    double dt = to - s->last_s;
    if (!(dt > 0))
        return;
    long long slots = capacity(s), busy = (long long)s->n_busy;
    s->totals.busy_s += (double)busy * dt;
    s->totals.slots_busy_s += (double)(busy < slots ? busy : slots) * dt;
    s->totals.queued_s += (double)s->waiting * dt;
    s->totals.capacity_s += (double)slots * dt;
    s->last_s = to;
}

/* ---- requests in service: a 4-ary min-heap of completion times -----------------------
 * Four children a node halve the depth of a binary heap; with a hundred requests in flight
 * that is three levels, and removing the earliest is the serving model's inner loop. */

#define ARITY 4

static int push_busy(serving *s, double completion)
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

/* Removal of the earliest: the last element sinks from the top along the smallest
 * children until none is smaller. */
static void pop_busy(serving *s)
{
    double *h = s->busy;
    double last = h[--s->n_busy];
    size_t n = s->n_busy, i = 0;
    while (ARITY * i + 1 < n) {
        size_t child = smallest_child(h, i, n);
        if (h[child] >= last)
            break;
        h[i] = h[child];
        i = child;
    }
    if (n > 0)
        h[i] = last;
}

/* ---- requests waiting: a FIFO ring of arrival times ----------------------------------- */

static double pop_oldest(serving *s)
{
    double arrived = s->queue[s->head];
    s->head = (s->head + 1) % s->cap_queue;
    s->waiting--;
    return arrived;
}

static int enqueue(serving *s, double now)
{
    if (s->waiting == s->cap_queue) {
        size_t cap = s->cap_queue ? 2 * s->cap_queue : 64;
        double *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return -1;
        for (size_t i = 0; i < s->waiting; i++)
            grown[i] = s->queue[(s->head + i) % s->cap_queue];
        free(s->queue);
        s->queue = grown;
        s->head = 0;
        s->cap_queue = cap;
    }
    s->queue[(s->head + s->waiting) % s->cap_queue] = now;
    s->waiting++;
    if ((long long)s->waiting > s->max_waiting)
        s->max_waiting = (long long)s->waiting;
    return 0;
}

/* ---- playing the deployment forward ------------------------------------------------------ */

/* Start a request at `now` after `wait`; 0, or -1 when out of memory. */
static int start(serving *s, double now, double wait)
{
    double service = serving_draw(&s->spec, s->rng);
    if (push_busy(s, now + service) != 0)
        return -1;
    s->totals.started++;
    s->totals.wait_s += wait;
    s->totals.waited += wait > 0;
    latency_add(s->latencies, wait + service);
    return 0;
}

static void start_waiting(serving *s, double now)
{
    while (s->waiting > 0 && (long long)s->n_busy < capacity(s)) {
        double arrived = pop_oldest(s);
        if (start(s, now, now - arrived) != 0)
            break;
    }
}

/* Completions and timeouts up to `now`, earliest first, each integrated at its own time.
 * Being FIFO with one timeout, the oldest waiting request is the first to give up. */
void serving_advance(serving *s, double now)
{
    for (;;) {
        double done = s->n_busy ? s->busy[0] : INFINITY;
        double gives_up = s->spec.timeout_s > 0 && s->waiting > 0
                              ? s->queue[s->head] + s->spec.timeout_s
                              : INFINITY;
        if (done > now && gives_up > now)
            break;
        if (gives_up < done) {
            integrate(s, gives_up);
            pop_oldest(s);
            s->totals.timed_out++;
            continue;
        }
        integrate(s, done);
        pop_busy(s);
        s->totals.completed++;
        start_waiting(s, done);
    }
    integrate(s, now);
}

serving_outcome serving_arrive(serving *s, double now)
{
    serving_advance(s, now);
    s->totals.arrived++;
    if ((long long)s->n_busy < capacity(s))
        return start(s, now, 0) == 0 ? SERVING_STARTED : SERVING_OVERFLOW;
    if (s->spec.queue_limit >= 0 && (long long)s->waiting >= s->spec.queue_limit) {
        s->totals.rejected++;
        return SERVING_REJECTED;
    }
    if (s->waiting >= SERVING_MAX_QUEUE || enqueue(s, now) != 0)
        return SERVING_OVERFLOW;
    return SERVING_QUEUED;
}

void serving_set_ready(serving *s, long long ready_replicas, double now)
{
    serving_advance(s, now);
    s->ready = ready_replicas;
    start_waiting(s, now);
}

latency *serving_latencies(serving *s)
{
    return s->latencies;
}

const serving_totals *serving_totals_of(const serving *s)
{
    return &s->totals;
}

long long serving_busy(const serving *s)
{
    return (long long)s->n_busy;
}

long long serving_waiting(const serving *s)
{
    return (long long)s->waiting;
}

long long serving_take_max_waiting(serving *s)
{
    long long max = s->max_waiting;
    s->max_waiting = (long long)s->waiting;
    return max;
}
