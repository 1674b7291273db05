/* test_compare.c - compare and gate on a store built here with known
 * answers. Every expected number is worked out by hand next to the data:
 *
 *   base   (tag prod)  config L = "dense <q&a> \"x\"" (escaping in JUnit)
 *     pf        v1 sha A1  100 items, item i passes iff i < 60       -> 60.0
 *     pf_small  v1 sha A1   50 items, passes iff i < 25              -> 50.0
 *     cont      v1 sha A1   40 items, value 0.50 + 0.01*(i%5), no pass/fail
 *     hashy     v1 sha H1   10 items, all pass
 *     gen_tps = 50 + i%10 on every sample, ttft_ms = 100 + i%7
 *   bad: pf items 0..11 fail (b=12, c=0: delta -12 pp, McNemar p = 2/2^12);
 *        pf_small items 0,1,2 fail and 30 passes (b=3, c=1: delta -4 pp,
 *        p = 2*(1+4)/16 = 0.625, NOT significant: must pass the gate);
 *        cont every value - 0.05 (delta exactly -5 pp, CI [-5, -5]);
 *        hashy with sha H2 (not paired); gen_tps x 0.8 (ratio exactly 0.8).
 *   ok:  like base but the pf_small change of bad, p099's request failed
 *        (no score row: a store written before failures were stored);
 *        gen_tps x 0.99.
 *   slow: like base, gen_tps x 0.8 only.
 *   other: suite zzz only (no items in common with base).
 *   lone:  config "solo", pf identical to base (single configs are paired).
 *   Every config above: backend openai, model "tiny", params {"np":1}.
 *   swap:  config "echo", backend command, model "echo", no params, pf
 *          identical to base: a swapped run id (issue 17 item 1).
 *   np4:   config LABEL with params {"np":4}, pf identical to base.
 */
#include <criterion/criterion.h>
#include <criterion/redirect.h>
#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "harness.h"
#include "report/compare.h"
#include "report/gate.h"
#include "store/store.h"
#include "util/mem.h"

#define LABEL "dense <q&a> \"x\""

enum variant { V_BASE, V_BAD, V_OK, V_SLOW, V_OTHER, V_LONE, V_SWAP, V_NP4 };

static char g_dir[64], g_db[128];
static char g_run[8][STORE_RUN_ID_MAX];

static void put(struct store *st, const char *run, int64_t cfg, int64_t suite, const char *item,
                double value, int passed, double tps, double ttft, const char *output)
{
    struct bai_error err = {0};
    struct store_sample s = {0};
    s.run_id = run;
    s.config_id = cfg;
    s.suite_id = suite;
    s.item_id = item;
    s.status = "ok";
    s.output = output;
    s.ttft_ms = ttft;
    s.e2e_ms = s.tpot_ms = -1;
    s.prompt_tokens = s.completion_tokens = s.cached_tokens = -1;
    s.prompt_ms = s.prompt_tps = s.gen_ms = -1;
    s.gen_tps = tps;
    s.draft_n = s.draft_accepted = -1;
    struct store_score sc = {"exact", value, passed, "scored", NULL, NULL};
    cr_assert(store_sample_put(st, &s, &sc, &err) > 0, "%s", err.msg);
}

/* A sample that failed (no score): excluded from pairing, counted. */
static void put_error(struct store *st, const char *run, int64_t cfg, int64_t suite,
                      const char *item)
{
    struct bai_error err = {0};
    struct store_sample s = {0};
    s.run_id = run;
    s.config_id = cfg;
    s.suite_id = suite;
    s.item_id = item;
    s.status = "error";
    s.error = "timeout";
    s.ttft_ms = s.e2e_ms = s.tpot_ms = -1;
    s.prompt_tokens = s.completion_tokens = s.cached_tokens = -1;
    s.prompt_ms = s.prompt_tps = s.gen_ms = s.gen_tps = -1;
    s.draft_n = s.draft_accepted = -1;
    cr_assert(store_sample_put(st, &s, NULL, &err) > 0, "%s", err.msg);
}

static void make_run(struct store *st, enum variant v)
{
    struct bai_error err = {0};
    const char *tags[] = {"prod"};
    struct store_run_meta meta = {0};
    if (v == V_BASE) {
        meta.tags = tags;
        meta.n_tags = 1;
    }
    char *run = g_run[v];
    cr_assert_eq(store_run_create(st, &meta, run, &err), 0, "%s", err.msg);
    struct store_config cfg = {0};
    cfg.label = v == V_LONE ? "solo" : v == V_SWAP ? "echo" : LABEL;
    cfg.backend = v == V_SWAP ? "command" : "openai";
    cfg.model = v == V_SWAP ? "echo" : "tiny";
    cfg.params_json = v == V_SWAP ? NULL : v == V_NP4 ? "{\"np\":4}" : "{\"np\":1}";
    int64_t c = store_config_add(st, run, &cfg, &err);
    cr_assert(c > 0, "%s", err.msg);
    double speed = v == V_BAD || v == V_SLOW ? 0.8 : v == V_OK ? 0.99 : 1.0;
    char item[32], out[64];
    if (v == V_OTHER) {
        int64_t z = store_suite_add(st, "zzz", 1, "ee", &err);
        for (int i = 0; i < 5; i++) {
            snprintf(item, sizeof item, "z%d", i);
            put(st, run, c, z, item, 1, 1, 50, 100, "z");
        }
        return;
    }
    int64_t pf = store_suite_add(st, "pf", 1, "a1", &err);
    for (int i = 0; i < 100; i++) {
        int pass = i < 60;
        if (v == V_BAD && i < 12)
            pass = 0;
        snprintf(item, sizeof item, "p%03d", i);
        snprintf(out, sizeof out, "run%d-out-%d", (int)v, i);
        if (v == V_OK && i == 99)
            put_error(st, run, c, pf, item);
        else
            put(st, run, c, pf, item, pass, pass, (50 + i % 10) * speed, 100 + i % 7, out);
    }
    if (v == V_LONE || v == V_SWAP || v == V_NP4)
        return;
    int64_t small = store_suite_add(st, "pf_small", 1, "a1", &err);
    for (int i = 0; i < 50; i++) {
        int pass = i < 25;
        if ((v == V_BAD || v == V_OK) && (i < 3 || i == 30))
            pass = !pass;
        snprintf(item, sizeof item, "s%02d", i);
        put(st, run, c, small, item, pass, pass, (50 + i % 10) * speed, 100 + i % 7, "o");
    }
    int64_t cont = store_suite_add(st, "cont", 1, "a1", &err);
    for (int i = 0; i < 40; i++) {
        double val = 0.5 + 0.01 * (i % 5) - (v == V_BAD ? 0.05 : 0.0);
        snprintf(item, sizeof item, "c%02d", i);
        put(st, run, c, cont, item, val, -1, (50 + i % 10) * speed, 100 + i % 7, "o");
    }
    int64_t hashy = store_suite_add(st, "hashy", 1, v == V_BAD ? "h2" : "h1", &err);
    for (int i = 0; i < 10; i++) {
        snprintf(item, sizeof item, "h%d", i);
        put(st, run, c, hashy, item, 1, 1, (50 + i % 10) * speed, 100 + i % 7, "o");
    }
    cr_assert_eq(store_run_set_status(st, run, "done", &err), 0);
}

static void setup(void)
{
    snprintf(g_dir, sizeof g_dir, "/tmp/bai-compare-XXXXXX");
    cr_assert(mkdtemp(g_dir));
    snprintf(g_db, sizeof g_db, "%s/s.db", g_dir);
    struct bai_error err = {0};
    struct store *st = store_open(g_db, &err);
    cr_assert(st, "%s", err.msg);
    for (int v = V_BASE; v <= V_NP4; v++)
        make_run(st, (enum variant)v);
    store_close(st);
}

static void teardown(void)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", g_dir);
    cr_assert_eq(system(cmd), 0);
}

static void run_compare(enum variant a, enum variant b, int force, struct compare_result *r)
{
    struct bai_error err = {0};
    struct store *st = store_open_readonly(g_db, &err);
    cr_assert(st, "%s", err.msg);
    struct compare_opts o;
    compare_opts_init(&o);
    o.force = force;
    o.with_outputs = 1;
    cr_assert_eq(compare_runs(st, g_run[a], g_run[b], &o, r, &err), 0, "%s", err.msg);
    store_close(st);
}

static const struct compare_suite *find_suite(const struct compare_result *r, const char *name)
{
    cr_assert_geq(r->n_pairs, 1);
    for (size_t i = 0; i < r->pairs[0].n_suites; i++)
        if (!strcmp(r->pairs[0].suites[i].name, name))
            return &r->pairs[0].suites[i];
    cr_assert_fail("suite %s not in the result", name);
    return NULL;
}

TestSuite(compare, .init = setup, .fini = teardown, .timeout = 60);

Test(compare, known_deltas_and_mcnemar)
{
    struct compare_result r;
    run_compare(V_BASE, V_BAD, 0, &r);
    cr_assert_eq(r.n_pairs, 1);
    cr_assert_str_eq(r.pairs[0].label_a, LABEL);
    cr_assert_eq(r.n_common, 100 + 50 + 40);   /* hashy is not paired */

    const struct compare_suite *pf = find_suite(&r, "pf");
    cr_assert(pf->paired && pf->pass_fail);
    cr_assert_eq(pf->n_paired, 100);
    cr_assert_float_eq(pf->score_a, 60.0, 1e-9);
    cr_assert_float_eq(pf->score_b, 48.0, 1e-9);
    cr_assert_float_eq(pf->delta, -12.0, 1e-9);
    cr_assert(pf->delta_hi < 0 && pf->delta_lo < -12.0);
    cr_assert_eq(pf->pass_to_fail, 12);
    cr_assert_eq(pf->fail_to_pass, 0);
    cr_assert_float_eq(pf->mcnemar_p, 2.0 / 4096.0, 1e-15);
    cr_assert_eq(pf->n_flips, 12);
    cr_assert_str_eq(pf->flips[0].item_id, "p000");
    cr_assert_str_eq(pf->flips[0].output_b, "run1-out-0");
    cr_assert_str_eq(pf->flips[0].output_a, "run0-out-0");

    const struct compare_suite *sm = find_suite(&r, "pf_small");
    cr_assert_float_eq(sm->delta, -4.0, 1e-9);
    cr_assert_eq(sm->pass_to_fail, 3);
    cr_assert_eq(sm->fail_to_pass, 1);
    cr_assert_float_eq(sm->mcnemar_p, 0.625, 1e-12);
    cr_assert_str_eq(sm->flips[sm->n_flips - 1].item_id, "s30");   /* fail->pass last */
    cr_assert(sm->flips[sm->n_flips - 1].to_pass);

    const struct compare_suite *ct = find_suite(&r, "cont");
    cr_assert(!ct->pass_fail);
    cr_assert(isnan(ct->mcnemar_p));
    cr_assert_float_eq(ct->delta, -5.0, 1e-9);
    cr_assert_float_eq(ct->delta_lo, -5.0, 1e-9);
    cr_assert_float_eq(ct->delta_hi, -5.0, 1e-9);

    const struct compare_suite *hs = find_suite(&r, "hashy");
    cr_assert(!hs->paired);
    cr_assert(hs->note && strstr(hs->note, "not paired"), "%s", hs->note);
    cr_assert_eq(hs->only_a, 10);
    cr_assert_eq(hs->only_b, 10);

    const struct compare_speed *g = &r.pairs[0].speed[COMPARE_GEN_TPS];
    cr_assert(g->ok);
    cr_assert_float_eq(g->ratio, 0.8, 1e-12);
    cr_assert(g->lo < 0.8 && g->hi > 0.8 && g->hi < 0.85);
    const struct compare_speed *t50 = &r.pairs[0].speed[COMPARE_TTFT_P50];
    cr_assert_float_eq(t50->ratio, 1.0, 1e-12);   /* same TTFTs on both sides */
    cr_assert_eq(r.pairs[0].speed[COMPARE_ACCEPT].ok, 0);   /* nothing drafted */
    compare_result_free(&r);
}

Test(compare, force_pairs_differing_hash)
{
    struct compare_result r;
    run_compare(V_BASE, V_BAD, 1, &r);
    const struct compare_suite *hs = find_suite(&r, "hashy");
    cr_assert(hs->paired && hs->forced);
    cr_assert_eq(hs->n_paired, 10);
    cr_assert_float_eq(hs->delta, 0.0, 1e-12);
    cr_assert_eq(r.n_common, 200);
    compare_result_free(&r);
}

Test(compare, single_configs_pair_across_labels)
{
    struct compare_result r;
    run_compare(V_BASE, V_LONE, 0, &r);
    cr_assert_eq(r.n_pairs, 1);
    cr_assert_str_eq(r.pairs[0].label_b, "solo");
    cr_assert_eq(r.n_common, 100);
    int only_one = 0, running = 0;
    for (size_t i = 0; i < r.n_notes; i++) {
        only_one += strstr(r.notes[i], "only one") != NULL;
        running += strstr(r.notes[i], "is running") != NULL;   /* lone never finished */
    }
    cr_assert(only_one == 1 && running == 1);
    cr_assert_eq(r.n_differing, 0);            /* another label, the same setup */
    cr_assert_eq(r.pairs[0].n_differences, 0);
    cr_assert_float_eq(find_suite(&r, "pf")->delta, 0.0, 1e-12);
    compare_result_free(&r);
}

static int run_cmd(int (*fn)(int, char **), const char *const *args)
{
    char *argv[32];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    return fn(argc, argv);
}

Test(compare, cli_json_and_no_common_items)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
    const char *json[] = {"compare", "--store", g_db, g_run[V_BASE], g_run[V_BAD], "-o", "json",
                          "--flipped", "--suite", "pf", NULL};
    cr_assert_eq(run_cmd(cmd_compare, json), 0);
    fflush(stdout);
    FILE *f = cr_get_redirected_stdout();
    char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    cJSON *root = cJSON_Parse(text);
    cr_assert(root, "not JSON: %.200s", text);
    cJSON *suite = cJSON_GetArrayItem(
        cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "configs"), 0),
                            "suites"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(suite, "suite")->valuestring, "pf");
    cr_assert_float_eq(cJSON_GetObjectItem(suite, "delta_pp")->valuedouble, -12.0, 1e-9);
    cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(suite, "flipped")), 12);
    cJSON_Delete(root);

    const char *none[] = {"compare", "--store", g_db, g_run[V_BASE], g_run[V_OTHER], NULL};
    cr_assert_eq(run_cmd(cmd_compare, none), 2);
    const char *few[] = {"compare", "--store", g_db, g_run[V_BASE], g_run[V_BAD],
                         "--resamples", "100", NULL};
    cr_assert_eq(run_cmd(cmd_compare, few), 2);
    const char *nocfg[] = {"compare", "--store", g_db, g_run[V_BASE], g_run[V_BAD],
                           "--config", "nope", NULL};
    cr_assert_eq(run_cmd(cmd_compare, nocfg), 2);
}

/* Issue 17 item 1: a baseline of one setup paired with a candidate of
 * another (the only config of each run) names every difference. */
Test(compare, differing_configs_are_named)
{
    struct compare_result r;
    run_compare(V_BASE, V_SWAP, 0, &r);
    cr_assert_eq(r.n_pairs, 1);
    cr_assert_eq(r.n_differing, 1);
    const struct compare_pair *p = &r.pairs[0];
    cr_assert_eq(p->n_differences, 3);
    cr_assert_str_eq(p->differences[0], "model: tiny vs echo");
    cr_assert_str_eq(p->differences[1], "backend: openai vs command");
    cr_assert_str_eq(p->differences[2], "np: 1 vs default");
    cr_assert_float_eq(find_suite(&r, "pf")->delta, 0.0, 1e-12);   /* same answers */
    struct buf b = {0};
    compare_render(&r, REPORT_FMT_MD, 0, &b);
    char *nl = strstr(b.data, "\n## config");                       /* header ends there */
    cr_assert(nl, "%s", b.data);
    char *w = strstr(b.data, "**warning**: config '" LABEL "' (A) vs 'echo' (B) differ: "
                             "model: tiny vs echo; backend: openai vs command; np: 1 vs default");
    cr_assert(w && w < nl, "the warning is in the header: %s", b.data);
    buf_reset(&b);
    compare_render(&r, REPORT_FMT_JSON, 0, &b);
    cJSON *root = cJSON_Parse(b.data);
    cr_assert(root, "%s", b.data);
    cJSON *warnings = cJSON_GetObjectItem(root, "warnings");
    cr_assert_eq(cJSON_GetArraySize(warnings), 1);
    cr_assert(strstr(cJSON_GetArrayItem(warnings, 0)->valuestring, "backend: openai vs command"));
    cJSON *diffs = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(root, "configs"), 0),
                                       "differences");
    cr_assert_eq(cJSON_GetArraySize(diffs), 3);
    cr_assert_str_eq(cJSON_GetArrayItem(diffs, 2)->valuestring, "np: 1 vs default");
    cJSON_Delete(root);
    buf_free(&b);
    compare_result_free(&r);

    /* the same label with another launch parameter */
    run_compare(V_BASE, V_NP4, 0, &r);
    cr_assert_eq(r.pairs[0].n_differences, 1);
    cr_assert_str_eq(r.pairs[0].differences[0], "np: 1 vs 4");
    compare_result_free(&r);
    /* and identical setups have none, json says so with an empty list */
    run_compare(V_BASE, V_OK, 0, &r);
    cr_assert_eq(r.n_differing, 0);
    compare_render(&r, REPORT_FMT_MD, 0, &b);
    cr_assert_null(strstr(b.data, "warning"), "%s", b.data);
    buf_free(&b);
    compare_result_free(&r);
}

Test(compare, gate_refuses_differing_configs)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
    long out_at = 0, err_at = 0;
    char junit[160];
    snprintf(junit, sizeof junit, "%s/gate.xml", g_dir);
    const char *swap[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                          g_run[V_SWAP], "--junit", junit, NULL};
    cr_assert_eq(harness_cmd(cmd_gate, swap), 2);
    char *e = harness_read_new(cr_get_redirected_stderr(), &err_at);
    cr_assert(strstr(e, "model: tiny vs echo\n"), "%s", e);
    cr_assert(strstr(e, "backend: openai vs command\n"), "%s", e);
    cr_assert(strstr(e, "np: 1 vs default\n"), "%s", e);
    cr_assert(strstr(e, "--allow-different-configs"), "%s", e);
    free(e);
    char *o = harness_read_new(cr_get_redirected_stdout(), &out_at);
    cr_assert_null(strstr(o, "gate passed"), "%s", o);
    free(o);
    FILE *f = fopen(junit, "r");
    cr_assert(f);
    char x[8192];
    x[fread(x, 1, sizeof x - 1, f)] = '\0';
    fclose(f);
    cr_assert(strstr(x, "failures=\"1\"") && strstr(x, "backend: openai vs command"), "%s", x);

    const char *np[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                        g_run[V_NP4], NULL};
    cr_assert_eq(harness_cmd(cmd_gate, np), 2);
    e = harness_read_new(cr_get_redirected_stderr(), &err_at);
    cr_assert(strstr(e, "np: 1 vs 4\n"), "%s", e);
    free(e);

    /* allowed: the pf answers are the same, so the gate passes and says why */
    const char *allowed[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                             g_run[V_SWAP], "--allow-different-configs", NULL};
    cr_assert_eq(harness_cmd(cmd_gate, allowed), 0);
    o = harness_read_new(cr_get_redirected_stdout(), &out_at);
    cr_assert(strstr(o, "note: config '" LABEL "' (A) vs 'echo' (B) differ: model: tiny vs echo"),
              "%s", o);
    cr_assert(strstr(o, "gate passed"), "%s", o);
    free(o);
}

static const struct gate_check *find_check(const struct gate_result *g, const char *prefix)
{
    for (size_t i = 0; i < g->n; i++)
        if (!strncmp(g->checks[i].name, prefix, strlen(prefix)))
            return &g->checks[i];
    cr_assert_fail("no check %s", prefix);
    return NULL;
}

Test(compare, gate_rule_per_suite)
{
    struct compare_result r;
    run_compare(V_BASE, V_BAD, 0, &r);
    struct gate_opts o = {2.0, 0.05, 0.05};
    struct gate_result g;
    gate_evaluate(&r, &o, &g);
    cr_assert_eq(find_check(&g, "pf v1")->verdict, GATE_FAIL);          /* -12 pp, p < .001 */
    const struct gate_check *sm = find_check(&g, "pf_small v1");
    cr_assert_eq(sm->verdict, GATE_PASS, "%s", sm->reason);            /* -4 pp, p = .625 */
    cr_assert(strstr(sm->reason, "not significant"), "%s", sm->reason);
    cr_assert_eq(find_check(&g, "cont v1")->verdict, GATE_FAIL);        /* CI [-5, -5] */
    cr_assert_eq(find_check(&g, "hashy v1")->verdict, GATE_SKIP);
    cr_assert_eq(find_check(&g, "speed gen_tps")->verdict, GATE_FAIL);  /* ratio 0.8 */
    cr_assert_eq(g.failed, 3);
    cr_assert_eq(g.skipped, 1);
    gate_result_free(&g);
    /* A 5 pp allowance lets the -5 pp continuous drop through (5 > 5 is false). */
    o.max_drop_pp = 5.0;
    gate_evaluate(&r, &o, &g);
    cr_assert_eq(find_check(&g, "cont v1")->verdict, GATE_PASS);
    gate_result_free(&g);
    compare_result_free(&r);
}

/* The ok candidate: pf_small's -4 pp is not significant (p = 0.625), p099's
 * request failed in the candidate (a failure there, worth 0, as in base:
 * no change; said so), speed x 0.99 passes. */
Test(compare, gate_passes_non_significant_drop)
{
    struct compare_result r;
    run_compare(V_BASE, V_OK, 0, &r);
    const struct compare_suite *pf = find_suite(&r, "pf");
    cr_assert_eq(pf->n_paired, 100);
    cr_assert_eq(pf->excluded_b, 0);
    cr_assert_eq(pf->failed_b, 1);
    cr_assert_eq(pf->failed_a, 0);
    cr_assert_float_eq(pf->score_b, 60.0, 1e-9);
    struct gate_opts o = {2.0, 0.05, 0.05};
    struct gate_result g;
    gate_evaluate(&r, &o, &g);
    cr_assert_eq(g.failed, 0);
    const struct gate_check *c = find_check(&g, "pf v1");
    cr_assert(strstr(c->reason, "1 requests failed or timed out in the candidate"), "%s", c->reason);
    cr_assert_eq(find_check(&g, "pf_small v1")->verdict, GATE_PASS);
    cr_assert_eq(find_check(&g, "speed gen_tps")->verdict, GATE_PASS);
    gate_result_free(&g);
    compare_result_free(&r);
}

/* Counts the lines gate_text starts with word ("PASS", "FAIL", "SKIP"). */
static size_t count_lines(const char *text, const char *word)
{
    size_t n = 0, len = strlen(word);
    for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
        n += !strncmp(p, word, len) && p[len] == ' ';
    return n;
}

/* The summary counts the checks the way the lines do (issue 17 item 3: one
 * PASS and one SKIP line used to be summed up as "2 checks, 1 skipped"). */
Test(compare, gate_summary_counts_the_lines)
{
    struct gate_check two[] = {
        {(char *)"benchai.gate.c", (char *)"pf v1 quality", GATE_PASS, (char *)"fine"},
        {(char *)"benchai.gate.c", (char *)"hashy v1 quality", GATE_SKIP, (char *)"not paired"},
    };
    struct gate_result g = {two, 2, 0, 1};
    struct buf b = {0};
    gate_text(&g, &b);
    cr_assert_eq(count_lines(b.data, "PASS"), 1);
    cr_assert_eq(count_lines(b.data, "SKIP"), 1);
    cr_assert(strstr(b.data, "gate passed: 1 passed, 1 skipped\n"), "%s", b.data);
    buf_free(&b);

    /* the real store: pf, cont and speed fail, pf_small passes, hashy skips */
    struct compare_result r;
    run_compare(V_BASE, V_BAD, 0, &r);
    struct gate_opts o = {2.0, 0.05, 0.05};
    struct gate_result gr;
    gate_evaluate(&r, &o, &gr);
    gate_text(&gr, &b);
    size_t failed, passed, skipped;
    const char *sum = strstr(b.data, "gate FAILED: ");
    cr_assert(sum, "%s", b.data);
    cr_assert_eq(sscanf(sum, "gate FAILED: %zu failed, %zu passed, %zu skipped", &failed, &passed,
                        &skipped), 3, "%s", sum);
    cr_assert_eq(failed, count_lines(b.data, "FAIL"));
    cr_assert_eq(passed, count_lines(b.data, "PASS"));
    cr_assert_eq(skipped, count_lines(b.data, "SKIP"));
    cr_assert(failed == 3 && passed == 1 && skipped == 1, "%s", b.data);
    buf_free(&b);
    gate_result_free(&gr);
    compare_result_free(&r);
}

static int xml_valid(const char *path)
{
    char cmd[512];
    snprintf(cmd, sizeof cmd, "xmllint --noout '%s' 2>&1", path);
    return system(cmd) == 0;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    cr_assert(f, "cannot open %s", path);
    static char text[65536];
    size_t n = fread(text, 1, sizeof text - 1, f);
    text[n] = '\0';
    fclose(f);
    return text;
}

Test(compare, gate_cli_exit_codes_and_junit)
{
    cr_redirect_stdout();
    cr_redirect_stderr();
    cr_assert_eq(system("command -v xmllint >/dev/null"), 0,
                 "xmllint is missing: install libxml2-utils (scripts/install-deps.sh does)");
    char junit[160];
    snprintf(junit, sizeof junit, "%s/gate.xml", g_dir);

    /* A drop beyond max-drop that is not significant, a small slowdown: pass. */
    const char *ok[] = {"gate", "--store", g_db, "--baseline", "tag:prod", "--candidate",
                        g_run[V_OK], "--junit", junit, NULL};
    cr_assert_eq(run_cmd(cmd_gate, ok), 0);
    cr_assert(xml_valid(junit));
    char *x = slurp(junit);
    cr_assert(strstr(x, "failures=\"0\""), "%s", x);
    cr_assert(strstr(x, "dense &lt;q&amp;a&gt; &quot;x&quot;"), "%s", x);

    /* Significant drops and a slowdown: fail, JUnit lists them. */
    const char *bad[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                         g_run[V_BAD], "--junit", junit, NULL};
    cr_assert_eq(run_cmd(cmd_gate, bad), 1);
    cr_assert(xml_valid(junit));
    x = slurp(junit);
    cr_assert(strstr(x, "tests=\"5\" failures=\"3\""), "%s", x);
    cr_assert(strstr(x, "<skipped"), "%s", x);

    /* Only a speed regression. */
    const char *slow[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                          g_run[V_SLOW], NULL};
    cr_assert_eq(run_cmd(cmd_gate, slow), 1);
    /* ... which a 25% allowance accepts (upper bound ~0.81 >= 0.75). */
    const char *slow_ok[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE],
                             "--candidate", g_run[V_SLOW], "--max-slowdown", "25%", NULL};
    cr_assert_eq(run_cmd(cmd_gate, slow_ok), 0);
    /* Restricting to a suite with only a non-significant drop still checks speed. */
    const char *suite[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                           g_run[V_BAD], "--suite", "pf_small", "--max-slowdown", "30%", NULL};
    cr_assert_eq(run_cmd(cmd_gate, suite), 0);

    /* Nothing in common: exit 2 and a JUnit file that says so. */
    const char *none[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE], "--candidate",
                          g_run[V_OTHER], "--junit", junit, NULL};
    cr_assert_eq(run_cmd(cmd_gate, none), 2);
    cr_assert(xml_valid(junit));
    cr_assert(strstr(slurp(junit), "no items in common"));

    const char *badflag[] = {"gate", "--store", g_db, "--baseline", g_run[V_BASE],
                             "--candidate", g_run[V_OK], "--max-slowdown", "5", NULL};
    cr_assert_eq(run_cmd(cmd_gate, badflag), 2);
    const char *norun[] = {"gate", "--store", g_db, "--baseline", "nosuchrun", "--candidate",
                           g_run[V_OK], NULL};
    cr_assert_neq(run_cmd(cmd_gate, norun), 0);
}

Test(compare, xml_escape_and_fraction)
{
    struct buf b = {0};
    gate_xml_escape(&b, "a<b>&\"'\x01z");
    cr_assert_str_eq(b.data, "a&lt;b&gt;&amp;&quot;&apos;\xEF\xBF\xBDz");
    buf_free(&b);
    double v;
    cr_assert_eq(gate_parse_fraction("5%", &v), 0);
    cr_assert_float_eq(v, 0.05, 1e-15);
    cr_assert_eq(gate_parse_fraction("0.1", &v), 0);
    cr_assert_float_eq(v, 0.1, 1e-15);
    cr_assert_eq(gate_parse_fraction("5", &v), -1);
    cr_assert_eq(gate_parse_fraction("x", &v), -1);
}

/* --exclude-failed: the pair whose candidate request failed is left out
 * (99 paired, 1 excluded), the view before failures counted. */
Test(compare, exclude_failed_leaves_failed_requests_out)
{
    struct bai_error err = {0};
    struct store *st = store_open_readonly(g_db, &err);
    cr_assert(st, "%s", err.msg);
    struct compare_opts o;
    compare_opts_init(&o);
    o.exclude_failed = 1;
    struct compare_result r;
    cr_assert_eq(compare_runs(st, g_run[V_BASE], g_run[V_OK], &o, &r, &err), 0, "%s", err.msg);
    store_close(st);
    const struct compare_suite *pf = find_suite(&r, "pf");
    cr_assert_eq(pf->n_paired, 99);
    cr_assert_eq(pf->excluded_b, 1);
    cr_assert_eq(pf->failed_b, 0);
    struct buf b = {0};
    compare_render(&r, REPORT_FMT_MD, 0, &b);
    cr_assert(strstr(b.data, "--exclude-failed"), "the view is labelled: %s", b.data);
    buf_free(&b);
    compare_result_free(&r);
}
