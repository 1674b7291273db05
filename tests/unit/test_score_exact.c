/* Tests of the exact scorer: normalisation options, number normalisation,
 * extraction by first/last match, contains mode, several answers. Expected
 * values follow the option definitions in SUITE-FIELDS.md / scoring.md. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "score/text.h"
#include "test_score_helpers.h"

static char *normalize(const char *s, int flags)
{
    struct buf b = {0};
    score_normalize(s, strlen(s), flags, &b);
    return buf_detach(&b);
}

#define NORMALIZES(in, flags, want)                                 \
    do {                                                            \
        char *n_ = normalize(in, flags);                            \
        cr_assert_str_eq(n_, want, "normalize(\"%s\")", in);        \
        free(n_);                                                   \
    } while (0)

/* MGSM (simple-evals mgsm_eval.py):
 *   def score_mgsm(target, prediction):
 *       if "." in prediction: prediction = prediction.rstrip("0").rstrip(".")
 *       target = target.replace(",", ""); prediction = prediction.replace(",", "")
 *       return target == prediction
 * and parse_answer returns re.findall(r"\d+\.?\d*", text)[-1].rstrip("."),
 * so a sign never reaches score_mgsm. Hand derivations below. */
Test(score_exact, number_normalisation)
{
    /* "5.": "." in it -> rstrip("0") = "5." -> rstrip(".") = "5" */
    NORMALIZES("5.", SCORE_NORM_NUMBER, "5");
    /* "1,00,000" (Indian grouping): replace(",", "") -> "100000" */
    NORMALIZES("1,00,000", SCORE_NORM_NUMBER, "100000");
    /* every comma goes, whatever the grouping: "12,34" -> "1234" */
    NORMALIZES("12,34", SCORE_NORM_NUMBER, "1234");
    NORMALIZES("1,234", SCORE_NORM_NUMBER, "1234");
    /* "1,234,567.50" -> commas out "1234567.50" -> rstrip("0") "1234567.5" */
    NORMALIZES("1,234,567.50 dollars", SCORE_NORM_NUMBER, "1234567.5 dollars");
    /* "3.000" -> rstrip("0") "3." -> rstrip(".") "3"; "50.0" -> "50." -> "50"
     * (rstrip("0") stops at the point, so the integer's zero stays) */
    NORMALIZES("3.000", SCORE_NORM_NUMBER, "3");
    NORMALIZES("50.0", SCORE_NORM_NUMBER, "50");
    /* no point: nothing is stripped, "500" keeps its zeros */
    NORMALIZES("500", SCORE_NORM_NUMBER, "500");
    NORMALIZES("-2.10", SCORE_NORM_NUMBER, "-2.1");
    /* deviation (docs/scoring.md): '+' is dropped; score_mgsm("5", "+5")
     * alone is False, but parse_answer turns "+5" into "5" first */
    NORMALIZES("+5.0", SCORE_NORM_NUMBER, "5");
    /* a '+' inside an expression is not a sign; v1.0 is glued to a word */
    NORMALIZES("2+3", SCORE_NORM_NUMBER, "2+3");
    NORMALIZES("v1.0", SCORE_NORM_NUMBER, "v1.0");
    /* per number: a sentence's point after a number goes, 5.x stays */
    NORMALIZES("It is 5. Then 7.", SCORE_NORM_NUMBER, "It is 5 Then 7");
    NORMALIZES("5.x", SCORE_NORM_NUMBER, "5.x");
    NORMALIZES("1...5", SCORE_NORM_NUMBER, "1...5");
}

/* The three cases of issue 15 through the scorer, against MGSM targets:
 * score_mgsm("5", "5.") is True; score_mgsm("100000", "1,00,000") is True
 * (both lose their commas); "+5" scores 5 (see above). */
Test(score_exact, mgsm_cases)
{
    static const char *const cases[][2] = { { "5", "5." }, { "100000", "1,00,000" },
                                            { "1,000", "1000" }, { "5", "+5" } };
    for (size_t i = 0; i < 4; i++) {
        char data[256];
        snprintf(data, sizeof data, "{\"answer\": \"%s\", \"scoring\": {\"normalize\": "
                 "[\"strip\", \"number\"], \"extract\": \"Answer:\\\\s*(\\\\S+)\"}}", cases[i][0]);
        char out[64];
        snprintf(out, sizeof out, "Steps...\nAnswer: %s", cases[i][1]);
        struct ts_case *c = ts_run("exact", data, out);
        cr_assert_eq(c->res.status, SCORE_SCORED, "%s: %s", out, c->res.detail_json);
        cr_assert_eq(c->res.passed, 1, "%s vs %s: %s", cases[i][0], cases[i][1], c->res.detail_json);
        ts_free(c);
    }
    /* a minus sign is kept: -5 is not 5 (parse_answer would drop it) */
    struct ts_case *c = ts_run("exact", "{\"answer\": \"5\", \"scoring\": {\"normalize\": [\"number\"]}}", "-5");
    cr_assert_eq(c->res.passed, 0);
    ts_free(c);
}

Test(score_exact, default_and_other_normalisations)
{
    NORMALIZES("  Paris \n\t France ", SCORE_NORM_DEFAULT, "paris france");
    NORMALIZES("The answer: \xE2\x80\x9CParis\xE2\x80\x9D!", SCORE_NORM_DEFAULT | SCORE_NORM_STRIP_PUNCT,
               "the answer paris");
    NORMALIZES("The theater", SCORE_NORM_DEFAULT | SCORE_NORM_STRIP_ARTICLES, "theater");
    NORMALIZES("\xC3\x84PFEL", SCORE_NORM_LOWER, "\xC3\xA4pfel");
}

Test(score_exact, thousands_separator_answer)
{
    struct ts_case *c = ts_run("exact",
        "{\"answer\": \"1234\", \"scoring\": {\"normalize\": [\"strip\", \"number\"],"
        " \"extract\": \"(?i)answer:\\\\s*([-+\\\\d,.]+)\"}}",
        "Adding it up gives Answer: 1,234.0");
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_eq(c->res.passed, 1);
    cr_assert_str_eq(c->res.extracted, "1,234.0");
    ts_free(c);
}

Test(score_exact, extract_first_and_last)
{
    const char *out = "The answer is 3. No wait, the answer is 4.";
    struct ts_case *c = ts_run("exact",
        "{\"answer\": \"4\", \"scoring\": {\"extract\": \"answer is (\\\\d+)\"}}", out);
    cr_assert_str_eq(c->res.extracted, "4");      /* default: last */
    cr_assert_eq(c->res.passed, 1);
    ts_free(c);
    c = ts_run("exact",
        "{\"answer\": \"4\", \"scoring\": {\"extract\": \"answer is (\\\\d+)\", \"match\": \"first\"}}", out);
    cr_assert_str_eq(c->res.extracted, "3");
    cr_assert_eq(c->res.passed, 0);
    cr_assert_eq(c->res.status, SCORE_SCORED);
    ts_free(c);
}

Test(score_exact, no_match_is_unparsed_not_wrong)
{
    struct ts_case *c = ts_run("exact",
        "{\"answer\": \"4\", \"scoring\": {\"extract\": \"#### (\\\\d+)\"}}", "I think it is four.");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    cr_assert_eq(c->res.value, 0);
    cr_assert_null(c->res.extracted);
    ts_free(c);
    c = ts_run("exact", "{\"answer\": \"4\"}", "");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    ts_free(c);
}

Test(score_exact, several_answers_and_contains)
{
    struct ts_case *c = ts_run("exact", "{\"answers\": [\"42\", \"forty-two\"]}", "Forty-Two");
    cr_assert_eq(c->res.passed, 1);
    cr_assert_eq(ts_num(c, "matched"), 1);
    ts_free(c);
    c = ts_run("exact", "{\"answers\": [\"42\"], \"scoring\": {\"contains\": true}}",
               "So the result is 42.");
    cr_assert_eq(c->res.passed, 1);
    ts_free(c);
    /* whole words only: 42 is not contained in 420 */
    c = ts_run("exact", "{\"answers\": [\"42\"], \"scoring\": {\"contains\": true}}",
               "So the result is 420.");
    cr_assert_eq(c->res.passed, 0);
    ts_free(c);
}

Test(score_exact, bad_options_are_errors)
{
    struct ts_case *c = ts_run("exact", "{\"answer\": \"4\", \"scoring\": {\"extract\": \"(unclosed\"}}", "4");
    cr_assert_eq(c->rc, -1);
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "bad pattern") != NULL);
    ts_free(c);
    c = ts_run("exact", "{\"answer\": \"4\", \"scoring\": {\"normalize\": [\"upper\"]}}", "4");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "collapse_ws") != NULL);   /* lists the known ones */
    ts_free(c);
}
