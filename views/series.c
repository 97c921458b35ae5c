/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "views/series.h"

#include "views/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- bounded detail ------------------------------------------------------------------ */

typedef struct {
    size_t index;
    int failed;
    uint64_t total;
    const char *name;
} ranked;

/* Failed first, then the most requests, then the earlier index. */
static int by_rank(const void *a, const void *b)
{
    const ranked *x = a, *y = b;
    if (x->failed != y->failed)
        return y->failed - x->failed;
    if (x->total != y->total)
        return x->total < y->total ? 1 : -1;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const ranked *)a)->name, ((const ranked *)b)->name);
}

/* The router named `name` in rank[] sorted by name, or NULL. */
static ranked *find_name(ranked *sorted, size_t n, const char *name)
{
    ranked key = {.name = name};
    return n ? bsearch(&key, sorted, n, sizeof *sorted, by_name) : NULL;
}

/* s->shown (on entry: the routers with points): every router with points, or the
 * SERIES_TOP_ROUTERS of them ranked first; then
 * s->callers and s->others: targets naming a shown router, up to SERIES_TOP_ROUTERS targets
 * naming no router (by arrivals), and the rest summed. */
static int choose_routers(series *s)
{
    const results *r = s->r;
    size_t nr = r->n_routers, nt = r->n_targets;
    ranked *rank = calloc(nr ? nr : 1, sizeof *rank);
    ranked *targets = calloc(nt ? nt : 1, sizeof *targets);
    if (!rank || !targets) {
        free(rank);
        free(targets);
        return -1;
    }
    for (size_t i = 0; i < nr; i++)
        rank[i] = (ranked){.index = i, .total = s->total[i], .name = r->routers[i]};
    for (size_t i = 0; i < nr; i++)
        s->routers_in_series += s->shown[i];
    if (s->routers_in_series <= SERIES_TOP_ROUTERS) /* all, as full detail shows them */
        memset(s->shown, 1, nr);
    qsort(rank, nr, sizeof *rank, by_name);
    for (size_t i = 0; i < r->n_phases; i++) {
        ranked *hit = find_name(rank, nr, r->phases[i].router);
        if (hit && results_phase_verdict(&r->phases[i]) == SPLITTEST_FAIL)
            hit->failed = 1;
    }
    /* targets: a shown router's own row, else ranked by arrivals */
    const flowstore *fs = r->flows;
    for (size_t bin = 0; bin < fs->n_bins && bin < r->n_bins; bin++)
        for (size_t i = 0; i < fs->n_sources; i++)
            if (fs->target[i] < nt)
                targets[fs->target[i]].total += flowstore_arrivals(fs, bin, i);
    int rc = 0;
    if (s->routers_in_series > SERIES_TOP_ROUTERS) {
        ranked *order = malloc((nr ? nr : 1) * sizeof *order);
        if (!order) {
            rc = -1;
        } else {
            memcpy(order, rank, nr * sizeof *order);
            qsort(order, nr, sizeof *order, by_rank);
            memset(s->shown, 0, nr);
            for (size_t i = 0, kept = 0; i < nr && kept < SERIES_TOP_ROUTERS; i++)
                if (order[i].total > 0 || order[i].failed) {
                    s->shown[order[i].index] = 1;
                    kept++;
                }
            free(order);
        }
    }
    for (size_t i = 0; i < nr; i++)
        s->routers_shown += s->shown[i];
    /* rank 2: names a shown router (kept); 1: names no router (the busiest kept); 0: names
     * a router not shown (summed) */
    size_t n_keep = 0, others = 0;
    for (size_t t = 0; rc == 0 && t < nt; t++) {
        ranked *hit = find_name(rank, nr, r->targets[t]);
        targets[t].index = t;
        targets[t].failed = !hit ? 1 : s->shown[hit->index] ? 2 : 0;
        n_keep += targets[t].failed == 2;
        others += targets[t].failed == 1;
    }
    free(rank);
    if (rc == 0 && (others > SERIES_TOP_ROUTERS || s->routers_in_series > SERIES_TOP_ROUTERS)) {
        qsort(targets, nt, sizeof *targets, by_rank);
        size_t keep = n_keep + (others < SERIES_TOP_ROUTERS ? others : SERIES_TOP_ROUTERS);
        s->grouped_targets = nt - keep;
        s->callers = malloc((keep + 1) * sizeof *s->callers);
        s->others =
            s->grouped_targets ? calloc(r->n_bins ? r->n_bins : 1, sizeof *s->others) : NULL;
        if (!s->callers || (s->grouped_targets && !s->others)) {
            rc = -1;
        } else {
            unsigned char *kept = calloc(nt ? nt : 1, 1);
            if (!kept) {
                rc = -1;
            } else {
                for (size_t i = 0; i < keep; i++)
                    kept[targets[i].index] = 1;
                for (size_t t = 0; t < nt; t++)
                    if (kept[t])
                        s->callers[s->n_callers++] = (long)t;
                    else
                        for (size_t bin = 0; bin < r->n_bins; bin++) {
                            results_flow f = series_requests(s, bin, t);
                            s->others[bin].bin = (uint32_t)bin;
                            s->others[bin].arrivals += f.arrivals;
                            for (int k = 0; k < RESULTS_N_REASONS; k++)
                                s->others[bin].failed[k] += f.failed[k];
                        }
                if (s->grouped_targets)
                    s->callers[s->n_callers++] = -1;
                free(kept);
            }
        }
    }
    free(targets);
    return rc;
}

/* What the bound makes of one layout (splitstore.h) of a shown router: the entries whose
 * deployment is among the router's SERIES_TOP_DEPLOYMENTS, and the sums of the others'
 * replicas and expected shares, added in entry order as the rows of points were. */
typedef struct {
    size_t first_kept, n_kept; /* in the kept[] of all layouts */
    size_t grouped;
    long long replicas;
    double expected_share;
} layout_bound;

typedef struct {
    const splitstore *st;
    layout_bound *bound; /* [layout] */
    size_t *kept;        /* entry indices, layout by layout */
    size_t n_kept;
    uint64_t *total;     /* per entry of the shown routers' layouts: requests over the run */
    size_t *first_total; /* [layout]: where its entries' totals start */
} bounder;

/* Requests over the run per entry of every layout of a shown router. */
static void total_entries(const series *s, bounder *b)
{
    const splitstore *st = b->st;
    for (size_t bin = 0; bin < st->n_bins; bin++) {
        const splitstore_bin *sb = &st->bins[bin];
        for (size_t i = 0; i < sb->n_blocks; i++) {
            const splitstore_block block = splitstore_block_at(sb, i), *blk = &block;
            const splitstore_layout *l = &st->layouts[blk->layout];
            if (l->router >= s->r->n_routers || !s->shown[l->router])
                continue;
            uint64_t *total = b->total + b->first_total[blk->layout];
            if (splitstore_width(sb, blk) == 1)
                for (size_t k = 0; k < l->n; k++)
                    total[k] += sb->bytes[blk->at + 1 + k];
            else
                for (size_t k = 0; k < l->n; k++)
                    total[k] += splitstore_count(sb, blk, k);
        }
    }
}

/* One shown router's SERIES_TOP_DEPLOYMENTS by requests over the run (its layouts are
 * lay[0..n_lay)), and what that makes of each of its layouts. Returns how many deployments
 * it has in the series, or -1 when out of memory. state[] (one per deployment) is zero on
 * entry and left so. */
static long choose_deployments(const results *r, bounder *b, const size_t *lay, size_t n_lay,
                               size_t *state)
{
    const splitstore *st = b->st;
    size_t n = 0, cap = 16;
    ranked *deps = malloc(cap * sizeof *deps);
    if (!deps)
        return -1;
    for (size_t i = 0; i < n_lay; i++) {
        const splitstore_layout *l = &st->layouts[lay[i]];
        for (size_t k = 0; k < l->n; k++) {
            uint32_t d = l->deployment[k];
            if (d >= r->n_deployments)
                continue;
            if (!state[d]) {
                if (n == cap) {
                    ranked *grown = realloc(deps, (cap *= 2) * sizeof *deps);
                    if (!grown) {
                        free(deps);
                        return -1;
                    }
                    deps = grown;
                }
                deps[n] = (ranked){.index = d};
                state[d] = ++n;
            }
            deps[state[d] - 1].total += b->total[b->first_total[lay[i]] + k];
        }
    }
    qsort(deps, n, sizeof *deps, by_rank);
    for (size_t k = 0; k < n; k++)
        state[deps[k].index] = k < SERIES_TOP_DEPLOYMENTS ? 2 : 1; /* 2: kept */
    for (size_t i = 0; i < n_lay; i++) {
        const splitstore_layout *l = &st->layouts[lay[i]];
        layout_bound *lb = &b->bound[lay[i]];
        lb->first_kept = b->n_kept;
        for (size_t k = 0; k < l->n; k++) {
            uint32_t d = l->deployment[k];
            if (d >= r->n_deployments)
                continue;
            if (state[d] == 2) {
                b->kept[b->n_kept++] = k;
            } else {
                lb->grouped++;
                lb->replicas += l->replicas[k];
                lb->expected_share += l->expected_share[k];
            }
        }
        lb->n_kept = b->n_kept - lb->first_kept;
    }
    for (size_t k = 0; k < n; k++)
        state[deps[k].index] = 0;
    free(deps);
    return (long)n;
}

/* The rows of the shown routers: each one's top deployments, and its others summed per bin
 * into one row after them. */
static int write_rows(series *s, const bounder *b)
{
    const results *r = s->r;
    const splitstore *st = b->st;
    size_t n = 0;
    for (size_t pass = 0; pass < 2; pass++) { /* count, then write */
        if (pass == 1 && !(s->rows = malloc((n ? n : 1) * sizeof *s->rows)))
            return -1;
        for (size_t bin = 0; bin < st->n_bins; bin++) {
            const splitstore_bin *sb = &st->bins[bin];
            for (size_t i = 0; i < sb->n_blocks; i++) {
                const splitstore_block block = splitstore_block_at(sb, i), *blk = &block;
                const splitstore_layout *l = &st->layouts[blk->layout];
                if (l->router >= r->n_routers || !s->shown[l->router])
                    continue;
                const layout_bound *lb = &b->bound[blk->layout];
                if (pass == 0) {
                    n += lb->n_kept + (lb->grouped > 0);
                    continue;
                }
                uint64_t kept_routed = 0;
                for (size_t j = 0; j < lb->n_kept; j++) {
                    size_t k = b->kept[lb->first_kept + j];
                    uint64_t routed = splitstore_count(sb, blk, k);
                    kept_routed += routed;
                    s->rows[s->n_rows++] =
                        (series_split_row){.bin = (uint32_t)bin,
                                           .router = l->router,
                                           .deployment = (long)l->deployment[k],
                                           .routed = routed,
                                           .replicas = l->replicas[k],
                                           .expected_share = l->expected_share[k]};
                }
                if (lb->grouped)
                    s->rows[s->n_rows++] = (series_split_row){
                        .bin = (uint32_t)bin,
                        .router = l->router,
                        .deployment = -1,
                        .grouped = lb->grouped,
                        .routed = splitstore_block_sum(st, sb, blk) - kept_routed,
                        .replicas = lb->replicas,
                        .expected_share = lb->expected_share};
            }
        }
    }
    return 0;
}

/* The rows of the shown routers under the bound. */
static int bound_rows(series *s)
{
    const results *r = s->r;
    const splitstore *st = r->split;
    size_t nl = st->n_layouts, nr = r->n_routers, entries = 0;
    bounder b = {.st = st,
                 .bound = calloc(nl ? nl : 1, sizeof *b.bound),
                 .first_total = malloc((nl ? nl : 1) * sizeof *b.first_total)};
    size_t *by_router = malloc((nl ? nl : 1) * sizeof *by_router);
    size_t *start = calloc(nr + 1, sizeof *start);
    size_t *state = calloc(r->n_deployments ? r->n_deployments : 1, sizeof *state);
    int rc = b.bound && b.first_total && by_router && start && state ? 0 : -1;
    for (size_t l = 0; rc == 0 && l < nl; l++) {
        uint32_t router = st->layouts[l].router;
        b.first_total[l] = entries;
        if (router < nr && s->shown[router]) {
            entries += st->layouts[l].n;
            start[router + 1]++;
        }
    }
    if (rc == 0) { /* the layouts of each shown router, grouped by router (counting sort) */
        for (size_t k = 0; k < nr; k++)
            start[k + 1] += start[k];
        size_t *fill = calloc(nr ? nr : 1, sizeof *fill);
        b.total = calloc(entries ? entries : 1, sizeof *b.total);
        b.kept = malloc((entries ? entries : 1) * sizeof *b.kept);
        if (!fill || !b.total || !b.kept)
            rc = -1;
        for (size_t l = 0; rc == 0 && l < nl; l++) {
            uint32_t router = st->layouts[l].router;
            if (router < nr && s->shown[router])
                by_router[start[router] + fill[router]++] = l;
        }
        free(fill);
    }
    if (rc == 0)
        total_entries(s, &b);
    for (size_t router = 0; rc == 0 && router < nr; router++)
        if (s->shown[router]) {
            long n = choose_deployments(r, &b, by_router + start[router],
                                        start[router + 1] - start[router], state);
            rc = n < 0 ? -1 : 0;
            s->bounded |= n > SERIES_TOP_DEPLOYMENTS;
        }
    if (rc == 0)
        rc = write_rows(s, &b);
    free(b.bound);
    free(b.first_total);
    free(b.total);
    free(b.kept);
    free(by_router);
    free(start);
    free(state);
    return rc;
}

/* The index that finds the i-th point among the blocks when the rows are the points: the
 * first row of each block, bins' blocks one after another. */
static int index_points(series *s)
{
    const splitstore *st = s->r->split;
    size_t n = 0;
    for (size_t bin = 0; bin < st->n_bins; bin++)
        n += st->bins[bin].n_blocks;
    s->block_row = malloc((n + 1) * sizeof *s->block_row);
    s->bin_block = malloc((st->n_bins + 1) * sizeof *s->bin_block);
    if (!s->block_row || !s->bin_block)
        return -1;
    size_t g = 0, row = 0;
    for (size_t bin = 0; bin < st->n_bins; bin++) {
        const splitstore_bin *sb = &st->bins[bin];
        s->bin_block[bin] = g;
        for (size_t i = 0; i < sb->n_blocks; i++, g++) {
            s->block_row[g] = row;
            row += st->layouts[sb->layout[i]].n;
        }
    }
    s->bin_block[st->n_bins] = g;
    s->block_row[g] = row;
    s->n_blocks = g;
    return 0;
}

/* Which traffic entries call each target, so a target's requests are their sum. */
static int index_sources(series *s)
{
    const results *r = s->r;
    const flowstore *fs = r->flows;
    size_t nt = r->n_targets;
    s->target_first = calloc(nt + 1, sizeof *s->target_first);
    s->source_at = malloc((fs->n_sources ? fs->n_sources : 1) * sizeof *s->source_at);
    if (!s->target_first || !s->source_at)
        return -1;
    for (size_t i = 0; i < fs->n_sources; i++)
        if (fs->target[i] < nt)
            s->target_first[fs->target[i] + 1]++;
    for (size_t t = 0; t < nt; t++)
        s->target_first[t + 1] += s->target_first[t];
    for (size_t i = 0, t; i < fs->n_sources; i++)
        if ((t = fs->target[i]) < nt) /* entries in order: the sums add as they always did */
            s->source_at[s->target_first[t]++] = i;
    for (size_t t = nt; t > 0; t--) /* each start moved to the next one's: move them back */
        s->target_first[t] = s->target_first[t - 1];
    s->target_first[0] = 0;
    return 0;
}

/* Each router's requests over the run, and which routers have points. */
static void total_routers(series *s)
{
    const results *r = s->r;
    const splitstore *st = r->split;
    for (size_t bin = 0; bin < st->n_bins && bin < r->n_bins; bin++) {
        const splitstore_bin *sb = &st->bins[bin];
        for (size_t i = 0; i < sb->n_blocks; i++) {
            const splitstore_block blk = splitstore_block_at(sb, i);
            uint32_t router = st->layouts[blk.layout].router;
            if (router < r->n_routers) {
                s->total[router] += splitstore_block_sum(st, sb, &blk);
                s->shown[router] = 1;
            }
        }
    }
}

/* Requests per bin of the routers shown: only theirs, since only they are written (at fleet
 * scale a table of every router would be 1.6 MB for the twenty shown). */
static int route_shown(series *s)
{
    const results *r = s->r;
    const splitstore *st = r->split;
    size_t nr = r->n_routers, bins = r->n_bins ? r->n_bins : 1;
    s->column = malloc((nr ? nr : 1) * sizeof *s->column);
    if (!s->column)
        return -1;
    for (size_t i = 0; i < nr; i++)
        s->column[i] = s->shown[i] ? s->n_columns++ : SIZE_MAX;
    s->routed = calloc(bins * (s->n_columns ? s->n_columns : 1), sizeof *s->routed);
    if (!s->routed)
        return -1;
    for (size_t bin = 0; bin < st->n_bins && bin < r->n_bins; bin++) {
        const splitstore_bin *sb = &st->bins[bin];
        for (size_t i = 0; i < sb->n_blocks; i++) {
            const splitstore_block blk = splitstore_block_at(sb, i);
            uint32_t router = st->layouts[blk.layout].router;
            if (router < nr && s->shown[router])
                s->routed[bin * s->n_columns + s->column[router]] +=
                    splitstore_block_sum(st, sb, &blk);
        }
    }
    return 0;
}

int series_init(series *s, const results *r)
{
    return series_init_detail(s, r, SERIES_DETAIL_FULL);
}

int series_init_detail(series *s, const results *r, series_detail detail)
{
    size_t bins = r->n_bins ? r->n_bins : 1;
    *s = (series){.r = r};
    s->total = calloc(r->n_routers ? r->n_routers : 1, sizeof *s->total);
    s->unserved = calloc(bins * RESULTS_N_UNSERVED, sizeof *s->unserved);
    s->shown = calloc(r->n_routers ? r->n_routers : 1, 1);
    if (!s->total || !s->unserved || !s->shown || index_sources(s) != 0) {
        series_free(s);
        return -1;
    }
    total_routers(s);
    for (size_t i = 0; i < r->n_load_points; i++) {
        const results_load_point *p = &r->load_points[i];
        if (p->bin >= r->n_bins)
            continue;
        s->unserved[p->bin * RESULTS_N_UNSERVED + RESULTS_REJECTED] += p->load.rejected;
        s->unserved[p->bin * RESULTS_N_UNSERVED + RESULTS_TIMED_OUT] += p->load.timed_out;
    }
    for (size_t i = 0; r->n_bins && i < r->n_loads; i++)
        s->unserved[(r->n_bins - 1) * RESULTS_N_UNSERVED + RESULTS_UNFINISHED] +=
            r->loads[i].load.unfinished;
    if (detail == SERIES_DETAIL_FULL) {
        memset(s->shown, 1, r->n_routers);
        s->routers_shown = s->routers_in_series = r->n_routers;
        s->n_callers = r->n_targets;
        if (route_shown(s) != 0 || index_points(s) != 0) {
            series_free(s);
            return -1;
        }
        return 0;
    }
    if (choose_routers(s) != 0 || route_shown(s) != 0 || bound_rows(s) != 0) {
        series_free(s);
        return -1;
    }
    if (!s->callers)
        s->n_callers = r->n_targets;
    s->bounded |= s->routers_shown < s->routers_in_series || s->grouped_targets > 0;
    if (!s->bounded) { /* nothing left out: the full rows, without the copy */
        free(s->rows);
        free(s->callers);
        s->rows = NULL;
        s->callers = NULL;
        s->n_rows = 0;
        s->n_callers = r->n_targets;
        if (index_points(s) != 0) {
            series_free(s);
            return -1;
        }
    }
    return 0;
}

void series_free(series *s)
{
    free(s->total);
    free(s->column);
    free(s->routed);
    free(s->source_at);
    free(s->target_first);
    free(s->unserved);
    free(s->rows);
    free(s->shown);
    free(s->callers);
    free(s->others);
    free(s->block_row);
    free(s->bin_block);
    *s = (series){.r = s->r};
}

size_t series_split_count(const series *s)
{
    return s->rows ? s->n_rows : s->block_row[s->n_blocks];
}

/* The last of a[0..n) (ascending, a[0] <= x) that is at most x. */
static size_t last_at_most(const size_t *a, size_t n, size_t x)
{
    size_t lo = 0, hi = n;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

series_split_row series_split_at(const series *s, size_t i)
{
    if (s->rows)
        return s->rows[i];
    const splitstore *st = s->r->split;
    size_t g = last_at_most(s->block_row, s->n_blocks, i);
    size_t bin = last_at_most(s->bin_block, st->n_bins, g);
    /* a bin without blocks starts where the next one does: the last bin that starts at or
     * before block g holds it */
    const splitstore_bin *sb = &st->bins[bin];
    const splitstore_block block = splitstore_block_at(sb, g - s->bin_block[bin]), *blk = &block;
    const splitstore_layout *l = &st->layouts[blk->layout];
    size_t k = i - s->block_row[g];
    return (series_split_row){.bin = (uint32_t)bin,
                              .router = l->router,
                              .deployment = (long)l->deployment[k],
                              .routed = splitstore_count(sb, blk, k),
                              .replicas = l->replicas[k],
                              .expected_share = l->expected_share[k]};
}

int series_router_shown(const series *s, size_t router)
{
    return s->shown[router];
}

results_flow series_caller_row(const series *s, size_t bin, size_t k, long *target)
{
    *target = s->callers ? s->callers[k] : (long)k;
    return *target < 0 ? s->others[bin] : series_requests(s, bin, (size_t)*target);
}

double series_row_share(const series *s, const series_split_row *row)
{
    uint64_t total = series_routed(s, row->bin, row->router);
    return total ? (double)row->routed / (double)total : NAN;
}

double series_bin_start(const results *r, size_t bin)
{
    return fmin((double)bin * r->window_s, r->duration_s);
}

double series_bin_end(const results *r, size_t bin)
{
    return bin + 1 >= r->n_bins ? r->duration_s
                                : fmin((double)(bin + 1) * r->window_s, r->duration_s);
}

uint64_t series_routed(const series *s, size_t bin, size_t router)
{
    size_t column = s->column[router];
    return column == SIZE_MAX ? 0 : s->routed[bin * s->n_columns + column];
}

double series_observed_share(const series *s, const results_point *p)
{
    uint64_t total = series_routed(s, p->bin, p->router);
    return total ? (double)p->routed / (double)total : NAN;
}

results_flow series_requests(const series *s, size_t bin, size_t target)
{
    results_flow sum = {.bin = (uint32_t)bin, .target = (uint32_t)target};
    const flowstore *fs = s->r->flows;
    if (bin >= fs->n_bins)
        return sum;
    for (size_t k = s->target_first[target]; k < s->target_first[target + 1]; k++) {
        results_flow f = flowstore_at(fs, bin, s->source_at[k]);
        sum.arrivals += f.arrivals;
        for (int i = 0; i < RESULTS_N_REASONS; i++)
            sum.failed[i] += f.failed[i];
    }
    return sum;
}

uint64_t series_flow_failed(const results_flow *f)
{
    uint64_t failed = 0;
    for (int k = 0; k < RESULTS_N_REASONS; k++)
        failed += f->failed[k];
    return failed;
}

uint64_t series_unserved(const series *s, size_t bin, results_unserved reason)
{
    return s->unserved[bin * RESULTS_N_UNSERVED + reason];
}

/* Append text; never past the end of buf (which ends up truncated, still terminated). */
static size_t put(char *buf, size_t size, size_t used, const char *text)
{
    if (used >= size)
        return used;
    int n = snprintf(buf + used, size - used, "%s", text);
    return n < 0 ? size : used + (size_t)n;
}

void series_requests_text(char *buf, size_t size, const results *r, int with_reasons)
{
    static const char *const unserved_words[RESULTS_N_UNSERVED] = {" rejected", " timed out",
                                                                   " unfinished"};
    char count[32];
    size_t used = 0;
    buf[0] = 0;
    text_count(count, sizeof count, r->total);
    used = put(buf, size, put(buf, size, used, count), " arrived, ");
    text_count(count, sizeof count, r->routed);
    used = put(buf, size, put(buf, size, used, count), " routed, ");
    text_count(count, sizeof count, r->failed);
    used = put(buf, size, put(buf, size, used, count), " failed at the router");
    const char *sep = " (";
    for (int k = 0; with_reasons && k < RESULTS_N_REASONS; k++) {
        if (!r->failed_by_reason[k])
            continue;
        text_count(count, sizeof count, r->failed_by_reason[k]);
        used = put(buf, size, put(buf, size, used, sep), results_reason_name(k));
        used = put(buf, size, put(buf, size, used, " "), count);
        sep = ", ";
    }
    if (sep[0] == ',')
        used = put(buf, size, used, ")");
    for (int k = 0; k < RESULTS_N_UNSERVED; k++) {
        if (k == RESULTS_UNFINISHED ? r->unserved_by_reason[k] == 0 : r->n_loads == 0)
            continue;
        text_count(count, sizeof count, r->unserved_by_reason[k]);
        used = put(buf, size, put(buf, size, used, ", "), count);
        used = put(buf, size, used, unserved_words[k]);
    }
}

uint64_t series_flow_routed(const results_flow *f)
{
    uint64_t failed = series_flow_failed(f);
    return f->arrivals > failed ? f->arrivals - failed : 0;
}
