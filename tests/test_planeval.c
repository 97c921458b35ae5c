/* SPDX-License-Identifier: GPL-3.0-or-later */
/* planeval: a candidate's variant (counts, traffic multiplier) and its sequential verdict. */
#include "check_main.h"
#include "sim/plan/planeval.h"
#include "sim/run/engine.h"
#include "sim/stats/checks.h"
#include "sim/stats/replicate.h"

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

/* The checked results of replication i of a run seeded 7 of sc. */
static results *replication(const scenario *sc, size_t i)
{
    char err[512];
    results *r = engine_run(sc, replicate_seed(7, i), NULL, NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    return r;
}

static unsigned char *encoded(const planeval_digest *d, size_t *len)
{
    unsigned char *buf = NULL;
    ck_assert_int_eq(planeval_digest_encode(d, &buf, len), 0);
    return buf;
}

/* A digest decodes to what encodes to the same bytes; cut short or padded, it is refused. */
START_TEST(digest_round_trip)
{
    char path[] = "/tmp/routersim-planeval-XXXXXX", err[1024];
    write_base(path);
    const char *tight[] = {"checks.capacity.0.max_utilization=0.1"}; /* some windows fail */
    planeval_variant v = {.sets = tight, .n_sets = 1, .traffic_scale = 1};
    scenario *sc = planeval_load(path, &v, err, sizeof err);
    ck_assert_msg(sc != NULL, "%s", err);
    for (int first = 0; first <= 1; first++) {
        results *r = replication(sc, 0);
        planeval_digest *d = planeval_digest_of(r, first);
        ck_assert_ptr_nonnull(d);
        size_t len, len2;
        unsigned char *a = encoded(d, &len);
        planeval_digest *back = planeval_digest_decode(a, len, err, sizeof err);
        ck_assert_msg(back != NULL, "%s", err);
        unsigned char *b = encoded(back, &len2);
        ck_assert_uint_eq(len, len2);
        ck_assert(memcmp(a, b, len) == 0);
        ck_assert_ptr_null(planeval_digest_decode(a, len - 1, err, sizeof err));
        unsigned char *padded = calloc(len + 1, 1);
        memcpy(padded, a, len);
        ck_assert_ptr_null(planeval_digest_decode(padded, len + 1, err, sizeof err));
        free(padded);
        free(a);
        free(b);
        planeval_digest_free(back);
        planeval_digest_free(d);
        results_free(r);
    }
    scenario_free(sc);
    unlink(path);
}
END_TEST

/* Two ranks simulated in one process: this process is rank 0 and the exchange plays rank 1,
 * running its replications itself (engine_run from their seeds, independent of planeval's
 * runs) and encoding their digests. */
static const scenario *other_sc;
static size_t other_batch, other_cap;

static int fake_exchange(const unsigned char *mine, size_t len, unsigned char **all, size_t *lens,
                         char *err, size_t errlen)
{
    (void)err, (void)errlen;
    size_t i = other_batch++ * 2 + 1, other_len = 0;
    unsigned char *other = NULL;
    if (i < other_cap) {
        results *r = replication(other_sc, i);
        planeval_digest *d = planeval_digest_of(r, 0);
        unsigned char *enc = encoded(d, &other_len);
        other = malloc(++other_len);
        other[0] = 0; /* ran */
        memcpy(other + 1, enc, other_len - 1);
        free(enc);
        planeval_digest_free(d);
        results_free(r);
    }
    *all = malloc(len + other_len + 1);
    memcpy(*all, mine, len);
    if (other_len)
        memcpy(*all + len, other, other_len);
    lens[0] = len;
    lens[1] = other_len;
    free(other);
    return 0;
}

/* The same candidate in lockstep over two ranks and on threads: the same verdict, the same
 * number of replications (the rule stops at the same index, inside a batch or at an odd cap)
 * and the same figures bit for bit, replica-hours and the deciding check's window included. */
START_TEST(lockstep_same_as_threads)
{
    char path[] = "/tmp/routersim-planeval-XXXXXX", err[1024];
    write_base(path);
    const char *cases[][1] = {{"checks.capacity.0.max_utilization=0.9"},
                              {"checks.capacity.0.max_utilization=0.01"},
                              {"checks.capacity.0.max_utilization=0.17"}};
    double rates[] = {0, 0, 0.5};
    for (size_t c = 0; c < 3; c++) {
        planeval_variant v = {.sets = cases[c], .n_sets = 1, .traffic_scale = 1};
        scenario *sc = planeval_load(path, &v, err, sizeof err);
        ck_assert_msg(sc != NULL, "%s", err);
        planeval_options opt = {
            .pass_rate = rates[c], .confidence = 0.8, .max_replications = 5, .seed = 7, .jobs = 2};
        planeval_result *t = planeval_run(sc, &opt, err, sizeof err);
        ck_assert_msg(t != NULL, "%s", err);
        planeval_spread spread = {.rank = 0, .ranks = 2, .exchange = fake_exchange};
        opt.spread = &spread;
        other_sc = sc;
        other_batch = 0;
        other_cap = opt.max_replications;
        planeval_result *l = planeval_run(sc, &opt, err, sizeof err);
        ck_assert_msg(l != NULL, "%s", err);
        ck_assert_int_eq(l->verdict, t->verdict);
        ck_assert_uint_eq(l->replications, t->replications);
        ck_assert_uint_eq(l->passed.passes, t->passed.passes);
        ck_assert_uint_eq(l->n_deployments, t->n_deployments);
        for (size_t d = 0; d < t->n_deployments; d++) {
            ck_assert(l->deployments[d].replica_hours == t->deployments[d].replica_hours);
            ck_assert(l->deployments[d].peak_rate == t->deployments[d].peak_rate);
            ck_assert(l->deployments[d].utilization.mean == t->deployments[d].utilization.mean);
            ck_assert(l->deployments[d].p99.mean == t->deployments[d].p99.mean);
        }
        ck_assert_str_eq(l->check, t->check);
        ck_assert(l->check_start_s == t->check_start_s && l->check_end_s == t->check_end_s);
        ck_assert(l->check_value == t->check_value);
        planeval_result_free(l);
        planeval_result_free(t);
        scenario_free(sc);
    }
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("planeval");
    check_add_case(s, tcase_create("traffic_multiplier"), traffic_multiplier, 10);
    check_add_case(s, tcase_create("count_overrides"), count_overrides, 10);
    check_add_case(s, tcase_create("sequential_verdicts"), sequential_verdicts, 60);
    check_add_case(s, tcase_create("digest_round_trip"), digest_round_trip, 30);
    check_add_case(s, tcase_create("lockstep_same_as_threads"), lockstep_same_as_threads, 120);
    return s;
}
