/* test_import_code.c - the LiveCodeBench and USACO importers (issue 25 item
 * 6) on samples written in the real formats (tests/data/suite/
 * livecodebench.jsonl by make-livecodebench-sample with Python's own
 * pickle/zlib/base64; tests/data/suite/usaco/ in USACO-bench's dict and
 * tests-folder layouts), then the imported items scored through the code
 * scorer and the sandbox: correct programs pass every case, wrong ones do
 * not, and the problems' time and memory limits bind. Also the pickle
 * reader on hand-made streams. */
#include "test_sandbox_common.h"

#include "suite/import.h"
#include "suite/pickle.h"

#define LCB "tests/data/suite/livecodebench.jsonl"
#define USACO "tests/data/suite/usaco/usaco_sample_dict.json"

static struct suite *import(const char *format, const char *in, const struct suite_import_options *o)
{
    struct bai_error err = {0};
    long n = 0;
    char *yaml = suite_import_text(format, in, "/tmp/imported.yaml", o, &n, &err);
    cr_assert_not_null(yaml, "%s", err.msg);
    struct suite *s = suite_load_text("/tmp/imported.yaml", yaml, strlen(yaml), NULL, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    free(yaml);
    return s;
}

static const cJSON *tests_of(const struct suite_item *it)
{
    return cJSON_GetObjectItemCaseSensitive(it->data, "tests");
}

static int count(const struct suite_item *it, const char *key)
{
    return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(tests_of(it), key));
}

static double scoring_num(const struct suite_item *it, const char *key)
{
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(it->data, "scoring");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(sc, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* Scores answer on the item: the detail's status, *passed / *total. */
static char *score(struct sandbox_pool *pool, const struct suite_item *it, const char *answer, int *passed,
                   int *total)
{
    struct score_item si = suite_item_for_score(it);
    struct score_input in = { .item = &si, .output = answer };
    struct score_context ctx = { .sandbox = pool };
    struct score_result r;
    struct bai_error err = {0};
    cr_assert_eq(score_sample(&in, &ctx, &r, &err), 0, "%s", err.msg);
    cJSON *d = cJSON_Parse(r.detail_json);
    *passed = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "passed"));
    *total = (int)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(d, "total"));
    char *status = xstrdup(tsb_status(d));
    cr_log_info("%s: %s", it->id, r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    return status;
}

/* ---- the pickle reader -------------------------------------------------- */

static int pick(const char *bytes, size_t n, char **out, char *why)
{
    size_t len;
    return suite_pickle_string((const unsigned char *)bytes, n, out, &len, why, 256);
}

Test(pickle, strings_of_every_protocol_and_refusals)
{
    char *s, why[256];
    /* protocol 2: PROTO 2, BINUNICODE len 3 "abc", BINPUT 0, STOP */
    cr_assert_eq(pick("\x80\x02X\x03\x00\x00\x00" "abcq\x00.", 13, &s, why), 0, "%s", why);
    cr_assert_str_eq(s, "abc");
    free(s);
    /* protocol 4 in a frame: SHORT_BINUNICODE, MEMOIZE */
    cr_assert_eq(pick("\x80\x04\x95\x07\x00\x00\x00\x00\x00\x00\x00\x8c\x02hi\x94.", 17, &s, why), 0, "%s", why);
    cr_assert_str_eq(s, "hi");
    free(s);
    /* protocol 0: raw-unicode-escape, Latin-1 bytes and \u escapes */
    cr_assert_eq(pick("Vcaf\xe9 \\u2211\np0\n.", 17, &s, why), 0, "%s", why);
    cr_assert_str_eq(s, "caf\xc3\xa9 \xe2\x88\x91");
    free(s);
    /* bytes (SHORT_BINBYTES) are read as text too */
    cr_assert_eq(pick("\x80\x03" "C\x02ok.", 7, &s, why), 0, "%s", why);
    cr_assert_str_eq(s, "ok");
    free(s);
    /* refusals */
    cr_assert_neq(pick("\x80\x04\x8c\x08" "builtins\x8c\x04" "eval\x93.", 20, &s, why), 0);
    cr_assert(strstr(why, "STACK_GLOBAL"), "%s", why);
    cr_assert_neq(pick("\x80\x04]\x94.", 5, &s, why), 0);
    cr_assert(strstr(why, "0x5d (EMPTY_LIST) at byte 2"), "%s", why);
    cr_assert_neq(pick("\x80\x02X\xff\x00\x00\x00" "ab.", 10, &s, why), 0);
    cr_assert(strstr(why, "ends inside a string"), "%s", why);
    cr_assert_neq(pick("\x8c\x01" "a\x8c\x01" "b.", 7, &s, why), 0);
    cr_assert(strstr(why, "holds 2 strings, not one"), "%s", why);
    cr_assert_neq(pick("\x8c\x01" "a", 3, &s, why), 0);
    cr_assert(strstr(why, "without STOP"), "%s", why);
    cr_assert_neq(pick("\x8c\x01" "a.x", 5, &s, why), 0);
    cr_assert(strstr(why, "after the pickle's STOP"), "%s", why);
}

/* Python's own pickle.dumps of one str, protocols 0 to 5 (the fuzz corpus,
 * tests/fuzz/corpus/pickle/, written by Python 3.11). */
Test(pickle, python_pickles_of_every_protocol)
{
    const char *want = "[{\"input\": \"1 2\\n\", \"output\": \"3\\n\", \"testtype\": \"stdin\"}] "
                       "caf\xc3\xa9 \xe2\x88\x91";
    for (int proto = 0; proto <= 5; proto++) {
        char path[128], why[256];
        snprintf(path, sizeof path, "tests/fuzz/corpus/pickle/str_p%d.pickle", proto);
        size_t n, len;
        struct bai_error err = {0};
        char *data = fs_read_file(path, &n, &err);
        cr_assert_not_null(data, "%s", err.msg);
        char *s = NULL;
        cr_assert_eq(suite_pickle_string((unsigned char *)data, n, &s, &len, why, sizeof why), 0,
                     "protocol %d: %s", proto, why);
        cr_assert_str_eq(s, want, "protocol %d", proto);
        free(s);
        free(data);
    }
}

/* ---- LiveCodeBench -------------------------------------------------------- */

Test(import_lcb, release_records_become_code_items_with_every_test)
{
    struct suite_import_options o = {0};
    struct suite *s = import("livecodebench", LCB, &o);
    cr_assert_eq(s->n_items, 5);
    const struct suite_item *a = suite_find_item(s, "abc900_a"), *cf = suite_find_item(s, "1999Z"),
                            *b = suite_find_item(s, "abc900_b"), *f1 = suite_find_item(s, "9001"),
                            *f2 = suite_find_item(s, "9002");
    cr_assert(a && cf && b && f1 && f2);
    /* stdin problems: public + private cases (protocol 4, 5 with a 108 KB case, 0) */
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tests_of(a), "form")), "stdio");
    cr_assert_eq(count(a, "cases"), 4);
    cr_assert_eq(count(cf, "cases"), 3);
    cr_assert_eq(count(b, "cases"), 2);
    const cJSON *big = cJSON_GetArrayItem(cJSON_GetObjectItem(tests_of(cf), "cases"), 1);
    cr_assert_gt(strlen(cJSON_GetStringValue(cJSON_GetObjectItem(big, "input"))), 100000);
    const cJSON *last = cJSON_GetArrayItem(cJSON_GetObjectItem(tests_of(b), "cases"), 1);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(last, "output")), "Bonjour Ana \xe2\x88\x91 3\n");
    cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(tests_of(a), "tolerance")), 0);
    cr_assert_eq(scoring_num(a, "timeout_s"), 6);
    /* functional problems: one assert per case, budgets added */
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(tests_of(f1), "form")), "asserts");
    cr_assert_eq(count(f1, "asserts"), 3);
    cr_assert_eq(count(f2, "asserts"), 3);
    cr_assert_eq(scoring_num(f1, "timeout_s"), 18);
    /* difficulty -> tier, starter code in the prompt, the import harness */
    cr_assert_eq(a->tier, 1);
    cr_assert_eq(cf->tier, 2);
    cr_assert_eq(b->tier, 3);
    cr_assert(strstr(f1->prompt, "def maxPairSum(self, nums: List[int], k: int) -> int:"), "%s", f1->prompt);
    cr_assert(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(f1->data, "harness")), "from typing import *"));
    suite_free(s);
}

Test(import_lcb, limit_reads_only_the_first_records)
{
    struct suite_import_options o = { .limit = 2 };
    struct bai_error err = {0};
    long n = 0;
    char *yaml = suite_import_text("livecodebench", LCB, "/tmp/imported.yaml", &o, &n, &err);
    cr_assert_not_null(yaml, "%s", err.msg);
    cr_assert_eq(n, 2);
    cr_assert(strstr(yaml, "(its first 2 records)"), "%.300s", yaml);
    free(yaml);
}

Test(import_lcb, what_cannot_be_read_is_named)
{
    struct suite_import_options o = {0};
    struct bai_error err = {0};
    char *yaml = suite_import_text("livecodebench", "tests/data/suite/livecodebench_bad.jsonl", "/tmp/x.yaml", &o,
                                   NULL, &err);
    cr_assert_null(yaml);
    cr_assert(strstr(err.msg, "livecodebench_bad.jsonl:2:1: record 2 (abc900_a): private_test_cases: pickle "
                              "opcode 0x5d (EMPTY_LIST)"), "%s", err.msg);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
}

/* The imported items scored by the code scorer in the sandbox: LeetCode
 * methods with List annotations and no import (the harness), a tuple
 * result, a 108 KB stdin case, UTF-8 output. */
Test(import_lcb, imported_tests_run_in_the_sandbox, .timeout = 120)
{
    struct suite_import_options o = {0};
    struct suite *s = import("livecodebench", LCB, &o);
    struct sandbox_pool *pool = tsb_pool(2);
    int passed, total;
    char *st = score(pool, suite_find_item(s, "9001"),
                     "```python\nclass Solution:\n    def maxPairSum(self, nums: List[int], k: int) -> int:\n"
                     "        return max(nums[i] + k * nums[j] for i in range(len(nums)) for j in range(len(nums)) "
                     "if i != j)\n```", &passed, &total);
    cr_expect_str_eq(st, "passed");
    cr_expect_eq(passed, 3);
    cr_expect_eq(total, 3);
    free(st);
    st = score(pool, suite_find_item(s, "9001"),
               "```python\nclass Solution:\n    def maxPairSum(self, nums, k):\n        return max(nums) * (k + 1)\n```",
               &passed, &total);
    cr_expect_str_eq(st, "failed");
    cr_expect_eq(passed, 1, "only [4, 4] fits the wrong formula");
    free(st);
    st = score(pool, suite_find_item(s, "9002"),
               "```python\nclass Solution:\n    def twoLargest(self, nums: List[int]) -> List[int]:\n"
               "        a = sorted(nums, reverse=True)\n        return (a[0], a[1])\n```", &passed, &total);
    cr_expect_str_eq(st, "passed", "a tuple counts as a list");
    free(st);
    st = score(pool, suite_find_item(s, "1999Z"),
               "```python\nimport sys\nd = sys.stdin.read().split()\nv = [int(x) for x in d[1:]]\n"
               "p = [x for x in v if x > 0]\nprint(len(p))\nprint(sum(p))\n```", &passed, &total);
    cr_expect_str_eq(st, "passed");
    cr_expect_eq(total, 3);
    free(st);
    st = score(pool, suite_find_item(s, "abc900_b"),
               "```python\nname = input().strip()\nprint('Bonjour', name, '\\u2211', len(name))\n```", &passed, &total);
    cr_expect_str_eq(st, "passed");
    free(st);
    st = score(pool, suite_find_item(s, "abc900_a"),
               "```python\na, b = map(int, input().split())\nprint(a - b)\n```", &passed, &total);
    cr_expect_str_eq(st, "failed");
    cr_expect_eq(passed, 1, "only 0 0 agrees");
    free(st);
    sandbox_pool_free(pool);
    suite_free(s);
}

/* ---- USACO ----------------------------------------------------------------- */

Test(import_usaco, dict_and_test_files_become_stdio_items_with_limits)
{
    struct suite_import_options o = {0};
    struct suite *s = import("usaco", USACO, &o);
    cr_assert_eq(s->n_items, 2);
    const struct suite_item *b = suite_find_item(s, "1001_bronze_cow_sum"), *sv = suite_find_item(s, "1002_silver_tallest_cow");
    cr_assert(b && sv);
    cr_assert_eq(count(b, "cases"), 3, "N.in / N.out");
    cr_assert_eq(count(sv, "cases"), 2, "I.N / O.N");
    cr_assert_eq(scoring_num(b, "timeout_s"), 2);
    cr_assert_eq(scoring_num(b, "memory_mb"), 256);
    cr_assert_eq(scoring_num(sv, "timeout_s"), 4);
    cr_assert_eq(scoring_num(sv, "memory_mb"), 512);
    cr_assert_eq(b->tier, 1);
    cr_assert_eq(sv->tier, 2);
    cr_assert(strstr(b->prompt, "SAMPLE INPUT") && strstr(b->prompt, "Python 3 program"), "%s", b->prompt);
    suite_free(s);

    o.tests = "samples";
    o.language = "cpp";
    s = import("usaco", USACO, &o);
    b = suite_find_item(s, "1001_bronze_cow_sum");
    cr_assert_eq(count(b, "cases"), 1, "the statement's sample only");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(b->data, "language")), "cpp");
    cr_assert(strstr(b->prompt, "C++17 program") && strstr(b->prompt, "```cpp"), "%s", b->prompt);
    suite_free(s);
}

Test(import_usaco, a_missing_tests_folder_says_where_it_looked)
{
    struct suite_import_options o = {0};
    struct bai_error err = {0};
    char *yaml = suite_import_text("usaco", "tests/data/suite/usaco/../usaco/usaco_sample_dict.json", "/tmp/x.yaml",
                                   &o, NULL, &err);
    cr_assert_not_null(yaml, "%s", err.msg);   /* found as <dir>/usaco_sample/tests */
    free(yaml);
    o.tests = "tests/data/suite/usaco/nowhere";
    yaml = suite_import_text("usaco", USACO, "/tmp/x.yaml", &o, NULL, &err);
    cr_assert_null(yaml);
    cr_assert(strstr(err.msg, "--tests tests/data/suite/usaco/nowhere does not exist"), "%s", err.msg);
    o.tests = "tests/data/suite";   /* exists, but holds no problem folders */
    yaml = suite_import_text("usaco", USACO, "/tmp/x.yaml", &o, NULL, &err);
    cr_assert_null(yaml);
    cr_assert(strstr(err.msg, "usaco_sample_dict.json:") && strstr(err.msg, "test 1 not found"), "%s", err.msg);
}

/* The problems' limits bind in the sandbox: 2 s and 256 MB for the bronze
 * problem. */
Test(import_usaco, time_and_memory_limits_bind, .timeout = 120)
{
    struct suite_import_options o = {0};
    struct suite *s = import("usaco", USACO, &o);
    const struct suite_item *b = suite_find_item(s, "1001_bronze_cow_sum");
    struct sandbox_pool *pool = tsb_pool(2);
    int passed, total;
    char *st = score(pool, b, "```python\ninput()\nprint(sum(map(int, input().split())))\n```", &passed, &total);
    cr_expect_str_eq(st, "passed");
    cr_expect_eq(total, 3);
    free(st);
    st = score(pool, b, "```python\nimport time\ntime.sleep(5)\n```", &passed, &total);
    cr_expect_str_eq(st, "timeout");
    free(st);
    st = score(pool, b, "```python\nx = bytearray(600 * 1024 * 1024)\nprint(len(x))\n```", &passed, &total);
    cr_expect_str_eq(st, "memory_limit");
    free(st);
    /* the silver problem allows 512 MB: the same 300 MB fits there, not in 256 */
    const struct suite_item *sv = suite_find_item(s, "1002_silver_tallest_cow");
    st = score(pool, sv, "```python\nx = bytearray(300 * 1024 * 1024)\ninput()\nv = list(map(int, input().split()))\n"
                         "print(max(v), v.count(max(v)))\n```", &passed, &total);
    cr_expect_str_eq(st, "passed");
    free(st);
    st = score(pool, b, "```python\nx = bytearray(300 * 1024 * 1024)\ninput()\nprint(sum(map(int, input().split())))\n```",
               &passed, &total);
    cr_expect_str_eq(st, "memory_limit");
    free(st);
    sandbox_pool_free(pool);
    suite_free(s);
}
