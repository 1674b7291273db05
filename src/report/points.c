/* points.c - store -> report points (see points.h for the counting rules). */
#include "report/points.h"

#include <cjson/cJSON.h>
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
struct suite_acc {
    struct report_suite_score sc;
    double *vals;
    size_t nv, cap;
    int binary;
    int pass_fail;                       /* every scored sample has passed 0/1 */
    struct report_passk_counts counted;  /* per item: counted samples, passes */
    struct report_passk_counts all;      /* per item: any sample (for n_items) */
};

static void suite_finish(struct suite_acc *a)
{
    struct report_suite_score *s = &a->sc;
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
        " s.draft_n, s.draft_accepted, sc.value, sc.passed, sc.status, s.item_id, su.n_items"
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
    double *tps = NULL, *ttft = NULL, *e2e = NULL;
    size_t ntps = 0, cap_tps = 0, nttft = 0, cap_ttft = 0, ne2e = 0, cap_e2e = 0;
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
            report_passk_counts_free(&acc[i].counted);
            report_passk_counts_free(&acc[i].all);
        }
        free(acc);
        free(tps);
        free(ttft);
        free(e2e);
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
    free(p->identity);
    free(p->identity_json);
    free(p->backend);
    free(p->status);
    free(p->reason);
    free(p->name);
    for (size_t i = 0; i < p->n_suites; i++)
        free(p->suites[i].suite);
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

static int eq(const char *a, const char *b)
{
    return !strcmp(a ? a : "", b ? b : "");
}

/* One configuration: the same identity when both have one; configs stored
 * before identities (v5) by model, label and launch parameters. */
static int same_config(const struct report_point *a, const struct report_point *b)
{
    if (a->identity && b->identity)
        return !strcmp(a->identity, b->identity);
    return eq(a->model, b->model) && eq(a->label, b->label) && eq(a->params_json, b->params_json);
}

/* Keeps, for each configuration, the point of the newest run. Points are in
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

/* "k=4", "threads=(unset)", "model#3fa2c1d0e9b8": the value of one
 * identity field, shortened. */
static char *field_text(const char *key, const cJSON *v)
{
    if (!v)
        return xasprintf("%s=default", key);
    if (cJSON_IsString(v)) {
        if (strstr(key, "sha256"))
            return xasprintf("%.*s#%.12s", (int)(strstr(key, "_sha256") - key), key, v->valuestring);
        return xasprintf("%s=%s", key, v->valuestring);
    }
    char *t = cJSON_PrintUnformatted(v);
    char *out = xasprintf("%s=%s", key, t ? t : "?");
    cJSON_free(t);
    return out;
}

struct id_key {
    const char *name;
    int top;              /* a top-level identity field, else a setting */
};

static const cJSON *id_field(const cJSON *id, const struct id_key *k)
{
    const cJSON *o = k->top ? id : cJSON_GetObjectItemCaseSensitive(id, "settings");
    return cJSON_GetObjectItemCaseSensitive(o, k->name);
}

/* The fields (settings first, then the rest of the identity) whose values
 * differ among the n identities of one label. */
static struct id_key *differing_keys(cJSON **ids, size_t n, size_t *nk)
{
    struct id_key *keys = NULL;
    size_t cap = 0;
    *nk = 0;
    for (int top = 0; top < 2; top++)
        for (size_t i = 0; i < n; i++) {
            const cJSON *obj = top ? ids[i] : cJSON_GetObjectItemCaseSensitive(ids[i], "settings");
            const cJSON *it;
            cJSON_ArrayForEach(it, obj) {
                if (cJSON_IsObject(it))
                    continue;       /* settings, measurement: compared inside */
                struct id_key k = { it->string, top };
                int known = 0, differs = 0;
                for (size_t j = 0; j < *nk && !known; j++)
                    known = keys[j].top == top && !strcmp(keys[j].name, it->string);
                for (size_t j = 0; j < n && !known && !differs; j++) {
                    const cJSON *w = id_field(ids[j], &k);
                    differs = !w || !cJSON_Compare(it, w, 1);
                }
                if (differs) {
                    XGROW(keys, *nk + 1, cap);
                    keys[(*nk)++] = k;
                }
            }
        }
    return keys;
}

/* Points that share a label but are different configurations (a plan's
 * defaults, another model file or build under one name) are never shown as
 * one: each label gets the fields that tell it apart, in braces. */
static void tell_apart(struct report_points *pts)
{
    for (size_t i = 0; i < pts->n; i++) {
        struct report_point *p = &pts->v[i];
        if (!p->identity_json || strchr(p->label ? p->label : "", '{'))
            continue;
        size_t *group = xcalloc(pts->n, sizeof *group), n = 0;
        int distinct = 0;
        for (size_t j = 0; j < pts->n; j++) {
            struct report_point *q = &pts->v[j];
            if (!q->identity_json || !eq(q->label, p->label) || !eq(q->model, p->model))
                continue;
            group[n++] = j;
            distinct |= strcmp(q->identity, p->identity) != 0;
        }
        if (distinct) {
            cJSON **ids = xcalloc(n, sizeof *ids);
            for (size_t k = 0; k < n; k++)
                ids[k] = cJSON_Parse(pts->v[group[k]].identity_json);
            size_t nk;
            struct id_key *keys = differing_keys(ids, n, &nk);
            char **labels = xcalloc(n, sizeof *labels);
            for (size_t k = 0; k < n; k++) {
                struct buf b = {0};
                buf_printf(&b, "%s {", pts->v[group[k]].label);
                for (size_t f = 0; f < nk; f++) {
                    char *t = field_text(keys[f].name, id_field(ids[k], &keys[f]));
                    buf_printf(&b, "%s%s", f ? " " : "", t);
                    free(t);
                }
                buf_puts(&b, "}");
                labels[k] = buf_detach(&b);
            }
            for (size_t k = 0; k < n; k++) {
                free(pts->v[group[k]].label);
                pts->v[group[k]].label = labels[k];
            }
            /* the names in keys point into ids: free those last */
            for (size_t k = 0; k < n; k++)
                cJSON_Delete(ids[k]);
            free(labels);
            free(keys);
            free(ids);
        }
        free(group);
    }
}

int report_points_load(struct sqlite3 *db, const struct report_filter *f,
                       struct report_points *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    static const char *sql =
        "SELECT c.run_id, r.started, c.id, c.label, c.model, c.draft, c.params_json,"
        " c.backend, c.status, c.reason, c.identity, c.identity_json"
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
        p->identity = col_text(st, 10);
        p->identity_json = col_text(st, 11);
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
        if (!(f && f->include_empty) && p->n_suites == 0 && p->speed.n == 0)
            point_clear(p);
        else
            out->v[w++] = *p;
    }
    out->n = w;
    if (f && f->latest_per_config)
        keep_latest(out);
    tell_apart(out);
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
