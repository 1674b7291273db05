/* backend.h - one interface over every way benchai gets a model's answers:
 *   llama-server  launched and supervised by benchai (llama_server.c)
 *   openai        any OpenAI-compatible endpoint (vLLM, SGLang, Ollama, ...)
 *   command       one process per prompt (llama-cli style), no shell
 *   replay        outputs stored by an earlier run
 *
 * Owns: struct backend and its life cycle (start, health, recover, stop),
 * and the per-request transport choice: HTTP backends hand the scheduler an
 * http_call; the others answer synchronously through backend_generate_sync.
 * Does not own: scheduling (run/scheduler.c) or scoring.
 */
#ifndef BAI_BACKEND_H
#define BAI_BACKEND_H

#include <stdint.h>
#include <cjson/cJSON.h>
#include "backend/gen.h"
#include "backend/llama_server.h"
#include "util/error.h"

enum backend_kind { BACKEND_LLAMA_SERVER, BACKEND_OPENAI, BACKEND_COMMAND, BACKEND_REPLAY };

struct store;

struct backend_config {
    enum backend_kind kind;
    struct llama_server_config server;   /* llama-server */
    const char *url;                     /* openai: base URL (without /v1/...) */
    const char *model_name;              /* openai: "model" field */
    const char *api_key_env;             /* openai: name of the env var holding the key */
    const char *cmd_template;            /* command: argv template with {prompt}, {model}, ... */
    const char *replay_run;              /* replay: run id to serve outputs from */
    struct store *replay_store;          /* replay: store holding it (borrowed) */
    int stream;                          /* 1: stream responses (needed for TTFT/ITL) */
    long timeout_ms;                     /* per request, 0 = 600 s */
    size_t max_answer_bytes;             /* per answer, 0 = GEN_MAX_ANSWER_BYTES_DEFAULT */
};

struct backend {
    struct backend_config cfg;
    struct llama_server *server;         /* BACKEND_LLAMA_SERVER while running */
    char *base_url;
    char *api_key;                       /* read from the environment, never stored */
    int restarts;
    int restart_streak;                  /* restarts in a row, each within 2 min of the last */
    int64_t last_restart_ns;             /* monotonic */
    int llama_cpp;                       /* openai: the endpoint is llama.cpp's server
                                            (its /v1/models says owned_by "llamacpp") */
    void *priv;                          /* per-kind state (command, replay) */
};

/* The one list of kind names, indexed by enum backend_kind and
 * NULL-terminated (the --backend choices of `benchai run`). */
extern const char *const backend_kind_names[];
const char *backend_kind_name(enum backend_kind k);
int backend_kind_parse(const char *name, enum backend_kind *out);

/* Starts what the kind needs (launches llama-server, checks an endpoint). */
int backend_start(struct backend *b, const struct backend_config *cfg, struct bai_error *err);
/* 1 when HTTP requests go to b->base_url through the scheduler's client. */
int backend_is_http(const struct backend *b);
/* llama-server extensions (ignore_eos, n_probs, cache_prompt) may be
 * sent: a launched llama-server, or an openai endpoint that is one. */
int backend_speaks_llama(const struct backend *b);
/* 1 while usable; for a supervised server, whether the process lives and
 * answers: a server its health watch found hung has been killed and
 * counts as dead (llama_server_death says what was seen). Callers that see
 * a transport error ask this to tell a dead server from a failed request. */
int backend_alive(struct backend *b);
/* Brings a dead server back (bounded by the caller). Restarts that follow
 * each other within 2 minutes back off: 0.5 s, 1 s, 2 s, ... up to 30 s
 * before the relaunch (Ctrl-C cuts the wait short). */
int backend_recover(struct backend *b, struct bai_error *err);
/* Answers one request without the HTTP scheduler (command, replay). */
int backend_generate_sync(struct backend *b, const struct gen_request *req, const char *item_key,
                          struct gen_response *resp);
/* Counts the tokens of text with the model's own tokenizer (generated
 * haystacks are sized in the tokens of the model under test). Only a
 * running llama-server can (POST /tokenize, backend/tokenize.c): check
 * backend_can_count_tokens first. Returns the count, or -1 with err set. */
int backend_can_count_tokens(const struct backend *b);
int backend_count_tokens(struct backend *b, const char *text, struct bai_error *err);
/* What the run should record about the machine around the backend
 * (another llama-server competing for the cores), or NULL. */
const char *backend_notice(const struct backend *b);
/* {"kind":..., "url":..., "server":{argv, props, slots}, "thread_split":...,
 * "competing_llama_servers":[...]} for the store. */
cJSON *backend_describe(const struct backend *b);
void backend_stop(struct backend *b);

#endif
