/* test_plan.c - plan parsing, expansion and the pre-launch checks, on the
 * registry fixture tests/data/plan/models.yaml (which points at the GGUF
 * fixtures in tests/data/gguf). Expected counts and orders are worked out
 * by hand next to each test. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "plan/plan.h"

#define DIR "tests/data/plan"
#define REG DIR "/models.yaml"

static struct plan *parse(const char *yaml, struct bai_error *err)
{
    return plan_parse_string(yaml, "t.yaml", DIR, REG, err);
}

static struct plan *parse_expand(const char *yaml)
{
    struct bai_error err = {0};
    struct plan *p = parse(yaml, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(plan_expand(p, &err), 0, "%s", err.msg);
    return p;
}

/* Grid: k (2 values) outer, np (3 values) inner -> 6 points, np fastest. */
Test(plan, grid_count_and_order)
{
    struct plan *p = parse_expand("sweeps:\n"
                                  "  - model: dense\n    draft: dense-draft\n"
                                  "    k: [1, 2]\n    np: [1, 2, 4]\n");
    static const char *labels[] = {
        "dense draft=dense-draft k=1 np=1", "dense draft=dense-draft k=1 np=2",
        "dense draft=dense-draft k=1 np=4", "dense draft=dense-draft k=2 np=1",
        "dense draft=dense-draft k=2 np=2", "dense draft=dense-draft k=2 np=4"};
    cr_assert_eq(p->n_points, 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(p->points[i].label, labels[i]);
    cr_assert_eq(settings_int(&p->points[4].settings, SETTING_K, 0), 2);
    cr_assert_eq(settings_int(&p->points[4].settings, SETTING_NP, 0), 2);
    int ngl;
    cr_assert_eq(settings_lookup("ngl", &ngl), 0);
    cr_assert_not(settings_is_set(&p->points[4].settings, ngl), "unset ngl keeps the server default");
    cr_assert_str_eq(p->points[0].sweep, "sweep1");
    plan_free(p);
}

/* Zip: the i-th values together; a single value is repeated. */
Test(plan, zip_pairs_values)
{
    struct plan *p = parse_expand("sweeps:\n"
                                  "  - model: dense\n    mode: zip\n"
                                  "    threads: [1, 2, 4]\n    np: [4, 2, 1]\n    ctx: 512\n");
    cr_assert_eq(p->n_points, 3);
    int threads[] = {1, 2, 4}, np[] = {4, 2, 1};
    for (size_t i = 0; i < 3; i++) {
        cr_assert_eq(settings_int(&p->points[i].settings, SETTING_THREADS, 0), threads[i]);
        cr_assert_eq(settings_int(&p->points[i].settings, SETTING_NP, 0), np[i]);
        cr_assert_eq(settings_int(&p->points[i].settings, SETTING_CTX, 0), 512);
    }
    plan_free(p);
}

Test(plan, zip_length_mismatch_is_an_error)
{
    struct bai_error err = {0};
    struct plan *p = parse("sweeps:\n  - model: dense\n    mode: zip\n    threads: [1, 2]\n"
                           "    np: [1, 2, 4]\n", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(plan_expand(p, &err), -1);
    /* np's values start at line 5, column 9 */
    cr_assert(strstr(err.msg, "t.yaml:5:9") && strstr(err.msg, "3 values"), "%s", err.msg);
    plan_free(p);
}

/* draft [none, dense-draft] x k [2, 4]: the no-draft points lose k and
 * collapse into one baseline -> 1 + 2 points. */
Test(plan, baseline_without_draft_appears_once)
{
    struct plan *p = parse_expand("sweeps:\n  - model: dense\n    draft: [none, dense-draft]\n"
                                  "    spec_type: draft-simple\n    k: [2, 4]\n");
    cr_assert_eq(p->n_points, 3);
    cr_assert_str_eq(p->points[0].label, "dense");
    cr_assert_null(p->points[0].draft);
    cr_assert_not(settings_is_set(&p->points[0].settings, SETTING_K));
    cr_assert_null(settings_text(&p->points[0].settings, SETTING_SPEC_TYPE));
    cr_assert_str_eq(p->points[2].label, "dense draft=dense-draft k=4");
    cr_assert_str_eq(settings_text(&p->points[2].settings, SETTING_SPEC_TYPE), "draft-simple");
    plan_free(p);
}

/* The same K sweep after a sweep that already measured "dense": its
 * baseline is renamed "dense [k]" and must still appear once (it ran once
 * per K before: 1 + 4 + 2 points instead of 1 + 1 + 2). */
Test(plan, renamed_baseline_appears_once)
{
    struct plan *p = parse_expand("sweeps:\n  - name: quality\n    model: dense\n"
                                  "  - name: k\n    model: dense\n    draft: [none, dense-draft]\n"
                                  "    spec_type: draft-simple\n    k: [2, 4, 8, 16]\n");
    static const char *labels[] = { "dense", "dense [k]", "dense draft=dense-draft k=2",
                                    "dense draft=dense-draft k=4", "dense draft=dense-draft k=8",
                                    "dense draft=dense-draft k=16" };
    cr_assert_eq(p->n_points, 6);
    for (size_t i = 0; i < 6; i++)
        cr_assert_str_eq(p->points[i].label, labels[i]);
    plan_free(p);
}

Test(plan, experts_above_expert_count_fail_before_launch)
{
    struct plan *p = parse_expand("sweeps:\n  - model: moe\n    experts: [2, 9]\n");
    struct bai_error err = {0};
    cr_assert_eq(plan_check(p, &err), -1);
    /* moe.gguf has llama.expert_count 8 */
    cr_assert(strstr(err.msg, "moe experts=9") && strstr(err.msg, "expert_count 8"), "%s", err.msg);
    plan_free(p);

    p = parse_expand("sweeps:\n  - model: moe\n    experts: [1, 8]\n");
    cr_assert_eq(plan_check(p, &err), 0, "%s", err.msg);
    cr_assert_str_eq(p->points[0].model->arch, "llama", "arch read from the GGUF");
    plan_free(p);

    p = parse_expand("sweeps:\n  - model: dense\n    experts: 2\n");
    cr_assert_eq(plan_check(p, &err), -1);
    cr_assert(strstr(err.msg, "not a mixture-of-experts"), "%s", err.msg);
    plan_free(p);
}

Test(plan, vocab_mismatch_skips_the_point)
{
    struct plan *p = parse_expand("sweeps:\n  - model: dense\n    draft: [dense-draft, other, small]\n"
                                  "    k: 4\n");
    struct bai_error err = {0};
    cr_assert_eq(plan_check(p, &err), 0, "%s", err.msg);
    cr_assert_eq(p->n_points, 3);
    cr_assert_null(p->points[0].skip_reason);
    cr_assert(p->points[1].skip_reason && !strncmp(p->points[1].skip_reason, "vocab mismatch (other:", 22),
              "%s", p->points[1].skip_reason);
    cr_assert_str_eq(p->points[2].skip_reason, "vocab mismatch (small: vocab size 6 vs 8)");
    /* skipped points cost nothing in the estimate */
    double all = plan_estimate_seconds(p, NULL);
    double one = plan_point_estimate_seconds(&p->points[0], NULL);
    cr_assert_float_eq(all, one, 1e-9);
    plan_free(p);
}

Test(plan, missing_model_file_is_an_error)
{
    struct bai_error err = {0};
    struct plan *p = parse_expand("sweeps:\n  - model: tests/data/gguf/absent.gguf\n");
    cr_assert_str_eq(p->points[0].model->name, "absent");
    cr_assert_eq(plan_check(p, &err), -1);
    cr_assert(strstr(err.msg, "absent.gguf"), "%s", err.msg);
    plan_free(p);
}

Test(plan, plan_file_with_defaults_and_overrides)
{
    struct bai_error err = {0};
    struct plan *p = plan_load(DIR "/plan_ok.yaml", NULL, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(plan_expand(p, &err), 0, "%s", err.msg);
    /* ks: 2 x 3 = 6, ex: 2 -> 8 */
    cr_assert_eq(p->n_points, 8);
    cr_assert_str_eq(p->name, "fixture");
    cr_assert_float_eq(p->time_budget_s, 5400.0, 1e-9);
    cr_assert_eq(settings_int(&p->points[0].settings, SETTING_THREADS, 0), 2, "from defaults");
    cr_assert_eq(p->points[0].reps, 2);
    cr_assert_eq(p->points[0].n_suites, 1);
    cr_assert_str_eq(p->points[0].suites[0], "s1.yaml");
    cr_assert_eq(p->points[7].reps, 1, "sweep override");
    cr_assert_eq(p->points[7].n_suites, 2);
    cr_assert_str_eq(p->points[7].label, "moe experts=8");
    cr_assert_eq(plan_check(p, &err), 0, "%s", err.msg);
    cJSON *j = plan_point_params_json(&p->points[7]);
    cr_assert_eq(cJSON_GetObjectItem(j, "experts")->valueint, 8);
    cr_assert_null(cJSON_GetObjectItem(j, "ngl"), "unset settings are left out");
    cr_assert_null(cJSON_GetObjectItem(j, "draft"));
    cJSON_Delete(j);
    /* 2 reps cost more than 1 on the same model */
    cr_assert_gt(plan_point_estimate_seconds(&p->points[0], NULL), 0);
    plan_free(p);
}

Test(plan, yaml_errors_name_file_line_col)
{
    struct bai_error err = {0};
    cr_assert_null(parse("sweeps:\n  - model: dense\n    kk: [1]\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:3:5: unknown sweep key 'kk'"), "%s", err.msg);
    cr_assert_null(parse("sweeps:\n  - model: dense\n    k: [1, x]\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:3:8") && strstr(err.msg, "integer"), "%s", err.msg);
    cr_assert_null(parse("defaults:\n  np: [1, 2]\nsweeps:\n  - model: dense\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:2:7") && strstr(err.msg, "one value"), "%s", err.msg);
    cr_assert_null(parse("sweeps: [\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:"), "%s", err.msg);
    cr_assert_null(parse("sweeps:\n  - model: dense\n    draft: [${HOME}/a.gguf]\n", &err));
    cr_assert(strstr(err.msg, "t.yaml:3:") && strstr(err.msg, "quote values with ${...}"), "%s", err.msg);
    cr_assert_null(parse("plan: x\n", &err));
    cr_assert(strstr(err.msg, "no sweeps"), "%s", err.msg);
    cr_assert_null(parse("sweeps:\n  - model: dense\n    mode: diagonal\n", &err));
    cr_assert(strstr(err.msg, "grid or zip"), "%s", err.msg);
    struct plan_registry reg = {0};
    cr_assert_eq(plan_registry_load(&reg, DIR "/bad_key.yaml", &err), -1);
    cr_assert(strstr(err.msg, "bad_key.yaml:4:5: unknown model key 'colour'"), "%s", err.msg);
    plan_registry_free(&reg);
}

Test(plan, unknown_model_name_is_an_error)
{
    struct bai_error err = {0};
    struct plan *p = parse("sweeps:\n  - model: nosuch\n", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(plan_expand(p, &err), -1);
    cr_assert(strstr(err.msg, "'nosuch' is not in the registry"), "%s", err.msg);
    plan_free(p);
}

Test(plan, sweep_strings)
{
    struct plan_axis a;
    struct bai_error err = {0};
    cr_assert_eq(plan_parse_sweep("k=2,4,8", &a, &err), 0, "%s", err.msg);
    cr_assert_eq(a.id, SETTING_K);
    cr_assert_eq(a.n_values, 3);
    cr_assert_str_eq(a.values[2], "8");
    plan_axis_free(&a);
    cr_assert_eq(plan_parse_sweep("np=1..4", &a, &err), 0, "%s", err.msg);
    cr_assert_eq(a.n_values, 4);
    cr_assert_str_eq(a.values[3], "4");
    plan_axis_free(&a);
    /* 1, 3, 5, 7 */
    cr_assert_eq(plan_parse_sweep("parallel=1..8:2", &a, &err), 0, "%s", err.msg);
    cr_assert_eq(a.id, SETTING_NP);
    cr_assert_eq(a.n_values, 4);
    cr_assert_str_eq(a.values[3], "7");
    plan_axis_free(&a);
    cr_assert_eq(plan_parse_sweep("flags=--mlock|--no-mmap -b 64", &a, &err), 0, "%s", err.msg);
    cr_assert_eq(a.n_values, 2);
    cr_assert_str_eq(a.values[1], "--no-mmap -b 64");
    plan_axis_free(&a);
    cr_assert_eq(plan_parse_sweep("fa=on,off", &a, &err), 0, "%s", err.msg);
    plan_axis_free(&a);

    const char *bad[][2] = {
        {"k", "want NAME=V1"}, {"=1", "want NAME=V1"}, {"speed=1", "unknown axis 'speed'"},
        {"k=", "empty value"}, {"k=2,", "empty value"}, {"k=a", "wants an integer"},
        {"k=0", "below 1"}, {"k=2,2", "given twice"}, {"np=4..1", "bad range"},
        {"fa=maybe", "one of on, off, auto"}, {"np=1..100000", "too many values"},
        {"spec_type=draft simple", "contains a space"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cr_assert_eq(plan_parse_sweep(bad[i][0], &a, &err), -1, "%s accepted", bad[i][0]);
        cr_assert(strstr(err.msg, bad[i][1]), "%s -> %s", bad[i][0], err.msg);
    }
}

Test(plan, cli_plan)
{
    const char *models[] = {"moe"}, *drafts[] = {"none"}, *sweeps[] = {"experts=1,2", "np=1,2"};
    const char *suites[] = {"suites/v1/smoke.yaml"};
    struct plan_cli cli = { .models = models, .n_models = 1, .drafts = drafts, .n_drafts = 1, .sweeps = sweeps,
                            .n_sweeps = 2, .suites = suites, .n_suites = 1, .reps = -1, .warmup = 3,
                            .concurrency = -1, .models_path = REG };
    struct bai_error err = {0};
    struct plan *p = plan_from_cli(&cli, &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(p->n_points, 4);
    cr_assert_str_eq(p->points[1].label, "moe experts=1 np=2");
    cr_assert_eq(p->points[1].warmup, 3);
    cr_assert_eq(p->points[1].reps, 1);
    plan_free(p);

    const char *dup[] = {"k=1", "k=2"};
    cli.sweeps = dup;
    cr_assert_null(plan_from_cli(&cli, &err));
    cr_assert(strstr(err.msg, "given twice"), "%s", err.msg);
    cli.n_models = 0;
    cr_assert_null(plan_from_cli(&cli, &err));
    cr_assert(strstr(err.msg, "no model"), "%s", err.msg);
}

Test(plan, path_expansion)
{
    struct bai_error err = {0};
    setenv("BENCHAI_T_DIR", "/opt/m", 1);
    unsetenv("BENCHAI_T_UNSET");
    setenv("HOME", "/home/u", 1);
    char *s = plan_expand_path("${BENCHAI_T_DIR}/a.gguf", "/base", &err);
    cr_assert_str_eq(s, "/opt/m/a.gguf");
    free(s);
    s = plan_expand_path("${BENCHAI_T_UNSET:-rel}/a.gguf", "/base", &err);
    cr_assert_str_eq(s, "/base/rel/a.gguf", "relative -> base_dir");
    free(s);
    s = plan_expand_path("~/m.gguf", NULL, &err);
    cr_assert_str_eq(s, "/home/u/m.gguf");
    free(s);
    cr_assert_null(plan_expand_path("${BENCHAI_T_UNSET}/a", NULL, &err));
    cr_assert(strstr(err.msg, "BENCHAI_T_UNSET is not set"), "%s", err.msg);
    cr_assert_null(plan_expand_path("${BENCHAI_T_DIR", NULL, &err));
    unsetenv("BENCHAI_MODELS");
    setenv("XDG_CACHE_HOME", "/c", 1);
    s = plan_expand_path("${BENCHAI_MODELS}/x.gguf", NULL, &err);
    cr_assert_str_eq(s, "/c/benchai/models/current/x.gguf");
    free(s);
}

Test(plan, durations)
{
    cr_assert_float_eq(plan_parse_duration("90"), 90, 1e-9);
    cr_assert_float_eq(plan_parse_duration("15m"), 900, 1e-9);
    cr_assert_float_eq(plan_parse_duration("8h"), 28800, 1e-9);
    cr_assert_float_eq(plan_parse_duration("1h30m"), 5400, 1e-9);
    cr_assert_lt(plan_parse_duration("soon"), 0);
    cr_assert_lt(plan_parse_duration("5d"), 0);
    cr_assert_lt(plan_parse_duration(""), 0);
}

/* The shipped plans parse and expand (model files need not exist for that). */
Test(plan, shipped_plans_parse)
{
    const char *files[] = {"benchmarks/demo.yaml", "benchmarks/overnight.example.yaml"};
    for (size_t i = 0; i < 2; i++) {
        struct bai_error err = {0};
        struct plan *p = plan_load(files[i], NULL, &err);
        cr_assert_not_null(p, "%s: %s", files[i], err.msg);
        cr_assert_eq(plan_expand(p, &err), 0, "%s: %s", files[i], err.msg);
        cr_assert_gt(p->n_points, 3);
        plan_free(p);
    }
}
