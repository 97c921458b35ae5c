/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/model/results.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

results *results_new(void)
{
    results *r = calloc(1, sizeof(results));
    if (r && (!(r->split = splitstore_new()) || !(r->flows = flowstore_new()))) {
        splitstore_free(r->split);
        free(r);
        return NULL;
    }
    return r;
}

static void free_names(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
}

void results_free(results *r)
{
    if (!r)
        return;
    free(r->scenario);
    free(r->description);
    free(r->source);
    for (size_t i = 0; i < r->n_sets; i++)
        free(r->sets[i]);
    free(r->sets);
    for (size_t i = 0; i < r->n_phases; i++) {
        free(r->phases[i].router);
        for (size_t j = 0; j < r->phases[i].n_deployments; j++) {
            free(r->phases[i].deployments[j].name);
            free(r->phases[i].deployments[j].load);
        }
        free(r->phases[i].deployments);
        looklog_free(&r->phases[i].looks);
    }
    for (size_t i = 0; i < r->n_faults; i++)
        free(r->faults[i]);
    free(r->faults);
    free(r->phases);
    for (size_t i = 0; i < r->n_checks; i++) {
        free(r->checks[i].name);
        free(r->checks[i].detail);
        free(r->checks[i].key);
        free(r->checks[i].deployment);
        free(r->checks[i].covers);
        free(r->checks[i].breaches);
    }
    free(r->checks);
    for (size_t i = 0; i < r->n_events; i++)
        free(r->events[i].text);
    free(r->events);
    splitstore_free(r->split);
    free(r->load_points);
    free(r->loads);
    free(r->interval_loads);
    flowstore_free(r->flows);
    for (size_t i = 0; i < r->n_windows; i++)
        free(r->windows[i].observed);
    free(r->windows);
    free_names(r->routers, r->n_routers);
    free_names(r->deployments, r->n_deployments);
    free_names(r->targets, r->n_targets);
    free(r);
}

const char *results_reason_name(results_reason reason)
{
    static const char *const names[RESULTS_N_REASONS] = {"router_not_found", "no_replicas",
                                                         "forbidden"};
    return names[reason];
}

const char *results_unserved_name(results_unserved reason)
{
    static const char *const names[RESULTS_N_UNSERVED] = {"rejected", "timed_out", "unfinished"};
    return names[reason];
}

splittest_verdict results_phase_verdict(const results_phase *ph)
{
    return ph->corrected ? ph->holm_verdict : ph->test.verdict;
}

/* Append one zeroed element to a growable array whose capacity is the next power of two
 * at or above its length (so no separate capacity field is needed). */
static void *append(void **array, size_t *n, size_t size)
{
    size_t len = *n;
    if ((len & (len - 1)) == 0) {
        size_t cap = len ? 2 * len : 1;
        void *grown = realloc(*array, cap * size);
        if (!grown)
            return NULL;
        *array = grown;
    }
    char *slot = (char *)*array + len * size;
    memset(slot, 0, size);
    *n = len + 1;
    return slot;
}

results_phase *results_add_phase(results *r)
{
    return append((void **)&r->phases, &r->n_phases, sizeof *r->phases);
}

results_check *results_add_check(results *r)
{
    return append((void **)&r->checks, &r->n_checks, sizeof *r->checks);
}

results_event *results_add_event(results *r)
{
    return append((void **)&r->events, &r->n_events, sizeof *r->events);
}

results_window *results_add_window(results *r)
{
    return append((void **)&r->windows, &r->n_windows, sizeof *r->windows);
}

results_load_point *results_add_load_point(results *r)
{
    return append((void **)&r->load_points, &r->n_load_points, sizeof *r->load_points);
}

results_deployment_load *results_add_load(results *r)
{
    return append((void **)&r->loads, &r->n_loads, sizeof *r->loads);
}

results_breach *results_add_breach(results_check *c)
{
    return append((void **)&c->breaches, &c->n_breaches, sizeof *c->breaches);
}

long results_name_index(char ***table, size_t *n, const char *name)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp((*table)[i], name) == 0)
            return (long)i;
    return results_name_append(table, n, name);
}

long results_name_append(char ***table, size_t *n, const char *name)
{
    char *copy = results_strdup(name);
    if (!copy)
        return -1;
    char **slot = append((void **)table, n, sizeof **table);
    if (!slot) {
        free(copy);
        return -1;
    }
    *slot = copy;
    return (long)(*n - 1);
}

char *results_strdup(const char *s)
{
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    if (copy)
        memcpy(copy, s, len);
    return copy;
}

char *results_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int len = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (len < 0)
        return NULL;
    char *s = malloc((size_t)len + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)len + 1, fmt, ap);
    va_end(ap);
    return s;
}

results_interval_load *results_add_interval_load(results *r)
{
    return append((void **)&r->interval_loads, &r->n_interval_loads, sizeof *r->interval_loads);
}
