/* test_shard.c - the assignment of sweep points to shards (plan/shard.c):
 * whole points, balanced by cost, deterministic; costly points split into
 * item chunks on distinct shards only when allowed and above the budget.
 * Expected loads are worked out by hand next to each test. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plan/shard.h"

static struct plan_shard_cost cost(double start, double fixed, double split, size_t max_chunks)
{
    return (struct plan_shard_cost){ start, fixed, split, max_chunks };
}

/* 14 equal points on 8 shards, nothing split: each point once, so each
 * configuration's server starts once; loads differ by at most one point. */
Test(shard, equal_points_each_once_balanced)
{
    struct plan_shard_cost c[14];
    for (int i = 0; i < 14; i++)
        c[i] = cost(2, 0, 8, 5);
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 14, 8, PLAN_SPLIT_AUTO, &s, &err), 0, "%s", err.msg);
    cr_assert_eq(s.n_pieces, 14, "auto budget = 140/8 = 17.5 > 10: no point is split");
    int per_shard[9] = { 0 };
    for (size_t p = 0; p < 14; p++) {
        cr_assert_eq(plan_shards_chunks(&s, p), 1);
        int sh = plan_shards_of(&s, p, 0);
        cr_assert(sh >= 1 && sh <= 8);
        per_shard[sh]++;
    }
    for (int k = 1; k <= 8; k++) {
        cr_assert(per_shard[k] == 1 || per_shard[k] == 2, "shard %d has %d points", k, per_shard[k]);
        cr_assert_float_eq(s.load_s[k - 1], per_shard[k] * 10.0, 1e-9);
    }
    plan_shards_free(&s);
}

/* Longest first onto the least loaded shard: costs 9, 7, 5, 4, 3, 2 on 2
 * shards: 9 | 7; 5 joins the lighter one: 9 | 12; 4 -> 13 | 12;
 * 3 -> 13 | 15; 2 -> 15 | 15. */
Test(shard, longest_first_least_loaded)
{
    struct plan_shard_cost c[] = { cost(0, 0, 3, 1), cost(0, 0, 9, 1), cost(0, 0, 2, 1),
                                   cost(0, 0, 7, 1), cost(0, 0, 5, 1), cost(0, 0, 4, 1) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 6, 2, PLAN_SPLIT_NEVER, &s, &err), 0);
    cr_assert_eq(plan_shards_of(&s, 1, 0), 1, "9 first, on shard 1");
    cr_assert_eq(plan_shards_of(&s, 3, 0), 2, "7 on the empty shard 2");
    cr_assert_eq(plan_shards_of(&s, 4, 0), 2, "5 joins the lighter shard 2 (7 < 9)");
    cr_assert_eq(plan_shards_of(&s, 5, 0), 1, "4 onto shard 1 (9 < 12)");
    cr_assert_eq(plan_shards_of(&s, 0, 0), 2, "3 onto shard 2 (12 < 13)");
    cr_assert_eq(plan_shards_of(&s, 2, 0), 1, "2 onto shard 1 (13 < 15)");
    cr_assert_float_eq(s.load_s[0], 15, 1e-9);
    cr_assert_float_eq(s.load_s[1], 15, 1e-9);
    plan_shards_free(&s);
}

/* The same inputs give the same assignment, whatever ran before. */
Test(shard, deterministic)
{
    struct plan_shard_cost c[40];
    for (int i = 0; i < 40; i++)
        c[i] = cost(1 + i % 3, (i % 5) * 0.5, 10 + (i * 7) % 11, 20);
    struct plan_shards a, b;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 40, 7, PLAN_SPLIT_AUTO, &a, &err), 0);
    cr_assert_eq(plan_shards_assign(c, 40, 7, PLAN_SPLIT_AUTO, &b, &err), 0);
    cr_assert_eq(a.n_pieces, b.n_pieces);
    for (size_t i = 0; i < a.n_pieces; i++) {
        cr_assert_eq(a.pieces[i].shard, b.pieces[i].shard);
        cr_assert_eq(a.pieces[i].chunk, b.pieces[i].chunk);
    }
    plan_shards_free(&a);
    plan_shards_free(&b);
}

/* One point on 4 shards (a single-model run of a big suite): the auto
 * budget is its own cost / 4, so it is cut into 4 chunks, one per shard. */
Test(shard, single_point_split_over_every_shard)
{
    struct plan_shard_cost c[] = { cost(2, 0, 400, 500) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 1, 4, PLAN_SPLIT_AUTO, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 4);
    int seen[5] = { 0 };
    for (int k = 0; k < 4; k++) {
        seen[plan_shards_of(&s, 0, k)]++;
        cr_assert_float_eq(s.pieces[k].cost_s, 2 + 100, 1e-9, "each chunk pays the start-up");
    }
    for (int k = 1; k <= 4; k++)
        cr_assert_eq(seen[k], 1, "no two chunks of a point share a shard");
    plan_shards_free(&s);
}

/* Never split: a point that may not be split (max_chunks 1: concurrency,
 * or --split-above never) stays whole even when it dominates the plan. */
Test(shard, concurrency_points_and_never_stay_whole)
{
    struct plan_shard_cost c[] = { cost(2, 0, 400, 1), cost(2, 0, 10, 50) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 2, 4, PLAN_SPLIT_AUTO, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 1, "max_chunks 1: whole");
    cr_assert_eq(plan_shards_chunks(&s, 1), 1, "12 is below the budget 414/4");
    plan_shards_free(&s);
    struct plan_shard_cost d[] = { cost(2, 0, 400, 500) };
    cr_assert_eq(plan_shards_assign(d, 1, 4, PLAN_SPLIT_NEVER, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 1);
    cr_assert_eq(plan_shards_of(&s, 0, 0), 1);
    cr_assert(plan_shards_point_on(&s, 0, 1) && !plan_shards_point_on(&s, 0, 2));
    plan_shards_free(&s);
}

/* An explicit budget: cost 2 + 10 (fixed, speed) + 90 = 102 over a 30 s
 * budget -> ceil(102/30) = 4 chunks; the fixed part stays in chunk 0; at
 * most max_chunks (3 items) -> 3 chunks. */
Test(shard, explicit_budget_fixed_part_in_first_chunk)
{
    struct plan_shard_cost c[] = { cost(2, 10, 90, 100) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 1, 8, 30, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 4);
    cr_assert_float_eq(s.pieces[0].cost_s, 2 + 10 + 22.5, 1e-9);
    cr_assert_float_eq(s.pieces[1].cost_s, 2 + 22.5, 1e-9);
    plan_shards_free(&s);
    c[0].max_chunks = 3;
    cr_assert_eq(plan_shards_assign(c, 1, 8, 30, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 3);
    plan_shards_free(&s);
}

/* A skipped point (cost 0) still belongs to exactly one shard, which
 * records it as skipped. */
Test(shard, zero_cost_point_assigned_once)
{
    struct plan_shard_cost c[] = { cost(2, 0, 10, 5), cost(0, 0, 0, 1), cost(2, 0, 10, 5) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 3, 2, PLAN_SPLIT_AUTO, &s, &err), 0);
    int on = 0;
    for (int k = 1; k <= 2; k++)
        on += plan_shards_point_on(&s, 1, k);
    cr_assert_eq(on, 1);
    plan_shards_free(&s);
}

/* A point whose splittable part is small next to its start-up (a speed
 * suite with a short quality suite beside it) stays whole: a second start
 * would cost more than the chunk saves. 2 + 20 + 3 = 25 over a budget of
 * 10, but 3 s of splittable work is less than two starts of 2 s. */
Test(shard, no_chunk_smaller_than_its_start_up)
{
    struct plan_shard_cost c[] = { cost(2, 20, 3, 5) };
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(c, 1, 4, 10, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 1);
    plan_shards_free(&s);
    c[0].split_s = 5;
    cr_assert_eq(plan_shards_assign(c, 1, 4, 10, &s, &err), 0);
    cr_assert_eq(plan_shards_chunks(&s, 0), 2, "5 s of work carries two 2 s starts");
    plan_shards_free(&s);
}

Test(shard, bad_input)
{
    struct plan_shards s;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_shards_assign(NULL, 0, 0, PLAN_SPLIT_AUTO, &s, &err), -1);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    double v;
    cr_assert_eq(plan_parse_split_above("auto", &v, &err), 0);
    cr_assert_eq(v, PLAN_SPLIT_AUTO);
    cr_assert_eq(plan_parse_split_above("never", &v, &err), 0);
    cr_assert_eq(v, PLAN_SPLIT_NEVER);
    cr_assert_eq(plan_parse_split_above("1h30m", &v, &err), 0);
    cr_assert_float_eq(v, 5400, 1e-9);
    cr_assert_eq(plan_parse_split_above("soon", &v, &err), -1);
    cr_assert(strstr(err.msg, "--split-above"), "%s", err.msg);
}
