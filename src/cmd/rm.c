/* rm.c - `benchai rm RUN [--yes]`: delete a run and everything of it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/error.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: benchai rm RUN [--yes] [--store PATH]\n"
            "\n"
            "Deletes the run with its configs, samples, scores, tags and incidents,\n"
            "in one transaction. Asks for confirmation on a terminal; elsewhere (scripts,\n"
            "CI) it refuses unless --yes is given.\n"
            "RUN is a full id, a unique prefix, tag:NAME or latest.\n"
            "  --yes, -y      do not ask\n"
            "  --store PATH   the store (default $BENCHAI_STORE or %s)\n",
            STORE_DEFAULT_PATH);
}

int cmd_rm(int argc, char **argv)
{
    static const struct option opts[] = {
        { "yes", no_argument, NULL, 'y' }, { "store", required_argument, NULL, 'D' },
        { "help", no_argument, NULL, 'h' }, { NULL, 0, NULL, 0 }
    };
    const char *path = store_default_path();
    int yes = 0, c;
    optind = 0;
    while ((c = getopt_long(argc, argv, "yh", opts, NULL)) != -1) {
        switch (c) {
        case 'y': yes = 1; break;
        case 'D': path = optarg; break;
        case 'h': usage(stdout); return BAI_EXIT_OK;
        default: usage(stderr); return BAI_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "benchai rm: give exactly one RUN (see benchai rm --help)\n");
        return BAI_EXIT_USAGE;
    }
    struct bai_error err = { 0 };
    /* read-only first: a typo must not create or migrate anything */
    struct store *st = store_open_readonly(path, &err);
    if (!st)
        return bai_error_report(&err);
    char id[STORE_RUN_ID_MAX];
    struct store_run_info run = { 0 };
    if (store_resolve_run(st, argv[optind], id, &err) < 0 || store_run_get(st, id, &run, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    store_close(st);
    if (!yes) {
        if (!isatty(STDIN_FILENO)) {
            fprintf(stderr, "benchai rm: refusing to delete run %s without --yes "
                            "(stdin is not a terminal)\n", id);
            store_run_info_free(&run);
            return BAI_EXIT_USAGE;
        }
        fprintf(stderr, "delete run %s (%s, started %s, %lld samples, suites %s)? [y/N] ", id,
                run.status, run.started, (long long)run.n_samples,
                *run.suites ? run.suites : "-");
        char answer[16] = "";
        if (!fgets(answer, sizeof answer, stdin) ||
            (strcmp(answer, "y\n") && strcmp(answer, "yes\n") && strcmp(answer, "Y\n"))) {
            fprintf(stderr, "nothing deleted\n");
            store_run_info_free(&run);
            return BAI_EXIT_FAIL;
        }
    }
    store_run_info_free(&run);
    st = store_open(path, &err);
    int64_t n = 0;
    if (!st || store_run_delete(st, id, &n, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    store_close(st);
    printf("deleted run %s (%lld samples)\n", id, (long long)n);
    return BAI_EXIT_OK;
}
