/* test_install.c - an installed benchai (`make install` into a PREFIX) finds
 * the model registry and the roles file it ships, from any working folder,
 * and --model NAME resolves in a run without --sweep (issue 25 item 6).
 * Before: select failed with "benchmarks/roles.yaml: No such file" and no
 * hint, and `run --model tiny-dense` took the name for a file.
 *
 * The PREFIX gets the real `make install-data` (the part of `make install`
 * that puts suites, models.yaml and roles.yaml under PREFIX/share/benchai)
 * and a copy of the binary under test in PREFIX/bin; every command then runs
 * from an empty folder, so nothing of the checkout is found by accident. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

struct inst {
    char *tmp, *prefix, *bin, *work;
};

static struct inst install(void)
{
    struct inst s = { 0 };
    s.tmp = harness_tempdir();
    cr_assert_not_null(s.tmp);
    s.prefix = xasprintf("%s/prefix", s.tmp);
    s.bin = xasprintf("%s/bin/benchai", s.prefix);
    s.work = xasprintf("%s/work", s.tmp);
    char *cmd = xasprintf("make -s --no-print-directory install-data PREFIX=%s >%s/make.log 2>&1 && "
                          "mkdir -p %s/bin %s && cp %s %s", s.prefix, s.tmp, s.prefix, s.work,
                          harness_bin(), s.bin);
    int rc = system(cmd);
    free(cmd);
    cr_assert_eq(rc, 0, "make install-data into %s failed", s.prefix);
    return s;
}

static void inst_free(struct inst *s)
{
    char *cmd = xasprintf("rm -rf %s", s->tmp);
    if (system(cmd) != 0)
        cr_log_warn("could not remove %s", s->tmp);
    free(cmd);
    free(s->tmp);
    free(s->prefix);
    free(s->bin);
    free(s->work);
}

/* Runs the installed binary from the empty work folder; out and err get
 * stdout and stderr (caller frees). Returns the exit status. */
static int run_installed(const struct inst *s, const char *args, char **out, char **err)
{
    char *cmd = xasprintf("cd %s && XDG_CONFIG_HOME=%s/config %s %s >%s/out 2>%s/err", s->work, s->tmp,
                          s->bin, args, s->tmp, s->tmp);
    int st = system(cmd);
    free(cmd);
    char *o = xasprintf("%s/out", s->tmp), *e = xasprintf("%s/err", s->tmp);
    size_t n;
    struct bai_error ignored = { 0 };
    *out = fs_read_file(o, &n, &ignored);
    *err = fs_read_file(e, &n, &ignored);
    free(o);
    free(e);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

Test(install, installed_benchai_finds_its_registry_and_roles_from_any_folder, .timeout = 120)
{
    struct inst s = install();
    char *out, *err;
    int code = run_installed(&s, "config -o csv", &out, &err);
    cr_assert_eq(code, 0, "%s", err);
    char *models = xasprintf("models_file,%s/share/benchai/models.yaml", s.prefix);
    char *roles = xasprintf("roles_file,%s/share/benchai/roles.yaml", s.prefix);
    cr_assert(strstr(out, models), "want %s in:\n%s", models, out);
    cr_assert(strstr(out, roles), "want %s in:\n%s", roles, out);
    free(out);
    free(err);

    /* select reads the installed roles file (a store fixture with one config) */
    char *db = xasprintf("%s/v1.db", s.tmp);
    harness_sql_file(db, "tests/data/store/v1.sql");
    char *args = xasprintf("select --store %s", db);
    free(db);
    code = run_installed(&s, args, &out, &err);
    free(args);
    cr_assert_eq(code, 0, "exit %d\n%s\n%s", code, out, err);
    cr_assert(strstr(out, roles + strlen("roles_file,")), "the roles file used is named:\n%s", out);
    free(out);
    free(err);
    free(models);
    free(roles);
    inst_free(&s);
}

Test(install, without_a_roles_file_select_says_where_it_looked_and_which_flag, .timeout = 120)
{
    struct inst s = install();
    char *gone = xasprintf("%s/share/benchai/roles.yaml", s.prefix);
    cr_assert_eq(unlink(gone), 0);
    char *out, *err;
    char *args = xasprintf("select --store %s/empty.db", s.tmp);
    int code = run_installed(&s, args, &out, &err);
    free(args);
    cr_assert_eq(code, 2, "exit %d\n%s", code, err);
    cr_assert(strstr(err, "./benchmarks/roles.yaml") && strstr(err, gone), "%s", err);
    cr_assert(strstr(err, "--roles FILE") && strstr(err, "roles_file:"), "%s", err);
    free(out);
    free(err);
    free(gone);
    inst_free(&s);
}

/* --model NAME of the installed registry, in a run without --sweep: the
 * dry run shows the server command with the registry's path. */
Test(install, model_name_resolves_from_the_installed_registry_without_sweep, .timeout = 120)
{
    if (!harness_have_llama())
        cr_skip_test("llama-server or the tiny models are missing (make models)");
    struct inst s = install();
    char *out, *err;
    int code = run_installed(&s, "run --model tiny-dense --suite smoke --dry-run", &out, &err);
    cr_assert_eq(code, 0, "exit %d\n%s\n%s", code, out, err);
    char *dense = harness_model("tiny-dense");
    char *want = xasprintf("--model %s", dense);
    /* the registry says ${BENCHAI_MODELS}/tiny-dense.gguf: the same file */
    cr_assert(strstr(out, "tiny-dense.gguf") && strstr(out, "1. tiny-dense"), "%s", out);
    free(want);
    free(dense);
    free(out);
    free(err);
    /* an unknown name names the registry read and the flag */
    code = run_installed(&s, "run --model tiny-dens --suite smoke --dry-run", &out, &err);
    cr_assert_eq(code, 2, "%s", err);
    cr_assert(strstr(err, "share/benchai/models.yaml") && strstr(err, "tiny-dense"), "%s", err);
    cr_assert(strstr(err, "--models-file"), "%s", err);
    free(out);
    free(err);
    inst_free(&s);
}
