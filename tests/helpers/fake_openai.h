/* fake_openai.h - a minimal OpenAI-compatible server on 127.0.0.1 (port
 * chosen by the kernel) for tests: GET /v1/models, and POST
 * /v1/chat/completions and /v1/completions answered with configurable
 * fixed content, as one JSON body or streamed (SSE). One
 * background thread serves one connection at a time; every chat request
 * body is kept so tests can assert what a client sent. Loopback only. */
#ifndef BAI_TEST_FAKE_OPENAI_H
#define BAI_TEST_FAKE_OPENAI_H

#include <stddef.h>

struct fake_openai;

/* Starts the server; NULL when no socket or thread could be made. */
struct fake_openai *fake_openai_start(void);
/* Stops the thread, closes the socket, frees everything. NULL is fine. */
void fake_openai_stop(struct fake_openai *f);
/* "http://127.0.0.1:PORT" (valid until stop). */
const char *fake_openai_url(const struct fake_openai *f);

/* Chat answers: the i-th chat request gets contents[i]; after the last,
 * the last repeats. Copied. Default: one reply "SCORE: 50". */
void fake_openai_set_replies(struct fake_openai *f, const char *const *contents, size_t n);
void fake_openai_set_reply(struct fake_openai *f, const char *content);
/* The next n chat requests are answered with this HTTP status and an
 * OpenAI-style error body instead (they do not consume a reply). */
void fake_openai_fail_next(struct fake_openai *f, int n, int status);

/* Streamed answers. Once set, a request with "stream": true (chat or
 * completions) is answered as Server-Sent Events: one event per word of
 * the reply (" word" pieces), gap_ms apart, then an event with
 * finish_reason "stop", then, when usage is set, a chunk with an empty
 * choices array and a usage object (completion_tokens, prompt_tokens, and
 * prompt_tokens_details.cached_tokens when cached_tokens >= 0), then
 * [DONE]. Without it, streamed requests get the plain JSON answer (a
 * server that ignores "stream"). */
struct fake_openai_stream {
    int usage;
    int gap_ms;
    long prompt_tokens, completion_tokens, cached_tokens;
};
void fake_openai_set_stream(struct fake_openai *f, const struct fake_openai_stream *s);
/* The "owned_by" of the model /v1/models lists (llama.cpp's server says
 * "llamacpp"); NULL (default) leaves the field out. Copied. */
void fake_openai_set_owned_by(struct fake_openai *f, const char *owner);

/* Every chat answer waits this long first (a slow model; 0 = none). */
void fake_openai_set_delay_ms(struct fake_openai *f, int ms);

/* Chat requests number first .. first + n - 1 (counted from 0 over all
 * chat requests this server received) get a streamed answer that stops half way:
 * one SSE event carrying `partial` as content, then nothing more; the
 * connection is held open until the client hangs up (its timeout, or its
 * process killed) or hold_ms pass, like a server that hangs mid-answer.
 * Held requests do not consume a reply. One connection is served at a
 * time, so nothing else is answered meanwhile. */
void fake_openai_stall(struct fake_openai *f, int first, int n, const char *partial, int hold_ms);

/* Hostile answers. An endless stream: every chat request is answered with a
 * valid SSE stream of events that never ends (until the client hangs up or
 * the server stops); kind picks what each event carries. FAKE_ENDLESS_NONE
 * turns it off. */
enum fake_endless { FAKE_ENDLESS_NONE, FAKE_ENDLESS_CONTENT, FAKE_ENDLESS_REASONING,
                    FAKE_ENDLESS_TOOL_ARGS, FAKE_ENDLESS_EMPTY_DELTAS };
void fake_openai_set_endless(struct fake_openai *f, enum fake_endless kind);
/* Every chat request is answered with these len bytes as they are (any
 * bytes: NUL, invalid UTF-8), as an SSE stream when sse, else as a JSON
 * body, with HTTP status 200. NULL turns it off. Copied. */
void fake_openai_set_raw(struct fake_openai *f, const char *body, size_t len, int sse);
/* The same with another HTTP status (an error body). */
void fake_openai_set_raw_status(struct fake_openai *f, int status, const char *body, size_t len);
/* Bytes sent in endless streams so far. */
unsigned long long fake_openai_endless_bytes(struct fake_openai *f);

/* Chat (and completions) requests received so far (failed ones included). */
int fake_openai_chat_requests(struct fake_openai *f);
/* How many chat request bodies contained needle (JSON text as sent, so
 * a needle with quotes or newlines must be written JSON-escaped). */
int fake_openai_bodies_containing(struct fake_openai *f, const char *needle);
/* A copy of the i-th chat request body (caller frees), NULL when none. */
char *fake_openai_body(struct fake_openai *f, int i);

#endif
