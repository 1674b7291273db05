/* generator.c - the long-context generator: a haystack of a target length
 * in tokens built from filler prose, needles inserted at a depth (at a
 * sentence boundary), the question at the end; one item per length x depth.
 * Deterministic for a seed: the seed (with the length) picks the sentence
 * the filler starts from, so every depth of one length shares a haystack. */
#include "suite/internal.h"
#include "suite/records.h"
#include "util/fs.h"
#include "util/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPORT(at, ...) suite_diag_add(diags, suite_path, (at)->line, (at)->column, __VA_ARGS__)

static int is_sentence_end(const char *s, size_t i)
{
    /* i is the first character of a sentence when s[i-1] is white space
     * and s[i-2] ends a sentence */
    return i >= 2 && (s[i - 1] == ' ' || s[i - 1] == '\n') &&
           (s[i - 2] == '.' || s[i - 2] == '!' || s[i - 2] == '?' || s[i - 2] == '\n');
}

/* The filler from sentence `start`, cycled, cut at the last sentence end at
 * or before `chars` characters. */
static char *build_body(const char *filler, size_t flen, size_t start, size_t chars)
{
    struct buf b = {0};
    buf_puts(&b, "");
    size_t pos = start;
    while (b.len < chars + 1) {
        size_t take = flen - pos;
        if (take > chars + 1 - b.len)
            take = chars + 1 - b.len;
        buf_append(&b, filler + pos, take);
        pos += take;
        if (pos >= flen) {
            pos = 0;
            if (b.len && b.data[b.len - 1] != '\n')
                buf_puts(&b, "\n\n");
        }
    }
    size_t cut = b.len;
    while (cut > 0 && !is_sentence_end(b.data, cut))
        cut--;
    if (cut == 0)
        cut = chars < b.len ? chars : b.len;
    b.data[cut] = '\0';
    b.len = cut;
    while (b.len && (b.data[b.len - 1] == ' ' || b.data[b.len - 1] == '\n'))
        b.data[--b.len] = '\0';
    return buf_detach(&b);
}

/* Start of the sentence containing p (0 when none before it). */
static size_t snap_to_sentence(const char *s, size_t p)
{
    while (p > 0 && !is_sentence_end(s, p))
        p--;
    return p;
}

struct needle {
    const char *text;
    const struct suite_node *expected;
};

static char *build_prompt(const char *body, const struct needle *nd, size_t n_needles,
                          double depth, const char *question)
{
    size_t blen = strlen(body);
    /* needle 0 at depth; the others evenly over the rest of the text */
    size_t *at = xmalloc(n_needles * sizeof *at);
    for (size_t k = 0; k < n_needles; k++) {
        double d = depth + (100.0 - depth) * (double)k / (double)n_needles;
        size_t p = (size_t)((double)blen * d / 100.0);
        if (p >= blen)
            at[k] = blen;
        else
            at[k] = snap_to_sentence(body, p);
    }
    struct buf b = {0};
    size_t pos = 0;
    for (size_t k = 0; k < n_needles; k++) {
        buf_append(&b, body + pos, at[k] - pos);
        pos = at[k];
        if (b.len && b.data[b.len - 1] != ' ' && b.data[b.len - 1] != '\n')
            buf_putc(&b, ' ');
        buf_puts(&b, nd[k].text);
        buf_putc(&b, pos < blen ? ' ' : '\n');
    }
    buf_append(&b, body + pos, blen - pos);
    buf_printf(&b, "\n\n%s", question);
    free(at);
    return buf_detach(&b);
}

/* The generator's fields once checked: nodes of the suite's tree, the
 * filler text read from its file (owned), seed and reserve as numbers. */
struct lc_spec {
    const struct suite_node *lengths, *depths, *needles, *question;
    char *filler;
    size_t flen;
    uint64_t seed;
    long reserve_tokens;
};

/* Every key of the generator mapping that is not one of its fields. */
static void check_keys(const struct suite_node *gen, const char *suite_path, struct suite_diags *diags)
{
    static const char *const keys[] = { "type", "lengths", "depths", "needles", "question",
                                        "filler", "seed", "reserve_tokens", NULL };
    for (size_t i = 0; i < gen->n; i++) {
        const char *k = gen->keys[i]->value;
        int ok = 0;
        for (size_t j = 0; keys[j]; j++)
            ok |= !strcmp(keys[j], k);
        const char *s = ok ? NULL : suite_suggest(k, keys);
        if (!ok)
            REPORT(gen->keys[i], "unknown key '%s' in generator%s%s%s", k,
                   s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
    }
}

/* The shapes of type, lengths, depths, needles, question, seed and
 * reserve_tokens; fills sp's nodes and numbers (meaningful only when
 * nothing was reported). */
static void check_fields(const struct suite_node *gen, const char *suite_path, struct suite_diags *diags,
                         struct lc_spec *sp)
{
    const struct suite_node *type = suite_node_get(gen, "type");
    const struct suite_node *lengths = suite_node_get(gen, "lengths");
    const struct suite_node *depths = suite_node_get(gen, "depths");
    const struct suite_node *needles = suite_node_get(gen, "needles");
    const struct suite_node *question = suite_node_get(gen, "question");
    const struct suite_node *seed = suite_node_get(gen, "seed");
    const struct suite_node *reserve = suite_node_get(gen, "reserve_tokens");
    if (!type || type->type != SUITE_NODE_SCALAR || strcmp(type->value, "long_context"))
        REPORT(type ? type : gen, "generator 'type' must be long_context");
    if (!lengths || lengths->type != SUITE_NODE_SEQ || lengths->n == 0)
        REPORT(lengths ? lengths : gen, "generator needs 'lengths' (a list of token counts)");
    else
        for (size_t i = 0; i < lengths->n; i++)
            if (lengths->kids[i]->type != SUITE_NODE_SCALAR ||
                suite_scalar_kind(lengths->kids[i]) != SUITE_SCALAR_INT ||
                strtol(lengths->kids[i]->value, NULL, 0) < 256)
                REPORT(lengths->kids[i], "a length must be an integer >= 256");
    if (!depths || depths->type != SUITE_NODE_SEQ || depths->n == 0)
        REPORT(depths ? depths : gen, "generator needs 'depths' (percentages 0..100)");
    else
        for (size_t i = 0; i < depths->n; i++) {
            const struct suite_node *d = depths->kids[i];
            enum suite_scalar_kind k = d->type == SUITE_NODE_SCALAR ? suite_scalar_kind(d)
                                                                      : SUITE_SCALAR_NULL;
            double v = strtod(d->value ? d->value : "", NULL);
            if ((k != SUITE_SCALAR_INT && k != SUITE_SCALAR_FLOAT) || v < 0 || v > 100)
                REPORT(d, "a depth must be a number from 0 to 100");
        }
    if (!needles || needles->type != SUITE_NODE_SEQ || needles->n == 0)
        REPORT(needles ? needles : gen, "generator needs 'needles' (a list of {text, expected})");
    else
        for (size_t i = 0; i < needles->n; i++) {
            const struct suite_node *nd = needles->kids[i];
            const struct suite_node *tx = suite_node_get(nd, "text");
            if (nd->type != SUITE_NODE_MAP || !tx || tx->type != SUITE_NODE_SCALAR || !*tx->value ||
                !suite_node_get(nd, "expected"))
                REPORT(nd, "needle %zu needs 'text' and 'expected'", i + 1);
        }
    if (!question || question->type != SUITE_NODE_SCALAR || !*question->value)
        REPORT(question ? question : gen, "generator needs 'question' (asked after the text)");
    if (seed && (seed->type != SUITE_NODE_SCALAR || suite_scalar_kind(seed) != SUITE_SCALAR_INT))
        REPORT(seed, "'seed' must be an integer");
    if (reserve && (reserve->type != SUITE_NODE_SCALAR ||
                    suite_scalar_kind(reserve) != SUITE_SCALAR_INT))
        REPORT(reserve, "'reserve_tokens' must be an integer");
    sp->lengths = lengths;
    sp->depths = depths;
    sp->needles = needles;
    sp->question = question;
    sp->seed = seed && seed->type == SUITE_NODE_SCALAR ? strtoull(seed->value, NULL, 0) : 0;
    sp->reserve_tokens = reserve && reserve->type == SUITE_NODE_SCALAR ? strtol(reserve->value, NULL, 0) : 32;
}

/* The filler file named by the generator (relative to the suite, confined
 * like every data file): valid UTF-8 of 200 bytes or more. NULL after a
 * report. */
static char *load_filler(const struct suite_node *gen, const char *suite_path,
                         const struct suite_load_options *opts, struct suite_diags *diags, size_t *flen)
{
    const struct suite_node *filler = suite_node_get(gen, "filler");
    if (!filler || filler->type != SUITE_NODE_SCALAR || !*filler->value) {
        REPORT(filler ? filler : gen, "generator needs 'filler' (a text file relative to the suite)");
        return NULL;
    }
    char *why = NULL;
    char *fp = suite_data_path(suite_path, filler->value, opts, &why);
    struct bai_error e = {0};
    char *text = fp ? fs_read_file(fp, flen, &e) : NULL;
    if (!fp)
        REPORT(filler, "filler %s", why);
    else if (!text)
        REPORT(filler, "filler: %s", e.msg);
    else if (suite_utf8_check(fp, text, *flen, &e) != 0 || *flen < 200) {
        REPORT(filler, "filler: %s", e.msg[0] ? e.msg : "file is too short (< 200 bytes)");
        free(text);
        text = NULL;
    }
    free(fp);
    free(why);
    return text;
}

/* Offsets of the filler's sentence starts (0 first): where a seed may let
 * the haystack begin. */
static size_t *sentence_starts(const char *text, size_t len, size_t *n_out)
{
    size_t *starts = NULL, n = 0, cap = 0;
    XGROW(starts, 1, cap);
    starts[n++] = 0;
    for (size_t i = 1; i < len; i++)
        if (is_sentence_end(text, i) && text[i] != ' ' && text[i] != '\n') {
            XGROW(starts, n + 1, cap);
            starts[n++] = i;
        }
    *n_out = n;
    return starts;
}

/* How a haystack's tokens are counted: the model's own tokenizer while it
 * answers (opts->count_tokens), else characters / 4. A tokenizer that
 * fails once is not asked again, and the items say which method sized
 * them. */
struct token_counter {
    const struct suite_load_options *opts;
    int use_tokenizer;
    const char *method;
};

static void counter_init(struct token_counter *c, const struct suite_load_options *opts)
{
    c->opts = opts;
    c->use_tokenizer = opts && opts->count_tokens;
    c->method = c->use_tokenizer ? "server_tokenize" : "estimate_chars_div_4";
}

/* The tokenizer's count of text, or -1 when it failed: from then on the
 * counter estimates. */
static long counter_ask(struct token_counter *c, const char *text)
{
    struct bai_error e = {0};
    int n = c->opts->count_tokens(c->opts->count_tokens_ctx, text, &e);
    if (n < 0) {
        c->use_tokenizer = 0;
        c->method = "estimate_chars_div_4";
        return -1;
    }
    return n;
}

/* Tokens of what every prompt holds besides the filler: the question and
 * the needles (with the spaces around them). */
static long fixed_tokens(struct token_counter *c, const struct lc_spec *sp)
{
    struct buf fixed = {0};
    buf_puts(&fixed, sp->question->value);
    for (size_t i = 0; i < sp->needles->n; i++)
        buf_printf(&fixed, " %s ", suite_node_get(sp->needles->kids[i], "text")->value);
    long n = c->use_tokenizer ? counter_ask(c, fixed.data) : -1;
    if (n < 0)
        n = (long)(fixed.len / 4);
    buf_free(&fixed);
    return n;
}

/* The haystack of one length: filler from `start` sized to `budget`
 * tokens. With the tokenizer the character budget is rescaled until the
 * body fits (token density of prose is steady, so two or three rounds
 * do). *prompt_tokens: the body's tokens plus the fixed ones. */
static char *fit_body(const struct lc_spec *sp, struct token_counter *c, size_t start, long budget,
                      long fixed, long *prompt_tokens)
{
    size_t chars = (size_t)budget * 4;
    char *body = build_body(sp->filler, sp->flen, start, chars);
    *prompt_tokens = (long)(strlen(body) / 4) + fixed;
    if (!c->use_tokenizer)
        return body;
    for (int round = 0; round < 6; round++) {
        long got = counter_ask(c, body);
        if (got < 0)
            break;
        *prompt_tokens = got + fixed;
        if (got <= budget && got >= budget - budget / 50)
            return body;
        double scale = (double)budget / (double)(got > 0 ? got : 1);
        if (got > budget)
            scale *= 0.995;
        chars = (size_t)((double)chars * scale);
        free(body);
        body = build_body(sp->filler, sp->flen, start, chars);
    }
    if (!c->use_tokenizer)   /* it failed: the body is sized by estimate */
        *prompt_tokens = (long)(strlen(body) / 4) + fixed;
    return body;
}

/* The needles' texts, and their expected answers as one flat list. */
static void add_needles(cJSON *it, const struct needle *nd, size_t n)
{
    cJSON *ns = cJSON_AddArrayToObject(it, "needles");
    cJSON *ex = cJSON_AddArrayToObject(it, "expected");
    for (size_t k = 0; k < n; k++) {
        cJSON_AddItemToArray(ns, cJSON_CreateString(nd[k].text));
        const struct suite_node *e = nd[k].expected;
        if (e->type == SUITE_NODE_SEQ) {
            for (size_t q = 0; q < e->n; q++)
                if (e->kids[q]->type == SUITE_NODE_SCALAR)
                    cJSON_AddItemToArray(ex, cJSON_CreateString(e->kids[q]->value));
        } else if (e->type == SUITE_NODE_SCALAR) {
            cJSON_AddItemToArray(ex, cJSON_CreateString(e->value));
        }
    }
}

/* One item: the body of a length with the needles at a depth, as a node of
 * the suite's tree placed at the generator's line (errors point there). */
static struct suite_node *make_item(struct suite_tree *t, const struct suite_node *gen, const struct lc_spec *sp,
                                    const char *body, const struct needle *nd, long target, double depth,
                                    const char *method, long prompt_tokens)
{
    char *prompt = build_prompt(body, nd, sp->needles->n, depth, sp->question->value);
    cJSON *it = cJSON_CreateObject();
    char id[64];
    snprintf(id, sizeof id, "lc_%ld_d%g", target, depth);
    cJSON_AddStringToObject(it, "id", id);
    cJSON_AddStringToObject(it, "prompt", prompt);
    cJSON_AddStringToObject(it, "scorer", "needle");
    add_needles(it, nd, sp->needles->n);
    cJSON_AddNumberToObject(it, "length_tokens", (double)target);
    cJSON_AddNumberToObject(it, "depth_percent", depth);
    cJSON_AddStringToObject(it, "token_count_method", method);
    cJSON *meta = cJSON_AddObjectToObject(it, "meta");
    cJSON_AddNumberToObject(meta, "prompt_tokens", (double)prompt_tokens);
    cJSON_AddNumberToObject(meta, "seed", (double)sp->seed);
    struct suite_node *node = suite_node_from_json(t, it, gen->line, gen->column, 0);
    cJSON_Delete(it);
    free(prompt);
    return node;
}

int suite_generate_long_context(struct suite_tree *t, const struct suite_node *gen,
                                const char *suite_path, const struct suite_load_options *opts,
                                struct suite_raw_item **items, size_t *n_items, size_t *cap,
                                struct suite_diags *diags)
{
    size_t before = diags->n;
    if (gen->type != SUITE_NODE_MAP) {
        REPORT(gen, "'generator' must be a mapping {type: long_context, ...}");
        return 1;
    }
    struct lc_spec sp = {0};
    check_keys(gen, suite_path, diags);
    check_fields(gen, suite_path, diags, &sp);
    sp.filler = load_filler(gen, suite_path, opts, diags, &sp.flen);
    if (diags->n > before) {
        free(sp.filler);
        return (int)(diags->n - before);
    }

    size_t n_starts;
    size_t *starts = sentence_starts(sp.filler, sp.flen, &n_starts);
    struct needle *nd = xcalloc(sp.needles->n, sizeof *nd);
    for (size_t i = 0; i < sp.needles->n; i++) {
        nd[i].text = suite_node_get(sp.needles->kids[i], "text")->value;
        nd[i].expected = suite_node_get(sp.needles->kids[i], "expected");
    }
    struct token_counter counter;
    counter_init(&counter, opts);
    long fixed = fixed_tokens(&counter, &sp);

    for (size_t li = 0; li < sp.lengths->n; li++) {
        long target = strtol(sp.lengths->kids[li]->value, NULL, 0);
        uint64_t st = sp.seed + (uint64_t)target;
        size_t start = starts[suite_splitmix64(&st) % n_starts];
        long budget = target - sp.reserve_tokens - fixed;
        if (budget < 16)
            budget = 16;
        long prompt_tokens;
        char *body = fit_body(&sp, &counter, start, budget, fixed, &prompt_tokens);
        for (size_t di = 0; di < sp.depths->n; di++) {
            double depth = strtod(sp.depths->kids[di]->value, NULL);
            XGROW(*items, *n_items + 1, *cap);
            (*items)[*n_items].node = make_item(t, gen, &sp, body, nd, target, depth, counter.method,
                                                prompt_tokens);
            (*items)[(*n_items)++].file = suite_path;
        }
        free(body);
    }
    free(nd);
    free(starts);
    free(sp.filler);
    return 0;
}
