/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * report_csv — the time series as CSV (RFC 4180: a header row, CRLF line ends, fields quoted
 * when they must be), for notebooks and spreadsheets. Times are simulated seconds; names are
 * full resource names.
 *
 * timeseries.csv: one row per bin x router x deployment the router listed (or sent requests
 * to) in the bin.
 *   bin             0-based bin number; bins are the scenario's `window` long
 *   start_s, end_s  the bin's interval [start_s, end_s); the last bin ends at the duration
 *   router          the router
 *   deployment      the deployment
 *   routed          requests the router sent to the deployment in the bin
 *   router_routed   requests the router routed in the bin (the sum of `routed` over its rows)
 *   observed_share  routed / router_routed; empty when router_routed is 0
 *   expected_share  replicas / the router's total replicas at the end of the bin
 *   replicas        the deployment's replicas at the end of the bin (the router's weight)
 *
 * requests.csv: one row per bin x router that traffic calls (existing or not).
 *   bin, start_s, end_s  as above
 *   router               the router the traffic calls
 *   arrivals             requests that arrived in the bin
 *   routed               arrivals that were routed to a deployment
 *   failed               arrivals that failed: the sum of the three columns that follow
 *   failed_router_not_found, failed_no_replicas, failed_forbidden
 *                        failures by reason: the router did not exist; all its deployments
 *                        had 0 replicas; the caller's account may not use the router
 *   window_unserved      routed requests not served, per window over every deployment with
 *                        a serving model (not per router: a deployment does not keep who
 *                        sent a request): the sum of the three columns that follow. Given
 *                        on the window's first row only, empty on its other rows, so a
 *                        column's sum over the file is the run's total
 *   window_rejected, window_timed_out, window_unfinished
 *                        turned away by a full queue in the window; gave up waiting in the
 *                        window; still waiting or in service at the end of the run (last
 *                        window only)
 *
 * load.csv: one row per bin x deployment with a serving model, for the bins it existed in;
 * only the header when no deployment has one. Counts are of the bin; latencies are queue
 * wait + service of served requests in seconds, recorded when a request starts service.
 *   bin, start_s, end_s  as above
 *   deployment           the deployment
 *   replicas, ready      replicas wanted, and ready (serving, the router's weight), at the
 *                        end of the bin
 *   arrived              requests routed to the deployment
 *   started, completed   requests that started service, that finished it
 *   rejected, timed_out  requests turned away by a full queue; that gave up waiting
 *   waited               started requests that had to wait first
 *   utilization          busy share of the ready replicas' slots (0 to 1; 0 with none)
 *   mean_waiting         time-average number of requests waiting
 *   max_waiting          most requests waiting at once
 *   mean_wait_s, mean_latency_s, p50_s, p90_s, p99_s
 *                        queue wait, and latency mean and quantiles (within 1%), of the
 *                        requests that started service; empty when none did
 *   throughput_per_s     completed / the bin's length
 *   unfinished           requests waiting or in service at the end of the bin
 *   p95_s, p999_s        served latency quantiles, as p50_s; empty when none started
 *   wait_p50_s, wait_p90_s, wait_p95_s, wait_p99_s, wait_p999_s
 *                        queue wait alone of the requests that started service
 *   caller_count         requests that started service or gave up waiting in the bin
 *   caller_mean_s, caller_p50_s, caller_p90_s, caller_p95_s, caller_p99_s, caller_p999_s
 *                        latency as callers saw it: served requests' wait + service, and
 *                        the wait (the timeout) of those who gave up; empty when none
 */
#ifndef ROUTERSIM_REPORT_CSV_H
#define ROUTERSIM_REPORT_CSV_H

#include "views/series.h"
#include "sim/stats/replicas.h"

#include <stdio.h>

/* Each returns 0, or -1 when a write failed. */
int report_csv_timeseries(FILE *out, const series *s);
int report_csv_requests(FILE *out, const series *s);
int report_csv_load(FILE *out, const series *s);

/* replications.csv, for a replicated run: one row per replication, in index order.
 *   index           0-based; replication 0 is the run's seed and the detailed reports'
 *   seed            its seed: `routersim run FILE --seed SEED` reruns it alone
 *   passed          1 when every phase test and check passed, else 0
 *   failed_checks   its checks with status fail
 *   failed_phases   its phase tests whose verdict (after any correction) is fail
 *   requests        requests that arrived
 *   failed          requests that failed at the router
 *   unserved        requests routed but not served (rejected, timed out, unfinished) */
int report_csv_replications(FILE *out, const replicas_summary *rep);

#endif
