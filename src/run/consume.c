/* consume.c - the consumer side of one (config, suite) batch (run_int.h):
 * each finished request is scored and committed with its score in one
 * transaction as soon as it finishes, then counted for the closing row and
 * the progress report. Runs on the scheduler's consumer thread, so slow
 * scoring (code in the sandbox, a judge) never delays a request's
 * timestamps; incidents seen on the I/O thread wait in a queue. */
#include "run/run_int.h"
#include "run/progress.h"
#include "run/degenerate.h"
#include "report/figures.h"
#include "score/score.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_batch_init(struct batch *b)
{
    pthread_mutex_init(&b->incident_mu, NULL);
}

void run_batch_free(struct batch *b)
{
    pthread_mutex_destroy(&b->incident_mu);
    for (size_t i = 0; i < b->n_incidents; i++)
        free(b->incidents[i]);
    free(b->incidents);
    b->incidents = NULL;
    b->n_incidents = 0;
}

void run_batch_incident(void *ctx, const char *kind, const char *message)
{
    struct batch *b = ctx;
    pthread_mutex_lock(&b->incident_mu);
    XGROW(b->incidents, b->n_incidents + 1, b->cap_incidents);
    b->incidents[b->n_incidents++] = xasprintf("%s\x1f%s", kind, message);
    pthread_mutex_unlock(&b->incident_mu);
}

void run_batch_write_incidents(struct batch *b)
{
    pthread_mutex_lock(&b->incident_mu);
    for (size_t i = 0; i < b->n_incidents; i++) {
        char *sep = strchr(b->incidents[i], '\x1f');
        *sep = '\0';
        struct bai_error ignored = {0};
        store_incident_add(b->st, b->run_id, b->config_id, b->incidents[i], sep + 1, &ignored);
        free(b->incidents[i]);
    }
    b->n_incidents = 0;
    pthread_mutex_unlock(&b->incident_mu);
}

/* Scores one answer. 1 when the item has a scorer (res filled), 0 for
 * speed items (scorer "none") and failed requests. */
static int score_answer(const struct batch *b, const struct job_meta *m, const struct gen_response *r,
                        struct score_result *res)
{
    int scored_item = m->item->scorer && strcmp(m->item->scorer, "none") != 0;
    if (!r->ok || !scored_item)
        return 0;
    cJSON *tool_calls = r->tool_calls_json ? cJSON_Parse(r->tool_calls_json) : NULL;
    struct score_item item = suite_item_for_score(m->item);
    struct score_input in = {
        .item = &item, .output = r->content ? r->content : "", .reasoning = r->reasoning,
        .tool_calls = tool_calls, .logprobs = r->probs,
    };
    /* The judge client and the sandbox pool's submit side are used from
     * this consumer thread only. */
    struct bai_error serr = {0};
    score_sample(&in, b->score_ctx, res, &serr);
    if (res->status == SCORE_ERROR && !res->detail_json && serr.msg[0]) {
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "error", serr.msg);
        char *s = cJSON_PrintUnformatted(d);
        res->detail_json = xstrdup(s);
        cJSON_free(s);
        cJSON_Delete(d);
    }
    cJSON_Delete(tool_calls);
    return 1;
}

/* Adds one stored sample to what the batch itself needs (the degenerate
 * verdict); the closing figures are read from the store at the end. */
static void count(struct batch *b, const struct job_meta *m, const struct gen_response *r)
{
    b->done++;
    if (!r->ok) {
        b->errors++;
        return;
    }
    b->ok++;
    int scored_item = m->item->scorer && strcmp(m->item->scorer, "none") != 0;
    const char *why = scored_item ? degenerate_reason(r->content) : NULL;
    if (why) {
        b->degenerate++;
        b->degenerate_why = why;
    }
}

/* A sample whose server served most of its prompt from the cache: its
 * TTFT and prompt tok/s measure the cache. Flagged on the sample always;
 * said once per configuration on stderr and as an incident, with what the
 * user can do about it. */
static void warn_cache_hit(struct batch *b, const struct job_meta *m, const struct gen_response *r)
{
    if (!b->cache_warned_config || *b->cache_warned_config == b->config_id)
        return;
    *b->cache_warned_config = b->config_id;
    const char *mode = b->prompt_cache ? b->prompt_cache : "off";
    const char *hint;
    if (!strcmp(mode, "on"))
        hint = "--prompt-cache on leaves the cache alone";
    else if (!strcmp(mode, "unique-prefix"))
        hint = "even with a unique first line per request; turn the server's prefix cache off "
               "(vLLM --no-enable-prefix-caching, SGLang --disable-radix-cache)";
    else if (b->backend_llama)
        hint = "although cache_prompt:false was sent";
    else
        hint = "this server cannot be asked per request: --prompt-cache unique-prefix sends a unique "
               "first line on each request, or turn the server's prefix cache off";
    char *msg = xasprintf("suite %s item %s: the server served %lld of %lld prompt tokens from its "
                          "prompt cache, so TTFT and prompt tok/s measure the cache (such samples are "
                          "flagged cache_hit; benchai show counts them); %s",
                          b->suite->name, m->item->id, (long long)r->cached_tokens,
                          (long long)r->prompt_tokens, hint);
    log_warn("%s: %s", b->config_label, msg);
    run_batch_incident(b, "prompt_cache", msg);
    free(msg);
}

void run_batch_job_done(void *ctx, struct sched_job *job)
{
    struct batch *b = ctx;
    struct job_meta *m = &b->meta[job - b->jobs];
    struct gen_response *r = &job->resp;
    if (b->store_failed)
        return;

    gen_speed_complete(r);
    int cache_hit = r->ok ? gen_prompt_cache_hit(r) : -1;
    if (cache_hit == 1)
        warn_cache_hit(b, m, r);
    struct score_result res = { .passed = -1, .status = SCORE_ERROR };
    int have_score = score_answer(b, m, r, &res);
    int scored_item = m->item->scorer && strcmp(m->item->scorer, "none") != 0;
    char *failed_detail = NULL;
    if (!r->ok && scored_item) {
        /* A request that failed is a failure of its item: stored as such
         * (worth 0, not scored), so every report counts it without knowing
         * the suite (docs/metrics.md). */
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "reason", r->timed_out ? "the request timed out; the answer was not scored"
                                                          : "the request failed; nothing was scored");
        failed_detail = cJSON_PrintUnformatted(d);
        cJSON_Delete(d);
    }
    double ttft = gen_ttft_ms(r), e2e = gen_e2e_ms(r), tpot = gen_tpot_ms(r);
    char *itl = gen_itl_json(r);
    char *flags = gen_text_flags_text(r->text_flags);
    struct store_sample s = {
        .run_id = b->run_id, .config_id = b->config_id, .suite_id = b->suite_id,
        .item_id = m->item->id, .rep = m->rep, .tier = m->item->tier,
        .status = r->ok ? "ok" : r->timed_out ? "timeout" : "error", .error = r->error,
        .output = r->content, .reasoning = r->reasoning, .finish_reason = r->finish_reason,
        .tool_calls_json = r->tool_calls_json,
        .t_start_s = clock_wall_s() - (double)(clock_mono_ns() - r->t_send_ns) / 1e9,
        .ttft_ms = ttft, .e2e_ms = e2e, .tpot_ms = tpot, .itl_ms_json = itl,
        .prompt_tokens = r->prompt_tokens, .completion_tokens = r->completion_tokens,
        .cached_tokens = r->cached_tokens, .prompt_ms = r->prompt_ms, .prompt_tps = r->prompt_tps,
        .gen_ms = r->gen_ms, .gen_tps = r->gen_tps, .draft_n = r->draft_n,
        .draft_accepted = r->draft_accepted, .timings_json = r->timings_json,
        .attempts = job->attempts, .warmup = 0,
        .speed_source = gen_speed_source_name(r->speed_source), .cache_hit = cache_hit == 1,
        .cache_bypass = b->cache_bypass, .prompt_prefix = m->built.prompt_prefix, .flags = flags,
    };
    struct store_score sc = {
        .scorer = score_stored_name(b->score_ctx, m->item->scorer), .value = res.value, .passed = res.passed,
        .status = score_status_name(res.status), .extracted = res.extracted, .detail_json = res.detail_json,
    };
    if (failed_detail) {
        sc = (struct store_score){ .scorer = sc.scorer, .value = 0, .passed = 0, .status = "failed",
                                   .detail_json = failed_detail };
    }
    if (store_sample_put(b->st, &s, have_score || failed_detail ? &sc : NULL, &b->store_err) < 0) {
        b->store_failed = 1;
        *b->stop = 1;       /* stop sending: nothing more could be kept */
    }
    free(itl);
    free(flags);
    cJSON_free(failed_detail);
    count(b, m, r);
    /* the live line's score counts the sample as every report does */
    enum report_outcome oc = !r->ok ? (r->timed_out ? REPORT_TIMEOUT : REPORT_ERROR)
                           : res.status == SCORE_UNPARSED ? REPORT_UNPARSED
                           : res.status == SCORE_ERROR ? REPORT_SCORE_ERROR : REPORT_SCORED;
    double worth = 0;
    int pass;
    int counted = (have_score || failed_detail) &&
                  report_sample_worth(oc, score_graded(m->item->scorer) == 1, res.value, res.passed, 0, &worth, &pass);
    progress_sample(b->progress, b->progress_slot, counted, worth,
                    !r->ok || (have_score && res.status == SCORE_ERROR), r->ok ? r->gen_tps : 0);
    score_result_free(&res);
    /* Stored and counted: the scheduler never touches a finished job again,
     * so its answer and request go now, not at the end of the batch (a
     * 20,000-request batch otherwise held every answer: ~1.4 kB each). */
    gen_response_free(r);
    request_free(&m->built);
}
