#include "run/points.h"
#include "run/defaults.h"
#include "plan/plan.h"
#include "store/store.h"
#include "util/escape.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

static char *own(struct run_points *p, char *s)
{
    XGROW(p->owned, p->n_owned + 1, p->cap_owned);
    p->owned[p->n_owned++] = s;
    return s;
}

/* The JSON of the settings that differ from the server's defaults, and the
 * matching label suffix ("k=4 np=2"). */
static void describe_params(const struct llama_server_config *s, int is_server, cJSON *params, struct buf *label)
{
    struct { const char *name; int value; int set; } ints[] = {
        { "k", s->k, s->k > 0 }, { "experts", s->experts, s->experts > 0 }, { "np", s->np, s->np > 0 },
        { "threads", s->threads, s->threads > 0 }, { "ctx", s->ctx, s->ctx > 0 },
        { "ngl", s->ngl, s->ngl >= 0 }, { "batch", s->batch, s->batch > 0 },
        { "ubatch", s->ubatch, s->ubatch > 0 },
    };
    if (!is_server)
        return;
    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        if (!ints[i].set)
            continue;
        cJSON_AddNumberToObject(params, ints[i].name, ints[i].value);
        buf_printf(label, " %s=%d", ints[i].name, ints[i].value);
    }
    struct { const char *name; const char *value; } strs[] = {
        { "spec_type", s->spec_type }, { "flash_attn", s->flash_attn },
        { "cache_type_k", s->cache_type_k }, { "cache_type_v", s->cache_type_v },
    };
    for (size_t i = 0; i < sizeof strs / sizeof strs[0]; i++) {
        if (!strs[i].value)
            continue;
        cJSON_AddStringToObject(params, strs[i].name, strs[i].value);
        buf_printf(label, " %s=%s", strs[i].name, strs[i].value);
    }
}

/* Fills a point from a complete backend config; the label is derived. */
static void finish_point(struct run_points *p, struct run_point *pt, const char *label_base)
{
    cJSON *params = cJSON_CreateObject();
    struct buf label = {0};
    buf_puts(&label, label_base);
    describe_params(&pt->backend.server, pt->backend.kind == BACKEND_LLAMA_SERVER, params, &label);
    if (pt->draft) {
        char *d = store_model_name("llama-server", pt->draft);
        cJSON_AddStringToObject(params, "draft", d);
        buf_printf(&label, " draft=%s", d);
        free(d);
    }
    char *pj = cJSON_PrintUnformatted(params);
    pt->params_json = own(p, xstrdup(pj));
    cJSON_free(pj);
    cJSON_Delete(params);
    pt->label = own(p, buf_detach(&label));
}

static int single_point(const struct run_config *a, struct run_points *p, struct bai_error *err)
{
    p->points = xcalloc(1, sizeof *p->points);
    p->n_points = 1;
    struct run_point *pt = &p->points[0];
    pt->reps = pt->warmup = -1;
    struct backend_config *bc = &pt->backend;
    bc->kind = a->backend;
    bc->stream = a->stream;
    bc->timeout_ms = a->timeout_ms;
    bc->max_answer_bytes = a->max_answer_bytes;
    const char *label_base = NULL;
    switch (a->backend) {
    case BACKEND_LLAMA_SERVER: {
        struct llama_server_config *s = &bc->server;
        s->binary = own(p, a->server_bin ? xstrdup(a->server_bin) : defaults_llama_server());
        s->model = a->model ? a->model : own(p, defaults_tiny_model("tiny-dense"));
        if (!fs_exists(s->model)) {
            bai_error_set(err, BAI_EXIT_USAGE, "model file %s does not exist%s", s->model,
                          a->model ? "" : " (run scripts/make-test-models, or pass --model)");
            return -1;
        }
        if (a->draft && !fs_exists(a->draft)) {
            bai_error_set(err, BAI_EXIT_USAGE, "--draft: %s does not exist", a->draft);
            return -1;
        }
        s->draft = a->draft;
        s->k = a->k;
        s->spec_type = a->spec_type;
        s->experts = a->experts;
        s->arch = "llama";
        s->np = a->np;
        s->threads = a->threads;
        s->ctx = a->ctx;
        s->ngl = a->ngl;
        s->batch = a->batch;
        s->ubatch = a->ubatch;
        s->flash_attn = a->flash_attn;
        s->cache_type_k = a->cache_type_k;
        s->cache_type_v = a->cache_type_v;
        s->spec_synth_rates = a->spec_synth_rates;
        s->extra = (const char *const *)a->server_args;
        s->n_extra = a->n_server_args;
        s->startup_timeout_s = a->startup_timeout_s;
        s->hang_timeout_ms = a->hang_timeout_ms;
        pt->model = (char *)s->model;
        pt->draft = (char *)s->draft;
        label_base = own(p, store_model_name("llama-server", s->model));
        break;
    }
    case BACKEND_OPENAI:
        if (!a->url) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend openai needs --url");
            return -1;
        }
        bc->url = a->url;
        bc->model_name = a->model;
        bc->api_key_env = a->api_key_env;
        pt->model = (char *)(a->model ? a->model : a->url);
        label_base = pt->model;
        break;
    case BACKEND_COMMAND:
        if (!a->cmd) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend command needs --cmd");
            return -1;
        }
        bc->cmd_template = a->cmd;
        bc->model_name = a->model;
        pt->model = (char *)(a->model ? a->model : "command");
        label_base = pt->model;
        break;
    case BACKEND_REPLAY:
        if (!a->from) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend replay needs --from RUN");
            return -1;
        }
        bc->replay_run = a->from;
        pt->model = own(p, xasprintf("replay:%s", a->from));
        label_base = pt->model;
        break;
    }
    finish_point(p, pt, label_base);
    return 0;
}

/* Index of a suite name in the run's list (command-line suites first, then
 * the ones plans name), adding it when new. */
static size_t suite_index(const struct run_config *a, struct run_points *p, const char *name)
{
    for (size_t i = 0; i < a->n_suites; i++)
        if (!strcmp(a->suites[i], name))
            return i;
    for (size_t i = 0; i < p->n_extra_suites; i++)
        if (!strcmp(p->extra_suites[i], name))
            return a->n_suites + i;
    p->extra_suites = xrealloc(p->extra_suites, (p->n_extra_suites + 1) * sizeof *p->extra_suites);
    p->extra_suites[p->n_extra_suites++] = xstrdup(name);
    return a->n_suites + p->n_extra_suites - 1;
}

static void split_flags(struct run_points *p, const char *flags, const char ***out, size_t *n_out,
                        const struct run_config *a)
{
    size_t n = 0, cap = 0;
    const char **v = NULL;
    for (size_t i = 0; i < a->n_server_args; i++) {
        XGROW(v, n + 1, cap);
        v[n++] = a->server_args[i];
    }
    if (flags) {
        char *copy = own(p, xstrdup(flags)), *save = NULL;
        for (char *t = strtok_r(copy, " \t", &save); t; t = strtok_r(NULL, " \t", &save)) {
            XGROW(v, n + 1, cap);
            v[n++] = t;
        }
    }
    if (v)
        own(p, (char *)v);
    *out = v;
    *n_out = n;
}

/* A plan point becomes a run point; command-line settings fill what the
 * point leaves at the server default. */
static void from_plan_point(const struct run_config *a, const struct plan_point *pp, struct run_points *p,
                            struct run_point *pt)
{
    memset(pt, 0, sizeof *pt);
    pt->label = own(p, xstrdup(pp->label));
    pt->reps = pp->reps > 0 ? pp->reps : -1;
    pt->warmup = pp->warmup >= 0 ? pp->warmup : -1;
    pt->concurrency = pp->concurrency;
    pt->skip_reason = pp->skip_reason ? own(p, xstrdup(pp->skip_reason)) : NULL;
    struct backend_config *bc = &pt->backend;
    bc->stream = a->stream;
    bc->timeout_ms = a->timeout_ms;
    bc->max_answer_bytes = a->max_answer_bytes;
    if (pp->model->url) {
        bc->kind = BACKEND_OPENAI;
        bc->url = pp->model->url;
        bc->model_name = pp->model->name;
        bc->api_key_env = a->api_key_env;
        pt->model = pp->model->url;
    } else {
        bc->kind = BACKEND_LLAMA_SERVER;
        struct llama_server_config *s = &bc->server;
        const struct plan_params *q = &pp->params;
        s->binary = own(p, a->server_bin ? xstrdup(a->server_bin) : defaults_llama_server());
        s->model = pp->model->path;
        s->draft = pp->draft ? pp->draft->path : NULL;
        s->k = q->k ? q->k : (s->draft ? a->k : 0);
        s->spec_type = q->spec_type ? q->spec_type : a->spec_type;
        if (!s->draft && s->spec_type && !strncmp(s->spec_type, "draft", 5))
            s->spec_type = NULL;      /* the no-draft baseline of a K sweep */
        s->experts = q->experts ? q->experts : a->experts;
        s->arch = pp->model->arch ? pp->model->arch : "llama";
        s->np = q->np ? q->np : a->np;
        s->threads = q->threads ? q->threads : a->threads;
        s->ctx = q->ctx ? q->ctx : a->ctx;
        s->ngl = q->ngl >= 0 ? q->ngl : a->ngl;
        s->batch = q->batch ? q->batch : a->batch;
        s->ubatch = q->ubatch ? q->ubatch : a->ubatch;
        s->flash_attn = q->flash_attn ? q->flash_attn : a->flash_attn;
        s->cache_type_k = q->cache_type_k ? q->cache_type_k : a->cache_type_k;
        s->cache_type_v = q->cache_type_v ? q->cache_type_v : a->cache_type_v;
        s->spec_synth_rates = a->spec_synth_rates;
        s->startup_timeout_s = a->startup_timeout_s;
        s->hang_timeout_ms = a->hang_timeout_ms;
        split_flags(p, q->flags, (const char ***)&s->extra, &s->n_extra, a);
        pt->model = pp->model->path;
        pt->draft = s->draft ? (char *)s->draft : NULL;
    }
    cJSON *params = plan_point_params_json(pp);
    char *pj = cJSON_PrintUnformatted(params);
    pt->params_json = own(p, xstrdup(pj));
    cJSON_free(pj);
    cJSON_Delete(params);
    if (a->n_suites == 0 && pp->n_suites) {
        pt->suite_idx = (size_t *)own(p, xcalloc(pp->n_suites, sizeof(size_t)));
        pt->n_suite_idx = pp->n_suites;
        for (size_t i = 0; i < pp->n_suites; i++)
            pt->suite_idx[i] = suite_index(a, p, pp->suites[i]);
    }
}

static int plan_points(const struct run_config *a, struct run_points *p, struct bai_error *err)
{
    struct plan *plan;
    if (a->plan) {
        plan = plan_load(a->plan, NULL, err);
    } else {
        const char *model = a->model;
        char *dflt = model ? NULL : defaults_tiny_model("tiny-dense");
        const char *models[] = { model ? model : dflt };
        const char *drafts[] = { a->draft };
        struct plan_cli cli = {
            .models = models, .n_models = 1, .drafts = drafts, .n_drafts = a->draft ? 1 : 0,
            .sweeps = (const char *const *)a->sweeps, .n_sweeps = a->n_sweeps,
            .zip = a->zip != NULL, .reps = -1, .warmup = a->warmup, .concurrency = -1,
            /* model names (not only paths) resolve through the registry */
            .models_path = fs_exists("benchmarks/models.yaml") ? "benchmarks/models.yaml" : NULL,
        };
        plan = plan_from_cli(&cli, err);
        free(dflt);
    }
    if (!plan)
        return -1;
    /* plan_from_cli has expanded already; a plan file is expanded here */
    if ((a->plan && plan_expand(plan, err) != 0) || plan_check(plan, err) != 0) {
        plan_free(plan);
        return -1;
    }
    p->plan = plan;
    p->points = xcalloc(plan->n_points ? plan->n_points : 1, sizeof *p->points);
    for (size_t i = 0; i < plan->n_points; i++)
        from_plan_point(a, &plan->points[i], p, &p->points[p->n_points++]);
    if (a->n_suites == 0 && plan->n_points == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "the plan has no points");
        return -1;
    }
    p->estimate_s = plan_estimate_seconds(plan, NULL);
    return 0;
}

int run_points_build(const struct run_config *a, struct run_points *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    if (a->plan || a->n_sweeps) {
        if (a->backend != BACKEND_LLAMA_SERVER && !a->plan) {
            bai_error_set(err, BAI_EXIT_USAGE, "--sweep needs the llama-server backend");
            return -1;
        }
        if (plan_points(a, out, err) != 0) {
            run_points_free(out);
            return -1;
        }
        return 0;
    }
    if (single_point(a, out, err) != 0) {
        run_points_free(out);
        return -1;
    }
    return 0;
}

double run_points_time_budget(const struct run_points *p)
{
    return p->plan ? p->plan->time_budget_s : 0;
}

void run_points_free(struct run_points *p)
{
    for (size_t i = 0; i < p->n_owned; i++)
        free(p->owned[i]);
    free(p->owned);
    for (size_t i = 0; i < p->n_extra_suites; i++)
        free(p->extra_suites[i]);
    free(p->extra_suites);
    free(p->points);
    if (p->plan)
        plan_free(p->plan);
    memset(p, 0, sizeof *p);
}

void run_points_print(const struct run_points *p, struct suite *const *suites, size_t n_suites,
                      const struct run_config *a, FILE *out)
{
    size_t items = 0;
    for (size_t i = 0; i < n_suites; i++)
        items += a->limit > 0 && (size_t)a->limit < suites[i]->n_items ? (size_t)a->limit : suites[i]->n_items;
    fprintf(out, "%zu configuration(s), %zu suite(s), up to %zu items per configuration\n", p->n_points, n_suites, items);
    if (p->estimate_s > 0)
        fprintf(out, "estimated time: %.0f min (a rough guess from model sizes; see docs/plans.md)\n", p->estimate_s / 60);
    fprintf(out, "(server command lines are shell-quoted, ready to paste; a run picks a free port where 8080 is shown)\n\n");
    for (size_t i = 0; i < p->n_points; i++) {
        const struct run_point *pt = &p->points[i];
        fprintf(out, "%zu. %s%s%s\n", i + 1, pt->label, pt->skip_reason ? "  SKIPPED: " : "",
                pt->skip_reason ? pt->skip_reason : "");
        if (pt->backend.kind == BACKEND_LLAMA_SERVER && !pt->skip_reason) {
            struct bai_error err = {0};
            char **argv = llama_server_build_argv(&pt->backend.server, &err);
            fprintf(out, "   ");
            if (!argv) {
                fprintf(out, "error: %s\n", err.msg);
                continue;
            }
            /* shell-quoted: pasting the line runs this server, never a
             * $(...) or `...` hidden in a path or a --server-arg */
            struct buf line = {0};
            for (char **v = argv; *v; v++) {
                if (v != argv)
                    buf_putc(&line, ' ');
                esc_shell_quote(&line, *v);
            }
            fprintf(out, "%s --host 127.0.0.1 --port 8080\n", line.data ? line.data : "");
            buf_free(&line);
            llama_server_free_argv(argv);
        }
    }
}
