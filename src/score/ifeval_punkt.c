/* ifeval_punkt.c - nltk's punkt sentence splitter with its English model,
 * for IFEval's number_sentences (instructions_util.count_sentences:
 * len(nltk.data.load("tokenizers/punkt/english.pickle").tokenize(text))).
 *
 * The algorithm follows nltk 3.8's nltk/tokenize/punkt.py
 * (PunktSentenceTokenizer.span_tokenize: _match_potential_end_contexts,
 * _slices_from_text, text_contains_sentbreak, the first and second
 * annotation passes with the orthographic, collocation and sentence-starter
 * heuristics, _realign_boundaries), its regular expressions run through
 * pyre.h so they keep Python's meaning. The parameters are the English
 * model's (data/punkt/english, NLTK Data's punkt, MIT License), built into
 * the binary (score/punkt_data.c): Debian has no package of them.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "score/ifeval.h"
#include "score/pyre.h"
#include "score/text.h"
#include "score/unicode_py.h"

/* ---- the English parameters ---------------------------------------------- */

extern const char punkt_en_abbrev_types[], punkt_en_collocations[], punkt_en_sent_starters[],
    punkt_en_ortho_context[];

struct pset {
    char **keys;
    int *vals;
    size_t cap;
};

static uint64_t fnv(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 1099511628211ULL;
    return h;
}

static void pset_init(struct pset *p, size_t cap)
{
    p->cap = cap;
    p->keys = xcalloc(cap, sizeof *p->keys);
    p->vals = xcalloc(cap, sizeof *p->vals);
}

static void pset_put(struct pset *p, const char *k, size_t n, int v)
{
    size_t i = fnv(k, n) & (p->cap - 1);
    while (p->keys[i] && !(strlen(p->keys[i]) == n && !memcmp(p->keys[i], k, n)))
        i = (i + 1) & (p->cap - 1);
    if (!p->keys[i])
        p->keys[i] = xstrndup(k, n);
    p->vals[i] = v;
}

/* the value, or -1 when absent */
static int pset_get(const struct pset *p, const char *k, size_t n)
{
    size_t i = fnv(k, n) & (p->cap - 1);
    while (p->keys[i]) {
        if (strlen(p->keys[i]) == n && !memcmp(p->keys[i], k, n))
            return p->vals[i];
        i = (i + 1) & (p->cap - 1);
    }
    return -1;
}

static struct pset abbrevs, starters, collocs, ortho;
static pthread_once_t params_once = PTHREAD_ONCE_INIT;

/* The punkt_tab format: one entry a line ('\n' ends it, nothing else is
 * trimmed); .tab files hold two fields split by a tab. */
static void load_lines(struct pset *p, const char *text, int tab_int)
{
    for (const char *l = text; *l;) {
        const char *e = strchr(l, '\n');
        size_t n = e ? (size_t)(e - l) : strlen(l);
        if (tab_int) {
            const char *t = memchr(l, '\t', n);
            if (t)
                pset_put(p, l, (size_t)(t - l), atoi(t + 1));
        } else {
            pset_put(p, l, n, 1);    /* collocations keep their tab: "a\tb" */
        }
        l += n + (e != NULL);
    }
}

static void load_params(void)
{
    pset_init(&abbrevs, 1024);
    pset_init(&starters, 256);
    pset_init(&collocs, 256);
    pset_init(&ortho, 1u << 16);
    load_lines(&abbrevs, punkt_en_abbrev_types, 0);
    load_lines(&starters, punkt_en_sent_starters, 0);
    load_lines(&collocs, punkt_en_collocations, 0);
    load_lines(&ortho, punkt_en_ortho_context, 1);
}

/* ---- PunktLanguageVars' patterns (Python syntax) ------------------------- */

/* _re_non_word_chars, _re_multi_char_punct and _re_word_start */
#define NONWORD "(?:[)\\\";}\\]\\*:@\\'\\({\\[?!])"
#define MULTI "(?:\\-{2,}|\\.{2,}|(?:\\.\\s){2,}\\.)"
#define WORDSTART "[^\\(\\\"\\`{\\[:;&\\#\\*@\\)}\\]\\-,]"

/* _word_tokenize_fmt: a multi-character punctuation, or a word up to
 * where a word ends, or any other single character */
static struct score_pyre re_word = {
    "(" MULTI "|(?=" WORDSTART ")\\S+?(?=\\s|$|" NONWORD "|" MULTI
    "|,(?=$|\\s|" NONWORD "|" MULTI "))|\\S)", 0, NULL };
/* _period_context_fmt: a sentence-ending character followed by other
 * punctuation, or by white space and the next token (groups 1 and 2) */
static struct score_pyre re_period = {
    "[\\.\\?!](?=(?P<after_tok>" NONWORD "|\\s+(?P<next_tok>\\S+)))", 0, NULL };
/* re_boundary_realignment */
static struct score_pyre re_realign = { "[\"\\')\\]}]+?(?:\\s+|(?=--)|$)", PYRE_M, NULL };
/* PunktToken._RE_NUMERIC */
static struct score_pyre re_numeric = { "^-?[\\.,]?\\d[\\d,\\.-]*\\.?$", 0, NULL };

/* ---- tokens ----------------------------------------------------------- */

enum { ORTHO_BEG_UC = 2, ORTHO_MID_UC = 4, ORTHO_UNK_UC = 8, ORTHO_BEG_LC = 16,
       ORTHO_MID_LC = 32, ORTHO_UNK_LC = 64 };
#define ORTHO_UC (ORTHO_BEG_UC | ORTHO_MID_UC | ORTHO_UNK_UC)
#define ORTHO_LC (ORTHO_BEG_LC | ORTHO_MID_LC | ORTHO_UNK_LC)

struct ptok {
    const char *tok;
    size_t len;
    struct buf type;
    int period_final, sentbreak, abbr, ellipsis;
};

static uint32_t first_cp(const struct ptok *t)
{
    size_t adv;
    return score_utf8_next(t->tok, t->len, &adv);
}

static void tok_init(struct ptok *t, const char *s, size_t n)
{
    memset(t, 0, sizeof *t);
    t->tok = s;
    t->len = n;
    struct buf low = {0};
    score_lower(s, n, &low);
    /* _get_type: the lower-cased token, or ##number## when it is numeric */
    if (score_pyre_search(score_pyre_get(&re_numeric), low.data, low.len))
        buf_puts(&t->type, "##number##");
    else
        buf_append(&t->type, low.data, low.len);
    buf_free(&low);
    t->period_final = n && s[n - 1] == '.';
}

/* type_no_period as a span of t->type */
static size_t type_no_period_len(const struct ptok *t)
{
    if (t->type.len > 1 && t->type.data[t->type.len - 1] == '.')
        return t->type.len - 1;
    return t->type.len;
}

static size_t type_no_sentperiod_len(const struct ptok *t)
{
    return t->sentbreak ? type_no_period_len(t) : t->type.len;
}

static int is_ellipsis(const struct ptok *t)
{
    if (t->len < 2)
        return 0;
    for (size_t i = 0; i < t->len; i++)
        if (t->tok[i] != '.')
            return 0;
    return 1;
}

/* _RE_INITIAL: one [^\W\d] character and a period */
static int is_initial(const struct ptok *t)
{
    if (t->len < 2 || t->tok[t->len - 1] != '.')
        return 0;
    size_t adv;
    uint32_t c = score_utf8_next(t->tok, t->len, &adv);
    unsigned f = unicode_py_flags(c);
    return adv == t->len - 1 && (f & PY_WORD) && !(f & PY_DIGIT);
}

static int in_abbrevs(const char *s, size_t n)
{
    return pset_get(&abbrevs, s, n) > 0;
}

/* _first_pass_annotation */
static void first_pass(struct ptok *t)
{
    if (t->len == 1 && (t->tok[0] == '.' || t->tok[0] == '?' || t->tok[0] == '!')) {
        t->sentbreak = 1;
    } else if (is_ellipsis(t)) {
        t->ellipsis = 1;
    } else if (t->period_final && !(t->len >= 2 && t->tok[t->len - 2] == '.')) {
        /* tok[:-1].lower() or its last '-' part is a known abbreviation */
        struct buf low = {0};
        score_lower(t->tok, t->len - 1, &low);
        const char *l = low.data ? low.data : "";
        const char *dash = memrchr(l, '-', low.len);
        const char *tail = dash ? dash + 1 : l;
        if (in_abbrevs(l, low.len) || in_abbrevs(tail, low.len - (size_t)(tail - l)))
            t->abbr = 1;
        else
            t->sentbreak = 1;
        buf_free(&low);
    }
}

/* _ortho_heuristic: 1 True, 0 False, 2 "unknown" */
static int ortho_heuristic(const struct ptok *t)
{
    if (t->len == 1 && strchr(";:,.!?", t->tok[0]))
        return 0;
    int ctx = pset_get(&ortho, t->type.data, type_no_sentperiod_len(t));
    if (ctx < 0)
        ctx = 0;
    unsigned f = unicode_py_flags(first_cp(t));
    int upper = (f & PY_UPPER) != 0, lower = (f & PY_LOWER) != 0;
    if (upper && (ctx & ORTHO_LC) && !(ctx & ORTHO_MID_UC))
        return 1;
    if (lower && ((ctx & ORTHO_UC) || !(ctx & ORTHO_BEG_LC)))
        return 0;
    return 2;
}

/* _second_pass_annotation of t1 given the token after it */
static void second_pass(struct ptok *t1, const struct ptok *t2)
{
    if (!t1->period_final)
        return;
    size_t tl = type_no_period_len(t1), nl = type_no_sentperiod_len(t2);
    int initial = is_initial(t1);
    struct buf key = {0};
    buf_append(&key, t1->type.data, tl);
    buf_putc(&key, '\t');
    buf_append(&key, t2->type.data, nl);
    int colloc = pset_get(&collocs, key.data, key.len) > 0;
    buf_free(&key);
    if (colloc) {
        t1->sentbreak = 0;
        t1->abbr = 1;
        return;
    }
    if ((t1->abbr || t1->ellipsis) && !initial) {
        int starter = ortho_heuristic(t2);
        if (starter == 1) {
            t1->sentbreak = 1;
            return;
        }
        if ((unicode_py_flags(first_cp(t2)) & PY_UPPER) &&
            pset_get(&starters, t2->type.data, nl) > 0) {
            t1->sentbreak = 1;
            return;
        }
    }
    if (initial || (tl == 10 && !memcmp(t1->type.data, "##number##", 10))) {
        int starter = ortho_heuristic(t2);
        if (starter == 0) {
            t1->sentbreak = 0;
            t1->abbr = 1;
            return;
        }
        if (starter == 2 && initial && (unicode_py_flags(first_cp(t2)) & PY_UPPER)) {
            int ctx = pset_get(&ortho, t2->type.data, nl);
            if (!((ctx < 0 ? 0 : ctx) & ORTHO_LC)) {
                t1->sentbreak = 0;
                t1->abbr = 1;
            }
        }
    }
}

/* a line is blank for str.strip() */
static int blank(const char *s, size_t n)
{
    score_trim(&s, &n);
    return n == 0;
}

/* text_contains_sentbreak(text[a, b)): the words of its non-blank lines,
 * annotated; true when a sentence break is followed by another token */
static int contains_sentbreak(const char *s, size_t a, size_t b)
{
    const pcre2_code *wre = score_pyre_get(&re_word);
    struct ptok prev, cur;
    int have_prev = 0, found = 0, result = 0;
    for (size_t ls = a; ls <= b && !result;) {
        const char *nl = memchr(s + ls, '\n', b - ls);
        size_t le = nl ? (size_t)(nl - s) : b;
        if (!blank(s + ls, le - ls)) {
            size_t at = 0, ms, me;
            int pe = 0;
            while (!result && score_pyre_next(wre, s + ls, le - ls, &at, &pe, &ms, &me)) {
                tok_init(&cur, s + ls + ms, me - ms);
                first_pass(&cur);
                if (have_prev) {
                    second_pass(&prev, &cur);
                    if (found)
                        result = 1;
                    else if (prev.sentbreak)
                        found = 1;
                    if (found && !result) {
                        /* the current token follows a sentence break */
                        result = 1;
                    }
                    buf_free(&prev.type);
                }
                prev = cur;
                have_prev = 1;
            }
        }
        if (!nl)
            break;
        ls = le + 1;
    }
    if (have_prev)
        buf_free(&prev.type);
    return result;
}

/* _get_last_whitespace_index over string.whitespace (ASCII) */
static size_t last_ws(const char *s, size_t a, size_t b)
{
    for (size_t i = b; i > a; i--) {
        char c = s[i - 1];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
            return i - 1 - a;
    }
    return 0;
}

struct pctx {
    size_t start, end;          /* the match: one character */
    size_t next_tok;            /* start of next_tok, or SIZE_MAX */
    size_t ctx_start, ctx_end;  /* the decision text */
};

struct slice { size_t a, b; };

size_t ifeval_count_sentences(const char *s, size_t n)
{
    pthread_once(&params_once, load_params);
    const pcre2_code *pre = score_pyre_get(&re_period);
    /* _match_potential_end_contexts */
    struct pctx *ctx = NULL;
    size_t nctx = 0, ccap = 0;
    struct slice prev_slice = { 0, 0 };
    int have_prev = 0;
    struct pctx prev = {0};
    size_t at = 0, ov[6];
    int r;
    while (at <= n && (r = score_re_exec(pre, s, n, at, ov, 3)) > 0) {
        struct pctx m = { ov[0], ov[1], (size_t)-1, 0, 0 };
        size_t after_end = ov[3];
        if (r >= 3 && ov[4] != PCRE2_UNSET)
            m.next_tok = ov[4];
        size_t idx = last_ws(s, prev_slice.b, m.start);
        size_t word_start = idx ? idx + prev_slice.b + 1 : prev_slice.a;
        struct slice word = { word_start, m.start };
        if (have_prev && prev_slice.b <= word.a) {
            XGROW(ctx, nctx + 1, ccap);
            ctx[nctx++] = prev;
        }
        m.ctx_start = word.a;
        m.ctx_end = after_end;
        prev = m;
        have_prev = 1;
        prev_slice = word;
        at = ov[1];
    }
    if (have_prev) {
        XGROW(ctx, nctx + 1, ccap);
        ctx[nctx++] = prev;
    }
    /* _slices_from_text */
    struct slice *sl = NULL;
    size_t nsl = 0, scap = 0, last_break = 0;
    for (size_t i = 0; i < nctx; i++) {
        if (contains_sentbreak(s, ctx[i].ctx_start, ctx[i].ctx_end)) {
            XGROW(sl, nsl + 1, scap);
            sl[nsl++] = (struct slice){ last_break, ctx[i].end };
            last_break = ctx[i].next_tok != (size_t)-1 ? ctx[i].next_tok : ctx[i].end;
        }
    }
    const char *rs = s;
    size_t rn = n;
    score_trim(&rs, &rn);               /* len(text.rstrip()) */
    size_t rstrip_len = rn ? (size_t)(rs - s) + rn : 0;
    XGROW(sl, nsl + 1, scap);
    sl[nsl++] = (struct slice){ last_break, rstrip_len };
    free(ctx);
    /* _realign_boundaries: count what it yields */
    const pcre2_code *rre = score_pyre_get(&re_realign);
    size_t count = 0, realign = 0;
    for (size_t i = 0; i < nsl; i++) {
        struct slice s1 = { sl[i].a + realign, sl[i].b };
        int nonempty = s1.a < s1.b;
        if (i + 1 == nsl) {
            count += nonempty;
            break;
        }
        struct slice s2 = sl[i + 1];
        size_t len2 = s2.b > s2.a ? s2.b - s2.a : 0;
        size_t mo[2];
        int m = score_re_exec_opts(rre, s + s2.a, len2, 0, PCRE2_ANCHORED, mo, 1);
        if (m > 0) {
            count++;
            realign = mo[1];
        } else {
            realign = 0;
            count += nonempty;
        }
    }
    free(sl);
    return count;
}
