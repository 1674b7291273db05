#include "backend/openai_proto.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *openai_path(const struct gen_request *req)
{
    return req->chat ? "/v1/chat/completions" : "/v1/completions";
}

/* A message with images as OpenAI content parts: the images first (how the
 * vision models' own chat formats put them), then the text. */
static cJSON *content_parts(const struct gen_message *m)
{
    cJSON *parts = cJSON_CreateArray();
    for (size_t i = 0; i < m->n_images; i++) {
        cJSON *p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "type", "image_url");
        cJSON *u = cJSON_AddObjectToObject(p, "image_url");
        cJSON_AddStringToObject(u, "url", m->image_urls[i]);
        cJSON_AddItemToArray(parts, p);
    }
    cJSON *t = cJSON_CreateObject();
    cJSON_AddStringToObject(t, "type", "text");
    cJSON_AddStringToObject(t, "text", m->content ? m->content : "");
    cJSON_AddItemToArray(parts, t);
    return parts;
}

char *openai_build_body(const struct gen_request *req, int llama_ext)
{
    cJSON *o = cJSON_CreateObject();
    if (req->model)
        cJSON_AddStringToObject(o, "model", req->model);
    if (req->chat) {
        cJSON *msgs = cJSON_AddArrayToObject(o, "messages");
        for (size_t i = 0; i < req->n_messages; i++) {
            cJSON *m = cJSON_CreateObject();
            cJSON_AddStringToObject(m, "role", req->messages[i].role);
            if (req->messages[i].n_images)
                cJSON_AddItemToObject(m, "content", content_parts(&req->messages[i]));
            else
                cJSON_AddStringToObject(m, "content", req->messages[i].content);
            cJSON_AddItemToArray(msgs, m);
        }
    } else {
        cJSON_AddStringToObject(o, "prompt", req->prompt ? req->prompt : "");
    }
    cJSON_AddNumberToObject(o, "max_tokens", req->max_tokens);
    cJSON_AddNumberToObject(o, "temperature", req->temperature);
    if (req->n_stop) {
        cJSON *stop = cJSON_AddArrayToObject(o, "stop");
        for (size_t i = 0; i < req->n_stop; i++)
            cJSON_AddItemToArray(stop, cJSON_CreateString(req->stop[i]));
    }
    if (req->seed >= 0)
        cJSON_AddNumberToObject(o, "seed", (double)req->seed);
    if (req->tools)
        cJSON_AddItemToObject(o, "tools", cJSON_Duplicate(req->tools, 1));
    if (req->stream) {
        cJSON_AddBoolToObject(o, "stream", 1);
        cJSON *so = cJSON_AddObjectToObject(o, "stream_options");
        cJSON_AddBoolToObject(so, "include_usage", 1);
    }
    if (llama_ext) {
        if (req->ignore_eos)
            cJSON_AddBoolToObject(o, "ignore_eos", 1);
        if (req->no_prompt_cache)
            cJSON_AddBoolToObject(o, "cache_prompt", 0);
        if (req->n_probs > 0)
            cJSON_AddNumberToObject(o, "n_probs", req->n_probs);
    }
    /* the run's request settings win over what the suite asked */
    const cJSON *x;
    cJSON_ArrayForEach(x, req->extra) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, x->string);
        cJSON_AddItemToObject(o, x->string, cJSON_Duplicate(x, 1));
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *out = xstrdup(s);
    cJSON_free(s);
    return out;
}


static double num_or(const cJSON *o, const char *key, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* Server timings (llama-server) and usage (OpenAI) into resp. */
static void take_usage_and_timings(struct gen_response *r, const cJSON *root)
{
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
    if (cJSON_IsObject(usage)) {
        r->prompt_tokens = (int64_t)num_or(usage, "prompt_tokens", (double)r->prompt_tokens);
        r->completion_tokens = (int64_t)num_or(usage, "completion_tokens", (double)r->completion_tokens);
        const cJSON *details = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens_details");
        if (cJSON_IsObject(details))
            r->cached_tokens = (int64_t)num_or(details, "cached_tokens", (double)r->cached_tokens);
    }
    const cJSON *t = cJSON_GetObjectItemCaseSensitive(root, "timings");
    if (cJSON_IsObject(t)) {
        char *s = cJSON_PrintUnformatted(t);
        free(r->timings_json);
        r->timings_json = xstrdup(s);
        cJSON_free(s);
        r->prompt_ms = num_or(t, "prompt_ms", r->prompt_ms);
        r->prompt_tps = num_or(t, "prompt_per_second", r->prompt_tps);
        r->gen_ms = num_or(t, "predicted_ms", r->gen_ms);
        r->gen_tps = num_or(t, "predicted_per_second", r->gen_tps);
        r->draft_n = (int64_t)num_or(t, "draft_n", (double)r->draft_n);
        r->draft_accepted = (int64_t)num_or(t, "draft_n_accepted", (double)r->draft_accepted);
        if (r->cached_tokens < 0)
            r->cached_tokens = (int64_t)num_or(t, "cache_n", -1);
        /* Token counts from the server, never estimated from text. */
        if (r->completion_tokens < 0)
            r->completion_tokens = (int64_t)num_or(t, "predicted_n", -1);
        if (r->prompt_tokens < 0) {
            double pn = num_or(t, "prompt_n", -1), cn = num_or(t, "cache_n", 0);
            if (pn >= 0)
                r->prompt_tokens = (int64_t)(pn + cn);
        }
    }
}

static void set_string(char **dst, const cJSON *v)
{
    if (cJSON_IsString(v)) {
        free(*dst);
        *dst = xstrdup(v->valuestring);
    }
}

static void probs_take(struct gen_response *r, const cJSON *choice)
{
    const cJSON *lp = cJSON_GetObjectItemCaseSensitive(choice, "logprobs");
    const cJSON *content = cJSON_IsObject(lp) ? cJSON_GetObjectItemCaseSensitive(lp, "content") : NULL;
    if (!cJSON_IsArray(content))
        return;
    if (!r->probs)
        r->probs = cJSON_CreateArray();
    const cJSON *e;
    cJSON_ArrayForEach(e, content)
        cJSON_AddItemToArray(r->probs, cJSON_Duplicate(e, 1));
}

int openai_parse_body(const char *body, size_t len, struct gen_response *r)
{
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!root) {
        /* body is not NUL-terminated (fuzzing found this): print at most len bytes */
        gen_response_set_error(r, 0, "response is not JSON: %.*s", (int)(len < 120 ? len : 120), body);
        return -1;
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *choice = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    if (!cJSON_IsObject(choice)) {
        const cJSON *errobj = cJSON_GetObjectItemCaseSensitive(root, "error");
        const cJSON *msg = cJSON_IsObject(errobj) ? cJSON_GetObjectItemCaseSensitive(errobj, "message") : NULL;
        if (cJSON_IsString(msg))
            gen_response_set_error(r, 0, "server error: %.300s", msg->valuestring);
        else
            gen_response_set_error(r, 0, "response has no field 'choices[0]'");
        cJSON_Delete(root);
        return -1;
    }
    const cJSON *message = cJSON_GetObjectItemCaseSensitive(choice, "message");
    if (cJSON_IsObject(message)) {
        const cJSON *content = cJSON_GetObjectItemCaseSensitive(message, "content");
        set_string(&r->content, content);
        set_string(&r->reasoning, cJSON_GetObjectItemCaseSensitive(message, "reasoning_content"));
        const cJSON *tc = cJSON_GetObjectItemCaseSensitive(message, "tool_calls");
        if (cJSON_IsArray(tc) && cJSON_GetArraySize(tc) > 0) {
            char *s = cJSON_PrintUnformatted(tc);
            r->tool_calls_json = xstrdup(s);
            cJSON_free(s);
        }
        if (!r->content && !cJSON_IsNull(content) && !r->tool_calls_json) {
            gen_response_set_error(r, 0, "response has no field 'choices[0].message.content'");
            cJSON_Delete(root);
            return -1;
        }
        if (!r->content)
            r->content = xstrdup("");
    } else {
        const cJSON *text = cJSON_GetObjectItemCaseSensitive(choice, "text");
        if (!cJSON_IsString(text)) {
            gen_response_set_error(r, 0, "response has neither 'choices[0].message' nor 'choices[0].text'");
            cJSON_Delete(root);
            return -1;
        }
        set_string(&r->content, text);
    }
    set_string(&r->finish_reason, cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"));
    probs_take(r, choice);
    take_usage_and_timings(r, root);
    cJSON_Delete(root);
    r->ok = 1;
    return 0;
}

/* Merges one streamed tool_calls delta: entries are matched by index, and
 * name/arguments arrive in pieces that are concatenated. */
static void merge_tool_call_delta(struct openai_reader *rd, const cJSON *deltas)
{
    if (!rd->tool_calls)
        rd->tool_calls = cJSON_CreateArray();
    const cJSON *d;
    cJSON_ArrayForEach(d, deltas) {
        double at = num_or(d, "index", cJSON_GetArraySize(rd->tool_calls));
        /* A server's index is trusted no further than a sane number of
         * calls per answer (fuzzing sent -2 and 1e9). */
        if (!(at >= 0 && at < 128)) {
            if (!rd->parse_error)
                rd->parse_error = xasprintf("tool_calls delta has index %g", at);
            continue;
        }
        int index = (int)at;
        while (cJSON_GetArraySize(rd->tool_calls) <= index) {
            cJSON *call = cJSON_CreateObject();
            cJSON_AddStringToObject(call, "type", "function");
            cJSON *fn = cJSON_AddObjectToObject(call, "function");
            cJSON_AddStringToObject(fn, "name", "");
            cJSON_AddStringToObject(fn, "arguments", "");
            cJSON_AddItemToArray(rd->tool_calls, call);
        }
        cJSON *call = cJSON_GetArrayItem(rd->tool_calls, index);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(d, "id");
        if (cJSON_IsString(id) && !cJSON_GetObjectItemCaseSensitive(call, "id"))
            cJSON_AddStringToObject(call, "id", id->valuestring);
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(d, "function");
        cJSON *acc = cJSON_GetObjectItemCaseSensitive(call, "function");
        static const char *const parts[] = { "name", "arguments" };
        for (int p = 0; cJSON_IsObject(fn) && p < 2; p++) {
            const cJSON *piece = cJSON_GetObjectItemCaseSensitive(fn, parts[p]);
            if (!cJSON_IsString(piece))
                continue;
            const cJSON *old = cJSON_GetObjectItemCaseSensitive(acc, parts[p]);
            char *joined = xasprintf("%s%s", old->valuestring, piece->valuestring);
            cJSON_ReplaceItemInObjectCaseSensitive(acc, parts[p], cJSON_CreateString(joined));
            free(joined);
        }
    }
}

static void note_event(struct gen_response *r, int64_t t_ns, int tokens)
{
    XGROW(r->events, r->n_events + 1, r->cap_events);
    r->events[r->n_events].t_ns = t_ns;
    r->events[r->n_events].tokens = tokens;
    r->n_events++;
    if (tokens > 0 && !r->t_first_ns)
        r->t_first_ns = t_ns;
}

static int on_sse_event(void *ctx, const char *event, const char *data, size_t len, int64_t t_ns)
{
    struct openai_reader *rd = ctx;
    struct gen_response *r = rd->resp;
    if (len == 6 && !memcmp(data, "[DONE]", 6)) {
        rd->saw_done = 1;
        return 0;
    }
    cJSON *root = cJSON_ParseWithLength(data, len);
    if (!root) {
        if (!rd->parse_error)
            rd->parse_error = xasprintf("stream event is not JSON: %.120s", data);
        return 0;
    }
    rd->events_parsed++;
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(root, "error");
    if (err && !rd->parse_error) {
        const cJSON *msg = cJSON_IsObject(err) ? cJSON_GetObjectItemCaseSensitive(err, "message") : err;
        rd->parse_error = xasprintf("server error in stream: %.300s",
                                    cJSON_IsString(msg) ? msg->valuestring : "(no message)");
    }
    const cJSON *choices = cJSON_GetObjectItemCaseSensitive(root, "choices");
    const cJSON *choice = cJSON_IsArray(choices) ? cJSON_GetArrayItem(choices, 0) : NULL;
    int tokens = 0;
    if (cJSON_IsObject(choice)) {
        const cJSON *delta = cJSON_GetObjectItemCaseSensitive(choice, "delta");
        const cJSON *text = NULL, *reasoning = NULL, *tc = NULL;
        if (cJSON_IsObject(delta)) {
            text = cJSON_GetObjectItemCaseSensitive(delta, "content");
            reasoning = cJSON_GetObjectItemCaseSensitive(delta, "reasoning_content");
            tc = cJSON_GetObjectItemCaseSensitive(delta, "tool_calls");
        } else {
            text = cJSON_GetObjectItemCaseSensitive(choice, "text");
        }
        if (cJSON_IsString(text) && text->valuestring[0]) {
            buf_puts(&rd->content, text->valuestring);
            tokens = 1;
        }
        if (cJSON_IsString(reasoning) && reasoning->valuestring[0]) {
            buf_puts(&rd->reasoning, reasoning->valuestring);
            tokens = 1;
        }
        if (cJSON_IsArray(tc)) {
            merge_tool_call_delta(rd, tc);
            tokens = 1;
        }
        set_string(&r->finish_reason, cJSON_GetObjectItemCaseSensitive(choice, "finish_reason"));
        probs_take(r, choice);
    }
    take_usage_and_timings(r, root);
    note_event(r, t_ns, tokens);
    cJSON_Delete(root);
    (void)event;
    return 0;
}

void openai_reader_init(struct openai_reader *rd, struct gen_response *resp, int stream)
{
    memset(rd, 0, sizeof *rd);
    rd->resp = resp;
    rd->stream = stream;
    rd->max_body = 64u << 20;
    sse_init(&rd->sse, on_sse_event, rd);
}

int openai_reader_data(void *ctx, const char *data, size_t len, int64_t t_ns)
{
    struct openai_reader *rd = ctx;
    if (rd->body.len + len > rd->max_body)
        return 1;                   /* abort: larger than any sane answer */
    /* Keep the raw bytes only until the stream proves to be SSE; an error
     * body (HTML, JSON error) must be shown. */
    if (!rd->stream || rd->events_parsed == 0)
        buf_append(&rd->body, data, len);
    if (!rd->stream) {
        if (!rd->resp->t_first_ns)
            rd->resp->t_first_ns = t_ns;
        return 0;
    }
    if (sse_feed(&rd->sse, data, len, t_ns) < 0) {
        if (!rd->parse_error)
            rd->parse_error = xstrdup("stream line longer than 16 MiB");
        return 1;
    }
    if (rd->events_parsed > 0 && rd->body.len) {
        buf_free(&rd->body);
    }
    return 0;
}

void openai_reader_finish(struct openai_reader *rd, int curl_code, long http_status,
                          const char *curl_error, int64_t t_ns)
{
    struct gen_response *r = rd->resp;
    r->t_end_ns = t_ns;
    r->http_status = http_status;
    if (curl_code == CURLE_OPERATION_TIMEDOUT && rd->time_limit && (!http_status || http_status == 200)) {
        /* the item's time limit: scored on what arrived, as a user who
         * waits that long sees it (the users' timeout-penalised scores) */
        free(r->content);
        r->content = xstrdup(rd->stream && rd->content.data ? rd->content.data : "");
        if (rd->stream && rd->reasoning.len) {
            free(r->reasoning);
            r->reasoning = xstrdup(rd->reasoning.data);
        }
        free(r->finish_reason);
        r->finish_reason = xstrdup("time_limit");
        r->ok = 1;
        gen_split_think(r);
        return;
    }
    if (curl_code != 0) {
        gen_response_set_error(r, 1, "%s%s", curl_error && curl_error[0] ? curl_error : curl_easy_strerror((CURLcode)curl_code),
                               rd->parse_error ? " (after a malformed stream)" : "");
        if (curl_code == CURLE_OPERATION_TIMEDOUT) {
            r->retryable = 1;
            /* what streamed before the timeout is kept with the sample */
            r->timed_out = 1;
            free(r->content);
            r->content = rd->content.len ? xstrdup(rd->content.data) : NULL;
            if (rd->reasoning.len) {
                free(r->reasoning);
                r->reasoning = xstrdup(rd->reasoning.data);
            }
        }
        return;
    }
    if (http_status != 200) {
        int retryable = http_status == 429 || http_status >= 500;
        gen_response_set_error(r, retryable, "HTTP %ld: %.300s", http_status,
                               rd->body.data ? rd->body.data : "");
        return;
    }
    if (!rd->stream) {
        openai_parse_body(rd->body.data ? rd->body.data : "", rd->body.len, r);
        gen_split_think(r);
        return;
    }
    if (sse_finish(&rd->sse, t_ns) && !rd->saw_done && !rd->parse_error)
        rd->parse_error = xstrdup("stream ended inside an event");
    if (rd->events_parsed == 0) {
        /* A 200 that was not SSE: maybe the server ignored "stream". */
        if (rd->body.len && openai_parse_body(rd->body.data, rd->body.len, r) == 0) {
            gen_split_think(r);
            return;
        }
        gen_response_set_error(r, 0, "no stream events received%s%.200s",
                               rd->body.len ? ": " : "", rd->body.data ? rd->body.data : "");
        return;
    }
    if (rd->parse_error) {
        gen_response_set_error(r, 0, "%s", rd->parse_error);
        return;
    }
    if (!rd->saw_done && !r->finish_reason) {
        gen_response_set_error(r, 1, "stream truncated: no finish_reason and no [DONE]");
        return;
    }
    free(r->content);
    r->content = xstrdup(rd->content.data ? rd->content.data : "");
    if (rd->reasoning.len) {
        free(r->reasoning);
        r->reasoning = xstrdup(rd->reasoning.data);
    }
    if (rd->tool_calls && cJSON_GetArraySize(rd->tool_calls) > 0) {
        char *s = cJSON_PrintUnformatted(rd->tool_calls);
        free(r->tool_calls_json);
        r->tool_calls_json = xstrdup(s);
        cJSON_free(s);
    }
    r->ok = 1;
    gen_split_think(r);
}

void openai_reader_free(struct openai_reader *rd)
{
    sse_free(&rd->sse);
    buf_free(&rd->body);
    buf_free(&rd->content);
    buf_free(&rd->reasoning);
    cJSON_Delete(rd->tool_calls);
    free(rd->parse_error);
    memset(rd, 0, sizeof *rd);
}
