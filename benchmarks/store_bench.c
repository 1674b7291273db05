/* store_bench.c - the results store at scale: synthesises a store with
 * 200 runs and 1,000,000 samples (batched inserts through store_sample_put,
 * the runner's own write path), then times what the commands do on it:
 * listing runs (store_runs_list and the whole `benchai runs`), one run's
 * summary (store_run_groups and the whole `benchai show`), and reports
 * the file size. Prints the machine it ran on.
 *
 * usage: store_bench [--runs N] [--samples N] [--out PATH] [--keep]
 * Targets (issue 8): insert >= 50,000 samples/s, runs < 50 ms, show < 200 ms.
 */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cmd.h"
#include "store/store.h"
#include "util/clock.h"
#include "util/mem.h"
#include "bench_stub.h"

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double ms_since(int64_t t0)
{
    return (double)(clock_mono_ns() - t0) / 1e6;
}

/* xorshift: deterministic synthetic data */
static uint64_t rng = 88172645463325252ull;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
static double uniform(void)
{
    return (double)(next() >> 11) / 9007199254740992.0;
}

static void die(const struct bai_error *err)
{
    fprintf(stderr, "store_bench: %s\n", err->msg);
    exit(1);
}

/* Runs a command with stdout to /dev/null; returns wall ms. */
static double time_cmd(int (*fn)(int, char **), char **argv)
{
    fflush(stdout);
    int saved = dup(1), null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    close(null);
    int argc = 0;
    while (argv[argc])
        argc++;
    int64_t t0 = clock_mono_ns();
    int rc = fn(argc, argv);
    fflush(stdout);
    double ms = ms_since(t0);
    dup2(saved, 1);
    close(saved);
    if (rc != 0) {
        fprintf(stderr, "store_bench: %s exited %d\n", argv[0], rc);
        exit(1);
    }
    return ms;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median7(double t[7])
{
    qsort(t, 7, sizeof t[0], cmp_double);
    return t[3];
}

static double time_list(struct store *st)
{
    struct bai_error err = { 0 };
    struct store_run_info *v;
    size_t n;
    int64_t t0 = clock_mono_ns();
    if (store_runs_list(st, NULL, &v, &n, &err) < 0)
        die(&err);
    double ms = ms_since(t0);
    store_runs_free(v, n);
    return ms;
}

static double time_groups(struct store *st, const char *id)
{
    struct bai_error err = { 0 };
    struct store_group *g;
    size_t n;
    int64_t t0 = clock_mono_ns();
    if (store_run_groups(st, id, &g, &n, &err) < 0)
        die(&err);
    double ms = ms_since(t0);
    store_groups_free(g, n);
    return ms;
}

int main(int argc, char **argv)
{
    long n_runs = 200, n_samples = 1000000;
    const char *out = NULL;
    int keep = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            n_runs = atol(argv[++i]);
        else if (!strcmp(argv[i], "--samples") && i + 1 < argc)
            n_samples = atol(argv[++i]);
        else if (!strcmp(argv[i], "--out") && i + 1 < argc)
            out = argv[++i];
        else if (!strcmp(argv[i], "--keep"))
            keep = 1;
        else {
            fprintf(stderr, "usage: store_bench [--runs N] [--samples N] [--out PATH] [--keep]\n");
            return 2;
        }
    }
    char dir[] = "/tmp/benchai-store-bench-XXXXXX";
    char *path = out ? xstrdup(out) : NULL;
    if (!path) {
        if (!mkdtemp(dir)) {
            perror("mkdtemp");
            return 1;
        }
        path = xasprintf("%s/bench.db", dir);
    }
    print_machine();
    long per_run = n_samples / n_runs;
    printf("store: %s, %ld runs x %ld samples (2 configs x 2 suites per run)\n", path, n_runs,
           per_run);

    struct bai_error err = { 0 };
    struct store *st = store_open(path, &err);
    if (!st)
        die(&err);
    char *host = store_host_json();
    static const char *const words[] = { "the", "answer", "is", "Paris", "because", "of",
                                         "forty", "two", "so", "we", "get", "blue" };
    char (*ids)[STORE_RUN_ID_MAX] = xcalloc((size_t)n_runs, STORE_RUN_ID_MAX);
    int64_t t_insert = 0;
    double cpu_insert = 0;
    long inserted = 0;
    for (long r = 0; r < n_runs; r++) {
        const char *tags[1] = { r % 10 == 0 ? "nightly" : "dev" };
        struct store_run_meta meta = { .host_json = host, .note = "synthetic", .tags = tags,
                                       .n_tags = 1 };
        if (store_run_create(st, &meta, ids[r], &err) < 0)
            die(&err);
        /* run ids are per second + random: make them distinct and ordered */
        int64_t cfg[2], suite[2];
        for (int c = 0; c < 2; c++) {
            char label[32], model[64];
            snprintf(label, sizeof label, "model%ld k=%d", r % 7, 4 * c);
            snprintf(model, sizeof model, "/models/model%ld.gguf", r % 7);
            struct store_config sc = { .label = label, .backend = "llama-server", .model = model,
                                       .params_json = "{\"k\":4}" };
            if ((cfg[c] = store_config_add(st, ids[r], &sc, &err)) < 0)
                die(&err);
            static const char *const names[] = { "smoke", "reasoning", "coding", "ifeval" };
            if ((suite[c] = store_suite_add(st, names[(r + c) % 4], 1, names[(r + c) % 4], &err)) < 0)
                die(&err);
        }
        int64_t t0 = clock_mono_ns();
        double c0 = cpu_s();
        if (store_begin(st, &err) < 0)
            die(&err);
        for (long i = 0; i < per_run; i++) {
            char item[32], output[256];
            snprintf(item, sizeof item, "item%05ld", i / 4);
            size_t len = 0;
            for (int w = 0; w < 20; w++)
                len += (size_t)snprintf(output + len, sizeof output - len, "%s ",
                                        words[next() % 12]);
            double gen = 20 + 40 * uniform(), ttft = 50 + 200 * uniform();
            struct store_sample s = {
                .run_id = ids[r], .config_id = cfg[(i / 2) % 2], .suite_id = suite[i % 2],
                .item_id = item, .rep = 0, .status = "ok", .output = output,
                .finish_reason = "stop", .t_start_s = 1.79e9 + (double)i, .ttft_ms = ttft,
                .e2e_ms = ttft + 1000 * uniform(), .tpot_ms = 1000.0 / gen, .prompt_tokens = 120,
                .completion_tokens = 64, .cached_tokens = 0, .prompt_ms = 30, .prompt_tps = 4000,
                .gen_ms = 64000.0 / gen, .gen_tps = gen, .draft_n = -1, .draft_accepted = -1,
                .attempts = 1,
            };
            int pass = uniform() < 0.7;
            struct store_score score = { .scorer = "exact", .value = pass, .passed = pass,
                                         .status = "scored", .extracted = pass ? "Paris" : "Rome" };
            if (store_sample_put(st, &s, &score, &err) < 0)
                die(&err);
        }
        if (store_commit(st, &err) < 0)
            die(&err);
        t_insert += clock_mono_ns() - t0;
        cpu_insert += cpu_s() - c0;
        inserted += per_run;
        if (store_run_set_status(st, ids[r], "done", &err) < 0)
            die(&err);
    }
    free(host);
    double insert_s = (double)t_insert / 1e9;
    printf("insert: %ld samples (+ one score each) in %.2f s wall = %.0f samples/s; "
           "CPU time %.2f s = %.0f samples/s per core (batched, one transaction per run; "
           "target >= 50000)\n", inserted, insert_s, (double)inserted / insert_s, cpu_insert,
           (double)inserted / cpu_insert);

    /* one sample per transaction, as the runner writes: a smaller sample */
    {
        struct store_sample s = { .run_id = ids[0], .status = "ok", .output = "x",
                                  .ttft_ms = -1, .e2e_ms = -1, .tpot_ms = -1, .prompt_tokens = -1,
                                  .completion_tokens = -1, .cached_tokens = -1, .prompt_ms = -1,
                                  .prompt_tps = -1, .gen_ms = -1, .gen_tps = -1, .draft_n = -1,
                                  .draft_accepted = -1 };
        struct store_config sc = { .label = "single" };
        s.config_id = store_config_add(st, ids[0], &sc, &err);
        s.suite_id = store_suite_add(st, "single", 1, "single", &err);
        int64_t t0 = clock_mono_ns();
        for (int i = 0; i < 2000; i++) {
            char item[16];
            snprintf(item, sizeof item, "s%d", i);
            s.item_id = item;
            struct store_score score = { .scorer = "exact", .value = 1, .passed = 1 };
            if (store_sample_put(st, &s, &score, &err) < 0)
                die(&err);
        }
        double ms = ms_since(t0);
        printf("insert, one transaction per sample (the runner's path): %.0f samples/s\n",
               2000.0 / (ms / 1000.0));
    }
    if (sqlite3_exec(store_db(st), "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL) != SQLITE_OK)
        fprintf(stderr, "store_bench: checkpoint failed\n");
    store_close(st);

    st = store_open_readonly(path, &err);
    if (!st)
        die(&err);
    const char *mid = ids[n_runs / 2];
    /* median of 7; the first call also warms the page cache */
    double t[7];
    for (int k = 0; k < 7; k++)
        t[k] = time_list(st);
    double list_ms = median7(t);
    for (int k = 0; k < 7; k++)
        t[k] = time_groups(st, mid);
    double groups_ms = median7(t);
    store_close(st);
    char *runs_argv[] = { "runs", "--store", path, NULL };
    char *runs_suite_argv[] = { "runs", "--store", path, "--suite", "coding", "--tag", "nightly", NULL };
    char *show_argv[] = { "show", "--store", path, (char *)mid, NULL };
    for (int k = 0; k < 7; k++)
        t[k] = time_cmd(cmd_runs, runs_argv);
    double runs_ms = median7(t);
    for (int k = 0; k < 7; k++)
        t[k] = time_cmd(cmd_runs, runs_suite_argv);
    double runs_f_ms = median7(t);
    for (int k = 0; k < 7; k++)
        t[k] = time_cmd(cmd_show, show_argv);
    double show_ms = median7(t);
    printf("runs listing (%ld runs): store_runs_list %.2f ms; `benchai runs` %.2f ms; "
           "`benchai runs --suite coding --tag nightly` %.2f ms (target < 50)\n",
           n_runs, list_ms, runs_ms, runs_f_ms);
    printf("show one run (%ld samples): store_run_groups %.2f ms; `benchai show` incl. CIs "
           "%.2f ms (target < 200)\n", per_run, groups_ms, show_ms);
    struct stat sb;
    long long size = stat(path, &sb) == 0 ? (long long)sb.st_size : -1;
    char *wal = xasprintf("%s-wal", path);
    long long wal_size = stat(wal, &sb) == 0 ? (long long)sb.st_size : 0;
    free(wal);
    printf("size on disk: %.1f MB (+ WAL %.1f MB), %.0f bytes per sample\n", size / 1e6,
           wal_size / 1e6, (double)size / (double)(inserted + 2000));
    if (!keep && !out) {
        char *p2 = xasprintf("%s-wal", path), *p3 = xasprintf("%s-shm", path);
        unlink(path);
        unlink(p2);
        unlink(p3);
        rmdir(dir);
        free(p2);
        free(p3);
    } else {
        printf("kept %s\n", path);
    }
    free(ids);
    free(path);
    return 0;
}
