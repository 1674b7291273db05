/* procmem.h - the memory a process group holds, read from /proc: the
 * resident set summed over every process of the group (a server and any
 * children it starts, which inherit its group), the anonymous and
 * file-backed parts, and the group leader's kernel-kept peak (VmHWM).
 * Owns: reading /proc/<pid>/stat and status. Does not own: sampling over
 * time (memwatch.h) or GPU memory (gpumem.h). Linux only; bytes. */
#ifndef BAI_PROCMEM_H
#define BAI_PROCMEM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct procmem {
    int64_t rss_bytes;           /* sum of VmRSS over the group */
    int64_t anon_bytes;          /* sum of RssAnon */
    int64_t file_bytes;          /* sum of RssFile (mapped model pages count here) */
    int64_t leader_hwm_bytes;    /* VmHWM of the process whose pid is the group id */
    size_t n_procs;              /* processes found in the group */
};

/* Fills out for process group pgid; the pids found go to pids (up to
 * max_pids, may be NULL). Returns 0, or -1 when no process of the group
 * exists (out zeroed). A process that exits while it is read is skipped. */
int procmem_group(pid_t pgid, struct procmem *out, pid_t *pids, size_t max_pids);

/* The same figures summed over known processes (pids found by an earlier
 * procmem_group); leader is the one whose VmHWM is reported. Processes
 * that have exited are skipped. 0, or -1 when none is left. */
int procmem_pids(const pid_t *pids, size_t n, pid_t leader, struct procmem *out);

/* The same figures for one process only (its own VmRSS, VmHWM, ...). */
int procmem_process(pid_t pid, struct procmem *out);

#endif
