/* test_sandbox_limits.c - limits that hold per sample and per language
 * (issue 22 items 3 and 4), both where a cgroup holds them and in the
 * fallback where rlimits alone do: memory outside the JVM's and V8's heaps
 * is bounded, and one sample's fork bomb does not change the verdict of
 * the samples running next to it. */
#include "test_sandbox_common.h"

#include <pthread.h>
#include <unistd.h>

/* The largest "allocated N MB" line the program wrote on stderr. */
static long peak_mb(const char *detail)
{
    long peak = 0;
    for (const char *s = detail; (s = strstr(s, "allocated ")); s += 10)
        if (strtol(s + 10, NULL, 10) > peak)
            peak = strtol(s + 10, NULL, 10);
    return peak;
}

/* The program allocates memory its runtime's heap flag does not cover, up
 * to 2 GiB, with memory_mb 256: it must end as memory_limit well below. */
static void off_heap(const char *lang, const char *file, int no_cgroups)
{
    struct sandbox_pool *pool = tsb_pool_opts(1, no_cgroups);
    const struct sandbox_lang *l = sandbox_langs_find(sandbox_pool_langs(pool), lang);
    cr_assert_not_null(l);
    if (!l->available) {
        sandbox_pool_free(pool);
        cr_skip_test("%s is not installed on this machine", lang);
    }
    struct score_item it;
    tsb_item(&it, lang, "", "never\n", 30, 256);
    char *src = tsb_data(file);
    struct score_result r;
    cJSON *d = tsb_score(pool, &it, src, &r);
    cr_expect_str_eq(tsb_status(d), "memory_limit", "%s", r.detail_json);
    cr_expect_null(strstr(r.detail_json, "ESCAPED"), "%s", r.detail_json);
    /* 256 MB for the program plus what the runtime may hold or reserve;
     * the 2 GiB it asked for is far above. */
    long peak = peak_mb(r.detail_json);
    cr_expect_lt(peak, 1600, "%s reached %ld MB: %s", lang, peak, r.detail_json);
    const cJSON *lim = cJSON_GetObjectItemCaseSensitive(d, "limits");
    const cJSON *by = cJSON_GetObjectItemCaseSensitive(lim, "by");
    cr_expect(cJSON_IsString(by), "no limits.by in %s", r.detail_json);
    if (no_cgroups && cJSON_IsString(by))
        cr_expect_str_eq(by->valuestring, "rlimits");
    free(src);
    cJSON_Delete(d);
    score_result_free(&r);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}

Test(sandbox_limits, javascript_buffer_alloc_bounded, .timeout = 90)
{
    off_heap("javascript", "buffer_alloc.js", 0);
}

Test(sandbox_limits, javascript_buffer_alloc_bounded_without_cgroups, .timeout = 90)
{
    off_heap("javascript", "buffer_alloc.js", 1);
}

Test(sandbox_limits, java_unsafe_allocate_bounded, .timeout = 120)
{
    off_heap("java", "unsafe_alloc.java", 0);
}

Test(sandbox_limits, java_unsafe_allocate_bounded_without_cgroups, .timeout = 120)
{
    off_heap("java", "unsafe_alloc.java", 1);
}

/* ---- a fork bomb next to correct programs ----------------------------- */

struct neighbour {
    struct score_item item;
    struct score_input in;
    char *answer;
    pthread_mutex_t *mu;
    int done, passed;
    char *detail;
};

static void neighbour_done(void *ud, int rc, struct score_result *res, const struct bai_error *err)
{
    struct neighbour *n = ud;
    pthread_mutex_lock(n->mu);
    n->done = 1;
    n->passed = rc == 0 && res->passed == 1;
    n->detail = xstrdup(rc == 0 ? res->detail_json : err->msg);
    pthread_mutex_unlock(n->mu);
    score_result_free(res);
    free(res);
}

static void bomb_done(void *ud, int rc, const struct sandbox_result *res, const struct bai_error *err)
{
    int *outcome = ud;
    *outcome = rc == 0 ? (int)res->outcome : -1;
}

/* Five correct C programs are compiled and run while another sample holds
 * every process the C language's nproc allows; all five must pass, and
 * soon (they used to get compile_error: the sample held the one uid's
 * RLIMIT_NPROC, and gcc gave up forking after 15 s of retries). */
static void bomb_next_to_five(int no_cgroups)
{
    struct sandbox_pool *pool = tsb_pool_opts(6, no_cgroups);
    const struct sandbox *sb = sandbox_pool_sandbox(pool);
    const struct sandbox_lang *c = sandbox_langs_find(sandbox_pool_langs(pool), "c");
    cr_assert_not_null(c);
    struct bai_error err = {0};
    char *dir = sandbox_workdir_new(&err);
    tsb_compile_c(sb, "fork_hold.c", dir);
    /* a name of its own: the other variant may run at the same time */
    const char *name = no_cgroups ? "bai_hold_rlim" : "bai_hold_cg";
    const char *argv[] = { "./prog", name, NULL };
    struct sandbox_job bomb = { .argv = argv, .host_dir = dir };
    bomb.limits = c->limits;
    bomb.limits.wall_s = 20;            /* longer than gcc retries a fork */
    int bomb_outcome = -2;
    sandbox_pool_submit(pool, &bomb, bomb_done, &bomb_outcome);
    usleep(500 * 1000);                    /* it holds its processes by now */
    pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
    struct neighbour n[5];
    memset(n, 0, sizeof n);
    for (int i = 0; i < 5; i++) {
        n[i].mu = &mu;
        tsb_item(&n[i].item, "c", "20 22\n", "42\n", 20, 256);
        n[i].answer = xstrdup("```c\n#include <stdio.h>\nint main(void) { int a, b; "
                              "if (scanf(\"%d %d\", &a, &b) != 2) return 1; "
                              "printf(\"%d\\n\", a + b); return 0; }\n```\n");
        n[i].in = (struct score_input){ .item = &n[i].item, .output = n[i].answer };
        code_score_submit(pool, &n[i].in, neighbour_done, &n[i]);
    }
    sandbox_pool_drain(pool);
    cr_expect_eq(bomb_outcome, SANDBOX_TIMEOUT, "the bomb's outcome: %d", bomb_outcome);
    for (int i = 0; i < 5; i++) {
        cr_expect(n[i].done);
        cr_expect_eq(n[i].passed, 1, "neighbour %d of the fork bomb: %s", i, n[i].detail);
        cJSON *d = cJSON_Parse(n[i].detail);
        const cJSON *w = cJSON_GetObjectItemCaseSensitive(d, "wall_ms");
        cr_expect(cJSON_IsNumber(w) && w->valuedouble < 10000, "neighbour %d waited: %s", i,
                  n[i].detail);
        cJSON_Delete(d);
        free(n[i].answer);
        free(n[i].detail);
        cJSON_Delete(n[i].item.data);
    }
    cr_expect_eq(tsb_count_comm(name), 0, "the bomb's processes were left behind");
    sandbox_workdir_remove(dir);
    free(dir);
    sandbox_pool_free(pool);
}

Test(sandbox_limits, fork_bomb_does_not_change_neighbours_verdicts, .timeout = 120)
{
    bomb_next_to_five(0);
}

Test(sandbox_limits, fork_bomb_does_not_change_neighbours_verdicts_without_cgroups, .timeout = 120)
{
    bomb_next_to_five(1);
}

/* Where a cgroup holds the limits, memory_mb bounds all of a run's
 * processes together, not each one: four children of 200 MB with
 * memory_mb 256 end as memory_limit. */
Test(sandbox_limits, processes_share_one_memory_limit_under_a_cgroup, .timeout = 60)
{
    struct sandbox_pool *pool = tsb_pool(1);
    if (sandbox_limits_by(sandbox_pool_sandbox(pool)) == SANDBOX_LIMITS_RLIMITS) {
        sandbox_pool_free(pool);
        cr_skip_test("no writable cgroup here: rlimits bound each process only");
    }
    struct score_item it;
    tsb_item(&it, "python", "", "never\n", 20, 256);
    char *src = tsb_data("alloc_children.py");
    struct score_result r;
    cJSON *d = tsb_score(pool, &it, src, &r);
    cr_expect_null(strstr(r.detail_json, "ESCAPED"), "%s", r.detail_json);
    cr_expect_str_eq(tsb_status(d), "memory_limit", "%s", r.detail_json);
    free(src);
    cJSON_Delete(d);
    score_result_free(&r);
    cJSON_Delete(it.data);
    sandbox_pool_free(pool);
}
