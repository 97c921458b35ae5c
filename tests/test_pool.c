/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "reports/reports.h"
#include "sim/run/engine.h"

#include "tests/check_main.h"
#include "tests/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 * Pooled traffic (16 or more constant-rate entries) gets its arrivals from a stream of its
 * own, drawn on a producer thread or inline: a user relies on the reports of a scenario and
 * seed being the same whichever way they were drawn. The scenario below has 24 pooled
 * entries (one aimed at a router that does not exist yet), a profiled entry that is not
 * pooled, a scale-up mid-run and an expect window, so queued events, the main stream and
 * the pool's arrivals interleave; its 240,000 expected pooled arrivals span hundreds of the
 * feed's blocks. Every report file must be the same bytes with the thread forced on, off
 * and left to the engine.
 */

enum { ROUTERS = 24 };

static scenario *pooled_scenario(void)
{
    char text[16384];
    size_t len = (size_t)snprintf(text, sizeof text,
                                  "name: pool\naccount: acme\nseed: 9\nduration: 20s\n"
                                  "window: 1s\ndeployments:\n");
    for (int r = 0; r < ROUTERS; r++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  - {id: a%d, replicas: 1}\n  - {id: b%d, replicas: %d}\n", r, r,
                                1 + r % 3);
    len += (size_t)snprintf(text + len, sizeof text - len, "routers:\n");
    for (int r = 0; r < ROUTERS - 1; r++)
        len += (size_t)snprintf(text + len, sizeof text - len,
                                "  - {id: r%d, deployments: [a%d, b%d]}\n", r, r, r);
    len += (size_t)snprintf(text + len, sizeof text - len, "traffic:\n");
    for (int r = 0; r < ROUTERS; r++)
        len += (size_t)snprintf(text + len, sizeof text - len, "  - {router: r%d, rate: %d/s}\n", r,
                                200 + 40 * r);
    len += (size_t)snprintf(text + len, sizeof text - len,
                            "  - router: r0\n    profile:\n      - {until: 10s, rate: 300/s}\n"
                            "      - {until: 20s, rate: 900/s}\n"
                            "timeline:\n  - {at: 7s, scale: {deployment: a1, replicas: 4}}\n"
                            "  - {at: 11s, create_router: {id: r%d, deployments: [a%d, b%d]}}\n"
                            "checks:\n  expect:\n    - router: r1\n      during: [2s, 15s]\n"
                            "      share: {a1: 0.5, b1: 0.5}\n      tolerance: 0.05\n",
                            ROUTERS - 1, ROUTERS - 1, ROUTERS - 1);
    return load_text(text);
}

static void temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "/tmp/routersim-pool-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    char command[512];
    snprintf(command, sizeof command, "/bin/rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

static char *slurp(const char *dir, const char *name, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "%s missing", path);
    size_t cap = 1 << 16;
    char *buf = malloc(cap);
    *len = 0;
    for (size_t got; buf && (got = fread(buf + *len, 1, cap - *len, f)) > 0;) {
        *len += got;
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
    }
    ck_assert_ptr_nonnull(buf);
    fclose(f);
    return buf;
}

static const char *const report_files[] = {"timeseries.csv", "requests.csv", "junit.xml",
                                           "report.md", "report.json"};

/* Run the scenario's seed with the pool drawn this way (engine_run leaves it to the
 * engine); its reports go into dir. */
static uint64_t run_into(const scenario *sc, engine_pool_thread how, char *dir, size_t size)
{
    char err[1024];
    results *r = how == ENGINE_POOL_THREAD_AUTO
                     ? run_seed(sc, sc->seed)
                     : engine_run_pool(sc, sc->seed, how, NULL, NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    uint64_t total = r->total;
    temp_dir(dir, size);
    reports_options opts = {.plots = 0};
    ck_assert_msg(reports_write(dir, r, &opts, NULL, err, sizeof err) == 0, "%s", err);
    results_free(r);
    return total;
}

START_TEST(reports_the_same_with_the_thread_on_and_off)
{
    scenario *sc = pooled_scenario();
    char off[256], on[256], chosen[256];
    uint64_t total = run_into(sc, ENGINE_POOL_THREAD_OFF, off, sizeof off);
    ck_assert_uint_gt(total, 200000);
    ck_assert_uint_eq(run_into(sc, ENGINE_POOL_THREAD_ON, on, sizeof on), total);
    ck_assert_uint_eq(run_into(sc, ENGINE_POOL_THREAD_AUTO, chosen, sizeof chosen), total);
    for (size_t i = 0; i < sizeof report_files / sizeof report_files[0]; i++) {
        size_t n_off, n_on, n_chosen;
        char *a = slurp(off, report_files[i], &n_off);
        char *b = slurp(on, report_files[i], &n_on);
        char *c = slurp(chosen, report_files[i], &n_chosen);
        ck_assert_msg(n_off == n_on && memcmp(a, b, n_off) == 0,
                      "%s differs with the thread on and off", report_files[i]);
        ck_assert_msg(n_off == n_chosen && memcmp(a, c, n_off) == 0,
                      "%s differs with the thread left to the engine", report_files[i]);
        free(a);
        free(b);
        free(c);
    }
    remove_tree(off);
    remove_tree(on);
    remove_tree(chosen);
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("pool");
    check_add_case(s, tcase_create("reports_the_same_with_the_thread_on_and_off"),
                   reports_the_same_with_the_thread_on_and_off, 120);
    return s;
}
