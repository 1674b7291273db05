/* master.h - the "Master Benchmark Scores" table (rows = model + config,
 * a column per suite with its n, the weighted overall %, speed) and the
 * full points as JSON. Owns the table's shape; the figures come from
 * points.c, the rendering from format.c. */
#ifndef BAI_REPORT_MASTER_H
#define BAI_REPORT_MASTER_H

#include "report/format.h"
#include "report/points.h"

/* Columns: model, config, [run when the points span several runs], one per
 * suite ("pct (sum/n)", "pct (sum/n; 3 of 5 items)" when fewer items ran
 * than the suite has; number = percent), total ("sum/n" over all suites,
 * number = points), pct (item-weighted overall %, bold), gen_tps (p50; the
 * text adds its 95% interval when there are enough samples),
 * ttft_p50_ms, [accept when any point drafted], [prompt_tps ("p50 [95% CI]")
 * when any was measured], [errors, timeouts: requests
 * that failed, summed over the suites, when any point has one; they are
 * failures in the scores unless the rules excluded them], and when any
 * point has server starts load_s (the first start), first_gen_tps (the
 * first request after it), rss_gb (peak), [gpu_gb when any was measured].
 * Rows in point order; sort afterwards with report_table_sort. */
void report_master_table(const struct report_points *pts, struct report_table *t);

/* The tier table: one row per point and suite whose items declare tiers;
 * columns model, config, [run], suite, T1 .. Tn (every tier any point
 * has), all: each "pct (points/items)" as the users' "54/110" (number =
 * percent). Returns the row count; t is initialised only when > 0. */
size_t report_master_tiers(const struct report_points *pts, struct report_table *t);
/* The tier table of one run as a Markdown section for `show` ("## Tiers"),
 * or nothing when no item of its suites declares a tier. */
int report_tiers_markdown(struct store *st, const char *run_id, struct buf *out, struct bai_error *err);
/* One "pct (points/items)" tier cell. */
void report_tier_cell(struct report_table *t, size_t r, size_t c, const struct report_tier_score *ts);

/* The pass@k table of the points (report/passk.h): one row per point and
 * suite with pass/fail scores and several samples per item; columns model,
 * config, [run], suite, items, samples/item, pass@k (percent). Returns the
 * row count; t is initialised only when > 0. Left-out notes go to notes. */
size_t report_master_passk(const struct report_points *pts, struct report_table *t,
                           struct buf *notes, const char *prefix);

/* Every point with every figure (per-suite scorer, score/CI/n/passed/pass
 * rate/unparsed/errors/timeouts, overall, speed; percentages 0-100) as a
 * pretty-printed JSON array. */
void report_points_json(const struct report_points *pts, struct buf *out);

#endif
