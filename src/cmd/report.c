/* report.c - `benchai report RUN... --out DIR`: the self-contained HTML
 * report (report/html.c) for one or more stored runs. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/load.h"
#include "report/html.h"
#include "report/sweep.h"
#include "util/error.h"
#include "util/log.h"

struct report_opts {
    const char *out, *store, *format;
    int max_failed, unscored;
    struct report_rules rules;
    double np_p95_limit;
};

static const char *const html_only[] = { "html", NULL };

static const struct cli_option report_options[] = {
    CLI_OPT_STRING(0, "out", struct report_opts, out, "DIR", "output directory (created; required)",
                   .complete = CLI_COMP_DIR),
    CLI_OPT_INT(0, "max-failed", struct report_opts, max_failed, "N", 1, 1000000,
                "failed items listed per run (default 200)"),
    CLI_OPT_DOUBLE(0, "np-p95-limit", struct report_opts, np_p95_limit, "X", 1.0, 1000.0,
                   "-np sweeps: the np chosen is the largest aggregate tok/s whose\np95 E2E latency is at most X times np=1's (default " REPORT_NP_P95_LIMIT_TEXT ")"),
    CLI_OPT_FORMAT(struct report_opts, format, html_only,
                   "html only (benchai table / pareto / select -o md print\nMarkdown)"),
    CLI_OPT_FLAG(0, "unscored", struct report_opts, unscored,
                 "failed items: also list the answers no scorer scores\n(speed suites), last"),
    CMD_RULES_OPTIONS(struct report_opts, rules),
    CLI_OPT_STORE(struct report_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_report_cli = {
    .name = "report",
    .summary = "one self-contained HTML report of runs (tables, Pareto, sweeps, compare)",
    .usage = "RUN... --out DIR [--max-failed N] [--np-p95-limit X] [--store PATH]",
    .description =
        "Writes DIR/index.html: one self-contained page (inline SVG plots, no scripts,\n"
        "no network) with the runs' metadata, the master score table, the Pareto\n"
        "frontier, per-suite score bars, sweep plots, a compare section when exactly\n"
        "two runs are given (A = first, B = second), and the failed items with their\n"
        "outputs. DIR/plots/ keeps the SVGs with their gnuplot .dat and .gp files.\n"
        "RUN is an id, a unique prefix or tag:NAME.\n",
    .options = report_options,
    .args = "RUN...", .min_args = 1, .max_args = -1, .args_complete = CLI_COMP_RUN,
    .run = cmd_report,
};

int cmd_report(int argc, char **argv)
{
    struct report_opts o = { .store = cli_default_store(), .format = "html" };
    int rc = cmd_options(&cmd_report_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *out_dir = o.out;
    struct report_html_opts ho = { .max_failed = (size_t)o.max_failed, .unscored = o.unscored, .rules = o.rules,
                                   .np_p95_limit = o.np_p95_limit };
    struct strv runs = { 0 };
    struct bai_error err = { 0 };
    rc = BAI_EXIT_OK;
    for (int i = 0; i < argc; i++)
        strv_add_csv(&runs, argv[i]);
    if (!runs.n || !out_dir) {
        fprintf(stderr, "benchai report: %s (see benchai report --help)\n",
                !runs.n ? "name at least one RUN" : "--out DIR is required");
        strv_free(&runs);
        return BAI_EXIT_USAGE;
    }
    struct store *st = store_open_readonly(o.store, &err);
    if (!st) {
        strv_free(&runs);
        return bai_error_report(&err);
    }
    int missing = 0;
    if (report_resolve_runs(st, &runs, &err) != 0 ||
        report_html_write(st, (const char *const *)runs.v, runs.n, out_dir, &ho, &missing, &err) != 0)
        rc = bai_error_report(&err);
    else {
        if (missing)
            log_warn("gnuplot not found: the report has no plots; their .dat and .gp files are in %s/plots",
                     out_dir);
        printf("%s/index.html\n", out_dir);
    }
    store_close(st);
    strv_free(&runs);
    return rc;
}
