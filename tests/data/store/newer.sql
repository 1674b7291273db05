-- A results store as a future benchai might write it, at schema version 999
-- (far past what this benchai understands), written by hand for the
-- refusal tests: a store from a newer benchai must be refused and left
-- byte for byte as it was. It keeps the rollback journal (no WAL), so a
-- benchai that switched the journal mode before reading the version would
-- change the file header and fail the test. One run with one sample.
BEGIN;
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('schema_version', '999');
CREATE TABLE runs(
  id TEXT PRIMARY KEY, started TEXT NOT NULL, finished TEXT,
  status TEXT NOT NULL, host_json TEXT, benchai_version TEXT, llama_build TEXT,
  plan_json TEXT, note TEXT, shard TEXT, n_samples INTEGER NOT NULL DEFAULT 0,
  energy_json TEXT);
CREATE TABLE configs(id INTEGER PRIMARY KEY, run_id TEXT NOT NULL REFERENCES runs(id),
  label TEXT NOT NULL, backend TEXT, model TEXT, status TEXT NOT NULL DEFAULT 'ok', reason TEXT,
  UNIQUE(run_id, label));
CREATE TABLE suites(id INTEGER PRIMARY KEY, name TEXT NOT NULL, version INTEGER NOT NULL,
  sha256 TEXT NOT NULL, UNIQUE(name, version, sha256));
CREATE TABLE samples(id INTEGER PRIMARY KEY, run_id TEXT NOT NULL, config_id INTEGER NOT NULL,
  suite_id INTEGER NOT NULL, item_id TEXT NOT NULL, rep INTEGER NOT NULL DEFAULT 0,
  status TEXT NOT NULL DEFAULT 'ok', output TEXT, joules REAL,
  UNIQUE(run_id, config_id, suite_id, item_id, rep));
INSERT INTO runs(id, started, finished, status, benchai_version, n_samples) VALUES
  ('r270101-090000-cccc', '2027-01-01T09:00:00Z', '2027-01-01T09:05:00Z', 'done', '9.9.9', 1);
INSERT INTO configs(id, run_id, label, backend, model) VALUES
  (1, 'r270101-090000-cccc', 'tiny', 'llama-server', 'tiny-dense.gguf');
INSERT INTO suites VALUES (1, 'smoke', 1, 'cccc');
INSERT INTO samples(run_id, config_id, suite_id, item_id, output, joules) VALUES
  ('r270101-090000-cccc', 1, 1, 'q1', 'Paris', 0.5);
COMMIT;
