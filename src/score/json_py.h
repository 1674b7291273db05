/* json_py.h - Python's json.loads, as a yes/no (internal to score/).
 *
 * Owns: deciding whether json.loads (Python 3.11's C scanner, strict
 * mode) would accept a text: a leading U+FEFF is refused, white space is
 * only space, tab, CR and LF, numbers are -?(0|[1-9][0-9]*)(.[0-9]+)?
 * ([eE][-+]?[0-9]+)? with no leading zeros and no bare point, integers of
 * more than 4300 digits are refused (sys.int_info.default_max_str_digits),
 * NaN, Infinity and -Infinity are values, strings refuse raw control
 * characters and bad escapes and accept lone surrogates. IFEval's
 * json_format check asks exactly this. Nesting has no depth limit (Python
 * raises RecursionError, which IFEval does not catch, past about 1,000).
 * Does not own: building values (cJSON does that where values are needed).
 */
#ifndef BAI_SCORE_JSON_PY_H
#define BAI_SCORE_JSON_PY_H

#include <stddef.h>
#include "util/mem.h"

/* 1 when json.loads(s) succeeds, 0 when it raises ValueError. Invalid
 * UTF-8 bytes count as U+FFFD characters. */
int json_py_valid(const char *s, size_t n);

/* Decodes the JSON string literal starting at s[0] == '"' (n bytes
 * available) into out, keeping NUL characters (\u0000), which cJSON cuts
 * strings at. Returns the bytes consumed, 0 when it is not a valid string.
 * A lone surrogate escape becomes U+FFFD. */
size_t json_py_string(const char *s, size_t n, struct buf *out);

/* The string value of member `key` of the JSON object text s, decoded
 * with its NUL characters kept; 1 found, 0 not (absent, not a string, or
 * text this strict reader does not follow: the caller falls back to
 * cJSON's value). */
int json_py_member_string(const char *s, size_t n, const char *key, struct buf *out);

#endif
