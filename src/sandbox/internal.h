/* internal.h - shared between the sandbox's own files only (not public).
 * Owns: the prepared sandbox struct and the helpers that build it. */
#ifndef BAI_SANDBOX_INTERNAL_H
#define BAI_SANDBOX_INTERNAL_H

#include <linux/filter.h>
#include <pthread.h>
#include <sys/mount.h>
#include "sandbox/sandbox.h"

/* The parts of a sandbox that runs change (behind a const struct sandbox). */
struct sandbox_shared {
    pthread_mutex_t mu;
    unsigned char uid_slot_used[SANDBOX_HOST_UID_SLOTS];
    unsigned long cg_seq;                  /* cgroup names (atomic) */
};

struct sandbox {
    struct sandbox_options opt;
    struct sock_filter *bpf;   /* compiled seccomp program (libseccomp export) */
    unsigned short bpf_len;
    char **hide;               /* benchai's data dirs, covered when under a bound path */
    size_t n_hide;
    uid_t outer_uid;
    gid_t outer_gid;
    enum sandbox_limiter limits_by;
    char *cg_mem, *cg_pids;    /* our own cgroup dirs (v2: the same dir twice) */
    struct sandbox_shared *shared;
};

/* One run's cgroups (NULL fields: none). */
struct sandbox_cgroup_run {
    char *mem, *pids;          /* v2: mem is the one group, pids NULL */
};

/* probe.c: namespaces, seccomp and rlimits only (no trial run). */
void sandbox_probe_basic(struct sandbox_probe *p);

/* filter.c: compiles the deny-list into a BPF program (allocated). */
int sandbox_filter_build(struct sock_filter **prog, unsigned short *len, struct bai_error *err);
/* filter.c: installs it in the calling (child) process; no allocation. */
int sandbox_filter_install(const struct sock_filter *prog, unsigned short len);

/* cgroup.c: sets sb->limits_by and the cgroup dirs (rlimits when no
 * hierarchy is writable); creates, joins and removes one run's groups. */
void sandbox_cgroups_find(struct sandbox *sb);
int sandbox_cgroup_create(const struct sandbox *sb, const struct sandbox_limits *l,
                          struct sandbox_cgroup_run *run, struct bai_error *err);
int sandbox_cgroup_attach(const struct sandbox_cgroup_run *run, pid_t pid);
/* Kills what is left, says whether the memory limit killed a process,
 * removes the groups. memory_exceeded may be NULL. */
void sandbox_cgroup_finish(struct sandbox_cgroup_run *run, int *memory_exceeded);

#endif
