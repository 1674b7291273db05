/* import.c - `benchai import FORMAT FILE --out OUT.yaml`: a public data set
 * file -> a validated suite YAML (written atomically). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cmd.h"
#include "suite/import.h"
#include "util/error.h"
#include "util/mem.h"

struct import_opts {
    const char *out, *name, *map, *scorer, *tests, *language;
    int limit;
};

static const char *const import_languages[] = { "python", "cpp", "c", "java", "javascript", NULL };

static const struct cli_option import_options[] = {
    CLI_OPT_STRING(0, "out", struct import_opts, out, "FILE",
                   "the suite to write (e.g. suites/imported/gpqa.yaml; required)",
                   .complete = CLI_COMP_FILE),
    CLI_OPT_STRING('o', "output", struct import_opts, out, "FILE", "old spelling of --out",
                   .flags = CLI_HIDDEN, .replaced_by = "--out"),
    CLI_OPT_STRING(0, "name", struct import_opts, name, "NAME", "suite name (default: OUT's base name)"),
    CLI_OPT_INT(0, "limit", struct import_opts, limit, "N", 1, INT_MAX, "import the first N records only"),
    CLI_OPT_STRING(0, "map", struct import_opts, map, "K=F,...",
                   "jsonl: item key = record field (id, prompt, answer, ...)"),
    CLI_OPT_STRING(0, "scorer", struct import_opts, scorer, "NAME", "jsonl: the items' scorer (default exact)",
                   .complete = CLI_COMP_SCORER),
    CLI_OPT_STRING(0, "tests", struct import_opts, tests, "DIR",
                   "usaco: the tests folder (one subfolder per problem), or\n'samples' for the statements' "
                   "samples only (default:\nDICT's folder/<set>/tests, else DICT's folder/tests)",
                   .complete = CLI_COMP_DIR),
    CLI_OPT_CHOICE(0, "language", struct import_opts, language, "L", import_languages,
                   "usaco: the language the model is asked to write\n(default python)"),
    CLI_OPT_END(),
};

static void format_line(void *ctx, const char *name, const char *what)
{
    buf_printf(ctx, "  %-13s %s\n", name, what);
}

/* The formats in --help come from the import table itself. */
static void formats_help(struct buf *out)
{
    buf_puts(out, "\nFormats:\n");
    suite_import_describe(format_line, out);
}

const struct cli_command cmd_import_cli = {
    .name = "import",
    .summary = "import a public data set (gpqa, hotpotqa, ifeval, ...) as a suite",
    .usage = "FORMAT FILE --out OUT.yaml [--name NAME] [--limit N]\n"
             " [--map KEY=FIELD,...] [--scorer NAME] [--tests DIR|samples] [--language L]",
    .description =
        "Turns a public data set file into a suite (ids kept from the source). The\n"
        "suite is validated before it is written, through a temp file and a rename,\n"
        "so OUT.yaml is either complete or untouched. FORMAT is one of the formats\n"
        "listed below. See docs/suites.md.\n",
    .more_help = formats_help,
    .options = import_options,
    .args = "FORMAT FILE", .min_args = 2, .max_args = 2, .args_complete = CLI_COMP_IMPORT_FORMAT,
    .run = cmd_import,
};

int cmd_import(int argc, char **argv)
{
    struct import_opts o = { 0 };
    int rc = cmd_options(&cmd_import_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    if (!o.out) {
        fprintf(stderr, "benchai import: need FORMAT FILE and --out OUT.yaml (formats: %s)\n",
                suite_import_formats());
        return BAI_EXIT_USAGE;
    }
    struct suite_import_options io = { .name = o.name, .limit = o.limit, .map = o.map, .scorer = o.scorer,
                                       .tests = o.tests, .language = o.language };
    struct bai_error err = {0};
    long n = suite_import(argv[0], argv[1], o.out, &io, &err);
    if (n < 0)
        return bai_error_report(&err);
    fprintf(stderr, "benchai import: wrote %s (%ld items)\n", o.out, n);
    return BAI_EXIT_OK;
}
