/* test_slurm_scripts.c - what `benchai slurm` writes, without a cluster:
 * the scripts parse (bash -n), carry N themselves (never
 * $SLURM_ARRAY_TASK_COUNT, which is 1 for a resubmitted index), refuse an
 * index outside 1..N or a missing one before doing anything, trap the
 * time-limit signal, and submit.sh refuses bad indexes before calling
 * sbatch. `make slurm-test` runs them on a real Slurm (issue 23, item 2). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"
#include "util/fs.h"
#include "util/mem.h"

static char *slurm_dir;

/* Writes the scripts of a two-point endpoint plan for 3 shards into a temp
 * dir (the endpoint is never contacted: nothing runs). */
static void write_scripts(void)
{
    char *dir = harness_tempdir();
    char *models = xasprintf("models:\n  - name: ep-a\n    url: http://127.0.0.1:9\n"
                             "  - name: ep-b\n    url: http://127.0.0.1:9\n");
    char *mp = xasprintf("%s/models.yaml", dir), *pp = xasprintf("%s/plan.yaml", dir);
    cr_assert_eq(fs_write_atomic(mp, models, strlen(models), NULL), 0);
    const char *plan = "plan: eps\nsuites: [smoke]\nwarmup: 0\nsweeps:\n  - name: eps\n    model: [ep-a, ep-b]\n";
    cr_assert_eq(fs_write_atomic(pp, plan, strlen(plan), NULL), 0);
    slurm_dir = xasprintf("%s/slurm", dir);
    char *shared = xasprintf("%s/shared", dir), *store = xasprintf("%s/final.db", dir);
    const char *args[] = { "slurm", pp, "--shards", "3", "--time", "01:00:00", "--partition", "gpu",
                           "--run-id", "night9", "--out", slurm_dir, "--shared", shared, "--store", store,
                           "--sbatch-arg", "--constraint=a,b", "--", "--no-stream", "--note", "it's", NULL };
    char *out = NULL, *err = NULL;
    int rc = harness_run(args, &out, &err);
    cr_assert_eq(rc, 0, "%s%s", out, err);
    cr_assert(strstr(out, "shard 3 of 3"), "the shards are shown first:\n%s", out);
    free(out);
    free(err);
    free(shared);
    free(store);
    free(models);
    free(mp);
    free(pp);
    free(dir);
}

static char *script(const char *name)
{
    char *path = xasprintf("%s/%s", slurm_dir, name);
    char *text = fs_read_file(path, NULL, NULL);
    cr_assert_not_null(text, "%s was not written", path);
    free(path);
    return text;
}

/* Runs a shell command; returns its exit status, output in *out. */
static int sh(const char *cmd, char **out)
{
    char *full = xasprintf("%s 2>&1", cmd);
    FILE *p = popen(full, "r");
    free(full);
    cr_assert_not_null(p);
    struct buf b = { 0 };
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, p)) > 0)
        buf_append(&b, chunk, n);
    buf_puts(&b, "");
    int status = pclose(p);
    *out = buf_detach(&b);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

Test(slurm_scripts, written_and_well_formed, .init = write_scripts, .timeout = 60)
{
    char *shard = script("shard.sbatch"), *merge = script("merge.sbatch"), *submit = script("submit.sh");
    cr_assert(strstr(shard, "#SBATCH --array=1-3\n"), "%s", shard);
    cr_assert(strstr(shard, "\nN=3\n"), "N is written in the script:\n%s", shard);
    cr_assert_null(strstr(shard, "SLURM_ARRAY_TASK_COUNT"), "%s", shard);
    cr_assert(strstr(shard, "#SBATCH --time=01:00:00\n"), "%s", shard);
    cr_assert(strstr(shard, "#SBATCH --signal=B:TERM@300\n"), "%s", shard);
    cr_assert(strstr(shard, "#SBATCH --partition=gpu\n"), "%s", shard);
    cr_assert(strstr(shard, "#SBATCH --constraint=a,b\n"), "a whole --sbatch-arg, commas kept:\n%s", shard);
    cr_assert(strstr(shard, "trap 'on_signal TERM' TERM"), "%s", shard);
    cr_assert(strstr(shard, "--shard \"$I/$N\""), "%s", shard);
    cr_assert(strstr(shard, " --no-stream --note 'it'\\''s'"), "the run's arguments, quoted:\n%s", shard);
    cr_assert(strstr(shard, "resume \"$RUN_ID\" --store \"$LOCAL\""), "%s", shard);
    cr_assert(strstr(merge, "merge \"$SHARED/$RUN_ID-*.db\" --out \"$STORE\""), "%s", merge);
    cr_assert(strstr(submit, "--dependency=afterany:"), "%s", submit);
    char *out = NULL;
    const char *names[] = { "shard.sbatch", "merge.sbatch", "submit.sh" };
    for (int i = 0; i < 3; i++) {
        char *cmd = xasprintf("bash -n '%s/%s'", slurm_dir, names[i]);
        cr_assert_eq(sh(cmd, &out), 0, "%s does not parse: %s", names[i], out);
        free(out);
        free(cmd);
    }
    free(shard);
    free(merge);
    free(submit);
}

/* The index is checked before anything runs: a task outside 1..N (a 0-based
 * or too long array) or outside an array stops with exit 2. */
Test(slurm_scripts, index_checked_before_anything_runs, .init = write_scripts, .timeout = 60)
{
    static const struct { const char *env, *want; } cases[] = {
        { "SLURM_ARRAY_TASK_ID=0", "array index 0 is outside 1..3" },
        { "SLURM_ARRAY_TASK_ID=4", "array index 4 is outside 1..3" },
        { "SLURM_ARRAY_TASK_ID=x1", "is not an array index" },
        { "-u SLURM_ARRAY_TASK_ID", "is not an array index" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *cmd = xasprintf("env %s BENCHAI_SCRATCH=/nonexistent/x bash '%s/shard.sbatch'", cases[i].env,
                              slurm_dir);
        char *out = NULL;
        cr_assert_eq(sh(cmd, &out), 2, "%s: %s", cases[i].env, out);
        cr_assert(strstr(out, cases[i].want), "%s: %s", cases[i].env, out);
        free(out);
        free(cmd);
    }
    char *out = NULL;
    char *cmd = xasprintf("PATH=/nonexistent:$PATH bash '%s/submit.sh' 2,4", slurm_dir);
    cr_assert_eq(sh(cmd, &out), 2, "%s", out);
    cr_assert(strstr(out, "index 4 is outside 1..3"), "%s", out);
    free(out);
    free(cmd);
}

/* --shard, --store and --run-id belong to the scripts. */
Test(slurm_scripts, run_arguments_the_scripts_own_are_refused)
{
    const char *args[] = { "slurm", "--shards", "2", "--", "--suite", "smoke", "--shard", "1/2", NULL };
    char *out = NULL, *err = NULL;
    cr_assert_eq(harness_run(args, &out, &err), 2);
    cr_assert(strstr(err, "--shard is set by the job scripts"), "%s", err);
    free(out);
    free(err);
}
