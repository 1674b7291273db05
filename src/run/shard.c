/* shard.c - a run's points and items onto shards, and the manifest (see
 * run/shard.h). */
#include "run/shard.h"
#include "settings/settings.h"
#include "plan/plan.h"
#include "run/plan_points.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/sha256.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Tokens a request is expected to generate when its item sets no
 * max_tokens: the estimate's default (plan_estimate_opts). */
#define DEFAULT_TOKENS 128
/* Warm-up requests are cut to this many tokens (runner.c). */
#define WARMUP_TOKENS 16

size_t run_point_n_suites(const struct run_options *o, const struct run_point *pt)
{
    return pt->suite_idx ? pt->n_suite_idx : o->n_suites;
}

const struct suite *run_point_suite(const struct run_options *o, const struct run_point *pt, size_t i)
{
    return o->suites[pt->suite_idx ? pt->suite_idx[i] : i];
}

int run_item_planned_reps(const struct run_config *c, const struct run_point *pt, const struct suite *s, size_t i)
{
    if (c->limit > 0 && i >= (size_t)c->limit)
        return 0;
    const struct suite_item *it = &s->items[i];
    return c->reps > 0 ? c->reps : pt->reps > 0 ? pt->reps : (it->reps > 0 ? it->reps : 1);
}

static size_t items_in_limit(const struct run_config *c, const struct suite *s)
{
    return c->limit > 0 && (size_t)c->limit < s->n_items ? (size_t)c->limit : s->n_items;
}

static int is_speed(const struct suite *s)
{
    return s->kind && !strcmp(s->kind, "speed");
}

/* The point's -np, 0 when it leaves the server's default: the one launch
 * setting sharding reads. */
static int point_np(const struct run_point *pt)
{
    return pt->backend.kind == BACKEND_LLAMA_SERVER && pt->backend.server.settings
               ? (int)settings_int(pt->backend.server.settings, SETTING_NP, 0) : 0;
}

/* A point that sets its slots (np, also np=1: the baseline of an np
 * sweep) or its requests in flight measures concurrency: its throughput and
 * latency percentiles must come from one server, so it is never split. */
static int point_concurrent(const struct run_config *c, const struct run_point *pt)
{
    return c->concurrency > 0 || pt->concurrency > 0 || point_np(pt) > 0;
}

/* The estimate's start-up and per-token parts for point p: from its plan
 * point when the points came from a plan (every --sweep too), else (one
 * point: how fast matters only against an explicit --split-above) from the
 * model files' sizes through the same estimate. */
static void point_speed(const struct run_options *o, const struct plan *plan, size_t p, double *start_s,
                        double *s_per_token)
{
    if (plan && plan->n_points == o->n_points) {
        plan_point_estimate_parts(&plan->points[p], NULL, start_s, s_per_token);
        return;
    }
    const struct run_point *pt = &o->points[p];
    struct plan_model model = { 0 }, draft = { 0 };
    struct stat sb;
    if (pt->backend.kind == BACKEND_LLAMA_SERVER && pt->model && stat(pt->model, &sb) == 0) {
        model.gguf_loaded = 1;
        model.gguf.file_size_bytes = (uint64_t)sb.st_size;
    }
    if (pt->draft && stat(pt->draft, &sb) == 0) {
        draft.gguf_loaded = 1;
        draft.gguf.file_size_bytes = (uint64_t)sb.st_size;
    }
    struct plan_point pp = { .model = &model, .draft = pt->draft ? &draft : NULL };
    plan_point_estimate_parts(&pp, NULL, start_s, s_per_token);
}

static void point_cost(const struct run_options *o, const struct plan *plan, size_t p, struct plan_shard_cost *c)
{
    const struct run_point *pt = &o->points[p];
    memset(c, 0, sizeof *c);
    c->max_chunks = 1;
    if (pt->skip_reason)
        return;
    double start, spt;
    point_speed(o, plan, p, &start, &spt);
    int warmup = pt->warmup >= 0 ? pt->warmup : o->cfg->warmup;
    c->start_s = start + (warmup > 0 ? warmup : 0) * WARMUP_TOKENS * spt;
    size_t max_items = 0;
    for (size_t k = 0; k < run_point_n_suites(o, pt); k++) {
        const struct suite *s = run_point_suite(o, pt, k);
        double work = 0;
        for (size_t i = 0; i < s->n_items; i++) {
            int reps = run_item_planned_reps(o->cfg, pt, s, i);
            int toks = is_speed(s) && s->speed.tg > 0 ? s->speed.tg
                     : s->items[i].max_tokens > 0 ? s->items[i].max_tokens : DEFAULT_TOKENS;
            work += (double)reps * toks * spt;
        }
        if (is_speed(s)) {
            c->fixed_s += work;
        } else {
            c->split_s += work;
            size_t n = items_in_limit(o->cfg, s);
            if (n > max_items)
                max_items = n;
        }
    }
    if (!point_concurrent(o->cfg, pt) && max_items > 1)
        c->max_chunks = max_items;
}

int run_shards_build(const struct run_options *o, const struct plan *plan, int n_shards, const char *split_above,
                     struct run_shards *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    double budget;
    if (plan_parse_split_above(split_above, &budget, err) < 0)
        return -1;
    out->n_shards = n_shards;
    out->costs = xcalloc(o->n_points + 1, sizeof *out->costs);
    for (size_t p = 0; p < o->n_points; p++)
        point_cost(o, plan, p, &out->costs[p]);
    if (plan_shards_assign(out->costs, o->n_points, n_shards, budget, &out->a, err) < 0) {
        run_shards_free(out);
        return -1;
    }
    /* the manifest's hash: the same plan, N and budget give the same rows */
    size_t n_rows = 0;
    struct run_manifest_row *rows = run_shards_manifest(out, o, &n_rows);
    struct sha256 h;
    sha256_init(&h);
    char line[64];
    snprintf(line, sizeof line, "shards %d\n", n_shards);
    sha256_update(&h, line, strlen(line));
    for (size_t i = 0; i < n_rows; i++) {
        snprintf(line, sizeof line, "%d\t%lld\t%lld\t", rows[i].shard, rows[i].items, rows[i].samples);
        sha256_update(&h, line, strlen(line));
        sha256_update(&h, rows[i].config, strlen(rows[i].config) + 1);
        sha256_update(&h, rows[i].suite, strlen(rows[i].suite) + 1);
    }
    unsigned char digest[32];
    sha256_final(&h, digest);
    sha256_to_hex(digest, out->manifest_sha256);
    free(rows);
    return 0;
}

void run_shards_free(struct run_shards *s)
{
    plan_shards_free(&s->a);
    free(s->costs);
    memset(s, 0, sizeof *s);
}

/* The chunk of item i of suite s at a point cut into k chunks: speed
 * suites stay whole in chunk 0; other suites are cut into k contiguous
 * ranges of their items (within --limit), so every chunk has some when
 * the suite has at least k. */
static int item_chunk(const struct run_config *c, const struct suite *s, size_t i, int k)
{
    if (k <= 1 || is_speed(s))
        return 0;
    size_t n = items_in_limit(c, s);
    return n ? (int)(i * (size_t)k / n) : 0;
}

int run_shards_item(const struct run_shards *m, const struct run_options *o, size_t p, const struct suite *s,
                    size_t i)
{
    if (run_item_planned_reps(o->cfg, &o->points[p], s, i) == 0)
        return 0;
    return plan_shards_of(&m->a, p, item_chunk(o->cfg, s, i, plan_shards_chunks(&m->a, p)));
}

int run_shards_point_on(const struct run_shards *m, size_t p, int shard)
{
    return plan_shards_point_on(&m->a, p, shard);
}

struct run_manifest_row *run_shards_manifest(const struct run_shards *m, const struct run_options *o, size_t *n_out)
{
    struct run_manifest_row *rows = NULL;
    size_t n = 0, cap = 0;
    for (size_t p = 0; p < o->n_points; p++) {
        const struct run_point *pt = &o->points[p];
        for (int c = 0; c < plan_shards_chunks(&m->a, p); c++) {
            int shard = plan_shards_of(&m->a, p, c);
            for (size_t k = 0; k < run_point_n_suites(o, pt); k++) {
                const struct suite *s = run_point_suite(o, pt, k);
                long long items = 0, samples = 0;
                for (size_t i = 0; i < s->n_items && !pt->skip_reason; i++) {
                    if (item_chunk(o->cfg, s, i, plan_shards_chunks(&m->a, p)) != c)
                        continue;
                    int reps = run_item_planned_reps(o->cfg, pt, s, i);
                    items += reps > 0;
                    samples += reps;
                }
                XGROW(rows, n + 1, cap);
                rows[n++] = (struct run_manifest_row){ shard, pt->label, s->name, items, samples };
            }
        }
    }
    *n_out = n;
    return rows;
}

static long long piece_samples(const struct run_shards *m, const struct run_options *o, const struct plan_shard_piece *pc)
{
    const struct run_point *pt = &o->points[pc->point];
    long long n = 0;
    for (size_t k = 0; k < run_point_n_suites(o, pt) && !pt->skip_reason; k++) {
        const struct suite *s = run_point_suite(o, pt, k);
        for (size_t i = 0; i < s->n_items; i++)
            if (item_chunk(o->cfg, s, i, pc->n_chunks) == pc->chunk)
                n += run_item_planned_reps(o->cfg, pt, s, i);
    }
    return n;
}

static int shard_has_piece(const struct run_shards *m, int shard)
{
    for (size_t i = 0; i < m->a.n_pieces; i++)
        if (m->a.pieces[i].shard == shard)
            return 1;
    return 0;
}

void run_shards_print(const struct run_shards *m, const struct run_options *o, int only, int json, FILE *out)
{
    cJSON *root = json ? cJSON_CreateObject() : NULL, *arr = NULL;
    double total = 0, longest = 0;
    for (int s = 1; s <= m->n_shards; s++) {
        total += m->a.load_s[s - 1];
        if (m->a.load_s[s - 1] > longest)
            longest = m->a.load_s[s - 1];
    }
    char t1[32], t2[32], t3[32];
    if (json) {
        cJSON_AddNumberToObject(root, "shards", m->n_shards);
        if (m->a.split_above_s > 0)
            cJSON_AddNumberToObject(root, "split_above_s", m->a.split_above_s);
        else
            cJSON_AddNullToObject(root, "split_above_s");
        cJSON_AddNumberToObject(root, "estimate_s", total);
        cJSON_AddNumberToObject(root, "longest_shard_s", longest);
        cJSON_AddStringToObject(root, "manifest_sha256", m->manifest_sha256);
        arr = cJSON_AddArrayToObject(root, "shard");
    } else {
        clock_duration_text(total, t1, sizeof t1);
        clock_duration_text(longest, t2, sizeof t2);
        if (m->a.split_above_s > 0)
            clock_duration_text(m->a.split_above_s, t3, sizeof t3);
        fprintf(out, "%zu point(s) on %d shard(s): estimated %s of work, the longest shard %s;"
                " points above %s are split into item chunks\n",
                o->n_points, m->n_shards, t1, t2, m->a.split_above_s > 0 ? t3 : "(none: whole points only)");
        fprintf(out, "(rough estimates from model sizes and max_tokens; see docs/distributed.md)\n");
        int empty = 0;
        for (int s = 1; s <= m->n_shards; s++)
            empty += m->a.load_s[s - 1] <= 0 && !shard_has_piece(m, s);
        if (empty)
            fprintf(out, "note: %d of the %d shards have no point to run: the plan has fewer points (and chunks) "
                         "than shards\n", empty, m->n_shards);
    }
    for (int s = 1; s <= m->n_shards; s++) {
        if (only && s != only)
            continue;
        size_t n_here = 0;
        for (size_t i = 0; i < m->a.n_pieces; i++)
            n_here += m->a.pieces[i].shard == s;
        cJSON *js = NULL, *jp = NULL;
        if (json) {
            js = cJSON_CreateObject();
            cJSON_AddNumberToObject(js, "shard", s);
            cJSON_AddNumberToObject(js, "estimate_s", m->a.load_s[s - 1]);
            jp = cJSON_AddArrayToObject(js, "points");
            cJSON_AddItemToArray(arr, js);
        } else {
            clock_duration_text(m->a.load_s[s - 1], t1, sizeof t1);
            fprintf(out, "\nshard %d of %d: %zu point(s), estimated %s\n", s, m->n_shards, n_here, t1);
        }
        for (size_t i = 0; i < m->a.n_pieces; i++) {
            const struct plan_shard_piece *pc = &m->a.pieces[i];
            if (pc->shard != s)
                continue;
            const struct run_point *pt = &o->points[pc->point];
            long long samples = piece_samples(m, o, pc);
            if (json) {
                cJSON *e = cJSON_CreateObject();
                cJSON_AddNumberToObject(e, "point", (double)pc->point + 1);
                cJSON_AddStringToObject(e, "label", pt->label);
                cJSON_AddNumberToObject(e, "chunk", pc->chunk + 1);
                cJSON_AddNumberToObject(e, "chunks", pc->n_chunks);
                cJSON_AddNumberToObject(e, "samples", (double)samples);
                cJSON_AddNumberToObject(e, "estimate_s", pc->cost_s);
                if (pt->skip_reason)
                    cJSON_AddStringToObject(e, "skipped", pt->skip_reason);
                cJSON_AddItemToArray(jp, e);
                continue;
            }
            clock_duration_text(pc->cost_s, t1, sizeof t1);
            fprintf(out, "  %zu. %s: %lld samples, %s", pc->point + 1, pt->label, samples, t1);
            if (pc->n_chunks > 1)
                fprintf(out, " (items chunk %d of %d)", pc->chunk + 1, pc->n_chunks);
            if (pt->skip_reason)
                fprintf(out, " SKIPPED: %s", pt->skip_reason);
            fputc('\n', out);
        }
    }
    if (json) {
        char *text = cJSON_Print(root);
        fprintf(out, "%s\n", text);
        cJSON_free(text);
        cJSON_Delete(root);
    }
}

int run_shards_dry_run(const struct run_config *c, const struct run_points *pts, struct suite *const *suites,
                       size_t n_suites, int json, FILE *out, struct bai_error *err)
{
    struct run_options o = { .cfg = c, .suites = (struct suite **)suites, .n_suites = n_suites,
                             .points = pts->points, .n_points = pts->n_points, .plan = pts->plan };
    struct run_shards m;
    if (run_shards_build(&o, pts->plan, c->shard_n, c->split_above, &m, err) != 0)
        return -1;
    run_shards_print(&m, &o, c->shard_i, json, out);
    if (c->shard_i > 0 && !json) {
        /* the command lines of this shard's points, as a plain dry run shows them */
        struct run_points mine = *pts;
        mine.points = xcalloc(pts->n_points + 1, sizeof *mine.points);
        mine.n_points = 0;
        for (size_t p = 0; p < pts->n_points; p++)
            if (run_shards_point_on(&m, p, c->shard_i))
                mine.points[mine.n_points++] = pts->points[p];
        mine.estimate_s = m.a.load_s[c->shard_i - 1];
        fprintf(out, "\n");
        run_points_print(&mine, suites, n_suites, c, out);
        free(mine.points);
    }
    run_shards_free(&m);
    return 0;
}
