/* store.h - the results store: one SQLite file (WAL) holding runs, server
 * configurations, suites, samples, scores and incidents.
 *
 * Owns: the schema and its migrations, every SQL statement benchai runs,
 * transactions. Does not own: what the numbers mean (stats/) or how they are
 * shown (report/). Every sample is committed when it finishes, so a killed
 * run loses at most the samples in flight.
 *
 * Schema (see store/schema.c for the authoritative DDL and migrations):
 *   meta(key PRIMARY KEY, value)                      schema_version lives here
 *   runs(id PK, started, finished, status, host_json, benchai_version,
 *        llama_build, plan_json, note, shard, n_samples, n_shards,
 *        manifest_sha256)                 status: derived from the sessions and
 *                                         the manifest once the run has one
 *   run_planned(run_id, shard, config, suite, items, samples)
 *                                         the manifest: what each of the run's
 *                                         n_shards shards is to store
 *   run_sessions(id PK, run_id, shard, n_shards, status, started, finished,
 *        heartbeat, hostname, pid, host_json, benchai_version, llama_build,
 *        env_json)                        one per process that wrote the run
 *   run_tags(run_id, tag)
 *   run_suites(run_id, suite_id)          kept by triggers on samples, as is
 *                                         runs.n_samples (listing never scans samples)
 *   configs(id PK, run_id, label, backend, model, model_sha256, draft,
 *           params_json, server_argv, server_build, props_json, status, reason,
 *           UNIQUE(run_id, label))
 *   suites(id PK, name, version, sha256, n_items, UNIQUE(name, version, sha256))
 *   samples(id PK, run_id, config_id, suite_id, item_id, rep, tier, status,
 *           error, output, reasoning, finish_reason, tool_calls_json,
 *           t_start_s, ttft_ms, e2e_ms, tpot_ms, itl_ms_json, prompt_tokens,
 *           completion_tokens, cached_tokens, prompt_ms, prompt_tps, gen_ms,
 *           gen_tps, draft_n, draft_accepted, timings_json, attempts, warmup,
 *           session, UNIQUE(run_id, config_id, suite_id, item_id, rep))
 *                                         session: the run_sessions row that
 *                                         wrote it (NULL before schema v5)
 *   scores(sample_id, scorer, value, passed, status, extracted, detail_json,
 *          PRIMARY KEY(sample_id, scorer))
 *   incidents(id PK, run_id, config_id, t, kind, message)
 * Timestamps are ISO 8601 UTC text; unmeasured numbers are NULL. See
 * docs/store.md for guarantees, faults, merge rules and the commands.
 */
#ifndef BAI_STORE_H
#define BAI_STORE_H

#include <stdint.h>
#include <stddef.h>
#include "util/error.h"

struct store;

#define STORE_DEFAULT_PATH "results/benchai.db"
#define STORE_RUN_ID_MAX 32

/* Opens (creating, migrating) the store. A store written by a newer benchai
 * is refused. WAL, busy_timeout and foreign keys are set here. */
struct store *store_open(const char *path, struct bai_error *err);
/* Opens an existing store for reading only; fails when it does not exist. */
struct store *store_open_readonly(const char *path, struct bai_error *err);
void store_close(struct store *st);
/* The underlying handle, for read-only report queries in report/ and cmd/. */
struct sqlite3 *store_db(struct store *st);

/* --- runs ---------------------------------------------------------------- */
struct store_run_meta {
    const char *host_json;       /* {"cpu":..., "cores":..., "ram_bytes":..., "gpu":...} */
    const char *plan_json;       /* the expanded plan or the command line */
    const char *llama_build;     /* server build string, may be NULL */
    const char *note;
    const char *const *tags;
    size_t n_tags;
    const char *shard;           /* "i/n" or NULL */
    /* Added: the id to use instead of a new one, so the shards of one run
     * share it (NULL: $BENCHAI_RUN_ID when set, else a new id). When the
     * store already has that run, the call joins it: tags and shard are
     * added, status set to running. */
    const char *run_id;
};

/* Creates a run with status "running"; writes its id (short, sortable,
 * unique: time-based plus random suffix) into id_out. A given id (meta->run_id
 * or $BENCHAI_RUN_ID) must be 1-31 characters of [A-Za-z0-9._-]. */
int store_run_create(struct store *st, const struct store_run_meta *meta,
                     char id_out[STORE_RUN_ID_MAX], struct bai_error *err);
/* status: "running", "done", "interrupted", "failed". Sets finished. */
int store_run_set_status(struct store *st, const char *run_id, const char *status,
                         struct bai_error *err);
int store_run_set_llama_build(struct store *st, const char *run_id, const char *build,
                              struct bai_error *err);

/* --- configs (one per server configuration / sweep point) -------------- */
struct store_config {
    const char *label;           /* unique within the run, e.g. "tiny-dense k=4" */
    const char *backend;         /* "llama-server", "openai", "command", "replay" */
    const char *model;
    const char *model_sha256;
    const char *draft;
    const char *params_json;     /* {"k":4,"experts":2,"np":1,...} */
    const char *server_argv;     /* the command line, as one string */
    const char *server_build;
    const char *props_json;      /* /props and /slots as recorded */
    const char *status;          /* "ok", "skipped", "failed" (NULL = "ok") */
    const char *reason;          /* why skipped / failed */
};

/* Adds the config, or returns the id of the run's config with that label
 * (so resume finds it again). Fields that are NULL are left as they are,
 * except that status "ok" also sets reason (NULL: none), so a point that
 * failed and then ran on resume keeps no stale reason. */
int64_t store_config_add(struct store *st, const char *run_id, const struct store_config *cfg,
                         struct bai_error *err);
int store_config_update(struct store *st, int64_t config_id, const struct store_config *cfg,
                        struct bai_error *err);

/* --- suites --------------------------------------------------------------- */
int64_t store_suite_add(struct store *st, const char *name, int version, const char *sha256,
                        struct bai_error *err);
/* The id of the stored suite (name, version, sha256): 0 when it is not
 * stored, -1 on error. Reads only (store_suite_add adds it). */
int64_t store_suite_find(struct store *st, const char *name, int version, const char *sha256,
                         struct bai_error *err);
/* Records how many items the suite has (a property of its content, so the
 * same for every run of it): reports show a run that ran fewer as "3 of 5". */
int store_suite_set_items(struct store *st, int64_t suite_id, int64_t n_items,
                          struct bai_error *err);
/* sha256 of the newest stored suite with this name and version that differs
 * from sha256 (copied into other_out), 1 when found, 0 when none. */
int store_suite_hash_conflict(struct store *st, const char *name, int version,
                              const char *sha256, char other_out[65]);

/* --- samples -------------------------------------------------------------- */
struct store_sample {
    const char *run_id;
    int64_t config_id;
    int64_t suite_id;
    const char *item_id;
    int rep;
    int tier;
    const char *status;          /* "ok" or "error" */
    const char *error;
    const char *output;
    const char *reasoning;
    const char *finish_reason;
    const char *tool_calls_json;
    double t_start_s;            /* wall clock at send */
    double ttft_ms, e2e_ms, tpot_ms;   /* negative = not measured */
    const char *itl_ms_json;     /* per-token inter-token latencies, JSON array */
    int64_t prompt_tokens, completion_tokens, cached_tokens;   /* -1 = unknown */
    double prompt_ms, prompt_tps, gen_ms, gen_tps;             /* server timings */
    int64_t draft_n, draft_accepted;                           /* -1 = none */
    const char *timings_json;    /* the server's timings object verbatim */
    int attempts;
    int warmup;                  /* 1 = excluded from figures */
};

struct store_score {
    const char *scorer;
    double value;
    int passed;                  /* 1, 0, -1 = not applicable */
    const char *status;          /* "scored", "unparsed", "error" */
    const char *extracted;
    const char *detail_json;
};

/* Writes the sample and its score (may be NULL) in one transaction. A
 * sample that already exists (same run, config, suite, item, rep) is an
 * error, never overwritten. Returns the sample id or -1. */
int64_t store_sample_put(struct store *st, const struct store_sample *s,
                         const struct store_score *score, struct bai_error *err);
/* 1 when that sample is stored, 0 when not, -1 on error. */
int store_sample_exists(struct store *st, const char *run_id, int64_t config_id,
                        int64_t suite_id, const char *item_id, int rep);
/* Replaces or adds one scorer's score for a stored sample (rescore). */
int store_score_put(struct store *st, int64_t sample_id, const struct store_score *score,
                    struct bai_error *err);

/* --- incidents --------------------------------------------------------- */
/* config_id 0: an incident of the whole run. */
int store_incident_add(struct store *st, const char *run_id, int64_t config_id,
                       const char *kind, const char *message, struct bai_error *err);

/* Resolves a run id given in full, as a unique prefix, or as "tag:NAME"
 * (newest run with that tag), or "latest". On failure err names close ids
 * (BAI_EXIT_USAGE). */
int store_resolve_run(struct store *st, const char *spec, char id_out[STORE_RUN_ID_MAX],
                      struct bai_error *err);

/* ======================================================================
 * Additions (store helper). Everything below is new; nothing above changed
 * its signature.
 * ====================================================================== */

/* The schema version this benchai writes. Opening an older store migrates
 * it (one transaction); a newer one is refused. */
#define STORE_SCHEMA_VERSION 5

/* A fresh run id (what store_run_create would pick), for scripts that
 * start the shards of one run (benchai store new-id). */
void store_new_run_id(char out[STORE_RUN_ID_MAX]);

/* $BENCHAI_STORE when set and non-empty, else STORE_DEFAULT_PATH. */
const char *store_default_path(void);
const char *store_path(const struct store *st);
/* The schema version recorded in the open store. */
int store_schema_version(struct store *st);

/* Host description for runs.host_json: {"hostname","os","cpu","cores",
 * "ram_bytes","gpu":[...]} (gpu from /proc/driver/nvidia or nvidia-smi,
 * empty array when none). Never fails; caller frees. */
char *store_host_json(void);

/* Batches: between store_begin and store_commit every write joins one
 * transaction (store_sample_put does not commit on its own). For bulk
 * writers (merge, benchmarks); the runner commits per sample instead.
 * Nesting counts; only the outermost commit commits. */
int store_begin(struct store *st, struct bai_error *err);
int store_commit(struct store *st, struct bai_error *err);
void store_rollback(struct store *st);

/* --- reading (shared by cmd/ runs, show, export, the benchmark, report/) - */
struct store_run_info {
    char id[STORE_RUN_ID_MAX];
    char *started, *finished;    /* ISO 8601 UTC; finished NULL while running */
    char *status, *host_json, *benchai_version, *llama_build, *plan_json, *note, *shard;
    char *tags;                  /* "a,b" sorted, "" when none */
    char *suites;                /* distinct suite names "a,b", "" when none */
    char *models;                /* distinct config models by store_model_name, "a,b",
                                    "" when none */
    int64_t n_samples;           /* all samples, warmup included */
    int64_t n_configs;
    int n_shards;                /* N of the run's manifest; 0: none recorded */
};
void store_run_info_free(struct store_run_info *r);          /* members only */
/* The one name a config's model is shown by: run labels start with it, and
 * the run table, `runs`, `table` and the reports print it (`show` also
 * prints the stored path). A model file (backend "llama-server", and every
 * draft) is its file name without directory and ".gguf": "tiny-dense"; an
 * endpoint's or command's model ("qwen/Qwen2.5-7B", "replay:RUN") is as
 * given. backend NULL (not recorded): a file when model ends in ".gguf".
 * Allocated; "?" for a NULL model. */
char *store_model_name(const char *backend, const char *model);
void store_runs_free(struct store_run_info *runs, size_t n); /* array too */

/* Filters for store_runs_list; NULL / 0 members do not filter. since/until
 * are "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SSZ" or relative "7d" / "12h" (until a
 * date includes that whole day). model matches as a substring. */
struct store_run_filter {
    const char *suite, *model, *tag, *status, *since, *until;
    int limit;                   /* 0 = no limit */
};
/* Newest first. *out is allocated (free with store_runs_free). */
int store_runs_list(struct store *st, const struct store_run_filter *f,
                    struct store_run_info **out, size_t *n_out, struct bai_error *err);
int store_run_get(struct store *st, const char *run_id, struct store_run_info *out,
                  struct bai_error *err);

/* The plan_json a run was stored with (how to redo it: the arguments, the
 * suites and their hashes). Returns 1 with *plan_json_out a copy (NULL when
 * the run has none), 0 when there is no run run_id, -1 on error. */
int store_run_plan(struct store *st, const char *run_id, char **plan_json_out, struct bai_error *err);

struct store_config_info {
    int64_t id;
    char *label, *backend, *model, *model_sha256, *draft, *params_json, *server_argv,
        *server_build, *props_json, *status, *reason;
};
int store_run_configs(struct store *st, const char *run_id, struct store_config_info **out,
                      size_t *n_out, struct bai_error *err);
void store_configs_free(struct store_config_info *c, size_t n);

struct store_incident_info {
    int64_t id, config_id;       /* config_id 0 = run-wide */
    char *t, *kind, *message;
};
int store_run_incidents(struct store *st, const char *run_id, struct store_incident_info **out,
                        size_t *n_out, struct bai_error *err);
void store_incidents_free(struct store_incident_info *v, size_t n);

/* A run's stored samples per (config, suite), warm-ups left out, for
 * `benchai status` while the run writes: errors among them, and the wall
 * clock (t_start_s) of the first and last send (NAN when not recorded).
 * Ordered by config, then suite name. */
struct store_progress_row {
    char *config_label, *suite_name;
    int64_t samples, errors;
    double first_s, last_s;
};
int store_run_progress(struct store *st, const char *run_id, struct store_progress_row **out,
                       size_t *n_out, struct bai_error *err);
void store_progress_free(struct store_progress_row *v, size_t n);

/* Score figures of one scorer within a group. */
struct store_group_score {
    char *scorer;
    size_t n_scored;             /* status "scored" */
    size_t n_unparsed, n_error;  /* status "unparsed" / "error" */
    size_t n_pass_applicable;    /* scored with passed 0 or 1 */
    size_t n_passed;
    double *values;              /* value of each scored sample, storage order */
    size_t n_values;
    /* Per item (in item id order), over its samples scored or unparsed:
     * how many (item_n) and how many passed (item_passed). An unparsed
     * answer is a failed sample. What pass@k is estimated from. */
    int *item_n, *item_passed;
    size_t n_item_counts;
};

/* One (config, suite) of a run with the raw vectors statistics need. Warmup
 * samples are counted in n_warmup and excluded from everything else. Speed
 * vectors hold only measured values (NULL in the store = not measured) of
 * samples without error. */
struct store_group {
    int64_t config_id;
    char *config_label;
    int64_t suite_id;
    char *suite_name;
    int suite_version;
    char suite_sha256[65];
    size_t n_samples, n_warmup, n_errors;   /* n_errors: sample status "error" */
    size_t n_items;                         /* distinct items with a non-warmup sample */
    int64_t suite_n_items;                  /* items the suite has, 0 = not recorded */
    struct store_group_score *scores;       /* one per scorer, by name */
    size_t n_scores;
    double *gen_tps, *ttft_ms, *e2e_ms, *prompt_tps;
    size_t n_gen_tps, n_ttft_ms, n_e2e_ms, n_prompt_tps;
    int64_t draft_n, draft_accepted;        /* sums over samples that drafted */
};
/* Groups of a run ordered by config id then suite name. */
int store_run_groups(struct store *st, const char *run_id, struct store_group **out,
                     size_t *n_out, struct bai_error *err);
void store_groups_free(struct store_group *g, size_t n);

/* One sample joined with one of its scores (a sample with two scorers is
 * two rows; one without a score is one row with scorer NULL). Strings are
 * valid during the callback only. Unmeasured numbers are -1. */
struct store_sample_row {
    int64_t id, config_id, suite_id;
    const char *config_label, *suite_name, *suite_sha256;
    int suite_version;
    const char *item_id;
    int rep, tier;
    const char *status, *error, *output, *reasoning, *finish_reason;
    double t_start_s, ttft_ms, e2e_ms, tpot_ms;
    int64_t prompt_tokens, completion_tokens, cached_tokens;
    double prompt_ms, prompt_tps, gen_ms, gen_tps;
    int64_t draft_n, draft_accepted;
    int attempts, warmup;
    const char *scorer;          /* NULL: no score */
    double value;
    int passed;
    const char *score_status, *extracted, *detail_json;
};
/* Calls cb for every sample row of the run in (config, suite, item, rep)
 * order; cb returning non-zero stops (that value is returned). With
 * only_failed, only rows that errored, failed, or were not scored. */
typedef int (*store_sample_cb)(void *ctx, const struct store_sample_row *row);
int store_run_samples(struct store *st, const char *run_id, int only_failed,
                      store_sample_cb cb, void *ctx, struct bai_error *err);

/* --- stored answers, to score them again (run/rescore.c; store/answers.c) - */

/* A suite row of the store. */
struct store_suite_ref {
    int64_t id;
    char *name;
    int version;
    char sha256[65];
};
/* The suites the run has samples of, by name, version, id. */
int store_run_sample_suites(struct store *st, const char *run_id, struct store_suite_ref **out,
                            size_t *n_out, struct bai_error *err);
void store_suite_refs_free(struct store_suite_ref *v, size_t n);

/* One answer: a sample with status "ok" that is not a warm-up. */
struct store_answer {
    int64_t id, config_id;
    char *item_id;
    int rep;
    char *output, *reasoning, *tool_calls_json;   /* NULL when none */
};
/* The run's answers to one suite, by config, item, rep. */
int store_run_answers(struct store *st, const char *run_id, int64_t suite_id, struct store_answer **out,
                      size_t *n_out, struct bai_error *err);
void store_answers_free(struct store_answer *v, size_t n);

/* The sample's score by scorer: 1 with *value when it is "scored" with a
 * value, 0 when absent, unparsed or an error, -1 on a store error. */
int store_score_value(struct store *st, int64_t sample_id, const char *scorer, double *value,
                      struct bai_error *err);

/* A candidate peer answer: enough to choose one, the output is read later
 * (store_sample_output). Config ids are unique in the store, so one id is
 * one (run, config). */
struct store_peer_ref {
    int64_t id, config_id;
    char *item_id;
};
/* Every non-empty answer to any item of suite (name, version) in the whole
 * store, by item, config (oldest first), rep: one scan per suite instead of
 * one per sample (samples has no index by suite and item). */
int store_suite_peer_answers(struct store *st, const char *name, int version, struct store_peer_ref **out,
                             size_t *n_out, struct bai_error *err);
void store_peer_refs_free(struct store_peer_ref *v, size_t n);
/* A copy of the sample's output: 1 (*output_out allocated), 0 when the
 * sample or its output is missing, -1 on error. */
int store_sample_output(struct store *st, int64_t sample_id, char **output_out, struct bai_error *err);

/* --- maintenance ----------------------------------------------------------- */
/* Deletes the run and everything of it (configs, samples, scores, tags,
 * incidents) in one transaction; *n_samples_out may be NULL. */
int store_run_delete(struct store *st, const char *run_id, int64_t *n_samples_out,
                     struct bai_error *err);
/* Opens the file at path without touching its schema and runs PRAGMA
 * quick_check, integrity_check and foreign_key_check, and reads the schema
 * version; appends a human-readable report to out. Works on stores too
 * damaged for store_open. 0 = all ok, 1 = problems found, -1 = could not
 * check at all (err: missing file, not SQLite). */
struct buf;
int store_check_file(const char *path, struct buf *out, struct bai_error *err);
/* A consistent, compact copy of the store at dest (VACUUM INTO a temp file,
 * fsync, rename): works while another process writes the store, and a
 * reader of dest never sees half a copy. For `benchai store copy` and the
 * job scripts that move a shard's store to shared storage. */
int store_copy(struct store *st, const char *dest, struct bai_error *err);
/* Merge inputs are read read-only, which leaves -wal and -shm files beside
 * them. store_input_files says which exist before (bits 1 wal, 2 shm);
 * store_input_tidy removes the ones reading created, unless another
 * process has the store open. */
int store_input_files(const char *path);
void store_input_tidy(const char *path, int before);
/* Drops suites no sample uses, checkpoints the WAL and VACUUMs. */
int store_vacuum(struct store *st, struct bai_error *err);

struct store_merge_stats {
    int64_t runs_added, runs_joined;        /* new run ids / ids already present */
    int64_t configs_added, suites_added;
    int64_t samples_added, samples_identical, samples_conflicting;
    int64_t incidents_added;
};
/* Merges the store at src_path into dst in one transaction. Shards of one
 * run share the run id: configs match by label, suites by (name, version,
 * sha256), samples by (run, config, suite, item, rep). An identical
 * duplicate is skipped; a conflicting one (different output, error or
 * score) is kept as it is in dst and described, one per line, in
 * conflicts (may be NULL). Stats accumulate into *stats. */
int store_merge(struct store *dst, const char *src_path, struct store_merge_stats *stats,
                struct buf *conflicts, struct bai_error *err);

/* --- the run manifest, sessions and shards (store/shards.c) -------------- */

/* One manifest row: what shard (1..N) is to store of (config, suite). */
struct store_manifest_row {
    int shard;
    const char *config, *suite;
    int64_t items, samples;
};
/* Records the run's manifest: N and every shard's rows (all N, whichever
 * shard writes), under sha256 (run/shard.c hashes the rows). A run that has
 * one keeps it; a different one is refused (BAI_EXIT_USAGE, naming both N
 * and hashes) unless force, which keeps the stored one. rows NULL: only
 * that check (before a process joins or resumes the run). */
int store_run_manifest(struct store *st, const char *run_id, int n_shards, const char *sha256,
                       const struct store_manifest_row *rows, size_t n, int force, struct bai_error *err);

/* Per (config, suite) of the run: planned samples summed over its shards
 * (the manifest). n_out 0 when the run has no manifest. */
struct store_planned_total {
    char *config, *suite;
    int64_t samples;
};
int store_run_planned(struct store *st, const char *run_id, struct store_planned_total **out, size_t *n_out,
                      struct bai_error *err);
void store_planned_free(struct store_planned_total *v, size_t n);

/* A session: one process writing a run (a shard, or a resume of it). */
struct store_session_meta {
    int shard, n_shards;         /* 1..N of N; an unsharded run is 1 of 1 */
    const char *host_json;       /* store_host_json() */
    const char *env_json;        /* store_host_env_json(): GPU binding, scheduler ids */
};
/* Starts a session (status running, a random 63-bit id so sessions of
 * different machines never collide in a merge, this host, pid and benchai
 * version) and makes it this connection's: every sample it writes carries
 * it (samples.session), which is what per-shard counts, the last sign of
 * life and throughput per server session are computed from. The run's
 * status is refreshed in the same transaction. Returns the id or -1. */
int64_t store_session_begin(struct store *st, const char *run_id, const struct store_session_meta *m,
                            struct bai_error *err);
/* A sign of life between samples (a server loading): heartbeat = now. */
int store_session_touch(struct store *st, struct bai_error *err);
/* Ends the connection's session with status ("done", "interrupted",
 * "failed") and refreshes the run's status from all its sessions. */
int store_session_end(struct store *st, const char *status, struct bai_error *err);

/* One shard of a run as the store has it. */
struct store_shard_info {
    int shard;                   /* 1..N */
    int n_sessions;
    char *status;                /* the newest session's recorded status; NULL: no session */
    const char *state;           /* derived: "done", "running", "stalled", "interrupted",
                                    "failed", "missing" (static strings) */
    char *hostname, *benchai_version, *llama_build, *env_json, *started, *finished;
    double heartbeat_s;          /* last sign of life (epoch s): a start, a server start,
                                    the end, a sample's send; NAN when none */
    int64_t pid;
    int64_t planned, stored;     /* samples: the manifest's, and those its sessions stored
                                    (warm-ups left out) */
};
struct store_run_shards {
    int n_shards;                /* 0: the run has no manifest (older benchai) */
    char manifest_sha256[65];
    struct store_shard_info *v;  /* n_shards entries: v[i].shard == i + 1 */
    int64_t planned, stored;
};
/* The run's shards: the manifest, each shard's newest session and counts.
 * States are derived without looking at processes: no session: missing
 * (done when the manifest gives the shard nothing to run);
 * every planned sample stored, or the newest session done: done; else the
 * newest session's status. */
int store_run_shards(struct store *st, const char *run_id, struct store_run_shards *out, struct bai_error *err);
void store_run_shards_free(struct store_run_shards *s);
/* Adds what from knows of the run's shards to into (an empty into takes
 * from's manifest): a shard counts from the store with its newest
 * session. For the shard stores of one run read before any merge. */
void store_run_shards_combine(struct store_run_shards *into, const struct store_run_shards *from);
/* For `benchai status` while shards run: a shard recorded running whose
 * heartbeat is older than stalled_after_s, or whose process is gone from
 * this host, is "stalled" (killed, or hung). now_s: wall clock. */
void store_run_shards_liveness(struct store_run_shards *s, double now_s, double stalled_after_s);
/* The run's status from its shards: any running (or stalled) -> running,
 * else any failed -> failed, else any missing or interrupted ->
 * interrupted, else done. NULL when the run has no manifest. */
const char *store_run_shards_status(const struct store_run_shards *s);
/* "3,7" (allocated): the shards in the given state, "" when none. */
char *store_run_shards_list(const struct store_run_shards *s, const char *state);
/* Writes the derived status (and finished) into runs, for a run with a
 * manifest; a run without one is left as it is. */
int store_run_refresh_status(struct store *st, const char *run_id, struct bai_error *err);

/* The environment that says which devices and which scheduler task a
 * process has: CUDA_VISIBLE_DEVICES, HIP/ROCR_VISIBLE_DEVICES, Slurm's job,
 * array and GPU variables, a Kubernetes job completion index; only those
 * set. JSON object, allocated. */
char *store_host_env_json(void);

/* --- merge validation (store/merge.c) ------------------------------------- */

/* What merge compares of one store: per run its manifest and versions, the
 * suites it recorded, and per configuration the fields of the comparison
 * table in merge.c (launch settings, model hash, llama.cpp build, ...). */
struct store_merge_view;
/* Reads it from the store at path (read-only; an older schema is read as
 * it is). NULL with err when path is not a readable benchai store. */
struct store_merge_view *store_merge_view_read(const char *path, struct bai_error *err);
/* The same of an open store (the merge's output). */
struct store_merge_view *store_merge_view_of(struct store *st, struct bai_error *err);
void store_merge_view_free(struct store_merge_view *v);
/* Appends to diffs one line per field on which the runs and configurations
 * both views hold disagree ("run R config 'L': different launch settings:
 * {...} in A.db; {...} in B.db"); returns how many. */
size_t store_merge_view_compare(const struct store_merge_view *a, const char *a_name,
                                const struct store_merge_view *b, const char *b_name, struct buf *diffs);
/* Adds b's runs and configurations to a (first seen wins), so the next
 * input is compared with everything merged before it. */
void store_merge_view_add(struct store_merge_view *a, const struct store_merge_view *b);
/* The run ids a view holds, for recording a mixed merge on each. */
size_t store_merge_view_runs(const struct store_merge_view *v, const char ***ids_out);

#endif
