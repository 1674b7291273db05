/* figures.c - see figures.h. */
#include "report/figures.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "score/registry.h"
#include "stats/stats.h"
#include "store/store.h"
#include "util/mem.h"

const char report_exclude_failed_note[] = "failed and timed-out samples excluded (--exclude-failed)";

int report_sample_worth(enum report_outcome o, int graded, double value, int passed, int exclude_failed,
                        double *worth, int *pass)
{
    *worth = 0;
    *pass = 0;
    switch (o) {
    case REPORT_SCORED:
        *pass = passed < 0 ? -1 : passed != 0;
        *worth = graded || passed < 0 ? value : (double)(passed != 0);
        return 1;
    case REPORT_UNPARSED:
        return 1;
    case REPORT_ERROR:
    case REPORT_TIMEOUT:
        return !exclude_failed;
    case REPORT_SCORE_ERROR:
        break;
    }
    return 0;
}

int report_scorer_graded(const char *stored_name, const double *values, const int *passed, size_t n)
{
    int g = score_graded(stored_name);
    if (g >= 0)
        return g;
    for (size_t i = 0; i < n; i++)
        if ((values[i] != 0.0 && values[i] != 1.0) || (passed && passed[i] >= 0 && values[i] != (double)passed[i]))
            return 1;
    return 0;
}

const char *report_scorer_family(const char *stored_name, char *buf, size_t size)
{
    size_t len = strcspn(stored_name ? stored_name : "", ":");
    snprintf(buf, size, "%.*s", (int)len, stored_name ? stored_name : "");
    return buf;
}

void report_score_compute(const char *scorer, int graded, const enum report_outcome *outcome,
                          const double *value, const int *passed, const size_t *items, size_t n,
                          const struct report_rules *rules, struct report_score *out)
{
    memset(out, 0, sizeof *out);
    out->scorer = scorer;
    out->exclude_failed = rules && rules->exclude_failed;
    out->score = out->lo = out->hi = out->pass_rate = out->pass_lo = out->pass_hi = NAN;
    if (graded < 0) {
        struct dvec v = {0};
        int *p = xcalloc(n ? n : 1, sizeof *p);
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
            if (outcome[i] == REPORT_SCORED) {
                dvec_push(&v, value[i]);
                p[k++] = passed[i];
            }
        graded = report_scorer_graded(scorer, v.v, p, v.n);
        free(v.v);
        free(p);
    }
    out->graded = graded;
    double *worth = xcalloc(n ? n : 1, sizeof *worth);
    struct report_passk_counts pc = {0};
    int all_pass_fail = 1, binary_worth = 1;
    for (size_t i = 0; i < n; i++) {
        switch (outcome[i]) {
        case REPORT_SCORED: out->n_scored++; break;
        case REPORT_UNPARSED: out->n_unparsed++; break;
        case REPORT_SCORE_ERROR: out->n_score_errors++; break;
        case REPORT_ERROR: out->n_errors++; break;
        case REPORT_TIMEOUT: out->n_timeouts++; break;
        }
        double w;
        int pass;
        if (!report_sample_worth(outcome[i], graded, value[i], passed[i], out->exclude_failed, &w, &pass))
            continue;
        worth[out->n++] = w;
        out->sum += w;
        binary_worth &= w == 0.0 || w == 1.0;
        if (pass >= 0) {
            out->pass_n++;
            out->passed += (size_t)pass;
        } else {
            all_pass_fail = 0;
        }
        char item[32];
        snprintf(item, sizeof item, "%zu", items ? items[i] : i);
        report_passk_count(&pc, item, pass == 1);
    }
    if (out->n) {
        if (!graded && binary_worth) {
            out->score = 100.0 * out->sum / (double)out->n;
            stats_wilson((int64_t)llround(out->sum), (int64_t)out->n, STATS_Z95, &out->lo, &out->hi);
            out->lo *= 100.0;
            out->hi *= 100.0;
            out->method = "wilson";
        } else {
            double mean;
            stats_mean_sd(worth, out->n, &mean, NULL);
            out->score = 100.0 * mean;
            if (stats_bootstrap_mean_ci(worth, out->n, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, &out->lo,
                                        &out->hi) == 0) {
                out->lo *= 100.0;
                out->hi *= 100.0;
            } else {
                out->lo = out->hi = NAN;
            }
            out->method = "bootstrap";
        }
    }
    if (out->pass_n) {
        out->pass_rate = 100.0 * (double)out->passed / (double)out->pass_n;
        stats_wilson((int64_t)out->passed, (int64_t)out->pass_n, STATS_Z95, &out->pass_lo, &out->pass_hi);
        out->pass_lo *= 100.0;
        out->pass_hi *= 100.0;
    }
    if (out->n && all_pass_fail)
        out->has_passk = report_passk_compute(pc.n, pc.passed, pc.len, &out->passk);
    report_passk_counts_free(&pc);
    free(worth);
}

void report_group_score(const struct store_group *g, size_t k, const struct report_rules *rules,
                        struct report_score *out)
{
    report_group_tier_score(g, k, 0, rules, out);
}

void report_group_tier_score(const struct store_group *g, size_t k, int tier, const struct report_rules *rules,
                             struct report_score *out)
{
    const struct store_group_score *sc = &g->scores[k];
    size_t n = g->n_samples;
    enum report_outcome *outcome = xcalloc(n ? n : 1, sizeof *outcome);
    double *value = xcalloc(n ? n : 1, sizeof *value);
    int *passed = xcalloc(n ? n : 1, sizeof *passed);
    size_t *items = xcalloc(n ? n : 1, sizeof *items);
    size_t m = 0, missing = 0, row = 0;
    for (size_t i = 0; i < n; i++) {
        while (row < sc->n_rows && sc->sample[row] < i)
            row++;                   /* a second row for one sample cannot be: (sample, scorer) is a key */
        int has = row < sc->n_rows && sc->sample[row] == i;
        if (tier > 0 && (!g->sample_tier || g->sample_tier[i] != tier))
            continue;
        char st = g->sample_status ? g->sample_status[i] : 'o';
        enum report_outcome o;
        if (has) {
            char c = sc->status[row];
            o = c == 's' ? REPORT_SCORED : c == 'u' ? REPORT_UNPARSED : c == 'f' ? (st == 't' ? REPORT_TIMEOUT
                                                                                                : REPORT_ERROR)
                                                                     : REPORT_SCORE_ERROR;
            if (c == 'f' && st == 'o')
                o = REPORT_ERROR;    /* 'failed' on an answered sample: not what benchai writes */
            value[m] = sc->value[row];
            passed[m] = sc->passed[row];
        } else if (st == 't' || st == 'e') {
            o = st == 't' ? REPORT_TIMEOUT : REPORT_ERROR;
            passed[m] = 0;
        } else {
            missing++;
            continue;
        }
        outcome[m] = o;
        items[m] = g->sample_item ? g->sample_item[i] : i;
        m++;
    }
    report_score_compute(sc->scorer, -1, outcome, value, passed, items, m, rules, out);
    out->n_missing = missing;
    free(outcome);
    free(value);
    free(passed);
    free(items);
}

/* 1 when a sorts before b as the judge to show: newer scores first, then
 * by name. */
static int newer(const struct store_group_score *a, const struct store_group_score *b)
{
    const char *x = a->newest ? a->newest : "", *y = b->newest ? b->newest : "";
    int c = strcmp(x, y);
    return c > 0 || (c == 0 && strcmp(a->scorer, b->scorer) < 0);
}

long report_group_pick(const struct store_group *g, const struct report_rules *rules)
{
    char fam[64], want[64];
    const char *family = NULL;
    if (rules && rules->scorer) {
        for (size_t k = 0; k < g->n_scores; k++)
            if (!strcmp(g->scores[k].scorer, rules->scorer))
                return (long)k;              /* an exact stored name */
        family = rules->scorer;
    } else if (g->n_scores) {
        family = report_scorer_family(g->scores[0].scorer, want, sizeof want);   /* sorted by name */
    }
    long best = -1;
    for (size_t k = 0; family && k < g->n_scores; k++) {
        const struct store_group_score *sc = &g->scores[k];
        if (strcmp(report_scorer_family(sc->scorer, fam, sizeof fam), family))
            continue;
        if (rules && rules->judge && !strcmp(family, "judge") && !strstr(sc->scorer, rules->judge))
            continue;
        if (best < 0 || newer(sc, &g->scores[best]))
            best = (long)k;
    }
    return best;
}

void report_speed_figures(double *gen_tps, size_t n_gen, double *ttft_ms, size_t n_ttft, double *e2e_ms,
                          size_t n_e2e, double drafted, double accepted, struct report_speed *out)
{
    stats_sort(gen_tps, n_gen);
    stats_sort(ttft_ms, n_ttft);
    stats_sort(e2e_ms, n_e2e);
    /* stats_percentile and stats_mean_sd give NaN for no values */
    out->gen_tps_p50 = stats_percentile(gen_tps, n_gen, 50);
    stats_quantile_ci(gen_tps, n_gen, 50, 0.05, &out->gen_tps_lo, &out->gen_tps_hi);
    stats_mean_sd(gen_tps, n_gen, &out->gen_tps_mean, NULL);
    out->ttft_p50_ms = stats_percentile(ttft_ms, n_ttft, 50);
    stats_quantile_ci(ttft_ms, n_ttft, 50, 0.05, &out->ttft_lo_ms, &out->ttft_hi_ms);
    out->ttft_p95_ms = stats_percentile(ttft_ms, n_ttft, 95);
    out->e2e_p50_ms = stats_percentile(e2e_ms, n_e2e, 50);
    stats_quantile_ci(e2e_ms, n_e2e, 50, 0.05, &out->e2e_lo_ms, &out->e2e_hi_ms);
    out->acceptance = drafted > 0 ? accepted / drafted : NAN;
    out->ttft_p90_ms = stats_percentile(ttft_ms, n_ttft, 90);
    out->ttft_p99_ms = stats_percentile(ttft_ms, n_ttft, 99);
    out->e2e_p90_ms = stats_percentile(e2e_ms, n_e2e, 90);
    out->e2e_p95_ms = stats_percentile(e2e_ms, n_e2e, 95);
    out->e2e_p99_ms = stats_percentile(e2e_ms, n_e2e, 99);
}

void report_median_figures(const double *v, size_t n, struct report_median *out)
{
    out->value = out->lo = out->hi = NAN;
    out->n = n;
    if (n == 0)
        return;
    if (n == 1) {
        out->value = v[0];
        return;
    }
    if (stats_bootstrap_percentile_ci(v, n, 50, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05, &out->value,
                                      &out->lo, &out->hi) != 0)
        out->lo = out->hi = NAN;
}

void report_speedup_figures(const double *a, size_t na, const double *b, size_t nb, struct report_median *out)
{
    out->value = out->lo = out->hi = NAN;
    out->n = nb;
    if (na == 0 || nb == 0)
        return;
    if (stats_bootstrap_ratio_ci(a, NULL, na, b, NULL, nb, 50, REPORT_BOOT_RESAMPLES, REPORT_BOOT_SEED, 0.05,
                                 &out->value, &out->lo, &out->hi) != 0) {
        out->lo = out->hi = NAN;
        if (na && nb) {
            double *sa = xmalloc(na * sizeof *sa), *sb = xmalloc(nb * sizeof *sb);
            memcpy(sa, a, na * sizeof *sa);
            memcpy(sb, b, nb * sizeof *sb);
            stats_sort(sa, na);
            stats_sort(sb, nb);
            double ma = stats_percentile(sa, na, 50), mb = stats_percentile(sb, nb, 50);
            out->value = ma != 0 ? mb / ma : NAN;
            free(sa);
            free(sb);
        }
    }
    /* one sample on a side: a ratio, but nothing to resample */
    if (na < 2 || nb < 2)
        out->lo = out->hi = NAN;
}

const char *report_speed_source(size_t n_server, size_t n_usage, size_t n_chunks)
{
    int kinds = (n_server > 0) + (n_usage > 0) + (n_chunks > 0);
    if (kinds > 1)
        return "mixed";
    return n_server ? "server" : n_usage ? "usage" : n_chunks ? "chunks" : NULL;
}

void report_group_speed(struct store_group *g, struct report_speed *out)
{
    report_speed_figures(g->gen_tps, g->n_gen_tps, g->ttft_ms, g->n_ttft_ms, g->e2e_ms, g->n_e2e_ms,
                         (double)g->draft_n, (double)g->draft_accepted, out);
    out->n = (int64_t)(g->n_samples - g->n_errors - g->n_timeouts);
}

void report_fmt_pct(double pct, char *buf, size_t size)
{
    if (isnan(pct))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "%.1f", pct);
}

void report_fmt_ci(double lo, double hi, char *buf, size_t size)
{
    if (isnan(lo) || isnan(hi))
        snprintf(buf, size, "-");
    else
        snprintf(buf, size, "[%.1f, %.1f]", lo, hi);
}

void report_fmt_with_ci(double v, double lo, double hi, const char *fmt, char *buf, size_t size)
{
    if (isnan(v)) {
        snprintf(buf, size, "-");
        return;
    }
    int len = snprintf(buf, size, fmt, v);
    if (!isnan(lo) && !isnan(hi) && len > 0 && (size_t)len < size) {
        char a[32], b[32];
        snprintf(a, sizeof a, fmt, lo);
        snprintf(b, sizeof b, fmt, hi);
        snprintf(buf + len, size - (size_t)len, " [%s, %s]", a, b);
    }
}
