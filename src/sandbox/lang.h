/* lang.h - the language table (suites/languages.yaml): how to compile and
 * run a program of each language inside the sandbox, and its limits.
 * Owns: struct sandbox_langs and its loading (libyaml).
 * Does not own: running anything (sandbox.h) or building test programs (score/code.c).
 */
#ifndef BAI_SANDBOX_LANG_H
#define BAI_SANDBOX_LANG_H

#include <stddef.h>
#include "sandbox/sandbox.h"

struct sandbox_lang {
    char *name;                 /* "python", "c", "cpp", "java", "javascript" */
    char **aliases;             /* NULL-terminated ("python3", "py") */
    char *file;                 /* source file name in the work dir ("main.py") */
    char **compile;             /* argv template or NULL (interpreted) */
    char **run;                 /* argv template */
    char **artifacts;           /* compile outputs kept for the run ("prog", "*.class") */
    char **env;                 /* NAME=VALUE for the runtime (MALLOC_ARENA_MAX=2) */
    char **paths;               /* host paths the runtime needs beyond the sandbox's
                                 * base set, bound read-only (globs expanded at load) */
    struct sandbox_limits limits;          /* run limits; 0 fields = caller's/default */
    struct sandbox_limits compile_limits;  /* compile step */
    int available;              /* compile[0] and run[0] found in the sandbox PATH */
};

struct sandbox_langs {
    struct sandbox_lang *v;
    size_t n;
    char *path;                 /* the file it came from */
};

/* Loads a table. Errors name file:line. */
struct sandbox_langs *sandbox_langs_load(const char *path, struct bai_error *err);

/* Loads the first of: $BENCHAI_LANGUAGES, ./suites/languages.yaml,
 * <dir of /proc/self/exe>/suites/languages.yaml,
 * <dir of exe>/../share/benchai/suites/languages.yaml. */
struct sandbox_langs *sandbox_langs_load_default(struct bai_error *err);
void sandbox_langs_free(struct sandbox_langs *t);

/* By name or alias (case-insensitive); NULL when unknown. */
const struct sandbox_lang *sandbox_langs_find(const struct sandbox_langs *t, const char *name);

/* Expands a template: "{memory_mb}" -> limits->memory_mb (or 256 when
 * unset), "{file}" -> lang->file. NULL-terminated, caller frees each
 * string and the array. */
char **sandbox_lang_argv(const struct sandbox_lang *lang, char *const *tmpl,
                         const struct sandbox_limits *limits);

#endif
