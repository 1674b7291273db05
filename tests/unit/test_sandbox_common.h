/* test_sandbox_common.h - helpers shared by test_sandbox*.c and test_code*.c
 * (static: each test file gets its own copy). Tests run from the repo root. */
#ifndef TEST_SANDBOX_COMMON_H
#define TEST_SANDBOX_COMMON_H

#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sandbox/lang.h"
#include "sandbox/pool.h"
#include "sandbox/sandbox.h"
#include "score/code.h"
#include "score/score.h"
#include "suite/suite.h"
#include "util/fs.h"
#include "util/mem.h"

/* A pool over a FULL sandbox; no_cgroups = 1 makes rlimits alone hold
 * the limits (the fallback of machines without a writable cgroup). */
static inline struct sandbox_pool *tsb_pool_opts(int workers, int no_cgroups)
{
    struct bai_error err = {0};
    struct sandbox_options o = { .mode = SANDBOX_MODE_FULL, .no_cgroups = no_cgroups };
    struct sandbox *sb = sandbox_new(&o, &err);
    cr_assert_not_null(sb, "sandbox_new: %s", err.msg);
    struct sandbox_langs *langs = sandbox_langs_load("suites/languages.yaml", &err);
    cr_assert_not_null(langs, "languages: %s", err.msg);
    struct sandbox_pool *p = sandbox_pool_new(sb, langs, workers, &err);
    cr_assert_not_null(p, "pool: %s", err.msg);
    return p;
}

static inline struct sandbox_pool *tsb_pool(int workers)
{
    return tsb_pool_opts(workers, 0);
}

static inline char *tsb_data(const char *name)
{
    struct bai_error err = {0};
    char *path = xasprintf("tests/data/sandbox/%s", name);
    char *text = fs_read_file(path, NULL, &err);
    cr_assert_not_null(text, "%s", err.msg);
    free(path);
    return text;
}

/* A code item of stdio form with one case; data owned by the item. */
static inline void tsb_item(struct score_item *it, const char *lang, const char *input,
                            const char *output, double timeout_s, long memory_mb)
{
    memset(it, 0, sizeof *it);
    it->id = "hostile";
    it->scorer = "code";
    it->data = cJSON_CreateObject();
    cJSON_AddStringToObject(it->data, "language", lang);
    cJSON *tests = cJSON_AddObjectToObject(it->data, "tests");
    cJSON_AddStringToObject(tests, "form", "stdio");
    cJSON *cases = cJSON_AddArrayToObject(tests, "cases");
    cJSON *c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "input", input ? input : "");
    cJSON_AddStringToObject(c, "output", output);
    cJSON_AddItemToArray(cases, c);
    cJSON *sc = cJSON_AddObjectToObject(it->data, "scoring");
    if (timeout_s > 0)
        cJSON_AddNumberToObject(sc, "timeout_s", timeout_s);
    if (memory_mb > 0)
        cJSON_AddNumberToObject(sc, "memory_mb", (double)memory_mb);
}

/* Scores `source` as the model's answer (in a fence); returns the
 * detail JSON (caller deletes) and fills *res. */
static inline cJSON *tsb_score(struct sandbox_pool *pool, const struct score_item *it,
                               const char *source, struct score_result *res)
{
    char *answer = xasprintf("Here:\n```\n%s\n```\n", source);
    struct score_input in = { .item = it, .output = answer };
    struct score_context ctx = { .sandbox = pool };
    struct bai_error err = {0};
    int rc = score_sample(&in, &ctx, res, &err);
    cr_assert_eq(rc, 0, "score_sample: %s", err.msg);
    free(answer);
    cJSON *d = cJSON_Parse(res->detail_json);
    cr_assert_not_null(d, "detail: %s", res->detail_json);
    return d;
}

static inline const char *tsb_status(const cJSON *d)
{
    const cJSON *s = cJSON_GetObjectItemCaseSensitive(d, "status");
    return cJSON_IsString(s) ? s->valuestring : "?";
}

/* Number of processes whose comm is exactly name. */
static inline int tsb_count_comm(const char *name)
{
    DIR *d = opendir("/proc");
    int n = 0;
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        char path[300], comm[64] = {0};
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        if (fgets(comm, sizeof comm, f)) {
            comm[strcspn(comm, "\n")] = 0;
            n += !strcmp(comm, name);
        }
        fclose(f);
    }
    if (d)
        closedir(d);
    return n;
}

/* Compiles a C file of tests/data/sandbox into dir/prog (in the sandbox). */
static inline void tsb_compile_c(const struct sandbox *sb, const char *name, const char *dir)
{
    char *src = tsb_data(name);
    char *path = xasprintf("%s/main.c", dir);
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(path, src, strlen(src), &err), 0, "%s", err.msg);
    const char *argv[] = { "gcc", "-O1", "-o", "prog", "main.c", NULL };
    const char *collect[] = { "prog", NULL };
    struct sandbox_job job = { .argv = argv, .host_dir = dir, .collect = collect };
    job.limits.wall_s = 30;
    job.limits.memory_mb = 2048;
    struct sandbox_result r;
    cr_assert_eq(sandbox_run(sb, &job, &r, &err), 0, "%s", err.msg);
    cr_assert(r.outcome == SANDBOX_EXITED && r.exit_code == 0, "gcc failed: %s", r.err);
    sandbox_result_free(&r);
    free(path);
    free(src);
}

#endif
