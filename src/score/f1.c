/* f1.c - the `f1` scorer: SQuAD / HotpotQA token F1 with the official
 * normalisation (see f1.h). The rules follow the published evaluate scripts
 * (SQuAD v1.1 / v2.0 evaluate.py, hotpot_evaluate_v1.py); where Python's
 * Unicode behaviour matters (str.lower, \b, str.split) text.c supplies the
 * same character classes. */
#include "score/f1.h"
#include <pthread.h>

#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"

struct span { size_t off, len; };

/* ASCII classes for the hot loop: W word (\w), S str.split() white space,
 * P string.punctuation. Non-ASCII goes through text.c. */
enum { A_W = 1, A_S = 2, A_P = 4 };
static const unsigned char ascii_cls[128] = {
    ['\t'] = A_S, ['\n'] = A_S, ['\v'] = A_S, ['\f'] = A_S, ['\r'] = A_S,
    [0x1C] = A_S, [0x1D] = A_S, [0x1E] = A_S, [0x1F] = A_S, [' '] = A_S,
    ['!'] = A_P, ['"'] = A_P, ['#'] = A_P, ['$'] = A_P, ['%'] = A_P, ['&'] = A_P, ['\''] = A_P,
    ['('] = A_P, [')'] = A_P, ['*'] = A_P, ['+'] = A_P, [','] = A_P, ['-'] = A_P, ['.'] = A_P,
    ['/'] = A_P, [':'] = A_P, [';'] = A_P, ['<'] = A_P, ['='] = A_P, ['>'] = A_P, ['?'] = A_P,
    ['@'] = A_P, ['['] = A_P, ['\\'] = A_P, [']'] = A_P, ['^'] = A_P, ['_'] = A_P | A_W, ['`'] = A_P,
    ['{'] = A_P, ['|'] = A_P, ['}'] = A_P, ['~'] = A_P,
    ['0'] = A_W, ['1'] = A_W, ['2'] = A_W, ['3'] = A_W, ['4'] = A_W, ['5'] = A_W, ['6'] = A_W,
    ['7'] = A_W, ['8'] = A_W, ['9'] = A_W,
#define L(c) [c] = A_W, [c - 32] = A_W
    L('a'), L('b'), L('c'), L('d'), L('e'), L('f'), L('g'), L('h'), L('i'), L('j'), L('k'),
    L('l'), L('m'), L('n'), L('o'), L('p'), L('q'), L('r'), L('s'), L('t'), L('u'), L('v'),
    L('w'), L('x'), L('y'), L('z'),
#undef L
};

static int is_article(const char *w, size_t n)
{
    return (n == 1 && w[0] == 'a') || (n == 2 && w[0] == 'a' && w[1] == 'n') ||
           (n == 3 && w[0] == 't' && w[1] == 'h' && w[2] == 'e');
}

/* class of the code point at t[i]: A_W, A_S or 0; sets *adv */
static inline int cls_at(const char *t, size_t len, size_t i, size_t *adv)
{
    unsigned char c = (unsigned char)t[i];
    if (c < 0x80) {
        *adv = 1;
        return ascii_cls[c] & (A_W | A_S);
    }
    uint32_t cp = score_utf8_next(t + i, len - i, adv);
    return score_cp_is_space(cp) ? A_S : score_cp_is_word(cp) ? A_W : 0;
}

/* Normalises s into out (tokens joined by one space) and records each
 * token's span in *toks. Steps as in normalize_answer, fused in two passes:
 * lower + drop ASCII punctuation; then articles (maximal \w runs equal to
 * a/an/the: the exact meaning of \b(a|an|the)\b) become spaces, and the
 * text is split on white space. */
static void normalize_tokens(const char *s, size_t n, struct buf *out, struct buf *tmp,
                             struct span **toks, size_t *ntok, size_t *cap)
{
    buf_reset(tmp);
    score_lower(s, n, tmp);   /* whole string: the final-sigma rule needs context */
    size_t w = 0;
    for (size_t i = 0; i < tmp->len; i++) {
        unsigned char c = (unsigned char)tmp->data[i];
        if (c >= 0x80 || !(ascii_cls[c] & A_P))
            tmp->data[w++] = (char)c;
    }
    tmp->len = w;
    tmp->data[w] = 0;
    const char *t = tmp->data;
    size_t len = tmp->len;

    *ntok = 0;
    size_t base = out->len;
    int in_tok = 0;
    for (size_t i = 0; i < len;) {
        size_t adv;
        int k = cls_at(t, len, i, &adv);
        if (k == A_S) {
            in_tok = 0;
            i += adv;
            continue;
        }
        size_t run_end = i + adv;
        if (k == A_W) {
            size_t a2;
            while (run_end < len && cls_at(t, len, run_end, &a2) == A_W)
                run_end += a2;
            if (is_article(t + i, run_end - i)) {
                in_tok = 0;        /* replaced by a space */
                i = run_end;
                continue;
            }
        }
        if (!in_tok) {
            if (out->len > base)
                buf_putc(out, ' ');
            XGROW(*toks, *ntok + 1, *cap);
            (*toks)[*ntok].off = out->len;
            (*toks)[*ntok].len = 0;
            (*ntok)++;
            in_tok = 1;
        }
        buf_append(out, t + i, run_end - i);
        (*toks)[*ntok - 1].len += run_end - i;
        i = run_end;
    }
    if (!out->data)
        buf_append(out, "", 0);
}

void score_squad_normalize(const char *s, size_t n, struct buf *out)
{
    struct buf tmp = {0};
    struct span *toks = NULL;
    size_t ntok = 0, cap = 0;
    normalize_tokens(s, n, out, &tmp, &toks, &ntok, &cap);
    buf_free(&tmp);
    free(toks);
}

/* Thread-local scratch so the hot path does not allocate after warm-up.
 * A thread that ends frees it (a pthread key's destructor): benchai run
 * scores on a consumer thread per batch, which would otherwise leave one
 * scratch behind each time. */
struct f1_scratch {
    struct buf tmp, p, g;
    struct span *pt, *gt;
    size_t pcap, gcap;
    unsigned char *used;
    size_t ucap;
};
static _Thread_local struct f1_scratch sc;
static pthread_key_t sc_key;
static pthread_once_t sc_once = PTHREAD_ONCE_INIT;

static void sc_free(void *unused)
{
    (void)unused;
    buf_free(&sc.tmp);
    buf_free(&sc.p);
    buf_free(&sc.g);
    free(sc.pt);
    free(sc.gt);
    free(sc.used);
    memset(&sc, 0, sizeof sc);
}

static void sc_key_make(void)
{
    pthread_key_create(&sc_key, sc_free);
}

/* Called before the scratch is first used on a thread. */
static void sc_register(void)
{
    pthread_once(&sc_once, sc_key_make);
    if (!pthread_getspecific(sc_key))
        pthread_setspecific(sc_key, &sc);        /* non-NULL: the destructor runs */
}

/* Tokens as spans of one text: the text is the sort's context. */
static int span_cmp(const void *a, const void *b, void *base)
{
    const char *text = base;
    const struct span *x = a, *y = b;
    size_t m = x->len < y->len ? x->len : y->len;
    int c = memcmp(text + x->off, text + y->off, m);
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

/* sum over tokens of min(count in pred, count in gold): Counter & Counter. */
static size_t common_tokens(const char *pb, struct span *pt, size_t np, const char *gb,
                            struct span *gt, size_t ng)
{
    size_t same = 0;
    if (!np || !ng)
        return 0;
    if (np * ng <= 4096) {
        XGROW(sc.used, ng, sc.ucap);
        memset(sc.used, 0, ng);
        for (size_t i = 0; i < np; i++)
            for (size_t j = 0; j < ng; j++)
                if (!sc.used[j] && pt[i].len == gt[j].len &&
                    !memcmp(pb + pt[i].off, gb + gt[j].off, pt[i].len)) {
                    sc.used[j] = 1;
                    same++;
                    break;
                }
        return same;
    }
    /* large inputs (a 10 MB output): sort both token lists and merge,
     * O(n log n) instead of O(n * m). */
    qsort_r(pt, np, sizeof *pt, span_cmp, (void *)pb);
    qsort_r(gt, ng, sizeof *gt, span_cmp, (void *)gb);
    size_t i = 0, j = 0;
    while (i < np && j < ng) {
        size_t m = pt[i].len < gt[j].len ? pt[i].len : gt[j].len;
        int c = memcmp(pb + pt[i].off, gb + gt[j].off, m);
        if (!c)
            c = (pt[i].len > gt[j].len) - (pt[i].len < gt[j].len);
        if (!c) { same++; i++; j++; }
        else if (c < 0) i++;
        else j++;
    }
    return same;
}

static int buf_is(const struct buf *b, const char *s)
{
    size_t n = strlen(s);
    return b->len == n && !memcmp(b->data, s, n);
}

static int is_yes_no(const struct buf *b)
{
    return buf_is(b, "yes") || buf_is(b, "no") || buf_is(b, "noanswer");
}

void score_f1_pair(const char *pred, const char *gold, enum f1_variant v,
                   struct f1_scores *out)
{
    score_f1_pair_n(pred, strlen(pred), gold, v, out);
}

void score_f1_pair_n(const char *pred, size_t pred_len, const char *gold, enum f1_variant v,
                     struct f1_scores *out)
{
    size_t np, ng;
    sc_register();
    buf_reset(&sc.p);
    buf_reset(&sc.g);
    normalize_tokens(pred, pred_len, &sc.p, &sc.tmp, &sc.pt, &np, &sc.pcap);
    normalize_tokens(gold, strlen(gold), &sc.g, &sc.tmp, &sc.gt, &ng, &sc.gcap);
    memset(out, 0, sizeof *out);
    int same_text = sc.p.len == sc.g.len && !memcmp(sc.p.data, sc.g.data, sc.p.len);
    out->em = same_text ? 1.0 : 0.0;
    if (v == F1_HOTPOT && ((is_yes_no(&sc.p) || is_yes_no(&sc.g)) && !same_text))
        return;
    if (v == F1_SQUAD2 && (np == 0 || ng == 0)) {
        double r = (np == 0 && ng == 0) ? 1.0 : 0.0;
        out->f1 = out->precision = out->recall = r;
        return;
    }
    size_t same = common_tokens(sc.p.data, sc.pt, np, sc.g.data, sc.gt, ng);
    if (same == 0)
        return;
    out->precision = (double)same / (double)np;
    out->recall = (double)same / (double)ng;
    out->f1 = 2 * out->precision * out->recall / (out->precision + out->recall);
}

size_t score_f1_best(const char *pred, char *const *golds, size_t n_gold,
                     enum f1_variant v, struct f1_scores *out)
{
    return score_f1_best_n(pred, strlen(pred), golds, n_gold, v, out);
}

size_t score_f1_best_n(const char *pred, size_t pred_len, char *const *golds, size_t n_gold,
                       enum f1_variant v, struct f1_scores *out)
{
    memset(out, 0, sizeof *out);
    size_t best = 0;
    double best_f1 = -1;
    for (size_t i = 0; i < n_gold; i++) {
        struct f1_scores s;
        score_f1_pair_n(pred, pred_len, golds[i], v, &s);
        if (s.em > out->em)
            out->em = s.em;
        if (s.f1 > best_f1) {
            best_f1 = s.f1;
            best = i;
            out->f1 = s.f1;
            out->precision = s.precision;
            out->recall = s.recall;
        }
    }
    return best;
}

/* ---- the scorer ------------------------------------------------------- */

#define F1_VARIANT_NAMES "squad|squad2|hotpot"   /* in enum f1_variant order */

static int parse_variant(const cJSON *data, enum f1_variant *v)
{
    int k = score_values_index(F1_VARIANT_NAMES, score_opt_str(data, "variant", "squad"));
    *v = k < 0 ? F1_SQUAD : (enum f1_variant)k;
    return k < 0 ? -1 : 0;
}

/* The gold answers: `answers` (or `answer`) as a string, a list of
 * strings, SQuAD's {text: [...]} or the SQuAD JSON's [{text, ...}, ...].
 * Returns the count (0 for an empty list); *present is 0 when there is no
 * such field at all. */
static size_t golds_of(const cJSON *data, char ***golds, int *present)
{
    const cJSON *a = score_opt(data, "answers");
    if (!a)
        a = score_opt(data, "answer");
    if (cJSON_IsObject(a))
        a = cJSON_GetObjectItemCaseSensitive(a, "text");
    *present = cJSON_IsArray(a) || cJSON_IsString(a);
    if (!cJSON_IsArray(a) || !cJSON_IsObject(cJSON_GetArrayItem(a, 0)))
        return score_strings(a, golds);
    size_t n = 0;
    *golds = xcalloc((size_t)cJSON_GetArraySize(a) + 1, sizeof **golds);
    const cJSON *e;
    cJSON_ArrayForEach(e, a) {
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "text");
        if (cJSON_IsString(t))
            (*golds)[n++] = xstrdup(t->valuestring);
    }
    return n;
}

/* What the option table cannot check: gold answers are required; only
 * SQuAD v2.0 has unanswerable questions (an empty list). */
static int f1_validate(const cJSON *data, struct bai_error *err)
{
    char **g;
    int present;
    size_t n = golds_of(data, &g, &present);
    score_strings_free(g, n);
    enum f1_variant v;
    if (!present) {
        score_problem(err, "f1: missing field 'answers' (or 'answer')");
        return 1;
    }
    if (n == 0 && parse_variant(data, &v) == 0 && v != F1_SQUAD2) {
        score_problem(err, "f1: 'answers' is empty; only variant squad2 (SQuAD v2.0) has "
                           "unanswerable questions");
        return 1;
    }
    return 0;
}

/* SQuAD v2.0's get_raw_scores: golds that normalise to nothing are
 * dropped, and a question left without any is unanswerable, gold ['']
 * (only a prediction that normalises to nothing matches it). Updates
 * golds and *n in place (golds has room for one string even when *n is
 * 0); *dropped counts the golds removed. Returns 1 when unanswerable. */
static int squad2_golds(char **golds, size_t *n, size_t *dropped)
{
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        struct buf norm = {0};
        score_squad_normalize(golds[i], strlen(golds[i]), &norm);
        if (norm.len)
            golds[kept++] = golds[i];
        else
            free(golds[i]);
        buf_free(&norm);
    }
    *dropped = *n - kept;
    if (kept) {
        *n = kept;
        return 0;
    }
    golds[0] = xstrdup("");
    *n = 1;
    return 1;
}

static int f1_score(const struct score_input *in, const struct score_context *ctx,
                    struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    enum f1_variant v;
    char **golds;
    int present;
    size_t ng = golds_of(data, &golds, &present);
    if (f1_validate(data, err) || parse_variant(data, &v) < 0) {
        score_strings_free(golds, ng);
        return -1;
    }
    size_t dropped = 0;
    int unanswerable = 0;
    if (v == F1_SQUAD2) {
        golds = xrealloc(golds, (ng + 1) * sizeof *golds);
        unanswerable = squad2_golds(golds, &ng, &dropped);
    }
    const char *span;
    size_t span_len;
    const char *output = in->output ? in->output : "";
    int found = score_extract(data, output, score_output_len(in), &span, &span_len, err);
    if (found < 0) {
        score_strings_free(golds, ng);
        return -1;
    }
    size_t pred_len = found ? span_len : 0;
    char *pred = xstrndup(found ? span : "", pred_len);
    if (found)
        memcpy(pred, span, pred_len);          /* keeps NUL characters */
    const char *t = pred;
    size_t tl = pred_len;
    score_trim(&t, &tl);
    /* Unparsed: the pattern found nothing, or (squad, hotpot) nothing was
     * answered. An empty answer is still scored as the official scripts
     * score it (EM 1 against a gold that normalises to nothing; F1 0,
     * which is also the unparsed value); under squad2 it is the answer
     * "no answer" and counts as scored. */
    int unparsed = !found || (!tl && v != F1_SQUAD2);
    struct f1_scores s = {0};
    size_t best = found ? score_f1_best_n(pred, pred_len, golds, ng, v, &s) : 0;
    double threshold = score_opt_num(data, "threshold", 0.5);
    out->value = s.f1;
    out->passed = !unparsed && s.f1 >= threshold;
    out->status = unparsed ? SCORE_UNPARSED : SCORE_SCORED;
    struct buf norm = {0};
    score_squad_normalize(pred, pred_len, &norm);
    out->extracted = pred;

    cJSON *d = cJSON_CreateObject();
    cJSON_AddNumberToObject(d, "em", s.em);
    cJSON_AddNumberToObject(d, "f1", s.f1);
    cJSON_AddNumberToObject(d, "precision", s.precision);
    cJSON_AddNumberToObject(d, "recall", s.recall);
    cJSON_AddStringToObject(d, "best_gold", golds[best]);
    cJSON_AddStringToObject(d, "normalized_prediction", norm.data ? norm.data : "");
    cJSON_AddStringToObject(d, "variant", score_opt_str(data, "variant", "squad"));
    if (v == F1_SQUAD2) {
        cJSON_AddBoolToObject(d, "unanswerable", unanswerable);
        if (dropped)
            cJSON_AddNumberToObject(d, "golds_dropped", (double)dropped);
    }
    if (!found)
        cJSON_AddStringToObject(d, "reason", "extract pattern did not match");
    else if (unparsed)
        cJSON_AddStringToObject(d, "reason", "empty prediction");
    out->detail_json = score_detail_finish(d);
    buf_free(&norm);
    score_strings_free(golds, ng);
    return 0;
}

static const struct score_field f1_fields[] = {
    { "answers, answer", "the gold answers: a string, a list of strings, SQuAD's {text: "
      "[...]} or [{text, answer_start}, ...]; EM and F1 are each the maximum over them. Under "
      "squad2 an empty list is an unanswerable question" },
    { NULL, NULL },
};

static const struct score_option f1_options[] = {
    { "variant", SCORE_OPT_ENUM, F1_VARIANT_NAMES, "squad",
      "whose rule: SQuAD v1.1's evaluate script (no common token gives F1 0), SQuAD v2.0's "
      "(if either side has no token, F1 = EM) or HotpotQA's (yes, no and noanswer must match "
      "exactly)" },
    { "threshold", SCORE_OPT_NUMBER, NULL, "0.5", "passed when F1 >= threshold" },
    SCORE_OPTIONS_EXTRACT,
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_f1 = {
    .name = "f1",
    .graded = 1,
    .summary = "SQuAD/HotpotQA token F1 and exact match with the official normalisation",
    .fields = f1_fields,
    .options = f1_options,
    .validate = f1_validate,
    .score = f1_score,
};
