/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "sim/plan/migplan.h"

#include "sim/base/srmpower.h"
#include "sim/base/units.h"
#include "sim/load/ydoc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The model of the probe deployment: read, never used. */
#define MIGPLAN_PROBE_MODEL "accounts/probe/models/probe"

int migplan_parse_steps(const char *text, double *shares, size_t *n, char *err, size_t errlen)
{
    *n = 0;
    const char *p = text;
    while (*p) {
        char *end;
        double v = strtod(p, &end);
        if (end == p || !(v > 0 && v <= 100) || (*end && *end != ',')) {
            snprintf(err, errlen,
                     "--steps %s: expected increasing percentages in (0, 100], "
                     "comma-separated, ending with 100",
                     text);
            return -1;
        }
        if (*n == MIGSTEPS_MAX_STEPS || (*n > 0 && v / 100 <= shares[*n - 1])) {
            snprintf(err, errlen, "--steps %s: expected at most %d increasing percentages", text,
                     MIGSTEPS_MAX_STEPS);
            return -1;
        }
        shares[(*n)++] = v / 100;
        p = *end ? end + 1 : end;
        if (*end && !*p) {
            snprintf(err, errlen, "--steps %s: a trailing comma", text);
            return -1;
        }
    }
    if (*n == 0 || shares[*n - 1] != 1) {
        snprintf(err, errlen, "--steps %s: the last step must be 100 (the new deployment alone)",
                 text);
        return -1;
    }
    return 0;
}

/* The time-zero command creating deployment or router id, or NULL. */
static const world_cmd *initial(const scenario *sc, world_op op, const char *id)
{
    for (size_t i = 0; i < sc->n_events; i++)
        if (!sc->events[i].text && sc->events[i].cmd.op == op &&
            strcmp(sc->events[i].cmd.id, id) == 0)
            return &sc->events[i].cmd;
    return NULL;
}

/* A deployment's count when it is fixed (the format's defaults: min 0, max 1 or min), else
 * -1. */
static long fixed_count(const world_cmd *c)
{
    if (c->set & WORLD_SET_REPLICAS)
        return (long)c->replicas;
    long long min = (c->set & WORLD_SET_MIN) ? c->min_replicas : 0;
    long long max = (c->set & WORLD_SET_MAX) ? c->max_replicas : (min > 1 ? min : 1);
    return min == max ? (long)min : -1;
}

static const serving_spec *spec_of(const scenario *sc, const char *id)
{
    for (size_t i = 0; i < sc->n_serving; i++)
        if (strcmp(sc->serving[i].deployment, id) == 0)
            return &sc->serving[i].spec;
    return NULL;
}

static long need_of(const migplan_result *r, const serving_spec *s)
{
    if (!s)
        return 1; /* infinite capacity: one replica to route to */
    double n = r->rate_peak * s->mean_s / ((double)s->concurrency * r->utilization);
    long need = (long)ceil(n - 1e-9);
    return (need < 1 ? 1 : need) + r->margin;
}

/* The seconds the split a:b holds so its test has the power checks.power asks for. */
static double split_time(void *ctx, long a, long b)
{
    const migplan_result *r = ctx;
    const scenario *sc = r->sc;
    double p0[2] = {(double)a, (double)b};
    srmpower_deviation d = {sc->power_relative ? SRMPOWER_RELATIVE : SRMPOWER_ABSOLUTE,
                            sc->power_shift, -1};
    srmpower_plan plan;
    char err[256];
    double need = MIGPLAN_MIN_REQUESTS;
    if (srmpower_plan_phase(2, p0, &d, sc->alpha, sc->power_target, 0, &plan, err, sizeof err) ==
            0 &&
        plan.df > 0) {
        /* Unreachable (a deviation too small to matter): the minimum count stands. */
        if (plan.needed_reachable && (double)plan.needed > need)
            need = (double)plan.needed;
    }
    return r->rate_low > 0 ? need / r->rate_low : INFINITY;
}

/* The router's traffic: the peak and lowest rate over the run, sampled per window. */
static void rates(const scenario *sc, const char *router, double *peak, double *low)
{
    *peak = 0;
    *low = INFINITY;
    for (double t = 0; t < sc->duration_s; t += sc->window_s) {
        double sum = 0;
        for (size_t i = 0; i < sc->n_traffic; i++) {
            const scenario_traffic *tr = &sc->traffic[i];
            if (strcmp(tr->router, router) != 0)
                continue;
            sum += tr->trace ? (double)tr->trace_arrivals / sc->duration_s
                             : traffic_rate_at(&tr->shape, t);
        }
        *peak = sum > *peak ? sum : *peak;
        *low = sum < *low ? sum : *low;
    }
}

static int invalid(char *err, size_t errlen, const char *path, const char *fmt, const char *a,
                   const char *b)
{
    char msg[512];
    snprintf(msg, sizeof msg, fmt, a, b);
    snprintf(err, errlen, "%s: %s", path, msg);
    return 2;
}

/* What the plan needs from the scenario; 0 or 2 with the reason. */
static int read_scenario(const migplan_options *o, migplan_result *r, char *err, size_t errlen)
{
    const scenario *sc = r->sc;
    for (size_t i = 0; i < sc->n_events; i++)
        if (sc->events[i].text && sc->events[i].mark.line >= 0) /* the probe is no timeline */
            return invalid(err, errlen, sc->path,
                           "the scenario has a timeline: plan migration writes it (remove "
                           "`timeline:`%s%s)",
                           "", "");
    const world_cmd *router = initial(sc, WORLD_ROUTER_CREATE, o->router);
    if (!router)
        return invalid(err, errlen, sc->path, "--router %s: no such router at time zero%s",
                       o->router, "");
    if (router->n_deployments != 1 || strcmp(router->deployments[0], o->from) != 0)
        return invalid(err, errlen, sc->path,
                       "--router %s: it must route to --from %s alone at time zero", o->router,
                       o->from);
    if (strcmp(o->from, o->to) == 0)
        return invalid(err, errlen, sc->path, "--from and --to are both %s%s", o->from, "");
    const world_cmd *a = initial(sc, WORLD_DEPLOYMENT_CREATE, o->from);
    const world_cmd *b = initial(sc, WORLD_DEPLOYMENT_CREATE, o->to);
    if (!a)
        return invalid(err, errlen, sc->path, "--from %s: no such deployment%s", o->from, "");
    if (fixed_count(a) < 0 || (b && fixed_count(b) < 0))
        return invalid(err, errlen, sc->path,
                       "%s and %s must have fixed replica counts (min = max): a plan sets them",
                       o->from, o->to);
    const serving_spec *sa = spec_of(sc, o->from), *sb = spec_of(sc, o->to);
    if (!b && !sb)
        return invalid(err, errlen, sc->path,
                       "--to %s: no such deployment, and no serving model for it under the "
                       "top-level `serving:` to create it with%s",
                       o->to, "");
    if (!b && !(a->set & WORLD_SET_MODEL))
        return invalid(err, errlen, sc->path,
                       "%s has no model, which `firectl deployment create` needs for %s", o->from,
                       o->to);
    snprintf(r->model, sizeof r->model, "%s", a->model);
    snprintf(r->region, sizeof r->region, "%s", (a->set & WORLD_SET_REGION) ? a->region : "");
    rates(sc, o->router, &r->rate_peak, &r->rate_low);
    if (!(r->rate_low > 0))
        return invalid(err, errlen, sc->path,
                       "--router %s: its traffic stops at times; a split cannot be tested "
                       "without requests%s",
                       o->router, "");
    r->utilization = INFINITY;
    for (size_t i = 0; i < sc->n_capacity; i++)
        if (sc->capacity[i].kind == SCENARIO_MAX_UTILIZATION &&
            sc->capacity[i].limit < r->utilization && sc->capacity[i].limit > 0)
            r->utilization = sc->capacity[i].limit;
    if (isinf(r->utilization))
        r->utilization = 0.8; /* the autoscaler's default load target */
    migsteps_input *in = &r->in;
    in->n_steps = o->n_steps;
    in->shares = o->shares;
    in->a0 = fixed_count(a);
    in->b0 = b ? fixed_count(b) : 0;
    in->cold_a_s = sa ? sa->cold_start_s : 0;
    in->cold_b_s = sb ? sb->cold_start_s : 0;
    in->grid_s = sc->window_s;
    in->drain_s = sa ? sa->timeout_s + 20 * sa->mean_s : 0;
    in->objective = o->objective;
    in->test_s = split_time;
    in->ctx = r;
    r->names = (migsteps_names){.router = o->router,
                                .from = o->from,
                                .to = o->to,
                                .model = r->model,
                                .region = r->region,
                                .create_b = b == NULL};
    long na = need_of(r, sa), nb = need_of(r, sb);
    in->max_replicas = o->max_replicas > 0 ? o->max_replicas
                                           : 2 * (in->a0 > nb ? (in->a0 > na ? in->a0 : na) : nb);
    double first = ceil(sc->warmup_s / sc->window_s) * sc->window_s;
    r->start_s = first > sc->window_s ? first : sc->window_s;
    return 0;
}

static int add_set(migplan_result *r, char *text)
{
    char **g = realloc(r->sets, (r->n_sets + 1) * sizeof *g);
    if (!g) {
        free(text);
        return -1;
    }
    r->sets = g;
    r->sets[r->n_sets++] = text;
    return 0;
}

static void clear_attempt(migplan_result *r)
{
    migsteps_plan_free(&r->plan);
    free(r->events);
    r->events = NULL;
    r->n_events = 0;
    for (size_t i = 0; i < r->n_sets; i++)
        free(r->sets[i]);
    free(r->sets);
    r->sets = NULL;
    r->n_sets = 0;
    scenario_free(r->planned);
    r->planned = NULL;
    planeval_result_free(r->verdict);
    r->verdict = NULL;
}

/* The overrides: the duration and the timeline, one flow sequence of {at, run} mappings. */
static int planned_sets(migplan_result *r)
{
    double g = r->in.grid_s;
    r->end_s = r->events[r->n_events - 1].at_s;
    double duration = r->end_s + MIGPLAN_TAIL * g;
    if (duration < r->sc->duration_s)
        duration = r->sc->duration_s;
    char d[64];
    units_format_duration(duration, d, sizeof d);
    size_t size = 128;
    char *t = malloc(size);
    if (!t)
        return -1;
    snprintf(t, size, "duration=%s", d);
    if (add_set(r, t) != 0)
        return -1;
    size = 32;
    for (size_t i = 0; i < r->n_events; i++)
        size += strlen(r->events[i].line) + 64;
    if (!(t = malloc(size)))
        return -1;
    size_t len = (size_t)snprintf(t, size, "timeline=[");
    for (size_t i = 0; i < r->n_events; i++) {
        units_format_duration(r->events[i].at_s, d, sizeof d);
        len += (size_t)snprintf(t + len, size - len, "%s{at: %s, run: \"%s\"}", i ? ", " : "", d,
                                r->events[i].line);
    }
    snprintf(t + len, size - len, "]");
    return add_set(r, t);
}

/* A new deployment B is described only by its serving model under the top-level
 * `serving:`, which the loader accepts only for a deployment the timeline creates: such a
 * file is read with a probe timeline creating B, with no replica, at the end of the run
 * (where it changes nothing measured); read_scenario then treats B as new. */
scenario *migplan_load(const migplan_options *o, char *err, size_t errlen)
{
    scenario *sc = planeval_load(o->path, &(planeval_variant){.traffic_scale = 1}, err, errlen);
    if (sc)
        return sc;
    char derr[256];
    ydoc *d = ydoc_load_file(o->path, derr, sizeof derr);
    const ydoc_node *root = d ? ydoc_root(d) : NULL;
    const ydoc_node *dur = root ? ydoc_get(root, "duration") : NULL;
    int probe = dur && dur->type == YDOC_SCALAR && !ydoc_get(root, "timeline");
    char set[512] = "";
    if (probe)
        snprintf(set, sizeof set,
                 "timeline=[{at: %s, run: \"firectl deployment create %s --deployment-id=%s "
                 "--min-replica-count=0 --max-replica-count=0\"}]",
                 dur->value, MIGPLAN_PROBE_MODEL, o->to);
    ydoc_free(d);
    const char *sets[] = {set};
    char perr[1024];
    scenario *with =
        probe ? planeval_load(o->path,
                              &(planeval_variant){.sets = sets, .n_sets = 1, .traffic_scale = 1},
                              perr, sizeof perr)
              : NULL;
    return with; /* NULL: the first error, about the file as written, stands */
}

int migplan_run(const migplan_options *o, migplan_result **out, char *err, size_t errlen)
{
    *out = NULL;
    migplan_result *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errlen, "out of memory");
        return 3;
    }
    r->sc = migplan_load(o, err, errlen);
    int rc = r->sc ? read_scenario(o, r, err, errlen) : 2;
    char failed[512] = "";
    for (r->margin = 0; rc == 0; r->margin++) {
        clear_attempt(r);
        r->in.need_a = need_of(r, spec_of(r->sc, o->from)) - r->margin; /* A alone: as is */
        r->in.need_b = need_of(r, spec_of(r->sc, o->to));
        long na = need_of(r, spec_of(r->sc, o->from));
        r->in.need_both = na > r->in.need_b ? na : r->in.need_b;
        char why[512] = "";
        int s = migsteps_search(&r->in, &r->plan, why, sizeof why);
        if (s < 0) {
            snprintf(err, errlen, "%s: %s", o->path, why);
            rc = strcmp(why, "out of memory") == 0 ? 3 : 2;
            break;
        }
        if (s == 1 || r->attempts == MIGPLAN_MAX_ATTEMPTS) {
            if (s == 1)
                snprintf(r->reason, sizeof r->reason,
                         "no plan holds within %ld replicas: %.400s%s%.400s", r->in.max_replicas,
                         why, *failed ? "; the last plan tried failed " : "", failed);
            else
                snprintf(
                    r->reason, sizeof r->reason,
                    "no plan held after %zu searches, each with one more ready replica: %.400s",
                    r->attempts, failed);
            rc = 1;
            break;
        }
        r->attempts++;
        if (migsteps_events(&r->plan, &r->in, &r->names, r->start_s, &r->events, &r->n_events) !=
                0 ||
            planned_sets(r) != 0) {
            snprintf(err, errlen, "out of memory");
            rc = 3;
            break;
        }
        planeval_variant v = {
            .sets = (const char *const *)r->sets, .n_sets = r->n_sets, .traffic_scale = 1};
        if (!(r->planned = planeval_load(o->path, &v, err, errlen))) {
            rc = 3; /* the planner's own timeline did not load: its fault, not the user's */
            break;
        }
        if (!(r->verdict = planeval_run(r->planned, &o->eval, err, errlen))) {
            rc = 3;
            break;
        }
        if (r->verdict->verdict == REPLICAS_PASS) {
            r->holds = 1;
            break;
        }
        /* Undecided at the cap is not shown to fail: more replicas would not decide it. */
        if (r->verdict->verdict == REPLICAS_UNDECIDED) {
            snprintf(r->reason, sizeof r->reason,
                     "the planned scenario's pass rate was neither shown at or above %g nor below "
                     "it within %zu replications (%zu passed); raise --replications",
                     o->eval.pass_rate, r->verdict->replications, r->verdict->passed.passes);
            rc = 1;
            break;
        }
        snprintf(failed, sizeof failed,
                 "(%zu ready replicas more than the analytic bound): %s "
                 "passed %zu of %zu replications",
                 (size_t)r->margin, r->verdict->check ? r->verdict->check : "the checks",
                 r->verdict->check_rate.passes, r->verdict->check_rate.n);
    }
    if (rc == 0 || rc == 1) {
        *out = r;
        return rc;
    }
    migplan_free(r);
    return rc;
}

void migplan_free(migplan_result *r)
{
    if (!r)
        return;
    clear_attempt(r);
    scenario_free(r->sc);
    free(r);
}
