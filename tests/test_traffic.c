/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/traffic.h"

#include "tests/check_main.h"

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The rate and its integral are held to values worked out by hand (rectangles, trapezoids,
 * the sinusoid's antiderivative, burst duty cycles). The sampler is held to what a Poisson
 * process is: counts per interval with mean equal to the integral and variance equal to the
 * mean, and arrival times spread with density proportional to the rate. Each statistical
 * check runs at a fixed seed against a critical value derived from a significance level
 * ALPHA (so a correct sampler fails it with probability ALPHA per seed), never a fudge
 * factor. The trace reader is held to its exact messages, line and column.
 */

#define ALPHA 1e-6
#define SEED 20240501UL

static const double pi = 3.14159265358979323846;

static void assert_near(double got, double want, const char *what)
{
    ck_assert_msg(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)), "%s: got %.17g, want %.17g",
                  what, got, want);
}

static gsl_rng *seeded(unsigned long seed)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, seed);
    return rng;
}

/* ---- the rate and its integral ----------------------------------------------------------- */

static traffic_shape profile(const traffic_segment *segments, size_t n)
{
    return (traffic_shape){.n_segments = n, .segments = segments};
}

START_TEST(steps_rate_and_expected)
{
    static const traffic_segment steps[] = {{10, 5, 5}, {20, 2, 2}, {30, 0, 0}, {40, 8, 8}};
    traffic_shape s = profile(steps, 4);
    assert_near(traffic_rate_at(&s, 0), 5, "rate at 0");
    assert_near(traffic_rate_at(&s, 9.99), 5, "rate at 9.99");
    assert_near(traffic_rate_at(&s, 10), 2, "rate at 10 (the next step starts)");
    assert_near(traffic_rate_at(&s, 25), 0, "rate at 25");
    assert_near(traffic_rate_at(&s, 35), 8, "rate at 35");
    assert_near(traffic_rate_at(&s, 40), 0, "rate at 40 (after the profile)");
    assert_near(traffic_rate_at(&s, 1000), 0, "rate at 1000");
    assert_near(traffic_rate_at(&s, -1), 0, "rate before 0");
    assert_near(traffic_expected(&s, 0, 40), 5 * 10 + 2 * 10 + 0 + 8 * 10, "expected [0, 40]");
    assert_near(traffic_expected(&s, 5, 35), 5 * 5 + 2 * 10 + 0 + 8 * 5, "expected [5, 35]");
    assert_near(traffic_expected(&s, 0, 1000), 150, "expected past the profile");
    assert_near(traffic_expected(&s, 20, 30), 0, "expected over the zero step");
    assert_near(traffic_expected(&s, 12, 12), 0, "expected over an empty interval");
    assert_near(traffic_expected(&s, 30, 12), 0, "expected over a reversed interval");
    s.rate = 1;
    assert_near(traffic_rate_at(&s, 25), 1, "constant plus zero step");
    assert_near(traffic_expected(&s, 0, 40), 190, "constant plus steps");
}
END_TEST

/* Ramps integrate to trapezoids; a zero-length piece is passed over. */
START_TEST(ramps_are_trapezoids)
{
    static const traffic_segment ramps[] = {
        {10, 0, 10}, {20, 10, 10}, {30, 10, 0}, {30, 7, 7}, {40, 4, 8}};
    traffic_shape s = profile(ramps, 5);
    assert_near(traffic_rate_at(&s, 2.5), 2.5, "rate at 2.5");
    assert_near(traffic_rate_at(&s, 15), 10, "rate at 15");
    assert_near(traffic_rate_at(&s, 27), 3, "rate at 27");
    assert_near(traffic_rate_at(&s, 30), 4, "rate at 30");
    assert_near(traffic_rate_at(&s, 35), 6, "rate at 35");
    assert_near(traffic_expected(&s, 0, 10), 10 * 10 / 2.0, "expected up ramp");
    assert_near(traffic_expected(&s, 0, 30), 50 + 100 + 50, "expected up, flat, down");
    assert_near(traffic_expected(&s, 5, 25), (5 + 10) / 2.0 * 5 + 100 + (10 + 5) / 2.0 * 5,
                "expected [5, 25]");
    assert_near(traffic_expected(&s, 30, 40), (4 + 8) / 2.0 * 10, "expected [30, 40]");
    assert_near(traffic_expected(&s, 2, 4), (2 + 4) / 2.0 * 2, "expected [2, 4]");
}
END_TEST

/* Peak 30 at t = 25, trough 10, period 100: mid 20, amplitude 10. Over a full period the
 * cosine integrates to 0; over a quarter period it adds or removes amp * period / (2 pi). */
static traffic_shape daily(void)
{
    return (traffic_shape){.has_daily = 1,
                           .daily_peak = 30,
                           .daily_trough = 10,
                           .daily_peak_at_s = 25,
                           .daily_period_s = 100};
}

START_TEST(daily_closed_form)
{
    traffic_shape s = daily();
    double quarter = 10 * 100 / (2 * pi);
    assert_near(traffic_rate_at(&s, 25), 30, "rate at the peak");
    assert_near(traffic_rate_at(&s, 75), 10, "rate at the trough");
    assert_near(traffic_rate_at(&s, 125), 30, "rate at the next peak");
    assert_near(traffic_rate_at(&s, 50), 20, "rate between");
    assert_near(traffic_rate_at(&s, 0), 20, "rate at 0");
    assert_near(traffic_rate_at(&s, 37.5), 20 + 10 * sqrt(0.5), "rate an eighth after the peak");
    assert_near(traffic_expected(&s, 0, 100), 20 * 100, "expected over a period");
    assert_near(traffic_expected(&s, 25, 125), 20 * 100, "expected over a shifted period");
    assert_near(traffic_expected(&s, 3, 1003), 20 * 1000, "expected over ten periods");
    assert_near(traffic_expected(&s, 0, 25), 20 * 25 + quarter, "expected rising to the peak");
    assert_near(traffic_expected(&s, 25, 50), 20 * 25 + quarter, "expected falling from it");
    assert_near(traffic_expected(&s, 50, 75), 20 * 25 - quarter, "expected to the trough");
    assert_near(traffic_expected(&s, 75, 100), 20 * 25 - quarter, "expected from the trough");
}
END_TEST

/* 100/s bursts of 15 s every 60 s from t = 10: a quarter duty cycle. */
START_TEST(bursts_duty_cycle)
{
    traffic_shape s = {.has_bursts = 1,
                       .burst_rate = 100,
                       .burst_start_s = 10,
                       .burst_every_s = 60,
                       .burst_length_s = 15};
    assert_near(traffic_rate_at(&s, 9.99), 0, "rate before the first burst");
    assert_near(traffic_rate_at(&s, 10), 100, "rate as it starts");
    assert_near(traffic_rate_at(&s, 24.99), 100, "rate as it ends");
    assert_near(traffic_rate_at(&s, 25), 0, "rate after it");
    assert_near(traffic_rate_at(&s, 70), 100, "rate in the second burst");
    assert_near(traffic_rate_at(&s, 6010), 100, "rate in the hundredth");
    assert_near(traffic_expected(&s, 0, 6010), 100 * 15 * 100.0, "expected over 100 cycles");
    assert_near(traffic_expected(&s, 0, 10), 0, "expected before the first");
    assert_near(traffic_expected(&s, 15, 75), (10 + 5) * 100.0, "expected across two bursts");
    assert_near(traffic_expected(&s, 20, 22), 200, "expected inside one");
    assert_near(traffic_expected(&s, 30, 65), 0, "expected between two");

    s.burst_every_s = s.burst_length_s = 10;
    s.burst_start_s = 5;
    assert_near(traffic_rate_at(&s, 15), 100, "rate when bursts fill the period");
    assert_near(traffic_expected(&s, 0, 105), 100 * 100.0, "expected when they do");
}
END_TEST

/* A shape with every component: steps, ramps, a zero step, a daily cycle and bursts. */
static const traffic_segment mixed_profile[] = {
    {20, 0, 120}, {40, 60, 60}, {50, 0, 0}, {80, 120, 30}};

static traffic_shape mixed(void)
{
    return (traffic_shape){.rate = 5,
                           .n_segments = 4,
                           .segments = mixed_profile,
                           .has_daily = 1,
                           .daily_peak = 40,
                           .daily_trough = 0,
                           .daily_peak_at_s = 7,
                           .daily_period_s = 30,
                           .has_bursts = 1,
                           .burst_rate = 150,
                           .burst_start_s = 3,
                           .burst_every_s = 17,
                           .burst_length_s = 4};
}

/* The components add up, and the integral is additive over adjacent intervals. */
START_TEST(components_add_up)
{
    traffic_shape s = mixed();
    traffic_shape base = {.rate = 5, .n_segments = 4, .segments = mixed_profile};
    traffic_shape cycle = s, bursts = s;
    cycle.rate = 0;
    cycle.n_segments = 0;
    cycle.has_bursts = 0;
    bursts.rate = 0;
    bursts.n_segments = 0;
    bursts.has_daily = 0;
    for (double t = 0; t < 90; t += 0.37) {
        double sum =
            traffic_rate_at(&base, t) + traffic_rate_at(&cycle, t) + traffic_rate_at(&bursts, t);
        assert_near(traffic_rate_at(&s, t), sum, "rate of the sum");
        double whole = traffic_expected(&s, 0, t + 1);
        assert_near(traffic_expected(&s, 0, t) + traffic_expected(&s, t, t + 1), whole,
                    "additivity");
    }
}
END_TEST

/* ---- the sampler ------------------------------------------------------------------------- */

/*
 * R replications of the mixed shape over J intervals. Each interval's count is Poisson with
 * mean mu_j = the integral of the rate. Two checks, each at significance ALPHA:
 * - the mean: the total over replications is Poisson(R mu_j); with R mu_j in the thousands
 *   it is normal to within a fraction of a percent, so |N_j - R mu_j| <= z sqrt(R mu_j) with
 *   z the normal quantile for ALPHA / (2 J) (Bonferroni over the J intervals);
 * - the variance: the index of dispersion D = sum over j, r of (c_jr - mean_j)^2 / mean_j is
 *   chi-square with J (R - 1) degrees of freedom for Poisson counts, two-sided. A sampler
 *   whose counts are over- or under-dispersed (say, arrivals in clumps or on a grid) fails.
 */
START_TEST(thinning_counts_per_interval)
{
    enum { J = 16, R = 100 };
    const double width = 5.0, end = J * width;
    traffic_shape s = mixed();
    gsl_rng *rng = seeded(SEED);
    static double counts[J][R];
    for (int r = 0; r < R; r++)
        for (double t = traffic_next(&s, rng, 0, end); t <= end; t = traffic_next(&s, rng, t, end))
            counts[(int)(t / width) < J ? (int)(t / width) : J - 1][r]++;
    gsl_rng_free(rng);

    double z = gsl_cdf_ugaussian_Qinv(ALPHA / (2 * J)), dispersion = 0;
    for (int j = 0; j < J; j++) {
        double mu = traffic_expected(&s, j * width, (j + 1) * width), total = 0;
        for (int r = 0; r < R; r++)
            total += counts[j][r];
        ck_assert_msg(fabs(total - R * mu) <= z * sqrt(R * mu),
                      "interval %d: %g arrivals over %d runs, expected %g +- %g", j, total, R,
                      R * mu, z * sqrt(R * mu));
        double mean = total / R;
        for (int r = 0; r < R; r++)
            dispersion += (counts[j][r] - mean) * (counts[j][r] - mean) / mean;
    }
    double df = J * (R - 1.0);
    double low = gsl_cdf_chisq_Pinv(ALPHA / 2, df), high = gsl_cdf_chisq_Qinv(ALPHA / 2, df);
    ck_assert_msg(dispersion >= low && dispersion <= high,
                  "index of dispersion %g (statistic %g on %g df) outside [%g, %g]",
                  dispersion / df, dispersion, df, low / df, high / df);
}
END_TEST

/* Binned chi-square of the arrival times in [a, b): given their number n, they are iid with
 * density rate / integral, so bin k holds n p_k on average with p_k from `prob`. */
static void check_density(const traffic_shape *s, double a, double b, int reps,
                          double (*prob)(double, double))
{
    enum { BINS = 40 };
    double observed[BINS] = {0}, n = 0, width = (b - a) / BINS;
    gsl_rng *rng = seeded(SEED + 1);
    for (int r = 0; r < reps; r++)
        for (double t = traffic_next(s, rng, a, b); t < b; t = traffic_next(s, rng, t, b)) {
            int k = (int)((t - a) / width);
            observed[k < BINS ? k : BINS - 1]++;
            n++;
        }
    gsl_rng_free(rng);
    double chi2 = 0, total_p = 0;
    for (int k = 0; k < BINS; k++) {
        double p = prob(a + k * width, a + (k + 1) * width);
        chi2 += (observed[k] - n * p) * (observed[k] - n * p) / (n * p);
        total_p += p;
    }
    assert_near(total_p, 1, "the bins' probabilities");
    double critical = gsl_cdf_chisq_Qinv(ALPHA, BINS - 1);
    ck_assert_msg(chi2 <= critical, "chi-square %g over %g arrivals above %g (%d df)", chi2, n,
                  critical, BINS - 1);
}

/* Ramps up 0.2 -> 2 over [20, 40) and down again over [40, 60), 44 arrivals per run: slow
 * enough that a bound taken at the wrong end of a ramp would starve part of it. */
static double ramp_rate(double x)
{
    return x < 40 ? 0.2 + 0.09 * (x - 20) : 2 - 0.09 * (x - 40);
}

/* The bins are whole seconds, so none straddles the turn at 40: trapezoids. */
static double ramp_probability(double x0, double x1)
{
    return (ramp_rate(x0) + ramp_rate(x1)) / 2 * (x1 - x0) / 44;
}

START_TEST(ramp_arrival_density)
{
    static const traffic_segment ramp[] = {{20, 0, 0}, {40, 0.2, 2}, {60, 2, 0.2}, {70, 5, 5}};
    traffic_shape s = profile(ramp, 4);
    check_density(&s, 20, 60, 5000, ramp_probability);
}
END_TEST

/* A slow daily cycle, peak 3/s at t = 2.5 and trough 0 over a 10 s period (15 arrivals per
 * period): at so low a rate the gaps are long against the cycle, so a bound that fails to
 * cover the rate anywhere in a piece shows up as missing arrivals there. */
static double slow_daily_probability(double x0, double x1)
{
    double w = 2 * pi / 10;
    return (1.5 * (x1 - x0) + 1.5 / w * (sin(w * (x1 - 2.5)) - sin(w * (x0 - 2.5)))) / 15;
}

START_TEST(daily_arrival_density)
{
    traffic_shape s = {.has_daily = 1,
                       .daily_peak = 3,
                       .daily_trough = 0,
                       .daily_peak_at_s = 2.5,
                       .daily_period_s = 10};
    check_density(&s, 0, 10, 20000, slow_daily_probability);
}
END_TEST

/* A constant rate keeps every candidate: each arrival costs exactly one exponential draw
 * (no uniform), so the sampler replays a plain stream of exponential gaps draw for draw. */
START_TEST(constant_rate_is_exponential_gaps)
{
    traffic_shape s = {.rate = 7.5};
    gsl_rng *sampler = seeded(SEED), *reference = seeded(SEED);
    double t = 0;
    for (int i = 0; i < 10000; i++) {
        double want = t + gsl_ran_exponential(reference, 1 / 7.5);
        t = traffic_next(&s, sampler, t, 1e9);
        ck_assert_double_eq(t, want);
    }
    gsl_rng_free(sampler);
    gsl_rng_free(reference);
}
END_TEST

/* Nothing arrives while the rate is 0: in a zero step, after the profile, at rate 0. */
START_TEST(zero_rate_pieces_are_silent)
{
    static const traffic_segment steps[] = {{10, 5, 5}, {20, 0, 0}, {30, 0, 5}, {40, 0, 0}};
    traffic_shape s = profile(steps, 4);
    gsl_rng *rng = seeded(SEED);
    int early = 0, late = 0;
    for (int r = 0; r < 200; r++)
        for (double t = traffic_next(&s, rng, 0, 1e6); t <= 1e6;
             t = traffic_next(&s, rng, t, 1e6)) {
            ck_assert_msg((t >= 0 && t < 10) || (t >= 20 && t < 30), "arrival at %g", t);
            early += t < 10;
            late += t >= 20;
        }
    ck_assert_int_gt(early, 0);
    ck_assert_int_gt(late, 0);
    for (int i = 0; i < 1000; i++)
        ck_assert_double_gt(traffic_next(&s, rng, 10 + i * 0.01, 20), 20);
    traffic_shape silent = {.rate = 0};
    ck_assert_double_gt(traffic_next(&silent, rng, 0, 1e9), 1e9);
    gsl_rng_free(rng);
}
END_TEST

/* Arrivals come in order up to `end`, then a value past it. */
START_TEST(next_past_end_when_none)
{
    traffic_shape s = {.rate = 10};
    gsl_rng *rng = seeded(SEED);
    double t = 0, previous = 0;
    int n = 0;
    while ((t = traffic_next(&s, rng, t, 5)) <= 5) {
        ck_assert_double_gt(t, previous);
        previous = t;
        n++;
    }
    ck_assert_double_gt(t, 5);
    ck_assert_int_gt(n, 0);
    for (int i = 0; i < 100; i++)
        ck_assert_double_gt(traffic_next(&s, rng, 5, 5), 5);
    traffic_shape bursts = {.has_bursts = 1,
                            .burst_rate = 1000,
                            .burst_start_s = 100,
                            .burst_every_s = 100,
                            .burst_length_s = 1};
    for (int i = 0; i < 100; i++)
        ck_assert_double_gt(traffic_next(&bursts, rng, i * 0.9, 99.999), 99.999);
    gsl_rng_free(rng);
}
END_TEST

/* ---- trace replay ------------------------------------------------------------------------ */

static char err[1024];

/* A fresh file in /tmp holding `content`; its path goes in path (64 bytes). */
static void write_trace(char *path, const char *content)
{
    strcpy(path, "/tmp/routersim-trace-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_ge(fputs(content, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

/* Open a trace of `content`; the file is gone by the time the test reads it. */
static traffic_trace *open_trace(const char *content, char *path)
{
    write_trace(path, content);
    traffic_trace *t = traffic_trace_open(path, err, sizeof err);
    unlink(path);
    return t;
}

static void expect_arrival(traffic_trace *t, double time_s, const char *router, const char *account)
{
    traffic_arrival a;
    ck_assert_msg(traffic_trace_next(t, &a, err, sizeof err) == 1, "%s", err);
    ck_assert_double_eq(a.time_s, time_s);
    ck_assert_str_eq(a.router, router);
    ck_assert_str_eq(a.account, account);
}

static void expect_end(traffic_trace *t)
{
    traffic_arrival a;
    ck_assert_int_eq(traffic_trace_next(t, &a, err, sizeof err), 0);
    ck_assert_int_eq(traffic_trace_next(t, &a, err, sizeof err), 0);
}

START_TEST(trace_all_columns_shuffled)
{
    char path[64];
    traffic_trace *t = open_trace("# recorded on the gateway\n"
                                  " account , time,router\n"
                                  "\n"
                                  "my-account, 0, my-router\n"
                                  ",1.5s, accounts/my-account/routers/other-router\n"
                                  "   \t\n"
                                  "  other-acct ,1.5,\n"
                                  "  # a comment between arrivals\n"
                                  "x1,  2m  ,r2\n",
                                  path);
    ck_assert_msg(t != NULL, "%s", err);
    expect_arrival(t, 0, "my-router", "my-account");
    expect_arrival(t, 1.5, "accounts/my-account/routers/other-router", "");
    expect_arrival(t, 1.5, "", "other-acct");
    expect_arrival(t, 120, "r2", "x1");
    expect_end(t);
    traffic_trace_close(t);
}
END_TEST

/* Request sizes per line, in any column order: each arrival carries its own; a trace
 * without the columns carries none. */
START_TEST(trace_token_columns)
{
    char path[64];
    traffic_trace *t = open_trace(
        "output_tokens, time ,prompt_tokens\n140,0.5,812\n1, 2, 0\n10000000,3,7\n", path);
    ck_assert_msg(t != NULL, "%s", err);
    static const struct {
        double time_s;
        uint32_t prompt, output;
    } want[] = {{0.5, 812, 140}, {2, 0, 1}, {3, 7, 10000000}};
    for (size_t i = 0; i < 3; i++) {
        traffic_arrival a;
        ck_assert_msg(traffic_trace_next(t, &a, err, sizeof err) == 1, "%s", err);
        ck_assert_double_eq(a.time_s, want[i].time_s);
        ck_assert_int_eq(a.has_tokens, 1);
        ck_assert_uint_eq(a.prompt_tokens, want[i].prompt);
        ck_assert_uint_eq(a.output_tokens, want[i].output);
    }
    expect_end(t);
    traffic_trace_close(t);
    t = open_trace("time\n1\n", path);
    traffic_arrival a;
    ck_assert_int_eq(traffic_trace_next(t, &a, err, sizeof err), 1);
    ck_assert_int_eq(a.has_tokens, 0);
    traffic_trace_close(t);
}
END_TEST

/* Only the time column, CRLF line ends, a last line without its line end, and a line of
 * exactly the longest length accepted. */
START_TEST(trace_time_only)
{
    char path[64], content[4200];
    int n = snprintf(content, sizeof content, "time\r\n0.25\r\n250ms\r\n1%4095s\n", "");
    ck_assert_int_eq(n, 6 + 6 + 7 + 4097);
    strcat(content, "90s");
    traffic_trace *t = open_trace(content, path);
    ck_assert_msg(t != NULL, "%s", err);
    expect_arrival(t, 0.25, "", "");
    expect_arrival(t, 0.25, "", "");
    expect_arrival(t, 1, "", "");
    expect_arrival(t, 90, "", "");
    expect_end(t);
    traffic_trace_close(t);
}
END_TEST

/* The trace fails at open or on some line with exactly "PATH:" + `where_and_what`. */
static void expect_refusal(const char *content, const char *where_and_what)
{
    char path[64], want[1024];
    traffic_trace *t = open_trace(content, path);
    if (t) {
        traffic_arrival a;
        int got;
        while ((got = traffic_trace_next(t, &a, err, sizeof err)) == 1)
            continue;
        ck_assert_msg(got == -1, "no error for the trace:\n%s", content);
        traffic_trace_close(t);
    }
    snprintf(want, sizeof want, "%s:%s", path, where_and_what);
    ck_assert_str_eq(err, want);
}

START_TEST(trace_refusals)
{
    static const char id_rule[] =
        "lower-case letters, digits and hyphens, 1-63 characters, starting with a letter";
    char long_line[5100], want[1024];

    expect_refusal("", "1:1: expected a header line naming the columns (time, and optionally "
                       "router, account, prompt_tokens and output_tokens)");
    expect_refusal("# only a comment\n",
                   "2:1: expected a header line naming the columns (time, and optionally "
                   "router, account, prompt_tokens and output_tokens)");
    expect_refusal("time, route\n", "1:7: expected a column named time, router, account, "
                                    "prompt_tokens or output_tokens, got \"route\"");
    expect_refusal("time,router,time\n",
                   "1:13: expected each column once, got \"time\" again (first at column 1)");
    expect_refusal("router\nr1\n",
                   "1:1: expected a time column (the accepted columns are time, router, "
                   "account, prompt_tokens and output_tokens)");
    /* Request sizes: both columns or neither, whole numbers, an output of one token at least. */
    expect_refusal("time,prompt_tokens\n1,5\n",
                   "1:6: expected prompt_tokens and output_tokens together (a request's size), "
                   "got prompt_tokens alone");
    expect_refusal("output_tokens,time\n",
                   "1:1: expected prompt_tokens and output_tokens together (a request's size), "
                   "got output_tokens alone");
    expect_refusal("time,prompt_tokens,output_tokens\n1,5,2.5\n",
                   "2:5: output_tokens: expected a whole number from 1 to 10000000, got \"2.5\"");
    expect_refusal("time,prompt_tokens,output_tokens\n1,5,0\n",
                   "2:5: output_tokens: expected a whole number from 1 to 10000000, got \"0\"");
    expect_refusal("time,prompt_tokens,output_tokens\n1,-5,3\n",
                   "2:3: prompt_tokens: expected a whole number from 0 to 10000000, got \"-5\"");
    expect_refusal("time,prompt_tokens,output_tokens\n1,10000001,3\n",
                   "2:3: prompt_tokens: expected a whole number from 0 to 10000000, got "
                   "\"10000001\"");
    expect_refusal("time,prompt_tokens,output_tokens\n1,99999999999999999999999,3\n",
                   "2:3: prompt_tokens: expected a whole number from 0 to 10000000, got "
                   "\"99999999999999999999999\"");
    expect_refusal("time,prompt_tokens,output_tokens\n1,,3\n",
                   "2:3: prompt_tokens: expected a whole number from 0 to 10000000, got \"\"");
    expect_refusal("time\n1\n\"2\"\n",
                   "3:1: expected a cell without quotes (quoted CSV cells are not supported)");
    expect_refusal("time,router\n1,r,x\n",
                   "2:5: expected 2 cells as in the header (time, router), got 3");
    expect_refusal("router, time\nr\n",
                   "2:2: expected 2 cells as in the header (router, time), got 1");
    expect_refusal("time\n1,\n", "2:3: expected 1 cell as in the header (time), got 2");
    expect_refusal("time\n5\n# late\n4\n",
                   "4:1: expected a time no earlier than the previous arrival's (5s, line 2), "
                   "got 4s: a trace must be in time order");
    expect_refusal("time\n1x\n",
                   "2:1: expected a duration like 90s, 10m, 1.5h or 250ms, got \"1x\"");
    expect_refusal("time\n-1\n",
                   "2:1: expected a duration like 90s, 10m, 1.5h or 250ms, got \"-1\"");
    expect_refusal("router,time\nr,  \n",
                   "2:3: expected a duration like 90s, 10m, 1.5h or 250ms, got \"\"");

    snprintf(want, sizeof want,
             "2:4: expected a router id (%s) or accounts/<ACCOUNT>/routers/<ID>, got "
             "\"Bad_Router\"",
             id_rule);
    expect_refusal("time,router\n1, Bad_Router\n", want);
    snprintf(want, sizeof want,
             "3:3: expected a router id (%s) or accounts/<ACCOUNT>/routers/<ID>, got "
             "\"accounts/a/deployments/d\"",
             id_rule);
    expect_refusal("time,router\n1,r\n2,accounts/a/deployments/d\n", want);
    snprintf(want, sizeof want, "2:3: expected an account id (%s), got \"ACC\"", id_rule);
    expect_refusal("time,account\n1,ACC\n", want);

    memset(long_line, ' ', 5000);
    long_line[0] = '1';
    strcpy(long_line + 5000, "\n");
    char content[5200];
    snprintf(content, sizeof content, "time\n%s", long_line);
    expect_refusal(content, "2:4097: expected a line of at most 4096 characters");
}
END_TEST

START_TEST(trace_missing_file)
{
    const char *path = "/tmp/routersim-no-such-trace/x.csv";
    ck_assert_ptr_null(traffic_trace_open(path, err, sizeof err));
    ck_assert_str_eq(err, "/tmp/routersim-no-such-trace/x.csv: expected a readable trace file "
                          "(No such file or directory)");
}
END_TEST

/* A million lines stream through one line buffer; the count and the last time tell that
 * every line was read. */
START_TEST(trace_million_lines)
{
    enum { LINES = 1000000 };
    static const char *const routers[] = {"alpha", "beta", "accounts/acct/routers/gamma"};
    char path[64];
    strcpy(path, "/tmp/routersim-trace-XXXXXX");
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs("time,router\n", f);
    for (int i = 0; i < LINES; i++)
        fprintf(f, "%d.%03d,%s\n", i / 1000, i % 1000, routers[i % 3]);
    ck_assert_int_eq(fclose(f), 0);

    traffic_trace *t = traffic_trace_open(path, err, sizeof err);
    unlink(path);
    ck_assert_msg(t != NULL, "%s", err);
    traffic_arrival a;
    long n = 0;
    double last = -1;
    int got;
    while ((got = traffic_trace_next(t, &a, err, sizeof err)) == 1) {
        n++;
        last = a.time_s;
    }
    ck_assert_msg(got == 0, "%s", err);
    ck_assert_int_eq(n, LINES);
    ck_assert_double_eq(last, 999.999);
    traffic_trace_close(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("traffic");
    TCase *tc;

    tc = tcase_create("steps");
    tcase_add_test(tc, steps_rate_and_expected);
    suite_add_tcase(s, tc);

    tc = tcase_create("ramps");
    tcase_add_test(tc, ramps_are_trapezoids);
    suite_add_tcase(s, tc);

    tc = tcase_create("daily");
    tcase_add_test(tc, daily_closed_form);
    suite_add_tcase(s, tc);

    tc = tcase_create("bursts");
    tcase_add_test(tc, bursts_duty_cycle);
    suite_add_tcase(s, tc);

    tc = tcase_create("components_add_up");
    tcase_add_test(tc, components_add_up);
    suite_add_tcase(s, tc);

    tc = tcase_create("thinning_counts");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, thinning_counts_per_interval);
    suite_add_tcase(s, tc);

    tc = tcase_create("ramp_density");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, ramp_arrival_density);
    suite_add_tcase(s, tc);

    tc = tcase_create("daily_density");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, daily_arrival_density);
    suite_add_tcase(s, tc);

    tc = tcase_create("constant_rate_gaps");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, constant_rate_is_exponential_gaps);
    suite_add_tcase(s, tc);

    tc = tcase_create("zero_rate_silent");
    tcase_add_test(tc, zero_rate_pieces_are_silent);
    suite_add_tcase(s, tc);

    tc = tcase_create("next_past_end");
    tcase_add_test(tc, next_past_end_when_none);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_all_columns");
    tcase_add_test(tc, trace_all_columns_shuffled);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_time_only");
    tcase_add_test(tc, trace_time_only);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_token_columns");
    tcase_add_test(tc, trace_token_columns);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_refusals");
    tcase_add_test(tc, trace_refusals);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_missing_file");
    tcase_add_test(tc, trace_missing_file);
    suite_add_tcase(s, tc);

    tc = tcase_create("trace_million_lines");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, trace_million_lines);
    suite_add_tcase(s, tc);

    return s;
}
