/* summary.c - the closing table of `benchai run`: one row per (config,
 * suite) with its figures (run/figures.c reads them from the store, as
 * `show` computes them) or why it was skipped or failed. */
#include "run/run_int.h"
#include "util/mem.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct run_result_row *run_result_add_row(struct run_result *res, const char *config, const char *suite,
                                          const char *status)
{
    XGROW(res->rows, res->n_rows + 1, res->cap_rows);
    struct run_result_row *row = &res->rows[res->n_rows++];
    memset(row, 0, sizeof *row);
    row->config = xstrdup(config);
    row->suite = xstrdup(suite);
    row->status = xstrdup(status);
    row->score.score = row->score.lo = row->score.hi = NAN;
    report_speed_figures(NULL, 0, NULL, 0, NULL, 0, 0, 0, &row->speed);
    return row;
}

void run_result_free(struct run_result *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        free(r->rows[i].config);
        free(r->rows[i].suite);
        free(r->rows[i].status);
        free(r->rows[i].scorer);
    }
    free(r->rows);
    free(r->status);
    memset(r, 0, sizeof *r);
}

static void fmt_num(char *out, size_t size, double v, const char *fmt)
{
    if (isnan(v))
        snprintf(out, size, "-");
    else
        snprintf(out, size, fmt, v);
}

void run_result_print(const struct run_result *r, FILE *out)
{
    /* the config column is as wide as the longest label, so sweep points
     * that differ only at the end stay apart */
    int w = 6;
    for (size_t i = 0; i < r->n_rows; i++)
        if ((int)strlen(r->rows[i].config) > w)
            w = (int)strlen(r->rows[i].config);
    if (w > 60)
        w = 60;
    fprintf(out, "\nrun %s: %s\n\n", r->run_id, r->status ? r->status : "?");
    fprintf(out, "| %-*s | %-18s | %10s | %6s | %12s | %7s | %8s | %6s | %8s | %24s | %9s | %s\n", w, "config",
            "suite", "items", "score", "95% CI", "passed", "unparsed", "errors", "timeouts", "gen tok/s p50 [95% CI]",
            "TTFT p50", "status");
    fprintf(out, "|%.*s|--------------------|------------|--------|--------------|---------|----------|--------|"
                 "----------|--------------------------|-----------|-------\n",
            w + 2, "--------------------------------------------------------------------------");
    int failures = 0;
    struct buf judges = {0};
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct run_result_row *row = &r->rows[i];
        char items[48], passed[32], score[32], ci[48], unparsed[16], tps[96], ttft[32];
        /* items run, and of how many when --limit, --shard or a stop cut it */
        if (row->items_total > row->items)
            snprintf(items, sizeof items, "%zu of %zu", row->items, row->items_total);
        else
            snprintf(items, sizeof items, "%zu", row->items);
        snprintf(passed, sizeof passed, "-");
        snprintf(unparsed, sizeof unparsed, "-");
        fmt_num(score, sizeof score, row->has_score ? row->score.score : NAN, "%.1f");
        report_fmt_ci(row->has_score ? row->score.lo : NAN, row->has_score ? row->score.hi : NAN, ci, sizeof ci);
        if (row->has_score) {
            if (row->score.pass_n)
                snprintf(passed, sizeof passed, "%zu/%zu", row->score.passed, row->score.pass_n);
            snprintf(unparsed, sizeof unparsed, "%zu", row->score.n_unparsed);
            if (row->scorer && !strncmp(row->scorer, "judge:", 6) &&
                (!judges.data || !strstr(judges.data, row->scorer)))
                buf_printf(&judges, "judge of %s: %s\n", row->suite, row->scorer);
        }
        failures |= row->has_score && row->errors + row->timeouts > 0;
        report_fmt_with_ci(row->speed.gen_tps_p50, row->speed.gen_tps_lo, row->speed.gen_tps_hi, "%.1f", tps,
                           sizeof tps);
        fmt_num(ttft, sizeof ttft, row->speed.ttft_p50_ms, "%.1f ms");
        fprintf(out, "| %-*.*s | %-18.18s | %10s | %6s | %12s | %7s | %8s | %6zu | %8zu | %24s | %9s | %s\n", w, w,
                row->config, row->suite, items, score, ci, passed, unparsed, row->errors, row->timeouts, tps, ttft,
                row->status);
    }
    fprintf(out, "\nscore: the mean grade (judge, f1, ifeval, needle) or the pass rate, 0-100, of the whole run "
                 "(benchai show prints the same)%s\n",
            failures ? "; requests that failed or timed out count as failures (worth 0)" : "");
    if (judges.len)
        fprintf(out, "%s", judges.data);
    buf_free(&judges);
}
