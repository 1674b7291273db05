/* summary.c - the closing table of `benchai run`: one row per (config,
 * suite) with its figures or why it was skipped or failed. */
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
    row->score_mean = row->gen_tps_p50 = row->ttft_p50_ms = row->e2e_p50_ms = NAN;
    row->aggregate_tps = row->acceptance = NAN;
    return row;
}

void run_result_free(struct run_result *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        free(r->rows[i].config);
        free(r->rows[i].suite);
        free(r->rows[i].status);
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
    fprintf(out, "| %-*s | %-18s | %10s | %6s | %6s | %8s | %6s | %9s | %9s | %s\n", w, "config", "suite", "items",
            "passed", "score", "unparsed", "errors", "gen tok/s", "TTFT p50", "status");
    fprintf(out, "|%.*s|--------------------|------------|--------|--------|----------|--------|-----------|-----------|-------\n",
            w + 2, "--------------------------------------------------------------------------");
    for (size_t i = 0; i < r->n_rows; i++) {
        const struct run_result_row *row = &r->rows[i];
        char items[48], passed[32], score[32], tps[32], ttft[32];
        /* items run, and of how many when --limit, --shard or a stop cut it */
        if (row->items_total > row->items)
            snprintf(items, sizeof items, "%zu of %zu", row->items, row->items_total);
        else
            snprintf(items, sizeof items, "%zu", row->items);
        if (row->pass_n)
            snprintf(passed, sizeof passed, "%zu/%zu", row->passed, row->pass_n);
        else
            snprintf(passed, sizeof passed, "-");
        fmt_num(score, sizeof score, row->score_mean * 100, "%.1f%%");
        fmt_num(tps, sizeof tps, row->gen_tps_p50, "%.1f");
        fmt_num(ttft, sizeof ttft, row->ttft_p50_ms, "%.1f ms");
        fprintf(out, "| %-*.*s | %-18.18s | %10s | %6s | %6s | %8zu | %6zu | %9s | %9s | %s\n", w, w, row->config,
                row->suite, items, passed, score, row->unparsed, row->errors, tps, ttft, row->status);
    }
}
