/* plan.c - axes, ad-hoc sweep strings, expansion into points, pre-launch
 * checks and the time estimate (see plan.h). YAML loading is plan_yaml.c. */
#include "plan/plan_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

enum ax_kind { AX_STR, AX_INT, AX_FA };

static const struct {
    const char *name;
    enum ax_kind kind;
    int min;                     /* integer axes */
    const char *aliases[3];
} AXES[PLAN_AX_COUNT] = {
    [PLAN_AX_MODEL] = {"model", AX_STR, 0, {"models"}},
    [PLAN_AX_DRAFT] = {"draft", AX_STR, 0, {"drafts"}},
    [PLAN_AX_K] = {"k", AX_INT, 1, {"draft_max"}},
    [PLAN_AX_SPEC_TYPE] = {"spec_type", AX_STR, 0, {0}},
    [PLAN_AX_EXPERTS] = {"experts", AX_INT, 1, {"moe"}},
    [PLAN_AX_NP] = {"np", AX_INT, 1, {"parallel"}},
    [PLAN_AX_THREADS] = {"threads", AX_INT, 1, {"t"}},
    [PLAN_AX_CTX] = {"ctx", AX_INT, 0, {"c"}},
    [PLAN_AX_NGL] = {"ngl", AX_INT, -1, {0}},
    [PLAN_AX_BATCH] = {"batch", AX_INT, 1, {"b"}},
    [PLAN_AX_UBATCH] = {"ubatch", AX_INT, 1, {"ub"}},
    [PLAN_AX_FLASH_ATTN] = {"flash_attn", AX_FA, 0, {"fa"}},
    [PLAN_AX_CACHE_TYPE_K] = {"cache_type_k", AX_STR, 0, {"ctk"}},
    [PLAN_AX_CACHE_TYPE_V] = {"cache_type_v", AX_STR, 0, {"ctv"}},
    [PLAN_AX_FLAGS] = {"flags", AX_STR, 0, {0}},
};

const char *plan_axis_name(enum plan_axis_id id)
{
    return (unsigned)id < PLAN_AX_COUNT ? AXES[id].name : "?";
}

int plan_axis_lookup(const char *name, enum plan_axis_id *out)
{
    for (int i = 0; i < PLAN_AX_COUNT; i++) {
        if (strcmp(AXES[i].name, name) == 0)
            return *out = (enum plan_axis_id)i, 0;
        for (int a = 0; a < 3 && AXES[i].aliases[a]; a++)
            if (strcmp(AXES[i].aliases[a], name) == 0)
                return *out = (enum plan_axis_id)i, 0;
    }
    return -1;
}

/* strtol that insists on a whole, in-range integer. */
static int parse_int(const char *s, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < INT_MIN || v > INT_MAX)
        return -1;
    *out = v;
    return 0;
}

int plan_axis_validate(enum plan_axis_id id, const char *value, const char *where,
                       struct bai_error *err)
{
    const char *name = plan_axis_name(id);
    if (!*value) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: empty value for %s", where, name);
        return -1;
    }
    long v;
    switch (AXES[id].kind) {
    case AX_INT:
        if (parse_int(value, &v) < 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s wants an integer, not '%s'", where, name, value);
            return -1;
        }
        if (v < AXES[id].min) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: %s=%ld is below %d", where, name, v, AXES[id].min);
            return -1;
        }
        return 0;
    case AX_FA:
        if (strcmp(value, "on") && strcmp(value, "off") && strcmp(value, "auto")) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: flash_attn is on, off or auto, not '%s'", where, value);
            return -1;
        }
        return 0;
    case AX_STR:
        if (id != PLAN_AX_FLAGS)
            for (const char *c = value; *c; c++)
                if (isspace((unsigned char)*c)) {
                    bai_error_set(err, BAI_EXIT_USAGE, "%s: %s value '%s' contains a space", where,
                                  name, value);
                    return -1;
                }
        return 0;
    }
    return 0;
}

void plan_strv_push(char ***v, size_t *n, const char *s)
{
    *v = xrealloc(*v, (*n + 1) * sizeof **v);
    (*v)[(*n)++] = xstrdup(s);
}

void plan_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void plan_axis_free(struct plan_axis *a)
{
    if (!a)
        return;
    plan_strv_free(a->values, a->n_values);
    free(a->where);
    memset(a, 0, sizeof *a);
}

/* --- ad-hoc sweep strings ---------------------------------------------------- */

/* Appends the values of "a..b" or "a..b:step" (integers). */
static int push_range(struct plan_axis *a, const char *tok, const char *spec, struct bai_error *err)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%s", tok);
    char *dots = strstr(buf, "..");
    *dots = '\0';
    char *hi_s = dots + 2, *step_s = strchr(hi_s, ':');
    long lo, hi, step = 1;
    if (step_s)
        *step_s++ = '\0';
    if (parse_int(buf, &lo) < 0 || parse_int(hi_s, &hi) < 0 ||
        (step_s && parse_int(step_s, &step) < 0) || step < 1 || hi < lo) {
        bai_error_set(err, BAI_EXIT_USAGE, "--sweep %s: bad range '%s' (want a..b or a..b:step, a <= b)",
                      spec, tok);
        return -1;
    }
    if ((hi - lo) / step >= 4096) {
        bai_error_set(err, BAI_EXIT_USAGE, "--sweep %s: range '%s' has too many values", spec, tok);
        return -1;
    }
    for (long x = lo; x <= hi; x += step) {
        snprintf(buf, sizeof buf, "%ld", x);
        plan_strv_push(&a->values, &a->n_values, buf);
    }
    return 0;
}

int plan_parse_sweep(const char *spec, struct plan_axis *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    const char *eq = strchr(spec, '=');
    if (!eq || eq == spec) {
        bai_error_set(err, BAI_EXIT_USAGE, "--sweep '%s': want NAME=V1,V2,... (e.g. k=2,4,8)", spec);
        return -1;
    }
    char *name = xstrndup(spec, (size_t)(eq - spec));
    int rc = plan_axis_lookup(name, &out->id);
    if (rc < 0)
        bai_error_set(err, BAI_EXIT_USAGE, "--sweep '%s': unknown axis '%s'", spec, name);
    free(name);
    if (rc < 0)
        return -1;
    out->where = xasprintf("--sweep %s", spec);
    char sep = out->id == PLAN_AX_FLAGS ? '|' : ',';
    const char *p = eq + 1;
    for (;;) {
        const char *e = strchr(p, sep);
        size_t n = e ? (size_t)(e - p) : strlen(p);
        char *tok = xstrndup(p, n);
        int bad;
        if (AXES[out->id].kind == AX_INT && strstr(tok, "..")) {
            bad = push_range(out, tok, spec, err);
        } else {
            bad = plan_axis_validate(out->id, tok, out->where, err);
            if (!bad)
                plan_strv_push(&out->values, &out->n_values, tok);
        }
        free(tok);
        if (bad) {
            plan_axis_free(out);
            return -1;
        }
        if (!e)
            break;
        p = e + 1;
    }
    for (size_t i = 0; i < out->n_values; i++)
        for (size_t j = 0; j < i; j++)
            if (strcmp(out->values[i], out->values[j]) == 0) {
                bai_error_set(err, BAI_EXIT_USAGE, "--sweep %s: value '%s' given twice", spec,
                              out->values[i]);
                plan_axis_free(out);
                return -1;
            }
    return 0;
}

double plan_parse_duration(const char *s)
{
    if (!s || !*s)
        return -1;
    double total = 0;
    int any = 0;
    while (*s) {
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (end == s || errno || v < 0 || !isfinite(v))
            return -1;
        s = end;
        double mult = 1;
        if (*s == 'h') mult = 3600, s++;
        else if (*s == 'm') mult = 60, s++;
        else if (*s == 's') s++;
        else if (*s) return -1;
        total += v * mult;
        any = 1;
    }
    return any ? total : -1;
}

/* --- paths ------------------------------------------------------------------- */

static const char *env_or_default(const char *name, char **tmp)
{
    const char *v = getenv(name);
    if (v && *v)
        return v;
    if (strcmp(name, "BENCHAI_MODELS") == 0) {
        const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
        if (xdg && *xdg)
            *tmp = xasprintf("%s/benchai/models/current", xdg);
        else
            *tmp = xasprintf("%s/.cache/benchai/models/current", home ? home : "");
        return *tmp;
    }
    return NULL;
}

char *plan_expand_path(const char *in, const char *base_dir, struct bai_error *err)
{
    struct buf b = {0};
    const char *p = in;
    if (p[0] == '~' && (p[1] == '/' || p[1] == '\0')) {
        const char *home = getenv("HOME");
        if (!home || !*home) {
            bai_error_set(err, BAI_EXIT_USAGE, "'%s': HOME is not set", in);
            return NULL;
        }
        buf_puts(&b, home);
        p++;
    }
    while (*p) {
        if (p[0] != '$' || p[1] != '{') {
            buf_putc(&b, *p++);
            continue;
        }
        const char *close = strchr(p + 2, '}');
        if (!close) {
            bai_error_set(err, BAI_EXIT_USAGE, "'%s': unclosed ${", in);
            buf_free(&b);
            return NULL;
        }
        char *inner = xstrndup(p + 2, (size_t)(close - p - 2));
        char *dflt = strstr(inner, ":-"), *tmp = NULL;
        if (dflt) {
            *dflt = '\0';
            dflt += 2;
        }
        const char *v = env_or_default(inner, &tmp);
        if (!v && dflt)
            v = dflt;
        if (!v) {
            bai_error_set(err, BAI_EXIT_USAGE, "'%s': environment variable %s is not set", in, inner);
            free(inner);
            buf_free(&b);
            return NULL;
        }
        buf_puts(&b, v);
        free(tmp);
        free(inner);
        p = close + 1;
    }
    char *out = buf_detach(&b);
    if (out[0] != '/' && base_dir && *base_dir && strcmp(base_dir, ".") != 0) {
        char *joined = xasprintf("%s/%s", base_dir, out);
        free(out);
        out = joined;
    }
    return out;
}

/* --- registry ------------------------------------------------------------------ */

struct plan_model *plan_registry_add(struct plan_registry *reg, const struct plan_model *m)
{
    XGROW(reg->models, reg->n_models + 1, reg->cap_models);
    struct plan_model *copy = xmalloc(sizeof *copy);
    *copy = *m;
    if (!copy->where)
        copy->where = xstrdup("");
    reg->models[reg->n_models++] = copy;
    return copy;
}

struct plan_model *plan_registry_find(struct plan_registry *reg, const char *name)
{
    for (size_t i = 0; i < reg->n_models; i++)
        if (strcmp(reg->models[i]->name, name) == 0)
            return reg->models[i];
    return NULL;
}

static int is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

struct plan_model *plan_registry_resolve(struct plan_registry *reg, const char *name_or_path,
                                         const char *base_dir, struct bai_error *err)
{
    struct plan_model *m = plan_registry_find(reg, name_or_path);
    if (m)
        return m;
    size_t n = strlen(name_or_path);
    int pathlike = strchr(name_or_path, '/') || (n > 5 && strcmp(name_or_path + n - 5, ".gguf") == 0);
    if (!is_url(name_or_path) && !pathlike) {
        bai_error_set(err, BAI_EXIT_USAGE, "model '%s' is not in the registry and is not a path or URL",
                      name_or_path);
        return NULL;
    }
    struct plan_model nm = {0};
    if (is_url(name_or_path)) {
        for (size_t i = 0; i < reg->n_models; i++)
            if (reg->models[i]->url && strcmp(reg->models[i]->url, name_or_path) == 0)
                return reg->models[i];
        nm.url = xstrdup(name_or_path);
        nm.name = xstrdup(name_or_path);
    } else {
        nm.path = plan_expand_path(name_or_path, base_dir, err);
        if (!nm.path)
            return NULL;
        /* the same file named twice is the same entry (registered or not) */
        for (size_t i = 0; i < reg->n_models; i++)
            if (reg->models[i]->path && strcmp(reg->models[i]->path, nm.path) == 0) {
                free(nm.path);
                return reg->models[i];
            }
        const char *slash = strrchr(nm.path, '/');
        const char *base = slash ? slash + 1 : nm.path;
        size_t bl = strlen(base);
        nm.name = bl > 5 && strcmp(base + bl - 5, ".gguf") == 0 ? xstrndup(base, bl - 5) : xstrdup(base);
        /* two different files with one base name: keep names unique */
        if (plan_registry_find(reg, nm.name)) {
            char *u = xasprintf("%s#%zu", nm.name, reg->n_models + 1);
            free(nm.name);
            nm.name = u;
        }
    }
    return plan_registry_add(reg, &nm);
}

static void model_free(struct plan_model *m)
{
    free(m->name);
    free(m->path);
    free(m->url);
    free(m->mmproj);
    free(m->family);
    free(m->arch);
    free(m->quant);
    free(m->size);
    plan_strv_free(m->drafts, m->n_drafts);
    plan_strv_free(m->roles, m->n_roles);
    free(m->where);
    if (m->gguf_loaded)
        gguf_info_free(&m->gguf);
    free(m);
}

void plan_registry_free(struct plan_registry *reg)
{
    for (size_t i = 0; i < reg->n_models; i++)
        model_free(reg->models[i]);
    free(reg->models);
    memset(reg, 0, sizeof *reg);
}
