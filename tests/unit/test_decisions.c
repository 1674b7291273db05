/* The decisions the users take from a run, on a store written through the
 * store API with known figures: the K table with its no-draft baseline,
 * speed-up interval and best K; per-suite figures never pooled; the experts
 * rule (paired test) and speed-up over the default count; the -np limit as
 * an option; tier scores in the "54/110" form; select with readiness rules
 * per tier, latency percentiles, budgets per role and per pool, the -np
 * rule, and what bound each choice; the roles file's new keys and their
 * errors; schema v5's server starts, and merge copying them. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/master.h"
#include "report/points.h"
#include "report/roles.h"
#include "report/sweep.h"
#include "store/store.h"
#include "util/mem.h"

static char g_dir[64];
static char *g_db;
static struct store *g_st;
static char g_run[STORE_RUN_ID_MAX];

static void open_store(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/benchai-decisions-XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
    g_db = xasprintf("%s/d.db", g_dir);
    struct bai_error err = {0};
    g_st = store_open(g_db, &err);
    cr_assert_not_null(g_st, "%s", err.msg);
    struct store_run_meta meta = { .host_json = "{}", .plan_json = "{}" };
    cr_assert_eq(store_run_create(g_st, &meta, g_run, &err), 0, "%s", err.msg);
}

static void close_store(void)
{
    store_close(g_st);
    char *rm = xasprintf("rm -rf '%s'", g_dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", g_dir);
    free(rm);
    free(g_db);
}

static int64_t suite(const char *name)
{
    struct bai_error err = {0};
    int64_t id = store_suite_add(g_st, name, 1, name, &err);
    cr_assert_geq(id, 0, "%s", err.msg);
    return id;
}

static int64_t config(const char *label, const char *model, const char *params)
{
    struct bai_error err = {0};
    struct store_config c = { .label = label, .backend = "llama-server", .model = model, .params_json = params };
    int64_t id = store_config_add(g_st, g_run, &c, &err);
    cr_assert_geq(id, 0, "%s", err.msg);
    return id;
}

/* One measured sample; score_value < 0: no score. */
static void sample(int64_t cfg, int64_t su, const char *item, int tier, double gen_tps, double e2e_ms,
                   double t_start, double score_value)
{
    struct bai_error err = {0};
    struct store_sample s = {
        .run_id = g_run, .config_id = cfg, .suite_id = su, .item_id = item, .tier = tier, .status = "ok",
        .output = "x", .ttft_ms = 50, .e2e_ms = e2e_ms, .tpot_ms = -1, .prompt_tokens = 10,
        .completion_tokens = 100, .cached_tokens = -1, .prompt_ms = -1, .prompt_tps = 500, .gen_ms = -1,
        .gen_tps = gen_tps, .draft_n = -1, .draft_accepted = -1, .attempts = 1, .t_start_s = t_start,
    };
    struct store_score sc = { .scorer = "exact", .value = score_value, .passed = score_value >= 1,
                              .status = "scored" };
    cr_assert_geq(store_sample_put(g_st, &s, score_value >= 0 ? &sc : NULL, &err), 0, "%s", err.msg);
}

static void speed_samples(int64_t cfg, int64_t su, const double *tps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char item[32];
        snprintf(item, sizeof item, "s%zu", i);
        sample(cfg, su, item, 0, tps[i], 1000, 1.0 + (double)i, -1);
    }
}

static char *sweep_md(double np_limit)
{
    struct buf out = {0};
    struct bai_error err = {0};
    struct report_sweep_opts o = { .np_p95_limit = np_limit };
    cr_assert_eq(report_sweep_markdown_opts(store_db(g_st), g_run, &o, &out, &err), 0, "%s", err.msg);
    return out.data ? out.data : xstrdup("");
}

/* The K table shows the no-draft baseline the sweep ran, a speed-up column
 * with its interval, and the best K; a config's short-answer suite is never
 * pooled with its speed suite. */
Test(decisions, k_table_baseline_speedup_per_suite, .init = open_store, .fini = close_store)
{
    int64_t speed = suite("speed"), smoke = suite("smoke");
    int64_t base = config("m [k]", "/m/m.gguf", "{\"sweep\":\"k\",\"ctx\":4096}");
    int64_t k2 = config("m draft=d k=2", "/m/m.gguf",
                        "{\"sweep\":\"k\",\"ctx\":4096,\"draft\":\"d\",\"k\":2,\"spec_type\":\"draft-simple\"}");
    int64_t k4 = config("m draft=d k=4", "/m/m.gguf",
                        "{\"sweep\":\"k\",\"ctx\":4096,\"draft\":\"d\",\"k\":4,\"spec_type\":\"draft-simple\"}");
    double b[] = { 400, 410, 390, 405, 395 }, t2[] = { 200, 210, 190, 205, 195 }, t4[] = { 600, 610, 590, 605, 595 };
    speed_samples(base, speed, b, 5);
    speed_samples(k2, speed, t2, 5);
    speed_samples(k4, speed, t4, 5);
    /* k=2 also answered short questions fast: not part of its speed figure */
    double fast[] = { 2000, 2100, 1900 };
    speed_samples(k2, smoke, fast, 3);
    char *md = sweep_md(0);
    cr_assert(strstr(md, "## Sweep: Draft size K (speculative decoding) — m: ctx=4096 draft=d spec_type=draft-simple"
                         " — suite speed"), "%s", md);
    cr_assert(strstr(md, "| none (baseline) | 400.0 |"), "%s", md);
    cr_assert(strstr(md, "| 2 | 200.0 | 200.0 ± 7.9 | 0.50x \\["), "%s", md);
    cr_assert(strstr(md, "| 4 | **600.0** | 600.0 ± 7.9 | 1.50x \\["), "%s", md);
    cr_assert(strstr(md, "| <- best K |"), "%s", md);
    cr_assert(strstr(md, "best K on speed: 4 (600.0 tok/s), 1.50x ["), "%s", md);
    cr_assert(strstr(md, "faster than no draft"), "%s", md);
    /* the smoke suite gets its own table (k=2 only has it, and the
     * baseline did not run it): no speed-up there */
    cr_assert(strstr(md, "— suite smoke"), "%s", md);
    cr_assert(strstr(md, "| 2 | **2000.0** |"), "%s", md);
    cr_assert(strstr(md, "no no-draft baseline of this model with the same settings ran this suite"), "%s", md);
    free(md);
}

/* A draft-model sweep gets the same table against the same baseline. */
Test(decisions, draft_sweep_table, .init = open_store, .fini = close_store)
{
    int64_t speed = suite("speed");
    int64_t base = config("m", "/m/m.gguf", "{\"sweep\":\"d\"}");
    int64_t d1 = config("m draft=a", "/m/m.gguf", "{\"sweep\":\"d\",\"draft\":\"a\",\"k\":8}");
    int64_t d2 = config("m draft=b", "/m/m.gguf", "{\"sweep\":\"d\",\"draft\":\"b\",\"k\":8}");
    double b[] = { 100, 100, 100 }, t1[] = { 150, 150, 150 }, t2[] = { 90, 90, 90 };
    speed_samples(base, speed, b, 3);
    speed_samples(d1, speed, t1, 3);
    speed_samples(d2, speed, t2, 3);
    char *md = sweep_md(0);
    cr_assert(strstr(md, "## Sweep: Draft model (speculative decoding) — m: k=8 — suite speed"), "%s", md);
    cr_assert(strstr(md, "| draft | gen tok/s p50 |"), "%s", md);
    cr_assert(strstr(md, "| a | **150.0** | 150.0 ± 0.0 | 1.50x \\[1.50, 1.50] |"), "%s", md);
    cr_assert(strstr(md, "| b | 90.0 | 90.0 ± 0.0 | 0.90x \\[0.90, 0.90] |"), "%s", md);
    cr_assert(strstr(md, "<- best draft"), "%s", md);
    free(md);
}

/* Experts: speed-up over the default count (the config without an
 * override) and the lowest count whose score is not significantly below
 * the default's, walking down: 4 holds (one item of 20 lost), 2 does not
 * (16 of 20 lost), so 4. */
Test(decisions, experts_rule_and_speedup, .init = open_store, .fini = close_store)
{
    int64_t ip = suite("ip"), speed = suite("speed");
    int64_t def = config("moe", "/m/moe.gguf", "{\"ctx\":4096}");
    int64_t e4 = config("moe experts=4", "/m/moe.gguf", "{\"ctx\":4096,\"experts\":4}");
    int64_t e2 = config("moe experts=2", "/m/moe.gguf", "{\"ctx\":4096,\"experts\":2}");
    for (int i = 0; i < 20; i++) {
        char item[16];
        snprintf(item, sizeof item, "q%02d", i);
        sample(def, ip, item, 1 + i % 3, 100, 1000, 1 + i, 1);
        sample(e4, ip, item, 1 + i % 3, 150, 1000, 1 + i, i == 0 ? 0 : 1);
        sample(e2, ip, item, 1 + i % 3, 200, 1000, 1 + i, i < 16 ? 0 : 1);
    }
    double d[] = { 50, 52, 48 }, f4[] = { 90, 92, 88 }, f2[] = { 120, 122, 118 };
    speed_samples(def, speed, d, 3);
    speed_samples(e4, speed, f4, 3);
    speed_samples(e2, speed, f2, 3);
    char *md = sweep_md(0);
    cr_assert(strstr(md, "| default (no override) | 100.0 |"), "%s", md);
    cr_assert(strstr(md, "| 4 | 150.0 | 150.0 ± 0.0 | 1.50x \\[1.50, 1.50] | 95.0% | -5.0 \\["), "%s", md);
    cr_assert(strstr(md, "| 2 | **200.0** | 200.0 ± 0.0 | 2.00x \\[2.00, 2.00] | 20.0% | -80.0 \\["), "%s", md);
    cr_assert(strstr(md, "<- lowest count holding quality"), "%s", md);
    cr_assert(strstr(md, "paired bootstrap of the per-item score differences"), "%s", md);
    cr_assert(strstr(md, "Result: experts = 4 (at 2: significantly below)."), "%s", md);
    cr_assert(strstr(md, "decision: experts = 4 (quality held on ip); speed-up over the default on speed: 1.80x ["),
              "%s", md);
    /* the speed suite's own table: 90 over 50, not pooled with ip's 150 */
    cr_assert(strstr(md, "| 4 | 90.0 | 90.0 ± 2.0 | 1.80x \\["), "%s", md);
    free(md);
}

/* -np: the p95 limit is an option; 1.5 keeps np=2 (1.4x), 1.3 keeps np=1. */
Test(decisions, np_limit_option, .init = open_store, .fini = close_store)
{
    int64_t speed = suite("speed");
    const double e2e[] = { 1000, 1400, 2500 };
    for (int np = 1, k = 0; np <= 4; np *= 2, k++) {
        char label[32], params[64];
        snprintf(label, sizeof label, "m np=%d", np);
        snprintf(params, sizeof params, "{\"np\":%d}", np);
        int64_t c = config(label, "/m/m.gguf", params);
        /* np requests at once: the same 4 s window holds np times the tokens */
        for (int i = 0; i < 4 * np; i++) {
            char item[16];
            snprintf(item, sizeof item, "s%02d", i);
            sample(c, speed, item, 0, 100, e2e[k], 10.0 + (double)(i / np), -1);
        }
    }
    char *md = sweep_md(0);
    cr_assert(strstr(md, "| 2 | **"), "np=2 chosen at 1.5x:\n%s", md);
    cr_assert(strstr(md, "at most 1.5x np=1's"), "%s", md);
    free(md);
    md = sweep_md(1.3);
    cr_assert(strstr(md, "| 1 | **"), "np=1 chosen at 1.3x:\n%s", md);
    cr_assert(strstr(md, "at most 1.3x np=1's"), "%s", md);
    free(md);
}

static void load_points(struct report_points *pts)
{
    struct report_filter f = {0};
    struct bai_error err = {0};
    cr_assert_eq(report_points_load(g_st, &f, pts, &err), 0, "%s", err.msg);
}

/* Per-tier scores in the "54/110" form, beside the suite's. */
Test(decisions, tier_table, .init = open_store, .fini = close_store)
{
    int64_t ip = suite("ip");
    int64_t c = config("m", "/m/m.gguf", "{}");
    /* T1: 4 of 4, T2: 2 of 4, T3: 1 of 2; item without a tier counts for the suite only */
    const int tier[] = { 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 0 };
    const double v[] = { 1, 1, 1, 1, 1, 1, 0, 0, 1, 0, 1 };
    for (int i = 0; i < 11; i++) {
        char item[16];
        snprintf(item, sizeof item, "i%02d", i);
        sample(c, ip, item, tier[i], 100, 1000, 1 + i, v[i]);
    }
    struct report_points pts;
    load_points(&pts);
    cr_assert_eq(pts.n, 1);
    const struct report_suite_score *s = report_point_suite(&pts.v[0], "ip");
    cr_assert_eq(s->n_tiers, 3);
    cr_assert_eq(s->tiers[1].tier, 2);
    cr_assert_eq(s->tiers[1].n, 4);
    cr_assert_float_eq(s->tiers[1].mean, 0.5, 1e-12);
    struct report_table t;
    cr_assert_eq(report_master_tiers(&pts, &t), 1);
    cr_assert_str_eq(t.cols[3], "T1");
    cr_assert_str_eq(report_table_cell(&t, 0, 3)->text, "100.0 (4/4)");
    cr_assert_str_eq(report_table_cell(&t, 0, 4)->text, "50.0 (2/4)");
    cr_assert_str_eq(report_table_cell(&t, 0, 5)->text, "50.0 (1/2)");
    cr_assert_str_eq(report_table_cell(&t, 0, 6)->text, "72.7 (8/11)");
    report_table_free(&t);
    report_points_free(&pts);
}

static void start(int64_t cfg, double rss_peak_gb, double gpu_gb)
{
    struct bai_error err = {0};
    struct store_server_start s = {
        .config_id = cfg, .seq = 0, .load_ms = 1500, .rss_loaded_bytes = (int64_t)(rss_peak_gb * 0.9e9),
        .rss_peak_bytes = (int64_t)(rss_peak_gb * 1e9), .gpu_loaded_bytes = gpu_gb < 0 ? -1 : (int64_t)(gpu_gb * 1e9),
        .gpu_peak_bytes = gpu_gb < 0 ? -1 : (int64_t)(gpu_gb * 1e9),
        .gpu_source = gpu_gb < 0 ? "unavailable: no driver here" : "nvml",
        .model_bytes = -1, .kv_bytes = -1, .compute_bytes = -1, .layers_offloaded = -1, .layers_total = -1,
        .first_ttft_ms = -1, .first_e2e_ms = -1, .first_gen_tps = -1, .first_prompt_tps = -1, .first_tokens = -1,
    };
    cr_assert_eq(store_server_start_put(g_st, g_run, &s, &err), 0, "%s", err.msg);
}

/* Four configurations with known score per tier, speed, latency and memory. */
static void select_store(void)
{
    int64_t ip = suite("ip");
    struct { const char *label; double tps, e2e, mem, gpu; } c[] = {
        { "big", 20, 9000, 30, 11 },  /* T1 4/4, T2 4/4 */
        { "mid", 40, 4000, 20, 6 },   /* T1 4/4, T2 3/4 */
        { "small", 80, 2000, 8, 2 },  /* T1 3/4, T2 3/4 */
        { "fast", 120, 20000, 5, -1 },/* T1 4/4, T2 4/4, slow tail, GPU not measured */
    };
    const int t1[] = { 4, 4, 3, 4 }, t2[] = { 4, 3, 3, 4 };
    for (int k = 0; k < 4; k++) {
        char model[64];
        snprintf(model, sizeof model, "/m/%s.gguf", c[k].label);
        int64_t id = config(c[k].label, model, "{}");
        for (int i = 0; i < 8; i++) {
            char item[16];
            snprintf(item, sizeof item, "i%d", i);
            int tier = i < 4 ? 1 : 2;
            int pass = tier == 1 ? i < t1[k] : i - 4 < t2[k];
            sample(id, ip, item, tier, c[k].tps, c[k].e2e, 1 + i, pass);
        }
        start(id, c[k].mem, c[k].gpu);
    }
}

static const struct report_candidate *find(const struct report_selection *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (!strcmp(s->c[i].p->label, name))
            return &s->c[i];
    return NULL;
}

Test(decisions, select_tiers_latency_budget_bound_by, .init = open_store, .fini = close_store)
{
    select_store();
    struct report_points pts;
    load_points(&pts);
    const char *yaml =
        "roles:\n"
        "  worker:\n"
        "    suites: [ip]\n"
        "    tiers: {1: 100, 2: 75}\n"
        "    constraints: {max_e2e_p95_ms: 15000}\n"
        "    budget: {memory_gb: 25}\n"
        "    prefer: speed\n";
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_parse(yaml, strlen(yaml), "mem.yaml", &roles, &err), 0, "%s", err.msg);
    cr_assert_eq(roles.v[0].n_tiers, 2);
    cr_assert_float_eq(roles.v[0].max_latency_ms[REPORT_LAT_E2E][REPORT_LAT_P95], 15000, 0);
    struct report_selection sel;
    report_select_all(&roles, &pts, 0, NULL, &sel);
    /* fast: E2E p95 20000 > 15000; small: T1 75% < 100%; big: 30 GB > 25;
     * mid: T2 75% meets 75%: selected */
    cr_assert_eq(sel.n_eligible, 1);
    cr_assert_str_eq(sel.c[sel.chosen].p->label, "mid");
    cr_assert(strstr(find(&sel, "fast")->excluded, "E2E p95 20000 ms > max 15000 ms"), "%s", find(&sel, "fast")->excluded);
    cr_assert(strstr(find(&sel, "small")->excluded, "T1 75.0% (3/4) < 100%"), "%s", find(&sel, "small")->excluded);
    cr_assert(strstr(find(&sel, "big")->excluded, "memory 30.00 GB > budget 25 GB"), "%s", find(&sel, "big")->excluded);
    /* faster than mid and excluded: fast (latency) and small (tiers); big is slower */
    cr_assert_str_eq(sel.bound_by, "tiers (1 better config excluded), latency (1 better config excluded)");
    report_selection_free(&sel);
    report_roles_free(&roles);
    report_points_free(&pts);
}

/* A pool of two roles within 30 GB and 12 GB of GPU memory: the first role
 * keeps the best choice that still lets the second fit beside it. */
Test(decisions, pool_budget_moves_a_choice, .init = open_store, .fini = close_store)
{
    select_store();
    struct report_points pts;
    load_points(&pts);
    const char *yaml =
        "roles:\n"
        "  architect:\n"
        "    suites: [ip]\n"
        "    prefer: quality\n"
        "  helper:\n"
        "    suites: [ip]\n"
        "    constraints: {max_e2e_p95_ms: 5000}\n"
        "    prefer: speed\n"
        "pools:\n"
        "  hot:\n"
        "    roles: [architect, helper]\n"
        "    budget: {memory_gb: 30, gpu_gb: 12}\n";
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_parse(yaml, strlen(yaml), "mem.yaml", &roles, &err), 0, "%s", err.msg);
    cr_assert_eq(roles.n_pools, 1);
    struct report_selection sel[2];
    report_select_all(&roles, &pts, 0, NULL, sel);
    /* alone: architect = fast (100%, the fastest of the two at 100%; 5 GB
     * but its GPU memory was not measured), helper = small (80 tok/s, 8 GB,
     * 2 GB GPU; fast's tail is too slow for it). Together: fast cannot be
     * shown to fit the GPU budget, big + small = 38 GB > 30, mid + small =
     * 28 GB and 8 GB GPU fit. */
    cr_assert_str_eq(sel[0].c[0].p->label, "fast");
    cr_assert_str_eq(sel[0].c[sel[0].chosen].p->label, "mid", "%s", sel[0].pool_note);
    cr_assert_str_eq(sel[1].c[sel[1].chosen].p->label, "small");
    cr_assert(strstr(sel[0].pool_note, "its best alone (fast, 5.00 GB) did not fit"), "%s", sel[0].pool_note);
    cr_assert(strstr(sel[0].pool_note, "the pool uses 28.00 of 30 GB, 8.00 of 12 GB GPU"), "%s", sel[0].pool_note);
    cr_assert(strstr(sel[0].bound_by, "pool hot budget"), "%s", sel[0].bound_by);
    cr_assert(strstr(sel[1].pool_note, "its best fits"), "%s", sel[1].pool_note);
    for (int i = 0; i < 2; i++)
        report_selection_free(&sel[i]);
    report_roles_free(&roles);
    report_points_free(&pts);
}

/* select applies the -np rule: a point whose p95 E2E exceeds the limit
 * times its np=1 point's is excluded (role limit over the default). */
Test(decisions, select_np_rule, .init = open_store, .fini = close_store)
{
    int64_t ip = suite("ip");
    const double e2e[] = { 1000, 2000 };
    for (int k = 0; k < 2; k++) {
        char label[32], params[32];
        snprintf(label, sizeof label, "m np=%d", k + 1);
        snprintf(params, sizeof params, "{\"np\":%d}", k + 1);
        int64_t c = config(label, "/m/m.gguf", params);
        for (int i = 0; i < 4; i++) {
            char item[16];
            snprintf(item, sizeof item, "i%d", i);
            sample(c, ip, item, 0, k ? 200 : 100, e2e[k], 1 + i, 1);
        }
    }
    struct report_points pts;
    load_points(&pts);
    const char *yaml = "roles:\n  a:\n    suites: [ip]\n    prefer: speed\n"
                       "  b:\n    suites: [ip]\n    constraints: {np_p95_limit: 2.5}\n    prefer: speed\n";
    struct report_roles roles;
    struct bai_error err = {0};
    cr_assert_eq(report_roles_parse(yaml, strlen(yaml), "mem.yaml", &roles, &err), 0, "%s", err.msg);
    struct report_selection sel[2];
    report_select_all(&roles, &pts, 0, NULL, sel);
    cr_assert_str_eq(sel[0].c[sel[0].chosen].p->label, "m np=1");
    cr_assert(strstr(find(&sel[0], "m np=2")->excluded, "-np: p95 E2E 2.00x np=1's > 1.5x"), "%s",
              find(&sel[0], "m np=2")->excluded);
    cr_assert_str_eq(sel[1].c[sel[1].chosen].p->label, "m np=2");
    for (int i = 0; i < 2; i++)
        report_selection_free(&sel[i]);
    /* --np-p95-limit 3 for roles without their own */
    report_select_all(&roles, &pts, 3, NULL, sel);
    cr_assert_str_eq(sel[0].c[sel[0].chosen].p->label, "m np=2");
    for (int i = 0; i < 2; i++)
        report_selection_free(&sel[i]);
    report_roles_free(&roles);
    report_points_free(&pts);
}

Test(decisions, roles_file_errors)
{
    struct {
        const char *yaml, *want;
    } cases[] = {
        { "roles:\n  a:\n    suites: [x]\n    tiers: {4: 120}\n", "mem.yaml:4:16: role a: tiers: a minimum is a percentage" },
        { "roles:\n  a:\n    suites: [x]\n    tiers: {zero: 50}\n", "mem.yaml:4:13: role a: tiers: expected a tier number" },
        { "roles:\n  a:\n    suites: [x]\n    budget: {ram_gb: 4}\n", "role a: budget: unknown key 'ram_gb' (memory_gb, gpu_gb)" },
        { "roles:\n  a:\n    suites: [x]\n    constraints: {max_e2e_p97_ms: 4}\n", "unknown constraint 'max_e2e_p97_ms'" },
        { "roles:\n  a:\n    suites: [x]\n    constraints: {np_p95_limit: 0.5}\n", "np_p95_limit is a multiple" },
        { "roles:\n  a:\n    suites: [x]\npools:\n  hot:\n    roles: [a, b]\n    budget: {memory_gb: 4}\n",
          "mem.yaml:6:16: pool hot: no role 'b' in roles" },
        { "roles:\n  a:\n    suites: [x]\npools:\n  hot:\n    roles: [a]\n", "pool hot: budget is required" },
        { "roles:\n  a:\n    suites: [x]\npools:\n  hot:\n    roles: [a]\n    budget: {}\n",
          "pool hot: budget: give memory_gb or gpu_gb" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct report_roles roles;
        struct bai_error err = {0};
        cr_assert_eq(report_roles_parse(cases[i].yaml, strlen(cases[i].yaml), "mem.yaml", &roles, &err), -1,
                     "case %zu accepted", i);
        cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
        cr_assert(strstr(err.msg, cases[i].want), "case %zu: %s", i, err.msg);
    }
}

/* Schema v5: server starts are stored per config, read back in order, and
 * merge copies them after the destination's own. */
Test(decisions, server_starts_store_and_merge, .init = open_store, .fini = close_store)
{
    int64_t c = config("m", "/m/m.gguf", "{}");
    struct bai_error err = {0};
    cr_assert_eq(store_server_start_next_seq(g_st, c, &err), 0);
    start(c, 1.5, -1);
    cr_assert_eq(store_server_start_next_seq(g_st, c, &err), 1);
    struct store_server_start_info *v;
    size_t n;
    cr_assert_eq(store_config_starts(store_db(g_st), c, &v, &n, &err), 0, "%s", err.msg);
    cr_assert_eq(n, 1);
    cr_assert_eq(v[0].s.rss_peak_bytes, 1500000000);
    cr_assert_eq(v[0].s.gpu_peak_bytes, -1);
    cr_assert_str_eq(v[0].gpu_source, "unavailable: no driver here");
    store_server_starts_free(v, n);
    struct report_resources res;
    cr_assert_eq(report_resources_load(store_db(g_st), c, &res, &err), 0);
    cr_assert_float_eq(res.load_ms, 1500, 0);
    cr_assert_str_eq(res.gpu_note, "no driver here");
    cr_assert(isnan(res.gpu_bytes));
    /* a second store with the same run and config label, one start */
    char *other = xasprintf("%s/o.db", g_dir);
    struct store *o = store_open(other, &err);
    cr_assert_not_null(o, "%s", err.msg);
    char run[STORE_RUN_ID_MAX];
    struct store_run_meta meta = { .host_json = "{}", .plan_json = "{}", .run_id = g_run };
    cr_assert_eq(store_run_create(o, &meta, run, &err), 0, "%s", err.msg);
    struct store_config cfg = { .label = "m", .backend = "llama-server", .model = "/m/m.gguf", .params_json = "{}" };
    int64_t oc = store_config_add(o, run, &cfg, &err);
    struct store_server_start s = { .config_id = oc, .t = "2026-01-01T00:00:00Z", .load_ms = 999,
                                    .rss_loaded_bytes = 5, .rss_peak_bytes = 3000000000LL, .gpu_loaded_bytes = -1,
                                    .gpu_peak_bytes = -1, .model_bytes = -1, .kv_bytes = -1, .compute_bytes = -1,
                                    .layers_offloaded = -1, .layers_total = -1, .first_ttft_ms = -1,
                                    .first_e2e_ms = -1, .first_gen_tps = -1, .first_prompt_tps = -1,
                                    .first_tokens = -1 };
    cr_assert_eq(store_server_start_put(o, run, &s, &err), 0, "%s", err.msg);
    store_close(o);
    struct store_merge_stats stats = {0};
    cr_assert_eq(store_merge(g_st, other, &stats, NULL, &err), 0, "%s", err.msg);
    cr_assert_eq(store_merge(g_st, other, &stats, NULL, &err), 0, "%s", err.msg);   /* twice: no duplicate */
    cr_assert_eq(store_config_starts(store_db(g_st), c, &v, &n, &err), 0);
    cr_assert_eq(n, 2);
    cr_assert_eq(v[1].s.seq, 1);
    cr_assert_float_eq(v[1].s.load_ms, 999, 0);
    store_server_starts_free(v, n);
    cr_assert_eq(report_resources_load(store_db(g_st), c, &res, &err), 0);
    cr_assert_float_eq(res.rss_peak_bytes, 3e9, 0, "the peak over every start");
    cr_assert_float_eq(res.load_ms_max, 1500, 0);
    free(other);
}

/* The sweep tables come from the settings table: a setting report/sweep.c
 * never names (threads_batch; a request setting, temperature; a word
 * setting, cache_type_k) gets its table, headed by the setting's column,
 * with the values as they were set (0.7 stays 0.7). Before, only a fixed
 * list of ten axes had tables. */
Test(decisions, any_setting_of_the_table_gets_its_sweep_table, .init = open_store, .fini = close_store)
{
    int64_t speed = suite("speed");
    double slow[] = { 100, 101, 99 }, fast[] = { 150, 151, 149 };
    speed_samples(config("m tb=1", "/m/m.gguf", "{\"sweep\":\"tb\",\"threads_batch\":1}"), speed, slow, 3);
    speed_samples(config("m tb=2", "/m/m.gguf", "{\"sweep\":\"tb\",\"threads_batch\":2}"), speed, fast, 3);
    speed_samples(config("n temperature=0.2", "/m/n.gguf", "{\"sweep\":\"t\",\"temperature\":0.2}"), speed, slow, 3);
    speed_samples(config("n temperature=0.7", "/m/n.gguf", "{\"sweep\":\"t\",\"temperature\":0.7}"), speed, fast, 3);
    speed_samples(config("o ctk=f16", "/m/o.gguf", "{\"sweep\":\"c\",\"cache_type_k\":\"f16\"}"), speed, slow, 3);
    speed_samples(config("o ctk=q8_0", "/m/o.gguf", "{\"sweep\":\"c\",\"cache_type_k\":\"q8_0\"}"), speed, fast, 3);
    char *md = sweep_md(0);
    cr_assert(strstr(md, "| threads_batch | gen tok/s p50 |"), "%s", md);
    cr_assert(strstr(md, "| 2 | **150.0** |"), "%s", md);
    cr_assert(strstr(md, "| temperature | gen tok/s p50 |"), "%s", md);
    cr_assert(strstr(md, "| 0.7 | **150.0** |"), "%s", md);
    cr_assert(strstr(md, "| cache_type_k | gen tok/s p50 |"), "%s", md);
    cr_assert(strstr(md, "| q8_0 | **150.0** |"), "%s", md);
    free(md);
}
