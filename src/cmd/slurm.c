/* slurm.c - `benchai slurm [PLAN] --shards N [sbatch options] [-- RUN-ARGS]`:
 * writes the job scripts of one sharded run on a Slurm cluster: an sbatch
 * job array of N shard tasks and a merge job that depends on it, and a
 * submit script that submits both (or resubmits some indexes).
 *
 * The scripts carry N explicitly (never $SLURM_ARRAY_TASK_COUNT, which is 1
 * when one index is resubmitted), check the 1-based index, run each shard
 * on node-local scratch, resume an earlier attempt's copy when there is
 * one, and trap the signal Slurm sends before the time limit (--signal) or
 * on scancel so the partial store is copied to shared storage before the
 * job ends. Before writing, the plan is checked and shown as `benchai plan`
 * shows it, and --cpus-per-task is checked against the nodes sinfo
 * reports (a request no node can meet would pend forever). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli/config_file.h"
#include "cmd/cmd.h"
#include "store/store.h"
#include "util/error.h"
#include "util/fs.h"
#include "util/mem.h"
#include "util/version.h"

struct slurm_opts {
    int shards, cpus, gpus, signal_lead, force;
    const char *partition, *account, *qos, *time, *mem, *merge_time, *out, *shared, *store, *run_id,
        *split_above, *gres;
    struct strv sbatch_args;
};

#define S struct slurm_opts
static const struct cli_option slurm_options[] = {
    CLI_OPT_INT(0, "shards", S, shards, "N", 1, 100000, "the number of shards (array tasks), required",
                .flags = CLI_REQUIRED),
    CLI_OPT_STRING(0, "split-above", S, split_above, "D|auto|never",
                   "split a point estimated above D into item chunks\n(default auto: the plan's estimate / N)"),
    CLI_OPT_STRING(0, "partition", S, partition, "P", "sbatch --partition"),
    CLI_OPT_STRING(0, "account", S, account, "A", "sbatch --account"),
    CLI_OPT_STRING(0, "qos", S, qos, "Q", "sbatch --qos"),
    CLI_OPT_INT(0, "cpus-per-task", S, cpus, "N", 1, 1000000,
                "sbatch --cpus-per-task (checked against the nodes with sinfo)"),
    CLI_OPT_INT(0, "gpus-per-task", S, gpus, "N", 1, 1000000, "sbatch --gpus-per-task"),
    CLI_OPT_STRING(0, "gres", S, gres, "GRES", "sbatch --gres (e.g. gpu:a100:1), instead of --gpus-per-task"),
    CLI_OPT_STRING(0, "mem", S, mem, "SIZE", "sbatch --mem (e.g. 64G)"),
    CLI_OPT_STRING(0, "time", S, time, "T", "sbatch --time of a shard (e.g. 04:00:00)"),
    CLI_OPT_INT(0, "signal-lead", S, signal_lead, "S", 10, 86400,
                "seconds before the time limit at which the shard stops and\ncopies its store (default 300, "
                "at most a fifth of --time)"),
    CLI_OPT_STRING(0, "merge-time", S, merge_time, "T", "sbatch --time of the merge job (default 00:30:00)"),
    CLI_OPT_LIST(0, "sbatch-arg", S, sbatch_args, "ARG", "another #SBATCH line for the shards (repeatable)",
                 .flags = CLI_WHOLE),
    CLI_OPT_STRING(0, "run-id", S, run_id, "ID", "the run id (default: a new one)"),
    CLI_OPT_STRING(0, "out", S, out, "DIR", "where the scripts go (default results/slurm/RUN)",
                   .complete = CLI_COMP_DIR),
    CLI_OPT_STRING(0, "shared", S, shared, "DIR",
                   "shared directory for the shard stores (default results/shards)", .complete = CLI_COMP_DIR),
    CLI_OPT_STORE(S, store),
    CLI_OPT_FLAG(0, "force", S, force, "write the scripts although sinfo says no node has the CPUs asked for"),
    CLI_OPT_END(),
};
#undef S

const struct cli_command cmd_slurm_cli = {
    .name = "slurm",
    .summary = "write the Slurm job array and merge job of a sharded run",
    .usage = "[PLAN] --shards N [--partition P] [--cpus-per-task N] [--gpus-per-task N] [--time T]\n"
             " [--out DIR] [-- RUN-ARGS...]",
    .description =
        "Writes DIR/shard.sbatch (a job array: shard I of N of the run on node-local\n"
        "scratch, copied to --shared when it ends, on time limit or on scancel),\n"
        "DIR/merge.sbatch (merges the shard stores into --store) and DIR/submit.sh,\n"
        "which submits the array and a merge job that waits for it:\n"
        "  bash DIR/submit.sh          every shard, then the merge\n"
        "  bash DIR/submit.sh 3,7      shards 3 and 7 again (they resume their copies),\n"
        "                              then the merge again\n"
        "PLAN is a plan file; RUN-ARGS after -- are more `benchai run` arguments.\n"
        "The shards are shown first, as `benchai plan --shards N` shows them.\n"
        "Paths in the scripts are absolute; the jobs run in the current directory.\n",
    .options = slurm_options,
    .args = "[PLAN] [-- RUN-ARGS...]", .max_args = -1, .args_complete = CLI_COMP_FILE,
    .run = cmd_slurm,
};

/* One shell word: single-quoted unless plainly safe. */
static void sh_quote(struct buf *b, const char *s)
{
    if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-./=:,+@%") == strlen(s)) {
        buf_puts(b, s);
        return;
    }
    buf_putc(b, '\'');
    for (; *s; s++) {
        if (*s == '\'')
            buf_puts(b, "'\\''");
        else
            buf_putc(b, *s);
    }
    buf_putc(b, '\'');
}

static char *absolute(const char *path)
{
    if (path[0] == '/')
        return xstrdup(path);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return xstrdup(path);
    return xasprintf("%s/%s", cwd, path);
}

/* Runs argv and returns its stdout (allocated), NULL when it cannot run or
 * fails. No shell: a partition name is passed as one argument. */
static char *capture(char *const argv[])
{
    int fd[2];
    if (pipe(fd) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return NULL;
    }
    if (pid == 0) {
        dup2(fd[1], 1);
        close(fd[0]);
        close(fd[1]);
        FILE *null = fopen("/dev/null", "w");
        if (null)
            dup2(fileno(null), 2);
        execvp(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    struct buf b = { 0 };
    char chunk[4096];
    ssize_t r;
    while ((r = read(fd[0], chunk, sizeof chunk)) > 0 || (r < 0 && errno == EINTR))
        if (r > 0)
            buf_append(&b, chunk, (size_t)r);
    close(fd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        buf_free(&b);
        return NULL;
    }
    buf_puts(&b, "");
    return buf_detach(&b);
}

/* A request for more CPUs than any node has pends forever with no error:
 * asked of sinfo when it is there. Returns 0 to go on, 2 to refuse. */
static int check_nodes(const struct slurm_opts *o)
{
    if (!o->cpus && !o->gpus && !o->gres)
        return 0;
    char *argv[8] = { "sinfo", "-h", "-o", "%c %G", NULL, NULL, NULL };
    if (o->partition) {
        argv[4] = "-p";
        argv[5] = (char *)o->partition;
    }
    char *out = capture(argv);
    if (!out) {
        fprintf(stderr, "benchai slurm: sinfo is not available here: --cpus-per-task and GPUs are not checked "
                        "against the nodes\n");
        return 0;
    }
    long max_cpus = 0;
    int any_gpu = 0, lines = 0;
    for (char *save = NULL, *line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        long c = strtol(line, NULL, 10);
        if (c > max_cpus)
            max_cpus = c;
        any_gpu |= strstr(line, "gpu") != NULL;
        lines++;
    }
    free(out);
    int rc = 0;
    const char *where = o->partition ? o->partition : "the default partition";
    if (!lines) {
        fprintf(stderr, "benchai slurm: sinfo lists no nodes in %s%s\n", where, o->force ? "" : " (--force writes the scripts anyway)");
        rc = o->force ? 0 : BAI_EXIT_USAGE;
    } else if (o->cpus > max_cpus) {
        fprintf(stderr, "benchai slurm: --cpus-per-task %d: the largest node in %s has %ld CPUs (sinfo), so the "
                        "shards would pend forever; ask for at most %ld%s\n", o->cpus, where, max_cpus, max_cpus,
                o->force ? " (--force: writing the scripts anyway)" : " (or --force)");
        rc = o->force ? 0 : BAI_EXIT_USAGE;
    }
    if (lines && (o->gpus || o->gres) && !any_gpu)
        fprintf(stderr, "benchai slurm: warning: sinfo shows no GPU generic resource in %s; GPU requests may "
                        "pend forever\n", where);
    return rc;
}

/* "HH:MM:SS", "MM:SS", "MM", "D-HH[:MM[:SS]]" -> seconds, -1 when unknown. */
static long slurm_seconds(const char *t)
{
    if (!t)
        return -1;
    long d = 0, f[3] = { 0 };
    int n = 0;
    const char *p = t, *dash = strchr(t, '-');
    if (dash) {
        d = strtol(t, NULL, 10);
        p = dash + 1;
    }
    while (*p && n < 3) {
        char *end;
        f[n++] = strtol(p, &end, 10);
        if (end == p)
            return -1;
        p = *end == ':' ? end + 1 : end;
        if (*end && *end != ':')
            return -1;
    }
    long s;
    if (dash)
        s = f[0] * 3600 + f[1] * 60 + f[2];
    else if (n == 1)
        s = f[0] * 60;
    else if (n == 2)
        s = f[0] * 60 + f[1];
    else
        s = f[0] * 3600 + f[1] * 60 + f[2];
    return d * 86400 + s;
}

static void sbatch_line(struct buf *b, const char *opt, const char *value)
{
    if (value)
        buf_printf(b, "#SBATCH --%s=%s\n", opt, value);
}

static char *shard_script(const struct slurm_opts *o, const char *run_id, const char *bin, const char *workdir,
                          const char *shared, const char *logs, const char *run_args)
{
    struct buf b = { 0 };
    char num[32];
    buf_puts(&b, "#!/bin/bash\n");
    buf_printf(&b, "#SBATCH --job-name=benchai-%s\n", run_id);
    buf_printf(&b, "#SBATCH --output=%s/shard-%%a-%%A.out\n", logs);
    buf_printf(&b, "#SBATCH --array=1-%d\n", o->shards);
    sbatch_line(&b, "partition", o->partition);
    sbatch_line(&b, "account", o->account);
    sbatch_line(&b, "qos", o->qos);
    if (o->cpus) {
        snprintf(num, sizeof num, "%d", o->cpus);
        sbatch_line(&b, "cpus-per-task", num);
    }
    if (o->gpus) {
        snprintf(num, sizeof num, "%d", o->gpus);
        sbatch_line(&b, "gpus-per-task", num);
    }
    sbatch_line(&b, "gres", o->gres);
    sbatch_line(&b, "mem", o->mem);
    sbatch_line(&b, "time", o->time);
    long limit = slurm_seconds(o->time);
    long lead = o->signal_lead ? o->signal_lead : 300;
    if (limit > 0 && lead > limit / 5)
        lead = limit / 5 > 10 ? limit / 5 : 10;
    /* B: the batch shell alone gets it; its trap stops benchai and copies */
    buf_printf(&b, "#SBATCH --signal=B:TERM@%ld\n", lead);
    for (size_t i = 0; i < o->sbatch_args.n; i++)
        buf_printf(&b, "#SBATCH %s\n", o->sbatch_args.v[i]);
    buf_printf(&b,
        "#\n"
        "# Shard I of %d of benchai run %s, written by `benchai slurm` (benchai %s).\n"
        "# Submit every shard and the merge with submit.sh; resubmit shard 3 alone\n"
        "# with `bash submit.sh 3` (or `sbatch --array=3 shard.sbatch`): N is fixed\n"
        "# here, so a resubmitted index is still shard 3 of %d, and it resumes the\n"
        "# copy an earlier attempt left in the shared directory.\n"
        "set -uo pipefail\n"
        "N=%d\n", o->shards, run_id, bai_version, o->shards, o->shards);
    buf_puts(&b, "RUN_ID=");
    sh_quote(&b, run_id);
    buf_puts(&b, "\nBENCHAI=");
    sh_quote(&b, bin);
    buf_puts(&b, "\nWORKDIR=");
    sh_quote(&b, workdir);
    buf_puts(&b, "\nSHARED=");
    sh_quote(&b, shared);
    buf_puts(&b, "\n");
    buf_printf(&b,
        "I=${SLURM_ARRAY_TASK_ID:-}\n"
        "case \"$I\" in\n"
        "  ''|*[!0-9]*) echo \"benchai shard: SLURM_ARRAY_TASK_ID='$I' is not an array index; submit with submit.sh\" >&2; exit 2 ;;\n"
        "esac\n"
        "if [ \"$I\" -lt 1 ] || [ \"$I\" -gt \"$N\" ]; then\n"
        "  echo \"benchai shard: array index $I is outside 1..$N (this run has $N shards, indexes from 1)\" >&2\n"
        "  exit 2\n"
        "fi\n"
        "cd \"$WORKDIR\" || exit 2\n"
        "SCRATCH=${BENCHAI_SCRATCH:-${TMPDIR:-/tmp}}/benchai-$RUN_ID-$I-${SLURM_JOB_ID:-$$}\n"
        "LOCAL=$SCRATCH/shard.db\n"
        "COPY=$SHARED/$RUN_ID-$I.db\n"
        "mkdir -p \"$SCRATCH\" \"$SHARED\" || exit 4\n"
        "\n"
        "# a consistent snapshot of the local store, put in place under its name in\n"
        "# one rename: the merge job never reads half a copy\n"
        "copy_back() {\n"
        "  [ -f \"$LOCAL\" ] || return 0\n"
        "  \"$BENCHAI\" store copy \"$COPY\" --store \"$LOCAL\"\n"
        "}\n"
        "child=\n"
        "# On the time-limit signal (--signal, to this shell only) or scancel (to\n"
        "# every process of the job, which is killed KillWait seconds later): copy\n"
        "# what is committed at once, stop benchai (samples in flight are stored,\n"
        "# the run marked interrupted), and copy again.\n"
        "on_signal() {\n"
        "  trap - TERM INT HUP USR1\n"
        "  echo \"benchai shard $I: $1: copying its store to $COPY, stopping the run\" >&2\n"
        "  copy_back\n"
        "  if [ -n \"$child\" ]; then\n"
        "    kill -TERM \"$child\" 2>/dev/null\n"
        "    wait \"$child\"\n"
        "  fi\n"
        "  copy_back\n"
        "  rm -rf \"$SCRATCH\"\n"
        "  exit 143\n"
        "}\n"
        "trap 'on_signal TERM' TERM\n"
        "trap 'on_signal INT' INT\n"
        "trap 'on_signal HUP' HUP\n"
        "trap 'on_signal USR1' USR1\n"
        "\n"
        "if [ -f \"$COPY\" ] && cp \"$COPY\" \"$LOCAL\" && \"$BENCHAI\" status \"$RUN_ID\" --store \"$LOCAL\" >/dev/null 2>&1; then\n"
        "  echo \"benchai shard $I of $N: resuming the earlier attempt's store\" >&2\n"
        "  \"$BENCHAI\" resume \"$RUN_ID\" --store \"$LOCAL\" &\n"
        "else\n"
        "  rm -f \"$LOCAL\"\n"
        "  \"$BENCHAI\" run --run-id \"$RUN_ID\" --shard \"$I/$N\" --store \"$LOCAL\"%s &\n"
        "fi\n"
        "child=$!\n"
        "wait \"$child\"\n"
        "status=$?\n"
        "child=\n"
        "copy_back || status=4\n"
        "rm -rf \"$SCRATCH\"\n"
        "exit $status\n", run_args);
    return buf_detach(&b);
}

static char *merge_script(const struct slurm_opts *o, const char *run_id, const char *bin, const char *workdir,
                          const char *shared, const char *logs, const char *store)
{
    struct buf b = { 0 };
    buf_puts(&b, "#!/bin/bash\n");
    buf_printf(&b, "#SBATCH --job-name=benchai-merge-%s\n", run_id);
    buf_printf(&b, "#SBATCH --output=%s/merge-%%j.out\n", logs);
    sbatch_line(&b, "partition", o->partition);
    sbatch_line(&b, "account", o->account);
    sbatch_line(&b, "qos", o->qos);
    sbatch_line(&b, "time", o->merge_time ? o->merge_time : "00:30:00");
    buf_printf(&b,
        "#\n"
        "# Merges the shard stores of run %s into the results store, then shows\n"
        "# which shards are done, partial or missing. Safe to run again at any time.\n"
        "set -uo pipefail\n", run_id);
    buf_puts(&b, "RUN_ID=");
    sh_quote(&b, run_id);
    buf_puts(&b, "\nBENCHAI=");
    sh_quote(&b, bin);
    buf_puts(&b, "\nWORKDIR=");
    sh_quote(&b, workdir);
    buf_puts(&b, "\nSHARED=");
    sh_quote(&b, shared);
    buf_puts(&b, "\nSTORE=");
    sh_quote(&b, store);
    buf_puts(&b, "\n"
        "cd \"$WORKDIR\" || exit 2\n"
        "# the pattern is quoted: benchai expands it, and says so when nothing matches\n"
        "\"$BENCHAI\" merge \"$SHARED/$RUN_ID-*.db\" --out \"$STORE\"\n"
        "rc=$?\n"
        "\"$BENCHAI\" status \"$RUN_ID\" --store \"$STORE\"\n"
        "exit $rc\n");
    return buf_detach(&b);
}

static char *submit_script(const struct slurm_opts *o, const char *run_id)
{
    struct buf b = { 0 };
    buf_printf(&b,
        "#!/bin/bash\n"
        "# submit.sh [I,J,...]: submits shards 1-%d of run %s (or only the given\n"
        "# indexes, to resubmit them), then a merge job that waits for them.\n"
        "set -euo pipefail\n"
        "cd \"$(dirname \"$0\")\"\n"
        "N=%d\n"
        "ARRAY=${1:-1-$N}\n"
        "for part in ${ARRAY//,/ }; do\n"
        "  for i in ${part/-/ }; do\n"
        "    case \"$i\" in ''|*[!0-9]*) echo \"submit.sh: '$part' is not an index or range of 1..$N\" >&2; exit 2 ;; esac\n"
        "    if [ \"$i\" -lt 1 ] || [ \"$i\" -gt \"$N\" ]; then echo \"submit.sh: index $i is outside 1..$N\" >&2; exit 2; fi\n"
        "  done\n"
        "done\n"
        "job=$(sbatch --parsable --array=\"$ARRAY\" shard.sbatch)\n"
        "job=${job%%%%;*}\n"
        "merge=$(sbatch --parsable --dependency=afterany:\"$job\" merge.sbatch)\n"
        "merge=${merge%%%%;*}\n"
        "echo \"$job $ARRAY\" >> jobs.txt\n"
        "echo \"run %s: shards $ARRAY as job $job, merge as job $merge\"\n"
        "echo \"follow it with: benchai status --shards '%s/%s-*.db'\"\n",
        o->shards, run_id, o->shards, run_id, o->shared ? o->shared : "results/shards", run_id);
    return buf_detach(&b);
}

static int write_script(const char *dir, const char *name, const char *text, struct bai_error *err)
{
    char *path = xasprintf("%s/%s", dir, name);
    int rc = fs_write_atomic(path, text, strlen(text), err);
    if (rc == 0 && chmod(path, 0755) != 0) {
        bai_error_set(err, BAI_EXIT_USAGE, "%s: %s", path, strerror(errno));
        rc = -1;
    }
    free(path);
    return rc;
}

int cmd_slurm(int argc, char **argv)
{
    struct slurm_opts o = { .store = cli_default_store() };
    int rc = cmd_options(&cmd_slurm_cli, &o, &argc, &argv);
    if (rc >= 0)
        return rc;
    /* the run's arguments: the plan, then what follows -- */
    char **run = xcalloc((size_t)argc + 8, sizeof *run);
    int n = 0, first = 0;
    run[n++] = "run";
    if (argc > 0 && argv[0][0] != '-') {
        run[n++] = "--plan";
        run[n++] = argv[0];
        first = 1;
    }
    if (o.split_above) {
        run[n++] = "--split-above";
        run[n++] = (char *)o.split_above;
    }
    for (int i = first; i < argc; i++)
        run[n++] = argv[i];
    for (int i = 1; i < n; i++) {
        if (!strcmp(run[i], "--shard") || !strncmp(run[i], "--shard=", 8) || !strcmp(run[i], "--store") ||
            !strncmp(run[i], "--store=", 8) || !strcmp(run[i], "--run-id") || !strncmp(run[i], "--run-id=", 9)) {
            fprintf(stderr, "benchai slurm: %s is set by the job scripts (use --shards, --store and --run-id of "
                            "benchai slurm)\n", run[i]);
            free(run);
            cli_free(&cmd_slurm_cli, &o);
            return BAI_EXIT_USAGE;
        }
    }
    /* the plan is checked, and shown, exactly as the shards will compute it */
    char **view = xcalloc((size_t)n + 1, sizeof *view);
    memcpy(view, run, (size_t)n * sizeof *view);
    rc = cmd_run_shards_view(n, view, o.shards, 0);
    free(view);
    if (rc == BAI_EXIT_OK)
        rc = check_nodes(&o);
    if (rc != BAI_EXIT_OK) {
        free(run);
        cli_free(&cmd_slurm_cli, &o);
        return rc;
    }
    char run_id[STORE_RUN_ID_MAX];
    if (o.run_id)
        snprintf(run_id, sizeof run_id, "%s", o.run_id);
    else
        store_new_run_id(run_id);
    char *bin = realpath("/proc/self/exe", NULL);
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        snprintf(cwd, sizeof cwd, ".");
    char *out = o.out ? absolute(o.out) : xasprintf("%s/results/slurm/%s", cwd, run_id);
    char *shared = absolute(o.shared ? o.shared : "results/shards");
    char *store = absolute(o.store);
    char *logs = xasprintf("%s/logs", out);
    struct buf args = { 0 };
    for (int i = 1; i < n; i++) {
        buf_putc(&args, ' ');
        sh_quote(&args, run[i]);
    }
    buf_puts(&args, "");
    struct bai_error err = { 0 };
    char *shard = shard_script(&o, run_id, bin ? bin : "benchai", cwd, shared, logs, args.data);
    char *merge = merge_script(&o, run_id, bin ? bin : "benchai", cwd, shared, logs, store);
    struct slurm_opts so = o;
    so.shared = shared;
    char *submit = submit_script(&so, run_id);
    if (fs_mkdirs(logs, 0755, &err) != 0 || fs_mkdirs(shared, 0755, &err) != 0 ||
        write_script(out, "shard.sbatch", shard, &err) != 0 || write_script(out, "merge.sbatch", merge, &err) != 0 ||
        write_script(out, "submit.sh", submit, &err) != 0) {
        rc = bai_error_report(&err);
    } else {
        printf("\nrun %s: %d shards; scripts in %s\n"
               "submit: bash %s/submit.sh        (resubmit shards: bash %s/submit.sh 3,7)\n"
               "shard stores: %s/%s-I.db; merged into %s\n",
               run_id, o.shards, out, out, out, shared, run_id, store);
        rc = fflush(stdout) == 0 ? BAI_EXIT_OK : BAI_EXIT_FAIL;
    }
    free(shard);
    free(merge);
    free(submit);
    buf_free(&args);
    free(logs);
    free(store);
    free(shared);
    free(out);
    free(bin);
    free(run);
    cli_free(&cmd_slurm_cli, &o);
    return rc;
}
