/* shard.c - points (and chunks of costly points) onto N shards, balanced
 * by estimated cost (shard.h). */
#include "plan/shard.h"
#include "plan/plan.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

/* How many chunks a point gets under the budget: enough to bring it under
 * the budget, but never so many that a chunk carries less work than its
 * own start-up (each chunk starts the server again). */
static int chunks_for(const struct plan_shard_cost *c, int n_shards, double budget)
{
    double total = c->start_s + c->fixed_s + c->split_s;
    if (budget <= 0 || c->max_chunks <= 1 || c->split_s <= 0 || total <= budget)
        return 1;
    double k = ceil(total / budget);
    if (c->start_s > 0 && k > floor(c->split_s / c->start_s))
        k = floor(c->split_s / c->start_s);
    if (k > n_shards)
        k = n_shards;
    if (k > (double)c->max_chunks)
        k = (double)c->max_chunks;
    return k < 1 ? 1 : (int)k;
}

static int cmp_pieces(const void *a, const void *b)
{
    const struct plan_shard_piece *x = *(const struct plan_shard_piece *const *)a;
    const struct plan_shard_piece *y = *(const struct plan_shard_piece *const *)b;
    if (x->cost_s != y->cost_s)
        return x->cost_s > y->cost_s ? -1 : 1;
    if (x->point != y->point)
        return x->point < y->point ? -1 : 1;
    return x->chunk - y->chunk;
}

int plan_shards_assign(const struct plan_shard_cost *costs, size_t n, int n_shards, double split_above_s,
                       struct plan_shards *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    if (n_shards < 1) {
        bai_error_set(err, BAI_EXIT_USAGE, "the number of shards must be at least 1, not %d", n_shards);
        return -1;
    }
    double total = 0;
    for (size_t i = 0; i < n; i++)
        total += costs[i].start_s + costs[i].fixed_s + costs[i].split_s;
    double budget = split_above_s < 0 ? total / n_shards : split_above_s;
    if (n_shards == 1)
        budget = 0;
    out->n_shards = n_shards;
    out->split_above_s = budget;
    out->n_points = n;
    out->first_piece = xcalloc(n + 1, sizeof *out->first_piece);
    out->load_s = xcalloc((size_t)n_shards, sizeof *out->load_s);
    size_t cap = n + 1;
    out->pieces = xcalloc(cap, sizeof *out->pieces);
    for (size_t i = 0; i < n; i++) {
        int k = chunks_for(&costs[i], n_shards, budget);
        out->first_piece[i] = out->n_pieces;
        for (int c = 0; c < k; c++) {
            XGROW(out->pieces, out->n_pieces + 1, cap);
            struct plan_shard_piece *pc = &out->pieces[out->n_pieces++];
            pc->point = i;
            pc->chunk = c;
            pc->n_chunks = k;
            pc->cost_s = costs[i].start_s + costs[i].split_s / k + (c == 0 ? costs[i].fixed_s : 0);
        }
    }
    out->first_piece[n] = out->n_pieces;
    /* longest first onto the least loaded shard that holds no other chunk
     * of the same point (there is always one: chunks <= shards) */
    struct plan_shard_piece **order = xcalloc(out->n_pieces + 1, sizeof *order);
    for (size_t i = 0; i < out->n_pieces; i++)
        order[i] = &out->pieces[i];
    qsort(order, out->n_pieces, sizeof *order, cmp_pieces);
    for (size_t i = 0; i < out->n_pieces; i++) {
        struct plan_shard_piece *pc = order[i];
        int best = 0;
        for (int s = 1; s <= n_shards; s++) {
            int taken = 0;
            for (size_t q = out->first_piece[pc->point]; q < out->first_piece[pc->point + 1]; q++)
                taken |= out->pieces[q].shard == s;
            if (taken)
                continue;
            if (!best || out->load_s[s - 1] < out->load_s[best - 1])
                best = s;
        }
        pc->shard = best;
        out->load_s[best - 1] += pc->cost_s;
    }
    free(order);
    return 0;
}

void plan_shards_free(struct plan_shards *s)
{
    free(s->pieces);
    free(s->first_piece);
    free(s->load_s);
    memset(s, 0, sizeof *s);
}

int plan_shards_chunks(const struct plan_shards *s, size_t p)
{
    return p < s->n_points ? (int)(s->first_piece[p + 1] - s->first_piece[p]) : 0;
}

int plan_shards_of(const struct plan_shards *s, size_t p, int chunk)
{
    if (p >= s->n_points || chunk < 0 || chunk >= plan_shards_chunks(s, p))
        return 0;
    return s->pieces[s->first_piece[p] + (size_t)chunk].shard;
}

int plan_shards_point_on(const struct plan_shards *s, size_t p, int shard)
{
    for (int c = 0; c < plan_shards_chunks(s, p); c++)
        if (plan_shards_of(s, p, c) == shard)
            return 1;
    return 0;
}

int plan_parse_split_above(const char *text, double *out, struct bai_error *err)
{
    if (!text || !strcmp(text, "auto")) {
        *out = PLAN_SPLIT_AUTO;
        return 0;
    }
    if (!strcmp(text, "never")) {
        *out = PLAN_SPLIT_NEVER;
        return 0;
    }
    double d = plan_parse_duration(text);
    if (d <= 0) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "--split-above: expected auto, never or a duration such as 90m, 2h, 1h30m, not '%s'", text);
        return -1;
    }
    *out = d;
    return 0;
}
