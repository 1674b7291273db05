/* text.c - see text.h. */
#include "score/text.h"
#include "util/utf8.h"
#include "score/unicode_py.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- UTF-8 ------------------------------------------------------------ */

uint32_t score_utf8_next(const char *str, size_t n, size_t *adv)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned c = s[0];
    *adv = 1;
    if (c < 0x80)
        return c;
    size_t need;
    uint32_t cp, min;
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else return 0xFFFD;
    if (n < need + 1)
        return 0xFFFD;
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0xFFFD;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0xFFFD;
    *adv = need + 1;
    return cp;
}

/* ---- character classes ------------------------------------------------ */

/* Every class is Python's, from the generated table (unicode_py.h). */

int score_cp_is_word(uint32_t cp)
{
    if (cp < 0x80)
        return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') ||
               (cp >= 'A' && cp <= 'Z') || cp == '_';
    return (unicode_py_flags(cp) & PY_WORD) != 0;
}

int score_cp_is_punct(uint32_t cp)
{
    return (unicode_py_flags(cp) & PY_PUNCT) != 0;
}

int score_cp_is_space(uint32_t cp)
{
    if (cp < 0x80)
        return cp == ' ' || (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1F);
    return (unicode_py_flags(cp) & PY_SPACE) != 0;
}

int score_cp_is_upper(uint32_t cp)
{
    return (unicode_py_flags(cp) & PY_UPPER) != 0;
}

int score_cp_is_lower(uint32_t cp)
{
    return (unicode_py_flags(cp) & PY_LOWER) != 0;
}

/* str.isupper(): no lower-case or title-case character and at least one
 * upper-case one (islower() the same with the roles swapped). */
static int str_case(const char *s, size_t n, int want_upper)
{
    int cased = 0;
    unsigned bad = PY_TITLE | (want_upper ? PY_LOWER : PY_UPPER);
    unsigned good = want_upper ? PY_UPPER : PY_LOWER;
    for (size_t i = 0; i < n;) {
        size_t adv;
        uint32_t cp = score_utf8_next(s + i, n - i, &adv);
        i += adv;
        unsigned f = unicode_py_flags(cp);
        if (f & bad)
            return 0;
        if (f & good)
            cased = 1;
    }
    return cased;
}

int score_str_isupper(const char *s, size_t n) { return str_case(s, n, 1); }
int score_str_islower(const char *s, size_t n) { return str_case(s, n, 0); }

/* Python's final-sigma rule for str.lower() (unicodeobject.c,
 * handle_capital_sigma): capital sigma at [at, end) becomes U+03C2 when,
 * skipping Case_Ignorable characters, a Cased character precedes it and no
 * Cased character follows. */
static int final_sigma(const char *s, size_t n, size_t at, size_t end)
{
    size_t i = at, adv;
    uint32_t cp = 0;
    int found = 0;
    while (i > 0) {
        size_t k = i - 1;
        while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80 && i - k < 4)
            k--;
        cp = score_utf8_next(s + k, n - k, &adv);
        if (k + adv != i) {          /* an invalid byte: U+FFFD, not ignorable */
            cp = 0xFFFD;
            k = i - 1;
        }
        i = k;
        if (!(unicode_py_flags(cp) & PY_IGNORABLE)) {
            found = 1;
            break;
        }
    }
    if (!found || !(unicode_py_flags(cp) & PY_CASED))
        return 0;
    for (i = end; i < n; i += adv) {
        cp = score_utf8_next(s + i, n - i, &adv);
        unsigned f = unicode_py_flags(cp);
        if (!(f & PY_IGNORABLE))
            return !(f & PY_CASED);
    }
    return 1;
}

void score_lower(const char *s, size_t n, struct buf *out)
{
    size_t i = 0;
    while (i < n) {
        /* ASCII run: copied in bulk, then lowered in place */
        size_t run = i;
        for (;;) {                  /* eight bytes at a time while all ASCII */
            uint64_t w;
            if (run + 8 > n)
                break;
            memcpy(&w, s + run, 8);
            if (w & 0x8080808080808080ULL)
                break;
            run += 8;
        }
        while (run < n && (unsigned char)s[run] < 0x80)
            run++;
        if (run > i) {
            size_t at = out->len;
            buf_append(out, s + i, run - i);
            char *p = out->data + at, *e = out->data + out->len;
            for (; p < e; p++)
                *p = (char)(*p + ((unsigned char)(*p - 'A') < 26u ? 32 : 0));
            i = run;
            continue;
        }
        size_t adv;
        uint32_t cp = score_utf8_next(s + i, n - i, &adv);
        char u[8];
        if (cp == 0xFFFD && adv == 1 && (unsigned char)s[i] != 0xEF) {
            buf_append(out, s + i, 1);      /* keep invalid bytes as they are */
        } else if (cp == 0x130) {
            buf_append(out, "i\xCC\x87", 3);  /* Python: U+0130 -> "i" U+0307 */
        } else if (cp == 0x3A3 && final_sigma(s, n, i, i + adv)) {
            buf_append(out, "\xCF\x82", 2);   /* final sigma */
        } else {
            buf_append(out, u, utf8_put(unicode_py_lower(cp), u));
        }
        i += adv;
    }
    if (!out->data)
        buf_append(out, "", 0);
}

/* ---- PCRE2 ------------------------------------------------------------ */

const pcre2_code *score_re_get(struct score_re *re)
{
    pcre2_code *c = __atomic_load_n(&re->code, __ATOMIC_ACQUIRE);
    if (c)
        return c;
    struct bai_error err = {0};
    c = score_re_compile(re->pattern, re->flags, &err);
    if (!c) {
        fprintf(stderr, "benchai: internal pattern /%s/: %s\n", re->pattern, err.msg);
        abort();
    }
    pcre2_code *expected = NULL;
    if (!__atomic_compare_exchange_n(&re->code, &expected, c, 0, __ATOMIC_ACQ_REL,
                                     __ATOMIC_ACQUIRE)) {
        pcre2_code_free(c);
        return expected;
    }
    return c;
}

/* \S, \D or \W in a pattern (an escaped backslash is skipped) */
static int has_negated_escape(const char *p)
{
    for (; *p; p++)
        if (*p == '\\') {
            if (p[1] == 'S' || p[1] == 'D' || p[1] == 'W')
                return 1;
            if (p[1])
                p++;
        }
    return 0;
}

pcre2_code *score_re_compile(const char *pattern, uint32_t flags, struct bai_error *err)
{
    int code;
    PCRE2_SIZE off;
    pcre2_code *re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                                   PCRE2_UTF | PCRE2_MATCH_INVALID_UTF | flags, &code,
                                   &off, NULL);
    if (!re) {
        PCRE2_UCHAR msg[256];
        pcre2_get_error_message(code, msg, sizeof msg);
        bai_error_set(err, BAI_EXIT_USAGE, "bad pattern /%s/ at offset %zu: %s", pattern,
                      (size_t)off, (const char *)msg);
        return NULL;
    }
    /* PCRE2 10.42's JIT with MATCH_INVALID_UTF fails \S, \D and \W on
     * every non-ASCII character when UCP is off ("Answer:\s*(\S+)" misses
     * "Answer: ٣٤"), where the interpreter is right: such patterns run on
     * the interpreter. JIT is best effort anyway. */
    if ((flags & PCRE2_UCP) || !has_negated_escape(pattern))
        pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
    return re;
}

/* A per-thread cache of patterns that come from item data (keywords,
 * section markers): the same few patterns recur on every sample, and a
 * JIT compile costs far more than the match. Round-robin replacement. */
#define RE_CACHE 64
struct re_cache_entry {
    char *pattern;
    uint32_t flags;
    pcre2_code *code;
};
static _Thread_local struct re_cache_entry re_cache[RE_CACHE];
static _Thread_local unsigned re_cache_next;

static _Thread_local pcre2_match_data *tl_md;

/* Thread-local scorer state (the pattern cache, the match block) is freed
 * when its thread exits: the runner scores on a consumer thread per batch,
 * and each would otherwise leak its cache. */
static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;

static void free_thread_state(void *unused)
{
    (void)unused;
    for (unsigned i = 0; i < RE_CACHE; i++) {
        free(re_cache[i].pattern);
        pcre2_code_free(re_cache[i].code);
        re_cache[i].pattern = NULL;
        re_cache[i].code = NULL;
    }
    pcre2_match_data_free(tl_md);
    tl_md = NULL;
}

static void make_tls_key(void)
{
    pthread_key_create(&tls_key, free_thread_state);
}

static void register_thread_state(void)
{
    pthread_once(&tls_once, make_tls_key);
    if (!pthread_getspecific(tls_key))
        pthread_setspecific(tls_key, &tls_key);   /* any non-NULL value arms the destructor */
}

const pcre2_code *score_re_cached(const char *pattern, uint32_t flags, struct bai_error *err)
{
    for (unsigned i = 0; i < RE_CACHE; i++)
        if (re_cache[i].pattern && re_cache[i].flags == flags && !strcmp(re_cache[i].pattern, pattern))
            return re_cache[i].code;
    pcre2_code *c = score_re_compile(pattern, flags, err);
    if (!c)
        return NULL;
    register_thread_state();
    struct re_cache_entry *e = &re_cache[re_cache_next++ % RE_CACHE];
    free(e->pattern);
    pcre2_code_free(e->code);
    e->pattern = xstrdup(pattern);
    e->flags = flags;
    e->code = c;
    return c;
}

/* One match-data block per thread, reused: pcre2_match_data_create on every
 * call would be the single largest cost of the IFEval hot path. */
#define MD_PAIRS 32

int score_re_exec(const pcre2_code *re, const char *s, size_t len, size_t start,
                  size_t *ov, int max_pairs)
{
    return score_re_exec_opts(re, s, len, start, 0, ov, max_pairs);
}

int score_re_exec_opts(const pcre2_code *re, const char *s, size_t len, size_t start,
                       uint32_t options, size_t *ov, int max_pairs)
{
    if (!tl_md) {
        tl_md = pcre2_match_data_create(MD_PAIRS, NULL);
        register_thread_state();
    }
    if (start > len)
        return 0;
    int rc = pcre2_match(re, (PCRE2_SPTR)(s ? s : ""), len, start, options, tl_md, NULL);
    if (rc == PCRE2_ERROR_NOMATCH)
        return 0;
    if (rc < 0)
        return -1;
    if (rc == 0)
        rc = MD_PAIRS;
    PCRE2_SIZE *v = pcre2_get_ovector_pointer(tl_md);
    int pairs = rc < max_pairs ? rc : max_pairs;
    for (int i = 0; i < 2 * pairs; i++)
        ov[i] = v[i];
    return pairs;
}

size_t score_re_count(const pcre2_code *re, const char *s, size_t len)
{
    size_t count = 0, at = 0, ov[2];
    while (at <= len && score_re_exec(re, s, len, at, ov, 1) > 0) {
        count++;
        if (ov[1] > ov[0]) {
            at = ov[1];
        } else {   /* empty match: step over one character, as Python does */
            size_t adv = 1;
            if (ov[1] < len)
                score_utf8_next(s + ov[1], len - ov[1], &adv);
            at = ov[1] + adv;
        }
    }
    return count;
}

int score_re_search(const pcre2_code *re, const char *s, size_t len)
{
    size_t ov[2];
    return score_re_exec(re, s, len, 0, ov, 1) > 0;
}

char *score_re_escape(const char *s)
{
    struct buf b = {0};
    for (; *s; s++) {
        if (strchr("\\^$.|?*+()[]{}", *s))
            buf_putc(&b, '\\');
        buf_putc(&b, *s);
    }
    return buf_detach(&b);
}

/* ---- item fields ------------------------------------------------------ */

const cJSON *score_opt(const cJSON *data, const char *key)
{
    if (!data)
        return NULL;
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(data, key);
    if (v)
        return v;
    const cJSON *sc = cJSON_GetObjectItemCaseSensitive(data, "scoring");
    return cJSON_IsObject(sc) ? cJSON_GetObjectItemCaseSensitive(sc, key) : NULL;
}

const char *score_opt_str(const cJSON *data, const char *key, const char *def)
{
    const cJSON *v = score_opt(data, key);
    return cJSON_IsString(v) ? v->valuestring : def;
}

double score_opt_num(const cJSON *data, const char *key, double def)
{
    const cJSON *v = score_opt(data, key);
    if (cJSON_IsNumber(v))
        return v->valuedouble;
    if (cJSON_IsString(v)) {
        char *end;
        double d = strtod(v->valuestring, &end);
        if (end != v->valuestring && !*end)
            return d;
    }
    return def;
}

int score_opt_bool(const cJSON *data, const char *key, int def)
{
    const cJSON *v = score_opt(data, key);
    if (cJSON_IsBool(v))
        return cJSON_IsTrue(v);
    if (cJSON_IsNumber(v))
        return v->valuedouble != 0;
    return def;
}

static char *scalar_text(const cJSON *v)
{
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v) || cJSON_IsBool(v))
        return cJSON_PrintUnformatted(v);
    return NULL;
}

size_t score_strings(const cJSON *v, char ***out)
{
    *out = NULL;
    size_t n = 0, cap = 0;
    if (cJSON_IsArray(v)) {
        const cJSON *e;
        cJSON_ArrayForEach(e, v) {
            char *t = scalar_text(e);
            if (!t)
                continue;
            XGROW(*out, n + 1, cap);
            (*out)[n++] = t;
        }
    } else {
        char *t = scalar_text(v);
        if (t) {
            *out = xmalloc(sizeof **out);
            (*out)[n++] = t;
        }
    }
    return n;
}

void score_strings_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

void score_problem(struct bai_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    size_t len = strnlen(err->msg, sizeof err->msg);
    if (len && len + 1 < sizeof err->msg)
        err->msg[len++] = '\n';
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg + len, sizeof err->msg - len, fmt, ap);
    va_end(ap);
    err->exit_code = BAI_EXIT_USAGE;
}

char *score_detail_finish(cJSON *detail)
{
    char *s = cJSON_PrintUnformatted(detail);
    cJSON_Delete(detail);
    return s ? s : xstrdup("{}");
}

void score_trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len) {
        size_t adv;
        uint32_t cp = score_utf8_next(p, len, &adv);
        if (!score_cp_is_space(cp))
            break;
        p += adv;
        len -= adv;
    }
    while (len) {
        /* step back to the start of the last code point */
        size_t k = len - 1;
        while (k > 0 && ((unsigned char)p[k] & 0xC0) == 0x80 && len - k < 4)
            k--;
        size_t adv;
        uint32_t cp = score_utf8_next(p + k, len - k, &adv);
        if (k + adv != len || !score_cp_is_space(cp))
            break;   /* a non-space, or an invalid tail byte */
        len = k;
    }
    *s = p;
    *n = len;
}

int score_values_index(const char *values, const char *s)
{
    size_t n = strlen(s);
    int k = 0;
    for (const char *p = values; p && *p; k++) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && !strncmp(p, s, n))
            return k;
        p = bar ? bar + 1 : NULL;
    }
    return -1;
}

int score_extract(const cJSON *data, const char *output, size_t output_len, const char **span,
                  size_t *span_len, struct bai_error *err)
{
    size_t len = output_len;
    *span = output;
    *span_len = len;
    const char *pat = score_opt_str(data, "extract", NULL);
    if (!pat || !*pat)
        return 1;
    int last = strcmp(score_opt_str(data, "match", "last"), "first") != 0;
    const pcre2_code *re = score_re_cached(pat, 0, err);
    if (!re)
        return -1;
    size_t at = 0, ov[4];
    int found = 0, pairs;
    while (at <= len && (pairs = score_re_exec(re, output, len, at, ov, 2)) > 0) {
        int g = (pairs > 1 && ov[2] != PCRE2_UNSET) ? 1 : 0;
        *span = output + ov[2 * g];
        *span_len = ov[2 * g + 1] - ov[2 * g];
        found = 1;
        if (!last)
            break;
        at = ov[1] > ov[0] ? ov[1] : ov[1] + 1;
    }
    return found;
}
