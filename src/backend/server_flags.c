#include "backend/server_flags.h"
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
} setting_table[SETTING_COUNT] = {
    [SETTING_MODEL] = { "model", { "--model", "-m" } },
    [SETTING_DRAFT_MODEL] = { "draft model", { "--spec-draft-model", "--model-draft", "-md" } },
    [SETTING_DRAFT_MAX] = { "k (draft size)", { "--spec-draft-n-max", "--draft-max", "--draft-n", "--draft" } },
    [SETTING_SPEC_TYPE] = { "spec_type", { "--spec-type" } },
    [SETTING_PARALLEL] = { "np (parallel slots)", { "--parallel", "-np" } },
    [SETTING_THREADS] = { "threads", { "--threads", "-t" } },
    [SETTING_CTX] = { "ctx", { "--ctx-size", "-c" } },
    [SETTING_NGL] = { "ngl", { "--n-gpu-layers", "--gpu-layers", "-ngl" } },
    [SETTING_BATCH] = { "batch", { "--batch-size", "-b" } },
    [SETTING_UBATCH] = { "ubatch", { "--ubatch-size", "-ub" } },
    [SETTING_FLASH_ATTN] = { "flash_attn", { "--flash-attn", "-fa" } },
    [SETTING_CACHE_TYPE_K] = { "cache_type_k", { "--cache-type-k", "-ctk" } },
    [SETTING_CACHE_TYPE_V] = { "cache_type_v", { "--cache-type-v", "-ctv" } },
    [SETTING_OVERRIDE_KV] = { "experts (--override-kv)", { "--override-kv" } },
    [SETTING_HOST] = { "host", { "--host" } },
    [SETTING_PORT] = { "port", { "--port" } },
    [SETTING_NO_WEBUI] = { "no_webui", { "--no-webui" } },
    [SETTING_SPEC_SYNTH_RATES] = { "spec_synth_rates", { "--spec-synth-rates" } },
    [SETTING_SPEC_SYNTH_LEN] = { "spec_synth_len", { "--spec-synth-len" } },
    [SETTING_ALIAS] = { "alias", { "--alias", "-a" } },
    [SETTING_MMPROJ] = { "mmproj (multimodal projector)", { "--mmproj", "-mm" } },
};

const char *server_setting_name(enum server_setting s)
{
    return setting_table[s].name;
}

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
void server_flags_parse_help(const char *help, struct server_flags *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    const char *line = help;
    while (line && *line) {
        const char *eol = strchr(line, '\n');
        size_t len = eol ? (size_t)(eol - line) : strlen(line);
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
        line = eol ? eol + 1 : NULL;
    }
    if (out->n_names)
        qsort(out->names, out->n_names, sizeof *out->names, cmp_str);
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
    memset(f, 0, sizeof *f);
}

const char *server_flags_spelling(const struct server_flags *f, enum server_setting s,
                                  struct bai_error *err)
{
    for (int i = 0; i < 4 && setting_table[s].spellings[i]; i++)
        if (server_flags_accepts(f, setting_table[s].spellings[i]))
            return setting_table[s].spellings[i];
    struct buf tried = {0};
    for (int i = 0; i < 4 && setting_table[s].spellings[i]; i++)
        buf_printf(&tried, "%s%s", i ? ", " : "", setting_table[s].spellings[i]);
    bai_error_set(err, BAI_EXIT_USAGE,
                  "this llama-server build does not support setting '%s' (none of %s is accepted)",
                  setting_table[s].name, tried.data);
    buf_free(&tried);
    return NULL;
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
