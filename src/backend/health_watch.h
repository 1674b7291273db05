/* health_watch.h - a thread that keeps asking a supervised llama-server for
 * GET /health while it runs, and kills it when it stops answering.
 *
 * A server can hang without exiting (SIGSTOP, a deadlock, a driver stuck in
 * the kernel): requests then wait for their own timeout (600 s by default)
 * and the night is lost. llama-server answers /health on its HTTP threads
 * without touching the model, so a server that is busy generating still
 * answers in milliseconds; no answer for hang_ms means it is hung.
 *
 * Owns: the probe thread, its wake-up pipe, the verdict text (what was
 * seen). Does not own the process: it sends SIGKILL to the process group
 * and nothing else; llama_server.c reaps, records and restarts.
 */
#ifndef BAI_HEALTH_WATCH_H
#define BAI_HEALTH_WATCH_H

#include <sys/types.h>

struct health_watch_config {
    int port;                    /* the server listens on 127.0.0.1:port */
    pid_t pid;                   /* the server; also its process group id */
    int hang_ms;                 /* no answer for this long = hung (> 0) */
    const char *log_path;        /* the server's log, for the verdict; may be NULL */
};

struct health_watch;

enum health_probe {
    HEALTH_ANSWERED,             /* an HTTP answer, whatever its status */
    HEALTH_REFUSED,              /* nothing listens on the port */
    HEALTH_SILENT,               /* connected (or connecting) but no answer in time */
    HEALTH_WOKEN                 /* the watch was stopped meanwhile (internal) */
};

/* One GET /health on a fresh connection to 127.0.0.1:port within
 * timeout_ms; the HTTP status goes to *status_out (may be NULL), the
 * reason for anything but an answer to why. Used by start-up too, where
 * "refused" means "not listening yet" and "silent" means hung. */
enum health_probe health_probe(int port, int timeout_ms, int *status_out, char *why, size_t why_size);

/* Starts the probe thread. NULL when the thread cannot be created (the
 * server then runs unwatched, as before). */
struct health_watch *health_watch_start(const struct health_watch_config *cfg);
/* 1 once the watch has found the server hung and sent it SIGKILL. Safe to
 * call from any thread. */
int health_watch_fired(const struct health_watch *w);
/* Stops and joins the thread (within one probe's timeout, usually at
 * once), frees the watch, and returns the verdict when it fired ("hung:
 * /health gave no answer for ...", allocated) or NULL. NULL w is fine. */
char *health_watch_stop(struct health_watch *w);

#endif
