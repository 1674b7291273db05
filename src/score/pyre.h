/* pyre.h - Python `re` patterns run on PCRE2 (internal to score/).
 *
 * Owns: translating a pattern written for Python's re module (str
 * patterns, Python 3.11's syntax) into a PCRE2 pattern that matches what
 * Python's would: \s, \d, \w and \b as Python defines them, re.IGNORECASE's
 * case-insensitive matching (Python's lower-case mapping plus the extra
 * equivalences of re._casefix: i/ı, s/ſ, µ/μ, σ/ς, β/ϐ ...), MULTILINE,
 * DOTALL, VERBOSE, ASCII and inline flags, {,n} and the errors Python
 * raises; and re.findall / re.split counts with Python's empty-match rule.
 * The IFEval checks and the punkt sentence splitter use it, so their
 * patterns mean what they mean in the reference scripts.
 * Does not own: PCRE2 compilation and caching (text.c).
 *
 * Not reproduced (an error, reported as a bad pattern): \N{NAME} escapes.
 * A backreference under IGNORECASE compares with PCRE2's case folding.
 */
#ifndef BAI_SCORE_PYRE_H
#define BAI_SCORE_PYRE_H

#include "score/text.h"

/* Python's flag values (re.I, re.M, re.S, re.X, re.A). */
enum { PYRE_I = 2, PYRE_M = 8, PYRE_S = 16, PYRE_X = 64, PYRE_A = 256 };

/* The PCRE2 pattern (compile it with PCRE2_UCP) for a Python pattern; NULL
 * and err (the reason Python would give) when Python rejects the pattern.
 * The caller frees the result. */
char *score_pyre_translate(const char *pattern, unsigned flags, struct bai_error *err);

/* A built-in Python pattern, translated and compiled once per process:
 *   static struct score_pyre re_x = { "pattern", PYRE_M, NULL }; */
struct score_pyre {
    const char *pattern;
    unsigned flags;
    pcre2_code *code;
};
const pcre2_code *score_pyre_get(struct score_pyre *re);

/* A Python pattern from item data, through a small per-process cache of
 * translations and text.c's per-thread cache of compiled patterns. NULL +
 * err when Python would reject it. */
const pcre2_code *score_pyre_cached(const char *pattern, unsigned flags, struct bai_error *err);

/* len(re.findall(p, s)) - also len(re.split(p, s)) - 1: matches left to
 * right; after an empty match the next one may not be empty at the same
 * place (Python 3.7+). */
size_t score_pyre_count(const pcre2_code *re, const char *s, size_t len);
/* re.search(p, s) is not None. */
int score_pyre_search(const pcre2_code *re, const char *s, size_t len);
/* The next match at or after *at (Python's empty-match rule, as above;
 * *prev_empty carries the state between calls, start it at 0). Returns 1
 * and the span, 0 when there is none. */
int score_pyre_next(const pcre2_code *re, const char *s, size_t len, size_t *at,
                    int *prev_empty, size_t *mstart, size_t *mend);

#endif
