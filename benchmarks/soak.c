/* soak.c - does benchai leak over a night? (issue 14, "Soak")
 *
 * One `benchai run` of a two-point plan: 20,000 requests against the
 * loopback stub (build/bench/stub_server, an OpenAI endpoint; exact-scored
 * items, so the scorer and the scores table are in the path) and then
 * 2,000 against the tiny llama-server (speed items, 8 tokens each). While it
 * runs, benchai's /proc entries are sampled every --interval-ms: resident
 * memory (VmRSS, and its anonymous part, the heap: smaps_rollup), open file
 * descriptors, threads, zombie children; the
 * number of stored samples (runs.n_samples, read-only) gives the progress.
 *
 * Prints, per phase (stub, llama-server): RSS at its start, peak and end;
 * heap, fds and threads at start and end; the most zombies seen; and the
 * growth per 1000 requests over the second half of the phase (least
 * squares of RSS, heap and fds against stored samples), where a leak shows and start-up
 * effects (page cache, connection pool) are over. The figures are printed,
 * not asserted; the exit status is 1 when benchai failed, fds grew by more
 * than 1 per 1000 requests, or a zombie stayed.
 *
 *   soak [--benchai PATH] [--stub PATH] [--stub-requests N] [--llama-requests N]
 *        [--concurrency N] [--interval-ms MS] [--keep] [--series]
 * --series also prints every snapshot (seconds, samples, RSS, heap, fds).
 * Defaults: ./benchai, stub_server beside this binary, 20000, 2000, 4, 200.
 * Needs the tiny models and the cached llama-server (make models).
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench_stub.h"
#include "run/defaults.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"

struct sample {
    double t_s;
    long long done;               /* stored samples */
    long rss_kb, anon_kb, fds, threads, zombies;
};

struct samples {
    struct sample *v;
    size_t n, cap;
};

/* "Key:   value kB" of /proc/PID/<file>, or -1. */
static long proc_field(pid_t pid, const char *file, const char *key)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/%s", (long)pid, file);
    char *text = fs_read_file(path, NULL, NULL);
    long v = -1;
    const char *p = text ? strstr(text, key) : NULL;
    if (p)
        v = strtol(p + strlen(key), NULL, 10);
    free(text);
    return v;
}

static long count_fds(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/fd", (long)pid);
    DIR *d = opendir(path);
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

static long count_zombie_children(pid_t parent)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    long n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        char *stat = fs_read_file(path, NULL, NULL);
        const char *p = stat ? strrchr(stat, ')') : NULL;
        char state = 0;
        long ppid = 0;
        if (p && sscanf(p + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)parent && state == 'Z')
            n++;
        free(stat);
    }
    closedir(d);
    return n;
}

static long long stored_samples(const char *db_path)
{
    sqlite3 *db = NULL;
    long long n = 0;
    if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK) {
        sqlite3_busy_timeout(db, 1000);
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(n_samples), 0) FROM runs", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
    }
    sqlite3_close(db);
    return n;
}

static int write_text(const char *path, const char *text)
{
    struct bai_error err = {0};
    if (fs_write_atomic(path, text, strlen(text), &err) != 0) {
        fprintf(stderr, "soak: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* The two suites and the plan, in dir. */
static int write_plan(const char *dir, int port, int stub_requests, int llama_requests, int concurrency,
                      const char *model)
{
    struct buf b = {0};
    buf_puts(&b, "suite: soak_stub\nversion: 1\ndescription: exact-scored questions for the loopback stub\n"
                 "defaults: {scorer: exact, max_tokens: 16}\nitems:\n");
    for (int i = 0; i < 200; i++)
        buf_printf(&b, "  - {id: q%03d, prompt: \"question %d\", answer: \"a%d\"}\n", i, i, i);
    char *path = xasprintf("%s/soak_stub.yaml", dir);
    int rc = write_text(path, b.data);
    free(path);
    buf_reset(&b);
    buf_puts(&b, "suite: soak_llama\nversion: 1\ndescription: short speed items for the tiny llama-server\n"
                 "kind: speed\nspeed: {pp: 8, tg: 8, ignore_eos: true}\nitems:\n");
    for (int i = 0; i < 100; i++)
        buf_printf(&b, "  - {id: s%03d, prompt: \"speed\"}\n", i);
    path = xasprintf("%s/soak_llama.yaml", dir);
    rc |= write_text(path, b.data);
    free(path);
    buf_reset(&b);
    buf_printf(&b,
               "plan: soak\ndescription: %d stub requests, then %d llama-server requests\n"
               "suites: [\"%s/soak_stub.yaml\"]\nwarmup: 1\n"
               "sweeps:\n"
               "  - name: stub\n    model: http://127.0.0.1:%d\n    suites: [\"%s/soak_stub.yaml\"]\n"
               "    reps: %d\n    concurrency: %d\n"
               "  - name: llama\n    model: \"%s\"\n    suites: [\"%s/soak_llama.yaml\"]\n    reps: %d\n",
               stub_requests, llama_requests, dir, port, dir, stub_requests / 200, concurrency, model, dir,
               llama_requests / 100);
    path = xasprintf("%s/soak.yaml", dir);
    rc |= write_text(path, b.data);
    free(path);
    buf_free(&b);
    return rc;
}

enum figure { RSS, ANON, FDS };

static double figure_of(const struct sample *x, enum figure f)
{
    return f == RSS ? (double)x->rss_kb : f == ANON ? (double)x->anon_kb : (double)x->fds;
}

/* Least-squares slope of a figure against stored samples over v[from, to),
 * per 1000 samples. */
static double slope_per_1000(const struct sample *v, size_t from, size_t to, enum figure f)
{
    double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (size_t i = from; i < to; i++) {
        double x = (double)v[i].done, y = figure_of(&v[i], f);
        n++;
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    double d = n * sxx - sx * sx;
    return n >= 3 && d > 0 ? (n * sxy - sx * sy) / d * 1000.0 : 0.0;
}

/* Prints one phase: snapshots whose progress lies in (lo, hi): from its
 * first stored sample (benchai's own start-up is not "growth") to before
 * its last (after it, the batch's memory is freed and the next point
 * starts). Returns 1
 * when fds grew or a zombie was seen. */
static int report_phase(const char *name, const struct samples *s, long long lo, long long hi)
{
    size_t from = s->n, to = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].done > lo && s->v[i].done < hi) {
            if (from == s->n)
                from = i;
            to = i + 1;
        }
    if (from >= to) {
        printf("%-13s no samples in this phase\n", name);
        return 0;
    }
    long peak = 0, zombies = 0;
    for (size_t i = from; i < to; i++) {
        peak = s->v[i].rss_kb > peak ? s->v[i].rss_kb : peak;
        zombies = s->v[i].zombies > zombies ? s->v[i].zombies : zombies;
    }
    size_t half = from + (to - from) / 2;
    double rss_growth = slope_per_1000(s->v, half, to, RSS);
    double anon_growth = slope_per_1000(s->v, half, to, ANON);
    double fd_growth = slope_per_1000(s->v, half, to, FDS);
    const struct sample *a = &s->v[from], *z = &s->v[to - 1];
    printf("%-13s %8lld  %7ld %7ld %7ld  %+9.1f  %7ld %7ld  %+9.1f  %4ld %4ld  %+7.2f  %4ld %4ld  %7ld\n", name,
           z->done - a->done, a->rss_kb, peak, z->rss_kb, rss_growth, a->anon_kb, z->anon_kb, anon_growth, a->fds,
           z->fds, fd_growth, a->threads, z->threads, zombies);
    return fd_growth > 1.0 || z->zombies > 0;
}

static const char *arg_after(int argc, char **argv, int *i)
{
    if (*i + 1 >= argc) {
        fprintf(stderr, "soak: %s needs a value\n", argv[*i]);
        exit(2);
    }
    return argv[++*i];
}

int main(int argc, char **argv)
{
    const char *benchai = "./benchai";
    char *stub_path = NULL;
    int stub_requests = 20000, llama_requests = 2000, concurrency = 4, interval_ms = 200, keep = 0, series = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--benchai"))
            benchai = arg_after(argc, argv, &i);
        else if (!strcmp(argv[i], "--stub"))
            stub_path = xstrdup(arg_after(argc, argv, &i));
        else if (!strcmp(argv[i], "--stub-requests"))
            stub_requests = atoi(arg_after(argc, argv, &i));
        else if (!strcmp(argv[i], "--llama-requests"))
            llama_requests = atoi(arg_after(argc, argv, &i));
        else if (!strcmp(argv[i], "--concurrency"))
            concurrency = atoi(arg_after(argc, argv, &i));
        else if (!strcmp(argv[i], "--interval-ms"))
            interval_ms = atoi(arg_after(argc, argv, &i));
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else if (!strcmp(argv[i], "--series"))
            series = 1;
        else {
            fprintf(stderr, "usage: soak [--benchai PATH] [--stub PATH] [--stub-requests N] [--llama-requests N]\n"
                            "            [--concurrency N] [--interval-ms MS] [--keep] [--series]\n");
            return 2;
        }
    }
    if (stub_requests < 200 || llama_requests < 100 || concurrency < 1 || interval_ms < 10) {
        fprintf(stderr, "soak: at least 200 stub and 100 llama-server requests, concurrency >= 1\n");
        return 2;
    }
    stub_requests -= stub_requests % 200;
    llama_requests -= llama_requests % 100;
    if (!stub_path) {
        char path[PATH_MAX];
        default_stub_path(path, sizeof path);
        stub_path = xstrdup(path);
    }
    char *model = defaults_tiny_model("tiny-dense"), *server = defaults_llama_server();
    if (!fs_exists(model) || access(server, X_OK) != 0 || access(benchai, X_OK) != 0 ||
        access(stub_path, X_OK) != 0) {
        fprintf(stderr, "soak: needs %s, %s, %s and %s (make bench models)\n", benchai, stub_path, model, server);
        return 2;
    }
    print_machine();

    char dir[] = "/tmp/benchai-soak-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("soak: mkdtemp");
        return 1;
    }
    fflush(stdout);            /* the children must not inherit unwritten output */
    struct stub stub = {0};
    if (stub_start(&stub, stub_path, -1, 0, 16, 0, 0) != 0 ||
        write_plan(dir, stub.port, stub_requests, llama_requests, concurrency, model) != 0) {
        fprintf(stderr, "soak: the stub did not start or the plan could not be written\n");
        return 1;
    }
    char *plan = xasprintf("%s/soak.yaml", dir), *db = xasprintf("%s/soak.db", dir);
    char *logs = xasprintf("%s/logs", dir), *out = xasprintf("%s/benchai.out", dir);
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        FILE *o = freopen(out, "w", stdout);
        if (!o || dup2(1, 2) < 0)
            _exit(127);
        execl(benchai, benchai, "run", "--plan", plan, "--store", db, "--logs", logs, (char *)NULL);
        _exit(127);
    }
    printf("benchai pid %ld: %d requests to the stub at concurrency %d, then %d to the tiny llama-server\n",
           (long)pid, stub_requests, concurrency, llama_requests);
    fflush(stdout);

    struct samples s = {0};
    int64_t t0 = clock_mono_ns();
    int status = 0;
    for (;;) {
        if (waitpid(pid, &status, WNOHANG) == pid)
            break;
        struct sample x = {
            .t_s = (double)(clock_mono_ns() - t0) / 1e9,
            .rss_kb = proc_field(pid, "status", "VmRSS:"), .threads = proc_field(pid, "status", "Threads:"),
            .anon_kb = proc_field(pid, "smaps_rollup", "Anonymous:"),
            .fds = count_fds(pid), .zombies = count_zombie_children(pid),
            .done = fs_exists(db) ? stored_samples(db) : 0,
        };
        if (x.rss_kb > 0 && x.fds >= 0) {
            XGROW(s.v, s.n + 1, s.cap);
            s.v[s.n++] = x;
        }
        clock_sleep_ms(interval_ms);
    }
    double wall_s = (double)(clock_mono_ns() - t0) / 1e9;
    stub_stop(&stub);
    long long total = stored_samples(db);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0 && total == stub_requests + llama_requests;
    printf("benchai exit %d after %.1f s; %lld samples stored of %d; %zu snapshots of /proc every %d ms\n\n",
           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), wall_s, total,
           stub_requests + llama_requests, s.n, interval_ms);
    printf("%-13s %8s  %7s %7s %7s  %9s  %7s %7s  %9s  %4s %4s  %7s  %4s %4s  %7s\n", "phase", "requests",
           "RSS kB", "peak", "end", "kB/1000rq", "heap kB", "end", "kB/1000rq", "fds", "end", "fd/1000", "thr", "end",
           "zombies");
    printf("%-13s %8s  %7s %7s %7s  %9s  %7s %7s  %9s  %4s %4s  %7s  %4s %4s  %7s\n", "", "", "start", "", "",
           "2nd half", "start", "", "2nd half", "start", "", "2nd half", "start", "", "max");
    for (size_t i = 0; series && i < s.n; i++)
        printf("snapshot %7.1f s %6lld samples  RSS %6ld kB  heap %6ld kB  fds %3ld\n", s.v[i].t_s, s.v[i].done,
               s.v[i].rss_kb, s.v[i].anon_kb, s.v[i].fds);
    int grew = report_phase("stub", &s, 0, stub_requests);
    grew |= report_phase("llama-server", &s, stub_requests, (long long)stub_requests + llama_requests);
    for (size_t i = 0; i < s.n; i++)
        if (s.v[i].done == (long long)stub_requests + llama_requests || i + 1 == s.n) {
            printf("\nat the last sample, while benchai exits: RSS %ld kB, heap %ld kB, fds %ld, threads %ld, "
                   "zombies %ld\n", s.v[i].rss_kb, s.v[i].anon_kb, s.v[i].fds, s.v[i].threads, s.v[i].zombies);
            break;
        }
    if (!ok) {
        char *text = fs_read_file(out, NULL, NULL);
        fprintf(stderr, "soak: benchai did not complete the plan; its output:\n%s\n", text ? text : "(none)");
        free(text);
    }
    if (keep) {
        printf("kept %s\n", dir);
    } else {
        char *cmd = xasprintf("rm -rf '%s'", dir);
        if (system(cmd) != 0)
            fprintf(stderr, "soak: could not remove %s\n", dir);
        free(cmd);
    }
    free(plan);
    free(db);
    free(logs);
    free(out);
    free(s.v);
    free(model);
    free(server);
    free(stub_path);
    return ok && !grew ? 0 : 1;
}
