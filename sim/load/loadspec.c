/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/loadspec.h"

#include <stdlib.h>
#include <string.h>

static int parse_distribution(const yread *r, const ydoc_node *map, serving_spec *spec)
{
    static const yread_key rules[] = {{"distribution", 1}, {"mean", 1}, {"cv", 0}, {NULL, 0}};
    static const char *const names[] = {"deterministic", "exponential", "lognormal", "gamma"};
    if (yread_keys(r, map, "service_time", rules) != 0)
        return -1;
    const ydoc_node *node = ydoc_get(map, "distribution");
    const char *text = yread_scalar(r, node, "distribution");
    if (!text)
        return -1;
    size_t k = 0;
    while (k < 4 && strcmp(text, names[k]) != 0)
        k++;
    if (k == 4)
        return yread_fail(r, node,
                          "expected distribution deterministic, exponential, lognormal or gamma, "
                          "got \"%s\"",
                          text);
    spec->distribution = (serving_distribution)k;
    if (yread_positive_duration(r, ydoc_get(map, "mean"), "mean service time", 86400,
                                &spec->mean_s) != 0)
        return -1;
    const ydoc_node *cv = ydoc_get(map, "cv");
    int needs_cv = k == SERVING_LOGNORMAL || k == SERVING_GAMMA;
    if (needs_cv != (cv != NULL))
        return yread_fail(r, cv ? cv : map,
                          needs_cv ? "expected cv (coefficient of variation) for a %s service time"
                                   : "a %s service time has no cv parameter",
                          names[k]);
    if (cv && yread_real(r, cv, "cv", 1e-6, 100, &spec->cv) != 0)
        return -1;
    return 0;
}

int loadspec_serving(const yread *r, const ydoc_node *map, serving_spec *spec)
{
    static const yread_key rules[] = {{"concurrency", 1}, {"service_time", 1}, {"queue_limit", 0},
                                      {"timeout", 0},     {"cold_start", 0},   {NULL, 0}};
    if (yread_keys(r, map, "serving", rules) != 0)
        return -1;
    memset(spec, 0, sizeof *spec);
    spec->queue_limit = -1;
    const ydoc_node *node;
    if (yread_int(r, ydoc_get(map, "concurrency"), "concurrency", 1, 100000, &spec->concurrency) !=
            0 ||
        parse_distribution(r, ydoc_get(map, "service_time"), spec) != 0)
        return -1;
    if ((node = ydoc_get(map, "queue_limit")) &&
        yread_int(r, node, "queue_limit", 0, SERVING_MAX_QUEUE, &spec->queue_limit) != 0)
        return -1;
    if ((node = ydoc_get(map, "timeout")) &&
        yread_positive_duration(r, node, "timeout", 86400, &spec->timeout_s) != 0)
        return -1;
    if ((node = ydoc_get(map, "cold_start"))) {
        if (yread_duration(r, node, "cold_start", &spec->cold_start_s) != 0)
            return -1;
        if (spec->cold_start_s > 86400)
            return yread_fail(r, node, "expected a cold start of at most 1 day");
    }
    return 0;
}

static int parse_load_targets(const yread *r, const ydoc_node *map, world_autoscaling *a)
{
    static const yread_key rules[] = {
        {"default", 0}, {"requests_per_second", 0}, {"concurrent_requests", 0}, {NULL, 0}};
    if (yread_keys(r, map, "load_targets", rules) != 0)
        return -1;
    if (map->n == 0)
        return yread_fail(r, map, "expected at least one load target");
    const ydoc_node *node;
    /* A list replaces the targets, but the platform's default target stays one of them
     * (at 0.8) unless the list gives it another value: a target added beside it can only
     * ask for more replicas, never switch the in-flight target off. */
    a->load_fraction = WORLD_DEFAULT_LOAD_FRACTION;
    a->load_requests_per_second = a->load_concurrent_requests = 0;
    if ((node = ydoc_get(map, "default")) &&
        yread_real(r, node, "default load target", 1e-6, 1, &a->load_fraction) != 0)
        return -1;
    if ((node = ydoc_get(map, "requests_per_second")) &&
        yread_real(r, node, "requests_per_second", 1e-9, 1e9, &a->load_requests_per_second) != 0)
        return -1;
    if ((node = ydoc_get(map, "concurrent_requests")) &&
        yread_real(r, node, "concurrent_requests", 1e-9, 1e9, &a->load_concurrent_requests) != 0)
        return -1;
    return 0;
}

int loadspec_autoscaling(const yread *r, const ydoc_node *map, world_cmd *cmd)
{
    static const yread_key rules[] = {{"scale_up_window", 0},
                                      {"scale_down_window", 0},
                                      {"scale_to_zero_window", 0},
                                      {"load_targets", 0},
                                      {NULL, 0}};
    static const struct {
        const char *key;
        unsigned bit;
        double min_s;
    } windows[] = {{"scale_up_window", WORLD_SET_SCALE_UP_WINDOW, 1e-3},
                   {"scale_down_window", WORLD_SET_SCALE_DOWN_WINDOW, 1e-3},
                   {"scale_to_zero_window", WORLD_SET_SCALE_TO_ZERO_WINDOW, 300}};
    double *fields[] = {&cmd->autoscaling.scale_up_window_s, &cmd->autoscaling.scale_down_window_s,
                        &cmd->autoscaling.scale_to_zero_window_s};
    if (yread_keys(r, map, "autoscaling", rules) != 0)
        return -1;
    for (size_t i = 0; i < 3; i++) {
        const ydoc_node *node = ydoc_get(map, windows[i].key);
        if (!node)
            continue;
        if (yread_duration(r, node, windows[i].key, fields[i]) != 0)
            return -1;
        if (*fields[i] < windows[i].min_s) {
            char least[32];
            units_format_duration(windows[i].min_s, least, sizeof least);
            return yread_fail(r, node, "expected %s of at least %s", windows[i].key, least);
        }
        cmd->set |= windows[i].bit;
    }
    const ydoc_node *targets = ydoc_get(map, "load_targets");
    if (targets) {
        if (parse_load_targets(r, targets, &cmd->autoscaling) != 0)
            return -1;
        cmd->set |= WORLD_SET_LOAD_TARGETS;
    }
    return 0;
}

/* Pieces of a profile, contiguous from 0: {until, rate} holds a rate, {until, rate, to}
 * ramps linearly; the last piece may leave out `until` to run to the end. */
static int parse_profile(const yread *r, const ydoc_node *seq, traffic_shape *shape,
                         traffic_segment **segments)
{
    static const yread_key rules[] = {{"until", 0}, {"rate", 1}, {"to", 0}, {NULL, 0}};
    if (yread_type(r, seq, YDOC_SEQ, "profile") != 0)
        return -1;
    if (seq->n == 0)
        return yread_fail(r, seq, "expected at least one piece in the profile");
    if (!(*segments = calloc(seq->n, sizeof **segments)))
        return yread_fail(r, seq, "out of memory");
    double start = 0;
    for (size_t i = 0; i < seq->n; i++) {
        const ydoc_node *piece = seq->items[i];
        traffic_segment *sg = &(*segments)[i];
        if (yread_keys(r, piece, "a profile piece", rules) != 0 ||
            yread_rate(r, ydoc_get(piece, "rate"), "rate", &sg->from) != 0)
            return -1;
        const ydoc_node *to = ydoc_get(piece, "to");
        sg->to = sg->from;
        if (to && yread_rate(r, to, "to", &sg->to) != 0)
            return -1;
        const ydoc_node *until = ydoc_get(piece, "until");
        sg->until_s = r->duration_s;
        if (!until && i + 1 < seq->n)
            return yread_fail(r, piece, "expected `until` on every piece but the last");
        if (until && yread_duration(r, until, "until", &sg->until_s) != 0)
            return -1;
        if (sg->until_s <= start || sg->until_s > r->duration_s) {
            char after[32], end[32];
            units_format_duration(start, after, sizeof after);
            units_format_duration(r->duration_s, end, sizeof end);
            return yread_fail(r, until ? until : piece,
                              "expected pieces in time order within the duration: until > %s and "
                              "<= %s",
                              after, end);
        }
        start = sg->until_s;
    }
    shape->segments = *segments;
    shape->n_segments = seq->n;
    return 0;
}

static int parse_daily(const yread *r, const ydoc_node *map, traffic_shape *shape)
{
    static const yread_key rules[] = {
        {"peak", 1}, {"trough", 1}, {"peak_at", 0}, {"period", 0}, {NULL, 0}};
    if (yread_keys(r, map, "daily", rules) != 0 ||
        yread_rate(r, ydoc_get(map, "peak"), "peak", &shape->daily_peak) != 0 ||
        yread_rate(r, ydoc_get(map, "trough"), "trough", &shape->daily_trough) != 0)
        return -1;
    if (shape->daily_trough > shape->daily_peak)
        return yread_fail(r, map, "expected trough <= peak");
    const ydoc_node *node;
    shape->daily_period_s = 86400;
    if ((node = ydoc_get(map, "peak_at")) &&
        yread_duration(r, node, "peak_at", &shape->daily_peak_at_s) != 0)
        return -1;
    if ((node = ydoc_get(map, "period")) &&
        yread_positive_duration(r, node, "period", UNITS_MAX_DURATION_S, &shape->daily_period_s) !=
            0)
        return -1;
    shape->has_daily = 1;
    return 0;
}

static int parse_bursts(const yread *r, const ydoc_node *map, traffic_shape *shape)
{
    static const yread_key rules[] = {
        {"rate", 1}, {"every", 1}, {"length", 1}, {"start", 0}, {NULL, 0}};
    if (yread_keys(r, map, "bursts", rules) != 0 ||
        yread_rate(r, ydoc_get(map, "rate"), "rate", &shape->burst_rate) != 0 ||
        yread_positive_duration(r, ydoc_get(map, "every"), "every", UNITS_MAX_DURATION_S,
                                &shape->burst_every_s) != 0 ||
        yread_positive_duration(r, ydoc_get(map, "length"), "length", UNITS_MAX_DURATION_S,
                                &shape->burst_length_s) != 0)
        return -1;
    if (shape->burst_length_s > shape->burst_every_s)
        return yread_fail(r, map, "expected a burst length no longer than `every`");
    const ydoc_node *start = ydoc_get(map, "start");
    if (start && yread_duration(r, start, "start", &shape->burst_start_s) != 0)
        return -1;
    shape->has_bursts = 1;
    return 0;
}

static char *join_path(const char *base, size_t dir_len, const char *path)
{
    size_t len = strlen(path);
    char *out = malloc(dir_len + len + 1);
    if (out) {
        memcpy(out, base, dir_len);
        memcpy(out + dir_len, path, len + 1);
    }
    return out;
}

/* A trace path is relative to the scenario file's folder. */
static int parse_trace_path(const yread *r, const ydoc_node *node, char **trace)
{
    const char *path = yread_scalar(r, node, "trace");
    if (!path)
        return -1;
    const char *slash = strrchr(r->path, '/');
    size_t dir_len = path[0] == '/' || !slash ? 0 : (size_t)(slash - r->path + 1);
    *trace = join_path(r->path, dir_len, path);
    return *trace ? 0 : yread_fail(r, node, "out of memory");
}

int loadspec_traffic(const yread *r, const ydoc_node *map, traffic_shape *shape,
                     traffic_segment **segments, char **trace)
{
    static const char *const bases[] = {"rate", "profile", "daily", "trace"};
    const ydoc_node *base = NULL;
    size_t kind = 0;
    for (size_t k = 0; k < 4; k++) {
        const ydoc_node *node = ydoc_get(map, bases[k]);
        if (node && base)
            return yread_fail(r, node,
                              "expected one of rate, profile, daily or trace, not both "
                              "%s and %s",
                              bases[kind], bases[k]);
        if (node) {
            base = node;
            kind = k;
        }
    }
    if (!base)
        return yread_fail(r, map, "expected rate, profile, daily or trace in a traffic entry");
    const ydoc_node *bursts = ydoc_get(map, "bursts");
    if (bursts && kind == 3)
        return yread_fail(r, bursts, "expected no bursts on a trace: it replays what it holds");
    if (bursts && parse_bursts(r, bursts, shape) != 0)
        return -1;
    switch (kind) {
    case 0:
        return yread_rate(r, base, "rate", &shape->rate);
    case 1:
        return parse_profile(r, base, shape, segments);
    case 2:
        return parse_daily(r, base, shape);
    default:
        return parse_trace_path(r, base, trace);
    }
}
