/* scale_bench.c - how far one benchai client scales against the loopback
 * stub (issue 13, "Scale on the stub").
 *
 * Drives build/bench/stub_server (forked and pinned like http_bench does,
 * or an already running one with --port) through the real path:
 * backend_start(BACKEND_OPENAI) + sched_run, the consumer freeing each
 * response. Two phases:
 *   cpu   closed loop at each --concurrency (default 1, 64, 1024), streamed
 *         (--events SSE content events per answer) and not: client CPU
 *         (getrusage of this process: I/O and consumer threads) per request
 *         and per SSE event, requests/s by wall clock;
 *   rate  open loop (Poisson arrivals, sched_options.rate), non-streamed:
 *         the schedule lag of each request, t_send_ns (libcurl is about to
 *         write it) minus t_intended_ns (its Poisson arrival), skipping the
 *         first --skip requests (connections opening). The rate doubles from
 *         --rate-start while the lag's p99 stays under --lag-us, then
 *         bisects (--bisect steps) between the last rate that held and the
 *         first that did not. Prints the highest rate that held.
 * Each measurement prints a human line and a "RESULT key=value ..." line
 * that benchmarks/peers/scale.sh reads to build its before/after table.
 * No figure is asserted; exit 1 when a request failed.
 *
 *   scale_bench [--stub PATH | --port N] [--phase cpu|rate|all]
 *               [--concurrency LIST] [--stream 0|1|both] [--requests N]
 *               [--events N] [--rate-start R] [--rate-max R] [--seconds S]
 *               [--lag-us US] [--skip N] [--bisect N]
 *               [--client-cpu N] [--stub-cpu N]
 * It only uses backend.h, scheduler.h and http_global_init, so the same source builds
 * against an older libbenchai.a (scale.sh's "before" driver).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "backend/backend.h"
#include "bench_stub.h"
#include "net/http.h"
#include "run/scheduler.h"
#include "stats/stats.h"
#include "util/clock.h"

struct config {
    const char *stub_path;
    int port;                     /* > 0: a stub already listening there */
    int phase_cpu, phase_rate;
    int concurrency[8];
    int n_concurrency;
    int stream_mask;              /* 1: non-streamed, 2: streamed */
    long requests;                /* 0: per concurrency default */
    int events;
    double rate_start, rate_max, seconds, lag_us;
    long skip;
    int bisect;
    int client_cpu, stub_cpu;
    int rt;                       /* rate phase under SCHED_FIFO */
};

/* What one batch measured; the consumer fills counts and lags. */
struct outcome {
    struct sched_job *jobs;
    size_t ok, failed, events;
    char first_error[200];
    double *lag_us;               /* per job index (rate phase) */
    double cpu_s, wall_s;
};

static void on_done(void *ctx, struct sched_job *job)
{
    struct outcome *o = ctx;
    struct gen_response *r = &job->resp;
    if (r->ok) {
        o->ok++;
        o->events += r->n_events;
    } else if (!o->failed++) {
        snprintf(o->first_error, sizeof o->first_error, "%s", r->error ? r->error : "?");
    }
    if (o->lag_us)
        o->lag_us[job - o->jobs] = (double)(r->t_send_ns - r->t_intended_ns) / 1e3;
    gen_response_free(r);
}

/* n requests through backend + sched_run; rate > 0 is open loop. */
static int run_batch(int port, int stream, int concurrency, double rate, size_t n, struct outcome *o)
{
    static const struct gen_message msg = { .role = "user", .content = "Say something." };
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    struct backend_config cfg = { .kind = BACKEND_OPENAI, .url = url, .model_name = "stub",
                                  .stream = stream, .timeout_ms = 60000 };
    struct backend be;
    struct bai_error err = {0};
    if (backend_start(&be, &cfg, &err) != 0) {
        fprintf(stderr, "scale_bench: backend_start: %s\n", err.msg);
        return -1;
    }
    struct sched_job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        struct gen_request *q = &jobs[i].req;
        q->chat = 1;
        q->messages = &msg;
        q->n_messages = 1;
        q->max_tokens = 16;
        q->stream = stream;
        q->seed = -1;
        q->model = "stub";
        jobs[i].key = "scale_bench";
        gen_response_init(&jobs[i].resp);
    }
    o->jobs = jobs;
    struct sched_options opt = { .concurrency = concurrency, .rate = rate, .seed = 1, .max_retries = 1 };
    struct sched_stats st;
    double cpu0 = rusage_s(RUSAGE_SELF);
    int rc = sched_run(&be, jobs, n, &opt, on_done, o, &st, &err);
    o->cpu_s = rusage_s(RUSAGE_SELF) - cpu0;
    o->wall_s = (double)st.wall_ns / 1e9;
    if (rc != 0)
        fprintf(stderr, "scale_bench: sched_run: %s\n", err.msg);
    for (size_t i = 0; i < n; i++)
        gen_response_free(&jobs[i].resp);
    free(jobs);
    o->jobs = NULL;
    backend_stop(&be);
    return rc != 0 || o->failed ? -1 : 0;
}

/* A stub for one measurement: the running one (--port) or a fresh child
 * (rt: under SCHED_FIFO). */
static int stub_up_rt(const struct config *cfg, struct stub *s, int rt)
{
    if (cfg->port > 0) {
        s->pid = 0;
        s->port = cfg->port;
        return 0;
    }
    if (stub_start(s, cfg->stub_path, cfg->stub_cpu, rt, cfg->events, 0, 0) != 0) {
        fprintf(stderr, "scale_bench: cannot start the stub %s (--stub PATH)\n", cfg->stub_path);
        return -1;
    }
    return 0;
}

static int stub_up(const struct config *cfg, struct stub *s)
{
    return stub_up_rt(cfg, s, 0);
}

static void stub_down(struct stub *s)
{
    if (s->pid > 0)
        stub_stop(s);
}

static long default_requests(int concurrency)
{
    return concurrency <= 1 ? 2000 : concurrency <= 64 ? 10000 : 20000;
}

static int cpu_phase(const struct config *cfg)
{
    int rc = 0;
    printf("closed loop: client CPU per request and per SSE event (%d content events per streamed answer)\n",
           cfg->events);
    for (int k = 0; k < cfg->n_concurrency && rc == 0; k++) {
        int conc = cfg->concurrency[k];
        for (int stream = 0; stream <= 1 && rc == 0; stream++) {
            if (!(cfg->stream_mask & (1 << stream)))
                continue;
            size_t n = (size_t)(cfg->requests > 0 ? cfg->requests : default_requests(conc));
            struct stub s;
            if (stub_up(cfg, &s) != 0)
                return -1;
            struct outcome o = {0};
            rc = run_batch(s.port, stream, conc, 0, n, &o);
            stub_down(&s);
            double per_req = o.ok ? o.cpu_s * 1e6 / (double)o.ok : 0;
            double per_event = o.events ? o.cpu_s * 1e6 / (double)o.events : 0;
            printf("  concurrency %4d, %-12s %6zu requests (%zu failed%s%s): %.2f s wall, %.0f requests/s, "
                   "client CPU %.2f s = %.1f us per request",
                   conc, stream ? "streamed," : "non-streamed,", n, o.failed, o.failed ? ": " : "",
                   o.first_error, o.wall_s, o.wall_s > 0 ? (double)o.ok / o.wall_s : 0, o.cpu_s, per_req);
            if (stream)
                printf(", %.2f us per SSE event (%.1f events per request incl. the final one)", per_event,
                       o.ok ? (double)o.events / (double)o.ok : 0);
            printf("\n");
            printf("RESULT phase=cpu concurrency=%d stream=%d requests=%zu failed=%zu events=%zu cpu_s=%.4f "
                   "wall_s=%.4f cpu_us_per_req=%.3f cpu_us_per_event=%.3f wall_rps=%.1f\n",
                   conc, stream, n, o.failed, o.events, o.cpu_s, o.wall_s, per_req, per_event,
                   o.wall_s > 0 ? (double)o.ok / o.wall_s : 0);
            fflush(stdout);
        }
    }
    return rc;
}

struct rate_result {
    double rate, achieved, p50_us, p99_us, max_us, cpu_us_per_req;
    int held, failed;
};

static struct rate_result rate_step(const struct config *cfg, int port, double rate)
{
    struct rate_result r = { .rate = rate };
    size_t n = (size_t)(rate * cfg->seconds);
    size_t skip = (size_t)cfg->skip;
    if (n < skip + 500)
        n = skip + 500;
    struct outcome o = { .lag_us = xcalloc(n, sizeof(double)) };
    /* Connections are capped far above what an instant stub keeps busy. */
    r.failed = run_batch(port, 0, 1024, rate, n, &o) != 0;
    stats_sort(o.lag_us + skip, n - skip);
    r.p50_us = stats_percentile(o.lag_us + skip, n - skip, 50);
    r.p99_us = stats_percentile(o.lag_us + skip, n - skip, 99);
    r.max_us = o.lag_us[n - 1];
    r.achieved = o.wall_s > 0 ? (double)o.ok / o.wall_s : 0;
    r.cpu_us_per_req = o.ok ? o.cpu_s * 1e6 / (double)o.ok : 0;
    r.held = !r.failed && r.p99_us < cfg->lag_us;
    printf("  %8.0f requests/s offered, %6zu requests: %8.0f/s sent, schedule lag p50 %7.1f us, p99 %8.1f us, "
           "max %9.1f us; client CPU %.1f us per request: %s\n",
           rate, n, r.achieved, r.p50_us, r.p99_us, r.max_us, r.cpu_us_per_req,
           r.failed ? "FAILED" : r.held ? "held" : "did not hold");
    printf("RESULT phase=rate rate=%.0f requests=%zu failed=%zu achieved_rps=%.1f lag_p50_us=%.2f "
           "lag_p99_us=%.2f lag_max_us=%.2f cpu_us_per_req=%.3f held=%d\n",
           rate, n, o.failed, r.achieved, r.p50_us, r.p99_us, r.max_us, r.cpu_us_per_req, r.held);
    fflush(stdout);
    free(o.lag_us);
    return r;
}

static int rate_phase(const struct config *cfg)
{
    printf("open loop (Poisson, non-streamed%s): highest rate with schedule lag p99 < %.0f us "
           "(lag = libcurl about to write - intended arrival; first %ld requests skipped)\n",
           cfg->rt ? "; client and stub SCHED_FIFO" : "", cfg->lag_us, cfg->skip);
    struct stub s;
    if (stub_up_rt(cfg, &s, cfg->rt) != 0)
        return -1;
    if (cfg->rt && set_rt(0, 1) != 0)
        fprintf(stderr, "scale_bench: --rt: sched_setscheduler: %s\n", strerror(errno));
    struct rate_result best = {0}, r, first = {0};
    double bad = 0;
    int failed = 0;
    for (double rate = cfg->rate_start; rate <= cfg->rate_max; rate *= 2) {
        r = rate_step(cfg, s.port, rate);
        if (first.rate == 0)
            first = r;
        failed |= r.failed;
        if (!r.held) {
            bad = rate;
            break;
        }
        best = r;
    }
    for (int i = 0; i < cfg->bisect && bad > 0 && best.rate > 0 && !failed; i++) {
        double mid = (best.rate + bad) / 2;
        r = rate_step(cfg, s.port, mid);
        failed |= r.failed;
        if (r.held)
            best = r;
        else
            bad = mid;
    }
    if (cfg->rt)
        set_rt(0, 0);
    stub_down(&s);
    if (best.rate > 0)
        printf("  highest rate that held: %.0f requests/s (p99 lag %.1f us, %.1f us client CPU per request)%s\n",
               best.rate, best.p99_us, best.cpu_us_per_req, bad > 0 ? "" : " (the search's ceiling: --rate-max)");
    else
        printf("  no rate held, not even --rate-start %.0f\n", cfg->rate_start);
    printf("RESULT phase=max_rate rate=%.0f lag_p99_us=%.2f cpu_us_per_req=%.3f ceiling=%d rate_start=%.0f "
           "start_lag_p99_us=%.2f\n",
           best.rate, best.p99_us, best.cpu_us_per_req, bad > 0 ? 0 : 1, cfg->rate_start, first.p99_us);
    return failed ? -1 : 0;
}

static int parse_list(const char *s, int *out, int max)
{
    int n = 0;
    char *end;
    while (*s && n < max) {
        long v = strtol(s, &end, 10);
        if (end == s || v < 1)
            return -1;
        out[n++] = (int)v;
        s = *end == ',' ? end + 1 : end;
        if (*end && *end != ',')
            return -1;
    }
    return n;
}

int main(int argc, char **argv)
{
    static char stub_path[PATH_MAX];
    struct config cfg = { .phase_cpu = 1, .phase_rate = 1, .concurrency = { 1, 64, 1024 }, .n_concurrency = 3,
                          .stream_mask = 3, .events = 16, .rate_start = 500, .rate_max = 256000,
                          .seconds = 1.0, .lag_us = 1000, .skip = 100, .bisect = 3, .client_cpu = 0,
                          .stub_cpu = 1 };
    static const struct option opts[] = {
        { "stub", required_argument, NULL, 's' },     { "port", required_argument, NULL, 'p' },
        { "phase", required_argument, NULL, 'P' },    { "concurrency", required_argument, NULL, 'c' },
        { "stream", required_argument, NULL, 'S' },   { "requests", required_argument, NULL, 'n' },
        { "events", required_argument, NULL, 'e' },   { "rate-start", required_argument, NULL, 'r' },
        { "rate-max", required_argument, NULL, 'R' }, { "seconds", required_argument, NULL, 't' },
        { "lag-us", required_argument, NULL, 'l' },   { "skip", required_argument, NULL, 'k' },
        { "bisect", required_argument, NULL, 'b' },   { "client-cpu", required_argument, NULL, 'C' },
        { "stub-cpu", required_argument, NULL, 'T' }, { "rt", no_argument, NULL, 'X' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    default_stub_path(stub_path, sizeof stub_path);
    int ch;
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's': snprintf(stub_path, sizeof stub_path, "%s", optarg); break;
        case 'p': cfg.port = atoi(optarg); break;
        case 'P':
            cfg.phase_cpu = !strcmp(optarg, "cpu") || !strcmp(optarg, "all");
            cfg.phase_rate = !strcmp(optarg, "rate") || !strcmp(optarg, "all");
            if (!cfg.phase_cpu && !cfg.phase_rate) {
                fprintf(stderr, "scale_bench: --phase cpu|rate|all\n");
                return 2;
            }
            break;
        case 'c':
            cfg.n_concurrency = parse_list(optarg, cfg.concurrency, 8);
            if (cfg.n_concurrency < 1) {
                fprintf(stderr, "scale_bench: --concurrency wants a list of positive integers\n");
                return 2;
            }
            break;
        case 'S':
            cfg.stream_mask = !strcmp(optarg, "0") ? 1 : !strcmp(optarg, "1") ? 2 : !strcmp(optarg, "both") ? 3 : 0;
            if (!cfg.stream_mask) {
                fprintf(stderr, "scale_bench: --stream 0|1|both\n");
                return 2;
            }
            break;
        case 'n': cfg.requests = atol(optarg); break;
        case 'e': cfg.events = atoi(optarg); break;
        case 'r': cfg.rate_start = atof(optarg); break;
        case 'R': cfg.rate_max = atof(optarg); break;
        case 't': cfg.seconds = atof(optarg); break;
        case 'l': cfg.lag_us = atof(optarg); break;
        case 'k': cfg.skip = atol(optarg); break;
        case 'b': cfg.bisect = atoi(optarg); break;
        case 'C': cfg.client_cpu = atoi(optarg); break;
        case 'T': cfg.stub_cpu = atoi(optarg); break;
        case 'X': cfg.rt = 1; break;
        case 'h':
            puts("usage: scale_bench [--stub PATH | --port N] [--phase cpu|rate|all] [--concurrency LIST]\n"
                 "                   [--stream 0|1|both] [--requests N] [--events N] [--rate-start R]\n"
                 "                   [--rate-max R] [--seconds S] [--lag-us US] [--skip N] [--bisect N]\n"
                 "                   [--client-cpu N] [--stub-cpu N] [--rt]\n"
                 "  --rt       the rate phase under SCHED_FIFO (client and stub), so other load on the\n"
                 "             machine cannot delay the timer's wake-ups (root or CAP_SYS_NICE)\n"
                 "  --port N   use a stub already listening on 127.0.0.1:N (started with --events N)\n"
                 "  defaults: --concurrency 1,64,1024 --events 16 --rate-start 500 --seconds 1\n"
                 "            --lag-us 1000 --skip 100 --bisect 3; client on CPU 0, stub on CPU 1");
            return 0;
        default: return 2;
        }
    }
    cfg.stub_path = stub_path;
    if (cfg.rate_start <= 0 || cfg.rate_max < cfg.rate_start || cfg.seconds <= 0 || cfg.events < 1 ||
        cfg.skip < 0 || cfg.lag_us <= 0) {
        fprintf(stderr, "scale_bench: bad --rate-start/--rate-max/--seconds/--events/--skip/--lag-us\n");
        return 2;
    }
    if (sysconf(_SC_NPROCESSORS_ONLN) < 2 && cfg.stub_cpu == 1)
        cfg.stub_cpu = 0;
    /* 1024 connections need more than the usual soft limit of descriptors. */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    print_machine();
    if (pin_to(0, cfg.client_cpu) != 0)
        fprintf(stderr, "scale_bench: cannot pin to CPU %d: %s\n", cfg.client_cpu, strerror(errno));
    if (cfg.port > 0)
        printf("client pinned to CPU %d; stub: 127.0.0.1:%d (already running)\n", cfg.client_cpu, cfg.port);
    else
        printf("client pinned to CPU %d, stub to CPU %d; stub: %s\n", cfg.client_cpu, cfg.stub_cpu, stub_path);
    http_global_init();
    int64_t t0 = clock_mono_ns();
    int rc = 0;
    if (cfg.phase_cpu)
        rc = cpu_phase(&cfg);
    if (cfg.phase_rate && rc == 0)
        rc = rate_phase(&cfg);
    printf("total %.1f s\n", (double)(clock_mono_ns() - t0) / 1e9);
    return rc == 0 ? 0 : 1;
}
