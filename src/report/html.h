/* html.h - `benchai report`: one self-contained index.html (inline CSS and
 * SVG, no scripts, no network fetches) for one or more runs: metadata,
 * master table and pass@k, Pareto, score bars, sweep plots (report/sweep.h),
 * compare of two runs (report/compare.h), failed items with escaped outputs.
 * Owns the page layout. Does not own the figures (points, compare, stats). */
#ifndef BAI_REPORT_HTML_H
#define BAI_REPORT_HTML_H

#include <stddef.h>
#include "report/figures.h"
#include "store/store.h"
#include "util/error.h"

struct report_html_opts {
    size_t max_failed;       /* failed items listed per run (0 = default 200) */
    size_t max_output_chars; /* output shown per failed item (0 = default 4000) */
    int compare_resamples;   /* bootstrap replicates for compare (0 = 10000) */
    int unscored;            /* failed items: also the answers no scorer scores */
    struct report_rules rules;   /* how samples count (report/figures.h) */
    double np_p95_limit;     /* the -np rule's p95 multiplier (0 = REPORT_NP_P95_LIMIT) */
};

/* Writes out_dir/index.html (and out_dir/plots/: the SVGs, .dat and .gp
 * files it inlines). run_ids are resolved ids. *plots_missing_out (may be
 * NULL) is set to 1 when gnuplot was not found (the page says so). */
int report_html_write(struct store *st, const char *const *run_ids, size_t n_runs,
                      const char *out_dir, const struct report_html_opts *opts,
                      int *plots_missing_out, struct bai_error *err);

#endif
