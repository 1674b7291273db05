/* tree.h - a YAML document as a tree of nodes that remember where they were
 * written (1-based line and column), so validation can say file:line:col.
 *
 * Owns: struct suite_tree (an arena holding every node and string).
 * Does not own: what the nodes mean (suite.c / validate.c decide that).
 * Internal to the suite module and its importers.
 */
#ifndef BAI_SUITE_TREE_H
#define BAI_SUITE_TREE_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "util/error.h"

enum suite_node_type { SUITE_NODE_SCALAR, SUITE_NODE_SEQ, SUITE_NODE_MAP };

struct suite_node {
    enum suite_node_type type;
    int line, column;
    /* scalar: text (NUL-terminated) and whether it was written plain
     * (unquoted, untagged), which is when "42" means a number */
    char *value;
    size_t len;
    int plain;
    /* seq: kids[i]; map: keys[i] (scalars) -> kids[i] */
    struct suite_node **keys;
    struct suite_node **kids;
    size_t n;
};

struct suite_arena_block;

struct suite_tree {
    struct suite_node *root;       /* NULL for an empty document */
    struct suite_arena_block *blocks;
};

/* Parses one YAML document. On a syntax error returns -1 with err->msg
 * "file:line:column: problem". Anchors and aliases are resolved (an alias
 * shares the anchored node); depth and alias expansion are bounded
 * (util/yaml_bounds.h), so a hostile file is refused, with its place,
 * before it costs memory or time. */
int suite_tree_parse(struct suite_tree *t, const char *name, const char *text, size_t len,
                     struct bai_error *err);
void suite_tree_free(struct suite_tree *t);

/* Arena allocation (freed with the tree). */
void *suite_tree_alloc(struct suite_tree *t, size_t n);
char *suite_tree_strndup(struct suite_tree *t, const char *s, size_t n);

/* Map lookup; NULL when absent or when map is not a mapping. */
struct suite_node *suite_node_get(const struct suite_node *map, const char *key);

/* Type of a scalar as the YAML 1.2 core schema resolves a plain scalar:
 * null, bool, int, float or string (quoted scalars are always strings). */
enum suite_scalar_kind { SUITE_SCALAR_NULL, SUITE_SCALAR_BOOL, SUITE_SCALAR_INT,
                         SUITE_SCALAR_FLOAT, SUITE_SCALAR_STRING };
enum suite_scalar_kind suite_scalar_kind(const struct suite_node *n);
const char *suite_node_describe(const struct suite_node *n);   /* "a mapping", "an integer" */

/* Converts a node to JSON with the core schema types. */
cJSON *suite_node_to_json(const struct suite_node *n);
/* Builds nodes from JSON, all marked at (line, column): how source: rows
 * and generated items join the same validation path as YAML items.
 * Strings become quoted scalars unless plain_strings (CSV cells). */
struct suite_node *suite_node_from_json(struct suite_tree *t, const cJSON *j, int line, int column,
                                        int plain_strings);

#endif
