/* choice.h - multiple-choice helpers shared by the `choice` scorer and the
 * runner that builds the lettered prompt (choice order shuffling), and the
 * letter extraction rules (choice_extract.c).
 * Owns: the deterministic per-item shuffle, simple-evals' extractions, the
 * fallback chain. Does not own: prompt text. */
#ifndef BAI_SCORE_CHOICE_H
#define BAI_SCORE_CHOICE_H

#include <stddef.h>
#include "util/mem.h"

/* Fills order[0..n) with a permutation: displayed position i shows original
 * choice order[i]. Deterministic in (seed, item_id) so a run can be
 * repeated; seed 0 gives the identity. The runner records the seed; the
 * scorer recomputes the same order (or reads data.choice_order). */
void score_choice_shuffle(const char *item_id, unsigned long seed, size_t n, int *order);

/* ---- extraction (choice_extract.c) ------------------------------------ */

/* The `extraction` option: the default chain, or one official extraction
 * alone (to reproduce a published figure). In enum order. */
enum choice_extraction { CHOICE_ALL = 0, CHOICE_MMLU, CHOICE_GPQA };
#define CHOICE_EXTRACTION_NAMES "all|mmlu|gpqa"

/* simple-evals' normalize_response (markdown bold and LaTeX wrappers
 * removed) appended to out. */
void score_choice_normalize_response(const char *s, size_t n, struct buf *out);

/* What simple-evals stores as extracted_answer: its MMLU path (on norm,
 * the output after score_choice_normalize_response:
 * MULTILINGUAL_ANSWER_REGEXES in order, normalize_extracted_answer) or its
 * GPQA path (ANSWER_PATTERN_MULTICHOICE on the raw output). out gets the
 * text as simple-evals keeps it - a letter, "c" for a lower-case answer,
 * an Arabic letter it does not map - or "" for None. The letters A-D widen
 * to the item's when it has more than four choices. */
void score_choice_official_mmlu(const char *norm, size_t len, size_t n_choices, char out[8]);
void score_choice_official_gpqa(const char *output, size_t n_choices, char out[8]);

/* The default chain over the shown choices: the MMLU extraction (on norm,
 * as above) limited to the item's letters (case-insensitive), then
 * \boxed{X}, "answer is X", **X**, a lone letter, "(X)" (last), a choice's
 * text (last), ": X" (last), a line "X)". Returns the letter (0: none) and
 * sets *rule to its name. */
char score_choice_extract(const char *output, const char *norm, size_t norm_len,
                          char *const *shown, size_t n, const char **rule);

#endif
