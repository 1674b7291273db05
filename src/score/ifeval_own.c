/* ifeval_own.c - benchai's own instruction checks (SUITE-FIELDS.md), built
 * on the same primitives as the IFEval types so that "a word", "a bullet"
 * or "a highlight" means one thing across the project. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/ifeval.h"
#include "score/text.h"

#define CHECK(name) static int name(struct ifeval_text *t, const cJSON *kw, char *msg, size_t msz)

static int bad(char *msg, size_t msz, const char *what)
{
    snprintf(msg, msz, "%s", what);
    return -1;
}

/* optional bounds {min, max}; at least one must be present */
static int in_bounds(long v, const cJSON *kw, char *msg, size_t msz)
{
    int has_min, has_max;
    long lo = ifeval_kw_int(kw, "min", &has_min), hi = ifeval_kw_int(kw, "max", &has_max);
    if (!has_min && !has_max)
        return bad(msg, msz, "needs min and/or max");
    return (!has_min || v >= lo) && (!has_max || v <= hi);
}

static long need_n(const cJSON *kw, const char *key, int *ok)
{
    return ifeval_kw_int(kw, key, ok);
}

/* iterate lines: calls fn(line, len, ctx) for each line (without '\n') */
static size_t count_lines(const char *s, size_t n, int (*pred)(const char *, size_t))
{
    size_t count = 0, start = 0;
    while (start <= n) {
        const char *nl = start < n ? memchr(s + start, '\n', n - start) : NULL;
        size_t end = nl ? (size_t)(nl - s) : n;
        if (pred(s + start, end - start))
            count++;
        if (!nl)
            break;
        start = end + 1;
    }
    return count;
}

static size_t skip_ws(const char *l, size_t n)
{
    size_t i = 0;
    while (i < n && (l[i] == ' ' || l[i] == '\t' || l[i] == '\r'))
        i++;
    return i;
}

static int is_bullet_line(const char *l, size_t n)
{
    size_t i = skip_ws(l, n);
    return i + 1 < n && (l[i] == '*' || l[i] == '-') && (l[i + 1] == ' ' || l[i + 1] == '\t');
}

static int is_numbered_line(const char *l, size_t n)
{
    size_t i = skip_ws(l, n), d = i;
    while (d < n && l[d] >= '0' && l[d] <= '9')
        d++;
    return d > i && d + 1 < n && l[d] == '.' && (l[d + 1] == ' ' || l[d + 1] == '\t');
}

static int is_nonblank_line(const char *l, size_t n)
{
    score_trim(&l, &n);
    return n > 0;
}

CHECK(own_json_only)
{
    const char *p = t->s;
    size_t n = t->n;
    score_trim(&p, &n);
    char *copy = xstrndup(p, n);
    cJSON *j = cJSON_ParseWithOpts(copy, NULL, 1);
    free(copy);
    cJSON_Delete(j);
    return j != NULL;
}

CHECK(own_json_keys)
{
    const cJSON *keys = cJSON_GetObjectItemCaseSensitive(kw, "keys");
    if (!cJSON_IsArray(keys))
        return bad(msg, msz, "needs keys");
    const char *p = t->s;
    size_t n = t->n;
    score_trim(&p, &n);
    char *copy = xstrndup(p, n);
    cJSON *j = cJSON_ParseWithOpts(copy, NULL, 1);
    free(copy);
    int ok = cJSON_IsObject(j) && cJSON_GetArraySize(j) == cJSON_GetArraySize(keys);
    const cJSON *k;
    cJSON_ArrayForEach(k, keys)
        if (ok && (!cJSON_IsString(k) || !cJSON_GetObjectItemCaseSensitive(j, k->valuestring)))
            ok = 0;
    cJSON_Delete(j);
    return ok;
}

#define COUNT_EXACT(fname, key, expr)                                  \
    CHECK(fname)                                                       \
    {                                                                  \
        int ok;                                                        \
        long want = need_n(kw, key, &ok);                              \
        if (!ok)                                                       \
            return bad(msg, msz, "needs " key);                        \
        return (long)(expr) == want;                                   \
    }

COUNT_EXACT(own_bullet_count, "n", count_lines(t->s, t->n, is_bullet_line))
COUNT_EXACT(own_numbered_count, "n", count_lines(t->s, t->n, is_numbered_line))
COUNT_EXACT(own_line_count, "n", count_lines(t->s, t->n, is_nonblank_line))

CHECK(own_word_count)
{
    return in_bounds((long)ifeval_count_words(t->s, t->n), kw, msg, msz);
}

CHECK(own_sentence_count)
{
    return in_bounds((long)ifeval_count_sentences(t->s, t->n), kw, msg, msz);
}

/* paragraphs: blocks of non-blank lines separated by blank lines */
CHECK(own_paragraph_count)
{
    int ok;
    long want = need_n(kw, "n", &ok);
    if (!ok)
        return bad(msg, msz, "needs n");
    size_t count = 0, start = 0;
    int in_par = 0;
    while (start <= t->n) {
        const char *nl = start < t->n ? memchr(t->s + start, '\n', t->n - start) : NULL;
        size_t end = nl ? (size_t)(nl - t->s) : t->n;
        int blank = !is_nonblank_line(t->s + start, end - start);
        if (!blank && !in_par)
            count++;
        in_par = !blank;
        if (!nl)
            break;
        start = end + 1;
    }
    return (long)count == want;
}

static int words_present(struct ifeval_text *t, const cJSON *kw, const char *key, int want_all,
                         char *msg, size_t msz)
{
    const cJSON *list = cJSON_GetObjectItemCaseSensitive(kw, key);
    if (!cJSON_IsArray(list))
        return bad(msg, msz, "needs words");
    const cJSON *w;
    cJSON_ArrayForEach(w, list) {
        if (!cJSON_IsString(w))
            continue;
        char *lit = score_re_escape(w->valuestring);   /* words are literal here */
        long r = ifeval_keyword(t, lit, 2, 0);
        free(lit);
        if (want_all && r <= 0)
            return 0;
        if (!want_all && r > 0)
            return 0;
    }
    return 1;
}

CHECK(own_forbidden_words) { return words_present(t, kw, "words", 0, msg, msz); }
CHECK(own_required_words) { return words_present(t, kw, "words", 1, msg, msz); }

CHECK(own_keyword_frequency)
{
    const char *w = ifeval_kw_str(kw, "word");
    if (!w)
        return bad(msg, msz, "needs word");
    char *lit = score_re_escape(w);
    long c = ifeval_keyword(t, lit, 2, 1);
    free(lit);
    return in_bounds(c, kw, msg, msz);
}

static int no_case(struct ifeval_text *t, int upper)
{
    for (size_t i = 0; i < t->n;) {
        size_t adv;
        uint32_t cp = score_utf8_next(t->s + i, t->n - i, &adv);
        if (upper ? score_cp_is_upper(cp) : score_cp_is_lower(cp))
            return 0;
        i += adv;
    }
    return 1;
}

CHECK(own_lowercase) { return no_case(t, 1); }
CHECK(own_uppercase) { return no_case(t, 0); }

static int trimmed_cmp(struct ifeval_text *t, const char *text, int mode)
{
    const char *p = t->s;
    size_t n = t->n, l = strlen(text);
    score_trim(&p, &n);
    if (mode == 0)
        return n >= l && !memcmp(p, text, l);
    if (mode == 1)
        return n >= l && !memcmp(p + n - l, text, l);
    return n == l && !memcmp(p, text, l);
}

CHECK(own_starts_with)
{
    const char *x = ifeval_kw_str(kw, "text");
    return x ? trimmed_cmp(t, x, 0) : bad(msg, msz, "needs text");
}

CHECK(own_ends_with)
{
    const char *x = ifeval_kw_str(kw, "text");
    return x ? trimmed_cmp(t, x, 1) : bad(msg, msz, "needs text");
}

CHECK(own_exact_text)
{
    const char *x = ifeval_kw_str(kw, "text");
    return x ? trimmed_cmp(t, x, 2) : bad(msg, msz, "needs text");
}

CHECK(own_one_of)
{
    const cJSON *opts = cJSON_GetObjectItemCaseSensitive(kw, "options");
    if (!cJSON_IsArray(opts))
        return bad(msg, msz, "needs options");
    const cJSON *o;
    cJSON_ArrayForEach(o, opts)
        if (cJSON_IsString(o) && trimmed_cmp(t, o->valuestring, 2))
            return 1;
    return 0;
}

CHECK(own_no_commas)
{
    return !memchr(t->s, ',', t->n) && !memmem(t->s, t->n, "\xEF\xBC\x8C", 3);
}

CHECK(own_placeholders)
{
    int ok;
    long want = need_n(kw, "min", &ok);
    return ok ? (long)ifeval_count_placeholders(t->s, t->n) >= want : bad(msg, msz, "needs min");
}

CHECK(own_sections)
{
    int ok;
    long want = need_n(kw, "n", &ok);
    const char *marker = ifeval_kw_str(kw, "marker");
    if (!ok || !marker)
        return bad(msg, msz, "needs marker, n");
    char *lit = score_re_escape(marker);
    struct buf pat = {0};
    buf_printf(&pat, "\\s?%s\\s?\\d+\\s?", lit);
    free(lit);
    struct bai_error err = {0};
    const pcre2_code *re = score_re_cached(pat.data, PCRE2_UCP, &err);
    buf_free(&pat);
    if (!re)
        return bad(msg, msz, "bad marker");
    long c = (long)score_re_count(re, t->s, t->n);
    return c == want;
}

CHECK(own_quoted)
{
    const char *p = t->s;
    size_t n = t->n;
    score_trim(&p, &n);
    return n > 1 && p[0] == '"' && p[n - 1] == '"';
}

CHECK(own_highlighted)
{
    int ok;
    long want = need_n(kw, "min", &ok);
    return ok ? (long)ifeval_count_highlights(t->s, t->n) >= want : bad(msg, msz, "needs min");
}

CHECK(own_title) { return ifeval_has_title(t->s, t->n); }

CHECK(own_postscript)
{
    const char *marker = ifeval_kw_str(kw, "marker");
    if (!marker)
        return bad(msg, msz, "needs marker");
    /* reuse the reference rule with the marker as postscript_marker */
    cJSON *k = cJSON_CreateObject();
    char *lit = (!strcmp(marker, "P.S.") || !strcmp(marker, "P.P.S")) ? xstrdup(marker)
                                                                       : score_re_escape(marker);
    cJSON_AddStringToObject(k, "postscript_marker", lit);
    free(lit);
    int r = ifeval_check_postscript(t, k, msg, msz);
    cJSON_Delete(k);
    return r;
}

CHECK(own_regex)
{
    const char *pat = ifeval_kw_str(kw, "pattern");
    if (!pat)
        return bad(msg, msz, "needs pattern");
    struct bai_error err = {0};
    const pcre2_code *re = score_re_cached(pat, 0, &err);
    if (!re)
        return bad(msg, msz, err.msg);
    int r = score_re_search(re, t->s, t->n);
    return r;
}

CHECK(own_max_chars)
{
    int ok;
    long want = need_n(kw, "n", &ok);
    if (!ok)
        return bad(msg, msz, "needs n");
    long chars = 0;
    for (size_t i = 0; i < t->n; i++)
        if (((unsigned char)t->s[i] & 0xC0) != 0x80)
            chars++;
    return chars <= want;
}

/* RFC 4180-style CSV: quoted fields may hold commas, quotes ("") and
 * newlines. Returns the row count, each row's field count in cols (first
 * mismatch makes *uniform 0). Code fences around the table are ignored. */
CHECK(own_csv_rows)
{
    int ok1, ok2;
    long rows = need_n(kw, "rows", &ok1), cols = need_n(kw, "columns", &ok2);
    if (!ok1 || !ok2)
        return bad(msg, msz, "needs rows, columns");
    const char *p = t->s;
    size_t n = t->n;
    score_trim(&p, &n);
    if (n >= 3 && !memcmp(p, "```", 3)) {
        const char *nl = memchr(p, '\n', n);
        if (!nl)
            return 0;
        n -= (size_t)(nl + 1 - p);
        p = nl + 1;
        if (n >= 3 && !memcmp(p + n - 3, "```", 3))
            n -= 3;
        score_trim(&p, &n);
    }
    long nrows = 0, fields = 1;
    int quoted = 0, uniform = 1, row_has = 0;
    for (size_t i = 0; i <= n; i++) {
        char c = i < n ? p[i] : '\n';
        if (quoted) {
            if (c == '"' && i + 1 < n && p[i + 1] == '"')
                i++;
            else if (c == '"')
                quoted = 0;
            continue;
        }
        if (c == '"') {
            quoted = 1;
            row_has = 1;
        } else if (c == ',') {
            fields++;
            row_has = 1;
        } else if (c == '\n') {
            if (row_has) {
                if (fields != cols)
                    uniform = 0;
                nrows++;
            }
            fields = 1;
            row_has = 0;
        } else if (c != '\r' && c != ' ' && c != '\t') {
            row_has = 1;
        }
    }
    return !quoted && uniform && nrows - 1 == rows;
}

const struct ifeval_type ifeval_own_types[] = {
    { "json_only", own_json_only, "" },
    { "json_keys", own_json_keys, "l:keys" },
    { "bullet_count", own_bullet_count, "i:n" },
    { "numbered_count", own_numbered_count, "i:n" },
    { "line_count", own_line_count, "i:n" },
    { "word_count", own_word_count, "?i:min ?i:max" },
    { "sentence_count", own_sentence_count, "?i:min ?i:max" },
    { "paragraph_count", own_paragraph_count, "i:n" },
    { "forbidden_words", own_forbidden_words, "l:words" },
    { "required_words", own_required_words, "l:words" },
    { "keyword_frequency", own_keyword_frequency, "s:word ?i:min ?i:max" },
    { "lowercase", own_lowercase, "" },
    { "uppercase", own_uppercase, "" },
    { "starts_with", own_starts_with, "s:text" },
    { "ends_with", own_ends_with, "s:text" },
    { "no_commas", own_no_commas, "" },
    { "placeholders", own_placeholders, "i:min" },
    { "sections", own_sections, "s:marker i:n" },
    { "quoted", own_quoted, "" },
    { "highlighted", own_highlighted, "i:min" },
    { "title", own_title, "" },
    { "postscript", own_postscript, "s:marker" },
    { "regex", own_regex, "s:pattern" },
    { "max_chars", own_max_chars, "i:n" },
    { "exact_text", own_exact_text, "s:text" },
    { "one_of", own_one_of, "l:options" },
    { "csv_rows", own_csv_rows, "i:rows i:columns" },
};
const size_t ifeval_own_count = sizeof ifeval_own_types / sizeof ifeval_own_types[0];
