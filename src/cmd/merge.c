/* merge.c - `benchai merge A.db B.db ... --out C.db`: merge shard stores (one
 * run split with --shard i/n) and stores from other machines. Inputs may be
 * glob patterns (quoted, for a pattern the shell should not expand); every
 * input is checked before C.db is created or touched, and the shards of one
 * run must agree (store_merge_view_compare) unless --allow-mixed, which is
 * recorded with the run. After merging, each run's shards are reported by
 * index: done, running, interrupted, failed, missing. */
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cmd.h"
#include "report/shards.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"
#include "util/strv.h"

struct merge_opts {
    const char *out;
    int allow_mixed;
};

static const struct cli_option merge_options[] = {
    CLI_OPT_STRING(0, "out", struct merge_opts, out, "OUT.db", "the merged store (required)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STRING('o', "output", struct merge_opts, out, "OUT.db", "old spelling of --out",
                   .flags = CLI_HIDDEN, .replaced_by = "--out"),
    CLI_OPT_FLAG(0, "allow-mixed", struct merge_opts, allow_mixed,
                 "merge shards that disagree (suite contents, benchai version,\nllama.cpp build, model hash, "
                 "launch settings, manifest);\nthe differences are recorded with the run"),
    CLI_OPT_END(),
};

const struct cli_command cmd_merge_cli = {
    .name = "merge",
    .summary = "merge shard stores or stores from other machines",
    .usage = "STORE|'PATTERN'... --out OUT.db [--allow-mixed]",
    .description =
        "Merges the stores into OUT.db (created when missing; an existing OUT.db is\n"
        "merged into, never truncated). A quoted glob pattern ('results/shards/RUN-*.db')\n"
        "is expanded by benchai; a pattern that matches nothing, or a missing file, is an\n"
        "error before OUT.db is created. Shards of one run share its id: configs match\n"
        "by label, suites by name, version and content hash, samples by (run, config,\n"
        "suite, item, rep). An identical duplicate is skipped; a conflicting one\n"
        "(different output, error or score) is reported and the sample already in\n"
        "OUT.db is kept. Each input is merged in one transaction, so merging while\n"
        "shards still run, and again later, is safe: only new samples are added.\n"
        "The shards of one run must agree on its manifest, suite contents, benchai\n"
        "version and llama.cpp build, and per configuration on the launch settings,\n"
        "model hash and build; otherwise nothing is merged and the differences are\n"
        "named (--allow-mixed merges and records them). Afterwards each run's status\n"
        "is derived from its shards, and shards that are missing, partial or failed\n"
        "are named by index.\n",
    .footer = "Exit status: 0 merged, 1 conflicts were found (everything else was merged),\n"
              "2 usage, an input that matches nothing, or shards that disagree, 4 a store\n"
              "could not be read or written.\n",
    .options = merge_options,
    .args = "STORE...", .min_args = 1, .max_args = -1, .args_complete = CLI_COMP_FILE,
    .run = cmd_merge,
};

/* The inputs, glob patterns expanded (sorted, as glob returns them); -1
 * with err naming the first argument that matches no file. */
static int expand_inputs(int argc, char **argv, struct strv *in, struct bai_error *err)
{
    for (int i = 0; i < argc; i++) {
        if (!strpbrk(argv[i], "*?[")) {
            struct stat sb;
            if (stat(argv[i], &sb) != 0) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s: no such store", argv[i]);
                return -1;
            }
            strv_push(in, argv[i]);
            continue;
        }
        glob_t g;
        int rc = glob(argv[i], 0, NULL, &g);
        if (rc != 0) {
            if (rc != GLOB_NOMATCH)
                globfree(&g);
            bai_error_set(err, BAI_EXIT_USAGE, "'%s' matches no file: nothing merged, %s", argv[i],
                          "and no output store was created");
            return -1;
        }
        for (size_t k = 0; k < g.gl_pathc; k++)
            strv_push(in, g.gl_pathv[k]);
        globfree(&g);
    }
    return 0;
}

/* Compares every input with the output and the inputs before it. Returns
 * the number of differences (listed in diffs), -1 on a read error. */
static long check_inputs(const char *out_path, const struct strv *in, struct store_merge_view **seen_out,
                         struct buf *diffs, struct bai_error *err)
{
    struct store_merge_view *seen = NULL;
    struct stat sb;
    if (stat(out_path, &sb) == 0) {
        seen = store_merge_view_read(out_path, err);
        if (!seen)
            return -1;
    }
    const char *seen_name = out_path;   /* what `seen` holds, for the messages */
    long n = 0;
    for (size_t i = 0; i < in->n; i++) {
        struct store_merge_view *v = store_merge_view_read(in->v[i], err);
        if (!v) {
            store_merge_view_free(seen);
            return -1;
        }
        if (seen) {
            n += (long)store_merge_view_compare(seen, seen_name, v, in->v[i], diffs);
            store_merge_view_add(seen, v);
            store_merge_view_free(v);
            seen_name = "the stores before it";
        } else {
            seen = v;
            seen_name = in->v[i];
        }
    }
    *seen_out = seen;
    return n;
}

/* A merge of shards that disagree, allowed: the differences become an
 * incident of each run they name. */
static void record_mixed(struct store *dst, const struct store_merge_view *seen, const struct buf *diffs)
{
    const char **ids = NULL;
    size_t n = store_merge_view_runs(seen, &ids);
    for (size_t i = 0; i < n; i++) {
        struct buf msg = { 0 };
        char *want = xasprintf("run %s", ids[i]);
        for (const char *line = diffs->data; line && *line;) {
            const char *end = strchr(line, '\n');
            size_t len = end ? (size_t)(end - line) : strlen(line);
            if (!strncmp(line, want, strlen(want)) && (line[strlen(want)] == ':' || line[strlen(want)] == ' '))
                buf_printf(&msg, "%s%.*s", msg.len ? "; " : "merged with --allow-mixed: ", (int)len, line);
            line = end ? end + 1 : NULL;
        }
        if (msg.len) {
            struct bai_error e = { 0 };
            if (store_incident_add(dst, ids[i], 0, "merge_mixed", msg.data, &e) < 0)
                fprintf(stderr, "benchai merge: %s\n", e.msg);
        }
        buf_free(&msg);
        free(want);
    }
}

/* One line per merged run with shards that are not all done. */
static void report_runs(struct store *dst, const struct store_merge_view *seen)
{
    const char **ids = NULL;
    size_t n = store_merge_view_runs(seen, &ids);
    for (size_t i = 0; i < n; i++) {
        struct store_run_shards sh;
        struct bai_error e = { 0 };
        if (store_run_shards(dst, ids[i], &sh, &e) < 0)
            continue;
        struct buf line = { 0 };
        report_shards_summary(&sh, &line);
        const char *status = store_run_shards_status(&sh);
        if (line.len)
            printf("run %s: %s; status %s\n", ids[i], line.data, status ? status : "?");
        buf_free(&line);
        store_run_shards_free(&sh);
    }
}

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
    struct strv in = { 0 };
    if (expand_inputs(argc, argv, &in, &err) < 0) {
        strv_free(&in);
        return bai_error_report(&err);
    }
    /* reading an input read-only leaves -wal/-shm beside it: noted now,
     * tidied at the end */
    int *before = xcalloc(in.n + 1, sizeof *before);
    for (size_t i = 0; i < in.n; i++)
        before[i] = store_input_files(in.v[i]);
    struct buf diffs = { 0 }, conflicts = { 0 };
    struct store_merge_view *seen = NULL;
    struct store *dst = NULL;
    long n_diffs = check_inputs(out_path, &in, &seen, &diffs, &err);
    if (n_diffs < 0) {
        rc = bai_error_report(&err);
        goto out;
    }
    if (n_diffs > 0) {
        fwrite(diffs.data, 1, diffs.len, stderr);
        if (!o.allow_mixed) {
            fprintf(stderr, "benchai merge: the shards disagree (%ld difference%s above); nothing was merged. "
                            "Rerun the odd shard with the same benchai, llama.cpp, models and plan, or give "
                            "--allow-mixed to merge anyway (recorded with the run)\n",
                    n_diffs, n_diffs == 1 ? "" : "s");
            rc = BAI_EXIT_USAGE;
            goto out;
        }
        fprintf(stderr, "benchai merge: merging although the shards disagree (--allow-mixed; recorded)\n");
    }
    dst = store_open(out_path, &err);
    if (!dst) {
        rc = bai_error_report(&err);
        goto out;
    }
    struct store_merge_stats total = { 0 };
    rc = BAI_EXIT_OK;
    for (size_t i = 0; i < in.n; i++) {
        struct store_merge_stats s = { 0 };
        if (store_merge(dst, in.v[i], &s, &conflicts, &err) < 0) {
            rc = bai_error_report(&err);
            break;
        }
        fprintf(stderr, "%s: %lld samples added, %lld identical duplicates skipped, "
                        "%lld conflicts\n", in.v[i], (long long)s.samples_added,
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
    if (rc == BAI_EXIT_OK && n_diffs > 0)
        record_mixed(dst, seen, &diffs);
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
    report_runs(dst, seen);
    if (rc == BAI_EXIT_OK && total.samples_conflicting > 0) {
        fprintf(stderr, "benchai merge: %lld conflicting duplicate samples were not merged "
                        "(listed above)\n", (long long)total.samples_conflicting);
        rc = BAI_EXIT_FAIL;
    }
out:
    store_close(dst);
    store_merge_view_free(seen);
    for (size_t i = 0; i < in.n; i++)
        store_input_tidy(in.v[i], before[i]);
    free(before);
    buf_free(&diffs);
    buf_free(&conflicts);
    strv_free(&in);
    return rc;
}
