/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * splittest — is an observed traffic split consistent with the expected one?
 *
 * One Pearson chi-square goodness-of-fit test per phase (the sample-ratio-mismatch test of
 * A/B platforms): observed request counts per deployment against expected shares. Rules, in
 * order: any request on a deployment whose expected share is 0 fails outright; no requests,
 * or a smallest non-zero expected count under 5, is "skipped" with the reason; a single
 * deployment with a non-zero share has nothing to compare (df 0, pass); otherwise
 * df = (deployments with non-zero share) - 1 and the verdict is "fail" when p < alpha.
 * p-values come from GSL's chi-square upper tail, GSL's failures taken as statuses (its
 * abort handler is turned off for the process, once: gslerr.h).
 * Expected counts use the shares normalised to their sum, so rounding in shares that
 * should add up to 1 cannot bias chi2. Skipped and failed results still carry chi2 and df;
 * a zero-share failure reports p = 0 and an empty phase p = 1.
 */
#ifndef ROUTERSIM_SPLITTEST_H
#define ROUTERSIM_SPLITTEST_H

#include <stddef.h>
#include <stdint.h>

#define SPLITTEST_MIN_EXPECTED 5.0

typedef enum { SPLITTEST_PASS, SPLITTEST_FAIL, SPLITTEST_SKIPPED } splittest_verdict;

typedef struct {
    double chi2;
    int df;
    double p_value;
    splittest_verdict verdict;
    char reason[192]; /* why skipped or failed; empty on a plain pass */
} splittest_result;

/* n deployments, observed[i] requests and expected_share[i] in [0, 1] (summing to 1). */
splittest_result splittest_run(size_t n, const uint64_t *observed, const double *expected_share,
                               double alpha);

/* P(X >= chi2) for X ~ chi-square(df), df >= 1; never aborts, never NaN for finite input. */
double splittest_p_value(double chi2, int df);

const char *splittest_verdict_name(splittest_verdict v); /* "pass", "fail", "skipped" */

/* Holm's step-down correction over n tests with p-values p: sets reject[i] when test i is
 * rejected at family-wise level alpha (the k-th smallest p against alpha / (n - k + 1),
 * stopping at the first that holds). Returns 0, or -1 when out of memory. */
int splittest_holm(size_t n, const double *p, double alpha, int *reject);

#endif
