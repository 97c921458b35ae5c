/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/stats/checks.h"
#include "sim/run/engine.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * The engine end to end, below the command line: the phase test's false-positive rate over
 * many seeds (selector, Poisson arrivals and chi-square together), failures by reason with
 * their hand-computed counts, even-load's exact split, and the time series adding up to the
 * phases it was cut from.
 */

/* A correct router, tested over many seeds at alpha = 0.05, must be flagged about 5% of
 * the time: within 4 binomial standard deviations of alpha over the seeds run. */
START_TEST(false_positive_rate_near_alpha)
{
    scenario *sc = load_text("name: fpr\naccount: acme\nduration: 100s\n"
                             "deployments:\n  - {id: a, replicas: 3}\n  - {id: b, replicas: 2}\n"
                             "  - {id: c, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b, c]}\n"
                             "traffic:\n  - {router: r, rate: 10/s}\n"
                             "checks:\n  alpha: 0.05\n");
    const int seeds = 6000;
    int flagged = 0;
    for (int seed = 1; seed <= seeds; seed++) {
        results *r = run_seed(sc, (uint64_t)seed);
        ck_assert_uint_eq(r->n_phases, 1);
        ck_assert_int_eq(r->phases[0].test.df, 2);
        flagged += r->phases[0].test.verdict == SPLITTEST_FAIL;
        results_free(r);
    }
    double rate = (double)flagged / seeds;
    double bound = 4 * sqrt(0.05 * 0.95 / seeds);
    ck_assert_msg(fabs(rate - 0.05) <= bound, "false-positive rate %g, expected 0.05 +- %g", rate,
                  bound);
    scenario_free(sc);
}
END_TEST

/* Twenty phases of a correct router at alpha = 0.05: without a correction most runs flag
 * some phase (1 - 0.95^20 = 64%); with Holm's, at most alpha of them do. */
START_TEST(holm_keeps_family_wise_rate_at_alpha)
{
    char text[4096] = "name: many\naccount: acme\nduration: 200s\n"
                      "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
                      "routers:\n  - {id: r, deployments: [a, b]}\n"
                      "traffic:\n  - {router: r, rate: 50/s}\ntimeline:\n";
    for (int k = 1; k < 20; k++) {
        size_t used = strlen(text);
        snprintf(text + used, sizeof text - used,
                 "  - {at: %ds, scale: {deployment: a, replicas: %d}}\n", 10 * k, 1 + k % 3);
    }
    const char *modes[] = {"checks: {alpha: 0.05}\n", "checks: {alpha: 0.05, correction: holm}\n"};
    double any_flagged[2];
    const int seeds = 400;
    for (int m = 0; m < 2; m++) {
        char full[4096];
        snprintf(full, sizeof full, "%s%s", text, modes[m]);
        scenario *sc = load_text(full);
        int flagged = 0;
        for (int seed = 1; seed <= seeds; seed++) {
            results *r = run_seed(sc, (uint64_t)seed);
            ck_assert_uint_eq(r->n_phases, 20);
            ck_assert_int_eq(checks_evaluate(sc, r), 0);
            flagged += !r->passed;
            results_free(r);
        }
        any_flagged[m] = (double)flagged / seeds;
        scenario_free(sc);
    }
    double fwer = 1 - pow(0.95, 20), sd = sqrt(fwer * (1 - fwer) / seeds);
    ck_assert_msg(fabs(any_flagged[0] - fwer) <= 4 * sd, "uncorrected %g, expected %g",
                  any_flagged[0], fwer);
    ck_assert_msg(any_flagged[1] <= 0.05 + 4 * sqrt(0.05 * 0.95 / seeds), "Holm: %g",
                  any_flagged[1]);
}
END_TEST

/* A 1 % relative bias between the selector and the counters must not pass: a reviewer
 * moved 1 % of picks to one deployment and every other test stayed green. Two deployments
 * at 1:1; the test counts a's requests in the phase itself and applies its own two-sided
 * z-test (normal approximation to the binomial, independent of the split-test code).
 *
 * Power calculation. Under the correct code a's count is Binomial(N, 1/2) given N, and
 * z = (X_a - N/2) / sqrt(N/4) is approximately standard normal; the test rejects when
 * |z| > z_(alpha/2) with alpha = 1e-3, z = 3.2905, so correct code passes with probability
 * 1 - alpha = 0.999 (for the seed used here it passes, deterministically). Moving 1 % of
 * picks to a gives a share 0.99 / 2 + 0.01 = 0.505, a 1 % relative bias: z then has mean
 * 0.005 N / sqrt(N/4) = 0.01 sqrt(N) and variance 4 x 0.505 x 0.495 ~ 1. For power
 * 1 - beta = 0.999 (z_beta = 3.0902), sqrt(N) >= (3.2905 + 3.0902) / 0.01 = 638, N >= 407,000.
 * 100,000 requests/s for 5 s give N ~ 500,000 (asserted >= 450,000): mean z = 7.07 and power
 * Phi(7.07 - 3.29) = Phi(3.78) = 0.99992. */
START_TEST(one_percent_bias_is_detected)
{
    scenario *sc = load_text("name: power\naccount: acme\nduration: 5s\n"
                             "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b]}\n"
                             "traffic:\n  - {router: r, rate: 100000/s}\n");
    results *r = run_seed(sc, 2027);
    ck_assert_uint_eq(r->n_phases, 1);
    const results_phase *ph = &r->phases[0];
    double n = (double)ph->requests;
    ck_assert_msg(n >= 450000, "too few requests for the power the test promises: %g", n);
    ck_assert_uint_eq(ph->deployments[0].observed + ph->deployments[1].observed, ph->requests);
    double z = ((double)ph->deployments[0].observed - n / 2) / sqrt(n / 4);
    ck_assert_msg(fabs(z) <= 3.2905, "a got %llu of %g requests: z = %.2f, beyond 3.29",
                  (unsigned long long)ph->deployments[0].observed, n, z);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* Requests to a deleted router, to a router with no replicas and from a foreign account to
 * a private router fail with their reason; the counts follow the rates and intervals. */
START_TEST(failures_by_reason)
{
    scenario *sc =
        load_text("name: fail\naccount: acme\nduration: 1000s\n"
                  "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
                  "routers:\n  - {id: gone, deployments: [a]}\n  - {id: empty, deployments: [b]}\n"
                  "  - {id: open, deployments: [a], public: true}\n"
                  "traffic:\n  - {router: gone, rate: 20/s}\n  - {router: empty, rate: 30/s}\n"
                  "  - {router: empty, rate: 5/s, account: other}\n"
                  "  - {router: open, rate: 7/s, account: other}\n"
                  "timeline:\n  - {at: 400s, delete_router: gone}\n"
                  "  - {at: 500s, scale: {deployment: b, replicas: 0}}\n");
    results *r = run_seed(sc, 11);
    /* Poisson counts within 5 standard deviations of rate x time. */
    struct {
        results_reason reason;
        double mean;
    } want[] = {{RESULTS_ROUTER_NOT_FOUND, 20 * 600.0},
                {RESULTS_NO_REPLICAS, 30 * 500.0},
                {RESULTS_FORBIDDEN, 5 * 1000.0}};
    for (size_t i = 0; i < 3; i++) {
        double got = (double)r->failed_by_reason[want[i].reason];
        ck_assert_msg(fabs(got - want[i].mean) <= 5 * sqrt(want[i].mean), "%s: %g, expected %g",
                      results_reason_name(want[i].reason), got, want[i].mean);
    }
    ck_assert_uint_eq(r->total, r->routed + r->failed);
    /* The public router serves the other account. */
    uint64_t open_routed = 0;
    for (size_t i = 0; i < r->n_phases; i++)
        if (strcmp(r->phases[i].router, "accounts/acme/routers/open") == 0)
            open_routed += r->phases[i].requests;
    ck_assert_msg(fabs((double)open_routed - 7000.0) <= 5 * sqrt(7000.0), "open: %llu",
                  (unsigned long long)open_routed);
    results_free(r);
    scenario_free(sc);
}
END_TEST

START_TEST(even_load_is_exact)
{
    scenario *sc = load_text("name: even\naccount: acme\nduration: 1000s\n"
                             "deployments:\n  - {id: a, replicas: 3}\n  - {id: b, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b], strategy: even-load}\n"
                             "traffic:\n  - {router: r, rate: 10/s}\n");
    results *r = run_seed(sc, 5);
    const results_phase *ph = &r->phases[0];
    /* Smooth round-robin over 3:1: every 4 requests, 3 to a and 1 to b. */
    double n = (double)ph->requests;
    ck_assert(fabs((double)ph->deployments[0].observed - 0.75 * n) <= 1.0);
    ck_assert(fabs((double)ph->deployments[1].observed - 0.25 * n) <= 1.0);
    ck_assert_int_eq(ph->test.verdict, SPLITTEST_PASS);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* The time series is cut from the same counts as the phases: per router, the routed
 * requests of all bins equal those of all phases, and arrivals add up to the total. */
START_TEST(series_adds_up)
{
    scenario *sc =
        load_text("name: series\naccount: acme\nduration: 700s\nwindow: 30s\n"
                  "deployments:\n  - {id: a, replicas: 4}\n"
                  "routers:\n  - {id: r, deployments: [a]}\n"
                  "traffic:\n  - {router: r, rate: 50/s}\n"
                  "timeline:\n  - {at: 95s, run: firectl deployment create m --deployment-id=b}\n"
                  "  - {at: 95s, run: \"firectl router update r --deployments=a,b\"}\n"
                  "  - {at: 333s, scale: {deployment: a, replicas: 0}}\n"
                  "  - {at: 500s, update_router: {router: r, deployments: [b]}}\n");
    results *r = run_seed(sc, 2);
    ck_assert_uint_eq(r->n_bins, 24); /* ceil(700 / 30) */
    uint64_t from_points = 0, from_phases = 0, arrivals = 0;
    splitstore_iter it;
    results_point p;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &p);)
        from_points += p.routed;
    for (size_t i = 0; i < r->n_phases; i++)
        from_phases += r->phases[i].requests;
    for (size_t bin = 0; bin < r->flows->n_bins; bin++)
        for (size_t i = 0; i < r->flows->n_sources; i++)
            arrivals += flowstore_arrivals(r->flows, bin, i);
    ck_assert_uint_eq(from_points, from_phases);
    ck_assert_uint_eq(arrivals, r->total);
    ck_assert_uint_eq(r->n_phases, 4);
    /* The bin holding t = 333 s ([330, 360)) shows a at 0 replicas by its end. */
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &p);)
        if (p.bin == 11 && strcmp(r->deployments[p.deployment], "accounts/acme/deployments/a") == 0)
            ck_assert_int_eq(p.replicas, 0);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* Bins are half-open: the bin that ends when the timeline changes the world shows the world
 * before the change; the next one shows it after. */
START_TEST(bin_ending_at_a_change_shows_before)
{
    scenario *sc = load_text("name: edge\naccount: acme\nduration: 600s\nwindow: 30s\n"
                             "deployments:\n  - {id: a, replicas: 4}\n  - {id: b, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a, b]}\n"
                             "traffic:\n  - {router: r, rate: 10/s}\n"
                             "timeline:\n  - {at: 300s, scale: {deployment: a, replicas: 1}}\n");
    results *r = run_seed(sc, 8);
    int seen = 0;
    splitstore_iter it;
    results_point point, *p = &point;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, p);) {
        if (strcmp(r->deployments[p->deployment], "accounts/acme/deployments/a") != 0)
            continue;
        if (p->bin == 9) {
            ck_assert_int_eq(p->replicas, 4);
            ck_assert_double_eq(p->expected_share, 0.8);
            seen++;
        } else if (p->bin == 10) {
            ck_assert_int_eq(p->replicas, 1);
            ck_assert_double_eq(p->expected_share, 0.5);
            seen++;
        }
    }
    ck_assert_int_eq(seen, 2);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A router created without an id gets a valid random one, the same for the same seed. */
START_TEST(generated_router_id_follows_the_seed)
{
    scenario *sc =
        load_text("name: anon\naccount: acme\nduration: 60s\n"
                  "deployments:\n  - {id: a, replicas: 1}\n"
                  "routers:\n  - {id: r, deployments: [a]}\n"
                  "traffic:\n  - {router: r, rate: 1/s}\n"
                  "timeline:\n  - {at: 10s, run: firectl router create --deployments=a}\n");
    char names[3][UNITS_NAME_MAX];
    const uint64_t seeds[] = {1, 1, 2};
    for (int i = 0; i < 3; i++) {
        results *r = run_seed(sc, seeds[i]);
        ck_assert_uint_eq(r->n_phases, 2);
        const char *name = r->phases[1].router;
        const char *id = strrchr(name, '/') + 1;
        ck_assert_msg(units_valid_id(id), "generated id %s", id);
        ck_assert_str_eq(r->phases[0].router, "accounts/acme/routers/r");
        snprintf(names[i], sizeof names[i], "%s", name);
        results_free(r);
    }
    ck_assert_str_eq(names[0], names[1]);
    ck_assert_str_ne(names[0], names[2]);
    scenario_free(sc);
}
END_TEST

/* An expect check over an interval that crosses a phase boundary counts exactly the
 * requests routed inside it. */
START_TEST(expect_window_counts)
{
    scenario *sc = load_text(
        "name: expect\naccount: acme\nduration: 400s\n"
        "deployments:\n  - {id: a, replicas: 1}\n  - {id: b, replicas: 1}\n"
        "routers:\n  - {id: r, deployments: [a]}\n"
        "traffic:\n  - {router: r, rate: 100/s}\n"
        "timeline:\n  - {at: 200s, update_router: {router: r, deployments: [a, b]}}\n"
        "checks:\n  expect:\n    - {router: r, during: [100s, 300s], share: {a: 0.75, b: 0.25}}\n");
    results *r = run_seed(sc, 4);
    ck_assert_int_eq(checks_evaluate(sc, r), 0);
    const results_window *w = &r->windows[0];
    /* 100 s all to a, then 100 s split 50/50: a gets 3/4 of the window's requests. */
    ck_assert_msg(fabs((double)w->routed - 20000) <= 5 * sqrt(20000.0), "%llu",
                  (unsigned long long)w->routed);
    ck_assert_uint_eq(w->observed[0] + w->observed[1] + w->other, w->routed);
    ck_assert(r->checks[0].passed);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* A trace arrival at exactly the end of the run is inside it (validate counts it too): it is
 * routed and counted in the last bin, so total = routed + failed still holds. The one at 50 s
 * queues the one at 60 s behind the last bin's end, which is where it used to be lost. */
START_TEST(arrival_at_the_end_is_counted)
{
    char dir[] = "/tmp/routersim-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char trace[sizeof dir + 16], text[1024];
    snprintf(trace, sizeof trace, "%s/t.csv", dir);
    FILE *f = fopen(trace, "w");
    ck_assert_ptr_nonnull(f);
    fputs("time\n5\n50\n60\n", f);
    fclose(f);
    snprintf(text, sizeof text,
             "name: end\naccount: acme\nduration: 60s\nwindow: 20s\n"
             "deployments:\n  - {id: a, replicas: 1}\n"
             "routers:\n  - {id: r, deployments: [a]}\n"
             "traffic:\n  - {router: r, trace: %s}\n",
             trace);
    scenario *sc = load_text(text);
    results *r = run_seed(sc, 1);
    ck_assert_uint_eq(r->routed, 3);
    ck_assert_uint_eq(r->total, 3);
    ck_assert_uint_eq(r->failed, 0);
    uint64_t arrivals = 0, last_bin = 0;
    ck_assert_uint_eq(r->flows->n_bins, r->n_bins);
    for (size_t bin = 0; bin < r->flows->n_bins; bin++) {
        uint64_t in_bin = flowstore_arrivals(r->flows, bin, 0);
        arrivals += in_bin;
        last_bin += bin == r->n_bins - 1 ? in_bin : 0;
    }
    ck_assert_uint_eq(arrivals, 3);
    ck_assert_uint_eq(last_bin, 2);
    results_free(r);
    scenario_free(sc);
    unlink(trace);
    rmdir(dir);
}
END_TEST

/* A router deleted and created again at one instant is a new router: a new phase, and the
 * strategy it was created with. Here an even-load router (exact 3:1) comes back as
 * weighted-random, whose counts scatter: over five seeds at least one second phase must miss
 * the exact 3:1 by more than one request (each does so with probability about 0.97). */
START_TEST(recreated_router_gets_a_new_selector)
{
    scenario *sc = load_text(
        "name: recreate\naccount: acme\nduration: 1000s\n"
        "deployments:\n  - {id: a, replicas: 3}\n  - {id: b, replicas: 1}\n"
        "routers:\n  - {id: r, deployments: [a, b], strategy: even-load}\n"
        "traffic:\n  - {router: r, rate: 10/s}\n"
        "timeline:\n  - {at: 500s, run: firectl router delete r}\n"
        "  - {at: 500s, run: \"firectl router create --router-id=r --deployments=a,b\"}\n");
    int scattered = 0;
    for (uint64_t seed = 1; seed <= 5; seed++) {
        results *r = run_seed(sc, seed);
        ck_assert_uint_eq(r->n_phases, 2);
        ck_assert_double_eq(r->phases[1].start_s, 500);
        const results_phase *ph = &r->phases[1];
        double n = (double)ph->requests;
        scattered += fabs((double)ph->deployments[0].observed - 0.75 * n) > 1.0;
        results_free(r);
    }
    ck_assert_int_gt(scattered, 0);
    scenario_free(sc);
}
END_TEST

/* A router may list as many deployments as the selector supports: 10,000 (over the former
 * limit of 4096) are accepted, split by replica count, and the time series cut from the
 * same counts. The split is tested against the multinomial it must follow: Pearson's
 * statistic over k = 10,000 cells has mean k - 1 and standard deviation sqrt(2 (k - 1))
 * under the null (chi-square closed form), and its normal approximation holds at this df;
 * 6 standard deviations keep the seeded test from ever flaking while a biased pick (one
 * deployment's share off by a factor, or counts landing in a neighbour's cell) moves it by
 * far more. */
START_TEST(ten_thousand_deployments_split_by_replicas)
{
    enum { K = 10000 };
    size_t cap = (size_t)K * 48 + 4096, len = 0;
    char *text = malloc(cap);
    ck_assert_ptr_nonnull(text);
    len += (size_t)snprintf(text + len, cap - len,
                            "name: wide\naccount: acme\nduration: 100s\nwindow: 40s\n"
                            "deployments:\n");
    for (int k = 0; k < K; k++)
        len +=
            (size_t)snprintf(text + len, cap - len, "  - {id: d%d, replicas: %d}\n", k, 1 + k % 3);
    len += (size_t)snprintf(text + len, cap - len, "routers:\n  - {id: r, deployments: [");
    for (int k = 0; k < K; k++)
        len += (size_t)snprintf(text + len, cap - len, "%sd%d", k ? ", " : "", k);
    snprintf(text + len, cap - len, "]}\ntraffic:\n  - {router: r, rate: 10000/s}\n");
    scenario *sc = load_text(text);
    free(text);
    results *r = run_seed(sc, 11);
    ck_assert_uint_eq(r->n_phases, 1);
    const results_phase *ph = &r->phases[0];
    ck_assert_uint_eq(ph->n_deployments, K);
    double total_weight = 0, chi2 = 0, n = (double)ph->requests;
    for (int k = 0; k < K; k++)
        total_weight += 1 + k % 3;
    uint64_t *from_points = calloc(K, sizeof *from_points);
    ck_assert_ptr_nonnull(from_points);
    splitstore_iter it;
    results_point p;
    for (splitstore_begin(&it, r->split); splitstore_next(&it, &p);) {
        int k = atoi(strrchr(r->deployments[p.deployment], '/') + 2);
        from_points[k] += p.routed;
    }
    for (int k = 0; k < K; k++) {
        double expected = n * (1 + k % 3) / total_weight;
        double o = (double)ph->deployments[k].observed;
        chi2 += (o - expected) * (o - expected) / expected;
        ck_assert_uint_eq(from_points[k], ph->deployments[k].observed);
    }
    free(from_points);
    ck_assert_msg(fabs(chi2 - (K - 1)) <= 6 * sqrt(2.0 * (K - 1)), "chi2 %g over df %d", chi2,
                  K - 1);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* One constant-rate entry (its own stream, not superposed): a Poisson process of rate
 * 100,000/s over 10 s, so its count is Poisson with mean and variance 1e6 and within 5
 * standard deviations (0.5 %) of the mean. */
START_TEST(constant_rate_arrives_at_its_rate)
{
    scenario *sc = load_text("name: one\naccount: acme\nduration: 10s\nwindow: 5s\n"
                             "deployments:\n  - {id: a, replicas: 1}\n"
                             "routers:\n  - {id: r, deployments: [a]}\n"
                             "traffic:\n  - {router: r, rate: 100000/s}\n");
    results *r = run_seed(sc, 5);
    ck_assert_msg(fabs((double)r->total - 1e6) <= 5 * sqrt(1e6), "%llu requests, expected 1e6",
                  (unsigned long long)r->total);
    results_free(r);
    scenario_free(sc);
}
END_TEST

/* Twenty constant-rate entries (enough to be superposed into one process) still give each
 * router the requests its own rate asks for: each entry's arrivals over the run are
 * Poisson with mean rate x duration, independently, so the sum of (observed - mean)^2 /
 * mean over the entries follows a chi-square with 20 degrees of freedom (the normal limit
 * of each Poisson term; means here are 2,000 to 40,000). */
START_TEST(many_constant_sources_arrive_at_their_rates)
{
    enum { N = 20 };
    char text[8192];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "name: pool\naccount: acme\nduration: 100s\nwindow: 50s\n"
                                  "deployments:\n  - {id: a, replicas: 1}\nrouters:\n");
    for (int k = 0; k < N; k++)
        len +=
            (size_t)snprintf(text + len, sizeof text - len, "  - {id: r%d, deployments: [a]}\n", k);
    len += (size_t)snprintf(text + len, sizeof text - len, "traffic:\n");
    for (int k = 0; k < N; k++)
        len += (size_t)snprintf(text + len, sizeof text - len, "  - {router: r%d, rate: %d/s}\n", k,
                                20 * (k + 1));
    scenario *sc = load_text(text);
    results *r = run_seed(sc, 3);
    double arrivals[N] = {0};
    for (size_t bin = 0; bin < r->flows->n_bins; bin++)
        for (size_t i = 0; i < r->flows->n_sources; i++) {
            int k = atoi(strrchr(r->targets[r->flows->target[i]], '/') + 2);
            arrivals[k] += (double)flowstore_arrivals(r->flows, bin, i);
        }
    double chi2 = 0;
    for (int k = 0; k < N; k++) {
        double mean = 20.0 * (k + 1) * 100.0;
        chi2 += (arrivals[k] - mean) * (arrivals[k] - mean) / mean;
    }
    ck_assert_msg(gsl_cdf_chisq_Q(chi2, N) > 1e-4, "chi2 %g over %d entries", chi2, N);
    results_free(r);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("engine");
    TCase *tc;
    suite_add_tcase(s, tc = tcase_create("false_positive_rate_near_alpha"));
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, false_positive_rate_near_alpha);
    suite_add_tcase(s, tc = tcase_create("holm_keeps_family_wise_rate_at_alpha"));
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, holm_keeps_family_wise_rate_at_alpha);
    suite_add_tcase(s, tc = tcase_create("one_percent_bias_is_detected"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, one_percent_bias_is_detected);
    suite_add_tcase(s, tc = tcase_create("failures_by_reason"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, failures_by_reason);
    suite_add_tcase(s, tc = tcase_create("even_load_is_exact"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, even_load_is_exact);
    suite_add_tcase(s, tc = tcase_create("series_adds_up"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, series_adds_up);
    suite_add_tcase(s, tc = tcase_create("bin_ending_at_a_change_shows_before"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, bin_ending_at_a_change_shows_before);
    suite_add_tcase(s, tc = tcase_create("generated_router_id_follows_the_seed"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, generated_router_id_follows_the_seed);
    suite_add_tcase(s, tc = tcase_create("expect_window_counts"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, expect_window_counts);
    suite_add_tcase(s, tc = tcase_create("arrival_at_the_end_is_counted"));
    tcase_add_test(tc, arrival_at_the_end_is_counted);
    suite_add_tcase(s, tc = tcase_create("recreated_router_gets_a_new_selector"));
    tcase_add_test(tc, recreated_router_gets_a_new_selector);
    suite_add_tcase(s, tc = tcase_create("ten_thousand_deployments_split_by_replicas"));
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, ten_thousand_deployments_split_by_replicas);
    suite_add_tcase(s, tc = tcase_create("constant_rate_arrives_at_its_rate"));
    tcase_add_test(tc, constant_rate_arrives_at_its_rate);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc = tcase_create("many_constant_sources_arrive_at_their_rates"));
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, many_constant_sources_arrive_at_their_rates);
    return s;
}
