/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * seqtest — an anytime-valid sample-ratio-mismatch test, for counts watched while they
 * accumulate (a fixed-horizon chi-square looked at again and again raises false alarms far
 * above alpha).
 *
 * Lindon & Malek's (2022) Dirichlet-multinomial test: the Bayes factor of a Dirichlet(c p0)
 * mixture over the multinomial's shares against the null shares p0,
 *   log BF = lnG(c) - lnG(n + c) + sum_i [lnG(n_i + c p0_i) - lnG(c p0_i)] - sum_i n_i ln p0_i,
 * (G the gamma function, sums over p0_i > 0) is a nonnegative martingale under the null, so
 * by Ville's inequality P(BF ever >= 1/alpha) <= alpha. The sequential p-value is the
 * running minimum of min(1, 1/BF) over every look; the test rejects at the first look
 * where it is <= alpha, and may look as often as it likes. Looks come with each batch of
 * counts added (e.g. a minute of requests). A request on a deployment with p0_i = 0 makes
 * BF infinite (p-value 0), as the fixed-horizon test fails such a phase outright. The
 * concentration c (default 100) sets which deviations the mixture favours: small c wins
 * quickly on large ones, large c on small ones. Knows nothing of scenarios.
 */
#ifndef ROUTERSIM_SEQTEST_H
#define ROUTERSIM_SEQTEST_H

#include <stddef.h>
#include <stdint.h>

#define SEQTEST_DEFAULT_CONCENTRATION 100.0

typedef struct seqtest seqtest;

/* A memo of the gamma-function values looks compute, for the tests of one thread (a run's
 * routers): the same arguments come back look after look, and across tests of like shares.
 * Every look still gets the closed form's exact bits. Owned by the caller, who frees it after
 * the tests that use it; NULL means no memo. */
typedef struct seqtest_memo seqtest_memo;
seqtest_memo *seqtest_memo_new(void); /* NULL when out of memory */
void seqtest_memo_free(seqtest_memo *m);

/* k deployments with shares p0 (non-negative, normalised here, at least one > 0) and the
 * concentration c > 0, looking up gamma values in `memo` (or NULL). NULL with a message on
 * bad input or when out of memory. */
seqtest *seqtest_new(size_t k, const double *p0, double c, seqtest_memo *memo, char *err,
                     size_t errlen);
void seqtest_free(seqtest *t);

/* Adds a batch of counts (k values) and looks once at the total so far. */
void seqtest_add(seqtest *t, const uint64_t *counts);

double seqtest_log_bf(const seqtest *t);  /* at the last look; 0 before any */
double seqtest_p_value(const seqtest *t); /* running minimum of min(1, 1/BF); 1 before any */
uint64_t seqtest_total(const seqtest *t); /* requests added so far */

/* The closed form on fixed counts n (k values), shares p0 (normalised here) and c. */
double seqtest_log_bf_counts(size_t k, const double *p0, double c, const uint64_t *n);

#endif
