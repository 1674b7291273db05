/* The Pareto plot's gnuplot script plots only what has points, so that
 * gnuplot prints nothing a user would take for trouble ("warning: Skipping
 * data file with no valid points" came from an empty dominated set). */
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

/* Draws pts into dir/NAME.svg with stderr captured; returns the script and
 * sets *stderr_text to what gnuplot printed ("" without gnuplot). */
static char *plot(const char *dir, const char *name, const struct report_scatter_pt *pts, size_t n,
                  char **stderr_text)
{
    char *svg = xasprintf("%s/%s.svg", dir, name), *gp = xasprintf("%s/%s.gp", dir, name);
    char *errf = xasprintf("%s/%s.stderr", dir, name);
    fflush(stderr);
    int saved = dup(2), fd = open(errf, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    cr_assert(saved >= 0 && fd >= 0);
    dup2(fd, 2);
    struct bai_error err = { 0 };
    int rc = report_plot_pareto(svg, "t", "tokens/s", "score (%)", pts, n, &err);
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

Test(report_plot_pareto, only_non_empty_sets_are_plotted)
{
    char dir[] = "/tmp/benchai-pareto-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *noise = NULL;

    /* all on the frontier: no dominated set */
    struct report_scatter_pt front[] = { { "a", 10, 80, 70, 90, 1 }, { "b", 30, 60, NAN, NAN, 1 } };
    char *gp = plot(dir, "front", front, 2, &noise);
    cr_assert_null(strstr(gp, "'dominated'"), "%s", gp);
    cr_assert(strstr(gp, "index 0 using 1:2 with lines lw 2 lc rgb '#c0392b' title 'frontier'"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    /* one dominated, one frontier: both sets */
    struct report_scatter_pt mixed[] = { { "a", 10, 50, 40, 60, 0 }, { "b", 30, 60, 50, 70, 1 } };
    gp = plot(dir, "mixed", mixed, 2, &noise);
    cr_assert(strstr(gp, "index 0 using 1:2:3:4 with yerrorbars pt 7 ps 1.1 lc rgb '#8c8c8c' title 'dominated'"),
              "%s", gp);
    cr_assert(strstr(gp, "index 1 using 1:2 with lines lw 2 lc rgb '#c0392b' title 'frontier'"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    /* nothing to plot: an empty frame, still a valid script */
    gp = plot(dir, "empty", NULL, 0, &noise);
    cr_assert_null(strstr(gp, "index"), "%s", gp);
    cr_assert(strstr(gp, "plot NaN notitle"), "%s", gp);
    assert_quiet(noise);
    free(gp);

    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
}
