/* child.c - what runs after clone(): the namespace init and the program
 * process. Nothing here allocates or uses stdio: the child was cloned from a
 * multithreaded process, so another thread may have held the malloc lock at
 * that moment. Everything it needs was prepared by the parent (child.h). */
#include "sandbox/child.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define WORK_DIR "/tmp/work"
#define NEW_ROOT "/tmp"          /* where the new root is built, in our private mount namespace */

/* The child runs on a heap-allocated clone() stack that AddressSanitizer
 * does not know; uninstrumented, it does not warn about it. */
#define CHILD_FN __attribute__((no_sanitize("address")))

CHILD_FN static void report(int fd, int stage, int errnum, int wait_status, long cpu_ms)
{
    struct sandbox_child_status st = { stage, errnum, wait_status, cpu_ms };
    ssize_t w = write(fd, &st, sizeof st);
    (void)w;
}

CHILD_FN static size_t slen(const char *s) { size_t n = 0; while (s[n]) n++; return n; }

CHILD_FN static void say(int fd, const char *a, const char *b, const char *c)
{
    ssize_t w = write(fd, a, slen(a));
    w = write(fd, b, slen(b));
    w = write(fd, c, slen(c));
    (void)w;
}

/* Closes every descriptor except those in keep (n small). */
CHILD_FN static void close_all_but(int *keep, int n)
{
    for (int i = 1; i < n; i++)             /* insertion sort */
        for (int j = i; j > 0 && keep[j - 1] > keep[j]; j--) {
            int t = keep[j]; keep[j] = keep[j - 1]; keep[j - 1] = t;
        }
    unsigned lo = 3;
    for (int i = 0; i < n; i++) {
        if (keep[i] < 3)
            continue;
        if ((unsigned)keep[i] > lo)
            syscall(SYS_close_range, lo, (unsigned)keep[i] - 1, 0);
        lo = (unsigned)keep[i] + 1;
    }
    syscall(SYS_close_range, lo, ~0U, 0);
}

/* '*' and '?' only: enough for "a.out", "*.class". */
CHILD_FN static int glob_match(const char *p, const char *s)
{
    if (!*p)
        return !*s;
    if (*p == '*')
        return glob_match(p + 1, s) || (*s && glob_match(p, s + 1));
    return *s && (*p == '?' || *p == *s) && glob_match(p + 1, s + 1);
}

/* Copies the regular file `name` from dir fd `from` to dir fd `to`. Never
 * follows symlinks: the program could have planted one pointing at a host
 * file for the (root) init to read. */
CHILD_FN static int copy_file(int from, int to, const char *name, uid_t uid, gid_t gid,
                     char *buf, size_t buf_len)
{
    int in = openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (in < 0)
        return -1;
    struct stat st;
    if (fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(in);
        return 0;                              /* skip non-regular files */
    }
    int out = openat(to, name, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
                     (st.st_mode & 0755) | 0600);
    if (out < 0) {
        close(in);
        return -1;
    }
    int rc = 0;
    for (;;) {
        ssize_t n = read(in, buf, buf_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            rc = n < 0 ? -1 : 0;
            break;
        }
        for (ssize_t off = 0; off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                rc = -1;
                break;
            }
            off += w;
        }
        if (rc)
            break;
    }
    if (uid != (uid_t)-1 && fchown(out, uid, gid) != 0)
        rc = -1;
    close(in);
    close(out);
    return rc;
}

/* Copies the regular files of dir fd `from` (those matching a pattern when
 * patterns is non-NULL) into `to`. */
CHILD_FN static int copy_dir(int from, int to, const char *const *patterns, uid_t uid, gid_t gid,
                    char *buf, size_t buf_len)
{
    char dents[4096];
    if (lseek(from, 0, SEEK_SET) < 0)
        return -1;
    for (;;) {
        ssize_t n = getdents64(from, dents, sizeof dents);
        if (n < 0)
            return -1;
        if (n == 0)
            return 0;
        for (ssize_t off = 0; off < n;) {
            struct dirent64 *d = (struct dirent64 *)(dents + off);
            off += d->d_reclen;
            if (d->d_type != DT_REG)
                continue;
            int want = !patterns;
            for (size_t i = 0; patterns && patterns[i] && !want; i++)
                want = glob_match(patterns[i], d->d_name);
            if (want && copy_file(from, to, d->d_name, uid, gid, buf, buf_len) != 0)
                return -1;
        }
    }
}

CHILD_FN static int set_limit(int res, rlim_t v)
{
    struct rlimit rl = { v, v };
    if (res == RLIMIT_CPU)
        rl.rlim_max = v + 1;                   /* SIGXCPU first, SIGKILL a second later */
    return setrlimit(res, &rl);
}

/* Default dispositions and an empty mask: benchai's threads may ignore or
 * block signals, and exec keeps both. */
CHILD_FN static void reset_signals(void)
{
    for (int sig = 1; sig < 32; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            signal(sig, SIG_DFL);
    unsigned long empty = 0;
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty, NULL, sizeof empty);
}

/* The program's descriptors: 0 stdin, 1 stdout, 2 stderr, 3 the report
 * channel when the job asked for one; the status pipe stays (close-on-exec)
 * just above them, so an exec failure can still be reported. Everything is
 * first moved high, so no dup2 overwrites a descriptor still to be moved.
 * Returns the status descriptor, or -1. */
CHILD_FN static int arrange_fds(const struct sandbox_child_args *a)
{
    int in = fcntl(a->stdin_fd, F_DUPFD_CLOEXEC, 100), out = fcntl(a->out_w, F_DUPFD_CLOEXEC, 100);
    int err = fcntl(a->err_w, F_DUPFD_CLOEXEC, 100), st = fcntl(a->status_w, F_DUPFD_CLOEXEC, 100);
    int rep = a->report_w >= 0 ? fcntl(a->report_w, F_DUPFD_CLOEXEC, 100) : -1;
    if (in < 0 || out < 0 || err < 0 || st < 0 || (a->report_w >= 0 && rep < 0))
        return -1;
    int status_fd = rep >= 0 ? 4 : 3;
    if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0 ||
        (rep >= 0 && dup2(rep, 3) < 0) || dup3(st, status_fd, O_CLOEXEC) < 0)
        return -1;
    syscall(SYS_close_range, (unsigned)status_fd + 1, ~0U, 0);
    return status_fd;
}

/* The program process: become the unprivileged user, limit, filter, exec.
 * Never returns. */
CHILD_FN static void run_program(const struct sandbox_child_args *a)
{
    const struct sandbox_limits *l = &a->limits;
    int status_fd = a->status_w;
    setsid();
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (chdir(a->workdir) != 0) {
        report(status_fd, SBX_STAGE_CHDIR, errno, 0, 0);
        _exit(127);
    }
    status_fd = arrange_fds(a);
    if (status_fd < 0) {
        report(a->status_w, SBX_STAGE_FDS, errno, 0, 0);
        _exit(127);
    }
    reset_signals();
    if (a->drop_uid) {
        /* Raw system calls: glibc's wrappers would try to broadcast the
         * change to the parent's threads, which do not exist here. In a
         * user namespace set up by an unprivileged user setgroups is
         * denied; the groups there are unmapped and grant nothing. */
        if ((syscall(SYS_setgroups, 0, NULL) != 0 && errno != EPERM) ||
            syscall(SYS_setresgid, a->gid, a->gid, a->gid) != 0 ||
            syscall(SYS_setresuid, a->uid, a->uid, a->uid) != 0) {
            report(status_fd, SBX_STAGE_UID, errno, 0, 0);
            _exit(127);
        }
    }
    /* After the uid drop, so RLIMIT_NPROC applies to the program's uid. */
    if ((l->cpu_s > 0 && set_limit(RLIMIT_CPU, (rlim_t)l->cpu_s) != 0) ||
        (l->memory_mb > 0 &&
         set_limit(RLIMIT_AS, (rlim_t)(l->memory_mb + l->address_space_extra_mb) << 20) != 0) ||
        (l->fsize_mb > 0 && set_limit(RLIMIT_FSIZE, (rlim_t)l->fsize_mb << 20) != 0) ||
        (l->nofile > 0 && set_limit(RLIMIT_NOFILE, (rlim_t)l->nofile) != 0) ||
        (l->nproc > 0 && set_limit(RLIMIT_NPROC, (rlim_t)l->nproc) != 0) ||
        set_limit(RLIMIT_CORE, 0) != 0) {
        report(status_fd, SBX_STAGE_RLIMIT, errno, 0, 0);
        _exit(127);
    }
    if (a->bpf) {
        if (sandbox_filter_install(a->bpf, a->bpf_len) != 0) {
            report(status_fd, SBX_STAGE_SECCOMP, errno, 0, 0);
            _exit(127);
        }
    } else if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        report(status_fd, SBX_STAGE_SECCOMP, errno, 0, 0);
        _exit(127);
    }
    execve(a->exe, a->argv, a->envp);
    int e = errno;
    say(2, "benchai sandbox: cannot execute ", a->exe, "\n");
    report(status_fd, SBX_STAGE_EXEC, e, 0, 0);
    _exit(127);
}

CHILD_FN static int program_main(void *arg)
{
    run_program(arg);
    return 127;
}

/* ---- the new root ------------------------------------------------------- */

/* Creates the directories leading to rel (relative to the new root). */
CHILD_FN static int make_parents(const char *rel)
{
    char buf[4096];
    size_t n = slen(rel);
    if (n >= sizeof buf)
        return -1;
    memcpy(buf, rel, n + 1);
    for (size_t i = 1; i < n; i++) {
        if (buf[i] != '/')
            continue;
        buf[i] = 0;
        if (mkdir(buf, 0755) != 0 && errno != EEXIST)
            return -1;
        buf[i] = '/';
    }
    return 0;
}

/* Read-only, nosuid and nodev on the mount at rel and every mount below
 * it. Flags can always be added, also to mounts locked by a user
 * namespace. Kernels before 5.12 lack mount_setattr: there only the top
 * mount is remounted. */
CHILD_FN static int make_readonly(const char *rel)
{
    struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
    if (mount_setattr(AT_FDCWD, rel, AT_RECURSIVE, &attr, sizeof attr) == 0)
        return 0;
    if (errno != ENOSYS)
        return -1;
    static const unsigned long keep[] = { 0, MS_NOEXEC, MS_NOATIME, MS_NOEXEC | MS_NOATIME,
                                          MS_RELATIME, MS_NOEXEC | MS_RELATIME };
    for (size_t i = 0; i < sizeof keep / sizeof keep[0]; i++)
        if (mount(NULL, rel, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV | keep[i],
                  NULL) == 0)
            return 0;
    return -1;
}

/* Puts the host path `path` into the new root at the same place: a
 * symbolic link is copied as a link (merged-/usr systems: /bin -> usr/bin),
 * anything else is bound read-only (with what is mounted below it). A path
 * that does not exist is skipped. */
CHILD_FN static int bind_host_path(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return 0;
    const char *rel = path + 1;
    if (make_parents(rel) != 0)
        return -1;
    if (S_ISLNK(st.st_mode)) {
        char target[4096];
        ssize_t n = readlink(path, target, sizeof target - 1);
        if (n < 0)
            return -1;
        target[n] = 0;
        return symlink(target, rel) == 0 || errno == EEXIST ? 0 : -1;
    }
    if (S_ISDIR(st.st_mode)) {
        if (mkdir(rel, 0755) != 0 && errno != EEXIST)
            return -1;
    } else {
        int fd = open(rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
            return -1;
        close(fd);
    }
    if (mount(path, rel, NULL, MS_BIND | MS_REC, NULL) != 0)
        return -1;
    return make_readonly(rel);
}

CHILD_FN static int write_new_file(const char *rel, const char *text)
{
    int fd = open(rel, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    ssize_t w = write(fd, text, slen(text));
    close(fd);
    return w == (ssize_t)slen(text) ? 0 : -1;
}

/* /dev with only the harmless character devices (bound from the host, so
 * they work inside a user namespace too), the usual links and a small
 * private /dev/shm. */
CHILD_FN static int setup_dev(void)
{
    static const char *const devs[] = { "null", "zero", "full", "random", "urandom" };
    if (mkdir("dev", 0755) != 0)
        return -1;
    for (size_t i = 0; i < sizeof devs / sizeof devs[0]; i++) {
        char host[32] = "/dev/", rel[32] = "dev/";
        memcpy(host + 5, devs[i], slen(devs[i]) + 1);
        memcpy(rel + 4, devs[i], slen(devs[i]) + 1);
        int fd = open(rel, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
        if (fd < 0)
            return -1;
        close(fd);
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC };
        if (mount(host, rel, NULL, MS_BIND, NULL) != 0 ||
            (mount_setattr(AT_FDCWD, rel, 0, &attr, sizeof attr) != 0 && errno != ENOSYS))
            return -1;
    }
    if (symlink("/proc/self/fd", "dev/fd") != 0 || symlink("/proc/self/fd/0", "dev/stdin") != 0 ||
        symlink("/proc/self/fd/1", "dev/stdout") != 0 || symlink("/proc/self/fd/2", "dev/stderr") != 0)
        return -1;
    if (mkdir("dev/shm", 01777) != 0 ||
        mount("tmpfs", "dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=16m,mode=1777") != 0)
        return -1;
    return 0;
}

/* A user database that knows only root and the sandbox user, and a hosts
 * file for localhost: the host's /etc is not there. */
CHILD_FN static int setup_etc(void)
{
    if (mkdir("etc", 0755) != 0 && errno != EEXIST)
        return -1;
    return write_new_file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"
                          "sandbox:x:65534:65534:sandbox:/tmp/work:/bin/sh\n") ||
           write_new_file("etc/group", "root:x:0:\nsandbox:x:65534:\n") ||
           write_new_file("etc/hosts", "127.0.0.1 localhost\n::1 localhost\n") ? -1 : 0;
}

/* The program's whole file system, built on an empty tmpfs: the
 * runtime's paths read-only, /dev, /etc, a fresh /proc, a private /tmp
 * with the work dir, and benchai's own data dirs covered. Then the root
 * becomes this tmpfs (pivot_root) and the host's tree is detached: nothing
 * else of the host is reachable, whatever uid the program has there. */
CHILD_FN static int setup_root(const struct sandbox_child_args *a, int *stage)
{
    const struct sandbox *sb = a->sb;
    *stage = SBX_STAGE_MOUNT_PRIVATE;
    if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
        return -1;
    *stage = SBX_STAGE_ROOT;
    if (mount("tmpfs", NEW_ROOT, "tmpfs", MS_NOSUID | MS_NODEV, "size=1m,nr_inodes=4096,mode=755") != 0 ||
        chdir(NEW_ROOT) != 0)
        return -1;
    *stage = SBX_STAGE_BIND;
    for (size_t i = 0; i < a->n_binds; i++)
        if (bind_host_path(a->binds[i]) != 0)
            return -1;
    for (size_t i = 0; i < sb->n_hide; i++) {
        struct stat st;
        if (stat(sb->hide[i] + 1, &st) == 0 && S_ISDIR(st.st_mode) &&
            mount("tmpfs", sb->hide[i] + 1, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  "size=16k,mode=755") != 0)
            return -1;
    }
    *stage = SBX_STAGE_DEV;
    if (setup_dev() != 0 || setup_etc() != 0)
        return -1;
    *stage = SBX_STAGE_MOUNT_TMP;
    if (mkdir("tmp", 01777) != 0 ||
        mount("tmpfs", "tmp", "tmpfs", MS_NOSUID | MS_NODEV, a->tmpfs_opts) != 0 ||
        mkdir("tmp/work", 0755) != 0 || chown("tmp/work", a->uid, a->gid) != 0)
        return -1;
    /* Before the host's tree goes: the kernel lets a user namespace mount
     * proc only while a full proc is visible in its mount namespace. */
    *stage = SBX_STAGE_MOUNT_PROC;
    if (mkdir("proc", 0555) != 0 ||
        mount("proc", "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) != 0)
        return -1;
    *stage = SBX_STAGE_PIVOT;
    if (syscall(SYS_pivot_root, ".", ".") != 0 || umount2(".", MNT_DETACH) != 0 || chdir("/") != 0)
        return -1;
    if (mount(NULL, "/", NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) != 0)
        return -1;
    return 0;
}

/* The init of the new PID namespace (pid 1). When it exits the kernel kills
 * every process left in the namespace, so a daemon cannot outlive the run. */
CHILD_FN static int ns_init(struct sandbox_child_args *a)
{
    int keep[] = { a->out_w, a->err_w, a->report_w, a->status_w, a->stdin_fd, a->hostdir_fd,
                   a->sync_r };
    close_all_but(keep, 7);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    signal(SIGCHLD, SIG_DFL);             /* wait4 must see the program end */
    /* The parent writes our uid/gid maps and places us in the run's
     * cgroups, then says go. */
    int stage = SBX_STAGE_SYNC;
    char go = 0;
    if (read(a->sync_r, &go, 1) != 1 || go != 'g')
        goto fail;
    close(a->sync_r);
    /* Not dumpable: the program, which may share our uid, cannot open our
     * descriptors or memory through /proc. Only now: it also makes our
     * /proc files root's, and an unprivileged parent must open our uid_map
     * before. */
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
    if (setup_root(a, &stage) != 0)
        goto fail;
    stage = SBX_STAGE_HOSTNAME;
    if (sethostname("sandbox", 7) != 0)
        goto fail;
    stage = SBX_STAGE_COPY_IN;
    int work = open(WORK_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (work < 0 || copy_dir(a->hostdir_fd, work, NULL, a->uid, a->gid,
                             a->scratch, a->scratch_len) != 0)
        goto fail;
    stage = SBX_STAGE_FORK;
    /* posix_spawn's way: the program process shares our memory until it
     * execs (CLONE_VM | CLONE_VFORK, own stack), so no page tables are
     * copied. Not fork(): glibc's fork takes the malloc locks, which another
     * thread of the parent may have held at the moment of our clone(). */
    pid_t pid = clone(program_main, a->prog_stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, a);
    if (pid < 0)
        goto fail;
    close(a->out_w);
    close(a->err_w);
    if (a->report_w >= 0)
        close(a->report_w);
    close(a->stdin_fd);
    int ws = 0;
    struct rusage ru;
    for (;;) {
        pid_t got = wait4(-1, &ws, 0, &ru);
        if (got == pid)
            break;
        if (got < 0 && errno != EINTR) {
            ws = 0;
            break;
        }
    }
    long cpu_ms = ru.ru_utime.tv_sec * 1000L + ru.ru_utime.tv_usec / 1000 +
                  ru.ru_stime.tv_sec * 1000L + ru.ru_stime.tv_usec / 1000;
    if (a->collect && copy_dir(work, a->hostdir_fd, a->collect, (uid_t)-1, (gid_t)-1,
                               a->scratch, a->scratch_len) != 0) {
        report(a->status_w, SBX_STAGE_COPY_OUT, errno, ws, cpu_ms);
        _exit(0);
    }
    report(a->status_w, SBX_STAGE_DONE, 0, ws, cpu_ms);
    _exit(0);
fail:
    report(a->status_w, stage, errno, 0, 0);
    _exit(127);
}

CHILD_FN int sandbox_child_main(void *arg)
{
    struct sandbox_child_args *a = arg;
    if (a->full)
        return ns_init(a);
    char go = 0;                           /* placed in the run's cgroups first */
    if (read(a->sync_r, &go, 1) != 1 || go != 'g') {
        report(a->status_w, SBX_STAGE_SYNC, errno, 0, 0);
        _exit(127);
    }
    close(a->sync_r);
    run_program(a);
    return 127;
}
