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

/* The batching model's iteration time: base + per_prefill_token x prompt tokens read +
 * per_decode_token x tokens generated; base > 0, so that an iteration always takes time. */
static int parse_iteration(const yread *r, const ydoc_node *map, serving_iteration *it)
{
    static const yread_key rules[] = {
        {"base", 1}, {"per_prefill_token", 1}, {"per_decode_token", 1}, {NULL, 0}};
    if (yread_keys(r, map, "iteration", rules) != 0 ||
        yread_positive_duration(r, ydoc_get(map, "base"), "iteration base", 86400, &it->base_s) !=
            0 ||
        yread_duration(r, ydoc_get(map, "per_prefill_token"), "per_prefill_token",
                       &it->per_prefill_token_s) != 0 ||
        yread_duration(r, ydoc_get(map, "per_decode_token"), "per_decode_token",
                       &it->per_decode_token_s) != 0)
        return -1;
    if (it->per_prefill_token_s > 86400 || it->per_decode_token_s > 86400)
        return yread_fail(r, map, "expected per-token times of at most 1 day");
    return 0;
}

/* One keyword of a closed set into *out (its index); absent leaves *out as it is. */
static int parse_choice(const yread *r, const ydoc_node *map, const char *key,
                        const char *const *names, size_t n, const char *expected, int *out)
{
    const ydoc_node *node = ydoc_get(map, key);
    if (!node)
        return 0;
    const char *text = yread_scalar(r, node, key);
    if (!text)
        return -1;
    for (size_t k = 0; k < n; k++)
        if (strcmp(text, names[k]) == 0) {
            *out = (int)k;
            return 0;
        }
    return yread_fail(r, node, "expected %s: %s, got \"%s\"", key, expected, text);
}

/* The keys of one model that the other refuses: a batching deployment has no slots or
 * service time, a queue deployment no iterations or KV cache. */
static int refuse_other_model(const yread *r, const ydoc_node *map, serving_model model)
{
    static const char *const queue_keys[] = {"concurrency", "service_time"};
    static const char *const batching_keys[] = {"max_running", "kv_cache_tokens", "prefill_chunk",
                                                "iteration", "kv_full"};
    const char *const *keys = model == SERVING_MODEL_BATCHING ? queue_keys : batching_keys;
    size_t n = model == SERVING_MODEL_BATCHING ? 2 : 5;
    for (size_t k = 0; k < n; k++) {
        const ydoc_node *node = ydoc_get(map, keys[k]);
        if (!node)
            continue;
        for (size_t i = 0; i < map->n; i++)
            if (map->items[i] == node)
                node = map->keys[i];
        return model == SERVING_MODEL_BATCHING
                   ? yread_fail(r, node,
                                "expected no %s with model: batching (its capacity is "
                                "max_running, kv_cache_tokens and iteration)",
                                keys[k])
                   : yread_fail(r, node,
                                "expected %s only with model: batching (this deployment's model "
                                "is queue, the default)",
                                keys[k]);
    }
    return 0;
}

static int parse_batching(const yread *r, const ydoc_node *map, serving_spec *spec)
{
    static const char *const kv_full[] = {"wait", "preempt"};
    const ydoc_node *node;
    if (!ydoc_get(map, "max_running") || !ydoc_get(map, "kv_cache_tokens") ||
        !ydoc_get(map, "iteration"))
        return yread_fail(r, map,
                          "expected max_running, kv_cache_tokens and iteration with model: "
                          "batching");
    if (yread_int(r, ydoc_get(map, "max_running"), "max_running", 1, 100000, &spec->max_running) !=
            0 ||
        yread_int(r, ydoc_get(map, "kv_cache_tokens"), "kv_cache_tokens", 1, 10000000000LL,
                  &spec->kv_cache_tokens) != 0 ||
        parse_iteration(r, ydoc_get(map, "iteration"), &spec->iteration) != 0)
        return -1;
    if ((node = ydoc_get(map, "prefill_chunk")) &&
        yread_int(r, node, "prefill_chunk", 1, TOKENS_MAX, &spec->prefill_chunk) != 0)
        return -1;
    int policy = 0;
    if (parse_choice(r, map, "kv_full", kv_full, 2, "wait (the default) or preempt", &policy) != 0)
        return -1;
    if (policy == 1)
        return yread_fail(r, ydoc_get(map, "kv_full"),
                          "expected kv_full: wait; preemption is not modelled yet");
    spec->kv_full = SERVING_KV_WAIT;
    return 0;
}

int loadspec_serving(const yread *r, const ydoc_node *map, serving_spec *spec)
{
    static const yread_key rules[] = {
        {"model", 0},       {"balancer", 0},        {"concurrency", 0},   {"service_time", 0},
        {"max_running", 0}, {"kv_cache_tokens", 0}, {"prefill_chunk", 0}, {"iteration", 0},
        {"kv_full", 0},     {"queue_limit", 0},     {"timeout", 0},       {"cold_start", 0},
        {NULL, 0}};
    static const char *const models[] = {"queue", "batching"};
    static const char *const balancers[] = {"ideal", "round_robin", "least_outstanding",
                                            "power_of_two"};
    if (yread_keys(r, map, "serving", rules) != 0)
        return -1;
    memset(spec, 0, sizeof *spec);
    spec->queue_limit = -1;
    int model = SERVING_MODEL_QUEUE, balancer = SERVING_BALANCE_IDEAL;
    if (parse_choice(r, map, "model", models, 2, "queue (the default) or batching", &model) != 0 ||
        parse_choice(r, map, "balancer", balancers, 4,
                     "ideal (the default), round_robin, least_outstanding or power_of_two",
                     &balancer) != 0)
        return -1;
    spec->model = (serving_model)model;
    spec->balancer = (serving_balancer)balancer;
    if (refuse_other_model(r, map, spec->model) != 0)
        return -1;
    const ydoc_node *node;
    if (spec->model == SERVING_MODEL_BATCHING) {
        if (parse_batching(r, map, spec) != 0)
            return -1;
    } else {
        if (!ydoc_get(map, "concurrency") || !ydoc_get(map, "service_time"))
            return yread_fail(r, map, "serving is missing the key \"%s\"",
                              ydoc_get(map, "concurrency") ? "service_time" : "concurrency");
        if (yread_int(r, ydoc_get(map, "concurrency"), "concurrency", 1, 100000,
                      &spec->concurrency) != 0 ||
            parse_distribution(r, ydoc_get(map, "service_time"), spec) != 0)
            return -1;
    }
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
    static const yread_key rules[] = {{"default", 0},
                                      {"requests_per_second", 0},
                                      {"concurrent_requests", 0},
                                      {"tokens_generated_per_second", 0},
                                      {"prompt_tokens_per_second", 0},
                                      {NULL, 0}};
    if (yread_keys(r, map, "load_targets", rules) != 0)
        return -1;
    if (map->n == 0)
        return yread_fail(r, map, "expected at least one load target");
    /* A list replaces the targets, but the platform's default target stays one of them
     * (at 0.8) unless the list gives it another value: a target added beside it can only
     * ask for more replicas, never switch the in-flight target off. */
    a->load_fraction = WORLD_DEFAULT_LOAD_FRACTION;
    const ydoc_node *node;
    if ((node = ydoc_get(map, "default")) &&
        yread_real(r, node, "default load target", 1e-6, 1, &a->load_fraction) != 0)
        return -1;
    /* The others are set only when named: 0 means "not a target". */
    static const char *const rates[] = {"requests_per_second", "concurrent_requests",
                                        "tokens_generated_per_second", "prompt_tokens_per_second"};
    double *fields[] = {&a->load_requests_per_second, &a->load_concurrent_requests,
                        &a->load_tokens_generated_per_second, &a->load_prompt_tokens_per_second};
    for (size_t k = 0; k < 4; k++) {
        *fields[k] = 0;
        if ((node = ydoc_get(map, rates[k])) && yread_real(r, node, rates[k], 1e-9, 1e9, fields[k]))
            return -1;
    }
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

/* ---- request sizes ---------------------------------------------------------------------- */

/* A whole token count from `least` to TOKENS_MAX. */
static int parse_whole(const yread *r, const ydoc_node *node, const char *what, long long least,
                       double *out)
{
    long long n;
    if (yread_int(r, node, what, least, TOKENS_MAX, &n) != 0)
        return -1;
    *out = (double)n;
    return 0;
}

/* A histogram's bins: `to` strictly increasing whole numbers, weights >= 0, one at least > 0. */
static int parse_bins(const yread *r, const ydoc_node *seq, tokens_count *c)
{
    static const yread_key rules[] = {{"to", 1}, {"weight", 1}, {NULL, 0}};
    if (yread_type(r, seq, YDOC_SEQ, "bins") != 0)
        return -1;
    if (seq->n == 0)
        return yread_fail(r, seq, "expected at least one bin {to, weight}");
    if (!(c->bins = calloc(seq->n, sizeof *c->bins)))
        return yread_fail(r, seq, "out of memory");
    c->n_bins = seq->n;
    double total = 0;
    for (size_t i = 0; i < seq->n; i++) {
        const ydoc_node *bin = seq->items[i], *to = NULL;
        tokens_bin *b = &c->bins[i];
        if (yread_keys(r, bin, "a histogram bin", rules) != 0 ||
            parse_whole(r, to = ydoc_get(bin, "to"), "to", 1, &b->to) != 0 ||
            yread_real(r, ydoc_get(bin, "weight"), "weight", 0, 1e9, &b->weight) != 0)
            return -1;
        if (i > 0 && b->to <= c->bins[i - 1].to)
            return yread_fail(r, to, "expected bins in increasing order: to > %.0f",
                              c->bins[i - 1].to);
        total += b->weight;
    }
    if (total <= 0)
        return yread_fail(r, seq, "expected at least one bin with a weight above 0");
    return 0;
}

/* A token count: a whole number, or {distribution: fixed | uniform | lognormal | histogram}
 * with its parameters. `least` is 1 for outputs (a request generates a token at least), 0
 * for prompts. */
static int parse_count(const yread *r, const ydoc_node *node, const char *what, long long least,
                       tokens_count *c)
{
    static const yread_key fixed[] = {{"distribution", 1}, {"value", 1}, {NULL, 0}};
    static const yread_key uniform[] = {{"distribution", 1}, {"min", 1}, {"max", 1}, {NULL, 0}};
    static const yread_key lognormal[] = {{"distribution", 1}, {"mean", 1}, {"cv", 1}, {NULL, 0}};
    static const yread_key histogram[] = {{"distribution", 1}, {"bins", 1}, {NULL, 0}};
    static const yread_key *const rules[] = {fixed, uniform, lognormal, histogram};
    static const char *const names[] = {"fixed", "uniform", "lognormal", "histogram"};
    memset(c, 0, sizeof *c);
    if (node && node->type == YDOC_SCALAR) {
        c->kind = TOKENS_FIXED;
        return parse_whole(r, node, what, least, &c->value);
    }
    if (yread_type(r, node, YDOC_MAP, what) != 0)
        return -1;
    int kind = -1;
    const ydoc_node *dist = ydoc_get(node, "distribution");
    if (!dist)
        return yread_fail(r, node,
                          "expected a whole number of tokens, or a mapping with distribution "
                          "fixed, uniform, lognormal or histogram, for %s",
                          what);
    if (parse_choice(r, node, "distribution", names, 4, "fixed, uniform, lognormal or histogram",
                     &kind) != 0 ||
        yread_keys(r, node, what, rules[kind]) != 0)
        return -1;
    c->kind = (tokens_kind)kind;
    switch (c->kind) {
    case TOKENS_FIXED:
        return parse_whole(r, ydoc_get(node, "value"), "value", least, &c->value);
    case TOKENS_UNIFORM:
        if (parse_whole(r, ydoc_get(node, "min"), "min", least, &c->min) != 0 ||
            parse_whole(r, ydoc_get(node, "max"), "max", least, &c->max) != 0)
            return -1;
        if (c->min > c->max)
            return yread_fail(r, ydoc_get(node, "max"), "expected max >= min (%.0f)", c->min);
        return 0;
    case TOKENS_LOGNORMAL:
        if (yread_real(r, ydoc_get(node, "mean"), "mean", 0, TOKENS_MAX, &c->mean) != 0 ||
            yread_real(r, ydoc_get(node, "cv"), "cv", 1e-6, 100, &c->cv) != 0)
            return -1;
        if (c->mean <= 0)
            return yread_fail(r, ydoc_get(node, "mean"), "expected a mean above 0 tokens");
        return 0;
    case TOKENS_HISTOGRAM:
        return parse_bins(r, ydoc_get(node, "bins"), c);
    }
    return 0;
}

static int parse_class(const yread *r, const ydoc_node *map, tokens_class *c, int named)
{
    static const yread_key class_rules[] = {
        {"name", 1}, {"weight", 0}, {"prompt", 1}, {"output", 1}, {NULL, 0}};
    static const yread_key tokens_rules[] = {{"prompt", 1}, {"output", 1}, {NULL, 0}};
    if (yread_keys(r, map, named ? "a request class" : "tokens",
                   named ? class_rules : tokens_rules) != 0)
        return -1;
    c->weight = 1;
    const ydoc_node *node;
    if (named) {
        const char *name = yread_scalar(r, node = ydoc_get(map, "name"), "name");
        if (!name)
            return -1;
        size_t len = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                  "0123456789-_");
        if (len == 0 || name[len] != '\0' || len > UNITS_ID_MAX)
            return yread_fail(r, node,
                              "expected a class name of letters, digits, - and _ (at most %d), "
                              "got \"%s\"",
                              UNITS_ID_MAX, name);
        memcpy(c->name, name, len + 1);
        if ((node = ydoc_get(map, "weight"))) {
            if (yread_real(r, node, "weight", 0, 1e9, &c->weight) != 0)
                return -1;
            if (c->weight <= 0)
                return yread_fail(r, node, "expected a class weight above 0");
        }
    }
    return parse_count(r, ydoc_get(map, "prompt"), "prompt", 0, &c->prompt) != 0 ||
                   parse_count(r, ydoc_get(map, "output"), "output", 1, &c->output) != 0
               ? -1
               : 0;
}

int loadspec_tokens(const yread *r, const ydoc_node *entry, tokens_spec *spec)
{
    const ydoc_node *tokens = ydoc_get(entry, "tokens"), *classes = ydoc_get(entry, "classes");
    if (tokens && classes)
        return yread_fail(r, classes, "expected tokens or classes, not both");
    if (tokens) {
        if (!(spec->classes = calloc(1, sizeof *spec->classes)))
            return yread_fail(r, tokens, "out of memory");
        spec->n_classes = 1;
        return parse_class(r, tokens, &spec->classes[0], 0);
    }
    if (!classes)
        return 0;
    if (yread_type(r, classes, YDOC_SEQ, "classes") != 0)
        return -1;
    if (classes->n == 0)
        return yread_fail(r, classes, "expected at least one request class");
    if (!(spec->classes = calloc(classes->n, sizeof *spec->classes)))
        return yread_fail(r, classes, "out of memory");
    spec->n_classes = classes->n;
    for (size_t i = 0; i < classes->n; i++) {
        if (parse_class(r, classes->items[i], &spec->classes[i], 1) != 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (strcmp(spec->classes[j].name, spec->classes[i].name) == 0)
                return yread_fail(r, ydoc_get(classes->items[i], "name"),
                                  "expected class names to differ: \"%s\" is also class %zu",
                                  spec->classes[i].name, j + 1);
    }
    return 0;
}
