/* test_sandbox_escape.c - what the program can reach of the host (issue 22
 * items 1 and 2): nothing outside the allowlisted root. Hostile programs of
 * tests/data/sandbox/ run only inside the sandbox; the test plants the
 * targets (a store, the user's 0600 file, the suites, UNIX sockets) on the
 * host, outside the directories the old sandbox hid. */
#include "test_sandbox_common.h"

#include <errno.h>
#include <grp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

static cJSON *hostile(struct sandbox_pool *pool, const char *file, const char *lang,
                      const char *input, const char *expected, struct score_result *r)
{
    struct score_item it;
    tsb_item(&it, lang, input, expected, 5, 256);
    char *src = tsb_data(file);
    cJSON *d = tsb_score(pool, &it, src, r);
    free(src);
    cJSON_Delete(it.data);
    return d;
}

/* A directory of the host outside /root, /home, /run, /tmp and $HOME:
 * /srv/benchai-test-<pid>-<tag> (the issue's own example). */
static char *host_dir(const char *tag, mode_t mode, uid_t owner)
{
    char *dir = xasprintf("/srv/benchai-test-%d-%s", (int)getpid(), tag);
    cr_assert(mkdir(dir, mode) == 0 || errno == EEXIST, "mkdir %s: %s", dir, strerror(errno));
    cr_assert_eq(chown(dir, owner, owner), 0);
    cr_assert_eq(chmod(dir, mode), 0);
    return dir;
}

static char *plant(const char *dir, const char *name, const char *text, mode_t mode, uid_t owner)
{
    char *path = xasprintf("%s/%s", dir, name);
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(path, text, strlen(text), &err), 0, "%s", err.msg);
    cr_assert_eq(chown(path, owner, owner), 0);
    cr_assert_eq(chmod(path, mode), 0);
    return path;
}

/* As root: a store and the suites with their expected answers are 0644 on
 * the host; none may be read. */
Test(sandbox_escape, root_store_and_suites_unreadable)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to plant files under /srv");
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    char *dir = host_dir("store", 0755, 0);
    char *store = plant(dir, "benchai.db", "SQLite format 3 store-marker\n", 0644, 0);
    char *secret = plant(dir, "secret.txt", "s3cret-marker\n", 0600, 0);
    char *input = xasprintf("%s\n%s\n%s/suites/v1/coder.yaml\n%s/suites/languages.yaml\n", store,
                            secret, cwd, cwd);
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "read_host_files.py", "python", input, "CONTAINED\n", &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cr_expect_null(strstr(r.detail_json, "ESCAPED"), "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    sandbox_pool_free(pool);
    unlink(store);
    unlink(secret);
    rmdir(dir);
    free(store); free(secret); free(dir); free(input);
}

/* As a normal user (uid 4242 here): the user's own 0600 file under /srv
 * must stay unreadable, although the program runs with that user's uid on
 * the host. Runs in a forked child that drops to the uid. */
Test(sandbox_escape, user_own_private_file_unreadable, .timeout = 60)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to switch to another uid");
    const uid_t uid = 4242;
    char *dir = host_dir("user", 0700, uid);
    char *secret = plant(dir, "id_rsa", "-----BEGIN user-secret-----\n", 0600, uid);
    pid_t pid = fork();
    if (pid == 0) {
        if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid))
            _exit(10);
        prctl(PR_SET_DUMPABLE, 1, 0, 0, 0);
        setenv("HOME", "/nonexistent", 1);
        setenv("TMPDIR", "/tmp", 1);
        struct bai_error err = {0};
        struct sandbox *sb = sandbox_new(NULL, &err);
        if (!sb)
            _exit(strstr(err.msg, "user") ? 77 : 11);
        char *wd = sandbox_workdir_new(&err);
        char *src = tsb_data("read_host_files.py");
        char *main_py = xasprintf("%s/main.py", wd);
        if (fs_write_atomic(main_py, src, strlen(src), &err) != 0)
            _exit(12);
        const char *argv[] = { "python3", "main.py", NULL };
        char *input = xasprintf("%s\n", secret);
        struct sandbox_job job = { .argv = argv, .host_dir = wd, .stdin_data = input,
                                   .stdin_len = strlen(input) };
        job.limits.wall_s = 10;
        struct sandbox_result r;
        int rc = sandbox_run(sb, &job, &r, &err);
        sandbox_workdir_remove(wd);
        if (rc != 0) {
            fprintf(stderr, "run failed: %s\n", err.msg);
            _exit(13);
        }
        if (strcmp(r.out, "CONTAINED\n") != 0) {
            fprintf(stderr, "user mode: out=%s err=%s\n", r.out, r.err);
            _exit(1);
        }
        _exit(0);
    }
    int ws = 0;
    cr_assert_eq(waitpid(pid, &ws, 0), pid);
    unlink(secret);
    rmdir(dir);
    free(secret);
    free(dir);
    cr_assert(WIFEXITED(ws));
    if (WEXITSTATUS(ws) == 77)
        cr_skip_test("unprivileged user namespaces are disabled on this machine");
    cr_expect_eq(WEXITSTATUS(ws), 0, "the user's 0600 file was read (child status %d)",
                 WEXITSTATUS(ws));
}

static int unix_listener(const struct sockaddr_un *a, socklen_t len)
{
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    cr_assert_geq(s, 0);
    cr_assert_eq(bind(s, (const struct sockaddr *)a, len), 0, "bind: %s", strerror(errno));
    cr_assert_eq(listen(s, 4), 0);
    return s;
}

/* A world-writable socket file under /srv and an abstract socket: neither
 * answers from inside (no host socket in the root; a network namespace of
 * its own has its own abstract names). */
Test(sandbox_escape, host_unix_sockets_unreachable)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to plant a socket under /srv");
    char *dir = host_dir("sock", 0755, 0);
    struct sockaddr_un pa = { .sun_family = AF_UNIX };
    snprintf(pa.sun_path, sizeof pa.sun_path, "%s/s", dir);
    int ps = unix_listener(&pa, sizeof pa);
    cr_assert_eq(chmod(pa.sun_path, 0777), 0);
    struct sockaddr_un aa = { .sun_family = AF_UNIX };
    char abstract[64];
    snprintf(abstract, sizeof abstract, "benchai-test-%d", (int)getpid());
    memcpy(aa.sun_path + 1, abstract, strlen(abstract));
    int as = unix_listener(&aa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + strlen(abstract)));
    char *input = xasprintf("%s\n%s\n", pa.sun_path, abstract);
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "unix_connect.py", "python", input, "CONTAINED\n", &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    int c1 = accept(ps, NULL, NULL), c2 = accept(as, NULL, NULL);
    cr_expect(c1 < 0 && (errno == EAGAIN || errno == EWOULDBLOCK), "the socket file answered");
    cr_expect(c2 < 0, "the abstract socket answered");
    if (c1 >= 0) close(c1);
    if (c2 >= 0) close(c2);
    close(ps);
    close(as);
    unlink(pa.sun_path);
    rmdir(dir);
    cJSON_Delete(d);
    score_result_free(&r);
    sandbox_pool_free(pool);
    free(input);
    free(dir);
}
