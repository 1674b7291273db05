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
 *        llama_build, plan_json, note, shard, n_samples,
 *        owner_pid, owner_host, owner_start,  the process that runs it (v7)
 *        n_shards, manifest_sha256)        status: derived from the sessions and
 *                                         the manifest once the run has one (v10)
 *   run_planned(run_id, shard, config, suite, items, samples)
 *                                         the manifest: what each of the run's
 *                                         n_shards shards is to store (v10)
 *   run_sessions(id PK, run_id, shard, n_shards, status, started, finished,
 *        heartbeat, hostname, pid, host_json, benchai_version, llama_build,
 *        env_json)                        one per process that wrote the run (v10)
 *   run_tags(run_id, tag)
 *   run_suites(run_id, suite_id)          kept by triggers on samples, as is
 *                                         runs.n_samples (listing never scans samples)
 *   configs(id PK, run_id, label, backend, model, model_sha256, draft,
 *           params_json, server_argv, server_build, props_json, status, reason,
 *           identity, identity_json, draft_sha256, UNIQUE(run_id, label))
 *   suites(id PK, name, version, sha256, n_items, UNIQUE(name, version, sha256))
 *   samples(id PK, run_id, config_id, suite_id, item_id, rep, tier, status
 *           ('ok', 'error', 'timeout'),
 *           error, output, reasoning, finish_reason, tool_calls_json,
 *           t_start_s, ttft_ms, e2e_ms, tpot_ms, itl_ms_json, prompt_tokens,
 *           completion_tokens, cached_tokens, prompt_ms, prompt_tps, gen_ms,
 *           gen_tps, draft_n, draft_accepted, timings_json, attempts, warmup,
 *           speed_source, cache_hit, cache_bypass, prompt_prefix, flags, session,
 *           UNIQUE(run_id, config_id, suite_id, item_id, rep))
 *           flags (v8): what was repaired in the answer as it arrived,
 *           comma-separated (nul, invalid_utf8, too_large); NULL: nothing
 *           session (v10): the run_sessions row that wrote it (NULL before)
 *   scores(sample_id, scorer, value, passed, status ('scored', 'unparsed',
 *          'error', 'failed'), extracted, detail_json, scored_at (v7),
 *          PRIMARY KEY(sample_id, scorer))   a judge's scorer is
 *          "judge:MODEL#PROMPT" (score/judge.h), so two judges coexist
 *   incidents(id PK, run_id, config_id, t, kind, message)
 *   server_starts(id PK, run_id, config_id, seq, t, load_ms,
 *           rss_loaded_bytes, rss_peak_bytes, gpu_loaded_bytes, gpu_peak_bytes,
 *           gpu_source, model_bytes, kv_bytes, compute_bytes, layers_offloaded,
 *           layers_total, gpu_devices, buffers_json, first_ttft_ms, first_e2e_ms,
 *           first_gen_tps, first_prompt_tps, first_tokens, UNIQUE(config_id, seq))
 *                                         one row per llama-server start (v9)
 * Timestamps are ISO 8601 UTC text; unmeasured numbers are NULL. See
 * docs/store.md for guarantees, faults, merge rules and the commands.
 */
#ifndef BAI_STORE_H
#define BAI_STORE_H

#include <stdint.h>
#include <stddef.h>
#include "util/error.h"

struct store;

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
    const char *draft_sha256;
    const char *params_json;     /* {"sweep":..,"model":..,"k":4,"np":1,...}: every setting */
    const char *identity;        /* SHA-256 of identity_json (settings/identity.h) */
    const char *identity_json;
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
/* The id and identity_json (allocated, NULL when not recorded) of the
 * run's config with this label: 1 when found, 0 when not, -1 on error. */
int store_config_find(struct store *st, const char *run_id, const char *label, int64_t *id_out,
                      char **identity_json_out, struct bai_error *err);

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
    const char *status;          /* "ok", "error", or "timeout" (the request timed out;
                                    output holds what arrived before) */
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
    const char *speed_source;    /* "server", "usage", "chunks", NULL = none */
    int cache_hit;               /* 1: most of the prompt came from the server's cache;
                                    stored only when cached_tokens is known */
    const char *cache_bypass;    /* "cache_prompt", "prefix", "cache_prompt+prefix", NULL */
    const char *prompt_prefix;   /* the unique first line sent, NULL = none */
    const char *flags;           /* "nul,invalid_utf8,too_large" or NULL (gen_text_flags_text) */
};

struct store_score {
    const char *scorer;
    double value;
    int passed;                  /* 1, 0, -1 = not applicable */
    const char *status;          /* "scored", "unparsed", "error" (the scorer failed),
                                    "failed" (the request failed: not scored, worth 0) */
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
/* Replaces or adds one scorer's score for a stored sample (rescore).
 * Every score write records its time (scores.scored_at). */
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

/* --- the schema version, run ids, the default path, batches ---------- */

/* The schema version this benchai writes. Opening an older store migrates
 * it (one transaction); a newer one is refused. */
#define STORE_SCHEMA_VERSION 10

/* A fresh run id (what store_run_create would pick), for scripts that
 * start the shards of one run (benchai store new-id). */
void store_new_run_id(char out[STORE_RUN_ID_MAX]);

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
/* The benchai process that runs a run: recorded when it starts or resumes
 * the run, so a reader can tell a running run from one whose process died
 * (SIGKILL, OOM, power) without marking it. */
struct store_owner {
    long pid;                    /* 0: not recorded */
    char host[256];              /* gethostname() */
    char start[96];              /* "<boot_id>/<start time in clock ticks>": the
                                    process's identity, so a reused pid is not it */
};
/* This process. */
void store_owner_self(struct store_owner *o);
/* 1 when the owner is this host's live process, 0 when it is this host's and
 * gone (or its pid now belongs to another process), -1 when it cannot be
 * told from here (another host, or nothing recorded). */
int store_owner_alive(const struct store_owner *o);
/* Records o as the run's owner (run create, resume and join call it). */
/* What a run's status means now, one text for every command and report:
 * the stored status, or for a `running` run whose process is gone
 * "stopped (no benchai process)" (*word_out "stopped"), or one running on
 * another host "running on host H, pid P (not checked from here)". Into
 * buf; returns buf. word_out (may be NULL) gets the one-word state. */
struct store_run_info;
const char *store_run_state(const struct store_run_info *r, char *buf, size_t size, const char **word_out);
int store_run_set_owner(struct store *st, const char *run_id, const struct store_owner *o,
                        struct bai_error *err);

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
    struct store_owner owner;    /* pid 0: not recorded */
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
    char *identity, *identity_json, *draft_sha256;   /* NULL: stored before v5 */
};
int store_run_configs(struct store *st, const char *run_id, struct store_config_info **out,
                      size_t *n_out, struct bai_error *err);
/* Every config of the store with its run, by run start, run id, config id
 * (what table, pareto and select read). */
struct store_run_config {
    char *run_id, *run_started;
    struct store_config_info c;
};
int store_all_configs(struct store *st, struct store_run_config **out, size_t *n_out, struct bai_error *err);
/* Frees the array and every string (a caller may NULL the ones it took). */
void store_run_configs_free(struct store_run_config *v, size_t n);
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
    int64_t samples, errors, timeouts;
    double first_s, last_s;
};
int store_run_progress(struct store *st, const char *run_id, struct store_progress_row **out,
                       size_t *n_out, struct bai_error *err);
void store_progress_free(struct store_progress_row *v, size_t n);

/* One scorer's stored scores within a group: a row per sample it scored,
 * in the group's sample order. No figures: report/figures.c turns these
 * into scores under its counting rules. */
struct store_group_score {
    char *scorer;
    char *newest;                /* newest scored_at of its rows; NULL: none recorded */
    size_t n_rows;
    size_t *sample;              /* the row's sample: index into store_group's samples */
    double *value;               /* stored value (NULL reads 0) */
    int *passed;                 /* 1, 0, -1 (NULL: not applicable) */
    char *status;                /* 's' scored, 'u' unparsed, 'e' the scorer failed,
                                    'f' the request failed (not scored) */
};

/* One (config, suite) of a run with the raw data statistics need. Warmup
 * samples are counted in n_warmup and excluded from everything else. Speed
 * vectors hold only measured values (NULL in the store = not measured) of
 * samples with status "ok". */
struct store_group {
    int64_t config_id;
    char *config_label;
    int64_t suite_id;
    char *suite_name;
    int suite_version;
    char suite_sha256[65];
    size_t n_samples, n_warmup;             /* n_samples: not warm-up */
    size_t n_errors, n_timeouts;            /* sample status "error" (or any other
                                               non-ok status) / "timeout" */
    size_t n_items;                         /* distinct items with a non-warmup sample */
    int64_t suite_n_items;                  /* items the suite has, 0 = not recorded */
    /* per non-warmup sample, in (item id, rep) order: */
    char *sample_status;                    /* 'o' ok, 'e' error, 't' timeout */
    size_t *sample_item;                    /* its item's number, 0.. in item id order */
    int *sample_tier;                       /* its item's tier (samples.tier), 0 = none */
    struct store_group_score *scores;       /* one per scorer, by name */
    size_t n_scores;
    double *gen_tps, *ttft_ms, *e2e_ms, *prompt_tps;
    size_t n_gen_tps, n_ttft_ms, n_e2e_ms, n_prompt_tps;
    int64_t draft_n, draft_accepted;        /* sums over samples that drafted */
    /* where the speed of the samples without error came from (samples.speed_source) */
    size_t n_speed_server, n_speed_usage, n_speed_chunks;
    /* samples whose server said how much of the prompt it had cached, and
     * those of them with most of it cached (samples.cache_hit) */
    size_t n_cache_known, n_cache_hits;
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
    const char *speed_source;    /* "server", "usage", "chunks", NULL */
    int cache_hit;               /* 1, 0, -1 = the server did not say */
    const char *flags;           /* NULL when nothing was repaired */
    const char *scorer;          /* NULL: no score */
    double value;
    int passed;
    const char *score_status, *extracted, *detail_json;
};
/* Calls cb for sample rows of the run; cb returning non-zero stops (that
 * value is returned). which: STORE_SAMPLES_ALL, every row in (config,
 * suite, item, rep) order; STORE_SAMPLES_FAILED, rows whose score failed
 * (passed 0, unparsed, scorer error) first, then samples whose request
 * failed (error, timeout); STORE_SAMPLES_FAILED_UNSCORED, those and then
 * answers no scorer scored (speed suites). */
enum { STORE_SAMPLES_ALL = 0, STORE_SAMPLES_FAILED = 1, STORE_SAMPLES_FAILED_UNSCORED = 2 };
typedef int (*store_sample_cb)(void *ctx, const struct store_sample_row *row);
int store_run_samples(struct store *st, const char *run_id, int which,
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

/* The sample's score by scorer, whatever its status: 1 with *value (NULL
 * reads 0), *passed (1, 0, -1 for NULL) and *status ('s' scored, 'u'
 * unparsed, 'e' the scorer failed, 'f' the request failed), 0 when absent,
 * -1 on a store error. */
int store_score_get(struct store *st, int64_t sample_id, const char *scorer, double *value, int *passed,
                    char *status, struct bai_error *err);

/* Deletes the sample's score by scorer when its status is "error" (the
 * scorer never judged: "no judge model configured"), so a judge's keyed
 * score does not stand beside an empty placeholder. 0 or -1. */
int store_score_drop_error(struct store *st, int64_t sample_id, const char *scorer, struct bai_error *err);

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

/* One row of a configuration's non-warm-up samples joined with their
 * scores (a sample without a score gives one row with scorer NULL), in
 * suite (name, version, sha256) then sample id order: what compare pairs.
 * Strings are valid during the callback only. */
struct store_config_score_row {
    const char *suite_name, *suite_sha256, *item_id, *status;
    int suite_version, rep;
    int64_t sample_id;
    double gen_tps, ttft_ms, prompt_tps;     /* negative: not measured */
    int64_t draft_n, draft_accepted;         /* -1: none */
    const char *scorer, *score_status;       /* NULL: no score */
    double value;
    int passed;                              /* 1, 0, -1 */
};
typedef int (*store_config_score_cb)(void *ctx, const struct store_config_score_row *row);
/* Calls cb per row; cb returning non-zero stops (that value is returned). */
int store_config_scores(struct store *st, const char *run_id, int64_t config_id, store_config_score_cb cb,
                        void *ctx, struct bai_error *err);

/* What a replay serves for one (suite name, item, rep) of a run: the first
 * configuration's non-warm-up sample of it. Strings allocated (NULL when
 * the column is). */
struct store_replayed {
    char *status, *error, *output, *reasoning, *finish_reason, *tool_calls_json;
    int64_t prompt_tokens, completion_tokens;   /* -1 = not recorded */
};
/* 1 with *out filled, 0 when the run has no such sample, -1 on error. */
int store_replay_sample(struct store *st, const char *run_id, const char *suite, const char *item_id,
                        int rep, struct store_replayed *out, struct bai_error *err);
void store_replayed_free(struct store_replayed *r);
/* --- server starts: memory, load time, first request (store/starts.c) ---- */

/* One llama-server start of a config. Unknown numbers are -1 (stored NULL). */
struct store_server_start {
    int64_t config_id;
    int seq;                     /* 0, 1, ... per config (restarts, resumes) */
    const char *t;               /* ISO 8601 UTC of the launch; NULL = now */
    double load_ms;              /* process start to the first /health 200 */
    int64_t rss_loaded_bytes;    /* resident set of the server's process group
                                    right after it was ready */
    int64_t rss_peak_bytes;      /* the highest seen while it ran */
    int64_t gpu_loaded_bytes, gpu_peak_bytes;   /* GPU memory of its processes */
    const char *gpu_source;      /* "nvml", "nvidia-smi", or "unavailable: why" */
    int64_t model_bytes, kv_bytes, compute_bytes;   /* from the server's load log */
    int layers_offloaded, layers_total;             /* -1: not in the log */
    const char *gpu_devices;     /* GPU buffer devices named in the log ("CUDA0"), or NULL */
    const char *buffers_json;    /* every buffer line as parsed, or NULL */
    double first_ttft_ms, first_e2e_ms, first_gen_tps, first_prompt_tps;
    int64_t first_tokens;        /* completion tokens of that first request */
};
/* The seq the next start of config_id takes (0 when none is stored), so a
 * resumed run adds its starts after the earlier ones; -1 on error. */
int store_server_start_next_seq(struct store *st, int64_t config_id, struct bai_error *err);
/* Adds the start, or replaces the row with the same (config_id, seq). */
int store_server_start_put(struct store *st, const char *run_id, const struct store_server_start *s,
                           struct bai_error *err);

/* A stored start, read back (strings allocated). */
struct store_server_start_info {
    struct store_server_start s;
    char *t, *gpu_source, *gpu_devices, *buffers_json;
};
/* The starts of a config in seq order. Takes the connection reports hold
 * (store_db). */
int store_config_starts(struct sqlite3 *db, int64_t config_id, struct store_server_start_info **out,
                        size_t *n_out, struct bai_error *err);
void store_server_starts_free(struct store_server_start_info *v, size_t n);
/* The earliest measured request of a config (by send time, warm-ups
 * excluded): what "first request" means when no warm-up was sent. Returns
 * 1 and fills the figures (-1 = not measured), 0 when none, -1 on error. */
int store_config_first_sample(struct sqlite3 *db, int64_t config_id, double *gen_tps, double *ttft_ms,
                              double *e2e_ms, int64_t *tokens, struct bai_error *err);

/* The configs of a run in id order with what reports built on the report
 * connection (store_db) read: id, label, model, params_json, status,
 * reason (the other members NULL). Free with store_configs_free. */
int store_run_configs_db(struct sqlite3 *db, const char *run_id, struct store_config_info **out, size_t *n_out,
                         struct bai_error *err);

/* One answered, measured sample of a config for the sweep tables' speed
 * and throughput: unmeasured numbers are -1, t_start_s and value NaN;
 * value is the score of the first scorer by name; session 0 when the
 * sample was stored before sessions. */
struct store_speed_row {
    double gen_tps, e2e_ms, ttft_ms, t_start_s, value;
    int64_t draft_n, draft_accepted, completion_tokens, session;
};
typedef int (*store_speed_row_cb)(void *ctx, const struct store_speed_row *x);
/* cb per row (any order); cb returning non-zero stops (that value is returned). */
int store_config_speed_rows(struct sqlite3 *db, int64_t config_id, store_speed_row_cb cb, void *ctx,
                            struct bai_error *err);

/* One measured sample of a config with its score (the first scorer by
 * name), for the sweep tables: warm-ups left out. Strings are valid during
 * the callback only; unmeasured numbers are -1. */
struct store_config_sample {
    const char *suite, *item_id, *status, *score_status;   /* score_status NULL: no score */
    int suite_version, rep, tier;
    double t_start_s, ttft_ms, e2e_ms, gen_tps, prompt_tps;
    int64_t completion_tokens, draft_n, draft_accepted;
    double value;
    int passed;                  /* 1, 0, -1 = not applicable or no score */
};
/* 1 when some sample of the run belongs to an item with a tier, 0 when
 * none does, -1 on error. */
int store_run_has_tiers(struct sqlite3 *db, const char *run_id, struct bai_error *err);

typedef int (*store_config_sample_cb)(void *ctx, const struct store_config_sample *s);
/* In (suite, item, rep) order; cb returning non-zero stops (that value is
 * returned). */
int store_config_samples(struct sqlite3 *db, int64_t config_id, store_config_sample_cb cb, void *ctx,
                         struct bai_error *err);

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
