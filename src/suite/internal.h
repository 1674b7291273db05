/* internal.h - what the suite module's files share and nobody else uses:
 * diagnostics collection, the item schema checks, choice shuffling, the
 * long-context generator, hashing.
 * Does not own: struct suite's public contract (suite.h).
 */
#ifndef BAI_SUITE_INTERNAL_H
#define BAI_SUITE_INTERNAL_H

#include <stdint.h>
#include "suite/suite.h"
#include "suite/tree.h"
#include "util/suggest.h"

void suite_diag_add(struct suite_diags *d, const char *file, int line, int column,
                    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Adds an error message already formatted as "file:line:col: msg" (or
 * plain, then placed at file:line:col given). */
void suite_diag_add_raw(struct suite_diags *d, const char *file, int line, int column,
                        const char *msg);

/* Orders diags[first..] by file, line, column (stable). */
void suite_diags_sort(struct suite_diags *d, size_t first);

/* "did you mean" lives in util/suggest.h; the suite files keep these names. */
#define suite_edit_distance suggest_edit_distance
#define suite_suggest suggest_closest

/* One item as written, before validation: its node and where it came
 * from (the suite file, or a source: data file). */
struct suite_raw_item {
    struct suite_node *node;
    const char *file;
};

/* Item settings from the suite's defaults: (resolved strings point into the
 * tree). */
struct suite_defaults {
    struct suite_node *node;       /* defaults: mapping or NULL */
    const char *file;
};

/* Validates one item against the schema and, when valid, fills *out
 * (resolved settings, data JSON). Returns the number of problems found. */
int suite_item_build(const struct suite_raw_item *raw, const struct suite_defaults *defs,
                     int speed, struct suite_item *out, struct suite_diags *diags);
/* Validates the defaults: mapping itself. */
int suite_defaults_check(const struct suite_defaults *defs, struct suite_diags *diags);
void suite_item_clear(struct suite_item *it);

/* Largest image accepted (a file or a data: URI's bytes). */
#define SUITE_IMAGE_MAX_BYTES (20u << 20)
/* Reads the image spec (a path relative to the suite file's folder, which it
 * must stay inside after symlinks are resolved, or a base64 data: URI) into
 * *out. 0, or -1 with why (a sentence naming the problem) filled. */
int suite_image_load(const char *suite_path, const char *spec, struct suite_image *out, char *why,
                     size_t why_len);
void suite_image_clear(struct suite_image *im);

/* splitmix64 (Steele, Lea, Flood 2014): the documented PRNG for choice
 * order and generator placement. */
uint64_t suite_splitmix64(uint64_t *state);
uint64_t suite_fnv1a64(const char *s);
/* Shuffles item->data choices with seed; records choice_order and remaps
 * correct. */
void suite_shuffle_choices(struct suite_item *it, uint64_t seed);

/* Builds the long-context generator's raw items into *items. Returns the
 * number of problems (as diags). */
int suite_generate_long_context(struct suite_tree *t, const struct suite_node *gen,
                                const char *suite_path, const struct suite_load_options *opts,
                                struct suite_raw_item **items, size_t *n, size_t *cap,
                                struct suite_diags *diags);

/* Resolves a data file a suite names (relative to the suite's folder) and
 * checks that it stays inside that folder (suite.h, allow_outside_source).
 * Returns the path to read (allocated), or NULL with *why (allocated) saying
 * why it is refused. A file that does not exist is returned as is: reading
 * it reports that. */
char *suite_data_path(const char *suite_path, const char *rel, const struct suite_load_options *opts,
                      char **why);

/* Content hash of the loaded suite (see docs/suites.md, "Hashing"). */
void suite_compute_hash(struct suite *s);

#endif
