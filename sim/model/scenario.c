/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The plain-data scenario: freeing it and what can be read off it. */
#include "sim/model/scenario.h"

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

const serving_spec *scenario_serving_of(const scenario *sc, const char *deployment)
{
    for (size_t i = 0; i < sc->n_serving; i++)
        if (strcmp(sc->serving[i].deployment, deployment) == 0)
            return &sc->serving[i].spec;
    return NULL;
}

void scenario_free(scenario *sc)
{
    if (!sc)
        return;
    for (size_t i = 0; i < sc->n_events; i++) {
        world_cmd_clear(&sc->events[i].cmd);
        free(sc->events[i].text);
    }
    free(sc->events);
    for (size_t i = 0; i < sc->n_traffic; i++) {
        free(sc->traffic[i].segments);
        free(sc->traffic[i].trace);
    }
    free(sc->traffic);
    free(sc->serving);
    free(sc->capacity);
    for (size_t i = 0; i < sc->n_expect; i++)
        free(sc->expect[i].shares);
    free(sc->expect);
    free(sc->path);
    free(sc->name);
    free(sc->description);
    free(sc);
}
