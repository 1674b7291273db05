/* error.c - filling struct bai_error and turning it into one stderr line
 * and an exit code (see error.h). */
#include "util/error.h"
#include "util/escape.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bai_error_set(struct bai_error *err, int exit_code, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->exit_code = exit_code;
}

void bai_error_prefix(struct bai_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    char old[sizeof err->msg];
    memcpy(old, err->msg, sizeof old);
    size_t n = strlen(prefix);
    if (n > sizeof err->msg - 3)
        n = sizeof err->msg - 3;
    memcpy(err->msg, prefix, n);
    memcpy(err->msg + n, ": ", 2);
    size_t rest = sizeof err->msg - n - 3;
    size_t old_len = strnlen(old, rest);
    memcpy(err->msg + n + 2, old, old_len);
    err->msg[n + 2 + old_len] = '\0';
}

void bai_error_clear(struct bai_error *err)
{
    if (!err)
        return;
    err->exit_code = 0;
    err->msg[0] = '\0';
}

int bai_error_report(const struct bai_error *err)
{
    /* a message may quote a file or a server: its control characters are
     * shown, never sent to the terminal (util/escape.h) */
    struct buf b = {0};
    buf_puts(&b, "benchai: ");
    esc_term_puts(&b, err->msg[0] ? err->msg : "unknown error", ESC_TEXT);
    buf_putc(&b, '\n');
    fwrite(b.data, 1, b.len, stderr);
    buf_free(&b);
    return err->exit_code ? err->exit_code : BAI_EXIT_INTERNAL;
}
