/* master.c - the master score table and the points as JSON. */
#include "report/master.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* 27 -> "27", 26.5 -> "26.5": judge scores make fractional sums. */
static const char *sum_fmt(double sum)
{
    return fabs(sum - round(sum)) < 1e-9 ? "%.0f" : "%.1f";
}

void report_master_table(const struct report_points *pts, struct report_table *t)
{
    size_t ns = 0;
    const char **suites = report_points_suites(pts, &ns);
    int multi_run = 0, any_accept = 0, any_failed = 0, any_res = 0, any_gpu = 0, any_prompt = 0;
    for (size_t i = 0; i < pts->n; i++) {
        any_prompt |= !isnan(pts->v[i].prompt_tps.value);
        multi_run |= strcmp(pts->v[i].run_id, pts->v[0].run_id) != 0;
        any_accept |= !isnan(pts->v[i].speed.acceptance);
        for (size_t s = 0; s < pts->v[i].n_suites; s++)
            any_failed |= pts->v[i].suites[s].n_error + pts->v[i].suites[s].n_timeout > 0;
        any_res |= pts->v[i].res.n_starts > 0;
        any_gpu |= !isnan(pts->v[i].res.gpu_bytes);
    }
    size_t ncols = 2 + (size_t)multi_run + ns + 4 + (size_t)any_accept + 2 * (size_t)any_failed +
                   (size_t)any_prompt + (any_res ? 3 : 0) + (size_t)any_gpu;
    const char **cols = xcalloc(ncols, sizeof *cols);
    size_t c = 0;
    cols[c++] = "model";
    cols[c++] = "config";
    if (multi_run)
        cols[c++] = "run";
    size_t first_suite = c;
    for (size_t s = 0; s < ns; s++)
        cols[c++] = suites[s];
    size_t c_total = c;
    cols[c++] = "total";
    cols[c++] = "pct";
    cols[c++] = "gen_tps";
    cols[c++] = "ttft_p50_ms";
    if (any_accept)
        cols[c++] = "accept";
    size_t c_failed = c;
    if (any_failed) {              /* counted in the scores as failures */
        cols[c++] = "errors";
        cols[c++] = "timeouts";
    }
    size_t c_more = c;
    if (any_prompt)
        cols[c++] = "prompt_tps";
    if (any_res) {
        cols[c++] = "load_s";
        cols[c++] = "first_gen_tps";
        cols[c++] = "rss_gb";
    }
    if (any_gpu)
        cols[c++] = "gpu_gb";
    report_table_init(t, ncols, cols);
    free(cols);

    for (size_t i = 0; i < pts->n; i++) {
        const struct report_point *p = &pts->v[i];
        size_t r = report_table_add_row(t);
        report_table_set(t, r, 0, p->name);
        report_table_set(t, r, 1, p->label ? p->label : "");
        if (multi_run)
            report_table_set(t, r, 2, p->run_id);
        for (size_t s = 0; s < ns; s++) {
            const struct report_suite_score *sc = report_point_suite(p, suites[s]);
            if (!sc || sc->n == 0)
                continue;
            /* the number (for sorting, CSV, JSON) is the percent; the text
             * also shows the points and items, as the users' table does */
            report_table_set_num(t, r, first_suite + s, 100 * sc->mean, "%.1f");
            char sum[32];
            snprintf(sum, sizeof sum, sum_fmt(sc->sum), sc->sum);
            if (sc->suite_items > sc->n_items)       /* --limit, --shard, a stopped run */
                report_table_setf(t, r, first_suite + s, "%.1f (%s/%lld; %lld of %lld items)",
                                  100 * sc->mean, sum, (long long)sc->n, (long long)sc->n_items,
                                  (long long)sc->suite_items);
            else
                report_table_setf(t, r, first_suite + s, "%.1f (%s/%lld)", 100 * sc->mean, sum,
                                  (long long)sc->n);
        }
        struct report_quality q;
        report_point_overall(p, &q);
        if (q.n > 0) {
            char sum[32];
            snprintf(sum, sizeof sum, sum_fmt(q.sum), q.sum);
            report_table_set_num(t, r, c_total, q.sum, "%.1f");
            report_table_setf(t, r, c_total, "%s/%lld", sum, (long long)q.n);
            report_table_set_num(t, r, c_total + 1, 100 * q.mean, "%.1f%%");
            report_table_cell(t, r, c_total + 1)->bold = 1;
        }
        report_table_set_num(t, r, c_total + 2, p->speed.gen_tps_p50, "%.1f");
        if (!isnan(p->speed.gen_tps_lo))      /* the text: p50 with its 95% interval */
            report_table_setf(t, r, c_total + 2, "%.1f [%.1f, %.1f]", p->speed.gen_tps_p50, p->speed.gen_tps_lo,
                              p->speed.gen_tps_hi);
        report_table_set_num(t, r, c_total + 3, p->speed.ttft_p50_ms, "%.0f");
        if (any_accept)
            report_table_set_num(t, r, c_total + 4, p->speed.acceptance, "%.2f");
        if (any_failed) {
            int64_t errors = 0, timeouts = 0;
            for (size_t s = 0; s < p->n_suites; s++) {
                errors += p->suites[s].n_error;
                timeouts += p->suites[s].n_timeout;
            }
            report_table_set_num(t, r, c_failed, (double)errors, "%.0f");
            report_table_set_num(t, r, c_failed + 1, (double)timeouts, "%.0f");
        }
        size_t k = c_more;
        if (any_prompt) {
            report_table_set_num(t, r, k++, p->prompt_tps.value, "%.1f");
            if (!isnan(p->prompt_tps.lo))
                report_table_setf(t, r, k - 1, "%.1f [%.1f, %.1f]", p->prompt_tps.value, p->prompt_tps.lo,
                                  p->prompt_tps.hi);
        }
        if (any_res) {
            report_table_set_num(t, r, k++, p->res.load_ms / 1000, "%.2f");
            report_table_set_num(t, r, k++, p->res.first_gen_tps, "%.1f");
            report_table_set_num(t, r, k++, report_gb(p->res.rss_peak_bytes), "%.3f");
        }
        if (any_gpu)
            report_table_set_num(t, r, k++, report_gb(p->res.gpu_bytes), "%.3f");
    }
    free(suites);
}

/* The distinct tiers of the points' suites, ascending (allocated). */
static int *all_tiers(const struct report_points *pts, size_t *n_out)
{
    int *v = NULL;
    size_t n = 0;
    for (size_t i = 0; i < pts->n; i++)
        for (size_t s = 0; s < pts->v[i].n_suites; s++)
            for (size_t k = 0; k < pts->v[i].suites[s].n_tiers; k++) {
                int tier = pts->v[i].suites[s].tiers[k].tier;
                size_t j = 0;
                while (j < n && v[j] != tier)
                    j++;
                if (j < n)
                    continue;
                v = xrealloc(v, (n + 1) * sizeof *v);
                size_t at = n++;
                while (at > 0 && v[at - 1] > tier) {
                    v[at] = v[at - 1];
                    at--;
                }
                v[at] = tier;
            }
    *n_out = n;
    return v;
}

void report_tier_cell(struct report_table *t, size_t r, size_t c, const struct report_tier_score *ts)
{
    char sum[32];
    snprintf(sum, sizeof sum, sum_fmt(ts->sum), ts->sum);
    report_table_set_num(t, r, c, 100 * ts->mean, "%.1f");
    report_table_setf(t, r, c, "%.1f (%s/%lld)", 100 * ts->mean, sum, (long long)ts->n);
}

size_t report_master_tiers(const struct report_points *pts, struct report_table *t)
{
    size_t nt = 0;
    int *tiers = all_tiers(pts, &nt);
    if (!nt) {
        free(tiers);
        return 0;
    }
    int multi_run = 0;
    for (size_t i = 0; i < pts->n; i++)
        multi_run |= strcmp(pts->v[i].run_id, pts->v[0].run_id) != 0;
    size_t ncols = 3 + (size_t)multi_run + nt + 1;
    const char **cols = xcalloc(ncols, sizeof *cols);
    char **names = xcalloc(nt, sizeof *names);
    size_t c = 0;
    cols[c++] = "model";
    cols[c++] = "config";
    if (multi_run)
        cols[c++] = "run";
    cols[c++] = "suite";
    size_t first = c;
    for (size_t k = 0; k < nt; k++)
        cols[c++] = names[k] = xasprintf("T%d", tiers[k]);
    cols[c++] = "all";
    report_table_init(t, ncols, cols);
    size_t rows = 0;
    for (size_t i = 0; i < pts->n; i++) {
        const struct report_point *p = &pts->v[i];
        for (size_t s = 0; s < p->n_suites; s++) {
            const struct report_suite_score *sc = &p->suites[s];
            if (!sc->n_tiers)
                continue;
            size_t r = report_table_add_row(t);
            rows++;
            report_table_set(t, r, 0, p->name);
            report_table_set(t, r, 1, p->label ? p->label : "");
            if (multi_run)
                report_table_set(t, r, 2, p->run_id);
            report_table_set(t, r, first - 1, sc->suite);
            for (size_t k = 0; k < sc->n_tiers; k++)
                for (size_t j = 0; j < nt; j++)
                    if (tiers[j] == sc->tiers[k].tier)
                        report_tier_cell(t, r, first + j, &sc->tiers[k]);
            struct report_tier_score all = { .n = sc->n, .sum = sc->sum, .mean = sc->mean };
            report_tier_cell(t, r, first + nt, &all);
        }
    }
    for (size_t k = 0; k < nt; k++)
        free(names[k]);
    free(names);
    free(cols);
    free(tiers);
    return rows;
}

void report_points_json(const struct report_points *pts, struct buf *out)
{
    cJSON *arr = cJSON_CreateArray();
    for (size_t i = 0; i < pts->n; i++) {
        const struct report_point *p = &pts->v[i];
        cJSON *o = cJSON_CreateObject();
        report_json_str(o, "run", p->run_id);
        report_json_num(o, "config_id", (double)p->config_id);
        report_json_str(o, "model", p->name);
        report_json_str(o, "model_path", p->model);
        report_json_str(o, "draft", p->draft);
        report_json_str(o, "config", p->label);
        cJSON *params = p->params_json ? cJSON_Parse(p->params_json) : NULL;
        if (params)
            cJSON_AddItemToObject(o, "params", params);
        report_json_num(o, "size_gb", p->size_gb);
        cJSON *suites = cJSON_AddObjectToObject(o, "suites");
        for (size_t s = 0; s < p->n_suites; s++) {
            const struct report_suite_score *sc = &p->suites[s];
            cJSON *so = cJSON_AddObjectToObject(suites, sc->suite);
            report_json_num(so, "version", sc->version);
            report_json_str(so, "scorer", sc->scorer);
            cJSON_AddBoolToObject(so, "graded", sc->graded);
            /* every percentage 0-100, as every command prints them */
            report_json_num(so, "score", 100 * sc->mean);
            report_json_num(so, "ci_lo", 100 * sc->lo);
            report_json_num(so, "ci_hi", 100 * sc->hi);
            report_json_num(so, "sum", sc->sum);
            report_json_num(so, "n", (double)sc->n);
            report_json_num(so, "passed", (double)sc->passed);
            report_json_num(so, "pass_n", (double)sc->pass_n);
            report_json_num(so, "pass_rate", 100 * sc->pass_rate);
            report_json_num(so, "unparsed", (double)sc->n_unparsed);
            report_json_num(so, "errors", (double)sc->n_error);
            report_json_num(so, "timeouts", (double)sc->n_timeout);
            report_json_num(so, "score_errors", (double)sc->n_score_error);
            cJSON_AddBoolToObject(so, "exclude_failed", sc->exclude_failed);
            report_json_num(so, "items", (double)sc->n_items);
            report_json_num(so, "suite_items", sc->suite_items > 0 ? (double)sc->suite_items : NAN);
            if (sc->has_passk)
                cJSON_AddItemToObject(so, "pass_at_k", report_passk_json(&sc->passk, 100));
            if (sc->n_tiers) {
                cJSON *tiers = cJSON_AddObjectToObject(so, "tiers");
                for (size_t k = 0; k < sc->n_tiers; k++) {
                    char key[16];
                    snprintf(key, sizeof key, "%d", sc->tiers[k].tier);
                    cJSON *to = cJSON_AddObjectToObject(tiers, key);
                    report_json_num(to, "score", 100 * sc->tiers[k].mean);
                    report_json_num(to, "ci_lo", 100 * sc->tiers[k].lo);
                    report_json_num(to, "ci_hi", 100 * sc->tiers[k].hi);
                    report_json_num(to, "sum", sc->tiers[k].sum);
                    report_json_num(to, "n", (double)sc->tiers[k].n);
                    report_json_num(to, "passed", (double)sc->tiers[k].passed);
                }
            }
        }
        struct report_quality q;
        report_point_overall(p, &q);
        cJSON *ov = cJSON_AddObjectToObject(o, "overall");
        report_json_num(ov, "score", 100 * q.mean);
        report_json_num(ov, "ci_lo", 100 * q.lo);
        report_json_num(ov, "ci_hi", 100 * q.hi);
        report_json_num(ov, "sum", q.sum);
        report_json_num(ov, "n", (double)q.n);
        cJSON *sp = cJSON_AddObjectToObject(o, "speed");
        report_json_num(sp, "n", (double)p->speed.n);
        report_json_num(sp, "gen_tps_p50", p->speed.gen_tps_p50);
        report_json_num(sp, "gen_tps_p50_lo", p->speed.gen_tps_lo);
        report_json_num(sp, "gen_tps_p50_hi", p->speed.gen_tps_hi);
        report_json_num(sp, "gen_tps_mean", p->speed.gen_tps_mean);
        report_json_num(sp, "ttft_p50_ms", p->speed.ttft_p50_ms);
        report_json_num(sp, "ttft_p50_ms_lo", p->speed.ttft_lo_ms);
        report_json_num(sp, "ttft_p50_ms_hi", p->speed.ttft_hi_ms);
        report_json_num(sp, "ttft_p95_ms", p->speed.ttft_p95_ms);
        report_json_num(sp, "e2e_p50_ms", p->speed.e2e_p50_ms);
        report_json_num(sp, "acceptance", p->speed.acceptance);
        report_json_num(sp, "e2e_p95_ms", p->speed.e2e_p95_ms);
        report_json_num(sp, "prompt_tps_p50", p->prompt_tps.value);
        report_json_num(sp, "prompt_tps_ci_lo", p->prompt_tps.lo);
        report_json_num(sp, "prompt_tps_ci_hi", p->prompt_tps.hi);
        if (p->res.n_starts) {
            cJSON *rs = cJSON_AddObjectToObject(o, "resources");
            report_json_num(rs, "starts", (double)p->res.n_starts);
            report_json_num(rs, "load_s", p->res.load_ms / 1000);
            report_json_num(rs, "rss_loaded_gb", report_gb(p->res.rss_loaded_bytes));
            report_json_num(rs, "rss_peak_gb", report_gb(p->res.rss_peak_bytes));
            report_json_num(rs, "gpu_gb", report_gb(p->res.gpu_bytes));
            report_json_str(rs, "gpu_source", p->res.gpu_source[0] ? p->res.gpu_source : NULL);
            report_json_num(rs, "model_buffers_gb", report_gb(p->res.model_bytes));
            report_json_num(rs, "kv_cache_gb", report_gb(p->res.kv_bytes));
            report_json_num(rs, "compute_buffers_gb", report_gb(p->res.compute_bytes));
            report_json_measured(rs, "layers_offloaded", p->res.layers_offloaded);
            report_json_measured(rs, "layers_total", p->res.layers_total);
            report_json_num(rs, "first_gen_tps", p->res.first_gen_tps);
            report_json_num(rs, "first_ttft_ms", p->res.first_ttft_ms);
        }
        cJSON_AddItemToArray(arr, o);
    }
    report_json_emit(arr, 1, out);
}

size_t report_master_passk(const struct report_points *pts, struct report_table *t,
                           struct buf *notes, const char *prefix)
{
    int multi_run = 0;
    for (size_t i = 0; i < pts->n; i++)
        multi_run |= strcmp(pts->v[i].run_id, pts->v[0].run_id) != 0;
    static const char *const cols[] = { "model", "config", "run", "suite" };
    static const char *const cols_one_run[] = { "model", "config", "suite" };
    struct report_passk_rows rows = { .lead_cols = multi_run ? cols : cols_one_run,
                                      .n_lead = multi_run ? 4 : 3 };
    for (size_t i = 0; i < pts->n; i++) {
        const struct report_point *p = &pts->v[i];
        for (size_t s = 0; s < p->n_suites; s++) {
            if (!p->suites[s].has_passk)
                continue;
            const char *lead[] = { p->name, p->label, multi_run ? p->run_id : p->suites[s].suite,
                                   p->suites[s].suite };
            report_passk_rows_add(&rows, lead, &p->suites[s].passk);
        }
    }
    size_t n = rows.n;
    if (n)
        report_passk_rows_table(&rows, t, notes, prefix);
    report_passk_rows_free(&rows);
    return n;
}

int report_tiers_markdown(struct store *st, const char *run_id, struct buf *out, struct bai_error *err)
{
    int has = store_run_has_tiers(store_db(st), run_id, err);
    if (has <= 0)
        return has;
    const char *runs[] = { run_id };
    struct report_filter f = { .runs = runs, .n_runs = 1 };
    struct report_points pts;
    if (report_points_load(st, &f, &pts, err) != 0)
        return -1;
    struct report_table t;
    if (report_master_tiers(&pts, &t)) {
        buf_puts(out, "\n## Tiers (score per item tier: % with points/items, counted as the suite's score)\n\n");
        report_table_md(&t, out);
        report_table_free(&t);
    }
    report_points_free(&pts);
    return 0;
}
