/* SPDX-License-Identifier: GPL-3.0-or-later */
/* yemit: a document written back out reads back to the same tree, and every bundled scenario
 * written back out (as planned.yaml is) loads to the same scenario. */
#include "check_main.h"
#include "sim/load/scenario_load.h"
#include "sim/load/yemit.h"

#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Same shape, same scalar texts and plainness, same key order, same flow style, except that inside
 * a flow collection everything is written in flow style (YAML allows nothing else there), e.g. an
 * alias of a block list used as a flow map's value, and that a flow list of flow mappings outside
 * any flow collection is written as a block list, one mapping per line. */
static int tree_equal(const ydoc_node *a, const ydoc_node *b, int in_flow, char *why, size_t size)
{
    if (a->type != b->type || a->n != b->n) {
        snprintf(why, size, "line %d: a %s of %u became a %s of %u", a->line,
                 ydoc_type_name(a->type), (unsigned)a->n, ydoc_type_name(b->type), (unsigned)b->n);
        return 0;
    }
    if (a->type == YDOC_SCALAR) {
        int same = strcmp(a->value, b->value) == 0 && a->plain == b->plain;
        /* an empty plain scalar inside flow style is written `null`: the same null */
        if (!same && a->plain && b->plain && ydoc_is_null(a) && ydoc_is_null(b))
            same = 1;
        if (!same)
            snprintf(why, size, "line %d: \"%s\" (plain %d) became \"%s\" (plain %d)", a->line,
                     a->value, a->plain, b->value, b->plain);
        return same;
    }
    int lines = a->type == YDOC_SEQ && a->flow && !in_flow && a->n > 0;
    for (size_t i = 0; lines && i < a->n; i++)
        lines = a->items[i]->type == YDOC_MAP && a->items[i]->flow;
    if (lines ? b->flow : a->flow != b->flow && !(in_flow && b->flow)) {
        snprintf(why, size, "line %d: flow style %d became %d", a->line, a->flow, b->flow);
        return 0;
    }
    for (size_t i = 0; i < a->n; i++)
        if ((a->type == YDOC_MAP &&
             !tree_equal(a->keys[i], b->keys[i], in_flow || b->flow, why, size)) ||
            !tree_equal(a->items[i], b->items[i], in_flow || b->flow, why, size))
            return 0;
    return 1;
}

static ydoc *round_trip(const ydoc *a, char **text)
{
    char err[1024];
    *text = yemit_string(a, err, sizeof err);
    ck_assert_msg(*text != NULL, "%s", err);
    ydoc *b = ydoc_load_string(*text, strlen(*text), "emitted", err, sizeof err);
    ck_assert_msg(b != NULL, "%s\n%s", err, *text);
    char why[512];
    ck_assert_msg(tree_equal(ydoc_root(a), ydoc_root(b), 0, why, sizeof why), "%s\n%s", why, *text);
    return b;
}

START_TEST(tricky_scalars)
{
    static const char text[] = "a: \"12\"\n"
                               "b: 12\n"
                               "c:\n"
                               "d: ''\n"
                               "e: {x: , y: [1, \"2\", ~]}\n"
                               "f: \"key: value # not a comment\"\n"
                               "g: \"line one\\nline two\\ttab \\\"quoted\\\" caf\\u00e9\"\n"
                               "h: &shared {mean: 250ms, cv: 0.5}\n"
                               "i: *shared\n"
                               "j: {<<: *shared, cv: 2}\n"
                               "k: ['- not a list', '#hash', ' padded ', 'yes', '@at', '-1']\n"
                               "l:\n  - run: firectl deployment update x --min-replica-count=1\n";
    char err[1024], *out;
    ydoc *a = ydoc_load_string(text, sizeof text - 1, "tricky", err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    ydoc *b = round_trip(a, &out);
    free(out);
    ydoc_free(a);
    ydoc_free(b);
}
END_TEST

/* Everything a run reads from a scenario, compared field by field. */
static void same_scenario(const scenario *x, const scenario *y)
{
    ck_assert_str_eq(x->name, y->name);
    ck_assert(x->seed == y->seed);
    ck_assert(x->duration_s == y->duration_s && x->window_s == y->window_s);
    ck_assert_uint_eq(x->n_events, y->n_events);
    for (size_t i = 0; i < x->n_events; i++) {
        ck_assert(x->events[i].at_s == y->events[i].at_s);
        ck_assert(x->events[i].cmd.op == y->events[i].cmd.op);
        ck_assert_str_eq(x->events[i].text ? x->events[i].text : "",
                         y->events[i].text ? y->events[i].text : "");
    }
    ck_assert_uint_eq(x->n_traffic, y->n_traffic);
    for (size_t i = 0; i < x->n_traffic; i++) {
        ck_assert(x->traffic[i].shape.rate == y->traffic[i].shape.rate);
        ck_assert_uint_eq(x->traffic[i].shape.n_segments, y->traffic[i].shape.n_segments);
        ck_assert(x->traffic[i].shape.daily_peak == y->traffic[i].shape.daily_peak);
        ck_assert(x->traffic[i].trace_arrivals == y->traffic[i].trace_arrivals);
    }
    ck_assert_uint_eq(x->n_serving, y->n_serving);
    for (size_t i = 0; i < x->n_serving; i++)
        ck_assert(memcmp(&x->serving[i].spec, &y->serving[i].spec, sizeof x->serving[i].spec) == 0);
    ck_assert_uint_eq(x->n_capacity, y->n_capacity);
    for (size_t i = 0; i < x->n_capacity; i++) {
        ck_assert(x->capacity[i].kind == y->capacity[i].kind);
        ck_assert(x->capacity[i].limit == y->capacity[i].limit);
        ck_assert(x->capacity[i].start_s == y->capacity[i].start_s);
    }
    ck_assert_uint_eq(x->n_expect, y->n_expect);
    ck_assert_uint_eq(x->n_faults, y->n_faults);
    ck_assert(x->alpha == y->alpha && x->max_failed == y->max_failed &&
              x->max_unserved == y->max_unserved && x->pass_rate == y->pass_rate &&
              x->confidence == y->confidence && x->sequential == y->sequential);
}

/* Every bundled scenario, written back out to a file of its own and loaded again. A replayed
 * trace is named by its absolute path (an override, as the planner writes it), since the
 * copy lives elsewhere. */
static void bundled_round_trip(const char *path)
{
    char err[1024];
    scenario *x = scenario_load(path, err, sizeof err);
    ck_assert_msg(x != NULL, "%s", err);
    char sets[8][4200];
    const char *set_ptrs[8];
    size_t n_sets = 0;
    for (size_t i = 0; i < x->n_traffic && n_sets < 8; i++)
        if (x->traffic[i].trace) {
            snprintf(sets[n_sets], sizeof sets[n_sets], "traffic.%zu.trace=\"%s\"", i,
                     x->traffic[i].trace);
            set_ptrs[n_sets] = sets[n_sets];
            n_sets++;
        }
    char *text = yemit_file_set(path, set_ptrs, n_sets, err, sizeof err);
    ck_assert_msg(text != NULL, "%s", err);
    ydoc *a = ydoc_load_file(path, err, sizeof err);
    ck_assert_msg(a != NULL, "%s", err);
    if (n_sets == 0) {
        char *again;
        ydoc *b = round_trip(a, &again);
        ck_assert_str_eq(again, text);
        free(again);
        ydoc_free(b);
    }
    ydoc_free(a);
    char dir[] = "/tmp/routersim-yemit-XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char copy[sizeof dir + 32];
    snprintf(copy, sizeof copy, "%s/planned.yaml", dir);
    FILE *f = fopen(copy, "w");
    ck_assert(f != NULL);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    scenario *y = scenario_load(copy, err, sizeof err);
    ck_assert_msg(y != NULL, "%s: %s\n%s", path, err, text);
    same_scenario(x, y);
    scenario_free(x);
    scenario_free(y);
    free(text);
    unlink(copy);
    rmdir(dir);
}

START_TEST(bundled_scenarios)
{
    const char *folder = ROUTERSIM_SOURCE_DIR "/scenarios";
    DIR *d = opendir(folder);
    ck_assert(d != NULL);
    size_t seen = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len < 6 || strcmp(e->d_name + len - 5, ".yaml") != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", folder, e->d_name);
        bundled_round_trip(path);
        seen++;
    }
    closedir(d);
    ck_assert_uint_ge(seen, 9);
}
END_TEST

/* The planner's timeline, set as one flow list of {at, run} mappings however long its lines,
 * is written one event per line, as a block list of flow mappings, and loads back to the same
 * events. */
START_TEST(timeline_one_event_per_line)
{
    const char *path = ROUTERSIM_SOURCE_DIR "/scenarios/plan-migration.yaml";
    const char *sets[] = {
        "timeline=[{at: 1m, run: \"firectl deployment update chat-v2 --min-replica-count=1 "
        "--max-replica-count=1\"}, {at: 4m30s, run: \"firectl router update chat-router "
        "--deployments=chat-v1,chat-v2\"}, {at: 4m30s, run: \"firectl deployment update chat-v1 "
        "--min-replica-count=7 --max-replica-count=7\"}]"};
    char err[1024];
    char *text = yemit_file_set(path, sets, 1, err, sizeof err);
    ck_assert_msg(text != NULL, "%s", err);
    const char *expected =
        "timeline:\n"
        "- {at: 1m, run: \"firectl deployment update chat-v2 --min-replica-count=1 "
        "--max-replica-count=1\"}\n"
        "- {at: 4m30s, run: \"firectl router update chat-router --deployments=chat-v1,chat-v2\"}\n"
        "- {at: 4m30s, run: \"firectl deployment update chat-v1 --min-replica-count=7 "
        "--max-replica-count=7\"}\n";
    ck_assert_msg(strstr(text, expected) != NULL, "%s", text);
    char dir[] = "/tmp/routersim-yemit-XXXXXX";
    ck_assert(mkdtemp(dir) != NULL);
    char copy[sizeof dir + 32];
    snprintf(copy, sizeof copy, "%s/planned.yaml", dir);
    FILE *f = fopen(copy, "w");
    ck_assert(f != NULL);
    fputs(text, f);
    ck_assert_int_eq(fclose(f), 0);
    scenario *x = scenario_load_set(path, sets, 1, err, sizeof err);
    ck_assert_msg(x != NULL, "%s", err);
    scenario *y = scenario_load(copy, err, sizeof err);
    ck_assert_msg(y != NULL, "%s\n%s", err, text);
    same_scenario(x, y);
    ck_assert_uint_ge(x->n_events, 3);
    ck_assert_uint_eq(y->n_events, x->n_events);
    for (size_t i = 0; i < x->n_events; i++) {
        ck_assert(x->events[i].at_s == y->events[i].at_s);
        ck_assert((x->events[i].text == NULL) == (y->events[i].text == NULL));
        if (x->events[i].text)
            ck_assert_str_eq(x->events[i].text, y->events[i].text);
    }
    scenario_free(x);
    scenario_free(y);
    free(text);
    unlink(copy);
    rmdir(dir);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("yemit");
    check_add_case(s, tcase_create("tricky_scalars"), tricky_scalars, 10);
    check_add_case(s, tcase_create("bundled_scenarios"), bundled_scenarios, 60);
    check_add_case(s, tcase_create("timeline_one_event_per_line"), timeline_one_event_per_line, 10);
    return s;
}
