/* probe.c - what isolation this machine offers: each namespace tried in a
 * throw-away child, a seccomp filter installed, rlimits set. Uses only the
 * filter (filter.c); the trial run of sandbox_probe lives in sandbox.c,
 * which depends on this file and not the other way round. */
#include "sandbox/internal.h"
#include "util/mem.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

/* Runs fn(arg) in a forked child; 1 when it returned 0. */
static int try_in_child(int (*fn)(long), long arg)
{
    pid_t pid = fork();
    if (pid < 0)
        return 0;
    if (pid == 0)
        _exit(fn(arg) == 0 ? 0 : 1);
    int ws = 0;
    if (waitpid(pid, &ws, 0) != pid)
        return 0;
    return WIFEXITED(ws) && WEXITSTATUS(ws) == 0;
}

static int try_unshare(long flags)
{
    /* Not root: the other namespaces need a user namespace first. */
    if (geteuid() != 0 && flags != CLONE_NEWUSER)
        flags |= CLONE_NEWUSER;
    return unshare((int)flags);
}

static int try_seccomp(long unused)
{
    struct sock_filter *prog = NULL;
    unsigned short len = 0;
    struct bai_error err = {0};
    if (sandbox_filter_build(&prog, &len, &err) != 0)
        return -1;
    int rc = sandbox_filter_install(prog, len);
    if (rc == 0) {
        /* The filter must really deny: ptrace is on the list. */
        errno = 0;
        rc = (prctl(PR_GET_SECCOMP, 0, 0, 0, 0) == 2) ? 0 : -1;
    }
    return rc;
}

static int try_rlimit(long unused)
{
    struct rlimit rl = { 10, 10 };
    return setrlimit(RLIMIT_CPU, &rl);
}

void sandbox_probe_basic(struct sandbox_probe *p)
{
    memset(p, 0, sizeof *p);
    p->root = geteuid() == 0;
    static const struct { long flag; const char *name; size_t off; } ns[] = {
        { CLONE_NEWUSER, "user", offsetof(struct sandbox_probe, userns) },
        { CLONE_NEWNS, "mount", offsetof(struct sandbox_probe, mountns) },
        { CLONE_NEWPID, "pid", offsetof(struct sandbox_probe, pidns) },
        { CLONE_NEWNET, "network", offsetof(struct sandbox_probe, netns) },
        { CLONE_NEWIPC, "ipc", offsetof(struct sandbox_probe, ipcns) },
        { CLONE_NEWUTS, "uts", offsetof(struct sandbox_probe, utsns) },
    };
    for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
        int ok = try_in_child(try_unshare, ns[i].flag);
        *(int *)((char *)p + ns[i].off) = ok;
        if (!ok && !p->why[0])
            snprintf(p->why, sizeof p->why, "unshare(%s namespace) not permitted", ns[i].name);
    }
    p->seccomp = try_in_child(try_seccomp, 0);
    if (!p->seccomp && !p->why[0])
        snprintf(p->why, sizeof p->why, "seccomp filter cannot be installed");
    p->rlimits = try_in_child(try_rlimit, 0);
}
