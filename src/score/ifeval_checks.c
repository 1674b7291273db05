/* ifeval_checks.c - the 25 IFEval instruction types (instructions_registry
 * INSTRUCTION_DICT) with the kwarg names of the published input data. Each
 * function states the reference rule it implements. The strict/loose
 * wrapping ("response.strip() and check(...)") is done in ifeval.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/ifeval.h"
#include "score/pyre.h"
#include "score/text.h"

#define CHECK(name) static int name(struct ifeval_text *t, const cJSON *kw, char *msg, size_t msz)

static int bad(char *msg, size_t msz, const char *what)
{
    snprintf(msg, msz, "%s", what);
    return -1;
}

/* The strings of a kwargs list, sorted as Python sorts str (code point
 * order, which is UTF-8 byte order): the reference checks keywords in
 * sorted order, which decides which bad pattern raises first. */
static size_t sorted_strings(const cJSON *list, const char ***out)
{
    size_t n = 0;
    const cJSON *k;
    cJSON_ArrayForEach(k, list)
        n += cJSON_IsString(k);
    *out = xcalloc(n + 1, sizeof **out);
    n = 0;
    cJSON_ArrayForEach(k, list)
        if (cJSON_IsString(k))
            (*out)[n++] = k->valuestring;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp((*out)[j - 1], (*out)[j]) > 0; j--) {
            const char *t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    return n;
}

/* keywords:existence - every keyword: re.search(keyword, value, re.I) */
CHECK(kw_existence)
{
    const char **ks;
    size_t n = sorted_strings(cJSON_GetObjectItemCaseSensitive(kw, "keywords"), &ks);
    int r = 1;
    for (size_t i = 0; i < n && r == 1; i++) {
        long f = ifeval_keyword(t, ks[i], 0, 0);
        r = f < 0 ? bad(msg, msz, "bad keyword pattern") : f ? 1 : 0;
    }
    free(ks);
    return r;
}

/* keywords:frequency - len(re.findall(keyword, value, re.I)) vs frequency */
CHECK(kw_frequency)
{
    int ok;
    long f = ifeval_kw_int(kw, "frequency", &ok);
    int rel = ifeval_kw_relation(kw, "relation");
    const char *word = ifeval_kw_str(kw, "keyword");
    if (!ok || rel < 0 || !word)
        return bad(msg, msz, "needs keyword, frequency, relation");
    struct buf w = {0};
    const char *p = word;
    size_t n = strlen(word);
    score_trim(&p, &n);
    buf_append(&w, p, n);
    long c = ifeval_keyword(t, w.data, 0, 1);
    buf_free(&w);
    if (c < 0)
        return bad(msg, msz, "bad keyword pattern");
    return ifeval_compare(c, rel, f);
}

/* keywords:forbidden_words - none matches r"\b" + word + r"\b", re.I,
 * in sorted order */
CHECK(kw_forbidden)
{
    const char **ks;
    size_t n = sorted_strings(cJSON_GetObjectItemCaseSensitive(kw, "forbidden_words"), &ks);
    int r = 1;
    for (size_t i = 0; i < n && r == 1; i++) {
        long f = ifeval_keyword(t, ks[i], 1, 0);
        r = f < 0 ? bad(msg, msz, "bad word pattern") : f ? 0 : 1;
    }
    free(ks);
    return r;
}

/* keywords:letter_frequency - Counter(value.lower())[letter]: the letter
 * was stripped and lower-cased; Counter counts single characters, so a
 * letter that is empty or lowers to two characters (U+0130) counts 0 */
CHECK(kw_letter)
{
    int ok;
    long f = ifeval_kw_int(kw, "let_frequency", &ok);
    int rel = ifeval_kw_relation(kw, "let_relation");
    const char *letter = ifeval_kw_str(kw, "letter");
    if (!ok || rel < 0 || !letter || !*letter)
        return bad(msg, msz, "needs letter, let_frequency, let_relation");
    const char *lp = letter;
    size_t ll = strlen(letter);
    score_trim(&lp, &ll);
    struct buf l = {0};
    score_lower(lp, ll, &l);
    long count = 0;
    size_t adv = 0;
    if (l.len)
        score_utf8_next(l.data, l.len, &adv);
    if (l.len && adv == l.len) {
        const struct buf *low = ifeval_lower(t);
        for (const char *p = low->data;
             (p = memmem(p, low->len - (size_t)(p - low->data), l.data, l.len)); p += l.len)
            count++;
    }
    buf_free(&l);
    return ifeval_compare(count, rel, f);
}

/* language:response_language - langdetect.detect(value) == language;
 * undetectable text (LangDetectException) counts as followed */
CHECK(lang_response)
{
    const char *want = ifeval_kw_str(kw, "language");
    if (!want)
        return bad(msg, msz, "needs language");
    char code[8];
    struct bai_error err = {0};
    int r = ifeval_langdetect(t->s, t->n, code, &err);
    if (r < 0)
        return bad(msg, msz, err.msg);
    return r == 0 || !strcmp(code, want);
}

/* length_constraints:number_sentences - punkt sentence count vs threshold */
CHECK(len_sentences)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_sentences", &ok);
    int rel = ifeval_kw_relation(kw, "relation");
    if (!ok || rel < 0)
        return bad(msg, msz, "needs num_sentences, relation");
    return ifeval_compare((long)ifeval_count_sentences(t->s, t->n), rel, want);
}

/* length_constraints:number_paragraphs - re.split(r"\s?\*\*\*\s?"); empty
 * first/last pieces are dropped, an empty middle piece fails */
static struct score_pyre re_par_split = { "\\s?\\*\\*\\*\\s?", 0, NULL };
CHECK(len_paragraphs)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_paragraphs", &ok);
    if (!ok)
        return bad(msg, msz, "needs num_paragraphs");
    const pcre2_code *re = score_pyre_get(&re_par_split);
    size_t at = 0, prev = 0, pieces = 0, removed = 0, ms, me;
    int pe = 0;
    for (;;) {
        int m = score_pyre_next(re, t->s, t->n, &at, &pe, &ms, &me);
        size_t end = m > 0 ? ms : t->n;
        const char *p = t->s + prev;
        size_t l = end - prev;
        score_trim(&p, &l);
        if (!l) {
            if (pieces == 0 || m <= 0)
                removed++;              /* first or last piece */
            else
                return 0;               /* an empty paragraph in the middle */
        }
        pieces++;
        if (m <= 0)
            break;
        prev = me;
    }
    return (long)(pieces - removed) == want;
}

/* length_constraints:number_words - count of \w+ tokens vs threshold */
CHECK(len_words)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_words", &ok);
    int rel = ifeval_kw_relation(kw, "relation");
    if (!ok || rel < 0)
        return bad(msg, msz, "needs num_words, relation");
    return ifeval_compare((long)ifeval_count_words(t->s, t->n), rel, want);
}

/* length_constraints:nth_paragraph_first_word - split on "\n\n"; count the
 * non-blank pieces; piece nth (1-based, over all pieces) stripped must be
 * non-empty and its first word, quotes trimmed and cut at . , ? ! ' ",
 * lower-cased, must equal first_word; and the count must equal
 * num_paragraphs */
CHECK(len_nth_first_word)
{
    int ok1, ok2;
    long num = ifeval_kw_int(kw, "num_paragraphs", &ok1);
    long nth = ifeval_kw_int(kw, "nth_paragraph", &ok2);
    const char *fw = ifeval_kw_str(kw, "first_word");
    if (!ok1 || !ok2 || !fw || nth <= 0)
        return bad(msg, msz, "needs num_paragraphs, nth_paragraph, first_word");
    const char *s = t->s;
    size_t n = t->n, nonblank = 0, idx = 0;
    const char *nth_p = NULL;
    size_t nth_len = 0;
    size_t start = 0;
    for (;;) {
        const char *hit = n > start ? memmem(s + start, n - start, "\n\n", 2) : NULL;
        size_t end = hit ? (size_t)(hit - s) : n;
        const char *p = s + start;
        size_t l = end - start;
        score_trim(&p, &l);
        if (l)
            nonblank++;
        idx++;
        if ((long)idx == nth) {
            nth_p = p;
            nth_len = l;
        }
        if (!hit)
            break;
        start = end + 2;
    }
    if (nth > (long)nonblank || !nth_p || !nth_len)
        return 0;
    /* first word: up to the first white space */
    size_t wl = 0;
    while (wl < nth_len) {
        size_t adv;
        if (score_cp_is_space(score_utf8_next(nth_p + wl, nth_len - wl, &adv)))
            break;
        wl += adv;
    }
    const char *w = nth_p;
    while (wl && *w == '\'') { w++; wl--; }
    while (wl && *w == '"') { w++; wl--; }
    size_t cut = 0;
    while (cut < wl && !strchr(".,?!'\"", w[cut]))
        cut++;
    struct buf got = {0}, want = {0};
    /* `first_word += letter.lower()`, one character at a time (so no
     * final sigma); the expected word was lower-cased whole */
    for (size_t i = 0; i < cut;) {
        size_t adv;
        score_utf8_next(w + i, cut - i, &adv);
        score_lower(w + i, adv, &got);
        i += adv;
    }
    if (!got.data)
        buf_append(&got, "", 0);
    score_lower(fw, strlen(fw), &want);
    int r = (long)nonblank == num && got.len == want.len && !memcmp(got.data, want.data, got.len);
    buf_free(&got);
    buf_free(&want);
    return r;
}

/* detectable_content:number_placeholders - len(re.findall(r"\[.*?\]")) >= n */
CHECK(content_placeholders)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_placeholders", &ok);
    if (!ok)
        return bad(msg, msz, "needs num_placeholders");
    return (long)ifeval_count_placeholders(t->s, t->n) >= want;
}

/* detectable_content:postscript - on value.lower(): P.P.S -> p\.\s?p\.\s?s,
 * P.S. -> p\.\s?s\., else the marker lower-cased as a pattern */
static struct score_pyre re_pps = { "\\s*p\\.\\s?p\\.\\s?s.*$", PYRE_M, NULL };
static struct score_pyre re_ps = { "\\s*p\\.\\s?s\\..*$", PYRE_M, NULL };
int ifeval_check_postscript(struct ifeval_text *t, const cJSON *kw, char *msg, size_t msz)
{
    const char *marker = ifeval_kw_str(kw, "postscript_marker");
    if (!marker)
        return bad(msg, msz, "needs postscript_marker");
    struct buf m = {0};
    const char *mp = marker;
    size_t ml = strlen(marker);
    score_trim(&mp, &ml);
    buf_append(&m, mp, ml);
    const struct buf *low = ifeval_lower(t);
    int r;
    if (!strcmp(m.data, "P.P.S")) {
        r = score_pyre_search(score_pyre_get(&re_pps), low->data, low->len);
    } else if (!strcmp(m.data, "P.S.")) {
        r = score_pyre_search(score_pyre_get(&re_ps), low->data, low->len);
    } else {
        struct buf lm = {0}, pat = {0};
        score_lower(m.data, m.len, &lm);
        buf_printf(&pat, "\\s*%s.*$", lm.data);
        struct bai_error err = {0};
        const pcre2_code *re = score_pyre_cached(pat.data, PYRE_M, &err);
        r = re ? score_pyre_search(re, low->data, low->len) : -1;
        buf_free(&lm);
        buf_free(&pat);
        if (r < 0)
            snprintf(msg, msz, "bad postscript_marker pattern");
    }
    buf_free(&m);
    return r;
}

/* detectable_format:number_bullet_lists - exactly num_bullets bullets */
CHECK(format_bullets)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_bullets", &ok);
    if (!ok)
        return bad(msg, msz, "needs num_bullets");
    return (long)ifeval_count_bullets(t->s, t->n) == want;
}

/* detectable_format:constrained_response - value.strip() contains one of
 * "My answer is yes." / "My answer is no." / "My answer is maybe." */
CHECK(format_constrained)
{
    static const char *const opts[] = { "My answer is yes.", "My answer is no.", "My answer is maybe." };
    for (size_t i = 0; i < 3; i++)
        if (memmem(t->s, t->n, opts[i], strlen(opts[i])))
            return 1;
    return 0;
}

/* detectable_format:number_highlighted_sections - highlights >= n */
CHECK(format_highlights)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_highlights", &ok);
    if (!ok)
        return bad(msg, msz, "needs num_highlights");
    return (long)ifeval_count_highlights(t->s, t->n) >= want;
}

/* detectable_format:multiple_sections - len(re.split(r"\s?" + spliter +
 * r"\s?\d+\s?", value)) - 1 >= num_sections (spliter is a pattern) */
CHECK(format_sections)
{
    int ok;
    long want = ifeval_kw_int(kw, "num_sections", &ok);
    const char *sp = ifeval_kw_str(kw, "section_spliter");
    if (!ok || !sp)
        return bad(msg, msz, "needs section_spliter, num_sections");
    const char *p = sp;
    size_t l = strlen(sp);
    score_trim(&p, &l);
    struct buf pat = {0};
    buf_puts(&pat, "\\s?");
    buf_append(&pat, p, l);
    buf_puts(&pat, "\\s?\\d+\\s?");
    struct bai_error err = {0};
    const pcre2_code *re = score_pyre_cached(pat.data, 0, &err);
    buf_free(&pat);
    if (!re)
        return bad(msg, msz, "bad section_spliter pattern");
    long splits = (long)score_pyre_count(re, t->s, t->n);
    return splits >= want;
}

/* detectable_format:json_format - parses after the reference's fence strip */
CHECK(format_json)
{
    return ifeval_is_json(t->s, t->n);
}

/* detectable_format:title - a non-blank <<title>> */
CHECK(format_title)
{
    return ifeval_has_title(t->s, t->n);
}

/* combination:two_responses - split on "******": empty pieces allowed only
 * first/last; exactly two non-empty pieces that differ after strip() */
CHECK(comb_two_responses)
{
    const char *s = t->s;
    size_t n = t->n, start = 0, nvalid = 0;
    const char *v[2] = {0};
    size_t vl[2] = {0};
    for (;;) {
        const char *hit = n > start ? memmem(s + start, n - start, "******", 6) : NULL;
        size_t end = hit ? (size_t)(hit - s) : n;
        const char *p = s + start;
        size_t l = end - start;
        score_trim(&p, &l);
        if (!l) {
            if (start != 0 && hit)
                return 0;               /* empty piece in the middle */
        } else {
            if (nvalid < 2) {
                v[nvalid] = p;
                vl[nvalid] = l;
            }
            nvalid++;
        }
        if (!hit)
            break;
        start = end + 6;
    }
    return nvalid == 2 && !(vl[0] == vl[1] && !memcmp(v[0], v[1], vl[0]));
}

/* combination:repeat_prompt - value.strip().lower() starts with
 * prompt_to_repeat.strip().lower() */
CHECK(comb_repeat_prompt)
{
    const char *pr = ifeval_kw_str(kw, "prompt_to_repeat");
    if (!pr)
        return bad(msg, msz, "needs prompt_to_repeat");
    const struct buf *low = ifeval_lower(t);
    const char *a = low->data, *b = pr;
    size_t al = low->len, bl = strlen(pr);
    score_trim(&a, &al);
    score_trim(&b, &bl);
    struct buf lb = {0};
    score_lower(b, bl, &lb);
    int r = al >= lb.len && !memcmp(a, lb.data, lb.len);
    buf_free(&lb);
    return r;
}

/* startend:end_checker - value.strip().strip('"').lower() ends with
 * end_phrase.strip().lower() */
CHECK(startend_end)
{
    const char *ep = ifeval_kw_str(kw, "end_phrase");
    if (!ep)
        return bad(msg, msz, "needs end_phrase");
    /* lower() leaves white space and quotes alone, so lowering first (the
     * shared lower-case copy) and stripping after is the same */
    const struct buf *low = ifeval_lower(t);
    const char *a = low->data, *b = ep;
    size_t al = low->len, bl = strlen(ep);
    score_trim(&a, &al);
    while (al && a[0] == '"') { a++; al--; }
    while (al && a[al - 1] == '"') al--;
    score_trim(&b, &bl);
    struct buf lb = {0};
    score_lower(b, bl, &lb);
    int r = al >= lb.len && !memcmp(a + al - lb.len, lb.data, lb.len);
    buf_free(&lb);
    return r;
}

/* startend:quotation - value.strip() is longer than 1 and starts and ends
 * with '"' */
CHECK(startend_quotation)
{
    const char *a = t->s;
    size_t al = t->n;
    score_trim(&a, &al);
    return al > 1 && a[0] == '"' && a[al - 1] == '"';
}

/* change_case:capital_word_frequency - word_tokenize tokens with isupper() */
CHECK(case_capital_words)
{
    int ok;
    long want = ifeval_kw_int(kw, "capital_frequency", &ok);
    int rel = ifeval_kw_relation(kw, "capital_relation");
    if (!ok || rel < 0)
        return bad(msg, msz, "needs capital_frequency, capital_relation");
    return ifeval_compare((long)ifeval_count_capital_words(t->s, t->n), rel, want);
}

/* `value.isupper() and langdetect.detect(value) == "en"` inside the
 * reference's try: detection runs only when the case test passed, and a
 * LangDetectException makes the check followed */
static int case_and_english(struct ifeval_text *t, int upper, char *msg, size_t msz)
{
    if (!(upper ? score_str_isupper(t->s, t->n) : score_str_islower(t->s, t->n)))
        return 0;
    char code[8];
    struct bai_error err = {0};
    int r = ifeval_langdetect(t->s, t->n, code, &err);
    if (r < 0)
        return bad(msg, msz, err.msg);
    return r == 0 || !strcmp(code, "en");
}

/* change_case:english_capital - value.isupper() and detect(value) == "en" */
CHECK(case_english_capital)
{
    (void)kw;
    return case_and_english(t, 1, msg, msz);
}

/* change_case:english_lowercase - value.islower() and detect(value) == "en" */
CHECK(case_english_lowercase)
{
    (void)kw;
    return case_and_english(t, 0, msg, msz);
}

/* punctuation:no_comma - not re.search(r"\,", value) */
CHECK(punct_no_comma)
{
    return memchr(t->s, ',', t->n) == NULL;
}

const struct ifeval_type ifeval_reference_types[] = {
    { "keywords:existence", kw_existence, "l:keywords" },
    { "keywords:frequency", kw_frequency, "s:keyword i:frequency r:relation" },
    { "keywords:forbidden_words", kw_forbidden, "l:forbidden_words" },
    { "keywords:letter_frequency", kw_letter, "s:letter i:let_frequency r:let_relation" },
    { "language:response_language", lang_response, "s:language" },
    { "length_constraints:number_sentences", len_sentences, "i:num_sentences r:relation" },
    { "length_constraints:number_paragraphs", len_paragraphs, "i:num_paragraphs" },
    { "length_constraints:number_words", len_words, "i:num_words r:relation" },
    { "length_constraints:nth_paragraph_first_word", len_nth_first_word,
      "i:num_paragraphs i:nth_paragraph s:first_word" },
    { "detectable_content:number_placeholders", content_placeholders, "i:num_placeholders" },
    { "detectable_content:postscript", ifeval_check_postscript, "s:postscript_marker" },
    { "detectable_format:number_bullet_lists", format_bullets, "i:num_bullets" },
    { "detectable_format:constrained_response", format_constrained, "" },
    { "detectable_format:number_highlighted_sections", format_highlights, "i:num_highlights" },
    { "detectable_format:multiple_sections", format_sections, "s:section_spliter i:num_sections" },
    { "detectable_format:json_format", format_json, "" },
    { "detectable_format:title", format_title, "" },
    { "combination:two_responses", comb_two_responses, "" },
    { "combination:repeat_prompt", comb_repeat_prompt, "s:prompt_to_repeat" },
    { "startend:end_checker", startend_end, "s:end_phrase" },
    { "startend:quotation", startend_quotation, "" },
    { "change_case:capital_word_frequency", case_capital_words,
      "i:capital_frequency r:capital_relation" },
    { "change_case:english_capital", case_english_capital, "" },
    { "change_case:english_lowercase", case_english_lowercase, "" },
    { "punctuation:no_comma", punct_no_comma, "" },
};
const size_t ifeval_reference_count = sizeof ifeval_reference_types / sizeof ifeval_reference_types[0];
