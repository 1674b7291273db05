/* base64.h - RFC 4648 base64 (the standard alphabet, '=' padding): images
 * sent as data: URIs, data URIs read from suites, LiveCodeBench's encoded
 * private tests. */
#ifndef BAI_BASE64_H
#define BAI_BASE64_H

#include <stddef.h>

/* Encodes n bytes; the result is NUL-terminated (caller frees). */
char *base64_encode(const void *data, size_t n);
/* Decodes text (white space between groups is skipped, as in wrapped
 * lines); missing final padding is accepted. Returns the bytes (caller
 * frees, NUL-terminated for convenience) and their count in *n, or NULL
 * when text holds a character outside the alphabet, padding in the middle,
 * or a length no encoder makes; *bad_at (may be NULL) then gets the offset
 * of the offending character. */
unsigned char *base64_decode(const char *text, size_t len, size_t *n, size_t *bad_at);

#endif
