/* defaults.c - where benchai finds what the user did not name (see
 * defaults.h): the cache of the built llama-server and the tiny models,
 * the installed share folder, and the search for suites and data files
 * (flag, config file, working folder, install prefix). */
#include "run/defaults.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char *cache_root(void)
{
    const char *xdg = getenv("XDG_CACHE_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/benchai", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.cache/benchai", home && *home ? home : "/tmp");
}

char *defaults_llama_server(void)
{
    const char *env = getenv("BENCHAI_LLAMA_SERVER");
    if (env && *env)
        return xstrdup(env);
    char *root = cache_root();
    char *path = xasprintf("%s/llama.cpp-%s/build/bin/llama-server", root, BENCHAI_LLAMA_VERSION);
    free(root);
    if (access(path, X_OK) == 0)
        return path;
    free(path);
    return xstrdup("llama-server");
}

char *defaults_tiny_model(const char *name)
{
    const char *env = getenv("BENCHAI_MODELS");
    if (env && *env)
        return xasprintf("%s/%s.gguf", env, name);
    char *root = cache_root();
    char *path = xasprintf("%s/models/current/%s.gguf", root, name);
    free(root);
    return path;
}

const char *const defaults_suite_suffixes[] = { ".yaml", ".yml", NULL };

char *defaults_share_dir(void)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return NULL;
    exe[len] = '\0';
    char *bin = fs_dirname(exe);
    char *share = xasprintf("%s/../share/benchai", bin);
    char *real = realpath(share, NULL);   /* NULL: not installed there */
    free(share);
    free(bin);
    return real;
}

/* Suites are looked up in the working directory first (a checkout), then
 * where `make install` put them: <prefix>/share/benchai/suites beside the
 * installed binary's bin/. */
char **defaults_suite_dirs(size_t *n)
{
    char **dirs = xcalloc(4, sizeof *dirs);
    *n = 0;
    dirs[(*n)++] = xstrdup("suites/v1");
    dirs[(*n)++] = xstrdup("suites/imported");
    char *share = defaults_share_dir();
    if (share) {
        dirs[(*n)++] = xasprintf("%s/suites/v1", share);
        dirs[(*n)++] = xasprintf("%s/suites/imported", share);
    }
    free(share);
    return dirs;
}

/* Where `make install` puts NAME for this binary: <prefix>/share/benchai/NAME
 * with <prefix> the parent of the binary's folder (whether or not it exists). */
static char *installed_path(const char *name)
{
    char exe[4096];
    ssize_t len = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (len <= 0)
        return NULL;
    exe[len] = '\0';
    char *bin = fs_dirname(exe);
    char *prefix = fs_dirname(bin);
    char *p = xasprintf("%s/share/benchai/%s", prefix, name);
    free(prefix);
    free(bin);
    return p;
}

char *defaults_data_file(const char *name, const char *configured, char **looked)
{
    if (looked)
        *looked = NULL;
    if (configured && *configured)
        return xstrdup(configured);
    char *here = xasprintf("benchmarks/%s", name);
    if (fs_exists(here))
        return here;
    char *installed = installed_path(name);
    if (installed && fs_exists(installed)) {
        free(here);
        return installed;
    }
    if (looked)
        *looked = xasprintf("./%s%s%s", here, installed ? ", " : "", installed ? installed : "");
    free(here);
    free(installed);
    return NULL;
}

void defaults_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

char *defaults_suite_path(const char *arg)
{
    if (fs_exists(arg) || strchr(arg, '/'))
        return xstrdup(arg);
    size_t n;
    char **dirs = defaults_suite_dirs(&n);
    char *found = NULL;
    for (size_t i = 0; i < n && !found; i++) {
        char *p = xasprintf("%s/%s.yaml", dirs[i], arg);
        if (fs_exists(p))
            found = p;
        else
            free(p);
    }
    defaults_strv_free(dirs, n);
    return found ? found : xstrdup(arg);
}

char **defaults_suite_names(size_t *n_out)
{
    size_t n, n_names = 0, cap = 0;
    char **dirs = defaults_suite_dirs(&n), **names = NULL;
    for (size_t i = 0; i < n; i++) {
        size_t nf;
        char **files = fs_list_suffix(dirs[i], defaults_suite_suffixes, &nf);
        for (size_t f = 0; f < nf; f++) {
            const char *base = strrchr(files[f], '/') + 1;
            char *name = xstrndup(base, (size_t)(strrchr(base, '.') - base));
            int seen = 0;
            for (size_t k = 0; k < n_names && !seen; k++)
                seen = !strcmp(names[k], name);
            if (seen) {
                free(name);
                continue;
            }
            XGROW(names, n_names + 1, cap);
            names[n_names++] = name;
        }
        defaults_strv_free(files, nf);
    }
    defaults_strv_free(dirs, n);
    *n_out = n_names;
    return names;
}

/* A name the user typed that is no file and no suite: every place looked
 * in, and the names that would have worked, so the next try succeeds. */
char *defaults_suite_missing(const char *arg)
{
    struct buf b = { 0 };
    buf_printf(&b, "suite %s: not found; looked for the file %s", arg, arg);
    if (!strchr(arg, '/')) {
        size_t n;
        char **dirs = defaults_suite_dirs(&n);
        for (size_t i = 0; i < n; i++)
            buf_printf(&b, ", %s/%s.yaml", dirs[i], arg);
        defaults_strv_free(dirs, n);
        size_t n_names;
        char **names = defaults_suite_names(&n_names);
        for (size_t i = 0; i < n_names; i++)
            buf_printf(&b, "%s%s", i ? ", " : "; available suites: ", names[i]);
        if (!n_names)
            buf_printf(&b, "; no suites found in those folders");
        defaults_strv_free(names, n_names);
    }
    return buf_detach(&b);
}
