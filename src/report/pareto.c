/* pareto.c - points -> stats_point, marked by stats_pareto_mark; table + plot. */
#include "report/pareto.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report/plot.h"
#include "util/mem.h"

int report_xaxis_parse(const char *s, enum report_xaxis *out, struct bai_error *err)
{
    for (int x = REPORT_X_GEN_TPS; x <= REPORT_X_GPU_GB; x++)
        if (!strcmp(s, report_xaxis_name((enum report_xaxis)x))) {
            *out = (enum report_xaxis)x;
            return 0;
        }
    bai_error_set(err, BAI_EXIT_USAGE, "--x %s: expected gen_tps, ttft_p95, e2e_p50, memory_gb or gpu_gb", s);
    return -1;
}

const char *report_xaxis_name(enum report_xaxis x)
{
    switch (x) {
    case REPORT_X_GEN_TPS: return "gen_tps";
    case REPORT_X_TTFT_P95: return "ttft_p95";
    case REPORT_X_E2E_P50: return "e2e_p50";
    case REPORT_X_MEMORY_GB: return "memory_gb";
    case REPORT_X_GPU_GB: return "gpu_gb";
    }
    return "?";
}

const char *report_xaxis_label(enum report_xaxis x)
{
    switch (x) {
    case REPORT_X_GEN_TPS: return "generation speed, p50 (tokens/s)";
    case REPORT_X_TTFT_P95: return "time to first token, p95 (ms)";
    case REPORT_X_E2E_P50: return "end-to-end latency, p50 (ms)";
    case REPORT_X_MEMORY_GB: return "server memory, peak resident set (GB)";
    case REPORT_X_GPU_GB: return "GPU memory of the server (GB)";
    }
    return "?";
}

double report_point_speed(const struct report_point *p, enum report_xaxis x)
{
    switch (x) {
    case REPORT_X_GEN_TPS: return p->speed.gen_tps_p50;
    case REPORT_X_TTFT_P95: return p->speed.ttft_p95_ms;
    case REPORT_X_E2E_P50: return p->speed.e2e_p50_ms;
    case REPORT_X_MEMORY_GB: return report_gb(p->res.rss_peak_bytes);
    case REPORT_X_GPU_GB: return report_gb(p->res.gpu_bytes);
    }
    return NAN;
}

int report_pareto_build(const struct report_points *pts, const struct report_qspec *qs,
                        enum report_xaxis x, struct report_pareto *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    out->x = x;
    size_t cap = pts->n ? pts->n : 1;
    out->pt = xcalloc(cap, sizeof *out->pt);
    out->q = xcalloc(cap, sizeof *out->q);
    out->sp = xcalloc(cap, sizeof *out->sp);
    out->skipped = xcalloc(cap, sizeof *out->skipped);
    for (size_t i = 0; i < pts->n; i++) {
        const struct report_point *p = &pts->v[i];
        struct report_quality q;
        const char *missing = NULL;
        int ok;
        if (qs && qs->n)
            ok = report_point_quality(p, qs->suites, qs->weights, qs->n, &q, &missing) == 0;
        else {
            report_point_overall(p, &q);
            ok = !isnan(q.mean);
        }
        double speed = report_point_speed(p, x);
        char *title = report_point_title(p);
        if (!ok)
            out->skipped[out->n_skipped++] =
                missing ? xasprintf("%s (%s): no score on %s", title, p->run_id, missing)
                        : xasprintf("%s (%s): no scores", title, p->run_id);
        else if (isnan(speed))
            out->skipped[out->n_skipped++] =
                xasprintf("%s (%s): no %s measured", title, p->run_id, report_xaxis_name(x));
        else {
            size_t k = out->n++;
            out->pt[k] = p;
            out->q[k] = q;
            out->sp[k] = (struct stats_point){
                .quality = q.mean, .q_lo = q.lo, .q_hi = q.hi, .speed = speed,
                .higher_speed_is_better = x == REPORT_X_GEN_TPS, .dominated_by = -1,
            };
        }
        free(title);
    }
    out->n_frontier = stats_pareto_mark(out->sp, out->n);
    if (out->n_frontier < 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "pareto: inconsistent speed direction");
        report_pareto_free(out);
        return -1;
    }
    return 0;
}

void report_pareto_free(struct report_pareto *pa)
{
    for (size_t i = 0; i < pa->n_skipped; i++)
        free(pa->skipped[i]);
    free(pa->skipped);
    free(pa->pt);
    free(pa->q);
    free(pa->sp);
    memset(pa, 0, sizeof *pa);
}

/* The point's title, with its run id when another point of the frontier
 * set has the same title (the same config measured in two runs). */
static char *pt_label(const struct report_pareto *pa, size_t i)
{
    char *title = report_point_title(pa->pt[i]);
    for (size_t j = 0; j < pa->n; j++) {
        if (j == i)
            continue;
        char *other = report_point_title(pa->pt[j]);
        int same = !strcmp(title, other);
        free(other);
        if (same) {
            char *t = xasprintf("%s (%s)", title, pa->pt[i]->run_id);
            free(title);
            return t;
        }
    }
    return title;
}

/* Row order: frontier first, then dominated; within each, best speed first
 * (ctx: the struct report_pareto the indexes point into). */
static int cmp_rows(const void *a, const void *b, void *ctx)
{
    const struct report_pareto *pa = ctx;
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    const struct stats_point *p = &pa->sp[i], *q = &pa->sp[j];
    if (p->on_frontier != q->on_frontier)
        return q->on_frontier - p->on_frontier;
    if (p->speed != q->speed) {
        int faster = p->higher_speed_is_better ? p->speed > q->speed : p->speed < q->speed;
        return faster ? -1 : 1;
    }
    return i < j ? -1 : i > j ? 1 : 0;
}

void report_pareto_table(const struct report_pareto *pa, struct report_table *t)
{
    const char *cols[] = { "model", "config", "run", "score_pct", "ci_lo_pct", "ci_hi_pct", "n",
                           report_xaxis_name(pa->x), "frontier", "dominated_by", "note" };
    report_table_init(t, sizeof cols / sizeof cols[0], cols);
    size_t *order = xcalloc(pa->n ? pa->n : 1, sizeof *order);
    for (size_t i = 0; i < pa->n; i++)
        order[i] = i;
    qsort_r(order, pa->n, sizeof *order, cmp_rows, (void *)pa);
    for (size_t k = 0; k < pa->n; k++) {
        size_t i = order[k];
        const struct report_point *p = pa->pt[i];
        const struct stats_point *s = &pa->sp[i];
        size_t r = report_table_add_row(t);
        report_table_set(t, r, 0, p->name);
        report_table_set(t, r, 1, p->label ? p->label : "");
        report_table_set(t, r, 2, p->run_id);
        report_table_set_num(t, r, 3, 100 * s->quality, "%.1f");
        report_table_cell(t, r, 3)->bold = s->on_frontier;
        report_table_set_num(t, r, 4, 100 * s->q_lo, "%.1f");
        report_table_set_num(t, r, 5, 100 * s->q_hi, "%.1f");
        report_table_set_num(t, r, 6, (double)pa->q[i].n, "%.0f");
        report_table_set_num(t, r, 7, s->speed, pa->x == REPORT_X_GEN_TPS ? "%.1f"
                                              : pa->x >= REPORT_X_MEMORY_GB ? "%.3f" : "%.0f");
        /* a p50 is shown with its 95% interval (report/figures.h), as everywhere */
        if (pa->x == REPORT_X_GEN_TPS && !isnan(p->speed.gen_tps_lo))
            report_table_setf(t, r, 7, "%.1f [%.1f, %.1f]", s->speed, p->speed.gen_tps_lo, p->speed.gen_tps_hi);
        else if (pa->x == REPORT_X_E2E_P50 && !isnan(p->speed.e2e_lo_ms))
            report_table_setf(t, r, 7, "%.0f [%.0f, %.0f]", s->speed, p->speed.e2e_lo_ms, p->speed.e2e_hi_ms);
        report_table_set(t, r, 8, s->on_frontier ? "yes" : "no");
        if (s->dominated_by >= 0) {
            char *by = pt_label(pa, (size_t)s->dominated_by);
            report_table_set(t, r, 9, by);
            free(by);
            if (s->ci_overlaps)
                report_table_set(t, r, 10, "quality CI overlaps the dominating point's");
        }
    }
    free(order);
}

int report_pareto_plot(const struct report_pareto *pa, const char *out_path, const char *title,
                       struct bai_error *err)
{
    struct report_scatter_pt *sp = xcalloc(pa->n ? pa->n : 1, sizeof *sp);
    char **labels = xcalloc(pa->n ? pa->n : 1, sizeof *labels);
    for (size_t i = 0; i < pa->n; i++) {
        labels[i] = pt_label(pa, i);
        sp[i] = (struct report_scatter_pt){
            .label = labels[i], .x = pa->sp[i].speed, .y = 100 * pa->sp[i].quality,
            .y_lo = 100 * pa->sp[i].q_lo, .y_hi = 100 * pa->sp[i].q_hi,
            .frontier = pa->sp[i].on_frontier,
        };
    }
    int rc = report_plot_pareto(out_path, title, report_xaxis_label(pa->x),
                                "quality (% of max score, 95% CI)", sp, pa->n, err);
    for (size_t i = 0; i < pa->n; i++)
        free(labels[i]);
    free(labels);
    free(sp);
    return rc;
}
