#include <criterion/criterion.h>
#include "harness.h"
#include "run/defaults.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

const char *harness_bin(void)
{
    const char *b = getenv("BENCHAI_BIN");
    return b && *b ? b : "./benchai";
}

char *harness_tempdir(void)
{
    char *t = xstrdup("/tmp/benchai-test-XXXXXX");
    if (!mkdtemp(t)) {
        free(t);
        return NULL;
    }
    return t;
}

static char **make_argv(const char *const *args)
{
    size_t n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc(n + 2, sizeof *argv);
    argv[0] = (char *)harness_bin();
    for (size_t i = 0; i < n; i++)
        argv[i + 1] = (char *)args[i];
    return argv;
}

static int status_code(int status)
{
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    if (WIFSIGNALED(status))
        return 128 + WTERMSIG(status);
    return -1;
}

int harness_wait(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        ;
    return status_code(status);
}

pid_t harness_spawn(const char *const *args, const char *dir)
{
    char **argv = make_argv(args);
    char *out = xasprintf("%s/stdout", dir), *err = xasprintf("%s/stderr", dir);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        /* A test that times out is killed by Criterion; its benchai must not
         * live on (with its llama-server) and load the machine for the tests
         * after it. benchai stops its own server when it gets SIGTERM. */
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent)
            _exit(127);
        int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(o, 1);
        dup2(e, 2);
        execv(argv[0], argv);
        _exit(127);
    }
    free(out);
    free(err);
    free(argv);
    return pid;
}

int harness_run_bounded(const char *const *args, int deadline_s, long rlimit_as_mib,
                        long *maxrss_kb, char **out, char **err)
{
    char *dir = harness_tempdir();
    char **argv = make_argv(args);
    char *o = xasprintf("%s/stdout", dir), *e = xasprintf("%s/stderr", dir);
    const char *preload = getenv("LD_PRELOAD");
    int sanitized = (preload && strstr(preload, "asan")) || getenv("ASAN_OPTIONS");
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int fo = open(o, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int fe = open(e, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fo, 1);
        dup2(fe, 2);
        if (rlimit_as_mib > 0 && !sanitized) {
            struct rlimit rl = { (rlim_t)rlimit_as_mib << 20, (rlim_t)rlimit_as_mib << 20 };
            setrlimit(RLIMIT_AS, &rl);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    free(argv);
    time_t until = time(NULL) + deadline_s;
    int status = 0, code = -1;
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    for (;;) {
        pid_t w = wait4(pid, &status, WNOHANG, &ru);
        if (w == pid) {
            code = status_code(status);
            break;
        }
        if (time(NULL) > until) {
            kill(pid, SIGKILL);
            wait4(pid, &status, 0, &ru);
            break;
        }
        usleep(10000);
    }
    if (maxrss_kb)
        *maxrss_kb = ru.ru_maxrss;
    if (out)
        *out = fs_read_file(o, NULL, NULL);
    if (err)
        *err = fs_read_file(e, NULL, NULL);
    unlink(o);
    unlink(e);
    rmdir(dir);
    free(o);
    free(e);
    free(dir);
    return code;
}

int harness_run(const char *const *args, char **out, char **err)
{
    char *dir = harness_tempdir();
    pid_t pid = harness_spawn(args, dir);
    int code = harness_wait(pid);
    char *o = xasprintf("%s/stdout", dir), *e = xasprintf("%s/stderr", dir);
    if (out)
        *out = fs_read_file(o, NULL, NULL);
    if (err)
        *err = fs_read_file(e, NULL, NULL);
    unlink(o);
    unlink(e);
    rmdir(dir);
    free(o);
    free(e);
    free(dir);
    return code;
}

static sqlite3_stmt *query(const char *db_path, const char *sql, sqlite3 **db)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(db_path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        return NULL;
    sqlite3_busy_timeout(*db, 5000);
    if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK) {
        fprintf(stderr, "harness sql: %s: %s\n", sql, sqlite3_errmsg(*db));
        return NULL;
    }
    return st;
}

long long harness_sql_int(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = query(db_path, sql, &db);
    long long v = -1;
    if (st && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

void harness_sql_file(const char *db_path, const char *sql_path)
{
    char *sql = fs_read_file(sql_path, NULL, NULL);
    cr_assert_not_null(sql, "fixture %s (run from the repo root)", sql_path);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK, "%s: %s", sql_path, sqlite3_errmsg(db));
    sqlite3_close(db);
    free(sql);
}

char *harness_sql_text(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = query(db_path, sql, &db);
    char *v = NULL;
    if (st && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        v = xstrdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

char *harness_cmdline(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/cmdline", (long)pid);
    size_t len = 0;
    char *cmd = fs_read_file(path, &len, NULL);
    for (size_t i = 0; cmd && i + 1 < len; i++)
        if (cmd[i] == '\0')
            cmd[i] = ' ';
    return cmd;
}

/* Calls fn for every process whose command line names llama-server. */
static int each_server(int (*fn)(void *ctx, pid_t pid, const char *cmd), void *ctx)
{
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char *cmd = harness_cmdline((pid_t)atol(e->d_name));
        /* a zombie has an empty cmdline and holds nothing */
        if (cmd && strstr(cmd, "llama-server"))
            count += fn(ctx, (pid_t)atol(e->d_name), cmd);
        free(cmd);
    }
    closedir(d);
    return count;
}

static int has_marker(void *ctx, pid_t pid, const char *cmd)
{
    (void)pid;
    return strstr(cmd, (const char *)ctx) != NULL;
}

int harness_count_servers(const char *marker)
{
    return each_server(has_marker, (void *)marker);
}

struct children { pid_t parent, *out; int max, n; };

static int is_child(void *ctx, pid_t pid, const char *cmd)
{
    (void)cmd;
    struct children *c = ctx;
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    char *stat = fs_read_file(path, NULL, NULL);
    const char *p = stat ? strrchr(stat, ')') : NULL;
    long ppid = 0;
    char state = 0;
    int ok = p && sscanf(p + 1, " %c %ld", &state, &ppid) == 2 && ppid == (long)c->parent && state != 'Z';
    free(stat);
    if (ok && c->n < c->max)
        c->out[c->n++] = pid;
    return ok;
}

int harness_child_servers(pid_t parent, pid_t *out, int max)
{
    struct children c = { .parent = parent, .out = out, .max = max };
    each_server(is_child, &c);
    return c.n;
}

int harness_server_port(pid_t pid)
{
    char *cmd = harness_cmdline(pid);
    const char *p = cmd ? strstr(cmd, " --port ") : NULL;
    int port = p ? atoi(p + 8) : -1;
    free(cmd);
    return port > 0 ? port : -1;
}

char *harness_read(const char *dir, const char *name)
{
    char *path = xasprintf("%s/%s", dir, name);
    char *text = fs_read_file(path, NULL, NULL);
    free(path);
    return text ? text : xstrdup("");
}

int harness_wait_servers_gone(const char *marker, int ms)
{
    int n = harness_count_servers(marker);
    for (int waited = 0; n > 0 && waited < ms; waited += 50) {
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
        n = harness_count_servers(marker);
    }
    return n;
}

char *harness_model(const char *name)
{
    return defaults_tiny_model(name);
}

char *harness_llama_server(void)
{
    return defaults_llama_server();
}

int harness_have_llama(void)
{
    char *bin = harness_llama_server();
    char *model = harness_model("tiny-dense");
    int ok = access(bin, X_OK) == 0 && access(model, R_OK) == 0;
    free(bin);
    free(model);
    return ok;
}

struct harness_env harness_env_setup(void)
{
    if (!harness_have_llama())
        cr_skip_test("llama-server or the tiny models are missing (make models)");
    struct harness_env e;
    e.dir = harness_tempdir();
    e.db = xasprintf("%s/benchai.db", e.dir);
    e.logs = xasprintf("%s/logs", e.dir);
    e.marker = xasprintf("benchai-it-%ld-%ld", (long)getpid(), (long)time(NULL) ^ random());
    e.alias_arg = xasprintf("--server-arg=%s", e.marker);
    return e;
}

void harness_env_free(struct harness_env *e)
{
    char *cmd = xasprintf("rm -rf '%s'", e->dir);
    cr_assert_eq(system(cmd), 0);
    free(cmd);
    free(e->dir);
    free(e->db);
    free(e->logs);
    free(e->marker);
    free(e->alias_arg);
}

long long harness_env_int(const struct harness_env *e, const char *sql)
{
    return harness_sql_int(e->db, sql);
}

int harness_cmd(int (*fn)(int, char **), const char *const *args)
{
    char *argv[64];
    int argc = 0;
    for (; args[argc] && argc < 63; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    return fn(argc, argv);
}

char *harness_read_new(FILE *f, long *consumed)
{
    fflush(stdout);
    fflush(stderr);
    struct buf b = { 0 };
    buf_puts(&b, "");
    /* a file: read on from what was consumed; a pipe cannot seek and is
     * consumed by reading anyway */
    (void)fseek(f, *consumed, SEEK_SET);
    clearerr(f);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    *consumed += (long)b.len;
    return buf_detach(&b);
}
