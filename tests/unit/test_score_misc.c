/* Tests of the needle, tool_call and judge scorers, the registry, and of
 * every scorer on hostile outputs (empty, 10 MB, invalid UTF-8, control
 * bytes). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "score/judge.h"
#include "test_score_helpers.h"

/* ---- needle ---------------------------------------------------------------- */

Test(score_needle, contains_exact_f1)
{
    struct ts_case *c = ts_run("needle",
        "{\"expected\": [\"eat a sandwich\", \"Dolores Park\"], \"length_tokens\": 4096, \"depth_percent\": 25}",
        "The best thing to do is eat a  Sandwich and sit in dolores park.");
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_eq(c->res.value, 1.0);
    cr_assert_eq(c->res.passed, 1);
    cr_assert_eq(ts_num(c, "length_tokens"), 4096);
    cr_assert_eq(ts_num(c, "depth_percent"), 25);
    ts_free(c);
    /* one of two found -> 0.5, not passed */
    c = ts_run("needle", "{\"expected\": [\"alpha\", \"omega\"]}", "alpha only");
    cr_assert_eq(c->res.value, 0.5);
    cr_assert_eq(c->res.passed, 0);
    ts_free(c);
    /* exact: a line equal to the value */
    c = ts_run("needle", "{\"expected\": \"42\", \"scoring\": {\"mode\": \"exact\"}}", "The code is:\n 42 \n");
    cr_assert_eq(c->res.value, 1.0);
    ts_free(c);
    c = ts_run("needle", "{\"expected\": \"42\", \"scoring\": {\"mode\": \"exact\"}}", "The code is 42");
    cr_assert_eq(c->res.value, 0.0);
    ts_free(c);
    /* f1 against "dolores park": pred [sit in dolores park] P 2/4 R 1 -> 2/3 */
    c = ts_run("needle", "{\"expected\": \"Dolores Park\", \"scoring\": {\"mode\": \"f1\"}}", "sit in Dolores Park");
    cr_assert(fabs(c->res.value - 2.0 / 3.0) < TS_EPS);
    ts_free(c);
    c = ts_run("needle", "{\"expected\": \"x\"}", "");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    ts_free(c);
}

/* ---- tool_call --------------------------------------------------------------- */

#define EXPECT_WEATHER "{\"expected_call\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\", \"days\": 3}}"

Test(score_tool_call, openai_tool_calls)
{
    const char *tc = "[{\"id\": \"c1\", \"type\": \"function\", \"function\": {\"name\": \"get_weather\","
                     " \"arguments\": \"{\\\"city\\\": \\\"Paris\\\", \\\"days\\\": 3.0, \\\"unit\\\": \\\"C\\\"}\"}}]";
    struct ts_case *c = ts_run_full("tool_call", EXPECT_WEATHER "}", "", tc, NULL, NULL);
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert_eq(c->res.passed, 1, "%s", c->res.detail_json);   /* subset: extra unit ok, 3.0 == 3 */
    ts_free(c);
    c = ts_run_full("tool_call", EXPECT_WEATHER ", \"scoring\": {\"match\": \"exact\"}}", "", tc, NULL, NULL);
    cr_assert_eq(c->res.passed, 0);
    cr_assert_str_eq(ts_str(c, "reason"), "unexpected argument unit");
    ts_free(c);
}

Test(score_tool_call, json_in_text_and_reasons)
{
    struct ts_case *c = ts_run("tool_call", EXPECT_WEATHER "}",
        "I'll call the tool.\n```json\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"London\", \"days\": 3}}\n```");
    cr_assert_eq(c->res.passed, 0);
    cr_assert_str_eq(ts_str(c, "reason"), "argument city: expected \"Paris\", got \"London\"");
    ts_free(c);
    c = ts_run("tool_call", EXPECT_WEATHER "}", "Calling {\"name\": \"get_time\", \"parameters\": {}} now");
    cr_assert_str_eq(ts_str(c, "reason"), "name: expected get_weather, got get_time");
    ts_free(c);
    c = ts_run("tool_call", EXPECT_WEATHER "}", "{\"function\": {\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}}");
    cr_assert_str_eq(ts_str(c, "reason"), "missing argument days");
    ts_free(c);
    c = ts_run("tool_call", EXPECT_WEATHER "}", "The weather in Paris is nice {not json}.");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    cr_assert_str_eq(ts_str(c, "reason"), "no tool call found");
    ts_free(c);
}

/* ---- judge ----------------------------------------------------------------------- */

struct fake_judge {
    const char *answers[4];
    int calls;
    char *last_prompt;
};

static int fake_complete(void *ctx, const char *system, const char *prompt, char **answer_out,
                         struct bai_error *err)
{
    struct fake_judge *f = ctx;
    free(f->last_prompt);
    f->last_prompt = strdup(prompt);
    const char *a = f->answers[f->calls++];
    if (!a) {
        bai_error_set(err, BAI_EXIT_BACKEND, "judge backend down");
        return -1;
    }
    *answer_out = strdup(a);
    return 0;
}

static struct ts_case *judge_run(struct fake_judge *f, int retries, const char *data)
{
    struct judge j = { "judge-model", fake_complete, f, retries };
    struct score_context ctx = { .judge = &j };
    return ts_run_full("judge", data, "Paris is the capital.", NULL, NULL, &ctx);
}

Test(score_judge, parse_rules)
{
    double s;
    const char *how;
    cr_assert(score_judge_parse("Good.\nSCORE: 85", &s, &how) && s == 85 && !strcmp(how, "score"));
    cr_assert(score_judge_parse("score:100", &s, &how) && s == 100);
    cr_assert(score_judge_parse("SCORE: 40 ... revised SCORE: 55", &s, &how) && s == 55);
    cr_assert(!score_judge_parse("SCORE: 150", &s, &how));
    cr_assert(!score_judge_parse("SCORE: 1234", &s, &how));
    cr_assert(score_judge_parse("Rating: [[7]]", &s, &how) && s == 70 && !strcmp(how, "mtbench"));
    cr_assert(score_judge_parse("Rating: [[8.5]]", &s, &how) && fabs(s - 85) < 1e-9);
    cr_assert(!score_judge_parse("Rating: [[11]]", &s, &how));
    cr_assert(!score_judge_parse("I think it is fine.", &s, &how));
    cr_assert(!score_judge_parse("", &s, &how));
}

Test(score_judge, scores_with_retry_and_stores_details)
{
    struct fake_judge f = { { "Hmm, hard to say.", "Correct and complete.\nSCORE: 92", NULL }, 0, NULL };
    struct ts_case *c = judge_run(&f, 1,
        "{\"reference\": \"Paris\", \"peer_answers\": [\"Lyon\", {\"model\": \"m2\", \"answer\": \"Paris, France\"}]}");
    cr_assert_eq(c->rc, 0);
    cr_assert_eq(f.calls, 2);
    cr_assert_eq(c->res.status, SCORE_SCORED);
    cr_assert(fabs(c->res.value - 0.92) < 1e-9);
    cr_assert_eq(c->res.passed, 1);
    cr_assert_str_eq(ts_str(c, "judge_model"), "judge-model");
    cr_assert_str_eq(ts_str(c, "rationale"), "Correct and complete.");
    cr_assert(strstr(ts_str(c, "prompt"), "[Reference answer]\nParis") != NULL);
    cr_assert(strstr(f.last_prompt, "--- Answer 2 ---\nParis, France") != NULL);
    cr_assert(strstr(f.last_prompt, "90-100: matches or exceeds") != NULL);   /* default rubric */
    cr_assert(strstr(f.last_prompt, "What is asked?") != NULL);
    ts_free(c);
    free(f.last_prompt);
}

Test(score_judge, unparsed_after_retries_error_without_judge)
{
    struct fake_judge f = { { "no score", "still none", NULL }, 0, NULL };
    struct ts_case *c = judge_run(&f, 1, "{\"reference\": \"Paris\", \"rubric\": \"custom bands\", \"pass_at\": 50}");
    cr_assert_eq(c->res.status, SCORE_UNPARSED);
    cr_assert_eq(f.calls, 2);
    cr_assert(strstr(f.last_prompt, "custom bands") != NULL);
    cr_assert_str_eq(ts_str(c, "raw_answer"), "still none");
    ts_free(c);
    free(f.last_prompt);
    struct fake_judge down = { { NULL }, 0, NULL };
    c = judge_run(&down, 2, "{\"reference\": \"Paris\"}");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert_eq(c->err.exit_code, BAI_EXIT_BACKEND);
    ts_free(c);
    free(down.last_prompt);
    c = ts_run("judge", "{\"reference\": \"Paris\"}", "x");
    cr_assert_eq(c->res.status, SCORE_ERROR);
    ts_free(c);
}

/* ---- registry and hostile outputs ----------------------------------------------- */

Test(score_registry, find_and_unknown)
{
    cr_assert_not_null(score_find("f1"));
    cr_assert_null(score_find("nope"));
    cr_assert(strstr(score_known_names(), "exact, f1, choice, ifeval") != NULL);
    struct ts_case *c = ts_run("nope", "{}", "x");
    cr_assert_eq(c->rc, -1);
    cr_assert_eq(c->res.status, SCORE_ERROR);
    cr_assert(strstr(c->err.msg, "known: exact") != NULL);
    ts_free(c);
}

static const char *const hostile_items[][2] = {
    { "exact", "{\"answer\": \"42\", \"scoring\": {\"extract\": \"(\\\\d+)\", \"normalize\": [\"number\", \"strip_punct\", \"strip_articles\", \"lower\"]}}" },
    { "f1", "{\"answers\": [\"the answer\"], \"variant\": \"hotpot\"}" },
    { "choice", "{\"choices\": [\"a\", \"b\", \"c\"], \"correct\": \"A\"}" },
    { "ifeval", "{\"checks\": [{\"type\": \"length_constraints:number_sentences\", \"num_sentences\": 2, \"relation\": \"at least\"},"
                " {\"type\": \"language:response_language\", \"language\": \"en\"},"
                " {\"type\": \"detectable_format:number_bullet_lists\", \"num_bullets\": 1},"
                " {\"type\": \"detectable_format:json_format\"}, {\"type\": \"change_case:capital_word_frequency\","
                " \"capital_frequency\": 1, \"capital_relation\": \"at least\"},"
                " {\"type\": \"keywords:frequency\", \"keyword\": \"ab\", \"frequency\": 1, \"relation\": \"at least\"},"
                " {\"type\": \"detectable_format:title\"}, {\"type\": \"csv_rows\", \"rows\": 1, \"columns\": 1}]}" },
    { "needle", "{\"expected\": [\"x\"], \"scoring\": {\"mode\": \"f1\"}}" },
    { "tool_call", "{\"expected_call\": {\"name\": \"f\", \"arguments\": {}}}" },
};

static void run_all(const char *output)
{
    for (size_t i = 0; i < sizeof hostile_items / sizeof hostile_items[0]; i++) {
        struct ts_case *c = ts_run(hostile_items[i][0], hostile_items[i][1], output);
        cr_assert_eq(c->rc, 0, "%s: %s", hostile_items[i][0], c->err.msg);
        cr_assert(c->res.status == SCORE_SCORED || c->res.status == SCORE_UNPARSED);
        cr_assert(c->res.value >= 0 && c->res.value <= 1);
        ts_free(c);
    }
}

Test(score_hostile, empty_and_binary)
{
    run_all("");
    run_all("\xFF\xFE\xC3\x28\xE2\x82\x01\x02\x03\x1B[31m\x7F\xF0\x9F\x98");
    run_all("\r\n\t\v\f***\n######{{{{[[[[<<<<");
}

Test(score_hostile, ten_megabytes, .timeout = 60)
{
    size_t n = 10u << 20;
    char *big = malloc(n + 1);
    const char pattern[] = "Answer: {\"name\": [x] *b* The, 1,234. ** \xC3\xA9\xFF\n- ";
    for (size_t i = 0; i < n; i++)
        big[i] = pattern[i % (sizeof pattern - 1)];
    big[n] = 0;
    run_all(big);
    memset(big, '{', n);          /* deep nesting for the JSON searches */
    run_all(big);
    free(big);
}
