/* figures.c - the closing row of one finished (config, suite) batch and the
 * degenerate-output verdict. The figures themselves are the ones every
 * command prints (report/figures.h); nothing is cached in the store:
 * reports compute them from the samples when they read. */
#include "run/run_int.h"
#include "report/figures.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>

/* Mostly degenerate outputs mean a broken configuration (too few experts,
 * a bad quant), not a weak model: say so next to the score. */
static void degenerate_verdict(struct batch *b, struct run_result_row *row)
{
    if (b->ok < 3 || b->degenerate * 2 <= b->ok)
        return;
    char *why = xasprintf("%zu of %zu outputs degenerate (%s)", b->degenerate, b->ok, b->degenerate_why);
    struct bai_error ignored = {0};
    store_incident_add(b->st, b->run_id, b->config_id, "degenerate", why, &ignored);
    struct store_config upd = { .status = "degenerate", .reason = why };
    store_config_update(b->st, b->config_id, &upd, &ignored);
    free(row->status);
    row->status = xasprintf("degenerate: %s", why);
    free(why);
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
    struct report_speed sp;
    report_speed_figures(b->gen_tps, b->n_gen, b->ttft_ms, b->n_ttft, b->e2e_ms, b->n_e2e, (double)b->draft_n,
                         (double)b->draft_accepted, &sp);
    row->gen_tps_p50 = sp.gen_tps_p50;
    row->ttft_p50_ms = sp.ttft_p50_ms;
    row->e2e_p50_ms = sp.e2e_p50_ms;
    row->acceptance = sp.acceptance;
    /* output tokens per second of wall time over the whole batch, all
     * requests in flight together: what the server delivered */
    if (b->last_end_ns > b->first_send_ns && b->completion_tokens > 0)
        row->aggregate_tps = (double)b->completion_tokens / ((double)(b->last_end_ns - b->first_send_ns) / 1e9);
    degenerate_verdict(b, row);
}
