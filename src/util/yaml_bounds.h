/* yaml_bounds.h - the bounds every YAML file benchai reads is held to
 * (suites, plans, model registries, role tables, the config file, the
 * language table): a file from someone else must not take the machine.
 *
 * Owns the two limits and their accounting over libyaml's event stream:
 *   depth: collections nested deeper than YAML_MAX_DEPTH are refused
 *          (libyaml's own parsing of deep flow nesting is quadratic: 80,000
 *          levels took 19.7 s before this limit).
 *   aliases: an alias stands for the whole anchored node, so ten levels of
 *          ten aliases ("billion laughs") make 10^10 nodes of a 300-byte
 *          file for anyone who walks the tree. The document as expanded may
 *          hold at most max(YAML_ALIAS_MIN_NODES, YAML_ALIAS_FACTOR x the
 *          nodes written) nodes and max(YAML_ALIAS_MIN_BYTES,
 *          YAML_ALIAS_FACTOR x the file's size) bytes of scalars.
 * Errors name the place: "file:line:column: ...". Does not own what a file
 * means (each loader).
 */
#ifndef BAI_YAML_BOUNDS_H
#define BAI_YAML_BOUNDS_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>
#include "util/error.h"

#define YAML_MAX_DEPTH 256
#define YAML_ALIAS_FACTOR 10
#define YAML_ALIAS_MIN_NODES 1000000
#define YAML_ALIAS_MIN_BYTES ((uint64_t)64 << 20)

struct yaml_bounds_frame;
struct yaml_bounds_anchor;

/* The accounting of one document being parsed. */
struct yaml_bounds {
    const char *name;             /* the file, for messages */
    size_t input_len;
    struct yaml_bounds_frame *frames;     /* open collections */
    size_t depth, cap_frames;
    struct yaml_bounds_anchor *anchors;
    size_t n_anchors, cap_anchors;
    uint64_t written;             /* nodes as written in the file */
    uint64_t nodes, bytes;        /* the document as expanded, so far */
};

void yaml_bounds_init(struct yaml_bounds *b, const char *name, size_t input_len);
/* Accounts one event; 0, or -1 with err (BAI_EXIT_USAGE) when a bound is
 * passed (or an alias names no anchor). */
int yaml_bounds_event(struct yaml_bounds *b, const yaml_event_t *ev, struct bai_error *err);
void yaml_bounds_free(struct yaml_bounds *b);

/* A whole pass over text's events, for the loaders that hand the text to
 * yaml_parser_load afterwards: 0 when it is within bounds (or has a syntax
 * error, which the loader reports its own way), -1 with err. */
int yaml_bounds_check_text(const char *name, const char *text, size_t len, struct bai_error *err);

#endif
