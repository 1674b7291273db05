/* Which configs of a run `benchai show` presents as a sweep: an axis whose
 * value differs between configs that agree on everything else, and only
 * then (two configs with the same ctx are not a ctx sweep). */
#include <criterion/criterion.h>
#include "report/sweep.h"
#include "store/store.h"
#include "util/mem.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void add_config(struct store *st, const char *run, int64_t suite, const char *label,
                       const char *params)
{
    struct bai_error err = { 0 };
    struct store_config c = { .label = label, .backend = "llama-server", .model = "/m/tiny-dense.gguf",
                              .params_json = params };
    int64_t id = store_config_add(st, run, &c, &err);
    cr_assert_geq(id, 0, "%s", err.msg);
    struct store_sample s = { .run_id = run, .config_id = id, .suite_id = suite, .item_id = "i1",
                              .status = "ok", .output = "x", .ttft_ms = 10, .e2e_ms = 100, .tpot_ms = -1,
                              .prompt_tokens = 10, .completion_tokens = 20, .cached_tokens = -1,
                              .prompt_ms = -1, .prompt_tps = -1, .gen_ms = -1, .gen_tps = 50,
                              .draft_n = -1, .draft_accepted = -1, .attempts = 1, .t_start_s = 1.0 };
    cr_assert_geq(store_sample_put(st, &s, NULL, &err), 0, "%s", err.msg);
}

Test(sweep_series, equal_axis_values_are_not_a_sweep)
{
    char dir[] = "/tmp/benchai-sweep-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *db = xasprintf("%s/s.db", dir);
    struct bai_error err = { 0 };
    struct store *st = store_open(db, &err);
    cr_assert_not_null(st, "%s", err.msg);
    char run[STORE_RUN_ID_MAX];
    struct store_run_meta meta = { .host_json = "{}", .plan_json = "{}" };
    cr_assert_eq(store_run_create(st, &meta, run, &err), 0, "%s", err.msg);
    int64_t speed = store_suite_add(st, "speed", 1, "cccc", &err);
    cr_assert_geq(speed, 0, "%s", err.msg);
    /* the same model in a quality sweep and as a K sweep's baseline: same ctx */
    add_config(st, run, speed, "tiny-dense", "{\"ctx\":8192}");
    add_config(st, run, speed, "tiny-dense [k]", "{\"ctx\":8192}");
    /* an np sweep at that ctx */
    add_config(st, run, speed, "tiny-dense np=1", "{\"ctx\":8192,\"np\":1}");
    add_config(st, run, speed, "tiny-dense np=2", "{\"ctx\":8192,\"np\":2}");

    struct buf out = { 0 };
    cr_assert_eq(report_sweep_markdown(store_db(st), run, &out, &err), 0, "%s", err.msg);
    cr_assert_not_null(strstr(out.data, "## Sweep: Parallel slots"), "%s", out.data);
    cr_assert_null(strstr(out.data, "## Sweep: ctx"), "%s", out.data);

    /* a real ctx sweep still is one */
    add_config(st, run, speed, "tiny-dense ctx=4096", "{\"ctx\":4096}");
    buf_reset(&out);
    cr_assert_eq(report_sweep_markdown(store_db(st), run, &out, &err), 0, "%s", err.msg);
    cr_assert_not_null(strstr(out.data, "## Sweep: ctx"), "%s", out.data);
    buf_free(&out);
    store_close(st);
    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
    free(db);
}
