/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/balancer.h"

size_t balancer_pick(balancer *b, size_t n, balancer_load_fn load, void *ctx, gsl_rng *rng)
{
    switch (b->policy) {
    case SERVING_BALANCE_LEAST_OUTSTANDING: {
        size_t best = 0;
        long long least = load(ctx, 0);
        for (size_t i = 1; i < n && least > 0; i++) {
            long long l = load(ctx, i);
            if (l < least) {
                least = l;
                best = i;
            }
        }
        return best;
    }
    case SERVING_BALANCE_POWER_OF_TWO: {
        if (n == 1)
            return 0;
        size_t a = gsl_rng_uniform_int(rng, n);
        size_t c = gsl_rng_uniform_int(rng, n - 1);
        c += c >= a; /* uniform over the others */
        return load(ctx, c) < load(ctx, a) ? c : a;
    }
    case SERVING_BALANCE_ROUND_ROBIN:
    case SERVING_BALANCE_IDEAL:
    default: {
        size_t i = b->next < n ? b->next : 0;
        b->next = i + 1;
        return i;
    }
    }
}
