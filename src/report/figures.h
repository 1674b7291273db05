/* figures.h - the figures of one (run, config, suite) that every command
 * prints, computed in one place: a score with its 95% confidence interval,
 * and the speed percentiles. `show`, `table`, `pareto`, `select`, the HTML
 * report and the closing table of `benchai run` all call these, so they
 * cannot disagree on a constant.
 *
 * Owns: which statistic and which interval a figure is (Wilson at STATS_Z95
 * for pass/fail scores, a seeded percentile bootstrap of the mean for
 * continuous ones; p50/p95 by stats_percentile), the bootstrap's resamples
 * and seed. Does not own: the arithmetic (stats/), which samples count (the
 * callers' counting rules, docs/reports.md), the store.
 */
#ifndef BAI_REPORT_FIGURES_H
#define BAI_REPORT_FIGURES_H

#include <stddef.h>
#include <stdint.h>

/* Bootstrap of a continuous score's mean: fixed, so the same store always
 * prints the same interval. */
#define REPORT_BOOT_RESAMPLES 2000
#define REPORT_BOOT_SEED 20261122u

/* A score (0..1) with its 95% CI; NaN where nothing was scored. */
struct report_score {
    double mean, lo, hi;
    const char *method;          /* "wilson", "bootstrap", or NULL when n == 0 */
};

/* The score of n values in [0, 1]. With pass_fail (every value is a pass
 * or a fail, passed of them passes) the mean is passed / n with a Wilson
 * interval; otherwise the mean of the values with a percentile bootstrap
 * (REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED). */
void report_score_figures(const double *values, size_t n, int pass_fail, size_t passed,
                          struct report_score *out);

/* Speed over the samples a caller counts (n is the caller's). NaN where
 * nothing was measured. */
struct report_speed {
    int64_t n;
    double gen_tps_p50, gen_tps_mean;
    double ttft_p50_ms, ttft_p95_ms;
    double e2e_p50_ms;
    double acceptance;           /* sum(draft_accepted) / sum(draft_n) */
    /* the tails select's latency constraints name (max_e2e_p95_ms, ...) */
    double ttft_p90_ms, ttft_p99_ms, e2e_p90_ms, e2e_p95_ms, e2e_p99_ms;
};

/* Fills every field but n from the measured values (sorted in place) and
 * the draft sums (drafted <= 0: no acceptance). */
void report_speed_figures(double *gen_tps, size_t n_gen, double *ttft_ms, size_t n_ttft, double *e2e_ms,
                          size_t n_e2e, double drafted, double accepted, struct report_speed *out);

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
