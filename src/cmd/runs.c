/* runs.c - `benchai runs`: list stored runs, newest first, with filters. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "report/format.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchai runs [--suite S] [--model M] [--tag T] [--status S]\n"
            "                    [--since DATE] [--until DATE] [--limit N] [-o md|csv|json]\n"
            "                    [--store PATH]\n"
            "\n"
            "Lists stored runs, newest first. Models are shown by the name the run tables\n"
            "use (a GGUF file without directory and .gguf); benchai show RUN has the paths.\n"
            "  --suite S      runs with samples of suite S\n"
            "  --model M      runs with a config whose model (path or name) contains M\n"
            "  --tag T        runs tagged T (benchai run --tag)\n"
            "  --status S     running, done, interrupted or failed\n"
            "  --since DATE   started at or after DATE: YYYY-MM-DD, YYYY-MM-DDTHH:MM:SSZ (UTC),\n"
            "                 or an age such as 7d, 12h, 30m\n"
            "  --until DATE   started at or before DATE (a bare date includes that day)\n"
            "  --limit N      at most N runs\n"
            "  -o FORMAT      md (default), csv or json\n"
            "  --store PATH   the store (default $BENCHAI_STORE or %s)\n",
            STORE_DEFAULT_PATH);
}

int cmd_runs(int argc, char **argv)
{
    static const struct option opts[] = {
        { "suite", required_argument, NULL, 's' }, { "model", required_argument, NULL, 'm' },
        { "tag", required_argument, NULL, 't' },   { "status", required_argument, NULL, 'S' },
        { "since", required_argument, NULL, 'a' }, { "until", required_argument, NULL, 'b' },
        { "limit", required_argument, NULL, 'n' }, { "output", required_argument, NULL, 'o' },
        { "store", required_argument, NULL, 'D' }, { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 }
    };
    struct store_run_filter f = { 0 };
    const char *path = store_default_path();
    enum report_fmt fmt = REPORT_FMT_MD;
    struct bai_error err = { 0 };
    int c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "o:n:h", opts, NULL)) != -1) {
        switch (c) {
        case 's': f.suite = optarg; break;
        case 'm': f.model = optarg; break;
        case 't': f.tag = optarg; break;
        case 'S': f.status = optarg; break;
        case 'a': f.since = optarg; break;
        case 'b': f.until = optarg; break;
        case 'D': path = optarg; break;
        case 'n': {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n <= 0 || n > 1000000) {
                fprintf(stderr, "benchai runs: --limit wants a positive number, not '%s'\n",
                        optarg);
                return BAI_EXIT_USAGE;
            }
            f.limit = (int)n;
            break;
        }
        case 'o':
            if (report_fmt_parse(optarg, &fmt, &err) < 0)
                return bai_error_report(&err);
            break;
        case 'h': usage(stdout); return BAI_EXIT_OK;
        default: usage(stderr); return BAI_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "benchai runs: unexpected argument '%s'\n", argv[optind]);
        return BAI_EXIT_USAGE;
    }
    if (f.status && strcmp(f.status, "running") && strcmp(f.status, "done") &&
        strcmp(f.status, "interrupted") && strcmp(f.status, "failed")) {
        fprintf(stderr, "benchai runs: --status is running, done, interrupted or failed, "
                        "not '%s'\n", f.status);
        return BAI_EXIT_USAGE;
    }
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
        report_table_set(&t, r, 2, runs[i].status);
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
    if (out.len)
        fwrite(out.data, 1, out.len, stdout);
    buf_free(&out);
    report_table_free(&t);
    store_runs_free(runs, n);
    store_close(st);
    return fflush(stdout) == 0 ? BAI_EXIT_OK : BAI_EXIT_FAIL;
}
