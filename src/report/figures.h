/* figures.h - the figures of one (run, config, suite) that every command
 * prints, computed in one place: which samples count and what each is
 * worth, the score with its 95% confidence interval, the pass rate, the
 * counts of unparsed answers, failed and timed-out requests, which of
 * several scorers (judges) a one-score report shows, and the speed
 * percentiles with their intervals. `show`, `table`, `pareto`, `select`,
 * `status`, `compare`, `gate`, the HTML report and the closing table of
 * `benchai run` all call these, so they cannot disagree.
 *
 * Owns: the counting rules (docs/metrics.md "Per (run, config, suite)"),
 * which statistic and which interval a figure is (the mean grade with a
 * seeded percentile bootstrap for graded scorers, the pass rate with Wilson
 * at STATS_Z95 for pass/fail ones; p50 with a distribution-free order
 * statistic interval for speed), the bootstrap's resamples and seed, and
 * the 0-100 scale of every percentage. Does not own: the arithmetic
 * (stats/), the store (store_run_groups reads it), any output format.
 */
#ifndef BAI_REPORT_FIGURES_H
#define BAI_REPORT_FIGURES_H

#include <stddef.h>
#include <stdint.h>

#include "report/passk.h"

struct store_group;

/* Bootstrap of a graded score's mean: fixed, so the same store always
 * prints the same interval. */
#define REPORT_BOOT_RESAMPLES 2000
#define REPORT_BOOT_SEED 20261122u

/* How samples count, as the reporting commands' flags set it. The zero
 * value is the default every command starts from. */
struct report_rules {
    /* --exclude-failed: samples whose request failed or timed out are left
     * out of scores (the view before failures counted); reports say so. */
    int exclude_failed;
    /* --scorer: which score a one-score report (table, closing table,
     * status, select) shows: a stored name or a scorer ("judge", "f1").
     * NULL: the scorer whose name sorts first (the suite's own, unless a
     * rescore added another). */
    const char *scorer;
    /* --judge: text the judge's stored name "judge:MODEL#PROMPT" must
     * contain. NULL: the judge whose scores were written last. */
    const char *judge;
};

/* What became of one sample for one scorer. */
enum report_outcome {
    REPORT_SCORED,       /* the scorer judged an answer: worth its grade or pass */
    REPORT_UNPARSED,     /* no answer could be extracted: worth 0, a failure */
    REPORT_SCORE_ERROR,  /* the scorer itself failed (judge down, sandbox): not counted,
                            it says nothing about the model; rescore fixes it */
    REPORT_ERROR,        /* the request failed: worth 0 (left out with exclude_failed) */
    REPORT_TIMEOUT       /* the request timed out: worth 0 (likewise) */
};

/* Whether a sample counts, and what it is worth: a graded scorer's value
 * (0..1), a pass/fail scorer's pass (its value where it has no pass flag);
 * unparsed, failed and timed-out samples 0 and not passed. *pass is 1, 0,
 * or -1 when the scorer gave no pass/fail. Returns 1 when the sample is in
 * the score, 0 when not (scorer errors; failures with exclude_failed). */
int report_sample_worth(enum report_outcome o, int graded, double value, int passed, int exclude_failed,
                        double *worth, int *pass);

/* 1 when the stored scorer name reports the mean grade, 0 the pass rate
 * (score/registry.h); for a name no scorer has, 1 when any value is not
 * 0 or 1 or differs from its pass flag. */
int report_scorer_graded(const char *stored_name, const double *values, const int *passed, size_t n);

/* The score of one scorer in one (config, suite). Percentages are 0-100. */
struct report_score {
    const char *scorer;          /* borrowed (the group's) */
    int graded;                  /* 1: score = mean grade; 0: score = pass rate */
    int exclude_failed;          /* failed requests left out (rules) */
    size_t n;                    /* samples in the score */
    double sum;                  /* their worth summed: points of n (0..n) */
    double score, lo, hi;        /* 0-100, 95% CI; NaN when n == 0 */
    const char *method;          /* "bootstrap", "wilson"; NULL when n == 0 */
    size_t passed, pass_n;       /* passes among the pass_n counted samples with a pass/fail */
    double pass_rate, pass_lo, pass_hi;   /* 0-100, Wilson; NaN when pass_n == 0 */
    size_t n_scored, n_unparsed; /* by outcome (all samples, counted or not) */
    size_t n_score_errors;       /* the scorer failed: never counted */
    size_t n_errors, n_timeouts; /* the request failed / timed out */
    size_t n_missing;            /* answered, but this scorer has no score for it (a
                                    partial rescore): not counted */
    int has_passk;               /* every counted sample pass/fail, some item with several */
    struct report_passk passk;
};

/* The figures of n samples of one scorer from their outcomes, values and
 * pass flags (items[i]: the sample's item number, ascending, for pass@k;
 * may be NULL). graded < 0: decided by report_scorer_graded. */
void report_score_compute(const char *scorer, int graded, const enum report_outcome *outcome,
                          const double *value, const int *passed, const size_t *items, size_t n,
                          const struct report_rules *rules, struct report_score *out);

/* The score of g->scores[k]. A sample whose request failed counts for
 * every scorer of its group, also one that was added later (a second judge). */
void report_group_score(const struct store_group *g, size_t k, const struct report_rules *rules,
                        struct report_score *out);

/* The same for the samples of one tier of the suite's items (an item's
 * `tier:`); tier 0: every sample, as report_group_score. */
void report_group_tier_score(const struct store_group *g, size_t k, int tier, const struct report_rules *rules,
                             struct report_score *out);

/* The scorer a one-score report shows for g under rules: the rules'
 * scorer (a stored name, or every stored name of that scorer), else the
 * scorer first by name; among several judges the one whose stored name
 * contains rules->judge, else the one written last. -1 when none fits. */
long report_group_pick(const struct store_group *g, const struct report_rules *rules);

/* "judge" for "judge:MODEL#PROMPT"; other names as they are. Into buf. */
const char *report_scorer_family(const char *stored_name, char *buf, size_t size);

/* Speed over the samples a caller counts: p50 with its 95% interval
 * (stats_quantile_ci; NaN below 6 values), TTFT p95, draft acceptance.
 * NaN where nothing was measured. */
struct report_speed {
    int64_t n;                   /* the caller's count of samples behind it */
    double gen_tps_p50, gen_tps_lo, gen_tps_hi, gen_tps_mean;
    double ttft_p50_ms, ttft_lo_ms, ttft_hi_ms, ttft_p95_ms;
    double e2e_p50_ms, e2e_lo_ms, e2e_hi_ms;
    double acceptance;           /* sum(draft_accepted) / sum(draft_n) */
    /* the tails select's latency constraints name (max_e2e_p95_ms, ...) */
    double ttft_p90_ms, ttft_p99_ms, e2e_p90_ms, e2e_p95_ms, e2e_p99_ms;
};

/* Fills every field but n from the measured values (sorted in place) and
 * the draft sums (drafted <= 0: no acceptance). */
void report_speed_figures(double *gen_tps, size_t n_gen, double *ttft_ms, size_t n_ttft, double *e2e_ms,
                          size_t n_e2e, double drafted, double accepted, struct report_speed *out);

/* Where a group's speed figures came from, named as samples.speed_source
 * names one sample's (docs/metrics.md): "server" (llama-server's timings),
 * "usage" (the client's clock, the server's token count), "chunks" (the
 * client's clock and count), "mixed" when the samples differ, NULL when no
 * sample said (stored before schema v5, or nothing measured). */
const char *report_speed_source(size_t n_server, size_t n_usage, size_t n_chunks);

/* The speed of g's answered samples (sorts g's vectors in place); n = the
 * samples with status ok. */
void report_group_speed(struct store_group *g, struct report_speed *out);

/* Text of a figure for tables: "62.0" (one decimal), "[48.1, 75.3]", "-"
 * for NaN; a value with its interval, "812.4 [790.1, 830.0]". */
void report_fmt_pct(double pct, char *buf, size_t size);
void report_fmt_ci(double lo, double hi, char *buf, size_t size);
void report_fmt_with_ci(double v, double lo, double hi, const char *fmt, char *buf, size_t size);

/* The label a report prints when rules->exclude_failed:
 * "failed and timed-out samples excluded (--exclude-failed)". */
extern const char report_exclude_failed_note[];

/* A median with its 95% CI: a percentile bootstrap of the median
 * (REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED), e.g. prompt tokens/s. NaN
 * where n == 0 (the interval also for n == 1: nothing to resample). */
struct report_median {
    double value, lo, hi;
    size_t n;
};
void report_median_figures(const double *v, size_t n, struct report_median *out);

/* A speed-up: median(b) / median(a) (b = the configuration, a = its
 * baseline), with a 95% CI from resampling both independently
 * (stats_bootstrap_ratio_ci at the 50th percentile). NaN when either is
 * empty or a's median is 0. */
void report_speedup_figures(const double *a, size_t na, const double *b, size_t nb, struct report_median *out);

#endif
