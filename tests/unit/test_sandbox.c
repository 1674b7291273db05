/* test_sandbox.c - the sandbox's ordinary behaviour: capture, stdin, exit
 * codes, isolation facts seen from inside (uid, hostname, read-only root,
 * no network, fresh /proc), file copy in/out, limits, the pool, rlimits
 * mode and the language table. Expected values follow from the jobs run. */
#include "test_sandbox_common.h"

#include <fcntl.h>
#include <pthread.h>
#include <grp.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "util/clock.h"

static struct sandbox *full_sandbox(void)
{
    struct bai_error err = {0};
    struct sandbox *sb = sandbox_new(NULL, &err);
    cr_assert_not_null(sb, "%s", err.msg);
    return sb;
}

/* Runs `sh -c script` with stdin; returns the result (caller frees). */
static struct sandbox_result sh(const struct sandbox *sb, const char *dir, const char *script,
                                const char *input, const struct sandbox_limits *lim)
{
    const char *argv[] = { "sh", "-c", script, NULL };
    struct sandbox_job job = { .argv = argv, .host_dir = dir, .stdin_data = input,
                               .stdin_len = input ? strlen(input) : 0 };
    if (lim)
        job.limits = *lim;
    else
        job.limits.wall_s = 5;
    struct sandbox_result r;
    struct bai_error err = {0};
    cr_assert_eq(sandbox_run(sb, &job, &r, &err), 0, "sandbox_run: %s", err.msg);
    return r;
}

Test(sandbox, captures_stdout_stderr_stdin_and_exit_code)
{
    struct sandbox *sb = full_sandbox();
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    struct sandbox_result r = sh(sb, dir, "read x; echo \"got $x\"; echo oops >&2; exit 7",
                                 "hello\n", NULL);
    cr_expect_eq(r.outcome, SANDBOX_EXITED);
    cr_expect_eq(r.exit_code, 7);
    cr_expect_str_eq(r.out, "got hello\n");
    cr_expect_str_eq(r.err, "oops\n");
    cr_expect_eq(r.mode, SANDBOX_MODE_FULL);
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    cr_expect(!fs_exists(dir), "work dir not removed");
    free(dir);
    sandbox_free(sb);
}

Test(sandbox, isolation_seen_from_inside)
{
    struct sandbox *sb = full_sandbox();
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    struct sandbox_result r = sh(sb, dir,
        "id -u; id -g; hostname; pwd; "
        "touch /usr/benchai_x 2>/dev/null && echo rw-root || echo ro-root; "
        "touch /tmp/ok && echo tmp-writable; "
        "ls /proc | grep -c '^[0-9]'; "                    /* only our few processes */
        "test -e /sys && echo sys || echo no-sys; "
        "tail -n +3 /proc/net/dev | wc -l; "
        "ls -A /root 2>/dev/null | wc -l", NULL, NULL);
    cr_assert_eq(r.exit_code, 0, "stderr: %s", r.err);
    char *lines[16] = {0};
    int n = 0;
    for (char *s = strtok(r.out, "\n"); s && n < 16; s = strtok(NULL, "\n"))
        lines[n++] = s;
    cr_assert_geq(n, 10, "output: %s", r.out);
    cr_expect_str_eq(lines[0], "65534");
    cr_expect_str_eq(lines[1], "65534");
    cr_expect_str_eq(lines[2], "sandbox");
    cr_expect_str_eq(lines[3], "/tmp/work");
    cr_expect_str_eq(lines[4], "ro-root");
    cr_expect_str_eq(lines[5], "tmp-writable");
    cr_expect_leq(atoi(lines[6]), 8, "pids visible: %s", lines[6]);
    cr_expect_str_eq(lines[7], "no-sys");     /* not in the allowlist */
    cr_expect_str_eq(lines[8], "1");          /* lo is the only interface */
    cr_expect_str_eq(lines[9], "0");                       /* /root hidden */
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_free(sb);
}

Test(sandbox, files_copied_in_and_collected_out)
{
    struct sandbox *sb = full_sandbox();
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    char *in = xasprintf("%s/input.txt", dir);
    cr_assert_eq(fs_write_atomic(in, "abc\n", 4, &err), 0);
    const char *argv[] = { "sh", "-c",
        "cat input.txt; echo made > out.bin; echo no > other.txt; ln -s /etc/shadow evil.bin", NULL };
    const char *collect[] = { "*.bin", NULL };
    struct sandbox_job job = { .argv = argv, .host_dir = dir, .collect = collect };
    struct sandbox_result r;
    cr_assert_eq(sandbox_run(sb, &job, &r, &err), 0, "%s", err.msg);
    cr_expect_str_eq(r.out, "abc\n");
    char *out = xasprintf("%s/out.bin", dir), *other = xasprintf("%s/other.txt", dir);
    char *evil = xasprintf("%s/evil.bin", dir);
    char *text = fs_read_file(out, NULL, &err);
    cr_expect_str_eq(text ? text : "", "made\n");
    cr_expect(!fs_exists(other), "uncollected file came back");
    cr_expect(!fs_exists(evil), "a symlink was followed out of the sandbox");
    free(text);
    free(in); free(out); free(other); free(evil);
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_free(sb);
}

Test(sandbox, output_cap_and_timeout)
{
    struct sandbox *sb = full_sandbox();
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    struct sandbox_limits l = { .wall_s = 5, .output_bytes = 1000 };
    struct sandbox_result r = sh(sb, dir, "while :; do echo xxxxxxxxxxxxxxxx; done", NULL, &l);
    cr_expect_eq(r.outcome, SANDBOX_OUTPUT_LIMIT, "%s", sandbox_outcome_name(r.outcome));
    cr_expect_eq(r.out_len, 1000);
    cr_expect(r.out_truncated);
    sandbox_result_free(&r);
    struct sandbox_limits t = { .wall_s = 0.5 };
    r = sh(sb, dir, "sleep 5 & sleep 5; echo late", NULL, &t);
    cr_expect_eq(r.outcome, SANDBOX_TIMEOUT);
    cr_expect_lt(r.wall_ms, 2000);
    cr_expect_str_eq(r.out, "");
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_free(sb);
}

Test(sandbox, missing_program_is_an_error_not_a_crash)
{
    struct sandbox *sb = full_sandbox();
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    const char *argv[] = { "no-such-program-benchai", NULL };
    struct sandbox_job job = { .argv = argv, .host_dir = dir };
    struct sandbox_result r;
    cr_expect_eq(sandbox_run(sb, &job, &r, &err), -1);
    cr_expect_eq(err.exit_code, BAI_EXIT_SANDBOX);
    cr_expect_eq(r.outcome, SANDBOX_START_FAILED);
    sandbox_result_free(&r);
    const char *argv2[] = { "./absent", NULL };     /* relative: exec fails inside -> 127 */
    job.argv = argv2;
    cr_expect_eq(sandbox_run(sb, &job, &r, &err), 0);
    cr_expect_eq(r.outcome, SANDBOX_EXITED);
    cr_expect_eq(r.exit_code, 127);
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_free(sb);
}

Test(sandbox, rlimits_mode_runs_with_limits)
{
    struct bai_error err = {0};
    struct sandbox_options o = { .mode = SANDBOX_MODE_RLIMITS };
    struct sandbox *sb = sandbox_new(&o, &err);
    cr_assert_not_null(sb, "%s", err.msg);
    cr_expect_str_eq(sandbox_mode_name(sandbox_mode(sb)), "rlimits");
    char *dir = sandbox_workdir_new(&err);
    struct sandbox_result r = sh(sb, dir, "id -u; ulimit -t; echo x > f && cat f", NULL, NULL);
    cr_expect_eq(r.exit_code, 0, "%s", r.err);
    cr_expect_eq(r.mode, SANDBOX_MODE_RLIMITS);
    if (geteuid() == 0) {
        /* a host uid of its own, from the sandbox's range */
        unsigned uid = (unsigned)strtoul(r.out, NULL, 10);
        cr_expect(uid >= SANDBOX_HOST_UID_BASE &&
                  uid < SANDBOX_HOST_UID_BASE + SANDBOX_HOST_UID_WINDOWS * SANDBOX_HOST_UID_SLOTS,
                  "uid %s", r.out);
        cr_expect_not_null(strstr(r.out, "\n5\nx\n"), "%s", r.out);
    }
    sandbox_result_free(&r);
    struct sandbox_limits t = { .wall_s = 0.5 };
    r = sh(sb, dir, "sleep 5", NULL, &t);
    cr_expect_eq(r.outcome, SANDBOX_TIMEOUT);
    sandbox_result_free(&r);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_free(sb);
}

struct pool_count {
    pthread_mutex_t mu;
    int done, ok;
};

static void count_done(void *ud, int rc, const struct sandbox_result *res, const struct bai_error *err)
{
    struct pool_count *c = ud;
    pthread_mutex_lock(&c->mu);
    c->done++;
    c->ok += rc == 0 && res->exit_code == 0 && !strcmp(res->out, "ok\n");
    pthread_mutex_unlock(&c->mu);
}

Test(sandbox, pool_submit_returns_at_once_and_drain_waits)
{
    struct sandbox_pool *pool = tsb_pool(2);
    cr_expect_eq(sandbox_pool_workers(pool), 2);
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    const char *argv[] = { "sh", "-c", "sleep 0.3; echo ok", NULL };
    struct sandbox_job job = { .argv = argv, .host_dir = dir };
    struct pool_count c = { .mu = PTHREAD_MUTEX_INITIALIZER };
    int64_t t0 = clock_mono_ns();
    for (int i = 0; i < 6; i++)
        sandbox_pool_submit(pool, &job, count_done, &c);
    double submit_ms = (double)(clock_mono_ns() - t0) / 1e6;
    cr_expect_lt(submit_ms, 100, "submit blocked for %.1f ms", submit_ms);
    sandbox_pool_drain(pool);
    double total_ms = (double)(clock_mono_ns() - t0) / 1e6;
    cr_expect_eq(c.done, 6);
    cr_expect_eq(c.ok, 6);
    /* 6 jobs of 0.3 s on 2 workers: about 0.9 s; one at a time would be >= 1.8 s */
    cr_expect_lt(total_ms, 1700, "no parallelism: %.0f ms", total_ms);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_pool_free(pool);
}

Test(sandbox, language_table_loads_and_templates_expand)
{
    struct bai_error err = {0};
    struct sandbox_langs *t = sandbox_langs_load("suites/languages.yaml", &err);
    cr_assert_not_null(t, "%s", err.msg);
    const struct sandbox_lang *py = sandbox_langs_find(t, "python3");
    cr_assert_not_null(py);
    cr_expect_str_eq(py->name, "python");
    cr_expect_str_eq(py->file, "main.py");
    cr_expect_null(py->compile);
    const struct sandbox_lang *c = sandbox_langs_find(t, "C");
    cr_assert_not_null(c);
    cr_expect_str_eq(c->artifacts[0], "prog");
    const struct sandbox_lang *java = sandbox_langs_find(t, "java");
    cr_assert_not_null(java);
    cr_expect_gt(java->limits.address_space_extra_mb, 0);
    struct sandbox_limits l = { .memory_mb = 300 };
    char **argv = sandbox_lang_argv(java, java->run, &l);
    cr_expect_str_eq(argv[1], "-Xmx300m");
    for (size_t i = 0; argv[i]; i++)
        free(argv[i]);
    free(argv);
    cr_expect_null(sandbox_langs_find(t, "cobol"));
    sandbox_langs_free(t);

    /* errors name the place */
    char *dir = sandbox_workdir_new(&err);
    char *bad = xasprintf("%s/l.yaml", dir);
    const char *text = "languages:\n  x:\n    file: a.x\n    limits: {wall_s: fast}\n    run: [x]\n";
    cr_assert_eq(fs_write_atomic(bad, text, strlen(text), &err), 0);
    bai_error_clear(&err);
    cr_expect_null(sandbox_langs_load(bad, &err));
    cr_expect_not_null(strstr(err.msg, "l.yaml:4:"), "%s", err.msg);
    free(bad);
    sandbox_workdir_remove(dir);
    free(dir);
}

Test(sandbox, probe_reports_full_isolation_here)
{
    struct sandbox_probe p;
    sandbox_probe(&p);
    /* This project's machines are root with namespaces (issue 7). */
    cr_expect(p.mountns && p.pidns && p.netns && p.ipcns && p.utsns, "why: %s", p.why);
    cr_expect(p.seccomp);
    cr_expect(p.rlimits);
    cr_expect(p.full, "why: %s", p.why);
}

/* The path for non-root users: a user namespace maps the caller's uid to
 * 65534 inside. Run as uid 1000 in a forked child of the test. */
Test(sandbox, unprivileged_user_gets_user_namespace)
{
    if (geteuid() != 0)
        cr_skip_test("not root: cannot switch to uid 1000 for this test");
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) || setresgid(1000, 1000, 1000) || setresuid(1000, 1000, 1000))
            _exit(10);
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);   /* as after an exec: /proc/self stays ours */
        setenv("HOME", "/tmp", 1);
        setenv("TMPDIR", "/tmp", 1);
        struct bai_error err = {0};
        struct sandbox *sb = sandbox_new(NULL, &err);
        if (!sb)
            _exit(strstr(err.msg, "user") ? 77 : 11);     /* no unprivileged userns here */
        char *dir = sandbox_workdir_new(&err);
        const char *argv[] = { "sh", "-c", "id -u; touch /usr/x 2>/dev/null || echo ro; hostname", NULL };
        struct sandbox_job job = { .argv = argv, .host_dir = dir };
        struct sandbox_result r;
        if (!dir || sandbox_run(sb, &job, &r, &err) != 0) {
            fprintf(stderr, "userns run failed: %s\n", err.msg);
            sandbox_workdir_remove(dir);
            _exit(12);
        }
        int ok = r.exit_code == 0 && !strcmp(r.out, "65534\nro\nsandbox\n");
        if (!ok)
            fprintf(stderr, "userns run: out=%s err=%s\n", r.out, r.err);
        sandbox_result_free(&r);
        sandbox_workdir_remove(dir);
        _exit(ok ? 0 : 13);
    }
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    cr_assert(WIFEXITED(ws));
    if (WEXITSTATUS(ws) == 77)
        cr_skip_test("unprivileged user namespaces are disabled on this machine");
    cr_expect_eq(WEXITSTATUS(ws), 0, "child status %d", WEXITSTATUS(ws));
}
