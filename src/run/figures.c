/* figures.c - the closing rows of `benchai run` and the degenerate-output
 * verdict. The figures are the ones every command prints (report/figures.h),
 * read from the store when the run ends, so a resumed run's table counts
 * every session; nothing is cached in the store. */
#include "run/run_int.h"
#include "report/figures.h"
#include "util/mem.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Mostly degenerate outputs mean a broken configuration (too few experts,
 * a bad quant), not a weak model: say so next to the score. */
void run_batch_figures(struct batch *b, struct run_result_row *row)
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

int run_result_fill(struct store *st, struct run_result *res, struct bai_error *err)
{
    struct store_group *g = NULL;
    size_t ng = 0;
    if (store_run_groups(st, res->run_id, &g, &ng, err) != 0)
        return -1;
    static const struct report_rules rules;    /* the defaults: failures count */
    res->samples_ok = res->samples_failed = 0;
    for (size_t i = 0; i < ng; i++) {
        res->samples_ok += g[i].n_samples - g[i].n_errors - g[i].n_timeouts;
        res->samples_failed += g[i].n_errors + g[i].n_timeouts;
    }
    for (size_t r = 0; r < res->n_rows; r++) {
        struct run_result_row *row = &res->rows[r];
        struct store_group *grp = NULL;
        for (size_t i = 0; i < ng && !grp; i++)
            if (!strcmp(g[i].config_label, row->config) && !strcmp(g[i].suite_name, row->suite))
                grp = &g[i];
        if (!grp)
            continue;                  /* skipped, or nothing stored */
        row->items = grp->n_items;
        if (grp->suite_n_items > 0)
            row->items_total = (size_t)grp->suite_n_items;
        row->samples = grp->n_samples;
        row->errors = grp->n_errors;
        row->timeouts = grp->n_timeouts;
        long k = report_group_pick(grp, &rules);
        if (k >= 0) {
            report_group_score(grp, (size_t)k, &rules, &row->score);
            row->score.scorer = NULL;  /* borrowed from g, freed below */
            free(row->scorer);
            row->scorer = xstrdup(grp->scores[k].scorer);
            row->has_score = 1;
        }
        report_group_speed(grp, &row->speed);
        if (!strcmp(row->status, "ok") && row->samples && row->errors + row->timeouts == row->samples) {
            free(row->status);
            row->status = xasprintf("failed: all %zu requests failed or timed out", row->samples);
        }
    }
    store_groups_free(g, ng);
    return 0;
}
