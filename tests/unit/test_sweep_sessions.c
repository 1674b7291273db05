/* test_sweep_sessions.c - the aggregate tokens/s of an -np point is
 * computed per server session (a shard, a resume) and then combined, so a
 * point whose samples were stored by two sessions far apart in time (two
 * shards of a merged run) keeps the throughput each session measured
 * (issue 23, item 7). Figures are worked out by hand next to the test. */
#include <criterion/criterion.h>
#include <sqlite3.h>
#include <string.h>

#include "report/sweep.h"
#include "test_store.h"

static int64_t add_config(struct store *st, const char *run, const char *label, const char *params)
{
    struct bai_error err = { 0 };
    struct store_config cfg = { .label = label, .backend = "llama-server", .model = "/m/tiny.gguf",
                                .params_json = params };
    int64_t id = store_config_add(st, run, &cfg, &err);
    cr_assert_gt(id, 0, "%s", err.msg);
    return id;
}

/* n samples of 100 tokens, each 2 s long, sent every step seconds from t0. */
static void add_samples(struct store *st, const struct ts_run *r, int64_t config, const char *prefix, int n,
                        double t0, double step)
{
    struct bai_error err = { 0 };
    for (int i = 0; i < n; i++) {
        char item[32];
        snprintf(item, sizeof item, "%s%d", prefix, i);
        struct ts_run rc = *r;
        rc.config_id = config;
        struct store_sample s = ts_sample(&rc, item, "x");
        s.t_start_s = t0 + step * i;
        s.e2e_ms = 2000;
        s.completion_tokens = 100;
        s.gen_tps = 50;
        cr_assert_gt(store_sample_put(st, &s, NULL, &err), 0, "%s", err.msg);
    }
}

/* np=1: 10 samples 2 s apart, 1,000 tokens over 20 s: 50 tok/s.
 * np=2: two sessions (shards) an hour apart, each 10 samples 1 s apart:
 * 1,000 tokens over 11 s each, 90.9 tok/s combined. One span over both
 * would give 2,000 tokens over 3,611 s: 0.6 tok/s, and pick np=1. */
Test(sweep_sessions, np_throughput_per_server_session)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run r;
    ts_make_run(st, &r, "unused", "speed", NULL);
    int64_t np1 = add_config(st, r.id, "tiny np=1", "{\"np\":1}");
    int64_t np2 = add_config(st, r.id, "tiny np=2", "{\"np\":2}");
    add_samples(st, &r, np1, "a", 10, 1000, 2);
    add_samples(st, &r, np2, "b", 10, 1000, 1);
    add_samples(st, &r, np2, "c", 10, 4600, 1);
    /* the two sessions that stored np=2's samples (as two shards would) */
    char *sql = xasprintf("UPDATE samples SET session = CASE WHEN t_start_s >= 4600 THEN 2 ELSE 1 END"
                          " WHERE config_id = %lld", (long long)np2);
    sqlite3_exec(store_db(st), sql, NULL, NULL, NULL);
    free(sql);
    struct buf out = { 0 };
    struct bai_error err = { 0 };
    cr_assert_eq(report_sweep_markdown(store_db(st), r.id, &out, &err), 0, "%s", err.msg);
    cr_assert(strstr(out.data, "| 1 | 50.0 | 1.00x |"), "%s", out.data);
    cr_assert(strstr(out.data, "| 2 | **90.9** | 1.82x |"), "np=2's throughput spans both sessions:\n%s", out.data);
    const char *row2 = strstr(out.data, "| 2 | ");
    cr_assert(row2 && strstr(row2, "<- chosen"), "%s", out.data);
    buf_free(&out);
    store_close(st);
    free(path);
}
