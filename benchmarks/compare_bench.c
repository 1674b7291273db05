/* compare_bench.c - time `compare` of two 100,000-sample runs (the issue's
 * target: under 1 s with 10,000 bootstrap resamples) and the bootstrap
 * kernels on their own. Synthesises its store in a temp directory.
 *
 *   build/bench/compare_bench [SAMPLES_PER_RUN]     (default 100000)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "report/compare.h"
#include "report/gate.h"
#include "stats/stats.h"
#include "store/store.h"
#include "bench_stub.h"

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* CPU seconds of this process: under a loaded machine wall time lies. */
static double cpu_s(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return (double)u.ru_utime.tv_sec + (double)u.ru_utime.tv_usec * 1e-6 +
           (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec * 1e-6;
}

static int fill_run(struct store *st, int variant, size_t n, char id[STORE_RUN_ID_MAX],
                    struct bai_error *err)
{
    if (store_run_create(st, NULL, id, err))
        return -1;
    struct store_config cfg = {0};
    cfg.label = "bench";
    int64_t c = store_config_add(st, id, &cfg, err);
    int64_t pf = store_suite_add(st, "passfail", 1, "aa", err);
    int64_t cont = store_suite_add(st, "partial", 1, "bb", err);
    if (c < 0 || pf < 0 || cont < 0)
        return -1;
    struct stats_rng r;
    stats_rng_seed(&r, 100 + (uint64_t)variant);
    if (store_begin(st, err))
        return -1;
    for (size_t i = 0; i < n; i++) {
        char item[32];
        snprintf(item, sizeof item, "it%07zu", i);
        int binary = i % 3 != 0;
        double u = stats_rng_uniform(&r);
        double value = binary ? (u < 0.6 - 0.01 * variant) : u;
        struct store_sample s = {0};
        s.run_id = id;
        s.config_id = c;
        s.suite_id = binary ? pf : cont;
        s.item_id = item;
        s.status = "ok";
        s.output = "x";
        s.ttft_ms = 100 + 20 * stats_rng_normal(&r);
        s.e2e_ms = s.tpot_ms = -1;
        s.prompt_tokens = s.completion_tokens = s.cached_tokens = -1;
        s.prompt_ms = s.prompt_tps = s.gen_ms = -1;
        s.gen_tps = (40 + 4 * stats_rng_normal(&r)) * (1 - 0.02 * variant);
        s.draft_n = 40;
        s.draft_accepted = (int64_t)(28 + stats_rng_below(&r, 10));
        struct store_score sc = {"exact", value, binary ? (int)value : -1, "scored", NULL, NULL};
        if (store_sample_put(st, &s, &sc, err) < 0)
            return -1;
    }
    return store_commit(st, err);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 100000;
    print_machine();
    char dir[] = "/tmp/bai-compare-bench-XXXXXX", path[128];
    if (!mkdtemp(dir))
        return 1;
    snprintf(path, sizeof path, "%s/b.db", dir);
    struct bai_error err = {0};
    struct store *st = store_open(path, &err);
    char a[STORE_RUN_ID_MAX], b[STORE_RUN_ID_MAX];
    double t = now_s();
    if (!st || fill_run(st, 0, n, a, &err) || fill_run(st, 1, n, b, &err)) {
        fprintf(stderr, "compare_bench: %s\n", err.msg);
        return 1;
    }
    printf("synthesised 2 runs x %zu samples in %.2f s\n", n, now_s() - t);
    store_close(st);

    st = store_open_readonly(path, &err);
    struct compare_opts o;
    compare_opts_init(&o);
    for (int pass = 0; pass < 3; pass++) {
        struct compare_result r;
        t = now_s();
        double c0 = cpu_s();
        if (compare_runs(st, a, b, &o, &r, &err)) {
            fprintf(stderr, "compare_bench: %s\n", err.msg);
            return 1;
        }
        double dt = now_s() - t, dc = cpu_s() - c0;
        struct gate_opts g = {2.0, 0.05, 0.05};
        struct gate_result gr;
        gate_evaluate(&r, &g, &gr);
        printf("compare (%d resamples, %zu paired items): %.3f s wall, %.3f s cpu%s; "
               "gate checks failed: %zu\n", o.resamples, r.n_common, dt, dc,
               pass ? "" : " (cold)", gr.failed);
        gate_result_free(&gr);
        compare_result_free(&r);
    }
    store_close(st);

    /* The kernels alone, n = SAMPLES_PER_RUN. */
    double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y), d, lo, hi;
    struct stats_rng r;
    stats_rng_seed(&r, 1);
    for (size_t i = 0; i < n; i++) {
        x[i] = stats_rng_uniform(&r) < 0.6;
        y[i] = stats_rng_uniform(&r) < 0.58;
    }
    t = now_s();
    stats_bootstrap_paired_delta(x, y, n, 10000, 1, 0.05, &d, &lo, &hi);
    printf("paired bootstrap, pass/fail, n=%zu, 10000 resamples: %.3f s\n", n, now_s() - t);
    for (size_t i = 0; i < n; i++) {
        x[i] = 40 + 4 * stats_rng_normal(&r);
        y[i] = 39 + 4 * stats_rng_normal(&r);
    }
    t = now_s();
    stats_bootstrap_ratio_ci(x, NULL, n, y, NULL, n, 95, 10000, 1, 0.05, &d, &lo, &hi);
    printf("ratio of p95, n=%zu each, 10000 resamples: %.3f s\n", n, now_s() - t);
    size_t m = n < 1999 ? n : 1999;   /* largest n that still draws indices */
    t = now_s();
    stats_bootstrap_ratio_ci(x, NULL, m, y, NULL, m, STATS_STAT_MEAN, 10000, 1, 0.05, &d, &lo,
                             &hi);
    printf("ratio of means by index resampling, n=%zu each, 10000 resamples: %.3f s\n", m,
           now_s() - t);
    free(x);
    free(y);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : 1;
}
