/* SPDX-License-Identifier: MIT */
/*
 * selector — the router's per-request choice of deployment.
 *
 * Standalone on purpose: it knows nothing of scenarios, clocks or queues, so a gateway
 * could link it as is. Given n deployments and their replica counts w[i], a weighted-random
 * pick returns i with probability w[i] / sum(w) exactly, in constant time, using an integer
 * alias table (Walker/Vose) built in O(n) when the weights change. Exactness is a property
 * of the table, not of sampling: every pick maps one uniform integer x in [0, span) to a
 * deployment, and exactly span * w[i] / sum(w) of those integers map to i
 * (selector_mass tells how many; the tests enumerate it).
 *
 * Even-load is the deterministic alternative: smooth weighted round-robin over the same
 * weights, so each deployment's share over any window of sum(w) picks is exact.
 *
 * A deployment with weight 0 is never picked; when every weight is 0 a pick returns
 * SELECTOR_NO_REPLICAS.
 *
 * It is also the library libroutersim-selector (installed as <routersim/selector.h>,
 * pkg-config routersim-selector, MIT-licensed): it depends on nothing but the C library, and
 * randomness comes from the caller, as 32-bit words, so a gateway brings its own generator.
 */
#ifndef ROUTERSIM_SELECTOR_H
#define ROUTERSIM_SELECTOR_H

#include <stddef.h>
#include <stdint.h>

/* The library exports exactly the functions marked SELECTOR_API; it is built with
 * -fvisibility=hidden, so everything else in it stays private. */
#if defined(__GNUC__)
#define SELECTOR_API __attribute__((visibility("default")))
#else
#define SELECTOR_API
#ifdef __cplusplus
}
#endif

#endif

#ifdef __cplusplus
extern "C" {
#ifdef __cplusplus
}
#endif

#endif

#define SELECTOR_NO_REPLICAS (-1)
#define SELECTOR_MAX_DEPLOYMENTS (1u << 20)
#define SELECTOR_MAX_TOTAL UINT32_MAX /* sum of weights */

typedef enum { SELECTOR_WEIGHTED_RANDOM, SELECTOR_EVEN_LOAD } selector_strategy;

typedef struct selector selector;

/* The caller's random source: each call returns the next word of a stream of independent,
 * uniformly distributed 32-bit words; ctx is the caller's, passed through. */
typedef uint32_t (*selector_random)(void *ctx);

/* A selector over n deployments (1 <= n <= SELECTOR_MAX_DEPLOYMENTS) with weights w
 * (sum <= SELECTOR_MAX_TOTAL). Returns NULL on invalid arguments or out of memory. */
SELECTOR_API selector *selector_new(selector_strategy strategy, size_t n, const uint32_t *w);
SELECTOR_API void selector_free(selector *s);

/* Replace all weights (same n); rebuilds the table. Returns 0, or -1 on invalid weights
 * (the selector is then unchanged). */
SELECTOR_API int selector_set_weights(selector *s, const uint32_t *w);

SELECTOR_API size_t selector_count(const selector *s);
SELECTOR_API uint64_t selector_total(const selector *s); /* sum of weights */
SELECTOR_API uint32_t selector_weight(const selector *s, size_t i);

/* One request's deployment: an index in [0, n), or SELECTOR_NO_REPLICAS. Weighted-random
 * calls next(ctx) for its words: exactly one when span <= 2^32, unless that word is one of
 * the (2^32 mod span) refused to keep the pick exact (then another, and so on); above 2^32,
 * one for the column and one for the height, each refused likewise when out of range.
 * Even-load ignores next (it may be NULL) and advances its round-robin state. */
SELECTOR_API int selector_pick(selector *s, selector_random next, void *ctx);

/* The weighted-random table as a function: the size of its uniform domain, and the
 * deployment that integer x in [0, span) maps to. span is 0 when every weight is 0. */
SELECTOR_API uint64_t selector_span(const selector *s);
SELECTOR_API int selector_pick_at(const selector *s, uint64_t x);

/* How many x in [0, span) map to deployment i, computed from the table in O(n). For an
 * exact table, selector_mass(s, i) * selector_total(s) == selector_span(s) * w[i]. */
SELECTOR_API uint64_t selector_mass(const selector *s, size_t i);

#ifdef __cplusplus
}
#endif

#endif
