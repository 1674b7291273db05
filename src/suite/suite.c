/* suite.c - suite_load: file -> tree -> top-level checks -> raw items
 * (items:, source: or generator:) -> validated, resolved items -> choice
 * shuffling -> content hash. Every problem becomes a diagnostic and the
 * load goes on, so one call reports them all. */
#include "suite/internal.h"
#include "suite/records.h"
#include "util/fs.h"
#include "util/mem.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const top_keys[] = {
    "suite", "version", "description", "kind", "defaults", "items", "source", "generator",
    "speed", NULL
};

static void build_id_index(struct suite *s);

struct loader {
    const char *path;
    struct suite_tree tree;
    struct suite_diags *d;
    size_t first_diag;
    struct suite_raw_item *raw;
    size_t n_raw, cap_raw;
};

static int errors(const struct loader *L)
{
    return L->d->n > L->first_diag;
}

/* Turns an error message "file:line:col: msg" back into a diagnostic. */
static void diag_from_error(struct suite_diags *d, const char *file, const char *msg)
{
    const char *p = msg;
    size_t fl = strlen(file);
    int line = 0, col = 0, used = 0;
    if (!strncmp(p, file, fl) && p[fl] == ':' &&
        sscanf(p + fl + 1, "%d:%d: %n", &line, &col, &used) == 2 && used > 0) {
        suite_diag_add_raw(d, file, line, col, p + fl + 1 + used);
        return;
    }
    if (!strncmp(p, file, fl) && p[fl] == ':' && p[fl + 1] == ' ')
        p += fl + 2;
    suite_diag_add_raw(d, file, 0, 0, p);
}

static void add_raw(struct loader *L, struct suite_node *n, const char *file)
{
    XGROW(L->raw, L->n_raw + 1, L->cap_raw);
    L->raw[L->n_raw].node = n;
    L->raw[L->n_raw++].file = file;
}

static void top_error(struct loader *L, const struct suite_node *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void top_error(struct loader *L, const struct suite_node *at, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    suite_diag_add_raw(L->d, L->path, at ? at->line : 1, at ? at->column : 1, msg);
}

static int scalar_is(const struct suite_node *n, enum suite_scalar_kind k)
{
    return n && n->type == SUITE_NODE_SCALAR && suite_scalar_kind(n) == k;
}

static int is_text(const struct suite_node *n)
{
    return n && n->type == SUITE_NODE_SCALAR && suite_scalar_kind(n) != SUITE_SCALAR_NULL;
}

/* source: {path, format, map, limit} -> raw items marked at their data
 * file lines. */
static void load_source(struct loader *L, const struct suite_node *src,
                        const struct suite_load_options *opts)
{
    static const char *const keys[] = { "path", "format", "map", "limit", NULL };
    if (src->type != SUITE_NODE_MAP) {
        top_error(L, src, "'source' must be a mapping {path, format, map}, got %s",
                  suite_node_describe(src));
        return;
    }
    for (size_t i = 0; i < src->n; i++) {
        const char *k = src->keys[i]->value;
        int ok = 0;
        for (size_t j = 0; keys[j]; j++)
            ok |= !strcmp(keys[j], k);
        if (!ok) {
            const char *s = suite_suggest(k, keys);
            top_error(L, src->keys[i], "unknown key '%s' in source%s%s%s", k,
                      s ? " (did you mean '" : "", s ? s : "", s ? "'?)" : "");
        }
    }
    const struct suite_node *path = suite_node_get(src, "path");
    const struct suite_node *fmt = suite_node_get(src, "format");
    const struct suite_node *map = suite_node_get(src, "map");
    const struct suite_node *limit = suite_node_get(src, "limit");
    if (!is_text(path)) {
        top_error(L, path ? path : src, "source needs 'path' (a file relative to the suite)");
        return;
    }
    if (fmt && !is_text(fmt)) {
        top_error(L, fmt, "'format' must be csv, jsonl or json");
        return;
    }
    if (map && map->type != SUITE_NODE_MAP) {
        top_error(L, map, "'map' must be a mapping item-key: data-field, got %s",
                  suite_node_describe(map));
        return;
    }
    if (map)
        for (size_t i = 0; i < map->n; i++)
            if (!is_text(map->kids[i]))
                top_error(L, map->kids[i], "map value for '%s' must be a field name",
                          map->keys[i]->value);
    if (limit && !scalar_is(limit, SUITE_SCALAR_INT)) {
        top_error(L, limit, "'limit' must be an integer");
        return;
    }
    if (errors(L))
        return;
    char *why = NULL;
    char *full = suite_data_path(L->path, path->value, opts, &why);
    if (!full) {
        top_error(L, path, "source.path %s", why);
        free(why);
        return;
    }
    const char *file = suite_tree_strndup(&L->tree, full, strlen(full));
    free(full);
    struct suite_records r;
    struct bai_error e = {0};
    if (suite_records_read(file, fmt ? fmt->value : NULL, &r, &e) != 0) {
        diag_from_error(L->d, file, e.msg);
        return;
    }
    int csv = r.columns != NULL;
    size_t n = r.n;
    if (limit && strtol(limit->value, NULL, 10) >= 0 && (size_t)strtol(limit->value, NULL, 10) < n)
        n = (size_t)strtol(limit->value, NULL, 10);
    for (size_t i = 0; i < n; i++) {
        cJSON *row = cJSON_GetArrayItem(r.rows, (int)i);
        cJSON *item;
        int missing = 0;
        if (map) {
            item = cJSON_CreateObject();
            for (size_t k = 0; k < map->n; k++) {
                cJSON *v = cJSON_GetObjectItemCaseSensitive(row, map->kids[k]->value);
                if (!v || cJSON_IsNull(v)) {
                    suite_diag_add(L->d, file, r.lines[i], 1, "record %zu has no field '%s' "
                                   "(mapped to '%s')", i + 1, map->kids[k]->value,
                                   map->keys[k]->value);
                    missing = 1;
                    continue;
                }
                cJSON_AddItemToObject(item, map->keys[k]->value, cJSON_Duplicate(v, 1));
            }
        } else {
            item = cJSON_Duplicate(row, 1);
        }
        if (!cJSON_GetObjectItemCaseSensitive(item, "id")) {
            char id[32];
            snprintf(id, sizeof id, "%zu", i + 1);
            cJSON_AddStringToObject(item, "id", id);
        }
        if (!missing)   /* reported once, not again as a missing scorer field */
            add_raw(L, suite_node_from_json(&L->tree, item, r.lines[i], 1, csv), file);
        cJSON_Delete(item);
    }
    suite_records_free(&r);
}

/* Duplicate ids: an open-addressing set of id nodes (a 20,000-item suite
 * must not pay n^2 string compares). */
static void check_duplicate_ids(struct loader *L)
{
    size_t cap = 16;
    while (cap < L->n_raw * 2)
        cap *= 2;
    const struct suite_raw_item **set = xcalloc(cap, sizeof *set);
    for (size_t i = 0; i < L->n_raw; i++) {
        const struct suite_node *id = suite_node_get(L->raw[i].node, "id");
        if (!is_text(id))
            continue;
        size_t h = (size_t)suite_fnv1a64(id->value) & (cap - 1);
        for (;;) {
            if (!set[h]) {
                set[h] = &L->raw[i];
                break;
            }
            const struct suite_node *o = suite_node_get(set[h]->node, "id");
            if (!strcmp(o->value, id->value)) {
                suite_diag_add(L->d, L->raw[i].file, id->line, id->column,
                               "duplicate item id '%s' (first used at line %d)", id->value,
                               o->line);
                break;
            }
            h = (h + 1) & (cap - 1);
        }
    }
    free(set);
}

static void check_name(struct loader *L, const struct suite_node *name)
{
    for (const char *p = name->value; *p; p++)
        if (!(islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_')) {
            top_error(L, name, "suite name '%s' may use only a-z, 0-9 and _", name->value);
            return;
        }
    if (!*name->value) {
        top_error(L, name, "suite name is empty");
        return;
    }
    const char *base = strrchr(L->path, '/');
    base = base ? base + 1 : L->path;
    const char *dot = strrchr(base, '.');
    if (dot && (!strcmp(dot, ".yaml") || !strcmp(dot, ".yml"))) {
        size_t bl = (size_t)(dot - base);
        if (strlen(name->value) != bl || strncmp(name->value, base, bl))
            top_error(L, name, "suite name '%s' must equal the file name '%.*s'", name->value,
                      (int)bl, base);
    }
}

static void check_top(struct loader *L, struct suite *s, const struct suite_node *root)
{
    for (size_t i = 0; i < root->n; i++) {
        const char *k = root->keys[i]->value;
        int ok = 0;
        for (size_t j = 0; top_keys[j]; j++)
            ok |= !strcmp(top_keys[j], k);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(root->keys[j]->value, k))
                top_error(L, root->keys[i], "duplicate key '%s' (first on line %d)", k,
                          root->keys[j]->line);
        if (!ok) {
            const char *sg = suite_suggest(k, top_keys);
            if (sg)
                top_error(L, root->keys[i], "unknown key '%s' (did you mean '%s'?)", k, sg);
            else
                top_error(L, root->keys[i], "unknown key '%s' (known: suite, version, description, "
                          "kind, defaults, items, source, generator, speed)", k);
        }
    }
    const struct suite_node *n = suite_node_get(root, "suite");
    if (!n)
        top_error(L, root, "missing 'suite' (the suite's name)");
    else if (!is_text(n))
        top_error(L, n, "'suite' must be a string, got %s", suite_node_describe(n));
    else {
        check_name(L, n);
        s->name = xstrdup(n->value);
    }
    n = suite_node_get(root, "version");
    if (!n)
        top_error(L, root, "missing 'version' (an integer >= 1)");
    else if (!scalar_is(n, SUITE_SCALAR_INT) || strtol(n->value, NULL, 0) < 1)
        top_error(L, n, "'version' must be an integer >= 1, got %s%s%s",
                  n->type == SUITE_NODE_SCALAR ? "'" : "",
                  n->type == SUITE_NODE_SCALAR ? n->value : suite_node_describe(n),
                  n->type == SUITE_NODE_SCALAR ? "'" : "");
    else
        s->version = (int)strtol(n->value, NULL, 0);
    n = suite_node_get(root, "description");
    if (n && !is_text(n))
        top_error(L, n, "'description' must be a string, got %s", suite_node_describe(n));
    else if (n)
        s->description = xstrdup(n->value);
    n = suite_node_get(root, "kind");
    if (n && (!is_text(n) || (strcmp(n->value, "quality") && strcmp(n->value, "speed"))))
        top_error(L, n, "'kind' must be quality or speed, got '%s'",
                  is_text(n) ? n->value : suite_node_describe(n));
    s->kind = xstrdup(n && is_text(n) && !strcmp(n->value, "speed") ? "speed" : "quality");
    s->speed.pp = 512;
    s->speed.tg = 128;
    s->speed.ignore_eos = 1;
    n = suite_node_get(root, "speed");
    if (n) {
        static const char *const sk[] = { "pp", "tg", "ignore_eos", NULL };
        if (n->type != SUITE_NODE_MAP) {
            top_error(L, n, "'speed' must be a mapping {pp, tg, ignore_eos}");
        } else {
            for (size_t i = 0; i < n->n; i++) {
                const char *k = n->keys[i]->value;
                const struct suite_node *v = n->kids[i];
                if (!strcmp(k, "pp") || !strcmp(k, "tg")) {
                    if (!scalar_is(v, SUITE_SCALAR_INT) || strtol(v->value, NULL, 0) < 1)
                        top_error(L, v, "'speed.%s' must be an integer >= 1", k);
                    else
                        *(k[0] == 'p' ? &s->speed.pp : &s->speed.tg) =
                            (int)strtol(v->value, NULL, 0);
                } else if (!strcmp(k, "ignore_eos")) {
                    if (!scalar_is(v, SUITE_SCALAR_BOOL))
                        top_error(L, v, "'speed.ignore_eos' must be true or false");
                    else
                        s->speed.ignore_eos = v->value[0] == 't' || v->value[0] == 'T';
                } else {
                    const char *sg = suite_suggest(k, sk);
                    top_error(L, n->keys[i], "unknown key '%s' in speed%s%s%s", k,
                              sg ? " (did you mean '" : "", sg ? sg : "", sg ? "'?)" : "");
                }
            }
        }
    }
}

static void collect_items(struct loader *L, const struct suite_node *root, int speed,
                          const struct suite_load_options *opts)
{
    const struct suite_node *items = suite_node_get(root, "items");
    const struct suite_node *src = suite_node_get(root, "source");
    const struct suite_node *gen = suite_node_get(root, "generator");
    int given = !!items + !!src + !!gen;
    if (given > 1) {
        top_error(L, items ? items : src, "give one of 'items', 'source' or 'generator', not %d",
                  given);
        return;
    }
    if (given == 0) {
        if (!speed)
            top_error(L, root, "the suite has no 'items' (or 'source' / 'generator')");
        return;
    }
    if (items) {
        if (items->type != SUITE_NODE_SEQ) {
            top_error(L, items, "'items' must be a list, got %s", suite_node_describe(items));
            return;
        }
        if (items->n == 0 && !speed)
            top_error(L, items, "'items' is empty");
        for (size_t i = 0; i < items->n; i++)
            add_raw(L, items->kids[i], L->path);
    } else if (src) {
        load_source(L, src, opts);
    } else {
        suite_generate_long_context(&L->tree, gen, L->path, opts, &L->raw, &L->n_raw, &L->cap_raw,
                                    L->d);
    }
}

static void set_error(struct bai_error *err, const struct suite_diags *d, size_t first)
{
    /* err->msg is bounded: as many whole lines as fit, then a count */
    struct suite_diags view = { d->v + first, d->n - first, 0 };
    char *all = suite_diags_format(&view);
    size_t cap = sizeof err->msg - 64;
    if (strlen(all) > cap) {
        size_t cut = cap, shown = 0;
        while (cut > 0 && all[cut] != '\n')
            cut--;
        for (size_t i = 0; i < cut; i++)
            shown += all[i] == '\n';
        all[cut] = '\0';
        bai_error_set(err, BAI_EXIT_USAGE, "%s\n... and %zu more problems", all,
                      view.n - shown - 1);
    } else {
        bai_error_set(err, BAI_EXIT_USAGE, "%s", all);
    }
    free(all);
}

struct suite *suite_load_text(const char *path, const char *text, size_t len,
                              const struct suite_load_options *opts,
                              struct suite_diags *diags, struct bai_error *err)
{
    struct suite_diags local = {0};
    struct loader L = { .path = path, .d = diags ? diags : &local };
    L.first_diag = L.d->n;
    struct suite *s = xcalloc(1, sizeof *s);
    s->path = xstrdup(path);
    struct bai_error e = {0};

    if (suite_utf8_check(path, text, len, &e) != 0 || strlen(text) != len ||
        suite_tree_parse(&L.tree, path, text, len, &e) != 0) {
        if (!e.msg[0])
            bai_error_set(&e, BAI_EXIT_USAGE, "%s: NUL byte in the file", path);
        diag_from_error(L.d, path, e.msg);
        goto fail;
    }
    const struct suite_node *root = L.tree.root;
    if (!root || root->type != SUITE_NODE_MAP) {
        top_error(&L, root, "a suite file is a mapping (suite:, version:, items: ...), got %s",
                  suite_node_describe(root));
        goto fail;
    }
    check_top(&L, s, root);
    struct suite_defaults defs = { suite_node_get(root, "defaults"), path };
    suite_defaults_check(&defs, L.d);
    if (defs.node && defs.node->type != SUITE_NODE_MAP)
        defs.node = NULL;
    int speed = !strcmp(s->kind, "speed");
    collect_items(&L, root, speed, opts);
    check_duplicate_ids(&L);

    s->items = xcalloc(L.n_raw ? L.n_raw : 1, sizeof *s->items);
    const struct suite_node *dshuf = suite_node_get(defs.node, "shuffle_choices");
    const struct suite_node *dseed = suite_node_get(defs.node, "seed");
    unsigned long default_seed = scalar_is(dseed, SUITE_SCALAR_INT)
                                     ? strtoul(dseed->value, NULL, 0) : 1234;
    if (scalar_is(dshuf, SUITE_SCALAR_BOOL) && (dshuf->value[0] == 't' || dshuf->value[0] == 'T'))
        s->shuffle_seed = default_seed;
    for (size_t i = 0; i < L.n_raw; i++) {
        struct suite_item it;
        if (suite_item_build(&L.raw[i], &defs, speed, &it, L.d) != 0)
            continue;
        const struct suite_node *sh = suite_node_get(L.raw[i].node, "shuffle_choices");
        const struct suite_node *sd = suite_node_get(L.raw[i].node, "seed");
        if (!sh)
            sh = dshuf;
        int shuffle = scalar_is(sh, SUITE_SCALAR_BOOL) && (sh->value[0] == 't' || sh->value[0] == 'T');
        if (shuffle)
            suite_shuffle_choices(&it, sd ? strtoull(sd->value, NULL, 0) : default_seed);
        s->items[s->n_items++] = it;
    }
    if (errors(&L))
        goto fail;
    suite_compute_hash(s);
    build_id_index(s);
    s->allow_outside_source = opts && opts->allow_outside_source;
    free(L.raw);
    suite_tree_free(&L.tree);
    suite_diags_free(&local);
    return s;
fail:
    suite_diags_sort(L.d, L.first_diag);
    set_error(err, L.d, L.first_diag);
    free(L.raw);
    suite_tree_free(&L.tree);
    suite_diags_free(&local);
    suite_free(s);
    return NULL;
}

struct suite *suite_load_diags(const char *path, const struct suite_load_options *opts,
                               struct suite_diags *diags, struct bai_error *err)
{
    size_t len;
    struct bai_error e = {0};
    char *text = fs_read_file(path, &len, &e);
    if (!text) {
        if (diags)
            diag_from_error(diags, path, e.msg);
        bai_error_set(err, BAI_EXIT_USAGE, "%s", e.msg);
        return NULL;
    }
    struct suite *s = suite_load_text(path, text, len, opts, diags, err);
    free(text);
    return s;
}

struct suite *suite_load(const char *path, const struct suite_load_options *opts,
                         struct bai_error *err)
{
    return suite_load_diags(path, opts, NULL, err);
}

void suite_free(struct suite *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->n_items; i++)
        suite_item_clear(&s->items[i]);
    free(s->items);
    free(s->id_index);
    free(s->name);
    free(s->description);
    free(s->path);
    free(s->kind);
    free(s);
}

/* Slots hold item index + 1 (0 = empty); ids are unique once loaded. */
static void build_id_index(struct suite *s)
{
    size_t cap = 16;
    while (cap < s->n_items * 2)
        cap *= 2;
    s->id_index = xcalloc(cap, sizeof *s->id_index);
    s->id_index_cap = cap;
    for (size_t i = 0; i < s->n_items; i++) {
        size_t h = (size_t)suite_fnv1a64(s->items[i].id) & (cap - 1);
        while (s->id_index[h])
            h = (h + 1) & (cap - 1);
        s->id_index[h] = i + 1;
    }
}

const struct suite_item *suite_find_item(const struct suite *s, const char *id)
{
    if (!s->id_index) {
        for (size_t i = 0; i < s->n_items; i++)
            if (!strcmp(s->items[i].id, id))
                return &s->items[i];
        return NULL;
    }
    size_t cap = s->id_index_cap;
    for (size_t h = (size_t)suite_fnv1a64(id) & (cap - 1); s->id_index[h]; h = (h + 1) & (cap - 1))
        if (!strcmp(s->items[s->id_index[h] - 1].id, id))
            return &s->items[s->id_index[h] - 1];
    return NULL;
}

char *suite_scorers_summary(const struct suite *s)
{
    struct buf b = {0};
    const char *seen[32];
    size_t n_seen = 0;
    for (size_t i = 0; i < s->n_items; i++) {
        size_t j = 0;
        while (j < n_seen && strcmp(seen[j], s->items[i].scorer))
            j++;
        if (j == n_seen && n_seen < 32) {
            seen[n_seen++] = s->items[i].scorer;
            buf_printf(&b, "%s%s", b.len ? ", " : "", s->items[i].scorer);
        }
    }
    if (!b.len)
        buf_puts(&b, "-");
    return buf_detach(&b);
}

char *suite_tiers_summary(const struct suite *s)
{
    int has[SUITE_MAX_TIER + 1] = {0};
    for (size_t i = 0; i < s->n_items; i++)
        if (s->items[i].tier >= 1 && s->items[i].tier <= SUITE_MAX_TIER)
            has[s->items[i].tier] = 1;
    struct buf b = {0};
    for (int t = 1; t <= SUITE_MAX_TIER; t++)
        if (has[t])
            buf_printf(&b, "%s%d", b.len ? "," : "", t);
    if (!b.len)
        buf_puts(&b, "-");
    return buf_detach(&b);
}
