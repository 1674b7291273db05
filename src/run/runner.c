#include "run/runner.h"
#include "run/degenerate.h"
#include "run/request.h"
#include "run/scheduler.h"
#include "net/http.h"
#include "sandbox/pool.h"
#include "sandbox/lang.h"
#include "sandbox/sandbox.h"
#include "score/score.h"
#include "stats/stats.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* What the consumer thread needs to score and store one finished job. */
struct job_meta {
    const struct suite_item *item;
    int rep;
    struct built_request built;
};

struct batch {
    struct store *st;
    const struct score_context *score_ctx;
    const char *run_id;
    int64_t config_id;
    int64_t suite_id;
    const struct suite *suite;
    const char *config_label;
    struct sched_job *jobs;
    struct job_meta *meta;
    size_t n_jobs;
    volatile sig_atomic_t *stop;
    int store_failed;
    struct bai_error store_err;
    /* figures for the closing row (consumer thread only) */
    double *gen_tps, *ttft_ms, *e2e_ms, *tpot_ms;
    size_t n_gen, n_ttft, n_e2e, n_tpot;
    size_t done, passed, pass_n, unparsed, errors, scored_n;
    double score_sum;
    int64_t first_send_ns, last_end_ns, completion_tokens;
    int64_t draft_n, draft_accepted;
    size_t ok, degenerate;
    const char *degenerate_why;
    /* incidents from the I/O thread, written after the batch */
    pthread_mutex_t incident_mu;
    char **incidents;
    size_t n_incidents, cap_incidents;
    int show_progress;
    int64_t last_progress_ns;
};

static void on_incident(void *ctx, const char *kind, const char *message)
{
    struct batch *b = ctx;
    pthread_mutex_lock(&b->incident_mu);
    XGROW(b->incidents, b->n_incidents + 1, b->cap_incidents);
    b->incidents[b->n_incidents++] = xasprintf("%s\x1f%s", kind, message);
    pthread_mutex_unlock(&b->incident_mu);
}

static void progress(struct batch *b, int final)
{
    if (!b->show_progress)
        return;
    int64_t now = clock_mono_ns();
    if (!final && now - b->last_progress_ns < 200000000LL)
        return;
    b->last_progress_ns = now;
    double tps = b->n_gen ? b->gen_tps[b->n_gen - 1] : 0;
    fprintf(stderr, "\r  %-28.28s %-18.18s %4zu/%-4zu  errors %zu  last %.1f tok/s%s",
            b->config_label, b->suite->name, b->done, b->n_jobs, b->errors, tps, final ? "\n" : "");
    fflush(stderr);
}

/* Consumer thread: score, then commit the sample with its score. */
static void on_job_done(void *ctx, struct sched_job *job)
{
    struct batch *b = ctx;
    struct job_meta *m = &b->meta[job - b->jobs];
    struct gen_response *r = &job->resp;
    if (b->store_failed)
        return;

    struct score_result res = { .passed = -1, .status = SCORE_ERROR };
    int have_score = 0;
    cJSON *tool_calls = NULL;
    /* speed items have no scorer ("none"): nothing to score, not an error */
    int scored_item = m->item->scorer && strcmp(m->item->scorer, "none") != 0;
    if (r->ok && scored_item) {
        tool_calls = r->tool_calls_json ? cJSON_Parse(r->tool_calls_json) : NULL;
        struct score_input in = {
            .item = m->item, .output = r->content ? r->content : "", .reasoning = r->reasoning,
            .tool_calls = tool_calls, .logprobs = r->probs,
        };
        /* The judge client and the sandbox pool's submit side are used
         * from this consumer thread only. */
        struct bai_error serr = {0};
        score_sample(&in, b->score_ctx, &res, &serr);
        if (res.status == SCORE_ERROR && !res.detail_json && serr.msg[0]) {
            cJSON *d = cJSON_CreateObject();
            cJSON_AddStringToObject(d, "error", serr.msg);
            char *s = cJSON_PrintUnformatted(d);
            res.detail_json = xstrdup(s);
            cJSON_free(s);
            cJSON_Delete(d);
        }
        have_score = 1;
    }

    double ttft = gen_ttft_ms(r), e2e = gen_e2e_ms(r), tpot = gen_tpot_ms(r);
    char *itl = gen_itl_json(r);
    struct store_sample s = {
        .run_id = b->run_id, .config_id = b->config_id, .suite_id = b->suite_id,
        .item_id = m->item->id, .rep = m->rep, .tier = m->item->tier,
        .status = r->ok ? "ok" : "error", .error = r->error,
        .output = r->content, .reasoning = r->reasoning, .finish_reason = r->finish_reason,
        .tool_calls_json = r->tool_calls_json,
        .t_start_s = clock_wall_s() - (double)(clock_mono_ns() - r->t_send_ns) / 1e9,
        .ttft_ms = ttft, .e2e_ms = e2e, .tpot_ms = tpot, .itl_ms_json = itl,
        .prompt_tokens = r->prompt_tokens, .completion_tokens = r->completion_tokens,
        .cached_tokens = r->cached_tokens, .prompt_ms = r->prompt_ms, .prompt_tps = r->prompt_tps,
        .gen_ms = r->gen_ms, .gen_tps = r->gen_tps, .draft_n = r->draft_n,
        .draft_accepted = r->draft_accepted, .timings_json = r->timings_json,
        .attempts = job->attempts, .warmup = 0,
    };
    struct store_score sc = {
        .scorer = m->item->scorer, .value = res.value, .passed = res.passed,
        .status = score_status_name(res.status), .extracted = res.extracted, .detail_json = res.detail_json,
    };
    if (store_sample_put(b->st, &s, have_score ? &sc : NULL, &b->store_err) < 0) {
        b->store_failed = 1;
        *b->stop = 1;       /* stop sending: nothing more could be kept */
    }
    free(itl);
    cJSON_Delete(tool_calls);

    b->done++;
    if (!r->ok) {
        b->errors++;
    } else {
        if (have_score && res.status == SCORE_UNPARSED)
            b->unparsed++;
        if (have_score && res.status == SCORE_ERROR)
            b->errors++;
        else if (have_score) {
            b->score_sum += res.value;
            b->scored_n++;
        }
        if (have_score && res.passed >= 0) {
            b->pass_n++;
            b->passed += res.passed == 1;
        }
        if (r->gen_tps > 0)
            b->gen_tps[b->n_gen++] = r->gen_tps;
        if (ttft >= 0)
            b->ttft_ms[b->n_ttft++] = ttft;
        if (e2e >= 0)
            b->e2e_ms[b->n_e2e++] = e2e;
        if (tpot >= 0)
            b->tpot_ms[b->n_tpot++] = tpot;
        if (r->completion_tokens > 0)
            b->completion_tokens += r->completion_tokens;
        if (r->draft_n > 0) {
            b->draft_n += r->draft_n;
            b->draft_accepted += r->draft_accepted > 0 ? r->draft_accepted : 0;
        }
        b->ok++;
        const char *why = scored_item ? degenerate_reason(r->content) : NULL;
        if (why) {
            b->degenerate++;
            b->degenerate_why = why;
        }
        if (!b->first_send_ns || r->t_send_ns < b->first_send_ns)
            b->first_send_ns = r->t_send_ns;
        if (r->t_end_ns > b->last_end_ns)
            b->last_end_ns = r->t_end_ns;
    }
    score_result_free(&res);
    progress(b, 0);
}

static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 1099511628211ULL;
    }
    return h;
}

static struct run_result_row *add_row(struct run_result *res, const char *config, const char *suite,
                                      const char *status)
{
    XGROW(res->rows, res->n_rows + 1, res->cap_rows);
    struct run_result_row *row = &res->rows[res->n_rows++];
    memset(row, 0, sizeof *row);
    row->config = xstrdup(config);
    row->suite = xstrdup(suite);
    row->status = xstrdup(status);
    row->score_mean = row->gen_tps_p50 = row->ttft_p50_ms = row->e2e_p50_ms = NAN;
    row->aggregate_tps = row->acceptance = NAN;
    return row;
}


static void put_metric(struct batch *b, const char *name, double value, double lo, double hi, size_t n)
{
    if (isnan(value))
        return;
    struct bai_error ignored = {0};
    /* Metrics are derivable from the samples; failing to cache them loses nothing. */
    store_metric_put(b->st, b->run_id, b->config_id, b->suite_id, name, value, lo, hi, (int64_t)n, &ignored);
}

/* Stores p50, p95, p99, mean and sd of one timing (metric names
 * <name>_p50<unit>, ..., docs/metrics.md) and returns the median. */
static double put_distribution(struct batch *b, const char *name, const char *unit, double *v, size_t n)
{
    if (!n)
        return NAN;
    stats_sort(v, n);
    static const int pcts[] = { 50, 95, 99 };
    char key[64];
    for (size_t i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s_p%d%s", name, pcts[i], unit);
        put_metric(b, key, stats_percentile(v, n, pcts[i]), NAN, NAN, n);
    }
    double mean, sd;
    stats_mean_sd(v, n, &mean, &sd);
    snprintf(key, sizeof key, "%s_mean%s", name, unit);
    put_metric(b, key, mean, NAN, NAN, n);
    snprintf(key, sizeof key, "%s_sd%s", name, unit);
    put_metric(b, key, sd, NAN, NAN, n);
    return stats_percentile(v, n, 50);
}

/* Stores the figures of one finished (config, suite) batch and fills its row. */
static void finish_batch(struct batch *b, struct run_result_row *row)
{
    row->items_total = b->suite->n_items;
    row->samples = b->done;
    row->passed = b->passed;
    row->pass_n = b->pass_n;
    row->unparsed = b->unparsed;
    row->errors = b->errors;
    row->score_mean = b->scored_n ? b->score_sum / (double)b->scored_n : NAN;
    double lo, hi;
    if (b->pass_n) {
        stats_wilson((int64_t)b->passed, (int64_t)b->pass_n, 1.96, &lo, &hi);
        put_metric(b, "pass_rate", (double)b->passed / (double)b->pass_n, lo, hi, b->pass_n);
    }
    put_metric(b, "score_mean", row->score_mean, NAN, NAN, b->scored_n);
    row->gen_tps_p50 = put_distribution(b, "gen_tps", "", b->gen_tps, b->n_gen);
    row->ttft_p50_ms = put_distribution(b, "ttft", "_ms", b->ttft_ms, b->n_ttft);
    row->e2e_p50_ms = put_distribution(b, "e2e", "_ms", b->e2e_ms, b->n_e2e);
    put_distribution(b, "tpot", "_ms", b->tpot_ms, b->n_tpot);
    if (b->last_end_ns > b->first_send_ns && b->completion_tokens > 0) {
        row->aggregate_tps = (double)b->completion_tokens / ((double)(b->last_end_ns - b->first_send_ns) / 1e9);
        put_metric(b, "aggregate_tps", row->aggregate_tps, NAN, NAN, b->done);
    }
    if (b->draft_n > 0) {
        row->acceptance = (double)b->draft_accepted / (double)b->draft_n;
        put_metric(b, "acceptance", row->acceptance, NAN, NAN, (size_t)b->draft_n);
    }
    /* Mostly degenerate outputs mean a broken configuration (too few
     * experts, a bad quant), not a weak model: say so next to the score. */
    if (b->ok >= 3) {
        put_metric(b, "degenerate_rate", (double)b->degenerate / (double)b->ok, NAN, NAN, b->ok);
        if (b->degenerate * 2 > b->ok) {
            char *why = xasprintf("%zu of %zu outputs degenerate (%s)", b->degenerate, b->ok, b->degenerate_why);
            struct bai_error ignored = {0};
            store_incident_add(b->st, b->run_id, b->config_id, "degenerate", why, &ignored);
            struct store_config upd = { .status = "degenerate", .reason = why };
            store_config_update(b->st, b->config_id, &upd, &ignored);
            free(row->status);
            row->status = xasprintf("degenerate: %s", why);
            free(why);
        }
    }
    for (size_t i = 0; i < b->n_incidents; i++) {
        char *sep = strchr(b->incidents[i], '\x1f');
        *sep = '\0';
        struct bai_error ignored = {0};
        store_incident_add(b->st, b->run_id, b->config_id, b->incidents[i], sep + 1, &ignored);
        free(b->incidents[i]);
    }
    free(b->incidents);
    b->incidents = NULL;
    b->n_incidents = 0;
}

static char *item_key(const struct suite *s, const struct suite_item *it, int rep)
{
    return xasprintf("%s\x1f%s\x1f%d", s->name, it->id, rep);
}

/* Sends the (config, suite) items not stored yet. Returns -1 only when the
 * run must stop (store failure, unrecoverable server, interruption). */
static int run_suite(const struct run_options *o, const struct score_context *sctx, struct store *st,
                     const char *run_id, struct run_point *pt, int64_t config_id, struct backend *be,
                     const struct suite *suite, struct run_result *res, struct bai_error *err)
{
    struct bai_error e2 = {0};
    int64_t suite_id = store_suite_add(st, suite->name, suite->version, suite->hash, &e2);
    if (suite_id < 0 || store_suite_set_items(st, suite_id, (int64_t)suite->n_items, &e2) < 0) {
        *err = e2;
        return -1;
    }
    char other[65];
    /* Haystacks sized by the server's tokenizer differ per model by design:
     * a different hash there is not an edited suite. */
    const cJSON *method = suite->n_items ? cJSON_GetObjectItemCaseSensitive(suite->items[0].data, "token_count_method") : NULL;
    int tokenizer_sized = cJSON_IsString(method) && !strcmp(method->valuestring, "server_tokenize");
    if (!tokenizer_sized && store_suite_hash_conflict(st, suite->name, suite->version, suite->hash, other) == 1)
        log_warn("suite %s version %d changed (hash %.12s, stored runs have %.12s): bump its version; "
                 "item-by-item comparison with those runs is blocked unless forced",
                 suite->name, suite->version, suite->hash, other);

    size_t cap = suite->n_items * 4 + 4, n = 0;
    struct sched_job *jobs = xcalloc(cap, sizeof *jobs);
    struct job_meta *meta = xcalloc(cap, sizeof *meta);
    size_t limit = o->cfg->limit > 0 && (size_t)o->cfg->limit < suite->n_items ? (size_t)o->cfg->limit : suite->n_items;
    const char *model_name = pt->backend.model_name;
    size_t items_run = 0;
    for (size_t i = 0; i < limit; i++) {
        const struct suite_item *it = &suite->items[i];
        if (o->cfg->shard_n > 0 && fnv1a(it->id) % (uint64_t)o->cfg->shard_n != (uint64_t)(o->cfg->shard_i - 1))
            continue;
        items_run++;
        int reps = o->cfg->reps > 0 ? o->cfg->reps : pt->reps > 0 ? pt->reps : (it->reps > 0 ? it->reps : 1);
        for (int rep = 0; rep < reps; rep++) {
            int exists = store_sample_exists(st, run_id, config_id, suite_id, it->id, rep);
            if (exists < 0) {
                bai_error_set(err, BAI_EXIT_STORE, "store: cannot read samples of run %s", run_id);
                goto fail;
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
            request_build(it, suite, o->cfg->stream, model_name, &meta[n].built);
            jobs[n].req = meta[n].built.req;
            jobs[n].key = item_key(suite, it, rep);
            gen_response_init(&jobs[n].resp);
            n++;
        }
    }

    struct batch b = {
        .st = st, .score_ctx = sctx, .run_id = run_id, .config_id = config_id, .suite_id = suite_id, .suite = suite,
        .config_label = pt->label, .jobs = jobs, .meta = meta, .n_jobs = n, .stop = o->stop,
        .show_progress = o->show_progress,
    };
    pthread_mutex_init(&b.incident_mu, NULL);
    b.gen_tps = xcalloc(n + 1, sizeof(double));
    b.ttft_ms = xcalloc(n + 1, sizeof(double));
    b.e2e_ms = xcalloc(n + 1, sizeof(double));
    b.tpot_ms = xcalloc(n + 1, sizeof(double));

    int concurrency = o->cfg->concurrency > 0 ? o->cfg->concurrency
                    : pt->concurrency > 0 ? pt->concurrency
                    : (pt->backend.kind == BACKEND_LLAMA_SERVER && pt->backend.server.np > 0 ? pt->backend.server.np : 1);
    struct sched_options so = {
        .concurrency = concurrency, .rate = o->cfg->rate, .seed = 42,
        .max_retries = o->cfg->retries, .stop = o->stop, .on_incident = on_incident,
    };
    struct sched_stats stats;
    int rc = 0;
    if (n > 0) {
        rc = sched_run(be, jobs, n, &so, on_job_done, &b, &stats, err);
        progress(&b, 1);
    }
    struct run_result_row *row = add_row(res, pt->label, suite->name, "ok");
    finish_batch(&b, row);
    row->items = items_run;
    if (b.store_failed) {
        *err = b.store_err;
        rc = -1;
    } else if (n > 0 && stats.stopped) {
        bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted");
        rc = -1;
    }
    pthread_mutex_destroy(&b.incident_mu);
    free(b.gen_tps);
    free(b.ttft_ms);
    free(b.e2e_ms);
    free(b.tpot_ms);
    for (size_t i = 0; i < n; i++) {
        request_free(&meta[i].built);
        gen_response_free(&jobs[i].resp);
        free((char *)jobs[i].key);
    }
    free(jobs);
    free(meta);
    return rc;
fail:
    for (size_t i = 0; i < n; i++) {
        request_free(&meta[i].built);
        free((char *)jobs[i].key);
    }
    free(jobs);
    free(meta);
    return -1;
}

static void discard_job(void *ctx, struct sched_job *job)
{
    (void)ctx;
    (void)job;
}

/* Warm-up requests after a start: the first requests after a start are
 * several times slower here, so they are sent, timed, recorded as an
 * incident of kind "warmup", and kept out of every figure. */
static void warm_up(const struct run_options *o, int warmup, struct store *st, const char *run_id,
                    int64_t config_id, struct backend *be, const struct suite *first_suite)
{
    if (warmup <= 0 || !first_suite || first_suite->n_items == 0)
        return;
    for (int i = 0; i < warmup; i++) {
        struct built_request br;
        request_build(&first_suite->items[0], first_suite, o->cfg->stream, NULL, &br);
        br.req.max_tokens = br.req.max_tokens < 16 ? br.req.max_tokens : 16;
        struct sched_job job = { .req = br.req, .key = "warmup" };
        gen_response_init(&job.resp);
        struct sched_options so = { .concurrency = 1, .max_retries = 1, .stop = o->stop };
        struct sched_stats stats;
        struct bai_error e = {0};
        if (backend_is_http(be)) {
            sched_run(be, &job, 1, &so, discard_job, NULL, &stats, &e);
            char msg[256];
            snprintf(msg, sizeof msg, "warm-up request %d: %s, %.1f ms, excluded from figures", i + 1,
                     job.resp.ok ? "ok" : (job.resp.error ? job.resp.error : "error"), gen_e2e_ms(&job.resp));
            store_incident_add(st, run_id, config_id, "warmup", msg, &e);
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

/* Token counts of generated haystacks from the server's own tokenizer. */
static int tokenize_count(void *ctx, const char *text, struct bai_error *err)
{
    const char *base_url = ctx;
    cJSON *body = cJSON_CreateObject();
    cJSON_AddStringToObject(body, "content", text);
    char *json = cJSON_PrintUnformatted(body);
    cJSON_Delete(body);
    char *url = xasprintf("%s/tokenize", base_url);
    long status = 0;
    char *answer = NULL;
    int n = -1;
    if (http_request_sync("POST", url, json, NULL, 120000, &status, &answer, err) == 0 && status == 200) {
        cJSON *a = cJSON_Parse(answer);
        const cJSON *tokens = cJSON_GetObjectItemCaseSensitive(a, "tokens");
        if (cJSON_IsArray(tokens))
            n = cJSON_GetArraySize(tokens);
        cJSON_Delete(a);
    }
    if (n < 0 && !err->msg[0])
        bai_error_set(err, BAI_EXIT_BACKEND, "%s: HTTP %ld", url, status);
    cJSON_free(json);
    free(url);
    free(answer);
    return n;
}

/* A generated suite was sized with the chars/4 estimate because suites load
 * before any server is up. With a llama-server running, it is generated
 * again, sized by that model's tokenizer (its hash then records that), so
 * "a 32K haystack" means 32K tokens of the model under test. NULL when
 * nothing needs recounting or the server cannot tokenize (the estimate,
 * recorded in each item, stays). */
static struct suite *recount_with_server(const struct suite *s, const char *base_url)
{
    if (!s->path || s->n_items == 0)
        return NULL;
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(s->items[0].data, "token_count_method");
    if (!cJSON_IsString(method) || strncmp(method->valuestring, "estimate", 8) != 0)
        return NULL;
    struct suite_load_options opts = { .count_tokens = tokenize_count, .count_tokens_ctx = (void *)base_url };
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
    return pt->suite_idx ? pt->n_suite_idx : o->n_suites;
}

static const struct suite *point_suite(const struct run_options *o, const struct run_point *pt, size_t i)
{
    return o->suites[pt->suite_idx ? pt->suite_idx[i] : i];
}

static int run_point(const struct run_options *o, const struct score_context *sctx, struct store *st,
                     const char *run_id, struct run_point *pt, struct run_result *res, struct bai_error *err)
{
    struct store_config cfg = {
        .label = pt->label, .backend = backend_kind_name(pt->backend.kind), .model = pt->model,
        .draft = pt->draft, .params_json = pt->params_json,
    };
    int64_t config_id = store_config_add(st, run_id, &cfg, err);
    if (config_id < 0)
        return -1;
    if (pt->skip_reason) {
        struct store_config upd = { .status = "skipped", .reason = pt->skip_reason };
        store_config_update(st, config_id, &upd, err);
        for (size_t s = 0; s < point_n_suites(o, pt); s++) {
            char *status = xasprintf("skipped: %s", pt->skip_reason);
            add_row(res, pt->label, point_suite(o, pt, s)->name, status);
            free(status);
        }
        log_info("%s: skipped (%s)", pt->label, pt->skip_reason);
        return 0;
    }
    char *clean = sanitize(pt->label);
    char *log_path = xasprintf("%s/%s/%s.log", o->cfg->logs ? o->cfg->logs : "results/logs", run_id, clean);
    free(clean);
    struct backend_config bc = pt->backend;
    bc.server.log_path = log_path;
    bc.server.cancel = o->stop;
    if (bc.kind == BACKEND_REPLAY && !bc.replay_store)
        bc.replay_store = st;
    struct backend be;
    struct bai_error start_err = {0};
    log_info("%s: starting %s", pt->label, backend_kind_name(bc.kind));
    if (backend_start(&be, &bc, &start_err) != 0) {
        struct store_config upd = { .status = "failed", .reason = start_err.msg };
        struct bai_error ignored = {0};
        store_config_update(st, config_id, &upd, &ignored);
        store_incident_add(st, run_id, config_id, "start_failed", start_err.msg, &ignored);
        for (size_t s = 0; s < point_n_suites(o, pt); s++)
            add_row(res, pt->label, point_suite(o, pt, s)->name, "failed: backend did not start");
        free(log_path);
        if (o->n_points == 1 || start_err.exit_code == BAI_EXIT_INTERRUPTED) {
            *err = start_err;
            return -1;
        }
        log_warn("%s: %s", pt->label, start_err.msg);
        return 0;        /* the plan goes on */
    }
    cJSON *desc = backend_describe(&be);
    char *desc_json = cJSON_PrintUnformatted(desc);
    struct store_config upd = {
        .status = "ok",
        .server_argv = be.server ? llama_server_command_line(be.server) : NULL,
        .server_build = be.server ? llama_server_build(be.server) : NULL,
        .props_json = desc_json,
    };
    int rc = store_config_update(st, config_id, &upd, err);
    if (rc == 0 && be.server && llama_server_build(be.server))
        store_run_set_llama_build(st, run_id, llama_server_build(be.server), err);
    cJSON_free(desc_json);
    cJSON_Delete(desc);
    int warmup = pt->warmup >= 0 ? pt->warmup : o->cfg->warmup;
    if (rc == 0)
        warm_up(o, warmup, st, run_id, config_id, &be, point_n_suites(o, pt) ? point_suite(o, pt, 0) : NULL);
    for (size_t s = 0; rc == 0 && s < point_n_suites(o, pt); s++) {
        if (*o->stop) {
            bai_error_set(err, BAI_EXIT_INTERRUPTED, "interrupted");
            rc = -1;
            break;
        }
        struct suite *counted = be.cfg.kind == BACKEND_LLAMA_SERVER
                                  ? recount_with_server(point_suite(o, pt, s), be.base_url) : NULL;
        rc = run_suite(o, sctx, st, run_id, pt, config_id, &be, counted ? counted : point_suite(o, pt, s), res, err);
        suite_free(counted);
    }
    backend_stop(&be);
    free(log_path);
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
static struct sandbox_pool *open_sandbox(const struct run_options *o, struct bai_error *err)
{
    struct sandbox_options so = { .mode = o->cfg->sandbox_rlimits ? SANDBOX_MODE_RLIMITS : SANDBOX_MODE_FULL,
                                  .uid = 65534, .gid = 65534 };
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

int runner_run(const struct run_options *o_in, struct run_result *res, struct bai_error *err)
{
    struct run_options o = *o_in;
    struct score_context sctx = { .judge = o.judge };
    struct sandbox_pool *pool = NULL;
    if (needs_sandbox(&o)) {
        pool = open_sandbox(&o, err);
        if (!pool) {
            memset(res, 0, sizeof *res);
            return -1;
        }
        sctx.sandbox = pool;
        log_info("code is scored in the sandbox (mode %s)", o.cfg->sandbox_rlimits ? "rlimits" : "full");
    }
    static volatile sig_atomic_t private_stop;
    if (!o.stop)
        o.stop = &private_stop;
    memset(res, 0, sizeof *res);
    struct store *st = store_open(run_config_store(o.cfg), err);
    if (!st)
        return -1;
    if (o.resume_run_id) {
        if (store_resolve_run(st, o.resume_run_id, res->run_id, err) != 0 ||
            store_run_set_status(st, res->run_id, "running", err) != 0) {
            store_close(st);
            return -1;
        }
    } else {
        char *host = store_host_json();
        char shard[32] = "";
        if (o.cfg->shard_n > 0)
            snprintf(shard, sizeof shard, "%d/%d", o.cfg->shard_i, o.cfg->shard_n);
        struct store_run_meta meta = {
            .host_json = host, .plan_json = o.plan_json, .note = o.cfg->note, .tags = (const char *const *)o.cfg->tags,
            .n_tags = o.cfg->n_tags, .shard = o.cfg->shard_n > 0 ? shard : NULL, .run_id = o.cfg->run_id,
        };
        int rc = store_run_create(st, &meta, res->run_id, err);
        free(host);
        if (rc != 0) {
            store_close(st);
            return -1;
        }
    }
    log_info("run %s (store %s)", res->run_id, run_config_store(o.cfg));
    int rc = 0;
    int64_t t_start = clock_mono_ns();
    for (size_t p = 0; rc == 0 && p < o.n_points; p++) {
        double elapsed_s = (double)(clock_mono_ns() - t_start) / 1e9;
        if (o.time_budget_s > 0 && elapsed_s > o.time_budget_s && !o.points[p].skip_reason) {
            /* The plan's time budget is spent: the remaining points are
             * recorded as skipped, so the run still ends with a table. */
            o.points[p].skip_reason = xasprintf("time budget of %.0f s spent", o.time_budget_s);
            rc = run_point(&o, &sctx, st, res->run_id, &o.points[p], res, err);
            free(o.points[p].skip_reason);
            o.points[p].skip_reason = NULL;
            continue;
        }
        rc = run_point(&o, &sctx, st, res->run_id, &o.points[p], res, err);
    }

    const char *status = "done";
    if (rc != 0)
        status = (err->exit_code == BAI_EXIT_INTERRUPTED || err->exit_code == BAI_EXIT_STORE) ? "interrupted" : "failed";
    res->status = xstrdup(status);
    struct bai_error e2 = {0};
    if (store_run_set_status(st, res->run_id, status, &e2) != 0 && rc == 0) {
        *err = e2;
        rc = -1;
    }
    store_close(st);
    if (pool)
        sandbox_pool_free(pool);
    return rc;
}

void run_result_free(struct run_result *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        free(r->rows[i].config);
        free(r->rows[i].suite);
        free(r->rows[i].status);
    }
    free(r->rows);
    free(r->status);
    memset(r, 0, sizeof *r);
}

static void fmt_num(char *out, size_t size, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else
        snprintf(out, size, fmt, v);
}

void run_result_print(const struct run_result *r, FILE *out)
{
    /* the config column is as wide as the longest label, so sweep points
     * that differ only at the end stay apart */
    int w = 6;
    for (size_t i = 0; i < r->n_rows; i++)
        if ((int)strlen(r->rows[i].config) > w)
            w = (int)strlen(r->rows[i].config);
    if (w > 60)
        w = 60;
    fprintf(out, "\nrun %s: %s\n\n", r->run_id, r->status ? r->status : "?");
    fprintf(out, "| %-*s | %-18s | %10s | %6s | %6s | %8s | %6s | %9s | %9s | %s\n", w, "config", "suite", "items",
            "passed", "score", "unparsed", "errors", "gen tok/s", "TTFT p50", "status");
    fprintf(out, "|%.*s|--------------------|------------|--------|--------|----------|--------|-----------|-----------|-------\n",
            w + 2, "--------------------------------------------------------------------------");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct run_result_row *row = &r->rows[i];
        char items[48], passed[32], score[32], tps[32], ttft[32];
        /* items run, and of how many when --limit, --shard or a stop cut it */
        if (row->items_total > row->items)
            snprintf(items, sizeof items, "%zu of %zu", row->items, row->items_total);
        else
            snprintf(items, sizeof items, "%zu", row->items);
        if (row->pass_n)
            snprintf(passed, sizeof passed, "%zu/%zu", row->passed, row->pass_n);
        else
            snprintf(passed, sizeof passed, "-");
        fmt_num(score, sizeof score, row->score_mean * 100, "%.1f%%");
        fmt_num(tps, sizeof tps, row->gen_tps_p50, "%.1f");
        fmt_num(ttft, sizeof ttft, row->ttft_p50_ms, "%.1f ms");
        fprintf(out, "| %-*.*s | %-18.18s | %10s | %6s | %6s | %8zu | %6zu | %9s | %9s | %s\n", w, w, row->config,
                row->suite, items, passed, score, row->unparsed, row->errors, tps, ttft, row->status);
    }
}
