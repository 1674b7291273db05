/* The plots' gnuplot scripts plot only what has points and give an axis
 * whose values are all equal a range of its own, so that gnuplot prints
 * nothing a user would take for trouble on `benchai report` ("warning:
 * Skipping data file with no valid points" came from an empty dominated
 * set, a speed-only config in the score bars, a sweep without scores;
 * "Warning: empty y2 range" from an expert sweep scoring 0 everywhere). */
#include <criterion/criterion.h>
#include "report/plot.h"
#include "util/fs.h"
#include "util/mem.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum kind { PARETO, LINES, BARS };

struct what {
    enum kind kind;
    const struct report_scatter_pt *pts;       /* PARETO */
    size_t n;
    const struct report_series *series;        /* LINES */
    const char *const *groups, *const *names;  /* BARS: n groups x n_series names */
    const double *values;
    size_t n_series;
};

/* Draws w into dir/NAME.svg with stderr captured; returns the script and
 * sets *stderr_text to what gnuplot printed ("" without gnuplot). */
static char *plot(const char *dir, const char *name, const struct what *w, char **stderr_text)
{
    char *svg = xasprintf("%s/%s.svg", dir, name), *gp = xasprintf("%s/%s.gp", dir, name);
    char *errf = xasprintf("%s/%s.stderr", dir, name);
    fflush(stderr);
    int saved = dup(2), fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    struct bai_error err = { 0 };
    struct report_lines_spec spec = { "K sweep", "K", "tokens/s", "score (%)", 0, 1, 0 };
    int rc = w->kind == PARETO ? report_plot_pareto(svg, "t", "tokens/s", "score (%)", w->pts, w->n, &err)
             : w->kind == LINES ? report_plot_lines(svg, &spec, w->series, w->n_series, &err)
                                : report_plot_bars(svg, "t", "score (%)", 105, w->groups, w->n, w->names,
                                                   w->n_series, w->values, &err);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    close(fd);
    cr_assert(rc == REPORT_PLOT_DONE || rc == REPORT_PLOT_NO_GNUPLOT, "%s", err.msg);
    if (rc == REPORT_PLOT_DONE)
        cr_assert(fs_exists(svg), "%s was not drawn", svg);
    *stderr_text = fs_read_file(errf, NULL, NULL);
    char *script = fs_read_file(gp, NULL, NULL);
    cr_assert_not_null(script);
    free(svg);
    free(gp);
    free(errf);
    return script;
}

/* gnuplot printed nothing: no warning, no error. Frees noise. */
static void assert_quiet(char *noise)
{
    cr_assert_null(strstr(noise, "warning"), "gnuplot said: %s", noise);
    cr_assert_null(strstr(noise, "rror"), "gnuplot said: %s", noise);
    free(noise);
}

Test(report_plot_quiet, pareto_plots_only_non_empty_sets)
{
    char dir[] = "/tmp/benchai-pareto-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *noise = NULL;

    /* all on the frontier: no dominated set */
    struct report_scatter_pt front[] = { { "a", 10, 80, 70, 90, 1 }, { "b", 30, 60, NAN, NAN, 1 } };
    char *gp = plot(dir, "front", &(struct what){ .kind = PARETO, .pts = front, .n = 2 }, &noise);
    cr_assert_null(strstr(gp, "'dominated'"), "%s", gp);
    cr_assert(strstr(gp, "index 0 using 1:2 with lines lw 2 lc rgb '#c0392b' title 'frontier'"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    /* one dominated, one frontier: both sets */
    struct report_scatter_pt mixed[] = { { "a", 10, 50, 40, 60, 0 }, { "b", 30, 60, 50, 70, 1 } };
    gp = plot(dir, "mixed", &(struct what){ .kind = PARETO, .pts = mixed, .n = 2 }, &noise);
    cr_assert(strstr(gp, "index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.1 lc rgb '#8c8c8c' title 'dominated'"),
              "%s", gp);
    cr_assert(strstr(gp, "index 1 using 1:2 with lines lw 2 lc rgb '#c0392b' title 'frontier'"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    /* nothing to plot: an empty frame, still a valid script */
    gp = plot(dir, "empty", &(struct what){ .kind = PARETO }, &noise);
    cr_assert_null(strstr(gp, "index"), "%s", gp);
    cr_assert(strstr(gp, "plot NaN notitle"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
}

Test(report_plot_quiet, lines_and_bars_skip_empty_series_and_flat_axes)
{
    char dir[] = "/tmp/benchai-lines-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *noise = NULL;

    /* an expert sweep: tokens/s left, score 0 everywhere right, and a
     * series with no value at all (a config that was never measured) */
    double x[] = { 2, 4, 8 }, tps[] = { 40, 25, 14 }, zero[] = { 0, 0, 0 }, none[] = { NAN, NAN, NAN };
    struct report_series s[] = { { "m: tok/s", x, tps, 3, 0 }, { "m: score %", x, zero, 3, 1 },
                                 { "other: tok/s", x, none, 3, 0 } };
    char *gp = plot(dir, "lines", &(struct what){ .kind = LINES, .series = s, .n_series = 3 }, &noise);
    assert_quiet(noise);
    cr_assert(strstr(gp, "set y2range [0:1]"), "a flat right axis gets a range:\n%s", gp);
    cr_assert(strstr(gp, "set yrange [0:*]"), "%s", gp);
    cr_assert(strstr(gp, "index 1 using 1:2 with linespoints lw 2 pt 6 ps 1.2 lc 1 dt 2 axes x1y2 title 'm: score %'"),
              "%s", gp);
    cr_assert_null(strstr(gp, "'other: tok/s'"), "the empty series is not plotted:\n%s", gp);
    free(gp);

    /* score bars: a speed-only config has no bar in any group */
    const char *groups[] = { "coder", "general" }, *names[] = { "speed only", "a", "b" };
    double v[] = { NAN, NAN, 0, 50, NAN, 75 };
    gp = plot(dir, "bars", &(struct what){ .kind = BARS, .groups = groups, .n = 2, .names = names, .values = v,
                                           .n_series = 3 }, &noise);
    assert_quiet(noise);
    cr_assert_null(strstr(gp, "'speed only'"), "%s", gp);
    cr_assert(strstr(gp, "using 3:xtic(1) title 'a'") && strstr(gp, "using 4 title 'b'"), "%s", gp);
    free(gp);

    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
}
