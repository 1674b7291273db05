/* openai_proto.h - the OpenAI-compatible wire protocol (chat/completions and
 * completions, streamed or not), as spoken by llama-server, vLLM, SGLang,
 * Ollama, LM Studio and hosted APIs.
 *
 * Owns: request bodies and response parsing into struct gen_response,
 * including llama-server's extensions (timings, ignore_eos, n_probs).
 * Does not own: transport (net/http.c) or process supervision.
 */
#ifndef BAI_OPENAI_PROTO_H
#define BAI_OPENAI_PROTO_H

#include "backend/gen.h"
#include "net/sse.h"

/* Builds the JSON body. llama_ext adds llama-server fields (ignore_eos,
 * n_probs) which other servers would reject or ignore. Caller frees. */
char *openai_build_body(const struct gen_request *req, int llama_ext);

/* The path to POST to for this request ("/v1/chat/completions" or
 * "/v1/completions"). */
const char *openai_path(const struct gen_request *req);

/* A streamed tool call's name and arguments as they accumulate (appended
 * in place: linear in the pieces, however many arrive). */
struct openai_tool_acc {
    struct buf name, arguments;
};

/* Incremental response reader: feed it every received chunk, then finish.
 * Bounded: the answer text (content, reasoning, tool calls) may reach
 * max_answer bytes, the bytes on the wire GEN_WIRE_FACTOR (stream) or
 * GEN_BODY_FACTOR (body) times that; past either the transfer is aborted
 * and the response is a non-retryable error that keeps what came. */
struct openai_reader {
    struct gen_response *resp;
    int stream;
    struct sse_parser sse;
    struct buf body;              /* whole body (non-stream) or error body */
    struct buf content;
    struct buf reasoning;
    cJSON *tool_calls;            /* accumulated streamed tool calls (ids, types) */
    struct openai_tool_acc *tool_acc;   /* their names and arguments, by index */
    size_t n_tool_acc;
    int saw_done;
    int events_parsed;
    char *parse_error;            /* first malformed event */
    size_t max_answer;            /* answer text cap (openai_reader_init: the default) */
    size_t answer_bytes;          /* content + reasoning + tool-call text so far */
    size_t wire_bytes;            /* bytes received */
    char *too_large;              /* why the transfer was cut (a cap was passed) */
    unsigned text_flags;          /* enum gen_text_flag seen so far */
    /* The request's time limit is what ends it on a timeout (the item's
     * time_limit_s): what arrived is then the answer, finish_reason
     * "time_limit", not an error. Set by the caller after init. */
    int time_limit;
};

/* max_answer 0: GEN_MAX_ANSWER_BYTES_DEFAULT. */
void openai_reader_init(struct openai_reader *rd, struct gen_response *resp, int stream);
void openai_reader_set_max_answer(struct openai_reader *rd, size_t max_answer);
/* http_call.on_data compatible. */
int openai_reader_data(void *rd, const char *data, size_t len, int64_t t_ns);
/* Completes resp from what arrived: ok, or an error naming what was wrong
 * (HTTP status and body, non-JSON, missing field, truncated stream). */
void openai_reader_finish(struct openai_reader *rd, int curl_code, long http_status,
                          const char *curl_error, int64_t t_ns);
void openai_reader_free(struct openai_reader *rd);

/* Parses a complete non-streamed response body into resp (used by the
 * reader and by the fuzz target). Returns 0 or -1 with resp->error set. */
int openai_parse_body(const char *body, size_t len, struct gen_response *resp);

#endif
