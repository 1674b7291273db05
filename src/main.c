/* main.c - benchai's entry point: global flags, the config file, then one
 * dispatch table of the commands (git's builtin table): each entry is the
 * command's description (cli/options.h), whose .run does the work. The
 * man page (--help-man) and the shell completion (__complete) are rendered
 * from this table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/config_file.h"
#include "cli/man.h"
#include "cli/options.h"
#include "cmd/cmd.h"
#include "util/error.h"
#include "util/log.h"
#include "util/suggest.h"
#include "util/version.h"

/* In the order `benchai --help` and the man page list them. */
static const struct cli_command *const commands[] = {
    &cmd_run_cli, &cmd_resume_cli, &cmd_status_cli, &cmd_runs_cli, &cmd_show_cli, &cmd_export_cli, &cmd_rm_cli,
    &cmd_merge_cli, &cmd_plan_cli, &cmd_slurm_cli, &cmd_store_cli, &cmd_suites_cli, &cmd_import_cli, &cmd_sandbox_check_cli,
    &cmd_compare_cli, &cmd_gate_cli, &cmd_table_cli, &cmd_pareto_cli, &cmd_select_cli,
    &cmd_score_cli, &cmd_report_cli, &cmd_rescore_cli, &cmd_config_cli,
};
#define N_COMMANDS (sizeof commands / sizeof commands[0])

struct main_opts {
    int version, man;
};

static const struct cli_option main_options[] = {
    CLI_OPT_FLAG(0, "version", struct main_opts, version, "print the version"),
    CLI_OPT_FLAG(0, "help-man", struct main_opts, man, "print the man page (roff)", .flags = CLI_HIDDEN),
    CLI_OPT_END(),
};

static const struct cli_command main_cli = {
    .name = "", .options = main_options, .args = "COMMAND", .max_args = -1, .flags = CLI_CMD_STOP,
};

static void usage(FILE *out)
{
    fprintf(out, "usage: benchai [-q | -v] <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!(commands[i]->flags & CLI_CMD_HIDDEN))
            fprintf(out, "  %-14s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(out, "\n'benchai <command> --help' describes one command; settings live in\n"
                 "~/.config/benchai/config.yaml ('benchai config' shows them).\n"
                 "Exit codes: 0 ok, 1 gate failed/regression, 2 usage or input error,\n"
                 "3 backend unavailable, 4 store error, 5 interrupted, 6 sandbox unavailable.\n");
}

static const struct cli_command *find_command(const char *name)
{
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!strcmp(name, commands[i]->name))
            return commands[i];
    return NULL;
}

static int unknown_command(const char *name)
{
    const char *names[N_COMMANDS + 1];
    size_t n = 0;
    for (size_t i = 0; i < N_COMMANDS; i++)
        if (!(commands[i]->flags & CLI_CMD_HIDDEN))
            names[n++] = commands[i]->name;
    names[n] = NULL;
    const char *s = suggest_closest(name, names);
    if (s)
        fprintf(stderr, "benchai: unknown command '%s'; did you mean '%s'?\n", name, s);
    else
        fprintf(stderr, "benchai: unknown command '%s' (see benchai --help)\n", name);
    return BAI_EXIT_USAGE;
}

/* Loads the config file for the command about to run; a broken file stops
 * every command (file:line:column says where), except the completion,
 * which goes on without it and says nothing. */
static int load_config(struct cli_config *cfg, int quiet)
{
    struct bai_error err = { 0 };
    char *path = cli_config_default_path();
    int rc = cli_config_load(path, cfg, &err);
    free(path);
    if (rc != 0)
        return quiet ? BAI_EXIT_OK : bai_error_report(&err);
    cli_config_set_current(cfg);
    return BAI_EXIT_OK;
}

static int print_man(void)
{
    struct buf b = { 0 };
    cli_man(commands, N_COMMANDS, &main_cli, &b);
    fwrite(b.data, 1, b.len, stdout);
    buf_free(&b);
    return fflush(stdout) == 0 ? BAI_EXIT_OK : BAI_EXIT_FAIL;
}

int main(int argc, char **argv)
{
    struct main_opts o = { 0 };
    struct bai_error err = { 0 };
    int rc = cli_parse(&main_cli, &o, &argc, &argv, &err);
    if (rc == CLI_HELP) {
        usage(stdout);
        return BAI_EXIT_OK;
    }
    if (rc != 0) {
        cmd_print_error(NULL, err.msg);
        return BAI_EXIT_USAGE;
    }
    if (o.man)
        return print_man();
    if (o.version || (argc > 0 && !strcmp(argv[0], "version"))) {
        printf("benchai %s\n", bai_version);
        return BAI_EXIT_OK;
    }
    if (argc == 0) {
        usage(stderr);
        return BAI_EXIT_USAGE;
    }
    if (!strcmp(argv[0], "help")) {
        const struct cli_command *c = argc > 1 ? find_command(argv[1]) : NULL;
        if (argc > 1 && !c)
            return unknown_command(argv[1]);
        if (!c) {
            usage(stdout);
            return BAI_EXIT_OK;
        }
        char *help_argv[] = { (char *)c->name, "--help", NULL };
        return c->run(2, help_argv);
    }
    int complete = !strcmp(argv[0], "__complete");
    const struct cli_command *c = find_command(argv[0]);
    if (!c && !complete)
        return unknown_command(argv[0]);
    struct cli_config cfg;
    rc = load_config(&cfg, complete);
    if (rc == BAI_EXIT_OK) {
        rc = complete ? cmd_complete(commands, N_COMMANDS, &main_cli, argc, argv) : c->run(argc, argv);
        cli_config_set_current(NULL);
        cli_config_free(&cfg);
    }
    return rc;
}
