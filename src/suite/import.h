/* import.h - turning public data sets (GPQA, DebugBench, HotpotQA,
 * SimpleQA, IFEval, HumanEval, LiveCodeBench, USACO, any JSONL) into suite
 * YAML files.
 *
 * Owns: the format table and the suite document it builds.
 * Does not own: the suite format (suite.h validates what is written) or
 * the files' download (users fetch the data sets themselves).
 */
#ifndef BAI_SUITE_IMPORT_H
#define BAI_SUITE_IMPORT_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "suite/records.h"
#include "util/error.h"

struct suite_import_options {
    const char *name;     /* suite name; NULL: the output file's base name */
    long limit;           /* import at most this many records; <= 0: all */
    const char *map;      /* jsonl: "id=task_id,prompt=question,answer=answer" */
    const char *scorer;   /* jsonl: the items' scorer (default exact) */
    const char *tests;    /* usaco: the tests folder, or "samples"; NULL: searched beside the file */
    const char *language; /* usaco: the language asked for (default python) */
};

/* Reads in_path as format, builds the suite, checks it with suite_load_text
 * and only then writes out_path (temp file + rename: never half a file).
 * Returns the number of items written, or -1 with err set. */
long suite_import(const char *format, const char *in_path, const char *out_path,
                  const struct suite_import_options *o, struct bai_error *err);

/* The YAML text the import would write (validated); NULL on error.
 * out_path names the suite in messages and gives the default name. */
char *suite_import_text(const char *format, const char *in_path, const char *out_path,
                        const struct suite_import_options *o, long *n_items,
                        struct bai_error *err);

/* "gpqa, debugbench, ..." and one line per format for --help. */
const char *suite_import_formats(void);
void suite_import_describe(void (*line)(void *ctx, const char *name, const char *what), void *ctx);

/* ---- for the import_*.c files -------------------------------------- */

/* What one format importer gets: the records (limit applied: n) and the
 * document to fill (defaults object, items array). */
struct suite_import_job {
    const char *path;
    const struct suite_records *rec;
    size_t n;
    const struct suite_import_options *opt;
    cJSON *defaults;
    cJSON *items;
    char *description;    /* set by the importer (allocated) */
};

typedef int (*suite_import_fn)(struct suite_import_job *job, struct bai_error *err);

int suite_import_gpqa(struct suite_import_job *job, struct bai_error *err);
int suite_import_debugbench(struct suite_import_job *job, struct bai_error *err);
int suite_import_hotpotqa(struct suite_import_job *job, struct bai_error *err);
int suite_import_simpleqa(struct suite_import_job *job, struct bai_error *err);
int suite_import_ifeval(struct suite_import_job *job, struct bai_error *err);
int suite_import_humaneval(struct suite_import_job *job, struct bai_error *err);
int suite_import_jsonl(struct suite_import_job *job, struct bai_error *err);
int suite_import_livecodebench(struct suite_import_job *job, struct bai_error *err);
int suite_import_usaco(struct suite_import_job *job, struct bai_error *err);

/* Helpers shared by the importers (import_fields.c, apart from the format
 * table in import.c so that the importers do not depend back on it). */
/* The string field of record i, or NULL; numbers are printed as text. */
const char *suite_import_str(struct suite_import_job *job, size_t i, const char *field,
                             char tmp[64]);
/* Like suite_import_str but a missing or empty field is an error naming
 * file:line and the field. */
const char *suite_import_need(struct suite_import_job *job, size_t i, const char *field,
                              char tmp[64], struct bai_error *err);
/* An id from source text: characters outside [A-Za-z0-9_.:/-] become '_'. */
char *suite_import_id(const char *s);
/* Trimmed copy of s (leading and trailing white space removed). */
char *suite_import_trim(const char *s);

#endif
