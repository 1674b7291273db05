/* select.c - per role: constraints, readiness per tier, budgets, the -np
 * rule, ranking, runner-up and margin; pools of roles within one budget;
 * and what bound each choice. */
#include "report/roles.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "report/sweep.h"
#include "util/mem.h"

/* Bit i of report_candidate.failed. */
enum {
    C_SUITES, C_MIN_SCORE, C_TIERS, C_MIN_TPS, C_LATENCY, C_SIZE, C_MEMORY, C_GPU, C_NP, C__COUNT
};
const char *const report_constraint_names[] = {
    "no score on the role's suites", "min_score", "tiers", "min_tps", "latency", "max_size_gb", "budget memory_gb",
    "budget gpu_gb", "np_p95_limit",
};
_Static_assert(sizeof report_constraint_names / sizeof report_constraint_names[0] == C__COUNT,
               "one name per constraint");

size_t report_constraint_count(void)
{
    return C__COUNT;
}

static const char *const lat_name[REPORT_LAT_N] = { "TTFT", "E2E" };
static const int lat_pct[REPORT_LAT_NP] = { 50, 90, 95, 99 };

static double point_latency(const struct report_point *p, int metric, int pct)
{
    const struct report_speed *s = &p->speed;
    if (metric == REPORT_LAT_TTFT)
        return pct == REPORT_LAT_P50 ? s->ttft_p50_ms : pct == REPORT_LAT_P90 ? s->ttft_p90_ms
             : pct == REPORT_LAT_P95 ? s->ttft_p95_ms : s->ttft_p99_ms;
    return pct == REPORT_LAT_P50 ? s->e2e_p50_ms : pct == REPORT_LAT_P90 ? s->e2e_p90_ms
         : pct == REPORT_LAT_P95 ? s->e2e_p95_ms : s->e2e_p99_ms;
}

static int set(double v)
{
    return !isnan(v) && v > 0;
}

static void why(struct report_candidate *c, struct buf *b, int bit, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void why(struct report_candidate *c, struct buf *b, int bit, const char *fmt, ...)
{
    if (b->len)
        buf_puts(b, "; ");
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
    c->failed |= 1u << bit;
}

static void judge(const struct report_role *role, double np_limit, struct report_candidate *c)
{
    struct buf w = {0};
    const char *missing = NULL;
    if (report_point_quality(c->p, (const char *const *)role->suites, role->weights, role->n_suites,
                             &c->q, &missing) != 0) {
        why(c, &w, C_SUITES, "no score on %s", missing ? missing : "its suites");
    } else if (!isnan(role->min_score_pct) && 100 * c->q.mean < role->min_score_pct) {
        why(c, &w, C_MIN_SCORE, "score %.1f%% < min %.1f%%", 100 * c->q.mean, role->min_score_pct);
    }
    for (size_t i = 0; i < role->n_tiers && !(c->failed & (1u << C_SUITES)); i++) {
        const struct report_tier_rule *rule = &role->tiers[i];
        struct report_tier_score ts;
        if (report_point_tier(c->p, (const char *const *)role->suites, role->n_suites, rule->tier, &ts) != 0)
            why(c, &w, C_TIERS, "T%d: no item of tier %d scored (rule T%d >= %g%%)", rule->tier, rule->tier,
                rule->tier, rule->min_pct);
        else if (100 * ts.mean < rule->min_pct - 1e-9)
            why(c, &w, C_TIERS, "T%d %.1f%% (%g/%lld) < %g%%", rule->tier, 100 * ts.mean, ts.sum,
                (long long)ts.n, rule->min_pct);
    }
    if (!isnan(role->min_tps)) {
        if (isnan(c->tps))
            why(c, &w, C_MIN_TPS, "no tokens/s measured");
        else if (c->tps < role->min_tps)
            why(c, &w, C_MIN_TPS, "%.1f tok/s < min %.1f", c->tps, role->min_tps);
    }
    for (int m = 0; m < REPORT_LAT_N; m++)
        for (int p = 0; p < REPORT_LAT_NP; p++) {
            double limit = m == REPORT_LAT_TTFT && p == REPORT_LAT_P50 && !isnan(role->max_ttft_ms)
                         ? role->max_ttft_ms : role->max_latency_ms[m][p];
            if (!set(limit))
                continue;
            double v = point_latency(c->p, m, p);
            if (isnan(v))
                why(c, &w, C_LATENCY, "no %s measured", lat_name[m]);
            else if (v > limit)
                why(c, &w, C_LATENCY, "%s p%d %.0f ms > max %.0f ms", lat_name[m], lat_pct[p], v, limit);
        }
    if (!isnan(role->max_size_gb)) {
        /* an unknown size cannot be shown to fit, so it does not */
        if (isnan(c->size_gb))
            why(c, &w, C_SIZE, "size unknown (model file not found)");
        else if (c->size_gb > role->max_size_gb)
            why(c, &w, C_SIZE, "size %.2f GB > max %.2f GB", c->size_gb, role->max_size_gb);
    }
    if (set(role->budget.memory_gb)) {
        if (isnan(c->memory_gb))
            why(c, &w, C_MEMORY, "memory not measured (no server start recorded)");
        else if (c->memory_gb > role->budget.memory_gb)
            why(c, &w, C_MEMORY, "memory %.2f GB > budget %g GB", c->memory_gb, role->budget.memory_gb);
    }
    if (set(role->budget.gpu_gb)) {
        if (isnan(c->gpu_gb))
            why(c, &w, C_GPU, "GPU memory not measured%s%s%s", c->p->res.gpu_note[0] ? " (" : "",
                c->p->res.gpu_note, c->p->res.gpu_note[0] ? ")" : "");
        else if (c->gpu_gb > role->budget.gpu_gb)
            why(c, &w, C_GPU, "GPU memory %.2f GB > budget %g GB", c->gpu_gb, role->budget.gpu_gb);
    }
    double limit = set(role->np_p95_limit) ? role->np_p95_limit : set(np_limit) ? np_limit : REPORT_NP_P95_LIMIT;
    if (!isnan(c->np_mult) && c->np_mult > limit + 1e-12)
        why(c, &w, C_NP, "-np: p95 E2E %.2fx np=1's > %.2gx", c->np_mult, limit);
    c->excluded = w.len ? buf_detach(&w) : NULL;
    buf_free(&w);
}

/* NaN compares as worst. Returns <0 when a is better. */
static int better_hi(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) == isnan(b) ? 0 : isnan(a) ? 1 : -1;
    return a > b ? -1 : a < b ? 1 : 0;
}

/* The role's preference alone, constraints aside. */
static int prefer_cmp(enum report_prefer prefer, const struct report_candidate *a, const struct report_candidate *b)
{
    int r;
    if (prefer == REPORT_PREFER_SPEED) {
        if ((r = better_hi(a->tps, b->tps)) || (r = better_hi(a->q.mean, b->q.mean)))
            return r;
    } else {
        if ((r = better_hi(a->q.mean, b->q.mean)) || (r = better_hi(a->tps, b->tps)) ||
            (r = -better_hi(a->ttft_ms, b->ttft_ms)))
            return r;
    }
    /* store order: the points array is in run/config order */
    return a->p < b->p ? -1 : a->p > b->p ? 1 : 0;
}

static int cmp_cand(const void *pa, const void *pb, void *arg)
{
    const struct report_candidate *a = pa, *b = pb;
    if (!a->excluded != !b->excluded)
        return a->excluded ? 1 : -1;
    return prefer_cmp(*(const enum report_prefer *)arg, a, b);
}

/* The margin between the selection and the next eligible configuration. */
static void set_margin(struct report_selection *out)
{
    const struct report_role *role = out->role;
    out->margin = NAN;
    out->margin_within_ci = 0;
    size_t next = out->chosen + 1;
    if (out->n_eligible == 0 || next >= out->n_eligible)
        return;
    const struct report_candidate *a = &out->c[out->chosen], *b = &out->c[next];
    if (role->prefer == REPORT_PREFER_SPEED)
        out->margin = b->tps > 0 ? 100 * (a->tps / b->tps - 1) : NAN;
    else
        out->margin = 100 * (a->q.mean - b->q.mean);
    out->margin_within_ci = !isnan(a->q.lo) && !isnan(b->q.hi) && a->q.lo <= b->q.hi && b->q.lo <= a->q.hi;
}

/* What bound the choice: the constraints that excluded configurations the
 * role's preference ranks above the one chosen (all of them when none is
 * chosen), with how many each excluded, and the pool when it moved it. */
static void set_bound_by(struct report_selection *out)
{
    free(out->bound_by);
    size_t counts[C__COUNT] = {0};
    const struct report_candidate *chosen = out->n_eligible ? &out->c[out->chosen] : NULL;
    for (size_t i = 0; i < out->n; i++) {
        const struct report_candidate *c = &out->c[i];
        if (!c->excluded || (chosen && prefer_cmp(out->role->prefer, c, chosen) >= 0))
            continue;
        for (int b = 0; b < C__COUNT; b++)
            counts[b] += (c->failed >> b) & 1u;
    }
    struct buf b = {0};
    for (int k = 0; k < C__COUNT; k++)
        if (counts[k])
            buf_printf(&b, "%s%s (%zu %s)", b.len ? ", " : "", report_constraint_names[k], counts[k],
                       !chosen ? "excluded" : counts[k] == 1 ? "better config excluded" : "better configs excluded");
    if (out->pool)
        buf_printf(&b, "%spool %s budget", b.len ? ", " : "", out->pool->name);
    if (!b.len)
        buf_puts(&b, chosen ? "nothing: the best configuration by the role's preference meets every constraint"
                            : "nothing stored");
    out->bound_by = buf_detach(&b);
}

void report_select_np(const struct report_role *role, const struct report_points *pts, double np_limit,
                      struct report_selection *out)
{
    memset(out, 0, sizeof *out);
    out->role = role;
    out->margin = NAN;
    out->c = xcalloc(pts->n ? pts->n : 1, sizeof *out->c);
    out->n = pts->n;
    double *mult = xcalloc(pts->n + 1, sizeof *mult);
    report_np_multipliers(pts, mult);
    for (size_t i = 0; i < pts->n; i++) {
        struct report_candidate *c = &out->c[i];
        const struct report_point *p = &pts->v[i];
        c->p = p;
        c->tps = p->speed.gen_tps_p50;
        c->ttft_ms = p->speed.ttft_p50_ms;
        c->size_gb = p->size_gb;
        c->memory_gb = report_gb(p->res.rss_peak_bytes);
        c->gpu_gb = report_gb(p->res.gpu_bytes);
        c->np_mult = mult[i];
        judge(role, np_limit, c);
        if (!c->excluded)
            out->n_eligible++;
    }
    free(mult);
    enum report_prefer prefer = role->prefer;
    qsort_r(out->c, out->n, sizeof *out->c, cmp_cand, &prefer);
    set_margin(out);
    set_bound_by(out);
}

void report_select(const struct report_role *role, const struct report_points *pts,
                   struct report_selection *out)
{
    report_select_np(role, pts, 0, out);
}

/* --- pools ----------------------------------------------------------------------- */

struct pool_search {
    struct report_selection **sel;   /* the pool's roles' selections, in pool order */
    size_t n;
    const struct report_budget *budget;
    size_t *pick;                    /* current choice per role (index into its c) */
    size_t *best;                    /* the first complete choice found */
    int found;
};

/* Memory and GPU of the distinct points chosen for roles [0, upto). */
static void pool_use(const struct pool_search *ps, size_t upto, double *mem, double *gpu, int *unknown)
{
    *mem = *gpu = 0;
    *unknown = 0;
    for (size_t i = 0; i < upto; i++) {
        const struct report_candidate *c = &ps->sel[i]->c[ps->pick[i]];
        int dup = 0;
        for (size_t j = 0; j < i && !dup; j++)
            dup = ps->sel[j]->c[ps->pick[j]].p == c->p;
        if (dup)
            continue;
        if (set(ps->budget->memory_gb)) {
            if (isnan(c->memory_gb))
                *unknown = 1;
            else
                *mem += c->memory_gb;
        }
        if (set(ps->budget->gpu_gb)) {
            if (isnan(c->gpu_gb))
                *unknown = 1;
            else
                *gpu += c->gpu_gb;
        }
    }
}

static int fits(const struct pool_search *ps, size_t upto)
{
    double mem, gpu;
    int unknown;
    pool_use(ps, upto, &mem, &gpu, &unknown);
    return !unknown && (!set(ps->budget->memory_gb) || mem <= ps->budget->memory_gb + 1e-9) &&
           (!set(ps->budget->gpu_gb) || gpu <= ps->budget->gpu_gb + 1e-9);
}

/* Depth-first in each role's ranking order, roles in pool order: the first
 * complete assignment that fits is the one where earlier roles keep their
 * best possible choice. A partial assignment over budget is cut (memory only
 * grows as roles are added). The search is bounded: pools are a handful of
 * roles and candidates. */
static void pool_dfs(struct pool_search *ps, size_t depth, size_t *steps)
{
    if (ps->found || ++*steps > 2000000)
        return;
    if (depth == ps->n) {
        memcpy(ps->best, ps->pick, ps->n * sizeof *ps->pick);
        ps->found = 1;
        return;
    }
    const struct report_selection *s = ps->sel[depth];
    for (size_t i = 0; i < s->n_eligible && !ps->found; i++) {
        ps->pick[depth] = i;
        if (fits(ps, depth + 1))
            pool_dfs(ps, depth + 1, steps);
    }
}

static void apply_pool(const struct report_pool *pool, const struct report_roles *roles, struct report_selection *sels,
                       const int *want)
{
    struct pool_search ps = { .budget = &pool->budget };
    ps.sel = xcalloc(pool->n_roles, sizeof *ps.sel);
    for (size_t i = 0; i < pool->n_roles; i++)
        for (size_t r = 0; r < roles->n; r++)
            if (!strcmp(roles->v[r].name, pool->roles[i]) && (!want || want[r]) && sels[r].n_eligible)
                ps.sel[ps.n++] = &sels[r];
    ps.pick = xcalloc(ps.n + 1, sizeof *ps.pick);
    ps.best = xcalloc(ps.n + 1, sizeof *ps.best);
    if (fits(&ps, ps.n)) {            /* every role's own best fits: nothing to do */
        free(ps.sel);
        free(ps.pick);
        free(ps.best);
        return;
    }
    size_t steps = 0;
    pool_dfs(&ps, 0, &steps);
    double mem, gpu;
    int unknown;
    for (size_t i = 0; i < ps.n; i++) {
        struct report_selection *s = ps.sel[i];
        struct buf b = {0};
        if (!ps.found) {
            memset(ps.pick, 0, ps.n * sizeof *ps.pick);
            pool_use(&ps, ps.n, &mem, &gpu, &unknown);
            buf_printf(&b, "pool %s: the roles' best choices together need", pool->name);
            if (set(pool->budget.memory_gb))
                buf_printf(&b, " %.2f GB of memory (budget %g GB)", mem, pool->budget.memory_gb);
            if (set(pool->budget.gpu_gb))
                buf_printf(&b, "%s %.2f GB of GPU memory (budget %g GB)", set(pool->budget.memory_gb) ? "," : "", gpu,
                           pool->budget.gpu_gb);
            buf_printf(&b, "%s; no combination of eligible configurations fits: each role keeps its best",
                       unknown ? ", some not measured" : "");
        } else {
            memcpy(ps.pick, ps.best, ps.n * sizeof *ps.pick);
            pool_use(&ps, ps.n, &mem, &gpu, &unknown);
            if (ps.best[i] != 0) {
                char *best_alone = report_point_title(s->c[0].p);
                buf_printf(&b, "pool %s: its best alone (%s, %.2f GB) did not fit with the pool's other roles; ",
                           pool->name, best_alone, s->c[0].memory_gb);
                free(best_alone);
                s->chosen = ps.best[i];
                s->pool = pool;
            } else
                buf_printf(&b, "pool %s: its best fits; ", pool->name);
            buf_printf(&b, "the pool uses");
            if (set(pool->budget.memory_gb))
                buf_printf(&b, " %.2f of %g GB", mem, pool->budget.memory_gb);
            if (set(pool->budget.gpu_gb))
                buf_printf(&b, "%s %.2f of %g GB GPU", set(pool->budget.memory_gb) ? "," : "", gpu,
                           pool->budget.gpu_gb);
        }
        free(s->pool_note);
        s->pool_note = buf_detach(&b);
        set_margin(s);
        set_bound_by(s);
    }
    free(ps.sel);
    free(ps.pick);
    free(ps.best);
}

void report_select_all(const struct report_roles *roles, const struct report_points *pts, double np_limit,
                       const int *want, struct report_selection *out)
{
    for (size_t i = 0; i < roles->n; i++) {
        if (want && !want[i]) {
            memset(&out[i], 0, sizeof out[i]);
            continue;
        }
        report_select_np(&roles->v[i], pts, np_limit, &out[i]);
    }
    for (size_t k = 0; k < roles->n_pools; k++)
        apply_pool(&roles->pools[k], roles, out, want);
}

void report_selection_free(struct report_selection *sel)
{
    for (size_t i = 0; i < sel->n; i++)
        free(sel->c[i].excluded);
    free(sel->c);
    free(sel->pool_note);
    free(sel->bound_by);
    memset(sel, 0, sizeof *sel);
}

void report_selection_table(const struct report_selection *sels, size_t n, struct report_table *t)
{
    static const char *cols[] = { "role", "model", "config", "score_pct", "gen_tps", "ttft_p50_ms",
                                  "size_gb", "runner_up", "margin", "eligible", "memory_gb", "bound_by" };
    report_table_init(t, sizeof cols / sizeof cols[0], cols);
    for (size_t i = 0; i < n; i++) {
        const struct report_selection *s = &sels[i];
        if (!s->role)
            continue;
        size_t r = report_table_add_row(t);
        report_table_set(t, r, 0, s->role->name);
        report_table_cell(t, r, 0)->bold = 1;
        report_table_setf(t, r, 9, "%zu/%zu", s->n_eligible, s->n);
        report_table_set(t, r, 11, s->bound_by);
        if (!s->n_eligible) {
            report_table_set(t, r, 1, "(none satisfies the constraints)");
            continue;
        }
        const struct report_candidate *b = &s->c[s->chosen];
        report_table_set(t, r, 1, b->p->name);
        report_table_set(t, r, 2, b->p->label ? b->p->label : "");
        report_table_set_num(t, r, 3, 100 * b->q.mean, "%.1f");
        report_table_cell(t, r, 3)->bold = 1;
        report_table_set_num(t, r, 4, b->tps, "%.1f");
        if (b->tps == b->p->speed.gen_tps_p50 && !isnan(b->p->speed.gen_tps_lo))   /* p50 [95% CI] */
            report_table_setf(t, r, 4, "%.1f [%.1f, %.1f]", b->tps, b->p->speed.gen_tps_lo, b->p->speed.gen_tps_hi);
        report_table_set_num(t, r, 5, b->ttft_ms, "%.0f");
        report_table_set_num(t, r, 6, b->size_gb, "%.3g");
        report_table_set_num(t, r, 10, b->memory_gb, "%.3g");
        if (s->chosen + 1 < s->n_eligible) {
            char *ru = report_point_title(s->c[s->chosen + 1].p);
            report_table_set(t, r, 7, ru);
            free(ru);
            if (s->role->prefer == REPORT_PREFER_SPEED && isnan(s->margin))
                report_table_set(t, r, 8, "tok/s not measured");
            else if (s->role->prefer == REPORT_PREFER_SPEED)
                report_table_setf(t, r, 8, "%+.1f%% tok/s", s->margin);
            else
                report_table_setf(t, r, 8, "%+.1f pts%s", s->margin,
                                  s->margin_within_ci ? " (within CI)" : "");
        }
    }
}
