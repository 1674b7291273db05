/* main.c - benchai's entry point: global flags, then one dispatch table that
 * maps a subcommand name to its cmd_* function (git's builtin table). */
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "util/error.h"
#include "util/log.h"
#include "util/version.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static const struct command commands[] = {
    { "run",     cmd_run,     "run suites against a model (or a plan of sweeps) and store the results" },
    { "resume",  cmd_resume,  "continue an interrupted run without repeating stored samples" },
    { "runs",    cmd_runs,    "list stored runs (filter by suite, model, tag, status, date)" },
    { "show",    cmd_show,    "one run per config and suite: scores with CIs, speed, incidents" },
    { "export",  cmd_export,  "one row per sample of a run as csv, jsonl or md" },
    { "rm",      cmd_rm,      "delete a run and everything of it" },
    { "merge",   cmd_merge,   "merge shard stores or stores from other machines" },
    { "store",   cmd_store,   "check, locate or vacuum the results store" },
    { "suites",  cmd_suites,  "list suites, or validate suite files (suites validate FILE...)" },
    { "import",  cmd_import,  "import a public data set (gpqa, hotpotqa, ifeval, ...) as a suite" },
    { "sandbox-check", cmd_sandbox_check, "report the isolation available for running model-written code" },
    { "compare", cmd_compare, "compare two runs item by item: deltas with CIs, flipped items, speed ratios" },
    { "gate",    cmd_gate,    "fail (exit 1) when a candidate run regresses significantly against a baseline" },
    { "table",   cmd_table,   "the master score table: model + config rows, suite columns, overall %, tok/s" },
    { "pareto",  cmd_pareto,  "quality vs speed with the Pareto frontier marked (--plot draws it)" },
    { "select",  cmd_select,  "per role (benchmarks/roles.yaml): best config meeting its constraints" },
    { "score",   cmd_score,   "score predictions made elsewhere (JSONL) and print the aggregate" },
    { "report",  cmd_report,  "one self-contained HTML report of runs (tables, Pareto, sweeps, compare)" },
    { "rescore", cmd_rescore, "score a run's stored outputs again (another scorer, a judge model, peer answers)" },
    /* COMMANDS: helpers add their rows above this line. */
};

static void usage(FILE *out)
{
    fprintf(out, "usage: benchai [-q | -v] <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  %-14s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'benchai <command> --help' describes one command.\n"
                 "Exit codes: 0 ok, 1 gate failed/regression, 2 usage or input error,\n"
                 "3 backend unavailable, 4 store error, 5 interrupted, 6 sandbox unavailable.\n");
}

int main(int argc, char **argv)
{
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet"))
            log_set_level(LOG_QUIET);
        else if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose"))
            log_set_level(LOG_DEBUG);
        else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            usage(stdout);
            return BAI_EXIT_OK;
        } else if (!strcmp(argv[i], "--version")) {
            printf("benchai %s\n", bai_version);
            return BAI_EXIT_OK;
        } else {
            fprintf(stderr, "benchai: unknown option '%s' (see benchai --help)\n", argv[i]);
            return BAI_EXIT_USAGE;
        }
    }
    if (i >= argc) {
        usage(stderr);
        return BAI_EXIT_USAGE;
    }
    if (!strcmp(argv[i], "help")) {
        usage(stdout);
        return BAI_EXIT_OK;
    }
    if (!strcmp(argv[i], "version")) {
        printf("benchai %s\n", bai_version);
        return BAI_EXIT_OK;
    }
    for (size_t c = 0; c < sizeof commands / sizeof commands[0]; c++)
        if (!strcmp(argv[i], commands[c].name))
            return commands[c].fn(argc - i, argv + i);
    fprintf(stderr, "benchai: unknown command '%s' (see benchai --help)\n", argv[i]);
    return BAI_EXIT_USAGE;
}
