/* runner.c - the life cycle of one run (runner.h; the other concerns are in
 * consume.c, figures.c and summary.c, see run_int.h): the run record, each
 * point's backend from start to stop, warm-up, the suites of a point, the
 * time budget, the sandbox pool shared by the whole run. */
#include "run/progress.h"
#include "run/run_int.h"
#include "run/plan_points.h"
#include "settings/identity.h"
#include "run/shard.h"
#include "sandbox/pool.h"
#include "sandbox/lang.h"
#include "sandbox/sandbox.h"
#include "score/judge.h"
#include "score/score.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/defaults.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One run while it runs: what every point and suite needs. */
struct runner {
    const struct run_options *o;
    const struct run_config *cfg;
    const struct score_context *score_ctx;
    volatile sig_atomic_t *stop;
    struct store *st;
    const char *run_id;
    struct run_result *res;
    /* The server of the point before, kept while the next point only
     * changes settings that travel in each request (one load per launch). */
    struct backend live;
    const struct run_point *live_pt;   /* the point it was started for; NULL: none */
    int live_per_request;              /* it takes speculative settings per request */
    int live_session;                  /* its ordinal among the run's server starts */
    char *live_log;                    /* its log file */
    int sessions;                      /* servers started so far */
    enum prompt_cache_mode prompt_cache;   /* --prompt-cache */
    int64_t cache_warned_config;           /* batch.cache_warned_config */
    struct run_shards shards;     /* every shard's points and items (run/shard.h) */
    int shard;                    /* the one this process runs: 1..N */
};

/* How many samples item i of suite s gets at point pt in this process: 0
 * when --limit leaves it out or another shard runs it. The one rule for
 * the jobs and the planned totals. */
static int item_reps(const struct runner *r, const struct run_point *pt, const struct suite *s, size_t i)
{
    if (run_shards_item(&r->shards, r->o, (size_t)(pt - r->o->points), s, i) != r->shard)
        return 0;
    return run_item_planned_reps(r->cfg, pt, s, i);
}

static char *item_key(const struct suite *s, const struct suite_item *it, int rep)
{
    return xasprintf("%s\x1f%s\x1f%d", s->name, it->id, rep);
}

/* Warns when a suite's content changed under the same version compared
 * with other stored runs (their results are no longer item-comparable). */
static void warn_changed_version(struct store *st, const struct suite *suite)
{
    char other[65];
    /* Haystacks sized by the server's tokenizer differ per model by design:
     * a different hash there is not an edited suite. */
    const cJSON *method = suite->n_items ? cJSON_GetObjectItemCaseSensitive(suite->items[0].data, "token_count_method") : NULL;
    int tokenizer_sized = cJSON_IsString(method) && !strcmp(method->valuestring, "server_tokenize");
    if (!tokenizer_sized && store_suite_hash_conflict(st, suite->name, suite->version, suite->hash, other) == 1)
        log_warn("suite %s version %d changed (hash %.12s, stored runs have %.12s): bump its version; "
                 "item-by-item comparison with those runs is blocked unless forced",
                 suite->name, suite->version, suite->hash, other);
}

/* The jobs of a (config, suite): every (item, rep) not stored yet, within
 * --limit and the shard; *planned counts the samples the batch holds when
 * done, stored ones included. Returns the count, or -1 when the store
 * cannot be read (jobs freed). */
static long build_jobs(struct runner *r, const struct run_point *pt, int64_t config_id, int64_t suite_id,
                       const struct suite *suite, struct sched_job **jobs_out, struct job_meta **meta_out,
                       size_t *items_run, size_t *planned, struct bai_error *err)
{
    *items_run = *planned = 0;
    const struct run_config *c = r->cfg;
    size_t cap = suite->n_items * 4 + 4, n = 0;
    struct sched_job *jobs = xcalloc(cap, sizeof *jobs);
    struct job_meta *meta = xcalloc(cap, sizeof *meta);
    for (size_t i = 0; i < suite->n_items; i++) {
        const struct suite_item *it = &suite->items[i];
        int reps = item_reps(r, pt, suite, i);
        *items_run += reps > 0;
        *planned += (size_t)reps;
        for (int rep = 0; rep < reps; rep++) {
            int exists = store_sample_exists(r->st, r->run_id, config_id, suite_id, it->id, rep);
            if (exists < 0) {
                bai_error_set(err, BAI_EXIT_STORE, "store: cannot read samples of run %s", r->run_id);
                for (size_t k = 0; k < n; k++) {
                    request_free(&meta[k].built);
                    free((char *)jobs[k].key);
                }
                free(jobs);
                free(meta);
                return -1;
            }
            if (exists)
                continue;
            if (n == cap) {
                cap *= 2;
                jobs = xrealloc(jobs, cap * sizeof *jobs);
                meta = xrealloc(meta, cap * sizeof *meta);
            }
            memset(&jobs[n], 0, sizeof jobs[n]);
            memset(&meta[n], 0, sizeof meta[n]);
            meta[n].item = it;
            meta[n].rep = rep;
            request_build(it, suite, c->stream, pt->backend.model_name, &meta[n].built);
            request_apply_settings(&meta[n].built, pt->settings, r->live_per_request);
            char *key = xasprintf("%s\x1f%lld\x1f%s\x1f%d\x1f%s\x1f%d", r->run_id, (long long)config_id,
                                  suite->name, suite->version, it->id, rep);
            request_prompt_cache(&meta[n].built, r->prompt_cache, key);
            free(key);
            jobs[n].req = meta[n].built.req;
            jobs[n].key = item_key(suite, it, rep);
            gen_response_init(&jobs[n].resp);
            n++;
        }
    }
    *jobs_out = jobs;
    *meta_out = meta;
    return (long)n;
}

/* What the requests to be did about the prompt cache, as recorded with
 * each sample: cache_prompt:false reaches llama.cpp servers only. */
static const char *cache_bypass_name(enum prompt_cache_mode mode, const struct backend *be)
{
    int flag = mode != PROMPT_CACHE_ON && backend_is_http(be) && backend_speaks_llama(be);
    if (mode == PROMPT_CACHE_UNIQUE_PREFIX)
        return flag ? "cache_prompt+prefix" : "prefix";
    return flag ? "cache_prompt" : NULL;
}

/* Sends the (config, suite) items not stored yet. Returns -1 only when the
 * run must stop (store failure, unrecoverable server, interruption). */
static int run_suite(struct runner *r, struct run_point *pt, int64_t config_id, struct backend *be,
                     const struct suite *suite, struct bai_error *err)
{
    struct bai_error e2 = {0};
    int64_t suite_id = store_suite_add(r->st, suite->name, suite->version, suite->hash, &e2);
    if (suite_id < 0 || store_suite_set_items(r->st, suite_id, (int64_t)suite->n_items, &e2) < 0) {
        *err = e2;
        return -1;
    }
    warn_changed_version(r->st, suite);
    struct sched_job *jobs;
    struct job_meta *meta;
    size_t items_run, planned;
    long n_built = build_jobs(r, pt, config_id, suite_id, suite, &jobs, &meta, &items_run, &planned, err);
    if (n_built < 0)
        return -1;
    size_t n = (size_t)n_built;

    struct batch b = {
        .st = r->st, .score_ctx = r->score_ctx, .run_id = r->run_id, .config_id = config_id,
        .suite_id = suite_id, .suite = suite, .config_label = pt->label, .jobs = jobs, .meta = meta,
        .n_jobs = n, .stop = r->stop, .progress = r->o->progress, .progress_slot = -1,
        .cache_bypass = cache_bypass_name(r->prompt_cache, be), .prompt_cache = r->cfg->prompt_cache,
        .backend_llama = backend_speaks_llama(be), .cache_warned_config = &r->cache_warned_config,
    };
    run_batch_init(&b);
    int concurrency = run_point_concurrency(pt, r->cfg);
    struct sched_options so = {
        .concurrency = concurrency, .rate = r->cfg->rate, .seed = 42,
        /* --retries 0 means none (the scheduler's 0 is its default) */
        .max_retries = r->cfg->retries > 0 ? r->cfg->retries : -1, .stop = r->stop,
        .on_incident = run_batch_incident,
    };
    struct sched_stats stats;
    int rc = 0;
    if (n > 0) {
        b.progress_slot = progress_begin(b.progress, pt->label, suite->name, planned, planned - n);
        rc = sched_run(be, jobs, n, &so, run_batch_job_done, &b, &stats, err);
        progress_end(b.progress, b.progress_slot);
    }
    struct run_result_row *row = run_result_add_row(r->res, pt->label, suite->name,
                                                    b.store_failed ? "stopped: store error"
                                                    : n > 0 && stats.stopped ? "interrupted" : "ok");
    run_batch_figures(&b, row);
    row->items = items_run;
    run_batch_write_incidents(&b);
    if (b.store_failed) {
        *err = b.store_err;
        rc = -1;
    } else if (n > 0 && stats.stopped) {
        bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted");
        rc = -1;
    }
    run_batch_free(&b);
    for (size_t i = 0; i < n; i++) {
        request_free(&meta[i].built);
        gen_response_free(&jobs[i].resp);
        free((char *)jobs[i].key);
    }
    free(jobs);
    free(meta);
    return rc;
}

static void discard_job(void *ctx, struct sched_job *job)
{
    (void)ctx;
    (void)job;
}

/* Warm-up requests after a start: the first requests after a start are
 * several times slower here, so they are sent, timed, recorded as an
 * incident of kind "warmup", and kept out of every figure. */
static void warm_up(struct runner *r, int warmup, int64_t config_id, struct backend *be,
                    const struct suite *first_suite, struct run_starts *rs)
{
    if (warmup <= 0 || !first_suite || first_suite->n_items == 0)
        return;
    for (int i = 0; i < warmup; i++) {
        struct built_request br;
        request_build(&first_suite->items[0], first_suite, r->cfg->stream, NULL, &br);
        /* its own prefix: a warm-up must not fill the cache for the item it borrowed */
        char *key = xasprintf("%s\x1f%lld\x1fwarmup\x1f%d", r->run_id, (long long)config_id, i);
        request_prompt_cache(&br, r->prompt_cache, key);
        free(key);
        br.req.max_tokens = br.req.max_tokens < 16 ? br.req.max_tokens : 16;
        struct sched_job job = { .req = br.req, .key = "warmup" };
        gen_response_init(&job.resp);
        struct sched_options so = { .concurrency = 1, .max_retries = 1, .stop = r->stop };
        struct sched_stats stats;
        struct bai_error e = {0};
        if (backend_is_http(be)) {
            sched_run(be, &job, 1, &so, discard_job, NULL, &stats, &e);
            run_starts_first_request(rs, &job.resp);
            char msg[256];
            snprintf(msg, sizeof msg, "warm-up request %d: %s, %.1f ms, excluded from figures", i + 1,
                     job.resp.ok ? "ok" : (job.resp.error ? job.resp.error : "error"), gen_e2e_ms(&job.resp));
            store_incident_add(r->st, r->run_id, config_id, "warmup", msg, &e);
        }
        gen_response_free(&job.resp);
        request_free(&br);
    }
}

static char *sanitize(const char *label)
{
    char *s = xstrdup(label);
    for (char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.' || *p == '='))
            *p = '_';
    return s;
}

/* suite_load's token counter, answered by the running backend. */
static int count_tokens(void *ctx, const char *text, struct bai_error *err)
{
    return backend_count_tokens(ctx, text, err);
}

/* A generated suite was sized with the chars/4 estimate because suites load
 * before any server is up. With a backend that can tokenize, it is generated
 * again, sized by that model's tokenizer (its hash then records that), so
 * "a 32K haystack" means 32K tokens of the model under test. NULL when
 * nothing needs recounting or the backend cannot tokenize (the estimate,
 * recorded in each item, stays). */
static struct suite *recount_with_backend(const struct suite *s, struct backend *be)
{
    if (!s->path || s->n_items == 0 || !backend_can_count_tokens(be))
        return NULL;
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(s->items[0].data, "token_count_method");
    if (!cJSON_IsString(method) || strncmp(method->valuestring, "estimate", 8) != 0)
        return NULL;
    struct suite_load_options opts = { .count_tokens = count_tokens, .count_tokens_ctx = be,
                                       .allow_outside_source = s->allow_outside_source };
    struct bai_error err = {0};
    struct suite *counted = suite_load(s->path, &opts, &err);
    if (!counted) {
        log_warn("suite %s: counting tokens with the server failed (%s); keeping the estimate", s->name, err.msg);
        return NULL;
    }
    log_info("suite %s: haystacks sized with the server's tokenizer", s->name);
    return counted;
}

/* The suites a point runs: its own selection, else all of the run's. */
static size_t point_n_suites(const struct run_options *o, const struct run_point *pt)
{
    return run_point_n_suites(o, pt);
}

static const struct suite *point_suite(const struct run_options *o, const struct run_point *pt, size_t i)
{
    return run_point_suite(o, pt, i);
}

/* 1 when some (item, rep) of the point's suites in this shard is not
 * stored yet (or the store cannot say): a resumed shard starts no server
 * for a point it has finished. */
static int point_has_work(struct runner *r, const struct run_point *pt, int64_t config_id)
{
    for (size_t k = 0; k < point_n_suites(r->o, pt); k++) {
        const struct suite *s = point_suite(r->o, pt, k);
        struct bai_error e = {0};
        int64_t suite_id = store_suite_find(r->st, s->name, s->version, s->hash, &e);
        if (suite_id <= 0)
            return 1;          /* not stored yet (or unreadable): work to do */
        for (size_t i = 0; i < s->n_items; i++)
            for (int rep = 0, reps = item_reps(r, pt, s, i); rep < reps; rep++)
                if (store_sample_exists(r->st, r->run_id, config_id, suite_id, s->items[i].id, rep) != 1)
                    return 1;
    }
    return 0;
}

/* The rows of a point whose samples are all stored already (a resumed
 * shard): no server is started for it. */
static int point_done_before(struct runner *r, const struct run_point *pt)
{
    for (size_t s = 0; s < point_n_suites(r->o, pt); s++)
        run_result_add_row(r->res, pt->label, point_suite(r->o, pt, s)->name, "ok: stored before");
    log_info("%s: every sample is stored; not started", pt->label);
    return 0;
}

/* A point that is not run (plan check, time budget): recorded as skipped. */
static int skip_point(struct runner *r, const struct run_point *pt, int64_t config_id, struct bai_error *err)
{
    struct store_config upd = { .status = "skipped", .reason = pt->skip_reason };
    store_config_update(r->st, config_id, &upd, err);
    char *status = xasprintf("skipped: %s", pt->skip_reason);
    for (size_t s = 0; s < point_n_suites(r->o, pt); s++)
        run_result_add_row(r->res, pt->label, point_suite(r->o, pt, s)->name, status);
    free(status);
    log_info("%s: skipped (%s)", pt->label, pt->skip_reason);
    return 0;
}

/* A backend that did not start fails its point; a plan goes on with the
 * next point, a single configuration (or Ctrl-C) ends the run. */
static int start_failed(struct runner *r, const struct run_point *pt, int64_t config_id,
                        const struct bai_error *start_err, struct bai_error *err)
{
    struct store_config upd = { .status = "failed", .reason = start_err->msg };
    struct bai_error ignored = {0};
    store_config_update(r->st, config_id, &upd, &ignored);
    store_incident_add(r->st, r->run_id, config_id, "start_failed", start_err->msg, &ignored);
    for (size_t s = 0; s < point_n_suites(r->o, pt); s++)
        run_result_add_row(r->res, pt->label, point_suite(r->o, pt, s)->name, "failed: backend did not start");
    if (r->o->n_points == 1 || start_err->exit_code == BAI_EXIT_INTERRUPTED) {
        *err = *start_err;
        return -1;
    }
    log_warn("%s: %s", pt->label, start_err->msg);
    return 0;        /* the plan goes on */
}

/* The server of this point kept hanging or dying while suite s ran (the
 * scheduler gave up restarting it): the point is recorded as failed with
 * the reason, its remaining suites as not run, and the plan goes on with
 * the next point. A single-point run ends with the error instead. */
static int give_up_point(struct runner *r, const struct run_point *pt, int64_t config_id, struct backend *be,
                         size_t s, struct bai_error *err)
{
    const char *death = be->server ? llama_server_death(be->server) : NULL;
    char *reason = xasprintf("given up in suite %s: %s%s%s%s", point_suite(r->o, pt, s)->name, err->msg,
                             death ? " (last: " : "", death ? death : "", death ? ")" : "");
    struct bai_error ignored = {0};
    struct store_config upd = { .status = "failed", .reason = reason };
    store_config_update(r->st, config_id, &upd, &ignored);
    store_incident_add(r->st, r->run_id, config_id, "given_up", reason, &ignored);
    free(r->res->rows[r->res->n_rows - 1].status);
    r->res->rows[r->res->n_rows - 1].status = xstrdup("failed: server given up");
    for (size_t rest = s + 1; rest < point_n_suites(r->o, pt); rest++)
        run_result_add_row(r->res, pt->label, point_suite(r->o, pt, rest)->name, "failed: server given up");
    log_warn("%s: %s", pt->label, reason);
    free(reason);
    if (r->o->n_points == 1)
        return -1;
    bai_error_clear(err);
    return 0;
}

/* Records what actually runs (command line, build, /props, /slots) and
 * what competes with it (another llama-server on the machine). */
static int record_backend(struct runner *r, int64_t config_id, const struct backend *be, struct bai_error *err)
{
    if (backend_notice(be)) {
        struct bai_error ignored = {0};
        store_incident_add(r->st, r->run_id, config_id, "competing_server", backend_notice(be), &ignored);
    }
    cJSON *desc = backend_describe(be);
    /* which of the run's server processes measured this config (points
     * that share a server have one session), and how K travelled */
    cJSON_AddNumberToObject(desc, "server_session", r->live_session);
    if (be->server)
        cJSON_AddBoolToObject(desc, "speculative_per_request", r->live_per_request);
    char *desc_json = cJSON_PrintUnformatted(desc);
    struct store_config upd = {
        .status = "ok",
        .server_argv = be->server ? llama_server_command_line(be->server) : NULL,
        .server_build = be->server ? llama_server_build(be->server) : NULL,
        .props_json = desc_json,
    };
    int rc = store_config_update(r->st, config_id, &upd, err);
    if (rc == 0 && be->server && llama_server_build(be->server))
        rc = store_run_set_llama_build(r->st, r->run_id, llama_server_build(be->server), err);
    cJSON_free(desc_json);
    cJSON_Delete(desc);
    return rc;
}

/* A continued run (resume, a shard joining) must measure what its stored
 * config measured: a different model file, binary or setting under the
 * same label is refused unless --force, which records the change. */
static int check_identity(struct runner *r, const struct run_point *pt, struct bai_error *err)
{
    int64_t id;
    char *stored = NULL;
    int found = store_config_find(r->st, r->run_id, pt->label, &id, &stored, err);
    if (found < 0)
        return -1;
    if (!found || !stored || !pt->identity_json || !strcmp(stored, pt->identity_json)) {
        free(stored);
        return 0;
    }
    char **diffs = NULL;
    size_t n = identity_differences(stored, pt->identity_json, &diffs, 0);
    struct buf what = {0};
    for (size_t i = 0; i < n; i++) {
        buf_printf(&what, "%s%s", i ? "; " : "", diffs[i]);
        free(diffs[i]);
    }
    free(diffs);
    free(stored);
    int rc = 0;
    if (r->cfg->force) {
        char *msg = xasprintf("config '%s' changed since it was stored (stored vs now: %s); continued with --force",
                              pt->label, what.data ? what.data : "?");
        log_warn("%s", msg);
        struct bai_error ignored = {0};
        store_incident_add(r->st, r->run_id, id, "config_changed", msg, &ignored);
        free(msg);
    } else {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "config '%s' of run %s is not what was stored (stored vs now: %s); its samples would "
                      "mix two configurations: restore it, or give --force to continue anyway (recorded)",
                      pt->label, r->run_id, what.data ? what.data : "?");
        rc = -1;
    }
    buf_free(&what);
    return rc;
}

/* 1 when the running server can serve pt: the same launched process
 * would be started for it (binary, model, draft, every launch setting),
 * request settings aside, and the launch settings a build takes per
 * request aside when this one does. */
static int can_share(const struct runner *r, const struct run_point *pt)
{
    const struct run_point *a = r->live_pt;
    /* with --prompt-cache on, a shared server would hand the next point the
     * prompts the one before left in its cache */
    if (!a || r->cfg->fresh_server || r->prompt_cache == PROMPT_CACHE_ON || a->backend.kind != BACKEND_LLAMA_SERVER || pt->backend.kind != BACKEND_LLAMA_SERVER ||
        pt->skip_reason)
        return 0;
    const struct llama_server_config *x = &a->backend.server, *y = &pt->backend.server;
    if (strcmp(x->binary, y->binary) || strcmp(x->model, y->model) || (!x->draft != !y->draft) ||
        (x->draft && strcmp(x->draft, y->draft)) || !x->settings || !y->settings)
        return 0;
    if (!settings_same_launch(x->settings, y->settings, r->live_per_request))
        return 0;
    /* a per-request draft size above the launched one could outgrow the
     * draft buffers the server sized at start */
    return settings_int(y->settings, SETTING_K, 0) <= settings_int(x->settings, SETTING_K, 0) ||
           !r->live_per_request;
}

static void stop_live(struct runner *r)
{
    if (!r->live_pt)
        return;
    backend_stop(&r->live);
    r->live_pt = NULL;
    r->live_per_request = 0;
    free(r->live_log);
    r->live_log = NULL;
}

static int run_point(struct runner *r, struct run_point *pt, struct bai_error *err)
{
    struct store_config cfg = {
        .label = pt->label, .backend = backend_kind_name(pt->backend.kind), .model = pt->model,
        .draft = pt->draft, .params_json = pt->params_json, .model_sha256 = pt->model_sha256,
        .draft_sha256 = pt->draft_sha256, .identity = pt->identity, .identity_json = pt->identity_json,
    };
    if (check_identity(r, pt, err) < 0)
        return -1;
    int64_t config_id = store_config_add(r->st, r->run_id, &cfg, err);
    if (config_id < 0)
        return -1;
    if (pt->skip_reason)
        return skip_point(r, pt, config_id, err);
    if (!point_has_work(r, pt, config_id))
        return point_done_before(r, pt);
    int shared = can_share(r, pt);
    if (!shared) {
        stop_live(r);
        char *clean = sanitize(pt->label);
        char *log_path = xasprintf("%s/%s/%s.log", r->cfg->logs ? r->cfg->logs : BAI_LOGS_DIR, r->run_id, clean);
        free(clean);
        struct backend_config bc = pt->backend;
        bc.server.log_path = log_path;
        bc.server.cancel = r->stop;
        if (bc.kind == BACKEND_REPLAY && !bc.replay_store)
            bc.replay_store = r->st;
        struct bai_error start_err = {0};
        log_info("%s: starting %s", pt->label, backend_kind_name(bc.kind));
        struct bai_error ignored = {0};
        store_session_touch(r->st, &ignored);   /* a sign of life while a model loads */
        if (backend_start(&r->live, &bc, &start_err) != 0) {
            free(log_path);
            return start_failed(r, pt, config_id, &start_err, err);
        }
        r->live_pt = pt;
        r->live_log = log_path;
        r->live_session = ++r->sessions;
        r->live_per_request = r->live.server && llama_server_takes_request_spec(r->live.server);
    } else {
        char *msg = xasprintf("served by the llama-server started for '%s' (server %d of the run): only settings "
                              "that travel in each request differ%s", r->live_pt->label, r->live_session,
                              r->live_per_request ? " (this build takes speculative settings per request)" : "");
        log_info("%s: %s", pt->label, msg);
        struct bai_error ignored = {0};
        store_incident_add(r->st, r->run_id, config_id, "shared_server", msg, &ignored);
        free(msg);
    }
    struct backend *be = &r->live;
    int rc = record_backend(r, config_id, be, err);
    /* memory and load time of the starts this point makes (a shared
     * server's earlier starts belong to the point that made them) */
    struct run_starts starts = {0};
    double ngl_asked = run_starts_ngl_asked(pt->backend.kind == BACKEND_LLAMA_SERVER ? pt->backend.server.settings
                                                                                      : NULL);
    if (rc == 0)
        rc = run_starts_begin(r->st, config_id, be, shared, &starts, err);
    int warmup = pt->warmup >= 0 ? pt->warmup : r->cfg->warmup;
    /* a shared server is warm already */
    if (rc == 0 && !shared)
        warm_up(r, warmup, config_id, be, point_n_suites(r->o, pt) ? point_suite(r->o, pt, 0) : NULL, &starts);
    if (rc == 0)
        rc = run_starts_record(r->st, r->run_id, &starts, be, ngl_asked, pt->label, err);
    for (size_t s = 0; rc == 0 && s < point_n_suites(r->o, pt); s++) {
        if (*r->stop) {
            bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted");
            rc = -1;
            break;
        }
        struct suite *counted = recount_with_backend(point_suite(r->o, pt, s), be);
        rc = run_suite(r, pt, config_id, be, counted ? counted : point_suite(r->o, pt, s), err);
        suite_free(counted);
        if (rc == 0)
            rc = run_starts_record(r->st, r->run_id, &starts, be, ngl_asked, pt->label, err);
        if (rc != 0 && err->exit_code == BAI_EXIT_BACKEND) {
            rc = give_up_point(r, pt, config_id, be, s, err);
            stop_live(r);     /* a server given up on serves no one else */
            break;
        }
    }
    if (starts.config_id && (rc == 0 || err->exit_code != BAI_EXIT_STORE)) {
        /* the peaks and any restarts, while the server still runs */
        struct bai_error e2 = {0};
        if (run_starts_record(r->st, r->run_id, &starts, be, ngl_asked, pt->label, &e2) != 0 && rc == 0) {
            *err = e2;
            rc = -1;
        }
    }
    /* the server lives on while the next point can use it (run_points
     * stops it at the end) */
    if (rc != 0 || pt->backend.kind != BACKEND_LLAMA_SERVER)
        stop_live(r);
    return rc;
}

/* 1 when any suite has items scored by running code. */
static int needs_sandbox(const struct run_options *o)
{
    for (size_t s = 0; s < o->n_suites; s++)
        for (size_t i = 0; i < o->suites[s]->n_items; i++)
            if (o->suites[s]->items[i].scorer && !strcmp(o->suites[s]->items[i].scorer, "code"))
                return 1;
    return 0;
}

/* One sandbox pool for the whole run, made only when code is scored: the
 * namespace probe and the language table are paid once, and programs run
 * on the pool's workers, never on the I/O thread. */
static struct sandbox_pool *open_sandbox(const struct run_config *c, struct bai_error *err)
{
    struct sandbox_options so = { .mode = c->sandbox_rlimits ? SANDBOX_MODE_RLIMITS : SANDBOX_MODE_FULL };
    struct sandbox *sb = sandbox_new(&so, err);
    if (!sb)
        return NULL;
    struct sandbox_langs *langs = sandbox_langs_load_default(err);
    if (!langs) {
        sandbox_free(sb);
        return NULL;
    }
    return sandbox_pool_new(sb, langs, 0, err);
}

/* The command's plan JSON with "planned": [{config, suite, samples}] for
 * every point and suite, so `benchai status` can say how far a running run
 * is from another process (what is stored against this). */
static char *plan_with_totals(const struct runner *r)
{
    const struct run_options *o = r->o;
    cJSON *plan = o->plan_json ? cJSON_Parse(o->plan_json) : NULL;
    if (!cJSON_IsObject(plan)) {
        cJSON_Delete(plan);
        plan = cJSON_CreateObject();
    }
    cJSON *arr = cJSON_AddArrayToObject(plan, "planned");
    for (size_t p = 0; p < o->n_points; p++) {
        const struct run_point *pt = &o->points[p];
        for (size_t k = 0; k < point_n_suites(o, pt); k++) {
            const struct suite *s = point_suite(o, pt, k);
            size_t n = 0;
            for (size_t i = 0; i < s->n_items && !pt->skip_reason; i++)
                n += (size_t)item_reps(r, pt, s, i);
            cJSON *row = cJSON_CreateObject();
            cJSON_AddStringToObject(row, "config", pt->label);
            cJSON_AddStringToObject(row, "suite", s->name);
            cJSON_AddNumberToObject(row, "samples", (double)n);
            cJSON_AddItemToArray(arr, row);
        }
    }
    char *text = cJSON_PrintUnformatted(plan);
    char *out = xstrdup(text);
    cJSON_free(text);
    cJSON_Delete(plan);
    return out;
}

/* A stored run continues in this process: the resume is an incident that
 * says what it continues from (its status, the samples stored, and a
 * previous process that died without closing the run), and this process
 * becomes the run's owner. */
static int record_resume(struct store *st, const char *run_id, struct bai_error *err)
{
    struct store_run_info info;
    if (store_run_get(st, run_id, &info, err) != 0)
        return -1;
    struct buf msg = {0};
    buf_printf(&msg, "resumed: the run was %s with %lld samples stored", info.status ? info.status : "?",
               (long long)info.n_samples);
    if (info.status && !strcmp(info.status, "running") && info.owner.pid > 0) {
        int alive = store_owner_alive(&info.owner);
        if (alive == 0)
            buf_printf(&msg, "; its benchai process (pid %ld) had ended without closing it (killed?)",
                       info.owner.pid);
        else if (alive > 0)
            buf_printf(&msg, "; its benchai process (pid %ld) still runs: two processes now write this run",
                       info.owner.pid);
    }
    store_run_info_free(&info);
    struct store_owner self;
    store_owner_self(&self);
    int rc = store_run_set_status(st, run_id, "running", err) != 0 ||
             store_run_set_owner(st, run_id, &self, err) != 0 ||
             store_incident_add(st, run_id, 0, "resumed", msg.data, err) != 0 ? -1 : 0;
    buf_free(&msg);
    return rc;
}

/* The manifest (what every shard of the run is to store; the stored one
 * must be the same) and this process's session, which every sample it
 * writes names. */
static int record_shards(struct runner *r, const char *run_id, struct bai_error *err)
{
    size_t n = 0;
    struct run_manifest_row *rows = run_shards_manifest(&r->shards, r->o, &n);
    struct store_manifest_row *mr = xcalloc(n + 1, sizeof *mr);
    for (size_t i = 0; i < n; i++)
        mr[i] = (struct store_manifest_row){ rows[i].shard, rows[i].config, rows[i].suite, rows[i].items,
                                             rows[i].samples };
    int rc = store_run_manifest(r->st, run_id, r->shards.n_shards, r->shards.manifest_sha256, mr, n, r->cfg->force,
                                err);
    free(mr);
    free(rows);
    if (rc != 0)
        return -1;
    char *host = store_host_json(), *env = store_host_env_json();
    struct store_session_meta m = { .shard = r->shard, .n_shards = r->shards.n_shards, .host_json = host,
                                    .env_json = env };
    rc = store_session_begin(r->st, run_id, &m, err) < 0 ? -1 : 0;
    free(host);
    free(env);
    return rc;
}

/* Before a process continues a stored run (resume, or a shard joining):
 * its manifest must be the one the run has (same plan, N, suites). */
static int check_manifest(struct runner *r, const char *run_id, struct bai_error *err)
{
    return store_run_manifest(r->st, run_id, r->shards.n_shards, r->shards.manifest_sha256, NULL, 0, r->cfg->force,
                              err);
}

/* Creates the run, or finds the stored one to continue (resume, or a
 * given run id that the store has: shards joining) after checking that
 * its suites did not change since it started; it is set running again. */
static int open_run(struct runner *r, char run_id[STORE_RUN_ID_MAX], struct bai_error *err)
{
    const struct run_options *o = r->o;
    struct store *st = r->st;
    const struct run_config *c = o->cfg;
    if (o->resume_run_id)
        return store_resolve_run(st, o->resume_run_id, run_id, err) != 0 ||
               run_check_suites(st, run_id, o->suites, o->n_suites, c->force, err) != 0 ||
               check_manifest(r, run_id, err) != 0 || record_resume(st, run_id, err) != 0 ||
               record_shards(r, run_id, err) != 0 ? -1 : 0;
    /* the id store_run_create takes: the config's, else $BENCHAI_RUN_ID */
    const char *given = c->run_id ? c->run_id : getenv("BENCHAI_RUN_ID");
    char *stored_plan = NULL;
    int exists = given && *given ? store_run_plan(st, given, &stored_plan, err) : 0;
    free(stored_plan);
    if (exists < 0 || (exists && (run_check_suites(st, given, o->suites, o->n_suites, c->force, err) != 0 ||
                                  check_manifest(r, given, err) != 0)))
        return -1;
    char *host = store_host_json(), *totals = plan_with_totals(r);
    char *plan = run_plan_record(totals, o->suites, o->n_suites);
    free(totals);
    char shard[32] = "";
    if (c->shard_n > 0)
        snprintf(shard, sizeof shard, "%d/%d", c->shard_i, c->shard_n);
    struct store_run_meta meta = {
        .host_json = host, .plan_json = plan, .note = c->note, .tags = (const char *const *)c->tags.v,
        .n_tags = c->tags.n, .shard = c->shard_n > 0 ? shard : NULL, .run_id = c->run_id,
    };
    int rc = store_run_create(st, &meta, run_id, err);
    free(plan);
    free(host);
    if (rc == 0) {
        struct store_owner self;
        store_owner_self(&self);
        rc = store_run_set_owner(st, run_id, &self, err);
        if (rc == 0 && exists)
            rc = store_incident_add(st, run_id, 0, "joined", "another benchai process joined the run (--run-id)", err);
    }
    return rc != 0 ? -1 : record_shards(r, run_id, err);
}

/* Runs the points in order; once the plan's time budget is spent the
 * remaining points are recorded as skipped, so the run still ends with a
 * table. */
static int run_points(struct runner *r, struct bai_error *err)
{
    const struct run_options *o = r->o;
    int rc = 0;
    int64_t t_start = clock_mono_ns();
    for (size_t p = 0; rc == 0 && p < o->n_points; p++) {
        struct run_point *pt = &o->points[p];
        if (!run_shards_point_on(&r->shards, p, r->shard))
            continue;     /* another shard runs it */
        double elapsed_s = (double)(clock_mono_ns() - t_start) / 1e9;
        if (o->time_budget_s > 0 && elapsed_s > o->time_budget_s && !pt->skip_reason) {
            pt->skip_reason = xasprintf("time budget of %.0f s spent", o->time_budget_s);
            rc = run_point(r, pt, err);
            free(pt->skip_reason);
            pt->skip_reason = NULL;
            continue;
        }
        rc = run_point(r, pt, err);
    }
    stop_live(r);
    return rc;
}

int runner_run(const struct run_options *o, struct run_result *res, struct bai_error *err)
{
    static volatile sig_atomic_t private_stop;
    /* a judge's scores are stored under its model and prompt, so a later
     * judge's rescore is kept beside them (score/judge.h) */
    char *judge_key = o->judge ? score_judge_key(o->judge->model, 0) : NULL;
    struct score_context sctx = { .judge = o->judge, .judge_key = judge_key };
    struct runner r = { .o = o, .cfg = o->cfg, .score_ctx = &sctx, .stop = o->stop ? o->stop : &private_stop,
                        .res = res };
    struct sandbox_pool *pool = NULL;
    memset(res, 0, sizeof *res);
    int rc = -1;
    int prompt_cache = request_prompt_cache_parse(o->cfg->prompt_cache);
    if (prompt_cache < 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "--prompt-cache: expected off, unique-prefix or on, got '%s'",
                      o->cfg->prompt_cache);
        return -1;
    }
    r.prompt_cache = (enum prompt_cache_mode)prompt_cache;
    if (needs_sandbox(o)) {
        pool = open_sandbox(o->cfg, err);
        if (!pool)
            goto out;
        sctx.sandbox = pool;
        log_info("code is scored in the sandbox (mode %s)", o->cfg->sandbox_rlimits ? "rlimits" : "full");
    }
    const struct run_config *c = o->cfg;
    r.shard = c->shard_n > 0 ? c->shard_i : 1;
    if (run_shards_build(o, o->plan, c->shard_n > 0 ? c->shard_n : 1, c->split_above, &r.shards, err) != 0)
        goto out;
    r.st = store_open(run_config_store(o->cfg), err);
    if (!r.st || open_run(&r, res->run_id, err) != 0) {
        res->run_id[0] = '\0';
        goto out;
    }
    r.run_id = res->run_id;
    log_info("run %s (store %s)", res->run_id, run_config_store(o->cfg));
    rc = run_points(&r, err);

    if (rc != 0 && err->exit_code == BAI_EXIT_STORE) {
        /* A full disk or a store locked too long: what is committed stays,
         * so the one message also says how to go on. */
        size_t len = strlen(err->msg);
        snprintf(err->msg + len, sizeof err->msg - len, "; once that is fixed, continue the run with: "
                 "benchai resume %s --store %s", res->run_id, run_config_store(o->cfg));
    }
    /* the closing table counts the whole run, earlier sessions included */
    struct bai_error fill_err = {0};
    int filled = run_result_fill(r.st, res, &fill_err) == 0;
    if (rc == 0 && filled && res->samples_ok == 0) {
        if (res->samples_failed)
            bai_error_set(err, BAI_EXIT_NO_SAMPLES,
                          "run %s: no sample succeeded: all %zu requests failed or timed out "
                          "(benchai show %s --failed lists them)", res->run_id, res->samples_failed, res->run_id);
        else
            bai_error_set(err, BAI_EXIT_NO_SAMPLES,
                          "run %s: no sample was sent: every configuration was skipped or failed to start "
                          "(benchai show %s lists why)", res->run_id, res->run_id);
        rc = -1;
    }
    /* A run that sent everything it planned is done, also when every
     * answer failed (the samples say so, and the exit status 7); one that
     * could send nothing failed. */
    const char *status = "done";
    if (rc != 0 && !(err->exit_code == BAI_EXIT_NO_SAMPLES && res->samples_failed))
        status = (err->exit_code == BAI_EXIT_INTERRUPTED || err->exit_code == BAI_EXIT_STORE) ? "interrupted" : "failed";
    res->status = xstrdup(status);
    struct bai_error e2 = {0};
    if (rc != 0 && err->exit_code == BAI_EXIT_INTERRUPTED) {
        char *msg = xasprintf("interrupted by a signal; %zu samples stored (%zu failed); continue with: "
                              "benchai resume %s", res->samples_ok + res->samples_failed, res->samples_failed,
                              res->run_id);
        store_incident_add(r.st, res->run_id, 0, "interrupted", msg, &e2);
        free(msg);
    }
    /* the run's status follows from all its shards' sessions (store/shards.c);
     * an unsharded run's is this process's word (a run whose every sample
     * failed stored all it planned, yet failed) */
    if ((store_session_end(r.st, status, &e2) != 0 ||
         (r.shards.n_shards <= 1 && store_run_set_status(r.st, res->run_id, status, &e2) != 0)) && rc == 0) {
        *err = e2;
        rc = -1;
    }
out:
    /* every path, early failures included, closes what was opened */
    free(judge_key);
    store_close(r.st);
    run_shards_free(&r.shards);
    if (pool)
        sandbox_pool_free(pool);
    return rc;
}
