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
    char **owned;                /* strings to free */
    size_t n_owned, cap_owned;
    cJSON *extra;                /* req.extra's storage */
};

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
