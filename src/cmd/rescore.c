/* rescore.c - `benchai rescore RUN`: score a run's stored outputs again
 * (another scorer, a judge model, peer answers) and print before/after. */
#include "cmd/cmd.h"
#include "net/http.h"
#include "run/judge_client.h"
#include "run/rescore.h"
#include "util/mem.h"
#include "util/strlist.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
"usage: benchai rescore RUN [--scorer NAME] [--suite S]... [--judge-url URL | --judge-gguf PATH]\n"
"                       [--peers N] [--force] [--dry-run] [--store PATH]\n"
"\n"
"Scores the stored outputs of RUN (id, unique prefix, tag:NAME or latest) again:\n"
"every sample that produced an answer, warm-ups excluded. Items are rebuilt from\n"
"the suite files as they are now; a file whose content hash differs from the one\n"
"the run used is refused unless --force. Each new score replaces that scorer's\n"
"earlier score of the sample; scores of other scorers are kept.\n"
"\n"
"  --scorer NAME            score with NAME instead of each item's own scorer\n"
"  --suite S                only this suite (name or file; repeat or comma-separate);\n"
"                           a file also replaces the lookup of suites/v1/S.yaml\n"
JUDGE_CLIENT_USAGE
"  --peers N                judge: show up to N other stored answers to the same item\n"
"                           (other runs or configs, same suite version; default 3, 0 = none)\n"
"  --force                  rescore against suite files whose hash changed\n"
"  --dry-run                check and count only; nothing is scored or written\n"
"  --store PATH             results store (default results/benchai.db, or $BENCHAI_STORE)\n"
"\n"
"Prints per suite and scorer: samples rescored, mean score before and after (over\n"
"samples scored, i.e. extraction failures apart), changed, unparsed, errors.\n"
"Exit codes: 0 done, 2 bad input or refused suite, 3 judge unavailable,\n"
"4 store error, 5 interrupted (scores written so far are kept).\n";

enum {
    OPT_SCORER = 256, OPT_SUITE, OPT_JUDGE_URL, OPT_JUDGE_MODEL, OPT_JUDGE_KEY, OPT_JUDGE_GGUF, OPT_PEERS,
    OPT_FORCE, OPT_DRY_RUN, OPT_STORE, OPT_HELP
};

static const struct option options[] = {
    { "scorer", required_argument, 0, OPT_SCORER }, { "suite", required_argument, 0, OPT_SUITE },
    { "judge-url", required_argument, 0, OPT_JUDGE_URL }, { "judge-model", required_argument, 0, OPT_JUDGE_MODEL },
    { "judge-api-key-env", required_argument, 0, OPT_JUDGE_KEY },
    { "judge-gguf", required_argument, 0, OPT_JUDGE_GGUF }, { "peers", required_argument, 0, OPT_PEERS },
    { "force", no_argument, 0, OPT_FORCE }, { "dry-run", no_argument, 0, OPT_DRY_RUN },
    { "store", required_argument, 0, OPT_STORE }, { "help", no_argument, 0, OPT_HELP }, { 0, 0, 0, 0 },
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

int cmd_rescore(int argc, char **argv)
{
    struct rescore_options o = { .peers = 3, .store_path = getenv("BENCHAI_STORE"), .stop = &stop_requested };
    struct judge_options jo = {0};
    char **suites = NULL;
    size_t n_suites = 0, cap_suites = 0;
    int code = BAI_EXIT_USAGE;
    optind = 0;
    opterr = 0;
    int c;
    while ((c = getopt_long(argc, argv, ":", options, NULL)) != -1) {
        switch (c) {
        case OPT_HELP:
            fputs(usage, stdout);
            strlist_free(suites, n_suites);
            return BAI_EXIT_OK;
        case OPT_SCORER: o.scorer = optarg; break;
        case OPT_SUITE: strlist_add_csv(&suites, &n_suites, &cap_suites, optarg); break;
        case OPT_JUDGE_URL: jo.url = optarg; break;
        case OPT_JUDGE_MODEL: jo.model = optarg; break;
        case OPT_JUDGE_KEY: jo.api_key_env = optarg; break;
        case OPT_JUDGE_GGUF: jo.gguf = optarg; break;
        case OPT_PEERS: {
            char *end;
            errno = 0;
            long n = strtol(optarg, &end, 10);
            if (errno || *end || end == optarg || n < 0 || n > 100) {
                fprintf(stderr, "benchai: --peers: expected an integer 0..100, got '%s'\n", optarg);
                goto out;
            }
            o.peers = (int)n;
            break;
        }
        case OPT_FORCE: o.force = 1; break;
        case OPT_DRY_RUN: o.dry_run = 1; break;
        case OPT_STORE: o.store_path = optarg; break;
        case ':':
            fprintf(stderr, "benchai: %s needs a value (see benchai rescore --help)\n", argv[optind - 1]);
            goto out;
        default:
            fprintf(stderr, "benchai: unknown flag '%s' (see benchai rescore --help)\n", argv[optind - 1]);
            goto out;
        }
    }
    if (optind + 1 != argc) {
        fprintf(stderr, optind >= argc ? "benchai: rescore needs a RUN (see benchai rescore --help)\n"
                                       : "benchai: rescore takes one RUN (see benchai rescore --help)\n");
        goto out;
    }
    o.run = argv[optind];
    o.suites = (const char *const *)suites;
    o.n_suites = n_suites;

    struct bai_error err = {0};
    struct judge *judge = NULL;
    if (judge_options_given(&jo) && !o.dry_run) {
        http_global_init();
        if (judge_client_open(&jo, &judge, &err) != 0) {
            code = bai_error_report(&err);
            goto out;
        }
        o.judge = judge;
    } else if ((jo.model || jo.api_key_env) && !judge_options_given(&jo)) {
        fprintf(stderr, "benchai: --judge-model / --judge-api-key-env need --judge-url or --judge-gguf\n");
        goto out;
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    struct rescore_result res;
    int rc = rescore_run(&o, &res, &err);
    if (res.run_id[0] && (rc == 0 || res.n_rows > 0)) {
        rescore_result_print(&res, o.dry_run, stdout);
        if (res.missing_items)
            printf("\n%zu sample(s) skipped: their items are no longer in the suite file\n", res.missing_items);
        if (o.dry_run)
            printf("\ndry run: nothing was scored or written (run %s)\n", res.run_id);
        else
            printf("\nrun %s: %zu sample(s) rescored%s%s\n", res.run_id, res.samples, judge ? " with judge " : "",
                   judge ? judge->model : "");
    }
    code = rc == 0 ? BAI_EXIT_OK : bai_error_report(&err);
    rescore_result_free(&res);
    judge_client_close(judge);
out:
    strlist_free(suites, n_suites);
    return code;
}
