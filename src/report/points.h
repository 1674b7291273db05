/* points.h - the query layer every report shares: from the store, one point
 * per stored (run, config) with its per-suite quality (score, n, 95% CI,
 * pass rate, failures, items run of the suite's, pass@k) and speed (gen
 * tokens/s p50 with its CI and mean, TTFT p50/p95, E2E p50, draft
 * acceptance). Owns: listing configs and assembling points from the run's
 * groups. Does not own: the figures (report/figures.c, the one place), the
 * statistics (stats/) or any output format. */
#ifndef BAI_REPORT_POINTS_H
#define BAI_REPORT_POINTS_H

#include <stddef.h>
#include <stdint.h>
#include "util/error.h"
#include "report/passk.h"
#include "store/store.h"
#include "report/figures.h"
#include "report/resources.h"

struct sqlite3;

/* Quality of one point on one suite: the figures of report/figures.c
 * (report_group_score) of the scorer report_group_pick chooses, under the
 * filter's rules (counting rules: docs/metrics.md; failed and timed-out
 * requests count as failures unless rules.exclude_failed). Fractions 0..1
 * here; printing makes them 0-100. */

/* The score of the items of one tier (an item's `tier:`, e.g. the
 * instruction-precision suite's T1/T2/T3), counted as the suite is. */
struct report_tier_score {
    int tier;
    int64_t n, passed;
    double sum, mean, lo, hi;    /* 0..1; CI as the suite's (report_score_figures) */
};

struct report_suite_score {
    char *suite;
    int version;
    char *scorer;         /* the stored scorer name shown ("judge:MODEL#PROMPT" for a judge) */
    int graded;           /* 1: mean grade, 0: pass rate */
    int64_t n;            /* counted samples */
    int64_t n_unparsed;
    int64_t n_error;      /* requests that failed */
    int64_t n_timeout;    /* requests that timed out */
    int64_t n_score_error;/* the scorer failed: not counted */
    int64_t passed;       /* counted samples that passed */
    int64_t pass_n;       /* counted samples with a pass/fail */
    double pass_rate;     /* passed / pass_n, NaN when pass_n == 0 */
    double sum;           /* points: the counted samples' worth summed */
    double mean;          /* sum / n, NaN when n == 0 */
    double lo, hi;        /* 95% CI (bootstrap for graded, Wilson for pass/fail) */
    int exclude_failed;   /* the rules left failed requests out */
    int64_t n_items;      /* distinct items with a sample (errors included) */
    int64_t suite_items;  /* items the suite has, 0 = not recorded */
    int has_passk;        /* pass/fail scores and some item with several samples */
    struct report_passk passk;   /* over the counted samples, unparsed = failed */
    struct report_tier_score *tiers;   /* tiers > 0 with counted samples, ascending */
    size_t n_tiers;
};

/* The point's speed (struct report_speed, report/figures.h) is over its
 * non-warm-up samples with status "ok" in the selected suites. */

struct report_point {
    char run_id[STORE_RUN_ID_MAX];
    char *run_started;
    int64_t config_id;
    char *label, *model, *draft, *params_json, *backend, *status, *reason;
    /* What the configuration is (settings/identity.h); NULL for configs
     * stored before identities were. Two points with one label and
     * different identities are different configurations: their labels get
     * what tells them apart ("tiny-dense {threads=1}"). */
    char *identity, *identity_json;
    char *name;           /* display name: store_model_name(backend, model) */
    double size_gb;       /* model (+ draft) file size in GB (1e9), NaN unknown */
    struct report_suite_score *suites;
    size_t n_suites;
    struct report_speed speed;
    struct report_median prompt_tps;   /* prompt tokens/s p50 with its 95% CI */
    struct report_resources res;       /* memory, load time, first request */
};

struct report_points {
    struct report_point *v;
    size_t n;
};

struct report_filter {
    struct report_rules rules;   /* counting rules, which scorer / judge */
    const char *const *runs;     /* resolved run ids; n_runs == 0 = all runs */
    size_t n_runs;
    const char *const *suites;   /* suite names; n_suites == 0 = all suites */
    size_t n_suites;
    int latest_per_config;       /* keep only the newest run's point of each
                                    configuration (identity; before v5 stores:
                                    model, label and launch parameters) */
    int include_empty;           /* keep points with no samples at all */
};

/* Loads the points, ordered by run start then config id, reading each run
 * once (store_run_groups). */
int report_points_load(struct store *st, const struct report_filter *f,
                       struct report_points *out, struct bai_error *err);
void report_points_free(struct report_points *pts);

/* The point's score on suite, or NULL. */
const struct report_suite_score *report_point_suite(const struct report_point *p,
                                                    const char *suite);

/* Combined quality over several suites: mean = sum(w_s * mean_s) / sum(w_s).
 * weights == NULL weights each suite by its n, i.e. every counted item
 * equally (the users' "Total / max points" percentage). The CI combines the
 * suites' standard errors, se_s = (hi_s - lo_s) / (2 z), as
 * z * sqrt(sum((w_s / W)^2 * se_s^2)), clamped to [0, 1] (z = STATS_Z95); for one suite it is
 * that suite's interval. Returns 0, or -1 when a suite has no counted
 * samples (its name in *missing, if given). */
struct report_quality {
    double mean, lo, hi;
    int64_t n;
    double sum;
};
int report_point_quality(const struct report_point *p, const char *const *suites,
                         const double *weights, size_t n, struct report_quality *out,
                         const char **missing);

/* The point's score on tier over the named suites (all of the point's
 * when n == 0), item-weighted: sum and n add up across suites. Returns 0,
 * or -1 when no counted sample has that tier. */
int report_point_tier(const struct report_point *p, const char *const *suites, size_t n, int tier,
                      struct report_tier_score *out);

/* All suites of the point (n > 0), item-weighted. NaN mean when none. */
void report_point_overall(const struct report_point *p, struct report_quality *out);

/* The distinct suite names across pts (counted samples only), sorted. The
 * array is allocated, the strings borrowed from pts. */
const char **report_points_suites(const struct report_points *pts, size_t *n_out);

/* The distinct judges (stored names "judge:...") whose scores pts show,
 * one "judge: NAME (suite, suite)" line each, into out; returns how many. */
size_t report_points_judges(const struct report_points *pts, const char *prefix, struct buf *out);

/* A short label for plots and lists: the config label when it names the
 * model, else "model [+ draft] [label]". Allocated. */
char *report_point_title(const struct report_point *p);

#endif
