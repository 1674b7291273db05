/* judge_client.h - the judge model for the `judge` scorer, reached over the
 * OpenAI chat/completions protocol: an endpoint the user names (--judge-url)
 * or a llama-server benchai launches from a GGUF (--judge-gguf).
 * Owns: that connection (or server process), retries and backoff. Does not
 * own: the judge prompt or score parsing (score/judge.c). */
#ifndef BAI_JUDGE_CLIENT_H
#define BAI_JUDGE_CLIENT_H

#include "score/judge.h"
#include "util/error.h"

/* Exactly one of url / gguf. Zero members take the defaults noted. */
struct judge_options {
    const char *url;             /* base URL (http://host:port, ".../v1" accepted) */
    const char *gguf;            /* launch llama-server with this model instead */
    const char *model;           /* "model" field and the name recorded with each
                                  * score (default: the GGUF's file name, else "judge") */
    const char *api_key_env;     /* env var holding the API key (url only) */
    const char *server_bin;      /* llama-server binary (default defaults_llama_server()) */
    const char *log_path;        /* llama-server log (default BAI_LOGS_DIR/judge-<pid>.log) */
    int ctx;                     /* llama-server context size (0 = server default) */
    int startup_timeout_s;       /* 0 = BAI_STARTUP_TIMEOUT_S */
    int max_tokens;              /* 0 = 512 */
    long timeout_ms;             /* per request, 0 = BAI_REQUEST_TIMEOUT_MS */
    int http_retries;            /* extra attempts on transport errors, 429, 5xx;
                                  * < 0 = none, 0 = default 3 */
    int backoff_ms;              /* first backoff, doubled per attempt (0 = 500) */
    int unparsed_retries;        /* struct judge.retries: < 0 = none, 0 = default 2 */
};

/* 1 when o asks for a judge at all (url or gguf set). */
int judge_options_given(const struct judge_options *o);

/* Checks the options, launches the server or checks the endpoint
 * (GET /v1/models), and returns a struct judge whose complete() sends one
 * non-streamed chat request at temperature 0 (a retry of the same prompt,
 * i.e. the scorer's retry after an unparsable answer, uses 0.7 so it is
 * not the same answer again). Errors: BAI_EXIT_USAGE (options, empty API
 * key), BAI_EXIT_BACKEND (endpoint or server unavailable).
 * Thread use: one thread at a time calls complete() (the runner's consumer
 * thread, or rescore). */
int judge_client_open(const struct judge_options *o, struct judge **out, struct bai_error *err);
/* Stops a launched server and frees everything. NULL is fine. */
void judge_client_close(struct judge *j);

/* Requests sent so far (HTTP attempts included), for summaries and tests. */
long judge_client_requests(const struct judge *j);

#endif
