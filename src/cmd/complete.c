/* complete.c - `benchai __complete WORD...`, what the shell completion
 * scripts (scripts/completion/) call: one candidate per line for the last
 * word, and a last line __files__ / __dirs__ when file or directory names
 * fit too. The tables' own candidates come from cli/complete.c; this file
 * adds those that live elsewhere: runs of the store, suite names, scorers,
 * import formats and the config's model names. Quiet on every error: a
 * completion never prints anything but candidates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/complete.h"
#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "run/defaults.h"
#include "score/score.h"
#include "store/store.h"
#include "suite/import.h"
#include "util/fs.h"

/* Runs of the store, newest first: ids, then latest and tag:NAME. */
static void add_runs(const struct cli_want *want, struct strv *out)
{
    struct bai_error err = { 0 };
    struct store *st = fs_exists(want->store ? want->store : cli_default_store())
                           ? store_open_readonly(want->store ? want->store : cli_default_store(), &err)
                           : NULL;
    if (!st)
        return;
    struct store_run_filter f = { .limit = 500 };
    struct store_run_info *runs = NULL;
    size_t n = 0;
    if (store_runs_list(st, &f, &runs, &n, &err) == 0) {
        struct strv tags = { 0 };
        for (size_t i = 0; i < n; i++) {
            cli_complete_add(out, want, runs[i].id);
            if (runs[i].tags && *runs[i].tags)
                strv_add_csv(&tags, runs[i].tags);
        }
        if (n)
            cli_complete_add(out, want, "latest");
        for (size_t i = 0; i < tags.n; i++) {
            int seen = 0;
            for (size_t k = 0; k < i; k++)
                seen |= !strcmp(tags.v[k], tags.v[i]);
            char *t = xasprintf("tag:%s", tags.v[i]);
            if (!seen)
                cli_complete_add(out, want, t);
            free(t);
        }
        strv_free(&tags);
        store_runs_free(runs, n);
    }
    store_close(st);
}

/* Suite names of the folders `run --suite NAME` looks in. */
static void add_suites(const struct cli_want *want, struct strv *out)
{
    size_t n = 0;
    char **names = defaults_suite_names(&n);
    for (size_t i = 0; i < n; i++)
        cli_complete_add(out, want, names[i]);
    defaults_strv_free(names, n);
}

struct format_ctx {
    const struct cli_want *want;
    struct strv *out;
};

static void add_format(void *ctx, const char *name, const char *what)
{
    struct format_ctx *f = ctx;
    cli_complete_add(f->out, f->want, name);
}

/* The candidates of a dynamic kind; returns the directive line to end
 * with (files, dirs) or NULL. */
static const char *add_dynamic(const struct cli_want *want, struct strv *out)
{
    switch (want->kind) {
    case CLI_COMP_RUN:
        add_runs(want, out);
        return NULL;
    case CLI_COMP_SUITE:
        add_suites(want, out);
        return CLI_COMPLETE_FILES;
    case CLI_COMP_SCORER: {
        struct strv names = { 0 };
        strv_add_csv(&names, score_known_names());
        for (size_t i = 0; i < names.n; i++)
            cli_complete_add(out, want, names.v[i]);
        strv_free(&names);
        return NULL;
    }
    case CLI_COMP_IMPORT_FORMAT: {
        struct format_ctx ctx = { want, out };
        suite_import_describe(add_format, &ctx);
        return NULL;
    }
    case CLI_COMP_MODEL: {
        const struct cli_config *cfg = cli_config_current();
        for (size_t i = 0; cfg && i < cfg->n_models; i++)
            cli_complete_add(out, want, cfg->models[i].name);
        return CLI_COMPLETE_FILES;
    }
    case CLI_COMP_FILE:
        return CLI_COMPLETE_FILES;
    case CLI_COMP_DIR:
        return CLI_COMPLETE_DIRS;
    default:
        return NULL;
    }
}

int cmd_complete(const struct cli_command *const *cmds, size_t n, const struct cli_command *global,
                 int argc, char **argv)
{
    struct strv out = { 0 };
    struct cli_want want;
    char *empty[] = { "", NULL };
    /* argv[0] is "__complete"; no words at all means an empty current word */
    cli_complete(cmds, n, global, argc > 1 ? argv + 1 : empty, argc > 1 ? argc - 1 : 1, &out, &want);
    const char *directive = add_dynamic(&want, &out);
    for (size_t i = 0; i < out.n; i++)
        printf("%s\n", out.v[i]);
    if (directive)
        printf("%s\n", directive);
    strv_free(&out);
    return BAI_EXIT_OK;
}
