/* llama_server.h - a llama-server process that benchai launches, watches and
 * stops itself.
 *
 * Owns: the argv (through server_flags), a free loopback port, the process
 * group, the log file, readiness (/health answers 503 while loading), the
 * record of /props and /slots, verification that what runs is what was
 * asked for, restart after a crash, and SIGTERM-then-SIGKILL shutdown.
 * The child gets PR_SET_PDEATHSIG so it dies with benchai even on SIGKILL.
 * While it runs, a health watch (health_watch.h) asks /health and kills a
 * server that stopped answering; it then counts as dead (llama_server_alive
 * returns 0, llama_server_death says what was seen). With no --threads, a
 * server started next to another one of this benchai (a judge) takes the
 * cores that one leaves free (llama_procs.h).
 */
#ifndef BAI_LLAMA_SERVER_H
#define BAI_LLAMA_SERVER_H

#include <signal.h>
#include <sys/types.h>
#include <cjson/cJSON.h>
#include "settings/settings.h"
#include "backend/loadlog.h"
#include "backend/memwatch.h"
#include "util/error.h"
#include "util/strv.h"

/* What to launch. The settings (settings/settings.h) are the launch
 * settings of the table: each one that is set becomes its flag in this
 * build's spelling; unset ones keep the server's default (np: 1, never
 * "auto"). */
struct llama_server_config {
    const char *binary;          /* llama-server path */
    const char *model;           /* GGUF path (required) */
    const char *draft;           /* draft GGUF or NULL */
    const char *arch;            /* GGUF architecture, for --override-kv keys */
    const struct settings *settings;   /* borrowed; NULL: all server defaults */
    const char *mmproj;          /* multimodal projector GGUF (images) or NULL */
    const char *log_path;        /* server stdout+stderr go here (required) */
    int startup_timeout_s;       /* 0 = BAI_STARTUP_TIMEOUT_S */
    /* No answer to /health for this long (while it runs) = hung: killed,
     * then dead for llama_server_alive. 0 = not watched (callers pass
     * BAI_HANG_TIMEOUT_MS for the default). */
    int hang_timeout_ms;
    const char *role;            /* "server" (NULL) or "judge": for the thread split record */
    /* Set asynchronously (Ctrl-C) to abandon a start-up that is still
     * waiting for the model to load; NULL = never. */
    volatile sig_atomic_t *cancel;
};

struct llama_server;

/* Builds the argv (without --host/--port) into *out, translating settings
 * to this binary's spellings; errors name an unsupported setting. 0, or -1
 * with *out empty. Free *out with strv_free. */
int llama_server_build_argv(const struct llama_server_config *cfg, struct strv *out, struct bai_error *err);

/* Starts the server and waits until it is ready. On start-up failure the
 * error quotes the last lines of its log. */
struct llama_server *llama_server_start(const struct llama_server_config *cfg, struct bai_error *err);
/* "http://127.0.0.1:PORT" */
const char *llama_server_url(const struct llama_server *s);
pid_t llama_server_pid(const struct llama_server *s);
/* The whole command line as one shell-quoted string (for the store). */
const char *llama_server_command_line(const struct llama_server *s);
/* 1 while the process runs. Reaps it (and records why) when it has died. */
int llama_server_alive(struct llama_server *s);
/* Why it died ("killed by signal 9", "exit status 1", "hung: /health gave
 * no answer for 30.0 s ...; process state T (stopped); killed ..."), or NULL. */
const char *llama_server_death(const struct llama_server *s);
/* Starts it again with the same argv (after a crash). */
int llama_server_restart(struct llama_server *s, struct bai_error *err);
/* /props and /slots as fetched after start-up ({"props":..., "slots":...}). */
const cJSON *llama_server_info(const struct llama_server *s);
/* 1 when this build takes speculative settings (speculative.n_max, ...)
 * in each request: its /props lists them among the default generation
 * parameters (builds that parse them echo them there). The pinned build
 * 3.22.1 compiles them out, so a K sweep restarts the server per K. */
int llama_server_takes_request_spec(const struct llama_server *s);
/* The same decision on a /props answer (for tests). */
int llama_server_props_take_request_spec(const cJSON *props);
/* Build string from /props, or NULL. */
const char *llama_server_build(const struct llama_server *s);
/* Checks /slots against the config: slot count, speculative on/off, n_ctx.
 * A mismatch is an error, never a silently different measurement. */
int llama_server_verify(const struct llama_server *s, const struct llama_server_config *cfg,
                        struct bai_error *err);
/* SIGTERM, wait up to grace_ms, then SIGKILL; reaps; frees. NULL is fine. */
void llama_server_stop(struct llama_server *s, int grace_ms);

/* {"cores":N,"threads":N,"others":[{"role":"judge","threads":N}]} when
 * other servers of this benchai ran at start (the thread split), else NULL. */
const cJSON *llama_server_thread_split(const struct llama_server *s);
/* llama-server processes not started by this benchai that ran when this one
 * started (llama_procs_competing), or NULL when there were none. */
const cJSON *llama_server_competing(const struct llama_server *s);
/* One line about those competitors for the run's incidents, or NULL. */
const char *llama_server_notice(const struct llama_server *s);

/* One start of the server process: the first, and one per restart. The
 * load time runs from the fork to the first /health 200 (the model read,
 * the draft loaded, the warm-up run llama-server does itself); memory is
 * sampled from /proc (and the GPU driver, when there is one) right after
 * that and then while the process runs (memwatch.h); the buffer sizes and
 * offloaded layers are what this start wrote to the log (loadlog.h). */
struct llama_server_launch {
    double started_unix_s;       /* wall clock at the fork */
    double load_ms;
    struct memwatch_figures mem;
    struct loadlog log;
};
/* The starts so far, oldest first; the running one's peaks are sampled
 * again first. The array belongs to s (valid until the next call that
 * restarts or stops it). */
size_t llama_server_launches(struct llama_server *s, const struct llama_server_launch **out);

#endif
