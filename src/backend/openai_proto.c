/* openai_proto.c - the OpenAI-compatible wire format (see openai_proto.h):
 * request bodies (content parts, tools, llama-server's extensions), whole
 * bodies and streamed SSE events parsed into struct gen_response (deltas,
 * tool-call fragments, usage and timings, log-probabilities), with the
 * caps on what a server may send and the repair of what it sent. */
#include "backend/openai_proto.h"
#include "util/mem.h"
#include "util/utf8.h"

#include <curl/curl.h>
#include <math.h>
#include <stdint.h>
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

/* A token count: a whole number a count can be (0 .. 2^53); anything else a
 * server sends (1e33, -5, 2.5) leaves dflt, as a missing field does, rather
 * than an undefined conversion. */
static int64_t count_or(const cJSON *o, const char *key, int64_t dflt)
{
    double v = num_or(o, key, NAN);
    if (!(v >= 0 && v <= 9007199254740992.0) || v != floor(v))
        return dflt;
    return (int64_t)v;
}

/* Server timings (llama-server) and usage (OpenAI) into resp. */
static void take_usage_and_timings(struct gen_response *r, const cJSON *root)
{
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(root, "usage");
    if (cJSON_IsObject(usage)) {
        r->prompt_tokens = count_or(usage, "prompt_tokens", r->prompt_tokens);
        r->completion_tokens = count_or(usage, "completion_tokens", r->completion_tokens);
        const cJSON *details = cJSON_GetObjectItemCaseSensitive(usage, "prompt_tokens_details");
        if (cJSON_IsObject(details))
            r->cached_tokens = count_or(details, "cached_tokens", r->cached_tokens);
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
        r->draft_n = count_or(t, "draft_n", r->draft_n);
        r->draft_accepted = count_or(t, "draft_n_accepted", r->draft_accepted);
        if (r->cached_tokens < 0)
            r->cached_tokens = count_or(t, "cache_n", -1);
        /* Token counts from the server, never estimated from text. */
        if (r->completion_tokens < 0)
            r->completion_tokens = count_or(t, "predicted_n", -1);
        if (r->prompt_tokens < 0) {
            int64_t pn = count_or(t, "prompt_n", -1), cn = count_or(t, "cache_n", 0);
            if (pn >= 0)
                r->prompt_tokens = pn + cn;
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

/* cJSON turns the escape \u0000 into a NUL byte that ends its C string, so
 * the rest of an answer would vanish without a word. In a copy of the JSON
 * text each such escape inside a string becomes \ufffd (the same length)
 * before parsing; NULL when there is none (the usual case, found by one
 * memmem). A backslash escape is skipped whole, so "\\u0000" (a literal
 * backslash and "u0000") stays as it is. */
static char *defuse_nul_escapes(const char *json, size_t len)
{
    if (!memmem(json, len, "u0000", 5))
        return NULL;
    char *copy = NULL;
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = json[i];
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            if (json[i + 1] == 'u' && i + 5 < len && !memcmp(json + i + 2, "0000", 4)) {
                if (!copy) {
                    copy = xmalloc(len + 1);
                    memcpy(copy, json, len);
                    copy[len] = '\0';
                }
                memcpy(copy + i + 2, "fffd", 4);
                i += 5;
            } else {
                i++;
            }
        }
    }
    return copy;
}

/* Parses JSON text from a server, with \u0000 defused (GEN_FLAG_NUL). */
static cJSON *parse_server_json(const char *text, size_t len, unsigned *flags)
{
    char *defused = defuse_nul_escapes(text, len);
    if (defused)
        *flags |= GEN_FLAG_NUL;
    cJSON *root = cJSON_ParseWithLength(defused ? defused : text, len);
    free(defused);
    return root;
}

/* Replaces *s by its repaired copy when it is not valid UTF-8. */
static void repair_string(char **s, unsigned *flags, int flag)
{
    if (!*s || utf8_is_clean(*s, strlen(*s)))
        return;
    size_t bad = 0;
    char *fixed = utf8_repair(*s, strlen(*s), &bad);
    free(*s);
    *s = fixed;
    if (bad && flag)
        *flags |= GEN_FLAG_BAD_UTF8;
}

/* Every text of the response as valid UTF-8: the answer's repairs are
 * flagged on the sample, the error message's (a server's body cut at 300
 * bytes may end inside a character) are not. */
static void repair_response(struct gen_response *r, unsigned flags)
{
    repair_string(&r->content, &flags, 1);
    repair_string(&r->reasoning, &flags, 1);
    repair_string(&r->tool_calls_json, &flags, 1);
    repair_string(&r->finish_reason, &flags, 1);
    repair_string(&r->error, &flags, 0);
    r->text_flags |= flags;
}

int openai_parse_body(const char *body, size_t len, struct gen_response *r)
{
    cJSON *root = parse_server_json(body, len, &r->text_flags);
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
 * name/arguments arrive in pieces that are appended to the call's buffers
 * (rd->tool_acc), so a long stream of pieces costs linear time. Returns 1
 * when the answer passed its cap. */
static int merge_tool_call_delta(struct openai_reader *rd, const cJSON *deltas)
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
            rd->tool_acc = xrealloc(rd->tool_acc, (rd->n_tool_acc + 1) * sizeof *rd->tool_acc);
            memset(&rd->tool_acc[rd->n_tool_acc++], 0, sizeof *rd->tool_acc);
        }
        cJSON *call = cJSON_GetArrayItem(rd->tool_calls, index);
        const cJSON *id = cJSON_GetObjectItemCaseSensitive(d, "id");
        if (cJSON_IsString(id) && !cJSON_GetObjectItemCaseSensitive(call, "id"))
            cJSON_AddStringToObject(call, "id", id->valuestring);
        const cJSON *fn = cJSON_GetObjectItemCaseSensitive(d, "function");
        struct openai_tool_acc *acc = &rd->tool_acc[index];
        if (!cJSON_IsObject(fn))
            continue;
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(fn, "name");
        const cJSON *args = cJSON_GetObjectItemCaseSensitive(fn, "arguments");
        if (cJSON_IsString(name)) {
            size_t n = strlen(name->valuestring);
            buf_append(&acc->name, name->valuestring, n);
            rd->answer_bytes += n;
        }
        if (cJSON_IsString(args)) {
            size_t n = strlen(args->valuestring);
            buf_append(&acc->arguments, args->valuestring, n);
            rd->answer_bytes += n;
        }
        if (rd->answer_bytes > rd->max_answer)
            return 1;
    }
    return 0;
}

/* The accumulated tool calls as JSON text, names and arguments filled in
 * from their buffers; NULL when there are none. */
static char *tool_calls_text(struct openai_reader *rd)
{
    if (!rd->tool_calls || cJSON_GetArraySize(rd->tool_calls) == 0)
        return NULL;
    for (size_t i = 0; i < rd->n_tool_acc; i++) {
        cJSON *fn = cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(rd->tool_calls, (int)i),
                                                     "function");
        const struct openai_tool_acc *acc = &rd->tool_acc[i];
        cJSON_ReplaceItemInObjectCaseSensitive(fn, "name",
                                               cJSON_CreateString(acc->name.data ? acc->name.data : ""));
        cJSON_ReplaceItemInObjectCaseSensitive(
            fn, "arguments", cJSON_CreateString(acc->arguments.data ? acc->arguments.data : ""));
    }
    char *s = cJSON_PrintUnformatted(rd->tool_calls);
    char *out = xstrdup(s);
    cJSON_free(s);
    return out;
}

/* Marks the answer too large (the first cap passed names itself). */
static void cut_too_large(struct openai_reader *rd, const char *what, size_t cap)
{
    if (rd->too_large)
        return;
    rd->too_large = xasprintf("%s larger than %zu bytes: the transfer was cut (a server that "
                              "does not stop? --max-answer-bytes raises the cap)", what, cap);
    rd->text_flags |= GEN_FLAG_TOO_LARGE;
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
    cJSON *root = parse_server_json(data, len, &rd->text_flags);
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
        int over = 0;
        if (cJSON_IsString(text) && text->valuestring[0]) {
            size_t n = strlen(text->valuestring);
            buf_append(&rd->content, text->valuestring, n);
            rd->answer_bytes += n;
            tokens = 1;
        }
        if (cJSON_IsString(reasoning) && reasoning->valuestring[0]) {
            size_t n = strlen(reasoning->valuestring);
            buf_append(&rd->reasoning, reasoning->valuestring, n);
            rd->answer_bytes += n;
            tokens = 1;
        }
        if (cJSON_IsArray(tc)) {
            over = merge_tool_call_delta(rd, tc);
            tokens = 1;
        }
        if (over || rd->answer_bytes > rd->max_answer) {
            cut_too_large(rd, "the answer (content, reasoning and tool calls) is", rd->max_answer);
            note_event(r, t_ns, tokens);
            cJSON_Delete(root);
            return 1;
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
    rd->max_answer = GEN_MAX_ANSWER_BYTES_DEFAULT;
    sse_init(&rd->sse, on_sse_event, rd);
}

void openai_reader_set_max_answer(struct openai_reader *rd, size_t max_answer)
{
    rd->max_answer = max_answer ? max_answer : GEN_MAX_ANSWER_BYTES_DEFAULT;
}

int openai_reader_data(void *ctx, const char *data, size_t len, int64_t t_ns)
{
    struct openai_reader *rd = ctx;
    if (rd->too_large)
        return 1;
    rd->wire_bytes += len;
    /* The caps hold for any server: one that streams valid events forever,
     * or sends an endless body, is cut here, however much memory the
     * machine has. */
    size_t factor = rd->stream ? GEN_WIRE_FACTOR : GEN_BODY_FACTOR;
    size_t wire_cap = rd->max_answer > SIZE_MAX / factor ? SIZE_MAX : rd->max_answer * factor;
    if (rd->wire_bytes > wire_cap) {
        cut_too_large(rd, rd->stream ? "the stream is" : "the response body is", wire_cap);
        return 1;
    }
    /* Keep the raw bytes only until the stream proves to be SSE; an error
     * body (HTML, JSON error) must be shown. */
    if (!rd->stream || rd->events_parsed == 0)
        buf_append(&rd->body, data, len);
    if (!rd->stream) {
        if (!rd->resp->t_first_ns)
            rd->resp->t_first_ns = t_ns;
        return 0;
    }
    int fed = sse_feed(&rd->sse, data, len, t_ns);
    if (fed < 0) {
        if (!rd->parse_error)
            rd->parse_error = xstrdup("stream line longer than 16 MiB");
        return 1;
    }
    if (fed > 0)
        return 1;                   /* an event passed the answer cap */
    if (rd->events_parsed > 0 && rd->body.len) {
        buf_free(&rd->body);
    }
    return 0;
}

static void finish_parse(struct openai_reader *rd, int curl_code, long http_status,
                         const char *curl_error, int64_t t_ns);

void openai_reader_finish(struct openai_reader *rd, int curl_code, long http_status,
                          const char *curl_error, int64_t t_ns)
{
    struct gen_response *r = rd->resp;
    r->t_end_ns = t_ns;
    r->http_status = http_status;
    finish_parse(rd, curl_code, http_status, curl_error, t_ns);
    repair_response(r, rd->text_flags);
}

/* openai_reader_finish without the text repair. */
static void finish_parse(struct openai_reader *rd, int curl_code, long http_status,
                         const char *curl_error, int64_t t_ns)
{
    struct gen_response *r = rd->resp;
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
    if (rd->too_large) {
        /* Not retried: the same request would stream the same way. What
         * arrived is kept (bounded by the cap) for a look at what the
         * server did. */
        gen_response_set_error(r, 0, "%s", rd->too_large);
        size_t keep = rd->max_answer;
        free(r->content);
        r->content = NULL;
        if (rd->stream) {
            size_t n = rd->content.len < keep ? rd->content.len : keep;
            r->content = xstrndup(rd->content.data ? rd->content.data : "", n);
            keep -= n;
        }
        if (rd->reasoning.len && keep) {
            free(r->reasoning);
            r->reasoning = xstrndup(rd->reasoning.data, rd->reasoning.len < keep ? rd->reasoning.len : keep);
        }
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
        size_t text = (r->content ? strlen(r->content) : 0) + (r->reasoning ? strlen(r->reasoning) : 0) +
                      (r->tool_calls_json ? strlen(r->tool_calls_json) : 0);
        if (r->ok && text > rd->max_answer) {
            cut_too_large(rd, "the answer (content, reasoning and tool calls) is", rd->max_answer);
            gen_response_set_error(r, 0, "%s", rd->too_large);
            return;
        }
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
    r->content = xstrndup(rd->content.data ? rd->content.data : "", rd->content.len);
    if (rd->reasoning.len) {
        free(r->reasoning);
        r->reasoning = xstrndup(rd->reasoning.data, rd->reasoning.len);
    }
    char *calls = tool_calls_text(rd);
    if (calls) {
        free(r->tool_calls_json);
        r->tool_calls_json = calls;
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
    for (size_t i = 0; i < rd->n_tool_acc; i++) {
        buf_free(&rd->tool_acc[i].name);
        buf_free(&rd->tool_acc[i].arguments);
    }
    free(rd->tool_acc);
    free(rd->parse_error);
    free(rd->too_large);
    memset(rd, 0, sizeof *rd);
}
