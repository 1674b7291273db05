/* test_code_run.c - whole samples through the code scorer and the sandbox:
 * each test form, statuses, languages, the async API, and a replay of the
 * reference solutions of suites/v1/coder.yaml and debugbench_style.yaml
 * (every one must pass; every buggy_code of debugbench must not). */
#include "test_sandbox_common.h"

#include <pthread.h>

static struct score_item item_from_json(const char *json, const char *prompt)
{
    struct score_item it = { .id = "t", .scorer = "code", .prompt = (char *)prompt };
    it.data = cJSON_Parse(json);
    cr_assert_not_null(it.data, "bad JSON in test: %s", json);
    return it;
}

/* Scores answer for the item; returns the detail (caller deletes). */
static cJSON *score_answer(struct sandbox_pool *pool, struct score_item *it, const char *answer,
                           struct score_result *r)
{
    struct score_input in = { .item = it, .output = answer };
    struct score_context ctx = { .sandbox = pool };
    struct bai_error err = {0};
    cr_assert_eq(score_sample(&in, &ctx, r, &err), 0, "%s", err.msg);
    cJSON *d = cJSON_Parse(r->detail_json);
    cr_assert_not_null(d);
    return d;
}

static double num(const cJSON *d, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(d, k);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

#define HE_PROMPT "def add(a, b):\n    \"\"\"Return a + b.\"\"\"\n"
#define HE_JSON "{\"language\": \"python\", \"tests\": {\"form\": \"humaneval\", \"entry_point\": \"add\"," \
    "\"test\": \"def check(candidate):\\n    assert candidate(1, 2) == 3\\n    assert candidate(-1, 1) == 0\\n\"}}"

Test(code_run, humaneval_pass_fail_and_raw_completion)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(HE_JSON, HE_PROMPT);
    struct score_result r;
    cJSON *d = score_answer(pool, &it, "```python\ndef add(a, b):\n    return a + b\n```", &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cr_expect_eq(r.passed, 1);
    cr_expect_float_eq(r.value, 1.0, 1e-9);
    cJSON_Delete(d); score_result_free(&r);
    /* completion mode: the raw text continues the prompt */
    d = score_answer(pool, &it, "    return a + b\n", &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r);
    d = score_answer(pool, &it, "```python\ndef add(a, b):\n    return a - b\n```", &r);
    cr_expect_str_eq(tsb_status(d), "failed", "%s", r.detail_json);
    cr_expect_eq(r.passed, 0);
    cr_expect_eq(r.status, SCORE_SCORED);
    cr_expect_not_null(strstr(r.detail_json, "AssertionError"), "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r);
    d = score_answer(pool, &it, "```python\ndef add(a, b):\n    return undefined_name\n```", &r);
    cr_expect_str_eq(tsb_status(d), "runtime_error", "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

Test(code_run, asserts_all_attempted_and_counted)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(
        "{\"language\": \"python\", \"tests\": {\"form\": \"asserts\", \"setup\": \"K = 10\", \"asserts\": ["
        "\"assert sq(2) == 4\", \"assert sq(3) == 10\", \"assert sq(K) == 100\", \"assert sq(None) == 0\"]}}",
        NULL);
    struct score_result r;
    /* sq(3) == 9 fails (expected 10, actual 9); sq(None) raises TypeError; 2 of 4 pass */
    cJSON *d = score_answer(pool, &it, "```python\ndef sq(x):\n    return x * x\n```", &r);
    cr_expect_str_eq(tsb_status(d), "failed", "%s", r.detail_json);
    cr_expect_eq(num(d, "passed"), 2);
    cr_expect_eq(num(d, "total"), 4);
    cr_expect_float_eq(r.value, 0.5, 1e-9);
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(d, "first_failure");
    cr_assert_not_null(ff, "%s", r.detail_json);
    cr_expect_eq(num(ff, "test"), 1);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(ff, "expected")->valuestring, "10");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(ff, "actual")->valuestring, "9");
    cJSON_Delete(d); score_result_free(&r);
    /* no code block at all: unparsed, not failed */
    d = score_answer(pool, &it, "I would square the number.", &r);
    cr_expect_eq(r.status, SCORE_UNPARSED);
    cr_expect_str_eq(tsb_status(d), "unparsed");
    cJSON_Delete(d); score_result_free(&r);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

Test(code_run, stdio_cases_with_tolerance_in_parallel)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(
        "{\"language\": \"python\", \"tests\": {\"form\": \"stdio\", \"tolerance\": 1e-6, \"cases\": ["
        "{\"input\": \"1 3\\n\", \"output\": \"0.333333333\\n\"},"
        "{\"input\": \"2 4\\n\", \"output\": \"0.5\\n\"},"
        "{\"input\": \"1 0\\n\", \"output\": \"inf\\n\"}]}}", NULL);
    struct score_result r;
    /* 1/3 within 1e-6, 0.5 exact, 1/0 raises ZeroDivisionError -> runtime_error on case 2 */
    cJSON *d = score_answer(pool, &it,
        "```python\na, b = map(int, input().split())\nprint(a / b)\n```", &r);
    cr_expect_eq(num(d, "passed"), 2, "%s", r.detail_json);
    cr_expect_eq(num(d, "total"), 3);
    cr_expect_str_eq(tsb_status(d), "runtime_error", "%s", r.detail_json);
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(d, "first_failure");
    cr_expect_eq(num(ff, "test"), 2);
    cr_expect_not_null(strstr(r.detail_json, "ZeroDivisionError"));
    cJSON_Delete(d); score_result_free(&r);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

Test(code_run, c_compile_error_and_harness_asserts)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(
        "{\"language\": \"c\", \"tests\": {\"form\": \"stdio\", \"cases\": [{\"input\": \"\", \"output\": \"hi\\n\"}]}}",
        NULL);
    struct score_result r;
    cJSON *d = score_answer(pool, &it, "```c\nint main(void) { return oops; }\n```", &r);
    cr_expect_str_eq(tsb_status(d), "compile_error", "%s", r.detail_json);
    cr_expect_not_null(strstr(r.detail_json, "oops"), "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r); cJSON_Delete(it.data);

    /* a C harness with the SOLUTION marker; the model writes the function */
    it = item_from_json(
        "{\"language\": \"c\", \"harness\": \"#include <string.h>\\n/*SOLUTION*/\\n\","
        "\"tests\": {\"form\": \"asserts\", \"asserts\": [\"assert(gcd(12, 18) == 6);\", "
        "\"gcd(7, 5) == 1\", \"gcd(0, 9) == 9\", \"*(volatile int *)0 == gcd(1, 1)\"]}}", NULL);
    /* the 4th dereferences NULL: a crash in one assert must not stop the others: 3/4 */
    d = score_answer(pool, &it,
        "```c\nint gcd(int a, int b) { while (b) { int t = a % b; a = b; b = t; } return a; }\n```", &r);
    cr_expect_eq(num(d, "passed"), 3, "%s", r.detail_json);
    cr_expect_eq(num(d, "total"), 4);
    cr_expect_not_null(strstr(r.detail_json, "signal 11"), "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r); cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

/* C and C++ asserts are evaluated by benchai on the values the program
 * reports: integers of every width, doubles, C strings (through strcmp),
 * std::string, pointers against NULL, short-circuits that skip a crashing
 * leaf, and the expected/actual of a failed ==. */
Test(code_run, c_and_cpp_asserts_evaluated_here, .timeout = 120)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(
        "{\"language\": \"c\", \"tests\": {\"form\": \"asserts\", \"asserts\": ["
        "\"assert(half(5) == 2.5);\", \"fabs(half(1) - 0.5) < 1e-9\", \"strcmp(rev(\\\"abc\\\"), \\\"cba\\\") == 0\","
        "\"rev(0) == NULL\", \"big() == 4294967296ULL && (unsigned)big() == 0u\","
        "\"!rev(0) || *rev(0) == 'x'\", \"strlen(rev(\\\"hello\\\")) == 5 ? 1 : 0\", \"half(3) == 2\"]}}",
        NULL);
    struct score_result r;
    cJSON *d = score_answer(pool, &it,
        "```c\n#include <string.h>\n#include <stdlib.h>\n"
        "double half(int x) { return x / 2.0; }\n"
        "char *rev(const char *s) { if (!s) return NULL; size_t n = strlen(s); char *o = malloc(n + 1);\n"
        "  for (size_t i = 0; i < n; i++) o[i] = s[n - 1 - i]; o[n] = 0; return o; }\n"
        "long long big(void) { return 1LL << 32; }\n```", &r);
    cr_expect_eq(num(d, "passed"), 7, "%s", r.detail_json);
    cr_expect_eq(num(d, "total"), 8);
    const cJSON *ff = cJSON_GetObjectItemCaseSensitive(d, "first_failure");
    cr_expect_eq(num(ff, "test"), 7, "%s", r.detail_json);
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(ff, "expected")->valuestring, "2");
    cr_expect_str_eq(cJSON_GetObjectItemCaseSensitive(ff, "actual")->valuestring, "1.5");
    cJSON_Delete(d); score_result_free(&r); cJSON_Delete(it.data);

    it = item_from_json(
        "{\"language\": \"cpp\", \"tests\": {\"form\": \"asserts\", \"asserts\": ["
        "\"greet(\\\"bo\\\") == \\\"hi bo\\\"\", \"greet(\\\"\\\").size() == 3\", \"std::abs(diff(2, 7)) == 5\","
        "\"greet(\\\"x\\\") != \\\"hi y\\\"\"]}}", NULL);
    d = score_answer(pool, &it,
        "```cpp\n#include <string>\n#include <cstdlib>\n"
        "std::string greet(const std::string &n) { return \"hi \" + n; }\n"
        "int diff(int a, int b) { return a - b; }\n```", &r);
    cr_expect_eq(num(d, "passed"), 4, "%s", r.detail_json);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d); score_result_free(&r); cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

/* One stdio "echo the sum" item per language. */
static void lang_sum(const char *lang, const char *code)
{
    struct sandbox_pool *pool = tsb_pool(2);
    const struct sandbox_lang *l = sandbox_langs_find(sandbox_pool_langs(pool), lang);
    cr_assert_not_null(l);
    if (!l->available) {
        sandbox_pool_free(pool);
        cr_skip_test("%s is not installed on this machine", lang);
    }
    char *json = xasprintf("{\"language\": \"%s\", \"scoring\": {\"timeout_s\": 20, \"memory_mb\": 256},"
        "\"tests\": {\"form\": \"stdio\", \"cases\": [{\"input\": \"2 3\\n\", \"output\": \"5\\n\"},"
        "{\"input\": \"-4 4\\n\", \"output\": \"0\\n\"}]}}", lang);
    struct score_item it = item_from_json(json, NULL);
    char *answer = xasprintf("```%s\n%s\n```", lang, code);
    struct score_result r;
    cJSON *d = score_answer(pool, &it, answer, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s: %s", lang, r.detail_json);
    cJSON_Delete(d); score_result_free(&r); cJSON_Delete(it.data);
    free(json); free(answer);
    sandbox_pool_free(pool);
}

Test(code_run, cpp_program, .timeout = 60)
{
    lang_sum("cpp", "#include <iostream>\nint main() { long a, b; std::cin >> a >> b; std::cout << a + b << std::endl; }");
}

Test(code_run, java_program, .timeout = 90)
{
    lang_sum("java", "import java.util.*;\npublic class Main { public static void main(String[] x) {"
             " Scanner s = new Scanner(System.in); System.out.println(s.nextLong() + s.nextLong()); } }");
}

Test(code_run, javascript_program, .timeout = 60)
{
    lang_sum("javascript", "const [a, b] = require('fs').readFileSync(0, 'utf8').trim().split(/\\s+/).map(Number);\n"
             "console.log(a + b);");
}

/* ---- the async API ----------------------------------------------------- */

struct async_box {
    pthread_mutex_t mu;
    int done, passed;
};

static void async_done(void *ud, int rc, struct score_result *res, const struct bai_error *err)
{
    struct async_box *b = ud;
    pthread_mutex_lock(&b->mu);
    b->done++;
    b->passed += rc == 0 && res->passed == 1;
    pthread_mutex_unlock(&b->mu);
    score_result_free(res);
    free(res);
}

Test(code_run, submit_scores_on_the_pool)
{
    struct sandbox_pool *pool = tsb_pool(2);
    struct score_item it = item_from_json(HE_JSON, HE_PROMPT);
    struct score_input in = { .item = &it, .output = "```python\ndef add(a, b):\n    return a + b\n```" };
    struct async_box b = { .mu = PTHREAD_MUTEX_INITIALIZER };
    for (int i = 0; i < 4; i++)
        code_score_submit(pool, &in, async_done, &b);
    sandbox_pool_drain(pool);
    cr_expect_eq(b.done, 4);
    cr_expect_eq(b.passed, 4);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

Test(code_run, no_context_uses_a_temporary_sandbox)
{
    struct score_item it = item_from_json(HE_JSON, HE_PROMPT);
    struct score_input in = { .item = &it, .output = "```python\ndef add(a, b):\n    return a + b\n```" };
    struct score_result r;
    struct bai_error err = {0};
    cr_assert_eq(score_sample(&in, NULL, &r, &err), 0, "%s", err.msg);
    cr_expect_eq(r.passed, 1, "%s", r.detail_json);
    score_result_free(&r);
    cJSON_Delete(it.data);
}

Test(code_run, validate_reports_bad_items)
{
    const struct scorer *sc = score_find("code");
    cr_assert_not_null(sc);
    struct bai_error err = {0};
    cJSON *d = cJSON_Parse("{\"tests\": {\"form\": \"stdio\"}, \"harness\": \"no marker\"}");
    cr_expect_eq(sc->validate(d, &err), 3, "%s", err.msg);   /* language, cases, marker */
    cJSON_Delete(d);
    bai_error_clear(&err);
    d = cJSON_Parse(HE_JSON);
    cr_expect_eq(sc->validate(d, &err), 0, "%s", err.msg);
    cJSON_Delete(d);
}

/* ---- replay of the shipped suites ------------------------------------- */

struct replay_slot {
    const struct suite_item *item;
    struct score_item scored;        /* item as the scorer reads it */
    struct score_input in;
    char *answer;
    int rc, passed;
    char *detail;
};

static void replay_done(void *ud, int rc, struct score_result *res, const struct bai_error *err)
{
    struct replay_slot *s = ud;
    s->rc = rc;
    s->passed = res->passed;
    s->detail = xstrdup(rc == 0 ? res->detail_json : err->msg);
    score_result_free(res);
    free(res);
}

/* Scores field `field` of every item as the answer, all items at once on
 * the pool (code_score_submit); returns how many passed. */
static size_t replay(const char *path, const char *field, size_t *scored, int expect_pass)
{
    struct bai_error err = {0};
    struct suite *s = suite_load(path, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    struct sandbox_pool *pool = tsb_pool(0);
    struct replay_slot *slots = xcalloc(s->n_items, sizeof *slots);
    *scored = 0;
    for (size_t i = 0; i < s->n_items; i++) {
        const cJSON *code = cJSON_GetObjectItemCaseSensitive(s->items[i].data, field);
        if (!cJSON_IsString(code))
            continue;
        slots[i].item = &s->items[i];
        slots[i].answer = xasprintf("```\n%s\n```\n", code->valuestring);
        slots[i].scored = suite_item_for_score(&s->items[i]);
        slots[i].in = (struct score_input){ .item = &slots[i].scored, .output = slots[i].answer };
        code_score_submit(pool, &slots[i].in, replay_done, &slots[i]);
        (*scored)++;
    }
    sandbox_pool_drain(pool);
    size_t passed = 0;
    for (size_t i = 0; i < s->n_items; i++) {
        if (!slots[i].item)
            continue;
        cr_expect_eq(slots[i].rc, 0, "%s: %s", slots[i].item->id, slots[i].detail);
        passed += slots[i].passed == 1;
        if (expect_pass)
            cr_expect_eq(slots[i].passed, 1, "%s %s: %s", path, slots[i].item->id, slots[i].detail);
        else
            cr_expect_eq(slots[i].passed, 0, "%s %s: buggy code passed", path, slots[i].item->id);
        free(slots[i].answer);
        free(slots[i].detail);
    }
    free(slots);
    sandbox_pool_free(pool);
    suite_free(s);
    return passed;
}

Test(code_run, replay_coder_solutions_all_pass, .timeout = 300)
{
    size_t scored = 0;
    size_t passed = replay("suites/v1/coder.yaml", "solution", &scored, 1);
    cr_expect_gt(scored, 0);
    cr_expect_eq(passed, scored);
}

Test(code_run, replay_debugbench_solutions_pass_and_buggy_fail, .timeout = 300)
{
    size_t scored = 0;
    size_t passed = replay("suites/v1/debugbench_style.yaml", "solution", &scored, 1);
    cr_expect_gt(scored, 0);
    cr_expect_eq(passed, scored);
    passed = replay("suites/v1/debugbench_style.yaml", "buggy_code", &scored, 0);
    cr_expect_eq(passed, 0);
}
