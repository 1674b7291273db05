/* query.c - the read helpers `show`, `export`, reports and the benchmark
 * share: a run's configs, incidents, per (config, suite) groups with the
 * raw vectors statistics need, and a streaming walk over its samples. */
#include "store/store_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static sqlite3_stmt *prepare_run_query(struct store *st, const char *sql, const char *run_id,
                                       const char *what, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        store_fail(st, rc, what, err);
        return NULL;
    }
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    return s;
}

/* ---- configs and incidents ------------------------------------------------ */

#define CONFIG_COLUMNS \
    "c.id, c.label, c.backend, c.model, c.model_sha256, c.draft, c.params_json, c.server_argv," \
    " c.server_build, c.props_json, c.status, c.reason, c.identity, c.identity_json, c.draft_sha256"

/* A config row of CONFIG_COLUMNS, from column `at` on. */
static void config_from_row(sqlite3_stmt *s, int at, struct store_config_info *c)
{
    c->id = sqlite3_column_int64(s, at);
    c->label = store_col_dup(s, at + 1);
    c->backend = store_col_dup(s, at + 2);
    c->model = store_col_dup(s, at + 3);
    c->model_sha256 = store_col_dup(s, at + 4);
    c->draft = store_col_dup(s, at + 5);
    c->params_json = store_col_dup(s, at + 6);
    c->server_argv = store_col_dup(s, at + 7);
    c->server_build = store_col_dup(s, at + 8);
    c->props_json = store_col_dup(s, at + 9);
    c->status = store_col_dup(s, at + 10);
    c->reason = store_col_dup(s, at + 11);
    c->identity = store_col_dup(s, at + 12);
    c->identity_json = store_col_dup(s, at + 13);
    c->draft_sha256 = store_col_dup(s, at + 14);
}

int store_run_configs(struct store *st, const char *run_id, struct store_config_info **out,
                      size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = prepare_run_query(st, "SELECT " CONFIG_COLUMNS " FROM configs c WHERE c.run_id = ?1 ORDER BY c.id",
                                        run_id, "reading configs", err);
    if (!s)
        return -1;
    struct store_config_info *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        config_from_row(s, 0, &v[n++]);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_configs_free(v, n);
        return store_fail(st, rc, "reading configs", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

int store_all_configs(struct store *st, struct store_run_config **out, size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT c.run_id, r.started, " CONFIG_COLUMNS
                                " FROM configs c JOIN runs r ON r.id = c.run_id ORDER BY r.started, c.run_id, c.id",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "listing configs", err);
    struct store_run_config *v = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        struct store_run_config *rc_ = &v[n++];
        memset(rc_, 0, sizeof *rc_);
        rc_->run_id = store_col_dup(s, 0);
        rc_->run_started = store_col_dup(s, 1);
        config_from_row(s, 2, &rc_->c);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_run_configs_free(v, n);
        return store_fail(st, rc, "listing configs", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

void store_run_configs_free(struct store_run_config *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].run_id);
        free(v[i].run_started);
        struct store_config_info *c = &v[i].c;
        char **f[] = { &c->label, &c->backend, &c->model, &c->model_sha256, &c->draft, &c->params_json,
                       &c->server_argv, &c->server_build, &c->props_json, &c->status, &c->reason,
                       &c->identity, &c->identity_json, &c->draft_sha256 };
        for (size_t k = 0; k < sizeof f / sizeof f[0]; k++)
            free(*f[k]);
    }
    free(v);
}

void store_configs_free(struct store_config_info *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(c[i].label);
        free(c[i].backend);
        free(c[i].model);
        free(c[i].model_sha256);
        free(c[i].draft);
        free(c[i].params_json);
        free(c[i].server_argv);
        free(c[i].server_build);
        free(c[i].props_json);
        free(c[i].status);
        free(c[i].identity);
        free(c[i].identity_json);
        free(c[i].draft_sha256);
        free(c[i].reason);
    }
    free(c);
}

int store_run_incidents(struct store *st, const char *run_id, struct store_incident_info **out,
                        size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = prepare_run_query(st,
        "SELECT id, coalesce(config_id, 0), t, kind, message FROM incidents WHERE run_id = ?1"
        " ORDER BY id", run_id, "reading incidents", err);
    if (!s)
        return -1;
    struct store_incident_info *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        v[n].id = sqlite3_column_int64(s, 0);
        v[n].config_id = sqlite3_column_int64(s, 1);
        v[n].t = store_col_dup(s, 2);
        v[n].kind = store_col_dup(s, 3);
        v[n].message = store_col_dup(s, 4);
        n++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_incidents_free(v, n);
        return store_fail(st, rc, "reading incidents", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

void store_incidents_free(struct store_incident_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].t);
        free(v[i].kind);
        free(v[i].message);
    }
    free(v);
}

/* ---- groups ---------------------------------------------------------------- */

/* One scorer's rows while they grow. */
struct score_build {
    struct dvec value;
    size_t *sample;
    int *passed;
    char *status;
    size_t cap_sample, cap_passed, cap_status;
};

/* Builder state for one group: vectors grow here, then move into the
 * public struct. */
struct group_build {
    struct store_group g;
    struct dvec gen, ttft, e2e, ptps;
    struct score_build *sb;      /* parallel to g.scores */
    size_t scores_cap;
    size_t cap_status, cap_item, cap_tier;
    char *last_item_id;          /* of the last non-warmup sample */
};

static struct store_group_score *group_scorer(struct group_build *b, const char *name, struct score_build **sb)
{
    for (size_t i = 0; i < b->g.n_scores; i++)
        if (!strcmp(b->g.scores[i].scorer, name)) {
            *sb = &b->sb[i];
            return &b->g.scores[i];
        }
    size_t cap = b->scores_cap;
    XGROW(b->g.scores, b->g.n_scores + 1, b->scores_cap);
    if (b->scores_cap != cap)
        b->sb = xrealloc(b->sb, b->scores_cap * sizeof *b->sb);
    struct store_group_score *sc = &b->g.scores[b->g.n_scores];
    memset(sc, 0, sizeof *sc);
    sc->scorer = xstrdup(name);
    memset(&b->sb[b->g.n_scores], 0, sizeof b->sb[0]);
    *sb = &b->sb[b->g.n_scores];
    b->g.n_scores++;
    return sc;
}

static int cmp_score_name(const void *a, const void *b)
{
    return strcmp(((const struct store_group_score *)a)->scorer,
                  ((const struct store_group_score *)b)->scorer);
}

static void group_finish(struct group_build *b, struct store_group *out)
{
    for (size_t i = 0; i < b->g.n_scores; i++) {
        struct store_group_score *sc = &b->g.scores[i];
        sc->value = b->sb[i].value.v;
        sc->sample = b->sb[i].sample;
        sc->passed = b->sb[i].passed;
        sc->status = b->sb[i].status;
        sc->n_rows = b->sb[i].value.n;
    }
    free(b->sb);
    free(b->last_item_id);
    if (b->g.n_scores > 1)
        qsort(b->g.scores, b->g.n_scores, sizeof b->g.scores[0], cmp_score_name);
    b->g.gen_tps = b->gen.v;
    b->g.n_gen_tps = b->gen.n;
    b->g.ttft_ms = b->ttft.v;
    b->g.n_ttft_ms = b->ttft.n;
    b->g.e2e_ms = b->e2e.v;
    b->g.n_e2e_ms = b->e2e.n;
    b->g.prompt_tps = b->ptps.v;
    b->g.n_prompt_tps = b->ptps.n;
    *out = b->g;
    memset(b, 0, sizeof *b);
}

static int cmp_group(const void *a, const void *b)
{
    const struct store_group *x = a, *y = b;
    if (x->config_id != y->config_id)
        return x->config_id < y->config_id ? -1 : 1;
    int c = strcmp(x->suite_name, y->suite_name);
    if (c)
        return c;
    return x->suite_id < y->suite_id ? -1 : x->suite_id > y->suite_id;
}

/* The one-letter codes of store_group (store.h). */
static char sample_code(const unsigned char *status)
{
    if (!status || !strcmp((const char *)status, "ok"))
        return 'o';
    return !strcmp((const char *)status, "timeout") ? 't' : 'e';
}

static char score_code(const unsigned char *status)
{
    const char *s = status ? (const char *)status : "scored";
    return !strcmp(s, "scored") ? 's' : !strcmp(s, "unparsed") ? 'u' : !strcmp(s, "failed") ? 'f' : 'e';
}

int store_run_groups(struct store *st, const char *run_id, struct store_group **out,
                     size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    /* ORDER BY follows the samples UNIQUE index, so SQLite walks it without
     * sorting; groups are sorted by suite name afterwards. */
    sqlite3_stmt *s = prepare_run_query(st,
        "SELECT s.id, s.config_id, s.suite_id, s.status, s.warmup, s.gen_tps, s.ttft_ms,"
        " s.e2e_ms, s.prompt_tps, s.draft_n, s.draft_accepted,"
        " sc.scorer, sc.value, sc.passed, sc.status, s.item_id, sc.scored_at, s.speed_source, s.cache_hit, s.tier"
        " FROM samples s LEFT JOIN scores sc ON sc.sample_id = s.id"
        " WHERE s.run_id = ?1 ORDER BY s.config_id, s.suite_id, s.item_id, s.rep",
        run_id, "summarising a run", err);
    if (!s)
        return -1;
    struct store_group *v = NULL;
    size_t n = 0, cap = 0;
    struct group_build b;
    memset(&b, 0, sizeof b);
    int open = 0, rc;
    int64_t last_sample = -1;
    int last_warmup = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        int64_t sample_id = sqlite3_column_int64(s, 0);
        int64_t config_id = sqlite3_column_int64(s, 1);
        int64_t suite_id = sqlite3_column_int64(s, 2);
        if (!open || config_id != b.g.config_id || suite_id != b.g.suite_id) {
            if (open) {
                XGROW(v, n + 1, cap);
                group_finish(&b, &v[n++]);
            }
            open = 1;
            b.g.config_id = config_id;
            b.g.suite_id = suite_id;
        }
        if (sample_id != last_sample) {
            last_sample = sample_id;
            last_warmup = sqlite3_column_int(s, 4) != 0;
            char code = sample_code(sqlite3_column_text(s, 3));
            if (last_warmup) {
                b.g.n_warmup++;
            } else {
                const char *item = (const char *)sqlite3_column_text(s, 15);
                if (item && (!b.last_item_id || strcmp(item, b.last_item_id))) {
                    free(b.last_item_id);
                    b.last_item_id = xstrdup(item);
                    b.g.n_items++;
                }
                XGROW(b.g.sample_status, b.g.n_samples + 1, b.cap_status);
                XGROW(b.g.sample_item, b.g.n_samples + 1, b.cap_item);
                XGROW(b.g.sample_tier, b.g.n_samples + 1, b.cap_tier);
                b.g.sample_status[b.g.n_samples] = code;
                b.g.sample_tier[b.g.n_samples] = sqlite3_column_int(s, 19);   /* NULL reads 0 */
                b.g.sample_item[b.g.n_samples] = b.g.n_items ? b.g.n_items - 1 : 0;
                b.g.n_samples++;
                b.g.n_errors += code == 'e';
                b.g.n_timeouts += code == 't';
                if (code == 'o') {
                    double x;
                    if ((x = store_col_num(s, 5)) >= 0)
                        dvec_push(&b.gen, x);
                    if ((x = store_col_num(s, 6)) >= 0)
                        dvec_push(&b.ttft, x);
                    if ((x = store_col_num(s, 7)) >= 0)
                        dvec_push(&b.e2e, x);
                    if ((x = store_col_num(s, 8)) >= 0)
                        dvec_push(&b.ptps, x);
                    int64_t dn = store_col_int(s, 9), da = store_col_int(s, 10);
                    if (dn > 0 && da >= 0) {
                        b.g.draft_n += dn;
                        b.g.draft_accepted += da;
                    }
                    const unsigned char *src = sqlite3_column_text(s, 17);
                    if (src && !strcmp((const char *)src, "server"))
                        b.g.n_speed_server++;
                    else if (src && !strcmp((const char *)src, "usage"))
                        b.g.n_speed_usage++;
                    else if (src && !strcmp((const char *)src, "chunks"))
                        b.g.n_speed_chunks++;
                    if (sqlite3_column_type(s, 18) != SQLITE_NULL) {
                        b.g.n_cache_known++;
                        b.g.n_cache_hits += sqlite3_column_int(s, 18) != 0;
                    }
                }
            }
        }
        const unsigned char *scorer = sqlite3_column_text(s, 11);
        if (last_warmup || !scorer)
            continue;
        struct score_build *sb;
        struct store_group_score *sc = group_scorer(&b, (const char *)scorer, &sb);
        size_t row = sb->value.n;
        dvec_push(&sb->value, sqlite3_column_double(s, 12));     /* NULL reads 0 */
        XGROW(sb->sample, row + 1, sb->cap_sample);
        XGROW(sb->passed, row + 1, sb->cap_passed);
        XGROW(sb->status, row + 1, sb->cap_status);
        sb->sample[row] = b.g.n_samples - 1;
        sb->passed[row] = sqlite3_column_type(s, 13) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 13) != 0;
        sb->status[row] = score_code(sqlite3_column_text(s, 14));
        const unsigned char *at = sqlite3_column_text(s, 16);
        if (at && (!sc->newest || strcmp((const char *)at, sc->newest) > 0)) {
            free(sc->newest);
            sc->newest = xstrdup((const char *)at);
        }
    }
    sqlite3_finalize(s);
    if (open) {
        XGROW(v, n + 1, cap);
        group_finish(&b, &v[n++]);
    }
    if (rc != SQLITE_DONE) {
        store_groups_free(v, n);
        return store_fail(st, rc, "summarising a run", err);
    }
    /* labels and suite names: few rows, looked up once per group */
    sqlite3_stmt *l = NULL;
    rc = sqlite3_prepare_v2(st->db,
                            "SELECT c.label, su.name, su.version, su.sha256, su.n_items"
                            " FROM configs c, suites su"
                            " WHERE c.id = ?1 AND su.id = ?2", -1, &l, NULL);
    if (rc != SQLITE_OK) {
        store_groups_free(v, n);
        return store_fail(st, rc, "summarising a run", err);
    }
    for (size_t i = 0; i < n; i++) {
        sqlite3_reset(l);
        sqlite3_bind_int64(l, 1, v[i].config_id);
        sqlite3_bind_int64(l, 2, v[i].suite_id);
        if (sqlite3_step(l) == SQLITE_ROW) {
            v[i].config_label = store_col_dup(l, 0);
            v[i].suite_name = store_col_dup(l, 1);
            v[i].suite_version = sqlite3_column_int(l, 2);
            snprintf(v[i].suite_sha256, sizeof v[i].suite_sha256, "%s",
                     (const char *)sqlite3_column_text(l, 3));
            v[i].suite_n_items = sqlite3_column_int64(l, 4);   /* NULL reads 0 */
        }
        if (!v[i].config_label)
            v[i].config_label = xstrdup("?");
        if (!v[i].suite_name)
            v[i].suite_name = xstrdup("?");
    }
    sqlite3_finalize(l);
    if (n > 1)
        qsort(v, n, sizeof *v, cmp_group);
    *out = v;
    *n_out = n;
    return 0;
}

void store_groups_free(struct store_group *g, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(g[i].config_label);
        free(g[i].suite_name);
        for (size_t j = 0; j < g[i].n_scores; j++) {
            free(g[i].scores[j].scorer);
            free(g[i].scores[j].newest);
            free(g[i].scores[j].value);
            free(g[i].scores[j].sample);
            free(g[i].scores[j].passed);
            free(g[i].scores[j].status);
        }
        free(g[i].scores);
        free(g[i].sample_status);
        free(g[i].sample_item);
        free(g[i].sample_tier);
        free(g[i].gen_tps);
        free(g[i].ttft_ms);
        free(g[i].e2e_ms);
        free(g[i].prompt_tps);
    }
    free(g);
}

/* ---- samples ----------------------------------------------------------------- */

int store_run_samples(struct store *st, const char *run_id, int which,
                      store_sample_cb cb, void *ctx, struct bai_error *err)
{
    struct buf sql = { 0 };
    buf_puts(&sql,
        "SELECT s.id, s.config_id, s.suite_id, c.label, su.name, su.sha256, su.version,"
        " s.item_id, s.rep, s.tier, s.status, s.error, s.output, s.reasoning, s.finish_reason,"
        " s.t_start_s, s.ttft_ms, s.e2e_ms, s.tpot_ms, s.prompt_tokens, s.completion_tokens,"
        " s.cached_tokens, s.prompt_ms, s.prompt_tps, s.gen_ms, s.gen_tps, s.draft_n,"
        " s.draft_accepted, s.attempts, s.warmup,"
        " sc.scorer, sc.value, sc.passed, sc.status, sc.extracted, sc.detail_json,"
        " s.speed_source, s.cache_hit, s.flags"
        " FROM samples s JOIN configs c ON c.id = s.config_id JOIN suites su ON su.id = s.suite_id"
        " LEFT JOIN scores sc ON sc.sample_id = s.id WHERE s.run_id = ?1");
    if (which == STORE_SAMPLES_FAILED || which == STORE_SAMPLES_FAILED_UNSCORED) {
        buf_puts(&sql, " AND (s.status <> 'ok' OR (sc.scorer IS NOT NULL AND (sc.passed = 0"
                       " OR sc.status <> 'scored'))");
        buf_puts(&sql, which == STORE_SAMPLES_FAILED_UNSCORED ? " OR sc.scorer IS NULL)" : ")");
        /* the model's wrong answers first, then requests that failed, then
         * (when asked) answers nothing scores */
        buf_puts(&sql, " ORDER BY CASE WHEN s.status <> 'ok' THEN 1 WHEN sc.scorer IS NULL THEN 2 ELSE 0 END,");
    } else {
        buf_puts(&sql, " ORDER BY");
    }
    buf_puts(&sql, " s.config_id, s.suite_id, s.item_id, s.rep, sc.scorer");
    sqlite3_stmt *s = prepare_run_query(st, sql.data, run_id, "reading samples", err);
    buf_free(&sql);
    if (!s)
        return -1;
    int rc, stop = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_sample_row r;
        memset(&r, 0, sizeof r);
#define TXT(i) ((const char *)sqlite3_column_text(s, (i)))
        r.id = sqlite3_column_int64(s, 0);
        r.config_id = sqlite3_column_int64(s, 1);
        r.suite_id = sqlite3_column_int64(s, 2);
        r.config_label = TXT(3);
        r.suite_name = TXT(4);
        r.suite_sha256 = TXT(5);
        r.suite_version = sqlite3_column_int(s, 6);
        r.item_id = TXT(7);
        r.rep = sqlite3_column_int(s, 8);
        r.tier = sqlite3_column_int(s, 9);
        r.status = TXT(10);
        r.error = TXT(11);
        r.output = TXT(12);
        r.reasoning = TXT(13);
        r.finish_reason = TXT(14);
        r.t_start_s = store_col_num(s, 15);
        r.ttft_ms = store_col_num(s, 16);
        r.e2e_ms = store_col_num(s, 17);
        r.tpot_ms = store_col_num(s, 18);
        r.prompt_tokens = store_col_int(s, 19);
        r.completion_tokens = store_col_int(s, 20);
        r.cached_tokens = store_col_int(s, 21);
        r.prompt_ms = store_col_num(s, 22);
        r.prompt_tps = store_col_num(s, 23);
        r.gen_ms = store_col_num(s, 24);
        r.gen_tps = store_col_num(s, 25);
        r.draft_n = store_col_int(s, 26);
        r.draft_accepted = store_col_int(s, 27);
        r.attempts = sqlite3_column_int(s, 28);
        r.warmup = sqlite3_column_int(s, 29);
        r.scorer = TXT(30);
        r.value = sqlite3_column_double(s, 31);
        r.passed = sqlite3_column_type(s, 32) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 32);
        r.score_status = TXT(33);
        r.extracted = TXT(34);
        r.detail_json = TXT(35);
        r.speed_source = TXT(36);
        r.cache_hit = sqlite3_column_type(s, 37) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 37);
        r.flags = TXT(38);
#undef TXT
        if ((stop = cb(ctx, &r)) != 0)
            break;
    }
    sqlite3_finalize(s);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "reading samples", err);
    return 0;
}

/* ---- progress of a running run (benchai status) -------------------------- */

int store_run_progress(struct store *st, const char *run_id, struct store_progress_row **out,
                       size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    /* served by the samples' UNIQUE(run_id, config_id, suite_id, ...) index */
    sqlite3_stmt *s = prepare_run_query(st,
        "SELECT c.label, su.name, count(*), sum(s.status NOT IN ('ok', 'timeout')), min(s.t_start_s),"
        " max(s.t_start_s), sum(s.status = 'timeout')"
        " FROM samples s JOIN configs c ON c.id = s.config_id JOIN suites su ON su.id = s.suite_id"
        " WHERE s.run_id = ?1 AND s.warmup = 0"
        " GROUP BY s.config_id, s.suite_id ORDER BY s.config_id, su.name", run_id, "reading the run's progress", err);
    if (!s)
        return -1;
    struct store_progress_row *v = NULL;
    size_t n = 0, cap = 0;
    int rc;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        v[n] = (struct store_progress_row){
            .config_label = store_col_dup(s, 0), .suite_name = store_col_dup(s, 1),
            .samples = sqlite3_column_int64(s, 2), .errors = sqlite3_column_int64(s, 3),
            .first_s = sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 4),
            .last_s = sqlite3_column_type(s, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 5),
            .timeouts = sqlite3_column_int64(s, 6),
        };
        n++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_progress_free(v, n);
        return store_fail(st, rc, "reading the run's progress", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

void store_progress_free(struct store_progress_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].config_label);
        free(v[i].suite_name);
    }
    free(v);
}
