/* Launch settings against the real llama-server and the tiny models: one
 * server process for the points that differ only in request settings, a K
 * sweep on the pinned build (which takes no speculative settings per
 * request) restarting per K, and the server's environment and wrapper
 * command reaching the process. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

/* temperature (request) x np (launch), written temperature first: the
 * points are ordered so each np's server serves both temperatures, two
 * starts instead of four, and every request carried its temperature. */
Test(launch, request_settings_share_one_server, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "smoke", "--limit", "2", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, "--sweep", "temperature=0,0.7", "--sweep",
                           "np=1,2", NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs"), 4);
    cr_assert_eq(q(&e, "SELECT count(DISTINCT json_extract(props_json, '$.server_session')) FROM configs"), 2,
                 "two servers for four points");
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'shared_server'"), 2);
    /* the two points of one server are np=1 (ids in run order) */
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE json_extract(props_json, '$.server_session') = 1"
                       " AND label LIKE '%np=1 %'"), 2);
    /* one log file per server started */
    char *dir = harness_sql_text(e.db, "SELECT id FROM runs");
    char *logs = xasprintf("%s/%s", e.logs, dir);
    size_t n = 0;
    const char *suffix[] = { ".log", NULL };
    char **files = fs_list_suffix(logs, suffix, &n);
    cr_assert_eq(n, 2, "server logs: %zu", n);
    for (size_t i = 0; i < n; i++)
        free(files[i]);
    free(files);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE status = 'ok'"), 8);
    cr_assert_eq(harness_wait_servers_gone(e.marker, 2000), 0);
    free(logs);
    free(dir);
    free(err);
    harness_env_free(&e);
}

/* The pinned build compiles per-request speculative settings out, so a K
 * sweep starts one server per K; the configs record that K was a launch
 * flag, and the acceptance differs by K as a real measurement. */
Test(launch, k_sweep_restarts_on_the_pinned_build, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *draft = harness_model("tiny-draft-same");
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_short.yaml", "--store", e.db,
                           "--logs", e.logs, "--server-arg=--alias", e.alias_arg, "--draft", draft,
                           "--sweep", "k=1,4", NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(DISTINCT json_extract(props_json, '$.server_session')) FROM configs"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE json_extract(props_json, "
                       "'$.speculative_per_request') = 0"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs WHERE server_argv LIKE '%--spec-draft-n-max 4%'"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM samples WHERE draft_n > 0"), 8);
    free(draft);
    free(err);
    harness_env_free(&e);
}

/* --server-env sets and removes variables of the server's environment and
 * --server-wrapper runs it under a command: a wrapper script records what
 * the process got, then becomes the server. */
Test(launch, environment_and_wrapper_reach_the_server, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *wrap = xasprintf("%s/wrap.sh", e.dir), *seen = xasprintf("%s/seen.env", e.dir);
    FILE *f = fopen(wrap, "w");
    fprintf(f, "#!/bin/sh\nenv > '%s'\nexec \"$@\"\n", seen);
    fclose(f);
    chmod(wrap, 0755);
    setenv("GGML_BENCHAI_TEST", "inherited", 1);
    const char *args[] = { "run", "--suite", "smoke", "--limit", "1", "--store", e.db, "--logs", e.logs,
                           "--server-arg=--alias", e.alias_arg, "--server-wrapper", wrap, "--server-env",
                           "OMP_NUM_THREADS=1", "--server-env", "GGML_BENCHAI_TEST=unset", NULL };
    char *err = NULL;
    int code = harness_run(args, NULL, &err);
    unsetenv("GGML_BENCHAI_TEST");
    cr_assert_eq(code, 0, "%s", err);
    char *env = fs_read_file(seen, NULL, NULL);
    cr_assert_not_null(env, "the wrapper ran");
    cr_assert(strstr(env, "OMP_NUM_THREADS=1\n"), "%s", env);
    cr_assert_null(strstr(env, "GGML_BENCHAI_TEST"), "removed from the server's environment");
    char *argv_stored = harness_sql_text(e.db, "SELECT server_argv FROM configs");
    cr_assert(!strncmp(argv_stored, "env -u GGML_BENCHAI_TEST OMP_NUM_THREADS=1 ", 43), "%s", argv_stored);
    cr_assert(strstr(argv_stored, "wrap.sh"), "%s", argv_stored);
    char *id = harness_sql_text(e.db, "SELECT identity_json FROM configs");
    cr_assert(strstr(id, "\"env\":[\"GGML_BENCHAI_TEST\",\"OMP_NUM_THREADS=1\"]"), "%s", id);
    cr_assert(strstr(id, "\"wrapper\":"), "%s", id);
    free(id);
    free(argv_stored);
    free(env);
    free(wrap);
    free(seen);
    free(err);
    harness_env_free(&e);
}

/* A plan's defaults give its config the demo's label ("tiny-dense") but
 * another identity: table keeps both rows apart, compare names the
 * difference and gate refuses to pair them (exit 2) unless allowed. */
Test(launch, same_label_other_identity_is_never_one_config, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *model = harness_model("tiny-dense");
    char *plan = xasprintf("%s/p.yaml", e.dir);
    FILE *f = fopen(plan, "w");
    fprintf(f, "defaults:\n  threads: 1\n  ctx: 2048\nsweeps:\n  - model: %s\n", model);
    fclose(f);
    const char *a[] = { "run", "--suite", "smoke", "--limit", "2", "--model", model, "--store", e.db, "--logs",
                        e.logs, "--server-arg=--alias", e.alias_arg, "--tag", "demo", NULL };
    const char *b[] = { "run", "--suite", "smoke", "--limit", "2", "--plan", plan, "--store", e.db, "--logs", e.logs,
                        "--server-arg=--alias", e.alias_arg, "--tag", "plan", NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(a, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(harness_run(b, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(q(&e, "SELECT count(DISTINCT label) FROM configs"), 1, "one label");
    cr_assert_eq(q(&e, "SELECT count(DISTINCT identity) FROM configs"), 2, "two identities");
    const char *table[] = { "table", "--store", e.db, NULL };
    char *out = NULL;
    cr_assert_eq(harness_run(table, &out, NULL), 0);
    cr_assert(strstr(out, "tiny-dense {ctx=2048 threads=1}") && strstr(out, "tiny-dense {ctx=default threads=default}"),
              "%s", out);
    free(out);
    const char *gate[] = { "gate", "--baseline", "tag:demo", "--candidate", "tag:plan", "--store", e.db, NULL };
    cr_assert_eq(harness_run(gate, NULL, &err), 2, "%s", err);
    cr_assert(strstr(err, "settings.threads: (unset) vs 1") && strstr(err, "settings.ctx: (unset) vs 2048"), "%s", err);
    free(err);
    const char *allowed[] = { "gate", "--baseline", "tag:demo", "--candidate", "tag:plan", "--store", e.db,
                              "--allow-different-configs", NULL };
    cr_assert_neq(harness_run(allowed, NULL, NULL), 2);
    free(plan);
    free(model);
    harness_env_free(&e);
}
