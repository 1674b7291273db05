#include "cmd/run_args.h"
#include "run/judge_client.h"
#include "util/mem.h"
#include "util/strlist.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
"  --force             accept a suite whose content changed under the same version\n"
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
    OPT_FORCE, OPT_DEMO, OPT_RUN_ID, OPT_SANDBOX, OPT_STARTUP_TIMEOUT, OPT_SYNTH_RATES,
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

int run_args_parse(int argc, char **argv, struct run_args *a, struct bai_error *err)
{
    memset(a, 0, sizeof *a);
    a->backend = BACKEND_LLAMA_SERVER;
    a->ngl = -1;
    a->warmup = 1;
    a->stream = 1;
    a->retries = 3;
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
            a->sandbox = optarg;
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
            run_args_free(a);
            return -1;
        }
    }
    if (optind < argc) {
        bai_error_set(err, BAI_EXIT_USAGE, "unexpected argument '%s' (see benchai run --help)", argv[optind]);
        run_args_free(a);
        return -1;
    }
    return 0;
}

void run_args_free(struct run_args *a)
{
    for (size_t i = 0; i < a->n_suites; i++)
        free(a->suites[i]);
    for (size_t i = 0; i < a->n_sweeps; i++)
        free(a->sweeps[i]);
    for (size_t i = 0; i < a->n_tags; i++)
        free(a->tags[i]);
    for (size_t i = 0; i < a->n_server_args; i++)
        free(a->server_args[i]);
    free(a->suites);
    free(a->sweeps);
    free(a->tags);
    free(a->server_args);
    memset(a, 0, sizeof *a);
}

char *run_args_to_json(int argc, char **argv)
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
