/* plan_yaml.c - loads models.yaml registries and plan files with libyaml's
 * document API; every error carries file:line:col (see plan.h and
 * docs/plans.md for the two schemas). */
#include "plan/plan_int.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "util/yaml_bounds.h"
#include "util/fs.h"
#include "util/mem.h"

struct ydoc {
    yaml_document_t doc;
    const char *file;
    struct bai_error *err;
};

static char *where(const struct ydoc *d, const yaml_node_t *n)
{
    return xasprintf("%s:%zu:%zu", d->file, n->start_mark.line + 1, n->start_mark.column + 1);
}

/* Sets err to "file:line:col: message". Always returns -1. */
static int yerr(const struct ydoc *d, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int yerr(const struct ydoc *d, const yaml_node_t *n, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    bai_error_set(d->err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s", d->file, n->start_mark.line + 1,
                  n->start_mark.column + 1, msg);
    return -1;
}

static yaml_node_t *node(struct ydoc *d, int id)
{
    return yaml_document_get_node(&d->doc, id);
}

static const char *scalar(const yaml_node_t *n)
{
    return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

static int want_scalar(struct ydoc *d, yaml_node_t *n, const char *key, const char **out)
{
    if (!(*out = scalar(n)))
        return yerr(d, n, "%s wants a single value", key);
    return 0;
}

static int want_int(struct ydoc *d, yaml_node_t *n, const char *key, int min, int *out)
{
    const char *s;
    if (want_scalar(d, n, key, &s) < 0)
        return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min || v > INT_MAX)
        return yerr(d, n, "%s wants an integer >= %d, not '%s'", key, min, s);
    *out = (int)v;
    return 0;
}

/* A scalar or a sequence of scalars, appended to *v. */
static int want_strings(struct ydoc *d, yaml_node_t *n, const char *key, char ***v, size_t *nv)
{
    if (n->type == YAML_SCALAR_NODE) {
        plan_strv_push(v, nv, scalar(n));
        return 0;
    }
    if (n->type != YAML_SEQUENCE_NODE)
        return yerr(d, n, "%s wants a value or a list of values", key);
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
        yaml_node_t *e = node(d, *it);
        const char *s;
        if (want_scalar(d, e, key, &s) < 0)
            return -1;
        plan_strv_push(v, nv, s);
    }
    if (*nv == 0)
        return yerr(d, n, "%s is an empty list", key);
    return 0;
}

/* Parses text into d->doc; the root must be a mapping. */
static int load_doc(struct ydoc *d, const char *text, size_t len)
{
    yaml_parser_t p;
    if (yaml_bounds_check_text(d->file, text, len, d->err) != 0)
        return -1;
    if (!yaml_parser_initialize(&p)) {
        bai_error_set(d->err, BAI_EXIT_INTERNAL, "%s: cannot initialise the YAML parser", d->file);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    if (!yaml_parser_load(&p, &d->doc)) {
        /* the common trap: [${VAR}/x.gguf] - braces end a flow list's plain value */
        const char *line = text;
        for (size_t l = 0; l < p.problem_mark.line && line; l++)
            if ((line = memchr(line, '\n', len - (size_t)(line - text))))
                line++;
        const char *eol = line ? memchr(line, '\n', len - (size_t)(line - text)) : NULL;
        int var_in_flow = line && memmem(line, eol ? (size_t)(eol - line) : strlen(line), "${", 2);
        bai_error_set(d->err, BAI_EXIT_USAGE, "%s:%zu:%zu: %s%s", d->file, p.problem_mark.line + 1,
                      p.problem_mark.column + 1, p.problem ? p.problem : "YAML syntax error",
                      var_in_flow ? " (quote values with ${...} inside [ ] lists)" : "");
        yaml_parser_delete(&p);
        return -1;
    }
    yaml_parser_delete(&p);
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    if (!root || root->type != YAML_MAPPING_NODE) {
        bai_error_set(d->err, BAI_EXIT_USAGE, "%s: the top level must be a mapping", d->file);
        yaml_document_delete(&d->doc);
        return -1;
    }
    return 0;
}

#define FOR_PAIRS(d, map, pr) \
    for (yaml_node_pair_t *pr = (map)->data.mapping.pairs.start; pr < (map)->data.mapping.pairs.top; pr++)

/* --- registry ------------------------------------------------------------------ */

static void model_clear(struct plan_model *m)
{
    free(m->name); free(m->path); free(m->url); free(m->mmproj); free(m->family); free(m->arch);
    free(m->quant); free(m->size); free(m->where);
    plan_strv_free(m->drafts, m->n_drafts);
    plan_strv_free(m->roles, m->n_roles);
}

static int parse_model(struct ydoc *d, yaml_node_t *n, const char *base_dir, struct plan_registry *reg)
{
    if (n->type != YAML_MAPPING_NODE)
        return yerr(d, n, "a model entry must be a mapping (name:, path: or url:, ...)");
    struct plan_model m = {0};
    m.where = where(d, n);
    FOR_PAIRS(d, n, pr) {
        yaml_node_t *kn = node(d, pr->key), *vn = node(d, pr->value);
        const char *k = scalar(kn), *v = NULL;
        char **slot = NULL;
        if (!k) {
            yerr(d, kn, "keys must be plain words");
            goto fail;
        }
        if (!strcmp(k, "drafts") || !strcmp(k, "roles")) {
            int rc = !strcmp(k, "drafts") ? want_strings(d, vn, k, &m.drafts, &m.n_drafts)
                                          : want_strings(d, vn, k, &m.roles, &m.n_roles);
            if (rc < 0)
                goto fail;
            continue;
        }
        if (!strcmp(k, "name")) slot = &m.name;
        else if (!strcmp(k, "path")) slot = &m.path;
        else if (!strcmp(k, "url")) slot = &m.url;
        else if (!strcmp(k, "mmproj")) slot = &m.mmproj;
        else if (!strcmp(k, "family")) slot = &m.family;
        else if (!strcmp(k, "arch")) slot = &m.arch;
        else if (!strcmp(k, "quant")) slot = &m.quant;
        else if (!strcmp(k, "size")) slot = &m.size;
        else if (!strcmp(k, "notes")) slot = NULL;
        else {
            yerr(d, kn, "unknown model key '%s' (name, path, url, mmproj, family, arch, quant, size, drafts, roles, notes)", k);
            goto fail;
        }
        if (want_scalar(d, vn, k, &v) < 0)
            goto fail;
        if (slot == &m.path || slot == &m.mmproj) {
            free(*slot);
            *slot = plan_expand_path(v, base_dir, d->err);
            if (!*slot) {
                bai_error_prefix(d->err, "%s:%zu:%zu", d->file, vn->start_mark.line + 1,
                                 vn->start_mark.column + 1);
                goto fail;
            }
        } else if (slot) {
            free(*slot);
            *slot = xstrdup(v);
        }
    }
    if (!m.name) {
        yerr(d, n, "model entry without a name");
        goto fail;
    }
    if (!m.path == !m.url) {
        yerr(d, n, "model '%s' needs exactly one of path: and url:", m.name);
        goto fail;
    }
    if (m.mmproj && m.url) {
        yerr(d, n, "model '%s': mmproj: is for a local GGUF (path:), not an endpoint", m.name);
        goto fail;
    }
    if (plan_registry_find(reg, m.name)) {
        yerr(d, n, "model '%s' is defined twice", m.name);
        goto fail;
    }
    plan_registry_add(reg, &m);
    return 0;
fail:
    model_clear(&m);
    return -1;
}

static int registry_from_doc(struct ydoc *d, struct plan_registry *reg, const char *base_dir)
{
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    FOR_PAIRS(d, root, pr) {
        yaml_node_t *kn = node(d, pr->key), *vn = node(d, pr->value);
        const char *k = scalar(kn);
        if (!k || strcmp(k, "models") != 0)
            return yerr(d, kn, "unknown top-level key '%s' in a registry (want models:)", k ? k : "?");
        if (vn->type != YAML_SEQUENCE_NODE)
            return yerr(d, vn, "models: wants a list of model entries");
        for (yaml_node_item_t *it = vn->data.sequence.items.start; it < vn->data.sequence.items.top; it++)
            if (parse_model(d, node(d, *it), base_dir, reg) < 0)
                return -1;
    }
    return 0;
}

int plan_registry_load(struct plan_registry *reg, const char *path, struct bai_error *err)
{
    size_t len;
    char *text = fs_read_file(path, &len, err);
    if (!text)
        return -1;
    struct ydoc d = {.file = path, .err = err};
    int rc = load_doc(&d, text, len);
    free(text);
    if (rc < 0)
        return -1;
    char *dir = fs_dirname(path);
    rc = registry_from_doc(&d, reg, dir);
    free(dir);
    yaml_document_delete(&d.doc);
    return rc;
}

/* --- plans --------------------------------------------------------------------- */

/* "model, draft, k, spec_type, ...": every axis a plan may name. */
static char *axis_names(void)
{
    struct buf b = {0};
    buf_puts(&b, "model, draft");
    for (size_t i = 0; i < settings_count(); i++)
        if (!(settings_def((int)i)->flags & (SETTING_NO_AXIS | SETTING_HIDDEN)))
            buf_printf(&b, ", %s%s", settings_def((int)i)->name, i == SETTING_ENV ? ".NAME" : "");
    return buf_detach(&b);
}

/* Reads an axis value node (scalar or list) into a, validated; key is
 * the variable of an env.NAME axis (taken), else NULL. */
static int parse_axis(struct ydoc *d, yaml_node_t *kn, yaml_node_t *vn, int id, char *key,
                      int single, struct plan_axis *a)
{
    memset(a, 0, sizeof *a);
    a->id = id;
    a->key = key;
    a->where = where(d, vn);
    if (single && vn->type != YAML_SCALAR_NODE)
        return yerr(d, vn, "defaults: %s takes one value (sweep it inside a sweep)", plan_axis_name(id));
    if (want_strings(d, vn, plan_axis_name(id), &a->values, &a->n_values) < 0)
        return -1;
    for (size_t i = 0; i < a->n_values; i++) {
        char *applied = plan_axis_value(a, a->values[i]);
        int bad = plan_axis_validate(id, applied, a->where, d->err);
        free(applied);
        if (bad < 0)
            return -1;
        for (size_t j = 0; j < i; j++)
            if (!strcmp(a->values[i], a->values[j]))
                return yerr(d, vn, "%s lists '%s' twice", plan_axis_name(id), a->values[i]);
    }
    return 0;
}

/* An axis key of a sweep or of defaults: a setting ("k", "fa"), env.NAME,
 * or env: {NAME: values, ...} (one axis per variable). Appends to *axes;
 * returns 0, 1 when k names no axis (the caller's error), -1 on error. */
static int add_axes(struct ydoc *d, yaml_node_t *kn, yaml_node_t *vn, int single, struct plan_axis **axes,
                    size_t *n_axes)
{
    const char *k = scalar(kn);
    int id;
    char *key = NULL;
    if (!strcmp(k, "env") && vn->type == YAML_MAPPING_NODE) {
        FOR_PAIRS(d, vn, ep) {
            yaml_node_t *ek = node(d, ep->key);
            char *name = scalar(ek) ? xasprintf("env.%s", scalar(ek)) : NULL;
            int rc = name && plan_axis_lookup_key(name, &id, &key) == 0;
            free(name);
            if (!rc)
                return yerr(d, ek, "env: '%s' is not a variable name", scalar(ek) ? scalar(ek) : "?");
            for (size_t a = 0; a < *n_axes; a++)
                if ((*axes)[a].key && !strcmp((*axes)[a].key, key)) {
                    free(key);
                    return yerr(d, ek, "env.%s is given twice", scalar(ek));
                }
            *axes = xrealloc(*axes, (*n_axes + 1) * sizeof **axes);
            if (parse_axis(d, ek, node(d, ep->value), id, key, single, &(*axes)[(*n_axes)++]) < 0)
                return -1;
        }
        return 0;
    }
    if (plan_axis_lookup_key(k, &id, &key) < 0)
        return 1;
    for (size_t a = 0; a < *n_axes; a++)
        if ((*axes)[a].id == id && !strcmp((*axes)[a].key ? (*axes)[a].key : "", key ? key : "")) {
            free(key);
            return yerr(d, kn, "axis %s is given twice%s", k, single ? " in defaults" : " in this sweep");
        }
    *axes = xrealloc(*axes, (*n_axes + 1) * sizeof **axes);
    return parse_axis(d, kn, vn, id, key, single, &(*axes)[(*n_axes)++]) < 0 ? -1 : 0;
}

static int parse_sweep(struct ydoc *d, yaml_node_t *n, struct plan_sweep *s, size_t index)
{
    s->reps = s->warmup = s->concurrency = -1;
    s->where = where(d, n);
    if (n->type != YAML_MAPPING_NODE)
        return yerr(d, n, "a sweep must be a mapping (name:, model:, k: [..], ...)");
    FOR_PAIRS(d, n, pr) {
        yaml_node_t *kn = node(d, pr->key), *vn = node(d, pr->value);
        const char *k = scalar(kn), *v;
        int id;
        if (!k)
            return yerr(d, kn, "keys must be plain words");
        if (!strcmp(k, "name")) {
            if (want_scalar(d, vn, k, &v) < 0)
                return -1;
            free(s->name);
            s->name = xstrdup(v);
        } else if (!strcmp(k, "mode")) {
            if (want_scalar(d, vn, k, &v) < 0)
                return -1;
            if (strcmp(v, "grid") && strcmp(v, "zip"))
                return yerr(d, vn, "mode is grid or zip, not '%s'", v);
            s->zip = !strcmp(v, "zip");
        } else if (!strcmp(k, "description")) {
            if (want_scalar(d, vn, k, &v) < 0)
                return -1;
        } else if (!strcmp(k, "suites")) {
            if (want_strings(d, vn, k, &s->suites, &s->n_suites) < 0)
                return -1;
        } else if (!strcmp(k, "reps")) {
            if (want_int(d, vn, k, 1, &s->reps) < 0)
                return -1;
        } else if (!strcmp(k, "warmup")) {
            if (want_int(d, vn, k, 0, &s->warmup) < 0)
                return -1;
        } else if (!strcmp(k, "concurrency")) {
            if (want_int(d, vn, k, 0, &s->concurrency) < 0)
                return -1;
        } else if ((id = add_axes(d, kn, vn, 0, &s->axes, &s->n_axes)) <= 0) {
            if (id < 0)
                return -1;
        } else {
            char *axes = axis_names();
            int rc = yerr(d, kn, "unknown sweep key '%s' (name, mode, suites, reps, warmup, concurrency, "
                          "or an axis: %s)", k, axes);
            free(axes);
            return rc;
        }
    }
    if (!s->name)
        s->name = xasprintf("sweep%zu", index + 1);
    return 0;
}

static int plan_from_doc(struct ydoc *d, struct plan *p, const char *base_dir, const char *models_path)
{
    yaml_node_t *root = yaml_document_get_root_node(&d->doc);
    char *models_file = NULL;
    int rc = 0;
    FOR_PAIRS(d, root, pr) {
        yaml_node_t *kn = node(d, pr->key), *vn = node(d, pr->value);
        const char *k = scalar(kn), *v;
        if (!k) {
            rc = yerr(d, kn, "keys must be plain words");
            break;
        }
        if (!strcmp(k, "plan") || !strcmp(k, "description")) {
            if ((rc = want_scalar(d, vn, k, &v)) < 0)
                break;
            char **slot = !strcmp(k, "plan") ? &p->name : &p->description;
            free(*slot);
            *slot = xstrdup(v);
        } else if (!strcmp(k, "models_file")) {
            if ((rc = want_scalar(d, vn, k, &v)) < 0)
                break;
            free(models_file);
            if (!(models_file = plan_expand_path(v, base_dir, d->err))) {
                rc = -1;
                break;
            }
        } else if (!strcmp(k, "suites")) {
            rc = want_strings(d, vn, k, &p->suites, &p->n_suites);
        } else if (!strcmp(k, "reps")) {
            rc = want_int(d, vn, k, 1, &p->reps);
        } else if (!strcmp(k, "warmup")) {
            rc = want_int(d, vn, k, 0, &p->warmup);
        } else if (!strcmp(k, "concurrency")) {
            rc = want_int(d, vn, k, 0, &p->concurrency);
        } else if (!strcmp(k, "time_budget")) {
            if ((rc = want_scalar(d, vn, k, &v)) < 0)
                break;
            if ((p->time_budget_s = plan_parse_duration(v)) < 0)
                rc = yerr(d, vn, "time_budget wants a duration like 90m, 8h or 1h30m, not '%s'", v);
        } else if (!strcmp(k, "defaults")) {
            if (vn->type != YAML_MAPPING_NODE) {
                rc = yerr(d, vn, "defaults: wants a mapping of settings");
                break;
            }
            FOR_PAIRS(d, vn, dp) {
                yaml_node_t *dk = node(d, dp->key);
                int got = scalar(dk) ? add_axes(d, dk, node(d, dp->value), 1, &p->defaults, &p->n_defaults) : 1;
                if (got > 0) {
                    char *axes = axis_names();
                    rc = yerr(d, dk, "unknown setting '%s' in defaults (known: %s)",
                              scalar(dk) ? scalar(dk) : "?", axes);
                    free(axes);
                    break;
                }
                if ((rc = got) < 0)
                    break;
            }
        } else if (!strcmp(k, "sweeps")) {
            if (vn->type != YAML_SEQUENCE_NODE) {
                rc = yerr(d, vn, "sweeps: wants a list of sweeps");
                break;
            }
            for (yaml_node_item_t *it = vn->data.sequence.items.start;
                 it < vn->data.sequence.items.top && rc == 0; it++) {
                p->sweeps = xrealloc(p->sweeps, (p->n_sweeps + 1) * sizeof *p->sweeps);
                struct plan_sweep *s = &p->sweeps[p->n_sweeps++];
                memset(s, 0, sizeof *s);
                rc = parse_sweep(d, node(d, *it), s, p->n_sweeps - 1);
                for (size_t j = 0; rc == 0 && j + 1 < p->n_sweeps; j++)
                    if (!strcmp(p->sweeps[j].name, s->name))
                        rc = yerr(d, node(d, *it), "two sweeps are named '%s'", s->name);
            }
        } else {
            rc = yerr(d, kn, "unknown plan key '%s' (plan, description, models_file, suites, reps, "
                      "warmup, concurrency, time_budget, defaults, sweeps)", k);
        }
        if (rc < 0)
            break;
    }
    if (rc == 0 && p->n_sweeps == 0)
        rc = yerr(d, root, "the plan has no sweeps: list");
    if (rc == 0) {
        /* registry: the caller's, else models_file:, else models.yaml beside the plan */
        const char *reg_path = models_path ? models_path : models_file;
        char *beside = NULL;
        if (!reg_path) {
            beside = base_dir ? xasprintf("%s/models.yaml", base_dir) : xstrdup("models.yaml");
            if (fs_exists(beside))
                reg_path = beside;
        }
        if (reg_path)
            rc = plan_registry_load(&p->registry, reg_path, d->err);
        free(beside);
    }
    free(models_file);
    if (rc == 0 && !p->name)
        p->name = xstrdup(d->file);
    return rc;
}

struct plan *plan_parse_string(const char *yaml, const char *name, const char *base_dir,
                               const char *models_path, struct bai_error *err)
{
    struct ydoc d = {.file = name, .err = err};
    if (load_doc(&d, yaml, strlen(yaml)) < 0)
        return NULL;
    struct plan *p = plan_new();
    p->base_dir = xstrdup(base_dir);
    int rc = plan_from_doc(&d, p, base_dir, models_path);
    yaml_document_delete(&d.doc);
    if (rc < 0) {
        plan_free(p);
        return NULL;
    }
    return p;
}

struct plan *plan_load(const char *path, const char *models_path, struct bai_error *err)
{
    size_t len;
    char *text = fs_read_file(path, &len, err);
    if (!text)
        return NULL;
    if (strlen(text) != len) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: contains a NUL byte, not a YAML plan", path);
        free(text);
        return NULL;
    }
    char *dir = fs_dirname(path);
    struct plan *p = plan_parse_string(text, path, dir, models_path, err);
    free(dir);
    free(text);
    if (p)
        p->path = xstrdup(path);
    return p;
}
