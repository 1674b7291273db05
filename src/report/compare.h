/* compare.h - item-paired comparison of two stored runs (compare, gate).
 * Owns: pairing samples of two runs by (config label, suite name, version,
 * sha256, item id, rep), what differs between paired configs, the per-suite
 * (incl. pass@k) and speed statistics of the pairs, and rendering them as
 * md / csv / json. Does not own: SQL schema (store/), the
 * statistics themselves (stats/), the pass/fail rule of a gate (gate.h). */
#ifndef BAI_REPORT_COMPARE_H
#define BAI_REPORT_COMPARE_H

#include <stddef.h>
#include <stdint.h>

#include "report/format.h"
#include "report/passk.h"
#include "store/store.h"
#include "util/error.h"
#include "util/mem.h"

struct compare_opts {
    const char *config_a, *config_b;   /* NULL: pair configs by label (or the only ones) */
    const char *const *suites;         /* only these suite names; NULL = all */
    size_t n_suites;
    int force;                         /* pair suites whose version/hash differ, by item id */
    int with_outputs;                  /* load the outputs of flipped items */
    int resamples;                     /* bootstrap replicates (>= 1; CLI insists on >= 10000) */
    uint64_t seed;
    double alpha;                      /* CIs are 1 - alpha (0.05: 95%) */
    int exclude_failed;                /* --exclude-failed: pairs whose request failed on a
                                          side are left out (by default such a side is a
                                          failure, worth 0; report/figures.h) */
};

/* Fills defaults: 10000 resamples, seed 1, alpha 0.05. */
void compare_opts_init(struct compare_opts *o);

struct compare_flip {
    char *item_id;
    int rep;
    int to_pass;                       /* 1: fail -> pass, 0: pass -> fail */
    int64_t sample_a, sample_b;
    char *output_a, *output_b;         /* with_outputs only, else NULL */
};

/* One suite (and scorer) of one config pair. Scores are the mean worth x
 * 100 over the paired items, each sample worth what report/figures.c says
 * (report_sample_worth: a graded scorer's value, a pass/fail scorer's pass,
 * 0 for unparsed answers and for failed or timed-out requests unless
 * exclude_failed), so a side's score is the figure show prints when every
 * item is paired. */
struct compare_suite {
    char *name;
    int version_a, version_b;          /* 0 when the side lacks the suite */
    char sha_a[65], sha_b[65];
    char *scorer;                      /* NULL when not paired / nothing scored */
    int paired;                        /* 0: not compared, note says why */
    int forced;                        /* paired by item id despite version/hash */
    char *note;                        /* NULL or a sentence */
    size_t n_paired;                   /* items scored on both sides */
    size_t only_a, only_b;             /* items (id, rep) present on one side only */
    size_t excluded_a, excluded_b;     /* paired items dropped: the scorer failed or has no
                                          score for it (a failed request with exclude_failed) */
    size_t failed_a, failed_b;         /* paired items whose request failed or timed out,
                                          counted as failures (worth 0) */
    int graded;                        /* 1: mean grade, 0: pass rate (report/figures.h) */
    double score_a, score_b;
    double delta, delta_lo, delta_hi;  /* B - A, paired bootstrap CI */
    int pass_fail;                     /* every paired item scored exactly 0 or 1 */
    size_t n_pass_fail;                /* pairs where both sides have passed 0/1 */
    int64_t pass_to_fail, fail_to_pass;
    double mcnemar_p;                  /* NaN without pass/fail pairs */
    struct compare_flip *flips;        /* pass->fail first, then fail->pass */
    size_t n_flips;
    /* pass@k of each side over the paired items (both sides have the same
     * samples per item), when pass_fail and some item has several samples
     * (reps); the delta is value_b - value_a. */
    int has_passk;
    struct report_passk passk_a, passk_b;
};

enum compare_speed_metric {
    COMPARE_GEN_TPS = 0,   /* generation tokens/s p50 (server timings) */
    COMPARE_TTFT_P50,      /* time to first token, median, ms */
    COMPARE_TTFT_P95,
    COMPARE_ACCEPT,        /* draft acceptance: sum(accepted) / sum(drafted) */
    COMPARE_PROMPT_TPS,    /* prompt processing tokens/s, median (server timings) */
    COMPARE_SPEED_N
};

/* Ratio B / A with a bootstrap CI (each run resampled on its own), over the
 * samples of all paired items of the config pair. ok = 0 when either side
 * has no measured value. */
struct compare_speed {
    int ok;
    double a, b, ratio, lo, hi;
    size_t n_a, n_b;
};

struct compare_pair {
    char *label_a, *label_b;
    /* What differs between the two configs in model, backend, draft or
     * launch parameters ("np: 1 vs 4"); none when they are the same setup.
     * gate refuses such a pair unless told to allow it; compare warns. */
    char **differences;
    size_t n_differences;
    struct compare_suite *suites;
    size_t n_suites;
    size_t n_common;                   /* paired items over all suites */
    struct compare_speed speed[COMPARE_SPEED_N];
    /* The first server start of each config (report/resources.h): load
     * time to /health ready and the first request's gen tok/s; NaN when
     * not recorded. One figure per side, so no interval. */
    double load_ms_a, load_ms_b, first_tps_a, first_tps_b;
};

struct compare_result {
    char run_a[STORE_RUN_ID_MAX], run_b[STORE_RUN_ID_MAX];
    struct compare_pair *pairs;
    size_t n_pairs;
    char **notes;                      /* configs without a partner, ... */
    size_t n_notes;
    size_t n_common;                   /* paired items over everything */
    size_t n_differing;                /* pairs with differences */
    int resamples;
    uint64_t seed;
    double alpha;
    int exclude_failed;                /* the options' */
};

/* Compares two runs of one store. A run or a --config label that does not
 * exist is an error (usage); no common items is NOT an error here (callers
 * check n_common). The result is the caller's: compare_result_free. */
int compare_runs(struct store *st, const char *run_a, const char *run_b,
                 const struct compare_opts *o, struct compare_result *out,
                 struct bai_error *err);
void compare_result_free(struct compare_result *r);
/* "config 'tiny' (A) vs 'echo' (B) differ: model: tiny vs echo; backend:
 * openai vs command", one allocated sentence per pair with differences, or
 * NULL when the pair has none. */
char *compare_pair_differences_text(const struct compare_pair *p);

/* Short name and unit-bearing title of a speed metric ("gen_tps", ...). */
const char *compare_speed_key(enum compare_speed_metric m);
const char *compare_speed_title(enum compare_speed_metric m);

/* md: aligned tables a terminal shows well; csv: one flat table (one row
 * per suite score and per speed metric); json: the whole result. Flipped
 * items (and their outputs when loaded) are listed when show_flips. */
void compare_render(const struct compare_result *r, enum report_fmt fmt, int show_flips,
                    struct buf *out);

/* The pair's pass@k rows (suite, scorer, k, A %, B %, Δ pp), one per suite
 * with has_passk and estimated k; returns how many suites (t is initialised
 * only when > 0). Left-out notes, one "<prefix>suite (scorer): note" line
 * per suite, go to notes (may be NULL). */
size_t compare_passk_table(const struct compare_pair *p, struct report_table *t,
                           struct buf *notes, const char *prefix);

/* Markdown table with columns padded to equal width (UTF-8 aware), so it
 * reads as a table in a terminal and still renders as Markdown. */
void compare_table_md_aligned(const struct report_table *t, struct buf *out);

/* Opens the store read-only (store_path NULL: the default store) and
 * resolves both run specs (id, unique prefix, tag:NAME). NULL + err. */
struct store *compare_open(const char *store_path, const char *spec_a, const char *spec_b,
                           char id_a[STORE_RUN_ID_MAX], char id_b[STORE_RUN_ID_MAX],
                           struct bai_error *err);

#endif
