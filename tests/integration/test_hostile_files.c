/* Hostile files (issue 22, items 10-11): YAML alias bombs and deep nesting
 * in every YAML benchai reads (suites, plans, model registries, role
 * tables, the config file), and a suite whose source: reaches outside its
 * folder. The real binary runs each with a deadline and a 1 GiB address
 * space: an unbounded loader is killed or runs out, a bounded one answers
 * at once with file:line:column. No llama-server is needed. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static char *dir;

static void setup(void)
{
    dir = harness_tempdir();
}

static void teardown(void)
{
    free(dir);
}

TestSuite(hostile_files, .init = setup, .fini = teardown, .timeout = 120);

static char *write_in(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *d = fs_dirname(path);
    struct bai_error err = {0};
    cr_assert_eq(fs_mkdirs(d, 0755, &err), 0, "%s", err.msg);
    free(d);
    cr_assert_eq(fs_write_atomic(path, text, strlen(text), &err), 0, "%s", err.msg);
    return path;
}

/* ten levels of ten aliases under an indented list (prefix), each level
 * a list of aliases to the one before: 10^10 nodes when expanded */
static void bomb_levels(struct buf *b, const char *prefix)
{
    buf_printf(b, "%s- &l0 [a, a, a, a, a, a, a, a, a, a]\n", prefix);
    for (int i = 1; i < 10; i++) {
        buf_printf(b, "%s- &l%d [", prefix, i);
        for (int k = 0; k < 10; k++)
            buf_printf(b, "%s*l%d", k ? ", " : "", i - 1);
        buf_puts(b, "]\n");
    }
}

static char *deep(size_t levels)
{
    struct buf b = {0};
    for (size_t i = 0; i < levels; i++)
        buf_putc(&b, '[');
    for (size_t i = 0; i < levels; i++)
        buf_putc(&b, ']');
    return buf_detach(&b);
}

/* Runs benchai; asserts it refused within the bounds with want in stderr. */
static void refused(const char *const *args, const char *want)
{
    char *err = NULL;
    long rss = 0;
    int code = harness_run_bounded(args, 20, 1024, &rss, NULL, &err);
    cr_assert_neq(code, -1, "benchai was still running after 20 s");
    cr_assert_eq(code, 2, "exit %d; stderr:\n%.2000s", code, err ? err : "");
    cr_assert_not_null(strstr(err, want), "stderr lacks '%s':\n%.2000s", want, err);
    cr_assert_lt(rss / 1024, 200, "peak RSS %ld MiB", rss / 1024);
    free(err);
}

Test(hostile_files, suite_alias_bomb_is_refused_at_its_place)
{
    struct buf b = {0};
    buf_puts(&b, "suite: bomb\nversion: 1\ndefaults:\n  scorer: exact\nanchors:\n");
    bomb_levels(&b, "  ");
    buf_puts(&b, "items:\n  - id: a\n    prompt: x\n    answer: y\n    meta: *l9\n");
    char *path = write_in("bomb.yaml", b.data);
    buf_free(&b);
    char *want = xasprintf("%s:11:", path);
    const char *args[] = { "suites", "validate", path, NULL };
    refused(args, want);
    refused(args, "alias bomb");
    free(want);
    free(path);
}

Test(hostile_files, suite_deep_nesting_is_refused_fast)
{
    char *nest = deep(80000);
    char *text = xasprintf("suite: deep\nversion: 1\nitems:\n  - id: a\n    prompt: x\n    answer: y\n"
                           "    scorer: exact\n    meta: %s\n", nest);
    char *path = write_in("deep.yaml", text);
    char *want = xasprintf("%s:8:", path);
    const char *args[] = { "suites", "validate", path, NULL };
    refused(args, want);
    refused(args, "nested deeper than 256 levels");
    free(want);
    free(path);
    free(text);
    free(nest);
}

Test(hostile_files, plan_and_registry_are_bounded_too)
{
    struct buf b = {0};
    buf_puts(&b, "anchors:\n");
    bomb_levels(&b, "  ");
    buf_puts(&b, "models: *l9\n");
    char *plan = write_in("bomb_plan.yaml", b.data);
    buf_free(&b);
    const char *args[] = { "run", "--plan", plan, "--dry-run", NULL };
    refused(args, "alias bomb");
    char *nest = deep(80000);
    char *text = xasprintf("models: %s\n", nest);
    char *deep_plan = write_in("deep_plan.yaml", text);
    const char *args2[] = { "run", "--plan", deep_plan, "--dry-run", NULL };
    char *want = xasprintf("%s:1:", deep_plan);
    refused(args2, want);
    free(want);
    free(text);
    free(nest);
    free(plan);
    free(deep_plan);
}

Test(hostile_files, config_file_is_bounded)
{
    char *nest = deep(80000);
    char *text = xasprintf("threads: %s\n", nest);
    char *path = write_in("xdg/benchai/config.yaml", text);
    char *xdg = xasprintf("%s/xdg", dir);
    setenv("XDG_CONFIG_HOME", xdg, 1);
    const char *args[] = { "config", NULL };
    refused(args, "nested deeper than 256 levels");
    unsetenv("XDG_CONFIG_HOME");
    free(xdg);
    free(path);
    free(text);
    free(nest);
}

Test(hostile_files, roles_file_is_bounded)
{
    struct buf b = {0};
    buf_puts(&b, "anchors:\n");
    bomb_levels(&b, "  ");
    buf_puts(&b, "roles: *l9\n");
    char *roles = write_in("roles.yaml", b.data);
    buf_free(&b);
    char *db = xasprintf("%s/none.db", dir);
    const char *args[] = { "select", "--roles", roles, "--store", db, NULL };
    refused(args, "alias bomb");
    free(db);
    free(roles);
}

/* --- source: confined to the suite's folder ------------------------------ */

static const char *const SUITE_HEAD = "suite: leak\nversion: 1\ndefaults:\n  scorer: exact\nsource:\n";

Test(hostile_files, source_path_outside_the_suite_folder_is_refused_naming_the_flag)
{
    char *secret = write_in("secret/id_rsa", "{\"id\":\"1\",\"prompt\":\"SECRET KEY\",\"answer\":\"x\"}\n");
    char *text = xasprintf("%s  path: ../secret/id_rsa\n  format: jsonl\n", SUITE_HEAD);
    char *suite = write_in("suites/leak.yaml", text);
    const char *args[] = { "suites", "validate", suite, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 2, "%s", err);
    cr_assert_not_null(strstr(err, "--allow-outside-source"), "%s", err);
    cr_assert_not_null(strstr(err, "outside the suite's folder"), "%s", err);
    char *want = xasprintf("%s:6:", suite);
    cr_assert_not_null(strstr(err, want), "file:line:col of source.path: %s", err);
    free(want);
    free(err);

    const char *allowed[] = { "suites", "validate", "--allow-outside-source", suite, NULL };
    cr_assert_eq(harness_run(allowed, NULL, &err), 0, "the flag allows it: %s", err);
    free(err);
    free(text);
    free(suite);
    free(secret);
}

Test(hostile_files, absolute_source_path_and_symlinks_out_are_refused)
{
    char *secret = write_in("secret/data.jsonl", "{\"id\":\"1\",\"prompt\":\"p\",\"answer\":\"x\"}\n");
    char *text = xasprintf("%s  path: %s\n  format: jsonl\n", SUITE_HEAD, secret);
    char *suite = write_in("suites/leak.yaml", text);
    const char *args[] = { "suites", "validate", suite, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 2, "an absolute path: %s", err);
    cr_assert_not_null(strstr(err, "--allow-outside-source"), "%s", err);
    free(err);
    free(text);

    /* a link inside the folder that points outside it is outside */
    char *link = xasprintf("%s/suites/data.jsonl", dir);
    cr_assert_eq(symlink(secret, link), 0);
    text = xasprintf("%s  path: data.jsonl\n  format: jsonl\n", SUITE_HEAD);
    free(write_in("suites/leak.yaml", text));     /* the same file: args stays valid */
    cr_assert_eq(harness_run(args, NULL, &err), 2, "a symlink out: %s", err);
    cr_assert_not_null(strstr(err, "--allow-outside-source"), "%s", err);
    free(err);

    /* a file in a subfolder is inside */
    char *inside = write_in("suites/data/rows.jsonl", "{\"id\":\"1\",\"prompt\":\"p\",\"answer\":\"x\"}\n");
    free(text);
    text = xasprintf("%s  path: data/rows.jsonl\n  format: jsonl\n", SUITE_HEAD);
    free(write_in("suites/leak.yaml", text));
    cr_assert_eq(harness_run(args, NULL, &err), 0, "inside: %s", err);
    free(err);
    free(inside);
    free(link);
    free(text);
    free(suite);
    free(secret);
}

Test(hostile_files, generator_filler_outside_the_suite_folder_is_refused)
{
    struct buf prose = {0};
    for (int i = 0; i < 40; i++)
        buf_puts(&prose, "Private notes that must never become a prompt. ");
    char *secret = write_in("secret/notes.txt", prose.data);
    buf_free(&prose);
    const char *gen = "suite: gen\nversion: 1\ndefaults:\n  max_tokens: 8\n  scoring: {mode: contains}\n"
                      "generator:\n  type: long_context\n  lengths: [256]\n  depths: [50]\n"
                      "  needles:\n    - {text: \"The number is 4817.\", expected: \"4817\"}\n"
                      "  question: \"What is the number?\"\n  filler: %s\n";
    char *text = xasprintf(gen, "../secret/notes.txt");
    char *suite = write_in("suites/gen.yaml", text);
    const char *args[] = { "suites", "validate", suite, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 2, "%s", err);
    cr_assert_not_null(strstr(err, "--allow-outside-source"), "%s", err);
    free(err);
    const char *allowed[] = { "suites", "validate", "--allow-outside-source", suite, NULL };
    cr_assert_eq(harness_run(allowed, NULL, &err), 0, "%s", err);
    free(err);
    free(text);
    free(suite);
    free(secret);
}
