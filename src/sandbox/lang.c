/* lang.c - loading suites/languages.yaml with libyaml's document API. */
#include "sandbox/lang.h"
#include "util/mem.h"

#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <yaml.h>

static yaml_node_t *node(yaml_document_t *d, int i) { return yaml_document_get_node(d, i); }

static const char *scalar(yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* Looks up key in a mapping node. */
static yaml_node_t *map_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
    if (!map || map->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(d, p->key));
        if (k && !strcmp(k, key))
            return node(d, p->value);
    }
    return NULL;
}

static int fail(struct bai_error *err, const char *path, yaml_node_t *n, const char *what)
{
    bai_error_set(err, BAI_EXIT_USAGE, "%s:%lu:%lu: %s", path,
                  n ? (unsigned long)n->start_mark.line + 1 : 0UL,
                  n ? (unsigned long)n->start_mark.column + 1 : 0UL, what);
    return -1;
}

/* A list of scalars -> NULL-terminated strv. */
static int strv_from(yaml_document_t *d, yaml_node_t *n, char ***out, const char *path,
                     struct bai_error *err)
{
    *out = NULL;
    if (!n)
        return 0;
    if (n->type != YAML_SEQUENCE_NODE)
        return fail(err, path, n, "expected a list of strings");
    size_t cnt = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
    char **v = xcalloc(cnt + 1, sizeof *v);
    for (size_t i = 0; i < cnt; i++) {
        const char *s = scalar(node(d, n->data.sequence.items.start[i]));
        if (!s) {
            for (size_t j = 0; j < i; j++)
                free(v[j]);
            free(v);
            return fail(err, path, n, "expected a list of strings");
        }
        v[i] = xstrdup(s);
    }
    *out = v;
    return 0;
}

static void strv_free(char **v)
{
    for (size_t i = 0; v && v[i]; i++)
        free(v[i]);
    free(v);
}

static int limits_from(yaml_document_t *d, yaml_node_t *n, struct sandbox_limits *l,
                       const char *path, struct bai_error *err)
{
    if (!n)
        return 0;
    if (n->type != YAML_MAPPING_NODE)
        return fail(err, path, n, "limits: expected a mapping");
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        const char *k = scalar(node(d, p->key));
        const char *v = scalar(node(d, p->value));
        char *end = NULL;
        double x = v ? strtod(v, &end) : 0;
        if (!k || !v || end == v || *end)
            return fail(err, path, node(d, p->value), "limits: expected a number");
        if (!strcmp(k, "wall_s")) l->wall_s = x;
        else if (!strcmp(k, "cpu_s")) l->cpu_s = (int)x;
        else if (!strcmp(k, "memory_mb")) l->memory_mb = (long)x;
        else if (!strcmp(k, "memory_extra_mb")) l->memory_extra_mb = (long)x;
        else if (!strcmp(k, "address_space_extra_mb")) l->address_space_extra_mb = (long)x;
        else if (!strcmp(k, "fsize_mb")) l->fsize_mb = (long)x;
        else if (!strcmp(k, "tmpfs_mb")) l->tmpfs_mb = (long)x;
        else if (!strcmp(k, "nofile")) l->nofile = (int)x;
        else if (!strcmp(k, "nproc")) l->nproc = (int)x;
        else if (!strcmp(k, "output_bytes")) l->output_bytes = (size_t)x;
        else
            return fail(err, path, node(d, p->key), "limits: unknown key (wall_s, cpu_s, memory_mb, "
                        "memory_extra_mb, address_space_extra_mb, fsize_mb, tmpfs_mb, nofile, "
                        "nproc, output_bytes)");
        if (x < 0 && strcmp(k, "wall_s") && strcmp(k, "cpu_s"))
            return fail(err, path, node(d, p->value), "limits: must not be negative (no run is "
                        "unlimited; give the runtime's needs as memory_extra_mb and "
                        "address_space_extra_mb)");
    }
    return 0;
}

static int found_in_path(const char *exe)
{
    if (!exe)
        return 0;
    if (strchr(exe, '/'))
        return exe[0] != '/' || access(exe, X_OK) == 0;   /* "./prog": made by compile */
    static const char *const dirs[] = { "/usr/local/bin", "/usr/bin", "/bin" };
    for (size_t i = 0; i < 3; i++) {
        char p[PATH_MAX];
        snprintf(p, sizeof p, "%s/%s", dirs[i], exe);
        if (access(p, X_OK) == 0)
            return 1;
    }
    return 0;
}

static void lang_free(struct sandbox_lang *l)
{
    free(l->name);
    free(l->file);
    strv_free(l->aliases);
    strv_free(l->compile);
    strv_free(l->run);
    strv_free(l->artifacts);
    strv_free(l->paths);
    strv_free(l->env);
}

/* `paths:` entries are absolute; a `*` or `?` is expanded now (e.g.
 * /etc/java-* for whichever JDK is installed); a path that does not exist
 * is dropped. */
static int paths_expand(char ***v, const char *path, yaml_node_t *n, struct bai_error *err)
{
    char **in = *v, **out = NULL;
    size_t cnt = 0;
    for (size_t i = 0; in && in[i]; i++) {
        if (in[i][0] != '/') {
            strv_free(in);
            *v = NULL;
            strv_free(out);
            return fail(err, path, n, "paths: each entry must be an absolute path");
        }
        glob_t g;
        if (glob(in[i], GLOB_NOSORT, NULL, &g) != 0)
            continue;
        for (size_t j = 0; j < g.gl_pathc; j++) {
            out = xrealloc(out, (cnt + 2) * sizeof *out);
            out[cnt++] = xstrdup(g.gl_pathv[j]);
            out[cnt] = NULL;
        }
        globfree(&g);
    }
    strv_free(in);
    *v = out;
    return 0;
}

static int parse_lang(yaml_document_t *d, const char *name, yaml_node_t *n, struct sandbox_lang *l,
                      const char *path, struct bai_error *err)
{
    memset(l, 0, sizeof *l);
    l->name = xstrdup(name);
    if (!n || n->type != YAML_MAPPING_NODE)
        return fail(err, path, n, "language: expected a mapping");
    const char *file = scalar(map_get(d, n, "file"));
    if (!file || !*file || strchr(file, '/'))
        return fail(err, path, n, "language: 'file' (a plain file name) is required");
    l->file = xstrdup(file);
    if (strv_from(d, map_get(d, n, "aliases"), &l->aliases, path, err) ||
        strv_from(d, map_get(d, n, "compile"), &l->compile, path, err) ||
        strv_from(d, map_get(d, n, "run"), &l->run, path, err) ||
        strv_from(d, map_get(d, n, "artifacts"), &l->artifacts, path, err) ||
        strv_from(d, map_get(d, n, "env"), &l->env, path, err) ||
        strv_from(d, map_get(d, n, "paths"), &l->paths, path, err) ||
        paths_expand(&l->paths, path, map_get(d, n, "paths"), err) ||
        limits_from(d, map_get(d, n, "limits"), &l->limits, path, err) ||
        limits_from(d, map_get(d, n, "compile_limits"), &l->compile_limits, path, err))
        return -1;
    if (map_get(d, n, "address_space_limit"))
        return fail(err, path, map_get(d, n, "address_space_limit"),
                    "address_space_limit was removed: every run has an address-space limit; "
                    "give the runtime's reservations as limits.address_space_extra_mb");
    if (!l->run || !l->run[0])
        return fail(err, path, n, "language: 'run' (a non-empty list) is required");
    l->available = found_in_path(l->run[0]) && (!l->compile || found_in_path(l->compile[0]));
    return 0;
}

struct sandbox_langs *sandbox_langs_load(const char *path, struct bai_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", path, strerror(errno));
        return NULL;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    yaml_parser_initialize(&parser);
    yaml_parser_set_input_file(&parser, f);
    if (!yaml_parser_load(&parser, &doc)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%lu:%lu: %s", path,
                      (unsigned long)parser.problem_mark.line + 1,
                      (unsigned long)parser.problem_mark.column + 1,
                      parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        fclose(f);
        return NULL;
    }
    struct sandbox_langs *t = xcalloc(1, sizeof *t);
    t->path = xstrdup(path);
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    yaml_node_t *langs = map_get(&doc, root, "languages");
    int rc = 0;
    if (!langs || langs->type != YAML_MAPPING_NODE) {
        rc = fail(err, path, root, "expected a top-level 'languages:' mapping");
    } else {
        size_t cnt = (size_t)(langs->data.mapping.pairs.top - langs->data.mapping.pairs.start);
        t->v = xcalloc(cnt ? cnt : 1, sizeof *t->v);
        for (size_t i = 0; i < cnt && rc == 0; i++) {
            yaml_node_pair_t *p = &langs->data.mapping.pairs.start[i];
            const char *name = scalar(node(&doc, p->key));
            if (!name) {
                rc = fail(err, path, node(&doc, p->key), "language name must be a string");
                break;
            }
            rc = parse_lang(&doc, name, node(&doc, p->value), &t->v[t->n], path, err);
            t->n++;
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    fclose(f);
    if (rc) {
        sandbox_langs_free(t);
        return NULL;
    }
    return t;
}

struct sandbox_langs *sandbox_langs_load_default(struct bai_error *err)
{
    const char *env = getenv("BENCHAI_LANGUAGES");
    if (env && *env)
        return sandbox_langs_load(env, err);
    char *cands[3] = { xstrdup("suites/languages.yaml"), NULL, NULL };
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash)
            *slash = 0;
        cands[1] = xasprintf("%s/suites/languages.yaml", exe);
        cands[2] = xasprintf("%s/../share/benchai/suites/languages.yaml", exe);
    }
    struct sandbox_langs *t = NULL;
    for (int i = 0; i < 3 && !t; i++)
        if (cands[i] && access(cands[i], R_OK) == 0)
            t = sandbox_langs_load(cands[i], err);
    if (!t && !err->exit_code)
        bai_error_set(err, BAI_EXIT_USAGE, "language table suites/languages.yaml not found "
                      "(set BENCHAI_LANGUAGES to its path)");
    for (int i = 0; i < 3; i++)
        free(cands[i]);
    return t;
}

void sandbox_langs_free(struct sandbox_langs *t)
{
    if (!t)
        return;
    for (size_t i = 0; i < t->n; i++)
        lang_free(&t->v[i]);
    free(t->v);
    free(t->path);
    free(t);
}

const struct sandbox_lang *sandbox_langs_find(const struct sandbox_langs *t, const char *name)
{
    if (!t || !name)
        return NULL;
    for (size_t i = 0; i < t->n; i++) {
        if (!strcasecmp(t->v[i].name, name))
            return &t->v[i];
        for (size_t j = 0; t->v[i].aliases && t->v[i].aliases[j]; j++)
            if (!strcasecmp(t->v[i].aliases[j], name))
                return &t->v[i];
    }
    return NULL;
}

char **sandbox_lang_argv(const struct sandbox_lang *lang, char *const *tmpl,
                         const struct sandbox_limits *limits)
{
    size_t n = 0;
    while (tmpl && tmpl[n])
        n++;
    char **v = xcalloc(n + 1, sizeof *v);
    char mem[32];
    snprintf(mem, sizeof mem, "%ld", limits && limits->memory_mb > 0 ? limits->memory_mb : 256L);
    for (size_t i = 0; i < n; i++) {
        struct buf b = {0};
        for (const char *s = tmpl[i]; *s;) {
            if (!strncmp(s, "{memory_mb}", 11)) {
                buf_puts(&b, mem);
                s += 11;
            } else if (!strncmp(s, "{file}", 6)) {
                buf_puts(&b, lang->file);
                s += 6;
            } else {
                buf_putc(&b, *s++);
            }
        }
        v[i] = buf_detach(&b);
    }
    return v;
}
