/* item.c - the item schema: which keys an item (and defaults:) may have,
 * their types, what each scorer requires, and turning a valid item node
 * into a struct suite_item with its settings resolved and its data JSON.
 * Every check reports at the offending node and checking goes on, so one
 * run of the validator shows every problem. */
#include "suite/internal.h"
#include "score/registry.h"
#include "util/mem.h"

#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum ftype {
    T_TEXT,        /* any non-null scalar, kept as the text written */
    T_TEXTS,       /* a text or a list of texts */
    T_TEXT_LIST,   /* a list of texts */
    T_INT,
    T_NUMBER,
    T_BOOL,
    T_MAP,
    T_MAP_LIST,    /* a list of mappings */
    T_ANY
};

enum fwhere { W_ITEM, W_SETTING, W_DATA };

struct field {
    const char *name;
    enum ftype type;
    enum fwhere where;
};

static const struct field fields[] = {
    { "id", T_TEXT, W_ITEM },
    { "tier", T_INT, W_ITEM },
    { "prompt", T_TEXT, W_ITEM },
    { "messages", T_MAP_LIST, W_ITEM },
    { "images", T_TEXTS, W_ITEM },
    { "scorer", T_TEXT, W_SETTING },
    { "system", T_TEXT, W_SETTING },
    { "max_tokens", T_INT, W_SETTING },
    { "temperature", T_NUMBER, W_SETTING },
    { "stop", T_TEXTS, W_SETTING },
    { "mode", T_TEXT, W_SETTING },
    { "reps", T_INT, W_SETTING },
    { "scoring", T_MAP, W_SETTING },
    { "shuffle_choices", T_BOOL, W_SETTING },
    { "seed", T_INT, W_SETTING },
    { "time_limit_s", T_NUMBER, W_SETTING },
    { "answer", T_TEXT, W_DATA },
    { "answers", T_TEXT_LIST, W_DATA },
    { "choices", T_TEXT_LIST, W_DATA },
    { "correct", T_TEXT, W_DATA },
    { "checks", T_MAP_LIST, W_DATA },
    { "needle", T_TEXT, W_DATA },
    { "needles", T_TEXT_LIST, W_DATA },
    { "expected", T_TEXTS, W_DATA },
    { "tools", T_MAP_LIST, W_DATA },
    { "expected_call", T_MAP, W_DATA },
    { "language", T_TEXT, W_DATA },
    { "solution", T_TEXT, W_DATA },
    { "tests", T_MAP, W_DATA },
    { "harness", T_TEXT, W_DATA },
    { "buggy_code", T_TEXT, W_DATA },
    { "bug_type", T_TEXT, W_DATA },
    { "slug", T_TEXT, W_DATA },
    { "reference", T_TEXT, W_DATA },
    { "rubric", T_TEXT, W_DATA },
    { "length_tokens", T_INT, W_DATA },
    { "depth_percent", T_NUMBER, W_DATA },
    { "token_count_method", T_TEXT, W_DATA },
    { "meta", T_ANY, W_DATA },
};
#define N_FIELDS (sizeof fields / sizeof fields[0])

static const char *const item_key_names[] = {
    "id", "tier", "prompt", "messages", "images", "scorer", "system", "max_tokens", "temperature",
    "stop", "mode", "reps", "scoring", "shuffle_choices", "seed", "time_limit_s", "answer", "answers",
    "choices", "correct", "checks", "needle", "needles", "expected", "tools",
    "expected_call", "language", "solution", "tests", "harness", "buggy_code", "bug_type",
    "slug", "reference", "rubric", "length_tokens", "depth_percent", "token_count_method",
    "meta", NULL
};

static const char *const setting_key_names[] = {
    "scorer", "system", "max_tokens", "temperature", "stop", "mode", "reps", "scoring",
    "shuffle_choices", "seed", "time_limit_s", NULL
};

static const struct field *find_field(const char *name)
{
    for (size_t i = 0; i < N_FIELDS; i++)
        if (!strcmp(fields[i].name, name))
            return &fields[i];
    return NULL;
}

/* ---- diagnostics helpers ------------------------------------------ */

struct ctx {
    const char *file;
    const char *id;                 /* for messages; NULL before the id is known */
    struct suite_diags *diags;
    int errors;
};

__attribute__((format(printf, 3, 4)))
static void bad(struct ctx *c, const struct suite_node *at, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (c->id)
        suite_diag_add(c->diags, c->file, at ? at->line : 0, at ? at->column : 0, "item '%s': %s",
                       c->id, msg);
    else
        suite_diag_add(c->diags, c->file, at ? at->line : 0, at ? at->column : 0, "%s", msg);
    c->errors++;
}

static int is_text(const struct suite_node *n)
{
    return n && n->type == SUITE_NODE_SCALAR && suite_scalar_kind(n) != SUITE_SCALAR_NULL;
}

static int blank(const char *s)
{
    for (; *s; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

/* Type check of one value; 0 when fine. */
static int check_type(struct ctx *c, const char *key, const struct suite_node *v, enum ftype t)
{
    const char *want = NULL;
    switch (t) {
    case T_TEXT:
        if (!is_text(v))
            want = "a string";
        break;
    case T_TEXTS:
        if (is_text(v))
            break;
        if (v->type != SUITE_NODE_SEQ) {
            want = "a string or a list of strings";
            break;
        }
        /* fall through */
    case T_TEXT_LIST:
        if (v->type != SUITE_NODE_SEQ) {
            want = "a list of strings";
            break;
        }
        for (size_t i = 0; i < v->n; i++)
            if (!is_text(v->kids[i])) {
                bad(c, v->kids[i], "'%s' entry %zu must be a string, got %s", key, i + 1,
                    suite_node_describe(v->kids[i]));
                return -1;
            }
        break;
    case T_INT:
        if (v->type != SUITE_NODE_SCALAR || suite_scalar_kind(v) != SUITE_SCALAR_INT)
            want = "an integer";
        break;
    case T_NUMBER:
        if (v->type != SUITE_NODE_SCALAR || (suite_scalar_kind(v) != SUITE_SCALAR_INT &&
                                             suite_scalar_kind(v) != SUITE_SCALAR_FLOAT))
            want = "a number";
        break;
    case T_BOOL:
        if (v->type != SUITE_NODE_SCALAR || suite_scalar_kind(v) != SUITE_SCALAR_BOOL)
            want = "true or false";
        break;
    case T_MAP:
        if (v->type != SUITE_NODE_MAP)
            want = "a mapping";
        break;
    case T_MAP_LIST:
        if (v->type != SUITE_NODE_SEQ) {
            want = "a list of mappings";
            break;
        }
        for (size_t i = 0; i < v->n; i++)
            if (v->kids[i]->type != SUITE_NODE_MAP) {
                bad(c, v->kids[i], "'%s' entry %zu must be a mapping, got %s", key, i + 1,
                    suite_node_describe(v->kids[i]));
                return -1;
            }
        break;
    case T_ANY:
        break;
    }
    if (want) {
        bad(c, v, "'%s' must be %s, got %s", key, want, suite_node_describe(v));
        return -1;
    }
    return 0;
}

static long node_long(const struct suite_node *n)
{
    return strtol(n->value, NULL, 0);
}

/* Range checks for settings that are also valid in defaults:. */
static void check_setting_value(struct ctx *c, const char *key, const struct suite_node *v)
{
    if (!strcmp(key, "max_tokens") && node_long(v) < 1)
        bad(c, v, "'max_tokens' must be >= 1, got %s", v->value);
    else if (!strcmp(key, "reps") && node_long(v) < 1)
        bad(c, v, "'reps' must be >= 1, got %s", v->value);
    else if (!strcmp(key, "temperature") && strtod(v->value, NULL) < 0)
        bad(c, v, "'temperature' must be >= 0, got %s", v->value);
    else if (!strcmp(key, "mode") && strcmp(v->value, "chat") && strcmp(v->value, "completion"))
        bad(c, v, "'mode' must be chat or completion, got '%s'", v->value);
    else if (!strcmp(key, "seed") && v->value[0] == '-')
        bad(c, v, "'seed' must be >= 0, got %s", v->value);
    else if (!strcmp(key, "time_limit_s") && !(strtod(v->value, NULL) > 0))
        bad(c, v, "'time_limit_s' must be > 0 (seconds), got %s", v->value);
    else if (!strcmp(key, "scorer")) {
        const char *const *names = score_names();
        size_t i = 0;
        while (names[i] && strcmp(names[i], v->value))
            i++;
        if (!names[i]) {
            const char *s = suite_suggest(v->value, names);
            if (s)
                bad(c, v, "unknown scorer '%s' (did you mean '%s'? known: %s)", v->value, s,
                    score_known_names());
            else
                bad(c, v, "unknown scorer '%s' (known: %s)", v->value, score_known_names());
        }
    }
}

static void unknown_key(struct ctx *c, const struct suite_node *k, const char *const *names,
                        const char *where)
{
    const char *s = suite_suggest(k->value, names);
    if (s)
        bad(c, k, "unknown key '%s' in %s (did you mean '%s'?)", k->value, where, s);
    else
        bad(c, k, "unknown key '%s' in %s", k->value, where);
}

/* Duplicate keys in one mapping: YAML forbids them, libyaml does not check. */
static void check_dup_keys(struct ctx *c, const struct suite_node *map)
{
    for (size_t i = 1; i < map->n; i++)
        for (size_t j = 0; j < i; j++)
            if (!strcmp(map->keys[i]->value, map->keys[j]->value)) {
                bad(c, map->keys[i], "duplicate key '%s' (first on line %d)", map->keys[i]->value,
                    map->keys[j]->line);
                break;
            }
}

int suite_defaults_check(const struct suite_defaults *defs, struct suite_diags *diags)
{
    struct ctx c = { defs->file, NULL, diags, 0 };
    const struct suite_node *d = defs->node;
    if (!d)
        return 0;
    if (d->type != SUITE_NODE_MAP) {
        bad(&c, d, "'defaults' must be a mapping, got %s", suite_node_describe(d));
        return c.errors;
    }
    check_dup_keys(&c, d);
    for (size_t i = 0; i < d->n; i++) {
        const struct field *f = find_field(d->keys[i]->value);
        if (!f || f->where != W_SETTING) {
            unknown_key(&c, d->keys[i], setting_key_names, "defaults");
            continue;
        }
        if (check_type(&c, f->name, d->kids[i], f->type) == 0 && f->type != T_MAP &&
            f->type != T_TEXTS)
            check_setting_value(&c, f->name, d->kids[i]);
    }
    return c.errors;
}

/* ---- per-scorer structure ----------------------------------------- */

static const struct suite_node *need(struct ctx *c, const struct suite_node *item,
                                     const char *key, const char *scorer)
{
    const struct suite_node *v = suite_node_get(item, key);
    if (!v)
        bad(c, item, "scorer '%s' needs '%s'", scorer, key);
    return v;
}

static void check_code_tests(struct ctx *c, const struct suite_node *item,
                             const struct suite_node *tests, const char *language)
{
    const struct suite_node *form = suite_node_get(tests, "form");
    if (!is_text(form)) {
        bad(c, tests, "'tests' needs 'form' (humaneval, asserts or stdio)");
        return;
    }
    const char *f = form->value;
    if (!strcmp(f, "humaneval")) {
        const struct suite_node *ep = suite_node_get(tests, "entry_point");
        const struct suite_node *t = suite_node_get(tests, "test");
        if (!is_text(ep))
            bad(c, tests, "tests of form humaneval need 'entry_point' (a string)");
        if (!is_text(t) || blank(t->value))
            bad(c, tests, "tests of form humaneval need 'test' (code defining check(candidate))");
    } else if (!strcmp(f, "asserts")) {
        const struct suite_node *a = suite_node_get(tests, "asserts");
        if (!a || a->type != SUITE_NODE_SEQ || a->n == 0)
            bad(c, a ? a : tests, "tests of form asserts need 'asserts' (a non-empty list)");
        else
            check_type(c, "asserts", a, T_TEXT_LIST);
        if (language && (!strcmp(language, "c") || !strcmp(language, "cpp"))) {
            const struct suite_node *h = suite_node_get(item, "harness");
            if (!is_text(h) || !strstr(h->value, "/*SOLUTION*/"))
                bad(c, h ? h : item, "C/C++ asserts need a 'harness' containing /*SOLUTION*/");
        }
    } else if (!strcmp(f, "stdio")) {
        const struct suite_node *cs = suite_node_get(tests, "cases");
        if (!cs || cs->type != SUITE_NODE_SEQ || cs->n == 0) {
            bad(c, cs ? cs : tests, "tests of form stdio need 'cases' (a non-empty list)");
            return;
        }
        for (size_t i = 0; i < cs->n; i++) {
            const struct suite_node *k = cs->kids[i];
            if (k->type != SUITE_NODE_MAP || !suite_node_get(k, "input") ||
                !is_text(suite_node_get(k, "output")))
                bad(c, k, "stdio case %zu needs 'input' and 'output'", i + 1);
        }
    } else {
        bad(c, form, "unknown tests form '%s' (known: humaneval, asserts, stdio)", f);
    }
}

static void check_scorer_fields(struct ctx *c, const struct suite_node *item, const char *scorer)
{
    const struct suite_node *v, *w;
    if (!strcmp(scorer, "exact") || !strcmp(scorer, "f1")) {
        v = suite_node_get(item, "answer");
        w = suite_node_get(item, "answers");
        if (!v && !w)
            bad(c, item, "scorer '%s' needs 'answer' or 'answers'", scorer);
        /* f1 under squad2 takes [] as unanswerable; its own check decides */
        if (w && w->type == SUITE_NODE_SEQ && w->n == 0 && strcmp(scorer, "f1"))
            bad(c, w, "'answers' is empty");
    } else if (!strcmp(scorer, "choice")) {
        v = need(c, item, "choices", scorer);
        w = need(c, item, "correct", scorer);
        size_t n = v && v->type == SUITE_NODE_SEQ ? v->n : 0;
        if (v && v->type == SUITE_NODE_SEQ && (n < 2 || n > 26))
            bad(c, v, "'choices' needs 2 to 26 entries, has %zu", n);
        if (w && is_text(w) && n >= 2) {
            const char *s = w->value;
            if (strlen(s) != 1 || s[0] < 'A' || s[0] > 'Z')
                bad(c, w, "'correct' must be one capital letter (A-%c), got '%s'",
                    'A' + (int)(n > 26 ? 25 : n - 1), s);
            else if ((size_t)(s[0] - 'A') >= n)
                bad(c, w, "'correct' is %s but there are only %zu choices (A-%c)", s, n,
                    'A' + (int)n - 1);
        }
    } else if (!strcmp(scorer, "ifeval")) {
        v = need(c, item, "checks", scorer);
        if (v && v->type == SUITE_NODE_SEQ) {
            if (v->n == 0)
                bad(c, v, "'checks' is empty");
            for (size_t i = 0; i < v->n; i++) {
                const struct suite_node *ty = suite_node_get(v->kids[i], "type");
                if (v->kids[i]->type == SUITE_NODE_MAP && (!is_text(ty) || blank(ty->value)))
                    bad(c, v->kids[i], "check %zu needs 'type'", i + 1);
            }
        }
    } else if (!strcmp(scorer, "needle")) {
        if (!suite_node_get(item, "needle") && !suite_node_get(item, "needles"))
            bad(c, item, "scorer 'needle' needs 'needle' or 'needles'");
        need(c, item, "expected", scorer);
    } else if (!strcmp(scorer, "tool_call")) {
        v = need(c, item, "tools", scorer);
        w = need(c, item, "expected_call", scorer);
        if (v && v->type == SUITE_NODE_SEQ && v->n == 0)
            bad(c, v, "'tools' is empty");
        if (w && w->type == SUITE_NODE_MAP && !is_text(suite_node_get(w, "name")))
            bad(c, w, "'expected_call' needs 'name'");
    } else if (!strcmp(scorer, "code")) {
        v = need(c, item, "language", scorer);
        w = need(c, item, "tests", scorer);
        const char *lang = NULL;
        if (is_text(v)) {
            static const char *const langs[] = { "python", "c", "cpp", "java", "javascript", NULL };
            int ok = 0;
            for (size_t i = 0; langs[i]; i++)
                ok |= !strcmp(langs[i], v->value);
            if (!ok) {
                const char *s = suite_suggest(v->value, langs);
                bad(c, v, "unknown language '%s'%s%s%s (known: python, c, cpp, java, javascript)",
                    v->value, s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
            }
            lang = v->value;
        }
        if (w && w->type == SUITE_NODE_MAP)
            check_code_tests(c, item, w, lang);
    } else if (!strcmp(scorer, "judge")) {
        need(c, item, "reference", scorer);
    }
}

/* ---- building ----------------------------------------------------- */

static const struct suite_node *setting(const struct suite_node *item,
                                        const struct suite_defaults *defs, const char *key)
{
    const struct suite_node *v = suite_node_get(item, key);
    return v ? v : suite_node_get(defs->node, key);
}

static cJSON *field_json(const struct suite_node *v, enum ftype t)
{
    if (t == T_TEXT)
        return cJSON_CreateString(v->value);
    if ((t == T_TEXTS || t == T_TEXT_LIST) && v->type == SUITE_NODE_SEQ) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < v->n; i++)
            cJSON_AddItemToArray(a, cJSON_CreateString(v->kids[i]->value));
        return a;
    }
    if (t == T_TEXTS)
        return cJSON_CreateString(v->value);
    return suite_node_to_json(v);
}

static void images_free(struct suite_image *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        suite_image_clear(&v[i]);
    free(v);
}

/* Reads the images a node names (a string or a list) into *out; each
 * problem is reported at its entry. */
static void load_images(struct ctx *c, const char *suite_path, const struct suite_node *v,
                        struct suite_image **out, size_t *n)
{
    int seq = v->type == SUITE_NODE_SEQ;
    size_t k = seq ? v->n : 1;
    *out = xcalloc(k ? k : 1, sizeof **out);
    *n = 0;
    for (size_t i = 0; i < k; i++) {
        const struct suite_node *e = seq ? v->kids[i] : v;
        char why[1024];
        if (suite_image_load(suite_path, e->value, &(*out)[*n], why, sizeof why) != 0)
            bad(c, e, "%s", why);
        else
            (*n)++;
    }
}

void suite_item_clear(struct suite_item *it)
{
    free(it->id);
    free(it->prompt);
    images_free(it->images, it->n_images);
    for (size_t i = 0; i < it->n_messages; i++) {
        free(it->messages[i].role);
        free(it->messages[i].content);
        images_free(it->messages[i].images, it->messages[i].n_images);
    }
    free(it->messages);
    free(it->system);
    free(it->scorer);
    for (size_t i = 0; i < it->n_stop; i++)
        free(it->stop[i]);
    free(it->stop);
    cJSON_Delete(it->data);
    memset(it, 0, sizeof *it);
}

static void check_id(struct ctx *c, const struct suite_node *item, const struct suite_node *id)
{
    if (!id) {
        bad(c, item, "item has no 'id'");
        return;
    }
    if (!is_text(id)) {
        bad(c, id, "'id' must be a string, got %s", suite_node_describe(id));
        return;
    }
    for (const char *p = id->value; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.:/-", *p)) {
            bad(c, id, "id '%s' has '%c'; ids use only letters, digits and _ . : / -", id->value,
                *p);
            return;
        }
    c->id = id->value;
}

static void check_messages(struct ctx *c, const struct suite_node *m)
{
    if (m->n == 0)
        bad(c, m, "'messages' is empty");
    for (size_t i = 0; i < m->n; i++) {
        const struct suite_node *role = suite_node_get(m->kids[i], "role");
        const struct suite_node *content = suite_node_get(m->kids[i], "content");
        if (!is_text(role) || (strcmp(role->value, "system") && strcmp(role->value, "user") &&
                               strcmp(role->value, "assistant")))
            bad(c, role ? role : m->kids[i], "message %zu needs 'role' system, user or assistant",
                i + 1);
        if (!is_text(content) || blank(content->value))
            bad(c, content ? content : m->kids[i], "message %zu has an empty 'content'", i + 1);
        for (size_t k = 0; k < m->kids[i]->n; k++) {
            const char *kn = m->kids[i]->keys[k]->value;
            if (!strcmp(kn, "images")) {
                if (check_type(c, "images", m->kids[i]->kids[k], T_TEXTS) == 0 && is_text(role) &&
                    strcmp(role->value, "user"))
                    bad(c, m->kids[i]->keys[k], "message %zu: images go with a user message, not %s", i + 1,
                        role->value);
            } else if (strcmp(kn, "role") && strcmp(kn, "content")) {
                static const char *const mk[] = { "role", "content", "images", NULL };
                unknown_key(c, m->kids[i]->keys[k], mk, "a message");
            }
        }
    }
}

/* Asks the scorer registry (score/) to check the item's data: its fields
 * and its options; its lines are placed at the item. */
static void scorer_validate(struct ctx *c, const struct suite_node *item, const char *scorer,
                            const cJSON *data)
{
    struct bai_error e = {0};
    int n = score_check(scorer, data, &e);
    if (n <= 0)
        return;
    char *save = NULL;
    int added = 0;
    for (char *line = strtok_r(e.msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
        if (*line) {
            bad(c, item, "%s", line);
            added++;
        }
    if (!added)
        bad(c, item, "scorer '%s' rejects this item", scorer);
}

int suite_item_build(const struct suite_raw_item *raw, const struct suite_defaults *defs,
                     int speed, struct suite_item *out, struct suite_diags *diags)
{
    struct ctx c = { raw->file, NULL, diags, 0 };
    const struct suite_node *item = raw->node;
    memset(out, 0, sizeof *out);
    if (item->type != SUITE_NODE_MAP) {
        bad(&c, item, "an item must be a mapping, got %s", suite_node_describe(item));
        return c.errors;
    }
    check_id(&c, item, suite_node_get(item, "id"));
    check_dup_keys(&c, item);
    int typed_errors = 0;
    for (size_t i = 0; i < item->n; i++) {
        const char *k = item->keys[i]->value;
        const struct field *f = find_field(k);
        if (!f) {
            unknown_key(&c, item->keys[i], item_key_names, "an item");
            continue;
        }
        if (!strcmp(k, "id"))
            continue;
        if (check_type(&c, k, item->kids[i], f->type) != 0) {
            typed_errors++;
            continue;
        }
        if (f->where == W_SETTING && f->type != T_MAP && f->type != T_TEXTS)
            check_setting_value(&c, k, item->kids[i]);
    }
    const struct suite_node *tier = suite_node_get(item, "tier");
    if (tier && suite_scalar_kind(tier) == SUITE_SCALAR_INT && tier->type == SUITE_NODE_SCALAR &&
        (node_long(tier) < 1 || node_long(tier) > SUITE_MAX_TIER))
        bad(&c, tier, "'tier' must be an integer from 1 to %d, got %s", SUITE_MAX_TIER, tier->value);
    const struct suite_node *prompt = suite_node_get(item, "prompt");
    const struct suite_node *msgs = suite_node_get(item, "messages");
    if (prompt && msgs)
        bad(&c, msgs, "give 'prompt' or 'messages', not both");
    else if (!prompt && !msgs)
        bad(&c, item, "item has no 'prompt' (or 'messages')");
    if (prompt && is_text(prompt) && blank(prompt->value))
        bad(&c, prompt, "'prompt' is empty");
    if (msgs && msgs->type == SUITE_NODE_SEQ && check_type(&c, "messages", msgs, T_MAP_LIST) == 0)
        check_messages(&c, msgs);

    const struct suite_node *images = suite_node_get(item, "images");
    int has_images = images != NULL;
    for (size_t i = 0; msgs && msgs->type == SUITE_NODE_SEQ && i < msgs->n; i++)
        has_images |= msgs->kids[i]->type == SUITE_NODE_MAP && suite_node_get(msgs->kids[i], "images");
    const struct suite_node *mode = setting(item, defs, "mode");
    if (images && msgs)
        bad(&c, images, "with 'messages', give 'images' on the user message they go with");
    if (has_images && is_text(mode) && !strcmp(mode->value, "completion"))
        bad(&c, images ? images : msgs, "images need mode: chat (a completion prompt is text only)");

    const struct suite_node *scorer = setting(item, defs, "scorer");
    const char *scorer_name = is_text(scorer) ? scorer->value : NULL;
    if (!scorer && !speed)
        bad(&c, item, "item has no scorer (set defaults.scorer or the item's 'scorer'; known: %s)",
            score_known_names());
    if (scorer_name && !typed_errors)
        check_scorer_fields(&c, item, scorer_name);
    if (c.errors)
        return c.errors;

    /* valid: build */
    out->id = xstrdup(suite_node_get(item, "id")->value);
    out->tier = tier ? (int)node_long(tier) : 0;
    out->line = item->line;
    out->column = item->column;
    if (prompt)
        out->prompt = xstrdup(prompt->value);
    if (images)
        load_images(&c, defs->file, images, &out->images, &out->n_images);
    if (msgs) {
        out->n_messages = msgs->n;
        out->messages = xcalloc(msgs->n, sizeof *out->messages);
        for (size_t i = 0; i < msgs->n; i++) {
            out->messages[i].role = xstrdup(suite_node_get(msgs->kids[i], "role")->value);
            out->messages[i].content = xstrdup(suite_node_get(msgs->kids[i], "content")->value);
            const struct suite_node *mi = suite_node_get(msgs->kids[i], "images");
            if (mi)
                load_images(&c, defs->file, mi, &out->messages[i].images, &out->messages[i].n_images);
        }
    }
    const struct suite_node *v;
    out->scorer = xstrdup(scorer_name ? scorer_name : "none");
    out->system = (v = setting(item, defs, "system")) && is_text(v) ? xstrdup(v->value) : NULL;
    out->max_tokens = (v = setting(item, defs, "max_tokens")) ? (int)node_long(v) : 512;
    out->temperature = (v = setting(item, defs, "temperature")) ? strtod(v->value, NULL) : 0.0;
    out->chat = !((v = setting(item, defs, "mode")) && !strcmp(v->value, "completion"));
    out->reps = (v = setting(item, defs, "reps")) ? (int)node_long(v) : 1;
    out->time_limit_s = (v = setting(item, defs, "time_limit_s")) ? strtod(v->value, NULL) : 0;
    if ((v = setting(item, defs, "stop")) != NULL) {
        if (v->type == SUITE_NODE_SEQ) {
            out->n_stop = v->n;
            out->stop = xcalloc(v->n ? v->n : 1, sizeof *out->stop);
            for (size_t i = 0; i < v->n; i++)
                out->stop[i] = xstrdup(v->kids[i]->value);
        } else {
            out->n_stop = 1;
            out->stop = xcalloc(1, sizeof *out->stop);
            out->stop[0] = xstrdup(v->value);
        }
    }
    out->data = cJSON_CreateObject();
    for (size_t i = 0; i < item->n; i++) {
        const struct field *f = find_field(item->keys[i]->value);
        if (f->where == W_DATA)
            cJSON_AddItemToObject(out->data, f->name, field_json(item->kids[i], f->type));
    }
    /* scoring: defaults.scoring, then the item's scoring keys over it */
    cJSON *scoring = cJSON_CreateObject();
    const struct suite_node *maps[2] = { suite_node_get(defs->node, "scoring"),
                                         suite_node_get(item, "scoring") };
    for (int m = 0; m < 2; m++)
        if (maps[m] && maps[m]->type == SUITE_NODE_MAP)
            for (size_t i = 0; i < maps[m]->n; i++) {
                cJSON_DeleteItemFromObjectCaseSensitive(scoring, maps[m]->keys[i]->value);
                cJSON_AddItemToObject(scoring, maps[m]->keys[i]->value,
                                      suite_node_to_json(maps[m]->kids[i]));
            }
    cJSON_AddItemToObject(out->data, "scoring", scoring);
    if (scorer_name)
        scorer_validate(&c, item, scorer_name, out->data);
    if (c.errors)
        suite_item_clear(out);
    return c.errors;
}

struct score_item suite_item_for_score(const struct suite_item *it)
{
    struct score_item si = { .id = it->id, .scorer = it->scorer, .data = it->data, .prompt = it->prompt };
    for (size_t i = it->n_messages; !si.prompt && i > 0; i--)
        if (it->messages[i - 1].role && !strcmp(it->messages[i - 1].role, "user"))
            si.prompt = it->messages[i - 1].content;
    return si;
}
