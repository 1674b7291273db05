/* choice_extract.c - finding the answer letter in a multiple-choice output.
 *
 * Two official extractions, reproduced exactly (openai/simple-evals):
 * the MMLU path (common.py: normalize_response, then each pattern of
 * MULTILINGUAL_ANSWER_REGEXES in MULTILINGUAL_ANSWER_PATTERN_TEMPLATE in
 * list order, re.search, normalize_extracted_answer) and the GPQA path
 * (ANSWER_PATTERN_MULTICHOICE, re.search on the raw response). And the
 * default chain: the MMLU extraction with the letters narrowed to the
 * item's, then fallbacks for the shapes models also use (\boxed{C},
 * "the answer is C", lm-evaluation-harness's flexible-extract rules). */
#include "score/choice.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "score/text.h"

/* ---- simple-evals' MMLU extraction ------------------------------------- */

/* common.py normalize_response: these str.replace calls, in this order,
 * each one pass over the result of the previous (so removing "{" can
 * expose a "\boxed" the earlier steps did not see). */
static const char *const response_strip[] = {
    "**", "$\\boxed{", "}$", "\\$", "$\\text{", "$", "\\mathrm{", "\\{", "\\text", "\\(",
    "\\mathbf{", "{", "\\boxed",
};

void score_choice_normalize_response(const char *s, size_t n, struct buf *out)
{
    struct buf a = {0}, b = {0};
    buf_append(&a, s, n);
    for (size_t r = 0; r < sizeof response_strip / sizeof response_strip[0]; r++) {
        const char *pat = response_strip[r];
        size_t pl = strlen(pat);
        buf_reset(&b);
        buf_append(&b, "", 0);
        /* copy the runs between matches; memchr finds candidates */
        const char *chunk = a.data, *scan = a.data, *end = a.data + a.len, *hit;
        while ((hit = memchr(scan, pat[0], (size_t)(end - scan))) != NULL) {
            if ((size_t)(end - hit) >= pl && !memcmp(hit, pat, pl)) {
                buf_append(&b, chunk, (size_t)(hit - chunk));
                chunk = scan = hit + pl;
            } else {
                scan = hit + 1;
            }
        }
        buf_append(&b, chunk, (size_t)(end - chunk));
        struct buf t = a;
        a = b;
        b = t;
    }
    buf_append(out, a.data, a.len);
    buf_free(&a);
    buf_free(&b);
}

/* Python's \s for str patterns (the characters str.isspace() accepts):
 * PCRE2's \s without UCP is ASCII only. */
#define PY_S "[\\t-\\r\\x{1c}-\\x{20}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}" \
             "\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
/* MULTILINGUAL_ANSWER_PATTERN_TEMPLATE's tail, "[ \t]*([A-D]|[أ-د]|[অ]|[ব]|[ড]|[ঢ]|[Ａ]|[Ｂ]|[Ｃ]|[Ｄ])"
 * under (?i), with the letters widened to A-Z (both cases) and full-width
 * Ａ-Ｚ: which of them count is decided per item after the match (a
 * rejected letter resumes the search one character on, which is what the
 * narrower class would find). */
#define TAIL "[ \\t]*([A-Za-z]|[\\x{623}-\\x{62f}]|\\x{985}|\\x{9ac}|\\x{9a1}|\\x{9a2}|" \
             "[\\x{ff21}-\\x{ff3a}\\x{ff41}-\\x{ff5a}])"
#define ENTRY(prefix) { prefix TAIL, PCRE2_CASELESS, NULL }
/* An i of the pattern: under (?i) Python's re also matches U+0130 and
 * U+0131 with it (simple lower-casing), PCRE2's case folding does not. */
#define PY_I "[i\\x{130}\\x{131}]"
#define ZWSP6 "\\x{200b}\\x{200b}\\x{200b}\\x{200b}\\x{200b}\\x{200b}"

/* MULTILINGUAL_ANSWER_REGEXES, in the published order; non-ASCII written
 * as code points (the second entry's "Korean invisible character" is six
 * U+200B). */
static struct score_re mmlu_re[] = {
    ENTRY("Answer" PY_S "*:"),
    ENTRY("Answer" PY_S "*:" ZWSP6),
    ENTRY("\\x{989}\\x{9a4}\\x{9cd}\\x{9a4}\\x{9b0}" PY_S "*:"),
    ENTRY("\\x{909}\\x{924}\\x{94d}\\x{924}\\x{930}" PY_S "*:"),
    ENTRY("\\x{989}\\x{9a4}\\x{9cd}\\x{9a4}\\x{9b0}\\x{983}"),
    ENTRY("\\x{989}\\x{9a4}\\x{9cd}\\x{9a4}\\x{9b0}" PY_S "*:"),
    ENTRY("Antwort" PY_S "*:"),
    ENTRY("\\x{b2f5}\\x{bcc0}" PY_S "*:"),
    ENTRY("\\x{c815}\\x{b2f5}" PY_S "*:"),
    ENTRY("\\x{b2f5}" PY_S "*:"),
    ENTRY("\\x{7b54}\\x{6848}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{7b54}\\x{6848}" PY_S "*:"),
    ENTRY("\\x{7b54}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{7b54}" PY_S "*:"),
    ENTRY("\\x{7b54}\\x{590d}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{7b54}\\x{66f0}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{627}\\x{644}\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629}:"),
    ENTRY("\\x{627}\\x{644}\\x{62c}\\x{648}\\x{627}\\x{628}:"),
    ENTRY("\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629}:"),
    ENTRY("\\x{627}\\x{644}\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629} "
          "\\x{627}\\x{644}\\x{646}\\x{647}\\x{627}\\x{626}\\x{64a}\\x{629}:"),
    ENTRY("\\x{627}\\x{644}\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629} "
          "\\x{627}\\x{644}\\x{635}\\x{62d}\\x{64a}\\x{62d}\\x{629}:"),
    ENTRY("\\x{627}\\x{644}\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629} "
          "\\x{627}\\x{644}\\x{635}\\x{62d}\\x{64a}\\x{62d}\\x{629} \\x{647}\\x{64a}:"),
    ENTRY("\\x{627}\\x{644}\\x{625}\\x{62c}\\x{627}\\x{628}\\x{629} \\x{647}\\x{64a}:"),
    ENTRY("\\x{627}\\x{644}\\x{62c}\\x{648}\\x{627}\\x{628} "
          "\\x{627}\\x{644}\\x{646}\\x{647}\\x{627}\\x{626}\\x{64a}:"),
    ENTRY("Respuesta" PY_S "*:"),
    ENTRY("R" PY_I "sposta" PY_S "*:"),
    ENTRY("\\x{7b54}\\x{3048}" PY_S "*:"),
    ENTRY("\\x{7b54}\\x{3048}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{56de}\\x{7b54}" PY_S "*:"),
    ENTRY("\\x{56de}\\x{7b54}" PY_S "*\\x{ff1a}"),
    ENTRY("\\x{89e3}\\x{7b54}" PY_S "*:"),
    ENTRY("Jawaban" PY_S "*:"),
    ENTRY("R\\x{e9}ponse" PY_S "*:"),
    ENTRY("Resposta" PY_S "*:"),
    ENTRY("J" PY_I "bu" PY_S "*:"),
    ENTRY(PY_I "dahun" PY_S "*:"),
    ENTRY("\\x{cc}d\\x{e1}h\\x{f9}n" PY_S "*:"),
    ENTRY(PY_I "d\\x{e1}h\\x{f9}n" PY_S "*:"),
    ENTRY("A\\x{300}m\\x{1ecd}\\x{300}na\\x{300}" PY_S "*:"),
    ENTRY("\\x{c0}d\\x{e1}h\\x{f9}n" PY_S "*:"),
    ENTRY("A\\x{300}nu\\x{301}go\\x{323}" PY_S "*:"),
    ENTRY("\\x{c0}\\x{1e63}\\x{e0}y\\x{e0}n" PY_S "*:"),
};
#define N_MMLU (sizeof mmlu_re / sizeof mmlu_re[0])

/* What a character the pattern's group admits stands for: its letter
 * ('A'..'Z'), or 0 for the Arabic letters of the range [أ-د] that are not
 * أ ب ج د. *as_is is 1 when simple-evals keeps the character as that
 * letter (upper-case ASCII, and what normalize_extracted_answer maps),
 * 0 when it keeps another text (a lower-case letter stays "c", which it
 * then compares with "C" and counts wrong). -1 for characters outside the
 * group. */
static int group_letter(uint32_t cp, int *as_is)
{
    static const uint32_t mapped[] = { 0x623, 0x628, 0x62c, 0x62f,     /* أ ب ج د */
                                       0x985, 0x9ac, 0x9a1, 0x9a2 };   /* অ ব ড ঢ */
    *as_is = 1;
    if (cp >= 'A' && cp <= 'Z')
        return (int)cp;
    if (cp >= 0xff21 && cp <= 0xff3a)
        return (int)(cp - 0xff21 + 'A');
    for (size_t i = 0; i < 8; i++)
        if (cp == mapped[i])
            return 'A' + (int)(i % 4);
    *as_is = 0;
    if (cp >= 'a' && cp <= 'z')
        return (int)(cp - 'a' + 'A');
    if (cp >= 0xff41 && cp <= 0xff5a)
        return (int)(cp - 0xff41 + 'A');
    if (cp >= 0x623 && cp <= 0x62f)
        return 0;
    return -1;
}

/* Group 1 of the first match of re at or after `from` that accept()
 * admits; returns its byte offset (and sets *glen) or -1. */
typedef int (*accept_fn)(uint32_t cp, char hi);

static long first_admitted(struct score_re *rule, const char *s, size_t len, accept_fn accept,
                           char hi, size_t *glen)
{
    const pcre2_code *re = score_re_get(rule);
    size_t at = 0, ov[4];
    while (at <= len && score_re_exec(re, s, len, at, ov, 2) == 2) {
        size_t adv;
        uint32_t cp = score_utf8_next(s + ov[2], len - ov[2], &adv);
        if (accept(cp, hi)) {
            *glen = ov[3] - ov[2];
            return (long)ov[2];
        }
        at = ov[0] + 1;
        while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
            at++;
    }
    return -1;
}

/* simple-evals' class, [A-D] widened to the item's last letter when it has
 * more than four choices. */
static int accept_official(uint32_t cp, char hi)
{
    int as_is, l = group_letter(cp, &as_is);
    return l == 0 || (l > 0 && l <= hi);
}

/* The default chain's class: only characters that are one of the item's
 * letters. */
static int accept_item(uint32_t cp, char hi)
{
    int as_is, l = group_letter(cp, &as_is);
    return l > 0 && l <= hi;
}

void score_choice_official_mmlu(const char *norm, size_t len, size_t n_choices, char out[8])
{
    out[0] = 0;
    char hi = (char)('A' + (n_choices > 4 ? n_choices : 4) - 1);
    for (size_t e = 0; e < N_MMLU; e++) {
        size_t gl;
        long g = first_admitted(&mmlu_re[e], norm, len, accept_official, hi, &gl);
        if (g < 0)
            continue;
        size_t adv;
        uint32_t cp = score_utf8_next(norm + g, len - (size_t)g, &adv);
        int as_is, l = group_letter(cp, &as_is);
        if (l > 0 && as_is) {            /* normalize_extracted_answer's mapping */
            out[0] = (char)l;
            out[1] = 0;
        } else {                         /* kept as written ("c", an Arabic letter) */
            memcpy(out, norm + g, gl < 7 ? gl : 7);
            out[gl < 7 ? gl : 7] = 0;
        }
        return;
    }
}

/* ---- simple-evals' GPQA extraction ------------------------------------- */

/* ANSWER_PATTERN_MULTICHOICE = (?i)Answer[ \t]*:[ \t]*\$?([A-D])\$? with the
 * letters widened as above; the trailing \$? never changes the match. */
static struct score_re re_gpqa = { "Answer[ \\t]*:[ \\t]*\\$?([A-Za-z])", PCRE2_CASELESS, NULL };

static int accept_ascii(uint32_t cp, char hi)
{
    return cp < 0x80 && isalpha((int)cp) && toupper((int)cp) <= hi;
}

void score_choice_official_gpqa(const char *output, size_t n_choices, char out[8])
{
    char hi = (char)('A' + (n_choices > 4 ? n_choices : 4) - 1);
    size_t gl, len = strlen(output);
    long g = first_admitted(&re_gpqa, output, len, accept_ascii, hi, &gl);
    out[0] = g < 0 ? 0 : output[g];      /* as written: "c" stays lower-case */
    out[1] = 0;
}

/* ---- the default chain ------------------------------------------------- */

static struct score_re re_boxed = {
    "\\\\boxed\\s*\\{\\s*(?:\\\\(?:text|textbf|mathrm|mathbf)\\s*\\{\\s*)?\\(?([A-Z])\\)?(?![A-Za-z])",
    0, NULL };
static struct score_re re_answer_is = { "(?i:answer\\s+is)\\s*:?\\s*\\*{0,2}\\(?([A-Z])\\)?\\*{0,2}(?![A-Za-z])", 0, NULL };
static struct score_re re_bold = { "\\*\\*\\(?([A-Z])\\)?\\*\\*", 0, NULL };
static struct score_re re_lone = { "\\A\\s*\\**\\(?([A-Za-z])\\)?\\**[.:]?\\s*\\z", 0, NULL };
static struct score_re re_paren = { "\\(([A-Z])\\)", 0, NULL };
static struct score_re re_colon = { ":\\s*([A-Z])", 0, NULL };
static struct score_re re_line_start = { "^\\s*([A-Z])[).:](?:\\s|$)", PCRE2_MULTILINE, NULL };

/* Letter from group 1 of the first (or last) match whose letter is one of
 * the item's n choices; 0 when none. Out-of-range matches are skipped, which
 * equals matching with the narrower class [A-<last>] directly. */
static char find_letter(struct score_re *rule, const char *s, size_t len, size_t n, int last)
{
    const pcre2_code *re = score_re_get(rule);
    size_t at = 0, ov[4];
    char found = 0;
    while (at <= len && score_re_exec(re, s, len, at, ov, 2) == 2) {
        char c = (char)toupper((unsigned char)s[ov[2]]);
        if (c >= 'A' && c < 'A' + (int)n) {
            found = c;
            if (!last)
                break;
        }
        at = ov[0] + 1;   /* re-scan overlapping starts: a rejected letter must not hide a later one */
        while (at < len && ((unsigned char)s[at] & 0xC0) == 0x80)
            at++;
    }
    return found;
}

/* lower-case and delete Unicode punctuation (lm-eval's ignore_case and
 * ignore_punctuation for the choice-text step). */
static void fold(const char *s, size_t n, struct buf *out)
{
    struct buf low = {0};
    score_lower(s, n, &low);
    for (size_t i = 0; i < low.len;) {
        size_t adv;
        uint32_t cp = score_utf8_next(low.data + i, low.len - i, &adv);
        if (!score_cp_is_punct(cp))
            buf_append(out, low.data + i, adv);
        i += adv;
    }
    if (!out->data)
        buf_append(out, "", 0);
    buf_free(&low);
}

/* lm-eval step 1: the response mentions a choice's text; leftmost-first
 * alternation scan, last match wins (flexible-extract uses group_select -1). */
static char find_choice_text(const char *s, size_t len, char *const *choices, size_t n)
{
    struct buf hay = {0};
    fold(s, len, &hay);
    struct buf *folded = xcalloc(n, sizeof *folded);
    for (size_t i = 0; i < n; i++) {
        const char *c = choices[i];
        size_t cl = strlen(c);
        score_trim(&c, &cl);
        fold(c, cl, &folded[i]);
    }
    char found = 0;
    for (size_t at = 0; at < hay.len;) {
        size_t k;
        for (k = 0; k < n; k++)
            if (folded[k].len && folded[k].len <= hay.len - at &&
                !memcmp(hay.data + at, folded[k].data, folded[k].len))
                break;
        if (k < n) {
            found = (char)('A' + k);
            at += folded[k].len;
        } else {
            at++;
        }
    }
    for (size_t i = 0; i < n; i++)
        buf_free(&folded[i]);
    free(folded);
    buf_free(&hay);
    return found;
}

/* The MMLU extraction with the item's letters only (a rule of the chain),
 * on normalize_response's text. */
static char mmlu_item_letter(const char *norm, size_t len, size_t n)
{
    char hi = (char)('A' + n - 1);
    for (size_t e = 0; e < N_MMLU; e++) {
        size_t gl, adv;
        long g = first_admitted(&mmlu_re[e], norm, len, accept_item, hi, &gl);
        if (g >= 0) {
            int as_is;
            return (char)group_letter(score_utf8_next(norm + g, len - (size_t)g, &adv), &as_is);
        }
    }
    return 0;
}

enum rule_kind { R_PATTERN, R_MMLU, R_CHOICE_TEXT };
struct rule { const char *name; enum rule_kind kind; struct score_re *re; int last; };
static const struct rule rules[] = {
    { "mmlu", R_MMLU, NULL, 0 },               /* simple-evals, the item's letters */
    { "boxed", R_PATTERN, &re_boxed, 1 },
    { "answer_is", R_PATTERN, &re_answer_is, 1 },
    { "bold", R_PATTERN, &re_bold, 1 },
    { "lone_letter", R_PATTERN, &re_lone, 0 },
    { "paren", R_PATTERN, &re_paren, 1 },      /* lm-eval flexible regex, group_select -1 */
    { "choice_text", R_CHOICE_TEXT, NULL, 1 }, /* lm-eval step 1 */
    { "colon", R_PATTERN, &re_colon, 1 },      /* lm-eval step 2 */
    { "line_start", R_PATTERN, &re_line_start, 0 },
};

char score_choice_extract(const char *output, const char *norm, size_t norm_len,
                          char *const *shown, size_t n, const char **rule)
{
    size_t len = strlen(output);
    char got = 0;
    *rule = NULL;
    for (size_t r = 0; r < sizeof rules / sizeof rules[0] && !got; r++) {
        switch (rules[r].kind) {
        case R_PATTERN: got = find_letter(rules[r].re, output, len, n, rules[r].last); break;
        case R_MMLU: got = mmlu_item_letter(norm, norm_len, n); break;
        case R_CHOICE_TEXT: got = find_choice_text(output, len, shown, n); break;
        }
        if (got)
            *rule = rules[r].name;
    }
    return got;
}
