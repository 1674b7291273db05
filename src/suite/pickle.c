/* pickle.c - one pickled string out of a pickle stream (suite/pickle.h).
 * Opcode values and argument layouts as Python's Lib/pickletools.py
 * documents them; every length is checked against the bytes left. */
#include "suite/pickle.h"
#include "util/mem.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
    OP_PROTO = 0x80, OP_FRAME = 0x95, OP_STOP = '.', OP_MEMOIZE = 0x94,
    OP_PUT = 'p', OP_BINPUT = 'q', OP_LONG_BINPUT = 'r',
    OP_UNICODE = 'V', OP_SHORT_BINUNICODE = 0x8c, OP_BINUNICODE = 'X', OP_BINUNICODE8 = 0x8d,
    OP_SHORT_BINBYTES = 'C', OP_BINBYTES = 'B', OP_BINBYTES8 = 0x8e,
    OP_SHORT_BINSTRING = 'U', OP_BINSTRING = 'T',
};

/* Names of opcodes that build other objects, for the refusal message. */
static const char *op_name(unsigned char op)
{
    switch (op) {
    case 'c': return "GLOBAL";
    case 0x93: return "STACK_GLOBAL";
    case 'R': return "REDUCE";
    case 'b': return "BUILD";
    case 'i': return "INST";
    case 'o': return "OBJ";
    case 0x81: return "NEWOBJ";
    case 0x92: return "NEWOBJ_EX";
    case '(': return "MARK";
    case ']': return "EMPTY_LIST";
    case '}': return "EMPTY_DICT";
    case ')': return "EMPTY_TUPLE";
    case 't': return "TUPLE";
    case 'l': return "LIST";
    case 'd': return "DICT";
    case 'a': return "APPEND";
    case 'e': return "APPENDS";
    case 's': return "SETITEM";
    case 'u': return "SETITEMS";
    case 'K': return "BININT1";
    case 'J': return "BININT";
    case 'M': return "BININT2";
    case 'N': return "NONE";
    case 'S': return "STRING";
    case 'h': return "BINGET";
    case 'j': return "LONG_BINGET";
    case 'g': return "GET";
    default: return NULL;
    }
}

__attribute__((format(printf, 3, 4)))
static int fail(char *why, size_t n, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, n, fmt, ap);
    va_end(ap);
    return -1;
}

static uint64_t le(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static void put_utf8(struct buf *b, uint32_t cp)
{
    if (cp < 0x80) {
        buf_putc(b, (char)cp);
    } else if (cp < 0x800) {
        buf_putc(b, (char)(0xc0 | cp >> 6));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        buf_putc(b, (char)(0xe0 | cp >> 12));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    } else {
        buf_putc(b, (char)(0xf0 | cp >> 18));
        buf_putc(b, (char)(0x80 | ((cp >> 12) & 0x3f)));
        buf_putc(b, (char)(0x80 | ((cp >> 6) & 0x3f)));
        buf_putc(b, (char)(0x80 | (cp & 0x3f)));
    }
}

static int hex_value(const unsigned char *p, int n, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < n; i++) {
        unsigned char c = p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0)
            return -1;
        v = v << 4 | (uint32_t)d;
    }
    *out = v;
    return 0;
}

/* Protocol 0's UNICODE argument is raw-unicode-escape: each byte is the
 * code point of that value (Latin-1), except \uXXXX and \UXXXXXXXX. */
static char *raw_unicode_escape(const unsigned char *p, size_t n, size_t *out_len)
{
    struct buf b = { 0 };
    buf_puts(&b, "");
    for (size_t i = 0; i < n; i++) {
        uint32_t cp;
        if (p[i] == '\\' && i + 6 <= n && p[i + 1] == 'u' && hex_value(p + i + 2, 4, &cp) == 0) {
            put_utf8(&b, cp);
            i += 5;
        } else if (p[i] == '\\' && i + 10 <= n && p[i + 1] == 'U' && hex_value(p + i + 2, 8, &cp) == 0 &&
                   cp <= 0x10ffff) {
            put_utf8(&b, cp);
            i += 9;
        } else {
            put_utf8(&b, p[i]);
        }
    }
    *out_len = b.len;
    return buf_detach(&b);
}

int suite_pickle_string(const unsigned char *p, size_t n, char **out, size_t *out_len, char *why,
                        size_t why_len)
{
    *out = NULL;
    *out_len = 0;
    char *str = NULL;
    size_t str_len = 0;
    int pushed = 0;
    size_t i = 0;
#define NEED(k, what)                                                                              \
    do {                                                                                           \
        if ((uint64_t)(k) > n - i) {                                                               \
            free(str);                                                                             \
            return fail(why, why_len, "pickle ends inside %s at byte %zu", what, i);              \
        }                                                                                          \
    } while (0)
    while (i < n) {
        unsigned char op = p[i];
        size_t at = i++;
        uint64_t len = 0;
        int width = 0;
        switch (op) {
        case OP_PROTO:
            NEED(1, "PROTO");
            if (p[i] > 5) {
                free(str);
                return fail(why, why_len, "pickle protocol %d is newer than 5", p[i]);
            }
            i += 1;
            continue;
        case OP_FRAME:                  /* frames only group opcodes: read through */
            NEED(8, "FRAME");
            i += 8;
            continue;
        case OP_MEMOIZE:
        case OP_BINPUT:
        case OP_LONG_BINPUT:
        case OP_PUT:
            if (!pushed) {
                free(str);
                return fail(why, why_len, "pickle memo opcode at byte %zu with nothing to remember", at);
            }
            if (op == OP_BINPUT) {
                NEED(1, "BINPUT");
                i += 1;
            } else if (op == OP_LONG_BINPUT) {
                NEED(4, "LONG_BINPUT");
                i += 4;
            } else if (op == OP_PUT) {
                const unsigned char *nl = memchr(p + i, '\n', n - i);
                if (!nl) {
                    free(str);
                    return fail(why, why_len, "pickle PUT at byte %zu has no end of line", at);
                }
                i = (size_t)(nl - p) + 1;
            }
            continue;
        case OP_STOP:
            if (pushed != 1) {
                free(str);
                return fail(why, why_len, "pickle holds %d strings, not one", pushed);
            }
            if (i != n) {
                free(str);
                return fail(why, why_len, "%zu bytes after the pickle's STOP", n - i);
            }
            *out = str;
            *out_len = str_len;
            return 0;
        case OP_SHORT_BINUNICODE: case OP_SHORT_BINBYTES: case OP_SHORT_BINSTRING:
            width = 1;
            break;
        case OP_BINUNICODE: case OP_BINBYTES: case OP_BINSTRING:
            width = 4;
            break;
        case OP_BINUNICODE8: case OP_BINBYTES8:
            width = 8;
            break;
        case OP_UNICODE: {
            const unsigned char *nl = memchr(p + i, '\n', n - i);
            if (!nl) {
                free(str);
                return fail(why, why_len, "pickle UNICODE at byte %zu has no end of line", at);
            }
            if (!pushed++)            /* a second value is refused at STOP, or by its opcode */
                str = raw_unicode_escape(p + i, (size_t)(nl - (p + i)), &str_len);
            i = (size_t)(nl - p) + 1;
            continue;
        }
        default: {
            const char *name = op_name(op);
            free(str);
            if (name)
                return fail(why, why_len, "pickle opcode 0x%02x (%s) at byte %zu: benchai reads only a pickled "
                            "string, the form LiveCodeBench's releases use", op, name, at);
            return fail(why, why_len, "pickle opcode 0x%02x at byte %zu: benchai reads only a pickled string, "
                        "the form LiveCodeBench's releases use", op, at);
        }
        }
        NEED(width, "a string length");
        len = le(p + i, width);
        i += (size_t)width;
        NEED(len, "a string");
        if (!pushed++) {
            str = xmalloc((size_t)len + 1);
            memcpy(str, p + i, (size_t)len);
            str[len] = '\0';
            str_len = (size_t)len;
        }
        i += (size_t)len;
    }
#undef NEED
    free(str);
    return fail(why, why_len, "pickle without STOP (%zu bytes)", n);
}
