/* options.c - argv -> a command's options struct, and --help, from one table. */
#include "cli/options.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "util/strv.h"
#include "util/suggest.h"

const char *const cli_formats_md_csv_json[] = { "md", "csv", "json", NULL };
const char *const cli_formats_md_json[] = { "md", "json", NULL };

static int set_quiet(void *opts, const char *value, struct bai_error *err)
{
    log_set_level(LOG_QUIET);
    return 0;
}

static int set_verbose(void *opts, const char *value, struct bai_error *err)
{
    log_set_level(LOG_DEBUG);
    return 0;
}

/* --help is recognised by the parser itself (it returns CLI_HELP); the
 * entry is here for help, man page and completion. */
const struct cli_option cli_common_options[] = {
    { .type = CLI_FLAG, .short_name = 'h', .long_name = "help", .help = "this text", .flags = CLI_NOARG },
    CLI_OPT_CALLBACK('q', "quiet", NULL, set_quiet, "only warnings and errors on stderr", .flags = CLI_NOARG),
    CLI_OPT_CALLBACK('v', "verbose", NULL, set_verbose, "debug messages on stderr", .flags = CLI_NOARG),
    CLI_OPT_END(),
};

static int is_help(const struct cli_option *o)
{
    return o == &cli_common_options[0];
}

/* ---- lookup -------------------------------------------------------------------- */

static size_t table_len(const struct cli_option *t)
{
    size_t n = 0;
    while (t && t[n].type != CLI_END)
        n++;
    return n;
}

/* Entries of t with included tables counted in place. */
static size_t flat_len(const struct cli_option *t)
{
    size_t n = 0;
    for (size_t k = 0; t && t[k].type != CLI_END; k++)
        n += t[k].type == CLI_INCLUDE ? table_len(t[k].include()) : 1;
    return n;
}

const struct cli_option *cli_table_at(const struct cli_option *t, size_t i, size_t *base)
{
    for (size_t k = 0; t && t[k].type != CLI_END; k++) {
        if (t[k].type == CLI_INCLUDE) {
            const struct cli_option *sub = t[k].include();
            size_t n = table_len(sub);
            if (i < n) {
                if (base)
                    *base = t[k].offset;
                return &sub[i];
            }
            i -= n;
            continue;
        }
        if (i-- == 0) {
            if (base)
                *base = 0;
            return &t[k];
        }
    }
    return NULL;
}

/* Like cli_option_at, with the offset of the struct the entry fills. */
static const struct cli_option *option_at_base(const struct cli_command *c, size_t i, size_t *base)
{
    size_t own = flat_len(c->options);
    if (i < own)
        return cli_table_at(c->options, i, base);
    i -= own;
    if (base)
        *base = 0;
    return i < table_len(cli_common_options) ? &cli_common_options[i] : NULL;
}

const struct cli_option *cli_option_at(const struct cli_command *c, size_t i)
{
    return option_at_base(c, i, NULL);
}

static int name_is(const char *name, const char *given, size_t len)
{
    return name && strlen(name) == len && !strncmp(name, given, len);
}

static long find_long(const struct cli_command *c, const char *given, size_t len)
{
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_option_at(c, i)) != NULL; i++)
        if (o->type != CLI_GROUP && (name_is(o->long_name, given, len) || name_is(o->alias, given, len)))
            return (long)i;
    return -1;
}

static long find_short(const struct cli_command *c, char ch)
{
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_option_at(c, i)) != NULL; i++)
        if (o->type != CLI_GROUP && o->short_name && o->short_name == ch)
            return (long)i;
    return -1;
}

const char **cli_long_names(const struct cli_command *c)
{
    size_t n = 0, cap = 0;
    const char **v = NULL;
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_option_at(c, i)) != NULL; i++) {
        if (o->type == CLI_GROUP || (o->flags & CLI_HIDDEN))
            continue;
        const char *names[2] = { o->long_name, o->alias };
        for (int k = 0; k < 2; k++) {
            if (!names[k])
                continue;
            XGROW(v, n + 2, cap);
            v[n++] = names[k];
        }
    }
    XGROW(v, n + 1, cap);
    v[n] = NULL;
    return v;
}

int cli_option_takes_value(const struct cli_option *o)
{
    return o->type != CLI_FLAG && o->type != CLI_GROUP && o->type != CLI_END &&
           !(o->type == CLI_CALLBACK && (o->flags & CLI_NOARG));
}

/* ---- values --------------------------------------------------------------------- */

static void range_text(const struct cli_option *o, struct buf *b)
{
    if (o->type == CLI_INT) {
        if (o->imax >= INT_MAX)
            buf_printf(b, "an integer >= %ld", o->imin);
        else
            buf_printf(b, "an integer from %ld to %ld", o->imin, o->imax);
        return;
    }
    const char *lo = (o->flags & CLI_ABOVE_MIN) ? ">" : ">=";
    if (isinf(o->dmax))
        buf_printf(b, "a number %s %g", lo, o->dmin);
    else if (o->flags & CLI_ABOVE_MIN)
        buf_printf(b, "a number > %g and <= %g", o->dmin, o->dmax);
    else
        buf_printf(b, "a number from %g to %g", o->dmin, o->dmax);
}

static int bad_value(const struct cli_option *o, const char *flag, const char *value,
                     struct bai_error *err)
{
    struct buf b = { 0 };
    range_text(o, &b);
    bai_error_set(err, BAI_EXIT_USAGE, "%s wants %s, got '%s'", flag, b.data, value);
    buf_free(&b);
    return -1;
}

void cli_choices_join(const char *const *choices, const char *sep, struct buf *out)
{
    for (size_t i = 0; choices && choices[i]; i++)
        buf_printf(out, "%s%s", i ? sep : "", choices[i]);
}

static int set_choice(const struct cli_option *o, const char *flag, const char *value,
                      const char **field, struct bai_error *err)
{
    for (size_t i = 0; o->choices[i]; i++) {
        if (!strcmp(o->choices[i], value)) {
            *field = o->choices[i];
            return 0;
        }
    }
    struct buf b = { 0 };
    cli_choices_join(o->choices, ", ", &b);
    const char *s = suggest_closest(value, o->choices);
    bai_error_set(err, BAI_EXIT_USAGE, "%s wants one of %s, got '%s'%s%s%s", flag, b.data, value,
                  s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    buf_free(&b);
    return -1;
}

/* Stores value (NULL for flags) into opts as o says; flag is the option as
 * the user wrote it, for messages. */
static int apply(const struct cli_option *o, const char *flag, const char *value, void *opts,
                 struct bai_error *err)
{
    char *field = (char *)opts + o->offset;
    char *end;
    switch (o->type) {
    case CLI_FLAG:
        *(int *)(void *)field = o->ival;
        return 0;
    case CLI_INT: {
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end || n < o->imin || n > o->imax)
            return bad_value(o, flag, value, err);
        *(int *)(void *)field = (int)n;
        return 0;
    }
    case CLI_U64: {
        errno = 0;
        unsigned long long u = strtoull(value, &end, 10);
        if (errno || end == value || *end || value[0] == '-') {
            bai_error_set(err, BAI_EXIT_USAGE, "%s wants a non-negative integer, got '%s'", flag, value);
            return -1;
        }
        *(uint64_t *)(void *)field = (uint64_t)u;
        return 0;
    }
    case CLI_DOUBLE: {
        errno = 0;
        double d = strtod(value, &end);
        int low_ok = (o->flags & CLI_ABOVE_MIN) ? d > o->dmin : d >= o->dmin;
        if (errno || end == value || *end || isnan(d) || !low_ok || d > o->dmax)
            return bad_value(o, flag, value, err);
        *(double *)(void *)field = d;
        return 0;
    }
    case CLI_STRING:
        *(const char **)(void *)field = value;
        return 0;
    case CLI_LIST:
        if (o->flags & CLI_WHOLE)
            strv_push((struct strv *)(void *)field, value);
        else
            strv_add_csv((struct strv *)(void *)field, value);
        return 0;
    case CLI_CHOICE:
        return set_choice(o, flag, value, (const char **)(void *)field, err);
    case CLI_CALLBACK:
        if ((o->cb_opt ? o->cb_opt(field, o, value, err) : o->cb(opts, value, err)) == 0)
            return 0;
        bai_error_prefix(err, "%s", flag);
        err->exit_code = BAI_EXIT_USAGE;
        return -1;
    default:
        bai_error_set(err, BAI_EXIT_INTERNAL, "%s: option type %d in a table", flag, (int)o->type);
        return -1;
    }
}

/* ---- parsing --------------------------------------------------------------------- */

struct parser {
    const struct cli_command *c;
    char who[64];           /* "benchai rm", for hints */
    void *opts;
    int argc;
    char **argv;
    int i;                  /* argv index being read */
    unsigned char *seen;    /* per option of cli_option_at() */
    struct bai_error *err;
};

static int unknown(struct parser *p, const char *written, const char *as_long)
{
    const char **names = cli_long_names(p->c);
    const char *s = as_long ? suggest_closest(as_long, names) : NULL;
    if (s)
        bai_error_set(p->err, BAI_EXIT_USAGE, "unknown option '%s'; did you mean '--%s'?", written, s);
    else
        bai_error_set(p->err, BAI_EXIT_USAGE, "unknown option '%s' (see %s --help)", written, p->who);
    free(names);
    return -1;
}

static int use(struct parser *p, long idx, const char *flag, const char *value)
{
    size_t base = 0;
    const struct cli_option *o = option_at_base(p->c, (size_t)idx, &base);
    if (o->replaced_by)
        log_warn("'%s %s' is deprecated; use %s", p->who, flag, o->replaced_by);
    p->seen[idx] = 1;
    return apply(o, flag, value, (char *)p->opts + base, p->err);
}

/* The value of the option at argv[i]: after '=' / attached, else the next
 * argument. */
static const char *next_value(struct parser *p, const struct cli_option *o, const char *flag)
{
    if (p->i + 1 < p->argc)
        return p->argv[++p->i];
    bai_error_set(p->err, BAI_EXIT_USAGE, "%s needs a value (%s)", flag,
                  o->arg ? o->arg : "see benchai --help");
    return NULL;
}

static int parse_long(struct parser *p, const char *arg)
{
    const char *name = arg + 2, *eq = strchr(name, '=');
    size_t len = eq ? (size_t)(eq - name) : strlen(name);
    long idx = find_long(p->c, name, len);
    char flag[128];
    snprintf(flag, sizeof flag, "--%.*s", (int)(len < 100 ? len : 100), name);
    if (idx < 0) {
        char *word = xstrndup(name, len);
        int rc = unknown(p, flag, word);
        free(word);
        return rc;
    }
    const struct cli_option *o = cli_option_at(p->c, (size_t)idx);
    if (is_help(o))
        return CLI_HELP;
    if (!cli_option_takes_value(o)) {
        if (eq) {
            bai_error_set(p->err, BAI_EXIT_USAGE, "%s takes no value", flag);
            return -1;
        }
        return use(p, idx, flag, NULL);
    }
    const char *value = eq ? eq + 1 : next_value(p, o, flag);
    return value ? use(p, idx, flag, value) : -1;
}

/* "-yq", "-o md", "-omd" */
static int parse_short(struct parser *p, const char *arg)
{
    for (const char *s = arg + 1; *s; s++) {
        char flag[3] = { '-', *s, '\0' };
        long idx = find_short(p->c, *s);
        if (idx < 0) {
            /* "-model": a long option with one dash */
            if (s == arg + 1 && s[1])
                return unknown(p, arg, s);
            return unknown(p, flag, NULL);
        }
        const struct cli_option *o = cli_option_at(p->c, (size_t)idx);
        if (is_help(o))
            return CLI_HELP;
        if (!cli_option_takes_value(o)) {
            if (use(p, idx, flag, NULL) < 0)
                return -1;
            continue;
        }
        const char *value = s[1] ? s + 1 : next_value(p, o, flag);
        return value ? use(p, idx, flag, value) : -1;
    }
    return 0;
}

static int check_required(struct parser *p)
{
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_option_at(p->c, i)) != NULL; i++) {
        if ((o->flags & CLI_REQUIRED) && !p->seen[i]) {
            struct buf b = { 0 };
            cli_option_label(o, &b);
            bai_error_set(p->err, BAI_EXIT_USAGE, "%s is required (see %s --help)", b.data, p->who);
            buf_free(&b);
            return -1;
        }
    }
    return 0;
}

static int check_count(const struct parser *p, int n, char **args)
{
    const struct cli_command *c = p->c;
    struct bai_error *err = p->err;
    if (n < c->min_args) {
        if (n == 0)
            bai_error_set(err, BAI_EXIT_USAGE, "missing %s (see %s --help)",
                          c->args ? c->args : "arguments", p->who);
        else
            bai_error_set(err, BAI_EXIT_USAGE, "expected %s, got %d argument%s (see %s --help)",
                          c->args ? c->args : "more arguments", n, n == 1 ? "" : "s", p->who);
        return -1;
    }
    if (c->max_args >= 0 && n > c->max_args) {
        if (c->max_args == 0)
            bai_error_set(err, BAI_EXIT_USAGE, "unexpected argument '%s' (see %s --help)", args[0],
                          p->who);
        else
            bai_error_set(err, BAI_EXIT_USAGE, "unexpected argument '%s' (expected %s)",
                          args[c->max_args], c->args ? c->args : "fewer arguments");
        return -1;
    }
    return 0;
}

void cli_free(const struct cli_command *c, void *opts)
{
    for (size_t i = 0; c->options && c->options[i].type != CLI_END; i++)
        if (c->options[i].type == CLI_LIST)
            strv_free((struct strv *)(void *)((char *)opts + c->options[i].offset));
}

int cli_parse(const struct cli_command *c, void *opts, int *argc, char ***argvp,
              struct bai_error *err)
{
    char **argv = *argvp;
    size_t n_opts = flat_len(c->options) + table_len(cli_common_options);
    struct parser p = { .c = c, .opts = opts, .argc = *argc, .argv = argv,
                        .seen = xcalloc(n_opts + 1, 1), .err = err };
    snprintf(p.who, sizeof p.who, "benchai%s%s", c->name[0] ? " " : "", c->name);
    /* argv is permuted, not overwritten: option words (with their values)
     * first, then "--", then the arguments, each in the order given. The
     * same array parses the same way again (a caller may keep it). */
    char **words = xcalloc((size_t)p.argc + 1, sizeof *words), **args = xcalloc((size_t)p.argc + 1, sizeof *args);
    int n_words = 0, n = 0, only_args = 0, dashdash = 0, rc = 0;
    for (p.i = 1; p.i < p.argc && rc == 0; p.i++) {
        const char *a = argv[p.i];
        int first = p.i;
        if (only_args || a[0] != '-' || a[1] == '\0') {
            args[n++] = argv[p.i];
            if (c->flags & CLI_CMD_STOP)
                only_args = 1;
            continue;
        }
        if (!strcmp(a, "--"))
            only_args = dashdash = 1;
        else if (a[1] == '-')
            rc = parse_long(&p, a);
        else
            rc = parse_short(&p, a);
        if (strcmp(a, "--"))
            for (int k = first; k <= p.i && k < p.argc; k++)
                words[n_words++] = argv[k];
    }
    int k = 1;   /* what was not read (after -h or an error) stays after the arguments */
    for (int i = 0; i < n_words; i++)
        argv[k++] = words[i];
    if (dashdash)
        argv[k++] = "--";
    char **first_arg = &argv[k];
    for (int i = 0; i < n; i++)
        argv[k++] = args[i];
    free(words);
    free(args);
    if (rc == 0)
        rc = check_required(&p);
    if (rc == 0)
        rc = check_count(&p, n, first_arg);
    free(p.seen);
    /* on -h too: the arguments before it, which a command may describe */
    *argvp = first_arg;
    *argc = n;
    if (rc != 0)
        cli_free(c, opts);
    return rc;
}

/* ---- help ------------------------------------------------------------------------ */

#define HELP_COLUMN 28

void cli_option_label(const struct cli_option *o, struct buf *out)
{
    if (o->short_name && o->long_name)
        buf_printf(out, "-%c, --%s", o->short_name, o->long_name);
    else if (o->short_name)
        buf_printf(out, "-%c", o->short_name);
    else
        buf_printf(out, "--%s", o->long_name);
    if (o->alias)
        buf_printf(out, ", --%s", o->alias);
    if (o->choices) {
        buf_putc(out, ' ');
        cli_choices_join(o->choices, "|", out);
    } else if (cli_option_takes_value(o)) {
        buf_printf(out, " %s", o->arg ? o->arg : "VALUE");
    }
}

static void help_option(const struct cli_option *o, struct buf *out)
{
    size_t start = out->len;
    buf_puts(out, o->short_name ? "  " : "      ");
    cli_option_label(o, out);
    size_t width = out->len - start;
    if (width + 2 > HELP_COLUMN) {
        buf_putc(out, '\n');
        width = 0;
    }
    for (const char *h = o->help ? o->help : ""; ; ) {
        const char *nl = strchr(h, '\n');
        size_t len = nl ? (size_t)(nl - h) : strlen(h);
        buf_printf(out, "%*s%.*s\n", (int)(HELP_COLUMN - width), "", (int)len, h);
        width = 0;
        if (!nl)
            break;
        h = nl + 1;
    }
}

static void help_table(const struct cli_option *t, const char *first_title, struct buf *out)
{
    int titled = 0;
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_table_at(t, i, NULL)) != NULL; i++) {
        if (o->type == CLI_GROUP) {
            buf_printf(out, "\n%s:\n", o->help);
            titled = 1;
            continue;
        }
        if (o->flags & CLI_HIDDEN)
            continue;
        if (!titled) {
            buf_printf(out, "\n%s:\n", first_title);
            titled = 1;
        }
        help_option(o, out);
    }
}

void cli_help(const struct cli_command *c, struct buf *out)
{
    const char *u = c->usage;
    char *dflt = NULL;
    if (!u)
        u = dflt = xasprintf("[options]%s%s", c->args ? " " : "", c->args ? c->args : "");
    /* a line starting with a space continues the synopsis above it */
    for (int line = 0; u; line++) {
        const char *nl = strchr(u, '\n');
        int len = nl ? (int)(nl - u) : (int)strlen(u);
        if (*u == ' ')
            buf_printf(out, "%*s%.*s\n", (int)(strlen(c->name) + 16), "", len - 1, u + 1);
        else
            buf_printf(out, "%s benchai %s %.*s\n", line ? "   or:" : "usage:", c->name, len, u);
        u = nl ? nl + 1 : NULL;
    }
    free(dflt);
    if (c->description)
        buf_printf(out, "\n%s", c->description);
    if (c->description && c->description[strlen(c->description) - 1] != '\n')
        buf_putc(out, '\n');
    if (c->more_help)
        c->more_help(out);
    help_table(c->options, "Options", out);
    help_table(cli_common_options, "Common options", out);
    if (c->footer)
        buf_printf(out, "\n%s", c->footer);
}
