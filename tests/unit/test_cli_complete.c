/* Tests of the shell completion (cli/complete.h, `benchai __complete`) and
 * of the man page (`benchai --help-man`): candidates for a command's flags
 * and values, suite names, run ids and tags from a temp store, and a page
 * that names every command and flag the tables have. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/complete.h"
#include "cli/man.h"
#include "harness.h"
#include "test_store.h"
#include "util/fs.h"

/* ---- the core, on a small table ----------------------------------------------- */

struct c_opts {
    const char *store, *format, *plot;
    struct strv runs;
    int yes;
};

static const struct cli_option c_options[] = {
    CLI_OPT_FLAG('y', "yes", struct c_opts, yes, "do not ask"),
    CLI_OPT_STORE(struct c_opts, store),
    CLI_OPT_FORMAT(struct c_opts, format, cli_formats_md_csv_json, "format"),
    CLI_OPT_RUNS(struct c_opts, runs, "runs"),
    CLI_OPT_STRING(0, "plot", struct c_opts, plot, "FILE", "plot", .complete = CLI_COMP_FILE),
    CLI_OPT_STRING(0, "secret", struct c_opts, plot, "X", "hidden", .flags = CLI_HIDDEN),
    CLI_OPT_END(),
};

static const char *const actions[] = { "check", "path", NULL };
static const struct cli_command c_show = { .name = "show", .options = c_options, .args = "RUN",
                                           .min_args = 1, .max_args = 1, .args_complete = CLI_COMP_RUN };
static const struct cli_command c_store = { .name = "store", .options = c_options, .args = "ACTION",
                                            .min_args = 1, .max_args = 1,
                                            .args_complete = CLI_COMP_CHOICES, .args_choices = actions };
static const struct cli_command c_hidden = { .name = "secret-cmd", .flags = CLI_CMD_HIDDEN };
static const struct cli_command *const c_cmds[] = { &c_show, &c_store, &c_hidden };
static const struct cli_command c_global = { .name = "", .max_args = -1, .flags = CLI_CMD_STOP };

static struct strv out;
static struct cli_want want;

static void complete(char **words, int n)
{
    strv_free(&out);
    cli_complete(c_cmds, 3, &c_global, words, n, &out, &want);
}

static void fini(void)
{
    strv_free(&out);
}

static char *joined(void)
{
    static char all[4096];
    all[0] = '\0';
    for (size_t i = 0; i < out.n; i++)
        snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? " " : "", out.v[i]);
    return all;
}

#define COMPLETE(...)                                                  \
    do {                                                               \
        char *w_[] = { __VA_ARGS__ };                                  \
        complete(w_, (int)(sizeof w_ / sizeof w_[0]));                 \
    } while (0)

Test(cli_complete, commands_without_hidden_ones, .fini = fini)
{
    COMPLETE("");
    cr_assert_str_eq(joined(), "show store help");
    COMPLETE("-q", "s");
    cr_assert_str_eq(joined(), "show store", "global flags are skipped");
    COMPLETE("help", "st");
    cr_assert_str_eq(joined(), "store");
}

Test(cli_complete, flags_of_the_command, .fini = fini)
{
    COMPLETE("show", "--");
    cr_assert_str_eq(joined(), "--yes --store --output --run --runs --plot --help --quiet --verbose");
    COMPLETE("show", "--r");
    cr_assert_str_eq(joined(), "--run --runs");
    cr_assert_eq(want.kind, CLI_COMP_NONE);
}

Test(cli_complete, values_of_a_flag, .fini = fini)
{
    COMPLETE("show", "-o", "");
    cr_assert_str_eq(joined(), "md csv json");
    COMPLETE("show", "--output", "j");
    cr_assert_str_eq(joined(), "json");
    COMPLETE("show", "--output=c");
    cr_assert_str_eq(joined(), "--output=csv", "the value keeps its flag");
    COMPLETE("show", "--plot", "");
    cr_assert_eq(out.n, 0);
    cr_assert_eq(want.kind, CLI_COMP_FILE);
    COMPLETE("show", "--run", "r2");
    cr_assert_eq(want.kind, CLI_COMP_RUN);
    cr_assert_str_eq(want.prefix, "r2");
}

Test(cli_complete, positionals_and_the_store_given, .fini = fini)
{
    COMPLETE("store", "");
    cr_assert_str_eq(joined(), "check path");
    COMPLETE("store", "check", "");
    cr_assert_eq(out.n, 0, "one ACTION only: %s", joined());
    COMPLETE("show", "--store", "/tmp/x.db", "-y", "");
    cr_assert_eq(want.kind, CLI_COMP_RUN);
    cr_assert_str_eq(want.store, "/tmp/x.db");
    COMPLETE("show", "--store=/tmp/y.db", "r");
    cr_assert_str_eq(want.store, "/tmp/y.db");
    COMPLETE("secret-cmd", "");
    cr_assert_eq(out.n, 0);
}

/* ---- the binary: dynamic candidates ---------------------------------------------- */

static char *complete_bin(const char *const *args)
{
    const char *argv[16] = { "__complete" };
    size_t n = 1;
    for (; args[n - 1]; n++)
        argv[n] = args[n - 1];
    argv[n] = NULL;
    char *o = NULL, *e = NULL;
    cr_assert_eq(harness_run(argv, &o, &e), 0, "%s", e);
    free(e);
    return o;
}

Test(cli_complete, run_ids_and_tags_from_a_temp_store)
{
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run a, b;
    ts_make_run(st, &a, "cfg", "smoke", "prod");
    ts_make_run(st, &b, "cfg", "smoke", NULL);
    store_close(st);
    const char *args[] = { "rm", "--store", path, "", NULL };
    char *o = complete_bin(args);
    /* both made in the same second: their order is the store's */
    char want_ab[256], want_ba[256];
    snprintf(want_ab, sizeof want_ab, "%s\n%s\nlatest\ntag:prod\n", a.id, b.id);
    snprintf(want_ba, sizeof want_ba, "%s\n%s\nlatest\ntag:prod\n", b.id, a.id);
    cr_assert(!strcmp(o, want_ab) || !strcmp(o, want_ba), "the runs, then latest and the tags: %s", o);
    free(o);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "%s", a.id);
    const char *one[] = { "report", "--store", path, b.id, prefix, NULL };
    o = complete_bin(one);
    char want_one[128];
    snprintf(want_one, sizeof want_one, "%s\n", a.id);
    cr_assert_str_eq(o, want_one);
    free(o);
    free(path);
}

Test(cli_complete, suite_names_and_files)
{
    const char *args[] = { "pareto", "--suite", "sm", NULL };
    char *o = complete_bin(args);
    cr_assert_str_eq(o, "smoke\n__files__\n", "suite names, and files for a suite path");
    free(o);
}

Test(cli_complete, flags_of_a_real_command)
{
    const char *args[] = { "rm", "--", NULL };
    char *o = complete_bin(args);
    cr_assert_str_eq(o, "--yes\n--store\n--help\n--quiet\n--verbose\n");
    free(o);
    const char *store[] = { "store", "", NULL };
    o = complete_bin(store);
    cr_assert_str_eq(o, "check\npath\nvacuum\nnew-id\ncopy\n");
    free(o);
}

/* ---- the man page ------------------------------------------------------------------ */

Test(cli_man, roff_escapes)
{
    struct buf b = { 0 };
    cli_man_text("--store a\\b\n.dot\n'quote", &b);
    cr_assert_str_eq(b.data, "\\-\\-store a\\eb\n\\&.dot\n\\&'quote");
    buf_free(&b);
}

Test(cli_man, a_command_from_its_table)
{
    static const struct cli_command *const cmds[] = { &c_show, &c_hidden };
    struct buf b = { 0 };
    cli_man(cmds, 2, &c_global, &b);
    cr_assert(!strncmp(b.data, ".TH BENCHAI 1 ", 14), "%.40s", b.data);
    cr_assert(strstr(b.data, ".SS \"benchai show\"\n"), "%s", b.data);
    cr_assert(strstr(b.data, ".TP\n.B \\-o, \\-\\-output md|csv|json\nformat\n"), "%s", b.data);
    cr_assert(strstr(b.data, ".B \\-\\-run, \\-\\-runs RUN\n"), "%s", b.data);
    cr_assert(!strstr(b.data, "secret"), "hidden commands and flags stay out");
    buf_free(&b);
}

static char *lines_of(const char *const *args)
{
    char *o = complete_bin(args);
    return o;
}

/* Every command and every flag the binary's tables have (as the completion
 * lists them) appears in the man page the binary renders. */
Test(cli_man, the_page_names_every_command_and_flag)
{
    const char *man_args[] = { "--help-man", NULL };
    char *man = NULL, *e = NULL;
    cr_assert_eq(harness_run(man_args, &man, &e), 0, "%s", e);
    free(e);
    const char *cmd_args[] = { "", NULL };
    char *cmds = lines_of(cmd_args);
    size_t n_cmds = 0, n_flags = 0;
    for (char *c = strtok(cmds, "\n"); c; c = strtok(NULL, "\n")) {
        if (!strcmp(c, "help"))
            continue;
        char sec[128];
        snprintf(sec, sizeof sec, ".SS \"benchai %s\"\n", c);
        cr_assert(strstr(man, sec), "command %s is not in the man page", c);
        n_cmds++;
        const char *flag_args[] = { c, "--", NULL };
        char *flags = lines_of(flag_args), *save = NULL;
        char *section = strstr(man, sec), *next = strstr(section + 1, ".SS ");
        size_t len = next ? (size_t)(next - section) : strlen(section);
        char *text = xstrndup(section, len);
        for (char *f = strtok_r(flags, "\n", &save); f; f = strtok_r(NULL, "\n", &save)) {
            if (!strcmp(f, "--help") || !strcmp(f, "--quiet") || !strcmp(f, "--verbose"))
                continue;   /* common options: their own section */
            struct buf esc = { 0 };
            cli_man_text(f, &esc);
            cr_assert(strstr(text, esc.data), "%s %s is not in its man page section", c, f);
            buf_free(&esc);
            n_flags++;
        }
        free(text);
        free(flags);
    }
    cr_assert_gt(n_cmds, 15);
    cr_assert_gt(n_flags, 20);
    cr_assert(strstr(man, ".SH GLOBAL OPTIONS\n") && strstr(man, "\\-\\-verbose"), "common options");
    free(cmds);
    free(man);
}

/* groff reads the page without a warning. */
Test(cli_man, groff_renders_it_cleanly)
{
    if (access("/usr/bin/groff", X_OK) != 0)
        cr_skip_test("groff is not installed (apt-get install groff-base)");
    char *dir = harness_tempdir();
    char *cmd = xasprintf("%s --help-man > %s/benchai.1 && groff -man -Tutf8 -ww -z %s/benchai.1 2> %s/warnings",
                          harness_bin(), dir, dir, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char *wpath = xasprintf("%s/warnings", dir);
    FILE *f = fopen(wpath, "r");
    cr_assert_not_null(f);
    char buf[1024] = "";
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    cr_assert_eq(n, 0, "groff warnings: %s", buf);
    free(wpath);
    free(cmd);
    free(dir);
}

/* The bash script, as bash calls it: the line split by the script itself,
 * '=' and ':' handled the way bash replaces the word under the cursor. */
static char *bash_complete(const char *line)
{
    if (access("/bin/bash", X_OK) != 0)
        cr_skip_test("bash is not installed");
    char *dir = harness_tempdir();
    char *script = xasprintf("%s/t.sh", dir);
    FILE *f = fopen(script, "w");
    cr_assert_not_null(f);
    /* COMP_WORDS as bash builds them: '=' and ':' are words of their own */
    fprintf(f, "source scripts/completion/benchai.bash\n"
               "COMP_LINE='%s'; COMP_POINT=${#COMP_LINE}\n"
               "w=\"${COMP_LINE//=/ = }\"; w=\"${w//:/ : }\"; read -ra COMP_WORDS <<< \"$w\"\n"
               "[[ \"$COMP_LINE\" == *' ' || \"$COMP_LINE\" == *[=:] ]] && COMP_WORDS+=('')\n"
               "COMP_CWORD=$((${#COMP_WORDS[@]}-1))\n"
               "_benchai; printf '%%s\\n' \"${COMPREPLY[@]}\"\n", line);
    fclose(f);
    char *cmd = xasprintf("bash %s > %s/out", script, dir);
    cr_assert_eq(system(cmd), 0, "%s", cmd);
    char *opath = xasprintf("%s/out", dir);
    size_t len;
    struct bai_error err = { 0 };
    char *out = fs_read_file(opath, &len, &err);
    cr_assert_not_null(out, "%s", err.msg);
    free(opath);
    free(cmd);
    free(script);
    free(dir);
    return out;
}

Test(cli_complete, bash_script)
{
    char *o = bash_complete("./benchai sto");
    cr_assert_str_eq(o, "store\n");
    free(o);
    o = bash_complete("./benchai pareto --output=c");
    cr_assert_str_eq(o, "csv\n", "only the part after '=' is replaced");
    free(o);
    char *path = ts_path();
    struct store *st = ts_open(path);
    struct ts_run a;
    ts_make_run(st, &a, "cfg", "smoke", "prod");
    store_close(st);
    char *line = xasprintf("./benchai rm --store %s tag:p", path);
    o = bash_complete(line);
    cr_assert_str_eq(o, "prod\n", "only the part after ':' is replaced");
    free(o);
    free(line);
    free(path);
    o = bash_complete("./benchai merge --out ");
    cr_assert(strstr(o, "benchai\n") && strstr(o, "Makefile\n"), "file names: %s", o);
    free(o);
}

Test(cli_complete, zsh_script_parses)
{
    if (access("/usr/bin/zsh", X_OK) != 0 && access("/bin/zsh", X_OK) != 0)
        cr_skip_test("zsh is not installed (apt-get install zsh)");
    cr_assert_eq(system("zsh -n scripts/completion/_benchai"), 0);
}
