/* test_speed.c - speed on every backend (docs/metrics.md, "Where speed
 * comes from" and "The prompt cache"): an OpenAI-compatible stand-in on
 * loopback (tests/helpers/fake_openai.c) that streams with a usage block
 * gets gen tok/s, TTFT, TPOT and ITL from the client's clock and the
 * server's count; one that streams without usage gets them from counted
 * chunks, marked as such; llama.cpp endpoints are sent cache_prompt:false,
 * others a unique first line when asked; a reported prompt cache hit is
 * flagged on the sample and warned about once per configuration. The
 * response arithmetic (gen.c) is tested on hand-made responses. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/gen.h"
#include "backend/openai_proto.h"
#include "cmd/cmd.h"
#include "fake_openai.h"
#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

/* ---- gen.c: client-side figures from a response ---------------------------- */

static void events(struct gen_response *r, const int64_t *t_ms, const int *tokens, size_t n)
{
    r->events = xcalloc(n, sizeof *r->events);
    r->n_events = r->cap_events = n;
    for (size_t i = 0; i < n; i++) {
        r->events[i].t_ns = t_ms[i] * 1000000 + 1;
        r->events[i].tokens = tokens[i];
        if (tokens[i] > 0 && !r->t_first_ns)
            r->t_first_ns = r->events[i].t_ns;
    }
}

Test(speed_gen, usage_count_and_client_clock_give_gen_tps)
{
    struct gen_response r;
    gen_response_init(&r);
    r.ok = 1;
    r.t_send_ns = 1;
    r.t_end_ns = 520 * 1000000 + 1;
    /* four content events 100 ms apart, then the usage chunk (no tokens) */
    const int64_t t[] = { 100, 200, 300, 400, 510 };
    const int tok[] = { 1, 1, 1, 1, 0 };
    events(&r, t, tok, 5);
    r.completion_tokens = 7;   /* the server's count: some chunks carried two tokens */
    gen_speed_complete(&r);
    cr_assert_eq(r.speed_source, GEN_SPEED_USAGE);
    cr_assert_str_eq(gen_speed_source_name(r.speed_source), "usage");
    /* (7 - 1) tokens after the first, over the 300 ms from first to last token */
    cr_assert_float_eq(r.gen_tps, 20.0, 1e-9);
    cr_assert_eq(r.completion_tokens, 7);
    cr_assert_float_eq(gen_ttft_ms(&r), 100.0, 1e-6);
    /* TPOT keeps its definition: (E2E - TTFT) / (n - 1) */
    cr_assert_float_eq(gen_tpot_ms(&r), 420.0 / 6, 1e-6);
    gen_response_free(&r);
}

Test(speed_gen, without_usage_the_chunks_are_counted)
{
    struct gen_response r;
    gen_response_init(&r);
    r.ok = 1;
    r.t_send_ns = 1;
    r.t_end_ns = 400 * 1000000 + 1;
    const int64_t t[] = { 50, 150, 250, 350 };
    const int tok[] = { 1, 1, 1, 1 };
    events(&r, t, tok, 4);
    gen_speed_complete(&r);
    cr_assert_eq(r.speed_source, GEN_SPEED_CHUNKS);
    cr_assert_str_eq(gen_speed_source_name(r.speed_source), "chunks");
    cr_assert_eq(r.completion_tokens, 4);
    cr_assert_float_eq(r.gen_tps, 10.0, 1e-9);
    cr_assert(gen_tpot_ms(&r) > 0);
    gen_response_free(&r);
}

Test(speed_gen, server_timings_stay_the_source_when_sent)
{
    struct gen_response r;
    gen_response_init(&r);
    r.ok = 1;
    const int64_t t[] = { 10, 20, 30 };
    const int tok[] = { 1, 1, 1 };
    events(&r, t, tok, 3);
    r.completion_tokens = 3;
    r.gen_tps = 123.5;        /* llama-server's predicted_per_second */
    gen_speed_complete(&r);
    cr_assert_eq(r.speed_source, GEN_SPEED_SERVER);
    cr_assert_float_eq(r.gen_tps, 123.5, 1e-9);
    gen_response_free(&r);

    /* nothing streamed, nothing sent: no speed and no source */
    gen_response_init(&r);
    r.ok = 1;
    gen_speed_complete(&r);
    cr_assert_eq(r.speed_source, GEN_SPEED_NONE);
    cr_assert_null(gen_speed_source_name(r.speed_source));
    cr_assert(r.gen_tps < 0);
    gen_response_free(&r);
}

/* Without streaming the "first token" is the first body byte, which
 * arrives with the whole answer: E2E - TTFT is no generation time, so
 * neither TPOT nor a client gen tok/s exists. */
Test(speed_gen, an_answer_that_was_not_streamed_has_no_tpot)
{
    struct gen_response r;
    gen_response_init(&r);
    r.ok = 1;
    r.t_send_ns = 1;
    r.t_first_ns = 900 * 1000000 + 1;
    r.t_end_ns = 901 * 1000000 + 1;
    r.completion_tokens = 50;
    gen_speed_complete(&r);
    cr_assert(gen_tpot_ms(&r) < 0, "TPOT %.4f ms from a non-streamed answer", gen_tpot_ms(&r));
    cr_assert(r.gen_tps < 0);
    cr_assert_eq(r.speed_source, GEN_SPEED_NONE);
    gen_response_free(&r);
}

Test(speed_gen, a_cache_hit_is_most_of_the_prompt)
{
    struct gen_response r;
    gen_response_init(&r);
    cr_assert_eq(gen_prompt_cache_hit(&r), -1, "not said");
    r.prompt_tokens = 599;
    r.cached_tokens = 598;
    cr_assert_eq(gen_prompt_cache_hit(&r), 1);
    r.cached_tokens = 0;
    cr_assert_eq(gen_prompt_cache_hit(&r), 0);
    r.cached_tokens = 299;
    cr_assert_eq(gen_prompt_cache_hit(&r), 0, "half or less is not most");
    gen_response_free(&r);
}

/* vLLM's stream with include_usage: "usage": null on every chunk, then a
 * last chunk with no choices and the counts. */
Test(speed_gen, vllm_style_final_usage_chunk_is_read)
{
    static const char stream[] =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}],\"usage\":null}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hel\"}}],\"usage\":null}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"lo\"}}],\"usage\":null}\n\n"
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"!\"},\"finish_reason\":\"stop\"}],\"usage\":null}\n\n"
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":12,\"completion_tokens\":3,\"total_tokens\":15,"
        "\"prompt_tokens_details\":{\"cached_tokens\":0}}}\n\n"
        "data: [DONE]\n\n";
    struct gen_response r;
    gen_response_init(&r);
    r.t_send_ns = 1;
    struct openai_reader rd;
    openai_reader_init(&rd, &r, 1);
    /* one line per 10 ms, as if the bytes arrived one event at a time */
    const char *p = stream;
    int64_t t = 10000000;
    while (*p) {
        const char *end = strstr(p, "\n\n") + 2;
        cr_assert_eq(openai_reader_data(&rd, p, (size_t)(end - p), t), 0);
        p = end;
        t += 10000000;
    }
    openai_reader_finish(&rd, 0, 200, NULL, t);
    openai_reader_free(&rd);
    cr_assert(r.ok, "%s", r.error);
    cr_assert_str_eq(r.content, "Hello!");
    cr_assert_eq(r.prompt_tokens, 12);
    cr_assert_eq(r.cached_tokens, 0);
    gen_speed_complete(&r);
    cr_assert_eq(r.speed_source, GEN_SPEED_USAGE);
    cr_assert_eq(r.completion_tokens, 3);
    /* first token at 20 ms, last at 40 ms: 2 tokens in 20 ms */
    cr_assert_float_eq(r.gen_tps, 100.0, 1e-6);
    cr_assert_eq(gen_prompt_cache_hit(&r), 0);
    gen_response_free(&r);
}

/* ---- runs against the stand-in ------------------------------------------------- */

static struct fake_openai *fake;
static char *dir, *store, *suite, *logs;

#define SUITE "suite: speedy\nversion: 1\ndescription: two exact items\n" \
              "defaults: {scorer: exact, max_tokens: 16}\nitems:\n" \
              "  - {id: a, prompt: \"Count to five.\", answer: \"one two three four five\"}\n" \
              "  - {id: b, prompt: \"Count again.\", answer: \"one two three four five\"}\n" \
              "  - {id: c, system: \"You count.\", prompt: \"Once more.\", answer: \"one two three four five\"}\n"

static void setup(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake, "fake server did not start");
    fake_openai_set_reply(fake, "one two three four five");
    dir = harness_tempdir();
    cr_assert_not_null(dir);
    store = xasprintf("%s/speed.db", dir);
    logs = xasprintf("%s/logs", dir);
    suite = xasprintf("%s/speedy.yaml", dir);
    cr_assert_eq(fs_write_atomic(suite, SUITE, strlen(SUITE), NULL), 0);
}

static void teardown(void)
{
    fake_openai_stop(fake);
    fake = NULL;
    free(dir);
    free(store);
    free(logs);
    free(suite);
}

TestSuite(speed_openai, .init = setup, .fini = teardown, .timeout = 60);

/* Runs a command in this process with stdout and stderr captured (caller
 * frees both). */
static int run_cmd(int (*fn)(int, char **), char **argv, char **out, char **err)
{
    char *fo = xasprintf("%s/stdout.txt", dir), *fe = xasprintf("%s/stderr.txt", dir);
    fflush(stdout);
    fflush(stderr);
    int so = dup(1), se = dup(2);
    FILE *a = fopen(fo, "w"), *b = fopen(fe, "w");
    cr_assert(a && b);
    dup2(fileno(a), 1);
    dup2(fileno(b), 2);
    fclose(a);
    fclose(b);
    int argc = 0;
    while (argv[argc])
        argc++;
    int rc = fn(argc, argv);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    *out = fs_read_file(fo, NULL, NULL);
    *err = fs_read_file(fe, NULL, NULL);
    cr_assert(*out && *err);
    unlink(fo);
    unlink(fe);
    free(fo);
    free(fe);
    return rc;
}

/* `benchai run` of the suite on the stand-in, streamed, with extra
 * options (NULL-terminated, at most 4); returns the exit code, stderr in
 * *err (caller frees). */
static int run_suite(char **err, const char *a1, const char *a2, const char *a3, const char *a4)
{
    char *argv[] = { "run", "--suite", suite, "--backend", "openai", "--url", (char *)fake_openai_url(fake),
                     "--model", "m", "--store", store, "--logs", logs, (char *)a1, (char *)a2, (char *)a3,
                     (char *)a4, NULL };
    char *out = NULL;
    int rc = run_cmd(cmd_run, argv, &out, err);
    free(out);
    return rc;
}

static long long q(const char *sql)
{
    return harness_sql_int(store, sql);
}

static double qd(const char *sql)
{
    char *t = harness_sql_text(store, sql);
    double v = t ? atof(t) : NAN;
    free(t);
    return v;
}

static int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

Test(speed_openai, a_stream_with_usage_gets_gen_tps_ttft_tpot_and_itl)
{
    /* five words, 20 ms apart: first to last token takes at least 80 ms */
    struct fake_openai_stream st = { .usage = 1, .gap_ms = 20, .prompt_tokens = 30, .completion_tokens = 9,
                                     .cached_tokens = 0 };
    fake_openai_set_stream(fake, &st);
    char *err = NULL;
    cr_assert_eq(run_suite(&err, "--warmup", "0", NULL, NULL), 0, "%s", err);
    free(err);
    cr_assert_eq(q("SELECT count(*) FROM samples"), 3);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE status = 'ok' AND output = 'one two three four five'"), 3);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE speed_source = 'usage'"), 3);
    /* the server's count, not the five chunks */
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE completion_tokens = 9 AND prompt_tokens = 30"), 3);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE ttft_ms > 0 AND tpot_ms > 0 AND itl_ms_json IS NOT NULL"), 3);
    /* (9 - 1) tokens over at least 80 ms: at most 100 tok/s, and measured */
    double tps_max = qd("SELECT max(gen_tps) FROM samples"), tps_min = qd("SELECT min(gen_tps) FROM samples");
    cr_assert(tps_min > 0 && tps_max <= 100.0 + 1e-9, "gen_tps %.3f..%.3f", tps_min, tps_max);
    /* no llama.cpp server: nothing could be asked of its cache, and it said none was used */
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE cache_bypass IS NULL AND cache_hit = 0"), 3);

    /* show marks where the speed came from; pareto and select see the speed */
    char *out = NULL;
    char *show[] = { "show", "latest", "--store", store, NULL };
    cr_assert_eq(run_cmd(cmd_show, show, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "speed from") && strstr(out, "| usage"), "%s", out);
    cr_assert(strstr(out, "0/3"), "prompt cache hits: %s", out);
    free(out);
    free(err);
    char *show_json[] = { "show", "latest", "--store", store, "-o", "json", NULL };
    cr_assert_eq(run_cmd(cmd_show, show_json, &out, &err), 0, "%s", err);
    cJSON *root = cJSON_Parse(out);
    const cJSON *speed = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "groups"), 0), "speed");
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(speed, "source")), "usage", "%s", out);
    cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(speed, "gen_tps_p50")), "%s", out);
    cJSON_Delete(root);
    free(out);
    free(err);
    char *pareto[] = { "pareto", "--store", store, "-o", "csv", NULL };
    cr_assert_eq(run_cmd(cmd_pareto, pareto, &out, &err), 0, "%s", err);
    cr_assert_null(strstr(out, "nan"), "%s", out);
    /* the point has a speed: the gen_tps cell of its row is a positive number */
    char *row = strchr(out, '\n');
    cr_assert_not_null(row, "%s", out);
    int col = -1, i = 0;
    for (const char *h = out; h < row; h = strchr(h, ',') ? strchr(h, ',') + 1 : row, i++)
        if (!strncmp(h, "gen_tps,", 8))
            col = i;
    cr_assert_geq(col, 0, "%s", out);
    const char *cell = row + 1;
    for (int k = 0; k < col; k++)
        cell = strchr(cell, ',') + 1;
    cr_assert(atof(cell) > 0, "gen_tps cell '%.20s' in %s", cell, out);
    free(out);
    free(err);
    char *roles = xasprintf("%s/roles.yaml", dir);
    static const char roles_yaml[] = "roles:\n  counter:\n    suites: [speedy]\n    prefer: speed\n";
    cr_assert_eq(fs_write_atomic(roles, roles_yaml, strlen(roles_yaml), NULL), 0);
    char *sel[] = { "select", "--roles", roles, "--store", store, NULL };
    cr_assert_eq(run_cmd(cmd_select, sel, &out, &err), 0, "%s", err);
    cr_assert_null(strstr(out, "nan"), "%s", out);
    cr_assert(strstr(out, " tok/s"), "%s", out);
    free(out);
    free(err);
    free(roles);
}

Test(speed_openai, a_stream_without_usage_counts_chunks_and_says_so)
{
    struct fake_openai_stream st = { .usage = 0, .gap_ms = 20, .cached_tokens = -1 };
    fake_openai_set_stream(fake, &st);
    char *err = NULL;
    cr_assert_eq(run_suite(&err, "--warmup", "0", NULL, NULL), 0, "%s", err);
    free(err);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE speed_source = 'chunks'"), 3);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE completion_tokens = 5 AND prompt_tokens IS NULL"), 3);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE ttft_ms > 0 AND tpot_ms > 0"), 3);
    double tps_max = qd("SELECT max(gen_tps) FROM samples"), tps_min = qd("SELECT min(gen_tps) FROM samples");
    /* (5 - 1) tokens over the fake's 4 gaps of 20 ms: 50 tok/s at most as
     * sent; the client times receipt, and a first chunk received late (a
     * loaded machine, ASan) shortens the span it sees by a little, so 10%
     * over is allowed; a rate from anything but the chunks would be far off */
    cr_assert(tps_min > 0 && tps_max <= 55.0, "gen_tps %.3f..%.3f", tps_min, tps_max);
    /* the server said nothing about its cache */
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE cache_hit IS NULL"), 3);
    char *out = NULL;
    char *show[] = { "show", "latest", "--store", store, NULL };
    cr_assert_eq(run_cmd(cmd_show, show, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "| chunks"), "%s", out);
    free(out);
    free(err);
    char *exp[] = { "export", "latest", "-o", "csv", "--store", store, NULL };
    cr_assert_eq(run_cmd(cmd_export, exp, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "speed_source") && strstr(out, ",chunks,"), "%s", out);
    free(out);
    free(err);
}

Test(speed_openai, a_llama_cpp_endpoint_is_sent_cache_prompt_false)
{
    struct fake_openai_stream st = { .usage = 1, .prompt_tokens = 30, .completion_tokens = 5, .cached_tokens = 0 };
    fake_openai_set_stream(fake, &st);
    /* any other server: the field is not sent (OpenAI's own API refuses unknown fields) */
    char *err = NULL;
    cr_assert_eq(run_suite(&err, NULL, NULL, NULL, NULL), 0, "%s", err);
    free(err);
    int sent = fake_openai_chat_requests(fake);
    cr_assert_eq(sent, 4, "three items and a warm-up");
    cr_assert_eq(fake_openai_bodies_containing(fake, "cache_prompt"), 0);

    /* llama.cpp's server says owned_by "llamacpp": every request, the warm-up too */
    fake_openai_set_owned_by(fake, "llamacpp");
    cr_assert_eq(run_suite(&err, NULL, NULL, NULL, NULL), 0, "%s", err);
    free(err);
    cr_assert_eq(fake_openai_chat_requests(fake), 2 * sent);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"cache_prompt\":false"), sent);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE cache_bypass = 'cache_prompt'"), 3);
    char *desc = harness_sql_text(store, "SELECT json_extract(props_json, '$.llama_cpp') FROM configs"
                                         " ORDER BY id DESC LIMIT 1");
    cr_assert(desc && !strcmp(desc, "1"), "%s", desc);
    free(desc);

    /* --prompt-cache on leaves the server's cache alone */
    cr_assert_eq(run_suite(&err, "--prompt-cache", "on", NULL, NULL), 0, "%s", err);
    free(err);
    cr_assert_eq(fake_openai_chat_requests(fake), 3 * sent);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"cache_prompt\":false"), sent);
    char *bad[] = { "run", "--suite", suite, "--prompt-cache", "sometimes", NULL };
    char *out = NULL;
    cr_assert_eq(run_cmd(cmd_run, bad, &out, &err), BAI_EXIT_USAGE);
    cr_assert(strstr(err, "--prompt-cache"), "%s", err);
    free(out);
    free(err);
}

Test(speed_openai, unique_prefix_differs_per_request_and_is_recorded)
{
    struct fake_openai_stream st = { .usage = 1, .prompt_tokens = 30, .completion_tokens = 5, .cached_tokens = 0 };
    fake_openai_set_stream(fake, &st);
    char *err = NULL;
    cr_assert_eq(run_suite(&err, "--prompt-cache", "unique-prefix", "--reps", "2"), 0, "%s", err);
    free(err);
    int sent = fake_openai_chat_requests(fake);
    cr_assert_eq(sent, 7, "three items twice and a warm-up");
    cr_assert_eq(fake_openai_bodies_containing(fake, "[benchai "), sent);
    /* every request's prefix is its own, the warm-up's too */
    for (int i = 0; i < sent; i++) {
        char *a = fake_openai_body(fake, i);
        char *pa = strstr(a, "[benchai ");
        cr_assert_not_null(pa);
        for (int j = i + 1; j < sent; j++) {
            char *b = fake_openai_body(fake, j);
            cr_assert_neq(strncmp(pa, strstr(b, "[benchai "), 22), 0, "requests %d and %d share a prefix", i, j);
            free(b);
        }
        free(a);
    }
    /* the item with a system prompt gets it in front of the system prompt */
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"content\":\"[benchai "), sent);
    cr_assert_eq(fake_openai_bodies_containing(fake, "]\\nYou count.\""), 2);
    cr_assert_eq(q("SELECT count(DISTINCT prompt_prefix) FROM samples WHERE prompt_prefix LIKE '[benchai %'"), 6);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE cache_bypass = 'prefix'"), 6);
    /* scored as usual, and the suite's hash is the suite's */
    cr_assert_eq(q("SELECT count(*) FROM scores WHERE passed = 1"), 6);
    char *with_prefix = harness_sql_text(store, "SELECT sha256 FROM suites");
    cr_assert_eq(run_suite(&err, "--warmup", "0", NULL, NULL), 0, "%s", err);
    free(err);
    cr_assert_eq(q("SELECT count(*) FROM suites"), 1, "one suite hash for both runs (%s)", with_prefix);
    free(with_prefix);
}

Test(speed_openai, a_reported_cache_hit_is_flagged_and_warned_once)
{
    /* the server says 598 of 599 prompt tokens came from its cache */
    struct fake_openai_stream st = { .usage = 1, .gap_ms = 1, .prompt_tokens = 599, .completion_tokens = 5,
                                     .cached_tokens = 598 };
    fake_openai_set_stream(fake, &st);
    char *err = NULL;
    cr_assert_eq(run_suite(&err, "--warmup", "0", "--reps", "2"), 0, "%s", err);
    cr_assert_eq(q("SELECT count(*) FROM samples WHERE cache_hit = 1 AND cached_tokens = 598"), 6);
    cr_assert_eq(count_of(err, "from its prompt cache"), 1, "one warning per configuration: %s", err);
    cr_assert(strstr(err, "598 of 599") && strstr(err, "--prompt-cache unique-prefix"), "%s", err);
    free(err);
    cr_assert_eq(q("SELECT count(*) FROM incidents WHERE kind = 'prompt_cache'"), 1);
    char *out = NULL;
    char *show[] = { "show", "latest", "--store", store, NULL };
    cr_assert_eq(run_cmd(cmd_show, show, &out, &err), 0, "%s", err);
    cr_assert(strstr(out, "6/6"), "prompt cache hits in show: %s", out);
    cr_assert(strstr(out, "prompt_cache"), "the incident in show: %s", out);
    free(out);
    free(err);

    /* a llama.cpp server that was sent cache_prompt:false and still says so */
    fake_openai_set_owned_by(fake, "llamacpp");
    cr_assert_eq(run_suite(&err, "--warmup", "0", NULL, NULL), 0, "%s", err);
    cr_assert_eq(count_of(err, "from its prompt cache"), 1, "%s", err);
    cr_assert(strstr(err, "although cache_prompt:false was sent"), "%s", err);
    free(err);
    cr_assert_eq(q("SELECT count(*) FROM incidents WHERE kind = 'prompt_cache'"), 2);
}
