/* resume.c - what a run records so it can be continued, and the check that
 * continuing it does not mix two contents of one suite (run_int.h).
 *
 * The plan JSON stored with a new run holds, next to the arguments, each
 * suite's name, version and content hash as loaded when the run started.
 * `benchai resume` and a run joining a stored run id (--run-id, shards in
 * one store) compare the suites they are about to run with that record: a
 * suite whose file changed would put samples of two different suites under
 * one name in one run, so it is refused unless --force, and an accepted
 * change is recorded as an incident of the run. */
#include "run/run_int.h"
#include "util/log.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>

char *run_plan_record(const char *plan_json, struct suite *const *suites, size_t n_suites)
{
    cJSON *plan = plan_json ? cJSON_Parse(plan_json) : NULL;
    if (!cJSON_IsObject(plan)) {
        cJSON_Delete(plan);
        plan = cJSON_CreateObject();
    }
    cJSON_DeleteItemFromObjectCaseSensitive(plan, "suites");
    cJSON *arr = cJSON_AddArrayToObject(plan, "suites");
    for (size_t i = 0; i < n_suites; i++) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "name", suites[i]->name);
        cJSON_AddNumberToObject(s, "version", suites[i]->version);
        cJSON_AddStringToObject(s, "sha256", suites[i]->hash);
        cJSON_AddItemToArray(arr, s);
    }
    char *txt = cJSON_PrintUnformatted(plan);
    char *out = xstrdup(txt);
    cJSON_free(txt);
    cJSON_Delete(plan);
    return out;
}

/* The recorded entry of suite name, or NULL. */
static const cJSON *recorded_suite(const cJSON *recorded, const char *name)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, recorded) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(e, "name");
        if (cJSON_IsString(n) && !strcmp(n->valuestring, name))
            return e;
    }
    return NULL;
}

int run_check_suites(struct store *st, const char *run_id, struct suite *const *suites, size_t n_suites,
                     int force, struct bai_error *err)
{
    char *plan_json = NULL;
    int found = store_run_plan(st, run_id, &plan_json, err);
    if (found <= 0) {
        if (found == 0)
            bai_error_set(err, BAI_EXIT_USAGE, "no run '%s' in %s", run_id, store_path(st));
        return -1;
    }
    cJSON *plan = plan_json ? cJSON_Parse(plan_json) : NULL;
    free(plan_json);
    const cJSON *recorded = cJSON_GetObjectItemCaseSensitive(plan, "suites");
    if (!cJSON_IsArray(recorded)) {
        log_info("run %s was started by a benchai that did not record its suites: their content is not checked",
                 run_id);
        cJSON_Delete(plan);
        return 0;
    }
    struct buf refused = {0};
    int rc = 0;
    for (size_t i = 0; i < n_suites && rc == 0; i++) {
        const struct suite *s = suites[i];
        const cJSON *e = recorded_suite(recorded, s->name);
        const cJSON *sha = cJSON_GetObjectItemCaseSensitive(e, "sha256");
        const cJSON *version = cJSON_GetObjectItemCaseSensitive(e, "version");
        if (!cJSON_IsString(sha) || !strcmp(sha->valuestring, s->hash))
            continue;            /* new to this run, or unchanged */
        char *what = xasprintf("suite %s changed since run %s started (v%d sha256 %.12s then, v%d sha256 %.12s now)",
                               s->name, run_id, cJSON_IsNumber(version) ? version->valueint : 0,
                               sha->valuestring, s->version, s->hash);
        if (force) {
            log_warn("%s; continuing with the file as it is now (--force, recorded with the run)", what);
            char *msg = xasprintf("%s: accepted with --force", what);
            rc = store_incident_add(st, run_id, 0, "suite_changed", msg, err);
            free(msg);
        } else {
            buf_printf(&refused, "%s%s", refused.len ? "\n" : "", what);
        }
        free(what);
    }
    cJSON_Delete(plan);
    if (rc == 0 && refused.len) {
        bai_error_set(err, BAI_EXIT_USAGE,
                      "%s\nrefusing to mix two contents of a suite in one run: restore the file, start a new "
                      "run, or give --force to continue with the file as it is now (recorded with the run)",
                      refused.data);
        rc = -1;
    }
    buf_free(&refused);
    return rc;
}
