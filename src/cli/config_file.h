/* config_file.h - the user's config file, $XDG_CONFIG_HOME/benchai/config.yaml
 * (default ~/.config/benchai/config.yaml): default store, output format,
 * llama-server binary, threads, judge endpoint, and a model registry
 * (name -> GGUF path, used by --model NAME), the model registry and roles
 * files to use. Precedence: command line >
 * environment (only the two compatibility variables BENCHAI_STORE and
 * BENCHAI_LLAMA_SERVER) > config file > built-in default. docs/config.md.
 *
 * Owns: reading and validating the file (errors as file:line:column), the
 * process-wide config main.c loads, each setting's effective value and
 * where it came from. Does not own: applying a setting (the commands ask
 * for defaults here before they parse their flags), secrets (the file only
 * names the variable that holds an API key).
 */
#ifndef BAI_CLI_CONFIG_FILE_H
#define BAI_CLI_CONFIG_FILE_H

#include "util/error.h"
#include "util/mem.h"

enum cli_key {
    CLI_CFG_STORE,
    CLI_CFG_OUTPUT,
    CLI_CFG_LLAMA_SERVER,
    CLI_CFG_THREADS,
    CLI_CFG_JUDGE_URL,
    CLI_CFG_JUDGE_MODEL,
    CLI_CFG_JUDGE_API_KEY_ENV,
    CLI_CFG_JUDGE_GGUF,
    CLI_CFG_MODELS_FILE,     /* the model registry (models.yaml) */
    CLI_CFG_ROLES_FILE,      /* the roles file of select and pareto */
    CLI_CFG_N
};

struct cli_setting {
    char *value;          /* NULL: not in the file; paths have ~ expanded */
    int line, column;     /* where the file sets it */
};

struct cli_config_model {
    char *name, *path;    /* path: ~ expanded */
    int line, column;
};

struct cli_config {
    char *path;           /* the file looked for */
    int exists;           /* 0: no file (every setting unset) */
    struct cli_setting v[CLI_CFG_N];
    struct cli_config_model *models;
    size_t n_models;
};

/* $XDG_CONFIG_HOME/benchai/config.yaml, else $HOME/.config/benchai/config.yaml.
 * Caller frees. */
char *cli_config_default_path(void);

/* Reads path into cfg (zeroed first). A missing file is not an error
 * (cfg->exists = 0). Errors: BAI_EXIT_USAGE with "file:line:column: what",
 * for YAML syntax, unknown keys (with the closest known key), wrong types
 * and invalid values. cfg is freed on error. */
int cli_config_load(const char *path, struct cli_config *cfg, struct bai_error *err);
void cli_config_free(struct cli_config *cfg);

/* The config the defaults below read: main.c sets the loaded file once;
 * until then (unit tests calling cmd_* directly) there is none, so only the
 * environment and the built-in defaults apply. cfg is borrowed. */
void cli_config_set_current(const struct cli_config *cfg);
const struct cli_config *cli_config_current(void);

/* The setting's name as in the file ("judge.url"). */
const char *cli_config_key_name(enum cli_key k);
/* The effective value of a setting that has no command-line flag here:
 * the compatibility environment variable, else the current file, else
 * NULL (the caller's built-in default applies). */
const char *cli_config_get(enum cli_key k);
/* Where cli_config_get's value comes from: "environment BENCHAI_STORE",
 * "FILE:LINE", or NULL for the built-in default. Caller frees. */
char *cli_config_source(enum cli_key k);

/* The default store: cli_config_get(CLI_CFG_STORE), else results/benchai.db. */
const char *cli_default_store(void);
/* The default -o of a command whose formats are choices: the config's
 * output when it is one of them, else builtin. */
const char *cli_default_format(const char *const *choices, const char *builtin);
/* The GGUF path the registry gives name, or NULL (not a registered name). */
const char *cli_config_model(const char *name);

#endif
