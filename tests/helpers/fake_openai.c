/* fake_openai.c - see fake_openai.h. Written for the tests' needs only:
 * HTTP/1.1 with Content-Length bodies, "Connection: close" on every answer
 * (libcurl then opens a new connection per request), 100-continue. */
#include "fake_openai.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

struct fake_openai {
    int fd;
    char url[64];
    pthread_t thread;
    pthread_mutex_t mu;
    volatile int stop;
    char **replies;
    size_t n_replies;
    int fail_n, fail_status;
    int delay_ms;
    int stall_first, stall_n, stall_hold_ms;
    char *stall_partial;
    int chat_requests;
    char **bodies;
    size_t n_bodies, cap_bodies;
    int streaming;                  /* fake_openai_set_stream was called */
    struct fake_openai_stream stream;
    char *owned_by;
    enum fake_endless endless;
    char *raw;
    size_t raw_len;
    int raw_sse, raw_status;
    unsigned long long endless_bytes;
};

static int send_all(int fd, const char *s, size_t len)
{
    while (len > 0) {
        ssize_t w = send(fd, s, len, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        s += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Streams events of the kind until the client hangs up or stop is set. */
static void stream_forever(struct fake_openai *f, int fd, enum fake_endless kind)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Connection: close\r\n\r\n";
    if (send_all(fd, head, sizeof head - 1) < 0)
        return;
    char piece[4096 + 1];
    memset(piece, 'a', sizeof piece - 1);
    piece[sizeof piece - 1] = '\0';
    char event[8192];
    int n;
    if (kind == FAKE_ENDLESS_CONTENT)
        n = snprintf(event, sizeof event, "data: {\"choices\":[{\"delta\":{\"content\":\"%s\"}}]}\n\n", piece);
    else if (kind == FAKE_ENDLESS_REASONING)
        n = snprintf(event, sizeof event,
                     "data: {\"choices\":[{\"delta\":{\"reasoning_content\":\"%s\"}}]}\n\n", piece);
    else if (kind == FAKE_ENDLESS_TOOL_ARGS)   /* small pieces: the quadratic case */
        n = snprintf(event, sizeof event,
                     "data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"index\":0,"
                     "\"function\":{\"arguments\":\"aaaaaaaaaaaaaaaa\"}}]}}]}\n\n");
    else
        n = snprintf(event, sizeof event, "data: {\"choices\":[{\"delta\":{}}]}\n\n");
    /* many events per send, so the server is never the slow side */
    char batch[65536];
    size_t per = sizeof batch / (size_t)n, blen = per * (size_t)n;
    for (size_t i = 0; i < per; i++)
        memcpy(batch + i * (size_t)n, event, (size_t)n);
    struct timeval tv = { .tv_sec = 2 };
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    while (!f->stop) {
        if (send_all(fd, batch, blen) < 0)
            return;
        pthread_mutex_lock(&f->mu);
        f->endless_bytes += blen;
        pthread_mutex_unlock(&f->mu);
    }
}

static void respond(int fd, int status, const char *body)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n",
                     status, status == 200 ? "OK" : "Error", strlen(body));
    send_all(fd, head, (size_t)n);
    send_all(fd, body, strlen(body));
}

/* One streamed event: a content piece, or (piece NULL) the finish event. */
static char *stream_event(int chat, const char *piece)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "chatcmpl-fake");
    cJSON_AddStringToObject(o, "object", chat ? "chat.completion.chunk" : "text_completion");
    cJSON_AddStringToObject(o, "model", "fake");
    cJSON *choices = cJSON_AddArrayToObject(o, "choices");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    if (chat) {
        cJSON *delta = cJSON_AddObjectToObject(ch, "delta");
        if (piece)
            cJSON_AddStringToObject(delta, "content", piece);
    } else {
        cJSON_AddStringToObject(ch, "text", piece ? piece : "");
    }
    if (piece)
        cJSON_AddNullToObject(ch, "finish_reason");
    else
        cJSON_AddStringToObject(ch, "finish_reason", "stop");
    cJSON_AddItemToArray(choices, ch);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* The last chunk of a stream with include_usage: no choices, the counts. */
static char *usage_event(const struct fake_openai_stream *st)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "chatcmpl-fake");
    cJSON_AddArrayToObject(o, "choices");
    cJSON *u = cJSON_AddObjectToObject(o, "usage");
    cJSON_AddNumberToObject(u, "prompt_tokens", (double)st->prompt_tokens);
    cJSON_AddNumberToObject(u, "completion_tokens", (double)st->completion_tokens);
    cJSON_AddNumberToObject(u, "total_tokens", (double)(st->prompt_tokens + st->completion_tokens));
    if (st->cached_tokens >= 0) {
        cJSON *d = cJSON_AddObjectToObject(u, "prompt_tokens_details");
        cJSON_AddNumberToObject(d, "cached_tokens", (double)st->cached_tokens);
    }
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static void send_event(int fd, const char *data)
{
    send_all(fd, "data: ", 6);
    send_all(fd, data, strlen(data));
    send_all(fd, "\n\n", 2);
}

/* The reply as SSE: one event per word, gap_ms apart. */
static void respond_stream(int fd, int chat, const char *content, const struct fake_openai_stream *st)
{
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                               "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
    send_all(fd, head, sizeof head - 1);
    const char *p = content;
    int first = 1;
    while (*p) {
        const char *end = p;
        while (*end == ' ')
            end++;
        while (*end && *end != ' ')
            end++;
        char *piece = strndup(p, (size_t)(end - p));
        if (!first && st->gap_ms > 0)
            usleep((useconds_t)st->gap_ms * 1000);
        first = 0;
        char *ev = stream_event(chat, piece);
        send_event(fd, ev);
        free(ev);
        free(piece);
        p = end;
    }
    char *fin = stream_event(chat, NULL);
    send_event(fd, fin);
    free(fin);
    if (st->usage) {
        char *u = usage_event(st);
        send_event(fd, u);
        free(u);
    }
    send_event(fd, "[DONE]");
}

static char *completion_answer(const char *content)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "cmpl-fake");
    cJSON_AddStringToObject(o, "object", "text_completion");
    cJSON_AddStringToObject(o, "model", "fake");
    cJSON *choices = cJSON_AddArrayToObject(o, "choices");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON_AddStringToObject(ch, "text", content);
    cJSON_AddStringToObject(ch, "finish_reason", "stop");
    cJSON_AddItemToArray(choices, ch);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

static char *chat_answer(const char *content)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "id", "chatcmpl-fake");
    cJSON_AddStringToObject(o, "object", "chat.completion");
    cJSON_AddStringToObject(o, "model", "fake");
    cJSON *choices = cJSON_AddArrayToObject(o, "choices");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON *msg = cJSON_AddObjectToObject(ch, "message");
    cJSON_AddStringToObject(msg, "role", "assistant");
    cJSON_AddStringToObject(msg, "content", content);
    cJSON_AddStringToObject(ch, "finish_reason", "stop");
    cJSON_AddItemToArray(choices, ch);
    char *s = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    return s;
}

/* Sends the SSE head and one content event, then waits until the client
 * hangs up, hold_ms pass or the server stops. */
static void stall(struct fake_openai *f, int fd, const char *partial, int hold_ms)
{
    const char *head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n\r\n";
    send_all(fd, head, strlen(head));
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "object", "chat.completion.chunk");
    cJSON *ch = cJSON_CreateObject();
    cJSON_AddNumberToObject(ch, "index", 0);
    cJSON_AddStringToObject(cJSON_AddObjectToObject(ch, "delta"), "content", partial);
    cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "choices"), ch);
    char *json = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *event = malloc(strlen(json) + 16);
    sprintf(event, "data: %s\n\n", json);
    send_all(fd, event, strlen(event));
    free(event);
    free(json);
    for (int waited = 0; waited < hold_ms && !f->stop; waited += 50) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        char c;
        if (poll(&p, 1, 50) > 0 && recv(fd, &c, 1, MSG_DONTWAIT) == 0)
            return;          /* the client hung up */
    }
}

/* Reads one request (headers, then Content-Length bytes). */
static void serve(struct fake_openai *f, int fd)
{
    struct timeval tv = { .tv_sec = 5 };
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    size_t cap = 8192, len = 0;
    char *buf = malloc(cap);
    char *hdr_end = NULL;
    while (!hdr_end) {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r <= 0) {
            free(buf);
            return;
        }
        len += (size_t)r;
        buf[len] = '\0';
        hdr_end = strstr(buf, "\r\n\r\n");
    }
    size_t head_len = (size_t)(hdr_end - buf) + 4;
    size_t content_length = 0;
    int expect_continue = 0;
    for (char *line = strstr(buf, "\r\n"); line && line < hdr_end; line = strstr(line + 2, "\r\n")) {
        const char *h = line + 2;
        if (!strncasecmp(h, "Content-Length:", 15))
            content_length = strtoul(h + 15, NULL, 10);
        else if (!strncasecmp(h, "Expect:", 7) && strstr(h, "100-continue"))
            expect_continue = 1;
    }
    if (expect_continue && len == head_len)
        send_all(fd, "HTTP/1.1 100 Continue\r\n\r\n", 25);
    while (len < head_len + content_length) {
        if (len + 1 >= cap)
            buf = realloc(buf, cap *= 2);
        ssize_t r = recv(fd, buf + len, cap - len - 1, 0);
        if (r <= 0)
            break;
        len += (size_t)r;
        buf[len] = '\0';
    }
    char *body = strndup(buf + head_len, len - head_len);
    int is_post = !strncmp(buf, "POST ", 5);
    const char *sp = strchr(buf, ' ');
    const char *path = sp ? sp + 1 : "";

    int chat = is_post && !strncmp(path, "/v1/chat/completions ", 21);
    int completion = is_post && !strncmp(path, "/v1/completions ", 16);
    if (!is_post && !strncmp(path, "/v1/models ", 11)) {
        cJSON *list = cJSON_CreateObject();
        cJSON_AddStringToObject(list, "object", "list");
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "id", "fake");
        cJSON_AddStringToObject(m, "object", "model");
        pthread_mutex_lock(&f->mu);
        if (f->owned_by)
            cJSON_AddStringToObject(m, "owned_by", f->owned_by);
        pthread_mutex_unlock(&f->mu);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(list, "data"), m);
        char *models = cJSON_PrintUnformatted(list);
        cJSON_Delete(list);
        respond(fd, 200, models);
        cJSON_free(models);
    } else if (chat || completion) {
        pthread_mutex_lock(&f->mu);
        f->chat_requests++;
        if (f->n_bodies == f->cap_bodies) {
            f->cap_bodies = f->cap_bodies ? f->cap_bodies * 2 : 16;
            f->bodies = realloc(f->bodies, f->cap_bodies * sizeof *f->bodies);
        }
        f->bodies[f->n_bodies++] = strdup(body);
        int fail = f->fail_n > 0 ? f->fail_status : 0;
        if (fail)
            f->fail_n--;
        enum fake_endless endless = f->endless;
        char *raw = f->raw ? malloc(f->raw_len ? f->raw_len : 1) : NULL;
        size_t raw_len = f->raw_len;
        int raw_sse = f->raw_sse, raw_status = f->raw_status ? f->raw_status : 200;
        if (raw)
            memcpy(raw, f->raw, raw_len);
        if (!fail && (endless || raw)) {
            pthread_mutex_unlock(&f->mu);
            if (endless) {
                stream_forever(f, fd, endless);
            } else {
                char head[256];
                int hn = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
                                  "Content-Length: %zu\r\nConnection: close\r\n\r\n", raw_status,
                                  raw_status == 200 ? "OK" : "Error",
                                  raw_sse ? "text/event-stream" : "application/json", raw_len);
                if (send_all(fd, head, (size_t)hn) == 0)
                    send_all(fd, raw, raw_len);
            }
            free(raw);
            free(body);
            free(buf);
            return;
        }
        free(raw);
        char *reply = NULL;
        cJSON *req = cJSON_Parse(body);
        int stream = f->streaming && cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "stream"));
        cJSON_Delete(req);
        struct fake_openai_stream st = f->stream;
        char *partial = NULL;
        int hold_ms = 0;
        int number = f->chat_requests - 1;
        if (!fail && number >= f->stall_first && number < f->stall_first + f->stall_n) {
            partial = strdup(f->stall_partial ? f->stall_partial : "");
            hold_ms = f->stall_hold_ms;
        }
        if (!fail && !partial) {
            /* replies are consumed by successful answers only; the last repeats */
            reply = strdup(f->n_replies ? f->replies[0] : "SCORE: 50");
            if (f->n_replies > 1) {
                free(f->replies[0]);
                memmove(f->replies, f->replies + 1, (f->n_replies - 1) * sizeof *f->replies);
                f->n_replies--;
            }
        }
        int delay_ms = f->delay_ms;
        pthread_mutex_unlock(&f->mu);
        if (delay_ms > 0) {
            struct timespec ts = { delay_ms / 1000, (long)(delay_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
        if (partial) {
            stall(f, fd, partial, hold_ms);
        } else if (fail) {
            respond(fd, fail, "{\"error\":{\"message\":\"fake failure\",\"type\":\"server_error\"}}");
        } else if (stream) {
            respond_stream(fd, chat, reply, &st);
        } else {
            char *answer = chat ? chat_answer(reply) : completion_answer(reply);
            respond(fd, 200, answer);
            free(answer);
        }
        free(reply);
        free(partial);
    } else {
        respond(fd, 404, "{\"error\":{\"message\":\"not found\"}}");
    }
    free(body);
    free(buf);
}

static void *loop(void *arg)
{
    struct fake_openai *f = arg;
    while (!f->stop) {
        struct pollfd p = { .fd = f->fd, .events = POLLIN };
        if (poll(&p, 1, 50) <= 0)
            continue;
        int c = accept(f->fd, NULL, NULL);
        if (c < 0)
            continue;
        serve(f, c);
        close(c);
    }
    return NULL;
}

struct fake_openai *fake_openai_start(void)
{
    struct fake_openai *f = calloc(1, sizeof *f);
    f->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t alen = sizeof a;
    if (f->fd < 0 || bind(f->fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(f->fd, 16) != 0 ||
        getsockname(f->fd, (struct sockaddr *)&a, &alen) != 0) {
        if (f->fd >= 0)
            close(f->fd);
        free(f);
        return NULL;
    }
    snprintf(f->url, sizeof f->url, "http://127.0.0.1:%d", ntohs(a.sin_port));
    pthread_mutex_init(&f->mu, NULL);
    if (pthread_create(&f->thread, NULL, loop, f) != 0) {
        close(f->fd);
        pthread_mutex_destroy(&f->mu);
        free(f);
        return NULL;
    }
    return f;
}

static void clear_replies(struct fake_openai *f)
{
    for (size_t i = 0; i < f->n_replies; i++)
        free(f->replies[i]);
    free(f->replies);
    f->replies = NULL;
    f->n_replies = 0;
}

void fake_openai_stop(struct fake_openai *f)
{
    if (!f)
        return;
    f->stop = 1;
    pthread_join(f->thread, NULL);
    close(f->fd);
    clear_replies(f);
    free(f->stall_partial);
    free(f->raw);
    for (size_t i = 0; i < f->n_bodies; i++)
        free(f->bodies[i]);
    free(f->bodies);
    free(f->owned_by);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

void fake_openai_set_stream(struct fake_openai *f, const struct fake_openai_stream *s)
{
    pthread_mutex_lock(&f->mu);
    f->stream = *s;
    f->streaming = 1;
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_set_owned_by(struct fake_openai *f, const char *owner)
{
    pthread_mutex_lock(&f->mu);
    free(f->owned_by);
    f->owned_by = owner ? strdup(owner) : NULL;
    pthread_mutex_unlock(&f->mu);
}

const char *fake_openai_url(const struct fake_openai *f)
{
    return f->url;
}

void fake_openai_set_replies(struct fake_openai *f, const char *const *contents, size_t n)
{
    pthread_mutex_lock(&f->mu);
    clear_replies(f);
    f->replies = calloc(n ? n : 1, sizeof *f->replies);
    for (size_t i = 0; i < n; i++)
        f->replies[i] = strdup(contents[i]);
    f->n_replies = n;
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_set_reply(struct fake_openai *f, const char *content)
{
    fake_openai_set_replies(f, &content, 1);
}

void fake_openai_set_delay_ms(struct fake_openai *f, int ms)
{
    pthread_mutex_lock(&f->mu);
    f->delay_ms = ms;
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_set_endless(struct fake_openai *f, enum fake_endless kind)
{
    pthread_mutex_lock(&f->mu);
    f->endless = kind;
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_set_raw(struct fake_openai *f, const char *body, size_t len, int sse)
{
    pthread_mutex_lock(&f->mu);
    free(f->raw);
    f->raw = NULL;
    f->raw_len = 0;
    if (body) {
        f->raw = malloc(len ? len : 1);
        memcpy(f->raw, body, len);
        f->raw_len = len;
        f->raw_sse = sse;
        f->raw_status = 200;
    }
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_set_raw_status(struct fake_openai *f, int status, const char *body, size_t len)
{
    fake_openai_set_raw(f, body, len, 0);
    pthread_mutex_lock(&f->mu);
    f->raw_status = status;
    pthread_mutex_unlock(&f->mu);
}

unsigned long long fake_openai_endless_bytes(struct fake_openai *f)
{
    pthread_mutex_lock(&f->mu);
    unsigned long long n = f->endless_bytes;
    pthread_mutex_unlock(&f->mu);
    return n;
}

void fake_openai_fail_next(struct fake_openai *f, int n, int status)
{
    pthread_mutex_lock(&f->mu);
    f->fail_n = n;
    f->fail_status = status;
    pthread_mutex_unlock(&f->mu);
}

void fake_openai_stall(struct fake_openai *f, int first, int n, const char *partial, int hold_ms)
{
    pthread_mutex_lock(&f->mu);
    f->stall_first = first;
    f->stall_n = n;
    free(f->stall_partial);
    f->stall_partial = strdup(partial ? partial : "");
    f->stall_hold_ms = hold_ms;
    pthread_mutex_unlock(&f->mu);
}

int fake_openai_chat_requests(struct fake_openai *f)
{
    pthread_mutex_lock(&f->mu);
    int n = f->chat_requests;
    pthread_mutex_unlock(&f->mu);
    return n;
}

int fake_openai_bodies_containing(struct fake_openai *f, const char *needle)
{
    pthread_mutex_lock(&f->mu);
    int n = 0;
    for (size_t i = 0; i < f->n_bodies; i++)
        n += strstr(f->bodies[i], needle) != NULL;
    pthread_mutex_unlock(&f->mu);
    return n;
}

char *fake_openai_body(struct fake_openai *f, int i)
{
    pthread_mutex_lock(&f->mu);
    char *s = i >= 0 && (size_t)i < f->n_bodies ? strdup(f->bodies[i]) : NULL;
    pthread_mutex_unlock(&f->mu);
    return s;
}
