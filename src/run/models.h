/* models.h - what a model argument of `benchai run` means (--model, --draft,
 * --mmproj): a file path as given, or a name of the model registry
 * (models.yaml: --models-file, else models_file of the config file, else
 * ./benchmarks/models.yaml, else <prefix>/share/benchai/models.yaml of the
 * installed binary; run/defaults.h). One resolver for every kind of run (a
 * single configuration, --sweep, resume), so a name means the same thing
 * wherever it is typed. Names of the config file's models: map are replaced
 * by their paths before (cmd/run.c), as documented in docs/config.md.
 *
 * Owns: the lookup and its messages. Does not own: the registry's format
 * (plan/), launching, the config file (cli/config_file.h).
 */
#ifndef BAI_RUN_MODELS_H
#define BAI_RUN_MODELS_H

#include "util/error.h"

struct run_model {
    char *name;          /* registry name, or NULL when arg was a path */
    char *path;          /* local GGUF (expanded), or NULL for an endpoint */
    char *url;           /* OpenAI-compatible endpoint of a registry entry, or NULL */
    char *mmproj;        /* the entry's multimodal projector GGUF, or NULL */
    char *registry;      /* the registry file that named it, or NULL */
};

/* The registry file a run reads: models_file when given, else the default
 * search. NULL when there is none; *looked (may be NULL) then lists the
 * places looked in. Caller frees both. */
char *run_models_file(const char *models_file, char **looked);

/* Resolves arg. Something that is a path (contains '/', ends in .gguf, or
 * exists as a file) is taken as given; anything else must be a registry
 * name. An unknown name is an error (exit 2) that says which registry was
 * read, or where one was looked for, and which flag to use. */
int run_model_resolve(const char *arg, const char *models_file, struct run_model *out,
                      struct bai_error *err);
void run_model_free(struct run_model *m);

#endif
