/* plan_expand.c - sweeps -> points (grid or zip), the pre-launch checks,
 * the --dry-run time estimate and ad-hoc plans (see plan.h). */
#include "plan/plan_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define PLAN_MAX_POINTS 100000   /* a typo in a range must not eat the RAM */


/* Applies one validated value to a point. Model and draft names resolve
 * through the registry (adding ad-hoc entries for paths and URLs). */
static int apply(struct plan *p, struct plan_point *pt, int id, const char *v, const char *where,
                 const char *base_dir, struct bai_error *err)
{
    switch (id) {
    case PLAN_AX_MODEL:
        pt->model = plan_registry_resolve(&p->registry, v, base_dir, err);
        return pt->model ? 0 : -1;
    case PLAN_AX_DRAFT:
        if (strcmp(v, "none") == 0) {
            pt->draft = NULL;
            return 0;
        }
        pt->draft = plan_registry_resolve(&p->registry, v, base_dir, err);
        return pt->draft ? 0 : -1;
    default:
        return settings_set(&pt->settings, id, v, where, err);
    }
}

static int is_ngram(const char *spec_type)
{
    return spec_type && strncmp(spec_type, "ngram", 5) == 0;
}

/* A point without a draft model runs plain decoding (the "draft: none"
 * baseline of a K sweep), unless its spec_type is an n-gram one that needs
 * no draft: the settings that need speculation go, and so does a
 * draft-model spec_type. */
static void drop_meaningless(struct plan_point *pt)
{
    if (pt->draft)
        return;
    const char *st = settings_text(&pt->settings, SETTING_SPEC_TYPE);
    if (is_ngram(st))
        return;
    for (size_t i = 0; i < settings_count(); i++)
        if (settings_def((int)i)->flags & SETTING_NEEDS_SPEC)
            settings_unset(&pt->settings, (int)i);
    settings_unset(&pt->settings, SETTING_SPEC_TYPE);
}

/* "tiny-dense draft=tiny-draft k=4": the model, the draft when there is
 * one, every axis that takes more than one value in the sweep, and the
 * settings of the plan's base (the command line's) but its raw
 * --server-arg words (an alias, a path: the identity has them, the
 * reports name them when they tell two configs apart). */
static char *make_label(const struct plan *p, const struct plan_point *pt, const struct plan_sweep *s)
{
    struct buf b = {0};
    buf_puts(&b, pt->model->name);
    if (pt->draft)
        buf_printf(&b, " draft=%s", pt->draft->name);
    int ids[SETTINGS_MAX];
    size_t n = 0;
    for (size_t i = 0; i < settings_count(); i++) {
        int shown = settings_is_set(&p->base, (int)i) && settings_def((int)i)->kind != SETTING_ARGV;
        for (size_t a = 0; a < s->n_axes && !shown; a++)
            shown = s->axes[a].id == (int)i && s->axes[a].n_values > 1;
        if (shown)
            ids[n++] = (int)i;
    }
    settings_label_append(&pt->settings, ids, n, &b);
    return buf_detach(&b);
}


/* 1 when a and b would measure the same thing. */
static int same_point(const struct plan_point *a, const struct plan_point *b)
{
    return a->model == b->model && a->draft == b->draft && settings_equal(&a->settings, &b->settings);
}

/* Number of points a sweep yields before de-duplication, or 0 on error. */
static size_t sweep_count(const struct plan_sweep *s, struct bai_error *err)
{
    size_t n = 1;
    if (s->zip) {
        for (size_t a = 0; a < s->n_axes; a++) {
            size_t k = s->axes[a].n_values;
            if (k == 1)
                continue;
            if (n != 1 && k != n) {
                bai_error_set(err, BAI_EXIT_USAGE,
                              "%s: zip sweep '%s': axis %s has %zu values but an earlier axis has %zu",
                              s->axes[a].where, s->name, plan_axis_name(s->axes[a].id), k, n);
                return 0;
            }
            n = k;
        }
        return n;
    }
    for (size_t a = 0; a < s->n_axes; a++) {
        n *= s->axes[a].n_values;
        if (n > PLAN_MAX_POINTS) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s: sweep '%s' expands to more than %d points",
                          s->where, s->name, PLAN_MAX_POINTS);
            return 0;
        }
    }
    return n;
}

static int expand_sweep(struct plan *p, const struct plan_sweep *s, size_t *cap, struct bai_error *err)
{
    size_t n = sweep_count(s, err);
    if (!n)
        return -1;
    const char *base_dir = p->base_dir;
    int has_model = 0;
    for (size_t a = 0; a < s->n_axes; a++)
        has_model |= s->axes[a].id == PLAN_AX_MODEL;
    for (size_t a = 0; a < p->n_defaults; a++)
        has_model |= p->defaults[a].id == PLAN_AX_MODEL;
    if (!has_model) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: sweep '%s' names no model", s->where, s->name);
        return -1;
    }
    char **vals = xcalloc(s->n_axes ? s->n_axes : 1, sizeof *vals);
    size_t first = p->n_points;
    int rc = 0;
    for (size_t i = 0; i < n && rc == 0; i++) {
        struct plan_point pt = {0};
        settings_overlay(&pt.settings, &p->base);
        for (size_t a = 0; a < p->n_defaults && rc == 0; a++) {
            char *v = plan_axis_value(&p->defaults[a], p->defaults[a].values[0]);
            rc = apply(p, &pt, p->defaults[a].id, v, p->defaults[a].where, base_dir, err);
            free(v);
        }
        /* grid: mixed radix with the last axis fastest; zip: same index */
        size_t rest = i;
        for (size_t a = s->n_axes; a-- > 0;) {
            const struct plan_axis *ax = &s->axes[a];
            size_t idx;
            if (s->zip) {
                idx = ax->n_values == 1 ? 0 : i;
            } else {
                idx = rest % ax->n_values;
                rest /= ax->n_values;
            }
            vals[a] = ax->values[idx];
        }
        for (size_t a = 0; a < s->n_axes && rc == 0; a++) {
            char *v = plan_axis_value(&s->axes[a], vals[a]);
            rc = apply(p, &pt, s->axes[a].id, v, s->axes[a].where, base_dir, err);
            free(v);
        }
        if (rc < 0) {
            bai_error_prefix(err, "sweep '%s'", s->name);
            plan_point_free(&pt);
            break;
        }
        drop_meaningless(&pt);
        int dup = 0;
        for (size_t j = first; j < p->n_points && !dup; j++)
            dup = same_point(&p->points[j], &pt);
        if (dup) {
            plan_point_free(&pt);
            continue;
        }
        pt.label = make_label(p, &pt, s);
        /* A label an earlier sweep uses gets " [sweep]" (labels are unique
         * in a run); duplicates within this sweep were found above on the
         * settings themselves. */
        for (size_t j = 0; j < first; j++)
            if (strcmp(p->points[j].label, pt.label) == 0) {
                char *l = xasprintf("%s [%s]", pt.label, s->name);
                free(pt.label);
                pt.label = l;
                break;
            }
        pt.sweep = xstrdup(s->name);
        char **suites = s->suites ? s->suites : p->suites;
        size_t n_suites = s->suites ? s->n_suites : p->n_suites;
        for (size_t k = 0; k < n_suites; k++)
            plan_strv_push(&pt.suites, &pt.n_suites, suites[k]);
        pt.reps = s->reps >= 0 ? s->reps : p->reps;
        pt.warmup = s->warmup >= 0 ? s->warmup : p->warmup;
        pt.concurrency = s->concurrency >= 0 ? s->concurrency : p->concurrency;
        XGROW(p->points, p->n_points + 1, *cap);
        p->points[p->n_points++] = pt;
    }
    free(vals);
    return rc;
}

int plan_expand(struct plan *p, struct bai_error *err)
{
    for (size_t i = 0; i < p->n_points; i++)
        plan_point_free(&p->points[i]);
    free(p->points);
    p->points = NULL;
    p->n_points = 0;
    size_t cap = 0;
    for (size_t s = 0; s < p->n_sweeps; s++)
        if (expand_sweep(p, &p->sweeps[s], &cap, err) < 0)
            return -1;
    if (p->n_points == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: the plan has no sweep points", p->path ? p->path : "plan");
        return -1;
    }
    return 0;
}

/* --- checks ------------------------------------------------------------------- */

static int load_gguf(struct plan_model *m, struct bai_error *err)
{
    if (m->gguf_loaded || !m->path)
        return 0;
    if (gguf_read_file(m->path, &m->gguf, err) < 0) {
        bai_error_prefix(err, "model '%s'", m->name);
        return -1;
    }
    m->gguf_loaded = 1;
    if (!m->arch && m->gguf.architecture)
        m->arch = xstrdup(m->gguf.architecture);
    return 0;
}

/* 1 when raw flags or server arguments ask for rope scaling (a context
 * beyond the trained one is then the user's intent). */
static int rope_scaling_given(const struct settings *s)
{
    for (size_t i = 0; i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        if (d->kind == SETTING_ARGS && settings_text(s, (int)i) && strstr(settings_text(s, (int)i), "--rope"))
            return 1;
        if (d->kind == SETTING_ARGV && settings_is_set(s, (int)i))
            for (size_t k = 0; k < s->v[i].list.n; k++)
                if (!strncmp(s->v[i].list.v[k], "--rope", 6) || !strncmp(s->v[i].list.v[k], "--yarn", 6))
                    return 1;
    }
    return 0;
}

int plan_check_mmproj(const char *path, const char *whose, struct bai_error *err)
{
    struct gguf_info g;
    if (gguf_read_file(path, &g, err) < 0) {
        bai_error_prefix(err, "%s: mmproj", whose);
        return -1;
    }
    int ok = g.architecture && !strcmp(g.architecture, "clip");
    if (!ok)
        bai_error_set(err, BAI_EXIT_USAGE, "%s: mmproj %s has architecture '%s', not a multimodal "
                      "projector ('clip')", whose, path, g.architecture ? g.architecture : "(none)");
    gguf_info_free(&g);
    return ok ? 0 : -1;
}

static int check_point(struct plan_point *pt, struct bai_error *err)
{
    struct plan_model *m = pt->model;
    long experts = settings_int(&pt->settings, SETTING_EXPERTS, 0);
    if (load_gguf(m, err) < 0 || (pt->draft && load_gguf(pt->draft, err) < 0))
        return -1;
    if (m->mmproj) {
        char *whose = xasprintf("model '%s'", m->name);
        int rc = plan_check_mmproj(m->mmproj, whose, err);
        free(whose);
        if (rc < 0)
            return -1;
    }
    if (experts > 0) {
        if (!m->path) {
            bai_error_set(err, BAI_EXIT_USAGE, "point '%s': experts needs a local GGUF model, not %s",
                          pt->label, m->url);
            return -1;
        }
        if (m->gguf.expert_count < 1) {
            bai_error_set(err, BAI_EXIT_USAGE,
                          "point '%s': experts=%ld but %s is not a mixture-of-experts model (no %s.expert_count)",
                          pt->label, experts, m->name, m->arch ? m->arch : "?");
            return -1;
        }
        if (experts > m->gguf.expert_count) {
            bai_error_set(err, BAI_EXIT_USAGE,
                          "point '%s': experts=%ld exceeds the expert_count %lld of %s",
                          pt->label, experts, (long long)m->gguf.expert_count, m->name);
            return -1;
        }
    }
    long ctx = settings_int(&pt->settings, SETTING_CTX, 0);
    if (ctx > 0 && m->path && m->gguf.context_length > 0 && ctx > m->gguf.context_length &&
        !rope_scaling_given(&pt->settings)) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "point '%s': ctx=%ld exceeds the trained context %lld of %s (set rope scaling in "
                      "flags, e.g. --rope-scaling yarn, to go beyond it)",
                      pt->label, ctx, (long long)m->gguf.context_length, m->name);
        return -1;
    }
    if (!pt->draft)
        return 0;
    if (!m->path || !pt->draft->path) {
        bai_error_set(err, BAI_EXIT_USAGE, "point '%s': a draft needs local GGUF files for both models",
                      pt->label);
        return -1;
    }
    char why[160];
    if (!gguf_vocab_compatible(&m->gguf, &pt->draft->gguf, why, sizeof why)) {
        free(pt->skip_reason);
        pt->skip_reason = xasprintf("vocab mismatch (%s: %s)", pt->draft->name, why);
    }
    return 0;
}

int plan_check(struct plan *p, struct bai_error *err)
{
    for (size_t i = 0; i < p->n_points; i++)
        if (check_point(&p->points[i], err) < 0)
            return -1;
    return 0;
}

/* --- estimate ----------------------------------------------------------------- */

static double model_bytes(const struct plan_model *m)
{
    if (m->gguf_loaded)
        return (double)m->gguf.file_size_bytes;
    return 0;
}

void plan_point_estimate_parts(const struct plan_point *pt, const struct plan_estimate_opts *o, double *start_s,
                               double *s_per_token)
{
    double bw = (o && o->bandwidth_gbps > 0 ? o->bandwidth_gbps : 20.0) * 1e9;
    double size = model_bytes(pt->model);
    double tps = 20.0;   /* remote or unread models: a typical local speed */
    if (size > 0) {
        double active = size;
        const struct gguf_info *g = &pt->model->gguf;
        if (g->expert_count > 0) {
            long used = settings_int(&pt->settings, SETTING_EXPERTS, 0);
            if (used <= 0)
                used = g->expert_used_count > 0 ? (long)g->expert_used_count : 1;
            /* experts hold most of a MoE's bytes; the rest is always read */
            active = size * (0.1 + 0.9 * used / (double)g->expert_count);
        }
        tps = bw / active;
        if (tps > 1000)
            tps = 1000;   /* tiny models: HTTP and sampling bound */
    }
    long np = settings_int(&pt->settings, SETTING_NP, 1);
    *s_per_token = 1.0 / (tps * sqrt((double)np));
    *start_s = 2.0 + (size + (pt->draft ? model_bytes(pt->draft) : 0)) / 1e9;
}

double plan_point_estimate_seconds(const struct plan_point *pt, const struct plan_estimate_opts *o)
{
    int reqs = o && o->requests_per_suite > 0 ? o->requests_per_suite : 20;
    int toks = o && o->tokens_per_request > 0 ? o->tokens_per_request : 128;
    double start, s_per_token;
    plan_point_estimate_parts(pt, o, &start, &s_per_token);
    double n_req = pt->warmup + (double)pt->reps * (pt->n_suites ? pt->n_suites : 1) * reqs;
    return start + n_req * toks * s_per_token;
}

double plan_estimate_seconds(const struct plan *p, const struct plan_estimate_opts *o)
{
    double total = 0;
    for (size_t i = 0; i < p->n_points; i++)
        if (!p->points[i].skip_reason)
            total += plan_point_estimate_seconds(&p->points[i], o);
    return total;
}

/* --- JSON, ad-hoc plans, free ---------------------------------------------------- */

cJSON *plan_point_params_json(const struct plan_point *pt)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "sweep", pt->sweep);
    cJSON_AddStringToObject(o, "model", pt->model->name);
    if (pt->draft)
        cJSON_AddStringToObject(o, "draft", pt->draft->name);
    cJSON *set = settings_to_json(&pt->settings), *it;
    while ((it = set->child) != NULL)
        cJSON_AddItemToObject(o, it->string, cJSON_DetachItemViaPointer(set, it));
    cJSON_Delete(set);
    return o;
}

static void axis_from_list(struct plan_axis *a, int id, const char *const *v, size_t n)
{
    memset(a, 0, sizeof *a);
    a->id = id;
    a->where = xasprintf("--%s", plan_axis_name(id));
    for (size_t i = 0; i < n; i++)
        plan_strv_push(&a->values, &a->n_values, v[i]);
}

struct plan *plan_from_cli(const struct plan_cli *cli, struct bai_error *err)
{
    if (cli->n_models == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "no model given (--model NAME|PATH|URL)");
        return NULL;
    }
    struct plan *p = plan_new();
    p->name = xstrdup("ad-hoc");
    if (cli->models_path && plan_registry_load(&p->registry, cli->models_path, err) < 0)
        goto fail;
    if (cli->base)
        settings_overlay(&p->base, cli->base);
    /* --backend openai --url U --model NAME: an endpoint entry named NAME
     * (the caller gives no registry then: the name is the server's) */
    for (size_t i = 0; cli->url && i < cli->n_models; i++) {
        struct plan_model m = { .name = xstrdup(cli->models[i]), .url = xstrdup(cli->url) };
        plan_registry_add(&p->registry, &m);
    }
    p->n_sweeps = 1;
    p->sweeps = xcalloc(1, sizeof *p->sweeps);
    struct plan_sweep *s = &p->sweeps[0];
    s->name = xstrdup("cli");
    s->where = xstrdup("command line");
    s->zip = cli->zip;
    s->reps = s->warmup = s->concurrency = -1;
    s->axes = xcalloc(cli->n_sweeps + 2, sizeof *s->axes);
    axis_from_list(&s->axes[s->n_axes++], PLAN_AX_MODEL, cli->models, cli->n_models);
    if (cli->n_drafts)
        axis_from_list(&s->axes[s->n_axes++], PLAN_AX_DRAFT, cli->drafts, cli->n_drafts);
    for (size_t i = 0; i < cli->n_sweeps; i++) {
        struct plan_axis *a = &s->axes[s->n_axes];
        if (plan_parse_sweep(cli->sweeps[i], a, err) < 0)
            goto fail;
        s->n_axes++;
        for (size_t j = 0; j + 1 < s->n_axes; j++)
            if (s->axes[j].id == a->id && !strcmp(s->axes[j].key ? s->axes[j].key : "", a->key ? a->key : "")) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s: axis %s is given twice", a->where,
                              plan_axis_name(a->id));
                goto fail;
            }
    }
    for (size_t i = 0; i < cli->n_suites; i++)
        plan_strv_push(&p->suites, &p->n_suites, cli->suites[i]);
    if (cli->reps >= 0)
        p->reps = cli->reps;
    if (cli->warmup >= 0)
        p->warmup = cli->warmup;
    if (cli->concurrency >= 0)
        p->concurrency = cli->concurrency;
    if (plan_expand(p, err) < 0)
        goto fail;
    return p;
fail:
    plan_free(p);
    return NULL;
}
