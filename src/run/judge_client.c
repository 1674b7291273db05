/* judge_client.c - struct judge over the OpenAI protocol. The connection
 * itself (API key from the environment, URL normalisation, endpoint check,
 * launching and verifying llama-server) is backend_start's; this file adds
 * the one synchronous chat request the judge scorer needs, with retries. */
#include "run/judge_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/backend.h"
#include "backend/openai_proto.h"
#include "net/http.h"
#include "run/defaults.h"
#include "util/clock.h"
#include "util/defaults.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/sha256.h"

struct judge_client {
    struct judge j;              /* first: judge_client_close gets this pointer */
    struct backend be;
    int started;
    char *model;
    char *server_bin, *log_path;
    struct settings launch;      /* the judge server's settings (borrowed by be) */
    int max_tokens;
    long timeout_ms;
    int http_retries;
    int backoff_ms;
    long requests;
    char last_prompt_sha[65];    /* to recognise the scorer's retry of a prompt */
};

int judge_options_given(const struct judge_options *o)
{
    return o && ((o->url && *o->url) || (o->gguf && *o->gguf));
}

static int http_retryable(long status)
{
    return status == 429 || status >= 500;
}

/* One attempt. Returns 0 with *answer_out, else -1 with err and
 * *retryable telling whether another attempt could help. */
static int attempt(struct judge_client *c, const char *url, const char *body, char **answer_out,
                   int *retryable, struct bai_error *err)
{
    long status = 0;
    char *resp = NULL;
    c->requests++;
    *retryable = 0;
    if (http_request_sync("POST", url, body, c->be.api_key, c->timeout_ms, &status, &resp, err) != 0) {
        *retryable = 1;          /* transport: refused, reset, timeout */
        return -1;
    }
    int rc = -1;
    if (status != 200) {
        *retryable = http_retryable(status);
        bai_error_set(err, BAI_EXIT_BACKEND, "judge %s: HTTP %ld: %.300s", url, status, resp ? resp : "");
    } else {
        struct gen_response r;
        gen_response_init(&r);
        if (openai_parse_body(resp, strlen(resp), &r) != 0) {
            bai_error_set(err, BAI_EXIT_BACKEND, "judge %s: %s", url, r.error ? r.error : "bad response");
        } else {
            /* A reasoning judge's <think> block is not its judgement. */
            gen_split_think(&r);
            *answer_out = xstrdup(r.content ? r.content : "");
            rc = 0;
        }
        gen_response_free(&r);
    }
    free(resp);
    return rc;
}

static int complete(void *ctx, const char *system, const char *prompt, char **answer_out,
                    struct bai_error *err)
{
    struct judge_client *c = ctx;
    *answer_out = NULL;
    char sha[65];
    sha256_hex(prompt, strlen(prompt), sha);
    /* The scorer asks again only when the answer had no parsable score; at
     * temperature 0 a deterministic server would repeat itself. */
    int repeat = !strcmp(sha, c->last_prompt_sha);
    memcpy(c->last_prompt_sha, sha, sizeof sha);

    struct gen_message msgs[2] = { { .role = "system", .content = system }, { .role = "user", .content = prompt } };
    struct gen_request req = {
        .chat = 1, .messages = msgs, .n_messages = 2, .max_tokens = c->max_tokens,
        .temperature = repeat ? 0.7 : 0.0, .seed = -1, .model = c->model,
    };
    char *body = openai_build_body(&req, c->be.cfg.kind == BACKEND_LLAMA_SERVER);
    char *url = xasprintf("%s/v1/chat/completions", c->be.base_url);
    int rc = -1, backoff = c->backoff_ms;
    for (int i = 0; i <= c->http_retries; i++) {
        int retryable = 0;
        if (i > 0) {
            log_debug("judge: retry %d after %d ms: %s", i, backoff, err->msg);
            clock_sleep_ms(backoff);
            backoff = backoff < 30000 ? backoff * 2 : backoff;
            if (c->be.cfg.kind == BACKEND_LLAMA_SERVER && !backend_alive(&c->be)) {
                if (backend_recover(&c->be, err) != 0)
                    break;
                free(url);
                url = xasprintf("%s/v1/chat/completions", c->be.base_url);
            }
        }
        rc = attempt(c, url, body, answer_out, &retryable, err);
        if (rc == 0 || !retryable)
            break;
    }
    if (rc != 0 && err->exit_code != BAI_EXIT_BACKEND)
        err->exit_code = BAI_EXIT_BACKEND;
    free(url);
    free(body);
    return rc;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int judge_client_open(const struct judge_options *o, struct judge **out, struct bai_error *err)
{
    *out = NULL;
    int have_url = o->url && *o->url, have_gguf = o->gguf && *o->gguf;
    if (have_url == have_gguf) {
        bai_error_set(err, BAI_EXIT_USAGE, have_url ? "--judge-url and --judge-gguf exclude each other"
                                                    : "a judge needs --judge-url or --judge-gguf");
        return -1;
    }
    if (have_gguf && o->api_key_env) {
        bai_error_set(err, BAI_EXIT_USAGE, "--judge-api-key-env applies to --judge-url only");
        return -1;
    }
    if (have_gguf && !fs_exists(o->gguf)) {
        bai_error_set(err, BAI_EXIT_USAGE, "--judge-gguf %s: no such file", o->gguf);
        return -1;
    }
    struct judge_client *c = xcalloc(1, sizeof *c);
    c->model = xstrdup(o->model ? o->model : have_gguf ? base_name(o->gguf) : "judge");
    c->max_tokens = o->max_tokens > 0 ? o->max_tokens : 512;
    c->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : BAI_REQUEST_TIMEOUT_MS;
    c->http_retries = o->http_retries < 0 ? 0 : o->http_retries > 0 ? o->http_retries : 3;
    c->backoff_ms = o->backoff_ms > 0 ? o->backoff_ms : 500;

    struct backend_config bc = { .api_key_env = o->api_key_env, .timeout_ms = c->timeout_ms };
    if (have_url) {
        bc.kind = BACKEND_OPENAI;
        bc.url = o->url;
        bc.model_name = c->model;
    } else {
        bc.kind = BACKEND_LLAMA_SERVER;
        c->server_bin = o->server_bin ? xstrdup(o->server_bin) : defaults_llama_server();
        c->log_path = o->log_path ? xstrdup(o->log_path) : xasprintf("%s/judge-%ld.log", BAI_LOGS_DIR, (long)getpid());
        char *dir = fs_dirname(c->log_path);
        int mk = fs_mkdirs(dir, 0755, err);
        free(dir);
        if (mk != 0) {
            judge_client_close(&c->j);
            return -1;
        }
        bc.server.binary = c->server_bin;
        bc.server.model = o->gguf;
        bc.server.role = "judge";
        /* Half the cores: the judge runs next to the server under test, and
         * two llama-servers that each spin on every core slow each other
         * down by orders of magnitude (seen: 1000 -> 3 tok/s on 2 cores). */
        long cores = sysconf(_SC_NPROCESSORS_ONLN);
        char num[32];
        snprintf(num, sizeof num, "%ld", cores > 1 ? cores / 2 : 1);
        settings_set(&c->launch, SETTING_THREADS, num, "judge", NULL);
        if (o->ctx > 0) {
            snprintf(num, sizeof num, "%d", o->ctx);
            settings_set(&c->launch, SETTING_CTX, num, "judge", NULL);
        }
        bc.server.settings = &c->launch;
        bc.server.log_path = c->log_path;
        bc.server.startup_timeout_s = o->startup_timeout_s;
        log_info("judge: starting llama-server for %s (log %s)", o->gguf, c->log_path);
    }
    if (backend_start(&c->be, &bc, err) != 0) {
        bai_error_prefix(err, "judge");
        /* backend_start leaves nothing running on failure; its strings are freed here */
        backend_stop(&c->be);
        judge_client_close(&c->j);
        return -1;
    }
    c->started = 1;
    c->j.model = c->model;
    c->j.complete = complete;
    c->j.ctx = c;
    c->j.retries = o->unparsed_retries < 0 ? 0 : o->unparsed_retries > 0 ? o->unparsed_retries : 2;
    *out = &c->j;
    return 0;
}

void judge_client_close(struct judge *j)
{
    if (!j)
        return;
    struct judge_client *c = (struct judge_client *)j;
    if (c->started)
        backend_stop(&c->be);
    free(c->model);
    free(c->server_bin);
    settings_free(&c->launch);
    free(c->log_path);
    free(c);
}

long judge_client_requests(const struct judge *j)
{
    return j ? ((const struct judge_client *)j)->requests : 0;
}
