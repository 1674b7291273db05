/* utf8.h - strict UTF-8 decoding and repair, for text that comes from
 * outside (a model server's answer, a stored answer of an older benchai).
 *
 * Owns the one decoder of the rule "valid UTF-8" (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF) and the repair that
 * replaces what is not valid with U+FFFD. Does not own what a caller does
 * with a repaired text (flags, messages).
 */
#ifndef BAI_UTF8_H
#define BAI_UTF8_H

#include <stddef.h>
#include <stdint.h>

#define UTF8_INVALID 0xFFFFFFFFu

/* Decodes the sequence at s (n > 0 bytes available). Returns the bytes it
 * spans (>= 1) and sets *cp to the code point, or to UTF8_INVALID for an
 * ill-formed sequence, whose span is its maximal valid-looking prefix (the
 * Unicode "maximal subpart" rule, so one broken character gives one
 * replacement, and what follows it is decoded normally). */
size_t utf8_next(const char *s, size_t n, uint32_t *cp);

/* Writes cp (<= U+10FFFF) as UTF-8 into out (4 bytes of room); returns the
 * length. */
size_t utf8_put(uint32_t cp, char *out);

/* 1 when s[0..n) is valid UTF-8 without NUL bytes. */
int utf8_is_clean(const char *s, size_t n);

/* A copy of s[0..n) that is valid UTF-8 without NUL: every ill-formed
 * sequence and every NUL byte becomes U+FFFD. *n_replaced (may be NULL) is
 * set to how many were replaced. Allocated, NUL-terminated. */
char *utf8_repair(const char *s, size_t n, size_t *n_replaced);

#endif
