/* strv.h - struct strv, the one list of strings: what commands collect
 * from repeated flags and comma lists ("--suite a,b --suite c"), the argv
 * and environment vectors built for a child process, strings a struct
 * owns for others to borrow.
 * Owns the one rule for splitting a comma list: each part is trimmed of
 * spaces and empty parts are dropped. Does not own what the strings mean. */
#ifndef BAI_STRV_H
#define BAI_STRV_H

#include <stddef.h>

/* v[0..n) are owned copies; once anything is pushed, v[n] is NULL, so v
 * can go to execve as it is. Zero-initialised = empty. */
struct strv {
    char **v;
    size_t n, cap;
};

/* Appends a copy of s. */
void strv_push(struct strv *l, const char *s);
/* Appends s itself: the list owns it from now on. */
void strv_push_owned(struct strv *l, char *s);
/* Appends the printf-formatted string. */
void strv_pushf(struct strv *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends the non-empty, space-trimmed comma-separated parts of s (NULL
 * appends nothing): "a, b,,c " -> "a", "b", "c". */
void strv_add_csv(struct strv *l, const char *s);
/* The strings joined by sep (a new string; "" for an empty list). */
char *strv_join(const struct strv *l, const char *sep);
/* Frees the strings and the array; the list is empty again. */
void strv_free(struct strv *l);

#endif
