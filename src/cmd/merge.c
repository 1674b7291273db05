/* merge.c - `benchai merge A.db B.db ... --out C.db`: merge shard stores (one
 * run split with --shard i/n) and stores from other machines. */
#include <stdio.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"

struct merge_opts {
    const char *out;
};

static const struct cli_option merge_options[] = {
    CLI_OPT_STRING(0, "out", struct merge_opts, out, "OUT.db", "the merged store (required)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STRING('o', "output", struct merge_opts, out, "OUT.db", "old spelling of --out",
                   .flags = CLI_HIDDEN, .replaced_by = "--out"),
    CLI_OPT_END(),
};

const struct cli_command cmd_merge_cli = {
    .name = "merge",
    .summary = "merge shard stores or stores from other machines",
    .usage = "STORE... --out OUT.db",
    .description =
        "Merges the stores into OUT.db (created when missing; an existing OUT.db is\n"
        "merged into, never truncated). Shards of one run share its id: configs match\n"
        "by label, suites by name, version and content hash, samples by (run, config,\n"
        "suite, item, rep). An identical duplicate is skipped; a conflicting one\n"
        "(different output, error or score) is reported and the sample already in\n"
        "OUT.db is kept. Each input is merged in one transaction.\n",
    .footer = "Exit status: 0 merged, 1 conflicts were found (everything else was merged),\n"
              "2 usage, 4 a store could not be read or written.\n",
    .options = merge_options,
    .args = "STORE...", .min_args = 1, .max_args = -1, .args_complete = CLI_COMP_FILE,
    .run = cmd_merge,
};

int cmd_merge(int argc, char **argv)
{
    struct merge_opts o = { 0 };
    int rc = cmd_options(&cmd_merge_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *out_path = o.out;
    if (!out_path) {
        fprintf(stderr, "benchai merge: give the stores to merge and --out OUT.db "
                        "(see benchai merge --help)\n");
        return BAI_EXIT_USAGE;
    }
    struct bai_error err = { 0 };
    struct store *dst = store_open(out_path, &err);
    if (!dst)
        return bai_error_report(&err);
    struct store_merge_stats total = { 0 };
    struct buf conflicts = { 0 };
    rc = BAI_EXIT_OK;
    for (int i = 0; i < argc; i++) {
        struct store_merge_stats s = { 0 };
        if (store_merge(dst, argv[i], &s, &conflicts, &err) < 0) {
            rc = bai_error_report(&err);
            break;
        }
        fprintf(stderr, "%s: %lld samples added, %lld identical duplicates skipped, "
                        "%lld conflicts\n", argv[i], (long long)s.samples_added,
                (long long)s.samples_identical, (long long)s.samples_conflicting);
        total.runs_added += s.runs_added;
        total.runs_joined += s.runs_joined;
        total.configs_added += s.configs_added;
        total.suites_added += s.suites_added;
        total.samples_added += s.samples_added;
        total.samples_identical += s.samples_identical;
        total.samples_conflicting += s.samples_conflicting;
        total.incidents_added += s.incidents_added;
    }
    store_close(dst);
    if (conflicts.len)
        cmd_print(conflicts.data, conflicts.len, 0);
    buf_free(&conflicts);
    printf("merged into %s: %lld new runs, %lld runs joined, %lld configs, %lld suites, "
           "%lld samples added, %lld identical duplicates skipped, %lld conflicts, "
           "%lld incidents\n", out_path, (long long)total.runs_added,
           (long long)total.runs_joined, (long long)total.configs_added,
           (long long)total.suites_added, (long long)total.samples_added,
           (long long)total.samples_identical, (long long)total.samples_conflicting,
           (long long)total.incidents_added);
    if (rc == BAI_EXIT_OK && total.samples_conflicting > 0) {
        fprintf(stderr, "benchai merge: %lld conflicting duplicate samples were not merged "
                        "(listed above)\n", (long long)total.samples_conflicting);
        rc = BAI_EXIT_FAIL;
    }
    return rc;
}
