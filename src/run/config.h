/* config.h - everything one `benchai run` was asked to do, in one struct
 * owned by run/ (curl's OperationConfig is the model): the command line
 * (cmd/run.c) only parses into it; run/points.c turns its backend and sweep
 * settings into configurations, run/runner.c reads its measurement, resume
 * and store settings. Nothing is copied field by field in between.
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

struct run_config {
    /* suites and items */
    char **suites;               /* as given (names or paths), owned */
    size_t n_suites, cap_suites;
    int limit;                   /* first N items per suite, 0 = all */
    int reps;                    /* samples per item, 0 = the suite's */
    int shard_i, shard_n;        /* shard i of n (run/shard.h: whole points, chunks of costly
                                    ones); n = 0: all */
    const char *split_above;     /* --split-above: auto (NULL), never or a duration */
    const char *run_id;          /* new run under this id (shards); NULL: generated */
    int force;                   /* resume / join: accept suites changed since the run started */

    /* backend */
    enum backend_kind backend;
    const char *model, *draft, *server_bin, *spec_type, *flash_attn, *cache_type_k, *cache_type_v;
    const char *spec_synth_rates;
    int k, experts, np, threads, ctx, ngl, batch, ubatch;   /* 0 (ngl -1): server default */
    char **server_args;          /* --server-arg, raw, owned */
    size_t n_server_args, cap_server_args;
    int startup_timeout_s;       /* 0 = 300 */
    int hang_timeout_ms;         /* --hang-timeout: 0 = default (30 s), -1 = not watched */
    const char *url, *api_key_env, *cmd, *from;

    /* sweeps and plans */
    const char *plan;
    char **sweeps;               /* "axis=v1,v2", owned */
    size_t n_sweeps, cap_sweeps;
    const char *zip;             /* "k,np": axes expanded together */
    int dry_run;

    /* measurement */
    int concurrency;             /* requests in flight, 0: per point (np, else 1) */
    double rate;                 /* > 0: open loop requests/s */
    int warmup;                  /* warm-up requests per point (excluded) */
    int stream;
    long timeout_ms;             /* per request, 0 = 600 s */
    int retries;                 /* retries of a failed request */
    int sandbox_rlimits;         /* code scoring without namespaces (--sandbox rlimits) */

    /* judge (run/judge_client.h) */
    const char *judge_url, *judge_model, *judge_api_key_env, *judge_gguf;

    /* store */
    const char *store;           /* NULL: STORE_DEFAULT_PATH */
    const char *logs;            /* NULL: results/logs */
    const char *note;
    char **tags;                 /* owned */
    size_t n_tags, cap_tags;

    int demo;                    /* --demo: the smoke suite on the tiny model */
};

/* The defaults of every setting (llama-server backend, one warm-up request,
 * streaming, three retries, server defaults for the launch settings). */
void run_config_init(struct run_config *c);
/* Frees the lists and zeroes the struct (borrowed strings stay). */
void run_config_free(struct run_config *c);
/* The store the run writes: c->store, else STORE_DEFAULT_PATH. */
const char *run_config_store(const struct run_config *c);

#endif
