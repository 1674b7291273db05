/* registry.h - the scorer registry as modules outside score/ ask it:
 * which scorer names exist, whether an item's data suits its scorer, and
 * what a scorer reads of an item (struct score_item).
 * Owns: these questions (answered by registry.c from the one list of
 * scorers) and struct score_item. Does not own: the scorers themselves,
 * or any suite type: suite/ includes this header (to check items and to
 * hand them to scorers, suite_item_for_score) and score/ includes nothing
 * of suite/, so the dependency runs one way. */
#ifndef BAI_SCORE_REGISTRY_H
#define BAI_SCORE_REGISTRY_H

#include <cjson/cJSON.h>
#include "util/error.h"

/* What a scorer reads of one item; the pointers are borrowed. A suite
 * item gives one through suite_item_for_score (suite/suite.h), `benchai
 * score` builds one from a JSONL line, rescore lays another scorer or
 * more data over one. */
struct score_item {
    const char *id;                  /* named in messages; choice's shuffle seed */
    const char *scorer;              /* the scorer's registry name */
    cJSON *data;                     /* the scorer's fields and options (read only) */
    const char *prompt;              /* the question as asked (the item's prompt,
                                        or its last user message), or NULL */
};

/* The registered scorer names in registry order, NULL-terminated. */
const char *const *score_names(void);
/* "exact, f1, choice, ..." for error messages. */
const char *score_known_names(void);

/* Whether a stored scorer name reports a mean grade (1) or a pass rate
 * (0); -1 for a name no scorer has. A judge's stored name
 * "judge:MODEL#PROMPT" counts as "judge" (the part before ':'). */
int score_graded(const char *stored_name);

/* Checks an item's data (its fields, and its options as fields or under
 * `scoring`) for the named scorer: the generic checks of the scorer's
 * option table, then the scorer's own validate. Problems are appended to
 * err one per line; returns their count (0 = valid). An unknown name is
 * one problem. */
int score_check(const char *scorer, const cJSON *data, struct bai_error *err);

#endif
