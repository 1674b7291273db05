/* http.h - HTTP for benchai: a libcurl multi driver that keeps many requests
 * in flight on one thread, plus small blocking helpers for control calls
 * (/health, /props, /slots, /tokenize).
 *
 * Owns: curl handles, connection reuse, and the wait for I/O: one epoll set
 * that mirrors the sockets libcurl asks for (curl_multi_socket_action, so a
 * wake-up costs the ready sockets only, not a scan of all of them) plus a
 * timerfd for libcurl's timeouts and the caller's deadline (microsecond
 * wake-ups, e.g. an open-loop arrival). Does not own: request bodies or
 * response meaning (backend/). Each received chunk is timestamped with
 * CLOCK_MONOTONIC on entry to the write callback and parsed only after
 * libcurl has read every ready connection, so client-side timings measure
 * the network, not benchai. The send time is taken when libcurl is about to
 * write the request (CURLOPT_PREREQFUNCTION), not when it was queued.
 * One thread uses a client at a time.
 */
#ifndef BAI_HTTP_H
#define BAI_HTTP_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"

struct http_client;

/* One request. The caller owns it (and url/body) until on_done has run. */
struct http_call {
    const char *url;
    const char *body;              /* POST body (JSON) or NULL for GET */
    const char *bearer_token;      /* Authorization: Bearer ..., or NULL */
    long timeout_ms;               /* whole request; 0 = none */
    /* Body bytes as they arrive, stamped at arrival. Return non-zero to abort. */
    int (*on_data)(void *ctx, const char *data, size_t len, int64_t t_ns);
    /* Once, at the end: curl_code 0 on transport success (check http_status). */
    void (*on_done)(void *ctx, int curl_code, long http_status, const char *error, int64_t t_ns);
    void *ctx;
    /* Filled by the driver. */
    int64_t t_submit_ns;           /* handed to libcurl */
    int64_t t_sent_ns;             /* libcurl is about to write the request (0 = not yet) */
    void *priv;
};

/* NULL when the epoll set, the timerfd or the libcurl handle cannot be made
 * (err set). */
struct http_client *http_client_new(int max_parallel, struct bai_error *err);
/* Requests still in flight must be cancelled (http_cancel) first. */
void http_client_free(struct http_client *c);
/* Starts the request (it proceeds inside http_client_wait). */
int http_submit(struct http_client *c, struct http_call *call, struct bai_error *err);
/* Waits for I/O once and drives the transfers that are ready, dispatching
 * callbacks (on_data, then on_done). Returns when something was handled, or
 * at deadline_ns (CLOCK_MONOTONIC; 0 = none; in the past = do not block),
 * or after max_wait_ms at most (0 = do not block), or when a signal arrived.
 * Returns the number of requests still in flight. */
int http_client_wait(struct http_client *c, int64_t deadline_ns, int max_wait_ms);
int http_client_in_flight(const struct http_client *c);
/* Abandons a request in flight: its on_done is never called, and the call
 * may be freed afterwards. */
void http_cancel(struct http_client *c, struct http_call *call);

/* Blocking request for control endpoints. *body_out (may be NULL) receives
 * the body (caller frees); at most 64 MiB of it is kept (an answer that
 * does not end is cut off: an error), none when body_out is NULL. Returns
 * 0 when a response arrived (any status), -1 on a transport error (err
 * set, BAI_EXIT_BACKEND). */
int http_request_sync(const char *method, const char *url, const char *body,
                      const char *bearer_token, long timeout_ms, long *status_out,
                      char **body_out, struct bai_error *err);

/* Global libcurl init; call once from the command before any HTTP. */
void http_global_init(void);

#endif
