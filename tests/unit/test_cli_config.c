/* Tests of the config file (cli/config_file.h): where it is looked for, what it
 * may hold, errors as file:line:column, and the precedence command line >
 * compatibility variable > file > built-in default. Every test writes its
 * file under a temp XDG_CONFIG_HOME. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/config_file.h"
#include "util/defaults.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "fake_openai.h"
#include "harness.h"
#include "util/mem.h"

static char *dir, *path;
static struct cli_config cfg;
static struct bai_error err;

static void setup(void)
{
    dir = harness_tempdir();
    setenv("XDG_CONFIG_HOME", dir, 1);
    unsetenv("BENCHAI_STORE");
    unsetenv("BENCHAI_LLAMA_SERVER");
    char *sub = malloc(strlen(dir) + 16);
    sprintf(sub, "%s/benchai", dir);
    mkdir(sub, 0755);
    free(sub);
    path = cli_config_default_path();
    memset(&cfg, 0, sizeof cfg);
    memset(&err, 0, sizeof err);
}

static void teardown(void)
{
    cli_config_set_current(NULL);
    cli_config_free(&cfg);
    free(path);
    free(dir);
}

TestSuite(cli_config, .init = setup, .fini = teardown);

static void write_config(const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs(text, f);
    fclose(f);
}

static int load(const char *text)
{
    write_config(text);
    return cli_config_load(path, &cfg, &err);
}

Test(cli_config, path_follows_xdg_config_home)
{
    char want[4096];
    snprintf(want, sizeof want, "%s/benchai/config.yaml", dir);
    cr_assert_str_eq(path, want);
    setenv("XDG_CONFIG_HOME", "", 1);
    setenv("HOME", "/home/someone", 1);
    char *p = cli_config_default_path();
    cr_assert_str_eq(p, "/home/someone/.config/benchai/config.yaml");
    free(p);
}

Test(cli_config, a_missing_file_sets_nothing)
{
    cr_assert_eq(cli_config_load(path, &cfg, &err), 0, "%s", err.msg);
    cr_assert_eq(cfg.exists, 0);
    cli_config_set_current(&cfg);
    cr_assert_str_eq(cli_default_store(), BAI_STORE_PATH);
    cr_assert_null(cli_config_source(CLI_CFG_STORE));
}

Test(cli_config, every_setting)
{
    setenv("HOME", "/home/u", 1);
    cr_assert_eq(load("# my settings\n"
                      "store: /data/bench.db\n"
                      "output: csv\n"
                      "llama_server: ~/llama.cpp/build/bin/llama-server\n"
                      "threads: 8\n"
                      "models:\n"
                      "  qwen7b: ~/models/qwen.gguf\n"
                      "  draft: /m/draft.gguf\n"
                      "judge:\n"
                      "  url: http://127.0.0.1:8081\n"
                      "  model: judge\n"
                      "  api_key_env: JUDGE_KEY\n"), 0, "%s", err.msg);
    cli_config_set_current(&cfg);
    cr_assert_str_eq(cli_default_store(), "/data/bench.db");
    cr_assert_str_eq(cli_config_get(CLI_CFG_LLAMA_SERVER), "/home/u/llama.cpp/build/bin/llama-server");
    cr_assert_str_eq(cli_config_get(CLI_CFG_THREADS), "8");
    cr_assert_str_eq(cli_config_get(CLI_CFG_JUDGE_URL), "http://127.0.0.1:8081");
    cr_assert_str_eq(cli_config_get(CLI_CFG_JUDGE_MODEL), "judge");
    cr_assert_str_eq(cli_config_get(CLI_CFG_JUDGE_API_KEY_ENV), "JUDGE_KEY");
    cr_assert_null(cli_config_get(CLI_CFG_JUDGE_GGUF));
    cr_assert_str_eq(cli_config_model("qwen7b"), "/home/u/models/qwen.gguf");
    cr_assert_str_eq(cli_config_model("draft"), "/m/draft.gguf");
    cr_assert_null(cli_config_model("qwen"));
    /* -o: the file's format where the command has it, else the command's default */
    cr_assert_str_eq(cli_default_format(cli_formats_md_csv_json, "md"), "csv");
    cr_assert_str_eq(cli_default_format(cli_formats_md_json, "md"), "md");
    char *src = cli_config_source(CLI_CFG_THREADS), want[4096];
    snprintf(want, sizeof want, "%s:5", path);
    cr_assert_str_eq(src, want);
    free(src);
}

Test(cli_config, compatibility_variables_beat_the_file)
{
    cr_assert_eq(load("store: from-file.db\nllama_server: /file/llama-server\n"), 0, "%s", err.msg);
    cli_config_set_current(&cfg);
    setenv("BENCHAI_STORE", "from-env.db", 1);
    cr_assert_str_eq(cli_default_store(), "from-env.db");
    char *src = cli_config_source(CLI_CFG_STORE);
    cr_assert_str_eq(src, "environment BENCHAI_STORE");
    free(src);
    setenv("BENCHAI_STORE", "", 1);
    cr_assert_str_eq(cli_default_store(), "from-file.db", "an empty variable is unset");
    unsetenv("BENCHAI_STORE");
}

static void load_fails(const char *text, const char *where_what)
{
    cr_assert_eq(load(text), -1, "accepted: %s", text);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    char want[4096];
    snprintf(want, sizeof want, "%s:%s", path, where_what);
    cr_assert_str_eq(err.msg, want);
    cli_config_free(&cfg);
}

Test(cli_config, errors_name_file_line_and_column)
{
    load_fails("store: a.db\nstroe: b.db\n",
               "2:1: unknown key 'stroe'; did you mean 'store'? (known: store, output, llama_server, "
               "threads, models, judge, models_file, roles_file)");
    load_fails("threads: 0\n", "1:10: threads: expected an integer from 1 to 4096, got '0'");
    load_fails("output: xml\n", "1:9: output: expected md, csv, json or jsonl, got 'xml'");
    load_fails("judge:\n  url: localhost:8081\n",
               "2:8: judge.url: expected an http:// or https:// URL, got 'localhost:8081'");
    load_fails("judge:\n  api_key_env: sk-123abc\n",
               "2:16: judge.api_key_env: expected the name of an environment variable (the file never "
               "holds the key itself), got 'sk-123abc'");
    load_fails("judge:\n  modle: x\n",
               "2:3: unknown key 'modle' in judge; did you mean 'model'? (known: url, model, api_key_env, gguf)");
    load_fails("models: [a, b]\n", "1:9: models: expected a mapping, got a list");
    load_fails("models:\n  a/b: x.gguf\n", "2:3: models: a model name is a word without '/', got 'a/b'");
    load_fails("models:\n  a: x.gguf\n  a: y.gguf\n", "3:3: models: 'a' is named twice (first at line 2)");
    load_fails("store:\n  nested: 1\n", "2:3: store: expected a path, got a mapping");
    load_fails("store: [unclosed\n", "2:1: did not find expected ',' or ']'");
}

Test(cli_config, empty_file_is_fine)
{
    cr_assert_eq(load("# nothing yet\n"), 0, "%s", err.msg);
    cr_assert_eq(cfg.exists, 1);
    cr_assert_null(cfg.v[CLI_CFG_STORE].value);
}

/* The binary reads the file of its XDG_CONFIG_HOME: a broken file stops a
 * command with file:line:column, a valid one gives the default store. */
Test(cli_config, the_binary_uses_the_file)
{
    write_config("threads: many\n");
    const char *show[] = { "store", "path", NULL };
    char *out = NULL, *errs = NULL;
    cr_assert_eq(harness_run(show, &out, &errs), BAI_EXIT_USAGE);
    cr_assert(strstr(errs, "config.yaml:1:10: threads: expected an integer"), "%s", errs);
    free(out);
    free(errs);
    char text[4096];
    snprintf(text, sizeof text, "store: %s/elsewhere.db\n", dir);
    write_config(text);
    cr_assert_eq(harness_run(show, &out, &errs), BAI_EXIT_OK, "%s", errs);
    cr_assert(strstr(out, "/elsewhere.db (does not exist yet"), "%s", out);
    free(out);
    free(errs);
    const char *given[] = { "store", "path", "--store", "given.db", NULL };
    cr_assert_eq(harness_run(given, &out, &errs), BAI_EXIT_OK, "%s", errs);
    cr_assert(strstr(out, "given.db (does not exist yet"), "the command line wins: %s", out);
    free(out);
    free(errs);
}

/* `benchai config` names the source of every setting. */
Test(cli_config, config_command_shows_where_each_setting_comes_from)
{
    write_config("store: /data/file.db\nthreads: 4\nmodels:\n  tiny: /m/tiny.gguf\n");
    setenv("BENCHAI_LLAMA_SERVER", "/opt/llama-server", 1);
    const char *args[] = { "config", "-o", "csv", NULL };
    char *out = NULL, *errs = NULL;
    int rc = harness_run(args, &out, &errs);
    unsetenv("BENCHAI_LLAMA_SERVER");
    cr_assert_eq(rc, BAI_EXIT_OK, "%s", errs);
    char want[8192];
    snprintf(want, sizeof want,
             "setting,value,from\n"
             "store,/data/file.db,%s:1\n"
             "output,md,built-in default\n"
             "llama_server,/opt/llama-server,environment BENCHAI_LLAMA_SERVER\n"
             "threads,4,%s:2\n"
             "judge.url,(none),built-in default\n"
             "judge.model,(none),built-in default\n"
             "judge.api_key_env,(none),built-in default\n"
             "judge.gguf,(none),built-in default\n"
             /* found by the search of docs/cli.md: this checkout's */
             "models_file,benchmarks/models.yaml,built-in default\n"
             "roles_file,benchmarks/roles.yaml,built-in default\n"
             "models.tiny,/m/tiny.gguf,%s:4\n", path, path, path);
    cr_assert_str_eq(out, want);
    free(out);
    free(errs);
    const char *p[] = { "config", "--path", NULL };
    cr_assert_eq(harness_run(p, &out, &errs), BAI_EXIT_OK);
    snprintf(want, sizeof want, "%s\n", path);
    cr_assert_str_eq(out, want);
    free(out);
    free(errs);
}

/* run: --threads, --server-bin and --model NAME default from the file, the
 * command line still wins, and the stored arguments name what the file
 * supplied (a resume does not depend on the file any more). */
Test(cli_config, run_takes_threads_server_and_models_from_the_file)
{
    if (!harness_have_llama())
        cr_skip_test("llama-server or the tiny models are missing (scripts/install-llama.sh, make-test-models)");
    char *model = harness_model("tiny-dense"), *real = harness_llama_server();
    char *bin = xasprintf("%s/llama-server", dir);   /* the file's binary: a link to the real one */
    cr_assert_eq(symlink(real, bin), 0);
    char text[8192];
    snprintf(text, sizeof text, "threads: 3\nllama_server: %s\nmodels:\n  small: %s\n", bin, model);
    write_config(text);
    const char *args[] = { "run", "--suite", "smoke", "--model", "small", "--dry-run", NULL };
    char *out = NULL, *errs = NULL;
    cr_assert_eq(harness_run(args, &out, &errs), 0, "%s", errs);
    char want[8192];
    snprintf(want, sizeof want, "%s --model %s --parallel 1 --threads 3 ", bin, model);
    cr_assert(strstr(out, want), "%s", out);
    free(out);
    free(errs);
    const char *given[] = { "run", "--suite", "smoke", "--model", model, "--threads", "2", "--dry-run", NULL };
    cr_assert_eq(harness_run(given, &out, &errs), 0, "%s", errs);
    cr_assert(strstr(out, "--threads 2 "), "the command line wins: %s", out);
    free(out);
    free(errs);
    free(model);
    free(real);
    free(bin);
}

/* The judge of the file is used when a suite is scored by judge, and never
 * contacted when none is; the file's threads are a launch setting, so an
 * endpoint's run neither takes nor stores them (they would conflict with
 * --backend openai). */
Test(cli_config, run_uses_the_files_judge_only_when_needed, .timeout = 60)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "Jupiter. SCORE: 85");
    char text[4096];
    snprintf(text, sizeof text, "threads: 3\njudge:\n  url: %s\n  model: file-judge\n", fake_openai_url(fake));
    cr_assert_eq(load(text), 0, "%s", err.msg);
    cli_config_set_current(&cfg);
    char *db = xasprintf("%s/judge.db", dir), *logs = xasprintf("%s/logs", dir);
    char *argv[] = { "run", "--suite", "tests/data/rescore/rescore_judge.yaml", "--backend", "openai",
                     "--url", (char *)fake_openai_url(fake), "--model", "m", "--no-stream", "--warmup", "0",
                     "--store", db, "--logs", logs, NULL };
    cr_assert_eq(cmd_run(16, argv), BAI_EXIT_OK);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM scores WHERE scorer LIKE 'judge:%' AND status = 'scored'"), 2);
    char *detail = harness_sql_text(db, "SELECT detail_json FROM scores LIMIT 1");
    cr_assert(detail && strstr(detail, "file-judge"), "%s", detail ? detail : "(null)");
    free(detail);
    char *plan = harness_sql_text(db, "SELECT plan_json FROM runs");
    cr_assert(plan && !strstr(plan, "--threads"), "the file's threads are not an endpoint's: %s", plan);
    free(plan);
    /* a suite without judge items: the (closed) judge port is never asked */
    cli_config_free(&cfg);
    cr_assert_eq(load("judge:\n  url: http://127.0.0.1:9\n"), 0, "%s", err.msg);
    cli_config_set_current(&cfg);
    char *argv2[] = { "run", "--suite", "smoke", "--limit", "1", "--backend", "openai",
                      "--url", (char *)fake_openai_url(fake), "--model", "m", "--no-stream", "--warmup", "0",
                      "--store", db, "--logs", logs, NULL };
    cr_assert_eq(cmd_run(18, argv2), BAI_EXIT_OK);
    fake_openai_stop(fake);
    free(db);
    free(logs);
}

/* One resolver for the store: every command that reads or writes it
 * without --store uses the file's store: (run, table, report, rescore,
 * compare), never a path of its own. */
Test(cli_config, every_command_uses_the_files_store, .timeout = 60)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "x");
    char text[4096];
    snprintf(text, sizeof text, "store: %s/from-file.db\n", dir);
    write_config(text);
    char *db = xasprintf("%s/from-file.db", dir), *out_dir = xasprintf("%s/report", dir);
    const char *run[] = { "run", "--suite", "smoke", "--limit", "1", "--backend", "openai", "--url",
                          fake_openai_url(fake), "--model", "m", "--warmup", "0", NULL };
    char *out = NULL, *errs = NULL;
    cr_assert_eq(harness_run(run, &out, &errs), 0, "%s", errs);
    cr_assert(strstr(out, "from-file.db"), "%s", out);
    free(out);
    free(errs);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM runs"), 1);
    const char *const cmds[][8] = {
        { "table", NULL }, { "report", "latest", "--out", out_dir, NULL },
        { "rescore", "latest", "--scorer", "exact", "--dry-run", NULL }, { "compare", "latest", "latest", NULL },
        { "show", "latest", NULL },
    };
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        cr_assert_eq(harness_run(cmds[i], &out, &errs), 0, "%s: %s", cmds[i][0], errs);
        free(out);
        free(errs);
    }
    fake_openai_stop(fake);
    free(out_dir);
    free(db);
}
