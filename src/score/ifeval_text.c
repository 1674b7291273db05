/* ifeval_text.c - text primitives of the instruction checks (ifeval.h).
 * Each follows a rule of google-research instruction_following_eval
 * (instructions.py / instructions_util.py). Sentences (punkt) live in
 * ifeval_punkt.c and languages (langdetect) in ifeval_lang.c; the capital
 * word count (nltk word_tokenize) is an approximation, see scoring.md. */
#include "score/ifeval.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "score/json_py.h"
#include "score/pyre.h"
#include "score/text.h"

const struct buf *ifeval_lower(struct ifeval_text *t)
{
    if (!t->have_lower) {
        buf_reset(&t->lower);
        score_lower(t->s, t->n, &t->lower);
        t->have_lower = 1;
    }
    return &t->lower;
}

/* ---- kwargs --------------------------------------------------------------- */

long ifeval_kw_int(const cJSON *kw, const char *key, int *ok)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(kw, key);
    *ok = cJSON_IsNumber(v);
    return *ok ? (long)v->valuedouble : 0;
}

const char *ifeval_kw_str(const cJSON *kw, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(kw, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int ifeval_kw_relation(const cJSON *kw, const char *key)
{
    const char *r = ifeval_kw_str(kw, key);
    if (!r)
        return -1;
    if (!strcmp(r, "less than"))
        return 0;
    if (!strcmp(r, "at least"))
        return 1;
    return -1;
}

int ifeval_compare(long actual, int relation, long threshold)
{
    return relation == 0 ? actual < threshold : actual >= threshold;
}

/* ---- counting ------------------------------------------------------------- */

size_t ifeval_count_words(const char *s, size_t n)
{
    size_t count = 0;
    int in_word = 0;
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        int w;
        if (c < 0x80) {
            w = (unsigned char)((c | 32) - 'a') < 26u || (unsigned char)(c - '0') < 10u || c == '_';
            i++;
        } else {
            size_t adv;
            w = score_cp_is_word(score_utf8_next(s + i, n - i, &adv));
            i += adv;
        }
        if (w && !in_word)
            count++;
        in_word = w;
    }
    return count;
}

/* white space as str.split() sees it, with an inline ASCII path */
static inline int space_at(const char *s, size_t n, size_t i, size_t *adv)
{
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80) {
        *adv = 1;
        return c == ' ' || (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x1F);
    }
    return score_cp_is_space(score_utf8_next(s + i, n - i, adv));
}

/* nltk word_tokenize splits off brackets, quotes and most punctuation and
 * the clitics n't 's 'm 'd 'll 're 've; each piece is a word for isupper().
 * Pieces made only of punctuation are never upper case, so only the split
 * points matter for the count. */
static int is_split_char(unsigned char c)
{
    switch (c) {
    case '(': case ')': case '[': case ']': case '{': case '}': case '<': case '>':
    case '"': case ',': case ';': case '?': case '!': case '`':
        return 1;
    default:
        return 0;
    }
}

static size_t count_upper_piece(const char *p, size_t n)
{
    /* split clitics off the end */
    static const char *const clitics[] = { "n't", "'s", "'m", "'d", "'ll", "'re", "'ve" };
    for (size_t k = 0; memchr(p, '\'', n) && k < sizeof clitics / sizeof clitics[0]; k++) {
        size_t cl = strlen(clitics[k]);
        if (n > cl && !strncasecmp(p + n - cl, clitics[k], cl))
            return count_upper_piece(p, n - cl) + (size_t)score_str_isupper(p + n - cl, cl);
    }
    /* a trailing period and leading/trailing quotes/colons are separate */
    while (n && (p[n - 1] == '.' || p[n - 1] == ':' || p[n - 1] == '\''))
        n--;
    while (n && (p[0] == '\'' || p[0] == ':')) {
        p++;
        n--;
    }
    return n ? (size_t)score_str_isupper(p, n) : 0;
}

static inline int cap_sep_at(const char *s, size_t n, size_t i, size_t *adv)
{
    return space_at(s, n, i, adv) || is_split_char((unsigned char)s[i]);
}

size_t ifeval_count_capital_words(const char *s, size_t n)
{
    size_t count = 0;
    size_t i = 0;
    while (i < n) {
        size_t adv;
        if (cap_sep_at(s, n, i, &adv)) {
            i += adv;
            continue;
        }
        size_t start = i;
        while (i < n && !cap_sep_at(s, n, i, &adv))
            i += adv;
        count += count_upper_piece(s + start, i - start);
    }
    return count;
}

size_t ifeval_count_placeholders(const char *s, size_t n)
{
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '[')
            continue;
        size_t j = i + 1;
        while (j < n && s[j] != ']' && s[j] != '\n')
            j++;
        if (j < n && s[j] == ']') {
            count++;
            i = j;
        }
    }
    return count;
}

/* span of [a, b) has a character other than white space */
static int has_non_space(const char *s, size_t a, size_t b)
{
    const char *p = s + a;
    size_t n = b - a;
    score_trim(&p, &n);
    return n > 0;
}

size_t ifeval_count_highlights(const char *s, size_t n)
{
    size_t count = 0;
    /* \*[^\n\*]*\* : from each '*', the next '*' on the same line */
    for (size_t i = 0; i < n; i++) {
        if (s[i] != '*')
            continue;
        size_t j = i + 1;
        while (j < n && s[j] != '*' && s[j] != '\n')
            j++;
        if (j < n && s[j] == '*') {
            if (has_non_space(s, i + 1, j))
                count++;
            i = j;
        }
    }
    /* \*\*[^\n\*]*\*\* */
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '*' || s[i + 1] != '*')
            continue;
        size_t j = i + 2;
        while (j < n && s[j] != '*' && s[j] != '\n')
            j++;
        if (j + 1 < n && s[j] == '*' && s[j + 1] == '*') {
            if (has_non_space(s, i + 2, j))
                count++;
            i = j + 1;
        }
    }
    return count;
}

/* the reference's patterns, with Python's \s (pyre.h) */
static struct score_pyre re_bullet_star = { "^\\s*\\*[^\\*].*$", PYRE_M, NULL };
static struct score_pyre re_bullet_dash = { "^\\s*-.*$", PYRE_M, NULL };

size_t ifeval_count_bullets(const char *s, size_t n)
{
    return score_pyre_count(score_pyre_get(&re_bullet_star), s, n) +
           score_pyre_count(score_pyre_get(&re_bullet_dash), s, n);
}

int ifeval_has_title(const char *s, size_t n)
{
    /* <<[^\n]+>> is greedy: per line, from the first "<<" to the last ">>"
     * after it; the title is what is left after stripping '<' and '>'. */
    for (size_t i = 0; i + 1 < n; i++) {
        if (s[i] != '<' || s[i + 1] != '<')
            continue;
        size_t eol = i + 2;
        while (eol < n && s[eol] != '\n')
            eol++;
        size_t end = eol;   /* last ">>" with at least one char between */
        while (end >= i + 5 && !(s[end - 1] == '>' && s[end - 2] == '>'))
            end--;
        if (end < i + 5) {
            i = eol;
            continue;
        }
        size_t a = i, b = end;
        while (a < b && s[a] == '<')
            a++;
        while (b > a && s[b - 1] == '>')
            b--;
        if (has_non_space(s, a, b))
            return 1;
        i = eol;
    }
    return 0;
}

static int strip_prefix(const char **p, size_t *n, const char *pre)
{
    size_t l = strlen(pre);
    if (*n >= l && !memcmp(*p, pre, l)) {
        *p += l;
        *n -= l;
        return 1;
    }
    return 0;
}

int ifeval_is_json(const char *s, size_t n)
{
    const char *p = s;
    size_t len = n;
    score_trim(&p, &len);
    /* value.strip().removeprefix("```json").removeprefix("```Json")
     *   .removeprefix("```JSON").removeprefix("```").removesuffix("```").strip() */
    strip_prefix(&p, &len, "```json");
    strip_prefix(&p, &len, "```Json");
    strip_prefix(&p, &len, "```JSON");
    strip_prefix(&p, &len, "```");
    if (len >= 3 && !memcmp(p + len - 3, "```", 3))
        len -= 3;
    score_trim(&p, &len);
    return json_py_valid(p, len);    /* json.loads, as Python decides */
}

/* ---- keywords -------------------------------------------------------------- */

static int has_meta(const char *s)
{
    return strpbrk(s, "\\^$.|?*+()[]{}") != NULL;
}

/* word-ness of the code point before / at byte offset i */
static int word_before(const char *s, size_t n, size_t i)
{
    if (i == 0)
        return 0;
    size_t k = i - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80 && i - k < 4)
        k--;
    size_t adv;
    return score_cp_is_word(score_utf8_next(s + k, n - k, &adv));
}

static int word_at(const char *s, size_t n, size_t i)
{
    size_t adv;
    return i < n && score_cp_is_word(score_utf8_next(s + i, n - i, &adv));
}

/* mode 1: \b at both ends (the reference); mode 2: no word character
 * adjacent (benchai's "whole word", right for words like "C++"). */
static int word_ok(const char *s, size_t n, size_t a, size_t b, int mode)
{
    if (mode == 1)
        return word_before(s, n, a) != word_at(s, n, a) && word_before(s, n, b) != word_at(s, n, b);
    if (mode == 2)
        return !word_before(s, n, a) && !word_at(s, n, b);
    return 1;
}

long ifeval_keyword(struct ifeval_text *t, const char *kw, int whole_word, int count_all)
{
    if (whole_word != 2) {
        /* the reference: re.search / re.findall of the keyword (or of
         * r"\b" + word + r"\b", concatenated as text) with re.IGNORECASE,
         * Python's meaning kept by pyre.h */
        struct buf pat = {0};
        if (whole_word == 1)
            buf_printf(&pat, "\\b%s\\b", kw ? kw : "");
        else
            buf_puts(&pat, kw ? kw : "");
        struct bai_error err = {0};
        const pcre2_code *re = score_pyre_cached(pat.data ? pat.data : "", PYRE_I, &err);
        buf_free(&pat);
        if (!re)
            return -1;
        return count_all ? (long)score_pyre_count(re, t->s, t->n) : score_pyre_search(re, t->s, t->n);
    }
    if (!kw || !*kw)
        return count_all ? 0 : 1;   /* an empty pattern matches everywhere */
    if (!has_meta(kw)) {
        const struct buf *low = ifeval_lower(t);
        /* a local buffer: a thread-local one was left behind by every
         * consumer thread that ended (LeakSanitizer, make asan) */
        struct buf k = {0};
        score_lower(kw, strlen(kw), &k);
        long count = 0;
        const char *hay = low->data;
        size_t at = 0;
        while (at < low->len) {
            const char *p = memmem(hay + at, low->len - at, k.data, k.len);
            if (!p)
                break;
            size_t a = (size_t)(p - hay);
            if (word_ok(hay, low->len, a, a + k.len, whole_word)) {
                count++;
                if (!count_all)
                    break;
                at = a + k.len;
            } else {
                at = a + 1;
            }
        }
        buf_free(&k);
        return count;
    }
    struct buf pat = {0};
    buf_printf(&pat, "(?<!\\w)(?:%s)(?!\\w)", kw);
    struct bai_error err = {0};
    const pcre2_code *re = score_re_cached(pat.data, PCRE2_CASELESS | PCRE2_UCP, &err);
    buf_free(&pat);
    if (!re)
        return -1;
    long r = count_all ? (long)score_re_count(re, t->s, t->n) : score_re_search(re, t->s, t->n);
    return r;
}
