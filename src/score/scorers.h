/* scorers.h - the scorer objects the registry lists (one per scorer file).
 * Owns nothing: each `struct scorer` lives in its own file; registry.c
 * lists them in order. */
#ifndef BAI_SCORE_SCORERS_H
#define BAI_SCORE_SCORERS_H

#include "score/score.h"

extern const struct scorer scorer_exact;
extern const struct scorer scorer_f1;
extern const struct scorer scorer_choice;
extern const struct scorer scorer_ifeval;
extern const struct scorer scorer_needle;
extern const struct scorer scorer_tool_call;
extern const struct scorer scorer_judge;
extern const struct scorer scorer_code;

#endif
