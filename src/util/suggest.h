/* suggest.h - "did you mean": the edit distance between two words and the
 * closest of a list of names. Used by every diagnostic that names an
 * unknown key, flag, command or value (suite/, cli/).
 * Owns nothing; allocates only scratch memory. */
#ifndef BAI_SUGGEST_H
#define BAI_SUGGEST_H

#include <stddef.h>

/* Optimal string alignment distance: Levenshtein plus adjacent
 * transpositions, so "exatc" is one edit from "exact". */
size_t suggest_edit_distance(const char *a, const char *b);

/* The closest of names[] (NULL-terminated) to word, or NULL when none is
 * close enough to be a plausible typo (at most a third of the word, at
 * least 1 and at most 3 edits). Ties keep the first. */
const char *suggest_closest(const char *word, const char *const *names);

#endif
