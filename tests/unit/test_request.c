/* What a model is asked: request_build on shipped and test suites. */
#include <criterion/criterion.h>
#include <string.h>

#include "run/request.h"
#include "suite/suite.h"

static struct suite *load(const char *path)
{
    struct bai_error err = { 0 };
    struct suite *s = suite_load(path, NULL, &err);
    cr_assert_not_null(s, "%s: %s", path, err.msg);
    return s;
}

/* A speed suite sends one prompt again and again; the server's prompt cache
 * would answer every request after the first without prompt processing, so
 * pp tok/s must be measured with the cache off. Quality items are asked
 * the same way (default --prompt-cache off): their TTFT is a figure too. */
Test(request, the_prompt_cache_is_off_unless_asked_for)
{
    const char *paths[] = { "tests/data/integration/speed_short.yaml", "suites/v1/smoke.yaml" };
    for (int p = 0; p < 2; p++) {
        struct suite *s = load(paths[p]);
        struct built_request b;
        request_build(&s->items[0], s, 1, "m", &b);
        request_prompt_cache(&b, request_prompt_cache_parse(NULL), "key");
        cr_assert_eq(b.req.no_prompt_cache, 1, "%s", paths[p]);
        cr_assert_null(b.prompt_prefix, "off sends no prefix");
        request_free(&b);
        request_build(&s->items[0], s, 1, "m", &b);
        request_prompt_cache(&b, PROMPT_CACHE_ON, "key");
        cr_assert_eq(b.req.no_prompt_cache, 0, "%s", paths[p]);
        request_free(&b);
        suite_free(s);
    }
    cr_assert_eq(request_prompt_cache_parse("unique-prefix"), PROMPT_CACHE_UNIQUE_PREFIX);
    cr_assert_eq(request_prompt_cache_parse("sometimes"), -1);
}

Test(request, speed_items_are_fixed_length_completions)
{
    struct suite *s = load("tests/data/integration/speed_short.yaml");
    struct built_request b;
    request_build(&s->items[0], s, 1, "m", &b);
    cr_assert_eq(b.req.ignore_eos, 1);
    cr_assert_eq(b.req.max_tokens, 24);
    cr_assert_eq(b.req.chat, 0);
    request_free(&b);
    suite_free(s);
}

/* unique-prefix: a first line that differs per request key, before the
 * system prompt (chat) or the completion prompt; the rest is unchanged. */
Test(request, unique_prefix_leads_every_request_and_differs_per_key)
{
    struct suite *s = load("suites/v1/smoke.yaml");
    struct built_request a, b, plain;
    request_build(&s->items[0], s, 1, "m", &plain);
    request_build(&s->items[0], s, 1, "m", &a);
    request_build(&s->items[0], s, 1, "m", &b);
    request_prompt_cache(&a, PROMPT_CACHE_UNIQUE_PREFIX, "run/1/smoke/1/q1/0");
    request_prompt_cache(&b, PROMPT_CACHE_UNIQUE_PREFIX, "run/1/smoke/1/q1/1");
    cr_assert_eq(a.req.no_prompt_cache, 1);
    cr_assert_not_null(a.prompt_prefix);
    cr_assert(!strncmp(a.prompt_prefix, "[benchai ", 9), "%s", a.prompt_prefix);
    cr_assert_str_neq(a.prompt_prefix, b.prompt_prefix);
    cr_assert_eq(a.req.n_messages, plain.req.n_messages);
    const char *first = a.req.messages[0].content;
    cr_assert(!strncmp(first, a.prompt_prefix, strlen(a.prompt_prefix)), "%s", first);
    cr_assert_str_eq(first + strlen(a.prompt_prefix), plain.req.messages[0].content);
    for (size_t i = 1; i < a.req.n_messages; i++)
        cr_assert_str_eq(a.req.messages[i].content, plain.req.messages[i].content);
    request_free(&a);
    request_free(&b);
    request_free(&plain);
    suite_free(s);

    s = load("tests/data/integration/speed_short.yaml");
    request_build(&s->items[0], s, 1, "m", &plain);
    request_build(&s->items[0], s, 1, "m", &a);
    request_prompt_cache(&a, PROMPT_CACHE_UNIQUE_PREFIX, "k");
    cr_assert_eq(a.req.chat, 0);
    cr_assert(!strncmp(a.req.prompt, a.prompt_prefix, strlen(a.prompt_prefix)), "%s", a.req.prompt);
    cr_assert_str_eq(a.req.prompt + strlen(a.prompt_prefix), plain.req.prompt);
    request_free(&a);
    request_free(&plain);
    suite_free(s);
}
