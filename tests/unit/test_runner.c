/* test_runner.c - `benchai run` and `benchai resume` in process, against
 * the fake OpenAI endpoint on loopback (tests/helpers/fake_openai.c): the
 * runner releases what it opened on its error paths, and resuming or
 * joining a run whose suite file changed since it started is refused
 * unless --force, which is recorded with the run. Suites are written by
 * the tests into temp folders. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "fake_openai.h"
#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static struct fake_openai *fake;
static char *dir;

static void setup(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake, "fake server did not start");
    fake_openai_set_reply(fake, "13");
    dir = harness_tempdir();
    cr_assert_not_null(dir);
}

static void teardown(void)
{
    fake_openai_stop(fake);
    fake = NULL;
    free(dir);
    dir = NULL;
}

TestSuite(runner, .init = setup, .fini = teardown, .timeout = 60);

static char *write_file(const char *name, const char *text)
{
    char *path = xasprintf("%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
    return path;
}

static int count_entries(const char *path)
{
    DIR *d = opendir(path);
    cr_assert_not_null(d, "%s", path);
    int n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static int argc_of(char **argv)
{
    int n = 0;
    while (argv[n])
        n++;
    return n;
}

Test(runner, sandbox_pool_is_released_when_the_store_cannot_open)
{
    /* a code item makes the runner start its sandbox pool (worker threads)
     * before it opens the store; a file that is not SQLite fails the open */
    char *suite = write_file("pool_leak.yaml",
                             "suite: pool_leak\nversion: 1\ndescription: one code item\n"
                             "items:\n  - id: c1\n    scorer: code\n    language: python\n"
                             "    prompt: Write add(a, b).\n"
                             "    tests: {form: asserts, asserts: [\"assert add(1, 2) == 3\"]}\n");
    char *store = write_file("not-a-store.db", "this is not an SQLite database, it is text long enough\n"
                                               "to be read as a header and refused by SQLite.\n");
    char *logs = xasprintf("%s/logs", dir);
    int threads_before = count_entries("/proc/self/task");
    int fds_before = count_entries("/proc/self/fd");
    char *argv[] = { "run", "--suite", suite, "--backend", "openai", "--url", (char *)fake_openai_url(fake),
                     "--model", "m", "--no-stream", "--sandbox", "rlimits", "--store", store, "--logs", logs,
                     NULL };
    cr_assert_eq(cmd_run(argc_of(argv), argv), BAI_EXIT_STORE);
    /* the pool's workers were joined and the store's descriptors closed */
    cr_assert_eq(count_entries("/proc/self/task"), threads_before);
    cr_assert_eq(count_entries("/proc/self/fd"), fds_before);
    cr_assert_eq(fake_openai_chat_requests(fake), 0, "nothing was sent");
    free(suite);
    free(store);
    free(logs);
}

/* ---- a suite that changed since the run started ----------------------------- */

#define SUITE_V1 "suite: drift\nversion: 1\ndescription: exact answers\n" \
                 "defaults: {scorer: exact, max_tokens: 8}\nitems:\n" \
                 "  - {id: a, prompt: \"9 + 4?\", answer: \"13\"}\n" \
                 "  - {id: b, prompt: \"6 + 7?\", answer: \"13\"}\n"
/* the same suite with item b's answer changed and an item added */
#define SUITE_V1_EDITED "suite: drift\nversion: 1\ndescription: exact answers\n" \
                        "defaults: {scorer: exact, max_tokens: 8}\nitems:\n" \
                        "  - {id: a, prompt: \"9 + 4?\", answer: \"13\"}\n" \
                        "  - {id: b, prompt: \"6 + 7?\", answer: \"14\"}\n" \
                        "  - {id: c, prompt: \"10 + 3?\", answer: \"13\"}\n"

/* Runs a command with stderr captured (caller frees *err_out). */
static int run_captured(int (*fn)(int, char **), char **argv, char **err_out)
{
    char *file = xasprintf("%s/stderr.txt", dir);
    fflush(stderr);
    int saved = dup(2);
    FILE *f = fopen(file, "w");
    cr_assert_not_null(f);
    dup2(fileno(f), 2);
    fclose(f);
    int rc = fn(argc_of(argv), argv);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    *err_out = fs_read_file(file, NULL, NULL);
    cr_assert_not_null(*err_out);
    unlink(file);
    free(file);
    return rc;
}

struct drift {
    char *suite, *store, *logs;
};

static void drift_setup(struct drift *d)
{
    d->suite = write_file("drift.yaml", SUITE_V1);
    d->store = xasprintf("%s/drift.db", dir);
    d->logs = xasprintf("%s/logs", dir);
}

static void drift_free(struct drift *d)
{
    free(d->suite);
    free(d->store);
    free(d->logs);
}

/* `benchai run` of the drift suite on the fake endpoint into --run-id id. */
static int drift_run(const struct drift *d, const char *id, int force, char **err_out)
{
    char *argv[] = { "run", "--suite", d->suite, "--backend", "openai", "--url", (char *)fake_openai_url(fake),
                     "--model", "m", "--no-stream", "--warmup", "0", "--store", d->store, "--logs", d->logs,
                     "--run-id", (char *)id, force ? "--force" : NULL, NULL };
    return run_captured(cmd_run, argv, err_out);
}

static long long sql_int(const struct drift *d, const char *sql)
{
    return harness_sql_int(d->store, sql);
}

Test(runner, joining_a_run_whose_suite_changed_is_refused_unless_forced)
{
    struct drift d;
    drift_setup(&d);
    char *err = NULL;
    cr_assert_eq(drift_run(&d, "night-1", 0, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    /* the run records each suite as it started */
    char *sha = harness_sql_text(d.store, "SELECT json_extract(plan_json, '$.suites[0].sha256') FROM runs");
    char *sha_samples = harness_sql_text(d.store, "SELECT sha256 FROM suites");
    cr_assert(sha && sha_samples && !strcmp(sha, sha_samples), "%s vs %s", sha, sha_samples);
    /* joining it again with the same file is fine (nothing left to send) */
    cr_assert_eq(drift_run(&d, "night-1", 0, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    int sent = fake_openai_chat_requests(fake);
    cr_assert_eq(sent, 2);

    free(write_file("drift.yaml", SUITE_V1_EDITED));
    cr_assert_eq(drift_run(&d, "night-1", 0, &err), BAI_EXIT_USAGE, "%s", err);
    cr_assert(strstr(err, "suite drift changed since run night-1 started") && strstr(err, "--force"), "%s", err);
    char short_sha[13];
    snprintf(short_sha, sizeof short_sha, "%s", sha);
    cr_assert(strstr(err, short_sha), "names the hash the run started with: %s", err);
    free(err);
    cr_assert_eq(fake_openai_chat_requests(fake), sent, "nothing was sent");
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM samples"), 2);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM runs WHERE status = 'done'"), 1, "status untouched");
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM incidents WHERE kind = 'suite_changed'"), 0);

    cr_assert_eq(drift_run(&d, "night-1", 1, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    /* accepted: the edited suite's three items are run under its new hash,
     * and the run says so */
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM samples"), 5);
    cr_assert_eq(sql_int(&d, "SELECT count(DISTINCT suite_id) FROM samples"), 2);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM incidents WHERE kind = 'suite_changed'"
                             " AND message LIKE '%accepted with --force%'"), 1);
    char *like = xasprintf("SELECT count(*) FROM incidents WHERE kind = 'suite_changed' AND message LIKE '%%%s%%'",
                           short_sha);
    cr_assert_eq(sql_int(&d, like), 1);
    free(like);
    free(sha);
    free(sha_samples);
    drift_free(&d);
}

Test(runner, resume_of_a_run_whose_suite_changed_is_refused_unless_forced)
{
    struct drift d;
    drift_setup(&d);
    char *err = NULL;
    cr_assert_eq(drift_run(&d, "night-2", 0, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM samples"), 2);

    free(write_file("drift.yaml", SUITE_V1_EDITED));
    char *resume[] = { "resume", "night-2", "--store", d.store, NULL };
    cr_assert_eq(run_captured(cmd_resume, resume, &err), BAI_EXIT_USAGE, "%s", err);
    cr_assert(strstr(err, "suite drift changed since run night-2 started") && strstr(err, "--force"), "%s", err);
    free(err);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM samples"), 2);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM runs WHERE status = 'done'"), 1, "status untouched");

    char *forced[] = { "resume", "night-2", "--store", d.store, "--force", NULL };
    cr_assert_eq(run_captured(cmd_resume, forced, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM samples"), 5);
    cr_assert_eq(sql_int(&d, "SELECT count(*) FROM incidents WHERE kind = 'suite_changed'"), 1);

    /* restoring the file the run started with needs no --force */
    free(write_file("drift.yaml", SUITE_V1));
    cr_assert_eq(run_captured(cmd_resume, resume, &err), BAI_EXIT_OK, "%s", err);
    free(err);
    char *bad[] = { "resume", "night-2", "--frce", NULL };
    cr_assert_eq(run_captured(cmd_resume, bad, &err), BAI_EXIT_USAGE);
    free(err);
    drift_free(&d);
}
