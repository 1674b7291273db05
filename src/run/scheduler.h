/* scheduler.h - sends a batch of generation requests to a backend and hands
 * each finished one on, on a separate thread.
 *
 * Owns: the I/O loop (one thread, net/http.c: libcurl's socket interface
 * on epoll): closed loop with N requests in flight, or open loop at R
 * requests/s with Poisson arrivals, each sent when a timer fires at its
 * intended time (microsecond wake-ups, no polling) and timed from that
 * intended time (no coordinated omission); retries with exponential backoff and jitter; server crash
 * recovery (restart, re-send in-flight jobs, bounded). Does not own what a
 * job means: the consumer callback scores and stores it on its own thread,
 * so slow scoring never delays the timestamps of other requests.
 */
#ifndef BAI_SCHEDULER_H
#define BAI_SCHEDULER_H

#include <signal.h>
#include <stddef.h>
#include "backend/backend.h"
#include "backend/gen.h"

struct sched_job {
    struct gen_request req;
    const char *key;              /* "suite\x1fitem\x1frep": replay lookup, logs */
    void *user;                   /* the caller's */
    struct gen_response resp;     /* filled when done */
    int attempts;
};

struct sched_options {
    int concurrency;              /* closed loop: requests in flight (>= 1) */
    double rate;                  /* > 0: open loop, requests per second */
    unsigned long seed;           /* arrival process seed */
    int max_retries;              /* per job, for retryable errors (0: the default 3;
                                     negative: none) */
    int max_restarts;             /* server restarts per batch (default 3) */
    /* Set asynchronously (signal handler); the batch stops submitting and
     * returns with the jobs not yet done left untouched. */
    volatile sig_atomic_t *stop;
    /* Called for every incident (server died, restarted, retry) so the
     * caller can record it; may be NULL. Runs on the I/O thread. */
    void (*on_incident)(void *ctx, const char *kind, const char *message);
};

/* Called once per finished job (ok or error), on the consumer thread, in
 * completion order. */
typedef void (*sched_done_fn)(void *ctx, struct sched_job *job);

struct sched_stats {
    size_t done, failed, retried, restarts;
    int64_t wall_ns;              /* first send to last completion */
    int stopped;                  /* the stop flag ended the batch */
};

/* Runs every job to completion (or error) and returns 0; -1 when the
 * backend could not be recovered (err set; the remaining jobs are not done). */
int sched_run(struct backend *b, struct sched_job *jobs, size_t n_jobs,
              const struct sched_options *opt, sched_done_fn done, void *ctx,
              struct sched_stats *stats, struct bai_error *err);

#endif
