/* test_doc_examples.c - every `benchai` command shown in a fenced block of
 * README.md and of each .md file in docs/ runs against the tiny models and
 * behaves as the docs say; every usage synopsis names a real command and
 * only flags its --help knows. One test per document; a failure names
 * FILE:LINE, the command as run, its exit status and the end of its output.
 *
 * What the test does to make examples runnable (docs/doc-tests.md tells
 * writers the same; tests/helpers/doc_examples.c finds the commands):
 * - Each document gets a workspace: a temp directory as the working
 *   directory, holding copies of suites/ and benchmarks/ and the default
 *   store results/benchai.db, with HOME and XDG_CONFIG_HOME inside it.
 *   XDG_CACHE_HOME stays the real one, so the cached llama-server and tiny
 *   models are found. Nothing is written into the repository.
 * - `benchai` and `./benchai` are a wrapper around the binary under test
 *   ($BENCHAI_BIN) that adds `--limit 2` to every `run` naming no --limit,
 *   so that a suite of 40 thinking questions costs two, and `--threads 1`
 *   and `--ctx 4096` where the example leaves them to llama-server (they
 *   fill only what a plan point leaves open; see DOC_THREADS, DOC_CTX).
 * - The *.gguf files an example names (~/models/X.gguf, target.gguf, ...,
 *   also in a `--plan` file or a `file:` block, where ${MODEL_DIR} points
 *   into the workspace) are created as links to the tiny models: a name
 *   with "othervocab" -> tiny-othervocab; "draft" or a size of at most 2B
 *   -> tiny-draft-same; "moe" or an active-parameter tag like A3B ->
 *   tiny-moe; anything else -> tiny-dense.
 * - http://127.0.0.1:PORT and http://localhost:PORT become the address of
 *   a llama-server the test starts (tiny-dense, loopback, a free port).
 * - RUN_A and RUN_B become the first and second run stored by the
 *   document's earlier examples. OPENAI_API_KEY is set (to a dummy) when
 *   it is not.
 * - A command runs with /bin/sh -c in the workspace. It passes when it
 *   exits 0 (or as a `<!-- doc-test: exit: N -->` marker says), calls
 *   benchai at least once, and prints no warning or sanitizer line.
 *   `<!-- doc-test: skip: REASON -->` skips a block and prints the reason;
 *   `<!-- doc-test: file: NAME -->` writes the block below it to NAME.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include "doc_examples.h"
#include "harness.h"
#include "backend/llama_server.h"
#include "util/fs.h"
#include "util/mem.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DOC_LIMIT "2"                /* items per suite in every `run` */
#define DOC_THREADS "1"              /* llama.cpp's threads spin: -t 2 collapses on a busy 2-core box */
#define DOC_CTX "4096"               /* the tiny models' training context is 65536: a 16 s start-up */
#define DOC_CMD_TIMEOUT_S 1800       /* one command, however many points it sweeps */

struct doc_file {
    char path[256];
};

struct ws {
    char *dir, *home, *models, *bin, *log, *cache, *real_bin;
    struct llama_server *server;
    struct buf failures;
    int n_failed, n_run, n_skipped, n_synopses;
    const char *doc;
};

/* ---- the workspace ---------------------------------------------------- */

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    struct buf b = { 0 };
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    int rc = system(b.data);
    buf_free(&b);
    return rc;
}

static char *absolute(const char *path)
{
    char buf[PATH_MAX];
    return realpath(path, buf) ? xstrdup(buf) : NULL;
}

static void write_file(const char *path, const char *text, int mode)
{
    char *dir = fs_dirname(path);
    struct bai_error err = { 0 };
    cr_assert_eq(fs_mkdirs(dir, 0755, &err), 0, "%s", err.msg);
    free(dir);
    cr_assert_eq(fs_write_atomic(path, text, strlen(text), &err), 0, "%s", err.msg);
    cr_assert_eq(chmod(path, mode), 0);
}

/* The benchai the examples call: `run` gets --limit, and --threads and
 * --ctx where the example leaves them open and benchai launches the server
 * (a plan's own values still win: the command line only fills what a point
 * leaves at the server default); each call is logged. */
static const char wrapper_fmt[] =
    "#!/bin/bash\n"
    "# doc-test wrapper (tests/integration/test_doc_examples.c)\n"
    "echo \"$*\" >> '%s'\n"
    "args=(); cmd=\n"
    "for a in \"$@\"; do\n"
    "  args+=(\"$a\")\n"
    "  if [ -z \"$cmd\" ] && [ \"${a#-}\" = \"$a\" ]; then\n"
    "    cmd=$a\n"
    "    if [ \"$a\" = run ]; then\n"
    "      [[ \" $* \" == *' --limit'* ]] || args+=(--limit " DOC_LIMIT ")\n"
    /* launch settings only where benchai launches the server: an
     * endpoint, a command or a replay refuses them (they conflict) */
    "      if [[ \" $* \" != *' --backend '* || \" $* \" == *'--backend llama-server'* ]]; then\n"
    "        [[ \" $* \" == *' --threads'* ]] || args+=(--threads " DOC_THREADS ")\n"
    "        [[ \" $* \" == *' --ctx'* ]] || args+=(--ctx " DOC_CTX ")\n"
    "      fi\n"
    "    fi\n"
    "  fi\n"
    "done\n"
    "exec '%s' \"${args[@]}\"\n";

static void ws_setup(struct ws *w, const char *doc)
{
    memset(w, 0, sizeof *w);
    w->doc = doc;
    w->real_bin = absolute(harness_bin());
    cr_assert_not_null(w->real_bin, "the benchai binary %s is missing (make)", harness_bin());
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    w->cache = xdg && *xdg ? xstrdup(xdg) : xasprintf("%s/.cache", home ? home : "/tmp");
    w->dir = harness_tempdir();
    cr_assert_not_null(w->dir);
    w->home = xasprintf("%s/home", w->dir);
    w->models = xasprintf("%s/models", w->home);
    w->bin = xasprintf("%s/bin", w->dir);
    w->log = xasprintf("%s/.benchai-calls", w->dir);
    cr_assert_eq(sh("mkdir -p '%s' '%s' '%s/.config' && cp -R suites benchmarks '%s/'", w->models, w->bin,
                    w->home, w->dir), 0);
    char *wrapper = xasprintf(wrapper_fmt, w->log, w->real_bin);
    char *path = xasprintf("%s/benchai", w->bin);
    write_file(path, wrapper, 0755);
    char *dot = xasprintf("%s/benchai", w->dir);
    cr_assert_eq(symlink(path, dot), 0);
    write_file(w->log, "", 0644);
    free(dot);
    free(path);
    free(wrapper);
}

static void ws_free(struct ws *w)
{
    llama_server_stop(w->server, 3000);
    /* every server an example launched is gone (they run models linked here) */
    cr_expect_eq(harness_wait_servers_gone(w->dir, 5000), 0, "%s: a llama-server outlived its example", w->doc);
    if (!getenv("BENCHAI_KEEP_DOCTEST"))
        sh("rm -rf '%s'", w->dir);
    else
        fprintf(stderr, "doc-test: %s: workspace kept in %s\n", w->doc, w->dir);
    free(w->dir);
    free(w->home);
    free(w->models);
    free(w->bin);
    free(w->log);
    free(w->cache);
    free(w->real_bin);
    buf_free(&w->failures);
}

static void fail(struct ws *w, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(struct ws *w, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    buf_printf(&w->failures, "\n%s:%d: ", w->doc, line);
    buf_vprintf(&w->failures, fmt, ap);
    va_end(ap);
    w->n_failed++;
}

/* ---- model files -------------------------------------------------------- */

/* A size tag such as "0.5b", "1.5b", "1b" (<= 2B parameters) after - or _. */
static int small_size(const char *s)
{
    for (const char *p = s; *p; p++) {
        if ((p != s && p[-1] != '-' && p[-1] != '_') || !isdigit((unsigned char)*p))
            continue;
        char *e;
        double v = strtod(p, &e);
        if (*e == 'b' && (e[1] == '\0' || e[1] == '-' || e[1] == '_' || e[1] == '.') && v <= 2.0)
            return 1;
    }
    return 0;
}

/* "-a3b", "_a22b": the active-parameter tag of a MoE model name. */
static int active_tag(const char *s)
{
    for (const char *p = s; *p; p++) {
        if ((*p != '-' && *p != '_') || p[1] != 'a' || !isdigit((unsigned char)p[2]))
            continue;
        const char *q = p + 2;
        while (isdigit((unsigned char)*q) || *q == '.')
            q++;
        if (*q == 'b')
            return 1;
    }
    return 0;
}

static const char *tiny_for(const char *file)
{
    const char *base = strrchr(file, '/');
    char *n = xstrdup(base ? base + 1 : file);
    for (char *p = n; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    const char *t = strstr(n, "othervocab")                   ? "tiny-othervocab"
                    : strstr(n, "draft") || small_size(n)      ? "tiny-draft-same"
                    : strstr(n, "moe") || active_tag(n)        ? "tiny-moe"
                                                               : "tiny-dense";
    free(n);
    return t;
}

/* Creates the GGUF a path in a document names, as a link to a tiny model,
 * when it is a path inside the workspace and does not exist. */
static void link_model(struct ws *w, const char *word)
{
    char *path = NULL;
    const char *md = "${MODEL_DIR";
    if (!strncmp(word, "~/", 2))
        path = xasprintf("%s/%s", w->home, word + 2);
    else if (!strncmp(word, md, strlen(md)) && strchr(word, '}'))
        path = xasprintf("%s%s", w->models, strchr(word, '}') + 1);
    else if (!strncmp(word, "$MODEL_DIR/", 11))
        path = xasprintf("%s/%s", w->models, word + 11);
    else if (word[0] != '/' && word[0] != '$')
        path = xasprintf("%s/%s", w->dir, word);
    if (!path || fs_exists(path)) {
        free(path);
        return;
    }
    char *dir = fs_dirname(path);
    struct bai_error err = { 0 };
    if (fs_mkdirs(dir, 0755, &err) == 0) {
        char *target = harness_model(tiny_for(path));
        if (symlink(target, path) != 0)
            fprintf(stderr, "doc-test: link %s: %s\n", path, strerror(errno));
        free(target);
    }
    free(dir);
    free(path);
}

/* Every *.gguf path in a text: a run of path characters ending in .gguf. */
static void link_models_in(struct ws *w, const char *text)
{
    static const char pathch[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-/~${}:+";
    for (const char *p = strstr(text, ".gguf"); p; p = strstr(p + 1, ".gguf")) {
        if (isalnum((unsigned char)p[5]))
            continue;
        const char *s = p;
        int braces = 0;
        while (s > text && strchr(pathch, s[-1]) && s[-1]) {
            if (s[-1] == '}')
                braces++;
            if (s[-1] == '{')
                braces--;
            if (s[-1] == ':' && braces == 0)
                break;   /* "model: x.gguf" or "--model=" keeps only the path */
            s--;
        }
        if (*s == '=' || *s == ':')
            s++;
        char *word = xstrndup(s, (size_t)(p + 5 - s));
        link_model(w, word);
        free(word);
    }
}

/* The --plan FILE of a command (relative to the workspace), read. */
static char *plan_text(struct ws *w, const char *cmd)
{
    const char *p = strstr(cmd, "--plan");
    if (!p)
        return NULL;
    p += 6;
    if (*p == '=')
        p++;
    while (*p == ' ')
        p++;
    size_t len = strcspn(p, " ;|&\"'");
    char *rel = xstrndup(p, len);
    char *path = rel[0] == '/' ? xstrdup(rel) : xasprintf("%s/%s", w->dir, rel);
    char *text = fs_read_file(path, NULL, NULL);
    free(rel);
    free(path);
    return text;
}

/* ---- rewriting a command ------------------------------------------------ */

static char *replace_all(const char *s, const char *from, const char *to, int whole_word)
{
    struct buf b = { 0 };
    size_t fl = strlen(from);
    const char *p = s;
    for (const char *q; (q = strstr(p, from));) {
        int word_ok = !whole_word || ((q == s || !(isalnum((unsigned char)q[-1]) || q[-1] == '_')) &&
                                      !(isalnum((unsigned char)q[fl]) || q[fl] == '_'));
        buf_append(&b, p, (size_t)(q - p));
        buf_puts(&b, word_ok ? to : from);
        p = q + fl;
    }
    buf_puts(&b, p);
    return buf_detach(&b);
}

static const char *const local_hosts[] = { "http://127.0.0.1:", "http://localhost:", NULL };

static int names_local_url(const char *cmd)
{
    for (size_t i = 0; local_hosts[i]; i++) {
        const char *p = strstr(cmd, local_hosts[i]);
        if (p && isdigit((unsigned char)p[strlen(local_hosts[i])]))
            return 1;
    }
    return 0;
}

static void start_server(struct ws *w)
{
    if (w->server)
        return;
    char *bin = harness_llama_server();
    char *model = harness_model("tiny-dense");
    char *log = xasprintf("%s/doc-server.log", w->dir);
    struct settings set = { 0 };
    struct bai_error err = { 0 };
    settings_set(&set, SETTING_NP, "2", "test", &err);
    settings_set(&set, SETTING_THREADS, "1", "test", &err);
    settings_set(&set, SETTING_SERVER_ARGS, "--alias", "test", &err);
    settings_set(&set, SETTING_SERVER_ARGS, w->dir, "test", &err);
    struct llama_server_config cfg = { .binary = bin, .model = model, .settings = &set, .log_path = log };
    w->server = llama_server_start(&cfg, &err);
    settings_free(&set);
    cr_assert_not_null(w->server, "starting the test's llama-server: %s", err.msg);
    free(bin);
    free(model);
    free(log);
}

/* http://127.0.0.1:PORT -> the test's server, keeping any path after it. */
static char *rewrite_urls(struct ws *w, const char *cmd)
{
    if (!names_local_url(cmd))
        return xstrdup(cmd);
    start_server(w);
    const char *url = llama_server_url(w->server);
    struct buf b = { 0 };
    const char *p = cmd;
    for (;;) {
        const char *best = NULL;
        size_t hl = 0;
        for (size_t i = 0; local_hosts[i]; i++) {
            const char *q = strstr(p, local_hosts[i]);
            if (q && (!best || q < best)) {
                best = q;
                hl = strlen(local_hosts[i]);
            }
        }
        if (!best || !isdigit((unsigned char)best[hl])) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(best - p));
        buf_puts(&b, url);
        p = best + hl;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return buf_detach(&b);
}

/* The id of the n-th run (0-based, in the order stored) of the default store. */
static char *nth_run(struct ws *w, int n)
{
    char *db = xasprintf("%s/results/benchai.db", w->dir);
    char *sql = xasprintf("SELECT id FROM runs ORDER BY rowid LIMIT 1 OFFSET %d", n);
    char *id = fs_exists(db) ? harness_sql_text(db, sql) : NULL;
    free(sql);
    free(db);
    return id;
}

static char *rewrite(struct ws *w, int line, const char *cmd)
{
    char *s = rewrite_urls(w, cmd);
    static const char *const ph[] = { "RUN_A", "RUN_B" };
    for (int i = 0; i < 2; i++) {
        if (!strstr(s, ph[i]))
            continue;
        char *id = nth_run(w, i);
        if (!id) {
            fail(w, line, "%s: the document's examples have stored fewer than %d runs before this one", ph[i],
                 i + 1);
            free(s);
            return NULL;
        }
        char *t = replace_all(s, ph[i], id, 1);
        free(s);
        free(id);
        s = t;
    }
    return s;
}

/* ---- running ------------------------------------------------------------ */

static long count_lines(const char *path)
{
    char *t = fs_read_file(path, NULL, NULL);
    long n = 0;
    for (char *p = t; p && *p; p++)
        n += *p == '\n';
    free(t);
    return n;
}

/* Runs cmd with /bin/sh in the workspace, output (both streams) to out.
 * Returns the exit status, 128+signal, or -1 after the timeout. */
static int run_shell(struct ws *w, const char *cmd, const char *out, double *secs)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        setpgid(0, 0);
        int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        int nul = open("/dev/null", O_RDONLY);
        if (fd < 0 || nul < 0 || chdir(w->dir) != 0)
            _exit(126);
        dup2(nul, 0);
        dup2(fd, 1);
        dup2(fd, 2);
        char *path = xasprintf("%s:%s", w->bin, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
        char *cfg = xasprintf("%s/.config", w->home);
        setenv("PATH", path, 1);
        setenv("HOME", w->home, 1);
        setenv("XDG_CONFIG_HOME", cfg, 1);
        setenv("XDG_CACHE_HOME", w->cache, 1);
        setenv("MODEL_DIR", w->models, 1);
        setenv("OPENAI_API_KEY", "sk-doc-test", 0);   /* the test's server takes any key */
        unsetenv("BENCHAI_STORE");
        execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
        _exit(127);
    }
    setpgid(pid, pid);
    int status = 0, code = -1;
    for (int waited_ms = 0;; waited_ms += 100) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            break;
        }
        if (waited_ms >= DOC_CMD_TIMEOUT_S * 1000) {
            kill(-pid, SIGTERM);   /* benchai stops its servers on SIGTERM */
            sleep(5);
            kill(-pid, SIGKILL);
            waitpid(pid, &status, 0);
            break;
        }
        struct timespec ts = { 0, 100 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    *secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    return code;
}

/* The first line of output a user would take for trouble: a warning, a
 * sanitizer report, a leak. NULL when clean. Caller frees. The one warning
 * let through is benchai's competing-server warning about the test's own
 * server (own_pid > 0): it stands for the user's server of the example, and
 * benchai is right to say it shares the cores. */
static char *noise_line(const char *text, pid_t own_pid)
{
    char own[64] = "";
    if (own_pid > 0)
        snprintf(own, sizeof own, "not started by this benchai is running: pid %ld ", (long)own_pid);
    static const char *const marks[] = { "warning:", "runtime error", "Sanitizer", "leak of", NULL };
    for (const char *l = text; l && *l;) {
        size_t len = strcspn(l, "\n");
        char *line = xstrndup(l, len);
        if (!(own[0] && strstr(line, own)))
            for (size_t i = 0; marks[i]; i++)
                if (strcasestr(line, marks[i]))
                    return line;
        free(line);
        l += len + (l[len] == '\n');
    }
    return NULL;
}

/* The last n lines of a text, indented, for a failure message. */
static char *tail_lines(const char *text, int n)
{
    if (!text)
        return xstrdup("    (no output)\n");
    const char *p = text + strlen(text);
    while (p > text && p[-1] == '\n')
        p--;
    const char *end = p;
    for (int k = 0; p > text && k < n; k++) {
        p--;
        while (p > text && p[-1] != '\n')
            p--;
    }
    struct buf b = { 0 };
    for (const char *l = p; l < end;) {
        size_t len = strcspn(l, "\n");
        if (l + len > end)
            len = (size_t)(end - l);
        buf_puts(&b, "    | ");
        buf_append(&b, l, len);
        buf_putc(&b, '\n');
        l += len + 1;
    }
    return buf_detach(&b);
}

static int exit_expected(const struct docex_block *b, int code)
{
    for (size_t i = 0; i < b->n_exits; i++)
        if (b->exits[i] == code)
            return 1;
    return 0;
}

static void run_command(struct ws *w, const struct docex_block *b, const struct docex_cmd *c)
{
    char *cmd = rewrite(w, c->line, c->text);
    if (!cmd)
        return;
    link_models_in(w, cmd);
    char *plan = plan_text(w, cmd);
    if (plan)
        link_models_in(w, plan);
    free(plan);
    char *out = xasprintf("%s/.out-%d", w->dir, c->line);
    long calls = count_lines(w->log);
    double secs = 0;
    int code = run_shell(w, cmd, out, &secs);
    char *text = fs_read_file(out, NULL, NULL);
    char *noise = noise_line(text, w->server ? llama_server_pid(w->server) : 0);
    w->n_run++;
    int failed_before = w->n_failed;
    if (code < 0 || !exit_expected(b, code) || noise || count_lines(w->log) == calls) {
        char *tail = tail_lines(text, 25);
        const char *why = code < 0                           ? "timed out"
                          : !exit_expected(b, code)          ? "exit status"
                          : noise                            ? "noise in the output"
                                                             : "benchai was never called";
        struct buf want = { 0 };
        for (size_t i = 0; i < b->n_exits; i++)
            buf_printf(&want, "%s%d", i ? " or " : "", b->exits[i]);
        fail(w, c->line, "%s: `%s`\n    exited %d (the docs imply %s) after %.1f s%s%s\n%s", why, cmd, code,
             want.data, secs, noise ? "; noisy line: " : "", noise ? noise : "", tail);
        buf_free(&want);
        free(tail);
    }
    fprintf(stderr, "doc-test: %s:%d: %s (exit %d, %.1f s)\n", w->doc, c->line,
            w->n_failed > failed_before ? "FAILED" : "ok", code, secs);
    free(noise);
    free(text);
    free(out);
    free(cmd);
}

/* A usage synopsis: the command exists and its --help names every flag. */
static void check_synopsis(struct ws *w, const struct docex_cmd *c)
{
    w->n_synopses++;
    char *name = docex_command_name(c->text);
    size_t n = 0, before = 0;
    char **flags = docex_flags(c->text, &n, &before);
    char *top = NULL, *help = NULL;
    const char *top_args[] = { "--help", NULL };
    int rc_top = harness_run(top_args, &top, NULL);
    int rc = 0;
    if (name) {
        const char *args[] = { name, "--help", NULL };
        rc = harness_run(args, &help, NULL);
    }
    if (rc_top != 0 || (name && rc != 0)) {
        fail(w, c->line, "synopsis `%s`: `benchai %s --help` exits %d", c->text, name ? name : "", name ? rc : rc_top);
    } else {
        for (size_t i = 0; i < n; i++) {
            const char *text = i < before || !name ? top : help;
            int found = 0;
            size_t fl = strlen(flags[i]);
            for (const char *p = strstr(text, flags[i]); p && !found; p = strstr(p + 1, flags[i]))
                found = (p == text || !(isalnum((unsigned char)p[-1]) || p[-1] == '-')) &&
                        !(isalnum((unsigned char)p[fl]) || p[fl] == '-');
            if (!found)
                fail(w, c->line, "synopsis `%s`: %s is not in `benchai %s%s--help`", c->text, flags[i],
                     i < before || !name ? "" : name, i < before || !name ? "" : " ");
        }
    }
    docex_strv_free(flags, n);
    free(name);
    free(top);
    free(help);
}

static void run_document(const char *doc)
{
    char *text = fs_read_file(doc, NULL, NULL);
    cr_assert_not_null(text, "cannot read %s (the test runs from the repository root)", doc);
    struct docex_doc d;
    char err[512];
    cr_assert_eq(docex_parse(text, &d, err, sizeof err), 0, "%s: %s", doc, err);
    free(text);
    int runs_anything = 0;
    for (size_t i = 0; i < d.n_blocks; i++)
        for (size_t j = 0; j < d.blocks[i].n_cmds; j++)
            runs_anything |= d.blocks[i].cmds[j].kind == DOCEX_RUN && !d.blocks[i].skip;
    if (runs_anything && !harness_have_llama())
        cr_skip_test("llama-server or the tiny models are missing (make models)");
    struct ws w;
    ws_setup(&w, doc);
    for (size_t i = 0; i < d.n_blocks; i++) {
        const struct docex_block *b = &d.blocks[i];
        if (b->skip) {
            w.n_skipped += (int)b->n_cmds;
            fprintf(stderr, "doc-test: %s:%d: skipped: %s\n", doc, b->line, b->skip);
            continue;
        }
        if (b->file) {
            char *path = xasprintf("%s/%s", w.dir, b->file);
            write_file(path, b->body, 0644);
            link_models_in(&w, b->body);
            free(path);
        }
        for (size_t j = 0; j < b->n_cmds; j++) {
            if (b->cmds[j].kind == DOCEX_SYNOPSIS)
                check_synopsis(&w, &b->cmds[j]);
            else
                run_command(&w, b, &b->cmds[j]);
        }
    }
    fprintf(stderr, "doc-test: %s: %d commands run, %d synopses checked, %d skipped, %d failed\n", doc, w.n_run,
            w.n_synopses, w.n_skipped, w.n_failed);
    int failed = w.n_failed;
    char *msg = failed ? xstrdup(w.failures.data) : NULL;
    docex_free(&d);
    ws_free(&w);
    cr_assert_eq(failed, 0, "%d example(s) of %s do not work as documented:%s", failed, doc, msg ? msg : "");
    free(msg);
}

/* README.md and the .md files of docs/, found when the tests start. */
ParameterizedTestParameters(doc_examples, document)
{
    glob_t g;
    size_t n = 0;
    if (glob("docs/*.md", 0, NULL, &g) != 0)
        g.gl_pathc = 0;
    struct doc_file *files = cr_malloc((g.gl_pathc + 1) * sizeof *files);
    snprintf(files[n++].path, sizeof files->path, "README.md");
    for (size_t i = 0; i < g.gl_pathc; i++)
        snprintf(files[n++].path, sizeof files->path, "%s", g.gl_pathv[i]);
    if (g.gl_pathc)
        globfree(&g);
    return cr_make_param_array(struct doc_file, files, n);
}

/* BENCHAI_DOCTEST_ONLY=docs/x.md runs one document (while writing it). */
ParameterizedTest(struct doc_file *f, doc_examples, document, .timeout = 7200)
{
    const char *only = getenv("BENCHAI_DOCTEST_ONLY");
    if (only && *only && strcmp(only, f->path))
        cr_skip_test("BENCHAI_DOCTEST_ONLY=%s", only);
    run_document(f->path);
}
