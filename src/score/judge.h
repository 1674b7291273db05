/* judge.h - relative 0-100 judging by another model (the `judge` scorer).
 * Owns: the judge prompt, the rubric default and the strict score parser.
 * Does not own: how the judge model is reached (a backend fills `complete`). */
#ifndef BAI_SCORE_JUDGE_H
#define BAI_SCORE_JUDGE_H

#include "util/error.h"
#include "util/mem.h"

struct score_item;

/* Passed to the scorer as score_context.judge. complete() sends one
 * system + user message to the judge model and returns its answer in
 * *answer_out (malloc'd, caller frees); 0 ok, -1 with err on failure. */
struct judge {
    const char *model;          /* recorded in the detail */
    int (*complete)(void *ctx, const char *system, const char *prompt, char **answer_out,
                    struct bai_error *err);
    void *ctx;
    int retries;                /* extra attempts when the answer has no parsable score */
};

/* The users' default bands. */
extern const char score_judge_default_rubric[];
/* The fixed system message. */
extern const char score_judge_system[];

/* Builds the judge's user message from the item (prompt, data.reference,
 * data.rubric, data.peer_answers) and the response. Appends to out. */
void score_judge_prompt(const struct score_item *item, const char *response, struct buf *out);

/* The name a judge's scores are stored under: "judge:MODEL#PROMPT", where
 * PROMPT is the first 8 hex digits of the SHA-256 of the system message and
 * of the user message this benchai builds for a fixed example item (with
 * `peers` example answers when peers > 0). Another judge model, another
 * prompt wording or another number of peer answers gives another name, so
 * its scores are kept beside the first judge's (scores are keyed by sample
 * and stored name). Allocated. */
char *score_judge_key(const char *model, int peers);

/* Parses a judgement: the last "SCORE: n" (0..100), else MT-Bench's last
 * "[[n]]" (1..10, scaled x10). Returns 1 and sets *score (0..100) and *how
 * ("score" / "mtbench"), 0 when nothing parsable. */
int score_judge_parse(const char *answer, double *score, const char **how);

#endif
