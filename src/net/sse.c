/* sse.c - the Server-Sent Events parser (see sse.h): bytes in any chunking,
 * lines split across chunks, events assembled and dispatched with the time
 * of the chunk that completed them. */
#include "net/sse.h"

#include <string.h>

void sse_init(struct sse_parser *p, sse_event_fn on_event, void *ctx)
{
    memset(p, 0, sizeof *p);
    p->on_event = on_event;
    p->ctx = ctx;
}

static int dispatch(struct sse_parser *p, int64_t t_ns)
{
    int rc = 0;
    if (p->has_data)
        rc = p->on_event(p->ctx, p->event.len ? p->event.data : "message",
                         p->data.data ? p->data.data : "", p->data.len, t_ns);
    buf_reset(&p->data);
    buf_reset(&p->event);
    p->has_data = 0;
    return rc;
}

/* One complete line (without its terminator), per the WHATWG rules: blank
 * line dispatches, ':' starts a comment, "field: value" with one optional
 * space after the colon. Only data and event matter here. */
static int process_line(struct sse_parser *p, const char *line, size_t len, int64_t t_ns)
{
    if (len == 0)
        return dispatch(p, t_ns);
    if (line[0] == ':')
        return 0;
    const char *colon = memchr(line, ':', len);
    size_t name_len = colon ? (size_t)(colon - line) : len;
    const char *value = colon ? colon + 1 : line + len;
    size_t value_len = colon ? len - name_len - 1 : 0;
    if (value_len && value[0] == ' ') {
        value++;
        value_len--;
    }
    if (name_len == 4 && !memcmp(line, "data", 4)) {
        if (p->has_data)
            buf_putc(&p->data, '\n');
        buf_append(&p->data, value, value_len);
        p->has_data = 1;
    } else if (name_len == 5 && !memcmp(line, "event", 5)) {
        buf_reset(&p->event);
        buf_append(&p->event, value, value_len);
    }
    return 0;
}

int sse_feed(struct sse_parser *p, const char *bytes, size_t len, int64_t t_ns)
{
    size_t max_line = p->max_line ? p->max_line : (16u << 20);
    size_t i = 0;
    if (p->skip_lf && len > 0 && bytes[0] == '\n')
        i = 1;
    p->skip_lf = 0;
    while (i < len) {
        const char *start = bytes + i;
        size_t rest = len - i;
        size_t n = 0;
        while (n < rest && start[n] != '\n' && start[n] != '\r')
            n++;
        if (n == rest) {            /* no terminator yet: keep for the next chunk */
            if (p->line.len + n > max_line)
                return -1;
            buf_append(&p->line, start, n);
            return 0;
        }
        int rc;
        if (p->line.len) {
            if (p->line.len + n > max_line)
                return -1;
            buf_append(&p->line, start, n);
            rc = process_line(p, p->line.data, p->line.len, t_ns);
            buf_reset(&p->line);
        } else {
            rc = process_line(p, start, n, t_ns);
        }
        i += n + 1;
        if (start[n] == '\r') {
            if (i < len && bytes[i] == '\n')
                i++;
            else if (i == len)
                p->skip_lf = 1;
        }
        if (rc)
            return rc;
    }
    return 0;
}

int sse_finish(struct sse_parser *p, int64_t t_ns)
{
    if (p->line.len) {
        process_line(p, p->line.data, p->line.len, t_ns);
        buf_reset(&p->line);
    }
    if (!p->has_data)
        return 0;
    dispatch(p, t_ns);
    return 1;
}

void sse_free(struct sse_parser *p)
{
    buf_free(&p->line);
    buf_free(&p->data);
    buf_free(&p->event);
}
