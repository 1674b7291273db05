/* figures.c - see figures.h. */
#include "report/figures.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

#include "stats/stats.h"

void report_score_figures(const double *values, size_t n, int pass_fail, size_t passed,
                          struct report_score *out)
{
    out->mean = out->lo = out->hi = NAN;
    out->method = NULL;
    if (n == 0)
        return;
    if (pass_fail) {
        out->mean = (double)passed / (double)n;
        stats_wilson((int64_t)passed, (int64_t)n, STATS_Z95, &out->lo, &out->hi);
        out->method = "wilson";
        return;
    }
    stats_mean_sd(values, n, &out->mean, NULL);
    if (stats_bootstrap_mean_ci(values, n, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, &out->lo, &out->hi) != 0)
        out->lo = out->hi = NAN;
    out->method = "bootstrap";
}

void report_speed_figures(double *gen_tps, size_t n_gen, double *ttft_ms, size_t n_ttft, double *e2e_ms,
                          size_t n_e2e, double drafted, double accepted, struct report_speed *out)
{
    stats_sort(gen_tps, n_gen);
    stats_sort(ttft_ms, n_ttft);
    stats_sort(e2e_ms, n_e2e);
    /* stats_percentile and stats_mean_sd give NaN for no values */
    out->gen_tps_p50 = stats_percentile(gen_tps, n_gen, 50);
    stats_mean_sd(gen_tps, n_gen, &out->gen_tps_mean, NULL);
    out->ttft_p50_ms = stats_percentile(ttft_ms, n_ttft, 50);
    out->ttft_p95_ms = stats_percentile(ttft_ms, n_ttft, 95);
    out->e2e_p50_ms = stats_percentile(e2e_ms, n_e2e, 50);
    out->acceptance = drafted > 0 ? accepted / drafted : NAN;
    out->ttft_p90_ms = stats_percentile(ttft_ms, n_ttft, 90);
    out->ttft_p99_ms = stats_percentile(ttft_ms, n_ttft, 99);
    out->e2e_p90_ms = stats_percentile(e2e_ms, n_e2e, 90);
    out->e2e_p95_ms = stats_percentile(e2e_ms, n_e2e, 95);
    out->e2e_p99_ms = stats_percentile(e2e_ms, n_e2e, 99);
}

void report_median_figures(const double *v, size_t n, struct report_median *out)
{
    out->value = out->lo = out->hi = NAN;
    out->n = n;
    if (n == 0)
        return;
    if (n == 1) {
        out->value = v[0];
        return;
    }
    if (stats_bootstrap_percentile_ci(v, n, 50, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, &out->value,
                                      &out->lo, &out->hi) != 0)
        out->lo = out->hi = NAN;
}

void report_speedup_figures(const double *a, size_t na, const double *b, size_t nb, struct report_median *out)
{
    out->value = out->lo = out->hi = NAN;
    out->n = nb;
    if (na == 0 || nb == 0)
        return;
    if (stats_bootstrap_ratio_ci(a, NULL, na, b, NULL, nb, 50, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05,
                                 &out->value, &out->lo, &out->hi) != 0) {
        out->lo = out->hi = NAN;
        if (na && nb) {
            double *sa = xmalloc(na * sizeof *sa), *sb = xmalloc(nb * sizeof *sb);
            memcpy(sa, a, na * sizeof *sa);
            memcpy(sb, b, nb * sizeof *sb);
            stats_sort(sa, na);
            stats_sort(sb, nb);
            double ma = stats_percentile(sa, na, 50), mb = stats_percentile(sb, nb, 50);
            out->value = ma != 0 ? mb / ma : NAN;
            free(sa);
            free(sb);
        }
    }
    /* one sample on a side: a ratio, but nothing to resample */
    if (na < 2 || nb < 2)
        out->lo = out->hi = NAN;
}
