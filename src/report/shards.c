/* shards.c - the shards of a run as text, a table and JSON (shards.h). */
#include "report/shards.h"
#include "report/format.h"
#include "util/clock.h"

#include <glob.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The GPU binding of a session's environment, "-" when none was set. */
static char *gpus_of(const char *env_json)
{
    static const char *const keys[] = { "CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES",
                                        "SLURM_STEP_GPUS", "SLURM_JOB_GPUS", "GPU_DEVICE_ORDINAL" };
    cJSON *env = env_json ? cJSON_Parse(env_json) : NULL;
    char *out = NULL;
    for (size_t i = 0; i < sizeof keys / sizeof keys[0] && !out; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(env, keys[i]);
        if (cJSON_IsString(v))
            out = xstrdup(v->valuestring[0] ? v->valuestring : "(none)");
    }
    cJSON_Delete(env);
    return out ? out : xstrdup("-");
}

void report_shards_summary(const struct store_run_shards *s, struct buf *out)
{
    if (s->n_shards <= 0 || (s->n_shards == 1 && !strcmp(s->v[0].state, "done")))
        return;
    static const char *const order[] = { "done", "running", "stalled", "interrupted", "failed", "missing" };
    buf_printf(out, "%d shard%s:", s->n_shards, s->n_shards == 1 ? "" : "s");
    int first = 1;
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        struct buf list = { 0 };
        for (int i = 0; i < s->n_shards; i++) {
            const struct store_shard_info *si = &s->v[i];
            if (strcmp(si->state, order[k]))
                continue;
            buf_printf(&list, "%s%d", list.len ? "," : "", si->shard);
            /* partial shards say how far they got */
            if (strcmp(order[k], "done") && strcmp(order[k], "missing"))
                buf_printf(&list, " (%lld of %lld samples)", (long long)si->stored, (long long)si->planned);
        }
        if (list.len)
            buf_printf(out, "%s %s %s", first ? "" : ";", order[k], list.data);
        first &= !list.len;
        buf_free(&list);
    }
}

void report_shards_brief(const struct store_run_shards *s, struct buf *out)
{
    static const char *const order[] = { "running", "stalled", "interrupted", "failed", "missing" };
    for (size_t k = 0; k < sizeof order / sizeof order[0]; k++) {
        int first = 1;
        for (int i = 0; i < s->n_shards; i++) {
            if (strcmp(s->v[i].state, order[k]))
                continue;
            if (first)
                buf_printf(out, "%s%s %d", out->len ? "; " : "", order[k], s->v[i].shard);
            else
                buf_printf(out, ",%d", s->v[i].shard);
            first = 0;
        }
    }
}

void report_shards_table(const struct store_run_shards *s, double now_s, struct buf *out)
{
    static const char *const cols[] = { "shard", "state", "samples", "of", "host", "benchai", "llama.cpp", "GPUs",
                                        "last seen", "ETA" };
    size_t ncols = now_s > 0 ? 10 : 8;
    struct report_table t;
    report_table_init(&t, ncols, cols);
    for (int i = 0; i < s->n_shards; i++) {
        const struct store_shard_info *si = &s->v[i];
        size_t r = report_table_add_row(&t);
        report_table_setf(&t, r, 0, "%d/%d", si->shard, s->n_shards);
        report_table_set(&t, r, 1, si->state);
        report_table_set_num(&t, r, 2, (double)si->stored, "%.0f");
        report_table_set_num(&t, r, 3, (double)si->planned, "%.0f");
        report_table_set(&t, r, 4, si->hostname);
        report_table_set(&t, r, 5, si->benchai_version);
        report_table_set(&t, r, 6, si->llama_build);
        char *gpus = si->n_sessions ? gpus_of(si->env_json) : NULL;
        report_table_set(&t, r, 7, gpus);
        free(gpus);
        if (ncols < 10)
            continue;
        char text[32];
        if (!isnan(si->heartbeat_s)) {
            clock_duration_text(now_s - si->heartbeat_s, text, sizeof text);
            report_table_setf(&t, r, 8, "%s ago", text);
        }
        /* this shard's own rate since its newest session started */
        double started = clock_iso8601_parse(si->started);
        int live = !strcmp(si->state, "running");
        if (live && si->stored < si->planned && !isnan(started) && !isnan(si->heartbeat_s) &&
            si->heartbeat_s > started && si->stored > 0) {
            double rate = (double)si->stored / (si->heartbeat_s - started);
            clock_duration_text((double)(si->planned - si->stored) / rate, text, sizeof text);
            report_table_set(&t, r, 9, text);
        } else if (!strcmp(si->state, "done")) {
            report_table_set(&t, r, 9, "done");
        }
    }
    report_table_md(&t, out);
    report_table_free(&t);
}

cJSON *report_shards_json(const struct store_run_shards *s)
{
    cJSON *arr = cJSON_CreateArray();
    for (int i = 0; i < s->n_shards; i++) {
        const struct store_shard_info *si = &s->v[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "shard", si->shard);
        cJSON_AddNumberToObject(o, "of", s->n_shards);
        cJSON_AddStringToObject(o, "state", si->state);
        cJSON_AddNumberToObject(o, "sessions", si->n_sessions);
        cJSON_AddNumberToObject(o, "samples", (double)si->stored);
        cJSON_AddNumberToObject(o, "planned", (double)si->planned);
        const struct { const char *k; const char *v; } strs[] = {
            { "host", si->hostname }, { "benchai_version", si->benchai_version },
            { "llama_build", si->llama_build }, { "started", si->started }, { "finished", si->finished },
        };
        for (size_t k = 0; k < sizeof strs / sizeof strs[0]; k++) {
            if (strs[k].v)
                cJSON_AddStringToObject(o, strs[k].k, strs[k].v);
            else
                cJSON_AddNullToObject(o, strs[k].k);
        }
        cJSON *env = si->env_json ? cJSON_Parse(si->env_json) : NULL;
        if (env)
            cJSON_AddItemToObject(o, "env", env);
        else
            cJSON_AddNullToObject(o, "env");
        if (isnan(si->heartbeat_s))
            cJSON_AddNullToObject(o, "heartbeat");
        else
            cJSON_AddNumberToObject(o, "heartbeat", si->heartbeat_s);
        cJSON_AddItemToArray(arr, o);
    }
    return arr;
}

int report_shards_gather(const char *pattern, const char *spec, struct store_run_shards *out,
                         char run_out[STORE_RUN_ID_MAX], size_t *n_stores, struct bai_error *err)
{
    memset(out, 0, sizeof *out);
    *n_stores = 0;
    glob_t g;
    int grc = glob(pattern, 0, NULL, &g);
    if (grc != 0) {
        if (grc != GLOB_NOMATCH)
            globfree(&g);
        bai_error_set(err, BAI_EXIT_USAGE, "--shards: '%s' matches no store", pattern);
        return -1;
    }
    run_out[0] = '\0';
    int rc = 0, found = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++) {
        int before = store_input_files(g.gl_pathv[i]);
        struct store *st = store_open_readonly(g.gl_pathv[i], err);
        if (!st) {
            rc = -1;
            break;
        }
        char id[STORE_RUN_ID_MAX];
        struct bai_error e = { 0 };
        /* the run named (or the first store's newest) in every store */
        if (store_resolve_run(st, run_out[0] ? run_out : spec ? spec : "latest", id, &e) == 0) {
            struct store_run_shards one;
            if (store_run_shards(st, id, &one, err) < 0) {
                rc = -1;
            } else {
                if (!run_out[0])
                    snprintf(run_out, STORE_RUN_ID_MAX, "%s", id);
                store_run_shards_combine(out, &one);
                store_run_shards_free(&one);
                found++;
            }
        }
        store_close(st);
        store_input_tidy(g.gl_pathv[i], before);
        (*n_stores)++;
    }
    globfree(&g);
    if (rc == 0 && !found) {
        bai_error_set(err, BAI_EXIT_USAGE, "--shards: no store matching '%s' has run %s", pattern,
                      spec ? spec : "latest");
        rc = -1;
    }
    if (rc == 0 && out->n_shards == 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "--shards: run %s has no manifest (written by a benchai before "
                      "sharding by point): its shards cannot be told apart", run_out);
        rc = -1;
    }
    if (rc != 0)
        store_run_shards_free(out);
    return rc;
}
