/* backend.c - struct backend's life cycle over its four kinds (see
 * backend.h): the one table of kind names, starting each kind (an OpenAI
 * endpoint is checked with GET /v1/models, which also tells a llama.cpp
 * server by its owner), liveness, restarts with their back-off, the
 * synchronous answers of command and replay (backend_int.h) and the
 * record of the backend for the store. */
#include "backend/backend.h"
#include "backend/backend_int.h"
#include "net/http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

const char *const backend_kind_names[] = {
    [BACKEND_LLAMA_SERVER] = "llama-server",
    [BACKEND_OPENAI] = "openai",
    [BACKEND_COMMAND] = "command",
    [BACKEND_REPLAY] = "replay",
    [BACKEND_REPLAY + 1] = NULL,
};

const char *backend_kind_name(enum backend_kind k)
{
    return backend_kind_names[k];
}

int backend_kind_parse(const char *name, enum backend_kind *out)
{
    for (size_t i = 0; backend_kind_names[i]; i++)
        if (!strcmp(name, backend_kind_names[i])) {
            *out = (enum backend_kind)i;
            return 0;
        }
    return -1;
}

/* 1 when a /v1/models answer comes from llama.cpp's server: its models
 * say "owned_by": "llamacpp" (vLLM says "vllm", Ollama "library", ...). */
static int models_from_llama_cpp(const char *body)
{
    cJSON *root = body ? cJSON_Parse(body) : NULL;
    const cJSON *data = cJSON_GetObjectItemCaseSensitive(root, "data"), *m;
    if (!cJSON_IsArray(data))
        data = NULL;
    int yes = 0;
    cJSON_ArrayForEach(m, data) {
        const cJSON *owner = cJSON_GetObjectItemCaseSensitive(m, "owned_by");
        if (cJSON_IsString(owner) && !strcmp(owner->valuestring, "llamacpp"))
            yes = 1;
    }
    cJSON_Delete(root);
    return yes;
}

static int check_endpoint(struct backend *b, struct bai_error *err)
{
    /* /v1/models answers on every OpenAI-compatible server we know; a
     * refusal here is "backend unavailable", not a failed sample. */
    char *url = xasprintf("%s/v1/models", b->base_url);
    long status = 0;
    char *body = NULL;
    int rc = http_request_sync("GET", url, NULL, b->api_key, 15000, &status, &body, err);
    if (rc == 0 && (status == 401 || status == 403)) {
        bai_error_set(err, BAI_EXIT_BACKEND, "%s: HTTP %ld (check the API key in $%s)", url, status,
                      b->cfg.api_key_env ? b->cfg.api_key_env : "?");
        rc = -1;
    }
    /* A llama-server reached as a plain endpoint takes the same request
     * fields as one benchai launched (cache_prompt, ignore_eos, n_probs):
     * without cache_prompt:false its prompt cache serves repeated prompts. */
    if (rc == 0 && status == 200)
        b->llama_cpp = models_from_llama_cpp(body);
    free(body);
    free(url);
    return rc;
}

static int start_kind(struct backend *b, const struct backend_config *cfg, struct bai_error *err);

/* On failure everything start_kind allocated is released here, so callers
 * never stop a backend that did not start. */
int backend_start(struct backend *b, const struct backend_config *cfg, struct bai_error *err)
{
    int rc = start_kind(b, cfg, err);
    if (rc != 0)
        backend_stop(b);
    return rc;
}

static int start_kind(struct backend *b, const struct backend_config *cfg, struct bai_error *err)
{
    memset(b, 0, sizeof *b);
    b->cfg = *cfg;
    if (cfg->api_key_env) {
        const char *key = getenv(cfg->api_key_env);
        if (!key || !*key) {
            bai_error_set(err, BAI_EXIT_USAGE, "--api-key-env %s: that environment variable is empty",
                          cfg->api_key_env);
            return -1;
        }
        b->api_key = xstrdup(key);
    }
    switch (cfg->kind) {
    case BACKEND_LLAMA_SERVER:
        b->server = llama_server_start(&cfg->server, err);
        if (!b->server)
            return -1;
        b->base_url = xstrdup(llama_server_url(b->server));
        return llama_server_verify(b->server, &cfg->server, err);
    case BACKEND_OPENAI: {
        if (!cfg->url) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend openai needs --url");
            return -1;
        }
        size_t len = strlen(cfg->url);
        while (len > 0 && cfg->url[len - 1] == '/')
            len--;
        if (len >= 3 && !strncmp(cfg->url + len - 3, "/v1", 3))
            len -= 3;          /* accept ".../v1" as well as the bare base */
        b->base_url = xstrndup(cfg->url, len);
        return check_endpoint(b, err);
    }
    case BACKEND_COMMAND:
        return backend_command_start(b, err);
    case BACKEND_REPLAY:
        return backend_replay_start(b, err);
    }
    return -1;
}

int backend_is_http(const struct backend *b)
{
    return b->cfg.kind == BACKEND_LLAMA_SERVER || b->cfg.kind == BACKEND_OPENAI;
}

int backend_speaks_llama(const struct backend *b)
{
    return b->cfg.kind == BACKEND_LLAMA_SERVER || b->llama_cpp;
}

int backend_alive(struct backend *b)
{
    if (b->cfg.kind != BACKEND_LLAMA_SERVER)
        return 1;
    return llama_server_alive(b->server);
}

int backend_recover(struct backend *b, struct bai_error *err)
{
    if (b->cfg.kind != BACKEND_LLAMA_SERVER) {
        bai_error_set(err, BAI_EXIT_BACKEND, "backend %s cannot be restarted", backend_kind_name(b->cfg.kind));
        return -1;
    }
    int64_t now = clock_mono_ns();
    if (b->last_restart_ns && now - b->last_restart_ns < 120 * 1000000000LL)
        b->restart_streak++;
    else
        b->restart_streak = 0;
    int64_t delay_ms = 500LL << (b->restart_streak < 6 ? b->restart_streak : 6);
    if (delay_ms > 30000)
        delay_ms = 30000;
    log_info("restarting llama-server in %.1f s", (double)delay_ms / 1000.0);
    volatile sig_atomic_t *cancel = b->cfg.server.cancel;
    for (int64_t waited = 0; waited < delay_ms && !(cancel && *cancel); waited += 50)
        clock_sleep_ms(50);
    if (cancel && *cancel) {
        bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted while waiting to restart llama-server");
        return -1;
    }
    b->last_restart_ns = clock_mono_ns();
    if (llama_server_restart(b->server, err) != 0)
        return -1;
    b->restarts++;
    free(b->base_url);
    b->base_url = xstrdup(llama_server_url(b->server));
    return 0;
}

int backend_generate_sync(struct backend *b, const struct gen_request *req, const char *item_key,
                          struct gen_response *resp)
{
    switch (b->cfg.kind) {
    case BACKEND_COMMAND:
        return backend_command_generate(b, req, resp);
    case BACKEND_REPLAY:
        return backend_replay_generate(b, item_key, resp);
    default:
        gen_response_set_error(resp, 0, "backend %s is HTTP-driven", backend_kind_name(b->cfg.kind));
        return -1;
    }
}

cJSON *backend_describe(const struct backend *b)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "kind", backend_kind_name(b->cfg.kind));
    if (b->base_url)
        cJSON_AddStringToObject(o, "url", b->base_url);
    if (b->cfg.model_name)
        cJSON_AddStringToObject(o, "model_name", b->cfg.model_name);
    if (b->cfg.cmd_template)
        cJSON_AddStringToObject(o, "command", b->cfg.cmd_template);
    if (b->cfg.replay_run)
        cJSON_AddStringToObject(o, "replay_run", b->cfg.replay_run);
    if (b->cfg.kind == BACKEND_OPENAI)
        cJSON_AddBoolToObject(o, "llama_cpp", b->llama_cpp);
    if (b->server) {
        cJSON_AddStringToObject(o, "argv", llama_server_command_line(b->server));
        const cJSON *info = llama_server_info(b->server);
        if (info)
            cJSON_AddItemToObject(o, "server", cJSON_Duplicate(info, 1));
        const cJSON *split = llama_server_thread_split(b->server);
        if (split)
            cJSON_AddItemToObject(o, "thread_split", cJSON_Duplicate(split, 1));
        const cJSON *competing = llama_server_competing(b->server);
        if (competing)
            cJSON_AddItemToObject(o, "competing_llama_servers", cJSON_Duplicate(competing, 1));
    }
    return o;
}

const char *backend_notice(const struct backend *b)
{
    return b->server ? llama_server_notice(b->server) : NULL;
}

void backend_stop(struct backend *b)
{
    switch (b->cfg.kind) {
    case BACKEND_LLAMA_SERVER:
        llama_server_stop(b->server, 5000);
        b->server = NULL;
        break;
    case BACKEND_COMMAND:
        backend_command_stop(b);
        break;
    case BACKEND_REPLAY:
        backend_replay_stop(b);
        break;
    case BACKEND_OPENAI:
        break;
    }
    free(b->base_url);
    b->base_url = NULL;
    if (b->api_key) {
        memset(b->api_key, 0, strlen(b->api_key));
        free(b->api_key);
        b->api_key = NULL;
    }
}
