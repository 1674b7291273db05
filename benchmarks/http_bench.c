/* http_bench.c - the speed and the timestamp accuracy of benchai's measuring
 * path (issue 4, "Speed of the instrument").
 *
 * Forks and execs the loopback stub (build/bench/stub_server, next to this
 * binary, or --stub PATH) pinned to one CPU, pins itself (the scheduler's
 * I/O thread and its consumer thread) to another, and drives the stub
 * through the real path: backend_start(BACKEND_OPENAI) + sched_run with a
 * consumer callback, exactly as `benchai run` does. Reports:
 *   - requests/s at concurrency 64, non-streamed and streamed (16 events,
 *     no delay: each event its own send() on the stub side), by wall clock
 *     and by client CPU (requests per client CPU second = what one core
 *     sustains when nothing else runs on it);
 *   - client CPU microseconds per request and per SSE event (getrusage of
 *     this process, both threads; the stub is another process), and the
 *     same for a plain-socket client (the kernel's floor) as a ratio;
 *   - timestamp error against the stub's ground truth: the stub writes its
 *     CLOCK_MONOTONIC send time into each event (same clock, same machine)
 *     and into the content text ("R<recv_ns>T<send_ns>;"), so the content
 *     that benchai's reader keeps gives, event by event, the true send time
 *     to compare with the client's arrival stamp in resp.events[]. No hook
 *     into openai_proto is needed. Measured at concurrency 1 and 64 (lockstep
 *     and jittered) with paced events: TTFT error, per-event arrival error,
 *     ITL error, send-side delay; each against a plain-socket floor client
 *     reading the same stub, so what benchai adds is printed apart from
 *     what the kernel and the machine cost.
 * Bounded: about 15-25 s with the default --seconds 3. Exits 1 if any
 * request failed or any content stamp did not match its event.
 *
 *   http_bench [--stub PATH] [--seconds S] [--concurrency N]
 *              [--client-cpu N] [--stub-cpu N] [--rt]
 * --rt runs the three short accuracy phases under SCHED_FIFO (client and stub)
 * so that a machine loaded by other work cannot delay the wake-ups: the
 * figures are then the instrument's own error, not the scheduler's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "backend/backend.h"
#include "bench_stub.h"
#include "net/http.h"
#include "run/scheduler.h"
#include "stats/stats.h"
#include "util/clock.h"
#include "util/mem.h"

/* --- one batch through the real path -------------------------------------- */
struct batch {
    /* what */
    int port, stream, concurrency;
    size_t n_jobs;
    struct sched_job *jobs;       /* set by run_batch */
    /* results, filled by the consumer thread, read after sched_run */
    size_t ok, failed, events, content_events, mismatched;
    char first_error[256];
    struct dvec arrival_us;       /* every content event: client t - stub send t */
    struct dvec ttft_us;          /* first content event only */
    struct dvec itl_us;           /* |client gap - stub gap|, consecutive events */
    /* These two skip the first `concurrency` jobs, whose time includes
     * opening the connections: */
    struct dvec send_us;          /* stub recv - client t_send */
    struct dvec ttft_total_us;    /* client TTFT - stub TTFT (send side included) */
    double wall_s, cpu_s;
};

/* Reads the next "R<recv>T<send>;" from the content. */
static int next_stamp(const char **p, long long *recv_ns, long long *send_ns)
{
    char *end;
    if (**p != 'R')
        return -1;
    *recv_ns = strtoll(*p + 1, &end, 10);
    if (*end != 'T')
        return -1;
    *send_ns = strtoll(end + 1, &end, 10);
    if (*end != ';')
        return -1;
    *p = end + 1;
    return 0;
}

/* The consumer callback: compares the client's stamps with the stub's, then
 * frees the response so a long batch stays small. */
static void on_done(void *ctx, struct sched_job *job)
{
    struct batch *b = ctx;
    struct gen_response *r = &job->resp;
    if (!r->ok) {
        if (!b->failed++)
            snprintf(b->first_error, sizeof b->first_error, "%s", r->error ? r->error : "?");
        gen_response_free(r);
        return;
    }
    b->ok++;
    b->events += r->n_events;
    const char *p = r->content ? r->content : "";
    long long recv_ns, send_ns, prev_send = -1;
    int64_t prev_t = -1;
    int warm = b->jobs && job - b->jobs >= b->concurrency;
    if (!b->stream) {
        /* The whole body: its arrival against its send. */
        if (next_stamp(&p, &recv_ns, &send_ns) == 0) {
            dvec_push(&b->arrival_us, (double)(r->t_first_ns - send_ns) / 1e3);
            if (warm)
                dvec_push(&b->send_us, (double)(recv_ns - r->t_send_ns) / 1e3);
        } else {
            b->mismatched++;
        }
        gen_response_free(r);
        return;
    }
    for (size_t i = 0; i < r->n_events; i++) {
        if (r->events[i].tokens <= 0)
            continue;
        b->content_events++;
        if (next_stamp(&p, &recv_ns, &send_ns) != 0)
            break;                /* counted below: p is left unconsumed */
        int64_t t = r->events[i].t_ns;
        dvec_push(&b->arrival_us, (double)(t - send_ns) / 1e3);
        if (prev_t < 0) {
            dvec_push(&b->ttft_us, (double)(t - send_ns) / 1e3);
            if (warm) {
                dvec_push(&b->send_us, (double)(recv_ns - r->t_send_ns) / 1e3);
                dvec_push(&b->ttft_total_us, (double)((t - r->t_send_ns) - (send_ns - recv_ns)) / 1e3);
            }
        } else {
            double gap_err = (double)((t - prev_t) - (send_ns - prev_send)) / 1e3;
            dvec_push(&b->itl_us, gap_err < 0 ? -gap_err : gap_err);
        }
        prev_t = t;
        prev_send = send_ns;
    }
    if (*p)
        b->mismatched++;          /* stamps and content events did not pair up */
    gen_response_free(r);
}

static int run_batch(struct batch *b)
{
    static const struct gen_message msg = { .role = "user", .content = "Say something." };
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", b->port);
    struct backend_config cfg = { .kind = BACKEND_OPENAI, .url = url, .model_name = "stub",
                                  .stream = b->stream, .timeout_ms = 30000 };
    struct backend be;
    struct bai_error err = {0};
    if (backend_start(&be, &cfg, &err) != 0) {
        fprintf(stderr, "http_bench: backend_start: %s\n", err.msg);
        return -1;
    }
    struct sched_job *jobs = xcalloc(b->n_jobs, sizeof *jobs);
    b->jobs = jobs;
    for (size_t i = 0; i < b->n_jobs; i++) {
        struct gen_request *q = &jobs[i].req;
        q->chat = 1;
        q->messages = &msg;
        q->n_messages = 1;
        q->max_tokens = 16;
        q->temperature = 0;
        q->stream = b->stream;
        q->seed = -1;
        q->model = "stub";
        jobs[i].key = "http_bench";
        gen_response_init(&jobs[i].resp);
    }
    struct sched_options opt = { .concurrency = b->concurrency, .max_retries = 1 };
    struct sched_stats st;
    double cpu0 = rusage_s(RUSAGE_SELF);
    int rc = sched_run(&be, jobs, b->n_jobs, &opt, on_done, b, &st, &err);
    b->cpu_s = rusage_s(RUSAGE_SELF) - cpu0;
    b->wall_s = (double)st.wall_ns / 1e9;
    if (rc != 0)
        fprintf(stderr, "http_bench: sched_run: %s\n", err.msg);
    for (size_t i = 0; i < b->n_jobs; i++)
        gen_response_free(&jobs[i].resp);
    free(jobs);
    b->jobs = NULL;
    backend_stop(&be);
    return rc;
}

static void batch_free(struct batch *b)
{
    free(b->arrival_us.v);
    free(b->ttft_us.v);
    free(b->itl_us.v);
    free(b->send_us.v);
    free(b->ttft_total_us.v);
}

static void print_dist(const char *name, struct dvec *d)
{
    if (!d->n)
        return;
    stats_sort(d->v, d->n);
    printf("    %-34s p50 %8.1f us   p99 %8.1f us   max %9.1f us   (n=%zu)\n", name,
           stats_percentile(d->v, d->n, 50), stats_percentile(d->v, d->n, 99), d->v[d->n - 1], d->n);
}

/* --- the floor: a minimal client without libcurl or benchai --------------- */
/* Same stub, same CPU and scheduling, but plain sockets and epoll: each
 * read() is stamped when it returns and an event counts as arrived with the
 * read that brought its terminating blank line (the SSE rule benchai uses).
 * What benchai adds to the timestamp error is its figure minus this one. */
struct raw_conn {
    int fd;
    struct buf in;
    size_t *read_end;             /* offset after each read */
    int64_t *read_t;              /* and when it returned */
    size_t n_reads, cap_reads;
};

static void raw_send_request(struct raw_conn *c, int stream)
{
    char body[160], req[512];
    int bn = snprintf(body, sizeof body,
                      "{\"messages\":[{\"role\":\"user\",\"content\":\"Say something.\"}],"
                      "\"max_tokens\":16,\"stream\":%s}", stream ? "true" : "false");
    int n = snprintf(req, sizeof req,
                     "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
                     "application/json\r\nContent-Length: %d\r\n\r\n%s", bn, body);
    if (send(c->fd, req, (size_t)n, MSG_NOSIGNAL) != n)
        fprintf(stderr, "http_bench: raw client: short send\n");
    buf_reset(&c->in);
    c->n_reads = 0;
}

/* Whether c->in holds a whole response: chunked (streamed) ends with the
 * last chunk, otherwise Content-Length says. */
static int raw_complete(const struct raw_conn *c)
{
    const char *hdr_end = c->in.len ? memmem(c->in.data, c->in.len, "\r\n\r\n", 4) : NULL;
    if (!hdr_end)
        return 0;
    size_t hdr_len = (size_t)(hdr_end - c->in.data) + 4;
    const char *cl = memmem(c->in.data, hdr_len, "Content-Length: ", 16);
    if (cl)
        return c->in.len >= hdr_len + strtoul(cl + 16, NULL, 10);
    return c->in.len >= 5 && !memcmp(c->in.data + c->in.len - 5, "0\r\n\r\n", 5);
}

/* A complete response in c->in: one arrival error per content event
 * (events = 0: just count it). */
static void raw_take_response(struct raw_conn *c, int events, struct batch *b)
{
    const char *p = c->in.data, *end = c->in.data + c->in.len;
    int64_t prev_t = -1;
    long long prev_send = -1;
    b->ok++;
    for (int k = 0; k < events; k++) {
        const char *hit = memmem(p, (size_t)(end - p), "\"stub_t_ns\":", 12);
        const char *blank = hit ? memmem(hit, (size_t)(end - hit), "\n\n", 2) : NULL;
        if (!blank) {
            b->mismatched++;
            return;
        }
        long long send_ns = strtoll(hit + 12, NULL, 10);
        size_t off = (size_t)(blank - c->in.data) + 2;
        size_t r = 0;
        while (r < c->n_reads && c->read_end[r] < off)
            r++;
        int64_t t = c->read_t[r < c->n_reads ? r : c->n_reads - 1];
        b->content_events++;
        dvec_push(&b->arrival_us, (double)(t - send_ns) / 1e3);
        if (prev_t < 0) {
            dvec_push(&b->ttft_us, (double)(t - send_ns) / 1e3);
        } else {
            double e = (double)((t - prev_t) - (send_ns - prev_send)) / 1e3;
            dvec_push(&b->itl_us, e < 0 ? -e : e);
        }
        prev_t = t;
        prev_send = send_ns;
        p = blank + 2;
    }
}

static int raw_batch(struct batch *b, int events)
{
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct raw_conn *conns = xcalloc((size_t)b->concurrency, sizeof *conns);
    size_t sent = 0, done = 0;
    int64_t t0 = clock_mono_ns();
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)b->port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int rc = 0;
    for (int i = 0; i < b->concurrency && sent < b->n_jobs; i++) {
        struct raw_conn *c = &conns[i];
        c->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        if (connect(c->fd, (struct sockaddr *)&addr, sizeof addr) != 0) {
            perror("http_bench: raw client: connect");
            rc = -1;
            goto out;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev);
        raw_send_request(c, b->stream);
        sent++;
    }
    while (done < b->n_jobs) {
        struct epoll_event evs[64];
        int n = epoll_wait(ep, evs, 64, 10000);
        if (n <= 0) {
            fprintf(stderr, "http_bench: raw client: no answer from the stub\n");
            rc = -1;
            goto out;
        }
        for (int i = 0; i < n; i++) {
            struct raw_conn *c = evs[i].data.ptr;
            char tmp[65536];
            ssize_t got = recv(c->fd, tmp, sizeof tmp, MSG_DONTWAIT);
            int64_t t = clock_mono_ns();
            if (got <= 0) {
                if (got < 0 && errno == EAGAIN)
                    continue;
                fprintf(stderr, "http_bench: raw client: the stub closed the connection\n");
                rc = -1;
                goto out;
            }
            buf_append(&c->in, tmp, (size_t)got);
            XGROW(c->read_end, c->n_reads + 1, c->cap_reads);
            c->read_t = xrealloc(c->read_t, c->cap_reads * sizeof *c->read_t);
            c->read_end[c->n_reads] = c->in.len;
            c->read_t[c->n_reads++] = t;
            if (raw_complete(c)) {
                raw_take_response(c, events, b);
                done++;
                if (sent < b->n_jobs) {
                    raw_send_request(c, b->stream);
                    sent++;
                }
            }
        }
    }
out:
    b->wall_s = (double)(clock_mono_ns() - t0) / 1e9;
    for (int i = 0; i < b->concurrency; i++) {
        if (conns[i].fd > 0)
            close(conns[i].fd);
        buf_free(&conns[i].in);
        free(conns[i].read_end);
        free(conns[i].read_t);
    }
    free(conns);
    close(ep);
    return rc;
}

/* --- the phases --------------------------------------------------------------- */
struct config {
    const char *stub_path;
    double seconds;
    int concurrency, client_cpu, stub_cpu;
    int rt;                       /* accuracy phases under SCHED_FIFO */
};

struct throughput {
    double wall_rps, cpu_rps, cpu_us_per_req, cpu_us_per_event, stub_cpu_share;
    double events_per_req;
    double floor_cpu_us_per_req;  /* the plain-socket client, same requests */
};

/* A short calibration batch sizes the measured one to about cfg->seconds. */
static int throughput_phase(const struct config *cfg, int stream, struct throughput *out)
{
    struct stub s;
    if (stub_start(&s, cfg->stub_path, cfg->stub_cpu, 0, 16, 0, 0) != 0)
        return -1;
    struct batch cal = { .port = s.port, .stream = stream, .concurrency = cfg->concurrency,
                         .n_jobs = stream ? 1000 : 3000 };
    int rc = run_batch(&cal);
    size_t n = 0;
    if (rc == 0 && cal.wall_s > 0) {
        double est = (double)cal.n_jobs / cal.wall_s * cfg->seconds;
        n = est < 2000 ? 2000 : est > 200000 ? 200000 : (size_t)est;
    }
    batch_free(&cal);
    struct batch b = { .port = s.port, .stream = stream, .concurrency = cfg->concurrency, .n_jobs = n };
    double stub_cpu0 = 0;
    if (rc == 0) {
        /* The stub's CPU for the measured batch only: what it used during
         * calibration is read from /proc (clock ticks) and subtracted. */
        char path[64], line[512];
        snprintf(path, sizeof path, "/proc/%d/stat", (int)s.pid);
        FILE *f = fopen(path, "r");
        unsigned long ut = 0, stt = 0;
        if (f && fgets(line, sizeof line, f)) {
            char *rp = strrchr(line, ')');
            if (rp)
                sscanf(rp + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stt);
        }
        if (f)
            fclose(f);
        stub_cpu0 = (double)(ut + stt) / (double)sysconf(_SC_CLK_TCK);
        rc = run_batch(&b);
    }
    stub_stop(&s);
    if (rc != 0) {
        batch_free(&b);
        return -1;
    }
    double stub_cpu = s.cpu_s - stub_cpu0;
    printf("  %s, concurrency %d: %zu requests (%zu failed%s%s) in %.2f s wall, client CPU %.2f s, stub CPU %.2f s\n",
           stream ? "streamed (16 events each)" : "non-streamed", cfg->concurrency, b.n_jobs, b.failed,
           b.failed ? ": " : "", b.first_error, b.wall_s, b.cpu_s, stub_cpu);
    if (b.mismatched)
        printf("    WARNING: %zu responses whose content stamps did not match their events\n", b.mismatched);
    out->wall_rps = (double)b.ok / b.wall_s;
    out->cpu_rps = b.cpu_s > 0 ? (double)b.ok / b.cpu_s : 0;
    out->cpu_us_per_req = b.ok ? b.cpu_s * 1e6 / (double)b.ok : 0;
    out->events_per_req = b.ok ? (double)b.events / (double)b.ok : 0;
    out->cpu_us_per_event = b.events ? b.cpu_s * 1e6 / (double)b.events : 0;
    out->stub_cpu_share = stub_cpu / b.wall_s;
    printf("    requests/s: %.0f by wall clock, %.0f per client CPU second\n", out->wall_rps, out->cpu_rps);
    printf("    client CPU: %.1f us per request", out->cpu_us_per_req);
    if (stream)
        printf(", %.2f us per SSE event (%.1f events per request incl. the final one)",
               out->cpu_us_per_event, out->events_per_req);
    printf("\n    stub busy %.0f%% of its CPU (if near 100%%, the stub limits the wall-clock rate)\n",
           out->stub_cpu_share * 100);
    print_dist(stream ? "event arrival - stub send (loaded)" : "body arrival - stub send (loaded)", &b.arrival_us);
    rc = b.failed || b.mismatched ? -1 : 0;      /* a broken path must not look fast */
    if (rc == 0) {
        /* The floor: the same number of requests from plain sockets. */
        struct stub s2;
        struct batch raw = { .stream = stream, .concurrency = cfg->concurrency, .n_jobs = b.n_jobs };
        if (stub_start(&s2, cfg->stub_path, cfg->stub_cpu, 0, 16, 0, 0) == 0) {
            raw.port = s2.port;
            double cpu0 = rusage_s(RUSAGE_SELF);
            if (raw_batch(&raw, 0) == 0) {
                raw.cpu_s = rusage_s(RUSAGE_SELF) - cpu0;
                out->floor_cpu_us_per_req = raw.cpu_s * 1e6 / (double)raw.ok;
                printf("    floor (plain sockets + epoll, no parsing): %.1f us CPU per request, %.0f requests/s by "
                       "wall clock; benchai/floor CPU per request %.2fx\n",
                       out->floor_cpu_us_per_req, (double)raw.ok / raw.wall_s,
                       out->cpu_us_per_req / out->floor_cpu_us_per_req);
            }
            stub_stop(&s2);
        }
        batch_free(&raw);
    }
    batch_free(&b);
    return rc;
}

/* Steal time (ticks the hypervisor gave to someone else) from /proc/stat,
 * summed over CPUs: a loaded host shows up here, not in our load average. */
static unsigned long long steal_ticks(void)
{
    FILE *f = fopen("/proc/stat", "r");
    unsigned long long v[8] = {0};
    if (f) {
        if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4],
                   &v[5], &v[6], &v[7]) != 8)
            v[7] = 0;
        fclose(f);
    }
    return v[7];
}

static double p99_of(struct dvec *d)
{
    return d->n ? stats_percentile(d->v, d->n, 99) : 0;
}

static double p50_of(struct dvec *d)
{
    return d->n ? stats_percentile(d->v, d->n, 50) : 0;
}

static int accuracy_phase(const struct config *cfg, int concurrency, int events, int delay_us,
                          int jitter_us, size_t n_jobs)
{
    struct stub s;
    if (stub_start(&s, cfg->stub_path, cfg->stub_cpu, cfg->rt, events, delay_us, jitter_us) != 0)
        return -1;
    struct batch b = { .port = s.port, .stream = 1, .concurrency = concurrency, .n_jobs = n_jobs };
    struct batch raw = b;
    if (cfg->rt && set_rt(0, 1) != 0)
        fprintf(stderr, "http_bench: --rt: sched_setscheduler: %s\n", strerror(errno));
    unsigned long long steal0 = steal_ticks();
    int64_t t0 = clock_mono_ns();
    int rc = raw_batch(&raw, events);
    if (rc == 0)
        rc = run_batch(&b);
    double steal_share = (double)(steal_ticks() - steal0) / (double)sysconf(_SC_CLK_TCK) /
                         ((double)(clock_mono_ns() - t0) / 1e9);
    if (cfg->rt)
        set_rt(0, 0);
    stub_stop(&s);
    if (rc == 0) {
        printf("  concurrency %d, %d events %d +- %d us apart, %zu requests (%zu failed%s%s), %.0f events/s, "
               "steal %.0f%% of a CPU:\n",
               concurrency, events, delay_us, jitter_us, n_jobs, b.failed, b.failed ? ": " : "", b.first_error,
               (double)b.content_events / b.wall_s, steal_share * 100);
        if (b.mismatched || raw.mismatched)
            printf("    WARNING: %zu responses whose content stamps did not match their events\n",
                   b.mismatched + raw.mismatched);
        printf("   benchai (libcurl multi + SSE + JSON, I/O and consumer threads):\n");
        print_dist("TTFT stamp error (first event)", &b.ttft_us);
        print_dist("event arrival error (every event)", &b.arrival_us);
        print_dist("ITL error |client gap - stub gap|", &b.itl_us);
        print_dist("send: stub recv - t_send (warm)", &b.send_us);
        print_dist("TTFT error incl. send side (warm)", &b.ttft_total_us);
        printf("   floor (plain sockets + epoll, same stub, same CPU):\n");
        print_dist("TTFT stamp error (first event)", &raw.ttft_us);
        print_dist("event arrival error (every event)", &raw.arrival_us);
        print_dist("ITL error |client gap - stub gap|", &raw.itl_us);
        printf("   benchai - floor: arrival p50 %+.1f us, p99 %+.1f us; ITL p50 %+.1f us, p99 %+.1f us "
               "(arrival p50 ratio %.2fx)\n",
               p50_of(&b.arrival_us) - p50_of(&raw.arrival_us), p99_of(&b.arrival_us) - p99_of(&raw.arrival_us),
               p50_of(&b.itl_us) - p50_of(&raw.itl_us), p99_of(&b.itl_us) - p99_of(&raw.itl_us),
               p50_of(&raw.arrival_us) > 0 ? p50_of(&b.arrival_us) / p50_of(&raw.arrival_us) : 0);
        double worst = p99_of(&b.arrival_us) > p99_of(&b.itl_us) ? p99_of(&b.arrival_us) : p99_of(&b.itl_us);
        printf("    target p99 < 100 us: %s (worst benchai p99 %.1f us)\n", worst < 100 ? "met" : "NOT met", worst);
        if (b.failed || b.mismatched || raw.mismatched)
            rc = -1;
    }
    batch_free(&b);
    batch_free(&raw);
    return rc;
}

int main(int argc, char **argv)
{
    static char stub_path[PATH_MAX];
    struct config cfg = { .seconds = 3, .concurrency = 64, .client_cpu = 0, .stub_cpu = 1 };
    static const struct option opts[] = {
        { "stub", required_argument, NULL, 's' },
        { "seconds", required_argument, NULL, 'S' },
        { "concurrency", required_argument, NULL, 'c' },
        { "client-cpu", required_argument, NULL, 'C' },
        { "stub-cpu", required_argument, NULL, 'T' },
        { "rt", no_argument, NULL, 'R' },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    int ch;
    default_stub_path(stub_path, sizeof stub_path);
    while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (ch) {
        case 's': snprintf(stub_path, sizeof stub_path, "%s", optarg); break;
        case 'S': cfg.seconds = atof(optarg); break;
        case 'c': cfg.concurrency = atoi(optarg); break;
        case 'C': cfg.client_cpu = atoi(optarg); break;
        case 'T': cfg.stub_cpu = atoi(optarg); break;
        case 'R': cfg.rt = 1; break;
        case 'h':
            puts("usage: http_bench [--stub PATH] [--seconds S] [--concurrency N] [--client-cpu N] [--stub-cpu N] [--rt]\n"
                 "  --rt  run the timestamp-accuracy phases (about 1.5 s) under SCHED_FIFO, client\n"
                 "        and stub, so other load on the machine cannot delay them (needs root or\n"
                 "        CAP_SYS_NICE); the throughput phases always run as normal processes.");
            return 0;
        default: return 2;
        }
    }
    cfg.stub_path = stub_path;
    if (cfg.seconds <= 0 || cfg.seconds > 20 || cfg.concurrency < 1) {
        fprintf(stderr, "http_bench: --seconds in (0, 20], --concurrency >= 1\n");
        return 2;
    }
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    if (ncpu < 2 && cfg.stub_cpu == 1)
        cfg.stub_cpu = 0;           /* one CPU: both share it (figures are then a lower bound) */
    print_machine();
    if (pin_to(0, cfg.client_cpu) != 0)
        fprintf(stderr, "http_bench: cannot pin to CPU %d: %s\n", cfg.client_cpu, strerror(errno));
    printf("client (I/O + consumer threads) pinned to CPU %d, stub to CPU %d; stub: %s\n",
           cfg.client_cpu, cfg.stub_cpu, stub_path);
    http_global_init();
    int64_t t0 = clock_mono_ns();

    printf("\nthroughput (benchai path: backend openai + sched_run, consumer frees each response)\n");
    struct throughput ns = {0}, st = {0};
    int rc = throughput_phase(&cfg, 0, &ns);
    if (rc == 0)
        rc = throughput_phase(&cfg, 1, &st);
    if (rc == 0) {
        double marginal = st.events_per_req > 0 ? (st.cpu_us_per_req - ns.cpu_us_per_req) / st.events_per_req : 0;
        printf("  streamed/non-streamed client CPU per request: %.2fx; marginal CPU per SSE event "
               "(streamed - non-streamed, per event): %.2f us\n",
               ns.cpu_us_per_req > 0 ? st.cpu_us_per_req / ns.cpu_us_per_req : 0, marginal);
        printf("  target >= 20000 non-streamed requests/s: %s by wall clock (%.0f, %.2fx), %s per client CPU second (%.0f, %.2fx)\n",
               ns.wall_rps >= 20000 ? "met" : "NOT met", ns.wall_rps, ns.wall_rps / 20000,
               ns.cpu_rps >= 20000 ? "met" : "NOT met", ns.cpu_rps, ns.cpu_rps / 20000);
    }

    printf("\ntimestamp error against the stub's send time (streamed, paced events%s)\n",
           cfg.rt ? "; client and stub SCHED_FIFO" : "; normal scheduling, so other load on the machine shows up here");
    if (rc == 0)
        rc = accuracy_phase(&cfg, 1, 50, 1000, 0, 20);
    /* Lockstep: every stream emits at the same instants, as a batched
     * server (llama-server -np N) does; the client must take up to N events
     * in one wake-up, so the last one is stamped late by N x its cost. */
    if (rc == 0)
        rc = accuracy_phase(&cfg, cfg.concurrency, 20, 5000, 0, (size_t)cfg.concurrency * 5);
    /* Jittered: streams drift apart, events rarely coincide. */
    if (rc == 0)
        rc = accuracy_phase(&cfg, cfg.concurrency, 20, 5000, 2500, (size_t)cfg.concurrency * 5);
    printf("\ntotal %.1f s\n", (double)(clock_mono_ns() - t0) / 1e9);
    return rc == 0 ? 0 : 1;
}
