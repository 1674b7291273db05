/* strlist.h - growable lists of strings, as commands build them from
 * repeated flags and comma lists ("--suite a,b --suite c").
 * Owns the one rule for splitting a comma list: each part is trimmed of
 * spaces and empty parts are dropped. Does not own what the strings mean. */
#ifndef BAI_STRLIST_H
#define BAI_STRLIST_H

#include <stddef.h>

/* Appends a copy of s to *v (n strings, room for *cap; all may start 0). */
void strlist_push(char ***v, size_t *n, size_t *cap, const char *s);
/* Appends the non-empty, space-trimmed comma-separated parts of s (NULL
 * appends nothing): "a, b,,c " -> "a", "b", "c". */
void strlist_add_csv(char ***v, size_t *n, size_t *cap, const char *s);
/* Frees the n strings and the array. */
void strlist_free(char **v, size_t n);

#endif
