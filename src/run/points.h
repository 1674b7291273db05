/* points.h - from the run's config (run/config.h) to the list of
 * configurations a run measures: one point for a plain run, the expanded
 * grid (or zip) for --sweep and --plan. Checks that need no server (model files exist, draft
 * vocab matches, expert count in range) happen here, before any start. */
#ifndef BAI_POINTS_H
#define BAI_POINTS_H

#include <stdio.h>
#include "run/config.h"
#include "run/runner.h"

struct plan;

struct run_points {
    struct run_point *points;
    size_t n_points;
    char **extra_suites;          /* suites a plan names */
    size_t n_extra_suites;
    struct plan *plan;            /* the expanded plan (sweeps), or NULL */
    double estimate_s;            /* plan time estimate, 0 = none */
    char **owned;                 /* strings the points borrow */
    size_t n_owned, cap_owned;
};

int run_points_build(const struct run_config *a, struct run_points *out, struct bai_error *err);
void run_points_free(struct run_points *p);
/* The plan's time budget in seconds, 0 when none. */
double run_points_time_budget(const struct run_points *p);
/* --dry-run: the points, their server command lines, a time estimate. */
void run_points_print(const struct run_points *p, struct suite *const *suites, size_t n_suites,
                      const struct run_config *a, FILE *out);

#endif
