/* merge.c - merging one store into another (shards of one run, or runs
 * from several machines). The source is ATTACHed read-only and copied with
 * INSERT ... SELECT inside one transaction, so a merge either lands whole
 * or not at all, and a 100,000-sample shard merges in seconds. */
#include "store/store_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util/mem.h"

/* Runs one statement; returns sqlite3_changes() or -1. */
static int64_t exec_changes(struct store *st, const char *sql, struct bai_error *err)
{
    if (store_exec(st, sql, err) < 0)
        return -1;
    return sqlite3_changes64(st->db);
}

/* A file: URI for ATTACH, read-only; '%', '?' and '#' are escaped so any
 * path works. */
static char *ro_uri(const char *path)
{
    struct buf b = { 0 };
    buf_puts(&b, "file:");
    for (const char *p = path; *p; p++) {
        if (*p == '%' || *p == '?' || *p == '#')
            buf_printf(&b, "%%%02X", (unsigned char)*p);
        else
            buf_putc(&b, *p);
    }
    buf_puts(&b, "?mode=ro");
    return buf_detach(&b);
}

/* Run rows whose id already exists: widen the time span, keep the worst
 * status (done < running < interrupted < failed), union the shard lists. */
static const char JOIN_RUNS[] =
    "UPDATE main.runs AS m SET"
    " started = min(m.started, s.started),"
    " finished = CASE WHEN m.finished IS NULL OR s.finished IS NULL THEN NULL"
    "            ELSE max(m.finished, s.finished) END,"
    " status = CASE WHEN (CASE s.status WHEN 'done' THEN 0 WHEN 'running' THEN 1"
    "   WHEN 'interrupted' THEN 2 ELSE 3 END) > (CASE m.status WHEN 'done' THEN 0"
    "   WHEN 'running' THEN 1 WHEN 'interrupted' THEN 2 ELSE 3 END)"
    "   THEN s.status ELSE m.status END,"
    " shard = CASE WHEN s.shard IS NULL THEN m.shard WHEN m.shard IS NULL THEN s.shard"
    "   WHEN instr(',' || m.shard || ',', ',' || s.shard || ',') > 0 THEN m.shard"
    "   ELSE m.shard || ',' || s.shard END,"
    " note = coalesce(m.note, s.note), llama_build = coalesce(m.llama_build, s.llama_build),"
    " host_json = coalesce(m.host_json, s.host_json)"
    " FROM src.runs AS s WHERE s.id = m.id";

static const char SAMPLE_COLS[] =
    "tier, status, attempts, warmup, t_start_s, ttft_ms, e2e_ms, tpot_ms, prompt_tokens,"
    " completion_tokens, cached_tokens, prompt_ms, prompt_tps, gen_ms, gen_tps, draft_n,"
    " draft_accepted, finish_reason, error, output, reasoning, tool_calls_json, itl_ms_json,"
    " timings_json, speed_source, cache_hit, cache_bypass, prompt_prefix, flags";

/* Lists conflicting duplicates; each line says what differs. */
static int64_t report_conflicts(struct store *st, struct buf *out, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
        "SELECT x.run_id, c.label, su.name, su.version, x.item_id, x.rep,"
        " m.output IS NOT s.output, m.error IS NOT s.error OR m.status IS NOT s.status,"
        " (SELECT group_concat(a.scorer, ',') FROM src.scores a JOIN main.scores b"
        "   ON b.sample_id = x.dst_id AND b.scorer = a.scorer"
        "   WHERE a.sample_id = x.src_id AND (a.value IS NOT b.value OR a.passed IS NOT b.passed))"
        " FROM temp.bai_merge_samples x JOIN main.samples m ON m.id = x.dst_id"
        " JOIN src.samples s ON s.id = x.src_id JOIN main.configs c ON c.id = x.config_id"
        " JOIN main.suites su ON su.id = x.suite_id WHERE x.conflict = 1"
        " ORDER BY x.run_id, c.label, su.name, x.item_id, x.rep", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "listing merge conflicts", err);
    int64_t n = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        n++;
        if (!out)
            continue;
        const unsigned char *scorers = sqlite3_column_text(s, 8);
        buf_printf(out, "conflict: run %s config '%s' suite %s v%d item %s rep %d:%s%s%s%s\n",
                   sqlite3_column_text(s, 0), sqlite3_column_text(s, 1),
                   sqlite3_column_text(s, 2), sqlite3_column_int(s, 3),
                   sqlite3_column_text(s, 4), sqlite3_column_int(s, 5),
                   sqlite3_column_int(s, 6) ? " different output" : "",
                   sqlite3_column_int(s, 7) ? " different status/error" : "",
                   scorers ? " different score: " : "", scorers ? (const char *)scorers : "");
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "listing merge conflicts", err);
    return n;
}

static int merge_attached(struct store *st, struct store_merge_stats *stats, struct buf *conflicts,
                          struct bai_error *err)
{
    int64_t n;
    /* runs */
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM src.runs WHERE id IN (SELECT id FROM main.runs)",
                           -1, &q, NULL) != SQLITE_OK || sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return store_fail(st, sqlite3_errcode(st->db), "merging runs", err);
    }
    stats->runs_joined += sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    if (store_exec(st, JOIN_RUNS, err) < 0)
        return -1;
    if ((n = exec_changes(st,
            "INSERT INTO main.runs(id, started, finished, status, host_json, benchai_version,"
            " llama_build, plan_json, note, shard) SELECT id, started, finished, status,"
            " host_json, benchai_version, llama_build, plan_json, note, shard FROM src.runs"
            " WHERE id NOT IN (SELECT id FROM main.runs)", err)) < 0)
        return -1;
    stats->runs_added += n;
    if (store_exec(st, "INSERT OR IGNORE INTO main.run_tags(run_id, tag)"
                       " SELECT run_id, tag FROM src.run_tags", err) < 0)
        return -1;
    /* suites and configs, with id maps from the source's ids to ours */
    if ((n = exec_changes(st, "INSERT OR IGNORE INTO main.suites(name, version, sha256, n_items)"
                              " SELECT name, version, sha256, n_items FROM src.suites", err)) < 0)
        return -1;
    stats->suites_added += n;
    /* a suite both stores have: keep a known item count */
    if (store_exec(st, "UPDATE main.suites SET n_items = (SELECT s.n_items FROM src.suites s"
                       " WHERE s.name = suites.name AND s.version = suites.version"
                       " AND s.sha256 = suites.sha256) WHERE n_items IS NULL", err) < 0)
        return -1;
    if ((n = exec_changes(st,
            "INSERT INTO main.configs(run_id, label, backend, model, model_sha256, draft,"
            " params_json, server_argv, server_build, props_json, status, reason, identity,"
            " identity_json, draft_sha256)"
            " SELECT run_id, label, backend, model, model_sha256, draft, params_json,"
            " server_argv, server_build, props_json, status, reason, identity, identity_json,"
            " draft_sha256 FROM src.configs c"
            " WHERE NOT EXISTS (SELECT 1 FROM main.configs m WHERE m.run_id = c.run_id"
            " AND m.label = c.label) ORDER BY id", err)) < 0)
        return -1;
    stats->configs_added += n;
    if (store_exec(st,
            "CREATE TEMP TABLE bai_merge_suites AS SELECT s.id AS src_id, m.id AS dst_id"
            " FROM src.suites s JOIN main.suites m USING (name, version, sha256);"
            "CREATE TEMP TABLE bai_merge_configs AS SELECT s.id AS src_id, m.id AS dst_id"
            " FROM src.configs s JOIN main.configs m USING (run_id, label);"
            "CREATE TEMP TABLE bai_merge_samples(src_id INTEGER PRIMARY KEY, run_id TEXT,"
            " config_id INTEGER, suite_id INTEGER, item_id TEXT, rep INTEGER, dst_id INTEGER,"
            " is_new INTEGER NOT NULL DEFAULT 0, conflict INTEGER NOT NULL DEFAULT 0);"
            "INSERT INTO temp.bai_merge_samples(src_id, run_id, config_id, suite_id, item_id,"
            " rep, dst_id) SELECT s.id, s.run_id, cm.dst_id, sm.dst_id, s.item_id, s.rep, m.id"
            " FROM src.samples s JOIN temp.bai_merge_configs cm ON cm.src_id = s.config_id"
            " JOIN temp.bai_merge_suites sm ON sm.src_id = s.suite_id"
            " LEFT JOIN main.samples m ON m.run_id = s.run_id AND m.config_id = cm.dst_id"
            " AND m.suite_id = sm.dst_id AND m.item_id = s.item_id AND m.rep = s.rep;"
            "UPDATE temp.bai_merge_samples SET is_new = 1 WHERE dst_id IS NULL;", err) < 0)
        return -1;
    /* samples not present yet; the SELECT takes each column from s. */
    struct buf cols = { 0 };
    const char *c = SAMPLE_COLS;
    while (*c) {
        while (*c == ' ' || *c == ',')
            c++;
        const char *e = c;
        while (*e && *e != ',')
            e++;
        buf_printf(&cols, "%ss.%.*s", cols.len ? ", " : "", (int)(e - c), c);
        c = e;
    }
    char *sql = xasprintf("INSERT INTO main.samples(run_id, config_id, suite_id, item_id, rep, %s)"
                    " SELECT x.run_id, x.config_id, x.suite_id, x.item_id, x.rep, %s"
                    " FROM temp.bai_merge_samples x JOIN src.samples s ON s.id = x.src_id"
                    " WHERE x.is_new ORDER BY x.src_id", SAMPLE_COLS, cols.data);
    buf_free(&cols);
    n = exec_changes(st, sql, err);
    free(sql);
    if (n < 0)
        return -1;
    stats->samples_added += n;
    if (store_exec(st,
            "UPDATE temp.bai_merge_samples AS x SET dst_id = m.id FROM main.samples m"
            " WHERE x.is_new AND m.run_id = x.run_id AND m.config_id = x.config_id"
            " AND m.suite_id = x.suite_id AND m.item_id = x.item_id AND m.rep = x.rep;"
            "INSERT INTO main.scores(sample_id, scorer, value, passed, status, extracted,"
            " detail_json) SELECT x.dst_id, sc.scorer, sc.value, sc.passed, sc.status,"
            " sc.extracted, sc.detail_json FROM temp.bai_merge_samples x"
            " JOIN src.scores sc ON sc.sample_id = x.src_id WHERE x.is_new;"
            /* duplicates: which ones conflict */
            "UPDATE temp.bai_merge_samples AS x SET conflict = 1 FROM main.samples m,"
            " src.samples s WHERE NOT x.is_new AND m.id = x.dst_id AND s.id = x.src_id"
            " AND (m.output IS NOT s.output OR m.error IS NOT s.error OR m.status IS NOT s.status"
            " OR EXISTS (SELECT 1 FROM src.scores a JOIN main.scores b ON b.sample_id = x.dst_id"
            " AND b.scorer = a.scorer WHERE a.sample_id = x.src_id"
            " AND (a.value IS NOT b.value OR a.passed IS NOT b.passed)));"
            /* an identical duplicate may carry a scorer we lack (a rescore) */
            "INSERT OR IGNORE INTO main.scores(sample_id, scorer, value, passed, status,"
            " extracted, detail_json) SELECT x.dst_id, sc.scorer, sc.value, sc.passed,"
            " sc.status, sc.extracted, sc.detail_json FROM temp.bai_merge_samples x"
            " JOIN src.scores sc ON sc.sample_id = x.src_id WHERE NOT x.is_new AND NOT x.conflict;",
            err) < 0)
        return -1;
    int64_t n_conflicts = report_conflicts(st, conflicts, err);
    if (n_conflicts < 0)
        return -1;
    stats->samples_conflicting += n_conflicts;
    if (sqlite3_prepare_v2(st->db, "SELECT count(*) FROM temp.bai_merge_samples"
                                   " WHERE NOT is_new AND NOT conflict", -1, &q, NULL) != SQLITE_OK ||
        sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        return store_fail(st, sqlite3_errcode(st->db), "merging samples", err);
    }
    stats->samples_identical += sqlite3_column_int64(q, 0);
    sqlite3_finalize(q);
    /* incidents (deduplicated by content) */
    if ((n = exec_changes(st,
            "INSERT INTO main.incidents(run_id, config_id, t, kind, message)"
            " SELECT i.run_id, cm.dst_id, i.t, i.kind, i.message FROM src.incidents i"
            " LEFT JOIN temp.bai_merge_configs cm ON cm.src_id = i.config_id"
            " WHERE NOT EXISTS (SELECT 1 FROM main.incidents m WHERE m.run_id = i.run_id"
            " AND m.t = i.t AND m.kind = i.kind AND m.message IS i.message) ORDER BY i.id",
            err)) < 0)
        return -1;
    stats->incidents_added += n;
    /* server starts (schema v5; a source written before has none): each
     * config's starts follow the destination's, an identical start (same
     * time and load time) is not copied twice */
    sqlite3_stmt *has = NULL;
    int have_starts = sqlite3_prepare_v2(st->db, "SELECT 1 FROM src.sqlite_master WHERE type = 'table'"
                                         " AND name = 'server_starts'", -1, &has, NULL) == SQLITE_OK &&
                      sqlite3_step(has) == SQLITE_ROW;
    sqlite3_finalize(has);
    if (have_starts &&
        store_exec(st,
            "INSERT INTO main.server_starts(run_id, config_id, seq, t, load_ms, rss_loaded_bytes,"
            " rss_peak_bytes, gpu_loaded_bytes, gpu_peak_bytes, gpu_source, model_bytes, kv_bytes,"
            " compute_bytes, layers_offloaded, layers_total, gpu_devices, buffers_json, first_ttft_ms,"
            " first_e2e_ms, first_gen_tps, first_prompt_tps, first_tokens)"
            " SELECT s.run_id, cm.dst_id, s.seq + (SELECT coalesce(max(m.seq) + 1, 0) FROM main.server_starts m"
            " WHERE m.config_id = cm.dst_id), s.t, s.load_ms, s.rss_loaded_bytes, s.rss_peak_bytes,"
            " s.gpu_loaded_bytes, s.gpu_peak_bytes, s.gpu_source, s.model_bytes, s.kv_bytes, s.compute_bytes,"
            " s.layers_offloaded, s.layers_total, s.gpu_devices, s.buffers_json, s.first_ttft_ms, s.first_e2e_ms,"
            " s.first_gen_tps, s.first_prompt_tps, s.first_tokens"
            " FROM src.server_starts s JOIN temp.bai_merge_configs cm ON cm.src_id = s.config_id"
            " WHERE NOT EXISTS (SELECT 1 FROM main.server_starts m WHERE m.config_id = cm.dst_id"
            " AND m.t = s.t AND m.load_ms IS s.load_ms) ORDER BY s.config_id, s.seq", err) < 0)
        return -1;
    return 0;
}

int store_merge(struct store *dst, const char *src_path, struct store_merge_stats *stats,
                struct buf *conflicts, struct bai_error *err)
{
    struct stat a, b;
    if (stat(dst->path, &a) == 0 && stat(src_path, &b) == 0 && a.st_dev == b.st_dev &&
        a.st_ino == b.st_ino) {
        bai_error_set(err, BAI_EXIT_USAGE, "cannot merge %s into itself", src_path);
        return -1;
    }
    if (dst->tx_depth > 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "store_merge inside a batch");
        return -1;
    }
    /* Validates the source (SQLite, a benchai store, not newer) and brings
     * an older one to the current schema so the copy sees known columns. */
    struct store *src = store_open_readonly(src_path, err);
    if (!src)
        return -1;
    store_close(src);

    char *uri = ro_uri(src_path);
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(dst->db, "ATTACH DATABASE ?1 AS src", -1, &s, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_bind_text(s, 1, uri, -1, SQLITE_TRANSIENT);
        rc = sqlite3_step(s);
    }
    sqlite3_finalize(s);
    free(uri);
    if (rc != SQLITE_DONE) {
        store_fail(dst, rc, "attaching the store to merge", err);
        bai_error_prefix(err, "%s", src_path);
        return -1;
    }
    struct store_merge_stats local = { 0 };
    int result = store_begin(dst, err);
    if (result == 0) {
        result = merge_attached(dst, &local, conflicts, err);
        if (result == 0)
            result = store_commit(dst, err);
        else
            store_rollback(dst);
    }
    sqlite3_exec(dst->db,
                 "DROP TABLE IF EXISTS temp.bai_merge_samples;"
                 "DROP TABLE IF EXISTS temp.bai_merge_configs;"
                 "DROP TABLE IF EXISTS temp.bai_merge_suites;"
                 "DETACH DATABASE src", NULL, NULL, NULL);
    if (result < 0) {
        bai_error_prefix(err, "merging %s", src_path);
        return -1;
    }
    stats->runs_added += local.runs_added;
    stats->runs_joined += local.runs_joined;
    stats->configs_added += local.configs_added;
    stats->suites_added += local.suites_added;
    stats->samples_added += local.samples_added;
    stats->samples_identical += local.samples_identical;
    stats->samples_conflicting += local.samples_conflicting;
    stats->incidents_added += local.incidents_added;
    return 0;
}
