/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * routerfault — faults injected into a router's choice of deployment, so users can see
 * whether the split test would catch a broken router, and how soon.
 *
 * Three faults, each optional, applied on top of a selector's correct pick:
 *   - skew: one deployment's share moved by an absolute amount, the others rescaled
 *     proportionally (exactly srmpower's deviation: p1_k = p0_k + shift, p1_j = p0_j (1 -
 *     p1_k) / (1 - p0_k)). Up: with probability shift / (1 - p0_k) the pick is k, otherwise
 *     the selector's. Down: a pick of k is redrawn among the others with probability
 *     -shift / p0_k. The shift is clamped so the share stays in [0, 1].
 *   - dropout: in [from_s, to_s) the deployment gets nothing; a pick of it is redrawn (the
 *     others keep their proportions); with no other weight the request finds no replicas.
 *   - sticky sessions: a fraction of requests comes from a fixed population of clients,
 *     each sent where its first request went (by the faulty router) and kept there while
 *     that deployment has weight and is not dropped; otherwise it is placed afresh.
 * Deployments are named by the caller's ids (e.g. world slots), passed with every pick for
 * the router's current list, so the list may change between picks. Memory is one id per
 * sticky client, never per request. Knows nothing of scenarios.
 */
#ifndef ROUTERSIM_ROUTERFAULT_H
#define ROUTERSIM_ROUTERFAULT_H

#include "sim/base/selector.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

#define ROUTERFAULT_NONE SIZE_MAX
#define ROUTERFAULT_MAX_CLIENTS 10000000u

typedef struct {
    size_t skew_id; /* ROUTERFAULT_NONE: no skew */
    double skew_shift;
    size_t drop_id; /* ROUTERFAULT_NONE: no dropout */
    double drop_from_s, drop_to_s;
    uint32_t sticky_clients; /* 0: no sticky sessions */
    double sticky_fraction;  /* of requests, in [0, 1] */
} routerfault_spec;

#define ROUTERFAULT_NO_FAULTS                                                                      \
    ((routerfault_spec){.skew_id = ROUTERFAULT_NONE, .drop_id = ROUTERFAULT_NONE})

typedef struct routerfault routerfault;

/* NULL with a message on an invalid spec or when out of memory. */
routerfault *routerfault_new(const routerfault_spec *spec, char *err, size_t errlen);
void routerfault_free(routerfault *f);

/* The deployments the skew and the dropout apply to, by the caller's ids (ROUTERFAULT_NONE:
 * none), e.g. once the deployment named in a scenario exists. */
void routerfault_set_targets(routerfault *f, size_t skew_id, size_t drop_id);

/* One request's deployment: an index into the selector's list (ids[i] is the caller's id
 * of deployment i), or SELECTOR_NO_REPLICAS. */
int routerfault_pick(routerfault *f, selector *s, const size_t *ids, gsl_rng *rng, double now_s);

#endif
