/* run.c - `benchai run` and `benchai resume`: parse the command line once
 * into struct run_config (run/config.h, owned by run/), load the suites,
 * expand the configurations, hand them to the runner, print the closing
 * table. `benchai resume` parses the arguments stored with the run again. */
#include "cmd/cmd.h"
#include "net/http.h"
#include "run/judge_client.h"
#include "run/defaults.h"
#include "run/points.h"
#include "run/runner.h"
#include "run/config.h"
#include "store/store.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/strlist.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
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

static const char usage[] =
"usage: benchai run [--suite S]... [backend options] [measurement options]\n"
"       benchai run --plan FILE [--dry-run]\n"
"       benchai run --demo\n"
"\n"
"Runs suites against a model and stores every sample in the results store.\n"
"With no --model, the llama-server backend uses the generated tiny model\n"
"(scripts/make-test-models): its answers are noise, its timings are real.\n"
"\n"
"Suites:\n"
"  --suite S           suite file or name (suites/v1/S.yaml); repeat or comma-separate\n"
"  --limit N           first N items of each suite\n"
"  --reps N            samples per item (default: the suite's reps)\n"
"  --shard I/N         only items whose id hashes to shard I of N (see docs/store.md)\n"
"  --run-id ID         store under this run id (shards of one run on several machines)\n"
"  --force             continue a stored run (--run-id, resume) although a suite\n"
"                      changed since it started (recorded with the run)\n"
"\n"
"Backend (default llama-server):\n"
"  --backend B         llama-server | openai | command | replay\n"
"  --model M           GGUF path (llama-server) or model name (openai, command)\n"
"  --draft PATH        draft GGUF for speculative decoding\n"
"  --server-bin PATH   llama-server binary (default: $BENCHAI_LLAMA_SERVER or the cached build)\n"
"  --k N  --spec-type T  --experts N  --np N  --threads N  --ctx N  --ngl N\n"
"  --batch N  --ubatch N  --flash-attn on|off|auto  --cache-type-k T  --cache-type-v T\n"
"  --spec-synth-rates P0,P1,...   synthetic acceptance (testing the measurement)\n"
"  --server-arg ARG    extra raw llama-server argument (repeatable)\n"
"  --startup-timeout S seconds to wait for the server to load (default 300)\n"
"  --hang-timeout S    a launched server whose /health gives no answer for S seconds is\n"
"                      hung: killed and restarted (default 30; 0 = do not watch)\n"
"  --url URL           openai: base URL of the endpoint (http://host:port or .../v1)\n"
"  --api-key-env VAR   openai: read the API key from this environment variable\n"
"  --cmd TEMPLATE      command: argv template with {prompt} {prompt_file} {model} {max_tokens}\n"
"  --from RUN          replay: serve the outputs of this stored run\n"
"\n"
"Sweeps (see docs/plans.md):\n"
"  --plan FILE         run a plan (benchmarks/*.yaml)\n"
"  --sweep AXIS=V,...  sweep an axis (k, experts, np, threads, ctx, ngl, batch, ubatch,\n"
"                      flash_attn, cache_type_k, cache_type_v, spec_type); grid by default\n"
"  --zip A,B           expand these axes together instead of as a grid\n"
"  --dry-run           print the points and server command lines, run nothing\n"
"\n"
"Measurement:\n"
"  --concurrency N     requests in flight (default: the server's np, else 1)\n"
"  --rate R            open loop: R requests/s, Poisson arrivals\n"
"  --warmup N          warm-up requests per configuration, excluded (default 1)\n"
"  --no-stream         do not stream (no TTFT / inter-token latency)\n"
"  --timeout S         per-request timeout in seconds (default 600)\n"
"  --retries N         retries of a failed request (default 3)\n"
"  --sandbox MODE      code scoring isolation: full (default; refuses where namespaces\n"
"                      are missing, exit 6) or rlimits (resource limits only, recorded)\n"
"\n"
"Judge (for items scored by a judge model; see docs/scoring.md):\n"
JUDGE_CLIENT_USAGE
"\n"
"Store:\n"
"  --store PATH        results store (default results/benchai.db, or $BENCHAI_STORE)\n"
"  --logs DIR          server logs folder (default results/logs)\n"
"  --note TEXT  --tag TAG   free-text note and tags for the run\n"
"\n"
"Exit codes: 0 done, 2 bad input, 3 backend unavailable, 4 store error,\n"
"5 interrupted (resume with `benchai resume RUN`).\n";

enum {
    OPT_SUITE = 256, OPT_BACKEND, OPT_MODEL, OPT_DRAFT, OPT_SERVER_BIN, OPT_K, OPT_SPEC_TYPE,
    OPT_EXPERTS, OPT_NP, OPT_THREADS, OPT_CTX, OPT_NGL, OPT_BATCH, OPT_UBATCH, OPT_FLASH_ATTN,
    OPT_CTK, OPT_CTV, OPT_SERVER_ARG, OPT_URL, OPT_API_KEY_ENV, OPT_CMD, OPT_FROM, OPT_PLAN,
    OPT_SWEEP, OPT_ZIP, OPT_DRY_RUN, OPT_CONCURRENCY, OPT_RATE, OPT_REPS, OPT_WARMUP, OPT_LIMIT,
    OPT_SHARD, OPT_NO_STREAM, OPT_TIMEOUT, OPT_RETRIES, OPT_STORE, OPT_LOGS, OPT_NOTE, OPT_TAG,
    OPT_FORCE, OPT_DEMO, OPT_RUN_ID, OPT_SANDBOX, OPT_STARTUP_TIMEOUT, OPT_HANG_TIMEOUT, OPT_SYNTH_RATES,
    OPT_JUDGE_URL, OPT_JUDGE_MODEL, OPT_JUDGE_KEY, OPT_JUDGE_GGUF, OPT_HELP
};

static const struct option options[] = {
    { "suite", required_argument, 0, OPT_SUITE }, { "backend", required_argument, 0, OPT_BACKEND },
    { "model", required_argument, 0, OPT_MODEL }, { "draft", required_argument, 0, OPT_DRAFT },
    { "server-bin", required_argument, 0, OPT_SERVER_BIN }, { "k", required_argument, 0, OPT_K },
    { "spec-type", required_argument, 0, OPT_SPEC_TYPE }, { "experts", required_argument, 0, OPT_EXPERTS },
    { "np", required_argument, 0, OPT_NP }, { "threads", required_argument, 0, OPT_THREADS },
    { "ctx", required_argument, 0, OPT_CTX }, { "ngl", required_argument, 0, OPT_NGL },
    { "batch", required_argument, 0, OPT_BATCH }, { "ubatch", required_argument, 0, OPT_UBATCH },
    { "flash-attn", required_argument, 0, OPT_FLASH_ATTN }, { "cache-type-k", required_argument, 0, OPT_CTK },
    { "cache-type-v", required_argument, 0, OPT_CTV }, { "server-arg", required_argument, 0, OPT_SERVER_ARG },
    { "url", required_argument, 0, OPT_URL }, { "api-key-env", required_argument, 0, OPT_API_KEY_ENV },
    { "cmd", required_argument, 0, OPT_CMD }, { "from", required_argument, 0, OPT_FROM },
    { "plan", required_argument, 0, OPT_PLAN }, { "sweep", required_argument, 0, OPT_SWEEP },
    { "zip", required_argument, 0, OPT_ZIP }, { "dry-run", no_argument, 0, OPT_DRY_RUN },
    { "concurrency", required_argument, 0, OPT_CONCURRENCY }, { "rate", required_argument, 0, OPT_RATE },
    { "reps", required_argument, 0, OPT_REPS }, { "warmup", required_argument, 0, OPT_WARMUP },
    { "limit", required_argument, 0, OPT_LIMIT }, { "shard", required_argument, 0, OPT_SHARD },
    { "no-stream", no_argument, 0, OPT_NO_STREAM }, { "timeout", required_argument, 0, OPT_TIMEOUT },
    { "retries", required_argument, 0, OPT_RETRIES }, { "store", required_argument, 0, OPT_STORE },
    { "logs", required_argument, 0, OPT_LOGS }, { "note", required_argument, 0, OPT_NOTE },
    { "tag", required_argument, 0, OPT_TAG }, { "force", no_argument, 0, OPT_FORCE },
    { "demo", no_argument, 0, OPT_DEMO }, { "startup-timeout", required_argument, 0, OPT_STARTUP_TIMEOUT },
    { "hang-timeout", required_argument, 0, OPT_HANG_TIMEOUT },
    { "spec-synth-rates", required_argument, 0, OPT_SYNTH_RATES },
    { "run-id", required_argument, 0, OPT_RUN_ID },
    { "sandbox", required_argument, 0, OPT_SANDBOX },
    { "judge-url", required_argument, 0, OPT_JUDGE_URL }, { "judge-model", required_argument, 0, OPT_JUDGE_MODEL },
    { "judge-api-key-env", required_argument, 0, OPT_JUDGE_KEY }, { "judge-gguf", required_argument, 0, OPT_JUDGE_GGUF },
    { "help", no_argument, 0, OPT_HELP }, { 0, 0, 0, 0 },
};

static int parse_int(const char *flag, const char *v, int min, int *out, struct bai_error *err)
{
    char *end;
    errno = 0;
    long n = strtol(v, &end, 10);
    if (errno || *end || end == v || n < min || n > 1000000000L) {
        bai_error_set(err, BAI_EXIT_USAGE, "--%s: expected an integer >= %d, got '%s'", flag, min, v);
        return -1;
    }
    *out = (int)n;
    return 0;
}

/* Parses argv (argv[0] = "run") into a config. Returns 0, 1 when --help
 * was printed, or -1 with err naming the flag. Single strings in a point
 * into argv, which must outlive it. */
static int parse_args(int argc, char **argv, struct run_config *a, struct bai_error *err)
{
    run_config_init(a);
    a->store = getenv("BENCHAI_STORE");
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        int rc = 0;
        switch (c) {
        case OPT_HELP:
            fputs(usage, stdout);
            return 1;
        case OPT_SUITE: strlist_add_csv(&a->suites, &a->n_suites, &a->cap_suites, optarg); break;
        case OPT_BACKEND:
            if (backend_kind_parse(optarg, &a->backend) != 0) {
                bai_error_set(err, BAI_EXIT_USAGE,
                              "--backend: unknown backend '%s' (known: llama-server, openai, command, replay)", optarg);
                rc = -1;
            }
            break;
        case OPT_MODEL: a->model = optarg; break;
        case OPT_DRAFT: a->draft = optarg; break;
        case OPT_SERVER_BIN: a->server_bin = optarg; break;
        case OPT_K: rc = parse_int("k", optarg, 1, &a->k, err); break;
        case OPT_SPEC_TYPE: a->spec_type = optarg; break;
        case OPT_EXPERTS: rc = parse_int("experts", optarg, 1, &a->experts, err); break;
        case OPT_NP: rc = parse_int("np", optarg, 1, &a->np, err); break;
        case OPT_THREADS: rc = parse_int("threads", optarg, 1, &a->threads, err); break;
        case OPT_CTX: rc = parse_int("ctx", optarg, 1, &a->ctx, err); break;
        case OPT_NGL: rc = parse_int("ngl", optarg, 0, &a->ngl, err); break;
        case OPT_BATCH: rc = parse_int("batch", optarg, 1, &a->batch, err); break;
        case OPT_UBATCH: rc = parse_int("ubatch", optarg, 1, &a->ubatch, err); break;
        case OPT_FLASH_ATTN:
            if (strcmp(optarg, "on") && strcmp(optarg, "off") && strcmp(optarg, "auto")) {
                bai_error_set(err, BAI_EXIT_USAGE, "--flash-attn: expected on, off or auto, got '%s'", optarg);
                rc = -1;
            }
            a->flash_attn = optarg;
            break;
        case OPT_CTK: a->cache_type_k = optarg; break;
        case OPT_CTV: a->cache_type_v = optarg; break;
        case OPT_SYNTH_RATES: a->spec_synth_rates = optarg; break;
        case OPT_SERVER_ARG: strlist_push(&a->server_args, &a->n_server_args, &a->cap_server_args, optarg); break;
        case OPT_URL: a->url = optarg; break;
        case OPT_API_KEY_ENV: a->api_key_env = optarg; break;
        case OPT_CMD: a->cmd = optarg; break;
        case OPT_FROM: a->from = optarg; break;
        case OPT_PLAN: a->plan = optarg; break;
        case OPT_SWEEP: strlist_push(&a->sweeps, &a->n_sweeps, &a->cap_sweeps, optarg); break;
        case OPT_ZIP: a->zip = optarg; break;
        case OPT_DRY_RUN: a->dry_run = 1; break;
        case OPT_CONCURRENCY: rc = parse_int("concurrency", optarg, 1, &a->concurrency, err); break;
        case OPT_RATE: {
            char *end;
            a->rate = strtod(optarg, &end);
            if (*end || a->rate <= 0) {
                bai_error_set(err, BAI_EXIT_USAGE, "--rate: expected requests per second > 0, got '%s'", optarg);
                rc = -1;
            }
            break;
        }
        case OPT_REPS: rc = parse_int("reps", optarg, 1, &a->reps, err); break;
        case OPT_WARMUP: rc = parse_int("warmup", optarg, 0, &a->warmup, err); break;
        case OPT_LIMIT: rc = parse_int("limit", optarg, 1, &a->limit, err); break;
        case OPT_SHARD:
            if (sscanf(optarg, "%d/%d", &a->shard_i, &a->shard_n) != 2 || a->shard_n < 1 ||
                a->shard_i < 1 || a->shard_i > a->shard_n) {
                bai_error_set(err, BAI_EXIT_USAGE, "--shard: expected I/N with 1 <= I <= N, got '%s'", optarg);
                rc = -1;
            }
            break;
        case OPT_NO_STREAM: a->stream = 0; break;
        case OPT_TIMEOUT: {
            int s;
            rc = parse_int("timeout", optarg, 1, &s, err);
            a->timeout_ms = (long)s * 1000;
            break;
        }
        case OPT_RETRIES: rc = parse_int("retries", optarg, 0, &a->retries, err); break;
        case OPT_STARTUP_TIMEOUT: rc = parse_int("startup-timeout", optarg, 1, &a->startup_timeout_s, err); break;
        case OPT_HANG_TIMEOUT: {
            int s;
            rc = parse_int("hang-timeout", optarg, 0, &s, err);
            a->hang_timeout_ms = s > 0 ? s * 1000 : -1;
            break;
        }
        case OPT_STORE: a->store = optarg; break;
        case OPT_LOGS: a->logs = optarg; break;
        case OPT_NOTE: a->note = optarg; break;
        case OPT_TAG: strlist_push(&a->tags, &a->n_tags, &a->cap_tags, optarg); break;
        case OPT_FORCE: a->force = 1; break;
        case OPT_DEMO: a->demo = 1; break;
        case OPT_RUN_ID: a->run_id = optarg; break;
        case OPT_SANDBOX:
            if (strcmp(optarg, "full") && strcmp(optarg, "rlimits")) {
                bai_error_set(err, BAI_EXIT_USAGE, "--sandbox: expected full or rlimits, got '%s'", optarg);
                rc = -1;
            }
            a->sandbox_rlimits = !strcmp(optarg, "rlimits");
            break;
        case OPT_JUDGE_URL: a->judge_url = optarg; break;
        case OPT_JUDGE_MODEL: a->judge_model = optarg; break;
        case OPT_JUDGE_KEY: a->judge_api_key_env = optarg; break;
        case OPT_JUDGE_GGUF: a->judge_gguf = optarg; break;
        case ':':
            bai_error_set(err, BAI_EXIT_USAGE, "%s needs a value (see benchai run --help)", argv[optind - 1]);
            rc = -1;
            break;
        default:
            bai_error_set(err, BAI_EXIT_USAGE, "unknown flag '%s' (see benchai run --help)", argv[optind - 1]);
            rc = -1;
            break;
        }
        if (rc) {
            run_config_free(a);
            return -1;
        }
    }
    if (optind < argc) {
        bai_error_set(err, BAI_EXIT_USAGE, "unexpected argument '%s' (see benchai run --help)", argv[optind]);
        run_config_free(a);
        return -1;
    }
    return 0;
}

/* The arguments as a JSON object {"argv": [...], "cwd": ...}, stored with
 * the run so `benchai resume` can parse them again. */
static char *argv_json(int argc, char **argv)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *arr = cJSON_AddArrayToObject(o, "argv");
    for (int i = 0; i < argc; i++)
        cJSON_AddItemToArray(arr, cJSON_CreateString(argv[i]));
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd))
        cJSON_AddStringToObject(o, "cwd", cwd);
    char *s = cJSON_PrintUnformatted(o);
    char *out = xstrdup(s);
    cJSON_free(s);
    cJSON_Delete(o);
    return out;
}

/* Runs a parsed config; resume_id continues that run. */
static int run_with_config(struct run_config *a, const char *resume_id, const char *plan_json)
{
    struct bai_error err = {0};
    int demo = a->demo;
    if (demo && a->n_suites == 0)
        strlist_push(&a->suites, &a->n_suites, &a->cap_suites, "smoke");
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
    const char *store_path = run_config_store(a);
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
        .cfg = a, .suites = suites, .n_suites = n_suites, .points = pts.points, .n_points = pts.n_points,
        .resume_run_id = resume_id, .plan_json = plan_json,
        .time_budget_s = pts.plan ? run_points_time_budget(&pts) : 0, .judge = judge,
        .stop = &stop_requested, .show_progress = isatty(2) && log_get_level() >= LOG_INFO,
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
    struct run_config a;
    struct bai_error err = {0};
    int rc = parse_args(argc, argv, &a, &err);
    if (rc == 1)
        return BAI_EXIT_OK;
    if (rc < 0)
        return bai_error_report(&err);
    char *plan_json = argv_json(argc, argv);
    int code = run_with_config(&a, NULL, plan_json);
    free(plan_json);
    run_config_free(&a);
    return code;
}

int cmd_resume(int argc, char **argv)
{
    static const char resume_usage[] = "usage: benchai resume RUN [--store PATH] [--force]\n";
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("%s\n"
               "Continues an interrupted run with the arguments it was started with:\n"
               "configurations and samples already stored are not run again, so every\n"
               "item ends with exactly one sample per repetition.\n"
               "A suite whose file changed since the run started is refused (exit 2);\n"
               "--force continues with the file as it is now and records that with the run.\n",
               resume_usage);
        return BAI_EXIT_OK;
    }
    const char *store_path = getenv("BENCHAI_STORE");
    int force = 0, bad = argc < 2;
    for (int i = 2; i < argc && !bad; i++) {
        if (!strcmp(argv[i], "--force"))
            force = 1;
        else if (!strcmp(argv[i], "--store") && i + 1 < argc)
            store_path = argv[++i];
        else
            bad = 1;
    }
    if (bad) {
        fputs(resume_usage, stderr);
        return BAI_EXIT_USAGE;
    }
    if (!store_path)
        store_path = STORE_DEFAULT_PATH;
    struct bai_error err = {0};
    struct store *st = store_open_readonly(store_path, &err);
    if (!st)
        return bai_error_report(&err);
    char run_id[STORE_RUN_ID_MAX];
    char *plan_json = NULL;
    if (store_resolve_run(st, argv[1], run_id, &err) != 0 || store_run_plan(st, run_id, &plan_json, &err) < 0) {
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
    int has_store = 0;
    for (int i = 0; i < k; i++)
        if (!strcmp(args[i], "--store"))
            has_store = 1;
    if (!has_store) {
        args[k++] = "--store";
        args[k++] = (char *)store_path;
    }
    if (force)
        args[k++] = "--force";
    struct run_config a;
    int rc = parse_args(k, args, &a, &err);
    int code;
    if (rc != 0) {
        code = rc < 0 ? bai_error_report(&err) : BAI_EXIT_USAGE;
    } else {
        if (!a.store)
            a.store = store_path;
        log_info("resuming run %s", run_id);
        code = run_with_config(&a, run_id, plan_json);
        run_config_free(&a);
    }
    free(args);
    cJSON_Delete(plan);
    free(plan_json);
    return code;
}
