/* health_watch.c - the probe thread of a supervised llama-server (see
 * health_watch.h): a raw GET /health on a loopback socket with every wait
 * on a poll that the stop pipe can wake, the hang verdict (with the last
 * line of the server's log) and the SIGKILL of the process group. */
#include "backend/health_watch.h"
#include "backend/llama_procs.h"
#include "util/clock.h"
#include "util/fs.h"
#include "util/mem.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct health_watch {
    struct health_watch_config cfg;
    char *log_path;
    int wake[2];                 /* stop writes a byte; every wait polls wake[0] */
    pthread_t thread;
    atomic_int fired;
    char *verdict;               /* written by the thread before fired is set */
};

static int clamp_ms(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Waits for events on fd (fd < 0: only sleeps) until timeout_ms, or until
 * a byte arrives on wake_fd (< 0: none). Returns 1 when fd is ready, 0 on
 * timeout, -1 when woken. */
static int wait_fd(int wake_fd, int fd, short events, int timeout_ms)
{
    struct pollfd p[2] = { { .fd = wake_fd, .events = POLLIN }, { .fd = fd, .events = events } };
    int64_t deadline = clock_mono_ns() + (int64_t)timeout_ms * 1000000LL;
    for (;;) {
        int64_t left = (deadline - clock_mono_ns()) / 1000000LL;
        if (left < 0)
            left = 0;
        int n = poll(p, 2, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return 0;
        if (p[0].revents)
            return -1;
        if (n > 0 && p[1].revents)
            return 1;
        if (left == 0 || n == 0)
            return 0;
    }
}

static enum health_probe probe_wake(int wake_fd, int port, int timeout_ms, int *status_out, char *why,
                                    size_t why_size)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        snprintf(why, why_size, "socket: %s", strerror(errno));
        return HEALTH_SILENT;
    }
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int64_t t0 = clock_mono_ns();
    enum health_probe rc = HEALTH_SILENT;
    int soerr = 0;
    socklen_t len = sizeof soerr;
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0 && errno != EINPROGRESS) {
        soerr = errno;
    } else {
        int ready = wait_fd(wake_fd, fd, POLLOUT, timeout_ms);
        if (ready <= 0) {
            rc = ready < 0 ? HEALTH_WOKEN : HEALTH_SILENT;
            snprintf(why, why_size, "connect: no answer within %d ms", timeout_ms);
            goto out;
        }
        if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) != 0)
            soerr = errno;
    }
    if (soerr) {
        rc = soerr == ECONNREFUSED ? HEALTH_REFUSED : HEALTH_SILENT;
        snprintf(why, why_size, "connect: %s", strerror(soerr));
        goto out;
    }
    static const char req[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    if (send(fd, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) {
        snprintf(why, why_size, "send: %s", strerror(errno));
        goto out;
    }
    int left_ms = timeout_ms - (int)((clock_mono_ns() - t0) / 1000000LL);
    int ready = wait_fd(wake_fd, fd, POLLIN, left_ms > 0 ? left_ms : 0);
    if (ready <= 0) {
        rc = ready < 0 ? HEALTH_WOKEN : HEALTH_SILENT;
        snprintf(why, why_size, "GET /health: no answer within %d ms", timeout_ms);
        goto out;
    }
    char head[16] = "";
    ssize_t n = recv(fd, head, sizeof head - 1, 0);
    int status = 0;
    if (n >= 12 && sscanf(head, "HTTP/1.%*d %d", &status) == 1) {
        rc = HEALTH_ANSWERED;
        if (status_out)
            *status_out = status;
    } else {
        snprintf(why, why_size, "GET /health: %s", n < 0 ? strerror(errno) : "connection closed without an answer");
    }
out:
    close(fd);
    return rc;
}

enum health_probe health_probe(int port, int timeout_ms, int *status_out, char *why, size_t why_size)
{
    return probe_wake(-1, port, timeout_ms, status_out, why, why_size);
}

static char *last_log_line(const char *path)
{
    if (!path)
        return NULL;
    char *tail = fs_tail_lines(path, 1, "(no log)");
    if (strlen(tail) > 200)
        strcpy(tail + 197, "...");
    return tail;
}

/* Probes every interval; when the last answer is older than hang_ms (and
 * at least two probes in a row failed), describes what it saw and kills. */
static void *watch_main(void *arg)
{
    struct health_watch *w = arg;
    int hang_ms = w->cfg.hang_ms;
    int timeout_ms = clamp_ms(hang_ms / 3, 100, 5000);
    int interval_ms = clamp_ms(hang_ms / 6, 100, 5000);
    int64_t last_ok = clock_mono_ns();
    int fails = 0;
    char why[160] = "";
    for (;;) {
        int64_t t0 = clock_mono_ns();
        enum health_probe r = probe_wake(w->wake[0], w->cfg.port, timeout_ms, NULL, why, sizeof why);
        if (r == HEALTH_WOKEN)
            return NULL;
        if (r == HEALTH_ANSWERED) {
            last_ok = clock_mono_ns();
            fails = 0;
        } else {
            fails++;
        }
        int64_t silent_ns = clock_mono_ns() - last_ok;
        if (fails >= 2 && silent_ns >= (int64_t)hang_ms * 1000000LL)
            break;
        int64_t next = t0 + (int64_t)interval_ms * 1000000LL;
        int wait_ms = (int)((next - clock_mono_ns()) / 1000000LL);
        if (wait_fd(w->wake[0], -1, 0, wait_ms > 0 ? wait_ms : 0) < 0)
            return NULL;
    }
    char state[64];
    llama_procs_state(w->cfg.pid, state, sizeof state);
    if (state[0] == 'Z' || state[0] == '?')
        return NULL;          /* it died: not a hang, llama_server_alive says how */
    double silent_s = (double)(clock_mono_ns() - last_ok) / 1e9;
    int killed = kill(-w->cfg.pid, SIGKILL) == 0;
    char *line = last_log_line(w->log_path);
    w->verdict = xasprintf("hung: /health gave no answer for %.1f s (%d probes in a row; last: %s); "
                           "process state %s; %s%s%s",
                           silent_s, fails, why, state,
                           killed ? "killed its process group with SIGKILL" : "SIGKILL failed",
                           line && *line ? "; last log line: " : "", line && *line ? line : "");
    free(line);
    atomic_store(&w->fired, 1);
    return NULL;
}

struct health_watch *health_watch_start(const struct health_watch_config *cfg)
{
    struct health_watch *w = xcalloc(1, sizeof *w);
    w->cfg = *cfg;
    w->log_path = xstrdup(cfg->log_path);
    w->cfg.log_path = w->log_path;
    if (pipe2(w->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        free(w->log_path);
        free(w);
        return NULL;
    }
    if (pthread_create(&w->thread, NULL, watch_main, w) != 0) {
        close(w->wake[0]);
        close(w->wake[1]);
        free(w->log_path);
        free(w);
        return NULL;
    }
    return w;
}

int health_watch_fired(const struct health_watch *w)
{
    return w && atomic_load(&((struct health_watch *)w)->fired);
}

char *health_watch_stop(struct health_watch *w)
{
    if (!w)
        return NULL;
    char one = 1;
    while (write(w->wake[1], &one, 1) < 0 && errno == EINTR)
        ;
    pthread_join(w->thread, NULL);
    close(w->wake[0]);
    close(w->wake[1]);
    char *verdict = w->verdict;
    free(w->log_path);
    free(w);
    return verdict;
}
