/* runner.h - one run from start to finish: for every configuration (sweep
 * point) bring the backend up, send every suite item that is not yet
 * stored, score each answer and commit it as it finishes, then compute the
 * per-(config, suite) figures. This is the plan -> requests -> responses ->
 * scores -> store flow; reports read the store afterwards.
 *
 * Owns: run/config/sample bookkeeping, resume (skip what is stored),
 * progress, the closing table. The settings come from struct run_config
 * (run/config.h); run_int.h says which file has which concern.
 */
#ifndef BAI_RUNNER_H
#define BAI_RUNNER_H

#include <signal.h>
#include <stdio.h>
#include "backend/backend.h"
#include "report/figures.h"
#include "run/config.h"
#include "store/store.h"
#include "suite/suite.h"

struct judge;
struct plan;
struct progress;

/* One server configuration to measure. */
struct run_point {
    char *label;                  /* unique in the run: "tiny-dense k=4 np=2" */
    struct backend_config backend;
    const struct settings *settings;   /* every setting of the point (its plan's),
                                        * request settings included; NULL: none */
    char *params_json;            /* sweep parameters as JSON */
    char *model;                  /* display name / path for the store */
    char *draft;
    /* What the configuration is (settings/identity.h), filled by
     * run_points_identify before the run: the canonical JSON, its hash,
     * the content hashes of the model and draft files (NULL: none). */
    char *identity_json, *identity, *model_sha256, *draft_sha256;
    char *skip_reason;            /* non-NULL: recorded as skipped, not run */
    int concurrency;              /* 0: follow np (or 1) */
    int reps, warmup;             /* -1: the run's */
    size_t *suite_idx;            /* indexes into run_options.suites; NULL: all */
    size_t n_suite_idx;
};

/* What runner_run is handed: the run's config and what the command
 * prepared from it. Everything is borrowed. */
struct run_options {
    const struct run_config *cfg; /* every setting of the run (run/config.h) */
    struct suite **suites;        /* loaded and validated */
    size_t n_suites;
    struct run_point *points;     /* from run_points_build */
    size_t n_points;
    const struct plan *plan;      /* the expanded plan the points came from (model sizes for
                                     the shards' costs, run/shard.h), or NULL */
    const char *resume_run_id;    /* continue this run instead of creating one */
    const char *plan_json;        /* how to redo this run (stored for resume) */
    double time_budget_s;         /* plan time budget: later points are skipped, 0 = none */
    struct judge *judge;          /* judge model for `judge` items (run/judge_client.h), or NULL */
    volatile sig_atomic_t *stop;  /* set asynchronously to stop; NULL: never */
    struct progress *progress;    /* status lines (run/progress.h), or NULL */
};

/* Per (config, suite) figures for the closing table: read from the store
 * when the run ends (report/figures.c, as `show` computes them), so they
 * count the whole run, every earlier session of a resumed run included. */
struct run_result_row {
    char *config;
    char *suite;
    char *status;                 /* "ok", "skipped: ...", "failed: ..." */
    size_t items;                 /* items with a stored sample */
    size_t items_total;           /* items the suite has ("3 of 5" when fewer ran) */
    size_t samples, errors, timeouts;   /* stored samples; requests that failed / timed out */
    int has_score;                /* the suite is scored: score below is set */
    char *scorer;                 /* the stored scorer shown (a judge: "judge:MODEL#PROMPT") */
    struct report_score score;    /* its figures; score.scorer is not set */
    struct report_speed speed;    /* of the answered samples */
};

struct run_result {
    char run_id[STORE_RUN_ID_MAX];
    char *status;                 /* "done", "interrupted", "failed" */
    struct run_result_row *rows;
    size_t n_rows, cap_rows;
    size_t samples_ok;            /* answered samples of the whole run */
    size_t samples_failed;        /* failed or timed-out requests of the whole run */
};

/* Runs it. Returns 0 when the run completed (individual samples or points
 * may still have failed: see rows), -1 with err set otherwise; result is
 * filled in both cases when a run was created. A run that ended without one
 * answered sample (counting earlier sessions of a resumed run) is "failed"
 * with BAI_EXIT_NO_SAMPLES. Interruptions and resumes are recorded as
 * incidents ("interrupted", "resumed"), and the run records this process
 * as its owner (store_run_set_owner). */
int runner_run(const struct run_options *o, struct run_result *result, struct bai_error *err);
void run_result_free(struct run_result *r);
/* The closing table (markdown-ish, fixed width) on out. */
void run_result_print(const struct run_result *r, FILE *out);

#endif
