/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"
#include "sim/stats/replicas.h"
#include "sim/stats/replicate.h"

#include "tests/check_main.h"
#include "tests/split_points.h"
#include "tests/support.h"

#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/*
 * Replicated runs: the intervals against values computed without GSL's beta quantiles
 * (closed forms, and exact binomial tails inverted by bisection), the t-interval against
 * Student's closed-form quantiles, the seeds against SplitMix64's published outputs, the
 * sequential rule's wrong decisions over seeded Bernoulli sequences against its stated bound,
 * rows through bytes and back, the aggregate against hand-made runs, and the threaded runner
 * against single runs of each replication's seed.
 */

static void assert_close(double got, double want, double tol, const char *what)
{
    ck_assert_msg(fabs(got - want) <= tol * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
                  what, got, want);
}

/* k = 0: P(X = 0) = (1 - p)^n = a/2 gives the upper end 1 - (a/2)^(1/n); k = n: p^n = a/2
 * gives the lower end (a/2)^(1/n). */
START_TEST(clopper_pearson_closed_forms)
{
    const size_t ns[] = {1, 2, 7, 50, 1000};
    const double cs[] = {0.9, 0.95, 0.99};
    for (size_t i = 0; i < sizeof ns / sizeof *ns; i++)
        for (size_t j = 0; j < sizeof cs / sizeof *cs; j++) {
            double n = (double)ns[i], a = 1 - cs[j], lo, hi;
            ck_assert_int_eq(replicas_clopper_pearson(0, ns[i], cs[j], &lo, &hi), 0);
            ck_assert(lo == 0.0);
            assert_close(hi, 1 - pow(a / 2, 1 / n), 1e-9, "upper end, no pass");
            ck_assert_int_eq(replicas_clopper_pearson(ns[i], ns[i], cs[j], &lo, &hi), 0);
            ck_assert(hi == 1.0);
            assert_close(lo, pow(a / 2, 1 / n), 1e-9, "lower end, all passed");
        }
    double lo, hi;
    ck_assert_int_eq(replicas_clopper_pearson(0, 0, 0.95, &lo, &hi), -1);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* Ends computed with mpmath at 40 digits by bisection on the exact binomial tails:
 * lower solves sum_{j>=k} C(n,j) p^j (1-p)^(n-j) = a/2, upper solves
 * sum_{j<=k} C(n,j) p^j (1-p)^(n-j) = a/2. 5 of 10 at 95 % is the textbook
 * [0.1871, 0.8129]. */
START_TEST(clopper_pearson_table)
{
    static const struct {
        size_t k, n;
        double c, lower, upper;
    } table[] = {
        {5, 10, 0.95, 0.18708602844739857, 0.81291397155260143},
        {46, 50, 0.95, 0.80765721640403722, 0.97777203634507024},
        {1, 20, 0.90, 0.0025613787765302799, 0.21610616420684736},
        {97, 100, 0.99, 0.89451874627492176, 0.99659292989682024},
        {30, 40, 0.95, 0.58803801984857013, 0.87308520106715498},
        /* where GSL's own beta inversion fails to converge */
        {31, 1000, 0.95, 0.021158171970208631, 0.043715085006238904},
        {59, 1000, 0.95, 0.0452133544027966, 0.075449073084240796},
        {968, 1000, 0.95, 0.95512409716499072, 0.97801115039435758},
        {969, 1000, 0.95, 0.9562849149937611, 0.97884182802979137},
    };
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        double lo, hi;
        ck_assert_int_eq(replicas_clopper_pearson(table[i].k, table[i].n, table[i].c, &lo, &hi), 0);
        assert_close(lo, table[i].lower, 1e-9, "lower end");
        assert_close(hi, table[i].upper, 1e-9, "upper end");
    }
}
END_TEST

/* Student's t quantiles in closed form: 1 degree of freedom (Cauchy) tan(pi (q - 1/2)); 2
 * degrees (2q - 1) / sqrt(2 q (1 - q)). */
START_TEST(t_interval_closed_forms)
{
    double lo, hi;
    replicas_t_interval(10.0, 2.0, 2, 0.9, &lo, &hi);
    double half = tan(acos(-1.0) * (0.95 - 0.5)) * 2.0 / sqrt(2.0);
    assert_close(lo, 10.0 - half, 1e-10, "n = 2, lower");
    assert_close(hi, 10.0 + half, 1e-10, "n = 2, upper");
    replicas_t_interval(-3.0, 0.5, 3, 0.95, &lo, &hi);
    half = (2 * 0.975 - 1) / sqrt(2 * 0.975 * 0.025) * 0.5 / sqrt(3.0);
    assert_close(lo, -3.0 - half, 1e-10, "n = 3, lower");
    assert_close(hi, -3.0 + half, 1e-10, "n = 3, upper");
    replicas_t_interval(1.0, 0.0, 1, 0.95, &lo, &hi);
    ck_assert(isnan(lo) && isnan(hi));
}
END_TEST

/* SplitMix64 started at 0 gives 0xe220a8397b1dcdaf, 0x6e789e6aa1b965f4, 0x06c45d188009454f
 * (the reference implementation's first outputs); replication i > 0 takes the i-th, shifted
 * right by one bit. */
START_TEST(seeds)
{
    ck_assert_uint_eq(replicate_seed(0, 0), 0);
    ck_assert_uint_eq(replicate_seed(42, 0), 42);
    ck_assert_uint_eq(replicate_seed(0, 1), UINT64_C(0xe220a8397b1dcdaf) >> 1);
    ck_assert_uint_eq(replicate_seed(0, 2), UINT64_C(0x6e789e6aa1b965f4) >> 1);
    ck_assert_uint_eq(replicate_seed(0, 3), UINT64_C(0x06c45d188009454f) >> 1);
    for (size_t i = 1; i < 1000; i++) /* every derived seed fits --seed (at most 2^63 - 1) */
        ck_assert_uint_eq(replicate_seed(UINT64_MAX - 7, i) >> 63, 0);
}
END_TEST

START_TEST(rules)
{
    replicas_rule all = {.confidence = 0.95}, all_seq = {.confidence = 0.95, .sequential = 1};
    /* every replication must pass: decided at the cap, or at the first failure when sequential */
    ck_assert_int_eq(replicas_decide(&all, 3, 4, 10), REPLICAS_UNDECIDED);
    ck_assert_int_eq(replicas_decide(&all, 9, 10, 10), REPLICAS_FAIL);
    ck_assert_int_eq(replicas_decide(&all, 10, 10, 10), REPLICAS_PASS);
    ck_assert_int_eq(replicas_decide(&all_seq, 3, 4, 10), REPLICAS_FAIL);
    ck_assert_int_eq(replicas_decide(&all_seq, 4, 4, 10), REPLICAS_UNDECIDED);
    ck_assert_int_eq(replicas_decide(&all_seq, 10, 10, 10), REPLICAS_PASS);
    /* a pass rate: 46 of 50 has the lower end 0.80766 (table above) */
    replicas_rule rate = {.pass_rate = 0.8, .confidence = 0.95};
    ck_assert_int_eq(replicas_decide(&rate, 46, 50, 50), REPLICAS_PASS);
    ck_assert_int_eq(replicas_decide(&rate, 46, 49, 50), REPLICAS_UNDECIDED);
    rate.pass_rate = 0.81;
    ck_assert_int_eq(replicas_decide(&rate, 46, 50, 50), REPLICAS_FAIL);
    /* sequential with every replication passing: look k passes once the lower end at level
     * 1 - a / (k (k + 1)), (a / (2 k (k + 1)))^(1/k) by the closed form, reaches P */
    replicas_rule seq = {.pass_rate = 0.5, .confidence = 0.95, .sequential = 1};
    size_t first = 0;
    for (size_t k = 1; !first; k++)
        if (pow(0.05 / (2.0 * (double)k * (double)(k + 1)), 1.0 / (double)k) >= 0.5)
            first = k;
    for (size_t k = 1; k < first; k++)
        ck_assert_int_eq(replicas_decide(&seq, k, k, 1000), REPLICAS_UNDECIDED);
    ck_assert_int_eq(replicas_decide(&seq, first, first, 1000), REPLICAS_PASS);
    /* and fails once the upper end with no pass, 1 - (a / (2 k (k + 1)))^(1/k), is below P */
    for (size_t k = 1; k < 1000; k++) {
        double upper = 1 - pow(0.05 / (2.0 * (double)k * (double)(k + 1)), 1.0 / (double)k);
        ck_assert_int_eq(replicas_decide(&seq, 0, k, 1000),
                         upper < 0.5 ? REPLICAS_FAIL : REPLICAS_UNDECIDED);
        if (upper < 0.5)
            break;
    }
    ck_assert_str_eq(replicas_verdict_name(REPLICAS_UNDECIDED), "undecided");
}
END_TEST

/* The share of `sequences` seeded Bernoulli(p) sequences on which the sequential rule ever
 * decides `wrong`, looking after each of up to `cap` replications. */
static double wrong_decisions(const replicas_rule *rule, double p, replicas_verdict wrong,
                              int sequences, size_t cap, unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(rng, seed);
    int count = 0;
    for (int s = 0; s < sequences; s++) {
        size_t passes = 0;
        for (size_t k = 1; k <= cap; k++) {
            passes += gsl_rng_uniform(rng) < p;
            replicas_verdict v = replicas_decide(rule, passes, k, cap);
            if (v != REPLICAS_UNDECIDED) {
                count += v == wrong;
                break;
            }
        }
    }
    gsl_rng_free(rng);
    return (double)count / sequences;
}

/* The rule's statement: whatever the true rate, the chance of ever passing when it is below P
 * (or ever failing when it is at least P) is at most (1 - C) / 2. Checked close to P, where
 * wrong decisions are likeliest, over 1000 sequences of up to 200 looks each; a rule that
 * looked at the plain C interval every time would pass far more often. */
START_TEST(sequential_error_rates)
{
    replicas_rule rule = {.pass_rate = 0.8, .confidence = 0.9, .sequential = 1};
    double bound = (1 - rule.confidence) / 2;
    double false_pass = wrong_decisions(&rule, 0.78, REPLICAS_PASS, 1000, 200, 11);
    double false_fail = wrong_decisions(&rule, 0.82, REPLICAS_FAIL, 1000, 200, 12);
    ck_assert_msg(false_pass <= bound, "passed %g of the time at p = 0.78 < 0.8, bound %g",
                  false_pass, bound);
    ck_assert_msg(false_fail <= bound, "failed %g of the time at p = 0.82 > 0.8, bound %g",
                  false_fail, bound);
    /* at P itself it may pass, and must not fail more often than the bound either */
    double at_p = wrong_decisions(&rule, 0.8, REPLICAS_FAIL, 1000, 200, 13);
    ck_assert_msg(at_p <= bound, "failed %g of the time at p = P, bound %g", at_p, bound);
}
END_TEST

/* ---- rows and the aggregate on hand-made runs ---------------------------------------------- */

/* A hand-made run: `total` requests, one router "r" over deployments a and b in one phase
 * starting at `start` (its test's verdict given), a of them going to a in the one bin, and
 * one check "c" with `status` and `value`. */
static results *hand_run(uint64_t seed, uint64_t total, double start, splittest_verdict verdict,
                         uint64_t to_a, results_check_status status, double value)
{
    results *r = results_new();
    r->seed = seed;
    r->window_s = 60;
    r->n_bins = 1;
    r->total = r->routed = total;
    long ri = results_name_index(&r->routers, &r->n_routers, "r");
    long a = results_name_index(&r->deployments, &r->n_deployments, "a");
    long b = results_name_index(&r->deployments, &r->n_deployments, "b");
    ck_assert(ri == 0 && a == 0 && b == 1);
    results_phase *ph = results_add_phase(r);
    ph->router = results_strdup("r");
    ph->start_s = start;
    ph->end_s = 60;
    ph->requests = total;
    ph->n_deployments = 2;
    ph->deployments = calloc(2, sizeof *ph->deployments);
    ph->deployments[0].name = results_strdup("a");
    ph->deployments[0].observed = to_a;
    ph->deployments[1].name = results_strdup("b");
    ph->deployments[1].observed = total - to_a;
    ph->test.verdict = verdict;
    split_points w = {.r = r};
    split_points_add(&w, (results_point){.bin = 0, .router = 0, .deployment = 0, .routed = to_a});
    split_points_add(
        &w, (results_point){.bin = 0, .router = 0, .deployment = 1, .routed = total - to_a});
    split_points_finish(&w);
    results_check *c = results_add_check(r);
    c->name = results_strdup("c");
    c->key = results_strdup("max_failed_requests");
    c->unit = "requests";
    c->status = status;
    c->passed = status != RESULTS_CHECK_FAIL;
    c->value = value;
    r->passed = c->passed && verdict != SPLITTEST_FAIL;
    return r;
}

static void add_run(replicas_agg *agg, results *r)
{
    replicas_row *row = replicas_row_from_results(r);
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(replicas_add(agg, row), 0);
    replicas_row_free(row);
    results_free(r);
}

static const replicas_metric *metric(const replicas_summary *s, const char *name)
{
    for (size_t i = 0; i < s->n_metrics; i++)
        if (strcmp(s->metrics[i].name, name) == 0)
            return &s->metrics[i];
    ck_abort_msg("no metric %s", name);
    return NULL;
}

START_TEST(aggregate_by_hand)
{
    replicas_rule rule = {.confidence = 0.95};
    replicas_agg *agg = replicas_new(&rule, 3);
    ck_assert_ptr_nonnull(agg);
    /* totals 10, 20, 30; check pass, fail, too few; the third run's phase starts elsewhere */
    add_run(agg, hand_run(5, 10, 0, SPLITTEST_PASS, 5, RESULTS_CHECK_PASS, 1));
    add_run(agg, hand_run(6, 20, 0, SPLITTEST_FAIL, 5, RESULTS_CHECK_FAIL, 3));
    add_run(agg, hand_run(7, 30, 2, SPLITTEST_SKIPPED, 15, RESULTS_CHECK_TOO_FEW, NAN));
    ck_assert_int_eq(replicas_decision(agg), REPLICAS_FAIL);
    replicas_summary *s = replicas_summarize(agg);
    ck_assert_ptr_nonnull(s);
    ck_assert_uint_eq(s->replications, 3);
    ck_assert_uint_eq(s->passed.passes, 2); /* the second fails its check and its phase test */
    ck_assert_int_eq(s->verdict, REPLICAS_FAIL);
    /* the check: pass and too-few count as passes, the value only where judged */
    ck_assert_uint_eq(s->n_checks, 1);
    ck_assert_uint_eq(s->checks[0].rate.passes, 2);
    ck_assert_uint_eq(s->checks[0].rate.n, 3);
    ck_assert_uint_eq(s->checks[0].too_few, 1);
    ck_assert_uint_eq(s->checks[0].value.n, 2);
    assert_close(s->checks[0].value.mean, 2.0, 1e-15, "check value mean");
    /* phases by router, start and deployments: two of them */
    ck_assert_uint_eq(s->n_phases, 2);
    ck_assert_uint_eq(s->phases[0].rate.n, 2);
    ck_assert_uint_eq(s->phases[0].rate.passes, 1);
    ck_assert_str_eq(s->phases[0].deployments, "a,b");
    ck_assert_uint_eq(s->phases[1].rate.n, 1);
    ck_assert_uint_eq(s->phases[1].skipped, 1);
    /* totals 10, 20, 30: mean 20, sd 10, t with 2 degrees of freedom in closed form */
    const replicas_metric *total = metric(s, "requests.total");
    double t = (2 * 0.975 - 1) / sqrt(2 * 0.975 * 0.025);
    assert_close(total->stats.mean, 20, 1e-15, "mean");
    assert_close(total->stats.sd, 10, 1e-15, "sd");
    assert_close(total->stats.lower, 20 - t * 10 / sqrt(3), 1e-12, "t lower");
    assert_close(total->stats.upper, 20 + t * 10 / sqrt(3), 1e-12, "t upper");
    ck_assert(total->stats.min == 10 && total->stats.max == 30);
    /* a's observed share in the phase from 0: 0.5 and 0.25 */
    const replicas_metric *share = metric(s, "observed_share r@0s[a,b] a");
    ck_assert_uint_eq(share->stats.n, 2);
    assert_close(share->stats.mean, 0.375, 1e-15, "share mean");
    /* kept rows: seeds and verdicts in index order */
    ck_assert_uint_eq(s->n_replications, 3);
    ck_assert_uint_eq(s->rows[1].seed, 6);
    ck_assert_int_eq(s->rows[1].passed, 0);
    ck_assert_uint_eq(s->rows[1].failed_checks, 1);
    ck_assert_uint_eq(s->rows[1].failed_phases, 1);
    ck_assert_uint_eq(s->rows[2].total, 30);
    replicas_summary_free(s);
    replicas_free(agg);
}
END_TEST

/* 20 runs where a gets i/19 of the bin: the bands' quantiles by linear interpolation between
 * order statistics (position q (n - 1)) are 0.95/19, 9.5/19 and 18.05/19. */
START_TEST(bands_by_hand)
{
    replicas_rule rule = {.confidence = 0.95};
    replicas_agg *agg = replicas_new(&rule, 20);
    for (uint64_t i = 0; i < 20; i++)
        add_run(agg, hand_run(i, 19, 0, SPLITTEST_PASS, 19 - i, RESULTS_CHECK_PASS, 0));
    replicas_summary *s = replicas_summarize(agg);
    ck_assert_uint_eq(s->n_bands, 2);
    ck_assert_int_eq(s->bands[0].kind, REPLICAS_BAND_SHARE);
    ck_assert_str_eq(s->bands[0].deployment, "a");
    ck_assert_uint_eq(s->bands[0].n[0], 20);
    assert_close(s->bands[0].p05[0], 0.95 / 19, 1e-14, "p05");
    assert_close(s->bands[0].p50[0], 9.5 / 19, 1e-14, "p50");
    assert_close(s->bands[0].p95[0], 18.05 / 19, 1e-14, "p95");
    ck_assert_int_eq(s->verdict, REPLICAS_PASS);
    replicas_summary_free(s);
    replicas_free(agg);
}
END_TEST

/* ---- a real scenario: rows through bytes, and the threaded runner -------------------------- */

static const char small[] =
    "name: small\naccount: acme\nduration: 2m\nwindow: 30s\n"
    "deployments:\n"
    "  - id: a\n    replicas: 3\n"
    "    serving: {concurrency: 2, service_time: {distribution: lognormal, mean: 100ms, cv: 0.5},"
    " queue_limit: 20, timeout: 2s}\n"
    "  - id: b\n    replicas: 1\n"
    "routers:\n  - {id: r, deployments: [a, b]}\n"
    "traffic:\n  - {router: r, rate: 40/s}\n"
    "timeline:\n  - at: 1m\n    run: firectl deployment scale b --replica-count 2\n"
    "checks:\n  alpha: 0.01\n  max_failed_requests: 0\n"
    "  expect:\n    - {router: r, during: [0s, 1m], share: {a: 0.75, b: 0.25}, tolerance: 0.03}\n"
    "  capacity:\n    - {max_utilization: 0.9}\n";

static results *checked_run(const scenario *sc, uint64_t seed)
{
    results *r = run_seed(sc, seed);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    return r;
}

static unsigned char *encoded(const replicas_row *row, size_t *len)
{
    unsigned char *buf = NULL;
    ck_assert_int_eq(replicas_row_encode(row, &buf, len), 0);
    return buf;
}

START_TEST(row_bytes_round_trip)
{
    scenario *sc = load_text(small);
    results *r = checked_run(sc, 3);
    replicas_row *row = replicas_row_from_results(r);
    ck_assert_ptr_nonnull(row);
    size_t len, len2;
    unsigned char *buf = encoded(row, &len);
    char err[256];
    replicas_row *back = replicas_row_decode(buf, len, err, sizeof err);
    ck_assert_msg(back != NULL, "%s", err);
    ck_assert_uint_eq(replicas_row_seed(back), 3);
    ck_assert_int_eq(replicas_row_passed(back), r->passed);
    unsigned char *again = encoded(back, &len2);
    ck_assert_uint_eq(len, len2);
    ck_assert(memcmp(buf, again, len) == 0);
    /* the same summary from the row and from its bytes */
    replicas_rule rule = {.confidence = 0.95};
    replicas_agg *one = replicas_new(&rule, 2), *two = replicas_new(&rule, 2);
    for (int i = 0; i < 2; i++) {
        ck_assert_int_eq(replicas_add(one, row), 0);
        ck_assert_int_eq(replicas_add(two, back), 0);
    }
    replicas_summary *s1 = replicas_summarize(one), *s2 = replicas_summarize(two);
    ck_assert_uint_eq(s1->n_metrics, s2->n_metrics);
    ck_assert_uint_gt(s1->n_metrics, 10);
    for (size_t i = 0; i < s1->n_metrics; i++)
        ck_assert(
            memcmp(&s1->metrics[i].stats, &s2->metrics[i].stats, sizeof s1->metrics[i].stats) == 0);
    ck_assert_uint_eq(s1->n_bands, 4); /* shares of a and b, a's utilisation and p99 */
    for (size_t b = 0; b < s1->n_bands; b++)
        ck_assert(memcmp(s1->bands[b].p50, s2->bands[b].p50, s1->n_bins * sizeof(double)) == 0);
    /* truncated or altered bytes are refused, never read past */
    const size_t cuts[] = {0, 1, 4, 8, len / 2, len - 1};
    for (size_t i = 0; i < sizeof cuts / sizeof *cuts; i++)
        ck_assert_ptr_null(replicas_row_decode(buf, cuts[i], err, sizeof err));
    buf[0] ^= 1;
    ck_assert_ptr_null(replicas_row_decode(buf, len, err, sizeof err));
    ck_assert_str_eq(err, "a replication's row: truncated or malformed");
    replicas_summary_free(s1);
    replicas_summary_free(s2);
    replicas_free(one);
    replicas_free(two);
    free(buf);
    free(again);
    replicas_row_free(row);
    replicas_row_free(back);
    results_free(r);
    scenario_free(sc);
}
END_TEST

typedef struct {
    const scenario *sc;
    size_t calls, indices[16];
    size_t stop_after; /* 0: never */
    results *first;
} collected;

/* Each replication must be the single run of its seed: the same totals and check values. */
static replicate_next collect(void *ctx, size_t index, uint64_t seed, results **r, char *err,
                              size_t errlen)
{
    (void)err, (void)errlen;
    collected *c = ctx;
    ck_assert_uint_lt(c->calls, 16);
    c->indices[c->calls++] = index;
    ck_assert_uint_eq(seed, replicate_seed(9, index));
    ck_assert_uint_eq((*r)->seed, seed);
    results *alone = checked_run(c->sc, seed);
    ck_assert_uint_eq((*r)->total, alone->total);
    ck_assert_uint_eq((*r)->unserved, alone->unserved);
    ck_assert_uint_eq((*r)->n_checks, alone->n_checks);
    for (size_t i = 0; i < alone->n_checks; i++)
        ck_assert(memcmp(&(*r)->checks[i].value, &alone->checks[i].value, sizeof(double)) == 0);
    results_free(alone);
    if (index == 0) {
        c->first = *r;
        *r = NULL;
    }
    return c->stop_after && c->calls == c->stop_after ? REPLICATE_STOP : REPLICATE_CONTINUE;
}

START_TEST(runner_order_subsets_and_stop)
{
    scenario *sc = load_text(small);
    char err[512];
    /* every index, in order, on 3 threads */
    collected all = {.sc = sc};
    replicate_options opt = {.seed = 9, .replications = 7, .jobs = 3, .rank = 0, .ranks = 1};
    ck_assert_int_eq(replicate_run(sc, &opt, collect, &all, err, sizeof err), 0);
    ck_assert_uint_eq(all.calls, 7);
    for (size_t i = 0; i < 7; i++)
        ck_assert_uint_eq(all.indices[i], i);
    ck_assert_ptr_nonnull(all.first); /* taken by the callback: still valid */
    ck_assert_uint_eq(all.first->seed, 9);
    results_free(all.first);
    /* rank 1 of 3: indices 1 and 4 */
    collected part = {.sc = sc};
    opt.rank = 1;
    opt.ranks = 3;
    ck_assert_int_eq(replicate_run(sc, &opt, collect, &part, err, sizeof err), 0);
    ck_assert_uint_eq(part.calls, 2);
    ck_assert_uint_eq(part.indices[0], 1);
    ck_assert_uint_eq(part.indices[1], 4);
    /* stopped after 3: no more calls */
    collected stopped = {.sc = sc, .stop_after = 3};
    opt = (replicate_options){.seed = 9, .replications = 12, .jobs = 2, .rank = 0, .ranks = 1};
    ck_assert_int_eq(replicate_run(sc, &opt, collect, &stopped, err, sizeof err), 0);
    ck_assert_uint_eq(stopped.calls, 3);
    results_free(stopped.first);
    /* invalid options are refused with a reason */
    opt.jobs = 0;
    ck_assert_int_eq(replicate_run(sc, &opt, collect, &stopped, err, sizeof err), -1);
    ck_assert_str_eq(err, "expected 1 to 1024 jobs, got 0");
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("replicas");
    check_add_case(s, tcase_create("clopper_pearson_closed_forms"), clopper_pearson_closed_forms,
                   10);
    check_add_case(s, tcase_create("clopper_pearson_table"), clopper_pearson_table, 10);
    check_add_case(s, tcase_create("t_interval_closed_forms"), t_interval_closed_forms, 10);
    check_add_case(s, tcase_create("seeds"), seeds, 10);
    check_add_case(s, tcase_create("rules"), rules, 10);
    check_add_case(s, tcase_create("sequential_error_rates"), sequential_error_rates, 120);
    check_add_case(s, tcase_create("aggregate_by_hand"), aggregate_by_hand, 10);
    check_add_case(s, tcase_create("bands_by_hand"), bands_by_hand, 10);
    check_add_case(s, tcase_create("row_bytes_round_trip"), row_bytes_round_trip, 60);
    check_add_case(s, tcase_create("runner_order_subsets_and_stop"), runner_order_subsets_and_stop,
                   120);
    return s;
}
