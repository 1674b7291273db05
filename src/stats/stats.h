/* stats.h - the numbers behind "is that difference real?": percentiles, mean
 * and sd, Wilson intervals, bootstrap CIs (single, paired, ratio), McNemar's
 * exact test, a deterministic PRNG, and the quality/speed Pareto frontier.
 * Owns only arithmetic on arrays it is given; knows nothing about the store,
 * suites or output formats. Definitions are written down in docs/statistics.md.
 */
#ifndef BAI_STATS_H
#define BAI_STATS_H

#include <stddef.h>
#include <stdint.h>

/* --- PRNG ----------------------------------------------------------------
 * xoshiro256** seeded through splitmix64: the same seed gives the same
 * stream on every platform, so every CI printed by benchai is reproducible. */
struct stats_rng {
    uint64_t s[4];
};

void stats_rng_seed(struct stats_rng *r, uint64_t seed);
uint64_t stats_rng_next(struct stats_rng *r);
/* Uniform integer in [0, n) without modulo bias (Lemire); n > 0. */
uint64_t stats_rng_below(struct stats_rng *r, uint64_t n);
/* Uniform double in [0, 1) with 53 random bits. */
double stats_rng_uniform(struct stats_rng *r);
/* Standard normal (Marsaglia polar method). */
double stats_rng_normal(struct stats_rng *r);
/* Gamma(shape, 1), shape > 0 (Marsaglia-Tsang). */
double stats_rng_gamma(struct stats_rng *r, double shape);
/* Beta(a, b), a, b > 0, as G(a) / (G(a) + G(b)). */
double stats_rng_beta(struct stats_rng *r, double a, double b);
/* Binomial(n, p), exact (Knuth's order-statistic halving: O(log n) betas). */
int64_t stats_rng_binomial(struct stats_rng *r, int64_t n, double p);

/* --- descriptive ---------------------------------------------------------- */

/* p-th percentile (p in [0, 100]) of an array sorted ascending: linear
 * interpolation between closest ranks, position h = (n-1) * p / 100 counted
 * from 0 (numpy's default 'linear', R type 7, Excel PERCENTILE.INC).
 * NaN when n == 0; p outside [0, 100] is clamped. */
double stats_percentile(const double *sorted, size_t n, double p);

/* Sorts v ascending in place (NaNs last). */
void stats_sort(double *v, size_t n);

/* Mean and sample standard deviation (divisor n - 1). n == 0: both NaN;
 * n == 1: sd = 0. Either output pointer may be NULL. */
void stats_mean_sd(const double *v, size_t n, double *mean, double *sd);

/* --- intervals and tests ---------------------------------------------------- */

/* The normal quantile of every 95% interval benchai prints:
 * z = Phi^-1(0.975) = stats_normal_quantile(0.975), written out to double
 * precision (1.96 is its two-digit rounding). */
#define STATS_Z95 1.959963984540054

/* Wilson score interval for passed/n at normal quantile z (STATS_Z95 for
 * 95%). n == 0 gives [0, 1]. */
void stats_wilson(int64_t passed, int64_t n, double z, double *lo, double *hi);

/* Distribution-free 1 - alpha interval of the p-th percentile (0 < p <
 * 100) of data sorted ascending, from order statistics: [x(l), x(u)]
 * (1-based) with l the largest index such that P(B <= l - 1) <= alpha/2
 * and u the smallest such that P(B >= u) <= alpha/2, B ~ Binomial(n, p/100)
 * the count of values below the true percentile; its coverage is at least
 * 1 - alpha for any continuous distribution, with no resampling and no seed
 * (for the median of 10 values: [x(2), x(9)], 97.9 %). Returns 0, or -1 with
 * NaN bounds when n is too small for that confidence (the median needs
 * n >= 6 at 95 %) or the arguments are bad. */
int stats_quantile_ci(const double *sorted, size_t n, double p, double alpha, double *lo, double *hi);

/* Normal quantile z with P(Z <= z) = p, 0 < p < 1, found by bisection on
 * erfc (to double precision; slow-ish, call it once per CI, not per item).
 * NaN outside (0, 1). */
double stats_normal_quantile(double p);

/* Two-sided exact McNemar test: b = pairs pass->fail, c = fail->pass.
 * p = min(1, 2 * P(X <= min(b, c))), X ~ Binomial(b + c, 1/2); b + c == 0
 * gives 1. Computed in log space, exact for any size. */
double stats_mcnemar_exact(int64_t b, int64_t c);

/* --- bootstrap ---------------------------------------------------------------
 * All bootstraps are percentile bootstraps: `resamples` replicates of the
 * statistic, CI = [q(alpha/2), q(1 - alpha/2)] of the replicates with
 * stats_percentile. The same (data, resamples, seed) always gives the same
 * interval. Return 0, or -1 for bad arguments (n == 0, resamples < 1,
 * alpha outside (0, 1), a zero denominator for a ratio); outputs are NaN
 * then.
 *
 * Why it is fast: for a mean over few distinct values (pass/fail scores and
 * their paired differences) a resample only needs the multinomial counts of
 * the distinct values, drawn with exact binomials in O(k log n); for a
 * percentile the two resampled order statistics it interpolates are drawn
 * exactly from their Beta distributions in O(1). Both are the same
 * distribution as drawing n indices with replacement, not approximations.
 * The one approximation: a mean over many distinct values with n >= 2,000
 * and n x resamples > 2 x 10^7 takes its replicates from the normal limit
 * N(mean, exact bootstrap variance) instead of drawing 10^9 indices. */

/* CI of the mean of v. */
int stats_bootstrap_mean_ci(const double *v, size_t n, int resamples, uint64_t seed,
                            double alpha, double *lo, double *hi);

/* Paired: a[i] and b[i] are the same item under A and B. delta = mean(b - a);
 * the CI resamples the n pairs (i.e. the differences). */
int stats_bootstrap_paired_delta(const double *a, const double *b, size_t n, int resamples,
                                 uint64_t seed, double alpha, double *delta, double *lo,
                                 double *hi);

/* The statistic a ratio bootstrap compares. */
#define STATS_STAT_MEAN (-1.0)   /* pass as `pct` for the (weighted) mean */

/* Two independent samples A (na values) and B (nb values), e.g. per-request
 * tokens/s of two runs. ratio = stat(B) / stat(A), where stat is the mean
 * (pct = STATS_STAT_MEAN) or the pct-th percentile (0..100). Each sample is
 * resampled on its own. Weights wa / wb (may be NULL) make the mean a
 * weighted mean sum(w*v)/sum(w) with (value, weight) pairs resampled
 * together - draft acceptance is the per-request rate weighted by drafted
 * tokens, i.e. sum(accepted) / sum(drafted). Weights are ignored for
 * percentiles. */
int stats_bootstrap_ratio_ci(const double *a, const double *wa, size_t na,
                             const double *b, const double *wb, size_t nb,
                             double pct, int resamples, uint64_t seed, double alpha,
                             double *ratio, double *lo, double *hi);

/* CI of the pct-th percentile (0..100) of v, e.g. the median tokens/s of
 * a configuration; *point is that percentile of v itself. */
int stats_bootstrap_percentile_ci(const double *v, size_t n, double pct, int resamples, uint64_t seed,
                                  double alpha, double *point, double *lo, double *hi);

/* --- Pareto frontier (quality up, speed up or down) ---------------------- */
struct stats_point {
    double quality;              /* higher is better */
    double q_lo, q_hi;           /* CI of quality, carried for reports (NaN = none) */
    double speed;                /* tokens/s (higher better) or latency (lower better) */
    int higher_speed_is_better;  /* must be the same for all points */
    /* outputs of stats_pareto_mark: */
    int on_frontier;             /* 1 = no other point dominates it */
    long dominated_by;           /* index of a frontier point dominating it, or -1 */
    int ci_overlaps;             /* dominated, but its quality CI overlaps the
                                    dominator's: dominance not clear in quality */
};

/* p dominates q when p is at least as good on both axes and strictly better
 * on one. Identical points therefore do not dominate each other: both stay
 * on the frontier. Points with NaN quality or speed are neither on the
 * frontier nor dominated (on_frontier = 0, dominated_by = -1). For a
 * dominated point, dominated_by names the frontier point that dominates it
 * with the highest quality (ties: better speed, then lowest index).
 * Returns the number of frontier points, or -1 when higher_speed_is_better
 * differs between points. O(n^2): frontiers are over configs, not samples. */
long stats_pareto_mark(struct stats_point *pts, size_t n);

#endif
