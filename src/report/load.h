/* load.h - how the report commands (pareto, table, select, report) get
 * their points: the store opened read-only, the run specs resolved, the
 * points loaded (report/points.h). Owns nothing but this sequence; prints
 * nothing (errors go to err). */
#ifndef BAI_REPORT_LOAD_H
#define BAI_REPORT_LOAD_H

#include <stddef.h>
#include "report/points.h"
#include "store/store.h"
#include "util/strv.h"

/* Resolves every run spec (id, unique prefix, tag:NAME) in place to a full
 * id; err names the spec that failed. */
int report_resolve_runs(struct store *st, struct strv *runs, struct bai_error *err);

/* Opens the store read-only (path: the command's, cli_default_store), resolves
 * runs and loads the points with the given suites; *st_out is left open
 * for further queries (close with store_close). latest: keep only the
 * newest run's point per config when no runs are named. rules: how samples
 * count (NULL: the defaults). */
int report_load(const char *store_path, struct strv *runs, const struct strv *suites,
                int latest, const struct report_rules *rules, struct store **st_out,
                struct report_points *pts, struct bai_error *err);

#endif
