/* cgroup.c - a memory and pids cgroup per sandbox run, where this process
 * may create them: cgroup v2 when its own cgroup is delegated (it can enable
 * the memory and pids controllers for groups below it), else cgroup v1 when
 * the memory and pids hierarchies are mounted and writable. Groups are made
 * below benchai's own cgroup (so any limit the administrator put on benchai
 * still covers them), named benchai-<pid namespace>-<pid>-<n>, and removed
 * after the run; groups left by a benchai that died are removed by the next. */
#include "sandbox/internal.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int write_text(const char *dir, const char *file, const char *text)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    int fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, text, strlen(text));
    int e = errno;
    close(fd);
    errno = e;
    return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* A control file's text (NULL when absent or empty). */
static char *read_text(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct bai_error err = {0};
    return fs_read_file(path, NULL, &err);
}

static int has_file(const char *dir, const char *file)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    return access(path, F_OK) == 0;
}

/* The number after `key ` in a "key value" file (memory.events,
 * memory.oom_control); 0 when absent. */
static long keyed_value(const char *text, const char *key)
{
    size_t n = strlen(key);
    for (const char *s = text; s && *s;) {
        if (!strncmp(s, key, n) && s[n] == ' ')
            return strtol(s + n + 1, NULL, 10);
        s = strchr(s, '\n');
        s = s ? s + 1 : NULL;
    }
    return 0;
}

/* 1 when the comma-separated list has word. */
static int has_word(const char *list, const char *word, char sep)
{
    size_t n = strlen(word);
    for (const char *s = list; s && *s;) {
        if (!strncmp(s, word, n) && (s[n] == sep || s[n] == 0 || s[n] == '\n' || s[n] == ' '))
            return 1;
        const char *c = strchr(s, sep);
        s = c ? c + 1 : NULL;
    }
    return 0;
}

/* This process's cgroup path in the hierarchy with `controller` ("" for
 * the v2 line "0::"), from /proc/self/cgroup. */
static char *own_path(const char *controller)
{
    char *text = read_text("/proc/self", "cgroup");
    char *out = NULL;
    for (char *line = text, *next; line && *line && !out; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
        if (!c2)
            continue;
        *c2 = 0;
        const char *ctrls = c1 + 1;
        if (*controller ? has_word(ctrls, controller, ',') : (!strcmp(line, "0") && !*ctrls))
            out = xstrdup(c2 + 1);
    }
    free(text);
    return out;
}

/* Where the hierarchy is mounted: for v2 (controller NULL) the cgroup2
 * mount, for v1 the cgroup mount whose options name the controller. The
 * directory of our own cgroup = mount point + (own path - mount root). */
static char *own_dir(const char *controller)
{
    char *path = own_path(controller ? controller : "");
    if (!path)
        return NULL;
    char *text = read_text("/proc/self", "mountinfo");
    char *dir = NULL;
    for (char *line = text, *next; line && *line && !dir; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        char *dash = strstr(line, " - ");
        if (!dash)
            continue;
        char fstype[32] = "", opts[512] = "", root[1024] = "", mp[1024] = "";
        if (sscanf(line, "%*s %*s %*s %1023s %1023s", root, mp) != 2 ||
            sscanf(dash + 3, "%31s %*s %511s", fstype, opts) < 1)
            continue;
        int match = controller ? !strcmp(fstype, "cgroup") && has_word(opts, controller, ',')
                               : !strcmp(fstype, "cgroup2");
        if (!match)
            continue;
        size_t rl = strlen(root);
        const char *rest = path;
        if (strcmp(root, "/")) {
            if (strncmp(path, root, rl) || (path[rl] != '/' && path[rl] != 0))
                continue;                       /* our cgroup is outside this mount */
            rest = path + rl;
        }
        dir = xasprintf("%s%s", mp, strcmp(rest, "/") ? rest : "");
    }
    free(text);
    free(path);
    return dir;
}

static unsigned long pidns_inode(void)
{
    struct stat st;
    return stat("/proc/self/ns/pid", &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* Kills what is left in a group and removes it; a group that will not go
 * (a process stuck in the kernel) is left for the next start to remove. */
static void group_remove(const char *dir)
{
    for (int tries = 0; tries < 50; tries++) {
        if (rmdir(dir) == 0 || errno == ENOENT)
            return;
        if (errno != EBUSY)
            return;
        if (write_text(dir, "cgroup.kill", "1") != 0) {
            char *procs = read_text(dir, "cgroup.procs");
            for (char *s = procs; s && *s;) {
                long pid = strtol(s, &s, 10);
                if (pid > 0)
                    kill((pid_t)pid, SIGKILL);
                while (*s == '\n')
                    s++;
            }
            free(procs);
        }
        struct timespec ts = { 0, 2 * 1000 * 1000 };
        nanosleep(&ts, NULL);
    }
}

/* Removes groups named benchai-<our pid namespace>-<pid>-* whose pid is
 * gone: what a killed benchai left. */
static void remove_stale(const char *parent, unsigned long ns)
{
    DIR *d = opendir(parent);
    if (!d)
        return;
    char prefix[64];
    int pl = snprintf(prefix, sizeof prefix, "benchai-%lu-", ns);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, prefix, (size_t)pl))
            continue;
        long pid = strtol(e->d_name + pl, NULL, 10);
        if (pid <= 0 || (kill((pid_t)pid, 0) != 0 && errno == ESRCH)) {
            char *dir = xasprintf("%s/%s", parent, e->d_name);
            group_remove(dir);
            free(dir);
        }
    }
    closedir(d);
}

/* Makes a group, writes a limit into it and removes it again: proof that
 * this hierarchy is ours to use. */
static int try_group(const char *parent, const char *file, const char *value)
{
    char *dir = xasprintf("%s/benchai-%lu-%d-probe", parent, pidns_inode(), (int)getpid());
    int ok = mkdir(dir, 0755) == 0 && write_text(dir, file, value) == 0;
    group_remove(dir);
    free(dir);
    return ok;
}

/* cgroup v2: our cgroup must let its children have the memory and pids
 * controllers. That needs them in its subtree_control, which the kernel
 * refuses while our cgroup holds processes (other than in the root); when
 * it holds only this process (a delegated scope made for benchai, e.g.
 * `systemd-run --user --scope -p Delegate=yes benchai ...`) we move into a
 * leaf below it first. */
static char *find_v2(void)
{
    char *dir = own_dir(NULL);
    if (!dir)
        return NULL;
    char *ctrls = read_text(dir, "cgroup.controllers");
    int have = ctrls && has_word(ctrls, "memory", ' ') && has_word(ctrls, "pids", ' ');
    free(ctrls);
    if (!have || access(dir, W_OK) != 0) {
        free(dir);
        return NULL;
    }
    char *sub = read_text(dir, "cgroup.subtree_control");
    int enabled = sub && has_word(sub, "memory", ' ') && has_word(sub, "pids", ' ');
    free(sub);
    if (!enabled && write_text(dir, "cgroup.subtree_control", "+memory +pids") != 0) {
        char *procs = read_text(dir, "cgroup.procs");
        char self[32];
        snprintf(self, sizeof self, "%d\n", (int)getpid());
        int alone = procs && !strcmp(procs, self);
        free(procs);
        char *leaf = xasprintf("%s/benchai-%lu-%d-main", dir, pidns_inode(), (int)getpid());
        if (alone && (mkdir(leaf, 0755) == 0 || errno == EEXIST) &&
            write_text(leaf, "cgroup.procs", "0") == 0) {
            enabled = write_text(dir, "cgroup.subtree_control", "+memory +pids") == 0;
            if (!enabled)
                write_text(dir, "cgroup.procs", "0");
        }
        if (!enabled)
            rmdir(leaf);
        free(leaf);
    } else {
        enabled = 1;
    }
    if (!enabled || !try_group(dir, "memory.max", "max")) {
        free(dir);
        return NULL;
    }
    return dir;
}

void sandbox_cgroups_find(struct sandbox *sb)
{
    sb->limits_by = SANDBOX_LIMITS_RLIMITS;
    unsigned long ns = pidns_inode();
    char *v2 = find_v2();
    if (v2) {
        remove_stale(v2, ns);
        sb->cg_mem = v2;
        sb->cg_pids = xstrdup(v2);
        sb->limits_by = SANDBOX_LIMITS_CGROUP2;
        return;
    }
    char *mem = own_dir("memory"), *pids = own_dir("pids");
    if (mem && pids && try_group(mem, "memory.limit_in_bytes", "-1") &&
        try_group(pids, "pids.max", "max")) {
        remove_stale(mem, ns);
        remove_stale(pids, ns);
        sb->cg_mem = mem;
        sb->cg_pids = pids;
        sb->limits_by = SANDBOX_LIMITS_CGROUP1;
        return;
    }
    free(mem);
    free(pids);
}

int sandbox_cgroup_create(const struct sandbox *sb, const struct sandbox_limits *l,
                          struct sandbox_cgroup_run *run, struct bai_error *err)
{
    memset(run, 0, sizeof *run);
    if (sb->limits_by == SANDBOX_LIMITS_RLIMITS)
        return 0;
    unsigned long n = __atomic_fetch_add(&sb->shared->cg_seq, 1, __ATOMIC_RELAXED);
    unsigned long ns = pidns_inode();
    int v2 = sb->limits_by == SANDBOX_LIMITS_CGROUP2;
    run->mem = xasprintf("%s/benchai-%lu-%d-%lu", sb->cg_mem, ns, (int)getpid(), n);
    run->pids = v2 ? NULL : xasprintf("%s/benchai-%lu-%d-%lu", sb->cg_pids, ns, (int)getpid(), n);
    char mem[32], pids[32];
    long mb = l->memory_mb > 0 ? l->memory_mb + l->memory_extra_mb : 0;
    if (mb > 0)
        snprintf(mem, sizeof mem, "%ld", mb << 20);
    else
        snprintf(mem, sizeof mem, v2 ? "max" : "-1");
    if (l->nproc > 0)
        snprintf(pids, sizeof pids, "%d", l->nproc);
    else
        snprintf(pids, sizeof pids, "max");
    const char *pdir = v2 ? run->mem : run->pids;
    int ok = mkdir(run->mem, 0755) == 0 && (v2 || mkdir(run->pids, 0755) == 0);
    if (ok && v2)
        ok = write_text(run->mem, "memory.max", mem) == 0 &&
             (!has_file(run->mem, "memory.swap.max") || write_text(run->mem, "memory.swap.max", "0") == 0);
    else if (ok)
        ok = write_text(run->mem, "memory.limit_in_bytes", mem) == 0 &&
             (!has_file(run->mem, "memory.memsw.limit_in_bytes") ||
              write_text(run->mem, "memory.memsw.limit_in_bytes", mem) == 0);
    if (ok)
        ok = write_text(pdir, "pids.max", pids) == 0;
    if (!ok) {
        bai_error_set(err, BAI_EXIT_SANDBOX, "sandbox: cgroup %s: %s", run->mem, strerror(errno));
        sandbox_cgroup_finish(run, NULL);
        return -1;
    }
    return 0;
}

int sandbox_cgroup_attach(const struct sandbox_cgroup_run *run, pid_t pid)
{
    char text[32];
    snprintf(text, sizeof text, "%d", (int)pid);
    if (run->mem && write_text(run->mem, "cgroup.procs", text) != 0)
        return -1;
    if (run->pids && write_text(run->pids, "cgroup.procs", text) != 0)
        return -1;
    return 0;
}

void sandbox_cgroup_finish(struct sandbox_cgroup_run *run, int *memory_exceeded)
{
    if (memory_exceeded)
        *memory_exceeded = 0;
    if (run->mem) {
        char *ev = read_text(run->mem, "memory.events");
        if (!ev)
            ev = read_text(run->mem, "memory.oom_control");
        if (memory_exceeded && ev)
            *memory_exceeded = keyed_value(ev, "oom_kill") > 0;
        free(ev);
        group_remove(run->mem);
    }
    if (run->pids)
        group_remove(run->pids);
    free(run->mem);
    free(run->pids);
    run->mem = run->pids = NULL;
}
