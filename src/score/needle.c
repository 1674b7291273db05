/* needle.c - the `needle` scorer (needle-in-a-haystack retrieval): each
 * expected value is looked for in the output (exact, contains or SQuAD F1);
 * value = mean over the expected values. The item's length_tokens and
 * depth_percent are copied into the detail for heat-map cells. */
#include <stdlib.h>
#include <string.h>

#include "score/f1.h"
#include "score/score.h"
#include "score/text.h"

static size_t expected_of(const cJSON *data, char ***out)
{
    const cJSON *e = score_opt(data, "expected");
    if (!e)
        e = score_opt(data, "answers");
    if (!e)
        e = score_opt(data, "answer");
    return score_strings(e, out);
}

static int needle_validate(const cJSON *data, struct bai_error *err)
{
    char **e;
    size_t n = expected_of(data, &e);
    score_strings_free(e, n);
    if (n)
        return 0;
    score_problem(err, "needle: missing field 'expected'");
    return 1;
}

/* exact: the value equals the whole normalised output or one of its lines. */
static int exact_hit(const char *norm_out, const char *raw_out, const char *want)
{
    if (!strcmp(norm_out, want))
        return 1;
    const char *p = raw_out;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) : strlen(p);
        struct buf line = {0};
        score_normalize(p, l, SCORE_NORM_DEFAULT, &line);
        int hit = !strcmp(line.data, want);
        buf_free(&line);
        if (hit)
            return 1;
        if (!nl)
            break;
        p = nl + 1;
    }
    return 0;
}

static int needle_score(const struct score_input *in, const struct score_context *ctx,
                        struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    if (needle_validate(data, err))
        return -1;
    char **exp;
    size_t ne = expected_of(data, &exp);
    const char *mode = score_opt_str(data, "mode", "contains");
    const char *output = in->output ? in->output : "";
    struct buf norm = {0};
    score_normalize(output, strlen(output), SCORE_NORM_DEFAULT, &norm);

    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "mode", mode);
    const cJSON *lt = score_opt(data, "length_tokens"), *dp = score_opt(data, "depth_percent");
    if (cJSON_IsNumber(lt))
        cJSON_AddNumberToObject(d, "length_tokens", lt->valuedouble);
    if (cJSON_IsNumber(dp))
        cJSON_AddNumberToObject(d, "depth_percent", dp->valuedouble);
    cJSON *found = cJSON_AddArrayToObject(d, "found");
    double total = 0;
    size_t hits = 0;
    for (size_t i = 0; i < ne; i++) {
        struct buf want = {0};
        score_normalize(exp[i], strlen(exp[i]), SCORE_NORM_DEFAULT, &want);
        double v;
        if (!strcmp(mode, "f1")) {
            struct f1_scores s;
            score_f1_pair(output, exp[i], F1_SQUAD, &s);
            v = s.f1;
        } else if (!strcmp(mode, "exact")) {
            v = exact_hit(norm.data, output, want.data);
        } else {
            v = want.len && strstr(norm.data, want.data) != NULL;
        }
        total += v;
        hits += v >= 1.0;
        cJSON_AddItemToArray(found, cJSON_CreateNumber(v));
        buf_free(&want);
    }
    out->value = ne ? total / (double)ne : 0;
    double threshold = score_opt_num(data, "threshold", 0.5);
    out->passed = !strcmp(mode, "f1") ? out->value >= threshold : hits == ne;
    out->status = norm.len ? SCORE_SCORED : SCORE_UNPARSED;
    if (!norm.len)
        cJSON_AddStringToObject(d, "reason", "empty output");
    out->detail_json = score_detail_finish(d);
    buf_free(&norm);
    score_strings_free(exp, ne);
    return 0;
}

static const struct score_field needle_fields[] = {
    { "expected", "the value or values to find (answers or answer are accepted too); each is "
      "compared after strip, lower and collapse_ws" },
    { "length_tokens, depth_percent", "where the needle was placed; copied into the detail "
      "for heat maps" },
    { NULL, NULL },
};

static const struct score_option needle_options[] = {
    { "mode", SCORE_OPT_ENUM, "exact|contains|f1", "contains",
      "contains: a substring of the output; exact: the whole output or one of its lines; "
      "f1: SQuAD F1 against the output" },
    { "threshold", SCORE_OPT_NUMBER, NULL, "0.5", "f1 mode: passed when the mean F1 >= threshold" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_needle = {
    .name = "needle",
    .graded = 1,
    .summary = "needle-in-a-haystack retrieval: expected values found (exact, contains, f1)",
    .fields = needle_fields,
    .options = needle_options,
    .validate = needle_validate,
    .score = needle_score,
};
