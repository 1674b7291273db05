/* select.c - per role: constraints, ranking, runner-up and margin. */
#include "report/roles.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

static void add_reason(struct buf *b, const char *fmt, double a, double c)
{
    if (b->len)
        buf_puts(b, "; ");
    buf_printf(b, fmt, a, c);
}

static void judge(const struct report_role *role, struct report_candidate *c)
{
    struct buf why = {0};
    const char *missing = NULL;
    if (report_point_quality(c->p, (const char *const *)role->suites, role->weights, role->n_suites,
                             &c->q, &missing) != 0) {
        buf_printf(&why, "no score on %s", missing ? missing : "its suites");
    } else if (!isnan(role->min_score_pct) && 100 * c->q.mean < role->min_score_pct) {
        add_reason(&why, "score %.1f%% < min %.1f%%", 100 * c->q.mean, role->min_score_pct);
    }
    if (!isnan(role->min_tps)) {
        if (isnan(c->tps))
            buf_printf(&why, "%sno tokens/s measured", why.len ? "; " : "");
        else if (c->tps < role->min_tps)
            add_reason(&why, "%.1f tok/s < min %.1f", c->tps, role->min_tps);
    }
    if (!isnan(role->max_ttft_ms)) {
        if (isnan(c->ttft_ms))
            buf_printf(&why, "%sno TTFT measured", why.len ? "; " : "");
        else if (c->ttft_ms > role->max_ttft_ms)
            add_reason(&why, "TTFT p50 %.0f ms > max %.0f ms", c->ttft_ms, role->max_ttft_ms);
    }
    if (!isnan(role->max_size_gb)) {
        /* an unknown size cannot be shown to fit, so it does not */
        if (isnan(c->size_gb))
            buf_printf(&why, "%ssize unknown (model file not found)", why.len ? "; " : "");
        else if (c->size_gb > role->max_size_gb)
            add_reason(&why, "size %.2f GB > max %.2f GB", c->size_gb, role->max_size_gb);
    }
    c->excluded = why.len ? buf_detach(&why) : NULL;
    buf_free(&why);
}

/* NaN compares as worst. Returns <0 when a is better. */
static int better_hi(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) == isnan(b) ? 0 : isnan(a) ? 1 : -1;
    return a > b ? -1 : a < b ? 1 : 0;
}

static enum report_prefer g_prefer;
static int cmp_cand(const void *pa, const void *pb)
{
    const struct report_candidate *a = pa, *b = pb;
    if (!a->excluded != !b->excluded)
        return a->excluded ? 1 : -1;
    int r;
    if (g_prefer == REPORT_PREFER_SPEED) {
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

void report_select(const struct report_role *role, const struct report_points *pts,
                   struct report_selection *out)
{
    memset(out, 0, sizeof *out);
    out->role = role;
    out->margin = NAN;
    out->c = xcalloc(pts->n ? pts->n : 1, sizeof *out->c);
    out->n = pts->n;
    for (size_t i = 0; i < pts->n; i++) {
        struct report_candidate *c = &out->c[i];
        c->p = &pts->v[i];
        c->tps = pts->v[i].speed.gen_tps_p50;
        c->ttft_ms = pts->v[i].speed.ttft_p50_ms;
        c->size_gb = pts->v[i].size_gb;
        judge(role, c);
        if (!c->excluded)
            out->n_eligible++;
    }
    g_prefer = role->prefer;
    qsort(out->c, out->n, sizeof *out->c, cmp_cand);
    if (out->n_eligible >= 2) {
        const struct report_candidate *a = &out->c[0], *b = &out->c[1];
        if (role->prefer == REPORT_PREFER_SPEED)
            out->margin = b->tps > 0 ? 100 * (a->tps / b->tps - 1) : NAN;
        else
            out->margin = 100 * (a->q.mean - b->q.mean);
        out->margin_within_ci = !isnan(a->q.lo) && !isnan(b->q.hi) && a->q.lo <= b->q.hi &&
                                b->q.lo <= a->q.hi;
    }
}

void report_selection_free(struct report_selection *sel)
{
    for (size_t i = 0; i < sel->n; i++)
        free(sel->c[i].excluded);
    free(sel->c);
    memset(sel, 0, sizeof *sel);
}

void report_selection_table(const struct report_selection *sels, size_t n, struct report_table *t)
{
    static const char *cols[] = { "role", "model", "config", "score_pct", "gen_tps", "ttft_p50_ms",
                                  "size_gb", "runner_up", "margin", "eligible" };
    report_table_init(t, sizeof cols / sizeof cols[0], cols);
    for (size_t i = 0; i < n; i++) {
        const struct report_selection *s = &sels[i];
        size_t r = report_table_add_row(t);
        report_table_set(t, r, 0, s->role->name);
        report_table_cell(t, r, 0)->bold = 1;
        report_table_setf(t, r, 9, "%zu/%zu", s->n_eligible, s->n);
        if (!s->n_eligible) {
            report_table_set(t, r, 1, "(none satisfies the constraints)");
            continue;
        }
        const struct report_candidate *b = &s->c[0];
        report_table_set(t, r, 1, b->p->name);
        report_table_set(t, r, 2, b->p->label ? b->p->label : "");
        report_table_set_num(t, r, 3, 100 * b->q.mean, "%.1f");
        report_table_cell(t, r, 3)->bold = 1;
        report_table_set_num(t, r, 4, b->tps, "%.1f");
        if (b->tps == b->p->speed.gen_tps_p50 && !isnan(b->p->speed.gen_tps_lo))   /* p50 [95% CI] */
            report_table_setf(t, r, 4, "%.1f [%.1f, %.1f]", b->tps, b->p->speed.gen_tps_lo, b->p->speed.gen_tps_hi);
        report_table_set_num(t, r, 5, b->ttft_ms, "%.0f");
        report_table_set_num(t, r, 6, b->size_gb, "%.3g");
        if (s->n_eligible >= 2) {
            char *ru = report_point_title(s->c[1].p);
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
