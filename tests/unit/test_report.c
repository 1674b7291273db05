/* test_report.c - report logic on constructed points with known answers:
 * weighting of the overall %, Pareto marking through the report layer
 * (ties, equal CIs, dominated-by, latency axes), model selection with
 * constraints (incl. a role nothing satisfies), roles.yaml parsing, table
 * sorting and escaping. Every expected value is worked out by hand in the
 * comment next to it. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/format.h"
#include "report/pareto.h"
#include "report/points.h"
#include "report/roles.h"
#include "util/mem.h"

/* --- constructing points ---------------------------------------------- */

struct sdef {
    const char *suite;
    double sum;
    int64_t n;
    double lo, hi;
};

static void mk_point(struct report_point *p, const char *name, const char *label, double tps,
                     double ttft_p50, double ttft_p95, double size_gb, const struct sdef *s,
                     size_t ns)
{
    memset(p, 0, sizeof *p);
    strcpy(p->run_id, "r1");
    p->name = xstrdup(name);
    p->model = xasprintf("/m/%s.gguf", name);
    p->label = xstrdup(label);
    p->size_gb = size_gb;
    p->speed.n = 10;
    p->speed.gen_tps_p50 = p->speed.gen_tps_mean = tps;
    p->speed.ttft_p50_ms = ttft_p50;
    p->speed.ttft_p95_ms = ttft_p95;
    p->speed.e2e_p50_ms = NAN;
    p->speed.acceptance = NAN;
    p->n_suites = ns;
    p->suites = xcalloc(ns ? ns : 1, sizeof *p->suites);
    for (size_t i = 0; i < ns; i++) {
        struct report_suite_score *x = &p->suites[i];
        x->suite = xstrdup(s[i].suite);
        x->version = 1;
        x->n = s[i].n;
        x->sum = s[i].sum;
        x->mean = s[i].n ? s[i].sum / (double)s[i].n : NAN;
        x->lo = s[i].lo;
        x->hi = s[i].hi;
    }
}

static struct report_points g_pts;

static struct report_point *add_point(void)
{
    g_pts.v = xrealloc(g_pts.v, (g_pts.n + 1) * sizeof *g_pts.v);
    return &g_pts.v[g_pts.n++];
}

static void pts_fini(void)
{
    report_points_free(&g_pts);
}

/* One suite "s" with quality q (n = 100, sum = 100 q) and CI [lo, hi]. */
static void add_q(const char *name, double q, double lo, double hi, double tps, double ttft_p95)
{
    struct sdef s = { "s", q * 100, 100, lo, hi };
    mk_point(add_point(), name, name, tps, ttft_p95 / 2, ttft_p95, 1.0, &s, 1);
}

/* --- overall % weighting ------------------------------------------------ */

Test(report_points, overall_is_item_weighted, .fini = pts_fini)
{
    /* A: 9/10 = 0.9, B: 30/50 = 0.6. Item-weighted (the users' Total/max):
     * 39/60 = 0.65 - not the per-suite average 0.75. */
    struct sdef s[] = { { "a", 9, 10, 0.6, 0.98 }, { "b", 30, 50, 0.46, 0.73 } };
    mk_point(add_point(), "m", "m", 10, 100, 200, 1, s, 2);
    struct report_quality q;
    report_point_overall(&g_pts.v[0], &q);
    cr_assert_float_eq(q.mean, 0.65, 1e-12);
    cr_assert_eq(q.n, 60);
    cr_assert_float_eq(q.sum, 39.0, 1e-12);
}

Test(report_points, role_weights_and_missing_suite, .fini = pts_fini)
{
    struct sdef s[] = { { "a", 9, 10, 0.6, 0.98 }, { "b", 30, 50, 0.46, 0.73 } };
    mk_point(add_point(), "m", "m", 10, 100, 200, 1, s, 2);
    const char *names[] = { "a", "b" };
    double w[] = { 3, 1 };
    struct report_quality q;
    /* (3 * 0.9 + 1 * 0.6) / 4 = 0.825 */
    cr_assert_eq(report_point_quality(&g_pts.v[0], names, w, 2, &q, NULL), 0);
    cr_assert_float_eq(q.mean, 0.825, 1e-12);
    /* CI: se_a = 0.38/3.92, se_b = 0.27/3.92; combined half width
     * 1.96 * sqrt((0.75 se_a)^2 + (0.25 se_b)^2) = 0.5*sqrt(0.285^2+0.0675^2)
     * = 0.5 * 0.292884 = 0.146442 */
    cr_assert_float_eq(q.hi - q.mean, 0.146442, 1e-5);
    cr_assert_float_eq(q.mean - q.lo, 0.146442, 1e-5);
    /* one suite: exactly its own interval */
    cr_assert_eq(report_point_quality(&g_pts.v[0], names + 1, NULL, 1, &q, NULL), 0);
    cr_assert_float_eq(q.lo, 0.46, 1e-12);
    cr_assert_float_eq(q.hi, 0.73, 1e-12);
    const char *bad[] = { "a", "zzz" };
    const char *missing = NULL;
    cr_assert_eq(report_point_quality(&g_pts.v[0], bad, NULL, 2, &q, &missing), -1);
    cr_assert_str_eq(missing, "zzz");
}

/* --- Pareto ------------------------------------------------------------- */

static long idx_of(const struct report_pareto *pa, const char *name)
{
    for (size_t i = 0; i < pa->n; i++)
        if (!strcmp(pa->pt[i]->name, name))
            return (long)i;
    return -1;
}

Test(report_pareto, frontier_ties_ci_and_dominated_by, .fini = pts_fini)
{
    /* (quality, tok/s):
     *   best   (0.80, 10)  frontier: nothing has higher quality
     *   twin   (0.80, 10)  identical to best: neither dominates -> frontier
     *   fast   (0.60, 50)  frontier: fastest
     *   mid    (0.70, 40)  frontier: between best and fast
     *   slowmid(0.70, 30)  dominated by mid (same quality, slower); equal CI
     *                      -> ci_overlaps
     *   near   (0.55, 45)  dominated by fast only (0.60 >= 0.55, 50 >= 45);
     *                      CI [0.45,0.65] overlaps fast's [0.50,0.70]
     *   bad    (0.20, 20)  dominated by mid and fast; dominated_by = the one
     *                      with higher quality = mid; CI [0.1,0.3] < 0.6 */
    add_q("best", 0.80, 0.70, 0.90, 10, 900);
    add_q("twin", 0.80, 0.70, 0.90, 10, 900);
    add_q("fast", 0.60, 0.50, 0.70, 50, 100);
    add_q("mid", 0.70, 0.60, 0.80, 40, 300);
    add_q("slowmid", 0.70, 0.60, 0.80, 30, 400);
    add_q("near", 0.55, 0.45, 0.65, 45, 150);
    add_q("bad", 0.20, 0.10, 0.30, 20, 500);
    struct report_pareto pa;
    struct bai_error err = {0};
    cr_assert_eq(report_pareto_build(&g_pts, NULL, REPORT_X_GEN_TPS, &pa, &err), 0, "%s", err.msg);
    cr_assert_eq(pa.n, 7);
    cr_assert_eq(pa.n_frontier, 4);
    const char *front[] = { "best", "twin", "fast", "mid" };
    for (size_t i = 0; i < 4; i++)
        cr_assert(pa.sp[idx_of(&pa, front[i])].on_frontier, "%s should be on the frontier", front[i]);
    struct stats_point *sm = &pa.sp[idx_of(&pa, "slowmid")];
    cr_assert_not(sm->on_frontier);
    cr_assert_eq(sm->dominated_by, idx_of(&pa, "mid"));
    cr_assert(sm->ci_overlaps);
    struct stats_point *ne = &pa.sp[idx_of(&pa, "near")];
    cr_assert_eq(ne->dominated_by, idx_of(&pa, "fast"));
    cr_assert(ne->ci_overlaps);
    struct stats_point *bd = &pa.sp[idx_of(&pa, "bad")];
    cr_assert_eq(bd->dominated_by, idx_of(&pa, "mid"));
    cr_assert_not(bd->ci_overlaps);

    /* the table: frontier rows first (fastest first), dominated_by named */
    struct report_table t;
    report_pareto_table(&pa, &t);
    cr_assert_eq(t.nrows, 7);
    cr_assert_str_eq(report_table_cell(&t, 0, 0)->text, "fast");
    cr_assert_str_eq(report_table_cell(&t, 1, 0)->text, "mid");
    cr_assert_str_eq(report_table_cell(&t, 2, 8)->text, "yes");
    cr_assert_str_eq(report_table_cell(&t, 4, 0)->text, "near");   /* 45 tok/s */
    cr_assert_str_eq(report_table_cell(&t, 4, 9)->text, "fast");
    cr_assert_str_eq(report_table_cell(&t, 6, 0)->text, "bad");
    cr_assert_str_eq(report_table_cell(&t, 6, 9)->text, "mid");
    cr_assert_null(report_table_cell(&t, 6, 10)->text);
    report_table_free(&t);
    report_pareto_free(&pa);
}

Test(report_pareto, latency_axis_lower_is_better, .fini = pts_fini)
{
    /* x = TTFT p95, lower better: a (0.9, 500 ms), b (0.5, 100 ms) both
     * frontier; c (0.5, 200 ms) dominated by b; d (0.9, 800 ms) by a. */
    add_q("a", 0.9, 0.85, 0.95, 1, 500);
    add_q("b", 0.5, 0.40, 0.60, 1, 100);
    add_q("c", 0.5, 0.40, 0.60, 1, 200);
    add_q("d", 0.9, 0.85, 0.95, 1, 800);
    struct report_pareto pa;
    struct bai_error err = {0};
    cr_assert_eq(report_pareto_build(&g_pts, NULL, REPORT_X_TTFT_P95, &pa, &err), 0);
    cr_assert_eq(pa.n_frontier, 2);
    cr_assert_eq(pa.sp[idx_of(&pa, "c")].dominated_by, idx_of(&pa, "b"));
    cr_assert_eq(pa.sp[idx_of(&pa, "d")].dominated_by, idx_of(&pa, "a"));
    report_pareto_free(&pa);
}

Test(report_pareto, points_without_the_suite_are_skipped, .fini = pts_fini)
{
    add_q("has", 0.5, 0.4, 0.6, 10, 100);
    struct sdef other = { "other", 5, 10, 0.2, 0.8 };
    mk_point(add_point(), "lacks", "lacks", 20, 10, 20, 1, &other, 1);
    const char *suites[] = { "s" };
    struct report_qspec qs = { suites, NULL, 1 };
    struct report_pareto pa;
    struct bai_error err = {0};
    cr_assert_eq(report_pareto_build(&g_pts, &qs, REPORT_X_GEN_TPS, &pa, &err), 0);
    cr_assert_eq(pa.n, 1);
    cr_assert_eq(pa.n_skipped, 1);
    cr_assert(strstr(pa.skipped[0], "lacks") && strstr(pa.skipped[0], "no score on s"),
              "%s", pa.skipped[0]);
    report_pareto_free(&pa);
}

/* --- selection ---------------------------------------------------------- */

static struct report_role mk_role(const char *name, double min_score, double min_tps,
                                  double max_ttft, double max_size, enum report_prefer pref)
{
    static char *suites[] = { "s" };
    static double w[] = { 1 };
    return (struct report_role){ .name = (char *)name, .suites = suites, .weights = w,
                                 .n_suites = 1, .min_score_pct = min_score, .min_tps = min_tps,
                                 .max_ttft_ms = max_ttft, .max_size_gb = max_size,
                                 .prefer = pref };
}

static void add_sel_points(void)
{
    /* name    quality  tok/s  ttft_p50  size
     * big      0.90      5     1000      40
     * coder    0.85     20      200      18
     * small    0.70     60      100       4
     * tiny     0.40    150       50       1 */
    add_q("big", 0.90, 0.84, 0.96, 5, 2000);
    add_q("coder", 0.85, 0.78, 0.92, 20, 400);
    add_q("small", 0.70, 0.61, 0.79, 60, 200);
    add_q("tiny", 0.40, 0.31, 0.49, 150, 100);
    g_pts.v[0].size_gb = 40;
    g_pts.v[1].size_gb = 18;
    g_pts.v[2].size_gb = 4;
    g_pts.v[3].size_gb = 1;
}

Test(report_select, quality_first_with_constraints, .fini = pts_fini)
{
    add_sel_points();
    /* min 10 tok/s excludes big; best quality among the rest is coder
     * (0.85), runner-up small (0.70): margin 15 points, CIs [0.78,0.92]
     * and [0.61,0.79] overlap (0.78 <= 0.79). tiny: 40% < 60%. */
    struct report_role r = mk_role("coder", 60, 10, NAN, NAN, REPORT_PREFER_QUALITY);
    struct report_selection sel;
    report_select(&r, &g_pts, &sel);
    cr_assert_eq(sel.n_eligible, 2);
    cr_assert_str_eq(sel.c[0].p->name, "coder");
    cr_assert_str_eq(sel.c[1].p->name, "small");
    cr_assert_float_eq(sel.margin, 15.0, 1e-9);
    cr_assert(sel.margin_within_ci);
    int saw_big = 0, saw_tiny = 0;
    for (size_t i = 2; i < sel.n; i++) {
        if (!strcmp(sel.c[i].p->name, "big")) {
            saw_big = 1;
            cr_assert_str_eq(sel.c[i].excluded, "5.0 tok/s < min 10.0");
        }
        if (!strcmp(sel.c[i].p->name, "tiny")) {
            saw_tiny = 1;
            cr_assert_str_eq(sel.c[i].excluded, "score 40.0% < min 60.0%");
        }
    }
    cr_assert(saw_big && saw_tiny);
    struct report_table t;
    report_selection_table(&sel, 1, &t);
    cr_assert_str_eq(report_table_cell(&t, 0, 1)->text, "coder");
    cr_assert_str_eq(report_table_cell(&t, 0, 7)->text, "small");
    cr_assert_str_eq(report_table_cell(&t, 0, 8)->text, "+15.0 pts (within CI)");
    cr_assert_str_eq(report_table_cell(&t, 0, 9)->text, "2/4");
    report_table_free(&t);
    report_selection_free(&sel);
}

Test(report_select, speed_first_and_size, .fini = pts_fini)
{
    add_sel_points();
    /* draft role: speed first, score >= 35%, size <= 5 GB: small (60) and
     * tiny (150) qualify; tiny is faster by 150/60 - 1 = +150%. */
    struct report_role r = mk_role("draft", 35, NAN, NAN, 5, REPORT_PREFER_SPEED);
    struct report_selection sel;
    report_select(&r, &g_pts, &sel);
    cr_assert_eq(sel.n_eligible, 2);
    cr_assert_str_eq(sel.c[0].p->name, "tiny");
    cr_assert_str_eq(sel.c[1].p->name, "small");
    cr_assert_float_eq(sel.margin, 150.0, 1e-9);
    for (size_t i = 2; i < sel.n; i++)
        cr_assert(strstr(sel.c[i].excluded, "GB > max 5.00 GB"), "%s", sel.c[i].excluded);
    report_selection_free(&sel);
}

Test(report_select, role_nothing_satisfies, .fini = pts_fini)
{
    add_sel_points();
    /* 95% is above every score, 1000 tok/s above every speed, and a 10 ms
     * TTFT below every TTFT: every point carries all three reasons. */
    struct report_role r = mk_role("oracle", 95, 1000, 10, NAN, REPORT_PREFER_QUALITY);
    struct report_selection sel;
    report_select(&r, &g_pts, &sel);
    cr_assert_eq(sel.n_eligible, 0);
    cr_assert(isnan(sel.margin));
    for (size_t i = 0; i < sel.n; i++) {
        cr_assert(strstr(sel.c[i].excluded, "< min 95.0%"));
        cr_assert(strstr(sel.c[i].excluded, "< min 1000.0"));
        cr_assert(strstr(sel.c[i].excluded, "> max 10 ms"));
    }
    struct report_table t;
    report_selection_table(&sel, 1, &t);
    cr_assert_str_eq(report_table_cell(&t, 0, 1)->text, "(none satisfies the constraints)");
    cr_assert_str_eq(report_table_cell(&t, 0, 9)->text, "0/4");
    report_table_free(&t);
    report_selection_free(&sel);
}

Test(report_select, exact_tie_keeps_store_order_and_unknown_size_fails, .fini = pts_fini)
{
    add_q("first", 0.8, 0.7, 0.9, 30, 100);
    add_q("second", 0.8, 0.7, 0.9, 30, 100);
    g_pts.v[1].size_gb = NAN;
    struct report_role r = mk_role("any", NAN, NAN, NAN, NAN, REPORT_PREFER_QUALITY);
    struct report_selection sel;
    report_select(&r, &g_pts, &sel);
    cr_assert_str_eq(sel.c[0].p->name, "first");
    cr_assert_float_eq(sel.margin, 0.0, 1e-12);
    report_selection_free(&sel);
    r.max_size_gb = 100;
    report_select(&r, &g_pts, &sel);
    cr_assert_eq(sel.n_eligible, 1);
    cr_assert_str_eq(sel.c[1].excluded, "size unknown (model file not found)");
    report_selection_free(&sel);
}

/* --- roles.yaml --------------------------------------------------------- */

Test(report_roles, parses_the_shipped_file)
{
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_load("benchmarks/roles.yaml", &roles, &err), 0, "%s", err.msg);
    cr_assert_geq(roles.n, 5);
    const char *want[] = { "front_door", "coder", "architect", "draft", "long_context_ingest" };
    for (size_t w = 0; w < 5; w++) {
        int found = 0;
        for (size_t i = 0; i < roles.n; i++)
            found |= !strcmp(roles.v[i].name, want[w]);
        cr_assert(found, "role %s missing", want[w]);
    }
    report_roles_free(&roles);
}

Test(report_roles, weights_constraints_prefer)
{
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_load("tests/data/report/roles_ok.yaml", &roles, &err), 0, "%s", err.msg);
    cr_assert_eq(roles.n, 2);
    struct report_role *a = &roles.v[0], *b = &roles.v[1];
    cr_assert_str_eq(a->name, "front_door");
    cr_assert_eq(a->n_suites, 2);
    cr_assert_str_eq(a->suites[1], "instruction_precision");
    cr_assert_float_eq(a->weights[1], 2.0, 0);
    cr_assert_float_eq(a->min_score_pct, 70, 0);
    cr_assert_float_eq(a->min_tps, 20, 0);
    cr_assert(isnan(a->max_size_gb));
    cr_assert_eq(a->prefer, REPORT_PREFER_SPEED);
    cr_assert_str_eq(b->name, "draft");
    cr_assert_float_eq(b->weights[0], 1.0, 0);           /* list form */
    cr_assert_float_eq(b->max_size_gb, 2.5, 0);
    cr_assert_eq(b->prefer, REPORT_PREFER_QUALITY);       /* default */
    report_roles_free(&roles);
}

Test(report_roles, errors_name_file_line_col)
{
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_load("tests/data/report/roles_bad.yaml", &roles, &err), -1);
    cr_assert_eq(err.exit_code, 2);
    /* line 6, column 7: the misspelt constraint key "min_scor" */
    cr_assert(strstr(err.msg, "roles_bad.yaml:6:7: role coder: unknown constraint 'min_scor'"),
              "%s", err.msg);
    const char *pct = "roles:\n  x:\n    suites: [a]\n    constraints: {min_score: 0.7e3}\n";
    cr_assert_eq(report_roles_parse(pct, strlen(pct), "mem", &roles, &err), -1);
    cr_assert(strstr(err.msg, "percentage"), "%s", err.msg);
    const char *nosuites = "roles:\n  x:\n    prefer: speed\n";
    cr_assert_eq(report_roles_parse(nosuites, strlen(nosuites), "mem", &roles, &err), -1);
    cr_assert(strstr(err.msg, "suites is required"), "%s", err.msg);
}

/* --- tables ------------------------------------------------------------- */

Test(report_format, sort_and_escape)
{
    const char *cols[] = { "model", "pct" };
    struct report_table t;
    report_table_init(&t, 2, cols);
    const char *names[] = { "b|x", "a,\"q\"", "c" };
    double v[] = { 50, NAN, 75 };
    for (int i = 0; i < 3; i++) {
        size_t r = report_table_add_row(&t);
        report_table_set(&t, r, 0, names[i]);
        report_table_set_num(&t, r, 1, v[i], "%.1f%%");
    }
    struct bai_error err = {0};
    /* numeric: descending by default, missing last */
    cr_assert_eq(report_table_sort(&t, "PCT", &err), 0);
    cr_assert_str_eq(report_table_cell(&t, 0, 0)->text, "c");
    cr_assert_str_eq(report_table_cell(&t, 2, 0)->text, "a,\"q\"");
    cr_assert_eq(report_table_sort(&t, "pct:asc", &err), 0);
    cr_assert_str_eq(report_table_cell(&t, 0, 0)->text, "b|x");
    cr_assert_eq(report_table_sort(&t, "model", &err), 0);   /* text: ascending */
    cr_assert_str_eq(report_table_cell(&t, 0, 0)->text, "a,\"q\"");
    cr_assert_eq(report_table_sort(&t, "nope", &err), -1);
    cr_assert(strstr(err.msg, "columns: model, pct"), "%s", err.msg);

    struct buf b = {0};
    report_table_md(&t, &b);
    cr_assert(strstr(b.data, "| b\\|x | 50.0% |"), "%s", b.data);
    cr_assert(strstr(b.data, "| a,\"q\" | - |"), "%s", b.data);
    buf_reset(&b);
    report_table_csv(&t, &b);
    cr_assert(strstr(b.data, "\"a,\"\"q\"\"\",\n"), "%s", b.data);
    cr_assert(strstr(b.data, "c,75\n"), "%s", b.data);
    buf_reset(&b);
    report_table_json(&t, &b);
    cr_assert(strstr(b.data, "\"pct\":\t75"), "%s", b.data);
    cr_assert(strstr(b.data, "\"pct\":\tnull"), "%s", b.data);
    buf_reset(&b);
    report_html_escape(&b, "<b>&'\"");
    cr_assert_str_eq(b.data, "&lt;b&gt;&amp;&#39;&quot;");
    buf_free(&b);
    report_table_free(&t);
}

/* --- plots -------------------------------------------------------------- */

#include <unistd.h>
#include "report/plot.h"
#include "util/fs.h"

Test(report_plot, lines_bars_and_missing_gnuplot)
{
    char dir[] = "/tmp/benchai-plot-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    struct bai_error err = { 0 };
    double k[] = { 1, 2, 4, 8 }, tps[] = { 10, 20, NAN, 30 }, acc[] = { 0.9, 0.8, 0.7, 0.6 };
    struct report_series s[] = { { "tiny + draft: tok/s", k, tps, 4, 0 },
                                 { "tiny + draft: acceptance", k, acc, 4, 1 } };
    struct report_lines_spec spec = { "K sweep", "draft size K (tokens)", "tokens/s",
                                      "acceptance", 1, 1, 0 };
    char *svg = xasprintf("%s/k.svg", dir), *gp = xasprintf("%s/k.gp", dir);
    char *bad = xasprintf("%s/k.jpg", dir);
    cr_assert_eq(report_plot_lines(bad, &spec, s, 2, &err), -1);
    cr_assert(strstr(err.msg, ".svg or .png"), "%s", err.msg);

    setenv("BENCHAI_GNUPLOT", "none", 1);
    cr_assert_eq(report_plot_lines(svg, &spec, s, 2, &err), REPORT_PLOT_NO_GNUPLOT);
    unsetenv("BENCHAI_GNUPLOT");
    char *script = fs_read_file(gp, NULL, &err);
    cr_assert_not_null(script);
    /* second series on the right axis, same colour as the first (pairing) */
    cr_assert(strstr(script, "lc 1 dt 2 axes x1y2 title 'tiny + draft: acceptance'"), "%s", script);
    cr_assert(strstr(script, "set xtics (1, 2, 4, 8)"), "%s", script);
    cr_assert(strstr(script, "set logscale x 2"));
    free(script);

    if (report_gnuplot_path()) {
        /* the script must be one gnuplot accepts: this catches option-order
         * mistakes that only gnuplot notices */
        cr_assert_eq(report_plot_lines(svg, &spec, s, 2, &err), REPORT_PLOT_DONE, "%s", err.msg);
        char *inl = report_svg_inline(svg, "", &err);
        cr_assert(inl && strstr(inl, "tiny + draft: acceptance") && strstr(inl, "draft size K (tokens)"));
        free(inl);
        const char *groups[] = { "general", "math" }, *series[] = { "a", "b" };
        double v[] = { 50, NAN, 75, 20 };
        char *bars = xasprintf("%s/bars.png", dir);
        cr_assert_eq(report_plot_bars(bars, "t", "score (%)", 105, groups, 2, series, 2, v, &err),
                     REPORT_PLOT_DONE, "%s", err.msg);
        size_t len = 0;
        char *png = fs_read_file(bars, &len, &err);
        cr_assert(png && len > 1000 && !memcmp(png, "\x89PNG", 4));
        free(png);
        free(bars);
    }
    char *rm = xasprintf("rm -rf %s", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
    free(svg);
    free(gp);
    free(bad);
}

/* One rule for null in every command's JSON: not computed (NaN, inf) and
 * not measured (negative store values, via report_json_measured) are null;
 * a measured 0 stays 0. */
Test(report_format, json_null_rule)
{
    cJSON *o = cJSON_CreateObject();
    report_json_num(o, "nan", NAN);
    report_json_num(o, "inf", INFINITY);
    report_json_num(o, "neg", -2.5);          /* a delta may be negative */
    report_json_measured(o, "unmeasured", -1);
    report_json_measured(o, "zero", 0);
    report_json_measured(o, "m_nan", NAN);
    report_json_str(o, "none", NULL);
    report_json_str(o, "empty", "");
    struct buf b = {0};
    report_json_emit(o, 0, &b);
    cr_assert_str_eq(b.data, "{\"nan\":null,\"inf\":null,\"neg\":-2.5,\"unmeasured\":null,"
                             "\"zero\":0,\"m_nan\":null,\"none\":null,\"empty\":\"\"}\n");
    buf_free(&b);
}
