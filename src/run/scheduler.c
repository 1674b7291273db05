/* scheduler.c - sending one batch (see scheduler.h): the I/O loop on the
 * HTTP client (closed loop or Poisson arrivals at their intended times),
 * retries with back-off, a dead server restarted and its requests sent
 * again, the synchronous loop of command and replay, and the queue to the
 * consumer thread that scores and stores. */
#include "run/scheduler.h"
#include "backend/openai_proto.h"
#include "net/http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/defaults.h"
#include "util/mem.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* --- the hand-off queue between the I/O thread and the consumer --------- */
struct done_queue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct sched_job **items;
    size_t head, tail, cap;
    int closed;
};

static void queue_push(struct done_queue *q, struct sched_job *job)
{
    pthread_mutex_lock(&q->mu);
    if (q->tail == q->cap) {
        size_t live = q->tail - q->head;
        if (q->head > 0 && live < q->cap / 2) {
            memmove(q->items, q->items + q->head, live * sizeof *q->items);
        } else {
            q->cap = q->cap ? q->cap * 2 : 64;
            q->items = xrealloc(q->items, q->cap * sizeof *q->items);
            memmove(q->items, q->items + q->head, live * sizeof *q->items);
        }
        q->head = 0;
        q->tail = live;
    }
    q->items[q->tail++] = job;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
}

struct consumer {
    struct done_queue q;
    sched_done_fn done;
    void *ctx;
};

static void *consumer_main(void *arg)
{
    struct consumer *c = arg;
    for (;;) {
        pthread_mutex_lock(&c->q.mu);
        while (c->q.head == c->q.tail && !c->q.closed)
            pthread_cond_wait(&c->q.cv, &c->q.mu);
        if (c->q.head == c->q.tail && c->q.closed) {
            pthread_mutex_unlock(&c->q.mu);
            return NULL;
        }
        struct sched_job *job = c->q.items[c->q.head++];
        pthread_mutex_unlock(&c->q.mu);
        c->done(c->ctx, job);
    }
}

/* --- in-flight HTTP requests ---------------------------------------------- */
struct loop;

struct flight {
    struct loop *L;
    struct sched_job *job;
    struct http_call call;
    struct openai_reader reader;
    char *url;
    char *body;
    size_t slot;                  /* index in loop.flights */
    int curl_code;
};

struct loop {
    struct backend *b;
    const struct sched_options *opt;
    struct http_client *http;
    struct consumer *consumer;
    struct sched_stats *stats;
    /* jobs waiting to be (re)sent, as indexes into jobs */
    size_t *pending;
    size_t n_pending, cap_pending;
    int64_t *not_before_ns;       /* backoff per job index */
    struct sched_job *jobs;
    uint64_t rng;
    /* requests in flight, and those of them that finished since the last
     * look (so a wake-up costs the finished ones, not a scan of all) */
    struct flight **flights;
    size_t n_flights;
    struct flight **finished;
    size_t n_finished, cap_finished;
};

static double rand_unit(uint64_t *s)
{
    /* splitmix64: small, well-mixed, reproducible for a seed */
    uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    z ^= z >> 31;
    return (double)(z >> 11) / 9007199254740992.0;
}

static void on_call_done(void *ctx, int curl_code, long status, const char *error, int64_t t_ns)
{
    struct flight *f = ctx;
    /* the request left when libcurl wrote it, not when it was queued */
    if (f->call.t_sent_ns > 0)
        f->job->resp.t_send_ns = f->call.t_sent_ns;
    openai_reader_finish(&f->reader, curl_code, status, error, t_ns);
    f->curl_code = curl_code;
    struct loop *L = f->L;
    XGROW(L->finished, L->n_finished + 1, L->cap_finished);
    L->finished[L->n_finished++] = f;
}

static int wrap_on_data(void *ctx, const char *data, size_t len, int64_t t_ns)
{
    struct flight *f = ctx;
    return openai_reader_data(&f->reader, data, len, t_ns);
}

static struct flight *launch(struct loop *L, struct sched_job *job, int64_t intended_ns,
                             struct bai_error *err)
{
    struct backend *b = L->b;
    struct flight *f = xcalloc(1, sizeof *f);
    f->L = L;
    f->job = job;
    gen_response_free(&job->resp);
    gen_response_init(&job->resp);
    job->resp.t_intended_ns = intended_ns;
    job->attempts++;
    f->url = xasprintf("%s%s", b->base_url, openai_path(&job->req));
    f->body = openai_build_body(&job->req, backend_speaks_llama(b));
    openai_reader_init(&f->reader, &job->resp, job->req.stream);
    openai_reader_set_max_answer(&f->reader, b->cfg.max_answer_bytes);
    f->call.url = f->url;
    f->call.body = f->body;
    f->call.bearer_token = b->api_key;
    f->call.timeout_ms = b->cfg.timeout_ms > 0 ? b->cfg.timeout_ms : BAI_REQUEST_TIMEOUT_MS;
    if (job->req.time_limit_ms > 0 && job->req.time_limit_ms <= f->call.timeout_ms) {
        f->call.timeout_ms = job->req.time_limit_ms;   /* the item's limit ends it: not an error */
        f->reader.time_limit = 1;
    }
    f->call.on_data = wrap_on_data;
    f->call.on_done = on_call_done;
    f->call.ctx = f;
    if (http_submit(L->http, &f->call, err) != 0) {
        openai_reader_free(&f->reader);
        free(f->url);
        free(f->body);
        free(f);
        return NULL;
    }
    job->resp.t_send_ns = f->call.t_submit_ns;
    f->slot = L->n_flights;
    L->flights[L->n_flights++] = f;
    return f;
}

/* Takes f out of the in-flight set and frees it. */
static void flight_drop(struct loop *L, struct flight *f)
{
    struct flight *last = L->flights[--L->n_flights];
    L->flights[f->slot] = last;
    last->slot = f->slot;
    openai_reader_free(&f->reader);
    free(f->url);
    free(f->body);
    free(f);
}

static void push_pending(struct loop *L, size_t idx)
{
    XGROW(L->pending, L->n_pending + 1, L->cap_pending);
    L->pending[L->n_pending++] = idx;
}

/* Cancels every request in flight; with requeue, their jobs go back to the
 * pending stack (a crash is not the jobs' fault: attempts are given back). */
static void drop_all_flights(struct loop *L, int requeue)
{
    while (L->n_flights > 0) {
        struct flight *f = L->flights[L->n_flights - 1];
        if (requeue) {
            push_pending(L, (size_t)(f->job - L->jobs));
            f->job->attempts--;
        }
        http_cancel(L->http, &f->call);
        flight_drop(L, f);
    }
    L->n_finished = 0;
}

/* What happens to one finished request: handed to the consumer, retried
 * after a backoff, or (server down) re-queued; returns 1 when the server is
 * down. */
static int settle(struct loop *L, struct flight *f, int max_retries)
{
    const struct sched_options *opt = L->opt;
    struct sched_job *job = f->job;
    size_t idx = (size_t)(job - L->jobs);
    int transport_error = f->curl_code != 0;
    flight_drop(L, f);
    if (!job->resp.ok && transport_error && !backend_alive(L->b)) {
        push_pending(L, idx);      /* re-sent after the restart */
        job->attempts--;          /* a crash is not the job's fault */
        return 1;
    }
    if (!job->resp.ok && job->resp.retryable && job->attempts <= max_retries) {
        double backoff_ms = 250.0 * pow(2.0, job->attempts - 1);
        if (backoff_ms > 30000)
            backoff_ms = 30000;
        backoff_ms *= 0.5 + rand_unit(&L->rng);     /* jitter */
        L->not_before_ns[idx] = clock_mono_ns() + (int64_t)(backoff_ms * 1e6);
        L->stats->retried++;
        if (opt->on_incident) {
            char msg[512];
            snprintf(msg, sizeof msg, "retry %d for %s: %s", job->attempts, job->key,
                     job->resp.error ? job->resp.error : "?");
            opt->on_incident(L->consumer->ctx, "retry", msg);
        }
        push_pending(L, idx);
        return 0;
    }
    if (!job->resp.ok)
        L->stats->failed++;
    L->stats->done++;
    queue_push(&L->consumer->q, job);
    return 0;
}

/* Every request in flight died with the server: abort them all, restart
 * it and send them again. 0 when the server is back. */
static int recover_server(struct loop *L, int concurrency, int max_restarts, struct bai_error *err)
{
    const struct sched_options *opt = L->opt;
    drop_all_flights(L, 1);
    http_client_free(L->http);
    L->http = http_client_new(concurrency, err);
    if (!L->http)
        return -1;
    const char *death = L->b->server ? llama_server_death(L->b->server) : NULL;
    char msg[512];
    snprintf(msg, sizeof msg, "server died (%s); %zu samples to re-send", death ? death : "?", L->n_pending);
    log_warn("%s", msg);
    if (opt->on_incident)
        opt->on_incident(L->consumer->ctx, "server_died", msg);
    if ((int)L->stats->restarts >= max_restarts) {
        bai_error_set(err, BAI_EXIT_BACKEND, "server died %zu times; giving up", L->stats->restarts + 1);
        return -1;
    }
    if (backend_recover(L->b, err) != 0)
        return -1;
    L->stats->restarts++;
    if (opt->on_incident)
        opt->on_incident(L->consumer->ctx, "server_restarted", "server restarted after a crash");
    return 0;
}

/* The I/O loop: submit what may go now, wait for I/O or the next deadline
 * (an open-loop arrival or a retry's backoff, to the microsecond), settle
 * what finished. */
static int http_batch(struct loop *L, size_t n_jobs, struct bai_error *err)
{
    const struct sched_options *opt = L->opt;
    int concurrency = opt->concurrency > 0 ? opt->concurrency : 1;
    int max_retries = opt->max_retries < 0 ? 0 : opt->max_retries > 0 ? opt->max_retries : 3;
    int max_restarts = opt->max_restarts > 0 ? opt->max_restarts : 3;
    size_t cap_flights = (size_t)concurrency;
    if (opt->rate > 0)
        cap_flights = n_jobs ? n_jobs : 1;
    L->flights = xcalloc(cap_flights, sizeof *L->flights);
    int64_t next_arrival = clock_mono_ns();
    int rc = 0;

    for (size_t i = n_jobs; i-- > 0;)
        push_pending(L, i);      /* popped from the end: job order kept */

    while (L->n_pending > 0 || L->n_flights > 0) {
        if (opt->stop && *opt->stop) {
            L->stats->stopped = 1;
            break;
        }
        int64_t now = clock_mono_ns();
        int64_t deadline = 0;     /* the next time something may be sent */
        while (L->n_pending > 0 && L->n_flights < cap_flights) {
            size_t idx = L->pending[L->n_pending - 1];
            if (L->not_before_ns[idx] > now) {
                deadline = L->not_before_ns[idx];
                break;
            }
            int64_t intended = 0;
            if (opt->rate > 0) {
                if (next_arrival > now) {
                    deadline = next_arrival;
                    break;
                }
                intended = next_arrival;
                next_arrival += (int64_t)(-log(1.0 - rand_unit(&L->rng)) / opt->rate * 1e9);
            }
            if (!launch(L, &L->jobs[idx], intended, err)) {
                rc = -1;
                goto out;
            }
            L->n_pending--;
        }
        http_client_wait(L->http, deadline, 50);

        int server_down = 0;
        for (size_t i = 0; i < L->n_finished; i++)
            server_down |= settle(L, L->finished[i], max_retries);
        L->n_finished = 0;
        if (server_down || (L->n_flights == 0 && L->n_pending > 0 && !backend_alive(L->b))) {
            if (recover_server(L, concurrency, max_restarts, err) != 0) {
                rc = -1;
                goto out;
            }
        }
    }
out:
    /* Stopped or failed mid-flight: these jobs are not done, and nothing
     * of them reaches the store. */
    if (L->http)
        drop_all_flights(L, 0);
    free(L->flights);
    free(L->finished);
    return rc;
}

static int sync_batch(struct loop *L, size_t n_jobs, struct bai_error *err)
{
    (void)err;
    for (size_t i = 0; i < n_jobs; i++) {
        if (L->opt->stop && *L->opt->stop) {
            L->stats->stopped = 1;
            break;
        }
        struct sched_job *job = &L->jobs[i];
        gen_response_init(&job->resp);
        job->attempts = 1;
        backend_generate_sync(L->b, &job->req, job->key, &job->resp);
        if (!job->resp.ok)
            L->stats->failed++;
        L->stats->done++;
        queue_push(&L->consumer->q, job);
    }
    return 0;
}

int sched_run(struct backend *b, struct sched_job *jobs, size_t n_jobs,
              const struct sched_options *opt, sched_done_fn done, void *ctx,
              struct sched_stats *stats, struct bai_error *err)
{
    memset(stats, 0, sizeof *stats);
    struct consumer consumer = { .done = done, .ctx = ctx };
    pthread_mutex_init(&consumer.q.mu, NULL);
    pthread_cond_init(&consumer.q.cv, NULL);
    pthread_t thread;
    if (pthread_create(&thread, NULL, consumer_main, &consumer) != 0) {
        bai_error_set(err, BAI_EXIT_INTERNAL, "cannot start the consumer thread");
        return -1;
    }
    struct loop L = {
        .b = b, .opt = opt, .consumer = &consumer, .stats = stats, .jobs = jobs,
        .rng = opt->seed ? opt->seed : BAI_ARRIVAL_SEED,
    };
    L.not_before_ns = xcalloc(n_jobs ? n_jobs : 1, sizeof *L.not_before_ns);
    int64_t t_start = clock_mono_ns();
    int rc;
    if (backend_is_http(b)) {
        L.http = http_client_new(opt->concurrency > 0 ? opt->concurrency : 1, err);
        rc = L.http ? http_batch(&L, n_jobs, err) : -1;
        if (L.http)
            http_client_free(L.http);
    } else {
        rc = sync_batch(&L, n_jobs, err);
    }
    stats->wall_ns = clock_mono_ns() - t_start;
    pthread_mutex_lock(&consumer.q.mu);
    consumer.q.closed = 1;
    pthread_cond_signal(&consumer.q.cv);
    pthread_mutex_unlock(&consumer.q.mu);
    pthread_join(thread, NULL);
    pthread_mutex_destroy(&consumer.q.mu);
    pthread_cond_destroy(&consumer.q.cv);
    free(consumer.q.items);
    free(L.pending);
    free(L.not_before_ns);
    return rc;
}
