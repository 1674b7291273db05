-- A results store as benchai wrote it at schema version 2 (before
-- suites.n_items), for the migration test: the version 1 fixture (v1.sql)
-- taken to version 2 by the v2 migration's SQL, plus one run written at v2.
-- Runs: r261101-090000-aaaa 3 samples (smoke), r261102-090000-bbbb 2 samples
-- (smoke, math), r261103-090000-cccc 1 sample (smoke, shard 1/2).
PRAGMA journal_mode=WAL;
BEGIN;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '1');
CREATE TABLE runs(
  id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
  status TEXT NOT NULL CHECK(status IN ('running','done','interrupted','failed')),
  host_json TEXT, benchai_version TEXT, llama_build TEXT, plan_json TEXT, note TEXT);
CREATE TABLE run_tags(run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  tag TEXT NOT NULL, PRIMARY KEY(run_id, tag)) WITHOUT ROWID;
CREATE INDEX run_tags_by_tag ON run_tags(tag, run_id);
CREATE TABLE configs(id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE, label TEXT NOT NULL,
  backend TEXT, model TEXT, model_sha256 TEXT, draft TEXT, params_json TEXT,
  server_argv TEXT, server_build TEXT, props_json TEXT,
  status TEXT NOT NULL DEFAULT 'ok', reason TEXT, UNIQUE(run_id, label));
CREATE TABLE suites(id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
  sha256 TEXT NOT NULL, UNIQUE(name, version, sha256));
CREATE TABLE samples(id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  config_id INTEGER NOT NULL REFERENCES configs(id) ON DELETE CASCADE,
  suite_id INTEGER NOT NULL REFERENCES suites(id),
  item_id TEXT NOT NULL, rep INTEGER NOT NULL DEFAULT 0, tier INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'ok',
  attempts INTEGER NOT NULL DEFAULT 1, warmup INTEGER NOT NULL DEFAULT 0,
  t_start_s REAL, ttft_ms REAL, e2e_ms REAL, tpot_ms REAL,
  prompt_tokens INTEGER, completion_tokens INTEGER, cached_tokens INTEGER,
  prompt_ms REAL, prompt_tps REAL, gen_ms REAL, gen_tps REAL,
  draft_n INTEGER, draft_accepted INTEGER, finish_reason TEXT, error TEXT,
  output TEXT, reasoning TEXT, tool_calls_json TEXT, itl_ms_json TEXT, timings_json TEXT,
  UNIQUE(run_id, config_id, suite_id, item_id, rep));
CREATE INDEX samples_by_config ON samples(config_id);
CREATE TABLE scores(sample_id INTEGER NOT NULL REFERENCES samples(id) ON DELETE CASCADE,
  scorer TEXT NOT NULL, value REAL, passed INTEGER, status TEXT NOT NULL DEFAULT 'scored',
  extracted TEXT, detail_json TEXT, PRIMARY KEY(sample_id, scorer)) WITHOUT ROWID;
CREATE TABLE metrics(run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  config_id INTEGER NOT NULL, suite_id INTEGER NOT NULL, name TEXT NOT NULL,
  value REAL, lo REAL, hi REAL, n INTEGER,
  PRIMARY KEY(run_id, config_id, suite_id, name)) WITHOUT ROWID;
CREATE TABLE incidents(id INTEGER PRIMARY KEY,
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  config_id INTEGER, t TEXT NOT NULL, kind TEXT NOT NULL, message TEXT);
CREATE INDEX incidents_by_run ON incidents(run_id, id);

INSERT INTO runs VALUES ('r261101-090000-aaaa', '2026-11-01T09:00:00Z', '2026-11-01T09:05:00Z',
  'done', '{"cpu":"old cpu","cores":4}', '0.0.1', NULL, NULL, 'first run');
INSERT INTO runs VALUES ('r261102-090000-bbbb', '2026-11-02T09:00:00Z', NULL,
  'interrupted', NULL, '0.0.1', NULL, NULL, NULL);
INSERT INTO run_tags VALUES ('r261101-090000-aaaa', 'prod');
INSERT INTO configs(id, run_id, label, backend, model) VALUES
  (1, 'r261101-090000-aaaa', 'tiny', 'llama-server', 'tiny-dense.gguf'),
  (2, 'r261102-090000-bbbb', 'tiny', 'llama-server', 'tiny-dense.gguf');
INSERT INTO suites VALUES (1, 'smoke', 1, 'aaaa'), (2, 'math', 2, 'bbbb');
INSERT INTO samples(id, run_id, config_id, suite_id, item_id, rep, output, gen_tps, ttft_ms) VALUES
  (1, 'r261101-090000-aaaa', 1, 1, 'q1', 0, 'Paris', 50.0, 10.0),
  (2, 'r261101-090000-aaaa', 1, 1, 'q2', 0, '4', 60.0, 20.0),
  (3, 'r261101-090000-aaaa', 1, 1, 'q3', 0, 'blue', 70.0, 30.0),
  (4, 'r261102-090000-bbbb', 2, 1, 'q1', 0, 'Paris', 55.0, 12.0),
  (5, 'r261102-090000-bbbb', 2, 2, 'm1', 0, '42', 65.0, 22.0);
INSERT INTO scores(sample_id, scorer, value, passed) VALUES
  (1, 'exact', 1, 1), (2, 'exact', 1, 1), (3, 'exact', 0, 0), (4, 'exact', 1, 1), (5, 'exact', 1, 1);
INSERT INTO incidents(run_id, t, kind, message) VALUES
  ('r261102-090000-bbbb', '2026-11-02T09:03:00Z', 'interrupted', 'SIGINT');
-- schema version 2, as src/store/schema.c's MIGRATE_V2 takes a store there
ALTER TABLE runs ADD COLUMN shard TEXT;
ALTER TABLE runs ADD COLUMN n_samples INTEGER NOT NULL DEFAULT 0;
CREATE INDEX runs_by_started ON runs(started);
CREATE INDEX runs_by_status ON runs(status, started);
CREATE TABLE run_suites(
  run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
  suite_id INTEGER NOT NULL REFERENCES suites(id),
  PRIMARY KEY(run_id, suite_id)) WITHOUT ROWID;
CREATE INDEX run_suites_by_suite ON run_suites(suite_id, run_id);
UPDATE runs SET n_samples = (SELECT count(*) FROM samples WHERE samples.run_id = runs.id);
INSERT OR IGNORE INTO run_suites(run_id, suite_id)
  SELECT DISTINCT run_id, suite_id FROM samples;
CREATE TRIGGER samples_after_insert AFTER INSERT ON samples BEGIN
  UPDATE runs SET n_samples = n_samples + 1 WHERE id = NEW.run_id;
  INSERT OR IGNORE INTO run_suites(run_id, suite_id) VALUES (NEW.run_id, NEW.suite_id);
END;
CREATE TRIGGER samples_after_delete AFTER DELETE ON samples BEGIN
  UPDATE runs SET n_samples = n_samples - 1 WHERE id = OLD.run_id;
END;
UPDATE meta SET value = '2' WHERE key = 'schema_version';
-- a shard of a third run, written at version 2
INSERT INTO runs(id, started, finished, status, benchai_version, shard) VALUES
  ('r261103-090000-cccc', '2026-11-03T09:00:00Z', '2026-11-03T09:01:00Z', 'done', '0.0.2', '1/2');
INSERT INTO configs(id, run_id, label, backend, model) VALUES
  (3, 'r261103-090000-cccc', 'tiny', 'llama-server', 'tiny-dense.gguf');
INSERT INTO samples(id, run_id, config_id, suite_id, item_id, rep, output) VALUES
  (6, 'r261103-090000-cccc', 3, 1, 'q2', 0, '4');
INSERT INTO scores(sample_id, scorer, value, passed) VALUES (6, 'exact', 1, 1);
COMMIT;
