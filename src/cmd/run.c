/* run.c - `benchai run` and `benchai resume`: parse the command line once
 * (the option table below, defaults from the config file) into struct
 * run_config (run/config.h, owned by run/), load the suites, expand the
 * configurations, hand them to the runner, print the closing table.
 * `benchai resume` parses the arguments stored with the run again. */
#include <errno.h>

#include "cli/config_file.h"
#include "cli/interrupt.h"
#include "sandbox/sandbox.h"
#include "cmd/cmd.h"
#include "net/http.h"
#include "run/judge_client.h"
#include "run/defaults.h"
#include "run/plan_points.h"
#include "run/progress.h"
#include "run/request.h"
#include "run/runner.h"
#include "run/config.h"
#include "run/shard.h"
#include "store/store.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/strv.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void free_suites(struct suite **suites, size_t n)
{
    for (size_t i = 0; i < n; i++)
        suite_free(suites[i]);
    free(suites);
}

/* The end of `make demo`: what the numbers mean and what to type next. */
static void print_demo_next(void)
{
    printf("\nThe tiny model's weights are random, so its answers are noise (a score near 0 is\n"
           "expected); the llama-server, the timings, the sweeps and the store are real.\n"
           "\nNext, on your own model or server:\n"
           "  ./benchai run --suite thinking --suite coder --model ~/models/model.gguf --threads 8\n"
           "      benchai launches llama-server on a free loopback port and stops it afterwards\n"
           "  ./benchai run --suite thinking --backend openai --url http://127.0.0.1:8080 --model NAME\n"
           "      any OpenAI-compatible server that is already running\n"
           "  ./benchai run --suite speed --model target.gguf --draft draft.gguf --sweep k=2,4,8,16\n"
           "      a speculative-decoding draft size sweep (docs/tutorial.md walks through sweeps)\n"
           "Then: ./benchai runs, ./benchai show latest, ./benchai table, ./benchai pareto --plot pareto.svg\n");
}

static int set_backend(void *o, const char *v, struct bai_error *err)
{
    if (backend_kind_parse(v, &((struct run_config *)o)->backend) == 0)
        return 0;
    struct buf known = {0};
    cli_choices_join(backend_kind_names, ", ", &known);
    bai_error_set(err, BAI_EXIT_USAGE, "unknown backend '%s' (known: %s)", v, known.data);
    buf_free(&known);
    return -1;
}

static int set_shard(void *o, const char *v, struct bai_error *err)
{
    struct run_config *a = o;
    char end;
    if (sscanf(v, "%d/%d%c", &a->shard_i, &a->shard_n, &end) != 2 || a->shard_n < 1 || a->shard_i < 1 ||
        a->shard_i > a->shard_n) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected I/N with 1 <= I <= N, got '%s'", v);
        return -1;
    }
    return 0;
}

static int set_timeout(void *o, const char *v, struct bai_error *err)
{
    char *end;
    long s = strtol(v, &end, 10);
    if (end == v || *end || s < 1 || s > 1000000) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected seconds from 1 to 1000000, got '%s'", v);
        return -1;
    }
    ((struct run_config *)o)->timeout_ms = s * 1000;
    return 0;
}

/* A size in bytes with an optional K, M or G (powers of 1024). */
static int set_max_answer(void *o, const char *v, struct bai_error *err)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, 10);
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10, end++;
    else if (*end == 'M' || *end == 'm')
        shift = 20, end++;
    else if (*end == 'G' || *end == 'g')
        shift = 30, end++;
    if (end == v || *end || errno || v[0] == '-' || n < 1 || n > (1ULL << 40) >> shift) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected a size such as 16M, 4096 or 1G (1 byte to 1 TiB), got '%s'", v);
        return -1;
    }
    ((struct run_config *)o)->max_answer_bytes = (size_t)(n << shift);
    return 0;
}

/* 0 turns the watch off (0 means off here and in the config). */
static int set_hang_timeout(void *o, const char *v, struct bai_error *err)
{
    char *end;
    long s = strtol(v, &end, 10);
    if (end == v || *end || s < 0 || s > 1000000) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected seconds from 0 to 1000000, got '%s'", v);
        return -1;
    }
    ((struct run_config *)o)->hang_timeout_ms = (int)(s * 1000);
    return 0;
}

static const char *const sandbox_modes[] = { "full", "rlimits", NULL };

static int set_sandbox(void *o, const char *v, struct bai_error *err)
{
    if (strcmp(v, "full") && strcmp(v, "rlimits")) {
        bai_error_set(err, BAI_EXIT_USAGE, "expected full or rlimits, got '%s'", v);
        return -1;
    }
    ((struct run_config *)o)->sandbox_rlimits = !strcmp(v, "rlimits");
    return 0;
}

#define A struct run_config
#define BIG 1000000000
static const struct cli_option run_options[] = {
    CLI_OPT_GROUP("Suites"),
    CLI_OPT_SUITES(A, suites, "suite file or name (suites/v1/S.yaml); repeat or comma-separate"),
    CLI_OPT_INT(0, "limit", A, limit, "N", 1, BIG, "first N items of each suite"),
    CLI_OPT_INT(0, "reps", A, reps, "N", 1, BIG, "samples per item (default: the suite's reps)"),
    CLI_OPT_CALLBACK(0, "shard", "I/N", set_shard, "only shard I of N: whole sweep points balanced by estimated\ncost "
                     "(docs/distributed.md; benchai plan --shards N)"),
    CLI_OPT_STRING(0, "split-above", A, split_above, "D|auto|never",
                   "with --shard: split a point estimated above D into item\nchunks (default auto: the plan's estimate / N)"),
    CLI_OPT_STRING(0, "run-id", A, run_id, "ID", "store under this run id (shards of one run on several machines)"),
    CLI_OPT_FLAG(0, "force", A, force, "continue a stored run (--run-id, resume) although a suite\n"
                                       "changed since it started (recorded with the run)"),
    CLI_OPT_FLAG(0, "allow-outside-source", A, allow_outside_source,
                 "let suites read source:/filler files outside their folder"),

    CLI_OPT_GROUP("Backend (default llama-server)"),
    CLI_OPT_CALLBACK(0, "backend", "B", set_backend, "where the model runs (default llama-server)",
                     .choices = backend_kind_names),
    CLI_OPT_MODEL(A, model, "GGUF path, or a name of the config file's models: or of\n"
                            "the model registry (llama-server); the model name (openai,\ncommand)"),
    CLI_OPT_STRING(0, "draft", A, draft, "MODEL", "draft GGUF (path or config model name) for speculative decoding",
                   .complete = CLI_COMP_MODEL),
    CLI_OPT_STRING(0, "mmproj", A, mmproj, "FILE",
                   "multimodal projector GGUF for image items (default: the\nmodel's mmproj: in the registry)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STRING(0, "models-file", A, models_file, "FILE",
                   "the model registry for --model NAME (default: models_file\nof the config file, "
                   "./benchmarks/models.yaml, else the\ninstalled one)", .complete = CLI_COMP_FILE),
    CLI_OPT_STRING(0, "server-bin", A, server_bin, "PATH",
                   "llama-server binary (default: llama_server of the config file,\nelse the cached build)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_INT(0, "startup-timeout", A, startup_timeout_s, "S", 1, BIG,
                "seconds to wait for the server to load (default 300)"),
    CLI_OPT_CALLBACK(0, "hang-timeout", "S", set_hang_timeout,
                     "a launched server whose /health gives no answer for S seconds\nis hung: killed and restarted (default 30; 0 = do not watch)"),
    CLI_OPT_STRING(0, "url", A, url, "URL", "openai: base URL of the endpoint (http://host:port or .../v1)"),
    CLI_OPT_STRING(0, "api-key-env", A, api_key_env, "VAR", "openai: read the API key from this environment variable"),
    CLI_OPT_STRING(0, "cmd", A, cmd, "TEMPLATE",
                   "command: argv template with {prompt} {prompt_file} {model}\n{max_tokens}"),
    CLI_OPT_STRING(0, "from", A, from, "RUN", "replay: serve the outputs of this stored run",
                   .complete = CLI_COMP_RUN),
    CLI_OPT_INCLUDE(A, launch, struct settings, settings_cli_options),

    CLI_OPT_GROUP("Sweeps (see docs/plans.md)"),
    CLI_OPT_STRING(0, "plan", A, plan, "FILE", "run a plan (benchmarks/*.yaml)", .complete = CLI_COMP_FILE),
    CLI_OPT_LIST(0, "sweep", A, sweeps, "AXIS=V,...",
                 "sweep an axis: any launch setting below by its plan name\n(k=2,4,8 np=1..4 "
                 "flash_attn=on,off; [a,b] keeps a comma);\ngrid by default", .flags = CLI_WHOLE),
    CLI_OPT_STRING(0, "zip", A, zip, "A,B", "expand these axes together instead of as a grid"),
    CLI_OPT_FLAG(0, "dry-run", A, dry_run, "print the points and server command lines, run nothing"),

    CLI_OPT_GROUP("Measurement"),
    CLI_OPT_INT(0, "concurrency", A, concurrency, "N", 1, BIG, "requests in flight (default: the server's np, else 1)"),
    CLI_OPT_DOUBLE(0, "rate", A, rate, "R", 0, INFINITY, "open loop: R requests/s, Poisson arrivals",
                   .flags = CLI_ABOVE_MIN),
    CLI_OPT_INT(0, "warmup", A, warmup, "N", 0, BIG, "warm-up requests per configuration, excluded (default 1)"),
    CLI_OPT_SET(0, "no-stream", A, stream, 0, "do not stream (no TTFT, inter-token latency or\n"
                "client-side gen tok/s)"),
    CLI_OPT_CHOICE(0, "prompt-cache", A, prompt_cache, "MODE", request_prompt_cache_names,
                   "the server's prompt cache: off (default; cache_prompt:false\n"
                   "to llama.cpp, other servers cannot be asked), unique-prefix\n"
                   "(off, and a unique first line on every request, for\n"
                   "vLLM/SGLang/Ollama prefix caches) or on (leave it alone)"),
    CLI_OPT_FLAG(0, "fresh-server", A, fresh_server,
                 "start a server for every point, even when the point before\ndiffers only in request settings "
                 "(default: one server serves\nthem back to back)"),
    CLI_OPT_CALLBACK(0, "timeout", "S", set_timeout, "per-request timeout in seconds (default 600)"),
    CLI_OPT_CALLBACK(0, "max-answer-bytes", "SIZE", set_max_answer,
                     "cap on one answer's text (content, reasoning, tool calls;\n"
                     "default " GEN_STR(GEN_MAX_ANSWER_MIB_DEFAULT) "M); a server that passes it (or sends "
                     GEN_STR(GEN_WIRE_FACTOR) " times\n"
                     "that) is cut off and the sample stored as an error"),
    CLI_OPT_INT(0, "retries", A, retries, "N", 0, BIG, "retries of a failed request (default 3)"),
    CLI_OPT_CALLBACK(0, "sandbox", "MODE", set_sandbox,
                     "code scoring isolation: full (default; refuses where\nnamespaces are missing, exit 6) or "
                     "rlimits (resource\nlimits only, recorded)", .choices = sandbox_modes),

    CLI_OPT_GROUP("Judge (for items scored by a judge model; see docs/scoring.md)"),
    CMD_JUDGE_OPTIONS(A, judge_url, judge_model, judge_api_key_env, judge_gguf),

    CLI_OPT_GROUP("Store"),
    CLI_OPT_STORE(A, store),
    CLI_OPT_STRING(0, "logs", A, logs, "DIR", "server logs folder (default results/logs)", .complete = CLI_COMP_DIR),
    CLI_OPT_STRING(0, "note", A, note, "TEXT", "free-text note for the run"),
    CLI_OPT_LIST(0, "tag", A, tags, "TAG", "a tag for the run (repeatable)", .flags = CLI_WHOLE),
    CLI_OPT_FLAG(0, "demo", A, demo, "the smoke suite on the generated tiny model (make demo)"),
    CLI_OPT_END(),
};
#undef A
#undef BIG

const struct cli_command cmd_run_cli = {
    .name = "run",
    .summary = "run suites against a model (or a plan of sweeps) and store the results",
    .usage = "[--suite S]... [backend options] [measurement options]\n"
             "--plan FILE [--dry-run]\n"
             "--demo",
    .description =
        "Runs suites against a model and stores every sample in the results store.\n"
        "With no --model, the llama-server backend uses the generated tiny model\n"
        "(scripts/make-test-models): its answers are noise, its timings are real.\n"
        "Defaults for --store, --threads, --server-bin, model names and the judge come\n"
        "from the config file (benchai config; docs/config.md).\n",
    .footer = "Exit codes: 0 done, 2 bad input, 3 backend unavailable, 4 store error,\n"
              "5 interrupted (resume with `benchai resume RUN`), 7 no sample succeeded\n"
              "(every request failed or timed out, or nothing was sent).\n",
    .options = run_options,
    .run = cmd_run,
};

/* Fills the settings the command line left unset from the config file, and
 * names each one in *extra ("--threads", "8", ...) so the stored arguments
 * reproduce the run on resume even if the file changes. */
static void apply_config(struct run_config *a, struct strv *extra)
{
    const char *threads = cli_config_get(CLI_CFG_THREADS), *bin = cli_config_get(CLI_CFG_LLAMA_SERVER);
    const char *models_file = cli_config_get(CLI_CFG_MODELS_FILE);
    if (!a->models_file && models_file) {
        a->models_file = models_file;
        strv_push(extra, "--models-file");
        strv_push(extra, models_file);
    }
    if (!settings_is_set(&a->launch, SETTING_THREADS) && threads && a->backend == BACKEND_LLAMA_SERVER &&
        settings_set(&a->launch, SETTING_THREADS, threads, "threads of the config file", NULL) == 0) {
        strv_push(extra, "--threads");
        strv_push(extra, threads);
    }
    if (!a->server_bin && bin && a->backend == BACKEND_LLAMA_SERVER) {
        a->server_bin = bin;
        strv_push(extra, "--server-bin");
        strv_push(extra, bin);
    }
    /* registry names: the stored arguments keep the name as typed (its path
     * is recorded with every config) */
    const char *path;
    if (a->backend == BACKEND_LLAMA_SERVER && (path = cli_config_model(a->model)) != NULL)
        a->model = path;
    if ((path = cli_config_model(a->draft)) != NULL)
        a->draft = path;
    if ((path = cli_config_model(a->judge_gguf)) != NULL)
        a->judge_gguf = path;
}

/* Parses *argv (argv[0] = "run"; permuted, cli_parse) into a config, then
 * fills from the config file what the command line left unset; extra
 * (allocated) names those settings as flags. Returns -1 to go on,
 * else the exit code after printing --help or the error. Single strings
 * point into argv, which must outlive the config. */
static int parse_args(int *argc, char ***argv, struct run_config *a, struct strv *extra)
{
    run_config_init(a);
    a->store = cli_default_store();
    int rc = cmd_options(&cmd_run_cli, a, argc, argv);
    if (rc >= 0) {
        run_config_free(a);
        return rc;
    }
    apply_config(a, extra);
    return -1;
}

/* The arguments as given (before parsing) and the settings the config file
 * supplied, as a JSON object {"argv": [...], "cwd": ...} stored with the run
 * so `benchai resume` can parse them again. */
static char *argv_json(int argc, char *const *argv, const struct strv *extra)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "argv");
    for (int i = 0; i < argc; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(argv[i]));
    for (size_t i = 0; i < extra->n; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(extra->v[i]));
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
        cJSON_AddStringToObject(o, "cwd", cwd);
    char *s = cJSON_PrintUnformatted(o);
    char *out = xstrdup(s);
    cJSON_free(s);
    cJSON_Delete(o);
    return out;
}

/* 1 when an item of the suites is scored by a judge model. */
static int suites_need_judge(struct suite **suites, size_t n)
{
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < suites[i]->n_items; k++)
            if (suites[i]->items[k].scorer && !strcmp(suites[i]->items[k].scorer, "judge"))
                return 1;
    return 0;
}

/* `benchai plan` asks for the shards table as JSON (cmd_run_shards_view). */
static int dry_run_json;

/* Loads the run's suites (its --suite names, then those a plan adds) into
 * suites[]; every suite that fails is reported. 0 when all loaded. */
static int load_suites(const struct run_config *a, const struct run_points *pts, struct suite **suites,
                       size_t *n_suites)
{
    int bad = 0;
    for (size_t i = 0; i < a->suites.n + pts->extra_suites.n; i++) {
        const char *name = i < a->suites.n ? a->suites.v[i] : pts->extra_suites.v[i - a->suites.n];
        char *path = defaults_suite_path(name);
        struct bai_error serr = {0};
        struct suite_load_options lo = { .allow_outside_source = a->allow_outside_source };
        struct suite *s = suite_load(path, &lo, &serr);
        if (!s) {
            if (!fs_exists(path)) {
                char *why = defaults_suite_missing(name);
                cmd_print_error(NULL, why);
                free(why);
            } else {
                cmd_eprint(serr.msg);
                cmd_eprint("\n");
            }
            bad = 1;
        } else {
            suites[(*n_suites)++] = s;
        }
        free(path);
    }
    return bad ? -1 : 0;
}

/* Runs a parsed config; resume_id continues that run. Everything made
 * after the points is released at `out`. */
static int run_with_config(struct run_config *a, const char *resume_id, const char *plan_json)
{
    struct bai_error err = {0};
    int demo = a->demo;
    if (demo && a->suites.n == 0)
        strv_push(&a->suites, "smoke");
    if (a->suites.n == 0 && !a->plan) {
        fprintf(stderr, "benchai: run needs --suite (or --plan, or --demo); see benchai run --help\n");
        return BAI_EXIT_USAGE;
    }
    struct run_points pts;
    if (run_points_build(a, &pts, &err) != 0)
        return bai_error_report(&err);

    int code = BAI_EXIT_OK;
    struct judge *judge = NULL;
    char *judge_log = NULL;
    struct suite **suites = xcalloc(a->suites.n + pts.extra_suites.n + 1, sizeof *suites);
    size_t n_suites = 0;
    if (load_suites(a, &pts, suites, &n_suites) != 0) {
        code = BAI_EXIT_USAGE;
        goto out;
    }
    if (a->dry_run) {
        /* labels, paths and raw server args come from files and the
         * command line: printed through the terminal-safe writer */
        char *text = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&text, &len);
        int dry = a->shard_n > 0 ? run_shards_dry_run(a, &pts, suites, n_suites, dry_run_json, mf, &err)
                                 : (run_points_print(&pts, suites, n_suites, a, mf), 0);
        fclose(mf);
        cmd_print(text, len, 0);
        free(text);
        if (dry != 0)
            code = bai_error_report(&err);
        goto out;
    }
    if (demo) {
        printf("benchai demo: suite smoke on the generated tiny model (%s).\n"
               "Its weights are random, so its answers are noise; the server, timings and store are real.\n",
               pts.points[0].model ? pts.points[0].model : "?");
        fflush(stdout);
    }
    const char *store_path = run_config_store(a);
    char *store_dir = fs_dirname(store_path);
    int made = fs_mkdirs(store_dir, 0755, &err);
    free(store_dir);
    if (made != 0) {
        code = bai_error_report(&err);
        goto out;
    }

    http_global_init();
    volatile sig_atomic_t *stop_requested = cli_interrupt_install();
    cli_interrupt_on_exit(sandbox_workdirs_remove_all);
    /* The judge model (--judge-url / --judge-gguf) lives for the whole run. */
    struct judge_options jo = { .url = a->judge_url, .gguf = a->judge_gguf, .model = a->judge_model,
                                .api_key_env = a->judge_api_key_env };
    if (suites_need_judge(suites, n_suites))
        cmd_judge_defaults(&jo);
    judge_log = a->logs && jo.gguf ? xasprintf("%s/judge-%ld.log", a->logs, (long)getpid()) : NULL;
    jo.log_path = judge_log;
    if (judge_options_given(&jo) && judge_client_open(&jo, &judge, &err) != 0) {
        code = bai_error_report(&err);
        goto out;
    }
    run_points_share_cores(&pts);
    if (run_points_identify(&pts, a, &err) != 0) {
        code = bai_error_report(&err);
        goto out;
    }
    struct progress_options po;
    progress_options_auto(&po, stderr, log_get_level() < LOG_INFO);
    struct progress *progress = progress_new(&po);
    struct run_options o = {
        .cfg = a, .suites = suites, .n_suites = n_suites, .points = pts.points, .n_points = pts.n_points,
        .plan = pts.plan,
        .resume_run_id = resume_id, .plan_json = plan_json,
        .time_budget_s = pts.plan ? run_points_time_budget(&pts) : 0, .judge = judge,
        .stop = stop_requested, .progress = progress,
    };
    struct run_result res;
    int rc = runner_run(&o, &res, &err);
    progress_free(progress);
    /* the judge (a server of its own, perhaps) stops before the table */
    judge_client_close(judge);
    judge = NULL;
    if (res.run_id[0]) {
        char *text = NULL;
        size_t len = 0;
        FILE *mf = open_memstream(&text, &len);
        run_result_print(&res, mf);
        fprintf(mf, "\nstored in %s as run %s (benchai show %s)\n", store_path, res.run_id, res.run_id);
        fclose(mf);
        cmd_print(text, len, 0);
        free(text);
    }
    if (rc != 0) {
        code = bai_error_report(&err);
        if (res.run_id[0] && code == BAI_EXIT_INTERRUPTED)
            fprintf(stderr, "benchai: run %s interrupted; continue it with: benchai resume %s\n", res.run_id,
                    res.run_id);
    }
    if (demo && rc == 0)
        print_demo_next();
    run_result_free(&res);
out:
    judge_client_close(judge);
    free(judge_log);
    free_suites(suites, n_suites);
    run_points_free(&pts);
    return code;
}

int cmd_run(int argc, char **argv)
{
    /* the arguments as given are stored with the run; parsing reorders argv */
    char **given = xcalloc((size_t)argc + 1, sizeof *given);
    memcpy(given, argv, (size_t)argc * sizeof *given);
    struct run_config a;
    struct strv extra = { 0 };
    int n = argc, rc = parse_args(&n, &argv, &a, &extra);
    if (rc >= 0) {
        free(given);
        return rc;
    }
    char *plan_json = argv_json(argc, given, &extra);
    free(given);
    int code = run_with_config(&a, NULL, plan_json);
    free(plan_json);
    run_config_free(&a);
    strv_free(&extra);
    return code;
}

int cmd_run_shards_view(int argc, char **argv, int n_shards, int json)
{
    struct run_config a;
    struct strv extra = { 0 };
    int n = argc, rc = parse_args(&n, &argv, &a, &extra);
    if (rc >= 0)
        return rc;
    a.dry_run = 1;
    a.shard_i = 0;        /* every shard */
    a.shard_n = n_shards;
    dry_run_json = json;
    int code = run_with_config(&a, NULL, NULL);
    run_config_free(&a);
    strv_free(&extra);
    return code;
}

struct resume_opts {
    const char *store;
    int force;
};

static const struct cli_option resume_options[] = {
    CLI_OPT_FLAG(0, "force", struct resume_opts, force,
                 "continue with suite files as they are now although one\n"
                 "changed since the run started (recorded with the run)"),
    CLI_OPT_STORE(struct resume_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_resume_cli = {
    .name = "resume",
    .summary = "continue an interrupted run without repeating stored samples",
    .usage = "RUN [--store PATH] [--force]",
    .description =
        "Continues an interrupted run with the arguments it was started with:\n"
        "configurations and samples already stored are not run again, so every\n"
        "item ends with exactly one sample per repetition.\n"
        "A suite whose file changed since the run started is refused (exit 2);\n"
        "--force continues with the file as it is now and records that with the run.\n"
        "The run continues in the store it is read from (--store, e.g. a copy of a\n"
        "shard's store on another node; else the default store), not the one named\n"
        "in its arguments.\n",
    .options = resume_options,
    CLI_ARGS_ONE_RUN,
    .run = cmd_resume,
};

int cmd_resume(int argc, char **argv)
{
    struct resume_opts o = { .store = cli_default_store() };
    int rc = cmd_options(&cmd_resume_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *store_path = o.store;
    struct bai_error err = {0};
    char run_id[STORE_RUN_ID_MAX];
    struct store *st = cmd_open_run(store_path, argv[0], run_id, &rc);
    if (!st)
        return rc;
    char *plan_json = NULL;
    if (store_run_plan(st, run_id, &plan_json, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    if (!plan_json) {
        store_close(st);
        bai_error_set(&err, BAI_EXIT_STORE, "run %s: no stored plan", run_id);
        return bai_error_report(&err);
    }
    store_close(st);
    cJSON *plan = cJSON_Parse(plan_json);
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(plan, "argv");
    if (!cJSON_IsArray(arr)) {
        cJSON_Delete(plan);
        free(plan_json);
        fprintf(stderr, "benchai: run %s has no stored arguments to resume from\n", run_id);
        return BAI_EXIT_USAGE;
    }
    int n = cJSON_GetArraySize(arr);
    char **args = xcalloc((size_t)n + 4, sizeof *args);
    int k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        args[k++] = cJSON_IsString(e) ? e->valuestring : "";
    /* the run continues in the store it was read from (--store, else the
     * default), not the one its arguments named: a shard resumes in the
     * copy it was moved to */
    int kept = 0;
    for (int i = 0; i < k; i++) {
        if (!strcmp(args[i], "--store") && i + 1 < k && strcmp(args[i + 1], "--")) {
            i++;
            continue;
        }
        if (!strncmp(args[i], "--store=", 8))
            continue;
        args[kept++] = args[i];
    }
    k = kept;
    args[k++] = "--store";
    args[k++] = (char *)store_path;
    if (o.force)
        args[k++] = "--force";
    struct run_config a;
    struct strv extra = { 0 };
    char **rest = args;   /* parsing moves this past the options */
    int code = parse_args(&k, &rest, &a, &extra);
    if (code < 0) {
        log_info("resuming run %s", run_id);
        code = run_with_config(&a, run_id, plan_json);
        run_config_free(&a);
    }
    strv_free(&extra);
    free(args);
    cJSON_Delete(plan);
    free(plan_json);
    return code;
}
