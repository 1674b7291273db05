/* bootstrap.c - percentile bootstrap CIs for a mean, a paired mean
 * difference and a ratio of two independent statistics.
 *
 * Each statistic has a "resampler" that draws one bootstrap replicate. The
 * fast paths give the same distribution as drawing n indices with
 * replacement, with less work:
 *   - mean over k distinct values: the replicate depends only on how often
 *     each value is drawn, a Multinomial(n; c_1/n .. c_k/n) vector, drawn
 *     as k - 1 conditional exact binomials;
 *   - percentile: a resample's j-th order statistic is F_n^-1(U_(j)), U_(j)
 *     the j-th of n sorted uniforms ~ Beta(j, n - j + 1), and the next one
 *     is U_(j) + (1 - U_(j)) * (1 - V^(1/(n - j))) (the minimum of the
 *     n - j uniforms above it); linear interpolation needs just those two.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats/stats.h"
#include "util/mem.h"

enum rs_kind { RS_DIRECT, RS_MULTINOMIAL, RS_WEIGHTED, RS_PERCENTILE, RS_NORMAL };

/* Above this many index draws (n x resamples) a mean over many distinct
 * values is drawn from its normal limit instead (see rs_init_mean). */
#define DIRECT_DRAW_BUDGET 2e7
#define NORMAL_LIMIT_MIN_N 2000

struct resampler {
    enum rs_kind kind;
    size_t n;
    const double *v, *w;       /* RS_DIRECT, RS_WEIGHTED: caller's arrays */
    double *vals;              /* RS_MULTINOMIAL: distinct values; RS_PERCENTILE: sorted copy */
    int64_t *tail;             /* RS_MULTINOMIAL: tail[j] = count of values >= vals[j] */
    size_t k;                  /* RS_MULTINOMIAL: number of distinct values */
    double frac;               /* RS_PERCENTILE: interpolation weight */
    double centre, se;         /* RS_NORMAL: the mean and its bootstrap sd */
    size_t j1;                 /* RS_PERCENTILE: 1-based lower order statistic */
};

/* The multinomial path costs about k * log2(n) beta draws against n index
 * draws for the direct path; take it only when clearly cheaper. */
static int multinomial_pays(size_t k, size_t n)
{
    double lg = log2((double)n + 1.0);
    return (double)k * lg * 24.0 < (double)n;
}

/* 1 when the first 4096 values alone hold too many distinct values for the
 * multinomial path to pay, so continuous data skips sorting all n. */
static int many_distinct_prefix(const double *v, size_t n)
{
    size_t m = n < 4096 ? n : 4096, k = 1;
    double *p = xmalloc(m * sizeof *p);
    memcpy(p, v, m * sizeof *p);
    stats_sort(p, m);
    for (size_t i = 1; i < m; i++)
        k += p[i] != p[i - 1];
    free(p);
    return !multinomial_pays(k, n);
}

/* The exact bootstrap variance of a (weighted) mean: sigma^2 / n with the
 * divisor-n variance; for the weighted mean R = sum(wv)/sum(w) its
 * linearisation mean((w (v - R))^2) / (n mean(w)^2). */
static void normal_limit(struct resampler *rs, const double *v, const double *w, size_t n)
{
    double sw = 0.0, swv = 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        sw += wi;
        swv += wi * v[i];
    }
    double r = swv / sw, wbar = sw / (double)n, ss = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = (w ? w[i] : 1.0) * (v[i] - r);
        ss += t * t;
    }
    rs->kind = RS_NORMAL;
    rs->centre = r;
    rs->se = sqrt(ss / (double)n / (double)n) / wbar;
}

/* Why the normal limit: drawing n x resamples indices costs ~3-5 ns each,
 * 2 x 10^9 draws for two 100,000-request runs. For n >= 2,000 the
 * bootstrap distribution of a mean is normal to well below the Monte Carlo
 * error of 10,000 replicates (the skew term of its Edgeworth expansion is
 * ~ skew / (6 sqrt(n)) ~ 0.01 sd for skew 2), so
 * replicates are drawn from N(mean, exact bootstrap variance). Documented
 * in docs/statistics.md as the one approximation. */
static void rs_init_mean(struct resampler *rs, const double *v, const double *w, size_t n,
                         int resamples)
{
    memset(rs, 0, sizeof *rs);
    rs->n = n;
    rs->v = v;
    rs->w = w;
    int big = n >= NORMAL_LIMIT_MIN_N && (double)n * resamples > DIRECT_DRAW_BUDGET;
    if (w) {
        rs->kind = RS_WEIGHTED;
        if (big)
            normal_limit(rs, v, w, n);
        return;
    }
    rs->kind = RS_DIRECT;
    if (n < 256)
        return;
    if (many_distinct_prefix(v, n)) {
        if (big)
            normal_limit(rs, v, NULL, n);
        return;
    }
    double *sorted = xmalloc(n * sizeof *sorted);
    memcpy(sorted, v, n * sizeof *sorted);
    stats_sort(sorted, n);
    size_t k = 1;
    for (size_t i = 1; i < n; i++)
        if (sorted[i] != sorted[i - 1])
            k++;
    if (!multinomial_pays(k, n)) {
        free(sorted);
        if (big)
            normal_limit(rs, v, NULL, n);
        return;
    }
    rs->kind = RS_MULTINOMIAL;
    rs->k = k;
    rs->tail = xmalloc(k * sizeof *rs->tail);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (i == 0 || sorted[i] != sorted[i - 1]) {
            sorted[j] = sorted[i];
            rs->tail[j] = (int64_t)(n - i);
            j++;
        }
    }
    rs->vals = sorted;
}

static void rs_init_percentile(struct resampler *rs, const double *v, size_t n, double pct)
{
    memset(rs, 0, sizeof *rs);
    rs->kind = RS_PERCENTILE;
    rs->n = n;
    rs->vals = xmalloc(n * sizeof *rs->vals);
    memcpy(rs->vals, v, n * sizeof *rs->vals);
    stats_sort(rs->vals, n);
    if (pct < 0.0)
        pct = 0.0;
    if (pct > 100.0)
        pct = 100.0;
    double h = (double)(n - 1) * pct / 100.0;
    double lo = floor(h);
    rs->j1 = (size_t)lo + 1;
    rs->frac = h - lo;
}

static void rs_free(struct resampler *rs)
{
    free(rs->vals);
    free(rs->tail);
}

/* The value F_n^-1(u) of the empirical distribution over sorted vals. */
static double inv_ecdf(const struct resampler *rs, double u)
{
    double pos = ceil((double)rs->n * u) - 1.0;
    if (pos < 0.0)
        pos = 0.0;
    size_t i = (size_t)pos;
    if (i >= rs->n)
        i = rs->n - 1;
    return rs->vals[i];
}

static double rs_draw(const struct resampler *rs, struct stats_rng *rng)
{
    size_t n = rs->n;
    switch (rs->kind) {
    case RS_DIRECT: {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++)
            sum += rs->v[stats_rng_below(rng, n)];
        return sum / (double)n;
    }
    case RS_WEIGHTED: {
        double sw = 0.0, swv = 0.0;
        for (size_t i = 0; i < n; i++) {
            size_t j = stats_rng_below(rng, n);
            sw += rs->w[j];
            swv += rs->w[j] * rs->v[j];
        }
        return sw != 0.0 ? swv / sw : NAN;
    }
    case RS_MULTINOMIAL: {
        int64_t left = (int64_t)n;
        double sum = 0.0;
        for (size_t j = 0; j + 1 < rs->k && left > 0; j++) {
            int64_t cj = rs->tail[j] - rs->tail[j + 1];
            int64_t x = stats_rng_binomial(rng, left, (double)cj / (double)rs->tail[j]);
            sum += (double)x * rs->vals[j];
            left -= x;
        }
        sum += (double)left * rs->vals[rs->k - 1];
        return sum / (double)n;
    }
    case RS_PERCENTILE: {
        size_t j = rs->j1;
        double u1 = stats_rng_beta(rng, (double)j, (double)(n - j + 1));
        double x1 = inv_ecdf(rs, u1);
        if (rs->frac == 0.0 || j >= n)
            return x1;
        double v = 1.0 - stats_rng_uniform(rng);          /* (0, 1] */
        double u2 = u1 + (1.0 - u1) * (1.0 - pow(v, 1.0 / (double)(n - j)));
        double x2 = inv_ecdf(rs, u2);
        return x1 + rs->frac * (x2 - x1);
    }
    case RS_NORMAL:
        return rs->centre + rs->se * stats_rng_normal(rng);
    }
    return NAN;
}

static double rs_point(const double *v, const double *w, size_t n, double pct)
{
    if (pct >= 0.0) {
        double *s = xmalloc(n * sizeof *s);
        memcpy(s, v, n * sizeof *s);
        stats_sort(s, n);
        double r = stats_percentile(s, n, pct);
        free(s);
        return r;
    }
    double sw = 0.0, swv = 0.0;
    for (size_t i = 0; i < n; i++) {
        double wi = w ? w[i] : 1.0;
        sw += wi;
        swv += wi * v[i];
    }
    return sw != 0.0 ? swv / sw : NAN;
}

static int bad_args(size_t n, int resamples, double alpha)
{
    return n == 0 || resamples < 1 || !(alpha > 0.0 && alpha < 1.0);
}

/* Sorts the replicates and reads the percentile interval; replicates that
 * are NaN (a zero denominator in one resample) sort last and are dropped. */
static int interval(double *rep, int resamples, double alpha, double *lo, double *hi)
{
    stats_sort(rep, (size_t)resamples);
    size_t m = (size_t)resamples;
    while (m > 0 && isnan(rep[m - 1]))
        m--;
    if (m == 0)
        return -1;
    *lo = stats_percentile(rep, m, 100.0 * alpha / 2.0);
    *hi = stats_percentile(rep, m, 100.0 * (1.0 - alpha / 2.0));
    return 0;
}

int stats_bootstrap_mean_ci(const double *v, size_t n, int resamples, uint64_t seed,
                            double alpha, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (bad_args(n, resamples, alpha))
        return -1;
    struct resampler rs;
    struct stats_rng rng;
    rs_init_mean(&rs, v, NULL, n, resamples);
    stats_rng_seed(&rng, seed);
    double *rep = xmalloc((size_t)resamples * sizeof *rep);
    for (int r = 0; r < resamples; r++)
        rep[r] = rs_draw(&rs, &rng);
    int rc = interval(rep, resamples, alpha, lo, hi);
    free(rep);
    rs_free(&rs);
    return rc;
}

int stats_bootstrap_paired_delta(const double *a, const double *b, size_t n, int resamples,
                                 uint64_t seed, double alpha, double *delta, double *lo,
                                 double *hi)
{
    *delta = *lo = *hi = NAN;
    if (bad_args(n, resamples, alpha))
        return -1;
    double *d = xmalloc(n * sizeof *d);
    for (size_t i = 0; i < n; i++)
        d[i] = b[i] - a[i];
    stats_mean_sd(d, n, delta, NULL);
    int rc = stats_bootstrap_mean_ci(d, n, resamples, seed, alpha, lo, hi);
    free(d);
    return rc;
}

static void rs_init(struct resampler *rs, const double *v, const double *w, size_t n, double pct,
                    int resamples)
{
    if (pct >= 0.0)
        rs_init_percentile(rs, v, n, pct);
    else
        rs_init_mean(rs, v, w, n, resamples);
}

int stats_bootstrap_ratio_ci(const double *a, const double *wa, size_t na,
                             const double *b, const double *wb, size_t nb,
                             double pct, int resamples, uint64_t seed, double alpha,
                             double *ratio, double *lo, double *hi)
{
    *ratio = *lo = *hi = NAN;
    if (bad_args(na, resamples, alpha) || nb == 0 || pct > 100.0)
        return -1;
    double sa = rs_point(a, wa, na, pct), sb = rs_point(b, wb, nb, pct);
    if (!(sa != 0.0) || isnan(sb))
        return -1;
    *ratio = sb / sa;
    struct resampler ra, rb;
    struct stats_rng rng;
    rs_init(&ra, a, wa, na, pct, resamples);
    rs_init(&rb, b, wb, nb, pct, resamples);
    stats_rng_seed(&rng, seed);
    double *rep = xmalloc((size_t)resamples * sizeof *rep);
    for (int r = 0; r < resamples; r++) {
        double da = rs_draw(&ra, &rng), db = rs_draw(&rb, &rng);
        rep[r] = da != 0.0 ? db / da : NAN;
    }
    int rc = interval(rep, resamples, alpha, lo, hi);
    free(rep);
    rs_free(&ra);
    rs_free(&rb);
    return rc;
}

int stats_bootstrap_percentile_ci(const double *v, size_t n, double pct, int resamples, uint64_t seed,
                                  double alpha, double *point, double *lo, double *hi)
{
    *point = *lo = *hi = NAN;
    if (bad_args(n, resamples, alpha) || !(pct >= 0.0 && pct <= 100.0))
        return -1;
    *point = rs_point(v, NULL, n, pct);
    struct resampler rs;
    struct stats_rng rng;
    rs_init(&rs, v, NULL, n, pct, resamples);
    stats_rng_seed(&rng, seed);
    double *rep = xmalloc((size_t)resamples * sizeof *rep);
    for (int r = 0; r < resamples; r++)
        rep[r] = rs_draw(&rs, &rng);
    int rc = interval(rep, resamples, alpha, lo, hi);
    free(rep);
    rs_free(&rs);
    return rc;
}
