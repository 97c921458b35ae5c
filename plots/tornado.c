/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "plots/tornado.h"

#include "plots/plots.h"

#include <math.h>
#include <stdlib.h>

static const char low_colour[] = "#1f77b4", high_colour[] = "#ff7f0e", ref_colour[] = "#d62728";

static double swing(const tornado_bar *b)
{
    double lo = fmin(b->nominal, fmin(b->low, b->high));
    double hi = fmax(b->nominal, fmax(b->low, b->high));
    return isfinite(hi - lo) ? hi - lo : 0.0;
}

static int by_swing(const void *a, const void *b)
{
    double sa = swing(*(const tornado_bar *const *)a), sb = swing(*(const tornado_bar *const *)b);
    return (sa > sb) - (sa < sb); /* ascending: the widest is drawn last, on top */
}

/* One half-bar, from the nominal figure to `end`, at row y. */
static void half(gnuplot *g, double nominal, double end, size_t y)
{
    if (!isfinite(nominal) || !isfinite(end))
        return;
    gnuplot_printf(g, "%.10g %zu %.10g %.10g %zu.0 %zu.0\n", 0.5 * (nominal + end), y,
                   fmin(nominal, end), fmax(nominal, end), y, y);
}

void tornado_script(gnuplot *g, const canvas *c, const void *arg)
{
    (void)c;
    const tornado *t = arg;
    const tornado_bar **order = malloc((t->n ? t->n : 1) * sizeof *order);
    if (!order)
        return;
    for (size_t i = 0; i < t->n; i++)
        order[i] = &t->bars[i];
    qsort(order, t->n, sizeof *order, by_swing);
    const char *names[2] = {"L", "H"};
    for (int side = 0; side < 2; side++) {
        gnuplot_printf(g, "$%s << EOD\n", names[side]);
        for (size_t i = 0; i < t->n; i++)
            half(g, order[i]->nominal, side ? order[i]->high : order[i]->low, i);
        gnuplot_printf(g, "EOD\n");
    }
    gnuplot_printf(g, "set title ");
    gnuplot_string(g, t->title);
    gnuplot_printf(g, " font ',13'\nset xlabel ");
    gnuplot_string(g, t->xlabel);
    gnuplot_printf(g,
                   "\nset border 3 lw 1 lc rgb '#666666'\n"
                   "set tics nomirror out scale 0.5 tc rgb '#333333'\n"
                   "set key outside right top vertical Left reverse samplen 2.5 spacing 1.3\n"
                   "set lmargin 52\nset yrange [-0.7:%zu.7]\nset ytics (",
                   t->n ? t->n - 1 : 0);
    for (size_t i = 0; i < t->n; i++) {
        gnuplot_printf(g, "%s", i ? ", " : "");
        gnuplot_string(g, order[i]->label);
        gnuplot_printf(g, " %zu", i);
    }
    gnuplot_printf(g,
                   ")\nset style fill solid 0.7 noborder\n"
                   "set arrow from first %.10g, graph 0 to first %.10g, graph 1 nohead "
                   "dt (7,5) lw 2 lc rgb '%s'\n",
                   t->reference, t->reference, ref_colour);
    /* boxxyerror: x y xlow xhigh ylow yhigh, rows 0.35 high on each side */
    gnuplot_printf(g,
                   "plot $L using 1:2:3:4:($2-0.35):($2+0.35) with boxxyerror lc rgb '%s' "
                   "title 'parameter at its low end', "
                   "$H using 1:2:3:4:($2-0.35):($2+0.35) with boxxyerror lc rgb '%s' "
                   "title 'parameter at its high end', "
                   "keyentry with lines dt (7,5) lw 2 lc rgb '%s' title 'limit'\n",
                   low_colour, high_colour, ref_colour);
    free(order);
}

int tornado_draw(const char *dir, const char *stem, const tornado *plot,
                 void (*warn)(const char *message), char *err, size_t errlen)
{
    canvas c = {.width = PLOTS_WIDTH, .height = PLOTS_HEIGHT, .warn = warn};
    return canvas_render(&c, dir, stem, tornado_script, plot, err, errlen);
}
