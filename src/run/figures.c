/* figures.c - the figures of one finished (config, suite) batch: the
 * closing row of `benchai run` and the degenerate-output verdict. */
#include "run/run_int.h"
#include "stats/stats.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void put_metric(struct batch *b, const char *name, double value, double lo, double hi, size_t n)
{
    if (isnan(value))
        return;
    struct bai_error ignored = {0};
    /* Metrics are derivable from the samples; failing to cache them loses nothing. */
    store_metric_put(b->st, b->run_id, b->config_id, b->suite_id, name, value, lo, hi, (int64_t)n, &ignored);
}

/* Stores p50, p95, p99, mean and sd of one timing (metric names
 * <name>_p50<unit>, ..., docs/metrics.md) and returns the median. */
static double put_distribution(struct batch *b, const char *name, const char *unit, double *v, size_t n)
{
    if (!n)
        return NAN;
    stats_sort(v, n);
    static const int pcts[] = { 50, 95, 99 };
    char key[64];
    for (size_t i = 0; i < 3; i++) {
        snprintf(key, sizeof key, "%s_p%d%s", name, pcts[i], unit);
        put_metric(b, key, stats_percentile(v, n, pcts[i]), NAN, NAN, n);
    }
    double mean, sd;
    stats_mean_sd(v, n, &mean, &sd);
    snprintf(key, sizeof key, "%s_mean%s", name, unit);
    put_metric(b, key, mean, NAN, NAN, n);
    snprintf(key, sizeof key, "%s_sd%s", name, unit);
    put_metric(b, key, sd, NAN, NAN, n);
    return stats_percentile(v, n, 50);
}

void run_batch_figures(struct batch *b, struct run_result_row *row)
{
    row->items_total = b->suite->n_items;
    row->samples = b->done;
    row->passed = b->passed;
    row->pass_n = b->pass_n;
    row->unparsed = b->unparsed;
    row->errors = b->errors;
    row->score_mean = b->scored_n ? b->score_sum / (double)b->scored_n : NAN;
    double lo, hi;
    if (b->pass_n) {
        stats_wilson((int64_t)b->passed, (int64_t)b->pass_n, 1.96, &lo, &hi);
        put_metric(b, "pass_rate", (double)b->passed / (double)b->pass_n, lo, hi, b->pass_n);
    }
    put_metric(b, "score_mean", row->score_mean, NAN, NAN, b->scored_n);
    row->gen_tps_p50 = put_distribution(b, "gen_tps", "", b->gen_tps, b->n_gen);
    row->ttft_p50_ms = put_distribution(b, "ttft", "_ms", b->ttft_ms, b->n_ttft);
    row->e2e_p50_ms = put_distribution(b, "e2e", "_ms", b->e2e_ms, b->n_e2e);
    put_distribution(b, "tpot", "_ms", b->tpot_ms, b->n_tpot);
    if (b->last_end_ns > b->first_send_ns && b->completion_tokens > 0) {
        row->aggregate_tps = (double)b->completion_tokens / ((double)(b->last_end_ns - b->first_send_ns) / 1e9);
        put_metric(b, "aggregate_tps", row->aggregate_tps, NAN, NAN, b->done);
    }
    if (b->draft_n > 0) {
        row->acceptance = (double)b->draft_accepted / (double)b->draft_n;
        put_metric(b, "acceptance", row->acceptance, NAN, NAN, (size_t)b->draft_n);
    }
    /* Mostly degenerate outputs mean a broken configuration (too few
     * experts, a bad quant), not a weak model: say so next to the score. */
    if (b->ok >= 3) {
        put_metric(b, "degenerate_rate", (double)b->degenerate / (double)b->ok, NAN, NAN, b->ok);
        if (b->degenerate * 2 > b->ok) {
            char *why = xasprintf("%zu of %zu outputs degenerate (%s)", b->degenerate, b->ok, b->degenerate_why);
            struct bai_error ignored = {0};
            store_incident_add(b->st, b->run_id, b->config_id, "degenerate", why, &ignored);
            struct store_config upd = { .status = "degenerate", .reason = why };
            store_config_update(b->st, b->config_id, &upd, &ignored);
            free(row->status);
            row->status = xasprintf("degenerate: %s", why);
            free(why);
        }
    }
}
