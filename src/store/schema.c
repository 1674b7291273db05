/* schema.c - the authoritative DDL of the results store and its migrations.
 *
 * A new store is built by running every migration from version 0, so the
 * path an old store takes is the path every store takes: there is no
 * separate "create" DDL that could drift from the migrations.
 *
 *   v1  the original tables (runs, run_tags, configs, suites, samples,
 *       scores, metrics, incidents) and their indexes.
 *   v2  runs.shard (for --shard / merge); runs.n_samples and run_suites kept
 *       by triggers so `benchai runs` never scans samples; indexes for
 *       listing runs by started and status. Backfills both from samples.
 *   v3  suites.n_items: how many items the suite has, so a run limited to
 *       some of them (--limit, --shard, interrupted) reads "3 of 5" later.
 *       NULL for suites stored before (unknown).
 *   v4  drops metrics: figures are computed from the samples when read
 *       (report/figures.c); the cache went stale on rescore and merge and
 *       nothing read it (docs/ARCHITECTURE.md).
 *   v5  configs.identity (SHA-256 of identity_json), configs.identity_json
 *       (everything that can change a configuration's numbers:
 *       settings/identity.h) and configs.draft_sha256: reports keep apart
 *       configurations that share a label, gate refuses to pair different
 *       ones. NULL for configs stored before (unknown).
 *   v6  samples.speed_source (where the token count and gen tok/s come
 *       from: server timings, the client with the server's usage count, or
 *       the client counting stream chunks), samples.cache_hit (the server
 *       said most of the prompt came from its cache), samples.cache_bypass
 *       and samples.prompt_prefix (what was done to keep the prompt cache
 *       out: cache_prompt:false, a unique first line). NULL for samples
 *       stored before (unknown; their gen_tps is the server's).
 *   v7  runs.owner_pid, owner_host, owner_start: the benchai process that
 *       owns a running run (so `status` can tell a run whose process is gone
 *       from one still at work); scores.scored_at: when a score was written
 *       (which of several judges is the newest). NULL for rows written
 *       before. New values, no DDL: samples.status 'timeout', scores.status
 *       'failed' (docs/store.md).
 *   v8  samples.flags: what was repaired in the answer as it arrived
 *       ("nul,invalid_utf8,too_large"; NULL when nothing), so a replaced
 *       character or a cut stream is never silent.
 *   v9  server_starts: one row per llama-server start of a config (load
 *       time to /health ready, RSS after load and peak, GPU memory per
 *       process or why it is unavailable, the model / KV-cache / compute
 *       buffer sizes and offloaded layers from the server's load log, and
 *       the first request after the start).
 *   v10 the run manifest and the shards: runs.n_shards and
 *       runs.manifest_sha256, run_planned (what each of the N shards is to
 *       store per config and suite), run_sessions (one per process that
 *       wrote the run: shard, host, versions, GPU binding, status,
 *       heartbeat), samples.session (which session wrote a sample: with the
 *       config, one server session) and the index that keeps counting per
 *       shard and finding a session's last send cheap.
 */
#include "store/store_int.h"

#include <stdio.h>
#include <string.h>

static const char MIGRATE_V1[] =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);\n"
    "CREATE TABLE runs(\n"
    "  id TEXT PRIMARY KEY,\n"
    "  started TEXT NOT NULL,\n"
    "  finished TEXT,\n"
    "  status TEXT NOT NULL CHECK(status IN ('running','done','interrupted','failed')),\n"
    "  host_json TEXT, benchai_version TEXT, llama_build TEXT, plan_json TEXT, note TEXT);\n"
    "CREATE TABLE run_tags(\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  tag TEXT NOT NULL,\n"
    "  PRIMARY KEY(run_id, tag)) WITHOUT ROWID;\n"
    "CREATE INDEX run_tags_by_tag ON run_tags(tag, run_id);\n"
    "CREATE TABLE configs(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  label TEXT NOT NULL,\n"
    "  backend TEXT, model TEXT, model_sha256 TEXT, draft TEXT, params_json TEXT,\n"
    "  server_argv TEXT, server_build TEXT, props_json TEXT,\n"
    "  status TEXT NOT NULL DEFAULT 'ok', reason TEXT,\n"
    "  UNIQUE(run_id, label));\n"
    "CREATE TABLE suites(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  name TEXT NOT NULL, version INTEGER NOT NULL, sha256 TEXT NOT NULL,\n"
    "  UNIQUE(name, version, sha256));\n"
    "CREATE TABLE samples(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,\n"
    "  suite_id INTEGER NOT NULL REFERENCES suites(id),\n"
    "  item_id TEXT NOT NULL, rep INTEGER NOT NULL DEFAULT 0, tier INTEGER NOT NULL DEFAULT 0,\n"
    "  status TEXT NOT NULL DEFAULT 'ok',\n"
    "  attempts INTEGER NOT NULL DEFAULT 1, warmup INTEGER NOT NULL DEFAULT 0,\n"
    "  t_start_s REAL, ttft_ms REAL, e2e_ms REAL, tpot_ms REAL,\n"
    "  prompt_tokens INTEGER, completion_tokens INTEGER, cached_tokens INTEGER,\n"
    "  prompt_ms REAL, prompt_tps REAL, gen_ms REAL, gen_tps REAL,\n"
    "  draft_n INTEGER, draft_accepted INTEGER, finish_reason TEXT, error TEXT,\n"
    /* large texts last: reading the numbers above never walks their overflow pages */
    "  output TEXT, reasoning TEXT, tool_calls_json TEXT, itl_ms_json TEXT, timings_json TEXT,\n"
    "  UNIQUE(run_id, config_id, suite_id, item_id, rep));\n"
    /* foreign-key checks when a config is deleted look samples up by config */
    "CREATE INDEX samples_by_config ON samples(config_id);\n"
    "CREATE TABLE scores(\n"
    "  sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,\n"
    "  scorer TEXT NOT NULL, value REAL, passed INTEGER, status TEXT NOT NULL DEFAULT 'scored',\n"
    "  extracted TEXT, detail_json TEXT,\n"
    "  PRIMARY KEY(sample_id, scorer)) WITHOUT ROWID;\n"
    "CREATE TABLE metrics(\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  config_id INTEGER NOT NULL, suite_id INTEGER NOT NULL, name TEXT NOT NULL,\n"
    "  value REAL, lo REAL, hi REAL, n INTEGER,\n"
    "  PRIMARY KEY(run_id, config_id, suite_id, name)) WITHOUT ROWID;\n"
    "CREATE TABLE incidents(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  config_id INTEGER, t TEXT NOT NULL, kind TEXT NOT NULL, message TEXT);\n"
    "CREATE INDEX incidents_by_run ON incidents(run_id, id);\n";

static const char MIGRATE_V2[] =
    "ALTER TABLE runs ADD COLUMN shard TEXT;\n"
    "ALTER TABLE runs ADD COLUMN n_samples INTEGER NOT NULL DEFAULT 0;\n"
    "CREATE INDEX runs_by_started ON runs(started);\n"
    "CREATE INDEX runs_by_status ON runs(status, started);\n"
    "CREATE TABLE run_suites(\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  suite_id INTEGER NOT NULL REFERENCES suites(id),\n"
    "  PRIMARY KEY(run_id, suite_id)) WITHOUT ROWID;\n"
    "CREATE INDEX run_suites_by_suite ON run_suites(suite_id, run_id);\n"
    "UPDATE runs SET n_samples = (SELECT count(*) FROM samples WHERE samples.run_id = runs.id);\n"
    "INSERT OR IGNORE INTO run_suites(run_id, suite_id)\n"
    "  SELECT DISTINCT run_id, suite_id FROM samples;\n"
    "CREATE TRIGGER samples_after_insert AFTER INSERT ON samples BEGIN\n"
    "  UPDATE runs SET n_samples = n_samples + 1 WHERE id = NEW.run_id;\n"
    "  INSERT OR IGNORE INTO run_suites(run_id, suite_id) VALUES (NEW.run_id, NEW.suite_id);\n"
    "END;\n"
    "CREATE TRIGGER samples_after_delete AFTER DELETE ON samples BEGIN\n"
    "  UPDATE runs SET n_samples = n_samples - 1 WHERE id = OLD.run_id;\n"
    "END;\n";

static const char MIGRATE_V3[] =
    "ALTER TABLE suites ADD COLUMN n_items INTEGER;\n";

static const char MIGRATE_V4[] =
    "DROP TABLE metrics;\n";

static const char MIGRATE_V5[] =
    "ALTER TABLE configs ADD COLUMN identity TEXT;\n"
    "ALTER TABLE configs ADD COLUMN identity_json TEXT;\n"
    "ALTER TABLE configs ADD COLUMN draft_sha256 TEXT;\n"
    "CREATE INDEX configs_by_identity ON configs(identity);\n";

static const char MIGRATE_V6[] =
    "ALTER TABLE samples ADD COLUMN speed_source TEXT;\n"
    "ALTER TABLE samples ADD COLUMN cache_hit INTEGER;\n"
    "ALTER TABLE samples ADD COLUMN cache_bypass TEXT;\n"
    "ALTER TABLE samples ADD COLUMN prompt_prefix TEXT;\n";

static const char MIGRATE_V7[] =
    "ALTER TABLE runs ADD COLUMN owner_pid INTEGER;\n"
    "ALTER TABLE runs ADD COLUMN owner_host TEXT;\n"
    "ALTER TABLE runs ADD COLUMN owner_start TEXT;\n"
    "ALTER TABLE scores ADD COLUMN scored_at TEXT;\n";

static const char MIGRATE_V8[] =
    "ALTER TABLE samples ADD COLUMN flags TEXT;\n";

static const char MIGRATE_V9[] =
    "CREATE TABLE server_starts(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,\n"
    "  seq INTEGER NOT NULL, t TEXT NOT NULL, load_ms REAL,\n"
    "  rss_loaded_bytes INTEGER, rss_peak_bytes INTEGER,\n"
    "  gpu_loaded_bytes INTEGER, gpu_peak_bytes INTEGER, gpu_source TEXT,\n"
    "  model_bytes INTEGER, kv_bytes INTEGER, compute_bytes INTEGER,\n"
    "  layers_offloaded INTEGER, layers_total INTEGER, gpu_devices TEXT, buffers_json TEXT,\n"
    "  first_ttft_ms REAL, first_e2e_ms REAL, first_gen_tps REAL, first_prompt_tps REAL,\n"
    "  first_tokens INTEGER,\n"
    "  UNIQUE(config_id, seq));\n"
    "CREATE INDEX server_starts_by_run ON server_starts(run_id, config_id);\n";

/* samples.session comes after the large texts (ALTER TABLE appends): the
 * per-shard counts and each session's last send read samples_by_session,
 * which covers them, so no sample row (nor its overflow pages) is read and
 * no extra page is written per sample. */
static const char MIGRATE_V10[] =
    "ALTER TABLE runs ADD COLUMN n_shards INTEGER;\n"
    "ALTER TABLE runs ADD COLUMN manifest_sha256 TEXT;\n"
    "CREATE TABLE run_planned(\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  shard INTEGER NOT NULL, config TEXT NOT NULL, suite TEXT NOT NULL,\n"
    "  items INTEGER NOT NULL, samples INTEGER NOT NULL,\n"
    "  PRIMARY KEY(run_id, shard, config, suite)) WITHOUT ROWID;\n"
    "CREATE TABLE run_sessions(\n"
    "  id INTEGER PRIMARY KEY,\n"
    "  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,\n"
    "  shard INTEGER NOT NULL, n_shards INTEGER NOT NULL,\n"
    "  status TEXT NOT NULL CHECK(status IN ('running','done','interrupted','failed')),\n"
    "  started TEXT NOT NULL, finished TEXT, heartbeat REAL,\n"
    "  hostname TEXT, pid INTEGER, host_json TEXT, benchai_version TEXT, llama_build TEXT,\n"
    "  env_json TEXT);\n"
    "CREATE INDEX run_sessions_by_run ON run_sessions(run_id, shard);\n"
    "ALTER TABLE samples ADD COLUMN session INTEGER;\n"
    "CREATE INDEX samples_by_session ON samples(run_id, session, warmup, t_start_s);\n";

/* migrations[i] takes a store from version i to version i + 1. */
static const char *const migrations[] = { MIGRATE_V1, MIGRATE_V2, MIGRATE_V3, MIGRATE_V4, MIGRATE_V5,
                                          MIGRATE_V6, MIGRATE_V7, MIGRATE_V8, MIGRATE_V9,
                                          MIGRATE_V10 };


_Static_assert(sizeof migrations / sizeof migrations[0] == STORE_SCHEMA_VERSION,
               "one migration per schema version");

int store_schema_read_version(struct store *st, struct bai_error *err)
{
    sqlite3_stmt *s = NULL;
    int rc = sqlite3_prepare_v2(st->db,
                                "SELECT (SELECT count(*) FROM sqlite_master),"
                                " (SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta')",
                                -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the schema", err);
    rc = sqlite3_step(s);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(s);
        return store_fail(st, rc, "reading the schema", err);
    }
    int n_objects = sqlite3_column_int(s, 0);
    int has_meta = sqlite3_column_int(s, 1);
    sqlite3_finalize(s);
    if (n_objects == 0)
        return 0;
    if (!has_meta) {
        bai_error_set(err, BAI_EXIT_STORE,
                      "%s is an SQLite database but not a benchai store (no meta table); "
                      "refusing to write into it", st->path);
        return -1;
    }
    rc = sqlite3_prepare_v2(st->db, "SELECT value FROM meta WHERE key='schema_version'", -1, &s,
                            NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the schema version", err);
    rc = sqlite3_step(s);
    int version = -1;
    if (rc == SQLITE_ROW)
        version = sqlite3_column_int(s, 0);
    sqlite3_finalize(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return store_fail(st, rc, "reading the schema version", err);
    if (version <= 0) {
        bai_error_set(err, BAI_EXIT_STORE, "%s: the store has no valid schema_version in meta",
                      st->path);
        return -1;
    }
    return version;
}

static int refuse_newer(struct store *st, int version, struct bai_error *err)
{
    bai_error_set(err, BAI_EXIT_STORE,
                  "%s was written by a newer benchai (store schema version %d; this benchai "
                  "understands up to %d): upgrade benchai to read it",
                  st->path, version, STORE_SCHEMA_VERSION);
    return -1;
}

int store_schema_apply(struct store *st, struct bai_error *err)
{
    /* Read the version inside BEGIN IMMEDIATE so two processes creating the
     * same new store do not both run the migrations. */
    if (store_exec(st, "BEGIN IMMEDIATE", err) < 0)
        return -1;
    int version = store_schema_read_version(st, err);
    if (version < 0)
        goto fail;
    if (version > STORE_SCHEMA_VERSION) {
        refuse_newer(st, version, err);
        goto fail;
    }
    for (int v = version; v < STORE_SCHEMA_VERSION; v++) {
        if (store_exec(st, migrations[v], err) < 0) {
            bai_error_prefix(err, "migrating the store from schema version %d to %d", v, v + 1);
            goto fail;
        }
    }
    if (version < STORE_SCHEMA_VERSION) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '%d')",
                 STORE_SCHEMA_VERSION);
        if (store_exec(st, sql, err) < 0)
            goto fail;
    }
    if (store_exec(st, "COMMIT", err) < 0)
        goto fail;
    return 0;
fail:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return -1;
}

int store_schema_check_readonly(struct store *st, struct bai_error *err)
{
    int version = store_schema_read_version(st, err);
    if (version < 0)
        return -1;
    if (version > STORE_SCHEMA_VERSION)
        return refuse_newer(st, version, err);
    return version;
}
