/* defaults.h - where benchai finds things when the user does not say: the
 * llama-server built by scripts/install-llama.sh, the tiny models written
 * by scripts/make-test-models, the store and log folders. One place, so the
 * scripts and the binary agree. */
#ifndef BAI_DEFAULTS_H
#define BAI_DEFAULTS_H

#include <stddef.h>

/* Must match NLC_VERSION in scripts/install-llama.sh. */
#define BENCHAI_LLAMA_VERSION "3.22.1"

/* $BENCHAI_LLAMA_SERVER, else the cached build, else "llama-server" (PATH).
 * Caller frees. */
char *defaults_llama_server(void);
/* $BENCHAI_MODELS/<name>.gguf, else the make-test-models cache. Caller frees. */
char *defaults_tiny_model(const char *name);
/* <prefix>/share/benchai beside the running binary's bin/ (where `make
 * install` puts suites, models.yaml and roles.yaml), or NULL when there is
 * no such folder (a checkout). Caller frees. */
char *defaults_share_dir(void);
/* The shipped data file NAME ("models.yaml", "roles.yaml") a command reads
 * when no flag names one, in this order: configured (the config file's
 * models_file / roles_file, may be NULL) as given, benchmarks/NAME in the
 * working directory, <prefix>/share/benchai/NAME of the installed binary.
 * NULL when none exists; then *looked (when looked is not NULL) lists the
 * places looked in, for the message. Caller frees both. */
char *defaults_data_file(const char *name, const char *configured, char **looked);
/* The file name endings of suite files (NULL-terminated). */
extern const char *const defaults_suite_suffixes[];
/* The folders a bare suite name is looked up in, in order: suites/v1 and
 * suites/imported of the working directory, then the same under
 * <prefix>/share/benchai/suites beside the installed binary. Free with
 * defaults_strv_free. */
char **defaults_suite_dirs(size_t *n);
void defaults_strv_free(char **v, size_t n);
/* Resolves a suite argument: a path as given when it exists, else
 * NAME.yaml in the first of defaults_suite_dirs that has it; when none
 * does, the argument unchanged. Caller frees. */
char *defaults_suite_path(const char *arg);
/* The names of the suites in defaults_suite_dirs (file names without
 * their ending), each once, in lookup order. Free with defaults_strv_free. */
char **defaults_suite_names(size_t *n);
/* The message for a suite argument that resolved to no file: every place
 * looked in and the available suite names. Caller frees. */
char *defaults_suite_missing(const char *arg);

#endif
