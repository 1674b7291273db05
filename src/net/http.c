/* http.c - HTTP over libcurl (see http.h): the multi driver on an epoll set
 * that mirrors libcurl's sockets plus a timerfd, arrival timestamps taken
 * in the write callback and handed on after every ready connection was
 * read, and the blocking requests of control calls with their size cap. */
#include "net/http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

/* Events taken from one epoll_wait; more stay ready for the next call. */
#define HTTP_MAX_EVENTS 256

struct http_client {
    CURLM *multi;
    int epfd;                        /* libcurl's sockets and the timerfd */
    int tfd;                         /* timerfd (CLOCK_MONOTONIC, absolute) */
    int64_t tfd_armed_ns;            /* what tfd is armed for; 0 = not armed */
    int64_t curl_due_ns;             /* libcurl's timeout; -1 = none */
    int in_flight;
    /* calls holding received bytes not yet handed to on_data */
    struct http_call **pending;
    size_t n_pending, cap_pending;
};

/* One received chunk: where its bytes sit in call_priv.bytes, and when
 * they arrived. */
struct stamped_chunk {
    size_t off, len;
    int64_t t_ns;
};

struct call_priv {
    CURL *easy;
    struct curl_slist *headers;
    char errbuf[CURL_ERROR_SIZE];
    int aborted;
    struct http_client *client;
    struct buf bytes;                /* received, not yet delivered */
    struct stamped_chunk *chunks;
    size_t n_chunks, cap_chunks;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }
void http_global_init(void) { pthread_once(&curl_once, curl_init_once); }

/* libcurl says which sockets to watch for what: mirrored into the epoll set.
 * socketp is non-NULL once a socket is in the set (curl_multi_assign), so
 * the right epoll_ctl operation is known without a lookup. */
static int on_socket(CURL *easy, curl_socket_t s, int what, void *clientp, void *socketp)
{
    (void)easy;
    struct http_client *c = clientp;
    if (what == CURL_POLL_REMOVE) {
        epoll_ctl(c->epfd, EPOLL_CTL_DEL, s, NULL);     /* EBADF when already closed: fine */
        curl_multi_assign(c->multi, s, NULL);
        return 0;
    }
    struct epoll_event ev = {
        .events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u),
        .data.fd = s,
    };
    int op = socketp ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
    if (epoll_ctl(c->epfd, op, s, &ev) != 0) {
        /* A descriptor number reused behind libcurl's back: retry the other way. */
        op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
        if (epoll_ctl(c->epfd, op, s, &ev) != 0)
            return -1;                                  /* libcurl fails the transfer */
    }
    if (!socketp)
        curl_multi_assign(c->multi, s, c);
    return 0;
}

/* libcurl's single timeout: remembered as a deadline and handled in
 * http_client_wait (curl_multi_socket_action must not be called from here). */
static int on_timer(CURLM *multi, long timeout_ms, void *clientp)
{
    (void)multi;
    struct http_client *c = clientp;
    c->curl_due_ns = timeout_ms < 0 ? -1 : clock_mono_ns() + (int64_t)timeout_ms * 1000000;
    return 0;
}

struct http_client *http_client_new(int max_parallel, struct bai_error *err)
{
    http_global_init();
    struct http_client *c = xcalloc(1, sizeof *c);
    c->curl_due_ns = -1;
    c->epfd = epoll_create1(EPOLL_CLOEXEC);
    c->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    struct epoll_event ev = { .events = EPOLLIN, .data.fd = c->tfd };
    if (c->epfd < 0 || c->tfd < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->tfd, &ev) != 0 ||
        !(c->multi = curl_multi_init())) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "cannot set up the HTTP client (epoll, timerfd, libcurl): %s",
                      strerror(errno));
        if (c->epfd >= 0)
            close(c->epfd);
        if (c->tfd >= 0)
            close(c->tfd);
        free(c);
        return NULL;
    }
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
    curl_multi_setopt(c->multi, CURLMOPT_SOCKETDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERFUNCTION, on_timer);
    curl_multi_setopt(c->multi, CURLMOPT_TIMERDATA, c);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, (long)(max_parallel > 0 ? max_parallel : 0));
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, (long)(max_parallel > 0 ? max_parallel : 16));
    return c;
}

static void release_call(struct http_client *c, struct http_call *call)
{
    struct call_priv *p = call->priv;
    if (!p)
        return;
    curl_multi_remove_handle(c->multi, p->easy);
    curl_easy_cleanup(p->easy);
    curl_slist_free_all(p->headers);
    buf_free(&p->bytes);
    free(p->chunks);
    for (size_t i = 0; i < c->n_pending; i++)
        if (c->pending[i] == call)
            c->pending[i] = NULL;
    free(p);
    call->priv = NULL;
}

void http_client_free(struct http_client *c)
{
    if (!c)
        return;
    curl_multi_cleanup(c->multi);
    close(c->epfd);
    close(c->tfd);
    free(c->pending);
    free(c);
}

/* The write callback only stamps and keeps the bytes: parsing here would
 * delay libcurl's reading of the other connections, so the k-th event of a
 * burst would be stamped k parse-times late. Bytes are handed to on_data
 * after every ready socket of one wake-up was read (deliver_pending), with
 * these stamps. */
static size_t on_write(char *data, size_t size, size_t nmemb, void *userdata)
{
    int64_t t = clock_mono_ns();
    struct http_call *call = userdata;
    struct call_priv *p = call->priv;
    size_t n = size * nmemb;
    if (p->aborted)
        return 0;
    if (p->n_chunks == 0) {
        struct http_client *c = p->client;
        XGROW(c->pending, c->n_pending + 1, c->cap_pending);
        c->pending[c->n_pending++] = call;
    }
    XGROW(p->chunks, p->n_chunks + 1, p->cap_chunks);
    p->chunks[p->n_chunks++] = (struct stamped_chunk){ p->bytes.len, n, t };
    buf_append(&p->bytes, data, n);
    return n;
}

/* The request is about to be written to the socket: the send time. */
static int on_prereq(void *userdata, char *conn_primary_ip, char *conn_local_ip,
                     int conn_primary_port, int conn_local_port)
{
    (void)conn_primary_ip;
    (void)conn_local_ip;
    (void)conn_primary_port;
    (void)conn_local_port;
    struct http_call *call = userdata;
    call->t_sent_ns = clock_mono_ns();
    return CURL_PREREQFUNC_OK;
}

static void deliver(struct http_call *call)
{
    struct call_priv *p = call->priv;
    if (!p)
        return;
    for (size_t i = 0; i < p->n_chunks && !p->aborted; i++) {
        const struct stamped_chunk *ch = &p->chunks[i];
        if (call->on_data && call->on_data(call->ctx, p->bytes.data + ch->off, ch->len, ch->t_ns) != 0)
            p->aborted = 1;      /* the next write callback aborts the transfer */
    }
    p->n_chunks = 0;
    buf_reset(&p->bytes);
}

static void deliver_pending(struct http_client *c)
{
    for (size_t i = 0; i < c->n_pending; i++)
        if (c->pending[i])
            deliver(c->pending[i]);
    c->n_pending = 0;
}

static CURL *make_easy(const char *url, const char *body, const char *bearer, long timeout_ms,
                       struct curl_slist **headers_out, char *errbuf)
{
    CURL *e = curl_easy_init();
    if (!e)
        return NULL;
    struct curl_slist *h = NULL;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(e, CURLOPT_NOPROXY, "*");   /* never route through a proxy */
    if (timeout_ms > 0)
        curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
    if (body) {
        h = curl_slist_append(h, "Content-Type: application/json");
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    h = curl_slist_append(h, "Expect:");
    if (bearer) {
        char *auth = xasprintf("Authorization: Bearer %s", bearer);
        h = curl_slist_append(h, auth);
        free(auth);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    *headers_out = h;
    return e;
}

int http_submit(struct http_client *c, struct http_call *call, struct bai_error *err)
{
    struct call_priv *p = xcalloc(1, sizeof *p);
    p->easy = make_easy(call->url, call->body, call->bearer_token, call->timeout_ms, &p->headers,
                        p->errbuf);
    if (!p->easy) {
        free(p);
        bai_error_set(err, BAI_EXIT_INTERNAL, "curl_easy_init failed");
        return -1;
    }
    call->priv = p;
    p->client = c;
    call->t_sent_ns = 0;
    curl_easy_setopt(p->easy, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(p->easy, CURLOPT_PREREQDATA, call);
    curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, on_write);
    curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(p->easy, CURLOPT_PRIVATE, call);
    call->t_submit_ns = clock_mono_ns();
    if (curl_multi_add_handle(c->multi, p->easy) != CURLM_OK) {
        release_call(c, call);
        bai_error_set(err, BAI_EXIT_INTERNAL, "curl_multi_add_handle failed");
        return -1;
    }
    c->in_flight++;
    return 0;
}

/* Hands each finished transfer to its on_done; returns how many. */
static int finish_done(struct http_client *c)
{
    CURLMsg *msg;
    int left, n = 0;
    while ((msg = curl_multi_info_read(c->multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        int64_t t = clock_mono_ns();
        struct http_call *call = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&call);
        struct call_priv *p = call->priv;
        long status = 0;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &status);
        int code = (int)msg->data.result;
        char error[CURL_ERROR_SIZE + 64];
        if (code != CURLE_OK)
            snprintf(error, sizeof error, "%s", p->errbuf[0] ? p->errbuf : curl_easy_strerror(msg->data.result));
        else
            error[0] = '\0';
        release_call(c, call);
        c->in_flight--;
        n++;
        if (call->on_done)
            call->on_done(call->ctx, code, status, error, t);
    }
    return n;
}

/* Arms the timerfd for an absolute CLOCK_MONOTONIC time, unless it already
 * is: in open loop the next arrival stays the deadline for many wake-ups. */
static void arm_timer(struct http_client *c, int64_t at_ns)
{
    if (c->tfd_armed_ns == at_ns)
        return;
    struct itimerspec its = { .it_value = { .tv_sec = at_ns / 1000000000, .tv_nsec = at_ns % 1000000000 } };
    if (timerfd_settime(c->tfd, TFD_TIMER_ABSTIME, &its, NULL) == 0)
        c->tfd_armed_ns = at_ns;
}

int http_client_wait(struct http_client *c, int64_t deadline_ns, int max_wait_ms)
{
    int running = 0;
    int64_t now = clock_mono_ns();
    if (c->curl_due_ns >= 0 && c->curl_due_ns <= now) {
        c->curl_due_ns = -1;     /* the callback may set a new one during the call */
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
        deliver_pending(c);
        /* A request sent here can be answered at once (libcurl reads what
         * is ready before it returns): the caller has work, do not block. */
        if (finish_done(c) > 0)
            return c->in_flight;
        now = clock_mono_ns();
    }
    /* The earliest precise wake-up: libcurl's timeout or the caller's
     * deadline; beyond max_wait_ms epoll_wait's own timeout is enough. */
    int64_t wake = deadline_ns > 0 ? deadline_ns : INT64_MAX;
    if (c->curl_due_ns >= 0 && c->curl_due_ns < wake)
        wake = c->curl_due_ns;
    int timeout_ms = max_wait_ms < 0 ? 0 : max_wait_ms;
    if (wake <= now)
        timeout_ms = 0;
    else if (wake - now < (int64_t)timeout_ms * 1000000)
        arm_timer(c, wake);
    struct epoll_event evs[HTTP_MAX_EVENTS];
    int n = epoll_wait(c->epfd, evs, HTTP_MAX_EVENTS, timeout_ms);
    for (int i = 0; i < n; i++) {
        int fd = evs[i].data.fd;
        if (fd == c->tfd) {
            uint64_t expirations;     /* drained so the fd is quiet until re-armed */
            if (read(c->tfd, &expirations, sizeof expirations) < 0 && errno != EAGAIN)
                log_warn("timerfd read: %s", strerror(errno));
            c->tfd_armed_ns = 0;
            continue;
        }
        int what = (evs[i].events & EPOLLIN ? CURL_CSELECT_IN : 0) |
                   (evs[i].events & EPOLLOUT ? CURL_CSELECT_OUT : 0) |
                   (evs[i].events & (EPOLLERR | EPOLLHUP) ? CURL_CSELECT_ERR : 0);
        curl_multi_socket_action(c->multi, fd, what, &running);
    }
    if (c->curl_due_ns >= 0 && c->curl_due_ns <= clock_mono_ns()) {
        c->curl_due_ns = -1;
        curl_multi_socket_action(c->multi, CURL_SOCKET_TIMEOUT, 0, &running);
    }
    deliver_pending(c);
    finish_done(c);
    return c->in_flight;
}

void http_cancel(struct http_client *c, struct http_call *call)
{
    if (!call->priv)
        return;
    release_call(c, call);
    c->in_flight--;
}

int http_client_in_flight(const struct http_client *c)
{
    return c->in_flight;
}

/* What a blocking request keeps of its answer: nothing when the caller
 * does not want the body, and at most HTTP_SYNC_MAX_BODY bytes otherwise
 * (a control answer is small; one that never ends must not fill memory). */
#define HTTP_SYNC_MAX_BODY ((size_t)64 << 20)
struct sync_sink {
    struct buf b;
    int keep, over;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
    struct sync_sink *s = userdata;
    size_t n = size * nmemb;
    if (!s->keep)
        return n;
    if (s->b.len + n > HTTP_SYNC_MAX_BODY) {
        s->over = 1;
        return 0;          /* aborts the transfer */
    }
    buf_append(&s->b, data, n);
    return n;
}

int http_request_sync(const char *method, const char *url, const char *body,
                      const char *bearer_token, long timeout_ms, long *status_out,
                      char **body_out, struct bai_error *err)
{
    http_global_init();
    char errbuf[CURL_ERROR_SIZE] = "";
    struct curl_slist *headers = NULL;
    CURL *e = make_easy(url, body, bearer_token, timeout_ms, &headers, errbuf);
    if (!e) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "curl_easy_init failed");
        return -1;
    }
    if (method && strcmp(method, "GET") && strcmp(method, "POST"))
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    struct sync_sink sink = { .keep = body_out != NULL };
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &sink);
    CURLcode rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    curl_slist_free_all(headers);
    if (sink.over) {
        bai_error_set(err, BAI_EXIT_BACKEND, "%s: the answer is larger than %zu MiB: cut off", url,
                      HTTP_SYNC_MAX_BODY >> 20);
        buf_free(&sink.b);
        return -1;
    }
    if (rc != CURLE_OK) {
        bai_error_set(err, BAI_EXIT_BACKEND, "%s: %s", url, errbuf[0] ? errbuf : curl_easy_strerror(rc));
        buf_free(&sink.b);
        return -1;
    }
    if (status_out)
        *status_out = status;
    if (body_out)
        *body_out = buf_detach(&sink.b);
    else
        buf_free(&sink.b);
    return 0;
}
