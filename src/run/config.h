/* config.h - everything one `benchai run` was asked to do, in one struct
 * owned by run/ (curl's OperationConfig is the model): the command line
 * (cmd/run.c) only parses into it; run/plan_points.c turns its backend and
 * sweep settings into configurations, run/runner.c reads its measurement,
 * resume and store settings. The launch settings are one struct settings (the
 * table of settings/settings.h); a plan's points lay theirs over it.
 *
 * Owns: the defaults and the memory of the lists. Does not own: parsing
 * (cmd/), loading suites, the points, the judge connection. Single strings
 * are borrowed from whatever the parser read (argv, or the stored argv of a
 * resumed run) and must outlive the struct.
 */
#ifndef BAI_RUN_CONFIG_H
#define BAI_RUN_CONFIG_H

#include <stddef.h>
#include "backend/backend.h"
#include "settings/settings.h"
#include "util/strv.h"

struct run_config {
    /* suites and items */
    struct strv suites;          /* as given (names or paths) */
    int limit;                   /* first N items per suite, 0 = all */
    int reps;                    /* samples per item, 0 = the suite's */
    int shard_i, shard_n;        /* shard i of n (run/shard.h: whole points, chunks of costly
                                    ones); n = 0: all */
    const char *split_above;     /* --split-above: auto (NULL), never or a duration */
    const char *run_id;          /* new run under this id (shards); NULL: generated */
    int force;                   /* resume / join: accept suites changed since the run started */
    int allow_outside_source;    /* suites may read data files outside their folder */

    /* backend */
    enum backend_kind backend;
    const char *model, *draft, *server_bin;
    struct settings launch;      /* --k, --np, --threads, ..., --server-arg: the
                                  * table's settings given here (owned) */
    const char *mmproj;          /* multimodal projector GGUF (path or registry name) */
    const char *models_file;     /* the model registry; NULL: the default search (run/models.h) */
    int startup_timeout_s;       /* seconds for a server to load */
    int hang_timeout_ms;         /* --hang-timeout: a server silent this long is hung; 0 = not watched */
    const char *url, *api_key_env, *cmd, *from;

    /* sweeps and plans */
    const char *plan;
    struct strv sweeps;          /* "axis=v1,v2" */
    const char *zip;             /* "k,np": axes expanded together */
    int dry_run;

    /* measurement */
    int concurrency;             /* requests in flight, 0: per point (np, else 1) */
    double rate;                 /* > 0: open loop requests/s */
    int warmup;                  /* warm-up requests per point (excluded) */
    int fresh_server;            /* a server per point, never shared between points */
    int stream;
    long timeout_ms;             /* per request */
    size_t max_answer_bytes;     /* --max-answer-bytes, 0 = GEN_MAX_ANSWER_BYTES_DEFAULT */
    int retries;                 /* retries of a failed request */
    int sandbox_rlimits;         /* code scoring without namespaces (--sandbox rlimits) */
    const char *prompt_cache;    /* --prompt-cache: off, unique-prefix, on (run/request.h) */

    /* judge (run/judge_client.h) */
    const char *judge_url, *judge_model, *judge_api_key_env, *judge_gguf;

    /* store */
    const char *store;           /* the command fills it (cli_default_store) */
    const char *logs;            /* NULL: results/logs */
    const char *note;
    struct strv tags;

    int demo;                    /* --demo: the smoke suite on the tiny model */
};

/* The defaults of every setting (util/defaults.h: one warm-up request,
 * three retries, the timeouts, the store and logs folder; the llama-server
 * backend, streaming, server defaults for the launch settings). */
void run_config_init(struct run_config *c);
/* Frees the lists and zeroes the struct (borrowed strings stay). */
void run_config_free(struct run_config *c);
/* Flags that contradict each other (--plan with --model, a launch setting
 * with --backend openai, --judge-url with --judge-gguf, --k without a
 * draft, ...): -1 with err (exit 2) naming both. */
int run_config_check(const struct run_config *c, struct bai_error *err);
/* The store the run writes (c->store; BAI_STORE_PATH when a caller
 * cleared it). */
const char *run_config_store(const struct run_config *c);

#endif
