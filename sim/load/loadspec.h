/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * loadspec — how a scenario describes load and the capacity to serve it: the arrival
 * process of a traffic entry, a deployment's serving model and its autoscaler settings,
 * read from the YAML tree (through yread, so every error names its place).
 */
#ifndef ROUTERSIM_LOADSPEC_H
#define ROUTERSIM_LOADSPEC_H

#include "sim/base/serving.h"
#include "sim/base/tokens.h"
#include "sim/base/traffic.h"
#include "sim/model/world.h"
#include "sim/load/yread.h"

/* `serving: {model, balancer, queue_limit, timeout, cold_start}` with, for model queue (the
 * default), `concurrency` and `service_time: {distribution, mean, cv}`, and for model
 * batching, `max_running`, `kv_cache_tokens`, `iteration: {base, per_prefill_token,
 * per_decode_token}`, optionally `prefill_chunk` and `kv_full`; either model's keys are
 * refused with the other. Returns 0, or -1 with the error written. */
int loadspec_serving(const yread *r, const ydoc_node *map, serving_spec *spec);

/* `autoscaling: {scale_up_window, scale_down_window, scale_to_zero_window, load_targets}`
 * into cmd's autoscaling fields and WORLD_SET_* bits. */
int loadspec_autoscaling(const yread *r, const ydoc_node *map, world_cmd *cmd);

/* A traffic entry's arrivals: exactly one of rate, profile, daily or trace, and bursts added
 * to the first three. A profile's pieces go into *segments (the caller frees them; shape
 * points into them); a trace's path, resolved relative to the scenario file, into *trace. */
int loadspec_traffic(const yread *r, const ydoc_node *map, traffic_shape *shape,
                     traffic_segment **segments, char **trace);

/* A traffic entry's request sizes: `tokens: {prompt, output}` (one class) or `classes:` (a
 * list of {name, weight, prompt, output}), never both; each count a whole number or a
 * {distribution: fixed | uniform | lognormal | histogram} mapping. Neither leaves the spec
 * empty (no sizes). The spec's classes are allocated as soon as their number is known, so
 * tokens_spec_clear frees whatever was read when an error stops it. */
int loadspec_tokens(const yread *r, const ydoc_node *entry, tokens_spec *spec);

#endif
