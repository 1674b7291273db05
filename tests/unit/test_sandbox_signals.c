/* test_sandbox_signals.c - a signal that ends `benchai score` while a
 * program runs in the sandbox leaves no /tmp/benchai-sbx-* behind (issue
 * 22 item 6). Runs ./benchai (built by `make`, which `make unit` needs)
 * with its own TMPDIR and looks there afterwards. */
#include "test_sandbox_common.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static int count_workdirs(const char *tmp)
{
    DIR *d = opendir(tmp);
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d)))
        n += !strncmp(e->d_name, "benchai-sbx-", 12);
    if (d)
        closedir(d);
    return n;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* Starts `benchai score code` on a program that sleeps, waits until its
 * work dir exists, sends sig, and checks what is left. */
static void signal_during_score(int sig)
{
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    char *bin = xasprintf("%s/benchai", cwd);
    if (access(bin, X_OK) != 0) {
        free(bin);
        cr_skip_test("./benchai is not built (make)");
    }
    char tmp[] = "/tmp/benchai-sigtest-XXXXXX";
    cr_assert_not_null(mkdtemp(tmp));
    char *input = xasprintf("%s/in.jsonl", tmp);
    const char *line =
        "{\"id\": \"s\", \"language\": \"python\", \"prediction\": \"```python\\nimport time\\n"
        "time.sleep(30)\\n```\", \"tests\": {\"form\": \"stdio\", \"cases\": [{\"input\": \"\", "
        "\"output\": \"x\\n\"}]}, \"scoring\": {\"timeout_s\": 25}}\n";
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(input, line, strlen(line), &err), 0, "%s", err.msg);
    pid_t pid = fork();
    if (pid == 0) {
        setenv("TMPDIR", tmp, 1);
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        execl(bin, bin, "score", "code", "--input", input, (char *)NULL);
        _exit(127);
    }
    cr_assert_gt(pid, 0);
    int seen = 0;
    for (int i = 0; i < 200 && !seen; i++) {
        seen = count_workdirs(tmp) > 0;
        sleep_ms(50);
    }
    cr_expect(seen, "no work dir appeared in %s", tmp);
    sleep_ms(300);                          /* the program is running now */
    kill(pid, sig);
    int ws = 0;
    pid_t got = 0;
    for (int i = 0; i < 200 && got == 0; i++) {
        got = waitpid(pid, &ws, WNOHANG);
        if (got == 0)
            sleep_ms(50);
    }
    if (got == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &ws, 0);
        cr_expect(0, "benchai score did not end within 10 s of the signal");
    }
    cr_expect(WIFEXITED(ws) && WEXITSTATUS(ws) == BAI_EXIT_INTERRUPTED,
              "exit: %s %d", WIFEXITED(ws) ? "status" : "signal",
              WIFEXITED(ws) ? WEXITSTATUS(ws) : WTERMSIG(ws));
    sleep_ms(200);                          /* the sandbox's processes are gone */
    cr_expect_eq(count_workdirs(tmp), 0, "a /tmp/benchai-sbx-* dir was left in %s", tmp);
    sandbox_workdir_remove(tmp);
    free(input);
    free(bin);
}

Test(sandbox_signals, sigint_during_score_leaves_no_workdir, .timeout = 60)
{
    signal_during_score(SIGINT);
}

Test(sandbox_signals, sigterm_during_score_leaves_no_workdir, .timeout = 60)
{
    signal_during_score(SIGTERM);
}
