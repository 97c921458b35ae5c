/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/gnuplot.h"
#include "plots/plots.h"

#include "tests/check_main.h"
#include "tests/split_points.h"

#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/*
 * The plots are drawn by the real gnuplot here: a user relies on getting a valid PNG of the
 * size asked for and an SVG that names the deployments. When gnuplot is missing, fails, or
 * dies, the user relies on one clear warning and no half-written file; a stand-in "gnuplot"
 * first on PATH plays each of those parts.
 */

/* ---- helpers --------------------------------------------------------------------------- */

static char warnings[8][1400];
static size_t n_warnings;

static void collect(const char *message)
{
    if (n_warnings < sizeof warnings / sizeof warnings[0])
        snprintf(warnings[n_warnings], sizeof warnings[0], "%s", message);
    n_warnings++;
}

static void temp_dir(char *dir, size_t size)
{
    snprintf(dir, size, "%s/routersim-plots-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_tree(const char *dir)
{
    char command[4200];
    snprintf(command, sizeof command, "/bin/rm -rf '%s'", dir);
    ck_assert_int_eq(system(command), 0);
}

static size_t files_in(const char *dir)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *buf = malloc(1 << 22);
    *len = fread(buf, 1, (1 << 22) - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* A stand-in for gnuplot: a shell script named gnuplot, first on PATH. */
static void fake_gnuplot(char *dir, size_t size, const char *body)
{
    char path[512], search[1024];
    temp_dir(dir, size);
    snprintf(path, sizeof path, "%s/gnuplot", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fprintf(f, "#!/bin/sh\n%s\n", body);
    fclose(f);
    ck_assert_int_eq(chmod(path, 0755), 0);
    snprintf(search, sizeof search, "%s:/usr/bin:/bin", dir);
    setenv("PATH", search, 1);
}

static void add_share(results_phase *ph, size_t i, const char *name, long long replicas,
                      double share, uint64_t observed)
{
    ph->deployments[i].name = results_strdup(name);
    ph->deployments[i].replicas = replicas;
    ph->deployments[i].expected_share = share;
    ph->deployments[i].observed = observed;
}

static results_phase *add_phase(results *r, double start, double end, size_t n)
{
    results_phase *ph = results_add_phase(r);
    ph->router = results_strdup("accounts/acme/routers/edge");
    ph->start_s = start;
    ph->end_s = end;
    ph->n_deployments = n;
    ph->deployments = calloc(n, sizeof *ph->deployments);
    return ph;
}

/* Router "edge" moves from blue to green over 10 minutes in bins of 30 s: 100/0, then 75/25,
 * then 0/100; a client of a router that never existed fails all along. The sequential test
 * of the 75/25 phase reaches alpha (0.001) at its look at 5m. */
static results *sample(void)
{
    static const char *const names[] = {"accounts/acme/deployments/blue",
                                        "accounts/acme/deployments/green"};
    results *r = results_new();
    r->scenario = results_strdup("it's \"moving\" <b>&amp; ünï 🚀\nsecond line");
    r->source = results_strdup("demo.yaml");
    r->duration_s = 600;
    r->window_s = 30;
    r->alpha = 0.001;
    r->n_bins = 20;
    results_name_index(&r->routers, &r->n_routers, "accounts/acme/routers/edge");
    for (size_t d = 0; d < 2; d++)
        results_name_index(&r->deployments, &r->n_deployments, names[d]);
    results_name_index(&r->targets, &r->n_targets, "accounts/acme/routers/edge");
    results_name_index(&r->targets, &r->n_targets, "accounts/acme/routers/nowhere");

    const double shares[3][2] = {{1, 0}, {0.75, 0.25}, {0, 1}};
    const long long replicas[3][2] = {{2, 0}, {3, 1}, {0, 2}};
    const results_look looks[3][3] = {{{60, 100, 1.0}, {120, 200, 1.0}, {200, 330, 1.0}},
                                      {{240, 60, 0.2}, {300, 150, 0.0004}, {400, 300, 1e-20}},
                                      {{500, 150, 0.5}, {600, 300, 0.5}, {600, 300, 0.5}}};
    for (size_t p = 0; p < 3; p++) {
        results_phase *ph = add_phase(r, 200.0 * (double)p, 200.0 * (double)(p + 1), 2);
        for (size_t d = 0; d < 2; d++)
            add_share(ph, d, names[d], replicas[p][d], shares[p][d], 0);
        for (size_t k = 0; k < 3; k++)
            ck_assert_int_eq(looklog_add(&ph->looks, r->window_s, 0, &looks[p][k]), 0);
    }
    split_points w = {.r = r};
    for (uint32_t bin = 0; bin < r->n_bins; bin++) {
        size_t p = bin * 30 / 200;
        for (uint32_t d = 0; d < 2; d++)
            split_points_add(&w, (results_point){bin, 0, d, (uint64_t)(300 * shares[p][d]),
                                                 replicas[p][d], shares[p][d]});
        for (uint32_t t = 0; t < 2; t++) {
            const uint64_t failed[RESULTS_N_REASONS] = {[RESULTS_ROUTER_NOT_FOUND] = t ? 15 : 0};
            ck_assert_int_eq(flowstore_add(r->flows, t, t ? 15 : 300, failed), 0);
        }
        ck_assert_int_eq(flowstore_end_bin(r->flows), 0);
    }
    split_points_finish(&w);
    r->total = 20 * 315;
    r->routed = 20 * 300;
    r->failed = r->failed_by_reason[RESULTS_ROUTER_NOT_FOUND] = 20 * 15;
    const char *commands[] = {"firectl router update edge --deployments=blue,green",
                              "firectl deployment scale blue --replica-count 0"};
    for (size_t i = 0; i < 2; i++) {
        results_event *ev = results_add_event(r);
        ev->at_s = 200.0 * (double)(i + 1);
        ev->text = results_strdup(commands[i]);
    }
    return r;
}

/* The sample with serving models: green overloads in bins 7-9 (2 minutes from 3m30s) while a
 * second replica starts, rejecting and timing out requests; blue never starts a request
 * (it has no latency to draw) and is gone after bin 13. */
static results *sample_with_load(void)
{
    results *r = sample();
    for (uint32_t bin = 0; bin < r->n_bins; bin++) {
        int overloaded = bin >= 7 && bin <= 9;
        results_load green = {.arrived = 300,
                              .started = overloaded ? 200 : 300,
                              .completed = overloaded ? 200 : 300,
                              .rejected = overloaded ? 90 : 0,
                              .timed_out = overloaded ? 10 : 0,
                              .utilization = overloaded ? 1.0 : 0.55 + 0.01 * bin,
                              .mean_waiting = overloaded ? 180.0 : 0.5,
                              .max_waiting = overloaded ? 200 : 4,
                              .p50_s = overloaded ? 4.0 : 0.2,
                              .p90_s = overloaded ? 6.0 : 0.4,
                              .p99_s = overloaded ? 7.5 : 0.7};
        *results_add_load_point(r) = (results_load_point){
            .bin = bin, .deployment = 1, .replicas = 2, .ready = overloaded ? 1 : 2, .load = green};
        if (bin <= 13)
            *results_add_load_point(r) = (results_load_point){
                .bin = bin, .deployment = 0, .replicas = 1, .ready = 1, .load = {.utilization = 0}};
    }
    results_add_load(r)->deployment = 1;
    r->loads[0].load.rejected = 270;
    r->loads[0].load.timed_out = 30;
    results_add_load(r)->deployment = 0;
    /* two per-window capacity checks, whose limits the plots draw */
    const char *keys[] = {"max_utilization", "max_p99_latency"};
    const double limits[] = {0.9, 2.0};
    for (int k = 0; k < 2; k++) {
        results_check *c = results_add_check(r);
        c->kind = RESULTS_CHECK_CAPACITY;
        c->key = results_strdup(keys[k]);
        c->limit = limits[k];
        c->to_s = 300;
    }
    return r;
}

static void assert_png(const char *path, unsigned width, unsigned height)
{
    size_t len;
    unsigned char *png = (unsigned char *)slurp(path, &len);
    ck_assert_msg(len > 24 && memcmp(png, "\x89PNG\r\n\x1a\n", 8) == 0, "%s: not a PNG", path);
    ck_assert_msg(memcmp(png + 8, "\0\0\0\x0dIHDR", 8) == 0, "%s: no IHDR first", path);
    unsigned w =
        (unsigned)png[16] << 24 | (unsigned)png[17] << 16 | (unsigned)png[18] << 8 | png[19];
    unsigned h =
        (unsigned)png[20] << 24 | (unsigned)png[21] << 16 | (unsigned)png[22] << 8 | png[23];
    ck_assert_uint_eq(w, width);
    ck_assert_uint_eq(h, height);
    free(png);
}

static void assert_svg(const char *path, const char *const *names, size_t n)
{
    char command[4200];
    snprintf(command, sizeof command, "xmllint --noout '%s'", path);
    ck_assert_msg(system(command) == 0, "%s is not well-formed XML", path);
    size_t len;
    char *svg = slurp(path, &len);
    for (size_t i = 0; i < n; i++)
        ck_assert_msg(strstr(svg, names[i]) != NULL, "%s does not name %s", path, names[i]);
    free(svg);
}

/* ---- gnuplot for real ------------------------------------------------------------------ */

START_TEST(plots_drawn_as_png_of_requested_size_and_svg)
{
    results *r = sample();
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 0, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]);
    ck_assert_int_eq(set.status, PLOTS_DRAWN);
    ck_assert_uint_eq(set.n, 4);
    ck_assert_uint_eq(set.failed, 0);
    ck_assert_str_eq(set.plots[0].stem, "split-edge");
    ck_assert_int_eq(set.plots[0].kind, PLOTS_SPLIT);
    ck_assert_int_eq(set.plots[0].router, 0);
    ck_assert_str_eq(set.plots[1].stem, "sequential-edge");
    ck_assert_int_eq(set.plots[1].kind, PLOTS_SEQUENTIAL);
    ck_assert_int_eq(set.plots[1].router, 0);
    ck_assert_str_eq(set.plots[2].stem, "replicas");
    ck_assert_str_eq(set.plots[3].stem, "requests");
    const char *const deployments[] = {"blue", "green"};
    const char *const reasons[] = {"failed: router not found (300)", "requests arriving (6,300)"};
    const char *const phases[] = {"phase [0s, 3m20s)", "phase [3m20s, 6m40s)", "phase [6m40s, 10m)",
                                  "alpha 0.001"};
    for (size_t i = 0; i < set.n; i++) {
        snprintf(path, sizeof path, "%s/%s.png", dir, set.plots[i].stem);
        assert_png(path, 640, 360);
        snprintf(path, sizeof path, "%s/%s.svg", dir, set.plots[i].stem);
        if (set.plots[i].kind == PLOTS_REQUESTS)
            assert_svg(path, reasons, 2);
        else if (set.plots[i].kind == PLOTS_SEQUENTIAL)
            assert_svg(path, phases, 4);
        else
            assert_svg(path, deployments, 2);
    }
    ck_assert_uint_eq(files_in(dir), 8); /* no temporary file left behind */
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

START_TEST(capacity_plots_drawn_for_serving_models)
{
    results *r = sample_with_load();
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 0, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]); /* not even an empty block */
    static const char *const stems[] = {"split-edge",  "sequential-edge", "replicas", "requests",
                                        "utilization", "latency",         "queue"};
    static const char *const kinds[] = {"split",       "sequential", "replicas", "requests",
                                        "utilization", "latency",    "queue"};
    ck_assert_uint_eq(set.n, 7);
    const char *const deployments[] = {"blue", "green"};
    for (size_t i = 0; i < set.n; i++) {
        ck_assert_str_eq(set.plots[i].stem, stems[i]);
        ck_assert_str_eq(plots_kind_name(set.plots[i].kind), kinds[i]);
        snprintf(path, sizeof path, "%s/%s.png", dir, stems[i]);
        assert_png(path, 640, 360);
        snprintf(path, sizeof path, "%s/%s.svg", dir, stems[i]);
        if (set.plots[i].kind != PLOTS_REQUESTS && set.plots[i].kind != PLOTS_SEQUENTIAL)
            assert_svg(path, deployments, 2);
    }
    ck_assert_uint_eq(files_in(dir), 14);
    /* what each capacity plot says beside its lines */
    const struct {
        const char *stem, *text;
    } wanted[] = {{"utilization", "Utilization per deployment (scenario it's"},
                  {"utilization", "all slots busy"},
                  {"utilization", "requests rejected or timed out (300)"},
                  {"utilization", "busy share of ready replicas' slots"},
                  {"latency", "green p99"},
                  {"latency", "blue p50"}, /* in the legend, though blue never served */
                  {"latency", "served latency (queue wait + service), log scale"},
                  {"latency", "200ms"}, /* the log axis labelled as latencies */
                  {"queue", "green most at once"},
                  {"queue", "requests rejected or timed out (300)"},
                  {"replicas", "replicas wanted, not yet ready (dashed)"},
                  {"utilization", "capacity check: at most 90%"},
                  {"latency", "capacity check: at most 2s"}};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t len;
        snprintf(path, sizeof path, "%s/%s.svg", dir, wanted[i].stem);
        char *svg = slurp(path, &len);
        ck_assert_msg(strstr(svg, wanted[i].text) != NULL, "%s.svg lacks \"%s\"", wanted[i].stem,
                      wanted[i].text);
        free(svg);
    }
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

/* Without a serving model there is nothing about capacity to draw, and no "wanted" line. */
START_TEST(no_capacity_plots_without_serving_models)
{
    results *r = sample();
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 0, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_uint_eq(set.n, 4);
    for (size_t i = 0; i < set.n; i++)
        ck_assert_int_lt(set.plots[i].kind, PLOTS_UTILIZATION);
    size_t len;
    snprintf(path, sizeof path, "%s/replicas.svg", dir);
    char *svg = slurp(path, &len);
    ck_assert_ptr_null(strstr(svg, "wanted"));
    free(svg);
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

START_TEST(split_plot_marks_phases_and_events)
{
    results *r = sample();
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 0, &set, collect, err, sizeof err),
        0);
    snprintf(path, sizeof path, "%s/split-edge.png", dir);
    assert_png(path, PLOTS_WIDTH, PLOTS_HEIGHT);
    size_t len;
    snprintf(path, sizeof path, "%s/split-edge.svg", dir);
    char *svg = slurp(path, &len);
    /* the expected split of each phase, the legend, the timeline under the plot */
    const char *const wanted[] = {"100/0",
                                  "75/25",
                                  "0/100",
                                  "expected share (replicas)",
                                  "phase boundary",
                                  "firectl router update edge --deployments=blue,green",
                                  "Traffic split of router edge (scenario it's",
                                  "simulated time (minutes)",
                                  "share of requests (%)"};
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++)
        ck_assert_msg(strstr(svg, wanted[i]) != NULL, "the split plot lacks \"%s\"", wanted[i]);
    free(svg);
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

/* The script gnuplot received for a plot, by its title, from the scripts a stand-in that
 * passes them on to the real gnuplot kept in dir. */
static char *script_of(const char *dir, const char *title)
{
    DIR *d = opendir(dir);
    ck_assert_ptr_nonnull(d);
    char *found = NULL, path[600];
    for (struct dirent *e; !found && (e = readdir(d));) {
        size_t len;
        if (!strstr(e->d_name, ".gp"))
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        char *text = slurp(path, &len);
        if (strstr(text, title))
            found = text;
        else
            free(text);
    }
    closedir(d);
    ck_assert_msg(found != NULL, "no script titled %s", title);
    return found;
}

/* The sequential plot draws each phase's looks as they are, from the phase's start at p = 1,
 * in the run's minutes, and marks the one look (5m, 0.0004 <= alpha 0.001) where the 75/25
 * phase's p-value first reached alpha; values below 1e-16 at 1e-16. */
START_TEST(sequential_plot_shows_the_crossing)
{
    results *r = sample();
    char dir[256], bin[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin, "tee \"$(dirname \"$0\")/$$.gp\" | /usr/bin/gnuplot");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 0, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]);
    ck_assert_str_eq(set.plots[1].stem, "sequential-edge");
    char *script = script_of(bin, "Sequential p-value of router edge");
    /* x in minutes (the run's 10 minutes), p as looked */
    const char *const blocks[] = {
        "$S0 << EOD\n0 1\n1 1\n2 1\n3.33333333 1\nEOD\n",
        "$S1 << EOD\n3.33333333 1\n4 0.2\n5 0.0004\n6.66666667 1e-16\nEOD\n",
        "$S2 << EOD\n6.66666667 1\n8.33333333 0.5\n10 0.5\n10 0.5\nEOD\n",
        "$X << EOD\n5 0.0004\nEOD\n", "set label 'reached alpha at 5m' at 5, 0.0004"};
    for (size_t i = 0; i < sizeof blocks / sizeof blocks[0]; i++)
        ck_assert_msg(strstr(script, blocks[i]) != NULL, "the script lacks \"%s\":\n%s", blocks[i],
                      script);
    free(script);
    size_t len;
    snprintf(path, sizeof path, "%s/sequential-edge.svg", dir);
    char *svg = slurp(path, &len);
    const char *const shown[] = {"reached alpha at 5m", "reached alpha: the test rejects",
                                 "simulated time (minutes)", "sequential p-value"};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        ck_assert_msg(strstr(svg, shown[i]) != NULL, "the sequential plot lacks \"%s\"", shown[i]);
    free(svg);
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
}
END_TEST

/* ---- several plots at once ---------------------------------------------------------------- */

/* Every file of two folders, byte for byte. */
static void assert_same_files(const char *a, const char *b, size_t n)
{
    ck_assert_uint_eq(files_in(a), n);
    ck_assert_uint_eq(files_in(b), n);
    DIR *d = opendir(a);
    ck_assert_ptr_nonnull(d);
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.')
            continue;
        char path[600];
        size_t len_a, len_b;
        snprintf(path, sizeof path, "%s/%s", a, e->d_name);
        char *x = slurp(path, &len_a);
        snprintf(path, sizeof path, "%s/%s", b, e->d_name);
        char *y = slurp(path, &len_b);
        ck_assert_msg(len_a == len_b && memcmp(x, y, len_a) == 0, "%s differs", e->d_name);
        free(x);
        free(y);
    }
    closedir(d);
}

/* Drawn four at a time, the plots are those drawn one after another, byte for byte, with
 * the same warnings in the same order, even though (here, on purpose) the first plot
 * finishes last and two others fail. */
START_TEST(plots_at_once_same_as_one_by_one)
{
    results *r = sample_with_load();
    char one[256], four[256], bin[256], err[512];
    char seen[2][8][1400];
    size_t n_seen[2];
    plots_set sets[2];
    temp_dir(one, sizeof one);
    temp_dir(four, sizeof four);
    fake_gnuplot(bin, sizeof bin,
                 "f=$(mktemp)\ncat >\"$f\"\n"
                 "if grep -q 'Traffic split' \"$f\"; then sleep 1; fi\n"
                 "if grep -q -e 'Replicas per' -e 'Requests waiting' \"$f\"; then\n"
                 "  grep -o -m 1 -e 'Replicas per' -e 'Requests waiting' \"$f\" >&2; rm -f \"$f\"\n"
                 "  exit 1\nfi\n/usr/bin/gnuplot <\"$f\"\nrc=$?\nrm -f \"$f\"\nexit $rc");
    const char *dirs[2] = {one, four};
    const size_t jobs[2] = {1, 4};
    for (int k = 0; k < 2; k++) {
        n_warnings = 0;
        ck_assert_int_eq(plots_draw(dirs[k], r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, jobs[k],
                                    &sets[k], collect, err, sizeof err),
                         0);
        n_seen[k] = n_warnings;
        memcpy(seen[k], warnings, sizeof warnings);
    }
    ck_assert_uint_eq(n_seen[0], 2);
    ck_assert_str_eq(seen[0][0], "plot replicas not drawn: Replicas per");
    ck_assert_uint_eq(n_seen[1], n_seen[0]);
    for (size_t i = 0; i < n_seen[0]; i++)
        ck_assert_str_eq(seen[1][i], seen[0][i]);
    ck_assert_uint_eq(sets[0].n, 5);
    ck_assert_uint_eq(sets[1].n, sets[0].n);
    ck_assert_uint_eq(sets[1].failed, sets[0].failed);
    for (size_t i = 0; i < sets[0].n; i++) {
        ck_assert_str_eq(sets[1].plots[i].stem, sets[0].plots[i].stem);
        ck_assert_str_eq(sets[1].plots[i].title, sets[0].plots[i].title);
        ck_assert_int_eq(sets[1].plots[i].kind, sets[0].plots[i].kind);
    }
    assert_same_files(one, four, 10);
    for (int k = 0; k < 2; k++) {
        plots_set_free(&sets[k]);
        remove_tree(dirs[k]);
    }
    remove_tree(bin);
    results_free(r);
}
END_TEST

/* With two at a time, a second gnuplot is running before the first has finished: the first
 * waits (up to a minute, if it never comes) for another to start, and says how many had. */
START_TEST(plots_drawn_two_at_a_time)
{
    results *r = sample();
    char dir[256], bin[256], err[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin,
                 "d=$(dirname \"$0\")\ntouch \"$d/started.$$\"\ni=0\n"
                 "while [ $(ls \"$d\" | grep -c '^started') -lt 2 ] && [ $i -lt 600 ]; do\n"
                 "  sleep 0.1; i=$((i + 1))\ndone\n"
                 "ls \"$d\" | grep -c '^started' >\"$d/seen.$$\"\nexec /usr/bin/gnuplot");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 2, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]);
    ck_assert_uint_eq(set.n, 4);
    DIR *d = opendir(bin);
    ck_assert_ptr_nonnull(d);
    size_t runs = 0;
    for (struct dirent *e; (e = readdir(d));) {
        if (strncmp(e->d_name, "seen.", 5) != 0)
            continue;
        char path[600];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", bin, e->d_name);
        char *count = slurp(path, &len);
        ck_assert_msg(atoi(count) >= 2, "a gnuplot ran alone: %s", count);
        free(count);
        runs++;
    }
    closedir(d);
    ck_assert_uint_eq(runs, 4);
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
}
END_TEST

/* ---- gnuplot missing, failing, dying ----------------------------------------------------- */

START_TEST(missing_gnuplot_warns_once_and_writes_nothing)
{
    results *r = sample();
    char dir[256], err[512];
    temp_dir(dir, sizeof dir);
    setenv("PATH", "/nonexistent", 1);
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 4, &set, collect, err, sizeof err),
        0);
    ck_assert_int_eq(set.status, PLOTS_NO_GNUPLOT);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_uint_eq(n_warnings, 1);
    ck_assert_str_eq(warnings[0], "gnuplot not found: plots skipped; install gnuplot-nox");
    ck_assert_str_eq(plots_missing_note(&set),
                     "Plots were not drawn: gnuplot was not found (install gnuplot-nox).");
    ck_assert_uint_eq(files_in(dir), 0);
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

START_TEST(gnuplot_errors_are_reported_per_plot)
{
    results *r = sample();
    char dir[256], bin[256], err[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin,
                 "cat >/dev/null\necho '         line 12: undefined variable: nope' >&2\n"
                 "echo '' >&2\nexit 1");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 4, &set, collect, err, sizeof err),
        0);
    ck_assert_int_eq(set.status, PLOTS_DRAWN);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_uint_eq(set.failed, 4);
    ck_assert_uint_eq(n_warnings, 4);
    ck_assert_str_eq(warnings[0], "plot split-edge not drawn: line 12: undefined variable: nope");
    ck_assert_str_eq(warnings[1],
                     "plot sequential-edge not drawn: line 12: undefined variable: nope");
    ck_assert_str_eq(warnings[3], "plot requests not drawn: line 12: undefined variable: nope");
    ck_assert_uint_eq(files_in(dir), 0);
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
}
END_TEST

START_TEST(gnuplot_that_draws_nothing_is_a_failure)
{
    results *r = sample();
    char dir[256], bin[256], err[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin, "cat >/dev/null\necho 'warning: something odd' >&2");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 4, &set, collect, err, sizeof err),
        0);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_uint_eq(n_warnings, 4);
    ck_assert_str_eq(warnings[2],
                     "plot replicas not drawn: gnuplot exited without finishing replicas.png");
    ck_assert_uint_eq(files_in(dir), 0);
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
}
END_TEST

/* gnuplot's SVG terminal escapes '<' and '&' but not '>': a name holding "]]>" made every
 * SVG invalid XML. */
START_TEST(cdata_end_in_text_keeps_svg_valid)
{
    results *r = sample();
    free(r->scenario);
    r->scenario = results_strdup("x ]]> y <![CDATA[ z");
    free(r->events[0].text);
    r->events[0].text = results_strdup("firectl router update edge ]]>]]>");
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 640, 360, 0, &set, collect,
                                err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]);
    ck_assert_uint_eq(set.n, 4);
    const char *const shown[] = {"x ]]&gt; y &lt;![CDATA[ z", "edge ]]&gt;]]&gt;"};
    for (size_t i = 0; i < set.n; i++) {
        snprintf(path, sizeof path, "%s/%s.svg", dir, set.plots[i].stem);
        assert_svg(path, shown, 2); /* well-formed, the text as typed */
    }
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

/* More events than a plot lists: the last line says where all of them are. */
START_TEST(footer_points_to_the_full_timeline)
{
    results *r = sample();
    for (size_t i = 0; i < 8; i++) {
        results_event *ev = results_add_event(r);
        ev->at_s = 450.0 + (double)i;
        ev->text = results_strdup("firectl deployment scale green --replica-count 2");
    }
    char dir[256], err[512], path[512];
    temp_dir(dir, sizeof dir);
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 0, &set, collect, err, sizeof err),
        0);
    ck_assert_uint_eq(set.n, 4);
    snprintf(path, sizeof path, "%s/replicas.svg", dir);
    size_t len;
    char *svg = slurp(path, &len);
    /* 10 events, 5 listed, the sixth line points to the rest */
    ck_assert_msg(strstr(svg, "... and 5 more events, all under Timeline in report.md and "
                              "report.html") != NULL,
                  "replicas.svg does not say where the other events are");
    free(svg);
    plots_set_free(&set);
    remove_tree(dir);
    results_free(r);
}
END_TEST

/* gnuplot that stops half-way (a full disk: it still exits 0) must not leave a truncated
 * plot under its real name. */
START_TEST(truncated_plots_are_not_kept)
{
    results *r = sample();
    char dir[256], bin[256], err[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin,
                 "sed -n \"s/^set output '\\(.*\\)'$/\\1/p\" | while read -r f; do\n"
                 "  case $f in *.png*) printf '\\211PNG\\r\\n\\032\\n' >\"$f\" ;;\n"
                 "  *) printf '<svg><g>' >\"$f\" ;; esac\ndone");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(
        plots_draw(dir, r, NULL, SERIES_DETAIL_BOUNDED, 0, 0, 4, &set, collect, err, sizeof err),
        0);
    ck_assert_uint_eq(set.n, 0);
    ck_assert_uint_eq(n_warnings, 4);
    ck_assert_str_eq(warnings[0], "plot split-edge not drawn: gnuplot exited without finishing "
                                  "split-edge.png");
    ck_assert_uint_eq(files_in(dir), 0);
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
}
END_TEST

/* gnuplot gone without reading its script, however long: the run goes on and says why, and
 * SIGPIPE is left as it was. */
START_TEST(dead_gnuplot_does_not_kill_the_run)
{
    char bin[256], msg[512];
    fake_gnuplot(bin, sizeof bin, "exit 3");
    gnuplot *g = gnuplot_open(msg, sizeof msg);
    ck_assert_ptr_nonnull(g);
    for (int i = 0; i < 20000; i++) /* far more than a pipe holds */
        gnuplot_printf(g, "set label 'a line of script long enough to fill the pipe'\n");
    ck_assert_int_eq(gnuplot_close(g, msg, sizeof msg), GNUPLOT_FAILED);
    ck_assert_str_eq(msg, "gnuplot exited with status 3");
    struct sigaction now;
    sigaction(SIGPIPE, NULL, &now);
    ck_assert_msg(now.sa_handler == SIG_DFL, "SIGPIPE is left ignored");
    remove_tree(bin);
}
END_TEST

/* gnuplot's stderr is captured whatever descriptor its file gets: past 9 (many files open,
 * as under mpirun or with several sessions at once) as well. */
START_TEST(gnuplot_errors_are_captured_with_many_files_open)
{
    char bin[256], msg[512];
    fake_gnuplot(bin, sizeof bin, "cat >/dev/null; echo 'line 1: oops' >&2; exit 1");
    int held[16];
    for (int i = 0; i < 16; i++)
        ck_assert_int_ge(held[i] = dup(STDIN_FILENO), 0);
    gnuplot *g = gnuplot_open(msg, sizeof msg);
    ck_assert_ptr_nonnull(g);
    gnuplot_printf(g, "plot x\n");
    ck_assert_int_eq(gnuplot_close(g, msg, sizeof msg), GNUPLOT_FAILED);
    ck_assert_str_eq(msg, "line 1: oops");
    for (int i = 0; i < 16; i++)
        close(held[i]);
    remove_tree(bin);
}
END_TEST

/* Two dead gnuplots on two threads, the first closed while the second is still writing:
 * SIGPIPE's disposition is one for the whole process, so a session that ignored it and
 * put it back at its close would leave the second thread's writes to kill the process. */
static pthread_barrier_t both_open, first_closed;

static void *dead_session(void *arg)
{
    int first = *(int *)arg;
    char msg[512];
    gnuplot *g = gnuplot_open(msg, sizeof msg);
    pthread_barrier_wait(&both_open);
    if (!first)
        pthread_barrier_wait(&first_closed);
    for (int i = 0; i < (first ? 10 : 20000); i++)
        gnuplot_printf(g, "set label 'a line of script long enough to fill the pipe'\n");
    gnuplot_status status = gnuplot_close(g, msg, sizeof msg);
    if (first)
        pthread_barrier_wait(&first_closed);
    return (void *)(status == GNUPLOT_FAILED ? "failed" : "other");
}

START_TEST(dead_gnuplots_on_two_threads_do_not_kill_the_run)
{
    char bin[256];
    fake_gnuplot(bin, sizeof bin, "exec 0<&-; exit 3"); /* gone before any write */
    ck_assert_int_eq(pthread_barrier_init(&both_open, NULL, 2), 0);
    ck_assert_int_eq(pthread_barrier_init(&first_closed, NULL, 2), 0);
    int roles[2] = {1, 0};
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, dead_session, &roles[i]), 0);
    for (int i = 0; i < 2; i++) {
        void *outcome;
        ck_assert_int_eq(pthread_join(t[i], &outcome), 0);
        ck_assert_str_eq((const char *)outcome, "failed");
    }
    /* the process-wide disposition was never touched, and the thread's mask is restored */
    struct sigaction now;
    sigaction(SIGPIPE, NULL, &now);
    ck_assert(now.sa_handler == SIG_DFL);
    sigset_t mask, pending;
    pthread_sigmask(SIG_BLOCK, NULL, &mask);
    ck_assert(!sigismember(&mask, SIGPIPE));
    sigpending(&pending);
    ck_assert(!sigismember(&pending, SIGPIPE));
    pthread_barrier_destroy(&both_open);
    pthread_barrier_destroy(&first_closed);
    remove_tree(bin);
}
END_TEST

START_TEST(strings_and_paths_are_quoted_for_gnuplot)
{
    char bin[256], msg[512], capture[512];
    fake_gnuplot(bin, sizeof bin, "cat >\"$CAPTURE\"");
    snprintf(capture, sizeof capture, "%s/script", bin);
    setenv("CAPTURE", capture, 1);
    gnuplot *g = gnuplot_open(msg, sizeof msg);
    ck_assert_ptr_nonnull(g);
    gnuplot_string(g, "it's \"q\"\nnext\t<&> ünï — 🚀 \xff");
    gnuplot_printf(g, "\n");
    ck_assert_int_eq(gnuplot_path(g, "/tmp/o'k/a.png"), 0);
    ck_assert_int_eq(gnuplot_path(g, "/tmp/bad\nname"), -1);
    ck_assert_int_eq(gnuplot_close(g, msg, sizeof msg), GNUPLOT_OK);
    size_t len;
    char *script = slurp(capture, &len);
    ck_assert_str_eq(script, "'it''s \"q\" next <&> ünï — ? ?'\n'/tmp/o''k/a.png'");
    free(script);
    remove_tree(bin);
}
END_TEST

/* A router over 14 deployments, d<k> routing 10 (k + 1) requests in each of two bins: its
 * split plot under bounded detail shows the 10 busiest (d4..d13) and one "(other)" area
 * summing d0..d3 (100 of the bin's 1,050 requests), and under full detail all 14. */
static char *wide_split_script(series_detail detail)
{
    results *r = results_new();
    r->duration_s = 60;
    r->window_s = 30;
    r->n_bins = 2;
    const char *router = "accounts/acme/routers/edge";
    ck_assert_int_eq(results_name_index(&r->routers, &r->n_routers, router), 0);
    results_phase *ph = add_phase(r, 0, 60, 14);
    ph->requests = 2100;
    for (size_t k = 0; k < 14; k++) {
        char name[64];
        snprintf(name, sizeof name, "accounts/acme/deployments/d%zu", k);
        add_share(ph, k, name, (long long)k + 1, (double)(k + 1) / 105, 20 * (k + 1));
        ck_assert_int_eq(results_name_index(&r->deployments, &r->n_deployments, name), (long)k);
    }
    split_points w = {.r = r};
    for (uint32_t bin = 0; bin < 2; bin++)
        for (size_t k = 0; k < 14; k++)
            split_points_add(&w, (results_point){.bin = bin,
                                                 .deployment = (uint32_t)k,
                                                 .routed = 10 * (k + 1),
                                                 .replicas = (long long)k + 1,
                                                 .expected_share = (double)(k + 1) / 105});
    split_points_finish(&w);
    char dir[256], bin[256], err[512];
    temp_dir(dir, sizeof dir);
    fake_gnuplot(bin, sizeof bin, "tee \"$(dirname \"$0\")/$$.gp\" | /usr/bin/gnuplot");
    plots_set set;
    n_warnings = 0;
    ck_assert_int_eq(plots_draw(dir, r, NULL, detail, 640, 360, 0, &set, collect, err, sizeof err),
                     0);
    ck_assert_msg(n_warnings == 0, "warning: %s", warnings[0]);
    char *script = script_of(bin, "Traffic split of router edge");
    plots_set_free(&set);
    remove_tree(dir);
    remove_tree(bin);
    results_free(r);
    return script;
}

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *at = text; (at = strstr(at, what)) != NULL; at++)
        n++;
    return n;
}

START_TEST(many_deployments_grouped_as_other)
{
    char *script = wide_split_script(SERIES_DETAIL_BOUNDED);
    ck_assert_uint_eq(occurrences(script, "with filledcurves"), 11);
    ck_assert_ptr_nonnull(strstr(script, "(other)"));
    ck_assert_ptr_null(strstr(script, "'d3'"));
    ck_assert_ptr_nonnull(strstr(script, "'d4'"));
    /* the first bin's stack: d4..d13 cumulative, then (other) to 100 % */
    ck_assert_msg(strstr(script, " 4.7619 10.4762 17.1429 24.7619 33.3333 42.8571 53.3333 "
                                 "64.7619 77.1429 90.4762 100\n") != NULL,
                  "%s", script);
    free(script);
    script = wide_split_script(SERIES_DETAIL_FULL);
    ck_assert_uint_eq(occurrences(script, "with filledcurves"), 14);
    ck_assert_ptr_null(strstr(script, "(other)"));
    free(script);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("plots");
    TCase *tc;

    tc = tcase_create("many_deployments_grouped_as_other");
    tcase_add_test(tc, many_deployments_grouped_as_other);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    tc = tcase_create("png_and_svg");
    tcase_add_test(tc, plots_drawn_as_png_of_requested_size_and_svg);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("capacity_plots");
    tcase_add_test(tc, capacity_plots_drawn_for_serving_models);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    tc = tcase_create("no_capacity_plots");
    tcase_add_test(tc, no_capacity_plots_without_serving_models);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("split_plot_content");
    tcase_add_test(tc, split_plot_marks_phases_and_events);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("sequential_plot");
    tcase_add_test(tc, sequential_plot_shows_the_crossing);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);

    tc = tcase_create("plots_at_once");
    tcase_add_test(tc, plots_at_once_same_as_one_by_one);
    tcase_set_timeout(tc, 60);
    suite_add_tcase(s, tc);

    tc = tcase_create("plots_two_at_a_time");
    tcase_add_test(tc, plots_drawn_two_at_a_time);
    tcase_set_timeout(tc, 120);
    suite_add_tcase(s, tc);

    tc = tcase_create("gnuplot_missing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, missing_gnuplot_warns_once_and_writes_nothing);
    suite_add_tcase(s, tc);

    tc = tcase_create("gnuplot_errors");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, gnuplot_errors_are_reported_per_plot);
    suite_add_tcase(s, tc);

    tc = tcase_create("gnuplot_draws_nothing");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, gnuplot_that_draws_nothing_is_a_failure);
    suite_add_tcase(s, tc);

    tc = tcase_create("gnuplot_dies");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, dead_gnuplot_does_not_kill_the_run);
    tcase_add_test(tc, dead_gnuplots_on_two_threads_do_not_kill_the_run);
    tcase_add_test(tc, gnuplot_errors_are_captured_with_many_files_open);
    suite_add_tcase(s, tc);

    tc = tcase_create("cdata_end");
    tcase_add_test(tc, cdata_end_in_text_keeps_svg_valid);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("footer_points_to_timeline");
    tcase_add_test(tc, footer_points_to_the_full_timeline);
    tcase_set_timeout(tc, 20);
    suite_add_tcase(s, tc);

    tc = tcase_create("truncated_plots");
    tcase_add_test(tc, truncated_plots_are_not_kept);
    suite_add_tcase(s, tc);

    tc = tcase_create("gnuplot_quoting");
    tcase_add_test(tc, strings_and_paths_are_quoted_for_gnuplot);
    suite_add_tcase(s, tc);

    return s;
}
