/* escape.c - the terminal rule (control characters and other hazards made
 * visible) and POSIX shell quoting (see escape.h). */
#include "util/escape.h"
#include "util/utf8.h"

#include <string.h>

/* 1 for the code points a terminal acts on or reorders: C0 (but the
 * caller's newline and tab), DEL, C1, and the bidi overrides/isolates. */
static int is_hazard(uint32_t cp)
{
    return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2066 && cp <= 0x2069);
}

void esc_term_append(struct buf *out, const char *s, size_t len, enum esc_mode mode)
{
    size_t i = 0, run = 0;   /* s[run..i) is copied as is */
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        if ((c == '\n' || c == '\t') && mode != ESC_LINE) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t k = utf8_next(s + i, len - i, &cp);
        if (cp != UTF8_INVALID && !is_hazard(cp)) {
            i += k;
            continue;
        }
        buf_append(out, s + run, i - run);
        if (cp == UTF8_INVALID) {
            if (mode == ESC_JSON)
                buf_append(out, "\xEF\xBF\xBD", 3);
            else
                for (size_t j = 0; j < k; j++)
                    buf_printf(out, "\\x%02x", (unsigned char)s[i + j]);
        } else if (mode == ESC_LINE && cp == '\n') {
            buf_puts(out, "\\n");
        } else if (mode == ESC_LINE && cp == '\t') {
            buf_puts(out, "\\t");
        } else if (mode == ESC_JSON || cp > 0x7F) {
            buf_printf(out, "\\u%04x", (unsigned)cp);
        } else {
            buf_printf(out, "\\x%02x", (unsigned)cp);
        }
        i += k;
        run = i;
    }
    buf_append(out, s + run, i - run);
}

void esc_term_puts(struct buf *out, const char *s, enum esc_mode mode)
{
    if (s)
        esc_term_append(out, s, strlen(s), mode);
}

char *esc_term_dup(const char *s)
{
    if (!s)
        return NULL;
    struct buf b = {0};
    esc_term_append(&b, s, strlen(s), ESC_LINE);
    return buf_detach(&b);
}

int esc_term_needed(const char *s, size_t len)
{
    struct buf b = {0};
    esc_term_append(&b, s, len, ESC_TEXT);
    int changed = b.len != len || (len && memcmp(b.data, s, len) != 0);
    buf_free(&b);
    return changed;
}

int esc_term_write(FILE *f, const char *s, size_t len, enum esc_mode mode)
{
    struct buf b = {0};
    esc_term_append(&b, s, len, mode);
    size_t n = b.len;
    size_t w = n ? fwrite(b.data, 1, n, f) : 0;
    buf_free(&b);
    return w == n ? 0 : -1;
}

void esc_shell_quote(struct buf *out, const char *arg)
{
    static const char safe[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                               "0123456789_@%+=:,./-";
    if (*arg && strspn(arg, safe) == strlen(arg)) {
        buf_puts(out, arg);
        return;
    }
    buf_putc(out, '\'');
    for (const char *p = arg; *p; p++) {
        if (*p == '\'')
            buf_puts(out, "'\\''");
        else
            buf_putc(out, *p);
    }
    buf_putc(out, '\'');
}
