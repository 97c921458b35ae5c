/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * traffic — when requests arrive: the arrival processes a traffic entry can describe.
 *
 * A shape is a non-homogeneous Poisson process with rate lambda(t) = base(t) + daily(t) +
 * bursts(t), where base is a constant rate or a piecewise profile of steps and linear
 * ramps, daily a sinusoid between a trough and a peak, and bursts a periodic square wave.
 * Arrivals are drawn exactly (Lewis-Shedler thinning against a piecewise upper bound of
 * the rate), not by discretising time. A trace replays recorded arrival times from a CSV
 * file, streamed: memory does not grow with the trace.
 */
#ifndef ROUTERSIM_TRAFFIC_H
#define ROUTERSIM_TRAFFIC_H

#include "sim/base/units.h"

#include <gsl/gsl_rng.h>
#include <stddef.h>
#include <stdint.h>

/* A piece of a profile: the rate goes linearly from `from` to `to` (equal for a step) over
 * [start of the piece, until_s). Pieces are contiguous from time 0. */
typedef struct {
    double until_s;
    double from, to; /* requests per second */
} traffic_segment;

typedef struct {
    double rate; /* constant part, requests per second (0 when a profile is given) */
    size_t n_segments;
    const traffic_segment *segments; /* not owned; after the last piece the profile is 0 */

    int has_daily;
    double daily_peak, daily_trough; /* requests per second, peak >= trough >= 0 */
    double daily_peak_at_s;          /* time of the first peak */
    double daily_period_s;           /* > 0, e.g. 24h */

    int has_bursts;
    double burst_rate;     /* added during a burst, requests per second */
    double burst_start_s;  /* start of the first burst */
    double burst_every_s;  /* period, > 0 */
    double burst_length_s; /* 0 < length <= every */
} traffic_shape;

/* lambda(t), requests per second. */
double traffic_rate_at(const traffic_shape *shape, double t);

/* The expected number of arrivals in [a, b]: the integral of lambda, in closed form. */
double traffic_expected(const traffic_shape *shape, double a, double b);

/* The first arrival after `now`, or a value > end when there is none up to `end`. */
double traffic_next(const traffic_shape *shape, gsl_rng *rng, double now, double end);

/* ---- trace replay -------------------------------------------------------------------- */

/* One recorded arrival. router/account are empty when the trace has no such column or
 * leaves the cell empty (the traffic entry's own router and caller apply). */
typedef struct {
    double time_s;
    char router[UNITS_NAME_MAX];
    char account[UNITS_ID_MAX + 1];
    long line;         /* where it was read, for errors found later */
    int router_column; /* column of the router cell (1 when there is none) */
    /* Optional columns `prompt_tokens` and `output_tokens` (both or neither): the request's
     * size, overriding the traffic entry's. has_tokens 0 when the trace has no such columns. */
    int has_tokens;
    uint32_t prompt_tokens, output_tokens; /* 0..TOKENS_MAX, and 1..TOKENS_MAX (tokens.h) */
} traffic_arrival;

typedef struct traffic_trace traffic_trace;

/* Open a trace: a CSV file whose header names its columns, `time` (required: seconds, or a
 * duration such as 90s), and optionally `router` and `account`, and `prompt_tokens` with
 * `output_tokens` (both or neither), in any order. NULL with "PATH:LINE:COL: expected ..."
 * in err. */
traffic_trace *traffic_trace_open(const char *path, char *err, size_t errlen);

/* The next arrival: 1, 0 at the end, -1 with "PATH:LINE:COL: ..." in err (a malformed
 * line, or a time earlier than the previous one: a trace must be in time order). */
int traffic_trace_next(traffic_trace *t, traffic_arrival *out, char *err, size_t errlen);

void traffic_trace_close(traffic_trace *t);

#endif
