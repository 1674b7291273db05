/* test_sandbox_hostile.c - the hostile programs of tests/data/sandbox/ must
 * be contained: the harness survives, the status is the right one, the host
 * is unchanged, and the next program runs normally. Limits are small
 * (timeouts 1-2 s) to keep the suite fast. Expected statuses come from the
 * issue (timeout / memory_limit / output_limit as distinct statuses). */
#include "test_sandbox_common.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>

/* After every attack: a plain program still runs and passes. */
static void next_runs_normally(struct sandbox_pool *pool)
{
    struct score_item it;
    tsb_item(&it, "python", "", "fine\n", 5, 256);
    struct score_result r;
    cJSON *d = tsb_score(pool, &it, "print('fine')", &r);
    cr_expect_str_eq(tsb_status(d), "passed", "next program: %s", r.detail_json);
    cr_expect_eq(r.passed, 1);
    cJSON_Delete(d);
    score_result_free(&r);
    cJSON_Delete(it.data);
}

/* Scores a data file as a one-case stdio item; returns the detail. */
static cJSON *hostile(struct sandbox_pool *pool, const char *file, const char *lang,
                      const char *input, const char *expected, double timeout_s,
                      struct score_result *r)
{
    struct score_item it;
    tsb_item(&it, lang, input, expected, timeout_s, 256);
    char *src = tsb_data(file);
    cJSON *d = tsb_score(pool, &it, src, r);
    free(src);
    cJSON_Delete(it.data);
    return d;
}

Test(sandbox_hostile, tcp_connect_to_host_loopback)
{
    int ls = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    cr_assert_geq(ls, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    cr_assert_eq(bind(ls, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(ls, 4), 0);
    socklen_t al = sizeof a;
    getsockname(ls, (struct sockaddr *)&a, &al);
    char port[16];
    snprintf(port, sizeof port, "%d\n", ntohs(a.sin_port));

    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "tcp_connect.py", "python", port, "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    int c = accept(ls, NULL, NULL);
    cr_expect(c < 0 && (errno == EAGAIN || errno == EWOULDBLOCK),
              "the listener got a connection from inside the sandbox");
    if (c >= 0)
        close(c);
    close(ls);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, inet_socket_refused)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "inet_socket.c", "c", "", "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, forbidden_syscalls_refused)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "syscalls.c", "c", "", "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, fork_bomb_is_stopped_and_cleaned_up, .timeout = 60)
{
    struct sandbox_pool *pool = tsb_pool(1);
    const struct sandbox *sb = sandbox_pool_sandbox(pool);
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    tsb_compile_c(sb, "fork_bomb.c", dir);
    const char *argv[] = { "./prog", NULL };
    /* nproc is per uid across every sandbox: keep the bomb's share small so
     * programs of other tests running at the same time can still fork. */
    struct sandbox_job job = { .argv = argv, .host_dir = dir };
    job.limits.wall_s = 1.5;
    job.limits.nproc = 20;
    struct sandbox_result res;
    cr_assert_eq(sandbox_run(sb, &job, &res, &err), 0, "%s", err.msg);
    cr_expect_eq(res.outcome, SANDBOX_TIMEOUT, "outcome %s", sandbox_outcome_name(res.outcome));
    cr_expect_lt(res.wall_ms, 8000);
    sandbox_result_free(&res);
    cr_expect_eq(tsb_count_comm("bai_bomb"), 0, "fork bomb processes left behind");
    sandbox_workdir_remove(dir);
    free(dir);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, alloc_10g_c_is_memory_limit)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "alloc_10g.c", "c", "", "never\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "memory_limit", "%s", r.detail_json);
    cr_expect_eq(r.passed, 0);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, alloc_10g_python_is_memory_limit)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "alloc_10g.py", "python", "", "never\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "memory_limit", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, write_5g_file_hits_the_limit)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "write_5g.py", "python", "", "CONTAINED\n", 5, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    d = hostile(pool, "write_5g.c", "c", "", "never\n", 5, &r);
    cr_expect_str_eq(tsb_status(d), "output_limit", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, write_outside_work_dir_leaves_host_unchanged)
{
    const char *home = getenv("HOME");
    cr_assert_not_null(home);
    char cwd[4096];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    char *targets[3] = {
        xasprintf("%s/.benchai_escape_%d", home, (int)getpid()),
        xasprintf("/tmp/benchai_escape_%d", (int)getpid()),
        xasprintf("%s/benchai_escape_%d", cwd, (int)getpid()),
    };
    char *input = xasprintf("%s\n%s\n%s\n", targets[0], targets[1], targets[2]);
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "write_outside.py", "python", input, "whatever\n", 2, &r);
    /* The program ran to its end (failed the output check: that is fine). */
    cr_expect_str_eq(tsb_status(d), "failed", "%s", r.detail_json);
    for (int i = 0; i < 3; i++) {
        cr_expect(!fs_exists(targets[i]), "%s appeared on the host", targets[i]);
        unlink(targets[i]);
        free(targets[i]);
    }
    free(input);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, read_marker_in_home_refused)
{
    const char *home = getenv("HOME");
    cr_assert_not_null(home);
    char *marker = xasprintf("%s/.benchai_secret_%d", home, (int)getpid());
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(marker, "s3cret-marker\n", 14, &err), 0, "%s", err.msg);
    chmod(marker, 0644);                   /* readable by anyone who can reach it */
    char *input = xasprintf("%s\n", marker);
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "read_home.py", "python", input, "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cr_expect_null(strstr(r.detail_json, "s3cret"), "the marker leaked: %s", r.detail_json);
    unlink(marker);
    free(marker);
    free(input);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, kill_parent_harness_survives)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "kill_parent.c", "c", "", "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);              /* we are still alive to run it */
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, signal_host_process_refused)
{
    pid_t sleeper = fork();
    if (sleeper == 0) {
        execlp("sleep", "sleep", "30", (char *)NULL);
        _exit(127);
    }
    cr_assert_gt(sleeper, 0);
    char input[32];
    snprintf(input, sizeof input, "%d\n", (int)sleeper);
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "signal_others.c", "c", input, "CONTAINED\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    int ws = 0;
    cr_expect_eq(waitpid(sleeper, &ws, WNOHANG), 0, "the host's sleep was killed");
    kill(sleeper, SIGKILL);
    waitpid(sleeper, &ws, 0);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, daemon_does_not_outlive_the_run)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "daemon.c", "c", "", "started\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "passed", "%s", r.detail_json);
    cr_expect_eq(tsb_count_comm("bai_daemon"), 0, "a daemon survived the run");
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, sleep_past_timeout)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "sleep_forever.py", "python", "", "never\n", 1, &r);
    cr_expect_str_eq(tsb_status(d), "timeout", "%s", r.detail_json);
    const cJSON *w = cJSON_GetObjectItemCaseSensitive(d, "wall_ms");
    cr_expect(cJSON_IsNumber(w) && w->valuedouble < 3000, "took %s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, spin_cpu_forever)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "spin_cpu.c", "c", "", "never\n", 1, &r);
    cr_expect_str_eq(tsb_status(d), "timeout", "%s", r.detail_json);
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}

Test(sandbox_hostile, output_flood_is_output_limit)
{
    struct sandbox_pool *pool = tsb_pool(1);
    struct score_result r;
    cJSON *d = hostile(pool, "output_flood.py", "python", "", "never\n", 2, &r);
    cr_expect_str_eq(tsb_status(d), "output_limit", "%s", r.detail_json);
    cr_expect_lt(strlen(r.detail_json), 64 * 1024, "detail not capped");
    cJSON_Delete(d);
    score_result_free(&r);
    next_runs_normally(pool);
    sandbox_pool_free(pool);
}
