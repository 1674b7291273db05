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
    char *params_json;            /* sweep parameters as JSON */
    char *model;                  /* display name / path for the store */
    char *draft;
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

/* Per (config, suite) figures for the closing table. */
struct run_result_row {
    char *config;
    char *suite;
    char *status;                 /* "ok", "skipped: ...", "failed: ..." */
    size_t items;                 /* items run (after --limit and --shard) */
    size_t items_total;           /* items the suite has ("3 of 5" when fewer ran) */
    size_t samples, passed, pass_n, unparsed, errors;
    double score_mean;            /* mean score over scored + unparsed samples */
    double gen_tps_p50, ttft_p50_ms, e2e_p50_ms, aggregate_tps, acceptance;
};

struct run_result {
    char run_id[STORE_RUN_ID_MAX];
    char *status;                 /* "done", "interrupted", "failed" */
    struct run_result_row *rows;
    size_t n_rows, cap_rows;
};

/* Runs it. Returns 0 when the run completed (individual samples or points
 * may still have failed: see rows), -1 with err set otherwise; result is
 * filled in both cases when a run was created. */
int runner_run(const struct run_options *o, struct run_result *result, struct bai_error *err);
void run_result_free(struct run_result *r);
/* The closing table (markdown-ish, fixed width) on out. */
void run_result_print(const struct run_result *r, FILE *out);

#endif
