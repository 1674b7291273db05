/* starts.c - server starts (memory, load time, first request) and the
 * per-config sample walk the sweep tables read. */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void bind_real(sqlite3_stmt *s, int i, double v)
{
    if (v < 0 || v != v)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_double(s, i, v);
}

static void bind_int(sqlite3_stmt *s, int i, int64_t v)
{
    if (v < 0)
        sqlite3_bind_null(s, i);
    else
        sqlite3_bind_int64(s, i, v);
}

/* The readers here take the connection a report holds (store_db), not a
 * struct store; their errors still go through store_fail, so a locked,
 * full or corrupt store is named as such, with its path. */
static int db_fail(sqlite3 *db, int rc, const char *what, struct bai_error *err)
{
    const char *file = sqlite3_db_filename(db, "main");
    struct store view = { .db = db, .path = (char *)(file && *file ? file : "store") };
    return store_fail(&view, rc, what, err);
}

int store_server_start_next_seq(struct store *st, int64_t config_id, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, "SELECT coalesce(max(seq) + 1, 0) FROM server_starts WHERE config_id = ?1",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading server starts", err);
    sqlite3_bind_int64(s, 1, config_id);
    rc = sqlite3_step(s);
    int seq = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "reading server starts", err);
    return seq;
}

int store_server_start_put(struct store *st, const char *run_id, const struct store_server_start *x,
                           struct bai_error *err)
{
    static const char *sql =
        "INSERT INTO server_starts(run_id, config_id, seq, t, load_ms, rss_loaded_bytes, rss_peak_bytes,"
        " gpu_loaded_bytes, gpu_peak_bytes, gpu_source, model_bytes, kv_bytes, compute_bytes,"
        " layers_offloaded, layers_total, gpu_devices, buffers_json, first_ttft_ms, first_e2e_ms,"
        " first_gen_tps, first_prompt_tps, first_tokens)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19,"
        " ?20, ?21, ?22)"
        " ON CONFLICT(config_id, seq) DO UPDATE SET t = excluded.t, load_ms = excluded.load_ms,"
        " rss_loaded_bytes = excluded.rss_loaded_bytes, rss_peak_bytes = excluded.rss_peak_bytes,"
        " gpu_loaded_bytes = excluded.gpu_loaded_bytes, gpu_peak_bytes = excluded.gpu_peak_bytes,"
        " gpu_source = excluded.gpu_source, model_bytes = excluded.model_bytes,"
        " kv_bytes = excluded.kv_bytes, compute_bytes = excluded.compute_bytes,"
        " layers_offloaded = excluded.layers_offloaded, layers_total = excluded.layers_total,"
        " gpu_devices = excluded.gpu_devices, buffers_json = excluded.buffers_json,"
        " first_ttft_ms = excluded.first_ttft_ms, first_e2e_ms = excluded.first_e2e_ms,"
        " first_gen_tps = excluded.first_gen_tps, first_prompt_tps = excluded.first_prompt_tps,"
        " first_tokens = excluded.first_tokens";
    if (store_tx_begin(st, err) < 0)
        return -1;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK) {
        store_tx_rollback(st);
        return store_fail(st, rc, "recording a server start", err);
    }
    char now[32];
    store_now_iso(now);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s, 2, x->config_id);
    sqlite3_bind_int(s, 3, x->seq);
    sqlite3_bind_text(s, 4, x->t ? x->t : now, -1, SQLITE_TRANSIENT);
    bind_real(s, 5, x->load_ms);
    bind_int(s, 6, x->rss_loaded_bytes);
    bind_int(s, 7, x->rss_peak_bytes);
    bind_int(s, 8, x->gpu_loaded_bytes);
    bind_int(s, 9, x->gpu_peak_bytes);
    store_bind_text(s, 10, x->gpu_source);
    bind_int(s, 11, x->model_bytes);
    bind_int(s, 12, x->kv_bytes);
    bind_int(s, 13, x->compute_bytes);
    bind_int(s, 14, x->layers_offloaded);
    bind_int(s, 15, x->layers_total);
    store_bind_text(s, 16, x->gpu_devices);
    store_bind_text(s, 17, x->buffers_json);
    bind_real(s, 18, x->first_ttft_ms);
    bind_real(s, 19, x->first_e2e_ms);
    bind_real(s, 20, x->first_gen_tps);
    bind_real(s, 21, x->first_prompt_tps);
    bind_int(s, 22, x->first_tokens);
    rc = sqlite3_step(s);
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_tx_rollback(st);
        return store_fail(st, rc, "recording a server start", err);
    }
    return store_tx_commit(st, err);
}

static double col_real(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_double(s, i);
}

static int64_t col_int(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? -1 : sqlite3_column_int64(s, i);
}

int store_config_starts(struct sqlite3 *db, int64_t config_id, struct store_server_start_info **out,
                        size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db,
        "SELECT seq, t, load_ms, rss_loaded_bytes, rss_peak_bytes, gpu_loaded_bytes, gpu_peak_bytes,"
        " gpu_source, model_bytes, kv_bytes, compute_bytes, layers_offloaded, layers_total,"
        " gpu_devices, buffers_json, first_ttft_ms, first_e2e_ms, first_gen_tps, first_prompt_tps,"
        " first_tokens FROM server_starts WHERE config_id = ?1 ORDER BY seq", -1, &s, NULL);
    if (rc != SQLITE_OK) {
        /* a store older than v5 opened read-only has no such table */
        if (strstr(sqlite3_errmsg(db), "no such table"))
            return 0;
        return db_fail(db, rc, "reading server starts", err);
    }
    sqlite3_bind_int64(s, 1, config_id);
    struct store_server_start_info *v = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        struct store_server_start_info *i = &v[n++];
        memset(i, 0, sizeof *i);
        i->s.config_id = config_id;
        i->s.seq = sqlite3_column_int(s, 0);
        i->t = store_col_dup(s, 1);
        i->s.load_ms = col_real(s, 2);
        i->s.rss_loaded_bytes = col_int(s, 3);
        i->s.rss_peak_bytes = col_int(s, 4);
        i->s.gpu_loaded_bytes = col_int(s, 5);
        i->s.gpu_peak_bytes = col_int(s, 6);
        i->gpu_source = store_col_dup(s, 7);
        i->s.model_bytes = col_int(s, 8);
        i->s.kv_bytes = col_int(s, 9);
        i->s.compute_bytes = col_int(s, 10);
        i->s.layers_offloaded = (int)col_int(s, 11);
        i->s.layers_total = (int)col_int(s, 12);
        i->gpu_devices = store_col_dup(s, 13);
        i->buffers_json = store_col_dup(s, 14);
        i->s.first_ttft_ms = col_real(s, 15);
        i->s.first_e2e_ms = col_real(s, 16);
        i->s.first_gen_tps = col_real(s, 17);
        i->s.first_prompt_tps = col_real(s, 18);
        i->s.first_tokens = col_int(s, 19);
        i->s.t = i->t;
        i->s.gpu_source = i->gpu_source;
        i->s.gpu_devices = i->gpu_devices;
        i->s.buffers_json = i->buffers_json;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_server_starts_free(v, n);
        return db_fail(db, rc, "reading server starts", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

void store_server_starts_free(struct store_server_start_info *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].t);
        free(v[i].gpu_source);
        free(v[i].gpu_devices);
        free(v[i].buffers_json);
    }
    free(v);
}

int store_config_first_sample(struct sqlite3 *db, int64_t config_id, double *gen_tps, double *ttft_ms,
                              double *e2e_ms, int64_t *tokens, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db,
        "SELECT gen_tps, ttft_ms, e2e_ms, completion_tokens FROM samples"
        " WHERE config_id = ?1 AND warmup = 0 AND status = 'ok' AND t_start_s IS NOT NULL"
        " ORDER BY t_start_s, id LIMIT 1", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "reading the first sample", err);
    sqlite3_bind_int64(s, 1, config_id);
    rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW;
    if (found) {
        *gen_tps = col_real(s, 0);
        *ttft_ms = col_real(s, 1);
        *e2e_ms = col_real(s, 2);
        *tokens = col_int(s, 3);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return db_fail(db, rc, "reading the first sample", err);
    return found;
}

int store_config_samples(struct sqlite3 *db, int64_t config_id, store_config_sample_cb cb, void *ctx,
                         struct bai_error *err)
{
    /* one score per sample: the first scorer by name, as every report */
    static const char *sql =
        "SELECT su.name, su.version, s.item_id, s.rep, s.tier, s.status, s.t_start_s, s.ttft_ms,"
        " s.e2e_ms, s.gen_tps, s.prompt_tps, s.completion_tokens, s.draft_n, s.draft_accepted,"
        " sc.status, sc.value, sc.passed"
        " FROM samples s JOIN suites su ON su.id = s.suite_id"
        " LEFT JOIN scores sc ON sc.sample_id = s.id AND sc.scorer ="
        "  (SELECT min(x.scorer) FROM scores x WHERE x.sample_id = s.id)"
        " WHERE s.config_id = ?1 AND s.warmup = 0"
        " ORDER BY su.name, su.version, s.item_id, s.rep";
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "reading samples", err);
    sqlite3_bind_int64(s, 1, config_id);
    int stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_config_sample x = {
            .suite = (const char *)sqlite3_column_text(s, 0),
            .suite_version = sqlite3_column_int(s, 1),
            .item_id = (const char *)sqlite3_column_text(s, 2),
            .rep = sqlite3_column_int(s, 3),
            .tier = sqlite3_column_int(s, 4),
            .status = (const char *)sqlite3_column_text(s, 5),
            .t_start_s = col_real(s, 6),
            .ttft_ms = col_real(s, 7),
            .e2e_ms = col_real(s, 8),
            .gen_tps = col_real(s, 9),
            .prompt_tps = col_real(s, 10),
            .completion_tokens = col_int(s, 11),
            .draft_n = col_int(s, 12),
            .draft_accepted = col_int(s, 13),
            .score_status = (const char *)sqlite3_column_text(s, 14),
            .value = sqlite3_column_type(s, 15) == SQLITE_NULL ? 0 : sqlite3_column_double(s, 15),
            .passed = sqlite3_column_type(s, 16) == SQLITE_NULL ? -1 : sqlite3_column_int(s, 16),
        };
        if (!x.suite || !x.item_id)
            continue;
        stop = cb(ctx, &x);
    }
    sqlite3_finalize(s);
    if (stop)
        return stop;
    if (rc != SQLITE_DONE)
        return db_fail(db, rc, "reading samples", err);
    return 0;
}

int store_run_has_tiers(struct sqlite3 *db, const char *run_id, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT EXISTS (SELECT 1 FROM samples WHERE run_id = ?1 AND tier > 0)", -1, &s,
                                NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "reading tiers", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(s);
    int has = rc == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
    sqlite3_finalize(s);
    if (has < 0)
        return db_fail(db, rc, "reading tiers", err);
    return has;
}

int store_run_configs_db(struct sqlite3 *db, const char *run_id, struct store_config_info **out, size_t *n_out,
                         struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, "SELECT id, label, model, params_json, status, reason FROM configs"
                                    " WHERE run_id = ?1 ORDER BY id", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "reading configs", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    size_t cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(*out, *n_out + 1, cap);
        struct store_config_info *c = &(*out)[(*n_out)++];
        memset(c, 0, sizeof *c);
        c->id = sqlite3_column_int64(s, 0);
        c->label = store_col_dup(s, 1);
        c->model = store_col_dup(s, 2);
        c->params_json = store_col_dup(s, 3);
        c->status = store_col_dup(s, 4);
        c->reason = store_col_dup(s, 5);
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_configs_free(*out, *n_out);
        *out = NULL;
        *n_out = 0;
        return db_fail(db, rc, "reading configs", err);
    }
    return 0;
}

int store_config_speed_rows(struct sqlite3 *db, int64_t config_id, store_speed_row_cb cb, void *ctx,
                            struct bai_error *err)
{
    /* one score per sample, the first scorer by name (a second judge must
     * not count a sample twice) */
    static const char *sql =
        "SELECT s.gen_tps, s.e2e_ms, s.ttft_ms, s.draft_n, s.draft_accepted, s.completion_tokens,"
        " s.t_start_s, sc.value, s.session"
        " FROM samples s LEFT JOIN scores sc ON sc.sample_id = s.id AND sc.scorer ="
        "  (SELECT min(x.scorer) FROM scores x WHERE x.sample_id = s.id)"
        " WHERE s.config_id = ?1 AND s.warmup = 0 AND s.status = 'ok'";
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
    if (rc != SQLITE_OK)
        return db_fail(db, rc, "reading samples", err);
    sqlite3_bind_int64(s, 1, config_id);
    int stop = 0;
    while (!stop && (rc = sqlite3_step(s)) == SQLITE_ROW) {
        struct store_speed_row x = {
            .gen_tps = col_real(s, 0), .e2e_ms = col_real(s, 1), .ttft_ms = col_real(s, 2),
            .draft_n = col_int(s, 3), .draft_accepted = col_int(s, 4), .completion_tokens = col_int(s, 5),
            .t_start_s = sqlite3_column_type(s, 6) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 6),
            .value = sqlite3_column_type(s, 7) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 7),
            .session = sqlite3_column_int64(s, 8),
        };
        stop = cb(ctx, &x);
    }
    sqlite3_finalize(s);
    if (stop)
        return stop;
    return rc == SQLITE_DONE ? 0 : db_fail(db, rc, "reading samples", err);
}
