/* plot.c - write gnuplot data + script files and run gnuplot on them. */
#include "report/plot.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/escape.h"
#include "util/fs.h"
#include "util/mem.h"

/* Canvas sizes in pixels; the label placement below estimates text extents
 * from them. */
#define PLOT_W 960
#define PLOT_H 600
#define PLOT_FONT_PT 11

const char *report_gnuplot_path(void)
{
    static char found[4096];
    const char *env = getenv("BENCHAI_GNUPLOT");
    if (env && *env) {
        if (!strcmp(env, "none"))
            return NULL;
        return access(env, X_OK) == 0 ? env : NULL;
    }
    const char *path = getenv("PATH");
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        const char *colon = strchr(path, ':');
        size_t len = colon ? (size_t)(colon - path) : strlen(path);
        if (len && len + sizeof "/gnuplot" < sizeof found) {
            memcpy(found, path, len);
            strcpy(found + len, "/gnuplot");
            if (access(found, X_OK) == 0)
                return found;
        }
        path += len + (colon ? 1 : 0);
    }
    return NULL;
}

/* A name as one line that gnuplot's SVG (XML 1.0) can hold: control
 * characters and invalid bytes shown as "\x1b" (util/escape.h), the
 * noncharacters U+FFFE/U+FFFF as U+FFFD. gnuplot itself escapes &, < and >. */
static char *plot_text(const char *s)
{
    struct buf b = {0};
    esc_term_puts(&b, s ? s : "", ESC_LINE);
    char *t = buf_detach(&b);
    for (char *p = t; (p = strstr(p, "\xEF\xBF")) != NULL; p += 3)
        if ((unsigned char)p[2] == 0xBE || (unsigned char)p[2] == 0xBF)
            p[2] = (char)0xBD;
    return t;
}

/* A gnuplot single-quoted string: only '' needs escaping inside. */
static void gp_quote(struct buf *b, const char *s)
{
    char *t = plot_text(s);
    buf_putc(b, '\'');
    for (const char *p = t; *p; p++) {
        if (*p == '\'')
            buf_putc(b, '\'');
        buf_putc(b, *p);
    }
    buf_putc(b, '\'');
    free(t);
}

/* A data-file string column: double-quoted, inner double quotes replaced,
 * backslashes doubled (gnuplot reads escapes in double-quoted data). */
static void dat_quote(struct buf *b, const char *s)
{
    char *t = plot_text(s);
    buf_putc(b, '"');
    for (const char *p = t; *p; p++) {
        if (*p == '\\')
            buf_putc(b, '\\');
        buf_putc(b, *p == '"' ? '\'' : *p);
    }
    buf_putc(b, '"');
    free(t);
}

/* out_path "dir/name.svg" -> "dir/name" + suffix. */
static char *sibling(const char *out_path, const char *suffix)
{
    const char *dot = strrchr(out_path, '.');
    const char *slash = strrchr(out_path, '/');
    size_t stem = dot && (!slash || dot > slash) ? (size_t)(dot - out_path) : strlen(out_path);
    char *s = xmalloc(stem + strlen(suffix) + 1);
    memcpy(s, out_path, stem);
    strcpy(s + stem, suffix);
    return s;
}

static int is_png(const char *path)
{
    size_t n = strlen(path);
    return n > 4 && !strcasecmp(path + n - 4, ".png");
}

static int check_ext(const char *path, struct bai_error *err)
{
    size_t n = strlen(path);
    if (n > 4 && (!strcasecmp(path + n - 4, ".svg") || !strcasecmp(path + n - 4, ".png")))
        return 0;
    bai_error_set(err, BAI_EXIT_USAGE, "plot %s: the file name must end in .svg or .png", path);
    return -1;
}

/* Terminal, output and the settings every plot shares. noenhanced: labels
 * such as "tiny_moe" must not turn "_m" into a subscript. */
static void gp_preamble(struct buf *gp, const char *out_path, const char *title)
{
    if (is_png(out_path)) {
        buf_printf(gp, "if (strstrt(GPVAL_TERMINALS, 'pngcairo') > 0) {\n"
                       "  set terminal pngcairo size %d,%d font 'sans,%d' noenhanced background rgb 'white'\n"
                       "} else {\n"
                       "  set terminal png size %d,%d noenhanced\n"
                       "}\n",
                   PLOT_W, PLOT_H, PLOT_FONT_PT, PLOT_W, PLOT_H);
    } else {
        buf_printf(gp, "set terminal svg size %d,%d font 'sans,%d' noenhanced background rgb 'white'\n",
                   PLOT_W, PLOT_H, PLOT_FONT_PT);
    }
    /* benchai runs the script with bai_output set to a temp file of its own
     * (renamed onto out_path afterwards, never written through a link); run
     * by hand, the script writes out_path itself */
    buf_puts(gp, "if (!exists('bai_output')) bai_output = ");
    gp_quote(gp, out_path);
    buf_puts(gp, "\nset output bai_output");
    buf_puts(gp, "\nset encoding utf8\nset datafile missing '?'\n"
                 "set grid lc rgb '#dddddd'\nset border lc rgb '#444444'\n");
    if (title) {
        buf_puts(gp, "set title ");
        gp_quote(gp, title);
        buf_puts(gp, " font ',13'\n");
    }
}

static int run_gnuplot(const char *gp_path, const char *out_tmp, struct bai_error *err)
{
    const char *gnuplot = report_gnuplot_path();
    if (!gnuplot)
        return REPORT_PLOT_NO_GNUPLOT;
    struct buf set = {0};
    buf_puts(&set, "bai_output = ");
    gp_quote(&set, out_tmp);
    pid_t pid = fork();
    if (pid < 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "fork for gnuplot: %s", strerror(errno));
        buf_free(&set);
        return -1;
    }
    if (pid == 0) {
        /* stdout is benchai's result channel: gnuplot must not write to it */
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) {
            dup2(devnull, STDOUT_FILENO);
            close(devnull);
        }
        char *const argv[] = { (char *)gnuplot, "-e", set.data, (char *)gp_path, NULL };
        execv(gnuplot, argv);
        _exit(127);
    }
    buf_free(&set);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            bai_error_set(err, BAI_EXIT_INTERNAL, "waiting for gnuplot: %s", strerror(errno));
            return -1;
        }
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "gnuplot failed on %s (%s %d)", gp_path,
                      WIFEXITED(status) ? "exit" : "signal",
                      WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return -1;
    }
    return REPORT_PLOT_DONE;
}

/* Starts data block number *next (blocks are separated by two blank lines,
 * as gnuplot's `index` counts them) and returns its number. */
static int dat_block(struct buf *dat, int *next, const char *comment)
{
    char *t = plot_text(comment);   /* one line: a name cannot add data rows */
    buf_printf(dat, "%s# %s\n", *next ? "\n\n" : "", t);
    free(t);
    return (*next)++;
}

/* Writes the data and the script (the script last, so a .gp file always has
 * its data next to it) and runs gnuplot. */
static int finish(const char *out_path, const char *dat_path, struct buf *dat, const char *gp_path,
                  struct buf *gp, struct bai_error *err)
{
    char *dir = fs_dirname(out_path);
    int rc = fs_mkdirs(dir, 0755, err);
    free(dir);
    if (rc == 0)
        rc = fs_refuse_symlink(out_path, err);
    if (rc == 0 && dat_path)
        rc = fs_write_atomic(dat_path, dat->data ? dat->data : "", dat->len, err);
    if (rc == 0)
        rc = fs_write_atomic(gp_path, gp->data ? gp->data : "", gp->len, err);
    if (rc != 0)
        return -1;
    if (!report_gnuplot_path())
        return REPORT_PLOT_NO_GNUPLOT;
    const char *ext = strrchr(out_path, '.');
    char *tmp = NULL;
    int fd = fs_create_temp(out_path, ext, &tmp, err);
    if (fd < 0)
        return -1;
    close(fd);
    rc = run_gnuplot(gp_path, tmp, err);
    if (rc == REPORT_PLOT_DONE) {
        if (fs_refuse_symlink(out_path, err) < 0) {
            rc = -1;
        } else if (rename(tmp, out_path) != 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "rename %s -> %s: %s", tmp, out_path, strerror(errno));
            rc = -1;
        }
    }
    if (rc != REPORT_PLOT_DONE)
        unlink(tmp);
    free(tmp);
    return rc;
}

static void put_num(struct buf *b, double v)
{
    if (isnan(v) || isinf(v))
        buf_puts(b, "? ");
    else
        buf_printf(b, "%.10g ", v);
}

int report_plot_lines(const char *out_path, const struct report_lines_spec *spec,
                      const struct report_series *series, size_t n_series,
                      struct bai_error *err)
{
    if (check_ext(out_path, err) != 0)
        return -1;
    char *dat_path = sibling(out_path, ".dat"), *gp_path = sibling(out_path, ".gp");
    struct buf dat = {0}, gp = {0};
    double xs[64];
    size_t nxs = 0;
    int any_y2 = 0, next = 0;
    /* per axis (y1, y2): the range of the values, to avoid an empty one */
    double lo[2] = { INFINITY, INFINITY }, hi[2] = { -INFINITY, -INFINITY };
    /* A series without a point gets no data block and is not plotted:
     * gnuplot would warn "Skipping data file with no valid points". */
    int *block = xcalloc(n_series + 1, sizeof *block);
    for (size_t s = 0; s < n_series; s++) {
        block[s] = -1;
        for (size_t i = 0; i < series[s].n && block[s] < 0; i++)
            if (!isnan(series[s].x[i]) && !isnan(series[s].y[i]))
                block[s] = dat_block(&dat, &next, series[s].name ? series[s].name : "");
        if (block[s] < 0)
            continue;
        buf_puts(&dat, "# x y\n");
        for (size_t i = 0; i < series[s].n; i++) {
            double x = series[s].x[i], y = series[s].y[i];
            if (isnan(y) || isnan(x)) {
                buf_putc(&dat, '\n');      /* a blank line breaks the line */
                continue;
            }
            put_num(&dat, x);
            put_num(&dat, y);
            buf_putc(&dat, '\n');
            lo[series[s].y2 != 0] = fmin(lo[series[s].y2 != 0], y);
            hi[series[s].y2 != 0] = fmax(hi[series[s].y2 != 0], y);
            int seen = 0;
            for (size_t k = 0; k < nxs && !seen; k++)
                seen = xs[k] == x;
            if (!seen && nxs < sizeof xs / sizeof xs[0])
                xs[nxs++] = x;
        }
        any_y2 |= series[s].y2;
    }
    gp_preamble(&gp, out_path, spec->title);
    buf_puts(&gp, "set xlabel ");
    gp_quote(&gp, spec->xlabel ? spec->xlabel : "");
    buf_puts(&gp, "\nset ylabel ");
    gp_quote(&gp, spec->ylabel ? spec->ylabel : "");
    buf_puts(&gp, "\nset key outside bottom center horizontal\nset offsets graph 0.03, graph 0.03, graph 0.05, 0\n");
    if (spec->logx)
        buf_puts(&gp, "set logscale x 2\n");
    if (spec->integer_x && nxs) {
        for (size_t a = 1; a < nxs; a++)          /* insertion sort: a few values */
            for (size_t b = a; b > 0 && xs[b - 1] > xs[b]; b--) {
                double t = xs[b];
                xs[b] = xs[b - 1];
                xs[b - 1] = t;
            }
        buf_puts(&gp, "set xtics (");
        for (size_t k = 0; k < nxs; k++)
            buf_printf(&gp, "%s%.10g", k ? ", " : "", xs[k]);
        buf_puts(&gp, ")\n");
    }
    for (int ax = 0; ax < 2; ax++) {
        if (ax && !any_y2)
            break;
        if (ax) {
            buf_puts(&gp, "set ytics nomirror\nset y2tics\nset y2label ");
            gp_quote(&gp, spec->y2label ? spec->y2label : "");
            buf_putc(&gp, '\n');
        }
        /* every value equal (all scores 0, acceptance all 1), or none above
         * ymin: a range of its own, as gnuplot would otherwise print
         * "Warning: empty y range" and pick one */
        double base = isnan(spec->ymin) ? lo[ax] : fmin(spec->ymin, lo[ax]);
        if (hi[ax] >= lo[ax] && hi[ax] <= base)
            buf_printf(&gp, "set %srange [%.10g:%.10g]\n", ax ? "y2" : "y", base,
                       base + fmax(1, fabs(base) * 0.1));
        else if (!isnan(spec->ymin))
            buf_printf(&gp, "set %srange [%.10g:*]\n", ax ? "y2" : "y", spec->ymin);
    }
    buf_puts(&gp, "plot ");
    int first = 1;
    for (size_t s = 0; s < n_series; s++) {
        if (block[s] < 0)
            continue;
        buf_puts(&gp, first ? "" : ", \\\n     ");
        first = 0;
        gp_quote(&gp, dat_path);
        /* the k-th right-axis series takes the colour of the k-th left-axis
         * series: tokens/s and acceptance of one draft read as a pair */
        size_t k = 0, nth = 0;
        for (size_t j = 0; j < s; j++)
            nth += series[j].y2 == series[s].y2;
        for (size_t j = 0; j < n_series; j++)
            k += !series[j].y2;
        size_t colour = series[s].y2 && k ? nth % k + 1 : nth + 1;
        buf_printf(&gp, " index %d using 1:2 with linespoints lw 2 pt %d ps 1.2 lc %zu %s title ", block[s],
                   series[s].y2 ? 6 : 7, colour, series[s].y2 ? "dt 2 axes x1y2" : "axes x1y1");
        gp_quote(&gp, series[s].name ? series[s].name : "");
    }
    if (first)
        buf_puts(&gp, "NaN notitle");
    buf_putc(&gp, '\n');
    free(block);
    int rc = finish(out_path, dat_path, &dat, gp_path, &gp, err);
    buf_free(&dat);
    buf_free(&gp);
    free(dat_path);
    free(gp_path);
    return rc;
}

/* --- Pareto scatter ----------------------------------------------------- */

/* 1, 2 or 5 times a power of ten, at least x: readable tic steps. */
static double nice_step(double x)
{
    if (!(x > 0))
        return 1;
    double p = pow(10, floor(log10(x)));
    return x <= p ? p : x <= 2 * p ? 2 * p : x <= 5 * p ? 5 * p : 10 * p;
}

struct placed {
    double x0, x1, y0, y1;     /* label box in pixels */
};

static int overlaps(const struct placed *a, const struct placed *b)
{
    return a->x0 < b->x1 && b->x0 < a->x1 && a->y0 < b->y1 && b->y0 < a->y1;
}

/* Greedy label placement in pixel space: try right of the point, then left,
 * then above/below in steps of one line; keep the first box that does not
 * hit an earlier label or a point marker. Widths are estimated from the
 * font size (about 0.6 em per character), good enough to avoid collisions
 * on the handful of configs a plan produces. */
static void place_labels(const struct report_scatter_pt *pts, size_t n, double xmin, double xmax,
                         double ymin, double ymax, double *lx, double *ly, int *right_align)
{
    const double pw = PLOT_W * 0.78, ph = PLOT_H * 0.72;   /* approx. plot area */
    const double char_w = PLOT_FONT_PT * 0.62, line_h = PLOT_FONT_PT * 1.5;
    struct placed *boxes = xcalloc(2 * n + 1, sizeof *boxes);
    size_t nb = 0;
    for (size_t i = 0; i < n; i++) {   /* markers are obstacles too */
        double px = (pts[i].x - xmin) / (xmax - xmin) * pw;
        double py = (pts[i].y - ymin) / (ymax - ymin) * ph;
        boxes[nb++] = (struct placed){ px - 5, px + 5, py - 5, py + 5 };
    }
    for (size_t i = 0; i < n; i++) {
        double px = (pts[i].x - xmin) / (xmax - xmin) * pw;
        double py = (pts[i].y - ymin) / (ymax - ymin) * ph;
        double w = char_w * (double)strlen(pts[i].label ? pts[i].label : "") + 4;
        static const double dys[] = { 0, 1, -1, 2, -2, 3, -3, 4, -4 };
        int done = 0;
        for (size_t k = 0; k < sizeof dys / sizeof dys[0] && !done; k++) {
            for (int side = 0; side < 2 && !done; side++) {
                int right = side == 0 ? px + 10 + w > pw : !(px + 10 + w > pw);
                double y = py + dys[k] * line_h;
                struct placed b = right ? (struct placed){ px - 10 - w, px - 10, y - line_h / 2, y + line_h / 2 }
                                        : (struct placed){ px + 10, px + 10 + w, y - line_h / 2, y + line_h / 2 };
                if (b.x0 < -40 || b.x1 > pw + 40 || b.y0 < 0 || b.y1 > ph)
                    continue;
                int clash = 0;
                for (size_t j = 0; j < nb && !clash; j++)
                    clash = overlaps(&b, &boxes[j]);
                if (!clash || (k == sizeof dys / sizeof dys[0] - 1 && side == 1)) {
                    boxes[nb++] = b;
                    lx[i] = xmin + (right ? b.x1 : b.x0) / pw * (xmax - xmin);
                    ly[i] = ymin + y / ph * (ymax - ymin);
                    right_align[i] = right;
                    done = 1;
                }
            }
        }
    }
    free(boxes);
}

/* x y y_lo y_hi of a scatter point; a missing CI is the point itself. */
static void put_point(struct buf *dat, const struct report_scatter_pt *p)
{
    put_num(dat, p->x);
    put_num(dat, p->y);
    put_num(dat, isnan(p->y_lo) ? p->y : p->y_lo);
    put_num(dat, isnan(p->y_hi) ? p->y : p->y_hi);
    buf_putc(dat, '\n');
}

/* One element of a plot command on data block index (skipped when < 0). */
static void gp_clause(struct buf *gp, int *first, const char *dat_path, int index, const char *rest)
{
    if (index < 0)
        return;
    buf_puts(gp, *first ? "" : ", \\\n     ");
    gp_quote(gp, dat_path);
    buf_printf(gp, " index %d %s", index, rest);
    *first = 0;
}

int report_plot_pareto(const char *out_path, const char *title, const char *xlabel,
                       const char *ylabel, const struct report_scatter_pt *pts, size_t n,
                       struct bai_error *err)
{
    if (check_ext(out_path, err) != 0)
        return -1;
    double xmin = INFINITY, xmax = -INFINITY, ymin = INFINITY, ymax = -INFINITY;
    for (size_t i = 0; i < n; i++) {
        xmin = fmin(xmin, pts[i].x);
        xmax = fmax(xmax, pts[i].x);
        ymin = fmin(ymin, isnan(pts[i].y_lo) ? pts[i].y : pts[i].y_lo);
        ymax = fmax(ymax, isnan(pts[i].y_hi) ? pts[i].y : pts[i].y_hi);
    }
    if (!n) {
        xmin = 0;
        xmax = ymax = 1;
        ymin = 0;
    }
    /* padding so markers and labels stay inside the frame */
    double xpad = (xmax - xmin) * 0.15, ypad = (ymax - ymin) * 0.12;
    if (xpad <= 0)
        xpad = fmax(fabs(xmax) * 0.2, 1);
    if (ypad <= 0)
        ypad = fmax(fabs(ymax) * 0.1, 1);
    xmin = fmax(0, xmin - xpad);
    xmax += xpad;
    /* room below and above the points for labels; the axis may reach
     * below 0 or above 100 but its tics stay within [0, 100] */
    ymin -= ypad;
    ymax += ypad;
    if (ymax <= ymin)
        ymax = ymin + 1;
    double ytic = nice_step((ymax - ymin) / 6);

    double *lx = xcalloc(n + 1, sizeof *lx), *ly = xcalloc(n + 1, sizeof *ly);
    int *ra = xcalloc(n + 1, sizeof *ra);
    place_labels(pts, n, xmin, xmax, ymin, ymax, lx, ly, ra);

    char *dat_path = sibling(out_path, ".dat"), *gp_path = sibling(out_path, ".gp");
    struct buf dat = {0}, gp = {0};
    /* Data blocks: dominated points, frontier points in x order, left- and
     * right-aligned labels. Only blocks with points are written, numbered
     * as gnuplot counts them, and only those are plotted: an empty block
     * makes gnuplot print "warning: Skipping data file with no valid
     * points", which a user cannot tell from trouble. */
    size_t *order = xcalloc(n + 1, sizeof *order);
    size_t nf = 0;
    for (size_t i = 0; i < n; i++)
        if (pts[i].frontier) {
            size_t j = nf++;
            while (j > 0 && pts[order[j - 1]].x > pts[i].x) {
                order[j] = order[j - 1];
                j--;
            }
            order[j] = i;
        }
    int next = 0, i_dom = -1, i_front = -1, i_lab[2] = { -1, -1 };
    if (nf < n) {
        i_dom = dat_block(&dat, &next, "dominated: x y y_lo y_hi");
        for (size_t i = 0; i < n; i++)
            if (!pts[i].frontier)
                put_point(&dat, &pts[i]);
    }
    if (nf) {
        i_front = dat_block(&dat, &next, "frontier: x y y_lo y_hi (x order)");
        for (size_t k = 0; k < nf; k++)
            put_point(&dat, &pts[order[k]]);
    }
    for (int align = 0; align < 2; align++) {
        for (size_t i = 0; i < n; i++) {
            if (ra[i] != align)
                continue;
            if (i_lab[align] < 0)
                i_lab[align] = dat_block(&dat, &next, align ? "labels (right-aligned): x y text"
                                                            : "labels (left-aligned): x y text");
            put_num(&dat, lx[i]);
            put_num(&dat, ly[i]);
            dat_quote(&dat, pts[i].label);
            buf_putc(&dat, '\n');
        }
    }
    free(order);

    gp_preamble(&gp, out_path, title);
    buf_puts(&gp, "set xlabel ");
    gp_quote(&gp, xlabel);
    buf_puts(&gp, "\nset ylabel ");
    gp_quote(&gp, ylabel);
    buf_printf(&gp, "\nset xrange [%.10g:%.10g]\nset yrange [%.10g:%.10g]\nset ytics %.10g, %.10g, %.10g\n",
               xmin, xmax, ymin, ymax, fmax(0, ceil(ymin / ytic) * ytic), ytic, fmin(100, ymax));
    buf_puts(&gp, "set key outside bottom center horizontal\n"
                  "set bars small\n"
                  "plot ");
    int first = 1;
    gp_clause(&gp, &first, dat_path, i_dom, "using 1:2:3:4 with yerrorbars pt 7 ps 1.1 lc rgb '#8c8c8c' title 'dominated'");
    gp_clause(&gp, &first, dat_path, i_front, "using 1:2 with lines lw 2 lc rgb '#c0392b' title 'frontier'");
    gp_clause(&gp, &first, dat_path, i_front, "using 1:2:3:4 with yerrorbars pt 7 ps 1.5 lc rgb '#c0392b' notitle");
    gp_clause(&gp, &first, dat_path, i_lab[0], "using 1:2:3 with labels left tc rgb '#222222' notitle");
    gp_clause(&gp, &first, dat_path, i_lab[1], "using 1:2:3 with labels right tc rgb '#222222' notitle");
    /* no points at all: an empty frame */
    buf_puts(&gp, first ? "NaN notitle\n" : "\n");
    int rc = finish(out_path, dat_path, &dat, gp_path, &gp, err);
    buf_free(&dat);
    buf_free(&gp);
    free(dat_path);
    free(gp_path);
    free(lx);
    free(ly);
    free(ra);
    return rc;
}

/* --- grouped bars ------------------------------------------------------- */

int report_plot_bars(const char *out_path, const char *title, const char *ylabel, double ymax,
                     const char *const *groups, size_t n_groups,
                     const char *const *series, size_t n_series, const double *values,
                     struct bai_error *err)
{
    if (check_ext(out_path, err) != 0)
        return -1;
    char *dat_path = sibling(out_path, ".dat"), *gp_path = sibling(out_path, ".gp");
    struct buf dat = {0}, gp = {0};
    double vmax = 0;
    buf_puts(&dat, "# group");
    for (size_t s = 0; s < n_series; s++) {
        buf_putc(&dat, ' ');
        dat_quote(&dat, series[s]);
    }
    buf_putc(&dat, '\n');
    for (size_t g = 0; g < n_groups; g++) {
        dat_quote(&dat, groups[g]);
        buf_putc(&dat, ' ');
        for (size_t s = 0; s < n_series; s++) {
            double v = values[s * n_groups + g];
            put_num(&dat, v);
            if (!isnan(v))
                vmax = fmax(vmax, v);
        }
        buf_putc(&dat, '\n');
    }
    gp_preamble(&gp, out_path, title);
    buf_puts(&gp, "set ylabel ");
    gp_quote(&gp, ylabel);
    if (isnan(ymax) || ymax <= 0)
        ymax = vmax > 0 ? vmax * 1.12 : 1;
    buf_printf(&gp, "\nset yrange [0:%.10g]\n", ymax);
    buf_puts(&gp, "set style data histogram\nset style histogram clustered gap 1\n"
                  "set style fill solid 0.85 border -1\nset boxwidth 0.9\n"
                  "set key outside bottom center horizontal\nset grid noxtics\n");
    buf_printf(&gp, "set xrange [-0.6:%.1f]\nset xtics nomirror scale 0\n", (double)n_groups - 0.4);
    if (n_groups > 4)
        buf_puts(&gp, "set xtics rotate by 30 right\n");
    buf_puts(&gp, "plot ");
    /* A series without a single value is left out of the plot (gnuplot
     * would warn "Skipping data file with no valid points"); its column
     * stays in the data file. */
    int first = 1;
    for (size_t s = 0; s < n_series; s++) {
        int any = 0;
        for (size_t g = 0; g < n_groups && !any; g++)
            any = !isnan(values[s * n_groups + g]);
        if (!any)
            continue;
        buf_puts(&gp, first ? "" : ", \\\n     ");
        gp_quote(&gp, dat_path);
        buf_printf(&gp, " using %zu%s title ", s + 2, first ? ":xtic(1)" : "");
        gp_quote(&gp, series[s]);
        first = 0;
    }
    if (first)
        buf_puts(&gp, "NaN notitle");
    buf_putc(&gp, '\n');
    int rc = finish(out_path, dat_path, &dat, gp_path, &gp, err);
    buf_free(&dat);
    buf_free(&gp);
    free(dat_path);
    free(gp_path);
    return rc;
}

/* --- SVG for inlining -------------------------------------------------- */

/* Appends src[0..len) to out with every id and every reference to an id
 * prefixed: gnuplot gives each SVG the same ids (gpPt0, textbox ...), and
 * several SVGs inlined in one HTML page must not share them. */
static void prefix_ids(struct buf *out, const char *src, size_t len, const char *prefix)
{
    static const char *const keys[] = { "id='", "id=\"", "href='#", "href=\"#", "url(#" };
    size_t i = 0;
    while (i < len) {
        size_t klen = 0;
        for (size_t k = 0; k < sizeof keys / sizeof keys[0] && !klen; k++) {
            size_t l = strlen(keys[k]);
            /* "id=" must start an attribute name, not end "xml:id=" or "grid=" */
            if (i + l <= len && !memcmp(src + i, keys[k], l) &&
                (keys[k][0] != 'i' || (i > 0 && (src[i - 1] == ' ' || src[i - 1] == '\n'))))
                klen = l;
        }
        if (klen) {
            buf_append(out, src + i, klen);
            buf_puts(out, prefix);
            i += klen;
        } else
            buf_putc(out, src[i++]);
    }
}

char *report_svg_inline(const char *svg_path, const char *id_prefix, struct bai_error *err)
{
    char *text = fs_read_file(svg_path, NULL, err);
    if (!text)
        return NULL;
    char *start = strstr(text, "<svg");
    if (!start) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "%s: no <svg> element", svg_path);
        free(text);
        return NULL;
    }
    char *end = strstr(start, "</svg>");
    size_t len = end ? (size_t)(end - start) + 6 : strlen(start);
    struct buf out = {0};
    prefix_ids(&out, start, len, id_prefix ? id_prefix : "");
    free(text);
    return buf_detach(&out);
}
