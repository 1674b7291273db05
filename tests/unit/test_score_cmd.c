/* Tests of `benchai score` (cmd_score) on fixtures in tests/data/score.
 * Expected aggregates derived by hand from the official rules:
 *   squad_preds.jsonl: q1 EM 1 F1 1; q2 "the Broncos" vs "Denver Broncos"
 *   P 1 R 1/2 -> F1 2/3; q3 empty -> 0 (unparsed); q4 P 2/3 R 1 -> 0.8.
 *   EM = 1/4 = 25.00 %, F1 = (1 + 2/3 + 0 + 0.8) / 4 = 61.67 %.
 *   ifeval_preds.jsonl: key 1 no_comma fails (single line: every loose
 *   variant fails too), lowercase passes; key 2 quotation fails strict,
 *   passes loose (first line removed); key 3 title and 3 < 5 words pass.
 *   prompt strict 1/3, loose 2/3; instruction strict 3/5, loose 4/5.
 *   squad2_preds.jsonl (evaluate-v2.0.py: golds normalising to '' dropped,
 *   none left -> ['']; either token list empty -> F1 = int(equal)):
 *   u1 "" vs [] -> [''] EM 1 F1 1; u2 "Paris" vs [] -> 0 / 0;
 *   a1 "Denver Broncos" vs ["Denver Broncos", "the"] -> "the" dropped, 1 / 1;
 *   a2 "" vs ["Santa Clara"] -> EM 0, F1 int([santa clara] == []) = 0;
 *   a3 "the Broncos" vs [{text: "Denver Broncos"}] -> [broncos] vs
 *   [denver broncos]: P 1, R 1/2, F1 2/3, EM 0.
 *   exact = 100 * 2/5 = 40.00; f1 = 100 * (2 + 2/3)/5 = 53.33; passed
 *   (F1 >= 0.5) u1, a1, a3 = 0.6; nothing unparsed (squad2 scores ""). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "test_score_helpers.h"

static int run_score(const char *scorer, const char *file)
{
    char *argv[] = { "score", (char *)scorer, "--input", (char *)file, NULL };
    int rc = cmd_score(4, argv);
    fflush(stdout);
    fflush(stderr);
    return rc;
}

Test(score_cmd, squad_aggregate, .init = cr_redirect_stdout)
{
    cr_assert_eq(run_score("f1", "tests/data/score/squad_preds.jsonl"), 0);
    cr_assert_stdout_eq_str("scorer: f1\nitems: 4\nunparsed: 1\nerrors: 0\n"
                            "exact_match: 25.00\nf1: 61.67\nmean_score: 61.67\npass_rate: 75.00\n");
}

Test(score_cmd, squad2_aggregate, .init = cr_redirect_stdout)
{
    cr_assert_eq(run_score("f1", "tests/data/score/squad2_preds.jsonl"), 0);
    cr_assert_stdout_eq_str("scorer: f1\nitems: 5\nunparsed: 0\nerrors: 0\n"
                            "exact_match: 40.00\nf1: 53.33\nmean_score: 53.33\npass_rate: 60.00\n");
}

Test(score_cmd, ifeval_aggregate, .init = cr_redirect_stdout)
{
    cr_assert_eq(run_score("ifeval", "tests/data/score/ifeval_preds.jsonl"), 0);
    cr_assert_stdout_eq_str("scorer: ifeval\nitems: 3\nunparsed: 0\nerrors: 0\n"
                            "prompt_level_strict: 33.33\ninstruction_level_strict: 60.00\n"
                            "prompt_level_loose: 66.67\ninstruction_level_loose: 80.00\n"
                            "mean_score: 50.00\npass_rate: 33.33\n");
}

Test(score_cmd, bad_lines_are_named, .init = cr_redirect_stderr)
{
    cr_assert_eq(run_score("f1", "tests/data/score/bad_lines.jsonl"), 2);
    const char *all = ts_redirected(stderr, cr_get_redirected_stderr());
    cr_assert(strstr(all, "bad_lines.jsonl:2: missing field 'prediction' (or 'response')") != NULL, "%s", all);
    cr_assert(strstr(all, "bad_lines.jsonl:3: not a JSON object") != NULL, "%s", all);
    cr_assert(strstr(all, "bad_lines.jsonl:5: f1: missing field 'answers'") != NULL, "%s", all);
}

Test(score_cmd, unknown_scorer_lists_known, .init = cr_redirect_stderr)
{
    cr_assert_eq(run_score("bleu", "tests/data/score/squad_preds.jsonl"), 2);
    const char *all = ts_redirected(stderr, cr_get_redirected_stderr());
    cr_assert(strstr(all, "unknown scorer 'bleu' (known: exact, f1, choice, ifeval") != NULL, "%s", all);
}

/* issue 26 item 3: a prediction holding \u0000 keeps it, as Python's json
 * does: "cat\0 dog" vs "cat dog" has tokens [cat\0, dog] -> P = R = 1/2,
 * F1 0.5, EM 0; "x\0" vs "x": [x\0] vs [x] -> F1 0, EM 0.
 * exact_match 0.00, f1 = 100 * (0.5 + 0) / 2 = 25.00. */
Test(score_cmd, nul_in_prediction_is_kept, .init = cr_redirect_stdout)
{
    cr_assert_eq(run_score("f1", "tests/data/score/nul_preds.jsonl"), 0);
    cr_assert_stdout_eq_str("scorer: f1\nitems: 2\nunparsed: 0\nerrors: 0\n"
                            "exact_match: 0.00\nf1: 25.00\nmean_score: 25.00\npass_rate: 50.00\n");
}
