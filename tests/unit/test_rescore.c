/* test_rescore.c - the judge client against a fake OpenAI endpoint on
 * loopback (tests/helpers/fake_openai.c) and `rescore` on stores built
 * with the store API. Expected values: judge scores are the fake judge's
 * "SCORE: n" / 100 (judge.c's documented scale); exact scores of the
 * fixture answers were worked out by hand from the suite's normalisation
 * (strip, lower, collapse spaces, strip punctuation). */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "fake_openai.h"
#include "harness.h"
#include "run/judge_client.h"
#include "run/rescore.h"
#include "score/judge.h"
#include "store/store.h"
#include "suite/suite.h"
#include "util/mem.h"

#define JUDGE_SUITE "tests/data/rescore/rescore_judge.yaml"
#define EXACT_SUITE "tests/data/rescore/rescore_exact.yaml"

static struct fake_openai *fake;

static void start_fake(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake, "fake server did not start");
}

static void stop_fake(void)
{
    fake_openai_stop(fake);
    fake = NULL;
}

static struct judge *open_judge(void)
{
    struct judge_options jo = { .url = fake_openai_url(fake), .model = "judge-test", .backoff_ms = 1 };
    struct judge *j = NULL;
    struct bai_error err = {0};
    cr_assert_eq(judge_client_open(&jo, &j, &err), 0, "%s", err.msg);
    return j;
}

/* ---- store fixtures --------------------------------------------------------- */

static char *store_file(void)
{
    char *dir = harness_tempdir();
    char *p = xasprintf("%s/rescore.db", dir);
    free(dir);
    return p;
}

static void suite_hash(const char *path, char out[65])
{
    struct bai_error err = {0};
    struct suite *s = suite_load(path, NULL, &err);
    cr_assert_not_null(s, "%s", err.msg);
    memcpy(out, s->hash, 65);
    suite_free(s);
}

struct fx_run {
    char id[STORE_RUN_ID_MAX];
    int64_t config_id, suite_id;
};

static void fx_run(struct store *st, const char *label, const char *suite, int version, const char *sha,
                   struct fx_run *r)
{
    struct bai_error err = {0};
    struct store_run_meta meta = { .plan_json = "{}", .note = label };
    cr_assert_eq(store_run_create(st, &meta, r->id, &err), 0, "%s", err.msg);
    struct store_config cfg = { .label = label, .backend = "openai", .model = label };
    r->config_id = store_config_add(st, r->id, &cfg, &err);
    cr_assert_gt(r->config_id, 0, "%s", err.msg);
    r->suite_id = store_suite_add(st, suite, version, sha, &err);
    cr_assert_gt(r->suite_id, 0, "%s", err.msg);
}

/* A sample as the runner stores it; score may be NULL. Returns its id. */
static int64_t fx_sample(struct store *st, const struct fx_run *r, const char *item, int rep, const char *output,
                         const char *status, int warmup, const struct store_score *score)
{
    struct bai_error err = {0};
    struct store_sample s = {
        .run_id = r->id, .config_id = r->config_id, .suite_id = r->suite_id, .item_id = item, .rep = rep,
        .status = status, .output = output, .ttft_ms = -1, .e2e_ms = -1, .tpot_ms = -1, .prompt_tokens = -1,
        .completion_tokens = -1, .cached_tokens = -1, .prompt_ms = -1, .prompt_tps = -1, .gen_ms = -1,
        .gen_tps = -1, .draft_n = -1, .draft_accepted = -1, .attempts = 1, .warmup = warmup,
        .error = strcmp(status, "ok") ? "HTTP 500" : NULL,
    };
    int64_t id = store_sample_put(st, &s, score, &err);
    cr_assert_gt(id, 0, "%s", err.msg);
    return id;
}

static const struct store_score no_judge = {
    .scorer = "judge", .value = 0, .passed = -1, .status = "error",
    .detail_json = "{\"reason\":\"no judge model configured\"}",
};

/* value, status and detail of (sample, scorer); status NULL when absent. */
struct got {
    double value;
    int passed;
    char status[16];
    char *detail;
};

static int got_score(const char *db_path, int64_t sample_id, const char *scorer, struct got *g)
{
    sqlite3 *db;
    cr_assert_eq(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *q;
    cr_assert_eq(sqlite3_prepare_v2(db, "SELECT value, passed, status, detail_json FROM scores"
                                        " WHERE sample_id = ?1 AND scorer = ?2", -1, &q, NULL), SQLITE_OK);
    sqlite3_bind_int64(q, 1, sample_id);
    sqlite3_bind_text(q, 2, scorer, -1, SQLITE_STATIC);
    int found = sqlite3_step(q) == SQLITE_ROW;
    memset(g, 0, sizeof *g);
    if (found) {
        g->value = sqlite3_column_double(q, 0);
        g->passed = sqlite3_column_int(q, 1);
        snprintf(g->status, sizeof g->status, "%s", (const char *)sqlite3_column_text(q, 2));
        const unsigned char *d = sqlite3_column_text(q, 3);
        g->detail = d ? xstrdup((const char *)d) : NULL;
    }
    sqlite3_finalize(q);
    sqlite3_close(db);
    return found;
}

static long long count_scores(const char *db_path)
{
    return harness_sql_int(db_path, "SELECT count(*) FROM scores");
}

/* The name a judge's scores are stored under (score_judge_key), for the
 * judge open_judge makes and a number of peers. */
static const char *jkey(const char *model, int peers)
{
    static char buf[4][128];
    static int next;
    char *k = score_judge_key(model, peers);
    char *out = buf[next++ % 4];
    snprintf(out, 128, "%s", k);
    free(k);
    return out;
}

/* ---- judge client -------------------------------------------------------------- */

TestSuite(rescore, .init = start_fake, .fini = stop_fake, .timeout = 60);

Test(rescore, judge_client_returns_the_answer_text)
{
    fake_openai_set_reply(fake, "Reasoning...\nSCORE: 85");
    struct judge *j = open_judge();
    cr_assert_str_eq(j->model, "judge-test");
    char *answer = NULL;
    struct bai_error err = {0};
    cr_assert_eq(j->complete(j->ctx, "SYSTEM-TEXT", "USER-PROMPT-TEXT", &answer, &err), 0, "%s", err.msg);
    cr_assert_str_eq(answer, "Reasoning...\nSCORE: 85");
    free(answer);
    cr_assert_eq(fake_openai_chat_requests(fake), 1);
    /* what was sent: both messages, temperature 0, not streamed, the model name */
    char *body = fake_openai_body(fake, 0);
    cJSON *b = cJSON_Parse(body);
    cr_assert_not_null(b);
    cr_assert_str_eq(cJSON_GetObjectItem(b, "model")->valuestring, "judge-test");
    cr_assert_eq(cJSON_GetObjectItem(b, "temperature")->valuedouble, 0.0);
    cr_assert_eq(cJSON_GetObjectItem(b, "max_tokens")->valueint, 512);
    cr_assert(!cJSON_IsTrue(cJSON_GetObjectItem(b, "stream")));
    const cJSON *msgs = cJSON_GetObjectItem(b, "messages");
    cr_assert_eq(cJSON_GetArraySize(msgs), 2);
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 0), "content")->valuestring, "SYSTEM-TEXT");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(msgs, 1), "content")->valuestring, "USER-PROMPT-TEXT");
    cJSON_Delete(b);
    free(body);
    /* the same prompt again is the scorer's retry: no longer temperature 0 */
    cr_assert_eq(j->complete(j->ctx, "SYSTEM-TEXT", "USER-PROMPT-TEXT", &answer, &err), 0, "%s", err.msg);
    free(answer);
    body = fake_openai_body(fake, 1);
    b = cJSON_Parse(body);
    cr_assert_gt(cJSON_GetObjectItem(b, "temperature")->valuedouble, 0.0);
    cJSON_Delete(b);
    free(body);
    judge_client_close(j);
}

Test(rescore, judge_client_retries_429_and_5xx_but_not_4xx)
{
    fake_openai_set_reply(fake, "SCORE: 40");
    struct judge *j = open_judge();
    char *answer = NULL;
    struct bai_error err = {0};
    fake_openai_fail_next(fake, 1, 429);
    cr_assert_eq(j->complete(j->ctx, "s", "p1", &answer, &err), 0, "%s", err.msg);
    free(answer);
    cr_assert_eq(fake_openai_chat_requests(fake), 2);
    fake_openai_fail_next(fake, 2, 503);
    cr_assert_eq(j->complete(j->ctx, "s", "p2", &answer, &err), 0, "%s", err.msg);
    cr_assert_str_eq(answer, "SCORE: 40");
    free(answer);
    cr_assert_eq(fake_openai_chat_requests(fake), 5);
    /* a 400 is the request's fault: one attempt, backend error */
    fake_openai_fail_next(fake, 1, 400);
    answer = NULL;
    cr_assert_eq(j->complete(j->ctx, "s", "p3", &answer, &err), -1);
    cr_assert_null(answer);
    cr_assert_eq(err.exit_code, BAI_EXIT_BACKEND);
    cr_assert(strstr(err.msg, "HTTP 400"), "%s", err.msg);
    cr_assert_eq(fake_openai_chat_requests(fake), 6);
    /* always failing: 1 + 3 attempts, then the error */
    fake_openai_fail_next(fake, 100, 500);
    cr_assert_eq(j->complete(j->ctx, "s", "p4", &answer, &err), -1);
    cr_assert_eq(fake_openai_chat_requests(fake), 10);
    judge_client_close(j);
}

Test(rescore, judge_client_refuses_bad_options)
{
    struct judge *j = NULL;
    struct bai_error err = {0};
    struct judge_options none = {0};
    cr_assert_eq(judge_client_open(&none, &j, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    unsetenv("BENCHAI_TEST_NO_SUCH_KEY");
    struct judge_options nokey = { .url = fake_openai_url(fake), .api_key_env = "BENCHAI_TEST_NO_SUCH_KEY" };
    cr_assert_eq(judge_client_open(&nokey, &j, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert(strstr(err.msg, "BENCHAI_TEST_NO_SUCH_KEY"), "%s", err.msg);
    struct judge_options both = { .url = fake_openai_url(fake), .gguf = JUDGE_SUITE };
    cr_assert_eq(judge_client_open(&both, &j, &err), -1);
    struct judge_options missing = { .gguf = "/nonexistent/judge.gguf" };
    cr_assert_eq(judge_client_open(&missing, &j, &err), -1);
    cr_assert(strstr(err.msg, "no such file"), "%s", err.msg);
    cr_assert_null(j);
}

Test(rescore, judge_client_reports_an_unreachable_endpoint)
{
    /* a port nobody listens on: the fake's, after it stopped */
    char url[64];
    snprintf(url, sizeof url, "%s", fake_openai_url(fake));
    stop_fake();
    struct judge_options jo = { .url = url };
    struct judge *j = NULL;
    struct bai_error err = {0};
    cr_assert_eq(judge_client_open(&jo, &j, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_BACKEND, "%d %s", err.exit_code, err.msg);
    start_fake();
}

/* ---- rescore --------------------------------------------------------------------- */

/* Run A (model-a) answered both judge items (j1 twice) and was stored with
 * "no judge" errors, as `benchai run` without --judge stores them. */
struct judge_store {
    char *path;
    struct fx_run a;
    int64_t a_j1, a_j1_rep1, a_j2;
};

static void judge_store(struct judge_store *js, const char *sha)
{
    char hash[65];
    suite_hash(JUDGE_SUITE, hash);
    js->path = store_file();
    struct store *st = store_open(js->path, &(struct bai_error){0});
    cr_assert_not_null(st);
    fx_run(st, "model-a", "rescore_judge", 1, sha ? sha : hash, &js->a);
    js->a_j1 = fx_sample(st, &js->a, "j1_sky_blue", 0, "OUTPUT-A-J1 Rayleigh scattering.", "ok", 0, &no_judge);
    js->a_j1_rep1 = fx_sample(st, &js->a, "j1_sky_blue", 1, "SAME-CONFIG-REP1 scattering.", "ok", 0, &no_judge);
    js->a_j2 = fx_sample(st, &js->a, "j2_largest_planet", 0, "OUTPUT-A-J2 Jupiter", "ok", 0, &no_judge);
    /* excluded: a warm-up and a failed request */
    fx_sample(st, &js->a, "j2_largest_planet", 7, "WARMUP-OUTPUT", "ok", 1, NULL);
    fx_sample(st, &js->a, "j2_largest_planet", 8, NULL, "error", 0, NULL);
    store_close(st);
}

static int rescore(const char *path, const char *run, const char *suite, struct judge *j, int peers, int force,
                   struct rescore_result *res, struct bai_error *err)
{
    const char *suites[1] = { suite };
    struct rescore_options o = {
        .store_path = path, .run = run, .suites = suites, .n_suites = suite ? 1 : 0, .judge = j, .peers = peers,
        .force = force,
    };
    return rescore_run(&o, res, err);
}

Test(rescore, judge_scores_are_stored)
{
    struct judge_store js;
    judge_store(&js, NULL);
    fake_openai_set_reply(fake, "Reasoning...\nSCORE: 85");
    struct judge *j = open_judge();
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 3, 0, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.samples, 3);                       /* warm-up and failed sample excluded */
    cr_assert_eq(fake_openai_chat_requests(fake), 3);
    cr_assert_eq(res.n_rows, 1);
    cr_assert_str_eq(res.rows[0].suite, "rescore_judge");
    cr_assert_str_eq(res.rows[0].scorer, jkey("judge-test", 3));   /* the judge's model and prompt */
    cr_assert_eq(res.rows[0].n_after, 3);
    cr_assert_eq(res.rows[0].n_before, 0);              /* the earlier scores were errors */
    cr_assert_float_eq(res.rows[0].sum_after / 3, 0.85, 1e-9);
    int64_t ids[3] = { js.a_j1, js.a_j1_rep1, js.a_j2 };
    for (int i = 0; i < 3; i++) {
        struct got g;
        cr_assert(got_score(js.path, ids[i], jkey("judge-test", 3), &g));
        cr_assert_str_eq(g.status, "scored");
        cr_assert_float_eq(g.value, 0.85, 1e-9);
        cr_assert_eq(g.passed, 1);                      /* 85 >= pass_at 70 */
        cr_assert(strstr(g.detail, "\"judge_model\":\"judge-test\""), "%s", g.detail);
        cr_assert(strstr(g.detail, "Reasoning..."), "%s", g.detail);
        free(g.detail);
    }
    /* the reference answer reached the judge */
    cr_assert_eq(fake_openai_bodies_containing(fake, "Jupiter."), 1);
    cr_assert_eq(count_scores(js.path), 3);             /* the "no judge" errors replaced, not kept */
    rescore_result_free(&res);
    judge_client_close(j);
    free(js.path);
}

Test(rescore, unparsable_judgement_is_retried_then_unparsed)
{
    struct judge_store js;
    judge_store(&js, NULL);
    fake_openai_set_reply(fake, "I think it's good");
    struct judge *j = open_judge();
    cr_assert_eq(j->retries, 2);
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 0, 0, &res, &err), 0, "%s", err.msg);
    /* 3 samples x (1 + 2 retries) */
    cr_assert_eq(fake_openai_chat_requests(fake), 9);
    cr_assert_eq(res.rows[0].unparsed, 3);
    cr_assert_eq(res.rows[0].n_after, 3, "unparsed answers count, worth 0, as in every report");
    cr_assert_float_eq(res.rows[0].sum_after, 0.0, 1e-12);
    struct got g;
    cr_assert(got_score(js.path, js.a_j2, jkey("judge-test", 0), &g));
    cr_assert_str_eq(g.status, "unparsed");
    cr_assert_float_eq(g.value, 0.0, 1e-12);
    cr_assert(strstr(g.detail, "\"attempts\":3"), "%s", g.detail);
    free(g.detail);
    rescore_result_free(&res);

    /* a later parsable answer within the retries is scored */
    const char *seq[] = { "no score here", "Fine.\n[[7]]" };
    fake_openai_set_replies(fake, seq, 2);
    cr_assert_eq(rescore(js.path, js.a.id, NULL, j, 0, 0, &res, &err), -1);
    cr_assert(strstr(err.msg, "rescore_judge"), "%s", err.msg);   /* not found by name: no such file */
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 0, 0, &res, &err), 0, "%s", err.msg);
    cr_assert(got_score(js.path, js.a_j1, jkey("judge-test", 0), &g));
    cr_assert_str_eq(g.status, "scored");
    cr_assert_float_eq(g.value, 0.70, 1e-9);           /* MT-Bench [[7]] x 10 */
    free(g.detail);
    rescore_result_free(&res);
    judge_client_close(j);
    free(js.path);
}

Test(rescore, peer_answers_from_other_runs_reach_the_judge)
{
    struct judge_store js;
    judge_store(&js, NULL);
    /* run B (model-b) and run C (model-c) answered the same items */
    char hash[65];
    suite_hash(JUDGE_SUITE, hash);
    struct store *st = store_open(js.path, &(struct bai_error){0});
    struct fx_run b, c;
    fx_run(st, "model-b", "rescore_judge", 1, hash, &b);
    int64_t b_j1 = fx_sample(st, &b, "j1_sky_blue", 0, "PEER-B-J1 light scattering", "ok", 0, &no_judge);
    fx_sample(st, &b, "j1_sky_blue", 1, "PEER-B-J1-REP1 second rep", "ok", 0, &no_judge);
    fx_sample(st, &b, "j2_largest_planet", 0, "PEER-B-J2 Saturn", "ok", 0, &no_judge);
    fx_run(st, "model-c", "rescore_judge", 1, hash, &c);
    fx_sample(st, &c, "j1_sky_blue", 0, "PEER-C-J1 oxygen is blue", "ok", 0, &no_judge);
    store_close(st);

    fake_openai_set_reply(fake, "SCORE: 60");
    struct judge *j = open_judge();
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 3, 0, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(fake_openai_chat_requests(fake), 3);
    /* j1 rep 0 and rep 1 of run A each see B's and C's j1 answers */
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-B-J1 light"), 2);
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-C-J1"), 2);
    /* one answer per (run, config): B's second rep is not shown */
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-B-J1-REP1"), 0);
    /* the same config's other rep is not a peer: only its own request holds it */
    cr_assert_eq(fake_openai_bodies_containing(fake, "SAME-CONFIG-REP1"), 1);
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-B-J2"), 1);
    cr_assert_eq(fake_openai_bodies_containing(fake, "Other models' answers"), 3);
    struct got g;
    cr_assert(got_score(js.path, js.a_j1, jkey("judge-test", 3), &g));
    char want[64];
    snprintf(want, sizeof want, "\"peer_sample_ids\":[%lld,", (long long)b_j1);
    cr_assert(strstr(g.detail, want), "%s", g.detail);
    free(g.detail);
    rescore_result_free(&res);

    /* --peers 1: only the oldest other run's answer */
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 1, 0, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-B-J1 light"), 4);
    cr_assert_eq(fake_openai_bodies_containing(fake, "PEER-C-J1"), 2);
    rescore_result_free(&res);
    /* --peers 0: none */
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 0, 0, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(fake_openai_bodies_containing(fake, "Other models' answers"), 6);
    rescore_result_free(&res);
    judge_client_close(j);
    free(js.path);
}

Test(rescore, changed_suite_hash_is_refused_without_force)
{
    struct judge_store js;
    judge_store(&js, "0000000000000000000000000000000000000000000000000000000000000000");
    fake_openai_set_reply(fake, "SCORE: 85");
    struct judge *j = open_judge();
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 3, 0, &res, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert(strstr(err.msg, "rescore_judge v1"), "%s", err.msg);
    cr_assert(strstr(err.msg, "--force"), "%s", err.msg);
    cr_assert_eq(fake_openai_chat_requests(fake), 0);
    struct got g;
    cr_assert(got_score(js.path, js.a_j1, "judge", &g));
    cr_assert_str_eq(g.status, "error");                /* untouched */
    free(g.detail);
    rescore_result_free(&res);
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 3, 1, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.samples, 3);
    cr_assert(got_score(js.path, js.a_j1, jkey("judge-test", 3), &g));
    cr_assert_str_eq(g.status, "scored");
    free(g.detail);
    rescore_result_free(&res);
    judge_client_close(j);
    free(js.path);
}

Test(rescore, judge_items_without_a_judge_are_refused)
{
    struct judge_store js;
    judge_store(&js, NULL);
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, NULL, 3, 0, &res, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert(strstr(err.msg, "--judge-url"), "%s", err.msg);
    rescore_result_free(&res);
    free(js.path);
}

Test(rescore, unreachable_judge_stops_and_keeps_earlier_scores)
{
    struct judge_store js;
    judge_store(&js, NULL);
    fake_openai_set_reply(fake, "SCORE: 90");
    struct judge_options jo = { .url = fake_openai_url(fake), .backoff_ms = 1, .http_retries = 1 };
    struct judge *j = NULL;
    struct bai_error err = {0};
    cr_assert_eq(judge_client_open(&jo, &j, &err), 0, "%s", err.msg);
    fake_openai_fail_next(fake, 100, 503);
    struct rescore_result res;
    cr_assert_eq(rescore(js.path, js.a.id, JUDGE_SUITE, j, 0, 0, &res, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_BACKEND, "%s", err.msg);
    cr_assert_eq(fake_openai_chat_requests(fake), 2);   /* first sample: 1 + 1 retry, then stop */
    cr_assert_eq(res.samples, 0);
    struct got g;
    cr_assert(got_score(js.path, js.a_j1, "judge", &g));
    cr_assert_str_eq(g.status, "error");
    cr_assert(strstr(g.detail, "no judge model configured"), "%s", g.detail);   /* not overwritten */
    free(g.detail);
    rescore_result_free(&res);
    judge_client_close(j);
    free(js.path);
}

/* An exact-scored run whose stored scores the runner computed. */
struct exact_store {
    char *path;
    struct fx_run r;
    int64_t e1, e2, e3;
};

static void exact_store(struct exact_store *es)
{
    char hash[65];
    suite_hash(EXACT_SUITE, hash);
    es->path = store_file();
    struct store *st = store_open(es->path, &(struct bai_error){0});
    cr_assert_not_null(st);
    fx_run(st, "model-x", "rescore_exact", 2, hash, &es->r);
    /* "13" = "13": 1; " Rome. " normalises to "rome": 1; "Blue" is not green: 0 */
    struct store_score s1 = { .scorer = "exact", .value = 1, .passed = 1, .status = "scored", .detail_json = "{}" };
    struct store_score s0 = { .scorer = "exact", .value = 0, .passed = 0, .status = "scored", .detail_json = "{}" };
    es->e1 = fx_sample(st, &es->r, "e1_add", 0, "13", "ok", 0, &s1);
    es->e2 = fx_sample(st, &es->r, "e2_capital", 0, " Rome. ", "ok", 0, &s1);
    es->e3 = fx_sample(st, &es->r, "e3_colour", 0, "Blue", "ok", 0, &s0);
    /* a second scorer's score on e1 that rescoring exact must keep */
    struct bai_error err = {0};
    struct store_score other = { .scorer = "judge", .value = 0.42, .passed = 0, .status = "scored",
                                 .detail_json = "{\"keep\":1}" };
    cr_assert_eq(store_score_put(st, es->e1, &other, &err), 0, "%s", err.msg);
    store_close(st);
}

Test(rescore, exact_rescore_reproduces_stored_scores)
{
    struct exact_store es;
    exact_store(&es);
    struct rescore_result res;
    struct bai_error err = {0};
    cr_assert_eq(rescore(es.path, es.r.id, EXACT_SUITE, NULL, 3, 0, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.samples, 3);
    cr_assert_eq(res.n_rows, 1);
    const struct rescore_row *row = &res.rows[0];
    cr_assert_str_eq(row->scorer, "exact");
    cr_assert_eq(row->n_before, 3);
    cr_assert_eq(row->n_after, 3);
    cr_assert_float_eq(row->sum_before, 2.0, 1e-12);
    cr_assert_float_eq(row->sum_after, 2.0, 1e-12);
    cr_assert_eq(row->changed, 0);
    cr_assert_eq(fake_openai_chat_requests(fake), 0);
    struct got g;
    cr_assert(got_score(es.path, es.e2, "exact", &g));
    cr_assert_float_eq(g.value, 1.0, 1e-12);
    cr_assert_str_eq(g.status, "scored");
    cr_assert_neq(strcmp(g.detail, "{}"), 0);           /* rewritten with the scorer's detail */
    free(g.detail);
    cr_assert(got_score(es.path, es.e3, "exact", &g));
    cr_assert_float_eq(g.value, 0.0, 1e-12);
    free(g.detail);
    cr_assert(got_score(es.path, es.e1, "judge", &g));  /* the other scorer's score is kept */
    cr_assert_float_eq(g.value, 0.42, 1e-12);
    cr_assert_str_eq(g.detail, "{\"keep\":1}");
    free(g.detail);
    cr_assert_eq(count_scores(es.path), 4);
    rescore_result_free(&res);
    free(es.path);
}

Test(rescore, scorer_override_adds_scores_and_dry_run_writes_nothing)
{
    struct exact_store es;
    exact_store(&es);
    struct rescore_result res;
    struct bai_error err = {0};
    const char *suites[1] = { EXACT_SUITE };
    struct rescore_options o = { .store_path = es.path, .run = es.r.id, .suites = suites, .n_suites = 1,
                                 .scorer = "nonsense" };
    cr_assert_eq(rescore_run(&o, &res, &err), -1);
    cr_assert(strstr(err.msg, "known: "), "%s", err.msg);
    rescore_result_free(&res);

    o.scorer = "f1";
    o.dry_run = 1;
    cr_assert_eq(rescore_run(&o, &res, &err), 0, "%s", err.msg);
    cr_assert_eq(res.rows[0].n, 3);
    cr_assert_eq(res.samples, 0);
    cr_assert_eq(count_scores(es.path), 4);
    rescore_result_free(&res);

    o.dry_run = 0;
    cr_assert_eq(rescore_run(&o, &res, &err), 0, "%s", err.msg);
    cr_assert_str_eq(res.rows[0].scorer, "f1");
    cr_assert_eq(count_scores(es.path), 7);             /* 3 f1 added, exact and judge kept */
    struct got g;
    cr_assert(got_score(es.path, es.e2, "f1", &g));
    cr_assert_float_eq(g.value, 1.0, 1e-12);            /* SQuAD normalisation: "rome" vs "rome" */
    free(g.detail);
    cr_assert(got_score(es.path, es.e2, "exact", &g));
    free(g.detail);
    rescore_result_free(&res);
    free(es.path);
}

Test(rescore, command_line_runs_against_the_fake_judge)
{
    struct judge_store js;
    judge_store(&js, NULL);
    fake_openai_set_reply(fake, "Good.\nSCORE: 85");
    char url[64];
    snprintf(url, sizeof url, "%s/v1", fake_openai_url(fake));
    char *argv[] = { "rescore", js.a.id, "--suite", JUDGE_SUITE, "--judge-url", url, "--judge-model", "cli-judge",
                     "--store", js.path, "--peers", "2", NULL };
    cr_assert_eq(cmd_rescore(12, argv), BAI_EXIT_OK);
    struct got g;
    cr_assert(got_score(js.path, js.a_j2, jkey("cli-judge", 2), &g));
    cr_assert_float_eq(g.value, 0.85, 1e-9);
    cr_assert(strstr(g.detail, "cli-judge"), "%s", g.detail);
    free(g.detail);
    char *bad[] = { "rescore", js.a.id, "--peers", "x", NULL };
    cr_assert_eq(cmd_rescore(4, bad), BAI_EXIT_USAGE);
    char *none[] = { "rescore", NULL };
    cr_assert_eq(cmd_rescore(1, none), BAI_EXIT_USAGE);
    free(js.path);
}

Test(rescore, run_passes_the_judge_to_the_scorers)
{
    /* the fake answers the model's requests and the judge's alike */
    fake_openai_set_reply(fake, "Jupiter. SCORE: 85");
    char *path = store_file();
    char *logs = xasprintf("%s.logs", path);
    char *argv[] = { "run", "--suite", JUDGE_SUITE, "--backend", "openai", "--url", (char *)fake_openai_url(fake),
                     "--model", "m", "--no-stream", "--warmup", "0", "--judge-url", (char *)fake_openai_url(fake),
                     "--judge-model", "run-judge", "--store", path, "--logs", logs, NULL };
    cr_assert_eq(cmd_run(20, argv), BAI_EXIT_OK);
    cr_assert_eq(harness_sql_int(path, "SELECT count(*) FROM scores WHERE scorer LIKE 'judge:run-judge#%' AND status = 'scored'"
                                       " AND abs(value - 0.85) < 1e-9"), 2);
    char *detail = harness_sql_text(path, "SELECT detail_json FROM scores LIMIT 1");
    cr_assert(detail && strstr(detail, "run-judge"), "%s", detail ? detail : "(null)");
    free(detail);
    /* 2 answers + 2 judgements */
    cr_assert_eq(fake_openai_chat_requests(fake), 4);
    free(logs);
    free(path);
}
