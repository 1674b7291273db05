/* run_int.h - internals shared by the runner's files (never included
 * outside src/run/). The runner is split by concern:
 *   runner.c   the life cycle: run record, points, backend start/stop,
 *              warm-up, suites per point, the time budget, the sandbox pool
 *   consume.c  the consumer-thread callback: score one finished request,
 *              commit it, count it, report it to run/progress; incidents queued by
 *              the I/O thread
 *   figures.c  the closing rows' figures, read from the store when the run
 *              ends, and the degenerate-output verdict of a batch
 *   resume.c   what a run records so it can be resumed, and the check that
 *              its suites did not change since it started
 *   summary.c  the closing table (struct run_result)
 */
#ifndef BAI_RUN_INT_H
#define BAI_RUN_INT_H

#include <pthread.h>
#include <signal.h>
#include "run/request.h"
#include "run/runner.h"
#include "run/scheduler.h"

struct score_context;

/* What the consumer thread needs to score and store one finished job. */
struct job_meta {
    const struct suite_item *item;
    int rep;
    struct built_request built;
};

/* One (config, suite) batch: the jobs handed to the scheduler and what the
 * consumer thread adds up while they finish. Fields below "consumer" are
 * touched by the consumer thread only while the scheduler runs. */
struct batch {
    struct store *st;
    const struct score_context *score_ctx;
    const char *run_id;
    int64_t config_id;
    int64_t suite_id;
    const struct suite *suite;
    const char *config_label;
    struct sched_job *jobs;
    struct job_meta *meta;
    size_t n_jobs;
    volatile sig_atomic_t *stop;
    struct progress *progress;    /* run/progress.h, NULL: none */
    int progress_slot;
    const char *cache_bypass;     /* what every request did about the prompt cache
                                     (samples.cache_bypass), NULL: nothing */
    const char *prompt_cache;     /* the --prompt-cache mode's name, for the warning */
    int backend_llama;            /* the server took cache_prompt (backend_speaks_llama) */
    int64_t *cache_warned_config; /* the config last warned about a prompt cache hit
                                     (the runner's; one warning per configuration) */
    /* consumer */
    int store_failed;
    struct bai_error store_err;
    size_t done, errors;
    size_t ok, degenerate;
    const char *degenerate_why;
    /* incidents from the I/O thread ("kind\x1fmessage"), written after the batch */
    pthread_mutex_t incident_mu;
    char **incidents;
    size_t n_incidents, cap_incidents;
};

/* consume.c ------------------------------------------------------------- */

/* Sets up the incident queue; the other fields are the caller's. */
void run_batch_init(struct batch *b);
/* Frees what run_batch_init made (not the jobs). */
void run_batch_free(struct batch *b);
/* sched_options.on_incident: queues an incident (I/O thread). */
void run_batch_incident(void *ctx, const char *kind, const char *message);
/* sched_run's callback: scores the job, commits the sample with its score
 * (one transaction), counts it. Consumer thread. */
void run_batch_job_done(void *ctx, struct sched_job *job);
/* Writes the queued incidents to the store and empties the queue. */
void run_batch_write_incidents(struct batch *b);

/* figures.c ------------------------------------------------------------- */

/* A configuration whose outputs in this batch are mostly degenerate is
 * recorded as such (incident and config status) and its row says why. */
void run_batch_figures(struct batch *b, struct run_result_row *row);
/* Every row's figures from the store (the whole run, as `show` computes
 * them), and the run's answered and failed sample counts. */
int run_result_fill(struct store *st, struct run_result *res, struct bai_error *err);

/* resume.c -------------------------------------------------------------- */

/* The plan JSON stored with a new run: the command's plan_json with each
 * suite's name, version and hash added ("suites"). Caller frees. */
char *run_plan_record(const char *plan_json, struct suite *const *suites, size_t n_suites);
/* Before a stored run is resumed or joined (--run-id): every suite about
 * to run must have the content it had when the run started. A changed one
 * is refused (BAI_EXIT_USAGE, naming each suite and both hashes) unless
 * force, which accepts it and records an incident "suite_changed" with the
 * run. Suites the run did not start with, and runs started before suites
 * were recorded, are not checked. */
int run_check_suites(struct store *st, const char *run_id, struct suite *const *suites, size_t n_suites,
                     int force, struct bai_error *err);

/* starts.c -------------------------------------------------------------- */

/* The starts of one point's server as they are recorded (store/starts.c). */
struct run_starts {
    int64_t config_id;
    int base_seq;                /* seq of this point's first start (after a resume's) */
    int have_first;
    struct store_server_start first;   /* the first request's figures only */
    size_t n_warned;             /* starts already checked for partial offload */
    size_t first_launch;         /* the server's launches before this point (a shared
                                    server's): not this point's starts */
};
/* Before the first record: where this point's starts are numbered from,
 * and which of be's launches are this point's: all of a server started for
 * it, those after now of a server it shares with the point before. */
int run_starts_begin(struct store *st, int64_t config_id, struct backend *be, int shared, struct run_starts *rs,
                     struct bai_error *err);
/* The layers a launch asked to offload (settings' ngl: a number; "all" a
 * huge number; "auto" or unset NaN: nothing to compare with). */
struct settings;
double run_starts_ngl_asked(const struct settings *s);
/* The first answered request after the first start (the warm-up). */
void run_starts_first_request(struct run_starts *rs, const struct gen_response *resp);
/* Writes (or rewrites) every start of be's server so far with its current
 * peaks; warns once per start when fewer layers than asked (ngl_asked, NaN
 * = not given) are on the GPU. Nothing for a backend without a server. */
int run_starts_record(struct store *st, const char *run_id, struct run_starts *rs, struct backend *be,
                      double ngl_asked, const char *label, struct bai_error *err);

/* summary.c ------------------------------------------------------------- */

/* Appends a row with no figures yet (NaN) to the closing table. */
struct run_result_row *run_result_add_row(struct run_result *res, const char *config, const char *suite,
                                          const char *status);

#endif
