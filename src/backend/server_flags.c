/* server_flags.c - a llama-server binary's flags (see server_flags.h):
 * `--help` run once and parsed (removed flags noted), the parse cached on
 * disk, the spelling of each setting that build accepts, and the checks of
 * raw flags and the combinations a build refuses. */
#include "backend/server_flags.h"
#include "settings/settings.h"
#include "util/suggest.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Spellings newest first: the first one the binary accepts wins. */
static const struct {
    const char *name;
    const char *spellings[4];
} flag_table[SFLAG_COUNT] = {
    [SFLAG_MODEL] = { "model", { "--model", "-m" } },
    [SFLAG_DRAFT_MODEL] = { "draft model", { "--spec-draft-model", "--model-draft", "-md" } },
    [SFLAG_SPEC_TYPE] = { "spec_type", { "--spec-type" } },
    [SFLAG_HOST] = { "host", { "--host" } },
    [SFLAG_PORT] = { "port", { "--port" } },
    [SFLAG_NO_WEBUI] = { "no_webui", { "--no-webui" } },
    [SFLAG_SPEC_SYNTH_LEN] = { "spec_synth_len", { "--spec-synth-len" } },
    [SFLAG_ALIAS] = { "alias", { "--alias", "-a" } },
    [SFLAG_MMPROJ] = { "mmproj", { "--mmproj", "-mm" } },
};

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void add_name(struct server_flags *out, size_t *cap, const char *start, size_t len)
{
    XGROW(out->names, out->n_names + 1, *cap);
    out->names[out->n_names++] = xstrndup(start, len);
}

/* A help line lists its spellings first ("-t,    --threads N" or
 * "--spec-draft-model, -md, --model-draft FNAME"), then the description
 * after a run of spaces that does not follow a comma. Only lines starting
 * with '-' declare flags. */
/* 1 when the description of the flag line at line (its own text and the
 * indented lines after it, up to the next flag line) says the argument
 * has been removed. */
static int says_removed(const char *line)
{
    const char *end = line;
    for (;;) {
        const char *eol = strchr(end, '\n');
        if (!eol) {
            end += strlen(end);
            break;
        }
        end = eol + 1;
        if (*end == '-' || *end == '\0' || *end == '\n')
            break;
    }
    return memmem(line, (size_t)(end - line), "has been removed", 16) != NULL;
}

void server_flags_parse_help(const char *help, struct server_flags *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0, cap_removed = 0;
    const char *line = help;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
        size_t first_name = out->n_names;
        size_t i = 0;
        while (len > 0 && line[0] == '-' && i < len) {
            while (i < len && line[i] == ' ')
                i++;
            if (i >= len || line[i] != '-')
                break;
            size_t start = i;
            while (i < len && line[i] != ' ' && line[i] != ',' && line[i] != '=')
                i++;
            add_name(out, &cap, line + start, i - start);
            int more = 0;
            while (i < len) {                 /* skip the argument placeholder */
                if (line[i] == ',') {
                    i++;
                    more = 1;
                    break;
                }
                if (line[i] == ' ' && i + 1 < len && line[i + 1] == ' ')
                    break;
                i++;
            }
            if (!more)
                break;
        }
        if (out->n_names > first_name && says_removed(line))
            for (size_t k = first_name; k < out->n_names; k++) {
                XGROW(out->removed, out->n_removed + 1, cap_removed);
                out->removed[out->n_removed++] = xstrdup(out->names[k]);
            }
        line = eol ? eol + 1 : NULL;
    }
    if (out->n_names)
        qsort(out->names, out->n_names, sizeof *out->names, cmp_str);
    if (out->n_removed)
        qsort(out->removed, out->n_removed, sizeof *out->removed, cmp_str);
}

int server_flags_removed(const struct server_flags *f, const char *flag)
{
    return f->n_removed && bsearch(&flag, f->removed, f->n_removed, sizeof *f->removed, cmp_str) != NULL;
}

int server_flags_accepts(const struct server_flags *f, const char *flag)
{
    if (!f->n_names)
        return 0;
    return bsearch(&flag, f->names, f->n_names, sizeof *f->names, cmp_str) != NULL;
}

void server_flags_free(struct server_flags *f)
{
    for (size_t i = 0; i < f->n_names; i++)
        free(f->names[i]);
    free(f->names);
    for (size_t i = 0; i < f->n_removed; i++)
        free(f->removed[i]);
    free(f->removed);
    memset(f, 0, sizeof *f);
}

const char *server_flags_first(const struct server_flags *f, const char *const spellings[4],
                               const char *what, struct bai_error *err)
{
    for (int i = 0; i < 4 && spellings[i]; i++)
        if (server_flags_accepts(f, spellings[i]) && !server_flags_removed(f, spellings[i]))
            return spellings[i];
    struct buf tried = {0};
    for (int i = 0; i < 4 && spellings[i]; i++)
        buf_printf(&tried, "%s%s", i ? ", " : "", spellings[i]);
    bai_error_set(err, BAI_EXIT_USAGE,
                  "this llama-server build does not support setting '%s' (none of %s is accepted)", what,
                  tried.data ? tried.data : "no spelling");
    buf_free(&tried);
    return NULL;
}

const char *server_flags_spelling(const struct server_flags *f, enum server_flag s, struct bai_error *err)
{
    return server_flags_first(f, flag_table[s].spellings, flag_table[s].name, err);
}

static char *run_help(const char *binary, struct bai_error *err)
{
    int fds[2];
    if (pipe(fds) != 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "pipe: %s", strerror(errno));
        return NULL;
    }
    pid_t pid = fork();
    if (pid < 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "fork: %s", strerror(errno));
        close(fds[0]);
        close(fds[1]);
        return NULL;
    }
    if (pid == 0) {
        dup2(fds[1], 1);
        dup2(fds[1], 2);
        close(fds[0]);
        close(fds[1]);
        execl(binary, binary, "--help", (char *)NULL);
        _exit(127);
    }
    close(fds[1]);
    struct buf b = {0};
    char chunk[8192];
    ssize_t n;
    while ((n = read(fds[0], chunk, sizeof chunk)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0)
            buf_append(&b, chunk, (size_t)n);
    close(fds[0]);
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) == 127 || b.len == 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "%s --help failed: is it a llama-server binary?", binary);
        buf_free(&b);
        return NULL;
    }
    return buf_detach(&b);
}

static char *cache_path_for(const char *binary)
{
    struct stat st;
    if (stat(binary, &st) != 0)
        return NULL;
    char key[512], hex[65];
    int n = snprintf(key, sizeof key, "%s|%lld|%lld", binary, (long long)st.st_size,
                     (long long)st.st_mtime);
    sha256_hex(key, (size_t)n, hex);
    const char *xdg = getenv("XDG_CACHE_HOME");
    const char *home = getenv("HOME");
    if (xdg && *xdg)
        return xasprintf("%s/benchai/flags/%.16s.help", xdg, hex);
    return xasprintf("%s/.cache/benchai/flags/%.16s.help", home ? home : "/tmp", hex);
}

int server_flags_load(const char *binary, struct server_flags *out, struct bai_error *err)
{
    if (access(binary, X_OK) != 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "llama-server binary %s: %s", binary, strerror(errno));
        return -1;
    }
    char *cache = cache_path_for(binary);
    char *help = cache ? fs_read_file(cache, NULL, NULL) : NULL;
    if (!help) {
        help = run_help(binary, err);
        if (!help) {
            free(cache);
            return -1;
        }
        if (cache) {
            char *dir = fs_dirname(cache);
            struct bai_error ignored = {0};
            /* A cache that cannot be written only costs a re-parse next time. */
            if (fs_mkdirs(dir, 0755, &ignored) == 0)
                fs_write_atomic(cache, help, strlen(help), &ignored);
            free(dir);
        }
    }
    free(cache);
    server_flags_parse_help(help, out);
    free(help);
    if (out->n_names == 0) {
        bai_error_set(err, BAI_EXIT_BACKEND, "%s --help listed no flags", binary);
        return -1;
    }
    return 0;
}

/* Cache types that are block-quantized (the V cache of those needs flash
 * attention in build 3.22.1: llama-context.cpp refuses to start). */
static int quantized_cache(const char *t)
{
    static const char *const plain[] = { "f32", "f16", "bf16", NULL };
    for (size_t i = 0; plain[i]; i++)
        if (!strcmp(t, plain[i]))
            return 0;
    return 1;
}

/* One raw word: when it is a flag ("--x" or "--x=v"), the binary must list
 * it and not as removed. */
static int check_word(const struct server_flags *f, const char *word, struct bai_error *err)
{
    if (word[0] != '-' || word[1] == '\0' || (word[1] >= '0' && word[1] <= '9') || word[1] == '.')
        return 0;       /* a value ("-1", "-.5") */
    size_t n = strcspn(word, "=");
    char *flag = xstrndup(word, n);
    int rc = 0;
    if (!server_flags_accepts(f, flag)) {
        char **names = xcalloc(f->n_names + 1, sizeof *names);
        memcpy(names, f->names, f->n_names * sizeof *names);
        const char *near = suggest_closest(flag, (const char *const *)names);
        bai_error_set(err, BAI_EXIT_USAGE, "%s is not a flag of this llama-server%s%s%s", flag,
                      near ? " (did you mean " : "", near ? near : "", near ? "?)" : "");
        free(names);
        rc = -1;
    } else if (server_flags_removed(f, flag)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s has been removed from this llama-server (see its --help)", flag);
        rc = -1;
    }
    free(flag);
    return rc;
}

int server_flags_check(const struct server_flags *f, const struct settings *s, const char *arch,
                       struct bai_error *err)
{
    for (size_t i = 0; i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        if (!settings_is_set(s, (int)i))
            continue;
        if (d->kind == SETTING_ARGV && (int)i != SETTING_ENV) {
            for (size_t k = 0; k < s->v[i].list.n; k++)
                if (check_word(f, s->v[i].list.v[k], err) < 0)
                    return -1;
        } else if (d->kind == SETTING_ARGS && (int)i != SETTING_WRAPPER) {
            char *copy = xstrdup(settings_text(s, (int)i)), *save = NULL;
            int rc = 0;
            for (char *t = strtok_r(copy, " \t", &save); t && rc == 0; t = strtok_r(NULL, " \t", &save))
                rc = check_word(f, t, err);
            free(copy);
            if (rc < 0)
                return -1;
        }
    }
    int fa, ctk, ctv;
    settings_lookup("flash_attn", &fa);
    settings_lookup("cache_type_k", &ctk);
    settings_lookup("cache_type_v", &ctv);
    const char *fa_v = settings_text(s, fa), *k = settings_text(s, ctk), *v = settings_text(s, ctv);
    if (v && quantized_cache(v) && fa_v && !strcmp(fa_v, "off")) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "cache_type_v=%s with flash_attn=off: this llama-server needs flash attention for a "
                      "quantized V cache and refuses to start (use flash_attn=on or auto)", v);
        return -1;
    }
    if (arch && (!strcmp(arch, "deepseek2") || !strcmp(arch, "deepseek4")) &&
        strcmp(k ? k : "f16", v ? v : "f16")) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "cache_type_k=%s and cache_type_v=%s on a %s model: this llama-server refuses different K "
                      "and V cache types for it", k ? k : "f16", v ? v : "f16", arch);
        return -1;
    }
    return 0;
}
