/* What the fuzz targets (tests/fuzz/) found, kept as regression tests. */
#include <criterion/criterion.h>
#include <stdlib.h>

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
