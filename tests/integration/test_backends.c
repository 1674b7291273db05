/* Integration tests of the measuring instrument against the real
 * llama-server and the tiny models: the OpenAI backend on llama-server's /v1
 * endpoints, the command backend, replay, a server killed mid-run, draft
 * acceptance against the server's synthetic acceptance mode and against
 * identical / random drafts, and a small sweep plan. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "backend/llama_server.h"
#include "suite/suite.h"
#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

static double qd(const struct harness_env *e, const char *sql)
{
    char *t = harness_sql_text(e->db, sql);
    double v = t ? atof(t) : NAN;
    free(t);
    return v;
}

/* A llama-server started by the test itself, for the OpenAI backend. */
static struct llama_server *start_server(const struct harness_env *e, const char *model_name)
{
    char *bin = harness_llama_server();
    char *model = harness_model(model_name);
    char *log = xasprintf("%s/own-server.log", e->dir);
    struct settings set = {0};
    struct bai_error err = {0};
    settings_set(&set, SETTING_NP, "1", "test", &err);
    settings_set(&set, SETTING_SERVER_ARGS, "--alias", "test", &err);
    settings_set(&set, SETTING_SERVER_ARGS, e->marker, "test", &err);
    struct llama_server_config cfg = { .binary = bin, .model = model, .settings = &set, .log_path = log };
    struct llama_server *s = llama_server_start(&cfg, &err);
    settings_free(&set);
    cr_assert_not_null(s, "%s", err.msg);
    free(bin);
    free(model);
    free(log);
    return s;
}

Test(backends, openai_backend_on_llama_server_v1, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    struct llama_server *s = start_server(&e, "tiny-dense");
    const char *url = llama_server_url(s);
    const char *streamed[] = { "run", "--suite", "smoke", "--backend", "openai", "--url", url, "--model",
                               e.marker, "--store", e.db, "--tag", "streamed", NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(streamed, NULL, &err), 0, "%s", err);
    free(err);
    const char *plain[] = { "run", "--suite", "smoke", "--backend", "openai", "--url", url, "--model",
                            e.marker, "--store", e.db, "--no-stream", NULL };
    cr_assert_eq(harness_run(plain, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok'"), 10);
    /* llama-server's /v1 answers carry timings and usage either way */
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE gen_tps > 0 AND completion_tokens > 0"), 10);
    /* streaming gives TTFT and inter-token latencies */
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN run_tags t ON t.run_id = s.run_id"
                       " WHERE t.tag = 'streamed' AND s.ttft_ms > 0 AND s.itl_ms_json IS NOT NULL"), 5);
    llama_server_stop(s, 3000);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0);
    harness_env_free(&e);
}

/* A running llama-server reached as a plain endpoint: benchai recognises
 * it (/v1/models says owned_by "llamacpp") and sends cache_prompt:false,
 * so the speed suite's identical prompts are processed every time (before,
 * 598 of 599 prompt tokens came from the cache and prompt tok/s and TTFT
 * measured it). --prompt-cache on shows the same server does cache them. */
Test(backends, openai_backend_on_llama_server_bypasses_its_prompt_cache, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    struct llama_server *s = start_server(&e, "tiny-dense");
    const char *url = llama_server_url(s);
    const char *off[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--backend", "openai",
                          "--url", url, "--model", e.marker, "--store", e.db, "--tag", "off", NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(off, NULL, &err), 0, "%s", err);
    free(err);
    /* every prompt token processed, none served from the cache */
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok' AND prompt_tokens > 8"
                       " AND cached_tokens = 0 AND prompt_tps > 0"), 4,
                 "%lld of 4 samples had a cold prompt (max cached %lld)",
                 q(&e, "SELECT count(*) FROM samples WHERE cached_tokens = 0"),
                 q(&e, "SELECT max(cached_tokens) FROM samples"));
    const char *on[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--backend", "openai",
                         "--url", url, "--model", e.marker, "--store", e.db, "--tag", "on",
                         "--prompt-cache", "on", NULL };
    cr_assert_eq(harness_run(on, NULL, &err), 0, "%s", err);
    cr_assert(strstr(err, "from its prompt cache") && strstr(err, "--prompt-cache on"), "warned: %s", err);
    free(err);
#define TAGGED(tag) " FROM samples s JOIN run_tags t ON t.run_id = s.run_id AND t.tag = '" tag "'"
    cr_assert_eq(q(&e, "SELECT count(*)" TAGGED("off") " WHERE s.cache_hit = 0 AND s.cache_bypass = 'cache_prompt'"
                       " AND s.speed_source = 'server' AND s.gen_tps > 0"), 4);
    /* the same server with its cache: the warm-up filled it, every sample hit it */
    cr_assert_eq(q(&e, "SELECT count(*)" TAGGED("on") " WHERE s.cache_hit = 1"
                       " AND s.cached_tokens >= s.prompt_tokens - 1"), 4);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'prompt_cache'"), 1);
#undef TAGGED
    llama_server_stop(s, 3000);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0);
    harness_env_free(&e);
}

Test(backends, command_backend_and_replay, .timeout = 120)
{
    struct harness_env e = harness_env_setup();
    /* a "model" that always answers 12: right for add_small only */
    const char *cmd_run[] = { "run", "--suite", "smoke", "--backend", "command", "--cmd", "printf 12",
                              "--store", e.db, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(cmd_run, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE output = '12'"), 5);
    cr_assert_eq(q(&e, "SELECT count(*) FROM scores WHERE passed = 1"), 1);
    char *first = harness_sql_text(e.db, "SELECT id FROM runs");
    const char *replay[] = { "run", "--suite", "smoke", "--backend", "replay", "--from", first, "--store", e.db, NULL };
    cr_assert_eq(harness_run(replay, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN runs r ON r.id = s.run_id"
                       " WHERE r.id <> (SELECT id FROM runs ORDER BY started LIMIT 1) AND s.output = '12'"), 5);
    cr_assert_eq(q(&e, "SELECT count(*) FROM scores WHERE passed = 1"), 2, "replay re-scores the same answers");
    free(first);
    harness_env_free(&e);
}

static pid_t find_server_pid(const char *marker)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    pid_t found = 0;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] < '0' || de->d_name[0] > '9')
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/cmdline", de->d_name);
        size_t len = 0;
        char *c = fs_read_file(path, &len, NULL);
        if (!c)
            continue;
        for (size_t i = 0; i + 1 < len; i++)
            if (!c[i])
                c[i] = ' ';
        if (strstr(c, "llama-server") && strstr(c, marker))
            found = (pid_t)atoi(de->d_name);
        free(c);
    }
    if (d)
        closedir(d);
    return found;
}

Test(backends, server_killed_mid_run_is_restarted_and_no_sample_is_lost, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_long.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    pid_t pid = harness_spawn(args, e.dir);
    for (int i = 0; i < 2400; i++) {
        long long n = fs_exists(e.db) ? q(&e, "SELECT count(*) FROM samples") : -1;
        if (n >= 5)
            break;
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
    }
    pid_t server = find_server_pid(e.marker);
    cr_assert_gt(server, 0, "no llama-server found");
    kill(server, SIGKILL);
    int code = harness_wait(pid);
    char *err_path = xasprintf("%s/stderr", e.dir);
    char *err = fs_read_file(err_path, NULL, NULL);
    free(err_path);
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 40, "no sample lost");
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok'"), 40, "every sample re-sent");
    cr_assert_geq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_died'"), 1);
    cr_assert_geq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_restarted'"), 1);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    free(err);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0);
    harness_env_free(&e);
}

Test(backends, acceptance_matches_the_synthetic_rate, .timeout = 900)
{
    struct harness_env e = harness_env_setup();
    /* Unconditional rates P(first i+1 accepted): the expected accepted
     * tokens per round are 0.8+0.6+0.4+0.2 = 2.0 of K = 4 drafted: 0.5. */
    char *draft = harness_model("tiny-draft");
    char *suite = xasprintf("%s/synth.yaml", e.dir);
    FILE *f = fopen(suite, "w");
    /* 8 x 1500 tokens is ~4000 draft rounds: the rate's standard error is
     * ~0.6 points, so the 2-point bound is a 3.5-sigma check, not a coin */
    fprintf(f, "suite: synth\nversion: 1\ndescription: synthetic acceptance\nkind: speed\n"
               "speed: {pp: 16, tg: 1500, ignore_eos: true}\nitems:\n");
    for (int i = 0; i < 8; i++)
        fprintf(f, "  - {id: s%d, prompt: x}\n", i);
    fclose(f);
    const char *args[] = { "run", "--suite", suite, "--draft", draft, "--k", "4",
                           "--spec-synth-rates", "0.8,0.6,0.4,0.2", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 0, "%s", err);
    double acc = qd(&e, "SELECT 1.0 * sum(draft_accepted) / sum(draft_n) FROM samples");
    cr_assert(fabs(acc - 0.5) <= 0.02, "acceptance %.4f, expected 0.5 +- 0.02", acc);
    /* and the acceptance the reports print is that figure */
    const char *show[] = { "show", "latest", "--store", e.db, "-o", "json", NULL };
    char *json = NULL;
    cr_assert_eq(harness_run(show, &json, NULL), 0);
    cJSON *root = cJSON_Parse(json);
    const cJSON *speed = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 0), "speed");
    const cJSON *shown = cJSON_GetObjectItem(speed, "acceptance");
    cr_assert(cJSON_IsNumber(shown), "%s", json);
    cr_assert_float_eq(shown->valuedouble, acc, 1e-9);
    cJSON_Delete(root);
    free(json);
    free(err);
    free(draft);
    free(suite);
    harness_env_free(&e);
}

Test(backends, identical_draft_accepts_nearly_all_random_draft_few, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    char *same = harness_model("tiny-draft-same"), *rnd = harness_model("tiny-draft");
    const char *a1[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--draft", same,
                         "--k", "4", "--store", e.db, "--tag", "same", "--logs", e.logs,
                         "--server-arg=--alias", e.alias_arg, NULL };
    const char *a2[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--draft", rnd,
                         "--k", "4", "--store", e.db, "--tag", "random", "--logs", e.logs,
                         "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(a1, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(harness_run(a2, NULL, &err), 0, "%s", err);
    free(err);
    double acc_same = qd(&e, "SELECT 1.0*sum(draft_accepted)/sum(draft_n) FROM samples s JOIN run_tags t"
                             " ON t.run_id = s.run_id WHERE t.tag = 'same'");
    double acc_rnd = qd(&e, "SELECT 1.0*sum(draft_accepted)/sum(draft_n) FROM samples s JOIN run_tags t"
                            " ON t.run_id = s.run_id WHERE t.tag = 'random'");
    cr_assert_gt(acc_same, 0.9, "identical-weight draft acceptance %.3f", acc_same);
    cr_assert_lt(acc_rnd, 0.5, "random draft acceptance %.3f", acc_rnd);
    /* /slots said speculative: true, and the stored argv asked for it */
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE server_argv LIKE '%--spec-type draft-simple%'"), 2);
    free(same);
    free(rnd);
    harness_env_free(&e);
}

Test(backends, sweep_plan_stores_every_point_and_skips_bad_ones, .timeout = 900)
{
    struct harness_env e = harness_env_setup();
    char *models = harness_model("tiny-dense");
    char *dir = fs_dirname(models);
    setenv("BENCHAI_MODELS", dir, 1);
    const char *args[] = { "run", "--plan", "tests/data/integration/plan_small.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, 0, "%s\n%s", out, err);
    /* 3 drafts x 2 K (other-vocab skipped) + 2 expert counts + 2 np */
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs"), 10);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE status = 'skipped' AND reason LIKE 'vocab mismatch%'"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE status = 'ok'"), 8);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 8 * 4);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE server_argv LIKE '%expert_used_count=int:1%'"), 1);
    char *show_args_id = harness_sql_text(e.db, "SELECT id FROM runs");
    const char *show[] = { "show", show_args_id, "--store", e.db, NULL };
    char *show_out = NULL;
    cr_assert_eq(harness_run(show, &show_out, NULL), 0);
    cr_assert_not_null(strstr(show_out, "Sweep: Draft size K"), "%s", show_out);
    cr_assert_not_null(strstr(show_out, "Sweep: MoE experts"), "%s", show_out);
    cr_assert_not_null(strstr(show_out, "Sweep: Parallel slots"), "%s", show_out);
    cr_assert_not_null(strstr(show_out, "<- chosen"), "%s", show_out);
    free(show_out);
    free(show_args_id);

    /* experts above expert_count: an error before any server starts */
    const char *too_many[] = { "run", "--suite", "smoke", "--model", NULL, "--sweep", "experts=16", "--store",
                               e.db, NULL };
    char *moe = harness_model("tiny-moe");
    too_many[4] = moe;
    free(err);
    cr_assert_eq(harness_run(too_many, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "expert"), "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs"), 1, "no run was started");
    free(moe);
    free(err);
    free(out);
    free(models);
    free(dir);
    unsetenv("BENCHAI_MODELS");
    harness_env_free(&e);
}

Test(backends, long_context_haystacks_are_sized_by_the_server_tokenizer, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "long_context", "--limit", "1", "--ctx", "8192", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(args, NULL, &err), 0, "%s", err);
    free(err);
    /* the first cell is 4096 tokens including 160 reserved for the answer
     * and the chat template's few tokens: the prompt the server counted
     * must land close to 4096 - 160, not at the chars/4 estimate's ~3700 */
    long long n = q(&e, "SELECT prompt_tokens FROM samples");
    cr_assert(n >= 3880 && n <= 4096, "prompt_tokens %lld", n);
    /* and the stored hash is that of the tokenizer-sized suite */
    struct bai_error lerr = {0};
    struct suite *estimated = suite_load("suites/v1/long_context.yaml", NULL, &lerr);
    cr_assert_not_null(estimated, "%s", lerr.msg);
    char *stored = harness_sql_text(e.db, "SELECT sha256 FROM suites");
    cr_assert_str_neq(stored, estimated->hash);
    free(stored);
    suite_free(estimated);
    harness_env_free(&e);
}
