/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planeval: a candidate's variant (counts, traffic multiplier) and its sequential verdict. */
#include "check_main.h"
#include "sim/plan/planeval.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char base[] = "name: planeval\n"
                           "account: acme\n"
                           "duration: 2m\n"
                           "window: 30s\n"
                           "deployments:\n"
                           "  - id: fixed\n"
                           "    replicas: 2\n"
                           "    serving: {concurrency: 1, service_time: {distribution: "
                           "exponential, mean: 10ms}}\n"
                           "  - id: scaled\n"
                           "    min_replica_count: 3\n"
                           "    max_replica_count: 6\n"
                           "routers:\n"
                           "  - {id: r, deployments: [fixed]}\n"
                           "traffic:\n"
                           "  - {router: r, rate: 20/s}\n"
                           "  - router: r\n"
                           "    profile: [{rate: 0/s, to: 10/s}]\n"
                           "checks:\n"
                           "  capacity:\n"
                           "    - max_utilization: 0.9\n";

static void write_base(char *path)
{
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(base, f);
    ck_assert_int_eq(fclose(f), 0);
}

/* A multiplier scales every rate: the expected arrivals (integral of the rates: 20/s x 120 s
 * + the ramp's 10/s x 120 s / 2 = 3000) scale with it. */
START_TEST(traffic_multiplier)
{
    char path[] = "/tmp/routersim-planeval-XXXXXX", err[1024];
    write_base(path);
    planeval_variant v = {.traffic_scale = 1.5};
    scenario *sc = planeval_load(path, &v, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    ck_assert_double_eq_tol(scenario_expected_requests(sc), 4500, 1e-6);
    scenario_free(sc);
    unlink(path);
}
END_TEST

/* A fixed deployment gets `replicas`, an autoscaled one its maximum (and its minimum when
 * the count is below it). */
START_TEST(count_overrides)
{
    char path[] = "/tmp/routersim-planeval-XXXXXX", err[1024], a[128], b[128];
    write_base(path);
    ck_assert_int_eq(
        planeval_count_set(path, "fixed", 5, a, sizeof a, b, sizeof b, err, sizeof err), 0);
    ck_assert_str_eq(a, "deployments.fixed.replicas=5");
    ck_assert_str_eq(b, "");
    ck_assert_int_eq(
        planeval_count_set(path, "scaled", 8, a, sizeof a, b, sizeof b, err, sizeof err), 0);
    ck_assert_str_eq(a, "deployments.scaled.max_replica_count=8");
    ck_assert_str_eq(b, "");
    ck_assert_int_eq(
        planeval_count_set(path, "scaled", 2, a, sizeof a, b, sizeof b, err, sizeof err), 0);
    ck_assert_str_eq(b, "deployments.scaled.min_replica_count=2");
    ck_assert_int_eq(planeval_count_set(path, "nope", 2, a, sizeof a, b, sizeof b, err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "no deployment \"nope\""));
    unlink(path);
}
END_TEST

/* Every replication must pass (P = 0): a candidate far below its limit runs to the cap and
 * passes; one far above fails at the first replication, naming the check that decided. The
 * same seed gives the same replications (common random numbers): the same figures. */
START_TEST(sequential_verdicts)
{
    char path[] = "/tmp/routersim-planeval-XXXXXX", err[1024];
    write_base(path);
    planeval_options opt = {.confidence = 0.95, .max_replications = 4, .seed = 7, .jobs = 2};
    planeval_variant pass = {.traffic_scale = 1};
    scenario *sc = planeval_load(path, &pass, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    planeval_result *r = planeval_run(sc, &opt, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(r->verdict, REPLICAS_PASS);
    ck_assert_uint_eq(r->replications, 4);
    ck_assert_uint_eq(r->passed.passes, 4);
    /* utilisation of 2 replicas x 1 slot at about 30/s x 10 ms: about 0.15 */
    const planeval_deployment *d = planeval_deployment_of(r, r->deployments[0].name);
    ck_assert(d->utilization.mean > 0.05 && d->utilization.mean < 0.3);
    /* 2 replicas over 2 minutes */
    ck_assert_double_eq_tol(d->replica_hours, 2 * 120 / 3600.0, 1e-9);
    planeval_result *again = planeval_run(sc, &opt, err, sizeof err);
    ck_assert(again->deployments[0].p99.mean == r->deployments[0].p99.mean);
    planeval_result_free(again);
    planeval_result_free(r);
    scenario_free(sc);

    const char *tight[] = {"checks.capacity.0.max_utilization=0.01"};
    planeval_variant fail = {.sets = tight, .n_sets = 1, .traffic_scale = 1};
    sc = planeval_load(path, &fail, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    r = planeval_run(sc, &opt, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(r->verdict, REPLICAS_FAIL);
    ck_assert_uint_eq(r->replications, 1);
    ck_assert_str_eq(r->check_key, "max_utilization");
    ck_assert(r->check_end_s > r->check_start_s);
    ck_assert_double_eq(r->check_limit, 0.01);
    planeval_result_free(r);
    scenario_free(sc);
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("planeval");
    check_add_case(s, tcase_create("traffic_multiplier"), traffic_multiplier, 10);
    check_add_case(s, tcase_create("count_overrides"), count_overrides, 10);
    check_add_case(s, tcase_create("sequential_verdicts"), sequential_verdicts, 60);
    return s;
}
