/* llama_procs.c - the registry of the llama-servers this process runs
 * (a mutex-guarded list of owner, role and threads, for the thread split)
 * and the /proc scan for llama-servers it did not start (see
 * llama_procs.h). */
#include "backend/llama_procs.h"
#include "util/fs.h"
#include "util/mem.h"

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct entry {
    const void *owner;
    char *role;
    int threads;
};

static pthread_mutex_t registry_mu = PTHREAD_MUTEX_INITIALIZER;
static struct entry *registry;
static size_t n_registry, cap_registry;

int llama_procs_cores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

void llama_procs_add(const void *owner, const char *role, int threads)
{
    pthread_mutex_lock(&registry_mu);
    size_t i = 0;
    while (i < n_registry && registry[i].owner != owner)
        i++;
    if (i == n_registry) {
        XGROW(registry, n_registry + 1, cap_registry);
        registry[n_registry++] = (struct entry){ .owner = owner };
    }
    free(registry[i].role);
    registry[i].role = xstrdup(role ? role : "server");
    registry[i].threads = threads;
    pthread_mutex_unlock(&registry_mu);
}

void llama_procs_remove(const void *owner)
{
    pthread_mutex_lock(&registry_mu);
    for (size_t i = 0; i < n_registry; i++) {
        if (registry[i].owner != owner)
            continue;
        free(registry[i].role);
        registry[i] = registry[--n_registry];
        break;
    }
    if (n_registry == 0) {
        free(registry);
        registry = NULL;
        cap_registry = 0;
    }
    pthread_mutex_unlock(&registry_mu);
}

int llama_procs_free_threads(const void *owner, cJSON **others_out)
{
    pthread_mutex_lock(&registry_mu);
    int used = 0, every_core = 0;
    cJSON *others = NULL;
    for (size_t i = 0; i < n_registry; i++) {
        if (registry[i].owner == owner)
            continue;
        if (!others)
            others = cJSON_CreateArray();
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "role", registry[i].role);
        cJSON_AddNumberToObject(o, "threads", registry[i].threads);
        cJSON_AddItemToArray(others, o);
        if (registry[i].threads > 0)
            used += registry[i].threads;
        else
            every_core = 1;
    }
    pthread_mutex_unlock(&registry_mu);
    int cores = llama_procs_cores();
    int threads = 0;
    if (others && !every_core)
        threads = cores - used > 1 ? cores - used : 1;
    if (others_out)
        *others_out = others;
    else
        cJSON_Delete(others);
    return threads;
}

/* State, parent and thread count from /proc/PID/stat; -1 when unreadable. */
static int read_stat(long pid, char *state, long *ppid, long *threads)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    char *text = fs_read_file(path, NULL, NULL);
    if (!text)
        return -1;
    /* "pid (comm) S ppid ...": comm may hold spaces and parentheses */
    const char *p = strrchr(text, ')');
    int n = p ? sscanf(p + 1, " %c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %ld",
                       state, ppid, threads) : 0;
    free(text);
    return n == 3 ? 0 : -1;
}

cJSON *llama_procs_competing(void)
{
    cJSON *found = cJSON_CreateArray();
    DIR *d = opendir("/proc");
    if (!d)
        return found;
    long self = (long)getpid();
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || atol(e->d_name) == self)
            continue;
        char path[300];
        snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
        char *comm = fs_read_file(path, NULL, NULL);
        int is_server = comm && !strncmp(comm, "llama-server", 12) && (comm[12] == '\n' || !comm[12]);
        free(comm);
        char state;
        long ppid, threads;
        if (!is_server || read_stat(atol(e->d_name), &state, &ppid, &threads) != 0 || state == 'Z' ||
            ppid == self)
            continue;
        snprintf(path, sizeof path, "/proc/%s/cmdline", e->d_name);
        size_t len = 0;
        char *cmd = fs_read_file(path, &len, NULL);
        for (size_t i = 0; cmd && i + 1 < len; i++)
            if (cmd[i] == '\0')
                cmd[i] = ' ';
        if (cmd && len > 300)
            strcpy(cmd + 296, "...");
        cJSON *o = cJSON_CreateObject();
        cJSON_AddNumberToObject(o, "pid", (double)atol(e->d_name));
        cJSON_AddNumberToObject(o, "os_threads", (double)threads);
        cJSON_AddStringToObject(o, "cmdline", cmd ? cmd : "");
        cJSON_AddItemToArray(found, o);
        free(cmd);
    }
    closedir(d);
    return found;
}

void llama_procs_state(long pid, char *out, size_t size)
{
    char c;
    long ppid, threads;
    if (read_stat(pid, &c, &ppid, &threads) != 0) {
        snprintf(out, size, "?");
        return;
    }
    const char *what = c == 'T' ? "stopped" : c == 't' ? "stopped by a tracer" : c == 'D' ? "uninterruptible sleep"
                     : c == 'R' ? "running" : c == 'S' ? "sleeping" : c == 'Z' ? "zombie" : "other";
    snprintf(out, size, "%c (%s)", c, what);
}
