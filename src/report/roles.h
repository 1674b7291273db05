/* roles.h - model selection: roles as the users describe them (suites with
 * weights, constraints, readiness rules per item tier, a memory budget,
 * quality-first or speed-first; benchmarks/roles.yaml), pools of roles that
 * must be resident together within one budget, and, per role, the best
 * stored configuration that satisfies them, with what bound the choice.
 * Owns: the roles file format (roles.c) and the selection rule (select.c).
 * Does not own: the points (points.c) or how the answer is printed (cmd). */
#ifndef BAI_REPORT_ROLES_H
#define BAI_REPORT_ROLES_H

#include <stddef.h>
#include "report/format.h"
#include "report/points.h"

enum report_prefer { REPORT_PREFER_QUALITY = 0, REPORT_PREFER_SPEED };

/* Latency limits: max_<metric>_p<pct>_ms in roles.yaml. */
enum report_lat_metric { REPORT_LAT_TTFT = 0, REPORT_LAT_E2E, REPORT_LAT_N };
enum report_lat_pct { REPORT_LAT_P50 = 0, REPORT_LAT_P90, REPORT_LAT_P95, REPORT_LAT_P99, REPORT_LAT_NP };

/* A readiness rule: the role's score on the items of this tier must be at
 * least min_pct percent (the users' "workers: T1 100%, T2 >= 75%"). */
struct report_tier_rule {
    int tier;
    double min_pct;
};

/* A memory budget in GB (1e9 bytes); 0 or NaN = none. memory_gb bounds the
 * server's peak resident set, gpu_gb its GPU memory. */
struct report_budget {
    double memory_gb, gpu_gb;
};

struct report_role {
    char *name;
    char *description;            /* may be NULL */
    char **suites;
    double *weights;              /* > 0, one per suite */
    size_t n_suites;
    /* constraints; NaN = none */
    double min_score_pct;         /* weighted role score, percent 0..100 */
    double min_tps;               /* generation tokens/s, p50 */
    double max_ttft_ms;           /* TTFT p50 */
    double max_size_gb;           /* model (+ draft) files, GB = 1e9 bytes */
    enum report_prefer prefer;
    /* Added constraints: 0 or NaN = none (a zero-initialised role has none). */
    double max_latency_ms[REPORT_LAT_N][REPORT_LAT_NP];   /* [TTFT|E2E][p50|p90|p95|p99];
                                     TTFT p50 is also max_ttft_ms (either sets it) */
    struct report_budget budget;  /* this role's configuration alone */
    double np_p95_limit;          /* -np rule for this role; 0 = the select default */
    struct report_tier_rule *tiers;   /* readiness rules, ascending by tier */
    size_t n_tiers;
};

/* Roles that must be resident together: the sum over the distinct
 * configurations chosen for them must fit the budget (the users' HOT tier
 * of ~45 GB always loaded). */
struct report_pool {
    char *name;
    char *description;            /* may be NULL */
    char **roles;                 /* role names, in priority order */
    size_t n_roles;
    struct report_budget budget;
};

struct report_roles {
    struct report_role *v;
    size_t n;
    struct report_pool *pools;
    size_t n_pools;
};

/* Parses a roles file (format in docs/reports.md); errors name
 * file:line:col and the field. */
int report_roles_parse(const char *text, size_t len, const char *path, struct report_roles *out,
                       struct bai_error *err);
int report_roles_load(const char *path, struct report_roles *out, struct bai_error *err);
void report_roles_free(struct report_roles *roles);

/* The names of the constraints a candidate can fail, for "what bound the
 * choice" (bit i = report_constraint_names[i]). */
extern const char *const report_constraint_names[];
size_t report_constraint_count(void);

/* One stored point judged for one role. */
struct report_candidate {
    const struct report_point *p;     /* borrowed */
    struct report_quality q;          /* role-weighted quality (NaN when missing) */
    double tps, ttft_ms, size_gb;
    double memory_gb, gpu_gb;         /* peak RSS, GPU memory (NaN unknown) */
    double np_mult;                   /* p95 E2E / its np=1's, NaN when not in an -np series */
    char *excluded;                   /* NULL = satisfies every constraint, else
                                         every reason, "; "-separated */
    unsigned failed;                  /* bit per report_constraint_names entry */
};

struct report_selection {
    const struct report_role *role;   /* borrowed */
    struct report_candidate *c;       /* eligible first, best first; then excluded */
    size_t n, n_eligible;
    size_t chosen;        /* index of the selection in c (0 unless a pool moved it) */
    /* best = c[chosen] and runner-up the next eligible after it */
    double margin;        /* quality: points of score; speed: % faster; NaN */
    int margin_within_ci; /* quality CIs of best and runner-up overlap */
    const struct report_pool *pool;   /* the pool whose budget moved the choice, or NULL */
    char *pool_note;      /* what the pool did, or NULL */
    char *bound_by;       /* what bound the choice: the constraints that excluded
                             configurations ranked above it (with counts), the pool */
};

/* Ranks pts for role. Quality first: role score desc, then gen tokens/s desc,
 * then TTFT asc. Speed first: gen tokens/s desc, then role score desc. Exact
 * ties keep store order (older run / lower config id first). np_limit is the
 * -np rule's p95 multiplier for a role without its own (<= 0: the default,
 * REPORT_NP_P95_LIMIT): a point of an -np sweep whose p95 E2E exceeds that
 * multiple of its np=1 point's is excluded. */
void report_select(const struct report_role *role, const struct report_points *pts,
                   struct report_selection *out);
void report_select_np(const struct report_role *role, const struct report_points *pts, double np_limit,
                      struct report_selection *out);
/* Every role, then every pool: when the selections of a pool's roles do not
 * fit its budget together, the pool's roles get, in the order the pool lists
 * them, the best eligible configuration that still lets the roles after it
 * fit (a configuration chosen for two roles counts once). out has
 * roles->n entries; want[i] 0 skips role i (NULL = all). */
void report_select_all(const struct report_roles *roles, const struct report_points *pts, double np_limit,
                       const int *want, struct report_selection *out);
void report_selection_free(struct report_selection *sel);

/* The "Production Model Configuration" table: one row per role (role,
 * model, config, score, gen_tps, ttft_p50_ms, size_gb, runner_up, margin,
 * eligible, memory_gb, bound_by). A role nothing satisfies gets model
 * "(none satisfies the constraints)". */
void report_selection_table(const struct report_selection *sels, size_t n,
                            struct report_table *t);

#endif
