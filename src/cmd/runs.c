/* runs.c - `benchai runs`: list stored runs, newest first, with filters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/format.h"
#include "report/shards.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"

struct runs_opts {
    struct store_run_filter f;
    const char *store, *format;
};

static const char *const statuses[] = { "running", "done", "interrupted", "failed", NULL };

static const struct cli_option runs_options[] = {
    CLI_OPT_STRING(0, "suite", struct runs_opts, f.suite, "SUITE", "runs with samples of this suite",
                   .complete = CLI_COMP_SUITE),
    CLI_OPT_MODEL(struct runs_opts, f.model, "runs with a config whose model (path or name) contains\nMODEL"),
    CLI_OPT_STRING(0, "tag", struct runs_opts, f.tag, "TAG", "runs tagged TAG (benchai run --tag)"),
    CLI_OPT_CHOICE(0, "status", struct runs_opts, f.status, "STATUS", statuses, "runs in this state"),
    CLI_OPT_STRING(0, "since", struct runs_opts, f.since, "DATE",
                   "started at or after DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ\n(UTC), or an age "
                   "such as 7d, 12h, 30m"),
    CLI_OPT_STRING(0, "until", struct runs_opts, f.until, "DATE",
                   "started at or before DATE (a bare date includes that day)"),
    CLI_OPT_INT('n', "limit", struct runs_opts, f.limit, "N", 1, 1000000, "at most N runs"),
    CLI_OPT_FORMAT(struct runs_opts, format, cli_formats_md_csv_json, "output format"),
    CLI_OPT_STORE(struct runs_opts, store),
    CMD_OPT_CSV_RAW,
    CLI_OPT_END(),
};

const struct cli_command cmd_runs_cli = {
    .name = "runs",
    .summary = "list stored runs (filter by suite, model, tag, status, date)",
    .usage = "[--suite S] [--model M] [--tag T] [--status S] [--since DATE] [--until DATE]\n"
             " [--limit N] [-o md|csv|json] [--store PATH]",
    .description =
        "Lists stored runs, newest first. Models are shown by the name the run tables\n"
        "use (a GGUF file without directory and .gguf); benchai show RUN has the paths.\n"
        "A run stored as running whose benchai process is gone (killed) is listed as\n"
        "stopped (--status running still finds it; benchai resume RUN continues it).\n",
    .options = runs_options,
    .run = cmd_runs,
};

/* A sharded run's status cell names the shards that are not done:
 * "interrupted (missing 3,7)". */
static void shards_cell(struct store *st, const struct store_run_info *run, const char *word,
                        struct report_table *t, size_t row)
{
    struct store_run_shards sh;
    struct bai_error err = { 0 };
    if (store_run_shards(st, run->id, &sh, &err) < 0)
        return;
    struct buf b = { 0 };
    report_shards_brief(&sh, &b);
    if (b.len)
        report_table_setf(t, row, 2, "%s (%s)", word, b.data);
    buf_free(&b);
    store_run_shards_free(&sh);
}

int cmd_runs(int argc, char **argv)
{
    struct runs_opts o = { .store = cli_default_store(),
                           .format = cli_default_format(cli_formats_md_csv_json, "md") };
    int rc = cmd_options(&cmd_runs_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct store_run_filter f = o.f;
    const char *path = o.store;
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    report_fmt_parse(o.format, &fmt, &err);
    struct store *st = store_open_readonly(path, &err);
    if (!st)
        return bai_error_report(&err);
    struct store_run_info *runs = NULL;
    size_t n = 0;
    if (store_runs_list(st, &f, &runs, &n, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    static const char *const cols[] = { "run", "started", "status", "suites", "models",
                                        "configs", "samples", "tags", "note" };
    struct report_table t;
    report_table_init(&t, sizeof cols / sizeof cols[0], cols);
    for (size_t i = 0; i < n; i++) {
        size_t r = report_table_add_row(&t);
        report_table_set(&t, r, 0, runs[i].id);
        report_table_set(&t, r, 1, runs[i].started);
        char state[320];
        const char *word;
        cmd_run_state(&runs[i], state, sizeof state, &word);   /* "stopped": its process is gone */
        report_table_set(&t, r, 2, word);
        if (fmt == REPORT_FMT_MD && runs[i].n_shards > 1)
            shards_cell(st, &runs[i], word, &t, r);
        report_table_set(&t, r, 3, runs[i].suites);
        report_table_set(&t, r, 4, runs[i].models);
        report_table_set_num(&t, r, 5, (double)runs[i].n_configs, "%.0f");
        report_table_set_num(&t, r, 6, (double)runs[i].n_samples, "%.0f");
        report_table_set(&t, r, 7, runs[i].tags);
        report_table_set(&t, r, 8, runs[i].note);
    }
    struct buf out = { 0 };
    if (n == 0 && fmt == REPORT_FMT_MD)
        fprintf(stderr, "no runs match in %s\n", path);
    else
        report_table_render(&t, fmt, &out);
    int prc = cmd_print(out.data ? out.data : "", out.len, fmt == REPORT_FMT_JSON);
    buf_free(&out);
    report_table_free(&t);
    store_runs_free(runs, n);
    store_close(st);
    return prc;
}
