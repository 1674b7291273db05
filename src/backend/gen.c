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
    if (ttft < 0 || e2e < 0 || r->completion_tokens < 2)
        return -1;
    return (e2e - ttft) / (double)(r->completion_tokens - 1);
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
