/* host.c - describes the machine a run ran on, for runs.host_json: CPU
 * model, cores, RAM, GPUs. Read from /proc and the NVIDIA driver's files;
 * nvidia-smi is asked only when it is installed and /proc has no answer. */
#include "store/store.h"

#include <cjson/cJSON.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "util/mem.h"

/* The value after "key<spaces>:" of the first line starting with key, in a
 * "key : value" file such as /proc/cpuinfo. Allocated, or NULL. */
static char *proc_field(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char line[1024];
    char *val = NULL;
    size_t klen = strlen(key);
    while (!val && fgets(line, sizeof line, f)) {
        if (strncmp(line, key, klen) != 0)
            continue;
        char *colon = strchr(line + klen, ':');
        if (!colon)
            continue;
        char *p = colon + 1;
        while (*p == ' ' || *p == '\t')
            p++;
        size_t n = strcspn(p, "\n");
        while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
            n--;
        val = xstrndup(p, n);
    }
    fclose(f);
    return val;
}

static void add_nvidia_proc(cJSON *gpus)
{
    DIR *d = opendir("/proc/driver/nvidia/gpus");
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = xasprintf("/proc/driver/nvidia/gpus/%s/information", e->d_name);
        char *model = proc_field(path, "Model");
        free(path);
        if (model) {
            cJSON_AddItemToArray(gpus, cJSON_CreateString(model));
            free(model);
        }
    }
    closedir(d);
}

static int in_path(const char *prog)
{
    const char *path = getenv("PATH");
    if (!path)
        return 0;
    char *copy = xstrdup(path), *save = NULL;
    int found = 0;
    for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
        char *full = xasprintf("%s/%s", dir, prog);
        found = access(full, X_OK) == 0;
        free(full);
    }
    free(copy);
    return found;
}

static void add_nvidia_smi(cJSON *gpus)
{
    if (!in_path("nvidia-smi"))
        return;
    FILE *p = popen("nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null",
                    "r");
    if (!p)
        return;
    char line[512];
    while (fgets(line, sizeof line, p)) {
        line[strcspn(line, "\n")] = '\0';
        if (*line)
            cJSON_AddItemToArray(gpus, cJSON_CreateString(line));
    }
    pclose(p);
}

char *store_host_json(void)
{
    cJSON *o = cJSON_CreateObject();
    char host[256] = "";
    if (gethostname(host, sizeof host - 1) == 0)
        cJSON_AddStringToObject(o, "hostname", host);
    struct utsname u;
    if (uname(&u) == 0) {
        char *os = xasprintf("%s %s %s", u.sysname, u.release, u.machine);
        cJSON_AddStringToObject(o, "os", os);
        free(os);
    }
    char *cpu = proc_field("/proc/cpuinfo", "model name");
    if (!cpu)
        cpu = proc_field("/proc/cpuinfo", "Model");   /* some ARM boards */
    cJSON_AddStringToObject(o, "cpu", cpu ? cpu : "unknown");
    free(cpu);
    cJSON_AddNumberToObject(o, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    char *mem = proc_field("/proc/meminfo", "MemTotal");   /* "16318412 kB" */
    if (mem) {
        cJSON_AddNumberToObject(o, "ram_bytes", strtod(mem, NULL) * 1024.0);
        free(mem);
    }
    cJSON *gpus = cJSON_AddArrayToObject(o, "gpu");
    add_nvidia_proc(gpus);
    if (cJSON_GetArraySize(gpus) == 0)
        add_nvidia_smi(gpus);
    if (access("/dev/kfd", F_OK) == 0)
        cJSON_AddItemToArray(gpus, cJSON_CreateString("AMD GPU (ROCm /dev/kfd present)"));
    char *out = cJSON_PrintUnformatted(o);
    cJSON_Delete(o);
    char *copy = xstrdup(out ? out : "{}");
    cJSON_free(out);
    return copy;
}

/* ---- the process that owns a running run ----------------------------------- */

/* "<boot id>/<start time in clock ticks since boot>" of pid, "" when
 * unreadable: two processes never share it, so a pid reused after the owner
 * died (or after a reboot) is not taken for the owner. */
static void process_start(long pid, char *out, size_t size)
{
    out[0] = '\0';
    char boot[64] = "";
    FILE *f = fopen("/proc/sys/kernel/random/boot_id", "r");
    if (f) {
        if (!fgets(boot, sizeof boot, f))
            boot[0] = '\0';
        fclose(f);
        boot[strcspn(boot, "\n")] = '\0';
    }
    char path[64], line[4096];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    f = fopen(path, "r");
    if (!f)
        return;
    size_t len = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[len] = '\0';
    /* the command name (field 2) may hold spaces and parentheses: fields
     * are counted after its last ')'; starttime is field 22 */
    char *p = strrchr(line, ')');
    if (!p)
        return;
    int field = 2;
    for (p++; *p && field < 22; p++)
        if (*p == ' ')
            field++;
    if (field == 22)
        snprintf(out, size, "%s/%llu", boot, strtoull(p, NULL, 10));
}

void store_owner_self(struct store_owner *o)
{
    memset(o, 0, sizeof *o);
    o->pid = (long)getpid();
    if (gethostname(o->host, sizeof o->host - 1) != 0)
        o->host[0] = '\0';
    process_start(o->pid, o->start, sizeof o->start);
}

int store_owner_alive(const struct store_owner *o)
{
    if (o->pid <= 0)
        return -1;
    char here[256] = "";
    if (gethostname(here, sizeof here - 1) != 0 || strcmp(here, o->host))
        return -1;
    char now[96];
    process_start(o->pid, now, sizeof now);
    if (!now[0])
        return 0;                      /* no such process */
    return !o->start[0] || !strcmp(now, o->start);
}

char *store_host_env_json(void)
{
    /* the devices a process may use, and the scheduler task it is */
    static const char *const names[] = {
        "CUDA_VISIBLE_DEVICES", "HIP_VISIBLE_DEVICES", "ROCR_VISIBLE_DEVICES", "GPU_DEVICE_ORDINAL",
        "SLURM_JOB_ID", "SLURM_ARRAY_JOB_ID", "SLURM_ARRAY_TASK_ID", "SLURM_JOB_NODELIST", "SLURMD_NODENAME",
        "SLURM_JOB_GPUS", "SLURM_STEP_GPUS", "SLURM_GPUS_ON_NODE", "SLURM_CPUS_PER_TASK",
        "JOB_COMPLETION_INDEX",
    };
    cJSON *o = cJSON_CreateObject();
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = getenv(names[i]);
        if (v)
            cJSON_AddStringToObject(o, names[i], v);
    }
    char *text = cJSON_PrintUnformatted(o);
    char *out = xstrdup(text ? text : "{}");
    cJSON_free(text);
    cJSON_Delete(o);
    return out;
}
