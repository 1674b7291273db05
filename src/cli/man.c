/* man.c - the command tables as a roff man page. */
#include "cli/man.h"

#include <stdlib.h>
#include <string.h>

#include "util/version.h"

void cli_man_text(const char *s, struct buf *out)
{
    int line_start = 1;
    for (; *s; s++) {
        if (line_start && (*s == '.' || *s == '\''))
            buf_puts(out, "\\&");
        line_start = *s == '\n';
        if (*s == '\\')
            buf_puts(out, "\\e");
        else if (*s == '-')
            buf_puts(out, "\\-");
        else
            buf_putc(out, *s);
    }
}

/* Text whose line breaks and indentation matter (synopses, the commands'
 * prose, which is written for an 80-column terminal). */
static void verbatim(const char *s, struct buf *out)
{
    buf_puts(out, ".nf\n");
    cli_man_text(s, out);
    if (*s && s[strlen(s) - 1] != '\n')
        buf_putc(out, '\n');
    buf_puts(out, ".fi\n");
}

static void options(const struct cli_option *t, struct buf *out)
{
    const struct cli_option *o;
    for (size_t i = 0; (o = cli_table_at(t, i, NULL)) != NULL; i++) {
        if (o->type == CLI_GROUP) {
            buf_puts(out, ".PP\n\\fI");
            cli_man_text(o->help, out);
            buf_puts(out, "\\fR\n");
            continue;
        }
        if (o->flags & CLI_HIDDEN)
            continue;
        struct buf label = { 0 };
        cli_option_label(o, &label);
        buf_puts(out, ".TP\n.B ");
        cli_man_text(label.data, out);
        buf_putc(out, '\n');
        buf_free(&label);
        cli_man_text(o->help ? o->help : "", out);
        buf_putc(out, '\n');
    }
}

static void command(const struct cli_command *c, struct buf *out)
{
    buf_printf(out, ".SS \"benchai %s\"\n", c->name);
    cli_man_text(c->summary ? c->summary : "", out);
    buf_puts(out, "\n.PP\n");
    struct buf syn = { 0 };
    const char *u = c->usage;
    char *dflt = u ? NULL : xasprintf("[options]%s%s", c->args ? " " : "", c->args ? c->args : "");
    for (u = u ? u : dflt; u;) {
        const char *nl = strchr(u, '\n');
        int len = nl ? (int)(nl - u) : (int)strlen(u);
        if (*u == ' ')
            buf_printf(&syn, "        %.*s\n", len - 1, u + 1);
        else
            buf_printf(&syn, "benchai %s %.*s\n", c->name, len, u);
        u = nl ? nl + 1 : NULL;
    }
    free(dflt);
    verbatim(syn.data, out);
    buf_free(&syn);
    if (c->description) {
        buf_puts(out, ".PP\n");
        verbatim(c->description, out);
    }
    if (c->more_help) {
        struct buf more = { 0 };
        c->more_help(&more);
        verbatim(more.data ? more.data : "", out);
        buf_free(&more);
    }
    options(c->options, out);
    if (c->footer) {
        buf_puts(out, ".PP\n");
        verbatim(c->footer, out);
    }
}

static const char *const fixed_sections =
    ".SH FILES\n"
    ".TP\n"
    ".I $XDG_CONFIG_HOME/benchai/config.yaml\n"
    "(default \\fI~/.config/benchai/config.yaml\\fR) default store, output format,\n"
    "llama\\-server binary, threads, model registry, judge endpoint; see\n"
    "\\fBbenchai config\\fR and docs/config.md.\n"
    ".TP\n"
    ".I results/benchai.db\n"
    "the default results store (SQLite, WAL); server logs in \\fIresults/logs/\\fR.\n"
    ".TP\n"
    ".I suites/v1, suites/imported\n"
    "suite files, looked up in the working directory, then beside the installed\n"
    "binary (\\fIPREFIX/share/benchai/suites\\fR).\n"
    ".SH ENVIRONMENT\n"
    ".TP\n"
    ".B NO_COLOR\n"
    "when set, progress lines use no colour.\n"
    ".TP\n"
    ".B BENCHAI_STORE, BENCHAI_LLAMA_SERVER\n"
    "kept for compatibility: the same as \\fBstore\\fR and \\fBllama_server\\fR of\n"
    "the config file, which they override.\n"
    ".PP\n"
    "API keys are read from the variables named by \\fB\\-\\-api\\-key\\-env\\fR,\n"
    "\\fB\\-\\-judge\\-api\\-key\\-env\\fR or \\fBjudge.api_key_env\\fR; nothing else\n"
    "is configured through the environment (docs/config.md lists the test hooks).\n"
    ".SH EXIT STATUS\n"
    ".TP\n.B 0\nsuccess\n"
    ".TP\n.B 1\n\\fBgate\\fR failed, \\fBmerge\\fR found conflicts, or checks failed\n"
    ".TP\n.B 2\nusage or input error: unknown command or flag, bad value, invalid file\n"
    ".TP\n.B 3\nbackend unavailable\n"
    ".TP\n.B 4\nstore error\n"
    ".TP\n.B 5\ninterrupted; \\fBbenchai resume\\fR \\fIRUN\\fR continues the run\n"
    ".TP\n.B 6\nthe sandbox isolation a command needs is not available\n"
    ".TP\n.B 70\ninternal error (a bug)\n"
    ".SH SEE ALSO\n"
    "README.md and docs/ in the benchai sources: docs/cli.md (commands and flags),\n"
    "docs/config.md, docs/suites.md, docs/plans.md, docs/metrics.md, docs/store.md.\n";

void cli_man(const struct cli_command *const *cmds, size_t n, const struct cli_command *global,
             struct buf *out)
{
    buf_printf(out, ".TH BENCHAI 1 \"\" \"benchai %s\" \"User Commands\"\n", bai_version);
    buf_puts(out, ".SH NAME\nbenchai \\- benchmark and evaluate local LLMs\n"
                  ".SH SYNOPSIS\n.B benchai\n[\\fB\\-q\\fR | \\fB\\-v\\fR] \\fICOMMAND\\fR [\\fIoptions\\fR]\n"
                  ".SH DESCRIPTION\n"
                  "benchai launches and supervises llama\\-server (or talks to any\n"
                  "OpenAI\\-compatible endpoint), runs versioned YAML suites and sweeps of launch\n"
                  "parameters, scores the answers, and keeps every sample in an SQLite store\n"
                  "that it lists, compares, gates on and reports from.\n"
                  ".PP\n"
                  "Options are parsed the same way everywhere: \\fB\\-\\-flag=value\\fR or\n"
                  "\\fB\\-\\-flag value\\fR, bundled short flags, and \\fB\\-\\-\\fR to end the\n"
                  "options. An unknown flag names the closest one.\n"
                  ".SH GLOBAL OPTIONS\n");
    options(global->options, out);
    options(cli_common_options, out);
    buf_puts(out, ".SH COMMANDS\n");
    for (size_t i = 0; i < n; i++)
        if (!(cmds[i]->flags & CLI_CMD_HIDDEN))
            command(cmds[i], out);
    buf_puts(out, fixed_sections);
}
