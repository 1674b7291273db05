/* ifeval.c - the `ifeval` scorer: every check of an item (benchai `checks`
 * or IFEval's own instruction_id_list + kwargs) against the response, in
 * the reference's strict form and its loose form (the response, without
 * its first line, last line or both, each also with '*' removed: eight
 * variants, a check passes loose when any passes). Both are always stored,
 * so prompt- and instruction-level strict and loose accuracies can be
 * aggregated from one scoring pass. */
#include "score/ifeval.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/score.h"
#include "score/text.h"

/* Type lookup by hash (it runs for every check of every response). */
#define TYPE_SLOTS 256
static const struct ifeval_type *type_table[TYPE_SLOTS];
static pthread_once_t type_once = PTHREAD_ONCE_INIT;

static unsigned type_hash(const char *s)
{
    unsigned h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static void type_insert(const struct ifeval_type *t)
{
    for (unsigned h = type_hash(t->name);; h++)
        if (!type_table[h % TYPE_SLOTS]) {
            type_table[h % TYPE_SLOTS] = t;
            return;
        }
}

static void type_build(void)
{
    for (size_t i = 0; i < ifeval_reference_count; i++)
        type_insert(&ifeval_reference_types[i]);
    for (size_t i = 0; i < ifeval_own_count; i++)
        type_insert(&ifeval_own_types[i]);
}

const struct ifeval_type *ifeval_find(const char *name)
{
    if (!name)
        return NULL;
    pthread_once(&type_once, type_build);
    for (unsigned h = type_hash(name);; h++) {
        const struct ifeval_type *t = type_table[h % TYPE_SLOTS];
        if (!t)
            return NULL;
        if (!strcmp(t->name, name))
            return t;
    }
}

const char *ifeval_known_types(void)
{
    static char names[4096];
    if (!names[0]) {
        size_t at = 0;
        for (size_t i = 0; i < ifeval_reference_count + ifeval_own_count; i++) {
            const char *n = i < ifeval_reference_count ? ifeval_reference_types[i].name
                                                       : ifeval_own_types[i - ifeval_reference_count].name;
            int w = snprintf(names + at, sizeof names - at, "%s%s", i ? ", " : "", n);
            if (w < 0 || (size_t)w >= sizeof names - at)
                break;
            at += (size_t)w;
        }
    }
    return names;
}

int ifeval_validate_kwargs(const struct ifeval_type *t, const cJSON *kw, char *msg, size_t msz)
{
    const char *p = t->kwargs;
    while (*p) {
        while (*p == ' ')
            p++;
        if (!*p)
            break;
        int optional = *p == '?';
        if (optional)
            p++;
        char kind = p[0];
        const char *name = p + 2;
        size_t len = strcspn(name, " ");
        char key[64];
        snprintf(key, sizeof key, "%.*s", (int)len, name);
        p = name + len;
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(kw, key);
        if (!v || cJSON_IsNull(v)) {
            if (optional)
                continue;
            snprintf(msg, msz, "%s: missing argument '%s'", t->name, key);
            return -1;
        }
        int ok = kind == 'i' ? cJSON_IsNumber(v)
               : kind == 's' ? cJSON_IsString(v)
               : kind == 'l' ? cJSON_IsArray(v)
               : kind == 'r' ? cJSON_IsString(v) && (!strcmp(v->valuestring, "less than") ||
                                                     !strcmp(v->valuestring, "at least"))
               : 0;
        if (!ok) {
            snprintf(msg, msz, "%s: argument '%s' must be %s", t->name, key,
                     kind == 'i' ? "a number" : kind == 's' ? "a string"
                     : kind == 'l' ? "a list" : "\"less than\" or \"at least\"");
            return -1;
        }
    }
    return 0;
}

/* ---- the item's checks ----------------------------------------------------- */

struct check_ref {
    const char *name;
    const struct ifeval_type *type;   /* NULL when unknown */
    const cJSON *kw;
};

/* Reads `checks: [{type, ...kwargs}]`, or IFEval's instruction_id_list +
 * kwargs. Returns the count (-1 when neither is present); *out allocated. */
static int checks_of(const cJSON *data, struct check_ref **out)
{
    *out = NULL;
    const cJSON *checks = score_opt(data, "checks");
    const cJSON *ids = score_opt(data, "instruction_id_list");
    const cJSON *kwargs = score_opt(data, "kwargs");
    const cJSON *list = cJSON_IsArray(checks) ? checks : cJSON_IsArray(ids) ? ids : NULL;
    if (!list)
        return -1;
    int n = cJSON_GetArraySize(list);
    *out = xcalloc((size_t)n + 1, sizeof **out);
    for (int i = 0; i < n; i++) {
        const cJSON *e = cJSON_GetArrayItem(list, i);
        struct check_ref *c = &(*out)[i];
        if (list == checks) {
            const cJSON *ty = cJSON_GetObjectItemCaseSensitive(e, "type");
            c->name = cJSON_IsString(ty) ? ty->valuestring : NULL;
            c->kw = e;
        } else {
            c->name = cJSON_IsString(e) ? e->valuestring : NULL;
            c->kw = cJSON_IsArray(kwargs) ? cJSON_GetArrayItem(kwargs, i) : NULL;
        }
        c->type = ifeval_find(c->name);
    }
    return n;
}

static int ifeval_validate(const cJSON *data, struct bai_error *err)
{
    struct check_ref *cr;
    int n = checks_of(data, &cr);
    if (n < 0) {
        score_problem(err, "ifeval: missing field 'checks' (or 'instruction_id_list' + 'kwargs')");
        return 1;
    }
    int problems = 0;
    struct buf all = {0};
    for (int i = 0; i < n; i++) {
        char msg[512];
        if (!cr[i].type) {
            buf_printf(&all, "%sifeval: check %d: unknown type '%s' (known: %s)", problems ? "\n" : "",
                       i + 1, cr[i].name ? cr[i].name : "(none)", ifeval_known_types());
            problems++;
        } else if (ifeval_validate_kwargs(cr[i].type, cr[i].kw, msg, sizeof msg) < 0) {
            buf_printf(&all, "%sifeval: check %d: %s", problems ? "\n" : "", i + 1, msg);
            problems++;
        }
    }
    if (problems)
        score_problem(err, "%s", all.data);
    buf_free(&all);
    free(cr);
    return problems;
}

/* ---- evaluation ------------------------------------------------------------ */

enum { V_RESP, V_REVISED, V_RM_FIRST, V_RM_LAST, V_RM_BOTH, V_REV_FIRST, V_REV_LAST,
       V_REV_BOTH, N_VARIANTS };

/* Scratch kept per thread between responses (reset, not freed): the
 * variants and their lower-case copies would otherwise cost ~16 mallocs
 * per response on the hot path. A thread that ends frees them (a pthread
 * key's destructor): benchai run scores on a consumer thread per batch,
 * which otherwise left them behind each time (LeakSanitizer's report made
 * every run with an ifeval suite exit 1 under make asan). */
static _Thread_local struct buf tl_text[N_VARIANTS], tl_lower[N_VARIANTS];
static pthread_key_t tl_key;
static pthread_once_t tl_key_once = PTHREAD_ONCE_INIT;

static void tl_free(void *registered)
{
    (void)registered;
    for (int k = 0; k < N_VARIANTS; k++) {
        buf_free(&tl_text[k]);
        buf_free(&tl_lower[k]);
    }
}

static void tl_key_make(void)
{
    pthread_key_create(&tl_key, tl_free);
}

/* Called before the scratch is first used on a thread. */
static void tl_register(void)
{
    pthread_once(&tl_key_once, tl_key_make);
    if (!pthread_getspecific(tl_key))
        pthread_setspecific(tl_key, tl_text);   /* non-NULL: the destructor runs */
}

struct variants {
    struct ifeval_text v[N_VARIANTS];
    int skip[N_VARIANTS];        /* equal to an earlier variant: same outcome */
    int built;
};

/* appends s[0..n) stripped of white space at both ends */
static void put_stripped(struct buf *b, const char *s, size_t n)
{
    score_trim(&s, &n);
    buf_append(b, s, n);
}

static void put_no_asterisks(struct buf *b, const char *s, size_t n)
{
    const char *p = s, *e = s + n;
    while (p < e) {
        const char *star = memchr(p, '*', (size_t)(e - p));
        size_t k = star ? (size_t)(star - p) : (size_t)(e - p);
        buf_append(b, p, k);
        p += k + (star != NULL);
    }
}

/* The eight responses of test_instruction_following_loose, in its order.
 * Without any '*' the four "revised" ones equal their originals: those
 * are marked skip, as checking them again cannot change the outcome. */
static void build_variants(struct variants *vs, const char *resp, size_t n)
{
    const char *first_nl = memchr(resp, '\n', n);
    const char *last_nl = first_nl ? memrchr(resp, '\n', n) : NULL;
    int stars = memchr(resp, '*', n) != NULL;
    for (int i = 1; i < N_VARIANTS; i++) {
        buf_reset(&tl_text[i]);
        buf_append(&tl_text[i], "", 0);
    }
    /* "\n".join(r[1:]) is the text after the first '\n' ("" with none) */
    if (first_nl)
        put_stripped(&tl_text[V_RM_FIRST], first_nl + 1, n - (size_t)(first_nl + 1 - resp));
    if (last_nl)
        put_stripped(&tl_text[V_RM_LAST], resp, (size_t)(last_nl - resp));
    if (first_nl && last_nl > first_nl)
        put_stripped(&tl_text[V_RM_BOTH], first_nl + 1, (size_t)(last_nl - first_nl - 1));
    if (stars) {
        put_no_asterisks(&tl_text[V_REVISED], resp, n);
        put_no_asterisks(&tl_text[V_REV_FIRST], tl_text[V_RM_FIRST].data, tl_text[V_RM_FIRST].len);
        put_no_asterisks(&tl_text[V_REV_LAST], tl_text[V_RM_LAST].data, tl_text[V_RM_LAST].len);
        put_no_asterisks(&tl_text[V_REV_BOTH], tl_text[V_RM_BOTH].data, tl_text[V_RM_BOTH].len);
    } else {
        vs->skip[V_REVISED] = vs->skip[V_REV_FIRST] = vs->skip[V_REV_LAST] = vs->skip[V_REV_BOTH] = 1;
    }
    for (int i = 1; i < N_VARIANTS; i++) {
        vs->v[i].s = tl_text[i].data;
        vs->v[i].n = tl_text[i].len;
    }
    vs->built = 1;
}

static int nonblank(const struct ifeval_text *t)
{
    const char *p = t->s;
    size_t n = t->n;
    score_trim(&p, &n);
    return n > 0;
}

/* 1 / 0, or -1 with msg when the check's arguments are unusable. */
static int run_check(const struct check_ref *c, struct ifeval_text *t, char *msg, size_t msz)
{
    if (!nonblank(t))
        return 0;           /* "response.strip() and check(response)" */
    return c->type->fn(t, c->kw, msg, msz);
}

/* key and a small non-negative integer, without printf's cost */
static void put_count(struct buf *b, const char *key, int v)
{
    char tmp[16];
    int k = (int)sizeof tmp;
    unsigned u = v < 0 ? 0u : (unsigned)v;
    do {
        tmp[--k] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    buf_puts(b, key);
    buf_append(b, tmp + k, sizeof tmp - (size_t)k);
}

static int ifeval_score(const struct score_input *in, const struct score_context *ctx,
                        struct score_result *out, struct bai_error *err)
{
    const cJSON *data = in->item ? in->item->data : NULL;
    struct check_ref *cr;
    int n = checks_of(data, &cr);
    char msg[512] = "";
    int failed = n < 0;
    if (failed)
        bai_error_set(err, BAI_EXIT_USAGE,
                      "ifeval: missing field 'checks' (or 'instruction_id_list' + 'kwargs')");
    for (int i = 0; i < n && !failed; i++) {
        if (!cr[i].type) {
            bai_error_set(err, BAI_EXIT_USAGE, "ifeval: check %d: unknown type '%s' (known: %s)", i + 1,
                          cr[i].name ? cr[i].name : "(none)", ifeval_known_types());
            failed = 1;
        } else if (ifeval_validate_kwargs(cr[i].type, cr[i].kw, msg, sizeof msg) < 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "ifeval: check %d: %s", i + 1, msg);
            failed = 1;
        }
    }
    const char *resp = in->output ? in->output : "";
    size_t len = score_output_len(in);
    struct variants vs;
    memset(&vs, 0, sizeof vs);
    vs.v[V_RESP].s = resp;
    vs.v[V_RESP].n = len;
    tl_register();
    for (int k = 0; k < N_VARIANTS; k++) {
        vs.v[k].lower = tl_lower[k];   /* lend the scratch; taken back below */
        buf_reset(&vs.v[k].lower);
    }
    int loose_mode = score_opt_bool(data, "loose", 0);

    /* The detail is printed by hand: the type names are from the fixed
     * tables (validated above), so nothing needs escaping, and cJSON's
     * tree building was a visible share of the IFEval hot path. */
    struct buf d = {0};
    buf_puts(&d, loose_mode ? "{\"mode\":\"loose\",\"checks\":[" : "{\"mode\":\"strict\",\"checks\":[");
    int n_strict = 0, n_loose = 0;
    for (int i = 0; i < n && !failed; i++) {
        int strict = run_check(&cr[i], &vs.v[V_RESP], msg, sizeof msg);
        int loose = strict;
        /* the unmodified response is the first loose variant, so only a
         * strict failure needs the other seven */
        for (int k = 1; k < N_VARIANTS && loose == 0; k++) {
            if (!vs.built)
                build_variants(&vs, resp, len);
            if (!vs.skip[k])
                loose = run_check(&cr[i], &vs.v[k], msg, sizeof msg);
        }
        if (strict < 0 || loose < 0) {
            bai_error_set(err, BAI_EXIT_USAGE, "ifeval: check %d (%s): %s", i + 1, cr[i].name, msg);
            failed = 1;
            break;
        }
        n_strict += strict;
        n_loose += loose;
        buf_puts(&d, i ? ",{\"type\":\"" : "{\"type\":\"");
        buf_puts(&d, cr[i].type->name);
        buf_puts(&d, strict ? "\",\"strict\":true" : "\",\"strict\":false");
        buf_puts(&d, loose ? ",\"loose\":true}" : ",\"loose\":false}");
    }
    for (int k = 0; k < N_VARIANTS; k++) {
        tl_lower[k] = vs.v[k].lower;
        if (tl_lower[k].cap > (1u << 20))      /* do not keep a 10 MB response's copies */
            buf_free(&tl_lower[k]);
        if (tl_text[k].cap > (1u << 20))
            buf_free(&tl_text[k]);
    }
    free(cr);
    if (failed) {
        buf_free(&d);
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "error", err->msg);
        out->detail_json = score_detail_finish(e);
        out->status = SCORE_ERROR;
        return -1;
    }
    int blank = !nonblank(&vs.v[V_RESP]);
    buf_puts(&d, n_strict == n ? "],\"strict_all\":true" : "],\"strict_all\":false");
    buf_puts(&d, n_loose == n ? ",\"loose_all\":true" : ",\"loose_all\":false");
    put_count(&d, ",\"strict_count\":", n_strict);
    put_count(&d, ",\"loose_count\":", n_loose);
    put_count(&d, ",\"n_checks\":", n);
    buf_puts(&d, blank ? ",\"reason\":\"empty response\"}" : "}");
    int k = loose_mode ? n_loose : n_strict;
    out->value = n ? (double)k / n : 0;
    out->passed = k == n;
    out->status = blank ? SCORE_UNPARSED : SCORE_SCORED;
    out->detail_json = buf_detach(&d);
    return 0;
}

static const struct score_field ifeval_fields[] = {
    { "checks", "a list of {type, ...kwargs}: IFEval's instruction ids (e.g. "
      "punctuation:no_comma) and benchai's own checks (docs/scoring.md)" },
    { "instruction_id_list, kwargs", "IFEval's own input format, instead of checks (null "
      "kwargs are ignored)" },
    { NULL, NULL },
};

static const struct score_option ifeval_options[] = {
    { "loose", SCORE_OPT_BOOL, NULL, "false",
      "value and passed follow the loose results instead of the strict ones (both are always "
      "stored)" },
    { NULL, 0, NULL, NULL, NULL },
};

const struct scorer scorer_ifeval = {
    .name = "ifeval",
    .graded = 1,
    .summary = "IFEval's 25 instruction checks (strict and loose) and benchai's own checks",
    .fields = ifeval_fields,
    .options = ifeval_options,
    .validate = ifeval_validate,
    .score = ifeval_score,
};
