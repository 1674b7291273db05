/* compare.c - `benchai compare RUN_A RUN_B`: item-paired deltas with
 * bootstrap CIs, McNemar's exact test, flipped items and speed ratios.
 * The work is in report/compare.c; this file is flags and exit codes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/compare.h"
#include "util/error.h"
#include "util/mem.h"

struct compare_cmd_opts {
    struct compare_opts c;
    struct strv suites;
    const char *format, *store;
};

static const struct cli_option compare_options[] = {
    CMD_COMPARE_OPTIONS(struct compare_cmd_opts),
    CLI_OPT_FLAG(0, "flipped", struct compare_cmd_opts, c.with_outputs, "list flipped items with both outputs"),
    CLI_OPT_FORMAT(struct compare_cmd_opts, format, cli_formats_md_csv_json, "output format"),
    CLI_OPT_FLAG(0, "force", struct compare_cmd_opts, c.force, "pair suites whose version/hash differ by item id"),
    CLI_OPT_STORE(struct compare_cmd_opts, store),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_compare_cli = {
    .name = "compare",
    .summary = "compare two runs item by item: deltas with CIs, flipped items, speed ratios",
    .usage = "RUN_A RUN_B [--config LABEL_A[:LABEL_B]] [--suite S]... [--flipped]\n"
             " [-o md|json|csv] [--resamples N] [--seed N] [--force] [--store PATH]",
    .description =
        "Pairs the items of two runs by (config label, suite name, version, sha256,\n"
        "item id, rep) and prints per suite: score A, score B, delta B - A in\n"
        "percentage points with a paired bootstrap 95% CI, McNemar's exact p over\n"
        "pass/fail items and how many items flipped (and pass@k of both runs and the\n"
        "delta when items have several samples); and per config the speed ratios\n"
        "B/A (gen tokens/s, TTFT p50/p95, draft acceptance) with bootstrap CIs.\n"
        "Suites whose version or hash differ are not paired unless --force. When the\n"
        "paired configs differ in model, backend, draft or launch parameters, the\n"
        "header warns and names each difference.\n"
        "RUN is a full id, a unique prefix or tag:NAME.\n",
    .footer = "Exit: 0 compared, 2 usage error or no items in common, 4 store error.\n",
    .options = compare_options,
    .args = "RUN_A RUN_B", .min_args = 2, .max_args = 2, .args_complete = CLI_COMP_RUN,
    .run = cmd_compare,
};

int cmd_compare(int argc, char **argv)
{
    struct compare_cmd_opts co = { .format = cli_default_format(cli_formats_md_csv_json, "md"),
                                   .store = cli_default_store() };
    compare_opts_init(&co.c);
    int rc = cmd_options(&cmd_compare_cli, &co, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct compare_opts o = co.c;
    struct bai_error err = {0};
    enum report_fmt fmt = REPORT_FMT_MD;
    report_fmt_parse(co.format, &fmt, &err);
    rc = BAI_EXIT_USAGE;
    o.suites = (const char *const *)co.suites.v;
    o.n_suites = co.suites.n;
    char id_a[STORE_RUN_ID_MAX], id_b[STORE_RUN_ID_MAX];
    struct store *st = compare_open(co.store, argv[0], argv[1], id_a, id_b, &err);
    if (!st) {
        rc = bai_error_report(&err);
        goto out;
    }
    struct compare_result r;
    if (compare_runs(st, id_a, id_b, &o, &r, &err)) {
        rc = bai_error_report(&err);
        store_close(st);
        goto out;
    }
    store_close(st);
    if (r.n_common == 0) {
        struct buf msg = {0};   /* notes quote names from files: cmd_eprint */
        buf_printf(&msg, "benchai compare: runs %s and %s have no items in common%s\n", id_a, id_b,
                   o.n_suites ? " (within the suites asked for)" : "");
        for (size_t i = 0; i < r.n_notes; i++)
            buf_printf(&msg, "  %s\n", r.notes[i]);
        for (size_t p = 0; p < r.n_pairs; p++)
            for (size_t s = 0; s < r.pairs[p].n_suites; s++)
                if (r.pairs[p].suites[s].note)
                    buf_printf(&msg, "  %s: %s\n", r.pairs[p].suites[s].name,
                               r.pairs[p].suites[s].note);
        cmd_eprint(msg.data);
        buf_free(&msg);
        compare_result_free(&r);
        rc = BAI_EXIT_USAGE;
        goto out;
    }
    /* md and json say it in their header; csv has no header to say it in */
    for (size_t p = 0; fmt == REPORT_FMT_CSV && p < r.n_pairs; p++) {
        char *w = compare_pair_differences_text(&r.pairs[p]);
        if (w)
            cmd_print_error("benchai compare: warning", w);
        free(w);
    }
    struct buf b = {0};
    compare_render(&r, fmt, o.with_outputs, &b);
    compare_result_free(&r);
    rc = BAI_EXIT_OK;
    rc = cmd_print(b.data ? b.data : "", b.len, fmt == REPORT_FMT_JSON);
    buf_free(&b);
out:
    cli_free(&cmd_compare_cli, &co);
    return rc;
}
