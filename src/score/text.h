/* text.h - text primitives shared by the scorers (internal to score/).
 *
 * Owns: UTF-8 decoding, the Unicode character classes the reference scorers
 * rely on (Python's \w, str.split() white space, str.lower()), compile-once
 * PCRE2 patterns, and small helpers for reading item fields from cJSON.
 * Does not own: any scoring rule (those live in the scorer files).
 */
#ifndef BAI_SCORE_TEXT_H
#define BAI_SCORE_TEXT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stddef.h>
#include <stdint.h>
#include <cjson/cJSON.h>

#include "util/error.h"
#include "util/mem.h"

/* ---- UTF-8 ------------------------------------------------------------ */

/* Decodes the code point at s (n bytes left, n >= 1) and stores its length
 * in *adv. An invalid or truncated sequence decodes as U+FFFD with length 1,
 * so callers always make progress on binary garbage. */
uint32_t score_utf8_next(const char *s, size_t n, size_t *adv);

/* ---- character classes (Python 3 semantics) --------------------------- */

/* Python's re \w for str patterns: letters (L*), numbers (N*) and '_'. */
int score_cp_is_word(uint32_t cp);
/* A character str.split() (no argument) splits on. */
int score_cp_is_space(uint32_t cp);
/* Unicode general category P* (punctuation). */
int score_cp_is_punct(uint32_t cp);
/* c.isupper() / c.islower() of one character. */
int score_cp_is_upper(uint32_t cp);
int score_cp_is_lower(uint32_t cp);
/* Python str.isupper() / str.islower() on a whole UTF-8 string (a
 * title-case letter makes both false, as in Python). */
int score_str_isupper(const char *s, size_t n);
int score_str_islower(const char *s, size_t n);

/* Appends str.lower() of s[0..n) to out: Python's mapping (unicode_py.h),
 * U+0130 -> "i" U+0307, and the final-sigma rule with Python's Cased and
 * Case_Ignorable properties. Invalid UTF-8 bytes are copied unchanged. */
void score_lower(const char *s, size_t n, struct buf *out);

/* ---- PCRE2 ------------------------------------------------------------ */

/* A pattern compiled once on first use and kept for the process lifetime
 * (hot paths call score_re_get on every sample). Declare as
 *   static struct score_re re_x = { "pattern", PCRE2_CASELESS };
 * Thread-safe: a racing first use compiles twice and keeps one. */
struct score_re {
    const char *pattern;
    uint32_t flags;          /* added to PCRE2_UTF | PCRE2_MATCH_INVALID_UTF */
    pcre2_code *code;        /* NULL until first use */
};
/* Returns the compiled pattern; aborts on a bad built-in pattern (a bug). */
const pcre2_code *score_re_get(struct score_re *re);

/* Compiles a user-supplied pattern (suite options); NULL + err on failure.
 * The caller frees with pcre2_code_free. */
pcre2_code *score_re_compile(const char *pattern, uint32_t flags, struct bai_error *err);

/* score_re_compile through a small per-thread cache, for patterns taken
 * from item data. The result stays valid until 64 other patterns have been
 * compiled on this thread: use it at once, never free it. */
const pcre2_code *score_re_cached(const char *pattern, uint32_t flags, struct bai_error *err);

/* Runs re on s[0..len) from byte offset start. Returns the number of
 * captured pairs (>= 1) and fills ov[0..2*pairs) with byte offsets
 * (PCRE2_UNSET for unset groups), 0 when there is no match, -1 on a match
 * error (e.g. backtracking limit). max_pairs bounds ov. */
int score_re_exec(const pcre2_code *re, const char *s, size_t len, size_t start,
                  size_t *ov, int max_pairs);
/* The same with pcre2_match options (e.g. PCRE2_NOTEMPTY_ATSTART). */
int score_re_exec_opts(const pcre2_code *re, const char *s, size_t len, size_t start,
                       uint32_t options, size_t *ov, int max_pairs);
/* Python re.findall count: non-overlapping matches, left to right. */
size_t score_re_count(const pcre2_code *re, const char *s, size_t len);
/* 1 when re matches anywhere in s. */
int score_re_search(const pcre2_code *re, const char *s, size_t len);
/* Escapes s so PCRE2 matches it literally (for keyword lists). */
char *score_re_escape(const char *s);

/* ---- item fields ------------------------------------------------------ */

/* data[key], else data.scoring[key] (suite defaults.scoring merges there). */
const cJSON *score_opt(const cJSON *data, const char *key);
/* String option or def. */
const char *score_opt_str(const cJSON *data, const char *key, const char *def);
/* Number option or def. */
double score_opt_num(const cJSON *data, const char *key, double def);
/* Boolean option (true/false or 0/1) or def. */
int score_opt_bool(const cJSON *data, const char *key, int def);
/* Collects a value as strings: a string gives one, an array gives one per
 * string/number/bool element (numbers printed as JSON). Returns the count;
 * *out and its strings are allocated (free with score_strings_free). */
size_t score_strings(const cJSON *v, char ***out);
void score_strings_free(char **v, size_t n);

/* Appends one problem line to err (a newline first when it holds one
 * already) with exit code BAI_EXIT_USAGE: validators report every problem,
 * not only the last. */
void score_problem(struct bai_error *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Detail JSON: the object is printed unformatted and freed. */
char *score_detail_finish(cJSON *detail);

/* Trims ASCII and Unicode white space; returns the span inside s. */
void score_trim(const char **s, size_t *n);

/* The `extract` / `match` options shared by exact, f1 and needle: when
 * data has scoring.extract (a PCRE2 pattern with one capture group), finds
 * the first or last (`match: first|last`, default last) match in output and
 * sets *span / *span_len to group 1 (group 0 when the pattern has none).
 * Without the option the whole output is the span. Returns 1 found,
 * 0 no match (the caller reports SCORE_UNPARSED), -1 bad pattern (err). */
int score_extract(const cJSON *data, const char *output, size_t output_len, const char **span,
                  size_t *span_len, struct bai_error *err);
/* The registry entries (struct score_option, score.h) of those options,
 * for the option tables of the scorers that call score_extract. */
#define SCORE_OPTIONS_EXTRACT                                                              \
    { "extract", SCORE_OPT_PATTERN, NULL, NULL,                                            \
      "a PCRE2 pattern that finds the answer in the output: group 1 is the answer (the "   \
      "whole match when it has no group); no match is unparsed" },                         \
    { "match", SCORE_OPT_ENUM, "first|last", "last", "which match of extract is the answer" }

/* Index of s among the '|'-separated words of values ("a|b|c"), or -1. */
int score_values_index(const char *values, const char *s);

/* ---- normalisation (implemented in exact.c) ---------------------------- */

enum {
    SCORE_NORM_STRIP = 1,          /* trim white space at both ends */
    SCORE_NORM_LOWER = 2,          /* str.lower() */
    SCORE_NORM_COLLAPSE_WS = 4,    /* runs of white space -> one space */
    SCORE_NORM_STRIP_PUNCT = 8,    /* delete ASCII punctuation and Unicode P* */
    SCORE_NORM_STRIP_ARTICLES = 16,/* words a/an/the -> space (as SQuAD) */
    SCORE_NORM_NUMBER = 32         /* 1,234 -> 1234; 2.50 -> 2.5; 3.0 -> 3; 5. -> 5; +5 -> 5 */
};
#define SCORE_NORM_DEFAULT (SCORE_NORM_STRIP | SCORE_NORM_LOWER | SCORE_NORM_COLLAPSE_WS)

/* The `normalize` names; the k-th name is flag 1 << k above. */
#define SCORE_NORM_NAMES "strip|lower|collapse_ws|strip_punct|strip_articles|number"

/* Parses the `normalize` option (list of names); SCORE_NORM_DEFAULT when
 * absent; -1 + err on an unknown name. */
int score_norm_flags(const cJSON *data, struct bai_error *err);
/* Applies the flags in a fixed order (number, lower, punct, articles,
 * white space) and appends the result to out. */
void score_normalize(const char *s, size_t n, int flags, struct buf *out);
/* 1 when needle occurs in hay bounded by non-word characters (or the ends). */
int score_contains_word(const char *hay, const char *needle);
/* The same on byte spans (either may hold NUL characters). */
int score_contains_word_n(const char *hay, size_t hay_len, const char *needle, size_t needle_len);

#endif
