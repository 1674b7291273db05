/* consume.c - the consumer side of one (config, suite) batch (run_int.h):
 * each finished request is scored and committed with its score in one
 * transaction as soon as it finishes, then counted for the closing row and
 * the progress report. Runs on the scheduler's consumer thread, so slow
 * scoring (code in the sandbox, a judge) never delays a request's
 * timestamps; incidents seen on the I/O thread wait in a queue. */
#include "run/run_int.h"
#include "run/progress.h"
#include "run/degenerate.h"
#include "score/score.h"
#include "util/clock.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void run_batch_init(struct batch *b)
{
    pthread_mutex_init(&b->incident_mu, NULL);
    b->gen_tps = xcalloc(b->n_jobs + 1, sizeof(double));
    b->ttft_ms = xcalloc(b->n_jobs + 1, sizeof(double));
    b->e2e_ms = xcalloc(b->n_jobs + 1, sizeof(double));
}

void run_batch_free(struct batch *b)
{
    pthread_mutex_destroy(&b->incident_mu);
    for (size_t i = 0; i < b->n_incidents; i++)
        free(b->incidents[i]);
    free(b->incidents);
    free(b->gen_tps);
    free(b->ttft_ms);
    free(b->e2e_ms);
    b->incidents = NULL;
    b->n_incidents = 0;
    b->gen_tps = b->ttft_ms = b->e2e_ms = NULL;
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
    struct score_input in = {
        .item = m->item, .output = r->content ? r->content : "", .reasoning = r->reasoning,
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

/* Adds one stored sample to the batch's counts and figure vectors. */
static void count(struct batch *b, const struct job_meta *m, const struct gen_response *r, int have_score,
                  const struct score_result *res, double ttft, double e2e)
{
    b->done++;
    if (!r->ok) {
        b->errors++;
        return;
    }
    if (have_score && res->status == SCORE_UNPARSED)
        b->unparsed++;
    if (have_score && res->status == SCORE_ERROR)
        b->errors++;
    else if (have_score) {
        b->score_sum += res->value;
        b->scored_n++;
    }
    if (have_score && res->passed >= 0) {
        b->pass_n++;
        b->passed += res->passed == 1;
    }
    if (r->gen_tps > 0)
        b->gen_tps[b->n_gen++] = r->gen_tps;
    if (ttft >= 0)
        b->ttft_ms[b->n_ttft++] = ttft;
    if (e2e >= 0)
        b->e2e_ms[b->n_e2e++] = e2e;
    if (r->completion_tokens > 0)
        b->completion_tokens += r->completion_tokens;
    if (r->draft_n > 0) {
        b->draft_n += r->draft_n;
        b->draft_accepted += r->draft_accepted > 0 ? r->draft_accepted : 0;
    }
    b->ok++;
    int scored_item = m->item->scorer && strcmp(m->item->scorer, "none") != 0;
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

void run_batch_job_done(void *ctx, struct sched_job *job)
{
    struct batch *b = ctx;
    struct job_meta *m = &b->meta[job - b->jobs];
    struct gen_response *r = &job->resp;
    if (b->store_failed)
        return;

    struct score_result res = { .passed = -1, .status = SCORE_ERROR };
    int have_score = score_answer(b, m, r, &res);
    double ttft = gen_ttft_ms(r), e2e = gen_e2e_ms(r), tpot = gen_tpot_ms(r);
    char *itl = gen_itl_json(r);
    char *flags = gen_text_flags_text(r->text_flags);
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
        .attempts = job->attempts, .warmup = 0, .flags = flags,
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
    free(flags);
    count(b, m, r, have_score, &res, ttft, e2e);
    progress_sample(b->progress, b->progress_slot, have_score ? res.passed : -1,
                    !r->ok || (have_score && res.status == SCORE_ERROR), r->ok ? r->gen_tps : 0);
    score_result_free(&res);
    /* Stored and counted: the scheduler never touches a finished job again,
     * so its answer and request go now, not at the end of the batch (a
     * 20,000-request batch otherwise held every answer: ~1.4 kB each). */
    gen_response_free(r);
    request_free(&m->built);
}
