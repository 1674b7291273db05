/* Tests of `benchai status`: the planned totals a run records, counts per
 * (config, suite) with rate and ETA from the wall clock of the sends, the
 * last incident, and reading while another connection holds a write
 * transaction open (WAL). */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "fake_openai.h"
#include "test_store.h"
#include "util/clock.h"

static char *capture_status(const char *path, const char *run, const char *fmt)
{
    const char *args[] = { "status", "--store", path, "-o", fmt, run, NULL };   /* run NULL: none */
    char *out = NULL, *err = NULL;
    int rc = harness_run(args, &out, &err);
    cr_assert_eq(rc, 0, "%s", err);
    free(err);
    return out;
}

/* A running run that planned 10 samples of cfg/smoke and 4 of cfg2/smoke
 * and stored 3 of the first, sent 10 s apart. */
static void make_running(const char *path, struct ts_run *r)
{
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    const char *plan = "{\"argv\":[\"run\"],\"planned\":[{\"config\":\"cfg\",\"suite\":\"smoke\",\"samples\":10},"
                       "{\"config\":\"cfg2\",\"suite\":\"smoke\",\"samples\":4}]}";
    struct store_run_meta meta = { .host_json = "{}", .plan_json = plan };
    cr_assert_eq(store_run_create(st, &meta, r->id, &err), 0, "%s", err.msg);
    struct store_config cfg = { .label = "cfg", .backend = "openai", .model = "m" };
    r->config_id = store_config_add(st, r->id, &cfg, &err);
    r->suite_id = store_suite_add(st, "smoke", 1, "h-smoke", &err);
    double t0 = clock_wall_s() - 60;
    const char *items[] = { "a", "b", "c" };
    for (int i = 0; i < 3; i++) {
        struct store_sample s = ts_sample(r, items[i], "x");
        s.t_start_s = t0 + 10 * i;
        s.status = i == 2 ? "error" : "ok";
        cr_assert_gt(store_sample_put(st, &s, NULL, &err), 0, "%s", err.msg);
    }
    struct store_sample warm = ts_sample(r, "w", "x");
    warm.warmup = 1;
    warm.rep = 9;
    cr_assert_gt(store_sample_put(st, &warm, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(store_incident_add(st, r->id, r->config_id, "server_restart", "llama-server exited", &err), 0);
    store_close(st);
}

Test(status, planned_stored_rate_eta_and_incident)
{
    char *path = ts_path();
    struct ts_run r;
    make_running(path, &r);
    char *out = capture_status(path, NULL, "md");
    /* 3 sends over 20 s: 6/min; 7 to go at 0.1/s: 70 s for cfg; the run: 11 to go */
    cr_assert(strstr(out, "; 3 of 14 samples (21%), 6.0/min, ETA 1m50s\n"), "%s", out);
    /* errors, timeouts, score: no sample is scored here */
    cr_assert(strstr(out, "| cfg | smoke | 3 | 10 | 30% | 6.0 | 1m10s | 1 | 0 | - |\n"), "%s", out);
    cr_assert(strstr(out, "| cfg2 | smoke | 0 | 4 | 0% | - | - | - | - | - |\n"), "%s", out);
    cr_assert(strstr(out, "last incident: "), "%s", out);
    cr_assert(strstr(out, " server_restart: llama-server exited\n"), "%s", out);
    char *json = capture_status(path, r.id, "json");
    cr_assert(strstr(json, "\"planned\":\t10"), "%s", json);
    cr_assert(strstr(json, "\"samples\":\t3"), "warm-ups are left out: %s", json);
    free(json);
    free(out);
    free(path);
}

Test(status, reads_while_a_writer_holds_the_store)
{
    char *path = ts_path();
    struct ts_run r;
    make_running(path, &r);
    struct store *w = ts_open(path);
    struct bai_error err = { 0 };
    cr_assert_eq(store_begin(w, &err), 0, "%s", err.msg);
    struct store_sample s = ts_sample(&r, "d", "x");
    cr_assert_gt(store_sample_put(w, &s, NULL, &err), 0, "%s", err.msg);
    /* the uncommitted fourth sample is not seen, and nothing waits */
    int64_t t0 = clock_mono_ns();
    char *out = capture_status(path, r.id, "md");
    cr_assert(strstr(out, "| cfg | smoke | 3 | 10 |"), "%s", out);
    cr_assert_lt(clock_mono_ns() - t0, 3000000000LL, "status waited for the writer");
    free(out);
    cr_assert_eq(store_commit(w, &err), 0, "%s", err.msg);
    store_close(w);
    out = capture_status(path, r.id, "md");
    cr_assert(strstr(out, "| cfg | smoke | 4 | 10 |"), "%s", out);
    free(out);
    free(path);
}

/* A real run records what it plans: --limit 2 of smoke, 2 reps each. */
Test(status, a_run_records_its_planned_totals, .timeout = 60)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "42");
    char *path = ts_path(), *logs = xasprintf("%s.logs", path);
    char *argv[] = { "run", "--suite", "smoke", "--limit", "2", "--reps", "2", "--backend", "openai",
                     "--url", (char *)fake_openai_url(fake), "--model", "m", "--no-stream", "--warmup", "0",
                     "--store", path, "--logs", logs, "-q", NULL };
    cr_assert_eq(cmd_run(20, argv), BAI_EXIT_OK);
    fake_openai_stop(fake);
    char *out = capture_status(path, "latest", "md");
    cr_assert(strstr(out, ": done, started "), "%s", out);
    cr_assert(strstr(out, "; 4 of 4 samples (100%)"), "%s", out);
    cr_assert(strstr(out, "| m | smoke | 4 | 4 | 100% |"), "%s", out);
    free(out);
    free(logs);
    free(path);
}

/* The recorded owner decides what a running run is: this host's process
 * gone (a pid no process has) -> stopped; another host's -> not checked,
 * the host named; this process -> running. */
Test(status, a_running_runs_owner_is_checked_on_this_host_only)
{
    char *path = ts_path();
    struct ts_run r;
    make_running(path, &r);
    struct store *st = ts_open(path);
    struct bai_error err = { 0 };
    struct store_owner o;
    store_owner_self(&o);
    cr_assert_eq(store_owner_alive(&o), 1, "this process is alive");
    cr_assert_eq(store_run_set_owner(st, r.id, &o, &err), 0, "%s", err.msg);
    store_close(st);
    char *out = capture_status(path, r.id, "md");
    cr_assert(strstr(out, ": running, started"), "%s", out);
    free(out);

    st = ts_open(path);
    struct store_owner gone = o;
    gone.pid = 4194304;          /* above any pid_max: no such process */
    cr_assert_eq(store_owner_alive(&gone), 0);
    cr_assert_eq(store_run_set_owner(st, r.id, &gone, &err), 0, "%s", err.msg);
    store_close(st);
    out = capture_status(path, r.id, "md");
    cr_assert(strstr(out, ": stopped (no benchai process)"), "%s", out);
    free(out);

    st = ts_open(path);
    struct store_owner other = o;
    snprintf(other.host, sizeof other.host, "elsewhere.example");
    cr_assert_eq(store_owner_alive(&other), -1);
    cr_assert_eq(store_run_set_owner(st, r.id, &other, &err), 0, "%s", err.msg);
    store_close(st);
    out = capture_status(path, r.id, "md");
    cr_assert(strstr(out, ": running on host elsewhere.example, pid "), "%s", out);
    free(out);
    free(path);
}
