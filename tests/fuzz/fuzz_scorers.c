/* libFuzzer target: every scorer of the registry with its extraction (exact
 * and its normalisations, f1, choice with its letter extraction, ifeval and
 * its checks, needle, tool_call, judge without a judge) on arbitrary
 * answers and item data; the code scorer's text side has fuzz_code_extract
 * (its scoring runs programs). Input: byte 0 picks the scorer, then
 * data-JSON \x1e answer \x1e tool-calls-JSON. Item data that is not JSON
 * falls back to a valid template, so the answer side is always exercised.
 * Invariants: a result has a status, a value in [0, 1], detail that is
 * JSON. */
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "util/mem.h"

static const struct {
    const char *name, *data;
} templates[] = {
    { "exact", "{\"answer\": \"42\", \"scoring\": {\"normalize\": [\"number\", \"case\"]}}" },
    { "f1", "{\"answers\": [\"the red cat\", \"a cat\"]}" },
    { "choice", "{\"choices\": [\"w\", \"x\", \"y\", \"z\"], \"correct\": \"B\"}" },
    { "choice", "{\"choices\": [\"w\", \"x\", \"y\", \"z\"], \"correct\": \"C\", \"scoring\": {\"extraction\": \"mmlu\"}}" },
    { "ifeval", "{\"checks\": [{\"type\": \"punctuation:no_comma\"}, {\"type\": \"length_constraints:number_words\","
                " \"num_words\": 3, \"relation\": \"at least\"}, {\"type\": \"detectable_format:json_format\"}]}" },
    { "needle", "{\"expected\": [\"4817\", \"harbour\"], \"scoring\": {\"mode\": \"f1\"}}" },
    { "tool_call", "{\"expected_call\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Lisbon\"}},"
                   " \"scoring\": {\"match\": \"subset\"}}" },
    { "judge", "{\"rubric\": \"Is it right?\"}" },
};
#define N_TEMPLATES (sizeof templates / sizeof templates[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t pick = data[0] % N_TEMPLATES;
    char *in = xstrndup((const char *)data + 1, size - 1);
    char *parts[3] = { in, "", "" };
    for (int i = 1; i < 3; i++) {
        char *sep = strchr(parts[i - 1], '\x1e');
        if (!sep)
            break;
        *sep = '\0';
        parts[i] = sep + 1;
    }
    struct score_item item = {0};
    item.id = "fuzz";
    item.scorer = (char *)templates[pick].name;
    item.prompt = "What is asked?";
    item.data = cJSON_Parse(parts[0]);
    if (!cJSON_IsObject(item.data)) {
        cJSON_Delete(item.data);
        item.data = cJSON_Parse(templates[pick].data);
    }
    struct bai_error err = {0};
    score_check(item.scorer, item.data, &err);
    cJSON *calls = cJSON_Parse(parts[2]);
    struct score_input sin = { .item = &item, .output = parts[1], .reasoning = parts[2],
                               .tool_calls = cJSON_IsArray(calls) ? calls : NULL };
    struct score_result res = {0};
    bai_error_clear(&err);
    score_sample(&sin, NULL, &res, &err);
    if (res.status != SCORE_SCORED && res.status != SCORE_UNPARSED && res.status != SCORE_ERROR)
        abort();
    if (res.status == SCORE_SCORED && !(res.value >= 0 && res.value <= 1))
        abort();
    if (res.detail_json) {
        cJSON *d = cJSON_Parse(res.detail_json);
        if (!d)
            abort();
        cJSON_Delete(d);
    }
    score_result_free(&res);
    cJSON_Delete(calls);
    cJSON_Delete(item.data);
    free(in);
    return 0;
}
