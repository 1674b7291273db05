/* Tests of the f1 scorer against hand-derived values from the published
 * SQuAD v1.1 / v2.0 evaluate.py and hotpot_evaluate_v1.py rules:
 *   normalize_answer(s) = white_space_fix(remove_articles(remove_punc(lower(s))))
 *   remove_punc deletes string.punctuation (ASCII only); remove_articles
 *   replaces \b(a|an|the)\b with " " (Python 3 \b is Unicode-aware);
 *   f1 = 2PR/(P+R) over Counter(pred) & Counter(gold). */
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/f1.h"
#include "test_score_helpers.h"

static char *norm(const char *s)
{
    struct buf b = {0};
    score_squad_normalize(s, strlen(s), &b);
    return buf_detach(&b);
}

#define NORM_IS(in, want)                                   \
    do {                                                    \
        char *n_ = norm(in);                                \
        cr_assert_str_eq(n_, want, "normalize(%s)", in);    \
        free(n_);                                           \
    } while (0)

Test(score_f1, normalize_articles_and_punct)
{
    /* lower -> "the théâtre, a theater!"; punct -> "the théâtre a theater";
     * "the" and "a" are whole \w runs -> spaces; "theater" keeps its "the" */
    NORM_IS("The Théâtre, a theater!", "théâtre theater");
    /* articles inside words stay: "another", "theme", "ant" */
    NORM_IS("another theme an ant", "another theme ant");
    /* punctuation is deleted, not replaced: "a.b" -> "ab" (not the article a) */
    NORM_IS("a.b", "ab");
    /* "the-end": '-' deleted first -> "theend", one word, no article */
    NORM_IS("the-end", "theend");
}

Test(score_f1, normalize_unicode)
{
    /* U+2019 is not in string.punctuation: it stays and is a non-word char,
     * so "a" after it is a whole word -> removed; result "l’" */
    NORM_IS("l\xE2\x80\x99" "a", "l\xE2\x80\x99");
    /* guillemets stay; upper-case accented letters are lowered */
    NORM_IS("\xC2\xABPARIS\xC2\xBB", "\xC2\xABparis\xC2\xBB");
    NORM_IS("\xC3\x89" "COLE", "\xC3\xA9" "cole");
    /* U+00A0 and U+3000 are white space for str.split() */
    NORM_IS("new\xC2\xA0york\xE3\x80\x80" "city", "new york city");
    /* é is a word character: "thé" is not the article */
    NORM_IS("th\xC3\xA9 time", "th\xC3\xA9 time");
    /* '_' is in string.punctuation: "_the_" -> "the" -> article -> "" */
    NORM_IS("_the_ end", "end");
    /* str.lower() final sigma: "ΣΟΣ" -> "σος" (last sigma is U+03C2) */
    NORM_IS("\xCE\xA3\xCE\x9F\xCE\xA3", "\xCF\x83\xCE\xBF\xCF\x82");
    /* U+0130 lowers to "i" + U+0307 */
    NORM_IS("\xC4\xB0stanbul", "i\xCC\x87stanbul");
}

Test(score_f1, f1_values)
{
    struct f1_scores s;
    /* pred tokens [cat sat on mat] (4), gold [cat on mat] (3): same 3,
     * P = 3/4, R = 1, F1 = 2*.75/1.75 = 6/7 */
    score_f1_pair("The cat sat on the mat.", "a cat on a mat", F1_SQUAD, &s);
    cr_assert(fabs(s.f1 - 6.0 / 7.0) < TS_EPS);
    cr_assert(fabs(s.precision - 0.75) < TS_EPS);
    cr_assert(fabs(s.recall - 1.0) < TS_EPS);
    cr_assert(s.em == 0);
    /* Counter overlap: pred [x y y y], gold [y y z]: min(3,2) = 2,
     * P = 2/4, R = 2/3, F1 = 2*(1/2)(2/3)/(7/6) = 4/7 */
    score_f1_pair("x y y y", "y y z", F1_SQUAD, &s);
    cr_assert(fabs(s.f1 - 4.0 / 7.0) < TS_EPS);
    /* «Paris» keeps its guillemets, so it shares no token with Paris */
    score_f1_pair("\xC2\xABParis\xC2\xBB", "Paris", F1_SQUAD, &s);
    cr_assert(s.f1 == 0 && s.em == 0);
    /* EM after normalisation */
    score_f1_pair("  The  Eiffel Tower. ", "eiffel tower", F1_SQUAD, &s);
    cr_assert(s.em == 1 && fabs(s.f1 - 1) < TS_EPS);
}

Test(score_f1, empty_prediction)
{
    struct f1_scores s;
    score_f1_pair("", "Paris", F1_SQUAD, &s);
    cr_assert(s.f1 == 0 && s.em == 0);
    /* v1.1: both empty -> EM 1 but F1 0 (no common token); v2.0: F1 1 */
    score_f1_pair("the", "a", F1_SQUAD, &s);
    cr_assert(s.em == 1 && s.f1 == 0);
    score_f1_pair("the", "a", F1_SQUAD2, &s);
    cr_assert(s.em == 1 && s.f1 == 1);
    score_f1_pair("", "Paris", F1_SQUAD2, &s);
    cr_assert(s.f1 == 0);
}

Test(score_f1, hotpot_yes_no)
{
    struct f1_scores s;
    /* normalised pred "yes it is" != gold "yes" and gold is yes -> 0 */
    score_f1_pair("Yes, it is.", "yes", F1_HOTPOT, &s);
    cr_assert(s.f1 == 0 && s.precision == 0 && s.recall == 0);
    /* the SQuAD variant has no such rule: P = 1/3, R = 1, F1 = 0.5 */
    score_f1_pair("Yes, it is.", "yes", F1_SQUAD, &s);
    cr_assert(fabs(s.f1 - 0.5) < TS_EPS);
    score_f1_pair("no", "noanswer", F1_HOTPOT, &s);
    cr_assert(s.f1 == 0);
    score_f1_pair("YES", "yes", F1_HOTPOT, &s);
    cr_assert(s.f1 == 1 && s.em == 1);
    /* non-yes/no answers behave like SQuAD */
    score_f1_pair("Arthur's Magazine", "Arthur's Magazine", F1_HOTPOT, &s);
    cr_assert(s.f1 == 1);
}

Test(score_f1, several_golds_through_scorer)
{
    /* golds: "Denver Broncos" -> F1 with pred "the Broncos" = P 1, R 1/2 -> 2/3;
     * "Broncos" -> exact -> EM 1, F1 1. Max is taken separately. */
    struct ts_case *c = ts_run("f1", "{\"answers\": [\"Denver Broncos\", \"Broncos\"]}", "the Broncos");
    cr_assert_eq(c->rc, 0);
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert(fabs(c->res.value - 1) < TS_EPS);
    cr_assert(ts_num(c, "em") == 1);
    cr_assert_str_eq(ts_str(c, "best_gold"), "Broncos");
    ts_free(c);
    /* threshold: F1 2/3 passes at 0.5, fails at 0.7 */
    c = ts_run("f1", "{\"answer\": \"Denver Broncos\", \"scoring\": {\"threshold\": 0.7}}", "the Broncos");
    cr_assert(fabs(c->res.value - 2.0 / 3.0) < TS_EPS);
    cr_assert_eq(c->res.passed, 0);
    ts_free(c);
    /* SQuAD's own answers layout */
    c = ts_run("f1", "{\"answers\": {\"text\": [\"Santa Clara\"], \"answer_start\": [3]}}", "Santa Clara, California");
    cr_assert(fabs(c->res.value - 0.8) < TS_EPS);   /* P 2/3, R 1 -> 0.8 */
    ts_free(c);
}

/* SQuAD v2.0 (evaluate-v2.0.py, get_raw_scores and compute_f1):
 *   gold_answers = [a for a in answers if normalize_answer(a)]
 *   if not gold_answers: gold_answers = ['']      # unanswerable
 *   compute_exact = normalize(gold) == normalize(pred)
 *   compute_f1: if either token list is empty, int(gold_toks == pred_toks)
 * EM and F1 are each the max over gold_answers. */
Test(score_f1, squad2_unanswerable_shapes)
{
    static const char *const shapes[] = {
        "{\"answers\": [], \"variant\": \"squad2\"}",
        "{\"answers\": {\"text\": [], \"answer_start\": []}, \"scoring\": {\"variant\": \"squad2\"}}",
        "{\"answers\": [\"\"], \"variant\": \"squad2\"}",
    };
    for (size_t i = 0; i < 3; i++) {
        /* gold ['']: pred "" -> normalize '' == '' -> EM 1; both token lists
         * empty -> F1 int([] == []) = 1. An empty prediction is the answer
         * "no answer" here, so it is scored, not unparsed. */
        struct ts_case *c = ts_run("f1", shapes[i], "");
        cr_assert_eq(c->rc, 0, "%s", c->err.msg);
        cr_assert_eq(c->res.status, SCORE_SCORED, "%s", shapes[i]);
        cr_assert_eq(c->res.value, 1);
        cr_assert_eq(c->res.passed, 1);
        cr_assert_eq(ts_num(c, "em"), 1);
        cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(c->detail, "unanswerable")));
        ts_free(c);
        /* pred "Paris": EM 'paris' != '' -> 0; F1 int([] == ['paris']) = 0 */
        c = ts_run("f1", shapes[i], "Paris");
        cr_assert_eq(c->res.status, SCORE_SCORED);
        cr_assert_eq(c->res.value, 0);
        cr_assert_eq(ts_num(c, "em"), 0);
        ts_free(c);
        /* pred "   ": get_tokens("   ") -> normalize -> '' -> [] -> EM 1, F1 1 */
        c = ts_run("f1", shapes[i], "   ");
        cr_assert_eq(c->res.status, SCORE_SCORED);
        cr_assert_eq(c->res.value, 1);
        ts_free(c);
    }
}

Test(score_f1, squad2_drops_golds_that_normalise_to_nothing)
{
    /* golds ["the", "Paris"]: normalize("the") = '' is dropped, leaving
     * ["Paris"]. pred "an" -> tokens []: EM '' != 'paris' -> 0; F1
     * int(['paris'] == []) = 0. So 0 / 0. */
    struct ts_case *c = ts_run("f1", "{\"answers\": [\"the\", \"Paris\"], \"variant\": \"squad2\"}", "an");
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_eq(c->res.value, 0);
    cr_assert_eq(ts_num(c, "em"), 0);
    cr_assert_eq(ts_num(c, "golds_dropped"), 1);
    cr_assert(cJSON_IsFalse(cJSON_GetObjectItem(c->detail, "unanswerable")));
    ts_free(c);
    /* v1.1 keeps every gold: EM normalize("the") == normalize("an") == ''
     * -> 1; f1_score: no common token -> 0. */
    c = ts_run("f1", "{\"answers\": [\"the\", \"Paris\"]}", "an");
    cr_assert_eq(ts_num(c, "em"), 1);
    cr_assert_eq(c->res.value, 0);
    ts_free(c);
    /* the SQuAD JSON's own answer list [{text, answer_start}] */
    c = ts_run("f1", "{\"answers\": [{\"text\": \"Denver Broncos\", \"answer_start\": 0}],"
               " \"variant\": \"squad2\"}", "Broncos");
    cr_assert(fabs(c->res.value - 2.0 / 3.0) < TS_EPS);   /* P 1, R 1/2 */
    ts_free(c);
}

Test(score_f1, empty_list_needs_squad2)
{
    struct ts_case *c = ts_run("f1", "{\"answers\": []}", "");
    cr_assert_eq(c->rc, -1);
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "only variant squad2") != NULL, "%s", c->err.msg);
    ts_free(c);
}

Test(score_f1, empty_output_is_unparsed)
{
    /* unparsed, value 0, not passed (docs/scoring.md): a blank output, ""
     * against [""] and "the" under v1.1 and hotpot (only squad2 scores an
     * empty answer), and an extract pattern that finds nothing in any
     * variant. EM is the official scripts' (issue 26 item 2): 1 against a
     * gold that normalises to nothing, as normalize_answer("") ==
     * normalize_answer("the"). */
    static const char *const cases[][3] = {
        { "{\"answers\": [\"Paris\"]}", "   ", "0" },
        { "{\"answers\": [\"\"]}", "", "1" },
        { "{\"answers\": [\"\"], \"variant\": \"hotpot\"}", "", "1" },
        { "{\"answers\": [\"the\"], \"variant\": \"hotpot\"}", "", "1" },
        { "{\"answers\": [\"the\"], \"variant\": \"hotpot\"}", " \t", "1" },
        { "{\"answers\": [\"the\"]}", "", "1" },
        { "{\"answers\": [], \"variant\": \"squad2\", \"extract\": \"Final: (.*)\"}", "no idea",
          "0" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ts_case *c = ts_run("f1", cases[i][0], cases[i][1]);
        cr_assert_eq(c->res.status, SCORE_UNPARSED, "%s", cases[i][0]);
        cr_assert_eq(c->res.value, 0);
        cr_assert_eq(c->res.passed, 0);
        cr_assert_eq(ts_num(c, "em"), atof(cases[i][2]), "%s", cases[i][0]);
        ts_free(c);
    }
}

Test(score_f1, missing_field_is_error)
{
    struct ts_case *c = ts_run("f1", "{\"answerz\": [\"Paris\"]}", "Paris");
    cr_assert_eq(c->rc, -1);
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "answers") != NULL);
    ts_free(c);
}

Test(score_f1, large_output)
{
    /* 10 MB of words: must finish (sort-merge path) and give P = tiny */
    size_t n = 10u << 20;
    char *big = malloc(n + 1);
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 6 == 5) ? ' ' : (char)('a' + (i / 6) % 26);
    big[n] = 0;
    struct f1_scores s;
    score_f1_pair(big, "bbbbb zzzz", F1_SQUAD, &s);
    cr_assert(s.f1 > 0 && s.f1 < 0.01);
    cr_assert(fabs(s.recall - 0.5) < TS_EPS);
    free(big);
}
