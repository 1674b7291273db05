/* json_py.c - see json_py.h. Follows CPython 3.11 Modules/_json.c
 * (scan_once_unicode, _match_number_unicode, scanstring_unicode,
 * _parse_object_unicode, _parse_array_unicode) and Lib/json/decoder.py
 * (the BOM check, the [ \t\n\r]* around the value). */
#include "score/json_py.h"

#include <stdlib.h>
#include <string.h>

#include "score/text.h"
#include "util/utf8.h"

#define MAX_INT_DIGITS 4300

static int ws(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
static int dig(char c) { return c >= '0' && c <= '9'; }
static int hex(char c)
{
    return dig(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static size_t skip_ws(const char *s, size_t n, size_t i)
{
    while (i < n && ws(s[i]))
        i++;
    return i;
}

/* A string whose opening quote is at s[i - 1]: returns the index after
 * the closing quote, or 0. Raw characters below U+0020 are refused
 * (strict); escapes are \" \\ \/ \b \f \n \r \t and \u with four hex
 * digits (any value, surrogates alone included). The pairing of
 * surrogates only changes the value, never the validity. */
static size_t scan_string(const char *s, size_t n, size_t i)
{
    for (;;) {
        while (i < n && s[i] != '"' && s[i] != '\\') {
            if ((unsigned char)s[i] < 0x20)
                return 0;
            i++;
        }
        if (i >= n)
            return 0;
        if (s[i] == '"')
            return i + 1;
        i++;                               /* the backslash */
        if (i >= n)
            return 0;
        char c = s[i];
        if (c == 'u') {
            /* _json.c: `end = next + 4; if (end >= len) error` */
            if (i + 1 + 4 >= n)
                return 0;
            for (size_t k = i + 1; k < i + 5; k++)
                if (!hex(s[k]))
                    return 0;
            i += 5;
        } else if (strchr("\"\\/bfnrt", c) && c) {
            i++;
        } else {
            return 0;
        }
    }
}

/* _match_number_unicode: returns the index after the number, 0 if none. */
static size_t scan_number(const char *s, size_t n, size_t i)
{
    size_t start = i;
    if (s[i] == '-') {
        i++;
        if (i >= n)
            return 0;
    }
    size_t int_start = i;
    if (s[i] >= '1' && s[i] <= '9') {
        i++;
        while (i < n && dig(s[i]))
            i++;
    } else if (s[i] == '0') {
        i++;
    } else {
        return 0;
    }
    size_t int_digits = i - int_start;
    int is_float = 0;
    if (i + 1 < n && s[i] == '.' && dig(s[i + 1])) {
        is_float = 1;
        i += 2;
        while (i < n && dig(s[i]))
            i++;
    }
    if (i + 1 < n && (s[i] == 'e' || s[i] == 'E')) {
        size_t e_start = i++;
        if (i + 1 < n && (s[i] == '-' || s[i] == '+'))
            i++;
        while (i < n && dig(s[i]))
            i++;
        if (dig(s[i - 1]))
            is_float = 1;
        else
            i = e_start;
    }
    /* int(): Python 3.11 refuses more than 4300 digits (a ValueError) */
    if (!is_float && int_digits > MAX_INT_DIGITS)
        return 0;
    (void)start;
    return i;
}

static int match_word(const char *s, size_t n, size_t i, const char *w)
{
    size_t l = strlen(w);
    return i + l <= n && !memcmp(s + i, w, l);
}

/* scan_once_unicode without recursion: containers are kept on a stack of
 * their kinds ('{' / '['). Returns the index after the value, or 0. */
static size_t scan_value(const char *s, size_t n, size_t i)
{
    char *stack = NULL;
    size_t depth = 0, cap = 0;
    size_t r = 0;
    for (;;) {
        /* a value at i */
        if (i >= n)
            goto done;
        char c = s[i];
        size_t end = 0;
        if (c == '"') {
            end = scan_string(s, n, i + 1);
        } else if (c == '{' || c == '[') {
            XGROW(stack, depth + 1, cap);
            stack[depth++] = c;
            i = skip_ws(s, n, i + 1);
            if (c == '{') {
                if (i < n && s[i] == '}') {
                    depth--;
                    end = i + 1;
                } else {
                    /* a key */
                    if (i >= n || s[i] != '"' || !(i = scan_string(s, n, i + 1)))
                        goto done;
                    i = skip_ws(s, n, i);
                    if (i >= n || s[i] != ':')
                        goto done;
                    i = skip_ws(s, n, i + 1);
                    continue;
                }
            } else {
                if (i < n && s[i] == ']') {
                    depth--;
                    end = i + 1;
                } else {
                    continue;
                }
            }
        } else if (c == 'n' && match_word(s, n, i, "null")) {
            end = i + 4;
        } else if (c == 't' && match_word(s, n, i, "true")) {
            end = i + 4;
        } else if (c == 'f' && match_word(s, n, i, "false")) {
            end = i + 5;
        } else if (c == 'N' && match_word(s, n, i, "NaN")) {
            end = i + 3;
        } else if (c == 'I' && match_word(s, n, i, "Infinity")) {
            end = i + 8;
        } else if (c == '-' && match_word(s, n, i, "-Infinity")) {
            end = i + 9;
        } else {
            end = scan_number(s, n, i);
        }
        if (!end)
            goto done;
        i = end;
        /* after a value: close containers or go on to the next member */
        for (;;) {
            if (!depth) {
                r = i;
                goto done;
            }
            i = skip_ws(s, n, i);
            char k = stack[depth - 1];
            if (k == '{') {
                if (i < n && s[i] == '}') {
                    depth--;
                    i++;
                    continue;
                }
                if (i >= n || s[i] != ',')
                    goto done;
                i = skip_ws(s, n, i + 1);
                if (i >= n || s[i] != '"' || !(i = scan_string(s, n, i + 1)))
                    goto done;
                i = skip_ws(s, n, i);
                if (i >= n || s[i] != ':')
                    goto done;
                i = skip_ws(s, n, i + 1);
                break;
            } else {
                if (i < n && s[i] == ']') {
                    depth--;
                    i++;
                    continue;
                }
                if (i >= n || s[i] != ',')
                    goto done;
                i = skip_ws(s, n, i + 1);
                break;
            }
        }
    }
done:
    free(stack);
    return r;
}

int json_py_valid(const char *s, size_t n)
{
    if (n >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3))
        return 0;                      /* "Unexpected UTF-8 BOM" */
    size_t i = skip_ws(s, n, 0);
    size_t end = scan_value(s, n, i);
    if (!end)
        return 0;
    return skip_ws(s, n, end) == n;
}

size_t json_py_string(const char *s, size_t n, struct buf *out)
{
    if (!n || s[0] != '"')
        return 0;
    size_t end = scan_string(s, n, 1);
    if (!end)
        return 0;
    for (size_t i = 1; i < end - 1;) {
        if (s[i] != '\\') {
            size_t j = i;
            while (j < end - 1 && s[j] != '\\')
                j++;
            buf_append(out, s + i, j - i);
            i = j;
            continue;
        }
        char c = s[i + 1];
        if (c != 'u') {
            static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
            buf_putc(out, to[strchr(from, c) - from]);
            i += 2;
            continue;
        }
        uint32_t cp = (uint32_t)strtoul((char[]){ s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0 },
                                        NULL, 16);
        i += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF && i + 6 <= end - 1 && s[i] == '\\' && s[i + 1] == 'u') {
            uint32_t lo = (uint32_t)strtoul(
                (char[]){ s[i + 2], s[i + 3], s[i + 4], s[i + 5], 0 }, NULL, 16);
            if (lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            }
        }
        if (cp >= 0xD800 && cp <= 0xDFFF)
            cp = 0xFFFD;
        char u[4];
        buf_append(out, u, utf8_put(cp, u));
    }
    if (!out->data)
        buf_append(out, "", 0);
    return end;
}

int json_py_member_string(const char *s, size_t n, const char *key, struct buf *out)
{
    size_t i = skip_ws(s, n, 0), kl = strlen(key);
    if (i >= n || s[i] != '{')
        return 0;
    i = skip_ws(s, n, i + 1);
    while (i < n && s[i] == '"') {
        struct buf k = {0};
        size_t used = json_py_string(s + i, n - i, &k);
        if (!used) {
            buf_free(&k);
            return 0;
        }
        int same = k.len == kl && !memcmp(k.data, key, kl);
        buf_free(&k);
        i = skip_ws(s, n, i + used);
        if (i >= n || s[i] != ':')
            return 0;
        i = skip_ws(s, n, i + 1);
        if (same) {
            if (i >= n || s[i] != '"')
                return 0;
            buf_reset(out);
            return json_py_string(s + i, n - i, out) ? 1 : 0;
        }
        size_t end = scan_value(s, n, i);
        if (!end)
            return 0;
        i = skip_ws(s, n, end);
        if (i >= n || s[i] != ',')
            return 0;
        i = skip_ws(s, n, i + 1);
    }
    return 0;
}
