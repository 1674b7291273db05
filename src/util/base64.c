/* base64.c - RFC 4648 base64 encoding and a strict decoder that says where
 * the first bad character is (see base64.h). */
#include "util/base64.h"
#include "util/mem.h"

#include <stdint.h>
#include <stdlib.h>

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *base64_encode(const void *data, size_t n)
{
    const unsigned char *p = data;
    char *out = xmalloc(4 * ((n + 2) / 3) + 1), *o = out;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16 | (uint32_t)p[i + 1] << 8 | p[i + 2];
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    if (i < n) {
        uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0);
        *o++ = alphabet[v >> 18];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = i + 1 < n ? alphabet[(v >> 6) & 63] : '=';
        *o++ = '=';
    }
    *o = '\0';
    return out;
}

static int value_of(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+')
        return 62;
    if (c == '/')
        return 63;
    return -1;
}

unsigned char *base64_decode(const char *text, size_t len, size_t *n, size_t *bad_at)
{
    unsigned char *out = xmalloc(len / 4 * 3 + 4), *o = out;
    uint32_t acc = 0;
    int have = 0, pad = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)text[i];
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad++;
            if (have < 2 || have + pad > 4)
                goto bad_here;
            continue;
        }
        int v = value_of(c);
        if (v < 0 || pad)
            goto bad_here;
        acc = acc << 6 | (uint32_t)v;
        if (++have == 4) {
            *o++ = (unsigned char)(acc >> 16);
            *o++ = (unsigned char)(acc >> 8);
            *o++ = (unsigned char)acc;
            acc = 0;
            have = 0;
        }
        continue;
    bad_here:
        if (bad_at)
            *bad_at = i;
        free(out);
        return NULL;
    }
    if (have == 1) {             /* 6 bits cannot end a byte */
        if (bad_at)
            *bad_at = len;
        free(out);
        return NULL;
    }
    if (have == 2) {
        *o++ = (unsigned char)(acc >> 4);
    } else if (have == 3) {
        *o++ = (unsigned char)(acc >> 10);
        *o++ = (unsigned char)(acc >> 2);
    }
    *o = '\0';
    *n = (size_t)(o - out);
    return out;
}
