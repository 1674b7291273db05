/* sandbox.c - preparing a sandbox and supervising one run: clone the child
 * (child.c) into fresh namespaces, map its ids, put it in the run's cgroups
 * (cgroup.c), capture its output with a cap, enforce the wall clock, turn
 * its end into a sandbox_result; and the work dirs of the host side. */
#include "sandbox/child.h"
#include "util/clock.h"
#include "util/mem.h"
#include "util/strv.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHILD_STACK (256 * 1024)
#define COPY_BUF (64 * 1024)
#define SANDBOX_PATH "/usr/local/bin:/usr/bin:/bin"

static const char *const stage_names[] = {
    "done", "waiting for the parent", "private mounts", "new root", "binding the runtime's paths",
    "/dev and /etc", "tmpfs", "/proc", "pivot_root", "hostname", "copying files in", "fork",
    "chdir", "descriptors", "uid drop", "rlimits", "seccomp", "exec", "copying files out",
};

const char *sandbox_child_stage_name(int stage)
{
    if (stage < 0 || (size_t)stage >= sizeof stage_names / sizeof stage_names[0])
        return "?";
    return stage_names[stage];
}

const char *sandbox_mode_name(enum sandbox_mode m)
{
    return m == SANDBOX_MODE_RLIMITS ? "rlimits" : "full";
}

const char *sandbox_outcome_name(enum sandbox_outcome o)
{
    switch (o) {
    case SANDBOX_EXITED: return "exited";
    case SANDBOX_SIGNALED: return "signaled";
    case SANDBOX_TIMEOUT: return "timeout";
    case SANDBOX_OUTPUT_LIMIT: return "output_limit";
    case SANDBOX_START_FAILED: return "start_failed";
    }
    return "?";
}

const char *sandbox_limiter_name(enum sandbox_limiter l)
{
    switch (l) {
    case SANDBOX_LIMITS_CGROUP1: return "cgroup1";
    case SANDBOX_LIMITS_CGROUP2: return "cgroup2";
    case SANDBOX_LIMITS_RLIMITS: break;
    }
    return "rlimits";
}

struct sandbox_limits sandbox_limits_default(void)
{
    struct sandbox_limits l = {
        .wall_s = 10, .cpu_s = 10, .memory_mb = 1024, .fsize_mb = 64, .tmpfs_mb = 128,
        .nofile = 256, .nproc = 256, .output_bytes = 1 << 20,
    };
    return l;
}

void sandbox_limits_fill(struct sandbox_limits *l)
{
    struct sandbox_limits d = sandbox_limits_default();
    if (l->wall_s <= 0) l->wall_s = d.wall_s;
    if (l->cpu_s <= 0) l->cpu_s = (int)(l->wall_s + 0.999);
    if (l->memory_mb <= 0) l->memory_mb = d.memory_mb;       /* no run is unlimited */
    if (l->memory_extra_mb < 0) l->memory_extra_mb = 0;
    if (l->address_space_extra_mb < 0) l->address_space_extra_mb = 0;
    if (l->fsize_mb <= 0) l->fsize_mb = d.fsize_mb;
    if (l->tmpfs_mb <= 0) l->tmpfs_mb = d.tmpfs_mb;
    if (l->nofile <= 0) l->nofile = d.nofile;
    if (l->nproc <= 0) l->nproc = d.nproc;
    if (l->output_bytes == 0) l->output_bytes = d.output_bytes;
}

/* benchai's own data (installed suites with their answers) under a path
 * the sandbox binds: covered by an empty tmpfs inside. */
static void add_hide(struct sandbox *sb, const char *path)
{
    char real[PATH_MAX];
    struct stat st;
    if (!realpath(path, real) || stat(real, &st) != 0 || !S_ISDIR(st.st_mode))
        return;
    for (size_t i = 0; i < sb->n_hide; i++)
        if (!strcmp(sb->hide[i], real))
            return;
    sb->hide = xrealloc(sb->hide, (sb->n_hide + 1) * sizeof *sb->hide);
    sb->hide[sb->n_hide++] = xstrdup(real);
}

static void find_hidden_dirs(struct sandbox *sb)
{
    add_hide(sb, "/usr/share/benchai");
    add_hide(sb, "/usr/local/share/benchai");
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        char *slash = strrchr(exe, '/');
        if (slash) {
            *slash = 0;
            char *share = xasprintf("%s/../share/benchai", exe);
            add_hide(sb, share);
            free(share);
        }
    }
}

struct sandbox *sandbox_new(const struct sandbox_options *opt, struct bai_error *err)
{
    struct sandbox *sb = xcalloc(1, sizeof *sb);
    if (opt)
        sb->opt = *opt;
    sb->outer_uid = geteuid();
    sb->outer_gid = getegid();
    sb->shared = xcalloc(1, sizeof *sb->shared);
    pthread_mutex_init(&sb->shared->mu, NULL);
    if (sb->opt.mode == SANDBOX_MODE_FULL) {
        struct sandbox_probe p;
        sandbox_probe_basic(&p);
        if (!p.userns || !p.mountns || !p.pidns || !p.netns || !p.ipcns || !p.utsns) {
            bai_error_set(err, BAI_EXIT_SANDBOX,
                          "sandbox: namespaces are not available here (%s); refusing to run "
                          "untrusted code (--sandbox=rlimits runs it with resource limits only)",
                          p.why);
            sandbox_free(sb);
            return NULL;
        }
        if (sandbox_filter_build(&sb->bpf, &sb->bpf_len, err) != 0) {
            sandbox_free(sb);
            return NULL;
        }
        find_hidden_dirs(sb);
    }
    if (!sb->opt.no_cgroups)
        sandbox_cgroups_find(sb);
    return sb;
}

void sandbox_free(struct sandbox *sb)
{
    if (!sb)
        return;
    for (size_t i = 0; i < sb->n_hide; i++)
        free(sb->hide[i]);
    free(sb->hide);
    free(sb->bpf);
    free(sb->cg_mem);
    free(sb->cg_pids);
    if (sb->shared)
        pthread_mutex_destroy(&sb->shared->mu);
    free(sb->shared);
    free(sb);
}

enum sandbox_mode sandbox_mode(const struct sandbox *sb)
{
    return sb->opt.mode;
}

enum sandbox_limiter sandbox_limits_by(const struct sandbox *sb)
{
    return sb->limits_by;
}

void sandbox_result_free(struct sandbox_result *res)
{
    if (!res)
        return;
    free(res->out);
    free(res->err);
    free(res->report);
    res->out = res->err = res->report = NULL;
}

/* A host uid slot for one run (root only): the program of each concurrent
 * run has its own host uid, so their RLIMIT_NPROC counts are apart. */
static int uid_slot_take(const struct sandbox *sb)
{
    struct sandbox_shared *sh = sb->shared;
    pthread_mutex_lock(&sh->mu);
    int slot = -1;
    for (unsigned i = 0; i < SANDBOX_HOST_UID_SLOTS && slot < 0; i++)
        if (!sh->uid_slot_used[i]) {
            sh->uid_slot_used[i] = 1;
            slot = (int)i;
        }
    pthread_mutex_unlock(&sh->mu);
    return slot;
}

static void uid_slot_give(const struct sandbox *sb, int slot)
{
    if (slot < 0)
        return;
    pthread_mutex_lock(&sb->shared->mu);
    sb->shared->uid_slot_used[slot] = 0;
    pthread_mutex_unlock(&sb->shared->mu);
}

static uid_t slot_host_uid(int slot)
{
    unsigned window = (unsigned)getpid() % SANDBOX_HOST_UID_WINDOWS;
    return (uid_t)(SANDBOX_HOST_UID_BASE + window * SANDBOX_HOST_UID_SLOTS + (unsigned)slot);
}

/* argv[0] without a slash is looked up in the sandbox's PATH (not the
 * caller's: a pyenv shim under /root is invisible inside). */
static char *resolve_exe(const char *name)
{
    if (strchr(name, '/'))
        return xstrdup(name);
    const char *dirs = SANDBOX_PATH;
    while (*dirs) {
        size_t n = strcspn(dirs, ":");
        char *p = xasprintf("%.*s/%s", (int)n, dirs, name);
        if (access(p, X_OK) == 0)
            return p;
        free(p);
        dirs += n + (dirs[n] == ':');
    }
    return NULL;
}

static struct strv build_env(const struct sandbox_job *job, int full)
{
    static const char *const base[] = {
        "PATH=" SANDBOX_PATH, "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
        "PYTHONDONTWRITEBYTECODE=1", "PYTHONHASHSEED=0", NULL };
    struct strv env = { 0 };
    for (size_t i = 0; base[i]; i++)
        strv_push(&env, base[i]);
    strv_push(&env, full ? "HOME=/tmp/work" : "HOME=/tmp");
    strv_push(&env, "TMPDIR=/tmp");
    for (size_t i = 0; job->env && job->env[i]; i++)
        strv_push(&env, job->env[i]);
    return env;
}

struct capture {
    int fd;
    char *data;
    size_t len, cap, limit;
    int truncated;
};

/* Reads what is available; returns 1 at EOF, 0 otherwise. Sets truncated
 * once more than limit bytes came. */
static int capture_read(struct capture *c)
{
    char tmp[65536];
    ssize_t n = read(c->fd, tmp, sizeof tmp);
    if (n < 0)
        return errno == EINTR || errno == EAGAIN ? 0 : 1;
    if (n == 0)
        return 1;
    size_t keep = (size_t)n;
    if (c->len + keep > c->limit) {
        keep = c->limit > c->len ? c->limit - c->len : 0;
        c->truncated = 1;
    }
    if (keep) {
        XGROW(c->data, c->len + keep + 1, c->cap);
        memcpy(c->data + c->len, tmp, keep);
        c->len += keep;
    }
    return 0;
}

static char *capture_take(struct capture *c, size_t *len)
{
    if (!c->data)
        c->data = xcalloc(1, 1);
    c->data[c->len] = 0;
    *len = c->len;
    char *d = c->data;
    c->data = NULL;
    return d;
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Classifies the program's end. SIGXCPU (or the SIGKILL that follows
 * it at the hard limit) is a timeout; SIGXFSZ is an output limit. */
static void classify(struct sandbox_result *res, int ws, long cpu_ms, const struct sandbox_limits *l)
{
    if (WIFEXITED(ws)) {
        res->outcome = SANDBOX_EXITED;
        res->exit_code = WEXITSTATUS(ws);
    } else if (WIFSIGNALED(ws)) {
        res->term_signal = WTERMSIG(ws);
        if (res->term_signal == SIGXCPU ||
            (res->term_signal == SIGKILL && cpu_ms >= (long)l->cpu_s * 1000))
            res->outcome = SANDBOX_TIMEOUT;
        else if (res->term_signal == SIGXFSZ)
            res->outcome = SANDBOX_OUTPUT_LIMIT;
        else
            res->outcome = SANDBOX_SIGNALED;
    }
}

/* The paths a run binds into its new root: the base every language
 * needs, then the job's; a path below another one of the list is already
 * there. */
static const char *const base_paths[] = {
    "/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
    "/etc/ld.so.cache", "/etc/alternatives", NULL,
};

static int path_under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return !strncmp(path, dir, n) && (path[n] == '/' || path[n] == 0);
}

static const char **bind_list(const struct sandbox_job *job, size_t *n)
{
    size_t cap = 0;
    for (size_t i = 0; base_paths[i]; i++) cap++;
    for (size_t i = 0; job->paths && job->paths[i]; i++) cap++;
    const char **v = xcalloc(cap + 1, sizeof *v);
    *n = 0;
    for (size_t pass = 0; pass < 2; pass++) {
        const char *const *src = pass ? job->paths : base_paths;
        for (size_t i = 0; src && src[i]; i++) {
            const char *p = src[i];
            int dup = p[0] != '/' || !strcmp(p, "/") || path_under(p, "/tmp") ||
                      path_under(p, "/proc") || path_under(p, "/dev");
            for (size_t j = 0; j < *n && !dup; j++)
                dup = path_under(p, v[j]);
            if (!dup)
                v[(*n)++] = p;
        }
    }
    return v;
}

/* Everything one run holds; released by run_release. */
struct run {
    struct sandbox_child_args a;
    char *exe;
    struct strv argv, envp;
    const char **binds;
    int out_p[2], err_p[2], rep_p[2], st_p[2], sync_p[2];
    int stdin_fd, hostdir_fd, pidfd, uid_slot;
    uid_t host_uid;
    gid_t host_gid;
    char *stack;
    pid_t pid;
    struct sandbox_cgroup_run cg;
};

static void close_pair(int p[2])
{
    for (int i = 0; i < 2; i++)
        if (p[i] >= 0) {
            close(p[i]);
            p[i] = -1;
        }
}

static void run_release(const struct sandbox *sb, struct run *r)
{
    if (r->pidfd >= 0) close(r->pidfd);
    close_pair(r->out_p);
    close_pair(r->err_p);
    close_pair(r->rep_p);
    close_pair(r->st_p);
    close_pair(r->sync_p);
    if (r->stdin_fd >= 0) close(r->stdin_fd);
    if (r->hostdir_fd >= 0) close(r->hostdir_fd);
    sandbox_cgroup_finish(&r->cg, NULL);
    uid_slot_give(sb, r->uid_slot);
    free(r->stack);
    free(r->a.scratch);
    free(r->exe);
    free(r->binds);
    strv_free(&r->argv);
    strv_free(&r->envp);
}

/* Who the program is: inside the user namespace always SANDBOX_UID; on
 * the host a uid of its own when benchai is root, else the caller's. */
static int choose_ids(const struct sandbox *sb, const struct sandbox_job *job, struct run *r,
                      struct bai_error *err)
{
    int full = sb->opt.mode == SANDBOX_MODE_FULL;
    r->uid_slot = -1;
    r->host_uid = sb->outer_uid;
    r->host_gid = sb->outer_gid;
    if (sb->outer_uid == 0) {
        r->uid_slot = uid_slot_take(sb);
        if (r->uid_slot < 0) {
            bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: more than %u runs at once",
                          SANDBOX_HOST_UID_SLOTS);
            return -1;
        }
        r->host_uid = slot_host_uid(r->uid_slot);
        r->host_gid = (gid_t)r->host_uid;
    }
    if (full) {
        r->a.uid = SANDBOX_UID;
        r->a.gid = SANDBOX_GID;
        r->a.drop_uid = 1;
    } else {
        r->a.uid = r->host_uid;
        r->a.gid = r->host_gid;
        r->a.drop_uid = sb->outer_uid == 0;
        if (r->a.drop_uid && chown(job->host_dir, r->a.uid, r->a.gid) != 0) {
            bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: chown %s: %s", job->host_dir,
                          strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* Pipes, stdin, the host dir and everything the child reads, made before
 * clone() because the child must not allocate. */
static int run_prepare(const struct sandbox *sb, const struct sandbox_job *job, struct run *r,
                       struct bai_error *err)
{
    int full = sb->opt.mode == SANDBOX_MODE_FULL;
    struct sandbox_child_args *a = &r->a;
    a->sb = sb;
    a->full = full;
    a->limits = job->limits;
    sandbox_limits_fill(&a->limits);
    r->exe = resolve_exe(job->argv[0]);
    if (!r->exe) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: '%s' not found in %s", job->argv[0],
                      SANDBOX_PATH);
        return -1;
    }
    for (size_t i = 0; job->argv[i]; i++)
        strv_push(&r->argv, job->argv[i]);
    r->envp = build_env(job, full);
    if (pipe2(r->out_p, O_CLOEXEC) || pipe2(r->err_p, O_CLOEXEC) || pipe2(r->st_p, O_CLOEXEC) ||
        pipe2(r->sync_p, O_CLOEXEC) || (job->report && pipe2(r->rep_p, O_CLOEXEC))) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: pipe: %s", strerror(errno));
        return -1;
    }
    r->stdin_fd = memfd_create("benchai-stdin", MFD_CLOEXEC);
    if (r->stdin_fd < 0 ||
        (job->stdin_len && write_all(r->stdin_fd, job->stdin_data, job->stdin_len) != 0) ||
        lseek(r->stdin_fd, 0, SEEK_SET) != 0) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: stdin: %s", strerror(errno));
        return -1;
    }
    r->hostdir_fd = open(job->host_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (r->hostdir_fd < 0) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: %s: %s", job->host_dir, strerror(errno));
        return -1;
    }
    if (choose_ids(sb, job, r, err) != 0)
        return -1;
    a->exe = r->exe;
    a->argv = r->argv.v;
    a->envp = r->envp.v;
    a->workdir = full ? "/tmp/work" : job->host_dir;
    a->out_w = r->out_p[1];
    a->err_w = r->err_p[1];
    a->report_w = r->rep_p[1];
    a->status_w = r->st_p[1];
    a->sync_r = r->sync_p[0];
    a->stdin_fd = r->stdin_fd;
    a->hostdir_fd = r->hostdir_fd;
    a->bpf = full ? sb->bpf : NULL;
    a->bpf_len = sb->bpf_len;
    a->collect = job->collect;
    r->binds = bind_list(job, &a->n_binds);
    a->binds = r->binds;
    snprintf(a->tmpfs_opts, sizeof a->tmpfs_opts, "size=%ldm,nr_inodes=65536,mode=1777",
             a->limits.tmpfs_mb);
    a->scratch = xmalloc(COPY_BUF);
    a->scratch_len = COPY_BUF;
    r->stack = xmalloc(2 * CHILD_STACK);       /* init's, then the program's */
    a->prog_stack_top = r->stack + 2 * CHILD_STACK;
    return sandbox_cgroup_create(sb, &a->limits, &r->cg, err);
}

static int write_proc_file(pid_t pid, const char *file, const char *text)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = write_all(fd, text, strlen(text));
    close(fd);
    return rc;
}

/* The child's user namespace maps SANDBOX_UID to the program's host uid,
 * and, as root, its own root to root (the init must own the new root's
 * files and read benchai's work dir; the program never becomes uid 0).
 * Written from here: only a process outside the namespace may map another
 * uid than its own. Unprivileged, setgroups must be denied first. */
static int write_id_maps(const struct sandbox *sb, const struct run *r)
{
    char map[96];
    int root = sb->outer_uid == 0;
    if (!root && write_proc_file(r->pid, "setgroups", "deny") != 0)
        return -1;
    snprintf(map, sizeof map, "%s%u %u 1\n", root ? "0 0 1\n" : "", (unsigned)SANDBOX_UID,
             (unsigned)r->host_uid);
    if (write_proc_file(r->pid, "uid_map", map) != 0)
        return -1;
    snprintf(map, sizeof map, "%s%u %u 1\n", root ? "0 0 1\n" : "", (unsigned)SANDBOX_GID,
             (unsigned)r->host_gid);
    return write_proc_file(r->pid, "gid_map", map);
}

/* Clones the child, gives it its ids and cgroups, and lets it go. On
 * failure after the clone the child is killed (it waits for "go"). */
static int run_start(const struct sandbox *sb, struct run *r, struct bai_error *err)
{
    int full = sb->opt.mode == SANDBOX_MODE_FULL;
    int flags = SIGCHLD | CLONE_PIDFD;
    if (full)
        flags |= CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC |
                 CLONE_NEWUTS;
    r->pid = clone(sandbox_child_main, r->stack + CHILD_STACK, flags, &r->a, &r->pidfd);
    if (r->pid < 0) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: clone: %s", strerror(errno));
        return -1;
    }
    close(r->out_p[1]); r->out_p[1] = -1;
    close(r->err_p[1]); r->err_p[1] = -1;
    close(r->st_p[1]); r->st_p[1] = -1;
    close(r->sync_p[0]); r->sync_p[0] = -1;
    if (r->rep_p[1] >= 0) { close(r->rep_p[1]); r->rep_p[1] = -1; }
    const char *what = NULL;
    if (full && write_id_maps(sb, r) != 0)
        what = "user namespace maps";
    else if (sandbox_cgroup_attach(&r->cg, r->pid) != 0)
        what = "joining the run's cgroup";
    else if (write_all(r->sync_p[1], "g", 1) != 0)
        what = "starting the child";
    if (what) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: %s: %s", what, strerror(errno));
        kill(r->pid, SIGKILL);
        waitpid(r->pid, NULL, 0);
        return -1;
    }
    close(r->sync_p[1]);
    r->sync_p[1] = -1;
    return 0;
}

/* What supervision saw. */
struct watch {
    struct capture cap[3];     /* stdout, stderr, report */
    int exited, timed_out, over, ws;
    struct rusage ru;
};

static void kill_run(const struct sandbox *sb, pid_t pid)
{
    kill(pid, SIGKILL);                    /* pid 1 of the namespace: takes all with it */
    if (sb->opt.mode != SANDBOX_MODE_FULL)
        kill(-pid, SIGKILL);
}

/* Reads the program's output until it ends, enforcing the output cap and
 * the wall clock. */
static void run_supervise(const struct sandbox *sb, struct run *r, int64_t t0, struct watch *w)
{
    const struct sandbox_limits *l = &r->a.limits;
    int fds[3] = { r->out_p[0], r->err_p[0], r->rep_p[0] };
    int open_fds[3];
    for (int i = 0; i < 3; i++) {
        w->cap[i] = (struct capture){ .fd = fds[i], .limit = l->output_bytes };
        open_fds[i] = fds[i] >= 0;
    }
    int64_t deadline = t0 + (int64_t)(l->wall_s * 1e9);
    int64_t drain_until = 0;
    while (!w->exited || open_fds[0] || open_fds[1] || open_fds[2]) {
        struct pollfd pf[4];
        int np = 0, idx[4];
        for (int i = 0; i < 3; i++)
            if (open_fds[i]) { pf[np] = (struct pollfd){ fds[i], POLLIN, 0 }; idx[np++] = i; }
        if (!w->exited) { pf[np] = (struct pollfd){ r->pidfd, POLLIN, 0 }; idx[np++] = 3; }
        int64_t now = clock_mono_ns();
        int64_t until = w->exited ? drain_until : deadline;
        int wait_ms = until > now ? (int)((until - now + 999999) / 1000000) : 0;
        int n = poll(pf, (nfds_t)np, wait_ms);
        if (n < 0 && errno != EINTR)
            break;
        for (int i = 0; n > 0 && i < np; i++) {
            if (!pf[i].revents)
                continue;
            if (idx[i] == 3) {
                if (wait4(r->pid, &w->ws, 0, &w->ru) == r->pid)
                    w->exited = 1;
                drain_until = clock_mono_ns() + 200 * 1000000LL;
            } else if (capture_read(&w->cap[idx[i]])) {
                open_fds[idx[i]] = 0;
            } else if (w->cap[idx[i]].truncated && !w->over) {
                w->over = 1;                   /* output cap: stop the program */
                kill_run(sb, r->pid);
            }
        }
        now = clock_mono_ns();
        if (!w->exited && now >= deadline && !w->timed_out) {
            w->timed_out = 1;
            kill_run(sb, r->pid);
            deadline = now + 5 * 1000000000LL;  /* the kill itself is bounded */
        } else if (!w->exited && w->timed_out && now >= deadline) {
            break;
        } else if (w->exited && now >= drain_until) {
            break;                             /* a leftover holds a pipe (rlimits mode) */
        }
    }
    if (sb->opt.mode != SANDBOX_MODE_FULL)
        kill(-r->pid, SIGKILL);                /* leftovers of the process group */
    if (!w->exited) {
        kill(r->pid, SIGKILL);
        wait4(r->pid, &w->ws, 0, &w->ru);
    }
}

/* Turns what happened into the result's outcome; -1 (err set) when the
 * sandbox itself failed before or after the program. */
static int run_conclude(const struct sandbox *sb, struct run *r, struct watch *w,
                        struct sandbox_result *res, struct bai_error *err)
{
    struct sandbox_child_status st, last = { .stage = -1 };
    int start_failure = 0;
    while (read(r->st_p[0], &st, sizeof st) == (ssize_t)sizeof st) {
        if (st.stage != SBX_STAGE_DONE && st.stage != SBX_STAGE_COPY_OUT && !start_failure) {
            start_failure = 1;
            last = st;
        } else if (!start_failure) {
            last = st;
        }
    }
    res->out = capture_take(&w->cap[0], &res->out_len);
    res->err = capture_take(&w->cap[1], &res->err_len);
    res->out_truncated = w->cap[0].truncated;
    res->err_truncated = w->cap[1].truncated;
    if (r->rep_p[0] >= 0) {
        res->report = capture_take(&w->cap[2], &res->report_len);
        res->report_truncated = w->cap[2].truncated;
    }
    sandbox_cgroup_finish(&r->cg, &res->memory_exceeded);
    if (w->timed_out) {
        res->outcome = SANDBOX_TIMEOUT;
    } else if (w->over) {
        res->outcome = SANDBOX_OUTPUT_LIMIT;
    } else if (start_failure && last.stage != SBX_STAGE_EXEC) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: %s failed: %s",
                      sandbox_child_stage_name(last.stage), strerror(last.errnum));
        res->outcome = SANDBOX_START_FAILED;
        return -1;
    } else if (start_failure) {
        res->outcome = SANDBOX_EXITED;         /* exec failed: like a shell, 127 */
        res->exit_code = 127;
    } else if (sb->opt.mode == SANDBOX_MODE_FULL) {
        if (last.stage < 0) {                  /* init died without a word */
            classify(res, w->ws, 0, &r->a.limits);
        } else {
            classify(res, last.wait_status, last.cpu_ms, &r->a.limits);
            if (last.stage == SBX_STAGE_COPY_OUT) {
                bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: copying results out failed: %s",
                              strerror(last.errnum));
                res->outcome = SANDBOX_START_FAILED;
                return -1;
            }
        }
    } else {
        const struct rusage *ru = &w->ru;
        long cpu_ms = ru->ru_utime.tv_sec * 1000L + ru->ru_utime.tv_usec / 1000 +
                      ru->ru_stime.tv_sec * 1000L + ru->ru_stime.tv_usec / 1000;
        classify(res, w->ws, cpu_ms, &r->a.limits);
    }
    return 0;
}

int sandbox_run(const struct sandbox *sb, const struct sandbox_job *job,
                struct sandbox_result *res, struct bai_error *err)
{
    memset(res, 0, sizeof *res);
    res->mode = sb->opt.mode;
    res->limits_by = sb->limits_by;
    res->outcome = SANDBOX_START_FAILED;
    struct run r = { .out_p = { -1, -1 }, .err_p = { -1, -1 }, .rep_p = { -1, -1 },
                     .st_p = { -1, -1 }, .sync_p = { -1, -1 }, .stdin_fd = -1, .hostdir_fd = -1,
                     .pidfd = -1, .uid_slot = -1, .pid = -1 };
    r.a.report_w = -1;
    int rc = -1;
    int64_t t0 = clock_mono_ns();
    if (run_prepare(sb, job, &r, err) == 0 && run_start(sb, &r, err) == 0) {
        struct watch w;
        memset(&w, 0, sizeof w);
        run_supervise(sb, &r, t0, &w);
        res->wall_ms = (double)(clock_mono_ns() - t0) / 1e6;
        rc = run_conclude(sb, &r, &w, res, err);
    }
    run_release(sb, &r);
    if (!res->out) {
        res->out = xcalloc(1, 1);
        res->err = xcalloc(1, 1);
    }
    return rc;
}

/* Live work dirs, for sandbox_workdirs_remove_all in a signal handler:
 * fixed slots of fixed size, claimed and freed with atomics, so the
 * handler reads them without a lock. */
#define WORKDIR_SLOTS 256
static char workdir_paths[WORKDIR_SLOTS][PATH_MAX];
static int workdir_used[WORKDIR_SLOTS];         /* 0 free, 1 claimed, 2 set */

static void workdir_remember(const char *dir)
{
    if (strlen(dir) >= PATH_MAX)
        return;
    for (int i = 0; i < WORKDIR_SLOTS; i++) {
        int expect = 0;
        if (__atomic_compare_exchange_n(&workdir_used[i], &expect, 1, 0, __ATOMIC_ACQ_REL,
                                        __ATOMIC_RELAXED)) {
            memcpy(workdir_paths[i], dir, strlen(dir) + 1);
            __atomic_store_n(&workdir_used[i], 2, __ATOMIC_RELEASE);
            return;
        }
    }
}

static void workdir_forget(const char *dir)
{
    for (int i = 0; i < WORKDIR_SLOTS; i++)
        if (__atomic_load_n(&workdir_used[i], __ATOMIC_ACQUIRE) == 2 &&
            !strcmp(workdir_paths[i], dir)) {
            __atomic_store_n(&workdir_used[i], 0, __ATOMIC_RELEASE);
            return;
        }
}

char *sandbox_workdir_new(struct bai_error *err)
{
    const char *tmp = getenv("TMPDIR");
    if (!tmp || !*tmp)
        tmp = "/tmp";
    char *dir = xasprintf("%s/benchai-sbx-XXXXXX", tmp);
    if (!mkdtemp(dir)) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: mkdtemp %s: %s", dir, strerror(errno));
        free(dir);
        return NULL;
    }
    workdir_remember(dir);
    return dir;
}

/* Removes everything below the directory dirfd (closes it); raw system
 * calls only, so a signal handler may use it. */
static void remove_tree_at(int dirfd)
{
    char dents[4096];
    for (int round = 0; round < 64; round++) {
        if (lseek(dirfd, 0, SEEK_SET) < 0)
            break;
        int removed = 0, left = 0;
        for (;;) {
            long n = syscall(SYS_getdents64, dirfd, dents, sizeof dents);
            if (n <= 0)
                break;
            for (long off = 0; off < n;) {
                struct dirent64 *d = (struct dirent64 *)(dents + off);
                off += d->d_reclen;
                const char *name = d->d_name;
                if (!strcmp(name, ".") || !strcmp(name, ".."))
                    continue;
                if (unlinkat(dirfd, name, 0) == 0) {
                    removed++;
                    continue;
                }
                int sub = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (sub >= 0) {
                    remove_tree_at(sub);
                    if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0)
                        removed++;
                    else
                        left++;
                } else {
                    left++;
                }
            }
        }
        if (!left || !removed)
            break;
    }
    close(dirfd);
}

void sandbox_workdir_remove(const char *dir)
{
    if (!dir)
        return;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0)
        remove_tree_at(fd);
    rmdir(dir);
    workdir_forget(dir);
}

void sandbox_workdirs_remove_all(void)
{
    for (int i = 0; i < WORKDIR_SLOTS; i++) {
        if (__atomic_load_n(&workdir_used[i], __ATOMIC_ACQUIRE) != 2)
            continue;
        int fd = open(workdir_paths[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd >= 0)
            remove_tree_at(fd);
        rmdir(workdir_paths[i]);
    }
}

/* The full check: the basic probes (probe.c), then a trial FULL-mode run
 * of /bin/true through the real path. */
void sandbox_probe(struct sandbox_probe *p)
{
    sandbox_probe_basic(p);
    struct bai_error err = {0};
    struct sandbox *sb = sandbox_new(NULL, &err);
    if (!sb) {
        if (!p->why[0])
            snprintf(p->why, sizeof p->why, "%.200s", err.msg);
        return;
    }
    p->limits_by = sb->limits_by;
    char *dir = sandbox_workdir_new(&err);
    if (dir) {
        const char *argv[] = { "true", NULL };
        struct sandbox_job job = { .argv = argv, .host_dir = dir };
        job.limits.wall_s = 5;
        struct sandbox_result res;
        if (sandbox_run(sb, &job, &res, &err) == 0)
            p->full = res.outcome == SANDBOX_EXITED && res.exit_code == 0;
        else if (!p->why[0])
            snprintf(p->why, sizeof p->why, "%.200s", err.msg);
        sandbox_result_free(&res);
        sandbox_workdir_remove(dir);
        free(dir);
    }
    sandbox_free(sb);
}
