/* sweep.h - the sweep tables and plots of one run, stated as the decision
 * the users take from them:
 *   K, draft and spec_type sweeps: each value against the no-draft baseline
 *     the sweep also ran (speed-up = ratio of gen tok/s medians with a 95%
 *     bootstrap interval), the best K marked;
 *   expert counts: speed-up over the model's default count, and the lowest
 *     count whose score is not significantly below the default's (paired
 *     bootstrap over items, stated with the table);
 *   -np: aggregate tok/s against the p95 latency multiplier, the np the
 *     rule picks (the largest aggregate whose p95 E2E is at most LIMIT x
 *     np=1's; LIMIT from --np-p95-limit or roles.yaml, default
 *     REPORT_NP_P95_LIMIT).
 * Speed and score figures are per suite: a suite of 16-token answers is
 * never pooled with one of 128-token answers.
 * html.c calls report_sweep_section once per run, after the Pareto section;
 * show calls report_sweep_markdown. Owns nothing in report/ but these
 * tables; the plot helpers are report/plot.h. */
#ifndef BAI_REPORT_SWEEP_H
#define BAI_REPORT_SWEEP_H

#include "util/error.h"
#include "util/mem.h"

struct sqlite3;
struct report_points;

/* The users' -np rule: keep the p95 E2E latency within 1.5x np=1's. */
#define REPORT_NP_P95_LIMIT 1.5
#define REPORT_NP_P95_LIMIT_TEXT "1.5"   /* the same, for help texts: change both */

struct report_sweep_opts {
    double np_p95_limit;         /* <= 0 or NaN: REPORT_NP_P95_LIMIT */
};

/* Appends to html the sweep section of run_id: HTML fragments (<h3>, tables,
 * inline <svg> from report_svg_inline with a unique id prefix per plot).
 * Image, .dat and .gp files may be written under out_dir (the report's
 * output directory; html.c passes DIR/plots). A run without sweep axes
 * appends nothing and returns 0. When gnuplot is missing it appends a
 * note and still returns 0. -1 with err only on store/IO failure (the report
 * then shows err's message in place of the section and goes on). */
int report_sweep_section(struct sqlite3 *db, const char *run_id, const char *out_dir,
                         struct buf *html, struct bai_error *err);
int report_sweep_section_opts(struct sqlite3 *db, const char *run_id, const struct report_sweep_opts *opts,
                              const char *out_dir, struct buf *html, struct bai_error *err);

/* The same tables as Markdown, for `benchai show` (no plots). */
int report_sweep_markdown(struct sqlite3 *db, const char *run_id, struct buf *out,
                          struct bai_error *err);
int report_sweep_markdown_opts(struct sqlite3 *db, const char *run_id, const struct report_sweep_opts *opts,
                               struct buf *out, struct bai_error *err);

/* For select: the p95 E2E multiplier of each point against the np=1 point
 * of its -np series (same run, model and every other setting), mult[i] NaN
 * when point i is not in such a series. Uses the points' own speed figures
 * (the suites the caller selected). */
void report_np_multipliers(const struct report_points *pts, double *mult);

#endif
