/* shard.h (run/) - a run's shards: each point's estimated cost from the
 * plan's estimate and the suites' real items, the assignment of whole
 * points (or item chunks of costly ones) to shards (plan/shard.h), which
 * shard runs each (point, item), and the manifest every shard records so a
 * merge knows what all N shards were to store.
 *
 * Owns: the reps rule of an item (--limit, --reps, the point's and the
 * item's reps), chunking (speed suites and points that set np or the
 * concurrency are never split; split suites are cut into contiguous item
 * ranges), the
 * manifest and the shard table printed by `benchai plan --shards` and
 * `run --dry-run --shard`. Does not own: the assignment rule (plan/shard.c),
 * the store. */
#ifndef BAI_RUN_SHARD_H
#define BAI_RUN_SHARD_H

#include <stdio.h>
#include "plan/shard.h"
#include "run/runner.h"

struct plan;

struct run_shards {
    int n_shards;
    struct plan_shards a;
    struct plan_shard_cost *costs;   /* per point */
    char manifest_sha256[65];        /* of the manifest rows (run_shards_manifest) */
};

/* Costs and assignment for o's points over n_shards shards (1: the whole
 * run). plan: the expanded plan the points came from (their model sizes),
 * or NULL (model sizes from the files). split_above: --split-above text
 * (NULL: auto). */
int run_shards_build(const struct run_options *o, const struct plan *plan, int n_shards, const char *split_above,
                     struct run_shards *out, struct bai_error *err);
void run_shards_free(struct run_shards *s);

/* The suites of point pt: its own selection, else all of the run's. */
size_t run_point_n_suites(const struct run_options *o, const struct run_point *pt);
const struct suite *run_point_suite(const struct run_options *o, const struct run_point *pt, size_t i);

/* Samples item i of suite s gets at point pt across all shards: 0 when
 * --limit leaves it out. */
int run_item_planned_reps(const struct run_config *c, const struct run_point *pt, const struct suite *s, size_t i);
/* The shard (1..N) that runs item i of suite s at point p; 0 when no shard
 * does (--limit). s must be one of the point's suites. */
int run_shards_item(const struct run_shards *m, const struct run_options *o, size_t p, const struct suite *s,
                    size_t i);
/* 1 when shard runs any part of point p. */
int run_shards_point_on(const struct run_shards *m, size_t p, int shard);

/* One row of the manifest: what shard is to store of (config, suite). */
struct run_manifest_row {
    int shard;
    const char *config, *suite;      /* borrowed from the points and suites */
    long long items, samples;
};
/* Every shard's rows, by point, chunk, suite (allocated). */
struct run_manifest_row *run_shards_manifest(const struct run_shards *m, const struct run_options *o, size_t *n_out);

/* The shards table: per shard its estimated time and its points (a chunk
 * as "items chunk 2 of 3"); only shard `only` when it is 1..N, every shard
 * when 0. md, or json when json is set. */
void run_shards_print(const struct run_shards *m, const struct run_options *o, int only, int json, FILE *out);

/* `run --dry-run --shard I/N`: shard I's table and the server command
 * lines of its points; shard 0: every shard's table (`benchai plan`).
 * -1 with err when the points cannot be assigned (a bad --split-above). */
struct run_points;
int run_shards_dry_run(const struct run_config *c, const struct run_points *pts, struct suite *const *suites,
                       size_t n_suites, int json, FILE *out, struct bai_error *err);

#endif
