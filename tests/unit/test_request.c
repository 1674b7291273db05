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
 * pp tok/s must be measured with the cache off. */
Test(request, speed_items_turn_the_prompt_cache_off)
{
    struct suite *s = load("tests/data/integration/speed_short.yaml");
    struct built_request b;
    request_build(&s->items[0], s, 1, "m", &b);
    cr_assert_eq(b.req.no_prompt_cache, 1);
    cr_assert_eq(b.req.ignore_eos, 1);
    cr_assert_eq(b.req.max_tokens, 24);
    cr_assert_eq(b.req.chat, 0);
    request_free(&b);
    suite_free(s);
}

Test(request, quality_items_keep_the_prompt_cache)
{
    struct suite *s = load("suites/v1/smoke.yaml");
    struct built_request b;
    request_build(&s->items[0], s, 1, "m", &b);
    cr_assert_eq(b.req.no_prompt_cache, 0);
    cr_assert_eq(b.req.ignore_eos, 0);
    request_free(&b);
    suite_free(s);
}
