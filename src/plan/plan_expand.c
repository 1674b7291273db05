/* plan_expand.c - sweeps -> points (grid or zip), the pre-launch checks,
 * the --dry-run time estimate, ad-hoc plans and freeing (see plan.h). */
#include "plan/plan_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#define PLAN_MAX_POINTS 100000   /* a typo in a range must not eat the RAM */

struct plan *plan_new(void)
{
    struct plan *p = xcalloc(1, sizeof *p);
    p->reps = 1;
    p->warmup = 1;
    return p;
}

static void params_init(struct plan_params *pp)
{
    memset(pp, 0, sizeof *pp);
    pp->ngl = -1;
}

static void params_free(struct plan_params *pp)
{
    free(pp->spec_type);
    free(pp->flash_attn);
    free(pp->cache_type_k);
    free(pp->cache_type_v);
    free(pp->flags);
}

static void set_str(char **dst, const char *v)
{
    free(*dst);
    *dst = xstrdup(v);
}

/* Applies one validated value to a point. Model and draft names resolve
 * through the registry (adding ad-hoc entries for paths and URLs). */
static int apply(struct plan *p, struct plan_point *pt, enum plan_axis_id id, const char *v,
                 const char *base_dir, struct bai_error *err)
{
    struct plan_params *pp = &pt->params;
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
    case PLAN_AX_K: pp->k = atoi(v); return 0;
    case PLAN_AX_EXPERTS: pp->experts = atoi(v); return 0;
    case PLAN_AX_NP: pp->np = atoi(v); return 0;
    case PLAN_AX_THREADS: pp->threads = atoi(v); return 0;
    case PLAN_AX_CTX: pp->ctx = atoi(v); return 0;
    case PLAN_AX_NGL: pp->ngl = atoi(v); return 0;
    case PLAN_AX_BATCH: pp->batch = atoi(v); return 0;
    case PLAN_AX_UBATCH: pp->ubatch = atoi(v); return 0;
    case PLAN_AX_SPEC_TYPE: set_str(&pp->spec_type, v); return 0;
    case PLAN_AX_FLASH_ATTN: set_str(&pp->flash_attn, v); return 0;
    case PLAN_AX_CACHE_TYPE_K: set_str(&pp->cache_type_k, v); return 0;
    case PLAN_AX_CACHE_TYPE_V: set_str(&pp->cache_type_v, v); return 0;
    case PLAN_AX_FLAGS: set_str(&pp->flags, v); return 0;
    case PLAN_AX_COUNT: break;
    }
    return 0;
}

static int is_ngram(const char *spec_type)
{
    return spec_type && strncmp(spec_type, "ngram", 5) == 0;
}

/* "tiny-dense draft=tiny-draft k=4": the model, the draft when there is
 * one, and every other axis that takes more than one value in the sweep. */
static char *make_label(const struct plan_point *pt, const struct plan_sweep *s, char **vals)
{
    struct buf b = {0};
    buf_puts(&b, pt->model->name);
    if (pt->draft)
        buf_printf(&b, " draft=%s", pt->draft->name);
    for (size_t a = 0; a < s->n_axes; a++) {
        enum plan_axis_id id = s->axes[a].id;
        if (s->axes[a].n_values < 2 || id == PLAN_AX_MODEL || id == PLAN_AX_DRAFT)
            continue;
        if (id == PLAN_AX_K && pt->params.k == 0)
            continue;   /* dropped: no draft */
        buf_printf(&b, " %s=%s", plan_axis_name(id), vals[a]);
    }
    return buf_detach(&b);
}

static void point_free(struct plan_point *pt)
{
    free(pt->label);
    free(pt->sweep);
    params_free(&pt->params);
    plan_strv_free(pt->suites, pt->n_suites);
    free(pt->skip_reason);
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
        params_init(&pt.params);
        for (size_t a = 0; a < p->n_defaults && rc == 0; a++)
            rc = apply(p, &pt, p->defaults[a].id, p->defaults[a].values[0], base_dir, err);
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
        for (size_t a = 0; a < s->n_axes && rc == 0; a++)
            rc = apply(p, &pt, s->axes[a].id, vals[a], base_dir, err);
        if (rc < 0) {
            bai_error_prefix(err, "sweep '%s'", s->name);
            point_free(&pt);
            break;
        }
        if (!pt.draft && !is_ngram(pt.params.spec_type)) {
            /* a draft-model setting means nothing without a draft: the
             * "draft: none" baseline of a K sweep runs plain decoding */
            pt.params.k = 0;
            free(pt.params.spec_type);
            pt.params.spec_type = NULL;
        }
        pt.label = make_label(&pt, s, vals);
        /* A label an earlier sweep uses gets " [sweep]"; duplicates within
         * this sweep are then found on the final label, or a renamed point
         * (the K sweep's baseline after a sweep of the same model) would
         * never match its twins and run once per K. */
        for (size_t j = 0; j < first; j++)
            if (strcmp(p->points[j].label, pt.label) == 0) {
                char *l = xasprintf("%s [%s]", pt.label, s->name);
                free(pt.label);
                pt.label = l;
                break;
            }
        int dup = 0;
        for (size_t j = first; j < p->n_points && !dup; j++)
            dup = strcmp(p->points[j].label, pt.label) == 0;
        if (dup) {
            point_free(&pt);
            continue;
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
        point_free(&p->points[i]);
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

static int check_point(struct plan_point *pt, struct bai_error *err)
{
    struct plan_model *m = pt->model;
    int experts = pt->params.experts;
    if (load_gguf(m, err) < 0 || (pt->draft && load_gguf(pt->draft, err) < 0))
        return -1;
    if (experts > 0) {
        if (!m->path) {
            bai_error_set(err, BAI_EXIT_USAGE, "point '%s': experts needs a local GGUF model, not %s",
                          pt->label, m->url);
            return -1;
        }
        if (m->gguf.expert_count < 1) {
            bai_error_set(err, BAI_EXIT_USAGE,
                          "point '%s': experts=%d but %s is not a mixture-of-experts model (no %s.expert_count)",
                          pt->label, experts, m->name, m->arch ? m->arch : "?");
            return -1;
        }
        if (experts > m->gguf.expert_count) {
            bai_error_set(err, BAI_EXIT_USAGE,
                          "point '%s': experts=%d exceeds the expert_count %lld of %s",
                          pt->label, experts, (long long)m->gguf.expert_count, m->name);
            return -1;
        }
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
            int used = pt->params.experts > 0 ? pt->params.experts
                       : g->expert_used_count > 0 ? (int)g->expert_used_count : 1;
            /* experts hold most of a MoE's bytes; the rest is always read */
            active = size * (0.1 + 0.9 * used / (double)g->expert_count);
        }
        tps = bw / active;
        if (tps > 1000)
            tps = 1000;   /* tiny models: HTTP and sampling bound */
    }
    int np = pt->params.np > 0 ? pt->params.np : 1;
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
    const struct plan_params *pp = &pt->params;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    struct { const char *k; int v; int unset; } ints[] = {
        {"k", pp->k, 0}, {"experts", pp->experts, 0}, {"np", pp->np, 0},
        {"threads", pp->threads, 0}, {"ctx", pp->ctx, 0}, {"ngl", pp->ngl, -1},
        {"batch", pp->batch, 0}, {"ubatch", pp->ubatch, 0},
    };
    struct { const char *k; const char *v; } strs[] = {
        {"spec_type", pp->spec_type}, {"flash_attn", pp->flash_attn},
        {"cache_type_k", pp->cache_type_k}, {"cache_type_v", pp->cache_type_v},
        {"flags", pp->flags},
    };
    cJSON_AddStringToObject(o, "sweep", pt->sweep);
    cJSON_AddStringToObject(o, "model", pt->model->name);
    if (pt->draft)
        cJSON_AddStringToObject(o, "draft", pt->draft->name);
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
        if (ints[i].v != ints[i].unset)
            cJSON_AddNumberToObject(o, ints[i].k, ints[i].v);
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
        if (strs[i].v)
            cJSON_AddStringToObject(o, strs[i].k, strs[i].v);
    return o;
}

static void axis_from_list(struct plan_axis *a, enum plan_axis_id id, const char *const *v, size_t n)
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
            if (s->axes[j].id == a->id) {
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

void plan_free(struct plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->n_points; i++)
        point_free(&p->points[i]);
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
    free(p->name);
    free(p->description);
    free(p->path);
    free(p->base_dir);
    free(p);
}
