/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/rngword.h"

uint32_t rngword_next(void *rng)
{
    return (uint32_t)gsl_rng_get(rng);
}

int rngword_full(const gsl_rng *rng)
{
    return gsl_rng_min(rng) == 0 && gsl_rng_max(rng) == UINT32_MAX;
}
