/* strv.c - the one list of strings (see strv.h). */
#include "util/strv.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void strv_push_owned(struct strv *l, char *s)
{
    XGROW(l->v, l->n + 2, l->cap);      /* room for the NULL after the last */
    l->v[l->n++] = s;
    l->v[l->n] = NULL;
}

void strv_push(struct strv *l, const char *s)
{
    strv_push_owned(l, xstrdup(s));
}

void strv_pushf(struct strv *l, const char *fmt, ...)
{
    struct buf b = { 0 };
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&b, fmt, ap);
    va_end(ap);
    strv_push_owned(l, buf_detach(&b));
}

void strv_add_csv(struct strv *l, const char *s)
{
    while (s && *s) {
        size_t len = strcspn(s, ",");
        const char *part = s;
        s += len;
        if (*s == ',')
            s++;
        while (len && *part == ' ') {
            part++;
            len--;
        }
        while (len && part[len - 1] == ' ')
            len--;
        if (len)
            strv_push_owned(l, xstrndup(part, len));
    }
}

char *strv_join(const struct strv *l, const char *sep)
{
    struct buf b = { 0 };
    for (size_t i = 0; i < l->n; i++) {
        if (i)
            buf_puts(&b, sep);
        buf_puts(&b, l->v[i]);
    }
    return buf_detach(&b);
}

void strv_free(struct strv *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    memset(l, 0, sizeof *l);
}
