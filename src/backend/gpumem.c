/* gpumem.c - see gpumem.h. */
#include "backend/gpumem.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/clock.h"
#include "util/mem.h"

/* --- NVML ------------------------------------------------------------------
 * Only the handful of entry points used here, declared by their documented
 * C signatures. nvmlReturn_t is an int-sized enum; 0 is success, 7 "array
 * too small". The process-info records differ by version: the unversioned
 * call fills {pid, usedGpuMemory} (16 bytes), the _v2/_v3 calls add the
 * GPU and compute instance ids (24 bytes). */
#define NVML_OK 0
#define NVML_INSUFFICIENT_SIZE 7
#define NVML_NOT_AVAILABLE 0xFFFFFFFFFFFFFFFFULL

struct nvml_proc_v1 {
    unsigned int pid;
    unsigned long long used;
};

struct nvml_proc_v2 {
    unsigned int pid;
    unsigned long long used;
    unsigned int gpu_instance, compute_instance;
};

typedef int (*nvml_init_fn)(void);
typedef int (*nvml_count_fn)(unsigned int *);
typedef int (*nvml_handle_fn)(unsigned int, void **);
typedef int (*nvml_procs_fn)(void *, unsigned int *, void *);
typedef const char *(*nvml_errstr_fn)(int);

static struct {
    pthread_mutex_t lock;
    int tried;                   /* dlopen attempted */
    void *lib;
    nvml_count_fn count;
    nvml_handle_fn handle;
    nvml_procs_fn procs;
    size_t rec_size;             /* sizeof the record procs fills */
    nvml_errstr_fn errstr;
    char why[160];               /* why NVML is not usable */
} nv = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void *sym(void *lib, const char *a, const char *b)
{
    void *f = dlsym(lib, a);
    return f || !b ? f : dlsym(lib, b);
}

/* Loads and initialises NVML once per process; nv.lib NULL afterwards
 * means it is not usable, with nv.why saying so. Called under nv.lock. */
static void nvml_load(void)
{
    if (nv.tried)
        return;
    nv.tried = 1;
    const char *path = getenv("BENCHAI_NVML_LIB");
    if (!path || !*path)
        path = "libnvidia-ml.so.1";
    void *lib = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        snprintf(nv.why, sizeof nv.why, "%s not loadable", path);
        return;
    }
    nvml_init_fn init = (nvml_init_fn)sym(lib, "nvmlInit_v2", "nvmlInit");
    nv.count = (nvml_count_fn)sym(lib, "nvmlDeviceGetCount_v2", "nvmlDeviceGetCount");
    nv.handle = (nvml_handle_fn)sym(lib, "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetHandleByIndex");
    nv.errstr = (nvml_errstr_fn)dlsym(lib, "nvmlErrorString");
    nv.procs = (nvml_procs_fn)sym(lib, "nvmlDeviceGetComputeRunningProcesses_v3",
                                  "nvmlDeviceGetComputeRunningProcesses_v2");
    nv.rec_size = sizeof(struct nvml_proc_v2);
    if (!nv.procs) {
        nv.procs = (nvml_procs_fn)dlsym(lib, "nvmlDeviceGetComputeRunningProcesses");
        nv.rec_size = sizeof(struct nvml_proc_v1);
    }
    if (!init || !nv.count || !nv.handle || !nv.procs) {
        snprintf(nv.why, sizeof nv.why, "%s lacks the NVML entry points", path);
        dlclose(lib);
        return;
    }
    int rc = init();
    if (rc != NVML_OK) {
        snprintf(nv.why, sizeof nv.why, "nvmlInit failed (%s)", nv.errstr ? nv.errstr(rc) : "error");
        dlclose(lib);
        return;
    }
    nv.lib = lib;
}

/* 0 with *bytes summed over pids, or -1 (reason in why). */
static int nvml_query(const pid_t *pids, size_t n, int64_t *bytes, char *why, size_t why_len)
{
    pthread_mutex_lock(&nv.lock);
    nvml_load();
    if (!nv.lib) {
        snprintf(why, why_len, "%s", nv.why);
        pthread_mutex_unlock(&nv.lock);
        return -1;
    }
    unsigned int devices = 0;
    int rc = nv.count(&devices);
    int64_t sum = 0;
    int known = 1;
    for (unsigned int d = 0; rc == NVML_OK && d < devices; d++) {
        void *dev = NULL;
        if ((rc = nv.handle(d, &dev)) != NVML_OK)
            break;
        unsigned int cap = 64, got;
        unsigned char *recs = NULL;
        for (;;) {
            recs = xrealloc(recs, (size_t)cap * nv.rec_size);
            got = cap;
            rc = nv.procs(dev, &got, recs);
            if (rc != NVML_INSUFFICIENT_SIZE || cap >= 65536)
                break;
            cap = got > cap ? got + 16 : cap * 4;
        }
        for (unsigned int i = 0; rc == NVML_OK && i < got; i++) {
            const unsigned char *r = recs + (size_t)i * nv.rec_size;
            unsigned int pid;
            unsigned long long used;
            memcpy(&pid, r, sizeof pid);
            memcpy(&used, r + offsetof(struct nvml_proc_v1, used), sizeof used);
            for (size_t k = 0; k < n; k++)
                if ((pid_t)pid == pids[k]) {
                    if (used == NVML_NOT_AVAILABLE)
                        known = 0;
                    else
                        sum += (int64_t)used;
                }
        }
        free(recs);
    }
    if (rc != NVML_OK)
        snprintf(why, why_len, "NVML query failed (%s)", nv.errstr ? nv.errstr(rc) : "error");
    else if (!known)
        snprintf(why, why_len, "NVML does not report per-process memory on this system");
    pthread_mutex_unlock(&nv.lock);
    if (rc != NVML_OK || !known)
        return -1;
    *bytes = sum;
    return 0;
}

/* --- nvidia-smi ------------------------------------------------------------ */

static char *find_in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return NULL;
    char *copy = xstrdup(path), *save = NULL, *found = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *full = xasprintf("%s/%s", *dir ? dir : ".", prog);
        if (access(full, X_OK) == 0)
            found = full;
        else
            free(full);
    }
    free(copy);
    return found;
}

/* Runs argv[0] (a full path) and returns its stdout (at most 1 MiB), or
 * NULL when it could not run, failed, or took longer than timeout_ms (then
 * it is killed). */
static char *capture(char *const argv[], int timeout_ms)
{
    int fd[2];
    if (pipe2(fd, O_CLOEXEC) != 0)
        return NULL;
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return NULL;
    }
    if (pid == 0) {
        int devnull = open("/dev/null", O_RDWR);
        if (devnull >= 0) {
            dup2(devnull, 0);
            dup2(devnull, 2);
        }
        dup2(fd[1], 1);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fd[1]);
    struct buf out = {0};
    int64_t deadline = clock_mono_ns() + (int64_t)timeout_ms * 1000000LL;
    int timed_out = 0;
    for (;;) {
        int left = (int)((deadline - clock_mono_ns()) / 1000000LL);
        if (left <= 0) {
            timed_out = 1;
            break;
        }
        struct pollfd p = { .fd = fd[0], .events = POLLIN };
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        char chunk[4096];
        ssize_t got = read(fd[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        if (out.len < (1u << 20))
            buf_append(&out, chunk, (size_t)got);
    }
    close(fd[0]);
    if (timed_out)
        kill(pid, SIGKILL);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (timed_out || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        buf_free(&out);
        return NULL;
    }
    if (!out.data)
        buf_puts(&out, "");
    return buf_detach(&out);
}

/* "pid, used_memory" lines in MiB (--format=csv,noheader,nounits). */
static int smi_query(const pid_t *pids, size_t n, int64_t *bytes, char *why, size_t why_len)
{
    char *smi = find_in_path("nvidia-smi");
    if (!smi) {
        snprintf(why, why_len, "nvidia-smi not on PATH");
        return -1;
    }
    char *argv[] = { smi, "--query-compute-apps=pid,used_memory", "--format=csv,noheader,nounits", NULL };
    char *text = capture(argv, 10000);
    free(smi);
    if (!text) {
        snprintf(why, why_len, "nvidia-smi --query-compute-apps failed or timed out");
        return -1;
    }
    int64_t sum = 0;
    int bad = 0;
    for (char *line = text, *next; line && *line; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (!*line || *line == '\r')
            continue;
        char *end = NULL;
        long pid = strtol(line, &end, 10);
        if (end == line || *end != ',') {
            bad = 1;
            continue;
        }
        char *mem = end + 1;
        while (*mem == ' ')
            mem++;
        char *mend = NULL;
        double mib = strtod(mem, &mend);
        if (mend == mem) {
            if (strstr(mem, "N/A") == NULL)
                bad = 1;
            continue;
        }
        for (size_t k = 0; k < n; k++)
            if ((pid_t)pid == pids[k])
                sum += (int64_t)(mib * 1048576.0);
    }
    free(text);
    if (bad) {
        snprintf(why, why_len, "nvidia-smi printed lines other than 'pid, used_memory'");
        return -1;
    }
    *bytes = sum;
    return 0;
}

void gpumem_query(const pid_t *pids, size_t n, struct gpumem *out)
{
    memset(out, 0, sizeof *out);
    out->bytes = -1;
    char nvml_why[160] = "", smi_why[160] = "";
    int64_t bytes = 0;
    if (nvml_query(pids, n, &bytes, nvml_why, sizeof nvml_why) == 0) {
        out->bytes = bytes;
        snprintf(out->source, sizeof out->source, "nvml");
        return;
    }
    if (smi_query(pids, n, &bytes, smi_why, sizeof smi_why) == 0) {
        out->bytes = bytes;
        snprintf(out->source, sizeof out->source, "nvidia-smi");
        return;
    }
    snprintf(out->note, sizeof out->note, "%s; %s", nvml_why, smi_why);
}

const char *gpumem_describe(const struct gpumem *g, char *buf, size_t len)
{
    if (g->bytes >= 0)
        snprintf(buf, len, "%s", g->source);
    else
        snprintf(buf, len, "unavailable: %s", g->note);
    return buf;
}
