/* test_report_store.c - the query layer (points.c) and the report tables on
 * a real store built through the store API (test_report_fixture.h lists
 * its contents; the expected figures below are worked out from it). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <string.h>

#include "cmd/cmd.h"
#include "harness.h"
#include "report/format.h"
#include "report/master.h"
#include "report/pareto.h"
#include "report/plot.h"
#include "report/points.h"
#include "store/store.h"
#include "test_report_fixture.h"

static struct fixture fx;
static struct store *st;

static void setup(void)
{
    cr_assert_eq(fixture_build(&fx), 0);
    struct bai_error err = { 0 };
    st = store_open_readonly(fx.db_path, &err);
    cr_assert_not_null(st, "%s", err.msg);
}

static void teardown(void)
{
    store_close(st);
    fixture_fini(&fx);
}

static const struct report_point *find(const struct report_points *pts, const char *run,
                                       const char *label)
{
    for (size_t i = 0; i < pts->n; i++)
        if (!strcmp(pts->v[i].run_id, run) && !strcmp(pts->v[i].label, label))
            return &pts->v[i];
    return NULL;
}

Test(report_store, points_counts_speed_and_ci, .init = setup, .fini = teardown)
{
    struct report_points pts;
    struct bai_error err = { 0 };
    struct report_filter f = { 0 };
    cr_assert_eq(report_points_load(st, &f, &pts, &err), 0, "%s", err.msg);
    cr_assert_eq(pts.n, 4);
    /* store order: run A's configs first */
    cr_assert_str_eq(pts.v[0].run_id, fx.run_a);
    const struct report_point *p = find(&pts, fx.run_a, "tiny-dense");
    cr_assert_not_null(p);
    cr_assert_str_eq(p->name, "tiny-dense");
    cr_assert_float_eq(p->size_gb, 0.002, 1e-12);          /* 2,000,000 bytes */
    const struct report_suite_score *g = report_point_suite(p, "general");
    cr_assert_not_null(g);
    /* warm-up g0 ignored; g10 unparsed counts as 0; g11's request failed:
     * a failure too (worth 0), so 8 of 11 */
    cr_assert_eq(g->n, 11);
    cr_assert_eq(g->n_error, 1);
    cr_assert_eq(g->n_unparsed, 1);
    cr_assert_eq(g->passed, 8);
    cr_assert_float_eq(g->mean, 8.0 / 11, 1e-12);
    /* Wilson 8/11 at z = Phi^-1(0.975) = 1.959963984540054 (the one 95%
     * constant): [0.434355, 0.902539] (closed form by hand / python:
     * (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n)) */
    cr_assert_float_eq(g->lo, 0.434355, 1e-6);
    cr_assert_float_eq(g->hi, 0.902539, 1e-6);
    /* speed over the 10 ok non-warm-up samples of general (math has none):
     * gen_tps 10..100 -> p50 55, mean 55; ttft 100..1000 -> p50 550,
     * p95 at h = 9 * 0.95 = 8.55 -> 900 + 0.55 * 100 = 955 */
    cr_assert_eq(p->speed.n, 14);                           /* 10 general + 4 math */
    cr_assert_float_eq(p->speed.gen_tps_p50, 55, 1e-9);
    cr_assert_float_eq(p->speed.gen_tps_mean, 55, 1e-9);
    cr_assert_float_eq(p->speed.ttft_p50_ms, 550, 1e-9);
    cr_assert_float_eq(p->speed.ttft_p95_ms, 955, 1e-9);
    cr_assert_float_eq(p->speed.e2e_p50_ms, 5500, 1e-9);
    cr_assert(isnan(p->speed.acceptance));
    const struct report_suite_score *m = report_point_suite(p, "math");
    cr_assert_float_eq(m->mean, 0.5, 1e-12);

    const struct report_point *sp = find(&pts, fx.run_a, "tiny-dense k=4");
    cr_assert_float_eq(sp->speed.acceptance, 0.7, 1e-12);  /* 70 / 100 */
    cr_assert_float_eq(sp->size_gb, 0.0025, 1e-12);        /* model + draft */
    const struct report_point *moe = find(&pts, fx.run_b, "tiny-moe experts=2");
    cr_assert(isnan(moe->size_gb));                          /* file absent */
    /* judged 0.5 everywhere: bootstrap of a constant is that constant */
    const struct report_suite_score *mg = report_point_suite(moe, "general");
    cr_assert_float_eq(mg->lo, 0.5, 1e-12);
    cr_assert_float_eq(mg->hi, 0.5, 1e-12);
    report_points_free(&pts);
}

Test(report_store, filters_latest_and_suites, .init = setup, .fini = teardown)
{
    struct report_points pts;
    struct bai_error err = { 0 };
    /* latest per (model, label): run B's tiny-dense replaces run A's */
    struct report_filter f = { .latest_per_config = 1 };
    cr_assert_eq(report_points_load(st, &f, &pts, &err), 0);
    cr_assert_eq(pts.n, 3);
    cr_assert_null(find(&pts, fx.run_a, "tiny-dense"));
    cr_assert_not_null(find(&pts, fx.run_b, "tiny-dense"));
    report_points_free(&pts);

    /* math only: only run A's tiny-dense has math samples */
    const char *math[] = { "math" };
    struct report_filter fm = { .suites = math, .n_suites = 1 };
    cr_assert_eq(report_points_load(st, &fm, &pts, &err), 0);
    cr_assert_eq(pts.n, 1);
    cr_assert_eq(pts.v[0].n_suites, 1);
    cr_assert(isnan(pts.v[0].speed.gen_tps_p50));           /* math speed not measured */
    report_points_free(&pts);

    const char *runs[] = { fx.run_b };
    struct report_filter fr = { .runs = runs, .n_runs = 1 };
    cr_assert_eq(report_points_load(st, &fr, &pts, &err), 0);
    cr_assert_eq(pts.n, 2);
    report_points_free(&pts);
}

Test(report_store, master_table_shape, .init = setup, .fini = teardown)
{
    struct report_points pts;
    struct bai_error err = { 0 };
    struct report_filter f = { 0 };
    cr_assert_eq(report_points_load(st, &f, &pts, &err), 0);
    struct report_table t;
    report_master_table(&pts, &t);
    /* model, config, run (two runs), general, math, total, pct, gen_tps,
     * ttft_p50_ms, accept (one point drafted), errors, timeouts (a request
     * failed) */
    cr_assert_eq(t.ncols, 12);
    cr_assert_str_eq(t.cols[3], "general");
    cr_assert_str_eq(t.cols[4], "math");
    cr_assert_eq(report_table_sort(&t, "pct", &err), 0);
    /* pct: A spec 9/10 = 90.0; A dense (8 + 2) / (11 + 4) = 66.7 (the
     * failed request of g11 counts); B dense 60.0; B moe 50.0 */
    cr_assert_str_eq(report_table_cell(&t, 0, 1)->text, "tiny-dense k=4");
    cr_assert_str_eq(report_table_cell(&t, 1, 1)->text, "tiny-dense");
    cr_assert_str_eq(report_table_cell(&t, 1, 2)->text, fx.run_a);
    cr_assert_str_eq(report_table_cell(&t, 1, 3)->text, "72.7 (8/11)");
    cr_assert_str_eq(report_table_cell(&t, 1, 4)->text, "50.0 (2/4)");
    cr_assert_str_eq(report_table_cell(&t, 1, 5)->text, "10/15");
    cr_assert_str_eq(report_table_cell(&t, 1, 6)->text, "66.7%");
    cr_assert_str_eq(report_table_cell(&t, 1, 10)->text, "1", "errors");
    cr_assert_str_eq(report_table_cell(&t, 0, 10)->text, "0");
    cr_assert_str_eq(report_table_cell(&t, 3, 3)->text, "50.0 (5/10)");
    cr_assert_str_eq(report_table_cell(&t, 3, 5)->text, "5/10");
    cr_assert_str_eq(report_table_cell(&t, 0, 9)->text, "0.70");
    /* sorting by speed puts the 120 tok/s MoE first */
    cr_assert_eq(report_table_sort(&t, "gen_tps", &err), 0);
    cr_assert_str_eq(report_table_cell(&t, 0, 1)->text, "tiny-moe experts=2");
    report_table_free(&t);

    struct buf b = { 0 };
    report_points_json(&pts, &b);
    cr_assert(strstr(b.data, "\"unparsed\":\t1"), "%s", b.data);
    cr_assert(strstr(b.data, "\"k\":\t4"));
    buf_free(&b);
    report_points_free(&pts);
}

Test(report_store, pareto_on_store_and_plot_files, .init = setup, .fini = teardown)
{
    struct report_points pts;
    struct bai_error err = { 0 };
    struct report_filter f = { 0 };
    cr_assert_eq(report_points_load(st, &f, &pts, &err), 0);
    /* overall quality vs gen_tps p50:
     *   A dense (0.714, 55)  A spec (0.9, 80)  B dense (0.6, 30)  B moe (0.5, 120)
     * frontier: A spec (best quality), B moe (fastest); A dense is
     * dominated by A spec, B dense by A spec. */
    struct report_pareto pa;
    cr_assert_eq(report_pareto_build(&pts, NULL, REPORT_X_GEN_TPS, &pa, &err), 0);
    cr_assert_eq(pa.n_frontier, 2);
    for (size_t i = 0; i < pa.n; i++) {
        int spec = !strcmp(pa.pt[i]->label, "tiny-dense k=4");
        int moe = !strcmp(pa.pt[i]->label, "tiny-moe experts=2");
        cr_assert_eq(pa.sp[i].on_frontier, spec || moe, "%s", pa.pt[i]->label);
        if (!spec && !moe)
            cr_assert_str_eq(pa.pt[pa.sp[i].dominated_by]->label, "tiny-dense k=4");
    }
    /* without gnuplot the data and script are still written */
    char *svg = xasprintf("%s/out/pareto.svg", fx.dir);
    setenv("BENCHAI_GNUPLOT", "none", 1);
    cr_assert_eq(report_pareto_plot(&pa, svg, "t", &err), REPORT_PLOT_NO_GNUPLOT, "%s", err.msg);
    char *gp = xasprintf("%s/out/pareto.gp", fx.dir), *dat = xasprintf("%s/out/pareto.dat", fx.dir);
    cr_assert(fs_exists(gp) && fs_exists(dat));
    cr_assert_not(fs_exists(svg));
    unsetenv("BENCHAI_GNUPLOT");
    if (report_gnuplot_path()) {
        cr_assert_eq(report_pareto_plot(&pa, svg, "t", &err), REPORT_PLOT_DONE, "%s", err.msg);
        char *inl = report_svg_inline(svg, "q1_", &err);
        cr_assert_not_null(inl, "%s", err.msg);
        cr_assert_eq(strncmp(inl, "<svg", 4), 0);
        cr_assert(strstr(inl, "tiny-moe experts=2"));      /* the label is drawn */
        cr_assert_null(strstr(inl, "id='gpPt"));            /* ids are prefixed */
        cr_assert_not_null(strstr(inl, "id='q1_gpPt"));
        free(inl);
    }
    free(svg);
    free(gp);
    free(dat);
    report_pareto_free(&pa);
    report_points_free(&pts);
}

/* Runs a command in this process; *out gets what it printed (freed by
 * the next call). stdout must be redirected. */
static const char *cmd_output(int (*fn)(int, char **), const char *const *args, int *rc)
{
    static long consumed;
    static char *last;
    *rc = harness_cmd(fn, args);
    free(last);
    last = harness_read_new(cr_get_redirected_stdout(), &consumed);
    return last;
}

/* Issue 17 item 6: `runs` showed the model as its full cache path where the
 * run table says tiny-dense. One name everywhere; the path stays in show. */
Test(report_store, one_model_name_in_runs_table_and_labels, .init = setup, .fini = teardown)
{
    cr_redirect_stdout();
    int rc;
    const char *runs[] = { "runs", "--store", fx.db_path, "-o", "csv", NULL };
    const char *out = cmd_output(cmd_runs, runs, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, ",tiny-dense,"), "%s", out);                  /* run A */
    cr_assert(strstr(out, "\"tiny-dense,tiny-moe\""), "%s", out);       /* run B */
    cr_assert_null(strstr(out, fx.dir), "a path in runs: %s", out);

    const char *table[] = { "table", "--store", fx.db_path, "-o", "csv", NULL };
    out = cmd_output(cmd_table, table, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, "\ntiny-dense,tiny-dense,"), "%s", out);     /* model, config */
    cr_assert(strstr(out, "\ntiny-moe,tiny-moe experts=2,"), "%s", out);
    cr_assert_null(strstr(out, fx.dir), "a path in table: %s", out);

    /* show keeps the stored path */
    const char *show[] = { "show", fx.run_a, "--store", fx.db_path, "-o", "json", NULL };
    out = cmd_output(cmd_show, show, &rc);
    cr_assert_eq(rc, 0);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root, "%s", out);
    cJSON *cfg = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "configs"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(cfg, "model")->valuestring, fx.model_path);
    cJSON_Delete(root);
}

/* Issue 17 item 2: with --limit the items column said 5 where 3 ran. The
 * run's closing table, show and table say "3 of 5"; a full run says 5.
 * The command backend answers (echo) so no server is needed. */
Test(report_store, limited_run_reads_k_of_n)
{
    cr_redirect_stdout();
    char *dir = harness_tempdir();
    char *db = xasprintf("%s/s.db", dir), *logs = xasprintf("%s/logs", dir);
    int rc;
    const char *limited[] = { "run", "--suite", "suites/v1/smoke.yaml", "--backend", "command",
                              "--cmd", "echo {prompt}", "--warmup", "0", "--limit", "3",
                              "--store", db, "--logs", logs, NULL };
    const char *out = cmd_output(cmd_run, limited, &rc);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "|     3 of 5 |"), "closing table: %s", out);
    const char *show[] = { "show", "latest", "--store", db, NULL };
    out = cmd_output(cmd_show, show, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, "| 3 of 5 | 3 |"), "show: %s", out);      /* items, samples */
    const char *show_json[] = { "show", "latest", "--store", db, "-o", "json", NULL };
    out = cmd_output(cmd_show, show_json, &rc);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root, "%s", out);
    cJSON *g = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 0);
    cr_assert_eq(cJSON_GetObjectItem(g, "items")->valueint, 3);
    cr_assert_eq(cJSON_GetObjectItem(g, "suite_items")->valueint, 5);
    cJSON_Delete(root);
    const char *table[] = { "table", "--store", db, NULL };
    out = cmd_output(cmd_table, table, &rc);
    cr_assert_eq(rc, 0);
    cr_assert(strstr(out, "/3; 3 of 5 items) |"), "table: %s", out);

    /* another store: "latest" cannot tell two runs of the same second apart */
    char *db2 = xasprintf("%s/full.db", dir);
    const char *full[] = { "run", "--suite", "suites/v1/smoke.yaml", "--backend", "command",
                           "--cmd", "echo {prompt}", "--warmup", "0", "--store", db2,
                           "--logs", logs, NULL };
    out = cmd_output(cmd_run, full, &rc);
    cr_assert_eq(rc, 0, "%s", out);
    cr_assert(strstr(out, "|          5 |"), "closing table: %s", out);
    cr_assert_null(strstr(out, " of 5"), "%s", out);
    const char *show_full[] = { "show", "latest", "--store", db2, NULL };
    out = cmd_output(cmd_show, show_full, &rc);
    cr_assert(strstr(out, "| 5 | 5 |"), "show: %s", out);
    free(db2);
    free(db);
    free(logs);
    free(dir);
}

/* export -o jsonl writes one object per line with the one null rule: not
 * measured (-1 in the store) and no score are null, measured values stay. */
Test(report_store, export_jsonl_nulls, .init = setup, .fini = teardown)
{
    cr_redirect_stdout();
    int rc;
    const char *args[] = { "export", fx.run_a, "-o", "jsonl", "--store", fx.db_path, NULL };
    const char *out = cmd_output(cmd_export, args, &rc);
    cr_assert_eq(rc, 0);
    int seen = 0;
    for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
        char *one = xstrndup(line, strcspn(line, "\n"));
        cJSON *o = cJSON_Parse(one);
        cr_assert_not_null(o, "%s", one);
        const char *item = cJSON_GetObjectItem(o, "item")->valuestring;
        if (!strcmp(item, "g11")) {          /* the errored sample: nothing measured */
            cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "gen_tps")), "%s", one);
            cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "scorer")), "%s", one);
            cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "value")), "%s", one);
            cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "cached_tokens")), "%s", one);
            seen++;
        } else if (!strcmp(item, "g2") && !strcmp(cJSON_GetObjectItem(o, "config")->valuestring,
                                                   "tiny-dense")) {
            cr_assert_float_eq(cJSON_GetObjectItem(o, "gen_tps")->valuedouble, 20, 1e-9);
            cr_assert_eq(cJSON_GetObjectItem(o, "prompt_tokens")->valueint, 10);
            cr_assert(cJSON_IsNull(cJSON_GetObjectItem(o, "tpot_ms")), "%s", one);
            cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(o, "passed")), "%s", one);
            seen++;
        }
        cJSON_Delete(o);
        free(one);
        if (!strchr(line, '\n'))
            break;
    }
    cr_assert_eq(seen, 2, "%s", out);
}
