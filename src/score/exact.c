/* exact.c - the `exact` scorer: extract an answer (optional PCRE2 pattern,
 * first or last match), normalise it and the accepted answers the same way,
 * and compare (equality, or whole-word containment with contains: true).
 * Also hosts the normalisation helpers declared in text.h. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "score/score.h"
#include "score/text.h"

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

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* MGSM's score_mgsm, applied to every number of s: all commas are deleted
 * (it deletes every ',', so 1,00,000 and 1,234 both lose theirs); a
 * fraction loses its trailing zeros, and the point when nothing is left
 * (3.0 -> 3, 2.50 -> 2.5), as rstrip("0").rstrip(".") does; points right
 * after a number and before the end, white space or punctuation go too
 * (5. -> 5; 5.x stays). Unlike
 * score_mgsm, a sign '+' is dropped: its parse_answer never yields a sign,
 * so in MGSM "+5" scores as 5 (docs/scoring.md lists the deviations). A
 * number glued to a word or a point (v1.0, x2.50) is left as written. */
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
        int word_before = i > 0 && (is_digit(t[i - 1]) || t[i - 1] == '.' ||
                                    ((unsigned char)t[i - 1] < 0x80 &&
                                     score_cp_is_word((unsigned char)t[i - 1])));
        size_t at = i;
        if (!word_before && t[at] == '+' && at + 1 < m && is_digit(t[at + 1]))
            at++;
        if (word_before || !is_digit(t[at])) {
            buf_putc(out, t[i]);
            i++;
            continue;
        }
        size_t j = at;
        while (j < m && is_digit(t[j]))
            j++;
        buf_append(out, t + at, j - at);
        size_t k = j;
        while (k < m && t[k] == '.')
            k++;
        if (k == j + 1 && k < m && is_digit(t[k])) {       /* a fraction */
            size_t end = k;
            while (end < m && is_digit(t[end]))
                end++;
            size_t keep = end;
            while (keep > k && t[keep - 1] == '0')
                keep--;
            if (keep > k)
                buf_append(out, t + j, keep - j);
            j = end;
        } else if (k > j && (k == m || !((unsigned char)t[k] >= 0x80 ||
                                         score_cp_is_word((unsigned char)t[k])))) {
            j = k;                                          /* trailing point(s): 5. */
        }
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
    size_t nl = strlen(needle);
    if (!nl)
        return 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) {
        int left_ok = 1, right_ok = 1;
        if (p > hay) {
            const char *q = p - 1;
            while (q > hay && ((unsigned char)*q & 0xC0) == 0x80)
                q--;
            size_t adv;
            uint32_t before = score_utf8_next(q, (size_t)(p - q), &adv);
            size_t first_adv;
            uint32_t first = score_utf8_next(needle, nl, &first_adv);
            left_ok = !(score_cp_is_word(before) && score_cp_is_word(first));
        }
        if (p[nl]) {
            size_t adv;
            uint32_t after = score_utf8_next(p + nl, strlen(p + nl), &adv);
            const char *q = needle + nl - 1;
            while (q > needle && ((unsigned char)*q & 0xC0) == 0x80)
                q--;
            uint32_t last = score_utf8_next(q, (size_t)(needle + nl - q), &adv);
            right_ok = !(score_cp_is_word(after) && score_cp_is_word(last));
        }
        if (left_ok && right_ok)
            return 1;
    }
    return 0;
}

/* ---- the scorer ------------------------------------------------------- */

static size_t answers_of(const cJSON *data, char ***out)
{
    const cJSON *a = score_opt(data, "answers");
    if (!a)
        a = score_opt(data, "answer");
    return score_strings(a, out);
}

/* What the option table cannot check: an answer is required. */
static int exact_validate(const cJSON *data, struct bai_error *err)
{
    char **a;
    size_t n = answers_of(data, &a);
    score_strings_free(a, n);
    if (n)
        return 0;
    score_problem(err, "exact: missing field 'answer' (or 'answers')");
    return 1;
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
    const char *output = in->output ? in->output : "";
    const char *span;
    size_t span_len;
    int found = score_extract(data, output, &span, &span_len, err);
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
            (contains ? score_contains_word(got.data, want.data) : !strcmp(got.data, want.data)))
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
