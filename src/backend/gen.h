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
    /* Images shown with this message, as URLs (data: URIs): sent as OpenAI
     * image_url content parts before the text. NULL / 0: a text message. */
    const char *const *image_urls;
    size_t n_images;
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
    int no_prompt_cache;          /* llama.cpp: cache_prompt false, so every request
                                     processes its whole prompt (run/request.h decides) */
    int stream;                   /* 1: SSE streaming (timings per event) */
    int n_probs;                  /* llama-server: top-n probabilities per token, 0 = off */
    const cJSON *tools;           /* OpenAI tools array or NULL */
    long seed;                    /* -1 = server default */
    /* The item's time limit (time_limit_s), ms: the request ends then and
     * what arrived is the answer (finish_reason "time_limit"), neither an
     * error nor retried. 0: no limit beyond the run's --timeout. */
    long time_limit_ms;
    const char *model;            /* "model" field for OpenAI endpoints, may be NULL */
    const cJSON *extra;           /* more body fields (a run's request settings: top_p,
                                     speculative.n_max, ...), set over the rest; may be NULL */
};

/* Where a sample's token count and generation speed come from
 * (docs/metrics.md, "Where speed comes from"). */
enum gen_speed_source {
    GEN_SPEED_NONE = 0,           /* no generation speed (not streamed, no tokens) */
    GEN_SPEED_SERVER,             /* llama-server's timings (predicted_per_second) */
    GEN_SPEED_USAGE,              /* client times, the server's usage.completion_tokens */
    GEN_SPEED_CHUNKS,             /* client times, tokens counted as stream chunks */
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
    int timed_out;                /* not ok because the request's timeout passed; content
                                     and reasoning then hold what streamed before it */
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
    enum gen_speed_source speed_source;   /* set by gen_speed_complete */
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
/* TPOT = (E2E - TTFT) / (n - 1), n = completion tokens; only for a
 * streamed answer (without streaming TTFT is the first body byte, so
 * E2E - TTFT is no generation time). */
double gen_tpot_ms(const struct gen_response *r);
/* Tokens the stream's content events carried (one per event). */
int64_t gen_chunk_tokens(const struct gen_response *r);
/* Client-side generation speed: (n - 1) / (t_last - t_first), n the
 * completion tokens, t_first and t_last the arrivals of the first and the
 * last event carrying tokens; tokens/s, negative when not measurable (not
 * streamed, fewer than two tokens, every token in one chunk). */
double gen_client_tps(const struct gen_response *r);
/* Completes a finished answer's speed figures and sets speed_source: the
 * server's timings when it sent them (gen_tps > 0); otherwise gen_tps from
 * the client's clock, with the server's usage count when it sent one, else
 * completion_tokens set to the stream's chunk count. Call once, after the
 * backend filled r. */
void gen_speed_complete(struct gen_response *r);
/* "server", "usage", "chunks", or NULL for GEN_SPEED_NONE (store values). */
const char *gen_speed_source_name(enum gen_speed_source s);
/* 1 when the server says most of the prompt came from its cache (cached
 * tokens more than half the prompt tokens), 0 when it says not, -1 when it
 * did not say. */
int gen_prompt_cache_hit(const struct gen_response *r);
/* Per-token inter-token latencies: a chunk carrying k tokens spreads its
 * gap over k tokens. Returns a JSON array text (caller frees), or NULL. */
char *gen_itl_json(const struct gen_response *r);

/* Moves <think>...</think> at the start of content into reasoning. */
void gen_split_think(struct gen_response *r);

/* The flags as stored: "nul,invalid_utf8,too_large" (those set), or NULL
 * when none. Allocated. */
char *gen_text_flags_text(unsigned flags);

#endif
