/* test_suite_images.c - image items (issue 25 item 5): files inside the
 * suite's folder or data: URIs, their bytes in the suite hash, the MIME type
 * from the bytes, confinement to the suite's folder, and the OpenAI
 * image_url content parts a request carries. The suites are written by the
 * tests into temp folders, with the shipped vision suite's PNGs. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/openai_proto.h"
#include "run/request.h"
#include "suite/internal.h"
#include "suite/suite.h"
#include "util/base64.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

#define PNG "suites/v1/images/vision/red_square.png"
#define PNG2 "suites/v1/images/vision/digit_seven.png"

static char root[PATH_MAX];        /* temp folder: suite/ inside, outside.png beside it */

static void put(const char *rel, const void *data, size_t n)
{
    char *p = xasprintf("%s/%s", root, rel);
    char *dir = fs_dirname(p);
    struct bai_error err = { 0 };
    cr_assert_eq(fs_mkdirs(dir, 0755, &err), 0, "%s", err.msg);
    FILE *f = fopen(p, "wb");
    cr_assert_not_null(f, "%s", p);
    cr_assert_eq(fwrite(data, 1, n, f), n);
    fclose(f);
    free(dir);
    free(p);
}

static void copy_file(const char *from, const char *rel)
{
    size_t n;
    struct bai_error err = { 0 };
    char *b = fs_read_file(from, &n, &err);
    cr_assert_not_null(b, "%s", err.msg);
    put(rel, b, n);
    free(b);
}

static void setup(void)
{
    snprintf(root, sizeof root, "/tmp/bai-img-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
    copy_file(PNG, "suite/img/red.png");
    copy_file(PNG2, "suite/img/seven.png");
    copy_file(PNG, "outside.png");
}

static void teardown(void)
{
    char *cmd = xasprintf("rm -rf %s", root);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", root);
    free(cmd);
}

TestSuite(suite_images, .init = setup, .fini = teardown);

/* Writes suite/t.yaml with the given items and loads it. */
static struct suite *load_items(const char *items, struct bai_error *err)
{
    char *text = xasprintf("suite: t\nversion: 1\ndefaults: {scorer: exact}\nitems:\n%s", items);
    put("suite/t.yaml", text, strlen(text));
    free(text);
    char *path = xasprintf("%s/suite/t.yaml", root);
    struct suite *s = suite_load(path, NULL, err);
    free(path);
    return s;
}

static struct suite *load_ok(const char *items)
{
    struct bai_error err = { 0 };
    struct suite *s = load_items(items, &err);
    cr_assert_not_null(s, "%s", err.msg);
    return s;
}

static void load_fails(const char *items, const char *want)
{
    struct bai_error err = { 0 };
    struct suite *s = load_items(items, &err);
    cr_assert_null(s, "should not load:\n%s", items);
    cr_assert(strstr(err.msg, want), "want '%s' in:\n%s", want, err.msg);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
}

Test(suite_images, a_file_image_is_read_with_its_type_and_hash)
{
    struct suite *s = load_ok("  - {id: a, prompt: What colour?, answer: red, images: img/red.png}\n");
    const struct suite_item *it = &s->items[0];
    cr_assert_eq(it->n_images, 1);
    cr_assert_str_eq(it->images[0].mime, "image/png");
    cr_assert_str_eq(it->images[0].source, "img/red.png");
    size_t n;
    struct bai_error err = { 0 };
    char *bytes = fs_read_file(PNG, &n, &err);
    cr_assert_eq(it->images[0].len, n);
    cr_assert_eq(memcmp(it->images[0].bytes, bytes, n), 0);
    char hex[65];
    sha256_hex(bytes, n, hex);
    cr_assert_str_eq(it->images[0].sha256, hex);
    char *uri = suite_image_data_uri(&it->images[0]);
    cr_assert(!strncmp(uri, "data:image/png;base64,", 22), "%.40s", uri);
    size_t m;
    unsigned char *back = base64_decode(uri + 22, strlen(uri + 22), &m, NULL);
    cr_assert_eq(m, n);
    cr_assert_eq(memcmp(back, bytes, n), 0);
    free(back);
    free(uri);
    free(bytes);
    suite_free(s);
}

/* The bytes are hashed, not the path: a moved file keeps the hash, another
 * picture under the same name changes it, and a suite without images keeps
 * the hash it had before images existed. */
Test(suite_images, image_bytes_are_in_the_hash)
{
    struct suite *plain = load_ok("  - {id: a, prompt: What colour?, answer: red}\n");
    char plain_hash[65];
    memcpy(plain_hash, plain->hash, sizeof plain_hash);
    suite_free(plain);
    struct suite *a = load_ok("  - {id: a, prompt: What colour?, answer: red, images: img/red.png}\n");
    cr_assert_str_neq(a->hash, plain_hash, "an image must change the hash");
    copy_file(PNG, "suite/elsewhere/same.png");
    struct suite *moved = load_ok("  - {id: a, prompt: What colour?, answer: red, images: elsewhere/same.png}\n");
    cr_assert_str_eq(moved->hash, a->hash, "the same bytes elsewhere: the same hash");
    copy_file(PNG2, "suite/img/red.png");   /* another picture under the old name */
    struct suite *changed = load_ok("  - {id: a, prompt: What colour?, answer: red, images: img/red.png}\n");
    cr_assert_str_neq(changed->hash, a->hash, "new bytes: a new hash");
    suite_free(a);
    suite_free(moved);
    suite_free(changed);
}

/* The hash of a suite without images or time limits is the canonical text
 * of docs/suites.md without the new keys: computed by hand here. */
Test(suite_images, suites_without_images_keep_their_canonical_text)
{
    struct suite *s = load_ok("  - {id: a, prompt: hi, answer: x}\n");
    const char *canon = "{\"items\":[{\"data\":{\"answer\":\"x\",\"scoring\":{}},\"id\":\"a\",\"max_tokens\":512,"
                        "\"mode\":\"chat\",\"prompt\":\"hi\",\"reps\":1,\"scorer\":\"exact\",\"stop\":[],"
                        "\"system\":null,\"temperature\":0,\"tier\":0}],\"kind\":\"quality\",\"name\":\"t\","
                        "\"speed\":null,\"version\":1}";
    char hex[65];
    sha256_hex(canon, strlen(canon), hex);
    cr_assert_str_eq(s->hash, hex);
    suite_free(s);
}

Test(suite_images, canonical_text_with_images_and_a_time_limit)
{
    struct suite *s = load_ok("  - {id: a, prompt: hi, answer: x, images: img/red.png, time_limit_s: 90}\n");
    char *canon = xasprintf("{\"items\":[{\"data\":{\"answer\":\"x\",\"scoring\":{}},\"id\":\"a\","
                            "\"images\":[{\"mime\":\"image/png\",\"sha256\":\"%s\"}],\"max_tokens\":512,"
                            "\"mode\":\"chat\",\"prompt\":\"hi\",\"reps\":1,\"scorer\":\"exact\",\"stop\":[],"
                            "\"system\":null,\"temperature\":0,\"tier\":0,\"time_limit_s\":90}],"
                            "\"kind\":\"quality\",\"name\":\"t\",\"speed\":null,\"version\":1}",
                            s->items[0].images[0].sha256);
    char hex[65];
    sha256_hex(canon, strlen(canon), hex);
    cr_assert_str_eq(s->hash, hex, "canonical text:\n%s", canon);
    cr_assert_eq(s->items[0].time_limit_s, 90);
    free(canon);
    suite_free(s);
}

Test(suite_images, data_uris_are_decoded_and_their_type_checked)
{
    size_t n;
    struct bai_error err = { 0 };
    char *bytes = fs_read_file(PNG, &n, &err);
    char *b64 = base64_encode(bytes, n);
    char *items = xasprintf("  - {id: a, prompt: hi, answer: x, images: [\"data:image/png;base64,%s\", img/red.png]}\n",
                            b64);
    struct suite *s = load_ok(items);
    cr_assert_eq(s->items[0].n_images, 2);
    cr_assert_str_eq(s->items[0].images[0].sha256, s->items[0].images[1].sha256);
    cr_assert_str_eq(s->items[0].images[0].source, "data:image/png;base64");
    suite_free(s);
    free(items);
    items = xasprintf("  - {id: a, prompt: hi, answer: x, images: \"data:image/jpeg;base64,%s\"}\n", b64);
    load_fails(items, "the data URI says image/jpeg but the bytes are image/png");
    free(items);
    load_fails("  - {id: a, prompt: hi, answer: x, images: \"data:image/png;base64,iVBO*w0K\"}\n",
               "invalid base64 at character 5");
    load_fails("  - {id: a, prompt: hi, answer: x, images: \"data:image/png,rawtext\"}\n", "must be base64");
    load_fails("  - {id: a, prompt: hi, answer: x, images: \"data:text/plain;base64,aGVsbG8=\"}\n", "not image/");
    free(b64);
    free(bytes);
}

Test(suite_images, images_stay_inside_the_suite_folder)
{
    load_fails("  - {id: a, prompt: hi, answer: x, images: ../outside.png}\n", "outside the suite's folder");
    char *abs = xasprintf("  - {id: a, prompt: hi, answer: x, images: %s/outside.png}\n", root);
    load_fails(abs, "relative to the suite's folder");
    free(abs);
    /* a symlink inside the folder that points out of it */
    char *target = xasprintf("%s/outside.png", root), *link = xasprintf("%s/suite/img/link.png", root);
    cr_assert_eq(symlink(target, link), 0);
    load_fails("  - {id: a, prompt: hi, answer: x, images: img/link.png}\n", "outside the suite's folder");
    free(target);
    free(link);
    load_fails("  - {id: a, prompt: hi, answer: x, images: img/missing.png}\n", "No such file");
    load_fails("  - {id: a, prompt: hi, answer: x, images: \"https://example.org/a.png\"}\n",
               "save the image beside the suite");
    put("suite/img/notes.png", "not a picture at all", 20);
    load_fails("  - {id: a, prompt: hi, answer: x, images: img/notes.png}\n", "not a PNG, JPEG, GIF, WebP or BMP");
}

Test(suite_images, where_images_may_go)
{
    load_fails("  - {id: a, prompt: hi, answer: x, images: img/red.png, mode: completion}\n", "images need mode: chat");
    load_fails("  - id: a\n    answer: x\n    messages:\n      - {role: system, content: s, images: img/red.png}\n"
               "      - {role: user, content: hi}\n", "images go with a user message, not system");
    load_fails("  - id: a\n    answer: x\n    images: img/red.png\n    messages:\n      - {role: user, content: hi}\n",
               "give 'images' on the user message");
    load_fails("  - {id: a, prompt: hi, answer: x, time_limit_s: 0}\n", "'time_limit_s' must be > 0");
    struct suite *s = load_ok("  - id: a\n    answer: x\n    messages:\n"
                              "      - {role: user, content: first, images: [img/red.png]}\n"
                              "      - {role: assistant, content: ok}\n"
                              "      - {role: user, content: second, images: [img/seven.png, img/red.png]}\n");
    cr_assert_eq(s->items[0].messages[0].n_images, 1);
    cr_assert_eq(s->items[0].messages[1].n_images, 0);
    cr_assert_eq(s->items[0].messages[2].n_images, 2);
    suite_free(s);
}

/* The request: image_url parts with data URIs of the right type, before
 * the text; items without images keep a plain string content. */
Test(suite_images, requests_carry_image_url_parts)
{
    struct suite *s = load_ok("  - {id: a, prompt: What colour?, answer: red, images: img/red.png, time_limit_s: 2.5}\n"
                              "  - {id: b, prompt: plain, answer: x}\n");
    struct built_request b;
    request_build(&s->items[0], s, 1, NULL, &b);
    cr_assert_eq(b.req.time_limit_ms, 2500);
    char *body = openai_build_body(&b.req, 1);
    cJSON *j = cJSON_Parse(body);
    cJSON *msgs = cJSON_GetObjectItem(j, "messages");
    cJSON *content = cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "content");
    cr_assert(cJSON_IsArray(content), "%s", body);
    cr_assert_eq(cJSON_GetArraySize(content), 2);
    cJSON *img = cJSON_GetArrayItem(content, 0), *txt = cJSON_GetArrayItem(content, 1);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(img, "type")), "image_url");
    const char *url = cJSON_GetStringValue(cJSON_GetObjectItem(cJSON_GetObjectItem(img, "image_url"), "url"));
    char *want = suite_image_data_uri(&s->items[0].images[0]);
    cr_assert_str_eq(url, want);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(txt, "type")), "text");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(txt, "text")), "What colour?");
    free(want);
    cJSON_Delete(j);
    free(body);
    request_free(&b);

    request_build(&s->items[1], s, 1, NULL, &b);
    cr_assert_eq(b.req.time_limit_ms, 0);
    body = openai_build_body(&b.req, 1);
    cr_assert(strstr(body, "\"content\":\"plain\""), "%s", body);
    free(body);
    request_free(&b);
    suite_free(s);
}

/* A request ended by the item's time limit is the answer as it stood:
 * ok, the streamed text so far, finish_reason time_limit. Without the
 * limit the same timeout stays a retryable error. */
Test(suite_images, time_limit_keeps_what_arrived)
{
    const char *sse = "data: {\"choices\":[{\"delta\":{\"content\":\"The answer is\"}}]}\n\n";
    for (int limited = 0; limited < 2; limited++) {
        struct gen_response r;
        gen_response_init(&r);
        struct openai_reader rd;
        openai_reader_init(&rd, &r, 1);
        rd.time_limit = limited;
        openai_reader_data(&rd, sse, strlen(sse), 1);
        openai_reader_finish(&rd, 28 /* CURLE_OPERATION_TIMEDOUT */, 200, "Operation timed out", 2);
        if (limited) {
            cr_assert_eq(r.ok, 1, "%s", r.error ? r.error : "");
            cr_assert_str_eq(r.content, "The answer is");
            cr_assert_str_eq(r.finish_reason, "time_limit");
        } else {
            cr_assert_eq(r.ok, 0);
            cr_assert_eq(r.retryable, 1);
        }
        openai_reader_free(&rd);
        gen_response_free(&r);
    }
}
