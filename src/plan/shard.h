/* shard.h - which of N shards runs which part of a plan. The unit is the
 * sweep point, so each configuration's server starts once in the whole
 * plan; points are balanced by their estimated cost (longest first, onto
 * the least loaded shard). A point estimated above a budget may be split
 * into item chunks, each chunk a server start of its own on another shard.
 *
 * Owns: the assignment, a pure and deterministic function of the costs, N
 * and the budget (every machine of a cluster computes the same one from the
 * same plan). Does not own: the costs (plan_point_estimate_parts and the
 * suites' items, run/shard.c), which items make a chunk (run/shard.c), or
 * what may be split (the caller says so with max_chunks: speed suites and
 * concurrency sweeps never are). */
#ifndef BAI_PLAN_SHARD_H
#define BAI_PLAN_SHARD_H

#include <stddef.h>
#include "util/error.h"

/* --split-above values besides a duration. */
#define PLAN_SPLIT_AUTO (-1.0)   /* the balanced share: the plan's estimate / N */
#define PLAN_SPLIT_NEVER (0.0)   /* whole points only */

/* What one point costs, in estimated seconds. */
struct plan_shard_cost {
    double start_s;      /* paid by every chunk: server start-up, warm-up */
    double fixed_s;      /* work that stays whole, in chunk 0 (speed suites) */
    double split_s;      /* work that may be divided among chunks */
    size_t max_chunks;   /* 1: never split; else at most this many chunks */
};

/* One chunk of a point (a whole point is chunk 0 of 1). */
struct plan_shard_piece {
    size_t point;
    int chunk, n_chunks;
    int shard;           /* 1..N */
    double cost_s;
};

struct plan_shards {
    int n_shards;
    double split_above_s;            /* the budget used; 0 when nothing may split */
    struct plan_shard_piece *pieces; /* by point, then chunk */
    size_t n_pieces;
    size_t *first_piece;             /* per point: its chunk 0 in pieces */
    size_t n_points;
    double *load_s;                  /* per shard: load_s[shard - 1] */
};

/* Assigns n points to n_shards shards. split_above_s: PLAN_SPLIT_AUTO,
 * PLAN_SPLIT_NEVER or seconds; a point whose cost is above it is split into
 * ceil(cost / split_above_s) chunks, at most n_shards and max_chunks, and
 * at most split_s / start_s (a chunk carries at least its own start-up in
 * work); no two chunks of a point share a shard. Pieces are placed longest first
 * (ties: lower point, lower chunk), each on the least loaded shard (ties:
 * the lower index). Fails only on n_shards < 1 (BAI_EXIT_USAGE). */
int plan_shards_assign(const struct plan_shard_cost *costs, size_t n, int n_shards, double split_above_s,
                       struct plan_shards *out, struct bai_error *err);
void plan_shards_free(struct plan_shards *s);

/* The shard (1..N) of chunk c of point p. */
int plan_shards_of(const struct plan_shards *s, size_t p, int chunk);
/* How many chunks point p has. */
int plan_shards_chunks(const struct plan_shards *s, size_t p);
/* 1 when any chunk of point p runs on shard. */
int plan_shards_point_on(const struct plan_shards *s, size_t p, int shard);

/* Parses a --split-above value: "auto", "never", or a duration ("90m",
 * "2h", "1h30m", "600"). -1 with err (naming the flag) when malformed. */
int plan_parse_split_above(const char *text, double *out, struct bai_error *err);

#endif
