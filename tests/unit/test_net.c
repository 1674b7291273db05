/* Tests of the SSE parser and the OpenAI-compatible response reader: chunk
 * boundaries anywhere, CRLF, comments, multi-line data, truncated and
 * garbage streams, error bodies. Expected values follow the WHATWG SSE
 * rules and the OpenAI chat/completions stream shape. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "backend/openai_proto.h"
#include "net/sse.h"
#include "util/mem.h"

struct collected {
    char data[16][256];
    char event[16][32];
    int64_t t[16];
    int n;
};

static int collect(void *ctx, const char *event, const char *data, size_t len, int64_t t_ns)
{
    struct collected *c = ctx;
    cr_assert_lt(c->n, 16);
    snprintf(c->data[c->n], sizeof c->data[c->n], "%.*s", (int)len, data);
    snprintf(c->event[c->n], sizeof c->event[c->n], "%s", event);
    c->t[c->n] = t_ns;
    c->n++;
    return 0;
}

static void feed_split(const char *stream, size_t split_every, struct collected *c)
{
    struct sse_parser p;
    sse_init(&p, collect, c);
    size_t len = strlen(stream);
    for (size_t i = 0; i < len; i += split_every) {
        size_t n = len - i < split_every ? len - i : split_every;
        cr_assert_eq(sse_feed(&p, stream + i, n, (int64_t)i), 0);
    }
    sse_finish(&p, (int64_t)len);
    sse_free(&p);
}

Test(sse, events_survive_any_chunk_boundary)
{
    const char *stream = ": comment\r\ndata: {\"a\":1}\r\n\r\nevent: ping\ndata: x\ndata: y\n\ndata:no-space\n\n";
    for (size_t split = 1; split <= strlen(stream); split++) {
        struct collected c = {0};
        feed_split(stream, split, &c);
        cr_assert_eq(c.n, 3, "split %zu gave %d events", split, c.n);
        cr_assert_str_eq(c.data[0], "{\"a\":1}");
        cr_assert_str_eq(c.event[0], "message");
        cr_assert_str_eq(c.data[1], "x\ny");
        cr_assert_str_eq(c.event[1], "ping");
        cr_assert_str_eq(c.data[2], "no-space");
    }
}

Test(sse, event_time_is_the_chunk_that_completed_it)
{
    struct collected c = {0};
    struct sse_parser p;
    sse_init(&p, collect, &c);
    sse_feed(&p, "data: he", 8, 100);
    sse_feed(&p, "llo\n", 4, 200);
    sse_feed(&p, "\n", 1, 300);
    sse_free(&p);
    cr_assert_eq(c.n, 1);
    cr_assert_eq(c.t[0], 300);
}

Test(sse, truncated_final_event_is_reported_by_finish)
{
    struct collected c = {0};
    struct sse_parser p;
    sse_init(&p, collect, &c);
    sse_feed(&p, "data: partial", 13, 1);
    cr_assert_eq(c.n, 0);
    cr_assert_eq(sse_finish(&p, 2), 1);
    cr_assert_eq(c.n, 1);
    cr_assert_str_eq(c.data[0], "partial");
    sse_free(&p);
}

Test(sse, overlong_line_is_an_error)
{
    struct collected c = {0};
    struct sse_parser p;
    sse_init(&p, collect, &c);
    p.max_line = 16;
    cr_assert_eq(sse_feed(&p, "data: 0123456789abcdef", 22, 1), -1);
    sse_free(&p);
}

static void read_all(const char *body, int stream, long status, int curl_code, struct gen_response *r)
{
    struct openai_reader rd;
    gen_response_init(r);
    r->t_send_ns = 1;
    openai_reader_init(&rd, r, stream);
    size_t len = strlen(body);
    int64_t t = 1000000;
    for (size_t i = 0; i < len; i += 7) {
        t += 1000000;
        openai_reader_data(&rd, body + i, len - i < 7 ? len - i : 7, t);
    }
    openai_reader_finish(&rd, curl_code, status, curl_code ? "connection reset" : "", t + 1000000);
    openai_reader_free(&rd);
}

Test(openai, streamed_chat_with_reasoning_usage_and_timings)
{
    const char *body =
        "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"think\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}],"
        "\"timings\":{\"prompt_n\":5,\"prompt_ms\":2.5,\"predicted_n\":3,\"predicted_ms\":30,"
        "\"predicted_per_second\":100,\"draft_n\":10,\"draft_n_accepted\":7}}\n\n"
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":3}}\n\n"
        "data: [DONE]\n\n";
    struct gen_response r;
    read_all(body, 1, 200, 0, &r);
    cr_assert(r.ok, "error: %s", r.error ? r.error : "");
    cr_assert_str_eq(r.content, "Hello");
    cr_assert_str_eq(r.reasoning, "think");
    cr_assert_str_eq(r.finish_reason, "stop");
    cr_assert_eq(r.completion_tokens, 3);
    cr_assert_eq(r.prompt_tokens, 5);
    cr_assert_float_eq(r.gen_tps, 100.0, 1e-9);
    cr_assert_eq(r.draft_n, 10);
    cr_assert_eq(r.draft_accepted, 7);
    cr_assert_gt(r.t_first_ns, 0);
    cr_assert_geq(r.n_events, 3);
    gen_response_free(&r);
}

Test(openai, think_tags_are_split_from_the_answer)
{
    const char *body = "{\"choices\":[{\"message\":{\"content\":\"<think>step 1</think>\\n\\nAnswer: 4\"},"
                       "\"finish_reason\":\"stop\"}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":9}}";
    struct gen_response r;
    read_all(body, 0, 200, 0, &r);
    cr_assert(r.ok);
    cr_assert_str_eq(r.content, "Answer: 4");
    cr_assert_str_eq(r.reasoning, "step 1");
    cr_assert_eq(r.completion_tokens, 9);
    gen_response_free(&r);
}

Test(openai, streamed_tool_calls_are_merged)
{
    const char *body =
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c1\",\"function\":{\"name\":\"get_\",\"arguments\":\"{\\\"ci\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"weather\",\"arguments\":\"ty\\\":1}\"}}]}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\n"
        "data: [DONE]\n\n";
    struct gen_response r;
    read_all(body, 1, 200, 0, &r);
    cr_assert(r.ok, "%s", r.error ? r.error : "");
    cJSON *tc = cJSON_Parse(r.tool_calls_json);
    cJSON *fn = cJSON_GetObjectItem(cJSON_GetArrayItem(tc, 0), "function");
    cr_assert_str_eq(cJSON_GetObjectItem(fn, "name")->valuestring, "get_weather");
    cr_assert_str_eq(cJSON_GetObjectItem(fn, "arguments")->valuestring, "{\"city\":1}");
    cJSON_Delete(tc);
    gen_response_free(&r);
}

Test(openai, garbage_and_errors_become_sample_errors)
{
    struct gen_response r;
    read_all("<html>500 Internal Server Error</html>", 0, 500, 0, &r);
    cr_assert_not(r.ok);
    cr_assert(r.retryable);
    cr_assert(strstr(r.error, "HTTP 500") && strstr(r.error, "<html>"), "%s", r.error);
    gen_response_free(&r);

    read_all("not json at all", 0, 200, 0, &r);
    cr_assert_not(r.ok);
    cr_assert(strstr(r.error, "not JSON"), "%s", r.error);
    gen_response_free(&r);

    read_all("{\"id\":1}", 0, 200, 0, &r);
    cr_assert_not(r.ok);
    cr_assert(strstr(r.error, "choices"), "%s", r.error);
    gen_response_free(&r);

    read_all("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\ndata: {\"choi", 1, 200, 0, &r);
    cr_assert_not(r.ok);
    gen_response_free(&r);

    read_all("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 1, 200, 56, &r);
    cr_assert_not(r.ok);
    cr_assert(r.retryable);
    cr_assert(strstr(r.error, "connection reset"), "%s", r.error);
    gen_response_free(&r);

    read_all("data: {\"choices\":[{\"delta\":{\"content\":\"a\"}}]}\n\n", 1, 200, 0, &r);
    cr_assert_not(r.ok, "a stream without finish_reason or [DONE] is truncated");
    cr_assert(strstr(r.error, "truncated"), "%s", r.error);
    gen_response_free(&r);
}

Test(openai, request_body_has_llama_extensions_only_when_asked)
{
    struct gen_message m[] = { { .role = "user", .content = "hi" } };
    struct gen_request req = { .chat = 1, .messages = m, .n_messages = 1, .max_tokens = 8,
                               .ignore_eos = 1, .n_probs = 5, .stream = 1, .seed = -1,
                               .no_prompt_cache = 1 };
    char *plain = openai_build_body(&req, 0);
    char *llama = openai_build_body(&req, 1);
    cr_assert_null(strstr(plain, "ignore_eos"));
    cr_assert_null(strstr(plain, "cache_prompt"));
    cr_assert_not_null(strstr(llama, "\"ignore_eos\":true"));
    cr_assert_not_null(strstr(llama, "\"cache_prompt\":false"));
    cr_assert_not_null(strstr(llama, "\"n_probs\":5"));
    cr_assert_not_null(strstr(llama, "include_usage"));
    cr_assert_str_eq(openai_path(&req), "/v1/chat/completions");
    free(plain);
    free(llama);
}

Test(gen, timings_from_events)
{
    struct gen_response r;
    gen_response_init(&r);
    r.t_send_ns = 0 + 1;
    r.t_first_ns = 100000000 + 1;   /* 100 ms */
    r.t_end_ns = 400000000 + 1;     /* 400 ms */
    r.completion_tokens = 4;
    struct gen_event ev[] = { { 100000001, 1 }, { 200000001, 1 }, { 400000001, 2 } };
    r.events = ev;
    r.n_events = 3;
    cr_assert_float_eq(gen_ttft_ms(&r), 100.0, 1e-6);
    cr_assert_float_eq(gen_e2e_ms(&r), 400.0, 1e-6);
    /* TPOT = (400 - 100) / (4 - 1) */
    cr_assert_float_eq(gen_tpot_ms(&r), 100.0, 1e-6);
    char *itl = gen_itl_json(&r);
    /* gap 100 ms for one token, then 200 ms spread over two tokens */
    cr_assert_str_eq(itl, "[100.0000,100.0000,100.0000]");
    free(itl);
    r.events = NULL;
    r.n_events = 0;
    r.t_intended_ns = -50000000 + 1;  /* rate mode: 50 ms late send counts */
    cr_assert_float_eq(gen_ttft_ms(&r), 150.0, 1e-6);
    gen_response_free(&r);
}

Test(openai, tool_call_index_out_of_range_is_an_error_not_a_crash)
{
    /* found by fuzz_sse: a negative (or huge) index must not be trusted */
    const char *bodies[] = {
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":-2,\"function\":{\"name\":\"f\"}}]}}]}\n\ndata: [DONE]\n\n",
        "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1e9,\"function\":{\"name\":\"f\"}}]}}]}\n\ndata: [DONE]\n\n",
    };
    for (int i = 0; i < 2; i++) {
        struct gen_response r;
        read_all(bodies[i], 1, 200, 0, &r);
        cr_assert_not(r.ok);
        cr_assert(strstr(r.error, "tool_calls delta has index"), "%s", r.error);
        gen_response_free(&r);
    }
}
