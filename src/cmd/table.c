/* table.c - `benchai table`: the master score table (model + config rows,
 * a column per suite, overall %, tokens/s, TTFT) from the store. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/cli.h"
#include "report/format.h"
#include "report/master.h"
#include "util/error.h"
#include "util/mem.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchai table [--runs R,...] [--suites a,b] [--all-runs] [--sort COL[:asc|:desc]]\n"
            "                     [-o md|csv|json] [--store PATH]\n"
            "\n"
            "The master score table: one row per model + config, a column per suite\n"
            "(score %% with points/items), total, overall %% (item-weighted: every scored\n"
            "item counts once, like Total/max points), generation tokens/s (p50) and\n"
            "TTFT p50. A suite cell reads \"(sum/n; 3 of 5 items)\" when fewer items ran\n"
            "than the suite has. When items have several samples (--reps) and pass/fail\n"
            "scores, md adds a pass@k table and json a pass_at_k object per suite.\n"
            "See docs/reports.md.\n"
            "  --runs R,...   only these runs (ids, unique prefixes or tag:NAME); repeatable\n"
            "  --suites a,b   only these suites\n"
            "  --all-runs     without --runs: one row per run and config (default: only the\n"
            "                 newest run's row for each model + config label)\n"
            "  --sort COL     sort by a column name (numbers descending, text ascending\n"
            "                 unless :asc / :desc is given); default: pct\n"
            "  -o FORMAT      md (default), csv (numbers only) or json (every figure)\n"
            "  --store PATH   the store (default $BENCHAI_STORE or %s)\n",
            STORE_DEFAULT_PATH);
}

int cmd_table(int argc, char **argv)
{
    static const struct option opts[] = {
        { "runs", required_argument, NULL, 'r' },  { "suites", required_argument, NULL, 's' },
        { "suite", required_argument, NULL, 's' }, { "all-runs", no_argument, NULL, 'A' },
        { "sort", required_argument, NULL, 'S' },  { "output", required_argument, NULL, 'o' },
        { "store", required_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct report_strv runs = { 0 }, suites = { 0 };
    const char *path = NULL, *sort = "pct";
    int all_runs = 0, c, rc = BAI_EXIT_OK;
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r': report_strv_add_csv(&runs, optarg); break;
        case 's': report_strv_add_csv(&suites, optarg); break;
        case 'A': all_runs = 1; break;
        case 'S': sort = optarg; break;
        case 'D': path = optarg; break;
        case 'o':
            if (report_fmt_parse(optarg, &fmt, &err) < 0) {
                rc = bai_error_report(&err);
                goto out;
            }
            break;
        case 'h': usage(stdout); goto out;
        default: usage(stderr); rc = BAI_EXIT_USAGE; goto out;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "benchai table: unexpected argument '%s' (runs go in --runs)\n", argv[optind]);
        rc = BAI_EXIT_USAGE;
        goto out;
    }
    struct store *st;
    struct report_points pts;
    if (report_load(path, &runs, &suites, !all_runs, &st, &pts, &err) != 0) {
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
    }
    fwrite(b.data ? b.data : "", 1, b.len, stdout);
    buf_free(&b);
    report_points_free(&pts);
out:
    report_strv_free(&runs);
    report_strv_free(&suites);
    return rc;
}
