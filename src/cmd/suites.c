/* suites.c - `benchai suites`: list the suites found in suite directories
 * (name, version, items, scorers, tiers, hash prefix, path), and
 * `benchai suites validate FILE...`: every problem of every file, exit 2
 * when there is any. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "report/format.h"
#include "run/defaults.h"
#include "suite/suite.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"

struct suites_opts {
    struct strv dirs;
    const char *format;
    int allow_outside;
};

static const struct cli_option suites_options[] = {
    CLI_OPT_LIST(0, "dir", struct suites_opts, dirs, "DIR", "a directory to list (repeatable)",
                 .flags = CLI_WHOLE, .complete = CLI_COMP_DIR),
    CLI_OPT_FORMAT(struct suites_opts, format, cli_formats_md_json, "output format"),
    CLI_OPT_FLAG(0, "allow-outside-source", struct suites_opts, allow_outside,
                 "let suites read source:/filler files outside their folder"),
    CLI_OPT_END(),
};

static const char *const subcommands[] = { "validate", NULL };

const struct cli_command cmd_suites_cli = {
    .name = "suites",
    .summary = "list suites, or validate suite files (suites validate FILE...)",
    .usage = "[--dir DIR]... [-o md|json]\nvalidate FILE...",
    .description =
        "Lists the suites (*.yaml) in suites/v1 and suites/imported (or the --dir\n"
        "directories): name, version, item count, scorers, tiers, content hash prefix\n"
        "and path. Invalid suites are listed as INVALID and their problems go to\n"
        "stderr (exit 2).\n"
        "'validate' checks files and prints every problem as file:line:column: message;\n"
        "exit 0 when all are valid, 2 otherwise. See docs/suites.md.\n",
    .options = suites_options,
    .args = "[validate FILE...]", .max_args = -1,
    .args_complete = CLI_COMP_CHOICES, .args_choices = subcommands,
    .run = cmd_suites,
};

/* Output and messages quote suite files (names, values, paths): they go
 * through cmd_print / cmd_eprint, which show control characters. */
static int validate(int argc, char **argv, const struct suite_load_options *lo)
{
    if (argc < 1) {
        fprintf(stderr, "benchai suites validate: give one or more suite files\n");
        return BAI_EXIT_USAGE;
    }
    int bad = 0;
    for (int i = 0; i < argc; i++) {
        struct suite_diags d = {0};
        struct bai_error err = {0};
        struct suite *s = suite_load_diags(argv[i], lo, &d, &err);
        if (s) {
            char *line = xasprintf("%s: ok (%s v%d, %zu items, sha256 %.12s)\n", argv[i], s->name,
                                   s->version, s->n_items, s->hash);
            cmd_print(line, strlen(line), 0);
            free(line);
            suite_free(s);
        } else {
            bad++;
            fflush(stdout);
            char *all = d.n ? suite_diags_format(&d) : xstrdup(err.msg);
            char *text = xasprintf("%s\n%s: %zu problem%s\n", all, argv[i], d.n ? d.n : 1,
                                   d.n == 1 || !d.n ? "" : "s");
            cmd_eprint(text);
            free(text);
            free(all);
        }
        suite_diags_free(&d);
    }
    return bad ? BAI_EXIT_USAGE : BAI_EXIT_OK;
}

int cmd_suites(int argc, char **argv)
{
    struct suites_opts o = { .format = cli_default_format(cli_formats_md_json, "md") };
    int rc = cmd_options(&cmd_suites_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    struct suite_load_options lo = { .allow_outside_source = o.allow_outside };
    if (argc > 0 && !strcmp(argv[0], "validate")) {
        cli_free(&cmd_suites_cli, &o);
        return validate(argc - 1, argv + 1, &lo);
    }
    if (argc > 0) {
        fprintf(stderr, "benchai suites: unexpected argument '%s' (did you mean 'suites "
                "validate %s'?)\n", argv[0], argv[0]);
        cli_free(&cmd_suites_cli, &o);
        return BAI_EXIT_USAGE;
    }
    size_t n_default = 0, n_dirs = o.dirs.n;
    char **default_dirs = NULL, **dirs = o.dirs.v;
    if (!n_dirs) {
        dirs = default_dirs = defaults_suite_dirs(&n_default);
        n_dirs = n_default;
    }
    int invalid = 0, json = !strcmp(o.format, "json");
    cJSON *arr = cJSON_CreateArray();
    struct buf out = {0};
    if (!json)
        buf_puts(&out, "| suite | version | items | scorers | tiers | hash | path |\n"
                       "|---|---:|---:|---|---|---|---|\n");
    for (size_t di = 0; di < n_dirs; di++) {
        size_t n;
        char **files = fs_list_suffix(dirs[di], defaults_suite_suffixes, &n);
        for (size_t i = 0; i < n; i++) {
            struct suite_diags d = {0};
            struct bai_error err = {0};
            struct suite *s = suite_load_diags(files[i], &lo, &d, &err);
            if (!s) {
                invalid++;
                char *all = d.n ? suite_diags_format(&d) : xstrdup(err.msg);
                cmd_eprint(all);
                cmd_eprint("\n");
                free(all);
                if (json) {
                    cJSON *o = cJSON_CreateObject();
                    cJSON_AddStringToObject(o, "path", files[i]);
                    cJSON_AddBoolToObject(o, "valid", 0);
                    cJSON_AddNumberToObject(o, "problems", (double)(d.n ? d.n : 1));
                    cJSON_AddItemToArray(arr, o);
                } else {
                    buf_printf(&out, "| INVALID (%zu problem%s) | | | | | | ", d.n ? d.n : 1, d.n > 1 ? "s" : "");
                    report_md_escape(&out, files[i], 0);
                    buf_puts(&out, " |\n");
                }
            } else {
                char *sc = suite_scorers_summary(s), *tiers = suite_tiers_summary(s);
                if (json) {
                    cJSON *o = cJSON_CreateObject();
                    cJSON_AddStringToObject(o, "name", s->name);
                    cJSON_AddNumberToObject(o, "version", s->version);
                    cJSON_AddStringToObject(o, "kind", s->kind);
                    cJSON_AddNumberToObject(o, "items", (double)s->n_items);
                    cJSON_AddStringToObject(o, "scorers", sc);
                    cJSON_AddStringToObject(o, "tiers", tiers);
                    cJSON_AddStringToObject(o, "sha256", s->hash);
                    cJSON_AddStringToObject(o, "path", files[i]);
                    cJSON_AddBoolToObject(o, "valid", 1);
                    cJSON_AddItemToArray(arr, o);
                } else {
                    buf_printf(&out, "| %s | %d | %zu | %s | %s | %.12s | ", s->name, s->version,
                               s->n_items, sc, tiers, s->hash);
                    report_md_escape(&out, files[i], 0);
                    buf_puts(&out, " |\n");
                }
                free(sc);
                free(tiers);
                suite_free(s);
            }
            suite_diags_free(&d);
            free(files[i]);
        }
        free(files);
    }
    if (json) {
        char *t = cJSON_Print(arr);
        buf_printf(&out, "%s\n", t);
        free(t);
    }
    cJSON_Delete(arr);
    int prc = cmd_print(out.data ? out.data : "", out.len, json);
    buf_free(&out);
    defaults_strv_free(default_dirs, n_default);
    cli_free(&cmd_suites_cli, &o);
    return invalid ? BAI_EXIT_USAGE : prc;
}
