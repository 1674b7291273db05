/* sandbox.h - running untrusted programs (model-written code) contained.
 *
 * Owns: isolation (namespaces, a fresh root holding only what the language
 * needs, private tmpfs, seccomp, uid drop), limits (cgroups where writable,
 * rlimits always, wall-clock kill), output capture, the worker pool.
 * Does not own: what to run or how to judge it (score/code.c, sandbox/lang.h).
 */
#ifndef BAI_SANDBOX_H
#define BAI_SANDBOX_H

#include <stddef.h>
#include <sys/types.h>
#include "util/error.h"

enum sandbox_mode {
    SANDBOX_MODE_FULL = 0,     /* namespaces + ro root + tmpfs + seccomp + rlimits */
    SANDBOX_MODE_RLIMITS = 1   /* rlimits, uid drop and process group only */
};

/* The program's uid and gid inside the sandbox (in rlimits mode as
 * non-root benchai, the caller's own). */
#define SANDBOX_UID 65534
#define SANDBOX_GID 65534
/* As root, each concurrent sandbox's program gets its own host uid from a
 * window of this range, so RLIMIT_NPROC counts one sample's processes only
 * (also on kernels that count it per host uid). 2130706432-2132803583:
 * above the ranges useradd and systemd hand out to users and containers. */
#define SANDBOX_HOST_UID_BASE 2130706432u
#define SANDBOX_HOST_UID_WINDOWS 8192u
#define SANDBOX_HOST_UID_SLOTS 256u

/* What holds a run's memory and process limits (sandbox_result.limits_by). */
enum sandbox_limiter {
    SANDBOX_LIMITS_RLIMITS = 0,  /* RLIMIT_AS per process, RLIMIT_NPROC per sample */
    SANDBOX_LIMITS_CGROUP1,      /* + a cgroup v1 memory and pids group per run */
    SANDBOX_LIMITS_CGROUP2       /* + a cgroup v2 group per run (memory.max, pids.max) */
};

struct sandbox_options {
    enum sandbox_mode mode;    /* FULL refuses (BAI_EXIT_SANDBOX) where unavailable */
    int no_cgroups;            /* 1: never create cgroups; rlimits hold the limits */
};

/* Per-run limits. 0 in a field means "the default" (sandbox_limits_default). */
struct sandbox_limits {
    double wall_s;             /* wall clock; the whole process tree is killed */
    int cpu_s;                 /* RLIMIT_CPU (SIGXCPU -> timeout) */
    long memory_mb;            /* the program's memory: the cgroup's memory limit is
                                * memory_mb + memory_extra_mb, RLIMIT_AS (per
                                * process) memory_mb + address_space_extra_mb */
    long memory_extra_mb;      /* what the runtime itself holds beyond memory_mb
                                * (the JVM's metaspace and code cache) */
    long address_space_extra_mb; /* address space the runtime reserves beyond
                                  * memory_mb (thread stacks, V8's code range) */
    long fsize_mb;             /* RLIMIT_FSIZE per file */
    long tmpfs_mb;             /* size of the private /tmp (work dir inside) */
    int nofile;                /* RLIMIT_NOFILE */
    int nproc;                 /* processes and threads: RLIMIT_NPROC and pids.max */
    size_t output_bytes;       /* cap on captured stdout and on stderr each */
};

/* One program to run. Everything at the top level of host_dir (regular
 * files) is copied into the sandbox's work dir (/tmp/work) before the run;
 * files matching a `collect` pattern (fnmatch) are copied back after it. In
 * rlimits mode the program runs in host_dir itself. */
struct sandbox_job {
    const char *const *argv;   /* argv[0] found in /usr/local/bin:/usr/bin:/bin */
    const char *const *env;    /* extra NAME=VALUE entries, NULL-terminated, or NULL */
    const char *host_dir;      /* required; the caller creates and removes it */
    const char *stdin_data;    /* may be NULL (empty stdin) */
    size_t stdin_len;
    const char *const *collect;/* NULL-terminated patterns, or NULL */
    const char *const *paths;  /* host paths the runtime needs beyond the base set
                                * (/usr, /bin, /lib*, ...): bound read-only */
    int report;                /* 1: give the program a pipe on fd 3, captured
                                * into sandbox_result.report (the test harness's
                                * verdict channel) */
    struct sandbox_limits limits;
};

enum sandbox_outcome {
    SANDBOX_EXITED = 0,        /* exit_code is valid */
    SANDBOX_SIGNALED,          /* term_signal is valid */
    SANDBOX_TIMEOUT,           /* wall clock or CPU limit */
    SANDBOX_OUTPUT_LIMIT,      /* stdout/stderr cap exceeded, or SIGXFSZ */
    SANDBOX_START_FAILED       /* the sandbox could not start the program */
};

struct sandbox_result {
    enum sandbox_outcome outcome;
    int exit_code;
    int term_signal;
    char *out;                 /* captured stdout (NUL-terminated, capped) */
    size_t out_len;
    char *err;                 /* captured stderr */
    size_t err_len;
    int out_truncated, err_truncated;
    char *report;              /* what came on fd 3 (job.report), else NULL */
    size_t report_len;
    int report_truncated;
    double wall_ms;
    enum sandbox_mode mode;
    enum sandbox_limiter limits_by;
    int memory_exceeded;       /* the cgroup's memory limit killed a process */
};

/* A prepared, immutable sandbox (seccomp program compiled, mount table
 * read). Safe to share between threads; sandbox_run may be called
 * concurrently. */
struct sandbox;

/* Creates a sandbox. In FULL mode, checks that namespaces work here and
 * fails with BAI_EXIT_SANDBOX (naming what is missing) when they don't;
 * finds the cgroup hierarchy it may write (none: rlimits hold the limits).
 * opt may be NULL (FULL, cgroups where writable). */
struct sandbox *sandbox_new(const struct sandbox_options *opt, struct bai_error *err);
void sandbox_free(struct sandbox *sb);
enum sandbox_mode sandbox_mode(const struct sandbox *sb);
enum sandbox_limiter sandbox_limits_by(const struct sandbox *sb);
const char *sandbox_mode_name(enum sandbox_mode m);     /* "full" / "rlimits" */
const char *sandbox_outcome_name(enum sandbox_outcome o);
const char *sandbox_limiter_name(enum sandbox_limiter l);   /* "rlimits", "cgroup1", "cgroup2" */

struct sandbox_limits sandbox_limits_default(void);
/* Fills the zero fields of l from the defaults. */
void sandbox_limits_fill(struct sandbox_limits *l);

/* Runs one job to completion, blocking the calling thread. Returns 0 and
 * fills res (free with sandbox_result_free) whenever the program was
 * attempted, whatever it did; -1 only when the sandbox itself failed before
 * starting it (err says why; res->outcome = SANDBOX_START_FAILED). */
int sandbox_run(const struct sandbox *sb, const struct sandbox_job *job,
                struct sandbox_result *res, struct bai_error *err);
void sandbox_result_free(struct sandbox_result *res);

/* Makes a fresh private directory for one job's files ("<TMPDIR>/benchai-sbx-XXXXXX",
 * mode 0700) and removes such a directory with its contents. Live
 * directories are remembered until removed, so a dying process can remove
 * them (sandbox_workdirs_remove_all). */
char *sandbox_workdir_new(struct bai_error *err);
void sandbox_workdir_remove(const char *dir);
/* Removes every work dir not yet removed. Async-signal-safe: for the
 * handler of a signal that ends the process (cli/interrupt.c). */
void sandbox_workdirs_remove_all(void);

/* What this machine offers (for `benchai sandbox-check` and sandbox_new). */
struct sandbox_probe {
    int root;                  /* running as uid 0 */
    int userns, mountns, pidns, netns, ipcns, utsns;
    int seccomp;               /* a filter could be installed */
    int rlimits;               /* setrlimit works (always, in practice) */
    int full;                  /* a FULL-mode run of /bin/true succeeded */
    enum sandbox_limiter limits_by;  /* what would hold the limits */
    char why[256];             /* first failure, for messages */
};
void sandbox_probe(struct sandbox_probe *p);

#endif
