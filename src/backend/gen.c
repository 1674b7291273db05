/* gen.c - struct gen_response's memory and the figures derived from its
 * timestamps (TTFT, end-to-end, TPOT, ITL, client tokens/s, which source a
 * speed came from), reasoning split from the answer, and the names of the
 * repairs made to an answer. Definitions: docs/metrics.md. */
#include "backend/gen.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void gen_response_init(struct gen_response *r)
{
    memset(r, 0, sizeof *r);
    r->prompt_tokens = r->completion_tokens = r->cached_tokens = -1;
    r->prompt_ms = r->prompt_tps = r->gen_ms = r->gen_tps = -1;
    r->draft_n = r->draft_accepted = -1;
}

void gen_response_free(struct gen_response *r)
{
    free(r->error);
    free(r->content);
    free(r->reasoning);
    free(r->finish_reason);
    free(r->tool_calls_json);
    free(r->timings_json);
    cJSON_Delete(r->probs);
    free(r->events);
    gen_response_init(r);
}

void gen_response_set_error(struct gen_response *r, int retryable, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    free(r->error);
    r->error = buf_detach(&b);
    r->ok = 0;
    r->retryable = retryable;
}

double gen_ttft_ms(const struct gen_response *r)
{
    int64_t start = r->t_intended_ns ? r->t_intended_ns : r->t_send_ns;
    if (!r->t_first_ns || !start)
        return -1;
    return (double)(r->t_first_ns - start) / 1e6;
}

double gen_e2e_ms(const struct gen_response *r)
{
    int64_t start = r->t_intended_ns ? r->t_intended_ns : r->t_send_ns;
    if (!r->t_end_ns || !start)
        return -1;
    return (double)(r->t_end_ns - start) / 1e6;
}

double gen_tpot_ms(const struct gen_response *r)
{
    double ttft = gen_ttft_ms(r), e2e = gen_e2e_ms(r);
    if (ttft < 0 || e2e < 0 || r->completion_tokens < 2 || gen_chunk_tokens(r) == 0)
        return -1;
    return (e2e - ttft) / (double)(r->completion_tokens - 1);
}

int64_t gen_chunk_tokens(const struct gen_response *r)
{
    int64_t n = 0;
    for (size_t i = 0; i < r->n_events; i++)
        if (r->events[i].tokens > 0)
            n += r->events[i].tokens;
    return n;
}

double gen_client_tps(const struct gen_response *r)
{
    int64_t first = 0, last = 0;
    for (size_t i = 0; i < r->n_events; i++)
        if (r->events[i].tokens > 0) {
            if (!first)
                first = r->events[i].t_ns;
            last = r->events[i].t_ns;
        }
    if (!first || last <= first || r->completion_tokens < 2)
        return -1;
    return (double)(r->completion_tokens - 1) / ((double)(last - first) / 1e9);
}

void gen_speed_complete(struct gen_response *r)
{
    r->speed_source = GEN_SPEED_NONE;
    if (!r->ok)
        return;
    if (r->gen_tps > 0) {
        r->speed_source = GEN_SPEED_SERVER;
        return;
    }
    int64_t chunks = gen_chunk_tokens(r);
    if (chunks == 0)
        return;                 /* not streamed: no first-token time to measure from */
    enum gen_speed_source src = GEN_SPEED_USAGE;
    if (r->completion_tokens < 0) {
        r->completion_tokens = chunks;
        src = GEN_SPEED_CHUNKS;
    }
    double tps = gen_client_tps(r);
    if (tps > 0)
        r->gen_tps = tps;
    r->speed_source = src;
}

const char *gen_speed_source_name(enum gen_speed_source s)
{
    switch (s) {
    case GEN_SPEED_SERVER: return "server";
    case GEN_SPEED_USAGE: return "usage";
    case GEN_SPEED_CHUNKS: return "chunks";
    case GEN_SPEED_NONE: break;
    }
    return NULL;
}

int gen_prompt_cache_hit(const struct gen_response *r)
{
    if (r->cached_tokens < 0 || r->prompt_tokens <= 0)
        return -1;
    return r->cached_tokens * 2 > r->prompt_tokens;
}

char *gen_itl_json(const struct gen_response *r)
{
    if (r->n_events < 2)
        return NULL;
    struct buf b = {0};
    buf_putc(&b, '[');
    int first = 1;
    int64_t prev = -1;
    for (size_t i = 0; i < r->n_events; i++) {
        const struct gen_event *ev = &r->events[i];
        if (ev->tokens <= 0)
            continue;
        if (prev >= 0) {
            double gap_ms = (double)(ev->t_ns - prev) / 1e6 / ev->tokens;
            for (int k = 0; k < ev->tokens; k++) {
                buf_printf(&b, "%s%.4f", first ? "" : ",", gap_ms);
                first = 0;
            }
        }
        prev = ev->t_ns;
    }
    buf_putc(&b, ']');
    if (first) {
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

void gen_split_think(struct gen_response *r)
{
    if (!r->content)
        return;
    const char *s = r->content;
    while (*s == ' ' || *s == '\n' || *s == '\r' || *s == '\t')
        s++;
    if (strncmp(s, "<think>", 7) != 0)
        return;
    const char *end = strstr(s + 7, "</think>");
    if (!end)
        return;
    char *thought = xstrndup(s + 7, (size_t)(end - s - 7));
    const char *rest = end + 8;
    while (*rest == '\n' || *rest == ' ' || *rest == '\r')
        rest++;
    char *answer = xstrdup(rest);
    if (r->reasoning) {
        char *joined = xasprintf("%s\n%s", r->reasoning, thought);
        free(thought);
        thought = joined;
        free(r->reasoning);
    }
    r->reasoning = thought;
    free(r->content);
    r->content = answer;
}

char *gen_text_flags_text(unsigned flags)
{
    static const struct { unsigned bit; const char *name; } names[] = {
        { GEN_FLAG_NUL, "nul" }, { GEN_FLAG_BAD_UTF8, "invalid_utf8" },
        { GEN_FLAG_TOO_LARGE, "too_large" },
    };
    if (!flags)
        return NULL;
    struct buf b = {0};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (flags & names[i].bit)
            buf_printf(&b, "%s%s", b.len ? "," : "", names[i].name);
    return buf_detach(&b);
}
