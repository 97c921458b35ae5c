/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * serving — one deployment's capacity to serve: ready replicas x concurrency slots, a FIFO
 * queue with an optional limit and client timeout, and service times from a distribution.
 *
 * It knows nothing of routers or of the event queue. The engine tells it what happens and
 * when (an arrival, a change in ready replicas, a measurement) and everything inside the
 * deployment between two such moments is played lazily: completions live in a small heap
 * of the deployment's own, never in the simulation's event queue, since nothing outside
 * depends on them. Order matters only while requests wait (each starts at the completion
 * that frees its slot) or replicas drain; then completions and timeouts are played one by
 * one in time order. Otherwise an arrival that finds the heap holding fewer entries than
 * there are slots starts at once (finished requests still in the heap only overstate the
 * load), and finished requests are swept out in bulk when the heap is full or a measurement
 * is taken. Each request's latency (wait + service) and its wait go into histograms when it
 * starts service, and a caller's wait when it gives up; the owner collects them from there.
 * Queues draw their memory from a budget shared by every deployment of a run, so a run's
 * memory stays bounded however many deployments it has. Busy slots, waiting requests and capacity
 * are integrated over time into cumulative totals, from sums kept as requests start and
 * leave, so the difference of two snapshots describes any interval exactly, with no
 * per-request memory. Invariants: busy <= capacity except while capacity shrinks (a replica
 * that goes away finishes its in-flight requests first: no new request starts until
 * busy < capacity); nobody waits while a slot is free.
 */
#ifndef ROUTERSIM_SERVING_H
#define ROUTERSIM_SERVING_H

#include "sim/base/latency.h"

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* The queue memory of a whole run, in waiting-request slots (8 bytes each, 128 MiB in all):
 * every deployment's queue draws its slots from one serving_budget of this size. A queue
 * holds up to its slots (a power of two, at least 64), so the requests waiting when it is
 * spent may be fewer. It is also the largest queue_limit a deployment may set. */
#define SERVING_MAX_QUEUE (1u << 24)

/* Queue slots still free for the run, shared by every deployment's serving model. A queue
 * takes slots as it grows (doubling) and gives them back when it empties or is freed. */
typedef struct {
    uint64_t slots;
} serving_budget;

typedef enum {
    SERVING_DETERMINISTIC,
    SERVING_EXPONENTIAL,
    SERVING_LOGNORMAL,
    SERVING_GAMMA
} serving_distribution;

/* Which serving model a deployment has. The queue model is this module's; the batching
 * model (batching.h) plays each replica as a continuous-batching inference engine. */
typedef enum {
    SERVING_MODEL_QUEUE,   /* `model: queue` (the default): slots and a FIFO queue */
    SERVING_MODEL_BATCHING /* `model: batching`: iterations, tokens and a KV-cache budget */
} serving_model;

/* How a deployment's requests reach its replicas. IDEAL is one queue pooled over every
 * replica (a request starts on whichever frees first); the others give each replica its
 * own queue and pick one replica per arrival. */
typedef enum {
    SERVING_BALANCE_IDEAL,             /* `ideal` (the default) */
    SERVING_BALANCE_ROUND_ROBIN,       /* `round_robin`: replicas in turn */
    SERVING_BALANCE_LEAST_OUTSTANDING, /* `least_outstanding`: fewest waiting + running, the
                                          lowest index on ties */
    SERVING_BALANCE_POWER_OF_TWO       /* `power_of_two`: the less loaded of two replicas
                                          drawn at random (distinct when there are two+) */
} serving_balancer;

/* What a batching replica does when the next waiting request does not fit in its KV cache:
 * it waits (in FIFO order: later requests do not overtake it) until running requests
 * complete and free their tokens. Preemption is not modelled. */
typedef enum { SERVING_KV_WAIT } serving_kv_full;

/* The duration of one batching iteration: base + per_prefill_token x prompt tokens
 * prefilled in it + per_decode_token x requests decoding in it (one token each). */
typedef struct {
    double base_s;              /* > 0 */
    double per_prefill_token_s; /* >= 0 */
    double per_decode_token_s;  /* >= 0 */
} serving_iteration;

/* A deployment's serving model. Zeroed fields beyond those of the queue model give today's
 * behaviour: model queue, balancer ideal. */
typedef struct {
    long long concurrency; /* queue model: requests one replica serves at once, >= 1 */
    serving_distribution distribution;
    double mean_s;         /* mean service time, > 0 */
    double cv;             /* coefficient of variation (lognormal, gamma), > 0 */
    long long queue_limit; /* waiting requests beyond which arrivals are rejected; -1: none */
    double timeout_s;      /* a request still waiting after this gives up; 0: never */
    double cold_start_s;   /* a new replica serves (and is weighted) only after this */
    serving_model model;
    serving_balancer balancer;
    /* Batching model only (concurrency and the service time are the queue model's): */
    long long max_running;     /* requests running at once per replica, >= 1 */
    long long kv_cache_tokens; /* KV-cache budget per replica in tokens: the prompt plus the
                                  tokens generated so far of every running request; >= 1 */
    long long prefill_chunk;   /* prompt tokens prefilled per iteration and replica, summed
                                  over requests (chunked prefill); 0: whole prompts */
    serving_iteration iteration;
    serving_kv_full kv_full;
} serving_spec;

/* Totals since the deployment was created. */
typedef struct {
    uint64_t arrived, started, completed, rejected, timed_out;
    uint64_t waited;     /* started after waiting in the queue */
    double wait_s;       /* summed queue waits of started requests */
    double busy_s;       /* integral of requests in service (draining replicas too) */
    double slots_busy_s; /* integral of the ready slots in use: min(busy, capacity) */
    double queued_s;     /* integral of waiting requests over time */
    double capacity_s;   /* integral of ready slots (ready replicas x concurrency) */
    uint64_t unfinished; /* waiting or in service: arrived - completed - rejected - timed_out */
} serving_totals;

/* What the deployment recorded since the owner last reset them. Served requests enter
 * `latency` (wait + service) and `wait` when they start service; a request that gives up
 * waiting enters `gave_up` with its wait (the timeout). Callers' latency is `latency` and
 * `gave_up` merged. */
typedef struct {
    latency *latency, *wait, *gave_up;
} serving_recent;

typedef enum {
    SERVING_STARTED,
    SERVING_QUEUED,
    SERVING_REJECTED,
    SERVING_OVERFLOW, /* the run's queue budget is spent: the request is dropped */
    SERVING_NO_MEMORY /* an allocation failed: the request is dropped */
} serving_outcome;

typedef struct serving serving;

/* The scenario's names of a model and a balancer ("queue", "round_robin"...), as reports
 * write them. */
const char *serving_model_name(serving_model model);
const char *serving_balancer_name(serving_balancer balancer);

/* A deployment drawing its service times from rng and its queue memory from budget (which
 * must outlive it). NULL when out of memory. */
serving *serving_new(const serving_spec *spec, long long ready_replicas, double now, gsl_rng *rng,
                     serving_budget *budget);
void serving_free(serving *s);

/* One service time drawn from the spec's distribution (mean mean_s, CV cv). */
double serving_draw(const serving_spec *spec, gsl_rng *rng);

/* A request arrives (after playing the deployment up to now). SERVING_OVERFLOW and
 * SERVING_NO_MEMORY drop the request; the run should stop and say which. SERVING_NO_MEMORY
 * also when an earlier allocation failed while playing the deployment forward. */
serving_outcome serving_arrive(serving *s, double now);

/* Ready replicas change; more slots start waiting requests at once. */
void serving_set_ready(serving *s, long long ready_replicas, double now);

/* Play what happens inside the deployment up to `now` (completions, starts, timeouts) and
 * bring the totals' integrals up to it: a measurement, linear in the requests present. */
void serving_advance(serving *s, double now);

/* The histograms recorded since the owner last reset them (it resets them itself). */
const serving_recent *serving_recent_of(serving *s);

/* The totals as of the last serving_advance (counts as they happen; integrals and
 * `unfinished` as of the last measurement). */
const serving_totals *serving_totals_of(const serving *s);

/* 1 when an allocation failed while playing the deployment forward (a request was lost). */
int serving_out_of_memory(const serving *s);

/* The most requests waiting at once since the last call (which restarts the count). */
long long serving_take_max_waiting(serving *s);

#endif
