/* points.c - store -> report points (see points.h for the counting rules). */
#include "report/points.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "stats/stats.h"
#include "util/mem.h"

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

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* The score of each tier the group's items declare (the users' "54/110"
 * per T1, T2, ...), counted by the same rules as the whole suite. */
static void suite_tiers(const struct store_group *g, size_t k, const struct report_rules *rules,
                        struct report_suite_score *s)
{
    int *tiers = NULL;
    size_t n = 0;
    for (size_t i = 0; g->sample_tier && i < g->n_samples; i++) {
        int t = g->sample_tier[i];
        size_t j = 0;
        while (j < n && tiers[j] != t)
            j++;
        if (t > 0 && j == n) {
            tiers = xrealloc(tiers, (n + 1) * sizeof *tiers);
            tiers[n++] = t;
        }
    }
    if (n == 0)
        return;
    qsort(tiers, n, sizeof *tiers, cmp_int);
    s->tiers = xcalloc(n, sizeof *s->tiers);
    s->n_tiers = n;
    for (size_t j = 0; j < n; j++) {
        struct report_score f;
        report_group_tier_score(g, k, tiers[j], rules, &f);
        s->tiers[j] = (struct report_tier_score){ .tier = tiers[j], .n = (int64_t)f.n,
                                                  .passed = (int64_t)f.passed, .sum = f.sum,
                                                  .mean = f.score / 100.0, .lo = f.lo / 100.0,
                                                  .hi = f.hi / 100.0 };
    }
    free(tiers);
}

/* The quality of one group under the rules: the chosen scorer's figures,
 * or a score with n = 0 when the group has none (speed suites). */
static void suite_from_group(const struct store_group *g, const struct report_rules *rules,
                             struct report_suite_score *s)
{
    memset(s, 0, sizeof *s);
    s->suite = xstrdup(g->suite_name);
    s->version = g->suite_version;
    s->n_items = (int64_t)g->n_items;
    s->suite_items = g->suite_n_items;
    s->mean = s->lo = s->hi = s->pass_rate = NAN;
    s->n_error = (int64_t)g->n_errors;
    s->n_timeout = (int64_t)g->n_timeouts;
    s->exclude_failed = rules->exclude_failed;
    long k = report_group_pick(g, rules);
    if (k < 0)
        return;
    struct report_score f;
    report_group_score(g, (size_t)k, rules, &f);
    s->scorer = xstrdup(g->scores[k].scorer);
    s->graded = f.graded;
    s->n = (int64_t)f.n;
    s->n_unparsed = (int64_t)f.n_unparsed;
    s->n_error = (int64_t)f.n_errors;
    s->n_timeout = (int64_t)f.n_timeouts;
    s->n_score_error = (int64_t)f.n_score_errors;
    s->passed = (int64_t)f.passed;
    s->pass_n = (int64_t)f.pass_n;
    s->pass_rate = f.pass_rate / 100.0;
    s->sum = f.sum;
    s->mean = f.score / 100.0;
    s->lo = f.lo / 100.0;
    s->hi = f.hi / 100.0;
    s->has_passk = f.has_passk;
    s->passk = f.passk;
    suite_tiers(g, (size_t)k, rules, s);
}

/* Fills p's suites and speed from the run's groups of its config. */
static void point_from_groups(struct report_point *p, struct store_group *g, size_t ng,
                              const struct report_filter *f)
{
    static const struct report_rules none;
    const struct report_rules *rules = f ? &f->rules : &none;
    struct dvec tps = {0}, ttft = {0}, e2e = {0}, ptps = {0};
    double drafted = 0, accepted = 0;
    int64_t nspeed = 0;
    size_t cap = 0;
    for (size_t i = 0; i < ng; i++) {
        if (g[i].config_id != p->config_id || !suite_wanted(f, g[i].suite_name))
            continue;
        for (size_t k = 0; k < g[i].n_gen_tps; k++)
            if (g[i].gen_tps[k] > 0)
                dvec_push(&tps, g[i].gen_tps[k]);
        for (size_t k = 0; k < g[i].n_ttft_ms; k++)
            dvec_push(&ttft, g[i].ttft_ms[k]);
        for (size_t k = 0; k < g[i].n_e2e_ms; k++)
            dvec_push(&e2e, g[i].e2e_ms[k]);
        for (size_t k = 0; k < g[i].n_prompt_tps; k++)
            if (g[i].prompt_tps[k] > 0)
                dvec_push(&ptps, g[i].prompt_tps[k]);
        drafted += (double)g[i].draft_n;
        accepted += (double)g[i].draft_accepted;
        nspeed += (int64_t)(g[i].n_samples - g[i].n_errors - g[i].n_timeouts);
        if (g[i].n_scores == 0)
            continue;                              /* a speed suite */
        XGROW(p->suites, p->n_suites + 1, cap);
        suite_from_group(&g[i], rules, &p->suites[p->n_suites++]);
    }
    report_speed_figures(tps.v, tps.n, ttft.v, ttft.n, e2e.v, e2e.n, drafted, accepted, &p->speed);
    p->speed.n = nspeed;
    report_median_figures(ptps.v, ptps.n, &p->prompt_tps);
    free(ptps.v);
    free(tps.v);
    free(ttft.v);
    free(e2e.v);
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
    for (size_t i = 0; i < p->n_suites; i++) {
        free(p->suites[i].suite);
        free(p->suites[i].scorer);
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

int report_points_load(struct store *st, const struct report_filter *f,
                       struct report_points *out, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    struct store_run_config *rows = NULL;
    size_t n_rows = 0;
    if (store_all_configs(st, &rows, &n_rows, err) != 0)
        return -1;
    size_t cap = 0;
    for (size_t i = 0; i < n_rows; i++) {
        struct store_run_config *r = &rows[i];
        struct store_config_info *c = &r->c;
        if (!r->run_id || !run_wanted(f, r->run_id))
            continue;
        XGROW(out->v, out->n + 1, cap);
        struct report_point *p = &out->v[out->n++];
        memset(p, 0, sizeof *p);
        strncpy(p->run_id, r->run_id, sizeof p->run_id - 1);
        /* the point takes the strings it keeps */
        p->run_started = r->run_started, r->run_started = NULL;
        p->config_id = c->id;
        p->label = c->label, c->label = NULL;
        p->model = c->model, c->model = NULL;
        p->draft = c->draft, c->draft = NULL;
        p->params_json = c->params_json, c->params_json = NULL;
        p->backend = c->backend, c->backend = NULL;
        p->status = c->status, c->status = NULL;
        p->reason = c->reason, c->reason = NULL;
        p->identity = c->identity, c->identity = NULL;
        p->identity_json = c->identity_json, c->identity_json = NULL;
        p->name = store_model_name(p->backend, p->model);
        p->size_gb = file_gb(p->model);
        if (p->draft && *p->draft && !isnan(p->size_gb))
            p->size_gb += isnan(file_gb(p->draft)) ? 0 : file_gb(p->draft);
    }
    store_run_configs_free(rows, n_rows);
    /* each run's samples are read once, for all its configs */
    for (size_t i = 0; i < out->n; i++) {
        if (i > 0 && !strcmp(out->v[i].run_id, out->v[i - 1].run_id))
            continue;
        struct store_group *g = NULL;
        size_t ng = 0;
        if (store_run_groups(st, out->v[i].run_id, &g, &ng, err) != 0) {
            report_points_free(out);
            return -1;
        }
        for (size_t j = i; j < out->n && !strcmp(out->v[j].run_id, out->v[i].run_id); j++)
            point_from_groups(&out->v[j], g, ng, f);
        store_groups_free(g, ng);
    }
    size_t w = 0;
    for (size_t i = 0; i < out->n; i++) {
        struct report_point *p = &out->v[i];
        if (report_resources_load(store_db(st), p->config_id, &p->res, err) != 0) {
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
    tell_apart(out);
    return 0;
}

size_t report_points_judges(const struct report_points *pts, const char *prefix, struct buf *out)
{
    struct strs { const char *name; struct buf suites; } *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < pts->n; i++)
        for (size_t s = 0; s < pts->v[i].n_suites; s++) {
            const struct report_suite_score *sc = &pts->v[i].suites[s];
            if (!sc->scorer || strncmp(sc->scorer, "judge", 5) || sc->n == 0)
                continue;
            size_t k = 0;
            while (k < n && strcmp(v[k].name, sc->scorer))
                k++;
            if (k == n) {
                XGROW(v, n + 1, cap);
                v[n].name = sc->scorer;
                memset(&v[n].suites, 0, sizeof v[n].suites);
                n++;
            }
            if (!v[k].suites.data || !strstr(v[k].suites.data, sc->suite))
                buf_printf(&v[k].suites, "%s%s", v[k].suites.len ? ", " : "", sc->suite);
        }
    for (size_t k = 0; k < n; k++) {
        buf_printf(out, "%sjudge: %s (%s)\n", prefix ? prefix : "", v[k].name, v[k].suites.data);
        buf_free(&v[k].suites);
    }
    free(v);
    return n;
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
