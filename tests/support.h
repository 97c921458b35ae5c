/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * support — what the engine-level tests share: a scenario written from text to a
 * temporary file and loaded, and a run that must succeed.
 */
#ifndef ROUTERSIM_TEST_SUPPORT_H
#define ROUTERSIM_TEST_SUPPORT_H

#include "sim/run/engine.h"
#include "sim/load/scenario_load.h"

#include <check.h>
#include <stdio.h>
#include <unistd.h>

static inline scenario *load_text(const char *text)
{
    char path[] = "/tmp/routersim-test-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    fputs(text, f);
    fclose(f);
    char err[1024];
    scenario *sc = scenario_load(path, err, sizeof err);
    unlink(path);
    ck_assert_msg(sc != NULL, "%s", err);
    return sc;
}

static inline results *run_seed(const scenario *sc, uint64_t seed)
{
    char err[1024];
    results *r = engine_run(sc, seed, NULL, NULL, err, sizeof err);
    ck_assert_msg(r != NULL, "%s", err);
    return r;
}

#endif
