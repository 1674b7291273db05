/* score.h - turning one model output into a score.
 *
 * Owns: the scorer registry (one file per scorer: exact.c, f1.c, choice.c,
 * ifeval.c, needle.c, tool_call.c, code.c, judge.c), each scorer's
 * description (fields and option table, which validation and --help read)
 * and struct score_result. Modules that only need names and item checks
 * include score/registry.h instead.
 * Does not own: how outputs are produced (backend/) or kept (store/).
 * A scorer never counts "could not find an answer" as a wrong answer: that
 * is SCORE_UNPARSED, reported apart.
 */
#ifndef BAI_SCORE_H
#define BAI_SCORE_H

#include <string.h>
#include <cjson/cJSON.h>
#include "util/error.h"
#include "score/registry.h"

enum score_status {
    SCORE_SCORED = 0,    /* an answer was found and judged */
    SCORE_UNPARSED = 1,  /* no answer could be extracted */
    SCORE_ERROR = 2      /* the scorer itself failed (sandbox, judge backend) */
};

/* What a scorer sees of one sample. Only `output` (the answer, reasoning
 * removed) is required; the others are NULL when not available. */
struct score_input {
    const struct score_item *item;   /* item->data holds the scorer's fields */
    const char *output;
    size_t output_len;               /* bytes of output; 0: strlen(output). An
                                        output holding NUL characters sets it,
                                        and the text scorers read them all */
    const char *reasoning;
    const cJSON *tool_calls;         /* OpenAI tool_calls array */
    const cJSON *logprobs;           /* llama-server completion_probabilities */
};

/* The byte length of in->output (0 when there is none). Inline: every
 * scorer asks, and the scorers must not depend on registry.c, which lists
 * them. */
static inline size_t score_output_len(const struct score_input *in)
{
    if (!in || !in->output)
        return 0;
    return in->output_len ? in->output_len : strlen(in->output);
}

/* Services some scorers need (sandbox pool for code, a backend for judge).
 * Opaque here. A NULL judge makes judge items SCORE_ERROR with a reason; a
 * NULL sandbox makes the code scorer run synchronously in a temporary
 * sandbox (slower: the isolation probe is paid per sample). */
struct score_context {
    void *sandbox;                   /* struct sandbox_pool * */
    void *judge;                     /* struct judge * */
    const char *judge_key;           /* the judge's stored name (score_judge_key), or NULL */
};

/* The name a score of `scorer` is stored under in this context: the judge's
 * key for "judge" when the context has one, else scorer itself. */
const char *score_stored_name(const struct score_context *ctx, const char *scorer);

struct score_result {
    double value;                    /* 0..1 (judge: 0..100 scaled to 0..1) */
    int passed;                      /* 1 pass, 0 fail, -1 not applicable */
    enum score_status status;
    char *extracted;                 /* the answer the scorer extracted, or NULL */
    char *detail_json;               /* scorer-specific details (JSON object text) */
};

/* One item field a scorer reads, for its --help. */
struct score_field {
    const char *name;                /* "answers, answer" when alternatives */
    const char *help;
};

/* How an option's value is checked (score_options_check) and shown. */
enum score_opt_kind {
    SCORE_OPT_ENUM,                  /* a string among `values` ("a|b|c") */
    SCORE_OPT_LIST,                  /* a string or a list of strings among `values` */
    SCORE_OPT_NUMBER,                /* a number (or a string holding one) */
    SCORE_OPT_BOOL,                  /* true / false (or 0 / 1) */
    SCORE_OPT_PATTERN,               /* a PCRE2 pattern that compiles */
    SCORE_OPT_TEXT                   /* any string */
};

/* One option a scorer reads (as a field of the item, or under its
 * `scoring`, where a suite's defaults.scoring is merged). The table is
 * the one description of the option: validation and --help read it. */
struct score_option {
    const char *name;
    enum score_opt_kind kind;
    const char *values;              /* ENUM / LIST: "a|b|c"; else NULL */
    const char *def;                 /* the default as shown, or NULL */
    const char *help;
};

struct scorer {
    const char *name;
    /* 1: its value is a grade in [0, 1] (a judge's 0-100, F1, the share of
     * instructions followed or needles found) and a run's score is the mean
     * value; 0: pass/fail, a run's score is the pass rate (code: all tests
     * pass, as HumanEval's pass@1). report/figures.c reads it. */
    int graded;
    const char *summary;             /* one line for --help and error messages */
    const struct score_field *fields;     /* {NULL}-terminated */
    const struct score_option *options;   /* {NULL}-terminated, or NULL: none */
    /* Checks what the option table cannot (required fields, their shapes,
     * option combinations); appends problems to err (one per line) and
     * returns the count (0 = valid). May be NULL. Callers use score_check,
     * which also runs the option table's checks. */
    int (*validate)(const cJSON *data, struct bai_error *err);
    int (*score)(const struct score_input *in, const struct score_context *ctx,
                 struct score_result *out, struct bai_error *err);
};

/* The registry; NULL when the name is unknown. */
const struct scorer *score_find(const char *name);
/* The status as the store and JSON output spell it: "scored", "unparsed",
 * "error" (store.h's scores.status). */
const char *score_status_name(enum score_status s);

/* The checks the option table describes, on data's options; problems are
 * appended to err ("SCORER: option 'x' ..."). Returns their count. */
int score_options_check(const struct scorer *sc, const cJSON *data, struct bai_error *err);

/* The scorer's help text (summary, fields, options with their values and
 * defaults), generated from its registry entry; the caller frees it. */
char *score_help(const struct scorer *sc);

/* Scores one sample with the item's scorer, after the option table's
 * checks. Returns 0 and fills out (which the caller frees with
 * score_result_free); -1 when the item or the scorer failed, which is also
 * reported as out->status = SCORE_ERROR. */
int score_sample(const struct score_input *in, const struct score_context *ctx,
                 struct score_result *out, struct bai_error *err);
void score_result_free(struct score_result *r);

#endif
