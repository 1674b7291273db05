/* child.h - the contract between sandbox_run (parent) and the cloned child
 * (child.c). Internal to src/sandbox/. Owns: the argument block and the
 * status record the child writes back through a pipe. */
#ifndef BAI_SANDBOX_CHILD_H
#define BAI_SANDBOX_CHILD_H

#include "sandbox/internal.h"

enum sandbox_child_stage {
    SBX_STAGE_DONE = 0,        /* program ran; wait_status is its status */
    SBX_STAGE_SYNC, SBX_STAGE_MOUNT_PRIVATE, SBX_STAGE_ROOT, SBX_STAGE_BIND, SBX_STAGE_DEV,
    SBX_STAGE_MOUNT_TMP, SBX_STAGE_MOUNT_PROC, SBX_STAGE_PIVOT, SBX_STAGE_HOSTNAME,
    SBX_STAGE_COPY_IN, SBX_STAGE_FORK, SBX_STAGE_CHDIR, SBX_STAGE_FDS, SBX_STAGE_UID,
    SBX_STAGE_RLIMIT, SBX_STAGE_SECCOMP, SBX_STAGE_EXEC, SBX_STAGE_COPY_OUT
};

/* Written (atomically: < PIPE_BUF) to status_w; several may arrive. */
struct sandbox_child_status {
    int stage;                 /* enum sandbox_child_stage */
    int errnum;
    int wait_status;           /* SBX_STAGE_DONE / COPY_OUT: the program's */
    long cpu_ms;               /* the program's user+system CPU time */
};

/* Everything the child needs, prepared by the parent before clone(): the
 * child never allocates (it was cloned from a multithreaded process). */
struct sandbox_child_args {
    const struct sandbox *sb;
    int full;                  /* 1: namespace init; 0: rlimits-only program */
    const char *exe;
    char *const *argv;
    char *const *envp;
    const char *workdir;       /* "/tmp/work" (full) or the host dir */
    int out_w, err_w, report_w, status_w, stdin_fd, hostdir_fd, sync_r;
    struct sandbox_limits limits;
    const struct sock_filter *bpf;   /* NULL in rlimits mode */
    unsigned short bpf_len;
    int drop_uid;
    uid_t uid;                 /* the program's uid (inside the user namespace in full mode) */
    gid_t gid;
    char tmpfs_opts[64];
    const char *const *binds;  /* host paths bound read-only into the new root */
    size_t n_binds;
    const char *const *collect;
    char *prog_stack_top;      /* stack of the program process until it execs */
    char *scratch;             /* copy buffer */
    size_t scratch_len;
};

int sandbox_child_main(void *arg);
const char *sandbox_child_stage_name(int stage);

#endif
