/* run.c - `benchai run` and `benchai resume`: parse the command line once,
 * load the suites, expand the configurations, hand them to the runner,
 * print the closing table. */
#include "cmd/cmd.h"
#include "cmd/run_args.h"
#include "net/http.h"
#include "run/judge_client.h"
#include "run/defaults.h"
#include "run/points.h"
#include "run/runner.h"
#include "store/store.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"

#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    if (stop_requested) {
        /* Second Ctrl-C: leave now. The server dies with us (PDEATHSIG). */
        _exit(BAI_EXIT_INTERRUPTED);
    }
    stop_requested = 1;
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static void free_suites(struct suite **suites, size_t n)
{
    for (size_t i = 0; i < n; i++)
        suite_free(suites[i]);
    free(suites);
}

/* Runs with parsed args; resume_id continues that run. */
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

static int run_with_args(struct run_args *a, const char *resume_id, const char *plan_json)
{
    struct bai_error err = {0};
    int demo = a->demo;
    if (demo && a->n_suites == 0) {
        char *smoke = xstrdup("smoke");
        XGROW(a->suites, 1, a->cap_suites);
        a->suites[a->n_suites++] = smoke;
    }
    if (a->n_suites == 0 && !a->plan) {
        fprintf(stderr, "benchai: run needs --suite (or --plan, or --demo); see benchai run --help\n");
        return BAI_EXIT_USAGE;
    }
    struct run_points pts;
    if (run_points_build(a, &pts, &err) != 0)
        return bai_error_report(&err);

    struct suite **suites = xcalloc(a->n_suites + pts.n_extra_suites + 1, sizeof *suites);
    size_t n_suites = 0;
    int bad = 0;
    for (size_t i = 0; i < a->n_suites + pts.n_extra_suites; i++) {
        const char *name = i < a->n_suites ? a->suites[i] : pts.extra_suites[i - a->n_suites];
        char *path = defaults_suite_path(name);
        struct bai_error serr = {0};
        struct suite *s = suite_load(path, NULL, &serr);
        if (!s) {
            if (!fs_exists(path)) {
                char *why = defaults_suite_missing(name);
                fprintf(stderr, "benchai: %s\n", why);
                free(why);
            } else
                fprintf(stderr, "%s\n", serr.msg);
            bad = 1;
        } else {
            suites[n_suites++] = s;
        }
        free(path);
    }
    if (bad) {
        free_suites(suites, n_suites);
        run_points_free(&pts);
        return BAI_EXIT_USAGE;
    }
    if (a->dry_run) {
        run_points_print(&pts, suites, n_suites, a, stdout);
        free_suites(suites, n_suites);
        run_points_free(&pts);
        return BAI_EXIT_OK;
    }
    if (demo) {
        printf("benchai demo: suite smoke on the generated tiny model (%s).\n"
               "Its weights are random, so its answers are noise; the server, timings and store are real.\n",
               pts.points[0].model ? pts.points[0].model : "?");
        fflush(stdout);
    }
    const char *store_path = a->store ? a->store : STORE_DEFAULT_PATH;
    char *store_dir = fs_dirname(store_path);
    if (fs_mkdirs(store_dir, 0755, &err) != 0) {
        free(store_dir);
        free_suites(suites, n_suites);
        run_points_free(&pts);
        return bai_error_report(&err);
    }
    free(store_dir);

    http_global_init();
    install_signals();
    /* The judge model (--judge-url / --judge-gguf) lives for the whole run. */
    struct judge *judge = NULL;
    struct judge_options jo = { .url = a->judge_url, .gguf = a->judge_gguf, .model = a->judge_model,
                                .api_key_env = a->judge_api_key_env };
    char *judge_log = a->logs && a->judge_gguf ? xasprintf("%s/judge-%ld.log", a->logs, (long)getpid()) : NULL;
    jo.log_path = judge_log;
    if (judge_options_given(&jo) && judge_client_open(&jo, &judge, &err) != 0) {
        free(judge_log);
        free_suites(suites, n_suites);
        run_points_free(&pts);
        return bai_error_report(&err);
    }
    struct run_options o = {
        .store_path = store_path, .suites = suites, .n_suites = n_suites,
        .points = pts.points, .n_points = pts.n_points, .concurrency = a->concurrency,
        .rate = a->rate, .reps = a->reps, .warmup = a->warmup, .limit = a->limit,
        .shard_i = a->shard_i, .shard_n = a->shard_n, .note = a->note,
        .tags = (const char *const *)a->tags, .n_tags = a->n_tags, .stream = a->stream,
        .max_retries = a->retries, .resume_run_id = resume_id, .run_id = a->run_id, .plan_json = plan_json,
        .logs_dir = a->logs, .stop = &stop_requested, .force_hash = a->force,
        .show_progress = isatty(2) && log_get_level() >= LOG_INFO,
        .sandbox_rlimits = a->sandbox && !strcmp(a->sandbox, "rlimits"),
        .time_budget_s = pts.plan ? run_points_time_budget(&pts) : 0, .judge = judge,
    };
    struct run_result res;
    int rc = runner_run(&o, &res, &err);
    judge_client_close(judge);
    free(judge_log);
    int code = BAI_EXIT_OK;
    if (res.run_id[0]) {
        run_result_print(&res, stdout);
        printf("\nstored in %s as run %s (benchai show %s)\n", store_path, res.run_id, res.run_id);
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
    free_suites(suites, n_suites);
    run_points_free(&pts);
    return code;
}

int cmd_run(int argc, char **argv)
{
    struct run_args a;
    struct bai_error err = {0};
    int rc = run_args_parse(argc, argv, &a, &err);
    if (rc == 1)
        return BAI_EXIT_OK;
    if (rc < 0)
        return bai_error_report(&err);
    char *plan_json = run_args_to_json(argc, argv);
    int code = run_with_args(&a, NULL, plan_json);
    free(plan_json);
    run_args_free(&a);
    return code;
}

static int read_plan_json(struct store *st, const char *run_id, char **out, struct bai_error *err)
{
    sqlite3_stmt *q = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(store_db(st), "SELECT plan_json FROM runs WHERE id = ?", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, run_id, -1, SQLITE_STATIC);
        if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0)) {
            *out = xstrdup((const char *)sqlite3_column_text(q, 0));
            rc = 0;
        }
    }
    if (rc != 0)
        bai_error_set(err, BAI_EXIT_STORE, "run %s: no stored plan (%s)", run_id, sqlite3_errmsg(store_db(st)));
    sqlite3_finalize(q);
    return rc;
}

int cmd_resume(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: benchai resume RUN [--store PATH]\n\n"
               "Continues an interrupted run with the arguments it was started with:\n"
               "configurations and samples already stored are not run again, so every\n"
               "item ends with exactly one sample per repetition.\n");
        return BAI_EXIT_OK;
    }
    if (argc != 2 && !(argc == 4 && !strcmp(argv[2], "--store"))) {
        fprintf(stderr, "usage: benchai resume RUN [--store PATH]\n");
        return BAI_EXIT_USAGE;
    }
    const char *store_path = argc == 4 ? argv[3] : getenv("BENCHAI_STORE");
    if (!store_path)
        store_path = STORE_DEFAULT_PATH;
    struct bai_error err = {0};
    struct store *st = store_open_readonly(store_path, &err);
    if (!st)
        return bai_error_report(&err);
    char run_id[STORE_RUN_ID_MAX];
    char *plan_json = NULL;
    if (store_resolve_run(st, argv[1], run_id, &err) != 0 ||
        read_plan_json(st, run_id, &plan_json, &err) != 0) {
        store_close(st);
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
    char **args = xcalloc((size_t)n + 3, sizeof *args);
    int k = 0;
    const cJSON *e;
    cJSON_ArrayForEach(e, arr)
        args[k++] = cJSON_IsString(e) ? e->valuestring : "";
    int has_store = 0;
    for (int i = 0; i < k; i++)
        if (!strcmp(args[i], "--store"))
            has_store = 1;
    if (!has_store && argc == 4) {
        args[k++] = "--store";
        args[k++] = (char *)store_path;
    }
    struct run_args a;
    int rc = run_args_parse(k, args, &a, &err);
    int code;
    if (rc != 0) {
        code = rc < 0 ? bai_error_report(&err) : BAI_EXIT_USAGE;
    } else {
        if (!a.store)
            a.store = store_path;
        log_info("resuming run %s", run_id);
        code = run_with_args(&a, run_id, plan_json);
        run_args_free(&a);
    }
    free(args);
    cJSON_Delete(plan);
    free(plan_json);
    return code;
}
