/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/units.h"

#include "tests/check_main.h"

#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

static char err[512];

static double duration(const char *text)
{
    double value = -1;
    ck_assert_msg(units_parse_duration(text, &value, err, sizeof err) == 0, "%s: %s", text, err);
    return value;
}

static double rate(const char *text)
{
    double value = -1;
    ck_assert_msg(units_parse_rate(text, &value, err, sizeof err) == 0, "%s: %s", text, err);
    return value;
}

/* The call failed, left err holding `message` exactly, and did not touch *out. */
#define ck_refused(call, out, untouched, message)                                                  \
    do {                                                                                           \
        err[0] = '\0';                                                                             \
        ck_assert_int_eq((call), -1);                                                              \
        ck_assert_str_eq(err, (message));                                                          \
        ck_assert((out) == (untouched));                                                           \
    } while (0)

static void duration_refused(const char *text, const char *message)
{
    double value = -1;
    ck_refused(units_parse_duration(text, &value, err, sizeof err), value, -1, message);
}

static void rate_refused(const char *text, const char *message)
{
    double value = -1;
    ck_refused(units_parse_rate(text, &value, err, sizeof err), value, -1, message);
}

START_TEST(durations_every_form)
{
    ck_assert_double_eq(duration("90s"), 90);
    ck_assert_double_eq(duration("10m"), 600);
    ck_assert_double_eq(duration("1.5h"), 5400);
    ck_assert_double_eq(duration("250ms"), 0.25);
    ck_assert_double_eq(duration("2d"), 172800);
    ck_assert_double_eq(duration("42"), 42);
    ck_assert_double_eq(duration("0.5"), 0.5);
    ck_assert_double_eq(duration("0"), 0);
    ck_assert_double_eq(duration("0s"), 0);
    ck_assert_double_eq(duration("007m"), 420);
    ck_assert_double_eq(duration("366d"), UNITS_MAX_DURATION_S);
    /* What the tool prints reads back: compound durations, largest unit first, and numbers
     * with an exponent as %g writes them. */
    ck_assert_double_eq(duration("1h15m"), 4500);
    ck_assert_double_eq(duration("2m7.5s"), 127.5);
    ck_assert_double_eq(duration("1d1h"), 90000);
    ck_assert_double_eq(duration("1h1m1s"), 3661);
    ck_assert_double_eq(duration("1s250ms"), 1.25);
    ck_assert_double_eq(duration("1d0h5m"), 86700);
    ck_assert_double_eq(duration("1e3s"), 1000);
    ck_assert_double_eq(duration("1e3"), 1000);
    ck_assert_double_eq(duration("1.5E+02m"), 9000);
    ck_assert_double_eq(duration("1e-07s"), 1e-7);
    ck_assert_double_eq(duration("0.0000001"), 1e-7);
}
END_TEST

START_TEST(durations_refused)
{
    duration_refused("10 minutes",
                     "expected a duration like 90s, 10m, 1.5h or 250ms, got \"10 minutes\"");
    duration_refused("", "expected a duration like 90s, 10m, 1.5h or 250ms, got \"\"");
    const char *bad[] = {" 10m",  "10m ",  "10 m",   "-5s",    "+5s",   "e3s",    "1e",
                         "1e+s",  "0x10",  "10M",    "10S",    "5sec",  "1.5.3h", ".5h",
                         "1.h",   "s",     "ms",     "inf",    "nan",   "10mm",   "1,5h",
                         "10m\n", "15m1h", "1h1h",   "1.5h5m", "1m30",  "1e1m5s", "1h 5m",
                         "1h-5m", "1hm",   "30s10m", "5ms1s",  "1d1d1h"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double value = -1;
        ck_assert_msg(units_parse_duration(bad[i], &value, err, sizeof err) == -1, "%s", bad[i]);
        ck_assert_msg(strncmp(err, "expected a duration like 90s", 28) == 0, "%s", err);
        ck_assert(value == -1);
    }
    duration_refused("367d", "expected a duration of at most one year (366d), got \"367d\"");
    duration_refused("99999999999999999999999h",
                     "expected a duration of at most one year (366d), got "
                     "\"99999999999999999999999h\"");
}
END_TEST

START_TEST(rates_every_form)
{
    ck_assert_double_eq(rate("50/s"), 50);
    ck_assert_double_eq(rate("3000/m"), 50);
    ck_assert_double_eq(rate("180000/h"), 50);
    ck_assert_double_eq(rate("86400/d"), 1);
    ck_assert_double_eq(rate("100"), 100);
    ck_assert_double_eq(rate("2.5/s"), 2.5);
    ck_assert_double_eq(rate("0"), 0);
    ck_assert_double_eq(rate("0/s"), 0);
    ck_assert_double_eq(rate("1000000000"), UNITS_MAX_RATE_PER_S);
    ck_assert_double_eq(rate("1e+06/s"), 1e6);
    ck_assert_double_eq(rate("1e9"), 1e9);
    ck_assert_double_eq(rate("1.2e3/m"), 20);
}
END_TEST

START_TEST(rates_refused)
{
    rate_refused("50 per second", "expected a rate like 50/s, 3000/m or 180000/h (a bare number "
                                  "is per second), got \"50 per second\"");
    const char *bad[] = {"",      "/s",    "50/",  "50/sec", "50/S",  "50s",  "-1/s",  " 50/s",
                         "50/s ", "50 /s", "e3/s", "nan",    "inf/s", "1e/s", "1/s/s", "1/m1/s"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        double value = -1;
        ck_assert_msg(units_parse_rate(bad[i], &value, err, sizeof err) == -1, "%s", bad[i]);
        ck_assert_msg(strncmp(err, "expected a rate like 50/s", 25) == 0, "%s", err);
    }
    rate_refused("1000000001", "expected a rate of at most 1e9/s, got \"1000000001\"");
    rate_refused("3600000000001/h", "expected a rate of at most 1e9/s, got \"3600000000001/h\"");
}
END_TEST

START_TEST(integers)
{
    long long v = 0;
    ck_assert_int_eq(units_parse_int("0", 0, 10, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, 0);
    ck_assert_int_eq(units_parse_int("42", 0, 100, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(units_parse_int("-7", -10, 10, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, -7);
    ck_assert_int_eq(units_parse_int("+5", 0, 10, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, 5);
    ck_assert_int_eq(units_parse_int("9223372036854775807", 0, LLONG_MAX, &v, err, sizeof err), 0);
    ck_assert(v == LLONG_MAX);
    ck_assert_int_eq(units_parse_int("10", 0, 10, &v, err, sizeof err), 0);
    ck_assert_int_eq(v, 10);
}
END_TEST

START_TEST(integers_refused)
{
    long long v = 99;
    ck_refused(units_parse_int("11", 0, 10, &v, err, sizeof err), v, 99,
               "expected a whole number from 0 to 10, got \"11\"");
    ck_refused(units_parse_int("-1", 0, 10, &v, err, sizeof err), v, 99,
               "expected a whole number from 0 to 10, got \"-1\"");
    ck_refused(units_parse_int("9223372036854775808", 0, LLONG_MAX, &v, err, sizeof err), v, 99,
               "expected a whole number from 0 to 9223372036854775807, got "
               "\"9223372036854775808\"");
    const char *bad[] = {"",      " 1",  "1 ", "1.0", "1e3",   "0x10", "abc",
                         "1_000", "--1", "+",  "-",   "1,000", "\t1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(units_parse_int(bad[i], 0, 10000, &v, err, sizeof err) == -1, "%s", bad[i]);
        ck_assert_msg(strncmp(err, "expected a whole number from 0 to 10000, got \"", 46) == 0,
                      "%s", err);
        ck_assert_int_eq(v, 99);
    }
}
END_TEST

START_TEST(reals)
{
    double v = 0;
    ck_assert_int_eq(units_parse_real("0.001", 0, 1, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, 0.001);
    ck_assert_int_eq(units_parse_real("1e-3", 0, 1, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, 0.001);
    ck_assert_int_eq(units_parse_real(".5", 0, 1, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, 0.5);
    ck_assert_int_eq(units_parse_real("-2.5", -3, 3, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, -2.5);
    ck_assert_int_eq(units_parse_real("1", 0, 1, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, 1);
    ck_assert_int_eq(units_parse_real("+0", 0, 1, &v, err, sizeof err), 0);
    ck_assert_double_eq(v, 0);
}
END_TEST

START_TEST(reals_refused)
{
    double v = 7;
    ck_refused(units_parse_real("1.5", 0, 1, &v, err, sizeof err), v, 7,
               "expected a number from 0 to 1, got \"1.5\"");
    ck_refused(units_parse_real("nan", 0, 1, &v, err, sizeof err), v, 7,
               "expected a number from 0 to 1, got \"nan\"");
    const char *bad[] = {"",       " 1",    "1 ",   "inf", "-inf", "NaN", "infinity", "1e999",
                         "-1e999", "0x1p3", "1.5x", "1,5", "e5",   ".",   "1e",       "--1"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(units_parse_real(bad[i], -1e300, 1e300, &v, err, sizeof err) == -1, "%s",
                      bad[i]);
        ck_assert_msg(strncmp(err, "expected a number from -1e+300 to 1e+300, got \"", 47) == 0,
                      "%s", err);
        ck_assert_double_eq(v, 7);
    }
}
END_TEST

START_TEST(booleans)
{
    const char *truths[] = {"true", "True", "TRUE", "yes", "Yes", "on", "ON"};
    const char *lies[] = {"false", "False", "FALSE", "no", "No", "off", "OFF"};
    for (size_t i = 0; i < sizeof truths / sizeof *truths; i++) {
        int b = -1;
        ck_assert_int_eq(units_parse_bool(truths[i], &b, err, sizeof err), 0);
        ck_assert_int_eq(b, 1);
        ck_assert_int_eq(units_parse_bool(lies[i], &b, err, sizeof err), 0);
        ck_assert_int_eq(b, 0);
    }
    int b = -1;
    ck_refused(units_parse_bool("maybe", &b, err, sizeof err), b, -1,
               "expected true or false, got \"maybe\"");
    ck_refused(units_parse_bool("", &b, err, sizeof err), b, -1,
               "expected true or false, got \"\"");
    ck_refused(units_parse_bool("1", &b, err, sizeof err), b, -1,
               "expected true or false, got \"1\"");
    ck_refused(units_parse_bool("true ", &b, err, sizeof err), b, -1,
               "expected true or false, got \"true \"");
}
END_TEST

START_TEST(id_rule)
{
    char longest[UNITS_ID_MAX + 2];
    memset(longest, 'a', UNITS_ID_MAX);
    longest[UNITS_ID_MAX] = '\0';
    const char *good[] = {"a", "my-router", "a1", "new-deployment", "x-", "a--b", longest};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        ck_assert_msg(units_valid_id(good[i]), "%s", good[i]);
    const char *bad[] = {"",          "1a",  "-a",  "A",           "My-router", "my_router",
                         "my.router", "a b", "a/b", "caf\xc3\xa9", "a\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ck_assert_msg(!units_valid_id(bad[i]), "%s", bad[i]);
    longest[UNITS_ID_MAX] = 'a';
    longest[UNITS_ID_MAX + 1] = '\0';
    ck_assert(!units_valid_id(longest));
}
END_TEST

START_TEST(resolve_short_and_full)
{
    char id[UNITS_ID_MAX + 1];
    ck_assert_int_eq(units_resolve("my-router", "acct", UNITS_ROUTER, id, err, sizeof err), 0);
    ck_assert_str_eq(id, "my-router");
    ck_assert_int_eq(
        units_resolve("accounts/acct/routers/my-router", "acct", UNITS_ROUTER, id, err, sizeof err),
        0);
    ck_assert_str_eq(id, "my-router");
    ck_assert_int_eq(units_resolve("accounts/acct/deployments/v2", "acct", UNITS_DEPLOYMENT, id,
                                   err, sizeof err),
                     0);
    ck_assert_str_eq(id, "v2");
}
END_TEST

static void resolve_refused(const char *text, units_kind kind, const char *message)
{
    char id[UNITS_ID_MAX + 1] = "untouched";
    err[0] = '\0';
    ck_assert_int_eq(units_resolve(text, "acct", kind, id, err, sizeof err), -1);
    ck_assert_str_eq(err, message);
    ck_assert_str_eq(id, "untouched");
}

START_TEST(resolve_refused_with_reason)
{
    resolve_refused("accounts/other/routers/r", UNITS_ROUTER,
                    "expected a router in account \"acct\", got \"accounts/other/routers/r\" "
                    "(account \"other\")");
    resolve_refused("accounts/acct/deployments/d", UNITS_ROUTER,
                    "expected a router id (lower-case letters, digits and hyphens, 1-63 "
                    "characters, starting with a letter) or accounts/acct/routers/<ID>, got "
                    "\"accounts/acct/deployments/d\"");
    resolve_refused("My-Router", UNITS_ROUTER,
                    "expected a router id (lower-case letters, digits and hyphens, 1-63 "
                    "characters, starting with a letter) or accounts/acct/routers/<ID>, got "
                    "\"My-Router\"");
    resolve_refused("accounts/<ACCOUNT_ID>/deployments/<ID>", UNITS_DEPLOYMENT,
                    "expected a deployment id (lower-case letters, digits and hyphens, 1-63 "
                    "characters, starting with a letter) or accounts/acct/deployments/<ID>, got "
                    "\"accounts/<ACCOUNT_ID>/deployments/<ID>\" (replace the <...> placeholder "
                    "with a real id)");
    const char *bad[] = {"",
                         "accounts/acct/routers/",
                         "accounts//routers/r",
                         "accounts/acct/routers/r/x",
                         "accounts/acct/routers",
                         "accounts/acct/router/r",
                         "/accounts/acct/routers/r",
                         "accounts/Acct/routers/r",
                         "accounts/acct/routers/R",
                         "routers/r"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char id[UNITS_ID_MAX + 1] = "untouched";
        ck_assert_msg(units_resolve(bad[i], "acct", UNITS_ROUTER, id, err, sizeof err) == -1, "%s",
                      bad[i]);
        ck_assert_msg(strncmp(err, "expected a router id (", 22) == 0, "%s", err);
        ck_assert_str_eq(id, "untouched");
    }
}
END_TEST

START_TEST(resolve_models)
{
    char name[UNITS_NAME_MAX];
    ck_assert_int_eq(units_resolve_model("llama-v3p1-8b", "acct", name, err, sizeof err), 0);
    ck_assert_str_eq(name, "accounts/acct/models/llama-v3p1-8b");
    ck_assert_int_eq(units_resolve_model("qwen2.5-7b_instruct", "acct", name, err, sizeof err), 0);
    ck_assert_str_eq(name, "accounts/acct/models/qwen2.5-7b_instruct");
    ck_assert_int_eq(units_resolve_model("accounts/fireworks/models/llama-v3p1-8b", "acct", name,
                                         err, sizeof err),
                     0);
    ck_assert_str_eq(name, "accounts/fireworks/models/llama-v3p1-8b");

    const char *bad[] = {"",
                         "Llama",
                         "accounts/fireworks/routers/x",
                         "a b",
                         ".hidden",
                         "accounts/Fire/models/x",
                         "accounts/fireworks/models/",
                         "accounts/fireworks/models/x/y"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(units_resolve_model(bad[i], "acct", name, err, sizeof err) == -1, "%s",
                      bad[i]);
        ck_assert_msg(strncmp(err,
                              "expected a model id (lower-case letters, digits, hyphens, "
                              "dots and underscores, 1-63 characters) or "
                              "accounts/<ACCOUNT>/models/<ID>, got \"",
                              133) == 0,
                      "%s", err);
    }
    ck_assert_int_eq(units_resolve_model("accounts/<ACCOUNT_ID>/models/<MODEL_ID>", "acct", name,
                                         err, sizeof err),
                     -1);
    ck_assert_ptr_nonnull(strstr(err, "(replace the <...> placeholder with a real id)"));
}
END_TEST

START_TEST(full_names)
{
    char name[UNITS_NAME_MAX];
    units_full_name(name, "acct", UNITS_ROUTER, "my-router");
    ck_assert_str_eq(name, "accounts/acct/routers/my-router");
    units_full_name(name, "acct", UNITS_DEPLOYMENT, "v1");
    ck_assert_str_eq(name, "accounts/acct/deployments/v1");
    units_full_name(name, "acct", UNITS_MODEL, "llama-v3p1-8b");
    ck_assert_str_eq(name, "accounts/acct/models/llama-v3p1-8b");
    units_full_name(name, "ignored", UNITS_ACCOUNT, "acct");
    ck_assert_str_eq(name, "accounts/acct");
}
END_TEST

/* Whatever a scenario holds, the message stays one readable, bounded line. */
START_TEST(offending_text_is_escaped_and_cut)
{
    double v;
    ck_assert_int_eq(units_parse_duration("1\n\"x\"\\", &v, err, sizeof err), -1);
    ck_assert_str_eq(err, "expected a duration like 90s, 10m, 1.5h or 250ms, got "
                          "\"1\\x0a\\\"x\\\"\\\\\"");
    char text[2000];
    memset(text, 'z', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    ck_assert_int_eq(units_parse_duration(text, &v, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "zzz...\""));
    ck_assert_uint_lt(strlen(err), 200);
    char tiny[16];
    ck_assert_int_eq(units_parse_duration(text, &v, tiny, sizeof tiny), -1);
    ck_assert_str_eq(tiny, "expected a dura");
}
END_TEST

/* Edit distances computed by hand: substitutions and insertions (kitten -> sitting), a swap
 * of neighbours counting one, and optimal string alignment's rule that a swapped pair is not
 * edited again (ca -> abc is 3, not the unrestricted Damerau distance 2). */
START_TEST(edit_distance)
{
    static const struct {
        const char *a, *b;
        size_t d;
    } cases[] = {{"", "", 0},      {"abc", "abc", 0},        {"", "abc", 3},
                 {"abc", "", 3},   {"kitten", "sitting", 3}, {"ab", "ba", 1},
                 {"ca", "abc", 3}, {"flaw", "lawn", 2},      {"my-ruoter", "my-router", 1},
                 {"v1", "v2", 1},  {"router", "ruoter", 1}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        ck_assert_msg(units_edit_distance(cases[i].a, cases[i].b) == cases[i].d, "%s %s",
                      cases[i].a, cases[i].b);
        ck_assert_msg(units_edit_distance(cases[i].b, cases[i].a) == cases[i].d, "%s %s",
                      cases[i].b, cases[i].a);
    }
    /* Near enough to suggest: one edit always, else one per three characters. */
    ck_assert(units_is_near("my-ruoter", "my-router"));
    ck_assert(units_is_near("s", "r"));
    ck_assert(units_is_near("canary-v2", "canary-v3"));
    ck_assert(units_is_near("abcdef", "abxdey"));  /* 2 edits in 6 */
    ck_assert(!units_is_near("abcdef", "abxyzf")); /* 3 edits in 6 */
    ck_assert(!units_is_near("far-away", "a"));
    ck_assert(!units_is_near("same", "same")); /* not a typo of itself */
}
END_TEST

/* One test per case, so that every case is its own CTest entry. */
static void add(Suite *s, TCase *tc, const TTest *test)
{
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

/* Durations and rates print as a person writes them, in the fewest digits that keep the
 * value. */
START_TEST(format_duration)
{
    static const struct {
        double seconds;
        const char *text;
    } cases[] = {{0, "0s"},
                 {0.25, "250ms"},
                 {1e-7, "0.0000001s"},
                 {1.5, "1.5s"},
                 {90, "1m30s"},
                 {127.5, "2m7.5s"},
                 {1200, "20m"},
                 {1230, "20m30s"},
                 {3600, "1h"},
                 {4500, "1h15m"},
                 {90000, "1d1h"},
                 {3661, "1h1m1s"},
                 {86400.001, "1d0.001s"},
                 {1e-30, "1e-30s"},
                 {UNITS_MAX_DURATION_S, "366d"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32];
        units_format_duration(cases[i].seconds, out, sizeof out);
        ck_assert_str_eq(out, cases[i].text);
    }
    static const struct {
        double per_second;
        const char *text;
    } rates[] = {{0, "0/s"},         {50, "50/s"},   {0.5, "30/m"},        {0.01, "36/h"},
                 {1e6, "1000000/s"}, {2.5, "2.5/s"}, {1 / 86400.0, "1/d"}, {1e9, "1000000000/s"}};
    for (size_t i = 0; i < sizeof rates / sizeof rates[0]; i++) {
        char out[32];
        units_format_rate(rates[i].per_second, out, sizeof out);
        ck_assert_str_eq(out, rates[i].text);
    }
}
END_TEST

/* Reports write the same instants again and again, with other durations between them and
 * into buffers of other sizes: each is still written as it is on its own. 20 values, k x
 * 1.5 s, twice over and interleaved with 250 ms, come out as "1.5s", "3s", "4.5s"... */
START_TEST(format_duration_asked_again)
{
    for (int round = 0; round < 2; round++)
        for (int k = 1; k <= 20; k++) {
            char out[32], wide[64], want[32];
            if (k % 2)
                snprintf(want, sizeof want, "%d.5s", 3 * k / 2);
            else
                snprintf(want, sizeof want, "%ds", 3 * k / 2);
            units_format_duration(1.5 * k, out, sizeof out);
            ck_assert_str_eq(out, want);
            units_format_duration(0.25, wide, sizeof wide);
            ck_assert_str_eq(wide, "250ms");
            units_format_duration(1.5 * k, wide, sizeof wide);
            ck_assert_str_eq(wide, want);
        }
}
END_TEST

/* A small deterministic generator (splitmix64), so the property below sees the same values
 * on every run. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The property: every duration and rate a run can hold prints as text that reads back
 * through the parser as exactly the same double. Values are drawn log-uniformly over every
 * magnitude from 1e-9 up to the largest the format accepts, half of them arbitrary doubles
 * and half "round" ones (a few decimal digits, as people write and as sums of them come
 * out), plus whole multiples of every unit and values next to them. */
START_TEST(format_reads_back)
{
    uint64_t state = 42;
    char out[32], why[160];
    for (int i = 0; i < 60000; i++) {
        double u = (double)(next_random(&state) >> 11) / 9007199254740992.0; /* [0, 1) */
        int round_value = i % 2;
        double seconds = pow(10, -9 + u * (log10(UNITS_MAX_DURATION_S) + 9));
        double per_second = pow(10, -9 + u * 18);
        if (round_value) {
            seconds = units_round_significant(seconds, 1 + (int)(next_random(&state) % 6));
            per_second = units_round_significant(per_second, 1 + (int)(next_random(&state) % 6));
        }
        if (i % 1000 == 0) { /* neighbours of whole minutes, hours, days */
            double whole = 60.0 * (double)(next_random(&state) % 527040);
            seconds = i % 2000 ? nextafter(whole, 0) : nextafter(whole, INFINITY);
        }
        seconds = fmin(seconds, UNITS_MAX_DURATION_S);
        per_second = fmin(per_second, UNITS_MAX_RATE_PER_S);
        double back = -1;
        units_format_duration(seconds, out, sizeof out);
        ck_assert_msg(units_parse_duration(out, &back, why, sizeof why) == 0, "%.17g: %s", seconds,
                      why);
        ck_assert_msg(back == seconds, "%.17g printed as %s reads back as %.17g", seconds, out,
                      back);
        units_format_rate(per_second, out, sizeof out);
        ck_assert_msg(units_parse_rate(out, &back, why, sizeof why) == 0, "%.17g: %s", per_second,
                      why);
        ck_assert_msg(back == per_second, "%.17g/s printed as %s reads back as %.17g", per_second,
                      out, back);
    }
}
END_TEST

/* Numbers for people keep their significant digits however small. */
START_TEST(format_number)
{
    static const struct {
        double x;
        int digits, decimals;
        const char *text;
    } cases[] = {{0, 3, 4, "0.0000"},      {0.75, 3, 4, "0.7500"}, {0.0000123, 3, 4, "0.0000123"},
                 {1e-6, 1, 4, "0.000001"}, {60, 3, 2, "60.00"},    {0.001234, 3, 2, "0.00123"},
                 {123456, 3, 0, "123456"}, {1e-30, 3, 2, "1e-30"}, {1e-6, 0, 0, "0.000001"},
                 {0.015, 0, 0, "0.015"},   {0.1, 0, 2, "0.10"},    {42, 0, 0, "42"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        units_format_number(cases[i].x, cases[i].digits, cases[i].decimals, out, sizeof out);
        ck_assert_str_eq(out, cases[i].text);
    }
    ck_assert_double_eq(units_round_significant(6.6849, 3), 6.68);
    ck_assert_double_eq(units_round_significant(-0.0012345, 2), -0.0012);
    ck_assert_double_eq(units_round_significant(0, 3), 0);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("units");
    TCase *format = tcase_create("format_duration");
    tcase_add_test(format, format_duration);
    tcase_add_test(format, format_duration_asked_again);
    suite_add_tcase(s, format);
    add(s, tcase_create("durations"), durations_every_form);
    add(s, tcase_create("durations_refused"), durations_refused);
    add(s, tcase_create("rates"), rates_every_form);
    add(s, tcase_create("rates_refused"), rates_refused);
    add(s, tcase_create("integers"), integers);
    add(s, tcase_create("integers_refused"), integers_refused);
    add(s, tcase_create("reals"), reals);
    add(s, tcase_create("reals_refused"), reals_refused);
    add(s, tcase_create("booleans"), booleans);
    add(s, tcase_create("id_rule"), id_rule);
    add(s, tcase_create("resolve"), resolve_short_and_full);
    add(s, tcase_create("resolve_refused"), resolve_refused_with_reason);
    add(s, tcase_create("resolve_models"), resolve_models);
    add(s, tcase_create("full_names"), full_names);
    add(s, tcase_create("messages_escaped"), offending_text_is_escaped_and_cut);
    add(s, tcase_create("edit_distance"), edit_distance);
    add(s, tcase_create("format_number"), format_number);
    TCase *round_trip = tcase_create("format_reads_back");
    tcase_set_timeout(round_trip, 120);
    add(s, round_trip, format_reads_back);
    return s;
}
