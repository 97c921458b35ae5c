/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * autoscaler — how many replicas the platform would give one deployment, from its load.
 *
 * Modelled on the platform's documented behaviour, evaluated every AUTOSCALER_TICK_S:
 * each tick turns the load seen over the last tick into a wanted replica count (per load
 * target: requests in flight over fraction x concurrency, requests per second, concurrent
 * requests, prompt tokens per second and generated tokens per second per replica; the
 * largest count wins). It scales up to the smallest count wanted
 * throughout the last scale-up window, only once the whole window wanted more; down to the
 * largest count wanted throughout the last scale-down window (never below 1 that way). A
 * tick's mean may come from part of its span, so "throughout the window" takes in the tick
 * ending where the window begins: a change is acted on between one window and one window
 * plus a tick after it began, never sooner. It scales to zero only when min_replica_count
 * is 0 and no request arrived for the scale-to-zero window. A deployment at 0 replicas behind a
 * router gets no traffic, so nothing here can bring it back: it stays at 0 until its bounds are
 * raised (the engine says so in the results). The decision is a pure function of what it is told:
 * no clock, no randomness.
 */
#ifndef ROUTERSIM_AUTOSCALER_H
#define ROUTERSIM_AUTOSCALER_H

#include "sim/model/world.h"

#define AUTOSCALER_TICK_S 10.0

typedef struct autoscaler autoscaler;

autoscaler *autoscaler_new(void);
void autoscaler_free(autoscaler *a);

/* What one tick saw: the mean number of requests in flight (serving or waiting) and the
 * arrivals per second over the tick, and for how long no request has arrived. */
typedef struct {
    double in_flight;
    double arrivals_per_s;
    double idle_s;
    /* prompt and output tokens of the requests that arrived, per second over the tick (the
     * token targets: prompt_tokens_per_second and tokens_generated_per_second) */
    double prompt_tokens_per_s;
    double output_tokens_per_s;
} autoscaler_load;

/* The replica count the deployment should have after the tick at `now` (its current
 * `replicas` when nothing changes); always within [min, max]. concurrency is per replica. */
long long autoscaler_decide(autoscaler *a, double now, const autoscaler_load *load,
                            long long concurrency, const world_deployment *d);

#endif
