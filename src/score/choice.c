/* choice.c - the `choice` scorer (multiple choice, letters A..Z).
 *
 * extract mode: the letter comes from choice_extract.c - the default chain
 * (simple-evals' MMLU extraction, then fallbacks) or, with `extraction:
 * mmlu|gpqa`, one simple-evals extraction alone. The rule that matched and
 * what both simple-evals extractions give are stored in the detail.
 * logprob mode: the letter with the highest probability in llama-server's
 * completion_probabilities for the first answer token. */
#include "score/choice.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"

/* ---- shuffling -------------------------------------------------------- */

static unsigned long long splitmix(unsigned long long *x)
{
    unsigned long long z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void score_choice_shuffle(const char *item_id, unsigned long seed, size_t n, int *order)
{
    for (size_t i = 0; i < n; i++)
        order[i] = (int)i;
    if (!seed)
        return;
    unsigned long long h = 1469598103934665603ULL;   /* FNV-1a of the id, mixed with seed */
    for (const char *p = item_id ? item_id : ""; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    unsigned long long state = h ^ (unsigned long long)seed;
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)(splitmix(&state) % i);
        int t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

/* ---- log-probability mode --------------------------------------------- */

/* Adds the probability of one candidate token to its letter's bucket when
 * the token (trimmed) is a single letter of the item. */
static void add_candidate(const cJSON *cand, double *mass, size_t n)
{
    const cJSON *tok = cJSON_GetObjectItemCaseSensitive(cand, "token");
    if (!cJSON_IsString(tok))
        tok = cJSON_GetObjectItemCaseSensitive(cand, "tok_str");
    if (!cJSON_IsString(tok))
        return;
    const char *t = tok->valuestring;
    size_t tl = strlen(t);
    score_trim(&t, &tl);
    if (tl != 1)
        return;
    char c = (char)toupper((unsigned char)t[0]);
    if (c < 'A' || c >= 'A' + (int)n)
        return;
    double p = -1;
    const cJSON *v;
    if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cand, "prob")))
        p = v->valuedouble;
    else if (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(cand, "logprob")))
        p = exp(v->valuedouble);
    if (p > 0)
        mass[c - 'A'] += p;
}

/* The candidate list of one generated token across llama-server versions:
 * top_logprobs (OpenAI-style / newer), top_probs (post-sampling), probs (old). */
static const cJSON *candidates_of(const cJSON *tok)
{
    static const char *keys[] = { "top_logprobs", "top_probs", "probs" };
    for (size_t i = 0; i < 3; i++) {
        const cJSON *c = cJSON_GetObjectItemCaseSensitive(tok, keys[i]);
        if (cJSON_IsArray(c))
            return c;
    }
    return NULL;
}

/* Returns the letter with most probability mass at the first generated
 * position that offers any of the item's letters; fills mass[]. */
static char logprob_letter(const cJSON *lp, double *mass, size_t n)
{
    if (cJSON_IsObject(lp))
        lp = cJSON_GetObjectItemCaseSensitive(lp, "content");   /* OpenAI chat shape */
    if (!cJSON_IsArray(lp))
        return 0;
    const cJSON *tok;
    cJSON_ArrayForEach(tok, lp) {
        memset(mass, 0, n * sizeof *mass);
        const cJSON *cands = candidates_of(tok);
        const cJSON *c;
        if (cands)
            cJSON_ArrayForEach(c, cands)
                add_candidate(c, mass, n);
        else
            add_candidate(tok, mass, n);
        size_t best = n;
        for (size_t i = 0; i < n; i++)
            if (mass[i] > 0 && (best == n || mass[i] > mass[best]))
                best = i;
        if (best < n)
            return (char)('A' + best);
    }
    return 0;
}

/* ---- the scorer ------------------------------------------------------- */

static char correct_letter(const cJSON *data)
{
    const cJSON *c = score_opt(data, "correct");
    if (!c)
        c = score_opt(data, "answer");
    if (cJSON_IsString(c)) {
        const char *s = c->valuestring;
        while (*s == ' ' || *s == '(')
            s++;
        if (isalpha((unsigned char)s[0]) && !isalpha((unsigned char)s[1]))
            return (char)toupper((unsigned char)s[0]);
    }
    return 0;
}

static int choice_validate(const cJSON *data, struct bai_error *err)
{
    int problems = 0;
    const cJSON *ch = score_opt(data, "choices");
    int n = cJSON_IsArray(ch) ? cJSON_GetArraySize(ch) : 0;
    if (n < 2 || n > 26) {
        score_problem(err, "choice: field 'choices' must list 2..26 choices");
        problems++;
    }
    char c = correct_letter(data);
    if (!c || (n >= 2 && c >= 'A' + n)) {
        score_problem(err, "choice: field 'correct' must be a letter among the choices");
        problems++;
    }
    return problems;
}

static int choice_score(const struct score_input *in, const struct score_context *ctx,
                        struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    if (choice_validate(data, err))
        return -1;
    char **choices;
    size_t n = score_strings(score_opt(data, "choices"), &choices);
    if (n < 2) {
        score_strings_free(choices, n);
        score_problem(err, "choice: 'choices' must hold strings");
        return -1;
    }
    /* Displayed order. When the suite loader shuffled (choice_order is
     * recorded), `choices` and `correct` are already in displayed order:
     * applying choice_order again would mis-score. Otherwise (predictions
     * scored outside a run) a recorded shuffle seed gives the order. */
    int *order = xmalloc(n * sizeof *order);
    const cJSON *co = score_opt(data, "choice_order");
    unsigned long seed = 0;
    if (cJSON_IsArray(co) && (size_t)cJSON_GetArraySize(co) == n) {
        for (size_t i = 0; i < n; i++)
            order[i] = (int)i;
    } else {
        if (score_opt_bool(data, "shuffle_choices", 0))
            seed = (unsigned long)score_opt_num(data, "seed", 0);
        score_choice_shuffle(in->item ? in->item->id : "", seed, n, order);
    }
    char **shown = xmalloc(n * sizeof *shown);
    int orig_correct = correct_letter(data) - 'A';
    char want = 0;
    for (size_t i = 0; i < n; i++) {
        int o = order[i] >= 0 && (size_t)order[i] < n ? order[i] : (int)i;
        shown[i] = choices[o];
        if (o == orig_correct)
            want = (char)('A' + i);
    }

    cJSON *d = cJSON_CreateObject();
    const char *mode = score_opt_str(data, "mode", "extract");
    const char *output = in->output ? in->output : "";
    char got[8] = "";
    const char *rule_name = NULL;
    if (!strcmp(mode, "logprob")) {
        double *mass = xcalloc(n, sizeof *mass);
        got[0] = logprob_letter(in->logprobs, mass, n);
        double total = 0;
        for (size_t i = 0; i < n; i++)
            total += mass[i];
        cJSON *dist = cJSON_AddObjectToObject(d, "distribution");
        for (size_t i = 0; i < n; i++) {
            char key[2] = { (char)('A' + i), 0 };
            cJSON_AddNumberToObject(dist, key, total > 0 ? mass[i] / total : 0);
        }
        cJSON_AddNumberToObject(d, "letter_mass", total);
        rule_name = got[0] ? "logprob" : NULL;
        if (!in->logprobs)
            cJSON_AddStringToObject(d, "reason", "no logprobs in the response (n_probs not requested?)");
        free(mass);
    } else {
        /* simple-evals' two extractions are recorded with every score, so
         * its figures can be recomputed from a run scored by the chain */
        char mmlu[8], gpqa[8];
        struct buf norm = {0};
        score_choice_normalize_response(output, strlen(output), &norm);
        score_choice_official_mmlu(norm.data, norm.len, n, mmlu);
        score_choice_official_gpqa(output, n, gpqa);
        int k = score_values_index(CHOICE_EXTRACTION_NAMES, score_opt_str(data, "extraction", "all"));
        if (k == CHOICE_MMLU || k == CHOICE_GPQA) {
            strcpy(got, k == CHOICE_MMLU ? mmlu : gpqa);
            rule_name = got[0] ? (k == CHOICE_MMLU ? "mmlu" : "gpqa") : NULL;
        } else {
            got[0] = score_choice_extract(output, norm.data, norm.len, shown, n, &rule_name);
        }
        buf_free(&norm);
        cJSON_AddStringToObject(d, "extraction", k == CHOICE_MMLU ? "mmlu" : k == CHOICE_GPQA ? "gpqa" : "all");
        if (mmlu[0])
            cJSON_AddStringToObject(d, "official_mmlu", mmlu);
        else
            cJSON_AddNullToObject(d, "official_mmlu");
        if (gpqa[0])
            cJSON_AddStringToObject(d, "official_gpqa", gpqa);
        else
            cJSON_AddNullToObject(d, "official_gpqa");
    }
    cJSON_AddStringToObject(d, "mode", mode);
    cJSON_AddStringToObject(d, "correct", (char[2]){ want, 0 });
    if (seed || cJSON_IsArray(co)) {
        cJSON *ord = cJSON_AddArrayToObject(d, "order");
        for (size_t i = 0; i < n; i++)
            cJSON_AddItemToArray(ord, cJSON_CreateNumber(order[i]));
        if (seed)
            cJSON_AddNumberToObject(d, "seed", (double)seed);
    }
    if (got[0]) {
        /* an official extraction may keep a text that is no letter of the
         * item ("c", an Arabic letter): simple-evals compares it as text
         * and counts it wrong, and so does this */
        int right = got[0] == want && !got[1];
        cJSON_AddStringToObject(d, "letter", got);
        cJSON_AddStringToObject(d, "rule", rule_name);
        if (!(got[0] >= 'A' && got[0] < 'A' + (int)n && !got[1]))
            cJSON_AddStringToObject(d, "reason", "not one of the item's letters as written "
                                                  "(simple-evals compares the text exactly)");
        out->status = SCORE_SCORED;
        out->extracted = xstrdup(got);
        out->passed = right;
        out->value = right ? 1.0 : 0.0;
    } else {
        cJSON_AddNullToObject(d, "rule");
        if (!cJSON_GetObjectItem(d, "reason"))
            cJSON_AddStringToObject(d, "reason", "no answer letter found");
        out->status = SCORE_UNPARSED;
        out->passed = 0;
        out->value = 0;
    }
    out->detail_json = score_detail_finish(d);
    free(order);
    free(shown);
    score_strings_free(choices, n);
    return 0;
}

static const struct score_field choice_fields[] = {
    { "choices", "the choices (2 to 26), shown as A), B), ..." },
    { "correct", "the letter of the right choice (answer is accepted too)" },
    { "choice_order", "set by the suite loader when it shuffled: choices and correct are then "
      "already in the order shown" },
    { NULL, NULL },
};

static const struct score_option choice_options[] = {
    { "extraction", SCORE_OPT_ENUM, CHOICE_EXTRACTION_NAMES, "all",
      "all: simple-evals' MMLU extraction limited to the item's letters, then fallbacks "
      "(\\boxed{X}, 'the answer is X', **X**, a lone letter, (X), a choice's text, ': X', a "
      "line 'X)'); mmlu or gpqa: only that simple-evals extraction, exactly, to reproduce a "
      "published figure. Both official extractions are stored in every detail" },
    { "mode", SCORE_OPT_ENUM, "extract|logprob", "extract",
      "extract: find the letter in the output; logprob: the most probable letter among the "
      "first answer token's candidates (llama-server's completion_probabilities, or a "
      "'logprobs' field of a benchai score line)" },
    { "shuffle_choices", SCORE_OPT_BOOL, NULL, "false",
      "without choice_order (predictions scored outside a run): the choices were shown in "
      "the order score_choice_shuffle gives for the item id and seed" },
    { "seed", SCORE_OPT_NUMBER, NULL, "0", "the shuffle's seed" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_choice = {
    .name = "choice",
    .summary = "multiple choice letter: simple-evals regex, lm-eval flexible fallbacks, or logprobs",
    .fields = choice_fields,
    .options = choice_options,
    .validate = choice_validate,
    .score = choice_score,
};
