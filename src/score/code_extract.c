/* code_extract.c - the text side of the code scorer: extraction, program
 * assembly for each test form, report parsing and output comparison. */
#include "score/code.h"
#include "score/text.h"
#include "util/mem.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

int code_extract_mode_parse(const char *s)
{
    return s ? score_values_index(CODE_EXTRACT_NAMES, s) : CODE_EXTRACT_LAST;
}

struct span { const char *p; size_t n; };

/* Start of a fence line at s (line start): returns the fence char or 0. */
static char fence_at(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    if (!strncmp(s, "```", 3)) return '`';
    if (!strncmp(s, "~~~", 3)) return '~';
    return 0;
}

/* Collects fenced blocks into v (up to cap); returns the count. */
static size_t find_fences(const char *text, struct span *v, size_t cap)
{
    size_t n = 0;
    const char *s = text;
    while (*s) {
        char f = fence_at(s);
        if (!f) {
            const char *nl = strchr(s, '\n');
            if (!nl)
                break;
            s = nl + 1;
            continue;
        }
        const char *open = strstr(s, f == '`' ? "```" : "~~~");
        const char *body = strchr(open, '\n');         /* skip the tag line */
        if (!body)
            break;
        body++;
        const char *close = strstr(body, f == '`' ? "```" : "~~~");
        const char *end = close ? close : body + strlen(body);
        if (n < cap)
            v[n++] = (struct span){ body, (size_t)(end - body) };
        if (!close)
            break;
        s = close + 3;
        const char *nl = strchr(s, '\n');              /* rest of the closing line */
        s = nl ? nl + 1 : s + strlen(s);
    }
    return n;
}

static size_t find_code_tags(const char *text, struct span *v, size_t cap)
{
    size_t n = 0;
    const char *s = text;
    while ((s = strstr(s, "<code>"))) {
        s += 6;
        const char *e = strstr(s, "</code>");
        const char *end = e ? e : s + strlen(s);
        if (n < cap)
            v[n++] = (struct span){ s, (size_t)(end - s) };
        if (!e)
            break;
        s = e + 7;
    }
    return n;
}

static int blank(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)p[i]))
            return 0;
    return 1;
}

/* A fenced block inside <code> tags is the usual DebugBench answer too:
 * strip one level of fences from a tag's content. */
static char *unfence(struct span sp)
{
    char *t = xstrndup(sp.p, sp.n);
    struct span inner[1];
    if (find_fences(t, inner, 1) == 1 && !blank(inner[0].p, inner[0].n)) {
        char *u = xstrndup(inner[0].p, inner[0].n);
        free(t);
        return u;
    }
    return t;
}

char *code_extract(const char *response, enum code_extract_mode mode)
{
    if (!response)
        return NULL;
    struct span blocks[256];
    size_t n = 0;
    if (mode == CODE_EXTRACT_CODE_TAG) {
        n = find_code_tags(response, blocks, 256);
        for (size_t i = n; i-- > 0;)
            if (!blank(blocks[i].p, blocks[i].n))
                return unfence(blocks[i]);
    }
    n = find_fences(response, blocks, 256);
    if (n == 0 && mode != CODE_EXTRACT_CODE_TAG) {
        size_t t = find_code_tags(response, blocks, 256);
        for (size_t i = t; i-- > 0;)
            if (!blank(blocks[i].p, blocks[i].n))
                return unfence(blocks[i]);
    }
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        if (blank(blocks[i].p, blocks[i].n))
            continue;
        if (mode == CODE_EXTRACT_LONGEST ? (best < 0 || blocks[i].n > blocks[best].n) : 1)
            best = (long)i;
    }
    if (best >= 0)
        return xstrndup(blocks[best].p, blocks[best].n);
    if (mode == CODE_EXTRACT_RAW && !blank(response, strlen(response)))
        return xstrdup(response);
    return NULL;
}

/* Whether code defines `def name(` at the start of a line. */
static int defines(const char *code, const char *name)
{
    size_t len = strlen(name);
    for (const char *s = code; (s = strstr(s, "def ")); s += 4) {
        if (s != code && s[-1] != '\n')
            continue;
        const char *p = s + 4;
        while (*p == ' ')
            p++;
        if (!strncmp(p, name, len) && (p[len] == '(' || p[len] == ' '))
            return 1;
    }
    return 0;
}

char *code_humaneval_program(const char *prompt, const char *code, const char *entry_point)
{
    struct buf b = {0};
    buf_puts(&b, prompt ? prompt : "");
    if (defines(code, entry_point) && b.len && b.data[b.len - 1] != '\n')
        buf_putc(&b, '\n');
    if (defines(code, entry_point))
        buf_putc(&b, '\n');
    buf_puts(&b, code);
    buf_putc(&b, '\n');
    return buf_detach(&b);
}

char *code_python_asserts_program(const char *code, const char *setup)
{
    struct buf b = {0};
    buf_printf(&b, "%s\n\n", code);
    if (setup && *setup)                  /* after the code: setup may use it */
        buf_printf(&b, "%s\n", setup);
    return buf_detach(&b);
}

char *code_c_program(const char *harness, const char *code)
{
    if (!harness)
        return xstrdup(code);
    const char *m = strstr(harness, "/*SOLUTION*/");
    if (!m)
        return NULL;
    struct buf b = {0};
    buf_append(&b, harness, (size_t)(m - harness));
    buf_puts(&b, code);
    buf_puts(&b, m + strlen("/*SOLUTION*/"));
    return buf_detach(&b);
}

size_t code_parse_verdicts(const char *text, size_t n, int *ok, int *first_fail,
                           char **first_fail_json)
{
    size_t passed = 0;
    *first_fail = -1;
    *first_fail_json = NULL;
    for (size_t i = 0; i < n; i++)
        ok[i] = 0;
    for (const char *s = text; s && *s;) {
        const char *eol = strchr(s, '\n');
        size_t len = eol ? (size_t)(eol - s) : strlen(s);
        int pass = len > 5 && !strncmp(s, "PASS ", 5), fail = len > 5 && !strncmp(s, "FAIL ", 5);
        char *end = NULL;
        /* the index is digits on this line: strtol would skip a line break
         * and read the next line's number (fuzzing found a report line that
         * then ended before its JSON began) */
        long idx = (pass || fail) && isdigit((unsigned char)s[5]) ? strtol(s + 5, &end, 10) : -1;
        if (idx >= 0 && (size_t)idx < n && end && end <= s + len) {
            if (pass && !ok[idx]) {
                ok[idx] = 1;
                passed++;
            } else if (fail && (*first_fail < 0 || idx < *first_fail)) {
                *first_fail = (int)idx;
                free(*first_fail_json);
                while (*end == ' ')
                    end++;
                *first_fail_json = xstrndup(end, (size_t)(s + len - end));
            }
        }
        s = eol ? eol + 1 : s + len;
    }
    return passed;
}

/* Splits text into lines with trailing white space removed and trailing
 * empty lines dropped. Returns the count; lines point into a copy (*store). */
static size_t split_lines(const char *text, char ***lines, char **store)
{
    char *t = xstrdup(text ? text : "");
    size_t n = 0, cap = 0;
    char **v = NULL;
    for (char *s = t;;) {
        char *eol = strchr(s, '\n');
        if (eol)
            *eol = 0;
        size_t len = strlen(s);
        while (len && isspace((unsigned char)s[len - 1]))
            s[--len] = 0;
        XGROW(v, n + 1, cap);
        v[n++] = s;
        if (!eol)
            break;
        s = eol + 1;
    }
    while (n && !v[n - 1][0])
        n--;
    *lines = v;
    *store = t;
    return n;
}

static int parse_num(const char *s, size_t len, double *out)
{
    char tmp[64];
    if (len == 0 || len >= sizeof tmp)
        return 0;
    memcpy(tmp, s, len);
    tmp[len] = 0;
    char *end = NULL;
    *out = strtod(tmp, &end);
    return end && *end == 0 && isfinite(*out);
}

static int tokens_match(const char *a, const char *b, double tol)
{
    for (;;) {
        while (isspace((unsigned char)*a)) a++;
        while (isspace((unsigned char)*b)) b++;
        if (!*a || !*b)
            return !*a && !*b;
        size_t la = strcspn(a, " \t\r\v\f"), lb = strcspn(b, " \t\r\v\f");
        double x, y;
        if (!(la == lb && !memcmp(a, b, la))) {
            if (!parse_num(a, la, &x) || !parse_num(b, lb, &y))
                return 0;
            double d = fabs(x - y);
            if (!(d <= tol || d <= tol * fabs(y)))
                return 0;
        }
        a += la;
        b += lb;
    }
}

int code_outputs_match(const char *expected, const char *actual, double tolerance, size_t *line)
{
    char **e = NULL, **a = NULL, *es = NULL, *as = NULL;
    size_t ne = split_lines(expected, &e, &es), na = split_lines(actual, &a, &as);
    int ok = 1;
    size_t i = 0;
    for (; i < ne && i < na && ok; i++)
        ok = !strcmp(e[i], a[i]) || (tolerance >= 0 && tokens_match(a[i], e[i], tolerance));
    if (ok && ne != na) {
        ok = 0;
        i++;
    }
    if (line)
        *line = ok ? 0 : i;
    free(e); free(a); free(es); free(as);
    return ok;
}

int code_stderr_is_oom(const char *err)
{
    static const char *const marks[] = { "MemoryError", "std::bad_alloc", "OutOfMemoryError",
        "heap out of memory", "Cannot allocate memory", "out of memory",
        "Array buffer allocation failed" };
    for (size_t i = 0; err && i < sizeof marks / sizeof marks[0]; i++)
        if (strstr(err, marks[i]))
            return 1;
    return 0;
}
