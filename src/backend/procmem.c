/* procmem.c - see procmem.h. */
#include "backend/procmem.h"

#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The "Name:   1234 kB" lines of /proc/<pid>/status we use, in bytes (-1
 * when absent: a kernel thread, or an old kernel without RssAnon). */
struct status_mem {
    int64_t rss, hwm, anon, file;
};

static int read_status(pid_t pid, struct status_mem *m)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    m->rss = m->hwm = m->anon = m->file = -1;
    char line[256];
    while (fgets(line, sizeof line, f)) {
        int64_t *dst = !strncmp(line, "VmRSS:", 6) ? &m->rss
                     : !strncmp(line, "VmHWM:", 6) ? &m->hwm
                     : !strncmp(line, "RssAnon:", 8) ? &m->anon
                     : !strncmp(line, "RssFile:", 8) ? &m->file : NULL;
        if (!dst)
            continue;
        const char *p = strchr(line, ':') + 1;
        long long kb = strtoll(p, NULL, 10);
        *dst = (int64_t)kb * 1024;
    }
    fclose(f);
    return 0;
}

/* The process group of pid from /proc/<pid>/stat (field 5; the command
 * name in field 2 may hold spaces and parentheses, so parse after the last
 * ')'). -1 when the process is gone or a zombie (it holds no memory). */
static long stat_pgrp(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    if (!p)
        return -1;
    char state;
    long ppid, pgrp;
    if (sscanf(p + 1, " %c %ld %ld", &state, &ppid, &pgrp) != 3 || state == 'Z' || state == 'X')
        return -1;
    return pgrp;
}

static void add(struct procmem *out, const struct status_mem *m)
{
    out->rss_bytes += m->rss > 0 ? m->rss : 0;
    out->anon_bytes += m->anon > 0 ? m->anon : 0;
    out->file_bytes += m->file > 0 ? m->file : 0;
}

int procmem_process(pid_t pid, struct procmem *out)
{
    memset(out, 0, sizeof *out);
    struct status_mem m;
    if (read_status(pid, &m) != 0)
        return -1;
    add(out, &m);
    out->leader_hwm_bytes = m.hwm > 0 ? m.hwm : 0;
    out->n_procs = 1;
    return 0;
}

int procmem_group(pid_t pgid, struct procmem *out, pid_t *pids, size_t max_pids)
{
    memset(out, 0, sizeof *out);
    DIR *d = opendir("/proc");
    if (!d)
        return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        pid_t pid = (pid_t)strtol(e->d_name, NULL, 10);
        if (stat_pgrp(pid) != (long)pgid)
            continue;
        struct status_mem m;
        if (read_status(pid, &m) != 0)
            continue;                  /* exited meanwhile */
        add(out, &m);
        if (pid == pgid)
            out->leader_hwm_bytes = m.hwm > 0 ? m.hwm : 0;
        if (pids && out->n_procs < max_pids)
            pids[out->n_procs] = pid;
        out->n_procs++;
    }
    closedir(d);
    return out->n_procs ? 0 : -1;
}

int procmem_pids(const pid_t *pids, size_t n, pid_t leader, struct procmem *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < n; i++) {
        struct status_mem m;
        if (stat_pgrp(pids[i]) < 0 || read_status(pids[i], &m) != 0)
            continue;
        add(out, &m);
        if (pids[i] == leader)
            out->leader_hwm_bytes = m.hwm > 0 ? m.hwm : 0;
        out->n_procs++;
    }
    return out->n_procs ? 0 : -1;
}
