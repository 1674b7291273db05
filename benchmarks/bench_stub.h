/* bench_stub.h - what the benchmark programs share: the machine line every
 * one of them prints (cores, CPU model, load average), and for the
 * stub-driven ones (http_bench.c, scale_bench.c) starting and stopping the
 * loopback stub_server as a pinned child process, CPU pinning, real-time
 * scheduling, getrusage seconds and a growable vector of doubles.
 * Header-only (static inline): each benchmark source is its own program
 * linked with libbenchai.a alone.
 */
#ifndef BAI_BENCH_STUB_H
#define BAI_BENCH_STUB_H

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/mem.h"

/* --- small helpers (struct dvec is util/mem.h's) ---------------------------- */
static inline double rusage_s(int who)
{
    struct rusage u;
    getrusage(who, &u);
    return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
           u.ru_stime.tv_usec / 1e6;
}

static inline void print_machine(void)
{
    char model[256] = "unknown", line[512];
    FILE *f = fopen("/proc/cpuinfo", "r");
    while (f && fgets(line, sizeof line, f)) {
        if (!strncmp(line, "model name", 10)) {
            char *colon = strchr(line, ':');
            if (colon) {
                snprintf(model, sizeof model, "%s", colon + 2);
                model[strcspn(model, "\n")] = '\0';
            }
            break;
        }
    }
    if (f)
        fclose(f);
    char load[128] = "?";
    f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fgets(load, sizeof load, f))
            load[strcspn(load, "\n")] = '\0';
        fclose(f);
    }
    printf("machine: nproc=%ld cpu=\"%s\" loadavg=\"%s\"\n", sysconf(_SC_NPROCESSORS_ONLN), model, load);
}

static inline int pin_to(pid_t pid, int cpu)
{
    if (cpu < 0)
        return 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    return sched_setaffinity(pid, sizeof set, &set);
}

/* --- the stub process --------------------------------------------------------- */
struct stub {
    pid_t pid;
    int port;
    double cpu_before_s;          /* RUSAGE_CHILDREN when it started */
    double cpu_s;                 /* its CPU time, once stopped */
};

/* SCHED_FIFO (rt = 1) or back to SCHED_OTHER for pid (0 = this thread;
 * threads created later inherit it). */
static inline int set_rt(pid_t pid, int rt)
{
    struct sched_param sp = { .sched_priority = rt ? 10 : 0 };
    return sched_setscheduler(pid, rt ? SCHED_FIFO : SCHED_OTHER, &sp);
}

/* Forks and execs the stub at path, pinned to cpu (-1: anywhere), and reads
 * the port it printed. */
static inline int stub_start(struct stub *s, const char *path, int cpu, int rt, int events, int delay_us,
                             int jitter_us)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    char ev[32], dl[32], jt[32];
    snprintf(ev, sizeof ev, "%d", events);
    snprintf(dl, sizeof dl, "%d", delay_us);
    snprintf(jt, sizeof jt, "%d", jitter_us);
    s->cpu_before_s = rusage_s(RUSAGE_CHILDREN);
    s->pid = fork();
    if (s->pid < 0)
        return -1;
    if (s->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);       /* never outlives the bench */
        pin_to(0, cpu);
        if (rt)
            set_rt(0, 1);
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execl(path, path, "--port", "0", "--events", ev, "--event-delay-us", dl, "--event-jitter-us", jt,
              (char *)NULL);
        fprintf(stderr, "%s: exec %s: %s\n", program_invocation_short_name, path, strerror(errno));
        _exit(127);
    }
    close(fds[1]);
    char line[64] = "";
    size_t len = 0;
    struct pollfd p = { .fd = fds[0], .events = POLLIN };
    while (len < sizeof line - 1 && !strchr(line, '\n') && poll(&p, 1, 5000) == 1) {
        ssize_t n = read(fds[0], line + len, sizeof line - 1 - len);
        if (n <= 0)
            break;
        len += (size_t)n;
        line[len] = '\0';
    }
    close(fds[0]);
    if (sscanf(line, "PORT=%d", &s->port) != 1) {
        fprintf(stderr, "%s: stub %s did not print PORT=n\n", program_invocation_short_name, path);
        kill(s->pid, SIGKILL);
        waitpid(s->pid, NULL, 0);
        return -1;
    }
    return 0;
}

static inline void stub_stop(struct stub *s)
{
    kill(s->pid, SIGTERM);
    waitpid(s->pid, NULL, 0);
    s->cpu_s = rusage_s(RUSAGE_CHILDREN) - s->cpu_before_s;
}

static inline void default_stub_path(char *out, size_t size)
{
    char self[PATH_MAX - 16];
    ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) {
        snprintf(out, size, "build/bench/stub_server");
        return;
    }
    self[n] = '\0';
    char *slash = strrchr(self, '/');
    if (slash)
        *slash = '\0';
    snprintf(out, size, "%s/stub_server", self);
}

#endif
