-- Takes the version 1 fixture (v1.sql, applied first) to schema version 2
-- the way benchai did: the v2 migration's SQL as src/store/schema.c had it,
-- then one run written at version 2. Together they are a version 2 store for
-- the migration test. Runs: r261101-090000-aaaa 3 samples (smoke),
-- r261102-090000-bbbb 2 samples (smoke, math), r261103-090000-cccc 1 sample
-- (smoke, shard 1/2).
BEGIN;
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
