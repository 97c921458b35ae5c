/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/split.h"

#include "plots/band.h"
#include "plots/lineup.h"
#include "views/text.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The expected shares' dashed steps and the phase boundaries, in the plot and the legend. */
static const char *const expected_style = "dt (7,5) lw 2 lc rgb '#1a1a1a'";
static const char *const boundary_style = "lw 1.2 lc rgb '#3b3b3b'";

/* The colour of the area that sums the deployments not shown on their own. */
static const char *const other_colour = "#c7c7c7";

struct split_plot {
    const series *s;
    long router;
    char title[192];
    lineup deps;   /* what the plot shows: the router's deployments, or its busiest and "(other)" */
    lineup full;   /* when grouped: every deployment of the router's phases */
    long *group;   /* when grouped: [k of full] -> position in deps; else NULL */
    double *spare; /* when grouped: [full.n], for a phase's shares before they are summed */
    uint64_t *counts;            /* [bin * deps.n + k]: requests the router sent to deployment k */
    int observed;                /* the router routed something: there are areas to draw */
    const replicas_summary *rep; /* a replicated run's: bands instead of areas; else NULL */
};

/* Requests per bin and deployment of the lineup, from the time series. */
static int count_points(split_plot *sp, const results *r)
{
    size_t n = sp->deps.n;
    long *position = malloc((r->n_deployments ? r->n_deployments : 1) * sizeof *position);
    sp->counts = calloc((r->n_bins ? r->n_bins : 1) * (n ? n : 1), sizeof *sp->counts);
    if (!position || !sp->counts) {
        free(position);
        return -1;
    }
    for (size_t d = 0; d < r->n_deployments; d++)
        position[d] = lineup_find(&sp->deps, r->deployments[d]);
    const splitstore *st = r->split;
    for (size_t bin = 0; bin < st->n_bins && bin < r->n_bins; bin++) {
        const splitstore_bin *sb = &st->bins[bin];
        for (size_t i = 0; i < sb->n_blocks; i++) {
            const splitstore_block block = splitstore_block_at(sb, i), *blk = &block;
            const splitstore_layout *l = &st->layouts[blk->layout];
            if ((long)l->router != sp->router)
                continue;
            for (size_t k = 0; k < l->n; k++) {
                uint64_t routed = splitstore_count(sb, blk, k);
                uint32_t d = l->deployment[k];
                if (routed == 0 || d >= r->n_deployments || position[d] < 0)
                    continue;
                sp->counts[bin * n + (size_t)position[d]] += routed;
                sp->observed = 1;
            }
        }
    }
    free(position);
    return 0;
}

/* Under bounded detail a router of more than SERIES_TOP_DEPLOYMENTS deployments shows its
 * busiest (most requests over the run; ties: the earlier in the lineup), in lineup order,
 * and one "(other)" area summing the rest, as its time series does: hundreds of slivers
 * would be neither readable nor quick to draw. */
static int group_small(split_plot *sp, const results *r)
{
    size_t n = sp->deps.n, bins = r->n_bins, shown = SERIES_TOP_DEPLOYMENTS;
    uint64_t *total = calloc(n, sizeof *total);
    size_t *order = malloc(n * sizeof *order);
    sp->group = malloc(n * sizeof *sp->group);
    sp->spare = calloc(n, sizeof *sp->spare);
    lineup few = {.n = shown + 1,
                  .names = calloc(shown + 1, sizeof *few.names),
                  .index = calloc(shown + 1, sizeof *few.index)};
    uint64_t *counts = calloc((bins ? bins : 1) * (shown + 1), sizeof *counts);
    if (!total || !order || !sp->group || !sp->spare || !few.names || !few.index || !counts) {
        free(total);
        free(order);
        free(counts);
        lineup_free(&few);
        return -1;
    }
    for (size_t b = 0; b < bins; b++)
        for (size_t k = 0; k < n; k++)
            total[k] += sp->counts[b * n + k];
    /* the busiest `shown`, by insertion into order[0..shown): stable, so ties keep lineup
     * order */
    size_t picked = 0;
    for (size_t k = 0; k < n; k++) {
        size_t at = picked < shown ? picked++ : shown;
        while (at > 0 && total[order[at - 1]] < total[k]) {
            if (at < shown)
                order[at] = order[at - 1];
            at--;
        }
        if (at < shown)
            order[at] = k;
    }
    for (size_t k = 0; k < n; k++)
        sp->group[k] = -1;
    for (size_t i = 0; i < shown; i++)
        sp->group[order[i]] = 0; /* shown; numbered in lineup order below */
    for (size_t k = 0, next = 0; k < n; k++)
        if (sp->group[k] == 0) {
            few.names[next] = sp->deps.names[k];
            few.index[next] = sp->deps.index[k];
            sp->group[k] = (long)next++;
        } else {
            sp->group[k] = (long)shown;
        }
    few.names[shown] = SERIES_OTHER;
    few.index[shown] = -1;
    for (size_t b = 0; b < bins; b++)
        for (size_t k = 0; k < n; k++)
            counts[b * (shown + 1) + (size_t)sp->group[k]] += sp->counts[b * n + k];
    free(total);
    free(order);
    free(sp->counts);
    sp->counts = counts;
    sp->full = sp->deps;
    sp->deps = few;
    return 0;
}

/* The phase's expected share of each area (lineup_shares, summed into "(other)" when
 * grouped); returns the sum of the phase's shares. */
static double split_shares(const split_plot *sp, const results_phase *ph, double *share)
{
    if (!sp->group)
        return lineup_shares(&sp->deps, ph, share);
    double sum = lineup_shares(&sp->full, ph, sp->spare);
    for (size_t k = 0; k < sp->deps.n; k++)
        share[k] = 0.0;
    for (size_t k = 0; k < sp->full.n; k++)
        share[sp->group[k]] += sp->spare[k];
    return sum;
}

static const char *area_colour(const split_plot *sp, size_t k)
{
    return sp->deps.index[k] < 0 ? other_colour : canvas_colour(sp->deps.index[k]);
}

split_plot *split_new(const series *s, size_t router, const replicas_summary *rep)
{
    const results *r = s->r;
    split_plot *sp = calloc(1, sizeof *sp);
    if (!sp)
        return NULL;
    sp->s = s;
    sp->router = (long)router;
    sp->rep = rep;
    if (rep)
        snprintf(sp->title, sizeof sp->title,
                 "Traffic split of router %.120s, across %zu replications",
                 text_short_name(r->routers[router]), rep->replications);
    else
        snprintf(sp->title, sizeof sp->title, "Traffic split of router %.120s",
                 text_short_name(r->routers[router]));
    if (lineup_build(&sp->deps, r, sp->router) != 0 || count_points(sp, r) != 0 ||
        (s->bounded && !rep && sp->deps.n > SERIES_TOP_DEPLOYMENTS + 1 &&
         group_small(sp, r) != 0)) {
        split_free(sp);
        return NULL;
    }
    return sp;
}

void split_free(split_plot *sp)
{
    if (!sp)
        return;
    lineup_free(&sp->deps);
    lineup_free(&sp->full);
    free(sp->group);
    free(sp->spare);
    free(sp->counts);
    free(sp);
}

int split_drawable(const split_plot *sp)
{
    return sp->observed || sp->deps.n > 1;
}

const char *split_title(const split_plot *sp)
{
    return sp->title;
}

/* Observed shares, stacked: per bin two rows (its start and end) of cumulative percentages,
 * a blank line (a gap) over bins in which the router routed nothing. */
static void split_observed(gnuplot *g, const canvas *c, const split_plot *sp)
{
    const results *r = c->r;
    size_t n = sp->deps.n;
    int gap = 1;
    gnuplot_printf(g, "$observed << EOD\n");
    for (size_t b = 0; b < r->n_bins; b++) {
        uint64_t total = series_routed(sp->s, b, (size_t)sp->router);
        if (total == 0) {
            gnuplot_printf(g, gap ? "" : "\n");
            gap = 1;
            continue;
        }
        for (int edge = 0; edge < 2; edge++) {
            uint64_t sum = 0;
            gnuplot_printf(g, "%.9g",
                           canvas_x(c, edge ? series_bin_end(r, b) : series_bin_start(r, b)));
            for (size_t k = 0; k < n; k++) {
                sum += sp->counts[b * n + k];
                gnuplot_printf(g, " %.6g", 100.0 * (double)sum / (double)total);
            }
            gnuplot_printf(g, "\n");
        }
        gap = 0;
    }
    gnuplot_printf(g, "EOD\n");
}

/* Expected shares, stacked like the areas: per phase two rows of cumulative percentages
 * without the last (always 100), so each line is the expected top of one area. */
static void split_expected(gnuplot *g, const canvas *c, const split_plot *sp, double *share)
{
    const results *r = c->r;
    double last_end = -1.0;
    gnuplot_printf(g, "$expected << EOD\n");
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!lineup_phase_matches(r, ph, sp->router))
            continue;
        double sum = split_shares(sp, ph, share);
        if (last_end >= 0.0 && (sum <= 0.0 || ph->start_s != last_end))
            gnuplot_printf(g, "\n");
        last_end = sum > 0.0 ? ph->end_s : -1.0;
        for (int edge = 0; sum > 0.0 && edge < 2; edge++) {
            double cum = 0.0;
            gnuplot_printf(g, "%.9g", canvas_x(c, edge ? ph->end_s : ph->start_s));
            for (size_t k = 0; k + 1 < sp->deps.n; k++) {
                cum += share[k];
                gnuplot_printf(g, " %.6g", 100.0 * cum / sum);
            }
            gnuplot_printf(g, "\n");
        }
    }
    gnuplot_printf(g, "EOD\n");
}

static int split_has_boundaries(const results *r, long router);

/* Expected shares, each apart (for bands, which do not stack): per phase two rows of every
 * deployment's share in percent. */
static void split_expected_each(gnuplot *g, const canvas *c, const split_plot *sp, double *share)
{
    const results *r = c->r;
    double last_end = -1.0;
    gnuplot_printf(g, "$expected << EOD\n");
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!lineup_phase_matches(r, ph, sp->router))
            continue;
        double sum = split_shares(sp, ph, share);
        if (last_end >= 0.0 && (sum <= 0.0 || ph->start_s != last_end))
            gnuplot_printf(g, "\n");
        last_end = sum > 0.0 ? ph->end_s : -1.0;
        for (int edge = 0; sum > 0.0 && edge < 2; edge++) {
            gnuplot_printf(g, "%.9g", canvas_x(c, edge ? ph->end_s : ph->start_s));
            for (size_t k = 0; k < sp->deps.n; k++)
                gnuplot_printf(g, " %.6g", 100.0 * share[k] / sum);
            gnuplot_printf(g, "\n");
        }
    }
    gnuplot_printf(g, "EOD\n");
}

/* The band of each deployment's share across replications as $band<k>; returns whether any
 * has a window to draw. */
static int split_bands(gnuplot *g, const canvas *c, const split_plot *sp)
{
    int any = 0;
    double lo = INFINITY, hi = 0.0;
    for (size_t k = 0; k < sp->deps.n; k++) {
        const replicas_band *b =
            band_find(sp->rep, REPLICAS_BAND_SHARE, c->r->routers[sp->router], sp->deps.names[k]);
        char name[32];
        snprintf(name, sizeof name, "band%zu", k);
        if (b)
            any |= band_block(g, c, name, b, sp->rep->n_bins, 100.0, &lo, &hi) > 0;
    }
    return any;
}

/* With bands: each deployment's ribbon and median, and its expected share dashed in its
 * colour. */
static void split_band_command(gnuplot *g, const canvas *c, const split_plot *sp)
{
    const char *sep = "plot ";
    for (size_t k = 0; k < sp->deps.n; k++) {
        if (!band_find(sp->rep, REPLICAS_BAND_SHARE, c->r->routers[sp->router], sp->deps.names[k]))
            continue;
        char name[32];
        snprintf(name, sizeof name, "band%zu", k);
        band_items(g, sep, name, canvas_colour(sp->deps.index[k]),
                   text_short_name(sp->deps.names[k]));
        sep = ", ";
    }
    for (size_t k = 0; k < sp->deps.n; k++) {
        gnuplot_printf(g, "%s$expected using 1:%zu with lines dt (7,5) lw 2 lc rgb '%s' notitle",
                       sep, k + 2, canvas_colour(sp->deps.index[k]));
        sep = ", ";
    }
    gnuplot_printf(g, ", keyentry with lines %s title 'expected share (replicas)'", expected_style);
    if (split_has_boundaries(c->r, sp->router))
        gnuplot_printf(g, ", keyentry with lines %s title 'phase boundary'", boundary_style);
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

static void percent_text(char *buf, size_t size, double share)
{
    double v = 100.0 * share;
    snprintf(buf, size, fabs(v - round(v)) < 0.05 ? "%.0f" : "%.1f", v);
}

/* Above each phase wide enough for it, the split its replicas promise: "80/20". */
static void split_phase_label(gnuplot *g, const canvas *c, const split_plot *sp,
                              const results_phase *ph, double *share)
{
    char label[256] = "no replicas";
    double sum = split_shares(sp, ph, share);
    for (size_t k = 0, used = 0; sum > 0.0 && k < sp->deps.n && used < sizeof label; k++) {
        char pct[32];
        percent_text(pct, sizeof pct, share[k] / sum);
        used += (size_t)snprintf(label + used, sizeof label - used, "%s%s", k ? "/" : "", pct);
    }
    double width_px = 0.7 * c->width * (ph->end_s - ph->start_s) / c->r->duration_s;
    if (width_px < 8.0 * (double)strlen(label) + 16.0)
        return;
    gnuplot_printf(g,
                   "set label '%s' at %.9g, graph 1 offset 0, 1.8 center font ',10' "
                   "tc rgb '#1a1a1a' front\n",
                   label, canvas_x(c, (ph->start_s + ph->end_s) / 2));
}

/* A solid line where the router's phase changes (its deployments or their replicas). */
static void split_boundaries(gnuplot *g, const canvas *c, const split_plot *sp)
{
    const results *r = c->r;
    double last = -1.0;
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (!lineup_phase_matches(r, ph, sp->router))
            continue;
        double edges[2] = {ph->start_s, ph->end_s};
        for (int e = 0; e < 2; e++) {
            if (edges[e] <= 0.0 || edges[e] >= r->duration_s || edges[e] == last)
                continue;
            last = edges[e];
            double x = canvas_x(c, edges[e]);
            gnuplot_printf(g, "set arrow from %.9g, graph 0 to %.9g, graph 1 nohead %s front\n", x,
                           x, boundary_style);
        }
    }
}

/* Where the router did not exist, the empty stretch says so when it is wide enough. */
static void split_absence(gnuplot *g, const canvas *c, const split_plot *sp)
{
    const results *r = c->r;
    double covered = 0.0;
    for (size_t i = 0; i <= r->n_phases; i++) {
        const results_phase *ph = i < r->n_phases ? &r->phases[i] : NULL;
        if (ph && !lineup_phase_matches(r, ph, sp->router))
            continue;
        double start = ph ? ph->start_s : r->duration_s;
        if (start - covered >= 0.2 * r->duration_s)
            gnuplot_printf(g,
                           "set label 'router does not exist' at %.9g, graph 0.5 center "
                           "tc rgb '#666666'\n",
                           canvas_x(c, (covered + start) / 2));
        if (ph && ph->end_s > covered)
            covered = ph->end_s;
    }
}

static int split_has_boundaries(const results *r, long router)
{
    for (size_t i = 0; i < r->n_phases; i++) {
        const results_phase *ph = &r->phases[i];
        if (lineup_phase_matches(r, ph, router) && (ph->start_s > 0.0 || ph->end_s < r->duration_s))
            return 1;
    }
    return 0;
}

static void split_plot_command(gnuplot *g, const canvas *c, const split_plot *sp)
{
    const char *sep = "plot ";
    for (size_t k = 0; sp->observed && k < sp->deps.n; k++) {
        char lower[16];
        snprintf(lower, sizeof lower, k ? "%zu" : "(0)", k + 1);
        gnuplot_printf(g, "%s$observed using 1:%s:%zu with filledcurves lc rgb '%s' title ", sep,
                       lower, k + 2, area_colour(sp, k));
        gnuplot_string(g, text_short_name(sp->deps.names[k]));
        sep = ", ";
    }
    for (size_t k = 0; k + 1 < sp->deps.n; k++) {
        gnuplot_printf(g, "%s$expected using 1:%zu with lines %s %s", sep, k + 2, expected_style,
                       k ? "notitle" : "title 'expected share (replicas)'");
        sep = ", ";
    }
    if (split_has_boundaries(c->r, sp->router))
        gnuplot_printf(g, ", keyentry with lines %s title 'phase boundary'", boundary_style);
    canvas_key_events(g, c);
    gnuplot_printf(g, "\n");
}

void split_script(gnuplot *g, const canvas *c, const void *arg)
{
    const split_plot *sp = arg;
    double *share = calloc(sp->deps.n ? sp->deps.n : 1, sizeof *share);
    if (!share) {
        gnuplot_printf(g, "exit error 'out of memory'\n");
        return;
    }
    char title[512];
    canvas_title(title, sizeof title, sp->title, c->r);
    canvas_setup(g, c, title, "share of requests (%)");
    gnuplot_printf(g, "set yrange [0:100]\nset ytics 0, 20, 100 format '%%g%%%%'\n");
    split_boundaries(g, c, sp);
    split_absence(g, c, sp);
    gnuplot_printf(g, "set label 'expected split' at graph 0, graph 1 offset -1, 1.8 right "
                      "font ',9' tc rgb '#555555'\n");
    for (size_t i = 0; i < c->r->n_phases; i++)
        if (lineup_phase_matches(c->r, &c->r->phases[i], sp->router))
            split_phase_label(g, c, sp, &c->r->phases[i], share);
    if (sp->rep && split_bands(g, c, sp)) {
        split_expected_each(g, c, sp, share);
        split_band_command(g, c, sp);
    } else {
        split_observed(g, c, sp);
        split_expected(g, c, sp, share);
        split_plot_command(g, c, sp);
    }
    free(share);
}
