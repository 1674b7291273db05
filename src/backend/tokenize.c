/* tokenize.c - counting tokens with the model's own tokenizer (see
 * backend_count_tokens in backend.h). llama-server answers POST /tokenize
 * with {"tokens": [...]}; the other kinds have no tokenizer to ask. */
#include "backend/backend.h"
#include "net/http.h"
#include "util/mem.h"

#include <stdlib.h>

int backend_can_count_tokens(const struct backend *b)
{
    return b->cfg.kind == BACKEND_LLAMA_SERVER && b->base_url;
}

int backend_count_tokens(struct backend *b, const char *text, struct bai_error *err)
{
    if (!backend_can_count_tokens(b)) {
        bai_error_set(err, BAI_EXIT_USAGE, "the %s backend cannot count tokens", backend_kind_name(b->cfg.kind));
        return -1;
    }
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "content", text);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *url = xasprintf("%s/tokenize", b->base_url);
    long status = 0;
    char *answer = NULL;
    int n = -1;
    /* a 128K-token haystack takes a while to tokenize on a slow machine */
    if (http_request_sync("POST", url, json, b->api_key, 120000, &status, &answer, err) == 0 && status == 200) {
        cJSON *a = cJSON_Parse(answer);
        const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(a, "tokens");
        if (cJSON_IsArray(tokens))
            n = cJSON_GetArraySize(tokens);
        cJSON_Delete(a);
    }
    if (n < 0 && !err->msg[0])
        bai_error_set(err, BAI_EXIT_BACKEND, "%s: HTTP %ld", url, status);
    cJSON_free(json);
    free(url);
    free(answer);
    return n;
}
