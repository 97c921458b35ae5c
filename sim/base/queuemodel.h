/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * queuemodel — the slot-and-queue serving model (serving.h) behind the servemodel interface:
 * pooled over every replica (balancer ideal: one serving instance, today's model, unchanged),
 * or one serving instance of one replica per replica behind a balancer (balancer.h).
 *
 * With a balancer, a replica taken away stops getting requests but serves what it holds,
 * its queue too; a replica added back takes up the instance again. The whole answer arrives
 * at once: TTFT is the latency, TPOT is not measured, and tokens are not counted.
 */
#ifndef ROUTERSIM_QUEUEMODEL_H
#define ROUTERSIM_QUEUEMODEL_H

#include "sim/base/servemodel.h"

/* NULL when out of memory. */
servemodel *queuemodel_new(const serving_spec *spec, long long ready_replicas, double now,
                           gsl_rng *rng, serving_budget *budget);

#endif
