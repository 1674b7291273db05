/* test_settings.c - the one table of launch settings (settings/settings.h):
 * everything about a setting follows from its line; and what follows from
 * it for a run: a configuration's identity (settings/identity.h), labels,
 * the command-line run as a one-point plan with the plan's checks, and the
 * flags that contradict each other. The GGUF fixtures of tests/data/gguf
 * stand for models: every check here fails before any server starts. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "backend/llama_server.h"
#include "backend/server_flags.h"
#include "fake_openai.h"
#include "run/request.h"
#include "cli/options.h"
#include "cmd/cmd.h"
#include "harness.h"
#include "plan/plan.h"
#include "run/config.h"
#include "run/plan_points.h"
#include "settings/identity.h"
#include "settings/settings.h"
#include "util/error.h"
#include "util/filehash.h"
#include "util/fs.h"
#include "util/mem.h"

#define GGUF "tests/data/gguf/"

/* Every line of the table yields a flag of `benchai run` (unless it has
 * none), an axis name that looks it up, and a llama-server spelling; the
 * generated option entries are what `benchai run --help` lists. */
Test(settings, every_line_derives_its_flag_axis_and_spelling)
{
    const struct cli_option *opts = settings_cli_options();
    struct buf help = { 0 };
    cli_help(&cmd_run_cli, &help);
    cr_assert_gt(settings_count(), (size_t)SETTING_FIRST_GENERIC);
    for (size_t i = 0; i < settings_count(); i++) {
        const struct setting_def *d = settings_def((int)i);
        int id = -1;
        cr_assert_eq(settings_lookup(d->name, &id), 0, "%s", d->name);
        cr_assert_eq(id, (int)i, "%s", d->name);
        for (int a = 0; a < 3 && d->aliases[a]; a++) {
            cr_assert_eq(settings_lookup(d->aliases[a], &id), 0);
            cr_assert_eq(id, (int)i, "alias %s", d->aliases[a]);
        }
        if (d->scope == SETTING_LAUNCH && d->kind != SETTING_ARGS && d->kind != SETTING_ARGV &&
            d->kind != SETTING_ENVIRON)
            cr_assert_not_null(d->server[0], "%s has a llama-server spelling", d->name);
        if (d->scope == SETTING_REQUEST || (d->flags & SETTING_PER_REQUEST))
            cr_assert_not_null(d->request_key, "%s has a request field", d->name);
        if (!d->cli)
            continue;
        int found = 0;
        for (size_t k = 0; opts[k].type != CLI_END; k++)
            found |= opts[k].long_name && !strcmp(opts[k].long_name, d->cli) && opts[k].ival == (int)i;
        cr_assert(found, "--%s is generated", d->cli);
        char flag[64];
        snprintf(flag, sizeof flag, "--%s", d->cli);
        cr_assert(strstr(help.data, flag), "benchai run --help lists %s", flag);
    }
    buf_free(&help);
}

Test(settings, values_overlay_and_compare)
{
    struct settings a = { 0 }, b = { 0 };
    struct bai_error err = { 0 };
    cr_assert_eq(settings_set(&a, SETTING_THREADS, "8", "t", &err), 0);
    cr_assert_eq(settings_set(&a, SETTING_SERVER_ARGS, "--mlock", "t", &err), 0);
    cr_assert_eq(settings_set(&b, SETTING_THREADS, "2", "t", &err), 0);
    cr_assert_eq(settings_set(&b, SETTING_SERVER_ARGS, "--no-mmap", "t", &err), 0);
    int fa;
    cr_assert_eq(settings_lookup("fa", &fa), 0);
    cr_assert_eq(settings_set(&b, fa, "on", "t", &err), 0);
    cr_assert_eq(settings_set(&b, fa, "maybe", "--flash-attn", &err), -1);
    cr_assert(strstr(err.msg, "--flash-attn: flash_attn is one of on, off, auto"), "%s", err.msg);
    cr_assert_eq(settings_set(&b, SETTING_NP, "0", "--np", &err), -1);
    cr_assert(strstr(err.msg, "np=0 is below 1"), "%s", err.msg);
    settings_overlay(&a, &b);
    cr_assert_eq(settings_int(&a, SETTING_THREADS, 0), 2, "the top wins");
    cr_assert_str_eq(settings_text(&a, fa), "on");
    cr_assert_eq(a.v[SETTING_SERVER_ARGS].list.n, 2, "raw arguments add up");
    cJSON *j = settings_to_json(&a);
    char *s = cJSON_PrintUnformatted(j);
    cr_assert_str_eq(s, "{\"threads\":2,\"server_args\":[\"--mlock\",\"--no-mmap\"],\"flash_attn\":\"on\"}");
    cJSON_free(s);
    cJSON_Delete(j);
    cr_assert_not(settings_equal(&a, &b));
    struct settings c = { 0 };
    settings_overlay(&c, &a);
    cr_assert(settings_equal(&a, &c));
    settings_free(&a);
    settings_free(&b);
    settings_free(&c);
}

/* The points of a command line, identified (the server binary hashed is
 * this test binary's neighbour /bin/true: any file will do). */
static struct run_points points_of(const char *const *args, struct run_config *a, struct bai_error *err,
                                   int *rc)
{
    int n = 0;
    while (args[n])
        n++;
    char **argv = xcalloc((size_t)n + 1, sizeof *argv);
    memcpy(argv, args, (size_t)n * sizeof *argv);
    run_config_init(a);
    char **rest = argv;
    cr_assert_lt(cmd_options(&cmd_run_cli, a, &n, &rest), 0, "parses");
    a->server_bin = "/bin/true";
    struct run_points p;
    *rc = run_points_build(a, &p, err);
    if (*rc == 0)
        *rc = run_points_identify(&p, a, err);
    free(argv);
    return p;
}

/* The pair: a K sweep with --threads 1 and the same sweep without
 * it are different configurations: the label says threads=1, the stored
 * parameters have it, the identities differ. */
Test(identity, threads_sweep_pair_gets_two_identities)
{
    const char *with[] = { "run", "--model", GGUF "dense.gguf", "--draft", GGUF "dense.gguf", "--sweep", "k=2,4",
                           "--threads", "1", NULL };
    const char *without[] = { "run", "--model", GGUF "dense.gguf", "--draft", GGUF "dense.gguf", "--sweep",
                              "k=2,4", NULL };
    struct run_config a, b;
    struct bai_error err = { 0 };
    int rc;
    struct run_points pa = points_of(with, &a, &err, &rc);
    cr_assert_eq(rc, 0, "%s", err.msg);
    struct run_points pb = points_of(without, &b, &err, &rc);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(pa.n_points, 2);
    cr_assert_str_eq(pa.points[0].label, "dense draft=dense k=2 threads=1");
    cr_assert_str_eq(pb.points[0].label, "dense draft=dense k=2");
    cr_assert(strstr(pa.points[0].params_json, "\"threads\":1"), "%s", pa.points[0].params_json);
    cr_assert_str_neq(pa.points[0].identity, pb.points[0].identity);
    cr_assert_str_neq(pa.points[0].identity, pa.points[1].identity, "k=2 and k=4 differ");
    cr_assert_not_null(pa.points[0].model_sha256);
    cr_assert_not_null(pa.points[0].draft_sha256);
    char **d = NULL;
    size_t n = identity_differences(pb.points[0].identity_json, pa.points[0].identity_json, &d, 0);
    cr_assert_eq(n, 1);
    cr_assert_str_eq(d[0], "settings.threads: (unset) vs 1");
    free(d[0]);
    free(d);
    run_points_free(&pa);
    run_points_free(&pb);
    run_config_free(&a);
    run_config_free(&b);
}

/* One set of values is one identity whatever order the flags came in. */
Test(identity, flag_order_does_not_matter)
{
    const char *one[] = { "run", "--model", GGUF "dense.gguf", "--threads", "1", "--ctx", "64", NULL };
    const char *two[] = { "run", "--ctx", "64", "--model", GGUF "dense.gguf", "--threads", "1", NULL };
    struct run_config a, b;
    struct bai_error err = { 0 };
    int rc;
    struct run_points pa = points_of(one, &a, &err, &rc), pb = points_of(two, &b, &err, &rc);
    cr_assert_str_eq(pa.points[0].identity, pb.points[0].identity);
    cr_assert_str_eq(pa.points[0].label, pb.points[0].label);
    run_points_free(&pa);
    run_points_free(&pb);
    run_config_free(&a);
    run_config_free(&b);
}

/* A plan's defaults and a single-valued axis are not in the short label,
 * but they are in the identity and the stored parameters: the demo's
 * "dense" and this plan's "dense" are two configurations. */
Test(identity, plan_defaults_are_part_of_the_identity)
{
    char *dir = harness_tempdir();
    char *plan = xasprintf("%s/p.yaml", dir);
    char *cwd = getcwd(NULL, 0);
    FILE *f = fopen(plan, "w");
    fprintf(f, "defaults:\n  threads: 1\n  ctx: 4096\nsweeps:\n  - model: %s/" GGUF "dense.gguf\n"
               "    np: 2\n", cwd);
    fclose(f);
    const char *p_args[] = { "run", "--plan", plan, NULL };
    const char *c_args[] = { "run", "--model", GGUF "dense.gguf", NULL };
    struct run_config a, b;
    struct bai_error err = { 0 };
    int rc;
    struct run_points pa = points_of(p_args, &a, &err, &rc);
    cr_assert_eq(rc, 0, "%s", err.msg);
    struct run_points pb = points_of(c_args, &b, &err, &rc);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_str_eq(pa.points[0].label, "dense");
    cr_assert_str_eq(pb.points[0].label, "dense");
    cr_assert_str_neq(pa.points[0].identity, pb.points[0].identity);
    cr_assert(strstr(pa.points[0].params_json, "\"np\":2") && strstr(pa.points[0].params_json, "\"ctx\":4096"),
              "%s", pa.points[0].params_json);
    run_points_free(&pa);
    run_points_free(&pb);
    run_config_free(&a);
    run_config_free(&b);
    free(cwd);
    free(plan);
    free(dir);
}

/* The model's content is its identity, not its name: the same file
 * changed in place is another configuration (and is hashed again). */
Test(identity, model_content_not_name)
{
    char *dir = harness_tempdir();
    char *model = xasprintf("%s/m.gguf", dir);
    size_t len;
    char *bytes = fs_read_file(GGUF "dense.gguf", &len, NULL);
    cr_assert_eq(fs_write_atomic(model, bytes, len, NULL), 0);
    char h1[65], h2[65];
    struct bai_error err = { 0 };
    cr_assert_eq(filehash_sha256(model, h1, &err), 0, "%s", err.msg);
    char *cache = filehash_cache_path(model);
    cr_assert(access(cache, R_OK) == 0, "the digest is cached");
    bytes[len - 1] ^= 1;       /* a different weight in the last tensor */
    sleep(0);
    cr_assert_eq(fs_write_atomic(model, bytes, len, NULL), 0);
    cr_assert_eq(filehash_sha256(model, h2, &err), 0, "%s", err.msg);
    cr_assert_str_neq(h1, h2, "a changed file is hashed again");
    free(cache);
    free(bytes);
    free(model);
    free(dir);
}

/* Flags that contradict each other exit 2 naming both; none of these
 * starts a server (the fixtures are not loadable models). */
Test(run_config, conflicting_flags_exit_2_naming_both)
{
    static const char *const cases[][12] = {
        { "--plan", "x.yaml", "--model", GGUF "dense.gguf", NULL, NULL, "--plan and --model conflict" },
        { "--plan", "x.yaml", "--sweep", "k=1,2", NULL, NULL, "--plan and --sweep" },
        { "--backend", "openai", "--url", "http://127.0.0.1:9", "--draft", GGUF "dense.gguf",
          "--backend openai and --draft conflict" },
        { "--backend", "openai", "--url", "http://127.0.0.1:9", "--np", "4", "--backend openai and --np conflict" },
        { "--judge-url", "http://127.0.0.1:9", "--judge-gguf", GGUF "dense.gguf", NULL, NULL,
          "--judge-url and --judge-gguf conflict" },
        { "--model", GGUF "dense.gguf", "--sweep", "k=2,4", NULL, NULL, "--sweep k=2,4 needs --draft" },
        { "--model", GGUF "dense.gguf", "--k", "4", NULL, NULL, "--k needs --draft" },
        { "--backend", "command", "--cmd", "echo {prompt}", "--sweep", "np=1,2", "--backend command and --sweep" },
        { "--url", "http://127.0.0.1:9", NULL, NULL, NULL, NULL, "--backend llama-server and --url conflict" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[16] = { "run", "--suite", "smoke", "--dry-run" };
        size_t n = 4;
        for (size_t k = 0; k < 6 && cases[i][k]; k++)
            args[n++] = cases[i][k];
        args[n] = NULL;
        const char *want = cases[i][6];
        char *err = NULL;
        int code = harness_run(args, NULL, &err);
        cr_assert_eq(code, BAI_EXIT_USAGE, "case %zu: exit %d: %s", i, code, err);
        cr_assert(strstr(err, want), "case %zu: want '%s' in: %s", i, want, err);
        free(err);
    }
}

/* A command-line run gets every check a plan gets, before any server
 * starts: expert count, dense vs MoE, draft vocabulary, a file that is not
 * a GGUF, a context beyond the trained one. */
Test(run_config, command_line_run_gets_the_plan_checks)
{
    static const char *const cases[][8] = {
        { "--model", GGUF "moe.gguf", "--experts", "9", NULL, "experts=9 exceeds the expert_count 8" },
        { "--model", GGUF "dense.gguf", "--experts", "2", NULL, "not a mixture-of-experts model" },
        { "--model", GGUF "dense.gguf", "--draft", GGUF "othervocab.gguf", NULL, "vocab mismatch" },
        { "--model", "./README.md", NULL, NULL, NULL, "not a GGUF file" },
        { "--model", GGUF "dense.gguf", "--ctx", "8192", NULL, "exceeds the trained context 4096" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[16] = { "run", "--suite", "smoke", "--limit", "1" };
        size_t n = 5;
        for (size_t k = 0; k < 5 && cases[i][k]; k++)
            args[n++] = cases[i][k];
        args[n] = NULL;
        char *err = NULL;
        int code = harness_run(args, NULL, &err);
        cr_assert_eq(code, BAI_EXIT_USAGE, "case %zu: exit %d: %s", i, code, err);
        cr_assert(strstr(err, cases[i][5]), "case %zu: want '%s' in: %s", i, cases[i][5], err);
        free(err);
    }
}

/* --sweep keeps a comma inside brackets or quotes: one value, not two
 * points. */
Test(settings, sweep_value_with_commas)
{
    struct plan_axis a;
    struct bai_error err = { 0 };
    cr_assert_eq(plan_parse_sweep("spec_type=[draft-simple,ngram-simple],ngram-simple", &a, &err), 0, "%s",
                 err.msg);
    cr_assert_eq(a.n_values, 2);
    cr_assert_str_eq(a.values[0], "draft-simple,ngram-simple");
    cr_assert_str_eq(a.values[1], "ngram-simple");
    plan_axis_free(&a);
    cr_assert_eq(plan_parse_sweep("spec_type=\"a,b\"", &a, &err), 0, "%s", err.msg);
    cr_assert_eq(a.n_values, 1);
    cr_assert_str_eq(a.values[0], "a,b");
    plan_axis_free(&a);
    cr_assert_eq(plan_parse_sweep("spec_type=[a,b", &a, &err), -1);
    cr_assert(strstr(err.msg, "not closed"), "%s", err.msg);
}

/* The line of threads_batch is all it took: a flag of `benchai run`, a
 * plan axis (and its alias), the server's spelling, the label and the
 * identity. */
Test(settings, threads_batch_is_one_line)
{
    const char *args[] = { "run", "--model", GGUF "dense.gguf", "--threads-batch", "3", "--sweep", "tb=1,2", NULL };
    struct run_config a;
    struct bai_error err = { 0 };
    int rc;
    struct run_points p = points_of(args, &a, &err, &rc);
    cr_assert_eq(rc, 0, "%s", err.msg);
    cr_assert_eq(p.n_points, 2);
    cr_assert_str_eq(p.points[1].label, "dense threads_batch=2", "the sweep overrides the flag");
    cr_assert(strstr(p.points[1].identity_json, "\"threads_batch\":2"), "%s", p.points[1].identity_json);
    cr_assert_str_neq(p.points[0].identity, p.points[1].identity);
    struct server_flags f;
    server_flags_parse_help("-tb,   --threads-batch N     threads for batch\n", &f);
    int id;
    cr_assert_eq(settings_lookup("tb", &id), 0);
    cr_assert_str_eq(server_flags_first(&f, settings_def(id)->server, "tb", &err), "--threads-batch");
    server_flags_free(&f);
    run_points_free(&p);
    run_config_free(&a);
}

/* Request settings travel in every request, win over the suite's values
 * (whose hash stays), and are in the label, the params and the identity:
 * against an endpoint too. */
Test(request_settings, override_the_suite_without_changing_it, .timeout = 60)
{
    struct fake_openai *fake = fake_openai_start();
    cr_assert_not_null(fake);
    fake_openai_set_reply(fake, "x");
    char *dir = harness_tempdir(), *db = xasprintf("%s/r.db", dir);
    const char *plain[] = { "run", "--suite", "smoke", "--limit", "1", "--backend", "openai", "--url",
                            fake_openai_url(fake), "--model", "m", "--warmup", "0", "--store", db, NULL };
    cr_assert_eq(harness_run(plain, NULL, NULL), 0);
    int before = fake_openai_chat_requests(fake);
    const char *swept[] = { "run", "--suite", "smoke", "--limit", "1", "--backend", "openai", "--url",
                            fake_openai_url(fake), "--model", "m", "--warmup", "0", "--store", db,
                            "--top-p", "0.9", "--max-tokens", "7", "--sweep", "temperature=0.25,0.5", NULL };
    char *err = NULL;
    cr_assert_eq(harness_run(swept, NULL, &err), 0, "%s", err);
    free(err);
    cr_assert_eq(fake_openai_chat_requests(fake) - before, 2);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"temperature\":0.25"), 1);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"temperature\":0.5"), 1);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"top_p\":0.9"), 2);
    cr_assert_eq(fake_openai_bodies_containing(fake, "\"max_tokens\":7"), 2);
    cr_assert_eq(harness_sql_int(db, "SELECT count(DISTINCT suite_id) FROM samples"), 1, "one suite hash");
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM configs WHERE label = "
                                     "'m temperature=0.25 top_p=0.9 max_tokens=7'"), 1);
    cr_assert_eq(harness_sql_int(db, "SELECT count(DISTINCT identity) FROM configs"), 3);
    cr_assert_eq(harness_sql_int(db, "SELECT count(*) FROM configs WHERE params_json LIKE '%\"temperature\":0.5%'"), 1);
    fake_openai_stop(fake);
    free(db);
    free(dir);
}

/* env: {NAME: [unset, 1, 8]} is one axis per variable; the values land in
 * the settings, the label and the identity. */
Test(settings, env_axes_of_a_plan)
{
    struct bai_error err = { 0 };
    struct plan *p = plan_parse_string("sweeps:\n  - model: dense\n    env: {OMP_NUM_THREADS: [unset, 1, 8]}\n",
                                       "t.yaml", "tests/data/plan", "tests/data/plan/models.yaml", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_eq(plan_expand(p, &err), 0, "%s", err.msg);
    cr_assert_eq(p->n_points, 3);
    cr_assert_str_eq(p->points[0].label, "dense env.OMP_NUM_THREADS=unset");
    cr_assert_str_eq(p->points[2].label, "dense env.OMP_NUM_THREADS=8");
    cr_assert_str_eq(p->points[2].settings.v[SETTING_ENV].list.v[0], "OMP_NUM_THREADS=8");
    cr_assert_str_eq(p->points[0].settings.v[SETTING_ENV].list.v[0], "OMP_NUM_THREADS");
    plan_free(p);
    cr_assert_null(plan_parse_string("sweeps:\n  - model: dense\n    env: {1BAD: [x]}\n", "t.yaml", "tests/data/plan",
                                     "tests/data/plan/models.yaml", &err));
    cr_assert(strstr(err.msg, "t.yaml:3:11") && strstr(err.msg, "not a variable name"), "%s", err.msg);
    /* what a launched server inherits and changes what it does is identity */
    char *env[] = { "PATH=/bin", "OMP_NUM_THREADS=4", "LLAMA_ARG_CTX_SIZE=8192", "CUDA_VISIBLE_DEVICES=0", NULL };
    cJSON *inh = identity_inherited_env(env, NULL);
    char *t = cJSON_PrintUnformatted(inh);
    cr_assert_str_eq(t, "[\"LLAMA_ARG_CTX_SIZE=8192\",\"OMP_NUM_THREADS=4\"]");
    cJSON_free(t);
    cJSON_Delete(inh);
}

/* A stand-in llama-server: its --help is this build's in miniature. */
static char *fake_server(const char *dir)
{
    char *bin = xasprintf("%s/llama-server", dir);
    FILE *f = fopen(bin, "w");
    fprintf(f, "#!/bin/sh\ncat <<'EOF'\n"
               "-m,    --model FNAME                    model path\n"
               "-fa,   --flash-attn [on|off|auto]       set Flash Attention use\n"
               "-ctv,  --cache-type-v TYPE              KV cache data type for V\n"
               "--load-mode MODE                        auto, mmap, mlock, mmap+mlock\n"
               "--no-mmap                               do not memory-map model\n"
               "--draft, --draft-n, --draft-max N       the argument has been removed. use --spec-draft-n-max or\n"
               "                                        --spec-ngram-mod-n-max\n"
               "-np,   --parallel N                     number of server slots\n"
               "EOF\n");
    fclose(f);
    chmod(bin, 0755);
    return bin;
}

/* Raw flags and this build's refused combinations are checked against the
 * binary's --help before any server starts: --dry-run fails where the
 * launch would. */
Test(run_config, raw_flags_and_refused_combinations_are_checked_before_launch)
{
    char *dir = harness_tempdir();
    char *bin = fake_server(dir);
    static const char *const cases[][4] = {
        { "--sweep", "flags=--mlock|--no-mmap", "--mlock is not a flag of this llama-server" },
        { "--server-arg", "--no-mmapp", "did you mean --no-mmap?" },
        { "--server-arg", "--draft-max", "--draft-max has been removed" },
        { "--cache-type-v", "q8_0", "needs flash attention for a quantized V cache" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *args[] = { "run", "--suite", "smoke", "--dry-run", "--server-bin", bin, "--model",
                               GGUF "dense.gguf", "--flash-attn", "off", cases[i][0], cases[i][1], NULL };
        char *err = NULL;
        int code = harness_run(args, NULL, &err);
        cr_assert_eq(code, BAI_EXIT_USAGE, "case %zu: exit %d: %s", i, code, err);
        cr_assert(strstr(err, cases[i][2]), "case %zu: want '%s' in: %s", i, cases[i][2], err);
        free(err);
    }
    const char *fine[] = { "run", "--suite", "smoke", "--dry-run", "--server-bin", bin, "--model", GGUF "dense.gguf",
                           "--server-arg", "--no-mmap", "--server-arg=--load-mode=mlock", NULL };
    char *out = NULL, *err = NULL;
    cr_assert_eq(harness_run(fine, &out, &err), 0, "%s", err);
    free(out);
    free(err);
    free(bin);
    free(dir);
}

/* Whether a build takes K per request is read off its /props: the pinned
 * build compiles the fields out (server-schema.cpp) and echoes none. */
Test(request_settings, per_request_speculation_is_probed_from_props)
{
    cJSON *pinned = cJSON_Parse("{\"default_generation_settings\":{\"params\":{\"temperature\":0.8,"
                                "\"speculative.types\":\"none\"},\"n_ctx\":4096}}");
    cJSON *older = cJSON_Parse("{\"default_generation_settings\":{\"params\":{\"speculative.n_max\":16,"
                               "\"speculative.n_min\":0,\"speculative.p_min\":0.75}}}");
    cr_assert_not(llama_server_props_take_request_spec(pinned));
    cr_assert(llama_server_props_take_request_spec(older));
    cJSON_Delete(pinned);
    cJSON_Delete(older);
    /* when it does, K travels in the request and no longer tells two
     * launches apart; a temperature never does */
    struct settings a = { 0 }, b = { 0 };
    int temp;
    settings_lookup("temperature", &temp);
    settings_set(&a, SETTING_K, "2", "t", NULL);
    settings_set(&b, SETTING_K, "4", "t", NULL);
    settings_set(&b, temp, "0.7", "t", NULL);
    cr_assert_not(settings_same_launch(&a, &b, 0));
    cr_assert(settings_same_launch(&a, &b, 1));
    struct built_request br = { 0 };
    br.req.max_tokens = 16;
    request_apply_settings(&br, &b, 1);
    char *t = cJSON_PrintUnformatted(br.req.extra);
    cr_assert_str_eq(t, "{\"speculative.n_max\":4}");
    cr_assert_float_eq(br.req.temperature, 0.7, 1e-12);
    cJSON_free(t);
    request_free(&br);
    br = (struct built_request){ 0 };
    request_apply_settings(&br, &b, 0);
    cr_assert_null(br.req.extra, "K stays a launch flag");
    request_free(&br);
    settings_free(&a);
    settings_free(&b);
}
