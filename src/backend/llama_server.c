/* llama_server.c - one launched llama-server (see llama_server.h): its argv
 * walked from the settings table and spelled by server_flags.c, a free
 * loopback port, the spawn into its own process group with the log file,
 * the wait for /health, /props and /slots recorded and verified, the
 * health watch started, death recorded and reaped, restart and
 * SIGTERM-then-SIGKILL stop. */
#include "backend/llama_server.h"
#include "backend/health_watch.h"
#include "backend/llama_procs.h"
#include "backend/server_flags.h"
#include "net/http.h"
#include "util/escape.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/defaults.h"
#include "util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct llama_server {
    struct strv argv;            /* without --host/--port */
    struct strv envp;            /* the server's environment; v NULL: benchai's own */
    char *env_shown;             /* "env -u A B=1 " for the recorded command line, or NULL */
    char *log_path;
    char *url;
    char *command_line;
    char *death;
    char *build;
    cJSON *info;
    int port;
    pid_t pid;
    int startup_timeout_s;
    volatile sig_atomic_t *cancel;
    int hang_ms;                 /* 0: not watched */
    struct health_watch *watch;  /* while it runs (hang_ms > 0) */
    cJSON *thread_split;         /* llama_server_thread_split */
    cJSON *competing;            /* llama_server_competing */
    char *notice;                /* llama_server_notice */
    struct llama_server_launch *launches;   /* llama_server_launches */
    size_t n_launches, cap_launches;
    struct memwatch *mem;        /* samples the running process (NULL when not running) */
};

/* Pushes "flag value" for one of benchai's own flags. */
static int push_flag(struct strv *a, const struct server_flags *f, enum server_flag s,
                     const char *value, struct bai_error *err)
{
    const char *flag = server_flags_spelling(f, s, err);
    if (!flag)
        return -1;
    strv_push(a, flag);
    if (value)
        strv_push(a, value);
    return 0;
}

/* Pushes one setting of the table in this build's spelling: a value flag,
 * a GGUF override (<arch>.<key>=int:N), or raw words. */
static int push_setting(struct strv *a, const struct server_flags *f, const struct setting_def *d,
                        const struct setting_value *v, const char *arch, struct bai_error *err)
{
    if (d->kind == SETTING_ARGV) {
        for (size_t k = 0; k < v->list.n; k++)
            strv_push(a, v->list.v[k]);
        return 0;
    }
    if (d->kind == SETTING_ARGS) {
        char *copy = xstrdup(v->text), *save = NULL;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save))
            strv_push(a, t);
        free(copy);
        return 0;
    }
    const char *flag = server_flags_first(f, d->server, d->name, err);
    if (!flag)
        return -1;
    strv_push(a, flag);
    if (d->flags & SETTING_GGUF_KV) {
        char *kv = xasprintf("%s.%s=int:%s", arch ? arch : "llama", d->kv_key, v->text);
        strv_push(a, kv);
        free(kv);
    } else {
        strv_push(a, v->text);
    }
    return 0;
}

int llama_server_build_argv(const struct llama_server_config *cfg, struct strv *out, struct bai_error *err)
{
    struct server_flags flags;
    memset(out, 0, sizeof *out);
    if (server_flags_load(cfg->binary, &flags, err) != 0)
        return -1;
    static const struct settings none;
    const struct settings *set = cfg->settings ? cfg->settings : &none;
    struct strv a = {0};
    int rc = 0;
    /* a wrapper command comes first; its program is looked up in PATH here,
     * so the forked child only calls execve */
    const char *wrapper = settings_text(set, SETTING_WRAPPER);
    if (wrapper) {
        char *copy = xstrdup(wrapper), *save = NULL;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            char *found = a.n == 0 && !strchr(t, '/') ? fs_which(t) : NULL;
            if (a.n == 0 && !strchr(t, '/') && !found) {
                bai_error_set(err, BAI_EXIT_USAGE, "wrapper '%s': %s is not found in PATH", wrapper, t);
                free(copy);
                server_flags_free(&flags);
                strv_free(&a);
                return -1;
            }
            strv_push(&a, found ? found : t);
            free(found);
        }
        free(copy);
    }
    strv_push(&a, cfg->binary);
    rc |= push_flag(&a, &flags, SFLAG_MODEL, cfg->model, err);
    if (!rc && cfg->mmproj)
        rc |= push_flag(&a, &flags, SFLAG_MMPROJ, cfg->mmproj, err);
    if (!rc && cfg->draft) {
        rc |= push_flag(&a, &flags, SFLAG_DRAFT_MODEL, cfg->draft, err);
        /* In newer builds -md only loads the draft; speculation needs a type. */
        if (!rc && !settings_is_set(set, SETTING_SPEC_TYPE) && server_flags_accepts(&flags, "--spec-type"))
            rc |= push_flag(&a, &flags, SFLAG_SPEC_TYPE, "draft-simple", err);
    }
    /* the table's settings in table order, raw words last (they may override) */
    for (int pass = 0; pass < 2 && !rc; pass++) {
        /* This build logs the model / KV-cache / compute buffer sizes and
         * the offloaded layers at verbosity 4 only (loadlog.h reads them);
         * before the raw words, so they may still override it. */
        if (pass == 1 && server_flags_accepts(&flags, "--log-verbosity")) {
            strv_push(&a, "--log-verbosity");
            strv_push(&a, "4");
        }
        for (size_t i = 0; i < settings_count() && !rc; i++) {
            const struct setting_def *d = settings_def((int)i);
            int raw = d->kind == SETTING_ARGS || d->kind == SETTING_ARGV;
            if (raw != pass || d->scope != SETTING_LAUNCH || i == SETTING_WRAPPER || d->kind == SETTING_ENVIRON)
                continue;
            struct setting_value dflt = { .set = 1, .text = (char *)d->server_default };
            const struct setting_value *v = set->v[i].set ? &set->v[i] : d->server_default ? &dflt : NULL;
            if (v)
                rc |= push_setting(&a, &flags, d, v, cfg->arch, err);
        }
    }
    if (!rc && server_flags_accepts(&flags, "--no-webui"))
        strv_push(&a, "--no-webui");
    server_flags_free(&flags);
    if (rc) {
        strv_free(&a);
        return -1;
    }
    *out = a;
    return 0;
}

/* Asks the kernel for a free loopback port. Another process could take it
 * before the server binds; start-up then fails with "address in use" and
 * the caller tries another port. */
static int free_port(struct bai_error *err)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "socket: %s", strerror(errno));
        return -1;
    }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "bind 127.0.0.1:0: %s", strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return ntohs(addr.sin_port);
}

/* The command line as one string a shell runs as these exact words
 * (util/escape.h's quoting, also what `run --dry-run` prints). */
static char *shell_quote_argv(char *const *argv)
{
    struct buf b = {0};
    for (size_t i = 0; argv[i]; i++) {
        if (i)
            buf_putc(&b, ' ');
        esc_shell_quote(&b, argv[i]);
    }
    return buf_detach(&b);
}

static pid_t spawn(struct llama_server *s, struct bai_error *err)
{
    int log_fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (log_fd < 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "server log %s: %s", s->log_path, strerror(errno));
        return -1;
    }
    /* built before fork: the child only calls execve */
    struct strv full = { 0 };
    for (size_t i = 0; i < s->argv.n; i++)
        strv_push(&full, s->argv.v[i]);
    strv_push(&full, "--host");
    strv_push(&full, "127.0.0.1");
    strv_push(&full, "--port");
    strv_pushf(&full, "%d", s->port);
    free(s->command_line);
    char *quoted = shell_quote_argv(full.v);
    s->command_line = s->env_shown ? xasprintf("%s%s", s->env_shown, quoted) : xstrdup(quoted);
    free(quoted);
    dprintf(log_fd, "# benchai: starting %s\n", s->command_line);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "fork: %s", strerror(errno));
        close(log_fd);
        strv_free(&full);
        return -1;
    }
    if (pid == 0) {
        setpgid(0, 0);
        /* Dies with benchai, even when benchai is SIGKILLed. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent)
            _exit(1);
        int devnull = open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            dup2(devnull, 0);
        dup2(log_fd, 1);
        dup2(log_fd, 2);
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGPIPE, SIG_DFL);
        if (s->envp.v)
            execve(full.v[0], full.v, s->envp.v);
        else
            execv(full.v[0], full.v);
        dprintf(2, "benchai: exec %s: %s\n", full.v[0], strerror(errno));
        _exit(127);
    }
    setpgid(pid, pid);
    close(log_fd);
    strv_free(&full);
    return pid;
}

extern char **environ;

/* The environment a server with these settings runs in: benchai's own with
 * each NAME of the env setting removed or set (built here, before fork, so
 * the child only calls execve). *shown gets "env -u A B=1 " for the
 * recorded command line. v NULL when the setting is not set. */
static struct strv build_env(const struct settings *set, char **shown)
{
    struct strv envp = { 0 };
    *shown = NULL;
    if (!set || !settings_is_set(set, SETTING_ENV))
        return envp;
    const struct setting_value *v = &set->v[SETTING_ENV];
    for (size_t i = 0; environ[i]; i++) {
        size_t len = strcspn(environ[i], "=");
        int changed = 0;
        for (size_t j = 0; j < v->list.n && !changed; j++)
            changed = strcspn(v->list.v[j], "=") == len && !strncmp(v->list.v[j], environ[i], len);
        if (!changed)
            strv_push(&envp, environ[i]);
    }
    struct buf b = {0};
    buf_puts(&b, "env");
    for (size_t j = 0; j < v->list.n; j++) {
        if (strchr(v->list.v[j], '='))
            strv_push(&envp, v->list.v[j]);
        char *q[] = { v->list.v[j], NULL };
        char *quoted = shell_quote_argv(q);
        buf_printf(&b, strchr(v->list.v[j], '=') ? " %s" : " -u %s", quoted);
        free(quoted);
    }
    buf_putc(&b, ' ');
    *shown = buf_detach(&b);
    if (!envp.v)                              /* every variable removed: an empty one */
        envp.v = xcalloc(1, sizeof *envp.v);
    return envp;
}

static void record_death(struct llama_server *s, int status)
{
    free(s->death);
    if (WIFSIGNALED(status))
        s->death = xasprintf("killed by signal %d", WTERMSIG(status));
    else
        s->death = xasprintf("exit status %d", WEXITSTATUS(status));
    s->pid = 0;
}

/* Reaps a server the health watch has killed. A process stuck in the kernel
 * (state D) may take a while to die; after 10 s it is left behind (and
 * said so) rather than blocking the run. */
static void reap_killed(struct llama_server *s)
{
    kill(-s->pid, SIGKILL);
    int status;
    for (int waited_ms = 0; waited_ms < 10000; waited_ms += 20) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid || (r < 0 && errno != EINTR))
            break;
        if (waited_ms + 20 >= 10000)
            log_warn("llama-server pid %ld did not exit 10 s after SIGKILL; leaving it", (long)s->pid);
        clock_sleep_ms(20);
    }
    s->pid = 0;
}

/* The watch thread never reaps: the process is only looked at here
 * (waitid with WNOWAIT) and reaped after the watch is joined, so the pid
 * cannot be reused while the watch may still signal it. */
int llama_server_alive(struct llama_server *s)
{
    if (!s || s->pid <= 0)
        return 0;
    if (health_watch_fired(s->watch)) {
        char *verdict = health_watch_stop(s->watch);
        s->watch = NULL;
        reap_killed(s);
        free(s->death);
        s->death = verdict ? verdict : xstrdup("hung");
        return 0;
    }
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)s->pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == s->pid) {
        free(health_watch_stop(s->watch));
        s->watch = NULL;
        int status;
        if (waitpid(s->pid, &status, 0) == s->pid) {
            record_death(s, status);
            return 0;
        }
        s->pid = 0;
        return 0;
    }
    return 1;
}

const char *llama_server_death(const struct llama_server *s)
{
    return s ? s->death : NULL;
}

static cJSON *get_json(const char *base, const char *path)
{
    char *url = xasprintf("%s%s", base, path);
    long status = 0;
    char *body = NULL;
    struct bai_error ignored = {0};
    cJSON *j = NULL;
    if (http_request_sync("GET", url, NULL, NULL, 10000, &status, &body, &ignored) == 0 && status == 200)
        j = cJSON_Parse(body);
    free(body);
    free(url);
    return j;
}

static void fetch_info(struct llama_server *s)
{
    cJSON_Delete(s->info);
    s->info = cJSON_CreateObject();
    cJSON *props = get_json(s->url, "/props");
    cJSON *slots = get_json(s->url, "/slots");
    free(s->build);
    s->build = NULL;
    const cJSON *b = props ? cJSON_GetObjectItemCaseSensitive(props, "build_info") : NULL;
    if (cJSON_IsString(b))
        s->build = xstrdup(b->valuestring);
    cJSON_AddItemToObject(s->info, "props", props ? props : cJSON_CreateNull());
    cJSON_AddItemToObject(s->info, "slots", slots ? slots : cJSON_CreateNull());
}

/* Polls /health until 200. 503 means "loading model"; a refused connection
 * means "not listening yet" unless the process has died. A server that
 * accepts the connection but gives no answer at all for the hang timeout
 * is hung (stopped, deadlocked): start-up fails then, instead of waiting
 * for the whole start-up timeout. */
static int wait_ready(struct llama_server *s, struct bai_error *err)
{
    int timeout_s = s->startup_timeout_s > 0 ? s->startup_timeout_s : BAI_STARTUP_TIMEOUT_S;
    int64_t deadline = clock_mono_ns() + (int64_t)timeout_s * 1000000000LL;
    int64_t last_sign = clock_mono_ns();
    while (clock_mono_ns() < deadline) {
        if (s->cancel && *s->cancel) {
            bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted while llama-server was starting");
            return -1;
        }
        if (!llama_server_alive(s)) {
            char *tail = fs_tail_lines(s->log_path, 12, "(no log)");
            bai_error_set(err, BAI_EXIT_BACKEND, "llama-server exited during start-up (%s); last lines of %s:\n%s",
                          s->death ? s->death : "?", s->log_path, tail);
            free(tail);
            return -1;
        }
        int status = 0;
        char why[160] = "";
        enum health_probe r = health_probe(s->port, 2000, &status, why, sizeof why);
        if (r == HEALTH_ANSWERED && status == 200)
            return 0;
        if (r != HEALTH_SILENT) {
            last_sign = clock_mono_ns();
        } else if (s->hang_ms > 0 && clock_mono_ns() - last_sign >= (int64_t)s->hang_ms * 1000000LL) {
            char state[64];
            llama_procs_state(s->pid, state, sizeof state);
            bai_error_set(err, BAI_EXIT_BACKEND, "llama-server hung during start-up: no answer to /health for "
                          "%.1f s (last: %s), process state %s (log: %s)",
                          (double)(clock_mono_ns() - last_sign) / 1e9, why, state, s->log_path);
            return -1;
        }
        clock_sleep_ms(100);
    }
    bai_error_set(err, BAI_EXIT_BACKEND, "llama-server not ready after %d s (log: %s)", timeout_s,
                  s->log_path);
    return -1;
}

/* The running start's last memory sample, taken while it still runs. */
static void mem_stop(struct llama_server *s)
{
    if (!s->mem)
        return;
    struct memwatch_figures f;
    memwatch_stop(s->mem, &f);
    s->mem = NULL;
    if (s->n_launches)
        s->launches[s->n_launches - 1].mem = f;
}

static void kill_group(struct llama_server *s, int grace_ms)
{
    mem_stop(s);
    free(health_watch_stop(s->watch));
    s->watch = NULL;
    if (s->pid <= 0)
        return;
    kill(-s->pid, SIGTERM);
    int64_t deadline = clock_mono_ns() + (int64_t)grace_ms * 1000000LL;
    int status;
    while (clock_mono_ns() < deadline) {
        pid_t r = waitpid(s->pid, &status, WNOHANG);
        if (r == s->pid || (r < 0 && errno == ECHILD)) {
            kill(-s->pid, SIGKILL);    /* stragglers in the group */
            s->pid = 0;
            return;
        }
        clock_sleep_ms(20);
    }
    kill(-s->pid, SIGKILL);
    while (waitpid(s->pid, &status, 0) < 0 && errno == EINTR)
        ;
    s->pid = 0;
}

static void watch_start(struct llama_server *s)
{
    if (s->hang_ms <= 0)
        return;
    struct health_watch_config wc = { .port = s->port, .pid = s->pid, .hang_ms = s->hang_ms,
                                      .log_path = s->log_path };
    s->watch = health_watch_start(&wc);
    if (!s->watch)
        log_warn("llama-server health watch did not start: a hung server is found only by request timeouts");
}

/* How much of a start's log is read for its load lines (they come first;
 * the rest of the log is the requests). */
#define LOAD_LOG_MAX (4u << 20)

/* A start that reached /health 200: its load time, its memory now (and a
 * sampler for the rest of its life), and what its part of the log says. */
static void record_launch(struct llama_server *s, int64_t t0_ns, double wall_s, off_t log_from)
{
    XGROW(s->launches, s->n_launches + 1, s->cap_launches);
    struct llama_server_launch *l = &s->launches[s->n_launches++];
    memset(l, 0, sizeof *l);
    l->started_unix_s = wall_s;
    l->load_ms = (double)(clock_mono_ns() - t0_ns) / 1e6;
    s->mem = memwatch_start(s->pid, &l->mem);
    /* this start's part of the log: the load lines come first, so a bounded
     * read from where the log stood at the fork is enough */
    char *text = xmalloc(LOAD_LOG_MAX + 1);
    size_t len = 0;
    int fd = open(s->log_path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0 && lseek(fd, log_from, SEEK_SET) == log_from) {
        ssize_t got;
        while (len < LOAD_LOG_MAX && (got = read(fd, text + len, LOAD_LOG_MAX - len)) != 0) {
            if (got < 0 && errno == EINTR)
                continue;
            if (got < 0)
                break;
            len += (size_t)got;
        }
    }
    if (fd >= 0)
        close(fd);
    loadlog_parse(text, len, &l->log);
    free(text);
}

size_t llama_server_launches(struct llama_server *s, const struct llama_server_launch **out)
{
    if (s->mem && s->n_launches)
        memwatch_read(s->mem, &s->launches[s->n_launches - 1].mem);
    *out = s->launches;
    return s->n_launches;
}

/* Start (or restart) on a fresh port; a port taken between our probe and the
 * server's bind shows up as a start-up failure, so try a few ports. */
static int launch(struct llama_server *s, struct bai_error *err)
{
    for (int attempt = 0; attempt < 3; attempt++) {
        int port = free_port(err);
        if (port < 0)
            return -1;
        s->port = port;
        free(s->url);
        s->url = xasprintf("http://127.0.0.1:%d", port);
        struct stat sb;
        off_t log_from = stat(s->log_path, &sb) == 0 ? sb.st_size : 0;
        struct timespec wall;
        clock_gettime(CLOCK_REALTIME, &wall);
        int64_t t0 = clock_mono_ns();
        s->pid = spawn(s, err);
        if (s->pid < 0) {
            s->pid = 0;
            return -1;
        }
        if (wait_ready(s, err) == 0) {
            record_launch(s, t0, (double)wall.tv_sec + wall.tv_nsec / 1e9, log_from);
            fetch_info(s);
            watch_start(s);
            return 0;
        }
        kill_group(s, 2000);
        if (err->exit_code == BAI_EXIT_INTERRUPTED)
            return -1;
        char *tail = fs_tail_lines(s->log_path, 5, "(no log)");
        int port_clash = strstr(tail, "bind") || strstr(tail, "in use");
        free(tail);
        if (!port_clash)
            return -1;
        log_info("llama-server could not bind port %d, trying another", port);
    }
    return -1;
}

/* Another llama-server this benchai did not start competes for the cores
 * (the measured speed may collapse): recorded with this server, and
 * warned about once per process id. Called from the thread that starts
 * servers. */
static void note_competitors(struct llama_server *s)
{
    static long warned[64];
    static size_t n_warned;
    cJSON *found = llama_procs_competing();
    if (cJSON_GetArraySize(found) == 0) {
        cJSON_Delete(found);
        return;
    }
    /* every pid, but the command lines of the first three only (all of
     * them are in the JSON): a warning stays a few lines long */
    struct buf b = {0};
    int fresh = 0, n = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, found) {
        long pid = (long)cJSON_GetNumberValue(cJSON_GetObjectItemCaseSensitive(o, "pid"));
        const char *cmd = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, "cmdline"));
        if (n++ < 3)
            buf_printf(&b, "%spid %ld (%.160s%s)", b.len ? ", " : "", pid, cmd ? cmd : "?",
                       cmd && strlen(cmd) > 160 ? "..." : "");
        else
            buf_printf(&b, "%s%ld", n == 4 ? "; also pids " : ", ", pid);
        size_t i = 0;
        while (i < n_warned && warned[i] != pid)
            i++;
        if (i == n_warned) {
            fresh = 1;
            if (n_warned < sizeof warned / sizeof warned[0])
                warned[n_warned++] = pid;
        }
    }
    s->competing = found;
    s->notice = xasprintf("llama-server not started by this benchai is running: %s; while it works "
                          "it competes for the cores and measured speeds may collapse", b.data ? b.data : "?");
    buf_free(&b);
    if (fresh)
        log_warn("%s", s->notice);
}

struct llama_server *llama_server_start(const struct llama_server_config *cfg, struct bai_error *err)
{
    if (!cfg->model || access(cfg->model, R_OK) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "model file %s: %s", cfg->model ? cfg->model : "(none)",
                      cfg->model ? strerror(errno) : "no --model given");
        return NULL;
    }
    if (cfg->draft && access(cfg->draft, R_OK) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "draft model file %s: %s", cfg->draft, strerror(errno));
        return NULL;
    }
    if (cfg->mmproj && access(cfg->mmproj, R_OK) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "mmproj file %s: %s", cfg->mmproj, strerror(errno));
        return NULL;
    }
    struct llama_server *s = xcalloc(1, sizeof *s);
    /* Next to another server of this benchai (a judge), take the cores it
     * leaves free unless --threads says otherwise. */
    struct llama_server_config eff = *cfg;
    struct settings split = {0};
    if (cfg->settings)
        settings_overlay(&split, cfg->settings);
    cJSON *others = NULL;
    int free_threads = llama_procs_free_threads(s, &others);
    if (!settings_is_set(&split, SETTING_THREADS) && free_threads > 0) {
        char n[16];
        snprintf(n, sizeof n, "%d", free_threads);
        settings_set(&split, SETTING_THREADS, n, "thread split", NULL);
    }
    eff.settings = &split;
    int threads = (int)settings_int(&split, SETTING_THREADS, 0);
    if (others) {
        s->thread_split = cJSON_CreateObject();
        cJSON_AddNumberToObject(s->thread_split, "cores", llama_procs_cores());
        cJSON_AddNumberToObject(s->thread_split, "threads", threads);
        cJSON_AddItemToObject(s->thread_split, "others", others);
    }
    int built = llama_server_build_argv(&eff, &s->argv, err);
    s->envp = build_env(cfg->settings, &s->env_shown);
    settings_free(&split);
    if (built != 0) {
        llama_server_stop(s, 0);
        return NULL;
    }
    s->log_path = xstrdup(cfg->log_path);
    s->startup_timeout_s = cfg->startup_timeout_s;
    s->cancel = cfg->cancel;
    s->hang_ms = cfg->hang_timeout_ms > 0 ? cfg->hang_timeout_ms : 0;
    note_competitors(s);
    char *dir = fs_dirname(s->log_path);
    int rc = fs_mkdirs(dir, 0755, err);
    free(dir);
    if (rc != 0 || launch(s, err) != 0) {
        llama_server_stop(s, 0);
        return NULL;
    }
    llama_procs_add(s, cfg->role, threads);
    return s;
}

int llama_server_restart(struct llama_server *s, struct bai_error *err)
{
    kill_group(s, 2000);
    return launch(s, err);
}

int llama_server_props_take_request_spec(const cJSON *props)
{
    const cJSON *dgs = cJSON_GetObjectItemCaseSensitive(props, "default_generation_settings");
    const cJSON *params = cJSON_GetObjectItemCaseSensitive(dgs, "params");
    /* older builds put the parameters directly under the settings */
    return cJSON_HasObjectItem(params, "speculative.n_max") || cJSON_HasObjectItem(dgs, "speculative.n_max");
}

int llama_server_takes_request_spec(const struct llama_server *s)
{
    return llama_server_props_take_request_spec(cJSON_GetObjectItemCaseSensitive(s->info, "props"));
}

const char *llama_server_url(const struct llama_server *s) { return s->url; }
pid_t llama_server_pid(const struct llama_server *s) { return s->pid; }
const char *llama_server_command_line(const struct llama_server *s) { return s->command_line; }
const cJSON *llama_server_info(const struct llama_server *s) { return s->info; }
const char *llama_server_build(const struct llama_server *s) { return s->build; }
const cJSON *llama_server_thread_split(const struct llama_server *s) { return s->thread_split; }
const cJSON *llama_server_competing(const struct llama_server *s) { return s->competing; }
const char *llama_server_notice(const struct llama_server *s) { return s->notice; }

int llama_server_verify(const struct llama_server *s, const struct llama_server_config *cfg,
                        struct bai_error *err)
{
    const cJSON *slots = cJSON_GetObjectItemCaseSensitive(s->info, "slots");
    if (!cJSON_IsArray(slots)) {
        bai_error_set(err, BAI_EXIT_BACKEND, "cannot verify the server: /slots did not answer");
        return -1;
    }
    static const struct settings none;
    const struct settings *set = cfg->settings ? cfg->settings : &none;
    int want_np = (int)settings_int(set, SETTING_NP, 1);
    int want_ctx = (int)settings_int(set, SETTING_CTX, 0);
    const char *spec_type = settings_text(set, SETTING_SPEC_TYPE);
    int n = cJSON_GetArraySize(slots);
    if (n != want_np) {
        bai_error_set(err, BAI_EXIT_BACKEND, "asked for np=%d but the server runs %d slots", want_np, n);
        return -1;
    }
    const cJSON *slot;
    cJSON_ArrayForEach(slot, slots) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(slot, "speculative");
        int want_spec = cfg->draft != NULL || (spec_type && strcmp(spec_type, "none"));
        if (cJSON_IsBool(spec) && cJSON_IsTrue(spec) != want_spec) {
            bai_error_set(err, BAI_EXIT_BACKEND, "asked for speculative decoding %s but /slots reports speculative: %s",
                          want_spec ? "on" : "off", cJSON_IsTrue(spec) ? "true" : "false");
            return -1;
        }
        const cJSON *n_ctx = cJSON_GetObjectItemCaseSensitive(slot, "n_ctx");
        if (want_ctx > 0 && cJSON_IsNumber(n_ctx) && (int)n_ctx->valuedouble * want_np < want_ctx &&
            (int)n_ctx->valuedouble < want_ctx / want_np) {
            bai_error_set(err, BAI_EXIT_BACKEND, "asked for ctx=%d but slots have n_ctx=%d", want_ctx,
                          (int)n_ctx->valuedouble);
            return -1;
        }
    }
    return 0;
}

void llama_server_stop(struct llama_server *s, int grace_ms)
{
    if (!s)
        return;
    kill_group(s, grace_ms);
    llama_procs_remove(s);
    strv_free(&s->argv);
    strv_free(&s->envp);
    free(s->env_shown);
    free(s->log_path);
    free(s->url);
    free(s->command_line);
    free(s->death);
    free(s->build);
    cJSON_Delete(s->info);
    cJSON_Delete(s->thread_split);
    cJSON_Delete(s->competing);
    free(s->notice);
    for (size_t i = 0; i < s->n_launches; i++)
        loadlog_free(&s->launches[i].log);
    free(s->launches);
    free(s);
}
