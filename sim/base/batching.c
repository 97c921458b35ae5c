/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/batching.h"

#include "sim/base/balancer.h"

#include <stdlib.h>
#include <string.h>

/* A waiting request: two queue-budget slots. */
typedef struct {
    double arrival_s;
    uint32_t prompt, output;
} waiting;

/* A FIFO ring of waiting requests, oldest at head. */
typedef struct {
    waiting *ring;
    size_t head, n, cap;
} fifo;

typedef enum { STEP_NONE, STEP_DECODE, STEP_PREFILL } step;

/* A running request. Its prompt is prefilled while generated is 0. */
typedef struct {
    double arrival_s, first_s;
    uint32_t prompt, output, prefilled, generated;
    uint32_t chunk; /* prefill tokens in the iteration under way */
    step step;      /* its part in the iteration under way */
} running;

typedef struct {
    running *run; /* in admission order: prefill goes oldest first */
    size_t n_run, cap_run;
    fifo queue; /* its own (balanced) */
    int busy;   /* an iteration is under way */
    uint32_t batch;
    long long kv_reserved; /* prompt + output of the running requests */
    long long kv_used;     /* prefilled + generated of the running requests */
} replica;

typedef struct {
    servemodel header;
    serving_spec spec;
    gsl_rng *rng;
    serving_budget *budget;
    balancer bal;
    replica *reps;
    size_t n_reps;
    long long ready;
    fifo pooled;
    /* Iteration ends, a binary min-heap by (time, replica). */
    double *heap_t;
    size_t *heap_r;
    size_t n_heap;
    servemodel_totals totals;
    servemodel_recent recent;
    double integrated_s;                  /* the integrals are complete up to here */
    long long running_all, running_ready; /* requests running, on ready replicas */
    long long kv_ready;                   /* KV tokens in use on ready replicas */
    long long idle_ready;                 /* ready replicas without an iteration */
    size_t n_waiting;                     /* in every queue */
    double waiting_arrivals;              /* their arrival times, summed */
    double left_queue_s;                  /* waits of requests that left a queue */
    long long max_waiting;
    double max_kv;
    int out_of_memory;
} batching;

/* ---- queues ---------------------------------------------------------------------------- */

static int fifo_push(batching *b, fifo *f, waiting w)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 32;
        uint64_t more = 2 * (uint64_t)(cap - f->cap);
        if (more > b->budget->slots)
            return -1;
        waiting *grown = malloc(cap * sizeof *grown);
        if (!grown)
            return -2;
        for (size_t i = 0; i < f->n; i++)
            grown[i] = f->ring[(f->head + i) % (f->cap ? f->cap : 1)];
        free(f->ring);
        f->ring = grown;
        f->head = 0;
        b->budget->slots -= more;
        f->cap = cap;
    }
    f->ring[(f->head + f->n++) % f->cap] = w;
    b->n_waiting++;
    b->waiting_arrivals += w.arrival_s;
    if ((long long)b->n_waiting > b->max_waiting)
        b->max_waiting = (long long)b->n_waiting;
    return 0;
}

/* Take the head off, which leaves the queue at `at`. */
static waiting fifo_pop(batching *b, fifo *f, double at)
{
    waiting w = f->ring[f->head];
    f->head = (f->head + 1) % f->cap;
    f->n--;
    b->n_waiting--;
    b->waiting_arrivals -= w.arrival_s;
    b->left_queue_s += at - w.arrival_s;
    if (f->n == 0) { /* give the memory back: the run's budget is shared */
        free(f->ring);
        b->budget->slots += 2 * (uint64_t)f->cap;
        *f = (fifo){0};
    }
    if (b->n_waiting == 0)
        b->waiting_arrivals = 0; /* no rounding drift across busy periods */
    return w;
}

/* Requests at the head that gave up waiting by t leave at their timeout. */
static void expire(batching *b, fifo *f, double t)
{
    double limit = b->spec.timeout_s;
    while (limit > 0 && f->n && f->ring[f->head].arrival_s + limit <= t) {
        fifo_pop(b, f, f->ring[f->head].arrival_s + limit);
        b->totals.base.timed_out++;
        latency_add(b->recent.gave_up, limit);
    }
}

/* ---- the heap of iteration ends ----------------------------------------------------------- */

static int before(const batching *b, size_t i, size_t j)
{
    return b->heap_t[i] < b->heap_t[j] ||
           (b->heap_t[i] == b->heap_t[j] && b->heap_r[i] < b->heap_r[j]);
}

static void swap(batching *b, size_t i, size_t j)
{
    double t = b->heap_t[i];
    size_t r = b->heap_r[i];
    b->heap_t[i] = b->heap_t[j];
    b->heap_r[i] = b->heap_r[j];
    b->heap_t[j] = t;
    b->heap_r[j] = r;
}

/* The heap has room for every replica (grown with them). */
static void heap_push(batching *b, double t, size_t r)
{
    size_t i = b->n_heap++;
    b->heap_t[i] = t;
    b->heap_r[i] = r;
    while (i > 0 && before(b, i, (i - 1) / 2)) {
        swap(b, i, (i - 1) / 2);
        i = (i - 1) / 2;
    }
}

static void heap_pop(batching *b)
{
    swap(b, 0, --b->n_heap);
    size_t i = 0;
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < b->n_heap && before(b, l, m))
            m = l;
        if (r < b->n_heap && before(b, r, m))
            m = r;
        if (m == i)
            return;
        swap(b, i, m);
        i = m;
    }
}

/* ---- iterations -------------------------------------------------------------------------- */

static void integrate(batching *b, double t)
{
    double dt = t - b->integrated_s;
    if (dt <= 0)
        return;
    serving_totals *base = &b->totals.base;
    long long ready = b->ready > 0 ? b->ready : 0;
    base->busy_s += (double)b->running_all * dt;
    base->slots_busy_s += (double)b->running_ready * dt;
    base->capacity_s += (double)(ready * b->spec.max_running) * dt;
    b->totals.kv_s += (double)b->kv_ready * dt;
    b->totals.kv_capacity_s += (double)ready * (double)b->spec.kv_cache_tokens * dt;
    b->integrated_s = t;
}

static int is_ready(const batching *b, size_t i)
{
    return (long long)i < b->ready;
}

/* Admit from one queue at t while the replica has room; 0 when the head blocks (no room for
 * it in the KV cache or no running slot), 1 when the queue ran empty. */
static int admit_from(batching *b, replica *r, fifo *f, double t)
{
    expire(b, f, t);
    while (f->n) {
        const waiting *head = &f->ring[f->head];
        long long need = (long long)head->prompt + head->output;
        if ((long long)r->n_run >= b->spec.max_running ||
            r->kv_reserved + need > b->spec.kv_cache_tokens)
            return 0;
        if (r->n_run == r->cap_run) {
            size_t cap = r->cap_run ? 2 * r->cap_run : 8;
            if ((long long)cap > b->spec.max_running)
                cap = (size_t)b->spec.max_running;
            running *grown = realloc(r->run, cap * sizeof *grown);
            if (!grown) {
                b->out_of_memory = 1;
                return 0;
            }
            r->run = grown;
            r->cap_run = cap;
        }
        waiting w = fifo_pop(b, f, t);
        double wait = t - w.arrival_s;
        r->run[r->n_run++] =
            (running){.arrival_s = w.arrival_s, .prompt = w.prompt, .output = w.output};
        r->kv_reserved += need;
        serving_totals *base = &b->totals.base;
        base->started++;
        base->wait_s += wait;
        base->waited += wait > 0;
        latency_add(b->recent.wait, wait);
        b->running_all++;
        b->running_ready++; /* only ready replicas admit */
    }
    return 1;
}

/* Start replica i's next iteration at t, admitting first; it goes idle with nothing to run. */
static void begin(batching *b, size_t i, double t)
{
    replica *r = &b->reps[i];
    int ready = is_ready(b, i);
    if (ready && admit_from(b, r, &r->queue, t))
        admit_from(b, r, &b->pooled, t);
    int was_busy = r->busy;
    r->busy = r->n_run > 0;
    if (ready && was_busy != r->busy)
        b->idle_ready += was_busy ? 1 : -1;
    if (!r->busy)
        return;
    uint64_t left = b->spec.prefill_chunk > 0 ? (uint64_t)b->spec.prefill_chunk : UINT64_MAX;
    uint64_t prefill = 0, decode = 0, prefilling = 0;
    for (size_t k = 0; k < r->n_run; k++) {
        running *q = &r->run[k];
        q->chunk = 0;
        if (q->generated > 0) {
            q->step = STEP_DECODE;
            decode++;
            continue;
        }
        uint64_t rest = q->prompt - q->prefilled;
        if (rest > 0 && left == 0) {
            q->step = STEP_NONE;
            continue;
        }
        q->chunk = (uint32_t)(rest < left ? rest : left);
        left -= q->chunk;
        prefill += q->chunk;
        q->step = STEP_PREFILL;
        prefilling++;
    }
    r->batch = (uint32_t)(decode + prefilling);
    const serving_iteration *it = &b->spec.iteration;
    double length = it->base_s + it->per_prefill_token_s * (double)prefill +
                    it->per_decode_token_s * (double)decode;
    heap_push(b, t + length, i);
}

static void complete(batching *b, const running *q, double t)
{
    serving_totals *base = &b->totals.base;
    base->completed++;
    b->totals.prompt_tokens += q->prompt;
    b->totals.output_tokens += q->output;
    latency_add(b->recent.latency, t - q->arrival_s);
    if (q->output >= 2)
        latency_add(b->recent.tpot, (t - q->first_s) / (double)(q->output - 1));
}

/* Replica i's iteration ends at t: tokens are produced, finished requests leave. */
static void end(batching *b, size_t i, double t)
{
    replica *r = &b->reps[i];
    int ready = is_ready(b, i);
    long long grown = 0;
    for (size_t k = 0; k < r->n_run; k++) {
        running *q = &r->run[k];
        if (q->step == STEP_DECODE) {
            q->generated++;
            grown++;
        } else if (q->step == STEP_PREFILL) {
            q->prefilled += q->chunk;
            grown += q->chunk;
            if (q->prefilled == q->prompt) {
                q->generated = 1;
                grown++;
                q->first_s = t;
                latency_add(b->recent.ttft, t - q->arrival_s);
            }
        }
    }
    r->kv_used += grown;
    b->kv_ready += ready ? grown : 0;
    double kv = (double)r->kv_used / (double)b->spec.kv_cache_tokens;
    if (kv > b->max_kv)
        b->max_kv = kv;
    b->totals.iterations++;
    b->totals.batch_sum += r->batch;
    size_t kept = 0;
    for (size_t k = 0; k < r->n_run; k++) {
        running *q = &r->run[k];
        if (q->generated < q->output) {
            r->run[kept++] = *q;
            continue;
        }
        complete(b, q, t);
        long long held = (long long)q->prefilled + q->generated;
        r->kv_used -= held;
        r->kv_reserved -= (long long)q->prompt + q->output;
        b->kv_ready -= ready ? held : 0;
        b->running_all--;
        b->running_ready -= ready;
    }
    r->n_run = kept;
}

/* Play every iteration that ends by now. */
static void play(batching *b, double now)
{
    while (b->n_heap && b->heap_t[0] <= now) {
        double t = b->heap_t[0];
        size_t i = b->heap_r[0];
        heap_pop(b);
        integrate(b, t);
        end(b, i, t);
        begin(b, i, t);
    }
    integrate(b, now);
}

static void b_advance(servemodel *m, double now)
{
    batching *b = (batching *)m;
    play(b, now);
    expire(b, &b->pooled, now);
    for (size_t i = 0; i < b->n_reps; i++)
        expire(b, &b->reps[i].queue, now);
    serving_totals *base = &b->totals.base;
    base->unfinished = base->arrived - base->completed - base->rejected - base->timed_out;
    base->queued_s = b->left_queue_s + (double)b->n_waiting * now - b->waiting_arrivals;
}

/* ---- the interface ------------------------------------------------------------------------ */

static long long outstanding(void *ctx, size_t i)
{
    const replica *r = &((batching *)ctx)->reps[i];
    return (long long)(r->queue.n + r->n_run);
}

static serving_outcome b_arrive(servemodel *m, double now, const tokens_size *size)
{
    batching *b = (batching *)m;
    play(b, now);
    b->totals.base.arrived++;
    if (!size || (long long)size->prompt + size->output > b->spec.kv_cache_tokens) {
        b->totals.base.rejected++;
        return SERVING_REJECTED;
    }
    int pick = b->spec.balancer != SERVING_BALANCE_IDEAL && b->ready > 0;
    size_t i = pick ? balancer_pick(&b->bal, (size_t)b->ready, outstanding, b, b->rng) : 0;
    fifo *f = pick ? &b->reps[i].queue : &b->pooled;
    expire(b, f, now);
    if (b->spec.queue_limit >= 0 && (long long)f->n >= b->spec.queue_limit) {
        b->totals.base.rejected++;
        return SERVING_REJECTED;
    }
    int rc = fifo_push(b, f, (waiting){now, size->prompt, size->output});
    if (rc != 0) {
        b->totals.base.arrived--; /* dropped: the run stops */
        return rc == -1 ? SERVING_OVERFLOW : SERVING_NO_MEMORY;
    }
    uint64_t started = b->totals.base.started;
    if (pick) {
        if (!b->reps[i].busy)
            begin(b, i, now);
    } else {
        for (size_t k = 0; b->idle_ready > 0 && f->n && k < (size_t)b->ready; k++)
            if (!b->reps[k].busy)
                begin(b, k, now);
    }
    if (b->out_of_memory)
        return SERVING_NO_MEMORY;
    return b->totals.base.started > started ? SERVING_STARTED : SERVING_QUEUED;
}

static void b_set_ready(servemodel *m, long long ready, double now)
{
    batching *b = (batching *)m;
    play(b, now);
    if (ready > (long long)b->n_reps) {
        replica *grown = realloc(b->reps, (size_t)ready * sizeof *grown);
        double *ht = realloc(b->heap_t, (size_t)ready * sizeof *ht);
        if (ht)
            b->heap_t = ht;
        size_t *hr = realloc(b->heap_r, (size_t)ready * sizeof *hr);
        if (hr)
            b->heap_r = hr;
        if (grown)
            b->reps = grown;
        if (!grown || !ht || !hr) {
            b->out_of_memory = 1;
            return;
        }
        memset(b->reps + b->n_reps, 0, ((size_t)ready - b->n_reps) * sizeof *b->reps);
        b->n_reps = (size_t)ready;
    }
    b->ready = ready;
    b->running_ready = b->kv_ready = b->idle_ready = 0;
    for (size_t i = 0; i < (size_t)ready; i++) {
        b->running_ready += (long long)b->reps[i].n_run;
        b->kv_ready += b->reps[i].kv_used;
        b->idle_ready += !b->reps[i].busy;
    }
    for (size_t i = 0; i < (size_t)ready; i++)
        if (!b->reps[i].busy)
            begin(b, i, now);
}

static const servemodel_totals *b_totals(servemodel *m)
{
    return &((batching *)m)->totals;
}

static const servemodel_recent *b_recent(servemodel *m)
{
    return &((batching *)m)->recent;
}

static long long b_take_max_waiting(servemodel *m)
{
    batching *b = (batching *)m;
    long long max = b->max_waiting;
    b->max_waiting = (long long)b->n_waiting;
    return max;
}

static double b_take_max_kv(servemodel *m)
{
    batching *b = (batching *)m;
    double max = b->max_kv;
    b->max_kv = 0;
    for (size_t i = 0; i < b->n_reps; i++) {
        double kv = (double)b->reps[i].kv_used / (double)b->spec.kv_cache_tokens;
        b->max_kv = kv > b->max_kv ? kv : b->max_kv;
    }
    return max;
}

static int b_out_of_memory(const servemodel *m)
{
    return ((const batching *)m)->out_of_memory;
}

static void free_fifo(batching *b, fifo *f)
{
    free(f->ring);
    b->budget->slots += 2 * (uint64_t)f->cap;
}

static void b_free(servemodel *m)
{
    batching *b = (batching *)m;
    for (size_t i = 0; i < b->n_reps; i++) {
        free(b->reps[i].run);
        free_fifo(b, &b->reps[i].queue);
    }
    free_fifo(b, &b->pooled);
    free(b->reps);
    free(b->heap_t);
    free(b->heap_r);
    latency_free(b->recent.latency);
    latency_free(b->recent.wait);
    latency_free(b->recent.gave_up);
    latency_free(b->recent.ttft);
    latency_free(b->recent.tpot);
    free(b);
}

static const servemodel_ops ops = {b_arrive,      b_set_ready,     b_advance,
                                   b_totals,      b_recent,        b_take_max_waiting,
                                   b_take_max_kv, b_out_of_memory, b_free};

servemodel *batching_new(const serving_spec *spec, long long ready_replicas, double now,
                         gsl_rng *rng, serving_budget *budget)
{
    batching *b = calloc(1, sizeof *b);
    if (!b)
        return NULL;
    b->header.ops = &ops;
    b->spec = *spec;
    b->rng = rng;
    b->budget = budget;
    b->bal.policy = spec->balancer;
    b->integrated_s = now;
    b->recent = (servemodel_recent){latency_new(), latency_new(), latency_new(), latency_new(),
                                    latency_new()};
    if (!b->recent.latency || !b->recent.wait || !b->recent.gave_up || !b->recent.ttft ||
        !b->recent.tpot) {
        b_free(&b->header);
        return NULL;
    }
    b_set_ready(&b->header, ready_replicas, now);
    if (b->out_of_memory) {
        b_free(&b->header);
        return NULL;
    }
    return &b->header;
}
