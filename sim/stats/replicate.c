/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/replicate.h"

#include <stdio.h>

uint64_t replicate_seed(uint64_t run_seed, size_t index)
{
    if (index == 0)
        return run_seed;
    uint64_t z = run_seed + (uint64_t)index * 0x9E3779B97F4A7C15u;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return (z ^ (z >> 31)) >> 1;
}

int replicate_run(const scenario *sc, const replicate_options *opt, replicate_fn fold, void *ctx,
                  char *err, size_t errlen)
{
    (void)sc, (void)opt, (void)fold, (void)ctx;
    snprintf(err, errlen, "replications are not implemented yet");
    return -1;
}

unsigned replicate_default_jobs(void)
{
    return 1;
}
