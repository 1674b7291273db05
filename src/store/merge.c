/* merge.c - merging one store into another (shards of one run, or runs
 * from several machines). The source is ATTACHed read-only and copied with
 * INSERT ... SELECT inside one transaction, so a merge either lands whole
 * or not at all, and a 100,000-sample shard merges in seconds. A source of
 * an older schema is never migrated in place: a snapshot of it is.
 *
 * Before anything is merged, the views (store_merge_view) of the output and
 * of every input are compared: the shards of one run must agree on what
 * makes their numbers comparable, per run (manifest, benchai version,
 * llama.cpp build, suite contents) and per configuration (the fields of
 * config_fields below). */
#include "store/store_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
 * status (done < running < interrupted < failed), union the shard lists.
 * A run with a manifest has its status derived again after the merge
 * (store_run_refresh_status), so the worst status only stays for runs
 * stored before manifests. */
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
    " host_json = coalesce(m.host_json, s.host_json),"
    " n_shards = coalesce(m.n_shards, s.n_shards),"
    " manifest_sha256 = coalesce(m.manifest_sha256, s.manifest_sha256)"
    " FROM src.runs AS s WHERE s.id = m.id";

/* Sessions are identities (random ids): a session seen again brings its
 * later state (running -> its final status, a later heartbeat). */
static const char MERGE_SESSIONS[] =
    "INSERT INTO main.run_sessions(id, run_id, shard, n_shards, status, started, finished, heartbeat,"
    " hostname, pid, host_json, benchai_version, llama_build, env_json)"
    " SELECT id, run_id, shard, n_shards, status, started, finished, heartbeat, hostname, pid,"
    " host_json, benchai_version, llama_build, env_json FROM src.run_sessions WHERE true"
    " ON CONFLICT(id) DO UPDATE SET"
    " status = CASE WHEN run_sessions.status = 'running' THEN excluded.status ELSE run_sessions.status END,"
    " finished = coalesce(run_sessions.finished, excluded.finished),"
    " heartbeat = max(coalesce(run_sessions.heartbeat, 0), coalesce(excluded.heartbeat, 0)),"
    " llama_build = coalesce(run_sessions.llama_build, excluded.llama_build)";

static const char SAMPLE_COLS[] =
    "tier, status, attempts, warmup, t_start_s, ttft_ms, e2e_ms, tpot_ms, prompt_tokens,"
    " completion_tokens, cached_tokens, prompt_ms, prompt_tps, gen_ms, gen_tps, draft_n,"
    " draft_accepted, finish_reason, error, output, reasoning, tool_calls_json, itl_ms_json,"
    " timings_json, speed_source, cache_hit, cache_bypass, prompt_prefix, flags, session";

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
            " llama_build, plan_json, note, shard, n_shards, manifest_sha256) SELECT id, started,"
            " finished, status, host_json, benchai_version, llama_build, plan_json, note, shard,"
            " n_shards, manifest_sha256 FROM src.runs WHERE id NOT IN (SELECT id FROM main.runs)",
            err)) < 0)
        return -1;
    stats->runs_added += n;
    if ((n = exec_changes(st, MERGE_SESSIONS, err)) < 0)
        return -1;
    if (store_exec(st, "INSERT OR IGNORE INTO main.run_planned(run_id, shard, config, suite, items, samples)"
                       " SELECT run_id, shard, config, suite, items, samples FROM src.run_planned", err) < 0)
        return -1;
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
    /* server starts (schema v9; a source written before has none): each
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
    /* each run's status follows from its shards now that they are merged */
    if (sqlite3_prepare_v2(st->db, "SELECT id FROM src.runs", -1, &q, NULL) != SQLITE_OK)
        return store_fail(st, sqlite3_errcode(st->db), "merging runs", err);
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        char id[STORE_RUN_ID_MAX];
        snprintf(id, sizeof id, "%s", (const char *)sqlite3_column_text(q, 0));
        if (store_run_refresh_status(st, id, err) < 0) {
            sqlite3_finalize(q);
            return -1;
        }
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE)
        return store_fail(st, rc, "merging runs", err);
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
    /* Validates the source (SQLite, a benchai store, not newer). An older
     * one is not migrated in place (an input is only read): a snapshot of
     * it is, and merged from. */
    int version = 0;
    struct store *src = store_open_readonly_as_is(src_path, &version, err);
    if (!src)
        return -1;
    char *tmp = NULL;
    if (version < STORE_SCHEMA_VERSION) {
        tmp = xasprintf("%s.merge-%ld.db", dst->path, (long)getpid());
        struct store *snap = NULL;
        if (store_copy(src, tmp, err) < 0 || !(snap = store_open(tmp, err))) {
            store_close(src);
            unlink(tmp);
            free(tmp);
            bai_error_prefix(err, "%s", src_path);
            return -1;
        }
        store_close(snap);
    }
    store_close(src);

    char *uri = ro_uri(tmp ? tmp : src_path);
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
        if (tmp)
            unlink(tmp);
        free(tmp);
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
    if (tmp) {
        unlink(tmp);
        char *side = xasprintf("%s-wal", tmp);
        unlink(side);
        side[strlen(side) - 3] = 's', side[strlen(side) - 2] = 'h', side[strlen(side) - 1] = 'm';
        unlink(side);
        free(side);
        free(tmp);
    }
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

/* ---- what the shards of one run must agree on ------------------------------- */

/* Per configuration (same run, same label in both stores): each field
 * that both record must be equal. Adding a field is one line; since: the
 * schema version that has the column (older stores are read as they are). */
static const struct merge_field {
    const char *column, *what;
    int since;
} config_fields[] = {
    { "params_json", "launch settings", 1 },
    { "model_sha256", "model sha256", 1 },
    { "server_build", "llama.cpp build", 1 },
    /* a hash of everything that can change the numbers (settings/identity.h) */
    { "identity", "configuration identity", 5 },
    { "draft_sha256", "draft sha256", 5 },
};
#define N_CONFIG_FIELDS (sizeof config_fields / sizeof config_fields[0])

/* Per run: the values its run row and every session of it recorded; the
 * two stores' sets must be equal. sessions_since: the schema version with
 * run_sessions. */
static const struct merge_field run_fields[] = {
    { "benchai_version", "benchai version", 1 },
    { "llama_build", "llama.cpp build", 1 },
};
#define N_RUN_FIELDS (sizeof run_fields / sizeof run_fields[0])
#define SESSIONS_SINCE 10

struct mv_config {
    char *run_id, *label;
    char *field[N_CONFIG_FIELDS];
};

struct mv_set {
    char **v;
    size_t n, cap;
};

struct mv_run {
    char *id;
    int n_shards;                /* 0: unknown */
    char *manifest;              /* NULL: unknown */
    cJSON *suites;               /* plan_json's suites array (name, version, sha256), or NULL */
    struct mv_set values[N_RUN_FIELDS];
};

struct store_merge_view {
    struct mv_run *runs;
    size_t n_runs, cap_runs;
    struct mv_config *cfgs;
    size_t n_cfgs, cap_cfgs;
    const char **ids;            /* store_merge_view_runs */
};

static void set_add(struct mv_set *s, const char *v)
{
    if (!v || !*v)
        return;
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->v[i], v))
            return;
    XGROW(s->v, s->n + 1, s->cap);
    s->v[s->n++] = xstrdup(v);
}

static int set_equal(const struct mv_set *a, const struct mv_set *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++) {
        int found = 0;
        for (size_t k = 0; k < b->n && !found; k++)
            found = !strcmp(a->v[i], b->v[k]);
        if (!found)
            return 0;
    }
    return 1;
}

static void set_print(const struct mv_set *s, struct buf *b)
{
    for (size_t i = 0; i < s->n; i++)
        buf_printf(b, "%s%s", i ? ", " : "", s->v[i]);
}

static struct mv_run *view_run(struct store_merge_view *v, const char *id, int create)
{
    for (size_t i = 0; i < v->n_runs; i++)
        if (!strcmp(v->runs[i].id, id))
            return &v->runs[i];
    if (!create)
        return NULL;
    XGROW(v->runs, v->n_runs + 1, v->cap_runs);
    struct mv_run *r = &v->runs[v->n_runs++];
    memset(r, 0, sizeof *r);
    r->id = xstrdup(id);
    return r;
}

static struct mv_config *view_config(const struct store_merge_view *v, const char *run_id, const char *label)
{
    for (size_t i = 0; i < v->n_cfgs; i++)
        if (!strcmp(v->cfgs[i].run_id, run_id) && !strcmp(v->cfgs[i].label, label))
            return &v->cfgs[i];
    return NULL;
}

static const char *col_text(sqlite3_stmt *s, int i)
{
    return (const char *)sqlite3_column_text(s, i);
}

static int view_fill(sqlite3 *db, int version, struct store_merge_view *v, struct bai_error *err)
{
    struct buf sql = { 0 };
    buf_printf(&sql, "SELECT id, plan_json, %s", version >= SESSIONS_SINCE ? "n_shards, manifest_sha256"
                                                                            : "NULL, NULL");
    for (size_t f = 0; f < N_RUN_FIELDS; f++)
        buf_printf(&sql, ", %s", version >= run_fields[f].since ? run_fields[f].column : "NULL");
    buf_puts(&sql, " FROM runs");
    if (version >= SESSIONS_SINCE) {
        buf_puts(&sql, " UNION ALL SELECT run_id, NULL, NULL, NULL");
        for (size_t f = 0; f < N_RUN_FIELDS; f++)
            buf_printf(&sql, ", %s", run_fields[f].column);
        buf_puts(&sql, " FROM run_sessions");
    }
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(db, sql.data, -1, &s, NULL);
    buf_free(&sql);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(s)) != SQLITE_ROW)
            break;
        struct mv_run *r = view_run(v, col_text(s, 0), 1);
        if (col_text(s, 1) && !r->suites) {
            cJSON *plan = cJSON_Parse(col_text(s, 1));
            cJSON *suites = cJSON_DetachItemFromObjectCaseSensitive(plan, "suites");
            if (cJSON_IsArray(suites))
                r->suites = suites;
            else
                cJSON_Delete(suites);
            cJSON_Delete(plan);
        }
        if (sqlite3_column_type(s, 2) != SQLITE_NULL && !r->n_shards)
            r->n_shards = sqlite3_column_int(s, 2);
        if (col_text(s, 3) && !r->manifest)
            r->manifest = xstrdup(col_text(s, 3));
        for (size_t f = 0; f < N_RUN_FIELDS; f++)
            set_add(&r->values[f], col_text(s, 4 + (int)f));
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        bai_error_set(err, BAI_EXIT_STORE, "reading the runs to merge: %s", sqlite3_errmsg(db));
        return -1;
    }
    buf_puts(&sql, "SELECT run_id, label");
    for (size_t f = 0; f < N_CONFIG_FIELDS; f++)
        buf_printf(&sql, ", %s", version >= config_fields[f].since ? config_fields[f].column : "NULL");
    buf_puts(&sql, " FROM configs ORDER BY id");
    rc = sqlite3_prepare_v2(db, sql.data, -1, &s, NULL);
    buf_free(&sql);
    while (rc == SQLITE_OK || rc == SQLITE_ROW) {
        if ((rc = sqlite3_step(s)) != SQLITE_ROW)
            break;
        if (view_config(v, col_text(s, 0), col_text(s, 1)))
            continue;
        XGROW(v->cfgs, v->n_cfgs + 1, v->cap_cfgs);
        struct mv_config *c = &v->cfgs[v->n_cfgs++];
        c->run_id = xstrdup(col_text(s, 0));
        c->label = xstrdup(col_text(s, 1));
        for (size_t f = 0; f < N_CONFIG_FIELDS; f++)
            c->field[f] = col_text(s, 2 + (int)f) ? xstrdup(col_text(s, 2 + (int)f)) : NULL;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        bai_error_set(err, BAI_EXIT_STORE, "reading the configurations to merge: %s", sqlite3_errmsg(db));
        return -1;
    }
    return 0;
}

struct store_merge_view *store_merge_view_of(struct store *st, struct bai_error *err)
{
    struct store_merge_view *v = xcalloc(1, sizeof *v);
    if (view_fill(st->db, STORE_SCHEMA_VERSION, v, err) < 0) {
        store_merge_view_free(v);
        return NULL;
    }
    return v;
}

struct store_merge_view *store_merge_view_read(const char *path, struct bai_error *err)
{
    int version = 0;
    struct store *st = store_open_readonly_as_is(path, &version, err);
    if (!st)
        return NULL;
    struct store_merge_view *v = xcalloc(1, sizeof *v);
    if (view_fill(st->db, version, v, err) < 0) {
        bai_error_prefix(err, "%s", path);
        store_merge_view_free(v);
        v = NULL;
    }
    store_close(st);
    return v;
}

void store_merge_view_free(struct store_merge_view *v)
{
    if (!v)
        return;
    for (size_t i = 0; i < v->n_runs; i++) {
        free(v->runs[i].id);
        free(v->runs[i].manifest);
        cJSON_Delete(v->runs[i].suites);
        for (size_t f = 0; f < N_RUN_FIELDS; f++) {
            for (size_t k = 0; k < v->runs[i].values[f].n; k++)
                free(v->runs[i].values[f].v[k]);
            free(v->runs[i].values[f].v);
        }
    }
    free(v->runs);
    for (size_t i = 0; i < v->n_cfgs; i++) {
        free(v->cfgs[i].run_id);
        free(v->cfgs[i].label);
        for (size_t f = 0; f < N_CONFIG_FIELDS; f++)
            free(v->cfgs[i].field[f]);
    }
    free(v->cfgs);
    free(v->ids);
    free(v);
}

static const cJSON *suite_named(const cJSON *suites, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, suites) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return e;
    }
    return NULL;
}

static size_t compare_suites(const struct mv_run *a, const char *an, const struct mv_run *b, const char *bn,
                             struct buf *diffs)
{
    size_t n = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, a->suites) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(e, "name");
        const cJSON *other = cJSON_IsString(name) ? suite_named(b->suites, name->valuestring) : NULL;
        if (!other)
            continue;
        const cJSON *va = cJSON_GetObjectItemCaseSensitive(e, "version");
        const cJSON *vb = cJSON_GetObjectItemCaseSensitive(other, "version");
        const cJSON *ha = cJSON_GetObjectItemCaseSensitive(e, "sha256");
        const cJSON *hb = cJSON_GetObjectItemCaseSensitive(other, "sha256");
        if (!cJSON_IsString(ha) || !cJSON_IsString(hb))
            continue;
        if (strcmp(ha->valuestring, hb->valuestring) || (cJSON_IsNumber(va) && cJSON_IsNumber(vb) &&
                                                         va->valueint != vb->valueint)) {
            buf_printf(diffs, "run %s: different suite %s: v%d sha256 %.12s in %s; v%d sha256 %.12s in %s\n", a->id,
                       name->valuestring, cJSON_IsNumber(va) ? va->valueint : 0, ha->valuestring, an,
                       cJSON_IsNumber(vb) ? vb->valueint : 0, hb->valuestring, bn);
            n++;
        }
    }
    return n;
}

size_t store_merge_view_compare(const struct store_merge_view *a, const char *a_name,
                                const struct store_merge_view *b, const char *b_name, struct buf *diffs)
{
    size_t n = 0;
    for (size_t i = 0; i < b->n_runs; i++) {
        const struct mv_run *rb = &b->runs[i];
        const struct mv_run *ra = view_run((struct store_merge_view *)a, rb->id, 0);
        if (!ra)
            continue;
        if ((ra->n_shards && rb->n_shards && ra->n_shards != rb->n_shards) ||
            (ra->manifest && rb->manifest && strcmp(ra->manifest, rb->manifest))) {
            buf_printf(diffs, "run %s: different manifest: %d shard(s), %.12s in %s; %d shard(s), %.12s in %s"
                              " (the shards ran different plans, suites or options)\n", rb->id, ra->n_shards,
                       ra->manifest ? ra->manifest : "-", a_name, rb->n_shards, rb->manifest ? rb->manifest : "-",
                       b_name);
            n++;
        }
        for (size_t f = 0; f < N_RUN_FIELDS; f++) {
            if (!ra->values[f].n || !rb->values[f].n || set_equal(&ra->values[f], &rb->values[f]))
                continue;
            buf_printf(diffs, "run %s: different %s: ", rb->id, run_fields[f].what);
            set_print(&ra->values[f], diffs);
            buf_printf(diffs, " in %s; ", a_name);
            set_print(&rb->values[f], diffs);
            buf_printf(diffs, " in %s\n", b_name);
            n++;
        }
        n += compare_suites(ra, a_name, rb, b_name, diffs);
    }
    for (size_t i = 0; i < b->n_cfgs; i++) {
        const struct mv_config *cb = &b->cfgs[i];
        const struct mv_config *ca = view_config(a, cb->run_id, cb->label);
        for (size_t f = 0; ca && f < N_CONFIG_FIELDS; f++) {
            if (!ca->field[f] || !cb->field[f] || !strcmp(ca->field[f], cb->field[f]))
                continue;
            buf_printf(diffs, "run %s config '%s': different %s: %s in %s; %s in %s\n", cb->run_id, cb->label,
                       config_fields[f].what, ca->field[f], a_name, cb->field[f], b_name);
            n++;
        }
    }
    return n;
}

void store_merge_view_add(struct store_merge_view *a, const struct store_merge_view *b)
{
    for (size_t i = 0; i < b->n_runs; i++) {
        const struct mv_run *rb = &b->runs[i];
        struct mv_run *ra = view_run(a, rb->id, 1);
        if (!ra->n_shards)
            ra->n_shards = rb->n_shards;
        if (!ra->manifest && rb->manifest)
            ra->manifest = xstrdup(rb->manifest);
        if (!ra->suites && rb->suites)
            ra->suites = cJSON_Duplicate(rb->suites, 1);
        for (size_t f = 0; f < N_RUN_FIELDS; f++)
            for (size_t k = 0; k < rb->values[f].n; k++)
                set_add(&ra->values[f], rb->values[f].v[k]);
    }
    for (size_t i = 0; i < b->n_cfgs; i++) {
        const struct mv_config *cb = &b->cfgs[i];
        if (view_config(a, cb->run_id, cb->label))
            continue;
        XGROW(a->cfgs, a->n_cfgs + 1, a->cap_cfgs);
        struct mv_config *c = &a->cfgs[a->n_cfgs++];
        c->run_id = xstrdup(cb->run_id);
        c->label = xstrdup(cb->label);
        for (size_t f = 0; f < N_CONFIG_FIELDS; f++)
            c->field[f] = cb->field[f] ? xstrdup(cb->field[f]) : NULL;
    }
}

size_t store_merge_view_runs(const struct store_merge_view *v, const char ***ids_out)
{
    struct store_merge_view *w = (struct store_merge_view *)v;
    free(w->ids);
    w->ids = xcalloc(v->n_runs + 1, sizeof *w->ids);
    for (size_t i = 0; i < v->n_runs; i++)
        w->ids[i] = v->runs[i].id;
    *ids_out = w->ids;
    return v->n_runs;
}
