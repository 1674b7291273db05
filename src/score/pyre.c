/* pyre.c - see pyre.h. The parser follows Python 3.11's re/_parser.py
 * (what it accepts, its errors) and the matching rules of re/_compiler.py
 * and _sre (how IGNORECASE, categories and anchors match); each construct
 * is emitted as PCRE2 syntax with exactly that meaning. */
#include "score/pyre.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/unicode_py.h"

#define MAXCP 0x110000u

/* ---- sets of code points ------------------------------------------------ */

/* A class member as _parser.py records it. */
enum mkind { M_LIT, M_RANGE, M_CAT };
enum cat { C_DIGIT, C_NOT_DIGIT, C_SPACE, C_NOT_SPACE, C_WORD, C_NOT_WORD };
struct member {
    enum mkind kind;
    uint32_t a, b;          /* literal a, range a..b, category a */
};

static int is_ascii_alnum(uint32_t c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int cat_test(uint32_t cat, uint32_t c, int ascii)
{
    int r;
    switch (cat & ~1u) {
    case C_DIGIT:
        r = ascii ? (c >= '0' && c <= '9') : (unicode_py_flags(c) & PY_DIGIT) != 0;
        break;
    case C_SPACE:
        r = ascii ? (c == ' ' || (c >= 9 && c <= 13)) : (unicode_py_flags(c) & PY_SPACE) != 0;
        break;
    default:
        r = ascii ? (is_ascii_alnum(c) || c == '_') : (unicode_py_flags(c) & PY_WORD) != 0;
        break;
    }
    return (cat & 1u) ? !r : r;
}

static uint32_t ascii_lower(uint32_t c) { return c >= 'A' && c <= 'Z' ? c + 32 : c; }
static int ascii_iscased(uint32_t c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* Emits a PCRE2 class holding exactly the code points for which in[]
 * (a bitmap over 0..0x10FFFF) is set; surrogates never match anyway. */
static void emit_bitmap(struct buf *out, const unsigned char *in)
{
    size_t start = out->len;
    buf_putc(out, '[');
    int any = 0;
    for (uint32_t c = 0; c < MAXCP;) {
        if (!(in[c >> 3] & (1u << (c & 7))) || (c >= 0xD800 && c <= 0xDFFF)) {
            c++;
            continue;
        }
        uint32_t e = c;
        while (e + 1 < MAXCP && (in[(e + 1) >> 3] & (1u << ((e + 1) & 7))) &&
               !(e + 1 >= 0xD800 && e + 1 <= 0xDFFF))
            e++;
        if (e == c)
            buf_printf(out, "\\x{%x}", c);
        else
            buf_printf(out, "\\x{%x}-\\x{%x}", c, e);
        any = 1;
        c = e + 1;
    }
    if (!any) {
        out->len = start;
        out->data[start] = 0;
        buf_puts(out, "(?!)");
        return;
    }
    buf_putc(out, ']');
}

/* The characters s with lower(s) == v, for every v: Python's lower-case
 * mapping inverted, built once (most characters map to themselves). */
struct inv_entry { uint32_t v, s; };
static struct inv_entry *inv;
static size_t n_inv;
static pthread_once_t inv_once = PTHREAD_ONCE_INIT;

static int inv_cmp(const void *a, const void *b)
{
    const struct inv_entry *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->s > y->s) - (x->s < y->s);
}

static void build_inv(void)
{
    size_t cap = 0;
    for (uint32_t c = 0; c < MAXCP; c++) {
        uint32_t l = unicode_py_lower(c);
        if (l != c) {
            XGROW(inv, n_inv + 1, cap);
            inv[n_inv].v = l;
            inv[n_inv].s = c;
            n_inv++;
        }
    }
    qsort(inv, n_inv, sizeof *inv, inv_cmp);
}

/* The characters s with lower(s) == v (at most max), into out. */
static size_t lowers_of(uint32_t v, uint32_t *out, size_t max)
{
    pthread_once(&inv_once, build_inv);
    size_t k = 0;
    if (unicode_py_lower(v) == v && k < max)
        out[k++] = v;
    size_t lo = 0, hi = n_inv;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (inv[mid].v < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n_inv && inv[lo].v == v && k < max; lo++)
        out[k++] = inv[lo].s;
    return k;
}

static void emit_cp(struct buf *out, uint32_t c)
{
    if (is_ascii_alnum(c) || c == '_' || c == ' ')
        buf_putc(out, (char)c);
    else
        buf_printf(out, "\\x{%x}", c);
}

/* Blocks of 128 code points that are one record of the table with no case
 * mapping: a class's test gives the same answer over the whole block
 * unless one of its own boundaries falls inside. Classes are evaluated a
 * block at a time where that holds (a scan of every code point per class
 * would make patterns with classes slow to translate). */
static unsigned char uniform[MAXCP / 128];
static pthread_once_t uniform_once = PTHREAD_ONCE_INIT;

static void build_uniform(void)
{
    for (uint32_t b = 0; b < MAXCP / 128; b++) {
        const struct unicode_py_record *r0 = unicode_py_rec(b * 128);
        int u = r0->lower == 0 && r0->upper == 0;
        for (uint32_t c = b * 128 + 1; c < b * 128 + 128 && u; c++)
            u = unicode_py_rec(c) == r0;
        uniform[b] = (unsigned char)u;
    }
}

/* Does a literal, or a range's first or last code point, lie inside
 * [lo, hi] so that membership changes within it? */
static int member_boundary(const struct member *ms, size_t n, uint32_t lo, uint32_t hi)
{
    for (size_t i = 0; i < n; i++) {
        const struct member *m = &ms[i];
        if (m->kind == M_LIT && m->a >= lo && m->a <= hi)
            return 1;
        if (m->kind == M_RANGE && ((m->a > lo && m->a <= hi) || (m->b >= lo && m->b < hi)))
            return 1;
    }
    return 0;
}

static void set_block(unsigned char *set, uint32_t c0)
{
    memset(set + c0 / 8, 0xFF, 16);
}

/* ---- the translator ----------------------------------------------------- */

struct tr {
    const char *p;
    size_t n, i;
    unsigned flags;
    struct buf out;
    int groups;               /* groups opened so far */
    int *closed;              /* closed[g] for g in 1..groups */
    size_t closed_cap;
    char **names;             /* names[g] or NULL */
    struct bai_error *err;
    int failed;
};

static int fail(struct tr *t, const char *msg)
{
    if (!t->failed)
        bai_error_set(t->err, BAI_EXIT_USAGE, "%s at position %zu", msg, t->i);
    t->failed = 1;
    return -1;
}

static int at_end(struct tr *t) { return t->i >= t->n; }

static uint32_t peek(struct tr *t, size_t *adv)
{
    if (at_end(t)) {
        *adv = 0;
        return (uint32_t)-1;
    }
    return score_utf8_next(t->p + t->i, t->n - t->i, adv);
}

static uint32_t get(struct tr *t)
{
    size_t adv;
    uint32_t c = peek(t, &adv);
    t->i += adv;
    return c;
}

static int match(struct tr *t, char c)
{
    if (!at_end(t) && t->p[t->i] == c) {
        t->i++;
        return 1;
    }
    return 0;
}

static int hexval(uint32_t c)
{
    if (c >= '0' && c <= '9') return (int)(c - '0');
    if (c >= 'a' && c <= 'f') return (int)(c - 'a' + 10);
    if (c >= 'A' && c <= 'F') return (int)(c - 'A' + 10);
    return -1;
}

/* up to max hex digits; returns the count read */
static int get_hex(struct tr *t, int max, uint32_t *v)
{
    int k = 0;
    *v = 0;
    while (k < max && !at_end(t) && hexval((unsigned char)t->p[t->i]) >= 0) {
        *v = *v * 16 + (uint32_t)hexval((unsigned char)t->p[t->i]);
        t->i++;
        k++;
    }
    return k;
}

static int is_oct(struct tr *t)
{
    return !at_end(t) && t->p[t->i] >= '0' && t->p[t->i] <= '7';
}

static int is_dig(struct tr *t)
{
    return !at_end(t) && t->p[t->i] >= '0' && t->p[t->i] <= '9';
}

/* The escapes both contexts share (\x, \u, \U, \N); 1 handled, 0 not
 * one of them, -1 error. */
static int common_escape(struct tr *t, uint32_t c, uint32_t *lit)
{
    uint32_t v;
    switch (c) {
    case 'x':
        if (get_hex(t, 2, &v) != 2)
            return fail(t, "incomplete escape \\x");
        *lit = v;
        return 1;
    case 'u':
        if (get_hex(t, 4, &v) != 4)
            return fail(t, "incomplete escape \\u");
        *lit = v;
        return 1;
    case 'U':
        if (get_hex(t, 8, &v) != 8)
            return fail(t, "incomplete escape \\U");
        if (v > 0x10FFFF)
            return fail(t, "bad escape \\U");
        *lit = v;
        return 1;
    case 'N':
        return fail(t, "\\N{...} escapes are not supported");
    }
    return 0;
}

static int simple_escape(uint32_t c, uint32_t *lit)
{
    switch (c) {
    case 'a': *lit = 7; return 1;
    case 'f': *lit = 12; return 1;
    case 'n': *lit = 10; return 1;
    case 'r': *lit = 13; return 1;
    case 't': *lit = 9; return 1;
    case 'v': *lit = 11; return 1;
    case '\\': *lit = '\\'; return 1;
    }
    return 0;
}

static int cat_of(uint32_t c)
{
    switch (c) {
    case 'd': return C_DIGIT;
    case 'D': return C_NOT_DIGIT;
    case 's': return C_SPACE;
    case 'S': return C_NOT_SPACE;
    case 'w': return C_WORD;
    case 'W': return C_NOT_WORD;
    }
    return -1;
}

/* An escape inside [...] (_parser._class_escape): a literal (1) or a
 * category (2), -1 on error. */
static int class_escape(struct tr *t, struct member *m)
{
    if (at_end(t))
        return fail(t, "bad escape (end of pattern)");
    uint32_t c = get(t), lit;
    if (c == 'b') {
        m->kind = M_LIT;
        m->a = 8;
        return 1;
    }
    if (simple_escape(c, &lit)) {
        m->kind = M_LIT;
        m->a = lit;
        return 1;
    }
    int k = cat_of(c);
    if (k >= 0) {
        m->kind = M_CAT;
        m->a = (uint32_t)k;
        return 2;
    }
    int r = common_escape(t, c, &lit);
    if (r < 0)
        return -1;
    if (r == 0 && c >= '0' && c <= '7') {
        lit = c - '0';
        for (int k2 = 0; k2 < 2 && is_oct(t); k2++)
            lit = lit * 8 + (uint32_t)(t->p[t->i++] - '0');
        if (lit > 0377)
            return fail(t, "octal escape value outside of range 0-0o377");
        r = 1;
    }
    if (r == 0) {
        if (c < 0x80 && is_ascii_alnum(c))
            return fail(t, "bad escape");
        lit = c;
    }
    m->kind = M_LIT;
    m->a = lit;
    return 1;
}

/* Does code point c match the class as written (no IGNORECASE)? */
static int class_test(const struct member *ms, size_t n, int negate, int ascii, uint32_t c)
{
    int in = 0;
    for (size_t i = 0; i < n && !in; i++) {
        const struct member *m = &ms[i];
        if (m->kind == M_LIT)
            in = c == m->a;
        else if (m->kind == M_RANGE)
            in = c >= m->a && c <= m->b;
        else
            in = cat_test(m->a, c, ascii);
    }
    return in != negate;
}

/* The class [...]: parsed as _parser.py does, then turned into the set of
 * code points _sre would accept, emitted as a PCRE2 class. */
static int parse_class(struct tr *t)
{
    struct member *ms = NULL;
    size_t n = 0, cap = 0;
    int negate = match(t, '^');
    for (;;) {
        if (at_end(t)) {
            free(ms);
            return fail(t, "unterminated character set");
        }
        uint32_t c = get(t);
        struct member m1 = { M_LIT, c, 0 };
        int k1 = 1;
        if (c == ']' && n)
            break;
        if (c == '\\') {
            k1 = class_escape(t, &m1);
            if (k1 < 0) {
                free(ms);
                return -1;
            }
        }
        if (match(t, '-')) {
            if (at_end(t)) {
                free(ms);
                return fail(t, "unterminated character set");
            }
            uint32_t d = get(t);
            if (d == ']') {
                XGROW(ms, n + 2, cap);
                ms[n++] = m1;
                ms[n++] = (struct member){ M_LIT, '-', 0 };
                break;
            }
            struct member m2 = { M_LIT, d, 0 };
            int k2 = 1;
            if (d == '\\') {
                k2 = class_escape(t, &m2);
                if (k2 < 0) {
                    free(ms);
                    return -1;
                }
            }
            if (k1 != 1 || k2 != 1 || m2.a < m1.a) {
                free(ms);
                return fail(t, "bad character range");
            }
            XGROW(ms, n + 1, cap);
            ms[n++] = (struct member){ M_RANGE, m1.a, m2.a };
        } else {
            XGROW(ms, n + 1, cap);
            ms[n++] = m1;
        }
    }
    unsigned flags = t->flags;
    int ascii = (flags & PYRE_A) != 0;
    int ic = (flags & PYRE_I) != 0;
    unsigned char *set = xcalloc(MAXCP / 8, 1);
    int hascased = 0;
    if (ic) {
        /* _compiler._optimize_charset: literals and ranges are lowered into
         * a BMP map (plus re._casefix's equivalents); what lowers beyond
         * the BMP stays as the literal itself or as a RANGE_UNI_IGNORE,
         * and categories are tested on the lowered subject character. */
        unsigned char *map = xcalloc(0x10000 / 8, 1);
        struct member *tail = NULL;
        size_t nt = 0, tcap = 0;
        for (size_t i = 0; i < n; i++) {
            const struct member *m = &ms[i];
            if (m->kind == M_CAT) {
                XGROW(tail, nt + 1, tcap);
                tail[nt++] = *m;
                continue;
            }
            uint32_t a = m->a, b = m->kind == M_RANGE ? m->b : m->a;
            int overflow = 0;
            for (uint32_t x = a; x <= b; x++) {
                uint32_t lo = ascii ? ascii_lower(x) : unicode_py_lower(x);
                if (lo >= 0x10000) {
                    overflow = 1;
                    break;
                }
                map[lo >> 3] |= (unsigned char)(1u << (lo & 7));
                if (!ascii) {
                    const uint32_t *ex;
                    size_t ne = unicode_py_extra_cases_of(lo, &ex);
                    for (size_t e = 0; e < ne; e++)
                        map[ex[e] >> 3] |= (unsigned char)(1u << (ex[e] & 7));
                }
            }
            if (overflow) {
                hascased = 1;
                XGROW(tail, nt + 1, tcap);
                tail[nt++] = *m;
            } else if (!hascased) {
                for (uint32_t x = a; x <= b && !hascased; x++)
                    hascased = ascii ? ascii_iscased(x) : unicode_py_iscased_re(x);
            }
        }
        if (hascased) {
            pthread_once(&uniform_once, build_uniform);
            for (uint32_t blk = 0; blk < MAXCP / 128; blk++) {
                uint32_t c0 = blk * 128, c1 = c0 + 127;
                int plain = uniform[blk] && !member_boundary(tail, nt, c0, c1);
                if (plain && c0 < 0x10000) {
                    const unsigned char *mb = map + c0 / 8;
                    int all0 = 1, all1 = 1;
                    for (int k = 0; k < 16; k++) {
                        all0 &= mb[k] == 0;
                        all1 &= mb[k] == 0xFF;
                    }
                    plain = all0 || all1;
                }
                for (uint32_t c = c0; c <= c1; c++) {
                    uint32_t ch = ascii ? ascii_lower(c) : unicode_py_lower(c);
                    int in = ch < 0x10000 && (map[ch >> 3] & (1u << (ch & 7)));
                    for (size_t i = 0; i < nt && !in; i++) {
                        const struct member *m = &tail[i];
                        if (m->kind == M_CAT) {
                            in = cat_test(m->a, ch, ascii);
                        } else if (m->kind == M_LIT) {
                            in = ch == m->a;
                        } else {
                            uint32_t up = ascii ? ch : unicode_py_upper(ch);
                            in = (ch >= m->a && ch <= m->b) || (up >= m->a && up <= m->b);
                        }
                    }
                    if (in != negate) {
                        if (plain) {
                            set_block(set, c0);
                            break;
                        }
                        set[c >> 3] |= (unsigned char)(1u << (c & 7));
                    } else if (plain) {
                        break;
                    }
                }
            }
        }
        free(map);
        free(tail);
    }
    if (!hascased) {
        pthread_once(&uniform_once, build_uniform);
        for (uint32_t blk = 0; blk < MAXCP / 128; blk++) {
            uint32_t c0 = blk * 128, c1 = c0 + 127;
            /* with ASCII categories, a block past ASCII is uniform too */
            if ((uniform[blk] || (ascii && c0 >= 0x80)) && !member_boundary(ms, n, c0, c1)) {
                if (class_test(ms, n, negate, ascii, c0))
                    set_block(set, c0);
                continue;
            }
            for (uint32_t c = c0; c <= c1; c++)
                if (class_test(ms, n, negate, ascii, c))
                    set[c >> 3] |= (unsigned char)(1u << (c & 7));
        }
    }
    emit_bitmap(&t->out, set);
    free(set);
    free(ms);
    return 0;
}

/* A literal character, with IGNORECASE as _compiler.py compiles it: an
 * uncased one matches itself; otherwise any s with lower(s) equal to
 * lower(c) or to one of its re._casefix equivalents. */
static void emit_literal(struct tr *t, uint32_t c)
{
    if (c >= 0xD800 && c <= 0xDFFF) {
        /* a lone surrogate (\ud800): valid in a Python pattern, never in
         * UTF-8 text, and refused by PCRE2 */
        buf_puts(&t->out, "(?:(?!))");
        return;
    }
    if (!(t->flags & PYRE_I)) {
        emit_cp(&t->out, c);
        return;
    }
    if (t->flags & PYRE_A) {
        if (!ascii_iscased(c)) {
            emit_cp(&t->out, c);
            return;
        }
        uint32_t lo = ascii_lower(c);
        buf_printf(&t->out, "[%c%c]", (char)lo, (char)(lo - 32));
        return;
    }
    if (!unicode_py_iscased_re(c)) {
        emit_cp(&t->out, c);
        return;
    }
    uint32_t lo = unicode_py_lower(c);
    uint32_t vs[4];
    size_t nv = 0;
    vs[nv++] = lo;
    const uint32_t *ex;
    size_t ne = unicode_py_extra_cases_of(lo, &ex);
    for (size_t e = 0; e < ne && nv < 4; e++)
        vs[nv++] = ex[e];
    uint32_t members[64];
    size_t nm = 0;
    for (size_t v = 0; v < nv; v++)
        nm += lowers_of(vs[v], members + nm, 64 - nm);
    buf_putc(&t->out, '[');
    for (size_t i = 0; i < nm; i++)
        buf_printf(&t->out, "\\x{%x}", members[i]);
    buf_putc(&t->out, ']');
}

/* The classes of \s, \S (and, under ASCII, every category), built once. */
static char *cat_text[2][6];
static pthread_mutex_t cat_lock = PTHREAD_MUTEX_INITIALIZER;

static void emit_category(struct tr *t, int cat)
{
    int ascii = (t->flags & PYRE_A) != 0;
    if (!ascii && (cat == C_DIGIT || cat == C_NOT_DIGIT || cat == C_WORD || cat == C_NOT_WORD)) {
        /* PCRE2's UCP \d and \w are Python's (checked over every code
         * point by the differential test) */
        static const char *const names[] = { "\\d", "\\D", "", "", "\\w", "\\W" };
        buf_puts(&t->out, names[cat]);
        return;
    }
    pthread_mutex_lock(&cat_lock);
    if (!cat_text[ascii][cat]) {
        unsigned char *set = xcalloc(MAXCP / 8, 1);
        for (uint32_t c = 0; c < MAXCP; c++)
            if (!(c >= 0xD800 && c <= 0xDFFF) && cat_test((uint32_t)cat, c, ascii))
                set[c >> 3] |= (unsigned char)(1u << (c & 7));
        struct buf b = {0};
        emit_bitmap(&b, set);
        free(set);
        cat_text[ascii][cat] = buf_detach(&b);
    }
    buf_puts(&t->out, cat_text[ascii][cat]);
    pthread_mutex_unlock(&cat_lock);
}

static int parse_alt(struct tr *t, int depth, int first);

static int group_closed(struct tr *t, int g)
{
    return g >= 1 && g <= t->groups && t->closed[g];
}

static int name_lookup(struct tr *t, const char *name, size_t len)
{
    for (int g = 1; g <= t->groups; g++)
        if (t->names[g] && strlen(t->names[g]) == len && !memcmp(t->names[g], name, len))
            return g;
    return 0;
}

/* name.isidentifier() for the ASCII names PCRE2 could take; other names
 * are renamed away (groups are emitted unnamed), so any identifier works. */
static int is_identifier(const char *s, size_t n)
{
    if (!n)
        return 0;
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t c = score_utf8_next(s + i, n - i, &adv);
        unsigned f = unicode_py_flags(c);
        int ok = c == '_' || (f & PY_WORD);
        if (i == 0 && (f & PY_DIGIT))
            ok = 0;
        if (c < 0x80 && !(is_ascii_alnum(c) || c == '_'))
            ok = 0;
        if (!ok)
            return 0;
        i += adv;
    }
    return 1;
}

/* reads up to the terminator, returns the span (not including it) */
static int get_until(struct tr *t, char term, const char **s, size_t *len)
{
    size_t start = t->i;
    while (!at_end(t) && t->p[t->i] != term)
        t->i++;
    if (at_end(t))
        return fail(t, "missing terminator in group name");
    *s = t->p + start;
    *len = t->i - start;
    t->i++;
    if (!*len)
        return fail(t, "missing group name");
    return 0;
}

static int flag_of(uint32_t c)
{
    switch (c) {
    case 'i': return PYRE_I;
    case 'm': return PYRE_M;
    case 's': return PYRE_S;
    case 'x': return PYRE_X;
    case 'a': return PYRE_A;
    case 'u': return 32;
    case 'L': return 4;
    case 't': return 1;
    }
    return 0;
}

/* (?flags) or (?flags-flags: ...); returns 1 global, 0 scoped (and sets
 * *add / *del), -1 error. */
static int parse_flags(struct tr *t, uint32_t c, unsigned *add, unsigned *del)
{
    *add = *del = 0;
    if (c != '-') {
        for (;;) {
            int f = flag_of(c);
            if (f == 4)
                return fail(t, "bad inline flags: cannot use 'L' flag with a str pattern");
            *add |= (unsigned)f;
            if ((*add & PYRE_A) && (*add & 32))
                return fail(t, "bad inline flags: flags 'a', 'u' and 'L' are incompatible");
            if (at_end(t))
                return fail(t, "missing -, : or )");
            c = get(t);
            if (c == ')' || c == '-' || c == ':')
                break;
            if (!flag_of(c))
                return fail(t, "unknown flag");
        }
    }
    if (c == ')')
        return 1;
    if (*add & 1)
        return fail(t, "bad inline flags: cannot turn on global flag");
    if (c == '-') {
        if (at_end(t))
            return fail(t, "missing flag");
        c = get(t);
        if (!flag_of(c))
            return fail(t, "unknown flag");
        for (;;) {
            int f = flag_of(c);
            if (f == PYRE_A || f == 32 || f == 4)
                return fail(t, "bad inline flags: cannot turn off flags 'a', 'u' and 'L'");
            *del |= (unsigned)f;
            if (at_end(t))
                return fail(t, "missing :");
            c = get(t);
            if (c == ':')
                break;
            if (!flag_of(c))
                return fail(t, "unknown flag");
        }
    }
    if (*del & 1)
        return fail(t, "bad inline flags: cannot turn off global flag");
    if (*add & *del)
        return fail(t, "bad inline flags: flag turned on and off");
    return 0;
}

static void skip_verbose(struct tr *t)
{
    if (!(t->flags & PYRE_X))
        return;
    while (!at_end(t)) {
        char c = t->p[t->i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') {
            t->i++;
        } else if (c == '#') {
            while (!at_end(t) && t->p[t->i] != '\n')
                t->i++;
        } else {
            break;
        }
    }
}

static int open_group(struct tr *t, const char *name, size_t nlen)
{
    if (name && name_lookup(t, name, nlen))
        return fail(t, "redefinition of group name");
    t->groups++;
    XGROW(t->closed, (size_t)t->groups + 1, t->closed_cap);
    t->names = xrealloc(t->names, ((size_t)t->groups + 1) * sizeof *t->names);
    t->closed[t->groups] = 0;
    t->names[t->groups] = name ? xstrndup(name, nlen) : NULL;
    return t->groups;
}

/* A parenthesised construct; *atom says whether a quantifier may follow. */
static int parse_group(struct tr *t, int depth, int *atom, int first)
{
    *atom = 1;
    unsigned saved = t->flags;
    if (!match(t, '?')) {
        int g = open_group(t, NULL, 0);
        if (g < 0)
            return -1;
        buf_putc(&t->out, '(');
        if (parse_alt(t, depth + 1, 0) < 0)
            return -1;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated subpattern");
        buf_putc(&t->out, ')');
        t->closed[g] = 1;
        return 0;
    }
    if (at_end(t))
        return fail(t, "unexpected end of pattern");
    uint32_t c = get(t);
    const char *name;
    size_t nlen;
    if (c == 'P') {
        if (match(t, '<')) {
            if (get_until(t, '>', &name, &nlen) < 0)
                return -1;
            if (!is_identifier(name, nlen))
                return fail(t, "bad character in group name");
            int g = open_group(t, name, nlen);
            if (g < 0)
                return -1;
            buf_putc(&t->out, '(');
            if (parse_alt(t, depth + 1, 0) < 0)
                return -1;
            if (!match(t, ')'))
                return fail(t, "missing ), unterminated subpattern");
            buf_putc(&t->out, ')');
            t->closed[g] = 1;
            return 0;
        }
        if (match(t, '=')) {
            if (get_until(t, ')', &name, &nlen) < 0)
                return -1;
            if (!is_identifier(name, nlen))
                return fail(t, "bad character in group name");
            int g = name_lookup(t, name, nlen);
            if (!g)
                return fail(t, "unknown group name");
            if (!group_closed(t, g))
                return fail(t, "cannot refer to an open group");
            buf_printf(&t->out, (t->flags & PYRE_I) ? "(?i:\\g{%d})" : "\\g{%d}", g);
            return 0;
        }
        return fail(t, "unknown extension ?P");
    }
    if (c == ':' || c == '>') {
        buf_puts(&t->out, c == ':' ? "(?:" : "(?>");
        if (parse_alt(t, depth + 1, 0) < 0)
            return -1;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated subpattern");
        buf_putc(&t->out, ')');
        return 0;
    }
    if (c == '#') {
        while (!at_end(t) && t->p[t->i] != ')')
            t->i++;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated comment");
        *atom = -1;   /* nothing was added */
        return 0;
    }
    if (c == '=' || c == '!' || c == '<') {
        const char *open = c == '=' ? "(?=" : c == '!' ? "(?!" : NULL;
        if (c == '<') {
            if (at_end(t))
                return fail(t, "unexpected end of pattern");
            uint32_t d = get(t);
            if (d != '=' && d != '!')
                return fail(t, "unknown extension ?<");
            open = d == '=' ? "(?<=" : "(?<!";
        }
        buf_puts(&t->out, open);
        if (parse_alt(t, depth + 1, 0) < 0)
            return -1;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated subpattern");
        buf_putc(&t->out, ')');
        *atom = 2;      /* an assertion */
        return 0;
    }
    if (c == '(') {
        if (get_until(t, ')', &name, &nlen) < 0)
            return -1;
        int g;
        if (is_identifier(name, nlen)) {
            g = name_lookup(t, name, nlen);
            if (!g)
                return fail(t, "unknown group name");
        } else {
            g = 0;
            for (size_t k = 0; k < nlen; k++) {
                if (name[k] < '0' || name[k] > '9')
                    return fail(t, "bad character in group name");
                g = g * 10 + (name[k] - '0');
                if (g > 100000)
                    return fail(t, "invalid group reference");
            }
            if (!g)
                return fail(t, "bad group number");
        }
        buf_printf(&t->out, "(?(%d)", g);
        if (parse_alt(t, depth + 1, -1) < 0)
            return -1;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated subpattern");
        buf_putc(&t->out, ')');
        return 0;
    }
    if (flag_of(c) || c == '-') {
        unsigned add, del;
        int r = parse_flags(t, c, &add, &del);
        if (r < 0)
            return -1;
        if (r == 1) {
            if (!first)
                return fail(t, "global flags not at the start of the expression");
            t->flags |= add;
            *atom = -1;
            return 0;
        }
        t->flags = (t->flags | add) & ~del;
        if (add & PYRE_A)
            t->flags |= PYRE_A;
        buf_puts(&t->out, "(?:");
        if (parse_alt(t, depth + 1, 0) < 0)
            return -1;
        if (!match(t, ')'))
            return fail(t, "missing ), unterminated subpattern");
        buf_putc(&t->out, ')');
        t->flags = saved;
        return 0;
    }
    return fail(t, "unknown extension");
}

/* An escape outside a class (_parser._escape). *atom: 1 a repeatable
 * item, 0 an anchor. */
static int parse_escape(struct tr *t, int *atom)
{
    *atom = 1;
    if (at_end(t))
        return fail(t, "bad escape (end of pattern)");
    uint32_t c = get(t), lit;
    int ascii = (t->flags & PYRE_A) != 0;
    switch (c) {
    case 'A':
        *atom = 0;
        buf_puts(&t->out, "\\A");
        return 0;
    case 'Z':
        *atom = 0;
        buf_puts(&t->out, "\\z");
        return 0;
    case 'b':
    case 'B':
        *atom = 0;
        if (ascii) {
            const char *w = "[A-Za-z0-9_]";
            if (c == 'b')
                buf_printf(&t->out, "(?:(?<=%s)(?!%s)|(?<!%s)(?=%s))", w, w, w, w);
            else
                buf_printf(&t->out, "(?!\\A\\z)(?:(?<=%s)(?=%s)|(?<!%s)(?!%s))", w, w, w, w);
        } else {
            /* _sre: \B never matches in an empty string */
            buf_puts(&t->out, c == 'b' ? "\\b" : "(?!\\A\\z)\\B");
        }
        return 0;
    }
    int k = cat_of(c);
    if (k >= 0) {
        emit_category(t, k);
        return 0;
    }
    if (simple_escape(c, &lit)) {
        emit_literal(t, lit);
        return 0;
    }
    int r = common_escape(t, c, &lit);
    if (r < 0)
        return -1;
    if (r) {
        emit_literal(t, lit);
        return 0;
    }
    if (c == '0') {
        lit = 0;
        for (int k2 = 0; k2 < 2 && is_oct(t); k2++)
            lit = lit * 8 + (uint32_t)(t->p[t->i++] - '0');
        emit_literal(t, lit);
        return 0;
    }
    if (c >= '1' && c <= '9') {
        int group = (int)(c - '0');
        if (is_dig(t)) {
            uint32_t d = (uint32_t)(unsigned char)t->p[t->i++];
            if (c <= '7' && d <= '7' && is_oct(t)) {
                lit = ((c - '0') * 8 + (d - '0')) * 8 + (uint32_t)(t->p[t->i++] - '0');
                if (lit > 0377)
                    return fail(t, "octal escape value outside of range 0-0o377");
                emit_literal(t, lit);
                return 0;
            }
            group = group * 10 + (int)(d - '0');
        }
        if (group > t->groups)
            return fail(t, "invalid group reference");
        if (!group_closed(t, group))
            return fail(t, "cannot refer to an open group");
        buf_printf(&t->out, (t->flags & PYRE_I) ? "(?i:\\g{%d})" : "\\g{%d}", group);
        return 0;
    }
    if (c < 0x80 && is_ascii_alnum(c))
        return fail(t, "bad escape");
    emit_literal(t, c);
    return 0;
}

/* {m}, {m,}, {,n}, {m,n}, {,} at t->i (just after '{'): 1 and the bounds
 * when it is a repeat, 0 when '{' is a literal (position restored). */
static int parse_brace(struct tr *t, long *lo, long *hi, struct buf *text)
{
    size_t here = t->i;
    if (!at_end(t) && t->p[t->i] == '}')
        return 0;
    size_t a = t->i;
    while (is_dig(t))
        t->i++;
    size_t alen = t->i - a, b = t->i, blen = 0;
    int comma = match(t, ',');
    if (comma) {
        b = t->i;
        while (is_dig(t))
            t->i++;
        blen = t->i - b;
    }
    if (!match(t, '}')) {
        t->i = here;
        return 0;
    }
    *lo = alen ? strtol(t->p + a, NULL, 10) : 0;
    if (comma)
        *hi = blen ? strtol(t->p + b, NULL, 10) : -1;
    else
        *hi = *lo;
    if (alen > 9 || blen > 9)
        return fail(t, "the repetition number is too large");
    if (*hi >= 0 && *hi < *lo)
        return fail(t, "min repeat greater than max repeat");
    buf_reset(text);
    if (*hi < 0)
        buf_printf(text, "{%ld,}", *lo);
    else if (*hi == *lo && !comma)
        buf_printf(text, "{%ld}", *lo);
    else
        buf_printf(text, "{%ld,%ld}", *lo, *hi);
    return 1;
}

/* One branch. last: 0 nothing yet, 1 an item that may be repeated, 2 a
 * repeat, 3 an anchor, 4 a lookaround assertion (repeatable in Python). */
static int parse_seq(struct tr *t, int depth, int first)
{
    int last = 0;
    size_t last_mark = 0;
    struct buf q = {0};
    int any = 0;
    for (;;) {
        skip_verbose(t);
        if (at_end(t))
            break;
        char c = t->p[t->i];
        if (c == '|' || (c == ')' && depth > 0))
            break;
        if (c == ')') {
            buf_free(&q);
            return fail(t, "unbalanced parenthesis");
        }
        if (c == '*' || c == '+' || c == '?' || c == '{') {
            t->i++;
            long lo = 0, hi = 0;
            if (c == '{') {
                int r = parse_brace(t, &lo, &hi, &q);
                if (r < 0) {
                    buf_free(&q);
                    return -1;
                }
                if (r == 0) {
                    emit_literal(t, '{');
                    last = 1;
                    any = 1;
                    continue;
                }
            } else {
                buf_reset(&q);
                buf_putc(&q, c);
            }
            if (last == 0 || last == 3) {
                buf_free(&q);
                return fail(t, "nothing to repeat");
            }
            if (last == 2) {
                buf_free(&q);
                return fail(t, "multiple repeat");
            }
            if (last == 4) {
                /* a repeated assertion is zero-width: with a minimum of 0 it
                 * is optional, else it is the assertion once (PCRE2's own
                 * rules for quantified assertions differ) */
                int lazy_or_possessive = match(t, '?') || match(t, '+');
                (void)lazy_or_possessive;
                long min = c == '{' ? lo : c == '+' ? 1 : 0;
                if (min == 0) {
                    char *tmp = xstrndup(t->out.data + last_mark, t->out.len - last_mark);
                    t->out.len = last_mark;
                    buf_puts(&t->out, "(?:");
                    buf_puts(&t->out, tmp);
                    buf_puts(&t->out, ")?");
                    free(tmp);
                }
                last = 2;
                continue;
            }
            buf_append(&t->out, q.data, q.len);
            if (match(t, '?'))
                buf_putc(&t->out, '?');
            else if (match(t, '+'))
                buf_putc(&t->out, '+');
            last = 2;
            continue;
        }
        /* an atom: wrapped so a following quantifier applies to all of it */
        size_t mark = t->out.len;
        int atom = 1;
        t->i++;
        int r = 0;
        if (c == '(') {
            r = parse_group(t, depth, &atom, first && !any);
        } else if (c == '[') {
            r = parse_class(t);
        } else if (c == '.') {
            buf_puts(&t->out, (t->flags & PYRE_S) ? "(?s:.)" : "[^\\n]");
        } else if (c == '^') {
            buf_puts(&t->out, (t->flags & PYRE_M) ? "(?:\\A|(?<=\\n))" : "\\A");
            atom = 0;
        } else if (c == '$') {
            buf_puts(&t->out, (t->flags & PYRE_M) ? "(?=\\n|\\z)" : "(?=\\n?\\z)");
            atom = 0;
        } else if (c == '\\') {
            r = parse_escape(t, &atom);
        } else {
            t->i--;
            emit_literal(t, get(t));
        }
        if (r < 0) {
            buf_free(&q);
            return -1;
        }
        if (atom == -1) {          /* a comment or global flags: nothing */
            continue;
        }
        any = 1;
        if (atom == 1 && t->out.len - mark > 1 && t->out.data[mark] != '(' &&
            t->out.data[mark] != '[') {
            /* one item translated into several characters: grouped, so a
             * quantifier that follows applies to all of it */
            char *tmp = xstrndup(t->out.data + mark, t->out.len - mark);
            t->out.len = mark;
            buf_puts(&t->out, "(?:");
            buf_puts(&t->out, tmp);
            buf_putc(&t->out, ')');
            free(tmp);
        }
        last = atom == 1 ? 1 : atom == 2 ? 4 : 3;
        last_mark = mark;
    }
    buf_free(&q);
    return 0;
}

static int parse_alt(struct tr *t, int depth, int first)
{
    int branches = 0;
    for (;;) {
        if (parse_seq(t, depth, first == 1 && branches == 0) < 0)
            return -1;
        branches++;
        if (!match(t, '|'))
            break;
        if (first == -1 && branches >= 2)
            return fail(t, "conditional backref with more than two branches");
        buf_putc(&t->out, '|');
    }
    return 0;
}

char *score_pyre_translate(const char *pattern, unsigned flags, struct bai_error *err)
{
    struct tr t = { .p = pattern, .n = strlen(pattern), .flags = flags, .err = err };
    t.names = xcalloc(1, sizeof *t.names);
    XGROW(t.closed, 1, t.closed_cap);
    int r = parse_alt(&t, 0, 1);
    if (r == 0 && !at_end(&t))
        r = fail(&t, "unbalanced parenthesis");
    for (int g = 1; g <= t.groups; g++)
        free(t.names[g]);
    free(t.names);
    free(t.closed);
    if (r < 0) {
        buf_free(&t.out);
        return NULL;
    }
    if (!t.out.data)
        buf_append(&t.out, "", 0);
    return buf_detach(&t.out);
}

/* ---- compile, cache, match ---------------------------------------------- */

const pcre2_code *score_pyre_get(struct score_pyre *re)
{
    pcre2_code *c = __atomic_load_n(&re->code, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    struct bai_error err = {0};
    char *pcre = score_pyre_translate(re->pattern, re->flags, &err);
    if (!pcre || !(c = score_re_compile(pcre, PCRE2_UCP, &err))) {
        fprintf(stderr, "benchai: internal pattern /%s/: %s\n", re->pattern, err.msg);
        abort();
    }
    free(pcre);
    pcre2_code *expected = NULL;
    if (!__atomic_compare_exchange_n(&re->code, &expected, c, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        pcre2_code_free(c);
        return expected;
    }
    return c;
}

/* Translations are kept process-wide (a class under IGNORECASE costs a
 * scan of every code point); the compiled code is text.c's per thread. */
#define TR_CACHE 256
struct tr_entry {
    char *pattern;
    unsigned flags;
    char *pcre;               /* NULL: Python rejects it (msg holds why) */
    char msg[sizeof ((struct bai_error *)0)->msg];
};
static struct tr_entry tr_cache[TR_CACHE];
static unsigned tr_next;
static pthread_mutex_t tr_lock = PTHREAD_MUTEX_INITIALIZER;

const pcre2_code *score_pyre_cached(const char *pattern, unsigned flags, struct bai_error *err)
{
    char *pcre = NULL;
    int found = 0;
    pthread_mutex_lock(&tr_lock);
    for (unsigned i = 0; i < TR_CACHE; i++) {
        struct tr_entry *e = &tr_cache[i];
        if (e->pattern && e->flags == flags && !strcmp(e->pattern, pattern)) {
            found = 1;
            if (e->pcre)
                pcre = xstrdup(e->pcre);
            else
                bai_error_set(err, BAI_EXIT_USAGE, "%s", e->msg);
            break;
        }
    }
    pthread_mutex_unlock(&tr_lock);
    if (!found) {
        struct bai_error e2 = {0};
        pcre = score_pyre_translate(pattern, flags, &e2);
        if (!pcre)
            bai_error_set(err, BAI_EXIT_USAGE, "%s", e2.msg);
        pthread_mutex_lock(&tr_lock);
        struct tr_entry *e = &tr_cache[tr_next++ % TR_CACHE];
        free(e->pattern);
        free(e->pcre);
        e->pattern = xstrdup(pattern);
        e->flags = flags;
        e->pcre = pcre ? xstrdup(pcre) : NULL;
        snprintf(e->msg, sizeof e->msg, "%s", e2.msg);
        pthread_mutex_unlock(&tr_lock);
    }
    if (!pcre)
        return NULL;
    const pcre2_code *c = score_re_cached(pcre, PCRE2_UCP, err);
    free(pcre);
    return c;
}

int score_pyre_next(const pcre2_code *re, const char *s, size_t len, size_t *at,
                    int *prev_empty, size_t *mstart, size_t *mend)
{
    if (*at > len)
        return 0;
    size_t ov[2];
    int r = score_re_exec_opts(re, s, len, *at, *prev_empty ? PCRE2_NOTEMPTY_ATSTART : 0, ov, 1);
    if (r <= 0)
        return 0;
    *mstart = ov[0];
    *mend = ov[1];
    *prev_empty = ov[1] == ov[0];
    *at = ov[1];
    return 1;
}

size_t score_pyre_count(const pcre2_code *re, const char *s, size_t len)
{
    size_t count = 0, at = 0, a, b;
    int pe = 0;
    while (score_pyre_next(re, s, len, &at, &pe, &a, &b))
        count++;
    return count;
}

int score_pyre_search(const pcre2_code *re, const char *s, size_t len)
{
    size_t ov[2];
    return score_re_exec(re, s, len, 0, ov, 1) > 0;
}
