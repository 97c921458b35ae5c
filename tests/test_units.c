/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/base/units.h"

#include "tests/check_main.h"

#include <limits.h>
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
}
END_TEST

START_TEST(durations_refused)
{
    duration_refused("10 minutes",
                     "expected a duration like 90s, 10m, 1.5h or 250ms, got \"10 minutes\"");
    duration_refused("", "expected a duration like 90s, 10m, 1.5h or 250ms, got \"\"");
    const char *bad[] = {" 10m", "10m ", "10 m", "-5s",  "+5s",    "1e3s", "1e3",
                         "0x10", "10M",  "10S",  "5sec", "1.5.3h", ".5h",  "1.h",
                         "s",    "ms",   "inf",  "nan",  "10mm",   "1,5h", "10m\n"};
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
}
END_TEST

START_TEST(rates_refused)
{
    rate_refused("50 per second", "expected a rate like 50/s, 3000/m or 180000/h (a bare number "
                                  "is per second), got \"50 per second\"");
    const char *bad[] = {"",      "/s",    "50/",   "50/sec", "50/S", "50s",  "-1/s",
                         " 50/s", "50/s ", "50 /s", "1e3/s",  "nan",  "inf/s"};
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

/* One test per case, so that every case is its own CTest entry. */
static void add(Suite *s, TCase *tc, const TTest *test)
{
    tcase_add_test(tc, test);
    suite_add_tcase(s, tc);
}

/* Durations in messages read as a person writes them; single-unit ones parse back to the
 * same value (compound ones such as 20m30s are for reading). */
START_TEST(format_duration)
{
    static const struct {
        double seconds;
        const char *text;
        int parses;
    } cases[] = {{0, "0s", 1},     {0.25, "250ms", 1}, {1.5, "1.5s", 1},
                 {90, "1m30s", 0}, {1200, "20m", 1},   {1230, "20m30s", 0},
                 {3600, "1h", 1},  {90000, "1d1h", 0}, {3661, "1h1m1s", 0}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[32], why[128];
        double back;
        units_format_duration(cases[i].seconds, out, sizeof out);
        ck_assert_str_eq(out, cases[i].text);
        if (!cases[i].parses)
            continue;
        ck_assert_int_eq(units_parse_duration(out, &back, why, sizeof why), 0);
        ck_assert_double_eq_tol(back, cases[i].seconds, 1e-12);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("units");
    TCase *format = tcase_create("format_duration");
    tcase_add_test(format, format_duration);
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
    return s;
}
