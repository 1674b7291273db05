/* test_vision.c - image items end to end against the real llama-server
 * (issue 25 item 5): tiny-dense launched with the generated random-weight
 * projector tiny-mmproj (scripts/make_test_mmproj.py: 56x56 input, 14x14
 * patches, so 16 image tokens per image). The image reaches the model when
 * the server's own prompt token count grows by exactly 16 per image over
 * the same text without one; the request path, timings, scores and store
 * work as for text. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

#define IMAGE_TOKENS 16          /* (56 / 14)^2, from make_test_mmproj.py */

static void write_file(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
}

/* The suite: one text, asked without an image, with one and with two. */
static char *write_suite(const struct harness_env *e)
{
    size_t n;
    struct bai_error err = { 0 };
    char *png = fs_read_file("suites/v1/images/vision/red_square.png", &n, &err);
    cr_assert_not_null(png, "%s", err.msg);
    char *img = xasprintf("%s/red.png", e->dir);
    write_file(img, png, n);
    free(img);
    free(png);
    const char *yaml =
        "suite: vision_tokens\nversion: 1\n"
        "defaults: {scorer: exact, max_tokens: 4, time_limit_s: 120, scoring: {contains: true}}\n"
        "items:\n"
        "  - {id: no_image, prompt: What colour is the square?, answer: red}\n"
        "  - {id: one_image, prompt: What colour is the square?, answer: red, images: red.png}\n"
        "  - {id: two_images, prompt: What colour is the square?, answer: red, images: [red.png, red.png]}\n";
    char *path = xasprintf("%s/vision_tokens.yaml", e->dir);
    write_file(path, yaml, strlen(yaml));
    return path;
}

static long long prompt_tokens(const struct harness_env *e, const char *item)
{
    char *sql = xasprintf("SELECT prompt_tokens FROM samples WHERE item_id = '%s' AND warmup = 0", item);
    long long n = harness_env_int(e, sql);
    free(sql);
    return n;
}

Test(vision, the_image_reaches_the_model_through_the_mmproj, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *mmproj = harness_model("tiny-mmproj");
    if (access(mmproj, R_OK) != 0)
        cr_skip_test("%s is missing (scripts/make-test-models)", mmproj);
    char *suite = write_suite(&e);
    char *dense = harness_model("tiny-dense");
    const char *args[] = { "run", "--suite", suite, "--model", dense, "--mmproj", mmproj, "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, "--threads", "2", NULL };
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    cr_assert_eq(harness_env_int(&e, "SELECT count(*) FROM samples WHERE warmup = 0 AND status = 'ok'"), 3, "%s", err);
    long long none = prompt_tokens(&e, "no_image"), one = prompt_tokens(&e, "one_image"),
              two = prompt_tokens(&e, "two_images");
    cr_assert_gt(none, 0);
    cr_assert_eq(one - none, IMAGE_TOKENS, "one image: %lld prompt tokens, none: %lld", one, none);
    cr_assert_eq(two - none, 2 * IMAGE_TOKENS, "two images: %lld prompt tokens, none: %lld", two, none);
    /* timings and scores as for text */
    cr_assert_eq(harness_env_int(&e, "SELECT count(*) FROM samples WHERE warmup = 0 AND prompt_ms > 0 "
                                     "AND ttft_ms > 0 AND e2e_ms >= ttft_ms"), 3);
    cr_assert_eq(harness_env_int(&e, "SELECT count(*) FROM scores"), 3);
    char *argv_stored = harness_sql_text(e.db, "SELECT server_argv FROM configs");
    cr_assert(strstr(argv_stored, "--mmproj") && strstr(argv_stored, "tiny-mmproj.gguf"), "%s", argv_stored);
    free(argv_stored);
    char *params = harness_sql_text(e.db, "SELECT params_json FROM configs");
    cr_assert(strstr(params, "\"mmproj\""), "the projector is part of the configuration: %s", params);
    free(params);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0);
    free(out);
    free(err);
    free(dense);
    free(suite);
    free(mmproj);
    harness_env_free(&e);
}

/* --model NAME of the registry brings its mmproj: tiny-vision in
 * benchmarks/models.yaml, with the shipped vision suite. */
Test(vision, registry_model_runs_the_shipped_vision_suite, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *mmproj = harness_model("tiny-mmproj");
    if (access(mmproj, R_OK) != 0)
        cr_skip_test("%s is missing (scripts/make-test-models)", mmproj);
    const char *args[] = { "run", "--suite", "vision", "--model", "tiny-vision", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, "--threads", "2", NULL };
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    cr_assert_eq(harness_env_int(&e, "SELECT count(*) FROM samples WHERE warmup = 0 AND status = 'ok'"), 6, "%s", err);
    cr_assert_eq(harness_env_int(&e, "SELECT count(DISTINCT tier) FROM samples WHERE warmup = 0"), 3);
    /* every item has an image: each prompt holds its 16 image tokens */
    cr_assert_eq(harness_env_int(&e, "SELECT count(*) FROM samples WHERE warmup = 0 AND prompt_tokens > 16"), 6);
    char *argv_stored = harness_sql_text(e.db, "SELECT server_argv FROM configs");
    cr_assert(strstr(argv_stored, "--mmproj"), "%s", argv_stored);
    free(argv_stored);
    free(out);
    free(err);
    free(mmproj);
    harness_env_free(&e);
}
