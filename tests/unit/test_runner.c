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
