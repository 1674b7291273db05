/* cmd.h - the subcommands. Each lives in src/cmd/<name>.c and exports
 * int cmd_<name>(int argc, char **argv), where argv[0] is the command name,
 * and its description `const struct cli_command cmd_<name>_cli` (options
 * table, synopsis, help; cli/options.h) whose .run is cmd_<name>.
 * They alone turn errors into stderr lines and exit codes (util/error.h).
 * The dispatch table in src/main.c is the only list of them. */
#ifndef BAI_CMD_H
#define BAI_CMD_H

#include <stddef.h>

#include "cli/options.h"

/* Parses a command's argv with its table into opts (cli_parse). Returns -1
 * to go on, *argv / *argc then being the positional arguments; otherwise
 * the exit code to return at once: 0 after printing --help on stdout, 2
 * after printing the parse error on stderr ("benchai NAME: ..."). */
int cmd_options(const struct cli_command *c, void *opts, int *argc, char ***argv);
/* The second half of cmd_options, for a command that looks at cli_parse's
 * result first (score SCORER --help): -1 to go on, else the exit code after
 * printing --help or the error. */
int cmd_options_result(const struct cli_command *c, int rc, const struct bai_error *err);

int cmd_run(int argc, char **argv);
extern const struct cli_command cmd_run_cli;
int cmd_resume(int argc, char **argv);
extern const struct cli_command cmd_resume_cli;
/* `benchai plan`: argv (argv[0] "run") parsed as `run` parses it, then the
 * table of which points each of n_shards shards runs, instead of a run. */
int cmd_run_shards_view(int argc, char **argv, int n_shards, int json);



int cmd_runs(int argc, char **argv);
extern const struct cli_command cmd_runs_cli;
int cmd_show(int argc, char **argv);
extern const struct cli_command cmd_show_cli;
int cmd_export(int argc, char **argv);
extern const struct cli_command cmd_export_cli;
int cmd_rm(int argc, char **argv);
extern const struct cli_command cmd_rm_cli;
int cmd_merge(int argc, char **argv);
extern const struct cli_command cmd_merge_cli;
int cmd_plan(int argc, char **argv);
extern const struct cli_command cmd_plan_cli;
int cmd_slurm(int argc, char **argv);
extern const struct cli_command cmd_slurm_cli;
int cmd_store(int argc, char **argv);
extern const struct cli_command cmd_store_cli;
int cmd_suites(int argc, char **argv);
extern const struct cli_command cmd_suites_cli;
int cmd_import(int argc, char **argv);
extern const struct cli_command cmd_import_cli;
int cmd_sandbox_check(int argc, char **argv);
extern const struct cli_command cmd_sandbox_check_cli;
int cmd_compare(int argc, char **argv);
extern const struct cli_command cmd_compare_cli;
int cmd_gate(int argc, char **argv);
extern const struct cli_command cmd_gate_cli;
int cmd_pareto(int argc, char **argv);
extern const struct cli_command cmd_pareto_cli;
int cmd_table(int argc, char **argv);
extern const struct cli_command cmd_table_cli;
int cmd_select(int argc, char **argv);
extern const struct cli_command cmd_select_cli;
int cmd_report(int argc, char **argv);
extern const struct cli_command cmd_report_cli;
int cmd_score(int argc, char **argv);
extern const struct cli_command cmd_score_cli;
int cmd_rescore(int argc, char **argv);
extern const struct cli_command cmd_rescore_cli;
int cmd_status(int argc, char **argv);
extern const struct cli_command cmd_status_cli;
int cmd_config(int argc, char **argv);
extern const struct cli_command cmd_config_cli;
/* The flags compare and gate share: T has the struct compare_opts
 * (report/compare.h) as its member c and a struct strv suites. */
#define CMD_COMPARE_OPTIONS(T)                                                             \
    CLI_OPT_STRING(0, "config", T, c.config_a, "A[:B]",                                    \
                   "pair config A of the first run with B (default A) of the\n"           \
                   "second; default: configs with the same label, or each run's\nonly one"), \
    CLI_OPT_SUITES(T, suites, "only these suites"),                                        \
    CLI_OPT_INT(0, "resamples", T, c.resamples, "N", 10000, 100000000,                     \
                "bootstrap resamples (default 10000)"),                                    \
    CLI_OPT_U64(0, "seed", T, c.seed, "N", "bootstrap seed (default 1)"),                   \
    CLI_OPT_FLAG(0, "exclude-failed", T, c.exclude_failed,                                 \
                 "leave items whose request failed or timed out on a side out\n"         \
                 "(by default that side counts as a failure, worth 0)")

/* The counting flags every reporting command takes: T has a struct
 * report_rules (report/figures.h) as member f. */
#define CMD_RULES_OPTIONS(T, f)                                                            \
    CLI_OPT_FLAG(0, "exclude-failed", T, f.exclude_failed,                                 \
                 "leave samples whose request failed or timed out out of\n"              \
                 "scores (by default they count as failures); labelled"),                 \
    CLI_OPT_STRING(0, "judge", T, f.judge, "TEXT",                                         \
                   "show the judge whose stored name contains TEXT (default:\n"          \
                   "the judge whose scores were written last)"),                          \
    CLI_OPT_STRING(0, "scorer", T, f.scorer, "NAME",                                       \
                   "show this scorer's score where a suite has several\n"                \
                   "(default: the first by name)", .complete = CLI_COMP_SCORER)

struct store;
/* Opens the store read-only (a typo must not create or migrate anything)
 * and resolves spec (id, unique prefix, tag:NAME, latest) into id, which
 * has room for STORE_RUN_ID_MAX. NULL after printing the error, with its
 * exit code in *code. */
struct store *cmd_open_run(const char *store_path, const char *spec, char *id, int *code);

struct store_run_info;
/* What a run is doing, for show and status: its stored status, except
 * that a "running" run whose benchai process is gone is "stopped (no
 * benchai process)" and one owned by another host says so ("running on
 * host H, pid N (not checked from here)"). *word_out (may be NULL) gets
 * the one word for JSON: the stored status, or "stopped". Into buf. */
const char *cmd_run_state(const struct store_run_info *r, char *buf, size_t size, const char **word_out);

struct judge_options;
/* When no --judge-* flag was given, the judge: section of the config file
 * (docs/config.md) and its llama_server; returns 1 when that names a judge.
 * Run and rescore call it only when a judge is needed, so a config judge is
 * never contacted for suites that do not use it. */
int cmd_judge_defaults(struct judge_options *jo);

/* The judge flags run and rescore share (run/judge_client.h): the four
 * const char * fields of T they fill. */
#define CMD_JUDGE_OPTIONS(T, url, model, key_env, gguf)                                    \
    CLI_OPT_STRING(0, "judge-url", T, url, "URL",                                          \
                   "OpenAI-compatible endpoint of the judge model (.../v1\naccepted)"),    \
    CLI_OPT_STRING(0, "judge-model", T, model, "NAME",                                     \
                   "its model name (recorded with every judge score)"),                    \
    CLI_OPT_STRING(0, "judge-api-key-env", T, key_env, "VAR",                              \
                   "read the judge's API key from this environment variable"),             \
    CLI_OPT_STRING(0, "judge-gguf", T, gguf, "MODEL",                                      \
                   "launch a llama-server with this GGUF (path or config\nmodel name) as the judge instead", \
                   .complete = CLI_COMP_MODEL)

/* The roles file of select and pareto: flag (--roles) as given, else the
 * config file's roles_file, ./benchmarks/roles.yaml, or the installed
 * <prefix>/share/benchai/roles.yaml (run/defaults.h). NULL after printing
 * where it looked and what to give (exit 2 in *code). Caller frees. */
char *cmd_roles_file(const char *command, const char *flag, int *code);

/* `benchai __complete WORD...` (hidden; what scripts/completion call):
 * candidates for the last word from the commands' tables, the store and
 * the suite folders. */
int cmd_complete(const struct cli_command *const *cmds, size_t n, const struct cli_command *global,
                 int argc, char **argv);
/* --csv-raw, for every command that writes CSV: cells as they are, without
 * the formula guard (report/format.h, report_csv_field). */
int cmd_csv_raw(void *opts, const char *value, struct bai_error *err);
#define CMD_OPT_CSV_RAW                                                                    \
    CLI_OPT_CALLBACK(0, "csv-raw", NULL, cmd_csv_raw,                                      \
                     "csv: keep cells that start with = + - @ as they are\n"               \
                     "(default: a leading ' so a spreadsheet shows them as text)",         \
                     .flags = CLI_NOARG)

/* Writes what a command prints to stdout, made safe for a terminal
 * (util/escape.h: control characters visible, never raw); json: the text
 * is a JSON document (escapes stay valid JSON). Flushes. BAI_EXIT_OK, or
 * BAI_EXIT_FAIL after a message when stdout could not be written. */
int cmd_print(const char *data, size_t len, int json);
/* The same for one error message on stderr: "PREFIX: MSG\n" (prefix NULL:
 * "benchai"). */
void cmd_print_error(const char *prefix, const char *msg);
/* Text (with its own newlines) on stderr, made safe for a terminal. */
void cmd_eprint(const char *text);

#endif
