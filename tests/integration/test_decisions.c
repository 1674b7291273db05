/* Memory and load time of real llama-server starts (the tiny models, the
 * pinned build): load time to /health ready, resident set after load and at
 * the peak, the buffers and layers the server logged, the first request;
 * a restart is a second start; GPU memory through a stand-in NVML library
 * and a stub nvidia-smi (this machine has no NVIDIA driver: the real path
 * is unproven here); the partial-offload warning. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"

static long long q(const struct harness_env *e, const char *sql)
{
    return harness_env_int(e, sql);
}

static int run_smoke(struct harness_env *e, const char *extra, char **out, char **err)
{
    const char *args[] = { "run", "--suite", "suites/v1/smoke.yaml", "--limit", "2", "--store", e->db, "--logs",
                           e->logs, "--server-arg=--alias", e->alias_arg, "--threads", "1", "--ctx", "4096",
                           extra, extra ? "99" : NULL, NULL };
    return harness_run(args, out, err);
}

Test(decisions, memory_and_load_of_a_real_server, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    setenv("BENCHAI_NVML_LIB", "/nonexistent/libnvidia-ml.so.1", 1);
    char *out = NULL, *err = NULL;
    int code = run_smoke(&e, NULL, &out, &err);
    cr_assert_eq(code, 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE seq = 0 AND load_ms > 0 AND load_ms < 120000"), 1);
    /* tiny-dense is a 19 MB file: the server holds more than its weights */
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE rss_loaded_bytes > 20000000"
                       " AND rss_peak_bytes >= rss_loaded_bytes AND rss_peak_bytes < 2000000000"), 1);
    /* what the server logged at verbosity 4: its weights, a 4096-cell KV
     * cache (4 layers x 4096 x 2 x 128 x f16 = 8 MiB) and compute buffers */
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE model_bytes BETWEEN 15000000 AND 45000000"
                       " AND kv_bytes = 8388608 AND compute_bytes > 0"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE layers_offloaded IS NULL"), 1,
                 "a CPU build logs no offloaded layers");
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE gpu_peak_bytes IS NULL AND gpu_source LIKE"
                       " 'unavailable: %not loadable%'"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE first_gen_tps > 0 AND first_e2e_ms > 0"), 1,
                 "the warm-up is the first request");
    char *argv_stored = harness_sql_text(e.db, "SELECT server_argv FROM configs");
    cr_assert(strstr(argv_stored, "--log-verbosity 4"), "%s", argv_stored);
    free(argv_stored);
    const char *show[] = { "show", "latest", "--store", e.db, NULL };
    char *md = NULL;
    cr_assert_eq(harness_run(show, &md, NULL), 0);
    cr_assert(strstr(md, "## Memory and load"), "%s", md);
    cr_assert(strstr(md, "| - (no GPU backend) |"), "%s", md);
    cr_assert(strstr(md, "(warm-up)"), "%s", md);
    cr_assert(strstr(md, "GPU memory unavailable:"), "%s", md);
    cr_assert(strstr(md, "prompt tok/s p50 [95% CI]"), "%s", md);
    free(md);
    const char *table[] = { "table", "-o", "json", "--store", e.db, NULL };
    char *json = NULL;
    cr_assert_eq(harness_run(table, &json, NULL), 0);
    cr_assert(strstr(json, "\"resources\":") && strstr(json, "\"load_s\":") && strstr(json, "\"rss_peak_gb\":"),
              "%s", json);
    free(json);
    const char *pareto[] = { "pareto", "--x", "memory_gb", "--store", e.db, NULL };
    char *pa = NULL;
    cr_assert_eq(harness_run(pareto, &pa, NULL), 0);
    cr_assert(strstr(pa, "vs server memory, peak resident set (GB)") && strstr(pa, "| yes |"), "%s", pa);
    free(pa);
    free(out);
    free(err);
    harness_env_free(&e);
}

/* A server killed while it answers is started again: two starts, each with
 * its own load time and memory. */
Test(decisions, a_restart_is_a_second_start, .timeout = 600)
{
    struct harness_env e = harness_env_setup();
    const char *args[] = { "run", "--suite", "tests/data/integration/speed_long.yaml", "--store", e.db, "--logs",
                           e.logs, "--server-arg=--alias", e.alias_arg, "--threads", "1", NULL };
    pid_t pid = harness_spawn(args, e.dir);
    for (int i = 0; i < 2400; i++) {
        if (fs_exists(e.db) && q(&e, "SELECT count(*) FROM samples WHERE warmup = 0") >= 2)
            break;
        clock_sleep_ms(50);
    }
    pid_t server;
    cr_assert_eq(harness_child_servers(pid, &server, 1), 1, "no llama-server child of benchai");
    cr_assert_eq(kill(server, SIGKILL), 0);
    int code = harness_wait(pid);
    char *err = harness_read(e.dir, "stderr");
    cr_assert_eq(code, 0, "exit %d: %s", code, err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts"), 2, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE seq IN (0, 1) AND load_ms > 0"
                       " AND rss_loaded_bytes > 0 AND model_bytes > 0"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE first_gen_tps IS NOT NULL"), 1,
                 "only the first start had a warm-up");
    free(err);
    harness_env_free(&e);
}

/* A stand-in for libnvidia-ml.so.1: every process named llama-server holds
 * 321 MiB on one GPU. */
static const char FAKE_NVML[] =
    "#include <dirent.h>\n#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\n"
    "struct rec { unsigned int pid; unsigned long long used; unsigned int gi, ci; };\n"
    "int nvmlInit_v2(void) { return 0; }\n"
    "int nvmlDeviceGetCount_v2(unsigned int *n) { *n = 1; return 0; }\n"
    "int nvmlDeviceGetHandleByIndex_v2(unsigned int i, void **d) { *d = (void *)1; return 0; }\n"
    "int nvmlDeviceGetComputeRunningProcesses_v3(void *d, unsigned int *n, struct rec *out) {\n"
    "  DIR *p = opendir(\"/proc\"); struct dirent *e; unsigned int k = 0;\n"
    "  while (p && (e = readdir(p))) { char path[300], comm[64] = \"\"; FILE *f;\n"
    "    snprintf(path, sizeof path, \"/proc/%s/comm\", e->d_name);\n"
    "    if (!(f = fopen(path, \"r\"))) continue;\n"
    "    if (fgets(comm, sizeof comm, f) && !strcmp(comm, \"llama-server\\n\")) {\n"
    "      if (k < *n) { out[k].pid = (unsigned)atoi(e->d_name); out[k].used = 321ULL << 20; out[k].gi = out[k].ci = 0; }\n"
    "      k++; }\n"
    "    fclose(f); }\n"
    "  if (p) closedir(p);\n"
    "  if (k > *n) { *n = k; return 7; } *n = k; return 0; }\n";

Test(decisions, gpu_memory_through_a_stand_in_nvml, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *src = xasprintf("%s/fake_nvml.c", e.dir), *lib = xasprintf("%s/libnvidia-ml.so.1", e.dir);
    struct bai_error ferr = {0};
    cr_assert_eq(fs_write_atomic(src, FAKE_NVML, strlen(FAKE_NVML), &ferr), 0, "%s", ferr.msg);
    char *cc = xasprintf("cc -shared -fPIC -o '%s' '%s'", lib, src);
    cr_assert_eq(system(cc), 0);
    setenv("BENCHAI_NVML_LIB", lib, 1);
    char *out = NULL, *err = NULL;
    cr_assert_eq(run_smoke(&e, NULL, &out, &err), 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE gpu_source = 'nvml'"
                       " AND gpu_loaded_bytes = 336592896 AND gpu_peak_bytes = 336592896"), 1,
                 "321 MiB through NVML: %s", err);
    const char *table[] = { "table", "--store", e.db, NULL };
    char *md = NULL;
    cr_assert_eq(harness_run(table, &md, NULL), 0);
    cr_assert(strstr(md, "| gpu_gb |") && strstr(md, "| 0.337 |"), "%s", md);
    free(md);
    free(out);
    free(err);
    free(cc);
    free(src);
    free(lib);
    harness_env_free(&e);
}

Test(decisions, gpu_memory_through_a_stub_nvidia_smi, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    setenv("BENCHAI_NVML_LIB", "/nonexistent/libnvidia-ml.so.1", 1);
    char *bin = xasprintf("%s/bin", e.dir), *smi = xasprintf("%s/bin/nvidia-smi", e.dir);
    mkdir(bin, 0755);
    const char *script =
        "#!/bin/sh\n"
        "[ \"$1\" = --query-compute-apps=pid,used_memory ] || exit 9\n"
        "for d in /proc/[0-9]*; do\n"
        "  read -r comm < \"$d/comm\" 2>/dev/null || continue\n"
        "  [ \"$comm\" = llama-server ] && echo \"${d#/proc/}, 1500\"\n"
        "done\n"
        "exit 0\n";
    struct bai_error ferr = {0};
    cr_assert_eq(fs_write_atomic(smi, script, strlen(script), &ferr), 0, "%s", ferr.msg);
    chmod(smi, 0755);
    char *path = xasprintf("%s:%s", bin, getenv("PATH"));
    setenv("PATH", path, 1);
    char *out = NULL, *err = NULL;
    cr_assert_eq(run_smoke(&e, NULL, &out, &err), 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE gpu_source = 'nvidia-smi'"
                       " AND gpu_peak_bytes = 1572864000"), 1, "1500 MiB through nvidia-smi: %s", err);
    free(out);
    free(err);
    free(path);
    free(bin);
    free(smi);
    harness_env_free(&e);
}

/* -ngl 99 on a machine without a usable GPU: every layer stays on the CPU,
 * and benchai says so (the users' partial-offload trap). */
Test(decisions, fewer_layers_on_the_gpu_than_asked_is_a_warning, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    setenv("BENCHAI_NVML_LIB", "/nonexistent/libnvidia-ml.so.1", 1);
    char *out = NULL, *err = NULL;
    cr_assert_eq(run_smoke(&e, "--ngl", &out, &err), 0, "%s", err);
    cr_assert(strstr(err, "warning:") && strstr(err, "asked for 99 layers on the GPU (-ngl 99); llama-server found"
                                                    " no usable GPU"), "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'partial_offload'"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts WHERE layers_offloaded = 0 AND layers_total IS NULL"), 1);
    const char *show[] = { "show", "latest", "--store", e.db, NULL };
    char *md = NULL;
    cr_assert_eq(harness_run(show, &md, NULL), 0);
    cr_assert(strstr(md, "0 (no usable GPU)") && strstr(md, "warning: tiny-dense"), "%s", md);
    free(md);
    free(out);
    free(err);
    harness_env_free(&e);
}

/* A point served by the server the point before started (only a request
 * setting differs) makes no start of its own: the one start belongs to
 * the first point, and the second is not given the first's start again. */
Test(decisions, a_shared_server_is_one_start_of_the_point_that_made_it, .timeout = 300)
{
    struct harness_env e = harness_env_setup();
    char *err = NULL;
    const char *args[] = { "run", "--suite", "suites/v1/smoke.yaml", "--limit", "2", "--store", e.db, "--logs",
                           e.logs, "--server-arg=--alias", e.alias_arg, "--threads", "1", "--ctx", "4096",
                           "--sweep", "temperature=0,0.7", NULL };
    int code = harness_run(args, NULL, &err);
    cr_assert_eq(code, 0, "%s", err);
    cr_assert_eq(q(&e, "SELECT count(*) FROM configs"), 2);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts"), 1, "one server for two points");
    cr_assert_eq(q(&e, "SELECT count(*) FROM incidents WHERE kind = 'shared_server'"), 1);
    cr_assert_eq(q(&e, "SELECT count(*) FROM server_starts s JOIN incidents i ON i.config_id = s.config_id"
                       " WHERE i.kind = 'shared_server'"), 0, "the sharing point has no start of its own");
    free(err);
    harness_env_free(&e);
}
