/* stats.c - descriptive statistics, Wilson intervals, the normal quantile
 * and McNemar's exact test. Formulas are written down in docs/statistics.md. */
#include <math.h>
#include <stdlib.h>

#include "stats/stats.h"

static int cmp_double(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    if (isnan(a))
        return isnan(b) ? 0 : 1;
    if (isnan(b))
        return -1;
    return (a > b) - (a < b);
}

/* Callers often hand over data that is already sorted (a percentile after a
 * percentile of the same vector); one linear pass saves the O(n log n). */
void stats_sort(double *v, size_t n)
{
    size_t i = 1;
    while (i < n && !isnan(v[i - 1]) && (isnan(v[i]) || v[i - 1] <= v[i]))
        i++;
    for (; i < n && isnan(v[i]); i++)
        ;
    if (i < n)
        qsort(v, n, sizeof *v, cmp_double);
}

double stats_percentile(const double *sorted, size_t n, double p)
{
    if (n == 0 || isnan(p))
        return NAN;
    if (p < 0.0)
        p = 0.0;
    if (p > 100.0)
        p = 100.0;
    double h = (double)(n - 1) * p / 100.0;
    size_t lo = (size_t)floor(h);
    if (lo >= n - 1)
        return sorted[n - 1];
    double frac = h - (double)lo;
    if (frac == 0.0)
        return sorted[lo];
    return sorted[lo] + frac * (sorted[lo + 1] - sorted[lo]);
}

/* Two passes (mean, then squared deviations): no catastrophic cancellation
 * for tokens/s values that are large and close together. */
void stats_mean_sd(const double *v, size_t n, double *mean, double *sd)
{
    double m = NAN, s = NAN;
    if (n > 0) {
        double sum = 0.0;
        for (size_t i = 0; i < n; i++)
            sum += v[i];
        m = sum / (double)n;
        double ss = 0.0;
        for (size_t i = 0; i < n; i++)
            ss += (v[i] - m) * (v[i] - m);
        s = n > 1 ? sqrt(ss / (double)(n - 1)) : 0.0;
    }
    if (mean)
        *mean = m;
    if (sd)
        *sd = s;
}

void stats_wilson(int64_t passed, int64_t n, double z, double *lo, double *hi)
{
    if (n <= 0) {
        *lo = 0.0;
        *hi = 1.0;
        return;
    }
    double nn = (double)n, p = (double)passed / nn, z2 = z * z;
    double denom = 1.0 + z2 / nn;
    double centre = (p + z2 / (2.0 * nn)) / denom;
    double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
    *lo = centre - half < 0.0 ? 0.0 : centre - half;
    *hi = centre + half > 1.0 ? 1.0 : centre + half;
}

double stats_normal_quantile(double p)
{
    if (!(p > 0.0 && p < 1.0))
        return NAN;
    /* Phi(x) = erfc(-x / sqrt 2) / 2 is increasing; 200 halvings of
     * [-40, 40] reach the resolution of a double. */
    double lo = -40.0, hi = 40.0;
    for (int i = 0; i < 200; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        if (0.5 * erfc(-mid / M_SQRT2) < p)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

int stats_quantile_ci(const double *sorted, size_t n, double p, double alpha, double *lo, double *hi)
{
    *lo = *hi = NAN;
    if (!sorted || n == 0 || !(p > 0 && p < 100) || !(alpha > 0 && alpha < 1))
        return -1;
    double q = p / 100.0, nn = (double)n, half = alpha / 2;
    /* the binomial pmf in log space, summed from both tails */
    double lq = log(q), l1q = log1p(-q), base = lgamma(nn + 1.0);
    double low_tail = 0;           /* P(B <= k) */
    long l = 0;                    /* largest k + 1 with P(B <= k) <= alpha/2 */
    for (size_t k = 0; k < n; k++) {
        double kk = (double)k;
        low_tail += exp(base - lgamma(kk + 1.0) - lgamma(nn - kk + 1.0) + kk * lq + (nn - kk) * l1q);
        if (low_tail > half)
            break;
        l = (long)k + 1;
    }
    double high_tail = 0;          /* P(B >= k) */
    size_t u = n + 1;              /* smallest k with P(B >= k) <= alpha/2 */
    for (size_t k = n; k >= 1; k--) {
        double kk = (double)k;
        high_tail += exp(base - lgamma(kk + 1.0) - lgamma(nn - kk + 1.0) + kk * lq + (nn - kk) * l1q);
        if (high_tail > half)
            break;
        u = k;
    }
    if (l < 1 || u > n || (size_t)l > u)
        return -1;
    *lo = sorted[l - 1];
    *hi = sorted[u - 1];
    return 0;
}

double stats_mcnemar_exact(int64_t b, int64_t c)
{
    if (b < 0 || c < 0)
        return NAN;
    int64_t n = b + c, k = b < c ? b : c;
    if (n == 0)
        return 1.0;
    /* log P(X = i) = log C(n, i) - n log 2; summed by log-sum-exp around
     * the largest term (i = k, since k <= n/2 the terms increase in i). */
    double nn = (double)n, lmax = 0.0, sum = 0.0;
    double base = lgamma(nn + 1.0) - nn * M_LN2;
    for (int64_t i = k; i >= 0; i--) {
        double li = base - lgamma((double)i + 1.0) - lgamma(nn - (double)i + 1.0);
        if (i == k)
            lmax = li;
        double t = exp(li - lmax);
        sum += t;
        if (t < 1e-18 * sum)
            break;
    }
    double p = 2.0 * exp(lmax) * sum;
    return p > 1.0 ? 1.0 : p;
}
