/* End-to-end tests against the real llama-server with the generated tiny
 * model: a run stores one sample per item with real server timings,
 * ignore_eos gives exactly max_tokens, Ctrl-C and SIGKILL leave no server
 * behind and a resumed run ends with exactly one sample per item, and bad
 * input gets a clear message and a documented exit code. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

Test(e2e, smoke_suite_end_to_end, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "suites/v1/smoke.yaml", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, "--threads", "2", NULL };
    char *out = NULL, *err = NULL;
    int code = harness_run(args, &out, &err);
    cr_assert_eq(code, 0, "exit %d\nstdout:\n%s\nstderr:\n%s", code, out, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE warmup = 0"), 5);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok'"), 5, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM scores"), 5);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE gen_tps > 0"), 5);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE ttft_ms > 0 AND e2e_ms >= ttft_ms"), 5);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    char *argv_stored = harness_sql_text(e.db, "SELECT server_argv FROM configs");
    cr_assert_not_null(strstr(argv_stored, "--parallel 1"), "%s", argv_stored);
    free(argv_stored);
    /* the printed table names the suite and the figures */
    cr_assert_not_null(strstr(out, "smoke"), "%s", out);
    cr_assert_not_null(strstr(out, "gen tok/s"), "%s", out);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0, "llama-server left running");
    free(out);
    free(err);
    harness_env_free(&e);
}

Test(e2e, ignore_eos_generates_exactly_max_tokens, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 4);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE completion_tokens = 24"), 4,
                 "completion_tokens must equal tg (24) with ignore_eos");
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE gen_tps > 0 AND tpot_ms > 0"), 4);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0);
    free(err);
    harness_env_free(&e);
}

/* Starts a long run, waits until `after` samples are stored, sends sig. */
static int interrupt_run(struct harness_env *e, int sig, int after, char **run_id)
{
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_long.yaml", "--store", e->db,
                           "--logs", e->logs, "--server-arg=--alias", e->alias_arg, NULL };
    pid_t pid = harness_spawn(args, e->dir);
    for (int i = 0; i < 1200; i++) {
        long long n = fs_exists(e->db) ? q(e, "SELECT count(*) FROM samples") : -1;
        if (n >= after)
            break;
        struct timespec ts = { 0, 50000000 };
        nanosleep(&ts, NULL);
    }
    kill(pid, sig);
    int code = harness_wait(pid);
    *run_id = harness_sql_text(e->db, "SELECT id FROM runs");
    return code;
}

static void resume_and_check(struct harness_env *e, const char *run_id)
{
    const char *args[] = { "resume", run_id, "--store", e->db, NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "resume failed (%d): %s", code, err);
    cr_assert_eq(q(e, "SELECT count(*) FROM samples"), 40, "exactly one sample per item after resume");
    cr_assert_eq(q(e, "SELECT count(DISTINCT item_id) FROM samples"), 40);
    cr_assert_eq(q(e, "SELECT count(*) FROM runs"), 1, "resume continues the same run");
    char *status = harness_sql_text(e->db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    free(err);
}

Test(e2e, ctrl_c_stops_cleanly_and_resume_completes, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    char *run_id = NULL;
    int code = interrupt_run(&e, SIGINT, 3, &run_id);
    cr_assert_eq(code, 5, "Ctrl-C exits with 5 (interrupted), got %d", code);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0, "llama-server left after Ctrl-C");
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "interrupted");
    free(status);
    long long stored = q(&e, "SELECT count(*) FROM samples");
    cr_assert(stored >= 3 && stored < 40, "stored %lld", stored);
    resume_and_check(&e, run_id);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0);
    free(run_id);
    harness_env_free(&e);
}

Test(e2e, sigkill_leaves_no_server_and_resume_completes, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    char *run_id = NULL;
    int code = interrupt_run(&e, SIGKILL, 2, &run_id);
    cr_assert_eq(code, 128 + SIGKILL);
    /* PR_SET_PDEATHSIG: the server dies with benchai */
    cr_assert_eq(harness_wait_servers_gone(e.marker, 5000), 0, "llama-server survived SIGKILL of benchai");
    cr_assert_not_null(run_id);
    resume_and_check(&e, run_id);
    free(run_id);
    harness_env_free(&e);
}

Test(e2e, bad_input_gets_one_clear_line_and_exit_code, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *err = NULL;
    const char *missing_model[] = { "run", "--suite", "smoke", "--model", "/nonexistent/m.gguf", "--store", e.db, NULL };
    cr_assert_eq(harness_run(missing_model, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "/nonexistent/m.gguf"), "%s", err);
    free(err);

    const char *missing_suite[] = { "run", "--suite", "no_such_suite_xyz", "--store", e.db, NULL };
    cr_assert_eq(harness_run(missing_suite, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "no_such_suite_xyz"), "%s", err);
    free(err);

    const char *bad_flag[] = { "run", "--bogus", NULL };
    cr_assert_eq(harness_run(bad_flag, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "--bogus"), "%s", err);
    free(err);

    const char *bad_cmd[] = { "frobnicate", NULL };
    cr_assert_eq(harness_run(bad_cmd, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "frobnicate"), "%s", err);
    free(err);

    /* a flag this llama-server does not have: refused before any start */
    const char *unknown[] = { "run", "--suite", "smoke", "--store", e.db, "--logs", e.logs,
                              "--server-arg=--no-such-llama-flag", NULL };
    cr_assert_eq(harness_run(unknown, NULL, &err), 2);
    cr_assert_not_null(strstr(err, "--no-such-llama-flag is not a flag of this llama-server"), "%s", err);
    free(err);

    /* a server that exits during start-up (a LoRA file that is not there):
     * its log's last lines are shown */
    const char *dies[] = { "run", "--suite", "smoke", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--lora", "--server-arg=/nonexistent-benchai-lora.gguf", NULL };
    cr_assert_eq(harness_run(dies, NULL, &err), 3);
    cr_assert_not_null(strstr(err, "exited during start-up"), "%s", err);
    cr_assert_not_null(strstr(err, "nonexistent-benchai-lora.gguf"), "%s", err);
    free(err);

    /* an endpoint nobody listens on */
    const char *nobody[] = { "run", "--suite", "smoke", "--store", e.db, "--backend", "openai",
                             "--url", "http://127.0.0.1:9", NULL };
    cr_assert_eq(harness_run(nobody, NULL, &err), 3);
    cr_assert_not_null(strstr(err, "127.0.0.1:9"), "%s", err);
    free(err);
    harness_env_free(&e);
}
