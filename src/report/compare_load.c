/* compare_load.c - read one side of a comparison (a config of a run) from
 * the store: one query, grouped by suite, sorted for the merge join; and
 * what differs between two paired configs. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/compare_int.h"
#include "settings/identity.h"

/* --- one side's samples -------------------------------------------------- */

void compare_side_free(struct side *s)
{
    for (size_t i = 0; i < s->n; i++) {
        for (size_t j = 0; j < s->samples[i].n_scores; j++)
            free(s->samples[i].scores[j].scorer);
        free(s->samples[i].scores);
        free(s->samples[i].item_id);
    }
    for (size_t i = 0; i < s->n_suites; i++)
        free(s->suites[i].name);
    free(s->samples);
    free(s->suites);
}

static int suite_wanted(const struct compare_opts *o, const char *name)
{
    if (!o->suites || o->n_suites == 0)
        return 1;
    for (size_t i = 0; i < o->n_suites; i++)
        if (!strcmp(o->suites[i], name))
            return 1;
    return 0;
}

static int cmp_sample(const void *pa, const void *pb)
{
    const struct side_sample *a = pa, *b = pb;
    if (a->suite != b->suite)
        return a->suite < b->suite ? -1 : 1;
    int c = strcmp(a->item_id, b->item_id);
    if (c)
        return c;
    return (a->rep > b->rep) - (a->rep < b->rep);
}

static const char *nz(const char *s)
{
    return s ? s : "";
}

struct side_build {
    struct side *sd;
    const struct compare_opts *o;
};

/* One row of store_config_scores: a new suite, a new sample, and its score. */
static int side_row(void *ctx, const struct store_config_score_row *row)
{
    struct side_build *b = ctx;
    struct side *sd = b->sd;
    const char *name = nz(row->suite_name), *sha = nz(row->suite_sha256);
    if (!suite_wanted(b->o, name))
        return 0;
    struct side_suite *cur = sd->n_suites ? &sd->suites[sd->n_suites - 1] : NULL;
    if (!cur || strcmp(cur->name, name) || cur->version != row->suite_version || strcmp(cur->sha, sha)) {
        XGROW(sd->suites, sd->n_suites + 1, sd->cap_suites);
        cur = &sd->suites[sd->n_suites++];
        memset(cur, 0, sizeof *cur);
        cur->name = xstrdup(name);
        cur->version = row->suite_version;
        snprintf(cur->sha, sizeof cur->sha, "%s", sha);
        cur->first = sd->n;
    }
    struct side_sample *sm = sd->n ? &sd->samples[sd->n - 1] : NULL;
    if (!sm || sm->id != row->sample_id || sd->n == cur->first) {
        XGROW(sd->samples, sd->n + 1, sd->cap);
        sm = &sd->samples[sd->n++];
        memset(sm, 0, sizeof *sm);
        sm->suite = sd->n_suites - 1;
        sm->item_id = xstrdup(nz(row->item_id));
        sm->rep = row->rep;
        sm->id = row->sample_id;
        sm->error = strcmp(nz(row->status), "ok") != 0;
        sm->timeout = !strcmp(nz(row->status), "timeout");
        sm->gen_tps = row->gen_tps;
        sm->ttft_ms = row->ttft_ms;
        sm->prompt_tps = row->prompt_tps;
        sm->draft_n = row->draft_n;
        sm->draft_accepted = row->draft_accepted;
        cur->count++;
    }
    if (row->scorer) {
        XGROW(sm->scores, sm->n_scores + 1, sm->cap_scores);
        struct side_score *sc = &sm->scores[sm->n_scores++];
        sc->scorer = xstrdup(row->scorer);
        sc->value = row->value;
        sc->passed = row->passed;
        const char *status = nz(row->score_status);
        sc->outcome = !strcmp(status, "scored") ? REPORT_SCORED
                    : !strcmp(status, "unparsed") ? REPORT_UNPARSED
                    : !strcmp(status, "failed") ? (sm->timeout ? REPORT_TIMEOUT : REPORT_ERROR)
                    : REPORT_SCORE_ERROR;
    }
    return 0;
}

/* Reads the non-warmup samples of one config with their scores, grouped by
 * suite identity, each suite's samples sorted by (item id, rep). */
int compare_side_load(struct store *st, const char *run_id, int64_t config_id,
                      const struct compare_opts *o, struct side *sd, struct bai_error *err)
{
    memset(sd, 0, sizeof *sd);
    struct side_build b = { .sd = sd, .o = o };
    if (store_config_scores(st, run_id, config_id, side_row, &b, err) < 0) {
        compare_side_free(sd);
        return -1;
    }
    for (size_t i = 0; i < sd->n_suites; i++)
        qsort(sd->samples + sd->suites[i].first, sd->suites[i].count, sizeof *sd->samples,
              cmp_sample);
    return 0;
}

/* --- configs --------------------------------------------------------------- */

long compare_config_find(const struct store_config_info *c, size_t n, const char *label)
{
    for (size_t i = 0; i < n; i++)
        if (!strcmp(c[i].label, label))
            return (long)i;
    return -1;
}

int compare_config_missing(const char *run, const char *label, const struct store_config_info *c,
                          size_t n, struct bai_error *err)
{
    struct buf b = {0};
    for (size_t i = 0; i < n; i++)
        buf_printf(&b, "%s'%s'", i ? ", " : "", c[i].label);
    bai_error_set(err, BAI_EXIT_USAGE, "run %s has no config labelled '%s' (it has: %s)", run,
                  label, n ? b.data : "none");
    buf_free(&b);
    return -1;
}

/* --- what differs between two paired configs ------------------------------ */

static void add_difference(char ***out, size_t *n, const char *what, const char *a, const char *b)
{
    *out = xrealloc(*out, (*n + 1) * sizeof **out);
    (*out)[(*n)++] = xasprintf("%s: %s vs %s", what, a, b);
}

/* A parameter's value as text ("4", "q8_0"), "default" when absent. */
static char *param_text(const cJSON *v)
{
    if (!v)
        return xstrdup("default");
    if (cJSON_IsString(v))
        return xstrdup(v->valuestring);
    if (cJSON_IsNumber(v))
        return xasprintf("%g", v->valuedouble);
    char *t = cJSON_PrintUnformatted(v);
    char *copy = xstrdup(t ? t : "?");
    cJSON_free(t);
    return copy;
}

static int cmp_key(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Launch parameters that differ, in key order. "sweep" (a plan's name for
 * the point), "model" and "draft" (compared on their own) are not launch
 * parameters. */
static size_t param_differences(const char *ja, const char *jb, char ***out, size_t n)
{
    cJSON *a = ja ? cJSON_Parse(ja) : NULL, *b = jb ? cJSON_Parse(jb) : NULL;
    const char **keys = NULL;
    size_t nk = 0, cap = 0;
    for (int side = 0; side < 2; side++) {
        const cJSON *o = side ? b : a, *it;
        cJSON_ArrayForEach(it, o) {
            if (!it->string || !strcmp(it->string, "sweep") || !strcmp(it->string, "model") ||
                !strcmp(it->string, "draft"))
                continue;
            size_t k = 0;
            while (k < nk && strcmp(keys[k], it->string))
                k++;
            if (k == nk) {
                XGROW(keys, nk + 1, cap);
                keys[nk++] = it->string;
            }
        }
    }
    if (nk > 1)
        qsort(keys, nk, sizeof *keys, cmp_key);
    for (size_t k = 0; k < nk; k++) {
        char *va = param_text(cJSON_GetObjectItemCaseSensitive(a, keys[k]));
        char *vb = param_text(cJSON_GetObjectItemCaseSensitive(b, keys[k]));
        if (strcmp(va, vb))
            add_difference(out, &n, keys[k], va, vb);
        free(va);
        free(vb);
    }
    free(keys);
    cJSON_Delete(a);
    cJSON_Delete(b);
    return n;
}

size_t compare_config_differences(const struct store_config_info *a, const struct store_config_info *b,
                                  char ***out, size_t n)
{
    char *ma = store_model_name(a->backend, a->model), *mb = store_model_name(b->backend, b->model);
    if (strcmp(ma, mb))
        add_difference(out, &n, "model", ma, mb);
    free(ma);
    free(mb);
    const char *ba = a->backend ? a->backend : "unknown", *bb = b->backend ? b->backend : "unknown";
    if (strcmp(ba, bb))
        add_difference(out, &n, "backend", ba, bb);
    char *da = a->draft ? store_model_name("llama-server", a->draft) : xstrdup("none");
    char *db = b->draft ? store_model_name("llama-server", b->draft) : xstrdup("none");
    if (strcmp(da, db))
        add_difference(out, &n, "draft", da, db);
    free(da);
    free(db);
    /* Everything that can change the numbers (settings/identity.h): every
     * setting, the model, draft and server binary contents, the endpoint,
     * how requests were sent. Stores before v5 recorded the launch
     * parameters only. */
    if (a->identity_json && b->identity_json) {
        if (a->identity && b->identity && !strcmp(a->identity, b->identity))
            return n;
        char **more = NULL;
        size_t m = identity_differences(a->identity_json, b->identity_json, &more, 0);
        for (size_t i = 0; i < m; i++) {
            if (strncmp(more[i], "backend:", 8)) {
                *out = xrealloc(*out, (n + 1) * sizeof **out);
                (*out)[n++] = more[i];
            } else {
                free(more[i]);
            }
        }
        free(more);
        return n;
    }
    return param_differences(a->params_json, b->params_json, out, n);
}
