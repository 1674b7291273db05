/* judge.c - the `judge` scorer: asks a judge model (struct judge, reached
 * through any backend) to score a response 0-100 against the item's
 * reference answer and, when present in data.peer_answers, other models'
 * answers to the same item (the users' remedy for ceiling effects). The
 * score is parsed strictly; unparsable answers are retried, then reported
 * as SCORE_UNPARSED. Prompt, model, raw answer and rationale are stored. */
#include "score/judge.h"

#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"
#include "util/sha256.h"

const char score_judge_default_rubric[] =
    "90-100: matches or exceeds the reference answer.\n"
    "70-89: correct, with minor gaps.\n"
    "50-69: partially correct.\n"
    "30-49: wrong approach, but reasonable.\n"
    "0-29: empty, garbage or wrong.";

const char score_judge_system[] =
    "You are an impartial expert judge. You score one response to a question on a 0-100 "
    "scale against a reference answer and a rubric. Judge correctness and completeness, "
    "not length or style. Write a short rationale, then end with a line of the exact form "
    "SCORE: <integer 0-100>.";

void score_judge_prompt(const struct score_item *item, const char *response, struct buf *out)
{
    const cJSON *data = item->data;
    const char *reference = score_opt_str(data, "reference", NULL);
    const char *rubric = score_opt_str(data, "rubric", score_judge_default_rubric);
    buf_printf(out, "[Question]\n%s\n\n", item->prompt ? item->prompt : "");
    if (reference)
        buf_printf(out, "[Reference answer]\n%s\n\n", reference);
    const cJSON *peers = score_opt(data, "peer_answers");
    if (cJSON_IsArray(peers) && cJSON_GetArraySize(peers) > 0) {
        buf_puts(out, "[Other models' answers to the same question, for calibration only; "
                      "score relative to them where the reference leaves room]\n");
        int k = 0;
        const cJSON *p;
        cJSON_ArrayForEach(p, peers) {
            const cJSON *txt = cJSON_IsObject(p) ? cJSON_GetObjectItemCaseSensitive(p, "answer") : p;
            if (cJSON_IsString(txt))
                buf_printf(out, "--- Answer %d ---\n%s\n", ++k, txt->valuestring);
        }
        buf_puts(out, "\n");
    }
    buf_printf(out, "[Response to score]\n%s\n[End of response]\n\n", response ? response : "");
    buf_printf(out, "[Rubric]\n%s\n\nGive a short rationale, then finish with the line\nSCORE: <integer 0-100>\n",
               rubric);
}

char *score_judge_key(const char *model, int peers)
{
    /* the prompt as built for one fixed item: any change to the template,
     * the default rubric or the system message changes it */
    cJSON *data = cJSON_CreateObject();
    cJSON_AddStringToObject(data, "reference", "R");
    if (peers > 0) {
        cJSON *arr = cJSON_AddArrayToObject(data, "peer_answers");
        for (int i = 0; i < peers; i++)
            cJSON_AddItemToArray(arr, cJSON_CreateString("P"));
    }
    struct score_item item = { .id = "key", .prompt = "Q", .data = data };
    struct buf prompt = {0};
    buf_puts(&prompt, score_judge_system);
    buf_putc(&prompt, '\n');
    score_judge_prompt(&item, "A", &prompt);
    char hex[65];
    sha256_hex(prompt.data, prompt.len, hex);
    buf_free(&prompt);
    cJSON_Delete(data);
    return xasprintf("judge:%s#%.8s", model && *model ? model : "judge", hex);
}

static struct score_re re_score = { "SCORE\\s*:\\s*\\**\\s*(\\d{1,3})(?!\\d)", PCRE2_CASELESS, NULL };
static struct score_re re_mtbench = { "\\[\\[(\\d+(?:\\.\\d+)?)\\]\\]", 0, NULL };

static int last_match(struct score_re *rule, const char *s, size_t len, double *v)
{
    size_t at = 0, ov[4];
    int found = 0;
    while (at <= len && score_re_exec(score_re_get(rule), s, len, at, ov, 2) == 2) {
        *v = strtod(s + ov[2], NULL);
        found = 1;
        at = ov[1];
    }
    return found;
}

int score_judge_parse(const char *answer, double *score, const char **how)
{
    size_t len = answer ? strlen(answer) : 0;
    double v;
    if (len && last_match(&re_score, answer, len, &v) && v >= 0 && v <= 100) {
        *score = v;
        *how = "score";
        return 1;
    }
    if (len && last_match(&re_mtbench, answer, len, &v) && v >= 1 && v <= 10) {
        *score = v * 10;
        *how = "mtbench";
        return 1;
    }
    return 0;
}

/* The answer without its SCORE line(s): the judge's reasoning. */
static char *rationale_of(const char *answer)
{
    struct buf b = {0};
    const char *p = answer;
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t l = nl ? (size_t)(nl - p) + 1 : strlen(p);
        size_t ov[2];
        if (score_re_exec(score_re_get(&re_score), p, nl ? (size_t)(nl - p) : l, 0, ov, 1) <= 0)
            buf_append(&b, p, l);
        p += l;
    }
    const char *t = b.data ? b.data : "";
    size_t tl = b.len;
    score_trim(&t, &tl);
    char *r = xstrndup(t, tl);
    buf_free(&b);
    return r;
}

static int judge_validate(const cJSON *data, struct bai_error *err)
{
    const cJSON *r = score_opt(data, "reference");
    if (r && !cJSON_IsString(r)) {
        score_problem(err, "judge: field 'reference' must be a string");
        return 1;
    }
    return 0;
}

static int judge_score(const struct score_input *in, const struct score_context *ctx,
                       struct score_result *out, struct bai_error *err)
{
    const struct judge *j = ctx ? ctx->judge : NULL;
    cJSON *d = cJSON_CreateObject();
    if (!j || !j->complete) {
        cJSON_AddStringToObject(d, "reason", "no judge model configured");
        out->detail_json = score_detail_finish(d);
        out->status = SCORE_ERROR;
        bai_error_set(err, BAI_EXIT_USAGE, "judge: no judge model configured (use --judge)");
        return -1;
    }
    struct buf prompt = {0};
    score_judge_prompt(in->item, in->output, &prompt);
    cJSON_AddStringToObject(d, "judge_model", j->model ? j->model : "");
    cJSON_AddStringToObject(d, "prompt", prompt.data);
    double pass_at = score_opt_num(in->item->data, "pass_at", 70);
    int attempts = 1 + (j->retries > 0 ? j->retries : 0);
    char *answer = NULL;
    double score = 0;
    const char *how = NULL;
    int parsed = 0, tries = 0, rc = 0;
    for (tries = 0; tries < attempts && !parsed; tries++) {
        free(answer);
        answer = NULL;
        if (j->complete(j->ctx, score_judge_system, prompt.data, &answer, err) < 0) {
            rc = -1;
            break;
        }
        parsed = score_judge_parse(answer, &score, &how);
    }
    cJSON_AddNumberToObject(d, "attempts", tries);
    if (answer) {
        cJSON_AddStringToObject(d, "raw_answer", answer);
        char *rat = rationale_of(answer);
        cJSON_AddStringToObject(d, "rationale", rat);
        free(rat);
    }
    if (rc < 0) {
        cJSON_AddStringToObject(d, "reason", err->msg);
        out->status = SCORE_ERROR;
        out->passed = -1;
    } else if (!parsed) {
        cJSON_AddStringToObject(d, "reason", "no SCORE: <0-100> or [[n]] in the judge's answer");
        out->status = SCORE_UNPARSED;
        out->passed = 0;
        out->value = 0;
    } else {
        cJSON_AddNumberToObject(d, "score", score);
        cJSON_AddStringToObject(d, "parsed_as", how);
        out->status = SCORE_SCORED;
        out->value = score / 100.0;
        out->passed = score >= pass_at;
    }
    out->detail_json = score_detail_finish(d);
    free(answer);
    buf_free(&prompt);
    return rc;
}

static const struct score_field judge_fields[] = {
    { "reference", "the reference answer the judge compares with" },
    { "rubric", "the scoring bands shown to the judge (default: the 90-100 / 70-89 / 50-69 / "
      "30-49 / 0-29 bands of docs/scoring.md)" },
    { "peer_answers", "other models' answers to the same item, shown for calibration "
      "(rescore --peers fills it from the store)" },
    { NULL, NULL },
};

static const struct score_option judge_options[] = {
    { "pass_at", SCORE_OPT_NUMBER, NULL, "70", "passed when the judge's score >= pass_at" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_judge = {
    .name = "judge",
    .graded = 1,
    .summary = "a judge model scores 0-100 against the reference (and other models' answers)",
    .fields = judge_fields,
    .options = judge_options,
    .validate = judge_validate,
    .score = judge_score,
};
