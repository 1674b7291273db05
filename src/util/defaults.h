/* defaults.h - every built-in default value of benchai, named once with its
 * unit. A command fills its config from flags, the config file (cli/config_file.h)
 * and these; library code takes explicit values and falls back to these
 * names only where its interface documents "0 = the default". Where files
 * live by default (the cached llama-server, the tiny models, suites, the
 * registry search) is run/defaults.h.
 *
 * Owns: the numbers and names. Does not own how a setting is resolved
 * (precedence of flag, environment and config file: cli/config_file.c). */
#ifndef BAI_UTIL_DEFAULTS_H
#define BAI_UTIL_DEFAULTS_H

/* The results store, relative to the working folder (cli_default_store
 * puts $BENCHAI_STORE and the config file's store: before it). */
#define BAI_STORE_PATH "results/benchai.db"
/* Server logs: <dir>/<run>/<config>.log, and a judge's judge-<pid>.log. */
#define BAI_LOGS_DIR "results/logs"
/* One request, from send to the last byte. */
#define BAI_REQUEST_TIMEOUT_MS 600000L
/* A launched llama-server, from start to /health ready (large models load
 * for minutes). */
#define BAI_STARTUP_TIMEOUT_S 300
/* A launched server whose /health gives no answer this long is hung. */
#define BAI_HANG_TIMEOUT_MS 30000
/* Retries of a failed request, and the longest wait between two. */
#define BAI_RETRIES 3
#define BAI_RETRY_BACKOFF_MAX_MS 30000
/* Warm-up requests after each server start, kept out of every figure. */
#define BAI_WARMUP 1
/* The seed of open-loop (--rate) Poisson arrivals: runs are repeatable. */
#define BAI_ARRIVAL_SEED 42

#endif
