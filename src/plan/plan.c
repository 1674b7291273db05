/* plan.c - axes, ad-hoc sweep strings, paths, the model registry and the
 * plan's life cycle (see plan.h). Expansion and checks are plan_expand.c,
 * YAML loading plan_yaml.c; neither is called from here. */
#include "plan/plan_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "settings/settings.h"
#include "util/mem.h"

const char *plan_axis_name(int id)
{
    if (id == PLAN_AX_MODEL)
        return "model";
    if (id == PLAN_AX_DRAFT)
        return "draft";
    const struct setting_def *d = settings_def(id);
    return d ? d->name : "?";
}

int plan_axis_lookup_key(const char *name, int *out, char **key_out)
{
    *key_out = NULL;
    if (!strncmp(name, "env.", 4) && name[4]) {
        char *probe = xasprintf("%s=x", name + 4);
        int ok = settings_validate(SETTING_ENV, probe, name, NULL) == 0;
        free(probe);
        if (!ok)
            return -1;
        *key_out = xstrdup(name + 4);
        return *out = SETTING_ENV, 0;
    }
    return plan_axis_lookup(name, out);
}

char *plan_axis_value(const struct plan_axis *a, const char *value)
{
    return a->key ? xasprintf("%s=%s", a->key, value) : xstrdup(value);
}

int plan_axis_lookup(const char *name, int *out)
{
    if (!strcmp(name, "model") || !strcmp(name, "models"))
        return *out = PLAN_AX_MODEL, 0;
    if (!strcmp(name, "draft") || !strcmp(name, "drafts"))
        return *out = PLAN_AX_DRAFT, 0;
    int id;
    if (settings_lookup(name, &id) < 0 || (settings_def(id)->flags & SETTING_NO_AXIS))
        return -1;
    return *out = id, 0;
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

int plan_axis_validate(int id, const char *value, const char *where, struct bai_error *err)
{
    if (id >= 0)
        return settings_validate(id, value, where, err);
    if (!*value) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: empty value for %s", where, plan_axis_name(id));
        return -1;
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
    free(a->key);
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

/* The next value of a sweep list at *p: up to the separator, or a whole
 * [bracketed] or "quoted" value, which may hold the separator. Returns the
 * value (allocated) and moves *p past the separator; NULL with err when a
 * bracket or quote is not closed or text follows it. */
static char *next_sweep_value(const char **p, char sep, const char *spec, struct bai_error *err)
{
    const char *s = *p;
    char close = *s == '[' ? ']' : *s == '"' ? '"' : *s == '\'' ? '\'' : 0;
    char *tok;
    if (close) {
        const char *end = strchr(s + 1, close);
        if (!end || (end[1] && end[1] != sep)) {
            bai_error_set(err, BAI_EXIT_USAGE, "--sweep %s: %s", spec,
                          !end ? "a bracket or quote is not closed"
                               : "a bracketed or quoted value must be followed by the separator or the end");
            return NULL;
        }
        tok = xstrndup(s + 1, (size_t)(end - s - 1));
        *p = end[1] ? end + 2 : end + 1;
        return tok;
    }
    const char *e = strchr(s, sep);
    size_t n = e ? (size_t)(e - s) : strlen(s);
    tok = xstrndup(s, n);
    *p = e ? e + 1 : s + n;
    return tok;
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
    int rc = plan_axis_lookup_key(name, &out->id, &out->key);
    if (rc < 0)
        bai_error_set(err, BAI_EXIT_USAGE, "--sweep '%s': unknown axis '%s'", spec, name);
    free(name);
    if (rc < 0)
        return -1;
    out->where = xasprintf("--sweep %s", spec);
    const struct setting_def *d = settings_def(out->id);
    char sep = d && (d->flags & SETTING_PIPE_LIST) ? '|' : ',';
    const char *p = eq + 1;
    int done = 0;
    while (!done) {
        done = 1;
        char *tok = next_sweep_value(&p, sep, spec, err);
        if (!tok) {
            plan_axis_free(out);
            return -1;
        }
        /* the separator just consumed means another value follows */
        done = *p == '\0' && (p == eq + 1 || p[-1] != sep);
        int bad;
        if (d && d->kind == SETTING_INT && strstr(tok, "..")) {
            bad = push_range(out, tok, spec, err);
        } else {
            char *applied = plan_axis_value(out, tok);
            bad = plan_axis_validate(out->id, applied, out->where, err);
            free(applied);
            if (!bad)
                plan_strv_push(&out->values, &out->n_values, tok);
        }
        free(tok);
        if (bad) {
            plan_axis_free(out);
            return -1;
        }
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

/* --- plans: life cycle ----------------------------------------------------------- */

struct plan *plan_new(void)
{
    struct plan *p = xcalloc(1, sizeof *p);
    p->reps = 1;
    p->warmup = 1;
    return p;
}

void plan_point_free(struct plan_point *pt)
{
    free(pt->label);
    free(pt->sweep);
    settings_free(&pt->settings);
    plan_strv_free(pt->suites, pt->n_suites);
    free(pt->skip_reason);
}

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_points; i++)
        plan_point_free(&p->points[i]);
    free(p->points);
    for (size_t i = 0; i < p->n_sweeps; i++) {
        struct plan_sweep *s = &p->sweeps[i];
        for (size_t a = 0; a < s->n_axes; a++)
            plan_axis_free(&s->axes[a]);
        free(s->axes);
        plan_strv_free(s->suites, s->n_suites);
        free(s->name);
        free(s->where);
    }
    free(p->sweeps);
    for (size_t a = 0; a < p->n_defaults; a++)
        plan_axis_free(&p->defaults[a]);
    free(p->defaults);
    plan_strv_free(p->suites, p->n_suites);
    plan_registry_free(&p->registry);
    settings_free(&p->base);
    free(p->name);
    free(p->description);
    free(p->path);
    free(p->base_dir);
    free(p);
}
