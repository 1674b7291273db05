/* test_stats.c - src/stats against values computed independently. Where each
 * expected value comes from is written next to it. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

#define NEAR(x, y, tol) cr_assert(fabs((x) - (y)) <= (tol), "%s = %.12g, expected %.12g (tol %g)", #x, (double)(x), (double)(y), (double)(tol))

/* Hand computation with h = (n-1) p / 100 (numpy 'linear', R type 7):
 * [1..5]: p=25 -> h=1 -> 2; p=90 -> h=3.6 -> 4 + 0.6 = 4.6.
 * [1..4]: p=10 -> h=0.3 -> 1.3; p=50 -> h=1.5 -> 2.5. */
Test(stats, percentile_linear)
{
    double v5[] = {1, 2, 3, 4, 5}, v4[] = {1, 2, 3, 4}, one[] = {3.5};
    NEAR(stats_percentile(v5, 5, 0), 1.0, 0);
    NEAR(stats_percentile(v5, 5, 25), 2.0, 0);
    NEAR(stats_percentile(v5, 5, 50), 3.0, 0);
    NEAR(stats_percentile(v5, 5, 90), 4.6, 1e-12);
    NEAR(stats_percentile(v5, 5, 100), 5.0, 0);
    NEAR(stats_percentile(v4, 4, 10), 1.3, 1e-12);
    NEAR(stats_percentile(v4, 4, 50), 2.5, 1e-12);
    NEAR(stats_percentile(one, 1, 37), 3.5, 0);
    cr_assert(isnan(stats_percentile(v5, 0, 50)));
}

Test(stats, sort_puts_nan_last)
{
    double v[] = {3, NAN, -1, 2};
    stats_sort(v, 4);
    cr_assert(v[0] == -1 && v[1] == 2 && v[2] == 3 && isnan(v[3]));
}

/* Textbook example: [2,4,4,4,5,5,7,9] has mean 5, sum of squared deviations
 * 32, so sample sd = sqrt(32/7). */
/* Order-statistic intervals, worked out from Binomial(n, 1/2) tails:
 * n = 10: P(B <= 1) = 11/1024 <= 0.025 < P(B <= 2) = 56/1024 -> [x2, x9];
 * n = 6: P(B <= 0) = 1/64 <= 0.025 < 7/64 -> [x1, x6]; n = 5: 1/32 > 0.025,
 * no interval; p90 of 20 values, B ~ Bin(20, 0.9): P(B <= 14) = 0.0113 <=
 * 0.025 < P(B <= 15) = 0.0432 -> l = 15; P(B >= 20) = 0.1216 > 0.025 -> no
 * upper order statistic. */
Test(stats, quantile_ci_order_statistics)
{
    double v[20], lo, hi;
    for (int i = 0; i < 20; i++)
        v[i] = i + 1;
    cr_assert_eq(stats_quantile_ci(v, 10, 50, 0.05, &lo, &hi), 0);
    NEAR(lo, 2, 0);
    NEAR(hi, 9, 0);
    cr_assert_eq(stats_quantile_ci(v, 6, 50, 0.05, &lo, &hi), 0);
    NEAR(lo, 1, 0);
    NEAR(hi, 6, 0);
    cr_assert_eq(stats_quantile_ci(v, 5, 50, 0.05, &lo, &hi), -1);
    cr_assert(isnan(lo) && isnan(hi));
    cr_assert_eq(stats_quantile_ci(v, 20, 90, 0.05, &lo, &hi), -1, "no upper bound at n = 20");
    cr_assert_eq(stats_quantile_ci(v, 0, 50, 0.05, &lo, &hi), -1);
}

Test(stats, mean_sd)
{
    double v[] = {2, 4, 4, 4, 5, 5, 7, 9}, m, sd;
    stats_mean_sd(v, 8, &m, &sd);
    NEAR(m, 5.0, 1e-12);
    NEAR(sd, sqrt(32.0 / 7.0), 1e-12);
    stats_mean_sd(v, 1, &m, &sd);
    NEAR(m, 2.0, 0);
    NEAR(sd, 0.0, 0);
    stats_mean_sd(v, 0, &m, &sd);
    cr_assert(isnan(m) && isnan(sd));
}

/* Wilson 8/10 at z = 1.96: the formula worked by hand (p = .8, z^2 = 3.8416:
 * centre .99208/1.38416, half 1.96/1.38416*sqrt(.025604)) gives
 * [0.490157, 0.943319], the same as R binom::binom.confint(8, 10,
 * methods = "wilson"). 0/10: upper = z^2/(n + z^2) = 3.8416/13.8416. */
Test(stats, wilson)
{
    double lo, hi;
    stats_wilson(8, 10, 1.96, &lo, &hi);
    NEAR(lo, 0.49015684672072335, 1e-12);
    NEAR(hi, 0.9433190520193067, 1e-12);
    stats_wilson(0, 10, 1.96, &lo, &hi);
    NEAR(lo, 0.0, 1e-15);
    NEAR(hi, 3.8416 / 13.8416, 1e-12);
    stats_wilson(10, 10, 1.96, &lo, &hi);
    NEAR(hi, 1.0, 1e-15);
    NEAR(lo, 10.0 / 13.8416, 1e-12);
    stats_wilson(0, 0, 1.96, &lo, &hi);
    cr_assert(lo == 0.0 && hi == 1.0);
}

/* Standard normal table: z(0.975) = 1.959963984540054, z(0.5) = 0,
 * z(0.95) = 1.6448536269514722. */
Test(stats, normal_quantile)
{
    NEAR(stats_normal_quantile(0.975), 1.959963984540054, 1e-12);
    NEAR(STATS_Z95, stats_normal_quantile(0.975), 1e-15);   /* the one 95% constant */
    NEAR(stats_normal_quantile(0.025), -1.959963984540054, 1e-12);
    NEAR(stats_normal_quantile(0.5), 0.0, 1e-12);
    NEAR(stats_normal_quantile(0.95), 1.6448536269514722, 1e-12);
    cr_assert(isnan(stats_normal_quantile(0.0)));
}

/* Exact binomial sums: b=1,c=9: 2*(C(10,0)+C(10,1))/2^10 = 22/1024;
 * b=0,c=10: 2/1024; b=3,c=7: 2*(1+10+45+120)/1024 = 352/1024;
 * b=c: capped at 1. The last two: exact rational sums of C(n,i)/2^n with
 * Python's fractions and math.comb (240 and 4100 discordant pairs). */
Test(stats, mcnemar_exact)
{
    NEAR(stats_mcnemar_exact(1, 9), 22.0 / 1024.0, 1e-15);
    NEAR(stats_mcnemar_exact(9, 1), 22.0 / 1024.0, 1e-15);
    NEAR(stats_mcnemar_exact(0, 10), 2.0 / 1024.0, 1e-15);
    NEAR(stats_mcnemar_exact(3, 7), 352.0 / 1024.0, 1e-14);
    NEAR(stats_mcnemar_exact(5, 5), 1.0, 0);
    NEAR(stats_mcnemar_exact(0, 0), 1.0, 0);
    NEAR(stats_mcnemar_exact(100, 140), 0.011664092317677663, 1e-12);
    NEAR(stats_mcnemar_exact(2000, 2100), 0.12206497999113813, 1e-10);
}

Test(stats, rng_deterministic_and_bounded)
{
    struct stats_rng a, b;
    stats_rng_seed(&a, 42);
    stats_rng_seed(&b, 42);
    for (int i = 0; i < 100; i++)
        cr_assert_eq(stats_rng_next(&a), stats_rng_next(&b));
    stats_rng_seed(&b, 43);
    cr_assert_neq(stats_rng_next(&a), stats_rng_next(&b));
    int hist[7] = {0};
    for (int i = 0; i < 70000; i++) {
        uint64_t x = stats_rng_below(&a, 7);
        cr_assert(x < 7);
        hist[x]++;
    }
    /* 10000 expected per bin, sd ~ 93: 6 sd. */
    for (int i = 0; i < 7; i++)
        cr_assert(abs(hist[i] - 10000) < 560, "bin %d: %d", i, hist[i]);
}

/* Binomial(1000, 0.3): mean 300, variance 210. 20000 draws: se of the mean
 * 0.1, se of the variance about 2.1. */
Test(stats, binomial_moments)
{
    struct stats_rng r;
    stats_rng_seed(&r, 7);
    double sum = 0, ss = 0;
    int N = 20000;
    for (int i = 0; i < N; i++) {
        double x = (double)stats_rng_binomial(&r, 1000, 0.3);
        cr_assert(x >= 0 && x <= 1000);
        sum += x;
        ss += x * x;
    }
    double m = sum / N, var = ss / N - m * m;
    NEAR(m, 300.0, 0.5);
    NEAR(var, 210.0, 12.0);
    cr_assert_eq(stats_rng_binomial(&r, 50, 0.0), 0);
    cr_assert_eq(stats_rng_binomial(&r, 50, 1.0), 50);
}

/* Beta(3, 5): mean 3/8, variance ab/((a+b)^2 (a+b+1)) = 15/576. */
Test(stats, beta_moments)
{
    struct stats_rng r;
    stats_rng_seed(&r, 9);
    double sum = 0, ss = 0;
    int N = 40000;
    for (int i = 0; i < N; i++) {
        double x = stats_rng_beta(&r, 3, 5);
        sum += x;
        ss += x * x;
    }
    double m = sum / N;
    NEAR(m, 0.375, 0.003);
    NEAR(ss / N - m * m, 15.0 / 576.0, 0.001);
}

Test(stats, bootstrap_deterministic)
{
    double v[50];
    for (int i = 0; i < 50; i++)
        v[i] = (i * 37) % 11;
    double lo1, hi1, lo2, hi2, lo3, hi3;
    cr_assert_eq(stats_bootstrap_mean_ci(v, 50, 2000, 1234, 0.05, &lo1, &hi1), 0);
    cr_assert_eq(stats_bootstrap_mean_ci(v, 50, 2000, 1234, 0.05, &lo2, &hi2), 0);
    cr_assert(lo1 == lo2 && hi1 == hi2);
    stats_bootstrap_mean_ci(v, 50, 2000, 999, 0.05, &lo3, &hi3);
    cr_assert(lo3 != lo1 || hi3 != hi1);
}

/* v = 0..999: mean 499.5, population sd sqrt((n^2-1)/12) = 288.675, so the
 * bootstrap se of the mean is 288.675/sqrt(1000) = 9.129 and a 95% CI is
 * about +-17.9 around 499.5. */
Test(stats, bootstrap_mean_contains_truth)
{
    double v[1000];
    for (int i = 0; i < 1000; i++)
        v[i] = i;
    double lo, hi;
    cr_assert_eq(stats_bootstrap_mean_ci(v, 1000, 10000, 1, 0.05, &lo, &hi), 0);
    cr_assert(lo < 499.5 && hi > 499.5, "[%g, %g]", lo, hi);
    NEAR(hi - lo, 2 * 1.96 * 9.129, 2.0);
    NEAR((lo + hi) / 2, 499.5, 1.5);
}

/* The multinomial fast path (binary values, n = 10000) against the normal
 * approximation: p = .7, se = sqrt(.21/10000) = .004583, half-width .008982. */
Test(stats, bootstrap_binary_fast_path)
{
    size_t n = 10000;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (i % 10) < 7;
    double lo, hi;
    cr_assert_eq(stats_bootstrap_mean_ci(v, n, 10000, 5, 0.05, &lo, &hi), 0);
    NEAR((hi - lo) / 2, 0.008982, 0.0006);
    NEAR((hi + lo) / 2, 0.7, 0.0006);
    free(v);
}

/* Naive bootstrap written here independently (draw n indices, compute the
 * statistic) compared with the fast paths: the CI ends must agree within
 * Monte Carlo error. */
static double naive_stat(const double *v, size_t n, double pct, struct stats_rng *r, double *tmp)
{
    double sum = 0;
    for (size_t i = 0; i < n; i++) {
        tmp[i] = v[stats_rng_below(r, n)];
        sum += tmp[i];
    }
    if (pct < 0)
        return sum / n;
    stats_sort(tmp, n);
    return stats_percentile(tmp, n, pct);
}

static void naive_ci(const double *v, size_t n, double pct, int R, double *lo, double *hi)
{
    struct stats_rng r;
    stats_rng_seed(&r, 77);
    double *tmp = malloc(n * sizeof *tmp), *rep = malloc(R * sizeof *rep);
    for (int i = 0; i < R; i++)
        rep[i] = naive_stat(v, n, pct, &r, tmp);
    stats_sort(rep, R);
    *lo = stats_percentile(rep, R, 2.5);
    *hi = stats_percentile(rep, R, 97.5);
    free(tmp);
    free(rep);
}

Test(stats, fast_paths_match_naive_bootstrap)
{
    size_t n = 2000;
    double *bin = malloc(n * sizeof *bin), *cont = malloc(n * sizeof *cont);
    double *ones = malloc(n * sizeof *ones);
    for (size_t i = 0; i < n; i++) {
        bin[i] = (i * 7919 % 100) < 40;         /* 40% pass */
        cont[i] = 20.0 + (double)(i * 7919 % 1000) / 10.0 + (i % 3 == 0 ? 50.0 : 0.0);
        ones[i] = 1.0;
    }
    double nlo, nhi, lo, hi, ratio;
    naive_ci(bin, n, -1, 4000, &nlo, &nhi);
    stats_bootstrap_mean_ci(bin, n, 20000, 3, 0.05, &lo, &hi);
    NEAR(lo, nlo, 0.003);
    NEAR(hi, nhi, 0.003);
    /* Percentile path through a ratio with a constant denominator sample. */
    for (int k = 0; k < 2; k++) {
        double pct = k ? 95.0 : 50.0;
        naive_ci(cont, n, pct, 3000, &nlo, &nhi);
        cr_assert_eq(stats_bootstrap_ratio_ci(ones, NULL, n, cont, NULL, n, pct, 20000, 3,
                                              0.05, &ratio, &lo, &hi), 0);
        double se = (nhi - nlo) / 3.92;
        NEAR(lo, nlo, 0.25 * se + 0.2);
        NEAR(hi, nhi, 0.25 * se + 0.2);
    }
    free(bin);
    free(cont);
    free(ones);
}

Test(stats, paired_delta)
{
    /* B is A + 1 on every item: delta exactly 1 with a degenerate CI. */
    double a[40], b[40];
    for (int i = 0; i < 40; i++) {
        a[i] = i % 5;
        b[i] = a[i] + 1;
    }
    double d, lo, hi;
    cr_assert_eq(stats_bootstrap_paired_delta(a, b, 40, 10000, 1, 0.05, &d, &lo, &hi), 0);
    NEAR(d, 1.0, 1e-12);
    NEAR(lo, 1.0, 1e-12);
    NEAR(hi, 1.0, 1e-12);
    /* Pass/fail: 300 items, 30 flip pass->fail, 0 flip back: delta = -0.1;
     * paired se = sqrt(p(1-p)/n) with p = .1 -> .01732, CI ~ -0.1 +- 0.034. */
    double pa[300], pb[300];
    for (int i = 0; i < 300; i++) {
        pa[i] = i % 2;
        pb[i] = (i < 60 && i % 2) ? 0 : pa[i];
    }
    cr_assert_eq(stats_bootstrap_paired_delta(pa, pb, 300, 10000, 1, 0.05, &d, &lo, &hi), 0);
    NEAR(d, -0.1, 1e-12);
    cr_assert(hi < 0 && lo < -0.1 && hi > -0.1);
    NEAR(hi - lo, 2 * 1.96 * 0.01732, 0.006);
    cr_assert_eq(stats_bootstrap_paired_delta(pa, pb, 0, 10000, 1, 0.05, &d, &lo, &hi), -1);
}

Test(stats, ratio_of_means_and_weights)
{
    double a[20], b[20], acc[4] = {1.0, 0.5, 0.0, 0.75}, w[4] = {4, 2, 2, 4};
    for (int i = 0; i < 20; i++) {
        a[i] = 10;
        b[i] = 12;
    }
    double r, lo, hi;
    cr_assert_eq(stats_bootstrap_ratio_ci(a, NULL, 20, b, NULL, 20, STATS_STAT_MEAN, 10000,
                                          1, 0.05, &r, &lo, &hi), 0);
    NEAR(r, 1.2, 1e-12);
    NEAR(lo, 1.2, 1e-12);
    NEAR(hi, 1.2, 1e-12);
    /* Weighted: A = sum(acc*w)/sum(w) = (4+1+0+3)/12 = 2/3; B all-ones
     * rates (acceptance 1) -> ratio 1.5. */
    double ones[4] = {1, 1, 1, 1};
    cr_assert_eq(stats_bootstrap_ratio_ci(acc, w, 4, ones, w, 4, STATS_STAT_MEAN, 2000, 1,
                                          0.05, &r, &lo, &hi), 0);
    NEAR(r, 1.5, 1e-12);
    cr_assert(lo <= 1.5 && hi >= 1.5 && lo >= 1.0);
    double zeros[3] = {0, 0, 0};
    cr_assert_eq(stats_bootstrap_ratio_ci(zeros, NULL, 3, b, NULL, 3, STATS_STAT_MEAN, 100, 1,
                                          0.05, &r, &lo, &hi), -1);
}

/* Two independent samples of the same uniform grid: median 0.5 each, se of
 * a median 1/(2 f sqrt n) = 0.005 at n = 10000, so the ratio has se about
 * sqrt(2) * 0.005 / 0.5 = 0.01414 and a 95% half-width of 0.0277. */
Test(stats, ratio_of_medians_width)
{
    size_t n = 10000;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = (i * 7919 % n) / (double)n;
    double r, lo, hi;
    cr_assert_eq(stats_bootstrap_ratio_ci(v, NULL, n, v, NULL, n, 50, 10000, 11, 0.05, &r, &lo,
                                          &hi), 0);
    NEAR(r, 1.0, 1e-12);
    cr_assert(lo < 1 && hi > 1);
    NEAR((hi - lo) / 2, 0.0277, 0.003);
    free(v);
}

static struct stats_point pt(double q, double s, int hib)
{
    struct stats_point p = {q, NAN, NAN, s, hib, 0, 0, 0};
    return p;
}

Test(stats, pareto_frontier)
{
    struct stats_point p[6] = {
        pt(0.9, 10, 1), pt(0.8, 20, 1), pt(0.7, 15, 1),
        pt(0.9, 10, 1), pt(0.5, 5, 1), pt(NAN, 30, 1),
    };
    cr_assert_eq(stats_pareto_mark(p, 6), 3);
    cr_assert(p[0].on_frontier && p[1].on_frontier && p[3].on_frontier);  /* twins both on */
    cr_assert(!p[2].on_frontier && p[2].dominated_by == 1);
    cr_assert(!p[4].on_frontier && p[4].dominated_by == 0);  /* highest-quality dominator */
    cr_assert(!p[5].on_frontier && p[5].dominated_by == -1);
    /* Latency: lower is better. (0.8, 100ms) dominates (0.7, 150ms). */
    struct stats_point l[3] = {pt(0.8, 100, 0), pt(0.7, 150, 0), pt(0.6, 50, 0)};
    l[0].q_lo = 0.72; l[0].q_hi = 0.88;
    l[1].q_lo = 0.6; l[1].q_hi = 0.75;
    cr_assert_eq(stats_pareto_mark(l, 3), 2);
    cr_assert(!l[1].on_frontier && l[1].dominated_by == 0 && l[1].ci_overlaps);
    cr_assert(l[2].on_frontier);
    l[2].higher_speed_is_better = 1;
    cr_assert_eq(stats_pareto_mark(l, 3), -1);
}

/* The normal-limit path (n = 20000 distinct values, 10000 resamples: 2e8
 * draws, over the budget) against the naive bootstrap with 2000 replicates,
 * and the weighted mean (ratio of sums) against its naive counterpart. */
Test(stats, normal_limit_matches_naive)
{
    size_t n = 20000;
    double *v = malloc(n * sizeof *v), *w = malloc(n * sizeof *w), *ones = malloc(n * sizeof *ones);
    for (size_t i = 0; i < n; i++) {
        v[i] = 10.0 + (double)(i * 7919 % 20000) / 1000.0 + (i % 7 == 0 ? 30.0 : 0.0);
        w[i] = 1 + (double)(i * 104729 % 50);
        ones[i] = 1.0;
    }
    double nlo, nhi, lo, hi, r;
    naive_ci(v, n, -1, 2000, &nlo, &nhi);
    cr_assert_eq(stats_bootstrap_mean_ci(v, n, 10000, 4, 0.05, &lo, &hi), 0);
    double se = (nhi - nlo) / 3.92;
    NEAR(lo, nlo, 0.25 * se);
    NEAR(hi, nhi, 0.25 * se);
    /* Naive weighted: resample (v, w) pairs, sum(wv)/sum(w). */
    struct stats_rng rng;
    stats_rng_seed(&rng, 5);
    int R = 2000;
    double *rep = malloc(R * sizeof *rep);
    for (int k = 0; k < R; k++) {
        double sw = 0, swv = 0;
        for (size_t i = 0; i < n; i++) {
            size_t j = stats_rng_below(&rng, n);
            sw += w[j];
            swv += w[j] * v[j];
        }
        rep[k] = swv / sw;
    }
    stats_sort(rep, R);
    nlo = stats_percentile(rep, R, 2.5);
    nhi = stats_percentile(rep, R, 97.5);
    cr_assert_eq(stats_bootstrap_ratio_ci(ones, NULL, n, v, w, n, STATS_STAT_MEAN, 10000, 4,
                                          0.05, &r, &lo, &hi), 0);
    se = (nhi - nlo) / 3.92;
    NEAR(lo, nlo, 0.25 * se);
    NEAR(hi, nhi, 0.25 * se);
    free(rep);
    free(v);
    free(w);
    free(ones);
}

/* At the smallest size that takes the normal limit (n = 2500, 10000
 * resamples), on skewed data (exponential quantiles, skewness 2): the CI
 * ends agree with a naive bootstrap (4000 replicates) within Monte Carlo
 * error. */
Test(stats, normal_limit_skewed_small_n)
{
    size_t n = 2500;
    double *v = malloc(n * sizeof *v);
    for (size_t i = 0; i < n; i++)
        v[i] = -log(1.0 - ((double)((i * 7919) % n) + 0.5) / (double)n);
    double nlo, nhi, lo, hi;
    naive_ci(v, n, -1, 4000, &nlo, &nhi);
    cr_assert_eq(stats_bootstrap_mean_ci(v, n, 10000, 8, 0.05, &lo, &hi), 0);
    double se = (nhi - nlo) / 3.92;
    NEAR(lo, nlo, 0.2 * se);
    NEAR(hi, nhi, 0.2 * se);
    free(v);
}
