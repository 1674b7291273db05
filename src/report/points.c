/* points.c - store -> report points (see points.h for the counting rules). */
#include "report/points.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats/stats.h"
#include "util/mem.h"

static char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t ? xstrdup((const char *)t) : NULL;
}

static double col_num(sqlite3_stmt *s, int i)
{
    return sqlite3_column_type(s, i) == SQLITE_NULL ? NAN : sqlite3_column_double(s, i);
}

static int db_fail(struct sqlite3 *db, const char *what, struct bai_error *err)
{
    bai_error_set(err, BAI_EXIT_STORE, "store: %s: %s", what, sqlite3_errmsg(db));
    return -1;
}

static int suite_wanted(const struct report_filter *f, const char *name)
{
    if (!f || !f->n_suites)
        return 1;
    for (size_t i = 0; i < f->n_suites; i++)
        if (!strcmp(f->suites[i], name))
            return 1;
    return 0;
}

static double file_gb(const char *path)
{
    struct stat sb;
    if (!path || !*path || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
        return NAN;
    return (double)sb.st_size / 1e9;
}

/* Growable per-suite accumulator while reading one config's samples. */
struct tier_acc {
    int tier;
    int64_t n, passed;
    double sum;
    double *vals;
    size_t nv, cap;
    int binary;
};

struct suite_acc {
    struct report_suite_score sc;
    struct tier_acc *tiers;
    size_t n_tiers;
    double *vals;
    size_t nv, cap;
    int binary;
    int pass_fail;                       /* every scored sample has passed 0/1 */
    struct report_passk_counts counted;  /* per item: counted samples, passes */
    struct report_passk_counts all;      /* per item: any sample (for n_items) */
};

static void tier_add(struct suite_acc *a, int tier, double v, int passed)
{
    if (tier <= 0)
        return;
    size_t i = 0;
    while (i < a->n_tiers && a->tiers[i].tier != tier)
        i++;
    if (i == a->n_tiers) {
        a->tiers = xrealloc(a->tiers, (a->n_tiers + 1) * sizeof *a->tiers);
        memset(&a->tiers[i], 0, sizeof a->tiers[i]);
        a->tiers[i].tier = tier;
        a->tiers[i].binary = 1;
        a->n_tiers++;
    }
    struct tier_acc *t = &a->tiers[i];
    t->n++;
    t->sum += v;
    t->passed += passed;
    if (v != 0.0 && v != 1.0)
        t->binary = 0;
    XGROW(t->vals, t->nv + 1, t->cap);
    t->vals[t->nv++] = v;
}

static int cmp_tier(const void *a, const void *b)
{
    return ((const struct report_tier_score *)a)->tier - ((const struct report_tier_score *)b)->tier;
}

static void tiers_finish(struct suite_acc *a)
{
    struct report_suite_score *s = &a->sc;
    s->tiers = a->n_tiers ? xcalloc(a->n_tiers, sizeof *s->tiers) : NULL;
    s->n_tiers = a->n_tiers;
    for (size_t i = 0; i < a->n_tiers; i++) {
        struct tier_acc *t = &a->tiers[i];
        struct report_score f;
        report_score_figures(t->vals, t->nv, t->binary, (size_t)llround(t->sum), &f);
        s->tiers[i] = (struct report_tier_score){ .tier = t->tier, .n = t->n, .passed = t->passed,
                                                  .sum = t->sum, .mean = f.mean, .lo = f.lo, .hi = f.hi };
        free(t->vals);
    }
    if (s->n_tiers > 1)
        qsort(s->tiers, s->n_tiers, sizeof *s->tiers, cmp_tier);
    free(a->tiers);
    a->tiers = NULL;
    a->n_tiers = 0;
}

static void suite_finish(struct suite_acc *a)
{
    struct report_suite_score *s = &a->sc;
    tiers_finish(a);
    s->mean = s->lo = s->hi = NAN;
    s->n_items = (int64_t)a->all.len;
    if (a->pass_fail)
        s->has_passk = report_passk_compute(a->counted.n, a->counted.passed, a->counted.len,
                                            &s->passk);
    report_passk_counts_free(&a->counted);
    report_passk_counts_free(&a->all);
    if (s->n == 0)
        return;
    struct report_score f;
    report_score_figures(a->vals, a->nv, a->binary, (size_t)llround(s->sum), &f);
    s->mean = f.mean;
    s->lo = f.lo;
    s->hi = f.hi;
}

static int load_samples(struct sqlite3 *db, const struct report_filter *f, struct report_point *p,
                        struct bai_error *err)
{
    /* One score per sample: the named scorer when the filter gives one,
     * else the first scorer by name (the primary key makes both lookups). */
    static const char *sql =
        "SELECT su.name, su.version, s.status, s.gen_tps, s.ttft_ms, s.e2e_ms,"
        " s.draft_n, s.draft_accepted, sc.value, sc.passed, sc.status, s.item_id, su.n_items,"
        " s.prompt_tps, s.tier"
        " FROM samples s JOIN suites su ON su.id = s.suite_id"
        " LEFT JOIN scores sc ON sc.sample_id = s.id AND sc.scorer ="
        "  coalesce(?3, (SELECT min(x.scorer) FROM scores x WHERE x.sample_id = s.id))"
        " WHERE s.run_id = ?1 AND s.config_id = ?2 AND s.warmup = 0"
        " ORDER BY su.name, su.version, s.item_id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, "reading samples", err);
    sqlite3_bind_text(st, 1, p->run_id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, p->config_id);
    if (f && f->scorer)
        sqlite3_bind_text(st, 3, f->scorer, -1, SQLITE_STATIC);

    struct suite_acc *acc = NULL;
    size_t nacc = 0, capacc = 0;
    double *tps = NULL, *ttft = NULL, *e2e = NULL, *ptps = NULL;
    size_t ntps = 0, cap_tps = 0, nttft = 0, cap_ttft = 0, ne2e = 0, cap_e2e = 0, nptps = 0, cap_ptps = 0;
    double drafted = 0, accepted = 0;
    int64_t nspeed = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *suite = (const char *)sqlite3_column_text(st, 0);
        if (!suite || !suite_wanted(f, suite))
            continue;
        int version = sqlite3_column_int(st, 1);
        const char *status = (const char *)sqlite3_column_text(st, 2);
        int ok = !status || !strcmp(status, "ok");
        if (ok) {
            nspeed++;
            double v = col_num(st, 3);
            if (!isnan(v) && v > 0) {
                XGROW(tps, ntps + 1, cap_tps);
                tps[ntps++] = v;
            }
            v = col_num(st, 4);
            if (!isnan(v) && v >= 0) {
                XGROW(ttft, nttft + 1, cap_ttft);
                ttft[nttft++] = v;
            }
            v = col_num(st, 5);
            if (!isnan(v) && v >= 0) {
                XGROW(e2e, ne2e + 1, cap_e2e);
                e2e[ne2e++] = v;
            }
            v = col_num(st, 13);
            if (!isnan(v) && v > 0) {
                XGROW(ptps, nptps + 1, cap_ptps);
                ptps[nptps++] = v;
            }
            double dn = col_num(st, 6), da = col_num(st, 7);
            if (!isnan(dn) && dn > 0 && !isnan(da) && da >= 0) {
                drafted += dn;
                accepted += da;
            }
        }
        int has_score = sqlite3_column_type(st, 10) != SQLITE_NULL;
        if (!has_score && ok)
            continue;                              /* a speed-only sample */
        struct suite_acc *a = nacc ? &acc[nacc - 1] : NULL;
        if (!a || strcmp(a->sc.suite, suite) || a->sc.version != version) {
            XGROW(acc, nacc + 1, capacc);
            a = &acc[nacc++];
            memset(a, 0, sizeof *a);
            a->sc.suite = xstrdup(suite);
            a->sc.version = version;
            a->sc.suite_items = sqlite3_column_int64(st, 12);   /* NULL reads 0 */
            a->binary = a->pass_fail = 1;
        }
        const char *item = (const char *)sqlite3_column_text(st, 11);
        report_passk_count(&a->all, item ? item : "", 0);
        const char *sstat = has_score ? (const char *)sqlite3_column_text(st, 10) : "error";
        if (!ok || !sstat || !strcmp(sstat, "error")) {
            a->sc.n_error++;
            continue;
        }
        double v = col_num(st, 8);
        if (isnan(v))
            v = 0;
        int unparsed = !strcmp(sstat, "unparsed");
        a->sc.n_unparsed += unparsed;
        if (sqlite3_column_int(st, 9) == 1)
            a->sc.passed++;
        if (!unparsed && sqlite3_column_type(st, 9) == SQLITE_NULL)
            a->pass_fail = 0;
        report_passk_count(&a->counted, item ? item : "",
                           !unparsed && sqlite3_column_int(st, 9) == 1);
        if (v != 0.0 && v != 1.0)
            a->binary = 0;
        tier_add(a, sqlite3_column_int(st, 14), v, !unparsed && sqlite3_column_int(st, 9) == 1);
        a->sc.n++;
        a->sc.sum += v;
        XGROW(a->vals, a->nv + 1, a->cap);
        a->vals[a->nv++] = v;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        for (size_t i = 0; i < nacc; i++) {
            free(acc[i].sc.suite);
            free(acc[i].vals);
            for (size_t k = 0; k < acc[i].n_tiers; k++)
                free(acc[i].tiers[k].vals);
            free(acc[i].tiers);
            report_passk_counts_free(&acc[i].counted);
            report_passk_counts_free(&acc[i].all);
        }
        free(acc);
        free(tps);
        free(ttft);
        free(e2e);
        free(ptps);
        return db_fail(db, "reading samples", err);
    }

    p->suites = nacc ? xcalloc(nacc, sizeof *p->suites) : NULL;
    p->n_suites = nacc;
    for (size_t i = 0; i < nacc; i++) {
        suite_finish(&acc[i]);
        p->suites[i] = acc[i].sc;
        free(acc[i].vals);
    }
    free(acc);

    report_speed_figures(tps, ntps, ttft, nttft, e2e, ne2e, drafted, accepted, &p->speed);
    p->speed.n = nspeed;
    report_median_figures(ptps, nptps, &p->prompt_tps);
    free(ptps);
    free(tps);
    free(ttft);
    free(e2e);
    return 0;
}

static void point_clear(struct report_point *p)
{
    free(p->run_started);
    free(p->label);
    free(p->model);
    free(p->draft);
    free(p->params_json);
    free(p->backend);
    free(p->status);
    free(p->reason);
    free(p->name);
    for (size_t i = 0; i < p->n_suites; i++) {
        free(p->suites[i].suite);
        free(p->suites[i].tiers);
    }
    free(p->suites);
    memset(p, 0, sizeof *p);
}

void report_points_free(struct report_points *pts)
{
    for (size_t i = 0; i < pts->n; i++)
        point_clear(&pts->v[i]);
    free(pts->v);
    pts->v = NULL;
    pts->n = 0;
}

static int run_wanted(const struct report_filter *f, const char *run)
{
    if (!f || !f->n_runs)
        return 1;
    for (size_t i = 0; i < f->n_runs; i++)
        if (!strcmp(f->runs[i], run))
            return 1;
    return 0;
}

static int same_config(const struct report_point *a, const struct report_point *b)
{
    return !strcmp(a->model ? a->model : "", b->model ? b->model : "") &&
           !strcmp(a->label ? a->label : "", b->label ? b->label : "");
}

/* Keeps, for each (model, label), the point of the newest run. Points are in
 * run start order, so a later point with the same key replaces an earlier. */
static void keep_latest(struct report_points *pts)
{
    size_t w = 0;
    for (size_t i = 0; i < pts->n; i++) {
        int newer = 0;
        for (size_t j = i + 1; j < pts->n && !newer; j++)
            newer = same_config(&pts->v[i], &pts->v[j]) && strcmp(pts->v[j].run_id, pts->v[i].run_id);
        if (newer)
            point_clear(&pts->v[i]);
        else
            pts->v[w++] = pts->v[i];
    }
    pts->n = w;
}

int report_points_load(struct sqlite3 *db, const struct report_filter *f,
                       struct report_points *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    static const char *sql =
        "SELECT c.run_id, r.started, c.id, c.label, c.model, c.draft, c.params_json,"
        " c.backend, c.status, c.reason"
        " FROM configs c JOIN runs r ON r.id = c.run_id"
        " ORDER BY r.started, c.run_id, c.id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, "listing configs", err);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *run = (const char *)sqlite3_column_text(st, 0);
        if (!run || !run_wanted(f, run))
            continue;
        XGROW(out->v, out->n + 1, cap);
        struct report_point *p = &out->v[out->n++];
        memset(p, 0, sizeof *p);
        strncpy(p->run_id, run, sizeof p->run_id - 1);
        p->run_started = col_text(st, 1);
        p->config_id = sqlite3_column_int64(st, 2);
        p->label = col_text(st, 3);
        p->model = col_text(st, 4);
        p->draft = col_text(st, 5);
        p->params_json = col_text(st, 6);
        p->backend = col_text(st, 7);
        p->status = col_text(st, 8);
        p->reason = col_text(st, 9);
        p->name = store_model_name(p->backend, p->model);
        p->size_gb = file_gb(p->model);
        if (p->draft && *p->draft && !isnan(p->size_gb))
            p->size_gb += isnan(file_gb(p->draft)) ? 0 : file_gb(p->draft);
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        report_points_free(out);
        return db_fail(db, "listing configs", err);
    }
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        if (load_samples(db, f, &out->v[i], err) != 0) {
            for (size_t j = i; j < out->n; j++)
                point_clear(&out->v[j]);
            out->n = w;
            report_points_free(out);
            return -1;
        }
        struct report_point *p = &out->v[i];
        if (report_resources_load(db, p->config_id, &p->res, err) != 0) {
            for (size_t j = i; j < out->n; j++)
                point_clear(&out->v[j]);
            out->n = w;
            report_points_free(out);
            return -1;
        }
        if (!(f && f->include_empty) && p->n_suites == 0 && p->speed.n == 0)
            point_clear(p);
        else
            out->v[w++] = *p;
    }
    out->n = w;
    if (f && f->latest_per_config)
        keep_latest(out);
    return 0;
}

const struct report_suite_score *report_point_suite(const struct report_point *p,
                                                    const char *suite)
{
    for (size_t i = 0; i < p->n_suites; i++)
        if (!strcmp(p->suites[i].suite, suite))
            return &p->suites[i];
    return NULL;
}

int report_point_quality(const struct report_point *p, const char *const *suites,
                         const double *weights, size_t n, struct report_quality *out,
                         const char **missing)
{
    out->mean = out->lo = out->hi = NAN;
    out->n = 0;
    out->sum = 0;
    double wsum = 0, acc = 0, var = 0;
    for (size_t i = 0; i < n; i++) {
        const struct report_suite_score *s = report_point_suite(p, suites[i]);
        if (!s || s->n == 0) {
            if (missing)
                *missing = suites[i];
            return -1;
        }
        double w = weights ? weights[i] : (double)s->n;
        wsum += w;
        acc += w * s->mean;
        out->n += s->n;
        out->sum += s->sum;
    }
    if (n == 0 || wsum <= 0) {
        if (missing)
            *missing = NULL;
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const struct report_suite_score *s = report_point_suite(p, suites[i]);
        double w = (weights ? weights[i] : (double)s->n) / wsum;
        double se = (s->hi - s->lo) / (2 * STATS_Z95);
        var += w * w * se * se;
    }
    out->mean = acc / wsum;
    if (n == 1) {
        const struct report_suite_score *s = report_point_suite(p, suites[0]);
        out->lo = s->lo;
        out->hi = s->hi;
    } else {
        double half = STATS_Z95 * sqrt(var);
        out->lo = fmax(0.0, out->mean - half);
        out->hi = fmin(1.0, out->mean + half);
    }
    return 0;
}

int report_point_tier(const struct report_point *p, const char *const *suites, size_t n, int tier,
                      struct report_tier_score *out)
{
    memset(out, 0, sizeof *out);
    out->tier = tier;
    out->mean = out->lo = out->hi = NAN;
    double var = 0;
    size_t parts = 0;
    const struct report_tier_score *only = NULL;
    for (size_t i = 0; i < p->n_suites; i++) {
        const struct report_suite_score *s = &p->suites[i];
        int wanted = n == 0;
        for (size_t k = 0; k < n && !wanted; k++)
            wanted = !strcmp(suites[k], s->suite);
        if (!wanted)
            continue;
        for (size_t k = 0; k < s->n_tiers; k++) {
            const struct report_tier_score *t = &s->tiers[k];
            if (t->tier != tier || t->n == 0)
                continue;
            out->n += t->n;
            out->passed += t->passed;
            out->sum += t->sum;
            double se = (t->hi - t->lo) / (2 * STATS_Z95);
            var += (double)t->n * (double)t->n * se * se;
            parts++;
            only = t;
        }
    }
    if (out->n == 0)
        return -1;
    out->mean = out->sum / (double)out->n;
    if (parts == 1) {
        out->lo = only->lo;
        out->hi = only->hi;
    } else {
        /* item-weighted across suites, as report_point_quality combines them */
        double half = STATS_Z95 * sqrt(var) / (double)out->n;
        out->lo = fmax(0.0, out->mean - half);
        out->hi = fmin(1.0, out->mean + half);
    }
    return 0;
}

void report_point_overall(const struct report_point *p, struct report_quality *out)
{
    const char **names = xcalloc(p->n_suites ? p->n_suites : 1, sizeof *names);
    size_t k = 0;
    for (size_t i = 0; i < p->n_suites; i++)
        if (p->suites[i].n > 0)
            names[k++] = p->suites[i].suite;
    if (report_point_quality(p, names, NULL, k, out, NULL) != 0) {
        out->mean = out->lo = out->hi = NAN;
        out->n = 0;
        out->sum = 0;
    }
    free(names);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

const char **report_points_suites(const struct report_points *pts, size_t *n_out)
{
    const char **names = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < pts->n; i++)
        for (size_t j = 0; j < pts->v[i].n_suites; j++) {
            const char *s = pts->v[i].suites[j].suite;
            if (pts->v[i].suites[j].n == 0)
                continue;
            int seen = 0;
            for (size_t k = 0; k < n && !seen; k++)
                seen = !strcmp(names[k], s);
            if (!seen) {
                XGROW(names, n + 1, cap);
                names[n++] = s;
            }
        }
    if (n)
        qsort(names, n, sizeof *names, cmp_str);
    *n_out = n;
    return names;
}

char *report_point_title(const struct report_point *p)
{
    if (p->label && *p->label && strstr(p->label, p->name))
        return xstrdup(p->label);          /* "tiny-dense k=4" already says it */
    struct buf b = {0};
    buf_puts(&b, p->name);
    if (p->draft && *p->draft) {
        char *d = store_model_name("llama-server", p->draft);
        buf_printf(&b, " + %s", d);
        free(d);
    }
    if (p->label && *p->label && strcmp(p->label, p->name))
        buf_printf(&b, " [%s]", p->label);
    return buf_detach(&b);
}
