/* load.c - store, run specs -> resolved runs -> points, shared by the
 * report commands (see load.h). */
#include "report/load.h"

#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

int report_resolve_runs(struct store *st, struct strv *runs, struct bai_error *err)
{
    for (size_t i = 0; i < runs->n; i++) {
        char id[STORE_RUN_ID_MAX];
        if (store_resolve_run(st, runs->v[i], id, err) != 0)
            return -1;
        free(runs->v[i]);
        runs->v[i] = xstrdup(id);
    }
    return 0;
}

int report_load(const char *store_path, struct strv *runs, const struct strv *suites,
                int latest, const struct report_rules *rules, struct store **st_out,
                struct report_points *pts, struct bai_error *err)
{
    memset(pts, 0, sizeof *pts);
    *st_out = NULL;
    struct store *st = store_open_readonly(store_path, err);
    if (!st)
        return -1;
    if (report_resolve_runs(st, runs, err) != 0) {
        store_close(st);
        return -1;
    }
    struct report_filter f = {
        .rules = rules ? *rules : (struct report_rules){ 0 },
        .runs = (const char *const *)runs->v, .n_runs = runs->n,
        .suites = suites ? (const char *const *)suites->v : NULL, .n_suites = suites ? suites->n : 0,
        .latest_per_config = latest && runs->n == 0,
    };
    if (report_points_load(st, &f, pts, err) != 0) {
        store_close(st);
        return -1;
    }
    *st_out = st;
    return 0;
}
