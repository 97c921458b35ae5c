#include "sim/serving.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

struct serving {
    serving_spec spec;
    long long ready, busy;
    double last_s; /* integrals are complete up to here */
    serving_totals totals;
    long long max_waiting;
    /* The queue: arrival times in a ring, oldest at head. */
    double *queue;
    size_t head, waiting, cap;
};

serving *serving_new(const serving_spec *spec, long long ready_replicas, double now)
{
    serving *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->spec = *spec;
    s->ready = ready_replicas;
    s->last_s = now;
    return s;
}

void serving_free(serving *s)
{
    if (!s)
        return;
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
    if (dt <= 0)
        return;
    long long slots = capacity(s);
    s->totals.busy_s += (double)s->busy * dt;
    s->totals.slots_busy_s += (double)(s->busy < slots ? s->busy : slots) * dt;
    s->totals.queued_s += (double)s->waiting * dt;
    s->totals.capacity_s += (double)slots * dt;
    s->last_s = to;
}

static double pop_oldest(serving *s)
{
    double arrived = s->queue[s->head];
    s->head = (s->head + 1) % s->cap;
    s->waiting--;
    return arrived;
}

/* Waiting requests give up at arrival + timeout; being FIFO with one timeout, the oldest
 * gives up first, so expiries are found at the head, each integrated at its own time. */
void serving_advance(serving *s, double now)
{
    if (s->spec.timeout_s > 0) {
        while (s->waiting > 0 && s->queue[s->head] + s->spec.timeout_s <= now) {
            integrate(s, s->queue[s->head] + s->spec.timeout_s);
            pop_oldest(s);
            s->totals.timed_out++;
        }
    }
    integrate(s, now);
}

static void start(serving *s, double now, double wait, gsl_rng *rng, serving_start_fn fn,
                  void *ctx)
{
    double service = serving_draw(&s->spec, rng);
    s->busy++;
    s->totals.started++;
    s->totals.wait_s += wait;
    s->totals.waited += wait > 0;
    fn(ctx, now + service, wait, service);
}

static void start_waiting(serving *s, double now, gsl_rng *rng, serving_start_fn fn, void *ctx)
{
    while (s->waiting > 0 && s->busy < capacity(s)) {
        double arrived = pop_oldest(s);
        start(s, now, now - arrived, rng, fn, ctx);
    }
}

static int enqueue(serving *s, double now)
{
    if (s->waiting == s->cap) {
        size_t cap = s->cap ? 2 * s->cap : 64;
        double *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return -1;
        for (size_t i = 0; i < s->waiting; i++)
            grown[i] = s->queue[(s->head + i) % s->cap];
        free(s->queue);
        s->queue = grown;
        s->head = 0;
        s->cap = cap;
    }
    s->queue[(s->head + s->waiting) % s->cap] = now;
    s->waiting++;
    if ((long long)s->waiting > s->max_waiting)
        s->max_waiting = (long long)s->waiting;
    return 0;
}

serving_outcome serving_arrive(serving *s, double now, gsl_rng *rng, serving_start_fn fn,
                               void *ctx)
{
    serving_advance(s, now);
    s->totals.arrived++;
    if (s->busy < capacity(s)) {
        start(s, now, 0, rng, fn, ctx);
        return SERVING_STARTED;
    }
    if (s->spec.queue_limit >= 0 && (long long)s->waiting >= s->spec.queue_limit) {
        s->totals.rejected++;
        return SERVING_REJECTED;
    }
    if (s->waiting >= SERVING_MAX_QUEUE || enqueue(s, now) != 0)
        return SERVING_OVERFLOW;
    return SERVING_QUEUED;
}

void serving_complete(serving *s, double now, gsl_rng *rng, serving_start_fn fn, void *ctx)
{
    serving_advance(s, now);
    s->busy--;
    s->totals.completed++;
    start_waiting(s, now, rng, fn, ctx);
}

void serving_set_ready(serving *s, long long ready_replicas, double now, gsl_rng *rng,
                       serving_start_fn fn, void *ctx)
{
    serving_advance(s, now);
    s->ready = ready_replicas;
    start_waiting(s, now, rng, fn, ctx);
}

const serving_totals *serving_totals_of(const serving *s)
{
    return &s->totals;
}

long long serving_busy(const serving *s)
{
    return s->busy;
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
