/* escape.h - text that leaves benchai for a terminal or a shell.
 *
 * Owns the one rule for what benchai lets reach a terminal: text from
 * outside (model answers, a server's error body, names from files, suite
 * values) may hold escape sequences that clear the screen, set the window
 * title or hide what follows. Every command prints through esc_term_*:
 * control characters become visible escapes ("\x1b"), never raw bytes.
 * Also owns quoting a command line so a shell runs exactly those words.
 * Does not own CSV, Markdown, HTML or XML escaping (report/format.h).
 */
#ifndef BAI_ESCAPE_H
#define BAI_ESCAPE_H

#include <stddef.h>
#include <stdio.h>
#include "util/mem.h"

enum esc_mode {
    /* Plain text: newline and tab are kept; every other C0 control, DEL and
     * an invalid byte become "\xNN"; C1 controls (U+0080-U+009F) and the
     * bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069,
     * which make a terminal show text in another order than it is) become
     * "\uNNNN". */
    ESC_TEXT,
    /* JSON text (already escaped by cJSON): the same characters become JSON
     * escapes "\uNNNN" and an invalid byte U+FFFD, so the document stays
     * valid JSON with the same meaning. */
    ESC_JSON,
    /* One line of plain text (a name in a table, a message): as ESC_TEXT,
     * and newline and tab become "\n" and "\t" too. */
    ESC_LINE,
};

/* Appends s[0..len) to out made safe for a terminal per mode. */
void esc_term_append(struct buf *out, const char *s, size_t len, enum esc_mode mode);
/* The same for a NUL-terminated string (NULL appends nothing). */
void esc_term_puts(struct buf *out, const char *s, enum esc_mode mode);
/* An allocated copy of s made safe (ESC_LINE); NULL gives NULL. */
char *esc_term_dup(const char *s);
/* 1 when s[0..len) would be changed by ESC_TEXT. */
int esc_term_needed(const char *s, size_t len);
/* Writes s[0..len) to f made safe per mode; 0, or -1 when the write failed. */
int esc_term_write(FILE *f, const char *s, size_t len, enum esc_mode mode);

/* Appends arg quoted for a POSIX shell: as is when it holds only
 * [A-Za-z0-9_@%+=:,./-] (and is not empty), else in single quotes with
 * each ' written as '\'' , so $(...), `...`, globs and spaces are literal.
 * Control characters inside are then shown by the terminal rule. */
void esc_shell_quote(struct buf *out, const char *arg);

#endif
