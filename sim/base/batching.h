/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * batching — a deployment whose replicas are continuous-batching inference engines (as vLLM,
 * TGI, SGLang run an LLM), behind the servemodel interface.
 *
 * Each replica runs iterations back to back while it has requests. An iteration decodes one
 * token of every running request whose prompt is prefilled and prefills the prompts of
 * newly admitted ones (all of them, or up to prefill_chunk tokens in all: chunked prefill,
 * the rest in later iterations); it lasts base + per_prefill_token x prefill tokens +
 * per_decode_token x decoding requests. The iteration that completes a prompt's prefill
 * also yields the request's first output token (its TTFT is taken at that iteration's end);
 * each later iteration yields one more, and the request completes at the end of the
 * iteration that yields its last. So with one request at a time, prompt P and output O
 * tokens, a request is served in one prefill iteration (base + per_prefill x P) plus O - 1
 * decode iterations (base + per_decode each).
 *
 * Admission happens at iteration boundaries (and at once on an idle replica), in FIFO
 * order, while the replica runs fewer than max_running requests and its KV cache can hold
 * the next request at its longest: prompt + output tokens are reserved when it is admitted,
 * so running requests never outgrow the budget and none is ever evicted (kv_full: wait: the
 * head of the queue waits for running requests to finish; later ones do not overtake it).
 * The occupancy measured is the tokens actually held: prompt tokens prefilled plus tokens
 * generated so far. A request that could never fit (prompt + output > kv_cache_tokens), or
 * that carries no size, is rejected on arrival.
 *
 * Queues: with balancer ideal, one queue pooled over the replicas (a request is admitted by
 * the first replica at an iteration boundary with room); otherwise each replica has its own,
 * and the balancer picks the replica on arrival by requests outstanding (waiting + running).
 * Requests that arrive while no replica is ready wait in the pooled queue, which every
 * replica also draws from once its own is empty. A replica taken away finishes its running
 * requests and admits no more; requests in its own queue wait for it to come back (or give
 * up at the timeout).
 *
 * Iterations are events of the deployment's own (a heap with one entry per busy replica),
 * played lazily up to the time the owner asks for, never one event per token. Memory is per
 * request in the system (running or waiting), never per request simulated; the queues draw
 * it from the run's serving_budget (two slots per waiting request).
 */
#ifndef ROUTERSIM_BATCHING_H
#define ROUTERSIM_BATCHING_H

#include "sim/base/servemodel.h"

/* spec->model is SERVING_MODEL_BATCHING, with max_running, kv_cache_tokens >= 1 and
 * iteration.base_s > 0. NULL when out of memory. */
servemodel *batching_new(const serving_spec *spec, long long ready_replicas, double now,
                         gsl_rng *rng, serving_budget *budget);

#endif
