/* request.h - turning a suite item into a generation request: messages
 * (system + prompt, or the item's own messages), lettered choices for
 * multiple-choice items, tools for agentic items, log-probability requests
 * for choice scoring in logprob mode, and the fixed-length prompts of speed
 * suites. The one place that decides what a model is asked.
 */
#ifndef BAI_REQUEST_H
#define BAI_REQUEST_H

#include "backend/gen.h"
#include "suite/suite.h"

struct built_request {
    struct gen_request req;
    /* storage the request points into */
    struct gen_message *messages;
    char *prompt_text;           /* user prompt as rendered (choices appended) */
    char *completion_prompt;     /* completion mode */
    char *prompt_prefix;         /* the unique first line (request_prompt_cache), NULL = none */
    char **owned;                /* strings to free */
    size_t n_owned, cap_owned;
    cJSON *extra;                /* req.extra's storage */
};

/* How a run keeps the server's prompt cache out of what it measures
 * (--prompt-cache; docs/metrics.md, "The prompt cache"). A prompt served
 * from the cache skips prompt processing: TTFT and prompt tok/s then
 * measure the cache, not the model (the speed suites send one prompt again
 * and again; reps and shared system prompts repeat prefixes too). */
enum prompt_cache_mode {
    PROMPT_CACHE_OFF = 0,          /* ask for no reuse where the server can be asked
                                      (llama.cpp's cache_prompt: false) */
    PROMPT_CACHE_UNIQUE_PREFIX,    /* that, and a unique first line on every request, for
                                      servers whose prefix cache cannot be turned off per
                                      request (vLLM, SGLang, Ollama, LM Studio) */
    PROMPT_CACHE_ON,               /* leave the server's cache alone */
};
/* The option's values in enum order, NULL-terminated: "off", "unique-prefix", "on". */
extern const char *const request_prompt_cache_names[];
/* The mode named name; NULL is the default (off). -1 when unknown. */
int request_prompt_cache_parse(const char *name);
/* Applies mode to a built request: no_prompt_cache for off and
 * unique-prefix (the body carries cache_prompt:false only to a llama.cpp
 * server, backend_speaks_llama); for unique-prefix, "[benchai ID]\n" before
 * the first message (the system prompt when there is one) or the
 * completion prompt, ID the first 12 hex digits of SHA-256(key), so key
 * must be unique per request the run sends (run, config, suite, item,
 * rep). The line is kept in b->prompt_prefix for the sample record; the
 * suite, its hash and what is scored are untouched. */
void request_prompt_cache(struct built_request *b, enum prompt_cache_mode mode, const char *key);

/* Fills out from item; stream and model come from the caller. */
void request_build(const struct suite_item *item, const struct suite *suite, int stream,
                   const char *model_name, struct built_request *out);
void request_free(struct built_request *b);

struct settings;
/* Lays a configuration's request settings over a built request (they win
 * over the suite's max_tokens, temperature, seed, ...; the suite and its
 * hash are untouched): every set setting with a request field and request
 * scope, and the launch settings that may travel per request when
 * per_request says the server accepts them (speculative.n_max, ...). */
void request_apply_settings(struct built_request *b, const struct settings *s, int per_request);

/* Renders "A) ...\nB) ..." for an item's choices (item->data.choices), or
 * NULL when it has none. Caller frees. */
char *request_render_choices(const struct suite_item *item);

#endif
