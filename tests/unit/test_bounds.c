/* Bounded network input (issue 22, items 7-9): the OpenAI reader under a
 * server that streams forever, sends endless tool-call pieces, \u0000 or
 * invalid UTF-8; and the UTF-8 rules those repairs rest on. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "backend/gen.h"
#include "backend/openai_proto.h"
#include "fake_openai.h"
#include "net/http.h"
#include "util/mem.h"
#include "util/utf8.h"

/* Feeds the event again and again until the reader aborts (returns
 * non-zero) or limit bytes went in; returns the bytes fed. */
static size_t feed_forever(struct openai_reader *rd, const char *event, size_t limit)
{
    size_t len = strlen(event), fed = 0;
    int64_t t = 1;
    while (fed < limit) {
        if (openai_reader_data(rd, event, len, t++) != 0)
            return fed + len;
        fed += len;
    }
    return fed;
}

Test(bounds, endless_content_stream_is_cut_at_the_answer_cap)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    openai_reader_set_max_answer(&rd, 64 * 1024);
    const char *ev = "data: {\"choices\":[{\"delta\":{\"content\":\"0123456789abcdef\"}}]}\n\n";
    size_t fed = feed_forever(&rd, ev, 64u << 20);
    cr_assert_lt(fed, 64u << 20, "the reader never stopped the stream");
    openai_reader_finish(&rd, 23 /* CURLE_WRITE_ERROR: the abort */, 200, "Failure writing", 99);
    cr_assert_not(r.ok);
    cr_assert_not(r.retryable, "the same request would stream the same way");
    cr_assert_not_null(strstr(r.error, "larger than 65536 bytes"), "%s", r.error);
    cr_assert_not_null(strstr(r.error, "--max-answer-bytes"), "%s", r.error);
    cr_assert(r.text_flags & GEN_FLAG_TOO_LARGE);
    cr_assert_not_null(r.content, "what came before the cut is kept");
    cr_assert_gt(strlen(r.content), 60000);
    cr_assert_leq(strlen(r.content), 64 * 1024 + 16);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, endless_tool_call_pieces_are_cut)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    openai_reader_set_max_answer(&rd, 256 * 1024);
    const char *ev = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
                     "\"function\":{\"arguments\":\"aaaaaaaa\"}}]}}]}\n\n";
    size_t fed = feed_forever(&rd, ev, 256u << 20);
    cr_assert_lt(fed, 256u << 20);
    openai_reader_finish(&rd, 23, 200, "", 99);
    cr_assert_not(r.ok);
    cr_assert(r.text_flags & GEN_FLAG_TOO_LARGE);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, endless_reasoning_is_cut)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    openai_reader_set_max_answer(&rd, 32 * 1024);
    const char *ev = "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"hmm \"}}]}\n\n";
    cr_assert_lt(feed_forever(&rd, ev, 64u << 20), 64u << 20);
    openai_reader_finish(&rd, 23, 200, "", 99);
    cr_assert_not(r.ok);
    cr_assert_not_null(r.reasoning);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, events_without_text_are_cut_by_the_stream_cap)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    openai_reader_set_max_answer(&rd, 4096);
    const char *ev = "data: {\"choices\":[{\"delta\":{}}]}\n\n";
    size_t fed = feed_forever(&rd, ev, 64u << 20);
    cr_assert_leq(fed, 4096 * GEN_WIRE_FACTOR + strlen(ev), "the stream cap is 16 x the answer cap");
    openai_reader_finish(&rd, 23, 200, "", 99);
    cr_assert_not(r.ok);
    cr_assert_not_null(strstr(r.error, "the stream is larger than"), "%s", r.error);
    cr_assert_leq(r.n_events, 4096 * GEN_WIRE_FACTOR / 10, "timestamps are bounded too");
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, a_non_streamed_body_is_capped_too)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 0);
    openai_reader_set_max_answer(&rd, 1000);
    const char *chunk = "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
    size_t fed = feed_forever(&rd, chunk, 1u << 20);
    cr_assert_leq(fed, 1000 * GEN_BODY_FACTOR + strlen(chunk));
    openai_reader_finish(&rd, 23, 200, "", 99);
    cr_assert_not(r.ok);
    cr_assert_not_null(strstr(r.error, "body is larger than"), "%s", r.error);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, the_default_cap_is_the_documented_one)
{
    struct gen_response r;
    gen_response_init(&r);
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    cr_assert_eq(rd.max_answer, GEN_MAX_ANSWER_BYTES_DEFAULT);
    cr_assert_eq(GEN_MAX_ANSWER_BYTES_DEFAULT, (size_t)16 << 20);
    openai_reader_set_max_answer(&rd, 0);
    cr_assert_eq(rd.max_answer, GEN_MAX_ANSWER_BYTES_DEFAULT);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

static void read_all(const char *body, size_t len, int stream, struct gen_response *r)
{
    struct openai_reader rd;
    gen_response_init(r);
    openai_reader_init(&rd, r, stream);
    for (size_t i = 0; i < len; i += 5)
        openai_reader_data(&rd, body + i, len - i < 5 ? len - i : 5, (int64_t)i + 1);
    openai_reader_finish(&rd, 0, 200, "", 1000);
    openai_reader_free(&rd);
}

Test(bounds, nul_escape_in_streamed_content_keeps_the_rest_and_is_flagged)
{
    static const char sse[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"ab\\u0000cd\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\" \\\\u0000 stays\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        "data: [DONE]\n\n";
    struct gen_response r;
    read_all(sse, sizeof sse - 1, 1, &r);
    cr_assert(r.ok, "%s", r.error);
    cr_assert_str_eq(r.content, "ab\xef\xbf\xbd" "cd \\u0000 stays",
                     "\\u0000 becomes U+FFFD; an escaped backslash before u0000 is text");
    cr_assert_eq(r.text_flags, GEN_FLAG_NUL);
    gen_response_free(&r);
}

Test(bounds, nul_in_tool_call_arguments_and_non_streamed_bodies)
{
    static const char body[] =
        "{\"choices\":[{\"message\":{\"content\":\"x\\u0000y\",\"tool_calls\":[{\"type\":\"function\","
        "\"function\":{\"name\":\"f\",\"arguments\":\"{\\\"a\\\":\\\"\\u0000\\\"}\"}}]},"
        "\"finish_reason\":\"stop\"}]}";
    struct gen_response r;
    read_all(body, sizeof body - 1, 0, &r);
    cr_assert(r.ok, "%s", r.error);
    cr_assert_str_eq(r.content, "x\xef\xbf\xbdy");
    cr_assert_not_null(strstr(r.tool_calls_json, "\xef\xbf\xbd"), "%s", r.tool_calls_json);
    cr_assert(r.text_flags & GEN_FLAG_NUL);
    gen_response_free(&r);
}

Test(bounds, invalid_utf8_is_replaced_and_flagged_never_kept_raw)
{
    /* a lone continuation byte, an overlong '/', a surrogate, a character
     * split across two events (valid once joined) and a truncated one */
    static const char sse[] =
        "data: {\"choices\":[{\"delta\":{\"content\":\"a\x80 b\xc0\xaf c\xed\xa0\x80 \xe2\x82\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{\"content\":\"\xac end\xe2\x82\"}}]}\n\n"
        "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n"
        "data: [DONE]\n\n";
    struct gen_response r;
    read_all(sse, sizeof sse - 1, 1, &r);
    cr_assert(r.ok, "%s", r.error);
    cr_assert(utf8_is_clean(r.content, strlen(r.content)));
    cr_assert_str_eq(r.content, "a\xef\xbf\xbd b\xef\xbf\xbd\xef\xbf\xbd c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                " \xe2\x82\xac end\xef\xbf\xbd");
    cr_assert_eq(r.text_flags, GEN_FLAG_BAD_UTF8);
    gen_response_free(&r);
}

Test(bounds, an_error_body_cut_inside_a_character_is_valid_utf8)
{
    struct openai_reader rd;
    struct gen_response r;
    gen_response_init(&r);
    openai_reader_init(&rd, &r, 1);
    /* 299 ASCII bytes, then a 3-byte character cut by the 300-byte quote */
    char body[400];
    memset(body, 'e', 299);
    memcpy(body + 299, "\xe2\x82\xac tail", 9);
    openai_reader_data(&rd, body, 308, 1);
    openai_reader_finish(&rd, 0, 500, "", 2);
    cr_assert_not(r.ok);
    cr_assert(utf8_is_clean(r.error, strlen(r.error)), "%s", r.error);
    cr_assert_eq(r.text_flags, 0, "an error message is not the answer");
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(bounds, many_tool_call_pieces_accumulate_in_order)
{
    struct openai_reader rd;
    struct gen_response r;
    gen_response_init(&r);
    openai_reader_init(&rd, &r, 1);
    const char *ev = "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":1,\"id\":\"c\","
                     "\"function\":{\"name\":\"n\",\"arguments\":\"0123456789\"}}]}}]}\n\n";
    for (int i = 0; i < 20000; i++)
        cr_assert_eq(openai_reader_data(&rd, ev, strlen(ev), i + 1), 0);
    const char *end = "data: {\"choices\":[{\"delta\":{},\"finish_reason\":\"tool_calls\"}]}\n\ndata: [DONE]\n\n";
    openai_reader_data(&rd, end, strlen(end), 30000);
    openai_reader_finish(&rd, 0, 200, "", 30001);
    cr_assert(r.ok, "%s", r.error);
    cJSON *tc = cJSON_Parse(r.tool_calls_json);
    cJSON *fn = cJSON_GetObjectItem(cJSON_GetArrayItem(tc, 1), "function");
    cr_assert_eq(strlen(cJSON_GetObjectItem(fn, "arguments")->valuestring), 200000);
    cr_assert_eq(strlen(cJSON_GetObjectItem(fn, "name")->valuestring), 20000);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(tc, 1), "id")->valuestring, "c");
    cJSON_Delete(tc);
    openai_reader_free(&rd);
    gen_response_free(&r);
}

Test(utf8, decoder_follows_rfc3629_and_maximal_subparts)
{
    uint32_t cp;
    cr_assert_eq(utf8_next("\xe2\x82\xac", 3, &cp), 3);
    cr_assert_eq(cp, 0x20AC);
    cr_assert_eq(utf8_next("\xf0\x9f\x98\x80", 4, &cp), 4);
    cr_assert_eq(cp, 0x1F600);
    cr_assert_eq(utf8_next("\xc0\xaf", 2, &cp), 1);          /* overlong lead */
    cr_assert_eq(cp, UTF8_INVALID);
    cr_assert_eq(utf8_next("\xe0\x80\x80", 3, &cp), 1);      /* overlong 3-byte */
    cr_assert_eq(cp, UTF8_INVALID);
    cr_assert_eq(utf8_next("\xed\xa0\x80", 3, &cp), 1);      /* surrogate */
    cr_assert_eq(utf8_next("\xf4\x90\x80\x80", 4, &cp), 1);  /* > U+10FFFF */
    cr_assert_eq(utf8_next("\xe2\x82x", 3, &cp), 2);         /* truncated: one subpart */
    cr_assert_eq(cp, UTF8_INVALID);
    size_t bad = 0;
    char *s = utf8_repair("a\0b\xff", 4, &bad);
    cr_assert_str_eq(s, "a\xef\xbf\xbd" "b\xef\xbf\xbd");
    cr_assert_eq(bad, 2);
    free(s);
    cr_assert(utf8_is_clean("plain \xc3\xa9", 8));
    cr_assert_not(utf8_is_clean("a\0b", 3));
}

Test(bounds, a_control_request_answered_forever_is_cut_off, .timeout = 60)
{
    /* the judge and /tokenize go through http_request_sync: an answer that
     * never ends must not fill memory until the timeout */
    struct fake_openai *f = fake_openai_start();
    cr_assert_not_null(f);
    fake_openai_set_endless(f, FAKE_ENDLESS_CONTENT);
    char *url = xasprintf("%s/v1/chat/completions", fake_openai_url(f));
    long status = 0;
    char *body = NULL;
    struct bai_error err = {0};
    int rc = http_request_sync("POST", url, "{}", NULL, 50000, &status, &body, &err);
    cr_assert_eq(rc, -1);
    cr_assert_null(body);
    cr_assert_not_null(strstr(err.msg, "larger than 64 MiB"), "%s", err.msg);
    cr_assert_lt(fake_openai_endless_bytes(f), (unsigned long long)80 << 20);
    free(url);
    fake_openai_stop(f);
}

#include "suite/suite.h"

Test(bounds, anchors_for_shared_settings_stay_within_the_alias_budget)
{
    /* 3,000 items that each alias one 60-node tool list: 180,000 nodes
     * expanded, far below the budget; a bomb is refused at its alias */
    struct buf b = {0};
    buf_puts(&b, "suite: shared\nversion: 1\ndefaults:\n  scorer: exact\nshared:\n  - &tools [");
    for (int i = 0; i < 60; i++)
        buf_printf(&b, "%st%d", i ? ", " : "", i);
    buf_puts(&b, "]\nitems:\n");
    for (int i = 0; i < 3000; i++)
        buf_printf(&b, "  - {id: i%d, prompt: p, answer: a, meta: {tools: *tools}}\n", i);
    struct suite_diags d = {0};
    struct bai_error err = {0};
    struct suite *s = suite_load_text("shared.yaml", b.data, b.len, NULL, &d, &err);
    /* 'shared' is an unknown top-level key, reported; no bound is */
    cr_assert_null(strstr(err.msg, "alias bomb"), "%s", err.msg);
    cr_assert_null(strstr(err.msg, "nested deeper"), "%s", err.msg);
    cr_assert_not_null(strstr(err.msg, "unknown key 'shared'"), "%s", err.msg);
    suite_free(s);
    suite_diags_free(&d);
    buf_free(&b);
}

Test(bounds, nesting_at_the_limit_loads_and_one_deeper_is_refused)
{
    for (int extra = 0; extra <= 1; extra++) {
        /* the root mapping, items and the item: 3 levels before the lists */
        int lists = 256 - 3 + extra;
        struct buf b = {0};
        buf_puts(&b, "suite: deep\nversion: 1\nitems:\n  - {id: a, prompt: p, answer: a, scorer: exact, meta: ");
        for (int i = 0; i < lists; i++)
            buf_putc(&b, '[');
        for (int i = 0; i < lists; i++)
            buf_putc(&b, ']');
        buf_puts(&b, "}\n");
        struct bai_error err = {0};
        struct suite *s = suite_load_text("deep.yaml", b.data, b.len, NULL, NULL, &err);
        if (extra) {
            cr_assert_null(s);
            cr_assert_not_null(strstr(err.msg, "deep.yaml:4:"), "%s", err.msg);
            cr_assert_not_null(strstr(err.msg, "nested deeper than 256 levels"), "%s", err.msg);
        } else {
            cr_assert_not_null(s, "256 levels are allowed: %s", err.msg);
        }
        suite_free(s);
        buf_free(&b);
    }
}
