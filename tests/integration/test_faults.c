/* Faults of a night-long run, against the real llama-server and the tiny
 * model (issue 14):
 *   - a server that stops answering without exiting (SIGSTOP) is found by
 *     its health checks, killed and restarted, and the run completes;
 *   - a server that keeps hanging or dying is given up for its point only,
 *     and the plan goes on with the next point;
 *   - benchai SIGKILLed at twenty random moments of a multi-point plan and
 *     resumed each time stores every (config, suite, item, rep) exactly once,
 *     the same set as an uninterrupted run;
 *   - a killed run whose suite file changed is not resumed unless --force.
 * Each prints its seed or timing on failure; all stay within a few minutes. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/health_watch.h"
#include "harness.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

/* Waits until the store holds at least n samples (or benchai exited). */
static void wait_samples(const struct harness_env *e, pid_t benchai, long long n)
{
    for (int i = 0; i < 2400; i++) {
        if (fs_exists(e->db) && q(e, "SELECT count(*) FROM samples") >= n)
            return;
        if (waitpid(benchai, NULL, WNOHANG) != 0)
            cr_assert_fail("benchai exited before %lld samples were stored", n);
        clock_sleep_ms(50);
    }
    cr_assert_fail("fewer than %lld samples after 120 s", n);
}

/* 1 while pid exists and is not a zombie. */
static int running(pid_t pid)
{
    char *cmd = harness_cmdline(pid);
    int alive = cmd && *cmd;       /* a zombie's cmdline is empty */
    free(cmd);
    return alive;
}

Test(faults, hung_server_is_found_by_health_checks_killed_and_restarted, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    /* --timeout 600 is the per-request timeout the hang must not wait for */
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_faults.yaml",
                           "--hang-timeout", "3", "--timeout", "600", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, NULL };
    pid_t pid = harness_spawn(args, e.dir);
    wait_samples(&e, pid, 3);
    pid_t server;
    cr_assert_eq(harness_child_servers(pid, &server, 1), 1, "no llama-server child of benchai");
    cr_assert_eq(kill(server, SIGSTOP), 0);
    int64_t t_stop = clock_mono_ns();
    while (running(server) && clock_mono_ns() - t_stop < 300 * 1000000000LL)
        clock_sleep_ms(20);
    double found_s = (double)(clock_mono_ns() - t_stop) / 1e9;
    /* found by /health after 3 s (plus a probe's slack on a loaded
     * machine), never by the 600 s request timeout */
    cr_assert_lt(found_s, 30, "the stopped server was killed only after %.1f s", found_s);
    cr_assert_geq(found_s, 2.5, "killed after %.1f s, before the hang timeout", found_s);
    int code = harness_wait(pid);
    char *err = harness_read(e.dir, "stderr");
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), 48, "no sample lost: %s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok'"), 48, "every sample answered");
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_died' AND message LIKE"
                       " '%hung: /health gave no answer%process state T (stopped)%SIGKILL%'"), 1,
                 "the incident says what was seen: %s", err);
    cr_assert_geq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_restarted'"), 1);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0, "a llama-server was left running");
    free(err);
    harness_env_free(&e);
}

/* Waits until the store holds more than `above` samples or ms pass;
 * returns 0 when benchai exited meanwhile. */
static int wait_progress(const struct harness_env *e, pid_t pid, long long above, int64_t ms)
{
    int64_t end = clock_mono_ns() + ms * 1000000LL;
    while (clock_mono_ns() < end) {
        siginfo_t si = { 0 };
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == pid)
            return 0;
        if (fs_exists(e->db) && q(e, "SELECT count(*) FROM samples") > above)
            return 1;
        clock_sleep_ms(5);
    }
    return 1;
}

/* Follows benchai's llama-server children: every one whose command line
 * has `match`, once it answers /health with 200 and has answered a request
 * (a sample more is stored: it is serving the suite, with requests in
 * flight), is stopped (the 1st, 3rd, ...) or killed (the 2nd, 4th, ...).
 * Returns how many it hit. */
static int sabotage_until_exit(const struct harness_env *e, pid_t benchai, const char *match,
                               int *exit_code)
{
    pid_t done[64];
    int n_done = 0;
    for (;;) {
        int status;
        if (waitpid(benchai, &status, WNOHANG) == benchai) {
            *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            return n_done;
        }
        pid_t kids[8];
        int n = harness_child_servers(benchai, kids, 8);
        for (int i = 0; i < n; i++) {
            int seen = 0;
            for (int j = 0; j < n_done; j++)
                seen |= done[j] == kids[i];
            char *cmd = harness_cmdline(kids[i]);
            int wanted = cmd && strstr(cmd, match);
            free(cmd);
            int port = harness_server_port(kids[i]);
            int http = 0;
            char why[160];
            if (seen || !wanted || port < 0 || n_done == 64 ||
                health_probe(port, 500, &http, why, sizeof why) != HEALTH_ANSWERED || http != 200)
                continue;
            long long stored = fs_exists(e->db) ? q(e, "SELECT count(*) FROM samples") : 0;
            if (!wait_progress(e, benchai, stored, 60000))
                break;                           /* benchai exited: reaped next turn */
            kill(kids[i], n_done % 2 == 0 ? SIGSTOP : SIGKILL);
            done[n_done++] = kids[i];
        }
        clock_sleep_ms(50);
    }
}

Test(faults, server_that_keeps_hanging_or_dying_is_given_up_for_its_point_only, .timeout = 400)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_faults.yaml", "--suite",
                           "tests/data/integration/speed_short.yaml", "--sweep", "np=1,2", "--warmup", "0",
                           "--hang-timeout", "2", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, NULL };
    pid_t pid = harness_spawn(args, e.dir);
    int code = -1;
    int hits = sabotage_until_exit(&e, pid, "--parallel 1 ", &code);
    char *err = harness_read(e.dir, "stderr"), *out = harness_read(e.dir, "stdout");
    cr_assert_eq(code, 0, "a given-up point does not end the plan; exit %d: %s", code, err);
    /* the scheduler restarts 3 times, the 4th death gives the point up */
    cr_assert_eq(hits, 4, "servers stopped or killed: %d\n%s", hits, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE label LIKE '%np=1' AND status = 'failed'"
                       " AND reason LIKE 'given up in suite speed_faults: %'"), 1, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'given_up'"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_died' AND message LIKE '%hung%'"), 2,
                 "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'server_died' AND message LIKE"
                       " '%killed by signal 9%'"), 2, "%s", err);
    /* np=1 stored nothing of its second suite; np=2 ran everything */
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN configs c ON c.id = s.config_id JOIN suites u"
                       " ON u.id = s.suite_id WHERE c.label LIKE '%np=1' AND u.name = 'speed_short'"), 0);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN configs c ON c.id = s.config_id"
                       " WHERE c.label LIKE '%np=2' AND s.status = 'ok'"), 52);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE label LIKE '%np=2' AND status = 'ok'"), 1);
    cr_assert(strstr(out, "failed: server given up"), "%s", out);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0, "a llama-server was left running");
    free(err);
    free(out);
    harness_env_free(&e);
}

/* (config, suite, item, rep) keys of the only run in db, sorted, one string. */
static char *sample_keys(const char *db)
{
    return harness_sql_text(db, "SELECT group_concat(k, ' ') FROM (SELECT c.label || '/' || u.name || '/' ||"
                                " s.item_id || '#' || s.rep AS k FROM samples s JOIN configs c ON c.id ="
                                " s.config_id JOIN suites u ON u.id = s.suite_id ORDER BY k)");
}

Test(faults, twenty_random_kills_store_every_sample_exactly_once, .timeout = 900)
{
    struct harness_env e = harness_env_setup();
    /* 4 configs (a 2x2 sweep) x 2 suites x 4 items x 4 reps = 128 samples */
    const char *plan[] = { "--suite", "tests/data/integration/speed_short.yaml", "--suite", "smoke",
                           "--limit", "4", "--reps", "4", "--sweep", "np=1,2", "--sweep", "threads=1,2",
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    enum { N_PLAN = sizeof plan / sizeof plan[0] - 1, EXPECTED = 128, KILLS = 20 };
    const char *run[N_PLAN + 4] = { "run", "--store", e.db };
    memcpy(run + 3, plan, sizeof plan);

    /* the uninterrupted run of the same plan, in its own store */
    char *ref_db = xasprintf("%s/reference.db", e.dir);
    const char *ref[N_PLAN + 4] = { "run", "--store", ref_db };
    memcpy(ref + 3, plan, sizeof plan);
    char *err = NULL;
    cr_assert_eq(harness_run(ref, NULL, &err), 0, "%s", err);
    free(err);
    char *ref_keys = sample_keys(ref_db);
    cr_assert_eq(harness_sql_int(ref_db, "SELECT count(*) FROM samples"), EXPECTED);

    unsigned seed = (unsigned)time(NULL) ^ (unsigned)getpid();
    srand(seed);
    int kills = 0;
    char *run_id = NULL;
    for (int attempt = 0; kills < KILLS; attempt++) {
        cr_assert_lt(attempt, 3 * KILLS, "seed %u: benchai kept ending before its kill", seed);
        long long before = fs_exists(e.db) ? q(&e, "SELECT count(*) FROM samples") : 0;
        const char *resume[] = { "resume", run_id, "--store", e.db, NULL };
        pid_t pid = harness_spawn(run_id ? resume : run, e.dir);
        /* Half the moments fall anywhere in the first 2.5 s (opening the
         * store, migrating, starting servers, warming up); the other half
         * just after the 1st to 3rd new sample, plus up to 150 ms, so they
         * land among the commits. Near the end only the first kind: a
         * resume starts every point's server again, which takes longer.
         * The first kind also ends at the 3rd new sample: on a quiet
         * machine 2.5 s store dozens, and the plan must outlast 20 kills. */
        int alive;
        if (kills % 2 == 0 || before > EXPECTED - 24)
            alive = wait_progress(&e, pid, before + 2, 100 + rand() % 2400);
        else
            alive = wait_progress(&e, pid, before + rand() % 3, 120000) &&
                    wait_progress(&e, pid, EXPECTED, rand() % 150);
        if (alive)
            kill(pid, SIGKILL);
        int code = harness_wait(pid);
        if (code == 128 + SIGKILL) {
            kills++;
            cr_assert_eq(harness_wait_servers_gone(e.marker, 5000), 0,
                         "seed %u: a llama-server outlived the SIGKILL of benchai", seed);
            if (fs_exists(e.db)) {
                const char *check[] = { "store", "check", "--store", e.db, NULL };
                char *out = NULL;
                cr_assert_eq(harness_run(check, &out, NULL), 0, "seed %u, kill %d: %s", seed, kills, out);
                free(out);
            }
        } else {
            err = harness_read(e.dir, "stderr");
            cr_assert_eq(code, 0, "seed %u: benchai failed (%d): %s", seed, code, err);
            free(err);
        }
        if (!run_id && fs_exists(e.db))
            run_id = harness_sql_text(e.db, "SELECT id FROM runs");
        cr_assert_lt(q(&e, "SELECT count(*) FROM samples"), EXPECTED,
                     "seed %u: the run completed after %d kills; the plan is too small", seed, kills);
    }
    cr_assert_not_null(run_id, "seed %u: no run was ever created", seed);
    const char *resume[] = { "resume", run_id, "--store", e.db, NULL };
    int code = harness_run(resume, NULL, &err);
    cr_assert_eq(code, 0, "seed %u: the final resume failed (%d): %s", seed, code, err);
    free(err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs"), 1, "every resume continued the same run");
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), EXPECTED, "seed %u", seed);
    cr_assert_eq(q(&e, "SELECT count(*) FROM (SELECT DISTINCT config_id, suite_id, item_id, rep FROM samples)"),
                 EXPECTED, "seed %u: a sample stored twice", seed);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE status = 'ok'"), 4);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples s JOIN suites u ON u.id = s.suite_id WHERE u.name = 'smoke'"
                       " AND NOT EXISTS (SELECT 1 FROM scores c WHERE c.sample_id = s.id)"), 0,
                 "seed %u: a scored sample without its score", seed);
    char *keys = sample_keys(e.db);
    cr_assert_str_eq(keys, ref_keys, "seed %u: the item set differs from the uninterrupted run's", seed);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    free(keys);
    free(ref_keys);
    free(ref_db);
    free(run_id);
    harness_env_free(&e);
}

Test(faults, resume_refuses_a_suite_changed_since_the_run_started_unless_forced, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    char *suite = xasprintf("%s/speed_faults.yaml", e.dir);     /* the name must match the file */
    char *text = fs_read_file("tests/data/integration/speed_faults.yaml", NULL, NULL);
    cr_assert_not_null(text);
    struct bai_error ferr = {0};
    cr_assert_eq(fs_write_atomic(suite, text, strlen(text), &ferr), 0, "%s", ferr.msg);
    const char *args[] = { "run", "--suite", suite, "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, NULL };
    pid_t pid = harness_spawn(args, e.dir);
    wait_samples(&e, pid, 3);
    kill(pid, SIGKILL);
    cr_assert_eq(harness_wait(pid), 128 + SIGKILL);
    char *run_id = harness_sql_text(e.db, "SELECT id FROM runs");
    long long kept = q(&e, "SELECT count(*) FROM samples");
    cr_assert(kept >= 3 && kept < 48, "%lld", kept);

    /* the file changes overnight: same name and version, other content */
    char *edited = xasprintf("%s  - {id: extra, prompt: \"speed\"}\n", text);
    cr_assert_eq(fs_write_atomic(suite, edited, strlen(edited), &ferr), 0, "%s", ferr.msg);
    const char *resume[] = { "resume", run_id, "--store", e.db, NULL };
    char *err = NULL;
    int code = harness_run(resume, NULL, &err);
    cr_assert_eq(code, 2, "a changed suite is refused (exit %d): %s", code, err);
    cr_assert(strstr(err, "suite speed_faults changed since run") && strstr(err, "--force"),
              "the message names the suite and the way out: %s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples"), kept, "nothing was sent");
    cr_assert_eq(harness_count_servers(e.marker), 0, "no server was started");
    free(err);

    const char *forced[] = { "resume", run_id, "--store", e.db, "--force", NULL };
    code = harness_run(forced, NULL, &err);
    cr_assert_eq(code, 0, "--force continues (exit %d): %s", code, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'suite_changed'"), 1,
                 "accepting the change is recorded with the run");
    cr_assert_eq(q(&e, "SELECT count(*) FROM runs"), 1);
    char *status = harness_sql_text(e.db, "SELECT status FROM runs");
    cr_assert_str_eq(status, "done");
    free(status);
    free(err);
    free(edited);
    free(run_id);
    free(text);
    free(suite);
    harness_env_free(&e);
}
