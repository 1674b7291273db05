/* log.c - the one verbosity level and the stderr writer of every log
 * line, with a hook that runs before each line (the live progress display
 * clears itself there). */
#include "util/log.h"
#include "util/escape.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdio.h>

/* The one process-wide setting: it is set by main before any command runs
 * and only read afterwards. */
static enum log_level current_level = LOG_INFO;

void log_set_level(enum log_level level) { current_level = level; }
enum log_level log_get_level(void) { return current_level; }

static void (*hook)(void *ctx);
static void *hook_ctx;

void log_set_hook(void (*before)(void *ctx), void *ctx)
{
    hook = before;
    hook_ctx = ctx;
}

static void vlog(const char *tag, const char *fmt, va_list ap)
{
    if (hook)
        hook(hook_ctx);
    /* log lines carry server bodies and names: made safe for a terminal */
    struct buf line = {0}, out = {0};
    buf_vprintf(&line, fmt, ap);
    buf_printf(&out, "benchai: %s", tag);
    esc_term_append(&out, line.data ? line.data : "", line.len, ESC_TEXT);
    buf_putc(&out, '\n');
    fwrite(out.data, 1, out.len, stderr);
    buf_free(&line);
    buf_free(&out);
}

void log_info(const char *fmt, ...)
{
    if (current_level < LOG_INFO)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog("", fmt, ap);
    va_end(ap);
}

void log_debug(const char *fmt, ...)
{
    if (current_level < LOG_DEBUG)
        return;
    va_list ap;
    va_start(ap, fmt);
    vlog("debug: ", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vlog("warning: ", fmt, ap);
    va_end(ap);
}
