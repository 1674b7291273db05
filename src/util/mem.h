/* mem.h - allocation that cannot return NULL, and a growable byte buffer.
 *
 * Like git's xmalloc: running out of memory in a benchmark harness is not a
 * condition any caller can repair, so these print one line and abort instead
 * of threading NULL checks through every caller.
 */
#ifndef BAI_MEM_H
#define BAI_MEM_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);              /* NULL in, NULL out */
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Grows an array of elements of size elem so it can hold at least need. */
#define XGROW(ptr, need, cap)                                               \
    do {                                                                    \
        if ((size_t)(need) > (cap)) {                                       \
            size_t xg_new_ = (cap) ? (cap) * 2 : 8;                         \
            while (xg_new_ < (size_t)(need))                                \
                xg_new_ *= 2;                                               \
            (ptr) = xrealloc((ptr), xg_new_ * sizeof *(ptr));               \
            (cap) = xg_new_;                                                \
        }                                                                   \
    } while (0)

/* A growable array of doubles (samples of one figure before their
 * statistics); free v when done. */
struct dvec {
    double *v;
    size_t n, cap;
};

static inline void dvec_push(struct dvec *d, double x)
{
    XGROW(d->v, d->n + 1, d->cap);
    d->v[d->n++] = x;
}

/* A NUL-terminated growable string; data is never NULL after the first
 * append. Owned by the caller: free with buf_free, or take data with
 * buf_detach. */
struct buf {
    char *data;
    size_t len;
    size_t cap;
};

void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap);
void buf_reset(struct buf *b);
char *buf_detach(struct buf *b);           /* returns "" (allocated) when empty */
void buf_free(struct buf *b);

#endif
