/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/balancer.h"
#include "sim/base/servemodel.h"
#include "sim/base/tokens.h"
#include "sim/model/scenario.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <gsl/gsl_randist.h>
#include <math.h>
#include <string.h>

/*
 * The continuous-batching model and the balancers, held to answers derived by hand, not to
 * the program's own output: a replica running one request at a time with fixed sizes is an
 * M/D/1 queue; a lone request's first token comes after its prefill iterations; a replica
 * kept full completes max_running requests per cycle of iterations; the KV cache is never
 * overfilled and every output token is accounted for; round robin spreads equal load exactly
 * and power of two choices beats a random pick (Azar, Broder, Karlin, Upfal 1994).
 */

#define SIGMAS 4.0

static serving_spec batching(long long max_running, long long kv, double base, double per_prefill,
                             double per_decode)
{
    return (serving_spec){.model = SERVING_MODEL_BATCHING,
                          .queue_limit = -1,
                          .max_running = max_running,
                          .kv_cache_tokens = kv,
                          .iteration = {base, per_prefill, per_decode}};
}

static servemodel *model(const serving_spec *spec, long long replicas, gsl_rng *rng,
                         serving_budget *budget)
{
    char err[160];
    servemodel *m = servemodel_new(spec, replicas, 0, rng, budget, err, sizeof err);
    ck_assert_msg(m != NULL, "%s", err);
    return m;
}

/* Poisson arrivals at `rate` of fixed-size requests, n of them; the model is then played
 * until every request has left. Returns the mean wait in the queue. */
static double poisson_run(servemodel *m, gsl_rng *rng, double rate, size_t n, tokens_size size)
{
    double t = 0;
    for (size_t i = 0; i < n; i++) {
        t += gsl_ran_exponential(rng, 1 / rate);
        ck_assert_int_ne(servemodel_arrive(m, t, &size), SERVING_REJECTED);
    }
    servemodel_advance(m, t + 1e6);
    const serving_totals *tot = &servemodel_totals_of(m)->base;
    ck_assert_uint_eq(tot->completed, n);
    ck_assert_uint_eq(tot->unfinished, 0);
    return tot->wait_s / (double)tot->started;
}

/* max_running 1 and fixed sizes: each request is served alone in one prefill iteration
 * (base + per_prefill x P, which yields the first token) and O - 1 decode iterations of one
 * token each (base + per_decode), so the replica is an M/D/1 queue with that deterministic
 * service time S. Pollaczek-Khinchine with E[S^2] = S^2: mean wait = rho S / (2 (1 - rho)).
 * Every request's TPOT is exactly base + per_decode and its TTFT is its wait plus the
 * prefill iteration. Ten independent replications give the mean and its standard error. */
START_TEST(one_at_a_time_is_md1)
{
    const double base = 0.010, pp = 0.0001, pd = 0.0005;
    const uint32_t P = 100, O = 20;
    const double prefill = base + pp * P, S = prefill + (O - 1) * (base + pd), rho = 0.6;
    const double theory = rho * S / (2 * (1 - rho));
    serving_spec spec = batching(1, 100000, base, pp, pd);
    double w[10], sum = 0, sq = 0;
    for (int k = 0; k < 10; k++) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        gsl_rng_set(rng, 100 + (unsigned long)k);
        serving_budget budget = {SERVING_MAX_QUEUE};
        servemodel *m = model(&spec, 1, rng, &budget);
        w[k] = poisson_run(m, rng, rho / S, 20000, (tokens_size){P, O});
        const servemodel_recent *rc = servemodel_recent_of(m);
        ck_assert_double_eq_tol(latency_mean(rc->tpot), base + pd, 1e-12);
        ck_assert_double_eq_tol(latency_max(rc->tpot), base + pd, 1e-12);
        ck_assert_double_eq_tol(latency_mean(rc->ttft), w[k] + prefill, 1e-9);
        ck_assert_double_eq_tol(latency_mean(rc->latency), w[k] + S, 1e-9);
        const servemodel_totals *tot = servemodel_totals_of(m);
        ck_assert_uint_eq(tot->output_tokens, 20000u * O);
        ck_assert_uint_eq(tot->prompt_tokens, 20000u * P);
        ck_assert_uint_eq(tot->iterations, 20000u * O);
        servemodel_free(m);
        gsl_rng_free(rng);
        sum += w[k];
    }
    double mean = sum / 10;
    for (int k = 0; k < 10; k++)
        sq += (w[k] - mean) * (w[k] - mean);
    double se = sqrt(sq / 9 / 10);
    ck_assert_msg(se < 0.03 * theory, "standard error %g too large", se);
    ck_assert_msg(fabs(mean - theory) <= SIGMAS * se, "mean wait %g +- %g, M/D/1 %g", mean, se,
                  theory);
}
END_TEST

/* Requests far apart find the replica idle: TTFT is the prefill alone, one iteration of
 * base + per_prefill x P; with chunks of C tokens, ceil(P / C) iterations that together
 * prefill P tokens: ceil(P / C) x base + per_prefill x P. */
START_TEST(lone_request_ttft_is_its_prefill)
{
    const double base = 0.008, pp = 0.00015, pd = 0.0003;
    for (int chunked = 0; chunked < 2; chunked++) {
        serving_spec spec = batching(8, 100000, base, pp, pd);
        spec.prefill_chunk = chunked ? 30 : 0;
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        serving_budget budget = {SERVING_MAX_QUEUE};
        servemodel *m = model(&spec, 1, rng, &budget);
        for (int i = 0; i < 50; i++)
            ck_assert_int_eq(servemodel_arrive(m, 10.0 * i, &(tokens_size){100, 5}),
                             SERVING_STARTED);
        servemodel_advance(m, 1000);
        const servemodel_recent *rc = servemodel_recent_of(m);
        double want = chunked ? 4 * base + pp * 100 : base + pp * 100; /* 30+30+30+10 */
        ck_assert_uint_eq(latency_count(rc->ttft), 50);
        ck_assert_double_eq_tol(latency_mean(rc->ttft), want, 1e-12);
        ck_assert_double_eq_tol(latency_max(rc->ttft), want, 1e-12);
        ck_assert_double_eq_tol(latency_mean(rc->wait), 0, 1e-15);
        servemodel_free(m);
        gsl_rng_free(rng);
    }
}
END_TEST

/* K x B requests waiting when a replica of max_running B becomes ready: they run in K cycles of
 * full batches, each one prefill iteration of B prompts (base + per_prefill x B P) and O - 1 decode
 * iterations of B tokens (base + per_decode x B). So the last completes at K cycles, throughput is
 * B per cycle, every iteration holds B requests, and two replicas (pooled or round robin) halve the
 * time. */
START_TEST(full_batches_saturate_at_max_running_per_cycle)
{
    const double base = 0.005, pp = 0.00002, pd = 0.0004;
    const uint32_t P = 64, O = 10;
    const long long B = 16, K = 5;
    const double cycle = base + pp * (double)(B * P) + (O - 1) * (base + pd * (double)B);
    serving_balancer policies[] = {SERVING_BALANCE_IDEAL, SERVING_BALANCE_ROUND_ROBIN,
                                   SERVING_BALANCE_LEAST_OUTSTANDING};
    for (int replicas = 1; replicas <= 2; replicas++)
        for (size_t p = 0; p < 3; p++) {
            serving_spec spec = batching(B, 1000000, base, pp, pd);
            spec.balancer = policies[p];
            gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
            serving_budget budget = {SERVING_MAX_QUEUE};
            servemodel *m = model(&spec, 0, rng, &budget);
            for (long long i = 0; i < K * B * replicas; i++)
                servemodel_arrive(m, 0, &(tokens_size){P, O});
            servemodel_set_ready(m, replicas, 0);
            servemodel_advance(m, K * cycle - 1e-9);
            ck_assert_uint_eq(servemodel_totals_of(m)->base.completed,
                              (uint64_t)((K - 1) * B * replicas));
            servemodel_advance(m, K * cycle + 1e-9);
            const servemodel_totals *tot = servemodel_totals_of(m);
            ck_assert_uint_eq(tot->base.completed, (uint64_t)(K * B * replicas));
            ck_assert_double_eq_tol(tot->batch_sum / (double)tot->iterations, (double)B, 1e-12);
            ck_assert_uint_eq(tot->iterations, (uint64_t)(K * O * replicas));
            servemodel_free(m);
            gsl_rng_free(rng);
        }
}
END_TEST

/* Random sizes under overload with a small KV budget: no replica ever holds more tokens
 * than its budget, the budget is what limits the batch (it is well used), every request
 * completes once arrivals stop, and the tokens counted are exactly those drawn. */
START_TEST(kv_budget_holds_and_tokens_add_up)
{
    serving_spec spec = batching(64, 2000, 0.005, 0.00001, 0.0002);
    spec.prefill_chunk = 256;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    serving_budget budget = {SERVING_MAX_QUEUE};
    servemodel *m = model(&spec, 2, rng, &budget);
    uint64_t prompt = 0, output = 0, rejected = 0;
    double t = 0, max_kv = 0;
    for (int i = 0; i < 20000; i++) {
        t += gsl_ran_exponential(rng, 0.01);
        tokens_size size = {(uint32_t)gsl_rng_uniform_int(rng, 1500),
                            1 + (uint32_t)gsl_rng_uniform_int(rng, 600)};
        if (servemodel_arrive(m, t, &size) == SERVING_REJECTED) {
            ck_assert_uint_gt(size.prompt + size.output, 2000);
            rejected++;
            continue;
        }
        prompt += size.prompt;
        output += size.output;
        if (i % 100 == 0) {
            double kv = servemodel_take_max_kv(m);
            max_kv = kv > max_kv ? kv : max_kv;
        }
    }
    servemodel_advance(m, t + 1e6);
    double kv = servemodel_take_max_kv(m);
    max_kv = kv > max_kv ? kv : max_kv;
    const servemodel_totals *tot = servemodel_totals_of(m);
    ck_assert_uint_gt(rejected, 0);
    ck_assert_uint_eq(tot->base.rejected, rejected);
    ck_assert_uint_eq(tot->base.completed, 20000 - rejected);
    ck_assert_uint_eq(tot->prompt_tokens, prompt);
    ck_assert_uint_eq(tot->output_tokens, output);
    ck_assert_msg(max_kv <= 1.0, "KV occupancy %g above the budget", max_kv);
    ck_assert_msg(max_kv > 0.9, "KV occupancy peaked at %g only", max_kv);
    servemodel_free(m);
    gsl_rng_free(rng);
}
END_TEST

/* Waiting has limits: with one running slot held by a long request (1000 decode
 * iterations of 10 ms), three requests arriving at 0.105, 0.205, 0.305 s (between two
 * iterations) give up at their 1 s
 * timeout, each after exactly 1 s in the queue, and a fourth is turned away by queue_limit 3;
 * a request too big for the KV budget is rejected on arrival. */
START_TEST(timeouts_and_limits)
{
    serving_spec spec = batching(1, 5000, 0.010, 0, 0);
    spec.timeout_s = 1;
    spec.queue_limit = 3;
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    serving_budget budget = {SERVING_MAX_QUEUE};
    servemodel *m = model(&spec, 1, rng, &budget);
    ck_assert_int_eq(servemodel_arrive(m, 0, &(tokens_size){0, 1000}), SERVING_STARTED);
    for (int i = 1; i <= 3; i++)
        ck_assert_int_eq(servemodel_arrive(m, 0.1 * i + 0.005, &(tokens_size){10, 10}),
                         SERVING_QUEUED);
    ck_assert_int_eq(servemodel_arrive(m, 0.5, &(tokens_size){10, 10}), SERVING_REJECTED);
    ck_assert_int_eq(servemodel_arrive(m, 0.6, &(tokens_size){4000, 1001}), SERVING_REJECTED);
    servemodel_advance(m, 5);
    const serving_totals *tot = &servemodel_totals_of(m)->base;
    ck_assert_uint_eq(tot->timed_out, 3);
    ck_assert_uint_eq(tot->rejected, 2);
    ck_assert_double_eq_tol(tot->queued_s, 3.0, 1e-12);
    ck_assert_uint_eq(latency_count(servemodel_recent_of(m)->gave_up), 3);
    ck_assert_uint_eq(tot->unfinished, 1);
    ck_assert_uint_eq(servemodel_take_max_waiting(m), 3);
    servemodel_free(m);
    gsl_rng_free(rng);
}
END_TEST

/* A replica taken away finishes what it runs and admits nothing more. Two replicas of one
 * running request each, four requests of 10 iterations of 0.1 s (1 s each) at 0, the
 * second replica taken away at 0.5 s. Pooled: it completes its request at 1 s, the first
 * replica serves the two waiting ones (done at 2 and 3 s); utilisation counts the second
 * replica only while it was ready: running requests on ready replicas 0.5 + 1 + 1 + 1 =
 * 3.5 slot-seconds over 2 x 0.5 + 1 x 2.5 = 3.5 available, exactly 1. Round robin: the
 * fourth request waits in the second replica's own queue until it comes back at 5 s, and
 * completes at 6 s. */
START_TEST(replica_taken_away_drains)
{
    for (int rr = 0; rr < 2; rr++) {
        serving_spec spec = batching(1, 1000, 0.1, 0, 0);
        spec.balancer = rr ? SERVING_BALANCE_ROUND_ROBIN : SERVING_BALANCE_IDEAL;
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        serving_budget budget = {SERVING_MAX_QUEUE};
        servemodel *m = model(&spec, 2, rng, &budget);
        for (int i = 0; i < 4; i++)
            servemodel_arrive(m, 0, &(tokens_size){0, 10});
        servemodel_set_ready(m, 1, 0.5);
        const servemodel_totals *tot = servemodel_totals_of(m);
        if (!rr) {
            servemodel_advance(m, 2.5);
            ck_assert_uint_eq(tot->base.completed, 3);
            servemodel_advance(m, 3.0 + 1e-9);
            ck_assert_uint_eq(tot->base.completed, 4);
            servemodel_advance(m, 3.0 + 1e-9);
            ck_assert_double_eq_tol(tot->base.slots_busy_s / tot->base.capacity_s, 1.0, 1e-6);
            ck_assert_double_eq_tol(tot->base.busy_s, 4.0, 1e-6);
        } else {
            servemodel_advance(m, 4.9);
            ck_assert_uint_eq(tot->base.completed, 3);
            ck_assert_uint_eq(tot->base.unfinished, 1);
            servemodel_set_ready(m, 2, 5);
            servemodel_advance(m, 6.0 + 1e-9);
            ck_assert_uint_eq(tot->base.completed, 4);
            ck_assert_double_eq_tol(latency_max(servemodel_recent_of(m)->latency), 6.0, 1e-9);
        }
        servemodel_free(m);
        gsl_rng_free(rng);
    }
}
END_TEST

/* Equal deterministic load: an arrival every second on 4 replicas of one slot each, 3.5 s
 * of service. Round robin gives each replica every fourth request, 4 s apart, so nobody
 * ever waits and every request starts on arrival; power of two choices, random, sends
 * some to a replica still busy, where they wait. */
START_TEST(round_robin_spreads_equal_load_exactly)
{
    for (int rr = 0; rr < 2; rr++) {
        serving_spec spec = {.concurrency = 1,
                             .distribution = SERVING_DETERMINISTIC,
                             .mean_s = 3.5,
                             .queue_limit = -1,
                             .balancer =
                                 rr ? SERVING_BALANCE_ROUND_ROBIN : SERVING_BALANCE_POWER_OF_TWO};
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        serving_budget budget = {SERVING_MAX_QUEUE};
        servemodel *m = model(&spec, 4, rng, &budget);
        int started = 0;
        for (int i = 0; i < 400; i++)
            started += servemodel_arrive(m, i, NULL) == SERVING_STARTED;
        servemodel_advance(m, 1000);
        const serving_totals *tot = &servemodel_totals_of(m)->base;
        ck_assert_uint_eq(tot->completed, 400);
        ck_assert_double_eq_tol(tot->busy_s, 400 * 3.5, 1e-9);
        if (rr) {
            ck_assert_int_eq(started, 400);
            ck_assert_uint_eq(tot->waited, 0);
        } else {
            ck_assert_uint_gt(tot->waited, 10);
        }
        servemodel_free(m);
        gsl_rng_free(rng);
    }
}
END_TEST

static long long load_of(void *ctx, size_t i)
{
    return ((const long long *)ctx)[i];
}

/* n balls into n bins: a uniformly random bin gives a fullest bin of about ln n / ln ln n
 * (5 to 7 for n = 10^4), the less full of two random bins ln ln n / ln 2 + O(1) (3 to 4):
 * Azar, Broder, Karlin, Upfal (1994). Least outstanding fills every bin to exactly 1, and
 * round robin too. Over 20 seeds, power of two's fullest bin is always below the random
 * pick's. */
START_TEST(power_of_two_beats_random)
{
    enum { N = 10000 };
    static long long bins[N];
    for (unsigned long seed = 1; seed <= 20; seed++) {
        gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
        gsl_rng_set(rng, seed);
        long long max_random = 0, max_two = 0;
        memset(bins, 0, sizeof bins);
        for (int i = 0; i < N; i++) {
            long long l = ++bins[gsl_rng_uniform_int(rng, N)];
            max_random = l > max_random ? l : max_random;
        }
        memset(bins, 0, sizeof bins);
        balancer b = {SERVING_BALANCE_POWER_OF_TWO, 0};
        for (int i = 0; i < N; i++) {
            long long l = ++bins[balancer_pick(&b, N, load_of, bins, rng)];
            max_two = l > max_two ? l : max_two;
        }
        ck_assert_int_ge(max_random, 5);
        ck_assert_int_le(max_two, 4);
        gsl_rng_free(rng);
    }
    balancer least = {SERVING_BALANCE_LEAST_OUTSTANDING, 0}, rr = {SERVING_BALANCE_ROUND_ROBIN, 0};
    long long a[8] = {0}, c[8] = {0};
    for (int i = 0; i < 64; i++) {
        a[balancer_pick(&least, 8, load_of, a, NULL)]++;
        c[balancer_pick(&rr, 8, load_of, c, NULL)]++;
    }
    for (int i = 0; i < 8; i++) {
        ck_assert_int_eq(a[i], 8);
        ck_assert_int_eq(c[i], 8);
    }
}
END_TEST

/* The token target through a whole run: 20 requests/s of 200 output tokens offer 4000
 * generated tokens/s; at 1000 per replica the autoscaler asks for ceil(4000 / 1000) = 4
 * replicas (5 in a window whose every tick saw more than 4000), where in-flight requests
 * alone (about 20/s x 2 s = 40, under 0.8 x 64 per replica) would keep 1. */
START_TEST(token_target_scales_a_run)
{
    scenario *sc = load_text(
        "name: scale\naccount: acme\nduration: 5m\nwindow: 30s\n"
        "deployments:\n  - id: d\n    min_replica_count: 1\n    max_replica_count: 10\n"
        "    serving:\n      model: batching\n      max_running: 64\n"
        "      kv_cache_tokens: 200000\n"
        "      iteration: {base: 8ms, per_prefill_token: 0.02ms, per_decode_token: 0.1ms}\n"
        "    autoscaling:\n      load_targets: {tokens_generated_per_second: 1000}\n"
        "routers:\n  - {id: r, deployments: [d]}\n"
        "traffic:\n  - router: r\n    rate: 20/s\n    tokens: {prompt: 100, output: 200}\n");
    results *r = run_seed(sc, 3);
    const results_load_point *last = &r->load_points[r->n_load_points - 1];
    ck_assert_int_ge(last->replicas, 4);
    ck_assert_int_le(last->replicas, 5);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* The mean of n draws of a one-class spec's prompt (output: 1) and output (0). */
static double mean_of(const tokens_count *prompt, const tokens_count *output, int of_output,
                      uint32_t *max)
{
    tokens_class k = {.weight = 1, .prompt = *prompt, .output = *output};
    tokens_spec spec = {1, &k};
    char err[128];
    tokens_sampler *s = tokens_sampler_new(&spec, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    double sum = 0;
    *max = 0;
    for (int i = 0; i < 200000; i++) {
        tokens_size z = tokens_draw(s, rng);
        uint32_t v = of_output ? z.output : z.prompt;
        ck_assert_uint_ge(z.output, 1);
        sum += v;
        *max = v > *max ? v : *max;
    }
    tokens_sampler_free(s);
    gsl_rng_free(rng);
    return sum / 200000;
}

/* Sizes drawn per request against their specs' own numbers: uniform 50..400 inclusive has
 * mean 225 and reaches 400; the histogram {to 100: 1, to 300: 3} has mean (1 x 50 + 3 x 200)
 * / 4 = 162.5 and never exceeds 300; a lognormal of mean 150 keeps its mean (rounding moves
 * it by far less than the tolerance); a fixed output of 0 is raised to 1; two classes of
 * weights 3 and 1 are picked 3:1. Tolerances are about 4 standard errors of 200000 draws. */
START_TEST(sizes_follow_their_distributions)
{
    tokens_bin bins[] = {{100, 1}, {300, 3}};
    tokens_count one = {.kind = TOKENS_FIXED, .value = 1};
    tokens_count uni = {.kind = TOKENS_UNIFORM, .min = 50, .max = 400};
    tokens_count hist = {.kind = TOKENS_HISTOGRAM, .n_bins = 2, .bins = bins};
    tokens_count logn = {.kind = TOKENS_LOGNORMAL, .mean = 150, .cv = 0.5};
    tokens_count zero = {.kind = TOKENS_FIXED, .value = 0};
    uint32_t max;
    ck_assert_double_eq_tol(mean_of(&one, &uni, 1, &max), 225, 0.9);
    ck_assert_uint_eq(max, 400);
    ck_assert_double_eq_tol(mean_of(&hist, &one, 0, &max), 162.5, 0.8);
    ck_assert_uint_eq(max, 300);
    ck_assert_double_eq_tol(mean_of(&one, &logn, 1, &max), 150, 0.7);
    ck_assert_double_eq_tol(mean_of(&zero, &zero, 1, &max), 1, 1e-12);

    tokens_class classes[] = {
        {.weight = 3, .prompt = {.kind = TOKENS_FIXED, .value = 1}, .output = one},
        {.weight = 1, .prompt = {.kind = TOKENS_FIXED, .value = 2}, .output = one}};
    tokens_spec spec = {2, classes};
    char err[128];
    tokens_sampler *s = tokens_sampler_new(&spec, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    int first = 0;
    for (int i = 0; i < 200000; i++)
        first += tokens_draw(s, rng).prompt == 1;
    ck_assert_double_eq_tol(first / 200000.0, 0.75, 0.004);
    tokens_sampler_free(s);
    gsl_rng_free(rng);
}
END_TEST

/* A whole run: a batching deployment behind a router, requests of fixed sizes. The sizes
 * reach the model (tokens completed are exactly 200 and 50 per completed request), every
 * load the run reports carries the token measurements (bins, phases, the run, a capacity
 * check's interval), output tokens per second match the offered 20/s x 50 tokens over the
 * run, and no first token comes sooner than the prefill iteration (10 ms + 200 x 0.1 ms). */
START_TEST(a_run_measures_tokens_everywhere)
{
    scenario *sc = load_text("name: llm\naccount: acme\nduration: 300s\nwindow: 30s\n"
                             "deployments:\n  - id: d\n    replicas: 2\n"
                             "    serving: {concurrency: 1, service_time: {distribution: "
                             "deterministic, mean: 1s}}\n"
                             "routers:\n  - {id: r, deployments: [d]}\n"
                             "traffic:\n  - {router: r, rate: 20/s}\n"
                             "checks:\n  capacity:\n    - max_utilization: 1\n"
                             "      over: interval\n");
    serving_spec *spec = &sc->serving[0].spec;
    *spec = batching(32, 100000, 0.010, 0.0001, 0.0004);
    tokens_class *k = calloc(1, sizeof *k);
    ck_assert_ptr_nonnull(k);
    *k = (tokens_class){.weight = 1,
                        .prompt = {.kind = TOKENS_FIXED, .value = 200},
                        .output = {.kind = TOKENS_FIXED, .value = 50}};
    sc->traffic[0].tokens = (tokens_spec){1, k};
    results *r = run_seed(sc, 7);
    const results_load *run = &r->loads[0].load;
    ck_assert_uint_gt(run->completed, 5000);
    ck_assert_uint_eq(run->prompt_tokens, 200 * run->completed);
    ck_assert_uint_eq(run->output_tokens, 50 * run->completed);
    ck_assert_uint_ge(run->ttft.count, run->completed);
    ck_assert_uint_le(run->ttft.count, run->started);
    ck_assert_double_ge(run->ttft.mean_s, 0.030 - 1e-12);
    ck_assert_uint_eq(run->tpot.count, run->completed);
    ck_assert_double_eq_tol(run->output_tokens_per_s, 1000, 60);
    ck_assert_double_gt(run->max_kv, 0);
    ck_assert_double_le(run->max_kv, 1);
    ck_assert_double_ge(run->mean_batch, 1);
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load *l = &r->load_points[i].load;
        ck_assert_uint_gt(l->iterations, 0);
        ck_assert_uint_gt(l->ttft.count, 0);
        ck_assert_double_gt(l->mean_kv, 0);
        ck_assert_double_gt(l->output_tokens_per_s, 0);
    }
    ck_assert_uint_ge(r->n_phases, 1);
    ck_assert_ptr_nonnull(r->phases[0].deployments[0].load);
    ck_assert_double_eq(r->phases[0].deployments[0].load->max_kv, -1);
    ck_assert_uint_gt(r->phases[0].deployments[0].load->tpot.count, 0);
    ck_assert_uint_eq(r->n_interval_loads, 1);
    ck_assert_uint_gt(r->interval_loads[0].load.iterations, 0);
    results_free(r);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("batching");
    check_add_case(s, tcase_create("one_at_a_time_is_md1"), one_at_a_time_is_md1, 120);
    check_add_case(s, tcase_create("lone_request_ttft_is_its_prefill"),
                   lone_request_ttft_is_its_prefill, 30);
    check_add_case(s, tcase_create("full_batches_saturate_at_max_running_per_cycle"),
                   full_batches_saturate_at_max_running_per_cycle, 30);
    check_add_case(s, tcase_create("kv_budget_holds_and_tokens_add_up"),
                   kv_budget_holds_and_tokens_add_up, 60);
    check_add_case(s, tcase_create("timeouts_and_limits"), timeouts_and_limits, 30);
    check_add_case(s, tcase_create("replica_taken_away_drains"), replica_taken_away_drains, 30);
    check_add_case(s, tcase_create("round_robin_spreads_equal_load_exactly"),
                   round_robin_spreads_equal_load_exactly, 30);
    check_add_case(s, tcase_create("power_of_two_beats_random"), power_of_two_beats_random, 60);
    check_add_case(s, tcase_create("a_run_measures_tokens_everywhere"),
                   a_run_measures_tokens_everywhere, 60);
    check_add_case(s, tcase_create("token_target_scales_a_run"), token_target_scales_a_run, 60);
    check_add_case(s, tcase_create("sizes_follow_their_distributions"),
                   sizes_follow_their_distributions, 30);
    return s;
}
