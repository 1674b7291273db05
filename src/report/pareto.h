/* pareto.h - quality-vs-speed frontier over report points: which quality
 * (one suite, several, or a role's weighted suites), which speed axis, the
 * marking (stats_pareto_mark), and its table and scatter plot.
 * Owns: the mapping from points to stats_point and the rendering. Does not
 * own: the dominance rule itself (stats/pareto.c). */
#ifndef BAI_REPORT_PARETO_H
#define BAI_REPORT_PARETO_H

#include <stddef.h>
#include "report/format.h"
#include "report/points.h"
#include "stats/stats.h"

enum report_xaxis { REPORT_X_GEN_TPS = 0, REPORT_X_TTFT_P95, REPORT_X_E2E_P50, REPORT_X_MEMORY_GB, REPORT_X_GPU_GB };

/* "gen_tps" | "ttft_p95" | "e2e_p50" | "memory_gb" (the server's peak
 * resident set, GB) | "gpu_gb" (its GPU memory); all but gen_tps are
 * lower-is-better. */
int report_xaxis_parse(const char *s, enum report_xaxis *out, struct bai_error *err);
const char *report_xaxis_name(enum report_xaxis x);    /* "gen_tps" ... */
const char *report_xaxis_label(enum report_xaxis x);   /* with units, for axes */
double report_point_speed(const struct report_point *p, enum report_xaxis x);

/* Which quality: n == 0 means every suite of each point, item-weighted
 * (report_point_overall); otherwise these suites with these weights
 * (weights NULL = item-weighted). */
struct report_qspec {
    const char *const *suites;
    const double *weights;
    size_t n;
};

struct report_pareto {
    size_t n;                          /* points that have quality and speed */
    const struct report_point **pt;    /* borrowed from the points */
    struct report_quality *q;
    struct stats_point *sp;            /* marked; dominated_by indexes pt */
    long n_frontier;
    size_t n_skipped;                  /* points left out ... */
    char **skipped;                    /* ... "title: why" */
    enum report_xaxis x;
};

int report_pareto_build(const struct report_points *pts, const struct report_qspec *qs,
                        enum report_xaxis x, struct report_pareto *out, struct bai_error *err);
void report_pareto_free(struct report_pareto *pa);

/* Columns: model, config, run, score_pct, ci_lo_pct, ci_hi_pct, n, <x axis>,
 * frontier, dominated_by, note. Rows sorted frontier first, then by speed. */
void report_pareto_table(const struct report_pareto *pa, struct report_table *t);

/* Scatter with the frontier drawn; see plot.h for the return values. */
int report_pareto_plot(const struct report_pareto *pa, const char *out_path, const char *title,
                       struct bai_error *err);

#endif
