/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/load/checkspec.h"

#include "sim/base/units.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The reader and the scenario being filled; checks.min_requests, read before the capacity
 * checks, sets every latency-like check's floor that does not set its own. */
typedef struct {
    const yread *in;
    scenario *sc;
    long long min_requests; /* -1: each statistic's default */
} reader;

static int parse_share_map(reader *rd, const ydoc_node *map, scenario_expect *ex)
{
    if (yread_type(rd->in, map, YDOC_MAP, "share") != 0)
        return -1;
    if (map->n == 0)
        return yread_fail(rd->in, map, "expected at least one deployment: share in \"share\"");
    ex->shares = calloc(map->n, sizeof *ex->shares);
    if (!ex->shares)
        return yread_fail(rd->in, map, "out of memory");
    double sum = 0;
    for (size_t i = 0; i < map->n; i++) {
        scenario_share *sh = &ex->shares[ex->n_shares++];
        if (yread_id(rd->in, map->keys[i], "deployment", UNITS_DEPLOYMENT, sh->deployment) != 0 ||
            yread_real(rd->in, map->items[i], "share", 0, 1, &sh->share) != 0)
            return -1;
        sum += sh->share;
    }
    if (sum > 1 + 1e-9)
        return yread_fail(rd->in, map, "expected shares that add up to at most 1, got %g", sum);
    return 0;
}

static int parse_expect(void *ctx, const ydoc_node *map)
{
    reader *rd = ctx;
    static const yread_key rules[] = {
        {"router", 1}, {"during", 0}, {"share", 1}, {"tolerance", 0}, {NULL, 0}};
    if (yread_keys(rd->in, map, "an expect check", rules) != 0)
        return -1;
    scenario *sc = rd->sc;
    scenario_expect *grown = realloc(sc->expect, (sc->n_expect + 1) * sizeof *grown);
    if (!grown)
        return yread_fail(rd->in, map, "out of memory");
    sc->expect = grown;
    scenario_expect *ex = &sc->expect[sc->n_expect++];
    memset(ex, 0, sizeof *ex);
    ex->mark = (scenario_mark){map->line, map->column};
    ex->tolerance = SCENARIO_DEFAULT_TOLERANCE;
    if (yread_id(rd->in, ydoc_get(map, "router"), "router", UNITS_ROUTER, ex->router) != 0)
        return -1;
    if (yread_interval(rd->in, map, &ex->start_s, &ex->end_s) != 0)
        return -1;
    const ydoc_node *tol = ydoc_get(map, "tolerance");
    if (tol && yread_real(rd->in, tol, "tolerance", 0, 1, &ex->tolerance) != 0)
        return -1;
    return parse_share_map(rd, ydoc_get(map, "share"), ex);
}

/* The keys that set a capacity check's limit, one per kind and statistic:
 * max_utilization, max_<statistic>_<latency|wait|caller_latency|ttft|tpot>, max_rejected,
 * max_timed_out, min_output_tokens_per_second, min_throughput. Written into limits[] (room
 * for CAPACITY_LIMIT_KEYS, a bound) with their kind and statistic; returns how many. */
#define CAPACITY_LIMIT_KEYS (SCENARIO_N_CAPACITY_KINDS * SCENARIO_N_STATISTICS)

typedef struct {
    char key[32];
    scenario_capacity_kind kind;
    scenario_statistic statistic;
} capacity_limit_key;

static size_t capacity_limit_keys(capacity_limit_key *limits)
{
    size_t n = 0;
    for (int kind = 0; kind < SCENARIO_N_CAPACITY_KINDS; kind++)
        for (int s = 0; s < SCENARIO_N_STATISTICS; s++) {
            scenario_capacity c = {.kind = (scenario_capacity_kind)kind,
                                   .statistic = (scenario_statistic)s};
            if (!scenario_capacity_has_statistic(c.kind) && s > 0)
                break;
            scenario_capacity_key(&c, limits[n].key, sizeof limits[n].key);
            limits[n].kind = c.kind;
            limits[n].statistic = c.statistic;
            n++;
        }
    return n;
}

/* `over: window | interval`: only latency-like figures and utilisation have both. */
static int parse_over(reader *rd, const ydoc_node *map, scenario_capacity *c)
{
    const ydoc_node *node = ydoc_get(map, "over");
    if (!node)
        return 0;
    const char *text = yread_scalar(rd->in, node, "over");
    if (!text)
        return -1;
    if (strcmp(text, "window") != 0 && strcmp(text, "interval") != 0)
        return yread_fail(rd->in, node, "expected over: window or over: interval, got \"%s\"",
                          text);
    if (c->kind == SCENARIO_MAX_REJECTED || c->kind == SCENARIO_MAX_TIMED_OUT)
        return yread_fail(rd->in, node,
                          "expected no \"over\" with a count: rejected and timed-out requests "
                          "are summed over the interval");
    c->over = strcmp(text, "interval") == 0 ? SCENARIO_OVER_INTERVAL : SCENARIO_OVER_WINDOW;
    return 0;
}

/* One capacity limit: exactly one of the max_* and min_* keys, optionally a deployment, during,
 * over and (for latency-like statistics) min_requests. */
static int parse_capacity(void *ctx, const ydoc_node *map)
{
    reader *rd = ctx;
    capacity_limit_key limits[CAPACITY_LIMIT_KEYS];
    size_t n_limits = capacity_limit_keys(limits);
    yread_key rules[CAPACITY_LIMIT_KEYS + 5];
    for (size_t k = 0; k < n_limits; k++)
        rules[k] = (yread_key){limits[k].key, 0};
    rules[n_limits] = (yread_key){"deployment", 0};
    rules[n_limits + 1] = (yread_key){"during", 0};
    rules[n_limits + 2] = (yread_key){"over", 0};
    rules[n_limits + 3] = (yread_key){"min_requests", 0};
    rules[n_limits + 4] = (yread_key){NULL, 0};
    if (yread_keys(rd->in, map, "a capacity check", rules) != 0)
        return -1;
    scenario *sc = rd->sc;
    scenario_capacity *grown = realloc(sc->capacity, (sc->n_capacity + 1) * sizeof *grown);
    if (!grown)
        return yread_fail(rd->in, map, "out of memory");
    sc->capacity = grown;
    scenario_capacity *c = &sc->capacity[sc->n_capacity++];
    memset(c, 0, sizeof *c);
    c->mark = (scenario_mark){map->line, map->column};
    const ydoc_node *limit = NULL;
    const char *key = NULL;
    for (size_t k = 0; k < n_limits; k++) {
        const ydoc_node *node = ydoc_get(map, limits[k].key);
        if (node && limit)
            return yread_fail(rd->in, node, "expected one limit per capacity check");
        if (node) {
            limit = node;
            key = limits[k].key;
            c->kind = limits[k].kind;
            c->statistic = limits[k].statistic;
        }
    }
    if (!limit)
        return yread_fail(rd->in, map,
                          "expected one of max_utilization, max_<statistic>_latency, "
                          "max_<statistic>_wait, max_<statistic>_caller_latency, "
                          "max_<statistic>_ttft, max_<statistic>_tpot (statistic: mean, p50, "
                          "p90, p95, p99 or p999), max_rejected, max_timed_out, "
                          "min_output_tokens_per_second or min_throughput");
    long long count;
    int rc = c->kind == SCENARIO_MAX_UTILIZATION ? yread_real(rd->in, limit, key, 0, 1, &c->limit)
             : c->kind == SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND
                 ? yread_real(rd->in, limit, key, 0, 1e12, &c->limit)
             : c->kind == SCENARIO_MIN_THROUGHPUT ? yread_rate(rd->in, limit, key, &c->limit)
             : scenario_capacity_has_statistic(c->kind)
                 ? yread_duration(rd->in, limit, key, &c->limit)
                 : yread_int(rd->in, limit, key, 0, INT64_MAX, &count);
    if (rc != 0)
        return -1;
    if (c->kind == SCENARIO_MAX_REJECTED || c->kind == SCENARIO_MAX_TIMED_OUT)
        c->limit = (double)count;
    const ydoc_node *node = ydoc_get(map, "deployment");
    if (node && yread_id(rd->in, node, "deployment", UNITS_DEPLOYMENT, c->deployment) != 0)
        return -1;
    if (parse_over(rd, map, c) != 0)
        return -1;
    if (scenario_capacity_has_statistic(c->kind))
        c->min_requests = rd->min_requests >= 0 ? (uint64_t)rd->min_requests
                                                : scenario_default_min_requests(c->statistic);
    if ((node = ydoc_get(map, "min_requests"))) {
        if (!scenario_capacity_has_statistic(c->kind))
            return yread_fail(rd->in, node,
                              "expected min_requests only with a latency, wait, caller "
                              "latency, TTFT or TPOT statistic (%s is not one)",
                              key);
        long long fewest;
        if (yread_int(rd->in, node, "min_requests", 0, INT64_MAX, &fewest) != 0)
            return -1;
        c->min_requests = (uint64_t)fewest;
    }
    if (yread_interval(rd->in, map, &c->start_s, &c->end_s) != 0)
        return -1;
    if (sc->warmup_s >= c->end_s) {
        char warmup[32];
        units_format_duration(sc->warmup_s, warmup, sizeof warmup);
        return yread_fail(rd->in, map,
                          "expected a check that ends after the warm-up (%s): nothing of it "
                          "would be judged",
                          warmup);
    }
    c->start_s = fmax(c->start_s, sc->warmup_s);
    return 0;
}

/* checks.power: {deviation | relative_deviation, target}: what each phase's power is
 * reported against. */
static int parse_power(reader *rd, const ydoc_node *map)
{
    static const yread_key rules[] = {
        {"deviation", 0}, {"relative_deviation", 0}, {"target", 0}, {NULL, 0}};
    if (yread_keys(rd->in, map, "power", rules) != 0)
        return -1;
    scenario *sc = rd->sc;
    const ydoc_node *abs = ydoc_get(map, "deviation"), *rel = ydoc_get(map, "relative_deviation");
    const ydoc_node *target = ydoc_get(map, "target");
    if (abs && rel)
        return yread_fail(rd->in, rel, "expected deviation or relative_deviation, not both");
    if (abs || rel) {
        const ydoc_node *node = abs ? abs : rel;
        if (yread_real(rd->in, node, abs ? "deviation" : "relative_deviation", -1, 1,
                       &sc->power_shift) != 0)
            return -1;
        if (sc->power_shift == 0)
            return yread_fail(rd->in, node, "expected a non-zero deviation in [-1, 1]");
        sc->power_relative = rel != NULL;
    }
    if (target) {
        if (yread_real(rd->in, target, "target", 0, 1, &sc->power_target) != 0)
            return -1;
        if (sc->power_target <= 0 || sc->power_target >= 1)
            return yread_fail(rd->in, target, "expected a target power strictly between 0 and 1");
    }
    return 0;
}

/* How the replications of a replicated run decide it: pass_rate, confidence, sequential. */
static int parse_replicated(reader *rd, const ydoc_node *map)
{
    const ydoc_node *node;
    if ((node = ydoc_get(map, "pass_rate"))) {
        if (yread_real(rd->in, node, "pass_rate", 0, 1, &rd->sc->pass_rate) != 0)
            return -1;
        if (rd->sc->pass_rate <= 0 || rd->sc->pass_rate >= 1)
            return yread_fail(rd->in, node,
                              "expected a pass rate strictly between 0 and 1 (leave pass_rate out "
                              "to require every replication to pass)");
    }
    if ((node = ydoc_get(map, "confidence"))) {
        if (yread_real(rd->in, node, "confidence", 0, 1, &rd->sc->confidence) != 0)
            return -1;
        if (rd->sc->confidence <= 0 || rd->sc->confidence >= 1)
            return yread_fail(rd->in, node, "expected a confidence strictly between 0 and 1");
    }
    if ((node = ydoc_get(map, "sequential")) &&
        yread_bool(rd->in, node, "sequential", &rd->sc->sequential) != 0)
        return -1;
    return 0;
}

static int parse_checks(reader *rd, const ydoc_node *map)
{
    static const yread_key rules[] = {{"alpha", 0},
                                      {"correction", 0},
                                      {"expect", 0},
                                      {"max_failed_requests", 0},
                                      {"max_unserved_requests", 0},
                                      {"warmup", 0},
                                      {"min_requests", 0},
                                      {"capacity", 0},
                                      {"power", 0},
                                      {"concentration", 0},
                                      {"pass_rate", 0},
                                      {"confidence", 0},
                                      {"sequential", 0},
                                      {NULL, 0}};
    if (yread_keys(rd->in, map, "checks", rules) != 0)
        return -1;
    const ydoc_node *node;
    if ((node = ydoc_get(map, "alpha"))) {
        if (yread_real(rd->in, node, "alpha", 0, 1, &rd->sc->alpha) != 0)
            return -1;
        if (rd->sc->alpha <= 0 || rd->sc->alpha >= 1)
            return yread_fail(rd->in, node, "expected alpha strictly between 0 and 1");
    }
    if ((node = ydoc_get(map, "correction"))) {
        const char *text = yread_scalar(rd->in, node, "correction");
        if (!text)
            return -1;
        if (strcmp(text, "holm") != 0 && strcmp(text, "none") != 0)
            return yread_fail(rd->in, node, "expected correction none or holm, got \"%s\"", text);
        rd->sc->holm = strcmp(text, "holm") == 0;
    }
    if ((node = ydoc_get(map, "max_failed_requests")) &&
        yread_int(rd->in, node, "max_failed_requests", 0, INT64_MAX, &rd->sc->max_failed) != 0)
        return -1;
    if ((node = ydoc_get(map, "max_unserved_requests")) &&
        yread_int(rd->in, node, "max_unserved_requests", 0, INT64_MAX, &rd->sc->max_unserved) != 0)
        return -1;
    if ((node = ydoc_get(map, "warmup"))) {
        if (yread_duration(rd->in, node, "warmup", &rd->sc->warmup_s) != 0)
            return -1;
        if (rd->sc->warmup_s >= rd->sc->duration_s)
            return yread_fail(rd->in, node, "expected a warm-up shorter than the duration");
    }
    if ((node = ydoc_get(map, "min_requests")) &&
        yread_int(rd->in, node, "min_requests", 0, INT64_MAX, &rd->min_requests) != 0)
        return -1;
    if ((node = ydoc_get(map, "power")) && parse_power(rd, node) != 0)
        return -1;
    if ((node = ydoc_get(map, "concentration"))) {
        if (yread_real(rd->in, node, "concentration", 0, 1e9, &rd->sc->concentration) != 0)
            return -1;
        if (rd->sc->concentration <= 0)
            return yread_fail(rd->in, node, "expected a concentration above 0");
    }
    if (parse_replicated(rd, map) != 0)
        return -1;
    if (yread_each(rd->in, map, "capacity", 0, parse_capacity, rd) != 0)
        return -1;
    return yread_each(rd->in, map, "expect", 0, parse_expect, rd);
}

int checkspec_read(const yread *in, const ydoc_node *map, scenario *sc)
{
    reader rd = {in, sc, -1};
    return parse_checks(&rd, map);
}
