/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain-data scenario: freeing it and what can be read off it. */
#include "sim/model/scenario.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

double scenario_expected_requests(const scenario *sc)
{
    double total = 0;
    for (size_t i = 0; i < sc->n_traffic; i++)
        total += sc->traffic[i].trace ? (double)sc->traffic[i].trace_arrivals
                                      : traffic_expected(&sc->traffic[i].shape, 0, sc->duration_s);
    return total;
}

static size_t hash_id(const char *id)
{
    uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 0x100000001b3ULL;
    return (size_t)(h ^ (h >> 29));
}

static void index_put(scenario_index *ix, const scenario *sc, size_t entry)
{
    size_t mask = ix->cap - 1, i = hash_id(sc->serving[entry].deployment) & mask;
    while (ix->cells[i] != 0)
        i = (i + 1) & mask;
    ix->cells[i] = entry + 1;
}

int scenario_index_serving(scenario *sc)
{
    scenario_index *ix = &sc->serving_index;
    if (2 * sc->n_serving > ix->cap) {
        size_t cap = ix->cap ? ix->cap : 16;
        while (2 * sc->n_serving > cap)
            cap *= 2;
        scenario_index grown = {calloc(cap, sizeof(size_t)), cap, 0};
        if (!grown.cells)
            return -1;
        free(ix->cells);
        *ix = grown;
    }
    for (; ix->n < sc->n_serving; ix->n++)
        index_put(ix, sc, ix->n);
    return 0;
}

const serving_spec *scenario_serving_of(const scenario *sc, const char *deployment)
{
    const scenario_index *ix = &sc->serving_index;
    if (ix->cap == 0 || ix->n != sc->n_serving) {
        for (size_t i = 0; i < sc->n_serving; i++)
            if (strcmp(sc->serving[i].deployment, deployment) == 0)
                return &sc->serving[i].spec;
        return NULL;
    }
    for (size_t i = hash_id(deployment) & (ix->cap - 1);; i = (i + 1) & (ix->cap - 1)) {
        if (ix->cells[i] == 0)
            return NULL;
        const scenario_serving *sv = &sc->serving[ix->cells[i] - 1];
        if (strcmp(sv->deployment, deployment) == 0)
            return &sv->spec;
    }
}

void scenario_free(scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_sets; i++)
        free(sc->sets[i]);
    free(sc->sets);
    for (size_t i = 0; i < sc->n_events; i++) {
        world_cmd_clear(&sc->events[i].cmd);
        free(sc->events[i].text);
    }
    free(sc->events);
    for (size_t i = 0; i < sc->n_traffic; i++) {
        free(sc->traffic[i].segments);
        free(sc->traffic[i].trace);
        tokens_spec_clear(&sc->traffic[i].tokens);
    }
    free(sc->traffic);
    free(sc->serving);
    free(sc->serving_index.cells);
    free(sc->capacity);
    for (size_t i = 0; i < sc->n_expect; i++)
        free(sc->expect[i].shares);
    free(sc->expect);
    free(sc->faults);
    for (size_t i = 0; i < sc->n_uncertain; i++) {
        free(sc->uncertain[i].key);
        free(sc->uncertain[i].unit);
    }
    free(sc->uncertain);
    free(sc->path);
    free(sc->name);
    free(sc->description);
    free(sc);
}

uint64_t scenario_default_min_requests(scenario_statistic statistic)
{
    static const uint64_t fewest[SCENARIO_N_STATISTICS] = {
        [SCENARIO_MEAN] = 30, [SCENARIO_P50] = 10,  [SCENARIO_P90] = 50,
        [SCENARIO_P95] = 100, [SCENARIO_P99] = 500, [SCENARIO_P999] = 5000};
    return fewest[statistic];
}

const char *scenario_statistic_name(scenario_statistic statistic)
{
    static const char *const names[SCENARIO_N_STATISTICS] = {"mean", "p50", "p90",
                                                             "p95",  "p99", "p999"};
    return names[statistic];
}

const char *scenario_capacity_figure(scenario_capacity_kind kind)
{
    static const char *const names[SCENARIO_N_CAPACITY_KINDS] = {
        "utilization", "latency", "wait", "caller_latency",           "rejected",
        "timed_out",   "ttft",    "tpot", "output_tokens_per_second", "throughput"};
    return names[kind];
}

int scenario_capacity_has_statistic(scenario_capacity_kind kind)
{
    return kind == SCENARIO_MAX_LATENCY || kind == SCENARIO_MAX_WAIT ||
           kind == SCENARIO_MAX_CALLER_LATENCY || kind == SCENARIO_MAX_TTFT ||
           kind == SCENARIO_MAX_TPOT;
}

int scenario_capacity_is_minimum(scenario_capacity_kind kind)
{
    return kind == SCENARIO_MIN_OUTPUT_TOKENS_PER_SECOND || kind == SCENARIO_MIN_THROUGHPUT;
}

void scenario_capacity_key(const scenario_capacity *c, char *buf, size_t size)
{
    if (scenario_capacity_has_statistic(c->kind))
        snprintf(buf, size, "max_%s_%s", scenario_statistic_name(c->statistic),
                 scenario_capacity_figure(c->kind));
    else
        snprintf(buf, size, "%s_%s", scenario_capacity_is_minimum(c->kind) ? "min" : "max",
                 scenario_capacity_figure(c->kind));
}
