/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * metricscsv — a platform's per-window metrics of its deployments, as a CSV export: the
 * data `routersim fit` calibrates a scenario from and `routersim replay` compares a run with.
 * The format is documented in docs/calibration.md ("The metrics CSV format").
 *
 * A header line names the columns (any order, each once), then one row per window and
 * deployment (and router, with a `router` column). Blank lines and lines starting with '#'
 * are skipped; fields are trimmed of spaces; CRLF line ends and a UTF-8 byte order mark are
 * accepted; quoted fields are not.
 *   time         start of the window, in seconds (any origin), >= 0          required
 *   deployment   the deployment's name                                      required
 *   requests     requests that arrived at the deployment in the window      required
 *   replicas     replicas at the end of the window, those starting included required
 *   router       the router that sent the requests
 *   ready        replicas serving at the end of the window
 *   completed    requests that finished service in the window
 *   utilization  busy share of the ready replicas' slots over the window, 0 to 1
 *   tokens_in, tokens_out   tokens of the window's requests
 *   p50 p90 p95 p99 p999    latency quantiles of the window, in seconds
 *   le_<S>       a latency histogram: requests with latency <= S seconds (cumulative),
 *                with le_inf for all of them; not together with the quantile columns
 * Optional numeric cells may be empty (no data in that window: NAN). Windows are of equal
 * length: `window_s` is the smallest gap between successive times, and every time lies on
 * that grid (missing windows are allowed). Rows come in time order; a deployment (and
 * router) appears once per time. Errors name FILE:LINE:COLUMN and what was expected.
 */
#ifndef ROUTERSIM_METRICSCSV_H
#define ROUTERSIM_METRICSCSV_H

#include <stddef.h>
#include <stdint.h>

#define METRICSCSV_NO_ROUTER UINT32_MAX

/* The quantile columns, in this order in metricscsv_row.quantile. */
enum {
    METRICSCSV_P50,
    METRICSCSV_P90,
    METRICSCSV_P95,
    METRICSCSV_P99,
    METRICSCSV_P999,
    METRICSCSV_N_QUANTILES
};
extern const double metricscsv_quantile_level[METRICSCSV_N_QUANTILES]; /* 0.5 ... 0.999 */

typedef struct {
    double time_s;
    uint32_t deployment; /* index of metricscsv.deployments */
    uint32_t router;     /* index of metricscsv.routers; METRICSCSV_NO_ROUTER without them */
    uint64_t requests;
    uint32_t replicas;
    /* optional columns: NAN when the column is absent or the cell empty */
    double ready, completed, utilization, tokens_in, tokens_out;
    double quantile[METRICSCSV_N_QUANTILES]; /* seconds */
    size_t first_bucket;     /* index of its n_buckets counts in metricscsv.bucket_counts */
    uint32_t line, time_col; /* 1-based line in the file and column of the time */
} metricscsv_row;

typedef struct {
    char *path;
    double window_s;
    size_t n_rows, n_deployments, n_routers;
    metricscsv_row *rows; /* in file order, so in time order */
    char **deployments, **routers;
    /* which optional columns the header names */
    int has_ready, has_completed, has_utilization, has_tokens;
    int has_quantile[METRICSCSV_N_QUANTILES];
    /* the histogram: n_buckets upper bounds in increasing order, the last INFINITY; row i's
     * cumulative counts are bucket_counts[rows[i].first_bucket ...] (NAN when empty) */
    size_t n_buckets;
    double *bucket_le_s;
    double *bucket_counts;
} metricscsv;

/* NULL with "FILE:LINE:COL: ..." (or "FILE: ...") in err. */
metricscsv *metricscsv_read(const char *path, char *err, size_t errlen);
void metricscsv_free(metricscsv *m);

#endif
