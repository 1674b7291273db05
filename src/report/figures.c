/* figures.c - see figures.h. */
#include "report/figures.h"

#include <math.h>

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
}

const char *report_speed_source(size_t n_server, size_t n_usage, size_t n_chunks)
{
    int kinds = (n_server > 0) + (n_usage > 0) + (n_chunks > 0);
    if (kinds > 1)
        return "mixed";
    return n_server ? "server" : n_usage ? "usage" : n_chunks ? "chunks" : NULL;
}
