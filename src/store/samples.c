/* samples.c - the write path of a run: configs, suites, samples with their
 * scores and incidents. Each write is its own transaction unless
 * a batch (store_begin) is open. */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static int bind_num(sqlite3_stmt *s, int i, double v)
{
    return v < 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_double(s, i, v);
}

static int bind_count(sqlite3_stmt *s, int i, int64_t v)
{
    return v < 0 ? sqlite3_bind_null(s, i) : sqlite3_bind_int64(s, i, v);
}

/* Runs a cached write statement to completion. */
static int step_done(struct store *st, sqlite3_stmt *s, const char *what, struct bai_error *err)
{
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    return rc == SQLITE_DONE ? 0 : store_fail(st, rc, what, err);
}

/* ---- configs ------------------------------------------------------------- */

static void bind_config(sqlite3_stmt *s, const struct store_config *c)
{
    store_bind_text(s, 2, c->backend);
    store_bind_text(s, 3, c->model);
    store_bind_text(s, 4, c->model_sha256);
    store_bind_text(s, 5, c->draft);
    store_bind_text(s, 6, c->params_json);
    store_bind_text(s, 7, c->server_argv);
    store_bind_text(s, 8, c->server_build);
    store_bind_text(s, 9, c->props_json);
    store_bind_text(s, 10, c->status);
    store_bind_text(s, 11, c->reason);
    store_bind_text(s, 13, c->identity);
    store_bind_text(s, 14, c->identity_json);
    store_bind_text(s, 15, c->draft_sha256);
}

int store_config_update(struct store *st, int64_t config_id, const struct store_config *cfg,
                        struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_CONFIG_UPDATE,
        "UPDATE configs SET backend = coalesce(?2, backend), model = coalesce(?3, model),"
        " model_sha256 = coalesce(?4, model_sha256), draft = coalesce(?5, draft),"
        " params_json = coalesce(?6, params_json), server_argv = coalesce(?7, server_argv),"
        " server_build = coalesce(?8, server_build), props_json = coalesce(?9, props_json),"
        " status = coalesce(?10, status),"
        " reason = CASE WHEN ?10 = 'ok' THEN ?11 ELSE coalesce(?11, reason) END,"
        " identity = coalesce(?13, identity), identity_json = coalesce(?14, identity_json),"
        " draft_sha256 = coalesce(?15, draft_sha256) WHERE id = ?1", err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, config_id);
    bind_config(s, cfg);
    return step_done(st, s, "updating a config", err);
}

int64_t store_config_add(struct store *st, const char *run_id, const struct store_config *cfg,
                         struct bai_error *err)
{
    if (!cfg->label || !*cfg->label) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "store_config_add: a config needs a label");
        return -1;
    }
    if (store_tx_begin(st, err) < 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, SS_CONFIG_FIND,
                                 "SELECT id FROM configs WHERE run_id = ?1 AND label = ?2", err);
    if (!s)
        goto fail;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, cfg->label, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        store_fail(st, rc, "finding a config", err);
        goto fail;
    }
    if (id >= 0) {
        if (store_config_update(st, id, cfg, err) < 0)
            goto fail;
    } else {
        s = store_stmt(st, SS_CONFIG_INSERT,
                       "INSERT INTO configs(run_id, backend, model, model_sha256, draft,"
                       " params_json, server_argv, server_build, props_json, status, reason,"
                       " label, identity, identity_json, draft_sha256) VALUES (?1, ?2, ?3, ?4, ?5,"
                       " ?6, ?7, ?8, ?9, coalesce(?10, 'ok'), ?11, ?12, ?13, ?14, ?15)", err);
        if (!s)
            goto fail;
        sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
        bind_config(s, cfg);
        sqlite3_bind_text(s, 12, cfg->label, -1, SQLITE_TRANSIENT);
        if (step_done(st, s, "adding a config", err) < 0)
            goto fail;
        id = sqlite3_last_insert_rowid(st->db);
    }
    if (store_tx_commit(st, err) < 0)
        return -1;
    return id;
fail:
    store_tx_rollback(st);
    return -1;
}

int store_config_find(struct store *st, const char *run_id, const char *label, int64_t *id_out,
                      char **identity_json_out, struct bai_error *err)
{
    *identity_json_out = NULL;
    sqlite3_stmt *s = store_stmt(st, SS_CONFIG_IDENTITY,
                                 "SELECT id, identity_json FROM configs WHERE run_id = ?1 AND label = ?2", err);
    if (!s)
        return -1;
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(s, 2, label, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        *id_out = sqlite3_column_int64(s, 0);
        *identity_json_out = store_col_dup(s, 1);
    }
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "finding a config", err);
    return rc == SQLITE_ROW;
}

/* ---- suites -------------------------------------------------------------- */

int64_t store_suite_add(struct store *st, const char *name, int version, const char *sha256,
                        struct bai_error *err)
{
    /* INSERT OR IGNORE then SELECT: safe against another process adding the
     * same suite between the two, without a transaction. */
    sqlite3_stmt *s = store_stmt(st, SS_SUITE_INSERT,
                                 "INSERT OR IGNORE INTO suites(name, version, sha256)"
                                 " VALUES (?1, ?2, ?3)", err);
    if (!s)
        return -1;
    store_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    store_bind_text(s, 3, sha256);
    if (step_done(st, s, "adding a suite", err) < 0)
        return -1;
    s = store_stmt(st, SS_SUITE_FIND,
                   "SELECT id FROM suites WHERE name = ?1 AND version = ?2 AND sha256 = ?3", err);
    if (!s)
        return -1;
    store_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    store_bind_text(s, 3, sha256);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    store_stmt_done(s);
    if (rc != SQLITE_ROW)
        return store_fail(st, rc, "finding a suite", err);
    return id;
}

int64_t store_suite_find(struct store *st, const char *name, int version, const char *sha256,
                         struct bai_error *err)
{
    sqlite3_stmt *s = store_stmt(st, SS_SUITE_FIND,
                                 "SELECT id FROM suites WHERE name = ?1 AND version = ?2 AND sha256 = ?3", err);
    if (!s)
        return -1;
    store_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    store_bind_text(s, 3, sha256);
    int rc = sqlite3_step(s);
    int64_t id = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    store_stmt_done(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "finding a suite", err);
    return id;
}

int store_suite_set_items(struct store *st, int64_t suite_id, int64_t n_items,
                          struct bai_error *err)
{
    /* written only when it changes: every (config, suite) of a run calls this */
    sqlite3_stmt *s = store_stmt(st, SS_SUITE_ITEMS,
                                 "UPDATE suites SET n_items = ?2 WHERE id = ?1"
                                 " AND n_items IS NOT ?2", err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, suite_id);
    sqlite3_bind_int64(s, 2, n_items);
    return step_done(st, s, "recording a suite's item count", err);
}

int store_suite_hash_conflict(struct store *st, const char *name, int version,
                              const char *sha256, char other_out[65])
{
    sqlite3_stmt *s = store_stmt(st, SS_SUITE_CONFLICT,
                                 "SELECT sha256 FROM suites WHERE name = ?1 AND version = ?2"
                                 " AND sha256 <> ?3 ORDER BY id DESC LIMIT 1", NULL);
    if (!s)
        return -1;
    store_bind_text(s, 1, name);
    sqlite3_bind_int(s, 2, version);
    store_bind_text(s, 3, sha256);
    int rc = sqlite3_step(s);
    int found = rc == SQLITE_ROW;
    if (found)
        snprintf(other_out, 65, "%s", (const char *)sqlite3_column_text(s, 0));
    store_stmt_done(s);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? found : -1;
}

/* ---- samples and scores ---------------------------------------------------- */

static int score_write(struct store *st, int replace, int64_t sample_id,
                       const struct store_score *sc, struct bai_error *err)
{
    sqlite3_stmt *s = replace
        ? store_stmt(st, SS_SCORE_REPLACE,
                     "INSERT OR REPLACE INTO scores(sample_id, scorer, value, passed, status,"
                     " extracted, detail_json, scored_at) VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'scored'),"
                     " ?6, ?7, ?8)", err)
        : store_stmt(st, SS_SCORE_INSERT,
                     "INSERT INTO scores(sample_id, scorer, value, passed, status, extracted,"
                     " detail_json, scored_at) VALUES (?1, ?2, ?3, ?4, coalesce(?5, 'scored'), ?6, ?7, ?8)",
                     err);
    if (!s)
        return -1;
    sqlite3_bind_int64(s, 1, sample_id);
    store_bind_text(s, 2, sc->scorer ? sc->scorer : "");
    sqlite3_bind_double(s, 3, sc->value);
    if (sc->passed < 0)
        sqlite3_bind_null(s, 4);
    else
        sqlite3_bind_int(s, 4, sc->passed ? 1 : 0);
    store_bind_text(s, 5, sc->status);
    store_bind_text(s, 6, sc->extracted);
    store_bind_text(s, 7, sc->detail_json);
    /* milliseconds: a rescore right after a run must sort after it */
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    char now[48], sec[32];
    strftime(sec, sizeof sec, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(now, sizeof now, "%s.%03ldZ", sec, ts.tv_nsec / 1000000);
    store_bind_text(s, 8, now);
    return step_done(st, s, "writing a score", err);
}

int64_t store_sample_put(struct store *st, const struct store_sample *x,
                         const struct store_score *score, struct bai_error *err)
{
    if (store_tx_begin(st, err) < 0)
        return -1;
    sqlite3_stmt *s = store_stmt(st, SS_SAMPLE_INSERT,
        "INSERT INTO samples(run_id, config_id, suite_id, item_id, rep, tier, status, error,"
        " output, reasoning, finish_reason, tool_calls_json, t_start_s, ttft_ms, e2e_ms,"
        " tpot_ms, itl_ms_json, prompt_tokens, completion_tokens, cached_tokens, prompt_ms,"
        " prompt_tps, gen_ms, gen_tps, draft_n, draft_accepted, timings_json, attempts, warmup,"
        " speed_source, cache_hit, cache_bypass, prompt_prefix, flags, session)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, coalesce(?7, 'ok'), ?8, ?9, ?10, ?11, ?12, ?13, ?14,"
        " ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27, ?28, ?29, ?30, ?31,"
        " ?32, ?33, ?34, ?35)", err);
    if (!s)
        goto fail;
    store_bind_text(s, 1, x->run_id);
    sqlite3_bind_int64(s, 2, x->config_id);
    sqlite3_bind_int64(s, 3, x->suite_id);
    store_bind_text(s, 4, x->item_id);
    sqlite3_bind_int(s, 5, x->rep);
    sqlite3_bind_int(s, 6, x->tier);
    store_bind_text(s, 7, x->status);
    store_bind_text(s, 8, x->error);
    store_bind_text(s, 9, x->output);
    store_bind_text(s, 10, x->reasoning);
    store_bind_text(s, 11, x->finish_reason);
    store_bind_text(s, 12, x->tool_calls_json);
    if (x->t_start_s > 0)
        sqlite3_bind_double(s, 13, x->t_start_s);
    bind_num(s, 14, x->ttft_ms);
    bind_num(s, 15, x->e2e_ms);
    bind_num(s, 16, x->tpot_ms);
    store_bind_text(s, 17, x->itl_ms_json);
    bind_count(s, 18, x->prompt_tokens);
    bind_count(s, 19, x->completion_tokens);
    bind_count(s, 20, x->cached_tokens);
    bind_num(s, 21, x->prompt_ms);
    bind_num(s, 22, x->prompt_tps);
    bind_num(s, 23, x->gen_ms);
    bind_num(s, 24, x->gen_tps);
    bind_count(s, 25, x->draft_n);
    bind_count(s, 26, x->draft_accepted);
    store_bind_text(s, 27, x->timings_json);
    sqlite3_bind_int(s, 28, x->attempts > 0 ? x->attempts : 1);
    sqlite3_bind_int(s, 29, x->warmup ? 1 : 0);
    store_bind_text(s, 30, x->speed_source);
    if (x->cached_tokens >= 0)
        sqlite3_bind_int(s, 31, x->cache_hit ? 1 : 0);
    else
        sqlite3_bind_null(s, 31);
    store_bind_text(s, 32, x->cache_bypass);
    store_bind_text(s, 33, x->prompt_prefix);
    store_bind_text(s, 34, x->flags);
    if (st->session_id && !strcmp(st->session_run, x->run_id ? x->run_id : ""))
        sqlite3_bind_int64(s, 35, st->session_id);
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY) {
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s: sample already stored (run %s, config %lld, suite %lld, item %s, "
                      "rep %d); stored samples are never overwritten", st->path, x->run_id,
                      (long long)x->config_id, (long long)x->suite_id, x->item_id, x->rep);
        goto fail;
    }
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY) {
        bai_error_set(err, BAI_EXIT_INTERNAL,
                      "%s: sample for item %s names a run, config or suite that is not stored "
                      "(run %s, config %lld, suite %lld)", st->path, x->item_id, x->run_id,
                      (long long)x->config_id, (long long)x->suite_id);
        goto fail;
    }
    if (rc != SQLITE_DONE) {
        char what[160];
        snprintf(what, sizeof what, "writing the sample of item %.100s", x->item_id);
        store_fail(st, rc, what, err);
        goto fail;
    }
    int64_t id = sqlite3_last_insert_rowid(st->db);
    if (score && score_write(st, 0, id, score, err) < 0)
        goto fail;
    if (store_tx_commit(st, err) < 0)
        return -1;
    return id;
fail:
    store_tx_rollback(st);
    return -1;
}

int store_sample_exists(struct store *st, const char *run_id, int64_t config_id,
                        int64_t suite_id, const char *item_id, int rep)
{
    sqlite3_stmt *s = store_stmt(st, SS_SAMPLE_EXISTS,
                                 "SELECT 1 FROM samples WHERE run_id = ?1 AND config_id = ?2"
                                 " AND suite_id = ?3 AND item_id = ?4 AND rep = ?5", NULL);
    if (!s)
        return -1;
    store_bind_text(s, 1, run_id);
    sqlite3_bind_int64(s, 2, config_id);
    sqlite3_bind_int64(s, 3, suite_id);
    store_bind_text(s, 4, item_id);
    sqlite3_bind_int(s, 5, rep);
    int rc = sqlite3_step(s);
    store_stmt_done(s);
    return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int store_score_put(struct store *st, int64_t sample_id, const struct store_score *score,
                    struct bai_error *err)
{
    if (store_tx_begin(st, err) < 0)
        return -1;
    if (score_write(st, 1, sample_id, score, err) < 0) {
        store_tx_rollback(st);
        return -1;
    }
    return store_tx_commit(st, err);
}

/* ---- incidents ------------------------------------------------------------- */

int store_incident_add(struct store *st, const char *run_id, int64_t config_id,
                       const char *kind, const char *message, struct bai_error *err)
{
    char now[32];
    store_now_iso(now);
    sqlite3_stmt *s = store_stmt(st, SS_INCIDENT_INSERT,
                                 "INSERT INTO incidents(run_id, config_id, t, kind, message)"
                                 " VALUES (?1, ?2, ?3, ?4, ?5)", err);
    if (!s)
        return -1;
    store_bind_text(s, 1, run_id);
    if (config_id > 0)
        sqlite3_bind_int64(s, 2, config_id);
    sqlite3_bind_text(s, 3, now, -1, SQLITE_TRANSIENT);
    store_bind_text(s, 4, kind ? kind : "note");
    store_bind_text(s, 5, message);
    return step_done(st, s, "recording an incident", err);
}
