/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/run/autoscaler.h"

#include <math.h>
#include <stdlib.h>

/* The wanted counts of recent ticks, newest last, as many as the longest window needs. */
struct autoscaler {
    size_t n, cap;
    double *at;
    long long *wanted;
};

autoscaler *autoscaler_new(void)
{
    return calloc(1, sizeof(autoscaler));
}

void autoscaler_free(autoscaler *a)
{
    if (!a)
        return;
    free(a->at);
    free(a->wanted);
    free(a);
}

static long long per_target(double demand, double per_replica)
{
    return per_replica > 0 ? (long long)ceil(demand / per_replica - 1e-9) : 0;
}

static long long wanted_now(const autoscaler_load *load, long long concurrency,
                            const world_autoscaling *s)
{
    long long by_fraction = per_target(load->in_flight, s->load_fraction * (double)concurrency);
    long long by_concurrent = per_target(load->in_flight, s->load_concurrent_requests);
    long long by_rate = per_target(load->arrivals_per_s, s->load_requests_per_second);
    long long by_prompt = per_target(load->prompt_tokens_per_s, s->load_prompt_tokens_per_second);
    long long by_output =
        per_target(load->output_tokens_per_s, s->load_tokens_generated_per_second);
    long long wanted = by_fraction > by_concurrent ? by_fraction : by_concurrent;
    wanted = wanted > by_rate ? wanted : by_rate;
    wanted = wanted > by_prompt ? wanted : by_prompt;
    return wanted > by_output ? wanted : by_output;
}

/* Keep the samples that the longer window can see; 0, or -1 when out of memory. */
static int remember(autoscaler *a, double now, long long wanted, double keep_s)
{
    size_t drop = 0;
    while (drop < a->n && a->at[drop] <= now - keep_s - AUTOSCALER_TICK_S)
        drop++;
    for (size_t i = drop; i < a->n; i++) {
        a->at[i - drop] = a->at[i];
        a->wanted[i - drop] = a->wanted[i];
    }
    a->n -= drop;
    if (a->n == a->cap) {
        size_t cap = a->cap ? 2 * a->cap : 16;
        double *at = realloc(a->at, cap * sizeof *at);
        if (at)
            a->at = at;
        long long *w = realloc(a->wanted, cap * sizeof *w);
        if (w)
            a->wanted = w;
        if (!at || !w)
            return -1;
        a->cap = cap;
    }
    a->at[a->n] = now;
    a->wanted[a->n++] = wanted;
    return 0;
}

/* Smallest and largest count wanted over the last `window_s`; 0 when the samples do not
 * yet cover the whole window (a decision needs the window to have been seen).
 *
 * A tick's count comes from its mean load, so a tick that asks for more may have seen the
 * load for only part of its span (a surge in its last second). The ticks inside the window
 * therefore do not prove the whole window: the tick that ends where the window begins must
 * agree too. Then the change began before the window did, and a decision never comes
 * before its window has passed (at most one tick after). */
static int over_window(const autoscaler *a, double now, double window_s, long long *lo,
                       long long *hi)
{
    size_t first = a->n;
    while (first > 0 && a->at[first - 1] > now - window_s)
        first--;
    if (first == 0 || first == a->n)
        return 0;
    first--; /* the tick ending at or before the window's start */
    *lo = *hi = a->wanted[first];
    for (size_t i = first; i < a->n; i++) {
        *lo = a->wanted[i] < *lo ? a->wanted[i] : *lo;
        *hi = a->wanted[i] > *hi ? a->wanted[i] : *hi;
    }
    return 1;
}

static long long clamp(long long v, long long lo, long long hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

long long autoscaler_decide(autoscaler *a, double now, const autoscaler_load *load,
                            long long concurrency, const world_deployment *d)
{
    const world_autoscaling *s = &d->autoscaling;
    long long current = d->replicas;
    double keep = fmax(s->scale_up_window_s, s->scale_down_window_s);
    if (remember(a, now, wanted_now(load, concurrency, s), keep) != 0)
        return current;
    if (d->min_replicas == 0 && current > 0 && load->idle_s >= s->scale_to_zero_window_s)
        return 0;
    long long lo, hi;
    if (over_window(a, now, s->scale_up_window_s, &lo, &hi) && lo > current)
        return clamp(lo, d->min_replicas, d->max_replicas);
    if (current > 0 && over_window(a, now, s->scale_down_window_s, &lo, &hi) && hi < current)
        return clamp(hi > 1 ? hi : 1, d->min_replicas, d->max_replicas);
    return current;
}
