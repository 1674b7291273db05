/* config_file.c - config.yaml -> struct cli_config, and each setting's
 * effective value (command line > compatibility variable > file > built-in). */
#include "cli/config_file.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "store/store.h"
#include "util/defaults.h"
#include "util/yaml_bounds.h"
#include "util/fs.h"
#include "util/suggest.h"

enum kind { K_PATH, K_TEXT, K_FORMAT, K_COUNT, K_URL, K_ENV_NAME };

static const struct key {
    const char *name;     /* as in the file */
    const char *env;      /* compatibility variable, or NULL */
    enum kind kind;
} keys[CLI_CFG_N] = {
    [CLI_CFG_STORE] = { "store", "BENCHAI_STORE", K_PATH },
    [CLI_CFG_OUTPUT] = { "output", NULL, K_FORMAT },
    [CLI_CFG_LLAMA_SERVER] = { "llama_server", "BENCHAI_LLAMA_SERVER", K_PATH },
    [CLI_CFG_THREADS] = { "threads", NULL, K_COUNT },
    [CLI_CFG_JUDGE_URL] = { "judge.url", NULL, K_URL },
    [CLI_CFG_JUDGE_MODEL] = { "judge.model", NULL, K_TEXT },
    [CLI_CFG_JUDGE_API_KEY_ENV] = { "judge.api_key_env", NULL, K_ENV_NAME },
    [CLI_CFG_JUDGE_GGUF] = { "judge.gguf", NULL, K_PATH },
    [CLI_CFG_MODELS_FILE] = { "models_file", NULL, K_PATH },
    [CLI_CFG_ROLES_FILE] = { "roles_file", NULL, K_PATH },
};

static const char *const formats[] = { "md", "csv", "json", "jsonl", NULL };
static const char *const top_keys[] = { "store", "output", "llama_server", "threads", "models", "judge",
                                        "models_file", "roles_file", NULL };
static const char *const judge_keys[] = { "url", "model", "api_key_env", "gguf", NULL };

char *cli_config_default_path(void)
{
    const char *xdg = getenv("XDG_CONFIG_HOME");
    if (xdg && *xdg)
        return xasprintf("%s/benchai/config.yaml", xdg);
    const char *home = getenv("HOME");
    return xasprintf("%s/.config/benchai/config.yaml", home && *home ? home : ".");
}

/* ---- reading -------------------------------------------------------------------- */

struct reader {
    yaml_document_t *doc;
    struct cli_config *cfg;
    struct bai_error *err;
};

static int fail(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(struct reader *r, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bai_error_set(r->err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s", r->cfg->path, n->start_mark.line + 1,
                  n->start_mark.column + 1, msg);
    return -1;
}

static const char *what(const yaml_node_t *n)
{
    return n->type == YAML_MAPPING_NODE ? "a mapping" : n->type == YAML_SEQUENCE_NODE ? "a list" : "a value";
}

/* "~/x" -> "$HOME/x"; anything else as written. */
static char *expand_home(const char *s)
{
    const char *home = getenv("HOME");
    if (s[0] == '~' && (s[1] == '/' || !s[1]) && home && *home)
        return xasprintf("%s%s", home, s + 1);
    return xstrdup(s);
}

static int env_name_ok(const char *s)
{
    if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z')))
        return 0;
    for (; *s; s++)
        if (!(*s == '_' || (*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
            return 0;
    return 1;
}

/* Checks a scalar against its key's kind; returns the value to keep. */
static char *value_of(struct reader *r, const struct key *k, const yaml_node_t *v)
{
    if (v->type != YAML_SCALAR_NODE || !v->data.scalar.length) {
        fail(r, v, "%s: expected %s, got %s", k->name,
             k->kind == K_PATH ? "a path" : k->kind == K_COUNT ? "a number" : "a string",
             v->type == YAML_SCALAR_NODE ? "nothing" : what(v));
        return NULL;
    }
    const char *s = (const char *)v->data.scalar.value;
    switch (k->kind) {
    case K_FORMAT:
        for (size_t i = 0; formats[i]; i++)
            if (!strcmp(s, formats[i]))
                return xstrdup(s);
        fail(r, v, "%s: expected md, csv, json or jsonl, got '%s'", k->name, s);
        return NULL;
    case K_COUNT: {
        char *end;
        errno = 0;
        long n = strtol(s, &end, 10);
        if (errno || *end || end == s || n < 1 || n > 4096) {
            fail(r, v, "%s: expected an integer from 1 to 4096, got '%s'", k->name, s);
            return NULL;
        }
        return xstrdup(s);
    }
    case K_URL:
        if (strncmp(s, "http://", 7) && strncmp(s, "https://", 8)) {
            fail(r, v, "%s: expected an http:// or https:// URL, got '%s'", k->name, s);
            return NULL;
        }
        return xstrdup(s);
    case K_ENV_NAME:
        if (!env_name_ok(s)) {
            fail(r, v, "%s: expected the name of an environment variable (the file never holds the "
                       "key itself), got '%s'", k->name, s);
            return NULL;
        }
        return xstrdup(s);
    case K_PATH:
        return expand_home(s);
    default:
        return xstrdup(s);
    }
}

static int set_key(struct reader *r, enum cli_key id, const yaml_node_t *v)
{
    char *s = value_of(r, &keys[id], v);
    if (!s)
        return -1;
    struct cli_setting *st = &r->cfg->v[id];
    free(st->value);
    st->value = s;
    st->line = (int)v->start_mark.line + 1;
    st->column = (int)v->start_mark.column + 1;
    return 0;
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int unknown_key(struct reader *r, const yaml_node_t *k, const char *where,
                       const char *const *known)
{
    const char *name = scalar(k) ? scalar(k) : "?";
    const char *s = suggest_closest(name, known);
    struct buf all = { 0 };
    for (size_t i = 0; known[i]; i++)
        buf_printf(&all, "%s%s", i ? ", " : "", known[i]);
    int rc = fail(r, k, "unknown key '%s'%s%s%s%s (known: %s)", name, where, s ? "; did you mean '" : "",
                  s ? s : "", s ? "'?" : "", all.data);
    buf_free(&all);
    return rc;
}

/* Calls fn for every (key, value) pair of a mapping node. */
static int each_pair(struct reader *r, const yaml_node_t *map, const char *name,
                     int (*fn)(struct reader *, const yaml_node_t *, const yaml_node_t *))
{
    if (map->type != YAML_MAPPING_NODE)
        return fail(r, map, "%s: expected a mapping, got %s", name, what(map));
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++)
        if (fn(r, yaml_document_get_node(r->doc, p->key), yaml_document_get_node(r->doc, p->value)) < 0)
            return -1;
    return 0;
}

static int judge_pair(struct reader *r, const yaml_node_t *k, const yaml_node_t *v)
{
    static const enum cli_key ids[] = { CLI_CFG_JUDGE_URL, CLI_CFG_JUDGE_MODEL, CLI_CFG_JUDGE_API_KEY_ENV,
                                        CLI_CFG_JUDGE_GGUF };
    for (size_t i = 0; judge_keys[i]; i++)
        if (scalar(k) && !strcmp(scalar(k), judge_keys[i]))
            return set_key(r, ids[i], v);
    return unknown_key(r, k, " in judge", judge_keys);
}

static int model_pair(struct reader *r, const yaml_node_t *k, const yaml_node_t *v)
{
    const char *name = scalar(k);
    if (!name || !*name || strchr(name, '/'))
        return fail(r, k, "models: a model name is a word without '/', got '%s'", name ? name : "?");
    static const struct key entry = { "models", NULL, K_PATH };
    char *path = value_of(r, &entry, v);
    if (!path)
        return -1;
    struct cli_config *cfg = r->cfg;
    for (size_t i = 0; i < cfg->n_models; i++) {
        if (!strcmp(cfg->models[i].name, name)) {
            free(path);
            return fail(r, k, "models: '%s' is named twice (first at line %d)", name, cfg->models[i].line);
        }
    }
    cfg->models = xrealloc(cfg->models, (cfg->n_models + 1) * sizeof *cfg->models);
    cfg->models[cfg->n_models++] = (struct cli_config_model){
        xstrdup(name), path, (int)k->start_mark.line + 1, (int)k->start_mark.column + 1
    };
    return 0;
}

static int top_pair(struct reader *r, const yaml_node_t *k, const yaml_node_t *v)
{
    const char *name = scalar(k);
    if (name && !strcmp(name, "models"))
        return each_pair(r, v, "models", model_pair);
    if (name && !strcmp(name, "judge"))
        return each_pair(r, v, "judge", judge_pair);
    for (int id = 0; id < CLI_CFG_N; id++)
        if (name && !strchr(keys[id].name, '.') && !strcmp(name, keys[id].name))
            return set_key(r, (enum cli_key)id, v);
    return unknown_key(r, k, "", top_keys);
}

static int parse_text(struct cli_config *cfg, const char *text, size_t len, struct bai_error *err)
{
    yaml_parser_t parser;
    yaml_document_t doc;
    if (yaml_bounds_check_text(cfg->path, text, len, err) != 0)
        return -1;
    if (!yaml_parser_initialize(&parser)) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "%s: cannot initialise the YAML parser", cfg->path);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s", cfg->path, parser.problem_mark.line + 1,
                      parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error");
        yaml_parser_delete(&parser);
        return -1;
    }
    yaml_parser_delete(&parser);
    struct reader r = { &doc, cfg, err };
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    int rc = 0;
    if (root && !(root->type == YAML_SCALAR_NODE && !root->data.scalar.length))
        rc = each_pair(&r, root, "the file", top_pair);
    yaml_document_delete(&doc);
    return rc;
}

int cli_config_load(const char *path, struct cli_config *cfg, struct bai_error *err)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->path = xstrdup(path);
    if (!fs_exists(path))
        return 0;
    size_t len;
    char *text = fs_read_file(path, &len, err);
    if (!text) {
        cli_config_free(cfg);
        return -1;
    }
    cfg->exists = 1;
    int rc = parse_text(cfg, text, len, err);
    free(text);
    if (rc != 0)
        cli_config_free(cfg);
    return rc;
}

void cli_config_free(struct cli_config *cfg)
{
    free(cfg->path);
    for (int i = 0; i < CLI_CFG_N; i++)
        free(cfg->v[i].value);
    for (size_t i = 0; i < cfg->n_models; i++) {
        free(cfg->models[i].name);
        free(cfg->models[i].path);
    }
    free(cfg->models);
    memset(cfg, 0, sizeof *cfg);
}

/* ---- effective values ------------------------------------------------------------ */

static const struct cli_config *current;

void cli_config_set_current(const struct cli_config *cfg)
{
    current = cfg;
}

const struct cli_config *cli_config_current(void)
{
    return current;
}

const char *cli_config_key_name(enum cli_key k)
{
    return keys[k].name;
}

static const char *env_value(enum cli_key k)
{
    const char *v = keys[k].env ? getenv(keys[k].env) : NULL;
    return v && *v ? v : NULL;
}

const char *cli_config_get(enum cli_key k)
{
    const char *v = env_value(k);
    if (v)
        return v;
    return current ? current->v[k].value : NULL;
}

char *cli_config_source(enum cli_key k)
{
    if (env_value(k))
        return xasprintf("environment %s", keys[k].env);
    if (current && current->v[k].value)
        return xasprintf("%s:%d", current->path, current->v[k].line);
    return NULL;
}

const char *cli_default_store(void)
{
    const char *v = cli_config_get(CLI_CFG_STORE);
    return v ? v : BAI_STORE_PATH;
}

const char *cli_default_format(const char *const *choices, const char *builtin)
{
    const char *v = cli_config_get(CLI_CFG_OUTPUT);
    for (size_t i = 0; v && choices[i]; i++)
        if (!strcmp(choices[i], v))
            return choices[i];
    return builtin;
}

const char *cli_config_model(const char *name)
{
    for (size_t i = 0; current && name && i < current->n_models; i++)
        if (!strcmp(current->models[i].name, name))
            return current->models[i].path;
    return NULL;
}
