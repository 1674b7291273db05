/* exact.c - the `exact` scorer: extract an answer (optional PCRE2 pattern,
 * first or last match), normalise it and the accepted answers the same way,
 * and compare (equality, or whole-word containment with contains: true).
 * Also hosts the normalisation helpers declared in text.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "score/score.h"
#include "score/pyre.h"
#include "score/text.h"
#include "score/unicode_py.h"

int score_norm_flags(const cJSON *data, struct bai_error *err)
{
    const cJSON *v = score_opt(data, "normalize");
    if (!v)
        return SCORE_NORM_DEFAULT;
    char **names;
    size_t n = score_strings(v, &names);
    int flags = 0;
    for (size_t i = 0; i < n; i++) {
        int k = score_values_index(SCORE_NORM_NAMES, names[i]);
        if (k < 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "unknown normalize '%s' (known: %s)", names[i],
                          SCORE_NORM_NAMES);
            score_strings_free(names, n);
            return -1;
        }
        flags |= 1 << k;
    }
    score_strings_free(names, n);
    return flags;
}

/* Bytes of the decimal digit (Python's \d: any Unicode Nd, as MGSM's
 * parse_answer reads them) at t[i], 0 when there is none. */
static size_t digit_len(const char *t, size_t m, size_t i)
{
    if (i >= m)
        return 0;
    unsigned char c = (unsigned char)t[i];
    if (c < 0x80)
        return c >= '0' && c <= '9';
    size_t adv;
    uint32_t cp = score_utf8_next(t + i, m - i, &adv);
    return (unicode_py_flags(cp) & PY_DIGIT) ? adv : 0;
}

/* a word character or a point ends at t[i] (i > 0) */
static int glued_before(const char *t, size_t i)
{
    size_t k = i - 1;
    while (k > 0 && ((unsigned char)t[k] & 0xC0) == 0x80 && i - k < 4)
        k--;
    size_t adv;
    uint32_t cp = score_utf8_next(t + k, i - k, &adv);
    return cp == '.' || score_cp_is_word(cp);
}

/* MGSM's score_mgsm, applied to every number of s: all commas are deleted
 * (it deletes every ',', so 1,00,000 and 1,234 both lose theirs); a
 * fraction loses its trailing zeros, and the point when nothing is left
 * (3.0 -> 3, 2.50 -> 2.5), as rstrip("0").rstrip(".") does; points right
 * after a number and before the end, white space or punctuation go too
 * (5. -> 5, 50.0. -> 50; 5.x stays). Digits are Python's \d (٣٤ is a
 * number). Unlike score_mgsm, a sign '+' is dropped: its parse_answer
 * never yields a sign, so in MGSM "+5" scores as 5 (docs/scoring.md lists
 * the deviations). A number glued to a word or a point (v1.0, x2.50) is
 * left as written. */
static void normalize_numbers(const char *s, size_t n, struct buf *out)
{
    struct buf nc = {0};
    for (size_t i = 0; i < n; i++)
        if (s[i] != ',')
            buf_putc(&nc, s[i]);
    const char *t = nc.data;
    size_t m = nc.len;
    size_t i = 0;
    while (i < m) {
        int word_before = i > 0 && glued_before(t, i);
        size_t at = i;
        if (!word_before && t[at] == '+' && digit_len(t, m, at + 1))
            at++;
        if (word_before || !digit_len(t, m, at)) {
            size_t adv = 1;
            if ((unsigned char)t[i] >= 0x80)
                score_utf8_next(t + i, m - i, &adv);
            buf_append(out, t + i, adv);
            i += adv;
            continue;
        }
        size_t j = at, d;
        while ((d = digit_len(t, m, j)))
            j += d;
        buf_append(out, t + at, j - at);
        size_t k = j;
        while (k < m && t[k] == '.')
            k++;
        if (k == j + 1 && digit_len(t, m, k)) {          /* a fraction */
            size_t end = k;
            while ((d = digit_len(t, m, end)))
                end += d;
            size_t keep = end;
            while (keep > k && t[keep - 1] == '0')
                keep--;
            if (keep > k)
                buf_append(out, t + j, keep - j);
            j = end;
            k = j;
            while (k < m && t[k] == '.')
                k++;
        }
        if (k > j && (k == m || !((unsigned char)t[k] >= 0x80 ||
                                  score_cp_is_word((unsigned char)t[k]))))
            j = k;                                          /* trailing point(s): 5., 50.0. */
        i = j;
    }
    buf_free(&nc);
}

void score_normalize(const char *s, size_t n, int flags, struct buf *out)
{
    struct buf a = {0}, b = {0};
    buf_append(&a, s, n);
    if (flags & SCORE_NORM_NUMBER) {
        normalize_numbers(a.data, a.len, &b);
        buf_reset(&a);
        buf_append(&a, b.data ? b.data : "", b.len);
        buf_reset(&b);
    }
    if (flags & SCORE_NORM_LOWER) {
        score_lower(a.data, a.len, &b);
        buf_reset(&a);
        buf_append(&a, b.data, b.len);
        buf_reset(&b);
    }
    if (flags & SCORE_NORM_STRIP_PUNCT) {
        for (size_t i = 0; i < a.len;) {
            size_t adv;
            uint32_t cp = score_utf8_next(a.data + i, a.len - i, &adv);
            int ascii_p = cp > 0x20 && cp < 0x7F && !score_cp_is_word(cp);
            if (!ascii_p && !score_cp_is_punct(cp))
                buf_append(&b, a.data + i, adv);
            i += adv;
        }
        buf_reset(&a);
        buf_append(&a, b.data ? b.data : "", b.len);
        buf_reset(&b);
    }
    if (flags & SCORE_NORM_STRIP_ARTICLES) {
        /* \b(a|an|the)\b: a maximal run of word characters equal to one of
         * the three (case-insensitively here, since lower may be off). */
        for (size_t i = 0; i < a.len;) {
            size_t adv;
            uint32_t cp = score_utf8_next(a.data + i, a.len - i, &adv);
            if (!score_cp_is_word(cp)) {
                buf_append(&b, a.data + i, adv);
                i += adv;
                continue;
            }
            size_t e = i + adv;
            while (e < a.len && score_cp_is_word(score_utf8_next(a.data + e, a.len - e, &adv)))
                e += adv;
            size_t w = e - i;
            if ((w == 1 && !strncasecmp(a.data + i, "a", 1)) ||
                (w == 2 && !strncasecmp(a.data + i, "an", 2)) ||
                (w == 3 && !strncasecmp(a.data + i, "the", 3)))
                buf_putc(&b, ' ');
            else
                buf_append(&b, a.data + i, w);
            i = e;
        }
        buf_reset(&a);
        buf_append(&a, b.data ? b.data : "", b.len);
        buf_reset(&b);
    }
    const char *p = a.data;
    size_t len = a.len;
    if (flags & SCORE_NORM_STRIP)
        score_trim(&p, &len);
    if (flags & SCORE_NORM_COLLAPSE_WS) {
        int in_space = 0;
        for (size_t i = 0; i < len;) {
            size_t adv;
            uint32_t cp = score_utf8_next(p + i, len - i, &adv);
            if (score_cp_is_space(cp)) {
                if (!in_space)
                    buf_putc(&b, ' ');
                in_space = 1;
            } else {
                buf_append(&b, p + i, adv);
                in_space = 0;
            }
            i += adv;
        }
        buf_append(out, b.data ? b.data : "", b.len);
    } else {
        buf_append(out, p, len);
    }
    buf_free(&a);
    buf_free(&b);
}

int score_contains_word(const char *hay, const char *needle)
{
    return score_contains_word_n(hay, strlen(hay), needle, strlen(needle));
}

/* the code point that ends at s + end (end > 0) */
static uint32_t cp_before(const char *s, size_t end)
{
    size_t k = end - 1;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80 && end - k < 4)
        k--;
    size_t adv;
    uint32_t cp = score_utf8_next(s + k, end - k, &adv);
    return k + adv == end ? cp : 0xFFFD;
}

int score_contains_word_n(const char *hay, size_t hl, const char *needle, size_t nl)
{
    if (!nl || nl > hl)
        return 0;
    size_t adv;
    uint32_t first = score_utf8_next(needle, nl, &adv);
    uint32_t last = cp_before(needle, nl);
    for (const char *p = memmem(hay, hl, needle, nl); p;
         p = (size_t)(p + 1 - hay) + nl <= hl ? memmem(p + 1, hl - (size_t)(p + 1 - hay), needle, nl)
                                             : NULL) {
        size_t at = (size_t)(p - hay);
        int left_ok = at == 0 || !(score_cp_is_word(cp_before(hay, at)) && score_cp_is_word(first));
        int right_ok = at + nl == hl ||
                       !(score_cp_is_word(score_utf8_next(p + nl, hl - at - nl, &adv)) &&
                         score_cp_is_word(last));
        if (left_ok && right_ok)
            return 1;
    }
    return 0;
}

/* ---- MGSM (simple-evals mgsm_eval.py) ------------------------------------ */

/* parse_answer(output, prefix): the text after the last occurrence of the
 * prefix, stripped, commas removed; its last match of \d+\.?\d* (Python's
 * Unicode \d) without trailing points. Appends it to out; 0 when the
 * prefix is absent or no number follows (parse_answer returns ""). */
static struct score_pyre re_mgsm_number = { "\\d+\\.?\\d*", 0, NULL };

static int mgsm_parse_answer(const char *s, size_t n, const char *prefix, struct buf *out)
{
    size_t pl = strlen(prefix), at = 0, after = 0;
    int seen = 0;
    if (!pl)
        return 0;    /* "".split("") raises in Python; no item can use it */
    for (const char *p; at + pl <= n && (p = memmem(s + at, n - at, prefix, pl));) {
        seen = 1;
        after = at = (size_t)(p - s) + pl;
    }
    if (!seen)
        return 0;
    const char *t = s + after;
    size_t tl = n - after;
    score_trim(&t, &tl);
    struct buf nc = {0};
    for (size_t i = 0; i < tl; i++)
        if (t[i] != ',')
            buf_putc(&nc, t[i]);
    size_t pos = 0, a, b, la = 0, lb = 0;
    int pe = 0, found = 0;
    const pcre2_code *re = score_pyre_get(&re_mgsm_number);
    while (score_pyre_next(re, nc.data ? nc.data : "", nc.len, &pos, &pe, &a, &b)) {
        la = a;
        lb = b;
        found = 1;
    }
    if (found) {
        while (lb > la && nc.data[lb - 1] == '.')
            lb--;
        buf_append(out, nc.data + la, lb - la);
    }
    buf_free(&nc);
    return found;
}

/* score_mgsm(target, prediction) */
static int mgsm_equal(const char *target, const char *pred, size_t pl)
{
    struct buf p = {0}, t = {0};
    if (memchr(pred, '.', pl)) {
        while (pl && pred[pl - 1] == '0')
            pl--;
        while (pl && pred[pl - 1] == '.')
            pl--;
    }
    for (size_t i = 0; i < pl; i++)
        if (pred[i] != ',')
            buf_putc(&p, pred[i]);
    for (const char *c = target; *c; c++)
        if (*c != ',')
            buf_putc(&t, *c);
    int eq = p.len == t.len && (!p.len || !memcmp(p.data, t.data, p.len));
    buf_free(&p);
    buf_free(&t);
    return eq;
}

/* ---- the scorer ------------------------------------------------------- */

static size_t answers_of(const cJSON *data, char ***out)
{
    const cJSON *a = score_opt(data, "answers");
    if (!a)
        a = score_opt(data, "answer");
    return score_strings(a, out);
}

/* What the option table cannot check: an answer is required; MGSM's
 * answer_prefix replaces extract, normalize and contains. */
static int exact_validate(const cJSON *data, struct bai_error *err)
{
    char **a;
    int problems = 0;
    size_t n = answers_of(data, &a);
    score_strings_free(a, n);
    if (!n) {
        score_problem(err, "exact: missing field 'answer' (or 'answers')");
        problems++;
    }
    if (score_opt(data, "answer_prefix")) {
        static const char *const other[] = { "extract", "normalize", "contains" };
        for (size_t i = 0; i < 3; i++)
            if (score_opt(data, other[i])) {
                score_problem(err, "exact: option '%s' does not apply with answer_prefix "
                              "(MGSM's own extraction and comparison)", other[i]);
                problems++;
            }
        const char *p = score_opt_str(data, "answer_prefix", "");
        if (!*p) {
            score_problem(err, "exact: option 'answer_prefix' must not be empty");
            problems++;
        }
    }
    return problems;
}

/* answer_prefix: simple-evals MGSM exactly, parse_answer + score_mgsm. */
static int exact_mgsm(const struct score_input *in, char **answers, size_t na,
                      struct score_result *out)
{
    const char *prefix = score_opt_str(in->item->data, "answer_prefix", "");
    struct buf got = {0};
    int found = mgsm_parse_answer(in->output ? in->output : "", score_output_len(in), prefix,
                                  &got);
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "answer_prefix", prefix);
    cJSON_AddStringToObject(d, "parsed", got.data ? got.data : "");
    int matched = -1;
    for (size_t i = 0; i < na && matched < 0; i++)
        if (mgsm_equal(answers[i], got.data ? got.data : "", got.len))
            matched = (int)i;
    if (matched >= 0)
        cJSON_AddNumberToObject(d, "matched", matched);
    if (!found)
        cJSON_AddStringToObject(d, "reason", "no number after the answer prefix");
    out->status = found || matched >= 0 ? SCORE_SCORED : SCORE_UNPARSED;
    out->value = matched >= 0 ? 1.0 : 0.0;
    out->passed = matched >= 0;
    out->extracted = found ? xstrdup(got.data) : NULL;
    out->detail_json = score_detail_finish(d);
    buf_free(&got);
    score_strings_free(answers, na);
    return 0;
}

static int exact_score(const struct score_input *in, const struct score_context *ctx,
                       struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    char **answers;
    size_t na = answers_of(data, &answers);
    int flags = score_norm_flags(data, err);
    if (!na || flags < 0) {
        score_strings_free(answers, na);
        if (!na)
            bai_error_set(err, BAI_EXIT_USAGE, "exact: missing field 'answer' (or 'answers')");
        return -1;
    }
    if (score_opt(data, "answer_prefix"))
        return exact_mgsm(in, answers, na, out);
    const char *output = in->output ? in->output : "";
    const char *span;
    size_t span_len;
    int found = score_extract(data, output, score_output_len(in), &span, &span_len, err);
    if (found < 0) {
        score_strings_free(answers, na);
        return -1;
    }
    int contains = score_opt_bool(data, "contains", 0);
    struct buf got = {0};
    if (found)
        score_normalize(span, span_len, flags, &got);
    else
        buf_append(&got, "", 0);
    const char *t = got.data;
    size_t tl = got.len;
    score_trim(&t, &tl);

    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "normalized", got.data);
    cJSON *norm_answers = cJSON_AddArrayToObject(d, "answers");
    int matched = -1;
    for (size_t i = 0; i < na; i++) {
        struct buf want = {0};
        score_normalize(answers[i], strlen(answers[i]), flags, &want);
        cJSON_AddItemToArray(norm_answers, cJSON_CreateString(want.data));
        if (matched < 0 && tl > 0 &&
            (contains ? score_contains_word_n(got.data, got.len, want.data, want.len)
                      : got.len == want.len && !memcmp(got.data, want.data, got.len)))
            matched = (int)i;
        buf_free(&want);
    }
    if (!found) {
        out->status = SCORE_UNPARSED;
        cJSON_AddStringToObject(d, "reason", "extract pattern did not match");
    } else if (!tl) {
        out->status = SCORE_UNPARSED;
        cJSON_AddStringToObject(d, "reason", "empty answer");
    } else {
        out->status = SCORE_SCORED;
    }
    if (matched >= 0)
        cJSON_AddNumberToObject(d, "matched", matched);
    out->value = matched >= 0 ? 1.0 : 0.0;
    out->passed = matched >= 0;
    out->extracted = found ? xstrndup(span, span_len) : NULL;
    out->detail_json = score_detail_finish(d);
    buf_free(&got);
    score_strings_free(answers, na);
    return 0;
}

static const struct score_field exact_fields[] = {
    { "answer, answers", "the accepted answer, or a list of them; the output (or what extract "
      "finds in it) passes when it equals one of them after normalisation" },
    { NULL, NULL },
};

static const struct score_option exact_options[] = {
    { "normalize", SCORE_OPT_LIST, SCORE_NORM_NAMES, "[strip, lower, collapse_ws]",
      "applied to the output and to the answers, in a fixed order whatever the list order: "
      "number (MGSM's score_mgsm on each number: commas deleted, trailing fraction zeros and "
      "a trailing point dropped; also a '+' sign dropped), lower (Python's str.lower), "
      "strip_punct (ASCII and Unicode punctuation), strip_articles (a, an, the), strip, "
      "collapse_ws" },
    SCORE_OPTIONS_EXTRACT,
    { "answer_prefix", SCORE_OPT_TEXT, NULL, NULL,
      "score as simple-evals MGSM does, exactly: the last number after the last occurrence "
      "of this prefix (its parse_answer), compared by its score_mgsm; extract, normalize and "
      "contains do not apply" },
    { "contains", SCORE_OPT_BOOL, NULL, "false",
      "pass when an accepted answer occurs in the output bounded by non-word characters (42 "
      "is not found in 420)" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_exact = {
    .name = "exact",
    .summary = "extracted answer equals one of the accepted answers after normalisation",
    .fields = exact_fields,
    .options = exact_options,
    .validate = exact_validate,
    .score = exact_score,
};
