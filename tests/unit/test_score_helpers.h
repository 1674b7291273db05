/* test_score_helpers.h - builds a one-item input for the scorer tests. */
#ifndef TEST_SCORE_HELPERS_H
#define TEST_SCORE_HELPERS_H

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "suite/suite.h"

struct ts_case {
    struct score_item item;
    struct score_result res;
    struct bai_error err;
    cJSON *extra;           /* tool_calls / logprobs when given */
    cJSON *detail;          /* parsed res.detail_json */
    int rc;
};

/* Scores output with scorer; data_json is the item's data object. */
static inline struct ts_case *ts_run_full(const char *scorer, const char *data_json,
                                          const char *output, const char *tool_calls,
                                          const char *logprobs, const struct score_context *ctx)
{
    struct ts_case *c = calloc(1, sizeof *c);
    c->item.id = "t1";
    c->item.scorer = (char *)scorer;
    c->item.prompt = "What is asked?";
    c->item.data = cJSON_Parse(data_json);
    cr_assert_not_null(c->item.data, "bad test JSON: %s", data_json);
    struct score_input in = {0};
    in.item = &c->item;
    in.output = output;
    if (tool_calls) {
        c->extra = cJSON_Parse(tool_calls);
        in.tool_calls = c->extra;
    } else if (logprobs) {
        c->extra = cJSON_Parse(logprobs);
        in.logprobs = c->extra;
    }
    c->rc = score_sample(&in, ctx, &c->res, &c->err);
    cr_assert_not_null(c->res.detail_json);
    c->detail = cJSON_Parse(c->res.detail_json);
    cr_assert_not_null(c->detail, "detail is not JSON: %s", c->res.detail_json);
    return c;
}

static inline struct ts_case *ts_run(const char *scorer, const char *data_json, const char *output)
{
    return ts_run_full(scorer, data_json, output, NULL, NULL, NULL);
}

static inline void ts_free(struct ts_case *c)
{
    score_result_free(&c->res);
    cJSON_Delete(c->item.data);
    cJSON_Delete(c->extra);
    cJSON_Delete(c->detail);
    free(c);
}

static inline double ts_num(const struct ts_case *c, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->detail, key);
    cr_assert(cJSON_IsNumber(v), "detail has no number %s: %s", key, c->res.detail_json);
    return v->valuedouble;
}

static inline const char *ts_str(const struct ts_case *c, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(c->detail, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

#define TS_EPS 1e-9

/* What a command wrote to a redirected stream (cr_redirect_stdout /
 * cr_redirect_stderr in .init): flushed, read whole, kept until the next
 * call. */
static inline const char *ts_redirected(FILE *stream, FILE *redirected)
{
    static char all[16384];
    fflush(stream);
    size_t n = fread(all, 1, sizeof all - 1, redirected);
    all[n] = 0;
    return all;
}

#endif
