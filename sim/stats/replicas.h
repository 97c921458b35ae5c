/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * replicas — what many replications of one scenario say together: pass rates of the run, of
 * each check and each phase test with exact (Clopper-Pearson) intervals, per-metric means
 * with t-intervals, per-bin bands for the plots, the rule that turns them into one verdict,
 * and the per-replication rows a failing seed can be rerun from.
 *
 * A replication's checked results become one flat row (replicas_row_from_results), which is
 * small (figures, not requests), can be encoded to bytes and decoded bit for bit (so MPI
 * ranks can send rows to rank 0), and is folded into the aggregate in replication order
 * (replicas_add). Everything derived is a function of the rows in index order only, so the
 * same rows give the same summary, byte for byte, however they were computed.
 *
 * Figures are matched across replications by what they are, not by position, because
 * replications may differ in shape: an autoscaler's decisions change when phases start and
 * which deployments they list. A phase is identified by its router, its start time and its
 * deployment list (in the phase's order); a check by its name; a metric by its kind, router,
 * deployment, phase and statistic; a band series by kind, router and deployment. Each
 * aggregate counts the replications that had it (its own n, which may be less than the
 * replications run), and aggregates appear in the order they were first seen.
 *
 * Memory is bounded by the replications x (checks + phases + metrics + bins x band series),
 * never by the number of requests.
 */
#ifndef ROUTERSIM_REPLICAS_H
#define ROUTERSIM_REPLICAS_H

#include "sim/model/results.h"

#include <stddef.h>
#include <stdint.h>

/* ---- the verdict rule ------------------------------------------------------------------- */

/* How replications decide the run (scenario checks.pass_rate, checks.confidence,
 * checks.sequential; --pass-rate, --confidence, --sequential):
 *   pass_rate 0 (not set): the run passes when every replication passes.
 *   pass_rate P in (0, 1): it passes when the lower end of the two-sided Clopper-Pearson
 *     interval at `confidence` of the run's pass rate reaches P (lower >= P).
 * With `sequential`, N is a cap and the rule is applied after each replication in index order
 * 1..k, stopping at the first decision:
 *   every replication must pass: fail at the first failing replication; pass at the cap.
 *   pass rate P: at look k with s passes, the Clopper-Pearson interval at level
 *     1 - (1 - confidence) / (k (k + 1)); pass when its lower end >= P, fail when its upper
 *     end < P. Since sum over k >= 1 of 1 / (k (k + 1)) = 1, the union bound makes the
 *     intervals hold at every look at once with probability >= confidence, so the chance of
 *     ever passing when the true rate is below P, or ever failing when it is at least P, is
 *     at most (1 - confidence) / 2 each. Undecided at the cap: the run fails (exit 1).
 * The decision depends only on the pass/fail sequence in index order, never on which
 * replications finished first. */
typedef struct {
    double pass_rate;  /* 0: every replication must pass; else required rate in (0, 1) (a
                          rate of 1 could never be shown by an interval: use the default) */
    double confidence; /* in (0, 1): of every interval reported and of the rule (a
                          scenario's default: SCENARIO_DEFAULT_CONFIDENCE, 0.95) */
    int sequential;    /* stop as soon as decided; the replications asked for are a cap */
} replicas_rule;

typedef enum { REPLICAS_UNDECIDED, REPLICAS_PASS, REPLICAS_FAIL } replicas_verdict;

/* "undecided", "pass", "fail" */
const char *replicas_verdict_name(replicas_verdict v);

/* The rule applied after `n` replications of which `passes` passed, with `cap` the
 * replications asked for (n <= cap). Without `sequential` it is undecided until n == cap. */
replicas_verdict replicas_decide(const replicas_rule *rule, size_t passes, size_t n, size_t cap);

/* The two-sided Clopper-Pearson interval at `confidence` for `passes` successes out of n > 0:
 * lower = Beta^-1((1-c)/2; k, n-k+1) (0 when k = 0), upper = Beta^-1((1+c)/2; k+1, n-k) (1
 * when k = n), with GSL's beta quantiles. Returns 0, or -1 (lower and upper NaN) when n is 0
 * or the quantile could not be computed. */
int replicas_clopper_pearson(size_t passes, size_t n, double confidence, double *lower,
                             double *upper);

/* The two-sided Student t interval at `confidence` for the mean of n values with sample
 * standard deviation sd: mean -+ t_{(1+c)/2, n-1} sd / sqrt(n). NaN ends when n < 2. */
void replicas_t_interval(double mean, double sd, size_t n, double confidence, double *lower,
                         double *upper);

/* ---- one replication's row -------------------------------------------------------------- */

/* One replication's figures (opaque): its seed and verdict, each check's pass/fail and value,
 * each phase test's verdict, each metric's value and each band series' values per bin. */
typedef struct replicas_row replicas_row;

/* The row of one replication's results, after checks_evaluate. NULL when out of memory. */
replicas_row *replicas_row_from_results(const results *r);
void replicas_row_free(replicas_row *row);

uint64_t replicas_row_seed(const replicas_row *row);
int replicas_row_passed(const replicas_row *row);

/* The row as bytes (a malloc'd buffer the caller frees, its length in *len): fixed-width
 * little-endian integers, doubles as their IEEE 754 bits, strings with their lengths, so
 * decoding gives back the same row bit for bit on any machine. Returns 0, or -1 when out of
 * memory. */
int replicas_row_encode(const replicas_row *row, unsigned char **buf, size_t *len);

/* The row encoded in buf[0 .. len), or NULL with the reason in err (truncated or malformed
 * bytes, out of memory). */
replicas_row *replicas_row_decode(const unsigned char *buf, size_t len, char *err, size_t errlen);

/* ---- the aggregate ---------------------------------------------------------------------- */

typedef struct replicas_agg replicas_agg; /* opaque: rows folded so far */

/* An empty aggregate for a run of up to `cap` replications under `rule`. NULL when out of
 * memory. */
replicas_agg *replicas_new(const replicas_rule *rule, size_t cap);
void replicas_free(replicas_agg *agg);

/* Fold the next replication's row: rows must come in index order 0, 1, 2, ... (the row's
 * index is the number folded before it). Returns 0, or -1 when out of memory. */
int replicas_add(replicas_agg *agg, const replicas_row *row);

/* The rule applied to the rows folded so far (replicas_decide on the run's pass count). */
replicas_verdict replicas_decision(const replicas_agg *agg);

/* ---- the summary: plain data for views, reports and plots -------------------------------- */

/* Passes out of the replications that had the item, with the Clopper-Pearson interval at the
 * rule's confidence (NaN ends when n is 0). */
typedef struct {
    size_t passes, n;
    double rate; /* passes / n; NaN when n is 0 */
    double lower, upper;
} replicas_rate;

/* A figure across the replications that had it: n, mean, sample standard deviation
 * (divisor n - 1; 0 when n is 1), the t-interval of the mean at the rule's confidence (NaN
 * ends when n < 2), min and max. NaN everywhere but n when n is 0. */
typedef struct {
    size_t n;
    double mean, sd, lower, upper, min, max;
} replicas_stats;

typedef struct {
    char *name;           /* the check's name (results_check.name) */
    char *key;            /* its scenario key, e.g. "expect", "max_p99_latency" */
    const char *unit;     /* static: "fraction", "s", "requests", "share" */
    replicas_rate rate;   /* passes: status pass or too few (not fail) */
    size_t too_few;       /* replications where it judged nothing */
    replicas_stats value; /* its value where judged */
} replicas_check;

typedef struct {
    char *router;       /* full router name */
    double start_s;     /* the phase's start, part of its identity */
    char *deployments;  /* its deployments, comma-separated in the phase's order */
    double end_s;       /* in the first replication that had it */
    replicas_rate rate; /* passes: the verdict that counts is not fail */
    size_t skipped;     /* replications where its test was skipped (counted as passes) */
} replicas_phase;

typedef enum {
    REPLICAS_METRIC_REQUESTS,       /* requests: total, routed, failed, unserved (statistic) */
    REPLICAS_METRIC_FAILED,         /* routing failures of one reason (statistic = reason) */
    REPLICAS_METRIC_UNSERVED,       /* unserved of one reason (statistic = reason) */
    REPLICAS_METRIC_OBSERVED_SHARE, /* a deployment's observed share in a phase */
    REPLICAS_METRIC_UTILIZATION,    /* a deployment's utilisation over the run */
    REPLICAS_METRIC_LATENCY,        /* a deployment's served latency over the run (statistic:
                                       mean, p50, p90, p99, p999), in s */
    REPLICAS_N_METRIC_KINDS
} replicas_metric_kind;

typedef struct {
    replicas_metric_kind kind;
    char *name;              /* for people, unique: e.g. "requests.failed", "failed.no_replicas",
                                "share chat@0s[a,b] a", "utilization a", "latency.p99 a" */
    char *router;            /* observed shares: the phase's router; else NULL */
    double phase_start_s;    /* observed shares: the phase's start; else NaN */
    char *phase_deployments; /* observed shares: the phase's deployment list; else NULL */
    char *deployment;        /* shares, utilisation, latency: full deployment name; else NULL */
    const char *statistic;   /* static: "total", "routed", "failed", "unserved", a reason
                                name, "mean", "p50", ...; NULL for shares and utilisation */
    const char *unit;        /* static: "requests", "share", "fraction", "s" */
    replicas_stats stats;
} replicas_metric;

typedef enum {
    REPLICAS_BAND_SHARE,       /* a router's observed share of one deployment per bin */
    REPLICAS_BAND_UTILIZATION, /* a deployment's utilisation per bin */
    REPLICAS_BAND_P99_LATENCY, /* a deployment's served p99 latency per bin, in s */
    REPLICAS_N_BAND_KINDS
} replicas_band_kind;

/* Per bin of the time series, the 5 %, 50 % and 95 % quantiles of the series' values over
 * the replications that had a value in that bin (a share where the router routed something,
 * a utilisation where the deployment existed, a p99 where a request was served): sorted
 * values, GSL's linear interpolation between order statistics (gsl_stats_quantile_from_
 * sorted_data: position q (n - 1)). NaN where n[bin] is 0. */
typedef struct {
    replicas_band_kind kind;
    char *router;     /* shares: the router; else NULL */
    char *deployment; /* full deployment name */
    size_t *n;        /* per bin: replications with a value */
    double *p05, *p50, *p95;
} replicas_band;

/* One replication, as report.json keeps it so a failing one can be rerun with --seed. */
typedef struct {
    size_t index;
    uint64_t seed;
    int passed;
    size_t failed_checks; /* checks with status fail */
    size_t failed_phases; /* phase tests whose verdict that counts is fail */
    uint64_t total, failed, unserved;
} replicas_replication;

typedef struct {
    replicas_rule rule;
    size_t cap;               /* replications asked for */
    size_t replications;      /* folded: the cap, or fewer when a sequential rule stopped */
    replicas_verdict verdict; /* the rule on the rows folded; undecided only when a
                                 sequential rate rule reached the cap undecided (or the run
                                 was summarised before it ended) */
    replicas_rate passed;     /* replications that passed, of those folded */

    size_t n_checks, n_phases, n_metrics, n_bands, n_replications;
    replicas_check *checks;
    replicas_phase *phases;
    replicas_metric *metrics;
    size_t n_bins; /* bins of each band: those of the first replication */
    double window_s;
    replicas_band *bands;
    replicas_replication *rows; /* n_replications = replications, in index order */
} replicas_summary;

/* The summary of the rows folded so far. NULL when out of memory. Owns all its strings. */
replicas_summary *replicas_summarize(const replicas_agg *agg);
void replicas_summary_free(replicas_summary *s);

const char *replicas_metric_kind_name(replicas_metric_kind kind); /* "requests", "failed",
                                     "unserved", "observed_share", "utilization", "latency" */
const char *replicas_band_kind_name(replicas_band_kind kind);     /* "share", "utilization",
                                                                     "p99_latency" */

#endif
