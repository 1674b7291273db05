/* options.h - benchai's one command-line parser (git's parse-options is the
 * model). A command describes its options once, in a table: type, short and
 * long name, the field of the command's own options struct it fills, the
 * value's name and the help text. The same table parses argv, renders
 * --help, the man page (cli/man.h) and the shell completion (cli/complete.h).
 *
 * Owns: parsing argv into a command's options struct and its positional
 * arguments, --help text, the options every command takes (-h, -q, -v), and
 * the one definition of each common flag (--store, -o, --run, --suite,
 * --model). Does not own: what the values mean (the commands), printing
 * (cmd/ prints what this module returns in a buf or a bai_error), the config
 * file (cli/config_file.h).
 */
#ifndef BAI_CLI_OPTIONS_H
#define BAI_CLI_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "util/error.h"
#include "util/mem.h"
#include "util/strv.h"

enum cli_type {
    CLI_END = 0,
    CLI_GROUP,      /* a heading in --help; .help is its title */
    CLI_FLAG,       /* int field = .ival */
    CLI_INT,        /* int field, .imin..imax */
    CLI_U64,        /* uint64_t field, any value (seeds) */
    CLI_DOUBLE,     /* double field, .dmin..dmax (CLI_ABOVE_MIN: > dmin) */
    CLI_STRING,     /* const char * field, pointing into argv */
    CLI_LIST,       /* struct strv field (util/strv.h): repeatable, comma-separated values */
    CLI_CHOICE,     /* const char * field = the matching string of .choices */
    CLI_CALLBACK,   /* .cb(opts, value, err), or .cb_opt(opts, option, value, err);
                     * value NULL with CLI_NOARG */
    CLI_INCLUDE,    /* the entries of .include() stand here; they fill the
                     * struct at .offset (settings/settings.h's launch settings) */
};

enum cli_option_flag {
    CLI_HIDDEN = 1u << 0,     /* parsed, but not in --help, man page or completion */
    CLI_WHOLE = 1u << 1,      /* list: one value per flag, commas kept */
    CLI_REQUIRED = 1u << 2,   /* parsing fails when the flag is absent */
    CLI_ABOVE_MIN = 1u << 3,  /* double: strictly greater than dmin */
    CLI_NOARG = 1u << 4,      /* callback: takes no value */
};

/* What a value (or a positional argument) is, for the shell completion. */
enum cli_complete {
    CLI_COMP_NONE = 0,  /* free text: nothing to offer */
    CLI_COMP_FILE,
    CLI_COMP_DIR,
    CLI_COMP_RUN,       /* a run of the store: ids, latest, tag:NAME */
    CLI_COMP_SUITE,     /* a suite name */
    CLI_COMP_MODEL,     /* a model: config registry names, then files */
    CLI_COMP_SCORER,    /* a scorer name */
    CLI_COMP_IMPORT_FORMAT,  /* an import format, then (second argument) a file */
    CLI_COMP_CHOICES,   /* one of .args_choices (a command's first positional;
                         * CLI_CHOICE options offer their .choices anyway) */
};

struct cli_option {
    enum cli_type type;
    char short_name;             /* 0: none */
    const char *long_name;       /* NULL: a short option only */
    const char *alias;           /* a second long name ("runs" for "run") */
    size_t offset;               /* the field in the command's options struct */
    const char *arg;             /* the value's name in help ("PATH") */
    const char *help;            /* may hold '\n' for more lines */
    unsigned flags;              /* enum cli_option_flag */
    int ival;                    /* CLI_FLAG: the value stored */
    long imin, imax;             /* CLI_INT */
    double dmin, dmax;           /* CLI_DOUBLE */
    const char *const *choices;  /* CLI_CHOICE: NULL-terminated; a callback may name
                                  * its values too (help, completion) */
    int (*cb)(void *opts, const char *value, struct bai_error *err);
    /* a callback that is told which entry called it (a table of generated
     * entries shares one: .ival says which) */
    int (*cb_opt)(void *opts, const struct cli_option *o, const char *value, struct bai_error *err);
    const struct cli_option *(*include)(void);   /* CLI_INCLUDE */
    enum cli_complete complete;
    const char *replaced_by;     /* a deprecated spelling: warns "use X" */
};

enum cli_command_flag {
    CLI_CMD_HIDDEN = 1u << 0,    /* not listed by --help, man page or completion */
    CLI_CMD_STOP = 1u << 1,      /* options end at the first positional (main's
                                  * global flags: the rest is the command's) */
};

struct cli_command {
    const char *name;
    const char *summary;         /* one line, for `benchai --help` */
    const char *usage;           /* synopsis after "benchai NAME": one line per
                                  * form, split by '\n' (a line starting with a
                                  * space continues the one above); NULL:
                                  * "[options] ARGS" */
    const char *description;     /* prose after the synopsis */
    const char *footer;          /* after the options (exit status, see also) */
    void (*more_help)(struct buf *out);  /* help generated from elsewhere (the
                                  * import formats, the scorers), after the
                                  * description */
    const struct cli_option *options;  /* ends with CLI_OPT_END(); NULL: none */
    const char *args;            /* positional arguments as named in messages */
    int min_args, max_args;      /* max_args < 0: no limit */
    enum cli_complete args_complete;
    const char *const *args_choices;   /* CLI_COMP_CHOICES: the first positional's values */
    int (*run)(int argc, char **argv);
    unsigned flags;              /* enum cli_command_flag */
};

/* -h/--help, -q/--quiet, -v/--verbose: taken by every command, after its
 * own options in --help. */
extern const struct cli_option cli_common_options[];

/* The offset of field f of struct type T, checked at compile time to have
 * type `type` (a wrong field type does not build). */
#define CLI_FIELD(T, f, type)                                                              \
    (offsetof(T, f) +                                                                      \
     0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((T *)0)->f), type) ? 1 : -1]))

/* Table entries. The trailing arguments are further designated
 * initializers: .flags, .complete, .alias, .replaced_by. */
#define CLI_OPT_END() { .type = CLI_END }
#define CLI_OPT_GROUP(title) { .type = CLI_GROUP, .help = (title) }
#define CLI_OPT_SET(s, l, T, f, value, h, ...)                                             \
    { .type = CLI_FLAG, .short_name = (s), .long_name = (l), .offset = CLI_FIELD(T, f, int), \
      .help = (h), .ival = (value), __VA_ARGS__ }
#define CLI_OPT_FLAG(s, l, T, f, h, ...) CLI_OPT_SET(s, l, T, f, 1, h, __VA_ARGS__)
#define CLI_OPT_INT(s, l, T, f, a, lo, hi, h, ...)                                         \
    { .type = CLI_INT, .short_name = (s), .long_name = (l), .offset = CLI_FIELD(T, f, int), \
      .arg = (a), .help = (h), .imin = (lo), .imax = (hi), __VA_ARGS__ }
#define CLI_OPT_U64(s, l, T, f, a, h, ...)                                                 \
    { .type = CLI_U64, .short_name = (s), .long_name = (l), .offset = CLI_FIELD(T, f, uint64_t), \
      .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_OPT_DOUBLE(s, l, T, f, a, lo, hi, h, ...)                                      \
    { .type = CLI_DOUBLE, .short_name = (s), .long_name = (l),                             \
      .offset = CLI_FIELD(T, f, double), .arg = (a), .help = (h), .dmin = (lo), .dmax = (hi), \
      __VA_ARGS__ }
#define CLI_OPT_STRING(s, l, T, f, a, h, ...)                                              \
    { .type = CLI_STRING, .short_name = (s), .long_name = (l),                             \
      .offset = CLI_FIELD(T, f, const char *), .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_OPT_LIST(s, l, T, f, a, h, ...)                                                \
    { .type = CLI_LIST, .short_name = (s), .long_name = (l),                               \
      .offset = CLI_FIELD(T, f, struct strv), .arg = (a), .help = (h), __VA_ARGS__ }
#define CLI_OPT_CHOICE(s, l, T, f, a, values, h, ...)                                      \
    { .type = CLI_CHOICE, .short_name = (s), .long_name = (l),                             \
      .offset = CLI_FIELD(T, f, const char *), .arg = (a), .help = (h), .choices = (values), \
      __VA_ARGS__ }
/* The entries of another table (generated once by fn), writing into the
 * field f (of type ftype) of T. */
#define CLI_OPT_INCLUDE(T, f, ftype, fn)                                                   \
    { .type = CLI_INCLUDE, .offset = CLI_FIELD(T, f, ftype), .include = (fn) }
#define CLI_OPT_CALLBACK(s, l, a, fn, h, ...)                                              \
    { .type = CLI_CALLBACK, .short_name = (s), .long_name = (l), .arg = (a), .help = (h),  \
      .cb = (fn), __VA_ARGS__ }

/* The common flags, defined once: the same name means the same thing in
 * every command. */
#define CLI_STORE_HELP "the results store (default: see benchai config)"
#define CLI_OPT_STORE(T, f)                                                                \
    CLI_OPT_STRING(0, "store", T, f, "PATH", CLI_STORE_HELP, .complete = CLI_COMP_FILE)
/* -o FORMAT: how a command prints its result; formats is one of the
 * cli_formats_* lists below (or the command's own subset). */
#define CLI_OPT_FORMAT(T, f, formats, h)                                                   \
    CLI_OPT_CHOICE('o', "output", T, f, "FORMAT", formats, h)
/* --run R (also --runs): runs by id, unique prefix, tag:NAME or latest */
#define CLI_OPT_RUNS(T, f, h)                                                              \
    CLI_OPT_LIST(0, "run", T, f, "RUN", h, .alias = "runs", .complete = CLI_COMP_RUN)
/* --suite S (also --suites): suites by name (or file where a command runs them) */
#define CLI_OPT_SUITES(T, f, h)                                                            \
    CLI_OPT_LIST(0, "suite", T, f, "SUITE", h, .alias = "suites", .complete = CLI_COMP_SUITE)
/* --model M: a model (a GGUF path or a config registry name; a model name
 * where the backend is an endpoint) */
#define CLI_OPT_MODEL(T, f, h)                                                             \
    CLI_OPT_STRING(0, "model", T, f, "MODEL", h, .complete = CLI_COMP_MODEL)

/* The positional RUN of a command about one stored run (show, rm, ...). */
#define CLI_ARGS_ONE_RUN .args = "RUN", .min_args = 1, .max_args = 1, .args_complete = CLI_COMP_RUN

extern const char *const cli_formats_md_csv_json[];   /* md, csv, json */
extern const char *const cli_formats_md_json[];       /* md, json */

/* cli_parse returns CLI_HELP when -h/--help was given (nothing else is
 * checked then; print cli_help). *argv and *argc are the positional
 * arguments before it, for a command that describes one of them
 * (`benchai score f1 --help`). */
enum { CLI_HELP = 1 };

/* Parses *argv (argv[0] = the command name; *argc words) into opts, whose
 * fields the caller has set to their defaults. On success returns 0 with
 * *argv pointing at the positional arguments and *argc their count,
 * checked against min_args..max_args ((*argv)[*argc] is NULL). The array is
 * permuted, never overwritten (options first, then "--", then the
 * arguments, each in the order given), so it parses the same way again.
 * Returns -1 with err (BAI_EXIT_USAGE) naming the flag: unknown flags
 * suggest the closest one, invalid values say what the flag wants.
 * Deprecated spellings are accepted with a warning (log_warn). On error and
 * on CLI_HELP the lists already collected are freed. `--flag=value`,
 * `--flag value`, `-o value`, `-ovalue`, bundled short flags (`-yq`) and
 * `--` (ends the options) are understood. */
int cli_parse(const struct cli_command *c, void *opts, int *argc, char ***argv,
              struct bai_error *err);

/* The i-th option of c: its own table (included tables expanded in
 * place), then cli_common_options (groups included); NULL past the end. */
const struct cli_option *cli_option_at(const struct cli_command *c, size_t i);
/* The i-th entry of one table with its CLI_INCLUDE entries expanded; *base
 * (may be NULL) gets the offset the entry's fields are relative to. */
const struct cli_option *cli_table_at(const struct cli_option *t, size_t i, size_t *base);
/* The long names and aliases of c's visible options (common ones too),
 * NULL-terminated, in table order; free the array, not the names. */
const char **cli_long_names(const struct cli_command *c);
/* 1 when o takes a value (`--store PATH`), 0 for flags and groups. */
int cli_option_takes_value(const struct cli_option *o);

/* Frees every CLI_LIST field of opts (the command's table says which). */
void cli_free(const struct cli_command *c, void *opts);

/* The command's --help: synopsis, description, more_help, options grouped
 * as in the table, the common options, footer. */
void cli_help(const struct cli_command *c, struct buf *out);
/* One line "-o, --output FORMAT" for an option (as in --help). */
void cli_option_label(const struct cli_option *o, struct buf *out);
/* The choices as "a|b|c". */
void cli_choices_join(const char *const *choices, const char *sep, struct buf *out);

#endif
