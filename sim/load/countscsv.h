/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * countscsv — observed traffic counts from a CSV file: requests per router, deployment and
 * time interval, as a platform's metrics export them, for `routersim srm` to test.
 *
 * Format: a header line naming the columns (any order, each once), then one row per router,
 * deployment and interval. Blank lines and lines starting with '#' are skipped; fields are
 * trimmed of spaces; CRLF line ends and a UTF-8 byte order mark are accepted; quoted
 * fields are not.
 *   time        start of the interval, in seconds (any origin: 0 or Unix time), >= 0
 *   router      the router's name (as the user calls it)
 *   deployment  the deployment's name
 *   requests    requests the router sent to the deployment in the interval, an integer >= 0
 *   replicas    optional: the deployment's replicas (the router's weight), an integer >= 0
 *   share       optional: the deployment's expected share in [0, 1] instead of replicas
 * At most one of replicas and share. Rows come in time order (equal times in any order);
 * a router, deployment and time appear at most once; with `share`, the shares of a router at
 * one time sum to 1 within 0.001. Errors name FILE:LINE:COLUMN and what was expected.
 */
#ifndef ROUTERSIM_COUNTSCSV_H
#define ROUTERSIM_COUNTSCSV_H

#include <stddef.h>
#include <stdint.h>

typedef enum { COUNTSCSV_NO_WEIGHTS, COUNTSCSV_REPLICAS, COUNTSCSV_SHARE } countscsv_weights;

typedef struct {
    double time_s;
    uint32_t router, deployment; /* index countscsv.routers, countscsv.deployments */
    uint64_t requests;
    double weight; /* replicas or share; 0 without either column */
    uint32_t line; /* 1-based line in the file */
    uint32_t time_col, router_col, deployment_col, weight_col; /* 1-based columns of fields */
} countscsv_row;

typedef struct {
    char *path;
    countscsv_weights weights;
    size_t n_rows, n_routers, n_deployments;
    countscsv_row *rows; /* in file order */
    char **routers, **deployments;
} countscsv;

/* NULL with "FILE:LINE:COL: ..." (or "FILE: ...") in err. */
countscsv *countscsv_read(const char *path, char *err, size_t errlen);
void countscsv_free(countscsv *c);

#endif
