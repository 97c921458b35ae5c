/* SPDX-License-Identifier: GPL-3.0-or-later */
/* The world's records and a loaded scenario's lookups, at the sizes fleets have. */
#include "sim/model/world.h"

#include "sim/load/scenario_load.h"
#include "tests/check_main.h"
#include "tests/support.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char err[1024];

static void apply_ok(world *w, world_cmd *cmd)
{
    ck_assert_msg(world_apply(w, cmd, err, sizeof err) == 0, "%s", err);
    world_cmd_clear(cmd);
}

static void create_deployment(world *w, const char *id, const char *model)
{
    world_cmd cmd;
    world_cmd_init(&cmd);
    cmd.op = WORLD_DEPLOYMENT_CREATE;
    snprintf(cmd.id, sizeof cmd.id, "%s", id);
    if (model) {
        ck_assert_int_eq(world_cmd_set_text(&cmd.model, model), 0);
        cmd.set |= WORLD_SET_MODEL;
    }
    apply_ok(w, &cmd);
}

static void router_cmd(world_cmd *cmd, world_op op, const char *id, const char *const *deps,
                       size_t n)
{
    world_cmd_init(cmd);
    cmd->op = op;
    snprintf(cmd->id, sizeof cmd->id, "%s", id);
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(world_cmd_add_deployment(cmd, deps[i]), 0);
    cmd->set |= n ? WORLD_SET_DEPLOYMENTS : 0;
}

/* A command's deployment list sized at once (as a file's list is read) and then grown one by
 * one keeps every id: resizing leaves room the way adding expects. */
START_TEST(deployment_list_resized_then_grown)
{
    world_cmd cmd;
    world_cmd_init(&cmd);
    char id[32];
    size_t n = 0;
    for (size_t round = 0; round < 3; round++) {
        size_t at_once = 5 + 37 * round;
        ck_assert_int_eq(world_cmd_resize_deployments(&cmd, n + at_once), 0);
        for (size_t i = 0; i < at_once; i++) {
            ck_assert_str_eq(cmd.deployments[n + i], "");
            snprintf(cmd.deployments[n + i], sizeof cmd.deployments[0], "d%zu", n + i);
        }
        n += at_once;
        for (size_t i = 0; i < 11 * round + 3; i++, n++) {
            snprintf(id, sizeof id, "d%zu", n);
            ck_assert_int_eq(world_cmd_add_deployment(&cmd, id), 0);
        }
    }
    ck_assert_uint_eq(cmd.n_deployments, n);
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "d%zu", i);
        ck_assert_str_eq(cmd.deployments[i], id);
    }
    world_cmd_clear(&cmd);
}
END_TEST

/* A record's id, name, model and display name read as the commands set them, and stay
 * valid (pointers into the world) across later commands, deletes and creates of the same
 * id: callers keep them, e.g. a phase's router name. */
START_TEST(records_keep_their_strings)
{
    world *w = world_new("acme", 1);
    create_deployment(w, "a", "accounts/acme/models/m1");
    create_deployment(w, "b", NULL);
    const world_deployment *a = world_deployment_at(w, 0);
    ck_assert_str_eq(a->id, "a");
    ck_assert_str_eq(a->name, "accounts/acme/deployments/a");
    ck_assert_str_eq(a->model, "accounts/acme/models/m1");
    ck_assert_str_eq(a->region, "US");
    ck_assert_str_eq(world_deployment_at(w, 1)->model, "");
    const char *name = a->name;

    world_cmd cmd;
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "r", (const char *[]){"a", "b"}, 2);
    ck_assert_int_eq(world_cmd_set_text(&cmd.display_name, "first"), 0);
    cmd.set |= WORLD_SET_DISPLAY_NAME;
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 1);
    const char *first = world_router_at(w, 0)->display_name;
    router_cmd(&cmd, WORLD_ROUTER_UPDATE, "r", NULL, 0);
    ck_assert_int_eq(world_cmd_set_text(&cmd.display_name, "second"), 0);
    cmd.set |= WORLD_SET_DISPLAY_NAME;
    apply_ok(w, &cmd);
    ck_assert_str_eq(world_router_at(w, 0)->display_name, "second");
    ck_assert_str_eq(first, "first"); /* the old text is still readable */
    ck_assert_str_eq(world_router_at(w, 0)->name, "accounts/acme/routers/r");
    ck_assert_str_eq(world_router_at(w, 0)->id, "r");

    router_cmd(&cmd, WORLD_ROUTER_DELETE, "r", NULL, 0);
    apply_ok(w, &cmd);
    world_cmd_init(&cmd);
    cmd.op = WORLD_DEPLOYMENT_DELETE;
    snprintf(cmd.id, sizeof cmd.id, "a");
    apply_ok(w, &cmd);
    create_deployment(w, "a", "accounts/acme/models/m2"); /* the same slot, a new resource */
    ck_assert_uint_eq(world_deployment_count(w), 2);
    ck_assert_str_eq(world_deployment_at(w, 0)->model, "accounts/acme/models/m2");
    ck_assert_str_eq(name, "accounts/acme/deployments/a");
    world_free(w);
}
END_TEST

/* Many deployments and routers: each found by id, each router's list checked on its own
 * (listing a deployment another router lists is fine; listing one twice is not), and a
 * refused command leaves the next one unaffected. */
START_TEST(many_resources)
{
    enum { N = 3000 };
    world *w = world_new("acme", 1);
    char id[32];
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "d%d", i);
        create_deployment(w, id, i % 2 ? "accounts/acme/models/odd" : NULL);
    }
    for (int i = 0; i < N; i++) {
        snprintf(id, sizeof id, "d%d", i);
        ck_assert_int_eq(world_find_deployment(w, id), i);
        ck_assert_str_eq(world_deployment_at(w, (size_t)i)->id, id);
    }
    ck_assert_int_eq(world_find_deployment(w, "d3000"), -1);
    ck_assert_ptr_eq(world_deployment_at(w, 1)->model, world_deployment_at(w, 3)->model);

    world_cmd cmd;
    for (int r = 0; r < N / 2; r++) {
        char a[32], b[32];
        snprintf(a, sizeof a, "d%d", r);
        snprintf(b, sizeof b, "d%d", r + 1);
        snprintf(id, sizeof id, "r%d", r);
        router_cmd(&cmd, WORLD_ROUTER_CREATE, id, (const char *[]){a, b}, 2);
        apply_ok(w, &cmd);
    }
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "twice", (const char *[]){"d5", "d6", "d5"}, 3);
    ck_assert_int_eq(world_apply(w, &cmd, err, sizeof err), -1);
    ck_assert_str_eq(err, "deployment \"d5\" is listed twice");
    world_cmd_clear(&cmd);
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "once", (const char *[]){"d5", "d6"}, 2);
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), N / 2 + 1);
    ck_assert_int_eq(world_find_router(w, "once"), N / 2);
    world_free(w);
}
END_TEST

static int changed(const world *w, size_t router)
{
    return world_router_at(w, router)->changed;
}

/* A commit flags (and re-weights) exactly the routers whose weights moved: those listing a
 * deployment whose counts changed, through any of the ways they change, and those whose
 * own list or settings changed; the others keep their selector and weights. */
START_TEST(commit_flags_what_moved)
{
    world *w = world_new("acme", 1);
    create_deployment(w, "a", NULL);
    create_deployment(w, "b", NULL);
    create_deployment(w, "c", NULL);
    world_cmd cmd;
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "ab", (const char *[]){"a", "b"}, 2);
    apply_ok(w, &cmd);
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "bc", (const char *[]){"b", "c"}, 2);
    apply_ok(w, &cmd);
    router_cmd(&cmd, WORLD_ROUTER_CREATE, "c", (const char *[]){"c"}, 1);
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 3);
    ck_assert_int_eq(world_commit(w), 0); /* nothing changed */

    world_autoscale(w, 0, 1); /* a's bounds are [1, 1]: no move, though it was touched */
    ck_assert_int_eq(world_commit(w), 0);

    world_cmd_init(&cmd);
    cmd.op = WORLD_DEPLOYMENT_SCALE;
    cmd.set = WORLD_SET_REPLICAS;
    cmd.replicas = 3;
    snprintf(cmd.id, sizeof cmd.id, "b");
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 2);
    ck_assert(changed(w, 0) && changed(w, 1) && !changed(w, 2));
    ck_assert_uint_eq(world_router_at(w, 1)->weights[0], 3);

    world_set_ready(w, 1, 2); /* fewer ready: both routers weigh ready replicas */
    ck_assert_int_eq(world_commit(w), 2);
    ck_assert_uint_eq(world_router_at(w, 0)->weights[1], 2);

    world_cmd_init(&cmd);
    cmd.op = WORLD_DEPLOYMENT_SCALE;
    cmd.set = WORLD_SET_REPLICAS;
    cmd.replicas = 4;
    snprintf(cmd.id, sizeof cmd.id, "c");
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 2);
    ck_assert(!changed(w, 0) && changed(w, 1) && changed(w, 2));

    router_cmd(&cmd, WORLD_ROUTER_UPDATE, "ab", (const char *[]){"a"}, 1); /* a new list */
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 1);
    ck_assert(changed(w, 0) && !changed(w, 1) && !changed(w, 2));

    world_set_ready(w, 1, 3); /* b now behind bc alone */
    ck_assert_int_eq(world_commit(w), 1);
    ck_assert(!changed(w, 0) && changed(w, 1));

    router_cmd(&cmd, WORLD_ROUTER_DELETE, "c", NULL, 0);
    apply_ok(w, &cmd);
    ck_assert_int_eq(world_commit(w), 1);
    ck_assert(changed(w, 2) && world_router_at(w, 2)->total_weight == 0);
    world_free(w);
}
END_TEST

/* Serving models found by deployment id among thousands (indexed by the loader), and the
 * same answers from a scenario nobody indexed. */
START_TEST(serving_lookup)
{
    enum { N = 2000 };
    size_t size = 128 + (size_t)N * 128;
    char *text = malloc(size);
    size_t used = (size_t)snprintf(text, size, "name: s\naccount: a\nduration: 1s\ndeployments:\n");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(text + used, size - used,
                                 "  - {id: d%d, serving: {concurrency: %d, service_time: "
                                 "{distribution: exponential, mean: 1ms}}}\n",
                                 i, i + 1);
    snprintf(text + used, size - used,
             "  - {id: plain}\nrouters:\n  - {id: r, deployments: [plain]}\n"
             "traffic:\n  - {router: r, rate: 1/s}\n");
    scenario *sc = load_text(text);
    free(text);
    ck_assert_uint_eq(sc->serving_index.n, N);
    char id[32];
    for (int pass = 0; pass < 2; pass++) {
        for (int i = 0; i < N; i++) {
            snprintf(id, sizeof id, "d%d", i);
            const serving_spec *spec = scenario_serving_of(sc, id);
            ck_assert_ptr_nonnull(spec);
            ck_assert_int_eq(spec->concurrency, i + 1);
        }
        ck_assert_ptr_null(scenario_serving_of(sc, "plain"));
        ck_assert_ptr_null(scenario_serving_of(sc, "d2000"));
        free(sc->serving_index.cells); /* the second pass: not indexed */
        sc->serving_index = (scenario_index){NULL, 0, 0};
    }
    scenario_free(sc);
}
END_TEST

/* The timeline is played in time order, events at one instant in the order written, after
 * the scenario's own deployments and routers. */
START_TEST(events_in_time_order)
{
    scenario *sc = load_text("name: t\naccount: a\nduration: 10s\n"
                             "deployments: [{id: a}, {id: b}]\n"
                             "routers: [{id: r, deployments: [a]}]\n"
                             "traffic: [{router: r, rate: 1/s}]\n"
                             "timeline:\n"
                             "  - {at: 5s, scale: {deployment: a, replicas: 5}}\n"
                             "  - {at: 2s, scale: {deployment: a, replicas: 2}}\n"
                             "  - {at: 5s, scale: {deployment: b, replicas: 6}}\n"
                             "  - {at: 0s, scale: {deployment: b, replicas: 1}}\n"
                             "  - {at: 2s, scale: {deployment: b, replicas: 3}}\n");
    static const struct {
        double at_s;
        const char *id;
        long long replicas;
    } want[] = {{0, "a", -1}, {0, "b", -1}, {0, "r", -1}, {0, "b", 1},
                {2, "a", 2},  {2, "b", 3},  {5, "a", 5},  {5, "b", 6}};
    ck_assert_uint_eq(sc->n_events, 8);
    for (size_t i = 0; i < 8; i++) {
        ck_assert_double_eq(sc->events[i].at_s, want[i].at_s);
        ck_assert_str_eq(sc->events[i].cmd.id, want[i].id);
        if (want[i].replicas >= 0)
            ck_assert_int_eq(sc->events[i].cmd.replicas, want[i].replicas);
    }
    scenario_free(sc);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("world");
    check_add_case(s, tcase_create("records_keep_their_strings"), records_keep_their_strings, 4);
    check_add_case(s, tcase_create("many_resources"), many_resources, 30);
    check_add_case(s, tcase_create("commit_flags_what_moved"), commit_flags_what_moved, 4);
    check_add_case(s, tcase_create("serving_lookup"), serving_lookup, 30);
    check_add_case(s, tcase_create("events_in_time_order"), events_in_time_order, 4);
    check_add_case(s, tcase_create("deployment_list_resized"), deployment_list_resized_then_grown,
                   4);
    return s;
}
