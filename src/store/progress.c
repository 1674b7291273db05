/* progress.c - how far a run is, read while it runs (`benchai status`):
 * stored samples per (config, suite) with the wall-clock span of their
 * sends. Read-only; WAL lets it read beside the writing run. */
#include "store/store_int.h"

#include <math.h>
#include <stdlib.h>

#include "util/mem.h"

int store_run_progress(struct store *st, const char *run_id, struct store_progress_row **out,
                       size_t *n_out, struct bai_error *err)
{
    *out = NULL;
    *n_out = 0;
    sqlite3_stmt *s = NULL;
    /* served by the samples' UNIQUE(run_id, config_id, suite_id, ...) index */
    int rc = sqlite3_prepare_v2(st->db,
        "SELECT c.label, su.name, count(*), sum(s.status = 'error'), min(s.t_start_s), max(s.t_start_s)"
        " FROM samples s JOIN configs c ON c.id = s.config_id JOIN suites su ON su.id = s.suite_id"
        " WHERE s.run_id = ?1 AND s.warmup = 0"
        " GROUP BY s.config_id, s.suite_id ORDER BY s.config_id, su.name", -1, &s, NULL);
    if (rc != SQLITE_OK)
        return store_fail(st, rc, "reading the run's progress", err);
    sqlite3_bind_text(s, 1, run_id, -1, SQLITE_TRANSIENT);
    struct store_progress_row *v = NULL;
    size_t n = 0, cap = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
        XGROW(v, n + 1, cap);
        v[n] = (struct store_progress_row){
            .config_label = store_col_dup(s, 0), .suite_name = store_col_dup(s, 1),
            .samples = sqlite3_column_int64(s, 2), .errors = sqlite3_column_int64(s, 3),
            .first_s = sqlite3_column_type(s, 4) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 4),
            .last_s = sqlite3_column_type(s, 5) == SQLITE_NULL ? NAN : sqlite3_column_double(s, 5),
        };
        n++;
    }
    sqlite3_finalize(s);
    if (rc != SQLITE_DONE) {
        store_progress_free(v, n);
        return store_fail(st, rc, "reading the run's progress", err);
    }
    *out = v;
    *n_out = n;
    return 0;
}

void store_progress_free(struct store_progress_row *v, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(v[i].config_label);
        free(v[i].suite_name);
    }
    free(v);
}
