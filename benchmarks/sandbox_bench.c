/* sandbox_bench.c - what the sandbox costs per program.
 *
 * Measures, for N trivial programs (default 1000; `sandbox_bench N`):
 *   python: `print(1)` in main.py, run with python3
 *   c:      `int main(){puts("1");}` compiled ONCE (in the sandbox), the
 *           binary then run N times
 * each (a) bare: posix_spawn from this process with stdout captured through a
 * pipe and the sandbox's environment, no isolation; (b) sandboxed one at a time (sandbox_run, full mode:
 * namespaces, read-only root, tmpfs, seccomp, rlimits); (c) sandboxed
 * through the worker pool (nproc workers) for throughput. Reports
 * programs/s, mean latency, CPU time, and the overhead per program =
 * mean(b) - mean(a), with (a) and (b) alternating run by run.
 * Every run's output is checked ("1\n"), so a broken sandbox cannot look fast.
 */
#include <errno.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sandbox/pool.h"
#include "sandbox/sandbox.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"
#include "bench_stub.h"

/* One bare run: posix_spawn in dir with stdout on a pipe; 0 when it printed "1\n". */
static int bare_run(const char *dir, char *const argv[])
{
    int p[2];
    if (pipe(p) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[1], 1);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addchdir_np(&fa, dir);
    pid_t pid;
    /* the environment the sandbox gives its programs, for a fair comparison */
    static char *env[] = { "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                           "PYTHONDONTWRITEBYTECODE=1", "PYTHONHASHSEED=0", "HOME=/tmp",
                           "TMPDIR=/tmp", NULL };
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    if (rc != 0) {
        close(p[0]);
        return -1;
    }
    char buf[64];
    ssize_t n, got = 0;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - (size_t)got)) > 0)
        got += n;
    close(p[0]);
    int ws;
    waitpid(pid, &ws, 0);
    buf[got > 0 ? got : 0] = 0;
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0 && !strcmp(buf, "1\n") ? 0 : -1;
}

struct tally {
    pthread_mutex_t mu;
    int ok, bad;
};

static void tally_done(void *ud, int rc, const struct sandbox_result *res, const struct bai_error *err)
{
    struct tally *t = ud;
    int good = rc == 0 && res->outcome == SANDBOX_EXITED && res->exit_code == 0 &&
               !strcmp(res->out, "1\n");
    pthread_mutex_lock(&t->mu);
    if (good)
        t->ok++;
    else
        t->bad++;
    pthread_mutex_unlock(&t->mu);
}

static void report(const char *what, int n, int failures, double secs)
{
    printf("  %-26s %6d runs %8.1f programs/s %8.2f ms/program%s\n", what, n, n / secs,
           secs * 1000 / n, failures ? "  (FAILURES)" : "");
}

/* CPU seconds used by this process and its reaped children. */
static double cpu_s(void)
{
    struct rusage a, b;
    getrusage(RUSAGE_SELF, &a);
    getrusage(RUSAGE_CHILDREN, &b);
    return (double)(a.ru_utime.tv_sec + a.ru_stime.tv_sec + b.ru_utime.tv_sec + b.ru_stime.tv_sec) +
           (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec + b.ru_utime.tv_usec +
                    b.ru_stime.tv_usec) / 1e6;
}

/* Runs one benchmark; returns the sandbox overhead per program in ms.
 * Bare and sandboxed runs alternate, so a change of load on the machine
 * during the benchmark hits both alike. */
static double bench(const char *name, struct sandbox *sb, struct sandbox_pool *pool,
                    const char *dir, char *const bare_argv[], const char *const sb_argv[], int n,
                    int *failures)
{
    printf("%s:\n", name);
    struct sandbox_job job = { .argv = sb_argv, .host_dir = dir };
    job.limits.wall_s = 10;
    int bad_bare = 0, bad_box = 0;
    double bare = 0, boxed = 0, bare_cpu = 0, boxed_cpu = 0;
    for (int i = 0; i < n; i++) {
        double c0 = cpu_s();
        int64_t t0 = clock_mono_ns();
        bad_bare += bare_run(dir, bare_argv) != 0;
        int64_t t1 = clock_mono_ns();
        double c1 = cpu_s();
        struct sandbox_result r;
        struct bai_error err = {0};
        int rc = sandbox_run(sb, &job, &r, &err);
        int64_t t2 = clock_mono_ns();
        double c2 = cpu_s();
        int ok = rc == 0 && r.exit_code == 0 && !strcmp(r.out, "1\n");
        if (!ok && !bad_box)
            fprintf(stderr, "sandbox_bench: run failed: %s %s\n", err.msg, r.err ? r.err : "");
        bad_box += !ok;
        sandbox_result_free(&r);
        bare += (double)(t1 - t0) / 1e9;
        boxed += (double)(t2 - t1) / 1e9;
        bare_cpu += c1 - c0;
        boxed_cpu += c2 - c1;
    }
    report("bare fork/exec", n, bad_bare, bare);
    report("sandbox, one at a time", n, bad_box, boxed);
    *failures += bad_bare + bad_box;

    struct tally t = { .mu = PTHREAD_MUTEX_INITIALIZER };
    int64_t t0 = clock_mono_ns();
    for (int i = 0; i < n; i++)
        sandbox_pool_submit(pool, &job, tally_done, &t);
    sandbox_pool_drain(pool);
    double pooled = (double)(clock_mono_ns() - t0) / 1e9;
    char label[64];
    snprintf(label, sizeof label, "sandbox, pool of %d", sandbox_pool_workers(pool));
    report(label, n, t.bad, pooled);
    *failures += t.bad;
    double overhead = (boxed - bare) * 1000 / n;
    printf("  CPU time per program: bare %.2f ms, sandbox %.2f ms (this process + children;\n"
           "    kernel work in other threads, e.g. namespace teardown, not included)\n",
           bare_cpu * 1000 / n, boxed_cpu * 1000 / n);
    printf("  sandbox overhead (wall): %.2f ms per program (target < 10 ms)\n\n", overhead);
    return overhead;
}

static int write_file(const char *dir, const char *name, const char *text)
{
    struct bai_error err = {0};
    char *p = xasprintf("%s/%s", dir, name);
    int rc = fs_write_atomic(p, text, strlen(text), &err);
    if (rc)
        fprintf(stderr, "sandbox_bench: %s\n", err.msg);
    free(p);
    return rc;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 1000;
    if (n <= 0) {
        fprintf(stderr, "usage: sandbox_bench [N]\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    print_machine();
    struct bai_error err = {0};
    struct sandbox *sb = sandbox_new(NULL, &err);
    struct sandbox *sb2 = sb ? sandbox_new(NULL, &err) : NULL;
    if (!sb || !sb2) {
        fprintf(stderr, "sandbox_bench: %s\n", err.msg);
        return 6;
    }
    struct sandbox_pool *pool = sandbox_pool_new(sb2, NULL, 0, &err);
    char *dir = sandbox_workdir_new(&err);
    if (!pool || !dir) {
        fprintf(stderr, "sandbox_bench: %s\n", err.msg);
        return 6;
    }
    printf("programs: %d per language; sandbox mode %s\n\n", n, sandbox_mode_name(sandbox_mode(sb)));
    int failures = 0;

    if (write_file(dir, "main.py", "print(1)\n") != 0)
        return 1;
    char *py_bare[] = { "/usr/bin/python3", "main.py", NULL };
    const char *py_sb[] = { "python3", "main.py", NULL };
    double py = bench("python (python3 main.py)", sb, pool, dir, py_bare, py_sb, n, &failures);

    /* compile once, in the sandbox, keeping the binary */
    if (write_file(dir, "main.c", "#include <stdio.h>\nint main(void) { puts(\"1\"); return 0; }\n"))
        return 1;
    const char *cc[] = { "gcc", "-O2", "-o", "prog", "main.c", NULL };
    const char *collect[] = { "prog", NULL };
    struct sandbox_job cj = { .argv = cc, .host_dir = dir, .collect = collect };
    cj.limits.wall_s = 60;
    cj.limits.memory_mb = 2048;
    struct sandbox_result r;
    int64_t t0 = clock_mono_ns();
    if (sandbox_run(sb, &cj, &r, &err) != 0 || r.exit_code != 0) {
        fprintf(stderr, "sandbox_bench: compile failed: %s %s\n", err.msg, r.err ? r.err : "");
        return 1;
    }
    printf("c: compiled once in the sandbox in %.1f ms\n", (double)(clock_mono_ns() - t0) / 1e6);
    sandbox_result_free(&r);
    char *prog = xasprintf("%s/prog", dir);
    char *c_bare[] = { prog, NULL };
    const char *c_sb[] = { "./prog", NULL };
    double c = bench("c (./prog, compiled once)", sb, pool, dir, c_bare, c_sb, n, &failures);

    printf("summary: overhead per program python %.2f ms, c %.2f ms; %d failed runs\n",
           py, c, failures);
    free(prog);
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_pool_free(pool);
    sandbox_free(sb);
    return failures ? 1 : 0;
}
