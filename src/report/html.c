/* html.c - the self-contained HTML report (layout in html.h). */
#include "report/html.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "report/compare.h"
#include "report/format.h"
#include "report/master.h"
#include "report/pareto.h"
#include "report/plot.h"
#include "report/points.h"
#include "report/resources.h"
#include "report/sweep.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/version.h"

#define MAX_BAR_SERIES 12

struct page {
    struct buf h;
    char *plots_dir;
    int gnuplot_missing;
    int seq;                 /* unique id prefix per inlined SVG */
};

static void esc(struct page *pg, const char *s)
{
    report_html_escape(&pg->h, s);
}

static const char CSS[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:24px auto;"
    "max-width:1240px;padding:0 16px;color:#222;line-height:1.4}"
    "h1{font-size:1.6em;margin-bottom:4px}h2{border-bottom:2px solid #ddd;padding-bottom:4px;margin-top:36px}"
    "table{border-collapse:collapse;margin:8px 0 16px;font-size:13px}"
    "th,td{border:1px solid #ccc;padding:4px 8px;text-align:left;vertical-align:top}"
    "th{background:#f2f2f2}td.num{text-align:right;font-variant-numeric:tabular-nums}"
    "tbody tr:nth-child(even){background:#fafafa}"
    ".plot svg{max-width:100%;height:auto;border:1px solid #eee}"
    ".note{color:#666;font-size:13px}.err{color:#a00}"
    "pre{white-space:pre-wrap;word-break:break-word;background:#f6f6f6;padding:6px;"
    "max-height:320px;overflow:auto;font-size:12px;margin:4px 0}"
    "details summary{cursor:pointer;color:#245}"
    ".wide{overflow-x:auto}";

/* Inlines the plot at svg_path after its plot function returned rc. */
static void put_plot(struct page *pg, const char *svg_path, int rc, struct bai_error *err)
{
    if (rc == REPORT_PLOT_NO_GNUPLOT) {
        pg->gnuplot_missing = 1;
        buf_puts(&pg->h, "<p class=\"note\">Plot not drawn: gnuplot is not installed. Its data and "
                         "script are in <code>");
        esc(pg, svg_path);
        buf_puts(&pg->h, "</code> (.dat, .gp).</p>\n");
        return;
    }
    char prefix[32];
    snprintf(prefix, sizeof prefix, "p%d_", ++pg->seq);
    char *svg = rc == REPORT_PLOT_DONE ? report_svg_inline(svg_path, prefix, err) : NULL;
    if (!svg) {
        buf_puts(&pg->h, "<p class=\"err\">Plot failed: ");
        esc(pg, err->msg);
        buf_puts(&pg->h, "</p>\n");
        return;
    }
    buf_puts(&pg->h, "<div class=\"plot\">");
    buf_puts(&pg->h, svg);
    buf_puts(&pg->h, "</div>\n");
    free(svg);
}

static char *plot_path(struct page *pg, const char *name)
{
    return xasprintf("%s/%s.svg", pg->plots_dir, name);
}

/* --- run metadata ------------------------------------------------------ */

static char *host_text(const char *host_json)
{
    cJSON *h = host_json ? cJSON_Parse(host_json) : NULL;
    if (!h)
        return xstrdup(host_json ? host_json : "");
    struct buf b = {0};
    const cJSON *cpu = cJSON_GetObjectItemCaseSensitive(h, "cpu");
    const cJSON *cores = cJSON_GetObjectItemCaseSensitive(h, "cores");
    const cJSON *ram = cJSON_GetObjectItemCaseSensitive(h, "ram_bytes");
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(h, "hostname");
    if (cJSON_IsString(name))
        buf_printf(&b, "%s: ", name->valuestring);
    buf_puts(&b, cJSON_IsString(cpu) ? cpu->valuestring : "cpu unknown");
    if (cJSON_IsNumber(cores))
        buf_printf(&b, ", %d cores", cores->valueint);
    if (cJSON_IsNumber(ram))
        buf_printf(&b, ", %.1f GB RAM", ram->valuedouble / 1e9);
    cJSON_Delete(h);
    return buf_detach(&b);
}

static int section_runs(struct page *pg, struct store *st, const char *const *ids, size_t n,
                        struct bai_error *err)
{
    static const char *cols[] = { "run", "status", "started", "finished", "host", "benchai",
                                  "llama.cpp build", "tags", "note", "samples", "configs" };
    struct report_table t;
    report_table_init(&t, sizeof cols / sizeof cols[0], cols);
    for (size_t i = 0; i < n; i++) {
        struct store_run_info ri;
        if (store_run_get(st, ids[i], &ri, err) != 0) {
            report_table_free(&t);
            return -1;
        }
        size_t r = report_table_add_row(&t);
        char *host = host_text(ri.host_json);
        const char *vals[] = { ri.id, ri.status, ri.started, ri.finished, host, ri.benchai_version,
                               ri.llama_build, ri.tags, ri.note };
        for (size_t c = 0; c < sizeof vals / sizeof vals[0]; c++)
            if (vals[c])
                report_table_set(&t, r, c, vals[c]);
        report_table_set_num(&t, r, 9, (double)ri.n_samples, "%.0f");
        report_table_set_num(&t, r, 10, (double)ri.n_configs, "%.0f");
        free(host);
        store_run_info_free(&ri);
    }
    buf_puts(&pg->h, "<h2 id=\"runs\">Runs</h2>\n<div class=\"wide\">");
    report_table_html(&t, "runs", &pg->h);
    buf_puts(&pg->h, "</div>\n");
    report_table_free(&t);
    return 0;
}

/* --- master table, Pareto, bars --------------------------------------- */

/* One <p class="note"> per line of notes. */
static void put_notes(struct page *pg, const struct buf *notes)
{
    const char *line = notes->data;
    while (line && *line) {
        size_t len = strcspn(line, "\n");
        char *one = xstrndup(line, len);
        buf_puts(&pg->h, "<p class=\"note\">");
        esc(pg, one);
        buf_puts(&pg->h, "</p>\n");
        free(one);
        line += len + (line[len] == '\n');
    }
}

static void section_scores(struct page *pg, const struct report_points *pts, const struct report_rules *rules,
                           struct bai_error *err)
{
    buf_puts(&pg->h, "<h2 id=\"scores\">Master benchmark scores</h2>\n"
                     "<p class=\"note\">Score per suite in % with points/items; pct is item-weighted "
                     "over all suites (every scored item counts once); gen_tps is the p50 of "
                     "per-request generation tokens/s; TTFT in ms. Warm-up requests excluded.</p>\n");
    buf_printf(&pg->h, "<p class=\"note\">Scores: the mean grade for graded scorers (judge, f1, ifeval, "
                       "needle), the pass rate for pass/fail ones, 0-100; %s.</p>\n",
               rules->exclude_failed ? report_exclude_failed_note
                                     : "requests that failed or timed out count as failures (worth 0)");
    struct buf judges = {0};
    if (report_points_judges(pts, NULL, &judges))
        put_notes(pg, &judges);
    buf_free(&judges);
    if (!pts->n) {
        buf_puts(&pg->h, "<p>No samples stored for these runs.</p>\n");
        return;
    }
    struct report_table t;
    report_master_table(pts, &t);
    report_table_sort(&t, "pct", err);
    buf_puts(&pg->h, "<div class=\"wide\">");
    report_table_html(&t, "master", &pg->h);
    buf_puts(&pg->h, "</div>\n");
    report_table_free(&t);
    struct buf notes = {0};
    if (report_master_passk(pts, &t, &notes, NULL)) {
        buf_puts(&pg->h, "<h3 id=\"passk\">pass@k</h3>\n<p class=\"note\">Items with several "
                         "samples and pass/fail scores: the unbiased pass@k estimator (Chen et "
                         "al. 2021) averaged over items, in %; an unparsed answer is a failed "
                         "sample.</p>\n<div class=\"wide\">");
        report_table_html(&t, "passk", &pg->h);
        buf_puts(&pg->h, "</div>\n");
        put_notes(pg, &notes);
        report_table_free(&t);
    }
    buf_free(&notes);
    if (report_master_tiers(pts, &t)) {
        buf_puts(&pg->h, "<h3 id=\"tiers\">Tiers</h3>\n<p class=\"note\">Score per item tier (an item's "
                         "<code>tier:</code>, e.g. instruction precision T1-T3) in % with points/items, "
                         "counted as the suite's score.</p>\n<div class=\"wide\">");
        report_table_html(&t, "tiers", &pg->h);
        buf_puts(&pg->h, "</div>\n");
        report_table_free(&t);
    }
}

static void section_pareto(struct page *pg, const struct report_points *pts, struct bai_error *err)
{
    buf_puts(&pg->h, "<h2 id=\"pareto\">Quality vs speed (Pareto frontier)</h2>\n");
    struct report_pareto pa;
    if (report_pareto_build(pts, NULL, REPORT_X_GEN_TPS, &pa, err) != 0) {
        buf_puts(&pg->h, "<p class=\"err\">");
        esc(pg, err->msg);
        buf_puts(&pg->h, "</p>\n");
        return;
    }
    if (!pa.n) {
        buf_puts(&pg->h, "<p>No configuration has both a score and a measured speed.</p>\n");
        report_pareto_free(&pa);
        return;
    }
    char *svg = plot_path(pg, "pareto");
    int rc = report_pareto_plot(&pa, svg, "Quality (all suites) vs generation speed", err);
    put_plot(pg, svg, rc, err);
    free(svg);
    buf_printf(&pg->h, "<p class=\"note\">%ld of %zu configurations are on the frontier (red). A "
                       "point is dominated when another is at least as good on both axes and "
                       "better on one; error bars are 95%% CIs of quality.</p>\n",
               pa.n_frontier, pa.n);
    struct report_table t;
    report_pareto_table(&pa, &t);
    report_table_html(&t, "pareto", &pg->h);
    report_table_free(&t);
    report_pareto_free(&pa);
}

static void section_bars(struct page *pg, const struct report_points *pts, size_t n_runs,
                         struct bai_error *err)
{
    size_t ns = 0;
    const char **suites = report_points_suites(pts, &ns);
    /* the configurations with a score (a speed-only sweep point has no bar) */
    size_t *with = xcalloc(pts->n + 1, sizeof *with), n_with = 0;
    for (size_t i = 0; i < pts->n; i++) {
        int scored = 0;
        for (size_t g = 0; g < ns && !scored; g++) {
            const struct report_suite_score *sc = report_point_suite(&pts->v[i], suites[g]);
            scored = sc && sc->n;
        }
        if (scored)
            with[n_with++] = i;
    }
    size_t nser = n_with < MAX_BAR_SERIES ? n_with : MAX_BAR_SERIES;
    if (ns == 0 || nser < 2) {
        free(with);
        free(suites);
        return;
    }
    char **names = xcalloc(nser, sizeof *names);
    double *vals = xcalloc(nser * ns, sizeof *vals);
    for (size_t s = 0; s < nser; s++) {
        const struct report_point *p = &pts->v[with[s]];
        char *title = report_point_title(p);
        names[s] = n_runs > 1 ? xasprintf("%s (%s)", title, p->run_id) : xstrdup(title);
        free(title);
        for (size_t g = 0; g < ns; g++) {
            const struct report_suite_score *sc = report_point_suite(p, suites[g]);
            vals[s * ns + g] = sc && sc->n ? 100 * sc->mean : NAN;
        }
    }
    buf_puts(&pg->h, "<h2 id=\"bars\">Scores per suite</h2>\n");
    if (n_with > nser)
        buf_printf(&pg->h, "<p class=\"note\">First %d of %zu scored configurations.</p>\n",
                   MAX_BAR_SERIES, n_with);
    char *svg = plot_path(pg, "scores");
    int rc = report_plot_bars(svg, "Score per suite", "score (% of max)", 105, suites, ns,
                              (const char *const *)names, nser, vals, err);
    put_plot(pg, svg, rc, err);
    free(svg);
    for (size_t s = 0; s < nser; s++)
        free(names[s]);
    free(names);
    free(vals);
    free(with);
    free(suites);
}

/* --- sweeps (the lead's hook) ------------------------------------------ */

static void section_sweeps(struct page *pg, struct store *st, const char *const *ids, size_t n,
                           const struct report_html_opts *o, struct bai_error *err)
{
    struct report_sweep_opts so = { .np_p95_limit = o->np_p95_limit };
    buf_puts(&pg->h, "<h2 id=\"sweeps\">Sweeps</h2>\n");
    size_t before = pg->h.len;
    for (size_t i = 0; i < n; i++) {
        /* SWEEP HOOK: report/sweep.c (the lead's) appends the K / experts /
         * -np plots and tables of run ids[i] here. */
        bai_error_clear(err);
        if (report_sweep_section_opts(store_db(st), ids[i], &so, pg->plots_dir, &pg->h, err) != 0) {
            buf_puts(&pg->h, "<p class=\"err\">Sweep section of ");
            esc(pg, ids[i]);
            buf_puts(&pg->h, " failed: ");
            esc(pg, err->msg);
            buf_puts(&pg->h, "</p>\n");
        }
    }
    if (pg->h.len == before)
        buf_puts(&pg->h, "<p>No sweep axes in these runs.</p>\n");
}

/* --- memory and load ------------------------------------------------------ */

static void section_resources(struct page *pg, struct store *st, const char *const *ids, size_t n,
                              struct bai_error *err)
{
    size_t before = pg->h.len;
    buf_puts(&pg->h, "<h2 id=\"memory\">Memory and load</h2>\n<p class=\"note\">Per configuration: load time "
                     "from the server's process start to /health ready, its resident set (all its processes) "
                     "after load and at the peak, GPU memory of its processes, the buffers llama-server "
                     "reported, layers on the GPU, and the first request after the start next to the warm "
                     "median. MB/GB = 10<sup>6</sup>/10<sup>9</sup> bytes.</p>\n");
    size_t rows = 0;
    for (size_t i = 0; i < n; i++) {
        struct report_table t;
        struct buf notes = {0};
        bai_error_clear(err);
        size_t r = report_resources_table(store_db(st), ids[i], &t, &notes, err);
        if (r) {
            if (n > 1) {
                buf_puts(&pg->h, "<h3>Run ");
                esc(pg, ids[i]);
                buf_puts(&pg->h, "</h3>\n");
            }
            buf_puts(&pg->h, "<div class=\"wide\">");
            report_table_html(&t, "memory", &pg->h);
            buf_puts(&pg->h, "</div>\n");
            put_notes(pg, &notes);
        }
        rows += r;
        buf_free(&notes);
        report_table_free(&t);
    }
    if (!rows)
        pg->h.len = before, pg->h.data[before] = '\0';
}

/* --- compare ------------------------------------------------------------ */

static void fmt_num(struct buf *b, const char *fmt, double v)
{
    if (isnan(v))
        buf_puts(b, "-");
    else
        buf_printf(b, fmt, v);
}

static void compare_pair_html(struct page *pg, const struct compare_pair *p)
{
    buf_puts(&pg->h, "<h3>");
    esc(pg, p->label_a);
    buf_puts(&pg->h, " &rarr; ");
    esc(pg, p->label_b);
    buf_puts(&pg->h, "</h3>\n");
    char *w = compare_pair_differences_text(p);
    if (w) {
        buf_puts(&pg->h, "<p class=\"err\">Warning: ");
        esc(pg, w);
        buf_puts(&pg->h, "; the deltas compare different setups.</p>\n");
        free(w);
    }
    buf_puts(&pg->h, "<table class=\"compare\"><thead><tr><th>suite</th><th>paired</th>"
                     "<th>A</th><th>B</th><th>delta B-A [95% CI]</th><th>pass&rarr;fail</th>"
                     "<th>fail&rarr;pass</th><th>McNemar p</th><th>note</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < p->n_suites; i++) {
        const struct compare_suite *s = &p->suites[i];
        struct buf row = {0};
        buf_puts(&row, "<tr><td>");
        report_html_escape(&row, s->name);
        buf_printf(&row, "</td><td class=\"num\">%zu</td><td class=\"num\">", s->n_paired);
        if (s->paired) {
            fmt_num(&row, "%.1f", s->score_a);
            buf_puts(&row, "</td><td class=\"num\">");
            fmt_num(&row, "%.1f", s->score_b);
            buf_puts(&row, "</td><td class=\"num\">");
            fmt_num(&row, "%+.1f", s->delta);
            buf_puts(&row, " [");
            fmt_num(&row, "%+.1f", s->delta_lo);
            buf_puts(&row, ", ");
            fmt_num(&row, "%+.1f", s->delta_hi);
            buf_printf(&row, "]</td><td class=\"num\">%lld</td><td class=\"num\">%lld</td><td class=\"num\">",
                       (long long)s->pass_to_fail, (long long)s->fail_to_pass);
            fmt_num(&row, "%.3g", s->mcnemar_p);
        } else
            buf_puts(&row, "-</td><td>-</td><td>-</td><td>-</td><td>-</td><td>-");
        buf_puts(&row, "</td><td>");
        report_html_escape(&row, s->note ? s->note : "");
        buf_puts(&row, "</td></tr>\n");
        buf_append(&pg->h, row.data, row.len);
        buf_free(&row);
    }
    buf_puts(&pg->h, "</tbody></table>\n");
    struct report_table t;
    struct buf notes = {0};
    if (compare_passk_table(p, &t, &notes, NULL)) {
        buf_puts(&pg->h, "<p class=\"note\">pass@k over the paired items (&Delta; = B - A, "
                         "points of 100):</p>\n");
        report_table_html(&t, "passk", &pg->h);
        put_notes(pg, &notes);
        report_table_free(&t);
    }
    buf_free(&notes);
    buf_puts(&pg->h, "<table class=\"speed\"><thead><tr><th>speed</th><th>A</th>"
                     "<th>B</th><th>B/A [95% CI]</th></tr></thead><tbody>\n");
    for (int m = 0; m < COMPARE_SPEED_N; m++) {
        const struct compare_speed *sp = &p->speed[m];
        if (!sp->ok)
            continue;
        buf_puts(&pg->h, "<tr><td>");
        esc(pg, compare_speed_title((enum compare_speed_metric)m));
        buf_printf(&pg->h, "</td><td class=\"num\">%.3g</td><td class=\"num\">%.3g</td>"
                           "<td class=\"num\">%.3f [%.3f, %.3f]</td></tr>\n",
                   sp->a, sp->b, sp->ratio, sp->lo, sp->hi);
    }
    buf_puts(&pg->h, "</tbody></table>\n");
}

static void section_compare(struct page *pg, struct store *st, const char *a, const char *b,
                            const struct report_html_opts *o, struct bai_error *err)
{
    buf_puts(&pg->h, "<h2 id=\"compare\">Compare ");
    esc(pg, a);
    buf_puts(&pg->h, " &rarr; ");
    esc(pg, b);
    buf_puts(&pg->h, "</h2>\n<p class=\"note\">Items paired by suite version, hash and item id; "
                     "paired bootstrap CI of the score delta (points of 100), McNemar's exact "
                     "test on pass/fail flips, speed as B/A ratios.</p>\n");
    struct compare_opts co;
    compare_opts_init(&co);
    if (o->compare_resamples > 0)
        co.resamples = o->compare_resamples;
    co.exclude_failed = o->rules.exclude_failed;
    struct compare_result r;
    if (compare_runs(st, a, b, &co, &r, err) != 0) {
        buf_puts(&pg->h, "<p class=\"err\">");
        esc(pg, err->msg);
        buf_puts(&pg->h, "</p>\n");
        return;
    }
    if (!r.n_common)
        buf_puts(&pg->h, "<p>The two runs have no items in common.</p>\n");
    for (size_t i = 0; i < r.n_pairs; i++)
        compare_pair_html(pg, &r.pairs[i]);
    for (size_t i = 0; i < r.n_notes; i++) {
        buf_puts(&pg->h, "<p class=\"note\">");
        esc(pg, r.notes[i]);
        buf_puts(&pg->h, "</p>\n");
    }
    compare_result_free(&r);
}

/* --- failed items ------------------------------------------------------- */

struct failed_ctx {
    struct page *pg;
    size_t shown, total, max, max_chars;
};

static int failed_row(void *vctx, const struct store_sample_row *r)
{
    struct failed_ctx *c = vctx;
    if (r->warmup)
        return 0;
    c->total++;
    if (c->shown >= c->max)
        return 0;
    c->shown++;
    struct page *pg = c->pg;
    buf_puts(&pg->h, "<tr><td>");
    esc(pg, r->config_label);
    buf_puts(&pg->h, "</td><td>");
    esc(pg, r->suite_name);
    buf_puts(&pg->h, "</td><td>");
    esc(pg, r->item_id);
    buf_printf(&pg->h, "</td><td class=\"num\">%d</td><td>", r->rep);
    if (r->status && strcmp(r->status, "ok"))
        esc(pg, r->status);
    else if (!r->scorer)
        buf_puts(&pg->h, "not scored");
    else {
        esc(pg, r->score_status ? r->score_status : "");
        buf_printf(&pg->h, " (%s %.2f)", r->passed == 0 ? "fail" : "score", r->value);
    }
    buf_puts(&pg->h, "</td><td>");
    esc(pg, r->extracted);
    buf_puts(&pg->h, "</td><td>");
    if (r->error && *r->error) {
        buf_puts(&pg->h, "<span class=\"err\">");
        esc(pg, r->error);
        buf_puts(&pg->h, "</span>");
    }
    const char *out = r->output ? r->output : "";
    size_t len = strlen(out);
    buf_printf(&pg->h, "<details><summary>output (%zu chars)</summary><pre>", len);
    char *cut = xstrndup(out, len > c->max_chars ? c->max_chars : len);
    esc(pg, cut);
    free(cut);
    if (len > c->max_chars)
        buf_printf(&pg->h, "\n[... %zu more chars]", len - c->max_chars);
    buf_puts(&pg->h, "</pre></details></td></tr>\n");
    return 0;
}

static int section_failed(struct page *pg, struct store *st, const char *run,
                          const struct report_html_opts *o, struct bai_error *err)
{
    buf_puts(&pg->h, "<h3>");
    esc(pg, run);
    buf_puts(&pg->h, "</h3>\n<table class=\"failed\"><thead><tr><th>config</th><th>suite</th><th>item</th>"
                     "<th>rep</th><th>result</th><th>extracted</th><th>error / output</th></tr></thead><tbody>\n");
    struct failed_ctx c = { pg, 0, 0, o->max_failed ? o->max_failed : 200,
                            o->max_output_chars ? o->max_output_chars : 4000 };
    int rc = store_run_samples(st, run, o->unscored ? STORE_SAMPLES_FAILED_UNSCORED : STORE_SAMPLES_FAILED,
                               failed_row, &c, err);
    buf_puts(&pg->h, "</tbody></table>\n");
    if (rc != 0)
        return -1;
    if (!c.total)
        buf_puts(&pg->h, "<p>No failed items.</p>\n");
    else if (c.total > c.shown)
        buf_printf(&pg->h, "<p class=\"note\">%zu of %zu shown (benchai show %s --failed lists all).</p>\n",
                   c.shown, c.total, run);
    return 0;
}

/* --- page ----------------------------------------------------------------- */

int report_html_write(struct store *st, const char *const *run_ids, size_t n_runs,
                      const char *out_dir, const struct report_html_opts *opts,
                      int *plots_missing_out, struct bai_error *err)
{
    struct report_html_opts o = opts ? *opts : (struct report_html_opts){0};
    struct page pg = { .plots_dir = xasprintf("%s/plots", out_dir) };
    /* the folder and its plots/ are benchai's own, never a planted link */
    if (fs_refuse_symlink(out_dir, err) != 0 || fs_refuse_symlink(pg.plots_dir, err) != 0) {
        free(pg.plots_dir);
        return -1;
    }
    int rc = -1;
    if (fs_mkdirs(pg.plots_dir, 0755, err) != 0)
        goto out;
    struct report_filter f = { .rules = o.rules, .runs = run_ids, .n_runs = n_runs };
    struct report_points pts;
    if (report_points_load(st, &f, &pts, err) != 0)
        goto out;

    char now[32];
    time_t t = time(NULL);
    struct tm tm;
    strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
    buf_puts(&pg.h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                    "<link rel=\"icon\" href=\"data:,\">\n<title>benchai report: ");
    for (size_t i = 0; i < n_runs; i++) {
        if (i)
            buf_puts(&pg.h, ", ");
        esc(&pg, run_ids[i]);
    }
    buf_printf(&pg.h, "</title>\n<style>%s</style>\n</head><body>\n<h1>benchai report</h1>\n"
                      "<p class=\"note\">Generated %s by benchai %s. Sections: <a href=\"#runs\">runs</a>, "
                      "<a href=\"#scores\">scores</a>, <a href=\"#pareto\">Pareto</a>, "
                      "<a href=\"#sweeps\">sweeps</a>, %s<a href=\"#failed\">failed items</a>.</p>\n",
               CSS, now, bai_version, n_runs == 2 ? "<a href=\"#compare\">compare</a>, " : "");

    if (section_runs(&pg, st, run_ids, n_runs, err) != 0) {
        report_points_free(&pts);
        goto out;
    }
    section_scores(&pg, &pts, &o.rules, err);
    section_pareto(&pg, &pts, err);
    section_bars(&pg, &pts, n_runs, err);
    section_sweeps(&pg, st, run_ids, n_runs, &o, err);
    section_resources(&pg, st, run_ids, n_runs, err);
    if (n_runs == 2)
        section_compare(&pg, st, run_ids[0], run_ids[1], &o, err);
    buf_printf(&pg.h, "<h2 id=\"failed\">Failed items</h2>\n<p class=\"note\">Wrong, unparsed or unscored "
                      "answers first, then requests that failed or timed out (with what arrived before "
                      "the timeout)%s, with the model's output (escaped; warm-up requests excluded).</p>\n",
               o.unscored ? ", then answers no scorer scores" : "");
    for (size_t i = 0; i < n_runs; i++)
        if (section_failed(&pg, st, run_ids[i], &o, err) != 0) {
            report_points_free(&pts);
            goto out;
        }
    if (pg.gnuplot_missing)
        buf_puts(&pg.h, "<p class=\"note\">gnuplot was not found, so plots are missing; install "
                        "gnuplot (Debian: gnuplot-nox) and run benchai report again.</p>\n");
    buf_puts(&pg.h, "</body></html>\n");
    report_points_free(&pts);

    char *index = xasprintf("%s/index.html", out_dir);
    rc = fs_write_atomic(index, pg.h.data, pg.h.len, err);
    free(index);
    if (plots_missing_out)
        *plots_missing_out = pg.gnuplot_missing;
out:
    buf_free(&pg.h);
    free(pg.plots_dir);
    return rc;
}
