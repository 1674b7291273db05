/* What the fuzz targets (tests/fuzz/) found, kept as regression tests. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "backend/openai_proto.h"
#include "score/code.h"

Test(fuzz_found, a_report_line_cut_after_fail_does_not_read_the_next_line)
{
    /* "FAIL " then a line break: strtol skipped it and took the next
     * line's "1", and the JSON length came out negative (a 2^64-byte
     * allocation, an abort) */
    int ok[4], first_fail = -1;
    char *json = NULL;
    size_t passed = code_parse_verdicts("PASS 0\nFAIL \n1 {\"got\": 2}\n", 4, ok, &first_fail, &json);
    cr_assert_eq(passed, 1);
    cr_assert_eq(first_fail, -1, "a FAIL line without its index on the line is not a report");
    cr_assert_null(json);
    passed = code_parse_verdicts("FAIL 2 {\"got\": 2}\n", 4, ok, &first_fail, &json);
    cr_assert_eq(first_fail, 2);
    cr_assert_str_eq(json, "{\"got\": 2}");
    free(json);
}

/* fuzz_json found it (UBSan: 1.55556e+33 is outside the range of 'long'):
 * a token count no count can be is left unmeasured, not converted. */
Test(fuzz_found, a_token_count_out_of_range_is_not_measured)
{
    const char *body = "{\"choices\":[{\"message\":{\"content\":\"y\"},\"finish_reason\":\"stop\"}],"
                       "\"usage\":{\"prompt_tokens\":1555555555555555555555555555555555,\"completion_tokens\":2,"
                       "\"prompt_tokens_details\":{\"cached_tokens\":-3}},"
                       "\"timings\":{\"draft_n\":2.5,\"draft_n_accepted\":1e300}}";
    struct gen_response r;
    gen_response_init(&r);
    openai_parse_body(body, strlen(body), &r);
    cr_expect_eq(r.prompt_tokens, -1);
    cr_expect_eq(r.completion_tokens, 2);
    cr_expect_eq(r.cached_tokens, -1);
    cr_expect_eq(r.draft_n, -1);
    cr_expect_eq(r.draft_accepted, -1);
    gen_response_free(&r);
}
