/* Tests of the choice scorer against openai/simple-evals' extraction
 * (common.py), written down here so the expected values do not come from
 * benchai:
 *   MMLU path (mmlu_eval.py): text = normalize_response(response), which
 *     is response.replace("**","").replace("$\\boxed{","").replace("}$","")
 *     .replace("\\$","").replace("$\\text{","").replace("$","")
 *     .replace("\\mathrm{","").replace("\\{","").replace("\\text","")
 *     .replace("\\(","").replace("\\mathbf{","").replace("{","")
 *     .replace("\\boxed",""); then for each answer_regex of
 *     MULTILINGUAL_ANSWER_REGEXES in list order,
 *     re.search("(?i)" + answer_regex + "[ \t]*([A-D]|[أ-د]|[অ]|[ব]|[ড]|[ঢ]|[Ａ]|[Ｂ]|[Ｃ]|[Ｄ])", text);
 *     the first that matches gives normalize_extracted_answer(group 1)
 *     (أ ب ج د, অ ব ড ঢ, Ａ Ｂ Ｃ Ｄ -> " A".." D", then strip); the score
 *     is extracted == correct letter, compared as text.
 *   GPQA path (gpqa_eval.py): re.search(r"(?i)Answer[ \t]*:[ \t]*\$?([A-D])\$?",
 *     response) on the raw response, group 1 as is. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "score/choice.h"
#include "test_score_helpers.h"

#define FOUR "{\"choices\": [\"London\", \"Paris\", \"Rome\", \"Madrid\"], \"correct\": \"B\"}"
#define FOUR_AS(x) "{\"choices\": [\"London\", \"Paris\", \"Rome\", \"Madrid\"], \"correct\": \"B\"," \
                   " \"scoring\": {\"extraction\": \"" x "\"}}"

/* The default chain: letter and rule, or unparsed when letter is NULL. */
static void expect(const char *data, const char *output, const char *letter, const char *rule)
{
    struct ts_case *c = ts_run("choice", data, output);
    cr_assert_eq(c->rc, 0, "%s", c->err.msg);
    if (!letter) {
        cr_assert_eq(c->res.status, SCORE_UNPARSED, "output %s: %s", output, c->res.detail_json);
    } else {
        cr_assert_eq(c->res.status, SCORE_SCORED, "output %s: %s", output, c->res.detail_json);
        cr_assert_str_eq(c->res.extracted, letter, "output %s", output);
        cr_assert_str_eq(ts_str(c, "rule"), rule, "output %s: %s", output, c->res.detail_json);
        cr_assert_eq(c->res.passed, !strcmp(letter, "B"));
    }
    ts_free(c);
}

/* What the detail records of simple-evals' two extractions (NULL: None). */
static void expect_official(const char *output, const char *mmlu, const char *gpqa)
{
    struct ts_case *c = ts_run("choice", FOUR, output);
    const cJSON *m = cJSON_GetObjectItem(c->detail, "official_mmlu");
    const cJSON *g = cJSON_GetObjectItem(c->detail, "official_gpqa");
    if (mmlu)
        cr_assert(cJSON_IsString(m) && !strcmp(m->valuestring, mmlu), "%s: %s", output, c->res.detail_json);
    else
        cr_assert(cJSON_IsNull(m), "%s: %s", output, c->res.detail_json);
    if (gpqa)
        cr_assert(cJSON_IsString(g) && !strcmp(g->valuestring, gpqa), "%s: %s", output, c->res.detail_json);
    else
        cr_assert(cJSON_IsNull(g), "%s: %s", output, c->res.detail_json);
    ts_free(c);
}

Test(score_choice, simple_evals_mmlu_forms)
{
    /* "**Answer:** B": "**" removed -> "Answer: B" -> "B". GPQA on the raw
     * text: after "Answer:" comes "*", so no match -> None. */
    expect_official("**Answer:** B", "B", NULL);
    expect(FOUR, "**Answer:** B", "B", "mmlu");
    /* "Answer: $\boxed{C}$": "$\boxed{" removed -> "Answer: C}$", "}$"
     * removed -> "Answer: C" -> "C". GPQA: "$" then "\" -> None. */
    expect_official("Answer: $\\boxed{C}$", "C", NULL);
    expect(FOUR, "Answer: $\\boxed{C}$", "C", "mmlu");
    /* full-width "Ｃ" (U+FF23) is in the class; normalize_extracted_answer
     * maps it to " C" -> strip -> "C". GPQA's [A-D] does not take it. */
    expect_official("Answer: \uFF23", "C", NULL);
    expect(FOUR, "Answer: \uFF23", "C", "mmlu");
    /* "答案：C": the 11th entry, 答案\s*： (full-width colon) -> "C" */
    expect_official("\u7B54\u6848\uFF1A" "C", "C", NULL);
    expect(FOUR, "\u7B54\u6848\uFF1A" "C", "C", "mmlu");
    /* Arabic: "الإجابة: ب" - the 17th entry; ب -> " B" -> "B" */
    expect_official("\u0627\u0644\u0625\u062C\u0627\u0628\u0629: \u0628", "B", NULL);
    /* the list order decides, not the position: entry 1 (Answer) comes
     * before entry 11 (答案), so "B" although 答案 is earlier */
    expect_official("\u7B54\u6848\uFF1A" "A\nAnswer: B", "B", "B");
    /* entry 2 is "Answer\s*:" followed by six U+200B: it matches where
     * entry 1 cannot (a U+200B is neither [ \t] nor a letter) */
    expect_official("Answer:\u200B\u200B\u200B\u200B\u200B\u200B" "B", "B", NULL);
    expect_official("Answer:\u200B\u200B\u200B\u200B\u200B" "B", NULL, NULL);
    /* both paths agree on the plain form and on their (?i) quirk */
    expect_official("Reasoning...\nAnswer: B", "B", "B");
    expect_official("Answer: Because Paris is the capital", "B", "B");
    expect_official("ANSWER :\t$D$", "D", "D");
}

Test(score_choice, boxed_and_unparsed_everywhere_forms)
{
    /* "The final answer is $\boxed{C}$" -> normalize_response -> "The final
     * answer is C": no entry (all need a colon) -> None; GPQA -> None. */
    expect_official("The final answer is $\\boxed{C}$", NULL, NULL);
    expect(FOUR, "The final answer is $\\boxed{C}$", "C", "boxed");
    /* "\boxed{D}" -> "{" removed -> "\boxedD}" -> "\boxed" removed ->
     * "D}": None in both. The chain's boxed rule reads D. */
    expect_official("\\boxed{D}", NULL, NULL);
    expect(FOUR, "\\boxed{D}", "D", "boxed");
    expect(FOUR, "so \\boxed{\\text{B}} it is", "B", "boxed");
}

/* extraction: mmlu | gpqa scores exactly as simple-evals does. */
Test(score_choice, official_only)
{
    struct ts_case *c = ts_run("choice", FOUR_AS("mmlu"), "The final answer is $\\boxed{B}$");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);       /* simple-evals: None, score 0 */
    cr_assert_eq(c->res.value, 0);
    ts_free(c);
    c = ts_run("choice", FOUR_AS("mmlu"), "**Answer:** B");
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_eq(c->res.passed, 1);
    cr_assert_str_eq(ts_str(c, "rule"), "mmlu");
    cr_assert_str_eq(ts_str(c, "extraction"), "mmlu");
    ts_free(c);
    c = ts_run("choice", FOUR_AS("gpqa"), "**Answer:** B");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);       /* GPQA's raw regex: None */
    ts_free(c);
    /* (?i) lets "answer: b" match, but the extracted "b" is compared with
     * "B" as text: wrong (score 0), although it was found */
    static const char *const modes[] = { "mmlu", "gpqa" };
    for (size_t i = 0; i < 2; i++) {
        char data[256];
        snprintf(data, sizeof data, FOUR_AS("%s"), modes[i]);
        c = ts_run("choice", data, "answer: b");
        cr_assert_eq(c->res.status, SCORE_SCORED, "%s", modes[i]);
        cr_assert_str_eq(c->res.extracted, "b");
        cr_assert_eq(c->res.passed, 0);
        cr_assert_eq(c->res.value, 0);
        ts_free(c);
    }
    /* an Arabic letter of the class that normalize_extracted_answer does
     * not map (ت, U+062A) is kept and counts wrong */
    c = ts_run("choice", FOUR_AS("mmlu"), "\u0627\u0644\u0625\u062C\u0627\u0628\u0629: \u062A");
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_str_eq(c->res.extracted, "\u062A");
    cr_assert_eq(c->res.passed, 0);
    ts_free(c);
    /* the default chain reads the lower-case letter as B (a deviation) */
    expect(FOUR, "answer: b", "B", "mmlu");
    /* an unknown extraction is refused by the option table */
    c = ts_run("choice", FOUR_AS("lenient"), "Answer: B");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert_str_eq(c->err.msg, "choice: option 'extraction' must be all, mmlu or gpqa, not 'lenient'");
    ts_free(c);
}

Test(score_choice, fallback_chain)
{
    /* re.search: the first of two */
    expect(FOUR, "Answer: B\nHmm, on reflection Answer: C", "B", "mmlu");
    expect(FOUR, "Final choice: **B**", "B", "bold");
    expect(FOUR, "I'd say the answer is (C) here.", "C", "answer_is");
    expect(FOUR, "The answer is B", "B", "answer_is");
    expect(FOUR, " b. ", "B", "lone_letter");
    expect(FOUR, "Between (A) and (D) I pick (D)", "D", "paren");
    expect(FOUR, "It must be Paris, the capital of France.", "B", "choice_text");
    expect(FOUR, "My pick:\nC", "C", "colon");
    expect(FOUR, "B) Paris is right", "B", "choice_text");
    expect(FOUR, "I cannot decide.", NULL, NULL);
    expect(FOUR, "", NULL, NULL);
    /* ت is no letter of the item: the chain skips it and finds nothing */
    expect(FOUR, "\u0627\u0644\u0625\u062C\u0627\u0628\u0629: \u062A", NULL, NULL);
}

Test(score_choice, letter_range_follows_choice_count)
{
    /* 3 choices: D is not a choice, so the chain skips "Answer: D" as [A-C]
     * would; simple-evals' own [A-D] takes it (and scores it wrong) */
    expect("{\"choices\": [\"x\", \"y\", \"z\"], \"correct\": \"B\"}", "Answer: D. Hmm, (B)", "B", "paren");
    struct ts_case *c = ts_run("choice", "{\"choices\": [\"x\", \"y\", \"z\"], \"correct\": \"B\"}",
                               "Answer: D. Hmm, (B)");
    cr_assert_str_eq(ts_str(c, "official_mmlu"), "D");
    ts_free(c);
    /* 6 choices: F is valid, and the official class widens to [A-F] */
    expect("{\"choices\": [\"a1\", \"a2\", \"a3\", \"a4\", \"a5\", \"a6\"], \"correct\": \"B\"}",
           "Answer: F", "F", "mmlu");
}

Test(score_choice, shuffled_order)
{
    int o1[5], o2[5], seen[5] = {0};
    score_choice_shuffle("q1", 1234, 5, o1);
    score_choice_shuffle("q1", 1234, 5, o2);
    cr_assert(!memcmp(o1, o2, sizeof o1));          /* deterministic */
    for (int i = 0; i < 5; i++)
        seen[o1[i]]++;
    for (int i = 0; i < 5; i++)
        cr_assert_eq(seen[i], 1);                    /* a permutation */
    score_choice_shuffle("q1", 0, 5, o1);
    for (int i = 0; i < 5; i++)
        cr_assert_eq(o1[i], i);                      /* seed 0: identity */
    /* As the suite loader leaves a shuffled item: original [x, y, z] with
     * correct A, shown in order [2,0,1] = [z, x, y], so `choices` and
     * `correct` are already in displayed order (x is shown as B). The
     * scorer must not apply choice_order a second time. */
    struct ts_case *c = ts_run("choice",
        "{\"choices\": [\"z\", \"x\", \"y\"], \"correct\": \"B\", \"choice_order\": [2, 0, 1]}",
        "Answer: B");
    cr_assert_eq(c->res.passed, 1);
    cr_assert_str_eq(ts_str(c, "correct"), "B");
    ts_free(c);
}

Test(score_choice, logprob_mode)
{
    /* first token's candidates: " B" p=e^-0.1, "b" p=e^-3, "A" p=e^-2.5, "Z" ignored.
     * B mass = e^-0.1 + e^-3 = 0.904837 + 0.049787 = 0.954625; A = 0.082085 */
    const char *lp = "[{\"id\": 1, \"token\": \" B\", \"logprob\": -0.1, \"top_logprobs\": ["
                     "{\"token\": \" B\", \"logprob\": -0.1}, {\"token\": \"A\", \"logprob\": -2.5},"
                     "{\"token\": \"b\", \"logprob\": -3}, {\"token\": \"Z\", \"logprob\": -4}]}]";
    struct ts_case *c = ts_run_full("choice",
        "{\"choices\": [\"x\", \"y\", \"z\", \"w\"], \"correct\": \"B\", \"scoring\": {\"mode\": \"logprob\"}}",
        "B", NULL, lp, NULL);
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_str_eq(c->res.extracted, "B");
    cr_assert_eq(c->res.passed, 1);
    const cJSON *dist = cJSON_GetObjectItem(c->detail, "distribution");
    double b = cJSON_GetObjectItem(dist, "B")->valuedouble, a = cJSON_GetObjectItem(dist, "A")->valuedouble;
    double mb = exp(-0.1) + exp(-3), ma = exp(-2.5);
    cr_assert(fabs(b - mb / (ma + mb)) < 1e-9);
    cr_assert(fabs(a - ma / (ma + mb)) < 1e-9);
    ts_free(c);
    /* old llama-server shape: completion_probabilities with probs/tok_str/prob */
    c = ts_run_full("choice",
        "{\"choices\": [\"x\", \"y\"], \"correct\": \"A\", \"scoring\": {\"mode\": \"logprob\"}}",
        "", NULL, "[{\"content\": \"A\", \"probs\": [{\"tok_str\": \"B\", \"prob\": 0.3}, {\"tok_str\": \"A\", \"prob\": 0.6}]}]", NULL);
    cr_assert_str_eq(c->res.extracted, "A");
    ts_free(c);
    /* no letters among the candidates: unparsed */
    c = ts_run_full("choice",
        "{\"choices\": [\"x\", \"y\"], \"correct\": \"A\", \"scoring\": {\"mode\": \"logprob\"}}",
        "", NULL, "[{\"token\": \"The\", \"top_logprobs\": [{\"token\": \"The\", \"logprob\": -0.1}]}]", NULL);
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    ts_free(c);
}

Test(score_choice, invalid_items)
{
    struct ts_case *c = ts_run("choice", "{\"choices\": [\"x\"], \"correct\": \"A\"}", "Answer: A");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    ts_free(c);
    c = ts_run("choice", "{\"choices\": [\"x\", \"y\"], \"correct\": \"C\"}", "Answer: A");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    ts_free(c);
}
