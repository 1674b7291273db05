/* utf8.c - the strict UTF-8 decoder, the encoder of one code point and
 * the repair that replaces invalid sequences with U+FFFD (see utf8.h). */
#include "util/utf8.h"
#include "util/mem.h"

#include <string.h>

size_t utf8_next(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v;
    unsigned char lo = 0x80, hi = 0xBF;   /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2;
        v = c & 0x0F;
        if (c == 0xE0)
            lo = 0xA0;                    /* no overlong forms */
        else if (c == 0xED)
            hi = 0x9F;                    /* no surrogates */
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3;
        v = c & 0x07;
        if (c == 0xF0)
            lo = 0x90;
        else if (c == 0xF4)
            hi = 0x8F;                    /* nothing above U+10FFFF */
    } else {
        *cp = UTF8_INVALID;
        return 1;
    }
    size_t i = 1;
    for (; i <= need; i++) {
        if (i >= n) {
            *cp = UTF8_INVALID;
            return i;
        }
        unsigned char b = s[i];
        unsigned char bl = i == 1 ? lo : 0x80, bh = i == 1 ? hi : 0xBF;
        if (b < bl || b > bh) {
            *cp = UTF8_INVALID;
            return i;
        }
        v = (v << 6) | (b & 0x3F);
    }
    *cp = v;
    return i;
}

size_t utf8_put(uint32_t cp, char *out)
{
    unsigned char *o = (unsigned char *)out;
    if (cp < 0x80) {
        o[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        o[0] = (unsigned char)(0xC0 | (cp >> 6));
        o[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        o[0] = (unsigned char)(0xE0 | (cp >> 12));
        o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        o[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    o[0] = (unsigned char)(0xF0 | (cp >> 18));
    o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    o[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

int utf8_is_clean(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        if ((unsigned char)s[i] < 0x80) {       /* the common case, byte by byte */
            if (!s[i])
                return 0;
            i++;
            continue;
        }
        uint32_t cp;
        i += utf8_next(s + i, n - i, &cp);
        if (cp == UTF8_INVALID)
            return 0;
    }
    return 1;
}

char *utf8_repair(const char *s, size_t n, size_t *n_replaced)
{
    size_t bad = 0;
    if (utf8_is_clean(s, n)) {
        if (n_replaced)
            *n_replaced = 0;
        return xstrndup(s, n);
    }
    struct buf b = {0};
    size_t i = 0;
    while (i < n) {
        uint32_t cp;
        size_t k = utf8_next(s + i, n - i, &cp);
        if (cp == UTF8_INVALID || cp == 0) {
            buf_append(&b, "\xEF\xBF\xBD", 3);
            bad++;
        } else {
            buf_append(&b, s + i, k);
        }
        i += k;
    }
    if (n_replaced)
        *n_replaced = bad;
    return buf_detach(&b);
}
