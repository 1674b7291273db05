/* test_scheduler.c - the I/O driver (net/http.c: libcurl's socket interface
 * on one epoll set and a timerfd) and the scheduler on top of it
 * (run/scheduler.c), against the fake OpenAI endpoint on loopback
 * (tests/helpers/fake_openai.c: one connection at a time, "Connection:
 * close", non-streamed answers). Expected values come from the fake's
 * configuration: its reply text, how many requests it fails. */
#include <criterion/criterion.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "backend/backend.h"
#include "fake_openai.h"
#include "net/http.h"
#include "run/scheduler.h"
#include "util/clock.h"
#include "util/mem.h"

static struct fake_openai *fake;

static void start_fake(void)
{
    fake = fake_openai_start();
    cr_assert_not_null(fake, "fake server did not start");
    fake_openai_set_reply(fake, "forty-two");
}

static void stop_fake(void)
{
    fake_openai_stop(fake);
    fake = NULL;
}

/* ---- the driver alone --------------------------------------------------- */

struct call_result {
    int done, curl_code;
    long status;
    size_t bytes;
};

static int count_bytes(void *ctx, const char *data, size_t len, int64_t t_ns)
{
    (void)data;
    (void)t_ns;
    ((struct call_result *)ctx)->bytes += len;
    return 0;
}

static void note_done(void *ctx, int curl_code, long status, const char *error, int64_t t_ns)
{
    (void)error;
    (void)t_ns;
    struct call_result *r = ctx;
    r->done++;
    r->curl_code = curl_code;
    r->status = status;
}

Test(http_driver, wait_returns_at_a_sub_50ms_deadline_with_nothing_in_flight)
{
    struct bai_error err = {0};
    struct http_client *c = http_client_new(4, &err);
    cr_assert_not_null(c, "%s", err.msg);
    /* The deadline (3 ms) is well inside max_wait (500 ms): returning near
     * 3 ms shows the timer, not epoll_wait's own timeout, woke it. */
    int64_t t0 = clock_mono_ns();
    cr_assert_eq(http_client_wait(c, t0 + 3000000, 500), 0);
    int64_t waited = clock_mono_ns() - t0;
    cr_assert_geq(waited, 3000000, "woke %lld ns early", (long long)(3000000 - waited));
    cr_assert_lt(waited, 250000000, "waited %lld ns for a 3 ms deadline", (long long)waited);
    /* A deadline in the past does not block at all (nor does max_wait 0). */
    t0 = clock_mono_ns();
    http_client_wait(c, t0 - 1, 500);
    http_client_wait(c, 0, 0);
    cr_assert_lt(clock_mono_ns() - t0, 250000000);
    http_client_free(c);
}

Test(http_driver, parallel_requests_all_complete_once, .init = start_fake, .fini = stop_fake)
{
    enum { N = 12 };
    struct bai_error err = {0};
    struct http_client *c = http_client_new(4, &err);
    cr_assert_not_null(c, "%s", err.msg);
    char *url = xasprintf("%s/v1/chat/completions", fake_openai_url(fake));
    const char *body = "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    struct http_call calls[N];
    struct call_result res[N];
    memset(calls, 0, sizeof calls);
    memset(res, 0, sizeof res);
    for (int i = 0; i < N; i++) {
        calls[i] = (struct http_call){ .url = url, .body = body, .timeout_ms = 20000,
                                       .on_data = count_bytes, .on_done = note_done, .ctx = &res[i] };
        cr_assert_eq(http_submit(c, &calls[i], &err), 0, "%s", err.msg);
    }
    cr_assert_eq(http_client_in_flight(c), N);
    int64_t give_up = clock_mono_ns() + 20000000000LL;
    while (http_client_in_flight(c) > 0 && clock_mono_ns() < give_up)
        http_client_wait(c, 0, 50);
    cr_assert_eq(http_client_in_flight(c), 0, "requests still in flight after 20 s");
    for (int i = 0; i < N; i++) {
        cr_assert_eq(res[i].done, 1, "call %d finished %d times", i, res[i].done);
        cr_assert_eq(res[i].curl_code, 0, "call %d: curl code %d", i, res[i].curl_code);
        cr_assert_eq(res[i].status, 200);
        cr_assert_gt(res[i].bytes, 0);
        cr_assert_gt(calls[i].t_sent_ns, 0, "the send time was never stamped");
        cr_assert_geq(calls[i].t_sent_ns, calls[i].t_submit_ns);
    }
    cr_assert_eq(fake_openai_chat_requests(fake), N);
    http_client_free(c);
    free(url);
}

Test(http_driver, refused_connection_is_reported_not_hung)
{
    struct bai_error err = {0};
    struct http_client *c = http_client_new(1, &err);
    cr_assert_not_null(c, "%s", err.msg);
    /* Port 1 on loopback: nothing listens there (not root-bound services). */
    struct call_result res = {0};
    struct http_call call = { .url = "http://127.0.0.1:1/v1/chat/completions", .body = "{}",
                              .timeout_ms = 5000, .on_done = note_done, .ctx = &res };
    cr_assert_eq(http_submit(c, &call, &err), 0, "%s", err.msg);
    int64_t give_up = clock_mono_ns() + 10000000000LL;
    while (http_client_in_flight(c) > 0 && clock_mono_ns() < give_up)
        http_client_wait(c, 0, 50);
    cr_assert_eq(res.done, 1);
    cr_assert_neq(res.curl_code, 0, "a refused connection must be a transport error");
    http_client_free(c);
}

/* ---- the scheduler ------------------------------------------------------- */

struct consumed {
    int *times;                   /* per job index */
    struct sched_job *jobs;
    int ok, failed;
    int bad_content;
    volatile sig_atomic_t *stop_after_first;
};

static void on_done(void *ctx, struct sched_job *job)
{
    struct consumed *c = ctx;
    c->times[job - c->jobs]++;
    if (job->resp.ok) {
        c->ok++;
        if (!job->resp.content || strcmp(job->resp.content, "forty-two"))
            c->bad_content++;
    } else {
        c->failed++;
    }
    if (c->stop_after_first)
        *c->stop_after_first = 1;
}

static const struct gen_message msg = { .role = "user", .content = "What is six times seven?" };

static struct sched_job *make_jobs(size_t n)
{
    struct sched_job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        struct gen_request *q = &jobs[i].req;
        q->chat = 1;
        q->messages = &msg;
        q->n_messages = 1;
        q->max_tokens = 8;
        q->seed = -1;
        q->model = "fake";
        jobs[i].key = "test";
        gen_response_init(&jobs[i].resp);
    }
    return jobs;
}

static void free_jobs(struct sched_job *jobs, size_t n)
{
    for (size_t i = 0; i < n; i++)
        gen_response_free(&jobs[i].resp);
    free(jobs);
}

static void start_backend(struct backend *be)
{
    struct backend_config cfg = { .kind = BACKEND_OPENAI, .url = fake_openai_url(fake), .model_name = "fake",
                                  .timeout_ms = 20000 };
    struct bai_error err = {0};
    cr_assert_eq(backend_start(be, &cfg, &err), 0, "%s", err.msg);
}

Test(scheduler, closed_loop_hands_every_job_to_the_consumer_once, .init = start_fake, .fini = stop_fake)
{
    enum { N = 24 };
    struct backend be;
    start_backend(&be);
    struct sched_job *jobs = make_jobs(N);
    int times[N] = {0};
    struct consumed c = { .times = times, .jobs = jobs };
    struct sched_options opt = { .concurrency = 4 };
    struct sched_stats st;
    struct bai_error err = {0};
    cr_assert_eq(sched_run(&be, jobs, N, &opt, on_done, &c, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.done, N);
    cr_assert_eq(st.failed, 0);
    cr_assert_eq(c.ok, N);
    cr_assert_eq(c.bad_content, 0);
    for (int i = 0; i < N; i++) {
        cr_assert_eq(times[i], 1, "job %d handed over %d times", i, times[i]);
        cr_assert_geq(jobs[i].resp.t_end_ns, jobs[i].resp.t_send_ns);
    }
    free_jobs(jobs, N);
    backend_stop(&be);
}

Test(scheduler, retryable_status_is_retried_then_answered, .init = start_fake, .fini = stop_fake)
{
    enum { N = 3 };
    fake_openai_fail_next(fake, 2, 503);
    struct backend be;
    start_backend(&be);
    struct sched_job *jobs = make_jobs(N);
    int times[N] = {0};
    struct consumed c = { .times = times, .jobs = jobs };
    struct sched_options opt = { .concurrency = 1, .max_retries = 3 };
    struct sched_stats st;
    struct bai_error err = {0};
    cr_assert_eq(sched_run(&be, jobs, N, &opt, on_done, &c, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.retried, 2);
    cr_assert_eq(st.failed, 0);
    cr_assert_eq(c.ok, N);
    cr_assert_eq(fake_openai_chat_requests(fake), N + 2);
    cr_assert_eq(jobs[0].attempts, 3, "the first job met both failures");
    free_jobs(jobs, N);
    backend_stop(&be);
}

/* An item's time limit ends its request: the answer is what arrived (here
 * nothing: the fake answers after 800 ms), handed over once as an answer
 * with finish_reason time_limit, never retried (issue 25: the users'
 * timeout-penalised vision scores). */
Test(scheduler, a_time_limit_ends_the_request_without_retry, .init = start_fake, .fini = stop_fake)
{
    enum { N = 1 };
    fake_openai_set_delay_ms(fake, 800);
    struct backend be;
    start_backend(&be);
    struct sched_job *jobs = make_jobs(N);
    jobs[0].req.time_limit_ms = 200;
    int times[N] = {0};
    struct consumed c = { .times = times, .jobs = jobs };
    struct sched_options opt = { .concurrency = 1, .max_retries = 3 };
    struct sched_stats st;
    struct bai_error err = {0};
    int64_t t0 = clock_mono_ns();
    cr_assert_eq(sched_run(&be, jobs, N, &opt, on_done, &c, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(times[0], 1);
    cr_assert_eq(jobs[0].resp.ok, 1, "%s", jobs[0].resp.error ? jobs[0].resp.error : "");
    cr_assert_str_eq(jobs[0].resp.finish_reason, "time_limit");
    cr_assert_str_eq(jobs[0].resp.content, "");
    cr_assert_eq(jobs[0].attempts, 1, "a time limit is not retried");
    cr_assert_eq(st.retried, 0);
    cr_assert_lt(jobs[0].resp.t_end_ns - jobs[0].resp.t_send_ns, 700000000LL, "ended at the limit, not the answer");
    cr_assert_lt(clock_mono_ns() - t0, 5000000000LL);
    free_jobs(jobs, N);
    backend_stop(&be);
}

Test(scheduler, open_loop_never_sends_before_the_intended_time, .init = start_fake, .fini = stop_fake)
{
    enum { N = 40 };
    const double rate = 200;
    struct backend be;
    start_backend(&be);
    struct sched_job *jobs = make_jobs(N);
    int times[N] = {0};
    struct consumed c = { .times = times, .jobs = jobs };
    struct sched_options opt = { .concurrency = 8, .rate = rate, .seed = 7 };
    struct sched_stats st;
    struct bai_error err = {0};
    cr_assert_eq(sched_run(&be, jobs, N, &opt, on_done, &c, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(c.ok, N);
    int64_t first = jobs[0].resp.t_intended_ns, last = first;
    for (int i = 0; i < N; i++) {
        const struct gen_response *r = &jobs[i].resp;
        cr_assert_gt(r->t_intended_ns, 0, "job %d has no intended send time", i);
        cr_assert_geq(r->t_send_ns, r->t_intended_ns, "job %d left %lld ns before its time", i,
                      (long long)(r->t_intended_ns - r->t_send_ns));
        if (i > 0)
            cr_assert_geq(r->t_intended_ns, jobs[i - 1].resp.t_intended_ns, "arrivals out of order");
        last = r->t_intended_ns;
    }
    /* N - 1 exponential gaps of mean 1/rate: their mean is within +-60% of
     * 5 ms with overwhelming probability (sd of the mean is 16%). */
    double mean_gap_s = (double)(last - first) / 1e9 / (N - 1);
    cr_assert(fabs(mean_gap_s * rate - 1) < 0.6, "mean gap %.4f s for %.0f requests/s", mean_gap_s, rate);
    cr_assert_geq(st.wall_ns, last - first);
    free_jobs(jobs, N);
    backend_stop(&be);
}

Test(scheduler, stop_flag_ends_the_batch_early, .init = start_fake, .fini = stop_fake)
{
    enum { N = 200 };
    struct backend be;
    start_backend(&be);
    struct sched_job *jobs = make_jobs(N);
    int times[N] = {0};
    static volatile sig_atomic_t stop;
    stop = 0;
    struct consumed c = { .times = times, .jobs = jobs, .stop_after_first = &stop };
    /* Open loop at 50/s: 200 jobs would take 4 s; the consumer raises the
     * flag after the first one. */
    struct sched_options opt = { .concurrency = 1, .rate = 50, .stop = &stop };
    struct sched_stats st;
    struct bai_error err = {0};
    cr_assert_eq(sched_run(&be, jobs, N, &opt, on_done, &c, &st, &err), 0, "%s", err.msg);
    cr_assert_eq(st.stopped, 1);
    cr_assert_lt(st.done, N / 2, "%zu of %d jobs done after the stop", st.done, N);
    cr_assert_geq(st.done, 1);
    free_jobs(jobs, N);
    backend_stop(&be);
}
