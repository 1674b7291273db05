/* table.c - `benchai table`: the master score table (model + config rows,
 * a column per suite, overall %, tokens/s, TTFT) from the store. */
#include <stdio.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/load.h"
#include "report/format.h"
#include "report/master.h"
#include "util/error.h"
#include "util/mem.h"

struct table_opts {
    struct strv runs, suites;
    const char *sort, *format, *store;
    int all_runs;
    struct report_rules rules;
};

static const struct cli_option table_options[] = {
    CLI_OPT_RUNS(struct table_opts, runs, "only these runs (ids, unique prefixes or tag:NAME)"),
    CLI_OPT_SUITES(struct table_opts, suites, "only these suites"),
    CLI_OPT_FLAG(0, "all-runs", struct table_opts, all_runs,
                 "without --run: one row per run and config (default:\nonly the newest run's row for "
                 "each model + config label)"),
    CLI_OPT_STRING(0, "sort", struct table_opts, sort, "COL[:asc|:desc]",
                   "sort by a column name (numbers descending, text ascending\nunless :asc / :desc is "
                   "given); default: pct"),
    CLI_OPT_FORMAT(struct table_opts, format, cli_formats_md_csv_json,
                   "md (default), csv (numbers only) or json (every figure)"),
    CMD_RULES_OPTIONS(struct table_opts, rules),
    CLI_OPT_STORE(struct table_opts, store),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_table_cli = {
    .name = "table",
    .summary = "the master score table: model + config rows, suite columns, overall %, tok/s",
    .usage = "[--run R]... [--suite S]... [--all-runs] [--sort COL[:asc|:desc]]\n"
             " [-o md|csv|json] [--store PATH]",
    .description =
        "The master score table: one row per model + config, a column per suite\n"
        "(score % with points/items), total, overall % (item-weighted: every scored\n"
        "item counts once, like Total/max points), generation tokens/s (p50) and\n"
        "TTFT p50. A suite cell reads \"(sum/n; 3 of 5 items)\" when fewer items ran\n"
        "than the suite has. When items have several samples (--reps) and pass/fail\n"
        "scores, md adds a pass@k table and json a pass_at_k object per suite.\n"
        "Failed and timed-out requests count as failures (--exclude-failed leaves\n"
        "them out); a judged suite shows the judge written last (--judge picks one)\n"
        "and the table names it. See docs/reports.md.\n",
    .options = table_options,
    .run = cmd_table,
};

int cmd_table(int argc, char **argv)
{
    struct table_opts o = { .sort = "pct", .format = cli_default_format(cli_formats_md_csv_json, "md"),
                            .store = cli_default_store() };
    int rc = cmd_options(&cmd_table_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *path = o.store, *sort = o.sort;
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    rc = BAI_EXIT_OK;
    report_fmt_parse(o.format, &fmt, &err);
    struct store *st;
    struct report_points pts;
    if (report_load(path, &o.runs, &o.suites, !o.all_runs, &o.rules, &st, &pts, &err) != 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    store_close(st);
    struct buf b = { 0 };
    if (fmt == REPORT_FMT_JSON) {
        report_points_json(&pts, &b);
    } else {
        struct report_table t;
        report_master_table(&pts, &t);
        if (report_table_sort(&t, sort, &err) != 0) {
            rc = bai_error_report(&err);
            report_table_free(&t);
            report_points_free(&pts);
            goto out;
        }
        if (fmt == REPORT_FMT_MD)
            buf_printf(&b, "### Master Benchmark Scores\n\n");
        report_table_render(&t, fmt, &b);
        if (fmt == REPORT_FMT_MD && !pts.n)
            buf_puts(&b, "\n(no scored configurations in the store for this selection)\n");
        if (fmt == REPORT_FMT_MD && pts.n) {
            struct buf judges = { 0 };
            report_points_judges(&pts, "", &judges);
            int failures = 0;
            for (size_t i = 0; i < pts.n; i++)
                for (size_t k = 0; k < pts.v[i].n_suites; k++)
                    failures |= pts.v[i].suites[k].n_error + pts.v[i].suites[k].n_timeout > 0;
            if (o.rules.exclude_failed)
                buf_printf(&b, "\nscores: %s\n", report_exclude_failed_note);
            else if (failures)
                buf_puts(&b, "\nscores: failed and timed-out samples count as failures (worth 0)\n");
            if (judges.len)
                buf_printf(&b, "%s%s", o.rules.exclude_failed || failures ? "" : "\n", judges.data);
            buf_free(&judges);
        }
        report_table_free(&t);
        struct buf notes = { 0 };
        if (fmt == REPORT_FMT_MD && report_master_passk(&pts, &t, &notes, "note: ")) {
            buf_puts(&b, "\n### pass@k (items with several samples, unparsed = failed)\n\n");
            report_table_md(&t, &b);
            if (notes.len)
                buf_printf(&b, "\n%s", notes.data);
            report_table_free(&t);
        }
        buf_free(&notes);
        if (fmt == REPORT_FMT_MD && report_master_tiers(&pts, &t)) {
            buf_puts(&b, "\n### Tiers (score % with points/items per item tier)\n\n");
            report_table_md(&t, &b);
            report_table_free(&t);
        }
    }
    cmd_print(b.data ? b.data : "", b.len, fmt == REPORT_FMT_JSON);
    buf_free(&b);
    report_points_free(&pts);
out:
    cli_free(&cmd_table_cli, &o);
    return rc;
}
