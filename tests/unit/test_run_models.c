/* test_run_models.c - --model NAME through the model registry in a run of
 * one configuration (no --sweep): issue 25 item 6. Before run/models.c, a
 * name resolved only when a --sweep made the run a plan; a plain run took
 * "tiny-dense" for a file name and stopped with "model file tiny-dense does
 * not exist". The registry here is written by the test and points at the
 * GGUF fixtures of tests/data/gguf. */
#include <criterion/criterion.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "run/config.h"
#include "run/defaults.h"
#include "run/models.h"
#include "run/plan_points.h"
#include "util/strv.h"

static char dir[PATH_MAX], reg[PATH_MAX + 32], dense[PATH_MAX + 32], clip[PATH_MAX + 32], clip2[PATH_MAX + 32];

/* The smallest GGUF a projector check accepts: v3, no tensors, one key
 * general.architecture = "clip" (little-endian counts and lengths). */
static void write_clip_gguf(const char *path)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    uint32_t version = 3, type_string = 8;
    uint64_t n_tensors = 0, n_kv = 1, klen = 20, vlen = 4;
    fwrite("GGUF", 1, 4, f);
    fwrite(&version, 4, 1, f);
    fwrite(&n_tensors, 8, 1, f);
    fwrite(&n_kv, 8, 1, f);
    fwrite(&klen, 8, 1, f);
    fwrite("general.architecture", 1, 20, f);
    fwrite(&type_string, 4, 1, f);
    fwrite(&vlen, 8, 1, f);
    fwrite("clip", 1, 4, f);
    fclose(f);
}

/* A registry in a temp folder: absolute paths to the fixtures, an entry
 * with an mmproj, an endpoint. */
static void setup(void)
{
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(dense, sizeof dense, "%s/tests/data/gguf/dense.gguf", cwd);
    snprintf(dir, sizeof dir, "/tmp/bai-models-XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
    snprintf(reg, sizeof reg, "%s/models.yaml", dir);
    snprintf(clip, sizeof clip, "%s/clip.gguf", dir);
    write_clip_gguf(clip);
    snprintf(clip2, sizeof clip2, "%s/clip2.gguf", dir);
    write_clip_gguf(clip2);
    FILE *f = fopen(reg, "w");
    cr_assert_not_null(f);
    fprintf(f, "models:\n"
               "  - name: fixture-dense\n    path: %s\n"
               "  - name: fixture-vision\n    path: %s\n    mmproj: %s\n"
               "  - name: fixture-badvision\n    path: %s\n    mmproj: %s\n"
               "  - name: fixture-draft\n    path: %s\n"
               "  - name: remote\n    url: http://127.0.0.1:9\n",
            dense, dense, clip, dense, dense, dense);
    fclose(f);
}

static void teardown(void)
{
    unlink(reg);
    unlink(clip);
    unlink(clip2);
    rmdir(dir);
}

TestSuite(run_models, .init = setup, .fini = teardown);

Test(run_models, a_registry_name_resolves_in_a_run_without_sweep)
{
    struct run_config a;
    run_config_init(&a);
    a.model = "fixture-dense";
    a.draft = "fixture-draft";
    a.models_file = reg;
    struct run_points pts;
    struct bai_error err = { 0 };
    cr_assert_eq(run_points_build(&a, &pts, &err), 0, "%s", err.msg);
    cr_assert_eq(pts.n_points, 1);
    cr_assert_eq(pts.points[0].backend.kind, BACKEND_LLAMA_SERVER);
    cr_assert_str_eq(pts.points[0].backend.server.model, dense);
    cr_assert_str_eq(pts.points[0].backend.server.draft, dense);
    cr_assert_null(pts.points[0].backend.server.mmproj);
    run_points_free(&pts);
    run_config_free(&a);
}

Test(run_models, the_registry_mmproj_goes_to_the_server_and_a_flag_beats_it)
{
    struct run_config a;
    run_config_init(&a);
    a.model = "fixture-vision";
    a.models_file = reg;
    struct run_points pts;
    struct bai_error err = { 0 };
    cr_assert_eq(run_points_build(&a, &pts, &err), 0, "%s", err.msg);
    cr_assert_str_eq(pts.points[0].backend.server.mmproj, clip);
    cr_assert(strstr(pts.points[0].params_json, "\"mmproj\""), "%s", pts.points[0].params_json);
    run_points_free(&pts);

    a.mmproj = clip2;
    cr_assert_eq(run_points_build(&a, &pts, &err), 0, "%s", err.msg);
    cr_assert_str_eq(pts.points[0].backend.server.mmproj, clip2);
    run_points_free(&pts);

    a.mmproj = "tests/data/gguf/absent.gguf";
    cr_assert_neq(run_points_build(&a, &pts, &err), 0);
    cr_assert(strstr(err.msg, "--mmproj") && strstr(err.msg, "absent.gguf"), "%s", err.msg);
    run_config_free(&a);
}

Test(run_models, a_registry_endpoint_becomes_an_openai_point)
{
    struct run_config a;
    run_config_init(&a);
    a.model = "remote";
    a.models_file = reg;
    struct run_points pts;
    struct bai_error err = { 0 };
    cr_assert_eq(run_points_build(&a, &pts, &err), 0, "%s", err.msg);
    cr_assert_eq(pts.points[0].backend.kind, BACKEND_OPENAI);
    cr_assert_str_eq(pts.points[0].backend.url, "http://127.0.0.1:9");
    cr_assert_str_eq(pts.points[0].backend.model_name, "remote");
    run_points_free(&pts);
    run_config_free(&a);
}

Test(run_models, an_unknown_name_says_which_registry_was_read_and_what_it_has)
{
    struct run_model m;
    struct bai_error err = { 0 };
    cr_assert_neq(run_model_resolve("fixture-dens", reg, &m, &err), 0);
    cr_assert_eq(err.exit_code, BAI_EXIT_USAGE);
    cr_assert(strstr(err.msg, reg), "%s", err.msg);
    cr_assert(strstr(err.msg, "fixture-dense, fixture-vision"), "%s", err.msg);
    cr_assert(strstr(err.msg, "--models-file"), "%s", err.msg);
}

Test(run_models, without_a_registry_the_message_lists_where_it_looked)
{
    /* from a folder without benchmarks/ (the unit-test binary is not installed) */
    char cwd[PATH_MAX];
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    cr_assert_eq(chdir(dir), 0);
    struct run_model m;
    struct bai_error err = { 0 };
    int rc = run_model_resolve("fixture-dense", NULL, &m, &err);
    cr_assert_eq(chdir(cwd), 0);
    cr_assert_neq(rc, 0);
    cr_assert(strstr(err.msg, "./benchmarks/models.yaml") && strstr(err.msg, "/share/benchai/models.yaml"),
              "%s", err.msg);
    cr_assert(strstr(err.msg, "--models-file") && strstr(err.msg, "models_file:"), "%s", err.msg);
}

Test(run_models, paths_are_taken_as_given)
{
    struct run_model m;
    struct bai_error err = { 0 };
    cr_assert_eq(run_model_resolve("some/dir/x.gguf", reg, &m, &err), 0, "%s", err.msg);
    cr_assert_str_eq(m.path, "some/dir/x.gguf");
    cr_assert_null(m.name);
    run_model_free(&m);
}

/* The search order of docs/cli.md: a configured file first, then
 * ./benchmarks/NAME. */
Test(run_models, data_files_are_searched_config_then_benchmarks)
{
    char *looked = NULL;
    char *f = defaults_data_file("models.yaml", "/elsewhere/m.yaml", &looked);
    cr_assert_str_eq(f, "/elsewhere/m.yaml");
    free(f);
    f = defaults_data_file("models.yaml", NULL, &looked);   /* the checkout's */
    cr_assert_str_eq(f, "benchmarks/models.yaml");
    free(f);
    f = defaults_data_file("no-such-file.yaml", NULL, &looked);
    cr_assert_null(f);
    cr_assert(strstr(looked, "./benchmarks/no-such-file.yaml, "), "%s", looked);
    free(looked);
}

/* In a sweep the registry's mmproj goes to every point, and a file that is
 * no projector is refused before any server starts (fixture-badvision's
 * mmproj is a llama GGUF). */
Test(run_models, sweeps_check_the_registry_mmproj_before_launch)
{
    struct run_config a;
    run_config_init(&a);
    a.model = "fixture-badvision";
    a.models_file = reg;
    strv_push(&a.sweeps, "threads=1,2");
    struct run_points pts;
    struct bai_error err = { 0 };
    cr_assert_neq(run_points_build(&a, &pts, &err), 0);
    cr_assert(strstr(err.msg, "fixture-badvision") && strstr(err.msg, "architecture 'llama', not a multimodal projector"),
              "%s", err.msg);
    /* --mmproj of the command line is checked the same way */
    a.model = "fixture-dense";
    a.mmproj = "tests/data/gguf/moe.gguf";
    cr_assert_neq(run_points_build(&a, &pts, &err), 0);
    cr_assert(strstr(err.msg, "--mmproj: mmproj tests/data/gguf/moe.gguf has architecture 'llama'"), "%s", err.msg);
    a.mmproj = clip;
    cr_assert_eq(run_points_build(&a, &pts, &err), 0, "%s", err.msg);
    cr_assert_eq(pts.n_points, 2);
    for (size_t i = 0; i < 2; i++)
        cr_assert_str_eq(pts.points[i].backend.server.mmproj, clip);
    run_points_free(&pts);
    run_config_free(&a);
}
