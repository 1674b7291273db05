/* test_report_fixture.h - builds a small store with known contents through
 * the store API, for tests/unit/test_report_store.c and
 * tests/integration/test_report_html.c (header-only so both binaries can
 * use it without a shared object).
 *
 * Run A (older, tag "base"):
 *   "tiny-dense"      model file of 2,000,000 bytes
 *       general v1: g1..g8 pass (1), g9 fail (0), g10 unparsed (0),
 *                   g11 sample error (no score), g0 warm-up (score 0,
 *                   gen_tps 1000: must not count anywhere)
 *                   gen_tps g1..g10 = 10, 20 .. 100; ttft 100 .. 1000 ms;
 *                   e2e 1000 .. 10000 ms
 *       math v1:    m1, m2 pass, m3, m4 fail; speed not measured (-1)
 *   "tiny-dense k=4"  draft: general g1..g9 pass, g10 fail; gen_tps 80,
 *                     ttft 50, each request drafts 10 and accepts 7
 * Run B (newer):
 *   "tiny-dense"      general g1..g6 pass, g7..g10 fail; gen_tps 30, ttft 200
 *   "tiny-moe experts=2" general g1..g10 judged 0.5 (scorer judge, graded);
 *                     gen_tps 120, ttft 80;
 *                     g10's output holds HTML that must be escaped
 */
#ifndef TEST_REPORT_FIXTURE_H
#define TEST_REPORT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "store/store.h"
#include "util/fs.h"
#include "util/mem.h"

struct fixture {
    char dir[256];
    char *db_path, *model_path, *draft_path;
    char run_a[STORE_RUN_ID_MAX], run_b[STORE_RUN_ID_MAX];
};

#define FIXTURE_EVIL_OUTPUT "<script>alert('x')</script> & <b>bold</b>"

static int fx_put(struct store *st, const char *run, int64_t cfg, int64_t suite, const char *item,
                  int warmup, const char *status, double gen_tps, double ttft, double e2e,
                  int64_t dn, int64_t da, const char *score_status, double value, int passed,
                  const char *output)
{
    struct store_sample s = {
        .run_id = run, .config_id = cfg, .suite_id = suite, .item_id = item, .status = status,
        .output = output ? output : "an answer", .ttft_ms = ttft, .e2e_ms = e2e, .tpot_ms = -1,
        .prompt_tokens = 10, .completion_tokens = 20, .cached_tokens = -1, .prompt_ms = -1,
        .prompt_tps = -1, .gen_ms = -1, .gen_tps = gen_tps, .draft_n = dn, .draft_accepted = da,
        .attempts = 1, .warmup = warmup, .t_start_s = 1.0,
        .error = strcmp(status, "ok") ? "HTTP 500 <server error>" : NULL,
    };
    /* a grade between 0 and 1 is a judge's (graded: its mean is the score) */
    struct store_score sc = { .scorer = value > 0 && value < 1 ? "judge" : "exact", .value = value,
                              .passed = passed, .status = score_status };
    struct bai_error err = { 0 };
    int64_t id = store_sample_put(st, &s, score_status ? &sc : NULL, &err);
    if (id < 0)
        fprintf(stderr, "fixture: %s\n", err.msg);
    return id < 0 ? -1 : 0;
}

static void fx_file(const char *path, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    for (size_t i = 0; i < size; i++)
        fputc('x', f);
    fclose(f);
}

/* Returns 0 and fills fx; the directory is removed by fixture_fini. */
static int fixture_build(struct fixture *fx)
{
    memset(fx, 0, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/benchai-report-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    fx->db_path = xasprintf("%s/s.db", fx->dir);
    fx->model_path = xasprintf("%s/tiny-dense.gguf", fx->dir);
    fx->draft_path = xasprintf("%s/tiny-draft.gguf", fx->dir);
    fx_file(fx->model_path, 2000000);
    fx_file(fx->draft_path, 500000);
    struct bai_error err = { 0 };
    struct store *st = store_open(fx->db_path, &err);
    if (!st) {
        fprintf(stderr, "fixture: %s\n", err.msg);
        return -1;
    }
    int rc = -1;
    const char *tags[] = { "base" };
    struct store_run_meta ma = { .host_json = "{\"cpu\":\"Test CPU\",\"cores\":4,\"ram_bytes\":8e9}",
                                 .plan_json = "{}", .note = "fixture run A", .tags = tags, .n_tags = 1 };
    struct store_run_meta mb = { .host_json = "{\"cpu\":\"Test CPU\",\"cores\":4}", .plan_json = "{}",
                                 .note = "fixture run B" };
    if (store_run_create(st, &ma, fx->run_a, &err) != 0)
        goto out;
    /* runs sort by start time, stored to the second (CLOCK_REALTIME, as
     * store_now_iso reads it): B must start in a later second than A, so
     * wait until that clock's second moves on */
    struct timespec a_started, now;
    clock_gettime(CLOCK_REALTIME, &a_started);
    do {
        usleep(10000);
        clock_gettime(CLOCK_REALTIME, &now);
    } while (now.tv_sec <= a_started.tv_sec);
    if (store_run_create(st, &mb, fx->run_b, &err) != 0)
        goto out;
    int64_t general = store_suite_add(st, "general", 1, "aaaa", &err);
    int64_t math = store_suite_add(st, "math", 1, "bbbb", &err);
    struct store_config dense = { .label = "tiny-dense", .backend = "llama-server",
                                  .model = fx->model_path, .params_json = "{}" };
    struct store_config spec = { .label = "tiny-dense k=4", .backend = "llama-server",
                                 .model = fx->model_path, .draft = fx->draft_path,
                                 .params_json = "{\"k\":4}" };
    struct store_config moe = { .label = "tiny-moe experts=2", .backend = "llama-server",
                                .model = "/nonexistent/tiny-moe.gguf", .params_json = "{\"experts\":2}" };
    int64_t a_dense = store_config_add(st, fx->run_a, &dense, &err);
    int64_t a_spec = store_config_add(st, fx->run_a, &spec, &err);
    int64_t b_dense = store_config_add(st, fx->run_b, &dense, &err);
    int64_t b_moe = store_config_add(st, fx->run_b, &moe, &err);
    if (general < 0 || math < 0 || a_dense < 0 || a_spec < 0 || b_dense < 0 || b_moe < 0)
        goto out;
    char item[16];
    int bad = 0;
    bad |= fx_put(st, fx->run_a, a_dense, general, "g0", 1, "ok", 1000, 5000, 50000, -1, -1, "scored", 0, 0, NULL);
    for (int i = 1; i <= 10; i++) {
        snprintf(item, sizeof item, "g%d", i);
        bad |= fx_put(st, fx->run_a, a_dense, general, item, 0, "ok", 10.0 * i, 100.0 * i, 1000.0 * i,
                      -1, -1, i == 10 ? "unparsed" : "scored", i <= 8 ? 1 : 0, i <= 8, NULL);
        bad |= fx_put(st, fx->run_a, a_spec, general, item, 0, "ok", 80, 50, 500, 10, 7, "scored",
                      i <= 9 ? 1 : 0, i <= 9, NULL);
        bad |= fx_put(st, fx->run_b, b_dense, general, item, 0, "ok", 30, 200, 2000, -1, -1, "scored",
                      i <= 6 ? 1 : 0, i <= 6, NULL);
        bad |= fx_put(st, fx->run_b, b_moe, general, item, 0, "ok", 120, 80, 800, -1, -1, "scored",
                      0.5, 0, i == 10 ? FIXTURE_EVIL_OUTPUT : NULL);
    }
    bad |= fx_put(st, fx->run_a, a_dense, general, "g11", 0, "error", -1, -1, -1, -1, -1, NULL, 0, 0, "");
    for (int i = 1; i <= 4; i++) {
        snprintf(item, sizeof item, "m%d", i);
        bad |= fx_put(st, fx->run_a, a_dense, math, item, 0, "ok", -1, -1, -1, -1, -1, "scored",
                      i <= 2 ? 1 : 0, i <= 2, NULL);
    }
    if (bad)
        goto out;
    store_run_set_status(st, fx->run_a, "done", &err);
    store_run_set_status(st, fx->run_b, "done", &err);
    rc = 0;
out:
    if (rc)
        fprintf(stderr, "fixture: %s\n", err.msg);
    store_close(st);
    return rc;
}

static void fixture_fini(struct fixture *fx)
{
    if (fx->dir[0]) {
        char *cmd[] = { "rm", "-rf", fx->dir, NULL };
        pid_t pid = fork();
        if (pid == 0) {
            execvp("rm", cmd);
            _exit(127);
        }
        int status;
        if (pid > 0)
            waitpid(pid, &status, 0);
    }
    free(fx->db_path);
    free(fx->model_path);
    free(fx->draft_path);
    memset(fx, 0, sizeof *fx);
}

#endif
