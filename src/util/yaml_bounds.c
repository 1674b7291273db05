/* yaml_bounds.c - the depth and alias-expansion accounting over libyaml's
 * events that every YAML reader runs (see yaml_bounds.h). */
#include "util/yaml_bounds.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

/* An open collection: the expanded size of what it holds so far, and its
 * anchor (registered with that size when it closes). */
struct yaml_bounds_frame {
    uint64_t nodes, bytes;
    char *anchor;
};

struct yaml_bounds_anchor {
    char *name;
    uint64_t nodes, bytes;
};

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

void yaml_bounds_init(struct yaml_bounds *b, const char *name, size_t input_len)
{
    memset(b, 0, sizeof *b);
    b->name = name;
    b->input_len = input_len;
}

void yaml_bounds_free(struct yaml_bounds *b)
{
    for (size_t i = 0; i < b->depth; i++)
        free(b->frames[i].anchor);
    free(b->frames);
    for (size_t i = 0; i < b->n_anchors; i++)
        free(b->anchors[i].name);
    free(b->anchors);
    memset(b, 0, sizeof *b);
}

/* A node of this expanded size joins the innermost open collection (or is
 * the root) and the document. */
static void add_node(struct yaml_bounds *b, uint64_t nodes, uint64_t bytes)
{
    if (b->depth) {
        struct yaml_bounds_frame *f = &b->frames[b->depth - 1];
        f->nodes = sat_add(f->nodes, nodes);
        f->bytes = sat_add(f->bytes, bytes);
    }
}

static void add_anchor(struct yaml_bounds *b, const char *name, uint64_t nodes, uint64_t bytes)
{
    /* a later anchor of the same name wins (YAML): search from the end */
    XGROW(b->anchors, b->n_anchors + 1, b->cap_anchors);
    b->anchors[b->n_anchors].name = xstrdup(name);
    b->anchors[b->n_anchors].nodes = nodes;
    b->anchors[b->n_anchors++].bytes = bytes;
}

static int over_budget(struct yaml_bounds *b, const yaml_mark_t *m, struct bai_error *err)
{
    uint64_t max_nodes = (uint64_t)YAML_ALIAS_FACTOR * b->written;
    uint64_t max_bytes = (uint64_t)YAML_ALIAS_FACTOR * b->input_len;
    if (max_nodes < YAML_ALIAS_MIN_NODES)
        max_nodes = YAML_ALIAS_MIN_NODES;
    if (max_bytes < YAML_ALIAS_MIN_BYTES)
        max_bytes = YAML_ALIAS_MIN_BYTES;
    if (b->nodes <= max_nodes && b->bytes <= max_bytes)
        return 0;
    bai_error_set(err, BAI_EXIT_USAGE,
                  "%s:%zu:%zu: this alias makes the document, with every alias expanded, larger "
                  "than %llu nodes or %llu MiB (an alias bomb?); aliases may expand a document to "
                  "%d times what is written",
                  b->name, m->line + 1, m->column + 1, (unsigned long long)max_nodes,
                  (unsigned long long)(max_bytes >> 20), YAML_ALIAS_FACTOR);
    return -1;
}

int yaml_bounds_event(struct yaml_bounds *b, const yaml_event_t *ev, struct bai_error *err)
{
    const yaml_mark_t *m = &ev->start_mark;
    switch (ev->type) {
    case YAML_SCALAR_EVENT: {
        uint64_t bytes = ev->data.scalar.length;
        b->written++;
        b->nodes = sat_add(b->nodes, 1);
        b->bytes = sat_add(b->bytes, bytes);
        add_node(b, 1, bytes);
        if (ev->data.scalar.anchor)
            add_anchor(b, (const char *)ev->data.scalar.anchor, 1, bytes);
        return over_budget(b, m, err);
    }
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT: {
        if (b->depth >= YAML_MAX_DEPTH) {
            bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: nested deeper than %d levels",
                          b->name, m->line + 1, m->column + 1, YAML_MAX_DEPTH);
            return -1;
        }
        const yaml_char_t *a = ev->type == YAML_SEQUENCE_START_EVENT ? ev->data.sequence_start.anchor
                                                                     : ev->data.mapping_start.anchor;
        XGROW(b->frames, b->depth + 1, b->cap_frames);
        struct yaml_bounds_frame *f = &b->frames[b->depth++];
        f->nodes = 1;
        f->bytes = 0;
        f->anchor = a ? xstrdup((const char *)a) : NULL;
        b->written++;
        b->nodes = sat_add(b->nodes, 1);
        return over_budget(b, m, err);
    }
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT: {
        if (!b->depth)
            return 0;
        struct yaml_bounds_frame f = b->frames[--b->depth];
        if (f.anchor) {
            add_anchor(b, f.anchor, f.nodes, f.bytes);
            free(f.anchor);
        }
        add_node(b, f.nodes, f.bytes);
        return 0;
    }
    case YAML_ALIAS_EVENT: {
        const char *name = (const char *)ev->data.alias.anchor;
        for (size_t i = b->n_anchors; i-- > 0;) {
            if (strcmp(b->anchors[i].name, name))
                continue;
            b->nodes = sat_add(b->nodes, b->anchors[i].nodes);
            b->bytes = sat_add(b->bytes, b->anchors[i].bytes);
            add_node(b, b->anchors[i].nodes, b->anchors[i].bytes);
            return over_budget(b, m, err);
        }
        bai_error_set(err, BAI_EXIT_USAGE, "%s:%zu:%zu: unknown alias '*%s'", b->name,
                      m->line + 1, m->column + 1, name);
        return -1;
    }
    default:
        return 0;
    }
}

int yaml_bounds_check_text(const char *name, const char *text, size_t len, struct bai_error *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return 0;
    yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
    struct yaml_bounds b;
    yaml_bounds_init(&b, name, len);
    int rc = 0;
    for (;;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev))
            break;              /* the loader reports syntax errors */
        int end = ev.type == YAML_STREAM_END_EVENT;
        if (ev.type == YAML_DOCUMENT_START_EVENT)
            yaml_bounds_free(&b), yaml_bounds_init(&b, name, len);
        rc = yaml_bounds_event(&b, &ev, err);
        yaml_event_delete(&ev);
        if (rc < 0 || end)
            break;
    }
    yaml_bounds_free(&b);
    yaml_parser_delete(&p);
    return rc;
}
