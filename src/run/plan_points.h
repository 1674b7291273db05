/* plan_points.h - from the run's config (run/config.h) to the list of
 * configurations a run measures: one point for a plain run, the expanded
 * grid (or zip) for --sweep and --plan. Checks that need no server (model files exist, draft
 * vocab matches, expert count in range) happen here, before any start. */
#ifndef BAI_RUN_PLAN_POINTS_H
#define BAI_RUN_PLAN_POINTS_H

#include <stdio.h>
#include "run/config.h"
#include "run/runner.h"
#include "util/strv.h"

struct plan;

struct run_points {
    struct run_point *points;
    size_t n_points;
    struct strv extra_suites;     /* suites a plan names */
    struct plan *plan;            /* the expanded plan (sweeps), or NULL */
    double estimate_s;            /* plan time estimate, 0 = none */
    char **owned;                 /* strings the points borrow */
    size_t n_owned, cap_owned;
};

/* The configurations of a run: a plan file's points, or the command line
 * as a one-point plan (or its --sweep's points) with the same checks;
 * the command and replay backends have one point and no settings.
 * Conflicting flags are refused first (run_config_check). */
int run_points_build(const struct run_config *a, struct run_points *out, struct bai_error *err);
/* Fills each point's identity: hashes the model, draft and server binary
 * files (cached per file version, util/filehash.h) and the settings.
 * Separate from building so --dry-run hashes nothing. */
int run_points_identify(struct run_points *p, const struct run_config *a, struct bai_error *err);
/* Next to a judge server this benchai launched, a point without --threads
 * takes the cores the judge leaves free (backend/llama_procs.h): set that
 * share as the point's threads now, so its identity and its command line
 * say what the server ran with. Call after the judge started, before
 * run_points_identify. */
void run_points_share_cores(struct run_points *p);
/* The requests a point keeps in flight: --concurrency, else the point's
 * (a plan's concurrency:), else its server's slots (np), else 1. */
int run_point_concurrency(const struct run_point *pt, const struct run_config *a);
void run_points_free(struct run_points *p);
/* The plan's time budget in seconds, 0 when none. */
double run_points_time_budget(const struct run_points *p);
/* --dry-run: the points, their server command lines, a time estimate. */
void run_points_print(const struct run_points *p, struct suite *const *suites, size_t n_suites,
                      const struct run_config *a, FILE *out);

#endif
