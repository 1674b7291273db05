/* sweep.c - the sweep tables and plots of one run: draft size K (tokens/s,
 * acceptance, best K), MoE expert count (tokens/s and score: where quality
 * collapses), parallel slots -np (aggregate tokens/s, p95 latency multiplier
 * against np=1, and the np the users' rule picks: the largest aggregate
 * gain whose p95 multiplier stays <= 1.5).
 *
 * An axis is a sweep when configs of the run differ in it; configs that
 * agree on every other parameter (and model) form one series. Figures come
 * from the stored samples (warm-up and errored samples excluded), so they
 * are the same whether read by `benchai show` or the HTML report. */
#include "report/sweep.h"
#include "report/format.h"
#include "report/plot.h"
#include "stats/stats.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NP_P95_LIMIT 1.5

struct sweep_cfg {
    char *label, *model, *status, *reason;
    cJSON *params;
    size_t n;
    double tps_p50, tps_mean, tps_sd, acceptance, score, agg_tps, e2e_p95, ttft_p50;
};

struct sweep_run {
    struct sweep_cfg *cfgs;
    size_t n;
};

static const char *const axes[] = { "k", "experts", "np", "threads", "ctx", "ngl", "batch", "ubatch" };

/* One server session's share of a config's samples: tokens generated
 * between its first send and its last end. */
struct session_span {
    int64_t id;                  /* samples.session; 0 for samples stored before sessions */
    double t_first, t_last;
    int64_t tokens;
};

static struct session_span *span_of(struct session_span **v, size_t *n, size_t *cap, int64_t id)
{
    for (size_t i = 0; i < *n; i++)
        if ((*v)[i].id == id)
            return &(*v)[i];
    XGROW(*v, *n + 1, *cap);
    (*v)[*n] = (struct session_span){ id, INFINITY, -INFINITY, 0 };
    return &(*v)[(*n)++];
}

/* Aggregate tokens/s of a config: per server session (a shard, a resume)
 * tokens over that session's span, combined as all tokens over the sum of
 * the spans. One span over all samples would count the time between
 * shards (or before a resume) as serving time. */
static double sessions_tps(const struct session_span *v, size_t n)
{
    int64_t tokens = 0;
    double busy = 0;
    for (size_t i = 0; i < n; i++)
        if (v[i].t_last > v[i].t_first && v[i].tokens > 0) {
            tokens += v[i].tokens;
            busy += v[i].t_last - v[i].t_first;
        }
    return busy > 0 ? (double)tokens / busy : NAN;
}

static void cfg_figures(sqlite3 *db, int64_t config_id, struct sweep_cfg *c)
{
    const char *sql =
        "SELECT s.gen_tps, s.e2e_ms, s.ttft_ms, s.draft_n, s.draft_accepted, s.completion_tokens,"
        "       s.t_start_s, sc.value, s.session"
        "  FROM samples s LEFT JOIN scores sc ON sc.sample_id = s.id"
        " WHERE s.config_id = ?1 AND s.warmup = 0 AND s.status = 'ok'";
    sqlite3_stmt *q = NULL;
    c->tps_p50 = c->tps_mean = c->tps_sd = c->acceptance = c->score = NAN;
    c->agg_tps = c->e2e_p95 = c->ttft_p50 = NAN;
    if (sqlite3_prepare_v2(db, sql, -1, &q, NULL) != SQLITE_OK)
        return;
    sqlite3_bind_int64(q, 1, config_id);
    double *tps = NULL, *e2e = NULL, *ttft = NULL;
    size_t n_tps = 0, n_e2e = 0, n_ttft = 0, cap = 0, n_score = 0;
    double score_sum = 0;
    int64_t draft = 0, accepted = 0;
    struct session_span *spans = NULL;
    size_t n_spans = 0, cap_spans = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        XGROW(tps, c->n + 1, cap);
        e2e = xrealloc(e2e, cap * sizeof *e2e);
        ttft = xrealloc(ttft, cap * sizeof *ttft);
        c->n++;
        if (sqlite3_column_type(q, 0) != SQLITE_NULL && sqlite3_column_double(q, 0) > 0)
            tps[n_tps++] = sqlite3_column_double(q, 0);
        double e = sqlite3_column_type(q, 1) != SQLITE_NULL ? sqlite3_column_double(q, 1) : -1;
        if (e >= 0)
            e2e[n_e2e++] = e;
        if (sqlite3_column_type(q, 2) != SQLITE_NULL && sqlite3_column_double(q, 2) >= 0)
            ttft[n_ttft++] = sqlite3_column_double(q, 2);
        if (sqlite3_column_int64(q, 3) > 0) {
            draft += sqlite3_column_int64(q, 3);
            accepted += sqlite3_column_int64(q, 4);
        }
        struct session_span *sp = span_of(&spans, &n_spans, &cap_spans, sqlite3_column_int64(q, 8));
        if (sqlite3_column_int64(q, 5) > 0)
            sp->tokens += sqlite3_column_int64(q, 5);
        double t0 = sqlite3_column_double(q, 6);
        if (sqlite3_column_type(q, 6) != SQLITE_NULL && e >= 0) {
            if (t0 < sp->t_first)
                sp->t_first = t0;
            if (t0 + e / 1000.0 > sp->t_last)
                sp->t_last = t0 + e / 1000.0;
        }
        if (sqlite3_column_type(q, 7) != SQLITE_NULL) {
            score_sum += sqlite3_column_double(q, 7);
            n_score++;
        }
    }
    sqlite3_finalize(q);
    if (n_tps) {
        stats_sort(tps, n_tps);
        c->tps_p50 = stats_percentile(tps, n_tps, 50);
        stats_mean_sd(tps, n_tps, &c->tps_mean, &c->tps_sd);
    }
    if (n_e2e) {
        stats_sort(e2e, n_e2e);
        c->e2e_p95 = stats_percentile(e2e, n_e2e, 95);
    }
    if (n_ttft) {
        stats_sort(ttft, n_ttft);
        c->ttft_p50 = stats_percentile(ttft, n_ttft, 50);
    }
    if (draft > 0)
        c->acceptance = (double)accepted / (double)draft;
    if (n_score)
        c->score = score_sum / (double)n_score;
    c->agg_tps = sessions_tps(spans, n_spans);
    free(spans);
    free(tps);
    free(e2e);
    free(ttft);
}

static int load_run(sqlite3 *db, const char *run_id, struct sweep_run *r, struct bai_error *err)
{
    memset(r, 0, sizeof *r);
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db, "SELECT id, label, model, params_json, status, reason FROM configs"
                               " WHERE run_id = ?1 ORDER BY id", -1, &q, NULL) != SQLITE_OK) {
        bai_error_set(err, BAI_EXIT_STORE, "sweep: %s", sqlite3_errmsg(db));
        return -1;
    }
    sqlite3_bind_text(q, 1, run_id, -1, SQLITE_STATIC);
    size_t cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        XGROW(r->cfgs, r->n + 1, cap);
        struct sweep_cfg *c = &r->cfgs[r->n++];
        memset(c, 0, sizeof *c);
        const char *t;
        c->label = xstrdup((t = (const char *)sqlite3_column_text(q, 1)) ? t : "?");
        c->model = xstrdup((t = (const char *)sqlite3_column_text(q, 2)) ? t : "");
        c->params = cJSON_Parse((t = (const char *)sqlite3_column_text(q, 3)) ? t : "{}");
        if (!c->params)
            c->params = cJSON_CreateObject();
        c->status = xstrdup((t = (const char *)sqlite3_column_text(q, 4)) ? t : "ok");
        c->reason = (t = (const char *)sqlite3_column_text(q, 5)) ? xstrdup(t) : NULL;
        cfg_figures(db, sqlite3_column_int64(q, 0), c);
    }
    sqlite3_finalize(q);
    return 0;
}

static void free_run(struct sweep_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->cfgs[i].label);
        free(r->cfgs[i].model);
        free(r->cfgs[i].status);
        free(r->cfgs[i].reason);
        cJSON_Delete(r->cfgs[i].params);
    }
    free(r->cfgs);
}

static double axis_value(const struct sweep_cfg *c, const char *axis)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->params, axis);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

/* The series a config belongs to for an axis: the model and every other
 * parameter, as "tiny-dense: draft=tiny-draft threads=1". The plan's
 * bookkeeping keys (sweep, model) are left out. */
static char *series_key(const struct sweep_cfg *c, const char *axis)
{
    const char *slash = strrchr(c->model, '/');
    const char *base = slash ? slash + 1 : c->model;
    size_t base_len = strlen(base);
    if (base_len > 5 && !strcmp(base + base_len - 5, ".gguf"))
        base_len -= 5;
    struct buf b = {0};
    buf_append(&b, base, base_len);
    int first = 1;
    const cJSON *kv;
    cJSON_ArrayForEach(kv, c->params) {
        if (!strcmp(kv->string, axis) || !strcmp(kv->string, "sweep") || !strcmp(kv->string, "model"))
            continue;
        buf_puts(&b, first ? ": " : " ");
        first = 0;
        if (cJSON_IsString(kv))
            buf_printf(&b, "%s=%s", kv->string, kv->valuestring);
        else if (cJSON_IsNumber(kv))
            buf_printf(&b, "%s=%g", kv->string, kv->valuedouble);
        else {
            char *v = cJSON_PrintUnformatted(kv);
            buf_printf(&b, "%s=%s", kv->string, v);
            cJSON_free(v);
        }
    }
    return buf_detach(&b);
}

struct series {
    char *key;
    size_t *idx;         /* configs, sorted by axis value */
    size_t n;
};

struct sort_ctx {
    const struct sweep_run *run;
    const char *axis;
};

static int cmp_idx(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *c = arg;
    double x = axis_value(&c->run->cfgs[*(const size_t *)a], c->axis);
    double y = axis_value(&c->run->cfgs[*(const size_t *)b], c->axis);
    return (x > y) - (x < y);
}

/* Series along axis with >= 2 distinct values; returns the count. */
static size_t find_series(const struct sweep_run *r, const char *axis, struct series **out)
{
    struct series *s = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (isnan(axis_value(&r->cfgs[i], axis)))
            continue;
        char *key = series_key(&r->cfgs[i], axis);
        size_t j = 0;
        while (j < n && strcmp(s[j].key, key))
            j++;
        if (j == n) {
            XGROW(s, n + 1, cap);
            s[n].key = key;
            s[n].idx = NULL;
            s[n].n = 0;
            n++;
        } else {
            free(key);
        }
        s[j].idx = xrealloc(s[j].idx, (s[j].n + 1) * sizeof *s[j].idx);
        s[j].idx[s[j].n++] = i;
    }
    size_t kept = 0;
    for (size_t j = 0; j < n; j++) {
        struct sort_ctx ctx = { r, axis };
        qsort_r(s[j].idx, s[j].n, sizeof *s[j].idx, cmp_idx, &ctx);
        /* configs that agree on the axis too (a plan measuring the same
         * model in two sweeps) are not a sweep of it */
        size_t distinct = s[j].n ? 1 : 0;
        for (size_t k = 1; k < s[j].n; k++)
            distinct += cmp_idx(&s[j].idx[k - 1], &s[j].idx[k], &ctx) != 0;
        if (distinct < 2) {
            free(s[j].key);
            free(s[j].idx);
            continue;
        }
        s[kept++] = s[j];
    }
    *out = s;
    return kept;
}

static void free_series(struct series *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(s[i].key);
        free(s[i].idx);
    }
    free(s);
}

/* Builds the table of one series. For np: the multiplier and the choice. */
static void series_table(const struct sweep_run *r, const char *axis, const struct series *s,
                         struct report_table *t)
{
    int is_k = !strcmp(axis, "k"), is_np = !strcmp(axis, "np"), is_exp = !strcmp(axis, "experts");
    static const char *const k_cols[] = { "K", "gen tok/s p50", "gen tok/s mean ± sd", "acceptance", "score", "n", "status" };
    static const char *const e_cols[] = { "experts", "gen tok/s p50", "gen tok/s mean ± sd", "score", "n", "status" };
    static const char *const np_cols[] = { "np", "aggregate tok/s", "gain vs np=1", "E2E p95 ms", "p95 multiplier", "choice", "status" };
    static const char *const g_cols[] = { "value", "gen tok/s p50", "gen tok/s mean ± sd", "TTFT p50 ms", "score", "n", "status" };
    const char *const *cols = is_k ? k_cols : is_exp ? e_cols : is_np ? np_cols : g_cols;
    size_t ncols = is_k ? 7 : is_exp ? 6 : 7;
    report_table_init(t, ncols, cols);
    const struct sweep_cfg *base = NULL;
    if (is_np)
        for (size_t i = 0; i < s->n; i++)
            if (axis_value(&r->cfgs[s->idx[i]], "np") == 1)
                base = &r->cfgs[s->idx[i]];
    /* best K: highest median tok/s; np choice: the users' rule */
    size_t best = (size_t)-1;
    double best_v = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        if (is_np && base) {
            double mult = c->e2e_p95 / base->e2e_p95;
            if (!isnan(c->agg_tps) && mult <= NP_P95_LIMIT && c->agg_tps > best_v) {
                best_v = c->agg_tps;
                best = i;
            }
        } else if (!is_np && !isnan(c->tps_p50) && c->tps_p50 > best_v) {
            best_v = c->tps_p50;
            best = i;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        size_t row = report_table_add_row(t);
        report_table_set_num(t, row, 0, axis_value(c, axis), "%.0f");
        char *status = c->reason ? xasprintf("%s: %s", c->status, c->reason) : xstrdup(c->status);
        if (is_np) {
            report_table_set_num(t, row, 1, c->agg_tps, "%.1f");
            report_table_set_num(t, row, 2, base ? c->agg_tps / base->agg_tps : NAN, "%.2fx");
            report_table_set_num(t, row, 3, c->e2e_p95, "%.0f");
            report_table_set_num(t, row, 4, base ? c->e2e_p95 / base->e2e_p95 : NAN, "%.2fx");
            report_table_set(t, row, 5, i == best ? "<- chosen" : "");
            report_table_set(t, row, 6, status);
        } else {
            report_table_set_num(t, row, 1, c->tps_p50, "%.1f");
            if (isnan(c->tps_mean))
                report_table_set(t, row, 2, NULL);
            else
                report_table_setf(t, row, 2, "%.1f ± %.1f", c->tps_mean, c->tps_sd);
            size_t col = 3;
            if (is_k)
                report_table_set_num(t, row, col++, c->acceptance, "%.3f");
            else if (!is_exp)
                report_table_set_num(t, row, col++, c->ttft_p50, "%.1f");
            report_table_set_num(t, row, col++, isnan(c->score) ? NAN : c->score * 100, "%.1f%%");
            report_table_set_num(t, row, col++, (double)c->n, "%.0f");
            report_table_set(t, row, col, status);
        }
        if (i == best)
            report_table_cell(t, row, 1)->bold = 1;
        free(status);
    }
}

static const char *axis_title(const char *axis)
{
    if (!strcmp(axis, "k"))
        return "Draft size K (speculative decoding)";
    if (!strcmp(axis, "experts"))
        return "MoE experts used";
    if (!strcmp(axis, "np"))
        return "Parallel slots -np (concurrency follows np)";
    return axis;
}

int report_sweep_markdown(struct sqlite3 *db, const char *run_id, struct buf *out, struct bai_error *err)
{
    struct sweep_run r;
    if (load_run(db, run_id, &r, err) != 0)
        return -1;
    for (size_t a = 0; a < sizeof axes / sizeof axes[0]; a++) {
        struct series *s;
        size_t n = find_series(&r, axes[a], &s);
        for (size_t i = 0; i < n; i++) {
            struct report_table t;
            series_table(&r, axes[a], &s[i], &t);
            buf_printf(out, "\n## Sweep: %s — %s\n\n", axis_title(axes[a]), s[i].key);
            report_table_md(&t, out);
            if (!strcmp(axes[a], "np"))
                buf_printf(out, "\nchoice: largest aggregate tok/s whose p95 E2E latency is at most %.1fx np=1's.\n",
                           NP_P95_LIMIT);
            buf_putc(out, '\n');
            report_table_free(&t);
        }
        free_series(s, n);
    }
    free_run(&r);
    return 0;
}

/* One plot per axis, one line per series. */
static int plot_axis(const struct sweep_run *r, const char *axis, const struct series *s, size_t n,
                     const char *out_dir, const char *run_id, struct buf *html, struct bai_error *err)
{
    int is_np = !strcmp(axis, "np"), is_k = !strcmp(axis, "k"), is_exp = !strcmp(axis, "experts");
    struct report_series *lines = xcalloc(2 * n, sizeof *lines);
    double **bufs = xcalloc(4 * n, sizeof *bufs);
    char **names = xcalloc(2 * n, sizeof *names);
    size_t nl = 0;
    for (size_t i = 0; i < n; i++) {
        double *x = xcalloc(s[i].n, sizeof *x), *y = xcalloc(s[i].n, sizeof *y), *y2 = xcalloc(s[i].n, sizeof *y2);
        for (size_t j = 0; j < s[i].n; j++) {
            const struct sweep_cfg *c = &r->cfgs[s[i].idx[j]];
            x[j] = axis_value(c, axis);
            y[j] = is_np ? c->agg_tps : c->tps_p50;
            y2[j] = is_np ? c->e2e_p95 : is_k ? c->acceptance : (isnan(c->score) ? NAN : c->score * 100);
        }
        int any = 0;
        for (size_t j = 0; j < s[i].n; j++)
            any |= !isnan(y[j]);
        if (!any) {              /* every point skipped or failed: no line to draw */
            free(x);
            free(y);
            free(y2);
            continue;
        }
        bufs[3 * i] = x;
        bufs[3 * i + 1] = y;
        bufs[3 * i + 2] = y2;
        names[2 * i] = xasprintf("%s: %s", s[i].key, is_np ? "aggregate tok/s" : "tok/s");
        names[2 * i + 1] = xasprintf("%s: %s", s[i].key, is_np ? "p95 E2E ms" : is_k ? "acceptance" : "score %");
        lines[nl++] = (struct report_series){ .name = names[2 * i], .x = x, .y = y, .n = s[i].n, .y2 = 0 };
        if (is_np || is_k || is_exp)
            lines[nl++] = (struct report_series){ .name = names[2 * i + 1], .x = x, .y = y2, .n = s[i].n, .y2 = 1 };
    }
    struct report_lines_spec spec = {
        .title = axis_title(axis),
        .xlabel = is_k ? "draft size K (tokens)" : is_exp ? "experts used per token" : is_np ? "parallel slots np" : axis,
        .ylabel = is_np ? "aggregate generation (tokens/s)" : "generation (tokens/s, median)",
        .y2label = is_np ? "p95 end-to-end latency (ms)" : is_k ? "draft acceptance (accepted/drafted)" : is_exp ? "score (%)" : NULL,
        .logx = is_k || is_np, .integer_x = 1, .ymin = 0,
    };
    char *svg = xasprintf("%s/sweep-%s-%s.svg", out_dir, run_id, axis);
    struct bai_error perr = {0};
    int rc = report_plot_lines(svg, &spec, lines, nl, &perr);
    if (rc == REPORT_PLOT_DONE) {
        char *prefix = xasprintf("sw-%s-%s-", run_id, axis);
        char *inl = report_svg_inline(svg, prefix, &perr);
        if (inl) {
            buf_puts(html, "<figure>");
            buf_puts(html, inl);
            buf_puts(html, "</figure>\n");
            free(inl);
        }
        free(prefix);
    } else if (rc == REPORT_PLOT_NO_GNUPLOT) {
        buf_puts(html, "<p class=\"note\">gnuplot is not installed: the plot's data and script were written next to ");
        report_html_escape(html, svg);
        buf_puts(html, "</p>\n");
    } else {
        buf_puts(html, "<p class=\"err\">plot failed: ");
        report_html_escape(html, perr.msg);
        buf_puts(html, "</p>\n");
    }
    free(svg);
    for (size_t i = 0; i < 3 * n; i++)
        free(bufs[i]);
    for (size_t i = 0; i < 2 * n; i++)
        free(names[i]);
    free(bufs);
    free(names);
    free(lines);
    (void)err;
    return 0;
}

int report_sweep_section(struct sqlite3 *db, const char *run_id, const char *out_dir,
                         struct buf *html, struct bai_error *err)
{
    struct sweep_run r;
    if (load_run(db, run_id, &r, err) != 0)
        return -1;
    if (out_dir && fs_mkdirs(out_dir, 0755, err) != 0) {
        free_run(&r);
        return -1;
    }
    for (size_t a = 0; a < sizeof axes / sizeof axes[0]; a++) {
        struct series *s;
        size_t n = find_series(&r, axes[a], &s);
        if (n == 0) {
            free(s);
            continue;
        }
        buf_puts(html, "<h3>");
        report_html_escape(html, axis_title(axes[a]));
        buf_puts(html, " — run ");
        report_html_escape(html, run_id);
        buf_puts(html, "</h3>\n");
        if (out_dir)
            plot_axis(&r, axes[a], s, n, out_dir, run_id, html, err);
        for (size_t i = 0; i < n; i++) {
            struct report_table t;
            series_table(&r, axes[a], &s[i], &t);
            buf_puts(html, "<p>");
            report_html_escape(html, s[i].key);
            buf_puts(html, "</p>\n");
            report_table_html(&t, "sweep", html);
            report_table_free(&t);
        }
        free_series(s, n);
    }
    free_run(&r);
    return 0;
}
