/* store.c - `benchai store check|path|vacuum|new-id|copy`: look after the
 * store file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"
#include "util/suggest.h"

struct store_opts {
    const char *store;
};

static const struct cli_option store_options[] = {
    CLI_OPT_STORE(struct store_opts, store),
    CLI_OPT_END(),
};

static const char *const actions[] = { "check", "path", "vacuum", "new-id", "copy", NULL };

const struct cli_command cmd_store_cli = {
    .name = "store",
    .summary = "check, locate or vacuum the results store",
    .usage = "check|path|vacuum|new-id [--store PATH]\n"
             "copy DEST [--store PATH]",
    .description =
        "  check    PRAGMA quick_check, integrity_check and foreign_key_check, and the\n"
        "           schema version; exit 0 when all are ok, 1 when problems were found,\n"
        "           4 when the file cannot be read as SQLite at all\n"
        "  path     print the store path in use, whether it exists, and its schema\n"
        "  vacuum   drop unused suites, checkpoint the WAL and VACUUM (needs no other\n"
        "           writer; prints the size before and after)\n"
        "  new-id   print a fresh run id; give it to every shard of one run as\n"
        "           BENCHAI_RUN_ID so their stores merge into one run\n"
        "  copy     write a consistent, compact copy of the store to DEST, also while\n"
        "           a run writes it; DEST appears in one rename, never half written\n"
        "           (what a shard's job script copies to shared storage)\n",
    .options = store_options,
    .args = "ACTION", .min_args = 1, .max_args = 2,
    .args_complete = CLI_COMP_CHOICES, .args_choices = actions,
    .run = cmd_store,
};

static long long file_size(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
}

int cmd_store(int argc, char **argv)
{
    struct store_opts o = { .store = cli_default_store() };
    int rc = cmd_options(&cmd_store_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    const char *path = o.store;
    const char *action = argv[0];
    struct bai_error err = { 0 };
    if (!strcmp(action, "check")) {
        struct buf out = { 0 };
        rc = store_check_file(path, &out, &err);
        if (out.len)
            cmd_print(out.data, out.len, 0);
        buf_free(&out);
        if (rc < 0)
            return bai_error_report(&err);
        printf("%s\n", rc == 0 ? "store ok" : "store has problems (see above)");
        return rc == 0 ? BAI_EXIT_OK : BAI_EXIT_FAIL;
    }
    if (!strcmp(action, "path")) {
        char *abs = realpath(path, NULL);
        long long size = file_size(path);
        if (size < 0) {
            printf("%s (does not exist yet; 'benchai run' creates it)\n", path);
            free(abs);
            return BAI_EXIT_OK;
        }
        struct store *st = store_open_readonly(path, &err);
        if (!st) {
            free(abs);
            return bai_error_report(&err);
        }
        printf("%s (%lld bytes, schema version %d)\n", abs ? abs : path, size,
               store_schema_version(st));
        store_close(st);
        free(abs);
        return BAI_EXIT_OK;
    }
    if (!strcmp(action, "vacuum")) {
        long long before = file_size(path);
        if (before < 0) {
            fprintf(stderr, "benchai store: no store at %s\n", path);
            return BAI_EXIT_STORE;
        }
        struct store *st = store_open(path, &err);
        if (!st || store_vacuum(st, &err) < 0) {
            store_close(st);
            return bai_error_report(&err);
        }
        store_close(st);
        printf("%s: %lld -> %lld bytes\n", path, before, file_size(path));
        return BAI_EXIT_OK;
    }
    if (argc > 1 && strcmp(action, "copy")) {
        fprintf(stderr, "benchai store: %s takes no argument (got '%s')\n", action, argv[1]);
        return BAI_EXIT_USAGE;
    }
    if (!strcmp(action, "copy")) {
        if (argc < 2) {
            fprintf(stderr, "benchai store: copy needs a destination: benchai store copy DEST [--store PATH]\n");
            return BAI_EXIT_USAGE;
        }
        int before = store_input_files(path);
        struct store *st = store_open_readonly(path, &err);
        if (!st || store_copy(st, argv[1], &err) < 0) {
            store_close(st);
            return bai_error_report(&err);
        }
        store_close(st);
        store_input_tidy(path, before);
        printf("%s -> %s (%lld bytes)\n", path, argv[1], file_size(argv[1]));
        return BAI_EXIT_OK;
    }
    if (!strcmp(action, "new-id")) {
        char id[STORE_RUN_ID_MAX];
        store_new_run_id(id);
        printf("%s\n", id);
        return BAI_EXIT_OK;
    }
    const char *s = suggest_closest(action, actions);
    fprintf(stderr, "benchai store: unknown action '%s'%s%s%s (check, path, vacuum, new-id, copy)\n", action,
            s ? "; did you mean '" : "", s ? s : "", s ? "'?" : "");
    return BAI_EXIT_USAGE;
}
