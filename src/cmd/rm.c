/* rm.c - `benchai rm RUN [--yes]`: delete a run and everything of it. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/error.h"

struct rm_opts {
    int yes;
    const char *store;
};

static const struct cli_option rm_options[] = {
    CLI_OPT_FLAG('y', "yes", struct rm_opts, yes, "do not ask"),
    CLI_OPT_STORE(struct rm_opts, store),
    CLI_OPT_END(),
};

const struct cli_command cmd_rm_cli = {
    .name = "rm",
    .summary = "delete a run and everything of it",
    .usage = "RUN [--yes] [--store PATH]",
    .description =
        "Deletes the run with its configs, samples, scores, tags and incidents,\n"
        "in one transaction. Asks for confirmation on a terminal; elsewhere (scripts,\n"
        "CI) it refuses unless --yes is given.\n"
        "RUN is a full id, a unique prefix, tag:NAME or latest.\n",
    .options = rm_options,
    CLI_ARGS_ONE_RUN,
    .run = cmd_rm,
};

int cmd_rm(int argc, char **argv)
{
    struct rm_opts o = { .store = cli_default_store() };
    int rc = cmd_options(&cmd_rm_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct bai_error err = { 0 };
    char id[STORE_RUN_ID_MAX];
    struct store *st = cmd_open_run(o.store, argv[0], id, &rc);
    if (!st)
        return rc;
    struct store_run_info run = { 0 };
    if (store_run_get(st, id, &run, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    store_close(st);
    if (!o.yes) {
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
    st = store_open(o.store, &err);
    int64_t n = 0;
    if (!st || store_run_delete(st, id, &n, &err) < 0) {
        store_close(st);
        return bai_error_report(&err);
    }
    store_close(st);
    printf("deleted run %s (%lld samples)\n", id, (long long)n);
    return BAI_EXIT_OK;
}
