/* f1.h - SQuAD / HotpotQA token F1 and exact match, usable on their own
 * (needle scorer, benchmark) as well as through the `f1` scorer.
 * Owns: the official answer normalisation. Does not own: answer extraction. */
#ifndef BAI_SCORE_F1_H
#define BAI_SCORE_F1_H

#include <stddef.h>
#include "util/mem.h"

enum f1_variant {
    F1_SQUAD = 0,    /* SQuAD v1.1 evaluate script: no common token -> F1 0 */
    F1_SQUAD2,       /* SQuAD v2.0: if either side has no token, F1 = EM */
    F1_HOTPOT        /* HotpotQA: yes/no/noanswer must match exactly */
};

struct f1_scores {
    double em, f1, precision, recall;
};

/* SQuAD normalize_answer: lower-case, delete ASCII punctuation, replace the
 * words a/an/the by a space, then join the white-space-split tokens with one
 * space. Appends the result to out. */
void score_squad_normalize(const char *s, size_t n, struct buf *out);

/* Scores one prediction against one gold answer (both NUL-terminated).
 * Allocation-free after warm-up (thread-local scratch). */
void score_f1_pair(const char *pred, const char *gold, enum f1_variant v,
                   struct f1_scores *out);

/* The same with a prediction of pred_len bytes (it may hold NUL
 * characters, which Python keeps in the string). */
void score_f1_pair_n(const char *pred, size_t pred_len, const char *gold, enum f1_variant v,
                     struct f1_scores *out);

/* Max over several golds, as metric_max_over_ground_truths does (EM and F1
 * maximised separately; precision/recall of the best-F1 gold). Returns the
 * index of the best-F1 gold (0 when n_gold is 0: all zeros). */
size_t score_f1_best(const char *pred, char *const *golds, size_t n_gold,
                     enum f1_variant v, struct f1_scores *out);
size_t score_f1_best_n(const char *pred, size_t pred_len, char *const *golds, size_t n_gold,
                       enum f1_variant v, struct f1_scores *out);

#endif
