/* What a configuration costs to hold: the load log parser against the lines
 * of the pinned llama-server build, the partial-offload rule, the resident
 * set of a process group from /proc, GPU memory through a stand-in NVML
 * library (built here) and a stub nvidia-smi, and the median / speed-up
 * figures with their intervals. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/gpumem.h"
#include "backend/loadlog.h"
#include "backend/memwatch.h"
#include "backend/procmem.h"
#include "report/figures.h"
#include "report/resources.h"
#include "util/fs.h"
#include "util/mem.h"

#define MIB 1048576.0

static void parse_file(const char *path, struct loadlog *l)
{
    size_t len = 0;
    struct bai_error err = {0};
    char *text = fs_read_file(path, &len, &err);
    cr_assert_not_null(text, "%s", err.msg);
    loadlog_parse(text, len, l);
    free(text);
}

static void near_mib(int64_t bytes, double mib)
{
    cr_assert(fabs((double)bytes - mib * MIB) < 8, "%lld bytes, expected %.2f MiB", (long long)bytes, mib);
}

/* tests/data/loadlog/tiny-moe-draft.lv4.log is the real log of the pinned
 * llama-server (tiny-moe with tiny-draft-same as its draft, -np 1 -c 4096,
 * --log-verbosity 4) on a CPU-only build. */
Test(loadlog, real_log_of_the_pinned_build)
{
    struct loadlog l;
    parse_file("tests/data/loadlog/tiny-moe-draft.lv4.log", &l);
    cr_assert_eq(l.n_models, 2, "target and draft");
    /* target AMX 8.31 + CPU_Mapped 56.33, draft AMX 9.81 + CPU_Mapped 9.82 */
    near_mib(l.model_bytes, 8.31 + 56.33 + 9.81 + 9.82);
    near_mib(l.kv_bytes, 8.00 + 8.00);
    near_mib(l.compute_bytes, 29.01 + 8.01);
    cr_assert_eq(l.layers_offloaded, -1, "a CPU build logs no offload line");
    cr_assert_eq(l.layers_total, -1);
    cr_assert_str_eq(l.gpu_devices, "");
    cr_assert_eq(l.gpu_model_bytes, -1);
    cr_assert_eq(l.gpu_unusable, 0);
    /* every buffer line, with its model: 2 x (2 model, output, KV, compute) */
    cr_assert_eq(cJSON_GetArraySize(l.buffers), 10);
    const cJSON *last = cJSON_GetArrayItem(l.buffers, 9);
    cr_assert_eq((int)cJSON_GetNumberValue(cJSON_GetObjectItem(last, "model")), 1);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(last, "kind")), "compute");
    loadlog_free(&l);
}

/* At the default verbosity (3) the same build logs none of these lines; with
 * -ngl 99 and no GPU it says so. */
Test(loadlog, default_verbosity_and_no_usable_gpu)
{
    struct loadlog l;
    parse_file("tests/data/loadlog/tiny-moe-ngl99.lv3.log", &l);
    cr_assert_eq(l.model_bytes, -1);
    cr_assert_eq(l.kv_bytes, -1);
    cr_assert_eq(l.compute_bytes, -1);
    cr_assert_eq(l.gpu_unusable, 1);
    cr_assert_eq(cJSON_GetArraySize(l.buffers), 0);
    loadlog_free(&l);
}

/* A GPU build's lines, written with the pinned build's format strings
 * (src/llama-model.cpp: "%s: offloaded %d/%d layers to GPU",
 * "%s: %12s model buffer size = %8.2f MiB"; llama-kv-cache.cpp:
 * "%s: %10s KV buffer size = %8.2f MiB"; llama-context.cpp: "%s: %10s
 * compute buffer size = %8.2f MiB"): a partial offload of a target with a
 * draft fully on the GPU. */
Test(loadlog, gpu_lines_partial_offload)
{
    char text[4096];
    int n = snprintf(text, sizeof text,
        "0.00.100.000 I load_tensors: loading model tensors, this can take a while... (load_mode = mmap)\n"
        "0.00.100.001 I load_tensors: offloading output layer to GPU\n"
        "0.00.100.002 I load_tensors: offloading %d repeating layers to GPU\n"
        "0.00.100.003 I load_tensors: offloaded %d/%d layers to GPU\n"
        "0.00.100.004 I load_tensors: %12s model buffer size = %8.2f MiB\n"
        "0.00.100.005 I load_tensors: %12s model buffer size = %8.2f MiB\n"
        "0.00.100.006 I llama_kv_cache: %10s KV buffer size = %8.2f MiB\n"
        "0.00.100.007 I llama_kv_cache: %10s KV buffer size = %8.2f MiB\n"
        "0.00.100.008 I sched_reserve: %10s compute buffer size = %8.2f MiB\n"
        "0.00.100.009 I sched_reserve: %10s compute buffer size = %8.2f MiB\n"
        "0.00.200.000 I load_tensors: loading model tensors, this can take a while... (load_mode = mmap)\n"
        "0.00.200.001 I load_tensors: offloaded %d/%d layers to GPU\n"
        "0.00.200.002 I load_tensors: %12s model buffer size = %8.2f MiB\n",
        19, 20, 33, "CUDA0", 2500.50, "CPU_Mapped", 1903.00, "CUDA0", 280.00, "CPU", 168.00,
        "CUDA0", 304.00, "CUDA_Host", 23.01, 25, 25, "CUDA0", 500.25);
    struct loadlog l;
    loadlog_parse(text, (size_t)n, &l);
    cr_assert_eq(l.n_models, 2);
    cr_assert_eq(l.layers_offloaded, 20, "the target's, not the draft's");
    cr_assert_eq(l.layers_total, 33);
    cr_assert_str_eq(l.gpu_devices, "CUDA0");
    near_mib(l.model_bytes, 2500.50 + 1903.00 + 500.25);
    near_mib(l.gpu_model_bytes, 2500.50 + 500.25);
    near_mib(l.kv_bytes, 448.00);
    near_mib(l.gpu_kv_bytes, 280.00);
    near_mib(l.compute_bytes, 327.01);
    near_mib(l.gpu_compute_bytes, 304.00);
    loadlog_free(&l);
    cr_assert(loadlog_host_device("CPU_REPACK") && loadlog_host_device("AMX") && loadlog_host_device("CUDA_Host"));
    cr_assert(!loadlog_host_device("CUDA0") && !loadlog_host_device("Vulkan1") && !loadlog_host_device("Metal"));
}

Test(resources, offload_rule)
{
    char msg[300];
    /* asked for 99 (all), 20 of 33 placed */
    cr_assert_eq(report_offload_short(99, 20, 33, msg, sizeof msg), 1);
    cr_assert(strstr(msg, "20 of 33 layers on the GPU, asked for 33 (-ngl 99)"), "%s", msg);
    /* asked for 10, 10 placed: nothing to say */
    cr_assert_eq(report_offload_short(10, 10, 33, msg, sizeof msg), 0);
    /* not asked (llama-server's automatic fit), 30 of 33 */
    cr_assert_eq(report_offload_short(NAN, 30, 33, msg, sizeof msg), 1);
    cr_assert(strstr(msg, "automatic fit"), "%s", msg);
    /* -ngl 99 on a machine without a usable GPU */
    cr_assert_eq(report_offload_short(99, 0, -1, msg, sizeof msg), 1);
    cr_assert(strstr(msg, "no usable GPU"), "%s", msg);
    /* a CPU build with no -ngl: no line, no warning */
    cr_assert_eq(report_offload_short(NAN, -1, -1, msg, sizeof msg), 0);
    cr_assert_eq(report_offload_short(-1, 0, -1, msg, sizeof msg), 0);
}

/* A process group of two processes (a child and its own child) holding
 * 48 MiB each: the group's resident set counts both. */
Test(procmem, group_counts_children)
{
    int ready[2];
    cr_assert_eq(pipe(ready), 0);
    pid_t leader = fork();
    cr_assert_geq(leader, 0);
    if (leader == 0) {
        setpgid(0, 0);
        pid_t kid = fork();
        size_t size = 48u << 20;
        char *mem = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            _exit(2);
        for (size_t i = 0; i < size; i += 4096)
            mem[i] = 1;
        if (write(ready[1], "x", 1) != 1)
            _exit(3);
        pause();
        (void)kid;
        _exit(0);
    }
    close(ready[1]);
    char c;
    for (int i = 0; i < 2; i++)
        cr_assert_eq(read(ready[0], &c, 1), 1);
    struct procmem m;
    pid_t pids[8];
    cr_assert_eq(procmem_group(leader, &m, pids, 8), 0);
    cr_assert_eq(m.n_procs, 2);
    cr_assert_geq(m.rss_bytes, 2 * (48 << 20));
    cr_assert_geq(m.anon_bytes, 2 * (48 << 20));
    cr_assert_geq(m.leader_hwm_bytes, 48 << 20);
    struct memwatch_figures f;
    struct memwatch *w = memwatch_start(leader, &f);
    cr_assert_not_null(w);
    cr_assert_geq(f.rss_bytes, 2 * (48 << 20));
    cr_assert_geq(f.rss_peak_bytes, f.rss_bytes);
    struct memwatch_figures last;
    memwatch_stop(w, &last);
    cr_assert_geq(last.rss_peak_bytes, f.rss_bytes);
    kill(-leader, SIGKILL);
    waitpid(leader, NULL, 0);
    /* the child is the leader's, reparented on its death and reaped by
     * init: wait until it is gone (a loaded machine took longer than the
     * waitpid above), at most 10 s */
    int gone = 0;
    for (int i = 0; i < 1000 && !gone; i++) {
        gone = procmem_group(leader, &m, NULL, 0) == -1;
        if (!gone)
            usleep(10000);
    }
    cr_assert(gone, "no process left in the group");
}

/* A stand-in for the driver's libnvidia-ml.so.1, built with cc: it answers
 * the entry points benchai loads, listing the processes named in
 * $FAKE_NVML_PROCS ("pid:bytes,...") on one GPU. */
static const char FAKE_NVML[] =
    "#include <stdlib.h>\n#include <string.h>\n"
    "struct rec { unsigned int pid; unsigned long long used; unsigned int gi, ci; };\n"
    "int nvmlInit_v2(void) { return 0; }\n"
    "int nvmlDeviceGetCount_v2(unsigned int *n) { *n = 1; return 0; }\n"
    "int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **d) { *d = (void *)1; return i ? 2 : 0; }\n"
    "const char *nvmlErrorString(int r) { return r ? \"fake error\" : \"ok\"; }\n"
    "int nvmlDeviceGetComputeRunningProcesses_v3(void *d, unsigned int *n, struct rec *out) {\n"
    "  const char *s = getenv(\"FAKE_NVML_PROCS\"); unsigned int k = 0;\n"
    "  while (s && *s) { char *e; unsigned long p = strtoul(s, &e, 10); if (*e != ':') break;\n"
    "    unsigned long long b = strtoull(e + 1, &e, 10);\n"
    "    if (k < *n) { out[k].pid = (unsigned int)p; out[k].used = b; out[k].gi = out[k].ci = 0; }\n"
    "    k++; s = *e == ',' ? e + 1 : e; }\n"
    "  if (k > *n) { *n = k; return 7; } *n = k; return 0; }\n";

static char *build_fake_nvml(const char *dir)
{
    char *src = xasprintf("%s/fake_nvml.c", dir), *lib = xasprintf("%s/libnvidia-ml.so.1", dir);
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(src, FAKE_NVML, strlen(FAKE_NVML), &err), 0, "%s", err.msg);
    char *cmd = xasprintf("cc -shared -fPIC -o '%s' '%s'", lib, src);
    cr_assert_eq(system(cmd), 0, "cannot build the stand-in NVML library");
    free(cmd);
    free(src);
    return lib;
}

Test(gpumem, nvml_stand_in)
{
    char dir[] = "/tmp/benchai-nvml-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *lib = build_fake_nvml(dir);
    setenv("BENCHAI_NVML_LIB", lib, 1);
    char procs[64];
    /* 200 processes on the GPU ask for more than the first buffer holds */
    struct buf b = {0};
    for (int i = 0; i < 200; i++)
        buf_printf(&b, "%d:%d,", 100000 + i, 1000);
    snprintf(procs, sizeof procs, "%ld:123456789", (long)getpid());
    buf_puts(&b, procs);
    setenv("FAKE_NVML_PROCS", b.data, 1);
    pid_t me = getpid(), other = 100003;
    struct gpumem g;
    gpumem_query(&me, 1, &g);
    cr_assert_eq(g.bytes, 123456789, "%lld: %s", (long long)g.bytes, g.note);
    cr_assert_str_eq(g.source, "nvml");
    pid_t both[] = { me, other };
    gpumem_query(both, 2, &g);
    cr_assert_eq(g.bytes, 123456789 + 1000);
    pid_t absent = 99;
    gpumem_query(&absent, 1, &g);
    cr_assert_eq(g.bytes, 0, "the driver answered: this process holds nothing");
    char d[256];
    cr_assert_str_eq(gpumem_describe(&g, d, sizeof d), "nvml");
    buf_free(&b);
    free(lib);
    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
}

Test(gpumem, nvidia_smi_stand_in)
{
    char dir[] = "/tmp/benchai-smi-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("BENCHAI_NVML_LIB", "/nonexistent/libnvidia-ml.so.1", 1);
    char *smi = xasprintf("%s/nvidia-smi", dir);
    char *script = xasprintf("#!/bin/sh\n"
                             "[ \"$1\" = --query-compute-apps=pid,used_memory ] || exit 9\n"
                             "[ \"$2\" = --format=csv,noheader,nounits ] || exit 9\n"
                             "echo '%ld, 2048'\necho '4242, 512'\necho '4243, [N/A]'\n", (long)getpid());
    struct bai_error err = {0};
    cr_assert_eq(fs_write_atomic(smi, script, strlen(script), &err), 0, "%s", err.msg);
    chmod(smi, 0755);
    char *path = xasprintf("%s:%s", dir, getenv("PATH") ? getenv("PATH") : "/usr/bin:/bin");
    setenv("PATH", path, 1);
    pid_t pids[] = { getpid(), 4242, 4243 };
    struct gpumem g;
    gpumem_query(pids, 3, &g);
    cr_assert_eq(g.bytes, (int64_t)(2048 + 512) * 1048576, "%lld: %s", (long long)g.bytes, g.note);
    cr_assert_str_eq(g.source, "nvidia-smi");
    free(smi);
    free(script);
    free(path);
    char *rm = xasprintf("rm -rf '%s'", dir);
    cr_assert_eq(system(rm), 0);
    free(rm);
}

Test(gpumem, unavailable_says_why)
{
    setenv("BENCHAI_NVML_LIB", "/nonexistent/libnvidia-ml.so.1", 1);
    setenv("PATH", "/nonexistent-bin", 1);
    pid_t me = getpid();
    struct gpumem g;
    gpumem_query(&me, 1, &g);
    cr_assert_eq(g.bytes, -1);
    cr_assert(strstr(g.note, "not loadable") && strstr(g.note, "nvidia-smi not on PATH"), "%s", g.note);
    char d[256];
    cr_assert(!strncmp(gpumem_describe(&g, d, sizeof d), "unavailable: ", 13), "%s", d);
}

Test(figures, median_and_speedup_intervals)
{
    double a[] = { 100, 110, 90, 105, 95 }, b[] = { 210, 190, 200, 205, 195 };
    struct report_median m;
    report_median_figures(a, 5, &m);
    cr_assert_float_eq(m.value, 100, 1e-9);
    cr_assert(m.lo <= 100 && m.hi >= 100 && m.lo >= 90 && m.hi <= 110, "[%g, %g]", m.lo, m.hi);
    report_speedup_figures(a, 5, b, 5, &m);
    cr_assert_float_eq(m.value, 2.0, 1e-9);
    cr_assert(m.lo > 1.5 && m.lo <= 2.0 && m.hi >= 2.0 && m.hi < 2.5, "[%g, %g]", m.lo, m.hi);
    /* one sample: a ratio without an interval */
    report_speedup_figures(a, 1, b, 5, &m);
    cr_assert_float_eq(m.value, 2.0, 1e-9);
    cr_assert(isnan(m.lo) && isnan(m.hi));
    report_median_figures(a, 0, &m);
    cr_assert(isnan(m.value));
}
