/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/lineup.h"

#include <stdlib.h>
#include <string.h>

int lineup_phase_matches(const results *r, const results_phase *ph, long router)
{
    return router < 0 || strcmp(ph->router, r->routers[router]) == 0;
}

long lineup_find(const lineup *l, const char *name)
{
    for (size_t k = 0; k < l->n; k++)
        if (strcmp(l->names[k], name) == 0)
            return (long)k;
    return -1;
}

static long deployment_index(const results *r, const char *name)
{
    for (size_t d = 0; d < r->n_deployments; d++)
        if (strcmp(r->deployments[d], name) == 0)
            return (long)d;
    return -1;
}

/* Move entry k into the sorted prefix [0, k); unknown deployments (-1) sort last. */
static void place(lineup *l, size_t k)
{
    const char *name = l->names[k];
    long index = l->index[k];
    unsigned long key = (unsigned long)index;
    for (; k > 0 && (unsigned long)l->index[k - 1] > key; k--) {
        l->names[k] = l->names[k - 1];
        l->index[k] = l->index[k - 1];
    }
    l->names[k] = name;
    l->index[k] = index;
}

int lineup_build(lineup *l, const results *r, long router)
{
    size_t cap = 1;
    for (size_t i = 0; i < r->n_phases; i++)
        if (lineup_phase_matches(r, &r->phases[i], router))
            cap += r->phases[i].n_deployments;
    *l = (lineup){0};
    l->names = malloc(cap * sizeof *l->names);
    l->index = malloc(cap * sizeof *l->index);
    if (!l->names || !l->index)
        return -1;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        for (size_t j = 0; lineup_phase_matches(r, ph, router) && j < ph->n_deployments; j++) {
            if (lineup_find(l, ph->deployments[j].name) >= 0)
                continue;
            l->names[l->n] = ph->deployments[j].name;
            l->index[l->n] = deployment_index(r, ph->deployments[j].name);
            place(l, l->n++);
        }
    }
    return 0;
}

void lineup_free(lineup *l)
{
    free(l->names);
    free(l->index);
    *l = (lineup){0};
}

double lineup_shares(const lineup *l, const results_phase *ph, double *share)
{
    double sum = 0.0;
    for (size_t k = 0; k < l->n; k++)
        share[k] = 0.0;
    for (size_t j = 0; j < ph->n_deployments; j++) {
        long k = lineup_find(l, ph->deployments[j].name);
        if (k >= 0)
            share[k] = ph->deployments[j].expected_share;
        sum += ph->deployments[j].expected_share;
    }
    return sum;
}
