/* compare.c - `benchai compare RUN_A RUN_B`: item-paired deltas with
 * bootstrap CIs, McNemar's exact test, flipped items and speed ratios.
 * The work is in report/compare.c; this file is flags and exit codes. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/compare.h"
#include "util/error.h"
#include "util/mem.h"
#include "util/strlist.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchai compare RUN_A RUN_B [--config LABEL_A[:LABEL_B]] [--suite S]...\n"
            "                       [--flipped] [-o md|json|csv] [--resamples N] [--seed N]\n"
            "                       [--force] [--store PATH]\n"
            "\n"
            "Pairs the items of two runs by (config label, suite name, version, sha256,\n"
            "item id, rep) and prints per suite: score A, score B, delta B - A in\n"
            "percentage points with a paired bootstrap 95%% CI, McNemar's exact p over\n"
            "pass/fail items and how many items flipped (and pass@k of both runs and the\n"
            "delta when items have several samples); and per config the speed ratios\n"
            "B/A (gen tokens/s, TTFT p50/p95, draft acceptance) with bootstrap CIs.\n"
            "Suites whose version or hash differ are not paired unless --force. When the\n"
            "paired configs differ in model, backend, draft or launch parameters, the\n"
            "header warns and names each difference.\n"
            "RUN is a full id, a unique prefix or tag:NAME.\n"
            "  --config A[:B]    compare config A of RUN_A with B (default A) of RUN_B;\n"
            "                    default: configs with the same label, or each run's only one\n"
            "  --suite S         only suite S (repeatable, or S1,S2)\n"
            "  --flipped         list flipped items with both outputs\n"
            "  -o FORMAT         md (default), json or csv\n"
            "  --resamples N     bootstrap resamples, >= 10000 (default 10000)\n"
            "  --seed N          bootstrap seed (default 1)\n"
            "  --force           pair suites whose version/hash differ by item id\n"
            "  --store PATH      the store (default $BENCHAI_STORE or %s)\n"
            "Exit: 0 compared, 2 usage error or no items in common, 4 store error.\n",
            STORE_DEFAULT_PATH);
}

int cmd_compare(int argc, char **argv)
{
    static const struct option opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"suite", required_argument, NULL, 's'},
        {"flipped", no_argument, NULL, 'F'},
        {"resamples", required_argument, NULL, 'R'},
        {"seed", required_argument, NULL, 'S'},
        {"force", no_argument, NULL, 'f'},
        {"store", required_argument, NULL, 'D'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct compare_opts o;
    struct bai_error err = {0};
    enum report_fmt fmt = REPORT_FMT_MD;
    const char *store_path = NULL;
    char **suites = NULL;
    size_t n_suites = 0, cap_suites = 0;
    int rc = BAI_EXIT_USAGE, c;
    compare_opts_init(&o);
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'c': o.config_a = optarg; break;
        case 's': strlist_add_csv(&suites, &n_suites, &cap_suites, optarg); break;
        case 'F': o.with_outputs = 1; break;
        case 'f': o.force = 1; break;
        case 'D': store_path = optarg; break;
        case 'o':
            if (report_fmt_parse(optarg, &fmt, &err)) {
                rc = bai_error_report(&err);
                goto out;
            }
            break;
        case 'R':
            if (compare_parse_resamples("compare", optarg, &o))
                goto out;
            break;
        case 'S':
            if (compare_parse_seed("compare", optarg, &o))
                goto out;
            break;
        case 'h': usage(stdout); rc = BAI_EXIT_OK; goto out;
        default: usage(stderr); goto out;
        }
    }
    if (argc - optind != 2) {
        fprintf(stderr, "benchai compare: expected two runs, RUN_A and RUN_B\n");
        usage(stderr);
        goto out;
    }
    o.suites = (const char *const *)suites;
    o.n_suites = n_suites;
    char id_a[STORE_RUN_ID_MAX], id_b[STORE_RUN_ID_MAX];
    struct store *st = compare_open(store_path, argv[optind], argv[optind + 1], id_a, id_b, &err);
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
        fprintf(stderr, "benchai compare: runs %s and %s have no items in common%s\n", id_a, id_b,
                o.n_suites ? " (within the suites asked for)" : "");
        for (size_t i = 0; i < r.n_notes; i++)
            fprintf(stderr, "  %s\n", r.notes[i]);
        for (size_t p = 0; p < r.n_pairs; p++)
            for (size_t s = 0; s < r.pairs[p].n_suites; s++)
                if (r.pairs[p].suites[s].note)
                    fprintf(stderr, "  %s: %s\n", r.pairs[p].suites[s].name,
                            r.pairs[p].suites[s].note);
        compare_result_free(&r);
        rc = BAI_EXIT_USAGE;
        goto out;
    }
    /* md and json say it in their header; csv has no header to say it in */
    for (size_t p = 0; fmt == REPORT_FMT_CSV && p < r.n_pairs; p++) {
        char *w = compare_pair_differences_text(&r.pairs[p]);
        if (w)
            fprintf(stderr, "benchai compare: warning: %s\n", w);
        free(w);
    }
    struct buf b = {0};
    compare_render(&r, fmt, o.with_outputs, &b);
    compare_result_free(&r);
    rc = BAI_EXIT_OK;
    if (b.len && fwrite(b.data, 1, b.len, stdout) != b.len) {
        fprintf(stderr, "benchai compare: writing the output failed\n");
        rc = BAI_EXIT_INTERNAL;
    }
    buf_free(&b);
out:
    strlist_free(suites, n_suites);
    return rc;
}
