/* plan_points.c - a run's configurations (see plan_points.h): one point
 * from the command line or the points of a plan or sweep (plan/), checks
 * against the llama-server build and the model files, points that can
 * share a server ordered back to back, the core split with a judge, each
 * point's identity, the time budget and the --dry-run listing. */
#include "run/plan_points.h"
#include "backend/llama_procs.h"
#include "backend/server_flags.h"
#include "run/defaults.h"
#include "run/models.h"
#include "plan/plan.h"
#include "settings/identity.h"
#include "store/store.h"
#include "util/filehash.h"
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

/* The one point of the command and replay backends: no plan, no launch
 * settings (run_config_check refused them). */
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
    if (a->backend == BACKEND_COMMAND) {
        if (!a->cmd) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend command needs --cmd");
            return -1;
        }
        bc->cmd_template = a->cmd;
        bc->model_name = a->model;
        pt->model = (char *)(a->model ? a->model : "command");
    } else {
        if (!a->from) {
            bai_error_set(err, BAI_EXIT_USAGE, "--backend replay needs --from RUN");
            return -1;
        }
        bc->replay_run = a->from;
        pt->model = own(p, xasprintf("replay:%s", a->from));
    }
    pt->label = pt->model;
    pt->params_json = own(p, xstrdup("{}"));
    return 0;
}

/* Index of a suite name in the run's list (command-line suites first, then
 * the ones plans name), adding it when new. */
static size_t suite_index(const struct run_config *a, struct run_points *p, const char *name)
{
    for (size_t i = 0; i < a->suites.n; i++)
        if (!strcmp(a->suites.v[i], name))
            return i;
    for (size_t i = 0; i < p->extra_suites.n; i++)
        if (!strcmp(p->extra_suites.v[i], name))
            return a->suites.n + i;
    strv_push(&p->extra_suites, name);
    return a->suites.n + p->extra_suites.n - 1;
}

/* A plan point becomes a run point. Its settings (the command line's, the
 * plan's defaults, the sweep's values: plan_expand laid them over each
 * other) stay in the plan, which lives as long as the points. */
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
    pt->settings = &pp->settings;
    bc->max_answer_bytes = a->max_answer_bytes;
    if (pp->model->url) {
        bc->kind = BACKEND_OPENAI;
        bc->url = pp->model->url;
        /* a run without --model asks the endpoint for its default model */
        bc->model_name = strcmp(pp->model->name, pp->model->url) ? pp->model->name : NULL;
        bc->api_key_env = a->api_key_env;
        pt->model = bc->model_name ? (char *)bc->model_name : pp->model->url;
    } else {
        bc->kind = BACKEND_LLAMA_SERVER;
        struct llama_server_config *s = &bc->server;
        s->binary = own(p, a->server_bin ? xstrdup(a->server_bin) : defaults_llama_server());
        s->model = pp->model->path;
        s->mmproj = a->mmproj ? a->mmproj : pp->model->mmproj;
        s->draft = pp->draft ? pp->draft->path : NULL;
        s->arch = pp->model->arch ? pp->model->arch : "llama";
        s->settings = &pp->settings;
        s->startup_timeout_s = a->startup_timeout_s;
        s->hang_timeout_ms = a->hang_timeout_ms;
        pt->model = pp->model->path;
        pt->draft = s->draft ? (char *)s->draft : NULL;
    }
    cJSON *params = plan_point_params_json(pp);
    if (bc->kind == BACKEND_LLAMA_SERVER && bc->server.mmproj)
        cJSON_AddStringToObject(params, "mmproj", bc->server.mmproj);
    char *pj = cJSON_PrintUnformatted(params);
    pt->params_json = own(p, xstrdup(pj));
    cJSON_free(pj);
    cJSON_Delete(params);
    if (a->suites.n == 0 && pp->n_suites) {
        pt->suite_idx = (size_t *)own(p, xcalloc(pp->n_suites, sizeof(size_t)));
        pt->n_suite_idx = pp->n_suites;
        for (size_t i = 0; i < pp->n_suites; i++)
            pt->suite_idx[i] = suite_index(a, p, pp->suites[i]);
    }
}

/* A command-line run is a one-point plan (or the sweep's points): the same
 * expansion and the same checks before any server starts as a plan file. */
static struct plan *cli_plan(const struct run_config *a, struct bai_error *err)
{
    int endpoint = a->backend == BACKEND_OPENAI;
    char *dflt = a->model || endpoint ? NULL : defaults_tiny_model("tiny-dense");
    const char *models[] = { a->model ? a->model : endpoint ? a->url : dflt };
    const char *drafts[] = { a->draft };
    if (!endpoint && !a->model && !fs_exists(dflt)) {
        bai_error_set(err, BAI_EXIT_USAGE, "model file %s does not exist (run scripts/make-test-models, or pass --model)",
                      dflt);
        free(dflt);
        return NULL;
    }
    /* a name must be in the registry (run/models.h: the one search order
     * and the message that says where it looked) */
    for (int i = 0; !endpoint && i < 2; i++) {
        const char *arg = i ? a->draft : a->model;
        struct run_model m = { 0 };
        if (arg && run_model_resolve(arg, a->models_file, &m, err) != 0) {
            free(dflt);
            return NULL;
        }
        run_model_free(&m);
    }
    char *registry = endpoint ? NULL : run_models_file(a->models_file, NULL);
    struct plan_cli cli = {
        .models = models, .n_models = 1, .drafts = drafts, .n_drafts = a->draft ? 1 : 0,
        .url = endpoint ? a->url : NULL,
        .sweeps = (const char *const *)a->sweeps.v, .n_sweeps = a->sweeps.n,
        .zip = a->zip != NULL, .reps = -1, .warmup = a->warmup, .concurrency = -1,
        .models_path = registry, .base = &a->launch,
    };
    struct plan *plan = plan_from_cli(&cli, err);
    free(registry);
    free(dflt);
    return plan;
}

/* 1 when the settings hold something only the server's build can judge:
 * raw flags, or a combination some builds refuse at start-up. */
static int needs_build_check(const struct settings *s)
{
    for (size_t i = 0; i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        if (settings_is_set(s, (int)i) &&
            (d->kind == SETTING_ARGS || d->kind == SETTING_ARGV || !strncmp(d->name, "cache_type", 10)))
            return 1;
    }
    return 0;
}

/* Raw flags and known-invalid combinations checked against the server
 * binary's --help (once per binary, cached) before any server starts, so
 * --dry-run fails where the launch would. */
static int check_against_build(const struct run_points *p, struct bai_error *err)
{
    for (size_t i = 0; i < p->n_points; i++) {
        const struct run_point *pt = &p->points[i];
        const struct llama_server_config *c = &pt->backend.server;
        if (pt->backend.kind != BACKEND_LLAMA_SERVER || pt->skip_reason || !c->settings ||
            !needs_build_check(c->settings))
            continue;
        struct server_flags f;
        if (server_flags_load(c->binary, &f, err) != 0)
            return -1;
        int rc = server_flags_check(&f, c->settings, c->arch, err);
        server_flags_free(&f);
        if (rc != 0) {
            bai_error_prefix(err, "point '%s'", pt->label);
            return -1;
        }
    }
    return 0;
}

/* 1 when a and b could run on one server process: the same launch,
 * request settings aside (and, optimistically, the speculative settings
 * some builds take per request: the runner decides once the server says
 * what it takes). */
static int same_launch(const struct run_point *a, const struct run_point *b)
{
    if (a->backend.kind != BACKEND_LLAMA_SERVER || b->backend.kind != BACKEND_LLAMA_SERVER)
        return 0;
    const struct llama_server_config *x = &a->backend.server, *y = &b->backend.server;
    return !strcmp(x->model, y->model) && !x->draft == !y->draft && (!x->draft || !strcmp(x->draft, y->draft)) &&
           settings_same_launch(x->settings, y->settings, 1);
}

/* Orders the points so that points one server can serve run back to back
 * (one model load instead of one per point); groups keep the order of
 * their first point, points within a group the plan's order. */
static void order_for_sharing(struct run_points *p)
{
    struct run_point *sorted = xcalloc(p->n_points ? p->n_points : 1, sizeof *sorted);
    unsigned char *taken = xcalloc(p->n_points ? p->n_points : 1, 1);
    size_t n = 0;
    for (size_t i = 0; i < p->n_points; i++) {
        if (taken[i])
            continue;
        sorted[n++] = p->points[i];
        taken[i] = 1;
        for (size_t j = i + 1; j < p->n_points; j++)
            if (!taken[j] && !p->points[j].skip_reason && same_launch(&p->points[i], &p->points[j])) {
                sorted[n++] = p->points[j];
                taken[j] = 1;
            }
    }
    memcpy(p->points, sorted, n * sizeof *sorted);
    free(sorted);
    free(taken);
}

static int plan_points(const struct run_config *a, struct run_points *p, struct bai_error *err)
{
    struct plan *plan;
    if (a->plan) {
        plan = plan_load(a->plan, a->models_file, err);
        if (plan) {
            settings_overlay(&plan->base, &a->launch);
            if (plan_expand(plan, err) != 0) {
                plan_free(plan);
                return -1;
            }
        }
    } else {
        plan = cli_plan(a, err);
    }
    if (!plan)
        return -1;
    if (plan_check(plan, err) != 0) {
        plan_free(plan);
        return -1;
    }
    /* A plan skips a point whose draft cannot serve its model and goes on;
     * a command line that asked for that draft gets an error instead. */
    for (size_t i = 0; !a->plan && i < plan->n_points; i++)
        if (plan->points[i].skip_reason) {
            bai_error_set(err, BAI_EXIT_USAGE, "--draft %s cannot serve --model %s: %s", a->draft,
                          a->model ? a->model : plan->points[i].model->name, plan->points[i].skip_reason);
            plan_free(plan);
            return -1;
        }
    p->plan = plan;
    p->points = xcalloc(plan->n_points ? plan->n_points : 1, sizeof *p->points);
    for (size_t i = 0; i < plan->n_points; i++)
        from_plan_point(a, &plan->points[i], p, &p->points[p->n_points++]);
    order_for_sharing(p);
    if (check_against_build(p, err) != 0)
        return -1;
    if (a->suites.n == 0 && plan->n_points == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "the plan has no points");
        return -1;
    }
    p->estimate_s = plan_estimate_seconds(plan, NULL);
    return 0;
}

/* --mmproj of the command line is checked like a registry one (plan_check). */
static int check_cli_mmproj(const struct run_config *a, struct bai_error *err)
{
    if (!a->mmproj || a->backend != BACKEND_LLAMA_SERVER)
        return 0;
    if (!fs_exists(a->mmproj)) {
        bai_error_set(err, BAI_EXIT_USAGE, "--mmproj: %s does not exist", a->mmproj);
        return -1;
    }
    return plan_check_mmproj(a->mmproj, "--mmproj", err);
}

int run_points_build(const struct run_config *a, struct run_points *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    if (run_config_check(a, err) != 0 || check_cli_mmproj(a, err) != 0)
        return -1;
    int rc = a->backend == BACKEND_COMMAND || a->backend == BACKEND_REPLAY ? single_point(a, out, err)
                                                                            : plan_points(a, out, err);
    if (rc != 0)
        run_points_free(out);
    return rc;
}

void run_points_share_cores(struct run_points *p)
{
    int threads = llama_procs_free_threads(NULL, NULL);
    if (threads <= 0 || !p->plan)
        return;
    char n[16];
    snprintf(n, sizeof n, "%d", threads);
    for (size_t i = 0; i < p->plan->n_points; i++) {
        struct settings *s = &p->plan->points[i].settings;
        if (!p->plan->points[i].model->url && !settings_is_set(s, SETTING_THREADS))
            settings_set(s, SETTING_THREADS, n, "the cores a judge leaves free", NULL);
    }
}

int run_point_concurrency(const struct run_point *pt, const struct run_config *a)
{
    if (a->concurrency > 0)
        return a->concurrency;
    if (pt->concurrency > 0)
        return pt->concurrency;
    if (pt->backend.kind == BACKEND_LLAMA_SERVER && pt->backend.server.settings)
        return (int)settings_int(pt->backend.server.settings, SETTING_NP, 1);
    return 1;
}

/* The content hash of a file, kept by the points (NULL path: NULL). */
static char *hash_file(struct run_points *p, const char *path, const char *what, struct bai_error *err)
{
    if (!path)
        return NULL;
    char hex[65];
    if (filehash_sha256(path, hex, err) < 0) {
        bai_error_prefix(err, "hashing the %s", what);
        return NULL;
    }
    return own(p, xstrdup(hex));
}

int run_points_identify(struct run_points *p, const struct run_config *a, struct bai_error *err)
{
    for (size_t i = 0; i < p->n_points; i++) {
        struct run_point *pt = &p->points[i];
        const struct backend_config *bc = &pt->backend;
        struct identity_input in = {
            .backend = backend_kind_name(bc->kind), .concurrency = run_point_concurrency(pt, a),
            .rate = a->rate, .stream = bc->stream, .prompt_cache = a->prompt_cache ? a->prompt_cache : "off",
        };
        if (bc->kind == BACKEND_LLAMA_SERVER) {
            const char *bin = bc->server.binary;
            char *resolved = NULL;
            if (bin && !strchr(bin, '/'))   /* "llama-server" from PATH */
                bin = resolved = fs_which(bin);
            pt->model_sha256 = hash_file(p, bc->server.model, "model", err);
            if (!pt->model_sha256)
                return free(resolved), -1;
            if (bc->server.draft && !(pt->draft_sha256 = hash_file(p, bc->server.draft, "draft model", err)))
                return free(resolved), -1;
            char *mmproj = bc->server.mmproj ? hash_file(p, bc->server.mmproj, "mmproj", err) : NULL;
            if (bc->server.mmproj && !mmproj)
                return free(resolved), -1;
            char *server = bin && fs_exists(bin) ? hash_file(p, bin, "llama-server binary", err) : NULL;
            free(resolved);
            in.model_sha256 = pt->model_sha256;
            in.draft_sha256 = pt->draft_sha256;
            in.mmproj_sha256 = mmproj;
            in.server_sha256 = server;
            in.settings = bc->server.settings;
            in.launched = 1;
        } else if (bc->kind == BACKEND_OPENAI) {
            in.url = bc->url;
            in.model = bc->model_name;
            in.settings = pt->settings;
        } else if (bc->kind == BACKEND_COMMAND) {
            in.command = bc->cmd_template;
            in.model = bc->model_name;
        } else {
            in.replay = bc->replay_run;
        }
        pt->identity_json = own(p, identity_json(&in));
        char hex[65];
        identity_hash(pt->identity_json, hex);
        pt->identity = own(p, xstrdup(hex));
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
    strv_free(&p->extra_suites);
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
            struct strv argv;
            int built = llama_server_build_argv(&pt->backend.server, &argv, &err);
            fprintf(out, "   ");
            if (built != 0) {
                fprintf(out, "error: %s\n", err.msg);
                continue;
            }
            /* shell-quoted: pasting the line runs this server, never a
             * $(...) or `...` hidden in a path or a --server-arg */
            struct buf line = {0};
            for (size_t k = 0; k < argv.n; k++) {
                if (k)
                    buf_putc(&line, ' ');
                esc_shell_quote(&line, argv.v[k]);
            }
            fprintf(out, "%s --host 127.0.0.1 --port 8080\n", line.data ? line.data : "");
            buf_free(&line);
            strv_free(&argv);
        }
    }
}
