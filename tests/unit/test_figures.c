/* test_figures.c - the figures of one (run, config, suite) come from one
 * place (report/figures.c): `show` and the report points (table, pareto,
 * select, html) print the same score and 95% CI for the same samples, a
 * pass/fail score gets the Wilson interval at z = Phi^-1(0.975), and the
 * speed percentiles follow stats_percentile. The store is built through the
 * store API; expected values are worked out by hand below. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "harness.h"
#include "report/figures.h"
#include "report/points.h"
#include "stats/stats.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"

static int64_t put(struct store *st, const char *run, int64_t config, int64_t suite, const char *item,
                   double value, int passed, double gen_tps, double ttft)
{
    struct bai_error err = {0};
    struct store_sample s = {
        .run_id = run, .config_id = config, .suite_id = suite, .item_id = item, .status = "ok", .output = "x",
        .ttft_ms = ttft, .e2e_ms = ttft * 10, .tpot_ms = -1, .prompt_tokens = -1, .completion_tokens = -1,
        .cached_tokens = -1, .prompt_ms = -1, .prompt_tps = -1, .gen_ms = -1, .gen_tps = gen_tps,
        .draft_n = -1, .draft_accepted = -1, .attempts = 1,
    };
    struct store_score sc = { .scorer = passed >= 0 ? "exact" : "judge", .value = value, .passed = passed,
                              .status = "scored" };
    int64_t id = store_sample_put(st, &s, &sc, &err);
    cr_assert_gt(id, 0, "%s", err.msg);
    return id;
}

/* One run, one config: suite "pf" 3 of 4 passed, suite "judged" with
 * continuous scores 0.1, 0.35, 0.5, 0.8, 0.95 (mean 0.54). */
static char *build(char run_id[STORE_RUN_ID_MAX])
{
    char *dir = harness_tempdir();
    char *path = xasprintf("%s/figures.db", dir);
    free(dir);
    struct bai_error err = {0};
    struct store *st = store_open(path, &err);
    cr_assert_not_null(st, "%s", err.msg);
    struct store_run_meta meta = { .plan_json = "{}" };
    cr_assert_eq(store_run_create(st, &meta, run_id, &err), 0, "%s", err.msg);
    struct store_config cfg = { .label = "m", .backend = "openai", .model = "m" };
    int64_t config = store_config_add(st, run_id, &cfg, &err);
    int64_t pf = store_suite_add(st, "pf", 1, "h-pf", &err);
    int64_t judged = store_suite_add(st, "judged", 1, "h-judged", &err);
    cr_assert(config > 0 && pf > 0 && judged > 0, "%s", err.msg);
    const int passed[] = { 1, 1, 0, 1 };
    const double tps[] = { 40, 10, 30, 20 }, ttft[] = { 400, 100, 300, 200 };
    for (int i = 0; i < 4; i++) {
        char item[16];
        snprintf(item, sizeof item, "p%d", i);
        put(st, run_id, config, pf, item, passed[i], passed[i], tps[i], ttft[i]);
    }
    const double v[] = { 0.1, 0.35, 0.5, 0.8, 0.95 };
    for (int i = 0; i < 5; i++) {
        char item[16];
        snprintf(item, sizeof item, "j%d", i);
        put(st, run_id, config, judged, item, v[i], -1, -1, -1);
    }
    store_close(st);
    return path;
}

/* `benchai show RUN -o json` on path, parsed. */
static cJSON *show_json(const char *path, const char *run_id)
{
    char *dir = harness_tempdir();
    char *file = xasprintf("%s/out.json", dir);
    fflush(stdout);
    int saved = dup(1);
    int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    close(fd);
    char *argv[] = { "show", (char *)run_id, "--store", (char *)path, "-o", "json", NULL };
    int rc = cmd_show(6, argv);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    cr_assert_eq(rc, 0);
    char *text = fs_read_file(file, NULL, NULL);
    cJSON *root = cJSON_Parse(text);
    cr_assert_not_null(root, "%s", text);
    free(text);
    unlink(file);
    rmdir(dir);
    free(file);
    free(dir);
    return root;
}

/* The show figures of (suite): score, ci_lo, ci_hi (0..100). */
static const cJSON *show_score(const cJSON *root, const char *suite)
{
    const cJSON *g;
    cJSON_ArrayForEach(g, cJSON_GetObjectItem(root, "groups")) {
        const cJSON *name = cJSON_GetObjectItem(g, "suite");
        if (cJSON_IsString(name) && !strcmp(name->valuestring, suite))
            return cJSON_GetArrayItem(cJSON_GetObjectItem(g, "scores"), 0);
    }
    cr_assert_fail("no group %s", suite);
    return NULL;
}

static double num(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItem(o, key);
    cr_assert(cJSON_IsNumber(v), "%s", key);
    return v->valuedouble;
}

Test(figures, show_and_report_points_print_the_same_score_and_ci)
{
    char run_id[STORE_RUN_ID_MAX];
    char *path = build(run_id);
    cJSON *root = show_json(path, run_id);
    struct bai_error err = {0};
    struct store *st = store_open_readonly(path, &err);
    cr_assert_not_null(st, "%s", err.msg);
    struct report_points pts;
    cr_assert_eq(report_points_load(st, NULL, &pts, &err), 0, "%s", err.msg);
    cr_assert_eq(pts.n, 1);

    /* pass/fail: 3/4 with Wilson at z = 1.959963984540054: centre
     * (0.75 + z^2/8) / (1 + z^2/4) = 1.230182 / 1.960365 = 0.627527,
     * half-width z sqrt(0.75 * 0.25 / 4 + z^2/64) / (1 + z^2/4)
     * = 1.959964 * 0.326953 / 1.960365 = 0.326886: [0.300642, 0.954413] */
    const struct report_suite_score *pf = report_point_suite(&pts.v[0], "pf");
    cr_assert_float_eq(pf->mean, 0.75, 1e-12);
    cr_assert_float_eq(pf->lo, 0.300642, 1e-6);
    cr_assert_float_eq(pf->hi, 0.954413, 1e-6);
    const cJSON *spf = show_score(root, "pf");
    cr_assert_float_eq(num(spf, "score"), 100 * pf->mean, 1e-9);
    cr_assert_float_eq(num(spf, "ci_lo"), 100 * pf->lo, 1e-9);
    cr_assert_float_eq(num(spf, "ci_hi"), 100 * pf->hi, 1e-9);

    /* continuous: the mean 2.7 / 5 = 0.54, the same seeded bootstrap in
     * both, inside the range of the values */
    const struct report_suite_score *j = report_point_suite(&pts.v[0], "judged");
    cr_assert_float_eq(j->mean, 0.54, 1e-12);
    cr_assert(j->lo > 0.1 && j->lo < 0.54 && j->hi > 0.54 && j->hi < 0.95, "[%f, %f]", j->lo, j->hi);
    const cJSON *sj = show_score(root, "judged");
    cr_assert_float_eq(num(sj, "score"), 100 * j->mean, 1e-9);
    cr_assert_float_eq(num(sj, "ci_lo"), 100 * j->lo, 1e-9);
    cr_assert_float_eq(num(sj, "ci_hi"), 100 * j->hi, 1e-9);

    /* speed of pf: tps 10, 20, 30, 40 -> p50 at h = 1.5: 25; ttft 100..400
     * -> p95 at h = 2.85: 300 + 0.85 * 100 = 385 */
    cr_assert_float_eq(pts.v[0].speed.gen_tps_p50, 25, 1e-9);
    cr_assert_float_eq(pts.v[0].speed.ttft_p95_ms, 385, 1e-9);
    const cJSON *g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 0);
    const cJSON *speed = cJSON_GetObjectItem(g0, "speed");
    cr_assert_str_eq(cJSON_GetObjectItem(g0, "suite")->valuestring, "judged", "groups ordered by suite name");
    g0 = cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 1);
    speed = cJSON_GetObjectItem(g0, "speed");
    cr_assert_float_eq(num(speed, "gen_tps_p50"), 25, 1e-9);
    cr_assert_float_eq(num(speed, "ttft_ms_p95"), 385, 1e-9);

    report_points_free(&pts);
    store_close(st);
    cJSON_Delete(root);
    free(path);
}

Test(figures, one_function_gives_each_interval)
{
    struct report_score f;
    enum report_outcome oc[5] = { REPORT_SCORED, REPORT_SCORED, REPORT_SCORED, REPORT_SCORED, REPORT_SCORED };
    double v[] = { 1, 1, 0, 1 };
    int p[] = { 1, 1, 0, 1, -1 };
    report_score_compute("exact", -1, oc, v, p, NULL, 4, NULL, &f);
    cr_assert_str_eq(f.method, "wilson");
    cr_assert_eq(f.graded, 0);
    double lo, hi;
    stats_wilson(3, 4, STATS_Z95, &lo, &hi);
    cr_assert(f.lo == 100 * lo && f.hi == 100 * hi);
    double c[] = { 0.1, 0.35, 0.5, 0.8, 0.95 };
    int pc[] = { 0, 0, 0, 1, 1 };
    report_score_compute("judge:m#00000000", -1, oc, c, pc, NULL, 5, NULL, &f);
    cr_assert_str_eq(f.method, "bootstrap");
    cr_assert_eq(f.graded, 1, "a judge's score is the mean grade");
    cr_assert_float_eq(f.score, 54.0, 1e-9);
    cr_assert_float_eq(f.pass_rate, 40.0, 1e-9, "its pass rate is its own figure");
    cr_assert_eq(stats_bootstrap_mean_ci(c, 5, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, &lo, &hi), 0);
    cr_assert(f.lo == 100 * lo && f.hi == 100 * hi);
    report_score_compute("exact", -1, oc, NULL, NULL, NULL, 0, NULL, &f);
    cr_assert(isnan(f.score) && isnan(f.lo) && isnan(f.hi) && !f.method);
}

/* Every outcome's worth: scored by grade or pass, unparsed and failed
 * requests 0 (failed ones left out with exclude_failed), scorer errors
 * never counted. Four exact answers of which one passed, one unparsed, one
 * timed out and one whose scorer failed: 1 of 3 counted (33.3%), or 1 of 2
 * with --exclude-failed. */
Test(figures, failures_count_unless_excluded)
{
    enum report_outcome oc[] = { REPORT_SCORED, REPORT_UNPARSED, REPORT_TIMEOUT, REPORT_SCORE_ERROR };
    double v[] = { 1, 0, 0, 0 };
    int p[] = { 1, 0, 0, -1 };
    struct report_score f;
    report_score_compute("exact", -1, oc, v, p, NULL, 4, NULL, &f);
    cr_assert_eq(f.n, 3);
    cr_assert_float_eq(f.score, 100.0 / 3, 1e-9);
    cr_assert_eq(f.n_timeouts, 1);
    cr_assert_eq(f.n_score_errors, 1);
    cr_assert_eq(f.passed, 1);
    cr_assert_eq(f.pass_n, 3);
    struct report_rules r = { .exclude_failed = 1 };
    report_score_compute("exact", -1, oc, v, p, NULL, 4, &r, &f);
    cr_assert_eq(f.n, 2);
    cr_assert_float_eq(f.score, 50.0, 1e-9);
    cr_assert_eq(f.exclude_failed, 1);
}

/* Speed p50 intervals are the order statistics of stats_quantile_ci: for
 * the median of ten values [x(2), x(9)] (P(B <= 1) = 11/1024 <= 0.025 <
 * P(B <= 2) = 56/1024 for B ~ Bin(10, 1/2)); five values are too few. */
Test(figures, speed_p50_has_an_order_statistic_interval)
{
    double v[10] = { 10, 1, 9, 2, 8, 3, 7, 4, 6, 5 };
    struct report_speed sp;
    report_speed_figures(v, 10, NULL, 0, NULL, 0, 0, 0, &sp);
    cr_assert_float_eq(sp.gen_tps_p50, 5.5, 1e-12);
    cr_assert_float_eq(sp.gen_tps_lo, 2, 1e-12);
    cr_assert_float_eq(sp.gen_tps_hi, 9, 1e-12);
    double w[5] = { 1, 2, 3, 4, 5 };
    report_speed_figures(w, 5, NULL, 0, NULL, 0, 0, 0, &sp);
    cr_assert(isnan(sp.gen_tps_lo) && isnan(sp.gen_tps_hi));
}
