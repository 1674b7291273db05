/* Two llama-servers on one small machine (issue 14): benchai finds a
 * llama-server it did not start, warns and records it with the run; a
 * judge it launches and the server under test split the cores, and the
 * split is recorded. Real processes, the tiny model. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backend/llama_server.h"
#include "harness.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

/* 1 when the first line of text has n as a whole number. */
static int mentions_number(const char *text, long n)
{
    char num[32];
    snprintf(num, sizeof num, "%ld", n);
    const char *end = strchr(text, '\n');
    for (const char *p = text; (p = strstr(p, num)) && (!end || p < end); p++)
        if ((p == text || p[-1] < '0' || p[-1] > '9') && (p[strlen(num)] < '0' || p[strlen(num)] > '9'))
            return 1;
    return 0;
}

Test(machine, competing_llama_server_is_warned_about_and_recorded, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    /* a llama-server this benchai did not start: the test's own */
    char *bin = harness_llama_server(), *model = harness_model("tiny-dense");
    char *log = xasprintf("%s/other-server.log", e.dir);
    struct settings set = {0};
    struct bai_error berr = {0};
    settings_set(&set, SETTING_NP, "1", "test", &berr);
    settings_set(&set, SETTING_THREADS, "1", "test", &berr);
    settings_set(&set, SETTING_SERVER_ARGS, "--alias", "test", &berr);
    settings_set(&set, SETTING_SERVER_ARGS, e.marker, "test", &berr);
    struct llama_server_config cfg = { .binary = bin, .model = model, .settings = &set, .log_path = log };
    struct llama_server *other = llama_server_start(&cfg, &berr);
    settings_free(&set);
    cr_assert_not_null(other, "%s", berr.msg);
    long other_pid = (long)llama_server_pid(other);

    const char *args[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    const char *warning = strstr(err, "warning: llama-server not started by this benchai is running");
    cr_assert_not_null(warning, "%s", err);
    cr_assert(mentions_number(warning, other_pid), "a warning naming pid %ld:\n%s", other_pid, err);
    char *incident = harness_sql_text(e.db, "SELECT message FROM incidents WHERE kind = 'competing_server'");
    cr_assert(incident && mentions_number(incident, other_pid), "the finding is stored with the run: %s", incident);
    free(incident);
    char *sql = xasprintf("SELECT count(*) FROM configs, json_each(json_extract(props_json,"
                          " '$.competing_llama_servers')) WHERE json_extract(value, '$.pid') = %ld", other_pid);
    cr_assert_eq(q(&e, sql), 1, "and with the config's description");
    free(sql);
    /* benchai's own server (it has the marker too) is not its own competitor */
    sql = xasprintf("SELECT count(*) FROM configs, json_each(json_extract(props_json, '$.competing_llama_servers'))"
                    " WHERE json_extract(value, '$.cmdline') LIKE '%%%s%%'", e.marker);
    cr_assert_eq(q(&e, sql), 1, "only the test's server is listed");
    free(sql);
    free(err);
    llama_server_stop(other, 2000);
    free(log);
    free(bin);
    free(model);
    harness_env_free(&e);
}

Test(machine, launched_judge_and_server_under_test_split_the_cores, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *judge = harness_model("tiny-dense");
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--judge-gguf", judge,
                           "--store", e.db, "--logs", e.logs, "--server-arg=--alias", e.alias_arg, NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    long judge_threads = cores > 1 ? cores / 2 : 1;
    long server_threads = cores - judge_threads > 1 ? cores - judge_threads : 1;
    char *want = xasprintf("%% --threads %ld %%", server_threads);
    char *sql = xasprintf("SELECT count(*) FROM configs WHERE server_argv LIKE '%s'", want);
    cr_assert_eq(q(&e, sql), 1, "the server under test runs with the %ld threads the judge leaves (%ld cores)",
                 server_threads, cores);
    free(sql);
    sql = xasprintf("SELECT count(*) FROM configs WHERE json_extract(props_json, '$.thread_split.cores') = %ld"
                    " AND json_extract(props_json, '$.thread_split.threads') = %ld"
                    " AND json_extract(props_json, '$.thread_split.others[0].role') = 'judge'"
                    " AND json_extract(props_json, '$.thread_split.others[0].threads') = %ld",
                    cores, server_threads, judge_threads);
    cr_assert_eq(q(&e, sql), 1, "the split is recorded with the config");
    free(sql);
    /* an explicit --threads is kept as it is */
    const char *explicit_threads[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--judge-gguf",
                                       judge, "--threads", "3", "--store", e.db, "--logs", e.logs,
                                       "--server-arg=--alias", e.alias_arg, NULL };
    free(err);
    cr_assert_eq(harness_run(explicit_threads, NULL, &err), 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE server_argv LIKE '% --threads 3 %'"), 1);
    free(err);
    free(want);
    free(judge);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 3000), 0);
    harness_env_free(&e);
}
