/* test_health_watch.c - the probes that find a hung server, and the census
 * of llama-server processes, against real processes made here: a forked
 * child that answers HTTP and is then SIGSTOPped, a socket that accepts
 * but never answers, a port nobody listens on, and programs named
 * llama-server (a symlink to sleep) as child and as orphan. */
#include <criterion/criterion.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "backend/health_watch.h"
#include "backend/llama_procs.h"
#include "util/clock.h"
#include "util/mem.h"

/* A listening loopback socket on a free port. */
static int listen_any(int *port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    cr_assert_geq(fd, 0);
    struct sockaddr_in a = { .sin_family = AF_INET };
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    cr_assert_eq(listen(fd, 16), 0);
    cr_assert_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* A child in its own process group that answers every connection with
 * "HTTP/1.1 200 OK", as llama-server's /health does. */
static pid_t start_answering_child(int *port)
{
    int fd = listen_any(port);
    pid_t pid = fork();
    cr_assert_geq(pid, 0);
    if (pid == 0) {
        setpgid(0, 0);
        for (;;) {
            int c = accept(fd, NULL, NULL);
            if (c < 0)
                continue;
            char req[512];
            ssize_t n = read(c, req, sizeof req);
            (void)n;
            static const char ok[] = "HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"ok\"}";
            n = write(c, ok, sizeof ok - 1);
            close(c);
        }
    }
    setpgid(pid, pid);
    close(fd);
    return pid;
}

Test(health_probe, answered_refused_and_silent)
{
    int port;
    pid_t child = start_answering_child(&port);
    int status = 0;
    char why[160] = "";
    cr_assert_eq(health_probe(port, 2000, &status, why, sizeof why), HEALTH_ANSWERED, "%s", why);
    cr_assert_eq(status, 200);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    /* the port is free now: nothing listens */
    cr_assert_eq(health_probe(port, 500, NULL, why, sizeof why), HEALTH_REFUSED, "%s", why);
    cr_assert(strstr(why, "refused"), "%s", why);

    /* listening (the kernel completes the handshake) but never answering */
    int fd = listen_any(&port);
    int64_t t0 = clock_mono_ns();
    cr_assert_eq(health_probe(port, 300, NULL, why, sizeof why), HEALTH_SILENT, "%s", why);
    double took_ms = (double)(clock_mono_ns() - t0) / 1e6;
    cr_assert(took_ms >= 250 && took_ms < 3000, "the probe waited %.0f ms for a 300 ms timeout", took_ms);
    cr_assert(strstr(why, "no answer within 300 ms"), "%s", why);
    close(fd);
}

Test(health_watch, answering_server_is_left_alone_stopped_one_is_killed, .timeout = 30)
{
    int port;
    pid_t child = start_answering_child(&port);
    struct health_watch_config cfg = { .port = port, .pid = child, .hang_ms = 600 };
    struct health_watch *w = health_watch_start(&cfg);
    cr_assert_not_null(w);
    /* three hang timeouts of answers: never fires */
    clock_sleep_ms(1800);
    cr_assert_eq(health_watch_fired(w), 0);
    cr_assert_eq(waitpid(child, NULL, WNOHANG), 0, "the answering child was killed");

    kill(child, SIGSTOP);
    int64_t t0 = clock_mono_ns();
    while (!health_watch_fired(w) && clock_mono_ns() - t0 < 10 * 1000000000LL)
        clock_sleep_ms(20);
    double took_s = (double)(clock_mono_ns() - t0) / 1e9;
    cr_assert(health_watch_fired(w), "a stopped server was not found hung in 10 s");
    /* not before hang_ms; after it, about one probe timeout and interval
     * (200 + 100 ms), with room for a loaded machine */
    cr_assert(took_s >= 0.5 && took_s < 8.0, "found hung after %.2f s with hang_ms 600", took_s);
    char *verdict = health_watch_stop(w);
    cr_assert_not_null(verdict);
    cr_assert(strstr(verdict, "hung: /health gave no answer") && strstr(verdict, "T (stopped)") &&
                  strstr(verdict, "SIGKILL"), "%s", verdict);
    int status;
    cr_assert_eq(waitpid(child, &status, 0), child);
    cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %d", status);
    free(verdict);
}

Test(health_watch, stop_returns_at_once_and_kills_nothing)
{
    int port;
    pid_t child = start_answering_child(&port);
    struct health_watch_config cfg = { .port = port, .pid = child, .hang_ms = 30000 };
    struct health_watch *w = health_watch_start(&cfg);
    cr_assert_not_null(w);
    clock_sleep_ms(50);
    int64_t t0 = clock_mono_ns();
    cr_assert_null(health_watch_stop(w));
    /* the interval is 5 s here: stop must not wait for it */
    cr_assert_lt(clock_mono_ns() - t0, 2500000000LL, "stop waited for the probe interval");
    cr_assert_eq(waitpid(child, NULL, WNOHANG), 0);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    cr_assert_null(health_watch_stop(NULL));
}

Test(llama_procs, free_threads_split_the_cores_with_registered_servers)
{
    int cores = llama_procs_cores();
    cr_assert_geq(cores, 1);
    int a, b;
    cJSON *others = NULL;
    cr_assert_eq(llama_procs_free_threads(&a, &others), 0, "alone: the server's default");
    cr_assert_null(others);
    llama_procs_add(&b, "judge", 1);
    cr_assert_eq(llama_procs_free_threads(&a, &others), cores > 2 ? cores - 1 : 1);
    cr_assert_eq(cJSON_GetArraySize(others), 1);
    const cJSON *o = cJSON_GetArrayItem(others, 0);
    cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(o, "role")), "judge");
    cr_assert_eq(cJSON_GetNumberValue(cJSON_GetObjectItem(o, "threads")), 1);
    cJSON_Delete(others);
    /* its own entry does not count */
    cr_assert_eq(llama_procs_free_threads(&b, NULL), 0);
    /* another that takes every core: no split possible, the default stays */
    llama_procs_add(&a, "server", 0);
    int c;
    cr_assert_eq(llama_procs_free_threads(&c, NULL), 0);
    llama_procs_add(&a, "server", cores + 5);     /* updated, not added twice */
    cr_assert_eq(llama_procs_free_threads(&c, &others), 1, "never fewer than one thread");
    cr_assert_eq(cJSON_GetArraySize(others), 2);
    cJSON_Delete(others);
    llama_procs_remove(&a);
    llama_procs_remove(&b);
    cr_assert_eq(llama_procs_free_threads(&c, NULL), 0);
}

/* 1 when the census lists pid. */
static int listed(pid_t pid)
{
    cJSON *found = llama_procs_competing();
    int hit = 0;
    const cJSON *o;
    cJSON_ArrayForEach(o, found)
        if ((pid_t)cJSON_GetNumberValue(cJSON_GetObjectItem(o, "pid")) == pid)
            hit = 1;
    cJSON_Delete(found);
    return hit;
}

Test(llama_procs, competing_servers_are_the_ones_this_process_did_not_start, .timeout = 30)
{
    char dir[] = "/tmp/benchai-procs-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char *link = xasprintf("%s/llama-server", dir);
    cr_assert_eq(symlink("/bin/sleep", link), 0);
    /* a child of this process: ours, not a competitor */
    pid_t child = fork();
    if (child == 0) {
        execl(link, "llama-server", "30", (char *)NULL);
        _exit(127);
    }
    /* an orphan (double fork): started by someone else as far as we know */
    int p[2];
    cr_assert_eq(pipe(p), 0);
    pid_t mid = fork();
    if (mid == 0) {
        pid_t g = fork();
        if (g == 0) {
            execl(link, "llama-server", "30", (char *)NULL);
            _exit(127);
        }
        ssize_t n = write(p[1], &g, sizeof g);
        _exit(n == (ssize_t)sizeof g ? 0 : 1);
    }
    pid_t orphan = 0;
    cr_assert_eq(read(p[0], &orphan, sizeof orphan), (ssize_t)sizeof orphan);
    waitpid(mid, NULL, 0);
    close(p[0]);
    close(p[1]);
    /* exec has happened once /proc/PID/comm says so */
    for (int i = 0; i < 200; i++) {
        char path[64], comm[32] = "";
        snprintf(path, sizeof path, "/proc/%d/comm", (int)orphan);
        FILE *f = fopen(path, "r");
        if (f) {
            cr_assert_not_null(fgets(comm, sizeof comm, f));
            fclose(f);
        }
        if (!strncmp(comm, "llama-server", 12))
            break;
        clock_sleep_ms(10);
    }
    cr_assert(listed(orphan), "a llama-server this process did not start was not found");
    cr_assert_not(listed(child), "this process's own child was called a competitor");
    char state[64];
    llama_procs_state(orphan, state, sizeof state);
    cr_assert(state[0] == 'S' || state[0] == 'R', "%s", state);
    kill(orphan, SIGSTOP);
    for (int i = 0; i < 100 && state[0] != 'T'; i++) {
        clock_sleep_ms(10);
        llama_procs_state(orphan, state, sizeof state);
    }
    cr_assert_str_eq(state, "T (stopped)");
    kill(orphan, SIGKILL);
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    llama_procs_state(999999999, state, sizeof state);
    cr_assert_str_eq(state, "?");
    unlink(link);
    rmdir(dir);
    free(link);
}
