/* gen.h - one generation request and its response: the data that flows from
 * the runner through a backend and on to the scorers and the store.
 *
 * Owns: struct gen_request (built by the runner from a suite item) and
 * struct gen_response (filled by a backend, including every timing).
 * Timing definitions are in docs/metrics.md; all client times are
 * CLOCK_MONOTONIC nanoseconds taken when bytes arrive, before parsing.
 */
#ifndef BAI_GEN_H
#define BAI_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

/* How much one answer may hold, by default: content, reasoning and tool
 * calls together (--max-answer-bytes). 16 MiB is about four million tokens,
 * a hundred times the longest answer a local model writes; past it a
 * server is looping or hostile. What the server may send for one answer is
 * GEN_WIRE_FACTOR times that when streamed (the JSON framing of each
 * token), GEN_BODY_FACTOR times when not. */
#define GEN_MAX_ANSWER_MIB_DEFAULT 16
#define GEN_MAX_ANSWER_BYTES_DEFAULT ((size_t)GEN_MAX_ANSWER_MIB_DEFAULT << 20)
#define GEN_WIRE_FACTOR 16
#define GEN_BODY_FACTOR 4
#define GEN_STR_(x) #x
#define GEN_STR(x) GEN_STR_(x)

/* What was repaired in an answer's text (struct gen_response.text_flags,
 * stored as samples.flags): never dropped silently. */
enum gen_text_flag {
    GEN_FLAG_NUL = 1u << 0,           /* \u0000 in the answer, stored as U+FFFD */
    GEN_FLAG_BAD_UTF8 = 1u << 1,      /* invalid UTF-8, stored with U+FFFD */
    GEN_FLAG_TOO_LARGE = 1u << 2,     /* the answer passed the cap; what came is kept */
};

struct gen_message {
    const char *role;
    const char *content;
};

struct gen_request {
    int chat;                     /* 1: chat messages, 0: raw completion prompt */
    const struct gen_message *messages;   /* chat */
    size_t n_messages;
    const char *prompt;           /* completion */
    int max_tokens;
    double temperature;
    const char *const *stop;
    size_t n_stop;
    int ignore_eos;               /* llama-server: generate exactly max_tokens */
    int no_prompt_cache;          /* llama-server: cache_prompt false, so every request
                                     processes its whole prompt (speed suites' pp) */
    int stream;                   /* 1: SSE streaming (timings per event) */
    int n_probs;                  /* llama-server: top-n probabilities per token, 0 = off */
    const cJSON *tools;           /* OpenAI tools array or NULL */
    long seed;                    /* -1 = server default */
    const char *model;            /* "model" field for OpenAI endpoints, may be NULL */
};

/* A streamed chunk's arrival, for inter-token latency. */
struct gen_event {
    int64_t t_ns;
    int tokens;                   /* content tokens this event carried (>= 1), 0 for non-content */
};

struct gen_response {
    int ok;                       /* 1 when a usable answer arrived */
    char *error;                  /* why not ok (HTTP status, parse error, timeout, ...) */
    long http_status;
    int retryable;                /* transport error, 429 or 5xx */
    char *content;                /* the answer, reasoning removed */
    char *reasoning;              /* reasoning_content or <think> text */
    char *finish_reason;
    char *tool_calls_json;        /* OpenAI tool_calls array as JSON text */
    char *timings_json;           /* llama-server timings object verbatim */
    cJSON *probs;                 /* llama-server completion_probabilities (n_probs), owned */
    /* Server-side counts and timings (-1 when the server did not send them). */
    int64_t prompt_tokens, completion_tokens, cached_tokens;
    double prompt_ms, prompt_tps, gen_ms, gen_tps;
    int64_t draft_n, draft_accepted;
    /* Client-side, monotonic ns. t_first is the first content token. */
    int64_t t_intended_ns;        /* when the request should have been sent (rate mode) */
    int64_t t_send_ns, t_first_ns, t_end_ns;
    struct gen_event *events;
    size_t n_events, cap_events;
    unsigned text_flags;          /* enum gen_text_flag */
};

void gen_response_init(struct gen_response *r);
void gen_response_free(struct gen_response *r);
void gen_response_set_error(struct gen_response *r, int retryable, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Derived client-side figures (ms; negative when not measurable). */
double gen_ttft_ms(const struct gen_response *r);
double gen_e2e_ms(const struct gen_response *r);
/* TPOT = (E2E - TTFT) / (n - 1), n = completion tokens. */
double gen_tpot_ms(const struct gen_response *r);
/* Per-token inter-token latencies: a chunk carrying k tokens spreads its
 * gap over k tokens. Returns a JSON array text (caller frees), or NULL. */
char *gen_itl_json(const struct gen_response *r);

/* Moves <think>...</think> at the start of content into reasoning. */
void gen_split_think(struct gen_response *r);

/* The flags as stored: "nul,invalid_utf8,too_large" (those set), or NULL
 * when none. Allocated. */
char *gen_text_flags_text(unsigned flags);

#endif
