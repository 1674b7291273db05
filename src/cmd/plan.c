/* plan.c - `benchai plan [PLAN] --shards N [-- RUN-ARGS]`: which sweep
 * points each of N shards runs and the estimated time per shard, computed
 * exactly as `benchai run --shard I/N` computes it (run/shard.h), so a
 * cluster job can be sized before it is submitted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "util/error.h"
#include "util/mem.h"

struct plan_opts {
    int shards;
    const char *split_above, *format;
};

static const struct cli_option plan_options[] = {
    CLI_OPT_INT(0, "shards", struct plan_opts, shards, "N", 1, 100000, "the number of shards (default 1)"),
    CLI_OPT_STRING(0, "split-above", struct plan_opts, split_above, "D|auto|never",
                   "split a point estimated above D into item chunks\n(default auto: the plan's estimate / N)"),
    CLI_OPT_FORMAT(struct plan_opts, format, cli_formats_md_json, "output format"),
    CLI_OPT_END(),
};

const struct cli_command cmd_plan_cli = {
    .name = "plan",
    .summary = "which points each of N shards runs, and the estimated time per shard",
    .usage = "[PLAN] --shards N [--split-above D] [-o md|json] [-- RUN-ARGS...]",
    .description =
        "Prints how `benchai run --shard I/N` divides a run among N shards: whole sweep\n"
        "points (each configuration's server starts once in the whole plan), balanced\n"
        "by estimated cost (model size, items, reps, max_tokens); a point estimated\n"
        "above --split-above is split into item chunks, never its speed suites or a\n"
        "point that sets np or --concurrency. PLAN is a plan file (benchmarks/*.yaml);\n"
        "RUN-ARGS after -- are the other arguments the shards will run with (--suite,\n"
        "--sweep, --limit, --reps, ...), since they change the costs. Nothing is run.\n",
    .options = plan_options,
    .args = "[PLAN] [-- RUN-ARGS...]", .max_args = -1, .args_complete = CLI_COMP_FILE,
    .run = cmd_plan,
};

int cmd_plan(int argc, char **argv)
{
    struct plan_opts o = { .shards = 1, .format = cli_default_format(cli_formats_md_json, "md") };
    int rc = cmd_options(&cmd_plan_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    char **args = xcalloc((size_t)argc + 8, sizeof *args);
    int n = 0;
    args[n++] = "run";
    int first = 0;
    if (argc > 0 && argv[0][0] != '-') {
        args[n++] = "--plan";
        args[n++] = argv[0];
        first = 1;
    }
    if (o.split_above) {
        args[n++] = "--split-above";
        args[n++] = (char *)o.split_above;
    }
    for (int i = first; i < argc; i++)
        args[n++] = argv[i];
    rc = cmd_run_shards_view(n, args, o.shards, !strcmp(o.format, "json"));
    free(args);
    return rc;
}
