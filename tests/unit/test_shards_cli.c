/* test_shards_cli.c - sharded runs end to end through the benchai binary,
 * on a fake OpenAI endpoint or the command backend (no llama-server): the
 * run manifest and derived status (a missing, interrupted, killed shard;
 * shards sharing one store), resume into the store given, merges that
 * refuse shards that disagree, per-shard host/version/GPUs, the dry run of
 * one shard, merge inputs (unmatched patterns, -wal/-shm files), and the
 * shards table of `benchai plan`. Issue 23, items 3-6 and 8. */
#include <criterion/criterion.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_openai.h"
#include "harness.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/sha256.h"

/* The one command of every shard (a configuration must be the same in all
 * shards of a run): it answers at once, or after $BENCHAI_TEST_SLOW
 * seconds when that is set, so a test can stop a shard between samples. */
#define CMD "sh -c '[ -z \"$BENCHAI_TEST_SLOW\" ] || sleep \"$BENCHAI_TEST_SLOW\"; echo 4'"

static int bai(const char *const *args, char **out)
{
    char *err = NULL, *o = NULL;
    int rc = harness_run(args, &o, &err);
    if (out)
        *out = xasprintf("%s%s", o ? o : "", err ? err : "");
    free(o);
    free(err);
    return rc;
}

/* Runs SQL that may fail (a column a given schema lacks): 0 when it ran. */
static int sql_try(const char *db_path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc == SQLITE_OK ? 0 : -1;
}

static long long samples_in(const char *db)
{
    return access(db, F_OK) == 0 ? harness_sql_int(db, "SELECT count(*) FROM samples") : 0;
}

/* Waits until db holds at least n samples (10 s at most). */
static void wait_samples(const char *db, long long n)
{
    int64_t end = clock_mono_ns() + 10000000000LL;
    while (samples_in(db) < n && clock_mono_ns() < end)
        clock_sleep_ms(50);
    cr_assert_geq(samples_in(db), n, "%s never reached %lld samples", db, n);
}

/* The run's status in a store, as `runs -o json` reads it. */
static char *status_of(const char *db, const char *run)
{
    char *sql = xasprintf("SELECT status FROM runs WHERE id = '%s'", run);
    char *s = harness_sql_text(db, sql);
    free(sql);
    return s ? s : xstrdup("(none)");
}

/* Shard i of n of run `run` on the command backend: smoke's 5 items, 3
 * samples each (15 in all; shard 1 of 2 holds items 1-3, shard 2 items 4-5). */
static void shard_args(const char **a, const char *run, const char *shard, const char *db, const char *logs)
{
    const char *v[] = { "run", "--suite", "smoke", "--reps", "3", "--backend", "command", "--cmd", CMD, "--model",
                        "m", "--warmup", "0", "--run-id", run, "--shard", shard, "--store", db, "--logs", logs,
                        NULL };
    memcpy(a, v, sizeof v);
}

/* Starts shard i of n in the background, each answer taking slow seconds;
 * returns its pid. */
static pid_t spawn_shard(const char *dir, const char *run, const char *shard, const char *db, const char *slow)
{
    char *logs = xasprintf("%s/logs", dir), *outdir = xasprintf("%s/spawn", dir);
    mkdir(outdir, 0755);
    const char *a[26];
    shard_args(a, run, shard, db, logs);
    setenv("BENCHAI_TEST_SLOW", slow, 1);
    pid_t pid = harness_spawn(a, outdir);
    unsetenv("BENCHAI_TEST_SLOW");
    free(logs);
    free(outdir);
    return pid;
}

static int run_shard(const char *dir, const char *run, const char *shard, const char *db)
{
    char *logs = xasprintf("%s/logs", dir);
    const char *a[26];
    shard_args(a, run, shard, db, logs);
    char *out = NULL;
    int rc = bai(a, &out);
    free(out);
    free(logs);
    return rc;
}

/* Item 3: two of three shards merged are not a finished run, and merge
 * names the one that is missing. */
Test(shards, missing_shard_merges_to_an_incomplete_run, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *s1 = xasprintf("%s/s1.db", dir), *s2 = xasprintf("%s/s2.db", dir), *out = xasprintf("%s/all.db", dir);
    cr_assert_eq(run_shard(dir, "miss1", "1/3", s1), 0);
    cr_assert_eq(run_shard(dir, "miss1", "2/3", s2), 0);
    char *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    char *st = status_of(out, "miss1");
    cr_assert_str_neq(st, "done", "a run with shard 3 of 3 missing merged as done:\n%s", text);
    cr_assert(strstr(text, "missing 3"), "merge does not name the missing shard:\n%s", text);
    free(st);
    free(text);
    const char *r[] = { "runs", "--store", out, NULL };
    cr_assert_eq(bai(r, &text), 0);
    cr_assert(strstr(text, "missing 3"), "%s", text);
    free(text);
    free(s1);
    free(s2);
    free(out);
    free(dir);
}

/* Item 4: an interrupted shard merged, then resumed and merged again:
 * the run is done (merge kept the worst status before). */
Test(shards, merged_status_follows_a_resumed_shard, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *s1 = xasprintf("%s/s1.db", dir), *s2 = xasprintf("%s/s2.db", dir), *out = xasprintf("%s/all.db", dir);
    pid_t pid = spawn_shard(dir, "resum1", "1/2", s1, "0.4");
    wait_samples(s1, 1);
    kill(pid, SIGINT);
    cr_assert_eq(harness_wait(pid), 5, "an interrupted run exits 5");
    cr_assert_eq(run_shard(dir, "resum1", "2/2", s2), 0);
    char *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    char *st = status_of(out, "resum1");
    cr_assert_str_eq(st, "interrupted");
    free(st);
    const char *res[] = { "resume", "resum1", "--store", s1, NULL };
    cr_assert_eq(bai(res, &text), 0, "%s", text);
    free(text);
    const char *m2[] = { "merge", s1, "--out", out, NULL };
    cr_assert_eq(bai(m2, &text), 0, "%s", text);
    free(text);
    st = status_of(out, "resum1");
    cr_assert_str_eq(st, "done", "merged status stayed from the first merge");
    free(st);
    cr_assert_eq(harness_sql_int(out, "SELECT count(*) FROM samples WHERE run_id = 'resum1'"), 15);
    free(s1);
    free(s2);
    free(out);
    free(dir);
}

/* Item 4: a SIGKILLed shard's store says running forever; status shows
 * it stalled, and once it is resumed the merged run is done. */
Test(shards, killed_shard_is_stalled_and_resume_completes, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *s1 = xasprintf("%s/s1.db", dir), *s2 = xasprintf("%s/s2.db", dir), *out = xasprintf("%s/all.db", dir);
    pid_t pid = spawn_shard(dir, "kill1", "1/2", s1, "0.4");
    wait_samples(s1, 1);
    kill(pid, SIGKILL);
    harness_wait(pid);
    cr_assert_eq(run_shard(dir, "kill1", "2/2", s2), 0);
    char *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    const char *s[] = { "status", "kill1", "--store", out, NULL };
    cr_assert_eq(bai(s, &text), 0, "%s", text);
    cr_assert(strstr(text, "| 1/2 | stalled |"), "a killed shard is not shown stalled:\n%s", text);
    free(text);
    const char *res[] = { "resume", "kill1", "--store", s1, NULL };
    cr_assert_eq(bai(res, &text), 0, "%s", text);
    free(text);
    const char *m2[] = { "merge", s1, "--out", out, NULL };
    cr_assert_eq(bai(m2, &text), 0, "%s", text);
    free(text);
    char *st = status_of(out, "kill1");
    cr_assert_str_eq(st, "done", "a shard once killed keeps the merged run running");
    free(st);
    cr_assert_eq(harness_sql_int(out, "SELECT count(*) FROM samples WHERE run_id = 'kill1'"), 15);
    free(s1);
    free(s2);
    free(out);
    free(dir);
}

/* Item 4: two shards writing one store: while one still runs the run is
 * running, and status counts the whole plan (not the first shard's). */
Test(shards, shards_sharing_one_store, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *db = xasprintf("%s/one.db", dir);
    /* shard 1 holds items 1-3 of smoke, shard 2 items 4-5 */
    pid_t pid = spawn_shard(dir, "share1", "1/2", db, "1");
    wait_samples(db, 1);
    cr_assert_eq(run_shard(dir, "share1", "2/2", db), 0);
    cr_assert_eq(kill(pid, 0), 0, "shard 1 ended too early for this test");
    char *st = status_of(db, "share1");
    cr_assert_str_eq(st, "running", "one shard ended, the other still runs");
    free(st);
    char *text = NULL;
    const char *s[] = { "status", "share1", "--store", db, NULL };
    cr_assert_eq(bai(s, &text), 0, "%s", text);
    cr_assert(strstr(text, " of 15 samples ("), "status counts one shard's plan:\n%s", text);
    free(text);
    cr_assert_eq(harness_wait(pid), 0);
    st = status_of(db, "share1");
    cr_assert_str_eq(st, "done");
    free(st);
    cr_assert_eq(bai(s, &text), 0, "%s", text);
    cr_assert(strstr(text, "; 15 of 15 samples (100%)"), "%s", text);
    free(text);
    free(db);
    free(dir);
}

/* Item 5: `resume RUN --store COPY` continues in COPY, not in the store
 * the run was started with. */
Test(shards, resume_continues_in_the_store_given, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *a = xasprintf("%s/a.db", dir), *b = xasprintf("%s/b.db", dir);
    pid_t pid = spawn_shard(dir, "copy1", "1/1", a, "0.4");
    wait_samples(a, 1);
    kill(pid, SIGINT);
    cr_assert_eq(harness_wait(pid), 5);
    long long before = samples_in(a);
    cr_assert_lt(before, 15);
    char *cp = xasprintf("cp '%s' '%s'", a, b);
    cr_assert_eq(system(cp), 0);
    free(cp);
    char *text = NULL;
    const char *res[] = { "resume", "copy1", "--store", b, NULL };
    cr_assert_eq(bai(res, &text), 0, "%s", text);
    free(text);
    cr_assert_eq(samples_in(b), 15, "the copy was not completed");
    cr_assert_eq(samples_in(a), before, "the resume wrote into the store the run started in");
    free(a);
    free(b);
    free(dir);
}

/* Two shards of run `run` on the fast command, in s1 and s2 of dir. */
static void two_shards(const char *dir, const char *run, char **s1, char **s2)
{
    *s1 = xasprintf("%s/s1.db", dir);
    *s2 = xasprintf("%s/s2.db", dir);
    cr_assert_eq(run_shard(dir, run, "1/2", *s1), 0);
    cr_assert_eq(run_shard(dir, run, "2/2", *s2), 0);
}

/* Merging s1 and s2 into a new store must fail (exit 2) naming want. */
static void refused(const char *dir, const char *s1, const char *s2, const char *want)
{
    char *out = xasprintf("%s/refused.db", dir), *text = NULL;
    unlink(out);
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    int rc = bai(m, &text);
    cr_assert_eq(rc, 2, "shards that disagree (%s) were merged (exit %d):\n%s", want, rc, text);
    cr_assert(strstr(text, want), "the difference is not named (%s):\n%s", want, text);
    cr_assert_neq(access(out, F_OK), 0, "a refused merge created its output");
    free(text);
    free(out);
}

/* Item 6: shards that disagree are not merged silently; --allow-mixed
 * merges them and records it with the run. */
Test(shards, merge_refuses_shards_that_disagree, .timeout = 180)
{
    char *dir = harness_tempdir(), *s1, *s2;
    /* one suite name and version, two contents */
    char *sa = xasprintf("%s/a", dir), *sb = xasprintf("%s/b", dir);
    mkdir(sa, 0755);
    mkdir(sb, 0755);
    size_t len = 0;
    char *smoke = fs_read_file("suites/v1/smoke.yaml", &len, NULL);
    cr_assert_not_null(smoke);
    char *fa = xasprintf("%s/smoke.yaml", sa), *fb = xasprintf("%s/smoke.yaml", sb);
    cr_assert_eq(fs_write_atomic(fa, smoke, len, NULL), 0);
    char *edited = xstrdup(smoke);
    char *q = strstr(edited, "7 + 5");
    cr_assert_not_null(q);
    q[4] = '6';     /* an item edited without a new version */
    cr_assert_eq(fs_write_atomic(fb, edited, strlen(edited), NULL), 0);
    char *logs = xasprintf("%s/logs", dir);
    s1 = xasprintf("%s/s1.db", dir);
    s2 = xasprintf("%s/s2.db", dir);
    const char *r1[] = { "run", "--suite", fa, "--backend", "command", "--cmd", CMD, "--model", "m", "--warmup",
                         "0", "--run-id", "mix1", "--shard", "1/2", "--store", s1, "--logs", logs, NULL };
    const char *r2[] = { "run", "--suite", fb, "--backend", "command", "--cmd", CMD, "--model", "m", "--warmup",
                         "0", "--run-id", "mix1", "--shard", "2/2", "--store", s2, "--logs", logs, NULL };
    cr_assert_eq(bai(r1, NULL), 0);
    cr_assert_eq(bai(r2, NULL), 0);
    refused(dir, s1, s2, "different suite smoke");
    char *out = xasprintf("%s/mixed.db", dir), *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, "--allow-mixed", NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    cr_assert_eq(harness_sql_int(out, "SELECT count(*) FROM incidents WHERE kind = 'merge_mixed'"
                                      " AND message LIKE '%different suite smoke%'"), 1, "--allow-mixed is not recorded");
    free(out);
    free(s1);
    free(s2);

    /* the same suites; a benchai version, a llama.cpp build, a model file,
     * launch settings that differ under one configuration label */
    char *d2 = harness_tempdir();
    two_shards(d2, "mix2", &s1, &s2);
    static const struct { const char *one, *two, *two_more, *want; } cases[] = {
        { NULL, "UPDATE runs SET benchai_version = '0.0.9-other'",
          "UPDATE run_sessions SET benchai_version = '0.0.9-other'", "different benchai version" },
        { "UPDATE runs SET llama_build = 'b1-one'", "UPDATE runs SET llama_build = 'b9999-other'",
          "UPDATE run_sessions SET llama_build = 'b9999-other'", "different llama.cpp build" },
        { "UPDATE configs SET model_sha256 = 'aaaa'", "UPDATE configs SET model_sha256 = 'bbbb'", NULL,
          "different model sha256" },
        { NULL, "UPDATE configs SET params_json = '{\"np\":2}'", NULL, "different launch settings" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *c1 = xasprintf("%s/c1-%zu.db", d2, i), *c2 = xasprintf("%s/c2-%zu.db", d2, i);
        char *cmd = xasprintf("cp '%s' '%s' && cp '%s' '%s'", s1, c1, s2, c2);
        cr_assert_eq(system(cmd), 0);
        free(cmd);
        if (cases[i].one)
            cr_assert_eq(sql_try(c1, cases[i].one), 0, "%s", cases[i].one);
        cr_assert_eq(sql_try(c2, cases[i].two), 0, "%s", cases[i].two);
        if (cases[i].two_more)
            sql_try(c2, cases[i].two_more);     /* sessions: absent before schema v5 */
        refused(d2, c1, c2, cases[i].want);
        free(c1);
        free(c2);
    }
    free(s1);
    free(s2);
    free(d2);
    free(logs);
    free(fa);
    free(fb);
    free(sa);
    free(sb);
    free(edited);
    free(smoke);
    free(dir);
}

/* Item 6: each shard's host, benchai version and GPU binding are kept
 * per shard in the merged run. */
Test(shards, each_shard_keeps_host_version_and_gpus, .timeout = 120)
{
    char *dir = harness_tempdir();
    char *s1 = xasprintf("%s/s1.db", dir), *s2 = xasprintf("%s/s2.db", dir), *out = xasprintf("%s/all.db", dir);
    setenv("CUDA_VISIBLE_DEVICES", "3", 1);
    cr_assert_eq(run_shard(dir, "gpu1", "1/2", s1), 0);
    setenv("CUDA_VISIBLE_DEVICES", "5,6", 1);
    cr_assert_eq(run_shard(dir, "gpu1", "2/2", s2), 0);
    unsetenv("CUDA_VISIBLE_DEVICES");
    char *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    const char *s[] = { "show", "gpu1", "--store", out, NULL };
    cr_assert_eq(bai(s, &text), 0, "%s", text);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    char *row1 = xasprintf("| 1/2 | done | 9 | 9 | %s | ", host), *row2 = xasprintf("| 2/2 | done | 6 | 6 | %s | ", host);
    cr_assert(strstr(text, row1), "%s", text);
    cr_assert(strstr(text, row2), "%s", text);
    cr_assert(strstr(text, " | 3 |\n"), "shard 1's GPU binding: %s", text);
    cr_assert(strstr(text, " | 5,6 |\n"), "shard 2's GPU binding: %s", text);
    free(row1);
    free(row2);
    free(text);
    free(s1);
    free(s2);
    free(out);
    free(dir);
}

/* A plan of four endpoint points (all on the fake server) in dir. */
static char *endpoint_plan(const char *dir, const char *url)
{
    char *models = xasprintf("models:\n  - name: ep-a\n    url: %s\n  - name: ep-b\n    url: %s\n"
                             "  - name: ep-c\n    url: %s\n  - name: ep-d\n    url: %s\n", url, url, url, url);
    char *mp = xasprintf("%s/models.yaml", dir), *pp = xasprintf("%s/plan.yaml", dir);
    cr_assert_eq(fs_write_atomic(mp, models, strlen(models), NULL), 0);
    const char *plan = "plan: eps\nsuites: [smoke]\nreps: 1\nwarmup: 0\n"
                       "sweeps:\n  - name: eps\n    model: [ep-a, ep-b, ep-c, ep-d]\n";
    cr_assert_eq(fs_write_atomic(pp, plan, strlen(plan), NULL), 0);
    free(models);
    free(mp);
    return pp;
}

/* Item 8: `run --dry-run --shard 2/4` shows shard 2's point, not all four;
 * and `benchai plan --shards 4` puts each point on exactly one shard. */
Test(shards, dry_run_and_plan_show_whole_points_per_shard, .timeout = 60)
{
    char *dir = harness_tempdir();
    char *plan = endpoint_plan(dir, "http://127.0.0.1:9");
    char *text = NULL;
    const char *d[] = { "run", "--plan", plan, "--dry-run", "--shard", "2/4", NULL };
    cr_assert_eq(bai(d, &text), 0, "%s", text);
    int shown = 0;
    const char *labels[] = { "ep-a", "ep-b", "ep-c", "ep-d" };
    for (int i = 0; i < 4; i++) {
        char *line = xasprintf(". %s\n", labels[i]);
        shown += strstr(text, line) != NULL;
        free(line);
    }
    cr_assert_eq(shown, 1, "the dry run of shard 2 of 4 lists %d points:\n%s", shown, text);
    free(text);
    const char *p[] = { "plan", plan, "--shards", "4", "-o", "json", NULL };
    cr_assert_eq(bai(p, &text), 0, "%s", text);
    for (int i = 0; i < 4; i++) {
        char *needle = xasprintf("\"label\":\t\"%s\"", labels[i]);
        char *first = strstr(text, needle);
        cr_assert_not_null(first, "%s missing:\n%s", labels[i], text);
        cr_assert_null(strstr(first + 1, needle), "%s on two shards:\n%s", labels[i], text);
        free(needle);
    }
    cr_assert(strstr(text, "\"shards\":\t4"), "%s", text);
    free(text);
    free(plan);
    free(dir);
}

/* Item 8: a pattern that matches nothing is an error, and no empty output
 * store is left behind. */
Test(shards, merge_of_an_unmatched_pattern_creates_nothing)
{
    char *dir = harness_tempdir();
    char *pattern = xasprintf("%s/shards/none-*.db", dir), *out = xasprintf("%s/all.db", dir), *text = NULL;
    const char *m[] = { "merge", pattern, "--out", out, NULL };
    int rc = bai(m, &text);
    cr_assert_eq(rc, 2, "exit %d: %s", rc, text);
    cr_assert(strstr(text, "matches no file"), "%s", text);
    cr_assert_neq(access(out, F_OK), 0, "an empty store was created");
    free(text);
    free(pattern);
    free(out);
    free(dir);
}

/* Item 8: merging reads its inputs; it leaves no -wal/-shm beside them. */
Test(shards, merge_leaves_no_wal_beside_its_inputs, .timeout = 60)
{
    char *dir = harness_tempdir(), *s1, *s2;
    two_shards(dir, "wal1", &s1, &s2);
    char *w = xasprintf("%s-wal", s1), *h = xasprintf("%s-shm", s1);
    cr_assert_neq(access(w, F_OK), 0, "a finished run left its WAL");
    char *out = xasprintf("%s/all.db", dir), *text = NULL;
    const char *m[] = { "merge", s1, s2, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    cr_assert_neq(access(w, F_OK), 0, "merge left %s", w);
    cr_assert_neq(access(h, F_OK), 0, "merge left %s", h);
    free(text);
    free(out);
    free(w);
    free(h);
    free(s1);
    free(s2);
    free(dir);
}

/* The manifest is the whole run's: shards of a plan on the fake endpoint
 * merge into exactly the samples of an unsharded run, each once; a shard
 * started with another N joins no run. */
Test(shards, endpoint_plan_sharded_equals_unsharded, .timeout = 120)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "42");
    char *dir = harness_tempdir();
    char *plan = endpoint_plan(dir, fake_openai_url(fake));
    char *logs = xasprintf("%s/logs", dir), *whole = xasprintf("%s/whole.db", dir), *out = xasprintf("%s/all.db", dir);
    const char *u[] = { "run", "--plan", plan, "--no-stream", "--store", whole, "--logs", logs, "--run-id", "eps1", NULL };
    cr_assert_eq(bai(u, NULL), 0);
    char *shards[3];
    for (int i = 0; i < 3; i++) {
        shards[i] = xasprintf("%s/s%d.db", dir, i + 1);
        char *sh = xasprintf("%d/3", i + 1);
        const char *r[] = { "run", "--plan", plan, "--no-stream", "--store", shards[i], "--logs", logs,
                            "--run-id", "eps1", "--shard", sh, NULL };
        cr_assert_eq(bai(r, NULL), 0);
        free(sh);
    }
    /* a fourth process with another N is refused, naming both */
    char *text = NULL;
    const char *bad[] = { "run", "--plan", plan, "--no-stream", "--store", shards[0], "--logs", logs,
                          "--run-id", "eps1", "--shard", "1/2", NULL };
    cr_assert_eq(bai(bad, &text), 2, "%s", text);
    cr_assert(strstr(text, "planned as 3 shard(s)"), "%s", text);
    free(text);
    const char *m[] = { "merge", shards[0], shards[1], shards[2], "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    char *st = status_of(out, "eps1");
    cr_assert_str_eq(st, "done");
    free(st);
    const char *set = "SELECT count(*), count(DISTINCT c.label || '|' || s.item_id || '|' || s.rep)"
                      " FROM samples s JOIN configs c ON c.id = s.config_id";
    cr_assert_eq(harness_sql_int(out, set), 20);
    cr_assert_eq(harness_sql_int(whole, set), 20);
    cr_assert_eq(harness_sql_int(out, "SELECT count(DISTINCT c.label || '|' || s.item_id || '|' || s.rep)"
                                      " FROM samples s JOIN configs c ON c.id = s.config_id"), 20);
    /* each configuration ran in exactly one shard */
    cr_assert_eq(harness_sql_int(out, "SELECT max(n) FROM (SELECT count(DISTINCT se.shard) AS n FROM samples s"
                                      " JOIN run_sessions se ON se.id = s.session GROUP BY s.config_id)"), 1);
    for (int i = 0; i < 3; i++)
        free(shards[i]);
    fake_openai_stop(fake);
    free(plan);
    free(logs);
    free(whole);
    free(out);
    free(dir);
}

/* More shards than points (whole points only): the shards with nothing to
 * run are not waited for, and the others' merge is done. */
Test(shards, empty_shards_do_not_hold_a_run_back, .timeout = 120)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "42");
    char *dir = harness_tempdir();
    char *plan = endpoint_plan(dir, fake_openai_url(fake));
    char *logs = xasprintf("%s/logs", dir), *out = xasprintf("%s/all.db", dir);
    char *text = NULL;
    const char *p[] = { "plan", plan, "--shards", "6", "--split-above", "never", NULL };
    cr_assert_eq(bai(p, &text), 0, "%s", text);
    cr_assert(strstr(text, "note: 2 of the 6 shards have no point to run"), "%s", text);
    free(text);
    const char *m[16] = { "merge" };
    int nm = 1;
    char *dbs[4];
    for (int i = 0; i < 4; i++) {
        dbs[i] = xasprintf("%s/s%d.db", dir, i + 1);
        char *sh = xasprintf("%d/6", i + 1);
        const char *r[] = { "run", "--plan", plan, "--no-stream", "--store", dbs[i], "--logs", logs,
                            "--run-id", "empty1", "--shard", sh, "--split-above", "never", NULL };
        cr_assert_eq(bai(r, NULL), 0);
        free(sh);
        m[nm++] = dbs[i];
    }
    m[nm++] = "--out";
    m[nm++] = out;
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    char *st = status_of(out, "empty1");
    cr_assert_str_eq(st, "done", "shards 5 and 6 have nothing to run:\n%s", text);
    free(st);
    free(text);
    for (int i = 0; i < 4; i++)
        free(dbs[i]);
    fake_openai_stop(fake);
    free(plan);
    free(logs);
    free(out);
    free(dir);
}

/* An input of an older schema is read, not migrated in place: merged from
 * a snapshot, it stays byte for byte as it was (and gains no -wal/-shm). */
Test(shards, merge_reads_an_older_store_without_changing_it, .timeout = 60)
{
    char *dir = harness_tempdir();
    char *old = xasprintf("%s/v1.db", dir), *out = xasprintf("%s/all.db", dir);
    harness_sql_file(old, "tests/data/store/v1.sql");
    size_t len = 0;
    char *before = fs_read_file(old, &len, NULL), hb[65], ha[65];
    cr_assert_not_null(before);
    sha256_hex(before, len, hb);
    char *text = NULL;
    const char *m[] = { "merge", old, "--out", out, NULL };
    cr_assert_eq(bai(m, &text), 0, "%s", text);
    free(text);
    char *after = fs_read_file(old, &len, NULL);
    sha256_hex(after, len, ha);
    cr_assert_str_eq(ha, hb, "merge changed its input");
    char *w = xasprintf("%s-wal", old), *h = xasprintf("%s-shm", old);
    cr_assert_neq(access(w, F_OK), 0);
    cr_assert_neq(access(h, F_OK), 0);
    cr_assert_eq(harness_sql_int(out, "SELECT count(*) FROM samples"), 5, "the v1 fixture's 5 samples");
    cr_assert_eq(harness_sql_int(old, "SELECT value FROM meta WHERE key = 'schema_version'"), 1);
    char *leftover = xasprintf("ls %s | grep -c merge-", dir);
    cr_assert_neq(system(leftover), 0, "a snapshot was left beside the output");
    free(leftover);
    free(w);
    free(h);
    free(before);
    free(after);
    free(old);
    free(out);
    free(dir);
}
