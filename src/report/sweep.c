/* sweep.c - the sweep tables and plots of one run (see sweep.h for what
 * each table decides).
 *
 * An axis is a sweep when configs of the run differ in it; configs that
 * agree on every other setting (and model) form one series. Figures come
 * from the stored samples (warm-up and errored samples excluded), per
 * suite, so they are the same whether read by `benchai show` or the HTML
 * report. Settings are read through report/params.h only. */
#include "report/sweep.h"
#include "settings/settings.h"
#include "plan/gguf.h"
#include "report/figures.h"
#include "report/format.h"
#include "report/params.h"
#include "report/plot.h"
#include "report/points.h"
#include "stats/stats.h"
#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One config's samples of one suite. */
struct sweep_suite {
    char *name;
    double *tps, *ttft;
    size_t n_tps, cap_tps, n_ttft, cap_ttft;
    size_t n;                    /* samples without error */
    int64_t draft, accepted;
    char **score_keys;           /* "item\x1frep" of each counted score, storage order */
    double *scores;
    size_t n_scores, cap_scores;
    double tps_p50, tps_mean, tps_sd, ttft_p50, acceptance, score;
};

struct sweep_cfg {
    int64_t id;
    char *label, *model, *status, *reason;
    cJSON *params;
    size_t n;
    double tps_p50, tps_mean, tps_sd, acceptance, score, agg_tps, e2e_p95, ttft_p50;
    struct sweep_suite *suites;
    size_t n_suites;
};

struct sweep_run {
    struct sweep_cfg *cfgs;
    size_t n;
    double np_limit;
};

/* Room for every setting of the table plus the draft model. */
#define SWEEP_MAX_AXES (SETTINGS_MAX + 1)

/* The axes a sweep table is made for, in the order they are shown: the
 * ones the users decide on first (speculative decoding, experts, -np),
 * then every other setting of the table (settings/settings.c) that has a
 * sweep-table column, in table order, so a setting added there gets its
 * table here without a line in this file. */
static size_t sweep_axes(const char *out[SWEEP_MAX_AXES])
{
    static const char *const first[] = { "k", "draft", "spec_type", "experts", "np" };
    size_t n = 0;
    for (size_t i = 0; i < sizeof first / sizeof first[0]; i++)
        out[n++] = first[i];
    for (size_t i = 0; i < settings_count() && n < SWEEP_MAX_AXES; i++) {
        const struct setting_def *d = settings_def((int)i);
        if (!d->column || (d->flags & SETTING_HIDDEN) || i == SETTING_WRAPPER || d->kind == SETTING_ARGS ||
            d->kind == SETTING_ARGV || d->kind == SETTING_ENVIRON)
            continue;
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++)
            seen = !strcmp(out[k], d->name);
        if (!seen)
            out[n++] = d->name;
    }
    return n;
}

/* The table's line of an axis; NULL for the draft model (not a setting). */
static const struct setting_def *axis_def(const char *axis)
{
    int id;
    return settings_lookup(axis, &id) == 0 ? settings_def(id) : NULL;
}

/* The speculative-decoding settings a no-draft baseline lacks. */
static const char *const spec_keys[] = { "k", "draft", "spec_type" };

static int is_spec_axis(const char *axis)
{
    return !strcmp(axis, "k") || !strcmp(axis, "draft") || !strcmp(axis, "spec_type");
}

/* An axis whose values are words (a draft model, a cache type, on/off):
 * tabled, never plotted. */
static int is_word_axis(const char *axis)
{
    const struct setting_def *d = axis_def(axis);
    return !d || (d->kind != SETTING_INT && d->kind != SETTING_NUM);
}

/* Pooled over every suite of the config: the -np table's aggregate
 * throughput under the run's concurrency, and its latency tail. */
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

/* What cfg_figures gathers from a config's answered samples. */
struct cfg_acc {
    struct sweep_cfg *c;
    double *tps, *e2e, *ttft;
    size_t n_tps, n_e2e, n_ttft, cap, n_score;
    double score_sum;
    int64_t draft, accepted;
    struct session_span *spans;
    size_t n_spans, cap_spans;
};

static int cfg_row(void *ctx, const struct store_speed_row *x)
{
    struct cfg_acc *a = ctx;
    XGROW(a->tps, a->c->n + 1, a->cap);
    a->e2e = xrealloc(a->e2e, a->cap * sizeof *a->e2e);
    a->ttft = xrealloc(a->ttft, a->cap * sizeof *a->ttft);
    a->c->n++;
    if (x->gen_tps > 0)
        a->tps[a->n_tps++] = x->gen_tps;
    if (x->e2e_ms >= 0)
        a->e2e[a->n_e2e++] = x->e2e_ms;
    if (x->ttft_ms >= 0)
        a->ttft[a->n_ttft++] = x->ttft_ms;
    if (x->draft_n > 0) {
        a->draft += x->draft_n;
        a->accepted += x->draft_accepted > 0 ? x->draft_accepted : 0;
    }
    struct session_span *sp = span_of(&a->spans, &a->n_spans, &a->cap_spans, x->session);
    if (x->completion_tokens > 0)
        sp->tokens += x->completion_tokens;
    if (!isnan(x->t_start_s) && x->e2e_ms >= 0) {
        if (x->t_start_s < sp->t_first)
            sp->t_first = x->t_start_s;
        if (x->t_start_s + x->e2e_ms / 1000.0 > sp->t_last)
            sp->t_last = x->t_start_s + x->e2e_ms / 1000.0;
    }
    if (!isnan(x->value)) {
        a->score_sum += x->value;
        a->n_score++;
    }
    return 0;
}

static void cfg_figures(sqlite3 *db, int64_t config_id, struct sweep_cfg *c)
{
    c->tps_p50 = c->tps_mean = c->tps_sd = c->acceptance = c->score = NAN;
    c->agg_tps = c->e2e_p95 = c->ttft_p50 = NAN;
    struct cfg_acc a = { .c = c };
    struct bai_error ignored = {0};
    store_config_speed_rows(db, config_id, cfg_row, &a, &ignored);
    double *tps = a.tps, *e2e = a.e2e, *ttft = a.ttft;
    size_t n_tps = a.n_tps, n_e2e = a.n_e2e, n_ttft = a.n_ttft, n_score = a.n_score;
    double score_sum = a.score_sum;
    int64_t draft = a.draft, accepted = a.accepted;
    struct session_span *spans = a.spans;
    size_t n_spans = a.n_spans;
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

/* ---- per-suite figures ----------------------------------------------------- */

static struct sweep_suite *suite_of(struct sweep_cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n_suites; i++)
        if (!strcmp(c->suites[i].name, name))
            return &c->suites[i];
    c->suites = xrealloc(c->suites, (c->n_suites + 1) * sizeof *c->suites);
    struct sweep_suite *s = &c->suites[c->n_suites++];
    memset(s, 0, sizeof *s);
    s->name = xstrdup(name);
    return s;
}

static const struct sweep_suite *find_suite(const struct sweep_cfg *c, const char *name)
{
    for (size_t i = 0; i < c->n_suites; i++)
        if (!strcmp(c->suites[i].name, name))
            return &c->suites[i];
    return NULL;
}

/* Counting as every report (docs/reports.md): samples that errored count
 * for nothing; a scored or unparsed answer counts for the score (unparsed
 * as 0); samples without a score count for speed only. */
static int sample_cb(void *ctx, const struct store_config_sample *x)
{
    struct sweep_cfg *c = ctx;
    if (x->status && strcmp(x->status, "ok"))
        return 0;
    struct sweep_suite *s = suite_of(c, x->suite);
    s->n++;
    if (x->gen_tps > 0) {
        XGROW(s->tps, s->n_tps + 1, s->cap_tps);
        s->tps[s->n_tps++] = x->gen_tps;
    }
    if (x->ttft_ms >= 0) {
        XGROW(s->ttft, s->n_ttft + 1, s->cap_ttft);
        s->ttft[s->n_ttft++] = x->ttft_ms;
    }
    if (x->draft_n > 0 && x->draft_accepted >= 0) {
        s->draft += x->draft_n;
        s->accepted += x->draft_accepted;
    }
    if (x->score_status && strcmp(x->score_status, "error")) {
        XGROW(s->scores, s->n_scores + 1, s->cap_scores);
        s->score_keys = xrealloc(s->score_keys, s->cap_scores * sizeof *s->score_keys);
        s->score_keys[s->n_scores] = xasprintf("%s\x1f%d", x->item_id, x->rep);
        s->scores[s->n_scores++] = strcmp(x->score_status, "unparsed") ? x->value : 0.0;
    }
    return 0;
}

static void suite_figures(struct sweep_suite *s)
{
    s->tps_p50 = s->tps_mean = s->tps_sd = s->ttft_p50 = s->acceptance = s->score = NAN;
    double *sorted = xcalloc(s->n_tps + 1, sizeof *sorted);
    if (s->n_tps) {
        memcpy(sorted, s->tps, s->n_tps * sizeof *sorted);
        stats_sort(sorted, s->n_tps);
        s->tps_p50 = stats_percentile(sorted, s->n_tps, 50);
        stats_mean_sd(sorted, s->n_tps, &s->tps_mean, &s->tps_sd);
    }
    free(sorted);
    if (s->n_ttft) {
        stats_sort(s->ttft, s->n_ttft);
        s->ttft_p50 = stats_percentile(s->ttft, s->n_ttft, 50);
    }
    if (s->draft > 0)
        s->acceptance = (double)s->accepted / (double)s->draft;
    if (s->n_scores) {
        double sum = 0;
        for (size_t i = 0; i < s->n_scores; i++)
            sum += s->scores[i];
        s->score = sum / (double)s->n_scores;
    }
}

static int cmp_suite_name(const void *a, const void *b)
{
    return strcmp(((const struct sweep_suite *)a)->name, ((const struct sweep_suite *)b)->name);
}

struct series;
static size_t find_series(const struct sweep_run *r, const char *axis, struct series **out);
static void free_series(struct series *s, size_t n);

/* 1 when some axis of the run is a sweep (decided on the settings alone). */
static int any_series(const struct sweep_run *r)
{
    const char *axes[SWEEP_MAX_AXES];
    size_t n_axes = sweep_axes(axes);
    for (size_t a = 0; a < n_axes; a++) {
        struct series *s;
        size_t n = find_series(r, axes[a], &s);
        free_series(s, n);
        if (n)
            return 1;
    }
    return 0;
}

/* The run's configs; their samples are read only when some axis is a sweep
 * (a run without one costs `show` a single query). */
static int load_run(sqlite3 *db, const char *run_id, struct sweep_run *r, struct bai_error *err)
{
    memset(r, 0, sizeof *r);
    struct store_config_info *ci = NULL;
    size_t nc = 0;
    if (store_run_configs_db(db, run_id, &ci, &nc, err) < 0)
        return -1;
    r->cfgs = nc ? xcalloc(nc, sizeof *r->cfgs) : NULL;
    r->n = nc;
    for (size_t i = 0; i < nc; i++) {
        struct sweep_cfg *c = &r->cfgs[i];
        c->id = ci[i].id;
        c->label = xstrdup(ci[i].label ? ci[i].label : "?");
        c->model = xstrdup(ci[i].model ? ci[i].model : "");
        c->params = report_params_parse(ci[i].params_json);
        c->status = xstrdup(ci[i].status ? ci[i].status : "ok");
        c->reason = ci[i].reason ? xstrdup(ci[i].reason) : NULL;
    }
    store_configs_free(ci, nc);
    if (!any_series(r))
        return 0;
    for (size_t i = 0; i < r->n; i++) {
        struct sweep_cfg *c = &r->cfgs[i];
        cfg_figures(db, c->id, c);
        if (store_config_samples(db, c->id, sample_cb, c, err) < 0)
            return -1;
        for (size_t k = 0; k < c->n_suites; k++)
            suite_figures(&c->suites[k]);
        if (c->n_suites > 1)
            qsort(c->suites, c->n_suites, sizeof *c->suites, cmp_suite_name);
    }
    return 0;
}

static void free_run(struct sweep_run *r)
{
    for (size_t i = 0; i < r->n; i++) {
        struct sweep_cfg *c = &r->cfgs[i];
        free(c->label);
        free(c->model);
        free(c->status);
        free(c->reason);
        cJSON_Delete(c->params);
        for (size_t k = 0; k < c->n_suites; k++) {
            struct sweep_suite *s = &c->suites[k];
            free(s->name);
            free(s->tps);
            free(s->ttft);
            for (size_t j = 0; j < s->n_scores; j++)
                free(s->score_keys[j]);
            free(s->score_keys);
            free(s->scores);
        }
        free(c->suites);
    }
    free(r->cfgs);
}

/* ---- series ------------------------------------------------------------------ */

static double axis_value(const struct sweep_cfg *c, const char *axis)
{
    return report_param_num(c->params, axis);
}

static int has_axis(const struct sweep_cfg *c, const char *axis)
{
    return is_word_axis(axis) ? report_param_str(c->params, axis) != NULL : !isnan(axis_value(c, axis));
}

/* The value as shown in the table's first column. Allocated. */
static char *axis_text(const struct sweep_cfg *c, const char *axis)
{
    char *t = report_param_text(c->params, axis);
    return t ? t : xstrdup("-");
}

static char *model_base(const char *model)
{
    const char *slash = strrchr(model, '/');
    const char *base = slash ? slash + 1 : model;
    size_t len = strlen(base);
    if (len > 5 && !strcmp(base + len - 5, ".gguf"))
        len -= 5;
    return xstrndup(base, len);
}

/* The series a config belongs to for an axis: the model and every other
 * setting, as "tiny-dense: draft=tiny-draft threads=1". */
static char *series_key(const struct sweep_cfg *c, const char *axis)
{
    struct buf b = {0};
    char *base = model_base(c->model);
    buf_puts(&b, base);
    free(base);
    const char *name;
    char *value;
    int first = 1;
    for (size_t i = 0; report_param_at(c->params, i, &name, &value); i++) {
        if (strcmp(name, axis)) {
            buf_printf(&b, "%s%s=%s", first ? ": " : " ", name, value);
            first = 0;
        }
        free(value);
    }
    return buf_detach(&b);
}

struct series {
    char *key;
    size_t *idx;         /* configs, sorted by axis value (words: run order) */
    size_t n;
};


struct sort_ctx {
    const struct sweep_run *run;
    const char *axis;
};

static int cmp_idx(const void *a, const void *b, void *arg)
{
    const struct sort_ctx *c = arg;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    if (is_word_axis(c->axis)) {
        int d = strcmp(report_param_str(c->run->cfgs[i].params, c->axis),
                       report_param_str(c->run->cfgs[j].params, c->axis));
        return d ? (i > j) - (i < j) : 0;      /* equal words compare equal; else run order */
    }
    double x = axis_value(&c->run->cfgs[i], c->axis);
    double y = axis_value(&c->run->cfgs[j], c->axis);
    return (x > y) - (x < y);
}

/* Series along axis with >= 2 distinct values; returns the count. */
static size_t find_series(const struct sweep_run *r, const char *axis, struct series **out)
{
    struct series *s = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < r->n; i++) {
        if (!has_axis(&r->cfgs[i], axis))
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

/* The suites any config of the series has samples of, sorted. */
static char **series_suites(const struct sweep_run *r, const struct series *s, size_t *n_out)
{
    char **names = NULL;
    size_t n = 0;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        for (size_t k = 0; k < c->n_suites; k++) {
            size_t j = 0;
            while (j < n && strcmp(names[j], c->suites[k].name))
                j++;
            if (j < n)
                continue;
            names = xrealloc(names, (n + 1) * sizeof *names);
            size_t at = n++;
            while (at > 0 && strcmp(names[at - 1], c->suites[k].name) > 0) {
                names[at] = names[at - 1];
                at--;
            }
            names[at] = c->suites[k].name;
        }
    }
    *n_out = n;
    return names;
}

/* ---- baselines ----------------------------------------------------------------- */

/* The no-draft baseline of a K / draft / spec_type series in suite: the
 * config of the same model without draft, K or speculation type and with
 * every other setting equal, that has speed samples in the suite. One of
 * the same plan sweep is preferred (the tutorial's plan measures the model
 * as it ships in another sweep too). NULL when the run has none. */
static const struct sweep_cfg *spec_baseline(const struct sweep_run *r, const struct sweep_cfg *member,
                                             const char *suite)
{
    const struct sweep_cfg *best = NULL;
    for (size_t i = 0; i < r->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[i];
        const char *st = report_param_str(c->params, "spec_type");
        if (strcmp(c->model, member->model) || report_param_has(c->params, "draft") ||
            report_param_has(c->params, "k") || (st && strcmp(st, "none")))
            continue;
        if (!report_params_same_except(c->params, member->params, spec_keys, 3))
            continue;
        const struct sweep_suite *s = find_suite(c, suite);
        if (!s || !s->n_tps)
            continue;
        const char *sw = report_param_str(c->params, "sweep"), *msw = report_param_str(member->params, "sweep");
        int same_sweep = sw && msw && !strcmp(sw, msw);
        if (!best || same_sweep)
            best = c;
        if (same_sweep)
            break;
    }
    return best;
}

/* The model's own expert count per token (<arch>.expert_used_count of its
 * GGUF header), -1 when the file is not there or says nothing. */
static int model_default_experts(const char *model)
{
    struct gguf_info info;
    struct bai_error ignored = {0};
    if (!model || !*model || gguf_read_file(model, &info, &ignored) != 0)
        return -1;
    int n = info.expert_used_count > 0 ? (int)info.expert_used_count : -1;
    gguf_info_free(&info);
    return n;
}

/* The default-count config of an experts series in suite: the member whose
 * count is the model's default, else a config of the same model without
 * an expert override and with every other setting equal. */
static const struct sweep_cfg *experts_baseline(const struct sweep_run *r, const struct series *s,
                                                const char *suite, int default_n, int *in_series)
{
    *in_series = 0;
    for (size_t i = 0; i < s->n && default_n > 0; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        if (axis_value(c, "experts") == default_n && find_suite(c, suite)) {
            *in_series = 1;
            return c;
        }
    }
    const struct sweep_cfg *member = &r->cfgs[s->idx[0]];
    static const char *const ex[] = { "experts" };
    for (size_t i = 0; i < r->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[i];
        if (!strcmp(c->model, member->model) && !report_param_has(c->params, "experts") &&
            report_params_same_except(c->params, member->params, ex, 1) && find_suite(c, suite))
            return c;
    }
    return NULL;
}

/* Paired difference of scores (b - a) over the (item, rep) both scored,
 * with the 95% paired bootstrap interval. Returns the number of pairs. */
static size_t paired_delta(const struct sweep_suite *a, const struct sweep_suite *b, double *delta, double *lo,
                           double *hi)
{
    *delta = *lo = *hi = NAN;
    double *va = xcalloc(b->n_scores + 1, sizeof *va), *vb = xcalloc(b->n_scores + 1, sizeof *vb);
    size_t n = 0;
    /* both lists are in (item, rep) order: merge */
    size_t i = 0, j = 0;
    while (i < a->n_scores && j < b->n_scores) {
        int d = strcmp(a->score_keys[i], b->score_keys[j]);
        if (d == 0) {
            va[n] = a->scores[i++];
            vb[n++] = b->scores[j++];
        } else if (d < 0)
            i++;
        else
            j++;
    }
    if (n >= 1 && stats_bootstrap_paired_delta(va, vb, n, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, delta,
                                               lo, hi) != 0)
        *lo = *hi = NAN;
    free(va);
    free(vb);
    return n;
}

/* ---- tables ---------------------------------------------------------------------- */

static const char *axis_title(const char *axis)
{
    if (!strcmp(axis, "k"))
        return "Draft size K (speculative decoding)";
    if (!strcmp(axis, "draft"))
        return "Draft model (speculative decoding)";
    if (!strcmp(axis, "spec_type"))
        return "Speculation type";
    if (!strcmp(axis, "experts"))
        return "MoE experts used";
    if (!strcmp(axis, "np"))
        return "Parallel slots -np (concurrency follows np)";
    return axis;
}

static const char *axis_column(const char *axis)
{
    const struct setting_def *d = axis_def(axis);
    return !strcmp(axis, "k") ? "K" : d && d->column ? d->column : axis;
}

static void set_speed(struct report_table *t, size_t row, size_t col, const struct sweep_suite *s)
{
    report_table_set_num(t, row, col, s ? s->tps_p50 : NAN, "%.1f");
    if (!s || isnan(s->tps_mean))
        report_table_set(t, row, col + 1, NULL);
    else
        report_table_setf(t, row, col + 1, "%.1f ± %.1f", s->tps_mean, s->tps_sd);
}

static void set_speedup(struct report_table *t, size_t row, size_t col, const struct sweep_suite *base,
                        const struct sweep_suite *s)
{
    if (!base || !s || !base->n_tps || !s->n_tps) {
        report_table_set(t, row, col, NULL);
        return;
    }
    struct report_median m;
    report_speedup_figures(base->tps, base->n_tps, s->tps, s->n_tps, &m);
    report_table_set_num(t, row, col, m.value, "%.2fx");
    if (!isnan(m.value) && !isnan(m.lo))
        report_table_setf(t, row, col, "%.2fx [%.2f, %.2f]", m.value, m.lo, m.hi);
}

static void set_score(struct report_table *t, size_t row, size_t col, const struct sweep_suite *s)
{
    report_table_set_num(t, row, col, s && s->n_scores ? 100 * s->score : NAN, "%.1f%%");
}

static char *status_text(const struct sweep_cfg *c)
{
    return c->reason ? xasprintf("%s: %s", c->status, c->reason) : xstrdup(c->status);
}

/* K, draft and spec_type: every value against the no-draft baseline. */
static void spec_table(const struct sweep_run *r, const char *axis, const struct series *s, const char *suite,
                       struct report_table *t, struct buf *note)
{
    const char *cols[] = { axis_column(axis), "gen tok/s p50", "gen tok/s mean ± sd", "speed-up vs no draft [95% CI]",
                           "acceptance", "score", "n", "status", "choice" };
    report_table_init(t, 9, cols);
    const struct sweep_cfg *member = &r->cfgs[s->idx[0]];
    const struct sweep_cfg *base_cfg = spec_baseline(r, member, suite);
    const struct sweep_suite *base = base_cfg ? find_suite(base_cfg, suite) : NULL;
    if (base_cfg) {
        size_t row = report_table_add_row(t);
        report_table_set(t, row, 0, "none (baseline)");
        set_speed(t, row, 1, base);
        report_table_set_num(t, row, 3, 1.0, "%.2fx");
        set_score(t, row, 5, base);
        report_table_set_num(t, row, 6, (double)base->n, "%.0f");
        char *st = status_text(base_cfg);
        report_table_set(t, row, 7, st);
        free(st);
    }
    size_t best = (size_t)-1;
    double best_v = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_suite *x = find_suite(&r->cfgs[s->idx[i]], suite);
        if (x && !isnan(x->tps_p50) && x->tps_p50 > best_v) {
            best_v = x->tps_p50;
            best = i;
        }
    }
    size_t first_row = t->nrows;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        const struct sweep_suite *x = find_suite(c, suite);
        size_t row = report_table_add_row(t);
        char *v = axis_text(c, axis);
        report_table_set(t, row, 0, v);
        free(v);
        set_speed(t, row, 1, x);
        set_speedup(t, row, 3, base, x);
        report_table_set_num(t, row, 4, x ? x->acceptance : NAN, "%.3f");
        set_score(t, row, 5, x);
        report_table_set_num(t, row, 6, x ? (double)x->n : 0, "%.0f");
        char *st = status_text(c);
        report_table_set(t, row, 7, st);
        free(st);
        if (i == best) {
            report_table_cell(t, row, 1)->bold = 1;
            report_table_setf(t, row, 8, "<- best %s", axis_column(axis));
        }
    }
    if (best == (size_t)-1)
        return;
    const struct sweep_cfg *bc = &r->cfgs[s->idx[best]];
    char *bv = axis_text(bc, axis);
    if (!base) {
        buf_printf(note, "best %s on %s: %s (%.1f tok/s); no no-draft baseline of this model with the same "
                   "settings ran this suite, so no speed-up.\n", axis_column(axis), suite, bv, best_v);
    } else {
        const struct report_cell *sp = &t->cells[(first_row + best) * t->ncols + 3];
        const struct sweep_suite *bx = find_suite(bc, suite);
        struct report_median m;
        report_speedup_figures(base->tps, base->n_tps, bx->tps, bx->n_tps, &m);
        const char *verdict = isnan(m.lo) ? "too few samples to tell it from no draft"
                            : m.hi < 1 ? "slower than no draft: drafting does not pay here"
                            : m.lo > 1 ? "faster than no draft"
                            : "not distinguishable from no draft";
        buf_printf(note, "best %s on %s: %s (%.1f tok/s), %s the no-draft baseline (%.1f tok/s): %s.\n",
                   axis_column(axis), suite, bv, best_v, sp->text ? sp->text : "-", base->tps_p50, verdict);
    }
    free(bv);
}

/* experts: speed-up over the model's default count and the quality rule. */
static void experts_table(const struct sweep_run *r, const struct series *s, const char *suite, int default_n,
                          struct report_table *t, struct buf *note, const struct sweep_cfg **chosen_out,
                          const struct sweep_cfg **base_out)
{
    static const char *const cols[] = { "experts", "gen tok/s p50", "gen tok/s mean ± sd",
                                        "speed-up vs default [95% CI]", "score", "Δ score vs default [95% CI]",
                                        "n", "status", "choice" };
    report_table_init(t, 9, cols);
    int in_series = 0;
    const struct sweep_cfg *base_cfg = experts_baseline(r, s, suite, default_n, &in_series);
    const struct sweep_suite *base = base_cfg ? find_suite(base_cfg, suite) : NULL;
    int scored = base && base->n_scores;
    for (size_t i = 0; i < s->n && !scored; i++) {
        const struct sweep_suite *x = find_suite(&r->cfgs[s->idx[i]], suite);
        scored = x && x->n_scores;
    }
    if (base_cfg && !in_series) {
        size_t row = report_table_add_row(t);
        if (default_n > 0)
            report_table_setf(t, row, 0, "%d (default, no override)", default_n);
        else
            report_table_set(t, row, 0, "default (no override)");
        set_speed(t, row, 1, base);
        report_table_set_num(t, row, 3, 1.0, "%.2fx");
        set_score(t, row, 4, base);
        report_table_set_num(t, row, 6, (double)base->n, "%.0f");
        char *st = status_text(base_cfg);
        report_table_set(t, row, 7, st);
        free(st);
    }
    /* the rule: walking down from the default, the lowest count before
     * the first one significantly below it */
    size_t chosen = (size_t)-1;
    const char *stop = NULL;         /* why the walk stopped above the lowest count */
    double stop_at = NAN;
    if (scored && base && base->n_scores) {
        /* the counts below the default are the indexes [0, top) */
        size_t top = 0;
        while (top < s->n && &r->cfgs[s->idx[top]] != base_cfg &&
               (default_n <= 0 || axis_value(&r->cfgs[s->idx[top]], "experts") < default_n))
            top++;
        if (in_series)
            chosen = top;
        for (size_t i = top; i > 0; i--) {
            const struct sweep_cfg *c = &r->cfgs[s->idx[i - 1]];
            const struct sweep_suite *x = find_suite(c, suite);
            double d, lo, hi;
            size_t np = x && x->n_scores ? paired_delta(base, x, &d, &lo, &hi) : 0;
            if (np < 2 || isnan(hi)) {
                stop = "fewer than 2 items scored under both";
                stop_at = axis_value(c, "experts");
                break;
            }
            if (hi < 0) {
                stop = "significantly below";
                stop_at = axis_value(c, "experts");
                break;
            }
            chosen = i - 1;
        }
    }
    double best_v = -INFINITY;
    size_t fastest = (size_t)-1;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_suite *x = find_suite(&r->cfgs[s->idx[i]], suite);
        if (x && !isnan(x->tps_p50) && x->tps_p50 > best_v) {
            best_v = x->tps_p50;
            fastest = i;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        const struct sweep_suite *x = find_suite(c, suite);
        size_t row = report_table_add_row(t);
        double v = axis_value(c, "experts");
        if (c == base_cfg)
            report_table_setf(t, row, 0, "%.0f (default)", v);
        else
            report_table_set_num(t, row, 0, v, "%.0f");
        set_speed(t, row, 1, x);
        if (c == base_cfg)
            report_table_set_num(t, row, 3, 1.0, "%.2fx");
        else
            set_speedup(t, row, 3, base, x);
        set_score(t, row, 4, x);
        if (c != base_cfg && base && x && base->n_scores && x->n_scores) {
            double d, lo, hi;
            size_t np = paired_delta(base, x, &d, &lo, &hi);
            if (np >= 2 && !isnan(lo))
                report_table_setf(t, row, 5, "%+.1f [%+.1f, %+.1f] (%zu items)", 100 * d, 100 * lo, 100 * hi, np);
            else if (np)
                report_table_setf(t, row, 5, "%+.1f (%zu item)", 100 * d, np);
        }
        report_table_set_num(t, row, 6, x ? (double)x->n : 0, "%.0f");
        char *st = status_text(c);
        report_table_set(t, row, 7, st);
        free(st);
        if (i == fastest)
            report_table_cell(t, row, 1)->bold = 1;
        if (i == chosen)
            report_table_set(t, row, 8, "<- lowest count holding quality");
    }
    if (chosen == (size_t)-1 && scored && base && !in_series)
        report_table_set(t, 0, 8, "<- keep the default");
    if (scored && base) {
        *chosen_out = chosen == (size_t)-1 ? base_cfg : &r->cfgs[s->idx[chosen]];
        *base_out = base_cfg;
    }
    if (!scored)
        return;
    char dflt[64];
    if (default_n > 0)
        snprintf(dflt, sizeof dflt, "%d", default_n);
    else
        snprintf(dflt, sizeof dflt, "unknown: the model's GGUF header is not readable");
    if (!base) {
        buf_printf(note, "rule (the lowest expert count whose score is not significantly below the default's): not "
                   "applied: no configuration with the model's default count (%s) ran %s.\n", dflt, suite);
        return;
    }
    buf_printf(note, "rule: the lowest expert count whose score on %s is not significantly below the default's"
               " (%s): paired bootstrap of the per-item score differences against the default (%d resamples,"
               " 95%% CI), significantly below when the interval's upper end is under 0; walking down from the"
               " default, the lowest count before the first that is below. ",
               suite, default_n > 0 ? dflt : "no override", REPORT_BOOT_RESAMPLES);
    if (chosen == (size_t)-1)
        buf_printf(note, "Result: none below the default holds (at %.0f: %s); keep the default.\n", stop_at,
                   stop ? stop : "not run");
    else if (stop)
        buf_printf(note, "Result: experts = %.0f (at %.0f: %s).\n", axis_value(&r->cfgs[s->idx[chosen]], "experts"),
                   stop_at, stop);
    else
        buf_printf(note, "Result: experts = %.0f.\n", axis_value(&r->cfgs[s->idx[chosen]], "experts"));
}

/* np: aggregate tok/s (pooled over the config's suites) and the rule. */
static void np_table(const struct sweep_run *r, const struct series *s, struct report_table *t)
{
    static const char *const cols[] = { "np", "aggregate tok/s", "gain vs np=1", "E2E p95 ms", "p95 multiplier",
                                        "choice", "status" };
    report_table_init(t, 7, cols);
    const struct sweep_cfg *base = NULL;
    for (size_t i = 0; i < s->n; i++)
        if (axis_value(&r->cfgs[s->idx[i]], "np") == 1)
            base = &r->cfgs[s->idx[i]];
    size_t best = (size_t)-1;
    double best_v = -INFINITY;
    for (size_t i = 0; i < s->n && base; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        double mult = c->e2e_p95 / base->e2e_p95;
        if (!isnan(c->agg_tps) && mult <= r->np_limit && c->agg_tps > best_v) {
            best_v = c->agg_tps;
            best = i;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        size_t row = report_table_add_row(t);
        report_table_set_num(t, row, 0, axis_value(c, "np"), "%.0f");
        report_table_set_num(t, row, 1, c->agg_tps, "%.1f");
        report_table_set_num(t, row, 2, base ? c->agg_tps / base->agg_tps : NAN, "%.2fx");
        report_table_set_num(t, row, 3, c->e2e_p95, "%.0f");
        report_table_set_num(t, row, 4, base ? c->e2e_p95 / base->e2e_p95 : NAN, "%.2fx");
        report_table_set(t, row, 5, i == best ? "<- chosen" : "");
        char *st = status_text(c);
        report_table_set(t, row, 6, st);
        free(st);
        if (i == best)
            report_table_cell(t, row, 1)->bold = 1;
    }
}

/* Any other axis (threads, ctx, ...): the figures per value. */
static void generic_table(const struct sweep_run *r, const char *axis, const struct series *s, const char *suite,
                          struct report_table *t)
{
    const char *cols[] = { axis_column(axis), "gen tok/s p50", "gen tok/s mean ± sd", "TTFT p50 ms", "score", "n",
                                        "status" };
    report_table_init(t, 7, cols);
    size_t best = (size_t)-1;
    double best_v = -INFINITY;
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_suite *x = find_suite(&r->cfgs[s->idx[i]], suite);
        if (x && !isnan(x->tps_p50) && x->tps_p50 > best_v) {
            best_v = x->tps_p50;
            best = i;
        }
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct sweep_cfg *c = &r->cfgs[s->idx[i]];
        const struct sweep_suite *x = find_suite(c, suite);
        size_t row = report_table_add_row(t);
        if (is_word_axis(axis)) {
            char *v = axis_text(c, axis);
            report_table_set(t, row, 0, v);
            free(v);
        } else {
            report_table_set_num(t, row, 0, axis_value(c, axis), "%g");
        }
        set_speed(t, row, 1, x);
        report_table_set_num(t, row, 3, x ? x->ttft_p50 : NAN, "%.1f");
        set_score(t, row, 4, x);
        report_table_set_num(t, row, 5, x ? (double)x->n : 0, "%.0f");
        char *st = status_text(c);
        report_table_set(t, row, 6, st);
        free(st);
        if (i == best)
            report_table_cell(t, row, 1)->bold = 1;
    }
}

/* The tables of one series, one per suite (np: one, pooled), each with the
 * sentence that states its decision. emit() writes a table and its note,
 * or (t NULL) a closing note of the series. */
typedef void (*emit_fn)(void *ctx, const char *axis, const char *key, const char *suite,
                        const struct report_table *t, const char *note);

static void series_tables(const struct sweep_run *r, const char *axis, const struct series *s, emit_fn emit,
                          void *ctx)
{
    struct report_table t;
    struct buf note = {0};
    if (!strcmp(axis, "np")) {
        np_table(r, s, &t);
        buf_printf(&note, "choice: largest aggregate tok/s whose p95 E2E latency is at most %.2gx np=1's "
                   "(aggregate over all the configuration's suites).\n", r->np_limit);
        emit(ctx, axis, s->key, NULL, &t, note.data);
        report_table_free(&t);
        buf_free(&note);
        return;
    }
    size_t ns = 0;
    char **suites = series_suites(r, s, &ns);
    int default_n = !strcmp(axis, "experts") ? model_default_experts(r->cfgs[s->idx[0]].model) : -1;
    /* experts: the count the quality rule kept on each scored suite */
    const struct sweep_cfg **kept = xcalloc(ns + 1, sizeof *kept), **bases = xcalloc(ns + 1, sizeof *bases);
    for (size_t k = 0; k < ns; k++) {
        buf_reset(&note);
        if (is_spec_axis(axis))
            spec_table(r, axis, s, suites[k], &t, &note);
        else if (!strcmp(axis, "experts"))
            experts_table(r, s, suites[k], default_n, &t, &note, &kept[k], &bases[k]);
        else
            generic_table(r, axis, s, suites[k], &t);
        emit(ctx, axis, s->key, suites[k], &t, note.len ? note.data : NULL);
        report_table_free(&t);
    }
    /* the decision in one line: the kept count's speed-up on the suites
     * without scores (the speed suite) */
    buf_reset(&note);
    for (size_t k = 0; k < ns; k++) {
        if (!kept[k])
            continue;
        buf_printf(&note, "decision: experts = %.0f (quality held on %s)", axis_value(kept[k], "experts"), suites[k]);
        for (size_t j = 0; j < ns; j++) {
            const struct sweep_suite *x = find_suite(kept[k], suites[j]), *b = find_suite(bases[k], suites[j]);
            if (j == k || !x || !b || x->n_scores || !x->n_tps || !b->n_tps)
                continue;
            struct report_median m;
            report_speedup_figures(b->tps, b->n_tps, x->tps, x->n_tps, &m);
            if (kept[k] == bases[k])
                buf_printf(&note, "; on %s: %.1f tok/s", suites[j], x->tps_p50);
            else if (!isnan(m.lo))
                buf_printf(&note, "; speed-up over the default on %s: %.2fx [%.2f, %.2f]", suites[j], m.value, m.lo,
                           m.hi);
            else
                buf_printf(&note, "; speed-up over the default on %s: %.2fx", suites[j], m.value);
        }
        buf_puts(&note, ".\n");
    }
    if (note.len)
        emit(ctx, axis, s->key, NULL, NULL, note.data);
    free(kept);
    free(bases);
    buf_free(&note);
    free(suites);
}

static double np_limit(const struct report_sweep_opts *o)
{
    return o && o->np_p95_limit > 0 ? o->np_p95_limit : REPORT_NP_P95_LIMIT;
}

/* ---- Markdown ------------------------------------------------------------------- */

static void emit_md(void *ctx, const char *axis, const char *key, const char *suite, const struct report_table *t,
                    const char *note)
{
    struct buf *out = ctx;
    if (!t) {
        buf_printf(out, "%s\n", note);
        return;
    }
    if (suite)
        buf_printf(out, "\n## Sweep: %s — %s — suite %s\n\n", axis_title(axis), key, suite);
    else
        buf_printf(out, "\n## Sweep: %s — %s\n\n", axis_title(axis), key);
    report_table_md(t, out);
    if (note)
        buf_printf(out, "\n%s", note);
    buf_putc(out, '\n');
}

int report_sweep_markdown_opts(struct sqlite3 *db, const char *run_id, const struct report_sweep_opts *opts,
                               struct buf *out, struct bai_error *err)
{
    struct sweep_run r;
    if (load_run(db, run_id, &r, err) != 0) {
        free_run(&r);
        return -1;
    }
    r.np_limit = np_limit(opts);
    const char *axes[SWEEP_MAX_AXES];
    size_t n_axes = sweep_axes(axes);
    for (size_t a = 0; a < n_axes; a++) {
        struct series *s;
        size_t n = find_series(&r, axes[a], &s);
        for (size_t i = 0; i < n; i++)
            series_tables(&r, axes[a], &s[i], emit_md, out);
        free_series(s, n);
    }
    free_run(&r);
    return 0;
}

int report_sweep_markdown(struct sqlite3 *db, const char *run_id, struct buf *out, struct bai_error *err)
{
    return report_sweep_markdown_opts(db, run_id, NULL, out, err);
}

/* ---- HTML and plots --------------------------------------------------------------- */

static void emit_html(void *ctx, const char *axis, const char *key, const char *suite, const struct report_table *t,
                      const char *note)
{
    (void)axis;
    struct buf *html = ctx;
    if (!t) {
        buf_puts(html, "<p class=\"note\"><b>");
        report_html_escape(html, note);
        buf_puts(html, "</b></p>\n");
        return;
    }
    buf_puts(html, "<p>");
    report_html_escape(html, key);
    if (suite) {
        buf_puts(html, " — suite ");
        report_html_escape(html, suite);
    }
    buf_puts(html, "</p>\n");
    report_table_html(t, "sweep", html);
    if (note) {
        buf_puts(html, "<p class=\"note\">");
        report_html_escape(html, note);
        buf_puts(html, "</p>\n");
    }
}

struct keep {
    void **v;
    size_t n, cap;
};

static void *keep(struct keep *k, void *p)
{
    XGROW(k->v, k->n + 1, k->cap);
    k->v[k->n++] = p;
    return p;
}

/* A line's title: "KEY [suite]: what", without the key when it is NULL. */
static char *line_name(const char *key, const char *suite, const char *what)
{
    if (key && suite)
        return xasprintf("%s [%s]: %s", key, suite, what);
    if (key)
        return xasprintf("%s: %s", key, what);
    if (suite)
        return xasprintf("%s: %s", suite, what);
    return xstrdup(what);
}

/* One plot per axis, one line per series and suite (speed), plus the
 * right-hand figure (acceptance, score, p95) and, for K, the no-draft
 * baseline as a flat line. Word axes (draft, spec_type) have no plot. */
static int plot_axis(const struct sweep_run *r, const char *axis, const struct series *s, size_t n,
                     const char *out_dir, const char *run_id, struct buf *html)
{
    int is_np = !strcmp(axis, "np"), is_k = !strcmp(axis, "k"), is_exp = !strcmp(axis, "experts");
    struct report_series *lines = NULL;
    size_t nl = 0, cap = 0;
    struct keep to_free = {0};       /* names and arrays, freed at the end */
#define KEEP(p) keep(&to_free, (p))
    struct report_series *right = NULL;
    size_t nr = 0, cap_r = 0;
    for (size_t i = 0; i < n; i++) {
        size_t ns = 0;
        char **suites = is_np ? NULL : series_suites(r, &s[i], &ns);
        size_t loops = is_np ? 1 : ns;
        for (size_t k = 0; k < loops; k++) {
            const char *suite = is_np ? NULL : suites[k];
            double *x = KEEP(xcalloc(s[i].n, sizeof *x)), *y = KEEP(xcalloc(s[i].n, sizeof *y));
            double *y2 = KEEP(xcalloc(s[i].n, sizeof *y2));
            int any = 0;
            for (size_t j = 0; j < s[i].n; j++) {
                const struct sweep_cfg *c = &r->cfgs[s[i].idx[j]];
                const struct sweep_suite *ss = suite ? find_suite(c, suite) : NULL;
                x[j] = axis_value(c, axis);
                y[j] = is_np ? c->agg_tps : ss ? ss->tps_p50 : NAN;
                y2[j] = is_np ? c->e2e_p95 : !ss ? NAN : is_k ? ss->acceptance
                      : ss->n_scores ? 100 * ss->score : NAN;
                any |= !isnan(y[j]);
            }
            if (!any)
                continue;
            const char *what = is_np ? "aggregate tok/s" : "tok/s";
            /* one series: its key is in the plot's title, the lines say the
             * suite only (long keys overflow gnuplot's key) */
            const char *key = n == 1 ? NULL : s[i].key;
            char *name = KEEP(line_name(key, suite, what));
            XGROW(lines, nl + 1, cap);
            lines[nl++] = (struct report_series){ .name = name, .x = x, .y = y, .n = s[i].n };
            int any2 = 0;
            for (size_t j = 0; j < s[i].n; j++)
                any2 |= !isnan(y2[j]);
            if ((is_np || is_k || is_exp) && any2) {
                char *name2 = KEEP(line_name(key, suite, is_np ? "p95 E2E ms" : is_k ? "acceptance" : "score %"));
                XGROW(right, nr + 1, cap_r);
                right[nr++] = (struct report_series){ .name = name2, .x = x, .y = y2, .n = s[i].n, .y2 = 1 };
            }
            if (is_k) {
                const struct sweep_cfg *bc = spec_baseline(r, &r->cfgs[s[i].idx[0]], suite);
                const struct sweep_suite *bs = bc ? find_suite(bc, suite) : NULL;
                if (bs && !isnan(bs->tps_p50)) {
                    double *bx = KEEP(xcalloc(2, sizeof *bx)), *by = KEEP(xcalloc(2, sizeof *by));
                    bx[0] = x[0];
                    bx[1] = x[s[i].n - 1];
                    by[0] = by[1] = bs->tps_p50;
                    char *bn = KEEP(line_name(key, suite, "no draft (baseline)"));
                    XGROW(lines, nl + 1, cap);
                    lines[nl++] = (struct report_series){ .name = bn, .x = bx, .y = by, .n = 2 };
                }
            }
        }
        free(suites);
    }
#undef KEEP
    /* left-axis lines first, then the right-axis ones in the same order */
    for (size_t i = 0; i < nr; i++) {
        XGROW(lines, nl + 1, cap);
        lines[nl++] = right[i];
    }
    char *title = n == 1 ? xasprintf("%s: %s", axis_title(axis), s[0].key) : xstrdup(axis_title(axis));
    struct report_lines_spec spec = {
        .title = title,
        .xlabel = is_k ? "draft size K (tokens)" : is_exp ? "experts used per token" : is_np ? "parallel slots np" : axis,
        .ylabel = is_np ? "aggregate generation (tokens/s)" : "generation (tokens/s, median)",
        .y2label = !nr ? NULL : is_np ? "p95 end-to-end latency (ms)" : is_k ? "draft acceptance (accepted/drafted)"
                 : "score (%)",
        .logx = is_k || is_np, .integer_x = 1, .ymin = 0,
    };
    char *svg = xasprintf("%s/sweep-%s-%s.svg", out_dir, run_id, axis);
    struct bai_error perr = {0};
    int rc = nl ? report_plot_lines(svg, &spec, lines, nl, &perr) : -2;
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
    } else if (rc == -1) {
        buf_puts(html, "<p class=\"err\">plot failed: ");
        report_html_escape(html, perr.msg);
        buf_puts(html, "</p>\n");
    }
    free(svg);
    free(title);
    for (size_t i = 0; i < to_free.n; i++)
        free(to_free.v[i]);
    free(to_free.v);
    free(lines);
    free(right);
    return 0;
}

int report_sweep_section_opts(struct sqlite3 *db, const char *run_id, const struct report_sweep_opts *opts,
                              const char *out_dir, struct buf *html, struct bai_error *err)
{
    struct sweep_run r;
    if (load_run(db, run_id, &r, err) != 0) {
        free_run(&r);
        return -1;
    }
    r.np_limit = np_limit(opts);
    if (out_dir && fs_mkdirs(out_dir, 0755, err) != 0) {
        free_run(&r);
        return -1;
    }
    const char *axes[SWEEP_MAX_AXES];
    size_t n_axes = sweep_axes(axes);
    for (size_t a = 0; a < n_axes; a++) {
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
        if (out_dir && !is_word_axis(axes[a]))
            plot_axis(&r, axes[a], s, n, out_dir, run_id, html);
        for (size_t i = 0; i < n; i++)
            series_tables(&r, axes[a], &s[i], emit_html, html);
        free_series(s, n);
    }
    free_run(&r);
    return 0;
}

int report_sweep_section(struct sqlite3 *db, const char *run_id, const char *out_dir, struct buf *html,
                         struct bai_error *err)
{
    return report_sweep_section_opts(db, run_id, NULL, out_dir, html, err);
}

/* ---- select's -np rule over report points ---------------------------------------- */

void report_np_multipliers(const struct report_points *pts, double *mult)
{
    static const char *const ex[] = { "np" };
    cJSON **params = xcalloc(pts->n + 1, sizeof *params);
    for (size_t i = 0; i < pts->n; i++)
        params[i] = report_params_parse(pts->v[i].params_json);
    for (size_t i = 0; i < pts->n; i++) {
        mult[i] = NAN;
        double np = report_param_num(params[i], "np");
        if (isnan(np))
            continue;
        for (size_t j = 0; j < pts->n; j++) {
            if (strcmp(pts->v[i].run_id, pts->v[j].run_id) ||
                strcmp(pts->v[i].model ? pts->v[i].model : "", pts->v[j].model ? pts->v[j].model : "") ||
                report_param_num(params[j], "np") != 1 ||
                !report_params_same_except(params[i], params[j], ex, 1))
                continue;
            double base = pts->v[j].speed.e2e_p95_ms;
            if (base > 0)
                mult[i] = pts->v[i].speed.e2e_p95_ms / base;
            break;
        }
    }
    for (size_t i = 0; i < pts->n; i++)
        cJSON_Delete(params[i]);
    free(params);
}
