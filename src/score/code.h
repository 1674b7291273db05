/* code.h - the `code` scorer's parts: finding code in a response, building
 * the test program for each test form, comparing outputs, and scoring one
 * sample asynchronously on a sandbox pool.
 * Owns: extraction and comparison rules (code_extract.c), the scorer (code.c).
 * Does not own: isolation (sandbox/), pass@k over samples (passk.h).
 */
#ifndef BAI_SCORE_CODE_H
#define BAI_SCORE_CODE_H

#include <stddef.h>
#include "score/score.h"

struct sandbox_pool;

enum code_extract_mode {
    CODE_EXTRACT_LAST = 0,     /* the last fenced block (default) */
    CODE_EXTRACT_LONGEST,      /* the longest fenced block */
    CODE_EXTRACT_CODE_TAG,     /* <code>...</code> (DebugBench), else as LAST */
    CODE_EXTRACT_RAW           /* the whole response when it has no block */
};

#define CODE_EXTRACT_NAMES "last|longest|code_tag|raw"   /* in enum order */

/* One of CODE_EXTRACT_NAMES (NULL: last); -1 when unknown. */
int code_extract_mode_parse(const char *s);

/* Finds the code in a model response. Fenced blocks open with ``` or ~~~
 * at the start of a line (an optional language tag follows) and close at
 * the next fence of the same kind; an unclosed last block runs to the end
 * (max_tokens cut it). Without fences, <code> tags are used in every mode.
 * Returns the code (allocated) or NULL when there is none. */
char *code_extract(const char *response, enum code_extract_mode mode);

/* The program side of a HumanEval item (main.py): the completion continues
 * the prompt, unless the code defines the entry point itself, in which case
 * it follows the prompt (which keeps the prompt's imports). The test and the
 * check call stay with the judge. Allocated. */
char *code_humaneval_program(const char *prompt, const char *code, const char *entry_point);

/* The program side of a Python asserts item: the code, then the item's
 * setup (which may use the code). The asserts stay with the judge. */
char *code_python_asserts_program(const char *code, const char *setup);

/* C/C++: the harness with its SOLUTION marker comment replaced by code (code
 * alone when harness is NULL); NULL when harness lacks the marker. */
char *code_c_program(const char *harness, const char *code);

/* Parses the judge's "PASS i" / "FAIL i {json}" lines. ok[i] is set to 1
 * for a PASS; returns the number of tests passed; *first_fail_json gets the
 * JSON of the first FAIL (allocated, or NULL). */
size_t code_parse_verdicts(const char *text, size_t n, int *ok, int *first_fail,
                           char **first_fail_json);

/* The Python judge and server (code_python.c), written into the work dir. */
extern const char code_python_judge[];
extern const char code_python_serve[];

/* stdio comparison: lines compared after stripping trailing white space,
 * trailing empty lines ignored; with tolerance >= 0, white-space separated
 * tokens that both parse as numbers match when |a-b| <= tol or
 * |a-b| <= tol * |b|. Returns 1 when equal; else 0 and *line (1-based) is
 * the first differing line. */
int code_outputs_match(const char *expected, const char *actual, double tolerance, size_t *line);

/* 1 when stderr shows an allocation failure (Python MemoryError,
 * std::bad_alloc, Java OutOfMemoryError, V8 heap out of memory, ENOMEM). */
int code_stderr_is_oom(const char *err);

/* Scores one sample on a pool worker and calls done there (the scheduler
 * never waits). `in` and what it points to must stay valid until done;
 * done owns res: score_result_free(res) then free(res). */
typedef void (*code_done_fn)(void *userdata, int rc, struct score_result *res,
                             const struct bai_error *err);
void code_score_submit(struct sandbox_pool *pool, const struct score_input *in,
                       code_done_fn done, void *userdata);

#endif
