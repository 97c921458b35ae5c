/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rngword — a GSL generator as the selector's source of random 32-bit words.
 *
 * The selector (a library gateways link) takes its randomness from the caller, never from
 * GSL; routersim's own callers hand it their GSL stream through this adapter, so that a
 * pick consumes exactly the words it drew from GSL before the selector became a library
 * and every seeded result stays as it was.
 */
#ifndef ROUTERSIM_RNGWORD_H
#define ROUTERSIM_RNGWORD_H

#include <gsl/gsl_rng.h>
#include <stdint.h>

/* A selector_random for a gsl_rng * passed as ctx. The generator must yield full 32-bit
 * words (min 0, max 2^32 - 1, as taus2 and mt19937 do); rngword_full says whether it does. */
uint32_t rngword_next(void *rng);
int rngword_full(const gsl_rng *rng);

#endif
