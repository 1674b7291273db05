/* tree.c - libyaml event stream -> struct suite_node tree with marks.
 * Nodes and strings live in an arena: a 20,000-item suite makes ~10^6 of
 * them and one free per block keeps load and teardown cheap. */
#include "suite/tree.h"
#include "util/mem.h"
#include "util/numtext.h"
#include "util/yaml_bounds.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct suite_arena_block {
    struct suite_arena_block *next;
    size_t used, cap;
    max_align_t data[];
};

#define ARENA_BLOCK (256 * 1024)

void *suite_tree_alloc(struct suite_tree *t, size_t n)
{
    n = (n + sizeof(max_align_t) - 1) / sizeof(max_align_t) * sizeof(max_align_t);
    struct suite_arena_block *b = t->blocks;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
        struct suite_arena_block *nb = xmalloc(sizeof *nb + cap);
        nb->used = 0;
        nb->cap = cap;
        if (b && n > ARENA_BLOCK) {
            /* a big one-off: keep the current block as the active one */
            nb->next = b->next;
            b->next = nb;
            nb->used = n;
            return nb->data;
        }
        nb->next = b;
        t->blocks = b = nb;
    }
    void *p = (char *)b->data + b->used;
    b->used += n;
    return p;
}

char *suite_tree_strndup(struct suite_tree *t, const char *s, size_t n)
{
    char *p = suite_tree_alloc(t, n + 1);
    memcpy(p, s, n);
    p[n] = '\0';
    return p;
}

void suite_tree_free(struct suite_tree *t)
{
    struct suite_arena_block *b = t->blocks;
    while (b) {
        struct suite_arena_block *next = b->next;
        free(b);
        b = next;
    }
    t->blocks = NULL;
    t->root = NULL;
}

/* An open collection while its children are being parsed. Children of
 * all open collections share one stack (one allocation for the whole
 * parse): a frame's children are pending[start..]. */
struct frame {
    struct suite_node *node;
    size_t start;
    char *anchor;
};

struct pending {
    struct suite_node **v;        /* seq items, or key,value,key,value... */
    size_t n, cap;
};

struct anchor {
    char *name;
    struct suite_node *node;
};

static struct suite_node *new_node(struct suite_tree *t, enum suite_node_type type,
                                   const yaml_mark_t *m)
{
    struct suite_node *n = suite_tree_alloc(t, sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = type;
    n->line = (int)m->line + 1;
    n->column = (int)m->column + 1;
    return n;
}

static void pending_add(struct pending *p, struct suite_node *n)
{
    XGROW(p->v, p->n + 1, p->cap);
    p->v[p->n++] = n;
}

/* Returns the first key that is not a scalar (suites only use scalar
 * keys, and every consumer may rely on key->value), else NULL. */
static const struct suite_node *close_frame(struct suite_tree *t, struct frame *f,
                                            struct pending *p)
{
    const struct suite_node *bad_key = NULL;
    struct suite_node *n = f->node;
    struct suite_node **items = p->v ? p->v + f->start : NULL;
    size_t count = p->n - f->start;
    if (n->type == SUITE_NODE_SEQ) {
        n->n = count;
        n->kids = suite_tree_alloc(t, (count ? count : 1) * sizeof *n->kids);
        if (count)
            memcpy(n->kids, items, count * sizeof *n->kids);
    } else {
        n->n = count / 2;
        n->keys = suite_tree_alloc(t, (n->n ? n->n : 1) * sizeof *n->keys);
        n->kids = suite_tree_alloc(t, (n->n ? n->n : 1) * sizeof *n->kids);
        for (size_t i = 0; i < n->n; i++) {
            n->keys[i] = items[2 * i];
            n->kids[i] = items[2 * i + 1];
            if (!bad_key && n->keys[i]->type != SUITE_NODE_SCALAR)
                bad_key = n->keys[i];
        }
    }
    p->n = f->start;
    return bad_key;
}

int suite_tree_parse(struct suite_tree *t, const char *name, const char *text, size_t len,
                     struct bai_error *err)
{
    yaml_parser_t p;
    yaml_event_t ev;
    struct frame *stack = NULL;
    size_t depth = 0, stack_cap = 0;
    struct anchor *anchors = NULL;
    size_t n_anchors = 0, anchors_cap = 0;
    struct pending pend = {0};
    int rc = -1, done = 0, docs = 0;
    struct yaml_bounds bounds;
    yaml_bounds_init(&bounds, name, len);

    t->root = NULL;
    t->blocks = NULL;
    if (!yaml_parser_initialize(&p)) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "%s: cannot initialise the YAML parser", name);
        return -1;
    }
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    while (!done) {
        if (!yaml_parser_parse(&p, &ev)) {
            const yaml_mark_t *m = p.problem ? &p.problem_mark : &p.context_mark;
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: YAML syntax error: %s%s%s", name,
                          m->line + 1, m->column + 1, p.problem ? p.problem : "unknown",
                          p.context ? " " : "", p.context ? p.context : "");
            goto out;
        }
        /* depth and alias expansion are bounded before anything is built */
        if (yaml_bounds_event(&bounds, &ev, err) != 0) {
            yaml_event_delete(&ev);
            goto out;
        }
        struct suite_node *node = NULL;
        const char *anchor = NULL;
        switch (ev.type) {
        case YAML_STREAM_END_EVENT:
            done = 1;
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (++docs > 1) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: a suite file holds one YAML "
                              "document; found a second", name, ev.start_mark.line + 1,
                              ev.start_mark.column + 1);
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_ALIAS_EVENT:
            for (size_t i = 0; i < n_anchors; i++)
                if (!strcmp(anchors[i].name, (const char *)ev.data.alias.anchor))
                    node = anchors[i].node;
            if (!node) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: unknown alias '*%s'", name,
                              ev.start_mark.line + 1, ev.start_mark.column + 1,
                              (const char *)ev.data.alias.anchor);
                yaml_event_delete(&ev);
                goto out;
            }
            break;
        case YAML_SCALAR_EVENT:
            node = new_node(t, SUITE_NODE_SCALAR, &ev.start_mark);
            node->value = suite_tree_strndup(t, (const char *)ev.data.scalar.value,
                                             ev.data.scalar.length);
            node->len = ev.data.scalar.length;
            node->plain = ev.data.scalar.plain_implicit && !ev.data.scalar.tag &&
                          ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            anchor = (const char *)ev.data.scalar.anchor;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            int seq = ev.type == YAML_SEQUENCE_START_EVENT;
            XGROW(stack, depth + 1, stack_cap);
            struct frame *f = &stack[depth++];
            memset(f, 0, sizeof *f);
            f->node = new_node(t, seq ? SUITE_NODE_SEQ : SUITE_NODE_MAP, &ev.start_mark);
            f->start = pend.n;
            const yaml_char_t *a = seq ? ev.data.sequence_start.anchor
                                       : ev.data.mapping_start.anchor;
            f->anchor = a ? xstrdup((const char *)a) : NULL;
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: {
            struct frame *f = &stack[--depth];
            const struct suite_node *bad_key = close_frame(t, f, &pend);
            node = f->node;
            if (bad_key) {
                bai_error_set(err, BAI_EXIT_USAGE, "%s:%d:%d: a mapping key must be a plain "
                              "value, not %s", name, bad_key->line, bad_key->column,
                              suite_node_describe(bad_key));
                free(f->anchor);
                yaml_event_delete(&ev);
                goto out;
            }
            if (f->anchor) {
                XGROW(anchors, n_anchors + 1, anchors_cap);
                anchors[n_anchors].name = f->anchor;
                anchors[n_anchors++].node = node;
            }
            break;
        }
        default:
            break;
        }
        if (node && anchor) {
            XGROW(anchors, n_anchors + 1, anchors_cap);
            anchors[n_anchors].name = xstrdup(anchor);
            anchors[n_anchors++].node = node;
        }
        yaml_event_delete(&ev);
        if (node) {
            if (depth > 0)
                pending_add(&pend, node);
            else
                t->root = node;
        }
    }
    rc = 0;
out:
    for (size_t i = 0; i < depth; i++)
        free(stack[i].anchor);
    free(pend.v);
    free(stack);
    for (size_t i = 0; i < n_anchors; i++)
        free(anchors[i].name);
    free(anchors);
    yaml_bounds_free(&bounds);
    yaml_parser_delete(&p);
    if (rc != 0)
        suite_tree_free(t);
    return rc;
}

struct suite_node *suite_node_get(const struct suite_node *map, const char *key)
{
    if (!map || map->type != SUITE_NODE_MAP)
        return NULL;
    for (size_t i = 0; i < map->n; i++)
        if (map->keys[i]->type == SUITE_NODE_SCALAR && !strcmp(map->keys[i]->value, key))
            return map->kids[i];
    return NULL;
}

static int is_int_text(const char *s)
{
    if (*s == '-' || *s == '+')
        s++;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'o') && s[2]) {
        int hex = s[1] == 'x';
        for (s += 2; *s; s++)
            if (hex ? !strchr("0123456789abcdefABCDEF", *s) : (*s < '0' || *s > '7'))
                return 0;
        return 1;
    }
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int is_float_text(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF"))
        return 1;
    if (!strcmp(s, ".nan") || !strcmp(s, ".NaN") || !strcmp(s, ".NAN"))
        return 1;
    /* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? */
    return numtext_is_decimal(s);
}

enum suite_scalar_kind suite_scalar_kind(const struct suite_node *n)
{
    if (!n->plain)
        return SUITE_SCALAR_STRING;
    const char *s = n->value;
    if (!*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL"))
        return SUITE_SCALAR_NULL;
    if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE") || !strcmp(s, "false") ||
        !strcmp(s, "False") || !strcmp(s, "FALSE"))
        return SUITE_SCALAR_BOOL;
    if (is_int_text(s))
        return SUITE_SCALAR_INT;
    if (is_float_text(s))
        return SUITE_SCALAR_FLOAT;
    return SUITE_SCALAR_STRING;
}

const char *suite_node_describe(const struct suite_node *n)
{
    if (!n)
        return "nothing";
    if (n->type == SUITE_NODE_MAP)
        return "a mapping";
    if (n->type == SUITE_NODE_SEQ)
        return "a list";
    switch (suite_scalar_kind(n)) {
    case SUITE_SCALAR_NULL: return "null";
    case SUITE_SCALAR_BOOL: return "a boolean";
    case SUITE_SCALAR_INT: return "an integer";
    case SUITE_SCALAR_FLOAT: return "a number";
    default: return "a string";
    }
}

static double scalar_number(const char *s)
{
    const char *p = s;
    int neg = 0;
    if (*p == '-' || *p == '+')
        neg = *p++ == '-';
    if (!strcmp(p, ".inf") || !strcmp(p, ".Inf") || !strcmp(p, ".INF"))
        return neg ? -HUGE_VAL : HUGE_VAL;
    if (p[0] == '.' && (p[1] == 'n' || p[1] == 'N'))
        return NAN;
    if (p[0] == '0' && p[1] == 'x')
        return (neg ? -1.0 : 1.0) * (double)strtoull(p + 2, NULL, 16);
    if (p[0] == '0' && p[1] == 'o')
        return (neg ? -1.0 : 1.0) * (double)strtoull(p + 2, NULL, 8);
    return strtod(s, NULL);
}

cJSON *suite_node_to_json(const struct suite_node *n)
{
    if (!n)
        return cJSON_CreateNull();
    if (n->type == SUITE_NODE_SEQ) {
        cJSON *a = cJSON_CreateArray();
        for (size_t i = 0; i < n->n; i++)
            cJSON_AddItemToArray(a, suite_node_to_json(n->kids[i]));
        return a;
    }
    if (n->type == SUITE_NODE_MAP) {
        cJSON *o = cJSON_CreateObject();
        for (size_t i = 0; i < n->n; i++)
            cJSON_AddItemToObject(o, n->keys[i]->value, suite_node_to_json(n->kids[i]));
        return o;
    }
    switch (suite_scalar_kind(n)) {
    case SUITE_SCALAR_NULL: return cJSON_CreateNull();
    case SUITE_SCALAR_BOOL: return cJSON_CreateBool(n->value[0] == 't' || n->value[0] == 'T');
    case SUITE_SCALAR_INT:
    case SUITE_SCALAR_FLOAT: return cJSON_CreateNumber(scalar_number(n->value));
    default: return cJSON_CreateString(n->value);
    }
}

static struct suite_node *mk(struct suite_tree *t, enum suite_node_type type, int line, int col)
{
    struct suite_node *n = suite_tree_alloc(t, sizeof *n);
    memset(n, 0, sizeof *n);
    n->type = type;
    n->line = line;
    n->column = col;
    return n;
}

static struct suite_node *mk_scalar(struct suite_tree *t, const char *s, int plain, int line, int col)
{
    struct suite_node *n = mk(t, SUITE_NODE_SCALAR, line, col);
    n->len = strlen(s);
    n->value = suite_tree_strndup(t, s, n->len);
    n->plain = plain;
    return n;
}

struct suite_node *suite_node_from_json(struct suite_tree *t, const cJSON *j, int line, int column,
                                        int plain_strings)
{
    if (cJSON_IsArray(j) || cJSON_IsObject(j)) {
        int obj = cJSON_IsObject(j);
        struct suite_node *n = mk(t, obj ? SUITE_NODE_MAP : SUITE_NODE_SEQ, line, column);
        size_t count = (size_t)cJSON_GetArraySize(j), i = 0;
        n->kids = suite_tree_alloc(t, (count ? count : 1) * sizeof *n->kids);
        if (obj)
            n->keys = suite_tree_alloc(t, (count ? count : 1) * sizeof *n->keys);
        for (const cJSON *c = j->child; c; c = c->next, i++) {
            if (obj)
                n->keys[i] = mk_scalar(t, c->string, 0, line, column);
            n->kids[i] = suite_node_from_json(t, c, line, column, plain_strings);
        }
        n->n = count;
        return n;
    }
    if (cJSON_IsString(j))
        return mk_scalar(t, j->valuestring, plain_strings, line, column);
    if (cJSON_IsBool(j))
        return mk_scalar(t, cJSON_IsTrue(j) ? "true" : "false", 1, line, column);
    if (cJSON_IsNumber(j)) {
        char tmp[64];
        double d = j->valuedouble;
        if (d == (double)(long long)d && fabs(d) < 1e15)
            snprintf(tmp, sizeof tmp, "%lld", (long long)d);
        else
            snprintf(tmp, sizeof tmp, "%.17g", d);
        return mk_scalar(t, tmp, 1, line, column);
    }
    return mk_scalar(t, "null", 1, line, column);
}
